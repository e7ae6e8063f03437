//! Lambda, API Gateway and SQS facts: the validated form of
//! `serverless.toml`.

use super::check::{positive_money, positive_u32};
use super::error::CatalogueError;
use super::files::FileText;
use super::raw::{RawApiGateway, RawLambda, RawServerlessFile, RawSqs};
use super::source::{Cited, SourceTable};
use super::tiers::{self, Tiers};
use crate::billing::money::Money;

/// A Lambda instruction set, which sets the duration prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LambdaArch {
    /// x86_64, AWS's default.
    X86_64,
    /// arm64 (Graviton).
    Arm64,
}

/// Lambda prices, free tier, limits and cold-start times.
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaFacts {
    /// Price per million requests.
    pub usd_per_million_requests: Money,
    /// Cites the request price.
    pub requests: Cited,
    /// Duration price tiers per GB-second, x86_64.
    pub x86_64_tiers: Tiers,
    /// Duration price tiers per GB-second, arm64.
    pub arm64_tiers: Tiers,
    /// Cites the duration prices.
    pub duration: Cited,
    /// Provisioned concurrency per configured GB-second, and its duration
    /// price per GB-second: (x86_64, arm64).
    pub provisioned: [(Money, Money); 2],
    /// Provisioned concurrency is metered in steps of this many seconds.
    pub provisioned_metering_s: u32,
    /// Cites the provisioned prices.
    pub provisioned_cite: Cited,
    /// Free requests per month.
    pub free_requests: u64,
    /// Free GB-seconds per month.
    pub free_gb_s: u64,
    /// Cites the free tier.
    pub free_tier: Cited,
    /// Memory limits and default, MB.
    pub memory_mb: (u32, u32, u32),
    /// Memory that buys one full vCPU, MB.
    pub mb_per_vcpu: u32,
    /// Default and longest timeout, s.
    pub timeout_s: (u32, u32),
    /// Concurrent executions per account and region.
    pub account_concurrency: u32,
    /// Concurrency that reserved concurrency must leave to other functions.
    pub unreserved_minimum: u32,
    /// New execution environments a function may add per 10 seconds.
    pub scaling_per_10s: u32,
    /// Cites the limits.
    pub limits: Cited,
    /// Cold-start ranges by runtime.
    pub init_ms: Vec<InitRange>,
    /// Cites the cold-start ranges.
    pub init: Cited,
}

impl LambdaFacts {
    /// Duration tiers for `arch`.
    pub fn tiers(&self, arch: LambdaArch) -> &Tiers {
        match arch {
            LambdaArch::X86_64 => &self.x86_64_tiers,
            LambdaArch::Arm64 => &self.arm64_tiers,
        }
    }

    /// Provisioned prices for `arch`: (per configured GB-s, per GB-s of
    /// duration).
    pub fn provisioned_prices(&self, arch: LambdaArch) -> (Money, Money) {
        match arch {
            LambdaArch::X86_64 => self.provisioned[0],
            LambdaArch::Arm64 => self.provisioned[1],
        }
    }
}

/// A runtime's typical cold-start (init) duration, as a range in ms.
#[derive(Debug, Clone, PartialEq)]
pub struct InitRange {
    /// The runtime, such as `python`.
    pub runtime: String,
    /// Lowest and highest p50 on x86_64, ms.
    pub x86_64: (u32, u32),
    /// Lowest and highest p50 on arm64, ms.
    pub arm64: (u32, u32),
}

/// API Gateway prices and limits.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiGatewayFacts {
    /// HTTP API price tiers, per million requests.
    pub http_tiers: Tiers,
    /// REST API price tiers, per million requests.
    pub rest_tiers: Tiers,
    /// Cites the prices.
    pub price: Cited,
    /// Steady requests per second the account may send.
    pub throttle_rate_per_s: u32,
    /// Token bucket size.
    pub throttle_burst: u32,
    /// Integration timeouts, s: (HTTP, REST).
    pub timeout_s: (u32, u32),
    /// Cites the limits.
    pub limits: Cited,
}

