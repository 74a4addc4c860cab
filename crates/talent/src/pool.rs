//! The talent pool's records: schools, programs (with their evaluation
//! weights), cohorts, people and courses with their skill mappings. Rows the
//! store has not written yet carry provisional ids (negative numbers, see
//! [`is_provisional`]); the store replaces them with the ids the database
//! assigns.

use crate::Weights;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct School {
    pub id: i64,
    pub name: String,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Program {
    pub id: i64,
    pub school_id: i64,
    pub name: String,
    pub weights: Weights,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cohort {
    pub id: i64,
    pub program_id: i64,
    pub name: String,
    pub entry_year: i64,
}

/// A person, with the least personal data that serves the purpose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    pub id: i64,
    pub school_id: i64,
    pub program_id: i64,
    pub cohort_id: Option<i64>,
    pub name: String,
    pub student_number: String,
    pub graduation_year: i64,
    pub region: String,
    /// May enterprises see this profile (for their postings)?
    pub consent_enterprise: bool,
    /// May this person count in aggregate figures?
    pub consent_analytics: bool,
    /// Clearly labelled generated data (the demo's cohorts).
    pub synthetic: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Course {
    pub id: i64,
    pub program_id: i64,
    pub name: String,
    /// (skill id, target level)
    pub skills: Vec<(String, f64)>,
}

/// What is stored, as far as resolving the names in a talent file needs it.
#[derive(Debug, Clone, Default)]
pub struct Pool {
    pub schools: Vec<School>,
    pub programs: Vec<Program>,
    pub cohorts: Vec<Cohort>,
    pub courses: Vec<Course>,
    pub people: Vec<Person>,
}

/// Everything one write adds to the pool. New rows carry provisional ids,
/// and rows refer to each other by them (evidence's `person_id` holds a
/// provisional id as `id as u64`).
#[derive(Debug, Clone, Default)]
pub struct Additions {
    pub schools: Vec<School>,
    pub programs: Vec<Program>,
    pub cohorts: Vec<Cohort>,
    pub people: Vec<Person>,
    pub courses: Vec<Course>,
    /// Skill mappings added to courses that already exist: (course id, skill id, target level).
    pub course_skills: Vec<(i64, String, f64)>,
    pub evidence: Vec<crate::Evidence>,
}

/// Whether `id` is provisional (a row the store has not written yet).
pub fn is_provisional(id: i64) -> bool {
    id < 0
}

/// Hands out provisional ids: -1, -2, …
#[derive(Debug, Clone, Default)]
pub struct Provisional(i64);

impl Provisional {
    pub fn take(&mut self) -> i64 {
        self.0 -= 1;
        self.0
    }
}

/// A student's request to correct their record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    pub id: i64,
    pub person_id: i64,
    /// The piece of evidence it is about, if one.
    pub evidence_id: Option<i64>,
    pub note: String,
    /// `open`, `accepted` or `dismissed`.
    pub status: String,
    pub response: String,
    pub created_at: i64,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<i64>,
}

/// A cohort as listed: with its program, school and head count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortSummary {
    pub cohort: Cohort,
    pub program: String,
    pub school_id: i64,
    pub school: String,
    pub people: i64,
}
