//! The validated scenario: domain types the simulation is built from.
//!
//! Every value here has been checked, every default filled in and recorded
//! in [`Scenario::defaults`], and every name resolved to an index. The
//! simulation never sees TOML, spans or file paths beyond reporting.

use std::path::PathBuf;

use time::OffsetDateTime;

use crate::billing::money::Money;
use crate::catalogue::{AlbFacts, Ec2Type, RdsClass, RdsEngine};
use crate::engine::dist::Dist;
use crate::engine::time::SimDuration;
use crate::traffic::ArrivalSpec;

mod data;
mod scaling;
mod serverless;

pub use data::{
    CacheSpec, ItemSize, KeySpace, KeyTrace, OutageBehaviour, PoolSpec, ReadRouting, WritePolicy,
};
pub use serverless::{AccountSpec, ApiGatewaySpec, CloudFrontSpec, Consumer, LambdaSpec, SqsSpec};

pub use scaling::{
    AdjustmentType, AlarmSpec, CreditMode, CreditSpec, HealthChecks, MetricDelay, MetricKind,
    PolicyRule, PolicySpec, ScalingSpec, ScheduledAction, SimplePolicy, StepAdjustment, StepPolicy,
    TargetTracking, TerminationOrder,
};

/// A scenario ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Names the output folder; letters, digits, `-`, `_` and `.` only.
    pub name: String,
    /// The file it was read from.
    pub file: PathBuf,
    /// UTC instant at which the measured window begins; the warm-up runs
    /// just before it.
    pub start: OffsetDateTime,
    /// Simulated but left out of the statistics.
    pub warmup: SimDuration,
    /// Length of the measured window.
    pub duration: SimDuration,
    /// Seed of every random stream.
    pub seed: u64,
    /// How requests arrive and where.
    pub traffic: Traffic,
    /// The kinds of request, with their shares of the arrivals (at least
    /// one; shares add up to 1).
    pub classes: Vec<ClassSpec>,
    /// How clients wait and retry.
    pub client: ClientSpec,
    /// A closed loop of users, when the traffic is closed rather than open.
    pub users: Option<UsersSpec>,
    /// The components, in file order; indices are [`ComponentId`]s.
    pub components: Vec<Component>,
    /// Faults to inject, in time order.
    pub faults: Vec<FaultSpec>,
    /// The account's Lambda limit and whether free tiers apply.
    pub account: AccountSpec,
    /// Every default the run uses, with its source.
    pub defaults: Vec<UsedDefault>,
    /// The objectives each run is judged by.
    pub slos: Vec<super::slo::Slo>,
    /// Values put over the file's own by `--set` or a sweep point.
    pub settings: Vec<Setting>,
}

impl Scenario {
    /// The UTC instant at which the simulation (the warm-up) begins.
    pub fn simulation_start(&self) -> OffsetDateTime {
        self.start - time::Duration::nanoseconds(self.warmup.as_nanos() as i64)
    }

    /// Warm-up plus measured window.
    pub fn total_duration(&self) -> SimDuration {
        self.warmup + self.duration
    }
}

/// Index of a component in [`Scenario::components`].
pub type ComponentId = usize;

/// A default value that a run used, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsedDefault {
    /// Dotted key path the default fills, e.g. `components.lb.routing`.
    pub key: String,
    /// The value used, written as a user would write it.
    pub value: String,
    /// An AWS document, a catalogue source, or `Assumption: …`.
    pub source: String,
}

/// A value that replaced the file's (or filled a key it leaves out) for
/// this run, listed in the summary so the run's numbers can be traced to
/// what produced them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Setting {
    /// Dotted key path, e.g. `traffic.rate`.
    pub key: String,
    /// The value, as written.
    pub value: String,
    /// `--set` or `[sweep]`.
    pub from: String,
}

/// Where requests enter and how they arrive.
#[derive(Debug, Clone)]
pub struct Traffic {
    /// The component every request arrives at.
    pub entry: ComponentId,
    /// The open-loop arrival process; `None` when `[users]` make the
    /// traffic a closed loop.
    pub arrivals: Option<ArrivalSpec>,
}

