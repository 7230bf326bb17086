//! Batch scanning: archives in, one [`ScanItem`] per message out, in input
//! order, classified on every core.
//!
//! ```no_run
//! use sextortion::{Input, Scanner};
//!
//! let scanner = Scanner::new(sextortion::default_classifier()).threads(0);
//! let mut scan = scanner.scan(["mail/archive.mbox.gz", "Maildir/"])?;
//! for item in &mut scan {
//!     match &item.result {
//!         Ok(v) if v.is_sextortion() => println!("{} #{}: {:?}", item.source.display(), item.index, v.wallets),
//!         Ok(_) => {}
//!         Err(e) => eprintln!("{e}"),
//!     }
//! }
//! let stats = scan.stats();
//! assert_eq!(stats.messages, stats.verdicts + stats.errors);
//! # let _ = Input::Stdin;
//! # Ok::<(), sextortion::Error>(())
//! ```
//!
//! # Inputs
//!
//! - a file holding one message (`.eml` or anything not starting with `From `);
//! - an mbox (mboxo or mboxrd), recognised by its content: the first line
//!   starts with `From `;
//! - either of those gzip-compressed, recognised by the magic bytes `1f 8b`
//!   (concatenated gzip members are read as one stream);
//! - a directory, walked recursively in file-name order. Inside it, files
//!   named `.eml`, `.mbox`, `.mbx`, `.mail` or `.gz` and every file in a
//!   Maildir's `cur/` and `new/` are scanned; `tmp/` of a Maildir (deliveries
//!   in progress) and hidden files are not; any other file is scanned only if
//!   its first line looks like a mail header or an mbox `From ` line, so
//!   `labels.csv` or a Dovecot index next to the mail is ignored
//!   ([`Scan::ignored_files`] counts them). Symbolic links are followed;
//!   loops and dangling links become error items;
//! - standard input ([`Input::Stdin`]) or any reader ([`Input::reader`]).
//!
//! [`mbox_messages`] is the splitter on its own, for any reader.
//!
//! # Order, parallelism and memory
//!
//! Each of [`Scanner::threads`] threads in turn takes the next batch of the
//! inputs (256 messages or 4 MiB), reading it itself, classifies it and
//! sends its items on; the iterator puts them back in input order. Reading
//! on the thread that classifies keeps the bytes in its core's cache, and
//! leaves no thread that only reads. An mbox is read in fills of 2 MiB,
//! never whole, and its messages are not copied out: reading only finds the
//! last message boundary in each fill, and the thread that took it then
//! (the others free to read on) tells the messages before it apart, strips
//! their `From ` lines and undoes mboxrd quoting, reading them where they
//! lie in the fill, which they keep alive (the messages of one fill count
//! as one message towards the 256). A batch's 4 MiB count the whole of
//! every fill its messages lie in (a fill is 2 MiB plus the part of a
//! message carried over from the previous one), so a batch holds at most
//! [`Scanner::batch`] bytes, or one fill or file if that is larger. At most
//! 2 × threads + 2 batches are taken and not yet handed out, so memory is
//! bounded by the thread count and the largest message, not by the
//! archive; a message over [`Scanner::max_message_size`] is counted and
//! skipped, never held whole (reading keeps at most the limit plus one
//! fill of it).
//!
//! With [`Scanner::threads`]`(1)` there is none of that: no thread is
//! spawned and no channel made, and everything — walking directories,
//! opening files, gzip, splitting mbox fills, classifying, numbering — runs
//! on the thread that iterates the [`Scan`], one file or one mbox fill at a
//! time, when the items before it have been handed out. Nothing is read
//! ahead, and the scan holds one file or fill (and its items) at a time. A
//! panic while reading the inputs ends such a scan with a
//! [`ScanError::Internal`] item, as it ends a threaded one. Either way the items are the same, in the same order.
//!
//! # Errors
//!
//! A message or file that cannot be read becomes an item whose `result` is a
//! [`ScanError`] naming the file (and message) at fault; the scan goes on.
//! Hence, always: `messages = verdicts + errors` in [`ScanStats`].

mod input;
mod mbox;

