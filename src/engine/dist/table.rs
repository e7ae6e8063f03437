//! A measured distribution: a table of (probability, value) knots read as a
//! piecewise-linear inverse CDF.
//!
//! One representation serves both sources. Samples x₍₀₎ ≤ … ≤ x₍ₙ₋₁₎ become
//! knots at probabilities i/(n − 1), so drawing interpolates linearly
//! between neighbouring order statistics (Hyndman and Fan's "type 7",
//! R's and NumPy's default quantile). Percentiles p0, p25, …, p100 become
//! knots at 0, 0.25, …, 1. The CDF is continuous and linear between knots:
//! the density is flat inside each segment, the simplest shape that passes
//! through every given point, and no draw falls outside [p0, p100].

use std::fmt;
use std::sync::Arc;

/// One point of the inverse CDF: the value at cumulative probability `p`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Knot {
    /// Cumulative probability, in [0, 1].
    pub p: f64,
    /// The value at `p`, in nanoseconds.
    pub ns: f64,
}

/// Why a table was refused; indices count the points as given.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
pub enum TableError {
    /// Fewer than two points: no range to interpolate over.
    #[error("{found} value(s): a table needs at least 2")]
    TooFew {
        /// Points given.
        found: usize,
    },
    /// A value is negative, infinite or not a number, or a probability is
    /// outside [0, 1].
    #[error("point {index} is not a probability in [0, 1] with a finite value of 0 or more")]
    Invalid {
        /// Index of the point.
        index: usize,
    },
    /// The first point is not at probability 0: the lower tail is unknown.
    #[error("the first point is not at probability 0 (p0)")]
    NoMinimum,
    /// The last point is not at probability 1: the upper tail is unknown.
    #[error("the last point is not at probability 1 (p100)")]
    NoMaximum,
    /// A probability is not above the one before it.
    #[error("the probability of point {index} is not above the one before")]
    NotIncreasing {
        /// Index of the point.
        index: usize,
    },
    /// A value is below the one before it.
    #[error("the value of point {index} is below the one before")]
    Decreasing {
        /// Index of the point.
        index: usize,
    },
}

/// A piecewise-linear inverse CDF, shared behind an `Arc` so that cloning
/// is a pointer copy. The mean and squared CV are worked out once, exactly,
/// when the table is built.
#[derive(Clone, PartialEq)]
pub struct QuantileTable {
    knots: Arc<[Knot]>,
    mean_ns: f64,
    scv: f64,
}

impl QuantileTable {
    /// The table through `points` (probability, nanoseconds), given in
    /// order of probability: the first at 0, the last at 1, probabilities
    /// rising, values never falling.
    pub fn from_points(
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> Result<QuantileTable, TableError> {
        let knots: Vec<Knot> = points.into_iter().map(|(p, ns)| Knot { p, ns }).collect();
        check(&knots)?;
        Ok(QuantileTable::from_checked(knots))
    }

    /// The table of a set of samples in nanoseconds, in any order: knots at
    /// the order statistics, evenly spaced in probability.
    pub fn from_samples(mut samples: Vec<f64>) -> Result<QuantileTable, TableError> {
        if let Some(index) = samples.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
            return Err(TableError::Invalid { index });
        }
        if samples.len() < 2 {
            return Err(TableError::TooFew { found: samples.len() });
        }
        samples.sort_by(f64::total_cmp);
        let last = (samples.len() - 1) as f64;
        let knots = samples.iter().enumerate().map(|(i, &ns)| Knot { p: i as f64 / last, ns });
        Ok(QuantileTable::from_checked(knots.collect()))
    }

    /// Wraps knots that passed [`check`], working out the moments.
    fn from_checked(knots: Vec<Knot>) -> QuantileTable {
        let (mean_ns, scv) = moments(&knots);
        QuantileTable { knots: knots.into(), mean_ns, scv }
    }

