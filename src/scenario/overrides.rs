//! Overrides: a value put at a key path of the scenario before it is
//! checked, as a sweep point or `--set` asks.
//!
//! A path names a key the way error messages do: `traffic.rate`,
//! `components.web.instance_type`, `components.web.scaling.policies[0].target`.
//! The value replaces what the file has there (or is added, if the table is
//! there and the key is not); the scenario is then checked as if the file
//! said so, so a bad value gets the usual message. A value taken from the
//! file's own `[sweep]` table keeps its place in the file, so the message
//! points at it; a value from the command line points at the command line.

use std::borrow::Cow;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::Problem;

/// The byte offset that stands for the command line: spans from here on
/// are not in the file.
pub const COMMAND_LINE: usize = usize::MAX / 2;

/// A value to put at a key path: its TOML text, and the place errors in it
/// point at (in the file, or [`COMMAND_LINE`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Override {
    /// The dotted key path.
    pub path: String,
    /// The value as TOML source text (`4`, `"c7g.large"`, `{ … }`).
    pub literal: String,
    /// Where the value was written.
    pub span: Range<usize>,
}

impl Override {
    /// An override from the command line: `text` is read as a TOML value
    /// (a number, `true`, a quoted string, an inline table, a list), or as
    /// a plain string when it is none of those (so `c7g.large` needs no
    /// quotes).
    pub fn from_command_line(path: &str, text: &str) -> Override {
        let trimmed = text.trim();
        let literal = if DeValue::parse(trimmed).is_ok() {
            trimmed.to_string()
        } else {
            format!("{trimmed:?}")
        };
        Override { path: path.to_string(), literal, span: command_line_span() }
    }

    /// The value as the user would write it, for labels: strings without
    /// their quotes.
    pub fn value_text(&self) -> String {
        DeValue::parse(&self.literal).map_or(self.literal.clone(), |v| show(v.get_ref()))
    }

    /// True when the value was given on the command line.
    pub fn is_from_command_line(&self) -> bool {
        self.span.start >= COMMAND_LINE
    }

    /// What the run's summary lists of it.
    pub fn setting(&self) -> super::model::Setting {
        super::model::Setting {
            key: self.path.clone(),
            value: self.value_text(),
            from: if self.is_from_command_line() { "--set" } else { "[sweep]" }.into(),
        }
    }

    /// The value, read from its text and placed at its span.
    fn value(&self) -> Result<Spanned<DeValue<'_>>, Problem> {
        let parsed = DeValue::parse(&self.literal).map_err(|e| {
            Problem::new(
                self.span.clone(),
                self.path.clone(),
                format!("`{}` is not a value: {}", self.literal, e.message().trim()),
            )
        })?;
        Ok(respan(parsed.into_inner(), self.span.clone()))
    }
}

/// The span every command-line value carries.
pub fn command_line_span() -> Range<usize> {
    COMMAND_LINE..COMMAND_LINE + 1
}

/// Gives a value, and everything inside it, the span `span`, so that any
/// error in it points at where it was written.
fn respan(value: DeValue<'_>, span: Range<usize>) -> Spanned<DeValue<'_>> {
    let value = match value {
        DeValue::Array(items) => DeValue::Array(
            items.into_iter().map(|item| respan(item.into_inner(), span.clone())).collect(),
        ),
        DeValue::Table(table) => {
            let mut out = DeTable::new();
            for (key, item) in table {
                out.insert(
                    Spanned::new(span.clone(), key.into_inner()),
                    respan(item.into_inner(), span.clone()),
                );
            }
            DeValue::Table(out)
        }
        other => other,
    };
    Spanned::new(span, value)
}

/// A value as TOML would write it, briefly: `"c7g.large"` as `c7g.large`.
pub fn show(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => s.to_string(),
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(f) => f.as_str().to_string(),
        DeValue::Boolean(b) => b.to_string(),
        DeValue::Datetime(d) => d.to_string(),
        DeValue::Array(items) => {
            let inner: Vec<String> = items.iter().map(|i| show(i.get_ref())).collect();
            format!("[{}]", inner.join(", "))
        }
        DeValue::Table(table) => {
            let inner: Vec<String> = table
                .iter()
                .map(|(k, v)| format!("{} = {}", k.get_ref(), show(v.get_ref())))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
    }
}

/// One step of a path: a key, and an index when the key holds a list of
/// tables (`policies[0]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The key.
    pub key: String,
    /// The list index, if any.
    pub index: Option<usize>,
}

/// Splits a dotted path into steps; `None` when it is not a path.
pub fn steps(path: &str) -> Option<Vec<Step>> {
    path.split('.')
        .map(|part| {
            let (key, index) = match part.split_once('[') {
                Some((key, rest)) => {
                    let index = rest.strip_suffix(']')?.parse().ok()?;
                    (key, Some(index))
                }
                None => (part, None),
            };
            let valid = !key.is_empty()
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            valid.then(|| Step { key: key.to_string(), index })
        })
        .collect()
}

