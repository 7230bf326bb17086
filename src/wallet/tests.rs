//! Unit tables: per-chain vectors (public test vectors from the BIPs, EIP-55,
//! the cashaddr spec, and well-known addresses) with one-character
//! mutations, then extraction cases.

use super::*;
use bitcoin::base58;

const GENESIS: &str = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";
const GENESIS_BAD: &str = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb";
/// hash160 of the genesis address.
const GENESIS_H160: [u8; 20] = [
    0x62, 0xe9, 0x07, 0xb1, 0x5c, 0xbf, 0x27, 0xd5, 0x42, 0x53, 0x99, 0xeb, 0xf6, 0xf0, 0xfb, 0x50,
    0xeb, 0xb8, 0x8f, 0x18,
];

fn b58(version: u8, hash: &[u8]) -> String {
    let mut v = vec![version];
    v.extend_from_slice(hash);
    base58::encode_check(&v)
}

fn parsed(s: &str) -> (Chain, AddressKind, Network) {
    parse_address(s).unwrap_or_else(|| panic!("{s} should be valid"))
}

// ---------------------------------------------------------------- vectors

/// (address, chain, kind, network, canonical)
fn valid_vectors() -> Vec<(String, Chain, AddressKind, Network, String)> {
    use AddressKind::*;
    use Chain::*;
    use Network::*;
    let mut v: Vec<(String, Chain, AddressKind, Network, String)> = Vec::new();
    let mut add = |a: &str, c, k, n, canon: &str| v.push((a.into(), c, k, n, canon.into()));
    // Bitcoin: genesis, the wiki's P2SH example, BIP 173 / BIP 350 vectors.
    add(GENESIS, Bitcoin, P2pkh, Mainnet, GENESIS);
    add(
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
        Bitcoin,
        P2sh,
        Mainnet,
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    );
    add(
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        Bitcoin,
        P2wpkh,
        Mainnet,
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    );
    add(
        "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
        Bitcoin,
        P2wsh,
        Mainnet,
        "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
    );
    add(
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        Bitcoin,
        P2wsh,
        Testnet,
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
    );
    add(
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        Bitcoin,
        P2tr,
        Mainnet,
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
    );
    add(
        "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
        Bitcoin,
        P2tr,
        Testnet,
        "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
    );
    add(
        "BC1SW50QGDZ25J",
        Bitcoin,
        WitnessUnknown,
        Mainnet,
        "bc1sw50qgdz25j",
    );
    add(
        "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
        Bitcoin,
        WitnessUnknown,
        Mainnet,
        "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
    );
    add(
        "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn",
        Bitcoin,
        P2pkh,
        Testnet,
        "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn",
    );
    add(
        "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc",
        Bitcoin,
        P2sh,
        Testnet,
        "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc",
    );
    // Litecoin.
    add(
        "LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9",
        Litecoin,
        P2pkh,
        Mainnet,
        "LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9",
    );
    // Ethereum: the EIP-55 examples.
    for a in [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
    ] {
        add(a, Ethereum, Account, Mainnet, a);
    }
    // All-lower-case form of a mixed-case example: canonicalised to EIP-55.
    add(
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        Ethereum,
        Account,
        Mainnet,
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    );
    // Bitcoin Cash: the cashaddr spec's examples, with and without prefix.
    for (a, k) in [
        (
            "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
            P2pkh,
        ),
        (
            "bitcoincash:qr95sy3j9xwd2ap32xkykttr4cvcu7as4y0qverfuy",
            P2pkh,
        ),
        (
            "bitcoincash:qqq3728yw0y47sqn6l2na30mcw6zm78dzqre909m2r",
            P2pkh,
        ),
        (
            "bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq",
            P2sh,
        ),
        (
            "bitcoincash:pr95sy3j9xwd2ap32xkykttr4cvcu7as4yc93ky28e",
            P2sh,
        ),
        (
            "bitcoincash:pqq3728yw0y47sqn6l2na30mcw6zm78dzq5ucqzc37",
            P2sh,
        ),
    ] {
        add(a, BitcoinCash, k, Mainnet, a);
        add(&a["bitcoincash:".len()..], BitcoinCash, k, Mainnet, a);
        add(&a.to_ascii_uppercase(), BitcoinCash, k, Mainnet, a);
    }
    // TRON: the USDT TRC-20 contract. Dogecoin, Monero: well-known donation
    // addresses (the Monero general fund, a subaddress).
    add(
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        Tron,
        Account,
        Mainnet,
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    );
    add(
        "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L",
        Dogecoin,
        P2pkh,
        Mainnet,
        "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L",
    );
    let xmr = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";
    add(xmr, Monero, Standard, Mainnet, xmr);
    let sub = "888tNkZrPN6JsEgekjMnABU4TBzc2Dt29EPAvkRxbANsAnjyPbb3iQ1YBRk1UXcdRsiKc9dhwMVgN5S9cQUiyoogDavup3H";
    add(sub, Monero, Subaddress, Mainnet, sub);
    // Same hash, other versions, built with the bitcoin crate's base58check.
    for (ver, c, k) in [
        (0x30, Litecoin, P2pkh),
        (0x32, Litecoin, P2sh),
        (0x1e, Dogecoin, P2pkh),
        (0x16, Dogecoin, P2sh),
        (0x41, Tron, Account),
    ] {
        let a = b58(ver, &GENESIS_H160);
        add(&a, c, k, Mainnet, &a);
    }
    let a = b58(0x3a, &GENESIS_H160);
    add(&a, Litecoin, P2sh, Testnet, &a);
    // Litecoin segwit, built with the bitcoin crate's bech32.
    let hrp = bitcoin::bech32::Hrp::parse("ltc").unwrap();
    let a = bitcoin::bech32::segwit::encode_v0(hrp, &GENESIS_H160).unwrap();
    add(&a, Litecoin, P2wpkh, Mainnet, &a);
    let a = bitcoin::bech32::segwit::encode_v1(hrp, &[7u8; 32]).unwrap();
    add(&a, Litecoin, P2tr, Mainnet, &a);
    // Monero built from key material: integrated, testnet, stagenet.
    let keys: Vec<u8> = (0..64u8).collect();
    let mut ikeys = keys.clone();
    ikeys.extend_from_slice(&[9u8; 8]);
    for (net, body, k, n) in [
        (19u8, &ikeys, Integrated, Mainnet),
        (53, &keys, Standard, Testnet),
        (63, &keys, Subaddress, Testnet),
        (24, &keys, Standard, Testnet),
    ] {
        let a = monero::build(net, body);
        add(&a, Monero, k, n, &a);
    }
    v
}

