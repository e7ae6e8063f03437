//! What the experiment keeps of each run: the figures designs are compared
//! by, each SLO's value, and the latency histogram, in a form that is
//! written beside the run's files (`run.json`) and read back exactly, so
//! that shards merged later give the same report as one machine.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::billing::money::Money;
use crate::report::summary::Summary;
use crate::scenario::slo::{LatencyStat, Slo, SloMetric};
use crate::sim::RunResult;
use crate::stats::latency::{Percentiles, empty_histogram};

/// One run's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The sweep point (0 without a sweep).
    pub point: usize,
    /// The replication.
    pub replication: u32,
    /// Requests that arrived in the measured window.
    pub arrived: u64,
    /// Answered successfully.
    pub completed: u64,
    /// Failed after their last attempt.
    pub failed: u64,
    /// Failed share of the finished requests.
    pub error_rate: f64,
    /// Successful requests per second.
    pub goodput_per_s: f64,
    /// Latency of the successful requests.
    pub latency: Option<Percentiles>,
    /// The window's bill.
    pub cost_window_usd: Money,
    /// The bill projected to a month.
    pub cost_per_month_usd: Money,
    /// The window's bill per million successful requests.
    pub cost_per_million_usd: Option<Money>,
    /// Each SLO's value in this run (in the SLO's unit; for an SLO judged
    /// per minute, the share of minutes under the bound); `None` when the
    /// run has no value (no request finished).
    pub slo_values: Vec<Option<f64>>,
    /// The latency histogram: (value in ns, count) for each non-empty
    /// bucket, from which the experiment rebuilds distributions exactly.
    pub histogram: Vec<(u64, u64)>,
    /// Why the design gave way under its load, when it did: the run
    /// stopped there, its figures are empty, and it fails every SLO.
    pub collapsed: Option<String>,
}

impl RunRecord {
    /// The record of a run, judged by `slos`.
    pub fn new(
        slos: &[Slo],
        point: usize,
        replication: u32,
        result: &RunResult,
        summary: &Summary,
    ) -> RunRecord {
        RunRecord {
            point,
            replication,
            arrived: summary.requests.arrived,
            completed: summary.requests.completed,
            failed: summary.requests.failed,
            error_rate: summary.requests.error_rate,
            goodput_per_s: summary.requests.goodput_per_s,
            latency: summary.latency,
            cost_window_usd: summary.cost.window_usd,
            cost_per_month_usd: summary.cost.per_month_usd,
            cost_per_million_usd: summary.cost.per_million_successful_usd,
            slo_values: slos.iter().map(|slo| slo_value(slo, summary, result)).collect(),
            histogram: result
                .latency
                .iter_recorded()
                .map(|v| (v.value_iterated_to(), v.count_at_value()))
                .collect(),
            collapsed: None,
        }
    }

    /// The record of a run in which the design gave way (see
    /// [`crate::sim::Stopped::overloaded`]): no figures, every SLO without
    /// a value.
    pub fn collapsed(slos: &[Slo], point: usize, replication: u32, why: String) -> RunRecord {
        RunRecord {
            point,
            replication,
            arrived: 0,
            completed: 0,
            failed: 0,
            error_rate: 0.0,
            goodput_per_s: 0.0,
            latency: None,
            cost_window_usd: Money::ZERO,
            cost_per_month_usd: Money::ZERO,
            cost_per_million_usd: None,
            slo_values: vec![None; slos.len()],
            histogram: Vec::new(),
            collapsed: Some(why),
        }
    }

    /// The latency histogram, rebuilt.
    pub fn histogram(&self) -> Histogram<u64> {
        let mut histogram = empty_histogram();
        for &(value, count) in &self.histogram {
            histogram.saturating_record_n(value, count);
        }
        histogram
    }

    /// A metric of this run by name, in its reporting unit; `None` when
    /// the run has no value for it.
    pub fn metric(&self, metric: SloMetric) -> Option<f64> {
        match metric {
            SloMetric::Latency(stat) => self.latency.map(|p| latency_stat(&p, stat)),
            SloMetric::ErrorRate => Some(self.error_rate),
            SloMetric::CostPerMonth => Some(self.cost_per_month_usd.as_usd_f64()),
            SloMetric::CostPerMillion => self.cost_per_million_usd.map(Money::as_usd_f64),
        }
    }
}

/// An SLO's value in one run and its verdict, as the run's summary lists
/// them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SloOutcome {
    /// The SLO's name.
    pub name: String,
    /// Its value, in the SLO's unit (a share of minutes for one judged per
    /// minute); absent when no request finished.
    pub value: Option<f64>,
    /// The value as people read it: `42.10 ms`, `99.31% of minutes`.
    pub shown: String,
    /// True when the value meets the SLO.
    pub pass: bool,
}

impl RunRecord {
    /// Each SLO's value in this run with its verdict.
    pub fn outcomes(&self, slos: &[Slo]) -> Vec<SloOutcome> {
        slos.iter()
            .zip(&self.slo_values)
            .map(|(slo, value)| SloOutcome {
                name: slo.name.clone(),
                value: *value,
                shown: value.map_or("no value (no request finished)".into(), |v| shown(slo, v)),
                pass: value.is_some_and(|v| passes(slo, v)),
            })
            .collect()
    }
}

/// An SLO's value in its unit, for people.
pub fn shown(slo: &Slo, value: f64) -> String {
    match (slo.windows, slo.metric) {
        (Some(_), _) => format!("{:.2}% of minutes", value * 100.0),
        (None, SloMetric::ErrorRate) => format!("{:.3}%", value * 100.0),
        (None, SloMetric::Latency(_)) => format!("{value:.2} ms"),
        (None, _) => format!("${value:.2}"),
    }
}

/// One statistic of a set of percentiles, in ms.
pub fn latency_stat(p: &Percentiles, stat: LatencyStat) -> f64 {
    match stat {
        LatencyStat::Mean => p.mean_ms,
        LatencyStat::P50 => p.p50_ms,
        LatencyStat::P90 => p.p90_ms,
        LatencyStat::P99 => p.p99_ms,
        LatencyStat::P999 => p.p999_ms,
        LatencyStat::Max => p.max_ms,
    }
}

/// An SLO's value in one run: the metric over the run, or, judged per
/// minute, the share of minutes (with a completed request) under the
/// bound.
fn slo_value(slo: &Slo, summary: &Summary, result: &RunResult) -> Option<f64> {
    match (slo.metric, slo.windows) {
        (SloMetric::Latency(stat), Some(_)) => {
            let judged: Vec<f64> = result
                .windows
                .iter()
                .filter_map(|w| w.latency.map(|p| latency_stat(&p, stat)))
                .collect();
            if judged.is_empty() {
                return None;
            }
            let under = judged.iter().filter(|&&v| v <= slo.bound).count();
            Some(under as f64 / judged.len() as f64)
        }
        (SloMetric::Latency(stat), None) => summary.latency.map(|p| latency_stat(&p, stat)),
        (SloMetric::ErrorRate, _) => Some(summary.requests.error_rate),
        (SloMetric::CostPerMonth, _) => Some(summary.cost.per_month_usd.as_usd_f64()),
        (SloMetric::CostPerMillion, _) => {
            summary.cost.per_million_successful_usd.map(Money::as_usd_f64)
        }
    }
}

/// Whether an SLO's value passes: under the bound, or for one judged per
/// minute, at least its share of minutes.
pub fn passes(slo: &Slo, value: f64) -> bool {
    match slo.windows {
        Some(share) => value >= share,
        None => value <= slo.bound,
    }
}
