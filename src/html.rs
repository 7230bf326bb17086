//! HTML reduced to the text a reader sees.
//!
//! Not a conforming HTML parser: a single forward scan (memchr-driven) that
//! drops comments, `<head>`, `<style>`, `<script>` and elements hidden by an
//! inline style, the `hidden` attribute or a simple `<style>` rule (class, id
//! or tag selector with `display:none`, `visibility:hidden`, a zero font size,
//! zero opacity, or zero max-height with overflow hidden), and decodes
//! entities. Inline elements (`span`, `label`, `font`, `a`…) join their text
//! with no space, as a browser renders them, so letters split by hidden
//! filler come back together; block elements end a line.
//!
//! Work is linear in the input: the element stack is bounded and a close tag
//! looks only a bounded distance down it.

use std::borrow::Cow;
use std::collections::HashMap;

use memchr::{memchr, memmem};

use crate::swar;

/// How deep the element stack may grow; deeper opens are ignored (their text
/// stays visible unless an ancestor hides it).
const MAX_DEPTH: usize = 512;
/// How far down the stack a close tag looks for its opening tag.
const MAX_CLOSE_SEARCH: usize = 32;

/// What [`visible_text`] reports besides the text.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct HtmlStats {
    /// Bytes of text that were present but hidden from the reader.
    pub hidden_bytes: usize,
    /// Number of hidden elements that held text.
    pub hidden_elements: usize,
}

/// The simple selectors of `<style>` rules that hide, and how
/// ([`Effect`]: [`HARD`], [`FONT_ZERO`] and [`VIS_HIDDEN`] only; a rule
/// that shows text again under a hiding element is not followed).
#[derive(Default)]
struct HiddenRules {
    classes: HashMap<String, Effect>,
    ids: HashMap<String, Effect>,
    tags: HashMap<String, Effect>,
}

/// What an element's attributes do to the text inside it, as bits.
///
/// `display: none`, the `hidden` attribute, zero opacity and a zero-size
/// box that clips its overflow hide everything inside ([`HARD`]): no
/// descendant can show again. `font-size` and `visibility` are inherited
/// instead: a zero font size ([`FONT_ZERO`]) or `visibility: hidden`
/// ([`VIS_HIDDEN`]) hides the text inside until a descendant sets an
/// absolute size ([`FONT_SET`]) or `visibility: visible` ([`VIS_SHOWN`])
/// — the layout of every MJML mail (`<td style="font-size:0px">` around
/// columns that set their own size), and a way for a letter to look hidden
/// to a filter while the reader sees it.
type Effect = u8;
const HARD: Effect = 1;
const FONT_ZERO: Effect = 2;
const FONT_SET: Effect = 4;
const VIS_HIDDEN: Effect = 8;
const VIS_SHOWN: Effect = 16;
/// The effects that hide.
#[cfg(test)]
const HIDES: Effect = HARD | FONT_ZERO | VIS_HIDDEN;

/// `inline` over `rule`, as the cascade has it: an inline declaration of a
/// property wins over a rule's; hiding for good comes from either.
fn cascade(inline: Effect, rule: Effect) -> Effect {
    let pick = |mask: Effect| {
        if inline & mask != 0 {
            inline & mask
        } else {
            rule & mask
        }
    };
    (inline | rule) & HARD | pick(FONT_ZERO | FONT_SET) | pick(VIS_HIDDEN | VIS_SHOWN)
}

/// The inherited hiding (`FONT_ZERO`, `VIS_HIDDEN` bits) inside an element
/// with effect `e` whose parent's is `soft`.
fn inherit(soft: Effect, e: Effect) -> Effect {
    let mut s = soft;
    if e & FONT_ZERO != 0 {
        s |= FONT_ZERO;
    } else if e & FONT_SET != 0 {
        s &= !FONT_ZERO;
    }
    if e & VIS_HIDDEN != 0 {
        s |= VIS_HIDDEN;
    } else if e & VIS_SHOWN != 0 {
        s &= !VIS_HIDDEN;
    }
    s
}

struct Open<'a> {
    /// The tag name as written (ASCII): compared with case folded.
    name: &'a str,
    /// Hidden for good ([`HARD`]).
    hidden: bool,
    /// The inherited hiding in force inside it ([`inherit`]).
    soft: Effect,
}

/// A lower-cased tag name, inline when short (every HTML tag name is):
/// no allocation per tag.
enum TagName {
    Inline { buf: [u8; 15], len: u8 },
    Heap(String),
}

impl TagName {
    fn new(raw: &str) -> TagName {
        if raw.len() <= 15 && raw.is_ascii() {
            let mut buf = [0u8; 15];
            for (d, s) in buf.iter_mut().zip(raw.bytes()) {
                *d = s.to_ascii_lowercase();
            }
            TagName::Inline {
                buf,
                len: raw.len() as u8,
            }
        } else {
            TagName::Heap(raw.to_ascii_lowercase())
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // Lower-cased ASCII: always UTF-8.
            TagName::Inline { buf, len } => {
                std::str::from_utf8(&buf[..*len as usize]).unwrap_or("")
            }
            TagName::Heap(s) => s,
        }
    }
}

/// Bytes of a tag name: ASCII letters, digits, '-' and ':'.
const NAME_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'-' || c == b':';
        b += 1;
    }
    t
};

