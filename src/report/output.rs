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

use super::plot::{
    CapacityPoint, DecisionMark, LatencyLoadPoint, PlotTitle, write_bar_chart,
    write_capacity_and_load, write_latency_and_load,
};
use super::summary::Summary;
use super::timeseries::{write_csv, write_event_log, write_scaling_log};
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

/// Removes the files an earlier run of the same name wrote into `dir`, so
/// that a file this run does not write (a scaling log, an event log, a
/// capacity plot) cannot be mistaken for its own. Only cloudtwin's own file
/// names are touched.
fn remove_earlier_results(dir: &Path) -> Result<()> {
    let ours = |name: &str| {
        matches!(
            name,
            "summary.json"
                | "timeseries.csv"
                | "scaling.csv"
                | "events.csv"
                | "report.html"
                | "run.json"
        ) || ["latency.", "cost.", "capacity."].iter().any(|p| name.starts_with(p))
            || (name.starts_with("capacity-") && (name.ends_with(".png") || name.ends_with(".svg")))
    };
    let entries = fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() && path.file_name().and_then(|n| n.to_str()).is_some_and(ours) {
            fs::remove_file(&path)
                .with_context(|| format!("cannot remove the earlier {}", path.display()))?;
        }
    }
    Ok(())
}

/// Removes an earlier run's files of scenario `name` under `output`, if
/// any: a run that could not finish must not leave an older run's results
/// looking like its own.
pub fn clear_earlier_run(output: &Path, name: &str) -> Result<()> {
    let dir = output.join(name);
    if dir.is_dir() { remove_earlier_results(&dir) } else { Ok(()) }
}

/// Which plots a run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plots {
    /// Latency, cost and capacity: a single run, looked at on its own.
    All,
    /// None: one run of an experiment, whose plots compare the runs.
    None,
}

/// Writes every file of one run into `dir`.
pub fn write_run(
    dir: &Path,
    scenario: &Scenario,
    summary: &Summary,
    result: &RunResult,
    plots: Plots,
) -> Result<()> {
    remove_earlier_results(dir)?;
    let json = serde_json::to_string_pretty(summary).context("cannot serialise the summary")?;
    let summary_path = dir.join("summary.json");
    fs::write(&summary_path, json + "\n")
        .with_context(|| format!("cannot write {}", summary_path.display()))?;

    let csv_path = dir.join("timeseries.csv");
    let file = fs::File::create(&csv_path)
        .with_context(|| format!("cannot create {}", csv_path.display()))?;
    write_csv(std::io::BufWriter::new(file), scenario.start, result)
        .with_context(|| format!("cannot write {}", csv_path.display()))?;

    if result.fleets.iter().any(|f| f.scaled) {
        let log_path = dir.join("scaling.csv");
        let file = fs::File::create(&log_path)
            .with_context(|| format!("cannot create {}", log_path.display()))?;
        write_scaling_log(std::io::BufWriter::new(file), result)
            .with_context(|| format!("cannot write {}", log_path.display()))?;
    }

    if !scenario.faults.is_empty() {
        let log_path = dir.join("events.csv");
        let file = fs::File::create(&log_path)
            .with_context(|| format!("cannot create {}", log_path.display()))?;
        write_event_log(std::io::BufWriter::new(file), result)
            .with_context(|| format!("cannot write {}", log_path.display()))?;
    }

    if plots == Plots::None {
        return Ok(());
    }
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
    write_capacity_plots(dir, &title, result)?;

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

/// Writes `capacity.png`/`.svg` for a run with one scaled fleet, or
/// `capacity-NAME.png`/`.svg` for each when there are several.
fn write_capacity_plots(dir: &Path, title: &PlotTitle, result: &RunResult) -> Result<()> {
    let scaled: Vec<usize> =
        (0..result.fleets.len()).filter(|&f| result.fleets[f].scaled).collect();
    for &f in &scaled {
        let name = &result.fleets[f].name;
        let points: Vec<CapacityPoint> = result
            .windows
            .iter()
            .map(|row| {
                let c = row.fleets[f];
                CapacityPoint {
                    minute: (row.offset_s + row.length_s) / 60.0,
                    load_minute: row.offset_s / 60.0,
                    offered_per_s: row.arrivals as f64 / row.length_s.max(1e-9),
                    desired: f64::from(c.desired),
                    pending: f64::from(c.pending),
                    in_service: f64::from(c.in_service),
                }
            })
            .collect();
        let decisions: Vec<DecisionMark> = result
            .scaling_log
            .iter()
            .filter(|d| d.component == *name && d.from != d.to)
            .map(|d| DecisionMark { minute: d.time_s / 60.0, to: f64::from(d.to) })
            .collect();
        let stem =
            if scaled.len() == 1 { "capacity".to_string() } else { format!("capacity-{name}") };
        write_capacity_and_load(dir, &stem, title, name, &points, &decisions)?;
    }
    Ok(())
}
