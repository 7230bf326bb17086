//! Context words: what ties a figure to a payment demand, or a duration to
//! a time limit, and what marks one as incidental.
//!
//! One Aho-Corasick automaton (ASCII case-insensitive, overlapping) over every
//! cue of every language, run once per text; the scanners then look at the
//! cues near each candidate with a binary search. Patterns are written in the
//! folded form the [`super::view::View`] produces: no diacritics ("uberweisen",
//! "dolares"), ASCII apostrophes. A trailing `*` makes a pattern a stem (no
//! word boundary required after it); otherwise it must be a whole word.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::worddfa::{WordDfa, WordRules};

/// Payment verbs and nouns, wallet words (weight 2 near an amount).
pub(super) const PAY: u16 = 1 << 0;
/// Cryptocurrency names: the currency the victim must buy.
pub(super) const CRYPTO: u16 = 1 << 1;
/// "I want", "I need": a demand, strongest right before the sum.
pub(super) const ASK: u16 = 1 << 2;
/// Prize, investment, shop and invoice words: the figure is not a ransom.
pub(super) const NEG: u16 = 1 << 3;
/// Right after an amount: a recurring price or a shop's small print.
pub(super) const PERIOD: u16 = 1 << 4;
/// Right before an amount: "save $50", "from $9.99", "up to".
pub(super) const PRE_PRICE: u16 = 1 << 5;
/// Right before a duration: "within", "you have", "innerhalb", "entro".
pub(super) const DL_PRE: u16 = 1 << 6;
/// Right before a duration: "every", "for the last", "seit": not a limit.
pub(super) const DL_NEG: u16 = 1 << 7;
/// Right after a duration: "ago", "a day": not a limit.
pub(super) const DL_AGO: u16 = 1 << 8;
/// In the sentence of a duration: opening, timer, deadline words.
pub(super) const DL_TIE: u16 = 1 << 9;
/// In the sentence of a duration: deleting the video, which the letter
/// promises "within 24 hours" of payment; a weaker tie than the limit.
pub(super) const DL_AFTER: u16 = 1 << 10;
/// "Price", "cost": a demand's word, but also the language of adverts.
pub(super) const PRICE: u16 = 1 << 11;

