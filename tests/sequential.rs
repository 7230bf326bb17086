//! A one-thread scan runs on the thread that iterates it: no thread is
//! started. Alone in its test binary, so that no other test starts threads
//! while it counts them.

mod common;

use common::{clean, gzip, mbox, mixed, scam, TempDir, WALLETS};
use sextortion::{Input, Scanner};

/// The threads of this process, by name.
#[cfg(target_os = "linux")]
fn threads() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|n| n.trim().to_string())
        .collect();
    names.sort();
    names
}

#[cfg(target_os = "linux")]
#[test]
fn a_one_thread_scan_starts_no_thread() {
    let clf = sextortion::default_classifier();
    let d = TempDir::new("nothread");
    let msgs = mixed(50, 2);
    d.write("dir/a.eml", scam(1, WALLETS[1], 1000, 7));
    d.write("dir/m.mbox", mbox(&msgs));
    d.write("dir/m.mbox.gz", gzip(mbox(&msgs).as_bytes()));
    let inputs = || {
        vec![
            Input::from(d.path().join("dir")),
            Input::reader("r", std::io::Cursor::new(mbox(&msgs))),
        ]
    };
    // Classify once first: nothing lazy of the classifier's is counted.
    clf.classify(clean(0).as_bytes());
    let before = threads();

    let mut scan = Scanner::new(clf).threads(1).scan(inputs()).unwrap();
    assert_eq!(threads(), before, "after Scanner::scan");
    let mut n = 0;
    for item in scan.by_ref() {
        assert!(item.result.is_ok(), "{:?}", item.result);
        assert_eq!(threads(), before, "at item {n}");
        n += 1;
    }
    assert_eq!(n, 151);
    drop(scan);

    // The check sees the threads of a threaded scan.
    let mut scan = Scanner::new(clf).threads(2).scan(inputs()).unwrap();
    assert!(scan.next().is_some());
    let during = threads();
    assert!(
        during.iter().any(|t| t.starts_with("sextortion-")) && during.len() > before.len(),
        "{during:?}"
    );
}
