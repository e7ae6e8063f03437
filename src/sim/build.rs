//! The running components of one run, built from the scenario, and the
//! per-tier bookkeeping the loop reports from.

use std::sync::Arc;

use crate::billing::meters::{InstanceLife, LcuMeter};
use crate::components::alb::Alb;
use crate::components::autoscaling::ScalingGroup;
use crate::components::cache::Cache;
use crate::components::ec2::Fleet;
use crate::components::edge::{Edge, Gateway};
use crate::components::lambda::{Function, SharedConcurrency};
use crate::components::rds::Database;
use crate::components::sqs::Queue;
use crate::components::station::Station;
use crate::engine::dist::Dist;
use crate::engine::keys::Popularity;
use crate::engine::random::Stream;
use crate::engine::time::{NANOS_PER_SEC, SimDuration, SimTime};
use crate::scenario::Scenario;
use crate::scenario::model::{ComponentKind, Consumer, KeySpace, KeyTrace, QueryKind};

use super::result::{FleetStats, InstanceTimeline, TierStats, Usage};

/// What one request class does on its path, resolved for the run.
#[derive(Debug)]
pub struct ClassPlan {
    /// Shares of this and the classes before it.
    pub cumulative_share: f64,
    /// Request plus response bytes.
    pub bytes: u64,
    /// Response bytes.
    pub response_bytes: u64,
    /// Request bytes.
    pub request_bytes: u64,
    /// True when CloudFront may answer it from its cache.
    pub cacheable: bool,
    /// New connections per request.
    pub connections: f64,
    /// CPU time at the fleet, and its stream.
    pub cpu: Option<(Dist, Stream)>,
    /// What the class does at its fleet's database.
    pub db: Option<DbPlan>,
    /// Queries per request at the database.
    pub queries: u8,
}

/// A class's queries at its fleet's database.
#[derive(Debug)]
pub struct DbPlan {
    /// Index into `Runtime::databases`.
    pub database: usize,
    /// Reads or writes.
    pub kind: QueryKind,
    /// Time of one query, and its stream.
    pub query: Dist,
    /// Draws query times.
    pub stream: Stream,
    /// Which keys its queries touch.
    pub keys: KeySource,
}

/// Where a class's keys come from.
#[derive(Debug)]
pub enum KeySource {
    /// No key space is given (no cache, no replicas): keys do not matter.
    None,
    /// Drawn from a popularity, hashed with a seed.
    Drawn(Popularity, u64),
    /// The database's trace, with the database's cursor.
    DatabaseTrace,
    /// The class's own trace and its cursor.
    ClassTrace(Arc<KeyTrace>, usize),
}

/// Where a component's running state lives: its kind and index.
#[derive(Debug, Clone, Copy)]
pub enum Slot {
    /// In `Runtime::albs`.
    Alb(usize),
    /// In `Runtime::fleets`.
    Fleet(usize),
    /// In `Runtime::databases`.
    Rds(usize),
    /// In `Runtime::caches`.
    Cache(usize),
    /// In `Runtime::functions`.
    Lambda(usize),
    /// In `Runtime::gateways`.
    ApiGateway(usize),
    /// In `Runtime::queues`.
    Sqs(usize),
    /// In `Runtime::edges`.
    CloudFront(usize),
    /// In `Runtime::stations`.
    Station(usize),
}

/// What serves requests behind a load balancer, an API or a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An EC2 fleet (index into `fleets`).
    Fleet(usize),
    /// A Lambda function (index into `functions`).
    Lambda(usize),
}

/// A Lambda event source's pollers on one queue.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventSource {
    /// Batches it may process at once now.
    pub limit: u32,
    /// Batches in flight.
    pub active: u32,
    /// True after a throttled invocation, until the pause before the
    /// next poll is over.
    pub backing_off: bool,
}

/// Messages an EC2 instance has received and not yet started: a
/// ReceiveMessage returns up to the batch size, and the instance's free
/// worker threads take them one at a time.
#[derive(Debug, Clone, Default)]
pub struct ReceiveBuffer {
    /// Each message's slot and the receive number that got it.
    pub messages: std::collections::VecDeque<(u32, u32)>,
    /// Messages processed since the last DeleteMessageBatch.
    pub to_delete: u32,
}

