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

use super::autoscaling::ScalingGroup;
use super::connections::ConnectionPool;
use super::pool::ServerPool;
use crate::catalogue::BurstableFacts;
use crate::engine::time::{SimDuration, SimTime};
use crate::scenario::model::{ComponentId, CreditMode, CreditSpec, FleetSpec, HealthChecks};
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
    /// Marked unhealthy by the target group's health checks: registered
    /// but sent no requests (unless every target is unhealthy); still
    /// running and billed.
    Unhealthy,
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
    /// In service when the run began: warmed up long before.
    pub initial: bool,
    /// Its application has crashed: it refuses every request.
    pub crashed: bool,
    /// When it was terminated (billing stops).
    pub terminated: Option<SimTime>,
    /// Share of full speed its vCPUs run at: 1, or a burstable type's
    /// baseline while it is held there for lack of credits.
    pub cpu_speed: f64,
    /// CPU credits held (negative: surplus credits spent in unlimited
    /// mode, not yet earned back).
    pub credits: f64,
    /// Surplus credits already charged (beyond what 24 hours of earnings
    /// can pay back), since the end of the warm-up.
    pub surplus_charged: f64,
    /// Surplus credits outstanding when the warm-up ended.
    pub surplus_at_warmup: f64,
    /// Its connection pool to each instance of the fleet's database.
    pub db_pools: Vec<ConnectionPool>,
    /// Its Availability Zone (an index into the run's zone names).
    pub zone: u8,
    /// Busy vCPU- and worker-nanoseconds already counted by the metrics;
    /// signed because the meters restart at the end of the warm-up.
    pub seen: (i128, i128),
}

impl Instance {
    /// The wall time of a CPU burst of `cpu` on one of its vCPUs, which run
    /// slower than full speed while a burstable instance is held to its
    /// baseline.
    #[inline]
    pub fn burst_time(&self, cpu: SimDuration) -> SimDuration {
        if self.cpu_speed >= 1.0 {
            cpu
        } else {
            SimDuration::from_secs_f64(cpu.as_secs_f64() / self.cpu_speed)
        }
    }

    /// True when the instance is in service and past its warm-up at
    /// `now`, so that its metrics count.
    pub fn counts_in_metrics(&self, now: SimTime, warmup: SimDuration) -> bool {
        self.state == InstanceState::InService
            && (self.initial || self.in_service_since.is_some_and(|t| t + warmup <= now))
    }

    /// Surplus credits to bill for the measured window, as of the run's end
    /// or the instance's termination.
    pub fn billable_surplus(&self) -> f64 {
        (self.surplus_charged + (-self.credits).max(0.0) - self.surplus_at_warmup).max(0.0)
    }
}

/// The CPU-credit rules of a burstable fleet.
#[derive(Debug, Clone)]
pub struct CreditRules {
    /// Standard or unlimited, and the launch balance.
    pub spec: CreditSpec,
    /// The type's credit figures.
    pub facts: BurstableFacts,
}

