//! An arrival rate over simulated time, as consecutive pieces on each of
//! which the rate has a closed form: constant, linear, or a daily cosine.
//!
//! Each piece knows its exact integral (the expected number of arrivals),
//! an upper bound (for thinning) and the instant at which its integral
//! reaches a given amount (for deterministic spacing). Nothing here is
//! sampled: [`super::Arrivals`] draws from the curve.

use std::f64::consts::TAU;

use crate::engine::time::{SimDuration, SimTime};

/// Seconds in a day: the period of [`PieceRate::Daily`].
pub const DAY_S: f64 = 86_400.0;

/// The rate within one piece, in requests per second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PieceRate {
    /// The same rate throughout the piece.
    Constant(f64),
    /// A rate that moves in a straight line from `start` (at the piece's
    /// start) to `end` (at its end).
    Linear {
        /// Rate at the start of the piece.
        start: f64,
        /// Rate at the end of the piece.
        end: f64,
    },
    /// `mean · (1 + amplitude · cos(2π (t − peak_s) / 1 day))`, with `t` in
    /// seconds since the start of the run: a smooth daily cycle.
    Daily {
        /// Mean over a whole day.
        mean: f64,
        /// Relative swing, in [0, 1).
        amplitude: f64,
        /// An instant of a peak, in seconds since the start of the run (any
        /// peak will do: the curve repeats every day).
        peak_s: f64,
    },
}

/// One stretch of the curve, from the previous piece's end (or the start of
/// the run) to `end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    /// Simulated time at which the piece ends.
    pub end: SimTime,
    /// The rate within the piece.
    pub rate: PieceRate,
}

/// A rate over `[0, horizon)`: pieces in time order, the first starting at
/// the start of the run. After the last piece the rate is zero.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RateCurve {
    pieces: Vec<Piece>,
}

/// Seconds between two instants, `b` not before `a`.
fn secs(a: SimTime, b: SimTime) -> f64 {
    b.since(a).as_secs_f64()
}

impl PieceRate {
    /// The rate at `t`, within a piece from `start` to `end`.
    pub fn at(&self, start: SimTime, end: SimTime, t: SimTime) -> f64 {
        match *self {
            PieceRate::Constant(rate) => rate,
            PieceRate::Linear { start: from, end: to } => {
                let length = secs(start, end);
                if length <= 0.0 { from } else { from + (to - from) * secs(start, t) / length }
            }
            PieceRate::Daily { mean, amplitude, peak_s } => {
                let phase = TAU * (t.as_secs_f64() - peak_s) / DAY_S;
                mean * (1.0 + amplitude * libm::cos(phase))
            }
        }
    }

    /// The exact integral of the rate over `[a, b]`, within a piece from
    /// `start` to `end`: the expected number of arrivals.
    pub fn integral(&self, start: SimTime, end: SimTime, a: SimTime, b: SimTime) -> f64 {
        let length = secs(a, b);
        match *self {
            PieceRate::Constant(rate) => rate * length,
            // Exact for a straight line: the trapezoid rule.
            PieceRate::Linear { .. } => {
                length * (self.at(start, end, a) + self.at(start, end, b)) / 2.0
            }
            // The antiderivative of cos is sin; the difference of two sines
            // is written as a product so that short spans keep their digits.
            PieceRate::Daily { mean, amplitude, peak_s } => {
                let omega = TAU / DAY_S;
                let middle = (a.as_secs_f64() + b.as_secs_f64()) / 2.0 - peak_s;
                let swing = 2.0 * libm::cos(omega * middle) * libm::sin(omega * length / 2.0);
                mean * (length + amplitude * swing / omega)
            }
        }
    }

