//! The parse-only floor of `benches/classify.rs` as a program, for
//! profiling it beside `classify_corpus`: mailparse's `parse_mail` and
//! `get_body_raw` of every `text/*` part of every file of a directory.
//!
//! ```text
//! cargo run --release --example parse_only -- ../shared/corpus/dev/messages --repeat 3
//! ```

mod common;

use std::time::Instant;

fn walk(p: &mailparse::ParsedMail<'_>, n: &mut usize) {
    if p.subparts.is_empty() {
        if p.ctype.mimetype.starts_with("text/") {
            if let Ok(b) = p.get_body_raw() {
                *n += b.len();
            }
        }
    } else {
        for s in &p.subparts {
            walk(s, n);
        }
    }
}

fn main() {
    let (msgs, repeat) = common::corpus_from_args();
    let bytes: usize = msgs.iter().map(|(_, m)| m.len()).sum();
    let t = Instant::now();
    let mut decoded = 0;
    for _ in 0..repeat {
        for (_, raw) in &msgs {
            if let Ok(m) = mailparse::parse_mail(std::hint::black_box(raw)) {
                walk(&m, &mut decoded);
            }
        }
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
