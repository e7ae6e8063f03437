//! `cloudtwin`: parse the command line, load and check the scenarios, run
//! them in parallel, report, and exit with 0 (all ran) or 2 (an error).
//!
//! Layering, from the bottom: `engine` (time, events, randomness) knows
//! nothing of AWS; `components` and `sim` know the physics but not TOML or
//! files; `scenario` turns files into checked domain types; `billing`
//! prices usage; `report` writes what a run produced; `batch` and `cli`
//! sit on top.

use clap::Parser;

fn main() -> std::process::ExitCode {
    cloudtwin::cli::main(cloudtwin::cli::Cli::parse())
}
