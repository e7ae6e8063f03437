//! Traces of request counts per interval from a CSV file (plain or gzip):
//! reading them (`file`) and mapping the window a scenario replays onto
//! simulated time (here).
//!
//! The file has a header row. Its rows say when they happened in one of
//! three ways, decided from the first column:
//!
//! - **times**: the first column holds RFC 3339 times (any offset; they
//!   are read as instants). The interval is the step between the first two
//!   rows; a later row may skip intervals (a gap with no data, which a
//!   replay must not cross) but must fall on the step.
//! - **index**: the first column numbers the rows (its name is `index`,
//!   ends in `_index`, or is `minute`, `second` or `hour`), as in the EPA,
//!   SDSC and Azure Functions files. Numbers must increase; skipped ones are
//!   gaps. The scenario gives `interval` and `origin`.
//! - **rows**: no time column, as in the NASA per-second files: row n is the
//!   n-th interval. The scenario gives `interval` and `origin`.

use std::path::Path;

use time::OffsetDateTime;
use toml::Spanned;

use super::build::Defaults;
use super::error::Problem;
use super::raw::RawValue;
use super::raw_traffic::RawTrace;
use super::traffic::{Located, RunClock, rfc3339, signed_duration};
use super::values;

mod file;

use crate::traffic::shape::{BaseRate, Counts, Interval};
use file::is_time;
pub use file::{Block, CountTrace, Layout, RowClock, read_counts, read_layout};

/// Reads the trace and maps the window the run replays onto simulated time.
pub(super) fn trace_rate(
    raw: &Spanned<RawTrace>,
    clock: &RunClock,
    base_dir: &Path,
    defaults: &mut Defaults,
) -> Result<BaseRate, Located> {
    let spec = raw.get_ref();
    let path = base_dir.join(spec.file.get_ref());
    if !path.is_file() {
        return Err(Problem::new(
            spec.file.span(),
            "traffic.trace.file",
            format!("no trace file at {}", path.display()),
        )
        .with_hint("the path is relative to the scenario file's folder")
        .into());
    }
    let layout = read_layout(&path).map_err(Located::Elsewhere)?;
    let column = count_column(spec, &layout, defaults)?;
    let given_interval = match &spec.interval {
        Some(v) => Some(values::positive_duration(v, "traffic.trace.interval")?.as_nanos() as i64),
        None => None,
    };
    if layout.clock != RowClock::Times && given_interval.is_none() {
        return Err(Problem::new(
            raw.span(),
            "traffic.trace.interval",
            format!(
                "{} has no time column: give `interval`, the length of one row, such as \"1s\" or \"1m\"",
                spec.file.get_ref()
            ),
        )
        .into());
    }
    let interval_for_rows = if layout.clock == RowClock::Times { None } else { given_interval };
    let trace =
        read_counts(&path, &layout, column, interval_for_rows).map_err(Located::Elsewhere)?;
    if let (Some(given), Some(v)) = (given_interval, &spec.interval)
        && given != trace.interval_ns
    {
        return Err(Problem::new(
            v.span(),
            "traffic.trace.interval",
            format!(
                "the rows of {} are {} s apart, not {}",
                spec.file.get_ref(),
                trace.interval_ns as f64 / 1e9,
                v.get_ref()
            ),
        )
        .with_hint("leave `interval` out: a file with times sets its own")
        .into());
    }
    if given_interval.is_none() {
        defaults.used(
            "traffic.trace.interval",
            format!("{}s", trace.interval_ns as f64 / 1e9),
            format!(
                "the smallest spacing of the times in {}; a longer gap is rows left out",
                spec.file.get_ref()
            ),
        );
    }
    let first = origin(spec, &layout, &trace, clock, defaults)?;
    let window = Window::new(spec, first, clock, defaults)?;
    Ok(BaseRate::Counts(window.counts(spec, &trace, first, clock)?))
}

/// The column holding the counts: as named, or the only numeric one.
fn count_column(
    spec: &RawTrace,
    layout: &Layout,
    defaults: &mut Defaults,
) -> Result<usize, Problem> {
    let file = spec.file.get_ref();
    let choices: Vec<&str> = (0..layout.headers.len())
        .filter(|i| Some(*i) != layout.time_column())
        .map(|i| layout.headers[i].as_str())
        .collect();
    let listed = choices.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
    if let Some(name) = &spec.column {
        let found = (0..layout.headers.len())
            .find(|i| Some(*i) != layout.time_column() && layout.headers[*i] == *name.get_ref());
        return found.ok_or_else(|| {
            let problem = Problem::new(
                name.span(),
                "traffic.trace.column",
                format!(
                    "{file} has no count column `{}`: expected one of {listed}",
                    name.get_ref()
                ),
            );
            match values::suggest(name.get_ref(), choices.iter().copied()) {
                Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
                None => problem,
            }
        });
    }
    match layout.numeric.as_slice() {
        [only] => {
            defaults.used(
                "traffic.trace.column",
                layout.headers[*only].clone(),
                format!("the only column of numbers in {file} besides its time column"),
            );
            Ok(*only)
        }
        [] => Err(Problem::new(
            spec.file.span(),
            "traffic.trace.column",
            format!(
                "{file} has no column of numbers besides its time column: its columns are {listed}"
            ),
        )),
        [first, ..] => Err(Problem::new(
            spec.file.span(),
            "traffic.trace.column",
            format!(
                "{file} has several columns of numbers, {listed}: name the counts with `column`"
            ),
        )
        .with_hint(format!("for example column = \"{}\"", layout.headers[*first]))),
    }
}

