//! The plan of an experiment: which scenario variants (sweep points) run,
//! how many times each (replications), and which of those runs this
//! process makes (its shard).

use std::path::{Path, PathBuf};

use crate::scenario::ScenarioError;
use crate::scenario::error::Source;
use crate::scenario::overrides::Override;
use crate::scenario::sweep::{Axis, MAX_POINTS, MAX_RUNS, axes_in};

/// One variant of the scenario.
#[derive(Debug, Clone)]
pub struct Point {
    /// Its place in the sweep, from 0.
    pub index: usize,
    /// The values it sets.
    pub overrides: Vec<Override>,
}

impl Point {
    /// `key=value` for each value it sets, by the key's last step: a label
    /// for tables and plots.
    pub fn label(&self) -> String {
        if self.overrides.is_empty() {
            return "as written".into();
        }
        self.overrides
            .iter()
            .map(|o| format!("{}={}", o.path.rsplit('.').next().unwrap_or(&o.path), o.value_text()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The values it sets, by full key path.
    pub fn settings(&self) -> Vec<(String, String)> {
        self.overrides.iter().map(|o| (o.path.clone(), o.value_text())).collect()
    }
}

/// One run: a point and a replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// The point.
    pub point: usize,
    /// The replication (its random streams).
    pub replication: u32,
}

/// An experiment on one scenario file.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The scenario file.
    pub file: PathBuf,
    /// Its text.
    pub text: String,
    /// The varied keys (two values or more): the file's `[sweep]`, then
    /// `--set` (which replaces a file axis of the same key).
    pub axes: Vec<Axis>,
    /// Keys given one value: set in every run, not varied.
    pub fixed: Vec<Override>,
    /// Runs of each point.
    pub replications: u32,
}

impl Plan {
    /// The plan for `file`: its sweep with the command line's axes, and
    /// `replications` runs of each point.
    pub fn new(
        file: &Path,
        text: String,
        command_line: &[Axis],
        replications: u32,
    ) -> Result<Plan, ScenarioError> {
        let source = Source { path: file.to_path_buf(), text };
        let mut axes = axes_in(&source.text).map_err(|p| source.error(p))?;
        for axis in command_line {
            match axes.iter_mut().find(|a| a.path == axis.path) {
                Some(existing) => *existing = axis.clone(),
                None => axes.push(axis.clone()),
            }
        }
        let points = axes.iter().try_fold(1usize, |n, a| n.checked_mul(a.values.len()));
        if points.is_none_or(|n| n > MAX_POINTS) {
            return Err(crate::scenario::error::file_error(
                file,
                format!("the sweep has more than {MAX_POINTS} points: vary fewer keys or values"),
            ));
        }
        let runs = points.unwrap_or(usize::MAX).saturating_mul(replications as usize);
        if runs > MAX_RUNS {
            return Err(crate::scenario::error::file_error(
                file,
                format!(
                    "{} points × {replications} replications make {runs} runs, more than the \
                     {MAX_RUNS} one experiment may have: give fewer replications, or split the \
                     sweep into several files",
                    points.unwrap_or_default()
                ),
            ));
        }
        let (single, axes): (Vec<Axis>, Vec<Axis>) =
            axes.into_iter().partition(|a| a.values.len() == 1);
        if let Some(slo) = axes.iter().find(|a| a.path == "slo" || a.path.starts_with("slo[")) {
            return Err(crate::scenario::error::file_error(
                file,
                format!(
                    "{}: the SLOs are the yardstick every point is judged by, so a sweep cannot \
                     vary them (set one value with --set {}=VALUE, or run one file per bound)",
                    slo.path, slo.path
                ),
            ));
        }
        let fixed = single.into_iter().map(|a| a.at(0)).collect();
        Ok(Plan { file: file.to_path_buf(), text: source.text, axes, fixed, replications })
    }

    /// True when this is more than one plain run: a sweep, or replications.
    pub fn is_experiment(&self) -> bool {
        !self.axes.is_empty() || self.replications > 1
    }

    /// Every point: each combination of the axes' values, the first axis
    /// varying slowest. The fixed values are not part of a point; see
    /// [`Plan::overrides_of`].
    pub fn points(&self) -> Vec<Point> {
        let count: usize = self.axes.iter().map(|a| a.values.len()).product();
        (0..count)
            .map(|index| {
                let mut rest = index;
                let mut overrides = vec![None; self.axes.len()];
                for (slot, axis) in self.axes.iter().enumerate().rev() {
                    let n = axis.values.len();
                    overrides[slot] = Some(axis.at(rest % n));
                    rest /= n;
                }
                Point { index, overrides: overrides.into_iter().flatten().collect() }
            })
            .collect()
    }

    /// Everything a point's runs put over the file: the fixed values, then
    /// the point's own.
    pub fn overrides_of(&self, point: &Point) -> Vec<Override> {
        self.fixed.iter().chain(&point.overrides).cloned().collect()
    }

    /// Every run, point by point, replications in order.
    pub fn jobs(&self) -> Vec<Job> {
        let points = self.axes.iter().map(|a| a.values.len()).product::<usize>();
        (0..points)
            .flat_map(|point| {
                (0..self.replications).map(move |replication| Job { point, replication })
            })
            .collect()
    }

