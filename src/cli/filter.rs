//! `filter`: a mail filter for procmail, maildrop or Sieve pipes. It must
//! never eat mail: whatever goes wrong, what was read is written back.

use std::io::{self, Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

use sextortion::{Classifier, Label, Verdict};

use super::args::FilterArgs;
use super::text::header_value;

/// sysexits.h EX_TEMPFAIL: the delivery agent keeps the message and retries.
pub const EX_TEMPFAIL: u8 = 75;

pub fn run(clf: Option<sextortion::Classifier>, a: FilterArgs) -> u8 {
    let mut stdin = io::stdin().lock();
    let mut input = Vec::new();
    let read = (&mut stdin)
        .take(a.max_message_size.saturating_add(1))
        .read_to_end(&mut input);
    let over = read.is_ok() && input.len() as u64 > a.max_message_size;
    let verdict = match (&read, &clf) {
        (Ok(_), Some(clf)) if !over && !input.is_empty() => classify(clf, &input),
        _ => None,
    };
    let mut out = io::stdout().lock();
    let written = (|| -> io::Result<()> {
        match &verdict {
            Some(v) => write_with_headers(&mut out, &input, v)?,
            None => out.write_all(&input)?,
        }
        if over {
            // Larger than we classify: the rest streams through untouched.
            io::copy(&mut stdin, &mut out)?;
        }
        out.flush()
    })();
    if let Err(e) = &read {
        eprintln!(
            "sextortion filter: reading the message failed ({e}); wrote the {} bytes read",
            input.len()
        );
        return EX_TEMPFAIL;
    }
    if let Err(e) = &written {
        eprintln!("sextortion filter: writing the message failed: {e}");
        return EX_TEMPFAIL;
    }
    if clf.is_none() {
        eprintln!(
            "sextortion filter: no classifier (templates failed to load); message passed through"
        );
    }
    if !a.exit_code {
        return 0;
    }
    match verdict.map(|v| v.label) {
        Some(Label::Sextortion) => 0,
        Some(Label::Clean) => 1,
        Some(Label::Suspicious) => 2,
        None => 3,
    }
}

fn classify(clf: &Classifier, raw: &[u8]) -> Option<Verdict> {
    match catch_unwind(AssertUnwindSafe(|| clf.classify(raw))) {
        Ok(v) => Some(v),
        Err(_) => {
            eprintln!("sextortion filter: the classifier failed on this message; passed through untouched");
            None
        }
    }
}

/// The headers, then the message byte for byte. An mbox `From ` line stays
/// first; the headers use the message's own line ending.
pub fn write_with_headers(out: &mut impl Write, raw: &[u8], v: &Verdict) -> io::Result<()> {
    let (from_line, rest) = match memchr::memchr(b'\n', raw) {
        Some(nl) if raw.starts_with(b"From ") => raw.split_at(nl + 1),
        _ => (&raw[..0], raw),
    };
    let crlf = match memchr::memchr(b'\n', rest) {
        Some(nl) => nl > 0 && rest[nl - 1] == b'\r',
        None => from_line.ends_with(b"\r\n"),
    };
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    out.write_all(from_line)?;
    for (name, value) in headers(v) {
        out.write_all(name.as_bytes())?;
        out.write_all(b": ")?;
        out.write_all(value.as_bytes())?;
        out.write_all(eol)?;
    }
    out.write_all(rest)
}

/// The X-Sextortion-* fields: single-line values, bounded length.
pub fn headers(v: &Verdict) -> [(&'static str, String); 4] {
    let family = v
        .family
        .as_ref()
        .map(|f| header_value(&f.id, 200))
        .unwrap_or_else(|| "none".into());
    let wallets = if v.wallets.is_empty() {
        "none".to_string()
    } else {
        let list: Vec<String> = v
            .wallets
            .iter()
            .take(10)
            .map(|w| format!("{}:{}", w.chain.code(), w.address))
            .collect();
        header_value(&list.join(", "), 900)
    };
    [
        ("X-Sextortion-Verdict", v.label.as_str().to_string()),
        ("X-Sextortion-Score", format!("{:.2}", v.score)),
        ("X-Sextortion-Family", family),
        ("X-Sextortion-Wallets", wallets),
    ]
}