use std::collections::BTreeMap;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde::Serialize;

use crate::{Classifier, Error, Label, Verdict};

/// Default [`Scanner::max_message_size`]: 25 MiB, above what mail servers accept.
pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 25 << 20;
/// Default [`Scanner::max_decompressed`]: 4 GiB per gzip file.
pub const DEFAULT_MAX_DECOMPRESSED: u64 = 4 << 30;

/// One thing to scan.
#[non_exhaustive]
pub enum Input {
    /// A file or a directory.
    Path(PathBuf),
    /// Standard input, reported as source `-`.
    Stdin,
    /// Any reader, reported under `name`.
    Reader {
        /// The source name items carry.
        name: PathBuf,
        /// The bytes: one message, an mbox, or either gzip-compressed.
        reader: Box<dyn Read + Send>,
    },
}

impl Input {
    /// A reader input reported under `name`.
    pub fn reader(name: impl Into<PathBuf>, reader: impl Read + Send + 'static) -> Input {
        Input::Reader {
            name: name.into(),
            reader: Box::new(reader),
        }
    }
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Input::Stdin => f.write_str("Stdin"),
            Input::Reader { name, .. } => f
                .debug_struct("Reader")
                .field("name", name)
                .finish_non_exhaustive(),
        }
    }
}

impl From<PathBuf> for Input {
    fn from(p: PathBuf) -> Input {
        Input::Path(p)
    }
}

impl From<&Path> for Input {
    fn from(p: &Path) -> Input {
        Input::Path(p.to_path_buf())
    }
}

impl From<&PathBuf> for Input {
    fn from(p: &PathBuf) -> Input {
        Input::Path(p.clone())
    }
}

/// A path; `-` is a file named `-` here (the CLI maps it to [`Input::Stdin`]).
impl From<&str> for Input {
    fn from(p: &str) -> Input {
        Input::Path(p.into())
    }
}

impl From<String> for Input {
    fn from(p: String) -> Input {
        Input::Path(p.into())
    }
}

/// Why a message (or a whole file) yielded no verdict.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// Opening or reading the file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The message is larger than [`Scanner::max_message_size`]; it was
    /// skipped without being read into memory.
    #[error("{}: message {index} is {size} bytes, over the limit of {limit}; skipped", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The message number in the file.
        index: u64,
        /// Its size.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The gzip stream is corrupt or truncated; the messages before the
    /// damage were scanned, the one being read is lost.
    #[error("{}: gzip stream broken after {decompressed} decompressed bytes (message {index}): {source}", path.display())]
    Gzip {
        /// The file.
        path: PathBuf,
        /// The message being read when the stream broke.
        index: u64,
        /// Bytes decompressed before the damage.
        decompressed: u64,
        /// What flate2 reported.
        #[source]
        source: std::io::Error,
    },
    /// The file decompresses to more than [`Scanner::max_decompressed`]
    /// bytes (a decompression bomb, or a limit set too low); the rest of it
    /// was not read.
    #[error("{}: decompresses to more than {limit} bytes; stopped at message {index} (raise the decompression limit if the archive is genuine)", path.display())]
    DecompressionLimit {
        /// The file.
        path: PathBuf,
        /// The message being read when the limit was hit.
        index: u64,
        /// The limit in force.
        limit: u64,
    },
    /// Walking a directory failed: unreadable directory, dangling symbolic
    /// link, symbolic link loop.
    #[error("{}: {reason}", path.display())]
    Walk {
        /// The entry at fault.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The classifier panicked on this message (a bug: please report it with
    /// the message).
    #[error("{}: message {index}: classifier panicked: {message}", path.display())]
    Panic {
        /// The file.
        path: PathBuf,
        /// The message number in the file.
        index: u64,
        /// The panic payload, when it is a string.
        message: String,
    },
    /// A scanner thread died; items after this one may be missing.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ScanError {
    /// True for messages skipped because of a limit ([`ScanError::TooLarge`],
    /// [`ScanError::DecompressionLimit`]).
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            ScanError::TooLarge { .. } | ScanError::DecompressionLimit { .. }
        )
    }
}

