//! Reading a key space: `{ count, zipf }`, `{ count, popularity =
//! "uniform" }`, or `{ trace = FILE }`, a file of keys in access order.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use super::error::Problem;
use super::raw::RawValue;
use super::values::{span, suggest};
use crate::engine::keys::{Popularity, Zipf};
use crate::scenario::model::{KeySpace, KeyTrace};

/// The fields a key space table may have.
const FIELDS: [&str; 4] = ["count", "zipf", "popularity", "trace"];

/// Most keys a drawn key space may have.
const MAX_KEYS: i64 = 1_000_000_000_000;

/// Most accesses a key trace may hold (8 bytes each in memory).
const MAX_TRACE: usize = 100_000_000;

/// Reads a key space; trace files are relative to `base_dir`.
pub(super) fn key_space(value: &RawValue, key: &str, base_dir: &Path) -> Result<KeySpace, Problem> {
    let at = span(value);
    let form = "a table like { count = 1000000, zipf = 0.99 }, { count = 1000, popularity = \
                \"uniform\" } or { trace = \"keys.txt.gz\" }";
    let toml::Value::Table(table) = value.get_ref() else {
        return Err(Problem::new(at, key, format!("expected {form}")));
    };
    for field in table.keys() {
        if !FIELDS.contains(&field.as_str()) {
            let problem = Problem::new(
                at.clone(),
                format!("{key}.{field}"),
                format!("unknown field `{field}`, expected one of {}", FIELDS.join(", ")),
            );
            return Err(match suggest(field, FIELDS.into_iter()) {
                Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
                None => problem,
            });
        }
    }
    if let Some(trace) = table.get("trace") {
        if let Some(other) =
            ["count", "zipf", "popularity"].iter().find(|f| table.contains_key(**f))
        {
            return Err(Problem::new(
                at,
                format!("{key}.{other}"),
                "a key trace gives its own keys: leave out count, zipf and popularity",
            ));
        }
        let toml::Value::String(file) = trace else {
            return Err(Problem::new(at, format!("{key}.trace"), "expected a file name"));
        };
        return read_trace(&base_dir.join(file), file, key, at);
    }
    let count = match table.get("count") {
        Some(toml::Value::Integer(n)) if (1..=MAX_KEYS).contains(n) => *n as u64,
        Some(other) => {
            return Err(Problem::new(
                at,
                format!("{key}.count"),
                format!("{other} is not a number of keys from 1 to {MAX_KEYS}"),
            ));
        }
        None => return Err(Problem::new(at, format!("{key}.count"), "missing: how many keys?")),
    };
    match (table.get("zipf"), table.get("popularity")) {
        (Some(_), Some(_)) => Err(Problem::new(
            at,
            format!("{key}.popularity"),
            "give either zipf (an exponent) or popularity = \"uniform\", not both",
        )),
        (Some(exponent), None) => {
            let s = match exponent {
                toml::Value::Float(f) => *f,
                toml::Value::Integer(i) => *i as f64,
                _ => f64::NAN,
            };
            if !(s > 0.0 && s <= 10.0) {
                return Err(Problem::new(
                    at,
                    format!("{key}.zipf"),
                    format!("{exponent} is not a Zipf exponent above 0 and at most 10"),
                )
                .with_hint("web and cache workloads measure between 0.6 and 1.2"));
            }
            Ok(KeySpace::Drawn(Popularity::Zipf(Zipf::new(count, s))))
        }
        (None, Some(toml::Value::String(word))) if word == "uniform" => {
            Ok(KeySpace::Drawn(Popularity::Uniform { count }))
        }
        (None, Some(other)) => Err(Problem::new(
            at,
            format!("{key}.popularity"),
            format!("{other} is not a popularity: expected \"uniform\" (or give zipf = s)"),
        )),
        (None, None) => Err(Problem::new(
            at,
            format!("{key}.zipf"),
            "missing: give zipf = s (an exponent) or popularity = \"uniform\"",
        )),
    }
}

/// Reads a key trace: one key per line (a whole number), gzip accepted.
fn read_trace(
    path: &Path,
    shown: &str,
    key: &str,
    at: std::ops::Range<usize>,
) -> Result<KeySpace, Problem> {
    let trace_key = format!("{key}.trace");
    let cannot = |e: std::io::Error| {
        Problem::new(at.clone(), trace_key.clone(), format!("cannot read {shown}: {e}"))
    };
    let mut reader = BufReader::new(File::open(path).map_err(cannot)?);
    let is_gzip = reader.fill_buf().map_err(cannot)?.starts_with(&[0x1f, 0x8b]);
    let input: Box<dyn Read> = if is_gzip {
        Box::new(flate2::bufread::MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    };
    let mut keys = Vec::new();
    let mut distinct = HashSet::new();
    for (index, line) in BufReader::new(input).lines().enumerate() {
        let line = line.map_err(cannot)?;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let k: u64 = text.parse().map_err(|_| {
            Problem::new(
                at.clone(),
                trace_key.clone(),
                format!("{shown}:{}: `{text}` is not a key (a whole number 0 or above)", index + 1),
            )
        })?;
        if keys.len() == MAX_TRACE {
            return Err(Problem::new(
                at.clone(),
                trace_key.clone(),
                format!("{shown} holds more than {MAX_TRACE} accesses: cut it shorter"),
            ));
        }
        keys.push(k);
        distinct.insert(k);
    }
    if keys.is_empty() {
        return Err(Problem::new(at, trace_key, format!("{shown} holds no keys")));
    }
    Ok(KeySpace::Trace(Arc::new(KeyTrace {
        file: shown.to_string(),
        distinct: distinct.len() as u64,
        keys,
    })))
}
