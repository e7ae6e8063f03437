//! How requests arrive: the arrival process of the open-loop traffic.
//!
//! Arrivals are Poisson with a rate that is constant or piecewise constant
//! (a trace of counts per interval). For a piecewise-constant rate the
//! process is exact: an exponential gap is drawn at the current segment's
//! rate, and if it crosses the segment's end the draw restarts at the
//! boundary with the next rate, which the memoryless property makes exact.

use crate::engine::random::Stream;
use crate::engine::time::{SimDuration, SimTime};

/// The arrival process of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum ArrivalSpec {
    /// Poisson arrivals at a constant rate.
    Poisson {
        /// Requests per second, more than zero.
        rate_per_s: f64,
    },
    /// Poisson arrivals whose rate is constant within each segment.
    Piecewise(PiecewiseRate),
}

/// A rate that is constant between consecutive boundaries.
#[derive(Debug, Clone, PartialEq)]
pub struct PiecewiseRate {
    /// Segments in time order; each holds from the previous end (or zero)
    /// to its own end. After the last end no request arrives.
    pub segments: Vec<Segment>,
    /// Where the segments came from, for the summary.
    pub description: String,
}

/// One stretch of constant rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// Simulated time at which the segment ends.
    pub end: SimTime,
    /// Requests per second within the segment (zero allowed).
    pub rate_per_s: f64,
}

impl ArrivalSpec {
    /// Expected number of arrivals in `[from, to)`: the integral of the rate.
    pub fn expected_arrivals(&self, from: SimTime, to: SimTime) -> f64 {
        match self {
            ArrivalSpec::Poisson { rate_per_s } => rate_per_s * to.since(from).as_secs_f64(),
            ArrivalSpec::Piecewise(rate) => {
                let mut start = SimTime::ZERO;
                let mut total = 0.0;
                for segment in &rate.segments {
                    let lo = start.max(from);
                    let hi = segment.end.min(to);
                    if hi > lo {
                        total += segment.rate_per_s * hi.since(lo).as_secs_f64();
                    }
                    start = segment.end;
                }
                total
            }
        }
    }
}

/// The running arrival process: draws the next arrival time.
#[derive(Debug)]
pub struct Arrivals {
    spec: ArrivalSpec,
    /// Index of the current segment (piecewise rates only).
    segment: usize,
    stream: Stream,
}

impl Arrivals {
    /// Starts the process with its own random stream.
    pub fn new(spec: ArrivalSpec, stream: Stream) -> Arrivals {
        Arrivals { spec, segment: 0, stream }
    }

    /// The first arrival after `now`, or `None` when no more will come.
    pub fn next_after(&mut self, now: SimTime) -> Option<SimTime> {
        match &self.spec {
            ArrivalSpec::Poisson { rate_per_s } => {
                let gap = -libm::log(self.stream.uniform_open0()) / rate_per_s;
                Some(now + SimDuration::from_secs_f64(gap))
            }
            ArrivalSpec::Piecewise(rate) => {
                let mut from = now;
                while let Some(segment) = rate.segments.get(self.segment) {
                    if segment.rate_per_s > 0.0 && from < segment.end {
                        let gap = -libm::log(self.stream.uniform_open0()) / segment.rate_per_s;
                        let at = from + SimDuration::from_secs_f64(gap);
                        if at < segment.end {
                            return Some(at);
                        }
                    }
                    from = from.max(segment.end);
                    self.segment += 1;
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(spec: ArrivalSpec, until: SimTime) -> u64 {
        let mut arrivals = Arrivals::new(spec, Stream::new(3, 0, "arrivals"));
        let mut now = SimTime::ZERO;
        let mut n = 0;
        while let Some(at) = arrivals.next_after(now) {
            if at >= until {
                break;
            }
            n += 1;
            now = at;
        }
        n
    }

    #[test]
    fn piecewise_counts_match_the_integral_of_the_rate() {
        let minute = SimDuration::from_secs(60);
        let spec = ArrivalSpec::Piecewise(PiecewiseRate {
            segments: vec![
                Segment { end: SimTime::ZERO + minute, rate_per_s: 100.0 },
                Segment { end: SimTime::ZERO + minute + minute, rate_per_s: 0.0 },
                Segment { end: SimTime(3 * minute.as_nanos()), rate_per_s: 400.0 },
            ],
            description: String::new(),
        });
        let expected = spec.expected_arrivals(SimTime::ZERO, SimTime(u64::MAX / 2));
        assert_eq!(expected, 30_000.0);
        let n = count(spec, SimTime(u64::MAX / 2)) as f64;
        // Poisson: standard deviation sqrt(30,000) = 173; allow 4 of them.
        assert!((n - expected).abs() < 4.0 * expected.sqrt(), "{n} arrivals");
    }
}
