//! The run summary: every headline figure, the bill and the defaults used,
//! as a versioned JSON document.
//!
//! The summary holds nothing that depends on the machine or the clock (no
//! wall time, no absolute paths beyond the scenario's own), so the same
//! scenario and seed give a byte-identical file.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;

use crate::billing::bill::Bill;
use crate::billing::money::Money;
use crate::scenario::Scenario;
use crate::scenario::model::UsedDefault;
use crate::sim::{ErrorCounts, RunResult, TierStats};
use crate::stats::latency::{Percentiles, percentiles};

use super::warnings::Warning;

/// Version of the summary's layout; bumped when a field changes meaning.
pub const SCHEMA: &str = "cloudtwin.summary/1";

/// The summary of one run.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Layout version.
    pub schema: &'static str,
    /// What ran.
    pub scenario: ScenarioInfo,
    /// Request counts over the measured window.
    pub requests: Requests,
    /// Latency of the successful requests, from first attempt to answer;
    /// absent when none completed.
    pub latency: Option<Percentiles>,
    /// Per request class.
    pub classes: Vec<ClassSummary>,
    /// Utilisation and waiting per tier.
    pub tiers: Vec<TierStats>,
    /// Instance counts of each EC2 fleet.
    pub fleets: Vec<crate::sim::FleetStats>,
    /// Scaling decisions: taken (capacity changed) and not taken.
    pub scaling: ScalingCounts,
    /// Faults and what the system did about them, in time order.
    pub event_log: Vec<crate::sim::LoggedEvent>,
    /// Each cache cluster: operations, hit ratio, evictions, memory.
    pub caches: Vec<crate::sim::CacheStats>,
    /// Each database instance: queries, stale reads, connections.
    pub databases: Vec<crate::sim::DbInstanceStats>,
    /// Each fleet's connection pools: waits, timeouts, refusals.
    pub pools: Vec<crate::sim::PoolStats>,
    /// Each Lambda function: invocations, cold starts, throttles,
    /// concurrency.
    pub functions: Vec<crate::sim::FunctionStats>,
    /// Each API Gateway API: requests, throttles, timeouts.
    pub gateways: Vec<crate::sim::GatewayStats>,
    /// Each SQS queue: messages, requests, delays, what is left.
    pub queues: Vec<crate::sim::QueueStats>,
    /// Each CloudFront distribution: requests, hit ratio, bytes out.
    pub edges: Vec<crate::sim::EdgeStats>,
    /// The bill.
    pub cost: Cost,
    /// Every default the run used, with its source.
    pub defaults: Vec<UsedDefault>,
    /// Values set over the file's by `--set` or a sweep point.
    pub settings: Vec<crate::scenario::model::Setting>,
    /// Each SLO's value and verdict in this run.
    pub slos: Vec<crate::experiment::record::SloOutcome>,
    /// Results that are valid but suspicious.
    pub warnings: Vec<Warning>,
    /// Events the engine executed.
    pub events: u64,
}

/// The scenario's identity and timing.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInfo {
    /// Scenario name.
    pub name: String,
    /// Scenario file as given.
    pub file: String,
    /// UTC start of the measured window.
    pub start_utc: String,
    /// Warm-up length.
    pub warmup: String,
    /// Measured window length.
    pub duration: String,
    /// Seed.
    pub seed: u64,
    /// Replication index.
    pub replication: u32,
}

/// Request counts.
#[derive(Debug, Clone, Serialize)]
pub struct Requests {
    /// Arrived in the measured window.
    pub arrived: u64,
    /// Answered successfully, on any attempt, before the client gave up.
    pub completed: u64,
    /// Failed after their last attempt.
    pub failed: u64,
    /// Still in the system at the end.
    pub in_flight_at_end: u64,
    /// Failed share of the requests that finished.
    pub error_rate: f64,
    /// Attempts made, retries included.
    pub attempts: u64,
    /// Of the attempts, retries.
    pub retries: u64,
    /// Attempts per request: 1 without retries.
    pub amplification: f64,
    /// Failed attempts, by kind.
    pub attempt_errors: ErrorCounts,
    /// Attempts the servers finished after the client had given up.
    pub wasted: u64,
    /// Arrivals per second over the window.
    pub offered_per_s: f64,
    /// Attempts the servers finished per second, wasted ones included.
    pub throughput_per_s: f64,
    /// Successful requests per second.
    pub goodput_per_s: f64,
}

