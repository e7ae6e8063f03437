//! Engine benchmark: simulated requests per second, events per second and
//! peak memory on the M/M/c and three-tier station models of
//! `../shared/bench` and on `scenarios/three-tier.toml`, beside the bare
//! event loop of `../shared/bench/limit` run in the same batch.
//!
//! Run with `cargo bench --bench engine`. Each model runs in a child
//! process of this binary so that its peak resident memory is its own.
//! Set `CLOUDTWIN_LIMIT_DIR` to the bare loop's crate if it is not at
//! `../shared/bench/limit`; without it the ratios are left out.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cloudtwin::catalogue::Catalogue;
use cloudtwin::scenario;
use cloudtwin::sim;

/// The models: (label, scenario file relative to the crate root).
const MODELS: [(&str, &str); 3] = [
    ("mmc", "benches/models/mmc.toml"),
    ("tiers", "benches/models/tiers.toml"),
    ("three-tier", "scenarios/three-tier.toml"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Peak resident set of this process in MiB (Linux), 0 elsewhere.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb =
        status.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1));
    kb.and_then(|k| k.parse::<f64>().ok()).unwrap_or(0.0) / 1024.0
}

/// Runs one model in this process and prints one `key=value` line.
fn child(label: &str, file: &Path) {
    let scenario = scenario::load(file, &Catalogue::builtin()).unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let result = sim::run(&scenario, 0);
    let wall = started.elapsed().as_secs_f64();
    let requests = result.completed + result.failed;
    let mean_ms =
        cloudtwin::stats::latency::percentiles(&result.latency).map_or(0.0, |p| p.mean_ms);
    println!(
        "cloudtwin {label} requests={requests} events={} wall_s={wall:.3} req_per_s={:.0} events_per_s={:.0} \
         mean_ms={mean_ms:.4} peak_rss_mib={:.1}",
        result.events,
        requests as f64 / wall,
        result.events as f64 / wall,
        peak_rss_mib()
    );
}

/// Reads `key=value` from a result line.
fn field(line: &str, key: &str) -> Option<f64> {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.replace(',', "").parse().ok())
}

/// Builds the bare loop and returns its binary, if its crate is there.
fn build_limit() -> Option<PathBuf> {
    let dir = std::env::var_os("CLOUDTWIN_LIMIT_DIR")
        .map(PathBuf::from)
        .unwrap_or(root().join("../shared/bench/limit"));
    if !dir.join("Cargo.toml").is_file() {
        eprintln!("bare loop not found at {}: ratios left out", dir.display());
        return None;
    }
    let target = root().join("target/limit");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .status()
        .ok()?;
    status.success().then(|| target.join("release/limit"))
}

fn run_child(label: &str, file: &str) -> String {
    let output = Command::new(std::env::current_exe().expect("own path"))
        .args(["child", label])
        .arg(root().join(file))
        .output()
        .expect("the benchmark can start itself");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child") {
        child(&args[2], Path::new(&args[3]));
        return;
    }
    let limit = build_limit();
    for (label, file) in MODELS {
        let ours = run_child(label, file);
        println!("{ours}");
        let Some(limit) = limit.as_ref().filter(|_| label != "three-tier") else { continue };
        let output =
            Command::new(limit).args([label, "1e6", "1"]).output().expect("the bare loop runs");
        let theirs = String::from_utf8_lossy(&output.stdout).trim().to_string();
        println!("{theirs}");
        if let (Some(a), Some(b)) = (field(&ours, "req_per_s"), field(&theirs, "req_per_s")) {
            println!("ratio {label} requests/s cloudtwin / bare loop = {:.3}", a / b);
        }
    }
}
