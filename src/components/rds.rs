//! An RDS primary instance as a multi-server queue.
//!
//! Assumption: a query holds one vCPU for its query time, so the instance
//! serves as many queries at once as it has vCPUs and queues the rest FCFS.
//! Connection limits and read replicas come with issue #5.

use super::pool::ServerPool;
use crate::scenario::model::RdsSpec;

/// An RDS instance during a run.
#[derive(Debug)]
pub struct Rds {
    /// One server per vCPU.
    pub pool: ServerPool,
}

impl Rds {
    /// An instance built from its spec.
    pub fn new(spec: &RdsSpec) -> Rds {
        Rds { pool: ServerPool::new(spec.class.vcpus, u32::MAX) }
    }
}