/// Appends the visible text of `html` to `out`.
pub fn visible_text(html: &str, out: &mut String) -> HtmlStats {
    let rules = collect_style_rules(html);
    // What hides, and (inside inherited hiding, made when first needed)
    // also what shows again, by attribute text and by style.
    let mut hidden_cache = HiddenCache::new();
    let mut shows_caches: Option<Box<[HiddenCache; 2]>> = None;
    let bytes = html.as_bytes();
    let mut stats = HtmlStats::default();
    let mut stack: Vec<Open> = Vec::new();
    // Open elements hidden for good, and the inherited hiding in force
    // (from the innermost open element): text shows when both are zero.
    let mut hidden_depth = 0usize;
    let mut soft: Effect = 0;
    let mut pos = 0usize;
    // Each maximal hidden region is counted once, when it holds text.
    let mut hidden_region = 0usize;
    let mut last_hidden_counted = usize::MAX;

    while pos < bytes.len() {
        let lt = find_near(b'<', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        if lt > pos {
            let text = &html[pos..lt];
            if hidden_depth == 0 && soft == 0 {
                push_text(text, out);
            } else if !text.trim().is_empty() {
                stats.hidden_bytes += text.len();
                if last_hidden_counted != hidden_region {
                    stats.hidden_elements += 1;
                    last_hidden_counted = hidden_region;
                }
            }
        }
        if lt >= bytes.len() {
            break;
        }
        // Comments, doctype, CDATA, processing instructions.
        let rest = &bytes[lt..];
        if rest.starts_with(b"<!--") {
            pos = memmem::find(&rest[4..], b"-->").map_or(bytes.len(), |i| lt + 4 + i + 3);
            continue;
        }
        if rest.starts_with(b"<![CDATA[") {
            let end = memmem::find(&rest[9..], b"]]>").map_or(bytes.len(), |i| lt + 9 + i);
            if hidden_depth == 0 && soft == 0 {
                push_text(&html[lt + 9..end], out);
            }
            pos = (end + 3).min(bytes.len());
            continue;
        }
        if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            pos = memchr(b'>', rest).map_or(bytes.len(), |i| lt + i + 1);
            continue;
        }
        let closing = rest.get(1) == Some(&b'/');
        let name_start = lt + 1 + closing as usize;
        let name_end = bytes[name_start.min(bytes.len())..]
            .iter()
            .position(|&b| !NAME_BYTE[b as usize])
            .map_or(bytes.len(), |i| name_start + i);
        if name_end == name_start || !bytes[name_start].is_ascii_alphabetic() {
            // A lone '<' in text.
            if hidden_depth == 0 && soft == 0 {
                out.push('<');
            }
            pos = lt + 1;
            continue;
        }
        let raw_name = &html[name_start..name_end];
        // The name scan took only ASCII: lower-case already is the common
        // case, borrowed from the input.
        let lowered;
        let name = if raw_name.bytes().any(|b| b.is_ascii_uppercase()) {
            lowered = TagName::new(raw_name);
            lowered.as_str()
        } else {
            raw_name
        };
        let kind = Kind::of(name);
        let tag_end = find_tag_end(bytes, name_end);
        // A tag cut short by the next '<' has no '>' to drop, and the byte
        // before that '<' may be inside a multi-byte character.
        let attrs_end = if bytes[tag_end - 1] == b'>' {
            tag_end - 1
        } else {
            tag_end
        };
        let attrs_range = name_end..attrs_end.max(name_end);
        let attrs = &html[attrs_range.clone()];
        pos = tag_end;

        if closing {
            // The line break a block ends with shows when the text inside
            // it did or the text after it does.
            let inside_shown = hidden_depth == 0 && soft == 0;
            if let Some(i) = stack
                .iter()
                .rev()
                .take(MAX_CLOSE_SEARCH)
                .position(|o| o.name.eq_ignore_ascii_case(name))
            {
                let keep = stack.len() - 1 - i;
                for o in stack.drain(keep..) {
                    if o.hidden {
                        hidden_depth -= 1;
                    }
                }
                soft = stack.last().map_or(0, |o| o.soft);
            }
            if kind == Kind::Block && (inside_shown || (hidden_depth == 0 && soft == 0)) {
                newline(out);
            }
            continue;
        }

        // Raw-text elements: skip to their close tag.
        if kind == Kind::RawText {
            let close = format!("</{name}");
            pos = find_ci(bytes, pos, close.as_bytes()).map_or(bytes.len(), |i| {
                memchr(b'>', &bytes[i..]).map_or(bytes.len(), |j| i + j + 1)
            });
            continue;
        }
        if kind == Kind::Head {
            // Everything up to </head> or <body> is metadata.
            let end_head = find_ci(bytes, pos, b"</head").unwrap_or(bytes.len());
            let body = find_ci(bytes, pos, b"<body").unwrap_or(bytes.len());
            pos = end_head.min(body);
            continue;
        }
        if kind == Kind::Break {
            if hidden_depth == 0 && soft == 0 {
                newline(out);
            }
            continue;
        }
        // Void elements hold no text. Among them `img`: mail clients show
        // alt text only when images are blocked; most readers see the
        // image. Keep nothing. A `/` before the `>` of any other element
        // is ignored, as HTML parsers ignore it: `<span style=
        // "font-size:0"/>xyz</span>` hides `xyz` in a mail client.
        if kind == Kind::Void {
            continue;
        }
        // Under an element hidden for good nothing changes: that element
        // stays on the stack (and the depth above zero) as long as this one
        // does. Where text shows, only what hides matters (cached); under
        // inherited hiding, also what shows again. Past the depth limit an
        // element is not tracked.
        let parent_shown = hidden_depth == 0 && soft == 0;
        let effect = if hidden_depth > 0 || stack.len() >= MAX_DEPTH {
            0
        } else if soft == 0 {
            effect_cached(
                name,
                html,
                attrs_range,
                &rules,
                false,
                &mut hidden_cache,
                None,
            )
        } else {
            let [by_attrs, by_style] = &mut **shows_caches
                .get_or_insert_with(|| Box::new([HiddenCache::new(), HiddenCache::new()]));
            effect_cached(
                name,
                html,
                attrs_range,
                &rules,
                true,
                by_attrs,
                Some(by_style),
            )
        };
        let hidden = effect & HARD != 0;
        let inner = inherit(soft, effect);
        // The line break or space an element makes shows when its parent's
        // text does or its own does (a column that sets its own font size
        // in a zero-size cell still starts a line).
        let breaks = parent_shown || (hidden_depth == 0 && !hidden && inner == 0);
        // A payment link (`<a href="bitcoin:…?amount=…">Pay</a>`) names the
        // wallet only in its target: keep the URI as text beside the link,
        // which is what a reader gets by hovering or clicking.
        if kind == Kind::Link && breaks {
            if let Some(href) = attr_value(attrs, "href") {
                let href = href.trim();
                if is_payment_uri(href) {
                    out.push(' ');
                    out.push_str(href);
                    out.push(' ');
                }
            }
        }
        if kind == Kind::Block && breaks {
            newline(out);
        } else if kind == Kind::Cell && breaks {
            out.push(' ');
        }
        if stack.len() < MAX_DEPTH {
            if parent_shown && (hidden || inner != 0) {
                hidden_region += 1;
            }
            if hidden {
                hidden_depth += 1;
            }
            soft = inner;
            stack.push(Open {
                name: raw_name,
                hidden,
                soft,
            });
        }
    }
    stats
}

