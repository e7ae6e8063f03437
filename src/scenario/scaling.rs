//! Checking `[components.NAME.scaling]`: capacity limits, lifecycle
//! timings, policies and scheduled actions, each default recorded with its
//! source.

use toml::Spanned;

use super::build::Defaults;
use super::cron::Cron;
use super::error::Problem;
use super::model::{HealthChecks, MetricDelay, ScalingSpec, ScheduledAction, TerminationOrder};
use super::policies::policy_spec;
use super::raw_scaling::{RawScaling, RawScheduled};
use super::traffic::RunClock;
use super::values;
use crate::engine::dist::Dist;
use crate::engine::time::{SimDuration, SimTime};

/// What the group's fleet offers that policies may depend on.
pub(super) struct FleetContext<'a> {
    /// `components.NAME`.
    pub key: &'a str,
    /// The fleet's `count`: the initial desired capacity.
    pub count: u32,
    /// True when an ALB forwards to the fleet (for its metrics).
    pub behind_alb: bool,
    /// True when the fleet consumes an SQS queue (for its backlog).
    pub consumes_queue: bool,
    /// The scenario file's folder, for distribution files.
    pub base_dir: &'a std::path::Path,
}

/// Checks the scaling table of a fleet.
pub(super) fn scaling(
    raw: &Spanned<RawScaling>,
    fleet: &FleetContext<'_>,
    clock: &RunClock,
    defaults: &mut Defaults,
) -> Result<ScalingSpec, Problem> {
    let key = format!("{}.scaling", fleet.key);
    let body = raw.get_ref();
    let min = values::integer_in(&body.min, &format!("{key}.min"), 0, 10_000)?;
    let max = values::integer_in(&body.max, &format!("{key}.max"), 1, 10_000)?;
    if min > max {
        return Err(Problem::new(
            body.max.span(),
            format!("{key}.max"),
            format!("max = {max} is below min = {min}: expected min ≤ max"),
        ));
    }
    if !(min..=max).contains(&fleet.count) {
        return Err(Problem::new(
            raw.span(),
            format!("{}.count", fleet.key),
            format!(
                "count = {} is outside min = {min} … max = {max}: with scaling, `count` is \
                 the group's desired capacity at the start and must lie between them",
                fleet.count
            ),
        ));
    }
    let launch_time = match &body.launch_time {
        Some(value) => values::distribution(value, &format!("{key}.launch_time"), fleet.base_dir)?,
        None => {
            defaults.used(
                format!("{key}.launch_time"),
                "uniform 40s … 90s",
                "Assumption: Linux instances are reachable 23–29 s after RunInstances in \
                 published tests (aws-facts S41); an application then needs some seconds to \
                 start",
            );
            Dist::uniform(SimDuration::from_secs(40), SimDuration::from_secs(90))
        }
    };
    let mut duration = |value: &Option<Spanned<String>>, name: &str, secs: u64, source: &str| {
        let full = format!("{key}.{name}");
        match value {
            Some(v) => values::duration(v, &full),
            None => {
                defaults.used(full, format!("{secs}s"), source);
                Ok(SimDuration::from_secs(secs))
            }
        }
    };
    let health_check_interval = duration(
        &body.health_check_interval,
        "health_check_interval",
        30,
        "AWS: target group HealthCheckIntervalSeconds defaults to 30 for instance targets; a \
         new target must pass one check (ELB User Guide, target group health checks)",
    )?;
    let instance_warmup = duration(
        &body.instance_warmup,
        "instance_warmup",
        300,
        "AWS: with no default instance warm-up, a policy's warm-up falls back to the group's \
         DefaultCooldown, 300 s (EC2 Auto Scaling User Guide, instance warm-up)",
    )?;
    let deregistration_delay = duration(
        &body.deregistration_delay,
        "deregistration_delay",
        300,
        "AWS: deregistration_delay.timeout_seconds defaults to 300 (ELB User Guide, \
         target groups)",
    )?;
    let standard_delay = duration(
        &body.metric_delay,
        "metric_delay",
        60,
        "Assumption: CloudWatch makes a 1-minute or 5-minute datapoint visible to alarms about \
         a minute after its period ends",
    )?;
    let high_resolution_delay = duration(
        &body.high_resolution_metric_delay,
        "high_resolution_metric_delay",
        10,
        "Assumption: a 10-second datapoint is visible one period after it ends",
    )?;
    if !(SimDuration::from_secs(5)..=SimDuration::from_secs(300)).contains(&health_check_interval) {
        return Err(Problem::new(
            body.health_check_interval.as_ref().map_or(raw.span(), |v| v.span()),
            format!("{key}.health_check_interval"),
            "expected a duration from 5s to 300s, the range AWS allows",
        ));
    }
    if deregistration_delay > SimDuration::from_secs(3_600) {
        return Err(Problem::new(
            body.deregistration_delay.as_ref().map_or(raw.span(), |v| v.span()),
            format!("{key}.deregistration_delay"),
            "expected a duration from 0s to 3600s, the range AWS allows",
        ));
    }
    let grace_period = duration(
        &body.health_check_grace_period,
        "health_check_grace_period",
        300,
        "AWS: the console and Terraform give a group a 300 s health check grace period (the \
         API's own default is 0) (EC2 Auto Scaling User Guide, health check grace period)",
    )?;
    let unhealthy_threshold = match &body.unhealthy_threshold {
        Some(v) => values::integer_in(v, &format!("{key}.unhealthy_threshold"), 2, 10)?,
        None => {
            defaults.used(
                format!("{key}.unhealthy_threshold"),
                "2",
                "AWS: UnhealthyThresholdCount defaults to 2 (ELB User Guide, target group \
                 health checks)",
            );
            2
        }
    };
    let replace_unhealthy = match &body.health_check_type {
        None => {
            defaults.used(
                format!("{key}.health_check_type"),
                "ec2",
                "AWS: a group uses EC2 status checks unless ELB health checks are turned on \
                 (EC2 Auto Scaling User Guide, health checks)",
            );
            false
        }
        Some(t) => match t.get_ref().as_str() {
            "ec2" => false,
            "elb" if !fleet.behind_alb => {
                return Err(Problem::new(
                    t.span(),
                    format!("{key}.health_check_type"),
                    "ELB health checks come from a load balancer's target group, and no alb \
                     forwards to this fleet: expected ec2",
                ));
            }
            "elb" => true,
            other => {
                return Err(Problem::new(
                    t.span(),
                    format!("{key}.health_check_type"),
                    format!("unknown health check type `{other}`: expected ec2 or elb"),
                ));
            }
        },
    };
    let health = HealthChecks {
        interval: health_check_interval,
        unhealthy_threshold,
        replace_unhealthy,
        grace_period,
    };
    let termination = match &body.termination {
        None => {
            defaults.used(
                format!("{key}.termination"),
                "default",
                "AWS: the Default termination policy (the Availability Zone with the most \
                 instances, then, with one launch template, the instance closest to the next \
                 billing hour)",
            );
            TerminationOrder::Default
        }
        Some(t) => match t.get_ref().as_str() {
            "default" => TerminationOrder::Default,
            "oldest_instance" => TerminationOrder::OldestInstance,
            "newest_instance" => TerminationOrder::NewestInstance,
            other => {
                return Err(Problem::new(
                    t.span(),
                    format!("{key}.termination"),
                    format!(
                        "unknown termination policy `{other}`: expected default, \
                         oldest_instance or newest_instance"
                    ),
                ));
            }
        },
    };
    let mut policies = Vec::new();
    for (i, policy) in body.policies.iter().flatten().enumerate() {
        let policy_key = format!("{key}.policies[{i}]");
        let sources = super::policies::MetricSources {
            behind_alb: fleet.behind_alb,
            consumes_queue: fleet.consumes_queue,
        };
        policies.push(policy_spec(policy, &policy_key, i, sources, defaults)?);
    }
    let mut scheduled = Vec::new();
    for (i, entry) in body.scheduled.iter().flatten().enumerate() {
        let entry_key = format!("{key}.scheduled[{i}]");
        scheduled.extend(scheduled_actions(entry, &entry_key, i as u32, clock)?);
    }
    scheduled.sort_by_key(|a| (a.at, a.entry));
    Ok(ScalingSpec {
        min,
        max,
        launch_time,
        health,
        instance_warmup,
        deregistration_delay,
        termination,
        metric_delay: MetricDelay {
            standard: standard_delay,
            high_resolution: high_resolution_delay,
        },
        policies,
        scheduled,
    })
}