/// `(kinds, "pattern|pattern*|…")`. A pattern listed under several kinds
/// carries all of them.
const TABLE: &[(u16, &str)] = &[
    // English
    (
        PAY,
        "pay*|paid|send*|transfer*|wire|wiring|deposit*|remit*|amount|sum|fee|fees|equivalent|\
         wallet*|bitcoin address|btc address|following address|my address",
    ),
    (ASK, "want|need|demand*|require*|ask|asking|request*|expect"),
    (PRICE, "price|cost|costs|donation|fair|reasonable"),
    (
        NEG,
        "prize*|winner*|win|wins|won|winning*|lottery|jackpot|reward*|bonus*|earn*|profit*|income|\
         salary|salaries|invest*|dividend*|cashback|refund*|discount*|coupon*|shipping|\
         subscription*|subscribe*|trial|your order|order number|order #|invoice*|receipt*|billed|\
         charged|compensation|inheritance|loan|loans|giveaway*|airdrop*|gift card*|\
         market*|stock|stocks|shares|revenue*|raised|funding|valuation*|tax refund|\
         bitcoin price|btc price|price of bitcoin|analyst*|trading|traded|rose|fell|surge*|plunge*|\
         soar*|rally|all-time",
    ),
    (
        PERIOD,
        "/month|/mo|/mth|/m|/year|/yr|/week|/wk|/day|p/m|per month|a month|monthly|per year|a year|\
         yearly|annually|per annum|per week|a week|weekly|per day|a day|daily|each month|\
         every month|off|vat|+vat|+ vat|tax|plus tax|incl*|excl*",
    ),
    (PRE_PRICE, "save|saving|from|starting at|up to|over|under|as low as|for only"),
    (
        DL_PRE,
        "within|within the next|in|in the next|next|only|you have|you've got|you got|have|has|\
         give you|giving you|given|i give|get|you get|maximum|max|at most|exactly|no more than|less than|\
         no later than|deadline|deadline is|deadline of|period of|limit of|time limit|\
         precisely|just",
    ),
    (
        DL_NEG,
        "every|each|for|for the|last|past|previous|over|during|since|already|spent|took|took me|\
         for about|for almost|for over|for nearly|for more than|about|almost|nearly|around",
    ),
    (
        DL_AGO,
        "ago|earlier|before|back|a day|a week|a month|per day|per week|each day|every day|\
         of spying|of monitoring|of recording|of observation|long|straight|in a row|\
         after payment|after the payment|after receiving|after i receive|of receiving|\
         of payment|of the payment",
    ),
    (
        DL_TIE,
        "open*|read*|timer|countdown|deadline|time limit|clock|once you|moment you|since you|\
         as soon as",
    ),
    (DL_AFTER, "delete*|deleting|erase*|erasing|destroy*|remove|wipe*"),
    // Crypto names, every language
    (
        CRYPTO,
        "bitcoin*|btc|litecoin*|ltc|ethereum|eth|ether|usdt|tether|monero|xmr|crypto*|krypto*|\
         cripto*|bch|doge*",
    ),
    // German
    (
        PAY,
        "zahl*|bezahl*|einzahl*|uberweis*|ueberweis*|sende|senden|sendest|sendet|schick*|betrag*|\
         gebuhr*|summe|aquivalent*|gegenwert|brieftasche|bitcoin-adresse|wallet-adresse",
    ),
    (ASK, "will|mochte|verlange*|fordere*|brauche"),
    (PRICE, "preis|kostet|angemessen*"),
    (
        NEG,
        "gewinn*|gewonnen|preisgeld|rabatt*|bestellung*|rechnung*|erstattung*|verdien*|rendite|\
         gutschein*|aktie*",
    ),
    (
        PERIOD,
        "pro monat|im monat|monatlich|pro jahr|im jahr|jahrlich|pro tag|taglich|mwst|zzgl*|inkl*",
    ),
    (PRE_PRICE, "ab|spare|sparen|nur noch|bis zu"),
    (
        DL_PRE,
        "innerhalb|innerhalb von|innerhalb der|binnen|nachsten|haben|hast|habt|gebe|frist|\
         frist von|noch|nur|maximal|hochstens|spatestens|genau|lediglich",
    ),
    (
        DL_NEG,
        "alle|jede|jeden|jedes|seit|letzten|vergangenen|fur|uber|vor|wahrend|schon|bereits",
    ),
    (
        DL_AGO,
        "zuvor|vorher|davor|lang|am tag|pro tag|pro woche|nach erhalt|nach eingang|nach zahlung|\
         nach der zahlung",
    ),
    (DL_AFTER, "losch*|geloscht|vernicht*"),
    (DL_TIE, "offn*|geoffnet|gelesen|lesen|timer|countdown|frist"),
    // French
    (
        PAY,
        "paiement*|envoy*|envoi*|virement*|virer|virez|verse*|montant|somme|frais|portefeuille|\
         adresse bitcoin",
    ),
    (ASK, "veux|exige*|demande"),
    (PRICE, "prix|raisonnable|juste"),
    (
        NEG,
        "gagn*|remise*|commande*|facture*|rembours*|code promo|promo*|soldes|livraison|cadeau*",
    ),
    (PERIOD, "par mois|/mois|par an|par jour|mensuel*|ttc|ht|tva"),
    (PRE_PRICE, "economisez|a partir de|jusqu'a"),
    (
        DL_PRE,
        "dans|dans les|sous|en|avez|prochaines|d'ici|delai de|delai|seulement|que|disposez de|\
         maximum|exactement|precisement",
    ),
    (
        DL_NEG,
        "chaque|toutes les|tous les|depuis|derniers|dernieres|pendant|il y a|durant|passes|passees",
    ),
    (
        DL_AGO,
        "auparavant|plus tot|par jour|par semaine|apres reception|apres le paiement|\
         apres paiement|suivant le paiement|suivant la reception",
    ),
    (DL_AFTER, "supprim*|effac*|detrui*"),
    (DL_TIE, "ouvr*|ouvert*|lu|lire|minuteur|compte a rebours|delai"),
    // Spanish
    (
        PAY,
        "pagar|pague|pagues|paga|pagas|pago|pagos|pagame|pagarme|enviar|envie|envia|envias|envies|\
         envio|enviame|enviarme|transfer*|deposit*|\
         cantidad|monto|importe|suma|billetera|cartera|monedero",
    ),
    (ASK, "quiero|exijo|necesito|pido"),
    (PRICE, "precio|razonable|justo"),
    (NEG, "gana*|premio*|descuento*|pedido*|factura*|reembolso*|sorteo*|regalo*|envio gratis"),
    (PERIOD, "al mes|por mes|mensual*|al ano|por ano|por dia|al dia|iva"),
    (PRE_PRICE, "ahorra|desde|hasta"),
    (
        DL_PRE,
        "dentro de|dentro de las|proximas|tienes|tiene|plazo de|plazo|solo|un maximo de|maximo|\
         exactamente",
    ),
    (DL_NEG, "cada|desde hace|hace|ultimos|ultimas|durante|por|pasados|pasadas"),
    (DL_AGO, "atras|antes|despues del pago|despues de recibir|tras recibir|tras el pago"),
    (DL_AFTER, "elimin*|borr*|destru*"),
    (DL_TIE, "abr*|leido|leer|temporizador|cuenta regresiva|cuenta atras"),
    // Italian
    (
        PAY,
        "pagare|pagami|pagamento|pagherai|paghi|invia*|trasferi*|bonifico|importo|somma|versare|\
         versamento|portafoglio",
    ),
    (ASK, "voglio|chiedo|esigo"),
    (PRICE, "prezzo|ragionevole|giusto"),
    (NEG, "vinci*|vincit*|premio*|sconto*|ordine|fattura*|rimborso*|guadagn*|omaggio"),
    (PERIOD, "al mese|mensil*|all'anno|al giorno"),
    (PRE_PRICE, "risparmia|a partire da|fino a"),
    (DL_PRE, "entro|tra|fra|hai|avete|prossime|massimo|esattamente|soltanto|solo"),
    (DL_NEG, "ogni|da|per|ultimi|ultime|scorsi|scorse"),
    (DL_AGO, "fa|prima|dopo il pagamento|dopo aver ricevuto|dalla ricezione"),
    (DL_AFTER, "cancell*|elimin*|distrugg*"),
    (DL_TIE, "apri*|aperto|letto|leggere|conto alla rovescia|scadenza"),
    // Dutch
    (
        PAY,
        "betal*|betaal*|overmak*|over te maken|maak|stuur|sturen|stort*|bedrag*|overschrijv*|\
         overboek*|portemonnee",
    ),
    (ASK, "wil|eis|vraag"),
    (PRICE, "prijs|redelijk*"),
    (NEG, "winn*|korting*|bestelling*|factuur*|terugbetal*|verdien*|cadeau"),
    (PERIOD, "per maand|per jaar|per dag|maandelijks|btw"),
    (PRE_PRICE, "bespaar|vanaf|tot"),
    (
        DL_PRE,
        "binnen|hebt|heeft|heb|komende|volgende|slechts|maar|uiterlijk|maximaal|precies|exact",
    ),
    (DL_NEG, "elke|iedere|elk|sinds|afgelopen|laatste|gedurende|al|voor"),
    (DL_AGO, "geleden|terug|lang|per dag|per week|na ontvangst|na betaling|na de betaling"),
    (DL_AFTER, "verwijder*|vernietig*|wis"),
    (DL_TIE, "geopend|gelezen|lezen|aftellen"),
    // Portuguese
    (
        PAY,
        "pagar|pague|pagamento|pago|enviar|envie|envia|envio|transfer*|deposit*|quantia|valor|\
         montante|carteira",
    ),
    (ASK, "quero|exijo|peco"),
    (PRICE, "preco|razoavel|justo"),
    (NEG, "ganh*|premio*|desconto*|pedido*|fatura*|reembolso*|brinde*|frete gratis"),
    (PERIOD, "por mes|mensal|mensais|por ano|por dia|ao mes"),
    (PRE_PRICE, "economize|a partir de|ate"),
    (DL_PRE, "em|dentro de|prazo de|prazo|tem|proximas|apenas|so|no maximo|exatamente"),
    (DL_NEG, "cada|ultimos|ultimas|durante|por|desde ha|passados"),
    (DL_AGO, "atras|antes|apos o pagamento|apos receber|apos recebimento"),
    (DL_AFTER, "apag*|exclu*|destru*|elimin*"),
    (DL_TIE, "abr*|lido|ler|temporizador|cronometro|contagem regressiva"),
];

