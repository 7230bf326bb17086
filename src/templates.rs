//! The detection knowledge: concept phrase lists per language and template
//! families, read from `corpus/templates/` (embedded at build time) or from a
//! directory at run time. Format: `corpus/templates/README.md`.

use std::collections::HashSet;
use std::path::Path;

use crate::error::Error;
use crate::normalize::{normalize, Fold};
use crate::verdict::Concept;

include!(concat!(env!("OUT_DIR"), "/embedded_templates.rs"));

/// One phrase of a concept list, normalised.
#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    /// Normalised text (what is matched).
    pub pattern: String,
    /// Trailing `*`: the last word may continue.
    pub prefix: bool,
    pub concept: Concept,
    /// Index into [`Templates::languages`].
    pub lang: u16,
    pub weight: f32,
}

/// A template family and its marker phrases.
#[derive(Debug, Clone)]
pub(crate) struct Family {
    pub id: String,
    pub name: String,
    pub description: String,
    /// (normalised pattern, prefix)
    pub markers: Vec<(String, bool)>,
    /// Weight of each marker (1 by default; a campaign's signature phrase
    /// such as "pegasus" or "driver-based" weighs more).
    pub marker_weights: Vec<f32>,
}

/// Everything loaded from a template set.
#[derive(Debug, Clone, Default)]
pub(crate) struct Templates {
    pub languages: Vec<String>,
    pub phrases: Vec<Phrase>,
    pub families: Vec<Family>,
    /// (pattern, concept, language) of every phrase, so that a repeated
    /// line is skipped without scanning all phrases loaded so far.
    phrase_keys: HashSet<(String, Concept, u16)>,
}

impl Templates {
    /// The set built into the crate.
    pub fn embedded() -> Result<Templates, Error> {
        let mut t = Templates::default();
        for (path, text) in EMBEDDED {
            t.add_file(&format!("corpus/templates/{path}"), path, text)?;
        }
        Ok(t)
    }

