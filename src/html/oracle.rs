//! The reference implementation of [`super::visible_text`]: a frozen copy of
//! the scanner and its helpers as they were before the speed work, used only
//! by tests. The fast version must give byte-identical text and stats.
//!
//! `cargo test --release --lib html_oracle_corpus -- --ignored --nocapture`
//! compares both over every text/html part of the dev corpus and the samples.

#![allow(dead_code)]

use super::{decode_one, HtmlStats};
use std::collections::HashMap;

use memchr::{memchr, memmem};

const MAX_DEPTH: usize = 512;
const MAX_CLOSE_SEARCH: usize = 32;

/// Per simple selector, what its rules hide (the union of them).
#[derive(Default)]
struct HiddenRules {
    classes: HashMap<String, Own>,
    ids: HashMap<String, Own>,
    tags: HashMap<String, Own>,
}

/// What an element's own attributes say about its text: hidden for good,
/// and the `font-size` (zero or not) and `visibility` (hidden or not) it
/// sets, if it sets them. Text shows when no open element is hidden for
/// good and the innermost setting of each of the other two is "not".
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct Own {
    pub(super) hard: bool,
    pub(super) font_zero: Option<bool>,
    pub(super) vis_hidden: Option<bool>,
}

impl Own {
    fn hides(self) -> bool {
        self.hard || self.font_zero == Some(true) || self.vis_hidden == Some(true)
    }

    /// Rules add up: each hides what it hides.
    fn union(self, o: Own) -> Own {
        let or = |a: Option<bool>, b: Option<bool>| match (a, b) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), _) | (_, Some(false)) => Some(false),
            _ => None,
        };
        Own {
            hard: self.hard || o.hard,
            font_zero: or(self.font_zero, o.font_zero),
            vis_hidden: or(self.vis_hidden, o.vis_hidden),
        }
    }
}

/// Whether text inside the open elements `stack` shows.
fn shows(stack: &[Open]) -> bool {
    let (mut font_zero, mut vis_hidden) = (false, false);
    for o in stack {
        if o.own.hard {
            return false;
        }
        font_zero = o.own.font_zero.unwrap_or(font_zero);
        vis_hidden = o.own.vis_hidden.unwrap_or(vis_hidden);
    }
    !font_zero && !vis_hidden
}

struct Open {
    name: TagName,
    own: Own,
}

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

