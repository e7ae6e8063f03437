//! RDS with read replicas against values known independently of the
//! simulator: per-instance waits against an open Jackson network of M/M/c
//! queues, stale reads against the Poisson chance of a write within the
//! lag, connection pools and max_connections against hand-worked cases,
//! failover, the bill to the cent, and refused configurations.

use std::path::Path;

use cloudtwin::billing::bill::bill;
use cloudtwin::catalogue::Catalogue;
use cloudtwin::scenario::{self, Scenario, ScenarioError};
use cloudtwin::sim::{self, RunResult};

fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    scenario::parse(Path::new("db.toml"), text.to_string(), &Catalogue::builtin())
}

fn run(text: &str) -> RunResult {
    sim::run(&parse(text).expect("valid scenario"), 0)
}

/// Mean and standard error of the mean of `xs`.
fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Erlang C: probability that an arrival waits in an M/M/c queue with
/// offered load `a` = λ/μ.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    f64::from(c) * b / (f64::from(c) - a * (1.0 - b))
}

/// Mean time in an M/M/c station (wait plus service), in ms.
fn mmc_response_ms(c: u32, lambda: f64, mean_service_s: f64) -> f64 {
    let mu = 1.0 / mean_service_s;
    let a = lambda / mu;
    let wait = erlang_c(c, a) / (f64::from(c) * mu - lambda);
    (wait + mean_service_s) * 1e3
}

/// 500 requests/s into one c7g.xlarge (4 vCPUs, exponential CPU of 6 ms):
/// 80 % read once from one of two replicas picked at random, 20 % write
/// once to the primary; every instance is a db.r6g.large (2 vCPUs), reads
/// taking 6 ms and writes 12 ms (exponential).
const SPLIT: &str = r#"
    [scenario]
    name = "split"
    start = "2026-01-01T00:00:00Z"
    warmup = "1m"
    duration = "8m"
    seed = 21
    [traffic]
    entry = "web"
    rate = "500/s"
    [classes.read]
    share = 0.8
    work.db = { kind = "read" }
    [classes.write]
    share = 0.2
    work.db = { kind = "write" }
    [components.web]
    type = "ec2"
    instance_type = "c7g.xlarge"
    count = 1
    workers = 100000
    accept_queue = 100000
    cpu = { dist = "exponential", mean = "6ms" }
    database = "db"
    [components.db]
    type = "rds"
    instance_class = "db.r6g.large"
    read_query = { dist = "exponential", mean = "6ms" }
    write_query = { dist = "exponential", mean = "12ms" }
    replicas = 2
    keys = { count = 100000, zipf = 0.8 }
"#;

/// By Jackson's theorem each instance of this open network of M/M/c
/// stations behaves as an M/M/c queue fed by its own Poisson stream: the
/// CPU at 500/s, each replica at 400/2 = 200/s, the primary at 100/s. Each
/// instance's mean wait, and each class's mean response (the sum of the
/// mean times of the stations it visits), match the formulas within four
/// standard errors over ten replications.
#[test]
fn a_read_write_split_matches_the_open_jackson_network() {
    let scenario = parse(SPLIT).expect("valid");
    let runs: Vec<RunResult> = (0..10).map(|r| sim::run(&scenario, r)).collect();
    let waits = |tier: &str| -> Vec<f64> {
        runs.iter()
            .map(|r| r.tiers.iter().find(|t| t.name == tier).expect("tier").mean_wait_ms)
            .collect()
    };
    let wait_ms = |c: u32, lambda: f64, s: f64| mmc_response_ms(c, lambda, s) - s * 1e3;
    for (tier, lambda, service) in [
        ("web.cpu", 500.0, 0.006),
        ("db.cpu", 100.0, 0.012),
        ("db.replica-1.cpu", 200.0, 0.006),
        ("db.replica-2.cpu", 200.0, 0.006),
    ] {
        let c = if tier == "web.cpu" { 4 } else { 2 };
        let expected = wait_ms(c, lambda, service);
        let (seen, se) = mean_and_se(&waits(tier));
        assert!(
            (seen - expected).abs() < 4.0 * se.max(0.01 * expected),
            "{tier}: wait {seen:.3} ± {se:.3} ms, Erlang C {expected:.3} ms"
        );
    }
    let cpu = mmc_response_ms(4, 500.0, 0.006);
    for (class, db) in
        [("read", mmc_response_ms(2, 200.0, 0.006)), ("write", mmc_response_ms(2, 100.0, 0.012))]
    {
        let means: Vec<f64> = runs
            .iter()
            .map(|r| r.classes.iter().find(|c| c.name == class).unwrap().latency.mean() / 1e6)
            .collect();
        let (seen, se) = mean_and_se(&means);
        let expected = cpu + db;
        assert!(
            (seen - expected).abs() < 4.0 * se.max(0.005 * expected),
            "{class}: response {seen:.3} ± {se:.3} ms, network {expected:.3} ms"
        );
    }
}

