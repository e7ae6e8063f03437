//! The validated Auto Scaling group of a fleet: capacity limits, instance
//! lifecycle timings, scaling policies and scheduled actions.

use crate::engine::dist::Dist;
use crate::engine::time::{SimDuration, SimTime};

/// An Auto Scaling group around an EC2 fleet.
#[derive(Debug, Clone)]
pub struct ScalingSpec {
    /// Fewest instances.
    pub min: u32,
    /// Most instances.
    pub max: u32,
    /// Time from launch until the instance has booted and registers with
    /// the target group.
    pub launch_time: Dist,
    /// The target group's health checks and how the group acts on them.
    pub health: HealthChecks,
    /// After an instance enters service, how long its metrics are left out
    /// of the group's aggregate and scale-in waits.
    pub instance_warmup: SimDuration,
    /// How long a draining instance may finish in-flight requests.
    pub deregistration_delay: SimDuration,
    /// Which instance goes first on scale-in.
    pub termination: TerminationOrder,
    /// How long after its period ends a metric datapoint is published, by
    /// period length.
    pub metric_delay: MetricDelay,
    /// The policies, in file order.
    pub policies: Vec<PolicySpec>,
    /// Scheduled actions, sorted by time, recurrences expanded.
    pub scheduled: Vec<ScheduledAction>,
}

/// The target group's health checks, and whether the Auto Scaling group
/// replaces the instances that fail them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthChecks {
    /// Time between two checks of one target; a newly registered target
    /// receives traffic after its first passing check.
    pub interval: SimDuration,
    /// Failed checks in a row that make the target group stop routing to a
    /// target.
    pub unhealthy_threshold: u32,
    /// True for health check type ELB: the group also replaces instances
    /// the load balancer finds unhealthy (type EC2 replaces only instances
    /// that stopped running).
    pub replace_unhealthy: bool,
    /// After entering service, time during which the group does not replace
    /// an instance for failed health checks.
    pub grace_period: SimDuration,
}

/// When a datapoint becomes visible to alarms, after its period closes.
#[derive(Debug, Clone, Copy)]
pub struct MetricDelay {
    /// For 60 s and 300 s periods.
    pub standard: SimDuration,
    /// For 10 s high-resolution periods.
    pub high_resolution: SimDuration,
}

impl MetricDelay {
    /// The delay for a period of `period`.
    pub fn for_period(&self, period: SimDuration) -> SimDuration {
        if period < SimDuration::from_secs(60) { self.high_resolution } else { self.standard }
    }
}

/// The termination policy (AWS names in brackets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminationOrder {
    /// (`Default`) the zone with the most instances, then (one launch
    /// template) the instance closest to the next billing hour, then the
    /// lowest launch index.
    Default,
    /// (`OldestInstance`) the longest-running first.
    OldestInstance,
    /// (`NewestInstance`) the most recently launched first.
    NewestInstance,
}

/// A metric the group can scale on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// `CPUUtilization`, averaged over the group, in percent.
    Cpu,
    /// `ALBRequestCountPerTarget`: requests per target per minute.
    RequestsPerTarget,
    /// `TargetResponseTime`: mean time from the load balancer forwarding a
    /// request to the instance answering, in milliseconds.
    ResponseTime,
    /// A custom metric: worker slots in use, averaged over the group, in
    /// percent (what an application would publish of its thread pool).
    WorkerUtilization,
    /// A custom metric: messages visible in the queue the fleet consumes,
    /// per instance in service (AWS's recipe for scaling on SQS).
    BacklogPerInstance,
}

impl MetricKind {
    /// The name used in the scenario file and the scaling log.
    pub fn key(self) -> &'static str {
        match self {
            MetricKind::Cpu => "cpu",
            MetricKind::RequestsPerTarget => "requests_per_target",
            MetricKind::ResponseTime => "response_time",
            MetricKind::WorkerUtilization => "worker_utilization",
            MetricKind::BacklogPerInstance => "backlog_per_instance",
        }
    }
}

