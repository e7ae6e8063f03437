//! Shards: splitting an experiment's runs over machines that an existing
//! batch engine starts, each told its index.
//!
//! Shard I of N takes the runs whose position in the plan's run list
//! (points in order, replications within each) is I modulo N: a fixed
//! share, the same on every machine, balanced whatever the sizes of the
//! sweep. The index comes from `--shard I/N`, or from the variable the
//! batch engine sets: `AWS_BATCH_JOB_ARRAY_INDEX` (AWS Batch array jobs),
//! `JOB_COMPLETION_INDEX` (Kubernetes Indexed Jobs) or
//! `SLURM_ARRAY_TASK_ID` (Slurm job arrays, less `SLURM_ARRAY_TASK_MIN`);
//! the count from `--shards N`, or `SLURM_ARRAY_TASK_COUNT`.

use serde::{Deserialize, Serialize};

/// This process's share of the runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// From 0.
    pub index: u32,
    /// How many shards there are.
    pub count: u32,
}

impl Shard {
    /// True when run number `position` of the plan is this shard's.
    pub fn takes(&self, position: usize) -> bool {
        position % self.count as usize == self.index as usize
    }
}

/// Reads `I/N`.
pub fn parse(text: &str) -> Result<Shard, String> {
    let form =
        "expected I/N, the shard's index I from 0 to N − 1 and the number of shards N, like 0/4";
    let (i, n) = text.split_once('/').ok_or_else(|| format!("--shard {text}: {form}"))?;
    let index: u32 = i.trim().parse().map_err(|_| format!("--shard {text}: {form}"))?;
    let count: u32 = n.trim().parse().map_err(|_| format!("--shard {text}: {form}"))?;
    check(index, count).map_err(|why| format!("--shard {text}: {why}"))
}

fn check(index: u32, count: u32) -> Result<Shard, String> {
    if count == 0 {
        return Err("there must be at least one shard".into());
    }
    if index >= count {
        return Err(format!(
            "shard {index} does not exist among {count}: shards count from 0 to {}",
            count - 1
        ));
    }
    Ok(Shard { index, count })
}

/// The variables batch engines set, with the engine's name.
const INDEX_VARIABLES: [(&str, &str); 3] = [
    ("AWS_BATCH_JOB_ARRAY_INDEX", "AWS Batch"),
    ("JOB_COMPLETION_INDEX", "a Kubernetes Indexed Job"),
    ("SLURM_ARRAY_TASK_ID", "Slurm"),
];

/// The shard to run: `--shard`, else the batch engine's variables (read
/// through `var`) with `--shards` or Slurm's count; `None` without either.
pub fn resolve(
    flag: Option<&str>,
    shards: Option<u32>,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Option<Shard>, String> {
    if let Some(text) = flag {
        if shards.is_some() {
            return Err("give --shard I/N or --shards N, not both".into());
        }
        return parse(text).map(Some);
    }
    let set: Vec<(&&str, &&str, String)> = INDEX_VARIABLES
        .iter()
        .filter_map(|(name, engine)| var(name).map(|v| (name, engine, v)))
        .collect();
    if let [(a, _, va), (b, _, vb), ..] = &set[..]
        && va.trim() != vb.trim()
    {
        return Err(format!(
            "{a} = {va} and {b} = {vb} are both set and disagree: give --shard I/N to say which \
             shard this is"
        ));
    }
    let found = set.into_iter().next();
    let Some((name, engine, value)) = found else {
        return match shards {
            Some(n) => Err(format!(
                "--shards {n} needs the shard's index: give --shard I/{n}, or run under a batch \
                 engine that sets AWS_BATCH_JOB_ARRAY_INDEX, JOB_COMPLETION_INDEX or \
                 SLURM_ARRAY_TASK_ID"
            )),
            None => Ok(None),
        };
    };
    let mut index: i64 = value
        .trim()
        .parse()
        .map_err(|_| format!("{name} = `{value}` (set by {engine}) is not a whole number"))?;
    if *name == "SLURM_ARRAY_TASK_ID"
        && let Some(min) = var("SLURM_ARRAY_TASK_MIN").and_then(|m| m.trim().parse::<i64>().ok())
    {
        if index < min {
            return Err(format!(
                "{name} = {index} is below SLURM_ARRAY_TASK_MIN = {min}: the variables do not \
                 come from one Slurm array"
            ));
        }
        // Slurm arrays may start anywhere (--array=1-8): count from the first.
        index -= min;
    }
    let count = match shards {
        Some(n) => n,
        None if *name == "SLURM_ARRAY_TASK_ID" => {
            match var("SLURM_ARRAY_TASK_COUNT").and_then(|c| c.trim().parse().ok()) {
                Some(n) => n,
                None => {
                    return Err(format!(
                        "{name} is set by {engine}, but not how many shards there are: give \
                         --shards N"
                    ));
                }
            }
        }
        None => {
            return Err(format!(
                "{name} is set by {engine}, but not how many shards there are: give --shards N \
                 (the array's size)"
            ));
        }
    };
    let index = u32::try_from(index).map_err(|_| format!("{name} = {value}: a negative index"))?;
    check(index, count).map(Some).map_err(|why| format!("{name} = {value}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn the_flag_is_checked() {
        assert_eq!(parse("1/3").unwrap(), Shard { index: 1, count: 3 });
        for bad in ["3/3", "4/3", "-1/3", "1", "a/b", "0/0"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("3/3").unwrap_err().contains("count from 0 to 2"));
    }

    #[test]
    fn batch_engines_give_the_index() {
        let none = env(&[]);
        assert_eq!(resolve(None, None, &none).unwrap(), None);
        let aws = env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "2")]);
        assert_eq!(resolve(None, Some(4), &aws).unwrap(), Some(Shard { index: 2, count: 4 }));
        assert!(resolve(None, None, &aws).unwrap_err().contains("--shards N"));
        let k8s = env(&[("JOB_COMPLETION_INDEX", "5")]);
        assert!(resolve(None, Some(4), &k8s).is_err(), "5 of 4");
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(resolve(None, None, &slurm).unwrap(), Some(Shard { index: 2, count: 4 }));
        let below = env(&[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_MIN", "1")]);
        assert!(resolve(None, Some(3), &below).unwrap_err().contains("below SLURM_ARRAY_TASK_MIN"));
        assert!(resolve(None, Some(2), &none).unwrap_err().contains("needs the shard's index"));
        let both = env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "1"), ("JOB_COMPLETION_INDEX", "2")]);
        assert!(resolve(None, Some(4), &both).unwrap_err().contains("disagree"));
        assert_eq!(
            resolve(Some("0/2"), None, &aws).unwrap(),
            Some(Shard { index: 0, count: 2 }),
            "the flag wins over the variables"
        );
    }

    #[test]
    fn shards_split_the_runs_without_overlap() {
        let shards: Vec<Shard> = (0..3).map(|i| Shard { index: i, count: 3 }).collect();
        for position in 0..100 {
            assert_eq!(shards.iter().filter(|s| s.takes(position)).count(), 1);
        }
    }
}
