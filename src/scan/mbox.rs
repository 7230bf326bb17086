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
//! The splitter reads the stream in fills of [`CHUNK`] bytes into a shared
//! buffer, and a record is a range of that buffer, not a copy. Stripping the
//! `From ` line and mboxrd unquoting ([`Slice::message`]) are left to
//! whoever classifies the record, and borrow the buffer when there is
//! nothing to unquote. For the scanner, [`Splitter::next_piece`] does even
//! less: it only finds the last separator in each fill and hands over the
//! records before it as one [`Block`], which the classifier threads split
//! ([`Block::records`]); [`Splitter::next_record`] splits records one by one.
//!
//! Before each fill the message being read (the tail of the buffer) moves to
//! the front of the buffer in place when no record points into it any more,
//! or else to a free buffer, one that earlier records pointed into and that
//! has been let go since (or a new one). A message over the size limit is
//! counted and skipped, never held whole, so the splitter holds the current
//! message (up to the limit) plus one fill, and the buffers the records not
//! yet dropped lie in.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::Arc;

use memchr::memmem;

/// Bytes asked of the reader per refill. The part of a message carried over
/// from one fill to the next is copied; at 2 MiB that is a small share.
pub(crate) const CHUNK: usize = 2 << 20;

/// Buffers let go by the splitter but maybe still pinned by records, kept to
/// be reused once they are free. Beyond this many the oldest is forgotten
/// (freed by its last record).
const SPARE: usize = 64;

/// One message record cut out of the stream.
#[derive(Debug)]
pub(crate) struct Record {
    /// 0-based message number in the stream.
    pub index: u64,
    /// Byte offset of its `From ` line in the stream.
    pub offset: u64,
    /// Size of the record in the stream: `From ` line to the next separator.
    pub bytes: u64,
    /// The record's bytes, or `None` when it is over the size limit.
    pub data: Option<Slice>,
}

/// A record's bytes: a range of a buffer shared with the splitter and with
/// the other records read in the same fill.
#[derive(Debug, Clone)]
pub(crate) struct Slice {
    buf: Arc<Vec<u8>>,
    start: usize,
    end: usize,
}

impl Slice {
    /// The record as it is in the stream, `From ` line included.
    pub(crate) fn record(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// The message as the classifier gets it: no `From ` line, unquoted.
    pub(crate) fn message(&self) -> Cow<'_, [u8]> {
        message_of(self.record())
    }

    /// The buffer the record lies in, which it keeps alive.
    pub(crate) fn buffer(&self) -> &Arc<Vec<u8>> {
        &self.buf
    }
}

/// Whole records, one after the other, as [`Splitter::next_piece`] cuts
/// them: the reader only finds where the last of them ends, and whoever
/// classifies them splits them with [`Block::records`].
#[derive(Debug)]
pub(crate) struct Block {
    /// Stream offset of the first record's `From ` line.
    pub offset: u64,
    pub data: Slice,
}

impl Block {
    /// The records of the block, as [`Splitter::next_record`] would cut
    /// them, found in one pass that also finds what mboxrd unquoting drops.
    pub(crate) fn records(&self) -> Vec<BlockRecord> {
        let b = self.data.record();
        let mut out = Vec::new();
        let mut start = 0;
        let mut body = body_start(b, 0);
        let mut quotes = Vec::new();
        for h in memmem::find_iter(b, b"From ") {
            if h >= 2 && b[h - 1] == b'\n' && is_separator(b, h - 1) {
                out.push(self.record(start, h, body, std::mem::take(&mut quotes)));
                start = h;
                body = body_start(b, h);
            } else if h > body && b[h - 1] == b'>' {
                // `>+From ` at the start of a body line loses one `>`.
                let mut j = h - 1;
                while j > body && b[j - 1] == b'>' {
                    j -= 1;
                }
                if j == body || b[j - 1] == b'\n' {
                    quotes.push(j - start);
                }
            }
        }
        out.push(self.record(start, b.len(), body, quotes));
        out
    }

    fn record(&self, start: usize, end: usize, body: usize, quotes: Vec<usize>) -> BlockRecord {
        let rec = &self.data.record()[start..end];
        let tail = final_empty_line(rec);
        BlockRecord {
            offset: self.offset + start as u64,
            data: Slice {
                buf: Arc::clone(&self.data.buf),
                start: self.data.start + start,
                end: self.data.start + end,
            },
            body: (body.min(end - tail) - start, rec.len() - tail),
            quotes,
        }
    }
}