/// A batch of queue messages handed to one Lambda invocation.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// The queue (index into `queues`).
    pub queue: usize,
    /// The messages' slots in the queue.
    pub messages: Vec<u32>,
}

/// What a tier measures.
#[derive(Debug, Clone, Copy)]
pub enum TierKind {
    /// The vCPUs of a fleet.
    FleetCpu(usize),
    /// The worker slots of a fleet.
    FleetWorkers(usize),
    /// The vCPUs of one instance of a database.
    Database(usize, usize),
    /// A station's servers.
    Station(usize),
    /// The threads of one node of a cache cluster.
    CacheNode(usize, usize),
}

/// A pool whose utilisation the run reports.
#[derive(Debug, Clone)]
pub struct Tier {
    /// E.g. `web.cpu`.
    pub name: String,
    /// What it measures.
    pub kind: TierKind,
    /// Servers in the tier (1 for an unlimited station, whose figure is then
    /// the mean number in service); for a fleet, servers per instance.
    pub capacity: u64,
    /// True when the tier has no server limit.
    pub unlimited: bool,
}

/// The busy area up to `now` and the waits of a tier's pools, summed.
fn pool_totals<'a>(
    pools: impl Iterator<Item = &'a mut crate::components::pool::ServerPool>,
    now: SimTime,
) -> (u128, crate::components::pool::WaitStats) {
    let mut area = 0u128;
    let mut waits = crate::components::pool::WaitStats::default();
    for pool in pools {
        area += pool.busy_area(now);
        let w = pool.waits();
        waits.started += w.started;
        waits.waited += w.waited;
        waits.total_wait_ns += w.total_wait_ns;
        waits.refused += w.refused;
    }
    (area, waits)
}

/// Every running component of a run.
pub struct Runtime {
    /// Component id → running state.
    pub slots: Vec<Slot>,
    /// Load balancers.
    pub albs: Vec<Alb>,
    /// Cache clusters.
    pub caches: Vec<Cache>,
    /// What each load balancer forwards to.
    pub alb_target: Vec<Target>,
    /// Lambda functions.
    pub functions: Vec<Function>,
    /// The account's concurrency left to functions without a reservation.
    pub shared_concurrency: SharedConcurrency,
    /// API Gateway APIs.
    pub gateways: Vec<Gateway>,
    /// SQS queues.
    pub queues: Vec<Queue>,
    /// Each queue's consumer.
    pub queue_consumer: Vec<Target>,
    /// Each queue's Lambda event source (used when its consumer is a
    /// function).
    pub event_sources: Vec<EventSource>,
    /// Batches of messages in Lambda invocations; `free_batches` lists the
    /// unused ones.
    pub batches: Vec<Batch>,
    /// Unused entries of `batches`.
    pub free_batches: Vec<u32>,
    /// Times a key trace ran out and started again from its first key.
    pub key_trace_replays: u64,
    /// The queue each fleet consumes, if any.
    pub fleet_queue: Vec<Option<usize>>,
    /// For a fleet that consumes a queue, each instance's received
    /// messages not yet started (grown as instances launch).
    pub receive_buffers: Vec<Vec<ReceiveBuffer>>,
    /// CloudFront distributions.
    pub edges: Vec<Edge>,
    /// Each queue's message delays, from send to the end of processing, in
    /// ns.
    pub queue_delays: Vec<hdrhistogram::Histogram<u64>>,
    /// True when successful responses leave the region for the internet
    /// directly (the entry is a load balancer, an API, a fleet or a
    /// function), so their bytes are billed as data out.
    pub egress_metered: bool,
    /// EC2 fleets.
    pub fleets: Vec<Fleet>,
    /// Each fleet's component id.
    pub fleet_components: Vec<usize>,
    /// Each fleet's stream for launch times and health-check phases.
    pub lifecycle_streams: Vec<Stream>,
    /// RDS databases.
    pub databases: Vec<Database>,
    /// Each fleet's database (index into `databases`), if it has one.
    pub fleet_database: Vec<Option<usize>>,
    /// Each fleet's cache (index into `caches`), if it has one.
    pub fleet_cache: Vec<Option<usize>>,
    /// Stations.
    pub stations: Vec<Station>,
    /// Pools whose utilisation is reported.
    pub tiers: Vec<Tier>,
    /// For fleet tiers, the in-service instance-nanoseconds seen when the
    /// last window closed.
    tier_capacity_seen: Vec<u128>,
    /// What each request class does on its way through.
    pub classes: Vec<ClassPlan>,
    /// Draws each arrival's class.
    class_stream: Stream,
    measured_start: SimTime,
    seed: u64,
    replication: u32,
}