#[test]
fn valid_vectors_parse() {
    for (a, chain, kind, net, canon) in valid_vectors() {
        assert_eq!(parsed(&a), (chain, kind, net), "{a}");
        assert_eq!(
            canonical_address(&a).as_deref(),
            Some(canon.as_str()),
            "{a}"
        );
    }
}

#[test]
fn monero_lengths() {
    let keys: Vec<u8> = (0..64u8).collect();
    assert_eq!(monero::build(18, &keys).len(), 95);
    let mut ik = keys.clone();
    ik.extend_from_slice(&[1; 8]);
    assert_eq!(monero::build(19, &ik).len(), 106);
    // Integrated network byte on a standard-length body is not an address.
    assert_eq!(parse_address(&monero::build(19, &keys)), None);
    // An unknown network byte is checksum-valid but rejected.
    assert_eq!(
        chains::xmr(&monero::build(7, &keys)).unwrap_err(),
        chains::Reject::NetworkByte
    );
}

#[test]
fn cashaddr_matches_legacy_hash() {
    // The spec pairs each cashaddr with a legacy address of the same hash.
    for (legacy, cash) in [
        (
            "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu",
            "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
        ),
        (
            "1KXrWXciRDZUpQwQmuM1DbwsKDLYAYsVLR",
            "bitcoincash:qr95sy3j9xwd2ap32xkykttr4cvcu7as4y0qverfuy",
        ),
        (
            "16w1D5WRVKJuZUsSRzdLp9w3YGcgoxDXb",
            "bitcoincash:qqq3728yw0y47sqn6l2na30mcw6zm78dzqre909m2r",
        ),
        (
            "3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC",
            "bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq",
        ),
        (
            "3LDsS579y7sruadqu11beEJoTjdFiFCdX4",
            "bitcoincash:pr95sy3j9xwd2ap32xkykttr4cvcu7as4yc93ky28e",
        ),
        (
            "31nwvkZwyPdgzjBJZXfDmSWsC4ZLKpYyUw",
            "bitcoincash:pqq3728yw0y47sqn6l2na30mcw6zm78dzq5ucqzc37",
        ),
    ] {
        let data = base58::decode_check(legacy).unwrap();
        let (pre, payload) = cash.split_once(':').unwrap();
        let d = cashaddr::decode(pre, payload).unwrap();
        assert_eq!(d.hash, data[1..], "{cash}");
        assert_eq!(d.p2sh, data[0] == 5, "{cash}");
        assert_eq!(cashaddr::encode(pre, d.p2sh, &d.hash), cash);
    }
    let p2sh32 = cashaddr::encode("bitcoincash", true, &[3u8; 32]);
    assert_eq!(
        parsed(&p2sh32),
        (Chain::BitcoinCash, AddressKind::P2sh, Network::Mainnet)
    );
}