impl CreditRules {
    /// Accounts one interval of `elapsed` in which the instance used
    /// `busy_vcpu_ns` of vCPU time at its current speed.
    ///
    /// AWS (EC2 User Guide, "Key concepts for burstable instances"): one
    /// credit is one vCPU at 100 % for one minute; credits are earned at
    /// `credits_per_hour` and spent by use, at millisecond resolution; the
    /// balance is capped at 24 hours of earnings. In standard mode an empty
    /// balance holds the CPU to the baseline; in unlimited mode the
    /// instance spends surplus credits, which later earnings pay back, and
    /// surplus beyond 24 hours of earnings is charged at once.
    ///
    /// Simplifications: AWS lowers the CPU gradually as the balance nears
    /// zero; here the vCPUs drop to the baseline when it is empty and
    /// return to full speed once a minute of earnings is back, and the
    /// balance is settled every 10 s. A burst already running keeps its
    /// speed.
    pub fn account(&self, instance: &mut Instance, elapsed: SimDuration, busy_vcpu_ns: f64) {
        let earned = f64::from(self.facts.credits_per_hour) * elapsed.as_secs_f64() / 3_600.0;
        let spent = busy_vcpu_ns * instance.cpu_speed / 60e9;
        let cap = f64::from(self.facts.max_credits);
        instance.credits = (instance.credits + earned - spent).min(cap);
        match self.spec.mode {
            CreditMode::Standard => {
                if instance.credits <= 0.0 {
                    instance.credits = 0.0;
                    instance.cpu_speed = self.facts.baseline_per_vcpu;
                } else if instance.credits >= f64::from(self.facts.credits_per_hour) / 60.0 {
                    instance.cpu_speed = 1.0;
                }
            }
            CreditMode::Unlimited => {
                if instance.credits < -cap {
                    instance.surplus_charged += -cap - instance.credits;
                    instance.credits = -cap;
                }
            }
        }
    }
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
    /// The Auto Scaling group's decisions, when the fleet scales.
    pub group: Option<ScalingGroup>,
    /// CPU credits, for burstable types.
    pub credit_rules: Option<CreditRules>,
    /// Requests routed to the fleet in the current metric slot, and the sum
    /// and count of their response times at the instance.
    pub slot_requests: (u64, f64, u64),
    /// Most instances in service at once.
    pub peak_in_service: u32,
    /// The target group's health checks and the group's use of them.
    pub health: HealthChecks,
    /// Waiting on a downstream call after the CPU burst, and its stream.
    pub io: Option<(crate::engine::dist::Dist, crate::engine::random::Stream)>,
    /// How long a query waits for one of an instance's database
    /// connections before failing.
    pub pool_wait_timeout: Option<SimDuration>,
    workers: u32,
    pool_size: u32,
    /// The zones instances are spread over, in turn.
    zones: Vec<u8>,
    /// Whether a new instance's pools open all their connections at boot.
    pub pool_prefill: bool,
    database_instances: usize,
    accept_queue: u32,
    vcpus: u32,
}

impl Fleet {
    /// A fleet whose first `spec.count` instances are in service from the
    /// start of the run; `group` decides its capacity when it scales.
    pub fn new(spec: &FleetSpec, group: Option<ScalingGroup>, zones: Vec<u8>) -> Fleet {
        let credit_rules =
            spec.credits.as_deref().cloned().zip(spec.instance_type.burstable.clone());
        let mut fleet = Fleet {
            instances: Vec::new(),
            in_service: Vec::new(),
            desired: spec.count,
            database: spec.database,
            cursor: 0,
            in_service_meter: BusyMeter::default(),
            group,
            credit_rules: credit_rules.map(|(spec, facts)| CreditRules { spec, facts }),
            slot_requests: (0, 0.0, 0),
            peak_in_service: 0,
            health: spec.health,
            workers: spec.workers,
            io: None,
            pool_size: spec.pool.size,
            zones,
            pool_wait_timeout: spec.pool.wait_timeout,
            pool_prefill: spec.pool.prefill,
            database_instances: 0,
            accept_queue: spec.accept_queue,
            vcpus: spec.instance_type.vcpus,
        };
        for _ in 0..spec.count {
            let i = fleet.launch(SimTime::ZERO);
            fleet.instances[i].initial = true;
            fleet.put_in_service(i, SimTime::ZERO);
        }
        fleet
    }

    /// Gives every instance, now and later, a connection pool to each of
    /// the `instances` of the fleet's database.
    pub fn connect_pools(&mut self, instances: usize) {
        self.database_instances = instances;
        for host in &mut self.instances {
            host.db_pools = vec![ConnectionPool::new(self.pool_size); instances];
        }
    }

    /// vCPUs of one instance.
    pub fn vcpus(&self) -> u32 {
        self.vcpus
    }

