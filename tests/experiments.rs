//! Experiments: the same sweep gives the same bytes on any thread count and
//! split over shards; intervals cover the true value as often as they
//! claim; sweep points share their random numbers; bad experiment input is
//! refused with a clear message.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use rayon::prelude::*;

use cloudtwin::batch;
use cloudtwin::billing::bill::bill;
use cloudtwin::catalogue::Catalogue;
use cloudtwin::experiment::Header;
use cloudtwin::experiment::record::RunRecord;
use cloudtwin::report::summary::Summary;
use cloudtwin::scenario;
use cloudtwin::sim;

mod common;
use common::{cloudtwin, temp_dir};

fn stderr(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!text.contains("panicked"), "panic: {text}");
    text
}

/// A small web stack swept over instance type and fleet size, with an SLO
/// on p99 and one on the monthly bill.
const SWEEP: &str = r#"[scenario]
name = "sweep"
start = "2026-01-01T00:00:00Z"
warmup = "10s"
duration = "1m"
seed = 11

[traffic]
entry = "lb"
rate = "300/s"

[components.lb]
type = "alb"
targets = "web"

[components.web]
type = "ec2"
instance_type = "c7g.large"
count = 2
workers = 16
cpu = { dist = "exponential", mean = "5ms" }
database = "db"

[components.db]
type = "rds"
instance_class = "db.r6g.large"
query = { dist = "exponential", mean = "1ms" }

[sweep]
"components.web.instance_type" = ["c7g.large", "c7g.xlarge"]
"components.web.count" = [2, 3]

[[slo]]
metric = "p99"
under = "40ms"

[[slo]]
metric = "cost_per_month"
under = 2000
"#;

fn write_sweep(dir: &Path) {
    fs::write(dir.join("sweep.toml"), SWEEP).unwrap();
}

fn experiment_json(dir: &Path, output: &str) -> String {
    fs::read_to_string(dir.join(output).join("sweep/experiment.json"))
        .unwrap_or_else(|e| panic!("{output}/sweep/experiment.json: {e}"))
}

#[test]
fn one_thread_and_four_give_byte_identical_summaries() {
    let dir = temp_dir("exp", "threads");
    write_sweep(&dir);
    for (jobs, output) in [("1", "one"), ("4", "four")] {
        let out = cloudtwin(&["run", "sweep.toml", "-r", "3", "-j", jobs, "-o", output], &dir);
        assert!(out.status.code() == Some(0) || out.status.code() == Some(1), "{}", stderr(&out));
    }
    let one = experiment_json(&dir, "one");
    assert_eq!(one, experiment_json(&dir, "four"));
    assert_eq!(
        fs::read(dir.join("one/sweep/points.csv")).unwrap(),
        fs::read(dir.join("four/sweep/points.csv")).unwrap()
    );
    // Four points, three replications each, with intervals.
    let summary: serde_json::Value = serde_json::from_str(&one).unwrap();
    let points = summary["points"].as_array().unwrap();
    assert_eq!(points.len(), 4);
    assert!(points.iter().all(|p| p["runs"] == 3 && p["p99_ms"]["half_width"].is_number()));
}

