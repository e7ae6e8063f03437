//! From the runs of an experiment to its summary: each point's figures with
//! confidence intervals over its replications, its SLO verdicts, its
//! difference from the first point (paired by replication), the cost–p99
//! Pareto front and the cheapest point that meets every SLO.
//!
//! The summary is built from [`RunRecord`]s only, whether they were just
//! made or read back from shards, so the same runs always give the same
//! bytes.

use serde::{Deserialize, Serialize};

use super::Header;
use super::plan::Point;
use super::record::{RunRecord, passes};
use crate::scenario::slo::{LatencyStat, Slo, SloMetric};
use crate::stats::estimate::{Estimate, METHOD};
use crate::stats::latency::empty_histogram;

/// Version of the experiment summary's layout.
pub const SCHEMA: &str = "cloudtwin.experiment/1";

/// Quantiles at which each point's latency distribution is kept, for the
/// overlaid CDFs.
const CDF_POINTS: usize = 200;

/// The whole experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentSummary {
    /// Layout version.
    pub schema: String,
    /// The scenario's name.
    pub scenario: String,
    /// Its file, as given.
    pub file: String,
    /// The experiment's fingerprint (scenario text, sweep, replications).
    pub identity: String,
    /// How the intervals are made.
    pub interval_method: String,
    /// Runs of each point.
    pub replications: u32,
    /// The varied keys.
    pub axes: Vec<String>,
    /// Values set in every run, by full key path.
    pub fixed: Vec<(String, String)>,
    /// The objectives.
    pub slos: Vec<Slo>,
    /// Each point.
    pub points: Vec<PointSummary>,
    /// Points on the cost–p99 Pareto front (none cheaper and faster), by
    /// rising cost.
    pub pareto: Vec<usize>,
    /// The cheapest point (by mean monthly cost) that meets every SLO.
    pub cheapest_passing: Option<usize>,
    /// Planned runs that are not in this summary (interrupted, or stopped
    /// by an error): 0 for a complete experiment.
    pub runs_missing: usize,
}

/// One point's figures over its replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointSummary {
    /// Its index.
    pub index: usize,
    /// `key=value …`.
    pub label: String,
    /// The values it sets, by full key path.
    pub settings: Vec<(String, String)>,
    /// Replications that ran.
    pub runs: u32,
    /// Mean latency, ms.
    pub mean_ms: Estimate,
    /// Median, ms.
    pub p50_ms: Estimate,
    /// 90th percentile, ms.
    pub p90_ms: Estimate,
    /// 99th percentile, ms.
    pub p99_ms: Estimate,
    /// 99.9th percentile, ms.
    pub p999_ms: Estimate,
    /// Failed share of finished requests.
    pub error_rate: Estimate,
    /// Successful requests per second.
    pub goodput_per_s: Estimate,
    /// The bill projected to a month, dollars.
    pub cost_per_month_usd: Estimate,
    /// The window's bill per million successful requests, dollars.
    pub cost_per_million_usd: Option<Estimate>,
    /// Each SLO's verdict.
    pub slos: Vec<Verdict>,
    /// True when every SLO passes.
    pub passes_all: bool,
    /// Differences from point 0, paired by replication (absent for point
    /// 0 itself).
    pub versus_first: Option<Differences>,
    /// The latency distribution of all its runs together: (ms, share of
    /// requests at or below).
    pub latency_cdf: Vec<(f64, f64)>,
    /// Runs in which the design gave way under its load (its figures are
    /// over the other runs; the point fails every SLO and is not on the
    /// front).
    pub collapsed_runs: u32,
    /// Why, as the first collapsed run said.
    pub collapse: Option<String>,
}

/// An SLO's verdict at a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The SLO's name.
    pub name: String,
    /// Its value over the replications (absent when no run had one).
    pub value: Option<Estimate>,
    /// Pass: the replication mean is within the bound.
    pub pass: bool,
    /// True when the whole interval is on the verdict's side of the bound;
    /// false when more replications could change it.
    pub certain: bool,
}

/// A point's figures less point 0's, replication by replication (common
/// random numbers make these pairs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Differences {
    /// Mean latency, ms.
    pub mean_ms: Estimate,
    /// 99th percentile, ms.
    pub p99_ms: Estimate,
    /// Failed share.
    pub error_rate: Estimate,
    /// Monthly cost, dollars.
    pub cost_per_month_usd: Estimate,
}

