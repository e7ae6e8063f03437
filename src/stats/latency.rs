//! Latency histograms: one for the current window, one for the whole
//! measured run, both of fixed size.

use hdrhistogram::Histogram;

/// Lowest latency told apart from zero: 1 µs, in nanoseconds.
const LOWEST_NS: u64 = 1_000;
/// Highest latency recorded exactly: one day; longer ones are clamped.
const HIGHEST_NS: u64 = 86_400_000_000_000;
/// Three significant digits: percentiles within 0.1 %.
const SIGNIFICANT_DIGITS: u8 = 3;

/// Percentiles of one set of latencies, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Percentiles {
    /// Arithmetic mean.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest.
    pub max_ms: f64,
}

/// Records latencies into a window histogram, folded into the run's
/// histogram when each window closes: one record per request.
#[derive(Debug, Clone)]
pub struct LatencyRecorder {
    window: Histogram<u64>,
    total: Histogram<u64>,
}

impl Default for LatencyRecorder {
    fn default() -> Self {
        Self::new()
    }
}

/// An empty histogram of the size every recorder uses.
pub fn empty_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(LOWEST_NS, HIGHEST_NS, SIGNIFICANT_DIGITS)
        .expect("the bounds are constants that hdrhistogram accepts")
}

impl LatencyRecorder {
    /// Two empty histograms.
    pub fn new() -> LatencyRecorder {
        LatencyRecorder { window: empty_histogram(), total: empty_histogram() }
    }

    /// Records one latency in nanoseconds.
    #[inline]
    pub fn record(&mut self, latency_ns: u64) {
        self.window.saturating_record(latency_ns.clamp(1, HIGHEST_NS));
    }

    /// Closes the window: returns its percentiles (`None` if it is empty)
    /// and adds it to the run's histogram.
    pub fn close_window(&mut self) -> Option<Percentiles> {
        let percentiles = percentiles(&self.window);
        self.total.add(&self.window).expect("both histograms have the same bounds");
        self.window.reset();
        percentiles
    }

    /// The whole run's histogram (closed windows only).
    pub fn total(&self) -> &Histogram<u64> {
        &self.total
    }
}

/// Percentiles of a histogram, `None` when it holds nothing.
pub fn percentiles(histogram: &Histogram<u64>) -> Option<Percentiles> {
    if histogram.is_empty() {
        return None;
    }
    let ms = |ns: u64| ns as f64 / 1e6;
    Some(Percentiles {
        mean_ms: histogram.mean() / 1e6,
        p50_ms: ms(histogram.value_at_quantile(0.5)),
        p90_ms: ms(histogram.value_at_quantile(0.9)),
        p99_ms: ms(histogram.value_at_quantile(0.99)),
        p999_ms: ms(histogram.value_at_quantile(0.999)),
        max_ms: ms(histogram.max()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_set_within_a_tenth_of_a_percent() {
        let mut recorder = LatencyRecorder::new();
        for ms in 1..=1000u64 {
            recorder.record(ms * 1_000_000);
        }
        let window = recorder.close_window().unwrap();
        assert!((window.p50_ms - 500.0).abs() <= 0.5, "{window:?}");
        assert!((window.p99_ms - 990.0).abs() <= 1.0, "{window:?}");
        assert!((window.mean_ms - 500.5).abs() <= 0.5, "{window:?}");
        assert!(recorder.close_window().is_none());
        assert_eq!(recorder.total().len(), 1000);
    }
}
