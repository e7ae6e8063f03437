//! The scenario file as written: serde structs that mirror the TOML and keep
//! the span of every value that validation may need to point at.
//!
//! Nothing here checks meaning; `validate` turns these into domain types.

use std::collections::BTreeMap;

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
    /// `[request]`, the one request class (shorthand for a single class).
    pub request: Option<Spanned<RawRequest>>,
    /// `[classes.NAME]`: request classes with shares of the traffic.
    pub classes: Option<Spanned<BTreeMap<String, Spanned<RawClass>>>>,
    /// `[client]`: timeouts and retries.
    pub client: Option<Spanned<RawClient>>,
    /// `[users]`: a closed loop of users instead of open arrivals.
    pub users: Option<Spanned<RawUsers>>,
    /// `[[faults]]`: things that go wrong at given times.
    pub faults: Option<Vec<Spanned<RawFault>>>,
}

/// One `[[faults]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    /// When: an offset from `scenario.start` or a UTC time.
    pub at: RawValue,
    /// What goes wrong, such as `crash` or `terminate`.
    pub kind: Spanned<String>,
    /// The component it happens to.
    pub target: Spanned<String>,
    /// How many instances it hits.
    pub count: Option<Spanned<i64>>,
}

/// `[users]`: N users who each send a request, wait for its outcome,
/// think, and send the next.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUsers {
    /// Number of users.
    pub count: Spanned<i64>,
    /// Think time between an answer and the user's next request.
    pub think: RawValue,
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

/// `[classes.NAME]`: one kind of request and its share of the traffic.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClass {
    /// Share of the arrivals, between 0 and 1; all shares add up to 1.
    pub share: Spanned<f64>,
    /// Bytes from the client to the load balancer.
    pub request_bytes: Option<Spanned<String>>,
    /// Bytes back to the client.
    pub response_bytes: Option<Spanned<String>>,
    /// Requests sent over one connection.
    pub requests_per_connection: Option<Spanned<f64>>,
    /// What the class does at each component, by component name.
    pub work: Option<BTreeMap<String, Spanned<RawWork>>>,
}

/// `[classes.NAME.work.COMPONENT]`: a class's work at one component.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWork {
    /// CPU time at an ec2 fleet (replaces the fleet's `cpu`).
    pub cpu: Option<RawValue>,
    /// Time of one query at an rds database (replaces the database's `query`).
    pub query: Option<RawValue>,
    /// Queries per request at a database, one after another (0 skips it).
    pub queries: Option<Spanned<i64>>,
    /// `read` or `write`.
    pub kind: Option<Spanned<String>>,
    /// Service time at a station (replaces the station's `service`).
    pub service: Option<RawValue>,
}

/// `[client]`: how clients wait and retry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClient {
    /// The client gives up on an attempt after this long.
    pub timeout: Option<Spanned<String>>,
    /// Attempts per request, the first included.
    pub max_attempts: Option<Spanned<i64>>,
    /// Delay before retry n: `{ base, cap, jitter }`.
    pub backoff: Option<Spanned<RawBackoff>>,
    /// Limits retries to a share of first attempts: `{ ratio, min_per_s }`.
    pub retry_budget: Option<Spanned<RawRetryBudget>>,
}

/// `[client.backoff]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBackoff {
    /// Delay before the first retry.
    pub base: Spanned<String>,
    /// Longest delay.
    pub cap: Option<Spanned<String>>,
    /// `none`, `full` or `equal`.
    pub jitter: Option<Spanned<String>>,
}

/// `[client.retry_budget]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetryBudget {
    /// Retries allowed per first attempt, over the last 10 seconds.
    pub ratio: Spanned<f64>,
    /// Retries per second always allowed.
    pub min_per_s: Option<Spanned<f64>>,
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
    /// Burstable types: `standard` or `unlimited`.
    pub cpu_credits: Option<Spanned<String>>,
    /// Burstable types: credits each instance holds at launch.
    pub initial_credits: Option<Spanned<f64>>,
    /// `[components.NAME.scaling]`: an Auto Scaling group around the fleet.
    pub scaling: Option<Spanned<super::raw_scaling::RawScaling>>,
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
    /// Probability that a service ends in an error response.
    pub error_probability: Option<Spanned<f64>>,
}
