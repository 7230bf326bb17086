//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Detect sextortion scam email; extract wallets, amounts, deadline, family.
#[derive(Debug, Parser)]
#[command(name = "sextortion", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Use the templates in DIR (laid out like corpus/templates/) instead of the built-in ones.
    #[arg(long, global = true, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Add the templates in DIR to the built-in ones (repeatable).
    #[arg(long, global = true, value_name = "DIR")]
    pub extra_templates: Vec<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Classify every message of files, directories, Maildirs, mboxes, .gz or stdin (-).
    #[command(after_help = SCAN_AFTER)]
    Scan(ScanArgs),
    /// Summarise JSON Lines written by `scan` (per wallet, per day, per family…).
    Summary(SummaryArgs),
    /// Classify one message and explain the verdict.
    #[command(after_help = CLASSIFY_AFTER)]
    Classify(ClassifyArgs),
    /// Mail filter: copy one message from stdin to stdout with X-Sextortion-* headers added.
    #[command(after_help = FILTER_AFTER)]
    Filter(FilterArgs),
    /// Measure detection and extraction against a labelled directory.
    #[command(after_help = EVAL_AFTER)]
    Eval(EvalArgs),
}

const SCAN_AFTER: &str = "\
Output: one record per message (JSON Lines when stdout is not a terminal, a
table when it is); schema in docs/cli.md. Errors (unreadable files, broken
gzip, messages over the size limit) are records with \"error\" set, and the
scan goes on.

Exit status: 0 if at least one message is sextortion, 1 if none is,
2 if an error occurred (an error wins over a match, as in ripgrep;
with --quiet a match wins). A closed output pipe ends the scan quietly.";

const CLASSIFY_AFTER: &str = "\
Exit status: 0 sextortion, 1 suspicious or clean, 2 error.";

const FILTER_AFTER: &str = "\
Writes the message unchanged, with these header fields put first (after an
mbox \"From \" line, if the message starts with one):
  X-Sextortion-Verdict: sextortion | suspicious | clean
  X-Sextortion-Score:   the score, e.g. 11.50
  X-Sextortion-Family:  template family id, or none
  X-Sextortion-Wallets: chain:address list, or none
On any problem (message over --max-message-size, classifier failure) the
message is passed through untouched, without the headers.

Exit status (default): 0 = message written (with or without headers);
75 (EX_TEMPFAIL) = the input or output broke off: what was read was written,
but the delivery agent should keep its own copy or retry.
With --exit-code: 0 sextortion, 1 clean, 2 suspicious, 3 passed through
without a verdict, 75 as above. Use it for Sieve `execute` tests or procmail
conditions; keep the default for procmail/maildrop filtering (`:0 fw`,
`xfilter`), where a non-zero status means failure.";

const EVAL_AFTER: &str = "\
labels.csv needs the columns file and label; optional: wallets (chain:address
joined by ';'), amount, currency, family, deadline_hours, lang. Positives are
rows labelled sextortion; anything else is negative.

Exit status: 0 all gates passed, 1 a gate (--min-recall, --min-precision,
--max-false-positives) failed, 2 error (unreadable labels, missing files).";

/// Output format of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header line.
    Csv,
    /// An aligned table for people.
    Table,
}

/// Output format of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// One JSON document.
    Json,
    /// Tables for people.
    Table,
}

