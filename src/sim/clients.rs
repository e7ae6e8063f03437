//! The client side of a run: what happens when an attempt fails or times
//! out — retry after a backoff, within the retry budget, or give up.

use super::arena::Request;
use super::{Event, Simulation};
use crate::components::ReqId;
use crate::components::client::{RetryBudget, backoff_delay};
use crate::engine::random::Stream;

/// Why an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    /// An instance's accept queue was full.
    Refused,
    /// No instance in service behind the load balancer.
    NoTargets,
    /// A station answered with an error.
    ServerError,
    /// The instance's application had crashed, or the instance was
    /// terminated.
    TargetDown,
    /// No database connection: refused at `max_connections`, or the pool's
    /// wait timed out.
    DbConnection,
    /// The database instance was down.
    DbDown,
    /// Lambda or API Gateway refused it for lack of concurrency or rate
    /// (429).
    Throttled,
    /// The Lambda function ran past its timeout.
    FunctionError,
    /// API Gateway's integration timeout ran out (504).
    GatewayTimeout,
}

/// The client side: timeouts, retries and their budget, and the think
/// time of closed-loop users.
pub(super) struct Clients {
    pub(super) spec: crate::scenario::model::ClientSpec,
    pub(super) backoff_stream: Stream,
    pub(super) budget: Option<RetryBudget>,
    /// Think time and its stream, when the traffic is a closed loop.
    pub(super) think: Option<(crate::engine::dist::Dist, Stream)>,
}

impl Simulation<'_> {
    /// An attempt ends in an error response: count it, then retry or give
    /// up.
    pub(super) fn attempt_failed(&mut self, req: ReqId, failure: Failure) {
        let request = *self.requests.get(req);
        if request.background {
            // No client waits for a queue message: the queue redelivers it.
            self.requests.remove(req);
            self.message_failed(&request);
            return;
        }
        // A server error is work the server did; a refusal is not.
        if request.measured && failure == Failure::ServerError {
            self.totals.served += 1;
        }
        if request.abandoned {
            // The client already gave up on this attempt and decided then.
            self.requests.remove(req);
            return;
        }
        if request.measured {
            match failure {
                Failure::Refused => self.totals.errors.refused += 1,
                Failure::NoTargets => self.totals.errors.no_targets += 1,
                Failure::ServerError => self.totals.errors.server_errors += 1,
                Failure::TargetDown => self.totals.errors.target_down += 1,
                Failure::DbConnection => self.totals.errors.db_connection += 1,
                Failure::DbDown => self.totals.errors.db_down += 1,
                Failure::Throttled => self.totals.errors.throttled += 1,
                Failure::FunctionError => self.totals.errors.function_errors += 1,
                Failure::GatewayTimeout => self.totals.errors.gateway_timeouts += 1,
            }
        }
        if self.may_retry(&request) {
            self.requests.renew(req);
            self.schedule_retry(req);
        } else {
            self.requests.remove(req);
            self.request_failed(&request);
        }
    }

    /// The client's timeout for an attempt expires: it gives up on that
    /// attempt (the server keeps working on it) and retries or fails.
    pub(super) fn on_timeout(&mut self, req: ReqId, generation: u32) {
        let request = *self.requests.get(req);
        if request.generation != generation || request.abandoned {
            return;
        }
        self.requests.get_mut(req).abandoned = true;
        if request.measured {
            self.totals.errors.timed_out += 1;
            self.window.timeouts += 1;
        }
        if self.may_retry(&request) {
            let retry = self.requests.insert(Request { abandoned: false, ..request });
            self.schedule_retry(retry);
        } else {
            self.request_failed(&request);
        }
    }

    /// True when the client may make another attempt for `request`.
    fn may_retry(&mut self, request: &Request) -> bool {
        if u32::from(request.attempt) >= self.clients.spec.max_attempts {
            return false;
        }
        match &mut self.clients.budget {
            Some(budget) => budget.try_retry(self.now),
            None => true,
        }
    }

    /// Schedules the next attempt of `req` after its backoff.
    fn schedule_retry(&mut self, req: ReqId) {
        let request = self.requests.get_mut(req);
        request.attempt += 1;
        let retry = u32::from(request.attempt - 1);
        let delay =
            backoff_delay(&self.clients.spec.backoff, retry, &mut self.clients.backoff_stream);
        self.events.schedule(self.now + delay, Event::Retry { req });
    }

    /// A request has failed for good.
    pub(super) fn request_failed(&mut self, request: &Request) {
        self.user_thinks();
        if request.measured {
            self.window.errors += 1;
            self.totals.failed += 1;
            self.classes[request.class as usize].failed += 1;
        }
    }
}
