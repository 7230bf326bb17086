//! The flat per-message record `scan` writes (JSON Lines, CSV, table) and
//! `summary` reads back. Schema documented in docs/cli.md.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use sextortion::{Label, ScanItem, Verdict};

use super::args::{Format, Only};
use super::{csv, text};

/// One message (or one unreadable file).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Record {
    /// The file (`-` for stdin).
    pub source: String,
    /// Message number within the file.
    pub index: u64,
    /// Byte offset of the message in the mbox (decompressed stream); null for one-message files.
    pub offset: Option<u64>,
    /// Size in bytes.
    pub bytes: u64,
    /// sextortion / suspicious / clean; null on error.
    pub label: Option<Label>,
    /// The score; null on error.
    pub score: Option<f64>,
    /// Template family id.
    pub family: Option<String>,
    /// ISO 639-1 language of most evidence.
    pub language: Option<String>,
    /// Valid wallet addresses, in order of appearance.
    #[serde(default)]
    pub wallets: Vec<WalletRec>,
    /// Demanded amounts, principal first.
    #[serde(default)]
    pub amounts: Vec<AmountRec>,
    /// The deadline in hours.
    pub deadline_hours: Option<u32>,
    /// Message-ID without brackets.
    pub message_id: Option<String>,
    /// Date header as written.
    pub date: Option<String>,
    /// Date as RFC 3339 UTC, when it parses.
    pub date_utc: Option<String>,
    /// From, decoded.
    pub from: Option<String>,
    /// To, decoded.
    pub to: Option<String>,
    /// Subject, decoded.
    pub subject: Option<String>,
    /// Why there is no verdict.
    pub error: Option<String>,
}

/// A wallet in a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WalletRec {
    /// btc, ltc, bch, eth, trx, doge, xmr.
    pub chain: String,
    /// The address.
    pub address: String,
    /// p2pkh, p2sh, p2wpkh, p2wsh, p2tr, account…
    pub kind: String,
}

/// An amount in a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmountRec {
    /// The figure.
    pub value: f64,
    /// USD, EUR, BTC…
    pub currency: String,
}

/// A record with the whole verdict (`--full`).
#[derive(Serialize)]
struct Full<'a> {
    #[serde(flatten)]
    record: &'a Record,
    verdict: Option<&'a Verdict>,
}

impl Record {
    pub fn new(item: &ScanItem) -> Record {
        let mut r = Record {
            source: item.source.display().to_string(),
            index: item.index,
            offset: item.offset,
            bytes: item.bytes,
            ..Record::default()
        };
        match &item.result {
            Ok(v) => r.fill(v),
            Err(e) => r.error = Some(e.to_string()),
        }
        r
    }

    pub fn fill(&mut self, v: &Verdict) {
        self.label = Some(v.label);
        self.score = Some(round3(v.score));
        self.family = v.family.as_ref().map(|f| f.id.clone());
        self.language = v.language.clone();
        self.wallets = v
            .wallets
            .iter()
            .map(|w| WalletRec {
                chain: w.chain.code().to_string(),
                address: w.address.clone(),
                kind: serde_name(&w.kind),
            })
            .collect();
        self.amounts = v
            .amounts
            .iter()
            .map(|a| AmountRec {
                value: a.value,
                currency: a.currency.clone(),
            })
            .collect();
        self.deadline_hours = v.deadline_hours();
        let m = &v.meta;
        self.message_id = m.message_id.clone();
        self.date = m.date.clone();
        self.date_utc = m.date_utc.clone();
        self.from = m.from.clone();
        self.to = m.to.clone();
        self.subject = m.subject.clone();
    }

    /// Whether `--only` keeps it.
    pub fn keep(&self, only: Option<Only>) -> bool {
        match only {
            None => true,
            Some(Only::Sextortion) => self.label == Some(Label::Sextortion),
            Some(Only::Suspicious) => self.label == Some(Label::Suspicious),
            Some(Only::Flagged) => {
                matches!(self.label, Some(Label::Sextortion | Label::Suspicious))
            }
            Some(Only::Clean) => self.label == Some(Label::Clean),
            Some(Only::Errors) => self.error.is_some(),
        }
    }

