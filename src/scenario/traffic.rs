//! Building the `[traffic]` section: where requests enter and the arrival
//! process, including traces read from CSV files.

use std::path::Path;

use time::OffsetDateTime;
use toml::Spanned;

use super::build::{Defaults, ScenarioSection};
use super::components::ComponentNames;
use super::error::{Problem, ScenarioError};
use super::model::{ComponentKind, Traffic};
use super::raw::{RawTrace, RawTraffic};
use super::trace::read_count_trace;
use super::values;
use crate::engine::time::SimTime;
use crate::traffic::{ArrivalSpec, PiecewiseRate, Segment};

/// The most requests one run may simulate: at a few million requests per
/// second this is already hours of computing.
const MAX_REQUESTS_PER_RUN: f64 = 2e10;

/// A mistake in the scenario file, or one already located in another file
/// (a trace).
pub enum Located {
    /// In the scenario file.
    Here(Problem),
    /// Already located, in another file.
    Elsewhere(ScenarioError),
}

impl From<Problem> for Located {
    fn from(problem: Problem) -> Located {
        Located::Here(problem)
    }
}

/// Checks `[traffic]` and builds the arrival process.
pub(super) fn traffic_section(
    raw: &RawTraffic,
    names: &ComponentNames,
    components: &[super::model::Component],
    timing: &ScenarioSection,
    base_dir: &Path,
    defaults: &mut Defaults,
) -> Result<Traffic, Located> {
    let entry = names.resolve(&raw.entry, "traffic.entry")?;
    if let ComponentKind::Rds(_) = components[entry].kind {
        return Err(Problem::new(
            raw.entry.span(),
            "traffic.entry",
            "requests cannot enter at a database: expected an alb, ec2 or station component",
        )
        .into());
    }
    let arrivals = match (&raw.rate, &raw.trace) {
        (Some(rate), None) => {
            ArrivalSpec::Poisson { rate_per_s: values::positive_rate(rate, "traffic.rate")? }
        }
        (None, Some(trace)) => trace_arrivals(trace, timing, base_dir, defaults)?,
        (Some(rate), Some(_)) => {
            return Err(Problem::new(
                rate.span(),
                "traffic.rate",
                "give either `rate` or `[traffic.trace]`, not both",
            )
            .into());
        }
        (None, None) => {
            return Err(Problem::new(
                raw.entry.span(),
                "traffic",
                "no arrivals: give `rate = \"250/s\"` or a `[traffic.trace]`",
            )
            .into());
        }
    };
    let total = SimTime::ZERO + timing.warmup + timing.duration;
    let expected = arrivals.expected_arrivals(SimTime::ZERO, total);
    if expected > MAX_REQUESTS_PER_RUN {
        return Err(Problem::new(
            raw.entry.span(),
            "traffic",
            format!(
                "the run would simulate about {expected:.3e} requests, above the limit of {MAX_REQUESTS_PER_RUN:.0e} per run (hours of computing)"
            ),
        )
        .with_hint("shorten scenario.duration, or lower the rate or the trace's scale")
        .into());
    }
    Ok(Traffic { entry, arrivals })
}

/// Reads the trace and maps its counts onto simulated time.
fn trace_arrivals(
    raw: &Spanned<RawTrace>,
    timing: &ScenarioSection,
    base_dir: &Path,
    defaults: &mut Defaults,
) -> Result<ArrivalSpec, Located> {
    let raw_ref = raw.get_ref();
    let path = base_dir.join(raw_ref.file.get_ref());
    if !path.is_file() {
        return Err(Problem::new(
            raw_ref.file.span(),
            "traffic.trace.file",
            format!("no trace file at {}", path.display()),
        )
        .with_hint("the path is relative to the scenario file's folder")
        .into());
    }
    let trace = read_count_trace(&path).map_err(Located::Elsewhere)?;
    let from = match &raw_ref.from {
        Some(from) => values::timestamp(from, "traffic.trace.from")?,
        None => {
            defaults.used(
                "traffic.trace.from",
                "scenario.start",
                "Assumption: the trace is replayed at its own UTC times",
            );
            timing.start
        }
    };
    let scale = match &raw_ref.scale {
        Some(scale) if !(*scale.get_ref() > 0.0 && scale.get_ref().is_finite()) => {
            return Err(Problem::new(
                scale.span(),
                "traffic.trace.scale",
                "expected a number above 0",
            )
            .into());
        }
        Some(scale) => *scale.get_ref(),
        None => {
            defaults.used(
                "traffic.trace.scale",
                "1.0",
                "Assumption: the trace is replayed at its recorded rate",
            );
            1.0
        }
    };
    let warmup = time::Duration::nanoseconds(timing.warmup.as_nanos() as i64);
    let duration = time::Duration::nanoseconds(timing.duration.as_nanos() as i64);
    let (needed_from, needed_to) = (from - warmup, from + duration);
    if needed_from < trace.first || needed_to > trace.end() {
        return Err(Problem::new(
            raw_ref.file.span(),
            "traffic.trace",
            format!(
                "the run needs the trace from {} to {}, but {} covers {} to {}",
                rfc3339(needed_from),
                rfc3339(needed_to),
                path.display(),
                rfc3339(trace.first),
                rfc3339(trace.end())
            ),
        )
        .with_hint("move scenario.start or traffic.trace.from, or shorten scenario.warmup or scenario.duration")
        .into());
    }
    let mut segments = Vec::new();
    let interval = time::Duration::seconds(trace.interval_s);
    let offset_of =
        |utc: OffsetDateTime| SimTime((utc - needed_from).whole_nanoseconds().max(0) as u64);
    let total = SimTime((needed_to - needed_from).whole_nanoseconds() as u64);
    for (i, count) in trace.counts.iter().enumerate() {
        let start = trace.first + interval * i as i32;
        let end = start + interval;
        if end <= needed_from || start >= needed_to {
            continue;
        }
        let rate_per_s = count * scale / trace.interval_s as f64;
        segments.push(Segment { end: offset_of(end).min(total), rate_per_s });
    }
    let spec = ArrivalSpec::Piecewise(PiecewiseRate {
        segments,
        description: format!("{} from {from}, scale {scale}", raw_ref.file.get_ref()),
    });
    if spec.expected_arrivals(SimTime::ZERO, total) <= 0.0 {
        return Err(Problem::new(
            raw_ref.file.span(),
            "traffic.trace",
            "the trace has no requests in the run's window",
        )
        .into());
    }
    Ok(spec)
}

/// A UTC time as RFC 3339, the way the scenario file writes it.
fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_else(|_| t.to_string())
}