/// The outcome for one message.
#[derive(Debug)]
pub struct ScanItem {
    /// The file it came from (`-` for standard input).
    pub source: Arc<Path>,
    /// Message number within that file, 0-based.
    pub index: u64,
    /// Byte offset of the message's `From ` line in the mbox (the
    /// decompressed stream for `.gz`); `None` for a one-message file.
    pub offset: Option<u64>,
    /// Size of the message in the file (for an mbox: from its `From ` line
    /// up to the next one).
    pub bytes: u64,
    /// The verdict, or why there is none.
    pub result: Result<Verdict, ScanError>,
}

/// Counts over the items of a scan. Always `messages = verdicts + errors`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ScanStats {
    /// Items seen (messages and per-file errors).
    pub messages: u64,
    /// Items with a verdict.
    pub verdicts: u64,
    /// Items with an error.
    pub errors: u64,
    /// Errors that are messages skipped over a limit (part of `errors`).
    pub skipped: u64,
    /// Bytes of messages seen (decompressed).
    pub bytes: u64,
    /// Verdicts labelled sextortion.
    pub sextortion: u64,
    /// Verdicts labelled suspicious.
    pub suspicious: u64,
    /// Verdicts labelled clean.
    pub clean: u64,
}

impl ScanStats {
    /// Counts one item.
    pub fn add(&mut self, item: &ScanItem) {
        self.messages += 1;
        self.bytes += item.bytes;
        match &item.result {
            Ok(v) => {
                self.verdicts += 1;
                match v.label {
                    Label::Sextortion => self.sextortion += 1,
                    Label::Suspicious => self.suspicious += 1,
                    Label::Clean => self.clean += 1,
                }
            }
            Err(e) => {
                self.errors += 1;
                if e.is_skip() {
                    self.skipped += 1;
                }
            }
        }
    }

    /// Verdicts with this label.
    pub fn label(&self, label: Label) -> u64 {
        match label {
            Label::Sextortion => self.sextortion,
            Label::Suspicious => self.suspicious,
            Label::Clean => self.clean,
        }
    }
}

/// Classifies archives in parallel; see the [module documentation](self).
///
/// Cheap to clone; the setters take and return it by value.
#[derive(Debug, Clone)]
pub struct Scanner {
    clf: Classifier,
    threads: usize,
    cfg: Config,
}

/// What the reading side needs to know.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Config {
    pub max_message_size: u64,
    pub max_decompressed: u64,
    pub batch_messages: usize,
    pub batch_bytes: u64,
}

impl Scanner {
    /// A scanner running `clf` (cloned: an `Arc`) on all cores.
    pub fn new(clf: &Classifier) -> Scanner {
        Scanner {
            clf: clf.clone(),
            threads: 0,
            cfg: Config {
                max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
                max_decompressed: DEFAULT_MAX_DECOMPRESSED,
                batch_messages: 256,
                batch_bytes: 4 << 20,
            },
        }
    }

    /// Threads; 0 (the default) means one per core. They take turns at
    /// reading the inputs and classify what each read. 1 means no thread
    /// at all: the whole scan runs on the thread that iterates the
    /// [`Scan`] (see the module documentation).
    pub fn threads(mut self, n: usize) -> Scanner {
        self.threads = n;
        self
    }

    /// Messages larger than this many bytes are reported as
    /// [`ScanError::TooLarge`] instead of classified. Default 25 MiB.
    pub fn max_message_size(mut self, bytes: u64) -> Scanner {
        self.cfg.max_message_size = bytes;
        self
    }

    /// A gzip file that decompresses to more than this many bytes is cut
    /// there with a [`ScanError::DecompressionLimit`]. Default 4 GiB per
    /// file. Memory does not depend on it (archives are streamed); it bounds
    /// the time a decompression bomb can waste.
    pub fn max_decompressed(mut self, bytes: u64) -> Scanner {
        self.cfg.max_decompressed = bytes;
        self
    }

