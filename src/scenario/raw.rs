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
    /// `[account]`: account-wide limits and the free tier.
    pub account: Option<Spanned<RawAccount>>,
    /// `[[slo]]`: service-level objectives each run is judged by.
    pub slo: Option<Vec<Spanned<RawSlo>>>,
}

/// One `[[slo]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlo {
    /// A name for the reports; made from the metric and bound if absent.
    pub name: Option<Spanned<String>>,
    /// What is bounded: `p99`, `mean`, `error_rate`, `cost_per_month`…
    pub metric: Spanned<String>,
    /// The bound the metric must stay under: text with its unit, or a
    /// bare number (dollars, or a share).
    pub under: RawValue,
    /// For a latency metric: the share of one-minute windows in which it
    /// must stay under the bound (instead of over the whole run).
    pub windows: Option<Spanned<String>>,
}

/// `[account]`: settings of the AWS account.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAccount {
    /// Concurrent Lambda executions in the region.
    pub lambda_concurrency: Option<Spanned<i64>>,
    /// Apply AWS's monthly free tiers to the bill.
    pub free_tier: Option<Spanned<bool>>,
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
    /// The cache node it hits, counting from 0.
    pub node: Option<Spanned<i64>>,
    /// How long until a lost node is replaced or a failed database serves
    /// again (a duration, or a distribution for `db_failure`).
    pub duration: Option<RawValue>,
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
    /// Whether CloudFront may answer it from its cache.
    pub cacheable: Option<Spanned<bool>>,
}

/// `[classes.NAME.work.COMPONENT]`: a class's work at one component.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWork {
    /// CPU time at an ec2 fleet or a lambda function (replaces its `cpu`).
    pub cpu: Option<RawValue>,
    /// Time of one query at an rds database (replaces the database's `query`).
    pub query: Option<RawValue>,
    /// Queries per request at a database, one after another (0 skips it).
    pub queries: Option<Spanned<i64>>,
    /// `read` or `write`.
    pub kind: Option<Spanned<String>>,
    /// The keys its queries touch (replaces the database's `keys`).
    pub keys: Option<RawValue>,
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
    /// Time per request waiting on a downstream call (holding its worker
    /// slot, not a vCPU), after its CPU burst.
    pub io: Option<RawValue>,
    /// The RDS component each request queries.
    pub database: Option<Spanned<String>>,
    /// The ElastiCache component reads go through first (cache-aside).
    pub cache: Option<Spanned<String>>,
    /// Each instance's connection pool to each database instance:
    /// `{ size, wait_timeout }`.
    pub db_pool: Option<Spanned<RawPool>>,
    /// Availability Zones the instances are spread over.
    pub zones: Option<Spanned<Vec<Spanned<String>>>>,
    /// Burstable types: `standard` or `unlimited`.
    pub cpu_credits: Option<Spanned<String>>,
    /// Burstable types: credits each instance holds at launch.
    pub initial_credits: Option<Spanned<f64>>,
    /// `[components.NAME.scaling]`: an Auto Scaling group around the fleet.
    pub scaling: Option<Spanned<super::raw_scaling::RawScaling>>,
}

/// `[components.NAME.db_pool]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPool {
    /// Most connections per database instance.
    pub size: Spanned<i64>,
    /// How long a query waits for a connection (`"none"`: for ever).
    pub wait_timeout: Option<Spanned<String>>,
    /// Open every connection when the application starts.
    pub prefill: Option<Spanned<bool>>,
}

/// `[components.NAME]` with `type = "rds"`: a primary and read replicas.
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
    /// Provisioned gp3 IOPS (beyond the included ones is billed).
    pub iops: Option<Spanned<i64>>,
    /// Time one query holds one vCPU (reads and writes alike).
    pub query: Option<RawValue>,
    /// Time one read holds one vCPU.
    pub read_query: Option<RawValue>,
    /// Time one write holds one vCPU.
    pub write_query: Option<RawValue>,
    /// Read replicas of the same class.
    pub replicas: Option<Spanned<i64>>,
    /// `random`, `round_robin` or `least_connections`.
    pub read_routing: Option<Spanned<String>>,
    /// Time until a write is visible on the replicas (a distribution).
    pub replication_lag: Option<RawValue>,
    /// The keys queries touch: `{ count, zipf }`, `{ count, popularity =
    /// "uniform" }` or `{ trace = FILE }`.
    pub keys: Option<RawValue>,
    /// Connections each instance accepts (default: the engine's formula).
    pub max_connections: Option<Spanned<i64>>,
    /// `fail` or `wait`: what callers do while the primary is down.
    pub during_outage: Option<Spanned<String>>,
    /// Availability Zones: the primary in the first, replicas in turn.
    pub zones: Option<Spanned<Vec<Spanned<String>>>>,
    /// Bytes one query and its result carry over the network.
    pub query_bytes: Option<Spanned<String>>,
}

