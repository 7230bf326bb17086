//! The reading side of a scan: expands inputs into files, recognises gzip
//! and mbox by content and splits messages, one job at a time as they are
//! asked for ([`Jobs`]), and in batches ([`Batches`]) for the threads of a
//! threaded scan, which take turns at reading.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use flate2::read::MultiGzDecoder;
use walkdir::{DirEntry, WalkDir};

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

/// The jobs of a scan in batches (as `cfg` bounds them), read as they are
/// asked for: the classifier threads take turns at it.
pub(crate) struct Batches {
    jobs: Jobs,
    /// A job read for a batch that it would have made too large: the first
    /// of the next, with its cost and buffer (see [`Batches::cost`]).
    held: Option<(Job, u64, Option<usize>)>,
    cfg: Config,
}

impl Batches {
    pub(crate) fn new(jobs: Jobs, cfg: Config) -> Batches {
        Batches {
            jobs,
            held: None,
            cfg,
        }
    }

    /// The next batch; `None` at the end of the inputs. A batch holds no
    /// more than `batch_messages` jobs and `batch_bytes`, or one file or
    /// fill larger than that.
    pub(crate) fn next_batch(&mut self) -> Option<Vec<Job>> {
        let mut batch = Vec::new();
        let (mut bytes, mut last_buffer) = (0, None);
        if let Some((job, add, buffer)) = self.held.take() {
            batch.push(job);
            (bytes, last_buffer) = (add, buffer);
        }
        while batch.len() < self.cfg.batch_messages && bytes < self.cfg.batch_bytes {
            let Some(job) = self.jobs.next_job() else {
                break;
            };
            let (add, buffer) = Batches::cost(&job, last_buffer);
            if bytes + add > self.cfg.batch_bytes && !batch.is_empty() {
                self.held = Some((job, add, buffer));
                break;
            }
            batch.push(job);
            (bytes, last_buffer) = (bytes + add, buffer);
        }
        (!batch.is_empty()).then_some(batch)
    }

    /// The memory a job adds to a batch whose last record lies in the
    /// buffer at `last_buffer`: its one-message file, or the whole of the
    /// read buffer its mbox records lie in unless that one is counted
    /// already; and the buffer the batch's last record then lies in (an
    /// address only compared, and not reused while a record holds it).
    fn cost(job: &Job, last_buffer: Option<usize>) -> (u64, Option<usize>) {
        match &job.work {
            Work::Classify(d) => (d.len() as u64, last_buffer),
            Work::Block { block, .. } => {
                // Blocks come in stream order, so the buffers of a batch
                // are met one after the other.
                let buffer = block.data.buffer();
                let b = Arc::as_ptr(buffer) as usize;
                if last_buffer == Some(b) {
                    (0, last_buffer)
                } else {
                    (buffer.len() as u64, Some(b))
                }
            }
            Work::Failed(_) => (0, last_buffer),
        }
    }
}

/// The jobs of a list of inputs, in input order, read only as they are
/// asked for ([`Jobs::next_job`]): the whole reading side of a scan, run by
/// the threads in turn, or on the caller's in a one-thread scan. It holds at
/// most one open file (and one fill of it, for an mbox) and one directory
/// walk.
pub(crate) struct Jobs {
    /// Inputs not yet begun.
    inputs: std::vec::IntoIter<Input>,
    /// The directory being walked.
    walk: Option<Walk>,
    /// The mbox being split (in a file of `walk`, or an input itself).
    mbox: Option<Mbox>,
    /// mbox streams met so far.
    streams: u64,
    cfg: Config,
    progress: Arc<Progress>,
}

type Entries = Box<dyn Iterator<Item = walkdir::Result<DirEntry>> + Send>;

/// A directory being walked.
struct Walk {
    root: PathBuf,
    entries: Entries,
    /// Whether the last parent directory seen is a Maildir's cur/ or new/:
    /// asked once per directory, not once per file.
    maildir: Option<(PathBuf, bool)>,
}

