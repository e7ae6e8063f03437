//! Results that are valid but suspicious, each with a hint the user can act
//! on: printed under the table and kept in the summary.

use std::fmt;

use serde::Serialize;

use crate::scenario::Scenario;
use crate::scenario::model::ComponentKind;
use crate::sim::RunResult;

/// Utilisation from which a tier counts as saturated.
const SATURATED: f64 = 0.95;

/// Share of the arrivals still in the system at the end from which the run
/// counts as not keeping up.
const BACKLOG_SHARE: f64 = 0.01;

/// Something the user should know about a run's numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// A tier was busy nearly all the time: its queue grows without bound
    /// and latency depends on how long the run lasts.
    Saturated {
        /// The tier, e.g. `web.cpu`.
        tier: String,
        /// Its mean utilisation.
        utilization: f64,
    },
    /// Many requests were still in the system when the window closed.
    Backlog {
        /// Requests in flight at the end.
        in_flight: u64,
        /// Requests that arrived in the window.
        arrived: u64,
    },
    /// A burstable instance type whose CPU credits are not simulated yet.
    CreditsNotModelled {
        /// The fleet.
        component: String,
        /// Its instance type.
        instance_type: String,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Saturated { tier, utilization } => write!(
                f,
                "{tier} was {:.1}% busy: its queue grows for as long as the load lasts, so latency depends on the run's length\n    hint: add capacity, or lower the load, until it stays under about 80%",
                utilization * 100.0
            ),
            Warning::Backlog { in_flight, arrived } => write!(
                f,
                "{in_flight} of {arrived} requests were still in the system at the end: the system did not keep up, and their latency is not in the percentiles\n    hint: the latency figures describe only the requests that finished"
            ),
            Warning::CreditsNotModelled { component, instance_type } => write!(
                f,
                "{component}: {instance_type} is burstable, and CPU credits are not simulated yet (issue #4): the instance runs at full speed and unlimited-mode surplus charges are not billed\n    hint: above the type's baseline utilisation the real bill is higher"
            ),
        }
    }
}

/// The warnings for one run of `scenario`.
pub fn collect(scenario: &Scenario, result: &RunResult) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for component in &scenario.components {
        if let ComponentKind::Ec2(fleet) = &component.kind
            && fleet.instance_type.burstable.is_some()
        {
            warnings.push(Warning::CreditsNotModelled {
                component: component.name.clone(),
                instance_type: fleet.instance_type.name.clone(),
            });
        }
    }
    for tier in &result.tiers {
        if tier.servers.is_some() && tier.utilization >= SATURATED {
            warnings.push(Warning::Saturated {
                tier: tier.name.clone(),
                utilization: tier.utilization,
            });
        }
    }
    if result.in_flight_at_end as f64 > BACKLOG_SHARE * result.arrivals as f64
        && result.in_flight_at_end > 100
    {
        warnings.push(Warning::Backlog {
            in_flight: result.in_flight_at_end,
            arrived: result.arrivals,
        });
    }
    warnings
}
