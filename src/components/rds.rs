//! An RDS database during a run: a primary and read replicas, each a
//! multi-server queue with one server per vCPU of its class, with the
//! connections callers hold, replication lag, and failure of the primary.
//!
//! Writes go to the primary; reads go to a replica chosen by the routing
//! rule, or to the primary when there is none. A write's change reaches
//! the replicas after a lag drawn per write; a read on a replica of a key
//! whose latest write is not visible there yet is stale.
//!
//! Assumptions: a query holds one vCPU for its query time. Every replica
//! applies a write after the same lag (they replay one change stream), and
//! a replica's later writes never become visible before its earlier ones.
//!
//! Failure (AWS RDS User Guide, Multi-AZ deployments and read replicas):
//! when the primary fails its connections drop and its queries fail. A
//! Multi-AZ standby takes over after the failover time (AWS: typically 60 to
//! 120 seconds) and billing goes on; without a standby, a replica is
//! promoted to be the new primary (the failed instance stops billing), or,
//! with no replica, the instance recovers in place.

use std::collections::VecDeque;

use super::ReqId;
use super::pool::ServerPool;
use crate::engine::keys::KeyMap;
use crate::engine::random::Stream;
use crate::engine::time::SimTime;
use crate::scenario::model::{RdsSpec, ReadRouting};

/// What an instance does now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Takes writes and, with no replica, reads.
    Primary,
    /// Takes reads.
    Replica,
    /// Failed, waiting for failover or recovery.
    Down,
    /// Gone for good (a failed primary whose replica was promoted).
    Gone,
}

/// Query counts of one instance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DbCounts {
    /// Reads served.
    pub reads: u64,
    /// Writes served.
    pub writes: u64,
    /// Reads of a key whose latest write was not yet visible here.
    pub stale_reads: u64,
    /// New connections refused at `max_connections`.
    pub refused_connections: u64,
    /// Queries cut off by a failure.
    pub failed_queries: u64,
}

/// One instance of a database.
#[derive(Debug)]
pub struct DbInstance {
    /// `db` for the primary, `db.replica-N` for replicas.
    pub name: String,
    /// vCPUs and their queue.
    pub pool: ServerPool,
    /// What it does now.
    pub role: Role,
    /// Bumped at each failure, so that a query cut off by it is known when
    /// its end event fires.
    pub epoch: u32,
    /// Connections callers hold open to it.
    pub connections: u32,
    /// Connections it accepts.
    pub max_connections: u32,
    /// Most connections open at once since the end of the warm-up.
    pub peak_connections: u32,
    /// Counts since the end of the warm-up.
    pub counts: DbCounts,
    /// Counts since the current window began.
    pub window: DbCounts,
    /// When billing stopped, if it did.
    pub billed_until: Option<SimTime>,
    /// Its Availability Zone (an index into the run's zone names).
    pub zone: u8,
}

impl DbInstance {
    /// True when a new connection fits; counts it if so.
    pub fn try_connect(&mut self) -> bool {
        if self.role == Role::Down || self.role == Role::Gone {
            return false;
        }
        if self.connections >= self.max_connections {
            self.counts.refused_connections += 1;
            self.window.refused_connections += 1;
            return false;
        }
        self.connections += 1;
        self.peak_connections = self.peak_connections.max(self.connections);
        true
    }

    /// True when it serves queries now.
    pub fn is_up(&self) -> bool {
        matches!(self.role, Role::Primary | Role::Replica)
    }
}

/// A database during a run.
#[derive(Debug)]
pub struct Database {
    /// The spec it was built from.
    pub spec: RdsSpec,
    /// The primary first, then the replicas.
    pub instances: Vec<DbInstance>,
    /// Next replica for round robin.
    cursor: usize,
    /// When each recently written key becomes visible on the replicas.
    visible_at: KeyMap<SimTime>,
    /// Draws replication lags.
    pub lag_stream: Stream,
    /// Draws random read routing.
    pub routing_stream: Stream,
    /// Queries waiting for a primary during an outage (`during_outage =
    /// "wait"`), with the instance they want (its index).
    pub held: VecDeque<ReqId>,
    /// Next access of a key trace.
    pub trace_cursor: usize,
}

impl Database {
    /// A database built from its spec, with its streams.
    pub fn new(
        spec: &RdsSpec,
        name: &str,
        zones: &[u8],
        lag_stream: Stream,
        routing_stream: Stream,
    ) -> Database {
        let instance = |name: String, role, k: usize| DbInstance {
            name,
            pool: ServerPool::new(spec.class.vcpus, u32::MAX),
            role,
            epoch: 0,
            connections: 0,
            max_connections: spec.max_connections,
            peak_connections: 0,
            counts: DbCounts::default(),
            window: DbCounts::default(),
            billed_until: None,
            zone: zones[k % zones.len()],
        };
        let mut instances = vec![instance(name.to_string(), Role::Primary, 0)];
        for r in 1..=spec.replicas {
            let k = r as usize;
            instances.push(instance(format!("{name}.replica-{r}"), Role::Replica, k));
        }
        Database {
            spec: spec.clone(),
            instances,
            cursor: 0,
            visible_at: KeyMap::default(),
            lag_stream,
            routing_stream,
            held: VecDeque::new(),
            trace_cursor: 0,
        }
    }

    /// The primary's index, when one serves.
    pub fn primary(&self) -> Option<usize> {
        self.instances.iter().position(|i| i.role == Role::Primary)
    }

    /// The instance a read goes to: a replica by the routing rule, or the
    /// primary when no replica serves; `None` when nothing serves.
    pub fn read_target(&mut self) -> Option<usize> {
        let replicas = self.instances.iter().filter(|i| i.role == Role::Replica).count();
        if replicas == 0 {
            return self.primary();
        }
        let nth = |db: &Database, n: usize| {
            db.instances
                .iter()
                .enumerate()
                .filter(|(_, i)| i.role == Role::Replica)
                .nth(n)
                .map(|(k, _)| k)
                .expect("n is below the replica count")
        };
        let pick = match self.spec.read_routing {
            ReadRouting::Random => self.routing_stream.below(replicas as u64) as usize,
            ReadRouting::RoundRobin => {
                let k = self.cursor % replicas;
                self.cursor = k + 1;
                k
            }
            ReadRouting::LeastConnections => {
                let start = self.cursor % replicas;
                self.cursor = start + 1;
                let load = |k: usize| {
                    let pool = &self.instances[nth(self, k)].pool;
                    pool.busy() as usize + pool.queued()
                };
                (0..replicas).map(|k| (start + k) % replicas).min_by_key(|&k| load(k)).unwrap_or(0)
            }
        };
        Some(nth(self, pick))
    }

    /// Records a write of `key` at `now`: the replicas see it after a drawn
    /// lag.
    pub fn record_write(&mut self, key: u64, now: SimTime) {
        if self.spec.replicas == 0 {
            return;
        }
        let visible = now + self.spec.replication_lag.sample(&mut self.lag_stream);
        let at = self.visible_at.entry(key).or_insert(visible);
        *at = (*at).max(visible);
    }

    /// True when a read of `key` on a replica at `now` misses the key's
    /// latest write.
    pub fn is_stale(&self, key: u64, now: SimTime) -> bool {
        self.visible_at.get(&key).is_some_and(|&at| now < at)
    }

    /// Forgets writes already visible everywhere, so that memory follows
    /// the writes within one lag, not all writes ever made.
    pub fn prune(&mut self, now: SimTime) {
        self.visible_at.retain(|_, at| *at > now);
    }
}
