//! Concept evidence and signals → score and label.
//!
//! The model (also in the crate docs): each concept gets a strength in
//! [0, 1], the sum of the weights of its distinct matched phrases (capped at
//! one). The score is Σ strength × concept weight + Σ signal points.
//!
//! The label needs both the score and the structure of extortion, so that a
//! letter full of webcam and bitcoin words but with no threat is not
//! Sextortion:
//! - **Sextortion**: score ≥ `sextortion` threshold, a threat, a payment
//!   demand (phrase or wallet), leverage (a recording or a compromise), and
//!   no full-strength commentary (text *about* the scam: news, warnings, a
//!   forwarded report).
//! - **Suspicious**: the structure of Sextortion (without commentary) below
//!   its threshold; or score ≥ `suspicious` threshold with at least two of
//!   the core moves (compromise, recording, threat, payment or wallet) —
//!   which is where a news article quoting a whole letter ends up.
//! - **Clean** otherwise.

use crate::signals;
use crate::verdict::{Concept, Contribution, Label, Signal};

/// How much each concept weighs, at full strength.
pub(crate) fn concept_weight(c: Concept) -> f32 {
    match c {
        Concept::Recording => 2.0,
        Concept::Threat => 2.0,
        Concept::Compromise => 1.5,
        Concept::Payment => 1.5,
        Concept::Deadline => 1.0,
        Concept::Proof => 1.0,
        Concept::Silence => 0.75,
        Concept::Promise => 0.75,
        Concept::Commentary => -3.0,
    }
}

/// Score thresholds; see [`crate::ClassifierBuilder::thresholds`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Minimum score for [`Label::Sextortion`] (with the structure).
    pub sextortion: f32,
    /// Minimum score for [`Label::Suspicious`].
    pub suspicious: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            sextortion: 6.0,
            suspicious: 4.5,
        }
    }
}

/// A concept counts as present at this strength.
const PRESENT: f32 = 0.5;

/// Scores one message. `strength` is indexed like [`Concept::ALL`].
pub(crate) fn score(
    strength: &[f32; 9],
    signals: &[Signal],
    th: &Thresholds,
) -> (f32, Label, Vec<Contribution>) {
    let mut breakdown = Vec::new();
    let mut total = 0.0f32;
    for (i, c) in Concept::ALL.iter().enumerate() {
        if strength[i] > 0.0 {
            let pts = round2(strength[i].min(1.0) * concept_weight(*c));
            total += pts;
            breakdown.push(Contribution {
                source: c.as_str().to_string(),
                points: pts,
            });
        }
    }
    for s in signals {
        let pts = signals::points(s);
        if pts > 0.0 {
            total += pts;
            breakdown.push(Contribution {
                source: signals::name(s).to_string(),
                points: pts,
            });
        }
    }
    let has = |c: Concept| strength[c as usize] >= PRESENT;
    let wallet = signals.contains(&Signal::WalletPresent);
    // A demanded amount (the extractor keeps only figures tied to payment
    // words or a wallet) is a payment demand too.
    let pays = has(Concept::Payment) || wallet || signals.contains(&Signal::AmountPresent);
    let extortion = has(Concept::Threat) && pays;
    let leverage = has(Concept::Recording) || has(Concept::Compromise);
    let commentary = strength[Concept::Commentary as usize] >= 1.0;
    let core = [
        has(Concept::Compromise),
        has(Concept::Recording),
        has(Concept::Threat),
        pays,
    ]
    .iter()
    .filter(|x| **x)
    .count();
    let total = round2(total);
    let label = if extortion && leverage && !commentary && total >= th.sextortion {
        Label::Sextortion
    } else if (extortion && leverage && !commentary) || (total >= th.suspicious && core >= 2) {
        Label::Suspicious
    } else {
        Label::Clean
    };
    (total, label, breakdown)
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(pairs: &[(Concept, f32)]) -> [f32; 9] {
        let mut a = [0.0; 9];
        for (c, v) in pairs {
            a[*c as usize] = *v;
        }
        a
    }

    use Concept::*;

    #[test]
    fn full_letter_is_sextortion() {
        let st = s(&[
            (Compromise, 1.0),
            (Recording, 1.0),
            (Threat, 1.0),
            (Payment, 1.0),
            (Deadline, 1.0),
        ]);
        let (score, label, bd) = score(&st, &[Signal::WalletPresent], &Thresholds::default());
        assert_eq!(label, Label::Sextortion);
        assert_eq!(score, 9.5);
        let sum: f32 = bd.iter().map(|c| c.points).sum();
        assert!(
            (sum - score).abs() < 0.01,
            "score is the sum of its breakdown"
        );
    }

    #[test]
    fn no_threat_is_not_sextortion() {
        let st = s(&[
            (Compromise, 1.0),
            (Recording, 1.0),
            (Payment, 1.0),
            (Deadline, 1.0),
            (Proof, 1.0),
        ]);
        let (_, label, _) = score(
            &st,
            &[Signal::WalletPresent, Signal::AmountPresent],
            &Thresholds::default(),
        );
        assert_eq!(label, Label::Suspicious);
    }

    #[test]
    fn crypto_receipt_is_clean() {
        let st = s(&[(Payment, 1.0), (Deadline, 0.5)]);
        let (_, label, _) = score(
            &st,
            &[Signal::WalletPresent, Signal::AmountPresent],
            &Thresholds::default(),
        );
        assert_eq!(label, Label::Clean);
    }

    #[test]
    fn commentary_caps_at_suspicious() {
        let st = s(&[
            (Compromise, 1.0),
            (Recording, 1.0),
            (Threat, 1.0),
            (Payment, 1.0),
            (Commentary, 1.0),
        ]);
        let (score, label, bd) = score(&st, &[Signal::WalletPresent], &Thresholds::default());
        assert_eq!(label, Label::Suspicious);
        assert!(bd
            .iter()
            .any(|c| c.source == "commentary" && c.points < 0.0));
        assert_eq!(score, 5.5);
    }

    #[test]
    fn weak_structure_below_threshold_is_suspicious() {
        let st = s(&[(Recording, 0.5), (Threat, 0.5), (Payment, 0.5)]);
        let (score, label, _) = score(&st, &[], &Thresholds::default());
        assert!(score < 6.0);
        assert_eq!(label, Label::Suspicious);
    }
}