/// What one request carries over the network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestSpec {
    /// Bytes from client to load balancer.
    pub request_bytes: u64,
    /// Bytes back to the client.
    pub response_bytes: u64,
    /// Requests sent over one client connection.
    pub requests_per_connection: f64,
}

/// One kind of request: its share, what it carries and the work it does.
#[derive(Debug, Clone)]
pub struct ClassSpec {
    /// Its table name under `[classes]` (`default` for `[request]`).
    pub name: String,
    /// Share of the arrivals.
    pub share: f64,
    /// Bytes and connections, for the load balancer.
    pub request: RequestSpec,
    /// CPU time at fleets where the class replaces the fleet's own.
    pub cpu: Vec<(ComponentId, Dist)>,
    /// Work at databases where the class says what it does.
    pub db: Vec<(ComponentId, DbWork)>,
    /// Service time at stations where the class replaces the station's own.
    pub service: Vec<(ComponentId, Dist)>,
    /// CPU time at Lambda functions where the class replaces the
    /// function's own.
    pub lambda_cpu: Vec<(ComponentId, Dist)>,
    /// True when CloudFront may answer it from its cache.
    pub cacheable: bool,
}

impl ClassSpec {
    /// The class's CPU time at fleet `id`, if it replaces the fleet's.
    pub fn cpu_at(&self, id: ComponentId) -> Option<&Dist> {
        self.cpu.iter().find(|(c, _)| *c == id).map(|(_, d)| d)
    }

    /// The class's work at database `id`, if it says what it does there.
    pub fn db_at(&self, id: ComponentId) -> Option<&DbWork> {
        self.db.iter().find(|(c, _)| *c == id).map(|(_, w)| w)
    }

    /// The class's CPU time at function `id`, if it replaces the function's.
    pub fn lambda_cpu_at(&self, id: ComponentId) -> Option<&Dist> {
        self.lambda_cpu.iter().find(|(c, _)| *c == id).map(|(_, d)| d)
    }

    /// The class's service time at station `id`, if it replaces the station's.
    pub fn service_at(&self, id: ComponentId) -> Option<&Dist> {
        self.service.iter().find(|(c, _)| *c == id).map(|(_, d)| d)
    }
}

/// What a class does at a database.
#[derive(Debug, Clone)]
pub struct DbWork {
    /// Time of one query; `None` uses the database's time for the kind.
    pub query: Option<Dist>,
    /// The keys its queries touch; `None` uses the database's.
    pub keys: Option<KeySpace>,
    /// Queries per request, one after another (0: the class skips the
    /// database).
    pub queries: u32,
    /// Reads or writes.
    pub kind: QueryKind,
}

/// Whether a query reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryKind {
    /// A read.
    Read,
    /// A write.
    Write,
}

/// A closed population: each user sends a request, waits for its outcome
/// (success, or failure after the last attempt), thinks, and sends the
/// next.
#[derive(Debug, Clone)]
pub struct UsersSpec {
    /// Number of users.
    pub count: u32,
    /// Think time.
    pub think: Dist,
}

/// How clients wait for an answer and retry.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSpec {
    /// The client gives up on an attempt after this long; `None` waits for
    /// ever.
    pub timeout: Option<SimDuration>,
    /// Attempts per request, the first included (1: no retries).
    pub max_attempts: u32,
    /// Delay before each retry.
    pub backoff: Backoff,
    /// Limit on retries, if any.
    pub retry_budget: Option<RetryBudgetSpec>,
}

/// Capped exponential backoff with jitter: retry n waits
/// min(cap, base × 2ⁿ⁻¹), jittered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// Delay before the first retry.
    pub base: SimDuration,
    /// Longest delay.
    pub cap: SimDuration,
    /// How the delay is randomised.
    pub jitter: Jitter,
}

/// Jitter on the backoff delay d, as AWS's Architecture Blog names them
/// ("Exponential Backoff And Jitter", 2015).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Exactly d.
    None,
    /// Uniform in [0, d].
    Full,
    /// d/2 plus uniform in [0, d/2].
    Equal,
}

