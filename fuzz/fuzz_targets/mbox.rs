//! The batch scanner's mbox splitter (`sextortion::scan::mbox_messages`).
//!
//! An mbox is written from generated and raw messages the way mboxrd
//! writers write one: a `From ` line before each message, `>` added before
//! every body line matching `>*From `, an empty line after each. The
//! splitter must give back every message once, in order, at the offset its
//! `From ` line was written, with its bytes unquoted (line ends at the very
//! end aside) — and the same records when it reads the stream a few bytes
//! at a time as in one 2 MiB fill. Each message and the whole mbox also go
//! through `classify`, which is what it sees when a caller hands it an mbox
//! by mistake.
#![no_main]

use std::sync::LazyLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sextortion::scan::{mbox_messages, mbox_messages_chunked};
use sextortion::{Classifier, MboxMessage};
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
    crlf_separators: bool,
    /// Fill size for the second read of the stream (1 to 256 bytes).
    chunk: u8,
}

/// `msg` with one more `>` before every line that starts with `>*From `.
fn quote(msg: &[u8]) -> Vec<u8> {
    let mut q = Vec::with_capacity(msg.len());
    for line in msg.split_inclusive(|b| *b == b'\n') {
        let after = line.iter().position(|&b| b != b'>').unwrap_or(line.len());
        if line[after..].starts_with(b"From ") {
            q.push(b'>');
        }
        q.extend_from_slice(line);
    }
    q
}

fn trim_line_ends(b: &[u8]) -> &[u8] {
    let end = b
        .iter()
        .rposition(|&c| c != b'\n' && c != b'\r')
        .map_or(0, |i| i + 1);
    &b[..end]
}

fn split(whole: &[u8], chunk: Option<usize>) -> Vec<MboxMessage> {
    let it: Box<dyn Iterator<Item = std::io::Result<MboxMessage>>> = match chunk {
        Some(c) => Box::new(mbox_messages_chunked(whole, c)),
        None => Box::new(mbox_messages(whole)),
    };
    it.map(|m| m.expect("reading a slice cannot fail"))
        .collect()
}

fuzz_target!(|mbox: Mbox| {
    let eol: &[u8] = if mbox.crlf_separators { b"\r\n" } else { b"\n" };
    let mut whole = Vec::new();
    let mut want: Vec<(u64, Vec<u8>)> = Vec::new();
    for (i, item) in mbox.items.iter().take(16).enumerate() {
        let msg = match item {
            Item::Generated(e) => e.to_bytes(),
            Item::Raw(b) => b.clone(),
        };
        check_verdict(&CLF.classify(&msg), &CLF);
        want.push((whole.len() as u64, msg.clone()));
        whole.extend_from_slice(
            format!("From sender{i}@example.org Mon Jan  1 00:00:00 2024").as_bytes(),
        );
        whole.extend_from_slice(eol);
        let mut q = quote(&msg);
        if !q.is_empty() && !q.ends_with(b"\n") {
            q.push(b'\n');
        }
        whole.extend_from_slice(&q);
        whole.extend_from_slice(eol);
    }
    check_verdict(&CLF.classify(&whole), &CLF);

    let got = split(&whole, None);
    assert_eq!(got.len(), want.len(), "message count");
    for (k, (m, (offset, msg))) in got.iter().zip(&want).enumerate() {
        assert_eq!(m.index, k as u64);
        assert_eq!(m.offset, *offset, "offset of message {k}");
        let next = want.get(k + 1).map_or(whole.len() as u64, |w| w.0);
        assert_eq!(m.bytes, next - offset, "size of message {k}");
        assert_eq!(
            trim_line_ends(&m.data),
            trim_line_ends(msg),
            "bytes of message {k}"
        );
    }
    let small = split(&whole, Some(usize::from(mbox.chunk).max(1)));
    assert_eq!(small, got, "fill size {} changes the records", mbox.chunk);
});
