//! `eval`: detection and extraction measured against a labelled directory.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};
use serde::Serialize;
use sextortion::{Classifier, Label, Scanner, Verdict};

use super::args::EvalArgs;
use super::text::{num, terminal, truncate};
use super::{csv, EXIT_ERROR};

/// One labelled file.
#[derive(Debug)]
struct Row {
    file: String,
    label: String,
    positive: bool,
    wallets: Option<BTreeSet<String>>,
    amount: Option<(f64, String)>,
    family: Option<String>,
    deadline: Option<u32>,
    lang: Option<String>,
}

#[derive(Debug, Default, Serialize)]
struct Report {
    labels: String,
    dir: String,
    files: usize,
    positives: u64,
    negatives: u64,
    errors: Vec<Problem>,
    true_positives: u64,
    false_positives_count: u64,
    false_negatives_count: u64,
    true_negatives: u64,
    precision: Option<f64>,
    recall: Option<f64>,
    f1: Option<f64>,
    /// Verdicts per label.
    predicted: BTreeMap<String, u64>,
    suspicious_on_positives: u64,
    suspicious_on_negatives: u64,
    /// truth label → predicted label → files.
    confusion: BTreeMap<String, BTreeMap<String, u64>>,
    false_positives: Vec<Case>,
    false_negatives: Vec<Case>,
    wallets: Option<WalletAccuracy>,
    amounts: Accuracy,
    family: Accuracy,
    deadline: Accuracy,
    language: Accuracy,
    gates: Vec<Gate>,
    passed: bool,
}

#[derive(Debug, Serialize)]
struct Problem {
    file: String,
    error: String,
}

#[derive(Debug, Serialize)]
struct Case {
    file: String,
    truth: String,
    label: String,
    score: f64,
    family: Option<String>,
    subject: Option<String>,
}

#[derive(Debug, Default, Serialize)]
struct WalletAccuracy {
    /// Positives whose wallet set is exactly the labelled one.
    positives_exact: u64,
    positives: u64,
    mismatches: Vec<Mismatch>,
    /// Negatives for which any wallet was reported…
    negatives_with_wallets: u64,
    /// …of which exactly the labelled wallets (e.g. a crypto receipt).
    negatives_with_wallets_as_labelled: u64,
    negatives_unexpected: Vec<Mismatch>,
}

/// Exact matches over the rows that label the field.
#[derive(Debug, Default, Serialize)]
struct Accuracy {
    labelled: u64,
    correct: u64,
    mismatches: Vec<Mismatch>,
}

#[derive(Debug, Serialize)]
struct Mismatch {
    file: String,
    expected: String,
    got: String,
}

#[derive(Debug, Serialize)]
struct Gate {
    gate: String,
    limit: f64,
    value: Option<f64>,
    passed: bool,
}

impl Accuracy {
    fn check(&mut self, file: &str, expected: String, got: String, ok: bool) {
        self.labelled += 1;
        if ok {
            self.correct += 1;
        } else {
            self.mismatches.push(Mismatch {
                file: file.into(),
                expected,
                got,
            });
        }
    }
}

