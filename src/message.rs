//! Raw bytes → the headers that matter and the visible text of every text
//! part. With [`crate::mime`] (the tree of parts), the only module that
//! knows about MIME and uses `mailparse`.
//!
//! Liberal in what it accepts: a message whose MIME structure is broken still
//! yields whatever text can be recovered, with a [`Note`] saying how.

use std::borrow::Cow;
use std::sync::LazyLock;

use crate::classifier::Limits;
use crate::html;
use crate::mime::{self, Part, Transfer};
use crate::swar;
use crate::verdict::{Meta, Note};

/// What the rest of the pipeline needs from a message.
#[derive(Debug, Default)]
pub(crate) struct Message {
    pub meta: Meta,
    /// Visible text of each text part, in document order.
    pub bodies: Vec<String>,
    pub notes: Vec<Note>,
    /// Elements with text hidden from the reader, over all HTML parts.
    pub hidden_elements: usize,
    /// `Authentication-Results` values, joined.
    pub auth_results: String,
    /// Bare lower-cased addresses of From and To.
    pub from_addr: Option<String>,
    pub to_addr: Option<String>,
}

struct Walk<'l> {
    limits: &'l Limits,
    parts_seen: usize,
    decoded_bytes: usize,
    text_bytes: usize,
    bodies_full: bool,
}

/// Parses `raw` into a [`Message`]. Never fails and never panics.
pub(crate) fn parse(raw: &[u8], limits: &Limits) -> Message {
    let mut msg = Message::default();
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        msg.notes.push(Note::Empty);
        return msg;
    }
    let mut walk = Walk {
        limits,
        parts_seen: 0,
        decoded_bytes: 0,
        text_bytes: 0,
        bodies_full: false,
    };

    if !looks_like_headers(raw) {
        msg.notes.push(Note::NotAnEmail);
        let text = decode_text(raw, None, &mut msg.notes);
        walk.add_text(&mut msg, &text, looks_like_html(&text));
        return msg;
    }
    // A first header line starting with whitespace makes mailparse give up.
    let start = raw
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let mut raw = &raw[start..];
    // The header section split once, as mailparse splits it; kept while
    // `raw` is unchanged.
    let mut split = split_headers(raw);
    let cut = match &split {
        Some((spans, _)) => cut_short_at(raw, spans),
        None => header_section_cut_short(raw),
    };
    let with_blank_line;
    if let Some(at) = cut {
        split = None;
        msg.notes.push(Note::MimeRecovered(
            "no blank line after the headers".into(),
        ));
        let eol: &[u8] = if raw[..at].ends_with(b"\r\n") {
            b"\r\n"
        } else {
            b"\n"
        };
        with_blank_line = [&raw[..at], eol, &raw[at..]].concat();
        raw = &with_blank_line;
    }
    let defused;
    if let Some((d, lines)) = defuse_encoded_word_floods(raw) {
        msg.notes.push(Note::MimeRecovered(format!(
            "{lines} over-long line(s) full of encoded-word markers were not RFC 2047 decoded"
        )));
        defused = d;
        raw = &defused;
        split = None;
    }
    // Real mail carries kilobytes of relay headers (Received, DKIM, ARC,
    // X-MS-Exchange-*: a third of the dev corpus by bytes) that nothing
    // here reads: only the headers read are parsed, here and in the MIME
    // tree. A header section mailparse rejects is rejected by both.
    let split = split.or_else(|| split_headers(raw));
    if let Some((spans, _)) = &split {
        read_header_list(&meta_headers(raw, spans), &mut msg);
    }
    let parsed = match split {
        Some(s) => mime::parse_split(raw, s),
        None => mime::parse(raw),
    };
    match parsed {
        Ok(mail) => {
            walk.part(&mail, &mut msg, 0);
            if msg.bodies.is_empty()
                && !body_of(raw).iter().all(u8::is_ascii_whitespace)
                && !msg.notes.iter().any(|n| matches!(n, Note::LimitReached(_)))
            {
                msg.notes.push(Note::MimeRecovered(
                    "no text part found; raw body scanned".into(),
                ));
                walk.raw_body(raw, &mut msg);
            }
        }
        Err(e) => {
            msg.notes.push(Note::MimeRecovered(e.to_string()));
            walk.raw_body(raw, &mut msg);
        }
    }
    msg
}

/// One header as mailparse's `parse_header` delimits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderSpan {
    /// The name: every byte before the first ':' (or the whole line).
    pub key: std::ops::Range<usize>,
    /// The whole header: name, value, folded lines and the line end.
    pub all: std::ops::Range<usize>,
}

/// The header section split as `mailparse::parse_headers` splits it, with
/// memchr instead of a byte-at-a-time state machine: the spans, and where
/// the body starts. `None` where mailparse returns an error (a header
/// starting with a space, a lone CR where a header should start).
pub(crate) fn split_headers(raw: &[u8]) -> Option<(Vec<HeaderSpan>, usize)> {
    let mut out = Vec::new();
    let mut ix = 0;
    loop {
        match raw.get(ix) {
            None => return Some((out, ix)),
            Some(b'\n') => return Some((out, ix + 1)),
            Some(b'\r') if raw.get(ix + 1) == Some(&b'\n') => return Some((out, ix + 2)),
            Some(b'\r' | b' ') => return None,
            Some(_) => {}
        }
        let (key_end, end) = match memchr::memchr2(b':', b'\n', &raw[ix..]) {
            // A name running to the end of the input.
            None => (raw.len(), raw.len()),
            // A line with no colon is a name with an empty value.
            Some(k) if raw[ix + k] == b'\n' => (ix + k, ix + k + 1),
            Some(k) => {
                // The value runs to a line end not followed by a space or tab.
                let mut from = ix + k + 1;
                let end = loop {
                    match memchr::memchr(b'\n', &raw[from..]) {
                        None => break raw.len(),
                        Some(n) if matches!(raw.get(from + n + 1), Some(b' ' | b'\t')) => {
                            from += n + 1;
                        }
                        Some(n) => break from + n + 1,
                    }
                };
                (ix + k, end)
            }
        };
        out.push(HeaderSpan {
            key: ix..key_end,
            all: ix..end,
        });
        ix = end;
    }
}

/// Top-level headers [`read_header_list`] reads (keep the two in step).
const META_HEADERS: [&[u8]; 7] = [
    b"subject",
    b"from",
    b"to",
    b"reply-to",
    b"message-id",
    b"date",
    b"authentication-results",
];

/// The headers of `spans` named in [`META_HEADERS`], in their order: what
/// [`read_header_list`] reads.
fn meta_headers<'a>(raw: &'a [u8], spans: &[HeaderSpan]) -> Vec<Header<'a>> {
    spans
        .iter()
        .filter(|h| {
            let key = &raw[h.key.clone()];
            META_HEADERS.iter().any(|k| key.eq_ignore_ascii_case(k))
        })
        .map(|h| Header::at(raw, h))
        .collect()
}

