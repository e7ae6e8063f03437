//! The loop's side of SQS: producers' sends, visibility timeouts, and the
//! two kinds of consumer — a Lambda event source that invokes the
//! function with batches, scaling its pollers as AWS documents, and an EC2
//! fleet whose worker threads each process one message at a time.
//!
//! AWS (Lambda Developer Guide, SQS event source scaling): the event source
//! starts with five concurrent batches, adds up to 300 a minute while
//! messages wait, up to 1,000 (or the mapping's maximum concurrency), and
//! falls back towards five when the queue is empty. A batch whose
//! invocation fails or is throttled returns to the queue when its
//! visibility timeout runs out.
//!
//! Assumptions: a batch's invocation runs its messages one after another;
//! a poller with nothing to do long-polls, making one empty receive per
//! long-poll period (20 s); an EC2 consumer receives as many messages as it
//! has free worker threads, up to the batch size per receive, and deletes
//! each message on its own.

use super::arena::Request;
use super::build::{Batch, Target};
use super::{Event, Simulation};
use crate::components::ReqId;
use crate::components::ec2::InstanceState;
use crate::components::lambda::Job;
use crate::engine::time::SimDuration;

/// How often a Lambda event source reconsiders its number of pollers.
pub(super) const EVENT_SOURCE_TICK: SimDuration = SimDuration::from_secs(60);