/// Position just past the `>` that ends a tag starting before `from`,
/// honouring quoted attribute values.
fn find_tag_end(bytes: &[u8], from: usize) -> usize {
    // Bytes that matter outside a quoted value.
    const STOP: [bool; 256] = {
        let mut t = [false; 256];
        t[b'>' as usize] = true;
        t[b'<' as usize] = true;
        t[b'"' as usize] = true;
        t[b'\'' as usize] = true;
        t
    };
    let mut i = from;
    while i < bytes.len() {
        if !STOP[bytes[i] as usize] {
            // Most runs between stops are a few bytes: a word at a time.
            i = next_stop(bytes, i + 1);
            continue;
        }
        match bytes[i] {
            b'>' => return i + 1,
            // A tag that never closed: end it here so the next tag is seen.
            b'<' => return i,
            q @ (b'"' | b'\'') => {
                // A quote only opens a value right after '='.
                let mut j = i;
                while j > from && bytes[j - 1].is_ascii_whitespace() {
                    j -= 1;
                }
                if j > from && bytes[j - 1] == b'=' {
                    // A quoted value that never closes must not swallow the
                    // document.
                    match find_near(q, &bytes[i + 1..]) {
                        Some(k) => {
                            i += k + 2;
                            continue;
                        }
                        None => return bytes.len(),
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// First position from `from` of '>', '<', '"' or '\'' (or the end).
fn next_stop(b: &[u8], from: usize) -> usize {
    let mut i = from;
    while i + 8 <= b.len() {
        let x = swar::load(b, i);
        // '<' | 2 == '>' | 2 == '>', and no other byte gives '>'.
        let m = swar::eq_byte(x | (swar::LANES * 2), b'>')
            | swar::eq_byte(x, b'"')
            | swar::eq_byte(x, b'\'');
        if m != 0 {
            return i + swar::first_lane(m);
        }
        i += 8;
    }
    while i < b.len() && !matches!(b[i], b'>' | b'<' | b'"' | b'\'') {
        i += 1;
    }
    i
}

/// `memchr` for haystacks where the byte is usually near: the first 64
/// bytes are searched 8 at a time in a word (no call, no dispatch), the
/// rest by memchr. Attribute values and text between tags are mostly short.
fn find_near(needle: u8, hay: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= hay.len() {
        if i == 64 {
            return memchr(needle, &hay[i..]).map(|k| i + k);
        }
        let m = swar::eq_byte(swar::load(hay, i), needle);
        if m != 0 {
            return Some(i + swar::first_lane(m));
        }
        i += 8;
    }
    hay[i..].iter().position(|&b| b == needle).map(|k| i + k)
}

fn is_payment_uri(href: &str) -> bool {
    let scheme = href.split(':').next().unwrap_or("");
    href.len() < 512
        && [
            "bitcoin",
            "litecoin",
            "bitcoincash",
            "dogecoin",
            "ethereum",
            "monero",
            "tron",
        ]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s))
}

fn find_ci(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    // Needles are lower-case ASCII starting with '<'; search for '<' and compare.
    let mut i = from;
    while i < bytes.len() {
        let j = memchr(b'<', &bytes[i..])? + i;
        if bytes.len() - j >= needle.len()
            && bytes[j..j + needle.len()].eq_ignore_ascii_case(needle)
        {
            return Some(j);
        }
        i = j + 1;
    }
    None
}

fn push_text(text: &str, out: &mut String) {
    let b = text.as_bytes();
    let is_ws = |c: u8| matches!(c, b' ' | b'\n' | b'\r' | b'\t');
    // Most runs between tags are layout whitespace only.
    if b.iter().all(|&c| is_ws(c)) {
        if b.iter().any(|&c| c != b' ') {
            out.push(' ');
        } else {
            out.push_str(text);
        }
        return;
    }
    let amp = find_near(b'&', b).is_some();
    if !amp {
        let ws = memchr::memchr3(b'\n', b'\r', b'\t', b).is_some();
        // Nothing to decode: collapse straight from `text`.
        if !ws {
            out.push_str(text);
            return;
        }
        let mut i = 0;
        while i < b.len() {
            let run = b[i..]
                .iter()
                .position(|&c| is_ws(c))
                .map_or(b.len(), |k| i + k);
            // Runs start and end at ASCII bytes: char boundaries.
            out.push_str(&text[i..run]);
            if run == b.len() {
                break;
            }
            out.push(' ');
            i = b[run..]
                .iter()
                .position(|&c| !is_ws(c))
                .map_or(b.len(), |k| run + k);
        }
        return;
    }
    let start = out.len();
    decode_entities(text, out);
    // HTML whitespace rendering: runs become one space.
    if out[start..]
        .bytes()
        .any(|b| b == b'\n' || b == b'\r' || b == b'\t')
    {
        let collapsed: String = {
            let s = &out[start..];
            let mut c = String::with_capacity(s.len());
            let mut ws = false;
            for ch in s.chars() {
                if matches!(ch, ' ' | '\n' | '\r' | '\t') {
                    if !ws {
                        c.push(' ');
                    }
                    ws = true;
                } else {
                    c.push(ch);
                    ws = false;
                }
            }
            c
        };
        out.truncate(start);
        out.push_str(&collapsed);
    }
}

fn newline(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// What a (lower-case) tag name means here, looked up once per tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Starts and ends a line.
    Block,
    /// Holds no text (`img` among them).
    Void,
    /// Its content is not text: skipped to the close tag.
    RawText,
    /// `head`: metadata up to `</head>` or `<body>`.
    Head,
    /// `br`, `hr`: a line break.
    Break,
    /// `a`: its target may be a payment URI.
    Link,
    /// `td`, `th`: a space between cells.
    Cell,
    Other,
}

impl Kind {
    fn of(name: &str) -> Kind {
        match name {
            "p" | "div" | "li" | "ul" | "ol" | "tr" | "table" | "h1" | "h2" | "h3" | "h4"
            | "h5" | "h6" | "blockquote" | "pre" | "section" | "article" | "header" | "footer"
            | "center" | "dd" | "dt" | "dl" | "address" | "form" | "body" | "html" | "tbody"
            | "thead" => Kind::Block,
            "area" | "base" | "col" | "embed" | "img" | "input" | "link" | "meta" | "param"
            | "source" | "track" | "wbr" | "basefont" | "frame" | "keygen" => Kind::Void,
            "style" | "script" | "title" | "template" | "xml" => Kind::RawText,
            "head" => Kind::Head,
            "br" | "hr" => Kind::Break,
            "a" => Kind::Link,
            "td" | "th" => Kind::Cell,
            _ => Kind::Other,
        }
    }
}

/// The attributes of a tag, read as the HTML tokenizer reads them from the
/// text between the tag name and its `>`: a name runs from any character
/// (even `=`) to whitespace, `/`, `=` or `>`; a value follows an `=` (with
/// whitespace around it allowed) and is quoted or runs to whitespace;
/// whitespace and `/` separate attributes. Names come as written (compare
/// with ASCII case folded), values raw (character references undecoded).
///
/// A browser reads `title="x style=display:none"` as one `title`: text
/// inside a value never counts as an attribute of its own.
struct Attributes<'a> {
    text: &'a str,
    at: usize,
}

/// An attribute of [`Attributes`]: its name, and its value as a range of
/// the attribute text (`None`: no `=`).
type Attribute<'a> = (&'a str, Option<std::ops::Range<usize>>);

impl<'a> Attributes<'a> {
    fn new(text: &'a str) -> Attributes<'a> {
        Attributes { text, at: 0 }
    }
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Attribute<'a>;

    fn next(&mut self) -> Option<Attribute<'a>> {
        let b = self.text.as_bytes();
        let skip_ws = |mut i: usize| {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            i
        };
        let mut i = self.at;
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i == b.len() {
            self.at = i;
            return None;
        }
        // Every stop below is an ASCII byte or the end: char boundaries.
        let start = i;
        i += 1;
        while i < b.len() && !(b[i].is_ascii_whitespace() || matches!(b[i], b'/' | b'=' | b'>')) {
            i += 1;
        }
        let name = &self.text[start..i];
        let j = skip_ws(i);
        if b.get(j) != Some(&b'=') {
            self.at = j;
            return Some((name, None));
        }
        let j = skip_ws(j + 1);
        let value = match b.get(j) {
            Some(&q @ (b'"' | b'\'')) => {
                let end = find_near(q, &b[j + 1..]).map_or(b.len(), |k| j + 1 + k);
                self.at = (end + 1).min(b.len());
                j + 1..end
            }
            _ => {
                let end = b[j..]
                    .iter()
                    .position(u8::is_ascii_whitespace)
                    .map_or(b.len(), |k| j + k);
                self.at = end;
                j..end
            }
        };
        Some((name, Some(value)))
    }
}

/// The value of the first attribute named `key` (lower-case ASCII) of the
/// attribute text `attrs`, with character references decoded.
fn attr_value<'a>(attrs: &'a str, key: &str) -> Option<Cow<'a, str>> {
    let (_, value) = Attributes::new(attrs).find(|(n, _)| n.eq_ignore_ascii_case(key))?;
    Some(decoded(&attrs[value?]))
}

/// `v` with character references decoded, borrowed when it has none.
fn decoded(v: &str) -> Cow<'_, str> {
    if memchr(b'&', v.as_bytes()).is_none() {
        return Cow::Borrowed(v);
    }
    let mut s = String::new();
    decode_entities(v, &mut s);
    Cow::Owned(s)
}

/// Answers ([`Effect`]) for pieces of one document seen recently: attribute
/// texts judged by [`element_effect`], or `style` values by
/// [`style_effect`]. Mail repeats the same attributes (one style for every
/// cell or paragraph, hidden filler by the thousand), so most are judged
/// once. Direct-mapped: a lookup is one hash and one comparison whatever
/// the input, so the scan stays linear.
struct HiddenCache {
    /// Start and end in the document of the text last judged in each slot,
    /// and the answer.
    slots: [(usize, usize, Effect); HiddenCache::SLOTS],
}

impl HiddenCache {
    const SLOTS: usize = 256;

