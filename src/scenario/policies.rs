//! Checking one `[[components.NAME.scaling.policies]]` entry: its metric
//! and period, its alarm or target, and its adjustments.

use toml::Spanned;

use super::build::Defaults;
use super::error::Problem;
use super::model::{
    AdjustmentType, AlarmSpec, MetricKind, PolicyRule, PolicySpec, SimplePolicy, StepAdjustment,
    StepPolicy, TargetTracking,
};
use super::raw::RawValue;
use super::raw_scaling::RawPolicy;
use super::values;
use crate::engine::time::SimDuration;

/// Checks one policy.
pub(super) fn policy_spec(
    raw: &Spanned<RawPolicy>,
    key: &str,
    index: usize,
    sources: MetricSources,
    defaults: &mut Defaults,
) -> Result<PolicySpec, Problem> {
    let body = raw.get_ref();
    let metric = metric_kind(&body.metric, &format!("{key}.metric"), sources)?;
    let period = period(body, metric, key, defaults)?;
    let name = body
        .name
        .as_ref()
        .map_or_else(|| format!("{}-{}", body.kind.get_ref(), index + 1), |n| n.get_ref().clone());
    let rule = match body.kind.get_ref().as_str() {
        "target_tracking" => {
            PolicyRule::TargetTracking(target_tracking(body, metric, key, raw, defaults)?)
        }
        "step" => {
            let alarm = alarm(body, metric, key, raw, defaults)?;
            let adjustment_type = adjustment_type(body, key, raw)?;
            let steps = steps(body, key, raw)?;
            PolicyRule::Step(StepPolicy {
                alarm,
                adjustment_type,
                steps,
                min_adjustment_magnitude: min_magnitude(body, key, adjustment_type)?,
            })
        }
        "simple" => {
            let alarm = alarm(body, metric, key, raw, defaults)?;
            let adjustment_type = adjustment_type(body, key, raw)?;
            let adjustment = body.adjustment.as_ref().ok_or_else(|| {
                Problem::new(
                    raw.span(),
                    format!("{key}.adjustment"),
                    "a simple policy needs `adjustment`",
                )
            })?;
            let cooldown = match &body.cooldown {
                Some(c) => values::duration(c, &format!("{key}.cooldown"))?,
                None => {
                    defaults.used(
                        format!("{key}.cooldown"),
                        "300s",
                        "AWS: a simple scaling policy without its own cooldown uses the group's \
                         DefaultCooldown, 300 s",
                    );
                    SimDuration::from_secs(300)
                }
            };
            PolicyRule::Simple(SimplePolicy {
                alarm,
                adjustment_type,
                adjustment: *adjustment.get_ref(),
                min_adjustment_magnitude: min_magnitude(body, key, adjustment_type)?,
                cooldown,
            })
        }
        other => {
            return Err(Problem::new(
                body.kind.span(),
                format!("{key}.type"),
                format!("unknown policy type `{other}`: expected target_tracking, step or simple"),
            ));
        }
    };
    refuse_foreign_keys(body, key, &rule)?;
    Ok(PolicySpec { name, metric, period, rule })
}

/// Refuses keys that belong to another kind of policy, so that a mistake
/// is not silently ignored.
fn refuse_foreign_keys(body: &RawPolicy, key: &str, rule: &PolicyRule) -> Result<(), Problem> {
    let tracking = matches!(rule, PolicyRule::TargetTracking(_));
    let step = matches!(rule, PolicyRule::Step(_));
    let simple = matches!(rule, PolicyRule::Simple(_));
    let checks: [(&str, Option<std::ops::Range<usize>>, bool); 10] = [
        ("target", body.target.as_ref().map(|v| v.span()), tracking),
        ("disable_scale_in", body.disable_scale_in.as_ref().map(|v| v.span()), tracking),
        ("scale_out_periods", body.scale_out_periods.as_ref().map(|v| v.span()), tracking),
        ("scale_in_periods", body.scale_in_periods.as_ref().map(|v| v.span()), tracking),
        ("scale_in_ratio", body.scale_in_ratio.as_ref().map(|v| v.span()), tracking),
        ("threshold", body.threshold.as_ref().map(|v| v.span()), !tracking),
        ("when", body.when.as_ref().map(|v| v.span()), !tracking),
        ("steps", body.steps.as_ref().map(|v| v.span()), step),
        ("adjustment", body.adjustment.as_ref().map(|v| v.span()), simple),
        ("cooldown", body.cooldown.as_ref().map(|v| v.span()), simple),
    ];
    for (name, span, allowed) in checks {
        if let (Some(span), false) = (span, allowed) {
            return Err(Problem::new(
                span,
                format!("{key}.{name}"),
                format!("`{name}` does not apply to a `{}` policy", body.kind.get_ref()),
            ));
        }
    }
    Ok(())
}