#[test]
fn three_shards_merged_equal_the_unsharded_run() {
    let dir = temp_dir("exp", "shards");
    write_sweep(&dir);
    // Four points × three replications: each shard holds runs of every
    // point, so the merge must put them back in plan order.
    let whole = cloudtwin(&["run", "sweep.toml", "-r", "3", "-o", "whole"], &dir);
    assert!(whole.status.code() != Some(2), "{}", stderr(&whole));
    for i in 0..3 {
        let shard = format!("{i}/3");
        let output = format!("shard{i}");
        let out =
            cloudtwin(&["run", "sweep.toml", "-r", "3", "--shard", &shard, "-o", &output], &dir);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(!dir.join(&output).join("sweep/experiment.json").exists());
    }
    // A missing shard is refused, naming it.
    let partial = cloudtwin(&["merge", "shard0", "shard2", "-o", "merged"], &dir);
    assert_eq!(partial.status.code(), Some(2));
    assert!(stderr(&partial).contains("shard 1/3 is missing"), "{}", stderr(&partial));
    let merged = cloudtwin(&["merge", "shard0", "shard1", "shard2", "-o", "merged"], &dir);
    assert_ne!(merged.status.code(), Some(2), "{}", stderr(&merged));
    assert_eq!(experiment_json(&dir, "merged"), experiment_json(&dir, "whole"));
    for run in ["p000-r00", "p003-r02"] {
        assert_eq!(
            fs::read(dir.join("merged/sweep/runs").join(run).join("summary.json")).unwrap(),
            fs::read(dir.join("whole/sweep/runs").join(run).join("summary.json")).unwrap(),
            "the merged folder has every run's files, as the whole run's has"
        );
    }
    // An interrupted shard lists fewer runs in its manifest: refused, not
    // merged into a report that looks complete.
    let manifest = dir.join("shard1/sweep/shard-1-of-3.json");
    let mut cut: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&manifest).unwrap()).unwrap();
    cut["runs"].as_array_mut().unwrap().pop();
    fs::write(&manifest, cut.to_string()).unwrap();
    let short = cloudtwin(&["merge", "shard0", "shard1", "shard2", "-o", "short"], &dir);
    assert_eq!(short.status.code(), Some(2));
    let why = stderr(&short);
    assert!(
        why.contains("1 of the experiment's 12 runs are missing") && why.contains("1/3"),
        "{why}"
    );
    assert!(!dir.join("short/sweep/experiment.json").exists());
    // A run's record moved to another run's folder is refused too.
    cut["runs"].as_array_mut().unwrap().push(serde_json::json!([3, 1]));
    fs::write(&manifest, cut.to_string()).unwrap();
    let record = dir.join("shard0/sweep/runs/p000-r00/run.json");
    let text = fs::read_to_string(&record).unwrap().replacen("\"point\":0", "\"point\":1", 1);
    fs::write(&record, text).unwrap();
    let moved = cloudtwin(&["merge", "shard0", "shard1", "shard2", "-o", "moved"], &dir);
    assert_eq!(moved.status.code(), Some(2));
    assert!(stderr(&moved).contains("the shard's files were changed"), "{}", stderr(&moved));
}

#[test]
fn shards_that_read_other_prices_do_not_merge() {
    let dir = temp_dir("exp", "prices");
    write_sweep(&dir);
    let prices = dir.join("prices");
    fs::create_dir_all(&prices).unwrap();
    let ec2 = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/models/ec2.toml")).unwrap();
    let dearer = ec2.replace("usd_per_hour = \"0.0725\"", "usd_per_hour = \"0.5\"");
    assert_ne!(ec2, dearer, "the c7g.large price is in the catalogue");
    fs::write(prices.join("ec2.toml"), dearer).unwrap();
    let a = cloudtwin(&["run", "sweep.toml", "--shard", "0/2", "-o", "a"], &dir);
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    let b = cloudtwin(
        &["run", "sweep.toml", "--shard", "1/2", "--catalogue", "prices", "-o", "a"],
        &dir,
    );
    assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
    let merged = cloudtwin(&["merge", "a", "-o", "merged"], &dir);
    assert_eq!(merged.status.code(), Some(2));
    assert!(stderr(&merged).contains("prices differ"), "{}", stderr(&merged));
}

/// One station, one server, 10 ms a request, and 1,000 requests a second:
/// ten times what it can serve, so requests pile up until the run stops;
/// with 20 servers it is half busy.
const GIVES_WAY: &str = r#"[scenario]
name = "gives-way"
start = "2026-01-01T00:00:00Z"
warmup = "0s"
duration = "1h"
seed = 3

[traffic]
entry = "server"
rate = "1000/s"

[components.server]
type = "station"
servers = 1
service = { dist = "exponential", mean = "10ms" }

[sweep]
"components.server.servers" = [1, 20]

