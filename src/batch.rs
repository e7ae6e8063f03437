//! Running many scenarios at once: load and check them all (each with its
//! sweep points), then run every point's replications in parallel on rayon,
//! keeping each file's results or error apart.
//!
//! One broken scenario never loses the others' results: its error is kept
//! and reported at the end, as ripgrep reports per-file errors. Results do
//! not depend on the thread count: every run has its own random streams,
//! and results are gathered in plan order, whatever order runs finish in.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, anyhow};
use rayon::prelude::*;

use crate::billing::bill::bill;
use crate::catalogue::Catalogue;
use crate::experiment::aggregate::ExperimentSummary;
use crate::experiment::plan::{Fingerprint, Job, Plan, Point};
use crate::experiment::progress::Progress;
use crate::experiment::record::RunRecord;
use crate::experiment::shard::Shard;
use crate::experiment::{self, Header};
use crate::report::output::{Plots, scenario_dir, write_run};
use crate::report::summary::Summary;
use crate::scenario::sweep::Axis;
use crate::scenario::{self, Scenario};
use crate::sim;

/// Settings shared by every run of a batch.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Folder under which each scenario gets its own folder.
    pub output: PathBuf,
    /// Threads to run on; `None` lets rayon choose (one per core).
    pub jobs: Option<usize>,
    /// Write files (false when only checking).
    pub write_files: bool,
    /// Runs of each point, with independent random streams.
    pub replications: u32,
    /// Keys varied from the command line (`--set`).
    pub sets: Vec<Axis>,
    /// This process's share of the runs, if the experiment is split.
    pub shard: Option<Shard>,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
}

impl BatchOptions {
    /// One plain run of each scenario, in `output`.
    pub fn plain(output: PathBuf) -> BatchOptions {
        BatchOptions {
            output,
            jobs: None,
            write_files: true,
            replications: 1,
            sets: Vec::new(),
            shard: None,
            progress: false,
        }
    }
}

/// A scenario file, checked: its plan, and the scenario of each point.
#[derive(Debug)]
pub struct Prepared {
    /// The experiment's plan.
    pub plan: Plan,
    /// Its points.
    pub points: Vec<Point>,
    /// The name of the output folder.
    pub name: String,
    /// The SLOs every point is judged by.
    pub slos: Vec<crate::scenario::slo::Slo>,
    /// The first point's scenario.
    pub first: Scenario,
    designs: Designs,
    /// Set when the output folder has been cleared for this experiment.
    cleared: OnceLock<Result<(), String>>,
    /// A fingerprint of the first point's checked scenario: what its data
    /// files held and the prices it was given.
    inputs: u64,
}

/// Where the scenario of each point comes from.
#[derive(Debug)]
enum Designs {
    /// A sweep's points are built again from the file when their runs
    /// start (each was checked once when prepared), so that memory does not
    /// grow with the number of points.
    Swept(Box<Catalogue>),
    /// `compare`: one file per point, each already read.
    Files(Vec<Scenario>),
}

impl Prepared {
    /// The output folder's name: the scenario's (every point has the
    /// file's name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The scenario of point `point`.
    pub fn scenario(&self, point: usize) -> Result<Cow<'_, Scenario>> {
        match &self.designs {
            Designs::Files(scenarios) => Ok(Cow::Borrowed(&scenarios[point])),
            Designs::Swept(_) if point == 0 => Ok(Cow::Borrowed(&self.first)),
            Designs::Swept(catalogue) => {
                Ok(Cow::Owned(build_point(&self.plan, &self.points[point], catalogue)?))
            }
        }
    }

    /// What an experiment's summary needs to know of it.
    pub fn header(&self) -> Header {
        Header {
            scenario: self.name().to_string(),
            file: self.plan.file.display().to_string(),
            identity: self.plan.identity(self.inputs),
            replications: self.plan.replications,
            axes: self.plan.axes.iter().map(|a| a.path.clone()).collect(),
            fixed: self.plan.fixed.iter().map(|o| (o.path.clone(), o.value_text())).collect(),
            slos: self.slos.clone(),
            points: self.points.iter().map(|p| p.overrides.clone()).collect(),
        }
    }
}

