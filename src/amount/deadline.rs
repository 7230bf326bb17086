//! Durations ("48 hours", "zwei Tage", "a week") and how strongly each is
//! tied to the demand.
//!
//! A letter mentions several durations; the deadline is the one a time-limit
//! word introduces ("you have", "within", "innerhalb", "entro", "binnen")
//! or that sits in a sentence about paying or opening the letter. Durations
//! after "every", "for the last", "since", or before "ago", are history or
//! boasting ("I update its signatures every 4 hours"), never the limit.

use std::sync::LazyLock;

use super::cue::{self, Hit, DL_AFTER, DL_AGO, DL_NEG, DL_PRE, DL_TIE, PAY};
use super::view::View;
use crate::swar;

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
/// Words between the number and the unit ("48 full hours"), folded.
const INTENSIFIERS: &str = "full|whole|more|ganze|volle|vollen|entieres?|pleines?|completos?|completas?|intere|interi|hele|inteiros?|inteiras?";

/// The regex [`find`] reads durations as; the reference it is tested
/// against.
#[cfg(test)]
static DURATION: LazyLock<regex::Regex> = LazyLock::new(|| {
    let mut words: Vec<String> = NUMBER_WORDS
        .iter()
        .map(|(w, ..)| w.replace(' ', "[ -]"))
        .collect();
    // Longest first, so "eine" is not read as "ein" + "e…".
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let words = words.join("|");
    regex::Regex::new(&format!(
        r"(?i-u)\b(?P<num>[0-9]{{1,3}}|{words})\)?(?: ?- ?| ?)(?:(?:{INTENSIFIERS}) )?(?:(?P<h>{HOUR_UNITS})|(?P<d>{DAY_UNITS})|(?P<w>{WEEK_UNITS}))\b"
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

/// A duration found, before its context is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Every spelling an alternation of folded words stands for ("hours?" is
/// "hours" and "hour"), in its order.
fn spellings(alts: &'static str) -> impl Iterator<Item = &'static str> {
    alts.split('|').flat_map(|w| {
        let long = w.strip_suffix('?').unwrap_or(w);
        let short = (long.len() < w.len()).then(|| &long[..long.len() - 1]);
        std::iter::once(long).chain(short)
    })
}

/// Byte classes of the finder: `0..26` a letter (folded), then these.
const SEP: u8 = 26;
/// `)`.
const PAREN: u8 = 27;
const DIGIT: u8 = 28;
/// Any other byte, and the end of the text.
const OTHER: u8 = 29;
const CLASSES: usize = 32;

/// The index of a sequence of byte classes in a bit set over them.
#[inline(always)]
fn class_key(seq: &[u8]) -> usize {
    seq.iter().fold(0, |k, &c| k * CLASSES + usize::from(c))
}

/// Hours per unit.
const HOUR: u32 = 1;
const DAY: u32 = 24;
const WEEK: u32 = 168;

/// A number word as the finder matches it.
struct NumWord {
    /// Folded; a space stands for a space or a hyphen.
    text: &'static [u8],
    /// The value and article flag of the first [`NUMBER_WORDS`] entry
    /// spelled so, as `candidates` has always looked them up.
    n: u32,
    article: bool,
}

/// A duration the finder matched, before the filters of `candidates`.
#[derive(Debug, Clone, Copy)]
struct Match {
    end: usize,
    n: u32,
    article: bool,
    /// Hours per unit.
    per: u32,
}

/// What the finder reads, built once from [`NUMBER_WORDS`], the unit lists
/// and [`INTENSIFIERS`], so that they stay the one place these words are
/// spelled.
struct Finder {
    /// The class of each byte.
    class: [u8; 256],
    /// Number words in the order the regex tried them: longest first. Of
    /// two that fit at one place, one is a prefix of the other (with at
    /// least its spaces), so this is the order the regex tried them in.
    words: Vec<NumWord>,
    /// By the classes of a word's first two bytes (`c0 * CLASSES + c1`), the
    /// indexes into `words` of the number words that can start so, in their
    /// order.
    by_start: Vec<Vec<u8>>,
    /// The bytes an intensifier or a unit starts with.
    begins_tail: [bool; 256],
    /// One bit for each sequence of three byte classes that can begin a
    /// duration (a class past the end reads as [`OTHER`]): most words are
    /// ruled out by their first three bytes. 4 KB, read at every word.
    starts3: Box<[u64]>,
    /// The same for four classes: 128 KB, read for the words that pass
    /// `starts3`.
    starts4: Box<[u64]>,
    /// Unit spellings by length, folded, with the hours per unit.
    units: Vec<Vec<(&'static [u8], u32)>>,
    /// Intensifier spellings by length, folded.
    intensifiers: Vec<Vec<&'static [u8]>>,
}

static FINDER: LazyLock<Finder> = LazyLock::new(Finder::new);

impl Finder {
    /// Builds the lookups (about 0.3 ms, once).
    fn new() -> Finder {
        let mut class = [OTHER; 256];
        for c in b'a'..=b'z' {
            class[usize::from(c)] = c - b'a';
            class[usize::from(c.to_ascii_uppercase())] = c - b'a';
        }
        class[usize::from(b' ')] = SEP;
        class[usize::from(b'-')] = SEP;
        class[usize::from(b')')] = PAREN;
        for c in b'0'..=b'9' {
            class[usize::from(c)] = DIGIT;
        }
        let classes = |w: &'static str| w.bytes().map(move |c| class[usize::from(c)]);
        let mut words: Vec<NumWord> = NUMBER_WORDS
            .iter()
            .map(|&(w, ..)| {
                let &(_, n, article) = NUMBER_WORDS.iter().find(|e| e.0 == w).expect("listed");
                NumWord {
                    text: w.as_bytes(),
                    n,
                    article,
                }
            })
            .collect();
        words.sort_by_key(|w| std::cmp::Reverse(w.text.len()));
        let mut by_start = vec![Vec::new(); 26 * CLASSES];
        for (k, w) in words.iter().enumerate() {
            let c0 = usize::from(class[usize::from(w.text[0])]);
            let k = u8::try_from(k).expect("few words");
            match w.text.get(1) {
                Some(&c) => by_start[c0 * CLASSES + usize::from(class[usize::from(c)])].push(k),
                None => (0..CLASSES).for_each(|c1| by_start[c0 * CLASSES + c1].push(k)),
            }
        }
        let mut begins_tail = [false; 256];

        let mut units: Vec<Vec<(&'static [u8], u32)>> = Vec::new();
        for (alts, per) in [(HOUR_UNITS, HOUR), (DAY_UNITS, DAY), (WEEK_UNITS, WEEK)] {
            for u in spellings(alts) {
                if units.len() <= u.len() {
                    units.resize(u.len() + 1, Vec::new());
                }
                // The regex tried the hour units first.
                if !units[u.len()].iter().any(|(v, _)| *v == u.as_bytes()) {
                    units[u.len()].push((u.as_bytes(), per));
                }
                for c in [u.as_bytes()[0], u.as_bytes()[0].to_ascii_uppercase()] {
                    begins_tail[usize::from(c)] = true;
                }
            }
        }
        let mut intensifiers: Vec<Vec<&'static [u8]>> = Vec::new();
        for w in spellings(INTENSIFIERS) {
            if intensifiers.len() <= w.len() {
                intensifiers.resize(w.len() + 1, Vec::new());
            }
            intensifiers[w.len()].push(w.as_bytes());
            for c in [w.as_bytes()[0], w.as_bytes()[0].to_ascii_uppercase()] {
                begins_tail[usize::from(c)] = true;
            }
        }

        // What can follow a number, cut to three classes: `)`, a
        // separator, an intensifier and its space, a unit, then a byte that
        // is no word byte (or the end).
        let cut = |it: &mut dyn Iterator<Item = u8>| -> Vec<u8> { it.take(3).collect() };
        let mut tails = Vec::new();
        for unit in spellings(HOUR_UNITS)
            .chain(spellings(DAY_UNITS))
            .chain(spellings(WEEK_UNITS))
        {
            for end in [SEP, PAREN, OTHER] {
                tails.push(cut(&mut classes(unit).chain([end])));
                for int in spellings(INTENSIFIERS) {
                    tails.push(cut(&mut classes(int)
                        .chain([SEP])
                        .chain(classes(unit))
                        .chain([end])));
                }
            }
        }
        tails.sort_unstable();
        tails.dedup();
        let mut after = Vec::new();
        for paren in 0..=1 {
            for sep in 0..=3 {
                for t in &tails {
                    after.push(cut(&mut std::iter::repeat_n(PAREN, paren)
                        .chain(std::iter::repeat_n(SEP, sep))
                        .chain(t.iter().copied())));
                }
            }
        }
        after.sort_unstable();
        after.dedup();
        let mut starts3 = vec![0; CLASSES.pow(3) / 64].into_boxed_slice();
        let mut starts4 = vec![0; CLASSES.pow(4) / 64].into_boxed_slice();
        let numbers = (1..=3).map(|k| vec![DIGIT; k]).chain(
            words
                .iter()
                .map(|w| w.text.iter().map(|&c| class[usize::from(c)]).collect()),
        );
        for number in numbers {
            for a in &after {
                // A number and what follows are three classes at least;
                // past a fourth, any class.
                let mut seq = [0; 4];
                let mut n = 0;
                for (slot, &c) in seq.iter_mut().zip(number.iter().chain(a)) {
                    *slot = c;
                    n += 1;
                }
                let key3 = class_key(&seq[..3]);
                starts3[key3 / 64] |= 1 << (key3 % 64);
                let fourth = if n == 4 {
                    seq[3]..seq[3] + 1
                } else {
                    0..CLASSES as u8
                };
                for c in fourth {
                    seq[3] = c;
                    let key4 = class_key(&seq);
                    starts4[key4 / 64] |= 1 << (key4 % 64);
                }
            }
        }
        Finder {
            class,
            words,
            by_start,
            begins_tail,
            starts3,
            starts4,
            units,
            intensifiers,
        }
    }

    /// Whether a duration can begin at `s` by the classes of its first `N`
    /// bytes, in `starts3` or `starts4`.
    #[inline(always)]
    fn may_start<const N: usize>(&self, set: &[u64], b: &[u8], s: usize) -> bool {
        let mut seq = [OTHER; N];
        match b.get(s..s + N) {
            Some(t) => seq
                .iter_mut()
                .zip(t)
                .for_each(|(c, &x)| *c = self.class[usize::from(x)]),
            None => seq
                .iter_mut()
                .zip(b.get(s..).unwrap_or_default())
                .for_each(|(c, &x)| *c = self.class[usize::from(x)]),
        }
        let key = class_key(&seq);
        set[key / 64] >> (key % 64) & 1 == 1
    }

    /// The duration the regex matched at `s`, a word start that passes
    /// [`Finder::may_start`], if any: the first number the rest fits after,
    /// in the regex's order.
    fn match_at(&self, b: &[u8], s: usize) -> Option<Match> {
        let c0 = self.class[usize::from(b[s])];
        if c0 == DIGIT {
            // `[0-9]{1,3}`: fewer digits than the run leave a digit next,
            // which nothing after the number starts with.
            let len = b[s..]
                .iter()
                .take(4)
                .take_while(|c| c.is_ascii_digit())
                .count();
            if len > 3 {
                return None;
            }
            let n = b[s..s + len]
                .iter()
                .fold(0, |n, &c| n * 10 + u32::from(c - b'0'));
            let (end, per) = self.rest(b, s + len)?;
            return Some(Match {
                end,
                n,
                article: false,
                per,
            });
        }
        if c0 >= 26 {
            return None;
        }
        let c1 = b.get(s + 1).map_or(OTHER, |&c| self.class[usize::from(c)]);
        for &k in &self.by_start[usize::from(c0) * CLASSES + usize::from(c1)] {
            let w = &self.words[usize::from(k)];
            let fits = b.get(s..s + w.text.len()).is_some_and(|t| {
                t.iter().zip(w.text).all(|(&c, &k)| match k {
                    b' ' => c == b' ' || c == b'-',
                    _ => c.to_ascii_lowercase() == k,
                })
            });
            if !fits {
                continue;
            }
            if let Some((end, per)) = self.rest(b, s + w.text.len()) {
                return Some(Match {
                    end,
                    n: w.n,
                    article: w.article,
                    per,
                });
            }
        }
        None
    }

    /// The end and hours per unit of what follows a number ending at `p`:
    /// `\)?`, then `(?: ?- ?| ?)`, then the intensifier and unit, each
    /// choice tried in the regex's order.
    fn rest(&self, b: &[u8], p: usize) -> Option<(usize, u32)> {
        let at = |i: usize, c: u8| b.get(i) == Some(&c);
        for q in (p..=p + usize::from(at(p, b')'))).rev() {
            let space = usize::from(at(q, b' '));
            for a in (0..=space).rev() {
                if at(q + a, b'-') {
                    let space = usize::from(at(q + a + 1, b' '));
                    for c in (0..=space).rev() {
                        if let Some(r) = self.tail(b, q + a + 1 + c) {
                            return Some(r);
                        }
                    }
                }
            }
            for a in (0..=space).rev() {
                if let Some(r) = self.tail(b, q + a) {
                    return Some(r);
                }
            }
        }
        None
    }

    /// An intensifier and a space, if they are there and a unit follows,
    /// else the unit at `p`.
    fn tail(&self, b: &[u8], p: usize) -> Option<(usize, u32)> {
        if !b.get(p).is_some_and(|&c| self.begins_tail[usize::from(c)]) {
            return None;
        }
        let letters = b[p..]
            .iter()
            .take(self.intensifiers.len())
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let intensifier = b.get(p + letters) == Some(&b' ')
            && self.intensifiers.get(letters).is_some_and(|ws| {
                ws.iter()
                    .any(|w| w.eq_ignore_ascii_case(&b[p..p + letters]))
            });
        if intensifier {
            if let Some(r) = self.unit(b, p + letters + 1) {
                return Some(r);
            }
        }
        self.unit(b, p)
    }

    /// The unit at `p`: a whole word (the regex's closing `\b`).
    fn unit(&self, b: &[u8], p: usize) -> Option<(usize, u32)> {
        let len = b[p..]
            .iter()
            .take(self.units.len())
            .take_while(|&&c| is_word(c))
            .count();
        let word = &b[p..p + len];
        self.units
            .get(len)?
            .iter()
            .find(|(u, _)| u.eq_ignore_ascii_case(word))
            .map(|&(_, per)| (p + len, per))
    }
}

/// An ASCII word byte, as `(?-u)\b` reads them.
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Finds the durations in the view (number, unit, hours in range), before
/// the cues around them are read.
pub(super) fn candidates(view: &View, out: &mut Vec<Candidate>) {
    out.clear();
    find(view.as_str().as_bytes(), out);
}

/// Appends what the regex `DURATION` matched in `b` (left to right, each
/// search from the end of the last match) and `candidates` kept. Only a
/// word start can begin a match: they are found 64 bytes at a time, and
/// most are ruled out by the classes of their first three or four bytes.
fn find(b: &[u8], out: &mut Vec<Candidate>) {
    let f = &*FINDER;
    let mut i = 0;
    // 1 when the byte before `i` is a letter or digit.
    let mut before = 0;
    while i < b.len() {
        let alnum = swar::alnum_block(b, i);
        // Word starts, and letters and digits after `_` (ruled out below).
        let mut starts = alnum & !(alnum << 1 | before);
        before = alnum >> 63;
        let mut maybe = 0;
        while starts != 0 {
            let k = starts.trailing_zeros() as usize;
            starts &= starts - 1;
            maybe |= u64::from(f.may_start::<3>(&f.starts3, b, i + k)) << k;
        }
        let mut next = i + 64;
        while maybe != 0 {
            let s = i + maybe.trailing_zeros() as usize;
            maybe &= maybe - 1;
            if s > 0 && b[s - 1] == b'_' || !f.may_start::<4>(&f.starts4, b, s) {
                continue;
            }
            if let Some(m) = f.match_at(b, s) {
                keep(b, s, m, out);
                // A match ends after a letter; the next search starts there.
                next = m.end;
                before = 1;
                break;
            }
        }
        i = next;
    }
}

/// Pushes the match at `start` unless `candidates` leaves it out.
fn keep(b: &[u8], start: usize, m: Match, out: &mut Vec<Candidate>) {
    // "1.5 days", "24/7", "10:48 h" are not deadlines.
    if start >= 2
        && matches!(b[start - 1], b'.' | b',' | b'/' | b':')
        && b[start - 2].is_ascii_digit()
    {
        return;
    }
    let hours = m.n.saturating_mul(m.per);
    if hours == 0 || hours > MAX_HOURS {
        return;
    }
    out.push(Candidate {
        start,
        end: m.end,
        hours,
        needs_pre: m.per == WEEK || m.article,
    });
}

/// The regex reading of `candidates`, which [`find`] is tested against.
#[cfg(test)]
fn candidates_regex(text: &str, out: &mut Vec<Candidate>) {
    out.clear();
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

    /// The finder's and the regex's candidates in `text`.
    fn both(text: &str) -> (Vec<Candidate>, Vec<Candidate>) {
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        find(text.as_bytes(), &mut fast);
        candidates_regex(text, &mut slow);
        (fast, slow)
    }

    #[test]
    fn word_lists_are_folded_words() {
        for (w, ..) in NUMBER_WORDS {
            assert!(
                w.bytes().all(|c| c.is_ascii_lowercase() || c == b' '),
                "{w}"
            );
        }
        for alts in [HOUR_UNITS, DAY_UNITS, WEEK_UNITS, INTENSIFIERS] {
            assert!(
                alts.bytes()
                    .all(|c| c.is_ascii_lowercase() || c == b'|' || c == b'?'),
                "{alts}"
            );
            assert!(spellings(alts).all(|w| !w.is_empty()), "{alts}");
        }
    }

    #[test]
    fn edge_cases_agree_with_the_regex() {
        for text in [
            "1234 hours",
            "x1234 hours 12 hours",
            "123hours",
            "0 hours",
            "000 days",
            "31 days",
            "30 days",
            "4 weeks",
            "5 weeks",
            "999 hours",
            "unora",
            "unoh",
            "trestunden",
            "tres stunden",
            "ah",
            "aday",
            "afull day",
            "a full day",
            "a fullday",
            "a full  day",
            "a full-day",
            "twenty-four hours",
            "twenty - four hours",
            "Twenty Four Hours",
            "TWENTY-FOURH",
            "cuarenta-y ocho horas",
            "48 - hours",
            "48 -hours",
            "48- hours",
            "48-hour",
            "48 ) hours",
            "48) hours",
            "48)hours",
            "48)- hours",
            "(48) - hours",
            "48  hours",
            "1.5 days",
            "1. 5 days",
            "a.5 days",
            "24/7 days",
            "10:48 h",
            "hoursx",
            "48 hours_",
            "é48 hours",
            "x48 hours",
            "_48 hours",
            "48 hours2",
            "48 vollen Tage",
            "48 volle Tage",
            "48 volle  Tage",
            "48 ganze stunde",
            "eine woche",
            "einewoche",
            "einer woche",
            "ein tag",
            "eintag",
            "einen tag",
            "zweiundsiebzig stunden",
            "vierundzwanzigstunden",
            "vier undzwanzig",
            "48 horas 24 h 2 dias",
            "una hora",
            "un jour",
            "une semaine",
            "um dia",
            "uma semana",
            "een week",
            "een dag",
            "sei ore",
            "sette giorni",
            "sete dias",
            "48 hrs.",
            "48hrs",
            "48 h.",
            "72h, 48h",
            "a-hour",
            "a -hour",
            "a - h",
            "an hour",
            "anhour",
            "ann hour",
            "a\u{a0}day",
            "48\u{a0}hours",
            "48 hours\u{a0}",
            "€48 hours",
            "a",
            "4",
            "48",
            "48 ",
            "48 h",
            "h",
            "",
            "more hours",
            "48 more hours",
            "48 more",
            "48 moreh",
            "1 2 3 hours",
            "12 34 hours",
            "1-2 days",
            "2-3 weeks",
            "einemore hours",
            "Eine more hours",
            "0001 hours",
            "0048 hours",
            "unas horas",
            "a)- hour",
            "2 - 3 weeks",
            "7 days a week",
        ] {
            let (fast, slow) = both(text);
            assert_eq!(fast, slow, "{text:?}");
        }
    }

    #[test]
    fn backtracking_readings() {
        let spans = |text: &str| -> Vec<(String, u32)> {
            let (fast, _) = both(text);
            fast.iter()
                .map(|c| (text[c.start..c.end].to_string(), c.hours))
                .collect()
        };
        // "uno" leaves "ra", no unit; "un" leaves "ora".
        assert_eq!(spans("unora"), [("unora".to_string(), 1)]);
        assert_eq!(spans("trestunden"), [("trestunden".to_string(), 3)]);
        assert_eq!(spans("1234 hours, 48h"), [("48h".to_string(), 48)]);
        // 48 days is over a month.
        assert!(spans("48 vollen Tage").is_empty());
        assert_eq!(spans("2 vollen Tage"), [("2 vollen Tage".to_string(), 48)]);
        assert_eq!(
            spans("twenty-four hours"),
            [("twenty-four hours".to_string(), 24)]
        );
    }

    /// The words the finder knows, folded.
    fn known_words() -> Vec<&'static str> {
        let mut v: Vec<&str> = NUMBER_WORDS.iter().map(|(w, ..)| *w).collect();
        for alts in [HOUR_UNITS, DAY_UNITS, WEEK_UNITS, INTENSIFIERS] {
            v.extend(spellings(alts));
        }
        v
    }

    /// A piece of a generated text: a known word in random case (some of
    /// its spaces hyphens), what goes between words, or digits, letters and
    /// other bytes.
    fn piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        use proptest::sample::select;
        let word = (select(known_words()), any::<u32>()).prop_map(|(w, bits)| {
            w.chars()
                .enumerate()
                .map(|(k, c)| match (c, bits >> (k % 32) & 1 == 1) {
                    (' ', true) => '-',
                    (c, true) => c.to_ascii_uppercase(),
                    (c, false) => c,
                })
                .collect()
        });
        let glue = select(&[" ", " ", "-", " - ", " -", "- ", ")", ") ", "  ", "(", ""][..]);
        let other = select(
            &[
                "0", "1", "2", "4", "8", "9", "48", "123", "1234", ".", ",", "/", ":", "_", "a",
                "e", "h", "n", "o", "r", "s", "x", "y", "é", "€", "\u{a0}", "ago",
            ][..],
        );
        prop_oneof![
            4 => word,
            3 => glue.prop_map(String::from),
            3 => other.prop_map(String::from),
        ]
    }

    proptest::proptest! {
        #[test]
        fn finder_agrees_with_regex(pieces in proptest::collection::vec(piece(), 0..20)) {
            let text = pieces.concat();
            let (fast, slow) = both(&text);
            proptest::prop_assert_eq!(fast, slow, "{:?}", text);
        }

        #[test]
        fn finder_agrees_with_regex_on_any_text(text in "[0-9a-zA-Z _)./:,-]{0,40}") {
            let (fast, slow) = both(&text);
            proptest::prop_assert_eq!(fast, slow, "{:?}", text);
        }
    }

    /// Every subject and body of the real mail at hand, with the Case view
    /// `extract_with` reads durations in: (file, text, view).
    fn real_texts() -> Vec<(std::path::PathBuf, String, String)> {
        let limits = crate::Limits::default();
        let mut out = Vec::new();
        for (name, raw) in crate::test_mail::real_mail() {
            let m = crate::message::parse(&raw, &limits);
            let bodies = m.bodies.iter().map(|b| b.as_str());
            for text in m.meta.subject.as_deref().into_iter().chain(bodies) {
                let case = crate::normalize::normalize(text, crate::normalize::Fold::Case);
                let mut view = View::default();
                view.build_from(&case);
                out.push((name.clone(), text.to_string(), view.as_str().to_string()));
            }
        }
        out
    }

    #[test]
    fn finder_agrees_with_regex_on_real_mail() {
        let texts = real_texts();
        let mut found = 0;
        for (name, text, view) in &texts {
            for t in [view, text] {
                let (fast, slow) = both(t);
                assert_eq!(fast, slow, "{}", name.display());
                found += fast.len();
            }
        }
        assert!(texts.len() > 50, "{}", texts.len());
        assert!(found > 0 || texts.len() < 1000, "{found}");
    }

    /// Times the finder and the regex over the dev corpus views.
    /// `cargo test --release --lib finder_times -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn finder_times() {
        let views: Vec<String> = real_texts().into_iter().map(|(_, _, v)| v).collect();
        let bytes: usize = views.iter().map(String::len).sum();
        let t = std::time::Instant::now();
        std::hint::black_box(Finder::new());
        println!("Finder::new {:.3} ms", t.elapsed().as_secs_f64() * 1e3);
        let mut out = Vec::new();
        for _ in 0..5 {
            for (name, f) in [
                (
                    "finder",
                    (|t: &str, o: &mut Vec<Candidate>| find(t.as_bytes(), o))
                        as fn(&str, &mut Vec<Candidate>),
                ),
                ("regex", candidates_regex),
            ] {
                let t = std::time::Instant::now();
                let mut n = 0;
                for v in &views {
                    out.clear();
                    f(v, &mut out);
                    n += out.len();
                }
                println!(
                    "{name:6} {:6.2} ms  ({n} in {bytes} bytes)",
                    t.elapsed().as_secs_f64() * 1e3
                );
            }
        }
    }

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
