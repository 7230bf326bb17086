//! Demanded amounts and deadlines.
//!
//! Contract: [`extract`] takes the visible texts and the wallets found, and
//! returns the demanded amounts (principal demand first; incidental figures
//! such as example prices, dates and order numbers left out) and the deadline.
//!
//! # How
//!
//! Each text is read through a [`view::View`]: the
//! [`Fold::Case`](crate::normalize::Fold::Case) view
//! (look-alike letters and digits folded, invisible characters removed) with
//! quote markers dropped and whitespace runs collapsed, mapped back to the
//! source for spans. One automaton finds the context words ([`cue`]) in every
//! language; [`money`] finds sums (a number with a currency next to it) and
//! [`deadline`] finds durations. Everything is linear in the text.
//!
//! # Which sum is the demand
//!
//! A sum is demanded when the words around it ask for payment: a payment word
//! in its sentence ("pay", "send", "amount", "Betrag", "montant", "importo",
//! "bedrag", "quantia") counts 2 (1 from a neighbouring sentence close by), a
//! wallet address within a few hundred bytes 2, bitcoin named right after it
//! ("$1200 in Bitcoin") 2 or elsewhere in the sentence 1, a demand verb right
//! before it ("I want $1200") 2 or elsewhere in the sentence 1, a price word
//! 1, and a crypto currency 1; prize, shop, invoice and investment words, a
//! recurring period ("per month") or a price lead-in ("save", "from") take 3
//! away. A score of 2 is a demand. Magnitudes ("$923 million") and figures of a million or more are
//! never demands. When nothing scores but the message carries a wallet, a
//! lone sum (one figure per kind, fiat or crypto) is the demand.
//!
//! The principal demand is the highest-scoring one (the first on ties); when
//! a fiat and a crypto sum state the same demand side by side ("0.05 BTC
//! ($500)") the fiat one comes first, then its crypto twin, then the other
//! demands in reading order. The same value and currency in the plain and
//! HTML alternatives is reported once, where it first appears.
//!
//! The deadline is the duration with the strongest tie: a time-limit word
//! right before it ("you have", "within", "innerhalb", "dans les", "entro",
//! "binnen", "dentro de", "no prazo de") counts 2, a payment or opening word
//! in its sentence 1. Durations after "every", "for the last", "since" or
//! before "ago" are never deadlines. When the message demands money or
//! carries a wallet, any tie will do, and even an untied duration of 12 hours
//! to a week; otherwise the duration needs both.

mod cue;
mod deadline;
mod money;
mod view;

use serde::{Deserialize, Serialize};

use crate::normalize::Normalized;
use crate::verdict::{Field, Span};
use crate::wallet::Wallet;

use cue::{Hit, ASK, CRYPTO, NEG, PAY, PERIOD, PRE_PRICE, PRICE};
use money::{Currency, Money};
use view::View;

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

/// Score from which a sum counts as demanded.
const DEMAND: i32 = 2;
/// How far (view bytes) a cue in the same sentence still speaks of a sum.
const REACH: usize = 160;
/// How close (view bytes) a payment word in a neighbouring sentence still
/// counts, at half weight ("$1450 is fair. Pay it in Bitcoin.").
const CLOSE: usize = 64;
/// How close (source bytes) a wallet ties a sum to the payment.
const WALLET_REACH: usize = 400;
/// How close (source bytes) a fiat and a crypto sum state the same demand.
const TWIN_REACH: usize = 200;
/// Distinct demanded sums kept.
const MAX_DEMANDS: usize = 16;

/// A sum found in one text, scored.
#[derive(Debug, Clone, Copy)]
struct Found {
    text: usize,
    field: Field,
    /// Source byte range.
    start: usize,
    end: usize,
    value: f64,
    currency: Currency,
    score: i32,
}

impl Found {
    fn same_sum(&self, o: &Found) -> bool {
        self.currency == o.currency
            && (self.value - o.value).abs() <= 1e-9 * self.value.abs().max(1.0)
    }
}

/// A duration found in one text.
#[derive(Debug, Clone, Copy)]
struct Limit {
    text: usize,
    field: Field,
    start: usize,
    end: usize,
    hours: u32,
    score: u8,
}

