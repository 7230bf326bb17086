//! Finding address candidates in free text: a cheap trigger, a local
//! scanner, then validation (the shape of robinst/linkify's finder).
//!
//! The scanner walks maximal ASCII alphanumeric runs ("tokens") of the
//! case-preserving folded view. A token is a *start* when its first
//! characters can begin an address of some family (base58, bech32,
//! cashaddr, `0x` hex) and all its characters are in that family's
//! alphabet. A start is validated alone; if it fails, the scanner tries to
//! reassemble it with the tokens that follow, because scammers split
//! addresses to defeat filters:
//!
//! - **wrap**: the next token begins the next line (`\n`, `\r\n`, a blank
//!   line, `>` quote markers, an undecoded `=` soft break): always tried;
//! - **space**: the next token follows a few spaces on the same line: tried
//!   when the first piece looks random (a digit, an upper-case letter past
//!   the first character, or 12+ characters; later pieces: either one);
//! - **label**: one of the next six tokens, within 64 bytes, skipping words
//!   such as ", second part:" (never a random-looking token): tried once per
//!   chain, when both pieces look random.
//!
//! Every candidate must pass its chain's checksum, so reassembly never
//! invents a wallet; the rules above only bound the work (a constant number
//! of candidates per start, hence linear time) and keep ordinary words out.
//!
//! Inside URLs, e-mail addresses / message-ids and base64 blobs, only a
//! whole token with a real checksum counts: no reassembly, no unchecksummed
//! Ethereum address, no wallet-shaped leftovers.

use std::cell::Cell;

use super::chains::{self, Reject, Valid};
use crate::swar;

pub(super) const ALNUM: u8 = 1;
pub(super) const B58: u8 = 2;
/// A bech32/cashaddr data character, lower case.
pub(super) const BL: u8 = 4;
/// A bech32/cashaddr data character, upper case.
pub(super) const BU: u8 = 8;
pub(super) const HEX: u8 = 16;
pub(super) const DIGIT: u8 = 32;
pub(super) const UPPER: u8 = 64;
/// First byte of a token that may start some address.
pub(super) const TRIGGER: u8 = 128;

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let b58 = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let bech = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let trig = b"0123456789mnLMQTDABbtlrRqpQP";
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        if c.is_ascii_alphanumeric() {
            t[i] |= ALNUM;
        }
        if c.is_ascii_hexdigit() {
            t[i] |= HEX;
        }
        if c.is_ascii_digit() {
            t[i] |= DIGIT;
        }
        if c.is_ascii_uppercase() {
            t[i] |= UPPER;
        }
        i += 1;
    }
    let mut i = 0;
    while i < b58.len() {
        t[b58[i] as usize] |= B58;
        i += 1;
    }
    let mut i = 0;
    while i < bech.len() {
        t[bech[i] as usize] |= BL;
        t[bech[i].to_ascii_uppercase() as usize] |= BU;
        i += 1;
    }
    let mut i = 0;
    while i < trig.len() {
        t[trig[i] as usize] |= TRIGGER;
        i += 1;
    }
    t
}

pub(super) static CLASS: [u8; 256] = classes();

/// Address families: which alphabet fragments must use and which
/// validators a candidate goes to.
pub(super) const F_B58: u8 = 1;
pub(super) const F_BECH_L: u8 = 2;
pub(super) const F_BECH_U: u8 = 4;
pub(super) const F_CASH_L: u8 = 8;
pub(super) const F_CASH_U: u8 = 16;
pub(super) const F_HEX: u8 = 32;
pub(super) const F_BECH: u8 = F_BECH_L | F_BECH_U;
pub(super) const F_CASH: u8 = F_CASH_L | F_CASH_U;

/// Most fragments one address is reassembled from.
pub(super) const MAX_FRAGS: usize = 12;
/// How many tokens ahead a labelled second part may be.
pub(super) const MAX_LOOKAHEAD: usize = 6;
/// How far (bytes) the next fragment may be.
pub(super) const MAX_GAP: usize = 64;
/// Validations of candidates that are not a whole token (reassembled,
/// glued, trimmed) allowed per text: this many, plus one per
/// `JOIN_BUDGET_BYTES` of text. Real letters need a handful; text made of
/// nothing but address-like pieces would otherwise cost a few validations
/// per token.
pub(super) const JOIN_BUDGET_BASE: usize = 256;
pub(super) const JOIN_BUDGET_BYTES: usize = 32;
/// Runs longer than this may end with an address glued to a word.
pub(super) const GLUE_MIN: usize = 26;
/// Runs longer than this are not searched for a glued address.
pub(super) const GLUE_MAX: usize = 140;

