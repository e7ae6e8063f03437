//! A fleet of EC2 instances serving requests: the instances' physics and
//! their lifecycle.
//!
//! Each instance has worker slots (threads or connections) and vCPUs. A
//! request takes a worker slot for its whole life on the instance, waiting
//! in the accept queue when all are taken and refused when that is full; it
//! takes a vCPU only for its CPU burst (FCFS over the vCPUs) and keeps its
//! slot, but no vCPU, while it waits on the database.
//!
//! Assumption: the whole CPU burst happens before the database call; the
//! response time depends only on the sum, the vCPU load does not depend on
//! the order.
//!
//! Lifecycle (AWS EC2 Auto Scaling user guide, "Amazon EC2 Auto Scaling
//! instance lifecycle"): an instance is billed from launch; it boots
//! (`Pending`), is registered with the load balancer's target group and
//! waits for its first passing health check (`Registered`), then receives
//! traffic (`InService`). On scale-in it stops receiving new requests and
//! finishes those in flight (`Draining`, the target group's deregistration
//! delay), then is `Terminated` and billing stops. Terminated instances stay
//! in the list so that indices held by requests stay valid.

use super::pool::ServerPool;
use crate::engine::time::SimTime;
use crate::scenario::model::{ComponentId, FleetSpec};
use crate::stats::busy::BusyMeter;

/// Where an instance is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceState {
    /// Launched and booting.
    Pending,
    /// Booted and registered; waiting for its first passing health check.
    Registered,
    /// Receiving traffic.
    InService,
    /// Deregistered: no new requests, in-flight ones finish.
    Draining,
    /// Gone; billing has stopped.
    Terminated,
}

/// One instance during a run.
#[derive(Debug)]
pub struct Instance {
    /// Worker slots, with the accept queue.
    pub workers: ServerPool,
    /// vCPUs, with the run queue.
    pub cpus: ServerPool,
    /// Requests routed here and not yet answered (for least outstanding).
    pub outstanding: u32,
    /// Where it is in its life.
    pub state: InstanceState,
    /// When it was launched (billing starts).
    pub launched: SimTime,
    /// When it started receiving traffic.
    pub in_service_since: Option<SimTime>,
    /// When it was terminated (billing stops).
    pub terminated: Option<SimTime>,
}

/// A fleet during a run.
#[derive(Debug)]
pub struct Fleet {
    /// Every instance ever launched, in launch order.
    pub instances: Vec<Instance>,
    /// Indices of the instances receiving traffic, in launch order.
    pub in_service: Vec<u32>,
    /// The capacity the group aims for.
    pub desired: u32,
    /// The database each request queries, if any.
    pub database: Option<ComponentId>,
    /// Next instance for requests that arrive without a load balancer.
    pub cursor: usize,
    /// Instances in service over time, for utilisation.
    pub in_service_meter: BusyMeter,
    workers: u32,
    accept_queue: u32,
    vcpus: u32,
}

impl Fleet {
    /// A fleet whose first `spec.count` instances are in service from the
    /// start of the run.
    pub fn new(spec: &FleetSpec) -> Fleet {
        let mut fleet = Fleet {
            instances: Vec::new(),
            in_service: Vec::new(),
            desired: spec.count,
            database: spec.database,
            cursor: 0,
            in_service_meter: BusyMeter::default(),
            workers: spec.workers,
            accept_queue: spec.accept_queue,
            vcpus: spec.instance_type.vcpus,
        };
        for _ in 0..spec.count {
            let i = fleet.launch(SimTime::ZERO);
            fleet.put_in_service(i, SimTime::ZERO);
        }
        fleet
    }

    /// vCPUs of one instance.
    pub fn vcpus(&self) -> u32 {
        self.vcpus
    }

    /// Launches a new instance at `now`; returns its index.
    pub fn launch(&mut self, now: SimTime) -> usize {
        self.instances.push(Instance {
            workers: ServerPool::new(self.workers, self.accept_queue),
            cpus: ServerPool::new(self.vcpus, u32::MAX),
            outstanding: 0,
            state: InstanceState::Pending,
            launched: now,
            in_service_since: None,
            terminated: None,
        });
        self.instances.len() - 1
    }

    /// The instance has passed its first health check: it takes traffic.
    pub fn put_in_service(&mut self, i: usize, now: SimTime) {
        let instance = &mut self.instances[i];
        instance.state = InstanceState::InService;
        instance.in_service_since = Some(now);
        instance.cpus.meter_mut().advance(now);
        instance.workers.meter_mut().advance(now);
        self.in_service.push(i as u32);
        self.in_service_meter.set(now, self.in_service.len() as u64);
    }

    /// The instance leaves the target group: no new requests.
    pub fn start_draining(&mut self, i: usize, now: SimTime) {
        self.instances[i].state = InstanceState::Draining;
        self.in_service.retain(|&k| k as usize != i);
        self.in_service_meter.set(now, self.in_service.len() as u64);
    }

    /// The instance is gone (from any state).
    pub fn terminate(&mut self, i: usize, now: SimTime) {
        if self.instances[i].state == InstanceState::InService {
            self.start_draining(i, now);
        }
        let instance = &mut self.instances[i];
        instance.state = InstanceState::Terminated;
        instance.terminated = Some(now);
    }

    /// Instances that count towards the desired capacity: launched and
    /// not leaving.
    pub fn live(&self) -> impl Iterator<Item = (usize, &Instance)> {
        self.instances.iter().enumerate().filter(|(_, i)| {
            matches!(
                i.state,
                InstanceState::Pending | InstanceState::Registered | InstanceState::InService
            )
        })
    }

    /// How many instances are in each state that matters for capacity:
    /// (pending or registered, in service, draining).
    pub fn counts(&self) -> (u32, u32, u32) {
        let mut counts = (0, 0, 0);
        for instance in &self.instances {
            match instance.state {
                InstanceState::Pending | InstanceState::Registered => counts.0 += 1,
                InstanceState::InService => counts.1 += 1,
                InstanceState::Draining => counts.2 += 1,
                InstanceState::Terminated => {}
            }
        }
        counts
    }
}