/// Finds the demanded amounts and the deadline.
///
/// `cases[i]` is the [`crate::normalize::Fold::Case`] view of `texts[i]`.
pub(crate) fn extract(
    texts: &[(Field, &str)],
    cases: &[Normalized],
    wallets: &[Wallet],
) -> (Vec<Amount>, Option<Deadline>) {
    extract_with(texts, cases, wallets, Cues::NearCandidates)
}

/// Which cues [`extract_with`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cues {
    /// Only those starting near a sum or a duration: all that the scoring
    /// reads.
    NearCandidates,
    /// Every cue in the text: the reference the above is tested against.
    #[cfg(test)]
    All,
}

fn extract_with(
    texts: &[(Field, &str)],
    cases: &[Normalized],
    wallets: &[Wallet],
    cues: Cues,
) -> (Vec<Amount>, Option<Deadline>) {
    let mut view = View::default();
    let mut hits = Vec::new();
    let mut sums = Vec::new();
    let mut candidates = Vec::new();
    let mut windows = Vec::new();
    let mut durations = Vec::new();
    // Distinct sums (first occurrence, best score), bounded so that hostile
    // input cannot grow them: real letters state one or two.
    let mut demands: Vec<Found> = Vec::new();
    let mut plain: Vec<Found> = Vec::new();
    let mut plain_overflow = false;
    let mut near: Vec<(usize, usize)> = Vec::new();
    let mut limit: Option<Limit> = None;
    for (ti, (&(field, text), case)) in texts.iter().zip(cases).enumerate() {
        view.build_from(case);
        money::scan(&view, &mut sums);
        deadline::candidates(&view, &mut candidates);
        match cues {
            Cues::NearCandidates => {
                // The cues `demand_score` and `deadline::score` read.
                windows.clear();
                windows.extend(sums.iter().filter(|m| !m.big).map(cue_window));
                windows.extend(candidates.iter().map(deadline::Candidate::cue_window));
                cue::find_in(view.as_str(), &mut windows, &mut hits);
            }
            #[cfg(test)]
            Cues::All => cue::find(view.as_str(), &mut hits),
        }
        near.clear();
        near.extend(
            wallets
                .iter()
                .filter(|w| w.span.field == field)
                .map(|w| (w.span.start as usize, w.span.end as usize)),
        );
        near.sort_unstable();
        for m in &sums {
            if m.big {
                continue;
            }
            let (start, end) = view.source_range(text, m.start, m.end);
            let wallet_gap = nearest_gap(&near, (start, end));
            if wallet_gap == 0 && overlaps(&near, (start, end)) {
                // Digits of an address.
                continue;
            }
            let near_wallet = wallet_gap <= WALLET_REACH;
            let (score, negative) = demand_score(&view, &hits, m, near_wallet);
            let f = Found {
                text: ti,
                field,
                start,
                end,
                value: m.value,
                currency: m.currency,
                score,
            };
            if score >= DEMAND {
                add_distinct(&mut demands, f, MAX_DEMANDS);
            }
            if !negative {
                plain_overflow |= !add_distinct(&mut plain, f, 3);
            }
        }
        deadline::score(&view, &hits, &candidates, &mut durations);
        for d in &durations {
            // An untied duration is a deadline only in the usual range.
            let plausible = d.score > 0 || (12..=168).contains(&d.hours);
            if plausible && limit.is_none_or(|l| d.score > l.score) {
                let (start, end) = view.source_range(text, d.start, d.end);
                limit = Some(Limit {
                    text: ti,
                    field,
                    start,
                    end,
                    hours: d.hours,
                    score: d.score,
                });
            }
        }
    }

    if demands.is_empty() && !wallets.is_empty() && !plain_overflow {
        // A lone sum (one fiat, one crypto at most) in a message with a
        // wallet is the demand.
        let crypto = plain.iter().filter(|f| f.currency.is_crypto()).count();
        if crypto <= 1 && plain.len() - crypto <= 1 {
            demands = plain;
        }
    }
    let mut amounts: Vec<Amount> = order(demands)
        .into_iter()
        .map(|f| Amount {
            value: f.value,
            currency: f.currency.code().to_string(),
            raw: texts[f.text].1[f.start..f.end].to_string(),
            span: span(f.field, f.start, f.end),
        })
        .collect();
    if amounts.is_empty() {
        // No sum in the prose, but a payment URI (`bitcoin:…?amount=0.05`)
        // states one: that is the demand, in the wallet's coin.
        amounts.extend(wallets.iter().find_map(uri_demand));
    }
    let demand = !amounts.is_empty() || !wallets.is_empty();
    let deadline = limit
        .filter(|l| {
            if demand {
                true
            } else {
                // "Ships in 5 days": without a demand, only a limit tied to
                // paying or opening counts.
                l.score >= 3
            }
        })
        .map(|l| Deadline {
            hours: l.hours,
            raw: texts[l.text].1[l.start..l.end].to_string(),
            span: span(l.field, l.start, l.end),
        });
    (amounts, deadline)
}

