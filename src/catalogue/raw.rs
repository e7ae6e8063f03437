//! Serde structs that mirror the catalogue TOML files field for field.
//!
//! They only check shape and types; `deny_unknown_fields` turns a misspelt
//! key into an error instead of a silently ignored line. The fields that later
//! checks may reject are `Spanned`, so that the error can point at the line.
//! Nothing outside the catalogue sees these types.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::ec2::Architecture;
use super::elb::RoutingAlgorithm;
use super::source::Confidence;
use crate::billing::money::Money;

/// A citation as written: `{ source = "S1", also = ["S1b"], as_of = "…" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCite {
    pub source: Spanned<String>,
    #[serde(default)]
    pub also: Vec<Spanned<String>>,
    pub as_of: Spanned<String>,
    pub confidence: Option<Confidence>,
    pub note: Option<String>,
}

/// One `[KEY]` table of `sources.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSource {
    pub title: Spanned<String>,
    pub url: Option<String>,
    pub as_of: Spanned<String>,
    pub confidence: Confidence,
    pub note: Option<String>,
}

/// The whole of `sources.toml`: source key to source.
pub(crate) type RawSources = BTreeMap<String, RawSource>;

/// The whole of `ec2.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEc2File {
    pub family: BTreeMap<String, RawFamily>,
    pub instance: Vec<RawInstance>,
}

/// One `[family.NAME]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFamily {
    pub processor: Spanned<String>,
    pub architecture: Architecture,
    #[serde(default)]
    pub burstable: bool,
    pub hardware: RawCite,
    pub relative_speed: Spanned<f64>,
    pub speed: RawCite,
    pub surplus_usd_per_vcpu_hour: Option<Spanned<Money>>,
    pub surplus: Option<RawCite>,
}

/// One `[[instance]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInstance {
    pub name: Spanned<String>,
    pub vcpus: Spanned<u32>,
    pub memory_gib: Spanned<f64>,
    pub usd_per_hour: Spanned<Money>,
    pub price: RawCite,
    pub spec: RawCite,
    pub baseline_per_vcpu: Option<Spanned<f64>>,
    pub credits_per_hour: Option<Spanned<u32>>,
    pub max_credits: Option<Spanned<u32>>,
    pub credits: Option<RawCite>,
}

/// The whole of `elb.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawElbFile {
    pub alb: RawAlb,
}

/// The `[alb]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAlb {
    pub usd_per_hour: Spanned<Money>,
    pub usd_per_lcu_hour: Spanned<Money>,
    pub price: RawCite,
    pub partial_hour_billed_as_full_hour: bool,
    pub partial_hour: RawCite,
    pub lcu: RawLcu,
    pub defaults: RawAlbDefaults,
}

/// The `[alb.lcu]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLcu {
    pub new_connections_per_s: Spanned<f64>,
    pub active_connections_per_min: Spanned<f64>,
    pub processed_gb_per_hour_ec2: Spanned<f64>,
    pub processed_gb_per_hour_lambda: Spanned<f64>,
    pub rule_evaluations_per_s: Spanned<f64>,
    pub dimensions: RawCite,
    pub free_rules_per_request: u32,
    pub free_rules: RawCite,
}

/// The `[alb.defaults]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAlbDefaults {
    pub routing_algorithm: RoutingAlgorithm,
    pub deregistration_delay_s: u32,
    pub health_check_interval_s: Spanned<u32>,
    pub health_check_timeout_s: Spanned<u32>,
    pub healthy_threshold: Spanned<u32>,
    pub unhealthy_threshold: Spanned<u32>,
    pub idle_timeout_s: Spanned<u32>,
    pub cite: RawCite,
}

/// The whole of `rds.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRdsFile {
    pub storage: RawStorage,
    pub billing: RawBilling,
    pub max_connections: RawMaxConnections,
    pub class: Vec<RawClass>,
}

/// The `[storage]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStorage {
    pub gp3: RawGp3,
}

/// The `[storage.gp3]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGp3 {
    pub usd_per_gb_month: Spanned<Money>,
    pub price: RawCite,
    pub included_iops: Spanned<u32>,
    pub included_iops_large: Spanned<u32>,
    pub large_volume_from_gb: Spanned<u32>,
    pub included: RawCite,
    pub usd_per_iops_month: Spanned<Money>,
    pub extra_iops: RawCite,
}

/// The `[billing]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBilling {
    pub granularity_s: Spanned<u32>,
    pub minimum_s: u32,
    pub multi_az_instance_factor: Spanned<u32>,
    pub multi_az_storage_factor: Spanned<u32>,
    pub cite: RawCite,
}

/// The `[max_connections]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMaxConnections {
    pub mysql: RawMaxConnectionsRule,
    pub postgresql: RawMaxConnectionsRule,
}

/// One `[max_connections.ENGINE]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMaxConnectionsRule {
    pub formula: Spanned<String>,
    pub memory_divisor_bytes: Spanned<u64>,
    pub cap: Option<Spanned<u32>>,
    pub cite: RawCite,
}

