//! One canonical view of text for matching, with a map back to the source.
//!
//! Two folds share one per-character table:
//! - [`Fold::Match`]: what phrases are matched on. Compatibility decomposition
//!   (NFKD, so fullwidth and mathematical letters become ASCII), combining
//!   marks dropped (so "ḟeel sặd" reads "feel sad"), look-alike letters from
//!   Cyrillic, Greek, Armenian and Latin extensions folded to the Latin letter
//!   they imitate, invisible characters (zero-width, soft hyphen, bidi
//!   controls, variation selectors) removed, lower-cased, every whitespace run
//!   collapsed to one space, and mail quote markers (`>`, `>>`) at the start
//!   of a line dropped.
//! - [`Fold::Case`]: the same character folding but case and line breaks kept,
//!   for extractors whose targets are case-sensitive (base58 wallets, `USD`).
//!
//! ASCII is the fast path: most mail is ASCII, and only non-ASCII characters
//! pay for decomposition and table look-ups.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use crate::swar;

/// Which view to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// Lower-cased, whitespace collapsed, quote markers dropped.
    Match,
    /// Case and line structure kept.
    Case,
}

/// Normalised text plus, for every byte of it, the byte offset in the source
/// where the character it came from starts.
#[derive(Debug, Default)]
pub struct Normalized {
    text: String,
    /// Normalised byte offsets to source offsets; the text's length maps to
    /// the source length.
    map: OffsetMap,
    /// Non-ASCII letters that were folded to a different Latin letter inside a
    /// word that also has plain Latin letters.
    pub(crate) homoglyphs: u32,
}

impl Clone for Normalized {
    fn clone(&self) -> Self {
        let mut n = Normalized::default();
        n.clone_from(self);
        n
    }

    /// Reuses this value's buffers.
    fn clone_from(&mut self, source: &Self) {
        self.text.clone_from(&source.text);
        self.map.clone_from(&source.map);
        self.homoglyphs = source.homoglyphs;
    }
}

impl Normalized {
    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a normalised byte range back to the source byte range it covers.
    /// The result is on source character boundaries.
    pub fn source_range(&self, start: usize, end: usize) -> (usize, usize) {
        let n = self.map.len();
        let s = self.map.get(start.min(n)) as usize;
        // The end maps to the start of the first source char *after* the
        // last normalised byte's source char.
        let last = end.min(n);
        let e = if last == 0 {
            s
        } else {
            self.map.next_other(last, self.map.get(last - 1)) as usize
        };
        (s, e.max(s))
    }

    /// Clears for reuse, keeping allocations.
    pub fn clear(&mut self) {
        self.text.clear();
        self.map.clear();
        self.homoglyphs = 0;
    }

    /// Bytes this value holds on the heap.
    pub(crate) fn capacity(&self) -> usize {
        self.text.capacity() + self.map.segs.capacity() * std::mem::size_of::<Seg>()
    }
}

/// Offsets in a derived text mapped back to its source, stored as segments
/// rather than one entry per byte: a derived text is mostly runs copied byte
/// for byte (one segment each, however long), and a per-byte table cost
/// four bytes of writes for every byte of mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OffsetMap {
    segs: Vec<Seg>,
    /// Derived bytes mapped so far.
    len: u32,
    /// What offset `len` maps to: the source length, set by [`OffsetMap::finish`].
    end: u32,
    /// The source offset that would continue the last segment as a copied
    /// run (`NONE` when it cannot be continued): the test of the per-byte
    /// fast path.
    next: u32,
}

const NONE: u32 = u32::MAX;

/// Derived bytes from `at` to the next segment's `at` map to `src + step × k`
/// for the k-th of them: `step` is 1 for a copied run, 0 for the bytes of
/// one source character that became several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seg {
    at: u32,
    src: u32,
    step: u32,
}

