//! Sums of money: a number with a currency before or after it.
//!
//! Cheap trigger, local scanner, validation (the linkify shape): every digit
//! run starts a hand-written number scanner that knows the thousands and
//! decimal conventions ("1,500.00", "1.500,00", "1 500", "1'500"); then two
//! small anchored regexes look for a currency just before the number ("US$",
//! "€", "EUR") and just after it ("USD", "euros", "dólares americanos",
//! "(USD)", "million"). A number with no currency on either side is not money.

use std::sync::LazyLock;

use regex::{CaptureLocations, Regex};

use super::view::View;
use crate::swar;

/// The currencies reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Currency {
    Usd,
    Eur,
    Gbp,
    Cad,
    Aud,
    Chf,
    Btc,
    Ltc,
    Eth,
    Usdt,
    Xmr,
    Bch,
    Doge,
}

impl Currency {
    pub(super) fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Cad => "CAD",
            Currency::Aud => "AUD",
            Currency::Chf => "CHF",
            Currency::Btc => "BTC",
            Currency::Ltc => "LTC",
            Currency::Eth => "ETH",
            Currency::Usdt => "USDT",
            Currency::Xmr => "XMR",
            Currency::Bch => "BCH",
            Currency::Doge => "DOGE",
        }
    }

    /// Paid on a blockchain (stablecoins included).
    pub(super) fn is_crypto(self) -> bool {
        matches!(
            self,
            Currency::Btc
                | Currency::Ltc
                | Currency::Eth
                | Currency::Usdt
                | Currency::Xmr
                | Currency::Bch
                | Currency::Doge
        )
    }

    /// The currency a written token names; `None` for a token this module
    /// does not report (e.g. "R$").
    fn of_token(tok: &str) -> Option<Currency> {
        let t = tok
            .trim_matches(|c| c == '(' || c == ')')
            .to_ascii_lowercase();
        let has = |s: &str| t.contains(s);
        Some(
            if has("canad") || t == "cad" || t == "c$" || t == "ca$" || t == "can$" {
                Currency::Cad
            } else if has("austral") || t == "aud" || t == "a$" || t == "au$" {
                Currency::Aud
            } else if has("swiss") || has("suisse") || has("franken") || t == "chf" {
                Currency::Chf
            } else if has("bitcoin cash") || t == "bch" {
                Currency::Bch
            } else if has("bitcoin") || t == "btc" || t == "xbt" || t == "₿" {
                Currency::Btc
            } else if has("litecoin") || t == "ltc" {
                Currency::Ltc
            } else if has("ether") || t == "eth" {
                Currency::Eth
            } else if t == "usdt" || t == "tether" {
                Currency::Usdt
            } else if t == "monero" || t == "xmr" {
                Currency::Xmr
            } else if has("doge") {
                Currency::Doge
            } else if has("eur") || t == "€" {
                Currency::Eur
            } else if has("pound")
                || has("sterl")
                || has("pfund")
                || has("livre")
                || has("libra")
                || t == "gbp"
                || t == "£"
            {
                Currency::Gbp
            } else if has("dol") || has("usd") || t == "$" || t == "us$" || t == "u.s.$" {
                Currency::Usd
            } else {
                return None;
            },
        )
    }
}

/// A sum of money found in the view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Money {
    /// View offsets of the whole expression, currency included.
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) value: f64,
    pub(super) currency: Currency,
    /// "$923 million", or a figure no extortion letter asks for: reported by
    /// news, never demanded.
    pub(super) big: bool,
}

/// Currency names after a number, as the view spells them (diacritics
/// folded, any case). Longer spellings first where they share a prefix.
const CURRENCY_WORDS: &str = r"u\.?s\.? ?dollars?|usdollars?|united states dollars?|american dollars?|dollars? (?:americanos?|americains?|us|usd|estadounidenses)|dolares? (?:americanos?|estadounidenses|us)|dollari americani|canadian dollars?|dollars? canadiens?|australian dollars?|dollars? australiens?|swiss francs?|francs? suisses?|schweizer franken|franken|pounds? sterling|livres? sterling|libras? esterlinas?|pounds?|sterling|pfund|sterline|sterlina|bitcoin cash|bitcoins?|litecoins?|ethereum|ether|tether|monero|dogecoins?|usdt|usd|euros?|euro's|eur|gbp|chf|cad|aud|btc|xbt|ltc|eth|xmr|bch|doge|dollars?|dolares?|dolar|dollari|dollaro";