/// SQS prices and defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct SqsFacts {
    /// Standard-queue price tiers, per million requests.
    pub standard_tiers: Tiers,
    /// Cites the prices.
    pub price: Cited,
    /// Free requests per month.
    pub free_requests: u64,
    /// Bytes of payload billed as one request.
    pub chunk_bytes: u32,
    /// Cites the billing rules.
    pub billing: Cited,
    /// Default visibility timeout, s.
    pub visibility_timeout_s: u32,
    /// Longest long poll, s.
    pub long_poll_s: u32,
    /// Most messages one receive returns.
    pub batch_max: u32,
    /// Cites the defaults.
    pub defaults: Cited,
    /// Lambda's SQS event source: batches at first, added per minute, most.
    pub esm: (u32, u32, u32),
    /// Cites the event source scaling.
    pub esm_cite: Cited,
    /// Largest message a queue accepts, bytes.
    pub max_message_bytes: u32,
    /// Most messages of a standard queue received and not yet deleted: a
    /// receive beyond it gets nothing.
    pub max_in_flight: u32,
    /// Cites the quotas.
    pub quotas: Cited,
}

/// Everything `serverless.toml` holds, checked.
pub(crate) struct ServerlessFacts {
    pub lambda: LambdaFacts,
    pub api_gateway: ApiGatewayFacts,
    pub sqs: SqsFacts,
}

/// Checks and converts `serverless.toml`.
pub(crate) fn build(
    raw: &RawServerlessFile,
    file: &FileText,
    sources: &SourceTable,
) -> Result<ServerlessFacts, CatalogueError> {
    Ok(ServerlessFacts {
        lambda: lambda(&raw.lambda, file, sources)?,
        api_gateway: api_gateway(&raw.api_gateway, file, sources)?,
        sqs: sqs(&raw.sqs, file, sources)?,
    })
}

fn lambda(
    raw: &RawLambda,
    file: &FileText,
    sources: &SourceTable,
) -> Result<LambdaFacts, CatalogueError> {
    let money = |v, name| positive_money(v, name, file);
    let count = |v, name| positive_u32(v, name, file);
    let memory = (
        count(&raw.memory_min_mb, "memory_min_mb")?,
        count(&raw.memory_max_mb, "memory_max_mb")?,
        count(&raw.memory_default_mb, "memory_default_mb")?,
    );
    if !(memory.0 <= memory.2 && memory.2 <= memory.1) {
        let message = "memory_default_mb must lie between memory_min_mb and memory_max_mb";
        return Err(file.error_at(Some(raw.memory_default_mb.span()), message));
    }
    let mut init_ms = Vec::new();
    for (runtime, range) in &raw.init_ms {
        for (lo, hi) in [range.x86_64, range.arm64].map(|[lo, hi]| (lo, hi)) {
            if lo == 0 || lo > hi {
                let message =
                    format!("init_ms.{runtime}: a range [low, high] with 0 < low <= high");
                return Err(file.error_at(None, message));
            }
        }
        init_ms.push(InitRange {
            runtime: runtime.clone(),
            x86_64: (range.x86_64[0], range.x86_64[1]),
            arm64: (range.arm64[0], range.arm64[1]),
        });
    }
    Ok(LambdaFacts {
        usd_per_million_requests: money(&raw.usd_per_million_requests, "usd_per_million_requests")?,
        requests: sources.cite(&raw.requests, file)?,
        x86_64_tiers: tiers::build(&raw.x86_64_tiers, "x86_64_tiers", file)?,
        arm64_tiers: tiers::build(&raw.arm64_tiers, "arm64_tiers", file)?,
        duration: sources.cite(&raw.duration, file)?,
        provisioned: [
            (
                money(&raw.x86_64_provisioned_usd_per_gb_s, "x86_64_provisioned_usd_per_gb_s")?,
                money(
                    &raw.x86_64_provisioned_duration_usd_per_gb_s,
                    "x86_64_provisioned_duration_usd_per_gb_s",
                )?,
            ),
            (
                money(&raw.arm64_provisioned_usd_per_gb_s, "arm64_provisioned_usd_per_gb_s")?,
                money(
                    &raw.arm64_provisioned_duration_usd_per_gb_s,
                    "arm64_provisioned_duration_usd_per_gb_s",
                )?,
            ),
        ],
        provisioned_metering_s: count(&raw.provisioned_metering_s, "provisioned_metering_s")?,
        provisioned_cite: sources.cite(&raw.provisioned, file)?,
        free_requests: raw.free_requests,
        free_gb_s: raw.free_gb_s,
        free_tier: sources.cite(&raw.free_tier, file)?,
        memory_mb: memory,
        mb_per_vcpu: count(&raw.mb_per_vcpu, "mb_per_vcpu")?,
        timeout_s: (
            count(&raw.timeout_default_s, "timeout_default_s")?,
            count(&raw.timeout_max_s, "timeout_max_s")?,
        ),
        account_concurrency: count(&raw.account_concurrency, "account_concurrency")?,
        unreserved_minimum: raw.unreserved_minimum,
        scaling_per_10s: count(&raw.scaling_environments_per_10s, "scaling_environments_per_10s")?,
        limits: sources.cite(&raw.limits, file)?,
        init_ms,
        init: sources.cite(&raw.init_cite, file)?,
    })
}

