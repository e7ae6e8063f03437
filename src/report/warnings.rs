//! Results that are valid but suspicious, each with a hint the user can act
//! on: printed under the table and kept in the summary.

use std::fmt;

use serde::Serialize;

use crate::scenario::Scenario;
use crate::scenario::model::{ComponentKind, CreditMode};
use crate::sim::RunResult;

/// Utilisation from which a tier counts as saturated.
const SATURATED: f64 = 0.95;

/// Minutes of saturation at the end of the run from which a tier counts as
/// not having recovered.
const SATURATED_MINUTES_AT_END: usize = 3;

/// Share of failed requests from which a run's errors deserve a warning.
const FAILURES: f64 = 0.01;

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
    /// A tier was still saturated in the last minutes of the run, whatever
    /// its mean over the window.
    SaturatedAtEnd {
        /// The tier.
        tier: String,
        /// Minutes at the end in which it was 95 % busy or more.
        minutes: usize,
    },
    /// A burstable fleet in standard mode ran out of CPU credits and was
    /// held to its baseline.
    CreditsExhausted {
        /// The fleet.
        component: String,
        /// Minutes of the window that ended with an instance held there.
        minutes: usize,
    },
    /// A component that no request reaches.
    Unreached {
        /// The component.
        component: String,
        /// True when it costs money even unused (instances, nodes, a load
        /// balancer's hours, provisioned concurrency).
        billed: bool,
    },
    /// Many requests failed after their last attempt.
    Failures {
        /// Requests that failed.
        failed: u64,
        /// Requests that finished, failed or answered (as in the table's
        /// headline, which leaves out those still in flight).
        finished: u64,
    },
    /// A fleet had no instance in service at the end of some minutes.
    NoInstances {
        /// The fleet.
        component: String,
        /// Minutes that ended with none in service.
        minutes: usize,
        /// True when the fleet consumes a queue (its messages wait rather
        /// than fail).
        consumer: bool,
    },
    /// A queue's consumer failed to process messages: errors, function
    /// timeouts or throttled batches, which come back after their
    /// visibility timeout.
    QueueFailures {
        /// The queue.
        queue: String,
        /// Processings that failed.
        failed: u64,
        /// Messages in throttled batches.
        throttled: u64,
        /// Receives of a message.
        received: u64,
    },
    /// Messages went to a queue's dead-letter queue.
    DeadLettered {
        /// The queue.
        queue: String,
        /// Messages dead-lettered.
        messages: u64,
        /// Messages sent.
        sent: u64,
    },
    /// Many messages were still waiting in a queue when the run ended.
    QueueBacklog {
        /// The queue.
        queue: String,
        /// Messages visible at the end.
        visible: u64,
        /// Messages sent.
        sent: u64,
    },
    /// A key trace ran out and was replayed from its start: its keys
    /// repeat, so a cache sees them again.
    KeyTraceReplayed {
        /// Times it started again.
        times: u64,
    },
    /// A cache refused many writes: full without eviction, or items too
    /// big for a node.
    CacheRefusedWrites {
        /// The cache.
        cache: String,
        /// Writes refused.
        refused: u64,
        /// Writes tried.
        sets: u64,
    },
    /// A database instance refused new connections at its
    /// `max_connections`: callers' pools together wanted more.
    ConnectionsExhausted {
        /// The database instance.
        instance: String,
        /// Connections it accepts.
        max_connections: u32,
        /// New connections it refused.
        refused: u64,
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
            Warning::SaturatedAtEnd { tier, minutes } => write!(
                f,
                "{tier} was 95% busy or more in each of the last {minutes} minutes: the system had not recovered when the run ended\n    hint: run longer to see whether it recovers, or see timeseries.csv"
            ),
            Warning::CreditsExhausted { component, minutes } => write!(
                f,
                "{component} ran out of CPU credits (standard mode) for {minutes} minutes: its vCPUs were held to their baseline\n    hint: use cpu_credits = \"unlimited\", a larger type, or a non-burstable family"
            ),
            Warning::Unreached { component, billed: true } => write!(
                f,
                "{component} is never reached by a request, yet it is billed\n    hint: connect it (targets, database, next) or remove it"
            ),
            Warning::Unreached { component, billed: false } => write!(
                f,
                "{component} is never reached by a request: it does nothing in this run and costs nothing\n    hint: connect it (targets, database, consumer, origin, next) or remove it"
            ),
            Warning::Failures { failed, finished } => write!(
                f,
                "{failed} of the {finished} requests that finished ({:.1}%) failed after their last attempt\n    hint: `failed attempts` in the table says why; events.csv and timeseries.csv say when",
                *failed as f64 / (*finished).max(1) as f64 * 100.0
            ),
            Warning::NoInstances { component, minutes, consumer: true } => write!(
                f,
                "{component} had no instance in service at the end of {minutes} minutes: its queue's messages waited\n    hint: see NAME_in_service in timeseries.csv and the queue's depth"
            ),
            Warning::NoInstances { component, minutes, consumer: false } => write!(
                f,
                "{component} had no instance in service at the end of {minutes} minutes: its requests failed with 503 (or 502 while its instances were crashed)\n    hint: see NAME_in_service and NAME_unhealthy in timeseries.csv"
            ),
            Warning::QueueFailures { queue, failed, throttled, received } => write!(
                f,
                "{queue}'s consumer gave up on messages: {failed} processings failed (errors or timeouts) and {throttled} messages were in throttled invocations, of {received} receives; each comes back after its visibility timeout\n    hint: see the consumer's errors and timeouts in the table, and its concurrency limits"
            ),
            Warning::DeadLettered { queue, messages, sent } => write!(
                f,
                "{messages} of {sent} messages sent to {queue} went to its dead-letter queue, unprocessed\n    hint: raise max_receives, lengthen visibility_timeout, or fix the consumer's failures"
            ),
            Warning::QueueBacklog { queue, visible, sent } => write!(
                f,
                "{visible} of the {sent} messages sent to {queue} were still waiting at the end: its consumer did not keep up\n    hint: run longer to see it drain, or give the consumer more capacity; see NAME_depth in timeseries.csv"
            ),
            Warning::KeyTraceReplayed { times } => write!(
                f,
                "a key trace ran out and was replayed from its first key {times} times: the run read more keys than the trace holds, and a cache sees the same sequence again (hit ratios rise)\n    hint: use a longer trace, or a shorter run"
            ),
            Warning::CacheRefusedWrites { cache, refused, sets } => write!(
                f,
                "{cache} refused {refused} of {sets} writes: it is full and may not evict (eviction = \"none\"), or items are too big for a node; what it refuses is read from the database every time\n    hint: allow eviction (lru), add nodes, or choose a larger node type"
            ),
            Warning::ConnectionsExhausted { instance, max_connections, refused } => write!(
                f,
                "{instance} refused {refused} new connections at its max_connections of {max_connections}: the callers' pools together want more than it allows\n    hint: shrink db_pool.size, cap the group's max, choose a class with more memory, or raise max_connections"
            ),
        }
    }
}