    /// The highest rate within a piece from `start` to `end`.
    pub fn bound(&self, start: SimTime, end: SimTime) -> f64 {
        match *self {
            PieceRate::Constant(rate) => rate,
            PieceRate::Linear { start: from, end: to } => from.max(to),
            PieceRate::Daily { mean, amplitude, peak_s } => {
                // Between a peak and the next one the cosine falls to its
                // trough and rises again, so without a peak inside the
                // piece its highest value is at one of the ends.
                let (a, b) = (start.as_secs_f64(), end.as_secs_f64());
                let next_peak = peak_s + DAY_S * ((a - peak_s) / DAY_S).ceil();
                if next_peak <= b {
                    mean * (1.0 + amplitude)
                } else {
                    self.at(start, end, start).max(self.at(start, end, end))
                }
            }
        }
    }

    /// The instant `t` in `[from, end]` at which the integral over
    /// `[from, t]` reaches `amount`, within a piece from `start` to `end`;
    /// `end` if the piece holds less.
    pub fn time_of(&self, start: SimTime, end: SimTime, from: SimTime, amount: f64) -> SimTime {
        let after = |s: f64| (from + SimDuration::from_secs_f64(s)).min(end);
        match *self {
            PieceRate::Constant(rate) if rate > 0.0 => after(amount / rate),
            PieceRate::Constant(_) => end,
            PieceRate::Linear { start: rate0, end: rate1 } => {
                let r = self.at(start, end, from);
                let slope = (rate1 - rate0) / secs(start, end).max(f64::MIN_POSITIVE);
                // The root of r·u + slope·u²/2 = amount, written so that it
                // does not cancel when the slope is small.
                let root = libm::sqrt((r * r + 2.0 * slope * amount).max(0.0));
                if r + root > 0.0 { after(2.0 * amount / (r + root)) } else { end }
            }
            // No closed form: bisect to the nanosecond. About 42 halvings
            // for an hour-long piece, which only deterministic spacing
            // under a daily cosine pays, once per arrival.
            PieceRate::Daily { .. } => {
                let (mut lo, mut hi) = (from.as_nanos(), end.as_nanos());
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if self.integral(start, end, from, SimTime(mid)) < amount {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                SimTime(hi)
            }
        }
    }

    /// The same rate restricted to `[a, b]` inside a piece from `start` to
    /// `end`: a linear rate takes its values at the new ends.
    pub fn restrict(&self, start: SimTime, end: SimTime, a: SimTime, b: SimTime) -> PieceRate {
        match self {
            PieceRate::Linear { .. } => {
                PieceRate::Linear { start: self.at(start, end, a), end: self.at(start, end, b) }
            }
            other => *other,
        }
    }

    /// The rate multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> PieceRate {
        match *self {
            PieceRate::Constant(rate) => PieceRate::Constant(rate * factor),
            PieceRate::Linear { start, end } => {
                PieceRate::Linear { start: start * factor, end: end * factor }
            }
            PieceRate::Daily { mean, amplitude, peak_s } => {
                PieceRate::Daily { mean: mean * factor, amplitude, peak_s }
            }
        }
    }
}

impl RateCurve {
    /// A curve from pieces in time order; pieces that end no later than the
    /// one before them are dropped, since they last no time.
    pub fn new(pieces: impl IntoIterator<Item = Piece>) -> RateCurve {
        let mut kept: Vec<Piece> = Vec::new();
        for piece in pieces {
            if piece.end > kept.last().map_or(SimTime::ZERO, |p| p.end) {
                kept.push(piece);
            }
        }
        RateCurve { pieces: kept }
    }

    /// A constant rate from the start of the run to `horizon`.
    pub fn constant(rate_per_s: f64, horizon: SimTime) -> RateCurve {
        RateCurve::new([Piece { end: horizon, rate: PieceRate::Constant(rate_per_s) }])
    }

    /// The pieces in time order.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// Each piece with its start.
    pub fn spans(&self) -> impl Iterator<Item = (SimTime, &Piece)> {
        let starts = std::iter::once(SimTime::ZERO).chain(self.pieces.iter().map(|p| p.end));
        starts.zip(self.pieces.iter())
    }