impl Default for OffsetMap {
    fn default() -> Self {
        OffsetMap {
            segs: Vec::new(),
            len: 0,
            end: 0,
            next: NONE,
        }
    }
}

impl OffsetMap {
    pub(crate) fn clear(&mut self) {
        self.segs.clear();
        self.len = 0;
        self.end = 0;
        self.next = NONE;
    }

    /// One derived byte from source offset `src`: [`OffsetMap::push`] for a
    /// single byte, with the common case (the byte after the last) first.
    #[inline]
    pub(crate) fn push_byte(&mut self, src: u32) {
        if src == self.next {
            self.len += 1;
            self.next += 1;
        } else {
            self.push(src, 1, true);
        }
    }

    /// The next `n` derived bytes come from source offset `src` on: one byte
    /// each (`copied`), or all of them from the character at `src`.
    #[inline]
    pub(crate) fn push(&mut self, src: u32, n: usize, copied: bool) {
        if n == 0 {
            return;
        }
        let step = u32::from(copied || n == 1);
        if let Some(last) = self.segs.last_mut() {
            let k = self.len - last.at;
            let continues = if step == 1 {
                (last.step == 1 || k == 1) && src == last.src + k
            } else {
                last.step == 0 && src == last.src
            };
            if continues {
                last.step = if k == 1 { step } else { last.step };
                self.len += n as u32;
                self.next = if last.step == 1 {
                    last.src + (self.len - last.at)
                } else {
                    NONE
                };
                return;
            }
        }
        self.segs.push(Seg {
            at: self.len,
            src,
            step,
        });
        self.len += n as u32;
        self.next = if step == 1 { src + n as u32 } else { NONE };
    }

    /// Ends the map: offset [`OffsetMap::len`] maps to `src_len`.
    pub(crate) fn finish(&mut self, src_len: u32) {
        self.end = src_len;
    }

    /// Derived bytes mapped.
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// The source offset of derived byte `i` (`len()` maps to the end).
    pub(crate) fn get(&self, i: usize) -> u32 {
        self.locate(i).0
    }

    /// `get(i)`, and the derived offset where the bytes that certainly map
    /// to the same source offset end: the next byte in a copied run, the
    /// segment's end in a character's bytes.
    fn locate(&self, i: usize) -> (u32, usize) {
        if i >= self.len as usize {
            return (self.end, self.len as usize);
        }
        let k = self.segs.partition_point(|s| s.at as usize <= i) - 1;
        let s = self.segs[k];
        let next = if s.step == 1 {
            i + 1
        } else {
            self.segs.get(k + 1).map_or(self.len, |n| n.at) as usize
        };
        (s.src + s.step * (i as u32 - s.at), next)
    }

    /// The source offset of the first derived byte at or after `i` that maps
    /// elsewhere than `last` (the end of the source if none does).
    pub(crate) fn next_other(&self, mut i: usize, last: u32) -> u32 {
        loop {
            let (v, next) = self.locate(i);
            if v != last || i >= self.len as usize {
                return v;
            }
            i = next;
        }
    }

    /// One entry per derived byte plus the end: the plain table, for tests.
    #[cfg(test)]
    pub(crate) fn expand(&self) -> Vec<u32> {
        (0..=self.len()).map(|i| self.get(i)).collect()
    }
}

/// Builds the normalised view of `src`.
pub fn normalize(src: &str, fold: Fold) -> Normalized {
    let mut out = Normalized::default();
    normalize_into(src, fold, &mut out);
    out
}

