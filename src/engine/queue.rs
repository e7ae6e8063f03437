//! The future-event list: one binary heap ordered by (time, sequence).
//!
//! The sequence number is assigned at scheduling, so events due at the same
//! nanosecond run in the order they were scheduled, every run, on every
//! machine. Push and pop cost O(log n) in the number of pending events, which
//! stays small: it grows with requests in flight, not with requests simulated.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::time::SimTime;

/// A scheduled event: the instant it is due, its tie-breaking sequence
/// number and the event itself.
#[derive(Clone, Copy, Debug)]
struct Scheduled<E> {
    at: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl<E> Eq for Scheduled<E> {}

impl<E> PartialOrd for Scheduled<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Scheduled<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// Pending events of one run, popped earliest first, ties in scheduling
/// order. `E` is a small `Copy` value: no allocation per event.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Scheduled<E>>>,
    next_seq: u64,
    popped: u64,
}

impl<E: Copy> EventQueue<E> {
    /// An empty list with room for `capacity` pending events.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue { heap: BinaryHeap::with_capacity(capacity), next_seq: 0, popped: 0 }
    }

    /// Schedules `event` at `at`.
    #[inline]
    pub fn schedule(&mut self, at: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(Scheduled { at, seq, event }));
    }

    /// Removes and returns the earliest event, or `None` when none is left.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let Reverse(next) = self.heap.pop()?;
        self.popped += 1;
        Some((next.at, next.event))
    }

    /// Events executed so far: the engine's unit of work for benchmarks.
    pub fn events_popped(&self) -> u64 {
        self.popped
    }

    /// Events still pending.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_earliest_first_and_ties_in_scheduling_order() {
        let mut queue = EventQueue::with_capacity(4);
        queue.schedule(SimTime(20), 'c');
        queue.schedule(SimTime(10), 'a');
        queue.schedule(SimTime(20), 'd');
        queue.schedule(SimTime(10), 'b');
        let order: Vec<char> = std::iter::from_fn(|| queue.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['a', 'b', 'c', 'd']);
        assert_eq!(queue.events_popped(), 4);
    }
}
