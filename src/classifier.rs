//! The compiled classifier and the pipeline that runs one message through
//! message → normalize → evidence → score → verdict.

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::Error;
use crate::matcher::Matcher;
use crate::message;
use crate::normalize::{normalize_into, Fold, Normalized};
use crate::score::{score, Thresholds};
use crate::signals;
use crate::templates::Templates;
use crate::verdict::{Concept, Evidence, FamilyMatch, Field, Label, Note, Signal, Span, Verdict};
use crate::{amount, wallet};

/// Buffers one [`Classifier::classify`] call fills and the next call on the
/// same thread reuses: the folded views of each text and the automaton's
/// hits. Fresh buffers per message cost allocations and, written for the
/// first time, cache misses (see docs/performance.md).
#[derive(Default)]
struct Scratch {
    /// The Match view of the text being matched.
    norm: Normalized,
    hits: Vec<crate::matcher::Hit>,
    /// The Case view of each text.
    cases: Vec<Normalized>,
}

impl Scratch {
    /// Views larger than this are not kept for the next message, nor more
    /// than [`Self::KEEP_CASES`] Case views: whatever a thread has
    /// classified, its scratch holds at most about 1.5 MB.
    const KEEP_BYTES: usize = 256 << 10;
    const KEEP_CASES: usize = 4;

    /// Lets go of what one long message grew.
    fn trim(&mut self) {
        if self.norm.capacity() > Self::KEEP_BYTES {
            self.norm = Normalized::default();
        }
        if self.hits.capacity() > Self::KEEP_BYTES / 16 {
            self.hits = Vec::new();
        }
        self.cases.truncate(Self::KEEP_CASES);
        for c in &mut self.cases {
            if c.capacity() > Self::KEEP_BYTES {
                *c = Normalized::default();
            }
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Resource bounds per message. A message that reaches one is still
/// classified on what was examined, and the verdict carries a
/// [`crate::Note::LimitReached`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// MIME nesting depth examined.
    pub max_depth: usize,
    /// MIME parts examined.
    pub max_parts: usize,
    /// Bytes of transfer-decoded part bodies.
    pub max_decoded_bytes: usize,
    /// Bytes of visible text matched (all parts together).
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_parts: 1_000,
            max_decoded_bytes: 32 << 20,
            max_text_bytes: 4 << 20,
        }
    }
}

/// Builds a [`Classifier`] with custom templates, thresholds or limits.
#[derive(Debug, Clone, Default)]
pub struct ClassifierBuilder {
    templates_dir: Option<PathBuf>,
    extra_dirs: Vec<PathBuf>,
    thresholds: Thresholds,
    limits: Limits,
}

impl ClassifierBuilder {
    /// Uses the templates in `dir` (laid out like `corpus/templates/`)
    /// instead of the built-in ones.
    pub fn templates_dir(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.templates_dir = Some(dir.into());
        self
    }

    /// Adds the templates in `dir` to the built-in (or chosen) ones.
    pub fn extra_templates_dir(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.extra_dirs.push(dir.into());
        self
    }

    /// Sets the score thresholds.
    pub fn thresholds(&mut self, t: Thresholds) -> &mut Self {
        self.thresholds = t;
        self
    }

    /// Sets the resource limits.
    pub fn limits(&mut self, l: Limits) -> &mut Self {
        self.limits = l;
        self
    }

    /// Loads the templates and compiles the matcher.
    pub fn build(&self) -> Result<Classifier, Error> {
        let t = self.thresholds;
        if !(t.suspicious.is_finite() && t.sextortion.is_finite() && t.suspicious > 0.0) {
            return Err(Error::Config {
                name: "thresholds.suspicious",
                value: format!("{}", t.suspicious),
                reason: "must be a positive number",
            });
        }
        if t.sextortion < t.suspicious {
            return Err(Error::Config {
                name: "thresholds.sextortion",
                value: format!("{}", t.sextortion),
                reason: "must not be below the suspicious threshold",
            });
        }
        let l = self.limits;
        for (name, v) in [
            ("limits.max_parts", l.max_parts),
            ("limits.max_decoded_bytes", l.max_decoded_bytes),
            ("limits.max_text_bytes", l.max_text_bytes),
        ] {
            if v == 0 {
                return Err(Error::Config {
                    name,
                    value: "0".into(),
                    reason: "must be at least 1",
                });
            }
        }
        let mut templates = match &self.templates_dir {
            Some(dir) => {
                let mut t = Templates::default();
                t.add_dir(dir)?;
                t
            }
            None => Templates::embedded()?,
        };
        for d in &self.extra_dirs {
            templates.add_dir(d)?;
        }
        let matcher = Matcher::new(&templates)?;
        Ok(Classifier {
            inner: Arc::new(Inner {
                templates,
                matcher,
                thresholds: self.thresholds,
                limits: self.limits,
            }),
        })
    }
}