/// One request class's figures.
#[derive(Debug, Clone, Serialize)]
pub struct ClassSummary {
    /// The class's name.
    pub name: String,
    /// Requests of the class that arrived.
    pub arrived: u64,
    /// Answered successfully.
    pub completed: u64,
    /// Failed after their last attempt.
    pub failed: u64,
    /// Latency of the successful ones.
    pub latency: Option<Percentiles>,
}

/// How many scaling decisions the run made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ScalingCounts {
    /// Decisions that changed a desired capacity.
    pub taken: u64,
    /// Decisions logged that changed nothing (cooldown, warm-up, at a
    /// bound).
    pub not_taken: u64,
}

/// The bill, with the two derived figures users compare designs by.
#[derive(Debug, Clone, Serialize)]
pub struct Cost {
    /// Charge for the measured window.
    pub window_usd: Money,
    /// Projected to a 730-hour month.
    pub per_month_usd: Money,
    /// Window charge per million successful requests; absent with none.
    pub per_million_successful_usd: Option<Money>,
    /// The charges.
    pub lines: Vec<crate::billing::bill::LineItem>,
}

impl Summary {
    /// Builds the summary of replication `replication` of `scenario`.
    pub fn new(scenario: &Scenario, replication: u32, result: &RunResult, bill: &Bill) -> Summary {
        let seconds = scenario.duration.as_secs_f64();
        let finished = result.completed + result.failed;
        let error_rate = if finished == 0 { 0.0 } else { result.failed as f64 / finished as f64 };
        let per_million = (result.completed > 0)
            .then(|| bill.window_total.mul_ratio(1_000_000, i128::from(result.completed)));
        Summary {
            schema: SCHEMA,
            scenario: ScenarioInfo {
                name: scenario.name.clone(),
                file: scenario.file.display().to_string(),
                start_utc: scenario
                    .start
                    .to_offset(time::UtcOffset::UTC)
                    .format(&Rfc3339)
                    .unwrap_or_else(|_| scenario.start.to_string()),
                warmup: scenario.warmup.to_string(),
                duration: scenario.duration.to_string(),
                seed: scenario.seed,
                replication,
            },
            requests: Requests {
                arrived: result.arrivals,
                completed: result.completed,
                failed: result.failed,
                in_flight_at_end: result.in_flight_at_end,
                error_rate,
                attempts: result.attempts,
                retries: result.retries,
                amplification: if result.arrivals == 0 {
                    1.0
                } else {
                    result.attempts as f64 / result.arrivals as f64
                },
                attempt_errors: result.errors,
                wasted: result.wasted,
                offered_per_s: result.arrivals as f64 / seconds,
                throughput_per_s: result.served as f64 / seconds,
                goodput_per_s: result.completed as f64 / seconds,
            },
            latency: percentiles(&result.latency),
            classes: result
                .classes
                .iter()
                .map(|c| ClassSummary {
                    name: c.name.clone(),
                    arrived: c.arrived,
                    completed: c.completed,
                    failed: c.failed,
                    latency: percentiles(&c.latency),
                })
                .collect(),
            tiers: result.tiers.clone(),
            fleets: result.fleets.clone(),
            scaling: ScalingCounts {
                taken: result.scaling_log.iter().filter(|d| d.from != d.to).count() as u64,
                not_taken: result.scaling_log.iter().filter(|d| d.from == d.to).count() as u64,
            },
            event_log: result.event_log.clone(),
            caches: result.caches.clone(),
            databases: result.databases.clone(),
            pools: result.pools.clone(),
            functions: result.functions.clone(),
            gateways: result.gateways.clone(),
            queues: result.queues.clone(),
            edges: result.edges.clone(),
            cost: Cost {
                window_usd: bill.window_total,
                per_month_usd: bill.month_total,
                per_million_successful_usd: per_million,
                lines: bill.lines.clone(),
            },
            defaults: scenario.defaults.clone(),
            settings: scenario.settings.clone(),
            // Filled in from the run's record, which judges the SLOs.
            slos: Vec::new(),
            warnings: super::warnings::collect(scenario, result),
            events: result.events,
        }
    }
}
