//! Clients and request classes against independently known values: the
//! expected number of tries under a fixed failure probability, timeouts
//! that waste the server's work, class shares and their per-class work.

use std::path::Path;

use cloudtwin::catalogue::Catalogue;
use cloudtwin::scenario::{self, Scenario};
use cloudtwin::sim;

fn scenario(text: &str) -> Scenario {
    scenario::parse(Path::new("test.toml"), text.to_string(), &Catalogue::builtin())
        .expect("valid scenario")
}

fn flaky(p: f64, attempts: u32) -> String {
    format!(
        r#"
        [scenario]
        name = "flaky"
        start = "2026-01-01T00:00:00Z"
        warmup = "10s"
        duration = "20m"
        seed = 9
        [traffic]
        entry = "api"
        rate = "200/s"
        [client]
        max_attempts = {attempts}
        backoff = {{ base = "1ms", jitter = "none" }}
        [components.api]
        type = "station"
        servers = "unlimited"
        service = "2ms"
        error_probability = {p}
        "#
    )
}

#[test]
fn tries_per_request_match_the_geometric_formula() {
    for (p, k) in [(0.3, 3), (0.5, 4), (0.1, 2)] {
        let result = sim::run(&scenario(&flaky(p, k)), 0);
        // Each attempt fails independently with probability p, so a request
        // makes (1 − p^k) / (1 − p) attempts on average and fails for good
        // with probability p^k.
        let expected = (1.0 - f64::powi(p, k as i32)) / (1.0 - p);
        let finished = (result.completed + result.failed) as f64;
        let tries = result.attempts as f64 / result.arrivals as f64;
        // Tries per request have variance below k²/4; the standard error of
        // the mean over n requests is below k / (2√n). Allow four of them.
        let tolerance = 4.0 * k as f64 / (2.0 * (result.arrivals as f64).sqrt());
        assert!(
            (tries - expected).abs() < tolerance,
            "p={p} k={k}: {tries:.4} tries, formula {expected:.4}"
        );
        let failed_share = result.failed as f64 / finished;
        let pk = f64::powi(p, k as i32);
        let se = (pk * (1.0 - pk) / finished).sqrt();
        assert!(
            (failed_share - pk).abs() < 4.0 * se.max(1e-6),
            "p={p} k={k}: failed {failed_share:.5}, p^k {pk:.5}"
        );
        // Every request makes one first attempt; the rest are retries.
        assert_eq!(result.retries, result.attempts - result.arrivals);
    }
}

#[test]
fn a_timeout_shorter_than_the_service_wastes_every_attempt() {
    let text = r#"
        [scenario]
        name = "slow"
        start = "2026-01-01T00:00:00Z"
        warmup = "0s"
        duration = "10m"
        seed = 1
        [traffic]
        entry = "api"
        rate = "5/s"
        [client]
        timeout = "50ms"
        max_attempts = 2
        backoff = { base = "10ms", jitter = "none" }
        [components.api]
        type = "station"
        servers = "unlimited"
        service = "100ms"
    "#;
    let result = sim::run(&scenario(text), 0);
    // Every attempt takes 100 ms and is given up at 50 ms: nothing
    // succeeds, each request makes two attempts, and the server finishes
    // every one of them for nobody.
    assert_eq!(result.completed, 0);
    assert!(result.arrivals > 2_500);
    assert_eq!(result.attempts, 2 * result.arrivals);
    assert_eq!(result.errors.timed_out, result.attempts);
    assert!(
        result.wasted + 2 >= result.attempts && result.wasted <= result.attempts,
        "{} wasted",
        result.wasted
    );
    assert_eq!(result.failed + result.in_flight_at_end, result.arrivals);
}

#[test]
fn class_shares_and_their_work_set_the_load() {
    let text = r#"
        [scenario]
        name = "classes"
        start = "2026-01-01T00:00:00Z"
        warmup = "30s"
        duration = "20m"
        seed = 4
        [traffic]
        entry = "web"
        rate = "400/s"
        [classes.browse]
        share = 0.75
        work.web = { cpu = "2ms" }
        work.db = { queries = 0 }
        [classes.buy]
        share = 0.25
        work.web = { cpu = "6ms" }
        work.db = { query = "4ms", queries = 2, kind = "write" }
        [components.web]
        type = "ec2"
        instance_type = "m7g.xlarge"
        count = 2
        cpu = "1ms"
        database = "db"
        [components.db]
        type = "rds"
        instance_class = "db.r6g.xlarge"
        query = "1ms"
    "#;
    let s = scenario(text);
    let result = sim::run(&s, 0);
    let browse = &result.classes.iter().find(|c| c.name == "browse").unwrap();
    let n = result.arrivals as f64;
    // Binomial share: standard error sqrt(0.75 × 0.25 / n).
    let share = browse.arrived as f64 / n;
    assert!((share - 0.75).abs() < 4.0 * (0.75 * 0.25 / n).sqrt(), "browse share {share}");
    // Offered CPU: 400/s × (0.75 × 2 ms + 0.25 × 6 ms) = 1.2 vCPU of 8.
    let util = |name: &str| result.tiers.iter().find(|t| t.name == name).unwrap().utilization;
    assert!((util("web.cpu") - 1.2 / 8.0).abs() < 0.005, "web.cpu {}", util("web.cpu"));
    // Database: only buyers query, twice, 4 ms each: 400 × 0.25 × 8 ms = 0.8 of 4 vCPUs.
    assert!((util("db.cpu") - 0.8 / 4.0).abs() < 0.005, "db.cpu {}", util("db.cpu"));
}

#[test]
fn shares_that_do_not_add_up_and_work_at_a_missing_component_are_refused() {
    let base = r#"
        [scenario]
        name = "bad"
        start = "2026-01-01T00:00:00Z"
        duration = "10m"
        [traffic]
        entry = "web"
        rate = "10/s"
        [classes.a]
        share = 0.5
        [classes.b]
        share = 0.4
        [components.web]
        type = "ec2"
        instance_type = "m7g.large"
        count = 1
        cpu = "1ms"
    "#;
    let check = |text: &str| {
        scenario::parse(Path::new("bad.toml"), text.to_string(), &Catalogue::builtin())
    };
    let error = check(base).unwrap_err();
    assert_eq!(error.key, "classes");
    assert!(error.problem.contains("add up to 0.9"), "{error}");
    let error =
        check(&base.replace("share = 0.4", "share = 0.5\n        work.wbe = { cpu = \"1ms\" }"))
            .unwrap_err();
    assert_eq!(error.key, "classes.b.work.wbe");
    assert_eq!(error.hint.as_deref(), Some("did you mean `web`?"));
}