/// The amount of a wallet's payment URI, in the chain's own coin.
fn uri_demand(w: &Wallet) -> Option<Amount> {
    use crate::wallet::Chain;
    let raw = w.uri_amount.as_deref()?;
    let value: f64 = raw
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v > 0.0)?;
    let currency = match w.chain {
        Chain::Bitcoin => "BTC",
        Chain::Litecoin => "LTC",
        Chain::BitcoinCash => "BCH",
        Chain::Dogecoin => "DOGE",
        Chain::Monero => "XMR",
        Chain::Ethereum => "ETH",
        Chain::Tron => "TRX",
    };
    Some(Amount {
        value,
        currency: currency.to_string(),
        raw: format!("amount={raw}"),
        span: w.span,
    })
}

/// The view range in which every cue [`demand_score`] reads for `m` starts.
fn cue_window(m: &Money) -> (usize, usize) {
    (m.start.saturating_sub(REACH), m.end + REACH)
}

/// How strongly the words around `m` demand it, and whether an advert,
/// prize or invoice word stands near it. Cues in its sentence count fully;
/// a payment word in a neighbouring sentence close by counts half.
fn demand_score(view: &View, hits: &[Hit], m: &Money, near_wallet: bool) -> (i32, bool) {
    let (mut pay, mut crypto, mut ask, mut price, mut negative) = (0, 0, 0, 0, false);
    let (lo, hi) = cue_window(m);
    for h in cue::starting_in(hits, lo, hi) {
        let (hs, he) = (h.start as usize, h.end as usize);
        if he > m.start && hs < m.end {
            // Part of the sum itself: the "BTC" of "0.1 BTC".
            continue;
        }
        let before = he <= m.start;
        let gap = if before { m.start - he } else { hs - m.end };
        if (before && gap <= 1 && h.is(PRE_PRICE)) || (!before && gap <= 3 && h.is(PERIOD)) {
            negative = true;
        }
        if !view.same_sentence(hs, m.start) {
            if gap <= CLOSE && h.is(PAY) {
                pay = pay.max(1);
            }
            continue;
        }
        if h.is(PAY) {
            pay = 2;
        }
        if h.is(CRYPTO) {
            // "$1200 in Bitcoin", "1000 USD in BTC".
            crypto = crypto.max(if !before && gap <= 25 { 2 } else { 1 });
        }
        if h.is(ASK) {
            // "I want $1200", "ich verlange 1000 Euro".
            ask = ask.max(if before && gap <= 16 { 2 } else { 1 });
        }
        if h.is(PRICE) {
            price = 1;
        }
        if h.is(NEG) {
            negative = true;
        }
    }
    let own = i32::from(m.currency.is_crypto());
    let wallet = if near_wallet { 2 } else { 0 };
    let score = pay + crypto + ask + price + own + wallet - if negative { 3 } else { 0 };
    (score, negative)
}

/// Puts the principal demand first, then its fiat or crypto twin (fiat
/// first), then the others in reading order.
fn order(demands: Vec<Found>) -> Vec<Found> {
    let Some(p) = (0..demands.len()).max_by_key(|&i| (demands[i].score, std::cmp::Reverse(i)))
    else {
        return demands;
    };
    let principal = demands[p];
    let span_of = |f: &Found| (f.start, f.end);
    let twin = (0..demands.len())
        .filter(|&i| {
            let f = &demands[i];
            f.currency.is_crypto() != principal.currency.is_crypto()
                && f.text == principal.text
                && gap(span_of(f), span_of(&principal)) <= TWIN_REACH
        })
        .min_by_key(|&i| gap(span_of(&demands[i]), span_of(&principal)));
    let mut out = Vec::with_capacity(demands.len());
    match twin {
        Some(t) if principal.currency.is_crypto() => out.extend([demands[t], principal]),
        Some(t) => out.extend([principal, demands[t]]),
        None => out.push(principal),
    }
    for (i, f) in demands.iter().enumerate() {
        if i != p && Some(i) != twin {
            out.push(*f);
        }
    }
    out
}

