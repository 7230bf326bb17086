//! Inputs that once crashed, hung or misbehaved, each pinned under a name
//! saying what it is. Most were found by `cargo fuzz` (see `fuzz/`); the
//! comment on each says where it came from and which commit fixed it.

mod common;
use common::base64 as base64_encode;
use sextortion::{classify, Label};

/// An HTML tag cut short by the next `<` right after a multi-byte character
/// (`<a é<b>`): the attribute slice ended inside the character. Found by the
/// `classify` fuzz target from a mutated Portuguese phishing page. Fixed in
/// de29161.
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
/// came out Clean. Found by `tests/adversarial.rs`. Fixed in 09dca52.
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
/// Found while writing `tests/adversarial.rs`. Fixed in ef8041b.
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

/// 100,000 distinct checksum-valid addresses in one body: wallet
/// extraction deduplicated with a linear scan per candidate, O(n²) — tens
/// of seconds for a 3.5 MB message. Found while writing
/// `tests/adversarial.rs`; fixed by the hash-based dedupe of the wallet
/// module (4aec8d2). A quadratic regression shows as a test that runs for
/// minutes.
#[test]
fn many_distinct_wallets_are_deduplicated_in_linear_time() {
    use bitcoin::hashes::Hash;
    let mut body = String::new();
    for i in 0u32..100_000 {
        let mut h = [7u8; 20];
        h[..4].copy_from_slice(&i.to_le_bytes());
        let a = bitcoin::Address::p2pkh(
            bitcoin::PubkeyHash::from_byte_array(h),
            bitcoin::Network::Bitcoin,
        );
        body.push_str(&a.to_string());
        body.push(' ');
    }
    let raw = format!("Subject: x\n\n{body}");
    let v = classify(raw.as_bytes());
    assert_eq!(v.wallets.len(), 100_000);
}

/// Wallet-shaped strings that fail their checksum are all kept in
/// `invalid_wallets`, each with its own strings: 4 MiB of them makes a
/// verdict of 100,000+ entries, larger than the message. Fixed by the
/// wallet module's cap on diagnostics (4aec8d2).
#[test]
fn invalid_wallet_list_is_bounded() {
    let raw = format!(
        "Subject: x\n\n{}",
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb ".repeat(100_000)
    );
    let v = classify(raw.as_bytes());
    assert!(
        v.invalid_wallets.len() <= 1_000,
        "{} invalid wallets",
        v.invalid_wallets.len()
    );
}

/// mailparse's RFC 2047 header decoder calls `line.chars().nth(i)` for
/// every `=?` (and every `?=` after one) in a line: quadratic. A 600 KB To
/// header of encoded words took 2.6 s of CPU; 1 MB of `=?` would take
/// minutes — in `parse_mail` itself for a part's Content-Type, and in every
/// header we read. Found by the `mbox` fuzz target (timeout). Such lines are
/// now defused before parsing, with a note. Fixed in 2808cd8.
#[test]
fn encoded_word_flood_in_a_header_line_is_linear() {
    let letter = "I hacked your device and recorded you through your webcam while you were watching \
adult videos. Send $1200 in Bitcoin to my wallet 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa within 48 hours, \
or I will send the video to all your contacts. Do not reply to this email.";
    let floods = [
        "=?".repeat(500_000),
        "=?".to_string() + &"a?=a".repeat(250_000),
        "=?utf-8?B?w4lsw6h2ZQ==?=".repeat(40_000),
    ];
    for flood in &floods {
        for header in [
            "Subject",
            "To",
            "From",
            "Content-Type: text/plain; x",
            "Content-Transfer-Encoding",
        ] {
            let raw = format!("{header}: {flood}\r\nTo: a@b.c\r\n\r\n{letter}");
            let v = classify(raw.as_bytes());
            assert_eq!(v.label, Label::Sextortion, "{header}");
        }
        // Inside a base64 message/rfc822 attachment, out of reach of a scan of the outer bytes.
        let inner = format!("Subject: {flood}\r\n\r\nhello");
        let b64 = base64_encode(inner.as_bytes());
        let raw = format!(
            "Subject: x\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\n{letter}\r\n\
             --m\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--m--\r\n"
        );
        assert_eq!(classify(raw.as_bytes()).label, Label::Sextortion);
    }
}

/// A figure of hundreds of digits ("3333…,000…eur") is extracted as an
/// amount of `inf`, which serde_json writes as `null`: the verdict no
/// longer reads back. Found by the `wallet_amount` fuzz target.
#[test]
fn huge_figure_is_not_an_infinite_amount() {
    let raw = format!("Subject: x\n\npay {}eur now", "3".repeat(400));
    let v = classify(raw.as_bytes());
    for a in &v.amounts {
        assert!(a.value.is_finite(), "{a:?}");
    }
    let json = serde_json::to_string(&v).unwrap();
    let _: sextortion::Verdict = serde_json::from_str(&json).expect("verdict reads back");
}

/// A multipart whose only text part is empty, with a PDF attachment: the
/// "no text part found" fallback split the raw body and decoded the base64
/// PDF as windows-1252 text, then normalised, matched and scanned ~180 KB of
/// garbage (17 ms for one real 245 KB phishing mail, 400 times its parse
/// time). An attachment a mail client would not show as text is not read
/// as text, in the fallback as in the MIME walk. Found profiling the dev
/// corpus (issue 5).
#[test]
fn raw_body_fallback_skips_declared_attachments() {
    // The attachment is words that would be evidence if read as text.
    let letter = "I recorded you through your webcam. Pay 1000 USD in Bitcoin \
or your contacts get the video.";
    let attachment = base64_encode(letter.as_bytes());
    let raw = format!(
        "From: a@example.org\nSubject: Invoice\nMIME-Version: 1.0\n\
Content-Type: multipart/Odd_Type; boundary=\"b1\"\n\n\
--b1\nContent-Type: text/plain\n\n\n\
--b1\nContent-Type: application/octet-stream; name=\"x.pdf\"\n\
Content-Transfer-Encoding: base64\n\n{attachment}\n--b1--\n"
    );
    let v = classify(raw.as_bytes());
    assert!(
        v.evidence
            .iter()
            .all(|e| e.span.field == sextortion::Field::Subject),
        "attachment read as text: {:?}",
        v.evidence
    );
    assert_eq!(v.label, Label::Clean);

    // The same chunk declared as text is still read by the fallback.
    let shown = raw.replace("application/octet-stream; name=\"x.pdf\"", "text/plain");
    let v = classify(shown.as_bytes());
    assert!(
        v.evidence.iter().any(|e| e.phrase.contains("webcam")),
        "text chunk lost: {:?}",
        v.evidence
    );
}
