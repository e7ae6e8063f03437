//! Statistics that stay the same size however many requests run: latency
//! histograms, counters, time-weighted busy meters and per-window rows;
//! and, across runs, estimates with confidence intervals.
pub mod busy;
pub mod estimate;
pub mod latency;
pub mod window;
