//! Streaming mbox splitter.
//!
//! A message starts at a line beginning with `From ` that opens the stream or
//! follows an empty line (`\n\nFrom ` or `\r\n\r\nFrom `), as mboxo and mboxrd
//! writers produce it (RFC 4155). A `From` without the space, or a `From `
//! line inside a body with no empty line before it, does not split. The
//! `From ` line itself and the empty line that precedes the next separator
//! belong to the mbox format and are not handed to the classifier; mboxrd
//! quoting (`>From `, `>>From ` … at a line start) loses one `>`.
//!
//! The splitter reads fixed-size chunks and keeps only the current message in
//! memory; a message over the size limit is counted and skipped, never held,
//! so memory is bounded by the limit plus one chunk whatever the archive size.

use std::io::{self, Read};

use memchr::memmem;

/// Bytes asked of the reader per refill.
pub(crate) const CHUNK: usize = 256 * 1024;

/// One message record cut out of the stream.
#[derive(Debug)]
pub(crate) struct Record {
    /// 0-based message number in the stream.
    pub index: u64,
    /// Byte offset of its `From ` line in the stream.
    pub offset: u64,
    /// Size of the record in the stream: `From ` line to the next separator.
    pub bytes: u64,
    /// The message as the classifier gets it (no `From ` line, unquoted), or
    /// `None` when the record is over the size limit.
    pub data: Option<Vec<u8>>,
}

/// A read error in the middle of a stream: the message being read is lost.
#[derive(Debug)]
pub(crate) struct Broken {
    pub index: u64,
    pub offset: u64,
    /// Bytes of the broken message read before the error.
    pub bytes: u64,
    pub error: io::Error,
}

/// Splits a byte stream into mbox records.
pub(crate) struct Splitter<R> {
    r: R,
    buf: Vec<u8>,
    /// Start of the current record in `buf`.
    start: usize,
    /// Where the separator search resumes in `buf`.
    search: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// Stream offset of the current record.
    rec_offset: u64,
    /// Bytes of the current record already dropped (over the limit).
    dropped: u64,
    index: u64,
    limit: u64,
    chunk: usize,
    eof: bool,
    /// The read error that ended the stream.
    broken: Option<io::Error>,
    done: bool,
    finder: memmem::Finder<'static>,
}

impl<R: Read> Splitter<R> {
    /// `limit`: records larger than this are reported with `data: None`.
    pub(crate) fn new(r: R, limit: u64) -> Self {
        Self::with_chunk(r, limit, CHUNK)
    }

    pub(crate) fn with_chunk(r: R, limit: u64, chunk: usize) -> Self {
        Splitter {
            r,
            buf: Vec::new(),
            start: 0,
            search: 0,
            base: 0,
            rec_offset: 0,
            dropped: 0,
            index: 0,
            limit,
            chunk: chunk.max(1),
            eof: false,
            broken: None,
            done: false,
            finder: memmem::Finder::new(b"\nFrom "),
        }
    }

    /// The next record, a broken stream (then the end), or `None` at the end.
    pub(crate) fn next_record(&mut self) -> Option<Result<Record, Broken>> {
        loop {
            if self.done {
                return None;
            }
            if let Some(q) = self.find_separator() {
                return Some(Ok(self.take(q)));
            }
            if self.eof {
                self.done = true;
                if let Some(error) = self.broken.take() {
                    return Some(Err(Broken {
                        index: self.index,
                        offset: self.rec_offset,
                        bytes: self.dropped + (self.buf.len() - self.start) as u64,
                        error,
                    }));
                }
                if self.start < self.buf.len() || self.dropped > 0 {
                    let end = self.buf.len();
                    return Some(Ok(self.take(end)));
                }
                return None;
            }
            self.drop_oversize();
            self.compact();
            self.fill();
        }
    }

    /// Index of the `F` of the next separator at or after `search`.
    fn find_separator(&mut self) -> Option<usize> {
        let mut from = self.search;
        while let Some(i) = self.finder.find(&self.buf[from..]) {
            let p = from + i;
            if p >= 1
                && (self.buf[p - 1] == b'\n'
                    || (p >= 2 && self.buf[p - 1] == b'\r' && self.buf[p - 2] == b'\n'))
            {
                return Some(p + 1);
            }
            from = p + 1;
        }
        // Nothing complete before the end; the tail is searched again after
        // the next refill.
        self.search = self.buf.len().saturating_sub(5).max(self.start);
        None
    }

