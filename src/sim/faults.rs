//! Faults and the system's answer to them: crashed and terminated
//! instances, the target group's health checks, and the Auto Scaling
//! group's health-based replacement.
//!
//! AWS (ELB User Guide, target group health checks): the load balancer
//! checks each target every `interval` and stops routing to it after
//! `unhealthy_threshold` failed checks in a row; when no target is healthy
//! it fails open and routes to all of them. AWS (EC2 Auto Scaling User
//! Guide, health checks): a group with health check type EC2 replaces only
//! instances that stop running; with type ELB it also replaces instances
//! the load balancer finds unhealthy, but not before the health check grace
//! period has passed since the instance entered service. It terminates the
//! unhealthy instance, then launches its replacement.
//!
//! Assumptions: a crashed application refuses connections, so each check
//! fails at once (no check timeout to wait for), and the first check after
//! the crash falls at a uniformly drawn point of the interval. The group
//! acts on an unhealthy instance the moment both the load balancer's
//! verdict and the end of the grace period are in (instances in service
//! when the run began are long past theirs), and notices a
//! terminated instance at its next 10-second evaluation; AWS publishes
//! neither cadence.

use super::clients::Failure;
use super::{Event, Simulation};
use crate::components::ReqId;
use crate::components::ec2::InstanceState;
use crate::engine::time::{SimDuration, SimTime};
use crate::scenario::model::FaultKind;
use crate::sim::result::LoggedEvent;

