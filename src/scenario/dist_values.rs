//! Reading a duration distribution: a plain duration, or a table that names
//! `dist` and its parameters.
//!
//! Each parameter's mistakes are reported under its own dotted key
//! (`components.web.cpu.cv`) with what was expected. Tables of samples or
//! percentiles may come from CSV files beside the scenario; their mistakes
//! name the data file and line inside the message, under the scenario key
//! that loaded it, so the user learns both where the bad number is and
//! which setting read it.

mod files;
mod percentiles;

use std::ops::Range;
use std::path::Path;

use super::error::Problem;
use super::raw::RawValue;
use super::units;
use super::values::{a_type, span, suggest};
use crate::engine::dist::{Dist, QuantileTable};
use crate::engine::time::SimDuration;

/// The distributions a scenario may name, with the parameters each takes.
const DISTS: [(&str, &[&str]); 8] = [
    ("constant", &["value"]),
    ("exponential", &["mean"]),
    ("lognormal", &["mean", "cv"]),
    ("gamma", &["mean", "cv", "k"]),
    ("erlang", &["mean", "k"]),
    ("uniform", &["min", "max"]),
    ("empirical", &["file", "column", "unit"]),
    ("percentiles", &["points", "file", "row", "key", "unit"]),
];

/// The units plain numbers may be given in, and their length in
/// nanoseconds.
const NUMBER_UNITS: [(&str, f64); 5] =
    [("ns", 1.0), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)];

/// The largest CV a scenario may ask for. At 100 a lognormal's median is
/// already a hundredth of its mean and a gamma's shape is 10⁻⁴: most draws
/// are tiny, the mean rests on rare huge ones, and a run's averages settle
/// too slowly to trust.
const MAX_CV: f64 = 100.0;

/// The largest gamma or Erlang shape; above it the distribution is a
/// constant to within 0.1 %, and `constant` says so more plainly.
const MAX_SHAPE: f64 = 1e6;

/// The longest duration a table may hold, in nanoseconds: a year, the
/// length of the longest run (366 days); a longer service could not end
/// inside one.
const MAX_VALUE_NS: f64 = 366.0 * 86_400.0 * 1e9;

/// A duration distribution: a plain duration string means a constant, a
/// table names `dist` and its parameters. Files named in the table are read
/// relative to `base_dir`, the scenario file's folder.
pub fn distribution(value: &RawValue, key: &str, base_dir: &Path) -> Result<Dist, Problem> {
    let at = span(value);
    let form = "a duration like \"8ms\" (constant) or a table like \
                { dist = \"exponential\", mean = \"10ms\" }";
    let table = match value.get_ref() {
        toml::Value::String(text) => {
            if text.trim_start().starts_with('-') {
                return Err(Problem::new(
                    at,
                    key,
                    format!("`{text}` is negative: expected {}", units::DURATION_FORM),
                ));
            }
            let parsed = units::parse_duration(text)
                .map_err(|_| Problem::new(at.clone(), key, format!("`{text}` is not {form}")))?;
            return Ok(Dist::Constant(parsed));
        }
        toml::Value::Table(table) => table,
        other => {
            return Err(Problem::new(at, key, format!("expected {form}, found {}", a_type(other))));
        }
    };
    let names = || DISTS.iter().map(|(name, _)| *name);
    let list = names().collect::<Vec<_>>().join(", ");
    let name = match table.get("dist") {
        Some(toml::Value::String(name)) => name.as_str(),
        Some(other) => {
            return Err(Problem::new(
                at,
                format!("{key}.dist"),
                format!("expected the name of a distribution ({list}), found {}", a_type(other)),
            ));
        }
        None => {
            return Err(Problem::new(
                at,
                format!("{key}.dist"),
                format!("expected {form}: the table needs `dist`, one of {list}"),
            ));
        }
    };
    let Some((name, allowed)) = DISTS.iter().find(|(known, _)| *known == name) else {
        let problem = Problem::new(
            at,
            format!("{key}.dist"),
            format!("unknown distribution `{name}`: expected one of {list}"),
        );
        return Err(match suggest(name, names()) {
            Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
            None => problem,
        });
    };
    let params = Params { table, key, at, name, base_dir };
    params.refuse_unknown(allowed)?;
    match *name {
        "constant" => Ok(Dist::Constant(params.duration("value")?)),
        "exponential" => Ok(Dist::exponential(params.mean()?)),
        "lognormal" => Ok(Dist::lognormal(params.mean()?, params.cv()?)),
        "gamma" => gamma(&params),
        "erlang" => erlang(&params),
        "uniform" => uniform(&params),
        "empirical" => files::empirical(&params),
        _ => percentiles::percentiles(&params),
    }
}