#[derive(Debug)]
struct Inner {
    templates: Templates,
    matcher: Matcher,
    thresholds: Thresholds,
    limits: Limits,
}

/// A compiled classifier: immutable, `Send + Sync`, cheap to clone (an
/// `Arc`). Build once, classify many.
#[derive(Debug, Clone)]
pub struct Classifier {
    inner: Arc<Inner>,
}

impl Classifier {
    /// The built-in templates with default thresholds and limits.
    pub fn new() -> Result<Classifier, Error> {
        ClassifierBuilder::default().build()
    }

    /// A builder for custom templates, thresholds and limits.
    pub fn builder() -> ClassifierBuilder {
        ClassifierBuilder::default()
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.inner.limits
    }

    /// Ids of the template families known to this classifier.
    pub fn families(&self) -> impl Iterator<Item = &str> {
        self.inner.templates.families.iter().map(|f| f.id.as_str())
    }

    /// Languages of the concept phrase lists.
    pub fn languages(&self) -> &[String] {
        &self.inner.templates.languages
    }

    /// Number of distinct phrases in the automaton.
    pub fn phrase_count(&self) -> usize {
        self.inner.matcher.len()
    }

    /// Classifies one raw message (RFC 5322 bytes, with or without an mbox
    /// `From ` line). Never fails, never panics: input that is not an email
    /// gets a verdict with a note.
    pub fn classify(&self, raw: &[u8]) -> Verdict {
        // The thread's scratch, or a fresh one if it is in use (never, but
        // a verdict must not depend on it) or gone (thread exit).
        SCRATCH
            .try_with(|cell| match cell.try_borrow_mut() {
                Ok(mut scratch) => {
                    let v = self.classify_with(raw, &mut scratch);
                    scratch.trim();
                    v
                }
                Err(_) => self.classify_with(raw, &mut Scratch::default()),
            })
            .unwrap_or_else(|_| self.classify_with(raw, &mut Scratch::default()))
    }

    fn classify_with(&self, raw: &[u8], scratch: &mut Scratch) -> Verdict {
        let inner = &*self.inner;
        let mut msg = message::parse(raw, &inner.limits);
        let mut notes = std::mem::take(&mut msg.notes);

        // The texts a reader sees: subject first, then each body.
        let mut texts: Vec<(Field, &str)> = Vec::with_capacity(msg.bodies.len() + 1);
        if let Some(s) = msg.meta.subject.as_deref() {
            // A header can be as long as the message: the subject gets the
            // same matching budget as the bodies, not an unbounded one.
            let mut cap = s.len().min(inner.limits.max_text_bytes);
            while !s.is_char_boundary(cap) {
                cap -= 1;
            }
            if cap < s.len() {
                notes.push(Note::LimitReached(format!(
                    "subject over {} bytes; the rest was not matched",
                    inner.limits.max_text_bytes
                )));
            }
            texts.push((Field::Subject, &s[..cap]));
        }
        for (i, b) in msg.bodies.iter().enumerate() {
            texts.push((Field::Body(i as u16), b.as_str()));
        }

        let ev = self.evidence_with(&texts, &mut scratch.norm, &mut scratch.hits);
        // One case-preserving folded view per text, shared by the wallet
        // and amount scanners.
        if scratch.cases.len() < texts.len() {
            scratch.cases.resize_with(texts.len(), Normalized::default);
        }
        let cases = &mut scratch.cases[..texts.len()];
        for (c, (_, t)) in cases.iter_mut().zip(&texts) {
            normalize_into(t, Fold::Case, c);
        }
        let cases = &*cases;
        let (wallets, invalid_wallets) = wallet::extract(&texts, cases);
        // Amounts and deadlines are looked for only where the letter makes a
        // move they could belong to: a payment demand, a wallet, or a claim
        // of compromise, recording or threat. Without one of those a message
        // cannot be Suspicious (two core moves) or Sextortion (a threat), so
        // the label never depends on this shortcut; ordinary mail — most
        // mail — skips the costliest extractor.
        let moves = [
            Concept::Payment,
            Concept::Compromise,
            Concept::Recording,
            Concept::Threat,
        ]
        .iter()
        .any(|c| ev.strength[*c as usize] > 0.0);
        let (amounts, deadline) = if moves || !wallets.is_empty() {
            amount::extract(&texts, cases, &wallets)
        } else {
            (Vec::new(), None)
        };

        let mut signals = Vec::new();
        if signals::from_equals_to(msg.from_addr.as_deref(), msg.to_addr.as_deref()) {
            signals.push(Signal::FromEqualsTo);
        }
        if ev.password_quoted {
            signals.push(Signal::PasswordQuoted);
        }
        if let Some(f) = signals::auth_failures(&msg.auth_results) {
            signals.push(Signal::AuthFailed(f));
        }
        if !wallets.is_empty() {
            signals.push(Signal::WalletPresent);
        }
        if !amounts.is_empty() {
            signals.push(Signal::AmountPresent);
        }
        // Hidden text counts only where it hides something among many
        // pieces (filler between letters), not a single preheader.
        if msg.hidden_elements >= 3 {
            signals.push(Signal::HiddenText);
        }
        if ev.homoglyph_words >= 2 {
            signals.push(Signal::Homoglyphs);
        }

        let (score, label, breakdown) = score(&ev.strength, &signals, &inner.thresholds);
        // A family names a campaign: one marker is enough inside a letter
        // already judged Sextortion, two are needed for a Suspicious one, and a
        // Clean message (a news article naming "Pegasus") has none.
        let family = match label {
            Label::Sextortion => ev.family,
            Label::Suspicious => ev.family.filter(|f| f.markers >= 2),
            Label::Clean => None,
        };
        Verdict {
            label,
            score,
            breakdown,
            family,
            language: ev.language,
            evidence: ev.evidence,
            signals,
            wallets,
            invalid_wallets,
            amounts,
            deadline,
            meta: msg.meta,
            notes,
        }
    }