/// What is read of a header: its raw name and value, and mailparse's own
/// header for what only mailparse decodes (encoded words, addresses).
pub(crate) trait RawHeader {
    /// The name, as mailparse's `get_key_raw`.
    fn key_raw(&self) -> &[u8];
    /// The value, as mailparse's `get_value_raw`.
    fn value_raw(&self) -> &[u8];
    /// `f` of mailparse's parse of this header (`None` if it fails).
    fn with_mail<R>(&self, f: impl FnOnce(&mailparse::MailHeader<'_>) -> R) -> Option<R>;
}

impl RawHeader for mailparse::MailHeader<'_> {
    fn key_raw(&self) -> &[u8] {
        self.get_key_raw()
    }
    fn value_raw(&self) -> &[u8] {
        self.get_value_raw()
    }
    fn with_mail<R>(&self, f: impl FnOnce(&mailparse::MailHeader<'_>) -> R) -> Option<R> {
        Some(f(self))
    }
}

/// A header cut from a [`HeaderSpan`] without mailparse's byte-at-a-time
/// parser, which runs only when [`RawHeader::with_mail`] is asked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header<'a> {
    /// The input from the header's first byte.
    from: &'a [u8],
    key: &'a [u8],
    value: &'a [u8],
}

impl<'a> Header<'a> {
    /// The header `span` of `raw` (a span [`split_headers`] gave).
    pub(crate) fn at(raw: &'a [u8], span: &HeaderSpan) -> Header<'a> {
        let key = &raw[span.key.clone()];
        // As mailparse's `parse_header` delimits the value: past the colon
        // and the spaces after it, up to the last byte that is not CR or LF.
        let value = if raw.get(span.key.end) == Some(&b':') {
            let v = &raw[span.key.end + 1..span.all.end];
            let v = &v[v.iter().position(|&b| b != b' ').unwrap_or(v.len())..];
            let end = v
                .iter()
                .rposition(|&b| b != b'\r' && b != b'\n')
                .map_or(0, |i| i + 1);
            &v[..end]
        } else {
            &raw[span.key.end..span.key.end]
        };
        Header {
            from: &raw[span.all.start..],
            key,
            value,
        }
    }
}

impl RawHeader for Header<'_> {
    fn key_raw(&self) -> &[u8] {
        self.key
    }
    fn value_raw(&self) -> &[u8] {
        self.value
    }
    fn with_mail<R>(&self, f: impl FnOnce(&mailparse::MailHeader<'_>) -> R) -> Option<R> {
        mailparse::parse_header(self.from).ok().map(|(h, _)| f(&h))
    }
}

/// [`header_section_cut_short`] read off the spans of a header section
/// that mailparse accepts: the first header that is a line with no colon
/// or whose name (trailing blanks dropped) is empty or holds a space or
/// tab. A name starting with a tab is a continuation of the line before
/// it (only a line with no colon leaves one as a header of its own), and
/// an mbox `From ` line may open the section.
fn cut_short_at(raw: &[u8], spans: &[HeaderSpan]) -> Option<usize> {
    spans.iter().find_map(|h| {
        let key = &raw[h.key.clone()];
        let colon = raw.get(h.key.end) == Some(&b':');
        let name = key.trim_ascii_end();
        let exempt = key.first() == Some(&b'\t') || (h.all.start == 0 && key.starts_with(b"From "));
        let bad = !colon || name.is_empty() || name.iter().any(|b| matches!(b, b' ' | b'\t'));
        (bad && !exempt).then_some(h.all.start)
    })
}

/// Where the body starts when a line that cannot be a header (no colon, or
/// a name with spaces: prose) comes before any blank line. Mail clients show
/// such a message from that line on; mailparse takes every following line for
/// a header and loses the body, so the letter would go unread.
fn header_section_cut_short(raw: &[u8]) -> Option<usize> {
    let mut pos = 0;
    while pos < raw.len() {
        let end = memchr::memchr(b'\n', &raw[pos..]).map_or(raw.len(), |i| pos + i + 1);
        let line = &raw[pos..end];
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content.is_empty() {
            return None;
        }
        let continuation = matches!(content[0], b' ' | b'\t');
        let mbox_from = pos == 0 && content.starts_with(b"From ");
        if !continuation && !mbox_from {
            let name = memchr::memchr(b':', content).map(|c| content[..c].trim_ascii_end());
            match name {
                Some(n) if !n.is_empty() && !n.iter().any(|b| matches!(b, b' ' | b'\t')) => {}
                _ => return Some(pos),
            }
        }
        pos = end;
    }
    None
}

/// mailparse's RFC 2047 decoder calls `line.chars().nth(i)` for every `=?`
/// of a header line, and for every `?=` after one: its cost is about
/// markers × line length, quadratic for a line full of them (a 1 MB header
/// line of `=?` took minutes). A line with more markers than this has its
/// `=?` broken up before parsing, which bounds the decoder's work at about
/// 64 steps per byte and leaves that line's encoded words undecoded. Real
/// header lines carry a few encoded words each (RFC 5322 caps a line at 998
/// bytes, RFC 2047 a word at 75).
const MAX_MARKERS_PER_LINE: usize = 128;

/// Copies `raw` with every `=?` of marker-heavy lines turned into `= ?`,
/// or `None` when no line needs it; also returns how many lines changed.
/// Linear: only lines that contain a `=?` are counted.
fn defuse_encoded_word_floods(raw: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut out: Option<Vec<u8>> = None;
    let mut lines = 0;
    let (mut scanned, mut copied) = (0, 0);
    static CLOSE: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"?="));
    while let Some(i) = ENCODED_WORD_OPEN.find(&raw[scanned..]).map(|i| scanned + i) {
        let start = memchr::memrchr(b'\n', &raw[scanned..i]).map_or(scanned, |j| scanned + j + 1);
        let end = memchr::memchr(b'\n', &raw[i..]).map_or(raw.len(), |j| i + j);
        let line = &raw[start..end];
        // Markers start at distinct bytes ("=?=?" holds three): a line no
        // longer than the bound cannot exceed it and is not counted.
        if line.len() <= MAX_MARKERS_PER_LINE {
            scanned = end;
            continue;
        }
        let markers = ENCODED_WORD_OPEN.find_iter(line).count() + CLOSE.find_iter(line).count();
        if markers > MAX_MARKERS_PER_LINE {
            let o = out.get_or_insert_with(|| Vec::with_capacity(raw.len() + line.len() / 2));
            o.extend_from_slice(&raw[copied..start]);
            let mut last = 0;
            for k in ENCODED_WORD_OPEN.find_iter(line) {
                o.extend_from_slice(&line[last..=k]);
                o.push(b' ');
                last = k + 1;
            }
            o.extend_from_slice(&line[last..]);
            copied = end;
            lines += 1;
        }
        scanned = end;
    }
    out.map(|mut o| {
        o.extend_from_slice(&raw[copied..]);
        (o, lines)
    })
}

/// True when the input starts like a header section: `Name: value`, or an
/// mbox `From ` line.
fn looks_like_headers(raw: &[u8]) -> bool {
    let start = raw
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let line_end = memchr::memchr(b'\n', &raw[start..]).map_or(raw.len(), |i| start + i);
    let line = &raw[start..line_end];
    if line.starts_with(b"From ") {
        return true;
    }
    match memchr::memchr(b':', line) {
        Some(colon) if colon > 0 => line[..colon]
            .iter()
            .all(|b| b.is_ascii_graphic() && *b != b':'),
        _ => false,
    }
}

fn body_of(raw: &[u8]) -> &[u8] {
    memchr::memmem::find(raw, b"\n\n")
        .map(|i| i + 2)
        .or_else(|| memchr::memmem::find(raw, b"\r\n\r\n").map(|i| i + 4))
        .map_or(&raw[raw.len()..], |i| &raw[i..])
}

/// Every header read here must be in [`META_HEADERS`]: [`parse`] hands
/// over only those.
fn read_header_list<H: RawHeader>(headers: &[H], msg: &mut Message) {
    read_meta(find_meta(headers), msg);
}

/// Index of Authentication-Results in [`META_HEADERS`], the one header read
/// in every copy; the others are read in their first.
const AUTH: usize = META_HEADERS.len() - 1;

/// The headers [`read_meta`] reads: the first of each name in
/// [`META_HEADERS`] before [`AUTH`], in that order, and every
/// Authentication-Results.
type MetaHeaders<'h, H> = ([Option<&'h H>; AUTH], Vec<&'h H>);

/// The [`MetaHeaders`], found in one pass over the raw names. As
/// mailparse's `get_first_header` finds them: it compares each name,
/// decoded as Latin-1, with the one asked ignoring ASCII case, which a name
/// with a non-ASCII byte never matches; but it decodes every name again for
/// every name asked.
fn find_meta<H: RawHeader>(headers: &[H]) -> MetaHeaders<'_, H> {
    let mut first = [None; AUTH];
    let mut auth = Vec::new();
    for h in headers {
        let key = h.key_raw();
        let Some(i) = META_HEADERS
            .iter()
            .position(|k| key.eq_ignore_ascii_case(k))
        else {
            continue;
        };
        if i == AUTH {
            auth.push(h);
        } else if first[i].is_none() {
            first[i] = Some(h);
        }
    }
    (first, auth)
}