    /// The knots, in order of probability.
    pub fn knots(&self) -> &[Knot] {
        &self.knots
    }

    /// The mean of the piecewise-linear distribution in nanoseconds. For a
    /// table of samples it differs slightly from the samples' plain mean:
    /// the smallest and largest samples each weigh half as much as the
    /// others, since each bounds one segment instead of two.
    pub fn mean_ns(&self) -> f64 {
        self.mean_ns
    }

    /// The squared coefficient of variation of the piecewise-linear
    /// distribution; 0 if its mean is 0.
    pub fn scv(&self) -> f64 {
        self.scv
    }

    /// The value in nanoseconds at cumulative probability `u` (clamped to
    /// [0, 1]): a binary search for the segment, then linear interpolation.
    #[inline]
    pub fn quantile_ns(&self, u: f64) -> f64 {
        let knots = &*self.knots;
        // The first knot above u ends u's segment; with p₀ = 0 and the
        // last p = 1, it lies in 1..len for every u in [0, 1).
        let upper = knots.partition_point(|k| k.p <= u).clamp(1, knots.len() - 1);
        let (lo, hi) = (knots[upper - 1], knots[upper]);
        let t = ((u - lo.p) / (hi.p - lo.p)).clamp(0.0, 1.0);
        lo.ns + t * (hi.ns - lo.ns)
    }

    /// The same table with every value multiplied by `factor` (> 0).
    pub fn scaled_by(&self, factor: f64) -> QuantileTable {
        let knots = self.knots.iter().map(|k| Knot { p: k.p, ns: k.ns * factor });
        QuantileTable { knots: knots.collect(), mean_ns: self.mean_ns * factor, scv: self.scv }
    }
}

impl fmt::Debug for QuantileTable {
    /// A summary: a table of a million samples would flood any log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, last) = (self.knots[0], self.knots[self.knots.len() - 1]);
        f.debug_struct("QuantileTable")
            .field("knots", &self.knots.len())
            .field("min_ns", &first.ns)
            .field("max_ns", &last.ns)
            .field("mean_ns", &self.mean_ns)
            .field("scv", &self.scv)
            .finish()
    }
}

/// Checks the invariants [`QuantileTable::quantile_ns`] relies on.
fn check(knots: &[Knot]) -> Result<(), TableError> {
    if knots.len() < 2 {
        return Err(TableError::TooFew { found: knots.len() });
    }
    let valid = |k: &Knot| (0.0..=1.0).contains(&k.p) && k.ns.is_finite() && k.ns >= 0.0;
    if let Some(index) = knots.iter().position(|k| !valid(k)) {
        return Err(TableError::Invalid { index });
    }
    for index in 1..knots.len() {
        if knots[index].p <= knots[index - 1].p {
            return Err(TableError::NotIncreasing { index });
        }
        if knots[index].ns < knots[index - 1].ns {
            return Err(TableError::Decreasing { index });
        }
    }
    if knots[0].p != 0.0 {
        return Err(TableError::NoMinimum);
    }
    if knots[knots.len() - 1].p != 1.0 {
        return Err(TableError::NoMaximum);
    }
    Ok(())
}

