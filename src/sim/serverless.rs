//! The loop's side of Lambda, API Gateway and CloudFront: invocations on
//! warm or cold environments and their throttles, an API's throttle and
//! integration timeout, and the edge cache in front of an origin.

use super::arena::Request;
use super::clients::Failure;
use super::{Event, Simulation};
use crate::components::ReqId;
use crate::components::lambda::{Job, Placement};
use crate::engine::time::SimDuration;
use crate::sim::result::{EdgeStats, FunctionStats, GatewayStats, QueueStats};
use crate::stats::window::{FunctionWindow, QueueWindow};

/// The top bit of an encoded job marks a batch number.
const BATCH_BIT: u32 = 1 << 31;

/// A job as the `LambdaDone` event carries it.
fn encode(job: Job) -> u32 {
    match job {
        Job::Request(req) => req,
        Job::Batch(batch) => batch | BATCH_BIT,
    }
}

fn decode(job: u32) -> Job {
    if job & BATCH_BIT != 0 { Job::Batch(job & !BATCH_BIT) } else { Job::Request(job) }
}

impl Simulation<'_> {
    /// Invokes function `l` for `job`: on a warm or new environment, or
    /// throttled.
    pub(super) fn invoke(&mut self, l: usize, job: Job) {
        let now = self.now;
        let function = &mut self.runtime.functions[l];
        let (env, init, provisioned) =
            match function.place(now, &mut self.runtime.shared_concurrency) {
                Placement::Throttled => {
                    match job {
                        Job::Request(req) => self.attempt_failed(req, Failure::Throttled),
                        Job::Batch(batch) => self.batch_throttled(batch),
                    }
                    return;
                }
                Placement::Warm { env, provisioned } => (env, SimDuration::ZERO, provisioned),
                Placement::Cold { env } => {
                    let init = function.spec.init.sample(&mut function.init_stream);
                    (env, init, false)
                }
            };
        let work = match job {
            Job::Request(req) => {
                let cpu = self.requests.get(req).cpu;
                self.runtime.functions[l].run_time(cpu)
            }
            Job::Batch(batch) => self.batch_run_time(l, batch),
        };
        let function = &mut self.runtime.functions[l];
        let timeout = function.spec.timeout;
        let total = init + work;
        let ok = total <= timeout;
        let ends = if ok { total } else { timeout };
        function.count(init > SimDuration::ZERO, provisioned, ends, !ok);
        let event = Event::LambdaDone { lambda: l as u16, ok, env, job: encode(job) };
        self.events.schedule(now + ends, event);
    }

    /// An invocation ends: its environment goes idle (and will be
    /// reclaimed after its idle lifetime); its request is answered, or its
    /// batch's messages deleted.
    pub(super) fn on_lambda_done(&mut self, l: usize, env: u32, job: u32, ok: bool) {
        let now = self.now;
        let function = &mut self.runtime.functions[l];
        if let Some((at, generation)) =
            function.finish(env, now, &mut self.runtime.shared_concurrency)
        {
            let event = Event::LambdaReclaim { lambda: l as u16, env, generation };
            self.events.schedule(at, event);
        }
        match decode(job) {
            Job::Request(req) if ok => self.answered(req),
            Job::Request(req) => self.attempt_failed(req, Failure::FunctionError),
            Job::Batch(batch) => self.batch_done(batch, ok),
        }
    }

    /// A request reaches an API Gateway API: throttled, or passed on after
    /// the API's latency, with its integration timeout running.
    pub(super) fn enter_gateway(&mut self, g: usize, req: ReqId) {
        let now = self.now;
        let measured = self.requests.get(req).measured;
        let gateway = &mut self.runtime.gateways[g];
        if measured {
            gateway.counts.requests += 1;
        }
        if !gateway.admit(now) {
            if measured {
                gateway.counts.throttled += 1;
            }
            self.attempt_failed(req, Failure::Throttled);
            return;
        }
        if measured {
            gateway.counts.served += 1;
        }
        let (latency, timeout) = (gateway.spec.latency, gateway.spec.timeout);
        let request = self.requests.get_mut(req);
        request.gateway = g as u16;
        let generation = request.generation;
        self.events.schedule(now + latency, Event::ApiForwarded { req, gateway: g as u32 });
        self.events.schedule(now + latency + timeout, Event::ApiTimeout { req, generation });
    }

    /// The integration took longer than the API's timeout: the client gets
    /// 504 and may retry; the integration still finishes (wasted work).
    pub(super) fn on_gateway_timeout(&mut self, req: ReqId, generation: u32) {
        let request = *self.requests.get(req);
        if request.generation != generation || request.abandoned {
            return;
        }
        if request.measured {
            self.runtime.gateways[request.gateway as usize].counts.timed_out += 1;
        }
        self.requests.get_mut(req).abandoned = true;
        let retry = self.requests.insert(Request { abandoned: false, killed: false, ..request });
        self.attempt_failed(retry, Failure::GatewayTimeout);
    }

    /// A request reaches CloudFront: answered from the edge cache when its
    /// object is there and fresh, otherwise passed to the origin.
    pub(super) fn enter_edge(&mut self, e: usize, req: ReqId) {
        let now = self.now;
        let request = *self.requests.get(req);
        let cacheable = self.runtime.classes[request.class as usize].cacheable;
        let edge = &mut self.runtime.edges[e];
        let latency = edge.spec.latency;
        let object = edge.object_of(request.seq);
        let hit = cacheable && edge.lookup(object, now);
        edge.count(request.measured, |c| {
            c.requests += 1;
            if !cacheable {
                c.uncacheable += 1;
            } else if hit {
                c.hits += 1;
            } else {
                c.misses += 1;
            }
        });
        let r = self.requests.get_mut(req);
        r.edge = e as u8 + 1;
        if hit {
            self.events.schedule(now + latency, Event::EdgeHit { req });
        } else {
            r.edge_fill = cacheable;
            self.events.schedule(now + latency, Event::EdgeForward { req, edge: e as u32 });
        }
    }

    /// A request that came through CloudFront is answered: the edge sends
    /// the response on, and stores what the origin answered when it may.
    pub(super) fn leave_edge(&mut self, request: &Request) {
        let e = request.edge as usize - 1;
        let response = self.runtime.classes[request.class as usize].response_bytes;
        let edge = &mut self.runtime.edges[e];
        if request.edge_fill {
            let object = edge.object_of(request.seq);
            edge.fill(object, response, self.now);
        }
        edge.count(request.measured, |c| c.bytes_out += response);
    }
}

