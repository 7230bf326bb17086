//! Hostile input: what an attacker can put in a message a mail filter must
//! classify. Every test here must finish in bounded time and memory, in
//! debug builds too (they run in CI), and asserts on the verdict and its
//! notes, never on wall-clock time.
//!
//! The rule pinned by the `*_past_*_limit_*` tests: a sextortion letter
//! hidden behind padding that exhausts a [`Limits`] bound is either still
//! detected or the verdict carries [`Note::LimitReached`] — never silently
//! Clean.

mod common;
use common::base64;
use sextortion::{classify, Classifier, Label, Limits, Note, Verdict};

/// A plain sextortion letter that classifies as Sextortion on its own.
const LETTER: &str = "I hacked your device and recorded you through your webcam while you \
were watching adult videos. Send $1200 in Bitcoin to my wallet \
1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa within 48 hours, or I will send the video to all your \
contacts. Do not reply to this email.";

const HEAD: &str = "From: a@example.org\r\nTo: a@example.org\r\nSubject: hi\r\n";

fn limit_noted(v: &Verdict) -> bool {
    v.notes.iter().any(|n| matches!(n, Note::LimitReached(_)))
}

/// Detected, or it says what it did not look at.
fn assert_not_silently_clean(v: &Verdict) {
    assert!(
        v.label != Label::Clean || limit_noted(v),
        "a padded sextortion letter came out Clean without a LimitReached note: {:?} {:?}",
        v.label,
        v.notes
    );
}

/// Evidence stays small whatever the input: one entry per phrase.
fn assert_bounded(v: &Verdict) {
    assert!(
        v.evidence.len() < 200,
        "{} evidence entries",
        v.evidence.len()
    );
    assert!(v.notes.len() < 100, "{} notes", v.notes.len());
    assert!(v.wallets.len() < 100_000);
}

fn tight() -> Classifier {
    Classifier::builder()
        .limits(Limits {
            max_depth: 8,
            max_parts: 20,
            max_decoded_bytes: 64 << 10,
            max_text_bytes: 16 << 10,
        })
        .build()
        .unwrap()
}

#[test]
fn the_letter_alone_is_sextortion() {
    let v = classify(format!("{HEAD}\r\n{LETTER}").as_bytes());
    assert_eq!(v.label, Label::Sextortion);
    assert!(v.notes.is_empty(), "{:?}", v.notes);
}

// ---------------------------------------------------------------- structure

fn nested(depth: usize, same_boundary: bool, leaf: &str) -> String {
    let mut raw = String::from(HEAD);
    for i in 0..depth {
        let b = if same_boundary {
            "b".to_string()
        } else {
            format!("b{i}")
        };
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n--{b}\r\n"
        ));
    }
    raw.push_str("Content-Type: text/plain\r\n\r\n");
    raw.push_str(leaf);
    raw.push_str("\r\n");
    raw
}

#[test]
fn multipart_nested_10000_deep() {
    for same in [false, true] {
        let v = classify(nested(10_000, same, LETTER).as_bytes());
        assert_not_silently_clean(&v);
        assert_bounded(&v);
        let v = classify(nested(10_000, same, "nothing to see").as_bytes());
        assert_eq!(v.label, Label::Clean);
    }
}

#[test]
fn message_rfc822_nested_10000_deep() {
    // Each attached message is parsed afresh (so the MIME parser's own
    // nesting limit never applies): only max_depth bounds the recursion.
    let mut raw = String::from(HEAD);
    for _ in 0..10_000 {
        raw.push_str("Content-Type: message/rfc822\r\n\r\n");
    }
    raw.push_str("Content-Type: text/plain\r\n\r\n");
    raw.push_str(LETTER);
    let v = classify(raw.as_bytes());
    assert_not_silently_clean(&v);
    assert!(limit_noted(&v), "{:?}", v.notes);
    assert_bounded(&v);
}

#[test]
fn letter_past_depth_limit_is_noted() {
    // Deep enough to pass the limit, shallow enough for the MIME parser.
    let clf = tight();
    let v = clf.classify(nested(20, false, LETTER).as_bytes());
    assert_not_silently_clean(&v);
    let v = classify(nested(90, false, LETTER).as_bytes());
    assert_not_silently_clean(&v);
}