/// Magnitude words. Those from "million" up mark a figure as news, not a
/// demand; the thousands multiply.
const MAGNITUDES: &str = r"thousand|tausend|mille|mila|millions?|millionen|millones|milioni|milione|miljoen|milhoes|milhao|mil|k|mio|mn|billions?|bn|mrd|milliarden?|milliards?|miliardi|miliardo|miljard|bilhoes|bilhao|trillions?|tn|m|b";

/// Magnitude and currency just after a number: " million", "k", " USD",
/// "$", " (USD)", ",- €".
static SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:[.,]-)? ?(?:(?P<mag>(?i:{MAGNITUDES}))(?-u:\b)\.? ?(?:(?i:of|de|di|van) |(?i:d)')?)?(?P<cur>\(?(?:(?i:{CURRENCY_WORDS})(?-u:\b)|US\$|CA\$|AU\$|C\$|A\$|\$|€|£|₿)\)?)?"
    ))
    .expect("static regex")
});

/// Group indexes of [`SUFFIX`] (the regex names them; looking them up by
/// index avoids a name search per number).
const SUFFIX_MAG: usize = 1;
const SUFFIX_CUR: usize = 2;

/// Finds every sum of money in the view.
pub(super) fn scan(view: &View, out: &mut Vec<Money>) {
    out.clear();
    let text = view.as_str();
    let b = text.as_bytes();
    let mut locs = SUFFIX.capture_locations();
    let mut i = 0;
    while let Some(d) = next_digit(b, i) {
        i = d;
        let (end, num) = number(view, i);
        if let Some(m) = num.and_then(|n| money(view, i, end, n, &mut locs)) {
            out.push(m);
            i = m.end.max(end);
        } else {
            i = end;
        }
    }
}

/// The first ASCII digit at or after `from`. Most of a text is not digits:
/// eight bytes are checked at a time.
fn next_digit(b: &[u8], from: usize) -> Option<usize> {
    use swar::HIGH;
    const LO7: u64 = !HIGH;
    let mut i = from;
    while i + 8 <= b.len() {
        let x = swar::load(b, i);
        // Per byte, y = byte ^ '0' is below 10 exactly for a digit. Adding
        // 0x76 to its low 7 bits sets bit 7 when they are 10 or more (no
        // carry leaves the byte); or-ing y in sets it for bytes of 0x80 up.
        let y = x ^ 0x3030_3030_3030_3030;
        let not_digit = (y | ((y & LO7) + 0x7676_7676_7676_7676)) & HIGH;
        let digits = !not_digit & HIGH;
        if digits != 0 {
            return Some(i + swar::first_lane(digits));
        }
        i += 8;
    }
    b[i.min(b.len())..]
        .iter()
        .position(u8::is_ascii_digit)
        .map(|k| i + k)
}

/// A parsed number.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Num {
    /// The value reading separators as thousands where that is ambiguous.
    value: f64,
    /// "1.500" or "1,500" (one separator, three digits after it) could also
    /// be a decimal: that reading, for crypto amounts.
    decimal_reading: Option<f64>,
}

/// Scans the number starting at `start` (an ASCII digit). Returns the end of
/// what was consumed and the number, if it is one; dates ("12.05.2019") and
/// other digit groupings that no number convention produces are consumed and
/// rejected.
fn number(view: &View, start: usize) -> (usize, Option<Num>) {
    const MAX_GROUPS: usize = 8;
    let b = view.as_str().as_bytes();
    let digits_from = |i: usize| i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    // groups[k] = (separator before it, start, end); group 0 has separator 0.
    let mut groups = [(0u8, 0usize, 0usize); MAX_GROUPS];
    let mut n = 1;
    let mut i = digits_from(start);
    groups[0] = (0, start, i);
    while i + 1 < b.len() && matches!(b[i], b',' | b'.' | b'\'' | b' ') && b[i + 1].is_ascii_digit()
    {
        let sep = b[i];
        let end = digits_from(i + 1);
        // A space joins digit groups only as a thousands separator written on
        // one line: "1 500", never "2\n500".
        if sep == b' ' && (end - i - 1 != 3 || view.is_line_break(i)) {
            break;
        }
        if n == MAX_GROUPS {
            return (end, None);
        }
        groups[n] = (sep, i + 1, end);
        n += 1;
        i = end;
    }
    let groups = &groups[..n];
    (i, interpret(b, groups))
}