    /// Messages per batch a thread takes (default 256; the messages of
    /// one mbox fill count as one); with `bytes` (default 4 MiB) it bounds
    /// the memory in flight. `bytes` counts the one-message files of a
    /// batch, and the whole of every mbox fill its messages lie in (see the
    /// module documentation).
    pub fn batch(mut self, messages: usize, bytes: u64) -> Scanner {
        self.cfg.batch_messages = messages.max(1);
        self.cfg.batch_bytes = bytes.max(1);
        self
    }

    /// Starts scanning `inputs` in the background and returns the items as
    /// an iterator, in input order. Fails only if the threads cannot be
    /// started; unreadable inputs become error items. With
    /// [`threads`](Scanner::threads)`(1)` nothing starts: the inputs are
    /// read as the iterator is advanced, on its thread.
    pub fn scan<I>(&self, inputs: I) -> Result<Scan, Error>
    where
        I: IntoIterator,
        I::Item: Into<Input>,
    {
        let inputs: Vec<Input> = inputs.into_iter().map(Into::into).collect();
        let progress = Arc::new(Progress::default());
        let jobs = input::Jobs::new(inputs, self.cfg, Arc::clone(&progress));
        let source = if self.threads == 1 {
            Source::Sequential(Box::new(Sequential {
                jobs,
                clf: self.clf.clone(),
                done: false,
            }))
        } else {
            Source::Threads(self.start(jobs)?)
        };
        Ok(Scan {
            source,
            current: Vec::new().into_iter(),
            stream: (0, 0),
            stats: ScanStats::default(),
            progress,
        })
    }

    /// Starts the threads, which take turns at reading.
    fn start(&self, jobs: input::Jobs) -> Result<Threads, Error> {
        let n = match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let (item_tx, item_rx) = channel::<(u64, Vec<Done>)>();
        // Batches taken but not yet handed out are bounded by tokens the
        // consumer gives back, so that memory stays bounded while every
        // thread has a batch (no thread waiting for the slowest message of
        // another's batch).
        let window = 2 * n + 2;
        let (token_tx, token_rx) = sync_channel::<()>(window);
        for _ in 0..window {
            let _ = token_tx.send(());
        }
        let tokens = Arc::new(Mutex::new(token_rx));
        // The threads take turns at reading: each reads its next batch
        // itself, so the bytes it classifies are still in its core's cache,
        // and no thread does nothing but read.
        let feed = Arc::new(Mutex::new((input::Batches::new(jobs, self.cfg), 0u64)));
        let mut threads = Vec::with_capacity(n);
        for i in 0..n {
            let (tokens, feed, tx) = (Arc::clone(&tokens), Arc::clone(&feed), item_tx.clone());
            let clf = self.clf.clone();
            threads.push(spawn(&format!("sextortion-classify-{i}"), move || {
                work(&clf, &tokens, &feed, &tx)
            })?);
        }
        Ok(Threads {
            rx: item_rx,
            pending: BTreeMap::new(),
            next_seq: 0,
            tokens: token_tx,
            threads,
            finished: false,
        })
    }
}

/// The reading side of a threaded scan, shared by its threads: the batches
/// still to read and the number of the next one.
type Feed = Mutex<(input::Batches, u64)>;

