//! Lambda, API Gateway and SQS against values known independently of the
//! simulator: AWS's published Lambda pricing examples and hand-worked bills,
//! Little's law for concurrency, Erlang B for throttles at a reserved
//! limit, the cold-start share from the idle lifetime, and SQS's delivery
//! rules and request counts.

use std::path::{Path, PathBuf};

use cloudtwin::billing::bill::bill;
use cloudtwin::catalogue::Catalogue;
use cloudtwin::components::lambda::LambdaCounts;
use cloudtwin::engine::keys::{Popularity, Zipf};
use cloudtwin::scenario::{self, Scenario, ScenarioError};
use cloudtwin::sim::{self, RunResult, Usage};

fn parse_with(text: &str, catalogue: &Catalogue) -> Result<Scenario, ScenarioError> {
    scenario::parse(Path::new("serverless.toml"), text.to_string(), catalogue)
}

fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    parse_with(text, &Catalogue::builtin())
}

fn run(text: &str, replication: u32) -> RunResult {
    sim::run(&parse(text).expect("valid scenario"), replication)
}

/// One function called directly at `rate`; `function` and `extra` are TOML
/// fragments.
fn function(rate: &str, duration: &str, function: &str, extra: &str) -> String {
    format!(
        r#"
        [scenario]
        name = "fn"
        start = "2026-01-01T00:00:00Z"
        warmup = "10m"
        duration = "{duration}"
        seed = 5
        [traffic]
        entry = "fn"
        rate = "{rate}"
        [components.fn]
        type = "lambda"
        memory = "1769MB"
        runtime = "python"
        timeout = "30s"
        {function}
        {extra}
        "#
    )
}

fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// A scenario whose measured window is one 730-hour month, with a function
/// of `memory`, so that a hand-made usage is priced as a month.
fn month_of(memory: &str, architecture: &str, free_tier: bool, provisioned: u32) -> String {
    format!(
        r#"
        [scenario]
        name = "month"
        start = "2026-01-01T00:00:00Z"
        warmup = "0s"
        duration = "730h"
        seed = 1
        [account]
        free_tier = {free_tier}
        [traffic]
        entry = "fn"
        rate = "1/s"
        [components.fn]
        type = "lambda"
        memory = "{memory}"
        architecture = "{architecture}"
        runtime = "python"
        cpu = "1ms"
        provisioned_concurrency = {provisioned}
        "#
    )
}

/// The lines of `scenario`'s bill for `usage`, as (item, window in cents).
fn lambda_cents(scenario: &Scenario, usage: &Usage) -> Vec<(String, i64)> {
    bill(scenario, usage)
        .lines
        .into_iter()
        .filter(|l| l.service == "Lambda")
        .map(|l| (l.item, (l.window.as_usd_f64() * 100.0).round() as i64))
        .collect()
}

fn usage_of(id: usize, counts: LambdaCounts) -> Usage {
    Usage { lambda: vec![(id, counts)], ..Usage::default() }
}

