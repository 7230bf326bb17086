//! The `sextortion` binary end to end: formats, exit codes, filters, eval.

#![cfg(feature = "cli")]

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use common::{clean, gzip, mbox, scam, TempDir, WALLETS};
use serde_json::Value;

struct Out {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Out {
    fn text(&self) -> String {
        String::from_utf8(self.stdout.clone()).unwrap()
    }

    fn records(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sextortion"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A directory with one scam and one ordinary letter.
fn two_letters() -> TempDir {
    let d = TempDir::new("cli");
    d.write("a.eml", scam(1, WALLETS[0], 1200, 6));
    d.write("b.eml", clean(2));
    d
}

#[test]
fn scan_jsonl_schema() {
    let d = two_letters();
    let out = run(&["scan", p(d.path())], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let recs = out.records();
    assert_eq!(recs.len(), 2);
    let keys = [
        "source",
        "index",
        "offset",
        "bytes",
        "label",
        "score",
        "family",
        "language",
        "wallets",
        "amounts",
        "deadline_hours",
        "message_id",
        "date",
        "date_utc",
        "from",
        "to",
        "subject",
        "error",
    ];
    for r in &recs {
        for k in keys {
            assert!(r.get(k).is_some(), "missing {k} in {r}");
        }
        assert!(r.get("verdict").is_none());
    }
    let a = &recs[0];
    assert!(a["source"].as_str().unwrap().ends_with("a.eml"));
    assert_eq!(a["label"], "sextortion");
    assert_eq!(
        a["wallets"][0],
        serde_json::json!({"chain": "btc", "address": WALLETS[0], "kind": "p2pkh"})
    );
    assert_eq!(
        a["amounts"][0],
        serde_json::json!({"value": 1200.0, "currency": "USD"})
    );
    assert_eq!(a["deadline_hours"], 48);
    assert_eq!(a["message_id"], "scam1@example.com");
    assert_eq!(a["error"], Value::Null);
    assert_eq!(recs[1]["label"], "clean");
    // --full adds the whole verdict.
    let full = run(&["scan", "--full", p(&d.path().join("a.eml"))], None).records();
    assert_eq!(full[0]["verdict"]["label"], "sextortion");
    assert!(full[0]["verdict"]["evidence"].as_array().unwrap().len() > 3);
}

#[test]
fn exit_codes() {
    let d = two_letters();
    let missing = d.path().join("missing.eml");
    assert_eq!(run(&["scan", p(&d.path().join("a.eml"))], None).code, 0);
    assert_eq!(run(&["scan", p(&d.path().join("b.eml"))], None).code, 1);
    let err = run(&["scan", p(&d.path().join("b.eml")), p(&missing)], None);
    assert_eq!(err.code, 2);
    // An error wins over a match…
    assert_eq!(
        run(&["scan", p(&d.path().join("a.eml")), p(&missing)], None).code,
        2
    );
    // …except with --quiet, which prints nothing and stops at the first match.
    let q = run(
        &["scan", "-q", p(&d.path().join("a.eml")), p(&missing)],
        None,
    );
    assert_eq!((q.code, q.stdout.len()), (0, 0));
    assert_eq!(run(&["classify", p(&d.path().join("a.eml"))], None).code, 0);
    assert_eq!(run(&["classify", p(&d.path().join("b.eml"))], None).code, 1);
    assert_eq!(run(&["classify", p(&missing)], None).code, 2);
    assert_eq!(run(&["scan", "--no-such-flag", "x"], None).code, 2);
}

#[test]
fn stdin_mbox_and_gzip() {
    let text = mbox(&[
        scam(1, WALLETS[0], 1200, 6),
        clean(2),
        scam(3, WALLETS[1], 900, 7),
    ]);
    for input in [text.clone().into_bytes(), gzip(text.as_bytes())] {
        let out = run(&["scan", "-"], Some(&input));
        assert_eq!(out.code, 0, "{}", out.stderr);
        let recs = out.records();
        let labels: Vec<&str> = recs.iter().map(|r| r["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["sextortion", "clean", "sextortion"]);
        assert!(recs.iter().all(|r| r["source"] == "-"));
        let offsets: Vec<u64> = recs.iter().map(|r| r["offset"].as_u64().unwrap()).collect();
        let want: Vec<u64> = text
            .match_indices("From sender")
            .map(|(i, _)| i as u64)
            .collect();
        assert_eq!(offsets, want);
    }
    // One message on stdin.
    let out = run(&["scan", "-"], Some(scam(4, WALLETS[2], 500, 8).as_bytes()));
    assert_eq!(out.records()[0]["wallets"][0]["kind"], "p2wpkh");
}

#[test]
fn maildir_and_gz_files() {
    let d = TempDir::new("cli-maildir");
    d.write("Maildir/cur/1.host:2,S", scam(1, WALLETS[0], 1200, 6));
    d.write("Maildir/new/2.host", clean(2));
    d.write("Maildir/tmp/3.host", scam(3, WALLETS[1], 900, 7));
    d.write(
        "old.mbox.gz",
        gzip(mbox(&[scam(4, WALLETS[2], 800, 9)]).as_bytes()),
    );
    let out = run(&["scan", p(d.path())], None);
    let recs = out.records();
    assert_eq!(recs.len(), 3, "{}", out.text());
    assert_eq!(recs[2]["wallets"][0]["address"], WALLETS[2]);
    assert_eq!(recs[2]["offset"], 0);
}

#[test]
fn truncated_gzip_gives_messages_and_an_error_record() {
    let msgs: Vec<String> = (0..30)
        .map(|i| scam(i, WALLETS[i % 3], 1000 + i as u32, 6))
        .collect();
    let gz = gzip(mbox(&msgs).as_bytes());
    let d = TempDir::new("cli-trunc");
    let f = d.write("cut.mbox.gz", &gz[..gz.len() / 2]);
    let out = run(&["scan", p(&f)], None);
    assert_eq!(out.code, 2);
    let recs = out.records();
    let errors: Vec<&Value> = recs.iter().filter(|r| !r["error"].is_null()).collect();
    assert_eq!(errors.len(), 1);
    assert!(errors[0]["error"].as_str().unwrap().contains("gzip"));
    assert!(errors[0]["label"].is_null());
    assert!(recs.len() > 1 && recs.len() <= 30);
    assert_eq!(recs.last().unwrap()["error"], errors[0]["error"]);
}

#[test]
fn mbox_separators_need_an_empty_line_and_a_space() {
    let body = format!(
        "{}From now on, you pay.\nFromage.\n",
        scam(1, WALLETS[0], 1200, 6)
    );
    let text = format!(
        "From a@b Mon May  6 10:00:00 2024\n{body}\nFrom c@d Mon May  6 10:00:00 2024\n{}",
        clean(2)
    );
    let d = TempDir::new("cli-mbox");
    let f = d.write("box", &text);
    let recs = run(&["scan", p(&f)], None).records();
    assert_eq!(recs.len(), 2);
    assert_eq!(
        recs[1]["offset"].as_u64().unwrap() as usize,
        text.rfind("From c@d").unwrap()
    );
}

#[test]
fn unreadable_entries_are_records_and_the_scan_goes_on() {
    let d = two_letters();
    let bad = d.path().join("c.eml");
    // chmod 000 does not stop root; a dangling symbolic link stops everyone.
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.path().join("nowhere.eml"), &bad).unwrap();
    #[cfg(not(unix))]
    std::fs::create_dir(&bad).unwrap();
    d.write("d.eml", clean(4));
    let out = run(&["scan", p(d.path())], None);
    assert_eq!(out.code, 2);
    let recs = out.records();
    let errors = recs.iter().filter(|r| !r["error"].is_null()).count();
    let verdicts = recs.iter().filter(|r| !r["label"].is_null()).count();
    assert_eq!(
        (verdicts, errors, recs.len()),
        (3, 1, 4),
        "records = messages + errors"
    );
    assert!(recs[2]["source"].as_str().unwrap().ends_with("c.eml"));
}

#[test]
fn too_large_messages_are_skipped_records() {
    let d = TempDir::new("cli-large");
    let f = d.write("big.eml", format!("{}{}", clean(1), "word ".repeat(1000)));
    let out = run(&["scan", "--max-message-size", "1K", p(&f)], None);
    assert_eq!(out.code, 2);
    let r = &out.records()[0];
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .contains("over the limit of 1024"),
        "{r}"
    );
    assert!(r["bytes"].as_u64().unwrap() > 5000);
}

#[test]
fn wallets_only_dedups_in_first_seen_order() {
    let text = mbox(&[
        scam(1, WALLETS[1], 1200, 6),
        scam(2, WALLETS[0], 1200, 6),
        clean(3),
        scam(4, WALLETS[1], 900, 7),
    ]);
    let out = run(&["scan", "--wallets-only", "-"], Some(text.as_bytes()));
    assert_eq!(out.text(), format!("{}\n{}\n", WALLETS[1], WALLETS[0]));
}

#[test]
fn csv_and_only() {
    let d = two_letters();
    let out = run(&["scan", "-f", "csv", p(d.path())], None);
    let text = out.text();
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("source,index,offset,bytes,label,score,family,language,wallets,amounts"));
    let row = lines.next().unwrap();
    assert!(
        row.contains(&format!(",btc:{},1200 USD,48,", WALLETS[0])),
        "{row}"
    );
    assert_eq!(lines.count(), 1);
    let only = run(&["scan", "--only", "flagged", p(d.path())], None).records();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["label"], "sextortion");
    let clean_only = run(&["scan", "--only", "clean", p(d.path())], None);
    assert_eq!(clean_only.records().len(), 1);
    assert_eq!(
        clean_only.code, 0,
        "the exit status counts every message, not only those shown"
    );
}

fn archive() -> TempDir {
    let d = TempDir::new("cli-summary");
    let mut msgs = vec![
        scam(1, WALLETS[0], 1200, 6),
        scam(2, WALLETS[0], 1500, 7),
        scam(3, WALLETS[1], 900, 7),
        clean(4),
    ];
    // An attacker-written subject must come out escaped in the report.
    msgs.push(scam(5, WALLETS[2], 700, 8).replace(
        "Subject: Your device was hacked",
        "Subject: <script>alert(1)</script>",
    ));
    d.write("box.mbox", mbox(&msgs));
    d
}

#[test]
fn summary_json_structure() {
    let d = archive();
    let out = run(
        &["scan", "--summary", "--summary-format", "json", p(d.path())],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["totals"]["messages"], 5);
    assert_eq!(s["totals"]["sextortion"], 4);
    assert_eq!(s["totals"]["distinct_wallets"], 3);
    let w = &s["wallets"][0];
    assert_eq!(
        (
            w["address"].as_str().unwrap(),
            w["messages"].as_u64().unwrap()
        ),
        (WALLETS[0], 2)
    );
    assert_eq!(w["first_date"], "2024-05-06T10:00:00Z");
    assert_eq!(w["last_date"], "2024-05-07T10:00:00Z");
    assert_eq!(w["amounts"].as_array().unwrap().len(), 2);
    assert!(s["days"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["date"] == "2024-05-07" && d["messages"] == 3 && d["sextortion"] == 2));
    assert_eq!(s["languages"][0]["name"], "en");
    assert!(s["families"].is_array());
    let usd = &s["amounts"][0];
    assert_eq!(
        (
            usd["currency"].as_str().unwrap(),
            usd["messages"].as_u64().unwrap()
        ),
        ("USD", 4)
    );
    assert_eq!(
        (usd["min"].as_f64().unwrap(), usd["max"].as_f64().unwrap()),
        (700.0, 1500.0)
    );
    assert!(!usd["buckets"].as_array().unwrap().is_empty());

    // `summary` over the JSON Lines gives the same document.
    let jsonl = run(&["scan", p(d.path())], None).stdout;
    let again = run(&["summary", "--summary-format", "json", "-"], Some(&jsonl));
    let s2: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(s, s2);
}

#[test]
fn report_is_self_contained_and_escaped() {
    let d = archive();
    let html = d.path().join("report.html");
    let out = run(
        &["scan", "--report", p(&html), p(&d.path().join("box.mbox"))],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.records().len(), 5, "records still go to stdout");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && page.contains("id=\"wallets\""));
    assert!(page.contains(WALLETS[0]) && page.contains(WALLETS[2]));
    assert!(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"));
}

#[test]
fn classify_explains() {
    let d = two_letters();
    let out = run(&["classify", p(&d.path().join("a.eml"))], None);
    let text = out.text();
    for want in [
        "label:     sextortion",
        "evidence:",
        WALLETS[0],
        "1200 USD",
        "deadline:  48 hours",
        "breakdown:",
    ] {
        assert!(text.contains(want), "{want} not in\n{text}");
    }
    let json = run(
        &["classify", "--json", "-"],
        Some(scam(1, WALLETS[0], 1200, 6).as_bytes()),
    );
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["label"], "sextortion");
    // Escape sequences from a message never reach the terminal.
    let evil = "Subject: \x1b[2J\x1b]0;pwned\x07\n\nhello\n";
    let out = run(&["classify", "-"], Some(evil.as_bytes()));
    assert!(!out.text().contains('\x1b'));
}

#[test]
fn filter_prepends_headers_and_keeps_the_message() {
    let msg = scam(1, WALLETS[0], 1200, 6);
    let out = run(&["filter"], Some(msg.as_bytes()));
    assert_eq!(out.code, 0);
    let text = out.text();
    let (head, rest) = text.split_at(text.find("From: Hacker").unwrap());
    assert_eq!(rest, msg, "the message is unchanged");
    let lines: Vec<&str> = head.lines().collect();
    assert_eq!(lines[0], "X-Sextortion-Verdict: sextortion");
    assert!(lines[1].starts_with("X-Sextortion-Score: "));
    assert!(lines[2].starts_with("X-Sextortion-Family: "));
    assert_eq!(
        lines[3],
        format!("X-Sextortion-Wallets: btc:{}", WALLETS[0])
    );
    assert_eq!(lines.len(), 4);

    // CRLF and an mbox From_ line (procmail hands it over).
    let crlf = format!(
        "From x@y Mon May  6 10:00:00 2024\r\n{}",
        msg.replace('\n', "\r\n")
    );
    let out = run(&["filter", "--exit-code"], Some(crlf.as_bytes()));
    assert_eq!(out.code, 0, "sextortion");
    let text = out.text();
    assert!(text.starts_with("From x@y Mon May  6 10:00:00 2024\r\nX-Sextortion-Verdict: sextortion\r\nX-Sextortion-Score: "));
    assert!(text.ends_with(&crlf["From x@y Mon May  6 10:00:00 2024\r\n".len()..]));
    assert_eq!(
        run(&["filter", "--exit-code"], Some(clean(2).as_bytes())).code,
        1
    );
}

#[test]
fn filter_never_eats_mail() {
    // Binary garbage, no header section.
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let out = run(&["filter"], Some(&garbage));
    assert_eq!(out.code, 0);
    assert!(out.stdout.ends_with(&garbage));
    let head = &out.stdout[..out.stdout.len() - garbage.len()];
    let head = std::str::from_utf8(head).unwrap();
    assert_eq!(head.lines().count(), 4);
    assert!(head
        .lines()
        .all(|l| l.starts_with("X-Sextortion-") && !l.contains('\r')));

    // Over the size limit: passed through untouched, exit 3 with --exit-code.
    let big = format!("{}{}", scam(1, WALLETS[0], 1200, 6), "x".repeat(5000));
    let out = run(
        &["filter", "--exit-code", "--max-message-size", "1K"],
        Some(big.as_bytes()),
    );
    assert_eq!((out.code, out.stdout.as_slice()), (3, big.as_bytes()));

    // Empty input stays empty.
    let out = run(&["filter"], Some(b""));
    assert_eq!((out.code, out.stdout.len()), (0, 0));

    // Templates that fail to load: the message still goes through.
    let out = run(
        &[
            "--templates",
            "/nonexistent/templates",
            "filter",
            "--exit-code",
        ],
        Some(clean(1).as_bytes()),
    );
    assert_eq!((out.code, out.text()), (3, clean(1)));
}

#[test]
fn eval_with_gates() {
    let d = TempDir::new("cli-eval");
    d.write("msgs/s1.eml", scam(1, WALLETS[0], 1200, 6));
    d.write("msgs/s2.eml", scam(2, WALLETS[1], 900, 7));
    d.write("msgs/c1.eml", clean(3));
    d.write("msgs/c2.eml", clean(4));
    let labels = d.write(
        "labels.csv",
        format!(
            "file,label,wallets,amount,currency,lang,note\n\
             s1.eml,sextortion,btc:{},1200,USD,en,\"plain, short\"\n\
             s2.eml,sextortion,btc:{},900,USD,en,\n\
             c1.eml,other,,,,,\n\
             c2.eml,other,,,,,\n",
            WALLETS[0], WALLETS[1]
        ),
    );
    let dir = d.path().join("msgs");
    let out = run(
        &[
            "eval",
            p(&dir),
            "--labels",
            p(&labels),
            "--json",
            "--min-recall",
            "1",
            "--max-false-positives",
            "0",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}\n{}", out.text(), out.stderr);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r["precision"].as_f64(), r["recall"].as_f64()),
        (Some(1.0), Some(1.0))
    );
    assert_eq!(r["wallets"]["positives_exact"], 2);
    assert_eq!(r["amounts"]["correct"], 2);
    assert_eq!(r["passed"], true);

    // The samples layout, with a clean letter labelled sextortion: recall 2/3.
    let labels2 = d.write(
        "labels2.csv",
        "file,label,family,wallets,amount,currency,deadline_hours,lang,note\n\
         s1.eml,sextortion,,,1200,USD,48,en,\n\
         s2.eml,sextortion,,,,,,,\n\
         c1.eml,sextortion,,,,,,,\n\
         c2.eml,clean,,,,,,,\n",
    );
    let out = run(
        &[
            "eval",
            p(&dir),
            "--labels",
            p(&labels2),
            "--min-recall",
            "0.9",
        ],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.text());
    let text = out.text();
    assert!(
        text.contains("recall 0.667")
            && text.contains("false negatives:")
            && text.contains("c1.eml")
    );
    assert!(text.contains("deadline: 1/1"));
    assert!(text.contains("gate min_recall 0.9: FAILED"));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let msgs: Vec<String> = (0..3000)
        .map(|i| {
            if i % 2 == 0 {
                scam(i, WALLETS[0], 1000, 6)
            } else {
                clean(i)
            }
        })
        .collect();
    let d = TempDir::new("cli-pipe");
    let f = d.write("big.mbox", mbox(&msgs));
    let mut child = Command::new(env!("CARGO_BIN_EXE_sextortion"))
        .args(["scan", p(&f)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout); // like `| head -c 100`
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(stderr.is_empty(), "stderr: {stderr}");
}