fn interpret(b: &[u8], groups: &[(u8, usize, usize)]) -> Option<Num> {
    let len = |g: &(u8, usize, usize)| g.2 - g.1;
    let (last_sep, ..) = *groups.last()?;
    let seps = || groups[1..].iter().map(|g| g.0);
    let mut decimal_at: Option<usize> = None;
    let mut ambiguous = false;
    if matches!(last_sep, b'.' | b',') {
        let k = groups.len() - 1;
        let others_differ = seps().take(k - 1).any(|s| s != last_sep);
        let repeated = seps().take(k - 1).any(|s| s == last_sep);
        if others_differ {
            decimal_at = Some(k);
        } else if !repeated {
            // One separator: "19.99", "0,05" are decimals; "1.500" is
            // thousands in fiat, a decimal in crypto.
            let int_is_zero = b[groups[0].1..groups[0].2].iter().all(|&c| c == b'0');
            if len(&groups[k]) != 3 || int_is_zero {
                decimal_at = Some(k);
            } else {
                ambiguous = true;
            }
        }
    }
    let int_groups = &groups[..decimal_at.unwrap_or(groups.len())];
    // Thousands groups: a first group of 1-3 digits, then groups of exactly 3.
    if int_groups.len() > 1
        && (len(&int_groups[0]) > 3 || int_groups[1..].iter().any(|g| len(g) != 3))
    {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut scale = 0i32;
    for (k, g) in groups.iter().enumerate() {
        let frac = decimal_at.is_some_and(|d| k >= d);
        for &c in &b[g.1..g.2] {
            mantissa = mantissa * 10 + u64::from(c - b'0');
            scale += i32::from(frac);
            // Beyond 15 significant digits an f64 is no longer exact, and no
            // ransom needs them.
            if mantissa >= 1_000_000_000_000_000 || scale > 18 {
                return None;
            }
        }
    }
    let value = mantissa as f64 / 10f64.powi(scale);
    let decimal_reading = ambiguous.then(|| {
        let g = groups[1];
        let frac = &b[g.1..g.2];
        let f = frac.iter().fold(0u64, |a, &c| a * 10 + u64::from(c - b'0'));
        let int = b[groups[0].1..groups[0].2]
            .iter()
            .fold(0u64, |a, &c| a * 10 + u64::from(c - b'0'));
        (int * 1000 + f) as f64 / 1000.0
    });
    Some(Num {
        value,
        decimal_reading,
    })
}

/// Turns the number at `num_start..num_end` into money when a currency
/// stands next to it.
fn money(
    view: &View,
    num_start: usize,
    num_end: usize,
    num: Num,
    locs: &mut CaptureLocations,
) -> Option<Money> {
    let text = view.as_str();
    let b = text.as_bytes();
    let digit_at = |i: Option<usize>| i.is_some_and(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    // Part of something that is not a sum: "#123456", "+1 800", "12/500",
    // "10:30", "555-1234", "5%".
    let before = num_start.checked_sub(1).map(|i| b[i]);
    match before {
        Some(b'#' | b'+') => return None,
        Some(b'.' | b',' | b'-' | b'/' | b':') if digit_at(num_start.checked_sub(2)) => {
            return None
        }
        _ => {}
    }
    match b.get(num_end) {
        Some(b'%') => return None,
        Some(b'/' | b':' | b'-') if digit_at(Some(num_end + 1)) => return None,
        _ => {}
    }

    // Currency before.
    let pre = prefix(text, num_start);
    if pre.is_none() && is_word_char_before(text, num_start) {
        // "A1200", "x500": an identifier, not a number.
        return None;
    }

    // Magnitude and currency after.
    let hi = floor_boundary(text, (num_end + 64).min(text.len()));
    // Cheap trigger first: a magnitude or currency after starts with a
    // letter, a symbol or a parenthesis.
    let rest = &text[num_end..hi];
    let rest = rest
        .strip_prefix(",-")
        .or_else(|| rest.strip_prefix(".-"))
        .unwrap_or(rest);
    let next = rest.strip_prefix(' ').unwrap_or(rest).chars().next();
    let may_have_suffix =
        next.is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '$' | '(') || !c.is_ascii());
    // The lazy DFA says whether anything beyond the filler matched; only then
    // pay for the groups.
    let found = may_have_suffix
        && SUFFIX
            .find(&text[num_end..hi])
            .is_some_and(|m| !matches!(m.as_str(), "" | " " | ",-" | ".-" | ",- " | ".- "))
        && SUFFIX.captures_read(locs, &text[num_end..hi]).is_some();
    // (start, end) in the view of a group of the suffix match.
    let group = |i: usize| {
        found
            .then(|| locs.get(i))
            .flatten()
            .map(|(s, e)| (num_end + s, num_end + e))
    };
    let mag = group(SUFFIX_MAG);
    let mut cur = group(SUFFIX_CUR);
    if let Some((s, e)) = cur {
        // "2019 $500": the symbol belongs to the next number.
        let t = &text[s..e];
        let symbol = !t
            .trim_matches(|c| c == '(' || c == ')')
            .chars()
            .any(char::is_alphabetic);
        let after = text[e..].trim_start_matches(' ');
        if symbol && !t.ends_with(')') && after.starts_with(|c: char| c.is_ascii_digit()) {
            cur = None;
        }
    }
    let suf = cur.map(|(s, e)| (e, Currency::of_token(text[s..e].trim())));

    let (currency, start, end_with_suffix) = match (pre, suf) {
        (Some((_, None, _)), _) => return None,
        (None, None) => return None,
        (None, Some((_, None))) => return None,
        (None, Some((e, Some(s)))) => (s, num_start, Some(e)),
        (Some((ps, Some(p), bare)), Some((e, Some(s)))) => {
            if p == s || (bare && !s.is_crypto()) {
                (s, ps, Some(e))
            } else {
                // "$500 BTC" is dollars paid in bitcoin.
                (p, ps, None)
            }
        }
        (Some((ps, Some(p), _)), _) => (p, ps, None),
    };
    if end_with_suffix.is_none()
        && mag.is_none()
        && text[num_end..].starts_with(char::is_alphanumeric)
    {
        // "BTC: 1A1zP1…": the digits start a word (a wallet, an id).
        return None;
    }
    let num_or_mag_end = mag.map_or(num_end, |m| m.1);
    let end = end_with_suffix.unwrap_or(num_or_mag_end);

    let decimal_crypto = matches!(
        currency,
        Currency::Btc | Currency::Ltc | Currency::Eth | Currency::Xmr | Currency::Bch
    );
    let mut value = match num.decimal_reading {
        Some(d) if decimal_crypto => d,
        _ => num.value,
    };
    let mut big = false;
    if let Some((s, e)) = mag {
        let m = text[s..e].to_ascii_lowercase();
        if matches!(
            m.as_str(),
            "thousand" | "tausend" | "mille" | "mila" | "mil" | "k"
        ) {
            value *= 1000.0;
        } else {
            big = true;
        }
    }
    if !(value > 0.0 && value < 1_000_000.0) {
        big = true;
    }
    Some(Money {
        start,
        end,
        value,
        currency,
        big,
    })
}

