//! `cloudtwin merge`: the shards of an experiment, made on several
//! machines, summarised into the report one machine would have written.
//!
//! Each shard folder holds, per scenario, a manifest (the experiment's
//! header, the shard's index and its runs) and each run's folder. Merging
//! checks that the shards belong to one experiment (the same fingerprint:
//! scenario text, sweep, replications), that every shard from 0 to N − 1
//! is there exactly once and that together they hold every run (a shard
//! that was interrupted or lost runs is refused, not merged into a
//! report that looks whole), then copies the runs' folders and summarises
//! their records in plan order, exactly as an unsharded run does.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};

use super::aggregate::ExperimentSummary;
use super::output::{Manifest, read_manifests, read_record, run_path, same_path, write_experiment};
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

/// A shard found on disk: its experiment folder, manifest file and
/// manifest.
struct Found {
    dir: PathBuf,
    file: PathBuf,
    manifest: Manifest,
}

/// Merges the shards found in `dirs` (each the output folder of a shard
/// run, or a scenario's folder inside it) into `output`, one experiment
/// per scenario name.
pub fn merge(dirs: &[PathBuf], output: &Path) -> Result<Vec<Merged>> {
    let mut by_name: BTreeMap<String, Vec<Found>> = BTreeMap::new();
    for (i, dir) in dirs.iter().enumerate() {
        if dirs[..i].iter().any(|earlier| same_path(earlier, dir)) {
            return Err(anyhow!("{}: given twice", dir.display()));
        }
        if !dir.is_dir() {
            return Err(anyhow!(
                "{}: not a folder (give the output folders of the shard runs)",
                dir.display()
            ));
        }
        let mut found = 0;
        for experiment_dir in experiment_dirs(dir)? {
            for (file, manifest) in read_manifests(&experiment_dir)? {
                found += 1;
                by_name.entry(manifest.header.scenario.clone()).or_default().push(Found {
                    dir: experiment_dir.clone(),
                    file,
                    manifest,
                });
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

/// The folders that may hold manifests: `dir` itself when it holds one,
/// else its subfolders.
fn experiment_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    if !read_manifests(dir)?.is_empty() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut subdirs: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| anyhow!("{}: cannot read: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    Ok(subdirs)
}

fn merge_one(name: &str, shards: Vec<Found>, output: &Path) -> Result<Merged> {
    let first = &shards[0];
    for other in &shards[1..] {
        if other.manifest.header.identity != first.manifest.header.identity {
            return Err(anyhow!(
                "{name}: {} and {} are shards of different experiments (the scenario text, its \
                 sweep, the replications, its data files or the prices differ: fingerprints {} \
                 and {})",
                first.file.display(),
                other.file.display(),
                first.manifest.header.identity,
                other.manifest.header.identity
            ));
        }
        if other.manifest.shard.count != first.manifest.shard.count {
            return Err(anyhow!(
                "{name}: {} is one of {} shards and {} one of {}\n  hint: an earlier split of \
                 the same experiment left its manifests in a shared folder; remove the \
                 shard-*-of-N.json files of the old split",
                first.file.display(),
                first.manifest.shard.count,
                other.file.display(),
                other.manifest.shard.count
            ));
        }
    }
    let count = first.manifest.shard.count;
    let mut seen: Vec<Vec<&Path>> = vec![Vec::new(); count as usize];
    for shard in &shards {
        seen[shard.manifest.shard.index as usize].push(&shard.file);
    }
    if let Some((index, files)) = seen.iter().enumerate().find(|(_, files)| files.len() > 1) {
        let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        return Err(anyhow!(
            "{name}: shard {index}/{count} is given more than once: {}",
            files.join(", ")
        ));
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, files)| files.is_empty())
        .map(|(i, _)| format!("{i}/{count}"))
        .collect();
    match missing.len() {
        0 => {}
        1 => return Err(anyhow!("{name}: shard {} is missing", missing[0])),
        _ => return Err(anyhow!("{name}: shards {} are missing", missing.join(", "))),
    }
    let header = &first.manifest.header;
    let mut made: BTreeMap<(usize, u32), &Found> = BTreeMap::new();
    for shard in &shards {
        for &(point, replication) in &shard.manifest.runs {
            // Run k of the plan belongs to shard k mod N, and to no other.
            let position = point * header.replications as usize + replication as usize;
            let owner = position % count as usize;
            if point >= header.points.len()
                || replication >= header.replications
                || owner != shard.manifest.shard.index as usize
            {
                return Err(anyhow!(
                    "{}: lists point {point} replication {replication}, which is not a run of \
                     shard {}/{count}: the manifest was changed; run the shard again",
                    shard.file.display(),
                    shard.manifest.shard.index
                ));
            }
            made.insert((point, replication), shard);
        }
    }
    check_complete(name, header.points.len(), header.replications, count, &made)?;
    let dir = output.join(name);
    // The merged folder holds this experiment alone, as an unsharded run's
    // does; unless it is one of the shards' own folders, whose runs are
    // the ones being merged.
    let into_a_shard = shards.iter().any(|s| same_path(&s.dir, &dir));
    if !into_a_shard && dir.is_dir() {
        super::output::clear(&dir)?;
    }
    if into_a_shard {
        prune(&dir, &made)?;
    }
    let mut records = Vec::with_capacity(made.len());
    for (&(point, replication), shard) in &made {
        let job = Job { point, replication };
        let record = read_record(&shard.dir, job)?;
        if (record.point, record.replication) != (point, replication) {
            return Err(anyhow!(
                "{}: holds the record of point {} replication {}, but stands for point {point} \
                 replication {replication}: the shard's files were changed; run the shard again",
                run_path(&shard.dir, job).join("run.json").display(),
                record.point,
                record.replication
            ));
        }
        records.push(record);
        copy_run(&run_path(&shard.dir, job), &run_path(&dir, job))?;
    }
    let summary = header.summarise(&records);
    write_experiment(&dir, &summary)?;
    Ok(Merged { summary, dir, runs: records.len() })
}

/// Refuses shards that do not hold every run of the plan, naming the
/// shards that lack runs.
fn check_complete(
    name: &str,
    points: usize,
    replications: u32,
    count: u32,
    made: &BTreeMap<(usize, u32), &Found>,
) -> Result<()> {
    let mut lacking: BTreeMap<usize, usize> = BTreeMap::new();
    let mut position = 0;
    for point in 0..points {
        for replication in 0..replications {
            if !made.contains_key(&(point, replication)) {
                *lacking.entry(position % count as usize).or_default() += 1;
            }
            position += 1;
        }
    }
    if lacking.is_empty() {
        return Ok(());
    }
    let total: usize = lacking.values().sum();
    let shards: Vec<String> =
        lacking.iter().map(|(shard, n)| format!("shard {shard}/{count} lacks {n}")).collect();
    Err(anyhow!(
        "{name}: {total} of the experiment's {} runs are missing ({}): a shard was interrupted or \
         some of its runs failed; run those shards again, then merge",
        points * replications as usize,
        shards.join(", ")
    ))
}

/// Removes from a shard's own folder, merged into, what is not this
/// experiment's: run folders of an earlier experiment and a single run's
/// files (the experiment's own files are written over).
fn prune(dir: &Path, made: &BTreeMap<(usize, u32), &Found>) -> Result<()> {
    crate::report::output::clear_earlier_run(
        dir.parent().unwrap_or(dir),
        &dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
    )?;
    let runs = dir.join("runs");
    let Ok(entries) = fs::read_dir(&runs) else { return Ok(()) };
    let ours: Vec<PathBuf> = made
        .keys()
        .map(|&(point, replication)| run_path(dir, Job { point, replication }))
        .collect();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && !ours.contains(&path) {
            fs::remove_dir_all(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}

/// Copies one run's folder into the merged experiment, unless it is
/// already there (merging into a shard's own folder).
fn copy_run(from: &Path, to: &Path) -> Result<()> {
    if same_path(from, to) {
        return Ok(());
    }
    fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let path = entry.with_context(|| format!("cannot read {}", from.display()))?.path();
        if path.is_file()
            && let Some(file) = path.file_name()
        {
            fs::copy(&path, to.join(file))
                .with_context(|| format!("cannot copy {} to {}", path.display(), to.display()))?;
        }
    }
    Ok(())
}