/// Summarises the runs of an experiment. `records` may come in any order;
/// points without runs are left out.
pub fn summarise(header: &Header, records: &[RunRecord]) -> ExperimentSummary {
    let points = header.points();
    let slos = &header.slos;
    let mut sorted: Vec<&RunRecord> = records.iter().collect();
    sorted.sort_by_key(|r| (r.point, r.replication));
    // Paired differences need point 0's figures in every replication: none
    // when point 0 gave way in any.
    let first: Vec<&RunRecord> = sorted.iter().copied().filter(|r| r.point == 0).collect();
    let first = if first.iter().any(|r| r.collapsed.is_some()) { Vec::new() } else { first };
    let summaries: Vec<PointSummary> = points
        .iter()
        .filter_map(|point| {
            let runs: Vec<&RunRecord> =
                sorted.iter().copied().filter(|r| r.point == point.index).collect();
            (!runs.is_empty()).then(|| point_summary(point, &runs, &first, slos))
        })
        .collect();
    let pareto = pareto_front(&summaries);
    // Without objectives every point would "pass": name none rather than
    // the cheapest design outright.
    let cheapest_passing = summaries
        .iter()
        .filter(|p| !slos.is_empty() && p.passes_all)
        .min_by(|a, b| a.cost_per_month_usd.mean.total_cmp(&b.cost_per_month_usd.mean))
        .map(|p| p.index);
    ExperimentSummary {
        schema: SCHEMA.into(),
        scenario: header.scenario.clone(),
        file: header.file.clone(),
        identity: header.identity.clone(),
        interval_method: METHOD.into(),
        replications: header.replications,
        axes: header.axes.clone(),
        fixed: header.fixed.clone(),
        slos: slos.clone(),
        points: summaries,
        pareto,
        cheapest_passing,
        runs_missing: (points.len() * header.replications as usize).saturating_sub(records.len()),
    }
}

fn estimate(runs: &[&RunRecord], metric: impl Fn(&RunRecord) -> Option<f64>) -> Estimate {
    let values: Vec<f64> = runs.iter().filter_map(|r| metric(r)).collect();
    Estimate::of(&values)
}

fn latency(stat: LatencyStat) -> impl Fn(&RunRecord) -> Option<f64> {
    move |r: &RunRecord| r.metric(SloMetric::Latency(stat))
}

