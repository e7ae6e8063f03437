//! One run of a scenario: builds the running components, moves every
//! request through them on one event list, and returns what was measured.
//!
//! A run is one sequential loop; parallelism is across runs (`batch`).
//! The loop never allocates per event: events are small `Copy` values,
//! requests live in a reusable arena, and statistics are fixed-size.

mod arena;
mod build;
mod clients;
mod data;
mod faults;
mod queues;
mod result;
mod scaling;
mod serverless;

pub use result::{
    CacheStats, ClassStats, DbInstanceStats, EdgeStats, ErrorCounts, FleetStats, FunctionStats,
    GatewayStats, InstanceTimeline, LoggedEvent, PoolStats, QueueStats, RunResult, Stopped,
    TierStats, Usage,
};

use std::sync::atomic::{AtomicBool, Ordering};

use arena::{Arena, Request};
use build::{Runtime, Slot, Target};
use clients::{Clients, Failure};

use crate::components::ReqId;
use crate::components::client::RetryBudget;
use crate::components::ec2::InstanceState;
use crate::components::lambda::Job;
use crate::components::pool::Admission;
use crate::engine::queue::EventQueue;
use crate::engine::time::{SimDuration, SimTime};
use crate::scenario::Scenario;
use crate::stats::latency::{LatencyRecorder, empty_histogram};
use crate::stats::window::WindowRow;
use crate::traffic::Arrivals;

/// Attempts in flight beyond which a run stops: the system is so far
/// overloaded that its queues would take all the machine's memory (two
/// million attempts hold about 200 MB), and its latency figures would mean
/// nothing.
pub const MAX_IN_FLIGHT: usize = 2_000_000;

/// Events at one instant beyond which a run stops: simulated time stands
/// still (zero service and think times in a loop).
const MAX_EVENTS_AT_ONE_INSTANT: u64 = 50_000_000;

/// Messages waiting in the queues beyond which a run stops: each takes
/// about 50 bytes, so ten million hold about 500 MB.
pub const MAX_QUEUED_MESSAGES: usize = 10_000_000;

/// Events per simulated microsecond beyond which a run stops, once it has
/// executed [`CRAWL_CHECK_AFTER`] events: simulated time crawls (a loop of
/// nanosecond think times against an instant refusal, say), and the run
/// would take days. The busiest gallery scenario executes about 0.004.
const MAX_EVENTS_PER_MICROSECOND: u64 = 1_000;

/// Events after which the crawl check starts, and between two checks.
const CRAWL_CHECK_AFTER: u64 = 1 << 27;

/// Length of one row of the time series.
pub const WINDOW: SimDuration = SimDuration::from_secs(60);

