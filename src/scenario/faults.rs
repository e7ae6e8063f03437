//! Checking `[[faults]]`: what goes wrong, to which component, and when.

use toml::Spanned;

use super::build::Defaults;
use super::components::ComponentNames;
use super::error::Problem;
use super::model::{Component, ComponentKind, FaultKind, FaultSpec};
use super::raw::RawFault;
use super::traffic::RunClock;
use super::values;
use crate::engine::time::SimTime;

/// The fault kinds, for messages and suggestions.
const KINDS: [&str; 2] = ["crash", "terminate"];

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
        let fault = fault(entry.get_ref(), &key, names, components, clock)?;
        let (FaultKind::Crash { fleet, .. } | FaultKind::Terminate { fleet, .. }) = fault.kind;
        if let ComponentKind::Ec2(spec) = &components[fleet].kind
            && spec.scaling.is_none()
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
    let count = match &raw.count {
        Some(c) => values::integer_in(c, &format!("{key}.count"), 1, 10_000)?,
        None => 1,
    };
    let fleet_only = |what: &str| -> Result<(), Problem> {
        match &components[target].kind {
            ComponentKind::Ec2(_) => Ok(()),
            other => Err(Problem::new(
                raw.target.span(),
                format!("{key}.target"),
                format!(
                    "`{}` is of type `{}`: a `{what}` fault hits the instances of an ec2 fleet",
                    raw.target.get_ref(),
                    other.type_name()
                ),
            )),
        }
    };
    let kind = match kind_word {
        "crash" => {
            fleet_only("crash")?;
            FaultKind::Crash { fleet: target, count }
        }
        "terminate" => {
            fleet_only("terminate")?;
            FaultKind::Terminate { fleet: target, count }
        }
        other => {
            let problem = Problem::new(
                raw.kind.span(),
                format!("{key}.kind"),
                format!("unknown fault `{other}`: expected one of {}", KINDS.join(", ")),
            );
            return Err(match values::suggest(other, KINDS.into_iter()) {
                Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
                None => problem,
            });
        }
    };
    Ok(FaultSpec { at: SimTime(at_ns as u64), kind })
}
