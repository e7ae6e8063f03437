//! Arrivals under every rate shape, built through the scenario parser: the
//! count in a window matches the integral of the rate within sampling
//! error (Poisson: four standard deviations, 4·√expected), deterministic
//! spacing is exact to within one, and bad shapes are refused with their
//! key.

use std::path::Path;

use cloudtwin::catalogue::Catalogue;
use cloudtwin::engine::random::Stream;
use cloudtwin::engine::time::SimTime;
use cloudtwin::scenario::{self, Scenario, ScenarioError};
use cloudtwin::traffic::{ArrivalSpec, Arrivals};

const MINUTE: u64 = 60_000_000_000;

/// A scenario with one unlimited station and the given `[traffic]` lines.
fn text(timing: &str, traffic: &str) -> String {
    format!(
        r#"
[scenario]
name = "arrivals"
start = "2026-03-02T00:00:00Z"
{timing}
seed = 1

[traffic]
entry = "s"
{traffic}

[components.s]
type = "station"
servers = "unlimited"
service = "1ms"
"#
    )
}

fn parse(timing: &str, traffic: &str) -> Result<Scenario, ScenarioError> {
    scenario::parse(Path::new("s.toml"), text(timing, traffic), &Catalogue::builtin())
}

fn spec(timing: &str, traffic: &str) -> ArrivalSpec {
    parse(timing, traffic)
        .unwrap_or_else(|e| panic!("{e}"))
        .traffic
        .arrivals
        .expect("open-loop traffic")
}

/// Arrivals in each of `windows` (simulated time, whole minutes), in one
/// run.
fn counts(spec: &ArrivalSpec, windows: &[(u64, u64)], seed: u64) -> Vec<u64> {
    let mut arrivals = Arrivals::new(spec.clone(), Stream::new(seed, 0, "arrivals"));
    let mut per_minute: Vec<u64> = Vec::new();
    let mut now = SimTime::ZERO;
    while let Some(at) = arrivals.next_after(now) {
        let minute = (at.as_nanos() / MINUTE) as usize;
        if per_minute.len() <= minute {
            per_minute.resize(minute + 1, 0);
        }
        per_minute[minute] += 1;
        now = at;
    }
    let total = |from: u64, to: u64| -> u64 {
        (from as usize..to as usize).map(|m| per_minute.get(m).copied().unwrap_or(0)).sum()
    };
    windows.iter().map(|(from, to)| total(*from, *to)).collect()
}

fn expected(spec: &ArrivalSpec, (from, to): (u64, u64)) -> f64 {
    spec.expected_arrivals(SimTime(from * MINUTE), SimTime(to * MINUTE))
}

/// Checks every window's Poisson count against the integral of the rate.
fn within_sampling_error(spec: &ArrivalSpec, windows: &[(u64, u64)]) {
    for (window, n) in windows.iter().zip(counts(spec, windows, 7)) {
        let e = expected(spec, *window);
        let z = (n as f64 - e) / e.sqrt();
        println!("window {window:?} min: {n} arrivals, expected {e:.1}, z = {z:+.2}");
        assert!(z.abs() < 4.0, "window {window:?}: {n} arrivals, expected {e}");
    }
}

#[test]
fn a_step_changes_the_count_at_its_time() {
    let spec = spec(
        "warmup = \"2m\"\nduration = \"20m\"",
        r#"steps = [{ at = "0s", rate = "100/s" }, { at = "10m", rate = "300/s" }]"#,
    );
    // Offsets count from scenario.start, two minutes into the run; the first
    // rate also holds during the warm-up.
    assert_eq!(expected(&spec, (0, 12)), 100.0 * 720.0);
    assert_eq!(expected(&spec, (12, 22)), 300.0 * 600.0);
    within_sampling_error(&spec, &[(0, 12), (12, 22), (7, 17), (11, 13)]);
}

#[test]
fn a_ramp_integrates_to_its_trapezoid() {
    let spec = spec(
        "duration = \"30m\"",
        r#"ramp = { from = "100/s", to = "500/s", start = "5m", end = "25m" }"#,
    );
    let exact = 100.0 * 300.0 + 300.0 * 1_200.0 + 500.0 * 300.0;
    assert!((expected(&spec, (0, 30)) - exact).abs() < 1e-6);
    let windows: Vec<(u64, u64)> = (0..6).map(|i| (5 * i, 5 * i + 5)).collect();
    within_sampling_error(&spec, &windows);
}

