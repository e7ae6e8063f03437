//! Trace replay: the shipped slices reproduce their total count within
//! sampling error and their shape interval by interval, a speedup
//! compresses time, gzip and plain files read the same, every real trace of
//! the team's collection loads with the totals its provenance states, and
//! bad traces are refused at their file, line and key.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use cloudtwin::catalogue::Catalogue;
use cloudtwin::engine::random::Stream;
use cloudtwin::engine::time::SimTime;
use cloudtwin::scenario::{self, Scenario, ScenarioError};
use cloudtwin::traffic::{ArrivalSpec, Arrivals};

const SECOND: u64 = 1_000_000_000;

/// A scenario with one unlimited station, the given timing and trace keys.
fn text(timing: &str, trace: &str) -> String {
    format!(
        r#"
[scenario]
name = "replay"
{timing}
seed = 1

[traffic]
entry = "s"

[traffic.trace]
{trace}

[components.s]
type = "station"
servers = "unlimited"
service = "1ms"
"#
    )
}

/// Parses a scenario placed in `dir`, so that trace paths are relative to it.
fn parse_in(dir: &Path, timing: &str, trace: &str) -> Result<Scenario, ScenarioError> {
    scenario::parse(&dir.join("s.toml"), text(timing, trace), &Catalogue::builtin())
}

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// The counts column of a shipped CSV (plain or gzip), read independently
/// of cloudtwin.
fn column(path: &Path, index: usize) -> Vec<f64> {
    let mut bytes = Vec::new();
    fs::File::open(path).unwrap().read_to_end(&mut bytes).unwrap();
    let mut text = String::new();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text).unwrap();
    } else {
        text = String::from_utf8(bytes).unwrap();
    }
    text.lines().skip(1).map(|l| l.split(',').nth(index).unwrap().parse().unwrap()).collect()
}

/// Arrivals per interval of `interval_ns` over `replications` runs, added
/// up; arrivals at or after `intervals` intervals are not counted.
fn replayed(spec: &ArrivalSpec, interval_ns: u64, intervals: usize, replications: u32) -> Vec<f64> {
    let mut sums = vec![0.0; intervals];
    for replication in 0..replications {
        let mut arrivals = Arrivals::new(spec.clone(), Stream::new(11, replication, "arrivals"));
        let mut now = SimTime::ZERO;
        while let Some(at) = arrivals.next_after(now) {
            if let Some(sum) = sums.get_mut((at.as_nanos() / interval_ns) as usize) {
                *sum += 1.0;
            }
            now = at;
        }
    }
    sums
}

/// Pearson's correlation.
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    let (ma, mb) = (mean(a), mean(b));
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let var = |x: &[f64], m: f64| x.iter().map(|v| (v - m) * (v - m)).sum::<f64>();
    cov / (var(a, ma) * var(b, mb)).sqrt()
}

/// Checks a replay against the trace's counts: over `replications` runs the
/// sums per interval correlate above 0.99 with the counts, and each lies
/// within 5 standard deviations of `replications × count` (an empty
/// interval gets no arrival at all).
fn reproduces_shape(trace: &[f64], sums: &[f64], replications: u32) {
    let r = f64::from(replications);
    let scaled: Vec<f64> = trace.iter().map(|c| c * r).collect();
    let rho = correlation(&scaled, sums);
    let worst = scaled
        .iter()
        .zip(sums)
        .map(|(e, n)| if *e == 0.0 { *n } else { (n - e).abs() / e.sqrt() })
        .fold(0.0, f64::max);
    println!("{} intervals: correlation {rho:.5}, worst |z| {worst:.2}", trace.len());
    assert!(rho > 0.99, "correlation {rho}");
    assert!(worst < 5.0, "an interval is {worst} standard deviations off");
}

/// Checks one run's total against the trace's total (4 standard deviations).
fn reproduces_total(spec: &ArrivalSpec, total: f64) {
    let n = replayed(spec, u64::MAX, 1, 1)[0];
    let z = (n - total) / total.sqrt();
    println!("total: {n} arrivals for {total} in the trace, z = {z:+.2}");
    assert!(z.abs() < 4.0, "{n} arrivals for a trace of {total}");
}