    #[cfg(test)]
    pub(crate) fn evidence(&self, texts: &[(Field, &str)]) -> EvidenceSet {
        self.evidence_with(texts, &mut Normalized::default(), &mut Vec::new())
    }

    /// [`Self::evidence`] in the buffers given.
    fn evidence_with(
        &self,
        texts: &[(Field, &str)],
        norm: &mut Normalized,
        hits: &mut Vec<crate::matcher::Hit>,
    ) -> EvidenceSet {
        let t = &self.inner.templates;
        let m = &self.inner.matcher;
        let mut out = EvidenceSet::default();
        // Distinct phrases seen, and family markers seen.
        // (pattern, concept) pairs already in the evidence. A set, not a
        // table over every pattern: a message hits a few dozen of thousands,
        // and clearing a table per message would cost more than matching.
        let mut seen: std::collections::HashSet<usize> = std::collections::HashSet::new();
        let mut marker_seen: Vec<Vec<bool>> = t
            .families
            .iter()
            .map(|f| vec![false; f.markers.len()])
            .collect();
        let mut lang_votes = vec![0u32; t.languages.len()];
        for &(field, text) in texts {
            normalize_into(text, Fold::Match, norm);
            out.homoglyph_words += norm.homoglyphs;
            if !out.password_quoted && signals::password_quoted(norm.as_str()) {
                out.password_quoted = true;
            }
            hits.clear();
            m.find(norm.as_str(), |h| hits.push(h));
            // In order of appearance; at one start, the longest first, so a
            // phrase inside a longer one of the same concept ("webcam" in
            // "your webcam") is seen to be contained and not counted twice.
            hits.sort_unstable_by_key(|h| (h.start, std::cmp::Reverse(h.end), h.pattern));
            let mut covered_to = [0u32; Concept::ALL.len()];
            for h in hits.iter() {
                let uses = &m.uses[h.pattern as usize];
                for &(fi, mi) in &uses.markers {
                    marker_seen[fi as usize][mi as usize] = true;
                }
                // A pattern shared by several languages votes for none.
                let first_lang = uses.phrases.first().map(|&p| t.phrases[p as usize].lang);
                let single_lang = uses
                    .phrases
                    .iter()
                    .all(|&p| Some(t.phrases[p as usize].lang) == first_lang);
                let mut contained = [false; Concept::ALL.len()];
                for &pi in &uses.phrases {
                    let ci = t.phrases[pi as usize].concept as usize;
                    contained[ci] = covered_to[ci] >= h.end;
                }
                for &pi in &uses.phrases {
                    let ph = &t.phrases[pi as usize];
                    let ci = ph.concept as usize;
                    covered_to[ci] = covered_to[ci].max(h.end);
                    if contained[ci] {
                        continue;
                    }
                    if single_lang {
                        lang_votes[ph.lang as usize] += 1;
                    }
                    // One piece of evidence per (pattern, concept): the same
                    // word listed in several languages counts once.
                    let key = h.pattern as usize * Concept::ALL.len() + ci;
                    if !seen.insert(key) {
                        continue;
                    }
                    out.strength[ci] = (out.strength[ci] + ph.weight).min(1.0);
                    let (s, e) = norm.source_range(h.start as usize, h.end as usize);
                    out.evidence.push(Evidence {
                        concept: ph.concept,
                        phrase: ph.pattern.clone(),
                        language: t.languages[ph.lang as usize].clone(),
                        span: Span {
                            field,
                            start: s as u32,
                            end: e as u32,
                        },
                        text: text[s..e].to_string(),
                    });
                }
            }
        }
        if let Some((li, _)) = lang_votes
            .iter()
            .enumerate()
            .filter(|(_, v)| **v > 0)
            .max_by_key(|(_, v)| **v)
        {
            out.language = Some(t.languages[li].clone());
        }
        // (family, markers found, weighted score, coverage)
        let mut ranked: Vec<(usize, usize, f32, f32)> = marker_seen
            .iter()
            .enumerate()
            .map(|(fi, seen)| {
                let f = &t.families[fi];
                let n = seen.iter().filter(|s| **s).count();
                let score: f32 = seen
                    .iter()
                    .zip(&f.marker_weights)
                    .filter(|(s, _)| **s)
                    .map(|(_, w)| w)
                    .sum();
                let total: f32 = f.marker_weights.iter().sum();
                (fi, n, score, if total > 0.0 { score / total } else { 0.0 })
            })
            .filter(|r| r.1 >= 1)
            .collect();
        // Highest weighted marker score first; ties go to the better covered
        // family, then to the one listed first.
        ranked.sort_by(|a, b| {
            b.2.total_cmp(&a.2)
                .then(b.3.total_cmp(&a.3))
                .then(a.0.cmp(&b.0))
        });
        out.family = ranked.first().map(|&(fi, n, _, cov)| FamilyMatch {
            id: t.families[fi].id.clone(),
            markers: n as u32,
            coverage: (cov * 100.0).round() / 100.0,
            matched: t.families[fi]
                .markers
                .iter()
                .zip(&marker_seen[fi])
                .filter(|(_, s)| **s)
                .map(|((p, _), _)| p.clone())
                .collect(),
            runner_up: ranked.get(1).map(|r| t.families[r.0].id.clone()),
        });
        out
    }
}