/// Where the body of the record starting at `start` starts: after its
/// `From ` line (at its end if it is all `From ` line), or at `start` if it
/// has none.
fn body_start(b: &[u8], start: usize) -> usize {
    if b[start..].starts_with(b"From ") {
        memchr::memchr(b'\n', &b[start..]).map_or(b.len(), |nl| start + nl + 1)
    } else {
        start
    }
}

/// A record of a [`Block`], with what [`message_of`] would make of it
/// already found.
#[derive(Debug)]
pub(crate) struct BlockRecord {
    /// Stream offset of its first byte.
    pub offset: u64,
    data: Slice,
    /// The message in `data`: no `From ` line, no final empty line.
    body: (usize, usize),
    /// Offsets in `data` of the `>` bytes unquoting drops.
    quotes: Vec<usize>,
}

impl BlockRecord {
    /// The record as it is in the stream.
    pub(crate) fn record(&self) -> &[u8] {
        self.data.record()
    }

    /// Same as [`Slice::message`].
    pub(crate) fn message(&self) -> Cow<'_, [u8]> {
        let rec = self.data.record();
        let (start, end) = self.body;
        if self.quotes.is_empty() {
            return Cow::Borrowed(&rec[start..end]);
        }
        let mut out = Vec::with_capacity(end - start - self.quotes.len());
        let mut from = start;
        for &q in &self.quotes {
            out.extend_from_slice(&rec[from..q]);
            from = q + 1;
        }
        out.extend_from_slice(&rec[from..end]);
        Cow::Owned(out)
    }
}

/// What [`Splitter::next_piece`] yields.
#[derive(Debug)]
pub(crate) enum Piece {
    /// Whole records, not yet told apart.
    Block(Block),
    /// A record over the size limit whose bytes were dropped as they came
    /// (`data` is `None`); its `index` is meaningless.
    Record(Record),
    /// The stream broke.
    Broken(Broken),
}

/// `\nFrom ` at `p` of `b` opens a record at `p + 1`: an empty line (`\n`
/// or `\r\n`) comes before it.
fn is_separator(b: &[u8], p: usize) -> bool {
    p >= 1 && (b[p - 1] == b'\n' || (p >= 2 && b[p - 1] == b'\r' && b[p - 2] == b'\n'))
}

/// A read error in the middle of a stream: the message being read is lost.
#[derive(Debug)]
pub(crate) struct Broken {
    pub offset: u64,
    /// Bytes of the broken message read before the error.
    pub bytes: u64,
    pub error: io::Error,
}

