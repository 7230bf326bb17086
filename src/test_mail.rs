//! Real mail for the tests that hold a fast path to the code it replaced,
//! and for the stage timings: every `.eml` under `corpus/samples` and every
//! file of the dev corpus (absent on a fresh clone: then the samples only).

use std::path::PathBuf;

/// The labelled real messages beside the repository.
pub(crate) const DEV_CORPUS: &str = "../shared/corpus/dev/messages";

/// Path and bytes of every message, sorted by path.
pub(crate) fn real_mail() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for (dir, every_file) in [("corpus/samples", false), (DEV_CORPUS, true)] {
        for e in walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
        {
            let eml = e.path().extension().is_some_and(|x| x == "eml");
            if e.file_type().is_file() && (every_file || eml) {
                files.push(e.into_path());
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let raw = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, raw)
        })
        .collect()
}

/// Appends the charset-decoded body of every text/html leaf part of `p`.
pub(crate) fn html_parts(p: &mailparse::ParsedMail<'_>, out: &mut Vec<String>) {
    if p.subparts.is_empty() {
        if p.ctype.mimetype == "text/html" {
            if let Ok(b) = p.get_body() {
                out.push(b);
            }
        }
    } else {
        for s in &p.subparts {
            html_parts(s, out);
        }
    }
}

/// The headers of `levels` multiparts, each the only part of the one
/// before, with distinct boundaries (none a prefix of another): what follows
/// is the innermost part.
pub(crate) fn nested_multiparts(levels: usize) -> String {
    (0..levels)
        .map(|k| format!("Content-Type: multipart/mixed; boundary=b{k}z\n\n--b{k}z\n"))
        .collect()
}
