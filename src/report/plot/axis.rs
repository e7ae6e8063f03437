//! Axis ranges and tick labels, computed so that plotters only ever sees
//! finite, non-empty ranges.

use std::ops::Range;

/// Largest magnitude kept on an axis. Values beyond it are clamped so that
/// padding a range cannot overflow to infinity; nothing we plot (ms, req/s,
/// USD) comes near it.
const MAX_MAGNITUDE: f64 = 1e300;

/// Smallest and largest of a set of finite values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Extent {
    /// The smallest value.
    pub(super) min: f64,
    /// The largest value, at least `min`.
    pub(super) max: f64,
}

impl Extent {
    /// Returns the extent of the finite values in `values`, or `None` when
    /// there are none.
    pub(super) fn of(values: impl IntoIterator<Item = f64>) -> Option<Extent> {
        values
            .into_iter()
            .filter(|v| v.is_finite())
            .map(|v| v.clamp(-MAX_MAGNITUDE, MAX_MAGNITUDE))
            .fold(None, |acc, v| match acc {
                None => Some(Extent { min: v, max: v }),
                Some(e) => Some(Extent { min: e.min.min(v), max: e.max.max(v) }),
            })
    }

    /// Returns whether these values read better on a log axis: they are all
    /// positive and span more than two decades.
    ///
    /// Two decades is where a linear axis starts to flatten the p50 line
    /// against zero while the p99.9 line takes all the height.
    pub(super) fn wants_log(self) -> bool {
        self.min > 0.0 && self.max / self.min > 100.0
    }
}

/// Returns the range of an x axis: the data, or one unit around it when the
/// data is a single instant.
pub(super) fn padded(extent: Extent) -> Range<f64> {
    if extent.max - extent.min < 1e-9 {
        extent.min - 0.5..extent.max + 0.5
    } else {
        extent.min..extent.max
    }
}

/// Returns a range around the data with a margin on both sides, for
/// scatter plots where the spread between points matters more than their
/// distance from zero.
pub(super) fn around(extent: Extent) -> Range<f64> {
    let span = extent.max - extent.min;
    let pad = if span > 1e-9 { 0.1 * span } else { 0.05 * extent.max.abs().max(1.0) };
    extent.min - pad..extent.max + pad
}

/// Returns the range of a linear y axis: from zero (or the lowest negative
/// value) to a little above the highest value, never empty.
///
/// Starting at zero keeps heights honest: a latency or a cost twice as high
/// is drawn twice as high.
pub(super) fn from_zero(extent: Extent) -> Range<f64> {
    let low = extent.min.min(0.0);
    let high = extent.max.max(0.0);
    let span = if high - low > 0.0 { high - low } else { 1.0 };
    let pad = 0.08 * span;
    let bottom = if low < 0.0 { low - pad } else { 0.0 };
    bottom..high + pad
}

/// Returns the range of a log y axis, widened to whole decades so that the
/// ticks fall on 1, 10, 100 and so on. `extent.min` must be positive.
pub(super) fn whole_decades(extent: Extent) -> Range<f64> {
    let low = extent.min.log10().floor();
    let high = extent.max.log10().ceil().max(low + 1.0);
    10f64.powf(low)..10f64.powf(high)
}

/// Formats a tick value in at most about four characters: `0.25`, `40`,
/// `2500`, `12.5k`, `3M`.
pub(super) fn tick_label(value: f64) -> String {
    let magnitude = value.abs();
    let (scaled, suffix) = if magnitude >= 1e9 {
        (value / 1e9, "G")
    } else if magnitude >= 1e6 {
        (value / 1e6, "M")
    } else if magnitude >= 1e4 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    format!("{}{suffix}", significant(scaled))
}

/// Formats `value` with three significant digits and no trailing zeros.
fn significant(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return "0".to_owned();
    }
    let decimals = (2.0 - value.abs().log10().floor()).clamp(0.0, 9.0) as usize;
    let text = format!("{value:.decimals$}");
    let text =
        if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extent_ignores_non_finite_values() {
        let extent = Extent::of([f64::NAN, 3.0, f64::INFINITY, -1.0, f64::NEG_INFINITY]);
        assert_eq!(extent, Some(Extent { min: -1.0, max: 3.0 }));
        assert_eq!(Extent::of([f64::NAN]), None);
    }

    #[test]
    fn log_is_chosen_beyond_two_decades_only() {
        assert!(!Extent { min: 1.0, max: 100.0 }.wants_log());
        assert!(Extent { min: 1.0, max: 250.0 }.wants_log());
        assert!(!Extent { min: 0.0, max: 1e6 }.wants_log());
    }

    #[test]
    fn ranges_are_never_empty() {
        let point = Extent { min: 5.0, max: 5.0 };
        assert_eq!(padded(point), 4.5..5.5);
        let zeros = Extent { min: 0.0, max: 0.0 };
        assert!(from_zero(zeros).end > 0.0);
        assert_eq!(whole_decades(Extent { min: 10.0, max: 10.0 }), 10.0..100.0);
        assert_eq!(whole_decades(Extent { min: 0.3, max: 2000.0 }), 0.1..10_000.0);
    }

    #[test]
    fn huge_values_do_not_overflow_the_range() {
        let extent = Extent::of([f64::MAX, -f64::MAX]).unwrap();
        let range = from_zero(extent);
        assert!(range.start.is_finite() && range.end.is_finite());
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(tick_label(40.0), "40");
        assert_eq!(tick_label(2500.0), "2500");
        assert_eq!(tick_label(12_500.0), "12.5k");
        assert_eq!(tick_label(3e6), "3M");
        assert_eq!(tick_label(-1.5), "-1.5");
        assert_eq!(tick_label(0.001_234), "0.00123");
    }
}