/// Splits a byte stream into mbox records.
pub(crate) struct Splitter<R> {
    r: R,
    /// The bytes read are `buf[..len]`; the rest is room for the next fill,
    /// kept initialised so that reading into it does not clear it first.
    buf: Arc<Vec<u8>>,
    len: usize,
    /// Buffers records were cut from, for reuse when they are free again.
    spare: VecDeque<Arc<Vec<u8>>>,
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
            buf: Arc::new(Vec::new()),
            len: 0,
            spare: VecDeque::new(),
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
                if let Some(b) = self.broken() {
                    return Some(Err(b));
                }
                if self.start < self.len || self.dropped > 0 {
                    let end = self.len;
                    return Some(Ok(self.take(end)));
                }
                return None;
            }
            self.refill();
        }
    }

    /// The next piece of the stream: the records up to the last separator
    /// in the buffer as one [`Block`] (the reader does not look for the
    /// others), an oversize record, or a broken stream (then the end); `None`
    /// at the end. Records are numbered by whoever counts the pieces' records
    /// in order: the pieces do not know their records' numbers.
    pub(crate) fn next_piece(&mut self) -> Option<Piece> {
        loop {
            if self.done {
                return None;
            }
            if self.dropped > 0 {
                // Where the oversize record ends.
                if let Some(q) = self.find_separator() {
                    return Some(Piece::Record(self.take(q)));
                }
            } else if let Some(q) = self.find_last_separator() {
                return Some(Piece::Block(self.take_block(q)));
            }
            if self.eof {
                self.done = true;
                if let Some(b) = self.broken() {
                    return Some(Piece::Broken(b));
                }
                let end = self.len;
                if self.dropped > 0 {
                    return Some(Piece::Record(self.take(end)));
                }
                if self.start < end {
                    return Some(Piece::Block(self.take_block(end)));
                }
                return None;
            }
            self.refill();
        }
    }

    /// The record being read when the stream broke, once.
    fn broken(&mut self) -> Option<Broken> {
        Some(Broken {
            offset: self.rec_offset,
            bytes: self.dropped + (self.len - self.start) as u64,
            error: self.broken.take()?,
        })
    }

    /// Room for the next fill (dropping an oversize record's bytes, moving
    /// the current record to the front), then the fill.
    fn refill(&mut self) {
        self.drop_oversize();
        self.compact();
        self.fill();
    }

    /// Index of the `F` of the last separator at or after `search`.
    fn find_last_separator(&mut self) -> Option<usize> {
        let buf = &self.buf[..self.len];
        let from = self.search;
        // Windows searched forward (the forward finder is vectorised, the
        // reverse one is not), from the end back, growing: the last
        // separator is usually within a message of the end.
        let mut end = buf.len();
        let mut width = 16 << 10;
        while end > from {
            let lo = end.saturating_sub(width).max(from);
            let mut last = None;
            for i in self.finder.find_iter(&buf[lo..end]) {
                if is_separator(buf, lo + i) {
                    last = Some(lo + i + 1);
                }
            }
            if last.is_some() {
                return last;
            }
            if lo == from {
                break;
            }
            // A needle that starts before `lo` may end in the next window.
            end = lo + 5;
            width *= 2;
        }
        self.search = buf.len().saturating_sub(5).max(self.start);
        None
    }

    /// Cuts the records up to `end` as a block.
    fn take_block(&mut self, end: usize) -> Block {
        let block = Block {
            offset: self.rec_offset,
            data: Slice {
                buf: Arc::clone(&self.buf),
                start: self.start,
                end,
            },
        };
        self.rec_offset = self.base + end as u64;
        self.start = end;
        self.search = end;
        block
    }

    /// Index of the `F` of the next separator at or after `search`.
    fn find_separator(&mut self) -> Option<usize> {
        let buf = &self.buf[..self.len];
        let mut from = self.search;
        while let Some(i) = self.finder.find(&buf[from..]) {
            let p = from + i;
            if is_separator(buf, p) {
                return Some(p + 1);
            }
            from = p + 1;
        }
        // Nothing complete before the end; the tail is searched again after
        // the next refill.
        self.search = buf.len().saturating_sub(5).max(self.start);
        None
    }

    /// Cuts the current record at `end` and starts the next one there.
    fn take(&mut self, end: usize) -> Record {
        let size = self.dropped + (end - self.start) as u64;
        let data = if self.dropped > 0 || size > self.limit {
            None
        } else {
            Some(Slice {
                buf: Arc::clone(&self.buf),
                start: self.start,
                end,
            })
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
        let held = (self.len - self.start) as u64;
        if self.dropped + held <= self.limit.saturating_add(TAIL as u64)
            || self.len - self.start <= TAIL
        {
            return;
        }
        let keep_from = self.len - TAIL;
        self.dropped += (keep_from - self.start) as u64;
        self.restart(keep_from);
    }

    /// Moves the current record to the front of the buffer.
    fn compact(&mut self) {
        if self.start > 0 || Arc::strong_count(&self.buf) > 1 {
            self.restart(self.start);
        }
    }

    /// Makes `buf[from..]` the whole of a buffer the splitter alone holds,
    /// with room for a fill: in place if no record points into the buffer,
    /// else in a free spare buffer or a new one.
    fn restart(&mut self, from: usize) {
        let keep = self.len - from;
        let room = keep + self.chunk;
        if let Some(v) = Arc::get_mut(&mut self.buf) {
            v.copy_within(from..self.len, 0);
            if v.len() > 2 * room {
                v.truncate(room);
                v.shrink_to_fit();
            }
        } else {
            // A free buffer with the capacity for `room`, else any free one.
            let free = |b: &Arc<Vec<u8>>| Arc::strong_count(b) == 1;
            let found = (self.spare.iter())
                .position(|b| free(b) && b.capacity() >= room)
                .or_else(|| self.spare.iter().position(free));
            let mut next = match found {
                Some(i) => self.spare.remove(i).unwrap_or_default(),
                None => Arc::default(),
            };
            // Unique: no copy.
            let v = Arc::make_mut(&mut next);
            // A buffer grown for a message far larger than a fill goes back
            // to the allocator. Any other is reused as it is, however much
            // of it this turn needs: dropping one only a little larger than
            // `room` cost a fresh buffer (a fill of zeroes and pages to
            // fault in) every few fills when a scan runs on several threads.
            if v.capacity() > 2 * (room + self.chunk) {
                *v = Vec::new();
            }
            // Capacity to spare, so that a buffer reused for a longer
            // carry-over is not reallocated (a copy, and fresh pages to
            // fault in) time and again. Capacity never written costs
            // address space, not memory.
            if v.capacity() < room {
                v.reserve_exact(room + self.chunk / 2 - v.len());
            }
            if v.len() < room {
                v.resize(room, 0);
            }
            v[..keep].copy_from_slice(&self.buf[from..self.len]);
            let old = std::mem::replace(&mut self.buf, next);
            if self.spare.len() >= SPARE {
                self.spare.pop_front();
            }
            self.spare.push_back(old);
        }
        self.len = keep;
        self.base += from as u64;
        self.search = self.search.saturating_sub(from);
        self.start = 0;
    }

    /// Reads the next chunk (less while the buffer is growing: a small
    /// stream gets a small buffer). A read error ends the stream like EOF,
    /// except that the record being read is then reported broken: the bytes
    /// read before the error (already in the buffer) still yield their
    /// records.
    fn fill(&mut self) {
        // Unique after `compact`: no copy.
        let v = Arc::make_mut(&mut self.buf);
        let want = self.len + self.chunk;
        if v.len() < want {
            let grown = (2 * v.len()).max(self.len + self.chunk.min(4096));
            v.resize(grown.min(want), 0);
        }
        let end = v.len().min(want);
        let mut got = 0;
        while self.len < end {
            match self.r.read(&mut v[self.len..end]) {
                Ok(0) => {
                    // Asked again at the next fill if this one got anything.
                    self.eof = got == 0;
                    break;
                }
                Ok(n) => {
                    self.len += n;
                    got += n;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.eof = true;
                    self.broken = Some(e);
                    break;
                }
            }
        }
    }
}

