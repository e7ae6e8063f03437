//! One row of the time series: what happened in one window of the measured
//! run (a minute by default).

use super::latency::Percentiles;

/// Statistics of one window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WindowRow {
    /// Seconds from the start of the measured window to this window's start.
    pub offset_s: f64,
    /// Length of this window in seconds (the last may be shorter).
    pub length_s: f64,
    /// Requests that arrived in the window.
    pub arrivals: u64,
    /// Requests that completed successfully in the window.
    pub completed: u64,
    /// Requests that failed (after their last attempt) in the window.
    pub errors: u64,
    /// Attempts started in the window, retries included.
    pub attempts: u64,
    /// Retries started in the window.
    pub retries: u64,
    /// Attempts the client gave up on in the window.
    pub timeouts: u64,
    /// Latency of the requests completed in the window.
    pub latency: Option<Percentiles>,
    /// Requests in the system at the window's end.
    pub in_flight: u64,
    /// Mean utilisation of each tier over the window, in the order of
    /// the run's tier list.
    pub utilization: Vec<f64>,
    /// Each fleet's capacity at the window's end, in fleet order.
    pub fleets: Vec<FleetCapacity>,
    /// Each cache cluster's window, in cache order.
    pub caches: Vec<CacheWindow>,
    /// Each database instance's window, databases in order, each primary
    /// first.
    pub databases: Vec<DbWindow>,
    /// Each fleet's connection-pool waits and timeouts in the window, in
    /// fleet order (zeros for fleets without a database).
    pub pools: Vec<(u64, u64)>,
    /// Each Lambda function's window, in function order.
    pub functions: Vec<FunctionWindow>,
    /// Each SQS queue's window, in queue order.
    pub queues: Vec<QueueWindow>,
    /// Each CloudFront distribution's (hits, cacheable requests) in the
    /// window, in distribution order.
    pub edges: Vec<(u64, u64)>,
}

/// A Lambda function in one window.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FunctionWindow {
    /// Invocations started.
    pub invocations: u64,
    /// Of those, cold starts.
    pub cold_starts: u64,
    /// Invocations throttled.
    pub throttles: u64,
    /// Mean busy environments over the window.
    pub concurrency: f64,
    /// Environments alive at the window's end.
    pub environments: u32,
}

/// An SQS queue in one window.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct QueueWindow {
    /// Messages sent.
    pub sent: u64,
    /// Messages deleted after processing.
    pub deleted: u64,
    /// Messages visible at the window's end.
    pub depth: u64,
    /// Messages received and not deleted at the window's end.
    pub in_flight: u64,
    /// Age of the oldest visible message at the window's end, in seconds.
    pub oldest_age_s: f64,
}

/// A cache cluster in one window.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct CacheWindow {
    /// Reads.
    pub gets: u64,
    /// Reads that hit.
    pub hits: u64,
    /// Items evicted.
    pub evictions: u64,
    /// Items held at the window's end.
    pub items: u64,
    /// Share of the usable memory in use at the window's end.
    pub memory_used: f64,
}

/// A database instance in one window.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct DbWindow {
    /// Reads.
    pub reads: u64,
    /// Writes.
    pub writes: u64,
    /// Stale reads.
    pub stale_reads: u64,
    /// Connections open at the window's end.
    pub connections: u32,
    /// New connections refused.
    pub refused_connections: u64,
}

/// A fleet's instances by state at one instant.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FleetCapacity {
    /// The capacity the group aims for.
    pub desired: u32,
    /// Launched, not yet taking traffic (booting or awaiting the first
    /// health check).
    pub pending: u32,
    /// Taking traffic.
    pub in_service: u32,
    /// Deregistered, finishing in-flight requests.
    pub draining: u32,
    /// Registered but found unhealthy by the load balancer: running (and
    /// billed), sent no requests.
    pub unhealthy: u32,
    /// Mean CPU-credit balance of the running instances (burstable types).
    pub credits: Option<f64>,
    /// Instances held to their baseline for lack of credits.
    pub throttled: u32,
}