/// A catalogue directory whose Lambda x86_64 duration price is the one the
/// legacy pricing page's examples use, 0.00001667 per GB-s.
fn legacy_price_catalogue() -> (PathBuf, Catalogue) {
    let dir = std::env::temp_dir().join(format!("cloudtwin-legacy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = include_str!("../models/serverless.toml").replacen(
        "{ up_to = 6000000000, usd = \"0.0000166667\" }",
        "{ up_to = 6000000000, usd = \"0.00001667\" }",
        1,
    );
    std::fs::write(dir.join("serverless.toml"), text).unwrap();
    let catalogue = Catalogue::from_dir(&dir).expect("the override loads");
    (dir, catalogue)
}

/// AWS's Lambda pricing page, Example 1: 512 MB, 3 million invocations of
/// 1 s in a month, at 0.00001667 per GB-s and 0.20 per million requests,
/// with the free tier: (1,500,000 − 400,000) GB-s × 0.00001667 = $18.34,
/// and (3M − 1M) × $0.20/M = $0.40. Example 2: 128 MB, 30 million
/// invocations of 200 ms: (750,000 − 400,000) × 0.00001667 = $5.83, and
/// 29M × $0.20/M = $5.80.
#[test]
fn the_pricing_pages_examples_come_out_to_the_cent() {
    let (dir, catalogue) = legacy_price_catalogue();
    for (memory, invocations, ms, compute, requests) in
        [("512MB", 3_000_000u64, 1_000u64, 1834, 40), ("128MB", 30_000_000, 200, 583, 580)]
    {
        let s = parse_with(&month_of(memory, "x86_64", true, 0), &catalogue).expect("valid");
        let counts =
            LambdaCounts { invocations, billed_ms: invocations * ms, ..LambdaCounts::default() };
        let lines = lambda_cents(&s, &usage_of(0, counts));
        assert_eq!(lines[0], ("requests".to_string(), requests), "{lines:?}");
        assert_eq!(lines[1].1, compute, "{lines:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Today's prices, worked by hand from the rules (no free tier):
/// arm64, 512 MB, 10 million invocations of 120 ms: 600,000 GB-s ×
/// 0.0000133334 = $8.00004 → $8.00, and 10M × $0.20/M = $2.00. x86_64,
/// 10,240 MB, 800 million invocations of 1 s: 8,000,000,000 GB-s cross the
/// first tier: 6e9 × 0.0000166667 + 2e9 × 0.000015 = $130,000.20.
/// Provisioned concurrency, 10 × 1,024 MB for the month: 10 × 1 GB ×
/// 2,628,000 s × 0.0000041667 = $109.50.
#[test]
fn todays_prices_tiers_and_provisioned_concurrency_by_hand() {
    let s = parse(&month_of("512MB", "arm64", false, 0)).expect("valid");
    let counts =
        LambdaCounts { invocations: 10_000_000, billed_ms: 1_200_000_000, ..Default::default() };
    assert_eq!(
        lambda_cents(&s, &usage_of(0, counts)),
        [("requests".into(), 200), ("arm64 duration GB-s (512 MB, 1 ms rounding)".into(), 800)]
    );

    let s = parse(&month_of("10240MB", "x86_64", false, 0)).expect("valid");
    let counts =
        LambdaCounts { invocations: 800_000_000, billed_ms: 800_000_000_000, ..Default::default() };
    let lines = lambda_cents(&s, &usage_of(0, counts));
    assert_eq!(lines[1].1, 13_000_020, "{lines:?}");

    let s = parse(&month_of("1024MB", "x86_64", false, 10)).expect("valid");
    let lines = lambda_cents(&s, &usage_of(0, LambdaCounts::default()));
    let configured =
        lines.iter().find(|(item, _)| item.starts_with("provisioned concurrency GB-s"));
    assert_eq!(configured.map(|(_, c)| *c), Some(10_950), "{lines:?}");
}

/// Little's law: at a steady rate, the mean number of busy environments is
/// the arrival rate times the mean time an invocation holds one. At 1,769
/// MB the 40 ms of CPU take 40 ms; with 20 ms of waiting, 200/s × 60 ms =
/// 12 (cold starts are over in the warm-up).
#[test]
fn mean_concurrency_is_rate_times_duration() {
    let text = function(
        "200/s",
        "10m",
        r#"cpu = { dist = "exponential", mean = "40ms" }
        io = "20ms"
        idle_lifetime = "2h""#,
        "",
    );
    let means: Vec<f64> = (0..8).map(|r| run(&text, r).functions[0].mean_concurrency).collect();
    let (mean, se) = mean_and_se(&means);
    assert!((mean - 12.0).abs() < 4.0 * se.max(0.01), "mean concurrency {mean:.3} ± {se:.3}");
}

/// Erlang's loss formula B(c, a), by its stable recursion.
fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b))
}

/// With reserved concurrency c, Poisson arrivals and no retries, the
/// function is an M/G/c/c loss system: the share of invocations throttled
/// is Erlang B(c, λ·E[duration]), whatever the duration's distribution.
/// Here c = 10, λ = 100/s and durations of 80 ms: B(10, 8) ≈ 0.1217.
#[test]
fn throttles_at_a_reserved_limit_match_erlang_b() {
    let text = function(
        "100/s",
        "20m",
        r#"cpu = { dist = "lognormal", mean = "80ms", cv = 1.5 }
        reserved_concurrency = 10
        idle_lifetime = "2h""#,
        "",
    );
    let shares: Vec<f64> =
        (0..6).map(|r| run(&text, r).functions[0].throttle_share.unwrap()).collect();
    let (share, se) = mean_and_se(&shares);
    let expected = erlang_b(10, 8.0);
    assert!(
        (share - expected).abs() < 4.0 * se.max(0.001),
        "throttled {share:.4} ± {se:.4}, Erlang B {expected:.4}"
    );
    let result = run(&text, 0);
    assert_eq!(result.errors.throttled, result.failed, "a throttled request fails without retries");
}

/// At one invocation every ten minutes (Poisson) and 1 ms of work, an
/// invocation is cold exactly when the environment's idle lifetime L ran
/// out before it arrived: P(cold) = E[e^(−λL)]. For L uniform over 5–15
/// minutes and λ = 1/600 s that is (e^(−0.5) − e^(−1.5)) / 1.0 ≈ 0.3834.
/// 20,000 invocations make the binomial standard deviation 0.0034.
#[test]
fn the_cold_start_share_follows_from_the_idle_lifetime() {
    let text = function(
        "6/h",
        "3400h",
        r#"cpu = "1ms"
        idle_lifetime = { dist = "uniform", min = "5m", max = "15m" }"#,
        "",
    );
    let result = run(&text, 0);
    let f = &result.functions[0];
    let expected = (-0.5f64).exp() - (-1.5f64).exp();
    let n = f.counts.invocations as f64;
    let sd = (expected * (1.0 - expected) / n).sqrt();
    let share = f.cold_start_share.unwrap();
    assert!(n > 19_000.0);
    assert!(
        (share - expected).abs() < 4.0 * sd,
        "cold share {share:.4}, expected {expected:.4} ± {sd:.4}"
    );
}

/// A queue consumed by an EC2 fleet; `extra` adds to the queue's table.
fn queue(rate: &str, work: &str, queue_extra: &str) -> String {
    format!(
        r#"
        [scenario]
        name = "queue"
        start = "2026-01-01T00:00:00Z"
        warmup = "0s"
        duration = "20m"
        seed = 8
        [traffic]
        entry = "jobs"
        rate = "{rate}"
        [request]
        request_bytes = "100KiB"
        [components.jobs]
        type = "sqs"
        consumer = "workers"
        batch_size = 5
        visibility_timeout = "30s"
        {queue_extra}
        [components.workers]
        type = "ec2"
        instance_type = "c7g.2xlarge"
        count = 2
        workers = 20
        cpu = {work}
        "#
    )
}

/// Every message sent is deleted once, dead-lettered, or still in the
/// queue at the end; with processing shorter than the visibility timeout
/// none is processed twice. Each 100 KiB message is two 64 KB requests to
/// send; deletes are one per message.
#[test]
fn every_message_is_delivered_once_and_billed_as_aws_counts() {
    let result = run(&queue("20/s", "\"200ms\"", ""), 0);
    let q = &result.queues[0];
    let c = &q.counts;
    assert_eq!(c.sent, result.completed, "each producer's send is a message");
    assert_eq!(c.sent, c.deleted + c.dead_lettered + q.visible_at_end + q.invisible_at_end);
    assert_eq!((c.duplicates, c.returned, c.dead_lettered), (0, 0, 0));
    assert_eq!(c.send_requests, 2 * c.sent);
    assert_eq!(c.delete_requests, c.deleted);
    assert!(c.receive_requests >= c.received / 5 && c.receive_requests <= c.received);
}

/// Processing that outlasts the visibility timeout is done twice: the
/// message returns to the queue while its first receiver still works on
/// it. Deletes stay one per message; the second processing is counted as
/// a duplicate. With a dead-letter queue after one receive, each returning
/// message is dead-lettered instead, and its late first processing still
/// finishes (as a duplicate of nothing).
#[test]
fn processing_longer_than_the_visibility_timeout_is_duplicated() {
    let result = run(&queue("1/s", "\"40s\"", ""), 0);
    let c = &result.queues[0].counts;
    assert!(c.returned > 0 && c.duplicates > 0, "{c:?}");
    assert_eq!(
        c.sent,
        c.deleted + result.queues[0].visible_at_end + result.queues[0].invisible_at_end
    );

    let result = run(&queue("1/s", "\"40s\"", "max_receives = 1"), 0);
    let q = &result.queues[0];
    assert!(q.counts.dead_lettered > 0);
    assert_eq!(q.counts.deleted, 0);
    assert_eq!(q.counts.sent, q.counts.dead_lettered + q.visible_at_end + q.invisible_at_end);
}

/// A Lambda consumer takes batches: each batch is one receive and one
/// invocation, and one DeleteMessageBatch when the invocation succeeds
/// (the batches still running at the end hold the invisible messages).
#[test]
fn a_lambda_consumer_receives_and_deletes_in_batches() {
    let text = queue("50/s", "\"1ms\"", "")
        .replace("consumer = \"workers\"", "consumer = \"fn\"")
        .replace(
            "[components.workers]",
            "[components.fn]\ntype = \"lambda\"\nruntime = \"go\"\ncpu = \"20ms\"\n[components.unused]",
        );
    let result = run(&text, 0);
    let q = &result.queues[0];
    let f = &result.functions[0];
    assert_eq!(q.counts.receive_requests, f.counts.invocations);
    let running = f.counts.invocations - q.counts.delete_requests;
    assert!(running <= q.invisible_at_end && q.invisible_at_end <= 5 * running, "{q:?}");
    assert_eq!(q.counts.deleted + q.visible_at_end + q.invisible_at_end, q.counts.sent);
    assert!(q.counts.deleted <= 5 * q.counts.delete_requests);
}

/// Under a backlog an EC2 consumer receives full batches: every
/// ReceiveMessage after the first few returns the batch size (5), and
/// processed messages are deleted with DeleteMessageBatch, a batch size at
/// a time or when the instance's buffer runs dry. The fleet serves 20
/// messages a second (2 threads, 100 ms each) against 100 sent.
#[test]
fn an_ec2_consumer_receives_and_deletes_in_batches_under_a_backlog() {
    let text = queue("100/s", "\"100ms\"", "")
        .replace("count = 2\n        workers = 20", "count = 1\n        workers = 2");
    let result = run(&text, 0);
    let q = &result.queues[0];
    let c = &q.counts;
    assert!(q.visible_at_end > 50_000, "a backlog builds: {q:?}");
    assert!(c.received >= 5 * c.receive_requests - 10, "{c:?}");
    assert!(c.received <= 5 * c.receive_requests, "{c:?}");
    assert!(c.delete_requests * 2 <= c.deleted && c.delete_requests * 5 >= c.deleted, "{c:?}");
}

/// A Lambda consumer held to 5 by its reserved concurrency: a throttled
/// batch makes the event source back off instead of receiving and
/// throttling the whole queue at one instant. The function runs at its
/// limit, throttled messages are few (at most one batch per second of
/// pause), and they come back to be processed.
#[test]
fn a_throttled_event_source_backs_off_and_keeps_its_function_busy() {
    let text = queue("400/s", "\"1ms\"", "visibility_timeout = \"60s\"")
        .replace("visibility_timeout = \"30s\"\n", "")
        .replace("consumer = \"workers\"", "consumer = \"fn\"")
        .replace(
            "[components.workers]",
            "[components.fn]\ntype = \"lambda\"\nruntime = \"go\"\ncpu = \"1ms\"\nio = \"500ms\"\ntimeout = \"30s\"\nreserved_concurrency = 5\n[components.unused]",
        );
    let result = run(&text, 0);
    let q = &result.queues[0];
    let f = &result.functions[0];
    assert!(f.peak_concurrency <= 5, "{f:?}");
    assert!(f.mean_concurrency > 4.5, "the function stays busy: {f:?}");
    let seconds = 20.0 * 60.0;
    assert!(q.counts.throttled as f64 <= 5.0 * (seconds + 20.0), "{q:?}");
    assert!(q.counts.deleted > 0 && q.visible_at_end > 100_000, "{q:?}");
}

/// CloudFront in front of a fleet: `edge` adds to the distribution.
fn edge_site(edge: &str) -> String {
    format!(
        r#"
        [scenario]
        name = "edge"
        start = "2026-01-01T00:00:00Z"
        warmup = "2m"
        duration = "10m"
        seed = 12
        [traffic]
        entry = "cdn"
        rate = "2000/s"
        [request]
        response_bytes = "100KiB"
        [components.cdn]
        type = "cloudfront"
        origin = "web"
        objects = {{ count = 10000, zipf = 0.8 }}
        ttl = "60s"
        {edge}
        [components.web]
        type = "ec2"
        instance_type = "c7g.2xlarge"
        count = 2
        workers = 200
        cpu = "1ms"
        "#
    )
}

/// An edge cache with a TTL and room for everything is a TTL cache: an
/// object read at rate λᵢ hits λᵢT / (1 + λᵢT) of the time (one miss, then
/// the reads within T). Its bill, by hand from the price list: $0.0100 per
/// 10,000 HTTPS requests, and data out by the monthly volume tiers.
#[test]
fn an_edge_cache_hits_as_a_ttl_cache_and_bills_requests_and_bytes() {
    let result = run(&edge_site(""), 0);
    let edge = &result.edges[0];
    let popularity = Popularity::Zipf(Zipf::new(10_000, 0.8));
    let theory: f64 = (0..popularity.count())
        .map(|k| {
            let p = popularity.probability(k);
            let reads_per_ttl = 2000.0 * p * 60.0;
            p * reads_per_ttl / (1.0 + reads_per_ttl)
        })
        .sum();
    let seen = edge.hit_ratio.expect("requests came");
    assert!((seen - theory).abs() < 0.01, "edge hit ratio {seen:.4}, theory {theory:.4}");

    let scenario = parse(&edge_site("")).unwrap();
    let lines = bill(&scenario, &result.usage).lines;
    let line = |item: &str| {
        lines.iter().find(|l| l.service == "CloudFront" && l.item.contains(item)).unwrap()
    };
    let requests = edge.counts.requests as f64;
    let want = requests / 10_000.0 * 0.01;
    assert!((line("requests").window.as_usd_f64() - want).abs() < 0.006, "{want}");
    let gb = (edge.counts.bytes_out as f64) / 1_073_741_824.0;
    // Every answer is 100 KiB; a few requests were still at the origin at
    // the end.
    let answers = edge.counts.bytes_out / (100 * 1024);
    assert_eq!(answers * 100 * 1024, edge.counts.bytes_out);
    assert!(answers <= edge.counts.requests && answers + 100 > edge.counts.requests);
    // The window's gigabytes are about 500 TB a month: the published tiers
    // (per GB: 10 TB at $0.085, the next 40 TB at $0.080, the next 100 TB at
    // $0.060, the next 350 TB at $0.040) price the month, and the window
    // is its share, 10 minutes of 730 hours.
    let window_share = 10.0 / (730.0 * 60.0);
    let month_gb = gb / window_share;
    let tiers = [(10_240.0, 0.085), (51_200.0, 0.080), (153_600.0, 0.060), (512_000.0, 0.040)];
    let (mut below, mut month_usd) = (0.0, 0.0);
    for (top, usd) in tiers {
        month_usd += (month_gb.min(top) - below).max(0.0) * usd;
        below = top;
    }
    assert!(month_gb > 153_600.0 && month_gb < 512_000.0, "{month_gb} GB a month");
    let want = month_usd * window_share;
    assert!((line("data out").window.as_usd_f64() - want).abs() < 0.006, "{want}");
}

/// A distribution's cache must hold the answers it stores, and `cacheable`
/// only means something with a distribution.
#[test]
fn bad_edges_are_refused_with_their_key() {
    refused(&edge_site("capacity = \"0MB\""), "components.cdn.capacity", "above 0");
    refused(&edge_site("capacity = \"10KiB\""), "components.cdn.capacity", "cannot hold");
    let text = queue("1/s", "\"1ms\"", "").replace(
        "[request]\n        request_bytes = \"100KiB\"",
        "[classes.jobs]\n        share = 1.0\n        cacheable = false",
    );
    refused(&text, "classes.jobs.cacheable", "no cloudfront");
}

fn refused(text: &str, key: &str, words: &str) {
    let error = parse(text).expect_err("the scenario must be refused").to_string();
    assert!(error.contains(key) && error.contains(words), "{error}");
}

#[test]
fn bad_serverless_settings_are_refused_with_their_key() {
    let base = function("10/s", "10m", "cpu = \"5ms\"", "");
    refused(&base.replace("1769MB", "64MB"), "components.fn.memory", "outside Lambda's range");
    refused(&base.replace("1769MB", "10241MB"), "components.fn.memory", "outside Lambda's range");
    refused(
        &base.replace("cpu = \"5ms\"", "cpu = \"5ms\"\nreserved_concurrency = 950"),
        "components.fn.reserved_concurrency",
        "at least 100 unreserved",
    );
    refused(
        &base.replace("timeout = \"30s\"", "timeout = \"16m\""),
        "components.fn.timeout",
        "at most 900",
    );
    refused(
        &base.replace("runtime = \"python\"", "runtime = \"cobol\""),
        "components.fn.runtime",
        "unknown runtime",
    );
    let sqs = queue("1/s", "\"1ms\"", "");
    refused(
        &sqs.replace("batch_size = 5", "batch_size = 11"),
        "components.jobs.batch_size",
        "out of range",
    );
    refused(
        &sqs.replace("batch_size = 5", "batch_size = 0"),
        "components.jobs.batch_size",
        "out of range",
    );
    refused(
        &sqs.replace("visibility_timeout = \"30s\"", "visibility_timeout = \"13h\""),
        "components.jobs.visibility_timeout",
        "12 hours",
    );
    refused(
        &sqs.replace("visibility_timeout = \"30s\"", "visibility_timeout = \"1500ms\""),
        "components.jobs.visibility_timeout",
        "whole seconds",
    );
    refused(
        &sqs.replace("request_bytes = \"100KiB\"", "request_bytes = \"2MiB\""),
        "request.request_bytes",
        "at most 1048576 bytes",
    );
    let to_lambda = sqs.replace("consumer = \"workers\"", "consumer = \"fn\"").replace(
        "[components.workers]",
        "[components.fn]\ntype = \"lambda\"\nruntime = \"go\"\ncpu = \"1ms\"\ntimeout = \"60s\"\n[components.unused]",
    );
    refused(
        &to_lambda,
        "components.jobs.visibility_timeout",
        "shorter than the timeout of its consumer",
    );
    refused(
        &base.replace("cpu = \"5ms\"", "cpu = \"5ms\"\nprovisioned_concurrency = 950"),
        "components.fn.provisioned_concurrency",
        "at least 100 unreserved",
    );
    refused(
        &base.replace("cpu = \"5ms\"", "cpu = \"5ms\"\ninit = \"300ms\""),
        "components.fn.runtime",
        "not both",
    );
}