/// Adds `f` unless its value and currency are there already (then keeps the
/// better score on the first occurrence). False when `f` is new but the list
/// is full.
fn add_distinct(list: &mut Vec<Found>, f: Found, cap: usize) -> bool {
    match list.iter().position(|o| o.same_sum(&f)) {
        Some(i) => list[i].score = list[i].score.max(f.score),
        None if list.len() < cap => list.push(f),
        None => return false,
    }
    true
}

/// Bytes from `r` to the nearest of the sorted, non-overlapping `spans`.
fn nearest_gap(spans: &[(usize, usize)], r: (usize, usize)) -> usize {
    let i = spans.partition_point(|s| s.0 < r.0);
    let before = i.checked_sub(1).map(|j| gap(spans[j], r));
    let after = spans.get(i).map(|&s| gap(s, r));
    before.into_iter().chain(after).min().unwrap_or(usize::MAX)
}

/// True when `r` shares a byte with one of the sorted, non-overlapping `spans`.
fn overlaps(spans: &[(usize, usize)], r: (usize, usize)) -> bool {
    let i = spans.partition_point(|s| s.0 < r.1);
    i > 0 && spans[i - 1].1 > r.0
}

/// Bytes between two ranges; 0 when they overlap.
fn gap(a: (usize, usize), b: (usize, usize)) -> usize {
    if a.1 <= b.0 {
        b.0 - a.1
    } else {
        a.0.saturating_sub(b.1)
    }
}

