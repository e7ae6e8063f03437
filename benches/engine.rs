//! Engine benchmark: simulated requests per second, events per second and
//! peak memory on the M/M/c and three-tier station models of
//! `../shared/bench`, on `scenarios/three-tier.toml`, and on the full World
//! Cup day (`scenarios/worldcup98-autoscaled.toml`: a scaling group, a
//! cache and a database), beside the bare event loop of
//! `../shared/bench/limit` run in the same batch.
//!
//! `cargo bench --bench engine` runs everything; `-- --quick` leaves out the
//! World Cup day; `-- --peers PYTHON` also runs the SimPy and Ciw versions
//! of the two models with that interpreter (see `benches/peers.sh`, which
//! makes one) and prints cloudtwin's speed-up over each.
//!
//! Each model runs in a child process of this binary so that its peak
//! resident memory is its own. The machines these run on are shared and
//! noisy: each of cloudtwin's and the bare loop's models runs `REPEATS`
//! times, alternating, and the best of each is compared. Set
//! `CLOUDTWIN_SHARED_BENCH` to the shared benchmark folder if it is not at
//! `../shared/bench` (or `CLOUDTWIN_LIMIT_DIR` to the bare loop's crate);
//! without the bare loop the ratios are left out.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cloudtwin::catalogue::Catalogue;
use cloudtwin::scenario;
use cloudtwin::sim;

/// Runs of each fast model; the best counts.
const REPEATS: usize = 5;

/// A model: its label, its scenario file (relative to the crate root), and
/// the bare loop's and the peers' name for it, if they have it.
struct Model {
    label: &'static str,
    file: &'static str,
    peer: Option<&'static str>,
    slow: bool,
}

const MODELS: [Model; 4] = [
    Model { label: "mmc", file: "benches/models/mmc.toml", peer: Some("mmc"), slow: false },
    Model { label: "tiers", file: "benches/models/tiers.toml", peer: Some("tiers"), slow: false },
    Model { label: "three-tier", file: "scenarios/three-tier.toml", peer: None, slow: false },
    Model {
        label: "worldcup-day",
        file: "scenarios/worldcup98-autoscaled.toml",
        peer: None,
        slow: true,
    },
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The team's shared benchmark folder: `CLOUDTWIN_SHARED_BENCH`, or
/// `../shared/bench` beside the repository.
fn shared_bench() -> PathBuf {
    std::env::var_os("CLOUDTWIN_SHARED_BENCH")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/bench"))
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
        .unwrap_or(shared_bench().join("limit"));
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

/// Runs a command and returns its trimmed standard output.
fn output_of(command: &mut Command) -> String {
    let output = command.output().expect("the benchmark can start its children");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn ours(model: &Model) -> String {
    output_of(
        Command::new(std::env::current_exe().expect("own path"))
            .args(["child", model.label])
            .arg(root().join(model.file)),
    )
}

/// The line of the run with the most requests per second.
fn best(lines: Vec<String>) -> String {
    lines
        .into_iter()
        .max_by(|a, b| {
            let speed = |l: &String| field(l, "req_per_s").unwrap_or(0.0);
            speed(a).total_cmp(&speed(b))
        })
        .unwrap_or_default()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child") {
        child(&args[2], Path::new(&args[3]));
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let python = args.iter().position(|a| a == "--peers").and_then(|i| args.get(i + 1)).cloned();
    let limit = build_limit();
    let mut ours_by_model = Vec::new();
    for model in MODELS.iter().filter(|m| !(quick && m.slow)) {
        let repeats = if model.slow { 1 } else { REPEATS };
        let mut mine = Vec::new();
        let mut theirs = Vec::new();
        for _ in 0..repeats {
            mine.push(ours(model));
            if let (Some(limit), Some(peer)) = (&limit, model.peer) {
                theirs.push(output_of(Command::new(limit).args([peer, "1e6", "1"])));
            }
        }
        let (mine, theirs) = (best(mine), best(theirs));
        println!("{mine}");
        if !theirs.is_empty() {
            println!("{theirs}");
            if let (Some(a), Some(b)) = (field(&mine, "req_per_s"), field(&theirs, "req_per_s")) {
                println!("ratio {} requests/s cloudtwin / bare loop = {:.3}", model.label, a / b);
            }
        }
        ours_by_model.push((model, mine));
    }
    if let Some(python) = python {
        for (model, mine) in &ours_by_model {
            let Some(peer) = model.peer else { continue };
            for tool in ["simpy", "ciw"] {
                let script = shared_bench().join(format!("{tool}_{peer}.py"));
                let line = output_of(
                    Command::new(&python)
                        .arg(&script)
                        .args(["1e6", "1"])
                        .current_dir(shared_bench()),
                );
                println!("{line}");
                if let (Some(a), Some(b)) = (field(mine, "req_per_s"), field(&line, "req_per_s")) {
                    println!("speed-up {} cloudtwin / {tool} = {:.1}x", model.label, a / b);
                }
            }
        }
    }
}
