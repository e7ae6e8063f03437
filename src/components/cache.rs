//! An ElastiCache cluster: nodes that hold items in their usable memory,
//! keys spread over the nodes by consistent hashing, and a per-node
//! throughput limit.
//!
//! The hit ratio is never an input: it follows from the key popularity,
//! the item size, the memory of the nodes, the TTL and the eviction policy.
//! Each node serves its operations first come, first served on its threads
//! (one for Redis OSS and Valkey, whose commands run on one thread; one per
//! vCPU for Memcached), each operation taking `op_time`, after the network
//! round trip from the caller.
//!
//! Assumption: the round trip is paid before the node's queue, not split
//! around it; the response time is the same, and the queue order differs
//! only between requests that arrive within one round trip of each other.

pub mod ring;
pub mod store;

pub use ring::Ring;
pub use store::{Eviction, Store, Stored};

use super::booked::BookedServers;
use crate::engine::keys::Popularity;
use crate::engine::random::Stream;
use crate::engine::time::{SimDuration, SimTime};
use crate::scenario::model::CacheSpec;

/// One node during a run.
#[derive(Debug)]
pub struct CacheNode {
    /// Its items.
    pub store: Store,
    /// Its threads, booked FCFS at `op_time` an operation.
    pub pool: BookedServers,
    /// Lost and not yet replaced: its keys go to the other nodes.
    pub down: bool,
    /// Bumped at each loss, so that an operation cut off by it is known
    /// when its end event fires.
    pub epoch: u32,
    /// Its Availability Zone (an index into the run's zone names).
    pub zone: u8,
}

/// Operation counts of a cluster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CacheCounts {
    /// Reads.
    pub gets: u64,
    /// Reads that found their key.
    pub hits: u64,
    /// Writes (fills after a miss, and write-through writes).
    pub sets: u64,
    /// Writes refused for lack of room (`noeviction`) or too big for a node.
    pub refused_sets: u64,
    /// Invalidations.
    pub deletes: u64,
    /// Items evicted to make room.
    pub evictions: u64,
    /// Items found expired.
    pub expirations: u64,
    /// Reads that found no node up, or whose node was lost under them:
    /// counted as misses.
    pub unavailable: u64,
}

impl CacheCounts {
    /// Hits over reads; `None` with no reads.
    pub fn hit_ratio(&self) -> Option<f64> {
        (self.gets > 0).then(|| self.hits as f64 / self.gets as f64)
    }

    fn add(&mut self, other: &CacheCounts) {
        self.gets += other.gets;
        self.hits += other.hits;
        self.sets += other.sets;
        self.refused_sets += other.refused_sets;
        self.deletes += other.deletes;
        self.evictions += other.evictions;
        self.expirations += other.expirations;
        self.unavailable += other.unavailable;
    }
}

/// A cluster during a run.
#[derive(Debug)]
pub struct Cache {
    /// The spec it was built from.
    pub spec: CacheSpec,
    /// The nodes.
    pub nodes: Vec<CacheNode>,
    ring: Ring,
    /// Seeds item sizes.
    size_seed: u64,
    /// Counts since the current window began.
    pub window: CacheCounts,
    /// Counts since the end of the warm-up.
    pub totals: CacheCounts,
}

impl Cache {
    /// An empty cluster; `seed` drives random eviction and item sizes.
    pub fn new(spec: &CacheSpec, seed: u64, zones: &[u8]) -> Cache {
        let nodes = (0..spec.nodes)
            .map(|n| CacheNode {
                store: Store::new(
                    spec.usable_bytes_per_node,
                    spec.eviction,
                    seed ^ u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                ),
                pool: BookedServers::new(spec.threads_per_node),
                down: false,
                epoch: 0,
                zone: zones[n as usize % zones.len()],
            })
            .collect();
        Cache {
            spec: spec.clone(),
            nodes,
            ring: Ring::new(spec.nodes),
            size_seed: seed.rotate_left(13),
            window: CacheCounts::default(),
            totals: CacheCounts::default(),
        }
    }

    /// The node that serves `key` now; `None` when every node is down.
    #[inline]
    pub fn node_of(&self, key: u64) -> Option<u32> {
        if self.nodes.len() == 1 {
            return (!self.nodes[0].down).then_some(0);
        }
        self.ring.node_of(key, |n| self.nodes[n as usize].down)
    }

