//! The `cloudtwin` binary as a user meets it: bad input gets one clear
//! error with file, line and key, exit code 2 and no panic; runs are
//! repeatable; names cannot escape the output folder.

use std::fs;
use std::path::Path;

mod common;
use common::{cloudtwin, temp_dir};

const GOOD: &str = r#"[scenario]
name = "small"
start = "2026-01-01T00:00:00Z"
warmup = "10s"
duration = "2m"
seed = 3

[traffic]
entry = "lb"
rate = "50/s"

[components.lb]
type = "alb"
targets = "web"

[components.web]
type = "ec2"
instance_type = "t3.medium"
count = 2
workers = 8
cpu = { dist = "exponential", mean = "5ms" }
database = "db"

[components.db]
type = "rds"
instance_class = "db.t4g.medium"
query = "1ms"
"#;

/// Writes `text` as `name` in `dir` and runs it; returns (exit code, stderr).
fn run_scenario(dir: &Path, name: &str, text: &str) -> (i32, String) {
    fs::write(dir.join(name), text).unwrap();
    let out = cloudtwin(&["run", name, "--output", "out"], dir);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

fn assert_error(text: &str, line: usize, key: &str, words: &str) {
    let dir = temp_dir("cli", &key.replace('.', "-"));
    let (code, stderr) = run_scenario(&dir, "bad.toml", text);
    assert_eq!(code, 2, "exit code; stderr: {stderr}");
    assert!(stderr.contains(&format!("bad.toml:{line}:")), "no line {line} in: {stderr}");
    assert!(stderr.contains(key), "no key {key} in: {stderr}");
    assert!(stderr.contains(words), "no `{words}` in: {stderr}");
    assert_eq!(stderr.matches("error:").count(), 1, "one error expected: {stderr}");
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let text = GOOD.replace("workers = 8", "wrokers = 8");
    assert_error(&text, 20, "components.web", "unknown field `wrokers`");
}

#[test]
fn unknown_instance_type_suggests_the_nearest() {
    let text = GOOD.replace("t3.medium", "t3.mediun");
    assert_error(&text, 18, "components.web.instance_type", "did you mean `t3.medium`?");
}

#[test]
fn negative_rate_is_refused() {
    let text = GOOD.replace("\"50/s\"", "\"-50/s\"");
    assert_error(&text, 10, "traffic.rate", "negative");
}

#[test]
fn missing_trace_file_is_refused() {
    let text = GOOD.replace("rate = \"50/s\"", "trace = { file = \"nowhere.csv\" }");
    assert_error(&text, 10, "traffic.trace.file", "no trace file");
}

#[test]
fn a_name_with_dots_and_slashes_never_writes_outside_the_output_folder() {
    let dir = temp_dir("cli", "escape");
    let escape = format!("cloudtwin-escape-{}", std::process::id());
    let text = GOOD.replace("name = \"small\"", &format!("name = \"../../{escape}\""));
    let (code, stderr) = run_scenario(&dir, "bad.toml", &text);
    assert_eq!(code, 2);
    assert!(stderr.contains("scenario.name"), "{stderr}");
    // `out/../../NAME` would be `dir/../NAME`.
    assert!(!dir.parent().unwrap().join(&escape).exists());
    assert!(!dir.join(&escape).exists());
    assert!(!dir.join("out").exists() || fs::read_dir(dir.join("out")).unwrap().next().is_none());
}

#[test]
fn one_broken_scenario_does_not_lose_the_others() {
    let dir = temp_dir("cli", "batch");
    fs::write(dir.join("good.toml"), GOOD).unwrap();
    fs::write(dir.join("bad.toml"), GOOD.replace("t3.medium", "t9.huge").replace("small", "other"))
        .unwrap();
    let out = cloudtwin(&["run", "good.toml", "bad.toml", "--output", "out"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(dir.join("out/small/summary.json").is_file());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml"));
}

#[test]
fn the_same_seed_gives_the_same_summary_and_another_seed_other_numbers() {
    let dir = temp_dir("cli", "seed");
    let run = |name: &str, seed: u64| {
        let text = GOOD
            .replace("name = \"small\"", &format!("name = \"{name}\""))
            .replace("seed = 3", &format!("seed = {seed}"));
        let file = format!("{name}.toml");
        fs::write(dir.join(&file), text).unwrap();
        let out = cloudtwin(&["run", &file, "--output", "out"], &dir);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let summary = fs::read_to_string(dir.join("out").join(name).join("summary.json")).unwrap();
        // The name and file differ by construction; compare the rest.
        let mut json: serde_json::Value = serde_json::from_str(&summary).unwrap();
        let info = json["scenario"].as_object_mut().unwrap();
        info.remove("name");
        info.remove("file");
        info.remove("seed");
        json.to_string()
    };
    let first = run("first", 3);
    assert_eq!(first, run("second", 3));
    assert_ne!(first, run("third", 4));
}

#[test]
fn a_run_writes_summary_series_and_plots() {
    let dir = temp_dir("cli", "files");
    let (code, stderr) = run_scenario(&dir, "good.toml", GOOD);
    assert_eq!(code, 0, "{stderr}");
    let out = dir.join("out/small");
    for file in
        ["summary.json", "timeseries.csv", "latency.svg", "latency.png", "cost.svg", "cost.png"]
    {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let csv = fs::read_to_string(out.join("timeseries.csv")).unwrap();
    // Two minutes measured: a header and two rows.
    assert_eq!(csv.lines().count(), 3, "{csv}");
}

/// A load far beyond the design stops the run instead of taking all the
/// machine's memory (100,000 requests/s at a 1-server station that serves
/// one a second), and says the design failed: exit 1, like a failed SLO,
/// with nothing written that could pass for results.
#[test]
fn a_hopeless_overload_stops_and_fails_the_design() {
    let dir = temp_dir("cli", "overload");
    let text = r#"[scenario]
name = "overload"
start = "2026-01-01T00:00:00Z"
warmup = "0s"
duration = "10m"
[traffic]
entry = "s"
rate = "100000/s"
[components.s]
type = "station"
servers = 1
service = "1s"
"#;
    fs::write(dir.join("overload.toml"), text).unwrap();
    let out = cloudtwin(&["run", "overload.toml", "-o", "out"], &dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("overload.toml: FAIL: the design gave way"), "{stdout}");
    assert!(stdout.contains("grow without bound"), "{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!dir.join("out/overload/summary.json").exists());
}

/// A run removes what an earlier run of the same name wrote and it does
/// not: after a run with a fault, the same scenario without one leaves no
/// `events.csv` behind.
#[test]
fn a_rerun_leaves_no_file_of_the_earlier_run() {
    let dir = temp_dir("cli", "rerun");
    let faulty = format!("{GOOD}\n[[faults]]\nat = \"1m\"\nkind = \"crash\"\ntarget = \"web\"\n");
    let (code, stderr) = run_scenario(&dir, "faulty.toml", &faulty);
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.join("out/small/events.csv").is_file());
    let (code, stderr) = run_scenario(&dir, "good.toml", GOOD);
    assert_eq!(code, 0, "{stderr}");
    assert!(!dir.join("out/small/events.csv").exists());
    assert!(dir.join("out/small/summary.json").is_file());
}