    /// `chain:address` joined by `;`, as in labels.csv.
    pub fn wallet_list(&self) -> String {
        self.wallets
            .iter()
            .map(|w| format!("{}:{}", w.chain, w.address))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// `value currency` joined by `;`.
    pub fn amount_list(&self) -> String {
        self.amounts
            .iter()
            .map(|a| format!("{} {}", text::num(a.value), a.currency))
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// An f32 score as the f64 a person reads (7.25, not 7.2500005).
pub fn round3(x: f32) -> f64 {
    (x as f64 * 1000.0).round() / 1000.0
}

/// The serde name of a unit enum value (`p2pkh`), robust to new variants.
pub fn serde_name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

pub const CSV_COLUMNS: [&str; 18] = [
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

/// Writes records in one of the formats.
pub struct Writer<W: Write> {
    out: W,
    format: Format,
    full: bool,
    started: bool,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W, format: Format, full: bool) -> Self {
        Writer {
            out,
            format,
            full,
            started: false,
        }
    }

    pub fn write(&mut self, r: &Record, v: Option<&Verdict>) -> io::Result<()> {
        if !self.started {
            self.started = true;
            self.header()?;
        }
        match self.format {
            Format::Jsonl => {
                if self.full {
                    serde_json::to_writer(
                        &mut self.out,
                        &Full {
                            record: r,
                            verdict: v,
                        },
                    )?;
                } else {
                    serde_json::to_writer(&mut self.out, r)?;
                }
                self.out.write_all(b"\n")
            }
            Format::Csv => {
                let o = |x: &Option<String>| csv::defuse(x.as_deref().unwrap_or(""));
                let n = |x: Option<u64>| x.map(|v| v.to_string()).unwrap_or_default();
                let fields = [
                    csv::defuse(&r.source),
                    r.index.to_string(),
                    n(r.offset),
                    r.bytes.to_string(),
                    r.label.map(|l| l.as_str().to_string()).unwrap_or_default(),
                    r.score.map(text::num).unwrap_or_default(),
                    o(&r.family),
                    o(&r.language),
                    r.wallet_list(),
                    r.amount_list(),
                    n(r.deadline_hours.map(u64::from)),
                    o(&r.message_id),
                    o(&r.date),
                    o(&r.date_utc),
                    o(&r.from),
                    o(&r.to),
                    o(&r.subject),
                    o(&r.error),
                ];
                let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
                csv::write_row(&mut self.out, &refs)
            }
            Format::Table => {
                let label = match (r.label, &r.error) {
                    (Some(l), _) => l.as_str(),
                    (None, _) => "ERROR",
                };
                let amount = r
                    .amounts
                    .first()
                    .map(|a| format!("{} {}", text::num(a.value), a.currency))
                    .unwrap_or_default();
                let wallet = match r.wallets.len() {
                    0 => String::new(),
                    1 => r.wallets[0].address.clone(),
                    n => format!("{} (+{})", r.wallets[0].address, n - 1),
                };
                let what = match &r.error {
                    Some(e) => e.clone(),
                    None => r.subject.clone().unwrap_or_default(),
                };
                let place = match r.offset {
                    Some(_) => format!("{}#{}", r.source, r.index),
                    None => r.source.clone(),
                };
                writeln!(
                    self.out,
                    "{} {:>6} {} {} {} {}",
                    text::pad(label, 10),
                    r.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
                    text::pad(&amount, 12),
                    text::pad(&wallet, 44),
                    text::pad(&text::terminal(&what), 40),
                    text::terminal(&place),
                )
            }
        }
    }

    fn header(&mut self) -> io::Result<()> {
        match self.format {
            Format::Jsonl => Ok(()),
            Format::Csv => csv::write_row(&mut self.out, &CSV_COLUMNS),
            Format::Table => writeln!(
                self.out,
                "{} {:>6} {} {} {} SOURCE",
                text::pad("LABEL", 10),
                "SCORE",
                text::pad("AMOUNT", 12),
                text::pad("WALLET", 44),
                text::pad("SUBJECT / ERROR", 40),
            ),
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }
}