struct Cues {
    dfa: WordDfa,
    /// The patterns, for the differential test.
    #[cfg(test)]
    texts: Vec<&'static str>,
    /// Per pattern: kinds, and whether it is a stem.
    pats: Vec<(u16, bool)>,
}

static CUES: LazyLock<Cues> = LazyLock::new(|| {
    let mut index: HashMap<(&'static str, bool), usize> = HashMap::new();
    let mut texts: Vec<&'static str> = Vec::new();
    let mut pats: Vec<(u16, bool)> = Vec::new();
    for &(kinds, list) in TABLE {
        for p in list.split('|') {
            let p = p.trim();
            let (p, stem) = match p.strip_suffix('*') {
                Some(s) => (s, true),
                None => (p, false),
            };
            debug_assert!(p.is_ascii() && !p.is_empty(), "cue {p:?}");
            match index.get(&(p, stem)) {
                Some(&i) => pats[i].0 |= kinds,
                None => {
                    index.insert((p, stem), texts.len());
                    texts.push(p);
                    pats.push((kinds, stem));
                }
            }
        }
    }
    // Starts are checked again below against Unicode letters; the
    // automaton's ASCII rule only lets through a superset.
    let rules = WordRules {
        is_word: |b| b.is_ascii_alphanumeric(),
        ascii_case_insensitive: true,
        free_nonword_start: true,
    };
    let dfa = WordDfa::new(&texts, rules).expect("static cue table");
    Cues {
        dfa,
        #[cfg(test)]
        texts,
        pats,
    }
});

/// One cue found in the scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Hit {
    /// Byte offsets in the view.
    pub(super) start: u32,
    pub(super) end: u32,
    /// Bit set of the kinds above.
    pub(super) kinds: u16,
}

