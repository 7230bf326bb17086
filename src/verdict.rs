//! The result of classifying one message: what a filter stores and a
//! researcher aggregates. Everything here is plain data and serde-serialisable.

use serde::{Deserialize, Serialize};

pub use crate::amount::{Amount, Deadline};
pub use crate::wallet::{Wallet, WalletLike};

/// The three outcomes a caller acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    /// No sign of extortion, or too little to act on.
    Clean,
    /// Some of the moves of a sextortion letter, not enough to be sure.
    Suspicious,
    /// The letter makes the moves of a sextortion scam.
    Sextortion,
}

impl Label {
    /// The lower-case name used in JSON, CSV and mail headers.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Clean => "clean",
            Label::Suspicious => "suspicious",
            Label::Sextortion => "sextortion",
        }
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which decoded text of the message a span points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "field", content = "part")]
pub enum Field {
    /// The decoded `Subject` header.
    Subject,
    /// The visible text of the n-th text part (0-based, in document order,
    /// counting only text/plain and text/html parts that were kept).
    Body(u16),
}

/// A byte range in the visible (decoded, HTML-stripped, but not normalised)
/// text of one [`Field`]. Always on UTF-8 character boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    /// Which text.
    #[serde(flatten)]
    pub field: Field,
    /// Start byte offset (inclusive).
    pub start: u32,
    /// End byte offset (exclusive).
    pub end: u32,
}

/// The moves a sextortion letter combines. Scoring works on these, so that a
/// letter no template has seen is still recognised by its structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Concept {
    /// "I hacked your device / account", malware, trojan, RAT, Pegasus.
    Compromise,
    /// "I recorded you", webcam, adult site, masturbating.
    Recording,
    /// "I will send the video to your contacts / family / colleagues".
    Threat,
    /// "Send bitcoin to this wallet", "in Bitcoin equivalent".
    Payment,
    /// "You have 48 hours", "within 2 days".
    Deadline,
    /// "Do not reply", "do not go to the police".
    Silence,
    /// "Your password is …", "I sent this from your own account".
    Proof,
    /// "Once paid I delete the video", "you will never hear from me again".
    Promise,
    /// Negative evidence: the text discusses sextortion rather than making
    /// it ("scammers claim", "do not pay", "if you receive such an email") —
    /// news, security warnings, a victim forwarding the letter.
    Commentary,
}

impl Concept {
    /// Every concept, in scoring order.
    pub const ALL: [Concept; 9] = [
        Concept::Compromise,
        Concept::Recording,
        Concept::Threat,
        Concept::Payment,
        Concept::Deadline,
        Concept::Silence,
        Concept::Proof,
        Concept::Promise,
        Concept::Commentary,
    ];

    /// The name used in template files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Concept::Compromise => "compromise",
            Concept::Recording => "recording",
            Concept::Threat => "threat",
            Concept::Payment => "payment",
            Concept::Deadline => "deadline",
            Concept::Silence => "silence",
            Concept::Proof => "proof",
            Concept::Promise => "promise",
            Concept::Commentary => "commentary",
        }
    }

    /// Parses a template section name.
    pub fn from_name(s: &str) -> Option<Concept> {
        Concept::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// One phrase of the template corpus found in the message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The concept the phrase stands for.
    pub concept: Concept,
    /// The phrase as written in the template corpus (normalised form).
    pub phrase: String,
    /// ISO 639-1 code of the phrase's language.
    pub language: String,
    /// Where it was found, in the visible text.
    pub span: Span,
    /// The text as the message showed it at that span.
    pub text: String,
}

/// A signal from the headers or the message structure, not from a phrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "signal", content = "detail")]
pub enum Signal {
    /// The From address equals the To address: the "I sent this from your own
    /// account" spoof.
    FromEqualsTo,
    /// A password-like token is quoted next to the word "password" in the
    /// subject or body. The token itself is not kept.
    PasswordQuoted,
    /// `Authentication-Results` reports SPF/DKIM/DMARC failure.
    AuthFailed(String),
    /// A crypto wallet address was found.
    WalletPresent,
    /// A demanded amount of money was found.
    AmountPresent,
    /// Text was hidden from the reader (zero-size or hidden HTML) around
    /// visible words: an evasion technique.
    HiddenText,
    /// Look-alike characters (Cyrillic/Greek/fullwidth…) were mixed into
    /// Latin words: an evasion technique.
    Homoglyphs,
}

