//! The validated data tier: ElastiCache clusters, what a database's
//! queries touch (keys), read replicas and their lag, and the connection
//! pools callers keep.

use std::sync::Arc;

use crate::billing::money::Money;
use crate::catalogue::{CacheEngine, CacheNodeType};
use crate::components::cache::Eviction;
use crate::engine::dist::Dist;
use crate::engine::keys::Popularity;
use crate::engine::random::Stream;
use crate::engine::time::SimDuration;

/// The keys a database's queries read and write.
#[derive(Debug, Clone, PartialEq)]
pub enum KeySpace {
    /// Keys drawn from a popularity over a key space.
    Drawn(Popularity),
    /// Keys replayed in order from a trace, one per access, from the start
    /// again when it runs out.
    Trace(Arc<KeyTrace>),
}

impl KeySpace {
    /// Number of distinct keys.
    pub fn distinct(&self) -> u64 {
        match self {
            KeySpace::Drawn(p) => p.count(),
            KeySpace::Trace(t) => t.distinct,
        }
    }
}

/// A key trace read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyTrace {
    /// The file, as the scenario names it.
    pub file: String,
    /// The keys, in access order.
    pub keys: Vec<u64>,
    /// Distinct keys in the trace.
    pub distinct: u64,
}

/// Sizes of cached items: a distribution of bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSize {
    /// The distribution, with bytes where a duration has nanoseconds.
    pub bytes: Dist,
}

impl ItemSize {
    /// The size of the item of `key`: fixed for a key, drawn from the
    /// distribution with a generator seeded by the key.
    pub fn of(&self, key: u64, seed: u64) -> u32 {
        match &self.bytes {
            Dist::Constant(d) => d.as_nanos().clamp(1, u64::from(u32::MAX)) as u32,
            dist => {
                let mut stream = Stream::new(seed ^ key, 0, "item-size");
                dist.sample(&mut stream).as_nanos().clamp(1, u64::from(u32::MAX)) as u32
            }
        }
    }

    /// The mean size in bytes.
    pub fn mean(&self) -> f64 {
        self.bytes.mean().as_nanos() as f64
    }

    /// The largest size in bytes, when it is bounded.
    pub fn max(&self) -> Option<u64> {
        match &self.bytes {
            Dist::Constant(d) => Some(d.as_nanos()),
            Dist::Uniform { max_ns, .. } => Some(*max_ns as u64),
            _ => None,
        }
    }
}

/// What a write does to the cache in front of the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WritePolicy {
    /// Cache-aside: the write deletes the key, and the next read fills it.
    Invalidate,
    /// Write-through: the write stores the new value in the cache.
    WriteThrough,
}

/// An ElastiCache cluster in front of a database (cache-aside).
#[derive(Debug, Clone)]
pub struct CacheSpec {
    /// The node type.
    pub node_type: CacheNodeType,
    /// The engine, which sets the price and the threads per node.
    pub engine: CacheEngine,
    /// Nodes; keys are spread over them by consistent hashing.
    pub nodes: u32,
    /// Bytes per node available for items, after the reserved share.
    pub usable_bytes_per_node: u64,
    /// Memory one item takes (key, value and overhead).
    pub item_size: ItemSize,
    /// Time to live of a stored item; `None`: items never expire.
    pub ttl: Option<SimDuration>,
    /// Which item makes room.
    pub eviction: Eviction,
    /// What a write does to the cache.
    pub write_policy: WritePolicy,
    /// Network round trip between a caller and a node.
    pub latency: SimDuration,
    /// Time a node thread spends on one operation.
    pub op_time: SimDuration,
    /// Operations a node serves at once: 1 for Redis OSS and Valkey (one
    /// thread runs commands), the vCPUs for Memcached.
    pub threads_per_node: u32,
    /// True when the run starts with each node holding the most popular
    /// keys it can.
    pub warm: bool,
    /// Availability Zones; node k is in zone k mod n.
    pub zones: Vec<String>,
    /// Price per node-hour.
    pub usd_per_hour: Money,
    /// Where the price comes from.
    pub price_source: String,
}

/// How reads pick a replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadRouting {
    /// Each replica with equal probability.
    Random,
    /// Each replica in turn.
    RoundRobin,
    /// The replica with the fewest queries in progress or waiting.
    LeastConnections,
}

/// What callers do while the primary is down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutageBehaviour {
    /// Queries to the primary fail at once (connection refused).
    Fail,
    /// Queries to the primary wait until it is back.
    Wait,
}

/// A caller's connection pool to each database instance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolSpec {
    /// Most connections one instance opens to one database instance.
    pub size: u32,
    /// How long a query waits for a free connection before failing;
    /// `None` waits for ever.
    pub wait_timeout: Option<SimDuration>,
    /// True when the pool opens all its connections as its application
    /// starts (HikariCP's default: minimumIdle = maximumPoolSize); false
    /// when it opens them as queries need them.
    pub prefill: bool,
}
