//! The reading side of a scan: expands inputs into files, recognises gzip
//! and mbox by content, splits messages and hands them on in batches.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, Cursor, Read};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

use flate2::read::MultiGzDecoder;
use walkdir::WalkDir;

use super::mbox::{Block, Broken, Piece, Record, Splitter};
use super::{Config, Input, Progress, ScanError};

/// One message to classify, or the error that stands for it.
pub(crate) struct Job {
    pub source: Arc<Path>,
    /// Meaningless for the jobs of an mbox (see `stream`).
    pub index: u64,
    pub offset: Option<u64>,
    pub bytes: u64,
    pub work: Work,
    /// For the jobs of an mbox, a number for the stream, unique in the scan
    /// and never 0: the reader does not count the records of a block, so
    /// the items of a stream are numbered as they are handed out, in order.
    /// 0 for the rest, whose `index` is right.
    pub stream: u64,
}

pub(crate) enum Work {
    /// A one-message file, read whole.
    Classify(Vec<u8>),
    /// Whole mbox records, still with their `From ` lines and mboxrd
    /// quoting, to be told apart and classified; those over `limit` are
    /// [`ScanError::TooLarge`].
    Block {
        block: Block,
        limit: u64,
    },
    Failed(ScanError),
}

/// Extensions scanned in a directory without looking at the content.
const MAIL_EXTENSIONS: &[&str] = &["eml", "mbox", "mbx", "mail", "gz"];

/// Bytes looked at to recognise gzip, mbox or a header line.
const SNIFF: usize = 512;

/// Reads every input in order and sends its messages in batches. Returns
/// early when the consumer has gone.
pub(crate) fn produce(
    inputs: Vec<Input>,
    cfg: Config,
    tx: SyncSender<Vec<Job>>,
    progress: &Progress,
) {
    let mut r = Reader {
        out: Batcher {
            tx,
            jobs: Vec::new(),
            bytes: 0,
            last_buffer: None,
            cfg,
        },
        streams: 0,
        cfg,
        progress,
    };
    for input in inputs {
        let go_on = match input {
            Input::Path(p) => r.path(&p),
            Input::Stdin => r.stream(Arc::from(Path::new("-")), io::stdin().lock(), None, false),
            Input::Reader { name, reader } => {
                r.stream(Arc::from(name.as_path()), reader, None, false)
            }
        };
        if !go_on {
            return;
        }
    }
    r.out.flush();
}

struct Batcher {
    tx: SyncSender<Vec<Job>>,
    jobs: Vec<Job>,
    /// Memory the batch holds: its one-message files, and the whole of
    /// every read buffer its mbox records lie in.
    bytes: u64,
    /// The address of the buffer the batch's last record lies in: only
    /// compared, and not reused while a record of the batch holds it.
    last_buffer: Option<usize>,
    cfg: Config,
}

impl Batcher {
    /// Queues a job; false when the consumer has gone.
    fn push(&mut self, job: Job) -> bool {
        let add = match &job.work {
            Work::Classify(d) => d.len() as u64,
            Work::Block { block, .. } => {
                // Blocks come in stream order, so the buffers of a batch
                // are met one after the other.
                let buffer = block.data.buffer();
                let b = Arc::as_ptr(buffer) as usize;
                if self.last_buffer == Some(b) {
                    0
                } else {
                    self.last_buffer = Some(b);
                    buffer.len() as u64
                }
            }
            Work::Failed(_) => 0,
        };
        // A batch holds no more than `batch_bytes`, or one file or fill
        // larger than that.
        if self.bytes + add > self.cfg.batch_bytes && !self.jobs.is_empty() {
            let buffer = self.last_buffer;
            if !self.flush() {
                return false;
            }
            self.last_buffer = buffer;
        }
        self.bytes += add;
        self.jobs.push(job);
        if self.jobs.len() >= self.cfg.batch_messages || self.bytes >= self.cfg.batch_bytes {
            return self.flush();
        }
        true
    }

