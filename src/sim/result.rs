//! What one run measured: counts, the latency histogram, the time series,
//! per-tier statistics and the usage to bill.

use hdrhistogram::Histogram;

use crate::billing::meters::{InstanceLife, LcuHour};
use crate::scenario::model::ComponentId;
use crate::stats::window::WindowRow;

/// Failed requests by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ErrorCounts {
    /// Refused by an instance whose accept queue was full (the ALB answers
    /// 502 Bad Gateway).
    pub refused: u64,
}

impl ErrorCounts {
    /// All errors.
    pub fn total(&self) -> u64 {
        self.refused
    }
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
}

/// Everything one run measured.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// Requests that arrived in the measured window.
    pub arrivals: u64,
    /// Of those, answered successfully.
    pub completed: u64,
    /// Of those, failed.
    pub errors: ErrorCounts,
    /// Of those, still in the system when the window closed.
    pub in_flight_at_end: u64,
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
}
