//! Service-time distributions, sampled with pure-Rust maths.
//!
//! Every transcendental call goes through `libm`, not the platform's maths
//! library, so the same seed gives bit-identical draws on any CPU (glibc
//! picks different `exp`/`log` code paths on CPUs with and without FMA).
//!
//! A [`Dist`] is built once, when the scenario is read, and sampled millions
//! of times: constructors do the arithmetic that can be done ahead (the
//! lognormal's μ and σ, the gamma's Marsaglia–Tsang constants, a table's
//! mean), so that [`Dist::sample`] is a few multiplications and never
//! allocates. Tables of samples or percentiles sit behind an `Arc`: cloning a
//! scenario for each replication copies a pointer, not the table.

mod gamma;
mod table;
pub mod ziggurat;

pub use gamma::Gamma;
pub use table::{Knot, QuantileTable, TableError};

use super::random::Stream;
use super::time::SimDuration;

/// A distribution of durations, validated (means positive, CV finite).
///
/// `Clone` but not `Copy`: an empirical table is shared, and a copy must be
/// asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Always the same duration: a deterministic server (M/D/1).
    Constant(SimDuration),
    /// Exponential with the given mean in nanoseconds: memoryless service,
    /// CV 1, the M/M/c textbook case.
    Exponential {
        /// Mean in nanoseconds.
        mean_ns: f64,
    },
    /// Lognormal given by the parameters of the underlying normal, in
    /// log-nanoseconds; build it with [`Dist::lognormal`]. A common fit for
    /// measured request times: skewed to the right, with a long tail.
    LogNormal {
        /// Mean of the underlying normal.
        mu: f64,
        /// Standard deviation of the underlying normal.
        sigma: f64,
    },
    /// Gamma, including Erlang (a whole shape): build it with
    /// [`Dist::gamma`] or [`Dist::erlang`]. Its CV can be anything above 0,
    /// and its tail is lighter than the lognormal's, so it brackets the
    /// lognormal when a design's sensitivity to the tail is in question.
    Gamma(Gamma),
    /// Uniform between two durations, in nanoseconds (`min_ns <= max_ns`):
    /// for a time known only by its bounds.
    Uniform {
        /// Shortest duration.
        min_ns: f64,
        /// Longest duration.
        max_ns: f64,
    },
    /// A measured distribution: the piecewise-linear inverse CDF through a
    /// table of samples or of percentiles. Nothing is assumed about its
    /// shape, and nothing is drawn outside the table's range.
    Empirical(QuantileTable),
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

    /// A gamma with the given mean and shape `k` (> 0, finite); its squared
    /// CV is 1/k, so a CV of `cv` is the shape 1/cv².
    pub fn gamma(mean: SimDuration, shape: f64) -> Dist {
        Dist::Gamma(Gamma::new(shape, mean.as_nanos() as f64 / shape))
    }

    /// An Erlang: the sum of `k` (≥ 1) exponential phases whose total mean
    /// is `mean`, the gamma with a whole shape.
    pub fn erlang(mean: SimDuration, k: u32) -> Dist {
        Dist::gamma(mean, f64::from(k))
    }

    /// A uniform between `min` and `max` (`min <= max`).
    pub fn uniform(min: SimDuration, max: SimDuration) -> Dist {
        Dist::Uniform { min_ns: min.as_nanos() as f64, max_ns: max.as_nanos() as f64 }
    }

    /// The same shape with every duration divided by `speed`: a core twice
    /// as fast takes half the time.
    pub fn scaled_by_speed(&self, speed: f64) -> Dist {
        match self {
            Dist::Constant(d) => {
                Dist::Constant(SimDuration((d.as_nanos() as f64 / speed).round() as u64))
            }
            Dist::Exponential { mean_ns } => Dist::Exponential { mean_ns: mean_ns / speed },
            Dist::LogNormal { mu, sigma } => {
                Dist::LogNormal { mu: mu - libm::log(speed), sigma: *sigma }
            }
            Dist::Gamma(gamma) => Dist::Gamma(gamma.scaled_by(1.0 / speed)),
            Dist::Uniform { min_ns, max_ns } => {
                Dist::Uniform { min_ns: min_ns / speed, max_ns: max_ns / speed }
            }
            Dist::Empirical(table) => Dist::Empirical(table.scaled_by(1.0 / speed)),
        }
    }

    /// The distribution's mean: exact for every variant (for a table, the
    /// mean of its piecewise-linear CDF, computed when it was built).
    pub fn mean(&self) -> SimDuration {
        let ns = match self {
            Dist::Constant(d) => return *d,
            Dist::Exponential { mean_ns } => *mean_ns,
            Dist::LogNormal { mu, sigma } => libm::exp(mu + sigma * sigma / 2.0),
            Dist::Gamma(gamma) => gamma.mean_ns(),
            Dist::Uniform { min_ns, max_ns } => (min_ns + max_ns) / 2.0,
            Dist::Empirical(table) => table.mean_ns(),
        };
        SimDuration::from_secs_f64(ns / 1e9)
    }

    /// The squared coefficient of variation (variance / mean²), as queueing
    /// formulas use it; 0 for a distribution whose mean is zero.
    pub fn scv(&self) -> f64 {
        match self {
            Dist::Constant(_) => 0.0,
            Dist::Exponential { .. } => 1.0,
            Dist::LogNormal { sigma, .. } => libm::expm1(sigma * sigma),
            Dist::Gamma(gamma) => 1.0 / gamma.shape(),
            Dist::Uniform { min_ns, max_ns } => {
                // Variance (max − min)²/12 over the mean ((min + max)/2)².
                let sum = min_ns + max_ns;
                if sum > 0.0 {
                    let width = max_ns - min_ns;
                    width * width / (3.0 * sum * sum)
                } else {
                    0.0
                }
            }
            Dist::Empirical(table) => table.scv(),
        }
    }

    /// Draws one duration, rounded to the nanosecond. Never allocates; a
    /// table costs one binary search.
    #[inline]
    pub fn sample(&self, stream: &mut Stream) -> SimDuration {
        let ns = match self {
            Dist::Constant(d) => return *d,
            Dist::Exponential { mean_ns } => mean_ns * ziggurat::exponential(stream),
            Dist::LogNormal { mu, sigma } => libm::exp(mu + sigma * standard_normal(stream)),
            Dist::Gamma(gamma) => gamma.sample_ns(stream),
            Dist::Uniform { min_ns, max_ns } => min_ns + (max_ns - min_ns) * stream.uniform(),
            Dist::Empirical(table) => table.quantile_ns(stream.uniform()),
        };
        SimDuration::from_nanos_f64(ns)
    }
}

