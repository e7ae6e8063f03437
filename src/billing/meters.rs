//! Usage meters: what a run consumed, before any price applies.

use crate::engine::time::{NANOS_PER_SEC, SimTime};

/// Nanoseconds in an hour.
const HOUR_NS: u64 = 3_600 * NANOS_PER_SEC;

/// Load-balancer usage in one clock hour (UTC), for the LCU dimensions.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct LcuHour {
    /// New client connections opened in the hour.
    pub new_connections: f64,
    /// Bytes processed (requests and responses).
    pub processed_bytes: u64,
    /// Rule evaluations beyond the free ones.
    pub billable_rule_evaluations: u64,
    /// Requests handled.
    pub requests: u64,
}

/// Load-balancer usage per clock hour of the measured window.
#[derive(Debug, Clone)]
pub struct LcuMeter {
    /// Simulated time at which the measured window starts.
    measured_start: SimTime,
    /// How far into its UTC clock hour the measured window starts.
    offset_into_hour_ns: u64,
    /// Usage per clock hour touched by the measured window.
    pub hours: Vec<LcuHour>,
}

impl LcuMeter {
    /// A meter for a measured window that starts at `measured_start`,
    /// `offset_into_hour_ns` after a UTC clock hour begins.
    pub fn new(measured_start: SimTime, offset_into_hour_ns: u64) -> LcuMeter {
        LcuMeter { measured_start, offset_into_hour_ns, hours: Vec::new() }
    }

    /// Records one request at `now` (ignored before the measured window).
    #[inline]
    pub fn record(&mut self, now: SimTime, bytes: u64, new_connections: f64, billable_rules: u32) {
        if now < self.measured_start {
            return;
        }
        let hour = ((now.since(self.measured_start).as_nanos() + self.offset_into_hour_ns)
            / HOUR_NS) as usize;
        if self.hours.len() <= hour {
            self.hours.resize(hour + 1, LcuHour::default());
        }
        let usage = &mut self.hours[hour];
        usage.new_connections += new_connections;
        usage.processed_bytes += bytes;
        usage.billable_rule_evaluations += u64::from(billable_rules);
        usage.requests += 1;
    }
}

/// The clock hours a window touches: AWS bills a partial load-balancer
/// hour as a full one.
pub fn clock_hours_touched(offset_into_hour_ns: u64, window_ns: u64) -> u64 {
    if window_ns == 0 {
        return 0;
    }
    (offset_into_hour_ns + window_ns).div_ceil(HOUR_NS)
}

/// The span an instance ran, in simulated time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceLife {
    /// When it was launched (billing starts).
    pub launched: SimTime,
    /// When it was terminated (billing stops).
    pub terminated: SimTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_land_in_their_clock_hour() {
        // The measured window starts 30 minutes into a clock hour.
        let start = SimTime(10 * NANOS_PER_SEC);
        let mut meter = LcuMeter::new(start, HOUR_NS / 2);
        meter.record(SimTime(5 * NANOS_PER_SEC), 100, 1.0, 0); // warm-up: ignored
        meter.record(start, 100, 1.0, 0);
        meter.record(SimTime(start.0 + HOUR_NS / 2), 100, 0.5, 2); // next clock hour
        assert_eq!(meter.hours.len(), 2);
        assert_eq!(meter.hours[0].processed_bytes, 100);
        assert_eq!(meter.hours[1].billable_rule_evaluations, 2);
    }

    #[test]
    fn partial_hours_count_as_whole_hours() {
        assert_eq!(clock_hours_touched(0, HOUR_NS), 1);
        assert_eq!(clock_hours_touched(0, HOUR_NS + 1), 2);
        assert_eq!(clock_hours_touched(HOUR_NS / 2, HOUR_NS), 2);
        assert_eq!(clock_hours_touched(0, 0), 0);
    }
}
