//! Running many scenarios at once: load and check them all (each with its
//! sweep points), then run every point's replications in parallel on rayon,
//! keeping each file's results or error apart.
//!
//! One broken scenario never loses the others' results: its error is kept
//! and reported at the end, as ripgrep reports per-file errors. Results do
//! not depend on the thread count: every run has its own random streams,
//! and results are gathered in plan order, whatever order runs finish in.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, anyhow};
use rayon::prelude::*;

use crate::billing::bill::bill;
use crate::experiment;
use crate::experiment::aggregate::ExperimentSummary;
use crate::experiment::plan::Job;
use crate::experiment::progress::Progress;
use crate::experiment::record::RunRecord;
use crate::experiment::shard::Shard;
use crate::report::output::{Plots, scenario_dir, write_run};
use crate::report::summary::Summary;
use crate::scenario::sweep::Axis;
use crate::sim;

mod prepare;
pub use prepare::{COMPARISON, Prepared, prepare, prepare_all, prepare_comparison};

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
