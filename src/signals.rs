//! Header and structure signals: evidence that is not a phrase.

use std::sync::LazyLock;

use regex::Regex;

use crate::verdict::Signal;

/// "password is X", "X is your password", "Passwort: X" in normalised
/// (lower-case, accent-free) text, in the corpus languages.
static PASSWORD_IS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?x)
        (?:password|passwort|kennwort|mot\ de\ passe|contrasena|clave|wachtwoord|senha|parola\ d'ordine)
        \s*(?:is|ist|lautet|est|es|e|era|was|war|:|=|->)\s*["'(\[]?([^\s"')\]]{4,64})
        |
        ["'(\[]?([^\s"')\]]{4,64})["')\]]?\s+(?:is|ist|est|es|e|era|was|war)\s+
        (?:your|ihr|dein|votre|ton|tu|su|uw|je|sua|seu|o\ seu|la\ tua|il\ tuo)\s+
        (?:password|passwort|kennwort|mot\ de\ passe|contrasena|clave|wachtwoord|senha)
    "#,
    )
    .expect("static regex")
});

/// Words that follow "password is" in legitimate notices.
const NOT_A_PASSWORD: &[&str] = &[
    "changed",
    "reset",
    "about",
    "going",
    "set",
    "due",
    "expiring",
    "expired",
    "expire",
    "not",
    "now",
    "being",
    "still",
    "too",
    "very",
    "incorrect",
    "invalid",
    "wrong",
    "weak",
    "strong",
    "secure",
    "required",
    "needed",
    "updated",
    "the",
    "your",
    "our",
    "this",
    "that",
    "easy",
    "safe",
    "compromised",
    "used",
    "protected",
    "correct",
    "saved",
    "stored",
    "successfully",
    "case",
    "sensitive",
    "geandert",
    "geaendert",
    "modifie",
    "cambiada",
    "modificata",
    "gewijzigd",
    "alterada",
    "abgelaufen",
    "expire",
    "expirado",
    "scaduta",
    "verlopen",
    "hier",
    "here",
    "below",
    "following",
    "attached",
    "unchanged",
    "temporary",
    "one",
    "only",
    "must",
    "should",
    "will",
    "can",
    "has",
    "have",
    "was",
    "were",
    "and",
    "for",
    "with",
    "from",
    "been",
    "also",
    "just",
    "what",
    "which",
    "then",
];

/// Every match of [`PASSWORD_IS`] contains one of these. The regex is the
/// costliest step of the pipeline on text without them (its bounded
/// Unicode repetitions keep the lazy DFA rebuilding states), so a cheap
/// substring search decides first: one vectorised `memmem` pass per word
/// took 1.4 ms over the dev corpus texts where an Aho-Corasick automaton
/// over all eight, a byte at a time, took 7.5 ms.
static PASSWORD_WORDS: LazyLock<Vec<memchr::memmem::Finder<'static>>> = LazyLock::new(|| {
    PASSWORD_WORD_LIST
        .iter()
        .map(|w| memchr::memmem::Finder::new(w.as_bytes()).into_owned())
        .collect()
});

const PASSWORD_WORD_LIST: &[&str] = &[
    "passwor",
    "kennwort",
    "mot de passe",
    "contrasena",
    "clave",
    "wachtwoord",
    "senha",
    "parola d'ordine",
];

fn has_password_word(text: &str) -> bool {
    PASSWORD_WORDS
        .iter()
        .any(|f| f.find(text.as_bytes()).is_some())
}

/// True when normalised `text` quotes a password-like token.
pub(crate) fn password_quoted(text: &str) -> bool {
    if !has_password_word(text) {
        return false;
    }
    PASSWORD_IS.captures_iter(text).any(|c| {
        let tok = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        let tok = tok.trim_end_matches(['.', ',', ';', '!', '?']);
        tok.len() >= 4
            && tok.chars().any(|ch| ch.is_alphanumeric())
            && !NOT_A_PASSWORD.contains(&tok)
            && !tok.chars().all(|ch| ch == '*' || ch == 'x' || ch == '•')
    })
}

