//! Confidence intervals over replications: Student's t on the replication
//! values.
//!
//! Each replication of a design gives one value of a metric (its mean
//! latency, its p99, its error rate, its cost); replications use
//! independent random streams, so these values are independent and, being
//! averages or quantiles of many requests, close to normal. The 95 %
//! interval is then mean ± t(0.975, n − 1) · s / √n. The quantile of t
//! comes from its CDF, through the regularised incomplete beta function
//! (a continued fraction, Lentz's method), inverted by bisection: plain
//! arithmetic with `libm`, the same on every machine.

use serde::{Deserialize, Serialize};

/// How the intervals are made, for the reports.
pub const METHOD: &str = "Student t over the replications' values: mean ± t(0.975, n−1)·s/√n";

/// A metric over replications: its mean and the half-width of the 95 %
/// interval (`None` with fewer than two replications).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Mean of the replication values.
    pub mean: f64,
    /// Half-width of the 95 % interval.
    pub half_width: Option<f64>,
    /// Replications.
    pub n: u32,
}

impl Estimate {
    /// The estimate from replication values.
    pub fn of(values: &[f64]) -> Estimate {
        let n = values.len();
        if n == 0 {
            return Estimate { mean: f64::NAN, half_width: None, n: 0 };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let half_width = (n >= 2).then(|| {
            let variance =
                values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
            t_quantile(0.975, (n - 1) as f64) * libm::sqrt(variance / n as f64)
        });
        Estimate { mean, half_width, n: n as u32 }
    }

    /// Lower end of the interval (the mean without one).
    pub fn low(&self) -> f64 {
        self.mean - self.half_width.unwrap_or(0.0)
    }

    /// Upper end of the interval (the mean without one).
    pub fn high(&self) -> f64 {
        self.mean + self.half_width.unwrap_or(0.0)
    }
}

/// The `p` quantile of Student's t with `df` degrees of freedom (p in
/// (0, 1), df > 0).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    // The CDF rises with t: bisect on [0, hi], doubling hi until it is
    // past the quantile.
    let mut hi = 1.0;
    while t_cdf(hi, df) < p {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-13 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The CDF of Student's t: for t ≥ 0, 1 − I_x(df/2, 1/2) / 2 with
/// x = df / (df + t²).
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    let tail = 0.5 * incomplete_beta(0.5 * df, 0.5, x);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The regularised incomplete beta function I_x(a, b).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let log_front = libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b)
        + a * libm::log(x)
        + b * libm::log1p(-x);
    let front = libm::exp(log_front);
    // The continued fraction converges fast for x below (a + 1)/(a + b + 2);
    // above it, use the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// The continued fraction of the incomplete beta function, evaluated by
/// the modified Lentz method.
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
    let mut result = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let two_m = 2.0 * m;
        // The even step, then the odd one.
        let even = m * (b - m) * x / ((a + two_m - 1.0) * (a + two_m));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        result *= d * c;
        let odd = -(a + m) * (a + b + m) * x / ((a + two_m) * (a + two_m + 1.0));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        let step = d * c;
        result *= step;
        if (step - 1.0).abs() < 1e-15 {
            break;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the printed tables (e.g. NIST/SEMATECH e-Handbook, table of
    /// the t distribution's upper critical values).
    #[test]
    fn t_quantiles_match_the_tables() {
        for (df, want) in [
            (1.0, 12.706),
            (2.0, 4.303),
            (4.0, 2.776),
            (9.0, 2.262),
            (19.0, 2.093),
            (29.0, 2.045),
            (100.0, 1.984),
        ] {
            let got = t_quantile(0.975, df);
            assert!((got - want).abs() < 5e-4, "df {df}: {got} vs {want}");
        }
        assert!((t_quantile(0.95, 9.0) - 1.833).abs() < 5e-4);
        assert!((t_quantile(0.025, 9.0) + 2.262).abs() < 5e-4);
    }

    #[test]
    fn an_estimate_has_the_student_interval() {
        let e = Estimate::of(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(e.mean, 2.5);
        // s = √(5/3), t(0.975, 3) = 3.182.
        let want = 3.182_446 * (5.0f64 / 3.0 / 4.0).sqrt();
        assert!((e.half_width.unwrap() - want).abs() < 1e-4, "{e:?}");
        assert_eq!(Estimate::of(&[7.0]).half_width, None);
    }
}
