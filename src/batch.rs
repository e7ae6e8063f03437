//! Running many scenarios at once: load and check them all, then run them
//! in parallel on rayon, keeping each one's result or error apart.
//!
//! One broken scenario never loses the others' results: its error is kept
//! and reported at the end, as ripgrep reports per-file errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};
use rayon::prelude::*;

use crate::billing::bill::bill;
use crate::catalogue::Catalogue;
use crate::report::output::{scenario_dir, write_run};
use crate::report::summary::Summary;
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
}

/// What became of one scenario file.
#[derive(Debug)]
pub struct Outcome {
    /// The file as given.
    pub file: PathBuf,
    /// Its summary and output folder, or why it failed.
    pub result: Result<Finished>,
}

/// A scenario that ran.
#[derive(Debug)]
pub struct Finished {
    /// The summary written to `summary.json`.
    pub summary: Summary,
    /// Where its files are.
    pub dir: Option<PathBuf>,
}

/// Loads every file; a name used twice is an error for the second file.
pub fn load_all(files: &[PathBuf], catalogue: &Catalogue) -> Vec<(PathBuf, Result<Scenario>)> {
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    files
        .iter()
        .map(|file| {
            let loaded = scenario::load(file, catalogue).map_err(anyhow::Error::new).and_then(|s| {
                if let Some(first) = seen.get(&s.name) {
                    if first == file {
                        return Err(anyhow!("{}: given twice on the command line", file.display()));
                    }
                    return Err(anyhow!(
                        "{}: scenario.name: `{}` is also the name of {}; both would write to the same output folder",
                        file.display(),
                        s.name,
                        first.display()
                    ));
                }
                seen.insert(s.name.clone(), file.clone());
                Ok(s)
            });
            (file.clone(), loaded)
        })
        .collect()
}

/// Runs every loaded scenario in parallel and writes its files.
pub fn run_all(
    loaded: Vec<(PathBuf, Result<Scenario>)>,
    options: &BatchOptions,
) -> Result<Vec<Outcome>> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(jobs) = options.jobs {
        builder = builder.num_threads(jobs);
    }
    let pool = builder.build().map_err(|e| anyhow!("cannot start the worker threads: {e}"))?;
    Ok(pool.install(|| {
        loaded
            .into_par_iter()
            .map(|(file, scenario)| {
                let result = scenario.and_then(|s| run_guarded(&s, options));
                Outcome { file, result }
            })
            .collect()
    }))
}

/// Runs one scenario, turning a panic (a bug in cloudtwin) into that
/// scenario's error so that the rest of the batch still reports.
fn run_guarded(scenario: &Scenario, options: &BatchOptions) -> Result<Finished> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_one(scenario, options))).unwrap_or_else(|_| {
        Err(anyhow!(
            "{}: internal error while running this scenario (a bug in cloudtwin; please report it with the file)",
            scenario.file.display()
        ))
    })
}

/// Runs one scenario and writes its files.
pub fn run_one(scenario: &Scenario, options: &BatchOptions) -> Result<Finished> {
    let result = sim::run(scenario, 0);
    if let Some(stopped) = &result.stopped {
        if options.write_files {
            crate::report::output::clear_earlier_run(&options.output, &scenario.name)?;
        }
        let when = if stopped.at_s < 0.0 {
            format!("in the warm-up, {:.1} s before the measured window", -stopped.at_s)
        } else {
            format!("{:.1} s into the measured window", stopped.at_s)
        };
        return Err(anyhow!(
            "{}: the run stopped {when}: {}\n  note: no results were written for it",
            scenario.file.display(),
            stopped.reason
        ));
    }
    let bill = bill(scenario, &result.usage);
    let summary = Summary::new(scenario, 0, &result, &bill);
    let dir = if options.write_files {
        let dir = scenario_dir(&options.output, &scenario.name)?;
        write_run(&dir, scenario, &summary, &result)?;
        Some(dir)
    } else {
        None
    };
    Ok(Finished { summary, dir })
}

/// The folder a scenario's files go to, for messages.
pub fn describe_dir(dir: &Option<PathBuf>) -> String {
    dir.as_deref().map(Path::display).map(|d| d.to_string()).unwrap_or_default()
}