    fn new() -> HiddenCache {
        HiddenCache {
            slots: [(0, 0, 0); HiddenCache::SLOTS],
        }
    }

    /// The slot for `b`: the top byte of a multiplicative hash of its
    /// length and its first and last 16 bytes. Style attributes run to
    /// hundreds of bytes; hashing all of them cost more than judging many.
    /// Texts that differ only in the middle share a slot, which costs a
    /// miss, never a wrong answer (the whole text is compared).
    fn slot(b: &[u8]) -> usize {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = b.len() as u64;
        let mut mix = |w: u64| h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        if b.len() >= 32 {
            let n = b.len();
            for at in [0, 8, n - 16, n - 8] {
                mix(swar::load(b, at));
            }
        } else {
            let mut words = b.chunks_exact(8);
            for w in &mut words {
                mix(u64::from_le_bytes(w.try_into().expect("8 bytes")));
            }
            for &c in words.remainder() {
                mix(u64::from(c));
            }
        }
        (h >> 56) as usize
    }

    /// The answer for `html[range]` (not empty), from the cache or from
    /// `judge`, which is then kept. Texts are compared whole: two that share
    /// a slot cost a miss, never a wrong answer.
    fn get_or(
        &mut self,
        html: &str,
        range: std::ops::Range<usize>,
        judge: impl FnOnce() -> Effect,
    ) -> Effect {
        let text = &html[range.clone()];
        let slot = HiddenCache::slot(text.as_bytes());
        let (start, end, effect) = self.slots[slot];
        // A slot never filled holds an empty range, which `text` is not.
        if html[start..end] == *text {
            return effect;
        }
        let effect = judge();
        self.slots[slot] = (range.start, range.end, effect);
        effect
    }
}

/// [`element_effect`] for the element `tag` whose attribute text is
/// `html[attrs]`, through `cache` (one cache per value of `shows`), and
/// `styles` for its `style` value.
fn effect_cached(
    tag: &str,
    html: &str,
    attrs: std::ops::Range<usize>,
    rules: &HiddenRules,
    shows: bool,
    cache: &mut HiddenCache,
    styles: Option<&mut HiddenCache>,
) -> Effect {
    // Only the answer for the attribute text is cached: the tag rule and
    // an empty text are quick.
    if attrs.is_empty() || (!rules.tags.is_empty() && rules.tags.contains_key(tag)) {
        return element_effect(tag, html, attrs, rules, shows, styles);
    }
    cache.get_or(html, attrs.clone(), || {
        element_effect(tag, html, attrs, rules, shows, styles)
    })
}

/// What the attributes `html[attrs]` of the element `tag` do to the text
/// in it ([`Effect`]): a `<style>` rule for its tag, class or id, the
/// `hidden` attribute (whatever its value: `hidden="hidden"` hides too),
/// its inline `style`. The first of a repeated attribute counts, as in
/// HTML. With `shows`, also [`FONT_SET`] and [`VIS_SHOWN`] (which matter
/// only inside an element whose text is hidden by inheritance).
///
/// `styles` caches [`style_effect`] with `shows` by `style` value: inside a
/// zero-size region most attribute texts are new (each link its own
/// `href`) but their styles repeat, and with `shows` a style with any
/// `font-size` is parsed whole.
fn element_effect(
    tag: &str,
    html: &str,
    attrs: std::ops::Range<usize>,
    rules: &HiddenRules,
    shows: bool,
    styles: Option<&mut HiddenCache>,
) -> Effect {
    let at = attrs.start;
    let attrs = &html[attrs];
    let mut rule = if rules.tags.is_empty() {
        0
    } else {
        rules.tags.get(tag).copied().unwrap_or(0)
    };
    let mut style = None;
    let (want_class, want_id) = (!rules.classes.is_empty(), !rules.ids.is_empty());
    let (mut style_seen, mut class_seen, mut id_seen) = (false, false, false);
    for (name, value) in Attributes::new(attrs) {
        // Only the values looked at are decoded.
        let decode = || value.clone().map(|v| decoded(&attrs[v]));
        // Names are told apart by length first: most are none of these.
        match name.len() {
            6 if name.eq_ignore_ascii_case("hidden") => return HARD,
            5 if !style_seen && name.eq_ignore_ascii_case("style") => {
                style_seen = true;
                style = value;
            }
            5 if want_class && !class_seen && name.eq_ignore_ascii_case("class") => {
                class_seen = true;
                if let Some(v) = decode() {
                    for c in v.split_ascii_whitespace() {
                        rule |= rules.classes.get(c).copied().unwrap_or(0);
                    }
                }
            }
            2 if want_id && !id_seen && name.eq_ignore_ascii_case("id") => {
                id_seen = true;
                if let Some(v) = decode() {
                    rule |= rules.ids.get(v.trim()).copied().unwrap_or(0);
                }
            }
            _ => {}
        }
    }
    // An inline declaration that shows text again matters also against a
    // rule that hides it (`<b style="visibility:visible">` under
    // `b { visibility: hidden }`).
    let overrides = shows || rule & (FONT_ZERO | VIS_HIDDEN) != 0;
    let inline = match style {
        None => 0,
        Some(v) => match (decoded(&attrs[v.clone()]), styles) {
            // As written (no character reference): cached by its place.
            (Cow::Borrowed(text), Some(cache)) if overrides && !text.is_empty() => {
                cache.get_or(html, at + v.start..at + v.end, || style_effect(text, true))
            }
            (text, _) => style_effect(&text, overrides),
        },
    };
    let effect = cascade(inline, rule);
    if shows {
        effect
    } else {
        effect & !(FONT_SET | VIS_SHOWN)
    }
}

/// True when a CSS declaration block hides its element's text, for good or
/// by inheritance.
#[cfg(test)]
pub(crate) fn style_hides(style: &str) -> bool {
    style_effect(style, false) & HIDES != 0
}

/// What a CSS declaration block does to its element's text ([`Effect`]);
/// with `shows`, also what shows text again ([`FONT_SET`], [`VIS_SHOWN`]).
///
/// Hot (every inline `style` of every HTML part), so one pass over the
/// declarations and no allocation: property names are compared with
/// whitespace skipped and ASCII case folded, which is what lower-casing and
/// dropping every whitespace character of the block used to do; only a
/// value that may matter is normalised, into a small stack buffer.
fn style_effect(style: &str, shows: bool) -> Effect {
    if !may_matter(style.as_bytes(), shows) {
        return 0;
    }
    // The last declaration of a property wins, as in CSS.
    let mut slots: [Option<&str>; 9] = [None; 9];
    let mut start = 0;
    while start <= style.len() {
        // ';' and ':' are ASCII: byte positions are char boundaries.
        let end = find_near(b';', &style.as_bytes()[start..]).map_or(style.len(), |i| start + i);
        let d = &style[start..end];
        start = end + 1;
        let Some(colon) = find_near(b':', d.as_bytes()) else {
            continue;
        };
        if let Some(k) = prop_index(&d[..colon]) {
            slots[k] = Some(&d[colon + 1..]);
        }
    }
    let [display, visibility, font_size, opacity, overflow, max_height, height, width, max_width] =
        slots;
    // Values as a browser-agnostic normalisation sees them: whitespace
    // dropped, lower-cased, trailing "!important" removed.
    let val = |v: Option<&str>, f: &dyn Fn(&str) -> bool| -> bool {
        let Some(v) = v else { return false };
        match squeezed(v) {
            Some(s) => f(strip_important(s.as_str())),
            None => {
                // Long or non-ASCII (rare): the same, allocating.
                let full: String = v
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .flat_map(char::to_lowercase)
                    .collect();
                f(strip_important(&full))
            }
        }
    };
    // What a value starts with, squeezed: its first byte past ASCII
    // whitespace, when that is ASCII (a non-ASCII character may lower-case
    // to several).
    let first = |v: &str| v.bytes().find(|&c| !is_squeezed_ws(c)).filter(u8::is_ascii);
    // Exact shortcuts for the common visible values: a value that cannot
    // squeeze to what the test wants is not squeezed at all.
    let can_be = |v: Option<&str>, starts: &[u8]| {
        v.is_some_and(|v| first(v).is_none_or(|c| starts.contains(&(c | 0x20))))
    };
    // An integer part of 1 or more with no '%' anywhere: not a zero length.
    let zero_len = |v: Option<&str>| {
        v.is_some_and(|v| {
            !(matches!(first(v), Some(b'1'..=b'9')) && find_near(b'%', v.as_bytes()).is_none())
        }) && val(v, &is_zero_length)
    };
    let mut effect = 0;
    if (can_be(display, b"n") && val(display, &|v| v == "none"))
        || val(opacity, &|v| v.parse::<f32>().is_ok_and(|x| x <= 0.01))
        || (val(overflow, &|v| v == "hidden")
            && (zero_len(max_height) || zero_len(height) || zero_len(width) || zero_len(max_width)))
    {
        effect |= HARD;
    }
    if can_be(visibility, b"hc") && val(visibility, &|v| matches!(v, "hidden" | "collapse")) {
        effect |= VIS_HIDDEN;
    } else if shows && can_be(visibility, b"v") && val(visibility, &|v| v == "visible") {
        effect |= VIS_SHOWN;
    }
    if zero_len(font_size) {
        effect |= FONT_ZERO;
    } else if shows && val(font_size, &is_absolute_size) {
        effect |= FONT_SET;
    }
    effect
}