/// The message inside a record: without the `From ` line, without the empty
/// line that belongs to the next separator (or ends the file), mboxrd-unquoted.
pub(crate) fn message_of(rec: &[u8]) -> Cow<'_, [u8]> {
    let rec = &rec[..rec.len() - final_empty_line(rec)];
    unquote(&rec[body_start(rec, 0)..])
}

/// The length of the empty line that ends a record: it belongs to the next
/// separator (or ends the file), not to the message.
fn final_empty_line(rec: &[u8]) -> usize {
    if rec.ends_with(b"\r\n\r\n") {
        2
    } else {
        usize::from(rec.ends_with(b"\n\n"))
    }
}

/// mboxrd unquoting: a line matching `>+From ` loses one `>`. Applied to
/// mboxo too, where `>From ` was the writer's quoting of `From `. Borrows
/// when there is nothing to unquote.
pub(crate) fn unquote(body: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut from = 0;
    for hit in memmem::find_iter(body, b">From ") {
        let mut j = hit;
        while j > 0 && body[j - 1] == b'>' {
            j -= 1;
        }
        if j == 0 || body[j - 1] == b'\n' {
            let o = out.get_or_insert_with(|| Vec::with_capacity(body.len() - 1));
            o.extend_from_slice(&body[from..j]);
            from = j + 1;
        }
    }
    match out {
        None => Cow::Borrowed(body),
        Some(mut o) => {
            o.extend_from_slice(&body[from..]);
            Cow::Owned(o)
        }
    }
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
                r.data
                    .map(|d| String::from_utf8(d.message().into_owned()).unwrap()),
            ));
        }
        out
    }

    /// A reader that fails at the end of its bytes.
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
        assert_eq!(&*unquote(b">From x"), b"From x");
        assert!(matches!(unquote(b"x >From y\n"), Cow::Borrowed(_)));
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
        let mut s = Splitter::with_chunk(Cut(b"From a\nA\n\nFrom b\nB"), u64::MAX, 4);
        let first = s.next_record().unwrap().unwrap();
        assert_eq!(&*first.data.unwrap().message(), b"A\n");
        let broken = s.next_record().unwrap().unwrap_err();
        assert_eq!((broken.offset, broken.bytes), (10, 8));
        assert!(s.next_record().is_none());
    }

    /// The copying unquote the splitter had before records shared its
    /// buffer, to check the borrowing one against.
    fn unquote_copying(body: &[u8]) -> Vec<u8> {
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
        let mut out = Vec::new();
        let mut from = 0;
        for c in cut {
            out.extend_from_slice(&body[from..c]);
            from = c + 1;
        }
        out.extend_from_slice(&body[from..]);
        out
    }

    /// All records of `input`, held until the end (so that every fill must
    /// carry the message being read over to another buffer), except those
    /// whose index is a multiple of `drop_every` (dropped at once, so that
    /// buffers also come free and are reused or compacted in place).
    fn split_held(input: &[u8], chunk: usize, limit: u64, drop_every: u64) -> Vec<Record> {
        let mut s = Splitter::with_chunk(input, limit, chunk);
        let mut out = Vec::new();
        while let Some(r) = s.next_record() {
            let r = r.unwrap();
            if r.index % drop_every != 0 {
                out.push(r);
            }
        }
        out
    }

    /// Records as the scanner gets them: pieces from the reader, blocks
    /// split by the worker, the limit applied to the records of a block.
    fn split_blocks(input: &[u8], chunk: usize, limit: u64) -> Vec<(u64, u64, Option<String>)> {
        let mut s = Splitter::with_chunk(input, limit, chunk);
        let mut out = Vec::new();
        let mut blocks = Vec::new();
        while let Some(p) = s.next_piece() {
            match p {
                Piece::Block(b) => {
                    assert!(!b.data.record().is_empty());
                    for r in b.records() {
                        let offset = r.offset;
                        let bytes = r.record().len() as u64;
                        let data = (bytes <= limit)
                            .then(|| String::from_utf8(r.message().into_owned()).unwrap());
                        out.push((offset, bytes, data));
                    }
                    // Held, so that later fills cannot reuse its buffer.
                    blocks.push(b);
                }
                Piece::Record(r) => {
                    assert!(r.data.is_none());
                    out.push((r.offset, r.bytes, None));
                }
                Piece::Broken(b) => panic!("{b:?}"),
            }
        }
        out
    }

    #[test]
    fn blocks_split_like_records() {
        let mut input = Vec::new();
        // Lengths around the backward search's windows (16 KiB, doubling);
        // bodies full of `From ` lines that are not separators.
        for (i, len) in [
            3usize, 200, 5, 10_000, 64, 65, 63, 1, 40_000, 16_380, 100_000, 7,
        ]
        .into_iter()
        .enumerate()
        {
            let body = "x\nFrom y\n>From z\n".repeat(len / 16);
            input.extend(format!("From m{i}\nS: {i}\n\n>From {body}\n\n").bytes());
        }
        for chunk in [1, 2, 7, 64, 100, 4096, CHUNK] {
            for limit in [u64::MAX, 1000, 0] {
                assert_eq!(
                    split_blocks(&input, chunk, limit),
                    split(&input, chunk, limit),
                    "chunk {chunk}, limit {limit}"
                );
            }
        }
    }

    #[test]
    fn broken_stream_in_blocks() {
        let mut s = Splitter::with_chunk(Cut(b"From a\nA\n\nFrom b\nB"), u64::MAX, 4);
        let Some(Piece::Block(b)) = s.next_piece() else {
            panic!()
        };
        assert_eq!((b.offset, b.records().len()), (0, 1));
        let Some(Piece::Broken(broken)) = s.next_piece() else {
            panic!()
        };
        assert_eq!((broken.offset, broken.bytes), (10, 8));
        assert!(s.next_piece().is_none());
    }

    #[test]
    fn messages_straddling_fills_and_larger_than_a_fill() {
        let mut input = Vec::new();
        let mut want = Vec::new();
        for (i, len) in [3usize, 200, 5, 1000, 64, 65, 63, 1]
            .into_iter()
            .enumerate()
        {
            let body: String = (0..len)
                .map(|k| (b'a' + ((i + k) % 26) as u8) as char)
                .collect();
            let msg = format!("Subject: {i}\n\n>From {body}\n");
            input.extend(format!("From m{i}\n").bytes());
            input.extend(msg.replace(">From", ">>From").bytes());
            input.extend(b"\n");
            want.push(msg);
        }
        for chunk in [1, 2, 7, 64, 100, CHUNK] {
            for drop_every in [1, 2, 3, u64::MAX] {
                let got: Vec<String> = split_held(&input, chunk, u64::MAX, drop_every)
                    .iter()
                    .map(|r| {
                        String::from_utf8(r.data.as_ref().unwrap().message().into_owned()).unwrap()
                    })
                    .collect();
                let want: Vec<&String> = want
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i as u64 % drop_every != 0)
                    .map(|(_, m)| m)
                    .collect();
                assert_eq!(
                    got.iter().collect::<Vec<_>>(),
                    want,
                    "chunk {chunk}, drop every {drop_every}"
                );
            }
        }
    }

    #[test]
    fn free_buffers_are_reused() {
        let input: Vec<u8> = (0..2000)
            .flat_map(|i| format!("From {i}\nS: {i}\n\nbody {i}\n\n").into_bytes())
            .collect();
        let buffers = |window: usize| {
            let mut s = Splitter::with_chunk(&input[..], u64::MAX, 256);
            let mut held = VecDeque::new();
            let mut seen = std::collections::HashSet::new();
            let mut n = 0;
            while let Some(r) = s.next_record() {
                let d = r.unwrap().data.unwrap();
                seen.insert(Arc::as_ptr(d.buffer()));
                held.push_back(d);
                if held.len() > window {
                    held.pop_front();
                }
                n += 1;
            }
            assert_eq!(n, 2000);
            seen.len()
        };
        // Records dropped at once: one buffer, compacted in place.
        assert_eq!(buffers(0), 1);
        // 40 records held (about 1 KiB, four fills): the buffers they lie
        // in, the one being filled, and one not yet seen free; reused round,
        // not one per fill (the stream is some 200 fills).
        let n = buffers(40);
        assert!((5..=8).contains(&n), "{n}");
    }

    #[test]
    fn small_streams_do_not_pin_a_whole_fill() {
        let input = b"From a\nA\n\nFrom b\nB\n";
        let mut s = Splitter::new(&input[..], u64::MAX);
        let r = s.next_record().unwrap().unwrap();
        assert!(r.data.unwrap().buffer().len() <= 4096);
    }

    /// Mbox text made of separators, quotes, line ends and bits of them
    /// (with lone `>` when `quotes`).
    fn mbox_soup(quotes: bool) -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::strategy::Strategy;
        let mut pieces = vec![
            "From ", "From x\n", "\n", "\r\n", ">From ", "a", "Fro", "m ",
        ];
        if quotes {
            pieces.push(">");
        }
        proptest::collection::vec(proptest::sample::select(pieces), 0..40)
            .prop_map(|p| p.concat().into_bytes())
    }

    proptest::proptest! {
        #[test]
        fn unquote_borrows_and_agrees_with_copying(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![">", ">From ", "From ", "\n", "\r\n", "a", " "]),
                0..40,
            ),
        ) {
            let body = parts.concat().into_bytes();
            let got = unquote(&body);
            proptest::prop_assert_eq!(&*got, &unquote_copying(&body)[..]);
            proptest::prop_assert_eq!(matches!(got, Cow::Borrowed(_)), got.len() == body.len());
        }

        #[test]
        fn blocks_agree_with_records(
            input in mbox_soup(true),
            chunk in 1usize..16,
            limit in 0u64..64,
        ) {
            proptest::prop_assert_eq!(split_blocks(&input, chunk, limit), split(&input, chunk, limit));
        }

        #[test]
        fn held_records_agree_with_naive(
            input in mbox_soup(false),
            chunk in 1usize..16,
            limit in 0u64..64,
            drop_every in 1u64..4,
        ) {
            let got = split_held(&input, chunk, limit, drop_every);
            let want: Vec<(u64, u64)> = naive(&input)
                .into_iter()
                .enumerate()
                .filter(|(i, _)| *i as u64 % drop_every != 0)
                .map(|(_, w)| w)
                .collect();
            proptest::prop_assert_eq!(got.iter().map(|r| (r.offset, r.bytes)).collect::<Vec<_>>(), want.clone());
            for (g, w) in got.iter().zip(&want) {
                proptest::prop_assert_eq!(g.data.is_some(), w.1 <= limit);
                let rec = &input[w.0 as usize..(w.0 + w.1) as usize];
                if let Some(d) = &g.data {
                    proptest::prop_assert_eq!(d.record(), rec);
                    let mut old = rec;
                    if old.ends_with(b"\r\n\r\n") {
                        old = &old[..old.len() - 2];
                    } else if old.ends_with(b"\n\n") {
                        old = &old[..old.len() - 1];
                    }
                    let body = match memchr::memchr(b'\n', old) {
                        Some(nl) if old.starts_with(b"From ") => &old[nl + 1..],
                        None if old.starts_with(b"From ") => &[][..],
                        _ => old,
                    };
                    proptest::prop_assert_eq!(&d.message()[..], &unquote_copying(body)[..]);
                }
            }
        }

        #[test]
        fn streaming_agrees_with_naive(
            input in mbox_soup(false),
            chunk in 1usize..16,
            limit in 0u64..64,
        ) {
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
