//! Billing: exact money, usage meters filled during a run, and AWS's
//! charging rules applied once at the end.
//!
//! Meters count usage (instance lives, LCU dimensions per clock hour);
//! prices apply only in [`bill`], so that monthly projections scale usage
//! first and price it after, as AWS's tiers require.
pub mod bill;
pub mod meters;
pub mod money;
pub mod rules;
