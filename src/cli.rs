//! The command line: clap definitions and what each command does.
//!
//! Exit codes: 0 when every scenario ran, 2 when any could not be read or
//! run (its error is printed; the others still run and write their files).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::batch::{self, BatchOptions};
use crate::catalogue::Catalogue;
use crate::report::table;

/// Offline cost-and-performance simulator for AWS architectures.
#[derive(Debug, Parser)]
#[command(name = "cloudtwin", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios and write their results.
    Run {
        /// Scenario files (TOML).
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// Folder for results, one subfolder per scenario.
        #[arg(short, long, value_name = "DIR", default_value = "output")]
        output: PathBuf,
        /// Scenarios to run at once [default: one per core].
        #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
        /// Read prices from this folder instead of the built-in catalogue.
        ///
        /// Any of ec2.toml, elb.toml, rds.toml and sources.toml found there
        /// replaces the built-in file of the same name.
        #[arg(long, value_name = "DIR")]
        catalogue: Option<PathBuf>,
    },
    /// Check scenario files without running them.
    Check {
        /// Scenario files (TOML).
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// Read prices from this folder instead of the built-in catalogue.
        #[arg(long, value_name = "DIR")]
        catalogue: Option<PathBuf>,
    },
}

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

fn execute(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run { files, output, jobs, catalogue } => {
            let catalogue = load_catalogue(catalogue)?;
            let loaded = batch::load_all(&files, &catalogue);
            let options = BatchOptions { output, jobs: jobs.map(usize::from), write_files: true };
            let outcomes = batch::run_all(loaded, &options)?;
            let mut failed = 0;
            for outcome in &outcomes {
                if let Ok(finished) = &outcome.result {
                    let files = batch::describe_dir(&finished.dir);
                    print_out(&format!(
                        "{}  files        {files}\n\n",
                        table::render(&finished.summary)
                    ));
                }
            }
            for outcome in &outcomes {
                if let Err(error) = &outcome.result {
                    failed += 1;
                    eprintln!("error: {error:#}");
                }
            }
            Ok(if failed > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
        }
        Command::Check { files, catalogue } => {
            let catalogue = load_catalogue(catalogue)?;
            let mut failed = 0;
            for (file, loaded) in batch::load_all(&files, &catalogue) {
                match loaded {
                    Ok(s) => {
                        let n = s.components.len();
                        let plural = if n == 1 { "" } else { "s" };
                        print_out(&format!("{}: ok ({n} component{plural})\n", file.display()));
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