/// A `font-size` value (squeezed, lower-case) that does not depend on the
/// parent's size, and is not a zero length ([`is_zero_length`]): text in an
/// element with it shows even under a zero size. A length in an absolute or
/// root- or viewport-relative unit (or none: quirks mode takes a bare number
/// as pixels), a size keyword, or `initial` / `revert` (`medium`). Sizes
/// relative to the parent's (`%`, `em`, `ex`, `ch`, `larger`, `smaller`),
/// `inherit`, `unset` and what is not understood (`calc(…)`, `var(…)`)
/// keep a zero size zero.
fn is_absolute_size(v: &str) -> bool {
    if matches!(
        v,
        "xx-small"
            | "x-small"
            | "small"
            | "medium"
            | "large"
            | "x-large"
            | "xx-large"
            | "xxx-large"
            | "initial"
            | "revert"
    ) {
        return true;
    }
    length(v).is_some_and(|(_, unit)| {
        matches!(
            unit,
            "" | "px"
                | "pt"
                | "pc"
                | "in"
                | "cm"
                | "mm"
                | "q"
                | "rem"
                | "vw"
                | "vh"
                | "vmin"
                | "vmax"
        )
    }) && !is_zero_length(v)
}

/// A CSS length (squeezed) as its number and its unit: the leading digits
/// and dots as a number, and what follows.
fn length(v: &str) -> Option<(f32, &str)> {
    let num_end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    Some((v[..num_end].parse().ok()?, &v[num_end..]))
}

/// False only when no declaration of `style` can hide (or, with `shows`,
/// show text again: any `font-size` or `visibility`), judged from the
/// bytes around each ':' without splitting or normalising: most inline
/// styles (colours, fonts, sizes) are settled here.
///
/// Every hiding test in [`style_effect`] needs a declaration of `display`,
/// `visibility`, `opacity`, `font-size` or `overflow`. The name before such
/// a declaration's first ':' ends, past whitespace, in the last two letters
/// of one of them (no non-ASCII character lower-cases to one of these
/// letters, but a non-ASCII character may be whitespace: a non-ASCII byte
/// is a maybe). Checking every ':' is a superset of checking the first of
/// each declaration.
fn may_matter(b: &[u8], shows: bool) -> bool {
    // The position and byte of the last non-whitespace byte before `end`.
    let prev = |end: usize| {
        b[..end]
            .iter()
            .rposition(|&c| !is_squeezed_ws(c))
            .map(|j| (j, b[j]))
    };
    let mut from = 0;
    while let Some(i) = find_near(b':', &b[from..]) {
        let colon = from + i;
        from = colon + 1;
        let Some((j, c1)) = prev(colon) else { continue };
        let Some((_, c0)) = prev(j) else { continue };
        if c0 >= 0x80 || c1 >= 0x80 {
            return true;
        }
        // The value's first byte past whitespace; a ';' (an empty value),
        // a non-ASCII byte or the end decide nothing.
        let first = || {
            b[colon + 1..]
                .iter()
                .copied()
                .find(|&c| !is_squeezed_ws(c))
                .filter(|&c| c.is_ascii() && c != b';')
        };
        // Whether the value cannot start with one of `letters` once squeezed.
        let starts_other = |letters: &[u8]| first().is_some_and(|c| !letters.contains(&(c | 0x20)));
        let maybe = match [c0 | 0x20, c1 | 0x20] {
            // display: none
            [b'a', b'y'] => !starts_other(b"n"),
            // overflow: hidden
            [b'o', b'w'] => !starts_other(b"h"),
            // visibility, opacity
            [b't', b'y'] => true,
            // font-size: an integer part of 1 or more with no '%' in the
            // value is not a zero length (as in `style_effect`), but may
            // show text again.
            [b'z', b'e'] if shows => true,
            [b'z', b'e'] => {
                let value = &b[colon + 1..];
                let value = &value[..find_near(b';', value).unwrap_or(value.len())];
                !(matches!(first(), Some(b'1'..=b'9')) && find_near(b'%', value).is_none())
            }
            _ => false,
        };
        if maybe {
            return true;
        }
    }
    false
}

/// `v` without its trailing `!important`s (what `trim_end_matches` does,
/// without building a substring searcher per call).
fn strip_important(mut v: &str) -> &str {
    while let Some(r) = v.strip_suffix("!important") {
        v = r;
    }
    v
}

/// The properties [`style_effect`] looks at, in its slot order.
const PROPS: [&[u8]; 9] = [
    b"display",
    b"visibility",
    b"font-size",
    b"opacity",
    b"overflow",
    b"max-height",
    b"height",
    b"width",
    b"max-width",
];

/// Which of [`PROPS`] a declaration's property name is once [`squeezed`];
/// decided in place for the common plain ASCII names.
fn prop_index(name: &str) -> Option<usize> {
    let t = trim_squeezed_ws(name.as_bytes());
    let first = *t.first()?;
    // Squeezed, the name starts with this letter: none of PROPS starts
    // with another.
    if first.is_ascii() && !matches!(first | 0x20, b'd' | b'v' | b'f' | b'o' | b'm' | b'h' | b'w') {
        return None;
    }
    // Same length, same letters (case aside): then `t` is plain ASCII and
    // squeezes to that name.
    let candidates: &[usize] = match t.len() {
        5 => &[7],
        6 => &[6],
        7 => &[0, 3],
        8 => &[4],
        9 => &[2, 8],
        10 => &[1, 5],
        _ => &[],
    };
    if let Some(&k) = candidates
        .iter()
        .find(|&&k| PROPS[k].eq_ignore_ascii_case(t))
    {
        return Some(k);
    }
    // A plain name (ASCII, no inner whitespace) squeezes to itself
    // lower-cased, which was just compared; anything else is squeezed.
    if t.iter().all(|&c| c.is_ascii() && !is_squeezed_ws(c)) {
        return None;
    }
    let s = squeezed(name)?;
    PROPS.iter().position(|p| *p == &s.buf[..s.len])
}

