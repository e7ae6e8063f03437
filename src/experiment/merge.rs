//! `cloudtwin merge`: the shards of an experiment, made on several
//! machines, summarised into the report one machine would have written.
//!
//! Each shard folder holds, per scenario, a manifest (the experiment's
//! header, the shard's index and its runs) and each run's record. Merging
//! checks that the shards belong to one experiment (the same fingerprint:
//! scenario text, sweep, replications) and that every shard from 0 to N − 1
//! is there exactly once, then summarises the records exactly as an
//! unsharded run does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

use super::aggregate::ExperimentSummary;
use super::output::{Manifest, read_manifests, read_record, write_experiment};
use super::plan::Job;

/// One merged experiment.
#[derive(Debug)]
pub struct Merged {
    /// Its summary.
    pub summary: ExperimentSummary,
    /// Where its files were written.
    pub dir: PathBuf,
    /// Runs read.
    pub runs: usize,
}

/// Merges the shards found in `dirs` (each an output folder of a shard
/// run) into `output`, one experiment per scenario name.
pub fn merge(dirs: &[PathBuf], output: &Path) -> Result<Vec<Merged>> {
    let mut by_name: BTreeMap<String, Vec<(PathBuf, Manifest)>> = BTreeMap::new();
    for dir in dirs {
        if !dir.is_dir() {
            return Err(anyhow!(
                "{}: not a folder (give the output folders of the shard runs)",
                dir.display()
            ));
        }
        let mut found = 0;
        let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| anyhow!("{}: cannot read: {e}", dir.display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        for experiment_dir in subdirs {
            for manifest in read_manifests(&experiment_dir)? {
                found += 1;
                by_name
                    .entry(manifest.header.scenario.clone())
                    .or_default()
                    .push((experiment_dir.clone(), manifest));
            }
        }
        if found == 0 {
            return Err(anyhow!(
                "{}: holds no shard of an experiment (a run with --shard writes NAME/shard-I-of-N.json)",
                dir.display()
            ));
        }
    }
    by_name.into_iter().map(|(name, shards)| merge_one(&name, shards, output)).collect()
}

fn merge_one(name: &str, shards: Vec<(PathBuf, Manifest)>, output: &Path) -> Result<Merged> {
    let (first_dir, first) = &shards[0];
    for (dir, m) in &shards[1..] {
        if m.header.identity != first.header.identity {
            return Err(anyhow!(
                "{name}: {} and {} hold shards of different experiments (the scenario text, its \
                 sweep or the replications differ: fingerprints {} and {})",
                first_dir.display(),
                dir.display(),
                first.header.identity,
                m.header.identity
            ));
        }
        if m.shard.count != first.shard.count {
            return Err(anyhow!(
                "{name}: {} was split in {} shards and {} in {}",
                first_dir.display(),
                first.shard.count,
                dir.display(),
                m.shard.count
            ));
        }
    }
    let count = first.shard.count;
    let mut seen = vec![0u32; count as usize];
    for (_, m) in &shards {
        seen[m.shard.index as usize] += 1;
    }
    if let Some(twice) = seen.iter().position(|&n| n > 1) {
        return Err(anyhow!("{name}: shard {twice}/{count} is given more than once"));
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, n)| **n == 0)
        .map(|(i, _)| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(anyhow!("{name}: shards {} are missing", missing.join(", ")));
    }
    let mut records = Vec::new();
    for (dir, m) in &shards {
        for &(point, replication) in &m.runs {
            records.push(read_record(dir, Job { point, replication })?);
        }
    }
    let summary = first.header.summarise(&records);
    let dir = output.join(name);
    write_experiment(&dir, &summary)?;
    Ok(Merged { summary, dir, runs: records.len() })
}