    /// The end of the last piece: no arrival comes after it.
    pub fn horizon(&self) -> SimTime {
        self.pieces.last().map_or(SimTime::ZERO, |p| p.end)
    }

    /// The exact integral of the rate over `[from, to)`.
    pub fn integral(&self, from: SimTime, to: SimTime) -> f64 {
        self.spans()
            .filter(|(start, piece)| *start < to && piece.end > from)
            .map(|(start, piece)| {
                piece.rate.integral(start, piece.end, start.max(from), piece.end.min(to))
            })
            .sum()
    }

    /// The highest rate anywhere on the curve.
    pub fn peak(&self) -> f64 {
        self.spans().map(|(start, piece)| piece.rate.bound(start, piece.end)).fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: SimTime = SimTime(3_600 * 1_000_000_000);

    /// The integral by the midpoint rule on a fine grid, to check the
    /// closed forms against.
    fn numeric(rate: &PieceRate, end: SimTime, steps: u64) -> f64 {
        let dt = end.as_nanos() / steps;
        (0..steps)
            .map(|i| rate.at(SimTime::ZERO, end, SimTime(i * dt + dt / 2)) * dt as f64 / 1e9)
            .sum()
    }

    #[test]
    fn closed_form_integrals_match_numeric_ones() {
        let rates = [
            PieceRate::Constant(7.0),
            PieceRate::Linear { start: 100.0, end: 40.0 },
            PieceRate::Daily { mean: 200.0, amplitude: 0.4, peak_s: 1_800.0 },
        ];
        for rate in rates {
            let exact = rate.integral(SimTime::ZERO, HOUR, SimTime::ZERO, HOUR);
            let approx = numeric(&rate, HOUR, 100_000);
            assert!((exact - approx).abs() < 1e-6 * exact, "{rate:?}: {exact} vs {approx}");
        }
    }

    #[test]
    fn time_of_inverts_the_integral() {
        let rates = [
            PieceRate::Constant(7.0),
            PieceRate::Linear { start: 100.0, end: 40.0 },
            PieceRate::Linear { start: 0.0, end: 40.0 },
            PieceRate::Daily { mean: 200.0, amplitude: 0.4, peak_s: 1_800.0 },
        ];
        for rate in rates {
            let from = SimTime(HOUR.as_nanos() / 3);
            let amount = rate.integral(SimTime::ZERO, HOUR, from, HOUR) * 0.6;
            let t = rate.time_of(SimTime::ZERO, HOUR, from, amount);
            let back = rate.integral(SimTime::ZERO, HOUR, from, t);
            assert!((back - amount).abs() < 1e-5, "{rate:?}: {back} vs {amount}");
        }
    }

    #[test]
    fn a_daily_bound_covers_a_peak_inside_the_piece() {
        let rate = PieceRate::Daily { mean: 100.0, amplitude: 0.5, peak_s: 1_800.0 };
        assert_eq!(rate.bound(SimTime::ZERO, HOUR), 150.0);
        // From one hour after the peak on, the rate only falls.
        let later = SimTime(2 * HOUR.as_nanos());
        let bound = rate.bound(HOUR, later);
        assert_eq!(bound, rate.at(HOUR, later, HOUR));
        assert!(bound < 150.0);
    }

    #[test]
    fn curve_integrals_add_up_over_pieces() {
        let curve = RateCurve::new([
            Piece { end: HOUR, rate: PieceRate::Constant(2.0) },
            Piece { end: SimTime(2 * HOUR.as_nanos()), rate: PieceRate::Constant(0.0) },
            Piece {
                end: SimTime(3 * HOUR.as_nanos()),
                rate: PieceRate::Linear { start: 0.0, end: 4.0 },
            },
        ]);
        assert_eq!(curve.integral(SimTime::ZERO, curve.horizon()), 2.0 * 3_600.0 + 2.0 * 3_600.0);
        assert_eq!(curve.integral(SimTime(HOUR.as_nanos() / 2), HOUR), 3_600.0);
        assert_eq!(curve.peak(), 4.0);
    }
}