pub fn run(clf: &Classifier, a: EvalArgs) -> anyhow::Result<u8> {
    let labels_path = match &a.labels {
        Some(p) => p.clone(),
        None => [a.dir.join("labels.csv"), a.dir.join("../labels.csv")]
            .into_iter()
            .find(|p| p.is_file())
            .context("no labels.csv in DIR or its parent: pass --labels")?,
    };
    let text = std::fs::read_to_string(&labels_path)
        .with_context(|| format!("{}", labels_path.display()))?;
    let (rows, has_wallets) =
        parse_labels(&text).with_context(|| format!("{}", labels_path.display()))?;

    // Classify every labelled file in parallel; items come back in row order.
    let paths: Vec<PathBuf> = rows.iter().map(|r| a.dir.join(&r.file)).collect();
    let mut pending: HashMap<PathBuf, VecDeque<usize>> = HashMap::new();
    for (i, p) in paths.iter().enumerate() {
        pending.entry(p.clone()).or_default().push_back(i);
    }
    let mut results: Vec<Option<Result<Verdict, String>>> = (0..rows.len()).map(|_| None).collect();
    let scan = Scanner::new(clf)
        .threads(a.threads)
        .scan(paths.iter())
        .context("starting the scan")?;
    for item in scan {
        // A labelled file holding several messages (an mbox) is judged on its first.
        if item.index != 0 {
            continue;
        }
        let Some(i) = pending.get_mut(&*item.source).and_then(VecDeque::pop_front) else {
            continue;
        };
        results[i] = Some(item.result.map_err(|e| e.to_string()));
    }

    let mut r = Report {
        labels: labels_path.display().to_string(),
        dir: a.dir.display().to_string(),
        files: rows.len(),
        ..Report::default()
    };
    let mut wallets = has_wallets.then(WalletAccuracy::default);
    for (row, res) in rows.iter().zip(results) {
        let v = match res {
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                r.errors.push(Problem {
                    file: row.file.clone(),
                    error: e,
                });
                continue;
            }
            None => {
                r.errors.push(Problem {
                    file: row.file.clone(),
                    error: "no message read".into(),
                });
                continue;
            }
        };
        let predicted = v.label;
        *r.predicted.entry(predicted.as_str().into()).or_default() += 1;
        *r.confusion
            .entry(row.label.clone())
            .or_default()
            .entry(predicted.as_str().into())
            .or_default() += 1;
        let flagged = predicted == Label::Sextortion;
        let case = || Case {
            file: row.file.clone(),
            truth: row.label.clone(),
            label: predicted.as_str().into(),
            score: super::record::round3(v.score),
            family: v.family.as_ref().map(|f| f.id.clone()),
            subject: v.meta.subject.clone(),
        };
        if row.positive {
            r.positives += 1;
            if flagged {
                r.true_positives += 1;
            } else {
                r.false_negatives_count += 1;
                r.false_negatives.push(case());
            }
            if predicted == Label::Suspicious {
                r.suspicious_on_positives += 1;
            }
        } else {
            r.negatives += 1;
            if flagged {
                r.false_positives_count += 1;
                r.false_positives.push(case());
            } else {
                r.true_negatives += 1;
            }
            if predicted == Label::Suspicious {
                r.suspicious_on_negatives += 1;
            }
        }

        let got: BTreeSet<String> = v
            .wallets
            .iter()
            .map(|w| norm_wallet(&format!("{}:{}", w.chain.code(), w.address)))
            .collect();
        if let Some(w) = &mut wallets {
            let expected = row.wallets.clone().unwrap_or_default();
            let show = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(";");
            if row.positive {
                w.positives += 1;
                if got == expected {
                    w.positives_exact += 1;
                } else {
                    w.mismatches.push(Mismatch {
                        file: row.file.clone(),
                        expected: show(&expected),
                        got: show(&got),
                    });
                }
            } else if !got.is_empty() {
                w.negatives_with_wallets += 1;
                if got == expected {
                    w.negatives_with_wallets_as_labelled += 1;
                } else {
                    w.negatives_unexpected.push(Mismatch {
                        file: row.file.clone(),
                        expected: show(&expected),
                        got: show(&got),
                    });
                }
            }
        }
        if let Some((value, currency)) = &row.amount {
            let p = v.amounts.first();
            let ok = p.is_some_and(|p| {
                p.currency.eq_ignore_ascii_case(currency)
                    && (p.value - value).abs() <= value.abs() * 0.005
            });
            let got = p
                .map(|p| format!("{} {}", num(p.value), p.currency))
                .unwrap_or_else(|| "-".into());
            r.amounts
                .check(&row.file, format!("{} {currency}", num(*value)), got, ok);
        }
        if let Some(f) = &row.family {
            let got = v.family.as_ref().map(|f| f.id.clone());
            let ok = got.as_deref() == Some(f.as_str()) || (f == "none" && got.is_none());
            r.family.check(
                &row.file,
                f.clone(),
                got.unwrap_or_else(|| "none".into()),
                ok,
            );
        }
        if let Some(h) = row.deadline {
            let got = v.deadline_hours();
            r.deadline.check(
                &row.file,
                h.to_string(),
                got.map(|g| g.to_string()).unwrap_or_else(|| "-".into()),
                got == Some(h),
            );
        }
        if let (Some(l), true) = (&row.lang, row.positive) {
            let got = v.language.clone().unwrap_or_else(|| "-".into());
            let ok = got.eq_ignore_ascii_case(l);
            r.language.check(&row.file, l.clone(), got, ok);
        }
    }
    r.wallets = wallets;
    let (tp, fp, fnn) = (
        r.true_positives as f64,
        r.false_positives_count as f64,
        r.false_negatives_count as f64,
    );
    r.precision = (tp + fp > 0.0).then(|| tp / (tp + fp));
    r.recall = (tp + fnn > 0.0).then(|| tp / (tp + fnn));
    r.f1 = match (r.precision, r.recall) {
        (Some(p), Some(q)) if p + q > 0.0 => Some(2.0 * p * q / (p + q)),
        (Some(_), Some(_)) => Some(0.0),
        _ => None,
    };
    if let Some(x) = a.min_recall {
        r.gates.push(Gate {
            gate: "min_recall".into(),
            limit: x,
            value: r.recall,
            passed: r.recall.is_some_and(|v| v >= x),
        });
    }
    if let Some(x) = a.min_precision {
        r.gates.push(Gate {
            gate: "min_precision".into(),
            limit: x,
            value: r.precision,
            passed: r.precision.is_some_and(|v| v >= x),
        });
    }
    if let Some(n) = a.max_false_positives {
        let v = r.false_positives_count;
        r.gates.push(Gate {
            gate: "max_false_positives".into(),
            limit: n as f64,
            value: Some(v as f64),
            passed: v <= n,
        });
    }
    r.passed = r.gates.iter().all(|g| g.passed);

    let mut out = io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &r)?;
        writeln!(out)?;
    } else {
        print_report(&mut out, &r)?;
    }
    out.flush()?;
    Ok(if !r.errors.is_empty() {
        EXIT_ERROR
    } else if r.passed {
        0
    } else {
        1
    })
}

