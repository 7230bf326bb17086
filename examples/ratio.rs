//! The issue's ratio, measured so that the host's drift falls on both
//! sides alike: one pass of `classify` over every file of a directory, then
//! one pass of the parse-only floor (`benches/classify.rs`), alternating in
//! one process, each pass timed on its own. Prints each round's ratio and
//! the median, lowest and highest; then the ratio of the two fastest
//! passes, which the host's noise (it only ever adds time) moves least.
//!
//! ```text
//! cargo run --release --example ratio -- ../shared/corpus/dev/messages --repeat 20
//! ```

mod common;

use std::time::Instant;

fn main() {
    let (msgs, rounds) = common::corpus_from_args();
    let clf = sextortion::default_classifier();
    // Both sides warmed once: lazy tables, page faults of the first pass.
    let _ = msgs.iter().map(|(_, m)| clf.classify(m).score).sum::<f32>();
    let _ = common::parse_only_pass(msgs.iter().map(|(_, m)| m.as_slice()));
    let mut ratios = Vec::new();
    let (mut best_classify, mut best_floor) = (f64::INFINITY, f64::INFINITY);
    for round in 0..rounds.max(1) {
        let t = Instant::now();
        for (_, raw) in &msgs {
            std::hint::black_box(clf.classify(std::hint::black_box(raw)));
        }
        let classify = t.elapsed().as_secs_f64();
        let t = Instant::now();
        std::hint::black_box(common::parse_only_pass(
            msgs.iter().map(|(_, m)| m.as_slice()),
        ));
        let floor = t.elapsed().as_secs_f64();
        let r = classify / floor;
        best_classify = best_classify.min(classify);
        best_floor = best_floor.min(floor);
        println!(
            "round {round:2}: classify {:6.1} ms, parse-only {:6.1} ms, ratio {r:.3}",
            classify * 1e3,
            floor * 1e3
        );
        ratios.push(r);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "{} rounds over {} messages: ratio median {:.3}, lowest {:.3}, highest {:.3}",
        ratios.len(),
        msgs.len(),
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    );
    println!(
        "fastest passes: classify {:.1} ms, parse-only {:.1} ms, ratio {:.3}",
        best_classify * 1e3,
        best_floor * 1e3,
        best_classify / best_floor
    );
}