/// What publishes metrics for a fleet besides its instances.
#[derive(Debug, Clone, Copy)]
pub(super) struct MetricSources {
    /// An ALB forwards to the fleet (requests per target, response time).
    pub(super) behind_alb: bool,
    /// The fleet consumes an SQS queue (backlog per instance).
    pub(super) consumes_queue: bool,
}

fn metric_kind(
    value: &Spanned<String>,
    key: &str,
    sources: MetricSources,
) -> Result<MetricKind, Problem> {
    let metric = match value.get_ref().as_str() {
        "cpu" => MetricKind::Cpu,
        "requests_per_target" => MetricKind::RequestsPerTarget,
        "response_time" => MetricKind::ResponseTime,
        "worker_utilization" => MetricKind::WorkerUtilization,
        "backlog_per_instance" => MetricKind::BacklogPerInstance,
        other => {
            return Err(Problem::new(
                value.span(),
                key,
                format!(
                    "unknown metric `{other}`: expected cpu, requests_per_target, \
                     response_time, worker_utilization or backlog_per_instance"
                ),
            ));
        }
    };
    if metric == MetricKind::BacklogPerInstance && !sources.consumes_queue {
        return Err(Problem::new(
            value.span(),
            key,
            "`backlog_per_instance` counts the messages of the queue the fleet consumes, and no \
             sqs component names this fleet as its consumer",
        ));
    }
    if !sources.behind_alb
        && matches!(metric, MetricKind::RequestsPerTarget | MetricKind::ResponseTime)
    {
        return Err(Problem::new(
            value.span(),
            key,
            format!(
                "`{}` is a load balancer metric, and no alb forwards to this fleet",
                metric.key()
            ),
        )
        .with_hint("put an alb with `targets` naming this fleet in front of it, or scale on cpu"));
    }
    Ok(metric)
}

/// The metric period, from `monitoring`.
fn period(
    body: &RawPolicy,
    metric: MetricKind,
    key: &str,
    defaults: &mut Defaults,
) -> Result<SimDuration, Problem> {
    let Some(monitoring) = &body.monitoring else {
        defaults.used(
            format!("{key}.monitoring"),
            "detailed",
            "AWS recommends 1-minute (detailed) monitoring for scaling on EC2 metrics; ALB \
             metrics are published every 60 s (EC2 Auto Scaling User Guide)",
        );
        return Ok(SimDuration::from_secs(60));
    };
    let full = format!("{key}.monitoring");
    match (monitoring.get_ref().as_str(), metric) {
        ("detailed", _) => Ok(SimDuration::from_secs(60)),
        ("basic", MetricKind::Cpu) => Ok(SimDuration::from_secs(300)),
        ("basic", _) => Err(Problem::new(
            monitoring.span(),
            full,
            "basic (5-minute) monitoring applies to EC2's own metrics: expected detailed or \
             high_resolution here",
        )),
        ("high_resolution", MetricKind::WorkerUtilization | MetricKind::BacklogPerInstance) => {
            Ok(SimDuration::from_secs(10))
        }
        ("high_resolution", _) => Err(Problem::new(
            monitoring.span(),
            full,
            format!(
                "`{}` is published by AWS at most once a minute: 10-second high-resolution \
                 scaling needs a custom metric",
                metric.key()
            ),
        )
        .with_hint(
            "use metric = \"worker_utilization\" (a custom metric) or monitoring = \"detailed\"",
        )),
        (other, _) => Err(Problem::new(
            monitoring.span(),
            full,
            format!(
                "unknown monitoring `{other}`: expected detailed (60 s), basic (300 s) or high_resolution (10 s)"
            ),
        )),
    }
}

