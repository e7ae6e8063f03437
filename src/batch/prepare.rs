//! Reading the scenario files of a batch: each file's plan and the
//! scenario of each of its sweep points, checked before anything runs; the
//! designs of `compare`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Result, anyhow};

use super::BatchOptions;
use crate::catalogue::Catalogue;
use crate::experiment::output::same_path;
use crate::experiment::plan::{Fingerprint, Plan, Point};
use crate::experiment::{self, Header};
use crate::report::output::scenario_dir;
use crate::scenario::sweep::Axis;
use crate::scenario::{self, Scenario};

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

/// What a checked scenario is: what its data files held and the prices
/// it was given, whatever path its file was given by (`tt.toml` and
/// `./tt.toml` on two machines are one experiment) and whatever text set
/// its values (`1m` and `60s` are one design).
fn fingerprint(scenario: &Scenario) -> u64 {
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
    designs.insert(fingerprint(&first), 0);
    for point in &points[1..] {
        let scenario = build_point(&plan, point, catalogue)?;
        if scenario.name != first.name {
            return Err(anyhow!(
                "{}: scenario.name: a sweep may not vary the scenario's name (it names the output folder)",
                file.display()
            ));
        }
        if let Some(&earlier) = designs.get(&fingerprint(&scenario)) {
            return Err(anyhow!(
                "{}: sweep points {earlier} ({}) and {} ({}) are the same design: give each value \
                 once",
                file.display(),
                points[earlier].label(),
                point.index,
                point.label()
            ));
        }
        designs.insert(fingerprint(&scenario), point.index);
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
    for (i, file) in files.iter().enumerate() {
        if files[..i].iter().any(|earlier| same_path(earlier, file)) {
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

impl Prepared {
    /// Clears what an earlier run or experiment left in this experiment's
    /// folder (only cloudtwin's own files), once, just before the first
    /// file of this one is written: the folder never mixes two, and Ctrl-C
    /// before any run finished leaves the earlier results as they were. A
    /// shard clears nothing (the other shards' runs may share the folder).
    pub(super) fn clear_before_first_write(&self, options: &BatchOptions) -> Result<()> {
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