pub(super) fn visible_text(html: &str, out: &mut String) -> HtmlStats {
    let rules = collect_style_rules(html);
    let bytes = html.as_bytes();
    let mut stats = HtmlStats::default();
    let mut stack: Vec<Open> = Vec::new();
    // Whether text shows here: [`shows`] of the stack, kept up to date.
    let mut shown = true;
    let mut pos = 0usize;
    // Each maximal hidden region is counted once, when it holds text.
    let mut hidden_region = 0usize;
    let mut last_hidden_counted = usize::MAX;

    while pos < bytes.len() {
        let lt = memchr(b'<', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        if lt > pos {
            let text = &html[pos..lt];
            if shown {
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
            if shown {
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
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b':'))
            .map_or(bytes.len(), |i| name_start + i);
        if name_end == name_start || !bytes[name_start].is_ascii_alphabetic() {
            // A lone '<' in text.
            if shown {
                out.push('<');
            }
            pos = lt + 1;
            continue;
        }
        let tag = TagName::new(&html[name_start..name_end]);
        let name = tag.as_str();
        let tag_end = find_tag_end(bytes, name_end);
        // A tag cut short by the next '<' has no '>' to drop, and the byte
        // before that '<' may be inside a multi-byte character.
        let attrs_end = if bytes[tag_end - 1] == b'>' {
            tag_end - 1
        } else {
            tag_end
        };
        let attrs = &html[name_end..attrs_end.max(name_end)];
        pos = tag_end;

        if closing {
            let inside_shown = shown;
            if let Some(i) = stack
                .iter()
                .rev()
                .take(MAX_CLOSE_SEARCH)
                .position(|o| o.name.as_str() == name)
            {
                stack.truncate(stack.len() - 1 - i);
                shown = shows(&stack);
            }
            if is_block(name) && (inside_shown || shown) {
                newline(out);
            }
            continue;
        }

        // Raw-text elements: skip to their close tag.
        if matches!(name, "style" | "script" | "title" | "template" | "xml") {
            let close = format!("</{name}");
            pos = find_ci(bytes, pos, close.as_bytes()).map_or(bytes.len(), |i| {
                memchr(b'>', &bytes[i..]).map_or(bytes.len(), |j| i + j + 1)
            });
            continue;
        }
        if name == "head" {
            // Everything up to </head> or <body> is metadata.
            let end_head = find_ci(bytes, pos, b"</head").unwrap_or(bytes.len());
            let body = find_ci(bytes, pos, b"<body").unwrap_or(bytes.len());
            pos = end_head.min(body);
            continue;
        }
        if matches!(name, "br" | "hr") {
            if shown {
                newline(out);
            }
            continue;
        }
        if name == "img" && shown {
            // Mail clients show alt text only when images are blocked; most
            // readers see the image. Keep nothing.
            continue;
        }
        if is_void(name) {
            continue;
        }
        // The element's own text shows, as seen with it on the stack (an
        // element past the depth limit is not tracked).
        let tracked = stack.len() < MAX_DEPTH;
        let own = element_own(name, attrs, &rules);
        let own_shown = if tracked {
            stack.push(Open {
                name: TagName::new(name),
                own,
            });
            let s = shows(&stack);
            stack.pop();
            s
        } else {
            shown
        };
        // Its line break or space shows when its parent's text or its own
        // does.
        let breaks = shown || own_shown;
        // A payment link (`<a href="bitcoin:…?amount=…">Pay</a>`) names the
        // wallet only in its target: keep the URI as text beside the link,
        // which is what a reader gets by hovering or clicking.
        if name == "a" && breaks {
            if let Some(href) = attr_value(attrs, "href") {
                let href = href.trim();
                if is_payment_uri(href) {
                    out.push(' ');
                    out.push_str(href);
                    out.push(' ');
                }
            }
        }
        if is_block(name) && breaks {
            newline(out);
        } else if matches!(name, "td" | "th") && breaks {
            out.push(' ');
        }
        if tracked {
            stack.push(Open { name: tag, own });
            if shown && !own_shown {
                hidden_region += 1;
            }
            shown = own_shown;
        }
    }
    stats
}

fn find_tag_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    let mut quote = 0u8;
    while i < bytes.len() {
        let b = bytes[i];
        if quote != 0 {
            if b == quote {
                quote = 0;
            }
        } else if b == b'"' || b == b'\'' {
            // A quote only opens a value right after '='.
            let mut j = i;
            while j > from && bytes[j - 1].is_ascii_whitespace() {
                j -= 1;
            }
            if j > from && bytes[j - 1] == b'=' {
                quote = b;
            }
        } else if b == b'>' {
            return i + 1;
        } else if b == b'<' {
            // A tag that never closed: end it here so the next tag is seen.
            return i;
        }
        i += 1;
        if quote != 0 {
            // A quoted value that never closes must not swallow the document.
            if let Some(j) = memchr(quote, &bytes[i..]) {
                i += j;
            } else {
                return bytes.len();
            }
        }
    }
    bytes.len()
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

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "col"
            | "embed"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "basefont"
            | "frame"
            | "keygen"
    )
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "tr"
            | "table"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "pre"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "center"
            | "dd"
            | "dt"
            | "dl"
            | "address"
            | "form"
            | "body"
            | "html"
            | "tbody"
            | "thead"
    )
}