fn many_parts(n: usize, filler: &str, last: &str) -> String {
    let mut raw = String::with_capacity(n * (filler.len() + 40));
    raw.push_str(HEAD);
    raw.push_str("Content-Type: multipart/mixed; boundary=\"p\"\r\n\r\n");
    for _ in 0..n {
        raw.push_str("--p\r\nContent-Type: text/plain\r\n\r\n");
        raw.push_str(filler);
        raw.push_str("\r\n");
    }
    raw.push_str("--p\r\nContent-Type: text/plain\r\n\r\n");
    raw.push_str(last);
    raw.push_str("\r\n--p--\r\n");
    raw
}

#[test]
fn multipart_100000_parts() {
    let v = classify(many_parts(100_000, "hello", LETTER).as_bytes());
    assert!(limit_noted(&v), "{:?}", v.notes);
    assert_not_silently_clean(&v);
    assert_bounded(&v);
}

#[test]
fn letter_past_parts_limit_is_noted() {
    let v = tight().classify(many_parts(50, "", LETTER).as_bytes());
    assert_not_silently_clean(&v);
    assert!(limit_noted(&v));
}

#[test]
fn unparseable_mime_with_100000_chunks() {
    // Nesting past the MIME parser's own limit sends the message to the
    // raw-body fallback, which splits on the guessed boundary by itself.
    let mut raw = nested(120, true, "x");
    for _ in 0..100_000 {
        raw.push_str("--b\r\n\r\nfiller\r\n");
    }
    raw.push_str("--b\r\n\r\n");
    raw.push_str(LETTER);
    raw.push_str("\r\n--b--\r\n");
    let v = classify(raw.as_bytes());
    assert_not_silently_clean(&v);
    assert_bounded(&v);
}

#[test]
fn unparseable_mime_with_100000_chunks_of_a_guessed_boundary() {
    // A part header starting with a space makes the MIME parser reject the
    // message; the fallback guesses the boundary and splits 100,000 chunks.
    let mut raw = format!("{HEAD}Content-Type: multipart/mixed; boundary=\"zzzz\"\r\n\r\n--zzzz\r\n broken: header\r\n\r\nx\r\n");
    for _ in 0..100_000 {
        raw.push_str("--zzzz\r\n\r\nfiller\r\n");
    }
    raw.push_str("--zzzz\r\n\r\n");
    raw.push_str(LETTER);
    raw.push_str("\r\n--zzzz--\r\n");
    let v = classify(raw.as_bytes());
    assert_not_silently_clean(&v);
    assert_bounded(&v);
    // Below the parts limit the letter is read.
    let raw = raw.replacen(&"--zzzz\r\n\r\nfiller\r\n".repeat(99_500), "", 1);
    assert_eq!(classify(raw.as_bytes()).label, Label::Sextortion);
}

#[test]
fn mime_broken_in_every_common_way() {
    let cases = [
        // Boundary parameter missing its closing quote.
        format!("{HEAD}Content-Type: multipart/alternative; boundary=\"abc\r\n\r\n--abc\r\nContent-Type: text/plain\r\n\r\n{LETTER}\r\n--abc--\r\n"),
        // No boundary parameter at all.
        format!("{HEAD}Content-Type: multipart/mixed\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\n{LETTER}\r\n--zz\r\n\r\n--zz--\r\n"),
        // Boundary never used; never closed.
        format!("{HEAD}Content-Type: multipart/mixed; boundary=q\r\n\r\n{LETTER}\r\n"),
        // Leading whitespace before the first header.
        format!("   {HEAD}\r\n{LETTER}"),
        // Header section without the blank line.
        format!("{HEAD}{LETTER}"),
        // message/rfc822 inside message/rfc822, base64'd.
        format!("{HEAD}Content-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: text/plain\r\n\r\n{LETTER}\r\n"),
    ];
    for raw in &cases {
        let v = classify(raw.as_bytes());
        assert_eq!(v.label, Label::Sextortion, "{raw:?} {:?}", v.notes);
    }
}

// ---------------------------------------------------------------- sizes

#[test]
fn body_line_of_50_mib() {
    let mut raw = format!("{HEAD}Content-Type: text/plain\r\n\r\n").into_bytes();
    raw.resize(raw.len() + (50 << 20), b'a');
    let v = classify(&raw);
    assert_eq!(v.label, Label::Clean);
    assert!(limit_noted(&v), "{:?}", v.notes);
}