/// One `[[class]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClass {
    pub name: Spanned<String>,
    pub vcpus: Spanned<u32>,
    pub memory_gib: Spanned<f64>,
    pub spec: RawCite,
    pub usd_per_hour_mysql: Option<Spanned<Money>>,
    pub price_mysql: Option<RawCite>,
    pub usd_per_hour_postgresql: Option<Spanned<Money>>,
    pub price_postgresql: Option<RawCite>,
}

/// The whole of `elasticache.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawElastiCacheFile {
    pub defaults: RawCacheDefaults,
    pub node: Vec<RawCacheNode>,
}

/// The `[defaults]` table of `elasticache.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCacheDefaults {
    pub reserved_memory_percent: Spanned<u32>,
    pub reserved: RawCite,
    pub partial_hour_billed_as_full_hour: bool,
    pub billing: RawCite,
}

/// One `[[node]]` table of `elasticache.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCacheNode {
    pub name: Spanned<String>,
    pub vcpus: Spanned<u32>,
    pub memory_gib: Spanned<f64>,
    pub spec: RawCite,
    pub usd_per_hour_redis: Spanned<Money>,
    pub usd_per_hour_valkey: Spanned<Money>,
    pub price: RawCite,
}

/// One price tier as written: `{ up_to = N, usd = "…" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTier {
    pub up_to: Option<Spanned<f64>>,
    pub usd: Spanned<Money>,
}

/// The whole of `serverless.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawServerlessFile {
    pub lambda: RawLambda,
    pub api_gateway: RawApiGateway,
    pub sqs: RawSqs,
}

/// The `[lambda]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLambda {
    pub usd_per_million_requests: Spanned<Money>,
    pub requests: RawCite,
    pub x86_64_tiers: Spanned<Vec<RawTier>>,
    pub arm64_tiers: Spanned<Vec<RawTier>>,
    pub duration: RawCite,
    pub x86_64_provisioned_usd_per_gb_s: Spanned<Money>,
    pub x86_64_provisioned_duration_usd_per_gb_s: Spanned<Money>,
    pub arm64_provisioned_usd_per_gb_s: Spanned<Money>,
    pub arm64_provisioned_duration_usd_per_gb_s: Spanned<Money>,
    pub provisioned_metering_s: Spanned<u32>,
    pub provisioned: RawCite,
    pub free_requests: u64,
    pub free_gb_s: u64,
    pub free_tier: RawCite,
    pub memory_min_mb: Spanned<u32>,
    pub memory_max_mb: Spanned<u32>,
    pub memory_default_mb: Spanned<u32>,
    pub mb_per_vcpu: Spanned<u32>,
    pub timeout_default_s: Spanned<u32>,
    pub timeout_max_s: Spanned<u32>,
    pub account_concurrency: Spanned<u32>,
    pub unreserved_minimum: u32,
    pub scaling_environments_per_10s: Spanned<u32>,
    pub limits: RawCite,
    pub init_ms: BTreeMap<String, RawInitRange>,
    pub init_cite: RawCite,
}

/// One runtime's cold-start range, ms, by architecture.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInitRange {
    pub x86_64: [u32; 2],
    pub arm64: [u32; 2],
}

/// The `[api_gateway]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawApiGateway {
    pub http_tiers: Spanned<Vec<RawTier>>,
    pub rest_tiers: Spanned<Vec<RawTier>>,
    pub price: RawCite,
    pub throttle_rate_per_s: Spanned<u32>,
    pub throttle_burst: Spanned<u32>,
    pub http_timeout_s: Spanned<u32>,
    pub rest_timeout_s: Spanned<u32>,
    pub limits: RawCite,
}

/// The `[sqs]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSqs {
    pub standard_tiers: Spanned<Vec<RawTier>>,
    pub price: RawCite,
    pub free_requests: u64,
    pub chunk_bytes: Spanned<u32>,
    pub billing: RawCite,
    pub visibility_timeout_default_s: Spanned<u32>,
    pub long_poll_s: Spanned<u32>,
    pub batch_max: Spanned<u32>,
    pub defaults: RawCite,
    pub esm_initial_batches: Spanned<u32>,
    pub esm_batches_per_minute: Spanned<u32>,
    pub esm_max_batches: Spanned<u32>,
    pub esm: RawCite,
    pub max_message_bytes: Spanned<u32>,
    pub max_in_flight: Spanned<u32>,
    pub quotas: RawCite,
}

/// The whole of `network.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNetworkFile {
    pub cloudfront: RawCloudFront,
    pub data_transfer: RawDataTransfer,
}

/// The `[cloudfront]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCloudFront {
    pub usd_per_10k_https_requests: Spanned<Money>,
    pub requests: RawCite,
    pub out_tiers: Spanned<Vec<RawTier>>,
    pub out: RawCite,
    pub free_gb: u64,
    pub free_requests: u64,
    pub free_tier: RawCite,
    pub default_ttl_s: Spanned<u32>,
    pub ttl: RawCite,
}

/// The `[data_transfer]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDataTransfer {
    pub internet_out_tiers: Spanned<Vec<RawTier>>,
    pub internet_out: RawCite,
    pub free_gb: u64,
    pub free_tier: RawCite,
    pub usd_per_gb_cross_az_each_way: Spanned<Money>,
    pub cross_az: RawCite,
    pub alb_cross_zone_free: bool,
    pub alb_cross_zone: RawCite,
}