fn point_summary(
    point: &Point,
    all_runs: &[&RunRecord],
    first: &[&RunRecord],
    slos: &[Slo],
) -> PointSummary {
    let (collapsed, finished): (Vec<&RunRecord>, Vec<&RunRecord>) =
        all_runs.iter().partition(|r| r.collapsed.is_some());
    // A design that gave way in any replication has no figures: those of
    // the replications that held would pass for the design's.
    let runs: &[&RunRecord] = if collapsed.is_empty() { &finished } else { &[] };
    let verdicts: Vec<Verdict> = slos
        .iter()
        .enumerate()
        .map(|(i, slo)| {
            let values: Vec<f64> =
                runs.iter().filter_map(|r| r.slo_values.get(i).copied().flatten()).collect();
            let value = (!values.is_empty()).then(|| Estimate::of(&values));
            let pass = collapsed.is_empty() && value.is_some_and(|v| passes(slo, v.mean));
            // Without an interval (one replication) nothing says how sure
            // the verdict is: it is not called certain.
            let certain = !collapsed.is_empty()
                || value.is_some_and(|v| {
                    v.half_width.is_some() && passes(slo, v.low()) == passes(slo, v.high())
                });
            Verdict { name: slo.name.clone(), value, pass, certain }
        })
        .collect();
    let mut merged = empty_histogram();
    for run in runs {
        merged.add(run.histogram()).expect("every histogram has the same bounds");
    }
    let latency_cdf = if merged.is_empty() {
        Vec::new()
    } else {
        (1..=CDF_POINTS)
            .map(|i| {
                let q = i as f64 / CDF_POINTS as f64;
                (merged.value_at_quantile(q) as f64 / 1e6, q)
            })
            .collect()
    };
    let versus_first = (point.index != 0 && !first.is_empty() && !runs.is_empty()).then(|| {
        let paired = |metric: &dyn Fn(&RunRecord) -> Option<f64>| {
            let diffs: Vec<f64> = runs
                .iter()
                .filter_map(|r| {
                    let base = first.iter().find(|b| b.replication == r.replication)?;
                    Some(metric(r)? - metric(base)?)
                })
                .collect();
            Estimate::of(&diffs)
        };
        Differences {
            mean_ms: paired(&latency(LatencyStat::Mean)),
            p99_ms: paired(&latency(LatencyStat::P99)),
            error_rate: paired(&|r| Some(r.error_rate)),
            cost_per_month_usd: paired(&|r| r.metric(SloMetric::CostPerMonth)),
        }
    });
    PointSummary {
        index: point.index,
        label: point.label(),
        settings: point.settings(),
        runs: all_runs.len() as u32,
        mean_ms: estimate(runs, latency(LatencyStat::Mean)),
        p50_ms: estimate(runs, latency(LatencyStat::P50)),
        p90_ms: estimate(runs, latency(LatencyStat::P90)),
        p99_ms: estimate(runs, latency(LatencyStat::P99)),
        p999_ms: estimate(runs, latency(LatencyStat::P999)),
        error_rate: estimate(runs, |r| Some(r.error_rate)),
        goodput_per_s: estimate(runs, |r| Some(r.goodput_per_s)),
        cost_per_month_usd: estimate(runs, |r| r.metric(SloMetric::CostPerMonth)),
        cost_per_million_usd: runs
            .iter()
            .all(|r| r.cost_per_million_usd.is_some())
            .then(|| estimate(runs, |r| r.metric(SloMetric::CostPerMillion))),
        passes_all: collapsed.is_empty() && verdicts.iter().all(|v| v.pass),
        slos: verdicts,
        versus_first,
        latency_cdf,
        collapsed_runs: collapsed.len() as u32,
        collapse: collapsed.first().and_then(|r| r.collapsed.clone()),
    }
}

/// The points no other point beats on both mean monthly cost and mean p99
/// (ties kept), by rising cost.
fn pareto_front(points: &[PointSummary]) -> Vec<usize> {
    let usable: Vec<&PointSummary> = points
        .iter()
        .filter(|p| {
            p.collapsed_runs == 0
                && p.p99_ms.mean.is_finite()
                && p.cost_per_month_usd.mean.is_finite()
        })
        .collect();
    let dominated = |p: &PointSummary| {
        usable.iter().any(|q| {
            let (qc, qp) = (q.cost_per_month_usd.mean, q.p99_ms.mean);
            let (pc, pp) = (p.cost_per_month_usd.mean, p.p99_ms.mean);
            qc <= pc && qp <= pp && (qc < pc || qp < pp)
        })
    };
    let mut front: Vec<&PointSummary> = usable.iter().copied().filter(|p| !dominated(p)).collect();
    front.sort_by(|a, b| {
        a.cost_per_month_usd.mean.total_cmp(&b.cost_per_month_usd.mean).then(a.index.cmp(&b.index))
    });
    front.into_iter().map(|p| p.index).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(index: usize, cost: f64, p99: f64) -> PointSummary {
        let e = |v: f64| Estimate { mean: v, half_width: None, n: 1 };
        PointSummary {
            index,
            label: String::new(),
            settings: Vec::new(),
            runs: 1,
            mean_ms: e(1.0),
            p50_ms: e(1.0),
            p90_ms: e(1.0),
            p99_ms: e(p99),
            p999_ms: e(p99),
            error_rate: e(0.0),
            goodput_per_s: e(1.0),
            cost_per_month_usd: e(cost),
            cost_per_million_usd: None,
            slos: Vec::new(),
            passes_all: true,
            versus_first: None,
            latency_cdf: Vec::new(),
            collapsed_runs: 0,
            collapse: None,
        }
    }

    #[test]
    fn the_front_keeps_the_points_nothing_beats_on_both() {
        let points = [
            point(0, 100.0, 50.0),
            point(1, 200.0, 20.0),
            point(2, 150.0, 60.0), // dominated by 0
            point(3, 300.0, 20.0), // dominated by 1
            point(4, 90.0, 80.0),
        ];
        assert_eq!(pareto_front(&points), vec![4, 0, 1]);
    }
}