    fn flush(&mut self) -> bool {
        if self.jobs.is_empty() {
            return true;
        }
        self.bytes = 0;
        self.last_buffer = None;
        self.tx.send(std::mem::take(&mut self.jobs)).is_ok()
    }
}

struct Reader<'a> {
    out: Batcher,
    /// mbox streams met so far.
    streams: u64,
    cfg: Config,
    progress: &'a Progress,
}

/// Whether a file met in a directory is mail.
#[derive(Clone, Copy, PartialEq)]
enum Admit {
    /// By name or place (extension, Maildir): scan it.
    Always,
    /// Scan it only if its first line looks like mail.
    IfMail,
}

impl Reader<'_> {
    fn fail(&mut self, source: &Path, index: u64, error: ScanError) -> bool {
        self.out.push(Job {
            source: Arc::from(source),
            index,
            offset: None,
            bytes: 0,
            work: Work::Failed(error),
            stream: 0,
        })
    }

    fn path(&mut self, p: &Path) -> bool {
        match fs::metadata(p) {
            Ok(m) if m.is_dir() => self.walk(p),
            Ok(m) => self.file(p, m.len(), Admit::Always),
            Err(source) => self.fail(
                p,
                0,
                ScanError::Io {
                    path: p.to_path_buf(),
                    source,
                },
            ),
        }
    }

    fn walk(&mut self, root: &Path) -> bool {
        let walker = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                !(e.depth() > 0 && e.file_type().is_dir() && is_maildir_sub(e.path(), "tmp"))
            });
        // Whether the last parent directory seen is a Maildir's cur/ or new/:
        // asked once per directory, not once per file.
        let mut maildir: Option<(std::path::PathBuf, bool)> = None;
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().unwrap_or(root).to_path_buf();
                    let reason = walk_reason(&e, &path);
                    let error = ScanError::Walk {
                        path: path.clone(),
                        reason,
                    };
                    if !self.fail(&path, 0, error) {
                        return false;
                    }
                    continue;
                }
            };
            if entry.file_type().is_dir() {
                continue;
            }
            let hidden = entry.file_name().as_encoded_bytes().starts_with(b".");
            // FIFOs, sockets and devices could block or never end.
            if !entry.file_type().is_file() || hidden {
                self.progress.ignored.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            let path = entry.path();
            let in_maildir = |cache: &mut Option<(std::path::PathBuf, bool)>| {
                let dir = path.parent()?;
                match cache {
                    Some((d, yes)) if d == dir => Some(*yes),
                    _ => {
                        let yes = is_maildir_sub(dir, "cur") || is_maildir_sub(dir, "new");
                        *cache = Some((dir.to_path_buf(), yes));
                        Some(yes)
                    }
                }
            };
            let admit = if has_mail_extension(path) || in_maildir(&mut maildir) == Some(true) {
                Admit::Always
            } else {
                Admit::IfMail
            };
            let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if !self.file(path, len, admit) {
                return false;
            }
        }
        true
    }

    fn file(&mut self, p: &Path, len: u64, admit: Admit) -> bool {
        match File::open(p) {
            Ok(f) => self.stream(Arc::from(p), f, Some(len), admit == Admit::IfMail),
            Err(source) => self.fail(
                p,
                0,
                ScanError::Io {
                    path: p.to_path_buf(),
                    source,
                },
            ),
        }
    }

    /// One file or stream: gzip or not, mbox or one message. `len` is the
    /// size on disk when known; `sniff` passes over content that is not mail.
    fn stream(&mut self, source: Arc<Path>, r: impl Read, len: Option<u64>, sniff: bool) -> bool {
        self.progress.files.fetch_add(1, Ordering::Relaxed);
        let mut r = Counting {
            inner: r,
            progress: self.progress,
        };
        let head = match read_prefix(&mut r, SNIFF) {
            Ok(h) => h,
            Err(source_err) => {
                return self.fail(
                    &source,
                    0,
                    ScanError::Io {
                        path: source.to_path_buf(),
                        source: source_err,
                    },
                )
            }
        };
        let gz = head.starts_with(&[0x1f, 0x8b]);
        if sniff && !gz && !looks_like_mail(&head) {
            self.progress.ignored.fetch_add(1, Ordering::Relaxed);
            return true;
        }
        let r = Cursor::new(head).chain(r);
        if !gz {
            let mbox = {
                let h = r.get_ref().0.get_ref();
                h.starts_with(b"From ")
            };
            return if mbox {
                self.mbox(source, r, false)
            } else {
                self.single(source, r, len, false)
            };
        }
        let mut dec = Limited {
            inner: MultiGzDecoder::new(r),
            read: 0,
            limit: self.cfg.max_decompressed,
        };
        let head = match read_prefix(&mut dec, 5) {
            Ok(h) => h,
            Err(e) => {
                let err = self.stream_error(&source, 0, 0, e, true);
                return self.fail(&source, 0, err);
            }
        };
        let mbox = head.starts_with(b"From ");
        let r = Cursor::new(head).chain(dec);
        if mbox {
            self.mbox(source, r, true)
        } else {
            self.single(source, r, None, true)
        }
    }

    fn mbox(&mut self, source: Arc<Path>, r: impl Read, gz: bool) -> bool {
        let limit = self.cfg.max_message_size;
        self.streams += 1;
        let stream = self.streams;
        let mut split = Splitter::new(r, limit);
        while let Some(piece) = split.next_piece() {
            let (offset, bytes, work) = match piece {
                Piece::Block(block) => {
                    let offset = block.offset;
                    let bytes = block.data.record().len() as u64;
                    (offset, bytes, Work::Block { block, limit })
                }
                Piece::Record(Record { offset, bytes, .. }) => {
                    let err = ScanError::TooLarge {
                        path: source.to_path_buf(),
                        index: 0,
                        size: bytes,
                        limit,
                    };
                    (offset, bytes, Work::Failed(err))
                }
                Piece::Broken(Broken {
                    offset,
                    bytes,
                    error,
                    ..
                }) => {
                    let err = self.stream_error(&source, 0, offset + bytes, error, gz);
                    (offset, bytes, Work::Failed(err))
                }
            };
            let job = Job {
                source: Arc::clone(&source),
                index: 0,
                offset: Some(offset),
                bytes,
                work,
                stream,
            };
            if !self.out.push(job) {
                return false;
            }
        }
        true
    }

    fn single(&mut self, source: Arc<Path>, mut r: impl Read, len: Option<u64>, gz: bool) -> bool {
        let limit = self.cfg.max_message_size;
        let too_large = |size| {
            Work::Failed(ScanError::TooLarge {
                path: source.to_path_buf(),
                index: 0,
                size,
                limit,
            })
        };
        let (bytes, work) = match len {
            // Known to be too large: not read at all.
            Some(len) if len > limit => (len, too_large(len)),
            _ => {
                let mut data = Vec::with_capacity(len.unwrap_or(0).min(limit) as usize);
                match (&mut r)
                    .take(limit.saturating_add(1))
                    .read_to_end(&mut data)
                {
                    Err(e) => {
                        let n = data.len() as u64;
                        (n, Work::Failed(self.stream_error(&source, 0, n, e, gz)))
                    }
                    Ok(n) if n as u64 > limit => {
                        // Count the rest without holding it.
                        let rest = io::copy(&mut r, &mut io::sink()).unwrap_or(0);
                        let size = n as u64 + rest;
                        (size, too_large(size))
                    }
                    Ok(n) => (n as u64, Work::Classify(data)),
                }
            }
        };
        self.out.push(Job {
            source,
            index: 0,
            offset: None,
            bytes,
            work,
            stream: 0,
        })
    }

    fn stream_error(
        &self,
        source: &Path,
        index: u64,
        decompressed: u64,
        e: io::Error,
        gz: bool,
    ) -> ScanError {
        let path = source.to_path_buf();
        if e.get_ref().is_some_and(|i| i.is::<LimitHit>()) {
            ScanError::DecompressionLimit {
                path,
                index,
                limit: self.cfg.max_decompressed,
            }
        } else if gz {
            ScanError::Gzip {
                path,
                index,
                decompressed,
                source: e,
            }
        } else {
            ScanError::Io { path, source: e }
        }
    }
}

