//! Concept evidence and signals → score and label.
//!
//! The model (also in the crate docs): each concept gets a strength in
//! [0, 1], the sum of the weights of its distinct matched phrases, capped at
//! 1. The score is Σ strength × concept weight + Σ signal points. The label
//! needs both the score and the structure of extortion, so that a letter
//! full of webcam and bitcoin words but with no threat is not Sextortion:
//! - **Sextortion**: score ≥ `sextortion` threshold, a threat, a payment
//!   demand (phrase or wallet), and leverage (a recording or a compromise).
//! - **Suspicious**: score ≥ `suspicious` threshold and at least one of
//!   recording, threat, compromise; or the full structure below the
//!   Sextortion threshold.
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
        Thresholds { sextortion: 6.0, suspicious: 3.5 }
    }
}

/// A concept counts as present at this strength.
const PRESENT: f32 = 0.5;

/// Scores one message. `strength` is indexed like [`Concept::ALL`].
pub(crate) fn score(
    strength: &[f32; 8],
    signals: &[Signal],
    th: &Thresholds,
) -> (f32, Label, Vec<Contribution>) {
    let mut breakdown = Vec::new();
    let mut total = 0.0f32;
    for (i, c) in Concept::ALL.iter().enumerate() {
        if strength[i] > 0.0 {
            let pts = round2(strength[i].min(1.0) * concept_weight(*c));
            total += pts;
            breakdown.push(Contribution { source: c.as_str().to_string(), points: pts });
        }
    }
    for s in signals {
        let pts = signals::points(s);
        if pts > 0.0 {
            total += pts;
            breakdown.push(Contribution { source: signals::name(s).to_string(), points: pts });
        }
    }
    let has = |c: Concept| strength[Concept::ALL.iter().position(|x| *x == c).unwrap_or(0)] >= PRESENT;
    let wallet = signals.contains(&Signal::WalletPresent);
    let extortion = has(Concept::Threat) && (has(Concept::Payment) || wallet);
    let leverage = has(Concept::Recording) || has(Concept::Compromise);
    let total = round2(total);
    let label = if extortion && leverage && total >= th.sextortion {
        Label::Sextortion
    } else if (extortion && leverage)
        || (total >= th.suspicious
            && (has(Concept::Recording) || has(Concept::Threat) || has(Concept::Compromise)))
    {
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

    fn s(pairs: &[(Concept, f32)]) -> [f32; 8] {
        let mut a = [0.0; 8];
        for (c, v) in pairs {
            a[Concept::ALL.iter().position(|x| x == c).unwrap()] = *v;
        }
        a
    }

    use Concept::*;

    #[test]
    fn full_letter_is_sextortion() {
        let st = s(&[(Compromise, 1.0), (Recording, 1.0), (Threat, 1.0), (Payment, 1.0), (Deadline, 1.0)]);
        let (score, label, bd) = score(&st, &[Signal::WalletPresent], &Thresholds::default());
        assert_eq!(label, Label::Sextortion);
        assert_eq!(score, 9.5);
        let sum: f32 = bd.iter().map(|c| c.points).sum();
        assert!((sum - score).abs() < 0.01, "score is the sum of its breakdown");
    }

    #[test]
    fn no_threat_is_not_sextortion() {
        let st = s(&[(Compromise, 1.0), (Recording, 1.0), (Payment, 1.0), (Deadline, 1.0), (Proof, 1.0)]);
        let (_, label, _) = score(&st, &[Signal::WalletPresent, Signal::AmountPresent], &Thresholds::default());
        assert_eq!(label, Label::Suspicious);
    }

    #[test]
    fn crypto_receipt_is_clean() {
        let st = s(&[(Payment, 1.0), (Deadline, 0.5)]);
        let (_, label, _) = score(&st, &[Signal::WalletPresent, Signal::AmountPresent], &Thresholds::default());
        assert_eq!(label, Label::Clean);
    }

    #[test]
    fn weak_structure_below_threshold_is_suspicious() {
        let st = s(&[(Recording, 0.5), (Threat, 0.5), (Payment, 0.5)]);
        let (score, label, _) = score(&st, &[], &Thresholds::default());
        assert!(score < 6.0);
        assert_eq!(label, Label::Suspicious);
    }
}
