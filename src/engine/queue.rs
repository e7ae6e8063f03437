//! The future-event list: a four-ary min-heap ordered by (time, sequence).
//!
//! The sequence number is assigned at scheduling, so events due at the same
//! nanosecond run in the order they were scheduled, every run, on every
//! machine. Time and sequence are packed into one 128-bit key, compared in
//! one step. A four-ary heap is half as deep as a binary one, and a node's
//! four children sit side by side in memory; on the benchmark models it
//! pops faster than `std`'s binary heap (see `benches/RESULTS.md`). Push and
//! pop cost O(log n) in the number of pending events, which grows with
//! requests in flight, not with requests simulated.

use super::time::SimTime;

/// Children per node.
const ARITY: usize = 4;

/// A scheduled event: its key (time in the high 64 bits, sequence number in
/// the low 64) and the event itself.
#[derive(Clone, Copy, Debug)]
struct Entry<E> {
    key: u128,
    event: E,
}

/// Pending events of one run, popped earliest first, ties in scheduling
/// order. `E` is a small `Copy` value: no allocation per event.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: Vec<Entry<E>>,
    next_seq: u64,
    popped: u64,
}

impl<E: Copy> EventQueue<E> {
    /// An empty list with room for `capacity` pending events.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue { heap: Vec::with_capacity(capacity), next_seq: 0, popped: 0 }
    }

    /// Schedules `event` at `at`.
    #[inline]
    pub fn schedule(&mut self, at: SimTime, event: E) {
        let key = (u128::from(at.as_nanos()) << 64) | u128::from(self.next_seq);
        self.next_seq += 1;
        let entry = Entry { key, event };
        // Sift up: move parents down into the hole until the entry fits.
        let mut hole = self.heap.len();
        self.heap.push(entry);
        while hole > 0 {
            let parent = (hole - 1) / ARITY;
            if self.heap[parent].key <= key {
                break;
            }
            self.heap[hole] = self.heap[parent];
            hole = parent;
        }
        self.heap[hole] = entry;
    }

    /// Removes and returns the earliest event, or `None` when none is left.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let last = self.heap.pop()?;
        self.popped += 1;
        let len = self.heap.len();
        if len == 0 {
            return Some((SimTime((last.key >> 64) as u64), last.event));
        }
        let heap = self.heap.as_mut_slice();
        let top = heap[0];
        // Sift down: move the smallest child up into the hole until the
        // last entry fits there. Children are read through one slice, so
        // that only one bounds check is made per level.
        let mut hole = 0;
        loop {
            let first = hole * ARITY + 1;
            if first >= len {
                break;
            }
            let children = &heap[first..(first + ARITY).min(len)];
            let (mut best, mut best_key) = (0, children[0].key);
            for (i, c) in children.iter().enumerate().skip(1) {
                if c.key < best_key {
                    (best, best_key) = (i, c.key);
                }
            }
            if last.key <= best_key {
                break;
            }
            let child = first + best;
            heap[hole] = heap[child];
            hole = child;
        }
        heap[hole] = last;
        Some((SimTime((top.key >> 64) as u64), top.event))
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

    /// Against a sort of the same (time, sequence) pairs, through a long
    /// run of interleaved pushes and pops such as a simulation makes.
    #[test]
    fn matches_a_stable_sort_under_interleaved_pushes_and_pops() {
        let mut queue = EventQueue::with_capacity(16);
        let mut reference: Vec<(u64, u64)> = Vec::new();
        let mut state = 12_345u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut now, mut seq) = (0u64, 0u64);
        for _ in 0..20_000 {
            if next() % 3 != 0 || reference.is_empty() {
                let at = now + next() % 50;
                queue.schedule(SimTime(at), seq);
                reference.push((at, seq));
                seq += 1;
            } else {
                reference.sort();
                let want = reference.remove(0);
                let (at, got) = queue.pop().unwrap();
                assert_eq!((at.as_nanos(), got), want);
                now = at.as_nanos();
            }
        }
    }
}