/// UTC start of the trace's first row: its own time, `origin`, or by
/// default the start of the run.
fn origin(
    spec: &RawTrace,
    layout: &Layout,
    trace: &CountTrace,
    clock: &RunClock,
    defaults: &mut Defaults,
) -> Result<OffsetDateTime, Problem> {
    match (trace.first, &spec.origin) {
        (Some(_), Some(origin)) => Err(Problem::new(
            origin.span(),
            "traffic.trace.origin",
            format!(
                "{} has its own times in `{}`: `origin` is for files without them",
                spec.file.get_ref(),
                layout.headers[0]
            ),
        )),
        (Some(first), None) => Ok(first),
        (None, Some(origin)) => values::timestamp(origin, "traffic.trace.origin"),
        (None, None) => {
            defaults.used(
                "traffic.trace.origin",
                rfc3339(clock.run_start()),
                "Assumption: the file's rows carry no date, so its first row is replayed at the start of the run (the warm-up)",
            );
            Ok(clock.run_start())
        }
    }
}

/// A trace instant: a UTC time, or an offset such as `"14h"` from the
/// trace's first row; nanoseconds after the first row.
fn trace_instant(value: &RawValue, first: OffsetDateTime, key: &str) -> Result<i128, Problem> {
    match value.get_ref() {
        toml::Value::String(text) if !is_time(text) => {
            Ok(i128::from(signed_duration(value, text, key, "the trace's first row")?))
        }
        _ => Ok((values::timestamp(value, key)? - first).whole_nanoseconds()),
    }
}

/// The stretch of the trace the run replays, in nanoseconds after its first
/// row, and how fast.
struct Window {
    /// Trace instant replayed at the start of the measured window.
    from: i128,
    /// Trace instants replayed from the start to the end of the run.
    replayed: std::ops::Range<i128>,
    /// Trace time per unit of simulated time.
    speedup: f64,
    /// Factor on every count.
    scale: f64,
}

impl Window {
    fn new(
        spec: &RawTrace,
        first: OffsetDateTime,
        clock: &RunClock,
        defaults: &mut Defaults,
    ) -> Result<Window, Problem> {
        let from = match &spec.from {
            Some(from) => trace_instant(from, first, "traffic.trace.from")?,
            None => {
                defaults.used(
                    "traffic.trace.from",
                    "scenario.start",
                    "Assumption: the trace is replayed at its own UTC times",
                );
                (clock.start - first).whole_nanoseconds()
            }
        };
        let speedup = factor(
            &spec.speedup,
            "traffic.trace.speedup",
            defaults,
            "Assumption: the trace is replayed in real time",
        )?;
        let scale = factor(
            &spec.scale,
            "traffic.trace.scale",
            defaults,
            "Assumption: the trace is replayed at its recorded rate",
        )?;
        let stretch = |span: crate::engine::time::SimDuration| {
            (span.as_nanos() as f64 * speedup).round() as i128
        };
        let mut end = from + stretch(clock.duration);
        if spec.to.is_none() {
            defaults.used(
                "traffic.trace.to",
                "the end of the measured window",
                "Assumption: the trace is replayed for the whole run, and stops there",
            );
        }
        if let Some(to) = &spec.to {
            let to_ns = trace_instant(to, first, "traffic.trace.to")?;
            if to_ns <= from {
                return Err(Problem::new(
                    to.span(),
                    "traffic.trace.to",
                    "the window is empty: `to` must come after `from` (by default scenario.start)",
                ));
            }
            end = end.min(to_ns);
        }
        Ok(Window { from, replayed: from - stretch(clock.warmup)..end, speedup, scale })
    }

    /// Simulated nanoseconds at which trace instant `at` is replayed.
    fn sim_ns(&self, at: i128, clock: &RunClock) -> i64 {
        // In real time the sum stays exact: a float would lose nanoseconds
        // past 2^53 ns (104 days) from `from`.
        let since_from = if self.speedup == 1.0 {
            at - self.from
        } else {
            ((at - self.from) as f64 / self.speedup).round() as i128
        };
        (i128::from(clock.warmup.as_nanos()) + since_from).clamp(i64::MIN.into(), i64::MAX.into())
            as i64
    }

