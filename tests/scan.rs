//! The batch scanner through the public API: every input kind, errors as
//! items, order, limits.

mod common;

use std::path::Path;

use common::{clean, gzip, mbox, mixed, scam, TempDir, WALLETS};
use sextortion::{Input, Label, ScanError, ScanItem, ScanStats, Scanner};

fn scanner() -> Scanner {
    Scanner::new(sextortion::default_classifier()).threads(2)
}

fn scan_all(s: &Scanner, inputs: Vec<Input>) -> (Vec<ScanItem>, ScanStats) {
    let mut scan = s.scan(inputs).unwrap();
    let items: Vec<ScanItem> = (&mut scan).collect();
    let stats = scan.stats().clone();
    assert_eq!(stats.messages, items.len() as u64);
    assert_eq!(
        stats.messages,
        stats.verdicts + stats.errors,
        "messages = verdicts + errors"
    );
    (items, stats)
}

fn labels(items: &[ScanItem]) -> Vec<Option<Label>> {
    items
        .iter()
        .map(|i| i.result.as_ref().ok().map(|v| v.label))
        .collect()
}

fn names(items: &[ScanItem], root: &Path) -> Vec<String> {
    items
        .iter()
        .map(|i| {
            i.source
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

#[test]
fn eml_file() {
    let d = TempDir::new("eml");
    let p = d.write("a.eml", scam(1, WALLETS[0], 1200, 6));
    let (items, stats) = scan_all(&scanner(), vec![p.clone().into()]);
    assert_eq!(items.len(), 1);
    let i = &items[0];
    assert_eq!((&*i.source, i.index, i.offset), (p.as_path(), 0, None));
    let v = i.result.as_ref().unwrap();
    assert_eq!(v.label, Label::Sextortion);
    assert_eq!(v.wallets[0].address, WALLETS[0]);
    assert_eq!(i.bytes, std::fs::metadata(&p).unwrap().len());
    assert_eq!((stats.sextortion, stats.errors), (1, 0));
}

#[test]
fn directory_in_name_order_passing_over_what_is_not_mail() {
    let d = TempDir::new("dir");
    d.write("b.eml", clean(2));
    d.write("a.eml", scam(1, WALLETS[0], 1200, 6));
    d.write("sub/c.eml", clean(3));
    d.write("sub/12345", scam(4, WALLETS[1], 900, 7)); // MH-style: no extension, looks like mail
    d.write("labels.csv", "file,label\na.eml,sextortion\n");
    d.write(".hidden.eml", clean(5));
    let mut scan = scanner().scan([d.path()]).unwrap();
    let items: Vec<ScanItem> = (&mut scan).collect();
    assert_eq!(
        names(&items, d.path()),
        ["a.eml", "b.eml", "sub/12345", "sub/c.eml"]
    );
    assert_eq!(
        labels(&items),
        [
            Some(Label::Sextortion),
            Some(Label::Clean),
            Some(Label::Sextortion),
            Some(Label::Clean)
        ]
    );
    assert_eq!(scan.ignored_files(), 2);
}

#[test]
fn maildir_cur_and_new_but_not_tmp() {
    let d = TempDir::new("maildir");
    d.write(
        "Maildir/cur/1715000000.M1P1.host:2,S",
        scam(1, WALLETS[0], 1200, 6),
    );
    d.write("Maildir/new/1715000001.M2P1.host", clean(2));
    d.write("Maildir/tmp/1715000002.M3P1.host", "From: half-delivered\n");
    d.write("Maildir/dovecot-uidlist", "3 V1715000000 N3\n");
    d.write(
        "Maildir/.Spam/cur/1715000003.M4P1.host:2,",
        scam(3, WALLETS[1], 500, 8),
    );
    d.write("Maildir/.Spam/new/.keep", "");
    d.write("Maildir/.Spam/tmp/x", "");
    let (items, _) = scan_all(&scanner(), vec![d.path().join("Maildir").into()]);
    let root = d.path().join("Maildir");
    assert_eq!(
        names(&items, &root),
        [
            ".Spam/cur/1715000003.M4P1.host:2,",
            "cur/1715000000.M1P1.host:2,S",
            "new/1715000001.M2P1.host"
        ]
    );
    assert_eq!(
        labels(&items),
        [
            Some(Label::Sextortion),
            Some(Label::Sextortion),
            Some(Label::Clean)
        ]
    );
}

#[test]
fn mbox_by_content_with_offsets() {
    let d = TempDir::new("mbox");
    let msgs = vec![
        scam(1, WALLETS[0], 1200, 6),
        clean(2),
        scam(3, WALLETS[2], 800, 8),
    ];
    let text = mbox(&msgs);
    // No mbox extension: recognised by its first line.
    let p = d.write("archive", &text);
    let (items, _) = scan_all(&scanner(), vec![p.into()]);
    assert_eq!(
        labels(&items),
        [
            Some(Label::Sextortion),
            Some(Label::Clean),
            Some(Label::Sextortion)
        ]
    );
    let starts: Vec<u64> = text
        .match_indices("From sender")
        .map(|(i, _)| i as u64)
        .collect();
    assert_eq!(
        items.iter().map(|i| i.offset.unwrap()).collect::<Vec<_>>(),
        starts
    );
    assert_eq!(
        items.iter().map(|i| i.bytes).sum::<u64>(),
        text.len() as u64
    );
    assert_eq!(items.iter().map(|i| i.index).collect::<Vec<_>>(), [0, 1, 2]);
    // The message handed to the classifier is the letter without the From_ line.
    let clf = sextortion::default_classifier();
    assert_eq!(
        items[2].result.as_ref().unwrap(),
        &clf.classify(msgs[2].as_bytes())
    );
}

#[test]
fn mbox_lines_that_are_not_separators() {
    // "From" without a space, and a "From " line with no empty line before
    // it, are body text (mboxo writers that forgot to quote).
    let first = format!(
        "{}Fromage is cheese.\nFrom now on, pay.\n",
        scam(1, WALLETS[0], 1200, 6)
    );
    let text = format!(
        "From a@b Mon May  6 10:00:00 2024\n{first}\nFrom c@d Mon May  6 10:00:00 2024\n{}",
        clean(2)
    );
    let d = TempDir::new("mboxo");
    let p = d.write("x.mbox", &text);
    let (items, _) = scan_all(&scanner(), vec![p.into()]);
    assert_eq!(
        labels(&items),
        [Some(Label::Sextortion), Some(Label::Clean)]
    );
    let clf = sextortion::default_classifier();
    assert_eq!(
        items[0].result.as_ref().unwrap(),
        &clf.classify(first.as_bytes())
    );
}

#[test]
fn mboxrd_from_lines_are_unquoted() {
    let letter = scam(1, WALLETS[0], 1200, 6).replacen(
        "Hello,\n",
        "Hello,\nFrom the start: I know you.\n>From a quote.\n",
        1,
    );
    let text = mbox(std::slice::from_ref(&letter));
    assert!(text.contains("\n>From the start") && text.contains("\n>>From a quote"));
    let d = TempDir::new("mboxrd");
    let p = d.write("rd.mbox", &text);
    let (items, _) = scan_all(&scanner(), vec![p.into()]);
    let clf = sextortion::default_classifier();
    let got = items[0].result.as_ref().unwrap();
    // Evidence spans after the quoted lines show which bytes were classified.
    assert_eq!(got, &clf.classify(letter.as_bytes()));
    let quoted = letter.replace("\nFrom the", "\n>From the");
    assert_ne!(got, &clf.classify(quoted.as_bytes()));
}

#[test]
fn gzip_mbox_and_gzip_eml() {
    let d = TempDir::new("gz");
    let msgs = vec![scam(1, WALLETS[0], 1200, 6), clean(2)];
    let text = mbox(&msgs);
    let a = d.write("a.mbox.gz", gzip(text.as_bytes()));
    let b = d.write("b.eml.gz", gzip(msgs[0].as_bytes()));
    let (items, _) = scan_all(&scanner(), vec![a.into(), b.into()]);
    assert_eq!(
        labels(&items),
        [
            Some(Label::Sextortion),
            Some(Label::Clean),
            Some(Label::Sextortion)
        ]
    );
    // Offsets are in the decompressed stream.
    assert_eq!(items[1].offset, text.find("From sender1").map(|o| o as u64));
    assert_eq!(
        (items[2].offset, items[2].bytes),
        (None, msgs[0].len() as u64)
    );
}

#[test]
fn truncated_gzip_yields_the_messages_before_the_cut_and_an_error() {
    let msgs: Vec<String> = (0..40)
        .map(|i| {
            if i % 2 == 0 {
                scam(i, WALLETS[0], 1000 + i as u32, 6)
            } else {
                clean(i)
            }
        })
        .collect();
    // Stored-ish content does not compress much when every letter differs a bit;
    // cut the stream well inside.
    let gz = gzip(mbox(&msgs).as_bytes());
    let cut = &gz[..gz.len() * 2 / 3];
    let d = TempDir::new("trunc");
    let p = d.write("cut.mbox.gz", cut);
    let (items, stats) = scan_all(&scanner(), vec![p.into()]);
    let last = items.last().unwrap();
    assert!(
        matches!(last.result, Err(ScanError::Gzip { .. })),
        "{:?}",
        last.result
    );
    assert!(items.len() > 1 && items.len() < 40, "{} items", items.len());
    assert_eq!(stats.errors, 1);
    for (n, i) in items[..items.len() - 1].iter().enumerate() {
        assert_eq!(i.index, n as u64);
        let want = if n % 2 == 0 {
            Label::Sextortion
        } else {
            Label::Clean
        };
        assert_eq!(i.result.as_ref().unwrap().label, want);
    }
    assert!(last
        .result
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("cut.mbox.gz"));
}

#[test]
fn too_large_messages_are_reported_as_skipped() {
    let d = TempDir::new("large");
    let big = format!("{}{}\n", clean(2), "x".repeat(5000));
    let msgs = vec![scam(1, WALLETS[0], 1200, 6), big.clone(), clean(3)];
    let m = d.write("m.mbox", mbox(&msgs));
    let e = d.write("big.eml", &big);
    let s = scanner().max_message_size(2000);
    let (items, stats) = scan_all(&s, vec![m.into(), e.into()]);
    assert_eq!(items.len(), 4);
    assert_eq!(
        labels(&items),
        [Some(Label::Sextortion), None, Some(Label::Clean), None]
    );
    match &items[1].result {
        Err(ScanError::TooLarge {
            index: 1,
            size,
            limit: 2000,
            ..
        }) => assert_eq!(*size, items[1].bytes),
        other => panic!("{other:?}"),
    }
    match &items[3].result {
        Err(ScanError::TooLarge { index: 0, size, .. }) => assert_eq!(*size, big.len() as u64),
        other => panic!("{other:?}"),
    }
    assert_eq!((stats.skipped, stats.errors, stats.verdicts), (2, 2, 2));
}

#[test]
fn decompression_limit() {
    let d = TempDir::new("bomb");
    let p = d.write("bomb.gz", gzip(&vec![b'A'; 1 << 20]));
    let (items, _) = scan_all(&scanner().max_decompressed(64 << 10), vec![p.into()]);
    assert_eq!(items.len(), 1);
    assert!(
        matches!(
            items[0].result,
            Err(ScanError::DecompressionLimit { limit: 65536, .. })
        ),
        "{:?}",
        items[0].result
    );
}

#[test]
fn unreadable_entries_are_error_items_and_the_scan_goes_on() {
    let d = TempDir::new("errors");
    d.write("a.eml", scam(1, WALLETS[0], 1200, 6));
    d.write("c.eml", clean(3));
    let missing = d.path().join("no-such-file.eml");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(d.path().join("gone.eml"), d.path().join("b.eml")).unwrap();
        std::os::unix::fs::symlink(d.path(), d.path().join("loop")).unwrap();
    }
    let (items, stats) = scan_all(&scanner(), vec![d.path().into(), missing.clone().into()]);
    let errors: Vec<String> = items
        .iter()
        .filter_map(|i| i.result.as_ref().err())
        .map(|e| e.to_string())
        .collect();
    assert_eq!(stats.verdicts, 2);
    assert!(matches!(
        items.last().unwrap().result,
        Err(ScanError::Io { .. })
    ));
    assert!(errors.last().unwrap().contains("no-such-file.eml"));
    #[cfg(unix)]
    {
        assert_eq!(
            names(&items[..4], d.path()),
            ["a.eml", "b.eml", "c.eml", "loop"]
        );
        assert!(errors[0].contains("dangling symbolic link"), "{errors:?}");
        assert!(errors[1].contains("loop"), "{errors:?}");
        assert_eq!(stats.errors, 3);
    }
}

#[test]
fn readers_and_order_under_parallelism() {
    // Many small batches on four threads: items still come back in input order.
    let msgs: Vec<String> = (0..600)
        .map(|i| {
            if i % 3 == 0 {
                scam(i, WALLETS[i % 3], 700, 6)
            } else {
                clean(i)
            }
        })
        .collect();
    let text = mbox(&msgs);
    let s = Scanner::new(sextortion::default_classifier())
        .threads(4)
        .batch(7, 4096);
    let (items, stats) = scan_all(
        &s,
        vec![
            Input::reader("stream", std::io::Cursor::new(text.into_bytes())),
            Input::reader("one", std::io::Cursor::new(clean(9).into_bytes())),
        ],
    );
    assert_eq!(items.len(), 601);
    for (n, i) in items[..600].iter().enumerate() {
        assert_eq!((i.index, &*i.source), (n as u64, Path::new("stream")));
        let want = if n % 3 == 0 {
            Label::Sextortion
        } else {
            Label::Clean
        };
        assert_eq!(i.result.as_ref().unwrap().label, want, "message {n}");
        assert_eq!(
            i.result.as_ref().unwrap().meta.message_id.as_deref(),
            Some(&*format!(
                "{}{n}@example.{}",
                if n % 3 == 0 { "scam" } else { "clean" },
                if n % 3 == 0 { "com" } else { "org" }
            ))
        );
    }
    assert_eq!(&*items[600].source, Path::new("one"));
    assert_eq!((stats.sextortion, stats.clean), (200, 401));
}

#[test]
fn dropping_a_scan_early_stops_it() {
    let msgs: Vec<String> = (0..2000).map(clean).collect();
    let s = scanner().batch(16, 1 << 20);
    let mut scan = s
        .scan([Input::reader(
            "x",
            std::io::Cursor::new(mbox(&msgs).into_bytes()),
        )])
        .unwrap();
    assert_eq!(scan.by_ref().take(3).count(), 3);
    drop(scan);
}

#[test]
fn empty_inputs() {
    let d = TempDir::new("empty");
    let e = d.write("empty.eml", "");
    let (items, _) = scan_all(
        &scanner(),
        vec![e.into(), Input::reader("nothing", std::io::empty())],
    );
    // An empty file is a (clean, noted) message; an empty stream too.
    assert_eq!(labels(&items), [Some(Label::Clean), Some(Label::Clean)]);
    let (items, _) = scan_all(&scanner(), Vec::<Input>::new());
    assert!(items.is_empty());
}

#[test]
fn mbox_messages_are_numbered_per_stream_in_any_batching() {
    // The reader does not count the messages of an mbox (the classifier
    // threads split it); items and their errors are numbered in order.
    let big = format!("{}{}\n", clean(2), "x".repeat(5000));
    let msgs = vec![clean(1), big, scam(3, WALLETS[0], 1200, 6), clean(4)];
    let text = mbox(&msgs);
    for batch in [1, 2, 256] {
        let inputs = vec![
            Input::reader("a", std::io::Cursor::new(text.clone())),
            Input::reader("b", std::io::Cursor::new(text.clone())),
            Input::reader("a", std::io::Cursor::new(text.clone())),
        ];
        let s = scanner().max_message_size(2000).batch(batch, 1);
        let (items, _) = scan_all(&s, inputs);
        let got: Vec<(String, u64)> = items
            .iter()
            .map(|i| (i.source.display().to_string(), i.index))
            .collect();
        let want: Vec<(String, u64)> = ["a", "b", "a"]
            .iter()
            .flat_map(|s| (0..4).map(move |i| (s.to_string(), i)))
            .collect();
        assert_eq!(got, want, "batch {batch}");
        for i in items.iter().filter(|i| i.index == 1) {
            assert!(matches!(
                i.result,
                Err(ScanError::TooLarge { index: 1, .. })
            ));
        }
        let offsets: Vec<u64> = items[..4].iter().map(|i| i.offset.unwrap()).collect();
        assert_eq!(offsets[0], 0);
        assert!(offsets.windows(2).all(|w| w[0] < w[1]));
    }
}

#[test]
fn a_message_larger_than_a_fill_and_the_limit_is_dropped_as_read_and_numbered() {
    let huge = format!("{}{}\n", clean(2), "y\n".repeat(3 << 20));
    let text = mbox(&[clean(1), huge.clone(), clean(3)]);
    let s = scanner().max_message_size(2000);
    let (items, _) = scan_all(&s, vec![Input::reader("m", std::io::Cursor::new(text))]);
    assert_eq!(items.iter().map(|i| i.index).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(
        labels(&items),
        [Some(Label::Clean), None, Some(Label::Clean)]
    );
    match &items[1].result {
        Err(ScanError::TooLarge { index: 1, size, .. }) => {
            assert_eq!(*size, items[1].bytes);
            assert!(*size > huge.len() as u64);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        items[2].offset,
        Some(items[1].offset.unwrap() + items[1].bytes)
    );
}

/// An item as far as any two scans of the same inputs must agree on it:
/// where it comes from, and the whole verdict (as JSON) or the error.
fn rendered(items: &[ScanItem]) -> Vec<(String, u64, Option<u64>, u64, String)> {
    items
        .iter()
        .map(|i| {
            let result = match &i.result {
                Ok(v) => serde_json::to_string(v).unwrap(),
                Err(e) => format!("error: {e}"),
            };
            (
                i.source.display().to_string(),
                i.index,
                i.offset,
                i.bytes,
                result,
            )
        })
        .collect()
}

/// Everything the reading side tells apart, in one tree.
fn every_kind_of_input(d: &TempDir) {
    d.write("a.eml", scam(1, WALLETS[0], 1200, 6));
    d.write("b.eml", clean(2));
    d.write("sub/c.eml", clean(3));
    d.write("sub/12345", scam(4, WALLETS[1], 900, 7)); // no extension, looks like mail
                                                       // mboxrd quoting (the helper quotes body lines starting `From `), a
                                                       // `From ` line right after a body line (no empty line: no separator),
                                                       // and a message over the size limit between two that are not.
    let quoted = format!("{}From the desk of the hacker\n>From here\n", clean(5));
    let mut text = mbox(&[
        quoted,
        scam(6, WALLETS[2], 800, 8),
        format!("{}{}\n", clean(7), "z".repeat(5000)),
        clean(8),
    ]);
    text.push_str("From raw@example.com Mon May  6 10:00:00 2024\nSubject: raw\n\nline\nFrom inside the body, not a separator\n\n");
    d.write("mail.mbox", &text);
    let many = mixed(30, 3);
    d.write("arch.mbox.gz", gzip(mbox(&many).as_bytes()));
    let gz = gzip(mbox(&many).as_bytes());
    d.write("cut.mbox.gz", &gz[..gz.len() * 2 / 3]);
    d.write("one.eml.gz", gzip(scam(9, WALLETS[0], 1500, 9).as_bytes()));
    // An mbox whose one message, over the size limit, is dropped as it is
    // read, until the decompression limit stops it.
    let bomb = format!(
        "From x@y Mon May  6 10:00:00 2024\n\n{}",
        "A\n".repeat(1 << 19)
    );
    d.write("bomb.gz", gzip(bomb.as_bytes()));
    d.write("big.eml", format!("{}{}\n", clean(10), "x".repeat(5000)));
    d.write("labels.csv", "file,label\na.eml,sextortion\n");
    d.write(".hidden.eml", clean(11));
    d.write("md/cur/1700000000.1.host:2,S", clean(12));
    d.write("md/new/1700000001.2.host", scam(13, WALLETS[1], 950, 6));
    d.write("md/tmp/1700000002.3.host", clean(14));
    #[cfg(unix)]
    {
        use std::os::unix::fs::{symlink, PermissionsExt};
        symlink(d.path(), d.path().join("loop")).unwrap();
        symlink(d.path().join("gone.eml"), d.path().join("dangling.eml")).unwrap();
        // Unreadable unless running as root, which reads it: either way the
        // two modes must agree.
        let p = d.write("locked.eml", clean(15));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
}

#[test]
fn one_thread_scans_exactly_like_the_pool() {
    let d = TempDir::new("seq");
    every_kind_of_input(&d);
    let inputs = || {
        vec![
            Input::from(d.path()),
            Input::reader(
                "stream",
                std::io::Cursor::new(mbox(&[clean(20), scam(21, WALLETS[0], 600, 6)])),
            ),
            Input::from(d.path().join("no-such-file.eml")),
            Input::from(d.path().join("mail.mbox")),
        ]
    };
    let base = Scanner::new(sextortion::default_classifier())
        .max_message_size(3000)
        .max_decompressed(256 << 10);
    let run = |s: Scanner| {
        let mut scan = s.scan(inputs()).unwrap();
        let items: Vec<ScanItem> = (&mut scan).collect();
        (
            rendered(&items),
            scan.stats().clone(),
            scan.files(),
            scan.ignored_files(),
        )
    };
    let want = run(base.clone().threads(2));
    let (items, stats, files, ignored) = &want;
    // The tree does hold every case.
    let has = |s: &str| items.iter().any(|i| i.4.contains(s));
    assert!(stats.verdicts > 40, "{stats:?}");
    for what in [
        "over the limit",
        "gzip stream broken",
        "decompresses to more than",
        "no-such-file.eml",
    ] {
        assert!(has(what), "no {what:?} in {items:#?}");
    }
    #[cfg(unix)]
    {
        assert!(has("symbolic link loop"), "{items:#?}");
        assert!(has("dangling symbolic link"), "{items:#?}");
    }
    assert!(items.iter().any(|i| i.0.ends_with("1700000001.2.host")));
    assert!(!items
        .iter()
        .any(|i| i.0.ends_with("1700000002.3.host") || i.0.ends_with(".hidden.eml")));
    assert!(
        *ignored >= 2 && *files > 10,
        "{files} files, {ignored} ignored"
    );
    for (what, s) in [
        ("threads(1)", base.clone().threads(1)),
        (
            "threads(1), batches of 3",
            base.clone().threads(1).batch(3, 10_000),
        ),
        (
            "threads(2), batches of 3",
            base.clone().threads(2).batch(3, 10_000),
        ),
        (
            "threads(0), batches of 1",
            base.clone().threads(0).batch(1, 1),
        ),
        ("threads(3)", base.clone().threads(3)),
    ] {
        let got = run(s);
        assert_eq!(got.0, want.0, "{what}: items");
        assert_eq!(got.1, want.1, "{what}: stats");
        assert_eq!((got.2, got.3), (want.2, want.3), "{what}: files, ignored");
    }
}

/// A reader that gives `first`, then panics.
struct PanicsAfter(std::io::Cursor<String>);

impl std::io::Read for PanicsAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.read(buf)? {
            0 => panic!("the reader broke down"),
            n => Ok(n),
        }
    }
}

#[test]
fn a_panic_while_reading_ends_the_scan_with_an_error_item_in_either_mode() {
    for threads in [1, 2] {
        let inputs = vec![
            Input::reader("first", std::io::Cursor::new(clean(1))),
            Input::reader(
                "panics",
                PanicsAfter(std::io::Cursor::new(mbox(&[clean(2)]))),
            ),
            Input::reader("never", std::io::Cursor::new(clean(3))),
        ];
        let s = scanner().threads(threads).batch(1, 1);
        let (items, stats) = scan_all(&s, inputs);
        assert_eq!(&*items[0].source, Path::new("first"), "threads {threads}");
        assert!(items[0].result.is_ok());
        let last = items.last().unwrap();
        match &last.result {
            Err(ScanError::Internal(m)) => {
                assert!(m.contains("the reader broke down"), "{m}")
            }
            other => panic!("threads {threads}: {other:?}"),
        }
        assert!(!items.iter().any(|i| &*i.source == Path::new("never")));
        assert_eq!(stats.errors, 1);
    }
}
