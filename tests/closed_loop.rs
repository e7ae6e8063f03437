//! Closed-loop users against exact Mean Value Analysis: N users with an
//! exponential think time Z in front of one exponential FCFS server (a
//! product-form network, so MVA is exact).

use std::path::Path;

use cloudtwin::catalogue::Catalogue;
use cloudtwin::scenario;
use cloudtwin::sim;
use cloudtwin::stats::latency::percentiles;

/// Exact MVA for one queueing station with service time `s` and a delay
/// station (think time) `z`: throughput and mean response for `n` users.
fn mva(n: u32, s: f64, z: f64) -> (f64, f64) {
    let (mut queue, mut throughput, mut response) = (0.0, 0.0, 0.0);
    for users in 1..=n {
        response = s * (1.0 + queue);
        throughput = f64::from(users) / (z + response);
        queue = throughput * response;
    }
    (throughput, response)
}

fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn throughput_and_response_match_mean_value_analysis() {
    for users in [5u32, 20, 40] {
        let text = format!(
            r#"
            [scenario]
            name = "closed"
            start = "2026-01-01T00:00:00Z"
            warmup = "1m"
            duration = "30m"
            seed = 3
            [traffic]
            entry = "server"
            [users]
            count = {users}
            think = {{ dist = "exponential", mean = "1s" }}
            [components.server]
            type = "station"
            servers = 1
            service = {{ dist = "exponential", mean = "50ms" }}
            "#
        );
        let s =
            scenario::parse(Path::new("closed.toml"), text, &Catalogue::builtin()).expect("valid");
        let (x_exact, r_exact) = mva(users, 0.050, 1.0);
        let runs: Vec<(f64, f64)> = (0..8)
            .map(|rep| {
                let result = sim::run(&s, rep);
                let x = result.completed as f64 / s.duration.as_secs_f64();
                let r = percentiles(&result.latency).unwrap().mean_ms / 1e3;
                (x, r)
            })
            .collect();
        let (x, x_se) = mean_and_se(&runs.iter().map(|r| r.0).collect::<Vec<_>>());
        let (r, r_se) = mean_and_se(&runs.iter().map(|r| r.1).collect::<Vec<_>>());
        // Four standard errors over eight independent replications, plus
        // the histogram's 0.1 % resolution on the response time.
        assert!(
            (x - x_exact).abs() < 4.0 * x_se.max(1e-3),
            "N={users}: X {x:.3}/s ± {x_se:.3}, MVA {x_exact:.3}/s"
        );
        assert!(
            (r - r_exact).abs() < 4.0 * r_se + 0.001 * r_exact,
            "N={users}: R {r:.4} s ± {r_se:.4}, MVA {r_exact:.4} s"
        );
    }
}
