//! cloudtwin: an offline cost-and-performance simulator for AWS
//! architectures.
//!
//! A scenario file describes traffic and an architecture; [`sim::run`]
//! simulates every request through it; [`billing`] prices what it used;
//! [`report`] writes the summary, time series and plots.
pub mod batch;
pub mod billing;
pub mod catalogue;
pub mod cli;
pub mod components;
pub mod engine;
pub mod experiment;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod stats;
pub mod traffic;
