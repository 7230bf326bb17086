//! The parse-only floor of `benches/classify.rs` as a program, for
//! profiling it beside `classify_corpus`: mailparse's `parse_mail` and
//! `get_body_raw` of every `text/*` part of every file of a directory.
//!
//! ```text
//! cargo run --release --example parse_only -- ../shared/corpus/dev/messages --repeat 3
//! ```

mod common;

use std::time::Instant;

fn main() {
    let (msgs, repeat) = common::corpus_from_args();
    let bytes: usize = msgs.iter().map(|(_, m)| m.len()).sum();
    let t = Instant::now();
    let mut decoded = 0;
    for _ in 0..repeat {
        decoded += common::parse_only_pass(msgs.iter().map(|(_, m)| m.as_slice()));
    }
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "{} messages, {:.1} MB, x{repeat}: {secs:.3} s, {:.1} MB/s, {:.0} msgs/s ({decoded} text bytes)",
        msgs.len(),
        bytes as f64 / 1e6,
        (bytes * repeat) as f64 / 1e6 / secs,
        (msgs.len() * repeat) as f64 / secs
    );
}