#[test]
fn a_daily_curve_peaks_at_its_hour_and_averages_its_mean() {
    let spec = spec(
        "duration = \"24h\"",
        r#"diurnal = { mean = "200/s", amplitude = 0.4, peak = "20:00" }"#,
    );
    assert!((expected(&spec, (0, 1_440)) - 200.0 * 86_400.0).abs() < 1e-3);
    let hours: Vec<(u64, u64)> = (0..24).map(|h| (60 * h, 60 * h + 60)).collect();
    within_sampling_error(&spec, &hours);
    // The run starts at midnight UTC: the busiest hour straddles 20:00.
    let by_hour = counts(&spec, &hours, 7);
    let busiest = (0..24).max_by_key(|h| by_hour[*h]).unwrap();
    assert!(busiest == 19 || busiest == 20, "busiest hour {busiest}");
}

#[test]
fn hourly_points_are_joined_by_straight_lines() {
    let rates: Vec<String> = (0..24).map(|h| format!("\"{}/s\"", 50 + 10 * h)).collect();
    let spec =
        spec("duration = \"24h\"", &format!("diurnal = {{ hourly = [{}] }}", rates.join(", ")));
    // Over a whole day the trapezoids add up to the mean of the points.
    let mean = (0..24).map(|h| 50.0 + 10.0 * h as f64).sum::<f64>() / 24.0;
    assert!((expected(&spec, (0, 1_440)) - mean * 86_400.0).abs() < 1e-3);
    // From 03:00 to 04:00 the rate climbs from 80/s to 90/s.
    assert!((expected(&spec, (180, 240)) - 85.0 * 3_600.0).abs() < 1e-6);
    let windows: Vec<(u64, u64)> = (0..24).map(|h| (60 * h, 60 * h + 60)).collect();
    within_sampling_error(&spec, &windows);
}

#[test]
fn a_spike_multiplies_the_rate_for_its_duration() {
    let spec = spec(
        "duration = \"20m\"",
        "rate = \"100/s\"\n[[traffic.spikes]]\nstart = \"10m\"\nmultiplier = 5\nduration = \"2m\"",
    );
    assert_eq!(expected(&spec, (10, 12)), 500.0 * 120.0);
    assert_eq!(expected(&spec, (0, 20)), 100.0 * 1_080.0 + 500.0 * 120.0);
    within_sampling_error(&spec, &[(0, 10), (10, 12), (12, 20), (9, 11)]);
}

#[test]
fn spikes_compose_with_a_daily_curve() {
    let spec = spec(
        "duration = \"6h\"",
        "diurnal = { mean = \"50/s\", amplitude = 0.9, peak = \"03:00\" }\n\
         [[traffic.spikes]]\nstart = \"1h\"\nmultiplier = 3\nduration = \"30m\"\n\
         [[traffic.spikes]]\nstart = \"1h15m\"\nmultiplier = 0.5\nduration = \"1h\"",
    );
    let windows: Vec<(u64, u64)> = (0..24).map(|q| (15 * q, 15 * q + 15)).collect();
    within_sampling_error(&spec, &windows);
}

#[test]
fn deterministic_spacing_delivers_the_integral_to_within_one() {
    let constant = spec("duration = \"10m\"", "rate = \"250/s\"\narrivals = \"deterministic\"");
    let windows = [(0, 10), (0, 1), (3, 7), (9, 10)];
    for (window, n) in windows.iter().zip(counts(&constant, &windows, 1)) {
        let e = expected(&constant, *window);
        assert!((n as f64 - e).abs() <= 1.0, "window {window:?}: {n} vs {e}");
    }
    let ramp = spec(
        "duration = \"30m\"",
        "ramp = { from = \"0/s\", to = \"70/s\", start = \"5m\", end = \"25m\" }\n\
         arrivals = \"deterministic\"",
    );
    let windows: Vec<(u64, u64)> = (0..30).map(|m| (m, m + 1)).collect();
    for (window, n) in windows.iter().zip(counts(&ramp, &windows, 1)) {
        let e = expected(&ramp, *window);
        assert!((n as f64 - e).abs() <= 1.0, "window {window:?}: {n} vs {e}");
    }
}