/// Retries limited to a share of first attempts over a sliding window of
/// ten seconds, plus a floor, as Finagle's RetryBudget does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryBudgetSpec {
    /// Retries allowed per first attempt.
    pub ratio: f64,
    /// Retries per second allowed whatever the first attempts.
    pub min_per_s: f64,
}

/// A named component.
#[derive(Debug, Clone)]
pub struct Component {
    /// Its table name under `[components]`.
    pub name: String,
    /// What it is.
    pub kind: ComponentKind,
}

/// The kinds of component a scenario can hold.
#[derive(Debug, Clone)]
pub enum ComponentKind {
    /// An Application Load Balancer.
    Alb(Box<AlbSpec>),
    /// A fixed fleet of EC2 instances.
    Ec2(Box<FleetSpec>),
    /// An RDS primary instance.
    Rds(Box<RdsSpec>),
    /// A textbook multi-server FCFS queue.
    Station(StationSpec),
    /// An ElastiCache cluster.
    Cache(Box<CacheSpec>),
    /// A Lambda function.
    Lambda(Box<LambdaSpec>),
    /// An API Gateway API.
    ApiGateway(Box<ApiGatewaySpec>),
    /// An SQS standard queue.
    Sqs(Box<SqsSpec>),
    /// A CloudFront distribution.
    CloudFront(Box<CloudFrontSpec>),
}

impl ComponentKind {
    /// The `type` word of this kind in a scenario file.
    pub fn type_name(&self) -> &'static str {
        match self {
            ComponentKind::Alb(_) => "alb",
            ComponentKind::Ec2(_) => "ec2",
            ComponentKind::Rds(_) => "rds",
            ComponentKind::Station(_) => "station",
            ComponentKind::Cache(_) => "elasticache",
            ComponentKind::Lambda(_) => "lambda",
            ComponentKind::ApiGateway(_) => "api_gateway",
            ComponentKind::Sqs(_) => "sqs",
            ComponentKind::CloudFront(_) => "cloudfront",
        }
    }
}

/// How a load balancer picks a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    /// Each target in turn.
    RoundRobin,
    /// The target with the fewest requests in flight.
    LeastOutstandingRequests,
}

/// An Application Load Balancer in front of one fleet or function.
#[derive(Debug, Clone)]
pub struct AlbSpec {
    /// The ec2 fleet or lambda function it forwards to.
    pub targets: ComponentId,
    /// Target selection.
    pub routing: Routing,
    /// Time it adds to each request.
    pub latency: SimDuration,
    /// Listener rules evaluated per request (the first 10 are free).
    pub rules: u32,
    /// Prices and LCU dimensions from the catalogue.
    pub facts: AlbFacts,
    /// Where the hourly and LCU prices come from.
    pub price_source: String,
}

/// A fixed-size fleet of EC2 instances.
#[derive(Debug, Clone)]
pub struct FleetSpec {
    /// The catalogue instance type.
    pub instance_type: Ec2Type,
    /// Instances in service when the run starts (the initial desired
    /// capacity of a scaled group).
    pub count: u32,
    /// Worker slots per instance.
    pub workers: u32,
    /// Requests an instance holds waiting for a worker before refusing.
    pub accept_queue: u32,
    /// CPU time per request, already scaled to this type's speed.
    pub cpu: Dist,
    /// Time per request waiting on a downstream call, holding its worker
    /// slot but no vCPU.
    pub io: Option<Dist>,
    /// The database each request queries, if any.
    pub database: Option<ComponentId>,
    /// The cache its reads go through first (cache-aside), if any.
    pub cache: Option<ComponentId>,
    /// Each instance's connection pool to each database instance.
    pub pool: PoolSpec,
    /// Availability Zones; instance k (by launch order) is in zone k mod n.
    pub zones: Vec<String>,
    /// Where the hourly price comes from.
    pub price_source: String,
    /// CPU credits, for burstable types.
    pub credits: Option<Box<CreditSpec>>,
    /// The Auto Scaling group, when the fleet is not fixed.
    pub scaling: Option<Box<ScalingSpec>>,
    /// The target group's health checks: the group's own, or AWS's defaults
    /// for a fixed fleet (which nothing replaces).
    pub health: HealthChecks,
}