/// An mbox being split.
struct Mbox {
    source: Arc<Path>,
    /// Its number among the mbox streams of the scan, from 1.
    stream: u64,
    gz: bool,
    split: Splitter<Box<dyn Read + Send>>,
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jobs")
            .field("inputs_left", &self.inputs.len())
            .field("walk", &self.walk.as_ref().map(|w| &w.root))
            .field("mbox", &self.mbox.as_ref().map(|m| &m.source))
            .finish_non_exhaustive()
    }
}

/// Whether a file met in a directory is mail.
#[derive(Clone, Copy, PartialEq)]
enum Admit {
    /// By name or place (extension, Maildir): scan it.
    Always,
    /// Scan it only if its first line looks like mail.
    IfMail,
}

impl Jobs {
    pub(crate) fn new(inputs: Vec<Input>, cfg: Config, progress: Arc<Progress>) -> Jobs {
        Jobs {
            inputs: inputs.into_iter(),
            walk: None,
            mbox: None,
            streams: 0,
            cfg,
            progress,
        }
    }

    /// The next job, `None` once every input is read.
    pub(crate) fn next_job(&mut self) -> Option<Job> {
        loop {
            if let Some(m) = &mut self.mbox {
                if let Some(piece) = m.split.next_piece() {
                    return Some(m.job(piece, &self.cfg));
                }
                self.mbox = None;
                continue;
            }
            if let Some(w) = &mut self.walk {
                match w.entries.next() {
                    Some(entry) => {
                        if let Some(job) = self.entry(entry) {
                            return Some(job);
                        }
                    }
                    None => self.walk = None,
                }
                continue;
            }
            let job = match self.inputs.next()? {
                Input::Path(p) => self.path(&p),
                // `Stdin`, not its lock: the lock is not `Send`.
                Input::Stdin => self.stream(
                    Arc::from(Path::new("-")),
                    Box::new(io::stdin()),
                    None,
                    false,
                ),
                Input::Reader { name, reader } => {
                    self.stream(Arc::from(name.as_path()), reader, None, false)
                }
            };
            if job.is_some() {
                return job;
            }
        }
    }

    fn fail(&self, source: &Path, error: ScanError) -> Job {
        Job {
            source: Arc::from(source),
            index: 0,
            offset: None,
            bytes: 0,
            work: Work::Failed(error),
            stream: 0,
        }
    }

