//! The MIME tree of a message, found as mailparse's `parse_mail` finds it:
//! the same parts, content types, transfer encodings and bodies, and an
//! error where it returns one (tests hold the two together on real mail and
//! on generated trees). What differs is the cost: header sections are split
//! with memchr ([`split_headers`]) instead of a byte-at-a-time state
//! machine, only the two headers read are parsed, delimiter lines are
//! found with a SIMD substring search, and a part carries what the walk
//! reads (no header list, no parameter map). mailparse still decodes a
//! header value with an encoded word or a non-UTF-8 byte, and parses a
//! `Content-Type` value that is not ASCII or has an RFC 2231 parameter.

use mailparse::MailParseError;

use crate::message::{split_headers, value_of, Header, HeaderSpan};

/// mailparse's nesting bound: a tree deeper than this is an error.
const RECURSION_LIMIT: u8 = 100;

/// How a body is transfer-encoded (mailparse's `Body` variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transfer {
    Base64,
    QuotedPrintable,
    /// 7bit, 8bit, binary, and anything not understood: the bytes as they are.
    Identity,
}

/// One part of the tree.
#[derive(Debug)]
pub(crate) struct Part<'a> {
    /// Headers and body.
    pub raw: &'a [u8],
    /// The header section (without the blank line).
    head: &'a [u8],
    /// The lower-cased media type (`text/plain` when not given, as mailparse
    /// defaults it; `message/rfc822` inside a `multipart/digest`).
    pub mimetype: String,
    /// The `charset` parameter, when given.
    pub charset: Option<String>,
    pub transfer: Transfer,
    /// The body: of a multipart, up to its first delimiter line.
    pub body: &'a [u8],
    pub subparts: Vec<Part<'a>>,
}

impl<'a> Part<'a> {
    /// The value of the first header named `name` (ASCII case ignored), as
    /// mailparse's `get_first_value` gives it.
    pub fn first_value(&self, name: &str) -> Option<String> {
        let (spans, _) = split_headers(self.head)?;
        let h = first_header(self.head, &spans, name.as_bytes())?;
        Some(value_of(&h).into_owned())
    }
}

/// The tree of `raw`, or mailparse's error for it.
pub(crate) fn parse(raw: &[u8]) -> Result<Part<'_>, MailParseError> {
    parse_part(raw, None, false, RECURSION_LIMIT)
}

/// [`parse`], with the top-level header section already split.
pub(crate) fn parse_split(
    raw: &[u8],
    split: (Vec<HeaderSpan>, usize),
) -> Result<Part<'_>, MailParseError> {
    parse_part(raw, Some(split), false, RECURSION_LIMIT)
}

/// The first header of `spans` named `name`.
fn first_header<'a>(raw: &'a [u8], spans: &[HeaderSpan], name: &[u8]) -> Option<Header<'a>> {
    let s = spans
        .iter()
        .find(|s| raw[s.key.clone()].eq_ignore_ascii_case(name))?;
    Some(Header::at(raw, s))
}

fn parse_part(
    raw: &[u8],
    split: Option<(Vec<HeaderSpan>, usize)>,
    in_digest: bool,
    depth: u8,
) -> Result<Part<'_>, MailParseError> {
    let Some((spans, ix_body)) = split.or_else(|| split_headers(raw)) else {
        // mailparse's own words for the header section it rejects.
        return Err(match mailparse::parse_headers(raw) {
            Err(e) => e,
            Ok(_) => MailParseError::Generic("header section not understood"),
        });
    };
    let ctype = first_header(raw, &spans, b"content-type").map(|h| content_type(&value_of(&h)));
    let transfer = match first_header(raw, &spans, b"content-transfer-encoding")
        .map(|h| value_of(&h).to_lowercase())
        .as_deref()
    {
        Some("base64") => Transfer::Base64,
        Some("quoted-printable") => Transfer::QuotedPrintable,
        _ => Transfer::Identity,
    };
    let ContentType {
        mimetype,
        charset,
        boundary,
    } = ctype.unwrap_or_else(|| ContentType {
        mimetype: if in_digest {
            "message/rfc822"
        } else {
            "text/plain"
        }
        .to_string(),
        charset: None,
        boundary: None,
    });
    let head_end = spans.last().map_or(0, |s| s.all.end);
    let mut part = Part {
        raw,
        head: &raw[..head_end],
        charset,
        transfer,
        body: &raw[ix_body.min(raw.len())..],
        subparts: Vec::new(),
        mimetype,
    };
    if raw.len() > ix_body && part.mimetype.starts_with("multipart") {
        if let Some(boundary) = boundary {
            let delim = [b"--", boundary.as_bytes()].concat();
            let digest = part.mimetype == "multipart/digest";
            let (subparts, body_end) = parse_multipart(raw, ix_body, &delim, digest, depth)?;
            part.subparts = subparts;
            part.body = &raw[ix_body..body_end];
        }
    }
    Ok(part)
}