/// A classifier thread of a threaded scan: takes a token, reads the next
/// batch and its number, classifies it and sends its items, until the
/// inputs or the consumer are gone. A panic while reading (the feed is then
/// poisoned) ends every thread at its next batch; the consumer reports it.
fn work(
    clf: &Classifier,
    tokens: &Mutex<Receiver<()>>,
    feed: &Feed,
    tx: &Sender<(u64, Vec<Done>)>,
) {
    loop {
        let token = match tokens.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        if token.is_err() {
            return; // the consumer has gone
        }
        let (seq, batch) = {
            let Ok(mut feed) = feed.lock() else {
                return;
            };
            let Some(batch) = feed.0.next_batch() else {
                return;
            };
            feed.1 += 1;
            (feed.1 - 1, batch)
        };
        let items: Vec<Done> = batch.into_iter().flat_map(|j| run_caught(clf, j)).collect();
        if tx.send((seq, items)).is_err() {
            return;
        }
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, Error> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .map_err(|e| Error::Threads {
            what: format!("thread {name}"),
            reason: e.to_string(),
        })
}

/// An item and the mbox stream it belongs to (0: none), for numbering.
type Done = (ScanItem, u64);

/// [`run`], with a panic outside the classifier (whose panics are caught
/// per message), such as in splitting an mbox fill, turned into an error
/// item naming the job's source: its items are lost, the rest of the scan
/// goes on. In a threaded scan the thread survives and the batch still
/// comes back in its turn, so no gap holds up the items after it.
fn run_caught(clf: &Classifier, job: input::Job) -> Vec<Done> {
    let source = Arc::clone(&job.source);
    catch_unwind(AssertUnwindSafe(|| run(clf, job))).unwrap_or_else(|p| {
        let message = format!(
            "messages of {} were lost: the scanner panicked: {}",
            source.display(),
            panic_message(&*p)
        );
        vec![(internal(message), 0)]
    })
}

/// The items of one job: one, or those of a block of mbox records.
fn run(clf: &Classifier, job: input::Job) -> Vec<Done> {
    let input::Job {
        source,
        index,
        offset,
        bytes,
        work,
        stream,
    } = job;
    let result = match work {
        input::Work::Classify(data) => classify(clf, &data, &source, index),
        input::Work::Failed(e) => Err(e),
        // Telling the records apart, the `From ` line and mboxrd quoting
        // are done here, with the batch taken, not while reading: the
        // other threads can read meanwhile.
        input::Work::Block { block, limit } => {
            return (block.records().iter())
                .map(|rec| record_item(clf, &source, limit, stream, rec))
                .collect();
        }
    };
    let item = ScanItem {
        source,
        index,
        offset,
        bytes,
        result,
    };
    vec![(item, stream)]
}

/// The item of one record of an mbox block (numbered later).
fn record_item(
    clf: &Classifier,
    source: &Arc<Path>,
    limit: u64,
    stream: u64,
    rec: &mbox::BlockRecord,
) -> Done {
    let offset = rec.offset;
    let bytes = rec.record().len() as u64;
    let result = if bytes > limit {
        Err(ScanError::TooLarge {
            path: source.to_path_buf(),
            index: 0,
            size: bytes,
            limit,
        })
    } else {
        // Borrowed when nothing is quoted.
        classify(clf, &rec.message(), source, 0)
    };
    let item = ScanItem {
        source: Arc::clone(source),
        index: 0,
        offset: Some(offset),
        bytes,
        result,
    };
    (item, stream)
}

/// Numbers an item of an mbox: its `index`, and the one in its error.
fn set_index(item: &mut ScanItem, i: u64) {
    item.index = i;
    if let Err(
        ScanError::TooLarge { index, .. }
        | ScanError::Gzip { index, .. }
        | ScanError::DecompressionLimit { index, .. }
        | ScanError::Panic { index, .. },
    ) = &mut item.result
    {
        *index = i;
    }
}

/// Classifies one message; a panic becomes an error item.
fn classify(
    clf: &Classifier,
    data: &[u8],
    source: &Path,
    index: u64,
) -> Result<Verdict, ScanError> {
    catch_unwind(AssertUnwindSafe(|| clf.classify(data))).map_err(|p| ScanError::Panic {
        path: source.to_path_buf(),
        index,
        message: panic_message(&*p),
    })
}

/// One message of an mbox, as [`mbox_messages`] yields it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MboxMessage {
    /// Message number, from 0.
    pub index: u64,
    /// Byte offset of its `From ` line in the stream.
    pub offset: u64,
    /// Size in the stream, from its `From ` line to the next separator.
    pub bytes: u64,
    /// The message: no `From ` line, mboxrd-unquoted.
    pub data: Vec<u8>,
}

/// Splits an mbox with the scanner's rules (see the module documentation),
/// holding one message at a time: for callers with their own input (a
/// memory map, a network stream) and for fuzzing the splitter.
///
/// ```
/// let mbox = b"From a@b Mon May  6 10:00:00 2024\nSubject: 1\n\n>From me\n\nFrom c@d Mon May  6 10:00:00 2024\nSubject: 2\n\nhi\n";
/// let msgs: Vec<_> = sextortion::scan::mbox_messages(&mbox[..]).collect::<Result<_, _>>().unwrap();
/// assert_eq!(msgs.len(), 2);
/// assert_eq!(msgs[0].data, b"Subject: 1\n\nFrom me\n");
/// assert_eq!(msgs[1].offset, 56);
/// ```
pub fn mbox_messages<R: Read>(reader: R) -> MboxMessages<R> {
    mbox_messages_chunked(reader, mbox::CHUNK)
}

