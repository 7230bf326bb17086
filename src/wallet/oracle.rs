//! The address scanner as it was before the pre-filter of `scan.rs`
//! (`Scanner::next_live`, the `alnum` bitmap) and the cheaper word context:
//! every token classified, byte by byte, and the word context computed in
//! full before it is needed. Kept as it was (but for returning the budget
//! left and exposing `word_ctx`) as the oracle the tests hold the fast
//! scanner to (same hits, misses and budget left), on random and
//! wallet-shaped text and on the dev corpus.
//!
//! Only the scanner's loop and the functions the fast path changed are
//! copied here; the character classes, tokens, families, validation and
//! gap rules it did not change are `scan.rs`'s own.

use std::cell::Cell;

use super::chains::{self, Valid};
use super::scan::*;

pub(super) fn word_ctx(w: &[u8]) -> Ctx {
    let trimmed = {
        let i = w
            .iter()
            .position(|c| c.is_ascii_alphanumeric())
            .unwrap_or(w.len());
        &w[i..]
    };
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
    if memchr::memmem::find(w, b"://").is_some()
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

/// Scans one view; returns the validation budget left.
pub(crate) fn scan(view: &str, hits: &mut Vec<Hit>, misses: &mut Vec<Miss>) -> usize {
    let mut s = Scanner {
        b: view.as_bytes(),
        view,
        word: (0, 0, Ctx::Text),
        frags: Vec::new(),
        budget: Cell::new(JOIN_BUDGET_BASE + view.len() / JOIN_BUDGET_BYTES),
    };
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
}

impl Scanner<'_> {
    fn run(&mut self, hits: &mut Vec<Hit>, misses: &mut Vec<Miss>) {
        let b = self.b;
        let mut i = 0;
        while i < b.len() {
            // Skip to the next token.
            match b[i..].iter().position(|&x| CLASS[x as usize] & ALNUM != 0) {
                Some(p) => i += p,
                None => break,
            }
            if CLASS[b[i] as usize] & TRIGGER == 0 {
                // Not a start: skip the token without classifying it, unless
                // it is long enough to end with an address.
                let e = run_end(b, i + 1);
                if e - i > GLUE_MIN {
                    self.glued_before(i, e, hits);
                }
                i = e;
                continue;
            }
            let t = token_at(b, i);
            i = t.e;
            if t.len() < 5 && matches!(b[t.s] | 0x20, b'b' | b't' | b'l' | b'r' | b'0') {
                if let Some(end) = self.split_prefix(t, hits) {
                    i = end;
                    continue;
                }
            }
            let fams = start_fams(b, &t);
            if fams == 0 {
                if t.len() > GLUE_MIN {
                    self.glued_before(t.s, t.e, hits);
                }
                continue;
            }
            if let Some(end) = self.start(t, fams, hits, misses) {
                i = end;
            }
        }
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
        if self.ctx(&t) == Ctx::Opaque {
            return false;
        }
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
            if !self.spend() {
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
        const PREFIXES: [&[u8]; 7] = [b"bc1", b"tb1", b"bcrt1", b"ltc1", b"tltc1", b"rltc1", b"0x"];
        let b = self.b;
        let w = &b[t.s..t.e];
        if self.budget.get() == 0
            || !PREFIXES
                .iter()
                .any(|p| w.len() < p.len() && p[..w.len()].eq_ignore_ascii_case(w))
        {
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
        if t.random() {
            return true;
        }
        let b = self.b;
        let mut i = t.e;
        while i < b.len() && i < t.e + 24 {
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