    /// Worker slots of one instance.
    pub fn workers(&self) -> u32 {
        self.workers
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
            initial: false,
            crashed: false,
            terminated: None,
            cpu_speed: 1.0,
            credits: self.credit_rules.as_ref().map_or(0.0, |c| c.spec.initial),
            surplus_charged: 0.0,
            surplus_at_warmup: 0.0,
            db_pools: vec![ConnectionPool::new(self.pool_size); self.database_instances],
            zone: self.zones[self.instances.len() % self.zones.len()],
            seen: (0, 0),
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
        self.peak_in_service = self.peak_in_service.max(self.in_service.len() as u32);
    }

    /// The instance leaves the target group: no new requests.
    pub fn start_draining(&mut self, i: usize, now: SimTime) {
        self.leave_rotation(i, now);
        self.instances[i].state = InstanceState::Draining;
    }

    /// The target group has found the instance unhealthy: it is sent no
    /// more requests, but stays registered.
    pub fn mark_unhealthy(&mut self, i: usize, now: SimTime) {
        self.leave_rotation(i, now);
        self.instances[i].state = InstanceState::Unhealthy;
    }

    /// Instances registered but unhealthy, to which the load balancer fails
    /// open when no target is healthy.
    pub fn unhealthy(&self) -> impl Iterator<Item = usize> + '_ {
        self.instances
            .iter()
            .enumerate()
            .filter(|(_, i)| i.state == InstanceState::Unhealthy)
            .map(|(k, _)| k)
    }

    fn leave_rotation(&mut self, i: usize, now: SimTime) {
        self.in_service.retain(|&k| k as usize != i);
        self.in_service_meter.set(now, self.in_service.len() as u64);
    }

    /// The instance is gone (from any state).
    pub fn terminate(&mut self, i: usize, now: SimTime) {
        if self.instances[i].state == InstanceState::InService {
            self.leave_rotation(i, now);
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
                InstanceState::Pending
                    | InstanceState::Registered
                    | InstanceState::InService
                    | InstanceState::Unhealthy
            )
        })
    }

    /// Instances that count towards the desired capacity.
    pub fn live_count(&self) -> u32 {
        self.live().count() as u32
    }

    /// Instances pending, registered, or in service but still warming up at
    /// `now`.
    pub fn warming(&self, now: SimTime, warmup: SimDuration) -> u32 {
        self.live().filter(|(_, i)| !i.counts_in_metrics(now, warmup)).count() as u32
    }

    /// The fleet's instances by state, for the time series.
    pub fn capacity(&self) -> crate::stats::window::FleetCapacity {
        let (pending, in_service, draining) = self.counts();
        let unhealthy =
            self.instances.iter().filter(|i| i.state == InstanceState::Unhealthy).count() as u32;
        let credits = self.credit_rules.as_ref().and_then(|_| {
            let running: Vec<f64> = self
                .instances
                .iter()
                .filter(|i| i.state != InstanceState::Terminated)
                .map(|i| i.credits)
                .collect();
            (!running.is_empty()).then(|| running.iter().sum::<f64>() / running.len() as f64)
        });
        crate::stats::window::FleetCapacity {
            desired: self.desired,
            pending,
            in_service,
            draining,
            unhealthy,
            credits,
            throttled: self
                .instances
                .iter()
                .filter(|i| i.state != InstanceState::Terminated && i.cpu_speed < 1.0)
                .count() as u32,
        }
    }

    /// How many instances are in each state that matters for capacity:
    /// (pending or registered, in service, draining); unhealthy ones are
    /// counted apart.
    pub fn counts(&self) -> (u32, u32, u32) {
        let mut counts = (0, 0, 0);
        for instance in &self.instances {
            match instance.state {
                InstanceState::Pending | InstanceState::Registered => counts.0 += 1,
                InstanceState::InService => counts.1 += 1,
                InstanceState::Draining => counts.2 += 1,
                InstanceState::Terminated | InstanceState::Unhealthy => {}
            }
        }
        counts
    }
}