impl Simulation<'_> {
    /// Starts the event sources' scaling clock, for runs with one.
    pub(super) fn schedule_event_sources(&mut self) {
        if self.runtime.queue_consumer.iter().any(|c| matches!(c, Target::Lambda(_))) {
            self.events.schedule(self.now + EVENT_SOURCE_TICK, Event::PollerTick);
        }
    }

    /// A producer's SendMessage returns: the message joins the queue, the
    /// producer has its answer, and an idle consumer is woken.
    pub(super) fn on_queue_send(&mut self, req: ReqId, q: usize) {
        let request = *self.requests.get(req);
        let bytes = self.runtime.classes[request.class as usize].request_bytes;
        self.runtime.queues[q].send(request.seq, request.class, bytes, self.now, request.measured);
        self.answered(req);
        self.feed_consumer(q);
    }

    /// Hands visible messages to queue `q`'s consumer while it has room.
    pub(super) fn feed_consumer(&mut self, q: usize) {
        match self.runtime.queue_consumer[q] {
            Target::Lambda(l) => self.feed_event_source(q, l),
            Target::Fleet(f) => self.feed_fleet(q, f),
        }
    }

    /// The event source starts batches while it is under its limit and the
    /// queue has messages; the pollers left over wait on the empty queue.
    fn feed_event_source(&mut self, q: usize, l: usize) {
        let batch_size = self.runtime.queues[q].spec.batch_size;
        loop {
            let source = self.runtime.event_sources[q];
            if source.active >= source.limit || self.runtime.queues[q].depth() == 0 {
                break;
            }
            let received = self.receive(q, batch_size);
            self.runtime.event_sources[q].active += 1;
            let batch = self.new_batch(q, received);
            self.invoke(l, Job::Batch(batch));
        }
        let source = self.runtime.event_sources[q];
        let idle = u64::from(source.limit.saturating_sub(source.active));
        self.runtime.queues[q].idle_pollers.set(self.now, idle);
    }

    /// Receives up to `max` messages of queue `q`, starting their
    /// visibility timers; returns their slots.
    fn receive(&mut self, q: usize, max: u32) -> Vec<u32> {
        let queue = &mut self.runtime.queues[q];
        let timeout = queue.spec.visibility_timeout;
        let got = queue.receive(max);
        for &(message, generation, receive) in &got {
            let event = Event::VisibilityTimeout {
                queue: q as u16,
                receive: receive as u16,
                message,
                generation,
            };
            self.events.schedule(self.now + timeout, event);
        }
        got.into_iter().map(|(message, _, _)| message).collect()
    }

    fn new_batch(&mut self, queue: usize, messages: Vec<u32>) -> u32 {
        let batch = Batch { queue, messages };
        match self.runtime.free_batches.pop() {
            Some(b) => {
                self.runtime.batches[b as usize] = batch;
                b
            }
            None => {
                self.runtime.batches.push(batch);
                (self.runtime.batches.len() - 1) as u32
            }
        }
    }

    /// The run time of a batch's invocation on function `l`: each message's
    /// work, drawn for its class, one after another.
    pub(super) fn batch_run_time(&mut self, l: usize, batch: u32) -> SimDuration {
        let queue = self.runtime.batches[batch as usize].queue;
        let messages = std::mem::take(&mut self.runtime.batches[batch as usize].messages);
        let mut total = SimDuration::ZERO;
        for &m in &messages {
            let class = self.runtime.queues[queue].message(m).class;
            let cpu = self.runtime.draw_cpu(class);
            total = total + self.runtime.functions[l].run_time(cpu);
        }
        self.runtime.batches[batch as usize].messages = messages;
        total
    }

    /// A batch's invocation ended (`ok`) or failed: its messages are
    /// deleted or left to return; the event source goes on.
    pub(super) fn batch_done(&mut self, batch: u32, ok: bool) {
        let Batch { queue: q, messages } =
            std::mem::take(&mut self.runtime.batches[batch as usize]);
        self.runtime.free_batches.push(batch);
        let mut measured = false;
        for &m in &messages {
            let message = *self.runtime.queues[q].message(m);
            measured |= message.measured;
            if ok {
                if self.runtime.queues[q].processed(m) {
                    self.message_delay(q, message.sent, message.measured);
                }
            } else {
                self.runtime.queues[q].failed(m);
            }
        }
        if ok {
            // One DeleteMessageBatch for the whole batch.
            self.runtime.queues[q].count_deletes(1, measured);
        }
        self.runtime.event_sources[q].active -= 1;
        self.feed_consumer(q);
    }

    /// Records how long a message waited from its send to its processing's
    /// end.
    fn message_delay(&mut self, q: usize, sent: crate::engine::time::SimTime, measured: bool) {
        if measured {
            let delay = self.now.since(sent).as_nanos().max(1);
            self.runtime.queue_delays[q].saturating_record(delay);
        }
    }

    /// Gives each instance in service of fleet `f` messages for its free
    /// worker threads.
    fn feed_fleet(&mut self, q: usize, f: usize) {
        let batch_size = self.runtime.queues[q].spec.batch_size;
        let in_service = self.runtime.fleets[f].in_service.clone();
        for i in in_service.into_iter().map(|i| i as usize) {
            loop {
                let host = &self.runtime.fleets[f].instances[i];
                if host.crashed || host.state != InstanceState::InService {
                    break;
                }
                let free = self.runtime.fleets[f].workers().saturating_sub(host.outstanding);
                if free == 0 || self.runtime.queues[q].depth() == 0 {
                    break;
                }
                let received = self.receive(q, free.min(batch_size));
                for m in received {
                    self.start_message(q, f, i, m);
                }
            }
            if self.runtime.queues[q].depth() == 0 {
                break;
            }
        }
        let idle = self.runtime.fleets[f]
            .in_service
            .iter()
            .filter(|&&i| self.runtime.fleets[f].instances[i as usize].outstanding == 0)
            .count();
        self.runtime.queues[q].idle_pollers.set(self.now, idle as u64);
    }

    /// Message `m` starts on instance `i` of fleet `f`, as a request no
    /// client waits for.
    fn start_message(&mut self, q: usize, f: usize, i: usize, m: u32) {
        let message = *self.runtime.queues[q].message(m);
        let cpu = self.runtime.draw_cpu(message.class);
        let req = self.requests.insert(Request {
            call_start: message.sent,
            cpu,
            seq: message.seq,
            class: message.class,
            attempt: 1,
            measured: message.measured,
            background: true,
            message: (q as u16, m),
            queries_left: self.runtime.classes[message.class as usize].queries,
            ..Request::default()
        });
        self.enter_instance(f, i, req);
    }

    /// A message's processing on an instance succeeded: it is deleted, and
    /// the instance's thread takes another.
    pub(super) fn message_processed(&mut self, request: &Request) {
        let (q, m) = (request.message.0 as usize, request.message.1);
        let queue = &mut self.runtime.queues[q];
        let sent = queue.message(m).sent;
        if queue.processed(m) {
            self.message_delay(q, sent, request.measured);
        }
        self.runtime.queues[q].count_deletes(1, request.measured);
        self.feed_consumer(q);
    }

    /// A message's processing on an instance failed: the message returns
    /// when its visibility timeout runs out.
    pub(super) fn message_failed(&mut self, request: &Request) {
        let (q, m) = (request.message.0 as usize, request.message.1);
        self.runtime.queues[q].failed(m);
        self.feed_consumer(q);
    }

    /// A received message's visibility timeout has run out: back in the
    /// queue (or dead-lettered).
    pub(super) fn on_visibility_timeout(
        &mut self,
        q: usize,
        m: u32,
        generation: u32,
        receive: u16,
    ) {
        let current = self.runtime.queues[q].message(m).receives as u16;
        if current == receive && self.runtime.queues[q].timed_out(m, generation, u32::from(current))
        {
            self.feed_consumer(q);
        }
    }

    /// A minute of the event sources' scaling: more batches while messages
    /// wait, back towards the initial number when the queue is empty.
    pub(super) fn on_event_source_tick(&mut self) {
        for q in 0..self.runtime.queues.len() {
            if let Target::Lambda(_) = self.runtime.queue_consumer[q] {
                let queue = &self.runtime.queues[q];
                let (initial, per_minute, _) = queue.spec.facts.esm;
                let most = queue.spec.max_batches;
                let waiting = queue.depth() > 0;
                let source = &mut self.runtime.event_sources[q];
                source.limit = if waiting {
                    (source.limit + per_minute).min(most)
                } else {
                    source.active.max(initial.min(most))
                };
                self.feed_consumer(q);
            }
        }
        if self.now < self.end {
            self.events.schedule(self.now + EVENT_SOURCE_TICK, Event::PollerTick);
        }
    }
}