/// Builds the normalised view of `src` into `out`, reusing its buffers.
pub fn normalize_into(src: &str, fold: Fold, out: &mut Normalized) {
    out.clear();
    out.text.reserve(src.len());
    let mut st = State {
        out,
        collapse: fold == Fold::Match,
        at_line_start: true,
        pending_space: None,
        word_ascii: false,
        word_folded: false,
    };
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII, the bulk of mail, a run at a time: the same result as
        // feeding each byte to `State::feed`, without the per-character
        // Unicode tests.
        let run = ascii_prefix(&bytes[i..]);
        if run > 0 {
            if st.collapse {
                st.ascii_match(&src[i..i + run], i);
            } else {
                st.ascii_case(&src[i..i + run], i);
            }
            i += run;
            continue;
        }
        let c = src[i..]
            .chars()
            .next()
            .expect("index is on a char boundary");
        let pos = i as u32;
        i += c.len_utf8();
        st.feed_folded(c, pos);
    }
    st.end_word();
    st.out.map.finish(src.len() as u32);
}

/// Length of the longest prefix of `b` that Match mode copies unchanged but
/// for case: printable bytes other than `>`, with single spaces between them,
/// starting and ending on a printable one.
///
/// Eight bytes at a time: a space after a space (or at the start) and any
/// byte that is not printable ASCII or is `>` end the stretch, found with
/// exact byte tests in a word, so the end of each word of text costs no
/// mispredicted branch as it did a byte at a time.
fn plain_stretch(b: &[u8]) -> usize {
    let (mut j, mut end) = (0, 0);
    // Whether the byte before `j` is a space (or there is none).
    let mut after_space = true;
    while j + 8 <= b.len() {
        let x = swar::load(b, j);
        let sp = swar::eq_exact(x, b' ');
        let bad = swar::lt_exact(x, b' ')
            | swar::eq_exact(x, 0x7f)
            | swar::eq_exact(x, b'>')
            | (x & swar::HIGH);
        let stop = bad | (sp & ((sp << 8) | u64::from(after_space) << 7));
        // Lanes before the first stop, as their high bits.
        let kept = if stop == 0 {
            swar::HIGH
        } else {
            swar::HIGH & ((1u64 << (swar::first_lane(stop) * 8)) - 1)
        };
        let printable = kept & !sp;
        if printable != 0 {
            end = j + (63 - printable.leading_zeros() as usize) / 8 + 1;
        }
        if stop != 0 {
            return end;
        }
        after_space = sp >> 63 != 0;
        j += 8;
    }
    stretch_tail(b, j, end)
}

/// [`plain_stretch`] a byte at a time from `j`, where the stretch so far
/// ends at `end` (`end == j`: the byte before `j` is printable).
fn stretch_tail(b: &[u8], mut j: usize, mut end: usize) -> usize {
    while let Some(&c) = b.get(j) {
        if c > b' ' && c < 0x7f && c != b'>' {
            j += 1;
            end = j;
        } else if c == b' ' && end == j && j > 0 {
            j += 1;
        } else {
            break;
        }
    }
    end
}

/// Length of the ASCII prefix of `b`, eight bytes at a time.
pub(crate) fn ascii_prefix(b: &[u8]) -> usize {
    let mut n = 0;
    while n + 8 <= b.len() {
        let high = swar::load(b, n) & swar::HIGH;
        if high != 0 {
            return n + swar::first_lane(high);
        }
        n += 8;
    }
    n + b[n..]
        .iter()
        .position(|c| !c.is_ascii())
        .unwrap_or(b.len() - n)
}

struct State<'a> {
    out: &'a mut Normalized,
    /// Match mode: lower-case, collapse whitespace, drop quote markers.
    collapse: bool,
    at_line_start: bool,
    pending_space: Option<u32>,
    word_ascii: bool,
    word_folded: bool,
}