/// Replaces the character at `i` with another of the same alphabet and case.
fn mutate(s: &str, i: usize) -> String {
    const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    const BECH: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let b = s.as_bytes();
    let c = b[i];
    let lower_bech = s.contains(':')
        || s.to_ascii_lowercase().starts_with("bc1")
        || s.starts_with("tb1")
        || s.starts_with("ltc1");
    let (alpha, up): (&[u8], bool) = if s.starts_with("0x") {
        (b"0123456789abcdef", c.is_ascii_uppercase())
    } else if lower_bech || (s.len() == 42 && matches!(b[0], b'q' | b'p' | b'Q' | b'P')) {
        (BECH, c.is_ascii_uppercase())
    } else {
        (B58, false)
    };
    let lc = if up { c.to_ascii_lowercase() } else { c };
    let p = alpha.iter().position(|&x| x == lc).unwrap_or(0);
    let mut n = alpha[(p + 1) % alpha.len()];
    if up {
        n = n.to_ascii_uppercase();
    }
    let mut out = b.to_vec();
    out[i] = n;
    String::from_utf8(out).unwrap()
}

#[test]
fn one_character_mutations_fail() {
    for (a, chain, ..) in valid_vectors() {
        // An unchecksummed (single-case) Ethereum address has nothing to fail.
        if chain == Chain::Ethereum
            && (a[2..] == a[2..].to_ascii_lowercase() || a[2..] == a[2..].to_ascii_uppercase())
        {
            continue;
        }
        let body_start = a.find(':').map_or(0, |i| i + 1);
        let skip = match chain {
            Chain::Ethereum => 2,
            Chain::Bitcoin | Chain::Litecoin if chains::bech32_hrp_len(&a).is_some() => {
                chains::bech32_hrp_len(&a).unwrap()
            }
            _ => 0,
        };
        for i in body_start.max(skip)..a.len() {
            let m = mutate(&a, i);
            if m == a {
                continue;
            }
            assert_eq!(parse_address(&m), None, "{a} mutated at {i}: {m}");
        }
    }
}

#[test]
fn invalid_vectors() {
    use chains::Reject::*;
    for (a, why) in [
        // BIP 173 / BIP 350 invalid addresses.
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", Checksum),
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", Checksum),
        (
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
            Checksum,
        ),
        ("BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", Shape),
        (
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
            Shape,
        ),
        (GENESIS_BAD, Checksum),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", Eip55),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", Shape),
        (
            "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6c",
            Checksum,
        ),
        (
            "bitcoincash:Qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
            Shape,
        ),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", Checksum),
    ] {
        assert_eq!(chains::validate(a).unwrap_err(), why, "{a}");
    }
    // Program of 1 byte (BIP 350); the bech32 crate reports it as a bad checksum.
    assert!(chains::validate("bc1rw5uspcuh").is_err());
    // Non-zero padding (BIP 350).
    assert!(chains::validate("bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du").is_err());
    // Checksum-valid base58 with a version byte no supported chain uses.
    assert_eq!(
        chains::validate(&b58(0x99, &GENESIS_H160)).unwrap_err(),
        Version
    );
}

// ------------------------------------------------------------- extraction

/// (address, deobfuscated, raw text at the span)
fn found(text: &str) -> Vec<(String, bool, String)> {
    find_wallets(text)
        .into_iter()
        .map(|w| {
            let raw = text[w.span.start as usize..w.span.end as usize].to_string();
            (w.address, w.deobfuscated, raw)
        })
        .collect()
}