#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub(super) s: usize,
    pub(super) e: usize,
    /// AND of the character classes (alphabet membership).
    pub(super) and: u8,
    /// OR of the classes of every character but the first.
    pub(super) tail_or: u8,
}

impl Tok {
    pub(super) fn len(&self) -> usize {
        self.e - self.s
    }

    /// Families whose alphabet holds every character (continuation pieces).
    pub(super) fn fams(&self) -> u8 {
        let mut f = 0;
        if self.and & B58 != 0 {
            f |= F_B58;
        }
        if self.and & BL != 0 {
            f |= F_BECH_L | F_CASH_L;
        }
        if self.and & BU != 0 {
            f |= F_BECH_U | F_CASH_U;
        }
        if self.and & HEX != 0 {
            f |= F_HEX;
        }
        f
    }

    /// Looks like a piece of an address rather than a word.
    pub(super) fn random(&self) -> bool {
        self.len() >= 4
            && (self.tail_or & (DIGIT | UPPER) != 0 || self.and & DIGIT != 0 || self.len() >= 12)
    }
}

pub(super) fn token_at(b: &[u8], s: usize) -> Tok {
    let first = CLASS[b[s] as usize];
    let mut and = first;
    let mut tail_or = 0;
    let mut e = s + 1;
    for &x in &b[s + 1..] {
        let c = CLASS[x as usize];
        if c & ALNUM == 0 {
            break;
        }
        and &= c;
        tail_or |= c;
        e += 1;
    }
    Tok { s, e, and, tail_or }
}

/// End of the alphanumeric run starting at `s`.
pub(super) fn run_end(b: &[u8], s: usize) -> usize {
    b[s..]
        .iter()
        .position(|&x| CLASS[x as usize] & ALNUM == 0)
        .map_or(b.len(), |p| s + p)
}

/// [`Tok::random`] of the token `w`, from its bytes.
pub(super) fn random_run(w: &[u8]) -> bool {
    w.len() >= 4
        && (w.len() >= 12
            || w[1..]
                .iter()
                .any(|&c| CLASS[c as usize] & (DIGIT | UPPER) != 0))
}

/// One bit per byte of `b` (bit `i % 64` of word `i / 64`): set for ASCII
/// letters and digits, the bytes tokens are made of. Bits past the end are
/// clear.
pub(super) fn alnum_bitmap(b: &[u8]) -> Vec<u64> {
    (0..b.len().div_ceil(64))
        .map(|w| swar::alnum_block(b, 64 * w))
        .collect()
}

/// The first clear bit at or after `i` (past the last word: its index).
fn next_clear(bits: &[u64], i: usize) -> usize {
    let mut w = i / 64;
    let Some(&first) = bits.get(w) else {
        return i;
    };
    let mut word = !first & (!0u64 << (i % 64));
    while word == 0 {
        w += 1;
        match bits.get(w) {
            Some(&x) => word = !x,
            None => return w * 64,
        }
    }
    w * 64 + word.trailing_zeros() as usize
}

/// Longest piece worth classifying when looking ahead; longer runs are cut
/// there (and fit no family), so that many starts before one huge run do
/// not each scan all of it.
pub(super) const MAX_PIECE: usize = 128;

/// The next token at or after `from`, if it starts within `limit` bytes.
pub(super) fn next_token(b: &[u8], from: usize, limit: usize) -> Option<Tok> {
    let end = b.len().min(from.saturating_add(limit + 1));
    let s = (from..end).find(|&i| CLASS[b[i] as usize] & ALNUM != 0)?;
    let cut = b.len().min(s + MAX_PIECE + 1);
    let mut t = token_at(&b[..cut], s);
    if t.len() > MAX_PIECE {
        t.and = 0;
    }
    Some(t)
}

pub(super) fn is_monero_first(c: u8) -> bool {
    matches!(c, b'4' | b'8' | b'9' | b'A' | b'B' | b'5' | b'7')
}

pub(super) fn is_base58check_first(c: u8) -> bool {
    matches!(
        c,
        b'1' | b'3' | b'm' | b'n' | b'2' | b'L' | b'M' | b'Q' | b'T' | b'D' | b'A' | b'9'
    )
}

