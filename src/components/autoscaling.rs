//! An Auto Scaling group's decisions: its policies watch CloudWatch-like
//! datapoints through alarms and change the desired capacity; scheduled
//! actions change min, max and desired. The fleet (`ec2`) carries out the
//! capacity; this module only decides, and logs every decision with its
//! reason, including the ones not taken.
//!
//! Timing (EC2 Auto Scaling User Guide, archived 2023-04 in aws-facts S12):
//! a datapoint covers one period (10 s, 60 s or 300 s) and becomes visible
//! to its alarm after the metric delay; an alarm fires after its number of
//! consecutive breaching datapoints and invokes its policy at every
//! datapoint while it stays in ALARM. Instances still warming up are left
//! out of the metric but count towards the capacity a policy builds on;
//! target tracking does not scale in while any instance is warming.

pub mod adjust;
pub mod alarm;
pub mod metrics;

use std::collections::VecDeque;

use adjust::{adjusted_capacity, step_for, tracking_scale_in, tracking_scale_out};
use alarm::{Alarm, AlarmState};
use metrics::{Datapoint, MetricHistory};

use crate::engine::time::SimTime;
use crate::scenario::model::{
    PolicyRule, PolicySpec, ScalingSpec, ScheduledAction, SimplePolicy, StepPolicy, TargetTracking,
};

/// One decision of the group, taken or not, for the scaling log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScalingDecision {
    /// When, in seconds from the start of the measured window (negative in
    /// the warm-up).
    pub time_s: f64,
    /// The fleet.
    pub component: String,
    /// The policy, or `scheduled[i]`.
    pub policy: String,
    /// The metric the policy watches (empty for scheduled actions).
    pub metric: String,
    /// The most recent datapoints the alarm saw, oldest first.
    pub datapoints: String,
    /// The alarm's state after the latest datapoint.
    pub alarm: String,
    /// Desired capacity before.
    pub from: u32,
    /// Desired capacity after (equal to `from` when nothing changed).
    pub to: u32,
    /// Why.
    pub reason: String,
}

/// The fleet's capacity as a policy sees it.
#[derive(Debug, Clone, Copy)]
pub struct Capacity {
    /// Desired capacity now.
    pub desired: u32,
    /// Instances pending, waiting for their health check, or in service but
    /// still warming up.
    pub warming: u32,
}

/// A policy's alarms and memory.
#[derive(Debug)]
struct PolicyState {
    /// Datapoints waiting to be published: (visible at, datapoint).
    pending: VecDeque<(SimTime, Option<Datapoint>)>,
    /// Last few values seen, for the log.
    recent: VecDeque<Option<f64>>,
    /// For target tracking: the high and low alarm; otherwise one alarm.
    alarms: (Alarm, Option<Alarm>),
    /// Target tracking: the capacity the latest datapoint allows on
    /// scale-in, when the low alarm is in ALARM.
    scale_in_proposal: Option<u32>,
    /// Simple scaling: instances launched or removed by the last activity,
    /// and when the cooldown ends once they have finished.
    cooldown: Cooldown,
}

/// The cooldown of a simple scaling policy.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cooldown {
    /// The policy may act.
    Ready,
    /// An activity is in progress; the cooldown starts when it completes.
    Activity,
    /// Waiting until this time.
    Until(SimTime),
}

/// The running state of a group's decisions.
#[derive(Debug)]
pub struct ScalingGroup {
    /// The group as the scenario gives it.
    pub spec: ScalingSpec,
    /// Current minimum (scheduled actions change it).
    pub min: u32,
    /// Current maximum.
    pub max: u32,
    /// The last five minutes of metrics.
    pub history: MetricHistory,
    /// The next scheduled action, as an index into `spec.scheduled`.
    pub next_scheduled: usize,
    policies: Vec<PolicyState>,
    component: String,
    measured_start: SimTime,
}

/// Datapoints the log shows per decision.
const RECENT_SHOWN: usize = 5;

impl ScalingGroup {
    /// The group of fleet `component`, before any datapoint.
    pub fn new(spec: &ScalingSpec, component: &str, measured_start: SimTime) -> ScalingGroup {
        let policies = spec
            .policies
            .iter()
            .map(|p| PolicyState {
                pending: VecDeque::new(),
                recent: VecDeque::new(),
                alarms: alarms_of(p),
                scale_in_proposal: None,
                cooldown: Cooldown::Ready,
            })
            .collect();
        ScalingGroup {
            min: spec.min,
            max: spec.max,
            spec: spec.clone(),
            history: MetricHistory::default(),
            next_scheduled: 0,
            policies,
            component: component.to_string(),
            measured_start,
        }
    }