fn only(text: &str) -> (String, bool) {
    let f = found(text);
    assert_eq!(f.len(), 1, "{text:?} → {f:?}");
    (f[0].0.clone(), f[0].1)
}

macro_rules! t {
    ($name:ident, $text:expr, $addr:expr, $deob:expr) => {
        #[test]
        fn $name() {
            let text: String = $text.into();
            assert_eq!(only(&text), ($addr.to_string(), $deob), "{text:?}");
        }
    };
}

macro_rules! none {
    ($name:ident, $text:expr) => {
        #[test]
        fn $name() {
            let text: String = $text.into();
            let (w, bad) = extract_texts(&[(Field::Body(0), &text)]);
            assert!(w.is_empty(), "{text:?} → {w:?}");
            assert!(bad.is_empty(), "{text:?} → {bad:?}");
        }
    };
}

t!(
    plain,
    format!("Send the bitcoin to {GENESIS} today."),
    GENESIS,
    false
);
t!(quoted, format!("wallet: \"{GENESIS}\""), GENESIS, false);
t!(angle, format!("BTC address <{GENESIS}>"), GENESIS, false);
t!(brackets, format!("([{GENESIS}])."), GENESIS, false);
t!(colon_glued, format!("BTC:{GENESIS},thanks"), GENESIS, false);
t!(start_and_end, GENESIS, GENESIS, false);
t!(
    labelled_halves,
    "first part: 1A1zP1eP5QGe, second part: fi2DMPTfTL5SLmv7DivfNa",
    GENESIS,
    true
);
t!(
    labelled_lines,
    "Part 1: 1A1zP1eP5QGefi2D\nPart 2: MPTfTL5SLmv7DivfNa\n",
    GENESIS,
    true
);
t!(
    wrapped,
    "pay 1A1zP1eP5QGefi2DM\nPTfTL5SLmv7DivfNa now",
    GENESIS,
    true
);
t!(
    wrapped_crlf,
    "pay 1A1zP1eP5QGefi2DM\r\nPTfTL5SLmv7DivfNa now",
    GENESIS,
    true
);
t!(
    wrapped_quoted,
    "> pay 1A1zP1eP5QGefi2DM\n> PTfTL5SLmv7DivfNa now",
    GENESIS,
    true
);
t!(
    wrapped_quoted_deep,
    ">> pay 1A1zP1eP5QGefi2DM\r\n>> > PTfTL5SLmv7DivfNa",
    GENESIS,
    true
);
t!(
    wrapped_short_head,
    "send it to 1A\n1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    GENESIS,
    true
);
t!(
    wrapped_three,
    "1A1zP1eP5Q\nGefi2DMPTf\nTL5SLmv7DivfNa",
    GENESIS,
    true
);
t!(
    qp_soft_break_left,
    "1A1zP1eP5QGefi2DM=\nPTfTL5SLmv7DivfNa",
    GENESIS,
    true
);
t!(
    block_tag_newline,
    "Wallet:\n1A1zP1eP5QGe\nfi2DMPTfTL5SLmv7DivfNa\nThanks",
    GENESIS,
    true
);
t!(
    space_inside,
    "1A1zP1eP5QGe fi2DMPTfTL5SLmv7DivfNa",
    GENESIS,
    true
);
t!(
    spaces_every_few,
    "1A1zP1 eP5QGe fi2DMP TfTL5SLmv7DivfNa",
    GENESIS,
    true
);
t!(
    zero_width,
    "1A1zP1eP5\u{200B}QGefi2DMPTfTL5SLmv7DivfNa",
    GENESIS,
    true
);
t!(
    soft_hyphen,
    "1A1zP1eP5QGefi2\u{AD}DMPTfTL5SLmv7DivfNa",
    GENESIS,
    true
);
t!(
    word_joiner_many,
    "1\u{2060}A\u{200C}1zP1eP5QGefi2DMPTfTL5SLmv7DivfN\u{FEFF}a",
    GENESIS,
    true
);
t!(
    cyrillic,
    "Адрес: 1А1zР1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    GENESIS,
    true
);
t!(
    fullwidth_digits,
    "１A１zP１eP５QGefi２DMPTfTL５SLmv７DivfNa",
    GENESIS,
    true
);
t!(glued_word_after, format!("{GENESIS}Send"), GENESIS, false);
t!(
    non_ascii_around,
    format!("« {GENESIS} » — merci"),
    GENESIS,
    false
);
t!(
    bech32_upper,
    "pay BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4.",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    false
);
t!(
    bech32_wrapped,
    "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4\n> nce4xj0gdcccefvpysxf3qccfmv3",
    "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
    true
);
t!(
    bech32_after_hrp_wrap,
    "bc1\nqrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
    "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
    true
);
t!(
    taproot,
    "tap: bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
    false
);
t!(
    cash_prefixed,
    "BCH: bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a.",
    "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
    false
);
t!(
    cash_bare,
    "BCH: qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a.",
    "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
    false
);
t!(
    cash_upper,
    "BITCOINCASH:QPM2QSZNHKS23Z7629MMS6S4CWEF74VCWVY22GDX6A",
    "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
    false
);
t!(
    eth_checksummed,
    "USDT (ERC20): 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    false
);
t!(
    eth_lower,
    "USDT (ERC20): 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed.",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    false
);
t!(
    eth_wrapped,
    "ETH 0x5aAeb6053F3E94C9b9A0\n9f33669435E7Ef1BeAed",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    true
);
t!(
    tron,
    "USDT TRC20: TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    false
);
t!(
    doge,
    "DOGE DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L",
    "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L",
    false
);
t!(
    ltc,
    "LTC LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9!",
    "LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9",
    false
);
t!(
    monero,
    "XMR: 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
    "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
    false
);
t!(
    monero_wrapped,
    "XMR: 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7\n> otXft3XjrpDtQGv7SqSsaBYBb98uNbr2\n> VBBEt7f2wfn3RVGQBEP3A\n",
    "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
    true
);
t!(
    explorer_link,
    format!("see https://www.blockchain.com/btc/address/{GENESIS}"),
    GENESIS,
    false
);