    /// The counts of the replayed intervals, placed in simulated time.
    fn counts(
        &self,
        spec: &RawTrace,
        trace: &CountTrace,
        first: OffsetDateTime,
        clock: &RunClock,
    ) -> Result<Counts, Problem> {
        let interval = i128::from(trace.interval_ns);
        if (interval as f64 / self.speedup) < 1_000.0 {
            let key = spec.speedup.as_ref().map_or(spec.file.span(), |s| s.span());
            return Err(Problem::new(
                key,
                "traffic.trace.speedup",
                format!(
                    "at a speedup of {} an interval of the trace lasts under a microsecond",
                    self.speedup
                ),
            ));
        }
        let first_slot = self.replayed.start.div_euclid(interval) as i64;
        let end_slot = (self.replayed.end + interval - 1).div_euclid(interval) as i64;
        let block = self.block(spec, trace, first, first_slot..end_slot)?;
        let intervals = (first_slot..end_slot)
            .map(|slot| {
                let start = i128::from(slot) * interval;
                let end = (start + interval).min(self.replayed.end);
                let share = (end - start) as f64 / interval as f64;
                let count = block.counts[(slot - block.first_slot) as usize] * share * self.scale;
                Interval { end_ns: self.sim_ns(end, clock), count }
            })
            .collect();
        Ok(Counts { start_ns: self.sim_ns(i128::from(first_slot) * interval, clock), intervals })
    }

    /// The run of rows that holds every slot the run replays: refused if
    /// the slots fall outside the trace or on a gap in it.
    fn block<'t>(
        &self,
        spec: &RawTrace,
        trace: &'t CountTrace,
        first: OffsetDateTime,
        slots: std::ops::Range<i64>,
    ) -> Result<&'t Block, Problem> {
        let file = spec.file.get_ref();
        let at = |ns: i128| shifted(first, ns);
        let utc = |slot: i64| at(i128::from(slot) * i128::from(trace.interval_ns));
        let gap_after = |end: i64| {
            let next = trace.blocks.iter().find(|b| b.first_slot >= end)?;
            Some(
                Problem::new(
                    spec.file.span(),
                    "traffic.trace",
                    format!(
                        "{file} has no rows from {} to {}, inside the replayed window (a gap in the trace, not zeros)",
                        utc(end),
                        utc(next.first_slot)
                    ),
                )
                .with_hint("move the window past the gap with traffic.trace.from, or shorten the run"),
            )
        };
        let outside = || {
            let covers = match (trace.blocks.first(), trace.blocks.last()) {
                (Some(a), Some(b)) => format!("{} to {}", utc(a.first_slot), utc(b.end_slot())),
                _ => "nothing".into(),
            };
            Problem::new(
                spec.file.span(),
                "traffic.trace",
                format!(
                    "the run replays the trace from {} to {}, but {file} covers {covers}",
                    at(self.replayed.start),
                    at(self.replayed.end),
                ),
            )
            .with_hint(if trace.first.is_some() {
                "move scenario.start or traffic.trace.from, or shorten scenario.warmup or scenario.duration"
            } else {
                "set traffic.trace.origin (the UTC time of the file's first row) and traffic.trace.from, or shorten the run"
            })
        };
        let holder =
            trace.blocks.iter().find(|b| b.first_slot <= slots.start && slots.start < b.end_slot());
        match holder {
            Some(block) if slots.end <= block.end_slot() => Ok(block),
            Some(block) => Err(gap_after(block.end_slot()).unwrap_or_else(outside)),
            None => {
                let before = trace.blocks.iter().rev().find(|b| b.end_slot() <= slots.start);
                Err(before.and_then(|b| gap_after(b.end_slot())).unwrap_or_else(outside))
            }
        }
    }
}

/// `t` moved by `ns` nanoseconds, as RFC 3339; far-off times, which only a
/// mistaken offset produces, are named as such instead of overflowing.
fn shifted(t: OffsetDateTime, ns: i128) -> String {
    i64::try_from(ns)
        .ok()
        .and_then(|ns| t.checked_add(time::Duration::nanoseconds(ns)))
        .map_or_else(|| "a time out of range".to_string(), rfc3339)
}

/// A factor above zero, or 1 by default.
fn factor(
    value: &Option<Spanned<f64>>,
    key: &str,
    defaults: &mut Defaults,
    why: &str,
) -> Result<f64, Problem> {
    match value {
        Some(v) if !(*v.get_ref() > 0.0 && v.get_ref().is_finite()) => {
            Err(Problem::new(v.span(), key, "expected a number above 0"))
        }
        Some(v) => Ok(*v.get_ref()),
        None => {
            defaults.used(key, "1", why);
            Ok(1.0)
        }
    }
}
