//! Checking `[[faults]]`: what goes wrong, to which component, and when.

use toml::Spanned;

use super::build::Defaults;
use super::components::ComponentNames;
use super::error::Problem;
use super::model::{Component, ComponentKind, FaultKind, FaultSpec};
use super::raw::{RawFault, RawValue};
use super::traffic::RunClock;
use super::values;
use crate::engine::time::{SimDuration, SimTime};

/// The fault kinds: their word, the component type they hit, and the
/// fields they take besides `at`, `kind` and `target`.
const KINDS: [(&str, &str, &[&str]); 5] = [
    ("crash", "ec2", &["count"]),
    ("terminate", "ec2", &["count"]),
    ("cache_node_loss", "elasticache", &["node", "duration"]),
    ("cache_flush", "elasticache", &[]),
    ("db_failure", "rds", &["duration"]),
];

/// Checks every fault and returns them in time order (file order for ties).
pub(super) fn build_faults(
    raw: Option<&Vec<Spanned<RawFault>>>,
    names: &ComponentNames,
    components: &[Component],
    clock: &RunClock,
    defaults: &mut Defaults,
) -> Result<Vec<FaultSpec>, Problem> {
    let mut faults = Vec::new();
    let mut fixed_fleets_hit = Vec::new();
    for (i, entry) in raw.into_iter().flatten().enumerate() {
        let key = format!("faults[{i}]");
        let fault = fault(entry.get_ref(), &key, names, components, clock, defaults)?;
        let behind_alb = |fleet: usize| {
            components
                .iter()
                .any(|c| matches!(&c.kind, ComponentKind::Alb(alb) if alb.targets == fleet))
        };
        if let FaultKind::Crash { fleet, .. } | FaultKind::Terminate { fleet, .. } = fault.kind
            && let ComponentKind::Ec2(spec) = &components[fleet].kind
            && spec.scaling.is_none()
            && behind_alb(fleet)
            && !fixed_fleets_hit.contains(&fleet)
        {
            fixed_fleets_hit.push(fleet);
            let name = &components[fleet].name;
            let source = "AWS: a new target group checks every 30 s and marks a target \
                          unhealthy after 2 failed checks (ELB User Guide, target group health \
                          checks); a fixed fleet takes these and nothing replaces its instances \
                          (give it a scaling table with min = max = count to change them)";
            defaults.used(
                format!("components.{name}.health_check"),
                format!(
                    "every {}s, unhealthy after {} failures",
                    spec.health.interval.as_secs_f64(),
                    spec.health.unhealthy_threshold
                ),
                source,
            );
        }
        faults.push(fault);
    }
    faults.sort_by_key(|f| f.at);
    Ok(faults)
}

