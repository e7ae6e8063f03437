//! How requests arrive: the arrival process of the open-loop traffic.
//!
//! The rate is a [`RateCurve`]: pieces on which it is constant, linear or a
//! daily cosine, composed from a scenario's shape and spikes ([`shape`]).
//! Arrivals follow it exactly, in one of two ways:
//!
//! - **Poisson**, by thinning (Lewis and Shedler, 1979). On each piece a
//!   candidate gap is drawn at the piece's highest rate and the candidate
//!   is kept with probability rate/bound; a candidate past the piece's end
//!   restarts at the boundary, which the memoryless property makes exact.
//!   On a constant piece every candidate is kept, so no second draw is
//!   made: a constant rate or a trace costs one draw per arrival.
//! - **Deterministic**: the n-th request arrives at the instant the integral
//!   of the rate since the start of the run reaches n − ½. At a constant
//!   rate r the gaps are exactly 1/r, the first half a gap in; when the rate
//!   varies each gap holds exactly one expected request, so gaps shrink and
//!   stretch with the rate (at once at a step or spike) and the count in any
//!   window is within one of the window's integral. Where the rate is zero
//!   nothing arrives.

pub mod curve;
pub mod shape;

pub use curve::{Piece, PieceRate, RateCurve};

use crate::engine::dist::ziggurat;
use crate::engine::random::Stream;
use crate::engine::time::{SimDuration, SimTime};

/// How arrivals are placed under the rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spacing {
    /// A Poisson process with the curve as its intensity.
    Poisson,
    /// Evenly spaced in expected count: one request per unit of the
    /// integral of the rate.
    Deterministic,
}

/// The arrival process of a scenario: a rate over time and how arrivals are
/// spaced under it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrivalSpec {
    /// Requests per second over the run; zero after its horizon.
    pub rate: RateCurve,
    /// Poisson or evenly spaced.
    pub spacing: Spacing,
}

impl ArrivalSpec {
    /// Poisson arrivals at a constant rate until `horizon`.
    pub fn poisson(rate_per_s: f64, horizon: SimTime) -> ArrivalSpec {
        ArrivalSpec { rate: RateCurve::constant(rate_per_s, horizon), spacing: Spacing::Poisson }
    }

    /// Expected number of arrivals in `[from, to)`: the exact integral of
    /// the rate. Deterministic spacing delivers it to within one.
    pub fn expected_arrivals(&self, from: SimTime, to: SimTime) -> f64 {
        self.rate.integral(from, to)
    }
}

/// The running arrival process: draws the next arrival time.
#[derive(Debug)]
pub struct Arrivals {
    spec: ArrivalSpec,
    /// Index of the current piece of the curve.
    piece: usize,
    /// Where the current piece starts.
    piece_start: SimTime,
    /// Deterministic spacing: the integral of the rate from the start of
    /// the run to `piece_start`.
    level_at_piece_start: f64,
    /// Deterministic spacing: the integral at which the next request comes.
    next_level: f64,
    stream: Stream,
}

impl Arrivals {
    /// Starts the process with its own random stream (unused when the
    /// spacing is deterministic).
    pub fn new(spec: ArrivalSpec, stream: Stream) -> Arrivals {
        Arrivals {
            spec,
            piece: 0,
            piece_start: SimTime::ZERO,
            level_at_piece_start: 0.0,
            next_level: 0.5,
            stream,
        }
    }

    /// The first arrival after `now`, or `None` when no more will come.
    /// Calls must come in time order, each `now` the previous arrival (or
    /// the start of the run).
    pub fn next_after(&mut self, now: SimTime) -> Option<SimTime> {
        match self.spec.spacing {
            Spacing::Poisson => self.next_poisson(now),
            Spacing::Deterministic => self.next_deterministic().map(|at| at.max(now)),
        }
    }

    /// Moves on to the next piece.
    fn advance(&mut self, end: SimTime, integral: f64) {
        self.piece += 1;
        self.piece_start = end;
        self.level_at_piece_start += integral;
    }