impl Runtime {
    /// Builds the running components, each with its own random streams.
    pub fn new(scenario: &Scenario, replication: u32) -> Runtime {
        let seed = scenario.seed;
        let stream = |name: String| Stream::new(seed, replication, &name);
        let measured_start = SimTime::ZERO + scenario.warmup;
        let offset_into_hour = u64::from(scenario.start.minute()) * 60 * NANOS_PER_SEC
            + u64::from(scenario.start.second()) * NANOS_PER_SEC
            + u64::from(scenario.start.nanosecond());
        let mut runtime = Runtime {
            slots: Vec::new(),
            albs: Vec::new(),
            caches: Vec::new(),
            alb_target: Vec::new(),
            functions: Vec::new(),
            shared_concurrency: SharedConcurrency::default(),
            gateways: Vec::new(),
            queues: Vec::new(),
            queue_consumer: Vec::new(),
            event_sources: Vec::new(),
            batches: Vec::new(),
            free_batches: Vec::new(),
            receive_buffers: Vec::new(),
            key_trace_replays: 0,
            fleet_queue: Vec::new(),
            edges: Vec::new(),
            queue_delays: Vec::new(),
            egress_metered: false,
            fleets: Vec::new(),
            fleet_components: Vec::new(),
            lifecycle_streams: Vec::new(),
            databases: Vec::new(),
            fleet_database: Vec::new(),
            fleet_cache: Vec::new(),
            stations: Vec::new(),
            tiers: Vec::new(),
            tier_capacity_seen: Vec::new(),
            classes: Vec::new(),
            class_stream: stream("classes".into()),
            measured_start,
            seed,
            replication,
        };
        let mut zone_names: Vec<String> = Vec::new();
        let mut zone_ids = |names: &[String]| -> Vec<u8> {
            names
                .iter()
                .map(|z| match zone_names.iter().position(|n| n == z) {
                    Some(k) => k as u8,
                    None => {
                        zone_names.push(z.clone());
                        (zone_names.len() - 1) as u8
                    }
                })
                .collect()
        };
        for (id, component) in scenario.components.iter().enumerate() {
            let name = &component.name;
            let slot = match &component.kind {
                ComponentKind::Alb(spec) => {
                    runtime.albs.push(Alb::new(
                        (**spec).clone(),
                        LcuMeter::new(measured_start, offset_into_hour),
                    ));
                    Slot::Alb(runtime.albs.len() - 1)
                }
                ComponentKind::Ec2(spec) => {
                    let f = runtime.fleets.len();
                    let group = spec
                        .scaling
                        .as_ref()
                        .map(|scaling| ScalingGroup::new(scaling, name, measured_start));
                    let mut fleet = Fleet::new(spec, group, zone_ids(&spec.zones));
                    fleet.io = spec.io.clone().map(|d| (d, stream(format!("{name}.io"))));
                    runtime.fleets.push(fleet);
                    runtime.lifecycle_streams.push(stream(format!("{name}.lifecycle")));
                    runtime.fleet_components.push(id);
                    let vcpus = u64::from(spec.instance_type.vcpus);
                    let workers = u64::from(spec.workers);
                    runtime.add_tier(format!("{name}.cpu"), TierKind::FleetCpu(f), vcpus, false);
                    runtime.add_tier(
                        format!("{name}.workers"),
                        TierKind::FleetWorkers(f),
                        workers,
                        false,
                    );
                    Slot::Fleet(f)
                }
                ComponentKind::Rds(spec) => {
                    let d = runtime.databases.len();
                    let database = Database::new(
                        spec,
                        name,
                        &zone_ids(&spec.zones),
                        stream(format!("{name}.replication_lag")),
                        stream(format!("{name}.read_routing")),
                    );
                    for (k, instance) in database.instances.iter().enumerate() {
                        runtime.add_tier(
                            format!("{}.cpu", instance.name),
                            TierKind::Database(d, k),
                            u64::from(spec.class.vcpus),
                            false,
                        );
                    }
                    runtime.databases.push(database);
                    Slot::Rds(d)
                }
                ComponentKind::Cache(spec) => {
                    let mut cache = Cache::new(
                        spec,
                        stream(format!("{name}.eviction")).next_u64(),
                        &zone_ids(&spec.zones),
                    );
                    if spec.warm {
                        let keys = scenario.components.iter().find_map(|c| match &c.kind {
                            ComponentKind::Ec2(f) if f.cache == Some(id) => f.database,
                            _ => None,
                        });
                        let popularity = keys.and_then(|db| match &scenario.components[db].kind {
                            ComponentKind::Rds(r) => match &r.keys {
                                Some(KeySpace::Drawn(p)) => Some(p.clone()),
                                _ => None,
                            },
                            _ => None,
                        });
                        if let Some(popularity) = popularity {
                            cache.warm(&popularity);
                        }
                    }
                    let c = runtime.caches.len();
                    for n in 0..cache.nodes.len() {
                        runtime.add_tier(
                            format!("{name}.node{n}"),
                            TierKind::CacheNode(c, n),
                            u64::from(spec.threads_per_node),
                            false,
                        );
                    }
                    runtime.caches.push(cache);
                    Slot::Cache(c)
                }
                ComponentKind::Lambda(spec) => {
                    let streams = ["io", "init", "idle"].map(|s| stream(format!("{name}.{s}")));
                    runtime.functions.push(Function::new(spec, streams));
                    Slot::Lambda(runtime.functions.len() - 1)
                }
                ComponentKind::ApiGateway(spec) => {
                    runtime.gateways.push(Gateway::new(spec));
                    Slot::ApiGateway(runtime.gateways.len() - 1)
                }
                ComponentKind::Sqs(spec) => {
                    runtime.queues.push(Queue::new(spec));
                    Slot::Sqs(runtime.queues.len() - 1)
                }
                ComponentKind::CloudFront(spec) => {
                    let seed = stream(format!("{name}.objects")).next_u64();
                    runtime.edges.push(Edge::new(spec, seed));
                    Slot::CloudFront(runtime.edges.len() - 1)
                }
                ComponentKind::Station(spec) => {
                    let s = runtime.stations.len();
                    let services = scenario
                        .classes
                        .iter()
                        .map(|class| class.service_at(id).unwrap_or(&spec.service).clone())
                        .collect();
                    runtime.stations.push(Station::new(
                        spec,
                        services,
                        stream(format!("{name}.service")),
                        stream(format!("{name}.routing")),
                        stream(format!("{name}.errors")),
                    ));
                    let (capacity, unlimited) = match spec.servers {
                        Some(c) => (u64::from(c), false),
                        None => (1, true),
                    };
                    runtime.add_tier(name.clone(), TierKind::Station(s), capacity, unlimited);
                    Slot::Station(s)
                }
            };
            runtime.slots.push(slot);
        }
        for &id in &runtime.fleet_components {
            let ComponentKind::Ec2(spec) = &scenario.components[id].kind else {
                unreachable!("fleet components are ec2 components")
            };
            let index = |c: Option<usize>| c.map(|c| runtime.slots[c]);
            runtime.fleet_database.push(match index(spec.database) {
                Some(Slot::Rds(d)) => Some(d),
                _ => None,
            });
            runtime.fleet_cache.push(match index(spec.cache) {
                Some(Slot::Cache(c)) => Some(c),
                _ => None,
            });
        }
        for (f, database) in runtime.fleet_database.clone().into_iter().enumerate() {
            if let Some(d) = database {
                let instances = runtime.databases[d].instances.len();
                runtime.fleets[f].connect_pools(instances);
            }
        }
        let target = |slot: Slot| match slot {
            Slot::Fleet(f) => Target::Fleet(f),
            Slot::Lambda(l) => Target::Lambda(l),
            _ => unreachable!("validation checks that targets are fleets or functions"),
        };
        for alb in &runtime.albs {
            runtime.alb_target.push(target(runtime.slots[alb.spec.targets]));
        }
        runtime.fleet_queue = vec![None; runtime.fleets.len()];
        runtime.receive_buffers = vec![Vec::new(); runtime.fleets.len()];
        for (q, queue) in runtime.queues.iter().enumerate() {
            let consumer = match queue.spec.consumer {
                Consumer::Lambda(id) | Consumer::Fleet(id) => target(runtime.slots[id]),
            };
            if let Target::Fleet(f) = consumer {
                runtime.fleet_queue[f] = Some(q);
            }
            runtime.queue_consumer.push(consumer);
            runtime.event_sources.push(EventSource {
                limit: queue.spec.facts.esm.0.min(queue.spec.max_batches),
                active: 0,
                backing_off: false,
            });
        }
        runtime.queue_delays =
            runtime.queues.iter().map(|_| crate::stats::latency::empty_histogram()).collect();
        runtime.egress_metered = matches!(
            runtime.slots[scenario.traffic.entry],
            Slot::Alb(_) | Slot::ApiGateway(_) | Slot::Fleet(_) | Slot::Lambda(_)
        );
        let reserved: u32 = runtime.functions.iter().filter_map(|f| f.spec.reserved).sum();
        runtime.shared_concurrency = SharedConcurrency {
            limit: scenario.account.lambda_concurrency.saturating_sub(reserved),
            in_use: 0,
        };
        runtime.classes = runtime.class_plans(scenario);
        runtime
    }