/// Mean and squared CV of the piecewise-linear distribution.
///
/// On a segment of probability Δp whose values run linearly from a to b,
/// the value is uniform on [a, b]: it adds Δp·(a + b)/2 to the mean, and
/// Δp·(A² + AB + B²)/3 to the variance, with A and B the distances of a and
/// b from the mean (taken about the mean, not as E[X²] − mean², so no
/// precision is lost to cancellation).
fn moments(knots: &[Knot]) -> (f64, f64) {
    let segments = || knots.windows(2).map(|w| (w[1].p - w[0].p, w[0].ns, w[1].ns));
    let mean: f64 = segments().map(|(dp, a, b)| dp * (a + b) / 2.0).sum();
    let variance: f64 = segments()
        .map(|(dp, a, b)| {
            let (a, b) = (a - mean, b - mean);
            dp * (a * a + a * b + b * b) / 3.0
        })
        .sum();
    let scv = if mean > 0.0 { variance / (mean * mean) } else { 0.0 };
    (mean, scv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_two_point_table_is_a_uniform() {
        let table = QuantileTable::from_points([(0.0, 0.0), (1.0, 20.0)]).unwrap();
        assert_eq!(table.mean_ns(), 10.0);
        // Variance 20²/12 over 10².
        assert!((table.scv() - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn moments_follow_the_segments() {
        // 90 % uniform on [0, 10], 10 % uniform on [10, 100]:
        // mean 0.9·5 + 0.1·55 = 10; E[X²] = 0.9·100/3 + 0.1·11100/3 = 400.
        let table = QuantileTable::from_points([(0.0, 0.0), (0.9, 10.0), (1.0, 100.0)]).unwrap();
        assert!((table.mean_ns() - 10.0).abs() < 1e-12);
        assert!((table.scv() - 3.0).abs() < 1e-12);
    }

    #[test]
    fn quantiles_interpolate_between_knots() {
        let table = QuantileTable::from_points([(0.0, 1.0), (0.5, 3.0), (1.0, 11.0)]).unwrap();
        assert_eq!(table.quantile_ns(0.0), 1.0);
        assert_eq!(table.quantile_ns(0.25), 2.0);
        assert_eq!(table.quantile_ns(0.5), 3.0);
        assert_eq!(table.quantile_ns(0.75), 7.0);
        assert_eq!(table.quantile_ns(1.0), 11.0);
        let below_one = table.quantile_ns(f64::from_bits(1.0f64.to_bits() - 1));
        assert!(below_one > 10.999_999 && below_one <= 11.0, "{below_one}");
    }

    #[test]
    fn samples_become_evenly_spaced_order_statistics() {
        let table = QuantileTable::from_samples(vec![4.0, 0.0, 2.0]).unwrap();
        let knots = table.knots();
        assert_eq!(
            knots.iter().map(|k| (k.p, k.ns)).collect::<Vec<_>>(),
            [(0.0, 0.0), (0.5, 2.0), (1.0, 4.0)]
        );
        // Type 7: the 25th percentile of 0, 2, 4 is 1.
        assert_eq!(table.quantile_ns(0.25), 1.0);
    }

    #[test]
    fn bad_tables_are_refused_with_the_point_at_fault() {
        let from = |points: &[(f64, f64)]| QuantileTable::from_points(points.iter().copied());
        assert_eq!(from(&[(0.0, 1.0)]), Err(TableError::TooFew { found: 1 }));
        assert_eq!(from(&[(0.1, 1.0), (1.0, 2.0)]), Err(TableError::NoMinimum));
        assert_eq!(from(&[(0.0, 1.0), (0.9, 2.0)]), Err(TableError::NoMaximum));
        assert_eq!(
            from(&[(0.0, 1.0), (0.5, 3.0), (1.0, 2.0)]),
            Err(TableError::Decreasing { index: 2 })
        );
        assert_eq!(
            from(&[(0.0, 1.0), (0.5, 3.0), (0.5, 4.0), (1.0, 5.0)]),
            Err(TableError::NotIncreasing { index: 2 })
        );
        assert_eq!(from(&[(0.0, -1.0), (1.0, 2.0)]), Err(TableError::Invalid { index: 0 }));
        assert_eq!(
            QuantileTable::from_samples(vec![1.0, f64::NAN]),
            Err(TableError::Invalid { index: 1 })
        );
        assert_eq!(QuantileTable::from_samples(vec![1.0]), Err(TableError::TooFew { found: 1 }));
    }

    #[test]
    fn clones_share_the_knots() {
        let table = QuantileTable::from_samples((0..1000).map(f64::from).collect()).unwrap();
        let copy = table.clone();
        assert!(Arc::ptr_eq(&table.knots, &copy.knots));
    }
}