    /// Adds every `.txt` file of a directory laid out like `corpus/templates/`.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Error> {
        let io = |source| Error::Io {
            path: dir.to_path_buf(),
            source,
        };
        let mut files = Vec::new();
        let concepts = dir.join("concepts");
        if concepts.is_dir() {
            for e in std::fs::read_dir(&concepts).map_err(io)? {
                let p = e.map_err(io)?.path();
                if p.extension().is_some_and(|x| x == "txt") {
                    files.push((
                        format!(
                            "concepts/{}",
                            p.file_name().unwrap_or_default().to_string_lossy()
                        ),
                        p,
                    ));
                }
            }
        }
        let fam = dir.join("families.txt");
        if fam.is_file() {
            files.push(("families.txt".to_string(), fam));
        }
        if files.is_empty() {
            return Err(Error::NoTemplates {
                path: dir.to_path_buf(),
            });
        }
        files.sort();
        for (rel, p) in files {
            let text = std::fs::read_to_string(&p).map_err(|source| Error::Io {
                path: p.clone(),
                source,
            })?;
            self.add_file(&p.display().to_string(), &rel, &text)?;
        }
        Ok(())
    }

    fn add_file(&mut self, shown: &str, rel: &str, text: &str) -> Result<(), Error> {
        if rel == "families.txt" {
            return self.add_families(shown, text);
        }
        let Some(lang) = rel
            .strip_prefix("concepts/")
            .and_then(|f| f.strip_suffix(".txt"))
        else {
            // Other files (README etc.) are not templates.
            return Ok(());
        };
        if lang.is_empty() || !lang.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
            return Err(err(
                shown,
                1,
                format!("language file name {lang:?} is not a language code"),
            ));
        }
        let lang_idx = match self.languages.iter().position(|l| l == lang) {
            Some(i) => i,
            None => {
                self.languages.push(lang.to_string());
                self.languages.len() - 1
            }
        } as u16;
        let mut concept: Option<Concept> = None;
        for (n, line) in lines(text) {
            if let Some(name) = section(shown, n, line)? {
                concept = Some(Concept::from_name(name).ok_or_else(|| {
                    err(shown, n, format!("unknown concept {name:?} (expected one of compromise, recording, threat, payment, deadline, silence, proof, promise, commentary)"))
                })?);
                continue;
            }
            let c = concept
                .ok_or_else(|| err(shown, n, "phrase before any [concept] section".into()))?;
            let (body, weight) =
                split_weight(line, "weight", 1.0, 0.0..=1.0).map_err(|m| err(shown, n, m))?;
            let (pattern, prefix) = pattern_of(body).map_err(|m| err(shown, n, m))?;
            for pattern in spelling_variants(pattern) {
                if self.phrase_keys.insert((pattern.clone(), c, lang_idx)) {
                    self.phrases.push(Phrase {
                        pattern,
                        prefix,
                        concept: c,
                        lang: lang_idx,
                        weight,
                    });
                }
            }
        }
        Ok(())
    }

    fn add_families(&mut self, shown: &str, text: &str) -> Result<(), Error> {
        let mut current: Option<usize> = None;
        for (n, line) in lines(text) {
            if let Some(id) = section(shown, n, line)? {
                if id.is_empty()
                    || !id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                {
                    return Err(err(
                        shown,
                        n,
                        format!("family id {id:?} must be lower-case letters, digits and '-'"),
                    ));
                }
                current = Some(match self.families.iter().position(|f| f.id == id) {
                    Some(i) => i,
                    None => {
                        self.families.push(Family {
                            id: id.to_string(),
                            name: id.to_string(),
                            description: String::new(),
                            markers: Vec::new(),
                            marker_weights: Vec::new(),
                        });
                        self.families.len() - 1
                    }
                });
                continue;
            }
            let f = current
                .ok_or_else(|| err(shown, n, "marker before any [family] section".into()))?;
            if let Some(v) = line
                .strip_prefix("name")
                .and_then(|r| r.trim_start().strip_prefix('='))
            {
                self.families[f].name = v.trim().to_string();
                continue;
            }
            if let Some(v) = line
                .strip_prefix("description")
                .and_then(|r| r.trim_start().strip_prefix('='))
            {
                self.families[f].description = v.trim().to_string();
                continue;
            }
            let (body, w) = split_weight(line, "marker weight", 1.0, 0.1..=5.0)
                .map_err(|m| err(shown, n, m))?;
            let (pattern, prefix) = pattern_of(body).map_err(|m| err(shown, n, m))?;
            for p in spelling_variants(pattern) {
                let m = (p, prefix);
                if !self.families[f].markers.contains(&m) {
                    self.families[f].markers.push(m);
                    self.families[f].marker_weights.push(w);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
impl Templates {
    pub(crate) fn add_file_for_test(&mut self, rel: &str, text: &str) {
        self.add_file(rel, rel, text)
            .expect("test template is valid");
    }
}

fn err(file: &str, line: usize, message: String) -> Error {
    Error::Template {
        file: file.to_string(),
        line,
        message,
    }
}

/// The pattern and its equivalent spellings. "email" and "e-mail" are
/// written both ways in every corpus language; listing both in every phrase
/// file would double the lists.
fn spelling_variants(p: String) -> Vec<String> {
    let other = if p.contains("e-mail") {
        Some(p.replace("e-mail", "email"))
    } else if p.contains("email") {
        Some(p.replace("email", "e-mail"))
    } else {
        None
    };
    let mut v = vec![p];
    v.extend(other);
    v
}

/// The numbered content lines of a template file: trimmed, without blank
/// lines and `#` comments.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// `[name]` → `Some("name")`; any other line → `None`.
fn section<'a>(shown: &str, n: usize, line: &'a str) -> Result<Option<&'a str>, Error> {
    match line.strip_prefix('[') {
        None => Ok(None),
        Some(sec) => sec
            .strip_suffix(']')
            .map(|name| Some(name.trim()))
            .ok_or_else(|| err(shown, n, "section header without closing ']'".into())),
    }
}

/// `phrase @0.5` → ("phrase", 0.5); without ` @` the default weight. A weight
/// must lie in `range`, excluding a lower bound of zero.
fn split_weight<'a>(
    line: &'a str,
    what: &str,
    default: f32,
    range: std::ops::RangeInclusive<f32>,
) -> Result<(&'a str, f32), String> {
    match line.rsplit_once(" @") {
        None => Ok((line, default)),
        Some((body, w)) => {
            let w: f32 = w
                .trim()
                .parse()
                .map_err(|_| format!("{what} {:?} is not a number", w.trim()))?;
            if !(range.contains(&w) && w > 0.0) {
                let open = if *range.start() > 0.0 { '[' } else { '(' };
                return Err(format!(
                    "{what} {w} must be in {open}{}, {}]",
                    range.start(),
                    range.end()
                ));
            }
            Ok((body.trim(), w))
        }
    }
}

/// Normalises a phrase as text is normalised, so authors can write accents
/// and capitals.
fn pattern_of(body: &str) -> Result<(String, bool), String> {
    let (body, prefix) = match body.strip_suffix('*') {
        Some(b) => (b, true),
        None => (body, false),
    };
    let p = normalize(body, Fold::Match).as_str().trim().to_string();
    if p.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
        return Err(format!("phrase {body:?} is too short to match reliably"));
    }
    if p.len() > 200 {
        return Err("phrase longer than 200 bytes: use a short indicator".into());
    }
    Ok((p, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_loads() {
        let t = Templates::embedded().expect("embedded templates are valid");
        for l in ["en", "de", "fr", "es", "it", "nl", "pt"] {
            assert!(t.languages.iter().any(|x| x == l), "language {l} missing");
        }
        for c in Concept::ALL {
            assert!(
                t.phrases.iter().any(|p| p.concept == c),
                "concept {c:?} has no phrase"
            );
        }
        assert!(t.families.len() >= 5);
    }

    #[test]
    fn errors_name_file_and_line() {
        let mut t = Templates::default();
        let e = t
            .add_file(
                "x/en.txt",
                "concepts/en.txt",
                "# c\n[threat]\nok phrase\n[nonsense]\n",
            )
            .unwrap_err();
        assert_eq!(
            e.to_string().split(':').take(2).collect::<Vec<_>>(),
            ["x/en.txt", "4"]
        );
        let e = t
            .add_file("x/en.txt", "concepts/en.txt", "[threat]\nphrase @7\n")
            .unwrap_err();
        assert!(e.to_string().starts_with("x/en.txt:2: weight 7"), "{e}");
        let e = t
            .add_file("x/en.txt", "concepts/en.txt", "lonely\n")
            .unwrap_err();
        assert!(e.to_string().contains(":1: phrase before"), "{e}");
        let e = t
            .add_file("f.txt", "families.txt", "[Bad Id]\n")
            .unwrap_err();
        assert!(e.to_string().starts_with("f.txt:1:"), "{e}");
    }

    #[test]
    fn email_spellings() {
        let mut t = Templates::default();
        t.add_file("f", "concepts/en.txt", "[proof]\nfrom your own e-mail\n")
            .unwrap();
        let p: Vec<&str> = t.phrases.iter().map(|p| p.pattern.as_str()).collect();
        assert_eq!(p, ["from your own e-mail", "from your own email"]);
    }

    #[test]
    fn phrases_are_normalised() {
        let mut t = Templates::default();
        t.add_file(
            "f",
            "concepts/fr.txt",
            "[recording]\nVidéo  de  vous\nmasturb*\n",
        )
        .unwrap();
        assert_eq!(t.phrases[0].pattern, "video de vous");
        assert!(!t.phrases[0].prefix);
        assert_eq!(t.phrases[1].pattern, "masturb");
        assert!(t.phrases[1].prefix);
    }
}