fn span(field: Field, start: usize, end: usize) -> Span {
    Span {
        field,
        start: start as u32,
        end: end as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wallet::{AddressKind, Chain, Network};

    const ADDR: &str = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";

    /// Wallets where the test texts spell [`ADDR`].
    fn wallets(texts: &[(Field, &str)]) -> Vec<Wallet> {
        texts
            .iter()
            .filter_map(|&(field, t)| {
                let s = t.find(ADDR)?;
                Some(Wallet {
                    chain: Chain::Bitcoin,
                    address: ADDR.into(),
                    kind: AddressKind::P2pkh,
                    network: Network::Mainnet,
                    span: span(field, s, s + ADDR.len()),
                    deobfuscated: false,
                    uri_amount: None,
                })
            })
            .take(1)
            .collect()
    }

    fn cases(texts: &[(Field, &str)]) -> Vec<Normalized> {
        texts
            .iter()
            .map(|(_, t)| crate::normalize::normalize(t, crate::normalize::Fold::Case))
            .collect()
    }

    fn run(bodies: &[&str]) -> (Vec<Amount>, Option<Deadline>) {
        let texts: Vec<(Field, &str)> = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| (Field::Body(i as u16), *b))
            .collect();
        let (amounts, deadline) = extract(&texts, &cases(&texts), &wallets(&texts));
        // Every span points at its raw text.
        for a in &amounts {
            let Field::Body(i) = a.span.field else {
                unreachable!()
            };
            assert_eq!(
                &bodies[i as usize][a.span.start as usize..a.span.end as usize],
                a.raw
            );
        }
        if let Some(d) = &deadline {
            let Field::Body(i) = d.span.field else {
                unreachable!()
            };
            assert_eq!(
                &bodies[i as usize][d.span.start as usize..d.span.end as usize],
                d.raw
            );
        }
        (amounts, deadline)
    }

    /// `t!(name, text or [texts…], [(value, "CUR"), …], deadline hours)`:
    /// the demanded amounts in order and the deadline.
    macro_rules! t {
        ($name:ident, [$($text:expr),+ $(,)?], [$(($v:expr, $c:expr)),* $(,)?], $dl:expr) => {
            #[test]
            fn $name() {
                let (amounts, deadline) = run(&[$($text),+]);
                let got: Vec<(f64, &str)> = amounts.iter().map(|a| (a.value, a.currency.as_str())).collect();
                let want: Vec<(f64, &str)> = vec![$(($v as f64, $c)),*];
                assert_eq!(got, want, "amounts of {:?}", [$($text),+]);
                let want_dl: Option<u32> = $dl;
                assert_eq!(deadline.map(|d| d.hours), want_dl, "deadline of {:?}", [$($text),+]);
            }
        };
        ($name:ident, $text:expr, [$(($v:expr, $c:expr)),* $(,)?], $dl:expr) => {
            t!($name, [$text], [$(($v, $c)),*], $dl);
        };
    }

    // Formats, each in a demand.
    t!(f_dollar, "You must pay $800 now.", [(800, "USD")], None);
    t!(
        f_dollar_after,
        "Send 800$ to my wallet.",
        [(800, "USD")],
        None
    );
    t!(
        f_us_dollar,
        "The amount is US$ 1,500.",
        [(1500, "USD")],
        None
    );
    t!(
        f_euro_dot,
        "Überweisen Sie 1.500 € in Bitcoin.",
        [(1500, "EUR")],
        None
    );
    t!(f_eur_space, "Le montant: 1 500 EUR.", [(1500, "EUR")], None);
    t!(f_pound, "Pay me £650.", [(650, "GBP")], None);
    t!(
        f_usd,
        "Transfer 1200 USD to the address below.",
        [(1200, "USD")],
        None
    );
    t!(
        f_usd_long,
        "My fee is 900 United States Dollars.",
        [(900, "USD")],
        None
    );
    t!(
        f_euro_word,
        "Send 2000 euro in Bitcoin.",
        [(2000, "EUR")],
        None
    );
    t!(
        f_btc,
        "Send 0.583427 BTC to this address.",
        [(0.583427, "BTC")],
        None
    );
    t!(
        f_usd_paren,
        "Amount to send: $1000 (USD) (In Bitcoin equivalent at the current rate)",
        [(1000, "USD")],
        None
    );
    t!(
        f_usdollar,
        "I want 1000 USDollar in bitcoin.",
        [(1000, "USD")],
        None
    );
    t!(f_us_dollars, "pay 1,299 US dollars", [(1299, "USD")], None);
    t!(
        f_dolares,
        "Debe pagar 1500 dólares en bitcoin.",
        [(1500, "USD")],
        None
    );
    t!(f_euro_cap, "Zahlen Sie 1.200 Euro.", [(1200, "EUR")], None);
    t!(f_euro_sign, "Montant : € 950", [(950, "EUR")], None);
    t!(f_eur_prefix, "Betrag: EUR 1.000,00", [(1000, "EUR")], None);
    t!(
        f_de_dollar,
        "Senden Sie 1500 Dollar an meine Brieftasche.",
        [(1500, "USD")],
        None
    );
    t!(
        f_fr_euros,
        "Vous devez payer 1 200 euros.",
        [(1200, "EUR")],
        None
    );
    t!(
        f_es_americanos,
        "Envíe 1.000 dólares americanos.",
        [(1000, "USD")],
        None
    );
    t!(
        f_pt_usd,
        "Transfira US$ 900 para a carteira.",
        [(900, "USD")],
        None
    );
    t!(
        f_it_euro,
        "L'importo è di 800 euro in bitcoin.",
        [(800, "EUR")],
        None
    );
    t!(
        f_nl_euro,
        "Maak het bedrag van €1.250 over.",
        [(1250, "EUR")],
        None
    );
    t!(
        f_pt_quantia,
        "Envie a quantia de 1.500 dólares.",
        [(1500, "USD")],
        None
    );
    t!(f_chf, "Zahlung: CHF 1'200", [(1200, "CHF")], None);
    t!(f_cad, "You must pay $500 CAD.", [(500, "CAD")], None);
    t!(f_ltc, "Send 10 LTC to my wallet.", [(10, "LTC")], None);
    t!(f_xmr, "Pay 5 XMR.", [(5, "XMR")], None);

    // Choosing the demand.
    t!(
        wallet_alone_counts,
        "I recorded you. $1200\n\n1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        [(1200, "USD")],
        None
    );
    t!(
        lone_sum_far_from_wallet,
        [
            "My price: $1200 and nothing else.",
            "blah\n1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
        ],
        [(1200, "USD")],
        None
    );
    t!(
        no_context_no_guess,
        "It happened in 2019. I saw $1200 on the table.",
        [],
        None
    );
    t!(
        newsletter_magnitudes,
        "Hackers stole $923 million; the firm is worth $3.4 billion. Pay attention.",
        [],
        None
    );
    t!(
        advert_per_month,
        "Price: $19.99 per month. Subscribe now and pay less!",
        [],
        None
    );
    t!(
        advert_save,
        "Save $50 today: pay only $49 for the course!",
        [(49, "USD")],
        None
    );
    t!(
        prize,
        "You have won $1,000,000! Pay the $50 processing fee to claim your prize.",
        [],
        None
    );
    t!(
        order_number,
        "Order 123456 of 12.05.2019, phone +1 555 123 4567.",
        [],
        None
    );
    t!(
        example_then_demand,
        "Others paid me $5000 in the past. You will pay $1500 in Bitcoin to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        [(1500, "USD"), (5000, "USD")],
        None
    );
    t!(
        fiat_and_btc_same_demand,
        "Send 0.05 BTC (about $950) to my wallet 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        [(950, "USD"), (0.05, "BTC")],
        None
    );
    t!(
        html_and_plain_dedupe,
        ["Send $1200 in Bitcoin.", "Send <b>$1200</b> in Bitcoin."],
        [(1200, "USD")],
        None
    );
    t!(
        bitcoin_price_news,
        "Bitcoin price hit 60,000 USD this week, analysts say.",
        [],
        None
    );

    t!(
        fair_price_then_payment,
        "I think $1450 is a fair price for our little secret. You'll make the payment by Bitcoin.",
        [(1450, "USD")],
        None
    );
    t!(i_need, "I need exactly 2000 USD.", [(2000, "USD")], None);
    t!(
        required_amount,
        "The required amount is 1200 dollars.",
        [(1200, "USD")],
        None
    );
    t!(
        boast_in_other_sentence,
        "My previous victims paid $5,000. I bought the malware for $300 on the darknet.",
        [(5000, "USD")],
        None
    );
    t!(
        label_then_wallet,
        "Amount:\n\n1,500 EUR\nBTC: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        [(1500, "EUR")],
        None
    );
    t!(
        de_verlange,
        "Ich verlange 1000 Euro. Zahlen Sie in Bitcoin.",
        [(1000, "EUR")],
        None
    );
    t!(
        es_cantidad,
        "La cantidad es de 1.500 €. Tiene 48 horas.",
        [(1500, "EUR")],
        Some(48)
    );
    t!(nl_bedrag, "Het bedrag is €950.", [(950, "EUR")], None);
    t!(
        pt_valor,
        "O valor é de 1.000 dólares.",
        [(1000, "USD")],
        None
    );
    t!(
        de_label,
        "Betrag: 1.500,00 € (Bitcoin-Äquivalent). Frist: 48 Stunden.",
        [(1500, "EUR")],
        Some(48)
    );
    t!(
        prize_shipping,
        "Winner! Claim your $1,000 gift card. Pay shipping $4.95 only.",
        [],
        None
    );
    t!(
        invoice,
        "Your invoice #4821: total due $349.99. Pay now to avoid late fees.",
        [],
        None
    );

    // Deadlines.
    t!(
        classic,
        "You have 48 hours to pay $1200 in Bitcoin. I update its signatures every 4 hours.",
        [(1200, "USD")],
        Some(48)
    );
    t!(
        trojan_driver,
        "I update its signatures every 4 hours. You have 50 hours (2 days +) to send $900 in bitcoin.",
        [(900, "USD")],
        Some(50)
    );
    t!(
        spying_months,
        "I have been watching you for the last 5 months, for 2 weeks in detail. Pay $800 in Bitcoin.",
        [(800, "USD")],
        None
    );
    t!(
        untied_with_demand,
        "Pay $800 in bitcoin. 48 hours.",
        [(800, "USD")],
        Some(48)
    );
    t!(untied_without_demand, "Shipping takes 48 hours.", [], None);
    t!(bare_limit_without_demand, "I give you 72 hours.", [], None);
    t!(
        tied_limit_without_demand,
        "You get 48 hours once you read this.",
        [],
        Some(48)
    );
    t!(
        untied_in_range_wins,
        "Pay $800 in bitcoin. It took 3 hours to set up. Then 48 hours.",
        [(800, "USD")],
        Some(48)
    );
    t!(
        history_only,
        "Spam filter update every 24h. I waited 3 days.",
        [],
        None
    );
    t!(
        two_days_then_delete,
        "You have 2 days (48 hours) to pay. I'll then delete everything.",
        [],
        Some(48)
    );
    t!(
        a_week,
        "Send 0.1 BTC. You have a week.",
        [(0.1, "BTC")],
        Some(168)
    );
    t!(
        german,
        "Sie haben zwei Tage, um 1.500 € zu überweisen.",
        [(1500, "EUR")],
        Some(48)
    );
    t!(
        french,
        "Vous avez 48 heures pour payer 1 200 euros.",
        [(1200, "EUR")],
        Some(48)
    );
    t!(
        spanish,
        "Tienes dos días para enviar 1500 dólares.",
        [(1500, "USD")],
        Some(48)
    );
    t!(
        portuguese,
        "Você tem dois dias para pagar US$ 900.",
        [(900, "USD")],
        Some(48)
    );
    t!(
        italian,
        "Hai 48 ore per inviare 800 euro.",
        [(800, "EUR")],
        Some(48)
    );
    t!(
        dutch,
        "Je hebt twee dagen om €1.250 te betalen.",
        [(1250, "EUR")],
        Some(48)
    );

    // Obfuscation.
    t!(
        homoglyphs,
        "Ѕеnd $1\u{200B}2００ іn Вitсоin within 4８ hоurs.",
        [(1200, "USD")],
        Some(48)
    );
    t!(
        quoted,
        "> You have\n> 48 hours to pay\n> 1\u{a0}500 EUR in bitcoin.",
        [(1500, "EUR")],
        Some(48)
    );

    #[test]
    fn spans_point_at_the_text() {
        let body = "Hi.\n\nSend US$\u{a0}1,500 within 36 hours after you open this. Amount: 1\u{2009}500 €.";
        let (amounts, deadline) = run(&[body]);
        assert_eq!(amounts[0].raw, "US$\u{a0}1,500");
        assert_eq!(amounts[1].raw, "1\u{2009}500 €");
        let d = deadline.unwrap();
        assert_eq!((d.hours, d.raw.as_str()), (36, "36 hours"));
    }

    #[test]
    fn subject_field() {
        let texts = [
            (Field::Subject, "Pay $800 or else"),
            (Field::Body(0), "Send $800 in Bitcoin."),
        ];
        let (amounts, _) = extract(&texts, &cases(&texts), &[]);
        assert_eq!(amounts.len(), 1);
        assert_eq!(amounts[0].span, span(Field::Subject, 4, 8));
    }

    #[test]
    fn empty_and_hostile_input() {
        for s in [
            "",
            "$",
            "1",
            "€€€",
            "1.",
            ".5 BTC",
            "$$$1",
            "9".repeat(10_000).as_str(),
            "1 2 3 4 5 6 7 8 9 0 USD",
        ] {
            let _ = run(&[s]);
        }
    }

    /// Extraction reading only the cues near the candidates gives what
    /// reading every cue gives.
    fn same_as_all_cues(bodies: &[&str]) {
        let texts: Vec<(Field, &str)> = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| (Field::Body(i as u16), *b))
            .collect();
        let cases = cases(&texts);
        let (wallets, _) = crate::wallet::extract(&texts, &cases);
        for w in [&wallets[..], &[]] {
            let near = extract_with(&texts, &cases, w, Cues::NearCandidates);
            let all = extract_with(&texts, &cases, w, Cues::All);
            assert_eq!(near, all, "{bodies:?}");
        }
    }

    #[test]
    fn near_cues_on_real_mail() {
        let limits = crate::Limits::default();
        let mut n = 0;
        for (_, raw) in crate::test_mail::real_mail() {
            let bodies = crate::message::parse(&raw, &limits).bodies;
            let bodies: Vec<&str> = bodies.iter().map(|b| b.as_ref()).collect();
            same_as_all_cues(&bodies);
            n += 1;
        }
        assert!(n > 50, "{n}");
    }

    proptest::proptest! {
        #[test]
        fn near_cues_agree(pieces in proptest::collection::vec(proptest::sample::select(vec![
            "You have ", "48 hours", "2 days", "a week", " to pay ", "$", "1,200", "0.05 BTC", " ", ". ",
            "\n\n", "every ", " ago", "in Bitcoin", "price", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            "won", "per month", "delete", "x", "€", "500", "within ",
            "and then some more words to read, far from any figure at all, ",
        ]), 0..40)) {
            same_as_all_cues(&[&pieces.concat()]);
        }

        #[test]
        fn never_panics_and_spans_are_boundaries(s in "[0-9 ,.'$€£₿a-zA-Z\u{a0}\u{2009}\u{200b}>\n()%#:/-]{0,80}") {
            let _ = run(&[&s]);
        }

        #[test]
        fn arbitrary_unicode(s in "\\PC{0,60}") {
            let _ = run(&[&s]);
        }
    }
}