    /// Cuts the current record at `end` and starts the next one there.
    fn take(&mut self, end: usize) -> Record {
        let size = self.dropped + (end - self.start) as u64;
        let data = if self.dropped > 0 || size > self.limit {
            None
        } else {
            Some(message_of(&self.buf[self.start..end]))
        };
        let rec = Record {
            index: self.index,
            offset: self.rec_offset,
            bytes: size,
            data,
        };
        self.index += 1;
        self.rec_offset = self.base + end as u64;
        self.start = end;
        self.search = end;
        self.dropped = 0;
        rec
    }

    /// Over the limit: forget the record's bytes, keep a tail long enough to
    /// recognise a separator that straddles the next refill.
    fn drop_oversize(&mut self) {
        const TAIL: usize = 8;
        // The last five bytes may open the next record ("\nFrom" awaiting its
        // space), so the record is surely over the limit only beyond them.
        let held = (self.buf.len() - self.start) as u64;
        if self.dropped + held <= self.limit.saturating_add(TAIL as u64)
            || self.buf.len() - self.start <= TAIL
        {
            return;
        }
        let keep_from = self.buf.len() - TAIL;
        self.dropped += (keep_from - self.start) as u64;
        self.buf.drain(..keep_from);
        self.base += keep_from as u64;
        self.search = self.search.saturating_sub(keep_from);
        self.start = 0;
    }

    /// Moves the current record to the front of the buffer.
    fn compact(&mut self) {
        if self.start == 0 {
            return;
        }
        self.buf.drain(..self.start);
        self.base += self.start as u64;
        self.search -= self.start;
        self.start = 0;
    }

    /// Reads the next chunk. A read error ends the stream like EOF, except
    /// that the record being read is then reported broken: the bytes read
    /// before the error (already in the buffer) still yield their records.
    fn fill(&mut self) {
        match (&mut self.r)
            .take(self.chunk as u64)
            .read_to_end(&mut self.buf)
        {
            Ok(0) => self.eof = true,
            Ok(_) => {}
            Err(e) => {
                self.eof = true;
                self.broken = Some(e);
            }
        }
    }
}

/// The message inside a record: without the `From ` line, without the empty
/// line that belongs to the next separator (or ends the file), mboxrd-unquoted.
fn message_of(rec: &[u8]) -> Vec<u8> {
    let rec = if rec.ends_with(b"\r\n\r\n") {
        &rec[..rec.len() - 2]
    } else if rec.ends_with(b"\n\n") {
        &rec[..rec.len() - 1]
    } else {
        rec
    };
    let body = match memchr::memchr(b'\n', rec) {
        Some(nl) if rec.starts_with(b"From ") => &rec[nl + 1..],
        None if rec.starts_with(b"From ") => &[][..],
        _ => rec,
    };
    unquote(body)
}

