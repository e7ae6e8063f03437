//! An experiment's files: each run's folder (`runs/pPPP-rRR/`, with its
//! `run.json`), a shard's manifest, and the experiment's own summary,
//! table, plots and report.
//!
//! ```text
//! output/NAME/experiment.json   the summary (what `merge` reproduces)
//! output/NAME/points.csv        one row per point
//! output/NAME/pareto.svg|png    cost against p99, the front marked
//! output/NAME/cdf.svg|png       each point's latency distribution
//! output/NAME/report.html       all of it, in one page
//! output/NAME/runs/p000-r00/    one run: summary.json, timeseries.csv, run.json
//! output/NAME/shard-I-of-N.json a shard's manifest (shard runs only)
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use serde::{Deserialize, Serialize};

use super::Header;
use super::aggregate::ExperimentSummary;
use super::plan::Job;
use super::record::RunRecord;
use super::shard::Shard;

/// Version of a shard manifest's layout.
pub const MANIFEST_SCHEMA: &str = "cloudtwin.shard/1";

/// What a shard made, for `merge`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Layout version.
    pub schema: String,
    /// The experiment.
    pub header: Header,
    /// Which shard.
    pub shard: Shard,
    /// The runs it made: (point, replication).
    pub runs: Vec<(usize, u32)>,
}

/// The folder of one run of an experiment in `dir`, made if needed.
pub fn run_dir(dir: &Path, job: Job) -> Result<PathBuf> {
    let run = run_path(dir, job);
    fs::create_dir_all(&run).with_context(|| format!("cannot create {}", run.display()))?;
    Ok(run)
}

/// Removes an earlier experiment's or run's files from `dir`: the `runs`
/// folder and cloudtwin's own files, nothing else.
pub fn clear(dir: &Path) -> Result<()> {
    let runs = dir.join("runs");
    if runs.is_dir() {
        fs::remove_dir_all(&runs).with_context(|| format!("cannot remove {}", runs.display()))?;
    }
    crate::report::output::clear_earlier_run(dir.parent().unwrap_or(dir), &name_of(dir))?;
    let ours = |name: &str| {
        matches!(name, "experiment.json" | "points.csv")
            || ["pareto.", "cdf."].iter().any(|p| name.starts_with(p))
            || (name.starts_with("shard-") && name.ends_with(".json"))
    };
    for entry in
        fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?.flatten()
    {
        let path = entry.path();
        if path.is_file() && path.file_name().and_then(|n| n.to_str()).is_some_and(ours) {
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}

fn name_of(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// True when two paths name one file or folder: equal as written, or the
/// same once resolved (`a.toml` and `./a.toml`).
pub fn same_path(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Writes a run's record beside its files.
pub fn write_record(dir: &Path, record: &RunRecord) -> Result<()> {
    let path = dir.join("run.json");
    let json = serde_json::to_string(record).context("cannot serialise the run record")?;
    fs::write(&path, json + "\n").with_context(|| format!("cannot write {}", path.display()))
}

/// The folder of one run of an experiment in `dir`, as a path.
pub fn run_path(dir: &Path, job: Job) -> PathBuf {
    dir.join("runs").join(format!("p{:03}-r{:02}", job.point, job.replication))
}

/// Reads a run's record from an experiment's folder.
pub fn read_record(dir: &Path, job: Job) -> Result<RunRecord> {
    let path = run_path(dir, job).join("run.json");
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a run record", path.display()))
}

/// Writes a shard's manifest into the experiment's folder.
pub fn write_manifest(
    dir: &Path,
    header: &Header,
    shard: Shard,
    records: &[RunRecord],
) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let manifest = Manifest {
        schema: MANIFEST_SCHEMA.into(),
        header: header.clone(),
        shard,
        runs: records.iter().map(|r| (r.point, r.replication)).collect(),
    };
    let path = dir.join(format!("shard-{}-of-{}.json", shard.index, shard.count));
    let json = serde_json::to_string_pretty(&manifest).context("cannot serialise the manifest")?;
    fs::write(&path, json + "\n").with_context(|| format!("cannot write {}", path.display()))
}

/// Every shard manifest in an experiment's folder, with its file.
pub fn read_manifests(dir: &Path) -> Result<Vec<(PathBuf, Manifest)>> {
    let mut found = Vec::new();
    let entries = fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".json"))
        })
        .collect();
    paths.sort();
    for path in paths {
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let manifest: Manifest = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a cloudtwin shard manifest", path.display()))?;
        if manifest.schema != MANIFEST_SCHEMA {
            return Err(anyhow!(
                "{}: written by another version of cloudtwin ({}, this one reads {MANIFEST_SCHEMA})",
                path.display(),
                manifest.schema
            ));
        }
        found.push((path, manifest));
    }
    Ok(found)
}

