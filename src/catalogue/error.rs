//! What can go wrong when loading the catalogue or looking something up in it.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a catalogue could not be loaded. None of these lets the run go on:
/// the caller should report the error and stop.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// The catalogue directory given by the user is missing or not a
    /// directory.
    #[error("{}: not a directory", path.display())]
    NotADirectory {
        /// The path the user gave.
        path: PathBuf,
    },

    /// The catalogue directory holds none of the catalogue files, so every
    /// price would silently come from the built-in catalogue.
    #[error(
        "{}: holds no catalogue file\n  hint: put any of {} there",
        path.display(),
        super::files::FILE_NAMES.join(", ")
    )]
    Empty {
        /// The directory the user gave.
        path: PathBuf,
    },

    /// The catalogue directory or a file in it could not be read
    /// (permissions, not UTF-8, …).
    #[error("{}: cannot read", path.display())]
    Read {
        /// The file that failed.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },

    /// The catalogue directory holds a TOML file the catalogue does not know,
    /// most likely a misnamed override that would otherwise be ignored.
    #[error("{}: not a catalogue file{}", path.display(), Hint(hint))]
    UnexpectedFile {
        /// The unexpected file.
        path: PathBuf,
        /// Which names are read, and the closest one.
        hint: Option<String>,
    },

    /// A catalogue file is not valid TOML, does not have the expected fields,
    /// or holds a value the catalogue rejects.
    #[error("{file}:{at}: {message}{}", Hint(hint))]
    Invalid {
        /// The file, as a path for user files or `built-in models/NAME`.
        file: String,
        /// Where in the file.
        at: Location,
        /// The offending value first, then the problem.
        message: String,
        /// A suggestion for the fix, printed on its own line.
        hint: Option<String>,
    },
}

/// A 1-based line and column (in characters) in a catalogue file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// The line, counting from 1.
    pub line: usize,
    /// The column, in characters, counting from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    /// Writes `line:column`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Writes an optional hint on a line of its own, or nothing.
struct Hint<'a>(&'a Option<String>);

impl fmt::Display for Hint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(hint) => write!(f, "\n  hint: {hint}"),
            None => Ok(()),
        }
    }
}

/// A name that is not in the catalogue, such as an instance type a scenario
/// asks for.
///
/// The message names only the entry (``unknown instance type `c7g.larg` ``);
/// callers print the `suggestion` themselves, for example as
/// "did you mean c7g.large?".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{name}`")]
pub struct UnknownEntry {
    /// What was looked up, e.g. "instance type" or "DB instance class".
    pub kind: &'static str,
    /// The name as given.
    pub name: String,
    /// The closest name in the catalogue, if one is close enough.
    pub suggestion: Option<String>,
}
