//! Classifies every file of a directory (sorted by name) and prints
//! `file label score evidence-count` per line, then the throughput on
//! stderr. For profiling (`valgrind --tool=callgrind`, `perf record`) and
//! for checking that a change leaves every verdict as it was:
//!
//! ```text
//! cargo run --release --example classify_corpus -- ../shared/corpus/dev/messages > labels.txt
//! ```
//!
//! All files are read before the clock starts; `--repeat N` classifies the
//! set N times.

mod common;

use std::time::Instant;

fn main() {
    let (msgs, repeat) = common::corpus_from_args();
    let bytes: usize = msgs.iter().map(|(_, m)| m.len()).sum();
    let clf = sextortion::default_classifier();
    let _ = clf.classify(b"Subject: warm-up\n\nhello");
    let t = Instant::now();
    let mut out = String::new();
    for round in 0..repeat {
        for (name, raw) in &msgs {
            let v = clf.classify(raw);
            if round == 0 {
                out.push_str(&format!(
                    "{name} {} {} {}\n",
                    v.label,
                    v.score,
                    v.evidence.len()
                ));
            }
        }
    }
    let secs = t.elapsed().as_secs_f64();
    print!("{out}");
    eprintln!(
        "{} messages, {:.1} MB, x{repeat}: {:.3} s, {:.1} MB/s, {:.0} msgs/s",
        msgs.len(),
        bytes as f64 / 1e6,
        secs,
        (bytes * repeat) as f64 / 1e6 / secs,
        (msgs.len() * repeat) as f64 / secs
    );
}
