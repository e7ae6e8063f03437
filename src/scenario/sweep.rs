//! The `[sweep]` table: the key paths a scenario varies and their values.
//!
//! ```toml
//! [sweep]
//! "components.web.instance_type" = ["c7g.large", "c7g.xlarge"]
//! "components.web.scaling.policies[0].target" = { from = 40, to = 70, step = 10 }
//! ```
//!
//! Each entry is an axis: a list of values, or a numeric range (`from` to
//! `to` inclusive, by `step`). Keys may also be written as nested tables
//! (`[sweep.components.web]` then `count = [2, 4]`). The points of the
//! sweep are every combination, the first axis varying slowest.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::error::Problem;
use super::overrides::{Override, show, steps};

/// Most points one sweep may have. Each point is checked when the file is
/// read, and its summary kept until the experiment ends: the bound keeps
/// `check` quick and the experiment's memory small.
pub const MAX_POINTS: usize = 10_000;

/// Most runs (points × replications) one experiment may have: each run
/// keeps a record (its latency histogram) until the experiment's summary
/// is made.
pub const MAX_RUNS: usize = 100_000;

/// One varied key and its values.
#[derive(Debug, Clone)]
pub struct Axis {
    /// The key path.
    pub path: String,
    /// Where the axis is declared (the file, or the command line).
    pub span: Range<usize>,
    /// Its values: each the override that sets it.
    pub values: Vec<Override>,
}

impl Axis {
    /// The override that sets value `i`.
    pub fn at(&self, i: usize) -> Override {
        self.values[i].clone()
    }

    /// The short name of the key, for labels: its last step.
    pub fn short_name(&self) -> &str {
        self.path.rsplit('.').next().unwrap_or(&self.path)
    }
}

/// The axes of the `[sweep]` table of `text`, if any. Syntax errors are
/// left to the scenario check, which reports them with their place.
pub fn axes_in(text: &str) -> Result<Vec<Axis>, Problem> {
    let Ok(root) = DeTable::parse(text) else { return Ok(Vec::new()) };
    let Some(sweep) = root.get_ref().get("sweep") else { return Ok(Vec::new()) };
    let DeValue::Table(table) = sweep.get_ref() else {
        return Err(Problem::new(
            sweep.span(),
            "sweep",
            "expected a table of key paths and their values, like \
             [sweep] \"components.web.count\" = [2, 4, 8]",
        ));
    };
    let mut axes = Vec::new();
    collect(text, table, "", &mut axes)?;
    if axes.is_empty() {
        return Err(Problem::new(sweep.span(), "sweep", "names no key to vary"));
    }
    for (i, axis) in axes.iter().enumerate() {
        if axes[..i].iter().any(|a| a.path == axis.path) {
            return Err(Problem::new(
                axis.span.clone(),
                format!("sweep.{}", axis.path),
                "is given twice (once as a dotted key, once in a nested table?): give its values \
                 once",
            ));
        }
    }
    Ok(axes)
}