/// Families a start token can begin.
pub(super) fn start_fams(b: &[u8], t: &Tok) -> u8 {
    let w = &b[t.s..t.e];
    let first = w[0];
    let mut f = 0;
    if t.and & B58 != 0 && (is_base58check_first(first) || is_monero_first(first)) {
        f |= F_B58;
    }
    if first == b'0'
        && w.len() >= 2
        && (w[1] == b'x' || w[1] == b'X')
        && w[2..].iter().all(u8::is_ascii_hexdigit)
    {
        f |= F_HEX;
    }
    if let Some(h) = matches!(first | 0x20, b'b' | b't' | b'l' | b'r')
        .then(|| hrp_prefix(w))
        .flatten()
    {
        let rest = &w[h..];
        let hrp = &w[..h];
        if hrp.iter().all(|c| !c.is_ascii_uppercase())
            && rest.iter().all(|&c| CLASS[c as usize] & BL != 0)
        {
            f |= F_BECH_L;
        }
        if hrp.iter().all(|c| !c.is_ascii_lowercase())
            && rest.iter().all(|&c| CLASS[c as usize] & BU != 0)
        {
            f |= F_BECH_U;
        }
    }
    if matches!(first, b'q' | b'p') && t.and & BL != 0 {
        f |= F_CASH_L;
    }
    if matches!(first, b'Q' | b'P') && t.and & BU != 0 {
        f |= F_CASH_U;
    }
    f
}

/// Length of a segwit prefix (hrp + `1`) at the start of `w`, the token
/// being allowed to end right after it (an address wrapped after `bc1`).
pub(super) fn hrp_prefix(w: &[u8]) -> Option<usize> {
    const HRPS: [&[u8]; 6] = [b"bc1", b"tb1", b"bcrt1", b"ltc1", b"tltc1", b"rltc1"];
    HRPS.iter()
        .find(|h| w.len() >= h.len() && w[..h.len()].eq_ignore_ascii_case(h))
        .map(|h| h.len())
}

/// True when `w` is a proper beginning of a segwit prefix or of `0x`: an
/// address may be wrapped right after it ([`Scanner::split_prefix`]).
fn prefix_part(w: &[u8]) -> bool {
    const PREFIXES: [&[u8]; 7] = [b"bc1", b"tb1", b"bcrt1", b"ltc1", b"tltc1", b"rltc1", b"0x"];
    // Every prefix starts with one of these and is at most five long: a
    // cheap test first, as most short words get here.
    w.len() < 5
        && matches!(w[0] | 0x20, b'b' | b't' | b'l' | b'r' | b'0')
        && PREFIXES
            .iter()
            .any(|p| w.len() < p.len() && p[..w.len()].eq_ignore_ascii_case(w))
}

pub(super) fn max_len(fams: u8, first: u8) -> usize {
    let mut m = 0;
    if fams & F_B58 != 0 {
        m = if is_monero_first(first) { 106 } else { 35 };
    }
    if fams & F_BECH != 0 {
        m = m.max(90);
    }
    if fams & F_CASH != 0 {
        m = m.max(61);
    }
    if fams & F_HEX != 0 {
        m = m.max(42);
    }
    m
}

pub(super) fn base58check_len_ok(first: u8, n: usize) -> bool {
    is_base58check_first(first)
        && if first == b'1' {
            (25..=34).contains(&n)
        } else {
            (33..=35).contains(&n)
        }
}

/// Whether a candidate of `n` characters is worth validating for `fams`.
pub(super) fn len_ok(fams: u8, first: u8, n: usize) -> bool {
    (fams & F_B58 != 0
        && (base58check_len_ok(first, n) || (is_monero_first(first) && matches!(n, 95 | 106))))
        || (fams & F_BECH != 0 && (14..=90).contains(&n))
        || (fams & F_CASH != 0 && matches!(n, 42 | 61))
        || (fams & F_HEX != 0 && n == 42)
}

/// Validates a candidate for the families still possible.
pub(super) fn validate(cand: &str, fams: u8, cash_prefix: Option<&str>) -> Result<Valid, Reject> {
    let b = cand.as_bytes();
    let (first, n) = (b[0], b.len());
    let mut best = Reject::Shape;
    let mut note = |e: Reject| {
        if best == Reject::Shape {
            best = e;
        }
    };
    if fams & F_HEX != 0 && n == 42 {
        match chains::ethereum(cand) {
            Ok(v) => return Ok(v),
            Err(e) => note(e),
        }
    }
    if fams & F_BECH != 0 && (14..=90).contains(&n) {
        match chains::bech32(cand) {
            Ok(v) => return Ok(v),
            Err(e) => note(e),
        }
    }
    if fams & F_CASH != 0 && matches!(n, 42 | 61) {
        match chains::cash(cand, cash_prefix) {
            Ok(v) => return Ok(v),
            Err(e) => note(e),
        }
    }
    if fams & F_B58 != 0 {
        if is_monero_first(first) && matches!(n, 95 | 106) {
            match chains::xmr(cand) {
                Ok(v) => return Ok(v),
                Err(e) => note(e),
            }
        }
        if base58check_len_ok(first, n) {
            match chains::base58check(cand) {
                Ok(v) => return Ok(v),
                Err(e) => note(e),
            }
        }
    }
    Err(best)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gap {
    Wrap,
    Space,
    Label,
}

/// Classifies the bytes between a fragment and the token right after it.
pub(super) fn gap_kind(g: &[u8]) -> Gap {
    let mut newlines = 0;
    let mut line_start = false;
    for (i, &c) in g.iter().enumerate() {
        match c {
            b'\n' => {
                newlines += 1;
                line_start = true;
            }
            b'\r' | b' ' | b'\t' => {}
            b'>' if line_start => {}
            b'=' if matches!(g.get(i + 1), Some(b'\n' | b'\r')) => {}
            _ => return Gap::Label,
        }
    }
    match newlines {
        0 if g.len() <= 8 => Gap::Space,
        1 | 2 if g.len() <= 24 => Gap::Wrap,
        _ => Gap::Label,
    }
}

/// Where the word around a start token sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ctx {
    Text,
    /// URL, e-mail address, message-id, base64 blob.
    Opaque,
}