#[test]
fn header_line_of_50_mib() {
    let mut raw = b"Subject: ".to_vec();
    raw.resize(raw.len() + (50 << 20), b'a');
    raw.extend_from_slice(b"\r\n\r\nbody");
    let v = classify(&raw);
    assert_eq!(v.label, Label::Clean);
    assert!(limit_noted(&v), "{:?}", v.notes);
}

#[test]
fn base64_part_of_20_mib() {
    // 20 MiB of base64: a text part, then the same as a PDF attachment.
    let text: Vec<u8> = b"lorem ipsum dolor sit amet "
        .iter()
        .copied()
        .cycle()
        .take(15 << 20)
        .collect();
    let b64 = base64(&text);
    assert!(b64.len() >= 20 << 20);
    let raw = format!(
        "{HEAD}Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n"
    );
    let v = classify(raw.as_bytes());
    assert_eq!(v.label, Label::Clean);
    assert!(limit_noted(&v), "{:?}", v.notes);
    let raw = format!(
        "{HEAD}Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\n{LETTER}\r\n\
         --m\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--m--\r\n"
    );
    let v = classify(raw.as_bytes());
    assert_eq!(v.label, Label::Sextortion);
}

#[test]
fn letter_past_decoded_bytes_limit_is_noted() {
    let pad = "z ".repeat(40 << 10);
    let raw = format!(
        "{HEAD}Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\n{pad}\r\n\
         --m\r\nContent-Type: text/plain\r\n\r\n{LETTER}\r\n--m--\r\n"
    );
    let v = tight().classify(raw.as_bytes());
    assert_not_silently_clean(&v);
}

#[test]
fn letter_past_text_limit_is_noted() {
    for html in [false, true] {
        let pad = if html {
            "<p>lorem ipsum</p>".repeat(2_000)
        } else {
            "lorem ipsum ".repeat(2_000)
        };
        let ct = if html { "text/html" } else { "text/plain" };
        let raw = format!("{HEAD}Content-Type: {ct}\r\n\r\n{pad}{LETTER}");
        let v = tight().classify(raw.as_bytes());
        assert_not_silently_clean(&v);
        assert!(limit_noted(&v));
    }
    // Default limits: 5 MiB of visible filler before the letter.
    let raw = format!(
        "{HEAD}Content-Type: text/plain\r\n\r\n{}{LETTER}",
        "lorem ipsum ".repeat(440_000)
    );
    let v = classify(raw.as_bytes());
    assert_not_silently_clean(&v);
}

// ---------------------------------------------------------------- encodings

#[test]
fn malformed_base64_and_quoted_printable() {
    let b64 = base64(LETTER.as_bytes());
    let broken: String = b64
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let junk = if i % 7 == 3 { Some('!') } else { None };
            std::iter::once(c).chain(junk)
        })
        .collect();
    let cut = &b64[..b64.len() - 3];
    for body in [broken.as_str(), cut, "====", "A", "@@@@", "QQ=Q=Q", ""] {
        let raw = format!(
            "{HEAD}Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}"
        );
        let v = classify(raw.as_bytes());
        assert_bounded(&v);
    }
    let raw = format!(
        "{HEAD}Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n{broken}"
    );
    assert_eq!(classify(raw.as_bytes()).label, Label::Sextortion);
    let qp = LETTER.replace("webcam", "web=\r\ncam").replace(' ', "=20");
    for body in [qp.as_str(), "=", "=Z", "=\r", "=4", "abc=", "=ZZ=3D=\n=0a"] {
        let raw = format!("{HEAD}Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{body}");
        assert_bounded(&classify(raw.as_bytes()));
    }
    let raw = format!("{HEAD}Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{qp}=");
    assert_eq!(classify(raw.as_bytes()).label, Label::Sextortion);
}

