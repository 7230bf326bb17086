//! `scan` and `summary`.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sextortion::{Classifier, Input, Scanner};

use super::args::{Format, ScanArgs, SummaryArgs, SummaryFormat};
use super::record::{Record, Writer};
use super::summary::{Aggregator, Summary};
use super::{report, text, EXIT_ERROR, EXIT_MATCH, EXIT_NO_MATCH};

pub fn run(clf: &Classifier, a: ScanArgs) -> anyhow::Result<u8> {
    let stdout = io::stdout();
    let tty = stdout.is_terminal();
    let format = a
        .format
        .unwrap_or(if tty { Format::Table } else { Format::Jsonl });
    let inputs: Vec<Input> = a
        .paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                Input::Stdin
            } else {
                Input::Path(p.clone())
            }
        })
        .collect();
    let scanner = Scanner::new(clf)
        .threads(a.threads)
        .max_message_size(a.max_message_size)
        .max_decompressed(a.max_decompressed);
    let bar =
        (!a.no_progress && !a.quiet && io::stderr().is_terminal()).then(|| progress_bar(&a.paths));
    let started = Instant::now();
    let mut scan = scanner.scan(inputs).context("starting the scan")?;

    let mut out = Writer::new(
        BufWriter::with_capacity(64 << 10, stdout.lock()),
        format,
        a.full,
    );
    let mut agg = (a.summary || a.report.is_some()).then(Aggregator::default);
    let print_records = !(a.summary || a.wallets_only || a.quiet);
    let mut wallets: HashSet<String> = HashSet::new();
    let (mut found, mut errored) = (false, false);
    let mut n: u64 = 0;

    while let Some(item) = scan.next() {
        n += 1;
        match &item.result {
            Ok(v) if v.is_sextortion() => {
                found = true;
                if a.quiet {
                    return Ok(EXIT_MATCH);
                }
            }
            Ok(_) => {}
            Err(_) => errored = true,
        }
        if let Some(b) = &bar {
            b.set_position(scan.bytes_read());
            if n % 64 == 0 {
                b.set_message(format!("{n} messages"));
            }
        }
        if a.quiet {
            continue;
        }
        let rec = Record::new(&item);
        let kept = rec.keep(a.only);
        if let Some(e) = &rec.error {
            // Errors not written as records still reach the user.
            if !(print_records && kept) {
                let line = format!("sextortion: {}", text::terminal(e));
                match &bar {
                    Some(b) => b.suspend(|| eprintln!("{line}")),
                    None => eprintln!("{line}"),
                }
            }
        }
        if !kept {
            continue;
        }
        if let Some(agg) = &mut agg {
            agg.add(&rec);
        }
        if print_records {
            out.write(&rec, item.result.as_ref().ok())?;
            if tty {
                out.flush()?;
            }
        }
        if a.wallets_only {
            for w in &rec.wallets {
                if wallets.insert(w.address.clone()) {
                    writeln!(out.get_mut(), "{}", w.address)?;
                }
            }
        }
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if format == Format::Table && print_records {
        let s = scan.stats();
        writeln!(
            out.get_mut(),
            "-- {} messages: {} sextortion, {} suspicious, {} clean, {} errors",
            s.messages,
            s.sextortion,
            s.suspicious,
            s.clean,
            s.errors
        )?;
    }
    if let Some(agg) = agg {
        let summary = agg.finish();
        if a.summary {
            write_summary(&summary, a.summary_format, out.get_mut(), tty)?;
        }
        if let Some(path) = &a.report {
            let names: Vec<String> = a.paths.iter().map(|p| p.display().to_string()).collect();
            write_report(path, &summary, &names)?;
        }
    }
    out.flush()?;
    if a.stats {
        let s = scan.stats();
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        eprintln!(
            "{} messages ({} verdicts, {} errors of which {} skipped): {} sextortion, {} suspicious, {} clean; {:.1} MB in {:.2} s = {:.1} MB/s, {:.0} messages/s; {} files, {} ignored",
            s.messages,
            s.verdicts,
            s.errors,
            s.skipped,
            s.sextortion,
            s.suspicious,
            s.clean,
            s.bytes as f64 / 1e6,
            secs,
            s.bytes as f64 / 1e6 / secs,
            s.messages as f64 / secs,
            scan.files(),
            scan.ignored_files()
        );
    }
    Ok(if errored {
        EXIT_ERROR
    } else if found {
        EXIT_MATCH
    } else {
        EXIT_NO_MATCH
    })
}

/// `summary FILE.jsonl…`: the summary of records written earlier.
pub fn summary(a: SummaryArgs) -> anyhow::Result<u8> {
    let mut agg = Aggregator::default();
    for f in &a.files {
        let reader: Box<dyn BufRead> = if f.as_os_str() == "-" {
            Box::new(BufReader::new(io::stdin()))
        } else {
            let file = File::open(f).with_context(|| format!("{}", f.display()))?;
            Box::new(BufReader::with_capacity(256 << 10, file))
        };
        for (i, line) in reader.lines().enumerate() {
            let line = line.with_context(|| format!("{}: line {}", f.display(), i + 1))?;
            if line.trim().is_empty() {
                continue;
            }
            let rec: Record = serde_json::from_str(&line)
                .with_context(|| format!("{}: line {}: not a scan record", f.display(), i + 1))?;
            if rec.keep(a.only) {
                agg.add(&rec);
            }
        }
    }
    let summary = agg.finish();
    let stdout = io::stdout();
    let tty = stdout.is_terminal();
    let mut out = BufWriter::new(stdout.lock());
    write_summary(&summary, a.summary_format, &mut out, tty)?;
    if let Some(path) = &a.report {
        let names: Vec<String> = a.files.iter().map(|p| p.display().to_string()).collect();
        write_report(path, &summary, &names)?;
    }
    out.flush()?;
    Ok(0)
}

fn write_summary(
    s: &Summary,
    f: Option<SummaryFormat>,
    out: &mut impl Write,
    tty: bool,
) -> io::Result<()> {
    match f.unwrap_or(if tty {
        SummaryFormat::Table
    } else {
        SummaryFormat::Json
    }) {
        SummaryFormat::Json => s.write_json(out),
        SummaryFormat::Table => s.write_table(out),
    }
}

fn write_report(path: &Path, s: &Summary, inputs: &[String]) -> anyhow::Result<()> {
    std::fs::write(path, report::render(s, inputs))
        .with_context(|| format!("writing the report {}", path.display()))
}

/// A bar on stderr: bytes read against the total size of the inputs, which
/// a background thread adds up while the scan starts.
fn progress_bar(paths: &[PathBuf]) -> ProgressBar {
    let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} {elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    b.set_style(style);
    b.enable_steady_tick(Duration::from_millis(200));
    let paths = paths.to_vec();
    let b2 = b.clone();
    let _ = std::thread::Builder::new()
        .name("sextortion-size".into())
        .spawn(move || {
            let total: u64 = paths
                .iter()
                .filter(|p| p.as_os_str() != "-")
                .map(|p| total_size(p))
                .sum();
            if total > 0 {
                b2.set_length(total);
            }
        });
    b
}

fn total_size(p: &Path) -> u64 {
    walkdir::WalkDir::new(p)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}