/// The parts of a multipart body from `ix_body` on, delimited by lines that
/// start with `delim`, and where the body before the first one ends.
fn parse_multipart<'a>(
    raw: &'a [u8],
    ix_body: usize,
    delim: &[u8],
    digest: bool,
    depth: u8,
) -> Result<(Vec<Part<'a>>, usize), MailParseError> {
    let finder = memchr::memmem::Finder::new(delim);
    // The first `delim` from `from` that starts a line (or starts at `from`).
    let find = |from: usize| {
        finder
            .find_iter(&raw[from..])
            .map(|i| from + i)
            .find(|&i| i == from || raw[i - 1] == b'\n')
    };
    let mut subparts = Vec::new();
    let Some(first) = find(ix_body) else {
        return Ok((subparts, ix_body));
    };
    let body_end = strip_trailing_crlf(raw, ix_body, first);
    let mut delim_end = first + delim.len();
    while let Some(start) = memchr::memchr(b'\n', &raw[delim_end..]).map(|i| delim_end + i + 1) {
        let next = find(start);
        let end = next.map_or(raw.len(), |x| strip_trailing_crlf(raw, start, x));
        let depth = depth
            .checked_sub(1)
            .ok_or(MailParseError::Generic("Recursion limit reached"))?;
        subparts.push(parse_part(&raw[start..end], None, digest, depth)?);
        delim_end = next.map_or(raw.len(), |x| x + delim.len());
        if delim_end + 2 > raw.len() || raw[delim_end..delim_end + 2] == *b"--" {
            break;
        }
    }
    Ok((subparts, body_end))
}

/// What is read of a `Content-Type` value.
#[derive(Debug, PartialEq, Eq)]
struct ContentType {
    /// Lower-cased.
    mimetype: String,
    charset: Option<String>,
    boundary: Option<String>,
}

/// A `Content-Type` value as mailparse's `parse_content_type` reads it. An
/// ASCII value without `*` (no RFC 2231 parameter, the common case) is read
/// here, as that function reads it, without its parameter map and
/// allocations: split on `;` outside quotes, the first piece the type,
/// each later `key=value` piece a parameter (key trimmed and lower-cased,
/// value trimmed and unquoted, the last of a key winning).
fn content_type(v: &str) -> ContentType {
    if !v.is_ascii() || v.contains('*') {
        let c = mailparse::parse_content_type(v);
        let mut params = c.params;
        return ContentType {
            mimetype: c.mimetype,
            charset: params.remove("charset"),
            boundary: params.remove("boundary"),
        };
    }
    let mut pieces = semicolon_pieces(v);
    let mimetype = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
    let (mut charset, mut boundary) = (None, None);
    for piece in pieces {
        let Some(eq) = piece.find('=') else { continue };
        let key = piece[..eq].trim();
        let slot = if key.eq_ignore_ascii_case("charset") {
            &mut charset
        } else if key.eq_ignore_ascii_case("boundary") {
            &mut boundary
        } else {
            continue;
        };
        *slot = Some(unquote(piece[eq + 1..].trim()));
    }
    ContentType {
        mimetype,
        charset,
        boundary,
    }
}

/// `v` split on the `;`s outside a quoted string (in which a backslash
/// escapes the next byte); always at least one piece.
fn semicolon_pieces(v: &str) -> impl Iterator<Item = &str> {
    let (mut quoted, mut escaped) = (false, false);
    let cuts = v.bytes().enumerate().filter_map(move |(i, b)| {
        if escaped {
            escaped = false;
        } else if quoted && b == b'\\' {
            escaped = true;
        } else if b == b'"' {
            quoted = !quoted;
        } else if b == b';' && !quoted {
            return Some(i);
        }
        None
    });
    let mut start = 0;
    cuts.chain(std::iter::once(v.len())).map(move |end| {
        let piece = &v[start..end];
        start = end + 1;
        piece
    })
}