/// Puts each override's value at its path in the document `root`.
pub fn apply<'a>(root: &mut DeTable<'a>, overrides: &'a [Override]) -> Result<(), Problem> {
    for o in overrides {
        apply_one(root, o)?;
    }
    Ok(())
}

fn apply_one<'a>(root: &mut DeTable<'a>, o: &'a Override) -> Result<(), Problem> {
    let at = o.span.clone();
    let Some(steps) = steps(&o.path).filter(|s| !s.is_empty()) else {
        return Err(Problem::new(
            at,
            o.path.clone(),
            "is not a key path like `components.web.count` or `components.web.scaling.policies[0].target`",
        ));
    };
    let (last, parents) = steps.split_last().expect("a path has a step");
    let mut table = root;
    let mut walked = String::new();
    for step in parents {
        walked =
            if walked.is_empty() { step.key.clone() } else { format!("{walked}.{}", step.key) };
        let known: Vec<String> = table.keys().map(|k| k.get_ref().to_string()).collect();
        let Some(entry) = table.get_mut(step.key.as_str()) else {
            let mut problem = Problem::new(
                at.clone(),
                o.path.clone(),
                format!("the scenario has no `{walked}` to set a value in"),
            );
            if let Some(near) = super::values::suggest(&step.key, known.iter().map(String::as_str))
            {
                problem = problem.with_hint(format!("did you mean `{near}`?"));
            }
            return Err(problem);
        };
        let value = match step.index {
            None => entry.get_mut(),
            Some(i) => {
                let DeValue::Array(items) = entry.get_mut() else {
                    return Err(Problem::new(
                        at.clone(),
                        o.path.clone(),
                        format!("`{walked}` is not a list, so it has no [{i}]"),
                    ));
                };
                let len = items.len();
                match items.get_mut(i) {
                    Some(item) => item.get_mut(),
                    None => {
                        return Err(Problem::new(
                            at.clone(),
                            o.path.clone(),
                            format!(
                                "`{walked}` has {len} {}, so no [{i}] (they count from 0)",
                                if len == 1 { "entry" } else { "entries" }
                            ),
                        ));
                    }
                }
            }
        };
        let DeValue::Table(inner) = value else {
            let what = match value {
                DeValue::Array(_) => {
                    format!("`{walked}` is a list: name an entry by its index, like `{walked}[0]`")
                }
                _ => format!("`{walked}` is a value, not a table with keys"),
            };
            return Err(Problem::new(at.clone(), o.path.clone(), what));
        };
        table = inner;
    }
    if last.index.is_some() {
        return Err(Problem::new(
            at,
            o.path.clone(),
            "a path ends with a key, not a list index: name the key inside the list's entry",
        ));
    }
    table.insert(Spanned::new(at, Cow::Owned(last.key.clone())), o.value()?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(text: &str) -> DeTable<'_> {
        DeTable::parse(text).unwrap().into_inner()
    }

    #[test]
    fn paths_split_into_keys_and_indices() {
        assert_eq!(
            steps("components.web.scaling.policies[0].target").unwrap()[3],
            Step { key: "policies".into(), index: Some(0) }
        );
        assert!(steps("components..web").is_none());
        assert!(steps("a.b[x]").is_none());
    }

    #[test]
    fn a_value_replaces_or_adds_a_key() {
        let text = "[components.web]\ncount = 2\n[[components.web.p]]\nt = 1\n";
        let overrides = [
            Override::from_command_line("components.web.count", "4"),
            Override::from_command_line("components.web.instance_type", "c7g.large"),
            Override::from_command_line("components.web.p[0].t", "50"),
        ];
        let mut root = document(text);
        apply(&mut root, &overrides).unwrap();
        let web = root.get("components").unwrap().get_ref().get("web").unwrap().get_ref();
        assert_eq!(show(web.get("count").unwrap().get_ref()), "4");
        assert_eq!(show(web.get("instance_type").unwrap().get_ref()), "c7g.large");
        assert_eq!(web.get("count").unwrap().span().start, COMMAND_LINE);
    }

    #[test]
    fn a_missing_table_or_index_is_named() {
        let wrong_table = [Override::from_command_line("components.wbe.count", "1")];
        let not_a_list = [Override::from_command_line("components.web.count[2].x", "1")];
        let mut root = document("[components.web]\ncount = 2\n");
        let error = apply(&mut root, &wrong_table).unwrap_err();
        assert!(error.problem.contains("no `components.wbe`"), "{error:?}");
        assert_eq!(error.hint.as_deref(), Some("did you mean `web`?"));
        let error = apply(&mut root, &not_a_list).unwrap_err();
        assert!(error.problem.contains("not a list"), "{error:?}");
    }
}
