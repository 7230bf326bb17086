//! Aggregates records into what an investigation starts from: totals, one
//! row per wallet, messages per day, families, languages, the amounts
//! demanded.
//!
//! Totals and days count every record kept; wallets, families, languages
//! and amounts count only flagged ones (sextortion or suspicious), so that a
//! crypto receipt or an invoice does not end up in a table of extortion
//! wallets and demands.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use serde::Serialize;
use sextortion::Label;

use super::record::Record;
use super::text;

#[derive(Debug, Default)]
pub struct Aggregator {
    s: Summary,
    wallets: HashMap<(String, String), usize>,
    days: BTreeMap<String, DayRow>,
    families: BTreeMap<String, CountRow>,
    languages: BTreeMap<String, CountRow>,
    amounts: BTreeMap<String, Vec<f64>>,
}

/// The summary, serialised as the `--summary-format json` document.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub totals: Totals,
    /// One row per wallet found in flagged messages, most messages first.
    pub wallets: Vec<WalletRow>,
    /// Messages per day (UTC), oldest first; messages without a parsable date are in `totals.undated`.
    pub days: Vec<DayRow>,
    /// Flagged messages per template family, most first.
    pub families: Vec<CountRow>,
    /// Flagged messages per language, most first.
    pub languages: Vec<CountRow>,
    /// The principal amount demanded by flagged messages, per currency, most used first.
    pub amounts: Vec<CurrencyRow>,
}