/// Statistics of the serverless tier for the summary and the time series.
impl Simulation<'_> {
    /// The serverless tier's figures for the window that closes now.
    pub(super) fn serverless_window(
        &mut self,
        length: SimDuration,
    ) -> (Vec<FunctionWindow>, Vec<QueueWindow>, Vec<(u64, u64)>) {
        let now = self.now;
        let length_ns = length.as_nanos().max(1) as f64;
        let functions = self
            .runtime
            .functions
            .iter_mut()
            .map(|f| {
                let w = std::mem::take(&mut f.window);
                FunctionWindow {
                    invocations: w.invocations,
                    cold_starts: w.cold_starts,
                    throttles: w.throttles,
                    concurrency: f.concurrency.take_window(now) as f64 / length_ns,
                    environments: f.alive,
                }
            })
            .collect();
        let queues = self
            .runtime
            .queues
            .iter_mut()
            .map(|q| {
                let w = std::mem::take(&mut q.window);
                QueueWindow {
                    sent: w.sent,
                    deleted: w.deleted,
                    depth: q.depth() as u64,
                    in_flight: q.invisible,
                    oldest_age_s: q.oldest_visible().map_or(0.0, |t| now.since(t).as_secs_f64()),
                }
            })
            .collect();
        let edges = self
            .runtime
            .edges
            .iter_mut()
            .map(|e| {
                let w = std::mem::take(&mut e.window);
                (w.hits, w.hits + w.misses)
            })
            .collect();
        (functions, queues, edges)
    }

    /// Functions, APIs, queues and distributions over the measured window.
    pub(super) fn serverless_stats(&mut self) -> ServerlessStats {
        let now = self.now;
        let span = self.end.since(self.measured_start).as_nanos().max(1) as f64;
        let name_of = |slots: &[super::build::Slot],
                       wanted: &dyn Fn(&super::build::Slot) -> bool| {
            slots.iter().position(wanted).map(|id| self.scenario.components[id].name.clone())
        };
        let slots = self.runtime.slots.clone();
        let functions = self
            .runtime
            .functions
            .iter_mut()
            .enumerate()
            .map(|(l, f)| {
                f.concurrency.advance(now);
                let c = f.counts;
                let attempts = c.invocations + c.throttles;
                FunctionStats {
                    name: name_of(
                        &slots,
                        &|s| matches!(s, super::build::Slot::Lambda(k) if *k == l),
                    )
                    .unwrap_or_default(),
                    counts: c,
                    cold_start_share: (c.invocations > 0)
                        .then(|| c.cold_starts as f64 / c.invocations as f64),
                    throttle_share: (attempts > 0).then(|| c.throttles as f64 / attempts as f64),
                    mean_concurrency: f.concurrency.area() as f64 / span,
                    peak_concurrency: f.peak_concurrency,
                    environments_at_end: f.alive,
                }
            })
            .collect();
        let gateways = self
            .runtime
            .gateways
            .iter()
            .enumerate()
            .map(|(g, gw)| GatewayStats {
                name: name_of(
                    &slots,
                    &|s| matches!(s, super::build::Slot::ApiGateway(k) if *k == g),
                )
                .unwrap_or_default(),
                counts: gw.counts,
            })
            .collect();
        let queues = self
            .runtime
            .queues
            .iter_mut()
            .enumerate()
            .map(|(q, queue)| {
                queue.idle_pollers.advance(now);
                let long_poll = f64::from(queue.spec.facts.long_poll_s) * 1e9;
                QueueStats {
                    name: name_of(&slots, &|s| matches!(s, super::build::Slot::Sqs(k) if *k == q))
                        .unwrap_or_default(),
                    counts: queue.counts,
                    empty_receives: (queue.idle_pollers.area() as f64 / long_poll).round() as u64,
                    visible_at_end: queue.depth() as u64,
                    invisible_at_end: queue.invisible,
                    delay: crate::stats::latency::percentiles(&self.runtime.queue_delays[q]),
                }
            })
            .collect();
        let edges = self
            .runtime
            .edges
            .iter()
            .enumerate()
            .map(|(e, edge)| {
                let c = edge.counts;
                let cacheable = c.hits + c.misses;
                EdgeStats {
                    name: name_of(
                        &slots,
                        &|s| matches!(s, super::build::Slot::CloudFront(k) if *k == e),
                    )
                    .unwrap_or_default(),
                    counts: c,
                    hit_ratio: (cacheable > 0).then(|| c.hits as f64 / cacheable as f64),
                }
            })
            .collect();
        ServerlessStats { functions, gateways, queues, edges }
    }
}

/// The serverless tier's statistics.
pub(super) struct ServerlessStats {
    pub(super) functions: Vec<FunctionStats>,
    pub(super) gateways: Vec<GatewayStats>,
    pub(super) queues: Vec<QueueStats>,
    pub(super) edges: Vec<EdgeStats>,
}
