//! The requests in flight, in a reusable arena: memory grows with the
//! number of requests in the system at once, never with the number
//! simulated.

use crate::components::ReqId;
use crate::engine::time::{SimDuration, SimTime};

/// One request in flight, with the work drawn for it at arrival (common
/// random numbers: two designs under one seed see the same work).
#[derive(Debug, Clone, Copy, Default)]
pub struct Request {
    /// When it arrived at the entry.
    pub arrived: SimTime,
    /// CPU time on its fleet's instance type.
    pub cpu: SimDuration,
    /// Database query time.
    pub query: SimDuration,
    /// The component it is at (a station, or the fleet).
    pub at: u32,
    /// The instance serving it, within its fleet.
    pub instance: u32,
    /// Arrived after the warm-up: counts in the statistics.
    pub measured: bool,
}

/// Slots for requests, reused through a free list.
#[derive(Debug, Default)]
pub struct Arena {
    slots: Vec<Request>,
    free: Vec<ReqId>,
}

impl Arena {
    /// Stores a request and returns its id.
    #[inline]
    pub fn insert(&mut self, request: Request) -> ReqId {
        match self.free.pop() {
            Some(id) => {
                self.slots[id as usize] = request;
                id
            }
            None => {
                self.slots.push(request);
                (self.slots.len() - 1) as ReqId
            }
        }
    }

    /// Releases a request's slot.
    #[inline]
    pub fn remove(&mut self, id: ReqId) -> Request {
        self.free.push(id);
        self.slots[id as usize]
    }

    /// The request with this id.
    #[inline]
    pub fn get(&self, id: ReqId) -> &Request {
        &self.slots[id as usize]
    }

    /// The request with this id, to update.
    #[inline]
    pub fn get_mut(&mut self, id: ReqId) -> &mut Request {
        &mut self.slots[id as usize]
    }

    /// Requests in flight now.
    pub fn live(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}