#[test]
fn every_byte_value_in_headers_and_body() {
    let all: Vec<u8> = (0..=255u8).collect();
    let mut raw = Vec::new();
    raw.extend_from_slice(b"Subject: ");
    raw.extend_from_slice(&all);
    raw.extend_from_slice(b"\r\nFrom: ");
    raw.extend_from_slice(&all);
    raw.extend_from_slice(b"\r\nX-");
    raw.extend_from_slice(&all);
    raw.extend_from_slice(b": v\r\n\r\n");
    raw.extend_from_slice(&all);
    raw.extend_from_slice(LETTER.as_bytes());
    let _ = classify(&raw);
    // Each byte alone, as a whole message and inside a body.
    for b in 0..=255u8 {
        let _ = classify(&[b]);
        let _ = classify(&[b, b'\n', b'\n', b]);
        let mut raw = format!("{HEAD}\r\n").into_bytes();
        raw.push(b);
        raw.extend_from_slice(LETTER.as_bytes());
        raw.push(b);
        let v = classify(&raw);
        assert_bounded(&v);
    }
}

#[test]
fn invalid_utf8_in_headers_and_bodies() {
    let bad: &[&[u8]] = &[
        b"\xff\xfe",
        b"\xc3",
        b"\xe2\x82",
        b"\xf0\x9f\x98",
        b"\xed\xa0\x80",
        b"\xc0\xaf",
        b"\xf8\x88\x80\x80\x80",
    ];
    for b in bad {
        for charset in ["utf-8", "us-ascii", "", "iso-8859-1"] {
            let mut raw = b"Subject: hi ".to_vec();
            raw.extend_from_slice(b);
            raw.extend_from_slice(b"\r\nFrom: ");
            raw.extend_from_slice(b);
            raw.extend_from_slice(
                format!("@x\r\nContent-Type: text/plain; charset={charset}\r\n\r\n").as_bytes(),
            );
            raw.extend_from_slice(b);
            raw.extend_from_slice(LETTER.as_bytes());
            raw.extend_from_slice(b);
            let v = classify(&raw);
            assert_eq!(v.label, Label::Sextortion, "{b:?} {charset}");
        }
        // RFC 2047 words that decode to invalid UTF-8.
        let raw = format!(
            "Subject: =?utf-8?B?/w==?= =?utf-8?Q?=C3?= =?x-unknown?B?QUJD?=\r\n\r\n{LETTER}"
        );
        assert_eq!(classify(raw.as_bytes()).label, Label::Sextortion);
    }
}

#[test]
fn unknown_charsets() {
    for cs in [
        "x-martian",
        "\"utf-8",
        "utf-7",
        "utf-16",
        "utf-32",
        "",
        "\u{0}",
        "a".repeat(10_000).as_str(),
        "iso-2022-jp",
    ] {
        let mut raw =
            format!("{HEAD}Content-Type: text/plain; charset={cs}\r\n\r\n{LETTER}").into_bytes();
        raw.extend_from_slice(b" \xe9\x1b$B");
        let v = classify(&raw);
        assert_bounded(&v);
        if !cs.starts_with("utf-16") && !cs.starts_with("utf-32") && cs != "utf-7" {
            assert_eq!(v.label, Label::Sextortion, "{cs:?}");
        }
    }
}

// ---------------------------------------------------------------- HTML

fn html_message(body: &str) -> String {
    format!("{HEAD}Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>{body}</body></html>")
}

#[test]
fn html_with_a_million_unclosed_tags() {
    let body = "<div>".repeat(1_000_000);
    assert_bounded(&classify(html_message(&body).as_bytes()));
    // A million of every awkward kind, interleaved: hidden opens, cut-off
    // tags, unterminated quotes, stray closes, raw-text and comment opens.
    let kinds = [
        "<span>",
        "<b style='display:none'>",
        "<p",
        "<a href=\"x\" title='",
        "</x>",
        "<i hidden>",
        "<td>",
        "<!--",
        "<style>",
        "<script>",
    ];
    let body: String = (0..1_000_000).map(|i| kinds[i * 7 % kinds.len()]).collect();
    assert_bounded(&classify(html_message(&body).as_bytes()));
    // The letter after a million unclosed (visible) tags is still read.
    let body = "<div><span>".repeat(500_000) + LETTER;
    let v = classify(html_message(&body).as_bytes());
    assert_not_silently_clean(&v);
}

#[test]
fn entity_floods() {
    let v = classify(html_message(&"&#x41;".repeat(1_000_000)).as_bytes());
    assert_eq!(v.label, Label::Clean);
    let v = classify(html_message(&"&".repeat(1_000_000)).as_bytes());
    assert_eq!(v.label, Label::Clean);
    // The same in text/plain, where entities are decoded too.
    for flood in ["&#x41;", "&", "&amp;", "&#99999999999;", "&#x;", "&eacute"] {
        let raw = format!(
            "{HEAD}\r\n{}{LETTER}",
            flood.repeat(1_000_000 / flood.len())
        );
        let v = classify(raw.as_bytes());
        assert_not_silently_clean(&v);
        assert_bounded(&v);
    }
}

