//! `{ dist = "percentiles", … }`: an inverse CDF through given percentiles,
//! written in the scenario (`points`) or read from a row of a CSV file.

use super::files::percentile_row;
use super::{Params, Point, a_type, number_to_ns, percentile_table, plain_number};
use crate::engine::dist::Dist;
use crate::scenario::error::Problem;
use crate::scenario::units;

/// Reads the percentiles from `points` or from a file's row.
pub(super) fn percentiles(params: &Params<'_>) -> Result<Dist, Problem> {
    match (params.has("points"), params.has("file")) {
        (true, true) => Err(params.problem("file", "give `points` or a `file`, not both")),
        (true, false) => {
            if let Some(param) = ["row", "key"].into_iter().find(|p| params.has(p)) {
                return Err(params.problem(
                    param,
                    format!("`{param}` picks a row of a `file`: next to `points` it has no use"),
                ));
            }
            points(params)
        }
        (false, true) => percentile_row(params),
        (false, false) => Err(params.missing(
            "points",
            "a table like { p0 = 1, p50 = 10, p100 = 200 } (or a `file` with a `row`)",
        )),
    }
}

/// `points = { p0 = 1, p50 = 10, p100 = 200 }`: plain numbers in `unit`, or
/// durations such as `"10ms"`.
fn points(params: &Params<'_>) -> Result<Dist, Problem> {
    let what = "a table of percentiles like { p0 = 1, p50 = 10, p100 = 200 }";
    let table = match params.table.get("points") {
        Some(toml::Value::Table(table)) => table,
        Some(other) => return Err(params.wrong_type("points", what, other)),
        None => return Err(params.missing("points", what)),
    };
    let unit_ns = params.unit_ns()?;
    let mut points = Vec::new();
    for (label, value) in table {
        let param = format!("points.{label}");
        let percent = percent_label(label).ok_or_else(|| {
            params.problem(
                &param,
                format!(
                    "`{label}` is not a percentile: expected p and a number from 0 to 100, \
                     like p50 or p99.9"
                ),
            )
        })?;
        let (ns, shown) = match (value, plain_number(value)) {
            (_, Some(number)) => {
                let unit_ns = unit_ns.ok_or_else(|| {
                    params.problem(
                        "unit",
                        format!(
                            "{label} = {number} is a plain number: give the points' `unit` \
                             (ns, us, ms or s), or write durations like \"10ms\""
                        ),
                    )
                })?;
                let ns = number_to_ns(number, unit_ns)
                    .map_err(|why| params.problem(&param, format!("{label} = {number} {why}")))?;
                (ns, number.to_string())
            }
            (toml::Value::String(text), None) => {
                let duration = units::parse_duration(text)
                    .map_err(|form| params.problem(&param, format!("`{text}` is not {form}")))?;
                (duration.as_nanos() as f64, text.clone())
            }
            (other, None) => {
                return Err(params.problem(
                    &param,
                    format!(
                        "expected a number or a duration like \"10ms\", found {}",
                        a_type(other)
                    ),
                ));
            }
        };
        points.push(Point { label: label.clone(), percent, ns, shown });
    }
    let table = percentile_table(
        points,
        &|point, message| params.problem(&format!("points.{}", point.label), message),
        &|message| params.problem("points", message),
    )?;
    Ok(Dist::Empirical(table))
}

/// A percentile written `p50` or `p99.9`: the number in [0, 100].
pub(super) fn percent_label(label: &str) -> Option<f64> {
    let number = label.strip_prefix('p')?;
    let well_formed = number.starts_with(|c: char| c.is_ascii_digit())
        && number.chars().all(|c| c.is_ascii_digit() || c == '.');
    let percent: f64 = number.parse().ok().filter(|_| well_formed)?;
    (0.0..=100.0).contains(&percent).then_some(percent)
}

/// The percentile a CSV column holds: `p50`, or `percentile_<anything>_50`
/// as in the Azure Functions 2019 durations file.
pub(super) fn column_percent(name: &str) -> Option<f64> {
    match name.strip_prefix("percentile_") {
        Some(rest) => percent_label(&format!("p{}", rest.rsplit('_').next()?)),
        None => percent_label(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_read_from_labels_and_column_names() {
        assert_eq!(percent_label("p0"), Some(0.0));
        assert_eq!(percent_label("p99.9"), Some(99.9));
        assert_eq!(percent_label("p100"), Some(100.0));
        assert_eq!(column_percent("percentile_Average_25"), Some(25.0));
        assert_eq!(column_percent("percentile_50"), Some(50.0));
        assert_eq!(column_percent("p75"), Some(75.0));
        for bad in ["p", "p101", "p-1", "pinf", "p1e2", "q50", "Average", "p.5", "p+5"] {
            assert_eq!(percent_label(bad), None, "{bad}");
        }
        assert_eq!(column_percent("percentile_Average_x"), None);
    }
}