impl State<'_> {
    /// Feeds one non-ASCII source character: dropped when invisible,
    /// otherwise folded (and lower-cased in Match mode). The common
    /// blocks come from a table built once.
    fn feed_folded(&mut self, c: char, pos: u32) {
        if let Some(e) = table_entry(c) {
            let f = if self.collapse { &e.matched } else { &e.cased };
            if f.len != SLOW {
                for &ch in &f.chars[..f.len as usize] {
                    self.feed(ch, pos, e.lookalike);
                }
                return;
            }
        }
        let lookalike = is_lookalike_script(c);
        fold_emit(c, self.collapse, |f| self.feed(f, pos, lookalike));
    }

    /// Case mode over an ASCII run starting at source offset `at`: copied
    /// as is but for vertical tab and form feed, which become spaces.
    fn ascii_case(&mut self, run: &str, at: usize) {
        let start = self.out.text.len();
        self.out.text.push_str(run);
        if memchr::memchr2(0x0b, 0x0c, run.as_bytes()).is_some() {
            let fixed = self.out.text[start..].replace(['\u{b}', '\u{c}'], " ");
            self.out.text.truncate(start);
            self.out.text.push_str(&fixed);
        }
        self.out.map.push(at as u32, run.len(), true);
        self.track_ascii_words(run.as_bytes());
    }

    /// Match mode over an ASCII run starting at source offset `at`:
    /// lower-cased, whitespace collapsed, line-start quote markers dropped.
    fn ascii_match(&mut self, run: &str, at: usize) {
        let b = run.as_bytes();
        let mut i = 0;
        while i < b.len() {
            // Words and single spaces, the bulk of text, come out as they
            // are but lower-cased: copied a stretch at a time.
            let n = plain_stretch(&b[i..]);
            if n > 0 {
                self.emit_pending_space();
                self.at_line_start = false;
                let from = self.out.text.len();
                self.out.text.push_str(&run[i..i + n]);
                self.out.text[from..].make_ascii_lowercase();
                self.out.map.push((at + i) as u32, n, true);
                self.track_ascii_words(&b[i..i + n]);
                i += n;
                continue;
            }
            self.match_byte(b[i], (at + i) as u32);
            i += 1;
        }
    }

    /// One ASCII byte in Match mode.
    #[inline]
    fn match_byte(&mut self, c: u8, pos: u32) {
        if c.is_ascii_alphanumeric() {
            self.at_line_start = false;
            self.emit_pending_space();
            self.out.text.push(c.to_ascii_lowercase() as char);
            self.out.map.push_byte(pos);
            self.word_ascii = true;
        } else if matches!(c, b'\t'..=b'\r' | b' ') {
            self.end_word();
            if c == b'\n' {
                self.at_line_start = true;
            }
            if self.pending_space.is_none() && !self.out.text.is_empty() {
                self.pending_space = Some(pos);
            }
        } else if !(self.at_line_start && c == b'>') {
            self.at_line_start = false;
            self.emit_pending_space();
            self.end_word();
            self.out.text.push(c as char);
            self.out.map.push_byte(pos);
        }
    }

    /// Word tracking as `feed` does it over an ASCII stretch: the first
    /// non-alphanumeric byte ends the current word; only the alphanumerics
    /// after the last one start a new (plain ASCII) word.
    fn track_ascii_words(&mut self, b: &[u8]) {
        match b.iter().rposition(|c| !c.is_ascii_alphanumeric()) {
            None => self.word_ascii = true,
            Some(last) => {
                if b[0].is_ascii_alphanumeric() {
                    self.word_ascii = true;
                }
                self.end_word();
                self.word_ascii = last + 1 < b.len();
            }
        }
    }

    /// Appends one (folded) character that came from source offset `pos`.
    #[inline]
    fn feed(&mut self, c: char, pos: u32, from_lookalike: bool) {
        if c.is_whitespace() {
            self.end_word();
            if self.collapse {
                if matches!(c, '\n' | '\u{2028}' | '\u{2029}' | '\u{85}') {
                    self.at_line_start = true;
                }
                if self.pending_space.is_none() && !self.out.text.is_empty() {
                    self.pending_space = Some(pos);
                }
            } else {
                let keep = if matches!(c, '\n' | '\r' | '\t') {
                    c
                } else {
                    ' '
                };
                push(self.out, keep, pos);
            }
            return;
        }
        if self.collapse && self.at_line_start && c == '>' {
            return;
        }
        self.at_line_start = false;
        self.emit_pending_space();
        if c.is_alphanumeric() {
            if from_lookalike && c.is_ascii() {
                self.word_folded = true;
            } else if c.is_ascii() {
                self.word_ascii = true;
            }
        } else {
            self.end_word();
        }
        let c = if self.collapse {
            c.to_ascii_lowercase()
        } else {
            c
        };
        push(self.out, c, pos);
    }

    /// Writes the space a whitespace run collapsed to, if one is waiting:
    /// it comes out only before the next visible character.
    #[inline]
    fn emit_pending_space(&mut self) {
        if let Some(p) = self.pending_space.take() {
            self.out.text.push(' ');
            self.out.map.push_byte(p);
        }
    }

    fn end_word(&mut self) {
        if self.word_ascii && self.word_folded {
            self.out.homoglyphs += 1;
        }
        self.word_ascii = false;
        self.word_folded = false;
    }
}

