//! The running components: their state during a run and the physics of
//! each, one file per service. The simulation loop in `sim` moves requests
//! between them; each component only decides what happens inside itself.
pub mod alb;
pub mod autoscaling;
pub mod booked;
pub mod cache;
pub mod client;
pub mod connections;
pub mod ec2;
pub mod edge;
pub mod lambda;
pub mod pool;
pub mod rds;
pub mod sqs;
pub mod station;

/// Index of a request in the run's request arena.
pub type ReqId = u32;
