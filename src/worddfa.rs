//! A multi-pattern automaton that reports only matches starting a word.
//!
//! Both phrase lists (the concept phrases and the amount cues) count a
//! phrase only where it starts a word. An Aho-Corasick automaton follows
//! every suffix of the text, so inside any word it walks states for phrases
//! that could only start mid-word, all to be thrown away; over thousands of
//! phrases those states spread over megabytes and most bytes of mail were a
//! cache miss. Here a state stands for the longest suffix of the text read
//! that starts a word and begins a pattern; a word that cannot begin one
//! parks in a dead state until the next non-word byte. Same matches as
//! Aho-Corasick with the start rule applied afterwards (differential tests
//! in `matcher` and `amount::cue`), a few hot states, and it builds in a
//! quarter of the time.
//!
//! Past the point where a pattern is the only one left, it has no states:
//! the automaton reads its prefix up to there (at least [`DENSE_DEPTH`]
//! bytes) and the rest is compared with the text. About three states in
//! four of the shipped phrases' automaton were such tails.

/// What a word is, for the start rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WordRules {
    /// Bytes that continue a word: a pattern cannot start right after one.
    pub is_word: fn(u8) -> bool,
    /// `A`–`Z` match `a`–`z` in patterns and text.
    pub ascii_case_insensitive: bool,
    /// A pattern whose occurrence starts with a non-word byte may start
    /// anywhere, even right after a word byte (`$` in "us$").
    pub free_nonword_start: bool,
}

/// The word-start automaton: a trie of the patterns whose failure links
/// only lead to suffixes that start a word, made a dense DFA over byte
/// classes.
#[derive(Debug, Clone)]
pub(crate) struct WordDfa {
    /// Byte → class: one per byte used in a pattern, then one for every
    /// other word byte and one for every other non-word byte.
    classes: [u8; 256],
    /// The rules' word bytes, to pick where a long text is split.
    is_word: fn(u8) -> bool,
    /// Per state (in `trans` order, not premultiplied): the length of the
    /// suffix it stands for.
    depth: Vec<u32>,
    stride: usize,
    /// `trans[state + class]`: the next state.
    trans: Table,
    start: u32,
    /// States from here on end at least one pattern.
    first_match: u32,
    /// Patterns whose prefix read ends in match state `k` (counted from
    /// `first_match`): `outs[out_at[k]..out_at[k + 1]]`, longest prefix
    /// first.
    out_at: Vec<u32>,
    outs: Vec<u32>,
    pattern_len: Vec<u32>,
    /// Per pattern: the length of the prefix the automaton reads. Beyond
    /// the depth where a pattern is the only one left (see
    /// [`DENSE_DEPTH`]), its state would lead to no other pattern, so the
    /// rest of it is compared with the text instead: `tails[tail_at[p]..]`,
    /// `pattern_len[p] - cut[p]` bytes, folded.
    cut: Vec<u32>,
    tail_at: Vec<u32>,
    tails: Vec<u8>,
    ascii_case_insensitive: bool,
}

/// Trie depth down to which every prefix of a pattern gets a state. Below
/// it, once a prefix is shared with no other pattern, the pattern's state
/// ends there and the rest of it is compared with the text when that state
/// is reached: most states of a phrase list are such single-pattern tails
/// (about 35,000 of the 46,000 of the shipped phrases), and without them the
/// table is a quarter of the size, so more of it stays in cache from one
/// message to the next. Reaching the state is as rare as walking the tail
/// was, and the comparison reads text already in cache.
const DENSE_DEPTH: usize = 4;

/// The largest table kept wide (premultiplied `u32` offsets). Each byte of
/// text is a table load that depends on the one before, and the narrow
/// table puts a multiply on that chain as well: the wide one matches 20 %
/// faster (hot, `matcher_speed`), and up to 2 MiB it still fits in a
/// core's L2 here. The shipped phrases' table is 1.98 MB wide, just under:
/// a few hundred states more and it goes narrow (half the bytes, about 1 %
/// slower overall).
const WIDE_UP_TO: usize = 2 << 20;

/// The transitions. State ids are premultiplied by the stride (a row
/// offset) everywhere but in the narrow table, which stores row numbers:
/// half the bytes, so twice the states stay in cache between one message
/// and the next, for a multiply per byte: for tables too big to keep wide
/// (see [`WIDE_UP_TO`]).
#[derive(Debug, Clone)]
enum Table {
    /// Row numbers, for at most 65,536 states.
    Narrow(Vec<u16>),
    /// Row offsets.
    Wide(Vec<u32>),
}

/// One entry of a [`Table`]: the next state's row offset.
trait Entry: Copy {
    fn offset(self, stride: u32) -> u32;
}

impl Entry for u16 {
    #[inline(always)]
    fn offset(self, stride: u32) -> u32 {
        u32::from(self) * stride
    }
}

