//! Errors of construction (templates, configuration) and I/O. Classification
//! itself never fails.

use std::path::PathBuf;

/// What can go wrong building a classifier or reading input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A template file has a line the loader cannot read.
    #[error("{file}:{line}: {message}")]
    Template {
        /// The file, as given or as embedded (`corpus/templates/...`).
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// A templates directory holds no concept files.
    #[error("{}: no template files (expected concepts/<lang>.txt and families.txt)", path.display())]
    NoTemplates {
        /// The directory.
        path: PathBuf,
    },
    /// A configuration value is out of range.
    #[error("invalid configuration: {name} = {value}: {reason}")]
    Config {
        /// The setting.
        name: &'static str,
        /// The value given.
        value: String,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// Reading a file or directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path at fault.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Building the phrase automaton failed (too many or too long phrases).
    #[error("building the phrase matcher: {0}")]
    Matcher(String),
    /// A scanner thread or its thread pool could not be started.
    #[error("starting {what}: {reason}")]
    Threads {
        /// The thread or pool.
        what: String,
        /// What the system said.
        reason: String,
    },
}
