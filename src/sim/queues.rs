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
//! visibility timeout runs out, and a throttle makes the event source back
//! off.
//!
//! Assumptions: a batch's invocation runs its messages one after another;
//! a poller with nothing to do long-polls, making one empty receive per
//! long-poll period (20 s); after a throttle the event source keeps to the
//! batches it has running and polls again after [`THROTTLE_PAUSE`] (AWS
//! documents the back-off, not its length). An EC2 instance receives up to
//! the batch size per ReceiveMessage into a local buffer, its free worker
//! threads take the messages one at a time, and it deletes processed
//! messages with one DeleteMessageBatch per batch size, or when its buffer
//! runs dry; a buffered message whose visibility timeout runs out before a
//! thread starts it is left to whoever receives it next.

use super::arena::Request;
use super::build::{Batch, Target};
use super::{Event, Simulation};
use crate::components::ReqId;
use crate::components::ec2::InstanceState;
use crate::components::lambda::Job;
use crate::components::sqs::GiveUp;
use crate::engine::time::SimDuration;

/// How often a Lambda event source reconsiders its number of pollers.
pub(super) const EVENT_SOURCE_TICK: SimDuration = SimDuration::from_secs(60);

/// How long a Lambda event source waits after a throttled invocation
/// before it polls again.
pub const THROTTLE_PAUSE: SimDuration = SimDuration::from_secs(1);

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
        if self.runtime.queues[q].alive() > super::MAX_QUEUED_MESSAGES {
            self.collapse(format!(
                "more than {} messages were in a queue at once: its consumer falls ever further \
                 behind, and the backlog would take all the machine's memory",
                super::MAX_QUEUED_MESSAGES
            ));
        }
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
            if source.backing_off
                || source.active >= source.limit
                || !self.runtime.queues[q].receivable()
            {
                break;
            }
            let received = self.receive(q, batch_size).into_iter().map(|(m, _)| m).collect();
            self.runtime.event_sources[q].active += 1;
            let batch = self.new_batch(q, received);
            self.invoke(l, Job::Batch(batch));
        }
        let source = self.runtime.event_sources[q];
        let idle = u64::from(source.limit.saturating_sub(source.active));
        self.runtime.queues[q].idle_pollers.set(self.now, idle);
    }

    /// Receives up to `max` messages of queue `q`, starting their
    /// visibility timers; returns their slots and receive numbers.
    fn receive(&mut self, q: usize, max: u32) -> Vec<(u32, u32)> {
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
        got.into_iter().map(|(message, _, receive)| (message, receive)).collect()
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
        for &m in &messages {
            let message = *self.runtime.queues[q].message(m);
            if ok {
                if self.runtime.queues[q].processed(m) {
                    self.message_delay(q, message.sent, message.measured);
                }
            } else {
                self.runtime.queues[q].give_up(m, GiveUp::Failed);
            }
        }
        if ok {
            // One DeleteMessageBatch for the whole batch.
            self.runtime.queues[q].count_deletes(1);
        }
        self.runtime.event_sources[q].active -= 1;
        self.feed_consumer(q);
    }

    /// A batch's invocation was throttled: its messages stay invisible
    /// until their timeout returns them, and the event source backs off: it
    /// keeps to the batches it has running, and pauses before it polls
    /// again (never straight away, which would receive and throttle the
    /// whole queue at one instant).
    pub(super) fn batch_throttled(&mut self, batch: u32) {
        let Batch { queue: q, messages } =
            std::mem::take(&mut self.runtime.batches[batch as usize]);
        self.runtime.free_batches.push(batch);
        for &m in &messages {
            self.runtime.queues[q].give_up(m, GiveUp::Throttled);
        }
        let source = &mut self.runtime.event_sources[q];
        source.active -= 1;
        source.limit = source.active.max(1);
        if !source.backing_off {
            source.backing_off = true;
            let at = self.now + THROTTLE_PAUSE;
            self.events.schedule(at, Event::PollerResume { queue: q as u32 });
        }
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
    /// worker threads, from its buffer, receiving a batch when the buffer
    /// is empty.
    fn feed_fleet(&mut self, q: usize, f: usize) {
        let batch_size = self.runtime.queues[q].spec.batch_size;
        let instances = self.runtime.fleets[f].instances.len();
        self.runtime.receive_buffers[f].resize_with(instances, Default::default);
        for i in 0..instances {
            let host = &self.runtime.fleets[f].instances[i];
            if host.crashed || host.state != InstanceState::InService {
                // A dead or leaving instance's buffered messages return
                // when their visibility timeout runs out.
                let dropped: Vec<(u32, u32)> =
                    self.runtime.receive_buffers[f][i].messages.drain(..).collect();
                for (m, _) in dropped {
                    self.runtime.queues[q].give_up(m, GiveUp::Dropped);
                }
                continue;
            }
            loop {
                let host = &self.runtime.fleets[f].instances[i];
                let free = self.runtime.fleets[f].workers().saturating_sub(host.outstanding);
                if free == 0 {
                    break;
                }
                let next = self.runtime.receive_buffers[f][i].messages.pop_front();
                match next {
                    Some((m, receive)) => {
                        if self.runtime.queues[q].still_held(m, receive) {
                            self.start_message(q, f, i, m);
                        } else {
                            self.runtime.queues[q].give_up(m, GiveUp::Dropped);
                        }
                    }
                    None if self.runtime.queues[q].receivable() => {
                        let received = self.receive(q, batch_size);
                        self.runtime.receive_buffers[f][i].messages.extend(received);
                    }
                    None => break,
                }
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
        let batch_size = self.runtime.queues[q].spec.batch_size;
        let buffer =
            &mut self.runtime.receive_buffers[request.at as usize][request.instance as usize];
        buffer.to_delete += 1;
        if buffer.to_delete >= batch_size || buffer.messages.is_empty() {
            buffer.to_delete = 0;
            self.runtime.queues[q].count_deletes(1);
        }
        self.feed_consumer(q);
    }

    /// A message's processing on an instance failed: the message returns
    /// when its visibility timeout runs out.
    pub(super) fn message_failed(&mut self, request: &Request) {
        let (q, m) = (request.message.0 as usize, request.message.1);
        self.runtime.queues[q].give_up(m, GiveUp::Failed);
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