fn walk_reason(e: &walkdir::Error, path: &Path) -> String {
    if let Some(ancestor) = e.loop_ancestor() {
        return format!("symbolic link loop back to {}", ancestor.display());
    }
    match e.io_error() {
        Some(io) if io.kind() == io::ErrorKind::NotFound && fs::symlink_metadata(path).is_ok() => {
            format!("dangling symbolic link: {io}")
        }
        Some(io) => io.to_string(),
        None => e.to_string(),
    }
}

fn has_mail_extension(p: &Path) -> bool {
    p.extension()
        .and_then(OsStr::to_str)
        .is_some_and(|x| MAIL_EXTENSIONS.iter().any(|m| x.eq_ignore_ascii_case(m)))
}

/// `p` is `<maildir>/<name>` where `<maildir>` has `cur/`, `new/` and `tmp/`.
fn is_maildir_sub(p: &Path, name: &str) -> bool {
    p.file_name() == Some(OsStr::new(name))
        && p.parent()
            .is_some_and(|d| ["cur", "new", "tmp"].iter().all(|s| d.join(s).is_dir()))
}

/// The first line is an mbox `From ` line or a header field (`Name:`).
fn looks_like_mail(head: &[u8]) -> bool {
    if head.starts_with(b"From ") {
        return true;
    }
    let line = &head[..memchr::memchr(b'\n', head).unwrap_or(head.len())];
    match memchr::memchr(b':', line) {
        Some(c) if c > 0 => line[..c]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        _ => false,
    }
}

