//! An Application Load Balancer: adds its latency, picks a target, and
//! meters the four LCU dimensions per clock hour.
//!
//! AWS: routing algorithms round_robin (the default) and
//! least_outstanding_requests, ALB user guide, "Routing algorithms"
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html>).

use crate::billing::meters::LcuMeter;
use crate::scenario::model::{AlbSpec, Routing};

/// An ALB during a run.
#[derive(Debug)]
pub struct Alb {
    /// The spec it was built from.
    pub spec: AlbSpec,
    /// Next target for round robin, and where least-outstanding scans begin
    /// so that ties rotate instead of always hitting the first target.
    cursor: usize,
    /// LCU usage per clock hour.
    pub lcu: LcuMeter,
}

impl Alb {
    /// An ALB built from its spec.
    pub fn new(spec: AlbSpec, lcu: LcuMeter) -> Alb {
        Alb { spec, cursor: 0, lcu }
    }

    /// Picks a target among `outstanding.len()` targets, given each one's
    /// requests in flight.
    pub fn pick(&mut self, outstanding: impl Fn(usize) -> u32, targets: usize) -> usize {
        let start = self.cursor % targets;
        self.cursor = (start + 1) % targets;
        match self.spec.routing {
            Routing::RoundRobin => start,
            Routing::LeastOutstandingRequests => (0..targets)
                .map(|k| (start + k) % targets)
                .min_by_key(|&i| outstanding(i))
                .expect("a fleet has at least one instance"),
        }
    }
}
