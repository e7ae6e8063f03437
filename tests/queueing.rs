//! Queueing theory checks: the engine's waits against formulas known
//! independently of it.
//!
//! Each check runs R independent replications (different replication
//! index, so independent random streams) and compares the mean of the
//! replication means with the formula. The tolerance is derived from the
//! run itself: four standard errors of that mean (the replication means'
//! sample standard deviation / √R), so a correct engine fails by chance
//! less than once in 10,000 runs, while a bias larger than the run's own
//! noise is caught.

use std::path::Path;

use cloudtwin::catalogue::Catalogue;
use cloudtwin::scenario::model::ComponentKind;
use cloudtwin::scenario::{self, Scenario};
use cloudtwin::sim::{self, TierStats};

const REPLICATIONS: u32 = 10;

fn scenario(text: &str) -> Scenario {
    scenario::parse(Path::new("test.toml"), text.to_string(), &Catalogue::builtin())
        .expect("valid scenario")
}

/// Per-replication stats of the tier called `tier`.
fn replicate(scenario: &Scenario, tier: &str) -> Vec<TierStats> {
    (0..REPLICATIONS)
        .map(|rep| {
            let result = sim::run(scenario, rep);
            result.tiers.into_iter().find(|t| t.name == tier).expect("tier exists")
        })
        .collect()
}

/// Mean and standard error of the mean of `xs`.
fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Erlang C: probability that an arrival waits in an M/M/c queue with
/// offered load `a` = λ/μ, by the numerically stable Erlang B recursion.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    f64::from(c) * b / (f64::from(c) - a * (1.0 - b))
}

#[test]
fn mmc_wait_and_probability_of_waiting_match_erlang_c() {
    // One c7g.2xlarge (8 vCPUs), exponential CPU, no database: an M/M/8.
    let s = scenario(
        r#"
        [scenario]
        name = "mmc"
        start = "2026-01-01T00:00:00Z"
        warmup = "1m"
        duration = "6m"
        seed = 11
        [traffic]
        entry = "web"
        rate = "640/s"
        [components.web]
        type = "ec2"
        instance_type = "c7g.2xlarge"
        count = 1
        workers = 100000
        accept_queue = 100000
        cpu = { dist = "exponential", mean = "10ms" }
        "#,
    );
    // The mean CPU time on this type (the catalogue may scale the 10 ms
    // written for the reference core by the family's speed).
    let service_s = match &s.components[0].kind {
        ComponentKind::Ec2(fleet) => fleet.cpu.mean().as_secs_f64(),
        _ => unreachable!("the only component is the fleet"),
    };
    let (lambda, mu, c) = (640.0, 1.0 / service_s, 8);
    let a = lambda / mu;
    let p_wait = erlang_c(c, a);
    let wq_ms = p_wait / (f64::from(c) * mu - lambda) * 1e3;

    let stats = replicate(&s, "web.cpu");
    let (wait, wait_se) = mean_and_se(&stats.iter().map(|t| t.mean_wait_ms).collect::<Vec<_>>());
    let (pw, pw_se) =
        mean_and_se(&stats.iter().map(|t| t.probability_of_waiting).collect::<Vec<_>>());
    assert!(
        (wait - wq_ms).abs() < 4.0 * wait_se,
        "mean wait {wait:.4} ms ± {wait_se:.4}, Erlang C {wq_ms:.4} ms"
    );
    assert!(
        (pw - p_wait).abs() < 4.0 * pw_se,
        "P(wait) {pw:.4} ± {pw_se:.4}, Erlang C {p_wait:.4}"
    );
    // The check can fail: the tolerance is a small share of the value.
    assert!(wait_se < 0.1 * wq_ms && pw_se < 0.05 * p_wait, "too few samples to tell");
}

#[test]
fn md1_wait_matches_pollaczek_khinchine() {
    // One server, constant 10 ms service, Poisson arrivals at 80/s (ρ = 0.8).
    let s = scenario(
        r#"
        [scenario]
        name = "md1"
        start = "2026-01-01T00:00:00Z"
        warmup = "2m"
        duration = "40m"
        seed = 5
        [traffic]
        entry = "server"
        rate = "80/s"
        [components.server]
        type = "station"
        servers = 1
        service = "10ms"
        "#,
    );
    // Pollaczek–Khinchine: Wq = λ E[S²] / (2 (1 − ρ)), E[S²] = S² for a constant.
    let (lambda, service) = (80.0, 0.010);
    let rho: f64 = lambda * service;
    let wq_ms = lambda * service * service / (2.0 * (1.0 - rho)) * 1e3;
    assert!((wq_ms - 20.0).abs() < 1e-9);

    let stats = replicate(&s, "server");
    let (wait, se) = mean_and_se(&stats.iter().map(|t| t.mean_wait_ms).collect::<Vec<_>>());
    let (util, util_se) = mean_and_se(&stats.iter().map(|t| t.utilization).collect::<Vec<_>>());
    assert!((wait - wq_ms).abs() < 4.0 * se, "mean wait {wait:.3} ms ± {se:.3}, P-K {wq_ms:.3} ms");
    assert!((util - rho).abs() < 4.0 * util_se.max(1e-4), "utilisation {util:.4}, ρ {rho}");
    assert!(se < 0.1 * wq_ms, "too few samples to tell");
}
