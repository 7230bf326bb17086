//! The `sextortion` command line (minimal: `classify FILE…` → one JSON verdict per line).
use std::io::Write;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let files = match args.split_first() {
        Some((cmd, rest)) if cmd == "classify" => rest,
        _ => anyhow::bail!("usage: sextortion classify FILE..."),
    };
    let clf = sextortion::default_classifier();
    let mut out = std::io::stdout().lock();
    for f in files {
        let raw = std::fs::read(f).map_err(|e| anyhow::anyhow!("{f}: {e}"))?;
        let v = clf.classify(&raw);
        let mut j = serde_json::to_value(&v)?;
        j["source"] = serde_json::Value::String(f.clone());
        writeln!(out, "{j}")?;
    }
    Ok(())
}