/// The ASCII bytes [`squeezed`] drops (`char::is_whitespace` on ASCII:
/// U+0009–U+000D and space; `u8::is_ascii_whitespace` lacks U+000B).
fn is_squeezed_ws(c: u8) -> bool {
    matches!(c, b'\t'..=b'\r' | b' ')
}

fn trim_squeezed_ws(mut b: &[u8]) -> &[u8] {
    while let [c, rest @ ..] = b {
        if !is_squeezed_ws(*c) {
            break;
        }
        b = rest;
    }
    while let [rest @ .., c] = b {
        if !is_squeezed_ws(*c) {
            break;
        }
        b = rest;
    }
    b
}

/// A short ASCII string with whitespace dropped and case folded.
struct Squeezed {
    buf: [u8; 32],
    len: usize,
}

impl Squeezed {
    fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

/// `s` without whitespace and ASCII-lower-cased, when it is ASCII and that
/// fits in 32 bytes; `None` otherwise. For ASCII this is exactly what
/// dropping whitespace and `char::to_lowercase` give. A property name that
/// is not short ASCII cannot be one of those checked (no non-ASCII
/// character lower-cases into one of their letters).
fn squeezed(s: &str) -> Option<Squeezed> {
    let mut out = Squeezed {
        buf: [0; 32],
        len: 0,
    };
    // Bytes while the text is ASCII (ASCII whitespace is U+0009–U+000D and
    // U+0020, as for `char::is_whitespace`); chars from the start otherwise.
    for &b in s.as_bytes() {
        if b >= 0x80 {
            return squeezed_chars(s);
        }
        if matches!(b, b'\t'..=b'\r' | b' ') {
            continue;
        }
        if out.len == out.buf.len() {
            return None;
        }
        out.buf[out.len] = b.to_ascii_lowercase();
        out.len += 1;
    }
    Some(out)
}

fn squeezed_chars(s: &str) -> Option<Squeezed> {
    let mut out = Squeezed {
        buf: [0; 32],
        len: 0,
    };
    for c in s.chars() {
        if c.is_whitespace() {
            continue;
        }
        if !c.is_ascii() || out.len == out.buf.len() {
            return None;
        }
        out.buf[out.len] = c.to_ascii_lowercase() as u8;
        out.len += 1;
    }
    Some(out)
}

fn is_zero_length(v: &str) -> bool {
    // An integer part of 1 or more is never small enough, except as a
    // percentage (< 10%).
    if matches!(v.as_bytes().first(), Some(b'1'..=b'9')) && !v.ends_with('%') {
        return false;
    }
    let Some((x, unit)) = length(v) else {
        return false;
    };
    match unit {
        "" | "px" | "pt" => x < 1.0,
        "em" | "rem" | "ex" | "ch" => x < 0.1,
        "%" => x < 10.0,
        _ => x == 0.0,
    }
}

/// What [`find_ci`] gives (`needle` lower-case ASCII, at least 4 bytes),
/// for a needle searched over whole documents: blocks of bytes go through a
/// branch-free filter on the first four bytes (which the compiler
/// vectorises) instead of a memchr stop at every '<'.
fn find_ci_blocks<const B: usize>(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let n = needle.len();
    // Filter on the first byte and one that rarely follows it in HTML.
    let r = needle.len() - 3;
    let (f0, fr) = (needle[0] | 0x20, needle[r] | 0x20);
    let at = |j: usize| bytes.len() - j >= n && bytes[j..j + n].eq_ignore_ascii_case(needle);
    let mut i = from;
    while i + B + r <= bytes.len() {
        // Fixed-size windows: no bounds checks, so the loop vectorises.
        let w = |o: usize| -> &[u8; B] { bytes[i + o..i + o + B].try_into().expect("B bytes") };
        let (w0, wr) = (w(0), w(r));
        let mut hit = false;
        for k in 0..B {
            hit |= ((w0[k] | 0x20) == f0) & ((wr[k] | 0x20) == fr);
        }
        if hit {
            if let Some(k) = (i..i + B).find(|&j| at(j)) {
                return Some(k);
            }
        }
        i += B;
    }
    (i..bytes.len()).find(|&j| bytes[j] | 0x20 == f0 && at(j))
}

fn collect_style_rules(html: &str) -> HiddenRules {
    let mut rules = HiddenRules::default();
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(start) = find_ci_blocks::<32>(bytes, from, b"<style") {
        let Some(open_end) = memchr(b'>', &bytes[start..]).map(|i| start + i + 1) else {
            break;
        };
        let end = find_ci_blocks::<32>(bytes, open_end, b"</style").unwrap_or(bytes.len());
        parse_css(&html[open_end..end], &mut rules);
        from = end;
    }
    rules
}

fn parse_css(css: &str, rules: &mut HiddenRules) {
    let mut rest = css;
    while let Some(open) = memchr(b'{', rest.as_bytes()) {
        // A stray '}' closing an @media block ends up before the next selector.
        let selectors = rest[..open].trim_matches(|c: char| c == '}' || c.is_whitespace());
        if selectors.starts_with('@') {
            // Descend into @media / @supports: their rules follow.
            rest = &rest[open + 1..];
            continue;
        }
        let Some(close) = find_near(b'}', &rest.as_bytes()[open..]) else {
            break;
        };
        let body = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        let effect = style_effect(body, false);
        if effect == 0 {
            continue;
        }
        for sel in selectors.split(',') {
            let sel = sel.trim();
            // Only simple selectors: `.c`, `#i`, `tag`, `tag.c`.
            if sel.contains([' ', '>', '+', '~', '[', ':']) {
                continue;
            }
            let (map, key) = if let Some(dot) = sel.find('.') {
                (&mut rules.classes, sel[dot + 1..].to_string())
            } else if let Some(id) = sel.strip_prefix('#') {
                (&mut rules.ids, id.to_string())
            } else if !sel.is_empty() && sel.bytes().all(|b| b.is_ascii_alphanumeric()) {
                (&mut rules.tags, sel.to_ascii_lowercase())
            } else {
                continue;
            };
            *map.entry(key).or_insert(0) |= effect;
        }
    }
}

/// Appends `s` to `out` with HTML character references decoded. Used for
/// text/plain parts too, where scams put `&#233;` to dodge filters.
pub fn decode_entities(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    let mut pos = 0;
    while let Some(i) = memchr(b'&', &bytes[pos..]) {
        let amp = pos + i;
        out.push_str(&s[pos..amp]);
        match decode_one(&s[amp..]) {
            Some((c, len)) => {
                if let Some(c) = c {
                    out.push(c);
                }
                pos = amp + len;
            }
            None => {
                out.push('&');
                pos = amp + 1;
            }
        }
    }
    out.push_str(&s[pos..]);
}

/// Decodes one reference at the start of `s` (which starts with '&'):
/// returns the char (None for a reference that renders as nothing) and the
/// bytes consumed.
fn decode_one(s: &str) -> Option<(Option<char>, usize)> {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let (radix, start) = if matches!(b.get(2), Some(b'x' | b'X')) {
            (16, 3)
        } else {
            (10, 2)
        };
        let digits = b[start..]
            .iter()
            .take(8)
            .take_while(|c| {
                if radix == 16 {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            return None;
        }
        let n = u32::from_str_radix(&s[start..start + digits], radix).ok()?;
        let mut len = start + digits;
        if b.get(len) == Some(&b';') {
            len += 1;
        }
        let c = match n {
            0 => None,
            // Windows-1252 C1 range, as browsers do.
            0x80..=0x9F => Some(cp1252_c1(n)),
            _ => Some(char::from_u32(n).unwrap_or('\u{FFFD}')),
        };
        return Some((c, len));
    }
    let name_len = b[1..]
        .iter()
        .take(12)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if name_len == 0 {
        return None;
    }
    let name = &s[1..1 + name_len];
    let semi = b.get(1 + name_len) == Some(&b';');
    let c = named_entity(name)?;
    // Only the legacy entities may omit the ';'.
    if !semi && !matches!(name, "amp" | "lt" | "gt" | "quot" | "nbsp" | "copy" | "reg") {
        return None;
    }
    Some((Some(c), 1 + name_len + semi as usize))
}

fn cp1252_c1(n: u32) -> char {
    const T: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    T[(n - 0x80) as usize]
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "shy" => '\u{AD}',
        "zwnj" => '\u{200C}',
        "zwj" => '\u{200D}',
        "lrm" => '\u{200E}',
        "rlm" => '\u{200F}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "dollar" => '$',
        "sect" => '§',
        "deg" => '°',
        "middot" => '·',
        "bull" => '•',
        "hellip" => '…',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "iexcl" => '¡',
        "iquest" => '¿',
        "times" => '×',
        "divide" => '÷',
        "ordf" => 'ª',
        "ordm" => 'º',
        "szlig" => 'ß',
        "Agrave" => 'À',
        "Aacute" => 'Á',
        "Acirc" => 'Â',
        "Atilde" => 'Ã',
        "Auml" => 'Ä',
        "Aring" => 'Å',
        "AElig" => 'Æ',
        "Ccedil" => 'Ç',
        "Egrave" => 'È',
        "Eacute" => 'É',
        "Ecirc" => 'Ê',
        "Euml" => 'Ë',
        "Igrave" => 'Ì',
        "Iacute" => 'Í',
        "Icirc" => 'Î',
        "Iuml" => 'Ï',
        "Ntilde" => 'Ñ',
        "Ograve" => 'Ò',
        "Oacute" => 'Ó',
        "Ocirc" => 'Ô',
        "Otilde" => 'Õ',
        "Ouml" => 'Ö',
        "Oslash" => 'Ø',
        "Ugrave" => 'Ù',
        "Uacute" => 'Ú',
        "Ucirc" => 'Û',
        "Uuml" => 'Ü',
        "Yacute" => 'Ý',
        "agrave" => 'à',
        "aacute" => 'á',
        "acirc" => 'â',
        "atilde" => 'ã',
        "auml" => 'ä',
        "aring" => 'å',
        "aelig" => 'æ',
        "ccedil" => 'ç',
        "egrave" => 'è',
        "eacute" => 'é',
        "ecirc" => 'ê',
        "euml" => 'ë',
        "igrave" => 'ì',
        "iacute" => 'í',
        "icirc" => 'î',
        "iuml" => 'ï',
        "ntilde" => 'ñ',
        "ograve" => 'ò',
        "oacute" => 'ó',
        "ocirc" => 'ô',
        "otilde" => 'õ',
        "ouml" => 'ö',
        "oslash" => 'ø',
        "ugrave" => 'ù',
        "uacute" => 'ú',
        "ucirc" => 'û',
        "uuml" => 'ü',
        "yacute" => 'ý',
        "yuml" => 'ÿ',
        "OElig" => 'Œ',
        "oelig" => 'œ',
        "Scaron" => 'Š',
        "scaron" => 'š',
        _ => return None,
    })
}