/// [`mbox_messages`] reading the stream `chunk` bytes at a time instead of
/// 2 MiB, so that small inputs cross fill boundaries: for the `mbox` fuzz
/// target, which holds the splitter to the same messages at every size.
#[doc(hidden)]
pub fn mbox_messages_chunked<R: Read>(reader: R, chunk: usize) -> MboxMessages<R> {
    MboxMessages {
        split: mbox::Splitter::with_chunk(reader, u64::MAX, chunk),
    }
}

/// The iterator of [`mbox_messages`]. A read error is its last item.
pub struct MboxMessages<R> {
    split: mbox::Splitter<R>,
}

impl<R: Read> Iterator for MboxMessages<R> {
    type Item = std::io::Result<MboxMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(match self.split.next_record()? {
            Ok(r) => Ok(MboxMessage {
                index: r.index,
                offset: r.offset,
                bytes: r.bytes,
                data: r.data.map(|d| d.message().into_owned()).unwrap_or_default(),
            }),
            Err(b) => Err(b.error),
        })
    }
}

impl<R> std::fmt::Debug for MboxMessages<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MboxMessages").finish_non_exhaustive()
    }
}

/// Counters the reading side updates as it goes.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    /// Bytes read from the inputs (compressed size for `.gz`).
    pub input_bytes: AtomicU64,
    /// Files opened.
    pub files: AtomicU64,
    /// Files in directories passed over because they do not look like mail.
    pub ignored: AtomicU64,
}

/// A running scan: an iterator over [`ScanItem`]s in input order.
///
/// Dropping it stops the background threads at their next batch (a
/// one-thread scan has none: it reads and classifies as it is iterated).
#[derive(Debug)]
pub struct Scan {
    source: Source,
    /// Items of the last batch not yet handed out.
    current: std::vec::IntoIter<Done>,
    /// The mbox stream being handed out, and its items so far.
    stream: (u64, u64),
    stats: ScanStats,
    progress: Arc<Progress>,
}

/// Where a scan's batches of items come from.
#[derive(Debug)]
enum Source {
    /// Threads > 1 (or one per core), each reading and classifying
    /// batches in turn.
    Threads(Threads),
    /// One thread: everything on the thread iterating the scan (boxed: it
    /// holds the splitter's state).
    Sequential(Box<Sequential>),
}

/// The threaded side of a scan: batches come back from the threads out of
/// order and are put back in order.
#[derive(Debug)]
struct Threads {
    rx: Receiver<(u64, Vec<Done>)>,
    /// Batches that came back ahead of their turn.
    pending: BTreeMap<u64, Vec<Done>>,
    next_seq: u64,
    tokens: SyncSender<()>,
    threads: Vec<JoinHandle<()>>,
    finished: bool,
}

/// The one-thread side of a scan: each job is read and classified when the
/// items before it have been handed out, on the caller's thread, so it holds
/// one job (one file, or one mbox fill) at a time.
#[derive(Debug)]
struct Sequential {
    jobs: input::Jobs,
    clf: Classifier,
    /// The inputs are all read, or reading them panicked.
    done: bool,
}

/// The items of the next batch, and an error item to hand out before them.
type Batch = (Vec<Done>, Option<ScanItem>);