impl Hit {
    pub(super) fn is(&self, kinds: u16) -> bool {
        self.kinds & kinds != 0
    }
}

/// Finds every cue in `text` (overlapping, whole words or stems), sorted by
/// start offset: the reference for [`find_in`].
#[cfg(test)]
pub(super) fn find(text: &str, out: &mut Vec<Hit>) {
    out.clear();
    let cues = &*CUES;
    cues.dfa.find(text.as_bytes(), |pid, s, e| {
        if let Some(h) = keep(text, cues.pats[pid], s, e) {
            out.push(h);
        }
    });
    out.sort_unstable_by_key(|h| (h.start, h.end, h.kinds));
}

/// Finds the cues that start inside `windows` (view byte ranges, in any
/// order; they are sorted and merged here), sorted by start offset: the same
/// hits as [`find`] restricted to those starts. The scanners only look at
/// cues near a sum or a duration, and most of a letter is neither.
///
/// The automaton restarted at a window's start `lo` reports every match that
/// [`find`] reports starting at or after `lo`, plus possibly one starting at
/// `lo` right after a word byte, which [`keep`] rejects as [`find`] would.
pub(super) fn find_in(text: &str, windows: &mut [(usize, usize)], out: &mut Vec<Hit>) {
    out.clear();
    windows.sort_unstable();
    let cues = &*CUES;
    let b = text.as_bytes();
    let mut i = 0;
    while i < windows.len() {
        let (lo, mut hi) = windows[i];
        i += 1;
        // Merge overlapping windows: one run each.
        while i < windows.len() && windows[i].0 <= hi {
            hi = hi.max(windows[i].1);
            i += 1;
        }
        let (lo, hi) = (lo.min(b.len()), hi.min(b.len()));
        if lo >= hi {
            continue;
        }
        // A cue starting before `hi` ends at most `MAX_CUE_LEN` bytes later.
        let run_end = (hi + MAX_CUE_LEN).min(b.len());
        cues.dfa.find(&b[lo..run_end], |pid, s, e| {
            let (s, e) = (lo + s, lo + e);
            if s < hi {
                if let Some(h) = keep(text, cues.pats[pid], s, e) {
                    out.push(h);
                }
            }
        });
    }
    out.sort_unstable_by_key(|h| (h.start, h.end));
}