/// mboxrd unquoting: a line matching `>+From ` loses one `>`. Applied to
/// mboxo too, where `>From ` was the writer's quoting of `From `.
pub(crate) fn unquote(body: &[u8]) -> Vec<u8> {
    let mut cut: Vec<usize> = Vec::new();
    for hit in memmem::find_iter(body, b">From ") {
        let mut j = hit;
        while j > 0 && body[j - 1] == b'>' {
            j -= 1;
        }
        if j == 0 || body[j - 1] == b'\n' {
            cut.push(j);
        }
    }
    if cut.is_empty() {
        return body.to_vec();
    }
    let mut out = Vec::with_capacity(body.len() - cut.len());
    let mut from = 0;
    for c in cut {
        out.extend_from_slice(&body[from..c]);
        from = c + 1;
    }
    out.extend_from_slice(&body[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &[u8], chunk: usize, limit: u64) -> Vec<(u64, u64, Option<String>)> {
        let mut s = Splitter::with_chunk(input, limit, chunk);
        let mut out = Vec::new();
        while let Some(r) = s.next_record() {
            let r = r.unwrap();
            out.push((
                r.offset,
                r.bytes,
                r.data.map(|d| String::from_utf8(d).unwrap()),
            ));
        }
        out
    }

    /// The obvious whole-buffer splitter the streaming one must agree with.
    fn naive(input: &[u8]) -> Vec<(u64, u64)> {
        let mut starts = vec![0usize];
        for i in 1..input.len() {
            if input[i..].starts_with(b"From ")
                && input[i - 1] == b'\n'
                && ((i >= 2 && input[i - 2] == b'\n')
                    || (i >= 3 && &input[i - 3..i - 1] == b"\n\r"))
            {
                starts.push(i);
            }
        }
        let mut out = Vec::new();
        for (k, &s) in starts.iter().enumerate() {
            let e = starts.get(k + 1).copied().unwrap_or(input.len());
            out.push((s as u64, (e - s) as u64));
        }
        if input.is_empty() {
            out.clear();
        }
        out
    }

    macro_rules! t {
        ($input:expr, [$($msg:expr),* $(,)?]) => {{
            let want: Vec<&str> = vec![$($msg),*];
            for chunk in [1, 2, 3, 5, 7, 64, CHUNK] {
                let got: Vec<String> =
                    split($input, chunk, u64::MAX).into_iter().map(|r| r.2.unwrap()).collect();
                assert_eq!(got, want, "chunk {chunk}");
            }
        }};
    }

    #[test]
    fn separators() {
        t!(
            b"From a\nA: 1\n\nhi\n\nFrom b\nB: 2\n\nho\n",
            ["A: 1\n\nhi\n", "B: 2\n\nho\n"]
        );
        t!(
            b"From a\r\nA: 1\r\n\r\nhi\r\n\r\nFrom b\r\nB: 2\r\n",
            ["A: 1\r\n\r\nhi\r\n", "B: 2\r\n"]
        );
        // "From" without a space, and "From " with no empty line before: no split.
        t!(
            b"From a\nA: 1\n\nFromage\nFrom here\n\nFrom b\nB\n",
            ["A: 1\n\nFromage\nFrom here\n", "B\n"]
        );
        t!(b"From a\n\nFrom b\n", ["", ""]);
        t!(b"", []);
    }

    #[test]
    fn mboxrd_unquoting() {
        t!(
            b"From a\nA: 1\n\n>From me\n>>From you\nx >From no\n>Fromage\n",
            ["A: 1\n\nFrom me\n>From you\nx >From no\n>Fromage\n"]
        );
        assert_eq!(unquote(b">From x"), b"From x");
    }

    #[test]
    fn offsets_tile_the_stream() {
        let input = b"From a\nA\n\nFrom b\nBB\n\nFrom c\nCCC\n";
        let got = split(input, 3, u64::MAX);
        let want: Vec<(u64, u64)> = naive(input);
        assert_eq!(got.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>(), want);
    }

    #[test]
    fn oversize_is_counted_not_held() {
        let mut input = b"From a\nA\n\n".to_vec();
        input.extend(b"From big\n");
        input.extend(vec![b'x'; 10_000]);
        input.extend(b"\n\nFrom c\nC\n");
        for chunk in [1, 7, 100, CHUNK] {
            let got = split(&input, chunk, 1000);
            assert_eq!(got.len(), 3);
            assert_eq!(got[0].2.as_deref(), Some("A\n"));
            assert_eq!((got[1].0, got[1].1, got[1].2.is_none()), (10, 10_011, true));
            assert_eq!(got[2].2.as_deref(), Some("C\n"));
            assert_eq!(got[2].0, 10_021);
        }
    }

    #[test]
    fn broken_stream_reports_the_message_being_read() {
        struct Cut<'a>(&'a [u8]);
        impl Read for Cut<'_> {
            fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "cut"));
                }
                let n = b.len().min(self.0.len());
                b[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut s = Splitter::with_chunk(Cut(b"From a\nA\n\nFrom b\nB"), u64::MAX, 4);
        let first = s.next_record().unwrap().unwrap();
        assert_eq!(first.data.as_deref(), Some(&b"A\n"[..]));
        let broken = s.next_record().unwrap().unwrap_err();
        assert_eq!((broken.index, broken.offset, broken.bytes), (1, 10, 8));
        assert!(s.next_record().is_none());
    }

    proptest::proptest! {
        #[test]
        fn streaming_agrees_with_naive(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["From ", "From x\n", "\n", "\r\n", ">From ", "a", "Fro", "m "]),
                0..40,
            ),
            chunk in 1usize..16,
            limit in 0u64..64,
        ) {
            let input: Vec<u8> = parts.concat().into_bytes();
            let got = split(&input, chunk, limit);
            let want = naive(&input);
            proptest::prop_assert_eq!(got.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>(), want.clone());
            for (g, w) in got.iter().zip(&want) {
                proptest::prop_assert_eq!(g.2.is_some(), w.1 <= limit);
                if let Some(d) = &g.2 {
                    let rec = &input[w.0 as usize..(w.0 + w.1) as usize];
                    proptest::prop_assert_eq!(d.as_bytes(), &message_of(rec)[..]);
                }
            }
        }
    }
}