/// The attributes of a tag as the HTML tokenizer reads them from the text
/// after the tag name: lower-cased names, values with character references
/// decoded, the first of a repeated name kept. Deliberately plain: the
/// reference the fast scanner's attribute reading is checked against.
pub(super) fn attributes(attrs: &str) -> Vec<(String, Option<String>)> {
    let c: Vec<char> = attrs.chars().collect();
    let ws = |c: char| c.is_ascii_whitespace();
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut i = 0;
    loop {
        // Before a name: whitespace and '/' are passed over.
        while i < c.len() && (ws(c[i]) || c[i] == '/') {
            i += 1;
        }
        if i == c.len() {
            return out;
        }
        // A name takes its first character whatever it is ('=' too), then
        // runs to whitespace, '/', '=' or '>'.
        let mut name = c[i].to_ascii_lowercase().to_string();
        i += 1;
        while i < c.len() && !(ws(c[i]) || matches!(c[i], '/' | '=' | '>')) {
            name.push(c[i].to_ascii_lowercase());
            i += 1;
        }
        while i < c.len() && ws(c[i]) {
            i += 1;
        }
        let mut value = None;
        if i < c.len() && c[i] == '=' {
            i += 1;
            while i < c.len() && ws(c[i]) {
                i += 1;
            }
            let mut v = String::new();
            if i < c.len() && (c[i] == '"' || c[i] == '\'') {
                let q = c[i];
                i += 1;
                while i < c.len() && c[i] != q {
                    v.push(c[i]);
                    i += 1;
                }
                // Past the closing quote, if there is one.
                i = (i + 1).min(c.len());
            } else {
                while i < c.len() && !ws(c[i]) {
                    v.push(c[i]);
                    i += 1;
                }
            }
            let mut decoded = String::new();
            decode_entities(&v, &mut decoded);
            value = Some(decoded);
        }
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, value));
        }
    }
}

fn attr_value(attrs: &str, key: &str) -> Option<String> {
    attributes(attrs)
        .into_iter()
        .find(|(n, _)| n == key)
        .and_then(|(_, v)| v)
}

/// What the element `tag` with attributes `attrs` says about its text: its
/// inline style over its rules, property by property, and hidden for good
/// by either or by the `hidden` attribute.
fn element_own(tag: &str, attrs: &str, rules: &HiddenRules) -> Own {
    let attrs = attributes(attrs);
    let value = |key: &str| {
        attrs
            .iter()
            .find(|(n, _)| n == key)
            .map(|(_, v)| v.clone().unwrap_or_default())
    };
    let mut rule = rules.tags.get(tag).copied().unwrap_or_default();
    if let Some(c) = value("class") {
        for c in c.split_ascii_whitespace() {
            rule = rule.union(rules.classes.get(c).copied().unwrap_or_default());
        }
    }
    if let Some(id) = value("id") {
        rule = rule.union(rules.ids.get(id.trim()).copied().unwrap_or_default());
    }
    let inline = value("style").map(|s| style_own(&s)).unwrap_or_default();
    Own {
        hard: rule.hard || inline.hard || value("hidden").is_some(),
        font_zero: inline.font_zero.or(rule.font_zero),
        vis_hidden: inline.vis_hidden.or(rule.vis_hidden),
    }
}

pub(super) fn style_hides(style: &str) -> bool {
    style_own(style).hides()
}