/// The message's metadata from its [`MetaHeaders`].
fn read_meta<H: RawHeader>((first, auth): MetaHeaders<'_, H>, msg: &mut Message) {
    let [subject, from, to, reply_to, message_id, date] = first;
    let get = |h: Option<&H>| {
        h.map(|h| value_of(h).trim().to_string())
            .filter(|v| !v.is_empty())
    };
    msg.meta.subject = get(subject).map(|s| decode_stray_encoded_words(&s));
    msg.meta.from = get(from);
    msg.meta.to = get(to);
    msg.meta.reply_to = get(reply_to);
    msg.meta.message_id = get(message_id).map(|m| m.trim_matches(['<', '>', ' ']).to_string());
    msg.meta.date = get(date);
    msg.meta.date_utc = msg
        .meta
        .date
        .as_deref()
        .and_then(|d| mailparse::dateparse(d).ok())
        .and_then(rfc3339);
    msg.from_addr = from.and_then(bare_address);
    msg.to_addr = to.and_then(bare_address);
    msg.auth_results = auth
        .into_iter()
        .map(value_of)
        .collect::<Vec<_>>()
        .join("; ");
}

/// A header value as mailparse's `get_value` gives it, through
/// [`plain_value`] when that applies.
pub(crate) fn value_of<H: RawHeader>(h: &H) -> Cow<'_, str> {
    plain_value(h).unwrap_or_else(|| Cow::Owned(h.with_mail(|m| m.get_value()).unwrap_or_default()))
}

/// mailparse's `get_value` of a header that needs no decoding (UTF-8, no
/// encoded word), without its tokenizer (a few thousand instructions a
/// header): with no encoded word the tokens come back as they were, each
/// line's leading whitespace dropped and the folded lines joined by one
/// space. Borrowed for the common one-line value.
fn plain_value<H: RawHeader>(h: &H) -> Option<Cow<'_, str>> {
    let v = std::str::from_utf8(h.value_raw()).ok()?;
    if has_encoded_word_marker(v.as_bytes()) {
        return None;
    }
    // `lines` (what mailparse splits on) also drops a final '\r'.
    if memchr::memchr(b'\n', v.as_bytes()).is_none() && !v.ends_with('\r') {
        return Some(Cow::Borrowed(v.trim_start()));
    }
    Some(Cow::Owned(
        v.lines().map(str::trim_start).collect::<Vec<_>>().join(" "),
    ))
}

/// `=?`, which may open an encoded word: one searcher built once, for the
/// flood defusing and the header fast paths (building one per header value
/// cost more than the search).
static ENCODED_WORD_OPEN: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"=?"));

/// Whether `b` holds `=?`.
fn has_encoded_word_marker(b: &[u8]) -> bool {
    ENCODED_WORD_OPEN.find(b).is_some()
}

