//! The loop's side of the data tier: a request's data accesses after its
//! CPU burst — cache-aside reads through ElastiCache, queries on the primary
//! or a replica through the instance's connection pool — and the faults
//! that hit caches and databases.
//!
//! A read with a cache in front asks the key's node; a hit ends the
//! access, a miss reads the database and then fills the cache. A write goes
//! to the primary and then invalidates the key in the cache, or stores it
//! there (write-through). Every step holds the request's worker slot on its
//! instance, and a query also holds one of the instance's connections to
//! the database instance for its duration.

use super::arena::Phase;
use super::clients::Failure;
use super::{Event, Simulation};
use crate::components::ReqId;
use crate::components::connections::Acquired;
use crate::components::connections::PoolCounts;
use crate::components::pool::Admission;
use crate::components::rds::Role;
use crate::scenario::model::{OutageBehaviour, QueryKind, WritePolicy};
use crate::sim::result::{CacheStats, DbInstanceStats, PoolStats};
use crate::stats::window::{CacheWindow, DbWindow};

impl Simulation<'_> {
    /// After the CPU burst, or an access: the request's next data access,
    /// or its answer when none is left.
    pub(super) fn next_access(&mut self, req: ReqId) {
        let request = self.requests.get_mut(req);
        let class = request.class as usize;
        let Some(plan) = &self.runtime.classes[class].db else {
            self.leave_instance(req);
            return;
        };
        if request.queries_left == 0 {
            self.leave_instance(req);
            return;
        }
        request.queries_left -= 1;
        let access = u32::from(self.runtime.classes[class].queries - request.queries_left - 1);
        let (kind, seq) = (plan.kind, request.seq);
        let key = self.runtime.draw_key(class as u16, seq, access);
        let request = self.requests.get_mut(req);
        request.key = key;
        let fleet = request.at as usize;
        match kind {
            QueryKind::Read if self.runtime.fleet_cache[fleet].is_some() => {
                self.cache_access(req, Phase::CacheGet)
            }
            QueryKind::Read => self.db_access(req, Phase::DbRead),
            QueryKind::Write => self.db_access(req, Phase::DbWrite),
        }
    }

    /// Sends one cache operation for the request's key to its node.
    fn cache_access(&mut self, req: ReqId, phase: Phase) {
        let request = self.requests.get_mut(req);
        let c = self.runtime.fleet_cache[request.at as usize].expect("the fleet has a cache");
        let cache = &mut self.runtime.caches[c];
        request.phase = phase;
        match cache.node_of(request.key) {
            Some(node) => {
                // The node's queue is FCFS with a fixed operation time, so
                // the operation's end is known now; the round trip is
                // added after it (the same as before it, every operation
                // having the same round trip).
                request.remote = node as u16;
                let host = &mut cache.nodes[node as usize];
                let epoch = host.epoch;
                let at = host.pool.book(self.now, cache.spec.op_time) + cache.spec.latency;
                self.events.schedule(at, Event::CacheDone { req, cache: c as u32, epoch });
            }
            None => {
                // Every node is down: a read is a miss, a write has nothing
                // to update.
                let measured = request.measured;
                if phase == Phase::CacheGet {
                    cache.unavailable(measured);
                    self.db_access(req, Phase::DbRead);
                } else {
                    self.next_access(req);
                }
            }
        }
    }

    /// A cache node has served the request's operation (or was lost under
    /// it, when `epoch` is old).
    pub(super) fn on_cache_done(&mut self, req: ReqId, c: usize, epoch: u32) {
        let node = self.requests.get(req).remote as usize;
        let intact = self.runtime.caches[c].nodes[node].epoch == epoch;
        if self.requests.get(req).killed {
            self.drop_killed(req);
            return;
        }
        self.cache_result(req, c, intact);
    }

    /// Carries out the request's cache operation on its node (unless the
    /// node was lost) and moves the request on.
    fn cache_result(&mut self, req: ReqId, c: usize, node_intact: bool) {
        let request = *self.requests.get(req);
        let node = u32::from(request.remote);
        let caller_zone =
            self.runtime.fleets[request.at as usize].instances[request.instance as usize].zone;
        let cache = &mut self.runtime.caches[c];
        let measured = request.measured;
        if measured && cache.nodes[node as usize].zone != caller_zone {
            // Assumption: a command without a value (a miss, a delete) and
            // its reply take 128 bytes; one with a value, the item's size.
            let carries_value = matches!(
                request.phase,
                Phase::CacheFill | Phase::CacheWriteThrough | Phase::CacheGet
            );
            self.totals.cross_az_bytes +=
                if carries_value { cache.item_bytes(request.key) } else { 128 };
        }
        match request.phase {
            Phase::CacheGet => {
                let hit = if node_intact {
                    cache.get(node, request.key, self.now, measured)
                } else {
                    cache.unavailable(measured);
                    false
                };
                if hit {
                    self.next_access(req);
                } else {
                    self.db_access(req, Phase::DbRead);
                }
            }
            Phase::CacheFill | Phase::CacheWriteThrough => {
                if node_intact {
                    cache.set(node, request.key, self.now, measured);
                }
                self.next_access(req);
            }
            Phase::CacheInvalidate => {
                if node_intact {
                    cache.delete(node, request.key, measured);
                }
                self.next_access(req);
            }
            other => unreachable!("a cache operation ends in phase {other:?}"),
        }
    }

    /// Starts a read or a write on the database: picks the instance, then
    /// asks the instance's pool for a connection.
    pub(super) fn db_access(&mut self, req: ReqId, phase: Phase) {
        let request = self.requests.get_mut(req);
        request.phase = phase;
        let (f, i) = (request.at as usize, request.instance as usize);
        let d = self.runtime.fleet_database[f].expect("the fleet has a database");
        let database = &mut self.runtime.databases[d];
        let target = match phase {
            Phase::DbWrite => database.primary(),
            _ => database.read_target(),
        };
        let Some(t) = target else {
            self.database_down(req, d);
            return;
        };
        request.remote = t as u16;
        let generation = request.generation;
        let instance = &mut database.instances[t];
        let pool = &mut self.runtime.fleets[f].instances[i].db_pools[t];
        match pool.acquire(req, generation, self.now, || instance.try_connect()) {
            Acquired::Now => self.start_query(req, d),
            Acquired::Waiting => {
                if let Some(wait) = self.runtime.fleets[f].pool_wait_timeout {
                    let at = self.now + wait;
                    self.events.schedule(at, Event::PoolTimeout { req, generation });
                }
            }
            Acquired::Refused => self.fail_on_instance(req, Failure::DbConnection),
        }
    }

    /// The database the request needs has no instance serving: the query
    /// fails, or waits for the primary, as the database's callers do.
    fn database_down(&mut self, req: ReqId, d: usize) {
        let database = &mut self.runtime.databases[d];
        match database.spec.during_outage {
            OutageBehaviour::Fail => self.fail_on_instance(req, Failure::DbDown),
            OutageBehaviour::Wait => database.held.push_back(req),
        }
    }

    /// The request has a connection: its query queues for a vCPU.
    fn start_query(&mut self, req: ReqId, d: usize) {
        let t = self.requests.get(req).remote as usize;
        let instance = &mut self.runtime.databases[d].instances[t];
        if instance.pool.arrive(self.now, req) == Admission::Started {
            let epoch = instance.epoch;
            let at = self.now + self.runtime.draw_query(self.requests.get(req).class);
            self.events.schedule(at, Event::QueryDone { req, db: d as u32, epoch });
        }
    }

    /// A query ends (or was cut off by a failure, when `epoch` is old): the
    /// instance serves the next; the connection goes back to the pool; the
    /// request moves on.
    pub(super) fn on_query_done(&mut self, req: ReqId, d: usize, epoch: u32) {
        let request = *self.requests.get(req);
        let t = request.remote as usize;
        let database = &mut self.runtime.databases[d];
        let intact = database.instances[t].epoch == epoch;
        if intact && let Some(next) = database.instances[t].pool.depart(self.now) {
            let at = self.now + self.runtime.draw_query(self.requests.get(next).class);
            self.events.schedule(at, Event::QueryDone { req: next, db: d as u32, epoch });
        }
        if request.killed {
            // The caller's instance is gone, and its pools with it.
            self.drop_killed(req);
            return;
        }
        if !intact {
            self.query_cut_off(req, d);
            return;
        }
        let (f, i) = (request.at as usize, request.instance as usize);
        if let Some(waiting) = self.runtime.fleets[f].instances[i].db_pools[t].release(self.now) {
            self.start_query(waiting, d);
        }
        self.query_result(req, d);
    }

    /// Counts a finished query and moves the request on: a read fills the
    /// cache after a miss, a write updates the cache.
    fn query_result(&mut self, req: ReqId, d: usize) {
        let request = *self.requests.get(req);
        let t = request.remote as usize;
        let database = &mut self.runtime.databases[d];
        let caller_zone =
            self.runtime.fleets[request.at as usize].instances[request.instance as usize].zone;
        if request.measured && database.instances[t].zone != caller_zone {
            self.totals.cross_az_bytes += database.spec.query_bytes;
        }
        let is_replica = database.instances[t].role == Role::Replica;
        let stale = is_replica && database.is_stale(request.key, self.now);
        let write = request.phase == Phase::DbWrite;
        if write {
            database.record_write(request.key, self.now);
        }
        if request.measured {
            let instance = &mut database.instances[t];
            for counts in [&mut instance.counts, &mut instance.window] {
                if write {
                    counts.writes += 1;
                } else {
                    counts.reads += 1;
                    counts.stale_reads += u64::from(stale);
                }
            }
        }
        let f = request.at as usize;
        match (self.runtime.fleet_cache[f], write) {
            (Some(c), true) => {
                let phase = match self.runtime.caches[c].spec.write_policy {
                    WritePolicy::Invalidate => Phase::CacheInvalidate,
                    WritePolicy::WriteThrough => Phase::CacheWriteThrough,
                };
                self.cache_access(req, phase);
            }
            (Some(_), false) => self.cache_access(req, Phase::CacheFill),
            (None, _) => self.next_access(req),
        }
    }

    /// A query in progress when its instance failed: it fails, or waits
    /// for a primary, as the database's callers do.
    fn query_cut_off(&mut self, req: ReqId, d: usize) {
        let t = self.requests.get(req).remote as usize;
        let instance = &mut self.runtime.databases[d].instances[t];
        if self.requests.get(req).measured {
            instance.counts.failed_queries += 1;
            instance.window.failed_queries += 1;
        }
        let phase = self.requests.get(req).phase;
        match self.runtime.databases[d].spec.during_outage {
            OutageBehaviour::Fail => self.fail_on_instance(req, Failure::DbDown),
            OutageBehaviour::Wait => self.db_access(req, phase),
        }
    }

    /// A query has waited its pool's timeout for a connection.
    pub(super) fn on_pool_timeout(&mut self, req: ReqId, generation: u32) {
        let request = *self.requests.get(req);
        if request.generation != generation || !request.on_instance || request.killed {
            return;
        }
        let (f, i, t) = (request.at as usize, request.instance as usize, request.remote as usize);
        let Some(pool) = self.runtime.fleets[f].instances[i].db_pools.get_mut(t) else { return };
        if pool.give_up(req, generation) {
            self.fail_on_instance(req, Failure::DbConnection);
        }
    }

    /// Opens the connections of instance `i` of fleet `f` as its
    /// application starts, when its pools prefill.
    pub(super) fn prefill_pools(&mut self, f: usize, i: usize) {
        let Some(d) = self.runtime.fleet_database[f] else { return };
        if !self.runtime.fleets[f].pool_prefill {
            return;
        }
        let database = &mut self.runtime.databases[d];
        for (t, pool) in self.runtime.fleets[f].instances[i].db_pools.iter_mut().enumerate() {
            let instance = &mut database.instances[t];
            pool.prefill(|| instance.try_connect());
        }
    }

    /// Closes every connection instance `i` of fleet `f` holds (it is gone
    /// or its application died); queries waiting for one are returned.
    pub(super) fn close_connections(&mut self, f: usize, i: usize) -> Vec<ReqId> {
        let Some(d) = self.runtime.fleet_database[f] else { return Vec::new() };
        let mut waiting = Vec::new();
        let pools = std::mem::take(&mut self.runtime.fleets[f].instances[i].db_pools);
        let mut closed = pools;
        for (t, pool) in closed.iter_mut().enumerate() {
            let (open, queued) = pool.close_all();
            let instance = &mut self.runtime.databases[d].instances[t];
            instance.connections = instance.connections.saturating_sub(open);
            waiting.extend(queued);
        }
        self.runtime.fleets[f].instances[i].db_pools = closed;
        waiting
    }

    /// Node `node` of cache `c` is lost with its items; a replacement
    /// serves after `replaced_after`.
    pub(super) fn lose_cache_node(
        &mut self,
        c: usize,
        node: u32,
        replaced_after: crate::engine::time::SimDuration,
    ) {
        let cache = &mut self.runtime.caches[c];
        cache.lose_node(node);
        // The operations booked on it end at their time as failures (their
        // epoch is old): reads miss and go to the database.
        cache.nodes[node as usize].pool.clear(self.now);
        let at = self.now + replaced_after;
        self.events.schedule(at, Event::CacheNodeBack { cache: c as u32, node });
    }

    /// A lost node's replacement serves, empty.
    pub(super) fn on_cache_node_back(&mut self, c: usize, node: u32) {
        self.runtime.caches[c].nodes[node as usize].down = false;
        let component = self.component_of_cache(c);
        self.log_event(
            component,
            "node replaced",
            format!("node {node} is back, empty: its keys return to it and miss until refilled"),
        );
    }

    /// The component id of cache `c`.
    pub(super) fn component_of_cache(&self, c: usize) -> usize {
        self.runtime
            .slots
            .iter()
            .position(|s| matches!(s, super::build::Slot::Cache(k) if *k == c))
            .expect("every cache has a slot")
    }

    /// The component id of database `d`.
    pub(super) fn component_of_database(&self, d: usize) -> usize {
        self.runtime
            .slots
            .iter()
            .position(|s| matches!(s, super::build::Slot::Rds(k) if *k == d))
            .expect("every database has a slot")
    }

    /// The primary of database `d` fails; a primary serves again after
    /// `recovery`.
    pub(super) fn fail_primary(&mut self, d: usize, recovery: crate::engine::time::SimDuration) {
        let component = self.component_of_database(d);
        let Some(p) = self.runtime.databases[d].primary() else {
            self.log_event(component, "fault", "no primary was serving to fail".to_string());
            return;
        };
        let instance = &mut self.runtime.databases[d].instances[p];
        instance.role = Role::Down;
        instance.epoch += 1;
        instance.connections = 0;
        let mut cut = instance.pool.clear(self.now);
        for f in 0..self.runtime.fleets.len() {
            if self.runtime.fleet_database[f] != Some(d) {
                continue;
            }
            for host in &mut self.runtime.fleets[f].instances {
                if let Some(pool) = host.db_pools.get_mut(p) {
                    cut.extend(pool.close_all().1);
                }
            }
        }
        let spec = &self.runtime.databases[d].spec;
        let how = if spec.multi_az {
            "the Multi-AZ standby takes over"
        } else if spec.replicas > 0 {
            "a read replica is promoted"
        } else {
            "the instance recovers"
        };
        self.log_event(
            component,
            "primary failed",
            format!("the primary's connections dropped; {how} in {:.0} s", recovery.as_secs_f64()),
        );
        for req in cut {
            if self.requests.get(req).killed {
                self.drop_killed(req);
            } else {
                self.query_cut_off(req, d);
            }
        }
        let at = self.now + recovery;
        self.events.schedule(at, Event::DbRecovered { db: d as u32 });
    }

    /// A primary serves again: the standby, a promoted replica, or the
    /// recovered instance; queries held during the outage go on.
    pub(super) fn on_db_recovered(&mut self, d: usize) {
        let now = self.now;
        let component = self.component_of_database(d);
        let database = &mut self.runtime.databases[d];
        let Some(failed) = database.instances.iter().position(|i| i.role == Role::Down) else {
            return;
        };
        let replica = database.instances.iter().position(|i| i.role == Role::Replica);
        let detail = match (database.spec.multi_az, replica) {
            (false, Some(r)) => {
                database.instances[r].role = Role::Primary;
                database.instances[failed].role = Role::Gone;
                database.instances[failed].billed_until = Some(now);
                format!("{} promoted to primary", database.instances[r].name)
            }
            (true, _) => {
                database.instances[failed].role = Role::Primary;
                "the standby took over as primary".to_string()
            }
            (false, None) => {
                database.instances[failed].role = Role::Primary;
                "the primary recovered".to_string()
            }
        };
        self.log_event(component, "primary back", detail);
        let held: Vec<ReqId> = self.runtime.databases[d].held.drain(..).collect();
        for req in held {
            if self.requests.get(req).killed {
                self.drop_killed(req);
            } else {
                let phase = self.requests.get(req).phase;
                self.db_access(req, phase);
            }
        }
    }
}

