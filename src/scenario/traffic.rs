//! Building the `[traffic]` section: where requests enter, the rate shape
//! (one base times any spikes) and how arrivals are spaced under it.
//!
//! Times in the section are offsets from `scenario.start` (`"10m"`, `"-30s"`
//! for the warm-up) or UTC times; they become simulated time, which starts
//! with the warm-up. Traces are read in [`super::trace`].

use std::path::Path;

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, Time, UtcOffset};
use toml::Spanned;

use super::build::{Defaults, ScenarioSection};
use super::components::ComponentNames;
use super::error::{Problem, ScenarioError};
use super::model::{ComponentKind, Traffic};
use super::raw::RawValue;
use super::raw_traffic::{RawDiurnal, RawRamp, RawSpike, RawStep, RawTraffic};
use super::trace::trace_rate;
use super::{units, values};
use crate::engine::time::{SimDuration, SimTime};
use crate::traffic::shape::{self, BaseRate, Ramp, Spike, Step};
use crate::traffic::{ArrivalSpec, Spacing};

/// The most requests one run may simulate: at a few million requests per
/// second this is already hours of computing.
const MAX_REQUESTS_PER_RUN: f64 = 2e10;

/// The keys that each give a base rate; exactly one is needed.
const BASE_KEYS: [&str; 5] = ["rate", "steps", "ramp", "diurnal", "trace"];

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

/// The run's timing, to turn the section's times into simulated time.
pub(super) struct RunClock {
    /// UTC start of the measured window (`scenario.start`).
    pub(super) start: OffsetDateTime,
    /// The warm-up before it.
    pub(super) warmup: SimDuration,
    /// The measured window.
    pub(super) duration: SimDuration,
    /// The end of the run in simulated time: no arrival comes after it.
    pub(super) horizon: SimTime,
}

impl RunClock {
    pub(super) fn new(timing: &ScenarioSection) -> RunClock {
        RunClock {
            start: timing.start.to_offset(UtcOffset::UTC),
            warmup: timing.warmup,
            duration: timing.duration,
            horizon: SimTime::ZERO + timing.warmup + timing.duration,
        }
    }

    /// UTC time at which the run (its warm-up) starts.
    pub(super) fn run_start(&self) -> OffsetDateTime {
        self.start - to_time(self.warmup)
    }

    /// Nanoseconds from the start of the run to `instant` (negative before).
    pub(super) fn sim_ns(&self, instant: OffsetDateTime) -> i64 {
        let ns = (instant - self.run_start()).whole_nanoseconds();
        ns.clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }

    /// An offset from `scenario.start` such as `"10m"` or `"-30s"`, or a UTC
    /// time, as nanoseconds from the start of the run.
    pub(super) fn instant_ns(&self, value: &RawValue, key: &str) -> Result<i64, Problem> {
        match value.get_ref() {
            toml::Value::String(_) | toml::Value::Datetime(_) => {}
            other => {
                return Err(Problem::new(
                    value.span(),
                    key,
                    format!(
                        "expected an offset from scenario.start like \"3m\" or a UTC time like \
                         \"2026-03-02T14:00:00Z\", found {}",
                        values::a_type(other)
                    ),
                ));
            }
        }
        match value.get_ref() {
            toml::Value::String(text) if OffsetDateTime::parse(text, &Rfc3339).is_err() => {
                let offset = signed_duration(value, text, key, "scenario.start")?;
                Ok(self.warmup.as_nanos() as i64 + offset)
            }
            _ => Ok(self.sim_ns(values::timestamp(value, key)?)),
        }
    }

    /// A UTC time written the way the scenario writes them.
    pub(super) fn show(&self, sim_ns: i64) -> String {
        let at = self.run_start().checked_add(time::Duration::nanoseconds(sim_ns));
        at.map_or_else(|| "a time out of range".to_string(), rfc3339)
    }
}

/// A span of simulated time as a calendar duration.
pub(super) fn to_time(span: SimDuration) -> time::Duration {
    time::Duration::nanoseconds(span.as_nanos() as i64)
}

