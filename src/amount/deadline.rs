//! Durations ("48 hours", "zwei Tage", "a week") and how strongly each is
//! tied to the demand.
//!
//! A letter mentions several durations; the deadline is the one a time-limit
//! word introduces ("you have", "within", "innerhalb", "entro", "binnen")
//! or that sits in a sentence about paying or opening the letter. Durations
//! after "every", "for the last", "since", or before "ago", are history or
//! boasting ("I update its signatures every 4 hours"), never the limit.

use std::sync::LazyLock;

use regex::Regex;

use super::cue::{self, Hit, DL_AFTER, DL_AGO, DL_NEG, DL_PRE, DL_TIE, PAY};
use super::view::View;

/// The longest deadline reported: a month.
pub(super) const MAX_HOURS: u32 = 24 * 30;

/// Number words, folded. `true`: the word also means "a", so the duration
/// counts only after a time-limit word ("within a day", not "one day I…").
const NUMBER_WORDS: &[(&str, u32, bool)] = &[
    ("a", 1, true),
    ("an", 1, true),
    ("one", 1, true),
    ("two", 2, false),
    ("three", 3, false),
    ("four", 4, false),
    ("five", 5, false),
    ("six", 6, false),
    ("seven", 7, false),
    ("ten", 10, false),
    ("twelve", 12, false),
    ("twenty four", 24, false),
    ("forty eight", 48, false),
    ("seventy two", 72, false),
    ("ein", 1, true),
    ("eine", 1, true),
    ("einen", 1, true),
    ("einem", 1, true),
    ("einer", 1, true),
    ("zwei", 2, false),
    ("drei", 3, false),
    ("vier", 4, false),
    ("funf", 5, false),
    ("sechs", 6, false),
    ("sieben", 7, false),
    ("zehn", 10, false),
    ("zwolf", 12, false),
    ("vierundzwanzig", 24, false),
    ("achtundvierzig", 48, false),
    ("zweiundsiebzig", 72, false),
    ("un", 1, true),
    ("une", 1, true),
    ("deux", 2, false),
    ("trois", 3, false),
    ("quatre", 4, false),
    ("cinq", 5, false),
    ("sept", 7, false),
    ("dix", 10, false),
    ("douze", 12, false),
    ("vingt quatre", 24, false),
    ("quarante huit", 48, false),
    ("soixante douze", 72, false),
    ("uno", 1, true),
    ("una", 1, true),
    ("dos", 2, false),
    ("tres", 3, false),
    ("cuatro", 4, false),
    ("cinco", 5, false),
    ("seis", 6, false),
    ("siete", 7, false),
    ("diez", 10, false),
    ("doce", 12, false),
    ("veinticuatro", 24, false),
    ("cuarenta y ocho", 48, false),
    ("setenta y dos", 72, false),
    ("um", 1, true),
    ("uma", 1, true),
    ("dois", 2, false),
    ("duas", 2, false),
    ("quatro", 4, false),
    ("sete", 7, false),
    ("dez", 10, false),
    ("doze", 12, false),
    ("vinte e quatro", 24, false),
    ("quarenta e oito", 48, false),
    ("setenta e duas", 72, false),
    ("setenta e dois", 72, false),
    ("due", 2, false),
    ("tre", 3, false),
    ("quattro", 4, false),
    ("cinque", 5, false),
    ("sei", 6, false),
    ("sette", 7, false),
    ("dieci", 10, false),
    ("dodici", 12, false),
    ("ventiquattro", 24, false),
    ("quarantotto", 48, false),
    ("settantadue", 72, false),
    ("een", 1, true),
    ("twee", 2, false),
    ("drie", 3, false),
    ("vijf", 5, false),
    ("zes", 6, false),
    ("zeven", 7, false),
    ("tien", 10, false),
    ("twaalf", 12, false),
    ("vierentwintig", 24, false),
    ("achtenveertig", 48, false),
    ("tweeenzeventig", 72, false),
];

/// Hour, day and week words, folded, longer spellings first.
const HOUR_UNITS: &str = "hours?|hrs?|h|stunden?|std|heures?|hres?|horas?|ore|ora|uur";
const DAY_UNITS: &str = "days?|tagen?|tage|tag|jours?|dias?|giorni|giorno|dagen|dag";
const WEEK_UNITS: &str = "weeks?|wochen?|woche|semaines?|semanas?|settimane|settimana|weken";

