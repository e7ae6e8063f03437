//! Servers with a fixed service time, served in arrival order: when each
//! request starts and ends is known the moment it arrives, so a visit costs
//! one event (its end) instead of two (its arrival and its end). Cache
//! nodes are such servers: every operation takes the same `op_time`.
//!
//! With FCFS and a known service time, booking a request on the server
//! that frees first gives exactly the start and end times a queue would;
//! the busy time up to any instant is the work booked less what still lies
//! ahead of each server, because a server's booked work after the present
//! runs without a gap (every booking starts no earlier than it is made).

use super::pool::WaitStats;
use crate::engine::time::{SimDuration, SimTime};

/// `free_at.len()` servers, each free from its `free_at` on.
#[derive(Debug, Clone)]
pub struct BookedServers {
    free_at: Vec<SimTime>,
    /// Service nanoseconds booked since the last reset.
    booked_ns: u128,
    /// Busy area at the last window's close.
    window_start_area: u128,
    waits: WaitStats,
}

impl BookedServers {
    /// `servers` idle servers (at least one).
    pub fn new(servers: u32) -> BookedServers {
        BookedServers {
            free_at: vec![SimTime::ZERO; servers.max(1) as usize],
            booked_ns: 0,
            window_start_area: 0,
            waits: WaitStats::default(),
        }
    }

    /// Books a request arriving at `now` for `service`: returns when its
    /// service ends.
    #[inline]
    pub fn book(&mut self, now: SimTime, service: SimDuration) -> SimTime {
        let server = if self.free_at.len() == 1 {
            0
        } else {
            (0..self.free_at.len()).min_by_key(|&s| self.free_at[s]).unwrap_or(0)
        };
        let start = self.free_at[server].max(now);
        let end = start + service;
        self.free_at[server] = end;
        self.booked_ns += u128::from(service.as_nanos());
        self.waits.started += 1;
        if start > now {
            self.waits.waited += 1;
            self.waits.total_wait_ns += u128::from(start.since(now).as_nanos());
        }
        end
    }

    /// Every server stops at `now`, as when the process behind them dies:
    /// the work booked beyond `now` is not done.
    pub fn clear(&mut self, now: SimTime) {
        let ahead = self.ahead(now);
        self.booked_ns -= ahead;
        for free in &mut self.free_at {
            *free = (*free).min(now);
        }
    }

    /// Work booked beyond `now`, over all servers.
    fn ahead(&self, now: SimTime) -> u128 {
        self.free_at.iter().map(|&f| u128::from(f.as_nanos().saturating_sub(now.as_nanos()))).sum()
    }

    /// Busy-server nanoseconds since the last reset, up to `now`.
    pub fn busy_area(&self, now: SimTime) -> u128 {
        self.booked_ns - self.ahead(now)
    }

    /// Busy-server nanoseconds since the previous call, up to `now`.
    pub fn take_window(&mut self, now: SimTime) -> u128 {
        let area = self.busy_area(now);
        let in_window = area - self.window_start_area;
        self.window_start_area = area;
        in_window
    }

    /// Forgets the statistics so far (at the end of the warm-up); work
    /// already booked beyond `now` stays counted.
    pub fn reset_stats(&mut self, now: SimTime) {
        self.booked_ns = self.ahead(now);
        self.window_start_area = 0;
        self.waits = WaitStats::default();
    }

    /// Waiting-time counters since the last reset.
    pub fn waits(&self) -> WaitStats {
        self.waits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One server, 10 ns each: arrivals at 0, 5 and 30 start at 0, 10 and
    /// 30; the second waits 5 ns.
    #[test]
    fn books_in_arrival_order_and_measures_busy_time() {
        let mut servers = BookedServers::new(1);
        let op = SimDuration(10);
        assert_eq!(servers.book(SimTime(0), op), SimTime(10));
        assert_eq!(servers.book(SimTime(5), op), SimTime(20));
        assert_eq!(servers.busy_area(SimTime(15)), 15);
        assert_eq!(servers.book(SimTime(30), op), SimTime(40));
        assert_eq!(servers.take_window(SimTime(35)), 25);
        assert_eq!(servers.take_window(SimTime(50)), 5);
        let waits = servers.waits();
        assert_eq!((waits.started, waits.waited, waits.total_wait_ns), (3, 1, 5));
    }

    /// Two servers take turns; clearing drops the work not yet done.
    #[test]
    fn two_servers_share_the_load_and_clear_drops_booked_work() {
        let mut servers = BookedServers::new(2);
        let op = SimDuration(10);
        assert_eq!(servers.book(SimTime(0), op), SimTime(10));
        assert_eq!(servers.book(SimTime(0), op), SimTime(10));
        assert_eq!(servers.book(SimTime(0), op), SimTime(20));
        servers.clear(SimTime(5));
        // Each server worked 5 ns before the clear; the third booking never
        // started.
        assert_eq!(servers.busy_area(SimTime(30)), 10);
        assert_eq!(servers.book(SimTime(6), op), SimTime(16));
    }
}