/// Which records to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Only {
    /// Messages labelled sextortion.
    Sextortion,
    /// Messages labelled suspicious.
    Suspicious,
    /// Sextortion or suspicious.
    Flagged,
    /// Messages labelled clean.
    Clean,
    /// Records of messages or files that could not be read.
    Errors,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files, directories, Maildirs, mboxes, .gz; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format [default: table on a terminal, jsonl otherwise].
    #[arg(short, long, value_enum)]
    pub format: Option<Format>,
    /// Add the whole verdict (evidence, breakdown, signals, notes) as "verdict".
    #[arg(long)]
    pub full: bool,
    /// Keep only these records (output, summary, report and wallet list).
    #[arg(long, value_enum)]
    pub only: Option<Only>,
    /// Print only the wallet addresses, one per line, deduplicated, in first-seen order.
    #[arg(long, conflicts_with_all = ["summary", "format", "full"])]
    pub wallets_only: bool,
    /// Print a summary (totals, wallets, days, families, languages, amounts) instead of records.
    #[arg(long)]
    pub summary: bool,
    /// Summary format [default: table on a terminal, json otherwise].
    #[arg(long, value_enum)]
    pub summary_format: Option<SummaryFormat>,
    /// Also write a self-contained HTML report (tables and charts) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Threads, each reading and classifying batches in turn; 0 = one per core; 1 = the whole scan on the main thread, no thread spawned.
    #[arg(short = 'j', long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// Skip (and report) messages larger than this (suffixes K, M, G).
    #[arg(long, default_value = "25M", value_parser = parse_size, value_name = "BYTES")]
    pub max_message_size: u64,
    /// Stop a .gz file that decompresses to more than this (suffixes K, M, G).
    #[arg(long, default_value = "4G", value_parser = parse_size, value_name = "BYTES")]
    pub max_decompressed: u64,
    /// No progress bar (it is shown only when stderr is a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
    /// Print the counts (messages, verdicts, errors, bytes, speed) to stderr at the end.
    #[arg(long)]
    pub stats: bool,
    /// Print nothing; stop at the first sextortion message (exit status only).
    #[arg(short, long, conflicts_with_all = ["summary", "wallets_only", "report"])]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// JSON Lines files written by `scan` (`-` = standard input).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Summary format [default: table on a terminal, json otherwise].
    #[arg(long, value_enum)]
    pub summary_format: Option<SummaryFormat>,
    /// Keep only these records.
    #[arg(long, value_enum)]
    pub only: Option<Only>,
    /// Also write a self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// The message (`-` = standard input).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print the verdict as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Exit 0 sextortion, 1 clean, 2 suspicious, 3 no verdict (see below).
    #[arg(long)]
    pub exit_code: bool,
    /// Pass larger messages through untouched, without classifying them.
    #[arg(long, default_value = "25M", value_parser = parse_size, value_name = "BYTES")]
    pub max_message_size: u64,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Directory holding the labelled messages.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The labels [default: DIR/labels.csv, else DIR/../labels.csv].
    #[arg(long, value_name = "CSV")]
    pub labels: Option<PathBuf>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
    /// Fail (exit 1) if recall is below X (0–1).
    #[arg(long, value_name = "X")]
    pub min_recall: Option<f64>,
    /// Fail (exit 1) if precision is below X (0–1).
    #[arg(long, value_name = "X")]
    pub min_precision: Option<f64>,
    /// Fail (exit 1) if there are more than N false positives.
    #[arg(long, value_name = "N")]
    pub max_false_positives: Option<u64>,
    /// Threads, each reading and classifying batches in turn; 0 = one per core; 1 = the whole scan on the main thread, no thread spawned.
    #[arg(short = 'j', long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
}

/// `25M`, `1G`, `512k`, `1000` (binary multiples).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mul) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m: u64 = match c.to_ascii_lowercase() {
                'k' => 1 << 10,
                'm' => 1 << 20,
                'g' => 1 << 30,
                't' => 1 << 40,
                'b' => 1,
                _ => return Err(format!("unknown size suffix in {s:?} (use K, M, G)")),
            };
            (&t[..i], m)
        }
        _ => (t, 1),
    };
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("not a size: {s:?}"))?;
    if !(n.is_finite() && n >= 0.0) {
        return Err(format!("not a size: {s:?}"));
    }
    Ok((n * mul as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("25M"), Ok(25 << 20));
        assert_eq!(parse_size("1.5k"), Ok(1536));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("x").is_err());
        assert!(parse_size("5q").is_err());
    }

    #[test]
    fn clap_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