static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    let mut words: Vec<String> = NUMBER_WORDS
        .iter()
        .map(|(w, ..)| w.replace(' ', "[ -]"))
        .collect();
    // Longest first, so "eine" is not read as "ein" + "e…".
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let words = words.join("|");
    Regex::new(&format!(
        r"(?i-u)\b(?P<num>[0-9]{{1,3}}|{words})\)?(?: ?- ?| ?)(?:(?:full|whole|more|ganze|volle|vollen|entieres?|pleines?|completos?|completas?|intere|interi|hele|inteiros?|inteiras?) )?(?:(?P<h>{HOUR_UNITS})|(?P<d>{DAY_UNITS})|(?P<w>{WEEK_UNITS}))\b"
    ))
    .expect("static regex")
});

/// A duration found in the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Duration {
    /// View offsets of the number and unit.
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) hours: u32,
    /// How strongly it is tied to the demand: 2 for a time-limit word right
    /// before it, 1 more for a payment or opening word in its sentence, 1
    /// less when the sentence is about deleting the video.
    pub(super) score: u8,
}

/// A duration the regex found, before its context is read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    start: usize,
    end: usize,
    hours: u32,
    /// Weeks, or "a"/"one": counts only after a time-limit word.
    needs_pre: bool,
}

/// How far (view bytes) the cues that score a duration lie from it.
const TIE_REACH: usize = 150;
// The cues right before a duration lie inside its sentence window.
const _: () = assert!(cue::MAX_CUE_LEN + 3 <= TIE_REACH);

impl Candidate {
    /// The view range in which every cue [`score`] reads for this duration
    /// starts (see [`cue::find_in`]).
    pub(super) fn cue_window(&self) -> (usize, usize) {
        // `ending_in` before the number starts its search `MAX_CUE_LEN + 3`
        // bytes back and "ago" is looked for up to 3 bytes after the end:
        // both inside the sentence window.
        (self.start.saturating_sub(TIE_REACH), self.end + TIE_REACH)
    }
}

/// Finds the durations in the view (number, unit, hours in range), before
/// the cues around them are read.
pub(super) fn candidates(view: &View, out: &mut Vec<Candidate>) {
    out.clear();
    let text = view.as_str();
    let b = text.as_bytes();
    for c in DURATION.captures_iter(text) {
        let whole = c.get(0).expect("group 0");
        let num = c.name("num").expect("always present");
        let (start, end) = (whole.start(), whole.end());
        // "1.5 days", "24/7", "10:48 h" are not deadlines.
        if start >= 2
            && matches!(b[start - 1], b'.' | b',' | b'/' | b':')
            && b[start - 2].is_ascii_digit()
        {
            continue;
        }
        let (n, article) = match num.as_str().parse::<u32>() {
            Ok(n) => (n, false),
            Err(_) => {
                let w = num.as_str().to_ascii_lowercase().replace('-', " ");
                match NUMBER_WORDS.iter().find(|(k, ..)| *k == w) {
                    Some(&(_, n, article)) => (n, article),
                    None => continue,
                }
            }
        };
        let (per, weeks) = if c.name("h").is_some() {
            (1, false)
        } else if c.name("d").is_some() {
            (24, false)
        } else {
            (168, true)
        };
        let hours = n.saturating_mul(per);
        if hours == 0 || hours > MAX_HOURS {
            continue;
        }
        out.push(Candidate {
            start,
            end,
            hours,
            needs_pre: weeks || article,
        });
    }
}

/// Finds the durations that can be a deadline (incidental ones left out).
#[cfg(test)]
pub(super) fn scan(view: &View, hits: &[Hit], out: &mut Vec<Duration>) {
    let mut cands = Vec::new();
    candidates(view, &mut cands);
    score(view, hits, &cands, out);
}

