//! Auto Scaling against AWS's documented rules and hand-worked arithmetic:
//! the timing of the first scale-out after a load step, the time until new
//! capacity takes traffic, step and scheduled capacities, the bill of a
//! group's instance lives, CPU credits, and refused configurations.

use std::path::Path;

use cloudtwin::billing::bill::bill;
use cloudtwin::catalogue::Catalogue;
use cloudtwin::scenario::{self, Scenario, ScenarioError};
use cloudtwin::sim::{self, RunResult};

/// c7g.large, us-east-1, Linux on-demand: 0.0725 USD per hour (AWS pricing
/// data, January 2026), written here rather than read from the catalogue.
const C7G_LARGE_USD_PER_HOUR: f64 = 0.0725;

fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    scenario::parse(Path::new("scaling.toml"), text.to_string(), &Catalogue::builtin())
}

fn run(text: &str) -> RunResult {
    sim::run(&parse(text).expect("valid scenario"), 0)
}

/// A group of c7g.large behind an ALB; 10 ms of CPU per request, so one
/// instance (2 vCPUs) serves 200 requests/s at 100 %. `traffic` and
/// `scaling` are TOML fragments.
fn group(traffic: &str, scaling: &str, duration: &str) -> String {
    format!(
        r#"
        [scenario]
        name = "group"
        start = "2026-01-01T00:00:00Z"
        warmup = "0s"
        duration = "{duration}"
        seed = 3
        [traffic]
        entry = "lb"
        arrivals = "deterministic"
        {traffic}
        [components.lb]
        type = "alb"
        targets = "web"
        [components.web]
        type = "ec2"
        instance_type = "c7g.large"
        count = 2
        workers = 64
        accept_queue = 100000
        cpu = "10ms"
        [components.web.scaling]
        {scaling}
        "#
    )
}

const TRACKING: &str = r#"
    min = 2
    max = 20
    launch_time = { dist = "uniform", min = "40s", max = "90s" }
    health_check_interval = "30s"
    instance_warmup = "2m"
    metric_delay = "60s"
    [[components.web.scaling.policies]]
    type = "target_tracking"
    metric = "cpu"
    target = 50
    scale_out_periods = 3
"#;

/// The load steps from 200/s (50 % CPU on two instances) to 800/s at
/// 10 min 15 s. The alarm needs three breaching 1-minute datapoints, each
/// visible 60 s after its period ends. The first breaching period is the
/// one that holds the step (it ends at 11 min, at most one period after the
/// step), so the first decision falls in
/// [step + 2 periods + delay, step + 3 periods + delay].
/// Each instance it launches boots in 40–90 s and takes traffic after its
/// first health check, up to 30 s later.
#[test]
fn first_scale_out_and_new_capacity_fall_inside_the_windows_aws_timing_allows() {
    let step = 615.0;
    let traffic = r#"steps = [{ at = "0s", rate = "200/s" }, { at = "10m15s", rate = "800/s" }]"#;
    let result = run(&group(traffic, TRACKING, "30m"));
    let first = result.scaling_log.iter().find(|d| d.to > d.from).expect("the group scales out");
    let (period, delay) = (60.0, 60.0);
    assert!(
        first.time_s >= step + 2.0 * period + delay && first.time_s <= step + 3.0 * period + delay,
        "first scale-out at {} s",
        first.time_s
    );
    assert!(first.datapoints.ends_with("100.00"), "datapoints {}", first.datapoints);

    let fleet = &result.fleets[0];
    let launched: Vec<_> =
        fleet.instances.iter().filter(|i| (i.launched_s - first.time_s).abs() < 1e-9).collect();
    assert_eq!(launched.len() as u32, first.to - first.from);
    for instance in launched {
        let in_service = instance.in_service_s.expect("the new instance entered service");
        let waited = in_service - first.time_s;
        assert!((40.0..=120.0).contains(&waited), "in service {waited} s after the decision");
    }
}