/// One key written at Poisson rate λw = 20/s and read at 200/s on a
/// replica whose lag is a constant 50 ms: a read is stale when a write came
/// in the 50 ms before it, which by PASTA has probability
/// 1 − e^(−λw·L) = 1 − e^(−1).
#[test]
fn stale_reads_match_the_chance_of_a_write_within_the_lag() {
    let text = SPLIT
        .replace("rate = \"500/s\"", "rate = \"220/s\"")
        .replace("share = 0.8", &format!("share = {}", 200.0 / 220.0))
        .replace("share = 0.2", &format!("share = {}", 20.0 / 220.0))
        .replace("cpu = { dist = \"exponential\", mean = \"6ms\" }", "cpu = \"1us\"")
        .replace("read_query = { dist = \"exponential\", mean = \"6ms\" }", "read_query = \"1ms\"")
        .replace(
            "write_query = { dist = \"exponential\", mean = \"12ms\" }",
            "write_query = \"1ms\"",
        )
        .replace("replicas = 2", "replicas = 1\nreplication_lag = \"50ms\"")
        .replace("instance_class = \"db.r6g.large\"", "instance_class = \"db.r6g.2xlarge\"")
        .replace(
            "keys = { count = 100000, zipf = 0.8 }",
            "keys = { count = 1, popularity = \"uniform\" }",
        )
        .replace("duration = \"8m\"", "duration = \"20m\"");
    let result = run(&text);
    let replica = result.databases.iter().find(|d| d.name == "db.replica-1").unwrap();
    let share = replica.stale_share.expect("reads happened");
    let expected = 1.0 - (-1.0f64).exp();
    let n = replica.counts.reads as f64;
    // Reads close together see the same writes, so the draws are not
    // independent: the tolerance allows three times the binomial spread.
    let sd = (expected * (1.0 - expected) / n).sqrt();
    assert!((share - expected).abs() < 12.0 * sd, "stale share {share:.4}, expected {expected:.4}");
    assert!(n > 200_000.0);
}

/// One instance, one connection in its pool, a 5 ms wait timeout; a
/// request every 40 ms, each holding the connection for a 50 ms query.
/// Request 0 holds it from 0 to 50 ms; request 1 comes at 40 ms, waits,
/// and gives up at 45 ms; request 2 comes at 80 ms and finds it free; and
/// so on: every other request fails.
#[test]
fn a_small_pool_times_out_every_other_request() {
    let text = r#"
        [scenario]
        name = "pool"
        start = "2026-01-01T00:00:00Z"
        warmup = "0s"
        duration = "60s"
        seed = 1
        [traffic]
        entry = "web"
        rate = "25/s"
        arrivals = "deterministic"
        [components.web]
        type = "ec2"
        instance_type = "c7g.large"
        count = 1
        workers = 100
        cpu = "1us"
        database = "db"
        db_pool = { size = 1, wait_timeout = "5ms" }
        [components.db]
        type = "rds"
        instance_class = "db.r6g.large"
        query = "50ms"
    "#;
    let result = run(text);
    assert_eq!(result.arrivals, 1_500);
    assert_eq!(result.errors.db_connection, 750);
    assert_eq!(result.completed, 750);
    assert_eq!(result.pools[0].counts.waited, 750);
    assert_eq!(result.pools[0].counts.timed_out, 750);
    assert_eq!(result.databases[0].peak_connections, 1);
    let p = cloudtwin::stats::latency::percentiles(&result.latency).unwrap();
    assert!((p.max_ms - 50.002).abs() < 0.01, "max {}", p.max_ms);
}