/// A metric value: a duration for response time, a number otherwise;
/// percentages between 0 and 100.
fn metric_value(
    value: &RawValue,
    key: &str,
    metric: MetricKind,
    positive: bool,
) -> Result<f64, Problem> {
    let number = match (value.get_ref(), metric) {
        (toml::Value::String(text), MetricKind::ResponseTime) => {
            let text = Spanned::new(value.span(), text.clone());
            values::duration(&text, key)?.as_millis_f64()
        }
        (_, MetricKind::ResponseTime) => {
            return Err(Problem::new(value.span(), key, "expected a duration such as \"200ms\""));
        }
        (toml::Value::Integer(n), _) => *n as f64,
        (toml::Value::Float(x), _) => *x,
        (other, _) => {
            return Err(Problem::new(
                value.span(),
                key,
                format!("expected a number, found {}", values::a_type(other)),
            ));
        }
    };
    let percent = matches!(metric, MetricKind::Cpu | MetricKind::WorkerUtilization);
    let low_ok = if positive { number > 0.0 } else { number >= 0.0 };
    if !number.is_finite() || !low_ok || (percent && number > 100.0) {
        let expected =
            if percent { "a percentage above 0 and at most 100" } else { "a number above 0" };
        return Err(Problem::new(
            value.span(),
            key,
            format!("{number} is out of range: expected {expected}"),
        ));
    }
    Ok(number)
}

fn target_tracking(
    body: &RawPolicy,
    metric: MetricKind,
    key: &str,
    raw: &Spanned<RawPolicy>,
    defaults: &mut Defaults,
) -> Result<TargetTracking, Problem> {
    let target = body.target.as_ref().ok_or_else(|| {
        Problem::new(raw.span(), format!("{key}.target"), "a target_tracking policy needs `target`")
    })?;
    let target = metric_value(target, &format!("{key}.target"), metric, true)?;
    let mut periods = |value: &Option<Spanned<i64>>, name: &str, n: u32, source: &str| {
        let full = format!("{key}.{name}");
        match value {
            Some(v) => values::integer_in(v, &full, 1, 100),
            None => {
                defaults.used(full, n.to_string(), source);
                Ok(n)
            }
        }
    };
    let high_periods = periods(
        &body.scale_out_periods,
        "scale_out_periods",
        3,
        "AWS: the AlarmHigh alarm that target tracking creates needs 3 of 3 datapoints \
         (observed on managed alarms, aws-facts S13)",
    )?;
    let low_periods = periods(
        &body.scale_in_periods,
        "scale_in_periods",
        15,
        "AWS: the AlarmLow alarm of EC2 target tracking needs 15 of 15 datapoints (widely \
         reported; aws-facts marks it unconfirmed)",
    )?;
    let low_ratio = match &body.scale_in_ratio {
        Some(r) if *r.get_ref() > 0.0 && *r.get_ref() <= 1.0 => *r.get_ref(),
        Some(r) => {
            return Err(Problem::new(
                r.span(),
                format!("{key}.scale_in_ratio"),
                format!("{} is out of range: expected a share above 0 and at most 1", r.get_ref()),
            ));
        }
        None => {
            defaults.used(
                format!("{key}.scale_in_ratio"),
                "0.9",
                "Assumption: the managed AlarmLow threshold sits at 90 % of the target, as \
                 seen on alarms that target tracking creates",
            );
            0.9
        }
    };
    Ok(TargetTracking {
        target,
        disable_scale_in: body.disable_scale_in.as_ref().is_some_and(|d| *d.get_ref()),
        high_periods,
        low_periods,
        low_ratio,
    })
}

