//! The front doors: a CloudFront distribution, whose edge cache answers
//! the requests for objects it holds fresh, and an API Gateway API, which
//! throttles by token bucket and times out slow integrations.
//!
//! CloudFront's hit ratio is not an input: it follows from the objects'
//! popularity, their TTL and the edge's capacity, with the cache of
//! `cache::store` (LRU). Assumption: one edge cache stands for all edge
//! locations (a real distribution has one per location, so its hit ratio
//! is lower for traffic spread over many of them).

use super::cache::{Eviction, Store};
use crate::engine::time::SimTime;
use crate::scenario::model::{ApiGatewaySpec, CloudFrontSpec};

/// Counts of a CloudFront distribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct EdgeCounts {
    /// Requests it received.
    pub requests: u64,
    /// Answered from the edge cache.
    pub hits: u64,
    /// Sent to the origin because the object was missing or stale.
    pub misses: u64,
    /// Sent to the origin because their class is not cacheable.
    pub uncacheable: u64,
    /// Bytes sent to clients.
    pub bytes_out: u64,
}

/// A CloudFront distribution during a run.
#[derive(Debug)]
pub struct Edge {
    /// The spec it was built from.
    pub spec: CloudFrontSpec,
    /// The edge cache.
    pub store: Store,
    /// Seeds which object each request asks for.
    pub object_seed: u64,
    /// Counts since the end of the warm-up.
    pub counts: EdgeCounts,
    /// Counts since the current window began.
    pub window: EdgeCounts,
}

impl Edge {
    /// An empty edge cache.
    pub fn new(spec: &CloudFrontSpec, object_seed: u64) -> Edge {
        Edge {
            spec: spec.clone(),
            store: Store::new(spec.capacity_bytes, Eviction::Lru, object_seed),
            object_seed,
            counts: EdgeCounts::default(),
            window: EdgeCounts::default(),
        }
    }

    /// The object request `seq` asks for.
    pub fn object_of(&self, seq: u64) -> u64 {
        self.spec.objects.key(self.object_seed, seq, u32::MAX)
    }

    /// Counts with `f` in the window and, when measured, the totals.
    pub fn count(&mut self, measured: bool, f: impl Fn(&mut EdgeCounts)) {
        f(&mut self.window);
        if measured {
            f(&mut self.counts);
        }
    }

    /// Looks `object` up at `now`: true when fresh in the cache.
    pub fn lookup(&mut self, object: u64, now: SimTime) -> bool {
        self.store.get(object, now)
    }

    /// Stores `object` of `bytes` after the origin answered at `now`.
    pub fn fill(&mut self, object: u64, bytes: u64, now: SimTime) {
        let bytes = bytes.clamp(1, u64::from(u32::MAX)) as u32;
        self.store.set(object, bytes, now + self.spec.ttl, now);
    }
}

/// Counts of an API Gateway API.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct GatewayCounts {
    /// Requests it received (throttled ones included: API Gateway bills
    /// only those it serves, see `served`).
    pub requests: u64,
    /// Requests it passed to its integration.
    pub served: u64,
    /// Refused with 429 by the throttle.
    pub throttled: u64,
    /// Answered 504 because the integration took longer than the timeout.
    pub timed_out: u64,
}

/// An API Gateway API during a run.
#[derive(Debug)]
pub struct Gateway {
    /// The spec it was built from.
    pub spec: ApiGatewaySpec,
    tokens: f64,
    last_refill: SimTime,
    /// Counts since the end of the warm-up.
    pub counts: GatewayCounts,
}

impl Gateway {
    /// An API with a full token bucket.
    pub fn new(spec: &ApiGatewaySpec) -> Gateway {
        Gateway {
            spec: spec.clone(),
            tokens: f64::from(spec.burst),
            last_refill: SimTime::ZERO,
            counts: GatewayCounts::default(),
        }
    }

    /// Takes a token for a request at `now`: false when the API throttles.
    ///
    /// AWS (API Gateway Developer Guide, throttling): a token bucket of
    /// `burst` tokens refilled at `rate_limit` per second; a request
    /// without a token gets 429 Too Many Requests.
    pub fn admit(&mut self, now: SimTime) -> bool {
        let earned = now.since(self.last_refill).as_secs_f64() * self.spec.rate_limit_per_s;
        self.tokens = (self.tokens + earned).min(f64::from(self.spec.burst));
        self.last_refill = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
