//! The discrete-event core: simulated time, the event list, random streams
//! and service-time distributions.
//!
//! The engine knows nothing of AWS, TOML, files or plots: components and
//! the simulation loop live above it and bring their own event type.
pub mod dist;
pub mod queue;
pub mod random;
pub mod time;