/// Three instances behind a round-robin ALB, each with a pool of one
/// connection, and a database that allows two. The first two instances
/// open theirs and keep them; every query of the third is refused, so a
/// third of the requests fail and the database holds two connections.
#[test]
fn pools_beyond_max_connections_fail_the_instances_left_out() {
    let text = r#"
        [scenario]
        name = "exhausted"
        start = "2026-01-01T00:00:00Z"
        warmup = "0s"
        duration = "60s"
        seed = 1
        [traffic]
        entry = "lb"
        rate = "10/s"
        arrivals = "deterministic"
        [components.lb]
        type = "alb"
        targets = "web"
        routing = "round_robin"
        [components.web]
        type = "ec2"
        instance_type = "c7g.large"
        count = 3
        workers = 100
        cpu = "1ms"
        database = "db"
        db_pool = { size = 1, wait_timeout = "1s" }
        [components.db]
        type = "rds"
        instance_class = "db.r6g.large"
        query = "10ms"
        max_connections = 2
    "#;
    let result = run(text);
    assert_eq!(result.arrivals, 600);
    assert_eq!(result.errors.db_connection, 200);
    assert_eq!(result.completed, 400);
    let db = &result.databases[0];
    assert_eq!((db.connections_at_end, db.peak_connections), (2, 2));
    assert_eq!(db.counts.refused_connections, 200);
}

/// A Multi-AZ primary fails for 90 s: with callers that fail fast, every
/// write in the outage fails (about 20/s × 90 s) while reads on the
/// replica go on; with callers that wait, nothing fails and the longest
/// write waits out the outage.
#[test]
fn a_multi_az_failover_fails_or_delays_the_writes_of_its_outage() {
    let base = SPLIT
        .replace("rate = \"500/s\"", "rate = \"100/s\"")
        .replace("replicas = 2", "replicas = 1\nmulti_az = true");
    let fault = r#"
        [[faults]]
        at = "2m"
        kind = "db_failure"
        target = "db"
        duration = "90s"
    "#;
    let failing = run(&format!("{base}{fault}"));
    let expected = 20.0 * 90.0;
    let failed = failing.errors.db_down as f64;
    assert!((failed - expected).abs() < 4.0 * expected.sqrt() + 3.0, "{failed} writes failed");
    let reads = failing.classes.iter().find(|c| c.name == "read").unwrap();
    assert_eq!(reads.failed, 0);
    let events: Vec<&str> = failing.event_log.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["primary failed", "primary back"]);

    let waiting =
        run(&format!("{}{fault}", base.replace("keys = {", "during_outage = \"wait\"\nkeys = {")));
    assert_eq!(waiting.errors.total(), 0);
    let writes = waiting.classes.iter().find(|c| c.name == "write").unwrap();
    let longest_s = writes.latency.max() as f64 / 1e9;
    assert!((89.0..=90.5).contains(&longest_s), "longest write {longest_s} s");
}

/// Without a standby, a failed primary is replaced by promoting its
/// replica: the old primary stops billing, the replica takes the writes.
#[test]
fn a_single_az_failure_promotes_the_replica() {
    let text = format!(
        "{}{}",
        SPLIT
            .replace("rate = \"500/s\"", "rate = \"100/s\"")
            .replace("replicas = 2", "replicas = 1"),
        r#"
        [[faults]]
        at = "2m"
        kind = "db_failure"
        target = "db"
        duration = "3m"
        "#
    );
    let result = run(&text);
    let roles: Vec<(&str, &str)> =
        result.databases.iter().map(|d| (d.name.as_str(), d.role_at_end.as_str())).collect();
    assert_eq!(roles, [("db", "gone"), ("db.replica-1", "primary")]);
    let promoted = &result.databases[1];
    assert!(promoted.counts.writes > 0);
    let last = result.windows.last().unwrap();
    assert!(last.databases[1].writes > 1_000 && last.databases[0].writes == 0);
}