/// The hit of a pattern found at `s..e`, if it starts and ends where a cue
/// may: not right after a letter (for one that starts with a letter), and at
/// a word's end unless it is a stem, whose hit then covers the whole word.
fn keep(text: &str, (kinds, stem): (u16, bool), s: usize, e: usize) -> Option<Hit> {
    // Patterns are ASCII, so both offsets are on character boundaries.
    let b = text.as_bytes();
    if b[s].is_ascii_alphanumeric() && is_word_char_before(text, s) {
        return None;
    }
    let e = if stem {
        // A stem's hit covers the whole word: "Payment", not "Pay".
        e + text[e..]
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(text.len() - e)
    } else if b[e - 1].is_ascii_alphanumeric() && is_word_char_at(text, e) {
        return None;
    } else {
        e
    };
    Some(Hit {
        start: s as u32,
        end: e as u32,
        kinds,
    })
}

/// The hits that start in `lo..hi`.
pub(super) fn starting_in(hits: &[Hit], lo: usize, hi: usize) -> &[Hit] {
    let a = hits.partition_point(|h| (h.start as usize) < lo);
    let b = hits.partition_point(|h| (h.start as usize) < hi);
    &hits[a..b.max(a)]
}

/// The hits that end in `lo..=hi`; `hits` is sorted by start, and a cue is at
/// most a few dozen bytes long, so the search starts a little before `lo`.
pub(super) fn ending_in(hits: &[Hit], lo: usize, hi: usize) -> impl Iterator<Item = &Hit> {
    starting_in(hits, lo.saturating_sub(MAX_CUE_LEN), hi + 1)
        .iter()
        .filter(move |h| (lo..=hi).contains(&(h.end as usize)))
}

pub(super) const MAX_CUE_LEN: usize = 32;

