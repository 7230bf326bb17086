//! Golden tests over `corpus/samples/`: every message the team wrote, with
//! its expected label, family, wallets, amount and deadline in
//! `corpus/samples/labels.csv`, run through the public API with LF and with
//! CRLF line endings. All mismatches are collected and reported together.

use std::path::Path;

use sextortion::{classify, Label, Verdict};

/// One row of labels.csv.
struct Row {
    file: String,
    label: String,
    family: String,
    wallets: String,
    amount: String,
    currency: String,
    deadline_hours: String,
    lang: String,
}

/// Splits one CSV line (RFC 4180 quoting, no embedded newlines).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn rows() -> Vec<Row> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/samples");
    let text = std::fs::read_to_string(dir.join("labels.csv")).expect("corpus/samples/labels.csv");
    let mut lines = text.lines();
    let header = split_csv(lines.next().expect("header"));
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name}"))
    };
    let (f, l, fa, w, a, c, d, la) = (
        col("file"),
        col("label"),
        col("family"),
        col("wallets"),
        col("amount"),
        col("currency"),
        col("deadline_hours"),
        col("lang"),
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v = split_csv(line);
            let g = |i: usize| v.get(i).cloned().unwrap_or_default();
            Row {
                file: g(f),
                label: g(l),
                family: g(fa),
                wallets: g(w),
                amount: g(a),
                currency: g(c),
                deadline_hours: g(d),
                lang: g(la),
            }
        })
        .collect()
}

fn wallets_of(v: &Verdict) -> String {
    v.wallets
        .iter()
        .map(|w| format!("{}:{}", w.chain.code(), w.address))
        .collect::<Vec<_>>()
        .join(";")
}

fn check(row: &Row, v: &Verdict, variant: &str, problems: &mut Vec<String>) {
    let mut bad = |what: String| problems.push(format!("{} [{variant}]: {what}", row.file));
    if v.label.as_str() != row.label {
        bad(format!(
            "label {} (score {}), expected {}",
            v.label, v.score, row.label
        ));
    }
    if !row.family.is_empty()
        && v.family.as_ref().map(|f| f.id.as_str()) != Some(row.family.as_str())
    {
        bad(format!(
            "family {:?}, expected {}",
            v.family.as_ref().map(|f| &f.id),
            row.family
        ));
    }
    // Labels may write an address in any valid form (an all-lower-case
    // Ethereum address); the verdict gives the canonical one.
    let expected: Vec<String> = row
        .wallets
        .split(';')
        .filter(|w| !w.is_empty())
        .map(|w| match w.split_once(':') {
            Some((chain, addr)) => format!(
                "{chain}:{}",
                sextortion::wallet::canonical_address(addr).unwrap_or_else(|| addr.to_string())
            ),
            None => w.to_string(),
        })
        .collect();
    if wallets_of(v) != expected.join(";") {
        bad(format!(
            "wallets {:?}, expected {:?}",
            wallets_of(v),
            expected.join(";")
        ));
    }
    if !row.amount.is_empty() {
        let want: f64 = row.amount.parse().expect("amount is a number");
        match v.amounts.first() {
            Some(a) if (a.value - want).abs() <= want * 0.005 && a.currency == row.currency => {}
            other => bad(format!(
                "amount {:?}, expected {} {}",
                other.map(|a| (a.value, &a.currency)),
                row.amount,
                row.currency
            )),
        }
    }
    if !row.deadline_hours.is_empty() {
        let want: u32 = row.deadline_hours.parse().expect("deadline is an integer");
        if v.deadline_hours() != Some(want) {
            bad(format!(
                "deadline {:?}, expected {want}",
                v.deadline_hours()
            ));
        }
    }
    if row.label == "sextortion" && v.language.as_deref() != Some(row.lang.as_str()) {
        bad(format!("language {:?}, expected {}", v.language, row.lang));
    }
}

#[test]
fn golden_samples() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/samples");
    let rows = rows();
    assert!(
        rows.len() >= 80,
        "the golden corpus has {} rows",
        rows.len()
    );
    let mut problems = Vec::new();
    for row in &rows {
        let raw =
            std::fs::read(dir.join(&row.file)).unwrap_or_else(|e| panic!("{}: {e}", row.file));
        // As written, then with the other line ending.
        let lf: Vec<u8> = String::from_utf8_lossy(&raw)
            .replace("\r\n", "\n")
            .into_bytes();
        let is_utf8 = std::str::from_utf8(&raw).is_ok();
        check(row, &classify(&raw), "as written", &mut problems);
        if is_utf8 {
            let crlf = String::from_utf8_lossy(&lf)
                .replace('\n', "\r\n")
                .into_bytes();
            check(row, &classify(&lf), "LF", &mut problems);
            check(row, &classify(&crlf), "CRLF", &mut problems);
        }
    }
    assert!(
        problems.is_empty(),
        "{} golden mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn legit_lookalikes_are_never_sextortion() {
    // The invariant that matters most to a filter, asserted on its own so a
    // failure says exactly this.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/samples");
    let mut wrong = Vec::new();
    for row in rows().iter().filter(|r| r.label != "sextortion") {
        let v = classify(&std::fs::read(dir.join(&row.file)).expect("sample"));
        if v.label == Label::Sextortion {
            wrong.push(format!("{} (score {})", row.file, v.score));
        }
    }
    assert!(
        wrong.is_empty(),
        "legitimate look-alikes labelled Sextortion: {wrong:?}"
    );
}

#[test]
fn corpus_covers_families_and_languages() {
    let rows = rows();
    let sx: Vec<&Row> = rows.iter().filter(|r| r.label == "sextortion").collect();
    let legit = rows.len() - sx.len();
    assert!(
        sx.len() >= 40 && legit >= sx.len(),
        "{} sextortion, {legit} legit",
        sx.len()
    );
    for fam in sextortion::default_classifier().families() {
        assert!(
            sx.iter().any(|r| r.family == fam),
            "no sample of family {fam}"
        );
    }
    for lang in ["en", "de", "fr", "es", "it", "nl", "pt"] {
        assert!(
            sx.iter().any(|r| r.lang == lang),
            "no sextortion sample in {lang}"
        );
    }
}
