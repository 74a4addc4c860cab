//! The talent pool (人才库): evidence of competence from every source, turned
//! into competency profiles (a level 1–5 and a confidence per skill and per
//! competency area, each explained by its evidence), readiness for every role,
//! and the supply figures the indicators count.
//!
//! Architecture invariant: no IO and no storage; the competency model and the
//! evidence are passed in.

pub mod evidence;
pub mod grade;
pub mod import;
pub mod plan;
pub mod pool;
pub mod profile;
pub mod supply;
pub mod synthetic;

pub use evidence::{Evidence, EvidenceKind, Judge, Observation};
pub use grade::Grade;
pub use profile::{
    AreaLevel, CompactEvidence, Profile, ProfileEngine, Readiness, SkillIndex, SkillLevel, Summary,
    Weights,
};
