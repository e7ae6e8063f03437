//! Scenario files: reading the TOML, checking it, and building the
//! validated [`Scenario`] the simulation runs.
//!
//! Reading happens in two stages, as ripgrep does for its flags: serde
//! structs that mirror the file and keep spans ([`raw`]), then checks that
//! resolve names, fill defaults and record them ([`build`]). Every mistake
//! becomes one [`ScenarioError`] naming file, line, column and key.

pub mod build;
pub mod cache;
pub mod classes;
pub mod client;
pub mod components;
pub mod credits;
pub mod cron;
pub mod data_checks;
pub mod database;
pub mod dist_values;
pub mod edge;
pub mod error;
pub mod faults;
pub mod keys;
pub mod model;
pub mod overrides;
pub mod policies;
pub mod raw;
pub mod raw_scaling;
pub mod raw_traffic;
pub mod routing;
pub mod scaling;
pub mod serverless;
pub mod serverless_checks;
pub mod slo;
pub mod sweep;
pub mod trace;
pub mod traffic;
pub mod units;
pub mod values;

use std::path::Path;

pub use error::ScenarioError;
pub use model::Scenario;

use crate::catalogue::Catalogue;

/// Reads, checks and builds the scenario in `path`.
pub fn load(path: &Path, catalogue: &Catalogue) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| error::file_error(path, format!("cannot read the scenario file: {e}")))?;
    parse(path, text, catalogue)
}

/// Checks and builds a scenario from its text; `path` names it in errors
/// and anchors relative paths (traces) inside it.
pub fn parse(path: &Path, text: String, catalogue: &Catalogue) -> Result<Scenario, ScenarioError> {
    parse_with(path, text, catalogue, &[])
}

/// As [`parse`], with `overrides` put at their key paths first (a sweep
/// point, or `--set`).
pub fn parse_with(
    path: &Path,
    text: String,
    catalogue: &Catalogue,
    overrides: &[overrides::Override],
) -> Result<Scenario, ScenarioError> {
    let source = error::Source { path: path.to_path_buf(), text };
    build::build(&source, catalogue, overrides)
}
