//! A textbook queueing station: c servers (or unlimited), one FCFS queue
//! without limit, a service-time distribution, and probabilistic routing
//! to the next station.

use super::pool::ServerPool;
use crate::engine::dist::Dist;
use crate::engine::random::Stream;
use crate::scenario::model::{ComponentId, NextHop, StationSpec};

/// A station during a run.
#[derive(Debug)]
pub struct Station {
    /// Servers and queue.
    pub pool: ServerPool,
    /// Service time per visit, for each request class.
    pub services: Vec<Dist>,
    /// Draws service times.
    pub service_stream: Stream,
    /// Draws routing choices.
    pub routing_stream: Stream,
    /// Draws whether a service ends in an error.
    pub error_stream: Stream,
    /// Probability that a service ends in an error.
    pub error_probability: f64,
    next: Vec<NextHop>,
}

impl Station {
    /// A station built from its spec, with its own random streams.
    pub fn new(
        spec: &StationSpec,
        services: Vec<Dist>,
        service_stream: Stream,
        routing_stream: Stream,
        error_stream: Stream,
    ) -> Station {
        Station {
            pool: ServerPool::new(spec.servers.unwrap_or(u32::MAX), u32::MAX),
            services,
            service_stream,
            routing_stream,
            error_stream,
            error_probability: spec.error_probability,
            next: spec.next.clone(),
        }
    }

    /// Draws the service time of a request of `class`.
    #[inline]
    pub fn draw_service(&mut self, class: u16) -> crate::engine::time::SimDuration {
        self.services[class as usize].sample(&mut self.service_stream)
    }

    /// Draws whether a service ends in an error response.
    #[inline]
    pub fn draw_error(&mut self) -> bool {
        self.error_probability > 0.0 && self.error_stream.uniform() < self.error_probability
    }

    /// Where a request goes after service: a component, or `None` to leave.
    pub fn route(&mut self) -> Option<ComponentId> {
        if let [only] = self.next.as_slice() {
            return only.to;
        }
        let u = self.routing_stream.uniform();
        self.next.iter().find(|hop| u < hop.cumulative).or(self.next.last()).and_then(|hop| hop.to)
    }
}