/// The primary and two replicas of db.r6g.large PostgreSQL at 0.225 USD
/// per hour each (written here, not read from the catalogue), billed per
/// second, for 90 minutes: 3 × 1.5 h × 0.225 = 1.0125 USD. Storage: three
/// volumes of 100 GB at 0.115 USD per GB-month for 1.5 of 730 hours.
#[test]
fn primary_and_replica_hours_bill_to_the_cent() {
    let text = SPLIT
        .replace("warmup = \"1m\"", "warmup = \"0s\"")
        .replace("duration = \"8m\"", "duration = \"90m\"")
        .replace("rate = \"500/s\"", "rate = \"10/s\"")
        .replace("replicas = 2", "replicas = 2\nstorage = \"100GB\"");
    let scenario = parse(&text).expect("valid");
    let result = sim::run(&scenario, 0);
    let bill = bill(&scenario, &result.usage);
    let rds: f64 = bill
        .lines
        .iter()
        .filter(|l| l.service == "RDS" && l.item.contains("instance-hours"))
        .map(|l| l.window.as_usd_f64())
        .sum();
    assert!((rds - 3.0 * 1.5 * 0.225).abs() < 1e-9, "{rds}");
    assert_eq!((rds * 100.0).round() as i64, 101);
    let storage = bill.lines.iter().find(|l| l.item.contains("storage")).unwrap();
    let expected = 300.0 * 0.115 * 1.5 / 730.0;
    assert!((storage.window.as_usd_f64() - expected).abs() < 1e-9);
}

fn refused(text: &str, key: &str, words: &str) {
    let error = parse(text).expect_err("the scenario must be refused").to_string();
    assert!(error.contains(key) && error.contains(words), "{error}");
}

#[test]
fn bad_databases_are_refused_with_their_key() {
    refused(
        &SPLIT.replace("replicas = 2", "replicas = 16"),
        "components.db.replicas",
        "out of range",
    );
    refused(
        &SPLIT.replace("replicas = 2", "replicas = 2\nread_routing = \"fastest\""),
        "components.db.read_routing",
        "least_connections",
    );
    refused(
        &SPLIT.replace("keys = { count = 100000, zipf = 0.8 }", ""),
        "components.db.keys",
        "it has replicas",
    );
    refused(
        &SPLIT.replace("replicas = 2", "replicas = 2\niops = 6000"),
        "components.db.iops",
        "fixed 3000 IOPS",
    );
    refused(
        &SPLIT.replace("read_query = { dist = \"exponential\", mean = \"6ms\" }", ""),
        "components.db.query",
        "read_query",
    );
    refused(
        &SPLIT.replace("database = \"db\"", "database = \"db\"\ndb_pool = { size = 0 }"),
        "components.web.db_pool.size",
        "out of range",
    );
    refused(
        &SPLIT.replace("replicas = 2", "replicas = 2\nquery = \"5ms\""),
        "components.db.read_query",
        "not both",
    );
    refused(
        &SPLIT.replace("replicas = 2", "replicas = 0\nreplication_lag = \"1s\""),
        "components.db.replication_lag",
        "has none",
    );
    refused(
        &SPLIT.replace("replicas = 2", "replicas = 2\nmulti_az = true\nzones = [\"us-east-1a\"]"),
        "components.db.zones",
        "at least two",
    );
    refused(
        &SPLIT.replace("replicas = 2", "replicas = 2\nzones = [\"us-east-1a\", \"eu-west-1a\"]"),
        "components.db.zones",
        "not a zone of us-east-1",
    );
    refused(
        &SPLIT.replace("replicas = 2", "replicas = 2\nzones = [\"us-east-1z\"]"),
        "components.db.zones",
        "us-east-1a to us-east-1f",
    );
}