/// One standard normal draw.
#[inline]
fn standard_normal(stream: &mut Stream) -> f64 {
    ziggurat::normal(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sample mean and CV of `n` draws, each with the half-width of its
    /// 4-standard-error band.
    ///
    /// The standard errors come from the sample's own moments and n: the
    /// mean's is s/√n; the CV's is the delta method's
    /// cv·√(((κ − 1)/4 + cv² − γ·cv)/n), with γ the skewness and κ the
    /// kurtosis, from Var(s²) ≈ (μ₄ − σ⁴)/n and Cov(x̄, s²) ≈ μ₃/n. Four
    /// standard errors fail a correct sampler about once in 16,000 checks.
    fn moments(dist: &Dist, n: usize) -> ((f64, f64), (f64, f64)) {
        let mut stream = Stream::new(7, 0, "test");
        let xs: Vec<f64> = (0..n).map(|_| dist.sample(&mut stream).as_nanos() as f64).collect();
        let nf = n as f64;
        let mean = xs.iter().sum::<f64>() / nf;
        let central = |k: i32| xs.iter().map(|x| (x - mean).powi(k)).sum::<f64>() / nf;
        let (m2, m3, m4) = (central(2), central(3), central(4));
        let sd = m2.sqrt();
        let cv = sd / mean;
        let (skew, kurt) = (m3 / (sd * m2), m4 / (m2 * m2));
        let cv_se = cv * (((kurt - 1.0) / 4.0 + cv * cv - skew * cv) / nf).sqrt();
        ((mean, 4.0 * sd / nf.sqrt()), (cv, 4.0 * cv_se))
    }

    /// Asserts that `dist` samples its own `mean()` and `scv()`.
    fn assert_moments_match(dist: &Dist, n: usize) {
        let ((mean, mean_tol), (cv, cv_tol)) = moments(dist, n);
        let want_mean = dist.mean().as_nanos() as f64;
        let want_cv = dist.scv().sqrt();
        // 0.5 ns more for the rounding of each draw to whole nanoseconds.
        assert!((mean - want_mean).abs() <= mean_tol + 0.5, "{dist:?}: mean {mean} vs {want_mean}");
        assert!((cv - want_cv).abs() <= cv_tol, "{dist:?}: cv {cv} vs {want_cv} ± {cv_tol}");
    }

    #[test]
    fn exponential_has_its_mean_and_cv_one() {
        let dist = Dist::exponential(SimDuration::from_millis(10));
        assert_eq!(dist.scv(), 1.0);
        assert_moments_match(&dist, 200_000);
    }

    #[test]
    fn lognormal_has_its_mean_and_cv() {
        let dist = Dist::lognormal(SimDuration::from_millis(8), 0.5);
        assert!((dist.scv() - 0.25).abs() < 1e-12);
        assert!(dist.mean().as_nanos().abs_diff(8_000_000) <= 1);
        assert_moments_match(&dist, 200_000);
    }

    #[test]
    fn gamma_and_erlang_have_their_mean_and_cv() {
        let mean = SimDuration::from_millis(10);
        for cv in [0.2, 0.7, 1.0, 1.5, 3.0] {
            let dist = Dist::gamma(mean, 1.0 / (cv * cv));
            assert!((dist.scv().sqrt() - cv).abs() < 1e-12);
            assert!(dist.mean().as_nanos().abs_diff(10_000_000) <= 1);
            assert_moments_match(&dist, 200_000);
        }
        let erlang = Dist::erlang(mean, 3);
        assert!((erlang.scv() - 1.0 / 3.0).abs() < 1e-12);
        assert_moments_match(&erlang, 200_000);
    }

    #[test]
    fn uniform_has_its_mean_and_cv() {
        let dist = Dist::uniform(SimDuration::from_millis(1), SimDuration::from_millis(5));
        assert_eq!(dist.mean(), SimDuration::from_millis(3));
        // Variance 4²/12 ms² over a mean of 3² ms².
        assert!((dist.scv() - 16.0 / 12.0 / 9.0).abs() < 1e-12);
        assert_moments_match(&dist, 200_000);
        let mut stream = Stream::new(3, 0, "u");
        let inside = |d: SimDuration| (1_000_000..=5_000_000).contains(&d.as_nanos());
        assert!((0..10_000).all(|_| inside(dist.sample(&mut stream))));
    }

    #[test]
    fn a_uniform_of_zero_width_is_a_constant() {
        let d = SimDuration::from_millis(2);
        let dist = Dist::uniform(d, d);
        assert_eq!(dist.scv(), 0.0);
        assert_eq!(dist.sample(&mut Stream::new(1, 0, "u")), d);
    }

    #[test]
    fn constant_is_constant() {
        let mut stream = Stream::new(1, 0, "c");
        let dist = Dist::Constant(SimDuration::from_millis(3));
        assert_eq!(dist.sample(&mut stream), SimDuration::from_millis(3));
        assert_eq!(dist.scv(), 0.0);
    }

    #[test]
    fn speed_scales_every_variant_but_not_its_shape() {
        let ms = SimDuration::from_millis;
        let table = QuantileTable::from_points([(0.0, 1e6), (0.5, 2e6), (1.0, 9e6)]).unwrap();
        let dists = [
            Dist::Constant(ms(8)),
            Dist::exponential(ms(8)),
            Dist::lognormal(ms(8), 0.5),
            Dist::gamma(ms(8), 0.5),
            Dist::uniform(ms(4), ms(12)),
            Dist::Empirical(table),
        ];
        for dist in dists {
            let fast = dist.scaled_by_speed(2.0);
            let halved = dist.mean().as_nanos() as f64 / 2.0;
            assert!((fast.mean().as_nanos() as f64 - halved).abs() <= 1.0, "{dist:?}");
            assert!((fast.scv() - dist.scv()).abs() < 1e-12, "{dist:?}");
        }
    }

    #[test]
    fn a_dist_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Dist>();
    }

    #[test]
    fn same_seed_same_draws_for_every_variant() {
        let table = QuantileTable::from_samples(vec![1e6, 3e6, 2e6, 8e6]).unwrap();
        let ms = SimDuration::from_millis;
        for dist in [Dist::gamma(ms(5), 0.3), Dist::uniform(ms(1), ms(2)), Dist::Empirical(table)] {
            let draw = || {
                let mut stream = Stream::new(11, 0, "same");
                (0..100).map(|_| dist.sample(&mut stream)).collect::<Vec<_>>()
            };
            assert_eq!(draw(), draw());
        }
    }
}