/// A currency just before the number at `num_start` ("US$", "€ ", "EUR ",
/// "BTC"): its start, the currency (`None` for one not reported, like "R$"),
/// and whether it is a bare "$" that a code after the number may refine.
fn prefix(text: &str, num_start: usize) -> Option<(usize, Option<Currency>, bool)> {
    // Codes only: "Euro 2024" is a football tournament.
    const CODES: &[&str] = &[
        "usdt", "usd", "eur", "gbp", "chf", "cad", "aud", "btc", "xbt", "ltc", "eth", "xmr", "bch",
        "doge",
    ];
    let head = &text[..num_start];
    let head = head.strip_suffix(' ').unwrap_or(head);
    // "BTC: 0.05", "USD: 1500" (a code as a label; symbols take no colon).
    let (head, colon) = match head.strip_suffix(':') {
        Some(h) => (h.strip_suffix(' ').unwrap_or(h), true),
        None => (head, false),
    };
    let sym = head.chars().next_back()?;
    if colon && !sym.is_ascii_alphabetic() {
        return None;
    }
    match sym {
        '€' | '£' | '₿' => {
            let start = head.len() - sym.len_utf8();
            Some((start, Currency::of_token(&head[start..]), false))
        }
        '$' => {
            let before = &head[..head.len() - 1];
            let letters = if before.ends_with("U.S.") {
                4
            } else {
                before.len()
                    - before
                        .trim_end_matches(|c: char| c.is_ascii_uppercase())
                        .len()
            };
            let start = before.len() - letters;
            if letters == 0 {
                // "US $1500", "CAD $700": the code written apart.
                if let Some(w) = before.strip_suffix(' ') {
                    let code = w.len() - w.trim_end_matches(|c: char| c.is_ascii_uppercase()).len();
                    let start = w.len() - code;
                    let cur = match &w[start..] {
                        "US" | "USD" => Some(Currency::Usd),
                        "CA" | "CAN" | "CAD" => Some(Currency::Cad),
                        "AU" | "AUD" => Some(Currency::Aud),
                        _ => None,
                    };
                    if cur.is_some() && !is_word_char_before(text, start) {
                        return Some((start, cur, false));
                    }
                }
            }
            if letters == 0 || letters > 4 || is_word_char_before(text, start) {
                return Some((head.len() - 1, Some(Currency::Usd), true));
            }
            let cur = match &before[start..] {
                "US" | "U.S." | "USD" => Some(Currency::Usd),
                "C" | "CA" | "CAN" | "CAD" => Some(Currency::Cad),
                "A" | "AU" | "AUD" => Some(Currency::Aud),
                // R$, NZ$, HK$, MX$…: a currency this module does not report.
                _ => None,
            };
            Some((start, cur, false))
        }
        c if c.is_ascii_alphabetic() => {
            let word_len = head.len()
                - head
                    .trim_end_matches(|c: char| c.is_ascii_alphabetic())
                    .len();
            let start = head.len() - word_len;
            let word = &head[start..];
            if word_len > 5
                || is_word_char_before(text, start)
                || !CODES.iter().any(|c| word.eq_ignore_ascii_case(c))
            {
                return None;
            }
            Some((start, Currency::of_token(word), false))
        }
        _ => None,
    }
}

