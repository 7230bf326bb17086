//! Wallet extraction throughput on ~100 KB texts, through the public
//! `sextortion::wallet::find_wallets`: prose with no candidate, prose with a
//! wallet or a wallet-shaped string every ~1 KB (plain, split, wrapped,
//! zero-width), non-ASCII prose (the folded view is built), and a table of
//! numbers (many short base58-looking tokens).

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sextortion::wallet::find_wallets;

const SIZE: usize = 100 * 1024;

/// Deterministic word soup wrapped at ~72 columns.
fn prose(words: &[&str], seed: u64) -> String {
    let mut x = seed;
    let mut out = String::with_capacity(SIZE + 128);
    let mut col = 0;
    while out.len() < SIZE {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let w = words[(x % words.len() as u64) as usize];
        if col + w.len() > 72 {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(w);
        col += w.len();
    }
    out
}

const EN: &[&str] = &[
    "I",
    "have",
    "access",
    "to",
    "your",
    "device",
    "and",
    "recorded",
    "you",
    "through",
    "the",
    "webcam",
    "while",
    "watching",
    "adult",
    "videos.",
    "Send",
    "$1200",
    "in",
    "Bitcoin",
    "within",
    "48",
    "hours,",
    "or",
    "I",
    "will",
    "send",
    "video",
    "all",
    "contacts.",
    "Do",
    "not",
    "reply",
    "Thursday",
    "Monday",
    "Dear",
    "Mr.",
    "Last",
    "The",
    "payment",
    "Please",
    "transfer",
    "amount",
    "2",
    "days.",
    "Thanks",
    "Microsoft",
    "Windows10",
    "iPhone",
    "COVID19",
    "A",
    "Dogecoin",
    "Litecoin",
    "TRON",
    "Monero",
    "bc1",
    "0x",
    "password:",
    "qwerty123",
    "part",
    "first",
    "second",
];

const RU: &[&str] = &[
    "Я",
    "получил",
    "доступ",
    "к",
    "вашему",
    "устройству",
    "и",
    "записал",
    "видео",
    "Отправьте",
    "$1200",
    "в",
    "Биткойнах",
    "за",
    "48",
    "часов",
    "иначе",
    "я",
    "отправлю",
    "всем",
    "контактам.",
    "Не",
    "отвечайте",
    "pаyment",
    "аccount",
    "вitcoin",
    "ｗａｌｌｅｔ",
    "pass\u{200B}word",
    "2",
    "дня.",
];

const GENESIS: &str = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";

fn with_candidates() -> (String, usize) {
    let base = prose(EN, 7);
    let inserts = [
        format!("wallet: {GENESIS}."),
        "first part: 3J98t1WpEZ73CNmQ, second part: viecrnyiWrnqRhWNLy".to_string(),
        "bc1qrp33g0q5c5txsp9arysrx4k6zd\n> kfs4nce4xj0gdcccefvpysxf3qccfmv3".to_string(),
        "USDT 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed or TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t".to_string(),
        "LVg2kJoFNg45Nbpy53h7Fe1wKy\u{200B}eXVRhMH9 and bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a".to_string(),
        "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A".to_string(),
        "not this one 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb".to_string(),
    ];
    let distinct = 8;
    let mut out = String::with_capacity(base.len() * 2);
    let mut k = 0;
    for (i, line) in base.lines().enumerate() {
        out.push_str(line);
        out.push('\n');
        if i % 14 == 13 {
            out.push_str(&inserts[k % inserts.len()]);
            out.push('\n');
            k += 1;
        }
    }
    (out, distinct)
}

fn numbers() -> String {
    let mut out = String::with_capacity(SIZE + 64);
    let mut x: u64 = 12345;
    while out.len() < SIZE {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push_str(&format!("{} ", (x >> 33) % 100_000_000 + 10_000_000));
        if out.len() % 80 < 9 {
            out.push('\n');
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("find_wallets");
    let cases: Vec<(&str, String, usize)> = vec![
        ("prose_no_candidates", prose(EN, 7), 0),
        (
            "prose_with_candidates",
            with_candidates().0,
            with_candidates().1,
        ),
        ("non_ascii_prose", prose(RU, 11), 0),
        ("number_table", numbers(), 0),
    ];
    for (name, text, expect) in &cases {
        assert_eq!(find_wallets(text).len(), *expect, "{name}");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(*name, |b| {
            b.iter(|| {
                let w = find_wallets(black_box(text));
                assert_eq!(w.len(), *expect);
                w
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