    /// Thinning against each piece's highest rate.
    fn next_poisson(&mut self, now: SimTime) -> Option<SimTime> {
        let mut from = now;
        while let Some(piece) = self.spec.rate.pieces().get(self.piece).copied() {
            if from < piece.end {
                let bound = piece.rate.bound(self.piece_start, piece.end);
                if bound > 0.0 {
                    let gap_ns = ziggurat::exponential(&mut self.stream) * 1e9 / bound;
                    let at = from + SimDuration::from_nanos_f64(gap_ns);
                    if at < piece.end {
                        let kept = match piece.rate {
                            PieceRate::Constant(_) => true,
                            rate => {
                                let here = rate.at(self.piece_start, piece.end, at);
                                self.stream.uniform() * bound < here
                            }
                        };
                        if kept {
                            return Some(at);
                        }
                        from = at;
                        continue;
                    }
                }
            }
            // Past the piece: the draw restarts at its end.
            from = from.max(piece.end);
            self.advance(piece.end, 0.0);
        }
        None
    }

    /// The instant the integral of the rate reaches the next level.
    fn next_deterministic(&mut self) -> Option<SimTime> {
        while let Some(piece) = self.spec.rate.pieces().get(self.piece).copied() {
            let start = self.piece_start;
            let held = piece.rate.integral(start, piece.end, start, piece.end);
            let wanted = (self.next_level - self.level_at_piece_start).max(0.0);
            if wanted < held {
                self.next_level += 1.0;
                return Some(piece.rate.time_of(start, piece.end, start, wanted));
            }
            self.advance(piece.end, held);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: SimDuration = SimDuration::from_secs(60);

    fn count(spec: ArrivalSpec, until: SimTime) -> u64 {
        let mut arrivals = Arrivals::new(spec, Stream::new(3, 0, "arrivals"));
        let mut now = SimTime::ZERO;
        let mut n = 0;
        while let Some(at) = arrivals.next_after(now) {
            assert!(at >= now, "arrivals go back in time");
            if at >= until {
                break;
            }
            n += 1;
            now = at;
        }
        n
    }

    fn minutes(n: u64) -> SimTime {
        SimTime(n * MINUTE.as_nanos())
    }

    #[test]
    fn piecewise_counts_match_the_integral_of_the_rate() {
        let rate = RateCurve::new([
            Piece { end: minutes(1), rate: PieceRate::Constant(100.0) },
            Piece { end: minutes(2), rate: PieceRate::Constant(0.0) },
            Piece { end: minutes(3), rate: PieceRate::Linear { start: 0.0, end: 800.0 } },
        ]);
        let spec = ArrivalSpec { rate, spacing: Spacing::Poisson };
        let expected = spec.expected_arrivals(SimTime::ZERO, SimTime::NEVER);
        assert_eq!(expected, 30_000.0);
        let n = count(spec, SimTime::NEVER) as f64;
        // Poisson: standard deviation sqrt(30,000) = 173; allow 4 of them.
        assert!((n - expected).abs() < 4.0 * expected.sqrt(), "{n} arrivals");
    }

    #[test]
    fn deterministic_spacing_is_even_at_a_constant_rate() {
        let spec = ArrivalSpec {
            rate: RateCurve::constant(10.0, minutes(1)),
            spacing: Spacing::Deterministic,
        };
        let mut arrivals = Arrivals::new(spec, Stream::new(3, 0, "arrivals"));
        let first = arrivals.next_after(SimTime::ZERO).unwrap();
        let second = arrivals.next_after(first).unwrap();
        assert_eq!(first, SimTime(50_000_000));
        assert_eq!(second.since(first), SimDuration::from_millis(100));
    }

    #[test]
    fn deterministic_counts_are_within_one_of_the_integral() {
        let rate = RateCurve::new([
            Piece { end: minutes(1), rate: PieceRate::Linear { start: 3.0, end: 90.0 } },
            Piece { end: minutes(2), rate: PieceRate::Constant(0.0) },
            Piece {
                end: minutes(63),
                rate: PieceRate::Daily { mean: 20.0, amplitude: 0.7, peak_s: 600.0 },
            },
        ]);
        let spec = ArrivalSpec { rate, spacing: Spacing::Deterministic };
        for until in [minutes(1), minutes(2), minutes(30), minutes(63)] {
            let expected = spec.expected_arrivals(SimTime::ZERO, until);
            let n = count(spec.clone(), until) as f64;
            assert!((n - expected).abs() <= 1.0, "{n} vs {expected} until {until:?}");
        }
    }
}