/// Writes an experiment's summary, table, plots and report into `dir`.
pub fn write_experiment(dir: &Path, summary: &ExperimentSummary) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join("experiment.json");
    let json = serde_json::to_string_pretty(summary).context("cannot serialise the summary")?;
    fs::write(&path, json + "\n").with_context(|| format!("cannot write {}", path.display()))?;
    let csv_path = dir.join("points.csv");
    let file = fs::File::create(&csv_path)
        .with_context(|| format!("cannot create {}", csv_path.display()))?;
    write_points_csv(std::io::BufWriter::new(file), summary)
        .with_context(|| format!("cannot write {}", csv_path.display()))?;
    crate::report::plot::pareto::write_pareto(dir, summary)?;
    crate::report::plot::cdf::write_cdfs(dir, summary)?;
    crate::report::html::write_experiment_report(dir, summary)
}

/// One row per point: its settings, each figure's mean and interval
/// half-width, its SLO verdicts.
fn write_points_csv(out: impl std::io::Write, summary: &ExperimentSummary) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let mut header: Vec<String> = vec!["point".into(), "label".into()];
    header.extend(summary.axes.iter().cloned());
    header.push("runs".into());
    for metric in [
        "mean_ms",
        "p50_ms",
        "p90_ms",
        "p99_ms",
        "p999_ms",
        "error_rate",
        "goodput_per_s",
        "cost_per_month_usd",
        "cost_per_million_usd",
    ] {
        header.push(metric.into());
        header.push(format!("{metric}_ci95"));
    }
    for slo in &summary.slos {
        header.push(format!("slo: {}", slo.name));
    }
    header.extend([
        "passes_all".into(),
        "pareto".into(),
        "cheapest_passing".into(),
        "collapsed_runs".into(),
    ]);
    writer.write_record(&header)?;
    let cell = |v: f64| if v.is_finite() { format!("{v}") } else { String::new() };
    for p in &summary.points {
        let mut row = vec![p.index.to_string(), p.label.clone()];
        for axis in &summary.axes {
            row.push(
                p.settings
                    .iter()
                    .find(|(k, _)| k == axis)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            );
        }
        row.push(p.runs.to_string());
        let estimates = [
            Some(p.mean_ms),
            Some(p.p50_ms),
            Some(p.p90_ms),
            Some(p.p99_ms),
            Some(p.p999_ms),
            Some(p.error_rate),
            Some(p.goodput_per_s),
            Some(p.cost_per_month_usd),
            p.cost_per_million_usd,
        ];
        for e in estimates {
            row.push(e.map_or(String::new(), |e| cell(e.mean)));
            row.push(e.and_then(|e| e.half_width).map_or(String::new(), cell));
        }
        for v in &p.slos {
            row.push(if v.pass { "pass".into() } else { "fail".into() });
        }
        row.push(p.passes_all.to_string());
        row.push(summary.pareto.contains(&p.index).to_string());
        row.push((summary.cheapest_passing == Some(p.index)).to_string());
        row.push(p.collapsed_runs.to_string());
        writer.write_record(&row)?;
    }
    writer.flush()?;
    Ok(())
}