/// `{ dist = "gamma", mean, cv }` or `{ dist = "gamma", mean, k }`.
fn gamma(params: &Params<'_>) -> Result<Dist, Problem> {
    let mean = params.mean()?;
    let shape = match (params.has("cv"), params.has("k")) {
        (true, true) => {
            return Err(params.problem("k", "give `cv` or the shape `k` = 1/cv², not both"));
        }
        (false, true) => {
            let what = "the shape, a number from 0.0001 to 1000000 (k = 1/cv²)";
            let k = params.number("k", what)?;
            if !(1.0 / (MAX_CV * MAX_CV)..=MAX_SHAPE).contains(&k) {
                return Err(params.problem("k", format!("k = {k}: expected {what}")));
            }
            k
        }
        _ => {
            let cv = params.cv()?;
            1.0 / (cv * cv)
        }
    };
    Ok(Dist::gamma(mean, shape))
}

/// `{ dist = "erlang", mean, k }`: k phases, `mean` in total.
fn erlang(params: &Params<'_>) -> Result<Dist, Problem> {
    let mean = params.mean()?;
    let what = "the number of phases, a whole number from 1 to 1000000";
    let k = params.whole("k", what)?;
    if !(1..=MAX_SHAPE as i64).contains(&k) {
        return Err(params.problem("k", format!("k = {k}: expected {what}")));
    }
    Ok(Dist::erlang(mean, k as u32))
}

/// `{ dist = "uniform", min, max }`.
fn uniform(params: &Params<'_>) -> Result<Dist, Problem> {
    let min = params.duration("min")?;
    let max = params.duration("max")?;
    if max < min {
        return Err(params
            .problem("max", format!("max = {max} is below min = {min}: expected min <= max"))
            .with_hint("swap the two values"));
    }
    Ok(Dist::uniform(min, max))
}

/// The parameters of one distribution table, with the context every error
/// needs.
struct Params<'a> {
    /// The table, `dist` included.
    table: &'a toml::Table,
    /// The distribution's dotted key, such as `components.web.cpu`.
    key: &'a str,
    /// Where the table is in the scenario; the keys inside it have no span
    /// of their own.
    at: Range<usize>,
    /// The distribution's name.
    name: &'a str,
    /// The scenario file's folder, for relative paths.
    base_dir: &'a Path,
}

impl Params<'_> {
    /// A problem with parameter `param`.
    fn problem(&self, param: &str, message: impl Into<String>) -> Problem {
        Problem::new(self.at.clone(), format!("{}.{param}", self.key), message)
    }

    /// Whether the table gives `param`.
    fn has(&self, param: &str) -> bool {
        self.table.contains_key(param)
    }

    /// The problem of a missing `param`, which should be `what`.
    fn missing(&self, param: &str, what: &str) -> Problem {
        self.problem(param, format!("`{}` needs `{param}`, {what}", self.name))
    }

    /// The problem of `param` given as the wrong type.
    fn wrong_type(&self, param: &str, what: &str, found: &toml::Value) -> Problem {
        self.problem(param, format!("expected {what}, found {}", a_type(found)))
    }

    /// Refuses any key that is not `dist` or one of `allowed`, suggesting
    /// the nearest parameter.
    fn refuse_unknown(&self, allowed: &[&str]) -> Result<(), Problem> {
        let Some(extra) =
            self.table.keys().find(|k| *k != "dist" && !allowed.contains(&k.as_str()))
        else {
            return Ok(());
        };
        let problem = self.problem(
            extra,
            format!(
                "`{extra}` is not a parameter of `{}`: expected {}",
                self.name,
                allowed.join(", ")
            ),
        );
        Err(match suggest(extra, allowed.iter().copied()) {
            Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
            None => problem,
        })
    }

    /// A required duration string.
    fn duration(&self, param: &str) -> Result<SimDuration, Problem> {
        let text = match self.table.get(param) {
            Some(toml::Value::String(text)) => text,
            Some(other) => return Err(self.wrong_type(param, units::DURATION_FORM, other)),
            None => return Err(self.missing(param, units::DURATION_FORM)),
        };
        if text.trim_start().starts_with('-') {
            return Err(self.problem(
                param,
                format!("`{text}` is negative: expected {}", units::DURATION_FORM),
            ));
        }
        units::parse_duration(text)
            .map_err(|form| self.problem(param, format!("`{text}` is not {form}")))
    }

    /// The required `mean`, longer than zero.
    fn mean(&self) -> Result<SimDuration, Problem> {
        let mean = self.duration("mean")?;
        if mean == SimDuration::ZERO {
            return Err(self.problem("mean", "the mean must be longer than zero"));
        }
        Ok(mean)
    }

    /// The required coefficient of variation, in (0, [`MAX_CV`]].
    fn cv(&self) -> Result<f64, Problem> {
        let what = "the coefficient of variation (standard deviation / mean), \
                    a number above 0 and at most 100";
        let cv = self.number("cv", what)?;
        if !(cv > 0.0 && cv <= MAX_CV) {
            return Err(self.problem("cv", format!("cv = {cv}: expected {what}")));
        }
        Ok(cv)
    }

    /// A required number, whole or not.
    fn number(&self, param: &str, what: &str) -> Result<f64, Problem> {
        match self.table.get(param) {
            Some(value) => plain_number(value)
                .filter(|x| x.is_finite())
                .ok_or_else(|| self.wrong_type(param, what, value)),
            None => Err(self.missing(param, what)),
        }
    }

    /// A required whole number.
    fn whole(&self, param: &str, what: &str) -> Result<i64, Problem> {
        match self.table.get(param) {
            Some(toml::Value::Integer(n)) => Ok(*n),
            Some(other) => Err(self.wrong_type(param, what, other)),
            None => Err(self.missing(param, what)),
        }
    }

    /// An optional string.
    fn text(&self, param: &str, what: &str) -> Result<Option<&str>, Problem> {
        match self.table.get(param) {
            Some(toml::Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(self.wrong_type(param, what, other)),
            None => Ok(None),
        }
    }

    /// The length of one `unit` in nanoseconds, if the table gives one.
    fn unit_ns(&self) -> Result<Option<f64>, Problem> {
        let names: Vec<&str> = NUMBER_UNITS.iter().map(|(name, _)| *name).collect();
        let what = "the unit of the numbers: ns, us, ms or s";
        let Some(unit) = self.text("unit", what)? else {
            return Ok(None);
        };
        match NUMBER_UNITS.iter().find(|(name, _)| *name == unit) {
            Some((_, ns)) => Ok(Some(*ns)),
            None => {
                let problem =
                    self.problem("unit", format!("`{unit}` is not a unit here: expected {what}"));
                Err(match suggest(unit, names.into_iter()) {
                    Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
                    None => problem,
                })
            }
        }
    }

    /// The required `unit`, for numbers read from a file.
    fn required_unit_ns(&self) -> Result<f64, Problem> {
        self.unit_ns()?
            .ok_or_else(|| self.missing("unit", "the unit of the file's numbers: ns, us, ms or s"))
    }
}