/// The warnings for one run of `scenario`.
pub fn collect(scenario: &Scenario, result: &RunResult) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let reached = reachable(scenario);
    for (id, component) in scenario.components.iter().enumerate() {
        if !reached[id] && !matches!(component.kind, ComponentKind::Station(_)) {
            let billed = match &component.kind {
                ComponentKind::Lambda(function) => function.provisioned > 0,
                ComponentKind::ApiGateway(_)
                | ComponentKind::Sqs(_)
                | ComponentKind::CloudFront(_) => false,
                _ => true,
            };
            warnings.push(Warning::Unreached { component: component.name.clone(), billed });
        }
    }
    for (i, tier) in result.tiers.iter().enumerate() {
        if tier.servers.is_none() {
            continue;
        }
        if tier.utilization >= SATURATED {
            warnings.push(Warning::Saturated {
                tier: tier.name.clone(),
                utilization: tier.utilization,
            });
            continue;
        }
        let minutes = result
            .windows
            .iter()
            .rev()
            .take_while(|w| w.utilization.get(i).is_some_and(|u| *u >= SATURATED))
            .count();
        if minutes >= SATURATED_MINUTES_AT_END {
            warnings.push(Warning::SaturatedAtEnd { tier: tier.name.clone(), minutes });
        }
    }
    let finished = result.completed + result.failed;
    if finished > 0 && result.failed as f64 / finished as f64 >= FAILURES {
        warnings.push(Warning::Failures { failed: result.failed, finished });
    }
    for (f, fleet) in result.fleets.iter().enumerate() {
        let minutes = result
            .windows
            .iter()
            .filter(|w| w.fleets.get(f).is_some_and(|c| c.in_service == 0))
            .count();
        if minutes > 0 {
            let consumer = scenario.components.iter().any(|c| match &c.kind {
                ComponentKind::Sqs(queue) => {
                    matches!(queue.consumer, crate::scenario::model::Consumer::Fleet(id)
                        if scenario.components[id].name == fleet.name)
                }
                _ => false,
            });
            warnings.push(Warning::NoInstances {
                component: fleet.name.clone(),
                minutes,
                consumer,
            });
        }
    }
    if result.key_trace_replays > 0 {
        warnings.push(Warning::KeyTraceReplayed { times: result.key_trace_replays });
    }
    for cache in &result.caches {
        let c = &cache.counts;
        if c.sets > 0 && c.refused_sets as f64 >= FAILURES * c.sets as f64 {
            warnings.push(Warning::CacheRefusedWrites {
                cache: cache.name.clone(),
                refused: c.refused_sets,
                sets: c.sets,
            });
        }
    }
    for queue in &result.queues {
        let c = &queue.counts;
        let gave_up = c.failed + c.throttled;
        if c.received > 0 && gave_up as f64 >= FAILURES * c.received as f64 {
            warnings.push(Warning::QueueFailures {
                queue: queue.name.clone(),
                failed: c.failed,
                throttled: c.throttled,
                received: c.received,
            });
        }
        if c.dead_lettered > 0 {
            warnings.push(Warning::DeadLettered {
                queue: queue.name.clone(),
                messages: c.dead_lettered,
                sent: c.sent,
            });
        }
        if queue.visible_at_end as f64 > BACKLOG_SHARE * c.sent as f64 && queue.visible_at_end > 100
        {
            warnings.push(Warning::QueueBacklog {
                queue: queue.name.clone(),
                visible: queue.visible_at_end,
                sent: c.sent,
            });
        }
    }
    for db in &result.databases {
        if db.counts.refused_connections > 0 {
            warnings.push(Warning::ConnectionsExhausted {
                instance: db.name.clone(),
                max_connections: db.max_connections,
                refused: db.counts.refused_connections,
            });
        }
    }
    for (f, fleet) in result.fleets.iter().enumerate() {
        let standard = scenario.components.iter().any(|c| {
            c.name == fleet.name
                && matches!(&c.kind, ComponentKind::Ec2(spec)
                    if spec.credits.as_ref().is_some_and(|k| k.mode == CreditMode::Standard))
        });
        let minutes = result
            .windows
            .iter()
            .filter(|w| w.fleets.get(f).is_some_and(|c| c.throttled > 0))
            .count();
        if standard && minutes > 0 {
            warnings.push(Warning::CreditsExhausted { component: fleet.name.clone(), minutes });
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

/// Which components a request can reach from the traffic's entry.
fn reachable(scenario: &Scenario) -> Vec<bool> {
    let mut reached = vec![false; scenario.components.len()];
    let mut todo = vec![scenario.traffic.entry];
    while let Some(id) = todo.pop() {
        if std::mem::replace(&mut reached[id], true) {
            continue;
        }
        match &scenario.components[id].kind {
            ComponentKind::Alb(alb) => todo.push(alb.targets),
            ComponentKind::Ec2(fleet) => todo.extend(fleet.database.iter().chain(&fleet.cache)),
            ComponentKind::Station(station) => {
                todo.extend(station.next.iter().filter_map(|h| h.to))
            }
            ComponentKind::ApiGateway(api) => todo.push(api.target),
            ComponentKind::CloudFront(cdn) => todo.push(cdn.origin),
            ComponentKind::Sqs(queue) => todo.push(match queue.consumer {
                crate::scenario::model::Consumer::Lambda(id)
                | crate::scenario::model::Consumer::Fleet(id) => id,
            }),
            ComponentKind::Rds(_) | ComponentKind::Cache(_) | ComponentKind::Lambda(_) => {}
        }
    }
    reached
}
