//! The `[traffic]` section as written: serde structs that mirror the TOML
//! and keep spans.

use serde::Deserialize;
use toml::Spanned;

use super::raw::RawValue;

/// `[traffic]`: where requests enter and how they arrive.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTraffic {
    /// The component requests arrive at.
    pub entry: Spanned<String>,
    /// Poisson arrivals at a constant rate.
    pub rate: Option<Spanned<String>>,
    /// Arrivals that follow a trace of counts.
    pub trace: Option<Spanned<RawTrace>>,
}

/// `[traffic.trace]`: a CSV of per-minute counts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrace {
    /// Path of the CSV, relative to the scenario file.
    pub file: Spanned<String>,
    /// The trace instant replayed at the start of the measured window.
    pub from: Option<RawValue>,
    /// Multiplies every count.
    pub scale: Option<Spanned<f64>>,
}