    /// Fills each node with the most popular of its keys, as a cache that
    /// has run long under the same load would hold. With a TTL, each item
    /// was set at a random instant of the last TTL, so the warm items
    /// expire spread over the first TTL of the run rather than all at once.
    pub fn warm(&mut self, popularity: &Popularity) {
        let mut full = vec![false; self.nodes.len()];
        for key in 0..popularity.count() {
            if full.iter().all(|&f| f) {
                break;
            }
            let Some(node) = self.node_of(key) else { return };
            let n = node as usize;
            if full[n] {
                continue;
            }
            let bytes = self.spec.item_size.of(key, self.size_seed);
            let store = &mut self.nodes[n].store;
            if store.used_bytes() + u64::from(bytes) > store.capacity_bytes() {
                full[n] = true;
                continue;
            }
            let expires = match self.spec.ttl {
                None => SimTime(u64::MAX),
                Some(ttl) => {
                    let left = Stream::new(self.size_seed ^ key, 0, "warm-age").uniform_open0();
                    SimTime::ZERO + SimDuration::from_nanos_f64(ttl.as_nanos() as f64 * left)
                }
            };
            store.set(key, bytes, expires, SimTime::ZERO);
        }
    }

    /// The bytes of `key`'s item.
    pub fn item_bytes(&self, key: u64) -> u64 {
        u64::from(self.spec.item_size.of(key, self.size_seed))
    }

    /// A read of `key` on `node`: true on a hit.
    pub fn get(&mut self, node: u32, key: u64, now: SimTime, measured: bool) -> bool {
        let hit = self.nodes[node as usize].store.get(key, now);
        if measured {
            self.window.gets += 1;
            self.window.hits += u64::from(hit);
        }
        hit
    }

    /// A write of `key` on `node`, expiring after the TTL.
    pub fn set(&mut self, node: u32, key: u64, now: SimTime, measured: bool) {
        let bytes = self.spec.item_size.of(key, self.size_seed);
        let expires = self.spec.ttl.map_or(SimTime(u64::MAX), |ttl| now + ttl);
        let stored = self.nodes[node as usize].store.set(key, bytes, expires, now);
        if measured {
            self.window.sets += 1;
            self.window.refused_sets += u64::from(stored == Stored::Refused);
        }
    }

    /// Deletes `key` on `node`.
    pub fn delete(&mut self, node: u32, key: u64, measured: bool) {
        self.nodes[node as usize].store.remove(key);
        if measured {
            self.window.deletes += 1;
        }
    }

    /// A read that found no node to ask.
    pub fn unavailable(&mut self, measured: bool) {
        if measured {
            self.window.gets += 1;
            self.window.unavailable += 1;
        }
    }

    /// Loses node `node` with its items.
    pub fn lose_node(&mut self, node: u32) {
        let node = &mut self.nodes[node as usize];
        node.store.clear();
        node.down = true;
        node.epoch += 1;
    }

    /// Drops every item of every node.
    pub fn flush(&mut self) {
        for node in &mut self.nodes {
            node.store.clear();
        }
    }

    /// Bytes held over all nodes.
    pub fn used_bytes(&self) -> u64 {
        self.nodes.iter().map(|n| n.store.used_bytes()).sum()
    }

    /// Items held over all nodes.
    pub fn items(&self) -> u64 {
        self.nodes.iter().map(|n| n.store.len() as u64).sum()
    }

    /// Usable bytes over the nodes that are up.
    pub fn capacity_bytes(&self) -> u64 {
        self.nodes.iter().filter(|n| !n.down).map(|n| n.store.capacity_bytes()).sum()
    }

    /// Closes the current window: takes the stores' eviction counters into
    /// the counts and returns the window's counts.
    pub fn close_window(&mut self, measured: bool) -> CacheCounts {
        for node in &mut self.nodes {
            self.window.evictions += std::mem::take(&mut node.store.evictions);
            self.window.expirations += std::mem::take(&mut node.store.expirations);
        }
        let window = std::mem::take(&mut self.window);
        if measured {
            self.totals.add(&window);
        }
        window
    }
}