/// A parameter value without its quotes, backslash escapes resolved; as
/// written when it is not quoted.
fn unquote(v: &str) -> String {
    let Some(inner) = v
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|_| v.len() > 1)
    else {
        return v.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut escape = false;
    for c in inner.chars() {
        if !escape && c == '\\' {
            escape = true;
            continue;
        }
        escape = false;
        out.push(c);
    }
    out
}

/// `ix` moved back over one line end (LF or CRLF) that follows `start`:
/// the line end before a delimiter belongs to the delimiter.
fn strip_trailing_crlf(raw: &[u8], start: usize, mut ix: usize) -> usize {
    if ix > start && raw[ix - 1] == b'\n' {
        ix -= 1;
        if ix > start && raw[ix - 1] == b'\r' {
            ix -= 1;
        }
    }
    ix
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailparse::ParsedMail;
    use proptest::strategy::Strategy;

    /// Where `ours` differs from mailparse's tree, if anywhere.
    fn same_tree(ours: &Part<'_>, theirs: &ParsedMail<'_>, at: &str) -> Result<(), String> {
        let fail = |what: &str| Err(format!("{what} differs at {at}"));
        if ours.raw != theirs.raw_bytes {
            return fail("raw");
        }
        if ours.mimetype != theirs.ctype.mimetype {
            return fail(&format!(
                "mimetype {:?}/{:?}",
                ours.mimetype, theirs.ctype.mimetype
            ));
        }
        if ours.charset.as_ref() != theirs.ctype.params.get("charset") {
            return fail("charset");
        }
        let (transfer, body) = match theirs.get_body_encoded() {
            mailparse::body::Body::Base64(b) => (Transfer::Base64, b.get_raw()),
            mailparse::body::Body::QuotedPrintable(b) => (Transfer::QuotedPrintable, b.get_raw()),
            mailparse::body::Body::SevenBit(b) | mailparse::body::Body::EightBit(b) => {
                (Transfer::Identity, b.get_raw())
            }
            mailparse::body::Body::Binary(b) => (Transfer::Identity, b.get_raw()),
        };
        if ours.transfer != transfer {
            return fail("transfer encoding");
        }
        if ours.body != body {
            return fail("body");
        }
        if ours.subparts.len() != theirs.subparts.len() {
            return fail(&format!(
                "part count {}/{}",
                ours.subparts.len(),
                theirs.subparts.len()
            ));
        }
        for (k, (o, t)) in ours.subparts.iter().zip(&theirs.subparts).enumerate() {
            same_tree(o, t, &format!("{at}.{k}"))?;
        }
        for name in ["Subject", "content-type", "X-Absent"] {
            if ours.first_value(name)
                != theirs
                    .headers
                    .iter()
                    .find(|h| h.get_key_ref().eq_ignore_ascii_case(name))
                    .map(|h| h.get_value())
            {
                return fail(name);
            }
        }
        Ok(())
    }

    /// Both parsers on `raw`: the same tree, or both an error (the same
    /// words, which end up in a note).
    fn agree(raw: &[u8]) -> Result<(), String> {
        match (parse(raw), mailparse::parse_mail(raw)) {
            (Ok(o), Ok(t)) => same_tree(&o, &t, "root"),
            (Err(a), Err(b)) if a.to_string() == b.to_string() => Ok(()),
            (a, b) => Err(format!(
                "ours {:?}, mailparse {:?}",
                a.map(|p| p.mimetype),
                b.map(|p| p.ctype.mimetype)
            )),
        }
    }

    #[test]
    fn real_mail_parses_as_mailparse_parses_it() {
        for (path, raw) in crate::test_mail::real_mail() {
            agree(&raw).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // And every attached message inside, as the walk parses them.
            if let Ok(m) = mailparse::parse_mail(&raw) {
                for p in m.parts() {
                    if p.ctype.mimetype.starts_with("message/") {
                        if let Ok(b) = p.get_body_raw() {
                            agree(&b).unwrap_or_else(|e| panic!("{} (inner): {e}", path.display()));
                        }
                    }
                }
            }
        }
    }

    /// A generated MIME body: nested multiparts with delimiters that are,
    /// are not, or almost are delimiter lines, preambles, missing closing
    /// delimiters, mixed line ends, digests, bad part headers.
    fn mime_soup() -> impl Strategy<Value = Vec<u8>> {
        let piece = proptest::sample::select(vec![
            "--b\n",
            "--b\r\n",
            "--b--\n",
            "--b--",
            "--b",
            "x--b\n",
            "--bb\n",
            "--c\n",
            "--c--\n",
            "\n",
            "\r\n",
            "text\n",
            "Content-Type: multipart/mixed; boundary=c\n\n",
            "Content-Type: multipart/digest; boundary=\"c\"\n\n",
            "Content-Type: Multipart/Alternative; boundary=b\n\n",
            "Content-Type: multipart/mixed\n\n",
            "Content-Type: text/html; charset=\"UTF-8\"\n",
            "content-type: TEXT/PLAIN; CHARSET=latin1\n\n",
            "Content-Type: message/rfc822\n\n",
            "Content-Transfer-Encoding: base64\n",
            "Content-Transfer-Encoding: Quoted-Printable\n\n",
            "Content-Transfer-Encoding: 8bit \n",
            "Content-Type: =?utf-8?Q?text/html?=\n",
            "Content-Type: text/plain;\n charset=utf-8\n\n",
            " bad header start\n",
            "\r",
            "Subject: inner\n",
            "aGVsbG8=\n",
            "=E2=82=AC\n",
        ]);
        (
            proptest::sample::select(vec![
                "Content-Type: multipart/mixed; boundary=b\n",
                "Content-Type: multipart/alternative; boundary=\"b\"\r\n",
                "Content-Type: multipart/digest; boundary=b\n",
                "Content-Type: text/plain\n",
                "",
            ]),
            proptest::collection::vec(piece, 0..40),
        )
            .prop_map(|(top, v)| format!("Subject: s\n{top}\n{}", v.concat()).into_bytes())
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(2000))]
        #[test]
        fn generated_trees_parse_as_mailparse_parses_them(raw in mime_soup()) {
            if let Err(e) = agree(&raw) {
                proptest::prop_assert!(false, "{e}\n{}", String::from_utf8_lossy(&raw));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn content_type_reads_as_mailparse_reads_it(
            media in proptest::sample::select(vec!["text/html", " TEXT/Plain ", "multipart/alternative", "", "\"a;b\""]),
            params in proptest::collection::vec((
                proptest::sample::select(vec![";", "; ", " ;\r\n\t", ";;", "\\;"]),
                proptest::sample::select(vec!["charset", "CHARSET", " charset ", "boundary", "Boundary", "name", "charset*", "x y", ""]),
                proptest::sample::select(vec!["=", " = ", "", "=="]),
                proptest::sample::select(vec![
                    "utf-8", "\"utf-8\"", "\"a;b\"", "\"a\\\"b\"", "\"a\\\\\"", "''", "%41", "é", "\"\"", "\"",
                    " \"q\" ", "\"open", "a\"b\"c", "x=y", "*",
                ]),
            ), 0..5),
        ) {
            let pieces: Vec<String> = std::iter::once(media.to_string())
                .chain(params.iter().map(|(sep, k, eq, v)| format!("{sep}{k}{eq}{v}")))
                .collect();
            let v = pieces.concat();
            let theirs = mailparse::parse_content_type(&v);
            let ours = content_type(&v);
            proptest::prop_assert_eq!(&ours.mimetype, &theirs.mimetype, "{:?}", v);
            proptest::prop_assert_eq!(ours.charset.as_ref(), theirs.params.get("charset"), "{:?}", v);
            proptest::prop_assert_eq!(ours.boundary.as_ref(), theirs.params.get("boundary"), "{:?}", v);
        }
    }

    #[test]
    fn too_deep_a_tree_is_mailparse_s_error() {
        let raw = crate::test_mail::nested_multiparts(120) + "\ntext\n";
        let e = parse(raw.as_bytes()).unwrap_err();
        assert_eq!(e.to_string(), "Recursion limit reached");
        agree(raw.as_bytes()).unwrap();
    }
}