impl Simulation<'_> {
    /// Schedules the first fault, if any.
    pub(super) fn schedule_faults(&mut self) {
        if let Some(first) = self.scenario.faults.first() {
            self.events.schedule(first.at, Event::Fault { index: 0 });
        }
    }

    /// Fault `index` happens; the next one is scheduled.
    pub(super) fn on_fault(&mut self, index: usize) {
        let faults = &self.scenario.faults;
        if let Some(next) = faults.get(index + 1) {
            self.events.schedule(next.at, Event::Fault { index: index as u32 + 1 });
        }
        match faults[index].kind {
            FaultKind::Crash { fleet, count } => self.hit_instances(fleet, count, false),
            FaultKind::Terminate { fleet, count } => self.hit_instances(fleet, count, true),
            FaultKind::CacheNodeLoss { cache, node, replaced_after } => {
                let c = self.cache_index(cache);
                let nodes = &self.runtime.caches[c].nodes;
                if nodes[node as usize].down {
                    self.log_event(
                        cache,
                        "node lost",
                        format!("node {node} is already down: nothing more is lost"),
                    );
                    return;
                }
                let others_up =
                    nodes.iter().enumerate().any(|(n, s)| n != node as usize && !s.down);
                let goes_to = if others_up { "the other nodes" } else { "the database" };
                self.log_event(
                    cache,
                    "node lost",
                    format!(
                        "node {node} lost with its items; its keys go to {goes_to} until a \
                         replacement serves in {:.0} s",
                        replaced_after.as_secs_f64()
                    ),
                );
                self.lose_cache_node(c, node, replaced_after);
            }
            FaultKind::CacheFlush { cache } => {
                let c = self.cache_index(cache);
                let items = self.runtime.caches[c].items();
                self.runtime.caches[c].flush();
                self.log_event(
                    cache,
                    "flush",
                    format!("every node flushed: {items} items dropped"),
                );
            }
            FaultKind::DbFailure { db, recovery } => {
                let d = self.database_index(db);
                self.fail_primary(d, recovery);
            }
        }
    }

    /// The cache index of component `component`.
    fn cache_index(&self, component: usize) -> usize {
        match self.runtime.slots[component] {
            super::build::Slot::Cache(c) => c,
            _ => unreachable!("validation checks that the fault hits an elasticache component"),
        }
    }

    /// The database index of component `component`.
    fn database_index(&self, component: usize) -> usize {
        match self.runtime.slots[component] {
            super::build::Slot::Rds(d) => d,
            _ => unreachable!("validation checks that the fault hits an rds component"),
        }
    }

    /// Crashes or terminates up to `count` instances in service of the fleet
    /// with component id `component`, the oldest first.
    fn hit_instances(&mut self, component: usize, count: u32, terminate: bool) {
        let f = self.fleet_of(component);
        let fleet = &self.runtime.fleets[f];
        // A crash hits instances whose application still runs; a
        // termination hits any instance in the target group, crashed or not.
        let victims: Vec<usize> = fleet
            .instances
            .iter()
            .enumerate()
            .filter(|(_, host)| match terminate {
                true => matches!(host.state, InstanceState::InService | InstanceState::Unhealthy),
                false => host.state == InstanceState::InService && !host.crashed,
            })
            .map(|(i, _)| i)
            .take(count as usize)
            .collect();
        if victims.len() < count as usize {
            let what = if terminate { "in service or unhealthy" } else { "in service and running" };
            let detail = format!(
                "only {} of the {count} instances to {} were {what}",
                victims.len(),
                if terminate { "terminate" } else { "crash" }
            );
            self.log_event(component, "fault", detail);
        }
        for i in victims {
            self.kill_instance_requests(f, i);
            if terminate {
                self.terminate_instance(f, i);
                self.log_event(component, "terminated", format!("instance {i} terminated"));
            } else {
                self.log_event(
                    component,
                    "crash",
                    format!("the application on instance {i} crashed: it refuses every request"),
                );
                self.schedule_unhealthy(f, i);
            }
        }
    }

    /// The fleet index of component `component`.
    fn fleet_of(&self, component: usize) -> usize {
        self.runtime
            .fleet_components
            .iter()
            .position(|&c| c == component)
            .expect("validation checks that a fault hits an ec2 fleet")
    }

    /// Every attempt on instance `i` of fleet `f` fails at once: its client
    /// gets a 502 and retries or gives up; the instance's pools are emptied.
    fn kill_instance_requests(&mut self, f: usize, i: usize) {
        let now = self.now;
        let host = &mut self.runtime.fleets[f].instances[i];
        host.crashed = true;
        host.outstanding = 0;
        let mut waiting = host.workers.clear(now);
        waiting.extend(host.cpus.clear(now));
        waiting.extend(self.close_connections(f, i));
        waiting.sort_unstable();
        let on_host = self
            .requests
            .select(|r| r.on_instance && r.at as usize == f && r.instance as usize == i);
        for req in on_host {
            // A request waiting in a queue has no event pending: its slot is
            // freed now. One in service is freed when its event fires.
            let free_now = waiting.binary_search(&req).is_ok();
            self.kill_attempt(req, free_now);
        }
    }

    /// The attempt in `req` dies with its instance.
    fn kill_attempt(&mut self, req: ReqId, free_now: bool) {
        let request = *self.requests.get(req);
        {
            let slot = self.requests.get_mut(req);
            slot.killed = true;
            slot.abandoned = true;
            slot.on_instance = false;
        }
        if !request.abandoned {
            // The client was still waiting: it sees the error now, and a
            // retry (if any) needs a fresh slot, as this one is still held.
            let retry = self.requests.insert(crate::sim::arena::Request {
                killed: false,
                on_instance: false,
                ..request
            });
            self.attempt_failed(retry, Failure::TargetDown);
        }
        if free_now {
            self.requests.remove(req);
        }
    }

    /// Frees the slot of a killed attempt whose pending event has fired.
    pub(super) fn drop_killed(&mut self, req: ReqId) {
        self.requests.remove(req);
    }

    /// Schedules the moment the target group marks crashed instance `i`
    /// unhealthy: after its threshold of failed checks.
    fn schedule_unhealthy(&mut self, f: usize, i: usize) {
        if !self.runtime.alb_target.contains(&super::build::Target::Fleet(f)) {
            // No load balancer checks the fleet's health: requests keep
            // reaching the crashed instance.
            return;
        }
        let health = self.runtime.fleets[f].health;
        let phase = self.runtime.lifecycle_streams[f].uniform_open0();
        let interval = health.interval.as_secs_f64();
        let checks = f64::from(health.unhealthy_threshold - 1);
        let after = SimDuration::from_secs_f64(interval * (phase + checks));
        let event = Event::TargetUnhealthy { fleet: f as u32, instance: i as u32 };
        self.events.schedule(self.now + after, event);
    }

    /// The target group marks instance `i` unhealthy; a group with ELB
    /// health checks replaces it once its grace period is over.
    pub(super) fn on_target_unhealthy(&mut self, f: usize, i: usize) {
        let now = self.now;
        let component = self.runtime.fleet_components[f];
        let fleet = &mut self.runtime.fleets[f];
        if fleet.instances[i].state != InstanceState::InService {
            return;
        }
        fleet.mark_unhealthy(i, now);
        let health = fleet.health;
        let threshold = health.unhealthy_threshold;
        let detail = if fleet.in_service.is_empty() {
            format!(
                "instance {i} failed {threshold} health checks in a row; no target is healthy, \
                 so the load balancer fails open and routes to the unhealthy ones"
            )
        } else {
            format!("instance {i} failed {threshold} health checks in a row: no more requests")
        };
        self.log_event(component, "unhealthy", detail);
        let fleet = &self.runtime.fleets[f];
        if fleet.group.is_none() {
            return;
        }
        if !health.replace_unhealthy {
            self.log_event(
                component,
                "kept",
                format!(
                    "instance {i} stays: with health check type ec2 the group does not see \
                     a crashed application"
                ),
            );
            return;
        }
        // Instances in service when the run began have been running far
        // longer than any grace period.
        let instance = &fleet.instances[i];
        let at = if instance.initial {
            now
        } else {
            (instance.in_service_since.unwrap_or(now) + health.grace_period).max(now)
        };
        self.events.schedule(at, Event::ReplaceUnhealthy { fleet: f as u32, instance: i as u32 });
    }

    /// The group terminates unhealthy instance `i` and launches a
    /// replacement.
    pub(super) fn on_replace_unhealthy(&mut self, f: usize, i: usize) {
        let component = self.runtime.fleet_components[f];
        let fleet = &mut self.runtime.fleets[f];
        if fleet.instances[i].state != InstanceState::Unhealthy {
            return;
        }
        let desired = fleet.desired;
        self.terminate_instance(f, i);
        self.log_event(
            component,
            "replaced",
            format!(
                "instance {i} terminated by the group (health check type elb, grace period \
                 over); a replacement launches"
            ),
        );
        self.set_desired(f, desired);
    }

    /// Adds a line to the run's event log.
    pub(super) fn log_event(&mut self, component: usize, event: &str, detail: String) {
        let time_s = seconds_from(self.now, self.measured_start);
        self.event_log.push(LoggedEvent {
            time_s,
            component: self.scenario.components[component].name.clone(),
            event: event.to_string(),
            detail,
        });
    }
}

/// Seconds from `origin` to `t`, negative before it.
fn seconds_from(t: SimTime, origin: SimTime) -> f64 {
    (t.as_nanos() as f64 - origin.as_nanos() as f64) / 1e9
}
