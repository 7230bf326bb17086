//! Inputs that once crashed, hung or misbehaved, each pinned under a name
//! saying what it is. Most were found by `cargo fuzz` (see `fuzz/`); the
//! comment on each says where it came from and which commit fixed it.

use sextortion::{classify, Label};

/// An HTML tag cut short by the next `<` right after a multi-byte character
/// (`<a é<b>`): the attribute slice ended inside the character. Found by the
/// `classify` fuzz target from a mutated Portuguese phishing page.
#[test]
fn unclosed_tag_before_multibyte_char_does_not_panic() {
    for html in [
        "<a é<b>x",
        "<p title=ä<",
        "<div ü",
        "<span 日本<br>",
        "<a\u{00e9}<",
    ] {
        let raw =
            format!("Content-Type: text/html; charset=utf-8\n\n<html><body>{html}</body></html>");
        let v = classify(raw.as_bytes());
        assert_eq!(v.label, Label::Clean);
    }
}

/// A header section not ended by a blank line: mailparse took every
/// following line for a header (`"I hacked your device…" = ""`), so the
/// letter a mail client shows as the body was never read and the message
/// came out Clean. Found by `tests/adversarial.rs`.
#[test]
fn missing_blank_line_after_headers_still_reads_body() {
    let letter = "I hacked your device and recorded you through your webcam while you were watching \
adult videos. Send $1200 in Bitcoin to my wallet 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa within 48 hours, \
or I will send the video to all your contacts. Do not reply to this email.";
    for eol in ["\r\n", "\n"] {
        let raw =
            format!("From: a@example.org{eol}To: a@example.org{eol}Subject: hi{eol}{letter}{eol}");
        let v = classify(raw.as_bytes());
        assert_eq!(v.label, Label::Sextortion, "{eol:?}");
        assert_eq!(v.meta.subject.as_deref(), Some("hi"));
    }
    // Folded headers, an mbox From line and obsolete "Name :" syntax are
    // still headers.
    let raw = "From x@y Mon Jan  1 00:00:00 2024\nSubject: hi\n there\nX-Obsolete : a\nFrom: a@b.c\n\nbody";
    let v = classify(raw.as_bytes());
    assert_eq!(v.meta.subject.as_deref(), Some("hi there"));
    assert!(v.notes.is_empty(), "{:?}", v.notes);
}

/// A message mailparse rejects (here: a part header starting with a space)
/// goes to the raw-body fallback, which split on the guessed boundary with
/// no bound on chunks; text parts past 65,535 were dropped with no note, so
/// 100,000 filler chunks hid the letter and the verdict was silently Clean.
/// Found while writing `tests/adversarial.rs`.
#[test]
fn raw_body_fallback_counts_chunks_against_max_parts() {
    let letter = "I hacked your device and recorded you through your webcam while you were watching \
adult videos. Send $1200 in Bitcoin to my wallet 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa within 48 hours, \
or I will send the video to all your contacts. Do not reply to this email.";
    let mut raw = String::from(
        "Subject: hi\r\nContent-Type: multipart/mixed; boundary=\"zzzz\"\r\n\r\n--zzzz\r\n broken: header\r\n\r\nx\r\n",
    );
    for _ in 0..100_000 {
        raw.push_str("--zzzz\r\n\r\nfiller\r\n");
    }
    raw.push_str(&format!("--zzzz\r\n\r\n{letter}\r\n--zzzz--\r\n"));
    let v = classify(raw.as_bytes());
    assert!(
        v.label != Label::Clean
            || v.notes
                .iter()
                .any(|n| matches!(n, sextortion::Note::LimitReached(_))),
        "{:?}",
        v.notes
    );
}
