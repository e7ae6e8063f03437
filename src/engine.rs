//! The discrete-event core: simulated time, the event list, random streams,
//! service-time distributions and key popularity.
//!
//! The engine knows nothing of AWS, TOML, files or plots: components and
//! the simulation loop live above it and bring their own event type.
pub mod dist;
pub mod keys;
pub mod queue;
pub mod random;
pub mod time;