/// What a checked scenario holds (its data files' contents, its prices),
/// whatever path its file was given by: `tt.toml` and `./tt.toml` on two
/// machines are the same experiment.
fn fingerprint(scenario: &Scenario) -> u64 {
    let mut anywhere = scenario.clone();
    anywhere.file = PathBuf::new();
    Fingerprint::of_debug(&anywhere)
}

/// What a point's scenario is, whatever text set its values.
fn design_fingerprint(scenario: &Scenario) -> u64 {
    let mut design = scenario.clone();
    design.file = PathBuf::new();
    design.settings.clear();
    Fingerprint::of_debug(&design)
}

/// The scenario of one point of a plan.
fn build_point(plan: &Plan, point: &Point, catalogue: &Catalogue) -> Result<Scenario> {
    let overrides = plan.overrides_of(point);
    scenario::parse_with(&plan.file, plan.text.clone(), catalogue, &overrides).map_err(|e| {
        match point.overrides.is_empty() {
            true => anyhow::Error::new(e),
            false => anyhow!("{e}\n  note: in sweep point {} ({})", point.index, point.label()),
        }
    })
}

/// Reads and checks one file with its sweep and the command line's.
pub fn prepare(
    file: &Path,
    catalogue: &Catalogue,
    sets: &[Axis],
    replications: u32,
) -> Result<Prepared> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow!("{}: cannot read the scenario file: {e}", file.display()))?;
    let plan = Plan::new(file, text, sets, replications)?;
    let points = plan.points();
    let first = build_point(&plan, &points[0], catalogue)?;
    // Two points that build the same design (`1m` and `60s`) would only
    // look like a comparison.
    let mut designs = std::collections::HashMap::new();
    designs.insert(design_fingerprint(&first), 0);
    for point in &points[1..] {
        let scenario = build_point(&plan, point, catalogue)?;
        if scenario.name != first.name {
            return Err(anyhow!(
                "{}: scenario.name: a sweep may not vary the scenario's name (it names the output folder)",
                file.display()
            ));
        }
        if let Some(&earlier) = designs.get(&design_fingerprint(&scenario)) {
            return Err(anyhow!(
                "{}: sweep points {earlier} ({}) and {} ({}) are the same design: give each value \
                 once",
                file.display(),
                points[earlier].label(),
                point.index,
                point.label()
            ));
        }
        designs.insert(design_fingerprint(&scenario), point.index);
    }
    let name = first.name.clone();
    let slos = first.slos.clone();
    let designs = Designs::Swept(Box::new(catalogue.clone()));
    let inputs = fingerprint(&first);
    Ok(Prepared { plan, points, name, slos, first, designs, cleared: OnceLock::new(), inputs })
}

/// Name of the output folder of `compare`.
pub const COMPARISON: &str = "compare";

/// Reads and checks the designs of `compare`: each file is one point,
/// judged by the first file's SLOs.
pub fn prepare_comparison(
    files: &[PathBuf],
    catalogue: &Catalogue,
    sets: &[Axis],
    replications: u32,
) -> Result<Prepared> {
    if files.len() < 2 {
        return Err(anyhow!("compare needs two scenario files or more"));
    }
    let mut scenarios = Vec::new();
    let mut texts = String::new();
    let mut values = Vec::new();
    let same_file = |a: &PathBuf, b: &PathBuf| {
        a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
    };
    for (i, file) in files.iter().enumerate() {
        if files[..i].iter().any(|earlier| same_file(earlier, file)) {
            return Err(anyhow!(
                "{}: given twice; compare runs each design once (use --replications for more runs)",
                file.display()
            ));
        }
        let prepared = prepare(file, catalogue, sets, 1)?;
        if prepared.points.len() > 1 {
            return Err(anyhow!(
                "{}: has a [sweep]; compare takes one design per file (run the sweep itself to compare its points)",
                file.display()
            ));
        }
        texts.push_str(&prepared.plan.text);
        scenarios.push(prepared.first);
    }
    // Each design is labelled by its scenario's name, or by its file when
    // two designs share a name.
    for (i, scenario) in scenarios.iter().enumerate() {
        let shared = scenarios.iter().filter(|s| s.name == scenario.name).count() > 1;
        let label = if shared { files[i].display().to_string() } else { scenario.name.clone() };
        values.push(crate::scenario::overrides::Override {
            path: "design".into(),
            literal: format!("{label:?}"),
            span: 0..0,
        });
    }
    let axis = Axis { path: "design".into(), span: 0..0, values };
    let fixed = sets.iter().map(|a| a.at(0)).collect();
    let plan = Plan { file: files[0].clone(), text: texts, axes: vec![axis], fixed, replications };
    let points = plan.points();
    let slos = scenarios[0].slos.clone();
    let first = scenarios[0].clone();
    let inputs = scenarios.iter().fold(Fingerprint::new(), |mut hash, s| {
        hash.feed(&fingerprint(s).to_le_bytes());
        hash
    });
    let inputs = inputs.value();
    let designs = Designs::Files(scenarios);
    Ok(Prepared {
        plan,
        points,
        name: COMPARISON.into(),
        slos,
        first,
        designs,
        cleared: OnceLock::new(),
        inputs,
    })
}

