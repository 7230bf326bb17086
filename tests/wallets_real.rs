//! Real wallets from sextortion spam (the AFT 2019 study's 12,533 Bitcoin
//! addresses, 11 of them mangled in the spam itself), each embedded in
//! whole messages the way scammers write them and run through the public
//! `classify`. The list is not part of the repository: it is read from
//! `../shared/data/sextortion-wallets.txt` (or `$SEXTORTION_WALLETS`), and
//! the test is skipped when it is absent.

mod common;
use common::base64;
use std::path::PathBuf;
use std::time::Instant;

use sextortion::wallet::parse_address;

fn list_path() -> (PathBuf, bool) {
    match std::env::var_os("SEXTORTION_WALLETS") {
        Some(p) => (PathBuf::from(p), true),
        None => (
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/sextortion-wallets.txt"),
            false,
        ),
    }
}

fn message(content_type: &str, cte: &str, body: &str) -> Vec<u8> {
    format!(
        "From: victim@example.org\r\nTo: victim@example.org\r\nSubject: Your account was hacked\r\n\
         MIME-Version: 1.0\r\nContent-Type: {content_type}; charset=utf-8\r\n\
         Content-Transfer-Encoding: {cte}\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// The embeddings: name, message, whether the wallet must be flagged as
/// de-obfuscated.
fn embeddings(a: &str) -> Vec<(&'static str, Vec<u8>, bool)> {
    let mid = a.len() / 2;
    let (h1, h2) = a.split_at(mid);
    // A character past the inline tag, written as a numeric entity.
    let ent = a.as_bytes()[12];
    let html = format!(
        "<html><body><p>I recorded you. Send the Bitcoin to my wallet:</p>\
         <p><b>{}<span>{}</span>&#x{:x};{}</b></p><p>You have 48 hours.</p></body></html>",
        &a[..5],
        &a[5..12],
        ent,
        &a[13..]
    );
    let qp = format!(
        "Pay to my BTC wallet: {}=\r\n{} within 2 days.",
        &a[..15],
        &a[15..]
    );
    vec![
        (
            "plain",
            message(
                "text/plain",
                "7bit",
                &format!("Send $1200 in Bitcoin to {a} within 48 hours."),
            ),
            false,
        ),
        ("html", message("text/html", "7bit", &html), false),
        (
            "split",
            message(
                "text/plain",
                "7bit",
                &format!("My wallet is in two parts. First part: {h1}, second part: {h2}"),
            ),
            true,
        ),
        (
            "quoted-printable",
            message("text/plain", "quoted-printable", &qp),
            false,
        ),
        (
            "base64",
            message(
                "text/plain",
                "base64",
                &base64(format!("Transfer the amount to {a} (BTC).").as_bytes()),
            ),
            false,
        ),
        (
            "zero-width",
            message(
                "text/plain",
                "8bit",
                &format!("BTC address: {}\u{200B}{} .", &a[..10], &a[10..]),
            ),
            true,
        ),
    ]
}

#[test]
fn real_sextortion_wallets() {
    let (path, overridden) = list_path();
    let Ok(list) = std::fs::read_to_string(&path) else {
        println!("skipped: {} not found", path.display());
        return;
    };
    let addrs: Vec<&str> = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let (valid, invalid): (Vec<&str>, Vec<&str>) =
        addrs.iter().partition(|a| parse_address(a).is_some());
    println!(
        "{} addresses: {} checksum-valid, {} mangled",
        addrs.len(),
        valid.len(),
        invalid.len()
    );
    if !overridden {
        assert_eq!((valid.len(), invalid.len()), (12_522, 11));
    }

    let t0 = Instant::now();
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(8);
    let chunk = addrs.len().div_ceil(threads).max(1);
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = addrs
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let mut fails = Vec::new();
                    for a in part {
                        let ok = parse_address(a).is_some();
                        for (name, raw, deob) in embeddings(a) {
                            let v = sextortion::classify(&raw);
                            let got: Vec<&str> =
                                v.wallets.iter().map(|w| w.address.as_str()).collect();
                            if ok {
                                if got != [*a] || v.wallets[0].deobfuscated != deob {
                                    fails.push(format!("{name}: {a} → {got:?}"));
                                }
                            } else if !got.is_empty() {
                                fails.push(format!("{name}: mangled {a} reported as {got:?}"));
                            }
                        }
                    }
                    fails
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    println!(
        "{} messages classified in {:.1?} ({} failures)",
        addrs.len() * 6,
        t0.elapsed(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

#[test]
fn embeddings_of_a_public_address() {
    // The same embeddings with the genesis address, so that the harness is
    // exercised even where the list is absent.
    let a = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";
    for (name, raw, deob) in embeddings(a) {
        let v = sextortion::classify(&raw);
        assert_eq!(v.wallets.len(), 1, "{name}: {:?}", v.wallets);
        assert_eq!(v.wallets[0].address, a, "{name}");
        assert_eq!(v.wallets[0].deobfuscated, deob, "{name}");
    }
    let bad = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN";
    for (name, raw, _) in embeddings(bad) {
        assert!(sextortion::classify(&raw).wallets.is_empty(), "{name}");
    }
}
