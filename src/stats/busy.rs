//! Time-weighted occupancy of a pool of servers, for utilisation.

use crate::engine::time::SimTime;

/// Integrates the number of busy servers over time.
///
/// Each change of the busy count adds `busy × elapsed` to the area, so the
/// mean number busy over any span is area / span, at O(1) per change.
#[derive(Debug, Clone, Default)]
pub struct BusyMeter {
    busy: u64,
    last_change: SimTime,
    /// Busy-server nanoseconds since the last reset.
    area: u128,
    /// Area at the start of the current window.
    window_start_area: u128,
}

impl BusyMeter {
    /// Records that the busy count is now `busy`, from `now` on.
    #[inline]
    pub fn set(&mut self, now: SimTime, busy: u64) {
        self.area += u128::from(self.busy) * u128::from(now.since(self.last_change).as_nanos());
        self.last_change = now;
        self.busy = busy;
    }

    /// Brings the area up to `now` without changing the count.
    pub fn advance(&mut self, now: SimTime) {
        self.set(now, self.busy);
    }

    /// Forgets the area so far (at the end of the warm-up).
    pub fn reset(&mut self, now: SimTime) {
        self.advance(now);
        self.area = 0;
        self.window_start_area = 0;
    }

    /// Busy-server nanoseconds since the last reset, up to the last change.
    pub fn area(&self) -> u128 {
        self.area
    }

    /// Busy-server nanoseconds since the previous call, up to `now`.
    pub fn take_window(&mut self, now: SimTime) -> u128 {
        self.advance(now);
        let in_window = self.area - self.window_start_area;
        self.window_start_area = self.area;
        in_window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_is_the_integral_of_the_busy_count() {
        let mut meter = BusyMeter::default();
        meter.set(SimTime(10), 2);
        meter.set(SimTime(20), 1);
        meter.advance(SimTime(40));
        assert_eq!(meter.area(), 2 * 10 + 20);
        assert_eq!(meter.take_window(SimTime(50)), 50);
        assert_eq!(meter.take_window(SimTime(60)), 10);
    }
}
