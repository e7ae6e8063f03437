//! The loop's side of Auto Scaling and CPU credits: the 10-second metric
//! tick, instance lifecycle events, scheduled actions, and carrying out a
//! group's desired capacity.
//!
//! Lifecycle (EC2 Auto Scaling User Guide, "instance lifecycle"; ELB User
//! Guide, target groups): a launched instance is billed from launch and
//! boots for its drawn launch time; it then registers with the target
//! group and takes traffic after its first passing health check, which
//! comes at a uniformly drawn point of the check interval (AWS: a newly
//! registered target must pass one check). On scale-in it is deregistered
//! and drains: no new requests, in-flight ones finish, and it terminates as
//! soon as none is left or when the deregistration delay ends.
//!
//! Simplifications: an instance terminated at the end of its deregistration
//! delay still finishes the requests it holds (AWS would cut them off; with
//! the default 300 s delay and request times in milliseconds this does not
//! arise). Shutdown takes no time. The health-check grace period only
//! matters for health-based replacement, which needs failing instances:
//! that comes with fault injection.

use super::{Event, Simulation};
use crate::components::autoscaling::Capacity;
use crate::components::autoscaling::metrics::{SLOT, SlotActivity};
use crate::components::ec2::{Fleet, InstanceState};
use crate::engine::time::{SimDuration, SimTime};
use crate::scenario::model::TerminationOrder;

/// Nanoseconds in an hour, for the default termination policy.
const HOUR_NS: u64 = 3_600_000_000_000;

impl Simulation<'_> {
    /// Starts the metric tick and the scheduled actions, for runs with a
    /// scaled or burstable fleet.
    pub(super) fn schedule_scaling(&mut self) {
        let mut ticking = false;
        for (f, fleet) in self.runtime.fleets.iter().enumerate() {
            ticking |= fleet.group.is_some() || fleet.credit_rules.is_some();
            if let Some(action) = fleet.group.as_ref().and_then(|g| g.spec.scheduled.first()) {
                self.events.schedule(action.at, Event::Scheduled { fleet: f as u32 });
            }
        }
        if ticking {
            self.events.schedule(SimTime::ZERO + SLOT, Event::ScalingTick);
        }
    }

    /// A slot ends: credits are settled, metrics gathered, and every group
    /// evaluates its policies.
    pub(super) fn on_scaling_tick(&mut self) {
        let now = self.now;
        for f in 0..self.runtime.fleets.len() {
            let mut slot = gather_slot(&mut self.runtime.fleets[f], now);
            if let Some(q) = self.runtime.fleet_queue[f] {
                slot.backlog = self.runtime.queues[q].depth() as f64;
            }
            let fleet = &mut self.runtime.fleets[f];
            let Some(group) = fleet.group.as_mut() else { continue };
            group.history.push(slot);
            group.close_periods(now);
            let warmup = group.spec.instance_warmup;
            let live = fleet.instances.iter().filter(|i| is_live(i.state)).count() as u32;
            let warming = fleet.warming(now, warmup);
            let capacity = Capacity { desired: fleet.desired, warming };
            let settled = live == fleet.desired
                && fleet.instances.iter().all(|i| {
                    !matches!(
                        i.state,
                        InstanceState::Pending
                            | InstanceState::Registered
                            | InstanceState::Draining
                    )
                });
            let group = fleet.group.as_mut().expect("checked above");
            if settled && group.awaits_activity() {
                group.activity_completed(now);
            }
            let desired = group.evaluate(now, capacity, &mut self.scaling_log);
            self.set_desired(f, desired);
        }
        if now < self.end {
            self.events.schedule(now + SLOT, Event::ScalingTick);
        }
    }

    /// A scheduled action of fleet `f` is due; the next one is scheduled.
    pub(super) fn on_scheduled(&mut self, f: usize) {
        let fleet = &mut self.runtime.fleets[f];
        let desired = fleet.desired;
        let Some(group) = fleet.group.as_mut() else { return };
        let Some(&action) = group.spec.scheduled.get(group.next_scheduled) else { return };
        group.next_scheduled += 1;
        let decision = group.apply_scheduled(&action, desired);
        let to = decision.to;
        if let Some(next) = group.spec.scheduled.get(group.next_scheduled) {
            self.events.schedule(next.at, Event::Scheduled { fleet: f as u32 });
        }
        self.scaling_log.push(decision);
        self.set_desired(f, to);
    }

    /// Sets fleet `f`'s desired capacity and launches or removes instances
    /// to match it.
    pub(super) fn set_desired(&mut self, f: usize, desired: u32) {
        let now = self.now;
        let fleet = &mut self.runtime.fleets[f];
        fleet.desired = desired;
        let live = fleet.live_count();
        if desired > live {
            for _ in live..desired {
                let i = fleet.launch(now);
                let group = fleet.group.as_ref().expect("only groups change their capacity");
                let boot = group.spec.launch_time.sample(&mut self.runtime.lifecycle_streams[f]);
                let event = Event::InstanceBooted { fleet: f as u32, instance: i as u32 };
                self.events.schedule(now + boot, event);
            }
        }
        for _ in desired..live {
            let fleet = &mut self.runtime.fleets[f];
            let Some(victim) = choose_victim(fleet, now) else { break };
            match fleet.instances[victim].state {
                InstanceState::InService => {
                    fleet.start_draining(victim, now);
                    if fleet.instances[victim].outstanding == 0 {
                        self.terminate_instance(f, victim);
                    } else {
                        let delay = fleet
                            .group
                            .as_ref()
                            .map_or(SimDuration::ZERO, |g| g.spec.deregistration_delay);
                        let event =
                            Event::DrainDeadline { fleet: f as u32, instance: victim as u32 };
                        self.events.schedule(now + delay, event);
                    }
                }
                _ => self.terminate_instance(f, victim),
            }
        }
    }

    /// An instance has booted: it registers and waits for its first health
    /// check.
    pub(super) fn on_instance_booted(&mut self, f: usize, i: usize) {
        let fleet = &mut self.runtime.fleets[f];
        if fleet.instances[i].state != InstanceState::Pending {
            return;
        }
        fleet.instances[i].state = InstanceState::Registered;
        self.prefill_pools(f, i);
        let fleet = &mut self.runtime.fleets[f];
        let interval = fleet.health.interval;
        let phase = self.runtime.lifecycle_streams[f].uniform_open0();
        let check = SimDuration::from_secs_f64(interval.as_secs_f64() * phase);
        let event = Event::InstanceHealthy { fleet: f as u32, instance: i as u32 };
        self.events.schedule(self.now + check, event);
    }

    /// A registered instance passes its first health check and takes
    /// traffic.
    pub(super) fn on_instance_healthy(&mut self, f: usize, i: usize) {
        let fleet = &mut self.runtime.fleets[f];
        if fleet.instances[i].state == InstanceState::Registered {
            fleet.put_in_service(i, self.now);
            if let Some(q) = self.runtime.fleet_queue[f] {
                self.feed_consumer(q);
            }
        }
    }

    /// The deregistration delay of a draining instance is over.
    pub(super) fn on_drain_deadline(&mut self, f: usize, i: usize) {
        let fleet = &mut self.runtime.fleets[f];
        if fleet.instances[i].state == InstanceState::Draining {
            if fleet.instances[i].outstanding == 0 {
                self.terminate_instance(f, i);
            } else {
                // Its requests still finish; its connections close when the
                // last one leaves.
                fleet.terminate(i, self.now);
            }
        }
    }
}