/// Something that happens at an instant.
#[derive(Debug, Clone, Copy)]
enum Event {
    /// The next open-loop request arrives.
    Arrival,
    /// A closed-loop user has finished thinking and sends a request.
    UserReady,
    /// A request has crossed a load balancer.
    AlbForwarded { req: ReqId, alb: u32 },
    /// A request's CPU burst has ended.
    CpuDone { req: ReqId },
    /// A request's wait on a downstream call has ended.
    IoDone { req: ReqId },
    /// A cache node has served one of a request's operations.
    CacheDone { req: ReqId, cache: u32, epoch: u32 },
    /// One of a request's database queries has ended.
    QueryDone { req: ReqId, db: u32, epoch: u32 },
    /// A query has waited its pool's wait timeout for a connection.
    PoolTimeout { req: ReqId, generation: u32 },
    /// A Lambda invocation ends (`ok`: false when it hit its timeout);
    /// `job` is a request id, or a batch number with the top bit set.
    LambdaDone { lambda: u16, ok: bool, env: u32, job: u32 },
    /// An idle Lambda environment's lifetime runs out.
    LambdaReclaim { lambda: u16, env: u32, generation: u32 },
    /// API Gateway passes a request to its integration.
    ApiForwarded { req: ReqId, gateway: u32 },
    /// API Gateway's integration timeout for an attempt runs out.
    ApiTimeout { req: ReqId, generation: u32 },
    /// CloudFront answers a request from its cache.
    EdgeHit { req: ReqId },
    /// CloudFront forwards a request to its origin.
    EdgeForward { req: ReqId, edge: u32 },
    /// A producer's SendMessage returns: the message is in the queue.
    QueueSend { req: ReqId, queue: u32 },
    /// A received message's visibility timeout runs out.
    VisibilityTimeout { queue: u16, receive: u16, message: u32, generation: u32 },
    /// A minute of a Lambda event source's scaling passes.
    PollerTick,
    /// A Lambda event source's pause after a throttle is over.
    PollerResume { queue: u32 },
    /// A lost cache node's replacement serves, empty.
    CacheNodeBack { cache: u32, node: u32 },
    /// A failed database's primary serves again.
    DbRecovered { db: u32 },
    /// A request's service at a station has ended.
    StationDone { req: ReqId },
    /// The client's timeout for one attempt expires.
    Timeout { req: ReqId, generation: u32 },
    /// A request's backoff is over: its next attempt starts.
    Retry { req: ReqId },
    /// A 10-second metric slot ends: metrics, credits and scaling.
    ScalingTick,
    /// An instance has booted and registers with its target group.
    InstanceBooted { fleet: u32, instance: u32 },
    /// A registered instance passes its first health check.
    InstanceHealthy { fleet: u32, instance: u32 },
    /// A draining instance's deregistration delay is over.
    DrainDeadline { fleet: u32, instance: u32 },
    /// A scheduled action of a fleet's group is due.
    Scheduled { fleet: u32 },
    /// Fault `index` of the scenario happens.
    Fault { index: u32 },
    /// The target group marks a crashed instance unhealthy.
    TargetUnhealthy { fleet: u32, instance: u32 },
    /// The Auto Scaling group replaces an unhealthy instance.
    ReplaceUnhealthy { fleet: u32, instance: u32 },
    /// The warm-up is over: statistics start.
    WarmupEnd,
    /// A row of the time series closes.
    WindowEnd,
}

/// Counters of the current window.
#[derive(Debug, Default, Clone, Copy)]
struct WindowCounts {
    arrivals: u64,
    completed: u64,
    errors: u64,
    attempts: u64,
    retries: u64,
    timeouts: u64,
}

/// Counts over the measured window (requests that arrived in it).
#[derive(Debug, Default, Clone, Copy)]
struct RunTotals {
    arrivals: u64,
    completed: u64,
    failed: u64,
    attempts: u64,
    retries: u64,
    errors: ErrorCounts,
    wasted: u64,
    served: u64,
    internet_out_bytes: u64,
    cross_az_bytes: u64,
}

/// The state of one run.
struct Simulation<'s> {
    scenario: &'s Scenario,
    now: SimTime,
    events: EventQueue<Event>,
    requests: Arena,
    arrivals: Option<Arrivals>,
    runtime: Runtime,
    clients: Clients,
    measured_start: SimTime,
    end: SimTime,
    measuring: bool,
    window_start: SimTime,
    window: WindowCounts,
    latency: LatencyRecorder,
    rows: Vec<WindowRow>,
    totals: RunTotals,
    classes: Vec<ClassStats>,
    /// Every scaling decision, in time order.
    scaling_log: Vec<crate::components::autoscaling::ScalingDecision>,
    /// Faults and what the system did about them.
    event_log: Vec<LoggedEvent>,
    /// Set when the run cannot go on.
    stopped: Option<Stopped>,
    /// Requests that have arrived so far, warm-up included: the next one's
    /// number, from which its keys are drawn.
    arrivals_so_far: u64,
    /// Each fleet's connection-pool waits and timeouts at the last window's
    /// close.
    pool_seen: Vec<(u64, u64)>,
}

/// Runs replication `replication` of `scenario` to the end of its
/// measured window.
pub fn run(scenario: &Scenario, replication: u32) -> RunResult {
    run_until_cancelled(scenario, replication, &AtomicBool::new(false))
}