/// Loads every file; a name used twice is an error for the second file.
pub fn prepare_all(
    files: &[PathBuf],
    catalogue: &Catalogue,
    sets: &[Axis],
    replications: u32,
) -> Vec<(PathBuf, Result<Prepared>)> {
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    files
        .iter()
        .map(|file| {
            let loaded = prepare(file, catalogue, sets, replications).and_then(|p| {
                if let Some(first) = seen.get(p.name()) {
                    if first == file {
                        return Err(anyhow!("{}: given twice on the command line", file.display()));
                    }
                    return Err(anyhow!(
                        "{}: scenario.name: `{}` is also the name of {}; both would write to the same output folder",
                        file.display(),
                        p.name(),
                        first.display()
                    ));
                }
                seen.insert(p.name().to_string(), file.clone());
                Ok(p)
            });
            (file.clone(), loaded)
        })
        .collect()
}

/// What became of one scenario file.
#[derive(Debug)]
pub struct Outcome {
    /// The file as given.
    pub file: PathBuf,
    /// What it produced, or why it failed.
    pub result: Result<Produced>,
}

/// What a file produced.
#[derive(Debug)]
pub enum Produced {
    /// One plain run: its summary and folder.
    Single {
        /// The summary written to `summary.json`.
        summary: Box<Summary>,
        /// Where its files are.
        dir: Option<PathBuf>,
    },
    /// One plain run in which the design gave way under its load: a
    /// failed design, not an error; no results are written.
    GaveWay {
        /// What happened, and when.
        why: String,
    },
    /// A sweep or replications: the experiment's summary and folder, and
    /// the runs that could not finish.
    Experiment {
        /// The summary written to `experiment.json`.
        summary: Box<ExperimentSummary>,
        /// Where its files are.
        dir: Option<PathBuf>,
        /// Runs that stopped early, with why.
        failed_runs: Vec<String>,
    },
    /// This process's shard of an experiment: runs written for `merge`.
    Shard {
        /// The shard.
        shard: Shard,
        /// Runs this shard made.
        runs: usize,
        /// Runs that stopped early, with why.
        failed_runs: Vec<String>,
        /// Where its files are.
        dir: Option<PathBuf>,
    },
}

/// One run's outcome.
struct RunDone {
    record: RunRecord,
    summary: Option<Summary>,
    dir: Option<PathBuf>,
}

/// Runs every prepared file's share of runs in parallel and writes their
/// files. Runs not started when `cancel` is set are skipped; the caller
/// learns how many from [`interrupted_runs`].
pub fn run_all(
    prepared: Vec<(PathBuf, Result<Prepared>)>,
    options: &BatchOptions,
    cancel: &AtomicBool,
) -> Result<Vec<Outcome>> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(jobs) = options.jobs {
        builder = builder.num_threads(jobs);
    }
    let pool = builder.build().map_err(|e| anyhow!("cannot start the worker threads: {e}"))?;
    let work: Vec<(usize, Job)> = prepared
        .iter()
        .enumerate()
        .filter_map(|(f, (_, p))| p.as_ref().ok().map(|p| (f, p)))
        .flat_map(|(f, p)| {
            p.plan
                .jobs()
                .into_iter()
                .enumerate()
                .filter(|(position, _)| options.shard.is_none_or(|s| s.takes(*position)))
                .map(move |(_, job)| (f, job))
        })
        .collect();
    let progress = Progress::new(work.len() as u64, options.progress);
    let results: Vec<Result<RunDone>> = pool.install(|| {
        work.par_iter()
            .map(|&(f, job)| {
                let Ok(p) = &prepared[f].1 else { unreachable!("only prepared files have runs") };
                let done = if cancel.load(Ordering::Relaxed) {
                    Err(anyhow!("{}", sim::INTERRUPTED))
                } else {
                    run_guarded(p, job, options, cancel)
                };
                if !cancel.load(Ordering::Relaxed) {
                    progress.tick();
                }
                done
            })
            .collect()
    });
    progress.finish();
    let mut by_file: Vec<Vec<(Job, Result<RunDone>)>> =
        prepared.iter().map(|_| Vec::new()).collect();
    for ((f, job), result) in work.into_iter().zip(results) {
        by_file[f].push((job, result));
    }
    prepared
        .into_iter()
        .zip(by_file)
        .map(|((file, p), runs)| {
            let result = match p {
                Ok(p) => finish_file(&p, runs, options),
                Err(e) => Err(e),
            };
            Ok(Outcome { file, result })
        })
        .collect()
}

