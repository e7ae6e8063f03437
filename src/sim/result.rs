//! What one run measured: counts, the latency histogram, the time series,
//! per-tier statistics and the usage to bill.

use hdrhistogram::Histogram;

use crate::billing::meters::{InstanceLife, LcuHour};
use crate::components::autoscaling::ScalingDecision;
use crate::scenario::model::ComponentId;
use crate::stats::window::WindowRow;

/// Failed attempts by kind. A request may fail several attempts and still
/// succeed on a retry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ErrorCounts {
    /// Refused by an instance whose accept queue was full (the ALB answers
    /// 502 Bad Gateway).
    pub refused: u64,
    /// Answered 503 by a load balancer with no target in service.
    pub no_targets: u64,
    /// Given up by the client after its timeout.
    pub timed_out: u64,
    /// Answered with an error by a station's fault injection.
    pub server_errors: u64,
    /// Sent to, or held by, an instance whose application had crashed or
    /// that was terminated (the ALB answers 502 Bad Gateway).
    pub target_down: u64,
    /// Found no database connection: refused at the database's
    /// `max_connections`, or timed out waiting in the caller's pool.
    pub db_connection: u64,
    /// Needed a database instance that was down.
    pub db_down: u64,
    /// Refused by Lambda or API Gateway for lack of concurrency or rate
    /// (429).
    pub throttled: u64,
    /// Lambda invocations that ran past the function's timeout.
    pub function_errors: u64,
    /// Answered 504 by API Gateway when its integration took too long.
    pub gateway_timeouts: u64,
}

impl ErrorCounts {
    /// All failed attempts.
    pub fn total(&self) -> u64 {
        self.refused
            + self.no_targets
            + self.timed_out
            + self.server_errors
            + self.target_down
            + self.db_connection
            + self.db_down
            + self.throttled
            + self.function_errors
            + self.gateway_timeouts
    }
}

/// A fault, or what the load balancer or Auto Scaling group did about one,
/// for the run's event log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LoggedEvent {
    /// When, in seconds from the start of the measured window (negative in
    /// the warm-up).
    pub time_s: f64,
    /// The component it concerns.
    pub component: String,
    /// What happened, in a word or two (`crash`, `unhealthy`, `replaced`).
    pub event: String,
    /// The details, in a sentence.
    pub detail: String,
}

/// What one request class saw over the measured window.
#[derive(Debug, Clone)]
pub struct ClassStats {
    /// The class's name.
    pub name: String,
    /// Requests of the class that arrived.
    pub arrived: u64,
    /// Of those, answered successfully.
    pub completed: u64,
    /// Of those, failed after their last attempt.
    pub failed: u64,
    /// Latency of the successful ones, first attempt to answer, in ns.
    pub latency: Histogram<u64>,
}

/// Utilisation and waiting at one tier over the measured window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TierStats {
    /// E.g. `web.cpu`.
    pub name: String,
    /// Servers in the tier; `None` when unlimited.
    pub servers: Option<u64>,
    /// Mean busy share of the servers (mean number busy when unlimited).
    pub utilization: f64,
    /// Mean wait before service, over all services started.
    pub mean_wait_ms: f64,
    /// Share of services that had to wait.
    pub probability_of_waiting: f64,
    /// Services started.
    pub services: u64,
    /// Requests refused by a full queue.
    pub refused: u64,
}

