//! `classify` on any input: raw bytes, or an email-shaped message generated
//! from the input (see `sextortion_fuzz::Email`), under default limits or
//! tight ones (so the limit paths are exercised on small inputs).
//!
//! First byte: 0 = generated email, default limits; 1 = generated email,
//! tight limits; 2 = raw rest, tight limits; anything else = the whole input
//! as raw bytes, default limits (so real .eml files are seeds as they are).
#![no_main]

use std::sync::LazyLock;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use sextortion::{Classifier, Limits};
use sextortion_fuzz::{check_verdict, Email};

static DEFAULT: LazyLock<Classifier> = LazyLock::new(|| Classifier::new().unwrap());
static TIGHT: LazyLock<Classifier> = LazyLock::new(|| {
    Classifier::builder()
        .limits(Limits {
            max_depth: 3,
            max_parts: 6,
            max_decoded_bytes: 2048,
            max_text_bytes: 512,
        })
        .build()
        .unwrap()
});

fn run(clf: &Classifier, raw: &[u8]) {
    let v = clf.classify(raw);
    check_verdict(&v, clf);
}

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((&m @ (0 | 1), rest)) => {
            let Ok(email) = Email::arbitrary_take_rest(Unstructured::new(rest)) else {
                return;
            };
            let raw = email.to_bytes();
            run(if m == 0 { &DEFAULT } else { &TIGHT }, &raw);
        }
        Some((2, rest)) => run(&TIGHT, rest),
        _ => run(&DEFAULT, data),
    }
});
