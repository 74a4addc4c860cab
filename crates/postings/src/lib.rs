//! Job postings (岗位需求): parsing the fields job boards hand over, and the
//! extraction engine — is this a cybersecurity posting, which NICE work role
//! and platform role, which skills and certifications (required or
//! preferred, negations dropped).
//!
//! Architecture invariant: no IO. Reference data (gazetteer, title codes) is
//! compiled in; the competency model is passed in.

pub mod classify;
pub mod contract;
pub mod dedupe;
pub mod eval;
pub mod features;
pub mod fields;
pub mod fold;
pub mod generate;
pub mod import;
pub mod learn;
pub mod location;
pub mod matcher;
pub mod publish;
pub mod salary;

pub use classify::{Classification, Classifier, PostingInput, RoleScore};
pub use location::{Gazetteer, Location};
pub use matcher::{Found, FoundKind, SkillMatcher};
pub use salary::{Currency, Period, Salary, SalaryInfo};