#[test]
fn hidden_text_floods() {
    let body = "<span style=\"font-size:0\">filler</span>x".repeat(200_000);
    let v = classify(html_message(&body).as_bytes());
    assert_bounded(&v);
    let css = "<style>".to_string() + &".h{display:none}".repeat(100_000) + "</style>";
    let v = classify(html_message(&(css + "<p class=h>x</p>")).as_bytes());
    assert_bounded(&v);
    let attr = format!("<p style=\"{}\">x</p>", "display:block;".repeat(200_000));
    assert_bounded(&classify(html_message(&attr).as_bytes()));
}

// ---------------------------------------------------------------- matching

#[test]
fn bitcoin_a_million_times() {
    let raw = format!("{HEAD}\r\n{}", "bitcoin ".repeat(1_000_000));
    let v = classify(raw.as_bytes());
    let hits = v.evidence.iter().filter(|e| e.phrase == "bitcoin").count();
    assert_eq!(hits, 1, "one evidence entry per phrase");
    assert_bounded(&v);
    assert_ne!(v.label, Label::Sextortion);
    // Every phrase of the letter, many times over: still one entry each.
    let raw = format!("{HEAD}\r\n{}", format!("{LETTER} ").repeat(10_000));
    let v = classify(raw.as_bytes());
    assert_eq!(v.label, Label::Sextortion);
    let mut phrases: Vec<&str> = v.evidence.iter().map(|e| e.phrase.as_str()).collect();
    let n = phrases.len();
    phrases.sort();
    phrases.dedup();
    assert!(
        phrases.len() * 3 >= n,
        "{n} entries for {} phrases",
        phrases.len()
    );
    assert_bounded(&v);
}

#[test]
fn homoglyph_and_invisible_floods() {
    for unit in [
        "\u{200B}",
        "\u{00AD}",
        "а",
        "ｂ",
        "𝐯",
        "e\u{0301}",
        "\u{FEFF}",
        "\u{E0041}",
        "ß",
        "ﷺ",
    ] {
        let raw = format!("{HEAD}\r\n{}{LETTER}", unit.repeat(400_000));
        let v = classify(raw.as_bytes());
        assert_not_silently_clean(&v);
        assert_bounded(&v);
    }
}

#[test]
fn many_wallet_shaped_strings() {
    // Checksum failures, then the same valid wallet many times.
    let fake = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb ".repeat(20_000);
    let real = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa ".repeat(20_000);
    let raw = format!("{HEAD}\r\n{fake}{real}");
    let v = classify(raw.as_bytes());
    assert_eq!(v.wallets.len(), 1);
}

// ---------------------------------------------------------------- mbox

#[test]
fn embedded_from_lines_in_a_single_message() {
    let raw = format!(
        "From sender@example.org Mon Jan  1 00:00:00 2024\r\n{HEAD}\r\n\
         From the desk of the support team.\r\nFrom here on, read carefully.\r\n>From quoted\r\n{LETTER}\r\n\
         From nobody Mon Jan  1 00:00:00 2024\r\n"
    );
    let v = classify(raw.as_bytes());
    assert_eq!(v.label, Label::Sextortion);
    assert_eq!(v.meta.subject.as_deref(), Some("hi"));
    // A whole mbox handed to classify: still one verdict, no panic.
    let mbox = (0..1_000)
        .map(|i| {
            format!(
                "From s{i}@x Mon Jan  1 00:00:00 2024\n{HEAD}\nmessage {i}\nFrom inside body\n\n"
            )
        })
        .collect::<String>();
    assert_bounded(&classify(mbox.as_bytes()));
}

#[test]
fn not_email_at_all() {
    for raw in [
        &b""[..],
        b"\r\n\r\n",
        b"\0\0\0\0",
        b"%PDF-1.7\n",
        b"\x1f\x8b\x08\x00",
        b":",
        b"From ",
        b"a:\n\n",
    ] {
        let v = classify(raw);
        assert_eq!(v.label, Label::Clean);
    }
}
