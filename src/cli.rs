//! The command line: clap definitions and what each command does.
//!
//! Exit codes: 0 when every scenario ran and its SLOs passed (for a sweep
//! or a comparison: when at least one design passes them all), 1 when an
//! SLO failed or a design gave way under its load, 2 when a scenario could
//! not be read or run (its error is printed; the others still run and
//! write their files), 130 when interrupted (what finished is reported and
//! kept).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, anyhow};
use clap::{Args, Parser, Subcommand};

use crate::batch::{self, BatchOptions, Outcome, Prepared, Produced};
use crate::catalogue::Catalogue;
use crate::experiment::aggregate::ExperimentSummary;
use crate::experiment::shard;
use crate::report::{experiment_table, table};
use crate::scenario::sweep::{Axis, axis_from_command_line};
use crate::sim;

/// Offline cost-and-performance simulator for AWS architectures.
#[derive(Debug, Parser)]
#[command(name = "cloudtwin", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every running command shares.
#[derive(Debug, Args)]
pub struct RunOptions {
    /// Folder for results: one subfolder per scenario (`compare` writes
    /// one, `compare/`).
    #[arg(short, long, value_name = "DIR", default_value = "output")]
    pub output: PathBuf,
    /// Runs at once [default: one per core].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Runs of each design with independent random streams, for
    /// confidence intervals.
    #[arg(short, long, value_name = "R", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Read prices from this folder instead of the built-in catalogue.
    ///
    /// Any of sources.toml, ec2.toml, elb.toml, rds.toml, elasticache.toml,
    /// serverless.toml and network.toml found there replaces the built-in
    /// file of the same name.
    #[arg(long, value_name = "DIR")]
    pub catalogue: Option<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios (with their sweeps and replications) and write their
    /// results.
    Run {
        /// Scenario files (TOML).
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// Shared options.
        #[command(flatten)]
        options: RunOptions,
        /// Set a key for every file, or sweep it over several values:
        /// `components.web.count=4` or `components.web.count=2,4,8`.
        #[arg(long = "set", value_name = "KEY=V1,V2,…")]
        sets: Vec<String>,
        /// Run only shard I of N of the runs (I from 0): for batch engines.
        /// Without it, AWS_BATCH_JOB_ARRAY_INDEX, JOB_COMPLETION_INDEX or
        /// SLURM_ARRAY_TASK_ID give the index.
        #[arg(long, value_name = "I/N", allow_hyphen_values = true)]
        shard: Option<String>,
        /// How many shards, when a batch engine's variable gives the index.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        shards: Option<u32>,
    },
    /// Run several designs of the same system and compare them side by
    /// side, judged by the first file's SLOs.
    Compare {
        /// Scenario files (TOML), one design each; the first is the
        /// baseline.
        #[arg(value_name = "FILE", required = true, num_args = 2..)]
        files: Vec<PathBuf>,
        /// Shared options.
        #[command(flatten)]
        options: RunOptions,
        /// Set a key in every design: `traffic.rate=800/s` (one value).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Merge the output folders of an experiment's shards into one report.
    Merge {
        /// Output folders of the shard runs.
        #[arg(value_name = "DIR", required = true)]
        dirs: Vec<PathBuf>,
        /// Folder for the merged report.
        #[arg(short, long, value_name = "DIR", default_value = "output")]
        output: PathBuf,
    },
    /// Check scenario files (and their sweep points) without running them.
    Check {
        /// Scenario files (TOML).
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// Read prices from this folder instead of the built-in catalogue.
        #[arg(long, value_name = "DIR")]
        catalogue: Option<PathBuf>,
        /// As for `run`.
        #[arg(long = "set", value_name = "KEY=V1,V2,…")]
        sets: Vec<String>,
    },
}

/// Set when the user presses Ctrl-C: runs not started are skipped, and
/// runs under way stop soon.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Runs the parsed command line and returns the process exit code.
pub fn main(cli: Cli) -> ExitCode {
    match execute(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Writes to standard output; a closed pipe (`cloudtwin run … | head`) is
/// not an error, the rest of the output is just not wanted.
fn print_out(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn load_catalogue(dir: Option<PathBuf>) -> Result<Catalogue> {
    Ok(match dir {
        Some(dir) => Catalogue::from_dir(&dir)?,
        None => Catalogue::builtin(),
    })
}

fn axes(sets: &[String]) -> Result<Vec<Axis>> {
    let axes: Vec<Axis> = sets
        .iter()
        .map(|s| axis_from_command_line(s).map_err(|e| anyhow!(e)))
        .collect::<Result<_>>()?;
    for (i, axis) in axes.iter().enumerate() {
        if axes[..i].iter().any(|a| a.path == axis.path) {
            return Err(anyhow!(
                "--set {}: the key is given twice; give all its values in one --set {}=V1,V2,…",
                axis.path,
                axis.path
            ));
        }
    }
    Ok(axes)
}

/// Ctrl-C (or SIGTERM, which batch engines send before they stop a job)
/// once: stop starting runs, stop those under way, keep what finished.
/// Twice: quit at once.
fn catch_interrupts() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: finishing up (press Ctrl-C again to quit at once)");
    });
}

fn execute(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run { files, options, sets, shard, shards } => {
            let catalogue = load_catalogue(options.catalogue.clone())?;
            let sets = axes(&sets)?;
            let shard = shard::resolve(shard.as_deref(), shards, |name| std::env::var(name).ok())
                .map_err(|e| anyhow!(e))?;
            let prepared = batch::prepare_all(&files, &catalogue, &sets, options.replications);
            run_and_report(prepared, &options, sets, shard)
        }
        Command::Compare { files, options, sets } => {
            let catalogue = load_catalogue(options.catalogue.clone())?;
            let sets = axes(&sets)?;
            if let Some(swept) = sets.iter().find(|a| a.values.len() > 1) {
                return Err(anyhow!(
                    "--set {}: compare takes one value per key (it sets it in every design); \
                     to sweep a key, use `cloudtwin run FILE --set KEY=V1,V2,…`",
                    swept.path
                ));
            }
            let prepared =
                batch::prepare_comparison(&files, &catalogue, &sets, options.replications)?;
            let seeds = (0..prepared.points.len())
                .map(|point| prepared.scenario(point).map(|s| s.seed))
                .collect::<Result<Vec<u64>>>()?;
            if seeds.iter().any(|s| *s != seeds[0]) {
                eprintln!(
                    "note: the designs have different seeds ({seeds:?}): their differences include \
                     noise that common random numbers (one seed for all) would remove"
                );
            }
            let others_differ = (1..prepared.points.len())
                .filter_map(|point| prepared.scenario(point).ok())
                .any(|s| s.slos != prepared.slos);
            if others_differ {
                eprintln!(
                    "note: every design is judged by the SLOs of the first file, {} ({}); the \
                     other files' [[slo]] tables are not used",
                    files[0].display(),
                    match prepared.slos.len() {
                        0 => "it has none".to_string(),
                        n => format!("{n} SLO{}", if n == 1 { "" } else { "s" }),
                    }
                );
            }
            let file = files[0].clone();
            run_and_report(vec![(file, Ok(prepared))], &options, Vec::new(), None)
        }
        Command::Merge { dirs, output } => {
            let merged = crate::experiment::merge::merge(&dirs, &output)?;
            let mut code = ExitCode::SUCCESS;
            for m in &merged {
                print_out(&format!(
                    "{}  files        {} ({} runs merged)\n\n",
                    experiment_table::render(&m.summary),
                    m.dir.display(),
                    m.runs
                ));
                if !experiment_passes(&m.summary) {
                    code = ExitCode::from(1);
                }
            }
            Ok(code)
        }
        Command::Check { files, catalogue, sets } => {
            let catalogue = load_catalogue(catalogue)?;
            let sets = axes(&sets)?;
            let mut failed = 0;
            for (file, loaded) in batch::prepare_all(&files, &catalogue, &sets, 1) {
                match loaded {
                    Ok(p) => {
                        let n = p.first.components.len();
                        let plural = if n == 1 { "" } else { "s" };
                        let points = match p.points.len() {
                            1 => String::new(),
                            k => format!(", {k} sweep points"),
                        };
                        print_out(&format!(
                            "{}: ok ({n} component{plural}{points})\n",
                            file.display()
                        ));
                    }
                    Err(error) => {
                        failed += 1;
                        eprintln!("error: {error:#}");
                    }
                }
            }
            Ok(if failed > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
        }
    }
}

/// True when some point of an experiment passes every SLO, or, without
/// SLOs, when some design held its load.
fn experiment_passes(summary: &ExperimentSummary) -> bool {
    match summary.slos.is_empty() {
        true => summary.points.iter().any(|p| p.collapsed_runs == 0),
        false => summary.cheapest_passing.is_some(),
    }
}

fn run_and_report(
    prepared: Vec<(PathBuf, Result<Prepared>)>,
    options: &RunOptions,
    sets: Vec<Axis>,
    shard: Option<shard::Shard>,
) -> Result<ExitCode> {
    catch_interrupts();
    let batch_options = BatchOptions {
        output: options.output.clone(),
        jobs: options.jobs.map(usize::from),
        write_files: true,
        replications: options.replications,
        sets,
        shard,
        progress: true,
    };
    let outcomes = batch::run_all(prepared, &batch_options, &INTERRUPTED)?;
    let (mut errors, mut slo_failed) = (0, false);
    for outcome in &outcomes {
        slo_failed |= !report_outcome(outcome);
    }
    for outcome in &outcomes {
        match &outcome.result {
            Err(error) => {
                errors += 1;
                eprintln!("error: {error:#}");
            }
            Ok(Produced::Experiment { failed_runs, .. } | Produced::Shard { failed_runs, .. }) => {
                // Runs skipped by Ctrl-C are counted once, below.
                for failure in failed_runs.iter().filter(|f| !f.contains(sim::INTERRUPTED)) {
                    eprintln!("error: {}: {failure}", outcome.file.display());
                }
                errors += usize::from(!failed_runs.is_empty());
            }
            Ok(Produced::Single { .. } | Produced::GaveWay { .. }) => {}
        }
    }
    let skipped = batch::interrupted_runs(&outcomes);
    if INTERRUPTED.load(Ordering::SeqCst) && skipped > 0 {
        eprintln!(
            "interrupted: {skipped} run(s) did not finish (any that did are reported above, and \
             their files written)"
        );
        return Ok(ExitCode::from(130));
    }
    Ok(if errors > 0 {
        ExitCode::from(2)
    } else if slo_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints one file's results; returns false when its SLOs failed.
fn report_outcome(outcome: &Outcome) -> bool {
    match &outcome.result {
        Ok(Produced::Single { summary, dir, .. }) => {
            let files = batch::describe_dir(dir);
            print_out(&format!(
                "{}{}  files        {files}\n\n",
                table::render(summary),
                experiment_table::slo_lines(summary)
            ));
            summary.slos.iter().all(|s| s.pass)
        }
        Ok(Produced::GaveWay { why }) => {
            print_out(&format!(
                "{}: FAIL: the design gave way under its load: {why}\n  the run stopped there, \
                 so it fails every SLO; no results were written (figures up to the collapse \
                 would mislead). Sweep the capacity (--set) to see where it holds.\n\n",
                outcome.file.display()
            ));
            false
        }
        Ok(Produced::Experiment { dir: None, .. }) if INTERRUPTED.load(Ordering::SeqCst) => {
            eprintln!(
                "{}: interrupted before any run finished; the folder keeps its earlier results",
                outcome.file.display()
            );
            true
        }
        Ok(Produced::Experiment { summary, dir, .. }) => {
            print_out(&format!(
                "{}  files        {}\n\n",
                experiment_table::render(summary),
                batch::describe_dir(dir)
            ));
            experiment_passes(summary)
        }
        Ok(Produced::Shard { shard, runs, dir, failed_runs }) => {
            let next = match failed_runs.len() {
                0 => "merge the shards with `cloudtwin merge`".to_string(),
                n => format!("{n} did not finish: run this shard again before merging"),
            };
            print_out(&format!(
                "{}: shard {}/{}: {runs} run(s) written to {}; {next}\n",
                outcome.file.display(),
                shard.index,
                shard.count,
                batch::describe_dir(dir)
            ));
            true
        }
        Err(_) => true,
    }
}