#[cfg(test)]
mod oracle;

#[cfg(test)]
mod tests {
    use super::*;

    fn vis(html: &str) -> String {
        let mut s = String::new();
        visible_text(html, &mut s);
        s
    }

    /// Attribute texts that differ only in the middle share a cache slot:
    /// each is still judged on its own text.
    #[test]
    fn hidden_cache_slot_sharing_keeps_answers_apart() {
        let hide = r#"style="color: red; display:none; font-weight: bold""#;
        let show = r#"style="color: red; display:bold; font-weight: bold""#;
        assert_eq!(
            HiddenCache::slot(hide.as_bytes()),
            HiddenCache::slot(show.as_bytes())
        );
        let html = format!("<p {hide}>A</p><p {show}>B</p><p {hide}>C</p><p {show}>D</p>");
        let mut out = String::new();
        let st = visible_text(&html, &mut out);
        assert_eq!(out.split_whitespace().collect::<Vec<_>>(), ["B", "D"]);
        assert_eq!(st.hidden_elements, 2);
    }

    macro_rules! t {
        ($name:ident, $input:expr, $want:expr) => {
            #[test]
            fn $name() {
                assert_eq!(vis($input).trim(), $want);
            }
        };
    }

    t!(plain, "<p>Hello <b>world</b></p>", "Hello world");
    t!(comment, "a<!-- hidden -->b", "ab");
    t!(
        style_script,
        "<style>p{}</style>x<script>var a='<p>'</script>y",
        "xy"
    );
    t!(
        head,
        "<html><head><title>T</title><meta x></head><body>B</body></html>",
        "B"
    );
    t!(
        inline_hidden,
        "C<label style=\"font-size:0px;\">XYZ</label>on",
        "Con"
    );
    t!(
        display_none,
        "a<span style='display: none'>no</span>b",
        "ab"
    );
    t!(
        class_rule,
        "<style>.h { display:none }</style>v<span class=\"x h\">no</span>id",
        "vid"
    );
    t!(
        id_rule,
        "<style>#q{visibility:hidden}</style>a<i id=q>no</i>b",
        "ab"
    );
    t!(hidden_attr, "a<div hidden>no</div>b", "a\nb");
    t!(
        hidden_attr_with_value,
        "a<div hidden=\"hidden\">no</div><p HIDDEN=''>no</p>b",
        "a\nb"
    );
    // Text inside an attribute value is not an attribute: a scam cannot
    // hide its own text from the matcher behind a fake `style` or
    // `hidden` in a `title`, which a browser shows.
    t!(
        style_inside_a_value_is_not_an_attribute,
        "<p title=\"note style=display:none;\">pay now</p><p data-x='a hidden b'>or else</p>",
        "pay now\nor else"
    );
    t!(
        first_of_repeated_attributes_counts,
        "<span style=color:red style=display:none>seen</span><i style=display:none style=color:red>no</i>",
        "seen"
    );
    t!(
        self_closing_slash_is_ignored_as_in_html,
        "Bit<span style=\"font-size:0\"/>xyz</span>coin<b/>!</b>",
        "Bitcoin!"
    );
    t!(
        entity_in_style_value,
        "a<span style=\"display&#58;none\">no</span>b",
        "ab"
    );
    t!(
        quote_after_newline_opens_a_value,
        "a<span style=\n\"display:none;x:'>'\">no</span>b",
        "ab"
    );
    t!(
        same_attrs_other_tag,
        "<style>b{display:none}</style><b class=x>1</b><i class=x>2</i><b class=x>3</b>",
        "2"
    );
    t!(
        entities,
        "caf&eacute; &amp; &#233;&#x41; &nbsp;x",
        "café & éA \u{a0}x"
    );
    t!(block_newline, "<div>a</div><div>b</div>", "a\nb");
    t!(br, "a<br>b<br/>c", "a\nb\nc");
    t!(lone_lt, "5 < 6 and 7<8", "5 < 6 and 7<8");
    t!(
        nested_hidden,
        "<div style=display:none><p>x</p><p>y</p></div>z",
        "z"
    );
    t!(unclosed_quote, "a<span title=\"x>b", "a");
    t!(ws_collapse, "a\n\n   b", "a b");
    t!(
        not_hidden_fontsize,
        "<span style=\"font-size:12px\">x</span>",
        "x"
    );
    t!(
        media_rule,
        "<style>@media screen { .z {display:none} }</style>a<b class=z>q</b>",
        "a"
    );
    t!(
        payment_link,
        "<a href=\"bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=0.05\">Pay now</a>",
        "bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=0.05 Pay now"
    );
    t!(
        other_link,
        "<a href=\"https://x.example/bitcoin:1\">x</a>",
        "x"
    );
    t!(unknown_entity, "AT&T &foo; &#0;", "AT&T &foo;");

