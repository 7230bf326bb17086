//! Wallet and amount extraction, through `classify` on a text/plain message
//! whose body is the fuzzer's string (the extractors' own API is being
//! reshaped; the public pipeline is what filters call anyway).
//!
//! Beyond "no panic": every reported wallet is checksum-valid (re-parsed),
//! made of address characters, and its characters appear in order in the
//! input (a wallet is found, never invented), and amounts are finite.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use sextortion::normalize::{normalize, Fold};
use sextortion::Classifier;
use sextortion_fuzz::check_verdict;

static CLF: LazyLock<Classifier> = LazyLock::new(|| Classifier::new().unwrap());

/// True when `needle`'s ASCII letters and digits occur in order in `hay`,
/// ignoring case.
fn is_subsequence(needle: &str, hay: &str) -> bool {
    let mut h = hay.bytes().map(|b| b.to_ascii_lowercase());
    needle
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .all(|n| h.by_ref().any(|b| b == n.to_ascii_lowercase()))
}

fuzz_target!(|body: &str| {
    let mut raw = b"From: a@example.org\nTo: a@example.org\nSubject: payment\nContent-Type: text/plain; charset=utf-8\n\n".to_vec();
    raw.extend_from_slice(body.as_bytes());
    let v = CLF.classify(&raw);
    check_verdict(&v, &CLF);
    // Entities (&#49;) and HTML can produce characters the raw input does
    // not hold; only check provenance where neither is present.
    let folded = normalize(body, Fold::Case);
    let plain = !body.contains(['&', '<']);
    for w in &v.wallets {
        assert!(
            sextortion::wallet::parse_address(&w.address).is_some()
                || w.chain != sextortion::Chain::Bitcoin,
            "reported bitcoin wallet fails validation: {:?}",
            w.address
        );
        if plain {
            let addr = w.address.rsplit(':').next().unwrap_or(&w.address);
            assert!(
                is_subsequence(addr, folded.as_str()),
                "wallet {addr:?} not in input {body:?}"
            );
        }
    }
});
