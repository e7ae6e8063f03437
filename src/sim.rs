//! One run of a scenario: builds the running components, moves every
//! request through them on one event list, and returns what was measured.
//!
//! A run is one sequential loop; parallelism is across runs (`batch`).
//! The loop never allocates per event: events are small `Copy` values,
//! requests live in a reusable arena, and statistics are fixed-size.

mod arena;
mod build;
mod result;

pub use result::{ErrorCounts, RunResult, TierStats, Usage};

use arena::{Arena, Request};
use build::{Runtime, Slot};

use crate::components::ReqId;
use crate::components::pool::Admission;
use crate::engine::queue::EventQueue;
use crate::engine::time::{SimDuration, SimTime};
use crate::scenario::Scenario;
use crate::stats::latency::LatencyRecorder;
use crate::stats::window::WindowRow;
use crate::traffic::Arrivals;

/// Length of one row of the time series.
pub const WINDOW: SimDuration = SimDuration::from_secs(60);

/// Something that happens at an instant.
#[derive(Debug, Clone, Copy)]
enum Event {
    /// The next open-loop request arrives.
    Arrival,
    /// A request has crossed a load balancer.
    AlbForwarded { req: ReqId, alb: u32 },
    /// A request's CPU burst has ended.
    CpuDone { req: ReqId },
    /// A request's database query has ended.
    QueryDone { req: ReqId, db: u32 },
    /// A request's service at a station has ended.
    StationDone { req: ReqId },
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
}

/// The state of one run.
struct Simulation<'s> {
    scenario: &'s Scenario,
    now: SimTime,
    events: EventQueue<Event>,
    requests: Arena,
    arrivals: Arrivals,
    runtime: Runtime,
    measured_start: SimTime,
    end: SimTime,
    measuring: bool,
    window_start: SimTime,
    window: WindowCounts,
    latency: LatencyRecorder,
    rows: Vec<WindowRow>,
    totals: RunTotals,
}

/// Counts over the measured window.
#[derive(Debug, Default, Clone, Copy)]
struct RunTotals {
    arrivals: u64,
    completed: u64,
    errors: ErrorCounts,
    in_flight: u64,
}

/// Runs replication `replication` of `scenario` to the end of its
/// measured window.
pub fn run(scenario: &Scenario, replication: u32) -> RunResult {
    let mut sim = Simulation::new(scenario, replication);
    sim.run_loop();
    sim.finish()
}

