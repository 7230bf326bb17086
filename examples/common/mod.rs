//! What the profiling examples share: `DIR [--repeat N]` from the command
//! line, every file of DIR (sorted by name) read before the clock starts,
//! and the parse-only floor.

/// The files (name, bytes) and the repeat count.
#[allow(dead_code)] // the benchmark includes this module for the floor only
pub fn corpus_from_args() -> (Vec<(String, Vec<u8>)>, usize) {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| "../shared/corpus/dev/messages".into());
    let repeat: usize = match (args.next().as_deref(), args.next()) {
        (Some("--repeat"), Some(n)) => n.parse().expect("--repeat N"),
        _ => 1,
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("dir entry").path())
        .collect();
    files.sort();
    let msgs = files
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(p).expect("read"),
            )
        })
        .collect();
    (msgs, repeat)
}

/// One pass of the parse-only floor over `msgs`: mailparse's `parse_mail`
/// and `get_body_raw` of every `text/*` part. The text bytes decoded.
/// `benches/classify.rs` runs this same function.
#[allow(dead_code)] // not every program that includes this module uses it
pub fn parse_only_pass<'a>(msgs: impl IntoIterator<Item = &'a [u8]>) -> usize {
    fn walk(p: &mailparse::ParsedMail<'_>, n: &mut usize) {
        if p.subparts.is_empty() {
            if p.ctype.mimetype.starts_with("text/") {
                if let Ok(b) = p.get_body_raw() {
                    *n += b.len();
                }
            }
        } else {
            for s in &p.subparts {
                walk(s, n);
            }
        }
    }
    let mut decoded = 0;
    for raw in msgs {
        if let Ok(m) = mailparse::parse_mail(std::hint::black_box(raw)) {
            walk(&m, &mut decoded);
        }
    }
    decoded
}