/// Usage to bill, per component id.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    /// EC2 instance lives of each fleet.
    pub instance_lives: Vec<(ComponentId, Vec<InstanceLife>)>,
    /// RDS instance lives of each database.
    pub database_lives: Vec<(ComponentId, Vec<InstanceLife>)>,
    /// LCU usage per clock hour of each load balancer.
    pub lcu_hours: Vec<(ComponentId, Vec<LcuHour>)>,
    /// Nodes of each cache cluster, each running the whole run (a lost
    /// node's replacement bills in its place).
    pub cache_nodes: Vec<(ComponentId, u32)>,
    /// Surplus CPU credits of each burstable fleet in unlimited mode, to
    /// bill for the measured window.
    pub surplus_credits: Vec<(ComponentId, f64)>,
    /// Invocations and billed time of each Lambda function.
    pub lambda: Vec<(ComponentId, crate::components::lambda::LambdaCounts)>,
    /// Requests each API Gateway API served.
    pub api_requests: Vec<(ComponentId, u64)>,
    /// Each queue's counts and its empty receives.
    pub sqs_requests: Vec<(ComponentId, crate::components::sqs::QueueCounts, u64)>,
    /// Each CloudFront distribution's requests and bytes out.
    pub edge: Vec<(ComponentId, crate::components::edge::EdgeCounts)>,
    /// Bytes of successful responses sent to the internet from the region
    /// (not through CloudFront).
    pub internet_out_bytes: u64,
    /// Bytes between instances and their databases or caches in other
    /// Availability Zones, both directions added.
    pub cross_az_bytes: u64,
}

/// Everything one run measured.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// Requests that arrived in the measured window.
    pub arrivals: u64,
    /// Times a key trace ran out and was replayed from its start (warm-up
    /// included).
    pub key_trace_replays: u64,
    /// Of those, answered successfully (on any attempt, in time).
    pub completed: u64,
    /// Of those, failed after their last attempt.
    pub failed: u64,
    /// Of those, still in the system when the window closed.
    pub in_flight_at_end: u64,
    /// Attempts those requests made, retries included.
    pub attempts: u64,
    /// Of the attempts, retries.
    pub retries: u64,
    /// Failed attempts, by kind.
    pub errors: ErrorCounts,
    /// Attempts the servers finished after the client had given up.
    pub wasted: u64,
    /// Attempts the servers finished in the window, wasted ones included.
    pub served: u64,
    /// Per request class.
    pub classes: Vec<ClassStats>,
    /// Latency of the completed requests, in nanoseconds.
    pub latency: Histogram<u64>,
    /// The time series, one row per window.
    pub windows: Vec<WindowRow>,
    /// Utilisation and waiting per tier.
    pub tiers: Vec<TierStats>,
    /// What to bill.
    pub usage: Usage,
    /// Events the loop executed.
    pub events: u64,
    /// Instance counts of each fleet.
    pub fleets: Vec<FleetStats>,
    /// Every scaling decision, taken or not, in time order.
    pub scaling_log: Vec<ScalingDecision>,
    /// Faults and what the system did about them, in time order.
    pub event_log: Vec<LoggedEvent>,
    /// Each cache cluster over the measured window.
    pub caches: Vec<CacheStats>,
    /// Each database instance over the measured window.
    pub databases: Vec<DbInstanceStats>,
    /// Each fleet's connection pools over the measured window, for fleets
    /// with a database.
    pub pools: Vec<PoolStats>,
    /// Each Lambda function over the measured window.
    pub functions: Vec<FunctionStats>,
    /// Each API Gateway API over the measured window.
    pub gateways: Vec<GatewayStats>,
    /// Each SQS queue over the measured window.
    pub queues: Vec<QueueStats>,
    /// Each CloudFront distribution over the measured window.
    pub edges: Vec<EdgeStats>,
    /// Why the run stopped before the end of its window, if it did.
    pub stopped: Option<Stopped>,
}

/// A run that could not go on.
#[derive(Debug, Clone, PartialEq)]
pub struct Stopped {
    /// Seconds from the start of the measured window (negative in the
    /// warm-up).
    pub at_s: f64,
    /// What happened, for the user.
    pub reason: String,
    /// True when the design itself gave way (requests or messages piled up
    /// without bound): an answer about the design, not a fault of the
    /// scenario.
    pub overloaded: bool,
}

/// A fleet's instances over the measured window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FleetStats {
    /// The component's name.
    pub name: String,
    /// True when an Auto Scaling group sets its capacity.
    pub scaled: bool,
    /// Mean instances in service.
    pub mean_in_service: f64,
    /// Most instances in service at once over the measured window.
    pub peak_in_service: u32,
    /// Instances launched during the run, the initial ones included.
    pub launched: u32,
    /// Mean CPU-credit balance of the running instances at the end
    /// (burstable types).
    pub credits_at_end: Option<f64>,
    /// Surplus credits billed (unlimited mode).
    pub surplus_credits: Option<f64>,
    /// Scaling decisions of its group that changed the capacity.
    pub decisions_taken: u64,
    /// Scaling decisions of its group that left the capacity alone.
    pub decisions_not_taken: u64,
    /// Each instance's life, in launch order (kept out of the summary: it
    /// is as long as the number of instances launched).
    #[serde(skip)]
    pub instances: Vec<InstanceTimeline>,
}

