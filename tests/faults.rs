//! Faults against AWS's documented health-check rules and hand-worked
//! arithmetic: when a crashed instance stops receiving requests, how many
//! requests fail meanwhile, when the Auto Scaling group replaces it (health
//! check type and grace period), fail-open, and the bill of a terminated
//! instance.

use std::path::Path;

use cloudtwin::billing::bill::bill;
use cloudtwin::catalogue::Catalogue;
use cloudtwin::scenario::{self, Scenario, ScenarioError};
use cloudtwin::sim::{self, LoggedEvent, RunResult};

/// c7g.large, us-east-1, Linux on-demand: 0.0725 USD per hour (AWS pricing
/// data, January 2026), written here rather than read from the catalogue.
const C7G_LARGE_USD_PER_HOUR: f64 = 0.0725;

fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    scenario::parse(Path::new("faults.toml"), text.to_string(), &Catalogue::builtin())
}

fn run(text: &str) -> RunResult {
    sim::run(&parse(text).expect("valid scenario"), 0)
}

/// Two c7g.large behind a round-robin ALB at 100 requests/s (5 ms of CPU
/// each, far from saturation); `fleet` and `faults` are TOML fragments.
fn scenario(fleet: &str, faults: &str, seed: u64) -> String {
    format!(
        r#"
        [scenario]
        name = "faults"
        start = "2026-01-01T00:00:00Z"
        warmup = "0s"
        duration = "20m"
        seed = {seed}
        [traffic]
        entry = "lb"
        rate = "100/s"
        [components.lb]
        type = "alb"
        targets = "web"
        [components.web]
        type = "ec2"
        instance_type = "c7g.large"
        count = 2
        workers = 64
        cpu = "5ms"
        {fleet}
        {faults}
        "#
    )
}

const CRASH_AT_2M: &str = r#"
    [[faults]]
    at = "2m"
    kind = "crash"
    target = "web"
"#;

fn events<'a>(result: &'a RunResult, kind: &str) -> Vec<&'a LoggedEvent> {
    result.event_log.iter().filter(|e| e.event == kind).collect()
}

/// AWS: a target is marked unhealthy after `unhealthy_threshold` failed
/// checks in a row, one every `interval`. The first check after the crash
/// falls somewhere in the next interval, so with 30 s and 2 failures the
/// verdict comes between 30 s and 60 s after the crash. Until then round
/// robin sends every other request to the dead instance: 50/s fail, so
/// the failures are 50/s times that gap, within Poisson noise (4 standard
/// deviations), and none come after it.
#[test]
fn a_crashed_instance_fails_half_the_requests_until_its_health_checks_fail() {
    for seed in 1..=5 {
        let result = run(&scenario("", CRASH_AT_2M, seed));
        let unhealthy = events(&result, "unhealthy");
        assert_eq!(unhealthy.len(), 1, "{:?}", result.event_log);
        let gap = unhealthy[0].time_s - 120.0;
        assert!((30.0..=60.0).contains(&gap), "marked unhealthy {gap} s after the crash");

        let expected = 50.0 * gap;
        let failed = result.errors.target_down as f64;
        assert!(
            (failed - expected).abs() <= 4.0 * expected.sqrt() + 2.0,
            "{failed} requests failed, expected about {expected:.0}"
        );
        assert_eq!(result.failed, result.errors.target_down, "no retries: each failure is final");
        // The attempts in flight at the crash instant fail with it: at
        // 50/s and 5 ms each, fewer than one on average.
        assert!(result.windows[1].errors <= 3);
        let after = (unhealthy[0].time_s / 60.0).ceil() as usize;
        for (minute, row) in result.windows.iter().enumerate() {
            if minute < 1 || minute >= after {
                assert_eq!(row.errors, 0, "errors in minute {minute}");
            }
        }
    }
}

