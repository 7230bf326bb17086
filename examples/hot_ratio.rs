//! The ratio message by message, hot: each message classified (and run
//! through the parse-only floor) many times in a row, best of three, then
//! summed over the directory. Against `examples/ratio` (one pass over every
//! message, each met once) this separates the work itself from the cost of
//! first contact with a new message: caches and, mostly, branch predictors
//! trained on the message before. Prints the totals and the messages that
//! cost most above the floor.
//!
//! ```text
//! cargo run --release --example hot_ratio -- ../shared/corpus/dev/messages
//! ```

mod common;

use std::hint::black_box;
use std::time::Instant;

/// Best time of three runs of `reps` calls of `f`, per call.
fn best(reps: usize, mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_secs_f64() / reps as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let (msgs, _) = common::corpus_from_args();
    let clf = sextortion::default_classifier();
    // (name, bytes, classify s, floor s)
    let mut rows = Vec::new();
    for (name, raw) in &msgs {
        // About 2 MB of work per side and round, at least 3 calls.
        let reps = (2_000_000 / raw.len().max(1000)).clamp(3, 200);
        let c = best(reps, || {
            black_box(clf.classify(black_box(raw)));
        });
        let f = best(reps, || {
            black_box(common::parse_only_pass([raw.as_slice()]));
        });
        rows.push((name, raw.len(), c, f));
    }
    let (c, f): (f64, f64) = rows
        .iter()
        .map(|r| (r.2, r.3))
        .fold((0.0, 0.0), |a, r| (a.0 + r.0, a.1 + r.1));
    rows.sort_by(|a, b| (b.2 - b.3).total_cmp(&(a.2 - a.3)));
    println!("most above the floor (µs):");
    for (name, len, c, f) in rows.iter().take(10) {
        println!(
            "  {name:24} {len:9} B  classify {:8.1}  parse-only {:8.1}  ratio {:.2}",
            c * 1e6,
            f * 1e6,
            c / f
        );
    }
    println!(
        "{} messages, each hot: classify {:.1} ms, parse-only {:.1} ms, ratio {:.3}",
        rows.len(),
        c * 1e3,
        f * 1e3,
        c / f
    );
}