/// What one non-ASCII character becomes, in the order `State::feed` gets
/// it: nothing when invisible, else its fold (lower-cased and folded once
/// more in Match mode).
fn fold_emit(c: char, collapse: bool, mut emit: impl FnMut(char)) {
    if is_invisible(c) {
        return;
    }
    fold_char(c, |f| {
        if !collapse || f.is_ascii() {
            emit(f);
            return;
        }
        // Lower-casing can produce characters that fold further
        // ('İ' → 'i' + combining dot): fold them once more so that
        // normalising twice changes nothing.
        for l in f.to_lowercase() {
            if l.is_ascii() {
                emit(l);
            } else {
                fold_char(l, |g| {
                    for h in g.to_lowercase() {
                        if !is_combining_mark(h) && !is_invisible(h) {
                            emit(h);
                        }
                    }
                });
            }
        }
    });
}

/// A fold of up to four characters; `len == SLOW` when longer.
#[derive(Clone, Copy)]
struct Folded {
    chars: [char; 4],
    len: u8,
}

const SLOW: u8 = u8::MAX;

struct TableEntry {
    matched: Folded,
    cased: Folded,
    lookalike: bool,
}

/// Blocks of non-ASCII that mail is made of (Latin-1 and Latin Extended,
/// IPA, Greek, Cyrillic; General Punctuation, currency and letter-like
/// symbols), folded once: decomposition and case tables cost ~150 ns per
/// character, a look-up a few.
const TABLE_BLOCKS: [(u32, u32); 2] = [(0x80, 0x530), (0x2000, 0x2200)];

static TABLE: std::sync::LazyLock<Vec<TableEntry>> = std::sync::LazyLock::new(|| {
    let fold = |c: char, collapse: bool| {
        let mut f = Folded {
            chars: ['\0'; 4],
            len: 0,
        };
        fold_emit(c, collapse, |x| {
            if f.len == SLOW {
                return;
            }
            if (f.len as usize) < f.chars.len() {
                f.chars[f.len as usize] = x;
                f.len += 1;
            } else {
                f.len = SLOW;
            }
        });
        f
    };
    TABLE_BLOCKS
        .iter()
        .flat_map(|&(a, b)| a..b)
        .map(|cp| {
            // No surrogates in these blocks: every code point is a char.
            let c = char::from_u32(cp).unwrap_or('\u{FFFD}');
            TableEntry {
                matched: fold(c, true),
                cased: fold(c, false),
                lookalike: is_lookalike_script(c),
            }
        })
        .collect()
});

fn table_entry(c: char) -> Option<&'static TableEntry> {
    let cp = c as u32;
    let mut base = 0;
    for &(a, b) in &TABLE_BLOCKS {
        if (a..b).contains(&cp) {
            return TABLE.get(base + (cp - a) as usize);
        }
        base += (b - a) as usize;
    }
    None
}