/// Decodes RFC 2047 encoded words that mailparse leaves alone because they
/// are glued to other text (`pot.=?UTF-8?B?...?=`), as mail clients do.
fn decode_stray_encoded_words(s: &str) -> String {
    if !has_encoded_word_marker(s.as_bytes()) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("=?") {
        out.push_str(&rest[..i]);
        let word = &rest[i..];
        // =?charset?enc?text?=
        let parts: Vec<&str> = word[2..].splitn(3, '?').collect();
        let decoded = (parts.len() == 3)
            .then(|| {
                parts[2]
                    .find("?=")
                    .map(|e| (parts[0], parts[1], &parts[2][..e]))
            })
            .flatten()
            .and_then(|(cs, enc, text)| {
                let bytes = match enc {
                    "B" | "b" => base64_lenient(text.as_bytes()),
                    "Q" | "q" => qp_lenient(text.replace('_', " ").as_bytes()),
                    _ => return None,
                };
                let consumed = 2 + cs.len() + 1 + enc.len() + 1 + text.len() + 2;
                let enc =
                    encoding_rs::Encoding::for_label(cs.split('*').next().unwrap_or("").as_bytes())
                        .unwrap_or(encoding_rs::UTF_8);
                Some((
                    enc.decode_without_bom_handling(&bytes).0.into_owned(),
                    consumed,
                ))
            });
        match decoded {
            Some((text, consumed)) => {
                out.push_str(&text);
                rest = &word[consumed..];
                // Whitespace between adjacent encoded words is not displayed.
                let trimmed = rest.trim_start();
                if trimmed.starts_with("=?") {
                    rest = trimmed;
                }
            }
            None => {
                out.push_str("=?");
                rest = &word[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn bare_address<H: RawHeader>(h: &H) -> Option<String> {
    if let Some(a) = plain_value(h).and_then(|v| simple_address(&v).map(str::to_ascii_lowercase)) {
        return Some(a);
    }
    if let Some(a) = encoded_name_address(h.value_raw()) {
        return Some(a.to_ascii_lowercase());
    }
    let list = h.with_mail(mailparse::addrparse_header)?.ok()?;
    list.iter().find_map(|a| match a {
        mailparse::MailAddr::Single(s) => Some(s.addr.trim().to_ascii_lowercase()),
        mailparse::MailAddr::Group(g) => {
            g.addrs.first().map(|s| s.addr.trim().to_ascii_lowercase())
        }
    })
}

/// The address of the most common From and To values, `a@b.example`,
/// `<a@b.example>`, `Plain Name <a@b.example>` and `"Any, name" <a@b.example>`, as mailparse's address
/// parser reads them; `None` for anything else (quotes, comments, groups,
/// lists), which goes to that parser.
fn simple_address(v: &str) -> Option<&str> {
    let addr_ok = |a: &str| {
        a.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'))
            && a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'@' | b'.' | b'-' | b'_' | b'+'))
    };
    let v = v.trim();
    let (name, addr) = match v.strip_suffix('>') {
        Some(rest) => {
            let open = rest.rfind('<')?;
            (&rest[..open], &rest[open + 1..])
        }
        None => ("", v),
    };
    // A name of words (no specials, no controls), or one quoted string without
    // quotes or backslashes inside.
    let plain = |n: &str| {
        n.bytes()
            .all(|b| b >= 0x80 || (b' '..=b'~').contains(&b) && !b"\"(),:;<>@[\\]".contains(&b))
    };
    let name = name.trim_end();
    let name_ok = plain(name)
        || name
            .strip_prefix('"')
            .and_then(|n| n.strip_suffix('"'))
            .is_some_and(|inner| !inner.contains(['"', '\\']));
    (addr_ok(addr) && name_ok).then_some(addr)
}

/// The address of a one-line ASCII value `Name <a@b.example>` whose name
/// holds encoded words (`=?UTF-8?B?…?= <a@b.example>`, a fifth of the From
/// headers of the dev corpus), as mailparse's address parser reads it:
/// `None` for anything else. The name's bytes are letters, digits, blanks
/// and `=?_.!*+-/`, none of which changes that parser's state before the
/// `<` whether an encoded word decodes (it is then one token, whatever it
/// holds) or not (it is then read character by character), so the address
/// is what the brackets hold, as in [`simple_address`].
fn encoded_name_address(v: &[u8]) -> Option<&str> {
    let v = std::str::from_utf8(v).ok()?.trim();
    let open = v.strip_suffix('>')?.rfind('<')?;
    let name = &v.as_bytes()[..open];
    let safe = |b: &u8| b.is_ascii_alphanumeric() || b" \t=?_.!*+-/".contains(b);
    (name.iter().all(safe) && has_encoded_word_marker(name))
        .then(|| simple_address(&v[open..]))
        .flatten()
}

/// Unix seconds → `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, Howard
/// Hinnant's days-from-civil inverse).
pub(crate) fn rfc3339(t: i64) -> Option<String> {
    if !(0..=253_402_300_799).contains(&t) {
        return None;
    }
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    // Written digit by digit: `format!` cost more than the date parse.
    let mut out = String::with_capacity(20);
    let mut digits = |v: i64, n: u32, after: char| {
        for k in (0..n).rev() {
            out.push(char::from(b'0' + (v / 10i64.pow(k) % 10) as u8));
        }
        out.push(after);
    };
    digits(y, 4, '-');
    digits(m, 2, '-');
    digits(d, 2, 'T');
    digits(secs / 3600, 2, ':');
    digits(secs / 60 % 60, 2, ':');
    digits(secs % 60, 2, 'Z');
    Some(out)
}

impl Walk<'_> {
    fn part(&mut self, p: &Part<'_>, msg: &mut Message, depth: usize) {
        self.parts_seen += 1;
        if self.parts_seen > self.limits.max_parts {
            if self.parts_seen == self.limits.max_parts + 1 {
                msg.notes.push(Note::LimitReached(format!(
                    "more than {} MIME parts; the rest were not examined",
                    self.limits.max_parts
                )));
            }
            return;
        }
        if depth > self.limits.max_depth {
            msg.notes.push(Note::LimitReached(format!(
                "MIME nesting deeper than {}; deeper parts were not examined",
                self.limits.max_depth
            )));
            return;
        }
        let mime = p.mimetype.as_str();
        if mime.starts_with("multipart/") {
            if p.subparts.is_empty() {
                // Boundary missing or malformed: split by hand.
                self.recover_multipart(p, msg, depth);
            }
            for sp in &p.subparts {
                self.part(sp, msg, depth + 1);
            }
            return;
        }
        if mime == "message/rfc822" || mime == "message/global" {
            let Some(mut body) = self.decoded_body(p, msg) else {
                return;
            };
            if let Some((d, _)) = defuse_encoded_word_floods(&body) {
                body = Cow::Owned(d);
            }
            match mime::parse(&body) {
                Ok(inner) => {
                    // The attached message's subject is text the victim reads too.
                    if let Some(s) = inner.first_value("Subject") {
                        self.add_text(msg, &s, false);
                    }
                    self.part(&inner, msg, depth + 1);
                }
                Err(_) => {
                    let text = decode_text(&body, None, &mut msg.notes);
                    self.add_text(msg, &text, looks_like_html(&text));
                }
            }
            return;
        }
        let is_html = mime == "text/html";
        let is_text = mime == "text/plain"
            || is_html
            || (mime.starts_with("text/")
                && !matches!(
                    mime,
                    "text/css" | "text/calendar" | "text/csv" | "text/x-vcard" | "text/vcard"
                ));
        if !is_text {
            return;
        }
        let Some(body) = self.decoded_body(p, msg) else {
            return;
        };
        let charset = p.charset.as_deref();
        let text = decode_text(&body, charset, &mut msg.notes);
        self.add_text(
            msg,
            &text,
            is_html || (mime == "text/plain" && looks_like_html(&text)),
        );
    }

    /// Transfer-decodes a part's body, leniently, within the byte budget.
    /// Borrowed where the body needs no transfer decoding (7bit, 8bit,
    /// binary): most text parts are then never copied before HTML reduction.
    fn decoded_body<'p>(&mut self, p: &'p Part<'p>, msg: &mut Message) -> Option<Cow<'p, [u8]>> {
        let remaining = self
            .limits
            .max_decoded_bytes
            .saturating_sub(self.decoded_bytes);
        if remaining == 0 {
            msg.notes.push(Note::LimitReached(format!(
                "more than {} bytes decoded; a part was not examined",
                self.limits.max_decoded_bytes
            )));
            return None;
        }
        let mut body: Cow<'p, [u8]> = match p.transfer {
            Transfer::Base64 => Cow::Owned(base64_lenient(p.body)),
            Transfer::QuotedPrintable => Cow::Owned(qp_decode_robust(p.body)),
            Transfer::Identity => Cow::Borrowed(p.body),
        };
        if body.len() > remaining {
            msg.notes.push(Note::LimitReached(format!(
                "decoded text over {} bytes; the rest was not examined",
                self.limits.max_decoded_bytes
            )));
            match &mut body {
                Cow::Borrowed(b) => *b = &b[..remaining],
                Cow::Owned(v) => v.truncate(remaining),
            }
        }
        self.decoded_bytes += body.len();
        Some(body)
    }

    fn add_text(&mut self, msg: &mut Message, text: &str, is_html: bool) {
        let mut visible = String::with_capacity(text.len().min(1 << 20));
        if is_html {
            let st = html::visible_text(text, &mut visible);
            msg.hidden_elements += st.hidden_elements;
        } else {
            html::decode_entities(text, &mut visible);
        }
        let room = self.limits.max_text_bytes.saturating_sub(self.text_bytes);
        if visible.len() > room {
            let mut cut = room;
            while !visible.is_char_boundary(cut) {
                cut -= 1;
            }
            visible.truncate(cut);
            msg.notes.push(Note::LimitReached(format!(
                "visible text over {} bytes; the rest was not matched",
                self.limits.max_text_bytes
            )));
        }
        self.text_bytes += visible.len();
        if !visible.trim().is_empty() {
            if msg.bodies.len() < u16::MAX as usize {
                msg.bodies.push(visible);
            } else if !self.bodies_full {
                self.bodies_full = true;
                msg.notes.push(Note::LimitReached(
                    "more than 65,535 text parts; the rest were not matched".into(),
                ));
            }
        }
    }

    /// A multipart whose boundary parameter is broken: find the delimiter
    /// lines ourselves and parse each chunk as a part.
    fn recover_multipart(&mut self, p: &Part<'_>, msg: &mut Message, depth: usize) {
        // Where mailparse's header parsing ends, not a search for a blank
        // line: with mixed line ends the two differ.
        let body = match split_headers(p.raw) {
            Some((_, at)) => &p.raw[at..],
            None => body_of(p.raw),
        };
        let Some(boundary) = guess_boundary(body) else {
            let text = decode_text(body, None, &mut msg.notes);
            if !text.trim().is_empty() {
                msg.notes.push(Note::MimeRecovered(
                    "multipart without usable boundary".into(),
                ));
                self.add_text(msg, &text, looks_like_html(&text));
            }
            return;
        };
        msg.notes.push(Note::MimeRecovered(
            "multipart boundary recovered from the body".into(),
        ));
        let delim = [b"--".as_slice(), boundary.as_slice()].concat();
        for chunk in split_on_lines(body, &delim) {
            let chunk = chunk.strip_prefix(b"--").unwrap_or(chunk);
            let chunk = trim_leading_newline(chunk);
            if chunk.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if let Ok(sp) = mime::parse(chunk) {
                self.part(&sp, msg, depth + 1);
            }
        }
    }

    /// The message could not be parsed at all: scan what follows the header
    /// section, splitting on anything that looks like a MIME delimiter.
    fn raw_body(&mut self, raw: &[u8], msg: &mut Message) {
        let body = body_of(raw);
        let body = if body.is_empty() { raw } else { body };
        if let Some(boundary) = guess_boundary(body) {
            let delim = [b"--".as_slice(), boundary.as_slice()].concat();
            for chunk in split_on_lines(body, &delim) {
                let chunk = trim_leading_newline(chunk.strip_prefix(b"--").unwrap_or(chunk));
                if chunk.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                // Hand-split chunks are parts too: without this bound a
                // message mailparse rejects could hide its letter after
                // 65,535 filler chunks.
                self.parts_seen += 1;
                if self.parts_seen > self.limits.max_parts {
                    msg.notes.push(Note::LimitReached(format!(
                        "more than {} MIME parts; the rest were not examined",
                        self.limits.max_parts
                    )));
                    break;
                }
                // Each chunk: headers (maybe) + body; decode what we can.
                let part = sniff_part(chunk);
                if part.attachment {
                    continue;
                }
                let payload = &chunk[part.body..];
                let bytes = if part.base64 {
                    base64_lenient(payload)
                } else if part.qp {
                    qp_lenient(payload)
                } else {
                    payload.to_vec()
                };
                let text = decode_text(&bytes, part.charset.as_deref(), &mut msg.notes);
                self.add_text(msg, &text, part.html || looks_like_html(&text));
            }
        } else {
            let text = decode_text(body, None, &mut msg.notes);
            self.add_text(msg, &text, looks_like_html(&text));
        }
    }
}

fn trim_leading_newline(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\r").unwrap_or(b);
    b.strip_prefix(b"\n").unwrap_or(b)
}

/// Guesses a MIME boundary: the most common `--token` line.
fn guess_boundary(body: &[u8]) -> Option<Vec<u8>> {
    let mut best: Option<(&[u8], usize)> = None;
    let mut counts: Vec<(&[u8], usize)> = Vec::new();
    for line in body.split(|&b| b == b'\n').take(100_000) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.len() > 2 && line.len() < 200 && line.starts_with(b"--") {
            let tok = line[2..].strip_suffix(b"--").unwrap_or(&line[2..]);
            // Not a rule of dashes, not prose; `----=_Part_1` and `b1` are
            // boundaries.
            if tok.is_empty()
                || tok.iter().all(|&b| b == b'-')
                || tok.iter().any(u8::is_ascii_whitespace)
            {
                continue;
            }
            if let Some(c) = counts.iter_mut().find(|(t, _)| *t == tok) {
                c.1 += 1;
            } else if counts.len() < 64 {
                counts.push((tok, 1));
            }
        }
    }
    for &(t, c) in &counts {
        if c >= 2 && best.is_none_or(|(_, bc)| c > bc) {
            best = Some((t, c));
        }
    }
    best.map(|(t, _)| t.to_vec())
}