/// Scores the candidates by the cues around them, leaving out the
/// incidental ones. `hits` holds at least the cues starting in each
/// candidate's [`Candidate::cue_window`].
pub(super) fn score(view: &View, hits: &[Hit], cands: &[Candidate], out: &mut Vec<Duration>) {
    out.clear();
    let text = view.as_str();
    for &Candidate {
        start,
        end,
        hours,
        needs_pre,
    } in cands
    {
        // Right before: at most a space and a colon or dash ("Deadline - 48 hours").
        let before = cue::ending_in(hits, start.saturating_sub(3), start)
            .filter(|h| !text[h.end as usize..start].contains(char::is_alphanumeric));
        let (mut pre, mut neg) = (false, false);
        for h in before {
            pre |= h.is(DL_PRE);
            neg |= h.is(DL_NEG);
        }
        let ago = cue::starting_in(hits, end, end + 3)
            .iter()
            .any(|h| h.is(DL_AGO));
        if neg || ago {
            continue;
        }
        // Weeks are mostly how long the spying went on, and "a"/"one" is
        // mostly an article: both count only after a time-limit word.
        if needs_pre && !pre {
            continue;
        }
        let (mut tied, mut promise) = (false, false);
        for h in cue::starting_in(hits, start.saturating_sub(TIE_REACH), end + TIE_REACH) {
            let outside = h.end as usize <= start || h.start as usize >= end;
            if outside
                && h.is(PAY | DL_TIE | DL_AFTER)
                && view.same_sentence(h.start as usize, start)
            {
                tied |= h.is(PAY | DL_TIE);
                promise |= h.is(DL_AFTER);
            }
        }
        let score = (if pre { 2 } else { 0 } + u8::from(tied)).saturating_sub(u8::from(promise));
        out.push(Duration {
            start,
            end,
            hours,
            score,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn durations(s: &str) -> Vec<(u32, u8, String)> {
        let mut v = View::default();
        v.build(s);
        let mut hits = Vec::new();
        cue::find(v.as_str(), &mut hits);
        let mut out = Vec::new();
        scan(&v, &hits, &mut out);
        out.iter()
            .map(|d| {
                let (a, b) = v.source_range(s, d.start, d.end);
                (d.hours, d.score, s[a..b].to_string())
            })
            .collect()
    }

    /// `t!(name, text, [(hours, score, "raw"), …])`: the candidate durations.
    macro_rules! t {
        ($name:ident, $text:expr, [$(($h:expr, $s:expr, $raw:expr)),* $(,)?]) => {
            #[test]
            fn $name() {
                let want: Vec<(u32, u8, String)> = vec![$(($h, $s, $raw.to_string())),*];
                assert_eq!(durations($text), want, "in {:?}", $text);
            }
        };
    }

    t!(
        you_have_hours,
        "You have 48 hours to make the payment.",
        [(48, 3, "48 hours")]
    );
    t!(within_days, "within 2 days", [(48, 2, "2 days")]);
    t!(
        fifty_hours,
        "You have 50 hours (2 days +) to pay.",
        [(50, 3, "50 hours"), (48, 1, "2 days")]
    );
    t!(
        after_open,
        "within 36 hours after you open this",
        [(36, 3, "36 hours")]
    );
    t!(one_day, "you have one day", [(24, 2, "one day")]);
    t!(a_day, "Pay within a day.", [(24, 3, "a day")]);
    t!(h_suffix, "in 24h", [(24, 2, "24h")]);
    t!(hyphen_hour, "a 48-hour deadline", [(48, 1, "48-hour")]);
    t!(
        german_words,
        "Sie haben zwei Tage Zeit",
        [(48, 2, "zwei Tage")]
    );
    t!(
        german_hours,
        "innerhalb von 48 Stunden",
        [(48, 2, "48 Stunden")]
    );
    t!(french_hours, "dans les 48 heures", [(48, 2, "48 heures")]);
    t!(
        french_words,
        "Vous avez deux jours",
        [(48, 2, "deux jours")]
    );
    t!(
        spanish,
        "tienes 48 horas, en dos días",
        [(48, 2, "48 horas"), (48, 2, "dos días")]
    );
    t!(portuguese, "no prazo de dois dias", [(48, 2, "dois dias")]);
    t!(
        italian,
        "entro 48 ore o due giorni",
        [(48, 2, "48 ore"), (48, 0, "due giorni")]
    );
    t!(
        dutch,
        "binnen 48 uur, twee dagen",
        [(48, 2, "48 uur"), (48, 0, "twee dagen")]
    );
    t!(a_week, "You have a week.", [(168, 2, "a week")]);
    t!(
        quoted_lines,
        "> you have\n> 48\u{a0}hours",
        [(48, 2, "48\u{a0}hours")]
    );
    t!(
        every_four_hours,
        "I update its signatures every 4 hours.",
        []
    );
    t!(last_months, "for the last 5 months and the last 3 days", []);
    t!(ago, "I installed it 2 weeks ago, 3 days ago", []);
    t!(
        spying_weeks,
        "I have been watching you for 2 weeks. For two weeks.",
        []
    );
    t!(one_day_story, "One day I saw you.", []);
    t!(twenty_four_seven, "24/7 support, 1.5 days", []);
    t!(over_cap, "within 900 hours", []);
    t!(homoglyphs, "уоu hаvе 4８ hоurs", [(48, 2, "4８ hоurs")]);
    t!(german_seit, "seit 3 Tagen, alle 4 Stunden", []);
    t!(deadline_dash, "Deadline - 48 hours", [(48, 3, "48 hours")]);
    t!(
        paren_number,
        "within forty-eight (48) hours",
        [(48, 0, "48) hours")]
    );
    t!(
        delete_after_payment,
        "I will delete the video within 24 hours after payment.",
        []
    );
    t!(
        delete_promise_is_weaker,
        "You have 48 hours to pay. Once paid, I will erase everything within 24 hours.",
        [(48, 3, "48 hours"), (24, 2, "24 hours")]
    );
    t!(genau, "Sie haben genau 48 Stunden", [(48, 2, "48 Stunden")]);
}
