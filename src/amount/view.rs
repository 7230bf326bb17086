//! The text the amount and deadline scanners read.
//!
//! Built from the [`Fold::Case`] view (look-alikes folded, invisible
//! characters removed, case and line breaks kept) by one more linear pass that
//! drops mail quote markers (`>`, `> >`) at the start of a line and turns
//! every whitespace run into one space, so that "within\n> 48 hours" and
//! "1\u{a0}500" read like "within 48 hours" and "1 500". Line breaks are
//! remembered on the side: a space that stands for a line break never joins
//! the digit groups of a number, and a blank line ends a sentence.

use crate::normalize::{is_invisible, Normalized, OffsetMap};
#[cfg(test)]
use crate::normalize::{normalize_into, Fold};
use crate::swar;

/// Reusable scratch for one text at a time.
#[derive(Debug, Default)]
pub(super) struct View<'c> {
    /// The Case view read: the caller's (borrowed, as the wallet scanner
    /// reads it too), or built here from text in tests.
    norm: std::borrow::Cow<'c, Normalized>,
    text: String,
    /// Offsets in `text` to offsets in the Case view; the text's length
    /// maps to the Case view's length.
    map: OffsetMap,
    /// Offsets in `text` where a sentence ends: terminal punctuation followed
    /// by whitespace, or a blank line.
    breaks: Vec<u32>,
    /// Offsets in `text` of the spaces that replaced a line break.
    newlines: Vec<u32>,
}

impl<'c> View<'c> {
    /// Rebuilds the view for `src`, reusing the buffers (tests build from text).
    #[cfg(test)]
    pub(super) fn build(&mut self, src: &str) {
        normalize_into(src, Fold::Case, self.norm.to_mut());
        self.rebuild();
    }

    /// Rebuilds the view from the [`Fold::Case`] view of the text, already
    /// built by the caller (the wallet scanner reads the same one).
    pub(super) fn build_from(&mut self, case: &'c Normalized) {
        self.norm = std::borrow::Cow::Borrowed(case);
        self.rebuild();
    }

    fn rebuild(&mut self) {
        self.rebuild_with(true);
    }

    /// `runs` false: every character through the general path, the
    /// reference the run fast path is tested against.
    fn rebuild_with(&mut self, runs: bool) {
        self.text.clear();
        self.map.clear();
        self.breaks.clear();
        self.newlines.clear();
        let case = self.norm.as_str();
        self.text.reserve(case.len());

        let mut at_line_start = true;
        // Start of a pending whitespace run and how many line breaks it holds.
        let mut pending: Option<usize> = None;
        let mut line_breaks = 0u32;
        let mut last = '\0';
        let bytes = case.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // A run of ASCII that is neither whitespace nor a line-start
            // quote marker, copied at once: the bulk of any text. Single
            // spaces between words stay in the run (they come out as they
            // are), except after a sentence's end, which is recorded below.
            if runs && !at_line_start && pending.is_none() {
                let run = run_end(bytes, i, true) - i;
                if run > 0 {
                    self.text.push_str(&case[i..i + run]);
                    self.map.push(i as u32, run, true);
                    last = bytes[i + run - 1] as char;
                    i += run;
                    continue;
                }
            }
            let c = case[i..].chars().next().expect("on a char boundary");
            let ci = i;
            i += c.len_utf8();
            let i = ci;
            if c.is_whitespace() {
                if c == '\n' {
                    at_line_start = true;
                    line_breaks += 1;
                }
                pending.get_or_insert(i);
                continue;
            }
            if at_line_start && c == '>' {
                continue;
            }
            at_line_start = false;
            if let Some(p) = pending.take() {
                if !self.text.is_empty() {
                    let at = self.text.len() as u32;
                    // A blank line ends a sentence, unless a label ("Amount:")
                    // introduces what follows it.
                    if matches!(last, '.' | '!' | '?' | '…') || (line_breaks >= 2 && last != ':')
                    {
                        self.breaks.push(at);
                    }
                    if line_breaks > 0 {
                        self.newlines.push(at);
                    }
                    self.text.push(' ');
                    self.map.push(p as u32, 1, true);
                }
                line_breaks = 0;
            }
            // Copied: each byte from its own byte of the Case view.
            self.text.push(c);
            self.map.push(i as u32, c.len_utf8(), true);
            last = c;
        }
        self.map.finish(case.len() as u32);
    }

    /// The scanned text.
    pub(super) fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a byte range of [`View::as_str`] to the range of `src` (the text
    /// the view was built from) it came from, without the invisible
    /// characters that trail it there.
    pub(super) fn source_range(&self, src: &str, start: usize, end: usize) -> (usize, usize) {
        let n = self.text.len();
        let (start, end) = (start.min(n), end.min(n));
        let cs = self.map.get(start) as usize;
        let ce = if end > start {
            self.map.get(end - 1) as usize + 1
        } else {
            cs
        };
        let (s, e) = self.norm.source_range(cs, ce);
        let trimmed = src[s..e].trim_end_matches(is_invisible).len();
        (s, s + trimmed)
    }

    /// True when no sentence ends strictly between offsets `a` and `b`.
    pub(super) fn same_sentence(&self, a: usize, b: usize) -> bool {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let i = self.breaks.partition_point(|&x| (x as usize) <= lo);
        match self.breaks.get(i) {
            Some(&x) => x as usize >= hi,
            None => true,
        }
    }

    /// True when the space at `i` replaced a line break.
    pub(super) fn is_line_break(&self, i: usize) -> bool {
        self.newlines.binary_search(&(i as u32)).is_ok()
    }
}

