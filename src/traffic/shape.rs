//! Rate shapes as a scenario composes them: a base (constant, steps, ramp,
//! daily curve, hourly points or counts per interval) multiplied by spikes,
//! turned into a [`RateCurve`].
//!
//! Instants are nanoseconds since the start of the run, signed, because a
//! step, a ramp or a trace may begin before the run does (the rate at the
//! start then follows from it). The curve is cut at every breakpoint of the
//! base and at both ends of every spike, so each piece has one closed form.

use super::curve::{Piece, PieceRate, RateCurve};
use crate::engine::time::SimTime;

/// Nanoseconds in an hour: daily curves are cut into hour-long pieces so
/// that a thinning bound stays close to the rate.
const HOUR_NS: i64 = 3_600_000_000_000;

/// The base rate, before spikes.
#[derive(Debug, Clone, PartialEq)]
pub enum BaseRate {
    /// The same rate throughout, in requests per second.
    Constant(f64),
    /// A rate that jumps at each step; the first step's rate also holds
    /// before it. Steps are in time order.
    Steps(Vec<Step>),
    /// A straight line between two rates; flat before and after.
    Ramp(Ramp),
    /// `mean · (1 + amplitude · cos(2π (t − peak) / 1 day))`.
    Daily {
        /// Mean over a day, requests per second.
        mean: f64,
        /// Relative swing, in [0, 1).
        amplitude: f64,
        /// An instant of a peak.
        peak_ns: i64,
    },
    /// Rates at each whole UTC hour (index 0 is midnight), joined by
    /// straight lines, repeating every day.
    Hourly {
        /// Requests per second at 00:00, 01:00, … 23:00 UTC.
        rates: [f64; 24],
        /// An instant of a UTC midnight.
        midnight_ns: i64,
    },
    /// Counts per interval, spread evenly within each interval; no
    /// arrivals before the first interval or after the last.
    Counts(Counts),
}

/// One step: from `at_ns` on, the rate is `rate`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// When the step happens.
    pub at_ns: i64,
    /// Requests per second from then on.
    pub rate: f64,
}

/// A linear change of rate from `start_ns` to `end_ns` (`end_ns` later).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ramp {
    /// Rate until the ramp starts, requests per second.
    pub from: f64,
    /// Rate once the ramp has ended.
    pub to: f64,
    /// When the ramp starts.
    pub start_ns: i64,
    /// When it ends.
    pub end_ns: i64,
}

/// Consecutive intervals with a count of requests in each.
#[derive(Debug, Clone, PartialEq)]
pub struct Counts {
    /// When the first interval starts.
    pub start_ns: i64,
    /// Intervals in time order, each from the previous end.
    pub intervals: Vec<Interval>,
}

/// One interval of [`Counts`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// When the interval ends.
    pub end_ns: i64,
    /// Requests expected in it (zero or more).
    pub count: f64,
}

/// A stretch during which the rate is multiplied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    /// When the spike starts.
    pub start: SimTime,
    /// When it ends.
    pub end: SimTime,
    /// Factor on the base rate, above zero; overlapping spikes multiply.
    pub multiplier: f64,
}

/// The base times the spikes, as a curve from the start of the run to
/// `horizon`.
pub fn compose(base: &BaseRate, spikes: &[Spike], horizon: SimTime) -> RateCurve {
    RateCurve::new(with_spikes(base_pieces(base, horizon), spikes, horizon))
}

/// An instant clipped into `[0, horizon]`.
fn clip(ns: i64, horizon: SimTime) -> SimTime {
    SimTime(ns.max(0) as u64).min(horizon)
}

/// Nanoseconds since the start of the run, as a signed number.
fn signed(t: SimTime) -> i64 {
    t.as_nanos() as i64
}

/// The base alone, cut at its own breakpoints.
fn base_pieces(base: &BaseRate, horizon: SimTime) -> Vec<Piece> {
    let constant = |end: SimTime, rate: f64| Piece { end, rate: PieceRate::Constant(rate) };
    match base {
        BaseRate::Constant(rate) => vec![constant(horizon, *rate)],
        BaseRate::Steps(steps) => {
            let mut pieces = Vec::with_capacity(steps.len() + 1);
            let mut current = steps.first().map_or(0.0, |s| s.rate);
            for step in steps {
                pieces.push(constant(clip(step.at_ns, horizon), current));
                current = step.rate;
            }
            pieces.push(constant(horizon, current));
            pieces
        }
        BaseRate::Ramp(ramp) => {
            let at = |t: SimTime| {
                let share =
                    (signed(t) - ramp.start_ns) as f64 / (ramp.end_ns - ramp.start_ns) as f64;
                ramp.from + (ramp.to - ramp.from) * share.clamp(0.0, 1.0)
            };
            let (start, end) = (clip(ramp.start_ns, horizon), clip(ramp.end_ns, horizon));
            vec![
                constant(start, ramp.from),
                Piece { end, rate: PieceRate::Linear { start: at(start), end: at(end) } },
                constant(horizon, ramp.to),
            ]
        }
        BaseRate::Daily { mean, amplitude, peak_ns } => {
            let rate = PieceRate::Daily {
                mean: *mean,
                amplitude: *amplitude,
                peak_s: *peak_ns as f64 / 1e9,
            };
            // Cut on the hour counted from a peak, so that no piece holds a
            // peak inside it and each thinning bound is the higher end.
            hour_grid(*peak_ns, horizon).map(|(_, end)| Piece { end, rate }).collect()
        }
        BaseRate::Hourly { rates, midnight_ns } => hour_grid(*midnight_ns, horizon)
            .map(|(hour, end)| {
                let (from, to) = (
                    rates[hour.rem_euclid(24) as usize],
                    rates[(hour + 1).rem_euclid(24) as usize],
                );
                let hour_start = midnight_ns + hour * HOUR_NS;
                let at = |t: SimTime| {
                    from + (to - from) * (signed(t) - hour_start) as f64 / HOUR_NS as f64
                };
                let start = clip(hour_start, horizon);
                Piece { end, rate: PieceRate::Linear { start: at(start), end: at(end) } }
            })
            .collect(),
        BaseRate::Counts(counts) => {
            let mut pieces = vec![constant(clip(counts.start_ns, horizon), 0.0)];
            let mut start_ns = counts.start_ns;
            for interval in &counts.intervals {
                let length_s = (interval.end_ns - start_ns) as f64 / 1e9;
                pieces.push(constant(clip(interval.end_ns, horizon), interval.count / length_s));
                start_ns = interval.end_ns;
            }
            pieces.push(constant(horizon, 0.0));
            pieces
        }
    }
}

