//! Fast, explainable detection of sextortion scam email.
//!
//! Give it the raw bytes of a message; it says whether the message is a
//! sextortion scam ("I recorded you through your webcam; pay $1200 in Bitcoin
//! to this wallet within 48 hours or your contacts get the video"), shows the
//! evidence, and extracts what investigators follow: wallets, the demanded
//! amount, the deadline, the template family and the metadata.
//!
//! ```
//! let raw = b"From: a@example.org\r\nTo: a@example.org\r\nSubject: hi\r\n\r\n\
//! I hacked your device and recorded you through your webcam while you were \
//! watching adult videos. Send $1200 in Bitcoin to my wallet \
//! 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa within 48 hours, or I will send the video \
//! to all your contacts. Do not reply to this email.";
//! let v = sextortion::classify(raw);
//! assert_eq!(v.label, sextortion::Label::Sextortion);
//! assert_eq!(v.wallets[0].address, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
//! assert_eq!(v.deadline_hours(), Some(48));
//! println!("{}", serde_json::to_string_pretty(&v).unwrap());
//! ```
//!
//! # Overview
//!
//! - [`classify`] runs the built-in [`Classifier`], built lazily once per
//!   process. It never fails and never panics: hostile or non-email input gets
//!   a [`Verdict`] with [`Note`]s.
//! - [`Classifier`] is the compiled, immutable, `Send + Sync`, cheaply
//!   clonable object; [`Classifier::builder`] sets custom templates,
//!   [`Thresholds`] and [`Limits`]. Only construction returns [`Error`].
//! - [`Verdict`] is plain serde data: [`Label`], score and its breakdown,
//!   [`Evidence`] (concept, phrase, language, span), [`Wallet`]s, [`Amount`]s,
//!   [`Deadline`], [`FamilyMatch`], [`Signal`]s and [`Meta`].
//! - [`Scanner`] classifies whole archives (mbox, Maildir, directories of
//!   `.eml`, `.gz`) on every core, in input order.
//!
//! # How a message is read
//!
//! The MIME structure is decoded (base64, quoted-printable, charsets, RFC
//! 2047), HTML is reduced to the text a reader sees (hidden elements
//! dropped), entities are decoded, and the text is normalised (NFKD,
//! look-alike letters folded, invisible characters removed, lower-cased).
//! One Aho-Corasick automaton (failure links only to word starts, since a
//! phrase counts only where it starts a word) over every phrase of the template corpus
//! (`corpus/templates/`, all languages) finds the concepts a sextortion
//! letter combines: compromise, recording, threat, payment, deadline,
//! silence, proof, promise.
//!
//! # Scoring
//!
//! Each concept's strength is the sum of the weights of its distinct matched
//! phrases, capped at 1; the score is Σ strength × concept weight (recording
//! and threat 2, compromise and payment 1.5, deadline and proof 1, silence
//! and promise 0.75) plus signal points (wallet 1.5, From = To 0.75, quoted
//! password 0.75, amount 0.5, hidden filler text 0.5, homoglyphs 0.5).
//! [`Verdict::breakdown`] lists every term. **Sextortion** needs score ≥ 6
//! *and* the structure of extortion: a threat, a payment demand (phrase or
//! wallet) and leverage (a recording or compromise claim). **Suspicious**:
//! that structure below the threshold, or score ≥ 4.5 with two of the
//! core moves (compromise, recording, threat, payment). Everything else is **Clean**.
//!
//! # Example: a custom template set
//!
//! ```no_run
//! let clf = sextortion::Classifier::builder()
//!     .extra_templates_dir("my-templates/")
//!     .build()?;
//! let v = clf.classify(&std::fs::read("message.eml").unwrap());
//! println!("{} {}", v.label, v.score);
//! # Ok::<(), sextortion::Error>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod amount;
mod classifier;
mod error;
mod html;
mod matcher;
mod message;
mod mime;
pub mod normalize;
pub mod scan;
mod score;
mod signals;
mod swar;
mod templates;
mod verdict;
pub mod wallet;
mod worddfa;
pub use scan::{mbox_messages, Input, MboxMessage, Scan, ScanError, ScanItem, ScanStats, Scanner};

pub use amount::{Amount, Deadline};
pub use classifier::{Classifier, ClassifierBuilder, Limits};
pub use error::Error;
pub use score::Thresholds;
pub use verdict::{
    Concept, Contribution, Evidence, FamilyMatch, Field, Label, Meta, Note, Signal, Span, Verdict,
};
pub use wallet::{AddressKind, Chain, Network, Wallet, WalletLike};

use std::sync::LazyLock;

static DEFAULT: LazyLock<Classifier> = LazyLock::new(|| {
    Classifier::new().expect("the built-in templates are checked by the test suite")
});

/// Classifies one raw message with the built-in classifier (built on first
/// use, then shared by every thread).
pub fn classify(raw: &[u8]) -> Verdict {
    DEFAULT.classify(raw)
}

/// The built-in classifier, e.g. to hand to a [`Scanner`].
pub fn default_classifier() -> &'static Classifier {
    &DEFAULT
}

// The README's examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
#[cfg(test)]
mod stage_prof;
#[cfg(test)]
mod test_mail;
