//! The catalogue files: the copies built into the binary, a user's
//! directory that replaces some of them, and turning byte offsets into the
//! line and column an error message shows.

use std::borrow::Cow;
use std::fs;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::error::{CatalogueError, Location};
use super::suggest;

/// The catalogue file names, in the order they are loaded. `sources.toml`
/// comes first because the other files cite its keys.
pub(crate) const FILE_NAMES: [&str; FILE_COUNT] = [
    "sources.toml",
    "ec2.toml",
    "elb.toml",
    "rds.toml",
    "elasticache.toml",
    "serverless.toml",
    "network.toml",
];

/// How many files the catalogue has.
pub(crate) const FILE_COUNT: usize = 7;

/// The built-in files, in the order of `FILE_NAMES`.
const BUILTIN_TEXTS: [&str; FILE_COUNT] = [
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/sources.toml")),
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/ec2.toml")),
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/elb.toml")),
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/rds.toml")),
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/elasticache.toml")),
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/serverless.toml")),
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/network.toml")),
];

/// Where one catalogue file in use came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueFile {
    /// The file name, such as `ec2.toml`.
    pub name: &'static str,
    /// The user's file that replaced the built-in one, or `None` when the
    /// built-in file is in use.
    pub path: Option<PathBuf>,
}

/// The text of one catalogue file, ready to parse.
pub(crate) struct FileText {
    pub origin: CatalogueFile,
    pub text: Cow<'static, str>,
}

impl FileText {
    /// The name that error messages show: the user's path, or
    /// `built-in models/NAME`.
    fn display_name(&self) -> String {
        match &self.origin.path {
            Some(path) => path.display().to_string(),
            None => format!("built-in models/{}", self.origin.name),
        }
    }

    /// Parses the whole file into its serde mirror.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, CatalogueError> {
        toml::from_str(&self.text).map_err(|err| self.error_at(err.span(), err.message()))
    }

    /// An error located at the start of `span` (the file start if unknown).
    pub fn error_at(
        &self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> CatalogueError {
        self.error_with_hint(span, message, None)
    }

    /// An error located at the start of `span`, with a hint for the fix.
    pub fn error_with_hint(
        &self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> CatalogueError {
        let offset = span.map_or(0, |span| span.start);
        CatalogueError::Invalid {
            file: self.display_name(),
            at: location(&self.text, offset),
            message: message.into(),
            hint,
        }
    }
}

/// The 1-based line and column of byte `offset` in `text`. An offset past
/// the end, or inside a character, is moved back to a character start.
fn location(text: &str, offset: usize) -> Location {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    Location {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// The built-in files.
pub(crate) fn builtin_files() -> [FileText; FILE_COUNT] {
    std::array::from_fn(|index| FileText {
        origin: CatalogueFile { name: FILE_NAMES[index], path: None },
        text: Cow::Borrowed(BUILTIN_TEXTS[index]),
    })
}

/// The files of a user's catalogue directory, with the built-in file standing
/// in for each one the directory lacks.
///
/// Any other `*.toml` file in the directory is an error, because a misnamed
/// override (`ec2-prices.toml`) would otherwise be ignored without a word.
pub(crate) fn files_from_dir(dir: &Path) -> Result<[FileText; FILE_COUNT], CatalogueError> {
    if !dir.is_dir() {
        return Err(CatalogueError::NotADirectory { path: dir.to_path_buf() });
    }
    reject_unknown_files(dir)?;

    let mut files = builtin_files();
    for file in &mut files {
        let path = dir.join(file.origin.name);
        if !path.exists() {
            continue;
        }
        let text = fs::read_to_string(&path)
            .map_err(|source| CatalogueError::Read { path: path.clone(), source })?;
        *file = FileText {
            origin: CatalogueFile { name: file.origin.name, path: Some(path) },
            text: Cow::Owned(text),
        };
    }
    if files.iter().all(|file| file.origin.path.is_none()) {
        return Err(CatalogueError::Empty { path: dir.to_path_buf() });
    }
    Ok(files)
}

/// Fails on the first `*.toml` file in `dir` that is not a catalogue file.
fn reject_unknown_files(dir: &Path) -> Result<(), CatalogueError> {
    let read_err = |source: io::Error| CatalogueError::Read { path: dir.to_path_buf(), source };
    for entry in fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else { continue };
        if !name.ends_with(".toml") || FILE_NAMES.contains(&name) {
            continue;
        }
        let hint = match suggest::closest(name, FILE_NAMES) {
            Some(close) => {
                format!(
                    "did you mean {close}? (the catalogue reads only {})",
                    FILE_NAMES.join(", ")
                )
            }
            None => format!("the catalogue reads only {}", FILE_NAMES.join(", ")),
        };
        return Err(CatalogueError::UnexpectedFile { path, hint: Some(hint) });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters_from_one() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(location(text, 0), Location { line: 1, column: 1 });
        assert_eq!(location(text, 6), Location { line: 2, column: 1 });
        // Byte 9 is the space after "bé": the third character of line 2.
        assert_eq!(location(text, 9), Location { line: 2, column: 3 });
        assert_eq!(location(text, 999), Location { line: 3, column: 1 });
    }
}