impl Entry for u32 {
    #[inline(always)]
    fn offset(self, _stride: u32) -> u32 {
        self
    }
}

/// Per pattern, the length of the prefix the automaton reads: the whole
/// pattern, unless a prefix of it no other pattern has (and that is not all
/// of it) is at least `dense_depth` long or can be made so; then the
/// shortest such prefix. A pattern that is a prefix of another, or listed
/// twice, is read whole.
fn cuts(patterns: &[&str], fold: impl Fn(u8) -> u8, dense_depth: usize) -> Vec<u32> {
    let folded: Vec<Vec<u8>> = patterns
        .iter()
        .map(|p| p.bytes().map(&fold).collect())
        .collect();
    // In sorted order, the patterns sharing a prefix with one are its
    // neighbours.
    let mut sorted: Vec<usize> = (0..patterns.len()).collect();
    sorted.sort_unstable_by(|&a, &b| folded[a].cmp(&folded[b]));
    let common = |a: &[u8], b: &[u8]| a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let mut cut = vec![0u32; patterns.len()];
    for (i, &p) in sorted.iter().enumerate() {
        let me = &folded[p];
        let shared = [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter_map(|j| sorted.get(j))
            .map(|&q| common(me, &folded[q]))
            .max()
            .unwrap_or(0);
        let own = shared + 1;
        cut[p] = if own < me.len() {
            own.max(dense_depth).min(me.len())
        } else {
            me.len()
        } as u32;
    }
    cut
}

/// Trie node ids while building.
const DEAD: usize = 0;
const ROOT: usize = 1;
const NO: u32 = u32::MAX;

impl WordDfa {
    pub(crate) fn new(patterns: &[&str], rules: WordRules) -> Result<WordDfa, String> {
        Self::build(patterns, rules, None, DENSE_DEPTH)
    }

    /// [`new`](Self::new) with the wide or the narrow table (whichever
    /// [`WIDE_UP_TO`] would not pick) as `wide` says, and single-pattern tails
    /// cut from `dense_depth` on (`usize::MAX`: a state for every prefix):
    /// for tests that all agree.
    #[cfg(test)]
    pub(crate) fn new_with(
        patterns: &[&str],
        rules: WordRules,
        wide: bool,
        dense_depth: usize,
    ) -> Result<WordDfa, String> {
        Self::build(patterns, rules, Some(wide), dense_depth)
    }

    /// The automaton, with the table `wide` asks for (`None`: by
    /// [`WIDE_UP_TO`]; always wide beyond 65,536 states), single-pattern
    /// tails cut below `dense_depth`.
    fn build(
        patterns: &[&str],
        rules: WordRules,
        wide: Option<bool>,
        dense_depth: usize,
    ) -> Result<WordDfa, String> {
        if patterns.iter().any(|p| p.is_empty()) {
            return Err("empty pattern".into());
        }
        let is_word = rules.is_word;
        let fold = |b: u8| {
            if rules.ascii_case_insensitive {
                b.to_ascii_lowercase()
            } else {
                b
            }
        };
        // Classes: 0 other non-word bytes, 1 other word bytes, then one per
        // pattern byte.
        let mut classes = [0u8; 256];
        let mut used = [false; 256];
        for p in patterns {
            for &b in p.as_bytes() {
                used[fold(b) as usize] = true;
            }
        }
        let mut n_classes = 2usize;
        let mut word = vec![false, true];
        for b in 0..256usize {
            if used[b] {
                classes[b] = n_classes as u8;
                word.push(is_word(b as u8));
                n_classes += 1;
            } else {
                classes[b] = u8::from(is_word(b as u8));
            }
            if n_classes > 255 {
                return Err("more than 253 distinct pattern bytes".into());
            }
        }
        if rules.ascii_case_insensitive {
            for b in b'A'..=b'Z' {
                classes[b as usize] = classes[b.to_ascii_lowercase() as usize];
            }
        }
        let stride = n_classes;

        let cut = cuts(patterns, fold, dense_depth);
        let mut tail_at = Vec::with_capacity(patterns.len());
        let mut tails = Vec::new();
        for (p, &k) in patterns.iter().zip(&cut) {
            tail_at.push(tails.len() as u32);
            tails.extend(p.as_bytes()[k as usize..].iter().map(|&b| fold(b)));
        }

        // The trie of the prefixes read, rows of `stride` children (NO = none).
        let mut next: Vec<u32> = vec![NO; 2 * stride];
        let mut term: Vec<Vec<u32>> = vec![Vec::new(), Vec::new()];
        let mut trie_depth: Vec<u32> = vec![0, 0];
        for (pid, p) in patterns.iter().enumerate() {
            let mut v = ROOT;
            for &b in &p.as_bytes()[..cut[pid] as usize] {
                let c = classes[fold(b) as usize] as usize;
                if next[v * stride + c] == NO {
                    next[v * stride + c] = term.len() as u32;
                    next.extend(std::iter::repeat_n(NO, stride));
                    term.push(Vec::new());
                    trie_depth.push(trie_depth[v] + 1);
                }
                v = next[v * stride + c] as usize;
            }
            term[v].push(pid as u32);
        }
        let n = term.len();

        // Breadth first: every state's failure (the longest proper suffix
        // that starts a word and is in the trie, else ROOT when the next
        // byte would start a word, else DEAD) is shallower, so its row is
        // complete when ours is filled from it.
        let mut fail = vec![DEAD; n];
        let mut outs: Vec<Vec<u32>> = vec![Vec::new(); n];
        let restart = |c: usize| if word[c] { DEAD as u32 } else { ROOT as u32 };
        let mut queue = std::collections::VecDeque::new();
        for c in 0..stride {
            let u = next[ROOT * stride + c];
            if u == NO {
                next[ROOT * stride + c] = restart(c);
            } else {
                fail[u as usize] = restart(c) as usize;
                queue.push_back(u as usize);
            }
        }
        for c in 0..stride {
            // Inside a word nothing starts, but where patterns may start
            // with a non-word byte anywhere, that byte starts one.
            next[DEAD * stride + c] = if rules.free_nonword_start && !word[c] {
                next[ROOT * stride + c]
            } else {
                restart(c)
            };
        }
        // Breadth-first order, for the layout below.
        let mut bfs = vec![DEAD, ROOT];
        while let Some(v) = queue.pop_front() {
            bfs.push(v);
            let f = fail[v];
            let mut o = term[v].clone();
            o.extend_from_slice(&outs[f]);
            outs[v] = o;
            for c in 0..stride {
                let u = next[v * stride + c];
                if u == NO {
                    next[v * stride + c] = next[f * stride + c];
                } else {
                    fail[u as usize] = next[f * stride + c] as usize;
                    queue.push_back(u as usize);
                }
            }
        }

        // Renumber: states without a match first, so one comparison tells.
        // Renumbered breadth first, so that the shallow states text keeps
        // returning to sit together in cache.
        let mut order: Vec<usize> = bfs
            .iter()
            .copied()
            .filter(|&v| outs[v].is_empty())
            .collect();
        let first_match = order.len();
        order.extend(bfs.iter().copied().filter(|&v| !outs[v].is_empty()));
        // Each state's row, and the table filled straight in the width it
        // is kept in.
        let mut row = vec![0u32; n];
        for (i, &v) in order.iter().enumerate() {
            row[v] = i as u32;
        }
        let narrow = n <= 1 << 16 && !wide.unwrap_or(n * stride * 4 <= WIDE_UP_TO);
        let mut rows: Vec<u16> = Vec::new();
        let mut offsets: Vec<u32> = Vec::new();
        if narrow {
            rows.reserve_exact(n * stride);
        } else {
            offsets.reserve_exact(n * stride);
        }
        let mut out_at = Vec::with_capacity(n - first_match + 1);
        let mut flat = Vec::new();
        for (i, &v) in order.iter().enumerate() {
            let targets = next[v * stride..(v + 1) * stride]
                .iter()
                .map(|&u| row[u as usize]);
            if narrow {
                rows.extend(targets.map(|r| r as u16));
            } else {
                offsets.extend(targets.map(|r| r * stride as u32));
            }
            if i >= first_match {
                out_at.push(flat.len() as u32);
                flat.extend_from_slice(&outs[v]);
            }
        }
        out_at.push(flat.len() as u32);
        let trans = if narrow {
            Table::Narrow(rows)
        } else {
            Table::Wide(offsets)
        };
        Ok(WordDfa {
            classes,
            is_word,
            depth: order.iter().map(|&v| trie_depth[v]).collect(),
            stride,
            trans,
            start: row[ROOT] * stride as u32,
            first_match: (first_match * stride) as u32,
            out_at,
            outs: flat,
            pattern_len: patterns.iter().map(|p| p.len() as u32).collect(),
            cut,
            tail_at,
            tails,
            ascii_case_insensitive: rules.ascii_case_insensitive,
        })
    }

    /// Bytes of the transition table.
    #[cfg(test)]
    pub(crate) fn table_bytes(&self) -> usize {
        match &self.trans {
            Table::Narrow(t) => t.len() * 2,
            Table::Wide(t) => t.len() * 4,
        }
    }

    /// Calls `f(pattern, start, end)` for every occurrence of a pattern
    /// that starts a word (at offset 0 or after a non-word byte), or, under
    /// [`WordRules::free_nonword_start`], that starts with a non-word byte.
    /// In no particular order.
    ///
    /// A long text is read as two halves at once, split at a word start:
    /// one byte costs one dependent load from the table, and two
    /// independent chains of loads run in about the time of one. The first
    /// half's automaton then reads on past the split for as long as its
    /// state still reaches back before it, for the phrases that straddle.
    pub(crate) fn find(&self, text: &[u8], f: impl FnMut(usize, usize, usize)) {
        match &self.trans {
            Table::Narrow(t) => self.find_in(t, text, f),
            Table::Wide(t) => self.find_in(t, text, f),
        }
    }

    fn find_in<T: Entry>(&self, t: &[T], text: &[u8], mut f: impl FnMut(usize, usize, usize)) {
        const SPLIT_FROM: usize = 256;
        let split = (text.len() >= SPLIT_FROM)
            .then(|| {
                let mid = text.len() / 2;
                text[mid..]
                    .iter()
                    .position(|&b| !(self.is_word)(b))
                    .map(|k| mid + k + 1)
            })
            .flatten()
            .filter(|&x| x < text.len());
        let Some(split) = split else {
            self.run(t, self.start, text, 0..text.len(), &mut f);
            return;
        };
        let (a, b) = text.split_at(split);
        let (mut s1, mut s2) = (self.start, self.start);
        let common = a.len().min(b.len());
        let (a2, b2) = (&a[..common], &b[..common]);
        let mut k = 0;
        while k < common {
            // Steps until either automaton is in a match state: a loop of
            // its own, so that the states stay in registers (with the
            // reporting inside it, they went through the stack at every
            // byte).
            while k < common {
                s1 = self.step(t, s1, a2[k]);
                s2 = self.step(t, s2, b2[k]);
                k += 1;
                if s1 >= self.first_match || s2 >= self.first_match {
                    break;
                }
            }
            self.report(s1, text, k, usize::MAX, &mut f);
            self.report(s2, text, split + k, usize::MAX, &mut f);
        }
        let s1 = self.run(t, s1, text, common..split, &mut f);
        self.run(t, s2, text, split + common..text.len(), &mut f);
        // The first half's matches that run past the split: while its
        // state's suffix starts before the split, hits starting there are
        // its own (the second automaton saw only what starts after).
        let (mut s1, mut p) = (s1, split);
        while p < text.len() && (self.depth[s1 as usize / self.stride] as usize) > p - split {
            s1 = self.step(t, s1, text[p]);
            p += 1;
            self.report(s1, text, p, split, &mut f);
        }
    }

    /// One automaton over `text[range]` from state `s`, reporting every
    /// hit; the state it ends in.
    #[inline(always)]
    fn run<T: Entry>(
        &self,
        t: &[T],
        mut s: u32,
        text: &[u8],
        range: std::ops::Range<usize>,
        f: &mut impl FnMut(usize, usize, usize),
    ) -> u32 {
        let (mut i, end) = (range.start, range.end);
        while i < end {
            // As in `find_in`: steps in registers until a match state.
            while i < end {
                s = self.step(t, s, text[i]);
                i += 1;
                if s >= self.first_match {
                    break;
                }
            }
            self.report(s, text, i, usize::MAX, f);
        }
        s
    }

    #[inline(always)]
    fn step<T: Entry>(&self, t: &[T], s: u32, b: u8) -> u32 {
        t[s as usize + self.classes[b as usize] as usize].offset(self.stride as u32)
    }

    /// The patterns whose prefix read ends at offset `end` of `text` in
    /// state `s`, that start before `before` and, when cut, whose rest
    /// follows in the text.
    #[inline(always)]
    fn report(
        &self,
        s: u32,
        text: &[u8],
        end: usize,
        before: usize,
        f: &mut impl FnMut(usize, usize, usize),
    ) {
        if s < self.first_match {
            return;
        }
        let k = (s - self.first_match) as usize / self.stride;
        let (a, z) = (self.out_at[k] as usize, self.out_at[k + 1] as usize);
        for &pid in &self.outs[a..z] {
            let pid = pid as usize;
            let start = end - self.cut[pid] as usize;
            if start >= before {
                continue;
            }
            let stop = start + self.pattern_len[pid] as usize;
            if stop > end && !self.rest_follows(pid, text, end, stop) {
                continue;
            }
            f(pid, start, stop);
        }
    }

    /// Whether the part of pattern `pid` the automaton did not read is
    /// `text[end..stop]`.
    fn rest_follows(&self, pid: usize, text: &[u8], end: usize, stop: usize) -> bool {
        let Some(t) = text.get(end..stop) else {
            return false;
        };
        let at = self.tail_at[pid] as usize;
        let rest = &self.tails[at..at + t.len()];
        if self.ascii_case_insensitive {
            t.iter()
                .zip(rest)
                .all(|(&x, &y)| x.to_ascii_lowercase() == y)
        } else {
            t == rest
        }
    }
}
