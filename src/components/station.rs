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
    /// Service time per visit.
    pub service: Dist,
    /// Draws service times.
    pub service_stream: Stream,
    /// Draws routing choices.
    pub routing_stream: Stream,
    next: Vec<NextHop>,
}

impl Station {
    /// A station built from its spec, with its own random streams.
    pub fn new(spec: &StationSpec, service_stream: Stream, routing_stream: Stream) -> Station {
        Station {
            pool: ServerPool::new(spec.servers.unwrap_or(u32::MAX), u32::MAX),
            service: spec.service,
            service_stream,
            routing_stream,
            next: spec.next.clone(),
        }
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