/// `[components.NAME]` with `type = "elasticache"`: a cache cluster.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCache {
    /// Always `"elasticache"`.
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// A catalogue node type, such as `cache.r7g.large`.
    pub node_type: Spanned<String>,
    /// `redis`, `valkey` or `memcached`.
    pub engine: Option<Spanned<String>>,
    /// Number of nodes.
    pub nodes: Spanned<i64>,
    /// Memory one item takes: a size, or a size distribution.
    pub item_size: RawValue,
    /// Time to live of a stored item.
    pub ttl: Option<Spanned<String>>,
    /// `lru`, `random` or `none`.
    pub eviction: Option<Spanned<String>>,
    /// `invalidate` or `write_through`.
    pub write_policy: Option<Spanned<String>>,
    /// Network round trip between a caller and a node.
    pub latency: Option<Spanned<String>>,
    /// Time one operation takes a node thread.
    pub op_time: Option<Spanned<String>>,
    /// Percent of each node's memory kept for non-data use.
    pub reserved_memory_percent: Option<Spanned<f64>>,
    /// Start with the most popular keys in the cache.
    pub warm: Option<Spanned<bool>>,
    /// Replica nodes: refused with an explanation (not modelled).
    pub replicas: Option<Spanned<i64>>,
    /// Availability Zones the nodes are spread over.
    pub zones: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `[components.NAME]` with `type = "lambda"`: a function.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLambda {
    /// Always `"lambda"`.
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// Memory, such as `"1769MB"`.
    pub memory: Option<Spanned<String>>,
    /// `x86_64` or `arm64`.
    pub architecture: Option<Spanned<String>>,
    /// `python`, `nodejs`, `go`, `java` or `dotnet`: sets the cold start.
    pub runtime: Option<Spanned<String>>,
    /// CPU time per invocation on one full vCPU.
    pub cpu: RawValue,
    /// Threads the CPU work runs on.
    pub threads: Option<Spanned<i64>>,
    /// Waiting time per invocation (I/O), whatever the memory.
    pub io: Option<RawValue>,
    /// Init duration of a cold start (replaces the runtime's).
    pub init: Option<RawValue>,
    /// Idle time after which an environment is reclaimed.
    pub idle_lifetime: Option<RawValue>,
    /// Longest an invocation may run.
    pub timeout: Option<Spanned<String>>,
    /// Reserved concurrency.
    pub reserved_concurrency: Option<Spanned<i64>>,
    /// Provisioned concurrency.
    pub provisioned_concurrency: Option<Spanned<i64>>,
}

/// `[components.NAME]` with `type = "api_gateway"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApiGateway {
    /// Always `"api_gateway"`.
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// `http` or `rest`.
    pub api: Option<Spanned<String>>,
    /// The lambda, alb or ec2 component it integrates with.
    pub target: Spanned<String>,
    /// Time it adds to each request.
    pub latency: Option<Spanned<String>>,
    /// Integration timeout.
    pub timeout: Option<Spanned<String>>,
    /// Steady rate before throttling, such as `"10000/s"`.
    pub rate_limit: Option<Spanned<String>>,
    /// Burst above the rate.
    pub burst: Option<Spanned<i64>>,
}

/// `[components.NAME]` with `type = "sqs"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSqs {
    /// Always `"sqs"`.
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// The lambda or ec2 component that consumes the messages.
    pub consumer: Spanned<String>,
    /// Most messages per receive.
    pub batch_size: Option<Spanned<i64>>,
    /// Time a received message stays invisible.
    pub visibility_timeout: Option<Spanned<String>>,
    /// Receives before a message goes to the dead-letter queue.
    pub max_receives: Option<Spanned<i64>>,
    /// Time SendMessage takes.
    pub send_latency: Option<Spanned<String>>,
    /// Most concurrent batches of a Lambda consumer.
    pub max_concurrency: Option<Spanned<i64>>,
}

/// `[components.NAME]` with `type = "cloudfront"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCloudFront {
    /// Always `"cloudfront"`.
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// The component behind it.
    pub origin: Spanned<String>,
    /// Object popularity: `{ count, zipf }` or `{ count, popularity =
    /// "uniform" }`.
    pub objects: RawValue,
    /// Time an object stays fresh.
    pub ttl: Option<Spanned<String>>,
    /// Bytes the edge keeps.
    pub capacity: Option<Spanned<String>>,
    /// Time the edge adds to each request.
    pub latency: Option<Spanned<String>>,
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
