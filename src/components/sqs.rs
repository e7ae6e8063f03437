//! An SQS standard queue during a run: messages visible, received and
//! invisible for the visibility timeout, deleted after processing, returned
//! when the timeout runs out first, and dead-lettered after too many
//! receives.
//!
//! AWS (SQS Developer Guide, visibility timeout and dead-letter queues): a
//! received message stays in the queue, invisible, until the consumer
//! deletes it or its visibility timeout expires; then it is visible again
//! and another receive may get it, so processing that outlasts the timeout
//! is done twice. A message received `max_receives` times without being
//! deleted moves to the dead-letter queue.
//!
//! Assumptions: visible messages are received oldest first (a standard
//! queue is only roughly ordered), and a returned message goes to the
//! front.

use std::collections::VecDeque;

use crate::engine::time::SimTime;
use crate::scenario::model::SqsSpec;
use crate::stats::busy::BusyMeter;

/// Why a receiver gave a message up without deleting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// Its processing failed (an error or a function timeout).
    Failed,
    /// The Lambda invocation of its batch was throttled.
    Throttled,
    /// The receiver never started it: its visibility timeout returned it
    /// while it waited in the receiver's buffer, or the receiver died.
    Dropped,
}

/// A message known to the queue.
#[derive(Debug, Clone, Copy)]
pub struct Message {
    /// The arrival number of the request that sent it.
    pub seq: u64,
    /// Its request class.
    pub class: u16,
    /// When it was sent.
    pub sent: SimTime,
    /// Receives so far.
    pub receives: u32,
    /// Receivers processing it now.
    pub copies: u32,
    /// In the visible queue now.
    pub visible: bool,
    /// Deleted after a successful processing.
    pub deleted: bool,
    /// Moved to the dead-letter queue.
    pub dead: bool,
    /// Sent after the warm-up: counts in the statistics.
    pub measured: bool,
    /// Tells reuses of this slot apart, for visibility timers.
    pub generation: u32,
}

/// Counts of a queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct QueueCounts {
    /// Messages sent.
    pub sent: u64,
    /// Receives of a message (a message received twice counts twice).
    pub received: u64,
    /// Messages processed and deleted (each once).
    pub deleted: u64,
    /// Processings that finished after another had already deleted the
    /// message, or after it was dead-lettered: duplicates.
    pub duplicates: u64,
    /// Messages moved to the dead-letter queue.
    pub dead_lettered: u64,
    /// Visibility timeouts that returned a message to the queue.
    pub returned: u64,
    /// Processings that ended in an error or a function timeout.
    pub failed: u64,
    /// Messages received in a batch whose Lambda invocation was throttled.
    pub throttled: u64,
    /// SendMessage requests (64 KB chunks counted).
    pub send_requests: u64,
    /// ReceiveMessage requests that returned messages.
    pub receive_requests: u64,
    /// DeleteMessage and DeleteMessageBatch requests.
    pub delete_requests: u64,
}

/// A queue during a run.
#[derive(Debug)]
pub struct Queue {
    /// The spec it was built from.
    pub spec: SqsSpec,
    messages: Vec<Message>,
    free: Vec<u32>,
    visible: VecDeque<u32>,
    /// Messages received and not yet deleted, returned or dead-lettered.
    pub invisible: u64,
    /// Counts since the end of the warm-up.
    pub counts: QueueCounts,
    /// Counts since the current window began.
    pub window: QueueCounts,
    /// Receivers waiting on an empty queue (long polling), over time: each
    /// makes one empty receive per long-poll period.
    pub idle_pollers: BusyMeter,
}

impl Queue {
    /// An empty queue.
    pub fn new(spec: &SqsSpec) -> Queue {
        Queue {
            spec: spec.clone(),
            messages: Vec::new(),
            free: Vec::new(),
            visible: VecDeque::new(),
            invisible: 0,
            counts: QueueCounts::default(),
            window: QueueCounts::default(),
            idle_pollers: BusyMeter::default(),
        }
    }

    /// Messages visible now.
    pub fn depth(&self) -> usize {
        self.visible.len()
    }

    /// True when a receive would get a message: one is visible and the
    /// in-flight quota has room.
    pub fn receivable(&self) -> bool {
        !self.visible.is_empty() && self.invisible < u64::from(self.spec.facts.max_in_flight)
    }

    /// Messages alive in the queue (visible or invisible).
    pub fn alive(&self) -> usize {
        self.messages.len() - self.free.len()
    }

    /// The message in slot `id`.
    pub fn message(&self, id: u32) -> &Message {
        &self.messages[id as usize]
    }

    /// When the oldest visible message was sent.
    pub fn oldest_visible(&self) -> Option<SimTime> {
        self.visible.front().map(|&id| self.messages[id as usize].sent)
    }

    /// Sends a message of `bytes` at `now`.
    pub fn send(&mut self, seq: u64, class: u16, bytes: u64, now: SimTime, measured: bool) {
        let message = Message {
            seq,
            class,
            sent: now,
            receives: 0,
            copies: 0,
            visible: true,
            deleted: false,
            dead: false,
            measured,
            generation: 0,
        };
        let id = match self.free.pop() {
            Some(id) => {
                let generation = self.messages[id as usize].generation.wrapping_add(1);
                self.messages[id as usize] = Message { generation, ..message };
                id
            }
            None => {
                self.messages.push(message);
                (self.messages.len() - 1) as u32
            }
        };
        self.visible.push_back(id);
        let chunks = bytes.div_ceil(u64::from(self.spec.facts.chunk_bytes)).max(1);
        self.count(|c| {
            c.sent += 1;
            c.send_requests += chunks;
        });
    }