/// A group with ELB health checks replaces a crashed instance, but not
/// before its grace period has passed since it entered service. Here one
/// instance is terminated at 1 min; its replacement boots in 60 s and
/// enters service at its first health check. At 5 min both remaining
/// instances crash: the one in service since the start is long past its
/// grace period and is replaced at the load balancer's verdict, the young
/// one 10 min after it entered service.
#[test]
fn elb_health_checks_replace_a_crashed_instance_after_the_grace_period() {
    let fleet = r#"
        [components.web.scaling]
        min = 2
        max = 2
        health_check_type = "elb"
        health_check_grace_period = "10m"
        launch_time = "60s"
    "#;
    let faults = r#"
        [[faults]]
        at = "1m"
        kind = "terminate"
        target = "web"
        [[faults]]
        at = "5m"
        kind = "crash"
        target = "web"
        count = 2
    "#;
    let result = run(&scenario(fleet, faults, 1));
    let unhealthy = events(&result, "unhealthy");
    let replaced = events(&result, "replaced");
    assert_eq!((unhealthy.len(), replaced.len()), (2, 2), "{:?}", result.event_log);
    let fleet = &result.fleets[0];
    let young = &fleet.instances[2];
    let entered = young.in_service_s.expect("the first replacement took traffic");
    assert!((120.0..=160.0).contains(&entered), "in service at {entered} s");

    let old_verdict = unhealthy.iter().find(|e| e.detail.starts_with("instance 1 ")).unwrap();
    let old_replaced = replaced.iter().find(|e| e.detail.starts_with("instance 1 ")).unwrap();
    assert_eq!(old_replaced.time_s, old_verdict.time_s);
    let young_replaced = replaced.iter().find(|e| e.detail.starts_with("instance 2 ")).unwrap();
    assert!((young_replaced.time_s - (entered + 600.0)).abs() < 1e-6);
    assert_eq!(fleet.instances[2].terminated_s, Some(young_replaced.time_s));
    let last = fleet.instances.last().unwrap();
    assert_eq!(last.launched_s, young_replaced.time_s);
    let in_service = last.in_service_s.expect("the last replacement took traffic");
    assert!(in_service - last.launched_s <= 90.0 && in_service - last.launched_s >= 60.0);
}

/// When the grace period is already over, the group acts at the load
/// balancer's verdict.
#[test]
fn with_the_grace_period_over_the_group_replaces_at_the_verdict() {
    let fleet = r#"
        [components.web.scaling]
        min = 2
        max = 2
        health_check_type = "elb"
        health_check_grace_period = "60s"
    "#;
    let result = run(&scenario(fleet, CRASH_AT_2M, 1));
    let unhealthy = events(&result, "unhealthy");
    let replaced = events(&result, "replaced");
    assert_eq!(replaced.len(), 1, "{:?}", result.event_log);
    assert_eq!(replaced[0].time_s, unhealthy[0].time_s);
}

/// With health check type EC2 (AWS's default) the group never sees a
/// crashed application: the instance stays, billed, out of rotation.
#[test]
fn ec2_health_checks_keep_a_crashed_instance() {
    let fleet = r#"
        [components.web.scaling]
        min = 2
        max = 2
    "#;
    let result = run(&scenario(fleet, CRASH_AT_2M, 1));
    assert!(events(&result, "replaced").is_empty());
    assert_eq!(events(&result, "kept").len(), 1);
    assert_eq!(result.fleets[0].launched, 2);
    assert!(result.fleets[0].instances[0].terminated_s.is_none());
}

/// AWS: when every target is unhealthy the ALB fails open and routes to
/// them all, so a fleet whose only instance crashed keeps answering 502
/// (target down), never 503 (no targets).
#[test]
fn a_load_balancer_with_no_healthy_target_fails_open() {
    let text = scenario("", CRASH_AT_2M, 1).replace("count = 2", "count = 1");
    let result = run(&text);
    assert_eq!(events(&result, "unhealthy").len(), 1);
    assert_eq!(result.errors.no_targets, 0);
    let before_crash = result.windows[0].arrivals + result.windows[1].arrivals;
    assert!(result.completed <= before_crash && result.completed + 5 >= before_crash);
    assert_eq!(result.failed, result.arrivals - result.completed);
    assert_eq!(result.errors.target_down, result.failed);
}