pub(super) fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

pub(super) fn word_ctx(w: &[u8]) -> Ctx {
    let trimmed = {
        let i = w
            .iter()
            .position(|c| c.is_ascii_alphanumeric())
            .unwrap_or(w.len());
        &w[i..]
    };
    // Most words hold nothing that makes a word opaque below (`://`, `@`,
    // `/`, a `www.` start, 60 bytes or more): text, scheme or not.
    if w.len() < 60
        && !w.iter().any(|&c| matches!(c, b':' | b'/' | b'@'))
        && !(trimmed.len() >= 4 && trimmed[..4].eq_ignore_ascii_case(b"www."))
    {
        return Ctx::Text;
    }
    for scheme in [
        &b"bitcoin:"[..],
        b"litecoin:",
        b"bitcoincash:",
        b"bchtest:",
        b"dogecoin:",
        b"monero:",
        b"ethereum:",
    ] {
        if trimmed.len() >= scheme.len() && trimmed[..scheme.len()].eq_ignore_ascii_case(scheme) {
            return Ctx::Text;
        }
    }
    // Words are short: a plain search beats building a `memmem` finder.
    if w.windows(3).any(|x| x == b"://")
        || w.contains(&b'@')
        || (trimmed.len() >= 4 && trimmed[..4].eq_ignore_ascii_case(b"www."))
    {
        return Ctx::Opaque;
    }
    if let Some(slash) = w.iter().position(|&c| c == b'/') {
        if w[..slash].contains(&b'.') {
            return Ctx::Opaque;
        }
    }
    if w.len() > 200 {
        return Ctx::Opaque;
    }
    if w.len() >= 60
        && w.iter().any(|&c| c == b'+' || c == b'/')
        && w.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
    {
        return Ctx::Opaque;
    }
    Ctx::Text
}

/// A valid address found in the view.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit {
    /// View byte range, from the first character written (a cashaddr prefix
    /// included) to the last.
    pub start: usize,
    pub end: usize,
    /// The address as written: the pieces concatenated, folded.
    pub written: String,
    pub valid: Valid,
    /// The `amount=` of a payment URI around it.
    pub uri_amount: Option<String>,
}

/// A wallet-shaped token that failed validation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Miss {
    pub start: usize,
    pub end: usize,
    pub reject: Reject,
}

/// Scans one view.
pub(crate) fn scan(view: &str, hits: &mut Vec<Hit>, misses: &mut Vec<Miss>) {
    Scanner::new(view).run(hits, misses);
}

/// [`scan`], also returning the validation budget left (tests).
#[cfg(test)]
pub(crate) fn scan_budget(view: &str, hits: &mut Vec<Hit>, misses: &mut Vec<Miss>) -> usize {
    let mut s = Scanner::new(view);
    s.run(hits, misses);
    s.budget.get()
}

struct Scanner<'a> {
    b: &'a [u8],
    view: &'a str,
    /// The last word classified: start, end, context.
    word: (usize, usize, Ctx),
    /// Scratch for the pieces of a reassembled address.
    frags: Vec<Tok>,
    /// Validations left for candidates that are not a whole token as
    /// written (reassembled, glued, trimmed).
    budget: Cell<usize>,
    /// Which bytes are ASCII letters or digits ([`alnum_bitmap`]).
    alnum: Vec<u64>,
}

impl<'a> Scanner<'a> {
    fn new(view: &'a str) -> Self {
        Scanner {
            b: view.as_bytes(),
            view,
            word: (0, 0, Ctx::Text),
            frags: Vec::new(),
            budget: Cell::new(JOIN_BUDGET_BASE + view.len() / JOIN_BUDGET_BYTES),
            alnum: alnum_bitmap(view.as_bytes()),
        }
    }