/// Splits `body` at lines starting with `delim`, returning the chunks
/// between them (the delimiter line's remainder starts each chunk).
fn split_on_lines<'a>(body: &'a [u8], delim: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut starts = Vec::new();
    let mut i = 0;
    while let Some(j) = memchr::memmem::find(&body[i..], delim) {
        let at = i + j;
        if at == 0 || body[at - 1] == b'\n' {
            starts.push(at);
        }
        i = at + delim.len();
    }
    for (k, &s) in starts.iter().enumerate() {
        let from = s + delim.len();
        let to = starts.get(k + 1).copied().unwrap_or(body.len());
        out.push(&body[from..to]);
    }
    out
}

/// What the little header block of a hand-split part declares.
struct Sniffed {
    /// Where the payload starts (0: the chunk has no header block).
    body: usize,
    base64: bool,
    qp: bool,
    charset: Option<String>,
    html: bool,
    /// The part declares a type a mail client shows as an attachment
    /// (`application/pdf`, `image/png`, ...), not as text: decoding a PDF as
    /// windows-1252 would match garbage and cost milliseconds.
    attachment: bool,
}

/// Reads the little header block of a hand-split part.
fn sniff_part(chunk: &[u8]) -> Sniffed {
    let Some(end) = body_start(chunk) else {
        return Sniffed {
            body: 0,
            base64: false,
            qp: false,
            charset: None,
            html: false,
            attachment: false,
        };
    };
    let head = String::from_utf8_lossy(&chunk[..end]).to_ascii_lowercase();
    let base64 = head.contains("content-transfer-encoding: base64")
        || head.contains("content-transfer-encoding:base64");
    let qp = head.contains("quoted-printable");
    let html = head.contains("text/html");
    let charset = head.find("charset=").map(|i| {
        head[i + 8..]
            .trim_start_matches(['"', '\''])
            .split(|c: char| c == '"' || c == '\'' || c == ';' || c.is_whitespace())
            .next()
            .unwrap_or("")
            .to_string()
    });
    let attachment = head
        .lines()
        .filter_map(|l| l.strip_prefix("content-type:"))
        .next()
        .map(str::trim_start)
        .is_some_and(|t| {
            !(t.is_empty()
                || t.starts_with("text/")
                || t.starts_with("multipart/")
                || t.starts_with("message/"))
        });
    Sniffed {
        body: end,
        base64,
        qp,
        charset,
        html,
        attachment,
    }
}

