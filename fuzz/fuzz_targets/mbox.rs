//! mbox-shaped input through `classify`.
//!
//! The mbox splitter belongs to the batch scanner, which is not on this
//! branch yet; until it is, this target feeds `classify` whole mbox chunks
//! (several messages, `From ` separator lines, `>From ` quoting, `From `
//! lines inside bodies) — which is what `classify` sees when a caller hands
//! it an mbox by mistake or a splitter cuts in the wrong place — and each
//! message on its own. When the scanner lands, point this at its splitter
//! and assert that every message comes out once, in order.
#![no_main]

use std::sync::LazyLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sextortion::Classifier;
use sextortion_fuzz::{check_verdict, Email};

static CLF: LazyLock<Classifier> = LazyLock::new(|| Classifier::new().unwrap());

#[derive(Arbitrary, Debug)]
enum Item {
    Generated(Email),
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Mbox {
    items: Vec<Item>,
    /// Quote body lines starting with "From " as ">From " (mboxrd).
    quote_from: bool,
    crlf_separators: bool,
}

fuzz_target!(|mbox: Mbox| {
    let mut whole = Vec::new();
    for (i, item) in mbox.items.iter().take(16).enumerate() {
        let mut msg = match item {
            Item::Generated(e) => e.to_bytes(),
            Item::Raw(b) => b.clone(),
        };
        if mbox.quote_from {
            let mut q = Vec::with_capacity(msg.len());
            for line in msg.split_inclusive(|b| *b == b'\n') {
                if line.starts_with(b"From ") || line.starts_with(b">From ") {
                    q.push(b'>');
                }
                q.extend_from_slice(line);
            }
            msg = q;
        }
        let sep = format!(
            "From sender{i}@example.org Mon Jan  1 00:00:0{} 2024",
            i % 10
        );
        whole.extend_from_slice(sep.as_bytes());
        whole.extend_from_slice(if mbox.crlf_separators { b"\r\n" } else { b"\n" });
        whole.extend_from_slice(&msg);
        whole.extend_from_slice(b"\n\n");
        check_verdict(&CLF.classify(&msg), &CLF);
    }
    check_verdict(&CLF.classify(&whole), &CLF);
});
