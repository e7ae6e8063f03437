//! The serde mirror of `[components.NAME.scaling]`: an Auto Scaling group,
//! its policies and scheduled actions, with spans kept for errors.

use serde::Deserialize;
use toml::Spanned;

use super::raw::RawValue;

/// `[components.NAME.scaling]`: the Auto Scaling group around a fleet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScaling {
    /// Fewest instances.
    pub min: Spanned<i64>,
    /// Most instances.
    pub max: Spanned<i64>,
    /// Time from launch until the instance has booted (a distribution).
    pub launch_time: Option<RawValue>,
    /// The target group's health-check interval.
    pub health_check_interval: Option<Spanned<String>>,
    /// Failed checks in a row before the target group marks a target
    /// unhealthy.
    pub unhealthy_threshold: Option<Spanned<i64>>,
    /// `ec2` or `elb`: whose health checks make the group replace an
    /// instance.
    pub health_check_type: Option<Spanned<String>>,
    /// Time after entering service during which the group does not act on
    /// failed health checks.
    pub health_check_grace_period: Option<Spanned<String>>,
    /// Time after entering service during which an instance's metrics are
    /// left out.
    pub instance_warmup: Option<Spanned<String>>,
    /// The target group's deregistration delay.
    pub deregistration_delay: Option<Spanned<String>>,
    /// `default`, `oldest_instance` or `newest_instance`.
    pub termination: Option<Spanned<String>>,
    /// Delay before a 60 s or 300 s datapoint is visible to alarms.
    pub metric_delay: Option<Spanned<String>>,
    /// Delay before a 10 s datapoint is visible to alarms.
    pub high_resolution_metric_delay: Option<Spanned<String>>,
    /// Scaling policies.
    pub policies: Option<Vec<Spanned<RawPolicy>>>,
    /// Scheduled actions.
    pub scheduled: Option<Vec<Spanned<RawScheduled>>>,
}

/// One `[[components.NAME.scaling.policies]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// Names the policy in the scaling log.
    pub name: Option<Spanned<String>>,
    /// `target_tracking`, `step` or `simple`.
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// `cpu`, `requests_per_target`, `response_time` or
    /// `worker_utilization`.
    pub metric: Spanned<String>,
    /// Target value (target tracking): a number, or a duration for
    /// `response_time`.
    pub target: Option<RawValue>,
    /// `detailed` (60 s), `basic` (300 s) or `high_resolution` (10 s).
    pub monitoring: Option<Spanned<String>>,
    /// Target tracking only scales out.
    pub disable_scale_in: Option<Spanned<bool>>,
    /// Target tracking: periods above target before scaling out.
    pub scale_out_periods: Option<Spanned<i64>>,
    /// Target tracking: periods below the scale-in threshold before
    /// scaling in.
    pub scale_in_periods: Option<Spanned<i64>>,
    /// Target tracking: the scale-in threshold as a share of the target.
    pub scale_in_ratio: Option<Spanned<f64>>,
    /// Alarm threshold (step and simple scaling): a number, or a duration
    /// for `response_time`.
    pub threshold: Option<RawValue>,
    /// `above` or `below` the threshold (step and simple scaling).
    pub when: Option<Spanned<String>>,
    /// Consecutive breaching periods before the alarm fires.
    pub evaluation_periods: Option<Spanned<i64>>,
    /// `change`, `exact` or `percent` (step and simple scaling).
    pub adjustment_type: Option<Spanned<String>>,
    /// Steps (step scaling): `[{ lower = 0, upper = 20, adjustment = 1 }, …]`.
    pub steps: Option<Spanned<Vec<Spanned<RawStep>>>>,
    /// The adjustment (simple scaling).
    pub adjustment: Option<Spanned<i64>>,
    /// Smallest change in instances for `percent` adjustments.
    pub min_adjustment_magnitude: Option<Spanned<i64>>,
    /// Wait after a simple-scaling activity.
    pub cooldown: Option<Spanned<String>>,
}

/// One step of a step-scaling policy, bounds relative to the threshold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    /// Lower bound (inclusive); absent: −∞.
    pub lower: Option<f64>,
    /// Upper bound (exclusive); absent: +∞.
    pub upper: Option<f64>,
    /// The adjustment.
    pub adjustment: i64,
}

/// One `[[components.NAME.scaling.scheduled]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScheduled {
    /// Once, at this time (an offset from `scenario.start` or a UTC time).
    pub at: Option<RawValue>,
    /// Every minute this 5-field cron expression matches (UTC).
    pub cron: Option<Spanned<String>>,
    /// New minimum.
    pub min: Option<Spanned<i64>>,
    /// New maximum.
    pub max: Option<Spanned<i64>>,
    /// New desired capacity.
    pub desired: Option<Spanned<i64>>,
}
