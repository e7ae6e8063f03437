//! A pool of identical servers with a first-come-first-served queue: the
//! building block of stations, vCPUs, worker slots and database instances.

use std::collections::VecDeque;

use super::ReqId;
use crate::engine::time::SimTime;
use crate::stats::busy::BusyMeter;

/// What happened to a request that arrived at a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// A server was free: service starts now.
    Started,
    /// All servers were busy: the request waits its turn.
    Queued,
    /// All servers were busy and the queue was full: the request is refused.
    Refused,
}

/// Waiting-time counters of a pool since the end of the warm-up.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct WaitStats {
    /// Services started.
    pub started: u64,
    /// Of those, services that had to wait.
    pub waited: u64,
    /// Total wait of the started services, in nanoseconds.
    pub total_wait_ns: u128,
    /// Requests refused because the queue was full.
    pub refused: u64,
}

impl WaitStats {
    /// Mean wait in milliseconds over all started services.
    pub fn mean_wait_ms(&self) -> f64 {
        if self.started == 0 { 0.0 } else { self.total_wait_ns as f64 / self.started as f64 / 1e6 }
    }

    /// Share of started services that waited.
    pub fn probability_of_waiting(&self) -> f64 {
        if self.started == 0 { 0.0 } else { self.waited as f64 / self.started as f64 }
    }
}

/// `servers` identical servers and a FCFS queue of at most `queue_limit`.
#[derive(Debug, Clone)]
pub struct ServerPool {
    servers: u32,
    busy: u32,
    queue_limit: u32,
    queue: VecDeque<(ReqId, SimTime)>,
    meter: BusyMeter,
    waits: WaitStats,
}

impl ServerPool {
    /// A pool with `servers` servers (`u32::MAX` for unlimited) and room
    /// for `queue_limit` waiting requests.
    pub fn new(servers: u32, queue_limit: u32) -> ServerPool {
        ServerPool {
            servers,
            busy: 0,
            queue_limit,
            queue: VecDeque::new(),
            meter: BusyMeter::default(),
            waits: WaitStats::default(),
        }
    }

    /// A request arrives at `now`.
    #[inline]
    pub fn arrive(&mut self, now: SimTime, req: ReqId) -> Admission {
        if self.busy < self.servers {
            self.busy += 1;
            self.meter.set(now, u64::from(self.busy));
            self.waits.started += 1;
            Admission::Started
        } else if (self.queue.len() as u64) < u64::from(self.queue_limit) {
            self.queue.push_back((req, now));
            Admission::Queued
        } else {
            self.waits.refused += 1;
            Admission::Refused
        }
    }

    /// A service ends at `now`: returns the next request to start, if any
    /// waits; its server passes straight to it.
    #[inline]
    pub fn depart(&mut self, now: SimTime) -> Option<ReqId> {
        match self.queue.pop_front() {
            Some((next, queued_at)) => {
                self.waits.started += 1;
                self.waits.waited += 1;
                self.waits.total_wait_ns += u128::from(now.since(queued_at).as_nanos());
                Some(next)
            }
            None => {
                self.busy -= 1;
                self.meter.set(now, u64::from(self.busy));
                None
            }
        }
    }

    /// Empties the pool at `now`, as when the process behind it dies: every
    /// server is idle and the queue is gone. Returns the requests that were
    /// waiting; those in service are the caller's to account for.
    pub fn clear(&mut self, now: SimTime) -> Vec<ReqId> {
        self.busy = 0;
        self.meter.set(now, 0);
        self.queue.drain(..).map(|(req, _)| req).collect()
    }

    /// Servers busy now.
    pub fn busy(&self) -> u32 {
        self.busy
    }

    /// Requests waiting now.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Number of servers (`u32::MAX` for unlimited).
    pub fn servers(&self) -> u32 {
        self.servers
    }

    /// Forgets statistics so far (at the end of the warm-up).
    pub fn reset_stats(&mut self, now: SimTime) {
        self.meter.reset(now);
        self.waits = WaitStats::default();
    }

    /// The busy meter, for utilisation.
    pub fn meter_mut(&mut self) -> &mut BusyMeter {
        &mut self.meter
    }

    /// Busy-server nanoseconds since the warm-up, up to `now`.
    pub fn busy_area(&mut self, now: SimTime) -> u128 {
        self.meter.advance(now);
        self.meter.area()
    }

    /// Waiting-time counters since the warm-up.
    pub fn waits(&self) -> WaitStats {
        self.waits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_fcfs_and_refuses_when_the_queue_is_full() {
        let mut pool = ServerPool::new(1, 1);
        assert_eq!(pool.arrive(SimTime(0), 1), Admission::Started);
        assert_eq!(pool.arrive(SimTime(1), 2), Admission::Queued);
        assert_eq!(pool.arrive(SimTime(2), 3), Admission::Refused);
        assert_eq!(pool.depart(SimTime(5)), Some(2));
        assert_eq!(pool.depart(SimTime(9)), None);
        let waits = pool.waits();
        assert_eq!((waits.started, waits.waited, waits.refused), (2, 1, 1));
        assert_eq!(waits.total_wait_ns, 4);
        assert_eq!(pool.busy_area(SimTime(10)), 9);
    }
}
