//! Service-time distributions, sampled with pure-Rust maths.
//!
//! Every transcendental call goes through `libm`, not the platform's maths
//! library, so the same seed gives bit-identical draws on any CPU (glibc
//! picks different `exp`/`log` code paths on CPUs with and without FMA).

use super::random::Stream;
use super::time::SimDuration;

/// A distribution of durations, validated (means positive, CV finite).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dist {
    /// Always the same duration.
    Constant(SimDuration),
    /// Exponential with the given mean in nanoseconds.
    Exponential {
        /// Mean in nanoseconds.
        mean_ns: f64,
    },
    /// Lognormal given by the parameters of the underlying normal, in
    /// log-nanoseconds; build it with [`Dist::lognormal`].
    LogNormal {
        /// Mean of the underlying normal.
        mu: f64,
        /// Standard deviation of the underlying normal.
        sigma: f64,
    },
}

impl Dist {
    /// A lognormal with the given mean and coefficient of variation
    /// (standard deviation / mean), both of the duration itself.
    pub fn lognormal(mean: SimDuration, cv: f64) -> Dist {
        let sigma2 = libm::log1p(cv * cv);
        let mu = libm::log(mean.as_nanos() as f64) - sigma2 / 2.0;
        Dist::LogNormal { mu, sigma: libm::sqrt(sigma2) }
    }

    /// An exponential with the given mean.
    pub fn exponential(mean: SimDuration) -> Dist {
        Dist::Exponential { mean_ns: mean.as_nanos() as f64 }
    }

    /// The same shape with every duration divided by `speed`: a core twice
    /// as fast takes half the time.
    pub fn scaled_by_speed(&self, speed: f64) -> Dist {
        match *self {
            Dist::Constant(d) => {
                Dist::Constant(SimDuration((d.as_nanos() as f64 / speed).round() as u64))
            }
            Dist::Exponential { mean_ns } => Dist::Exponential { mean_ns: mean_ns / speed },
            Dist::LogNormal { mu, sigma } => Dist::LogNormal { mu: mu - libm::log(speed), sigma },
        }
    }

    /// The distribution's mean.
    pub fn mean(&self) -> SimDuration {
        match *self {
            Dist::Constant(d) => d,
            Dist::Exponential { mean_ns } => SimDuration::from_secs_f64(mean_ns / 1e9),
            Dist::LogNormal { mu, sigma } => {
                SimDuration::from_secs_f64(libm::exp(mu + sigma * sigma / 2.0) / 1e9)
            }
        }
    }

    /// The squared coefficient of variation, as queueing formulas use it.
    pub fn scv(&self) -> f64 {
        match *self {
            Dist::Constant(_) => 0.0,
            Dist::Exponential { .. } => 1.0,
            Dist::LogNormal { sigma, .. } => libm::expm1(sigma * sigma),
        }
    }

    /// Draws one duration.
    #[inline]
    pub fn sample(&self, stream: &mut Stream) -> SimDuration {
        let ns = match *self {
            Dist::Constant(d) => return d,
            Dist::Exponential { mean_ns } => -mean_ns * libm::log(stream.uniform_open0()),
            Dist::LogNormal { mu, sigma } => libm::exp(mu + sigma * standard_normal(stream)),
        };
        SimDuration(ns.round() as u64)
    }
}

/// One standard normal draw by the Box–Muller transform.
#[inline]
fn standard_normal(stream: &mut Stream) -> f64 {
    let radius = libm::sqrt(-2.0 * libm::log(stream.uniform_open0()));
    radius * libm::cos(std::f64::consts::TAU * stream.uniform())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(dist: Dist, n: usize) -> (f64, f64) {
        let mut stream = Stream::new(7, 0, "test");
        let xs: Vec<f64> = (0..n).map(|_| dist.sample(&mut stream).as_nanos() as f64).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        (mean, var.sqrt() / mean)
    }

    #[test]
    fn exponential_has_its_mean_and_cv_one() {
        let (mean, cv) = moments(Dist::exponential(SimDuration::from_millis(10)), 400_000);
        // Standard error of the mean is 10 ms / sqrt(n) = 0.016 ms; allow 4.
        assert!((mean / 1e6 - 10.0).abs() < 0.064, "mean {mean}");
        assert!((cv - 1.0).abs() < 0.01, "cv {cv}");
    }

    #[test]
    fn lognormal_has_its_mean_and_cv() {
        let dist = Dist::lognormal(SimDuration::from_millis(8), 0.5);
        let (mean, cv) = moments(dist, 400_000);
        // SE of the mean = 4 ms / sqrt(n) = 0.0063 ms.
        assert!((mean / 1e6 - 8.0).abs() < 0.03, "mean {mean}");
        assert!((cv - 0.5).abs() < 0.01, "cv {cv}");
        assert!((dist.scv() - 0.25).abs() < 1e-12);
        assert!(dist.mean().as_nanos().abs_diff(8_000_000) <= 1);
    }

    #[test]
    fn constant_is_constant() {
        let mut stream = Stream::new(1, 0, "c");
        let dist = Dist::Constant(SimDuration::from_millis(3));
        assert_eq!(dist.sample(&mut stream), SimDuration::from_millis(3));
        assert_eq!(dist.scv(), 0.0);
    }
}