fn is_live(state: InstanceState) -> bool {
    matches!(
        state,
        InstanceState::Pending
            | InstanceState::Registered
            | InstanceState::InService
            | InstanceState::Unhealthy
    )
}

/// The instance scale-in removes, by the group's termination policy.
fn choose_victim(fleet: &Fleet, now: SimTime) -> Option<usize> {
    let order =
        fleet.group.as_ref().map_or(TerminationOrder::OldestInstance, |g| g.spec.termination);
    let live = fleet.live();
    match order {
        TerminationOrder::OldestInstance => live.map(|(i, _)| i).next(),
        TerminationOrder::NewestInstance => live.map(|(i, _)| i).last(),
        // AWS's Default policy: first the Availability Zone with the most
        // instances (so the zones stay balanced), then (one launch
        // template here) the instance closest to the next billing hour:
        // the most time used of its current instance-hour. Ties go to the
        // lowest zone and the earliest launched instance. Assumption: AWS
        // then picks at random; this keeps runs reproducible.
        TerminationOrder::Default => {
            let mut per_zone: Vec<(u8, usize)> = Vec::new();
            for (_, host) in fleet.live() {
                match per_zone.iter_mut().find(|(z, _)| *z == host.zone) {
                    Some((_, n)) => *n += 1,
                    None => per_zone.push((host.zone, 1)),
                }
            }
            let zone = per_zone
                .iter()
                .max_by_key(|(z, n)| (*n, std::cmp::Reverse(*z)))
                .map(|(z, _)| *z)?;
            live.filter(|(_, host)| host.zone == zone)
                .max_by_key(|(i, host)| {
                    let used = now.since(host.launched).as_nanos() % HOUR_NS;
                    (used, std::cmp::Reverse(*i))
                })
                .map(|(i, _)| i)
        }
    }
}

/// Settles each instance's credits and gathers the group's metrics for
/// the slot that ends at `now`.
fn gather_slot(fleet: &mut Fleet, now: SimTime) -> SlotActivity {
    let warmup = fleet.group.as_ref().map_or(SimDuration::ZERO, |g| g.spec.instance_warmup);
    let vcpus = f64::from(fleet.vcpus());
    let workers = f64::from(fleet.workers());
    let slot_ns = SLOT.as_nanos() as f64;
    let slot_start = SimTime(now.as_nanos().saturating_sub(SLOT.as_nanos()));
    let (requests, response_ns, responses) = std::mem::take(&mut fleet.slot_requests);
    let mut slot = SlotActivity { requests, response_ns, responses, ..SlotActivity::default() };
    let credit_rules = fleet.credit_rules.clone();
    for host in fleet.instances.iter_mut() {
        if host.state == InstanceState::Terminated
            && host.terminated.is_some_and(|t| t < slot_start)
        {
            continue;
        }
        let cpu_area = host.cpus.busy_area(now) as i128;
        let worker_area = host.workers.busy_area(now) as i128;
        let cpu_busy = (cpu_area - host.seen.0) as f64;
        let worker_busy = (worker_area - host.seen.1) as f64;
        host.seen = (cpu_area, worker_area);
        if let Some(rules) = &credit_rules
            && host.state != InstanceState::Terminated
        {
            let elapsed = now.since(host.launched.max(slot_start));
            rules.account(host, elapsed, cpu_busy);
        }
        if host.state == InstanceState::InService {
            slot.targets_ns += slot_ns;
        }
        if host.counts_in_metrics(slot_start, warmup) {
            slot.counted_ns += slot_ns;
            slot.cpu_busy_ns += cpu_busy;
            slot.cpu_capacity_ns += vcpus * slot_ns;
            slot.worker_busy_ns += worker_busy;
            slot.worker_capacity_ns += workers * slot_ns;
        }
    }
    slot
}