    /// At the end of each slot: every policy whose period ends at `now`
    /// takes its datapoint, to be published after the metric delay.
    pub fn close_periods(&mut self, now: SimTime) {
        for (spec, state) in self.spec.policies.iter().zip(&mut self.policies) {
            if now.as_nanos().is_multiple_of(spec.period.as_nanos()) {
                let point = self.history.datapoint(spec.metric, spec.period);
                let visible = now + self.spec.metric_delay.for_period(spec.period);
                state.pending.push_back((visible, point));
            }
        }
    }

    /// Feeds every datapoint visible at `now` to its alarms and returns the
    /// desired capacity the policies ask for (unchanged when none acts),
    /// logging each decision into `log`.
    pub fn evaluate(
        &mut self,
        now: SimTime,
        capacity: Capacity,
        log: &mut Vec<ScalingDecision>,
    ) -> u32 {
        let mut desired = capacity.desired;
        for i in 0..self.policies.len() {
            while let Some(&(visible, point)) = self.policies[i].pending.front() {
                if visible > now {
                    break;
                }
                self.policies[i].pending.pop_front();
                let view = Capacity { desired, ..capacity };
                if let Some(decision) = self.invoke(i, now, point, view) {
                    desired = decision.to;
                    log.push(decision);
                }
            }
        }
        desired
    }

    /// One datapoint reaches policy `i`: its alarms take it, and the policy
    /// acts if an alarm is in ALARM. Returns the decision to log, if any.
    fn invoke(
        &mut self,
        i: usize,
        now: SimTime,
        point: Option<Datapoint>,
        capacity: Capacity,
    ) -> Option<ScalingDecision> {
        let state = &mut self.policies[i];
        if state.recent.len() == RECENT_SHOWN {
            state.recent.pop_front();
        }
        state.recent.push_back(point.map(|p| p.value));
        let (to, alarm, reason) = match &self.spec.policies[i].rule {
            PolicyRule::TargetTracking(tt) => {
                let tt = tt.clone();
                self.invoke_tracking(i, &tt, point, capacity)?
            }
            PolicyRule::Step(step) => {
                let step = step.clone();
                self.invoke_step(i, &step, point, capacity)?
            }
            PolicyRule::Simple(simple) => {
                let simple = simple.clone();
                self.invoke_simple(i, &simple, now, point, capacity)?
            }
        };
        Some(self.decision(i, now, alarm, capacity.desired, to, reason))
    }

    /// Target tracking: the high alarm scales out to the capacity that
    /// brings the metric to the target; the low alarm proposes a scale-in.
    fn invoke_tracking(
        &mut self,
        i: usize,
        tt: &TargetTracking,
        point: Option<Datapoint>,
        capacity: Capacity,
    ) -> Option<(u32, AlarmState, String)> {
        let value = point.map(|p| p.value);
        let state = &mut self.policies[i];
        let high = state.alarms.0.observe(value);
        let low = state.alarms.1.as_mut().map_or(AlarmState::Ok, |a| a.observe(value));
        state.scale_in_proposal = None;
        let point = point?;
        if high == AlarmState::Alarm {
            let wanted = tracking_scale_out(point.instances, point.value, tt.target);
            let (to, reason) = self.bounded_out(capacity, wanted, "scale out");
            return Some((to, high, reason));
        }
        if low != AlarmState::Alarm || tt.disable_scale_in {
            return None;
        }
        let proposal = tracking_scale_in(capacity.desired, point.instances, point.value, tt.target);
        self.policies[i].scale_in_proposal = Some(proposal);
        let (to, reason) = self.tracking_scale_in(i, capacity, proposal);
        Some((to, low, reason))
    }

