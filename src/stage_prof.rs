//! Stage timings over the dev corpus (an ignored test; a tool for issue 5).
//! `cargo test --release --lib stage_times -- --ignored --nocapture`;
//! with `STAGE_ONLY_PARSE=N` it only runs `message::parse` over the corpus
//! N times, for `perf record` or `valgrind --tool=callgrind`. `stage_times_cold`
//! times the stages as a scan meets them.

use std::time::Instant;

#[path = "../examples/common/mod.rs"]
mod floor;

use crate::classifier::Limits;
use crate::normalize::{normalize, normalize_into, Fold, Normalized};
use crate::verdict::Field;

/// The dev corpus messages, the default classifier and limits.
fn setup() -> (Vec<Vec<u8>>, crate::Classifier, Limits) {
    let raws: Vec<Vec<u8>> = crate::test_mail::real_mail()
        .into_iter()
        .filter(|(p, _)| p.starts_with(crate::test_mail::DEV_CORPUS))
        .map(|(_, raw)| raw)
        .collect();
    assert!(!raws.is_empty(), "no dev corpus");
    (raws, crate::default_classifier().clone(), Limits::default())
}

/// The texts of a message as `classify` matches them: subject, then bodies.
fn texts_of(m: &crate::message::Message) -> Vec<(Field, &str)> {
    let mut t = Vec::new();
    if let Some(s) = m.meta.subject.as_deref() {
        t.push((Field::Subject, s));
    }
    for (i, b) in m.bodies.iter().enumerate() {
        t.push((Field::Body(i as u16), b.as_str()));
    }
    t
}

#[test]
#[ignore]
fn stage_times() {
    let (raws, clf, limits) = setup();
    let time = |name: &str, f: &mut dyn FnMut() -> usize| {
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..5 {
            let t = Instant::now();
            n = f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!("{name:28} {:8.1} ms  ({n})", best * 1e3);
    };
    if let Some(n) = std::env::var_os("STAGE_ONLY_PARSE") {
        let n: usize = n.to_str().and_then(|n| n.parse().ok()).unwrap_or(10);
        for _ in 0..n {
            for r in &raws {
                std::hint::black_box(crate::message::parse(r, &limits));
            }
        }
        return;
    }
    // The parse-only floor of the benchmarks and examples, the same code.
    time("parse_mail+get_body_raw", &mut || {
        floor::parse_only_pass(raws.iter().map(Vec::as_slice))
    });
    time("parse_mail", &mut || {
        raws.iter()
            .filter_map(|r| mailparse::parse_mail(r).ok())
            .count()
    });
    time("message::parse", &mut || {
        raws.iter()
            .map(|r| crate::message::parse(r, &limits).bodies.len())
            .sum()
    });
    let mut htmls = Vec::new();
    for r in &raws {
        if let Ok(m) = mailparse::parse_mail(r) {
            crate::test_mail::html_parts(&m, &mut htmls);
        }
    }
    let hb: usize = htmls.iter().map(String::len).sum();
    time(&format!("visible_text ({} MB)", hb >> 20), &mut || {
        let mut out = String::new();
        let mut n = 0;
        for h in &htmls {
            out.clear();
            crate::html::visible_text(h, &mut out);
            n += out.len();
        }
        n
    });
    let msgs: Vec<_> = raws
        .iter()
        .map(|r| crate::message::parse(r, &limits))
        .collect();
    let texts: Vec<Vec<(Field, &str)>> = msgs.iter().map(texts_of).collect();
    let tb: usize = texts.iter().flatten().map(|(_, t)| t.len()).sum();
    let non_ascii: usize = texts
        .iter()
        .flatten()
        .map(|(_, t)| t.chars().filter(|c| !c.is_ascii()).count())
        .sum();
    println!(
        "text bytes after parse: {} MB, {non_ascii} non-ASCII chars",
        tb >> 20
    );
    time("normalize Match", &mut || {
        let mut n = Normalized::default();
        let mut k = 0;
        for t in texts.iter().flatten() {
            normalize_into(t.1, Fold::Match, &mut n);
            k += n.as_str().len();
        }
        k
    });
    time("evidence (norm+AC+...)", &mut || {
        texts.iter().map(|t| clf.evidence(t).evidence.len()).sum()
    });
    time("normalize Case", &mut || {
        texts
            .iter()
            .flatten()
            .map(|t| normalize(t.1, Fold::Case).as_str().len())
            .sum()
    });
    let cases: Vec<Vec<Normalized>> = texts
        .iter()
        .map(|t| t.iter().map(|x| normalize(x.1, Fold::Case)).collect())
        .collect();
    time("wallet::extract", &mut || {
        texts
            .iter()
            .zip(&cases)
            .map(|(t, c)| crate::wallet::extract(t, c).0.len())
            .sum()
    });
    time("amount::extract (all)", &mut || {
        texts
            .iter()
            .zip(&cases)
            .map(|(t, c)| crate::amount::extract(t, c, &[]).0.len())
            .sum()
    });
    time("classify", &mut || {
        raws.iter().map(|r| clf.classify(r).evidence.len()).sum()
    });
}

/// The same stages as [`stage_times`], but cold: each message once, in
/// corpus order, as a scan meets them, timed stage by stage. Between two
/// messages the previous one's data evicts the tables (the phrase
/// automaton, above all) that best-of-five runs over one stage keep hot,
/// so these are the figures the corpus benchmark adds up to.
/// `cargo test --release --lib stage_times_cold -- --ignored --nocapture`
#[test]
#[ignore]
fn stage_times_cold() {
    let (raws, clf, limits) = setup();
    for round in 0..3 {
        // parse, evidence, Case views, wallets, amounts (on every message).
        let mut t = [0f64; 5];
        for r in &raws {
            let t0 = Instant::now();
            let msg = crate::message::parse(r, &limits);
            let t1 = Instant::now();
            let texts = texts_of(&msg);
            let ev = clf.evidence(&texts);
            let t2 = Instant::now();
            let cases: Vec<Normalized> = texts.iter().map(|x| normalize(x.1, Fold::Case)).collect();
            let t3 = Instant::now();
            let w = crate::wallet::extract(&texts, &cases);
            let t4 = Instant::now();
            let a = crate::amount::extract(&texts, &cases, &w.0);
            let t5 = Instant::now();
            std::hint::black_box((ev.evidence.len(), a.0.len()));
            for (k, (x, y)) in [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5)]
                .iter()
                .enumerate()
            {
                t[k] += (*y - *x).as_secs_f64();
            }
        }
        let all = Instant::now();
        for r in &raws {
            std::hint::black_box(clf.classify(r));
        }
        let ms = |x: f64| x * 1e3;
        println!(
            "round {round}: parse {:.1} ms, evidence {:.1}, Case views {:.1}, wallets {:.1}, amounts (all) {:.1}; classify {:.1} ms",
            ms(t[0]), ms(t[1]), ms(t[2]), ms(t[3]), ms(t[4]), ms(all.elapsed().as_secs_f64())
        );
    }
}