    fn add_tier(&mut self, name: String, kind: TierKind, capacity: u64, unlimited: bool) {
        self.tiers.push(Tier { name, kind, capacity, unlimited });
        self.tier_capacity_seen.push(0);
    }

    /// The fleet and database a request entering at `entry` visits, as
    /// component ids.
    fn path_from(&self, scenario: &Scenario, entry: usize) -> (Option<usize>, Option<usize>) {
        let mut at = entry;
        // Front doors pass requests on; the path ends at a fleet, a
        // function, or a station network.
        for _ in 0..scenario.components.len() {
            at = match &scenario.components[at].kind {
                ComponentKind::Alb(alb) => alb.targets,
                ComponentKind::ApiGateway(api) => api.target,
                ComponentKind::CloudFront(cdn) => cdn.origin,
                ComponentKind::Sqs(queue) => match queue.consumer {
                    Consumer::Lambda(id) | Consumer::Fleet(id) => id,
                },
                _ => break,
            };
        }
        let worker = match &scenario.components[at].kind {
            ComponentKind::Ec2(_) | ComponentKind::Lambda(_) => Some(at),
            _ => None,
        };
        let database = worker.and_then(|f| match &scenario.components[f].kind {
            ComponentKind::Ec2(spec) => spec.database,
            _ => None,
        });
        (worker, database)
    }