/// Reads up to `n` bytes (fewer only at the end of the stream).
fn read_prefix(r: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    r.take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Counts the bytes read from an input, for progress.
struct Counting<'a, R> {
    inner: R,
    progress: &'a Progress,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress
            .input_bytes
            .fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Marks the error a [`Limited`] reader returns.
#[derive(Debug)]
struct LimitHit;

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("decompression limit reached")
    }
}

impl std::error::Error for LimitHit {}

/// Fails once more than `limit` bytes came out of the decoder.
struct Limited<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(io::Error::other(LimitHit));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_sniffing() {
        for (head, mail) in [
            (&b"From x@y Mon Jan  1 00:00:00 2024\n"[..], true),
            (b"Received: from x\r\n", true),
            (b"X-Original-To: a\n", true),
            (b"file,label,wallets\n", false),
            (b"{\"a\":1}\n", false),
            (b": x\n", false),
            (b"", false),
            (b"\x00\x01binary", false),
        ] {
            assert_eq!(
                looks_like_mail(head),
                mail,
                "{:?}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn extensions() {
        assert!(has_mail_extension(Path::new("a/b.EML")));
        assert!(has_mail_extension(Path::new("x.mbox.gz")));
        assert!(!has_mail_extension(Path::new("labels.csv")));
        assert!(!has_mail_extension(Path::new("eml")));
    }

    #[test]
    fn limited_reader_marks_its_error() {
        let mut r = Limited {
            inner: &[0u8; 100][..],
            read: 0,
            limit: 10,
        };
        let e = io::copy(&mut r, &mut io::sink()).unwrap_err();
        assert!(e.get_ref().is_some_and(|i| i.is::<LimitHit>()));
    }
}