    fn run(&mut self, hits: &mut Vec<Hit>, misses: &mut Vec<Miss>) {
        let mut i = 0;
        while let Some(s) = self.next_live(i) {
            i = self.token(s, hits, misses);
        }
    }

    /// The start of the first token at or after `i` (a token start or a
    /// byte outside any token) that [`Self::token`] might act on. Nearly all
    /// of a text is ordinary words; this loop steps over them with the
    /// `alnum` bitmap, and skips a token only when `token` would provably do
    /// nothing with it but step over it (no validation, no budget spent,
    /// nothing reported):
    ///
    /// - a token that cannot start an address (not `TRIGGER`) and is too
    ///   short to end with a glued one (at most `GLUE_MIN`);
    /// - a start that no piece may follow (not [`Self::may_join`], whatever
    ///   its families: a start without families is stepped over by `token`
    ///   anyway). Such a token is shorter than 12 (longer ones look random),
    ///   so it is too short to validate alone ([`len_ok`] wants 14 or more),
    ///   to have text glued after it (36) or before it (`GLUE_MIN`); and no
    ///   line break follows it, so no wrapped segwit / `0x` prefix starts
    ///   there either (`split_prefix` needs a [`Gap::Wrap`]).
    fn next_live(&self, i: usize) -> Option<usize> {
        let (b, bits) = (self.b, &self.alnum[..]);
        let mut w = i / 64;
        // `i` is never inside a token: scanning resumes at the end of one.
        debug_assert!(
            i == 0
                || i >= b.len()
                || !(b[i - 1].is_ascii_alphanumeric() && b[i].is_ascii_alphanumeric())
        );
        let mut word = *bits.get(w)?;
        // Token starts: set bits whose predecessor is clear.
        let carry = |w: usize| if w == 0 { 0 } else { bits[w - 1] >> 63 };
        let mut starts = word & !(word << 1 | carry(w)) & (!0 << (i % 64));
        loop {
            while starts == 0 {
                w += 1;
                word = *bits.get(w)?;
                starts = word & !(word << 1 | carry(w));
            }
            let s = w * 64 + starts.trailing_zeros() as usize;
            starts &= starts - 1;
            // The run usually ends in the same word.
            let after = !word >> (s % 64);
            let e = if after != 0 {
                s + after.trailing_zeros() as usize
            } else {
                next_clear(bits, s)
            };
            let n = e - s;
            let live = if CLASS[b[s] as usize] & TRIGGER == 0 {
                n > GLUE_MIN
            } else {
                // `may_join`.
                random_run(&b[s..e]) || self.line_break_at(e)
            };
            if live {
                return Some(s);
            }
        }
    }

    /// Handles the token starting at `i`; returns where scanning resumes
    /// (the end of that token, or of the address found there).
    fn token(&mut self, i: usize, hits: &mut Vec<Hit>, misses: &mut Vec<Miss>) -> usize {
        let b = self.b;
        if CLASS[b[i] as usize] & TRIGGER == 0 {
            // Not a start: skip the token without classifying it, unless
            // it is long enough to end with an address.
            let e = run_end(b, i + 1);
            if e - i > GLUE_MIN {
                self.glued_before(i, e, hits);
            }
            return e;
        }
        let t = token_at(b, i);
        if t.len() < 5 && matches!(b[t.s] | 0x20, b'b' | b't' | b'l' | b'r' | b'0') {
            if let Some(end) = self.split_prefix(t, hits) {
                return end;
            }
        }
        let fams = start_fams(b, &t);
        if fams == 0 {
            if t.len() > GLUE_MIN {
                self.glued_before(t.s, t.e, hits);
            }
            return t.e;
        }
        self.start(t, fams, hits, misses).unwrap_or(t.e)
    }

    fn ctx(&mut self, t: &Tok) -> Ctx {
        let (ws, we, ctx) = self.word;
        if t.s >= ws && t.e <= we && we > ws {
            return ctx;
        }
        let b = self.b;
        let mut s = t.s;
        while s > 0 && !is_ws(b[s - 1]) {
            s -= 1;
        }
        let mut e = t.e;
        while e < b.len() && !is_ws(b[e]) {
            e += 1;
        }
        let ctx = word_ctx(&b[s..e]);
        self.word = (s, e, ctx);
        ctx
    }

    /// A written cashaddr prefix (`bitcoincash:`) right before `s`.
    fn cash_prefix(&self, s: usize) -> Option<usize> {
        let before = &self.b[..s];
        let before = before.strip_suffix(b":")?;
        prefix_before(before).map(|n| n + 1)
    }