[[slo]]
metric = "p99"
under = "100ms"
"#;

#[test]
fn a_design_that_gives_way_fails_its_slos_and_its_shards_still_merge() {
    let dir = temp_dir("exp", "givesway");
    fs::write(dir.join("gives-way.toml"), GIVES_WAY).unwrap();
    let whole = cloudtwin(&["run", "gives-way.toml", "-o", "whole"], &dir);
    let table = String::from_utf8_lossy(&whole.stdout).to_string();
    assert_eq!(whole.status.code(), Some(0), "one design passes: {table}{}", stderr(&whole));
    assert!(table.contains("✗ point 0 gave way under its load"), "{table}");
    let text = fs::read_to_string(dir.join("whole/gives-way/experiment.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let point = &json["points"][0];
    assert_eq!(point["collapsed_runs"], 1);
    assert_eq!(point["passes_all"], false);
    assert_eq!(point["slos"][0]["pass"], false);
    assert_eq!(json["pareto"], serde_json::json!([1]));
    assert_eq!(json["cheapest_passing"], 1);
    assert_eq!(json["runs_missing"], 0);
    assert!(point["p99_ms"]["mean"].is_null(), "a design that gave way shows no figures");
    assert!(json["points"][1]["versus_first"].is_null(), "nothing to pair with point 0");
    // Without SLOs, a sweep in which every design gives way has failed.
    let hopeless = GIVES_WAY.replace("[1, 20]", "[1, 2]");
    let hopeless = &hopeless[..hopeless.find("[[slo]]").unwrap()];
    fs::write(dir.join("hopeless.toml"), hopeless).unwrap();
    let out = cloudtwin(&["run", "hopeless.toml", "-o", "hopeless"], &dir);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    for i in 0..2 {
        let shard = format!("{i}/2");
        let out = cloudtwin(&["run", "gives-way.toml", "--shard", &shard, "-o", "shards"], &dir);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let merged = cloudtwin(&["merge", "shards", "-o", "merged"], &dir);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    assert_eq!(fs::read(dir.join("merged/gives-way/experiment.json")).unwrap(), text.into_bytes());
}

#[test]
fn compare_labels_designs_by_file_when_their_names_match() {
    let dir = temp_dir("exp", "samename");
    let design = SWEEP[..SWEEP.find("[sweep]").unwrap()].to_string();
    fs::write(dir.join("a.toml"), &design).unwrap();
    fs::write(dir.join("b.toml"), design.replace("count = 2", "count = 3")).unwrap();
    let out = cloudtwin(&["compare", "a.toml", "b.toml"], &dir);
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{table}{}", stderr(&out));
    assert!(table.contains("design=a.toml") && table.contains("design=b.toml"), "{table}");
    let twice = cloudtwin(&["compare", "a.toml", "./a.toml"], &dir);
    assert_eq!(twice.status.code(), Some(2));
    assert!(stderr(&twice).contains("given twice"), "{}", stderr(&twice));
}

#[test]
fn shards_of_different_experiments_do_not_merge() {
    let dir = temp_dir("exp", "mixed");
    write_sweep(&dir);
    let a = cloudtwin(&["run", "sweep.toml", "--shard", "0/2", "-o", "a"], &dir);
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    let b = cloudtwin(
        &["run", "sweep.toml", "--shard", "1/2", "--set", "traffic.rate=100/s,200/s", "-o", "b"],
        &dir,
    );
    assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
    let merged = cloudtwin(&["merge", "a", "b", "-o", "merged"], &dir);
    assert_eq!(merged.status.code(), Some(2));
    assert!(stderr(&merged).contains("experiment"), "{}", stderr(&merged));
}

#[test]
fn bad_shards_are_refused() {
    let dir = temp_dir("exp", "badshard");
    write_sweep(&dir);
    for (shard, words) in
        [("3/3", "0 to 2"), ("4/3", "0 to 2"), ("-1/3", "I/N"), ("x/3", "I/N"), ("1/0", "")]
    {
        let flag = format!("--shard={shard}");
        let out = cloudtwin(&["run", "sweep.toml", &flag], &dir);
        assert_eq!(out.status.code(), Some(2), "--shard {shard}");
        let text = stderr(&out);
        assert!(text.contains(words) && text.contains("shard"), "--shard {shard}: {text}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_cloudtwin"))
        .args(["run", "sweep.toml"])
        .current_dir(&dir)
        .env("JOB_COMPLETION_INDEX", "2")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--shards"), "{}", stderr(&out));
}

#[test]
fn bad_sweeps_and_slos_name_the_key() {
    let dir = temp_dir("exp", "badsweep");
    let cases = [
        (
            SWEEP.replace("\"components.web.count\" = [2, 3]", "\"components.web.count\" = []"),
            "count",
        ),
        (SWEEP.replace("components.web.count", "components.wbe.count"), "wbe"),
        (SWEEP.replace("metric = \"p99\"", "metric = \"p98\""), "metric"),
    ];
    for (i, (text, key)) in cases.iter().enumerate() {
        let file = format!("bad{i}.toml");
        fs::write(dir.join(&file), text).unwrap();
        let out = cloudtwin(&["run", &file], &dir);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = stderr(&out);
        assert!(err.contains(&file) && err.contains(key), "case {i}: {err}");
    }
    write_sweep(&dir);
    let out = cloudtwin(&["run", "sweep.toml", "--set", "components.web.workers"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("KEY=V"), "{}", stderr(&out));
    // Two spellings of one value make one design, not two points.
    let out = cloudtwin(&["check", "sweep.toml", "--set", "scenario.duration=1m,60s"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("are the same design"), "{}", stderr(&out));
}

#[test]
fn the_exit_code_says_whether_a_design_meets_the_slos() {
    let dir = temp_dir("exp", "exit");
    write_sweep(&dir);
    // One instance at 95 % busy: p99 fails.
    let out = cloudtwin(
        &[
            "run",
            "sweep.toml",
            "--set",
            "components.web.count=1",
            "--set",
            "traffic.rate=380/s",
            "--set",
            "components.web.instance_type=c7g.large",
            "--set",
            "components.web.workers=4",
        ],
        &dir,
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(text.contains("FAIL"), "{text}");
    // A generous budget and bound: every SLO passes.
    let out = cloudtwin(
        &[
            "run",
            "sweep.toml",
            "--set",
            "components.web.count=3",
            "--set",
            "components.web.instance_type=c7g.xlarge",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // One run: its summary carries each SLO's value and verdict.
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("output/sweep/summary.json")).unwrap())
            .unwrap();
    let slos = summary["slos"].as_array().unwrap();
    assert_eq!(slos.len(), 2);
    assert!(slos.iter().all(|s| s["pass"] == true), "{slos:?}");
    let p99 = summary["latency"]["p99_ms"].as_f64().unwrap();
    assert_eq!(slos[0]["value"].as_f64().unwrap(), p99);
    assert!(slos[1]["shown"].as_str().unwrap().starts_with('$'));
}

/// The 95 % interval over 10 replications of an M/M/1 at utilisation 0.5
/// (λ = 500/s, μ = 1000/s) covers the true mean response time
/// W = 1 / (μ − λ) = 2 ms in 90–99 % of 200 independent experiments. Each
/// replication starts empty and warms up for 5 s (thousands of mean
/// response times) before its one-minute window.
#[test]
fn intervals_cover_the_mm1_mean_response_as_often_as_they_claim() {
    let text = r#"
        [scenario]
        name = "mm1"
        start = "2026-01-01T00:00:00Z"
        warmup = "5s"
        duration = "1m"
        seed = 2026

        [traffic]
        entry = "server"
        rate = "500/s"

        [components.server]
        type = "station"
        servers = 1
        service = { dist = "exponential", mean = "1ms" }
    "#;
    let scenario =
        scenario::parse(Path::new("mm1.toml"), text.to_string(), &Catalogue::builtin()).unwrap();
    const EXPERIMENTS: u32 = 200;
    const REPLICATIONS: u32 = 10;
    let records: Vec<RunRecord> = (0..EXPERIMENTS * REPLICATIONS)
        .into_par_iter()
        .map(|replication| {
            let result = sim::run(&scenario, replication);
            let summary =
                Summary::new(&scenario, replication, &result, &bill(&scenario, &result.usage));
            RunRecord::new(&[], 0, replication, &result, &summary)
        })
        .collect();
    let header = Header {
        scenario: "mm1".into(),
        file: "mm1.toml".into(),
        identity: String::new(),
        replications: REPLICATIONS,
        axes: Vec::new(),
        fixed: Vec::new(),
        slos: Vec::new(),
        points: vec![Vec::new()],
    };
    let truth = 2.0;
    let covered = records
        .chunks(REPLICATIONS as usize)
        .filter(|experiment| {
            let summary = header.summarise(experiment);
            let mean = summary.points[0].mean_ms;
            assert_eq!(mean.n, REPLICATIONS);
            let half = mean.half_width.expect("ten replications give an interval");
            (mean.mean - truth).abs() <= half
        })
        .count();
    let share = covered as f64 / f64::from(EXPERIMENTS);
    eprintln!("coverage of W = 2 ms: {covered} of {EXPERIMENTS}");
    assert!((0.90..=0.99).contains(&share), "coverage {share} ({covered} of {EXPERIMENTS})");
}

/// Sweep points share their random numbers: a change the requests never
/// meet (the database's storage) leaves every latency as it was, and a
/// change they do meet (one more instance) moves them together, so the
/// paired differences vary far less than differences between independent
/// runs would.
#[test]
fn sweep_points_share_arrivals_and_service_times() {
    let dir = temp_dir("exp", "crn");
    // The sweep's stack at 350/s, with storage that can change.
    let design = &SWEEP[..SWEEP.find("[sweep]").unwrap()];
    let text = design
        .replace("rate = \"300/s\"", "rate = \"350/s\"")
        .replace("mean = \"1ms\" }\n", "mean = \"1ms\" }\nstorage = \"100GB\"\n")
        + "[sweep]\n\"components.db.storage\" = [\"100GB\", \"400GB\"]\n\"components.web.count\" = [2, 3]\n";
    assert!(text.contains("350/s") && text.contains("storage = \"100GB\""), "{text}");
    let file = dir.join("crn.toml");
    fs::write(&file, text).unwrap();
    let prepared = batch::prepare(&file, &Catalogue::builtin(), &[], 1).unwrap();
    assert_eq!(prepared.points.len(), 4);
    let mean_ms = |point: usize, replication: u32| {
        let s = &*prepared.scenario(point).unwrap();
        let result = sim::run(s, replication);
        let summary = Summary::new(s, replication, &result, &bill(s, &result.usage));
        (summary.requests.arrived, summary.latency.expect("requests finished").mean_ms)
    };
    // Points: 0 = (100GB, 2), 1 = (100GB, 3), 2 = (400GB, 2), 3 = (400GB, 3).
    const R: u32 = 8;
    let runs: Vec<Vec<(u64, f64)>> =
        (0..4).map(|p| (0..R).map(|r| mean_ms(p, r)).collect()).collect();
    assert_eq!(runs[0], runs[2], "storage changed the latencies");
    for (two, three) in runs[0].iter().zip(&runs[1]) {
        assert_eq!(two.0, three.0, "the arrivals differ between points");
    }
    let variance = |xs: &[f64]| {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64
    };
    let paired: Vec<f64> = (0..R as usize).map(|r| runs[0][r].1 - runs[1][r].1).collect();
    let unpaired: Vec<f64> =
        (0..R as usize).map(|r| runs[0][r].1 - runs[1][(r + 1) % R as usize].1).collect();
    assert!(
        variance(&paired) < 0.5 * variance(&unpaired),
        "paired {paired:?} vs unpaired {unpaired:?}"
    );
}
