//! The clients' side of a request: backoff delays and the retry budget.
//!
//! Clients are not a component a request visits; they decide what happens
//! when an attempt fails or times out. Retries are new load on the system:
//! this is how retry storms and metastable failures arise.

use crate::engine::random::Stream;
use crate::engine::time::{NANOS_PER_SEC, SimDuration, SimTime};
use crate::scenario::model::{Backoff, Jitter, RetryBudgetSpec};

/// Seconds over which the retry budget counts attempts.
const BUDGET_WINDOW_S: usize = 10;

/// The delay before retry number `retry` (1 for the first retry).
pub fn backoff_delay(backoff: &Backoff, retry: u32, stream: &mut Stream) -> SimDuration {
    let doubled = backoff.base.as_nanos().saturating_mul(1u64 << (retry.saturating_sub(1)).min(40));
    let delay = doubled.min(backoff.cap.as_nanos()) as f64;
    let jittered = match backoff.jitter {
        Jitter::None => delay,
        Jitter::Full => delay * stream.uniform(),
        Jitter::Equal => delay / 2.0 + delay / 2.0 * stream.uniform(),
    };
    SimDuration(jittered.round() as u64)
}

/// Finagle-style retry budget: over the last ten seconds, retries may be at
/// most `ratio` × first attempts + `min_per_s` × 10.
#[derive(Debug, Clone)]
pub struct RetryBudget {
    spec: RetryBudgetSpec,
    /// (first attempts, retries) per second, as a ring.
    buckets: [(u64, u64); BUDGET_WINDOW_S],
    /// The second the newest bucket holds.
    second: u64,
}

impl RetryBudget {
    /// An empty budget.
    pub fn new(spec: RetryBudgetSpec) -> RetryBudget {
        RetryBudget { spec, buckets: [(0, 0); BUDGET_WINDOW_S], second: 0 }
    }

    /// Moves the ring to the second holding `now`, emptying skipped buckets.
    fn advance(&mut self, now: SimTime) {
        let second = now.as_nanos() / NANOS_PER_SEC;
        let gap = second.saturating_sub(self.second).min(BUDGET_WINDOW_S as u64);
        for k in 1..=gap {
            self.buckets[((self.second + k) % BUDGET_WINDOW_S as u64) as usize] = (0, 0);
        }
        self.second = self.second.max(second);
    }

    /// Counts a first attempt at `now`.
    pub fn first_attempt(&mut self, now: SimTime) {
        self.advance(now);
        self.buckets[(self.second % BUDGET_WINDOW_S as u64) as usize].0 += 1;
    }

    /// Asks to retry at `now`: true (and counted) when the budget allows.
    pub fn try_retry(&mut self, now: SimTime) -> bool {
        self.advance(now);
        let (firsts, retries) =
            self.buckets.iter().fold((0, 0), |(f, r), (bf, br)| (f + bf, r + br));
        let allowed =
            self.spec.ratio * firsts as f64 + self.spec.min_per_s * BUDGET_WINDOW_S as f64;
        if (retries as f64) < allowed {
            self.buckets[(self.second % BUDGET_WINDOW_S as u64) as usize].1 += 1;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap() {
        let backoff = Backoff {
            base: SimDuration::from_millis(100),
            cap: SimDuration::from_millis(350),
            jitter: Jitter::None,
        };
        let mut stream = Stream::new(1, 0, "b");
        let delays: Vec<u64> = (1..=4)
            .map(|n| backoff_delay(&backoff, n, &mut stream).as_nanos() / 1_000_000)
            .collect();
        assert_eq!(delays, vec![100, 200, 350, 350]);
    }

    #[test]
    fn jitter_stays_in_its_range() {
        let mut stream = Stream::new(1, 0, "b");
        for (jitter, low) in [(Jitter::Full, 0), (Jitter::Equal, 200_000_000)] {
            let backoff = Backoff {
                base: SimDuration::from_millis(400),
                cap: SimDuration::from_secs(9),
                jitter,
            };
            for _ in 0..1000 {
                let d = backoff_delay(&backoff, 1, &mut stream).as_nanos();
                assert!((low..=400_000_000).contains(&d), "{d}");
            }
        }
    }

    #[test]
    fn budget_allows_a_share_of_first_attempts_over_ten_seconds() {
        let mut budget = RetryBudget::new(RetryBudgetSpec { ratio: 0.1, min_per_s: 0.0 });
        for _ in 0..100 {
            budget.first_attempt(SimTime(0));
        }
        let granted = (0..50).filter(|_| budget.try_retry(SimTime(1))).count();
        assert_eq!(granted, 10);
        // Eleven seconds later the first attempts have left the window.
        assert!(!budget.try_retry(SimTime(11 * NANOS_PER_SEC)));
    }
}