/// The instants of one scheduled entry.
fn scheduled_actions(
    raw: &Spanned<RawScheduled>,
    key: &str,
    entry: u32,
    clock: &RunClock,
) -> Result<Vec<ScheduledAction>, Problem> {
    let body = raw.get_ref();
    let bound = |v: &Option<Spanned<i64>>, name: &str| {
        v.as_ref().map(|v| values::integer_in(v, &format!("{key}.{name}"), 0, 10_000)).transpose()
    };
    let (min, max, desired) =
        (bound(&body.min, "min")?, bound(&body.max, "max")?, bound(&body.desired, "desired")?);
    if min.is_none() && max.is_none() && desired.is_none() {
        return Err(Problem::new(
            raw.span(),
            key,
            "a scheduled action sets at least one of min, max and desired",
        ));
    }
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        return Err(Problem::new(raw.span(), key, format!("min = {lo} is above max = {hi}")));
    }
    let horizon = clock.horizon.as_nanos() as i64;
    let times: Vec<i64> = match (&body.at, &body.cron) {
        (Some(at), None) => {
            let ns = clock.instant_ns(at, &format!("{key}.at"))?;
            if !(0..horizon).contains(&ns) {
                return Err(Problem::new(
                    at.span(),
                    format!("{key}.at"),
                    format!(
                        "{} is outside the run ({} to {})",
                        clock.show(ns),
                        clock.show(0),
                        clock.show(horizon)
                    ),
                ));
            }
            vec![ns]
        }
        (None, Some(cron)) => {
            let parsed = Cron::parse(cron.get_ref())
                .map_err(|why| Problem::new(cron.span(), format!("{key}.cron"), why))?;
            let from = clock.run_start();
            let to = from + super::traffic::to_time(clock.horizon.since(SimTime::ZERO));
            let hits: Vec<i64> =
                parsed.between(from, to).into_iter().map(|t| clock.sim_ns(t)).collect();
            if hits.is_empty() {
                return Err(Problem::new(
                    cron.span(),
                    format!("{key}.cron"),
                    format!(
                        "`{}` matches no minute of the run ({} to {})",
                        cron.get_ref(),
                        clock.show(0),
                        clock.show(horizon)
                    ),
                ));
            }
            hits
        }
        _ => {
            return Err(Problem::new(
                raw.span(),
                key,
                "a scheduled action has either `at` or `cron`, not both and not neither",
            ));
        }
    };
    Ok(times
        .into_iter()
        .map(|ns| ScheduledAction { at: SimTime(ns as u64), entry, min, max, desired })
        .collect())
}