    #[test]
    fn hidden_stats() {
        let mut s = String::new();
        let st = visible_text(
            "a<span style=font-size:0>x</span>b<span style=font-size:0>y</span>",
            &mut s,
        );
        assert_eq!(s, "ab");
        assert_eq!(st.hidden_elements, 2);
    }

    /// The allocating implementations `style_hides` and `attr_value` had
    /// before they were made allocation-free: the oracle they must agree with.
    fn style_hides_oracle(style: &str) -> bool {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        let decl = |prop: &str| -> Option<&str> {
            s.split(';')
                .filter_map(|d| d.strip_prefix(prop).and_then(|v| v.strip_prefix(':')))
                .map(|v| v.trim_end_matches("!important"))
                .next_back()
        };
        decl("display") == Some("none")
            || matches!(decl("visibility"), Some("hidden" | "collapse"))
            || decl("font-size").is_some_and(is_zero_length)
            || decl("opacity").is_some_and(|v| v.parse::<f32>().is_ok_and(|x| x <= 0.01))
            || decl("overflow") == Some("hidden")
                && (decl("max-height").is_some_and(is_zero_length)
                    || decl("height").is_some_and(is_zero_length)
                    || decl("width").is_some_and(is_zero_length)
                    || decl("max-width").is_some_and(is_zero_length))
    }

    const CSS_WORDS: &[&str] = &[
        "display",
        "DISPLAY",
        "visibility",
        "font-size",
        "opacity",
        "overflow",
        "max-height",
        "height",
        "width",
        "max-width",
        ":",
        ";",
        " ",
        "\t",
        "none",
        "hidden",
        "collapse",
        "0",
        "0.0",
        "0.5",
        ".01",
        "1",
        "px",
        "pt",
        "em",
        "%",
        "!important",
        "!IMPORTANT",
        "K",
        "\u{212A}",
        "İ",
        "é",
        "\u{A0}",
        "x",
        "-",
        "style",
        "class",
        "id",
        "=",
        "\"",
        "'",
        "Style",
        "ID",
    ];

    proptest::proptest! {
        #[test]
        fn style_hides_agrees_with_oracle(words in proptest::collection::vec(proptest::sample::select(CSS_WORDS), 0..24)) {
            let css = words.concat();
            proptest::prop_assert_eq!(style_hides(&css), style_hides_oracle(&css), "{:?}", css);
        }

        #[test]
        fn attributes_agree_with_oracle(words in proptest::collection::vec(proptest::sample::select(CSS_WORDS), 0..24)) {
            let attrs = words.concat();
            let mut fast: Vec<(String, Option<String>)> = Vec::new();
            for (name, value) in Attributes::new(&attrs) {
                let name = name.to_ascii_lowercase();
                if !fast.iter().any(|(n, _)| *n == name) {
                    fast.push((name, value.map(|v| decoded(&attrs[v]).into_owned())));
                }
            }
            proptest::prop_assert_eq!(&fast, &oracle::attributes(&attrs), "{:?}", attrs);
            for key in ["style", "class", "id", "href"] {
                let want = fast.iter().find(|(n, _)| n == key).and_then(|(_, v)| v.clone());
                proptest::prop_assert_eq!(attr_value(&attrs, key).map(Cow::into_owned), want, "{:?}", attrs);
            }
        }
    }

    #[test]
    fn style_hides_table() {
        for (css, want) in [
            ("display:none", true),
            ("DISPLAY : NONE !important", true),
            ("display:none;display:block", false),
            ("font-size:0ÿ", true),
            ("font-size: 0 px", true),
            ("opacity:0.000000000000000000000000000000000000001", true),
            ("overflow:hidden;max-height:0", true),
            ("overflow:hidden", false),
            ("visibility:collapse!important!important", true),
            ("color:red", false),
            // Settled by `may_matter` alone, or not.
            ("font-size:12px;font-size:5%", true),
            ("font-size:5%;font-size:12px", false),
            ("font-family:x;font-size : 12px", false),
            ("dis play:none", true),
            ("font-siz\u{A0}e:0", true),
            ("FONT-SIZE:0PX", true),
            ("box-shadow:none;overflow:auto;height:0", false),
            ("overflow: Hidden;height:0", true),
            ("a:b:font-size:0", false),
        ] {
            assert_eq!(style_hides(css), want, "{css}");
            assert_eq!(style_hides_oracle(css), want, "{css}");
        }
    }

    /// `font-size` and `visibility` are inherited: a descendant can show
    /// text again, as MJML layouts do on every line.
    #[test]
    fn inherited_hiding_can_be_undone() {
        // An absolute size under a zero one shows; a relative one does not.
        assert_eq!(
            vis("<td style=\"font-size:0px\"><div style=\"font-size:16px\">I recorded you</div></td>"),
            " \nI recorded you\n"
        );
        assert_eq!(
            vis("<div style=\"font-size:0\"><p style=\"font-size:Medium\">a</p><span style=\"font-size:2em\">b</span>c</div>"),
            "a\n"
        );
        // The zero size is back after the element that undid it.
        assert_eq!(
            vis("<div style=\"font-size:0\"><span style=\"font-size:12pt\">a</span>b<span>c</span></div>d"),
            "a\nd"
        );
        assert_eq!(
            vis("<div style=\"visibility:hidden\"><p style=\"visibility:visible\">seen</p>gone</div>"),
            "seen\n"
        );
        // An inline declaration wins over a rule.
        assert_eq!(
            vis("<style>b{visibility:hidden} .z{font-size:0}</style><b style=\"visibility:visible\">x</b><b>y</b><i class=z style=\"font-size:9px\">w</i>"),
            "xw"
        );
        // Hidden for good stays hidden, whatever the descendants say.
        for outer in ["display:none", "opacity:0", "overflow:hidden;max-height:0"] {
            assert_eq!(
                vis(&format!("<div style=\"{outer}\"><p style=\"font-size:14px;visibility:visible;display:block\">x</p></div>")),
                "",
                "{outer}"
            );
        }
        // Filler in a zero size still vanishes from a phrase.
        assert_eq!(
            vis("I rec<span style=\"font-size:0\">xyz</span>orded you"),
            "I recorded you"
        );
    }

    /// A zero-size cell around visible columns is no hidden text: only
    /// text that stays hidden counts.
    #[test]
    fn mjml_layout_counts_no_hidden_text() {
        let html = "<table><tr><td style=\"font-size:0px\">\n  <div style=\"font-size:14px\">Hello</div>\n                      <div style=\"font-size:14px\">World</div>\n</td></tr></table>";
        let mut out = String::new();
        let st = visible_text(html, &mut out);
        // Each column starts a line: the words are not glued together.
        assert_eq!(
            out.split_whitespace().collect::<Vec<_>>(),
            ["Hello", "World"],
            "{out:?}"
        );
        assert_eq!(st, HtmlStats::default());
    }

    #[test]
    fn million_unclosed_tags_is_linear() {
        let html = "<div><span>".repeat(200_000) + &"</p>".repeat(200_000);
        let t = vis(&html);
        assert!(t.trim().is_empty());
    }
}