fn is_word_char_before(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

/// The largest character boundary at or before `i`.
fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_str(s: &str) -> Vec<(f64, &'static str, String, bool)> {
        let mut v = View::default();
        v.build(s);
        let mut out = Vec::new();
        scan(&v, &mut out);
        out.iter()
            .map(|m| {
                let (a, b) = v.source_range(s, m.start, m.end);
                (m.value, m.currency.code(), s[a..b].to_string(), m.big)
            })
            .collect()
    }

    /// `t!(name, text, [(value, "CUR", "raw"), …])`: the sums found, in order,
    /// none of them big.
    macro_rules! t {
        ($name:ident, $text:expr, [$(($v:expr, $c:expr, $raw:expr)),* $(,)?]) => {
            #[test]
            fn $name() {
                let got = scan_str($text);
                let want: Vec<(f64, &str, String, bool)> = vec![$(($v as f64, $c, $raw.to_string(), false)),*];
                assert_eq!(got, want, "in {:?}", $text);
            }
        };
    }

    t!(dollar_prefix, "send $800 now", [(800, "USD", "$800")]);
    t!(dollar_suffix, "send 800$ now", [(800, "USD", "800$")]);
    t!(us_dollar_sign, "US$ 1,500", [(1500, "USD", "US$ 1,500")]);
    t!(euro_dot_thousands, "1.500 €", [(1500, "EUR", "1.500 €")]);
    t!(
        euro_space_thousands,
        "1 500 EUR",
        [(1500, "EUR", "1 500 EUR")]
    );
    t!(
        nbsp_thousands,
        "1\u{a0}500 EUR",
        [(1500, "EUR", "1\u{a0}500 EUR")]
    );
    t!(
        thin_space_thousands,
        "1\u{2009}500\u{202f}€",
        [(1500, "EUR", "1\u{2009}500\u{202f}€")]
    );
    t!(pound, "£650.", [(650, "GBP", "£650")]);
    t!(usd_code, "1200 USD", [(1200, "USD", "1200 USD")]);
    t!(
        united_states_dollars,
        "900 United States Dollars",
        [(900, "USD", "900 United States Dollars")]
    );
    t!(euro_word, "2000 euro", [(2000, "EUR", "2000 euro")]);
    t!(
        btc_decimal,
        "0.583427 BTC",
        [(0.583427, "BTC", "0.583427 BTC")]
    );
    t!(
        usd_paren,
        "$1000 (USD) (In Bitcoin equivalent)",
        [(1000, "USD", "$1000 (USD)")]
    );
    t!(usdollar, "1000 USDollar", [(1000, "USD", "1000 USDollar")]);
    t!(
        us_dollars,
        "1,299 US dollars",
        [(1299, "USD", "1,299 US dollars")]
    );
    t!(dolares, "1500 dólares", [(1500, "USD", "1500 dólares")]);
    t!(
        dolares_americanos,
        "1.000 dólares americanos",
        [(1000, "USD", "1.000 dólares americanos")]
    );
    t!(euro_cap, "1.200 Euro", [(1200, "EUR", "1.200 Euro")]);
    t!(euro_sign_space, "€ 950", [(950, "EUR", "€ 950")]);
    t!(
        eur_prefix_decimals,
        "EUR 1.000,00",
        [(1000, "EUR", "EUR 1.000,00")]
    );
    t!(german_dollar, "1500 Dollar", [(1500, "USD", "1500 Dollar")]);
    t!(french_euros, "1 200 euros", [(1200, "EUR", "1 200 euros")]);
    t!(cents, "price: $19.99 per month", [(19.99, "USD", "$19.99")]);
    t!(
        english_thousands_decimals,
        "$1,250.50",
        [(1250.5, "USD", "$1,250.50")]
    );
    t!(
        cad,
        "$500 CAD or C$ 700",
        [(500, "CAD", "$500 CAD"), (700, "CAD", "C$ 700")]
    );
    t!(aud, "AU$900", [(900, "AUD", "AU$900")]);
    t!(chf, "CHF 1'500.-", [(1500, "CHF", "CHF 1'500")]);
    t!(
        crypto_codes,
        "0.1 LTC, 0.5 ETH, 1000 USDT, 2 XMR, 0.3 BCH, 5000 DOGE",
        [
            (0.1, "LTC", "0.1 LTC"),
            (0.5, "ETH", "0.5 ETH"),
            (1000, "USDT", "1000 USDT"),
            (2, "XMR", "2 XMR"),
            (0.3, "BCH", "0.3 BCH"),
            (5000, "DOGE", "5000 DOGE")
        ]
    );
    t!(
        btc_comma_decimal,
        "0,05 Bitcoin",
        [(0.05, "BTC", "0,05 Bitcoin")]
    );
    t!(
        btc_ambiguous_is_decimal,
        "1.500 BTC",
        [(1.5, "BTC", "1.500 BTC")]
    );
    t!(
        no_space_code,
        "USD1200 and 1200USD",
        [(1200, "USD", "USD1200"), (1200, "USD", "1200USD")]
    );
    t!(euro_dash, "1.500,- €", [(1500, "EUR", "1.500,- €")]);
    t!(k_thousands, "$2k", [(2000, "USD", "$2k")]);
    t!(
        fullwidth_digits,
        "＄１２００",
        [(1200, "USD", "＄１２００")]
    );
    t!(math_digits, "𝟭𝟮𝟬𝟬 USD", [(1200, "USD", "𝟭𝟮𝟬𝟬 USD")]);
    t!(cyrillic_code, "0.1 ВТС", [(0.1, "BTC", "0.1 ВТС")]);
    t!(
        zero_width_inside,
        "$1\u{200b}200",
        [(1200, "USD", "$1\u{200b}200")]
    );
    t!(
        dollar_before_next_number,
        "2019 $500",
        [(500, "USD", "$500")]
    );
    t!(brazilian_real_is_not_usd, "R$ 500", []);
    t!(
        bare_numbers,
        "order 123456, call 555-1234 on 12.05.2019 at 10:30, 5% in 2019",
        []
    );
    t!(date_then_currency, "12.05.2019 EUR", []);
    t!(hash_number, "#123456 USD", []);
    t!(
        pounds_sterling,
        "250 pounds sterling",
        [(250, "GBP", "250 pounds sterling")]
    );
    t!(
        italian_euro,
        "importo di 1.000 euro",
        [(1000, "EUR", "1.000 euro")]
    );
    t!(dutch_euros, "€1.250,-", [(1250, "EUR", "€1.250")]);

    proptest::proptest! {
        #[test]
        fn next_digit_is_the_first_digit(b in proptest::collection::vec(proptest::sample::select(vec![
            b'0', b'5', b'9', b'/', b':', b'a', b' ', 0x80, 0xb0, 0xb9, 0xc3, 0xff, 0x00, 0x7f, 0x39 ^ 0x80,
        ]), 0..40), from in 0usize..45) {
            let want = b.get(from..).and_then(|t| t.iter().position(u8::is_ascii_digit)).map(|k| from + k);
            let got = if from <= b.len() { next_digit(&b, from) } else { None };
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn next_digit_every_byte() {
        for v in 0..=255u8 {
            for at in 0..10 {
                let mut b = vec![b'x'; 10];
                b[at] = v;
                let want = v.is_ascii_digit().then_some(at);
                assert_eq!(next_digit(&b, 0), want, "{v:#x} at {at}");
            }
        }
    }

    #[test]
    fn suffix_group_indexes() {
        let names: Vec<_> = SUFFIX.capture_names().collect();
        assert_eq!(names[SUFFIX_MAG], Some("mag"));
        assert_eq!(names[SUFFIX_CUR], Some("cur"));
    }

    t!(
        code_label,
        "BTC: 0.05, USD : 1500, Amount: 900",
        [(0.05, "BTC", "BTC: 0.05"), (1500, "USD", "USD : 1500")]
    );
    t!(euro_cup, "UEFA Euro 2024", []);
    t!(wallet_digit, "BTC: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", []);
    t!(
        us_apart,
        "US $1500, CAD $700, A $50",
        [
            (1500, "USD", "US $1500"),
            (700, "CAD", "CAD $700"),
            (50, "USD", "$50")
        ]
    );
    t!(
        us_dot_dollar,
        "paid.$500 or U.S.$600",
        [(500, "USD", "$500"), (600, "USD", "U.S.$600")]
    );

    #[test]
    fn magnitudes_are_big() {
        for s in [
            "$923 million",
            "$3.4 billion",
            "€2 Mrd.",
            "5 Millionen Euro",
            "$3.4bn",
            "1,5 milliards d'euros",
            "$1,200,000",
        ] {
            let got = scan_str(s);
            assert_eq!(got.len(), 1, "{s}");
            assert!(got[0].3, "{s}: {got:?}");
        }
    }

    #[test]
    fn number_conventions() {
        let v = |s: &str| {
            let mut view = View::default();
            view.build(s);
            number(&view, 0).1.map(|n| n.value)
        };
        assert_eq!(v("1,234,567.89"), Some(1234567.89));
        assert_eq!(v("1.234.567,89"), Some(1234567.89));
        assert_eq!(v("1 234 567"), Some(1234567.0));
        assert_eq!(v("0.00012"), Some(0.00012));
        assert_eq!(v("12,5"), Some(12.5));
        assert_eq!(v("1,23,456"), None);
        assert_eq!(v("12.05.2019"), None);
        assert_eq!(v("99999999999999999999"), None);
    }
}
