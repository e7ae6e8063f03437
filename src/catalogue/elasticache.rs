//! ElastiCache node types and node defaults: the validated form of
//! `elasticache.toml`.

use super::check::{positive_f64, positive_money, positive_u32};
use super::error::CatalogueError;
use super::files::FileText;
use super::raw::{RawCacheNode, RawElastiCacheFile};
use super::source::{Cited, SourceTable};
use crate::billing::money::Money;

/// A cache engine ElastiCache runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheEngine {
    /// Redis OSS.
    Redis,
    /// Valkey, priced below Redis OSS.
    Valkey,
    /// Memcached, at the Redis OSS rate.
    Memcached,
}

impl CacheEngine {
    /// The engine's name as scenarios write it.
    pub fn key(self) -> &'static str {
        match self {
            CacheEngine::Redis => "redis",
            CacheEngine::Valkey => "valkey",
            CacheEngine::Memcached => "memcached",
        }
    }
}

/// One ElastiCache node type, us-east-1, On-Demand.
#[derive(Debug, Clone, PartialEq)]
pub struct CacheNodeType {
    /// The type name, such as `cache.r7g.large`.
    pub name: String,
    /// vCPUs.
    pub vcpus: u32,
    /// The engine's maxmemory, in GiB.
    pub memory_gib: f64,
    /// Cites `vcpus` and `memory_gib`.
    pub spec: Cited,
    /// Price per node-hour for Redis OSS and Memcached.
    pub usd_per_hour_redis: Money,
    /// Price per node-hour for Valkey.
    pub usd_per_hour_valkey: Money,
    /// Cites both prices.
    pub price: Cited,
}

impl CacheNodeType {
    /// The price per node-hour for `engine`.
    pub fn usd_per_hour(&self, engine: CacheEngine) -> Money {
        match engine {
            CacheEngine::Valkey => self.usd_per_hour_valkey,
            CacheEngine::Redis | CacheEngine::Memcached => self.usd_per_hour_redis,
        }
    }
}

/// Node defaults that hold for every type.
#[derive(Debug, Clone, PartialEq)]
pub struct CacheDefaults {
    /// Percent of maxmemory Redis OSS and Valkey keep for non-data use.
    pub reserved_memory_percent: u32,
    /// Cites `reserved_memory_percent`.
    pub reserved: Cited,
    /// True when a partial node-hour is billed as a full hour.
    pub partial_hour_billed_as_full_hour: bool,
    /// Cites the billing rule.
    pub billing: Cited,
}

/// Everything `elasticache.toml` holds, checked.
pub(crate) struct ElastiCacheFacts {
    pub nodes: Vec<CacheNodeType>,
    pub defaults: CacheDefaults,
}

/// Checks and converts `elasticache.toml`. Node types keep the file's order.
pub(crate) fn build(
    raw: &RawElastiCacheFile,
    file: &FileText,
    sources: &SourceTable,
) -> Result<ElastiCacheFacts, CatalogueError> {
    let mut nodes: Vec<CacheNodeType> = Vec::with_capacity(raw.node.len());
    for node in &raw.node {
        if nodes.iter().any(|known| known.name == *node.name.get_ref()) {
            let message = format!("node type `{}` is listed twice", node.name.get_ref());
            return Err(file.error_at(Some(node.name.span()), message));
        }
        nodes.push(build_node(node, file, sources)?);
    }
    let percent = *raw.defaults.reserved_memory_percent.get_ref();
    if percent >= 100 {
        let message = format!("`reserved_memory_percent` = {percent}: must be below 100");
        return Err(file.error_at(Some(raw.defaults.reserved_memory_percent.span()), message));
    }
    Ok(ElastiCacheFacts {
        nodes,
        defaults: CacheDefaults {
            reserved_memory_percent: percent,
            reserved: sources.cite(&raw.defaults.reserved, file)?,
            partial_hour_billed_as_full_hour: raw.defaults.partial_hour_billed_as_full_hour,
            billing: sources.cite(&raw.defaults.billing, file)?,
        },
    })
}

fn build_node(
    raw: &RawCacheNode,
    file: &FileText,
    sources: &SourceTable,
) -> Result<CacheNodeType, CatalogueError> {
    let name = raw.name.get_ref();
    if !name.starts_with("cache.") {
        let hint =
            Some(format!("ElastiCache node types start with `cache.`, as in `cache.{name}`"));
        let message = format!("node type `{name}` does not start with `cache.`");
        return Err(file.error_with_hint(Some(raw.name.span()), message, hint));
    }
    Ok(CacheNodeType {
        name: name.clone(),
        vcpus: positive_u32(&raw.vcpus, "vcpus", file)?,
        memory_gib: positive_f64(&raw.memory_gib, "memory_gib", file)?,
        spec: sources.cite(&raw.spec, file)?,
        usd_per_hour_redis: positive_money(&raw.usd_per_hour_redis, "usd_per_hour_redis", file)?,
        usd_per_hour_valkey: positive_money(&raw.usd_per_hour_valkey, "usd_per_hour_valkey", file)?,
        price: sources.cite(&raw.price, file)?,
    })
}