/// A terminated instance stops billing at once: two instances for 20 min,
/// one of them terminated at 5 min 30 s, is 40 + 5.5 − 20 = 25.5
/// instance-minutes at 0.0725 USD per hour. A group notices the loss at
/// its next 10-second evaluation and launches a replacement.
#[test]
fn a_terminated_instance_stops_billing_and_a_group_replaces_it() {
    let faults = r#"
        [[faults]]
        at = "5m30s"
        kind = "terminate"
        target = "web"
    "#;
    let text = scenario("", faults, 1);
    let scenario = parse(&text).expect("valid");
    let result = sim::run(&scenario, 0);
    let line = bill(&scenario, &result.usage)
        .lines
        .into_iter()
        .find(|l| l.service == "EC2")
        .expect("an EC2 line");
    let minutes = 20.0 + 5.5;
    let expected = minutes / 60.0 * C7G_LARGE_USD_PER_HOUR;
    assert!((line.window.as_usd_f64() - expected).abs() < 1e-9, "{}", line.window);

    let grouped = scenario_text_with_group(faults);
    let result = run(&grouped);
    let replacement = &result.fleets[0].instances[2];
    assert!((330.0..=340.0).contains(&replacement.launched_s), "{}", replacement.launched_s);
}

fn scenario_text_with_group(faults: &str) -> String {
    let fleet = r#"
        [components.web.scaling]
        min = 2
        max = 2
    "#;
    scenario(fleet, faults, 1)
}

/// Faults are checked like every other key.
#[test]
fn bad_faults_are_refused_with_their_key() {
    let cases = [
        (r#"at = "30m""#, "crash", "web", "faults[0].at", "outside the run"),
        (r#"at = "1m""#, "explode", "web", "faults[0].kind", "unknown fault"),
        (r#"at = "1m""#, "crash", "lb", "faults[0].target", "of type `alb`"),
        (r#"at = "1m""#, "crash", "wbe", "faults[0].target", "wbe"),
    ];
    for (at, kind, target, key, words) in cases {
        let faults = format!(
            r#"
            [[faults]]
            {at}
            kind = "{kind}"
            target = "{target}"
            "#
        );
        let error = parse(&scenario("", &faults, 1)).expect_err("refused");
        let text = error.to_string();
        assert!(text.contains(key) && text.contains(words), "{text}");
    }
}

/// A termination hits crashed instances too: they are running and billed,
/// and terminating them is how an operator clears them.
#[test]
fn terminating_crashed_instances_stops_their_bill() {
    let faults = r#"
        [[faults]]
        at = "2m"
        kind = "crash"
        target = "web"
        count = 2
        [[faults]]
        at = "4m"
        kind = "terminate"
        target = "web"
        count = 2
    "#;
    let result = run(&scenario("", faults, 1));
    assert_eq!(events(&result, "terminated").len(), 2, "{:?}", result.event_log);
    let lives = &result.fleets[0].instances;
    assert!(lives.iter().all(|i| i.terminated_s == Some(240.0)));
}

/// Without a load balancer nothing checks the instances' health: requests
/// spread over the fleet keep reaching a crashed instance, and ELB health
/// checks are refused.
#[test]
fn without_a_load_balancer_a_crash_is_never_detected() {
    let text = scenario("", CRASH_AT_2M, 1)
        .replace("entry = \"lb\"", "entry = \"web\"")
        .replace("[components.lb]\n        type = \"alb\"\n        targets = \"web\"", "");
    let result = run(&text);
    assert!(events(&result, "unhealthy").is_empty(), "{:?}", result.event_log);
    let late = result.windows.last().unwrap();
    assert!(late.errors > 2_000, "half the requests still fail: {}", late.errors);
    assert_eq!(result.errors.no_targets, 0);

    let elb = text.replace(
        "cpu = \"5ms\"",
        "cpu = \"5ms\"\n[components.web.scaling]\nmin = 2\nmax = 2\nhealth_check_type = \"elb\"",
    );
    let error = parse(&elb).expect_err("refused").to_string();
    assert!(error.contains("health_check_type") && error.contains("no alb"), "{error}");
}

/// Health checks run every 5 s to 300 s, as AWS allows.
#[test]
fn health_check_intervals_outside_awss_range_are_refused() {
    for interval in ["1ms", "4s", "301s", "1000h"] {
        let fleet = format!(
            "[components.web.scaling]\nmin = 2\nmax = 2\nhealth_check_interval = \"{interval}\""
        );
        let error = parse(&scenario(&fleet, "", 1)).expect_err("refused").to_string();
        assert!(error.contains("health_check_interval") && error.contains("5s to 300s"), "{error}");
    }
}
