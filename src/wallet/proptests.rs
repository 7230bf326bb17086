//! Property tests: random wallet-alphabet strings that fail their checksum
//! are never reported, and every address the `bitcoin` crate (or our
//! encoders for the other chains) builds from random hashes or keys is found
//! in random surrounding text, obfuscated or not; and the scanner finds
//! exactly what its oracle (`oracle.rs`, the scanner before its pre-filter)
//! finds, in random text and in letter-like soups of addresses and words.

use bitcoin::hashes::Hash;
use bitcoin::secp256k1::{Secp256k1, SecretKey};
use bitcoin::{
    Address, CompressedPublicKey, KnownHrp, NetworkKind, PubkeyHash, ScriptHash, WitnessProgram,
    WitnessVersion,
};
use proptest::prelude::*;

use super::*;

const B58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BECH: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

fn from_alphabet(
    alpha: &'static str,
    len: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = String> {
    let chars: Vec<char> = alpha.chars().collect();
    prop::collection::vec(prop::sample::select(chars), len).prop_map(|v| v.into_iter().collect())
}

/// Wallet-shaped strings of every family, almost all failing their checksum.
fn shaped() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            prop::sample::select(vec![
                '1', '3', 'L', 'M', 'T', 'D', 'A', '9', 'm', 'n', '2', 'Q'
            ]),
            from_alphabet(B58, 24..=34)
        )
            .prop_map(|(c, s)| format!("{c}{s}")),
        (
            prop::sample::select(vec!['4', '8']),
            from_alphabet(B58, 94..=94)
        )
            .prop_map(|(c, s)| format!("{c}{s}")),
        (
            prop::sample::select(vec!["bc1q", "bc1p", "ltc1q", "tb1q"]),
            from_alphabet(BECH, 38..=58)
        )
            .prop_map(|(h, s)| format!("{h}{s}")),
        (
            prop::sample::select(vec!["q", "p", "bitcoincash:q"]),
            from_alphabet(BECH, 41..=41)
        )
            .prop_map(|(h, s)| format!("{h}{s}")),
        from_alphabet("0123456789abcdefABCDEF", 40..=40).prop_map(|s| format!("0x{s}")),
    ]
}

/// Words, numbers and punctuation as they surround a wallet in a letter.
fn filler() -> impl Strategy<Value = String> {
    let words = vec![
        "Send", "the", "Bitcoin", "to", "my", "wallet", "address", "BTC", "within", "48", "hours",
        "$1200", "pay", "here:", "(copy", "it)", "Thursday", "payment", "Dear", "1200", "USD", "2",
        "days", "part", "first", "TRC20", "A", "ok.", "-", ">", "«", "»", "é", "\u{200B}", "0x",
        "bc1", "Monero",
    ];
    prop::collection::vec(prop::sample::select(words), 0..12).prop_map(|w| w.join(" "))
}

/// Separators a scammer or a mailer puts inside an address.
fn splitter() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "\n",
        "\r\n",
        "\n> ",
        "\n>> ",
        "\u{200B}",
        "\u{AD}",
        "\u{2060}",
        " ",
        ", second part: ",
    ])
}

fn random_valid() -> impl Strategy<Value = String> {
    let h20 = prop::array::uniform20(any::<u8>());
    let h32 = prop::array::uniform32(any::<u8>());
    let net = prop::sample::select(vec![NetworkKind::Main, NetworkKind::Test]);
    let hrp = prop::sample::select(vec![
        KnownHrp::Mainnet,
        KnownHrp::Testnets,
        KnownHrp::Regtest,
    ]);
    prop_oneof![
        (h20, net.clone())
            .prop_map(|(h, n)| Address::p2pkh(PubkeyHash::from_byte_array(h), n).to_string()),
        (h20, net).prop_map(
            |(h, n)| Address::p2sh_from_hash(ScriptHash::from_byte_array(h), n).to_string()
        ),
        (h20, hrp.clone()).prop_map(|(h, k)| {
            Address::from_witness_program(WitnessProgram::new(WitnessVersion::V0, &h).unwrap(), k)
                .to_string()
        }),
        (h32, hrp.clone()).prop_map(|(h, k)| {
            Address::from_witness_program(WitnessProgram::new(WitnessVersion::V0, &h).unwrap(), k)
                .to_string()
        }),
        (h32, hrp).prop_map(|(h, k)| {
            Address::from_witness_program(WitnessProgram::new(WitnessVersion::V1, &h).unwrap(), k)
                .to_string()
        }),
        (
            h20,
            prop::sample::select(vec![0x30u8, 0x32, 0x1e, 0x16, 0x41])
        )
            .prop_map(|(h, v)| {
                let mut d = vec![v];
                d.extend_from_slice(&h);
                bitcoin::base58::encode_check(&d)
            }),
        (h20, any::<bool>()).prop_map(|(h, p2sh)| cashaddr::encode("bitcoincash", p2sh, &h)),
        h20.prop_map(|h| {
            let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
            canonical_address(&format!("0x{hex}")).unwrap()
        }),
        (h32, h32, prop::sample::select(vec![18u8, 42])).prop_map(|(a, b, n)| {
            let mut k = a.to_vec();
            k.extend_from_slice(&b);
            monero::build(n, &k)
        }),
    ]
}