/// The hours of a grid through `anchor_ns` that overlap the run: each as
/// (hours since the anchor, end clipped to the horizon).
fn hour_grid(anchor_ns: i64, horizon: SimTime) -> impl Iterator<Item = (i64, SimTime)> {
    let first = (-anchor_ns).div_euclid(HOUR_NS);
    (first..)
        .map(move |hour| (hour, anchor_ns + hour * HOUR_NS))
        .take_while(move |(_, start)| *start < signed(horizon))
        .map(move |(hour, start)| (hour, clip(start + HOUR_NS, horizon)))
}

/// Cuts the pieces at both ends of every spike and multiplies the rate
/// within each spike.
fn with_spikes(pieces: Vec<Piece>, spikes: &[Spike], horizon: SimTime) -> Vec<Piece> {
    if spikes.is_empty() {
        return pieces;
    }
    let mut cuts: Vec<SimTime> =
        spikes.iter().flat_map(|s| [s.start, s.end]).filter(|t| *t < horizon).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let factor_at = |t: SimTime| -> f64 {
        spikes.iter().filter(|s| s.start <= t && t < s.end).map(|s| s.multiplier).product()
    };

    let mut out = Vec::with_capacity(pieces.len() + cuts.len());
    let mut start = SimTime::ZERO;
    let mut next_cut = 0;
    for piece in pieces {
        let mut from = start;
        while from < piece.end {
            while next_cut < cuts.len() && cuts[next_cut] <= from {
                next_cut += 1;
            }
            let to = cuts.get(next_cut).map_or(piece.end, |cut| (*cut).min(piece.end));
            let rate = piece.rate.restrict(start, piece.end, from, to).scaled(factor_at(from));
            out.push(Piece { end: to, rate });
            from = to;
        }
        start = start.max(piece.end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE_NS: i64 = 60_000_000_000;

    fn at(minutes: i64) -> SimTime {
        SimTime((minutes * MINUTE_NS) as u64)
    }

    #[test]
    fn steps_hold_their_rate_until_the_next_step() {
        let base = BaseRate::Steps(vec![
            Step { at_ns: 10 * MINUTE_NS, rate: 100.0 },
            Step { at_ns: 20 * MINUTE_NS, rate: 300.0 },
        ]);
        let curve = compose(&base, &[], at(30));
        // The first rate also holds before the first step.
        assert_eq!(curve.integral(SimTime::ZERO, at(30)), 60.0 * (20.0 * 100.0 + 10.0 * 300.0));
    }

    #[test]
    fn a_ramp_that_began_before_the_run_starts_part_way_up() {
        let ramp = Ramp { from: 0.0, to: 100.0, start_ns: -10 * MINUTE_NS, end_ns: 10 * MINUTE_NS };
        let curve = compose(&BaseRate::Ramp(ramp), &[], at(20));
        // 50 → 100 over 10 minutes, then 100 for 10 minutes.
        assert_eq!(curve.integral(SimTime::ZERO, at(20)), 600.0 * 75.0 + 600.0 * 100.0);
    }

    #[test]
    fn spikes_multiply_and_overlapping_spikes_compound() {
        let spikes = [
            Spike { start: at(5), end: at(10), multiplier: 2.0 },
            Spike { start: at(8), end: at(12), multiplier: 3.0 },
        ];
        let curve = compose(&BaseRate::Constant(1.0), &spikes, at(20));
        let expected = 60.0 * (5.0 + 3.0 * 2.0 + 2.0 * 6.0 + 2.0 * 3.0 + 8.0);
        assert!((curve.integral(SimTime::ZERO, at(20)) - expected).abs() < 1e-9);
    }

    #[test]
    fn hourly_points_join_linearly_and_wrap_at_midnight() {
        let mut rates = [10.0; 24];
        rates[23] = 20.0;
        rates[0] = 30.0;
        // The run starts at 23:00 UTC: 20 → 30 then 30 → 10.
        let base = BaseRate::Hourly { rates, midnight_ns: 60 * MINUTE_NS };
        let curve = compose(&base, &[], at(120));
        assert_eq!(curve.integral(SimTime::ZERO, at(120)), 3_600.0 * (25.0 + 20.0));
    }

    #[test]
    fn counts_keep_their_total_when_cut_by_the_run() {
        let counts = Counts {
            start_ns: -MINUTE_NS / 2,
            intervals: (1..=3)
                .map(|i| Interval { end_ns: i * MINUTE_NS - MINUTE_NS / 2, count: 60.0 })
                .collect(),
        };
        let curve = compose(&BaseRate::Counts(counts), &[], at(10));
        // Half of the first interval falls before the run.
        assert_eq!(curve.integral(SimTime::ZERO, at(10)), 150.0);
    }
}