impl<'s> Simulation<'s> {
    fn new(scenario: &'s Scenario, replication: u32) -> Simulation<'s> {
        let runtime = Runtime::new(scenario, replication);
        let arrivals = Arrivals::new(scenario.traffic.arrivals.clone(), runtime.stream("arrivals"));
        let measured_start = SimTime::ZERO + scenario.warmup;
        let mut sim = Simulation {
            scenario,
            now: SimTime::ZERO,
            events: EventQueue::with_capacity(1_024),
            requests: Arena::default(),
            arrivals,
            runtime,
            measured_start,
            end: measured_start + scenario.duration,
            measuring: false,
            window_start: measured_start,
            window: WindowCounts::default(),
            latency: LatencyRecorder::new(),
            rows: Vec::new(),
            totals: RunTotals::default(),
        };
        if let Some(first) = sim.arrivals.next_after(SimTime::ZERO) {
            sim.events.schedule(first, Event::Arrival);
        }
        sim.events.schedule(measured_start, Event::WarmupEnd);
        sim
    }

    /// Pops and handles events until the measured window closes.
    fn run_loop(&mut self) {
        while let Some((at, event)) = self.events.pop() {
            self.now = at;
            match event {
                Event::Arrival => self.on_arrival(),
                Event::AlbForwarded { req, alb } => self.on_alb_forwarded(req, alb as usize),
                Event::CpuDone { req } => self.on_cpu_done(req),
                Event::QueryDone { req, db } => self.on_query_done(req, db as usize),
                Event::StationDone { req } => self.on_station_done(req),
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

    /// A new request arrives: draw its work, then send it to the entry.
    fn on_arrival(&mut self) {
        if let Some(next) = self.arrivals.next_after(self.now) {
            self.events.schedule(next, Event::Arrival);
        }
        let (cpu, query) = self.runtime.draw_work();
        let measured = self.measuring;
        let req = self.requests.insert(Request {
            arrived: self.now,
            cpu,
            query,
            measured,
            ..Request::default()
        });
        if measured {
            self.window.arrivals += 1;
            self.totals.arrivals += 1;
        }
        self.enter(self.scenario.traffic.entry, req);
    }

    /// A request reaches component `id`.
    fn enter(&mut self, id: usize, req: ReqId) {
        match self.runtime.slots[id] {
            Slot::Alb(a) => {
                let alb = &mut self.runtime.albs[a];
                alb.lcu.record(
                    self.now,
                    self.runtime.bytes_per_request,
                    self.runtime.connections_per_request,
                    alb.spec.rules.saturating_sub(10),
                );
                let at = self.now + alb.spec.latency;
                self.events.schedule(at, Event::AlbForwarded { req, alb: a as u32 });
            }
            Slot::Fleet(f) => {
                let fleet = &mut self.runtime.fleets[f];
                let instance = fleet.cursor % fleet.instances.len();
                fleet.cursor = instance + 1;
                self.enter_instance(f, instance, req);
            }
            Slot::Station(s) => {
                self.requests.get_mut(req).at = s as u32;
                let station = &mut self.runtime.stations[s];
                if station.pool.arrive(self.now, req) == Admission::Started {
                    self.start_station_service(s, req);
                }
            }
            Slot::Rds(_) => unreachable!("validation refuses a database as the entry"),
        }
    }

    /// The load balancer forwards a request to one of its targets.
    fn on_alb_forwarded(&mut self, req: ReqId, alb: usize) {
        let fleet_id = self.runtime.alb_fleet[alb];
        let fleet = &self.runtime.fleets[fleet_id];
        let count = fleet.instances.len();
        let instance = self.runtime.albs[alb].pick(|i| fleet.instances[i].outstanding, count);
        self.enter_instance(fleet_id, instance, req);
    }

    /// A request reaches an instance: take a worker slot, wait for one, or
    /// be refused.
    fn enter_instance(&mut self, fleet: usize, instance: usize, req: ReqId) {
        let request = self.requests.get_mut(req);
        request.at = fleet as u32;
        request.instance = instance as u32;
        let host = &mut self.runtime.fleets[fleet].instances[instance];
        host.outstanding += 1;
        match host.workers.arrive(self.now, req) {
            Admission::Started => self.start_cpu(fleet, instance, req),
            Admission::Queued => {}
            Admission::Refused => {
                host.outstanding -= 1;
                self.fail(req);
            }
        }
    }

    /// A request with a worker slot asks for a vCPU.
    fn start_cpu(&mut self, fleet: usize, instance: usize, req: ReqId) {
        let cpus = &mut self.runtime.fleets[fleet].instances[instance].cpus;
        if cpus.arrive(self.now, req) == Admission::Started {
            let at = self.now + self.requests.get(req).cpu;
            self.events.schedule(at, Event::CpuDone { req });
        }
    }

    /// A CPU burst ends: the vCPU passes on; the request queries the
    /// database or is answered.
    fn on_cpu_done(&mut self, req: ReqId) {
        let request = *self.requests.get(req);
        let fleet = &mut self.runtime.fleets[request.at as usize];
        if let Some(next) = fleet.instances[request.instance as usize].cpus.depart(self.now) {
            let at = self.now + self.requests.get(next).cpu;
            self.events.schedule(at, Event::CpuDone { req: next });
        }
        match fleet.database {
            Some(db_id) => {
                let Slot::Rds(db) = self.runtime.slots[db_id] else {
                    unreachable!("validation checks that a fleet's database is rds")
                };
                if self.runtime.databases[db].pool.arrive(self.now, req) == Admission::Started {
                    self.events.schedule(
                        self.now + request.query,
                        Event::QueryDone { req, db: db as u32 },
                    );
                }
            }
            None => self.leave_instance(req),
        }
    }

    /// A query ends: the database serves the next; the request returns to
    /// its instance.
    fn on_query_done(&mut self, req: ReqId, db: usize) {
        if let Some(next) = self.runtime.databases[db].pool.depart(self.now) {
            let at = self.now + self.requests.get(next).query;
            self.events.schedule(at, Event::QueryDone { req: next, db: db as u32 });
        }
        self.leave_instance(req);
    }

    /// The instance answers: the worker slot passes to the next request in
    /// the accept queue.
    fn leave_instance(&mut self, req: ReqId) {
        let request = *self.requests.get(req);
        let (fleet, instance) = (request.at as usize, request.instance as usize);
        let host = &mut self.runtime.fleets[fleet].instances[instance];
        host.outstanding -= 1;
        if let Some(next) = host.workers.depart(self.now) {
            self.start_cpu(fleet, instance, next);
        }
        self.complete(req);
    }

    /// Draws a station service time and schedules its end.
    fn start_station_service(&mut self, station: usize, req: ReqId) {
        let station = &mut self.runtime.stations[station];
        let service = station.service.sample(&mut station.service_stream);
        self.events.schedule(self.now + service, Event::StationDone { req });
    }

    /// A station service ends: the next request starts; this one moves on.
    fn on_station_done(&mut self, req: ReqId) {
        let s = self.requests.get(req).at as usize;
        if let Some(next) = self.runtime.stations[s].pool.depart(self.now) {
            self.start_station_service(s, next);
        }
        match self.runtime.stations[s].route() {
            Some(next_component) => self.enter(next_component, req),
            None => self.complete(req),
        }
    }

    /// A request is answered successfully.
    fn complete(&mut self, req: ReqId) {
        let request = self.requests.remove(req);
        if request.measured {
            self.latency.record(self.now.since(request.arrived).as_nanos());
            self.window.completed += 1;
            self.totals.completed += 1;
        }
    }

    /// A request fails (refused by a full accept queue).
    fn fail(&mut self, req: ReqId) {
        let request = self.requests.remove(req);
        if request.measured {
            self.window.errors += 1;
            self.totals.errors.refused += 1;
        }
    }

    /// The warm-up ends: statistics start from zero.
    fn on_warmup_end(&mut self) {
        self.measuring = true;
        self.runtime.reset_stats(self.now);
        self.window_start = self.now;
        if self.end > self.now {
            self.events.schedule((self.now + WINDOW).min(self.end), Event::WindowEnd);
        }
    }

    /// Closes the current row of the time series.
    fn close_window(&mut self) {
        let length = self.now.since(self.window_start);
        let utilization = self
            .runtime
            .tiers
            .clone()
            .iter()
            .map(|tier| {
                self.runtime.tier_busy_window(tier, self.now) as f64
                    / (tier.capacity as f64 * length.as_nanos().max(1) as f64)
            })
            .collect();
        self.rows.push(WindowRow {
            offset_s: self.window_start.since(self.measured_start).as_secs_f64(),
            length_s: length.as_secs_f64(),
            arrivals: self.window.arrivals,
            completed: self.window.completed,
            errors: self.window.errors,
            latency: self.latency.close_window(),
            in_flight: self.requests.live() as u64,
            utilization,
        });
        self.window = WindowCounts::default();
        self.window_start = self.now;
    }

    /// Gathers the results once the measured window has closed.
    fn finish(mut self) -> RunResult {
        self.totals.in_flight =
            self.totals.arrivals - self.totals.completed - self.totals.errors.total();
        let events = self.events.events_popped();
        let tiers = self.runtime.tier_stats(self.now, self.end.since(self.measured_start));
        let usage = self.runtime.usage(self.end);
        RunResult {
            arrivals: self.totals.arrivals,
            completed: self.totals.completed,
            errors: self.totals.errors,
            in_flight_at_end: self.totals.in_flight,
            latency: self.latency.total().clone(),
            windows: self.rows,
            tiers,
            usage,
            events,
        }
    }
}