none!(
    mutated_in_url,
    format!("https://example.com/track/{GENESIS_BAD}?x=1")
);
none!(
    base58_in_message_id,
    "Message-ID: <1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb@mail.example.com>"
);
none!(
    english,
    "The Thursday payment Monday. Dear friend, I recorded you. Transfer it quickly, please."
);
none!(
    numbers,
    "Order 1234 5678 9123 4567 8912 3456 7891 2345, $1200 to 1300, 48 hours, 31/12/2024."
);
none!(
    hex40_without_0x,
    "sha1 5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
);
none!(
    tx_hash,
    "tx 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed5aaeb6053f3e94c9b9a09f33"
);
none!(
    tx_hash_wrapped,
    "tx 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\n5aaeb6053f3e94c9b9a09f33"
);
t!(
    lower_case_eth_before_numbered_line,
    "ERC20: 0xdf45f79778087dbb74155dc50d066786098764ea\r\n2. Reply with the hash",
    "0xdF45f79778087Dbb74155dc50D066786098764ea",
    false
);
none!(
    base64_blob,
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb/+AAAA"
);
none!(empty, "");
none!(
    halves_that_do_not_match,
    "first part: 1A1zP1eP5QGe, second part: fi2DMPTfTL5SLmv7DivfNb"
);

#[test]
fn mutated_is_wallet_like_not_wallet() {
    let text = format!("pay {GENESIS_BAD} now");
    let (w, bad) = extract_texts(&[(Field::Body(0), &text)]);
    assert!(w.is_empty());
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].text, GENESIS_BAD);
    assert_eq!(bad[0].reason, "checksum mismatch");
    let eth = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
    let (w, bad) = extract_texts(&[(Field::Body(0), eth)]);
    assert!(w.is_empty());
    assert_eq!(bad[0].reason, "EIP-55 checksum mismatch");
}

