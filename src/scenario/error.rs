//! Scenario errors that point at the file, line, column and key.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One mistake in a scenario file, located for the user.
///
/// Displayed as `file:line:column: key: problem`, with a hint on its own line
/// when there is one. The run cannot go on: the scenario is refused before it
/// starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The scenario file (or the data file it names) that holds the mistake.
    pub file: PathBuf,
    /// 1-based line, or 0 when the mistake is about the file as a whole.
    pub line: usize,
    /// 1-based column, or 0 with `line`.
    pub column: usize,
    /// The dotted key path, such as `components.web.instance_type`.
    pub key: String,
    /// What is wrong, including what was expected.
    pub problem: String,
    /// A way out, such as the nearest valid name.
    pub hint: Option<String>,
}

impl std::error::Error for ScenarioError {}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.problem)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// A mistake found while reading the scenario, located by byte span; turned
/// into a [`ScenarioError`] once the source text is at hand.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Byte range in the scenario text.
    pub span: Range<usize>,
    /// Dotted key path.
    pub key: String,
    /// What is wrong and what was expected.
    pub problem: String,
    /// A way out, if any.
    pub hint: Option<String>,
}

impl Problem {
    /// A problem at `span` under `key`.
    pub fn new(span: Range<usize>, key: impl Into<String>, problem: impl Into<String>) -> Problem {
        Problem { span, key: key.into(), problem: problem.into(), hint: None }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Problem {
        self.hint = Some(hint.into());
        self
    }
}

/// The text of a scenario file, to turn byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct Source {
    /// Where the text came from.
    pub path: PathBuf,
    /// The whole file.
    pub text: String,
}

impl Source {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..self.text.floor_char_boundary(offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// Locates a problem in this file (or on the command line, for a value
    /// given with `--set`).
    pub fn error(&self, problem: Problem) -> ScenarioError {
        if problem.span.start >= super::overrides::COMMAND_LINE {
            return ScenarioError {
                file: self.path.clone(),
                line: 0,
                column: 0,
                key: problem.key,
                problem: format!("(the value given with --set) {}", problem.problem),
                hint: problem.hint,
            };
        }
        let (line, column) = self.line_column(problem.span.start);
        ScenarioError {
            file: self.path.clone(),
            line,
            column,
            key: problem.key,
            problem: problem.problem,
            hint: problem.hint,
        }
    }
}

/// An error about a whole file, such as one that cannot be read.
pub fn file_error(path: &Path, problem: impl Into<String>) -> ScenarioError {
    ScenarioError {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        key: String::new(),
        problem: problem.into(),
        hint: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_offsets_by_line_and_column() {
        let source = Source { path: "s.toml".into(), text: "a = 1\nbb = 2\n".into() };
        assert_eq!(source.line_column(0), (1, 1));
        assert_eq!(source.line_column(6), (2, 1));
        assert_eq!(source.line_column(11), (2, 6));
    }

    #[test]
    fn displays_file_line_key_problem_and_hint() {
        let source = Source { path: "s.toml".into(), text: "x = 1\ntype = \"c7g.larg\"\n".into() };
        let problem = Problem::new(13..23, "components.web.instance_type", "unknown type")
            .with_hint("did you mean `c7g.large`?");
        let shown = source.error(problem).to_string();
        assert_eq!(
            shown,
            "s.toml:2:8: components.web.instance_type: unknown type\n  hint: did you mean `c7g.large`?"
        );
    }
}
