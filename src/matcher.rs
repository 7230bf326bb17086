//! One Aho-Corasick automaton over every phrase of every concept and every
//! family marker, in all languages at once, built once per classifier.
//!
//! Matching runs on text normalised by [`crate::normalize`] with
//! [`crate::normalize::Fold::Match`]: lower-case, so the automaton is
//! case-sensitive (faster than its ASCII case folding, and correct for
//! non-ASCII). The DFA is forced: with hundreds of patterns the default would
//! pick an NFA, measured about 3x slower. Matches are overlapping so that a
//! short phrase inside a longer one of another concept still counts; each is
//! kept only on whole-word boundaries.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::error::Error;
use crate::templates::Templates;

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
    ac: AhoCorasick,
    pub uses: Vec<PatternUses>,
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
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .map_err(|e| Error::Matcher(e.to_string()))?;
        Ok(Matcher { ac, uses })
    }

    /// Calls `f` for every whole-word match in `text` (normalised).
    pub fn find(&self, text: &str, mut f: impl FnMut(Hit)) {
        let b = text.as_bytes();
        for m in self.ac.find_overlapping_iter(text) {
            let (s, e) = (m.start(), m.end());
            if s > 0 && is_word_byte(b[s - 1]) {
                continue;
            }
            let pid = m.pattern().as_usize();
            if e < b.len() && !self.uses[pid].prefix && is_word_byte(b[e]) && is_word_byte(b[e - 1])
            {
                continue;
            }
            f(Hit {
                pattern: pid as u32,
                start: s as u32,
                end: e as u32,
            });
        }
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
}