impl Threads {
    /// The next batch in input order; `None` at the end.
    fn next_batch(&mut self) -> Option<Batch> {
        loop {
            if let Some(batch) = self.pending.remove(&self.next_seq) {
                self.next_seq += 1;
                let _ = self.tokens.try_send(());
                return Some((batch, None));
            }
            if self.finished {
                // A batch never came back (a worker died): say so, then
                // hand out what follows it.
                let (seq, batch) = self.pending.pop_first()?;
                self.next_seq = seq + 1;
                let lost = "a batch of messages was lost: a scanner thread panicked";
                return Some((batch, Some(internal(lost.into()))));
            }
            match self.rx.recv() {
                Ok((seq, items)) => {
                    self.pending.insert(seq, items);
                }
                Err(_) => {
                    // Every batch is in; a thread's panic (while reading,
                    // or outside the per-message catch) would lose items
                    // silently, so it becomes an error item.
                    self.finished = true;
                    let died: Vec<String> = self
                        .threads
                        .drain(..)
                        .filter_map(|t| t.join().err())
                        .map(|p| panic_message(&*p))
                        .collect();
                    if !died.is_empty() {
                        return Some((Vec::new(), Some(internal(died.join("; ")))));
                    }
                }
            }
        }
    }
}

impl Sequential {
    /// The items of the next job; `None` at the end. A panic while reading
    /// ends the scan with an error item, as it ends a threaded one; a panic
    /// while classifying is [`run_caught`]'s.
    fn next_batch(&mut self) -> Option<Batch> {
        if self.done {
            return None;
        }
        let job = match catch_unwind(AssertUnwindSafe(|| self.jobs.next_job())) {
            Ok(Some(job)) => job,
            Ok(None) => {
                self.done = true;
                return None;
            }
            Err(p) => {
                self.done = true;
                let message = format!("reading the inputs panicked: {}", panic_message(&*p));
                return Some((Vec::new(), Some(internal(message))));
            }
        };
        Some((run_caught(&self.clf, job), None))
    }
}

impl Scan {
    /// Counts over the items returned so far.
    pub fn stats(&self) -> &ScanStats {
        &self.stats
    }

    /// Bytes read from the inputs so far (compressed bytes for `.gz`); runs
    /// a few batches ahead of the items returned. For progress bars.
    pub fn bytes_read(&self) -> u64 {
        self.progress.input_bytes.load(Ordering::Relaxed)
    }

    /// Files opened so far.
    pub fn files(&self) -> u64 {
        self.progress.files.load(Ordering::Relaxed)
    }

    /// Files met in directories and passed over because they do not look
    /// like mail (see the module documentation).
    pub fn ignored_files(&self) -> u64 {
        self.progress.ignored.load(Ordering::Relaxed)
    }

    fn next_item(&mut self) -> Option<ScanItem> {
        loop {
            if let Some((mut item, stream)) = self.current.next() {
                if stream != 0 {
                    if stream != self.stream.0 {
                        self.stream = (stream, 0);
                    }
                    set_index(&mut item, self.stream.1);
                    self.stream.1 += 1;
                }
                return Some(item);
            }
            let (batch, first) = match &mut self.source {
                Source::Threads(t) => t.next_batch()?,
                Source::Sequential(s) => s.next_batch()?,
            };
            self.current = batch.into_iter();
            if first.is_some() {
                return first;
            }
        }
    }
}

fn internal(message: String) -> ScanItem {
    ScanItem {
        source: Arc::from(Path::new("")),
        index: 0,
        offset: None,
        bytes: 0,
        result: Err(ScanError::Internal(message)),
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

impl Iterator for Scan {
    type Item = ScanItem;

    fn next(&mut self) -> Option<ScanItem> {
        let item = self.next_item()?;
        self.stats.add(&item);
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_and_sync() {
        fn is<T: Send + Sync + Clone>() {}
        fn send<T: Send>() {}
        is::<Scanner>();
        send::<Scan>();
        send::<ScanItem>();
        send::<Input>();
    }

    #[test]
    fn one_thread_means_no_thread_and_no_channel() {
        let scanner = Scanner::new(crate::default_classifier());
        let seq = scanner
            .clone()
            .threads(1)
            .scan(Vec::<Input>::new())
            .unwrap();
        // Nothing but the jobs to pull: no thread handle, no channel.
        assert!(matches!(seq.source, Source::Sequential(_)));
        for n in [0, 2] {
            let scan = scanner
                .clone()
                .threads(n)
                .scan(Vec::<Input>::new())
                .unwrap();
            assert!(matches!(scan.source, Source::Threads(_)), "threads({n})");
        }
    }
}