#[test]
fn uri_amount() {
    let w = find_wallets(&format!(
        "Scan: bitcoin:{GENESIS}?amount=0.0512&label=Donation now"
    ));
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].address, GENESIS);
    assert_eq!(w[0].uri_amount.as_deref(), Some("0.0512"));
    assert!(!w[0].deobfuscated);
    let w = find_wallets("BITCOIN:BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4?AMOUNT=1.5");
    assert_eq!(w[0].uri_amount.as_deref(), Some("1.5"));
    let w = find_wallets("bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a?amount=2");
    assert_eq!(w[0].uri_amount.as_deref(), Some("2"));
    // A query without a payment scheme is not a payment request.
    let w = find_wallets(&format!("{GENESIS}?amount=3"));
    assert_eq!(w[0].uri_amount, None);
    let w = find_wallets(&format!("bitcoin:{GENESIS}?amount=1e9"));
    assert_eq!(w[0].uri_amount, None);
}

#[test]
fn dedupe_across_parts_keeps_first() {
    let html = format!("<p>{GENESIS}</p>");
    let plain =
        format!("pay to bitcoin:{GENESIS}?amount=0.1 and TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
    let (w, _) = extract_texts(&[
        (Field::Subject, "urgent"),
        (Field::Body(0), &html),
        (Field::Body(1), &plain),
    ]);
    assert_eq!(w.len(), 2);
    assert_eq!(w[0].address, GENESIS);
    assert_eq!(w[0].span.field, Field::Body(0));
    assert_eq!(w[0].span.start, 3);
    assert_eq!(w[0].uri_amount.as_deref(), Some("0.1"));
    assert_eq!(w[1].chain, Chain::Tron);
    // Case variants of one bech32 / cashaddr / EIP-55 address are one wallet.
    let (w, _) = extract_texts(&[
        (Field::Body(0), "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
        (Field::Body(1), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
        (Field::Body(2), "qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"),
    ]);
    assert_eq!(w.len(), 2, "{w:?}");
}

#[test]
fn spans_point_at_source() {
    let text = "Adresse : 1А1zР1eP5QGe\u{200B}fi2DMPTfTL5SLmv7DivfNa ✓";
    let w = find_wallets(text);
    let raw = &text[w[0].span.start as usize..w[0].span.end as usize];
    assert!(raw.starts_with("1А1z") && raw.ends_with("DivfNa"), "{raw}");
    assert!(w[0].deobfuscated);
}

#[test]
fn several_in_order() {
    let text = format!(
        "BTC {GENESIS}, ETH 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, again {GENESIS}, \
         XMR 888tNkZrPN6JsEgekjMnABU4TBzc2Dt29EPAvkRxbANsAnjyPbb3iQ1YBRk1UXcdRsiKc9dhwMVgN5S9cQUiyoogDavup3H"
    );
    let chains: Vec<_> = find_wallets(&text).iter().map(|w| w.chain.code()).collect();
    assert_eq!(chains, ["btc", "eth", "xmr"]);
}

#[test]
fn never_panics_on_odd_text() {
    for s in [
        "\u{0}\u{FFFF}1A1z\u{200B}",
        "bc1",
        "0x",
        "bitcoincash:",
        "bitcoin:?amount=",
        "1A1zP1eP5QGe\n\n\n\n\n\nfi2DMPTfTL5SLmv7DivfNa",
        "ｑｐｍ２",
        "\u{301}\u{301}1\u{301}A",
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=é",
        &"1A1zP1eP5QGe ".repeat(1000),
        &"\n>".repeat(1000),
    ] {
        let _ = find_wallets(s);
    }
}

#[test]
fn colon_before_short_text_regression() {
    // prefix_before() looked before the start of the text.
    assert!(find_wallets(":p¡").is_empty());
    assert!(find_wallets("h:q").is_empty());
}

#[test]
fn lower_case_eth_before_a_short_hex_word() {
    // "é" folds to "e", a hex word: not the tail of a hash.
    let w = find_wallets("0x72\n09f0926b471608e9d0f1022b2b1880224bf3e9 é");
    assert_eq!(w.len(), 1);
    assert!(
        find_wallets("tx 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed 5aaeb6053f3e94c9").is_empty()
    );
}

#[test]
fn many_starts_before_a_huge_token_stay_fast() {
    let mut s = "1a1a ".repeat(20);
    s.push_str(&"A".repeat(2_000_000));
    let t = std::time::Instant::now();
    assert!(find_wallets(&s).is_empty());
    // Linear: one pass over the huge run, not one per start before it.
    assert!(
        t.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn dense_random_tokens_stay_cheap() {
    // Every token looks like a piece of an address: the search must not
    // branch over all of them (this took seconds before labels were
    // restricted to skipping words).
    let s = "1A2b 3C4d\n".repeat(50_000);
    let t = std::time::Instant::now();
    assert!(find_wallets(&s).is_empty());
    assert!(
        t.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        t.elapsed()
    );
    // Thousands of distinct failures: kept bounded.
    let many: String = (0..5000u32)
        .map(|i| {
            let tail: String = format!("{i:07}")
                .bytes()
                .map(|d| b"123456789A"[(d - b'0') as usize] as char)
                .collect();
            format!("1A1zP1eP5QGefi2DMPTfTL5SLmv{tail} ")
        })
        .collect();
    let (w, bad) = extract_texts(&[(Field::Body(0), &many)]);
    assert!(w.is_empty());
    assert_eq!(bad.len(), 64);
}

t!(
    bech32_wrapped_inside_hrp,
    "pay bc\n1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
    "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
    true
);
t!(
    eth_wrapped_after_zero,
    "ETH: 0\n> x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    true
);
none!(hrp_fragment_then_words, "bc\nqueen 0\nxylophone b\nc1");

t!(
    glued_before_word,
    format!("Wallet{GENESIS}"),
    GENESIS,
    false
);
t!(
    glued_before_trigger,
    format!("<BTC{GENESIS}>"),
    GENESIS,
    false
);
t!(
    glued_before_bech32,
    "Addressbc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4.",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    false
);
t!(
    glued_before_eth,
    "ETH0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    false
);
none!(
    glued_before_unchecksummed_eth,
    "ETH0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
);
none!(
    long_words,
    "Rechtsschutzversicherungsgesellschaften Donaudampfschifffahrtsgesellschaftskapitän"
);

t!(
    groups_of_four,
    "BTC: 1A1z P1eP 5QGe fi2D MPTf TL5S Lmv7 DivfNa",
    GENESIS,
    true
);
t!(
    eth_groups_of_four,
    "0x5aAe b605 3F3E 94C9 b9A0 9f33 6694 35E7 Ef1B eAed",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    true
);

// ------------------------------------------------- scanner internals

/// The bitmap agrees with the `ALNUM` class for every byte value in every
/// position of a 64-byte word, and for every length of text.
#[test]
fn alnum_bitmap_is_the_alnum_class() {
    let all: Vec<u8> = (0..=255u8)
        .chain((0..=255u8).rev())
        .chain(0..=255u8)
        .collect();
    for len in [0, 1, 7, 8, 9, 63, 64, 65, 127, 128, 129, all.len()] {
        for skew in 0..9 {
            let b = &all[skew.min(all.len() - len)..][..len];
            let bits = scan::alnum_bitmap(b);
            assert_eq!(bits.len(), len.div_ceil(64));
            for (i, &c) in b.iter().enumerate() {
                assert_eq!(
                    bits[i / 64] >> (i % 64) & 1 == 1,
                    c.is_ascii_alphanumeric(),
                    "{c:#x} at {i}"
                );
            }
            // Bits past the end are clear.
            if len % 64 != 0 {
                assert_eq!(bits[len / 64] >> (len % 64), 0);
            }
        }
    }
}

/// Every dev-corpus text (the Case view the classifier scans): the scanner
/// and its oracle agree. The property tests cover random text; this covers
/// real letters. Ignored as it parses the whole corpus (run it with
/// `--ignored` after touching the scanner).
#[test]
#[ignore]
fn scanner_agrees_with_oracle_on_corpus() {
    let limits = crate::classifier::Limits::default();
    let mut texts = 0;
    for (path, raw) in crate::test_mail::real_mail() {
        let m = crate::message::parse(&raw, &limits);
        let bodies = m.bodies.iter().map(String::as_str);
        for t in m.meta.subject.as_deref().into_iter().chain(bodies) {
            let view = normalize(t, Fold::Case);
            let (mut h1, mut m1, mut h2, mut m2) = (vec![], vec![], vec![], vec![]);
            let b1 = scan::scan_budget(view.as_str(), &mut h1, &mut m1);
            let b2 = oracle::scan(view.as_str(), &mut h2, &mut m2);
            assert_eq!((h1, m1, b1), (h2, m2, b2), "{}", path.display());
            texts += 1;
        }
    }
    assert!(texts > 0);
}