fn alarm(
    body: &RawPolicy,
    metric: MetricKind,
    key: &str,
    raw: &Spanned<RawPolicy>,
    defaults: &mut Defaults,
) -> Result<AlarmSpec, Problem> {
    let threshold = body.threshold.as_ref().ok_or_else(|| {
        Problem::new(
            raw.span(),
            format!("{key}.threshold"),
            "this policy's alarm needs `threshold`",
        )
    })?;
    let threshold = metric_value(threshold, &format!("{key}.threshold"), metric, false)?;
    let above = match &body.when {
        None => {
            return Err(Problem::new(
                raw.span(),
                format!("{key}.when"),
                "this policy's alarm needs `when = \"above\"` or `when = \"below\"`",
            ));
        }
        Some(w) => match w.get_ref().as_str() {
            "above" => true,
            "below" => false,
            other => {
                return Err(Problem::new(
                    w.span(),
                    format!("{key}.when"),
                    format!("`{other}`: expected above or below"),
                ));
            }
        },
    };
    let periods = match &body.evaluation_periods {
        Some(p) => values::integer_in(p, &format!("{key}.evaluation_periods"), 1, 100)?,
        None => {
            defaults.used(
                format!("{key}.evaluation_periods"),
                "1",
                "AWS: PutMetricAlarm needs EvaluationPeriods; the console proposes 1",
            );
            1
        }
    };
    Ok(AlarmSpec { threshold, above, periods })
}

fn adjustment_type(
    body: &RawPolicy,
    key: &str,
    raw: &Spanned<RawPolicy>,
) -> Result<AdjustmentType, Problem> {
    let value = body.adjustment_type.as_ref().ok_or_else(|| {
        Problem::new(
            raw.span(),
            format!("{key}.adjustment_type"),
            "this policy needs `adjustment_type`: change, exact or percent",
        )
    })?;
    match value.get_ref().as_str() {
        "change" => Ok(AdjustmentType::Change),
        "exact" => Ok(AdjustmentType::Exact),
        "percent" => Ok(AdjustmentType::Percent),
        other => Err(Problem::new(
            value.span(),
            format!("{key}.adjustment_type"),
            format!("unknown adjustment type `{other}`: expected change, exact or percent"),
        )),
    }
}

fn min_magnitude(
    body: &RawPolicy,
    key: &str,
    kind: AdjustmentType,
) -> Result<Option<u32>, Problem> {
    let Some(value) = &body.min_adjustment_magnitude else {
        return Ok(None);
    };
    let full = format!("{key}.min_adjustment_magnitude");
    if kind != AdjustmentType::Percent {
        return Err(Problem::new(
            value.span(),
            full,
            "applies only to adjustment_type = \"percent\"",
        ));
    }
    Ok(Some(values::integer_in(value, &full, 1, 10_000)?))
}

/// The steps of a step policy: sorted, contiguous, each bound at most one
/// open end.
fn steps(
    body: &RawPolicy,
    key: &str,
    raw: &Spanned<RawPolicy>,
) -> Result<Vec<StepAdjustment>, Problem> {
    let full = format!("{key}.steps");
    let list = body
        .steps
        .as_ref()
        .ok_or_else(|| Problem::new(raw.span(), full.clone(), "a step policy needs `steps`"))?;
    if list.get_ref().is_empty() {
        return Err(Problem::new(list.span(), full, "expected at least one step"));
    }
    let mut steps = Vec::new();
    for (i, step) in list.get_ref().iter().enumerate() {
        let s = step.get_ref();
        let adjustment = StepAdjustment {
            lower: s.lower.unwrap_or(f64::NEG_INFINITY),
            upper: s.upper.unwrap_or(f64::INFINITY),
            adjustment: s.adjustment,
        };
        let step_key = format!("{full}[{i}]");
        if s.lower.is_none() && s.upper.is_none() {
            return Err(Problem::new(
                step.span(),
                step_key,
                "a step needs `lower`, `upper` or both: AWS refuses a step with neither bound",
            ));
        }
        if adjustment.lower >= adjustment.upper {
            return Err(Problem::new(step.span(), step_key, "lower must be below upper"));
        }
        if let Some(previous) = steps.last().map(|p: &StepAdjustment| p.upper)
            && adjustment.lower != previous
        {
            return Err(Problem::new(
                step.span(),
                step_key,
                format!(
                    "lower = {} does not meet the previous step's upper = {previous}: AWS \
                     refuses steps with gaps or overlaps; list them in increasing order",
                    adjustment.lower
                ),
            ));
        }
        steps.push(adjustment);
    }
    Ok(steps)
}