/// Statistics of the data tier for the time series and the summary.
impl Simulation<'_> {
    /// The data tier's figures for the window that closes now; prunes the
    /// replication bookkeeping.
    pub(super) fn data_window(&mut self) -> DataWindow {
        let measured = self.measuring;
        let caches = self
            .runtime
            .caches
            .iter_mut()
            .map(|cache| {
                let counts = cache.close_window(measured);
                let capacity = cache.capacity_bytes().max(1);
                CacheWindow {
                    gets: counts.gets,
                    hits: counts.hits,
                    evictions: counts.evictions,
                    items: cache.items(),
                    memory_used: cache.used_bytes() as f64 / capacity as f64,
                }
            })
            .collect();
        let now = self.now;
        let mut databases = Vec::new();
        for database in &mut self.runtime.databases {
            database.prune(now);
            for instance in &mut database.instances {
                let w = std::mem::take(&mut instance.window);
                databases.push(DbWindow {
                    reads: w.reads,
                    writes: w.writes,
                    stale_reads: w.stale_reads,
                    connections: instance.connections,
                    refused_connections: w.refused_connections,
                });
            }
        }
        let mut pools = Vec::with_capacity(self.runtime.fleets.len());
        for (f, fleet) in self.runtime.fleets.iter().enumerate() {
            let (waited, timed_out) = fleet
                .instances
                .iter()
                .flat_map(|h| &h.db_pools)
                .fold((0, 0), |(w, t), p| (w + p.counts.waited, t + p.counts.timed_out));
            let seen = &mut self.pool_seen[f];
            pools.push((waited.saturating_sub(seen.0), timed_out.saturating_sub(seen.1)));
            *seen = (waited, timed_out);
        }
        DataWindow { caches, databases, pools }
    }

    /// The data tier over the measured window, for the result.
    pub(super) fn data_stats(&self) -> (Vec<CacheStats>, Vec<DbInstanceStats>, Vec<PoolStats>) {
        let caches = self
            .runtime
            .caches
            .iter()
            .enumerate()
            .map(|(c, cache)| CacheStats {
                name: self.scenario.components[self.component_of_cache(c)].name.clone(),
                counts: cache.totals,
                hit_ratio: cache.totals.hit_ratio(),
                items_at_end: cache.items(),
                used_bytes_at_end: cache.used_bytes(),
                capacity_bytes: cache.capacity_bytes(),
            })
            .collect();
        let mut databases = Vec::new();
        for (d, database) in self.runtime.databases.iter().enumerate() {
            let component = &self.scenario.components[self.component_of_database(d)].name;
            for (t, instance) in database.instances.iter().enumerate() {
                let c = instance.counts;
                let mut pool = PoolCounts::default();
                for (f, fleet) in self.runtime.fleets.iter().enumerate() {
                    if self.runtime.fleet_database[f] != Some(d) {
                        continue;
                    }
                    for p in fleet.instances.iter().filter_map(|h| h.db_pools.get(t)) {
                        pool.waited += p.counts.waited;
                        pool.wait_ns += p.counts.wait_ns;
                        pool.timed_out += p.counts.timed_out;
                        pool.refused += p.counts.refused;
                    }
                }
                databases.push(DbInstanceStats {
                    name: instance.name.clone(),
                    database: component.clone(),
                    role_at_end: format!("{:?}", instance.role).to_lowercase(),
                    counts: c,
                    stale_share: (c.reads > 0).then(|| c.stale_reads as f64 / c.reads as f64),
                    connections_at_end: instance.connections,
                    peak_connections: instance.peak_connections,
                    max_connections: instance.max_connections,
                    pool,
                });
            }
        }
        let pools = self
            .runtime
            .fleets
            .iter()
            .enumerate()
            .filter(|(f, _)| self.runtime.fleet_database[*f].is_some())
            .map(|(f, fleet)| {
                let mut counts = PoolCounts::default();
                for pool in fleet.instances.iter().flat_map(|h| &h.db_pools) {
                    counts.waited += pool.counts.waited;
                    counts.wait_ns += pool.counts.wait_ns;
                    counts.timed_out += pool.counts.timed_out;
                    counts.refused += pool.counts.refused;
                }
                let got = counts.waited.saturating_sub(counts.timed_out);
                PoolStats {
                    fleet: self.scenario.components[self.runtime.fleet_components[f]].name.clone(),
                    counts,
                    mean_wait_ms: if got > 0 {
                        counts.wait_ns as f64 / got as f64 / 1e6
                    } else {
                        0.0
                    },
                }
            })
            .collect();
        (caches, databases, pools)
    }
}

/// The data tier's figures for one window.
pub(super) struct DataWindow {
    pub(super) caches: Vec<CacheWindow>,
    pub(super) databases: Vec<DbWindow>,
    pub(super) pools: Vec<(u64, u64)>,
}