    /// What each class does at the fleet and database on its path, with
    /// its own random streams (named by class and component, so that two
    /// designs with the same classes draw the same work).
    fn class_plans(&self, scenario: &Scenario) -> Vec<ClassPlan> {
        let (fleet, database) = self.path_from(scenario, scenario.traffic.entry);
        let mut cumulative = 0.0;
        scenario
            .classes
            .iter()
            .map(|class| {
                cumulative += class.share;
                let cpu = fleet.map(|f| {
                    let name = format!("{}/{}.cpu", class.name, scenario.components[f].name);
                    let dist = match &scenario.components[f].kind {
                        ComponentKind::Ec2(spec) => class
                            .cpu_at(f)
                            .map(|d| d.scaled_by_speed(spec.instance_type.relative_speed))
                            .unwrap_or_else(|| spec.cpu.clone()),
                        ComponentKind::Lambda(spec) => {
                            class.lambda_cpu_at(f).unwrap_or(&spec.cpu).clone()
                        }
                        _ => unreachable!("a path ends at a fleet or a function"),
                    };
                    (dist, self.stream(&name))
                });
                let (db, queries) = match database {
                    Some(d) => {
                        let ComponentKind::Rds(spec) = &scenario.components[d].kind else {
                            unreachable!("a fleet's database is an rds component")
                        };
                        let work = class.db_at(d);
                        let kind = work.map_or(QueryKind::Read, |w| w.kind);
                        let default_time = match kind {
                            QueryKind::Read => &spec.read_query,
                            QueryKind::Write => &spec.write_query,
                        };
                        let query = work
                            .and_then(|w| w.query.clone())
                            .unwrap_or_else(|| default_time.clone());
                        let component = &scenario.components[d].name;
                        let name = format!("{}/{component}.query", class.name);
                        let Slot::Rds(index) = self.slots[d] else {
                            unreachable!("an rds component has an rds slot")
                        };
                        let keys = match work.and_then(|w| w.keys.as_ref()).or(spec.keys.as_ref()) {
                            None => KeySource::None,
                            Some(KeySpace::Drawn(p)) => {
                                let seed = self
                                    .stream(&format!("{}/{component}.keys", class.name))
                                    .next_u64();
                                KeySource::Drawn(p.clone(), seed)
                            }
                            Some(KeySpace::Trace(trace)) => {
                                if work.and_then(|w| w.keys.as_ref()).is_some() {
                                    KeySource::ClassTrace(trace.clone(), 0)
                                } else {
                                    KeySource::DatabaseTrace
                                }
                            }
                        };
                        let plan = DbPlan {
                            database: index,
                            kind,
                            query,
                            stream: self.stream(&name),
                            keys,
                        };
                        (Some(plan), work.map_or(1, |w| w.queries))
                    }
                    None => (None, 0),
                };
                ClassPlan {
                    cumulative_share: cumulative,
                    bytes: class.request.request_bytes + class.request.response_bytes,
                    response_bytes: class.request.response_bytes,
                    request_bytes: class.request.request_bytes,
                    cacheable: class.cacheable,
                    connections: 1.0 / class.request.requests_per_connection,
                    cpu,
                    db,
                    queries: queries.min(u32::from(u8::MAX)) as u8,
                }
            })
            .collect()
    }