#[test]
fn poisson_is_the_listed_default() {
    let scenario = parse("duration = \"10m\"", "rate = \"10/s\"").unwrap();
    let used = scenario.defaults.iter().find(|d| d.key == "traffic.arrivals").unwrap();
    assert_eq!(used.value, "poisson");
}

#[test]
fn utc_times_and_offsets_name_the_same_instant() {
    let offset = spec(
        "warmup = \"1m\"\nduration = \"20m\"",
        r#"steps = [{ at = "-1m", rate = "5/s" }, { at = "10m", rate = "9/s" }]"#,
    );
    let utc = spec(
        "warmup = \"1m\"\nduration = \"20m\"",
        r#"steps = [{ at = "2026-03-01T23:59:00Z", rate = "5/s" }, { at = 2026-03-02T00:10:00Z, rate = "9/s" }]"#,
    );
    assert_eq!(offset, utc);
}

/// Refused with `key` named and `words` in the message, at a line of the
/// scenario.
fn refused(timing: &str, traffic: &str, key: &str, words: &str) {
    let error = parse(timing, traffic).expect_err("should be refused");
    assert_eq!(error.key, key, "{error}");
    assert!(error.to_string().contains(words), "{error}");
    assert!(error.line > 0, "{error}");
}

#[test]
fn bad_shapes_are_refused_with_their_key() {
    let d = "duration = \"30m\"";
    refused(d, r#"rate = "-5/s""#, "traffic.rate", "negative");
    refused(d, r#"steps = [{ at = "0s", rate = "-5/s" }]"#, "traffic.steps[0].rate", "negative");
    refused(
        d,
        r#"steps = [{ at = "10m", rate = "5/s" }, { at = "5m", rate = "9/s" }]"#,
        "traffic.steps[1].at",
        "time order",
    );
    refused(
        d,
        r#"steps = [{ at = "5m", rate = "5/s" }, { at = "5m", rate = "9/s" }]"#,
        "traffic.steps[1].at",
        "its own time",
    );
    refused(
        d,
        r#"ramp = { from = "1/s", to = "5/s", start = "20m", end = "10m" }"#,
        "traffic.ramp.end",
        "not after its start",
    );
    refused(
        d,
        r#"diurnal = { mean = "9/s", amplitude = 1.0, peak = "12:00" }"#,
        "traffic.diurnal.amplitude",
        "below 1",
    );
    refused(
        d,
        r#"diurnal = { mean = "9/s", amplitude = 0.3, peak = "25:00" }"#,
        "traffic.diurnal.peak",
        "time of day",
    );
    refused(d, r#"diurnal = { hourly = ["1/s", "2/s"] }"#, "traffic.diurnal.hourly", "24 rates");
    refused(
        d,
        r#"rate = "5/s"
ramp = { from = "1/s", to = "5/s", start = "0s", end = "10m" }"#,
        "traffic.ramp",
        "one base rate",
    );
    refused(
        d,
        r#"arrivals = "poison"
rate = "5/s""#,
        "traffic.arrivals",
        "poisson",
    );
}

#[test]
fn bad_spikes_are_refused_with_their_key() {
    let d = "warmup = \"1m\"\nduration = \"30m\"";
    let spike = |fields: &str| format!("rate = \"10/s\"\n[[traffic.spikes]]\n{fields}");
    refused(
        d,
        &spike("start = \"45m\"\nmultiplier = 2\nduration = \"1m\""),
        "traffic.spikes[0].start",
        "outside the run",
    );
    refused(
        d,
        &spike("start = \"-2m\"\nmultiplier = 2\nduration = \"1m\""),
        "traffic.spikes[0].start",
        "outside the run",
    );
    refused(
        d,
        &spike("start = \"5m\"\nmultiplier = 0\nduration = \"1m\""),
        "traffic.spikes[0].multiplier",
        "above 0",
    );
    refused(
        d,
        &spike("start = \"5m\"\nmultiplier = -3\nduration = \"1m\""),
        "traffic.spikes[0].multiplier",
        "above 0",
    );
    refused(
        d,
        &spike("start = \"5m\"\nmultiplier = 2e6\nduration = \"1m\""),
        "traffic",
        "peaks at 20000000/s",
    );
}

#[test]
fn a_run_with_no_requests_is_refused() {
    refused(
        "duration = \"30m\"",
        r#"steps = [{ at = "0s", rate = "0/s" }, { at = "40m", rate = "9/s" }]"#,
        "traffic",
        "no requests",
    );
}