/// An RDS database: a primary, optionally Multi-AZ, and read replicas of
/// the same class.
#[derive(Debug, Clone)]
pub struct RdsSpec {
    /// The catalogue class of the primary and its replicas.
    pub class: RdsClass,
    /// The database engine, which sets the price.
    pub engine: RdsEngine,
    /// A synchronous standby in a second zone.
    pub multi_az: bool,
    /// Allocated gp3 storage in GB (each replica has its own).
    pub storage_gb: u64,
    /// Provisioned gp3 IOPS beyond those included, per instance.
    pub extra_iops: u32,
    /// Time one read holds one vCPU.
    pub read_query: Dist,
    /// Time one write holds one vCPU.
    pub write_query: Dist,
    /// Read replicas.
    pub replicas: u32,
    /// How reads pick a replica.
    pub read_routing: ReadRouting,
    /// Time until a write on the primary is visible on the replicas.
    pub replication_lag: Dist,
    /// The keys queries touch; needed with a cache or replicas.
    pub keys: Option<KeySpace>,
    /// Connections each instance accepts.
    pub max_connections: u32,
    /// What callers do while the primary is down.
    pub during_outage: OutageBehaviour,
    /// Availability Zones: the primary in the first, replica k in zone k
    /// mod n.
    pub zones: Vec<String>,
    /// Bytes one query and its result carry over the network.
    pub query_bytes: u64,
    /// Hourly instance price for this engine (single-AZ).
    pub usd_per_hour: Money,
    /// gp3 storage price per GB-month.
    pub storage_usd_per_gb_month: Money,
    /// Price per provisioned IOPS-month beyond the included ones.
    pub iops_usd_per_month: Money,
    /// Where the instance price comes from.
    pub price_source: String,
    /// Where the storage price comes from.
    pub storage_price_source: String,
    /// Where the IOPS price comes from.
    pub iops_price_source: String,
}

/// A textbook station: c servers, first come first served.
#[derive(Debug, Clone)]
pub struct StationSpec {
    /// Servers; `None` means as many as there are requests.
    pub servers: Option<u32>,
    /// Service time per visit.
    pub service: Dist,
    /// Where a request goes after service.
    pub next: Vec<NextHop>,
    /// Probability that a service ends in an error response.
    pub error_probability: f64,
}

/// One branch of a station's routing: a share of the requests leaving it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NextHop {
    /// The component, or `None` for leaving the system.
    pub to: Option<ComponentId>,
    /// Cumulative probability up to and including this branch.
    pub cumulative: f64,
}

/// Something that goes wrong at a given time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaultSpec {
    /// When it happens, in simulated time.
    pub at: crate::engine::time::SimTime,
    /// What happens.
    pub kind: FaultKind,
}

/// The kinds of fault a scenario can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// The application on `count` instances in service crashes: the
    /// instances keep running (and billing) but refuse every request, and
    /// fail the load balancer's health checks.
    Crash {
        /// The ec2 fleet.
        fleet: ComponentId,
        /// Instances hit, the oldest in service first.
        count: u32,
    },
    /// `count` instances in service are terminated, as by a hardware
    /// failure or a person: their requests fail and billing stops.
    Terminate {
        /// The ec2 fleet.
        fleet: ComponentId,
        /// Instances hit, the oldest in service first.
        count: u32,
    },
    /// A cache node is lost with its items; its keys go to the other nodes
    /// until it is replaced, empty.
    CacheNodeLoss {
        /// The elasticache cluster.
        cache: ComponentId,
        /// The node, counting from 0.
        node: u32,
        /// Time until the replacement node serves.
        replaced_after: SimDuration,
    },
    /// Every item of a cache is dropped at once.
    CacheFlush {
        /// The elasticache cluster.
        cache: ComponentId,
    },
    /// The database's primary fails: a Multi-AZ standby takes over, or a
    /// replica is promoted, or the instance recovers, after `recovery`.
    DbFailure {
        /// The rds database.
        db: ComponentId,
        /// Time until a primary serves again.
        recovery: SimDuration,
    },
}
