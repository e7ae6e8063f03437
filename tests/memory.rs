//! Memory does not grow with the number of requests simulated: the same
//! scenario run for 10⁵ and for 10⁶ requests peaks at nearly the same
//! resident memory. Each run happens in a child process (this test binary,
//! started again with `CLOUDTWIN_MEMORY_CHILD` set), so that each peak is
//! its own; the child reads its peak from `/proc/self/status` (Linux).

use std::path::PathBuf;
use std::process::Command;

use cloudtwin::catalogue::Catalogue;
use cloudtwin::scenario;
use cloudtwin::sim;

/// The child's instructions: scenario file and measured duration.
const CHILD: &str = "CLOUDTWIN_MEMORY_CHILD";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// In the child: runs the scenario of `CLOUDTWIN_MEMORY_CHILD` ("FILE
/// DURATION") and prints its peak resident set. In the parent, does
/// nothing.
#[test]
fn memory_child() {
    let Ok(task) = std::env::var(CHILD) else { return };
    let (file, duration) = task.split_once(' ').expect("FILE DURATION");
    let text = std::fs::read_to_string(file).expect("the scenario is readable");
    let text = text.replacen(
        &text.lines().find(|l| l.starts_with("duration")).expect("a duration").to_string(),
        &format!("duration = \"{duration}\""),
        1,
    );
    let scenario = scenario::parse(std::path::Path::new(file), text, &Catalogue::builtin())
        .expect("the scenario is valid");
    let result = sim::run(&scenario, 0);
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let peak_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .expect("VmHWM in /proc/self/status");
    println!("REQUESTS={} PEAK_KB={peak_kb}", result.completed + result.failed);
}

/// Runs the child on `file` for `duration`: (requests, peak kB).
fn child_peak(file: &str, duration: &str) -> (u64, u64) {
    let output = Command::new(std::env::current_exe().expect("own path"))
        .args(["memory_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, format!("{} {duration}", root().join(file).display()))
        .output()
        .expect("the test binary starts again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The harness may print the test's name on the same line.
    let line = stdout
        .lines()
        .find_map(|l| l.find("REQUESTS=").map(|at| &l[at..]))
        .unwrap_or_else(|| panic!("no result from the child: {stdout}"));
    let value = |key: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key))
            .and_then(|v| v.parse().ok())
            .expect("a number")
    };
    (value("REQUESTS="), value("PEAK_KB="))
}

/// The M/M/c benchmark model (900 requests a second) and the three-tier
/// gallery scenario (600 a second through an ALB, EC2 and RDS), each for
/// about 10⁵ and 10⁶ requests: the larger run's peak is less than 1.2
/// times the smaller's.
#[test]
fn peak_memory_does_not_grow_with_the_number_of_requests() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("no /proc/self/status here: the memory test needs Linux");
        return;
    }
    for (file, short, long) in [
        ("benches/models/mmc.toml", "111s", "1111s"),
        ("scenarios/three-tier.toml", "167s", "1667s"),
    ] {
        let (few, small) = child_peak(file, short);
        let (many, large) = child_peak(file, long);
        assert!(few > 90_000 && many > 900_000, "{file}: {few} and {many} requests");
        assert!(
            (large as f64) < 1.2 * small as f64,
            "{file}: {large} kB for {many} requests against {small} kB for {few}"
        );
    }
}
