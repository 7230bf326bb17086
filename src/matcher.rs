//! One automaton over every phrase of every concept and every family
//! marker, in all languages at once, built once per classifier.
//!
//! Matching runs on text normalised by [`crate::normalize`] with
//! [`crate::normalize::Fold::Match`]: lower-case, so the automaton is
//! case-sensitive. Matches are overlapping, so that a short phrase inside a
//! longer one of another concept still counts, and a phrase counts only when
//! it starts a word (and, unless it is a prefix pattern, ends one).
//!
//! The automaton is our own, not `aho_corasick`'s DFA, because of that
//! start rule: an Aho-Corasick automaton follows every suffix of the text,
//! so inside any word it walks states for phrases that could only start
//! mid-word, all to be thrown away; over thousands of phrases those states
//! spread over megabytes and every byte of mail was a cache miss. Here a
//! state stands for the longest *word-start* suffix of the text read that
//! begins a phrase, and a word that cannot begin one parks in a dead state
//! until the next non-word byte. Same matches (a differential test against
//! `aho_corasick` over real mail and random text says so), a few hot states.

use std::collections::HashMap;

use crate::error::Error;
use crate::templates::Templates;
use crate::worddfa::{WordDfa, WordRules};

/// What one automaton pattern stands for.
#[derive(Debug, Clone, Default)]
pub(crate) struct PatternUses {
    pub prefix: bool,
    /// Indices into `Templates::phrases`.
    pub phrases: Vec<u32>,
    /// (family index, marker index).
    pub markers: Vec<(u16, u16)>,
}

/// The compiled matcher.
#[derive(Debug, Clone)]
pub(crate) struct Matcher {
    dfa: WordDfa,
    pub uses: Vec<PatternUses>,
    /// The patterns, for the differential tests.
    #[cfg(test)]
    patterns: Vec<String>,
}

/// A match: pattern id and byte range in the normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub pattern: u32,
    pub start: u32,
    pub end: u32,
}

impl Matcher {
    pub fn new(t: &Templates) -> Result<Matcher, Error> {
        let mut index: HashMap<(&str, bool), usize> = HashMap::new();
        let mut patterns: Vec<&str> = Vec::new();
        let mut uses: Vec<PatternUses> = Vec::new();
        for (i, ph) in t.phrases.iter().enumerate() {
            let s = slot(&mut index, &mut patterns, &mut uses, &ph.pattern, ph.prefix);
            uses[s].phrases.push(i as u32);
        }
        for (fi, f) in t.families.iter().enumerate() {
            for (mi, (p, prefix)) in f.markers.iter().enumerate() {
                let s = slot(&mut index, &mut patterns, &mut uses, p, *prefix);
                uses[s].markers.push((fi as u16, mi as u16));
            }
        }
        let dfa = WordDfa::new(&patterns, PHRASE_RULES).map_err(Error::Matcher)?;
        Ok(Matcher {
            dfa,
            uses,
            #[cfg(test)]
            patterns: patterns.iter().map(|p| p.to_string()).collect(),
        })
    }

    /// Calls `f` for every whole-word match in `text` (normalised), in no
    /// particular order.
    pub fn find(&self, text: &str, mut f: impl FnMut(Hit)) {
        let b = text.as_bytes();
        self.dfa.find(b, |pid, s, e| {
            // The start is a word start by construction; the end must end
            // a word unless the pattern is a prefix.
            if e < b.len() && !self.uses[pid].prefix && is_word_byte(b[e]) && is_word_byte(b[e - 1])
            {
                return;
            }
            f(Hit {
                pattern: pid as u32,
                start: s as u32,
                end: e as u32,
            });
        });
    }

    /// Number of distinct patterns in the automaton.
    pub fn len(&self) -> usize {
        self.uses.len()
    }
}

/// The automaton slot of a (pattern, prefix) pair, created on first use.
fn slot<'a>(
    index: &mut HashMap<(&'a str, bool), usize>,
    patterns: &mut Vec<&'a str>,
    uses: &mut Vec<PatternUses>,
    p: &'a str,
    prefix: bool,
) -> usize {
    *index.entry((p, prefix)).or_insert_with(|| {
        patterns.push(p);
        uses.push(PatternUses {
            prefix,
            ..Default::default()
        });
        uses.len() - 1
    })
}

