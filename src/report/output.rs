//! Writing a run's files under the output folder: `summary.json`,
//! `timeseries.csv`, and the latency and cost plots.
//!
//! Files go to `<output>/<scenario name>/`. Scenario names are checked when
//! the scenario is read (letters, digits, `-`, `_`, `.`, no `..`), and the
//! folder is checked again here to lie directly inside the output folder,
//! so no name can write elsewhere.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::plot::{LatencyLoadPoint, PlotTitle, write_bar_chart, write_latency_and_load};
use super::summary::Summary;
use super::timeseries::write_csv;
use crate::scenario::Scenario;
use crate::sim::RunResult;

/// The folder of one scenario's results, created if missing.
pub fn scenario_dir(output: &Path, name: &str) -> Result<PathBuf> {
    crate::scenario::build::check_name(name).map_err(anyhow::Error::msg)?;
    fs::create_dir_all(output)
        .with_context(|| format!("cannot create the output folder {}", output.display()))?;
    let dir = output.join(name);
    if dir.parent() != Some(output) || dir.file_name().is_none_or(|f| f != name) {
        bail!("{}: the scenario name would write outside the output folder", dir.display());
    }
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Writes every file of one run into `dir`.
pub fn write_run(
    dir: &Path,
    scenario: &Scenario,
    summary: &Summary,
    result: &RunResult,
) -> Result<()> {
    let json = serde_json::to_string_pretty(summary).context("cannot serialise the summary")?;
    let summary_path = dir.join("summary.json");
    fs::write(&summary_path, json + "\n")
        .with_context(|| format!("cannot write {}", summary_path.display()))?;

    let csv_path = dir.join("timeseries.csv");
    let file = fs::File::create(&csv_path)
        .with_context(|| format!("cannot create {}", csv_path.display()))?;
    write_csv(std::io::BufWriter::new(file), scenario.start, result)
        .with_context(|| format!("cannot write {}", csv_path.display()))?;

    let points: Vec<LatencyLoadPoint> = result
        .windows
        .iter()
        .map(|row| LatencyLoadPoint {
            minute: row.offset_s / 60.0,
            offered_per_s: row.arrivals as f64 / row.length_s.max(1e-9),
            p50_ms: row.latency.map(|l| l.p50_ms),
            p90_ms: row.latency.map(|l| l.p90_ms),
            p99_ms: row.latency.map(|l| l.p99_ms),
            p999_ms: row.latency.map(|l| l.p999_ms),
        })
        .collect();
    let title = PlotTitle {
        scenario: scenario.name.clone(),
        start_utc: scenario
            .start
            .format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC"))
            .unwrap_or_default(),
    };
    write_latency_and_load(dir, "latency", &title, &points)?;

    let mut by_service: Vec<(String, f64)> = Vec::new();
    for line in &summary.cost.lines {
        let label = format!("{} {}", line.service, line.component);
        match by_service.iter_mut().find(|(l, _)| *l == label) {
            Some((_, total)) => *total += line.window.as_usd_f64(),
            None => by_service.push((label, line.window.as_usd_f64())),
        }
    }
    write_bar_chart(
        dir,
        "cost",
        &format!(
            "{} — cost of the measured window: {} ({} per month)",
            scenario.name, summary.cost.window_usd, summary.cost.per_month_usd
        ),
        "USD",
        &by_service,
    )?;
    Ok(())
}