fn api_gateway(
    raw: &RawApiGateway,
    file: &FileText,
    sources: &SourceTable,
) -> Result<ApiGatewayFacts, CatalogueError> {
    let count = |v, name| positive_u32(v, name, file);
    Ok(ApiGatewayFacts {
        http_tiers: tiers::build(&raw.http_tiers, "http_tiers", file)?,
        rest_tiers: tiers::build(&raw.rest_tiers, "rest_tiers", file)?,
        price: sources.cite(&raw.price, file)?,
        throttle_rate_per_s: count(&raw.throttle_rate_per_s, "throttle_rate_per_s")?,
        throttle_burst: count(&raw.throttle_burst, "throttle_burst")?,
        timeout_s: (
            count(&raw.http_timeout_s, "http_timeout_s")?,
            count(&raw.rest_timeout_s, "rest_timeout_s")?,
        ),
        limits: sources.cite(&raw.limits, file)?,
    })
}

fn sqs(raw: &RawSqs, file: &FileText, sources: &SourceTable) -> Result<SqsFacts, CatalogueError> {
    let count = |v, name| positive_u32(v, name, file);
    Ok(SqsFacts {
        standard_tiers: tiers::build(&raw.standard_tiers, "standard_tiers", file)?,
        price: sources.cite(&raw.price, file)?,
        free_requests: raw.free_requests,
        chunk_bytes: count(&raw.chunk_bytes, "chunk_bytes")?,
        billing: sources.cite(&raw.billing, file)?,
        visibility_timeout_s: count(
            &raw.visibility_timeout_default_s,
            "visibility_timeout_default_s",
        )?,
        long_poll_s: count(&raw.long_poll_s, "long_poll_s")?,
        batch_max: count(&raw.batch_max, "batch_max")?,
        defaults: sources.cite(&raw.defaults, file)?,
        esm: (
            count(&raw.esm_initial_batches, "esm_initial_batches")?,
            count(&raw.esm_batches_per_minute, "esm_batches_per_minute")?,
            count(&raw.esm_max_batches, "esm_max_batches")?,
        ),
        esm_cite: sources.cite(&raw.esm, file)?,
        max_message_bytes: count(&raw.max_message_bytes, "max_message_bytes")?,
        max_in_flight: count(&raw.max_in_flight, "max_in_flight")?,
        quotas: sources.cite(&raw.quotas, file)?,
    })
}
