//! Property tests: normalisation is idempotent and maps back onto character
//! boundaries; classification never panics and its spans are well-formed.

use proptest::prelude::*;
use sextortion::normalize::{normalize, Fold};

/// Text mixing ASCII, look-alikes, accents, invisible characters, quote
/// markers and arbitrary Unicode.
fn mail_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 .,!?$€'\">\n\r\t-]{0,12}",
        Just("аеорсух".to_string()),
        Just("ḟeel sặd".to_string()),
        Just("\u{200B}\u{00AD}\u{FEFF}\u{202E}".to_string()),
        Just("ＢＩＴＣＯＩＮ 𝐯𝐢𝐝𝐞𝐨".to_string()),
        Just("İ ß ǅ ﬁ ¼ ¨ Σσς".to_string()),
        Just("\n>> ".to_string()),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn match_fold_is_idempotent(s in mail_text()) {
        let once = normalize(&s, Fold::Match);
        let twice = normalize(once.as_str(), Fold::Match);
        prop_assert_eq!(once.as_str(), twice.as_str());
    }

    #[test]
    fn case_fold_is_idempotent(s in mail_text()) {
        let once = normalize(&s, Fold::Case);
        let twice = normalize(once.as_str(), Fold::Case);
        prop_assert_eq!(once.as_str(), twice.as_str());
    }

    #[test]
    fn match_fold_is_lower_and_collapsed(s in mail_text()) {
        let n = normalize(&s, Fold::Match);
        prop_assert!(!n.as_str().contains("  "));
        prop_assert!(!n.as_str().starts_with(' '));
        prop_assert!(!n.as_str().chars().any(|c| c.is_ascii_uppercase() || c == '\n'));
    }

    #[test]
    fn source_ranges_are_char_boundaries(s in mail_text(), a in 0usize..400, b in 0usize..400) {
        let n = normalize(&s, Fold::Match);
        let t = n.as_str();
        let (mut a, mut b) = (a.min(t.len()), b.min(t.len()));
        if a > b { std::mem::swap(&mut a, &mut b); }
        while !t.is_char_boundary(a) { a -= 1; }
        while !t.is_char_boundary(b) { b += 1; }
        let (x, y) = n.source_range(a, b);
        prop_assert!(x <= y && y <= s.len());
        prop_assert!(s.is_char_boundary(x) && s.is_char_boundary(y));
    }

    #[test]
    fn classify_spans_are_well_formed(subject in mail_text(), body in mail_text()) {
        let raw = format!("Subject: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}", subject.replace(['\r', '\n'], " "), body);
        let v = sextortion::classify(raw.as_bytes());
        for e in &v.evidence {
            prop_assert!(e.span.start <= e.span.end);
            prop_assert_eq!(e.text.len() as u32, e.span.end - e.span.start);
        }
        let sum: f32 = v.breakdown.iter().map(|c| c.points).sum();
        prop_assert!((sum - v.score).abs() < 0.05, "score {} != sum of breakdown {}", v.score, sum);
    }

    #[test]
    fn classify_never_panics_on_bytes(raw in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = sextortion::classify(&raw);
    }
}

#[test]
fn phrases_found_through_obfuscation() {
    // The same letter, plain and obfuscated, gives the same concepts.
    let plain = "I recorded you through your webcam. I will send the video to all your contacts. Pay in bitcoin.";
    let obf = "I rеcоrded y\u{200B}ou thrоugh your ｗｅｂｃａｍ. I will ѕend the vid\u{00AD}eo to all your соntacts. Pay in 𝐛𝐢𝐭𝐜𝐨𝐢𝐧.";
    let c = |t: &str| sextortion::classify(format!("Subject: x\n\n{t}").as_bytes()).concepts();
    assert_eq!(c(plain), c(obf));
    assert!(c(plain).len() >= 3);
}