/// What a declaration block says about its element's text ([`Own`]).
pub(super) fn style_own(style: &str) -> Own {
    // The last declaration of a property wins, as in CSS.
    let mut display = None;
    let mut visibility = None;
    let mut font_size = None;
    let mut opacity = None;
    let mut overflow = None;
    let mut max_height = None;
    let mut height = None;
    let mut width = None;
    let mut max_width = None;
    let mut start = 0;
    for end in memchr::memchr_iter(b';', style.as_bytes()).chain(std::iter::once(style.len())) {
        // ';' and ':' are ASCII: byte positions are char boundaries.
        let d = &style[start..end];
        start = end + 1;
        let Some(colon) = memchr(b':', d.as_bytes()) else {
            continue;
        };
        let slot = match squeezed(&d[..colon]) {
            Some(Squeezed { buf, len }) => match &buf[..len] {
                b"display" => &mut display,
                b"visibility" => &mut visibility,
                b"font-size" => &mut font_size,
                b"opacity" => &mut opacity,
                b"overflow" => &mut overflow,
                b"max-height" => &mut max_height,
                b"height" => &mut height,
                b"width" => &mut width,
                b"max-width" => &mut max_width,
                _ => continue,
            },
            None => continue,
        };
        *slot = Some(&d[colon + 1..]);
    }
    // Values as a browser-agnostic normalisation sees them: whitespace
    // dropped, lower-cased, trailing "!important" removed.
    let val = |v: Option<&str>, f: &dyn Fn(&str) -> bool| -> bool {
        let Some(v) = v else { return false };
        match squeezed(v) {
            Some(s) => f(s.as_str().trim_end_matches("!important")),
            None => {
                // Long or non-ASCII (rare): the same, allocating.
                let full: String = v
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .flat_map(char::to_lowercase)
                    .collect();
                f(full.trim_end_matches("!important"))
            }
        }
    };
    let hard = val(display, &|v| v == "none")
        || val(opacity, &|v| v.parse::<f32>().is_ok_and(|x| x <= 0.01))
        || val(overflow, &|v| v == "hidden")
            && (val(max_height, &is_zero_length)
                || val(height, &is_zero_length)
                || val(width, &is_zero_length)
                || val(max_width, &is_zero_length));
    let vis_hidden = if val(visibility, &|v| matches!(v, "hidden" | "collapse")) {
        Some(true)
    } else if val(visibility, &|v| v == "visible") {
        Some(false)
    } else {
        None
    };
    let font_zero = if val(font_size, &is_zero_length) {
        Some(true)
    } else if val(font_size, &absolute_size) {
        Some(false)
    } else {
        None
    };
    Own {
        hard,
        font_zero,
        vis_hidden,
    }
}

/// A font size that shows text whatever the parent's: a size keyword,
/// `initial`, `revert`, or a number (not too small to read) in an absolute,
/// root or viewport unit, or in none (quirks-mode pixels).
fn absolute_size(v: &str) -> bool {
    const KEYWORDS: [&str; 10] = [
        "xx-small",
        "x-small",
        "small",
        "medium",
        "large",
        "x-large",
        "xx-large",
        "xxx-large",
        "initial",
        "revert",
    ];
    const UNITS: [&str; 13] = [
        "px", "pt", "pc", "in", "cm", "mm", "q", "rem", "vw", "vh", "vmin", "vmax", "",
    ];
    if KEYWORDS.contains(&v) {
        return true;
    }
    UNITS.iter().any(|u| {
        v.strip_suffix(u).is_some_and(|n| {
            !n.is_empty()
                && n.chars().all(|c| c.is_ascii_digit() || c == '.')
                && n.parse::<f32>().is_ok()
        })
    }) && !is_zero_length(v)
}

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
    let num_end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let Ok(x) = v[..num_end].parse::<f32>() else {
        return false;
    };
    let unit = &v[num_end..];
    match unit {
        "" | "px" | "pt" => x < 1.0,
        "em" | "rem" | "ex" | "ch" => x < 0.1,
        "%" => x < 10.0,
        _ => x == 0.0,
    }
}

fn collect_style_rules(html: &str) -> HiddenRules {
    let mut rules = HiddenRules::default();
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(start) = find_ci(bytes, from, b"<style") {
        let Some(open_end) = memchr(b'>', &bytes[start..]).map(|i| start + i + 1) else {
            break;
        };
        let end = find_ci(bytes, open_end, b"</style").unwrap_or(bytes.len());
        parse_css(&html[open_end..end], &mut rules);
        from = end;
    }
    rules
}