/// One term of the score: a concept (its phrases' strength times the
/// concept's weight) or a signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Concept or signal name, e.g. `recording` or `wallet_present`.
    pub source: String,
    /// Points added.
    pub points: f32,
}

/// The template family (campaign) the letter matches best.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyMatch {
    /// Family id from `corpus/templates/families.txt`, e.g. `pegasus-spyware`.
    pub id: String,
    /// Distinct family marker phrases found.
    pub markers: u32,
    /// Share of the family's marker weight found, 0.0–1.0.
    pub coverage: f32,
    /// The markers found (normalised form): why this family.
    pub matched: Vec<String>,
    /// The runner-up family, when another one also matched.
    pub runner_up: Option<String>,
}

/// Message metadata kept for investigators.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// `Message-ID` without angle brackets.
    pub message_id: Option<String>,
    /// `Date` as written.
    pub date: Option<String>,
    /// `Date` as RFC 3339 UTC, when it parses.
    pub date_utc: Option<String>,
    /// `From`, decoded.
    pub from: Option<String>,
    /// `To`, decoded.
    pub to: Option<String>,
    /// `Reply-To`, decoded.
    pub reply_to: Option<String>,
    /// `Subject`, decoded from RFC 2047.
    pub subject: Option<String>,
}

/// Why a verdict may be less complete than the message: limits hit, parse
/// trouble, input that is not an email. A hostile message never comes out
/// Clean because of a limit without a note saying so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "note", content = "detail")]
pub enum Note {
    /// The input has no header section: it was treated as plain text.
    NotAnEmail,
    /// The input is empty.
    Empty,
    /// The MIME structure could not be parsed; text was recovered from the raw body.
    MimeRecovered(String),
    /// A configured limit was reached; the named part of the message was not examined.
    LimitReached(String),
    /// A part's charset was unknown; its bytes were decoded as UTF-8 / Latin-1.
    UnknownCharset(String),
}

/// Everything `classify` says about one message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The decision.
    pub label: Label,
    /// The score the label was derived from: the sum of `breakdown`.
    pub score: f32,
    /// What each concept and signal added to the score.
    pub breakdown: Vec<Contribution>,
    /// Best matching template family, when any family marker matched.
    pub family: Option<FamilyMatch>,
    /// Language of most evidence (ISO 639-1), when any.
    pub language: Option<String>,
    /// Phrase evidence, in order of appearance.
    pub evidence: Vec<Evidence>,
    /// Header and structure signals.
    pub signals: Vec<Signal>,
    /// Checksum-valid wallet addresses, deduplicated, in order of appearance.
    pub wallets: Vec<Wallet>,
    /// Wallet-shaped strings that failed their checksum (never wallets).
    pub invalid_wallets: Vec<WalletLike>,
    /// The demanded amounts, principal demand first.
    pub amounts: Vec<Amount>,
    /// The deadline, when the letter sets one.
    pub deadline: Option<Deadline>,
    /// Message metadata.
    pub meta: Meta,
    /// Limits hit, parse trouble.
    pub notes: Vec<Note>,
}

impl Verdict {
    /// The deadline in hours, when any.
    pub fn deadline_hours(&self) -> Option<u32> {
        self.deadline.as_ref().map(|d| d.hours)
    }

    /// True for [`Label::Sextortion`].
    pub fn is_sextortion(&self) -> bool {
        self.label == Label::Sextortion
    }

    /// The distinct concepts the evidence covers.
    pub fn concepts(&self) -> Vec<Concept> {
        let mut c: Vec<Concept> = self.evidence.iter().map(|e| e.concept).collect();
        c.sort();
        c.dedup();
        c
    }
}