proptest! {
    // 512 cases unless PROPTEST_CASES says otherwise (for long runs).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
        max_global_rejects: 1 << 20,
        // Failures found so far are pinned as unit tests in `tests.rs`.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn failing_shapes_are_never_wallets(s in shaped(), pre in filler(), post in filler(), cut in any::<prop::sample::Index>(), sep in splitter()) {
        prop_assume!(parse_address(&s).is_none());
        let text = format!("{pre} {s} {post}");
        prop_assert!(find_wallets(&text).is_empty(), "{text:?}");
        let at = cut.index(s.len() - 1) + 1;
        let text = format!("{pre} {}{sep}{} {post}", &s[..at], &s[at..]);
        prop_assert!(find_wallets(&text).is_empty(), "{text:?}");
    }

    #[test]
    fn random_valid_addresses_are_found(a in random_valid(), pre in filler(), post in filler(), end in prop::sample::select(vec![" ", ".", ",", "\n", ")", "!"])) {
        let text = format!("{pre} {a}{end}{post}");
        let w = find_wallets(&text);
        let canon = canonical_address(&a).unwrap();
        prop_assert!(w.iter().any(|w| w.address == canon && !w.deobfuscated), "{text:?} → {w:?}");
    }

    #[test]
    fn random_valid_addresses_are_found_split(a in random_valid(), pre in filler(), post in filler(), cut in any::<prop::sample::Index>(), sep in splitter()) {
        // A labelled split needs halves that look like pieces of an address.
        // A cut inside "bitcoincash:" leaves the bare payload, found as written.
        let min_at = if a.contains(':') { a.find(':').map_or(0, |i| i + 2) } else { 1 };
        let at = cut.index(a.len() - min_at) + min_at;
        // Inside a segwit prefix or "0x", only a line break is reassembled.
        let prefix_len = chains::bech32_hrp_len(&a).unwrap_or(if a.starts_with("0x") { 2 } else { 0 });
        prop_assume!(at >= prefix_len || sep.contains('\n') || !sep.is_ascii());
        let (h1, h2) = a.split_at(at);
        let text = format!("{pre} {h1}{sep}{h2} {post}");
        let canon = canonical_address(&a).unwrap();
        let labelled = sep.contains("part") || sep == " ";
        let piece_like = |p: &str| p.len() >= 4 && (p[1..].bytes().any(|c| c.is_ascii_digit() || c.is_ascii_uppercase()) || p.len() >= 12);
        let p1 = h1.rsplit(':').next().unwrap_or(h1);
        prop_assume!(!labelled || (piece_like(p1) && piece_like(h2)) || (sep == " " && piece_like(p1)));
        // A single-case Ethereum address has no checksum: it is only
        // reassembled across line breaks, never across spaces or labels.
        let single_case = a.starts_with("0x") && (a[2..] == a[2..].to_ascii_uppercase() || a[2..] == a[2..].to_ascii_lowercase());
        prop_assume!(!(single_case && labelled));
        let w = find_wallets(&text);
        prop_assert!(w.iter().any(|w| w.address == canon && w.deobfuscated), "{text:?} → {w:?}");
    }

    #[test]
    fn addresses_from_random_keys_are_found(sk in prop::array::uniform32(any::<u8>()), pre in filler()) {
        let Ok(sk) = SecretKey::from_slice(&sk) else { return Ok(()) };
        let secp = Secp256k1::new();
        let pk = CompressedPublicKey(sk.public_key(&secp));
        let (xonly, _) = sk.x_only_public_key(&secp);
        for a in [
            Address::p2pkh(pk, NetworkKind::Main).to_string(),
            Address::p2wpkh(&pk, KnownHrp::Mainnet).to_string(),
            Address::p2tr(&secp, xonly, None, KnownHrp::Mainnet).to_string(),
        ] {
            let text = format!("{pre} {a}");
            let w = find_wallets(&text);
            prop_assert!(w.iter().any(|w| w.address == a), "{text:?} → {w:?}");
        }
    }

    #[test]
    fn never_panics_on_address_like_soup(parts in prop::collection::vec(prop_oneof![
        shaped(),
        random_valid(),
        prop::sample::select(vec![
            " ", "\n", "\r\n", "\n> ", "=\n", ":", "?", "&", "amount=", "bitcoin:", "bitcoincash:", "0", "x", "bc",
            "1", "\u{200B}", "\u{AD}", "а", "１", "é", "https://", "@", "/", ".", "+",
        ]).prop_map(str::to_string),
    ], 0..24)) {
        let text: String = parts.concat();
        let (w, bad) = extract_texts(&[(Field::Body(0), &text)]);
        for x in &w {
            prop_assert!(parse_address(&x.address).is_some());
            prop_assert!(text.get(x.span.start as usize..x.span.end as usize).is_some());
        }
        for x in &bad {
            prop_assert!(text.get(x.span.start as usize..x.span.end as usize).is_some());
        }
    }

    #[test]
    fn never_panics_and_spans_are_boundaries(s in "\\PC{0,200}") {
        for w in find_wallets(&s) {
            prop_assert!(s.is_char_boundary(w.span.start as usize) && s.is_char_boundary(w.span.end as usize));
        }
    }
}

