//! The validated serverless and edge components: Lambda functions, API
//! Gateway, SQS queues and CloudFront, and the account-wide settings they
//! share.

use crate::catalogue::{
    ApiGatewayFacts, CloudFrontFacts, LambdaArch, LambdaFacts, SqsFacts, Tiers, TransferFacts,
};
use crate::engine::dist::Dist;
use crate::engine::keys::Popularity;
use crate::engine::time::SimDuration;

use super::ComponentId;

/// Settings of the AWS account the scenario runs in.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountSpec {
    /// Concurrent Lambda executions the account may run in the region.
    pub lambda_concurrency: u32,
    /// True when the bill applies AWS's monthly free tiers (Lambda, SQS,
    /// CloudFront, data out).
    pub free_tier: bool,
    /// Data transfer prices.
    pub transfer: TransferFacts,
    /// Where the data transfer prices come from.
    pub transfer_source: String,
}

/// A Lambda function.
#[derive(Debug, Clone)]
pub struct LambdaSpec {
    /// Memory, MB: sets the CPU share (a full vCPU at `mb_per_vcpu`).
    pub memory_mb: u32,
    /// Instruction set, which sets the prices.
    pub arch: LambdaArch,
    /// CPU time per invocation on one full vCPU.
    pub cpu: Dist,
    /// Threads the handler's CPU work runs on.
    pub threads: u32,
    /// Time per invocation spent waiting (I/O), whatever the memory.
    pub io: Option<Dist>,
    /// Init duration of a new execution environment (a cold start).
    pub init: Dist,
    /// Idle time after which an environment is reclaimed.
    pub idle_lifetime: Dist,
    /// Longest an invocation may run before Lambda stops it.
    pub timeout: SimDuration,
    /// Concurrency reserved for the function, if any: also its limit.
    pub reserved: Option<u32>,
    /// Environments kept initialised at all times.
    pub provisioned: u32,
    /// Prices and limits.
    pub facts: Box<LambdaFacts>,
    /// Where the duration prices come from.
    pub price_source: String,
    /// Where the request price comes from.
    pub requests_source: String,
    /// Where the provisioned-concurrency prices come from.
    pub provisioned_source: String,
}

impl LambdaSpec {
    /// The function's share of a vCPU for single-threaded work, and the
    /// vCPUs its threads can use: memory / mb_per_vcpu, at most `threads`.
    pub fn cpu_speed(&self) -> f64 {
        let vcpus = f64::from(self.memory_mb) / f64::from(self.facts.mb_per_vcpu);
        vcpus.min(f64::from(self.threads))
    }

    /// Memory in GB, as Lambda bills it (MB / 1024).
    pub fn memory_gb(&self) -> f64 {
        f64::from(self.memory_mb) / 1024.0
    }
}

/// An API Gateway HTTP or REST API in front of one target.
#[derive(Debug, Clone)]
pub struct ApiGatewaySpec {
    /// HTTP API (cheaper) or REST API.
    pub rest: bool,
    /// The component it integrates with: a lambda, alb or ec2 component.
    pub target: ComponentId,
    /// Time it adds to each request.
    pub latency: SimDuration,
    /// Longest it waits for the integration before answering 504.
    pub timeout: SimDuration,
    /// Steady requests per second before it throttles (429).
    pub rate_limit_per_s: f64,
    /// Burst it absorbs above the rate (token bucket size).
    pub burst: u32,
    /// Price tiers per million requests.
    pub tiers: Tiers,
    /// Prices and limits.
    pub facts: Box<ApiGatewayFacts>,
    /// Where the prices come from.
    pub price_source: String,
}

/// What consumes an SQS queue's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consumer {
    /// A Lambda function through an event source mapping.
    Lambda(ComponentId),
    /// The worker threads of an EC2 fleet.
    Fleet(ComponentId),
}

/// An SQS standard queue between producers and a consumer.
#[derive(Debug, Clone)]
pub struct SqsSpec {
    /// The consumer.
    pub consumer: Consumer,
    /// Most messages one receive returns.
    pub batch_size: u32,
    /// Time a received message stays invisible before it returns.
    pub visibility_timeout: SimDuration,
    /// Receives after which a message goes to the dead-letter queue.
    pub max_receives: Option<u32>,
    /// Time SendMessage takes, as the producer sees it.
    pub send_latency: SimDuration,
    /// Most concurrent batches of a Lambda consumer (its maximum
    /// concurrency setting), below the event source's own limit.
    pub max_batches: u32,
    /// Prices and defaults.
    pub facts: Box<SqsFacts>,
    /// Where the prices come from.
    pub price_source: String,
}

/// CloudFront in front of an origin: an edge cache of objects.
#[derive(Debug, Clone)]
pub struct CloudFrontSpec {
    /// The origin: an alb, api_gateway, ec2 or lambda component.
    pub origin: ComponentId,
    /// Which object each cacheable request asks for.
    pub objects: Popularity,
    /// Time an object stays fresh at the edge.
    pub ttl: SimDuration,
    /// Bytes the edge keeps; objects beyond it are evicted (LRU).
    pub capacity_bytes: u64,
    /// Time the edge adds to each request.
    pub latency: SimDuration,
    /// Prices and defaults.
    pub facts: Box<CloudFrontFacts>,
    /// Where the prices come from.
    pub price_source: String,
}