/// Authentication failures reported by the receiving server, e.g.
/// `spf=fail dmarc=fail`.
pub(crate) fn auth_failures(auth_results: &str) -> Option<String> {
    if auth_results.is_empty() {
        return None;
    }
    // Per mechanism, the first verdict (in this order) that occurs.
    const CHECKS: [[&str; 3]; 3] = [
        ["spf=fail", "spf=softfail", "spf=permerror"],
        ["dkim=fail", "dkim=softfail", "dkim=permerror"],
        ["dmarc=fail", "dmarc=softfail", "dmarc=permerror"],
    ];
    let lower = auth_results.to_ascii_lowercase();
    let failed: Vec<&str> = CHECKS
        .iter()
        .filter_map(|verdicts| verdicts.iter().copied().find(|p| lower.contains(p)))
        .collect();
    (!failed.is_empty()).then(|| failed.join(" "))
}

/// The From == To spoof.
pub(crate) fn from_equals_to(from: Option<&str>, to: Option<&str>) -> bool {
    match (from, to) {
        (Some(f), Some(t)) => !f.is_empty() && f == t,
        _ => false,
    }
}

/// Points each signal adds to the score (see the crate docs).
pub(crate) fn points(s: &Signal) -> f32 {
    match s {
        Signal::FromEqualsTo => 0.75,
        Signal::PasswordQuoted => 0.75,
        Signal::AuthFailed(_) => 0.0,
        Signal::WalletPresent => 1.5,
        Signal::AmountPresent => 0.5,
        Signal::HiddenText => 0.5,
        Signal::Homoglyphs => 0.5,
    }
}

/// The snake_case name of a signal, as in JSON.
pub(crate) fn name(s: &Signal) -> &'static str {
    match s {
        Signal::FromEqualsTo => "from_equals_to",
        Signal::PasswordQuoted => "password_quoted",
        Signal::AuthFailed(_) => "auth_failed",
        Signal::WalletPresent => "wallet_present",
        Signal::AmountPresent => "amount_present",
        Signal::HiddenText => "hidden_text",
        Signal::Homoglyphs => "homoglyphs",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! t {
        ($name:ident, $text:expr, $want:expr) => {
            #[test]
            fn $name() {
                assert_eq!(password_quoted($text), $want, "{:?}", $text);
            }
        };
    }

    t!(pw_is, "i know your password is h4ckm3pls.", true);
    t!(pw_reverse, "i know that sunshine77 is your password", true);
    t!(pw_colon, "subject: password: kitty2019", true);
    t!(pw_de, "ihr passwort ist hallo123", true);
    t!(pw_changed, "your password was changed on monday", false);
    t!(pw_masked, "password: ********", false);
    t!(pw_reset, "your password is about to expire", false);
    t!(pw_none, "we never ask for your password", false);

    #[test]
    fn auth() {
        assert_eq!(
            auth_failures("spf=fail smtp.mailfrom=x; dkim=none; dmarc=fail").as_deref(),
            Some("spf=fail dmarc=fail")
        );
        assert_eq!(auth_failures("spf=pass; dkim=pass"), None);
    }

    proptest::proptest! {
        /// The keyword test finds what a substring search finds.
        #[test]
        fn password_words_anywhere(pieces in proptest::collection::vec(proptest::sample::select(vec![
            "pass", "wor", "my", "d", " ", "kennwort", "mot de", " passe", "clave", "senha", "x", "'",
            "parola d'ordine", "wacht", "woord",
        ]), 0..12)) {
            let text = pieces.concat();
            let want = PASSWORD_WORD_LIST.iter().any(|w| text.contains(w));
            proptest::prop_assert_eq!(has_password_word(&text), want, "{:?}", text);
        }
    }
}