// ------------------------------------------- fast scanner against the oracle

/// Runs the scanner and the oracle (the scanner before its pre-filter) on
/// `text`: the same hits, misses and budget left.
fn same_as_oracle(text: &str) -> Result<(), TestCaseError> {
    let (mut h1, mut m1, mut h2, mut m2) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let b1 = scan::scan_budget(text, &mut h1, &mut m1);
    let b2 = oracle::scan(text, &mut h2, &mut m2);
    prop_assert_eq!(h1, h2, "{:?}", text);
    prop_assert_eq!(m1, m2, "{:?}", text);
    prop_assert_eq!(b1, b2, "{:?}", text);
    Ok(())
}

/// Pieces of letters as scammers, mailers and ordinary prose make them:
/// addresses whole, split, glued, inside URLs; prefixes and words that
/// start like one; separators and the punctuation the scanner looks at.
fn letter_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        shaped(),
        random_valid(),
        (random_valid(), any::<prop::sample::Index>(), splitter()).prop_map(|(a, cut, sep)| {
            let at = cut.index(a.len() - 1) + 1;
            format!("{}{sep}{}", &a[..at], &a[at..])
        }),
        (
            prop::sample::select(vec![
                "Wallet",
                "BTC",
                "to",
                "https://x.io/",
                "mail@",
                "www."
            ]),
            random_valid()
        )
            .prop_map(|(w, a)| format!("{w}{a}")),
        from_alphabet(B58, 1..=40),
        from_alphabet(BECH, 1..=40),
        // Ordinary words around the lengths that look random (12).
        from_alphabet("abcdefghijkmnopqrstuvwxyz", 1..=14),
        (
            prop::sample::select(vec!['1', '3', 'm', 'n', 'L', 'M', 'T', 'D', '4', 'q', 'p']),
            from_alphabet("abcdefghijkmnopqrstuvwxyz", 0..=13)
        )
            .prop_map(|(c, w)| format!("{c}{w}")),
        // Base64-looking words, with and without `/`.
        from_alphabet(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=",
            50..=70
        ),
        from_alphabet("0123456789abcdefABCDEF", 1..=48),
        from_alphabet(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=",
            20..=160
        ),
        prop::sample::select(vec![
            " ",
            "  ",
            "\n",
            "\n\n",
            "\r\n",
            "\n> ",
            " \n",
            "=\n",
            "=\r\n",
            "\t",
            ":",
            "?",
            "&",
            "amount=",
            "?amount=0.5",
            "bitcoin:",
            "bitcoincash:",
            "monero:",
            "0",
            "0x",
            "x",
            "b",
            "bc",
            "bc1",
            "bcr",
            "t",
            "tb",
            "l",
            "lt",
            "ltc",
            "r",
            "rl",
            "1",
            "1q",
            "q",
            "p",
            "T",
            "4",
            "8",
            "https://",
            "@",
            "/",
            ".",
            "+",
            "www.",
            ", second part: ",
            "part 2:",
            "the",
            "money",
            "please",
            "Bitcoin",
            "BTC",
            "11am",
            "McAfee",
            "PayPal",
            "2024",
            "notification",
            "\u{200B}",
            "é",
            "１",
        ])
        .prop_map(str::to_string),
    ]
}