/// When one instance went through its lifecycle, in seconds from the start
/// of the measured window (negative in the warm-up).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstanceTimeline {
    /// Launched (billing starts).
    pub launched_s: f64,
    /// Passed its first health check and took traffic.
    pub in_service_s: Option<f64>,
    /// Terminated (billing stops).
    pub terminated_s: Option<f64>,
}

/// A cache cluster over the measured window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CacheStats {
    /// The component's name.
    pub name: String,
    /// Operations by kind.
    pub counts: crate::components::cache::CacheCounts,
    /// Hits over reads; `None` with no reads.
    pub hit_ratio: Option<f64>,
    /// Items held at the end.
    pub items_at_end: u64,
    /// Bytes the items took at the end.
    pub used_bytes_at_end: u64,
    /// Usable bytes over the nodes up at the end.
    pub capacity_bytes: u64,
}

/// One database instance over the measured window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DbInstanceStats {
    /// `db` or `db.replica-N`.
    pub name: String,
    /// The database component.
    pub database: String,
    /// Its role at the end: primary, replica, down or gone.
    pub role_at_end: String,
    /// Queries by kind, stale reads, refused connections, failed queries.
    pub counts: crate::components::rds::DbCounts,
    /// Stale reads over reads (replicas); `None` with no reads.
    pub stale_share: Option<f64>,
    /// Connections open at the end.
    pub connections_at_end: u32,
    /// Most connections open at once.
    pub peak_connections: u32,
    /// Connections it accepts.
    pub max_connections: u32,
    /// Callers' queries that waited for a connection to it, and gave up.
    pub pool: crate::components::connections::PoolCounts,
}

/// A fleet's connection pools over the measured window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PoolStats {
    /// The fleet's name.
    pub fleet: String,
    /// Waits, timeouts and refused connections, summed over its instances.
    pub counts: crate::components::connections::PoolCounts,
    /// Mean wait of the queries that waited and got a connection.
    pub mean_wait_ms: f64,
}

/// A Lambda function over the measured window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FunctionStats {
    /// The component's name.
    pub name: String,
    /// Invocations, cold starts, throttles, timeouts and billed time.
    pub counts: crate::components::lambda::LambdaCounts,
    /// Cold starts over invocations; `None` with none.
    pub cold_start_share: Option<f64>,
    /// Throttles over invocation attempts; `None` with none.
    pub throttle_share: Option<f64>,
    /// Mean busy environments (concurrency).
    pub mean_concurrency: f64,
    /// Most busy environments at once.
    pub peak_concurrency: u32,
    /// Environments alive at the end.
    pub environments_at_end: u32,
}

/// An API Gateway API over the measured window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GatewayStats {
    /// The component's name.
    pub name: String,
    /// Requests, served, throttled, timed out.
    pub counts: crate::components::edge::GatewayCounts,
}

/// An SQS queue over the measured window.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QueueStats {
    /// The component's name.
    pub name: String,
    /// Messages and requests by kind.
    pub counts: crate::components::sqs::QueueCounts,
    /// Empty receives (long polls that found nothing).
    pub empty_receives: u64,
    /// Messages visible at the end.
    pub visible_at_end: u64,
    /// Messages received and not yet deleted at the end.
    pub invisible_at_end: u64,
    /// Delay from send to the end of processing, of the messages deleted.
    pub delay: Option<crate::stats::latency::Percentiles>,
}

/// A CloudFront distribution over the measured window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EdgeStats {
    /// The component's name.
    pub name: String,
    /// Requests, hits, misses, uncacheable, bytes out.
    pub counts: crate::components::edge::EdgeCounts,
    /// Hits over cacheable requests; `None` with none.
    pub hit_ratio: Option<f64>,
}
