//! The competency model (标准库 / 能力库): NICE Framework v2.1.0, GB/T 42446-2023
//! work categories and their crosswalk to NICE, the platform role catalog, the
//! skill lexicon, certifications, proficiency levels, and external frameworks
//! (DCWF, ECSF) mapped onto NICE work roles.
//!
//! Architecture invariant: this crate does no IO. Parsers take text; the
//! reference data shipped with the product is compiled in by [`bundled`].

pub mod bundled;
pub mod catalog;
pub mod error;
pub mod external;
pub mod model;
pub mod normalize;
pub mod parse;
pub mod validate;

pub use catalog::{Catalog, SearchHit, SearchHitKind};
pub use error::ModelError;
pub use model::*;
pub use normalize::normalize;
