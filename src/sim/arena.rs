//! The requests in flight, in a reusable arena: memory grows with the
//! number of requests in the system at once, never with the number
//! simulated.

use crate::components::ReqId;
use crate::engine::time::{SimDuration, SimTime};

/// One attempt of a request in flight, with the work drawn for the
/// request when it first arrived (common random numbers: two designs under
/// one seed see the same work, and a retry repeats the same work).
#[derive(Debug, Clone, Copy, Default)]
pub struct Request {
    /// When the request first arrived (its first attempt).
    pub call_start: SimTime,
    /// CPU time on its fleet's instance type.
    pub cpu: SimDuration,
    /// Its arrival number, warm-up included: with the access number, it
    /// draws the keys it touches.
    pub seq: u64,
    /// The key of its current data access.
    pub key: u64,
    /// When the current attempt reached its instance (for the load
    /// balancer's target response time).
    pub entered: SimTime,
    /// The component it is at (a station, or the fleet).
    pub at: u32,
    /// The instance serving it, within its fleet.
    pub instance: u32,
    /// Tells this slot's occupants apart, so that a timer set for an
    /// earlier attempt never fires on a later one (0: the slot is free).
    pub generation: u32,
    /// Its request class.
    pub class: u16,
    /// Attempt number, 1 for the first.
    pub attempt: u8,
    /// Database queries still to make.
    pub queries_left: u8,
    /// Where its current data access stands (a [`Phase`] as a number).
    pub phase: Phase,
    /// The cache node or database instance serving its current access.
    pub remote: u16,
    /// Arrived after the warm-up: counts in the statistics.
    pub measured: bool,
    /// The client has given up on this attempt; the server still finishes
    /// it, as wasted work.
    pub abandoned: bool,
    /// It holds a worker slot (or waits for one) on an instance of its
    /// fleet, `at`.
    pub on_instance: bool,
    /// Its instance crashed or was terminated under it: the client has had
    /// its error, and the slot is freed when the attempt's pending event
    /// fires, without touching the dead instance.
    pub killed: bool,
    /// The CloudFront distribution it came through, plus one (0: none).
    pub edge: u8,
    /// True when the edge must store the origin's answer.
    pub edge_fill: bool,
    /// True for the processing of a queue message, which no client waits
    /// for: its outcome goes to the queue, not to the request statistics.
    pub background: bool,
    /// For a background request, its queue and message slot.
    pub message: (u16, u32),
    /// The API Gateway API it came through, if any.
    pub gateway: u16,
}

/// The step of a data access a request is at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Phase {
    /// No data access under way.
    #[default]
    None,
    /// Reading its key from the cache.
    CacheGet,
    /// Reading from the database (after a cache miss, or with no cache).
    DbRead,
    /// Writing to the database.
    DbWrite,
    /// Storing what it read in the cache (after a miss).
    CacheFill,
    /// Deleting the key it wrote from the cache.
    CacheInvalidate,
    /// Storing the value it wrote in the cache.
    CacheWriteThrough,
}

/// Slots for requests, reused through a free list.
#[derive(Debug, Default)]
pub struct Arena {
    slots: Vec<Request>,
    free: Vec<ReqId>,
    generations: u32,
}

impl Arena {
    /// Stores a request, with a fresh generation, and returns its id.
    #[inline]
    pub fn insert(&mut self, mut request: Request) -> ReqId {
        request.generation = self.next_generation();
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
        let request = self.slots[id as usize];
        self.slots[id as usize].generation = 0;
        request
    }

    /// Gives the request in `id` a fresh generation, so that timers set
    /// for its previous attempt are ignored.
    #[inline]
    pub fn renew(&mut self, id: ReqId) -> u32 {
        let generation = self.next_generation();
        self.slots[id as usize].generation = generation;
        generation
    }

    fn next_generation(&mut self) -> u32 {
        self.generations = self.generations.wrapping_add(1).max(1);
        self.generations
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

    /// Ids of the requests in flight that `select` picks, by scanning every
    /// slot: for rare events such as faults, never per request.
    pub fn select(&self, select: impl Fn(&Request) -> bool) -> Vec<ReqId> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, r)| r.generation != 0 && select(r))
            .map(|(id, _)| id as ReqId)
            .collect()
    }
}