    /// A named stream of this run.
    pub fn stream(&self, name: &str) -> Stream {
        Stream::new(self.seed, self.replication, name)
    }

    /// Draws a new request's class.
    #[inline]
    pub fn draw_class(&mut self) -> u16 {
        if self.classes.len() == 1 {
            return 0;
        }
        let u = self.class_stream.uniform();
        self.classes.iter().position(|c| u < c.cumulative_share).unwrap_or(self.classes.len() - 1)
            as u16
    }

    /// Draws a request's CPU time at its fleet (zero when it visits none).
    #[inline]
    pub fn draw_cpu(&mut self, class: u16) -> SimDuration {
        match &mut self.classes[class as usize].cpu {
            Some((dist, stream)) => dist.sample(stream),
            None => SimDuration::ZERO,
        }
    }

    /// Draws the time of one query by a request of `class`.
    #[inline]
    pub fn draw_query(&mut self, class: u16) -> SimDuration {
        match &mut self.classes[class as usize].db {
            Some(plan) => plan.query.sample(&mut plan.stream),
            None => SimDuration::ZERO,
        }
    }

    /// The key of access `access` of request `seq` of `class`.
    #[inline]
    pub fn draw_key(&mut self, class: u16, seq: u64, access: u32) -> u64 {
        let Some(plan) = &mut self.classes[class as usize].db else { return 0 };
        match &mut plan.keys {
            KeySource::None => 0,
            KeySource::Drawn(popularity, seed) => popularity.key(*seed, seq, access),
            KeySource::ClassTrace(trace, cursor) => {
                let key = trace.keys[*cursor];
                *cursor = (*cursor + 1) % trace.keys.len();
                self.key_trace_replays += u64::from(*cursor == 0);
                key
            }
            KeySource::DatabaseTrace => {
                let database = &mut self.databases[plan.database];
                let Some(KeySpace::Trace(trace)) = &database.spec.keys else { return 0 };
                let key = trace.keys[database.trace_cursor];
                database.trace_cursor = (database.trace_cursor + 1) % trace.keys.len();
                self.key_trace_replays += u64::from(database.trace_cursor == 0);
                key
            }
        }
    }