/// Checks one `[[faults]]` entry.
fn fault(
    raw: &RawFault,
    key: &str,
    names: &ComponentNames,
    components: &[Component],
    clock: &RunClock,
    defaults: &mut Defaults,
) -> Result<FaultSpec, Problem> {
    let at_ns = clock.instant_ns(&raw.at, &format!("{key}.at"))?;
    let end_of_run = clock.horizon.as_nanos() as i64;
    if !(0..end_of_run).contains(&at_ns) {
        return Err(Problem::new(
            raw.at.span(),
            format!("{key}.at"),
            format!(
                "the fault comes at {}, outside the run, which goes from {} (warm-up) to {}",
                clock.show(at_ns),
                clock.show(0),
                clock.show(end_of_run)
            ),
        )
        .with_hint("offsets count from scenario.start; a negative one falls in the warm-up"));
    }
    let target = names.resolve(&raw.target, &format!("{key}.target"))?;
    let kind_word = raw.kind.get_ref().as_str();
    let Some(&(_, wanted, fields)) = KINDS.iter().find(|(word, _, _)| *word == kind_word) else {
        let words: Vec<&str> = KINDS.iter().map(|(w, _, _)| *w).collect();
        let problem = Problem::new(
            raw.kind.span(),
            format!("{key}.kind"),
            format!("unknown fault `{kind_word}`: expected one of {}", words.join(", ")),
        );
        return Err(match values::suggest(kind_word, words.into_iter()) {
            Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
            None => problem,
        });
    };
    let found = components[target].kind.type_name();
    if found != wanted {
        return Err(Problem::new(
            raw.target.span(),
            format!("{key}.target"),
            format!(
                "`{}` is of type `{found}`: a `{kind_word}` fault hits an {wanted} component",
                raw.target.get_ref()
            ),
        ));
    }
    let given = [
        ("count", raw.count.is_some()),
        ("node", raw.node.is_some()),
        ("duration", raw.duration.is_some()),
    ];
    if let Some((field, _)) = given.iter().find(|(f, present)| *present && !fields.contains(f)) {
        return Err(Problem::new(
            raw.kind.span(),
            format!("{key}.{field}"),
            format!("a `{kind_word}` fault takes no `{field}`"),
        ));
    }
    let count = match &raw.count {
        Some(c) => values::integer_in(c, &format!("{key}.count"), 1, 10_000)?,
        None => 1,
    };
    let name = &components[target].name;
    let kind = match (kind_word, &components[target].kind) {
        ("crash", _) => FaultKind::Crash { fleet: target, count },
        ("terminate", _) => FaultKind::Terminate { fleet: target, count },
        ("cache_node_loss", ComponentKind::Cache(spec)) => {
            let node = match &raw.node {
                Some(n) => {
                    values::integer_in(n, &format!("{key}.node"), 0, i64::from(spec.nodes) - 1)?
                }
                None => {
                    defaults.used(
                        format!("{key}.node"),
                        "0",
                        "Assumption: the first node, when the fault names none",
                    );
                    0
                }
            };
            let replaced_after = match &raw.duration {
                Some(d) => positive_duration_value(d, &format!("{key}.duration"))?,
                None => {
                    defaults.used(
                        format!("{key}.duration"),
                        "5m",
                        "Assumption: ElastiCache detects a failed node and brings up a \
                         replacement, empty, within minutes (AWS gives no figure)",
                    );
                    SimDuration::from_secs(300)
                }
            };
            FaultKind::CacheNodeLoss { cache: target, node, replaced_after }
        }
        ("cache_flush", _) => FaultKind::CacheFlush { cache: target },
        ("db_failure", ComponentKind::Rds(spec)) => {
            let recovery = match &raw.duration {
                Some(d) => positive_duration_value(d, &format!("{key}.duration"))?,
                None => {
                    let (value, secs, source) = if spec.multi_az {
                        (
                            "90s",
                            90,
                            "AWS: a Multi-AZ failover typically completes within 60 to \
                                      120 seconds (RDS User Guide, Multi-AZ deployments)",
                        )
                    } else if spec.replicas > 0 {
                        (
                            "5m",
                            300,
                            "Assumption: an operator or automation promotes a read \
                                     replica within minutes of the primary failing",
                        )
                    } else {
                        (
                            "10m",
                            600,
                            "Assumption: RDS recovers a failed Single-AZ instance on \
                                      new hardware within minutes (AWS gives no figure)",
                        )
                    };
                    defaults.used(format!("{key}.duration"), value, source);
                    SimDuration::from_secs(secs)
                }
            };
            let _ = name;
            FaultKind::DbFailure { db: target, recovery }
        }
        _ => unreachable!("the target's type was checked above"),
    };
    Ok(FaultSpec { at: SimTime(at_ns as u64), kind })
}

/// A duration above zero, written as a string such as `"90s"`.
fn positive_duration_value(value: &RawValue, key: &str) -> Result<SimDuration, Problem> {
    match value.get_ref() {
        toml::Value::String(text) => {
            values::positive_duration(&toml::Spanned::new(value.span(), text.clone()), key)
        }
        other => Err(Problem::new(
            value.span(),
            key,
            format!("{other} is not a duration: write it with its unit, like \"90s\""),
        )),
    }
}