fn is_word_char_before(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

fn is_word_char_at(text: &str, i: usize) -> bool {
    text[i..].chars().next().is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds_of(text: &str, word: &str) -> u16 {
        let mut hits = Vec::new();
        find(text, &mut hits);
        let s = text.find(word).unwrap();
        hits.iter()
            .filter(|h| h.start as usize == s && h.end as usize == s + word.len())
            .fold(0, |k, h| k | h.kinds)
    }

    #[test]
    fn whole_words_and_stems() {
        assert_eq!(kinds_of("Payment now", "Payment"), PAY);
        assert_eq!(kinds_of("paiement", "paiement"), PAY);
        assert_eq!(kinds_of("repay it", "pay"), 0);
        assert_eq!(kinds_of("Windows update", "Win"), 0);
        assert_eq!(kinds_of("you WON!", "WON"), NEG);
        assert_eq!(kinds_of("every 4 hours", "every"), DL_NEG);
        assert_eq!(kinds_of("$20/month", "/month"), PERIOD);
        assert!(kinds_of("the deadline", "deadline") & DL_TIE != 0);
        assert!(kinds_of("the deadline", "deadline") & DL_PRE != 0);
    }

    #[test]
    fn longest_cue_fits_the_bound() {
        for &(_, list) in TABLE {
            for p in list.split('|') {
                assert!(p.trim().len() <= MAX_CUE_LEN, "{p}");
            }
        }
    }

    #[test]
    fn ending_in_finds_multiword() {
        let t = "you have 48 hours";
        let mut hits = Vec::new();
        find(t, &mut hits);
        let k = ending_in(&hits, 7, 8).fold(0, |k, h| k | h.kinds);
        assert!(k & DL_PRE != 0);
    }

    /// The automaton finds what `aho_corasick` (overlapping, ASCII case
    /// folded) finds once the same start and end rules are applied.
    fn oracle(text: &str) -> Vec<Hit> {
        let cues = &*CUES;
        let ac = aho_corasick::AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(&cues.texts)
            .unwrap();
        let mut v: Vec<Hit> = ac
            .find_overlapping_iter(text)
            .filter_map(|m| keep(text, cues.pats[m.pattern().as_usize()], m.start(), m.end()))
            .collect();
        v.sort_by_key(|h| (h.start, h.end, h.kinds));
        v
    }

    fn found(text: &str) -> Vec<Hit> {
        let mut v = Vec::new();
        find(text, &mut v);
        v.sort_by_key(|h| (h.start, h.end, h.kinds));
        v
    }

    #[test]
    fn same_hits_as_aho_corasick_on_real_mail() {
        let limits = crate::Limits::default();
        let mut n = 0;
        for (name, raw) in crate::test_mail::real_mail() {
            for body in crate::message::parse(&raw, &limits).bodies {
                let view = crate::normalize::normalize(&body, crate::normalize::Fold::Case);
                assert_eq!(
                    found(view.as_str()),
                    oracle(view.as_str()),
                    "{}",
                    name.display()
                );
                n += 1;
            }
        }
        assert!(n > 50, "{n}");
    }

    /// The hits of [`find`] that start in one of `windows`.
    fn found_in_oracle(text: &str, windows: &[(usize, usize)]) -> Vec<Hit> {
        let mut v = found(text);
        v.retain(|h| {
            windows
                .iter()
                .any(|&(lo, hi)| (lo..hi).contains(&(h.start as usize)))
        });
        v
    }

    fn found_in(text: &str, windows: &[(usize, usize)]) -> Vec<Hit> {
        let mut w = windows.to_vec();
        let mut v = Vec::new();
        find_in(text, &mut w, &mut v);
        v.sort_by_key(|h| (h.start, h.end, h.kinds));
        v
    }

    #[test]
    fn windows_on_real_mail() {
        let limits = crate::Limits::default();
        for (name, raw) in crate::test_mail::real_mail() {
            for body in crate::message::parse(&raw, &limits).bodies {
                let view = crate::normalize::normalize(&body, crate::normalize::Fold::Case);
                let t = view.as_str();
                // Windows at every digit (as around sums), cut anywhere, and
                // the whole text.
                let mut w: Vec<(usize, usize)> = t
                    .bytes()
                    .enumerate()
                    .filter(|(_, c)| c.is_ascii_digit())
                    .map(|(i, _)| (i.saturating_sub(37), i + 41))
                    .collect();
                w.push((0, t.len()));
                for ws in [&w[..w.len() - 1], &w[w.len() - 1..]] {
                    assert_eq!(
                        found_in(t, ws),
                        found_in_oracle(t, ws),
                        "{}",
                        name.display()
                    );
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn windows_agree_with_find(
            text in proptest::collection::vec(proptest::sample::select(vec![
                "USD", "usd", "$", "us$", "€", "é", "Bitcoin", "BTC", " ", "-", "1", "500", "hours",
                "Stunden", "payé", "x", ".", "per month", "within", "48", "\u{a0}", "días", "pay", "/month", "x/mo", "+vat", "€/Mo",
                "you have", "ab", "repay", "paym",
            ]), 0..30),
            windows in proptest::collection::vec((0usize..200, 0usize..80), 0..5),
        ) {
            let text = text.concat();
            let windows: Vec<(usize, usize)> = windows.into_iter().map(|(lo, n)| (lo, lo + n)).collect();
            proptest::prop_assert_eq!(found_in(&text, &windows), found_in_oracle(&text, &windows), "{:?} {:?}", text, windows);
        }

        #[test]
        fn same_hits_as_aho_corasick(
            text in proptest::collection::vec(proptest::sample::select(vec![
                "USD", "usd", "$", "us$", "€", "é", "Bitcoin", "BTC", " ", "-", "1", "500", "hours",
                "Stunden", "payé", "x", ".", "per month", "within", "48", "\u{a0}", "días", "pay", "/month", "x/mo", "+vat", "€/Mo",
            ]), 0..120),
        ) {
            let text = text.concat();
            proptest::prop_assert_eq!(found(&text), oracle(&text), "{:?}", text);
        }
    }
}
