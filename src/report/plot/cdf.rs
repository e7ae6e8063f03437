//! Each design's latency distribution as a CDF, overlaid: where one curve
//! lies left of another, that design answers faster at that share of
//! requests.

use std::path::Path;

use super::{PlotError, Series, SeriesShape, write_line_chart};
use crate::experiment::aggregate::ExperimentSummary;

/// Most curves drawn: one per colour of the palette, so that no two share
/// one; beyond that a plot of CDFs is unreadable, and `points.csv` has the
/// figures.
const MOST_CURVES: usize = super::panel::PALETTE.len();

/// Writes `<dir>/cdf.svg` and `<dir>/cdf.png`: up to eight points'
/// latency CDFs up to their 99.5th percentile (the tail beyond would
/// squeeze the rest against the axis), the Pareto front's first.
pub fn write_cdfs(dir: &Path, summary: &ExperimentSummary) -> Result<(), PlotError> {
    // Points with no finished request (a design that gave way in every
    // run) have no curve, so no legend entry either.
    let mut order: Vec<usize> = summary.pareto.clone();
    order.extend(
        summary
            .points
            .iter()
            .filter(|p| !p.latency_cdf.is_empty())
            .map(|p| p.index)
            .filter(|i| !summary.pareto.contains(i)),
    );
    let series: Vec<Series> = order
        .iter()
        .take(MOST_CURVES)
        .filter_map(|i| summary.points.iter().find(|p| p.index == *i))
        .map(|p| Series {
            label: format!("point {}", p.index),
            points: p
                .latency_cdf
                .iter()
                .filter(|(_, q)| *q <= 0.995)
                .map(|&(ms, q)| (ms, Some(q * 100.0)))
                .collect(),
            shape: SeriesShape::Line,
        })
        .collect();
    let shown = if summary.points.len() > MOST_CURVES {
        format!(" (the first {MOST_CURVES}, front first)")
    } else {
        String::new()
    };
    write_line_chart(
        dir,
        "cdf",
        &format!("{}: latency distribution of each point{shown}", summary.scenario),
        "latency (ms)",
        "requests answered within (%)",
        &series,
    )
}