#[derive(Debug, Default, Serialize)]
pub struct Totals {
    pub messages: u64,
    pub sextortion: u64,
    pub suspicious: u64,
    pub clean: u64,
    pub errors: u64,
    pub bytes: u64,
    pub undated: u64,
    /// Flagged messages with at least one wallet.
    pub with_wallet: u64,
    pub distinct_wallets: u64,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WalletRow {
    pub chain: String,
    pub address: String,
    pub messages: u64,
    pub sextortion: u64,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// Distinct amounts asked next to this wallet, most frequent first.
    pub amounts: Vec<AmountCount>,
    pub families: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AmountCount {
    pub value: f64,
    pub currency: String,
    pub messages: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DayRow {
    pub date: String,
    pub messages: u64,
    pub sextortion: u64,
    pub suspicious: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CountRow {
    pub name: String,
    pub messages: u64,
    pub sextortion: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CurrencyRow {
    pub currency: String,
    pub messages: u64,
    pub min: f64,
    pub median: f64,
    pub max: f64,
    pub total: f64,
    /// Histogram on a 1–1.5–2–3–5–7 × 10ⁿ scale: `[lo, hi)` and count.
    pub buckets: Vec<Bucket>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bucket {
    pub lo: f64,
    pub hi: f64,
    pub messages: u64,
}

impl Aggregator {
    pub fn add(&mut self, r: &Record) {
        let t = &mut self.s.totals;
        t.messages += 1;
        t.bytes += r.bytes;
        match r.label {
            Some(Label::Sextortion) => t.sextortion += 1,
            Some(Label::Suspicious) => t.suspicious += 1,
            Some(Label::Clean) => t.clean += 1,
            None => t.errors += 1,
        }
        if r.label.is_none() {
            return;
        }
        let sext = u64::from(r.label == Some(Label::Sextortion));
        let day = r.date_utc.as_deref().and_then(day_of);
        match &day {
            Some(d) => {
                let row = self.days.entry(d.clone()).or_insert_with(|| DayRow {
                    date: d.clone(),
                    ..DayRow::default()
                });
                row.messages += 1;
                row.sextortion += sext;
                row.suspicious += u64::from(r.label == Some(Label::Suspicious));
                min_max(&mut t.first_date, &mut t.last_date, r.date_utc.as_deref());
            }
            None => t.undated += 1,
        }
        if !matches!(r.label, Some(Label::Sextortion | Label::Suspicious)) {
            return;
        }
        if !r.wallets.is_empty() {
            t.with_wallet += 1;
        }
        for w in &r.wallets {
            let key = (w.chain.clone(), w.address.clone());
            let i = *self.wallets.entry(key).or_insert_with(|| {
                self.s.wallets.push(WalletRow {
                    chain: w.chain.clone(),
                    address: w.address.clone(),
                    messages: 0,
                    sextortion: 0,
                    first_date: None,
                    last_date: None,
                    amounts: Vec::new(),
                    families: Vec::new(),
                });
                self.s.wallets.len() - 1
            });
            let row = &mut self.s.wallets[i];
            row.messages += 1;
            row.sextortion += sext;
            min_max(
                &mut row.first_date,
                &mut row.last_date,
                r.date_utc.as_deref(),
            );
            if let Some(a) = r.amounts.first() {
                match row
                    .amounts
                    .iter_mut()
                    .find(|x| x.value == a.value && x.currency == a.currency)
                {
                    Some(x) => x.messages += 1,
                    None => row.amounts.push(AmountCount {
                        value: a.value,
                        currency: a.currency.clone(),
                        messages: 1,
                    }),
                }
            }
            if let Some(f) = &r.family {
                if !row.families.contains(f) {
                    row.families.push(f.clone());
                }
            }
        }
        for (map, key) in [
            (&mut self.families, &r.family),
            (&mut self.languages, &r.language),
        ] {
            let name = key.clone().unwrap_or_else(|| "(none)".into());
            let row = map.entry(name.clone()).or_insert_with(|| CountRow {
                name,
                ..CountRow::default()
            });
            row.messages += 1;
            row.sextortion += sext;
        }
        if let Some(a) = r.amounts.first() {
            if a.value.is_finite() {
                self.amounts
                    .entry(a.currency.clone())
                    .or_default()
                    .push(a.value);
            }
        }
    }

    pub fn finish(mut self) -> Summary {
        let mut s = self.s;
        s.totals.distinct_wallets = s.wallets.len() as u64;
        // Stable sorts: ties keep first-seen order.
        s.wallets.sort_by_key(|w| std::cmp::Reverse(w.messages));
        for w in &mut s.wallets {
            w.amounts.sort_by_key(|a| std::cmp::Reverse(a.messages));
        }
        s.days = self.days.into_values().collect();
        let by_count = |m: BTreeMap<String, CountRow>| {
            let mut v: Vec<CountRow> = m.into_values().collect();
            v.sort_by_key(|r| std::cmp::Reverse(r.messages));
            v
        };
        s.families = by_count(std::mem::take(&mut self.families));
        s.languages = by_count(std::mem::take(&mut self.languages));
        let mut amounts: Vec<CurrencyRow> = self
            .amounts
            .into_iter()
            .map(|(currency, mut v)| {
                v.sort_by(f64::total_cmp);
                let n = v.len();
                let median = if n % 2 == 1 {
                    v[n / 2]
                } else {
                    (v[n / 2 - 1] + v[n / 2]) / 2.0
                };
                CurrencyRow {
                    currency,
                    messages: n as u64,
                    min: v[0],
                    median,
                    max: v[n - 1],
                    total: v.iter().sum(),
                    buckets: buckets(&v),
                }
            })
            .collect();
        amounts.sort_by_key(|a| std::cmp::Reverse(a.messages));
        s.amounts = amounts;
        s
    }
}

fn min_max(first: &mut Option<String>, last: &mut Option<String>, date: Option<&str>) {
    let Some(d) = date else { return };
    if first.as_deref().is_none_or(|f| d < f) {
        *first = Some(d.to_string());
    }
    if last.as_deref().is_none_or(|l| d > l) {
        *last = Some(d.to_string());
    }
}

/// `YYYY-MM-DD` of an RFC 3339 date.
pub fn day_of(rfc3339: &str) -> Option<String> {
    let d = rfc3339.get(..10)?;
    let b = d.as_bytes();
    let ok = b.iter().enumerate().all(|(i, c)| {
        if i == 4 || i == 7 {
            *c == b'-'
        } else {
            c.is_ascii_digit()
        }
    });
    ok.then(|| d.to_string())
}

/// Histogram edges 1, 1.5, 2, 3, 5, 7 × 10ⁿ covering the sorted values.
fn buckets(sorted: &[f64]) -> Vec<Bucket> {
    const STEPS: [f64; 6] = [1.0, 1.5, 2.0, 3.0, 5.0, 7.0];
    let edge = |k: i32| STEPS[k.rem_euclid(6) as usize] * 10f64.powi(k.div_euclid(6));
    let positive: Vec<f64> = sorted.iter().copied().filter(|v| *v > 0.0).collect();
    let mut out = Vec::new();
    let zeros = (sorted.len() - positive.len()) as u64;
    if zeros > 0 {
        out.push(Bucket {
            lo: 0.0,
            hi: 0.0,
            messages: zeros,
        });
    }
    let (Some(&lo), Some(&hi)) = (positive.first(), positive.last()) else {
        return out;
    };
    let mut k = (lo.log10().floor() as i32) * 6;
    while edge(k + 1) <= lo {
        k += 1;
    }
    let mut i = 0;
    while i < positive.len() && out.len() < 64 {
        let (a, b) = (edge(k), edge(k + 1));
        let n = positive[i..].iter().take_while(|v| **v < b).count();
        out.push(Bucket {
            lo: a,
            hi: b,
            messages: n as u64,
        });
        i += n;
        k += 1;
        if b > hi && i >= positive.len() {
            break;
        }
    }
    out
}

impl Summary {
    pub fn write_json<W: Write>(&self, mut w: W) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut w, self)?;
        writeln!(w)
    }

    pub fn write_table<W: Write>(&self, mut w: W) -> io::Result<()> {
        let t = &self.totals;
        writeln!(w, "TOTALS")?;
        writeln!(
            w,
            "  messages {}  sextortion {}  suspicious {}  clean {}  errors {}  ({:.1} MB)",
            t.messages,
            t.sextortion,
            t.suspicious,
            t.clean,
            t.errors,
            t.bytes as f64 / 1e6
        )?;
        writeln!(
            w,
            "  flagged with a wallet {}  distinct wallets {}  dates {} … {}  undated {}",
            t.with_wallet,
            t.distinct_wallets,
            t.first_date
                .as_deref()
                .and_then(day_of)
                .unwrap_or_else(|| "-".into()),
            t.last_date
                .as_deref()
                .and_then(day_of)
                .unwrap_or_else(|| "-".into()),
            t.undated
        )?;
        writeln!(w, "\nWALLETS (flagged messages)")?;
        writeln!(
            w,
            "  {:<5} {:<44} {:>6} {:>6}  {:<10} {:<10}  {:<24} FAMILIES",
            "CHAIN", "ADDRESS", "MSGS", "SEXT", "FIRST", "LAST", "AMOUNTS"
        )?;
        for r in &self.wallets {
            let amounts: Vec<String> = r
                .amounts
                .iter()
                .take(3)
                .map(|a| format!("{} {}", text::num(a.value), a.currency))
                .collect();
            writeln!(
                w,
                "  {:<5} {:<44} {:>6} {:>6}  {:<10} {:<10}  {}  {}",
                r.chain,
                r.address,
                r.messages,
                r.sextortion,
                r.first_date
                    .as_deref()
                    .and_then(day_of)
                    .unwrap_or_else(|| "-".into()),
                r.last_date
                    .as_deref()
                    .and_then(day_of)
                    .unwrap_or_else(|| "-".into()),
                text::pad(&amounts.join(", "), 24),
                text::terminal(&r.families.join(", "))
            )?;
        }
        writeln!(w, "\nMESSAGES PER DAY")?;
        writeln!(
            w,
            "  {:<10} {:>8} {:>10} {:>10}",
            "DATE", "MSGS", "SEXT", "SUSP"
        )?;
        for d in &self.days {
            writeln!(
                w,
                "  {:<10} {:>8} {:>10} {:>10}",
                d.date, d.messages, d.sextortion, d.suspicious
            )?;
        }
        for (title, rows) in [
            ("FAMILIES (flagged)", &self.families),
            ("LANGUAGES (flagged)", &self.languages),
        ] {
            writeln!(w, "\n{title}")?;
            for r in rows {
                writeln!(
                    w,
                    "  {} {:>8} {:>8}",
                    text::pad(&text::terminal(&r.name), 32),
                    r.messages,
                    r.sextortion
                )?;
            }
        }
        writeln!(w, "\nAMOUNTS (principal demand of flagged messages)")?;
        writeln!(
            w,
            "  {:<8} {:>6} {:>12} {:>12} {:>12}",
            "CURRENCY", "MSGS", "MIN", "MEDIAN", "MAX"
        )?;
        for a in &self.amounts {
            writeln!(
                w,
                "  {:<8} {:>6} {:>12} {:>12} {:>12}",
                text::terminal(&a.currency),
                a.messages,
                text::num(a.min),
                text::num(a.median),
                text::num(a.max)
            )?;
            let line: Vec<String> = a
                .buckets
                .iter()
                .map(|b| format!("{}–{}: {}", text::num(b.lo), text::num(b.hi), b.messages))
                .collect();
            writeln!(w, "           {}", line.join("  "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::record::{AmountRec, WalletRec};
    use super::*;

    fn rec(label: Label, wallet: Option<&str>, amount: Option<f64>, date: &str) -> Record {
        Record {
            label: Some(label),
            wallets: wallet
                .map(|a| {
                    vec![WalletRec {
                        chain: "btc".into(),
                        address: a.into(),
                        kind: "p2pkh".into(),
                    }]
                })
                .unwrap_or_default(),
            amounts: amount
                .map(|v| {
                    vec![AmountRec {
                        value: v,
                        currency: "USD".into(),
                    }]
                })
                .unwrap_or_default(),
            date_utc: Some(date.into()),
            family: Some("f".into()),
            ..Record::default()
        }
    }

    #[test]
    fn aggregates() {
        let mut a = Aggregator::default();
        a.add(&rec(
            Label::Sextortion,
            Some("A"),
            Some(1200.0),
            "2024-05-06T10:00:00Z",
        ));
        a.add(&rec(
            Label::Sextortion,
            Some("A"),
            Some(800.0),
            "2024-05-08T10:00:00Z",
        ));
        a.add(&rec(
            Label::Suspicious,
            Some("B"),
            Some(1200.0),
            "2024-05-06T11:00:00Z",
        ));
        a.add(&rec(
            Label::Clean,
            Some("C"),
            Some(10.0),
            "2024-05-07T10:00:00Z",
        ));
        a.add(&Record {
            error: Some("x".into()),
            ..Record::default()
        });
        let s = a.finish();
        assert_eq!(
            (
                s.totals.messages,
                s.totals.errors,
                s.totals.distinct_wallets
            ),
            (5, 1, 2)
        );
        assert_eq!(s.wallets[0].address, "A");
        assert_eq!(s.wallets[0].messages, 2);
        assert_eq!(
            s.wallets[0].first_date.as_deref(),
            Some("2024-05-06T10:00:00Z")
        );
        assert_eq!(
            s.wallets[0].last_date.as_deref(),
            Some("2024-05-08T10:00:00Z")
        );
        assert_eq!(
            s.days.iter().map(|d| d.messages).collect::<Vec<_>>(),
            [2, 1, 1]
        );
        assert_eq!(s.amounts[0].messages, 3);
        assert_eq!(
            (s.amounts[0].min, s.amounts[0].median, s.amounts[0].max),
            (800.0, 1200.0, 1200.0)
        );
        let total: u64 = s.amounts[0].buckets.iter().map(|b| b.messages).sum();
        assert_eq!(total, 3);
    }

    #[test]
    fn histogram_edges() {
        let b = buckets(&[500.0, 999.0, 1000.0, 1500.0, 2500.0]);
        let edges: Vec<(f64, f64, u64)> = b.iter().map(|b| (b.lo, b.hi, b.messages)).collect();
        assert_eq!(
            edges,
            [
                (500.0, 700.0, 1),
                (700.0, 1000.0, 1),
                (1000.0, 1500.0, 1),
                (1500.0, 2000.0, 1),
                (2000.0, 3000.0, 1)
            ]
        );
        let b = buckets(&[0.05, 0.1]);
        assert_eq!(b.iter().map(|b| b.messages).sum::<u64>(), 2);
    }
}
