//! The batch scanner's scaling without file I/O or output: an mbox read
//! into memory once, scanned from memory (`Input::reader`) with 1 and then
//! 2 classifier threads, in pairs. What the CLI adds on top (the kernel's
//! read copy, JSON output) is serial and measured by timing `sextortion
//! scan` itself.
//!
//! ```text
//! cargo run --release --example scan_threads -- archive.mbox [pairs]
//! ```

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: scan_threads MBOX [PAIRS]");
    let pairs: usize = args.next().map_or(3, |n| n.parse().expect("PAIRS"));
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let clf = sextortion::default_classifier();
    let run = |threads: usize| {
        let scanner = sextortion::Scanner::new(clf).threads(threads);
        let input = sextortion::Input::reader(&path, std::io::Cursor::new(data.clone()));
        let t = Instant::now();
        let mut scan = scanner.scan([input]).expect("thread pool");
        let mut sextortion = 0;
        for item in &mut scan {
            if item.result.as_ref().is_ok_and(|v| v.is_sextortion()) {
                sextortion += 1;
            }
        }
        let secs = t.elapsed().as_secs_f64();
        (secs, scan.stats().messages, sextortion)
    };
    for _ in 0..pairs {
        let (one, n, s1) = run(1);
        let (two, _, s2) = run(2);
        assert_eq!(s1, s2, "same verdicts at both thread counts");
        println!(
            "{n} messages, {:.0} MB: -j 1 {one:.3} s ({:.0} MB/s), -j 2 {two:.3} s ({:.0} MB/s): {:.2}x",
            data.len() as f64 / 1e6,
            data.len() as f64 / 1e6 / one,
            data.len() as f64 / 1e6 / two,
            one / two
        );
    }
}