/// One scaling policy.
#[derive(Debug, Clone)]
pub struct PolicySpec {
    /// Names it in the scaling log.
    pub name: String,
    /// The metric it watches.
    pub metric: MetricKind,
    /// Length of one metric period: 10 s, 60 s or 300 s.
    pub period: SimDuration,
    /// What it does with the metric.
    pub rule: PolicyRule,
}

/// The kinds of policy.
#[derive(Debug, Clone)]
pub enum PolicyRule {
    /// Keeps the metric near `target`.
    TargetTracking(TargetTracking),
    /// One alarm, with adjustments by how far the metric breaches.
    Step(StepPolicy),
    /// One alarm, one adjustment, then a cooldown.
    Simple(SimplePolicy),
}

/// A target tracking policy and the two alarms it manages.
#[derive(Debug, Clone)]
pub struct TargetTracking {
    /// The metric value to keep.
    pub target: f64,
    /// Only scale out.
    pub disable_scale_in: bool,
    /// The scale-out alarm: metric above target for this many periods.
    pub high_periods: u32,
    /// The scale-in alarm: metric below `low_ratio × target` for this many
    /// periods.
    pub low_periods: u32,
    /// Where the scale-in alarm's threshold sits, as a share of the target.
    pub low_ratio: f64,
}

/// A CloudWatch alarm on one metric.
#[derive(Debug, Clone, Copy)]
pub struct AlarmSpec {
    /// The threshold.
    pub threshold: f64,
    /// True: breaching when the metric is above; false: below.
    pub above: bool,
    /// Consecutive breaching periods before the alarm fires.
    pub periods: u32,
}

/// How an adjustment changes the desired capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustmentType {
    /// `ChangeInCapacity`: add (or remove) this many.
    Change,
    /// `ExactCapacity`: set the capacity to this.
    Exact,
    /// `PercentChangeInCapacity`: change by this percentage of the capacity.
    Percent,
}

/// One step: metric − threshold in `[lower, upper)` gives `adjustment`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepAdjustment {
    /// Inclusive lower bound relative to the threshold (−∞ when absent).
    pub lower: f64,
    /// Exclusive upper bound relative to the threshold (+∞ when absent).
    pub upper: f64,
    /// The adjustment, in the policy's adjustment type.
    pub adjustment: i64,
}

/// A step scaling policy.
#[derive(Debug, Clone)]
pub struct StepPolicy {
    /// Its alarm.
    pub alarm: AlarmSpec,
    /// How its adjustments apply.
    pub adjustment_type: AdjustmentType,
    /// The steps, sorted, without gaps or overlaps.
    pub steps: Vec<StepAdjustment>,
    /// For percent adjustments: the smallest change in instances.
    pub min_adjustment_magnitude: Option<u32>,
}

/// A simple scaling policy.
#[derive(Debug, Clone)]
pub struct SimplePolicy {
    /// Its alarm.
    pub alarm: AlarmSpec,
    /// How its adjustment applies.
    pub adjustment_type: AdjustmentType,
    /// The adjustment.
    pub adjustment: i64,
    /// For percent adjustments: the smallest change in instances.
    pub min_adjustment_magnitude: Option<u32>,
    /// Time after the scaling activity completes during which the policy
    /// does not act again.
    pub cooldown: SimDuration,
}

/// A scheduled action at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledAction {
    /// When, in simulated time.
    pub at: SimTime,
    /// Index of the `[[scaling.scheduled]]` entry it comes from.
    pub entry: u32,
    /// New minimum.
    pub min: Option<u32>,
    /// New maximum.
    pub max: Option<u32>,
    /// New desired capacity.
    pub desired: Option<u32>,
}

/// How a burstable instance's CPU credits behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditMode {
    /// Held to the baseline when the credits run out.
    Standard,
    /// Keeps going; the surplus is billed.
    Unlimited,
}

/// The CPU credits of a burstable fleet.
#[derive(Debug, Clone)]
pub struct CreditSpec {
    /// Standard or unlimited.
    pub mode: CreditMode,
    /// Credits each instance holds at launch.
    pub initial: f64,
    /// Where the unlimited-mode surplus price comes from.
    pub surplus_price_source: String,
}
