//! CloudWatch alarms as scaling policies use them: a threshold, a side, and
//! a number of consecutive breaching datapoints.

/// An alarm's state, as CloudWatch names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmState {
    /// Not breaching (or not for long enough).
    Ok,
    /// Breaching for the required number of periods.
    Alarm,
    /// The last datapoint was missing.
    InsufficientData,
}

impl AlarmState {
    /// CloudWatch's name for the state.
    pub fn name(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
}

/// One alarm.
///
/// Simplification: CloudWatch's default treatment of missing data looks
/// further back for datapoints; here a missing datapoint breaks the run of
/// breaching ones, so an alarm never fires on stale data.
#[derive(Debug, Clone)]
pub struct Alarm {
    threshold: f64,
    above: bool,
    inclusive: bool,
    periods: u32,
    breaching: u32,
    state: AlarmState,
}

impl Alarm {
    /// An alarm that fires after `periods` consecutive datapoints beyond
    /// `threshold` (above it when `above`); `inclusive` counts a value
    /// equal to the threshold as breaching.
    pub fn new(threshold: f64, above: bool, inclusive: bool, periods: u32) -> Alarm {
        Alarm {
            threshold,
            above,
            inclusive,
            periods,
            breaching: 0,
            state: AlarmState::InsufficientData,
        }
    }

    /// Takes the next datapoint and returns the new state.
    pub fn observe(&mut self, value: Option<f64>) -> AlarmState {
        self.state = match value {
            None => {
                self.breaching = 0;
                AlarmState::InsufficientData
            }
            Some(v) => {
                let beyond = match (self.above, self.inclusive) {
                    (true, true) => v >= self.threshold,
                    (true, false) => v > self.threshold,
                    (false, true) => v <= self.threshold,
                    (false, false) => v < self.threshold,
                };
                self.breaching = if beyond { self.breaching + 1 } else { 0 };
                if self.breaching >= self.periods { AlarmState::Alarm } else { AlarmState::Ok }
            }
        };
        self.state
    }

    /// The state after the last datapoint.
    pub fn state(&self) -> AlarmState {
        self.state
    }

    /// The threshold.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_after_consecutive_breaches_and_resets() {
        let mut alarm = Alarm::new(50.0, true, false, 3);
        assert_eq!(alarm.observe(Some(60.0)), AlarmState::Ok);
        assert_eq!(alarm.observe(Some(60.0)), AlarmState::Ok);
        assert_eq!(alarm.observe(Some(60.0)), AlarmState::Alarm);
        assert_eq!(alarm.observe(Some(70.0)), AlarmState::Alarm);
        assert_eq!(alarm.observe(Some(50.0)), AlarmState::Ok);
        assert_eq!(alarm.observe(None), AlarmState::InsufficientData);
    }

    #[test]
    fn below_and_inclusive() {
        let mut alarm = Alarm::new(40.0, false, true, 1);
        assert_eq!(alarm.observe(Some(40.0)), AlarmState::Alarm);
        assert_eq!(alarm.observe(Some(40.1)), AlarmState::Ok);
    }
}