    /// An input path: a job for a file, or the start of a walk.
    fn path(&mut self, p: &Path) -> Option<Job> {
        match fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let entries = WalkDir::new(p)
                    .follow_links(true)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|e| {
                        !(e.depth() > 0
                            && e.file_type().is_dir()
                            && is_maildir_sub(e.path(), "tmp"))
                    });
                self.walk = Some(Walk {
                    root: p.to_path_buf(),
                    entries: Box::new(entries),
                    maildir: None,
                });
                None
            }
            Ok(m) => self.file(p, m.len(), Admit::Always),
            Err(source) => Some(self.fail(
                p,
                ScanError::Io {
                    path: p.to_path_buf(),
                    source,
                },
            )),
        }
    }

    /// An entry of the directory being walked.
    fn entry(&mut self, entry: walkdir::Result<DirEntry>) -> Option<Job> {
        let walk = self.walk.as_mut()?;
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(&walk.root).to_path_buf();
                let reason = walk_reason(&e, &path);
                let error = ScanError::Walk {
                    path: path.clone(),
                    reason,
                };
                return Some(self.fail(&path, error));
            }
        };
        if entry.file_type().is_dir() {
            return None;
        }
        let hidden = entry.file_name().as_encoded_bytes().starts_with(b".");
        // FIFOs, sockets and devices could block or never end.
        if !entry.file_type().is_file() || hidden {
            self.progress.ignored.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let path = entry.path();
        let in_maildir = |cache: &mut Option<(PathBuf, bool)>| {
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
        let admit = if has_mail_extension(path) || in_maildir(&mut walk.maildir) == Some(true) {
            Admit::Always
        } else {
            Admit::IfMail
        };
        let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
        self.file(path, len, admit)
    }

    fn file(&mut self, p: &Path, len: u64, admit: Admit) -> Option<Job> {
        match File::open(p) {
            Ok(f) => self.stream(Arc::from(p), Box::new(f), Some(len), admit == Admit::IfMail),
            Err(source) => Some(self.fail(
                p,
                ScanError::Io {
                    path: p.to_path_buf(),
                    source,
                },
            )),
        }
    }

    /// One file or stream: gzip or not, mbox or one message. `len` is the
    /// size on disk when known; `sniff` passes over content that is not
    /// mail. A job for one message or an error, or `None` once an mbox is
    /// open (its jobs follow) or when the file is passed over.
    fn stream(
        &mut self,
        source: Arc<Path>,
        r: Box<dyn Read + Send>,
        len: Option<u64>,
        sniff: bool,
    ) -> Option<Job> {
        self.progress.files.fetch_add(1, Ordering::Relaxed);
        let mut r = Counting {
            inner: r,
            progress: Arc::clone(&self.progress),
        };
        let head = match read_prefix(&mut r, SNIFF) {
            Ok(h) => h,
            Err(source_err) => {
                let error = ScanError::Io {
                    path: source.to_path_buf(),
                    source: source_err,
                };
                return Some(self.fail(&source, error));
            }
        };
        let gz = head.starts_with(&[0x1f, 0x8b]);
        if sniff && !gz && !looks_like_mail(&head) {
            self.progress.ignored.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let r = Cursor::new(head).chain(r);
        if !gz {
            let mbox = {
                let h = r.get_ref().0.get_ref();
                h.starts_with(b"From ")
            };
            return if mbox {
                self.mbox(source, Box::new(r), false)
            } else {
                Some(self.single(source, r, len, false))
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
                let err = stream_error(&self.cfg, &source, 0, e, true);
                return Some(self.fail(&source, err));
            }
        };
        let mbox = head.starts_with(b"From ");
        let r = Cursor::new(head).chain(dec);
        if mbox {
            self.mbox(source, Box::new(r), true)
        } else {
            Some(self.single(source, r, None, true))
        }
    }

    /// Opens an mbox: its jobs come next.
    fn mbox(&mut self, source: Arc<Path>, r: Box<dyn Read + Send>, gz: bool) -> Option<Job> {
        self.streams += 1;
        self.mbox = Some(Mbox {
            source,
            stream: self.streams,
            gz,
            split: Splitter::new(r, self.cfg.max_message_size),
        });
        None
    }

    fn single(&self, source: Arc<Path>, mut r: impl Read, len: Option<u64>, gz: bool) -> Job {
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
                        (n, Work::Failed(stream_error(&self.cfg, &source, n, e, gz)))
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
        Job {
            source,
            index: 0,
            offset: None,
            bytes,
            work,
            stream: 0,
        }
    }
}

impl Mbox {
    /// The job of a piece of this mbox.
    fn job(&self, piece: Piece, cfg: &Config) -> Job {
        let limit = cfg.max_message_size;
        let source = &self.source;
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
                let err = stream_error(cfg, source, offset + bytes, error, self.gz);
                (offset, bytes, Work::Failed(err))
            }
        };
        Job {
            source: Arc::clone(source),
            index: 0,
            offset: Some(offset),
            bytes,
            work,
            stream: self.stream,
        }
    }
}

/// What a read error of a stream stands for. `index` is left 0: the
/// messages of a stream are numbered as they are handed out.
fn stream_error(
    cfg: &Config,
    source: &Path,
    decompressed: u64,
    e: io::Error,
    gz: bool,
) -> ScanError {
    let path = source.to_path_buf();
    if e.get_ref().is_some_and(|i| i.is::<LimitHit>()) {
        ScanError::DecompressionLimit {
            path,
            index: 0,
            limit: cfg.max_decompressed,
        }
    } else if gz {
        ScanError::Gzip {
            path,
            index: 0,
            decompressed,
            source: e,
        }
    } else {
        ScanError::Io { path, source: e }
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
struct Counting<R> {
    inner: R,
    progress: Arc<Progress>,
}

impl<R: Read> Read for Counting<R> {
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