/// Runs not made because of an interruption, over all outcomes.
pub fn interrupted_runs(outcomes: &[Outcome]) -> usize {
    outcomes
        .iter()
        .map(|o| match &o.result {
            Ok(Produced::Experiment { failed_runs, .. } | Produced::Shard { failed_runs, .. }) => {
                failed_runs.iter().filter(|f| f.contains(sim::INTERRUPTED)).count()
            }
            Err(e) if e.to_string().contains(sim::INTERRUPTED) => 1,
            _ => 0,
        })
        .sum()
}

impl Prepared {
    /// Clears what an earlier run or experiment left in this experiment's
    /// folder (only cloudtwin's own files), once, just before the first
    /// file of this one is written: the folder never mixes two, and Ctrl-C
    /// before any run finished leaves the earlier results as they were. A
    /// shard clears nothing (the other shards' runs may share the folder).
    fn clear_before_first_write(&self, options: &BatchOptions) -> Result<()> {
        if options.shard.is_some() {
            return Ok(());
        }
        self.cleared
            .get_or_init(|| {
                scenario_dir(&options.output, self.name())
                    .and_then(|dir| experiment::output::clear(&dir))
                    .map_err(|e| format!("{e:#}"))
            })
            .clone()
            .map_err(|e| anyhow!(e))
    }
}

/// Gathers a file's runs into what it produced, and writes the
/// experiment's own files.
fn finish_file(
    p: &Prepared,
    runs: Vec<(Job, Result<RunDone>)>,
    options: &BatchOptions,
) -> Result<Produced> {
    if !p.plan.is_experiment() && options.shard.is_none() {
        let Some((_, done)) = runs.into_iter().next() else {
            return Err(anyhow!("{}: {}", p.plan.file.display(), sim::INTERRUPTED));
        };
        let done = done?;
        if let Some(why) = done.record.collapsed {
            return Ok(Produced::GaveWay { why });
        }
        return Ok(Produced::Single {
            summary: Box::new(done.summary.expect("a single run keeps its summary")),
            dir: done.dir,
        });
    }
    let mut records = Vec::new();
    let mut failed_runs = Vec::new();
    let file = format!("{}: ", p.plan.file.display());
    for (job, done) in runs {
        match done {
            Ok(done) => records.push(done.record),
            Err(e) => {
                let why = format!("{e:#}");
                let why = why.strip_prefix(&file).unwrap_or(&why);
                failed_runs
                    .push(format!("point {} replication {}: {why}", job.point, job.replication));
            }
        }
    }
    let header = p.header();
    let dir = options.write_files.then(|| options.output.join(p.name()));
    if let Some(shard) = options.shard {
        if let Some(dir) = &dir {
            experiment::output::write_manifest(dir, &header, shard, &records)?;
        }
        return Ok(Produced::Shard { shard, runs: records.len(), failed_runs, dir });
    }
    let summary = header.summarise(&records);
    let interrupted = failed_runs.iter().any(|f| f.contains(sim::INTERRUPTED));
    if records.is_empty() && interrupted {
        // Nothing of this experiment finished: the folder keeps the
        // earlier results.
        return Ok(Produced::Experiment { summary: Box::new(summary), dir: None, failed_runs });
    }
    if let Some(dir) = &dir {
        p.clear_before_first_write(options)?;
        experiment::output::write_experiment(dir, &summary)?;
    }
    Ok(Produced::Experiment { summary: Box::new(summary), dir, failed_runs })
}

