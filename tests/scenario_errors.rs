//! Impossible scenarios are refused before the run, each with the key at
//! fault: cycles with no way out, windows too short to bill, rates and
//! sizes beyond what a run can do, traces without a header.

use std::path::Path;

use cloudtwin::catalogue::Catalogue;
use cloudtwin::scenario::{self, ScenarioError};

const STATIONS: &str = r#"
[scenario]
name = "loop"
start = "2026-01-01T00:00:00Z"
duration = "10m"
[traffic]
entry = "a"
rate = "10/s"
[components.a]
type = "station"
servers = 1
service = "1ms"
next = "b"
[components.b]
type = "station"
servers = 1
service = "1ms"
next = [{ to = "a", p = 0.5 }, { to = "exit", p = 0.5 }]
"#;

fn check(text: &str) -> Result<scenario::Scenario, ScenarioError> {
    scenario::parse(Path::new("s.toml"), text.to_string(), &Catalogue::builtin())
}

fn refused(text: &str, key: &str, words: &str) {
    let error = check(text).expect_err("should be refused");
    assert_eq!(error.key, key, "{error}");
    assert!(error.to_string().contains(words), "{error}");
    assert!(error.line > 0, "{error}");
}

#[test]
fn a_loop_with_an_exit_is_accepted() {
    assert!(check(STATIONS).is_ok());
}

#[test]
fn a_loop_with_no_exit_is_refused() {
    let text = STATIONS
        .replace(r#"next = [{ to = "a", p = 0.5 }, { to = "exit", p = 0.5 }]"#, r#"next = "a""#);
    refused(&text, "components.a.next", "can never leave");
}

#[test]
fn a_window_shorter_than_a_minute_is_refused() {
    refused(&STATIONS.replace("\"10m\"", "\"30s\""), "scenario.duration", "at least 1m");
}

#[test]
fn rates_and_run_sizes_beyond_the_limits_are_refused() {
    refused(&STATIONS.replace("\"10/s\"", "\"999999999999/s\""), "traffic.rate", "limit");
    refused(
        &STATIONS.replace("\"10/s\"", "\"9000000/s\"").replace("\"10m\"", "\"24h\""),
        "traffic",
        "limit",
    );
}

#[test]
fn a_start_beyond_year_9000_is_refused() {
    refused(&STATIONS.replace("2026-01-01", "9999-12-31"), "scenario.start", "out of range");
}

#[test]
fn a_misspelled_key_gets_the_nearest_valid_one() {
    let error = check(&STATIONS.replace(
        "servers = 1\nservice = \"1ms\"\nnext = \"b\"",
        "servrs = 1\nservice = \"1ms\"\nnext = \"b\"",
    ))
    .unwrap_err();
    assert_eq!(error.key, "components.a.servrs");
    assert_eq!(error.hint.as_deref(), Some("did you mean `servers`?"));
}

#[test]
fn a_trace_without_a_header_row_is_refused() {
    let dir = std::env::temp_dir().join(format!("cloudtwin-noheader-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("t.csv"), "2026-01-01T00:00:00Z,5\n2026-01-01T00:01:00Z,6\n").unwrap();
    let text = STATIONS.replace("rate = \"10/s\"", "trace = { file = \"t.csv\" }");
    let error = scenario::parse(&dir.join("s.toml"), text, &Catalogue::builtin()).unwrap_err();
    assert!(error.to_string().contains("header"), "{error}");
    assert_eq!(error.line, 1);
}

#[test]
fn storage_is_counted_in_gib_whether_written_gb_or_gib() {
    let rds = |storage: &str| {
        format!(
            r#"
[scenario]
name = "db"
start = "2026-01-01T00:00:00Z"
duration = "10m"
[traffic]
entry = "web"
rate = "10/s"
[components.web]
type = "ec2"
instance_type = "m7g.large"
count = 1
cpu = "1ms"
database = "db"
[components.db]
type = "rds"
instance_class = "db.r6g.large"
query = "1ms"
storage = "{storage}"
"#
        )
    };
    let gib = |text: String| match &check(&text).unwrap().components[1].kind {
        scenario::model::ComponentKind::Rds(db) => db.storage_gb,
        _ => unreachable!(),
    };
    assert_eq!(gib(rds("100GB")), 100);
    assert_eq!(gib(rds("100GiB")), 100);
    assert_eq!(gib(rds("2TiB")), 2048);
    refused(&rds("19GB"), "components.db.storage", "from 20 to 65536");
    refused(&rds("100TB"), "components.db.storage", "from 20 to 65536");
}

/// In STATIONS a request at `a` visits `a` twice on average (N = 1 / (1 −
/// 0.5)); with an exit share of 10⁻⁶ it would visit a million times.
#[test]
fn a_loop_left_too_rarely_is_refused() {
    let text = STATIONS.replace(
        r#"next = [{ to = "a", p = 0.5 }, { to = "exit", p = 0.5 }]"#,
        r#"next = [{ to = "a", p = 0.999999 }, { to = "exit", p = 0.000001 }]"#,
    );
    refused(&text, "components.b.next", "1000000 times");
}

#[test]
fn users_who_never_think_are_refused() {
    let text = r#"
[scenario]
name = "users"
start = "2026-01-01T00:00:00Z"
duration = "10m"
[traffic]
entry = "a"
[users]
count = 10
think = "0s"
[components.a]
type = "station"
servers = 1
service = "0ms"
"#;
    refused(text, "users.think", "think time is zero");
}