    /// Forgets the warm-up's statistics.
    pub fn reset_stats(&mut self, now: SimTime) {
        for fleet in &mut self.fleets {
            fleet.in_service_meter.reset(now);
            fleet.peak_in_service = fleet.in_service.len() as u32;
            for host in &mut fleet.instances {
                // The metrics count busy time across the restart of the
                // meters: what they had not yet seen is carried over.
                let cpu_area = host.cpus.busy_area(now) as i128;
                let worker_area = host.workers.busy_area(now) as i128;
                host.seen = (host.seen.0 - cpu_area, host.seen.1 - worker_area);
                host.cpus.reset_stats(now);
                host.workers.reset_stats(now);
                host.surplus_at_warmup = (-host.credits).max(0.0);
                host.surplus_charged = 0.0;
            }
        }
        for db in &mut self.databases {
            for instance in &mut db.instances {
                instance.pool.reset_stats(now);
                instance.counts = Default::default();
                instance.window = Default::default();
                instance.peak_connections = instance.connections;
            }
        }
        for cache in &mut self.caches {
            for node in &mut cache.nodes {
                node.pool.reset_stats(now);
                node.store.evictions = 0;
                node.store.expirations = 0;
            }
        }
        for fleet in &mut self.fleets {
            for host in &mut fleet.instances {
                for pool in &mut host.db_pools {
                    pool.counts = Default::default();
                }
            }
        }
        for function in &mut self.functions {
            function.counts = Default::default();
            function.window = Default::default();
            function.concurrency.reset(now);
            function.peak_concurrency = function.in_use;
        }
        for queue in &mut self.queues {
            queue.counts = Default::default();
            queue.window = Default::default();
            queue.idle_pollers.reset(now);
        }
        for edge in &mut self.edges {
            edge.counts = Default::default();
            edge.window = Default::default();
        }
        for gateway in &mut self.gateways {
            gateway.counts = Default::default();
        }
        for station in &mut self.stations {
            station.pool.reset_stats(now);
        }
    }

    /// Busy-server nanoseconds of a tier since its last window closed.
    pub fn tier_busy_window(&mut self, tier: &Tier, now: SimTime) -> u128 {
        match tier.kind {
            TierKind::FleetCpu(f) => self.fleets[f]
                .instances
                .iter_mut()
                .map(|h| h.cpus.meter_mut().take_window(now))
                .sum(),
            TierKind::FleetWorkers(f) => self.fleets[f]
                .instances
                .iter_mut()
                .map(|h| h.workers.meter_mut().take_window(now))
                .sum(),
            TierKind::Database(d, k) => {
                self.databases[d].instances[k].pool.meter_mut().take_window(now)
            }
            TierKind::Station(s) => self.stations[s].pool.meter_mut().take_window(now),
            TierKind::CacheNode(c, n) => self.caches[c].nodes[n].pool.take_window(now),
        }
    }

    /// Server-nanoseconds a tier offered since its last window closed, up
    /// to `now`: a fleet's capacity follows its instances in service.
    pub fn tier_capacity_window(&mut self, index: usize, now: SimTime, window: SimDuration) -> f64 {
        let tier = &self.tiers[index];
        match tier.kind {
            TierKind::FleetCpu(f) | TierKind::FleetWorkers(f) => {
                let meter = &mut self.fleets[f].in_service_meter;
                meter.advance(now);
                let area = meter.area();
                let delta = area - self.tier_capacity_seen[index];
                self.tier_capacity_seen[index] = area;
                delta as f64 * tier.capacity as f64
            }
            _ => tier.capacity as f64 * window.as_nanos() as f64,
        }
    }

    /// Mean utilisation and waits of every tier over the measured window.
    pub fn tier_stats(&mut self, now: SimTime, measured: SimDuration) -> Vec<TierStats> {
        let span = measured.as_nanos().max(1) as f64;
        let tiers = self.tiers.clone();
        tiers
            .iter()
            .map(|tier| {
                let (area, waits) = match tier.kind {
                    TierKind::CacheNode(c, n) => {
                        let node = &self.caches[c].nodes[n].pool;
                        (node.busy_area(now), node.waits())
                    }
                    TierKind::FleetCpu(f) => {
                        pool_totals(self.fleets[f].instances.iter_mut().map(|h| &mut h.cpus), now)
                    }
                    TierKind::FleetWorkers(f) => pool_totals(
                        self.fleets[f].instances.iter_mut().map(|h| &mut h.workers),
                        now,
                    ),
                    TierKind::Database(d, k) => {
                        pool_totals(std::iter::once(&mut self.databases[d].instances[k].pool), now)
                    }
                    TierKind::Station(s) => {
                        pool_totals(std::iter::once(&mut self.stations[s].pool), now)
                    }
                };
                let (servers, offered) = match tier.kind {
                    TierKind::FleetCpu(f) | TierKind::FleetWorkers(f) => {
                        let fleet = &mut self.fleets[f];
                        fleet.in_service_meter.advance(now);
                        let in_service = fleet.in_service.len() as u64;
                        (
                            in_service * tier.capacity,
                            fleet.in_service_meter.area() as f64 * tier.capacity as f64,
                        )
                    }
                    _ => (tier.capacity, tier.capacity as f64 * span),
                };
                TierStats {
                    name: tier.name.clone(),
                    servers: if tier.unlimited { None } else { Some(servers) },
                    utilization: if offered > 0.0 { area as f64 / offered } else { 0.0 },
                    mean_wait_ms: waits.mean_wait_ms(),
                    probability_of_waiting: waits.probability_of_waiting(),
                    services: waits.started,
                    refused: waits.refused,
                }
            })
            .collect()
    }