/// Runs one job, turning a panic (a bug in cloudtwin) into that run's
/// error so that the rest of the batch still reports.
fn run_guarded(
    p: &Prepared,
    job: Job,
    options: &BatchOptions,
    cancel: &AtomicBool,
) -> Result<RunDone> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_job(p, job, options, cancel)))
        .unwrap_or_else(|_| {
            Err(anyhow!(
                "{}: internal error while running this scenario (a bug in cloudtwin; please report it with the file)",
                p.plan.file.display()
            ))
        })
}

/// Runs one point's replication and writes its files.
fn run_job(p: &Prepared, job: Job, options: &BatchOptions, cancel: &AtomicBool) -> Result<RunDone> {
    let scenario = &*p.scenario(job.point)?;
    let single = !p.plan.is_experiment() && options.shard.is_none();
    let result = sim::run_until_cancelled(scenario, job.replication, cancel);
    if let Some(stopped) = &result.stopped
        && stopped.overloaded
        && single
    {
        if options.write_files {
            // Results of an earlier run left beside this verdict would be
            // taken for this run's.
            experiment::output::clear(&scenario_dir(&options.output, &scenario.name)?)?;
        }
        let why = format!("{} (at {})", stopped.reason, stopped_when(stopped.at_s));
        let record = RunRecord::collapsed(&p.slos, job.point, job.replication, why);
        return Ok(RunDone { record, summary: None, dir: None });
    }
    if let Some(stopped) = &result.stopped
        && stopped.overloaded
        && !single
    {
        // In an experiment, a design that gives way is an answer (it fails
        // every SLO), not an error: its record says so, and shards that
        // hold it still merge.
        let why = format!("{} (at {})", stopped.reason, stopped_when(stopped.at_s));
        let record = RunRecord::collapsed(&p.slos, job.point, job.replication, why);
        let dir = if options.write_files {
            p.clear_before_first_write(options)?;
            let dir = experiment::output::run_dir(&options.output.join(p.name()), job)?;
            experiment::output::write_record(&dir, &record)?;
            Some(dir)
        } else {
            None
        };
        return Ok(RunDone { record, summary: None, dir });
    }
    if let Some(stopped) = &result.stopped {
        if options.write_files && single && stopped.reason != sim::INTERRUPTED {
            // Results of an earlier run left beside this error would be
            // taken for this run's.
            experiment::output::clear(&scenario_dir(&options.output, &scenario.name)?)?;
        }
        return Err(anyhow!(
            "{}: the run stopped {}: {}\n  note: no results were written for it",
            scenario.file.display(),
            stopped_when(stopped.at_s),
            stopped.reason
        ));
    }
    let bill = bill(scenario, &result.usage);
    let mut summary = Summary::new(scenario, job.replication, &result, &bill);
    let record = RunRecord::new(&p.slos, job.point, job.replication, &result, &summary);
    summary.slos = record.outcomes(&p.slos);
    let dir = if options.write_files {
        let dir = if single {
            let dir = scenario_dir(&options.output, &scenario.name)?;
            experiment::output::clear(&dir)?;
            dir
        } else {
            p.clear_before_first_write(options)?;
            experiment::output::run_dir(&options.output.join(p.name()), job)?
        };
        let plots = if single { Plots::All } else { Plots::None };
        write_run(&dir, scenario, &summary, &result, plots)?;
        if single {
            crate::report::html::write_run_report(&dir, &summary)?;
        } else {
            experiment::output::write_record(&dir, &record)?;
        }
        Some(dir)
    } else {
        None
    };
    Ok(RunDone { record, summary: single.then_some(summary), dir })
}

/// When a run stopped, for messages.
fn stopped_when(at_s: f64) -> String {
    if at_s < 0.0 {
        format!("in the warm-up, {:.1} s before the measured window", -at_s)
    } else {
        format!("{at_s:.1} s into the measured window")
    }
}

/// The folder a scenario's files go to, for messages.
pub fn describe_dir(dir: &Option<PathBuf>) -> String {
    dir.as_deref().map(Path::display).map(|d| d.to_string()).unwrap_or_default()
}