/// Rows by header name; tells whether a wallets column exists.
fn parse_labels(text: &str) -> anyhow::Result<(Vec<Row>, bool)> {
    let rows = csv::parse(text).map_err(anyhow::Error::msg)?;
    let Some(((_, header), body)) = rows.split_first() else {
        bail!("empty label file")
    };
    let col = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let file = col(&["file"]).context("no `file` column")?;
    let label = col(&["label"]).context("no `label` column")?;
    let (wallets, amount, currency) = (
        col(&["wallets", "wallet"]),
        col(&["amount"]),
        col(&["currency"]),
    );
    let (family, deadline, lang) = (
        col(&["family"]),
        col(&["deadline_hours", "deadline"]),
        col(&["lang", "language"]),
    );
    let mut out = Vec::new();
    for (line, fields) in body {
        let get = |c: Option<usize>| {
            c.and_then(|c| fields.get(c))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let Some(f) = get(Some(file)) else {
            bail!("line {line}: no file name")
        };
        let l = get(Some(label)).unwrap_or("").to_string();
        let amount = match get(amount) {
            Some(s) => {
                let v: f64 = s
                    .replace([',', '_', ' '], "")
                    .parse()
                    .map_err(|_| anyhow::anyhow!("line {line}: amount {s:?} is not a number"))?;
                Some((v, get(currency).unwrap_or("").to_uppercase()))
            }
            None => None,
        };
        let deadline = match get(deadline) {
            Some(s) => Some(s.parse().map_err(|_| {
                anyhow::anyhow!("line {line}: deadline_hours {s:?} is not a whole number")
            })?),
            None => None,
        };
        out.push(Row {
            file: f.to_string(),
            positive: l.eq_ignore_ascii_case("sextortion"),
            label: l.to_lowercase(),
            wallets: wallets.map(|_| {
                get(wallets)
                    .map(|s| {
                        s.split(';')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(norm_wallet)
                            .collect()
                    })
                    .unwrap_or_default()
            }),
            amount,
            family: get(family).map(str::to_string),
            deadline,
            lang: get(lang).map(str::to_string),
        });
    }
    Ok((out, wallets.is_some()))
}

/// `chain:address` compared the way the chains compare: hex and bech32 /
/// cashaddr addresses are case-insensitive, base58 ones are not.
fn norm_wallet(s: &str) -> String {
    let (chain, addr) = s.split_once(':').unwrap_or(("", s));
    let chain = chain.trim().to_ascii_lowercase();
    let addr = addr.trim();
    let lower = addr.to_ascii_lowercase();
    let insensitive = lower.starts_with("0x")
        || ["bc1", "tb1", "ltc1", "bcrt1"]
            .iter()
            .any(|p| lower.starts_with(p))
        || lower.starts_with("bitcoincash:")
        || (chain == "bch" && (lower.starts_with('q') || lower.starts_with('p')));
    let addr = if insensitive {
        lower.trim_start_matches("bitcoincash:").to_string()
    } else {
        addr.to_string()
    };
    format!("{chain}:{addr}")
}

fn ratio(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.3}")).unwrap_or_else(|| "n/a".into())
}