    /// Instance counts of each fleet over the measured window.
    pub fn fleet_stats(&mut self, now: SimTime, measured: SimDuration) -> Vec<FleetStats> {
        let usage = self.usage(now);
        let span = measured.as_nanos().max(1) as f64;
        self.fleets
            .iter_mut()
            .zip(&self.fleet_components)
            .map(|(fleet, &id)| {
                fleet.in_service_meter.advance(now);
                let surplus = usage.surplus_credits.iter().find(|(c, _)| *c == id).map(|(_, s)| *s);
                FleetStats {
                    name: String::new(),
                    scaled: fleet.group.is_some(),
                    mean_in_service: fleet.in_service_meter.area() as f64 / span,
                    peak_in_service: fleet.peak_in_service,
                    launched: fleet.instances.len() as u32,
                    credits_at_end: fleet.capacity().credits,
                    surplus_credits: surplus,
                    decisions_taken: 0,
                    decisions_not_taken: 0,
                    instances: fleet
                        .instances
                        .iter()
                        .map(|i| {
                            let seconds = |t: SimTime| {
                                (t.as_nanos() as f64 - self.measured_start.as_nanos() as f64) / 1e9
                            };
                            InstanceTimeline {
                                launched_s: seconds(i.launched),
                                in_service_s: i.in_service_since.map(seconds),
                                terminated_s: i.terminated.map(seconds),
                            }
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// What the run used, for billing: every component billed by time ran
    /// from the start of the simulation to `end`.
    pub fn usage(&self, end: SimTime) -> Usage {
        let lives = |fleet: &Fleet| -> Vec<InstanceLife> {
            fleet
                .instances
                .iter()
                .map(|i| InstanceLife {
                    launched: i.launched,
                    terminated: i.terminated.unwrap_or(end).min(end),
                })
                .collect()
        };
        let mut usage = Usage::default();
        for (id, slot) in self.slots.iter().enumerate() {
            match *slot {
                Slot::Alb(a) => usage.lcu_hours.push((id, self.albs[a].lcu.hours.clone())),
                Slot::Fleet(f) => {
                    let fleet = &self.fleets[f];
                    usage.instance_lives.push((id, lives(fleet)));
                    if fleet.credit_rules.is_some() {
                        let surplus = fleet
                            .instances
                            .iter()
                            .filter(|i| i.terminated.is_none_or(|t| t > self.measured_start))
                            .map(|i| i.billable_surplus())
                            .sum();
                        usage.surplus_credits.push((id, surplus));
                    }
                }
                Slot::Rds(d) => {
                    let lives = self.databases[d]
                        .instances
                        .iter()
                        .map(|i| InstanceLife {
                            launched: SimTime::ZERO,
                            terminated: i.billed_until.unwrap_or(end).min(end),
                        })
                        .collect();
                    usage.database_lives.push((id, lives));
                }
                Slot::Cache(c) => usage.cache_nodes.push((id, self.caches[c].nodes.len() as u32)),
                Slot::Lambda(l) => usage.lambda.push((id, self.functions[l].counts)),
                Slot::ApiGateway(g) => {
                    usage.api_requests.push((id, self.gateways[g].counts.served))
                }
                Slot::Sqs(q) => {
                    let queue = &self.queues[q];
                    let long_poll = queue.spec.facts.long_poll_s as f64 * 1e9;
                    let empty = (queue.idle_pollers.area() as f64 / long_poll).round() as u64;
                    usage.sqs_requests.push((id, queue.counts, empty));
                }
                Slot::CloudFront(e) => usage.edge.push((id, self.edges[e].counts)),
                Slot::Station(_) => {}
            }
        }
        usage
    }
}
