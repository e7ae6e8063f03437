//! The scenario file as written: serde structs that mirror the TOML and keep
//! the span of every value that validation may need to point at.
//!
//! Nothing here checks meaning; `validate` turns these into domain types.

use serde::Deserialize;
use toml::Spanned;

pub use super::raw_traffic::{RawTrace, RawTraffic};

/// A value kept as TOML, read by validation (distributions, timestamps and
/// values that may be a number or a word).
pub type RawValue = Spanned<toml::Value>;

/// The top of the file, except `[components]`, which is read per component.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTop {
    /// `[scenario]`.
    pub scenario: Spanned<RawScenario>,
    /// `[traffic]`.
    pub traffic: Spanned<RawTraffic>,
    /// `[request]`, the one request class.
    pub request: Option<Spanned<RawRequest>>,
}

/// `[scenario]`: name, timing and seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Names the output folder.
    pub name: Spanned<String>,
    /// UTC start of the measured window.
    pub start: RawValue,
    /// Simulated before `start`, left out of the statistics.
    pub warmup: Option<Spanned<String>>,
    /// Length of the measured window.
    pub duration: Spanned<String>,
    /// Seed of every random stream.
    pub seed: Option<Spanned<i64>>,
}

/// `[request]`: what one request carries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequest {
    /// Bytes from the client to the load balancer.
    pub request_bytes: Option<Spanned<String>>,
    /// Bytes from the load balancer back to the client.
    pub response_bytes: Option<Spanned<String>>,
    /// Requests a client sends over one connection before opening another.
    pub requests_per_connection: Option<Spanned<f64>>,
}

/// `[components.NAME]` with `type = "alb"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlb {
    /// Always `"alb"`.
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// The EC2 fleet behind the listener.
    pub targets: Spanned<String>,
    /// `round_robin` or `least_outstanding_requests`.
    pub routing: Option<Spanned<String>>,
    /// Time the load balancer adds to each request.
    pub latency: Option<Spanned<String>>,
    /// Listener rules each request is evaluated against.
    pub rules: Option<Spanned<i64>>,
}

/// `[components.NAME]` with `type = "ec2"`: a fixed fleet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEc2 {
    /// Always `"ec2"`.
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// A catalogue instance type, such as `c7g.large`.
    pub instance_type: Spanned<String>,
    /// Number of instances.
    pub count: Spanned<i64>,
    /// Worker slots (threads or connections) per instance.
    pub workers: Option<Spanned<i64>>,
    /// Requests an instance holds waiting for a worker before it refuses.
    pub accept_queue: Option<Spanned<i64>>,
    /// CPU time per request on the reference core.
    pub cpu: RawValue,
    /// The RDS component each request queries once.
    pub database: Option<Spanned<String>>,
}

/// `[components.NAME]` with `type = "rds"`: a primary instance.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRds {
    /// Always `"rds"`.
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// A catalogue class, such as `db.r6g.large`.
    pub instance_class: Spanned<String>,
    /// `postgresql` or `mysql`.
    pub engine: Option<Spanned<String>>,
    /// A standby in a second zone: doubles instance and storage charges.
    pub multi_az: Option<Spanned<bool>>,
    /// Allocated gp3 storage.
    pub storage: Option<Spanned<String>>,
    /// Time one query holds one vCPU.
    pub query: RawValue,
}

/// `[components.NAME]` with `type = "station"`: a textbook queue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStation {
    /// Always `"station"`.
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// A number of servers, or `"unlimited"`.
    pub servers: RawValue,
    /// Service time per visit.
    pub service: RawValue,
    /// Where a request goes after service: a component, `"exit"`, or a list
    /// of `{ to = NAME, p = SHARE }`.
    pub next: Option<RawValue>,
}