fn print_report(w: &mut impl Write, r: &Report) -> io::Result<()> {
    writeln!(
        w,
        "labels {} — {} files: {} positive (sextortion), {} negative, {} errors",
        terminal(&r.labels),
        r.files,
        r.positives,
        r.negatives,
        r.errors.len()
    )?;
    let pred: Vec<String> = r
        .predicted
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    writeln!(w, "predicted: {}", pred.join(", "))?;
    writeln!(
        w,
        "precision {}  recall {}  F1 {}   (TP {}, FP {}, FN {}, TN {})",
        ratio(r.precision),
        ratio(r.recall),
        ratio(r.f1),
        r.true_positives,
        r.false_positives_count,
        r.false_negatives_count,
        r.true_negatives
    )?;
    writeln!(
        w,
        "suspicious: {} on positives, {} on negatives",
        r.suspicious_on_positives, r.suspicious_on_negatives
    )?;
    writeln!(w, "confusion (truth → predicted):")?;
    for (truth, row) in &r.confusion {
        let cells: Vec<String> = row.iter().map(|(k, v)| format!("{k} {v}")).collect();
        writeln!(w, "  {:<12} {}", terminal(truth), cells.join(", "))?;
    }
    if let Some(x) = &r.wallets {
        writeln!(
            w,
            "wallets: exact set on {}/{} positives; negatives with a wallet reported: {} ({} as labelled)",
            x.positives_exact, x.positives, x.negatives_with_wallets, x.negatives_with_wallets_as_labelled
        )?;
    }
    for (name, acc) in [
        ("amounts", &r.amounts),
        ("family", &r.family),
        ("deadline", &r.deadline),
        ("language", &r.language),
    ] {
        if acc.labelled > 0 {
            writeln!(
                w,
                "{name}: {}/{} correct where labelled",
                acc.correct, acc.labelled
            )?;
        }
    }
    let cases = |w: &mut dyn Write, title: &str, cs: &[Case]| -> io::Result<()> {
        if cs.is_empty() {
            return Ok(());
        }
        writeln!(w, "{title}:")?;
        for c in cs {
            writeln!(
                w,
                "  {:<24} {:<10} {:>6.2}  {:<20} {}",
                terminal(&c.file),
                c.label,
                c.score,
                terminal(c.family.as_deref().unwrap_or("-")),
                terminal(&truncate(c.subject.as_deref().unwrap_or(""), 50))
            )?;
        }
        Ok(())
    };
    cases(w, "false positives", &r.false_positives)?;
    cases(w, "false negatives", &r.false_negatives)?;
    let mismatches = |w: &mut dyn Write, title: &str, ms: &[Mismatch]| -> io::Result<()> {
        if ms.is_empty() {
            return Ok(());
        }
        writeln!(w, "{title}:")?;
        for m in ms {
            writeln!(
                w,
                "  {:<24} expected {}  got {}",
                terminal(&m.file),
                terminal(&m.expected),
                terminal(&m.got)
            )?;
        }
        Ok(())
    };
    if let Some(x) = &r.wallets {
        mismatches(w, "wallet mismatches (positives)", &x.mismatches)?;
        mismatches(w, "unexpected wallets (negatives)", &x.negatives_unexpected)?;
    }
    mismatches(w, "amount mismatches", &r.amounts.mismatches)?;
    mismatches(w, "family mismatches", &r.family.mismatches)?;
    mismatches(w, "deadline mismatches", &r.deadline.mismatches)?;
    mismatches(w, "language mismatches", &r.language.mismatches)?;
    for e in &r.errors {
        writeln!(w, "error: {}: {}", terminal(&e.file), terminal(&e.error))?;
    }
    for g in &r.gates {
        writeln!(
            w,
            "gate {} {}: {} ({})",
            g.gate,
            num(g.limit),
            if g.passed { "passed" } else { "FAILED" },
            ratio(g.value)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_label_layouts() {
        let dev = "file,label,wallets,amount,currency,lang,note\na.eml,sextortion,btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa,750,USD,pt,\"a, b\"\nb.eml,other,,,,,\n";
        let (rows, w) = parse_labels(dev).unwrap();
        assert!(w);
        assert_eq!(rows.len(), 2);
        assert!(rows[0].positive && !rows[1].positive);
        assert_eq!(rows[0].amount, Some((750.0, "USD".into())));
        assert_eq!(rows[1].wallets, Some(BTreeSet::new()));
        let samples = "file,label,family,wallets,amount,currency,deadline_hours,lang,note\nx.eml,suspicious,pegasus,,,,48,en,\n";
        let (rows, _) = parse_labels(samples).unwrap();
        assert_eq!(
            (rows[0].label.as_str(), rows[0].positive, rows[0].deadline),
            ("suspicious", false, Some(48))
        );
        assert_eq!(rows[0].family.as_deref(), Some("pegasus"));
        assert!(parse_labels("file,label,amount\na,b,x\n").is_err());
    }

    #[test]
    fn wallet_normalisation() {
        assert_eq!(norm_wallet("eth:0xAbC"), "eth:0xabc");
        assert_eq!(norm_wallet("BTC:BC1QAR0"), "btc:bc1qar0");
        assert_eq!(norm_wallet("btc:1A1zP"), "btc:1A1zP");
        assert_eq!(norm_wallet("bch:bitcoincash:QPM2Q"), "bch:qpm2q");
    }
}