/// A phrase starts after a non-word byte; case is already folded.
const PHRASE_RULES: WordRules = WordRules {
    is_word: is_word_byte,
    ascii_case_insensitive: false,
    free_nonword_start: false,
};

/// Letters and digits, and every byte of a non-ASCII character (normalised
/// text keeps non-Latin scripts as letters).
#[inline]
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(src: &str) -> (Templates, Matcher) {
        let mut t = Templates::default();
        t.add_file_for_test("concepts/en.txt", src);
        let m = Matcher::new(&t).unwrap();
        (t, m)
    }

    fn hits(m: &Matcher, text: &str) -> Vec<(u32, String)> {
        let mut v = Vec::new();
        m.find(text, |h| {
            v.push((
                h.pattern,
                text[h.start as usize..h.end as usize].to_string(),
            ))
        });
        v
    }

    #[test]
    fn word_boundaries() {
        let (_, m) = matcher("[compromise]\nrat\n[recording]\nmasturbat*\n");
        assert_eq!(hits(&m, "a rat here").len(), 1);
        assert!(hits(&m, "pirate rats").is_empty());
        assert_eq!(hits(&m, "masturbating").len(), 1);
        assert_eq!(hits(&m, "rat.").len(), 1);
    }

    #[test]
    fn overlapping_across_concepts() {
        let (t, m) = matcher("[threat]\nsend the video to your contacts\n[recording]\nthe video\n");
        let h = hits(&m, "i will send the video to your contacts");
        assert_eq!(h.len(), 2);
        let concepts: Vec<_> = h
            .iter()
            .map(|(p, _)| t.phrases[m.uses[*p as usize].phrases[0] as usize].concept)
            .collect();
        assert!(concepts.contains(&crate::verdict::Concept::Threat));
        assert!(concepts.contains(&crate::verdict::Concept::Recording));
    }

    #[test]
    fn shared_pattern_one_slot() {
        let mut t = Templates::default();
        t.add_file_for_test("concepts/en.txt", "[payment]\nbitcoin\n");
        t.add_file_for_test("concepts/de.txt", "[payment]\nbitcoin\n");
        let m = Matcher::new(&t).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m.uses[0].phrases.len(), 2);
    }

    /// What `find` must report, the slow way: every overlapping occurrence
    /// from `aho_corasick`, kept on the word rules.
    fn oracle(m: &Matcher, text: &str) -> Vec<Hit> {
        oracle_with(&oracle_ac(m), m, text)
    }

    fn oracle_ac(m: &Matcher) -> aho_corasick::AhoCorasick {
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(&m.patterns)
            .unwrap()
    }

    fn oracle_with(ac: &aho_corasick::AhoCorasick, m: &Matcher, text: &str) -> Vec<Hit> {
        let b = text.as_bytes();
        let mut v = Vec::new();
        for h in ac.find_overlapping_iter(text) {
            let (s, e, pid) = (h.start(), h.end(), h.pattern().as_usize());
            if s > 0 && is_word_byte(b[s - 1]) {
                continue;
            }
            if e < b.len() && !m.uses[pid].prefix && is_word_byte(b[e]) && is_word_byte(b[e - 1]) {
                continue;
            }
            v.push(Hit {
                pattern: pid as u32,
                start: s as u32,
                end: e as u32,
            });
        }
        v.sort_by_key(|h| (h.start, h.end, h.pattern));
        v
    }

    fn found(m: &Matcher, text: &str) -> Vec<Hit> {
        let mut v = Vec::new();
        m.find(text, |h| v.push(h));
        v.sort_by_key(|h| (h.start, h.end, h.pattern));
        v
    }

    /// The shipped phrase lists over the Match view of every real message
    /// at hand (samples, and the dev corpus when present).
    #[test]
    fn same_hits_as_aho_corasick_on_real_mail() {
        let t = Templates::embedded().unwrap();
        let m = Matcher::new(&t).unwrap();
        let ac = oracle_ac(&m);
        let limits = crate::Limits::default();
        let mut texts = 0;
        for (name, raw) in crate::test_mail::real_mail() {
            let msg = crate::message::parse(&raw, &limits);
            for body in msg
                .bodies
                .iter()
                .map(String::as_str)
                .chain(msg.meta.subject.as_deref())
            {
                let n = crate::normalize::normalize(body, crate::normalize::Fold::Match);
                assert_eq!(
                    found(&m, n.as_str()),
                    oracle_with(&ac, &m, n.as_str()),
                    "{}",
                    name.display()
                );
                texts += 1;
            }
        }
        assert!(texts > 50, "{texts}");
    }

    /// The shipped phrases' table fits in a core's 2 MiB L2 even wide:
    /// single-pattern tails are compared, not walked (49,038 states and
    /// 3.9 MB narrow before; about 12,400 and 2 MB wide now).
    #[test]
    fn phrase_table_fits_in_cache() {
        let m = Matcher::new(&Templates::embedded().unwrap()).unwrap();
        let bytes = m.dfa.table_bytes();
        assert!(bytes <= 2 << 20, "{bytes} bytes");
    }

    proptest::proptest! {
        /// Patterns with spaces, punctuation, repeats and shared
        /// prefixes, over text made of their pieces.
        #[test]
        fn same_hits_as_aho_corasick(
            pats in proptest::collection::vec(proptest::collection::vec(proptest::sample::select(vec!["a", "b", "ab", " ", "-", "'", "1", "é"]), 1..5), 1..12),
            prefix in proptest::collection::vec(proptest::bool::ANY, 12),
            text in proptest::collection::vec(proptest::sample::select(vec!["a", "b", "ab", " ", "-", "'", "1", "é", "x", ".", "ba"]), 0..400),
        ) {
            // Straight to the automaton: the template loader would refuse
            // short phrases, which are the hard cases here.
            let mut index = HashMap::new();
            let mut patterns: Vec<&str> = Vec::new();
            let mut uses = Vec::new();
            let pats: Vec<String> = pats.iter().map(|p| p.concat()).collect();
            for (p, pre) in pats.iter().zip(&prefix) {
                slot(&mut index, &mut patterns, &mut uses, p, *pre);
            }
            let m = Matcher {
                dfa: WordDfa::new(&patterns, PHRASE_RULES).unwrap(),
                uses,
                patterns: patterns.iter().map(|p| p.to_string()).collect(),
            };
            let src = &patterns;
            let text = text.concat();
            proptest::prop_assert_eq!(found(&m, &text), oracle(&m, &text), "{:?} {:?}", src, text);
            // So do both tables, with a state for every prefix or with
            // patterns cut as soon as they are alone.
            for (wide, dense) in [(true, usize::MAX), (false, usize::MAX), (false, 1), (true, 2)] {
                let other = Matcher { dfa: WordDfa::new_with(&patterns, PHRASE_RULES, wide, dense).unwrap(), uses: m.uses.clone(), patterns: m.patterns.clone() };
                proptest::prop_assert_eq!(found(&other, &text), oracle(&m, &text), "{:?} {:?} {} {}", src, text, wide, dense);
            }
        }
    }

    /// Timing beside `aho_corasick`'s DFA on the same texts, best of five:
    /// `cargo test --release --lib matcher_speed -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn matcher_speed() {
        let t = Templates::embedded().unwrap();
        let m = Matcher::new(&t).unwrap();
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&m.patterns)
            .unwrap();
        let limits = crate::Limits::default();
        let texts: Vec<String> = crate::test_mail::real_mail()
            .iter()
            .flat_map(|(_, raw)| crate::message::parse(raw, &limits).bodies)
            .map(|b| {
                crate::normalize::normalize(&b, crate::normalize::Fold::Match)
                    .as_str()
                    .to_string()
            })
            .collect();
        let bytes: usize = texts.iter().map(String::len).sum();
        for round in 0..5 {
            let t0 = std::time::Instant::now();
            let mut n = 0;
            for x in &texts {
                m.find(x, |_| n += 1);
            }
            let ours = t0.elapsed();
            let t0 = std::time::Instant::now();
            let mut k = 0;
            for x in &texts {
                k += oracle_with(&ac, &m, x).len();
            }
            let theirs = t0.elapsed();
            assert_eq!(n, k);
            eprintln!("round {round}: {bytes} bytes, {n} hits: word DFA {ours:?}, aho_corasick DFA {theirs:?}");
        }
    }
}