#[test]
fn the_nasa_launch_hour_replays_second_by_second() {
    let file = "data/nasa95/nasa-1995-07-13-per-second.csv.gz";
    let scenario = parse_in(
        &scenarios_dir(),
        "start = \"1995-07-13T13:00:00Z\"\nwarmup = \"10m\"\nduration = \"1h\"",
        &format!("file = \"{file}\"\ninterval = \"1s\"\norigin = \"1995-07-13T08:50:00-04:00\""),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let spec = scenario.traffic.arrivals.as_ref().expect("open-loop traffic");
    let trace = column(&scenarios_dir().join(file), 0);
    assert_eq!(trace.len(), 4_200);
    let total: f64 = trace.iter().sum();
    assert_eq!(total, 16_918.0);
    assert!((spec.expected_arrivals(SimTime::ZERO, SimTime::NEVER) - total).abs() < 1e-6);
    reproduces_total(spec, total);
    reproduces_shape(&trace, &replayed(spec, SECOND, trace.len(), 200), 200);
}

#[test]
fn the_epa_day_replays_minute_by_minute() {
    let file = "data/epa95/epa-1995-08-30-per-minute.csv";
    let scenario = parse_in(
        &scenarios_dir(),
        "start = \"1995-08-30T03:53:00Z\"\nduration = \"24h\"",
        &format!("file = \"{file}\"\ninterval = \"1m\"\norigin = \"1995-08-29T23:53:00-04:00\""),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let spec = scenario.traffic.arrivals.as_ref().expect("open-loop traffic");
    let trace = column(&scenarios_dir().join(file), 1);
    let total: f64 = trace.iter().sum();
    assert_eq!(total, 47_742.0);
    assert!((spec.expected_arrivals(SimTime::ZERO, SimTime::NEVER) - total).abs() < 1e-6);
    reproduces_total(spec, total);
    reproduces_shape(&trace, &replayed(spec, 60 * SECOND, trace.len(), 50), 50);
}

#[test]
fn a_speedup_of_24_replays_the_epa_day_in_an_hour() {
    let file = "data/epa95/epa-1995-08-30-per-minute.csv";
    let scenario = parse_in(
        &scenarios_dir(),
        "start = \"2026-03-02T00:00:00Z\"\nduration = \"1h\"",
        &format!("file = \"{file}\"\ninterval = \"1m\"\nfrom = \"0s\"\nspeedup = 24"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let spec = scenario.traffic.arrivals.as_ref().expect("open-loop traffic");
    let trace = column(&scenarios_dir().join(file), 1);
    // Every count is kept: the day's requests arrive within the hour, each
    // minute of the trace in 2.5 s.
    let hour = SimTime(3_600 * SECOND);
    assert!((spec.expected_arrivals(SimTime::ZERO, hour) - 47_742.0).abs() < 1e-6);
    assert_eq!(spec.expected_arrivals(hour, SimTime::NEVER), 0.0);
    reproduces_total(spec, 47_742.0);
    reproduces_shape(&trace, &replayed(spec, 2_500_000_000, trace.len(), 50), 50);
}

/// A fresh folder for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cloudtwin-traces-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// A per-minute trace of `minutes` rows from 2026-03-02T00:00Z, `count(i)`
/// requests in row i.
fn minutes_csv(minutes: usize, count: impl Fn(usize) -> String) -> String {
    let mut csv = String::from("minute_start_utc,requests\n");
    for i in 0..minutes {
        csv += &format!("2026-03-02T{:02}:{:02}:00Z,{}\n", i / 60, i % 60, count(i));
    }
    csv
}

const TEN_MINUTES: &str = "start = \"2026-03-02T00:05:00Z\"\nwarmup = \"1m\"\nduration = \"10m\"";

#[test]
fn gzip_and_plain_files_give_the_same_rate() {
    let dir = temp_dir("gzip");
    let csv = minutes_csv(30, |i| (i * 7 % 13).to_string());
    fs::write(dir.join("t.csv"), &csv).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(csv.as_bytes()).unwrap();
    fs::write(dir.join("t.csv.gz"), gz.finish().unwrap()).unwrap();
    let plain = parse_in(&dir, TEN_MINUTES, "file = \"t.csv\"").unwrap();
    let zipped = parse_in(&dir, TEN_MINUTES, "file = \"t.csv.gz\"").unwrap();
    assert_eq!(plain.traffic.arrivals, zipped.traffic.arrivals);
    // Minutes 4 to 14 (the warm-up from 00:04), each i·7 mod 13 requests.
    let expected: f64 = (4..15).map(|i| (i * 7 % 13) as f64).sum();
    let got =
        plain.traffic.arrivals.as_ref().unwrap().expected_arrivals(SimTime::ZERO, SimTime::NEVER);
    assert!((got - expected).abs() < 1e-9, "{got} vs {expected}");
}

#[test]
fn to_ends_the_replay_and_scale_multiplies_the_counts() {
    let dir = temp_dir("window");
    fs::write(dir.join("t.csv"), minutes_csv(30, |_| "60".into())).unwrap();
    let scenario =
        parse_in(&dir, TEN_MINUTES, "file = \"t.csv\"\nto = \"2026-03-02T00:10:30Z\"\nscale = 0.5")
            .unwrap();
    // From 00:04 (warm-up) to 00:10:30 at 30 requests a minute.
    let got = scenario
        .traffic
        .arrivals
        .as_ref()
        .unwrap()
        .expected_arrivals(SimTime::ZERO, SimTime::NEVER);
    assert!((got - 6.5 * 30.0).abs() < 1e-9, "{got}");
}

/// The team's trace collection beside the repository, if it is there (it is
/// on the team's machines and in CI, not in a plain clone).
fn shared_traces() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/traces");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: no trace collection at {}", dir.display());
        None
    }
}

/// The expected number of arrivals in the run of a scenario over a shared
/// trace.
fn expected_total(dir: &Path, timing: &str, trace: &str) -> f64 {
    let scenario = parse_in(dir, timing, trace).unwrap_or_else(|e| panic!("{e}"));
    scenario.traffic.arrivals.as_ref().unwrap().expected_arrivals(SimTime::ZERO, SimTime::NEVER)
}

#[test]
fn every_real_trace_loads_with_its_stated_totals() {
    let Some(dir) = shared_traces() else { return };
    let day = "duration = \"24h\"";
    // Totals as the collection's PROVENANCE.md files state them.
    let cases = [
        (
            "WC98 per minute (UTC), 1998-06-30",
            "start = \"1998-06-30T00:00:00Z\"",
            "file = \"wc98_worldcup_1998/wc98_requests_per_minute.csv\"",
            75_207_657.0,
        ),
        (
            "NASA per minute (-04:00), 1995-07-13",
            "start = \"1995-07-13T00:00:00-04:00\"",
            "file = \"nasa_http_1995/nasa_http_requests_per_minute.csv\"",
            134_203.0,
        ),
        (
            "NASA per second (no times), 1995-07-13",
            "start = \"1995-07-13T04:00:00Z\"",
            "file = \"nasa_http_1995/nasa_http_jul95_requests_per_second.csv.gz\"\n\
             interval = \"1s\"\norigin = \"1995-07-01T00:00:01-04:00\"",
            134_203.0,
        ),
        (
            "EPA per minute (index)",
            "start = \"1995-08-30T03:53:00Z\"",
            "file = \"ita_epa_http_1995/epa_http_requests_per_minute.csv\"\n\
             interval = \"1m\"\norigin = \"1995-08-29T23:53:00-04:00\"",
            47_742.0,
        ),
        (
            "SDSC per minute (index)",
            "start = \"1995-08-22T07:00:00Z\"",
            "file = \"ita_sdsc_http_1995/sdsc_http_requests_per_minute.csv\"\n\
             interval = \"1m\"\norigin = \"1995-08-22T00:00:00-07:00\"",
            28_338.0,
        ),
        (
            "Azure Functions total per minute (index)",
            "start = \"2026-03-02T00:00:00Z\"",
            "file = \"azure_functions_2019_sample/total_invocations_per_minute_1000fn.csv\"\n\
             column = \"invocations\"\ninterval = \"1m\"",
            11_639_447.0,
        ),
    ];
    for (what, start, trace, total) in cases {
        let got = expected_total(&dir, &format!("{start}\n{day}"), trace);
        println!("{what}: {got} requests expected, {total} stated");
        assert!((got - total).abs() < 1e-3 * total.max(1.0).sqrt(), "{what}: {got} vs {total}");
    }
}

#[test]
fn a_window_over_a_gap_in_a_real_trace_is_refused() {
    let Some(dir) = shared_traces() else { return };
    // The July log ends on 28 July at 13:32 EDT; the August one starts on
    // 1 August: the days between have no rows.
    let error = parse_in(
        &dir,
        "start = \"1995-07-28T12:00:00-04:00\"\nduration = \"6h\"",
        "file = \"nasa_http_1995/nasa_http_requests_per_minute.csv\"",
    )
    .unwrap_err();
    assert_eq!(error.key, "traffic.trace");
    assert!(error.to_string().contains("a gap in the trace"), "{error}");
}

/// Refused with `key` and `words` in the message; `line` of the trace file
/// when the mistake is in it (0 for the scenario file, where any line is
/// accepted).
fn refused(dir: &Path, timing: &str, trace: &str, key: &str, words: &str, file: &str, line: usize) {
    let error = parse_in(dir, timing, trace).expect_err("should be refused");
    println!("{error}");
    assert_eq!(error.key, key, "{error}");
    assert!(error.to_string().contains(words), "{error}");
    assert!(error.file.ends_with(file), "{error}");
    if line > 0 {
        assert_eq!(error.line, line, "{error}");
    } else {
        assert!(error.line > 0, "{error}");
    }
}

#[test]
fn bad_counts_are_refused_at_their_file_and_line() {
    let dir = temp_dir("counts");
    fs::write(
        dir.join("neg.csv"),
        minutes_csv(30, |i| if i == 6 { "-4".into() } else { "5".into() }),
    )
    .unwrap();
    fs::write(
        dir.join("nan.csv"),
        minutes_csv(30, |i| if i == 9 { "lots".into() } else { "5".into() }),
    )
    .unwrap();
    // The header is line 1, so row i is on line i + 2.
    refused(&dir, TEN_MINUTES, "file = \"neg.csv\"", "requests", "negative", "neg.csv", 8);
    refused(&dir, TEN_MINUTES, "file = \"nan.csv\"", "requests", "not a number", "nan.csv", 11);
}

#[test]
fn bad_windows_and_columns_are_refused_with_their_key() {
    let dir = temp_dir("windows");
    fs::write(dir.join("t.csv"), minutes_csv(30, |i| if i < 20 { "0".into() } else { "9".into() }))
        .unwrap();
    fs::write(dir.join("idx.csv"), "minute,invocations,active_functions\n1,5,2\n2,7,3\n").unwrap();
    let s = "s.toml";
    // Every replayed minute is empty.
    refused(&dir, TEN_MINUTES, "file = \"t.csv\"", "traffic.trace", "no requests", s, 0);
    // Past the trace's end.
    refused(
        &dir,
        "start = \"2026-03-02T00:25:00Z\"\nduration = \"10m\"",
        "file = \"t.csv\"",
        "traffic.trace",
        "covers 2026-03-02T00:00:00Z to 2026-03-02T00:30:00Z",
        s,
        0,
    );
    refused(
        &dir,
        TEN_MINUTES,
        "file = \"t.csv\"\ncolumn = \"reqests\"",
        "traffic.trace.column",
        "did you mean `requests`?",
        s,
        0,
    );
    refused(
        &dir,
        TEN_MINUTES,
        "file = \"idx.csv\"\ninterval = \"1m\"",
        "traffic.trace.column",
        "`invocations`, `active_functions`",
        s,
        0,
    );
    let idx = "file = \"idx.csv\"\ncolumn = \"invocations\"";
    refused(&dir, TEN_MINUTES, idx, "traffic.trace.interval", "no time column", s, 0);
    refused(
        &dir,
        TEN_MINUTES,
        "file = \"t.csv\"\nto = \"2026-03-02T00:01:00Z\"",
        "traffic.trace.to",
        "empty",
        s,
        0,
    );
    refused(
        &dir,
        TEN_MINUTES,
        "file = \"t.csv\"\ninterval = \"1s\"",
        "traffic.trace.interval",
        "60 s apart",
        s,
        0,
    );
}
