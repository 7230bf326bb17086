//! The `sextortion` command line: thin glue over the library (`scan`,
//! `summary`, `classify`, `filter`, `eval`). See `docs/cli.md`.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::args::Cli::parse();
    match cli::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) if cli::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sextortion: {e:#}");
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