/// A plain number in `unit_ns` units, converted to nanoseconds; the error
/// says what is wrong with it.
fn number_to_ns(number: f64, unit_ns: f64) -> Result<f64, &'static str> {
    if !number.is_finite() {
        return Err("is not a finite number");
    }
    if number < 0.0 {
        return Err("is negative: a duration is 0 or more");
    }
    let ns = number * unit_ns;
    if ns > MAX_VALUE_NS {
        return Err("is longer than a year, the longest run");
    }
    Ok(ns)
}

/// Builds the table through `points`, in any order, naming each by its
/// label in errors. `problem` places a message about one point and `whole`
/// one about the set: under `points.LABEL` and `points` for points written
/// in the scenario, under `file` with the file's line for a row of a file.
fn percentile_table(
    mut points: Vec<Point>,
    problem: &dyn Fn(&Point, String) -> Problem,
    whole: &dyn Fn(String) -> Problem,
) -> Result<QuantileTable, Problem> {
    points.sort_by(|a, b| a.percent.total_cmp(&b.percent));
    for pair in points.windows(2) {
        let (low, high) = (&pair[0], &pair[1]);
        if low.percent == high.percent {
            return Err(problem(
                high,
                format!("`{}` and `{}` are the same percentile", low.label, high.label),
            ));
        }
        if high.ns < low.ns {
            return Err(problem(
                high,
                format!(
                    "{} = {} is below {} = {}: values must not fall as the percentile rises",
                    high.label, high.shown, low.label, low.shown
                ),
            ));
        }
    }
    let ends = "a table of percentiles must give p0 (the smallest value) and p100 \
                (the largest): without them the tails are unknown";
    if points.first().is_none_or(|p| p.percent != 0.0) {
        return Err(whole(format!("no p0: {ends}")));
    }
    if points.last().is_none_or(|p| p.percent != 100.0) {
        return Err(whole(format!("no p100: {ends}")));
    }
    QuantileTable::from_points(points.iter().map(|p| (p.percent / 100.0, p.ns)))
        .map_err(|e| whole(format!("the percentiles do not make a distribution: {e}")))
}

/// One given percentile.
struct Point {
    /// As the user wrote its name: `p99`, `percentile_Average_99`.
    label: String,
    /// The percentile, 0 to 100.
    percent: f64,
    /// Its value in nanoseconds.
    ns: f64,
    /// Its value as the user wrote it, for messages.
    shown: String,
}

/// A TOML number, whole or not, as a float.
fn plain_number(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Integer(n) => Some(*n as f64),
        toml::Value::Float(x) => Some(*x),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_nanoseconds_within_limits() {
        assert_eq!(number_to_ns(2.5, 1e6), Ok(2.5e6));
        assert!(number_to_ns(-1.0, 1.0).is_err());
        assert!(number_to_ns(f64::NAN, 1.0).is_err());
        assert!(number_to_ns(1e300, 1e9).is_err());
    }
}
