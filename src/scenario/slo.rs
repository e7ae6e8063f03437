//! `[[slo]]`: the service-level objectives a run is judged by.
//!
//! ```toml
//! [[slo]]
//! metric = "p99"          # mean, p50, p90, p99, p99.9, max, error_rate,
//!                         # cost_per_month, cost_per_million
//! under = "200ms"         # a duration, a percentage ("0.1%") or dollars ("$5000")
//! windows = "99%"         # optional, latency only: in this share of minutes
//! ```

use toml::Spanned;

use super::error::Problem;
use super::raw::RawSlo;
use super::units;
use super::values;

/// A latency statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LatencyStat {
    /// The mean.
    Mean,
    /// The median.
    P50,
    /// The 90th percentile.
    P90,
    /// The 99th percentile.
    P99,
    /// The 99.9th percentile.
    P999,
    /// The largest.
    Max,
}

/// What an objective bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SloMetric {
    /// A latency statistic of the successful requests, in milliseconds.
    Latency(LatencyStat),
    /// Failed share of the finished requests.
    ErrorRate,
    /// The bill projected to a month, in dollars.
    CostPerMonth,
    /// The window's bill per million successful requests, in dollars.
    CostPerMillion,
}

/// The metric names a scenario may use, with what they are.
const METRICS: [(&str, SloMetric); 10] = [
    ("mean", SloMetric::Latency(LatencyStat::Mean)),
    ("p50", SloMetric::Latency(LatencyStat::P50)),
    ("p90", SloMetric::Latency(LatencyStat::P90)),
    ("p99", SloMetric::Latency(LatencyStat::P99)),
    ("p99.9", SloMetric::Latency(LatencyStat::P999)),
    ("p999", SloMetric::Latency(LatencyStat::P999)),
    ("max", SloMetric::Latency(LatencyStat::Max)),
    ("error_rate", SloMetric::ErrorRate),
    ("cost_per_month", SloMetric::CostPerMonth),
    ("cost_per_million", SloMetric::CostPerMillion),
];

impl SloMetric {
    /// The name a scenario uses.
    pub fn name(self) -> &'static str {
        METRICS.iter().find(|(_, m)| *m == self).map_or("?", |(name, _)| name)
    }
}

/// One objective, checked.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Slo {
    /// Its name in the reports.
    pub name: String,
    /// What it bounds.
    pub metric: SloMetric,
    /// The bound, in the metric's unit (ms, a fraction, dollars).
    pub bound: f64,
    /// The bound as written.
    pub bound_text: String,
    /// For a latency metric judged per minute: the share of minutes that
    /// must stay under the bound.
    pub windows: Option<f64>,
}

/// Checks the `[[slo]]` entries.
pub fn build_slos(raw: Option<&Vec<Spanned<RawSlo>>>) -> Result<Vec<Slo>, Problem> {
    let Some(entries) = raw else { return Ok(Vec::new()) };
    let slos: Vec<Slo> = entries
        .iter()
        .enumerate()
        .map(|(i, entry)| build_slo(entry.get_ref(), i))
        .collect::<Result<_, _>>()?;
    // Reports name each SLO by its name: two alike could not be told apart.
    for (i, slo) in slos.iter().enumerate() {
        if let Some(earlier) = slos[..i].iter().position(|s| s.name == slo.name) {
            return Err(Problem::new(
                entries[i].span(),
                format!("slo[{i}]"),
                format!(
                    "has the same name as slo[{earlier}], `{}`: give them different `name`s",
                    slo.name
                ),
            ));
        }
    }
    Ok(slos)
}