#[inline]
fn push(out: &mut Normalized, c: char, pos: u32) {
    let n = c.len_utf8();
    out.text.push(c);
    out.map.push(pos, n, false);
}

/// Characters a reader does not see and that scammers put inside words.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'            // soft hyphen
        | '\u{034F}'          // combining grapheme joiner
        | '\u{061C}'          // arabic letter mark
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // hangul fillers
        | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM/RLM
        | '\u{202A}'..='\u{202E}' // bidi embeddings
        | '\u{2060}'..='\u{206F}' // word joiner, invisible operators, bidi isolates
        | '\u{FE00}'..='\u{FE0F}' // variation selectors
        | '\u{FEFF}'              // BOM / zero-width no-break space
        | '\u{E0000}'..='\u{E007F}' // tags
        | '\u{E0100}'..='\u{E01EF}' // variation selectors supplement
    )
}

fn is_lookalike_script(c: char) -> bool {
    matches!(c as u32, 0x0370..=0x052F | 0x0530..=0x058F | 0x1D00..=0x1DBF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF | 0xFF00..=0xFFEF | 0x1D400..=0x1D7FF)
}

/// Folds one non-ASCII character to what a reader takes it for, calling
/// `emit` for each resulting character (usually one). Case is preserved.
pub fn fold_char(c: char, mut emit: impl FnMut(char)) {
    if c == 'ß' {
        emit('s');
        emit('s');
        return;
    }
    if let Some(l) = confusable(c) {
        emit(l);
        return;
    }
    let mut any = false;
    decompose_compatible(c, |d| {
        if is_combining_mark(d) {
            return;
        }
        // A decomposition can itself produce a look-alike (e.g. a Cyrillic
        // letter with a diacritic).
        let d = confusable(d).unwrap_or(d);
        any = true;
        emit(d);
    });
    if !any && !is_combining_mark(c) {
        emit(c);
    }
}