    /// Handles one start token; returns where scanning resumes after a hit.
    fn start(
        &mut self,
        t: Tok,
        fams: u8,
        hits: &mut Vec<Hit>,
        misses: &mut Vec<Miss>,
    ) -> Option<usize> {
        let b = self.b;
        let first = b[t.s];
        let n = t.len();
        let alone = len_ok(fams, first, n);
        let glued = fams & F_B58 != 0 && is_base58check_first(first) && (36..=60).contains(&n);
        // The common case, an ordinary word: nothing to validate alone and
        // no piece can follow.
        let joinable = n < max_len(fams, first) && self.budget.get() > 0 && self.may_join(t);
        if !(alone || glued || joinable || n > GLUE_MIN) {
            return None;
        }
        let pre_len = if fams & F_CASH != 0 {
            self.cash_prefix(t.s)
        } else {
            None
        };
        let prefix = pre_len.map(|n| &self.view[t.s - n..t.s - 1]);
        let span_start = t.s - pre_len.unwrap_or(0);

        // Alone.
        let mut alone_reject = None;
        if alone {
            match validate(&self.view[t.s..t.e], fams, prefix) {
                Ok(v) if v.checksummed => {
                    self.hit(span_start, t.e, &[t], v, hits);
                    return Some(t.e);
                }
                Ok(v) => {
                    if self.ctx(&t) == Ctx::Text && !self.hex_continues(t) {
                        self.hit(span_start, t.e, &[t], v, hits);
                        return Some(t.e);
                    }
                }
                Err(e) => alone_reject = Some(e),
            }
        }
        if self.ctx(&t) == Ctx::Opaque {
            return None;
        }

        // Reassembled from pieces.
        if joinable {
            let mut frags = std::mem::take(&mut self.frags);
            frags.clear();
            frags.push(t);
            let found = self.join(&mut frags, n, fams, first, false, prefix);
            let mut resume = None;
            if let Some(v) = found {
                let end = frags.last().map_or(t.e, |f| f.e);
                self.hit(span_start, end, &frags, v, hits);
                resume = Some(end);
            }
            self.frags = frags;
            if resume.is_some() {
                return resume;
            }
        }

        // Text glued after the address (an inline tag removed upstream).
        if fams & F_B58 != 0 && is_base58check_first(first) && (36..=60).contains(&n) {
            for len in (25..=35).rev() {
                if !base58check_len_ok(first, len) {
                    continue;
                }
                if !self.spend() {
                    break;
                }
                if let Ok(v) = chains::base58check(&self.view[t.s..t.s + len]) {
                    let piece = Tok {
                        s: t.s,
                        e: t.s + len,
                        and: t.and,
                        tail_or: t.tail_or,
                    };
                    self.hit(t.s, t.s + len, &[piece], v, hits);
                    return Some(t.e);
                }
            }
        }

        if n > GLUE_MIN && self.glued_before(t.s, t.e, hits) {
            return Some(t.e);
        }

        if let Some(reject) = alone_reject {
            if reportable(b, &t, fams) {
                misses.push(Miss {
                    start: span_start,
                    end: t.e,
                    reject,
                });
            }
        }
        None
    }

