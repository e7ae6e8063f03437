//! Statistics that stay the same size however many requests run: latency
//! histograms, counters, time-weighted busy meters and per-window rows.
pub mod busy;
pub mod latency;
pub mod window;