/// As [`run`], but the run stops (with [`RunResult::stopped`] saying so)
/// soon after `cancel` becomes true: an interrupted batch does not wait
/// for a long run to end.
pub fn run_until_cancelled(
    scenario: &Scenario,
    replication: u32,
    cancel: &AtomicBool,
) -> RunResult {
    let mut sim = Simulation::new(scenario, replication);
    sim.run_loop(cancel);
    sim.finish()
}

/// Events between two looks at the cancel flag.
const CANCEL_CHECK_EVERY: u64 = 1 << 20;

/// Why a cancelled run stopped.
pub const INTERRUPTED: &str = "interrupted (Ctrl-C or a stop signal)";

impl<'s> Simulation<'s> {
    fn new(scenario: &'s Scenario, replication: u32) -> Simulation<'s> {
        let runtime = Runtime::new(scenario, replication);
        let arrivals = scenario
            .traffic
            .arrivals
            .clone()
            .map(|spec| Arrivals::new(spec, runtime.stream("arrivals")));
        let clients = Clients {
            spec: scenario.client.clone(),
            backoff_stream: runtime.stream("client.backoff"),
            budget: scenario.client.retry_budget.map(RetryBudget::new),
            think: scenario
                .users
                .as_ref()
                .map(|u| (u.think.clone(), runtime.stream("users.think"))),
        };
        let classes = scenario
            .classes
            .iter()
            .map(|c| ClassStats {
                name: c.name.clone(),
                arrived: 0,
                completed: 0,
                failed: 0,
                latency: empty_histogram(),
            })
            .collect();
        let measured_start = SimTime::ZERO + scenario.warmup;
        let mut sim = Simulation {
            scenario,
            now: SimTime::ZERO,
            events: EventQueue::with_capacity(1_024),
            requests: Arena::default(),
            arrivals,
            runtime,
            clients,
            measured_start,
            end: measured_start + scenario.duration,
            measuring: false,
            window_start: measured_start,
            window: WindowCounts::default(),
            latency: LatencyRecorder::new(),
            rows: Vec::new(),
            totals: RunTotals::default(),
            classes,
            scaling_log: Vec::new(),
            event_log: Vec::new(),
            stopped: None,
            arrivals_so_far: 0,
            pool_seen: Vec::new(),
        };
        match &scenario.users {
            // Each user starts with a think, so that they do not all send
            // their first request at the same instant.
            Some(users) => {
                for _ in 0..users.count {
                    sim.user_thinks();
                }
            }
            None => {
                if let Some(first) = sim.arrivals.as_mut().and_then(|a| a.next_after(SimTime::ZERO))
                {
                    sim.events.schedule(first, Event::Arrival);
                }
            }
        }
        sim.events.schedule(measured_start, Event::WarmupEnd);
        sim.pool_seen = vec![(0, 0); sim.runtime.fleets.len()];
        for f in 0..sim.runtime.fleets.len() {
            for i in 0..sim.runtime.fleets[f].instances.len() {
                sim.prefill_pools(f, i);
            }
        }
        sim.schedule_scaling();
        sim.schedule_faults();
        sim.schedule_event_sources();
        sim
    }

    /// Pops and handles events until the measured window closes, or the
    /// run cannot go on.
    fn run_loop(&mut self, cancel: &AtomicBool) {
        let mut same_instant = 0u64;
        while let Some((at, event)) = self.events.pop() {
            if self.events.events_popped().is_multiple_of(CANCEL_CHECK_EVERY) {
                if cancel.load(Ordering::Relaxed) {
                    self.stop(INTERRUPTED.to_string());
                    return;
                }
                if self.events.events_popped().is_multiple_of(CRAWL_CHECK_AFTER) && self.crawling()
                {
                    return;
                }
            }
            if at == self.now {
                same_instant += 1;
                if same_instant > MAX_EVENTS_AT_ONE_INSTANT {
                    self.stop(format!(
                        "simulated time stood still: {MAX_EVENTS_AT_ONE_INSTANT} events at one \
                         instant (a loop of zero-time services or think times)"
                    ));
                    return;
                }
            } else {
                same_instant = 0;
            }
            self.now = at;
            match event {
                Event::Arrival => {
                    if self.requests.live() > MAX_IN_FLIGHT {
                        self.collapse(format!(
                            "more than {MAX_IN_FLIGHT} attempts were in the system at once: the \
                             load is far beyond what the design can serve, and its queues grow \
                             without bound"
                        ));
                        return;
                    }
                    self.on_arrival()
                }
                Event::UserReady => self.new_request(),
                Event::AlbForwarded { req, alb } => self.on_alb_forwarded(req, alb as usize),
                Event::CpuDone { req } => self.on_cpu_done(req),
                Event::IoDone { req } => {
                    if self.requests.get(req).killed {
                        self.drop_killed(req);
                    } else {
                        self.next_access(req);
                    }
                }
                Event::CacheDone { req, cache, epoch } => {
                    self.on_cache_done(req, cache as usize, epoch)
                }
                Event::QueryDone { req, db, epoch } => self.on_query_done(req, db as usize, epoch),
                Event::PoolTimeout { req, generation } => self.on_pool_timeout(req, generation),
                Event::CacheNodeBack { cache, node } => {
                    self.on_cache_node_back(cache as usize, node)
                }
                Event::DbRecovered { db } => self.on_db_recovered(db as usize),
                Event::LambdaDone { lambda, ok, env, job } => {
                    self.on_lambda_done(lambda as usize, env, job, ok)
                }
                Event::LambdaReclaim { lambda, env, generation } => {
                    self.runtime.functions[lambda as usize].reclaim(env, generation)
                }
                Event::ApiForwarded { req, gateway } => {
                    let target = self.runtime.gateways[gateway as usize].spec.target;
                    self.enter(target, req)
                }
                Event::ApiTimeout { req, generation } => self.on_gateway_timeout(req, generation),
                Event::EdgeHit { req } => self.answered(req),
                Event::EdgeForward { req, edge } => {
                    let origin = self.runtime.edges[edge as usize].spec.origin;
                    self.enter(origin, req)
                }
                Event::QueueSend { req, queue } => {
                    self.on_queue_send(req, queue as usize);
                    // A send is the only event that may stop the run (a
                    // queue past its message limit).
                    if self.stopped.is_some() {
                        return;
                    }
                }
                Event::VisibilityTimeout { queue, receive, message, generation } => {
                    self.on_visibility_timeout(queue as usize, message, generation, receive)
                }
                Event::PollerTick => self.on_event_source_tick(),
                Event::PollerResume { queue } => {
                    self.runtime.event_sources[queue as usize].backing_off = false;
                    self.feed_consumer(queue as usize);
                }
                Event::StationDone { req } => self.on_station_done(req),
                Event::Timeout { req, generation } => self.on_timeout(req, generation),
                Event::Retry { req } => self.start_attempt(req),
                Event::ScalingTick => self.on_scaling_tick(),
                Event::InstanceBooted { fleet, instance } => {
                    self.on_instance_booted(fleet as usize, instance as usize)
                }
                Event::InstanceHealthy { fleet, instance } => {
                    self.on_instance_healthy(fleet as usize, instance as usize)
                }
                Event::DrainDeadline { fleet, instance } => {
                    self.on_drain_deadline(fleet as usize, instance as usize)
                }
                Event::Scheduled { fleet } => self.on_scheduled(fleet as usize),
                Event::Fault { index } => self.on_fault(index as usize),
                Event::TargetUnhealthy { fleet, instance } => {
                    self.on_target_unhealthy(fleet as usize, instance as usize)
                }
                Event::ReplaceUnhealthy { fleet, instance } => {
                    self.on_replace_unhealthy(fleet as usize, instance as usize)
                }
                Event::WarmupEnd => self.on_warmup_end(),
                Event::WindowEnd => {
                    self.close_window();
                    if self.now >= self.end {
                        return;
                    }
                    let next = (self.now + WINDOW).min(self.end);
                    self.events.schedule(next, Event::WindowEnd);
                }
            }
        }
    }

    /// True, with the run stopped, when simulated time advances far more
    /// slowly than events are executed.
    fn crawling(&mut self) -> bool {
        let micros = self.now.as_nanos() / 1_000;
        if self.events.events_popped() <= micros.saturating_mul(MAX_EVENTS_PER_MICROSECOND) {
            return false;
        }
        self.stop(format!(
            "simulated time crawled: {} events in {:.6} s of simulated time (more than \
             {MAX_EVENTS_PER_MICROSECOND} per microsecond); a loop of near-zero think or service \
             times against an instant answer",
            self.events.events_popped(),
            self.now.as_secs_f64()
        ));
        true
    }

    /// Records why the run cannot go on.
    fn stop(&mut self, reason: String) {
        let at_s = (self.now.as_nanos() as f64 - self.measured_start.as_nanos() as f64) / 1e9;
        self.stopped = Some(Stopped { at_s, reason, overloaded: false });
    }

    /// Records that the design gave way under its load.
    fn collapse(&mut self, reason: String) {
        self.stop(reason);
        if let Some(stopped) = &mut self.stopped {
            stopped.overloaded = true;
        }
    }

    /// The next open-loop request arrives.
    fn on_arrival(&mut self) {
        if let Some(next) = self.arrivals.as_mut().and_then(|a| a.next_after(self.now)) {
            self.events.schedule(next, Event::Arrival);
        }
        self.new_request();
    }

    /// A closed-loop user thinks, then sends its next request.
    fn user_thinks(&mut self) {
        if let Some((think, stream)) = &mut self.clients.think {
            let at = self.now + think.sample(stream);
            self.events.schedule(at, Event::UserReady);
        }
    }

    /// A new request arrives: pick its class, draw its work, start its
    /// first attempt.
    fn new_request(&mut self) {
        let class = self.runtime.draw_class();
        let cpu = self.runtime.draw_cpu(class);
        let measured = self.measuring;
        let seq = self.arrivals_so_far;
        self.arrivals_so_far += 1;
        let req = self.requests.insert(Request {
            call_start: self.now,
            cpu,
            seq,
            class,
            attempt: 1,
            measured,
            ..Request::default()
        });
        if measured {
            self.window.arrivals += 1;
            self.totals.arrivals += 1;
            self.classes[class as usize].arrived += 1;
        }
        if let Some(budget) = &mut self.clients.budget {
            budget.first_attempt(self.now);
        }
        self.start_attempt(req);
    }

    /// An attempt leaves the client: its timer starts and it reaches the
    /// entry.
    fn start_attempt(&mut self, req: ReqId) {
        let request = self.requests.get_mut(req);
        request.queries_left = self.runtime.classes[request.class as usize].queries;
        let (generation, measured, retry) =
            (request.generation, request.measured, request.attempt > 1);
        if measured {
            self.window.attempts += 1;
            self.totals.attempts += 1;
            if retry {
                self.window.retries += 1;
                self.totals.retries += 1;
            }
        }
        if let Some(timeout) = self.clients.spec.timeout {
            self.events.schedule(self.now + timeout, Event::Timeout { req, generation });
        }
        self.enter(self.scenario.traffic.entry, req);
    }

    /// A request reaches component `id`.
    fn enter(&mut self, id: usize, req: ReqId) {
        match self.runtime.slots[id] {
            Slot::Alb(a) => {
                let plan = &self.runtime.classes[self.requests.get(req).class as usize];
                let (mut bytes, connections) = (plan.bytes, plan.connections);
                let alb = &mut self.runtime.albs[a];
                if let Target::Lambda(_) = self.runtime.alb_target[a] {
                    // AWS: an LCU covers 1 GB an hour for instance targets but
                    // 0.4 GB for Lambda targets; scaling the bytes keeps one
                    // meter for both.
                    let facts = &alb.spec.facts;
                    let ratio = facts.processed_gb_per_lcu_hour_ec2
                        / facts.processed_gb_per_lcu_hour_lambda;
                    bytes = (bytes as f64 * ratio) as u64;
                }
                alb.lcu.record(self.now, bytes, connections, alb.spec.rules.saturating_sub(10));
                let at = self.now + alb.spec.latency;
                self.events.schedule(at, Event::AlbForwarded { req, alb: a as u32 });
            }
            Slot::Fleet(f) => {
                let fleet = &mut self.runtime.fleets[f];
                if fleet.in_service.is_empty() {
                    self.attempt_failed(req, Failure::NoTargets);
                    return;
                }
                let k = fleet.cursor % fleet.in_service.len();
                fleet.cursor = k + 1;
                let instance = fleet.in_service[k] as usize;
                self.enter_instance(f, instance, req);
            }
            Slot::Station(s) => {
                self.requests.get_mut(req).at = s as u32;
                let station = &mut self.runtime.stations[s];
                if station.pool.arrive(self.now, req) == Admission::Started {
                    self.start_station_service(s, req);
                }
            }
            Slot::Lambda(l) => self.invoke(l, Job::Request(req)),
            Slot::ApiGateway(g) => self.enter_gateway(g, req),
            Slot::CloudFront(e) => self.enter_edge(e, req),
            Slot::Sqs(q) => {
                let at = self.now + self.runtime.queues[q].spec.send_latency;
                self.events.schedule(at, Event::QueueSend { req, queue: q as u32 });
            }
            Slot::Rds(_) | Slot::Cache(_) => {
                unreachable!("validation refuses a database or cache as the entry")
            }
        }
    }

    /// The load balancer forwards a request to one of its targets.
    fn on_alb_forwarded(&mut self, req: ReqId, alb: usize) {
        let fleet_id = match self.runtime.alb_target[alb] {
            Target::Fleet(f) => f,
            Target::Lambda(l) => {
                self.invoke(l, Job::Request(req));
                return;
            }
        };
        let fleet = &self.runtime.fleets[fleet_id];
        let targets = &fleet.in_service;
        if targets.is_empty() {
            // AWS: when every registered target is unhealthy the ALB fails
            // open and routes to them all; with none registered it answers
            // 503.
            let unhealthy: Vec<usize> = fleet.unhealthy().collect();
            if unhealthy.is_empty() {
                self.attempt_failed(req, Failure::NoTargets);
            } else {
                let pick = self.runtime.albs[alb].pick(|_| 0, unhealthy.len());
                self.enter_instance(fleet_id, unhealthy[pick], req);
            }
            return;
        }
        let k = self.runtime.albs[alb]
            .pick(|k| fleet.instances[targets[k] as usize].outstanding, targets.len());
        let instance = targets[k] as usize;
        self.enter_instance(fleet_id, instance, req);
    }

    /// A request reaches an instance: take a worker slot, wait for one, or
    /// be refused.
    fn enter_instance(&mut self, fleet: usize, instance: usize, req: ReqId) {
        if self.runtime.fleets[fleet].instances[instance].crashed {
            // AWS: the ALB answers 502 when a target refuses the connection.
            self.attempt_failed(req, Failure::TargetDown);
            return;
        }
        let request = self.requests.get_mut(req);
        request.at = fleet as u32;
        request.instance = instance as u32;
        request.entered = self.now;
        request.on_instance = true;
        let fleet_state = &mut self.runtime.fleets[fleet];
        fleet_state.slot_requests.0 += 1;
        let host = &mut fleet_state.instances[instance];
        host.outstanding += 1;
        match host.workers.arrive(self.now, req) {
            Admission::Started => self.start_cpu(fleet, instance, req),
            Admission::Queued => {}
            Admission::Refused => {
                host.outstanding -= 1;
                self.requests.get_mut(req).on_instance = false;
                self.attempt_failed(req, Failure::Refused);
            }
        }
    }

    /// A request with a worker slot asks for a vCPU.
    fn start_cpu(&mut self, fleet: usize, instance: usize, req: ReqId) {
        let host = &mut self.runtime.fleets[fleet].instances[instance];
        if host.cpus.arrive(self.now, req) == Admission::Started {
            let at = self.now + host.burst_time(self.requests.get(req).cpu);
            self.events.schedule(at, Event::CpuDone { req });
        }
    }

    /// A CPU burst ends: the vCPU passes on; the request queries the
    /// database or is answered.
    fn on_cpu_done(&mut self, req: ReqId) {
        let request = *self.requests.get(req);
        if request.killed {
            self.drop_killed(req);
            return;
        }
        let host =
            &mut self.runtime.fleets[request.at as usize].instances[request.instance as usize];
        if let Some(next) = host.cpus.depart(self.now) {
            let at = self.now + host.burst_time(self.requests.get(next).cpu);
            self.events.schedule(at, Event::CpuDone { req: next });
        }
        match &mut self.runtime.fleets[request.at as usize].io {
            Some((dist, stream)) => {
                let at = self.now + dist.sample(stream);
                self.events.schedule(at, Event::IoDone { req });
            }
            None => self.next_access(req),
        }
    }

    /// The instance answers: its response time counts in the metrics and
    /// the worker slot passes on.
    fn leave_instance(&mut self, req: ReqId) {
        let request = *self.requests.get(req);
        let fleet_state = &mut self.runtime.fleets[request.at as usize];
        fleet_state.slot_requests.1 += self.now.since(request.entered).as_nanos() as f64;
        fleet_state.slot_requests.2 += 1;
        self.release_worker(req);
        self.answered(req);
    }

    /// The request gives up its worker slot, which passes to the next
    /// request in the accept queue; a draining instance with nothing left
    /// terminates.
    fn release_worker(&mut self, req: ReqId) {
        self.requests.get_mut(req).on_instance = false;
        let request = *self.requests.get(req);
        let (fleet, instance) = (request.at as usize, request.instance as usize);
        let host = &mut self.runtime.fleets[fleet].instances[instance];
        host.outstanding -= 1;
        let drained = host.outstanding == 0 && host.state == InstanceState::Draining;
        let last_out = host.outstanding == 0 && host.state == InstanceState::Terminated;
        if let Some(next) = host.workers.depart(self.now) {
            self.start_cpu(fleet, instance, next);
        }
        if drained {
            self.terminate_instance(fleet, instance);
        } else if last_out {
            self.close_connections(fleet, instance);
        }
    }

    /// An attempt fails while it holds a worker slot on an instance (a
    /// database error): the slot passes on, then the client decides.
    fn fail_on_instance(&mut self, req: ReqId, failure: Failure) {
        self.release_worker(req);
        self.attempt_failed(req, failure);
    }

    /// Terminates an instance and closes its database connections.
    fn terminate_instance(&mut self, f: usize, i: usize) {
        self.runtime.fleets[f].terminate(i, self.now);
        self.close_connections(f, i);
    }

    /// Draws a station service time and schedules its end.
    fn start_station_service(&mut self, station: usize, req: ReqId) {
        let class = self.requests.get(req).class;
        let service = self.runtime.stations[station].draw_service(class);
        self.events.schedule(self.now + service, Event::StationDone { req });
    }

    /// A station service ends: the next request starts; this one moves on,
    /// or fails if the station answers with an error.
    fn on_station_done(&mut self, req: ReqId) {
        let s = self.requests.get(req).at as usize;
        if let Some(next) = self.runtime.stations[s].pool.depart(self.now) {
            self.start_station_service(s, next);
        }
        if self.runtime.stations[s].draw_error() {
            self.attempt_failed(req, Failure::ServerError);
            return;
        }
        match self.runtime.stations[s].route() {
            Some(next_component) => self.enter(next_component, req),
            None => self.answered(req),
        }
    }

    /// The system has answered an attempt successfully.
    fn answered(&mut self, req: ReqId) {
        let request = self.requests.remove(req);
        if request.background {
            self.message_processed(&request);
            return;
        }
        if request.measured {
            self.totals.served += 1;
        }
        if request.abandoned {
            if request.measured {
                self.totals.wasted += 1;
            }
            return;
        }
        if request.edge != 0 {
            self.leave_edge(&request);
        } else if request.measured && self.runtime.egress_metered {
            let bytes = self.runtime.classes[request.class as usize].response_bytes;
            self.totals.internet_out_bytes += bytes;
        }
        self.user_thinks();
        if request.measured {
            let latency = self.now.since(request.call_start).as_nanos();
            self.latency.record(latency);
            self.window.completed += 1;
            self.totals.completed += 1;
            let several_classes = self.classes.len() > 1;
            let class = &mut self.classes[request.class as usize];
            class.completed += 1;
            // A lone class's histogram is the run's, copied at the end:
            // one record per request instead of two.
            if several_classes {
                class.latency.saturating_record(latency.max(1));
            }
        }
    }

    /// The warm-up ends: statistics start from zero.
    fn on_warmup_end(&mut self) {
        self.measuring = true;
        self.runtime.reset_stats(self.now);
        self.pool_seen.iter_mut().for_each(|seen| *seen = (0, 0));
        self.window_start = self.now;
        if self.end > self.now {
            self.events.schedule((self.now + WINDOW).min(self.end), Event::WindowEnd);
        }
    }

    /// Closes the current row of the time series.
    fn close_window(&mut self) {
        let data = self.data_window();
        let length = self.now.since(self.window_start);
        let (functions, queues, edges) = self.serverless_window(length);
        let tiers = self.runtime.tiers.clone();
        let utilization = tiers
            .iter()
            .enumerate()
            .map(|(i, tier)| {
                let busy = self.runtime.tier_busy_window(tier, self.now) as f64;
                let offered = self.runtime.tier_capacity_window(i, self.now, length);
                if offered > 0.0 { busy / offered } else { 0.0 }
            })
            .collect();
        self.rows.push(WindowRow {
            offset_s: self.window_start.since(self.measured_start).as_secs_f64(),
            length_s: length.as_secs_f64(),
            arrivals: self.window.arrivals,
            completed: self.window.completed,
            errors: self.window.errors,
            attempts: self.window.attempts,
            retries: self.window.retries,
            timeouts: self.window.timeouts,
            latency: self.latency.close_window(),
            in_flight: self.requests.live() as u64,
            utilization,
            fleets: self.runtime.fleets.iter().map(|f| f.capacity()).collect(),
            caches: data.caches,
            databases: data.databases,
            pools: data.pools,
            functions,
            queues,
            edges,
        });
        self.window = WindowCounts::default();
        self.window_start = self.now;
    }

    /// Gathers the results once the measured window has closed.
    fn finish(mut self) -> RunResult {
        let t = self.totals;
        let events = self.events.events_popped();
        let (caches, databases, pools) = self.data_stats();
        let serverless = self.serverless_stats();
        let tiers = self.runtime.tier_stats(self.now, self.end.since(self.measured_start));
        let mut usage = self.runtime.usage(self.end);
        usage.internet_out_bytes = t.internet_out_bytes;
        usage.cross_az_bytes = t.cross_az_bytes;
        let mut fleets = self.runtime.fleet_stats(self.now, self.end.since(self.measured_start));
        for (stats, &id) in fleets.iter_mut().zip(&self.runtime.fleet_components) {
            stats.name = self.scenario.components[id].name.clone();
            let mine = self.scaling_log.iter().filter(|d| d.component == stats.name);
            let (taken, not_taken): (Vec<_>, Vec<_>) = mine.partition(|d| d.from != d.to);
            stats.decisions_taken = taken.len() as u64;
            stats.decisions_not_taken = not_taken.len() as u64;
        }
        if let [only] = self.classes.as_mut_slice() {
            only.latency = self.latency.total().clone();
        }
        RunResult {
            arrivals: t.arrivals,
            key_trace_replays: self.runtime.key_trace_replays,
            completed: t.completed,
            failed: t.failed,
            in_flight_at_end: t.arrivals - t.completed - t.failed,
            attempts: t.attempts,
            retries: t.retries,
            errors: t.errors,
            wasted: t.wasted,
            served: t.served,
            classes: self.classes,
            latency: self.latency.total().clone(),
            windows: self.rows,
            tiers,
            usage,
            events,
            fleets,
            scaling_log: self.scaling_log,
            event_log: self.event_log,
            caches,
            databases,
            pools,
            functions: serverless.functions,
            gateways: serverless.gateways,
            queues: serverless.queues,
            edges: serverless.edges,
            stopped: self.stopped,
        }
    }
}
