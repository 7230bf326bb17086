//! What both profiling examples share: `DIR [--repeat N]` from the command
//! line and every file of DIR (sorted by name) read before the clock starts.

/// The files (name, bytes) and the repeat count.
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
