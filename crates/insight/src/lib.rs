//! Situational awareness (检测指标 / 态势感知): job demand held as columns in
//! memory (one entry per posting, strings interned), answered for any
//! combination of filters by a scan — 1 M postings in milliseconds, where a
//! SQL aggregate per request would take seconds — plus the indicators that
//! set demand against supply.
//!
//! Architecture invariant: no IO, no storage, no knowledge of HTTP. Postings
//! and supply figures are passed in; every figure comes with its definition.

pub mod compare;
pub mod demand;
pub mod period;

pub use demand::{
    Count, Demand, DemandIndex, DemandPosting, Dimension, Filter, Light, SalaryStats, Tally,
};
pub use period::{Month, Period, PeriodError};
