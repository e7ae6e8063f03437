//! The `[traffic]` section as written: serde structs that mirror the TOML
//! and keep spans.

use serde::Deserialize;
use toml::Spanned;

use super::raw::RawValue;

/// `[traffic]`: where requests enter and how they arrive.
///
/// The rate is one base (`rate`, `steps`, `ramp`, `diurnal` or `trace`)
/// times any `spikes`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTraffic {
    /// The component requests arrive at.
    pub entry: Spanned<String>,
    /// A constant rate.
    pub rate: Option<Spanned<String>>,
    /// Rates that change at given times.
    pub steps: Option<Spanned<Vec<Spanned<RawStep>>>>,
    /// A straight line from one rate to another.
    pub ramp: Option<Spanned<RawRamp>>,
    /// A daily cycle.
    pub diurnal: Option<Spanned<RawDiurnal>>,
    /// Counts per interval read from a file.
    pub trace: Option<Spanned<RawTrace>>,
    /// `[[traffic.spikes]]`: stretches during which the rate is multiplied.
    pub spikes: Option<Vec<Spanned<RawSpike>>>,
    /// `"poisson"` or `"deterministic"`.
    pub arrivals: Option<Spanned<String>>,
}

/// One of `steps`: from `at` on, the rate is `rate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    /// An offset from `scenario.start` or a UTC time.
    pub at: RawValue,
    /// The rate from then on.
    pub rate: Spanned<String>,
}

/// `ramp`: `from` until `start`, `to` after `end`, a straight line between.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRamp {
    /// The rate before the ramp.
    pub from: Spanned<String>,
    /// The rate after it.
    pub to: Spanned<String>,
    /// An offset from `scenario.start` or a UTC time.
    pub start: RawValue,
    /// An offset from `scenario.start` or a UTC time, after `start`.
    pub end: RawValue,
}

/// `diurnal`: a daily sine (`mean`, `amplitude`, `peak`) or 24 `hourly`
/// rates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDiurnal {
    /// The mean rate over a day.
    pub mean: Option<Spanned<String>>,
    /// The relative swing around the mean, in [0, 1).
    pub amplitude: Option<Spanned<f64>>,
    /// The UTC time of day of the peak, `"HH:MM"`.
    pub peak: Option<Spanned<String>>,
    /// Rates at 00:00, 01:00, … 23:00 UTC.
    pub hourly: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `[[traffic.spikes]]`: the rate times `multiplier` for `duration` from
/// `start`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpike {
    /// An offset from `scenario.start` or a UTC time.
    pub start: RawValue,
    /// Factor on the rate, above zero.
    pub multiplier: Spanned<f64>,
    /// How long the spike lasts.
    pub duration: Spanned<String>,
}

/// `[traffic.trace]`: a CSV (or gzipped CSV) of counts per interval.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrace {
    /// Path of the file, relative to the scenario file.
    pub file: Spanned<String>,
    /// The column that holds the counts.
    pub column: Option<Spanned<String>>,
    /// The length of one row, for files without timestamps.
    pub interval: Option<Spanned<String>>,
    /// The UTC time of the first row, for files without timestamps.
    pub origin: Option<RawValue>,
    /// The trace instant replayed at the start of the measured window.
    pub from: Option<RawValue>,
    /// The trace instant after which nothing more is replayed.
    pub to: Option<RawValue>,
    /// Multiplies every count.
    pub scale: Option<Spanned<f64>>,
    /// Replays the trace this many times faster.
    pub speedup: Option<Spanned<f64>>,
}
