//! `classify`: one message, explained.

use std::io::{self, Read, Write};

use anyhow::Context;
use sextortion::{Classifier, Field, Label, Verdict};

use super::args::ClassifyArgs;
use super::record::serde_name;
use super::text::{num, terminal, truncate};
use super::{EXIT_MATCH, EXIT_NO_MATCH};

pub fn run(clf: &Classifier, a: ClassifyArgs) -> anyhow::Result<u8> {
    let raw = if a.file.as_os_str() == "-" {
        let mut buf = Vec::new();
        io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .context("reading standard input")?;
        buf
    } else {
        std::fs::read(&a.file).with_context(|| format!("{}", a.file.display()))?
    };
    let v = clf.classify(&raw);
    let mut out = io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        explain(&mut out, &v)?;
    }
    out.flush()?;
    Ok(if v.label == Label::Sextortion {
        EXIT_MATCH
    } else {
        EXIT_NO_MATCH
    })
}

fn place(f: &Field) -> String {
    match f {
        Field::Subject => "subject".into(),
        Field::Body(i) => format!("body {i}"),
    }
}

/// The human verdict. Everything from the message goes through `terminal`.
fn explain(w: &mut impl Write, v: &Verdict) -> io::Result<()> {
    let t = |s: &Option<String>| terminal(s.as_deref().unwrap_or("-"));
    writeln!(w, "label:     {} (score {:.2})", v.label, v.score)?;
    match &v.family {
        Some(f) => writeln!(
            w,
            "family:    {} ({} markers, {:.0}% of the family's)",
            terminal(&f.id),
            f.markers,
            f.coverage * 100.0
        )?,
        None => writeln!(w, "family:    -")?,
    }
    writeln!(w, "language:  {}", t(&v.language))?;
    let m = &v.meta;
    writeln!(w, "subject:   {}", t(&m.subject))?;
    writeln!(w, "from:      {}", t(&m.from))?;
    writeln!(w, "to:        {}", t(&m.to))?;
    writeln!(w, "date:      {}", t(&m.date))?;
    writeln!(w, "message-id: {}", t(&m.message_id))?;
    let parts: Vec<String> = v
        .breakdown
        .iter()
        .map(|c| format!("{} {:+.2}", terminal(&c.source), c.points))
        .collect();
    writeln!(
        w,
        "breakdown: {}",
        if parts.is_empty() {
            "-".into()
        } else {
            parts.join(", ")
        }
    )?;
    if v.evidence.is_empty() {
        writeln!(w, "evidence:  -")?;
    } else {
        writeln!(w, "evidence:")?;
        for e in &v.evidence {
            writeln!(
                w,
                "  {:<10} [{}] {:<32} \"{}\" ({} {}..{})",
                e.concept.as_str(),
                terminal(&e.language),
                terminal(&e.phrase),
                terminal(&truncate(&e.text, 60)),
                place(&e.span.field),
                e.span.start,
                e.span.end
            )?;
        }
    }
    if v.wallets.is_empty() {
        writeln!(w, "wallets:   -")?;
    } else {
        writeln!(w, "wallets:")?;
        for x in &v.wallets {
            let mut extra = Vec::new();
            if x.deobfuscated {
                extra.push("deobfuscated".to_string());
            }
            if let Some(a) = &x.uri_amount {
                extra.push(format!("uri amount {}", terminal(a)));
            }
            writeln!(
                w,
                "  {} {} {} ({} {}){}",
                x.chain.code(),
                terminal(&x.address),
                serde_name(&x.kind),
                place(&x.span.field),
                x.span.start,
                if extra.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", extra.join(", "))
                }
            )?;
        }
    }
    let amounts: Vec<String> = v
        .amounts
        .iter()
        .map(|a| {
            format!(
                "{} {} (\"{}\")",
                num(a.value),
                terminal(&a.currency),
                terminal(&a.raw)
            )
        })
        .collect();
    writeln!(
        w,
        "amounts:   {}",
        if amounts.is_empty() {
            "-".into()
        } else {
            amounts.join(", ")
        }
    )?;
    match &v.deadline {
        Some(d) => writeln!(w, "deadline:  {} hours (\"{}\")", d.hours, terminal(&d.raw))?,
        None => writeln!(w, "deadline:  -")?,
    }
    if !v.signals.is_empty() {
        let s: Vec<String> = v
            .signals
            .iter()
            .map(|s| terminal(&tagged(s, "signal", "detail")))
            .collect();
        writeln!(w, "signals:   {}", s.join(", "))?;
    }
    if !v.notes.is_empty() {
        let s: Vec<String> = v
            .notes
            .iter()
            .map(|n| terminal(&tagged(n, "note", "detail")))
            .collect();
        writeln!(w, "notes:     {}", s.join(", "))?;
    }
    Ok(())
}

/// `name` or `name (detail)` of an adjacently tagged serde enum value.
fn tagged<T: serde::Serialize>(v: &T, tag: &str, content: &str) -> String {
    let j = serde_json::to_value(v).unwrap_or_default();
    let name = j
        .get(tag)
        .and_then(|t| t.as_str())
        .unwrap_or("?")
        .to_string();
    match j.get(content) {
        Some(serde_json::Value::String(d)) => format!("{name} ({d})"),
        Some(d) => format!("{name} ({d})"),
        None => name,
    }
}