    /// Takes one validation from the budget; false when none is left.
    fn spend(&self) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(1));
        left > 0
    }

    /// Text glued before an address, as an inline element or a table cell
    /// leaves it (`Wallet1A1zP1…`): tries the suffixes of the run `[s, e)`
    /// after a leading word that have an address's length and first
    /// characters; only a real checksum counts.
    fn glued_before(&mut self, s: usize, e: usize, hits: &mut Vec<Hit>) -> bool {
        let b = self.b;
        if e - s > GLUE_MAX || self.budget.get() == 0 {
            return false;
        }
        let t = Tok {
            s,
            e,
            and: 0,
            tail_or: 0,
        };
        // The glue is a word ("Wallet", "BTC", "Adresse"): the address starts
        // within or right after the leading letters.
        let letters = b[s..e]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        for k in s + 1..=(s + letters.min(24)).min(e - 14) {
            let suf = &b[k..e];
            let (first, len) = (suf[0], suf.len());
            let plausible = (base58check_len_ok(first, len)
                || (is_monero_first(first) && matches!(len, 95 | 106)))
                || (matches!(first, b'0' | b'q' | b'p' | b'Q' | b'P') && matches!(len, 42 | 61))
                || (matches!(first | 0x20, b'b' | b't' | b'l' | b'r') && hrp_prefix(suf).is_some());
            if !plausible {
                continue;
            }
            let piece = token_at(b, k);
            let fams = start_fams(b, &piece);
            if fams == 0 || !len_ok(fams, first, len) {
                continue;
            }
            // Only now, as most long runs (URLs, base64) have no plausible
            // suffix: nothing above has any effect.
            if self.ctx(&t) == Ctx::Opaque || !self.spend() {
                return false;
            }
            if let Ok(v) = validate(&self.view[k..e], fams, None) {
                if v.checksummed {
                    self.hit(k, e, &[piece], v, hits);
                    return true;
                }
            }
        }
        false
    }

    /// An address wrapped inside its prefix: `bc` / `1q…`, `0` / `x5aA…`.
    fn split_prefix(&mut self, t: Tok, hits: &mut Vec<Hit>) -> Option<usize> {
        let b = self.b;
        let w = &b[t.s..t.e];
        if self.budget.get() == 0 || !prefix_part(w) {
            return None;
        }
        let n = next_token(b, t.e, 24)?;
        if gap_kind(&b[t.e..n.s]) != Gap::Wrap {
            return None;
        }
        let mut buf = Vec::with_capacity(w.len() + n.len());
        buf.extend_from_slice(w);
        buf.extend_from_slice(&b[n.s..n.e]);
        let fams = start_fams(&buf, &token_at(&buf, 0)) & (F_BECH | F_HEX);
        if fams == 0 || self.ctx(&t) == Ctx::Opaque {
            return None;
        }
        let (first, total) = (buf[0], buf.len());
        let mut frags = std::mem::take(&mut self.frags);
        frags.clear();
        frags.push(t);
        frags.push(n);
        let mut found = None;
        if len_ok(fams, first, total) && self.spend() {
            let cand = std::str::from_utf8(&buf).unwrap_or("");
            if let Ok(v) = validate(cand, fams, None) {
                if v.checksummed || !self.hex_continues(n) {
                    found = Some(v);
                }
            }
        }
        if found.is_none() && total < max_len(fams, first) {
            found = self.join(&mut frags, total, fams, first, false, None);
        }
        let mut resume = None;
        if let Some(v) = found {
            let end = frags.last().map_or(n.e, |f| f.e);
            self.hit(t.s, end, &frags, v, hits);
            resume = Some(end);
        }
        self.frags = frags;
        resume
    }

    /// Whether any piece may follow `t`: a random-looking start may take a
    /// spaced or labelled part, any start a part on the next line.
    fn may_join(&self, t: Tok) -> bool {
        t.random() || self.line_break_at(t.e)
    }

    /// Whether a line break follows `e` within 24 bytes, with only blanks
    /// or an `=` soft break before it. Every [`Gap::Wrap`] after a token
    /// ending at `e` passes this test.
    fn line_break_at(&self, e: usize) -> bool {
        let b = self.b;
        let mut i = e;
        while i < b.len() && i < e + 24 {
            match b[i] {
                b'\n' => return true,
                b' ' | b'\t' | b'\r' => i += 1,
                b'=' if matches!(b.get(i + 1), Some(b'\n' | b'\r')) => i += 1,
                _ => return false,
            }
        }
        false
    }

    /// Depth-first search over the pieces that may follow `frags`.
    fn join(
        &self,
        frags: &mut Vec<Tok>,
        total: usize,
        fams: u8,
        first: u8,
        label_used: bool,
        prefix: Option<&str>,
    ) -> Option<Valid> {
        if frags.len() >= MAX_FRAGS {
            return None;
        }
        let b = self.b;
        let last = *frags.last()?;
        let mut from = last.e;
        for k in 0..MAX_LOOKAHEAD {
            // Only a labelled part may be further than the next token.
            if (k > 0 && (label_used || !last.random())) || from > last.e + MAX_GAP {
                break;
            }
            let limit = (last.e + MAX_GAP).saturating_sub(from);
            let Some(t) = next_token(b, from, limit) else {
                break;
            };
            from = t.e;
            let gap = if k == 0 {
                gap_kind(&b[last.e..t.s])
            } else {
                Gap::Label
            };
            let allowed = match gap {
                Gap::Wrap => true,
                Gap::Space => last.random() || t.random(),
                Gap::Label => !label_used && last.random() && t.random(),
            };
            let f2 = fams & t.fams();
            // Only words ("second part:") may stand between a piece and a
            // labelled continuation: a random-looking token is never skipped.
            let last_chance = t.random();
            if !allowed || f2 == 0 || total + t.len() > max_len(f2, first) {
                if last_chance {
                    break;
                }
                continue;
            }
            frags.push(t);
            let total2 = total + t.len();
            let label2 = label_used || gap == Gap::Label;
            if len_ok(f2, first, total2) && self.spend() {
                let cand: String = frags.iter().map(|f| &self.view[f.s..f.e]).collect();
                if let Ok(v) = validate(&cand, f2, prefix) {
                    // An unchecksummed hex string is only believed when it
                    // was merely wrapped and nothing hex follows it.
                    if v.checksummed || (!label2 && !self.spaced(frags) && !self.hex_continues(t)) {
                        return Some(v);
                    }
                }
            }
            if let Some(v) = self.join(frags, total2, f2, first, label2, prefix) {
                return Some(v);
            }
            frags.pop();
            if last_chance {
                break;
            }
        }
        None
    }

    /// True when some piece of `frags` follows its predecessor on the same line.
    fn spaced(&self, frags: &[Tok]) -> bool {
        frags
            .windows(2)
            .any(|w| gap_kind(&self.b[w[0].e..w[1].s]) != Gap::Wrap)
    }

    /// True when more hex follows `t` on the next line (or a long hex run
    /// after a space): a wrapped hash, not an address. A short token on the
    /// next line ("2. Reply…", a list number) is not the rest of a hash: a
    /// 64-hex hash wrapped after 40 characters leaves 24.
    fn hex_continues(&self, t: Tok) -> bool {
        match next_token(self.b, t.e, 24) {
            Some(n) if n.and & HEX != 0 => match gap_kind(&self.b[t.e..n.s]) {
                Gap::Wrap => n.len() >= 8,
                Gap::Space => n.len() >= 8,
                Gap::Label => false,
            },
            _ => false,
        }
    }

    fn hit(&self, start: usize, end: usize, frags: &[Tok], valid: Valid, hits: &mut Vec<Hit>) {
        let mut written = String::with_capacity(end - start);
        let first = frags[0].s;
        written.push_str(&self.view[start..first]);
        for f in frags {
            written.push_str(&self.view[f.s..f.e]);
        }
        let uri_amount = self.uri_amount(start, end);
        hits.push(Hit {
            start,
            end,
            written,
            valid,
            uri_amount,
        });
    }

    /// The amount of a payment URI (BIP 21 `bitcoin:ADDR?amount=0.05` and
    /// its litecoin/dogecoin/bitcoincash/monero cousins).
    fn uri_amount(&self, start: usize, end: usize) -> Option<String> {
        let b = self.b;
        if b.get(end) != Some(&b'?') {
            return None;
        }
        let before = &b[..start];
        let schemed = has_cash_prefix(&b[start..end])
            || [
                &b"bitcoin:"[..],
                b"litecoin:",
                b"dogecoin:",
                b"monero:",
                b"bitcoin://",
            ]
            .iter()
            .any(|s| {
                before.len() >= s.len() && before[before.len() - s.len()..].eq_ignore_ascii_case(s)
            });
        if !schemed {
            return None;
        }
        let q_end = (end + 1..b.len().min(end + 512))
            .find(|&i| is_ws(b[i]) || matches!(b[i], b'"' | b'\'' | b'<' | b'>' | b')' | b']'))
            .unwrap_or(b.len().min(end + 512));
        let query = self.view.get(end + 1..q_end)?;
        query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            let ok_key = k.eq_ignore_ascii_case("amount") || k.eq_ignore_ascii_case("tx_amount");
            let dots = v.bytes().filter(|&c| c == b'.').count();
            let ok_val = !v.is_empty()
                && dots <= 1
                && v.bytes().all(|c| c.is_ascii_digit() || c == b'.')
                && v != ".";
            (ok_key && ok_val).then(|| v.to_string())
        })
    }
}

