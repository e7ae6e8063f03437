//! A fixed fleet of EC2 instances serving requests.
//!
//! Each instance has worker slots (threads or connections) and vCPUs. A
//! request takes a worker slot for its whole life on the instance, waiting
//! in the accept queue when all are taken and refused when that is full; it
//! takes a vCPU only for its CPU burst (FCFS over the vCPUs) and keeps its
//! slot, but no vCPU, while it waits on the database.
//!
//! Assumption: the whole CPU burst happens before the database call; the
//! response time depends only on the sum, the vCPU load does not depend on
//! the order.

use super::pool::ServerPool;
use crate::scenario::model::{ComponentId, FleetSpec};

/// One instance during a run.
#[derive(Debug)]
pub struct Instance {
    /// Worker slots, with the accept queue.
    pub workers: ServerPool,
    /// vCPUs, with the run queue.
    pub cpus: ServerPool,
    /// Requests routed here and not yet answered (for least outstanding).
    pub outstanding: u32,
}

/// A fleet during a run.
#[derive(Debug)]
pub struct Fleet {
    /// The instances.
    pub instances: Vec<Instance>,
    /// The database each request queries, if any.
    pub database: Option<ComponentId>,
    /// Next instance for requests that arrive without a load balancer.
    pub cursor: usize,
}

impl Fleet {
    /// A fleet with all instances running.
    pub fn new(spec: &FleetSpec) -> Fleet {
        let instances = (0..spec.count)
            .map(|_| Instance {
                workers: ServerPool::new(spec.workers, spec.accept_queue),
                cpus: ServerPool::new(spec.instance_type.vcpus, u32::MAX),
                outstanding: 0,
            })
            .collect();
        Fleet { instances, database: spec.database, cursor: 0 }
    }
}