fn parse_css(css: &str, rules: &mut HiddenRules) {
    let mut rest = css;
    while let Some(open) = rest.find('{') {
        // A stray '}' closing an @media block ends up before the next selector.
        let selectors = rest[..open].trim_matches(|c: char| c == '}' || c.is_whitespace());
        if selectors.starts_with('@') {
            // Descend into @media / @supports: their rules follow.
            rest = &rest[open + 1..];
            continue;
        }
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let body = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        let own = style_own(body);
        if !own.hides() {
            continue;
        }
        // Only what hides: a rule that shows text again is not followed.
        let own = Own {
            hard: own.hard,
            font_zero: own.font_zero.filter(|z| *z),
            vis_hidden: own.vis_hidden.filter(|h| *h),
        };
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
            let old = map.remove(&key).unwrap_or_default();
            map.insert(key, old.union(own));
        }
    }
}

pub(super) fn decode_entities(s: &str, out: &mut String) {
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

mod diff {
    use super::super::visible_text as fast;
    use super::visible_text as reference;
    use super::HtmlStats;

    fn both(html: &str) -> ((String, HtmlStats), (String, HtmlStats)) {
        let mut a = String::from("x");
        let sa = fast(html, &mut a);
        let mut b = String::from("x");
        let sb = reference(html, &mut b);
        ((a, sa), (b, sb))
    }

    fn corpus_html() -> Vec<String> {
        let mut html = Vec::new();
        for (_, raw) in crate::test_mail::real_mail() {
            if let Ok(m) = mailparse::parse_mail(&raw) {
                crate::test_mail::html_parts(&m, &mut html);
            }
        }
        html
    }

    /// Every text/html part of the dev corpus and the samples: identical
    /// text and stats. Also times both (best of several runs).
    #[test]
    #[ignore]
    fn html_oracle_corpus() {
        let html = corpus_html();
        let mut differ = 0;
        for h in &html {
            let (a, b) = both(h);
            if a != b {
                differ += 1;
                if differ <= 3 {
                    let i =
                        a.0.bytes()
                            .zip(b.0.bytes())
                            .take_while(|(x, y)| x == y)
                            .count();
                    eprintln!(
                        "differs at {i}: fast {:?} {:?} / oracle {:?} {:?}",
                        a.1,
                        a.0.get(i.saturating_sub(40)..(i + 40).min(a.0.len())),
                        b.1,
                        b.0.get(i.saturating_sub(40)..(i + 40).min(b.0.len())),
                    );
                }
            }
        }
        let bytes: usize = html.iter().map(String::len).sum();
        println!(
            "{} html parts ({} bytes) compared, {differ} differ",
            html.len(),
            bytes
        );
        assert_eq!(differ, 0);
        for (name, f) in [
            ("fast", fast as fn(&str, &mut String) -> HtmlStats),
            ("oracle", reference),
        ] {
            let mut best = f64::MAX;
            for _ in 0..7 {
                let t = std::time::Instant::now();
                let mut out = String::new();
                for h in &html {
                    out.clear();
                    f(h, &mut out);
                }
                best = best.min(t.elapsed().as_secs_f64());
            }
            println!("{name:8} {:7.1} ms", best * 1e3);
        }
    }

    /// Times the `<style>` rule collection alone: the scan for style
    /// blocks, and the parse of their CSS (best of several runs).
    #[test]
    #[ignore]
    fn css_time() {
        let html = corpus_html();
        let mut sheets = Vec::new();
        for h in &html {
            let b = h.as_bytes();
            let mut from = 0;
            while let Some(start) = super::super::find_ci_blocks::<32>(b, from, b"<style") {
                let Some(open) = memchr::memchr(b'>', &b[start..]).map(|i| start + i + 1) else {
                    break;
                };
                let end =
                    super::super::find_ci_blocks::<32>(b, open, b"</style").unwrap_or(b.len());
                sheets.push(h[open..end].to_string());
                from = end;
            }
        }
        let bytes: usize = sheets.iter().map(String::len).sum();
        let time = |name: &str, f: &mut dyn FnMut() -> usize| {
            let mut best = f64::MAX;
            let mut n = 0;
            for _ in 0..20 {
                let t = std::time::Instant::now();
                n = f();
                best = best.min(t.elapsed().as_secs_f64());
            }
            println!("{name:24} {:7.2} ms ({n})", best * 1e3);
        };
        println!("{} style blocks, {} KB of CSS", sheets.len(), bytes >> 10);
        time("collect_style_rules", &mut || {
            html.iter()
                .map(|h| {
                    let r = super::super::collect_style_rules(h);
                    r.tags.len() + r.classes.len() + r.ids.len()
                })
                .sum()
        });
        time("parse_css", &mut || {
            sheets
                .iter()
                .map(|css| {
                    let mut r = super::super::HiddenRules::default();
                    super::super::parse_css(css, &mut r);
                    r.tags.len() + r.classes.len() + r.ids.len()
                })
                .sum()
        });
    }

    /// Times the fast version alone (best of several runs).
    #[test]
    #[ignore]
    fn html_time() {
        let html = corpus_html();
        let mut best = f64::MAX;
        for _ in 0..30 {
            let t = std::time::Instant::now();
            let mut out = String::new();
            for h in &html {
                out.clear();
                fast(h, &mut out);
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!("fast {:7.1} ms", best * 1e3);
    }

    const SOUP: &[&str] = &[
        "<",
        ">",
        "</",
        "/>",
        "\"",
        "'",
        "=",
        " = ",
        " ",
        "  ",
        "\n",
        "\t",
        "\r\n",
        "/",
        "<div",
        "<span",
        "<p",
        "<a",
        "<b",
        "<td",
        "<br",
        "<img",
        "<head>",
        "<body>",
        "</div>",
        "</span>",
        "</p>",
        "</a>",
        "</head>",
        "<DIV",
        "<Span",
        "<x-y",
        "<o:p>",
        "</o:p>",
        "<title>t</title>",
        "<script>s<p>x</script>",
        "<style>.x{display:none}</style>",
        "<style>#i{font-size:0}</style>",
        "<style>b{visibility:hidden}</style>",
        "<style>@media x{.c{opacity:0}}</style>",
        "<STYLE>",
        "</style",
        "<textarea>",
        " style=\"display:none\"",
        " style='display: none !important'",
        " style=display:none",
        " STYLE=\"DISPLAY:NONE\"",
        " style=\"font-size:.5px\"",
        " style=\"font-size:0\"",
        " style=\"opacity:1e-3\"",
        " style=\"opacity:0.5\"",
        " style=\"overflow:hidden;max-height:0\"",
        " style=\"color:red\"",
        " style=\"font-size:14px\"",
        " style=\"font-size:2em\"",
        " style=\"visibility:hidden\"",
        " style=\"visibility:visible\"",
        " style=\"font-size:medium;visibility:visible\"",
        "<style>.c{font-size:0}</style>",
        " style=\"",
        " style=",
        "style",
        " hidden",
        " HIDDEN",
        " hidden=\"\"",
        "hidden",
        " xhidden",
        " data-hidden",
        " class=x",
        " class=\"c x\"",
        " class=",
        " class",
        " id=i",
        " id=\"i \"",
        " ID=I",
        " iid=i",
        " href=\"bitcoin:1Abc?amount=1\"",
        " href=bitcoin:bc1q&amp;",
        " href='http://x'",
        " title=\"a>b\"",
        " title='x\"y'",
        "x=\"",
        "<!--",
        "-->",
        "<!-- c -->",
        "<!doctype html>",
        "<?xml?>",
        "<![CDATA[c]]>",
        "<!",
        "&amp;",
        "&amp",
        "&lt;",
        "&#233;",
        "&#x41;",
        "&#0;",
        "&#150;",
        "&nbsp;",
        "&foo;",
        "&",
        "&#",
        "&#x;",
        "&eacute",
        "é",
        "日",
        "€",
        "\u{A0}",
        "text",
        "Word",
        "a",
        "  x  ",
        "5 < 6",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
        #[test]
        fn soup_agrees_with_oracle(words in proptest::collection::vec(proptest::sample::select(SOUP), 0..64)) {
            let html = words.concat();
            let (a, b) = both(&html);
            proptest::prop_assert_eq!(a, b, "{:?}", html);
        }
    }

    const ATTR_WORDS: &[&str] = &[
        " ",
        "  ",
        "\t",
        "\n",
        "\r",
        "\x0B",
        "\x0C",
        "/",
        "=",
        " = ",
        "\"",
        "'",
        "style",
        "STYLE",
        "sTyle",
        "xstyle",
        "style-x",
        "hidden",
        "HIDDEN",
        "hiddenx",
        "xhidden",
        "hidde",
        "class",
        "id",
        "ID",
        "c",
        "x",
        "h",
        "s",
        "display:none",
        "display: none !important",
        "DISPLAY:NONE",
        "display:block",
        "visibility:hidden",
        "visibility: Collapse",
        "font-size:0",
        "font-size:.5px",
        "font-size: 12px",
        "font-size:Medium",
        "font-size:1.5rem",
        "font-size:2em",
        "font-size:14",
        "font-size:calc(14px)",
        "font-size:inherit",
        "visibility:visible",
        "visibility: VISIBLE !important",
        "font-size:1%",
        "font-size:15%",
        "font-size:0.09em",
        "opacity:1e-3",
        "opacity:0",
        "opacity:1",
        "overflow:hidden",
        "max-height:0",
        "height:1px",
        "width:0.5pt",
        "max-width:9%",
        ";",
        ":",
        "!important",
        "\u{A0}",
        "é",
        "\u{212A}",
        "İ",
        "日",
        "0",
        "1",
        "9",
        "px",
        "%",
        "n",
        "none",
        "None",
        "font - size",
        "dis play",
    ];

    const CSS: &[&str] = &[
        "",
        "<style>.c{display:none} #i{font-size:0} b{visibility:hidden}</style>",
        "<STYLE>@media x { .x { opacity: 0 } }</STYLE>",
    ];

    /// An [`Own`] as the fast scanner's effect bits (with `shows`, also
    /// what shows text again); hidden for good stands alone.
    fn own_bits(o: super::Own, shows: bool) -> u8 {
        use super::super::{FONT_SET, FONT_ZERO, HARD, VIS_HIDDEN, VIS_SHOWN};
        if o.hard {
            return HARD;
        }
        let pick = |v: Option<bool>, hide: u8, show: u8| match v {
            Some(true) => hide,
            Some(false) if shows => show,
            _ => 0,
        };
        pick(o.font_zero, FONT_ZERO, FONT_SET) | pick(o.vis_hidden, VIS_HIDDEN, VIS_SHOWN)
    }

    /// Effect bits with hidden for good standing alone.
    fn effect_bits(e: u8) -> u8 {
        use super::super::HARD;
        if e & HARD != 0 {
            HARD
        } else {
            e
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
        #[test]
        fn is_hidden_agrees_with_oracle(
            words in proptest::collection::vec(proptest::sample::select(ATTR_WORDS), 0..24),
            css in proptest::sample::select(CSS),
            tag in proptest::sample::select(&["b", "span", "div"][..]),
        ) {
            let attrs = words.concat();
            let fast_rules = super::super::collect_style_rules(css);
            let rules = super::collect_style_rules(css);
            let own = super::element_own(tag, &attrs, &rules);
            // Twice through one cache: the second answer comes from it.
            let mut cache = super::super::HiddenCache::new();
            for _ in 0..2 {
                proptest::prop_assert_eq!(
                    effect_bits(super::super::effect_cached(tag, &attrs, 0..attrs.len(), &fast_rules, false, &mut cache, None)),
                    own_bits(own, false),
                    "{:?}", attrs
                );
            }
            // The second time through a fresh attribute cache, the style
            // answer comes from the style cache.
            let mut styles = super::super::HiddenCache::new();
            for _ in 0..2 {
                let mut cache = super::super::HiddenCache::new();
                proptest::prop_assert_eq!(
                    effect_bits(super::super::effect_cached(tag, &attrs, 0..attrs.len(), &fast_rules, true, &mut cache, Some(&mut styles))),
                    own_bits(own, true),
                    "{:?}", attrs
                );
            }
        }

        #[test]
        fn style_effect_agrees_with_oracle(words in proptest::collection::vec(proptest::sample::select(ATTR_WORDS), 0..24)) {
            let css = words.concat();
            for shows in [false, true] {
                proptest::prop_assert_eq!(
                    effect_bits(super::super::style_effect(&css, shows)),
                    own_bits(super::style_own(&css), shows),
                    "{:?} {}", css, shows
                );
            }
        }

        #[test]
        fn style_hides_agrees_with_frozen(words in proptest::collection::vec(proptest::sample::select(ATTR_WORDS), 0..24)) {
            let css = words.concat();
            proptest::prop_assert_eq!(super::super::style_hides(&css), super::style_hides(&css), "{:?}", css);
        }

        #[test]
        fn find_ci_blocks_agrees_with_find_ci(
            words in proptest::collection::vec(proptest::sample::select(&[
                "<style", "<STYLE", "<sTyLe", "</style", "</STYLE", "<sty", "<s", "<", "y", "x",
                "<span", "</stylex", "0123456789abcdef", "é", "\u{212A}",
            ][..]), 0..40),
            from in 0usize..8,
        ) {
            let hay = words.concat();
            let from = from.min(hay.len());
            for needle in [&b"<style"[..], b"</style"] {
                proptest::prop_assert_eq!(
                    super::super::find_ci_blocks::<32>(hay.as_bytes(), from, needle),
                    super::find_ci(hay.as_bytes(), from, needle)
                );
            }
        }

        #[test]
        fn find_near_agrees_with_memchr(
            hay in proptest::collection::vec(proptest::sample::select(&[b'a', b'<', b';', 0x80, 0xFF, 0x00, 0x01][..]), 0..200),
            needle in proptest::sample::select(&[b'<', b';', 0x80, 0x00, 0x01, 0xFF][..]),
        ) {
            proptest::prop_assert_eq!(super::super::find_near(needle, &hay), memchr::memchr(needle, &hay));
        }

        #[test]
        fn push_text_agrees_with_oracle(words in proptest::collection::vec(proptest::sample::select(&[
            " ", "  ", "\n", "\r", "\t", "\x0B", "\x0C", "&", "&amp;", "&#10;", "&#32;", "&#9;",
            "&nbsp;", "a", "é", "日", "\u{A0}", "x y",
        ][..]), 1..16)) {
            let text = words.concat();
            let mut a = String::from("p");
            super::super::push_text(&text, &mut a);
            let mut b = String::from("p");
            super::push_text(&text, &mut b);
            proptest::prop_assert_eq!(a, b, "{:?}", text);
        }
    }

    #[test]
    fn hostile_agrees_with_oracle() {
        for html in [
            "<div><span>".repeat(20_000) + &"</p>".repeat(20_000),
            "&amp;&#233;&".repeat(20_000),
            "<a title=\"".to_string() + &"x>".repeat(20_000),
            "<p x='".repeat(5_000),
            "<span style=\"display:none\">a".repeat(1_000) + &"</span>b".repeat(1_000),
            "x ".repeat(50_000) + "\n\t y",
            "<style>".repeat(1_000),
            "<head>".repeat(1_000) + "<body>x",
        ] {
            let (a, b) = both(&html);
            assert_eq!(a, b);
        }
    }
}
