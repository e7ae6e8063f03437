//! A caller's connection pool to one database instance, as an application
//! server keeps one per instance (HikariCP, pgx, SQLAlchemy): connections
//! opened on demand up to the pool's size and kept open, a query holding
//! one for its duration, and queries waiting first come, first served for
//! a free one, each up to the pool's wait timeout.
//!
//! The database side counts the connections all pools hold against its
//! `max_connections`: a pool that needs a new connection when the database
//! is full is refused. The pool then waits for one of its own connections
//! if it has any, and otherwise fails the query, as a driver reports "too
//! many connections".
//!
//! Assumption: opening a connection takes no time, and an open connection
//! is never closed for being idle (a pool's minimum idle and maximum
//! lifetime settings are left out).

use std::collections::VecDeque;

use super::ReqId;
use crate::engine::time::SimTime;

/// What a query found when it asked for a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acquired {
    /// It has a connection: the query goes to the database now.
    Now,
    /// It waits for one of the pool's connections.
    Waiting,
    /// The database refused a new connection and the pool has none to wait
    /// for: the query fails.
    Refused,
}

/// Waiting counters of a pool since the end of the warm-up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PoolCounts {
    /// Queries that had to wait for a connection.
    pub waited: u64,
    /// Their total wait, in nanoseconds (those that got one).
    pub wait_ns: u64,
    /// Queries that gave up waiting.
    pub timed_out: u64,
    /// New connections the database refused.
    pub refused: u64,
}

/// One caller instance's pool to one database instance.
#[derive(Debug, Clone)]
pub struct ConnectionPool {
    size: u32,
    open: u32,
    busy: u32,
    waiting: VecDeque<(ReqId, u32, SimTime)>,
    /// Counts since the end of the warm-up.
    pub counts: PoolCounts,
}

impl ConnectionPool {
    /// An empty pool of at most `size` connections.
    pub fn new(size: u32) -> ConnectionPool {
        ConnectionPool {
            size,
            open: 0,
            busy: 0,
            waiting: VecDeque::new(),
            counts: PoolCounts::default(),
        }
    }

    /// Connections open.
    pub fn open(&self) -> u32 {
        self.open
    }

    /// Opens connections up to the pool's size while `database_has_room`
    /// says yes (counting each), as a pool does when its application
    /// starts; a refusal stops it, and the pool opens the rest as queries
    /// need them.
    pub fn prefill(&mut self, mut database_has_room: impl FnMut() -> bool) {
        while self.open < self.size {
            if !database_has_room() {
                self.counts.refused += 1;
                return;
            }
            self.open += 1;
        }
    }

    /// A query (request `req`, attempt `generation`) asks for a connection
    /// at `now`. `database_has_room` is asked before opening a new one, and
    /// must count it when it answers yes.
    pub fn acquire(
        &mut self,
        req: ReqId,
        generation: u32,
        now: SimTime,
        database_has_room: impl FnOnce() -> bool,
    ) -> Acquired {
        if self.busy < self.open {
            self.busy += 1;
            return Acquired::Now;
        }
        if self.open < self.size {
            if database_has_room() {
                self.open += 1;
                self.busy += 1;
                return Acquired::Now;
            }
            self.counts.refused += 1;
            if self.open == 0 {
                return Acquired::Refused;
            }
        }
        self.waiting.push_back((req, generation, now));
        self.counts.waited += 1;
        Acquired::Waiting
    }

    /// A query gives its connection back at `now`: the first waiting query
    /// takes it and is returned.
    pub fn release(&mut self, now: SimTime) -> Option<ReqId> {
        match self.waiting.pop_front() {
            Some((next, _, since)) => {
                self.counts.wait_ns += now.since(since).as_nanos();
                Some(next)
            }
            None => {
                debug_assert!(self.busy > 0, "a connection released that was not taken");
                self.busy = self.busy.saturating_sub(1);
                None
            }
        }
    }

    /// The wait of request `req`'s attempt `generation` has run out: true
    /// if it was still waiting (and is no longer).
    pub fn give_up(&mut self, req: ReqId, generation: u32) -> bool {
        match self.waiting.iter().position(|&(r, g, _)| r == req && g == generation) {
            Some(k) => {
                self.waiting.remove(k);
                self.counts.timed_out += 1;
                true
            }
            None => false,
        }
    }

    /// Closes every connection, as when the caller or the database goes
    /// away: returns how many were open and the queries that were waiting.
    pub fn close_all(&mut self) -> (u32, Vec<ReqId>) {
        let open = self.open;
        self.open = 0;
        self.busy = 0;
        (open, self.waiting.drain(..).map(|(req, _, _)| req).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_up_to_its_size_then_queues_fcfs() {
        let mut pool = ConnectionPool::new(2);
        let t = SimTime(0);
        assert_eq!(pool.acquire(1, 1, t, || true), Acquired::Now);
        assert_eq!(pool.acquire(2, 1, t, || true), Acquired::Now);
        assert_eq!(pool.acquire(3, 1, t, || panic!("must not open a third")), Acquired::Waiting);
        assert_eq!(pool.acquire(4, 1, t, || true), Acquired::Waiting);
        assert!(pool.give_up(4, 1));
        assert!(!pool.give_up(4, 1));
        assert_eq!(pool.release(SimTime(7)), Some(3));
        assert_eq!(pool.release(SimTime(8)), None);
        assert_eq!(pool.acquire(5, 1, t, || panic!("one is idle")), Acquired::Now);
        assert_eq!(pool.counts, PoolCounts { waited: 2, wait_ns: 7, timed_out: 1, refused: 0 });
    }

    #[test]
    fn a_full_database_refuses_an_empty_pool_and_queues_a_busy_one() {
        let mut pool = ConnectionPool::new(3);
        assert_eq!(pool.acquire(1, 1, SimTime(0), || false), Acquired::Refused);
        assert_eq!(pool.acquire(2, 1, SimTime(0), || true), Acquired::Now);
        assert_eq!(pool.acquire(3, 1, SimTime(0), || false), Acquired::Waiting);
        assert_eq!(pool.counts.refused, 2);
        assert_eq!(pool.close_all(), (1, vec![3]));
    }
}
