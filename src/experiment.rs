//! Experiments: a scenario's sweep points, each run several times with
//! independent random streams, summarised with confidence intervals, SLO
//! verdicts, a cost–p99 Pareto front and the cheapest design that passes.
//!
//! `plan` says which runs there are; `batch` (one level up) runs them;
//! `record` keeps what each run contributes; `aggregate` makes the
//! summary; `shard` splits the runs over machines and `output` writes what
//! `merge` reads back.

pub mod aggregate;
pub mod merge;
pub mod output;
pub mod plan;
pub mod progress;
pub mod record;
pub mod shard;

use serde::{Deserialize, Serialize};

use crate::scenario::overrides::Override;
use crate::scenario::slo::Slo;
use aggregate::ExperimentSummary;
use plan::Point;
use record::RunRecord;

/// What an experiment's summary needs besides its runs: kept with every
/// shard, so that merged shards are summarised exactly as one machine
/// would.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The scenario's name.
    pub scenario: String,
    /// Its file, as given.
    pub file: String,
    /// The experiment's fingerprint.
    pub identity: String,
    /// Runs of each point.
    pub replications: u32,
    /// The varied keys.
    pub axes: Vec<String>,
    /// Values set in every run (`--set` or `[sweep]` with one value).
    pub fixed: Vec<(String, String)>,
    /// The objectives.
    pub slos: Vec<Slo>,
    /// What each point sets.
    pub points: Vec<Vec<Override>>,
}

impl Header {
    /// The points.
    pub fn points(&self) -> Vec<Point> {
        self.points
            .iter()
            .enumerate()
            .map(|(index, overrides)| Point { index, overrides: overrides.clone() })
            .collect()
    }

    /// The experiment's summary from its runs.
    pub fn summarise(&self, records: &[RunRecord]) -> ExperimentSummary {
        aggregate::summarise(self, records)
    }
}