    /// Step scaling: the step that holds the breach sets the adjustment.
    fn invoke_step(
        &mut self,
        i: usize,
        step: &StepPolicy,
        point: Option<Datapoint>,
        capacity: Capacity,
    ) -> Option<(u32, AlarmState, String)> {
        let alarm = self.policies[i].alarms.0.observe(point.map(|p| p.value));
        if alarm != AlarmState::Alarm {
            return None;
        }
        let breach = point?.value - step.alarm.threshold;
        let Some(chosen) = step_for(&step.steps, breach, step.alarm.above) else {
            let reason = format!("not taken: no step holds metric − threshold = {breach:.2}");
            return Some((capacity.desired, alarm, reason));
        };
        // AWS: while instances warm up, a scale-out builds on the capacity
        // that is not warming, so a step already under way is not added
        // twice.
        let base = if chosen.adjustment > 0 {
            capacity.desired - capacity.warming.min(capacity.desired)
        } else {
            capacity.desired
        };
        let asked = adjusted_capacity(
            step.adjustment_type,
            base,
            chosen.adjustment,
            step.min_adjustment_magnitude,
        );
        let (to, reason) = self.bounded(capacity, asked, "step");
        Some((to, alarm, reason))
    }

    /// Simple scaling: one adjustment, then nothing until the activity has
    /// completed and the cooldown has passed.
    fn invoke_simple(
        &mut self,
        i: usize,
        simple: &SimplePolicy,
        now: SimTime,
        point: Option<Datapoint>,
        capacity: Capacity,
    ) -> Option<(u32, AlarmState, String)> {
        let alarm = self.policies[i].alarms.0.observe(point.map(|p| p.value));
        if alarm != AlarmState::Alarm {
            return None;
        }
        let waiting = match self.policies[i].cooldown {
            Cooldown::Activity => {
                Some("not taken: the last scaling activity has not completed".into())
            }
            Cooldown::Until(t) if now < t => {
                Some(format!("not taken: cooldown until {:.0} s", self.seconds(t)))
            }
            _ => None,
        };
        if let Some(reason) = waiting {
            return Some((capacity.desired, alarm, reason));
        }
        let asked = adjusted_capacity(
            simple.adjustment_type,
            capacity.desired,
            simple.adjustment,
            simple.min_adjustment_magnitude,
        );
        let (to, reason) = self.bounded(capacity, asked, "simple");
        if to != capacity.desired {
            self.policies[i].cooldown = Cooldown::Activity;
        }
        Some((to, alarm, reason))
    }

    /// Target tracking scale-in: only when nothing is warming and every
    /// target tracking policy with scale-in enabled agrees (AWS: "scale in
    /// only if all policies agree"); to the largest of their proposals.
    fn tracking_scale_in(&self, i: usize, capacity: Capacity, proposal: u32) -> (u32, String) {
        if capacity.warming > 0 {
            let reason = format!("not taken: {} instances are warming up", capacity.warming);
            return (capacity.desired, reason);
        }
        let mut to = proposal;
        for (j, (spec, state)) in self.spec.policies.iter().zip(&self.policies).enumerate() {
            let PolicyRule::TargetTracking(tt) = &spec.rule else { continue };
            if j == i || tt.disable_scale_in {
                continue;
            }
            match state.scale_in_proposal {
                Some(p) => to = to.max(p),
                None => {
                    let reason =
                        format!("not taken: policy `{}` does not agree to scale in", spec.name);
                    return (capacity.desired, reason);
                }
            }
        }
        let to = to.max(self.min);
        if to >= capacity.desired {
            let reason = if capacity.desired <= self.min {
                format!("not taken: at min = {}", self.min)
            } else {
                "not taken: no whole instance can go".to_string()
            };
            return (capacity.desired, reason);
        }
        (to, "scale in".to_string())
    }

    /// A scale-out to `wanted`, within max; never below the current desired.
    fn bounded_out(&self, capacity: Capacity, wanted: u32, what: &str) -> (u32, String) {
        if wanted <= capacity.desired {
            let reason = if capacity.warming > 0 {
                format!(
                    "not taken: {} warming {} already cover it",
                    capacity.warming,
                    if capacity.warming == 1 { "instance" } else { "instances" }
                )
            } else {
                "not taken: capacity already enough".to_string()
            };
            return (capacity.desired, reason);
        }
        if capacity.desired >= self.max {
            return (capacity.desired, format!("not taken: at max = {}", self.max));
        }
        let to = wanted.min(self.max);
        let capped =
            if to < wanted { format!(" (capped at max = {})", self.max) } else { String::new() };
        (to, format!("{what} to {wanted}{capped}"))
    }

