//! The gamma distribution, drawn by Marsaglia and Tsang's method.
//!
//! Marsaglia, G. and Tsang, W. W. (2000), "A simple method for generating
//! gamma variables", ACM Transactions on Mathematical Software 26(3). It
//! costs one normal and one uniform draw per try and accepts more than 95 %
//! of tries for any shape of 1 or more, so its cost does not grow with the
//! shape; summing k exponentials for an Erlang would cost k logarithms.

use super::standard_normal;
use crate::engine::random::Stream;

/// A gamma of shape `k` and scale `θ` (nanoseconds): mean kθ, squared CV
/// 1/k. An Erlang is the gamma whose shape is a whole number.
///
/// Holds the method's constants, worked out once when it is built.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gamma {
    shape: f64,
    scale_ns: f64,
    /// Marsaglia–Tsang's d = k′ − 1/3, for k′ = k, or k + 1 below 1.
    d: f64,
    /// Marsaglia–Tsang's c = 1/√(9d).
    c: f64,
}

impl Gamma {
    /// The gamma with `shape` k and `scale_ns` θ, both above 0 and finite
    /// (the scenario reader checks them).
    pub fn new(shape: f64, scale_ns: f64) -> Gamma {
        // Below shape 1 the method's squeeze does not hold: draw a gamma of
        // shape k + 1 and multiply by U^(1/k), which has shape k (the
        // "boost" from the same paper).
        let boosted = if shape < 1.0 { shape + 1.0 } else { shape };
        let d = boosted - 1.0 / 3.0;
        Gamma { shape, scale_ns, d, c: 1.0 / libm::sqrt(9.0 * d) }
    }

    /// The shape k.
    pub fn shape(&self) -> f64 {
        self.shape
    }

    /// The scale θ in nanoseconds.
    pub fn scale_ns(&self) -> f64 {
        self.scale_ns
    }

    /// The mean kθ in nanoseconds.
    pub fn mean_ns(&self) -> f64 {
        self.shape * self.scale_ns
    }

    /// The same shape with the scale multiplied by `factor`.
    pub fn scaled_by(&self, factor: f64) -> Gamma {
        Gamma { scale_ns: self.scale_ns * factor, ..*self }
    }

    /// Draws one value in nanoseconds.
    #[inline]
    pub fn sample_ns(&self, stream: &mut Stream) -> f64 {
        let mut standard = self.standard_draw(stream);
        if self.shape < 1.0 {
            standard *= libm::pow(stream.uniform_open0(), 1.0 / self.shape);
        }
        standard * self.scale_ns
    }

    /// One draw of shape d + 1/3 and scale 1, by rejection.
    #[inline]
    fn standard_draw(&self, stream: &mut Stream) -> f64 {
        loop {
            let x = standard_normal(stream);
            let t = 1.0 + self.c * x;
            if t <= 0.0 {
                continue;
            }
            let v = t * t * t;
            let u = stream.uniform_open0();
            let x2 = x * x;
            // The cheap squeeze accepts most tries without a logarithm.
            if u < 1.0 - 0.0331 * x2 * x2
                || libm::log(u) < 0.5 * x2 + self.d * (1.0 - v + libm::log(v))
            {
                return self.d * v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_below_one_are_boosted_and_keep_their_mean() {
        let gamma = Gamma::new(0.25, 4e6);
        assert_eq!(gamma.mean_ns(), 1e6);
        assert!((gamma.d - (1.25 - 1.0 / 3.0)).abs() < 1e-15);
        let mut stream = Stream::new(5, 0, "gamma");
        let n = 400_000;
        let mean = (0..n).map(|_| gamma.sample_ns(&mut stream)).sum::<f64>() / n as f64;
        // Standard deviation 2e6 (CV 2); four standard errors of the mean.
        assert!((mean - 1e6).abs() < 4.0 * 2e6 / (n as f64).sqrt(), "mean {mean}");
    }

    #[test]
    fn draws_are_never_negative() {
        let mut stream = Stream::new(9, 0, "gamma");
        for shape in [0.01, 0.5, 1.0, 7.0, 1e4] {
            let gamma = Gamma::new(shape, 1.0);
            assert!((0..10_000).all(|_| gamma.sample_ns(&mut stream) >= 0.0), "shape {shape}");
        }
    }
}