/// Length of a cashaddr prefix name (`bitcoincash`…) that ends `before`
/// and is a word of its own.
pub(super) fn prefix_before(before: &[u8]) -> Option<usize> {
    super::cashaddr::PREFIXES.iter().find_map(|(p, _)| {
        let n = p.len();
        let ends =
            before.len() >= n && before[before.len() - n..].eq_ignore_ascii_case(p.as_bytes());
        let bounded =
            ends && (before.len() == n || !before[before.len() - n - 1].is_ascii_alphanumeric());
        bounded.then_some(n)
    })
}

/// True when `written` starts with a cashaddr prefix and its colon.
pub(super) fn has_cash_prefix(written: &[u8]) -> bool {
    super::cashaddr::PREFIXES.iter().any(|(p, _)| {
        let n = p.len();
        written.len() > n && written[..n].eq_ignore_ascii_case(p.as_bytes()) && written[n] == b':'
    })
}

/// A failed token worth showing an analyst: shaped like an address of its
/// family and not like a word.
pub(super) fn reportable(b: &[u8], t: &Tok, fams: u8) -> bool {
    let w = &b[t.s..t.e];
    let has = |m: u8| w.iter().any(|&c| CLASS[c as usize] & m != 0);
    let has_lower = w.iter().any(u8::is_ascii_lowercase);
    if fams & F_HEX != 0 {
        return true;
    }
    if fams & F_B58 != 0 && has(DIGIT) && has(UPPER) && has_lower {
        return true;
    }
    fams & (F_BECH | F_CASH) != 0 && w[1..].iter().any(u8::is_ascii_digit)
}