    /// Any adjustment's result `asked`, clamped to min and max. A scale-out
    /// that would not raise the capacity is not taken (warming instances
    /// already cover it).
    fn bounded(&self, capacity: Capacity, asked: i64, what: &str) -> (u32, String) {
        let clamped = asked.clamp(i64::from(self.min), i64::from(self.max)) as u32;
        if asked > i64::from(capacity.desired) {
            return self.bounded_out(capacity, asked.min(i64::from(u32::MAX)) as u32, what);
        }
        if clamped == capacity.desired {
            let reason = if asked < i64::from(self.min) {
                format!("not taken: at min = {}", self.min)
            } else if capacity.warming > 0 {
                format!(
                    "not taken: {} warming {} already cover it",
                    capacity.warming,
                    if capacity.warming == 1 { "instance" } else { "instances" }
                )
            } else {
                "not taken: no change".to_string()
            };
            return (capacity.desired, reason);
        }
        let capped = if i64::from(clamped) != asked {
            format!(" (held at min = {})", self.min)
        } else {
            String::new()
        };
        (clamped, format!("{what} to {asked}{capped}"))
    }

    fn decision(
        &self,
        i: usize,
        now: SimTime,
        alarm: AlarmState,
        from: u32,
        to: u32,
        reason: String,
    ) -> ScalingDecision {
        let spec = &self.spec.policies[i];
        let datapoints = self.policies[i]
            .recent
            .iter()
            .map(|v| v.map_or_else(|| "missing".to_string(), |v| format!("{v:.2}")))
            .collect::<Vec<_>>()
            .join(" ");
        ScalingDecision {
            time_s: self.seconds(now),
            component: self.component.clone(),
            policy: spec.name.clone(),
            metric: spec.metric.key().to_string(),
            datapoints,
            alarm: alarm.name().to_string(),
            from,
            to,
            reason,
        }
    }

    fn seconds(&self, t: SimTime) -> f64 {
        (t.as_nanos() as f64 - self.measured_start.as_nanos() as f64) / 1e9
    }

    /// Simple policies whose activity has completed at `done` start their
    /// cooldown (AWS: the cooldown starts when the activity completes).
    pub fn activity_completed(&mut self, done: SimTime) {
        for (spec, state) in self.spec.policies.iter().zip(&mut self.policies) {
            if let (PolicyRule::Simple(simple), Cooldown::Activity) = (&spec.rule, state.cooldown) {
                state.cooldown = Cooldown::Until(done + simple.cooldown);
            }
        }
    }

    /// True while a simple policy waits for its activity to complete.
    pub fn awaits_activity(&self) -> bool {
        self.policies.iter().any(|p| p.cooldown == Cooldown::Activity)
    }

    /// Applies a scheduled action to min and max, and returns the desired
    /// capacity it leaves (AWS: desired moves inside the new bounds), with
    /// its log line.
    pub fn apply_scheduled(&mut self, action: &ScheduledAction, desired: u32) -> ScalingDecision {
        if let Some(min) = action.min {
            self.min = min;
        }
        if let Some(max) = action.max {
            self.max = max;
        }
        if self.min > self.max {
            self.max = self.min;
        }
        let asked = action.desired.unwrap_or(desired);
        let to = asked.clamp(self.min, self.max);
        let mut set = Vec::new();
        for (name, v) in [("min", action.min), ("max", action.max), ("desired", action.desired)] {
            if let Some(v) = v {
                set.push(format!("{name} = {v}"));
            }
        }
        let reason = if to == asked {
            format!("scheduled: {}", set.join(", "))
        } else {
            format!(
                "scheduled: {} (desired held within min {} … max {})",
                set.join(", "),
                self.min,
                self.max
            )
        };
        ScalingDecision {
            time_s: self.seconds(action.at),
            component: self.component.clone(),
            policy: format!("scheduled[{}]", action.entry),
            metric: String::new(),
            datapoints: String::new(),
            alarm: String::new(),
            from: desired,
            to,
            reason,
        }
    }
}

/// The alarms a policy needs: target tracking's high and low pair, or the
/// single alarm of step and simple policies.
fn alarms_of(policy: &PolicySpec) -> (Alarm, Option<Alarm>) {
    match &policy.rule {
        PolicyRule::TargetTracking(tt) => (
            Alarm::new(tt.target, true, false, tt.high_periods),
            Some(Alarm::new(tt.target * tt.low_ratio, false, false, tt.low_periods)),
        ),
        PolicyRule::Step(step) => {
            (Alarm::new(step.alarm.threshold, step.alarm.above, true, step.alarm.periods), None)
        }
        PolicyRule::Simple(simple) => (
            Alarm::new(simple.alarm.threshold, simple.alarm.above, true, simple.alarm.periods),
            None,
        ),
    }
}
