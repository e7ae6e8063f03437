//! What a run produces: the machine-readable summary, the terminal table,
//! the time series CSV and the plots, written under one folder per
//! scenario.
pub mod experiment_table;
pub mod html;
pub mod output;
pub mod plot;
pub mod summary;
pub mod table;
pub mod timeseries;
pub mod warnings;
