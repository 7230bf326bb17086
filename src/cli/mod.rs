//! Binary-only modules: argument parsing, output formats, summaries, the
//! HTML report and the subcommands. The library knows nothing of them.

pub mod args;
mod classify;
mod csv;
mod eval;
mod filter;
mod record;
mod report;
mod scan;
mod summary;
mod text;

use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context;

use args::{Cli, Command};

/// Something flagged (scan, classify: a sextortion verdict).
pub const EXIT_MATCH: u8 = 0;
/// Nothing flagged.
pub const EXIT_NO_MATCH: u8 = 1;
/// An error (scan: at least one message or file could not be read).
pub const EXIT_ERROR: u8 = 2;

/// Runs a subcommand; returns the exit status.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let Cli {
        templates,
        extra_templates,
        command,
    } = cli;
    let load = || classifier(templates.as_deref(), &extra_templates);
    match command {
        // A filter passes mail through even when no classifier can be had.
        Command::Filter(a) => Ok(filter::run(
            std::panic::catch_unwind(load).ok().and_then(Result::ok),
            a,
        )),
        Command::Summary(a) => scan::summary(a),
        Command::Scan(a) => scan::run(&load()?, a),
        Command::Classify(a) => classify::run(&load()?, a),
        Command::Eval(a) => eval::run(&load()?, a),
    }
}

fn classifier(
    templates: Option<&Path>,
    extra: &[PathBuf],
) -> anyhow::Result<sextortion::Classifier> {
    if templates.is_none() && extra.is_empty() {
        return Ok(sextortion::default_classifier().clone());
    }
    let mut b = sextortion::Classifier::builder();
    if let Some(d) = templates {
        b.templates_dir(d);
    }
    for d in extra {
        b.extra_templates_dir(d);
    }
    b.build().context("loading templates")
}

/// True when the error is a closed output pipe (`sextortion scan … | head`):
/// the reader has what it wanted, so the run ends quietly.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