/// Look-alikes of Latin letters and ASCII punctuation, case-preserving.
/// Sources: Unicode confusables.txt (TR39) for the letters seen in spam;
/// typographic quotes and dashes folded so phrase lists need one form.
fn confusable(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic lower
        'а' => 'a',
        'в' => 'b',
        'е' => 'e',
        'ё' => 'e',
        'ѕ' => 's',
        'і' => 'i',
        'ї' => 'i',
        'ј' => 'j',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'у' => 'y',
        'х' => 'x',
        'һ' => 'h',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ɡ' => 'g',
        'ӏ' => 'l',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'т' => 't',
        'п' => 'n',
        'г' => 'r',
        'ь' => 'b',
        'ω' => 'w',
        'ѡ' => 'w',
        // Cyrillic upper
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'Ё' => 'E',
        'Ѕ' => 'S',
        'І' => 'I',
        'Ї' => 'I',
        'Ј' => 'J',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'У' => 'Y',
        'Х' => 'X',
        'Ү' => 'Y',
        'Ԁ' => 'D',
        'Ԛ' => 'Q',
        'Ԝ' => 'W',
        'Ӏ' => 'I',
        'Ь' => 'b',
        'З' => '3',
        'з' => '3',
        'б' => '6',
        // Greek
        'α' => 'a',
        'β' => 'b',
        'γ' => 'y',
        'ε' => 'e',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'ϲ' => 'c',
        'ϳ' => 'j',
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        'Ϲ' => 'C',
        'Ϳ' => 'J',
        // Armenian
        'օ' => 'o',
        'ս' => 'u',
        'ց' => 'g',
        'հ' => 'h',
        'ո' => 'n',
        'զ' => 'q',
        'ա' => 'w',
        // Latin extensions and IPA that imitate plain letters
        'ı' => 'i',
        'ȷ' => 'j',
        'ɑ' => 'a',
        'ɩ' => 'i',
        'ʟ' => 'L',
        'ɪ' => 'I',
        'ʀ' => 'R',
        'ᴀ' => 'A',
        'ʙ' => 'B',
        'ᴄ' => 'C',
        'ᴅ' => 'D',
        'ᴇ' => 'E',
        'ɢ' => 'G',
        'ʜ' => 'H',
        'ᴊ' => 'J',
        'ᴋ' => 'K',
        'ᴍ' => 'M',
        'ɴ' => 'N',
        'ᴏ' => 'O',
        'ᴘ' => 'P',
        'ꞯ' => 'Q',
        'ꜱ' => 'S',
        'ᴛ' => 'T',
        'ᴜ' => 'U',
        'ᴠ' => 'V',
        'ᴡ' => 'W',
        'ʏ' => 'Y',
        'ᴢ' => 'Z',
        'ł' => 'l',
        'Ł' => 'L',
        'ø' => 'o',
        'Ø' => 'O',
        'đ' => 'd',
        'Đ' => 'D',
        'ħ' => 'h',
        'ƅ' => 'b',
        'ɵ' => 'o',
        // Punctuation
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}'
        | '\u{02BC}' | '\u{FF07}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => '-',
        '\u{2024}' => '.',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! t {
        ($name:ident, $fold:expr, $input:expr, $want:expr) => {
            #[test]
            fn $name() {
                assert_eq!(normalize($input, $fold).as_str(), $want);
            }
        };
    }

    t!(ascii_lower, Fold::Match, "Hello  World\r\n", "hello world");
    t!(
        cyrillic,
        Fold::Match,
        "messаge from your аccount",
        "message from your account"
    );
    t!(accent_letters, Fold::Match, "ḟeel sặd", "feel sad");
    t!(fullwidth, Fold::Match, "ＢＩＴＣＯＩＮ", "bitcoin");
    t!(math_bold, Fold::Match, "𝐯𝐢𝐝𝐞𝐨", "video");
    t!(
        zero_width,
        Fold::Match,
        "vi\u{200B}d\u{00AD}e\u{200C}o",
        "video"
    );
    t!(
        quote_markers,
        Fold::Match,
        ">> Hi\r\n>> you\n> there",
        "hi you there"
    );
    t!(nbsp, Fold::Match, "a\u{a0}\u{a0}b", "a b");
    t!(apostrophe, Fold::Match, "I’ve", "i've");
    t!(german, Fold::Match, "Größe Straße", "grosse strasse");
    t!(case_keeps, Fold::Case, "1A1zР1eP\u{200B}5", "1A1zP1eP5");
    t!(case_keeps_lines, Fold::Case, "a\nb", "a\nb");
    t!(leading_space, Fold::Match, "  x", "x");

    #[test]
    fn map_back() {
        let src = "Ab\u{200B}с d";
        let n = normalize(src, Fold::Match);
        assert_eq!(n.as_str(), "abc d");
        let (s, e) = n.source_range(1, 3);
        assert_eq!(&src[s..e], "b\u{200B}с");
        let (s, e) = n.source_range(4, 5);
        assert_eq!(&src[s..e], "d");
    }

    /// The fold character by character through `State::feed`, without the
    /// ASCII run paths: what `normalize_into` must produce.
    fn reference(src: &str, fold: Fold) -> Normalized {
        let mut out = Normalized::default();
        let mut st = State {
            out: &mut out,
            collapse: fold == Fold::Match,
            at_line_start: true,
            pending_space: None,
            word_ascii: false,
            word_folded: false,
        };
        for (i, c) in src.char_indices() {
            if c.is_ascii() {
                st.feed(c, i as u32, false);
            } else {
                let collapse = st.collapse;
                let lookalike = is_lookalike_script(c);
                fold_emit(c, collapse, |f| st.feed(f, i as u32, lookalike));
            }
        }
        st.end_word();
        st.out.map.finish(src.len() as u32);
        out
    }

    proptest::proptest! {
        #[test]
        fn plain_stretch_agrees_with_a_byte_at_a_time(b in proptest::collection::vec(proptest::sample::select(vec![b'a', b'Z', b' ', b' ', b'>', b'\n', b'\t', 0x7f, 0x80, 0xff, b'!', b'~', 0x1f]), 0..40)) {
            proptest::prop_assert_eq!(plain_stretch(&b), stretch_tail(&b, 0, 0), "{:?}", b);
        }

        #[test]
        fn ascii_prefix_finds_first_non_ascii(b in proptest::collection::vec(proptest::sample::select(vec![b'a', b' ', 0x7f, 0x80, 0xff]), 0..40)) {
            let want = b.iter().position(|c| !c.is_ascii()).unwrap_or(b.len());
            proptest::prop_assert_eq!(ascii_prefix(&b), want);
        }
    }

    proptest::proptest! {
        /// The segments answer as the plain per-byte table would.
        #[test]
        fn offset_map_agrees_with_table(
            ops in proptest::collection::vec((0u32..3, 0usize..4, proptest::bool::ANY), 0..30)
        ) {
            let mut m = OffsetMap::default();
            let mut table = Vec::new();
            // `gap` 0: more bytes from the last byte's character (ß → ss).
            let mut last = 0u32;
            for (gap, n, copied) in ops {
                let src = last + gap;
                m.push(src, n, copied);
                for k in 0..n as u32 {
                    table.push(if copied { src + k } else { src });
                }
                last = table.last().copied().unwrap_or(0);
            }
            let src = last;
            m.finish(src + 1);
            table.push(src + 1);
            proptest::prop_assert_eq!(m.expand(), table.clone());
            for i in 1..table.len() {
                let last = table[i - 1];
                let want = table[i..].iter().copied().find(|&v| v != last).unwrap_or(src + 1);
                proptest::prop_assert_eq!(m.next_other(i, last), want, "{}", i);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn ascii_runs_agree_with_feeding_each_char(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "Bc", "9", " ", "  ", "\n", "\r\n", "\t", "\u{b}", "\u{c}", ">", "> ",
                ">>", "-", ".", "$", "é", "а", "Ｂ", "\u{200B}", "\u{a0}", "İ", "ß", "’", "日",
                "\u{2028}", "x>y", "\n>", "1A1z",
            ]), 0..40)
        ) {
            let src: String = parts.concat();
            for fold in [Fold::Match, Fold::Case] {
                let fast = normalize(&src, fold);
                let slow = reference(&src, fold);
                proptest::prop_assert_eq!(fast.as_str(), slow.as_str(), "{:?} {:?}", fold, src);
                proptest::prop_assert_eq!(fast.map.expand(), slow.map.expand());
                proptest::prop_assert_eq!(fast.homoglyphs, slow.homoglyphs);
            }
        }
    }

    /// Every character of the fold table, alone and inside a word, comes
    /// out as the slow path folds it.
    #[test]
    fn fold_table_agrees_with_slow_fold() {
        for &(a, b) in &TABLE_BLOCKS {
            for c in (a..b).filter_map(char::from_u32) {
                for src in [c.to_string(), format!("x{c}y {c}")] {
                    for fold in [Fold::Match, Fold::Case] {
                        let fast = normalize(&src, fold);
                        let slow = reference(&src, fold);
                        assert_eq!(fast.as_str(), slow.as_str(), "{c:?} {fold:?}");
                        assert_eq!(fast.map.expand(), slow.map.expand(), "{c:?} {fold:?}");
                        assert_eq!(fast.homoglyphs, slow.homoglyphs, "{c:?} {fold:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn homoglyph_count() {
        assert_eq!(normalize("messаge", Fold::Match).homoglyphs, 1);
        assert_eq!(normalize("сообщение", Fold::Match).homoglyphs, 0);
    }
}
