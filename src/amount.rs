//! Demanded amounts and deadlines.
//!
//! Contract: [`extract`] takes the visible texts and the wallets found, and
//! returns the demanded amounts (principal demand first; incidental figures
//! such as example prices, dates and order numbers left out) and the deadline.

use serde::{Deserialize, Serialize};

use crate::verdict::{Field, Span};
use crate::wallet::Wallet;

/// A sum of money the letter demands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amount {
    /// The figure, e.g. 1200.0 or 0.05.
    pub value: f64,
    /// ISO-4217-like code: USD, EUR, GBP, BTC, LTC, ETH, USDT…
    pub currency: String,
    /// The text as written, e.g. "US$ 1,500".
    pub raw: String,
    /// Where it was found.
    pub span: Span,
}

/// The time the letter gives the victim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deadline {
    /// Hours.
    pub hours: u32,
    /// The text as written, e.g. "2 days".
    pub raw: String,
    /// Where it was found.
    pub span: Span,
}

/// Finds the demanded amounts and the deadline.
pub(crate) fn extract(
    texts: &[(Field, &str)],
    _wallets: &[Wallet],
) -> (Vec<Amount>, Option<Deadline>) {
    use std::sync::LazyLock;
    static AMT: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)(?:\$\s?([0-9][0-9,]*)|([0-9][0-9,.]*)\s?(?:usd|\$|eur|€))")
            .expect("static regex")
    });
    static DL: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)\b([0-9]{1,3})\s*(hours|days)\b").expect("static regex")
    });
    let mut amounts = Vec::new();
    let mut deadline = None;
    for &(field, text) in texts {
        for c in AMT.captures_iter(text) {
            let m = c.get(0).expect("group 0");
            let num = c.get(1).or(c.get(2)).map(|g| g.as_str().replace(',', ""));
            if let Some(Ok(value)) = num.map(|n| n.parse::<f64>()) {
                let currency = if m.as_str().to_ascii_lowercase().contains("eur")
                    || m.as_str().contains('€')
                {
                    "EUR"
                } else {
                    "USD"
                };
                amounts.push(Amount {
                    value,
                    currency: currency.into(),
                    raw: m.as_str().into(),
                    span: Span {
                        field,
                        start: m.start() as u32,
                        end: m.end() as u32,
                    },
                });
                break;
            }
        }
        if deadline.is_none() {
            if let Some(c) = DL.captures(text) {
                let m = c.get(0).expect("group 0");
                let n: u32 = c[1].parse().unwrap_or(0);
                let hours = if c[2].eq_ignore_ascii_case("days") {
                    n * 24
                } else {
                    n
                };
                deadline = Some(Deadline {
                    hours,
                    raw: m.as_str().into(),
                    span: Span {
                        field,
                        start: m.start() as u32,
                        end: m.end() as u32,
                    },
                });
            }
        }
        if !amounts.is_empty() {
            break;
        }
    }
    (amounts, deadline)
}