#[derive(Default)]
pub(crate) struct EvidenceSet {
    strength: [f32; 9],
    pub(crate) evidence: Vec<Evidence>,
    language: Option<String>,
    family: Option<FamilyMatch>,
    password_quoted: bool,
    homoglyph_words: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The thread's scratch keeps buffers, never answers: a message gets the
    /// same verdict after any other message as on a fresh thread.
    #[test]
    fn verdicts_do_not_depend_on_the_message_before() {
        let clf = Classifier::new().unwrap();
        let mails: Vec<Vec<u8>> = crate::test_mail::real_mail()
            .into_iter()
            .map(|(_, raw)| raw)
            .take(40)
            .collect();
        assert!(mails.len() >= 10, "{}", mails.len());
        let show = |v: &Verdict| serde_json::to_string(v).unwrap();
        let after_others: Vec<String> =
            mails.iter().rev().map(|m| show(&clf.classify(m))).collect();
        for (m, seen) in mails.iter().rev().zip(&after_others) {
            let fresh = std::thread::scope(|s| s.spawn(|| show(&clf.classify(m))).join().unwrap());
            assert_eq!(&fresh, seen);
        }
    }

    #[test]
    fn classifier_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Classifier>();
        check::<Verdict>();
    }

    #[test]
    fn bad_thresholds_are_typed_errors() {
        let e = Classifier::builder()
            .thresholds(Thresholds {
                sextortion: 1.0,
                suspicious: 2.0,
            })
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("thresholds.sextortion = 1"), "{e}");
        let e = Classifier::builder()
            .limits(Limits {
                max_parts: 0,
                ..Limits::default()
            })
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("limits.max_parts"), "{e}");
    }

    #[test]
    fn missing_templates_dir_names_path() {
        let e = Classifier::builder()
            .templates_dir("/nonexistent/tpl")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("/nonexistent/tpl"), "{e}");
    }
}