/// Walks the table: a list or a range is an axis; another table nests.
fn collect(
    text: &str,
    table: &DeTable<'_>,
    prefix: &str,
    axes: &mut Vec<Axis>,
) -> Result<(), Problem> {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        let at = key.span().start..value.span().end;
        match value.get_ref() {
            DeValue::Array(items) => {
                let values = items
                    .iter()
                    .map(|item| Override {
                        path: path.clone(),
                        literal: text[item.span()].to_string(),
                        span: item.span(),
                    })
                    .collect();
                axes.push(axis(&path, at, values)?);
            }
            DeValue::Table(inner) if is_range(inner) => {
                let values = range(inner, &path, at.clone())?;
                axes.push(axis(&path, at, values)?);
            }
            DeValue::Table(inner) => collect(text, inner, &path, axes)?,
            _ => {
                return Err(Problem::new(
                    value.span(),
                    format!("sweep.{path}"),
                    format!(
                        "`{}` is one value: a sweep gives a list of values, like [2, 4, 8], or a \
                         range, like {{ from = 2, to = 8, step = 2 }}",
                        show(value.get_ref())
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn is_range(table: &DeTable<'_>) -> bool {
    table.contains_key("from") || table.contains_key("to") || table.contains_key("step")
}

/// The values of a `{ from, to, step }` range, each placed at the range.
fn range(table: &DeTable<'_>, path: &str, at: Range<usize>) -> Result<Vec<Override>, Problem> {
    let key = format!("sweep.{path}");
    // Each bound: its value, whether it is whole, and its decimals.
    let number = |name: &str| -> Result<(f64, bool, usize), Problem> {
        match table.get(name).map(|v| v.get_ref()) {
            Some(DeValue::Integer(i)) => {
                let text = i.as_str().replace('_', "");
                text.parse::<i64>().map(|n| (n as f64, true, 0)).map_err(|_| {
                    Problem::new(at.clone(), format!("{key}.{name}"), "is not a whole number")
                })
            }
            Some(DeValue::Float(f)) => {
                let text = f.as_str().replace('_', "");
                // Written with an exponent (1e-1): the value's own shortest
                // decimals.
                let decimals = match text.split_once('.') {
                    Some((_, fraction)) if !text.contains(['e', 'E']) => fraction.len(),
                    _ => text.parse::<f64>().map_or(6, decimals_of),
                };
                text.parse::<f64>().map(|n| (n, false, decimals)).map_err(|_| {
                    Problem::new(at.clone(), format!("{key}.{name}"), "is not a number")
                })
            }
            Some(other) => Err(Problem::new(
                at.clone(),
                format!("{key}.{name}"),
                format!("`{}` is not a number: a range goes over numbers", show(other)),
            )),
            None => Err(Problem::new(
                at.clone(),
                format!("{key}.{name}"),
                "missing: a range needs from, to and step",
            )),
        }
    };
    let ((from, whole_from, from_decimals), (to, whole_to, _), (step, whole_step, step_decimals)) =
        (number("from")?, number("to")?, number("step")?);
    if let Some(extra) =
        table.keys().find(|k| !["from", "to", "step"].contains(&k.get_ref().as_ref()))
    {
        return Err(Problem::new(
            at,
            format!("{key}.{}", extra.get_ref()),
            "unknown key: a range has from, to and step",
        ));
    }
    if step.is_nan() || step <= 0.0 || to < from {
        return Err(Problem::new(
            at,
            key,
            format!("from {from} to {to} by {step}: expected from ≤ to and a step above 0"),
        ));
    }
    let steps = ((to - from) / step + 1e-9).floor();
    if !steps.is_finite() || steps >= MAX_POINTS as f64 {
        return Err(Problem::new(
            at,
            key,
            format!("from {from} to {to} by {step} makes more than {MAX_POINTS} values"),
        ));
    }
    let count = steps as usize + 1;
    let whole = whole_from && whole_to && whole_step;
    // Values are written with the decimals of `from` and `step`, so that
    // 0.1 steps give 0.3, not 0.30000000000000004; a float keeps a decimal
    // point, so that TOML reads it back as a float.
    let decimals = from_decimals.max(step_decimals).max(1);
    Ok((0..count)
        .map(|i| {
            let v = from + step * i as f64;
            let literal =
                if whole { format!("{}", v.round() as i64) } else { format!("{v:.decimals$}") };
            Override { path: path.to_string(), literal, span: at.clone() }
        })
        .collect())
}

/// Digits after the point in the shortest form of `value` (0.1 → 1,
/// 2.5e-3 → 4), at most 12.
fn decimals_of(value: f64) -> usize {
    let shortest = format!("{value}");
    shortest.split_once('.').map_or(0, |(_, fraction)| fraction.len()).min(12)
}

/// Checks one axis: a key path, and at least one value.
fn axis(path: &str, at: Range<usize>, values: Vec<Override>) -> Result<Axis, Problem> {
    if steps(path).is_none() {
        return Err(Problem::new(
            at,
            format!("sweep.{path}"),
            "is not a key path like \"components.web.count\"",
        ));
    }
    if values.is_empty() {
        return Err(Problem::new(at, format!("sweep.{path}"), "has no values: give at least one"));
    }
    if let Some(twice) = repeated_value(&values) {
        return Err(Problem::new(
            at,
            format!("sweep.{path}"),
            format!("{twice} is given twice: each value makes a point, so give it once"),
        ));
    }
    Ok(Axis { path: path.to_string(), span: at, values })
}

/// A value that appears twice among `values`, if any: the same point run
/// twice would only look like a comparison.
fn repeated_value(values: &[Override]) -> Option<String> {
    let texts: Vec<String> = values.iter().map(Override::value_text).collect();
    texts.iter().enumerate().find(|(i, t)| texts[..*i].contains(t)).map(|(_, t)| t.clone())
}

/// A sweep axis from the command line: `--set KEY=V1,V2,…`. Commas inside
/// brackets or braces do not split values.
pub fn axis_from_command_line(spec: &str) -> Result<Axis, String> {
    let Some((path, values)) = spec.split_once('=') else {
        return Err(format!("--set {spec}: expected KEY=VALUE or KEY=V1,V2,…"));
    };
    let path = path.trim();
    if steps(path).is_none() {
        return Err(format!("--set {spec}: `{path}` is not a key path like components.web.count"));
    }
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut current) = (0i32, false, String::new());
    for c in values.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            ',' if depth == 0 && !quoted => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    if parts.iter().any(|p| p.trim().is_empty()) {
        return Err(format!("--set {spec}: a value is empty"));
    }
    let values: Vec<Override> =
        parts.iter().map(|p| Override::from_command_line(path, p)).collect();
    if let Some(twice) = repeated_value(&values) {
        return Err(format!("--set {spec}: {twice} is given twice; give each value once"));
    }
    Ok(Axis { path: path.to_string(), span: super::overrides::command_line_span(), values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_ranges_and_nested_tables_are_axes() {
        let text = "[sweep]\n\"components.web.count\" = [2, 4]\n\
                    \"components.web.scaling.policies[0].target\" = { from = 40, to = 70, step = 10 }\n\
                    [sweep.traffic]\nrate = [\"100/s\", \"200/s\"]\n";
        let axes = axes_in(text).unwrap();
        let shown: Vec<(String, Vec<String>)> = axes
            .iter()
            .map(|a| (a.path.clone(), a.values.iter().map(Override::value_text).collect()))
            .collect();
        assert_eq!(shown[0], ("components.web.count".into(), vec!["2".into(), "4".into()]));
        assert_eq!(shown[1].1, vec!["40", "50", "60", "70"]);
        assert_eq!(shown[2], ("traffic.rate".into(), vec!["100/s".into(), "200/s".into()]));
    }

    #[test]
    fn float_ranges_keep_the_decimals_written() {
        let axes = axes_in(
            "[sweep]
x = { from = 0.5, to = 0.8, step = 0.1 }
",
        )
        .unwrap();
        let values: Vec<String> = axes[0].values.iter().map(Override::value_text).collect();
        assert_eq!(values, ["0.5", "0.6", "0.7", "0.8"]);
        let axes = axes_in(
            "[sweep]
x = { from = 1, to = 2, step = 0.25 }
",
        )
        .unwrap();
        let values: Vec<String> = axes[0].values.iter().map(Override::value_text).collect();
        assert_eq!(values, ["1.00", "1.25", "1.50", "1.75", "2.00"]);
        let axes = axes_in("[sweep]\nx = { from = 1e-1, to = 3e-1, step = 1e-1 }\n").unwrap();
        let values: Vec<String> = axes[0].values.iter().map(Override::value_text).collect();
        assert_eq!(values, ["0.1", "0.2", "0.3"]);
        let huge = axes_in("[sweep]\nx = { from = 0.0, to = 1e300, step = 1e-300 }\n");
        assert!(huge.unwrap_err().problem.contains("more than 10000 values"));
    }

    #[test]
    fn empty_lists_single_values_and_bad_ranges_are_refused() {
        let refused = |text: &str, words: &str| {
            let error = axes_in(text).unwrap_err();
            assert!(error.problem.contains(words), "{error:?}");
        };
        refused("[sweep]\n\"components.web.count\" = []\n", "no values");
        refused("[sweep]\n\"components.web.count\" = 4\n", "one value");
        refused("[sweep]\nx = { from = 5, to = 1, step = 1 }\n", "from ≤ to");
        refused("[sweep]\nx = { from = 1, to = 5 }\n", "missing");
        refused("[sweep]\n", "names no key");
        refused("[sweep]\nx = [1, 2, 1]\n", "1 is given twice");
        refused("[sweep]\n\"a.b\" = [1, 2]\n[sweep.a]\nb = [3, 4]\n", "given twice");
        assert!(axis_from_command_line("a.b=1,2,2").unwrap_err().contains("given twice"));
    }

    #[test]
    fn command_line_values_split_on_top_level_commas() {
        let axis = axis_from_command_line(
            "components.web.cpu={ dist = \"constant\", value = \"1ms\" },2ms",
        )
        .unwrap();
        assert_eq!(axis.values.len(), 2);
        let axis =
            axis_from_command_line("components.web.instance_type=c7g.large,m7g.large").unwrap();
        assert_eq!(axis.values[1].value_text(), "m7g.large");
        assert!(axis_from_command_line("components.web.count=").is_err());
        assert!(axis_from_command_line("nonsense").is_err());
    }
}