/// Where the body of a chunk starts, if it begins with header lines.
fn body_start(chunk: &[u8]) -> Option<usize> {
    if !looks_like_headers(chunk) {
        return None;
    }
    let a = memchr::memmem::find(chunk, b"\n\n").map(|i| i + 2);
    let b = memchr::memmem::find(chunk, b"\r\n\r\n").map(|i| i + 4);
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

pub(crate) fn looks_like_html(text: &str) -> bool {
    let head = &text.as_bytes()[..text.len().min(4096)];
    // Every marker starts with '<': test each '<' of the head in place
    // rather than lower-casing a copy and running eight searches.
    const MARKERS: [&[u8]; 8] = [
        b"<html",
        b"<body",
        b"<div",
        b"<p>",
        b"<br",
        b"<table",
        b"<span",
        b"<!doctype",
    ];
    memchr::memchr_iter(b'<', head).any(|i| {
        MARKERS
            .iter()
            .any(|m| head.len() - i >= m.len() && head[i..i + m.len()].eq_ignore_ascii_case(m))
    })
}

/// Bytes → UTF-8 text. Valid UTF-8 is taken as UTF-8 whatever the label says
/// (undeclared UTF-8 is common); otherwise the declared charset is used; an
/// unknown or missing charset falls back to windows-1252, which maps every byte.
fn decode_text<'b>(bytes: &'b [u8], charset: Option<&str>, notes: &mut Vec<Note>) -> Cow<'b, str> {
    let label = charset.map(|c| c.trim().trim_matches(['"', '\'']).to_ascii_lowercase());
    let enc = label
        .as_deref()
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()));
    // Stateful 7-bit encodings (ISO-2022-JP) look like ASCII: honour the label.
    let stateful = enc.is_some_and(|e| e == encoding_rs::ISO_2022_JP) && bytes.contains(&0x1B);
    if !stateful {
        // Valid UTF-8 is borrowed as is. encoding_rs checks with SIMD
        // (simdutf8, AVX2 when the CPU has it): a few times faster than
        // `std::str::from_utf8` on the megabytes of every text part.
        if let Some(Cow::Borrowed(s)) =
            encoding_rs::UTF_8.decode_without_bom_handling_and_without_replacement(bytes)
        {
            return Cow::Borrowed(s);
        }
    }
    match enc {
        Some(e) => e.decode_without_bom_handling(bytes).0,
        None => {
            if let Some(l) = label.filter(|l| !l.is_empty() && l != "us-ascii") {
                if notes.len() < 32 {
                    notes.push(Note::UnknownCharset(l.chars().take(40).collect()));
                }
            }
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// Base64 that never fails: non-alphabet bytes are skipped, padding and a
/// trailing partial quantum are tolerated (broken base64 must not lose the
/// whole part).
pub(crate) fn base64_lenient(input: &[u8]) -> Vec<u8> {
    /// The 6-bit value of each byte; `SKIP` for bytes outside the alphabet,
    /// `PAD` for '='.
    const SKIP: u8 = 0xFF;
    const PAD: u8 = 0xFE;
    const TABLE: [u8; 256] = {
        let mut t = [SKIP; 256];
        let mut i = 0;
        while i < 26 {
            t[b'A' as usize + i] = i as u8;
            t[b'a' as usize + i] = 26 + i as u8;
            i += 1;
        }
        let mut d = 0;
        while d < 10 {
            t[b'0' as usize + d] = 52 + d as u8;
            d += 1;
        }
        t[b'+' as usize] = 62;
        t[b'-' as usize] = 62;
        t[b'/' as usize] = 63;
        t[b'_' as usize] = 63;
        t[b'=' as usize] = PAD;
        t
    };
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let mut acc = 0u32;
    let mut n = 0;
    let mut i = 0;
    while i < input.len() {
        // Four alphabet bytes on a quantum boundary, the bulk of any body:
        // three bytes out at once.
        if n == 0 {
            if let Some(&[a, b, c, d]) = input.get(i..i + 4) {
                let (a, b, c, d) = (
                    TABLE[a as usize],
                    TABLE[b as usize],
                    TABLE[c as usize],
                    TABLE[d as usize],
                );
                if (a | b | c | d) < 64 {
                    let q = (a as u32) << 18 | (b as u32) << 12 | (c as u32) << 6 | d as u32;
                    out.extend_from_slice(&[(q >> 16) as u8, (q >> 8) as u8, q as u8]);
                    i += 4;
                    continue;
                }
            }
        }
        let v = TABLE[input[i] as usize];
        i += 1;
        match v {
            SKIP => {}
            PAD => {
                // Padding ends a quantum; flush what it holds.
                flush(&mut out, acc, n);
                acc = 0;
                n = 0;
            }
            _ => {
                acc = (acc << 6) | v as u32;
                n += 1;
                if n == 4 {
                    out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
                    acc = 0;
                    n = 0;
                }
            }
        }
    }
    flush(&mut out, acc, n);
    out
}

fn flush(out: &mut Vec<u8>, acc: u32, n: u32) {
    match n {
        2 => out.push((acc >> 4) as u8),
        3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => {}
    }
}

/// Quoted-printable exactly as mailparse decodes it (`quoted_printable`
/// 0.5, `ParseMode::Robust`: bytes other than printable ASCII, tab, CR and
/// LF dropped; each line's trailing whitespace dropped; lines rejoined with
/// CRLF; a bad escape kept as written), in one pass: that crate collects a
/// `String` char by char and splits it into lines first, which made it the
/// costliest step of the pipeline on QP-heavy mail. `tests` checks it
/// against mailparse's own decoder.
/// Hex digit values, 0xFF for other bytes.
const HEX: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

pub(crate) fn qp_decode_robust(input: &[u8]) -> Vec<u8> {
    let keep = |c: u8| matches!(c, b'\t' | b'\r' | b'\n' | b' '..=b'~');
    // Checked a block at a time without early exit inside a block, which
    // the compiler vectorises.
    let clean = input
        .chunks(1024)
        .all(|b| b.iter().fold(true, |ok, &c| ok & keep(c)));
    let filtered;
    let f: &[u8] = if clean {
        input
    } else {
        filtered = input
            .iter()
            .copied()
            .filter(|&c| keep(c))
            .collect::<Vec<u8>>();
        &filtered
    };
    // One pass. A line break becomes CRLF unless the line (its trailing
    // whitespace dropped) ends in a soft-break '='. Trailing whitespace is
    // written and taken back at the line end, down to `guard`: the output
    // length after the last line break or escape (decoded "=20" stays).
    let is_ws = |c: u8| matches!(c, b' ' | b'\t' | b'\r');
    let strip = |out: &mut Vec<u8>, guard: usize| {
        while out.len() > guard && out.last().is_some_and(|&c| is_ws(c)) {
            out.pop();
        }
    };
    let mut out = Vec::with_capacity(f.len());
    let mut guard = 0;
    // The current line's end and its end with trailing whitespace dropped,
    // found at its first '=' (escapes look at the stripped line).
    let mut line: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < f.len() {
        // Plain bytes, 8 at a time: all 8 are written, then the length is
        // set back to the first '=' or '\n' among them. Runs are short in
        // QP (an escape every few bytes of HTML), and a fixed-size copy
        // with no search call mispredicts less than memchr2 + memcpy did.
        while i + 8 <= f.len() {
            let x = swar::load(f, i);
            let m = swar::eq_byte(x, b'=') | swar::eq_byte(x, b'\n');
            out.extend_from_slice(&x.to_le_bytes());
            if m != 0 {
                let k = swar::first_lane(m);
                out.truncate(out.len() - 8 + k);
                i += k;
                break;
            }
            i += 8;
        }
        if i + 8 > f.len() {
            let run = memchr::memchr2(b'=', b'\n', &f[i..]).unwrap_or(f.len() - i);
            out.extend_from_slice(&f[i..i + run]);
            i += run;
        }
        if i == f.len() {
            break;
        }
        if f[i] == b'\n' {
            strip(&mut out, guard);
            out.extend_from_slice(b"\r\n");
            guard = out.len();
            line = None;
            i += 1;
            continue;
        }
        // "=XX" with two hex digits, the bulk of escapes: decoded without
        // looking for the line's end (two digits before it mean it is no
        // soft break and not cut short).
        // And "=" right before the line break, the soft break ending most
        // lines: both line end and '=' vanish.
        match f.get(i + 1..i + 3) {
            Some(&[u, l]) if HEX[u as usize] | HEX[l as usize] < 16 => {
                out.push(HEX[u as usize] << 4 | HEX[l as usize]);
                i += 3;
                guard = out.len();
                continue;
            }
            Some(&[b'\r', b'\n']) => {
                i += 3;
                line = None;
                guard = out.len();
                continue;
            }
            _ => {}
        }
        let (end, stripped) = *line.get_or_insert_with(|| {
            let end = memchr::memchr(b'\n', &f[i..]).map_or(f.len(), |j| i + j);
            let mut s = end;
            while s > i && is_ws(f[s - 1]) {
                s -= 1;
            }
            (end, s)
        });
        if i + 1 >= stripped {
            // A soft line break: the line end and what precedes it vanish.
            i = if end < f.len() { end + 1 } else { end };
            line = None;
        } else if i + 2 >= stripped {
            // '=' and one character ending the line: kept as written.
            out.extend_from_slice(&f[i..i + 2]);
            i = end;
        } else {
            let (u, l) = (f[i + 1], f[i + 2]);
            if u.is_ascii_hexdigit() && l.is_ascii_hexdigit() {
                let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                out.push(hex(u) << 4 | hex(l));
            } else {
                out.extend_from_slice(&f[i..i + 3]);
            }
            i += 3;
        }
        guard = out.len();
    }
    strip(&mut out, guard);
    out
}

/// Quoted-printable that never fails: a bad escape is kept as written.
pub(crate) fn qp_lenient(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'=' {
            match (input.get(i + 1), input.get(i + 2)) {
                (Some(b'\r'), Some(b'\n')) => {
                    i += 3;
                    continue;
                }
                (Some(b'\n'), _) => {
                    i += 2;
                    continue;
                }
                (Some(&h), Some(&l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                    let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                    out.push(hex(h) << 4 | hex(l));
                    i += 3;
                    continue;
                }
                _ => {}
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(raw: &str) -> Message {
        parse(raw.as_bytes(), &Limits::default())
    }

    #[test]
    fn simple_plain() {
        let m = p("From: a@x.org\nTo: b@y.org\nSubject: Hi\nMessage-ID: <1@x>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\nHello there");
        assert_eq!(m.bodies, vec!["Hello there"]);
        assert_eq!(m.meta.subject.as_deref(), Some("Hi"));
        assert_eq!(m.meta.message_id.as_deref(), Some("1@x"));
        assert_eq!(m.meta.date_utc.as_deref(), Some("2024-01-01T10:00:00Z"));
        assert_eq!(m.from_addr.as_deref(), Some("a@x.org"));
    }

    #[test]
    fn rfc2047_subject() {
        let m = p("Subject: =?UTF-8?B?w4lsw6h2ZQ==?=\n\nx");
        assert_eq!(m.meta.subject.as_deref(), Some("Élève"));
    }

    #[test]
    fn glued_encoded_word() {
        let m = p("Subject: pot.=?UTF-8?B?w4lsw6h2ZQ==?= x =?utf-8?q?caf=C3=A9_au?= =?utf-8?q?_lait?=\n\nx");
        assert_eq!(m.meta.subject.as_deref(), Some("pot.Élève x café au lait"));
        assert_eq!(decode_stray_encoded_words("a =?bad"), "a =?bad");
        assert_eq!(decode_stray_encoded_words("=?x?Z?abc?="), "=?x?Z?abc?=");
    }

    #[test]
    fn multipart_b64_qp_html() {
        let raw = "Content-Type: multipart/alternative; boundary=\"b\"\n\n--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\naGVsbG8gd29y\nbGQ=\n--b\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n<p>caf=E9 =\nau lait</p>\n--b--\n";
        let m = p(raw);
        assert_eq!(m.bodies[0], "hello world");
        assert_eq!(m.bodies[1].trim(), "café au lait");
    }

    #[test]
    fn broken_base64_keeps_text() {
        let raw =
            "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\naGVsbG8g!!d29ybGQ\n";
        assert_eq!(p(raw).bodies, vec!["hello world"]);
    }

    #[test]
    fn entities_in_plain() {
        assert_eq!(p("Subject: x\n\nOl&#225;").bodies, vec!["Olá"]);
    }

    #[test]
    fn undeclared_utf8() {
        let raw = "Content-Type: text/plain\n\nGrüße".as_bytes();
        assert_eq!(parse(raw, &Limits::default()).bodies, vec!["Grüße"]);
    }

    #[test]
    fn latin1_declared() {
        let mut raw = b"Content-Type: text/plain; charset=iso-8859-1\n\nGr".to_vec();
        raw.extend_from_slice(&[0xFC, 0xDF, 0x65]);
        assert_eq!(parse(&raw, &Limits::default()).bodies, vec!["Grüße"]);
    }

    #[test]
    fn koi8r_and_shift_jis() {
        let mut raw = b"Content-Type: text/plain; charset=koi8-r\n\n".to_vec();
        raw.extend_from_slice(&[0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]);
        assert_eq!(parse(&raw, &Limits::default()).bodies, vec!["Привет"]);
        let mut raw = b"Content-Type: text/plain; charset=Shift_JIS\n\n".to_vec();
        raw.extend_from_slice(&[0x93, 0xFA, 0x96, 0x7B]);
        assert_eq!(parse(&raw, &Limits::default()).bodies, vec!["日本"]);
        let raw = b"Content-Type: text/plain; charset=ISO-2022-JP\n\n\x1b$BF|K\\\x1b(B";
        assert_eq!(parse(raw, &Limits::default()).bodies, vec!["日本"]);
    }

    #[test]
    fn unknown_charset_noted() {
        let mut raw = b"Content-Type: text/plain; charset=x-martian\n\nab".to_vec();
        raw.push(0xE9);
        let m = parse(&raw, &Limits::default());
        assert_eq!(m.bodies, vec!["abé"]);
        assert!(m.notes.contains(&Note::UnknownCharset("x-martian".into())));
    }

    #[test]
    fn broken_boundary_recovered() {
        let raw = "Content-Type: multipart/alternative; boundary=\"abc\n\n--abc\nContent-Type: text/plain\n\nsecret text\n--abc--\n";
        let m = p(raw);
        assert!(
            m.bodies.iter().any(|b| b.contains("secret text")),
            "{:?}",
            m.bodies
        );
    }

    #[test]
    fn leading_space_header() {
        let m = p(" Subject: hi\nFrom: a@b.c\n\nbody text");
        assert!(m.bodies.iter().any(|b| b.contains("body text")), "{:?}", m);
    }

    #[test]
    fn rfc822_attachment() {
        let raw = "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: text/plain\n\nsee attached\n--o\nContent-Type: message/rfc822\n\nSubject: inner subject\nContent-Type: text/plain\n\ninner body\n--o--\n";
        let m = p(raw);
        assert!(
            m.bodies.iter().any(|b| b.contains("inner body")),
            "{:?}",
            m.bodies
        );
        assert!(m.bodies.iter().any(|b| b.contains("inner subject")));
    }

    #[test]
    fn not_an_email() {
        let m = p("just some words, no headers");
        assert_eq!(m.notes, vec![Note::NotAnEmail]);
        assert_eq!(m.bodies, vec!["just some words, no headers"]);
    }

    #[test]
    fn empty() {
        assert_eq!(p("").notes, vec![Note::Empty]);
    }

    #[test]
    fn deep_nesting_falls_back() {
        let raw =
            crate::test_mail::nested_multiparts(300) + "Content-Type: text/plain\n\ndeep text\n";
        let m = p(&raw);
        assert!(
            m.bodies.iter().any(|b| b.contains("deep text")),
            "{:?}",
            m.bodies
        );
    }

    /// Header soups from fragments that stress mailparse's header rules.
    fn header_soup() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            proptest::sample::select(vec![
                "Subject: hi\n",
                "From: a@b\r\n",
                "X-A: 1\n",
                " folded\n",
                "\tfolded\n",
                "NoColon\n",
                "Key:\n",
                "K: v\r\n",
                "\r\n",
                "\n",
                "\r",
                " ",
                ":",
                "Content-Type: text/plain\n",
                "content-transfer-encoding: base64\n",
                "Received: from x\n by y\n",
                "é: v\n",
                "Date: Mon, 1 Jan 2024 00:00:00 +0000\n",
                "body text",
                "a",
            ]),
            0..24,
        )
        .prop_map(|v| v.concat().into_bytes())
    }

    use mailparse::{MailHeaderMap, ParsedMail};
    use proptest::strategy::Strategy;

    /// The [`MetaHeaders`] as `read_header_list` found them before, through
    /// mailparse's lookups: the reference for [`find_meta`].
    fn find_meta_by_lookup<'a>(
        headers: &'a [mailparse::MailHeader<'a>],
    ) -> MetaHeaders<'a, mailparse::MailHeader<'a>> {
        let names = ["Subject", "From", "To", "Reply-To", "Message-ID", "Date"];
        let first = names.map(|k| headers.get_first_header(k));
        (first, headers.get_all_headers("Authentication-Results"))
    }

    proptest::proptest! {
        #[test]
        fn rfc3339_writes_what_format_wrote(t in 0i64..=253_402_300_799) {
            let s = rfc3339(t).unwrap();
            let n: Vec<i64> = s.split(['-', 'T', ':', 'Z']).filter(|p| !p.is_empty()).map(|p| p.parse().unwrap()).collect();
            let want = format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", n[0], n[1], n[2], n[3], n[4], n[5]);
            proptest::prop_assert_eq!(&s, &want);
            proptest::prop_assert_eq!(n[3] * 3600 + n[4] * 60 + n[5], t.rem_euclid(86_400));
        }

        #[test]
        fn header_list_read_in_one_pass_as_by_lookup(
            heads in proptest::collection::vec(proptest::sample::select(vec![
                "Subject: hi\n", "subject: second\n", "SUBJECT:\n", "Subject: =?utf-8?B?aMOp?=\n",
                "From: A <a@example.org>\n", "from: b@example.org\n", "To: c@example.org\r\n",
                "TO: \"D\" <d@example.org>\n", "Reply-To: e@example.org\n", "Message-ID: <m@x>\n",
                "message-id:   <n@y> \n", "Date: Mon, 1 Jan 2024 00:00:00 +0000\n", "date: garbage\n",
                "Authentication-Results: spf=fail\n", "authentication-results: dkim=pass\n",
                "S\u{fc}bject: x\n", "Subject\u{a0}: y\n", "X-Subject: z\n", "Received: from x\n by y\n",
                "From: folded\n  <f@example.org>\n",
            ]), 0..16),
        ) {
            let raw = format!("{}\n", heads.concat());
            let (headers, _) = mailparse::parse_headers(raw.as_bytes()).unwrap();
            let (mut fast, mut slow) = (Message::default(), Message::default());
            read_meta(find_meta(&headers), &mut fast);
            read_meta(find_meta_by_lookup(&headers), &mut slow);
            proptest::prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{:?}", raw);
        }
        #[test]
        fn split_headers_agrees_with_mailparse(raw in header_soup()) {
            match (split_headers(&raw), mailparse::parse_headers(&raw)) {
                (None, Err(_)) => {}
                (Some((spans, body)), Ok((headers, ix))) => {
                    proptest::prop_assert_eq!(body, ix);
                    proptest::prop_assert_eq!(spans.len(), headers.len());
                    for (s, h) in spans.iter().zip(&headers) {
                        proptest::prop_assert_eq!(&raw[s.key.clone()], h.get_key_raw());
                        let (again, n) = mailparse::parse_header(&raw[s.all.start..]).unwrap();
                        proptest::prop_assert_eq!(n, s.all.len());
                        proptest::prop_assert_eq!(again.get_value_raw(), h.get_value_raw());
                        let cut = Header::at(&raw, s);
                        proptest::prop_assert_eq!(cut.key_raw(), h.get_key_raw());
                        proptest::prop_assert_eq!(cut.value_raw(), h.get_value_raw());
                    }
                }
                (a, b) => proptest::prop_assert!(false, "{:?} vs {:?}", a, b.map(|x| x.1)),
            }
        }

        #[test]
        fn cut_short_at_agrees_with_the_line_scan(raw in header_soup()) {
            if let Some((spans, _)) = split_headers(&raw) {
                proptest::prop_assert_eq!(cut_short_at(&raw, &spans), header_section_cut_short(&raw));
            }
        }

        #[test]
        fn meta_headers_read_as_from_every_header(
            relay in proptest::collection::vec(proptest::sample::select(vec![
                "Received: from a.example by b.example; Mon, 1 Jan 2024\n",
                "DKIM-Signature: v=1; a=rsa-sha256;\n b=abcdefghijklmnopqrstuvwxyz0123456789\n",
                "X-MS-Exchange-Organization: x\r\n",
                "Subject: =?utf-8?B?aGk=?= you\n",
                "From: A <a@example.org>\n", "To: a@example.org\n", "Date: Mon, 1 Jan 2024 00:00:00 +0000\n",
                "Authentication-Results: spf=fail\n", "Content-Type: multipart/alternative; boundary=\"b\"\n",
                "Content-Type: text/html\n", "Content-Transfer-Encoding: quoted-printable\n",
                "Reply-To: c@example.org\n", "Message-ID: <x@y>\n",
            ]), 0..120),
            body in proptest::sample::select(vec![
                "\nhello =3D you\n",
                "\n--b\nContent-Type: text/plain\n\nI recorded you\n--b\nContent-Type: text/html\n\n<p>pay</p>\n--b--\n",
                "\r\n<b>bold</b>",
                "",
            ]),
        ) {
            let raw = format!("{}{body}", relay.concat());
            let (fast, full) = meta_both_ways(raw.as_bytes());
            proptest::prop_assert_eq!(fast, full);
        }
    }

    /// The metadata of `raw` read from [`meta_headers`] (cut by
    /// [`Header::at`]) and from every header mailparse parses (`None` where it rejects the section).
    fn meta_both_ways(raw: &[u8]) -> (Option<String>, Option<String>) {
        fn read<H: RawHeader>(headers: &[H]) -> String {
            let mut m = Message::default();
            read_header_list(headers, &mut m);
            format!("{m:?}")
        }
        let fast = split_headers(raw).map(|(spans, _)| read(&meta_headers(raw, &spans)));
        let full = mailparse::parse_headers(raw).ok().map(|(h, _)| read(&h));
        (fast, full)
    }

    /// Every sample and dev-corpus message has the same metadata read from
    /// the headers that matter alone as from all of them.
    #[test]
    fn meta_headers_read_as_from_every_header_on_real_mail() {
        let mut seen = 0;
        for (path, raw) in crate::test_mail::real_mail() {
            let (fast, full) = meta_both_ways(&raw);
            assert_eq!(fast, full, "{}", path.display());
            seen += 1;
        }
        assert!(seen >= 100, "{seen} messages");
    }

    /// Every quoted-printable part of the samples and the dev corpus
    /// decodes as mailparse decodes it.
    #[test]
    fn qp_agrees_with_mailparse_on_real_mail() {
        fn walk(p: &ParsedMail<'_>, n: &mut usize) {
            for s in &p.subparts {
                walk(s, n);
            }
            if let mailparse::body::Body::QuotedPrintable(b) = p.get_body_encoded() {
                assert_eq!(qp_decode_robust(b.get_raw()), b.get_decoded().unwrap());
                *n += 1;
            }
        }
        let mut parts = 0;
        for (_, raw) in crate::test_mail::real_mail() {
            if let Ok(m) = mailparse::parse_mail(&raw) {
                walk(&m, &mut parts);
            }
        }
        assert!(parts >= 10, "{parts} quoted-printable parts");
    }

    /// The byte-at-a-time decoder the table-driven one replaced.
    fn base64_oracle(input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len() / 4 * 3);
        let mut acc = 0u32;
        let mut n = 0;
        for &b in input {
            let v = match b {
                b'A'..=b'Z' => b - b'A',
                b'a'..=b'z' => b - b'a' + 26,
                b'0'..=b'9' => b - b'0' + 52,
                b'+' | b'-' => 62,
                b'/' | b'_' => 63,
                b'=' => {
                    // Padding ends a quantum; flush what it holds.
                    flush(&mut out, acc, n);
                    acc = 0;
                    n = 0;
                    continue;
                }
                _ => continue,
            };
            acc = (acc << 6) | v as u32;
            n += 1;
            if n == 4 {
                out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
                acc = 0;
                n = 0;
            }
        }
        flush(&mut out, acc, n);
        out
    }

    proptest::proptest! {
        #[test]
        fn base64_lenient_agrees_with_oracle(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                &b"QUJD"[..], b"aGk", b"=", b"==", b"\r\n", b"\n", b" ", b"-_", b"+/", b"*", b"\xff",
                b"A", b"zz", b"0123", b"YQ==", b"\x00",
            ]), 0..40)) {
            let input = parts.concat();
            proptest::prop_assert_eq!(base64_lenient(&input), base64_oracle(&input));
        }
    }

    #[test]
    fn lenient_decoders() {
        assert_eq!(base64_lenient(b"aGk"), b"hi");
        assert_eq!(base64_lenient(b"a G\nk=\n"), b"hi");
        assert_eq!(qp_lenient(b"a=3Db=\r\nc=ZZ"), b"a=bc=ZZ");
    }

    /// mailparse's own QP decoder: the oracle for `qp_decode_robust`.
    fn qp_mailparse(body: &[u8]) -> Vec<u8> {
        let mut raw = b"Content-Transfer-Encoding: quoted-printable\n\n".to_vec();
        raw.extend_from_slice(body);
        let m = mailparse::parse_mail(&raw).unwrap();
        match m.get_body_encoded() {
            mailparse::body::Body::QuotedPrintable(b) => b.get_decoded().unwrap(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn qp_decode_robust_table() {
        for input in [
            &b""[..],
            b"\n",
            b"\r\n",
            b"a",
            b"a\n",
            b"a=\nb",
            b"a=\r\nb\r\n",
            b"=41=4a=4Z",
            b"=",
            b"=4",
            b"x =\n",
            b"a \t\r\nb  ",
            b"caf=E9\xff\x00=\xff41",
            b"a\rb\n",
            b"\n\n\n",
            b"=\n=\n",
            b"a=\n\n",
            b"==41",
            b"=4=41",
        ] {
            assert_eq!(
                qp_decode_robust(input),
                qp_mailparse(input),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    const QP_PIECES: &[&[u8]] = &[
        b"=",
        b"=\n",
        b"=\r\n",
        b"\n",
        b"\r\n",
        b"\r",
        b" ",
        b"\t",
        b"=4",
        b"=41",
        b"=e9",
        b"=Z1",
        b"ab",
        b"\xff",
        b"\x00",
        b"\x0b",
        b"\x0c",
        b"~",
        b"\xc3\xa9",
        b"-",
        b"==",
    ];

    proptest::proptest! {
        #[test]
        fn qp_decode_robust_agrees_with_mailparse(parts in proptest::collection::vec(
            proptest::sample::select(QP_PIECES), 0..40)) {
            let input = parts.concat();
            proptest::prop_assert_eq!(qp_decode_robust(&input), qp_mailparse(&input));
        }
    }

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            rfc3339(1_709_210_096).as_deref(),
            Some("2024-02-29T12:34:56Z")
        );
        assert_eq!(rfc3339(-5), None);
    }

    /// The slow paths the header fast paths stand in for.
    fn slow_address(h: &mailparse::MailHeader<'_>) -> Option<String> {
        let list = mailparse::addrparse_header(h).ok()?;
        list.iter().find_map(|a| match a {
            mailparse::MailAddr::Single(s) => Some(s.addr.trim().to_ascii_lowercase()),
            mailparse::MailAddr::Group(g) => {
                g.addrs.first().map(|s| s.addr.trim().to_ascii_lowercase())
            }
        })
    }

    fn check_header_fast_paths(h: &mailparse::MailHeader<'_>) -> Result<(), String> {
        if let Some(v) = plain_value(h) {
            if v != h.get_value() {
                return Err(format!("value {v:?} vs {:?}", h.get_value()));
            }
        }
        if bare_address(h) != slow_address(h) {
            return Err(format!(
                "address of {:?}: {:?} vs {:?}",
                h.get_value(),
                bare_address(h),
                slow_address(h)
            ));
        }
        Ok(())
    }

    /// Every header of every real message: values and addresses as
    /// mailparse gives them.
    #[test]
    fn header_fast_paths_agree_with_mailparse_on_real_mail() {
        let mut n = 0;
        for (path, raw) in crate::test_mail::real_mail() {
            let Ok((headers, _)) = mailparse::parse_headers(&raw) else {
                continue;
            };
            for h in &headers {
                if let Err(e) = check_header_fast_paths(h) {
                    panic!("{}: {e}", path.display());
                }
                n += 1;
            }
        }
        // The samples alone hold 810 headers; the dev corpus, when present,
        // many thousands.
        assert!(n > 500, "{n}");
    }

    proptest::proptest! {
        #[test]
        fn header_fast_paths_agree_with_mailparse(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "B", "1", " ", "  ", "@", ".", "-", "_", "+", "<", ">", "\"", "(", ")", ",", ";",
                ":", "=?", "?=", "=?utf-8?q?x?=", "é", "\t", "\r\n ", "x@y.example", "<x@y.example>",
                "Name ", "\\", "[", "]", "'", "!", "&", "ü", "\u{a0}", "%", "#", "*", "/", "?",
                "\r", "\n\t", " \r\n\r\n x",
                "=?utf-8?B?SGk=?=", "=?UTF-8?b?LCI8Ozo=?=", "=?x-unknown?Q?a_b?=", "=?utf-8?Q?=22,=3C?=",
                "=?utf-8?B?", "?=", "_", "=", "=?iso-8859-1?q?caf=E9?= ",
            ]), 0..12)
        ) {
            let raw = format!("From: {}\r\n\r\n", parts.concat());
            if let Ok((headers, _)) = mailparse::parse_headers(raw.as_bytes()) {
                for h in &headers {
                    proptest::prop_assert!(check_header_fast_paths(h).is_ok(), "{:?}", check_header_fast_paths(h));
                }
            }
        }
    }
}