/// The end of the run of ASCII that [`View::rebuild_with`] copies at once
/// from `i`: graphic bytes, and single spaces between two graphic bytes
/// that do not end a sentence. `words` takes eight bytes at a time where
/// they are plainly inside the run; false is the byte loop it is tested
/// against.
fn run_end(bytes: &[u8], i: usize, words: bool) -> usize {
    use swar::{eq_exact as lanes_eq, HIGH, LANES as L};
    let mut j = i;
    while words && j + 8 <= bytes.len() {
        let x = swar::load(bytes, j);
        if x & HIGH != 0 {
            break;
        }
        // Every lane from b' ' to b'~' (no carries: lanes are below 0x80).
        let printable = (x + L * 0x60) & !(x + L) & HIGH;
        if printable != HIGH {
            break;
        }
        let spaces = lanes_eq(x, b' ');
        if spaces != 0 {
            let ends = lanes_eq(x, b'.') | lanes_eq(x, b'!') | lanes_eq(x, b'?');
            // A space next to a space or after a sentence's end, inside
            // the word; at its edges, the bytes around it.
            let inner_bad = spaces & ((spaces << 8) | (spaces >> 8) | (ends << 8));
            let first_bad =
                spaces & 0x80 != 0 && (j == i || matches!(bytes[j - 1], b'.' | b'!' | b'?'));
            let last_bad = spaces >> 63 != 0 && !bytes.get(j + 8).is_some_and(u8::is_ascii_graphic);
            if inner_bad != 0 || first_bad || last_bad {
                break;
            }
        }
        j += 8;
    }
    while j < bytes.len() {
        let b = bytes[j];
        if b.is_ascii_graphic()
            || (b == b' '
                && j > i
                && !matches!(bytes[j - 1], b'.' | b'!' | b'?')
                && bytes.get(j + 1).is_some_and(u8::is_ascii_graphic))
        {
            j += 1;
        } else {
            break;
        }
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(s: &str) -> View<'static> {
        let mut v = View::default();
        v.build(s);
        v
    }

    #[test]
    fn quotes_and_spaces() {
        let v = view("> you have\n> 48\u{a0}hours\r\n>> to pay 1\u{2009}500 €");
        assert_eq!(v.as_str(), "you have 48 hours to pay 1 500 €");
        assert!(v.is_line_break(8));
        assert!(!v.is_line_break(26));
    }

    #[test]
    fn maps_back() {
        let src = "Pay\u{200B} $1\u{a0}2００ now";
        let v = view(src);
        assert_eq!(v.as_str(), "Pay $1 200 now");
        let (s, e) = v.source_range(src, 4, 10);
        assert_eq!(&src[s..e], "$1\u{a0}2００");
        let (s, e) = v.source_range(src, 0, 3);
        assert_eq!(&src[s..e], "Pay");
    }

    #[test]
    fn sentences() {
        let v = view("Send $800. Now!\n\nAmount: 5\nnext line");
        let t = v.as_str();
        let at = |s: &str| t.find(s).unwrap();
        assert!(!v.same_sentence(at("Send"), at("Now")));
        assert!(v.same_sentence(at("Send"), at("800")));
        assert!(!v.same_sentence(at("Now"), at("Amount")));
        assert!(v.same_sentence(at("Amount"), at("next")));
    }

    /// Text, map, sentence breaks and line breaks of a view.
    type Parts = (String, Vec<u32>, Vec<u32>, Vec<u32>);

    fn parts(v: &View<'_>) -> Parts {
        (
            v.text.clone(),
            v.map.expand(),
            v.breaks.clone(),
            v.newlines.clone(),
        )
    }

    fn fast_and_slow(src: &str) -> (Parts, Parts) {
        let mut v = View::default();
        v.build(src);
        let fast = parts(&v);
        v.rebuild_with(false);
        (fast, parts(&v))
    }

    proptest::proptest! {
        #[test]
        fn run_end_words_agree_with_bytes(
            b in proptest::collection::vec(proptest::sample::select(vec![
                b'a', b'Z', b'1', b' ', b'.', b'!', b'?', b',', b'~', 0x7f, 0x1f, b'\n', b'\t', 0x80, 0xc3, 0xff, b'>',
            ]), 0..40),
            from in 0usize..40,
        ) {
            let from = from.min(b.len());
            proptest::prop_assert_eq!(run_end(&b, from, true), run_end(&b, from, false), "{:?} {}", b, from);
        }

        #[test]
        fn runs_agree_with_char_by_char(pieces in proptest::collection::vec(proptest::sample::select(vec![
            "a", "Pay", "1", " ", "  ", "\n", "\n\n", "> ", ">", ".", "!", "?", ":", "$", "€", "\u{a0}", "\t", "…", "é",
        ]), 0..40)) {
            let src = pieces.concat();
            let (fast, slow) = fast_and_slow(&src);
            proptest::prop_assert_eq!(fast, slow, "{:?}", src);
        }
    }

    #[test]
    fn run_end_every_byte_at_every_lane() {
        for v in 0..=255u8 {
            for at in 0..12 {
                for base in [b'a', b' '] {
                    let mut b: Vec<u8> = (0..12)
                        .map(|k| if k % 2 == 0 { b'a' } else { base })
                        .collect();
                    b[at] = v;
                    for from in 0..3 {
                        assert_eq!(
                            run_end(&b, from, true),
                            run_end(&b, from, false),
                            "{b:?} {from}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn runs_agree_with_char_by_char_on_real_mail() {
        let limits = crate::Limits::default();
        for (name, raw) in crate::test_mail::real_mail() {
            for body in crate::message::parse(&raw, &limits).bodies {
                let (fast, slow) = fast_and_slow(&body);
                assert!(fast == slow, "{}", name.display());
            }
        }
    }
}
