//! CloudWatch-like metrics of a group: activity gathered in 10-second
//! slots, aggregated into datapoints of a policy's period.
//!
//! 10 s is the finest period CloudWatch offers for alarms (high-resolution
//! metrics); 60 s (detailed monitoring) and 300 s (basic) datapoints are
//! sums of whole slots, aligned to the start of the run.

use std::collections::VecDeque;

use crate::engine::time::SimDuration;
use crate::scenario::model::MetricKind;

/// Length of one slot.
pub const SLOT: SimDuration = SimDuration::from_secs(10);

/// Slots kept: enough for the longest period, 300 s.
const SLOTS_KEPT: usize = 30;

/// One slot of a group's activity.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SlotActivity {
    /// Busy vCPU-nanoseconds of the instances that count (in service, past
    /// warm-up).
    pub cpu_busy_ns: f64,
    /// vCPU-nanoseconds those instances offered.
    pub cpu_capacity_ns: f64,
    /// Busy worker-slot-nanoseconds of the same instances.
    pub worker_busy_ns: f64,
    /// Worker-slot-nanoseconds they offered.
    pub worker_capacity_ns: f64,
    /// Instance-nanoseconds of instances that count.
    pub counted_ns: f64,
    /// Instance-nanoseconds of targets in service (warming ones included).
    pub targets_ns: f64,
    /// Requests the load balancer sent to the group's targets.
    pub requests: u64,
    /// Sum of the targets' response times, in nanoseconds.
    pub response_ns: f64,
    /// Responses the sum covers.
    pub responses: u64,
    /// Messages visible in the queue the fleet consumes, sampled at the
    /// slot's end.
    pub backlog: f64,
}

/// A metric value for one period, and over how many instances it was
/// averaged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Datapoint {
    /// The value, in the metric's unit.
    pub value: f64,
    /// Mean number of instances the value describes.
    pub instances: f64,
}

/// The last five minutes of slots.
#[derive(Debug, Default)]
pub struct MetricHistory {
    slots: VecDeque<SlotActivity>,
}

impl MetricHistory {
    /// Adds the slot that just ended.
    pub fn push(&mut self, slot: SlotActivity) {
        if self.slots.len() == SLOTS_KEPT {
            self.slots.pop_front();
        }
        self.slots.push_back(slot);
    }

    /// The datapoint of `metric` over the last `period`, or `None` when
    /// nothing was there to measure (CloudWatch: missing data).
    pub fn datapoint(&self, metric: MetricKind, period: SimDuration) -> Option<Datapoint> {
        let n = (period.as_nanos() / SLOT.as_nanos()) as usize;
        if self.slots.len() < n {
            return None;
        }
        let mut sum = SlotActivity::default();
        for s in self.slots.iter().skip(self.slots.len() - n) {
            sum.cpu_busy_ns += s.cpu_busy_ns;
            sum.cpu_capacity_ns += s.cpu_capacity_ns;
            sum.worker_busy_ns += s.worker_busy_ns;
            sum.worker_capacity_ns += s.worker_capacity_ns;
            sum.counted_ns += s.counted_ns;
            sum.targets_ns += s.targets_ns;
            sum.requests += s.requests;
            sum.response_ns += s.response_ns;
            sum.responses += s.responses;
            sum.backlog += s.backlog;
        }
        let span = period.as_nanos() as f64;
        let share = |busy: f64, capacity: f64| (capacity > 0.0).then(|| 100.0 * busy / capacity);
        let counted = sum.counted_ns / span;
        let targets = sum.targets_ns / span;
        let (value, instances) = match metric {
            MetricKind::Cpu => (share(sum.cpu_busy_ns, sum.cpu_capacity_ns)?, counted),
            MetricKind::WorkerUtilization => {
                (share(sum.worker_busy_ns, sum.worker_capacity_ns)?, counted)
            }
            MetricKind::RequestsPerTarget => {
                if targets <= 0.0 {
                    return None;
                }
                let per_minute = 60.0 / period.as_secs_f64();
                (sum.requests as f64 / targets * per_minute, targets)
            }
            MetricKind::ResponseTime => {
                if sum.responses == 0 {
                    return None;
                }
                (sum.response_ns / sum.responses as f64 / 1e6, targets)
            }
            MetricKind::BacklogPerInstance => {
                // AWS's recipe (EC2 Auto Scaling User Guide, scaling based
                // on SQS): visible messages over instances in service.
                if targets <= 0.0 {
                    return None;
                }
                (sum.backlog / n as f64 / targets, targets)
            }
        };
        Some(Datapoint { value, instances })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(busy: f64, requests: u64) -> SlotActivity {
        let ten_s = 10e9;
        SlotActivity {
            cpu_busy_ns: busy * 2.0 * 2.0 * ten_s,
            cpu_capacity_ns: 2.0 * 2.0 * ten_s,
            worker_busy_ns: 0.0,
            worker_capacity_ns: 0.0,
            counted_ns: 2.0 * ten_s,
            targets_ns: 2.0 * ten_s,
            requests,
            response_ns: requests as f64 * 5e6,
            responses: requests,
            backlog: 0.0,
        }
    }

    /// Two instances of 2 vCPUs: three slots at 30 % and three at 60 %
    /// average 45 % over the minute; 600 requests a minute on 2 targets
    /// are 300 per target.
    #[test]
    fn a_minute_averages_its_six_slots() {
        let mut history = MetricHistory::default();
        for i in 0..6 {
            history.push(slot(if i < 3 { 0.3 } else { 0.6 }, 100));
        }
        let minute = SimDuration::from_secs(60);
        let cpu = history.datapoint(MetricKind::Cpu, minute).unwrap();
        assert!((cpu.value - 45.0).abs() < 1e-9);
        assert!((cpu.instances - 2.0).abs() < 1e-9);
        let rpt = history.datapoint(MetricKind::RequestsPerTarget, minute).unwrap();
        assert!((rpt.value - 300.0).abs() < 1e-9);
        let rt = history.datapoint(MetricKind::ResponseTime, minute).unwrap();
        assert!((rt.value - 5.0).abs() < 1e-9);
        assert!(history.datapoint(MetricKind::Cpu, SimDuration::from_secs(300)).is_none());
    }

    #[test]
    fn no_instance_to_measure_is_missing_data() {
        let mut history = MetricHistory::default();
        history.push(SlotActivity::default());
        assert!(history.datapoint(MetricKind::Cpu, SLOT).is_none());
        assert!(history.datapoint(MetricKind::ResponseTime, SLOT).is_none());
    }
}