/// A UTC time as RFC 3339, the way the scenario file writes it.
pub(super) fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC).format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// A duration that may be negative, such as `"-30s"`, in nanoseconds: an
/// offset from `origin` (named in the error, such as "scenario.start").
pub(super) fn signed_duration(
    value: &RawValue,
    text: &str,
    key: &str,
    origin: &str,
) -> Result<i64, Problem> {
    let (sign, magnitude) = match text.trim().strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.trim()),
    };
    let parsed = units::parse_duration(magnitude).map_err(|_| {
        Problem::new(
            value.span(),
            key,
            format!(
                "`{text}` is neither an offset from {origin} like \"10m\" or \"-30s\" \
                 nor a UTC time like \"2026-03-02T14:10:00Z\""
            ),
        )
    })?;
    Ok(sign * parsed.as_nanos().min(i64::MAX as u64) as i64)
}

/// Checks `[traffic]` and builds the arrival process.
pub(super) fn traffic_section(
    raw: &RawTraffic,
    names: &ComponentNames,
    components: &[super::model::Component],
    timing: &ScenarioSection,
    base_dir: &Path,
    closed_loop: bool,
    defaults: &mut Defaults,
) -> Result<Traffic, Located> {
    let entry = names.resolve(&raw.entry, "traffic.entry")?;
    if let ComponentKind::Rds(_) | ComponentKind::Cache(_) = components[entry].kind {
        return Err(Problem::new(
            raw.entry.span(),
            "traffic.entry",
            format!(
                "requests cannot enter at an {} component: expected a cloudfront, api_gateway, \
                 alb, ec2, lambda, sqs or station component",
                components[entry].kind.type_name()
            ),
        )
        .into());
    }
    if closed_loop {
        return closed_traffic(raw, entry);
    }
    let clock = RunClock::new(timing);
    let base = base_rate(raw, &clock, base_dir, defaults)?;
    let spikes = match &raw.spikes {
        Some(list) => list
            .iter()
            .enumerate()
            .map(|(i, s)| spike(s.get_ref(), &format!("traffic.spikes[{i}]"), &clock))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let spacing = spacing(raw, defaults)?;
    let arrivals = ArrivalSpec { rate: shape::compose(&base, &spikes, clock.horizon), spacing };
    check_run_size(raw, &arrivals, &clock)?;
    Ok(Traffic { entry, arrivals: Some(arrivals) })
}

/// `[traffic]` when `[users]` makes the traffic a closed loop: only the
/// entry, since the users' think time paces the requests.
fn closed_traffic(raw: &RawTraffic, entry: usize) -> Result<Traffic, Located> {
    let open_keys = [
        ("rate", raw.rate.as_ref().map(|v| v.span())),
        ("steps", raw.steps.as_ref().map(|v| v.span())),
        ("ramp", raw.ramp.as_ref().map(|v| v.span())),
        ("diurnal", raw.diurnal.as_ref().map(|v| v.span())),
        ("trace", raw.trace.as_ref().map(|v| v.span())),
        ("arrivals", raw.arrivals.as_ref().map(|v| v.span())),
        ("spikes", raw.spikes.as_ref().and_then(|s| s.first()).map(|v| v.span())),
    ];
    if let Some((key, Some(span))) = open_keys.into_iter().find(|(_, span)| span.is_some()) {
        return Err(Problem::new(
            span,
            format!("traffic.{key}"),
            "[users] makes the traffic a closed loop: open-loop arrival keys do not apply",
        )
        .with_hint("remove the key, or remove [users] for open-loop arrivals")
        .into());
    }
    Ok(Traffic { entry, arrivals: None })
}

/// Refuses a run with no requests, or with more than one run can simulate.
fn check_run_size(
    raw: &RawTraffic,
    arrivals: &ArrivalSpec,
    clock: &RunClock,
) -> Result<(), Problem> {
    let expected = arrivals.expected_arrivals(SimTime::ZERO, clock.horizon);
    let span = raw.entry.span();
    if expected <= 0.0 {
        let (key, span) = match &raw.trace {
            Some(trace) => ("traffic.trace", trace.get_ref().file.span()),
            None => ("traffic", span),
        };
        return Err(Problem::new(
            span,
            key,
            format!(
                "no requests would arrive in the run, from {} to {}",
                clock.show(0),
                clock.show(clock.horizon.as_nanos() as i64)
            ),
        )
        .with_hint("the rate is zero throughout the run: move the run or the trace's window"));
    }
    let peak = arrivals.rate.peak();
    if peak > values::MAX_RATE_PER_S {
        return Err(Problem::new(
            span,
            "traffic",
            format!(
                "the rate peaks at {peak:.0}/s, above the limit of 10000000/s that one run can simulate"
            ),
        )
        .with_hint("lower the rate, a spike's multiplier or the trace's scale or speedup"));
    }
    if expected > MAX_REQUESTS_PER_RUN {
        return Err(Problem::new(
            span,
            "traffic",
            format!(
                "the run would simulate about {expected:.3e} requests, above the limit of {MAX_REQUESTS_PER_RUN:.0e} per run (hours of computing)"
            ),
        )
        .with_hint("shorten scenario.duration, or lower the rate or the trace's scale"));
    }
    Ok(())
}

/// The one base rate the section gives.
fn base_rate(
    raw: &RawTraffic,
    clock: &RunClock,
    base_dir: &Path,
    defaults: &mut Defaults,
) -> Result<BaseRate, Located> {
    let given: Vec<(&str, std::ops::Range<usize>)> = [
        raw.rate.as_ref().map(|v| v.span()),
        raw.steps.as_ref().map(|v| v.span()),
        raw.ramp.as_ref().map(|v| v.span()),
        raw.diurnal.as_ref().map(|v| v.span()),
        raw.trace.as_ref().map(|v| v.span()),
    ]
    .into_iter()
    .zip(BASE_KEYS)
    .filter_map(|(span, key)| span.map(|s| (key, s)))
    .collect();
    let one: Result<(), Problem> = match given.as_slice() {
        [] => Err(Problem::new(
            raw.entry.span(),
            "traffic",
            "no arrivals: give one of `rate`, `steps`, `ramp`, `diurnal` or `[traffic.trace]`",
        )
        .with_hint("the simplest is rate = \"250/s\"")),
        [_] => Ok(()),
        [(first, _), (second, span), ..] => Err(Problem::new(
            span.clone(),
            format!("traffic.{second}"),
            format!("give one base rate, not both `{first}` and `{second}`"),
        )
        .with_hint("multiply a base by `[[traffic.spikes]]` to combine shapes")),
    };
    one?;
    if let Some(rate) = &raw.rate {
        return Ok(BaseRate::Constant(values::positive_rate(rate, "traffic.rate")?));
    }
    if let Some(steps) = &raw.steps {
        return Ok(steps_rate(steps, clock)?);
    }
    if let Some(ramp) = &raw.ramp {
        return Ok(ramp_rate(ramp.get_ref(), clock)?);
    }
    if let Some(diurnal) = &raw.diurnal {
        return Ok(diurnal_rate(diurnal, clock)?);
    }
    let trace = raw.trace.as_ref().expect("one base was given");
    trace_rate(trace, clock, base_dir, defaults)
}

/// A rate of zero or more, such as `"0/s"` or `"250/s"`.
fn rate_or_zero(value: &Spanned<String>, key: &str) -> Result<f64, Problem> {
    let text = value.get_ref();
    if text.trim_start().starts_with('-') {
        return Err(Problem::new(
            value.span(),
            key,
            format!("`{text}` is negative: a rate is zero or more"),
        ));
    }
    if units::parse_rate(text).is_ok_and(|rate| rate == 0.0) {
        return Ok(0.0);
    }
    values::positive_rate(value, key)
}

/// `steps = [{ at, rate }, …]`, in strictly increasing time order.
fn steps_rate(
    steps: &Spanned<Vec<Spanned<RawStep>>>,
    clock: &RunClock,
) -> Result<BaseRate, Problem> {
    if steps.get_ref().is_empty() {
        return Err(Problem::new(
            steps.span(),
            "traffic.steps",
            "expected at least one step like { at = \"0s\", rate = \"100/s\" }",
        ));
    }
    let mut out: Vec<Step> = Vec::with_capacity(steps.get_ref().len());
    for (i, step) in steps.get_ref().iter().enumerate() {
        let step = step.get_ref();
        let key = format!("traffic.steps[{i}]");
        let at_ns = clock.instant_ns(&step.at, &format!("{key}.at"))?;
        let rate = rate_or_zero(&step.rate, &format!("{key}.rate"))?;
        if let Some(previous) = out.last()
            && at_ns <= previous.at_ns
        {
            let problem = if at_ns == previous.at_ns {
                format!("a second step at {}: each step needs its own time", clock.show(at_ns))
            } else {
                format!(
                    "{} comes before the previous step's {}: steps must be in time order",
                    clock.show(at_ns),
                    clock.show(previous.at_ns)
                )
            };
            return Err(Problem::new(step.at.span(), format!("{key}.at"), problem));
        }
        out.push(Step { at_ns, rate });
    }
    Ok(BaseRate::Steps(out))
}

/// `ramp = { from, to, start, end }`.
fn ramp_rate(ramp: &RawRamp, clock: &RunClock) -> Result<BaseRate, Problem> {
    let from = rate_or_zero(&ramp.from, "traffic.ramp.from")?;
    let to = rate_or_zero(&ramp.to, "traffic.ramp.to")?;
    let start_ns = clock.instant_ns(&ramp.start, "traffic.ramp.start")?;
    let end_ns = clock.instant_ns(&ramp.end, "traffic.ramp.end")?;
    if end_ns <= start_ns {
        return Err(Problem::new(
            ramp.end.span(),
            "traffic.ramp.end",
            format!(
                "the ramp ends at {}, not after its start at {}",
                clock.show(end_ns),
                clock.show(start_ns)
            ),
        )
        .with_hint("for a sudden change use `steps`"));
    }
    Ok(BaseRate::Ramp(Ramp { from, to, start_ns, end_ns }))
}

/// `diurnal = { mean, amplitude, peak }` or `diurnal = { hourly = [24] }`.
fn diurnal_rate(diurnal: &Spanned<RawDiurnal>, clock: &RunClock) -> Result<BaseRate, Problem> {
    let raw = diurnal.get_ref();
    let run_start = clock.run_start();
    let midnight_ns = clock.sim_ns(run_start.replace_time(Time::MIDNIGHT));
    if let Some(hourly) = &raw.hourly {
        if let Some(extra) = [raw.mean.is_some(), raw.amplitude.is_some(), raw.peak.is_some()]
            .iter()
            .zip(["mean", "amplitude", "peak"])
            .find_map(|(given, key)| given.then_some(key))
        {
            return Err(Problem::new(
                diurnal.span(),
                format!("traffic.diurnal.{extra}"),
                format!(
                    "give either `hourly` or `mean`, `amplitude` and `peak`, not `{extra}` with `hourly`"
                ),
            ));
        }
        let list = hourly.get_ref();
        if list.len() != 24 {
            return Err(Problem::new(
                hourly.span(),
                "traffic.diurnal.hourly",
                format!(
                    "expected 24 rates, one for each UTC hour from 00:00, found {}",
                    list.len()
                ),
            ));
        }
        let mut rates = [0.0; 24];
        for (i, rate) in list.iter().enumerate() {
            rates[i] = rate_or_zero(rate, &format!("traffic.diurnal.hourly[{i}]"))?;
        }
        return Ok(BaseRate::Hourly { rates, midnight_ns });
    }
    let missing = |key: &str| {
        Problem::new(
            diurnal.span(),
            format!("traffic.diurnal.{key}"),
            format!(
                "a daily curve needs `mean`, `amplitude` and `peak` (or 24 `hourly` rates): `{key}` is missing"
            ),
        )
        .with_hint("for example diurnal = { mean = \"200/s\", amplitude = 0.4, peak = \"20:00\" }")
    };
    let mean = raw.mean.as_ref().ok_or_else(|| missing("mean"))?;
    let mean = values::positive_rate(mean, "traffic.diurnal.mean")?;
    let amplitude = raw.amplitude.as_ref().ok_or_else(|| missing("amplitude"))?;
    if !(0.0..1.0).contains(amplitude.get_ref()) {
        return Err(Problem::new(
            amplitude.span(),
            "traffic.diurnal.amplitude",
            format!(
                "{} is out of range: expected at least 0 and below 1 (the rate swings between mean × (1 − amplitude) and mean × (1 + amplitude))",
                amplitude.get_ref()
            ),
        ));
    }
    let peak = raw.peak.as_ref().ok_or_else(|| missing("peak"))?;
    let peak_ns = midnight_ns + time_of_day_ns(peak, "traffic.diurnal.peak")?;
    Ok(BaseRate::Daily { mean, amplitude: *amplitude.get_ref(), peak_ns })
}

/// A UTC time of day such as `"20:00"` or `"07:30:15"`, as nanoseconds
/// after midnight.
fn time_of_day_ns(value: &Spanned<String>, key: &str) -> Result<i64, Problem> {
    let text = value.get_ref().trim();
    let parts: Option<Vec<i64>> = text.split(':').map(|p| p.parse().ok()).collect();
    let seconds = match parts.as_deref() {
        Some(&[h, m]) if (0..24).contains(&h) && (0..60).contains(&m) => h * 3_600 + m * 60,
        Some(&[h, m, s])
            if (0..24).contains(&h) && (0..60).contains(&m) && (0..60).contains(&s) =>
        {
            h * 3_600 + m * 60 + s
        }
        _ => {
            return Err(Problem::new(
                value.span(),
                key,
                format!("`{text}` is not a UTC time of day like \"20:00\" or \"07:30:15\""),
            ));
        }
    };
    Ok(seconds * 1_000_000_000)
}

/// One `[[traffic.spikes]]`: it must start within the run; one that runs
/// past the end is cut there.
fn spike(raw: &RawSpike, key: &str, clock: &RunClock) -> Result<Spike, Problem> {
    let start_ns = clock.instant_ns(&raw.start, &format!("{key}.start"))?;
    let end_of_run = clock.horizon.as_nanos() as i64;
    if !(0..end_of_run).contains(&start_ns) {
        return Err(Problem::new(
            raw.start.span(),
            format!("{key}.start"),
            format!(
                "the spike starts at {}, outside the run, which goes from {} (warm-up) to {}",
                clock.show(start_ns),
                clock.show(0),
                clock.show(end_of_run)
            ),
        )
        .with_hint("offsets count from scenario.start; a negative one falls in the warm-up"));
    }
    let multiplier = *raw.multiplier.get_ref();
    if !(multiplier > 0.0 && multiplier.is_finite()) {
        return Err(Problem::new(
            raw.multiplier.span(),
            format!("{key}.multiplier"),
            format!("{multiplier} is not a factor above 0: the spike multiplies the rate by it"),
        ));
    }
    let duration = values::positive_duration(&raw.duration, &format!("{key}.duration"))?;
    let start = SimTime(start_ns as u64);
    Ok(Spike { start, end: (start + duration).min(clock.horizon), multiplier })
}

/// `arrivals = "poisson"` (the default) or `"deterministic"`.
fn spacing(raw: &RawTraffic, defaults: &mut Defaults) -> Result<Spacing, Problem> {
    let Some(value) = &raw.arrivals else {
        defaults.used(
            "traffic.arrivals",
            "poisson",
            "Assumption: many independent clients, whose merged requests form a Poisson process",
        );
        return Ok(Spacing::Poisson);
    };
    match value.get_ref().as_str() {
        "poisson" => Ok(Spacing::Poisson),
        "deterministic" => Ok(Spacing::Deterministic),
        other => {
            let problem = Problem::new(
                value.span(),
                "traffic.arrivals",
                format!("unknown spacing `{other}`: expected `poisson` or `deterministic`"),
            );
            Err(match values::suggest(other, ["poisson", "deterministic"].into_iter()) {
                Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
                None => problem,
            })
        }
    }
}