fn build_slo(raw: &RawSlo, index: usize) -> Result<Slo, Problem> {
    let key = format!("slo[{index}]");
    let name = raw.metric.get_ref().trim();
    let Some(&(_, metric)) = METRICS.iter().find(|(n, _)| *n == name) else {
        let known: Vec<&str> = METRICS.iter().map(|(n, _)| *n).filter(|n| *n != "p999").collect();
        let problem = Problem::new(
            raw.metric.span(),
            format!("{key}.metric"),
            format!("unknown metric `{name}`: expected one of {}", known.join(", ")),
        );
        return Err(match values::suggest(name, known.into_iter()) {
            Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
            None => problem,
        });
    };
    let under_key = format!("{key}.under");
    let written = match raw.under.get_ref() {
        toml::Value::String(s) => s.trim().to_string(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        other => {
            return Err(Problem::new(
                raw.under.span(),
                under_key,
                format!(
                    "expected a bound like \"200ms\", \"0.1%\" or \"$5000\", found {}",
                    other.type_str()
                ),
            ));
        }
    };
    let text = written.as_str();
    if text.starts_with('-') {
        return Err(Problem::new(
            raw.under.span(),
            under_key,
            format!("`{text}` is negative: expected a bound above zero"),
        ));
    }
    let bound = match metric {
        SloMetric::Latency(_) => {
            units::parse_duration(text).map(|d| d.as_nanos() as f64 / 1e6).map_err(|form| {
                Problem::new(raw.under.span(), under_key.clone(), format!("`{text}` is not {form}"))
            })?
        }
        SloMetric::ErrorRate => share(text).ok_or_else(|| {
            Problem::new(
                raw.under.span(),
                under_key.clone(),
                format!("`{text}` is not a share like \"0.1%\" or \"0.001\""),
            )
        })?,
        SloMetric::CostPerMonth | SloMetric::CostPerMillion => dollars(text).ok_or_else(|| {
            Problem::new(
                raw.under.span(),
                under_key.clone(),
                format!("`{text}` is not an amount of dollars like \"$5000\""),
            )
        })?,
    };
    if !(bound.is_finite() && bound > 0.0) {
        return Err(Problem::new(raw.under.span(), under_key, "expected a bound above zero"));
    }
    let windows = match &raw.windows {
        None => None,
        Some(w) => {
            if !matches!(metric, SloMetric::Latency(_)) {
                return Err(Problem::new(
                    w.span(),
                    format!("{key}.windows"),
                    "applies to a latency metric, judged minute by minute",
                ));
            }
            let s = share(w.get_ref()).filter(|s| *s > 0.0 && *s <= 1.0).ok_or_else(|| {
                Problem::new(
                    w.span(),
                    format!("{key}.windows"),
                    format!("`{}` is not a share of minutes like \"99%\"", w.get_ref()),
                )
            })?;
            Some(s)
        }
    };
    let name = match &raw.name {
        Some(n) => n.get_ref().clone(),
        None => match windows {
            Some(s) => format!("{} under {text} in {}% of minutes", metric.name(), s * 100.0),
            None => format!("{} under {text}", metric.name()),
        },
    };
    Ok(Slo { name, metric, bound, bound_text: text.to_string(), windows })
}

/// A share written `"0.1%"` or `"0.001"`.
fn share(text: &str) -> Option<f64> {
    let text = text.trim();
    let value = match text.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().ok()? / 100.0,
        None => text.parse::<f64>().ok()?,
    };
    (value.is_finite() && (0.0..=1.0).contains(&value)).then_some(value)
}

/// Dollars written `"$5000"`, `"5000"` or `"$5,000.50"`.
fn dollars(text: &str) -> Option<f64> {
    let digits = text.trim().trim_start_matches('$').replace([',', '_'], "");
    digits.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slo(metric: &str, under: &str, windows: Option<&str>) -> Result<Slo, Problem> {
        let raw = RawSlo {
            name: None,
            metric: Spanned::new(0..1, metric.into()),
            under: Spanned::new(0..1, toml::Value::String(under.into())),
            windows: windows.map(|w| Spanned::new(0..1, w.into())),
        };
        build_slo(&raw, 0)
    }

    #[test]
    fn bounds_are_read_in_the_metrics_units() {
        assert_eq!(slo("p99", "200ms", None).unwrap().bound, 200.0);
        assert_eq!(slo("error_rate", "0.1%", None).unwrap().bound, 0.001);
        assert_eq!(slo("cost_per_month", "$5,000", None).unwrap().bound, 5000.0);
        let windowed = slo("p99.9", "1s", Some("99%")).unwrap();
        assert_eq!((windowed.bound, windowed.windows), (1000.0, Some(0.99)));
        assert_eq!(windowed.name, "p99.9 under 1s in 99% of minutes");
    }

    #[test]
    fn unknown_metrics_and_bad_bounds_are_refused() {
        let error = slo("p95", "1s", None).unwrap_err();
        assert!(error.problem.contains("unknown metric `p95`"), "{error:?}");
        assert!(slo("p99", "fast", None).is_err());
        assert!(slo("error_rate", "150%", None).is_err());
        assert!(slo("cost_per_month", "$0", None).is_err());
        assert!(slo("error_rate", "1%", Some("99%")).is_err());
    }
}