    /// A fingerprint of what the experiment is: the scenario's text, the
    /// axes and the replications, and `inputs` (what the file's data and
    /// the catalogue made of it; see [`Fingerprint::of_debug`]). Shards of
    /// one experiment share it, so `merge` can refuse to mix two.
    pub fn identity(&self, inputs: u64) -> String {
        let mut hash = Fingerprint::new();
        hash.feed(self.text.as_bytes());
        for value in &self.fixed {
            hash.feed(value.path.as_bytes());
            hash.feed(value.literal.as_bytes());
        }
        for axis in &self.axes {
            hash.feed(axis.path.as_bytes());
            for value in &axis.values {
                hash.feed(value.literal.as_bytes());
            }
        }
        hash.feed(&self.replications.to_le_bytes());
        hash.feed(&inputs.to_le_bytes());
        format!("{:016x}", hash.value())
    }
}

/// FNV-1a, a fixed published hash: the same bytes give the same value on
/// every machine and build.
#[derive(Debug, Clone, Copy)]
pub struct Fingerprint(u64);

impl Fingerprint {
    /// The hash of nothing.
    pub fn new() -> Fingerprint {
        Fingerprint(0xCBF2_9CE4_8422_2325)
    }

    /// Adds `bytes`, then a separator, so that ("ab", "c") and ("a", "bc")
    /// differ.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.absorb(bytes);
        self.absorb(&[0xFF]);
    }

    fn absorb(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3);
        }
    }

    /// The hash so far.
    pub fn value(self) -> u64 {
        self.0
    }

    /// The hash of a value's `Debug` form, streamed (no string is built).
    /// For a checked scenario this covers what its data files held and the
    /// catalogue's prices, which the scenario's text alone does not.
    pub fn of_debug(value: &impl std::fmt::Debug) -> u64 {
        use std::fmt::Write as _;
        let mut hash = Fingerprint::new();
        let _ = write!(hash, "{value:?}");
        hash.value()
    }
}

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint::new()
    }
}

impl std::fmt::Write for Fingerprint {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.absorb(text.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::sweep::axis_from_command_line;

    fn plan(text: &str, sets: &[&str], replications: u32) -> Plan {
        let axes: Vec<Axis> = sets.iter().map(|s| axis_from_command_line(s).unwrap()).collect();
        Plan::new(Path::new("s.toml"), text.to_string(), &axes, replications).unwrap()
    }

    #[test]
    fn points_are_every_combination_first_axis_slowest() {
        let p = plan("[sweep]\na.b = [1, 2]\n", &["c.d=x,y,z"], 2);
        let labels: Vec<String> = p.points().iter().map(Point::label).collect();
        assert_eq!(labels, ["b=1 d=x", "b=1 d=y", "b=1 d=z", "b=2 d=x", "b=2 d=y", "b=2 d=z"]);
        assert_eq!(p.jobs().len(), 12);
        assert_eq!(p.jobs()[3], Job { point: 1, replication: 1 });
    }

    #[test]
    fn the_command_line_replaces_a_file_axis_and_changes_the_identity() {
        let file = plan("[sweep]\na.b = [1, 2]\n", &[], 1);
        let set = plan("[sweep]\na.b = [1, 2]\n", &["a.b=3"], 1);
        assert_eq!(set.points().len(), 1);
        assert!(!set.is_experiment(), "one value is a setting, not a sweep");
        assert_eq!(set.overrides_of(&set.points()[0])[0].literal, "3");
        assert_ne!(file.identity(0), set.identity(0));
        assert_ne!(file.identity(0), file.identity(1), "the inputs count");
        assert_eq!(file.identity(0), plan("[sweep]\na.b = [1, 2]\n", &[], 1).identity(0));
        assert!(!plan("x = 1\n", &[], 1).is_experiment());
    }

    #[test]
    fn experiments_are_bounded_and_slos_are_not_swept() {
        let axes = |sets: &[&str]| -> Vec<Axis> {
            sets.iter().map(|s| axis_from_command_line(s).unwrap()).collect()
        };
        let new = |sets: &[&str], replications| {
            Plan::new(Path::new("s.toml"), String::new(), &axes(sets), replications)
        };
        let hundred = (1..=100).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        let (a, b) = (format!("a.b={hundred}"), format!("c.d={hundred}"));
        assert!(new(&[&a, &b], 10).is_ok(), "10,000 points × 10 = 100,000 runs");
        let many = new(&[&a, &b], 11).unwrap_err().to_string();
        assert!(many.contains("110000 runs"), "{many}");
        let e = format!("e.f={}", (1..=2).map(|i| i.to_string()).collect::<Vec<_>>().join(","));
        assert!(new(&[&a, &b, &e], 1).unwrap_err().to_string().contains("more than 10000 points"));
        let slo = new(&["slo[0].under=50ms,60ms"], 1).unwrap_err().to_string();
        assert!(slo.contains("yardstick"), "{slo}");
        assert!(new(&["slo[0].under=50ms"], 1).is_ok(), "one bound is a setting");
    }
}