/// The scanner-against-oracle properties: 512 cases unless
/// `PROPTEST_CASES` says otherwise, failures pinned as tests, not files.
fn oracle_config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(512),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(oracle_config())]

    #[test]
    fn scanner_agrees_with_oracle_on_letters(parts in prop::collection::vec(letter_piece(), 0..40)) {
        same_as_oracle(&parts.concat())?;
    }

    #[test]
    fn scanner_agrees_with_oracle_on_ascii(s in "[a-zA-Z0-9 \n\r\t=>:/@.+?&]{0,400}") {
        same_as_oracle(&s)?;
    }

    #[test]
    fn scanner_agrees_with_oracle_on_any_text(s in "\\PC{0,300}") {
        same_as_oracle(&s)?;
    }

    /// A start and the pieces after it, for the reassembly rules: words and
    /// pieces of every family's alphabet, of lengths around those that look
    /// random and those that validate, behind every kind of gap.
    #[test]
    fn scanner_agrees_with_oracle_on_pieces(
        pieces in prop::collection::vec((
            prop_oneof![
                (prop::sample::select(vec!['1', '3', 'm', 'n', 'L', 'M', 'T', 'D', '4', '8', 'q', 'p', 'Q', 'b']), from_alphabet("abcdefghijkmnopqrstuvwxyz", 2..=13))
                    .prop_map(|(c, w)| format!("{c}{w}")),
                from_alphabet(B58, 1..=36),
                from_alphabet(BECH, 1..=44),
                from_alphabet("0123456789abcdefABCDEF", 1..=42),
                prop::sample::select(vec!["bc1q", "0x", "bc", "1q", "x", "second", "part:", "Wallet"]).prop_map(str::to_string),
            ],
            prop::sample::select(vec![" ", "  ", "\n", "\r\n", "\n> ", "=\n", " \n ", ", ", ": ", "\n\n\n", ". "]),
        ), 1..8)
    ) {
        let text: String = pieces.iter().map(|(p, sep)| format!("{p}{sep}")).collect();
        same_as_oracle(&text)?;
    }

    /// Long runs across the 64-byte words of the bitmap, of every length
    /// around the thresholds (`SHORTEST`, `GLUE_MIN`, `GLUE_MAX`, `MAX_PIECE`).
    #[test]
    fn scanner_agrees_with_oracle_on_runs(pad in 0usize..70, runs in prop::collection::vec((from_alphabet(B58, 1..=200), prop::sample::select(vec![" ", "\n", ".", "é", "\n\n"])), 1..6)) {
        let mut text = " ".repeat(pad);
        for (r, sep) in runs {
            text.push_str(&r);
            text.push_str(sep);
        }
        same_as_oracle(&text)?;
    }
}

/// A word as `Scanner::ctx` cuts it (no whitespace): URL-, mail- and
/// base64-like pieces around the lengths where the rules change.
fn ctx_word() -> impl Strategy<Value = String> {
    let bits = prop::collection::vec(
        prop_oneof![
            from_alphabet(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                1..=70
            ),
            from_alphabet("aZ09+=", 1..=70),
            prop::sample::select(vec![
                ":",
                "/",
                "//",
                "://",
                "@",
                ".",
                "+",
                "=",
                "<",
                "(",
                "\"",
                "www.",
                "WWW.",
                "bitcoin:",
                "BitCoin:",
                "bitcoincash:",
                "monero:",
                "ethereum:",
                "http://",
                "é",
            ])
            .prop_map(str::to_string),
        ],
        0..8,
    );
    bits.prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(oracle_config())]

    #[test]
    fn word_ctx_agrees_with_oracle(w in ctx_word()) {
        prop_assert_eq!(scan::word_ctx(w.as_bytes()), oracle::word_ctx(w.as_bytes()), "{:?}", w);
    }

    #[test]
    fn random_run_is_tok_random(w in prop_oneof!["[a-zA-Z0-9]{1,20}", "[a-z]{1,20}", "[A-Z0-9][a-z]{0,19}"]) {
        let b = w.as_bytes();
        prop_assert_eq!(scan::random_run(b), scan::token_at(b, 0).random(), "{:?}", w);
    }
}