/// Before the step, 200/s at 10 ms on two 2-vCPU instances is exactly
/// 50 %: at the target, never above it, so no decision is taken.
#[test]
fn a_metric_at_its_target_takes_no_decision() {
    let result = run(&group(r#"rate = "200/s""#, TRACKING, "20m"));
    assert!(result.scaling_log.iter().all(|d| d.to == d.from), "{:?}", result.scaling_log);
    assert_eq!(result.fleets[0].launched, 2);
}

/// Step scaling with percent adjustments, hand-worked from AWS's rules
/// (threshold 50 %, steps 0–20 → +10 %, 20–∞ → +50 %, min magnitude 2):
/// the load takes CPU on the two instances to 100 %, a breach of 50, so
/// the +50 % step applies: 50 % of 2 is 1, lifted to the minimum magnitude
/// of 2 → 4 instances. The alarm needs one datapoint, visible 60 s after
/// its minute, so the decision comes at 2 min for a load from the start.
#[test]
fn step_scaling_applies_the_documented_percent_rounding() {
    let scaling = r#"
        min = 2
        max = 10
        metric_delay = "60s"
        instance_warmup = "10m"
        [[components.web.scaling.policies]]
        type = "step"
        metric = "cpu"
        threshold = 50
        when = "above"
        evaluation_periods = 1
        adjustment_type = "percent"
        min_adjustment_magnitude = 2
        steps = [{ lower = 0, upper = 20, adjustment = 10 }, { lower = 20, adjustment = 50 }]
    "#;
    let result = run(&group(r#"rate = "600/s""#, scaling, "10m"));
    let first = result.scaling_log.first().expect("a decision");
    assert_eq!((first.from, first.to), (2, 4), "{first:?}");
    assert!((first.time_s - 120.0).abs() < 1e-9, "{first:?}");
    // While the two new instances warm up, the same breach asks for 50 % of
    // the capacity that is not warming (2 → +2): already covered.
    let second = result.scaling_log.get(1).unwrap_or_else(|| panic!("{:?}", result.scaling_log));
    assert_eq!((second.from, second.to), (4, 4), "{second:?}");
    assert!(second.reason.contains("warming"), "{second:?}");
}

/// Simple scaling waits for its activity to complete and then for its
/// cooldown before acting again.
#[test]
fn simple_scaling_honours_its_cooldown() {
    let scaling = r#"
        min = 2
        max = 10
        launch_time = "60s"
        health_check_interval = "10s"
        metric_delay = "60s"
        [[components.web.scaling.policies]]
        type = "simple"
        metric = "cpu"
        threshold = 80
        when = "above"
        adjustment_type = "change"
        adjustment = 1
        cooldown = "5m"
    "#;
    let result = run(&group(r#"rate = "1000/s""#, scaling, "20m"));
    let taken: Vec<_> = result.scaling_log.iter().filter(|d| d.to > d.from).collect();
    assert!(taken.len() >= 2, "{:?}", result.scaling_log);
    // The activity takes 60 s to boot and up to 10 s to pass its check;
    // then 5 minutes of cooldown: at least 360 s between actions.
    let gap = taken[1].time_s - taken[0].time_s;
    assert!(gap >= 360.0, "actions {gap} s apart");
    assert!(result.scaling_log.iter().any(|d| d.reason.contains("cooldown")));
}

/// Scheduled actions set min, max and desired at their times: desired 6 at
/// 5 min, then max 3 at 10 min pulls desired down to 3.
#[test]
fn scheduled_actions_set_the_capacity() {
    let scaling = r#"
        min = 1
        max = 10
        launch_time = "30s"
        health_check_interval = "10s"
        [[components.web.scaling.scheduled]]
        at = "5m"
        desired = 6
        [[components.web.scaling.scheduled]]
        at = "2026-01-01T00:10:00Z"
        max = 3
    "#;
    let result = run(&group(r#"rate = "100/s""#, scaling, "15m"));
    let steps: Vec<_> = result.scaling_log.iter().map(|d| (d.time_s, d.from, d.to)).collect();
    assert_eq!(steps, vec![(300.0, 2, 6), (600.0, 6, 3)]);
    let minute = |m: usize| result.windows[m].fleets[0];
    assert_eq!(minute(4).in_service, 2);
    assert_eq!(minute(6).in_service, 6);
    assert_eq!(minute(11).in_service + minute(11).draining, 3);
}

/// The group's EC2 charge is the sum over instance lives, each billed per
/// second with a 60-second minimum, at AWS's published hourly price.
#[test]
fn a_groups_cost_is_the_sum_of_its_instance_lives() {
    let traffic = r#"steps = [{ at = "0s", rate = "200/s" }, { at = "5m", rate = "900/s" }, { at = "25m", rate = "100/s" }]"#;
    let tracking = TRACKING
        .replace("scale_out_periods = 3", "scale_out_periods = 3\n    scale_in_periods = 3");
    let text = group(traffic, &tracking, "50m");
    let scenario = parse(&text).unwrap();
    let result = sim::run(&scenario, 0);
    let fleet = &result.fleets[0];
    assert!(fleet.launched > 4, "the group scaled out");
    assert!(fleet.instances.iter().any(|i| i.terminated_s.is_some()), "and in");
    let seconds: f64 = fleet
        .instances
        .iter()
        .map(|i| {
            let end = i.terminated_s.unwrap_or(50.0 * 60.0).min(50.0 * 60.0);
            (end - i.launched_s.max(0.0)).ceil().max(60.0)
        })
        .sum();
    let expected_cents = (seconds * C7G_LARGE_USD_PER_HOUR / 3_600.0 * 100.0).round() as i64;
    let line =
        bill(&scenario, &result.usage).lines.into_iter().find(|l| l.service == "EC2").unwrap();
    let billed_cents = (line.window.as_usd_f64() * 100.0).round() as i64;
    assert_eq!(billed_cents, expected_cents, "{seconds} instance-seconds");
}

fn burstable(mode: &str, initial: f64) -> String {
    format!(
        r#"
        [scenario]
        name = "credits"
        start = "2026-01-01T00:00:00Z"
        warmup = "0s"
        duration = "1h"
        seed = 4
        [traffic]
        entry = "web"
        rate = "100/s"
        arrivals = "deterministic"
        [components.web]
        type = "ec2"
        instance_type = "t3.medium"
        count = 1
        workers = 64
        cpu = "10ms"
        cpu_credits = "{mode}"
        initial_credits = {initial}
        "#
    )
}

/// AWS: a t3.medium earns 24 credits an hour; one credit is one vCPU at
/// 100 % for a minute. 100 requests/s at 10 ms keep one of its two vCPUs
/// busy: 50 % utilisation, 60 credits an hour. From 100 credits an hour
/// leaves 100 + 24 − 60 = 64.
#[test]
fn credit_balance_after_an_hour_follows_awss_arithmetic() {
    let result = run(&burstable("standard", 100.0));
    let credits = result.fleets[0].credits_at_end.unwrap();
    assert!((credits - 64.0).abs() < 0.5, "balance {credits}");
}

/// With 20 credits the standard instance runs dry after 20 / 36 h ≈ 33
/// minutes and is held to its 20 % baseline (0.4 vCPU), below the 1 vCPU
/// the load needs; in unlimited mode it keeps going and owes 16 surplus
/// credits (20 + 24 − 60 = −16), billed at 0.05 USD per vCPU-hour.
#[test]
fn standard_mode_throttles_and_unlimited_bills_the_surplus() {
    let standard = run(&burstable("standard", 20.0));
    let throttled = standard.windows.iter().filter(|w| w.fleets[0].throttled > 0).count();
    assert!((25..=29).contains(&throttled), "{throttled} minutes throttled");
    assert!(standard.in_flight_at_end > 1_000, "the backlog grows once throttled");

    let text = burstable("unlimited", 20.0);
    let scenario = parse(&text).unwrap();
    let unlimited = sim::run(&scenario, 0);
    let surplus = unlimited.fleets[0].surplus_credits.unwrap();
    assert!((surplus - 16.0).abs() < 0.5, "surplus {surplus}");
    let line = bill(&scenario, &unlimited.usage)
        .lines
        .into_iter()
        .find(|l| l.item.contains("surplus"))
        .expect("a surplus line");
    let expected = surplus / 60.0 * 0.05;
    assert!((line.window.as_usd_f64() - expected).abs() < 1e-6);
}

fn refused(text: &str) -> ScenarioError {
    parse(text).expect_err("the scenario must be refused")
}

#[test]
fn impossible_groups_are_refused_with_their_key() {
    let base = group(r#"rate = "100/s""#, "min = 5\nmax = 3", "10m");
    let e = refused(&base);
    assert_eq!(e.key, "components.web.scaling.max");
    assert!(e.problem.contains("below min"), "{e}");

    let count = group(r#"rate = "100/s""#, "min = 3\nmax = 5", "10m");
    assert_eq!(refused(&count).key, "components.web.count");

    for target in ["0", "101", "-5"] {
        let t = TRACKING.replace("target = 50", &format!("target = {target}"));
        let e = refused(&group(r#"rate = "100/s""#, &t, "10m"));
        assert_eq!(e.key, "components.web.scaling.policies[0].target", "{target}: {e}");
        assert!(e.line > 0);
    }

    let outside =
        "min = 1\nmax = 5\n[[components.web.scaling.scheduled]]\nat = \"2h\"\ndesired = 3";
    let e = refused(&group(r#"rate = "100/s""#, outside, "10m"));
    assert_eq!(e.key, "components.web.scaling.scheduled[0].at");
    assert!(e.problem.contains("outside the run"), "{e}");

    let never =
        "min = 1\nmax = 5\n[[components.web.scaling.scheduled]]\ncron = \"0 3 * * *\"\nmin = 2";
    assert!(
        refused(&group(r#"rate = "100/s""#, never, "10m")).problem.contains("matches no minute")
    );
}

#[test]
fn a_load_balancer_metric_needs_a_load_balancer() {
    let text = r#"
        [scenario]
        name = "nolb"
        start = "2026-01-01T00:00:00Z"
        duration = "10m"
        [traffic]
        entry = "web"
        rate = "10/s"
        [components.web]
        type = "ec2"
        instance_type = "c7g.large"
        count = 2
        workers = 8
        cpu = "1ms"
        [components.web.scaling]
        min = 1
        max = 4
        [[components.web.scaling.policies]]
        type = "target_tracking"
        metric = "requests_per_target"
        target = 1000
    "#;
    let e = refused(text);
    assert_eq!(e.key, "components.web.scaling.policies[0].metric");
    assert!(e.problem.contains("no alb"), "{e}");
}

/// Scale-in removes the oldest or the newest instance as the termination
/// policy says: desired 4 at 2 min, then 3 at 8 min.
#[test]
fn termination_policies_choose_the_instance_that_goes() {
    for (policy, goes) in [("oldest_instance", 0), ("newest_instance", 3)] {
        let scaling = format!(
            r#"
            min = 1
            max = 10
            launch_time = "30s"
            health_check_interval = "10s"
            deregistration_delay = "0s"
            termination = "{policy}"
            [[components.web.scaling.scheduled]]
            at = "2m"
            desired = 4
            [[components.web.scaling.scheduled]]
            at = "8m"
            desired = 3
            "#
        );
        let result = run(&group(r#"rate = "100/s""#, &scaling, "10m"));
        let instances = &result.fleets[0].instances;
        assert_eq!(instances.len(), 4, "{policy}");
        let terminated: Vec<usize> =
            (0..4).filter(|&i| instances[i].terminated_s.is_some()).collect();
        assert_eq!(terminated, vec![goes], "{policy}");
        assert!((instances[goes].terminated_s.unwrap() - 480.0).abs() < 1.0, "{policy}");
    }
}

/// Two groups each report their own decisions.
#[test]
fn each_group_reports_its_own_decisions() {
    let text = group(
        r#"steps = [{ at = "0s", rate = "200/s" }, { at = "10m15s", rate = "800/s" }]"#,
        TRACKING,
        "30m",
    ) + r#"
        [components.idle]
        type = "ec2"
        instance_type = "c7g.large"
        count = 2
        cpu = "10ms"
        [components.idle.scaling]
        min = 2
        max = 4
        [[components.idle.scaling.policies]]
        type = "target_tracking"
        metric = "cpu"
        target = 50
        "#;
    let result = run(&text);
    for fleet in &result.fleets {
        let mine: Vec<_> =
            result.scaling_log.iter().filter(|d| d.component == fleet.name).collect();
        let taken = mine.iter().filter(|d| d.from != d.to).count() as u64;
        assert_eq!(
            (fleet.decisions_taken, fleet.decisions_not_taken),
            (taken, mine.len() as u64 - taken)
        );
    }
    assert!(result.fleets[0].decisions_taken > 0);
    assert_eq!(result.fleets[1].decisions_taken, 0);
}