    /// Receives up to `max` visible messages (one ReceiveMessage call):
    /// each becomes invisible until deleted or its timeout; returns their
    /// slots and the generation and receive number to time out with. At
    /// the queue's in-flight quota a receive gets nothing.
    pub fn receive(&mut self, max: u32) -> Vec<(u32, u32, u32)> {
        let room = u64::from(self.spec.facts.max_in_flight).saturating_sub(self.invisible);
        let max = u64::from(max).min(room);
        let mut got = Vec::new();
        while (got.len() as u64) < max {
            let Some(id) = self.visible.pop_front() else { break };
            let m = &mut self.messages[id as usize];
            m.visible = false;
            m.receives += 1;
            m.copies += 1;
            got.push((id, m.generation, m.receives));
        }
        self.invisible += got.len() as u64;
        if !got.is_empty() {
            let n = got.len() as u64;
            self.count(|c| {
                c.received += n;
                c.receive_requests += 1;
            });
        }
        got
    }

    /// A receiver finished processing message `id` successfully: it is
    /// deleted, unless another receiver did so already (a duplicate).
    /// Returns true for the first success.
    pub fn processed(&mut self, id: u32) -> bool {
        let m = &mut self.messages[id as usize];
        m.copies -= 1;
        let first = !m.deleted && !m.dead;
        if first {
            m.deleted = true;
            if !m.visible {
                self.invisible -= 1;
            } else {
                self.visible.retain(|&v| v != id);
                m.visible = false;
            }
        }
        self.count(|c| {
            if first {
                c.deleted += 1;
            } else {
                c.duplicates += 1;
            }
        });
        self.release_if_done(id);
        first
    }

    /// A receiver gave up on message `id`, for the reason `why`: it stays
    /// invisible until its timeout returns it.
    pub fn give_up(&mut self, id: u32, why: GiveUp) {
        let m = &mut self.messages[id as usize];
        m.copies -= 1;
        match why {
            GiveUp::Failed => self.count(|c| c.failed += 1),
            GiveUp::Throttled => self.count(|c| c.throttled += 1),
            GiveUp::Dropped => {}
        }
        self.release_if_done(id);
    }

    /// True while receive number `receive` of message `id` still holds it:
    /// not deleted, dead-lettered or returned to the queue since.
    pub fn still_held(&self, id: u32, receive: u32) -> bool {
        let m = &self.messages[id as usize];
        m.receives == receive && !m.visible && !m.deleted && !m.dead
    }

    /// Counts delete requests (one per DeleteMessage or DeleteMessageBatch).
    pub fn count_deletes(&mut self, requests: u64) {
        self.count(|c| c.delete_requests += requests);
    }

    /// The visibility timeout of receive `receive` of message `id` has run
    /// out: the message is visible again, or dead-lettered. Returns true if
    /// it went back to the queue.
    pub fn timed_out(&mut self, id: u32, generation: u32, receive: u32) -> bool {
        let max = self.spec.max_receives;
        let m = &mut self.messages[id as usize];
        if m.generation != generation || m.receives != receive || m.deleted || m.dead || m.visible {
            return false;
        }
        self.invisible -= 1;
        if max.is_some_and(|max| m.receives >= max) {
            m.dead = true;
            self.count(|c| c.dead_lettered += 1);
            self.release_if_done(id);
            return false;
        }
        m.visible = true;
        self.visible.push_front(id);
        self.count(|c| c.returned += 1);
        true
    }

    fn release_if_done(&mut self, id: u32) {
        let m = &self.messages[id as usize];
        if m.copies == 0 && !m.visible && (m.deleted || m.dead) {
            self.free.push(id);
        }
    }

    /// Counts an action in the window and in the run's totals (reset when
    /// the warm-up ends): the bill counts the calls made in the measured
    /// window, whenever their message was sent.
    fn count(&mut self, f: impl Fn(&mut QueueCounts)) {
        f(&mut self.window);
        f(&mut self.counts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::engine::time::SimDuration;
    use crate::scenario::model::Consumer;

    fn queue(max_receives: Option<u32>) -> Queue {
        let catalogue = Catalogue::builtin();
        Queue::new(&SqsSpec {
            consumer: Consumer::Fleet(0),
            batch_size: 10,
            visibility_timeout: SimDuration::from_secs(30),
            max_receives,
            send_latency: SimDuration::ZERO,
            max_batches: 1000,
            facts: Box::new(catalogue.sqs().clone()),
            price_source: String::new(),
        })
    }

    #[test]
    fn a_message_outliving_its_timeout_is_processed_twice_and_deleted_once() {
        let mut q = queue(None);
        q.send(1, 0, 100_000, SimTime(0), true);
        assert_eq!(q.counts.send_requests, 2, "100 kB is two 64 KB chunks");
        let (id, g, r) = q.receive(10)[0];
        assert!(q.timed_out(id, g, r), "back in the queue");
        let (id2, g2, r2) = q.receive(10)[0];
        assert_eq!((id2, r2), (id, 2));
        assert!(q.processed(id));
        assert!(!q.processed(id));
        assert!(!q.timed_out(id2, g2, r2));
        assert_eq!((q.counts.deleted, q.counts.duplicates), (1, 1));
        assert_eq!((q.alive(), q.invisible, q.depth()), (0, 0, 0));
    }

    #[test]
    fn failed_messages_return_then_go_to_the_dead_letter_queue() {
        let mut q = queue(Some(2));
        q.send(1, 0, 10, SimTime(0), true);
        for round in 1..=2 {
            let (id, g, r) = q.receive(1)[0];
            q.give_up(id, GiveUp::Failed);
            assert_eq!(q.timed_out(id, g, r), round == 1);
        }
        assert_eq!((q.counts.dead_lettered, q.counts.failed), (1, 2));
        assert_eq!((q.alive(), q.depth()), (0, 0));
    }
}
