//! The talent pool as rows: schools, programs (with their evaluation
//! weights), cohorts, people, courses and their skill mappings, evidence.

use crate::StoreError;
use crate::tables::Val;
use cb_talent::{Evidence, EvidenceKind, Judge, Observation, SkillIndex, Weights};
use chrono::NaiveDate;
use serde::Serialize;

pub use cb_talent::pool::{Cohort, CohortSummary, Course, Person, Program, School};

/// Everything one talent write adds, in one transaction. New rows carry
/// provisional ids (see `cb_talent::pool`); the database assigns the real ones.
#[derive(Debug, Clone, Default)]
pub struct TalentWrite {
    pub add: cb_talent::pool::Additions,
    /// The file this write imports, recorded in the same transaction.
    pub import: Option<TalentImportStart>,
    /// Return each piece of evidence's stored id (a write of a few; each is
    /// then inserted on its own).
    pub evidence_ids: bool,
}

#[derive(Debug, Clone)]
pub struct TalentImportStart {
    pub file_name: String,
    pub file_hash: String,
    pub kind: String,
    pub rows_read: u64,
    pub rejected: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TalentImportRecord {
    pub id: i64,
    pub file_name: String,
    pub kind: String,
    pub rows_read: i64,
    pub rejected: i64,
    pub actor: String,
    pub at: String,
}

/// What resolving names in a talent file needs: the stored schools,
/// programs, cohorts, courses and every person's key.
pub type TalentReference = cb_talent::pool::Pool;

fn t(s: &str) -> Val {
    Val::Text(s.to_string())
}

fn b(x: bool) -> Val {
    Val::Int(i64::from(x))
}

/// The rows of a write; evidence without a recorder is recorded by `actor`.
/// Observations as stored: `skill:level` separated by spaces.
pub(crate) fn encode_observations(observations: &[Observation]) -> String {
    observations
        .iter()
        .map(|o| format!("{}:{}", o.skill_id, o.level))
        .collect::<Vec<_>>()
        .join(" ")
}

// The rows of a write, without their ids (the database assigns them) and
// with references already mapped to stored ids.

pub(crate) fn school_row(s: &School) -> Vec<Val> {
    vec![t(&s.name), t(&s.region)]
}

pub(crate) fn program_row(p: &Program, school_id: i64) -> Vec<Val> {
    let x = &p.weights;
    vec![
        Val::Int(school_id),
        t(&p.name),
        Val::Real(x.school),
        Val::Real(x.enterprise),
        Val::Real(x.practice),
        Val::Real(x.credential),
        Val::Real(x.half_life_days),
        Val::Real(x.required_level),
        Val::Real(x.ready),
        Val::Real(x.near_ready),
    ]
}

pub(crate) fn cohort_row(c: &Cohort, program_id: i64) -> Vec<Val> {
    vec![Val::Int(program_id), t(&c.name), Val::Int(c.entry_year)]
}

pub(crate) fn person_row(
    p: &Person,
    school_id: i64,
    program_id: i64,
    cohort_id: Option<i64>,
) -> Vec<Val> {
    vec![
        Val::Int(school_id),
        Val::Int(program_id),
        cohort_id.map_or(Val::Null, Val::Int),
        t(&p.name),
        t(&p.student_number),
        Val::Int(p.graduation_year),
        t(&p.region),
        b(p.consent_enterprise),
        b(p.consent_analytics),
        b(p.synthetic),
    ]
}

pub(crate) fn course_row(c: &Course, program_id: i64) -> Vec<Val> {
    vec![Val::Int(program_id), t(&c.name)]
}

pub(crate) fn course_skill_row(course_id: i64, skill: &str, level: f64) -> Vec<Val> {
    vec![Val::Int(course_id), t(skill), Val::Real(level)]
}

/// Evidence without a recorder is recorded by `actor`.
pub(crate) fn evidence_row(e: &Evidence, person_id: i64, actor: &str) -> Vec<Val> {
    let kind = match &e.kind {
        EvidenceKind::CourseGrade { .. } => "course_grade",
        EvidenceKind::EnterpriseEvaluation { .. } => "enterprise_evaluation",
        EvidenceKind::Competition { .. } => "competition",
        EvidenceKind::Certificate { .. } => "certificate",
        EvidenceKind::Award { .. } => "award",
    };
    vec![
        Val::Int(person_id),
        t(kind),
        t(&serde_json::to_string(&e.kind).unwrap_or_default()),
        t(&e.source_org),
        t(&e.date.format("%Y-%m-%d").to_string()),
        t(if e.recorded_by.is_empty() {
            actor
        } else {
            &e.recorded_by
        }),
        t(&encode_observations(&e.observations)),
    ]
}

/// Maps a row's reference to a stored id: a provisional (negative) id to
/// the id its row was given in this write.
pub(crate) fn stored_id(
    ids: &std::collections::HashMap<i64, i64>,
    what: &str,
    id: i64,
) -> Result<i64, StoreError> {
    if !cb_talent::pool::is_provisional(id) {
        return Ok(id);
    }
    ids.get(&id).copied().ok_or_else(|| StoreError::Corrupt {
        table: what.to_string(),
        detail: format!("provisional id {id} names no row of this write"),
    })
}

pub(crate) fn school_from(r: &[Val]) -> School {
    School {
        id: r[0].int(),
        name: r[1].text(),
        region: r[2].text(),
    }
}

pub(crate) fn cohort_from(r: &[Val]) -> Cohort {
    Cohort {
        id: r[0].int(),
        program_id: r[1].int(),
        name: r[2].text(),
        entry_year: r[3].int(),
    }
}

pub(crate) fn person_from(r: &[Val]) -> Person {
    Person {
        id: r[0].int(),
        school_id: r[1].int(),
        program_id: r[2].int(),
        cohort_id: match r[3] {
            Val::Null => None,
            ref v => Some(v.int()),
        },
        name: r[4].text(),
        student_number: r[5].text(),
        graduation_year: r[6].int(),
        region: r[7].text(),
        consent_enterprise: r[8].int() != 0,
        consent_analytics: r[9].int() != 0,
        synthetic: r[10].int() != 0,
    }
}

pub(crate) fn program_from(r: &[Val]) -> Program {
    Program {
        id: r[0].int(),
        school_id: r[1].int(),
        name: r[2].text(),
        weights: Weights {
            school: r[3].real(),
            enterprise: r[4].real(),
            practice: r[5].real(),
            credential: r[6].real(),
            half_life_days: r[7].real(),
            required_level: r[8].real(),
            ready: r[9].real(),
            near_ready: r[10].real(),
        },
    }
}

pub(crate) fn evidence_from(r: &[Val]) -> Result<Evidence, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        table: "talent_evidence".into(),
        detail,
    };
    let kind: EvidenceKind =
        serde_json::from_str(&r[3].text()).map_err(|e| corrupt(format!("detail: {e}")))?;
    let date = NaiveDate::parse_from_str(&r[5].text(), "%Y-%m-%d")
        .map_err(|e| corrupt(format!("date: {e}")))?;
    let observations = r[7]
        .text()
        .split_whitespace()
        .filter_map(|p| p.rsplit_once(':'))
        .map(|(s, l)| {
            Ok(Observation {
                skill_id: s.to_string(),
                level: l.parse().map_err(|_| corrupt(format!("level `{l}`")))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Evidence {
        id: r[0].int() as u64,
        person_id: r[1].int() as u64,
        kind,
        source_org: r[4].text(),
        date,
        recorded_by: r[6].text(),
        observations,
    })
}

fn corrupt(detail: String) -> StoreError {
    StoreError::Corrupt {
        table: "talent_evidence".into(),
        detail,
    }
}

/// The judge of an evidence kind and its date (`YYYY-MM-DD`), for recomputes.
pub(crate) fn compact_parts(kind: &str, date: &str) -> Result<(Judge, NaiveDate), StoreError> {
    let judge = match kind {
        "course_grade" => Judge::School,
        "enterprise_evaluation" => Judge::Enterprise,
        "competition" | "award" => Judge::Practice,
        "certificate" => Judge::Credential,
        other => return Err(corrupt(format!("kind `{other}`"))),
    };
    let b = date.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> { date.get(r)?.parse().ok() };
    let parsed = if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        num(0..4)
            .zip(num(5..7))
            .zip(num(8..10))
            .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(y as i32, m, d))
    } else {
        None
    };
    let date = parsed.ok_or_else(|| corrupt(format!("date `{date}`")))?;
    Ok((judge, date))
}

/// The certificate a certificate's `detail` names, as an index of `skills`
/// (0 for other kinds, whose detail arrives empty, or one the catalog lost).
pub(crate) fn compact_certificate(detail: &str, skills: &SkillIndex) -> Result<u16, StoreError> {
    if detail.is_empty() {
        return Ok(0);
    }
    match serde_json::from_str::<EvidenceKind>(detail)
        .map_err(|e| corrupt(format!("detail: {e}")))?
    {
        EvidenceKind::Certificate { certification_id } => {
            Ok(skills.cert(&certification_id).unwrap_or(0))
        }
        _ => Ok(0),
    }
}

/// `skill:level skill:level` into (skill index, level); skills the model no
/// longer has are left out.
pub(crate) fn compact_observations(
    text: &str,
    skills: &SkillIndex,
    out: &mut Vec<(u32, f64)>,
) -> Result<(), StoreError> {
    for p in text.split_ascii_whitespace() {
        let (s, l) = p
            .rsplit_once(':')
            .ok_or_else(|| corrupt(format!("observation `{p}`")))?;
        let level: f64 = l.parse().map_err(|_| corrupt(format!("level `{l}`")))?;
        if let Some(i) = skills.get(s) {
            out.push((i, level));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_parts_read_what_rows_write() {
        let (j, d) = compact_parts("enterprise_evaluation", "2024-06-30").expect("parts");
        assert_eq!(
            (j, d),
            (
                Judge::Enterprise,
                NaiveDate::from_ymd_opt(2024, 6, 30).expect("date")
            )
        );
        assert!(compact_parts("course_grade", "2024-6-30").is_err());
        assert!(compact_parts("course_grade", "2024-02-30").is_err());
        assert!(compact_parts("rumour", "2024-06-30").is_err());
        let m = cb_competency::bundled::model().expect("model");
        let skills = SkillIndex::new(&m);
        let mut out = Vec::new();
        compact_observations(
            "linux:3.5 retired-skill:4 sql-injection:2.55",
            &skills,
            &mut out,
        )
        .expect("obs");
        assert_eq!(
            out,
            vec![
                (skills.get("linux").expect("linux"), 3.5),
                (skills.get("sql-injection").expect("sqli"), 2.55)
            ]
        );
        assert!(compact_observations("linux", &skills, &mut out).is_err());
        // a certificate's detail names it; other kinds arrive empty
        let detail = serde_json::to_string(&EvidenceKind::Certificate {
            certification_id: "cisp-pte".into(),
        })
        .expect("json");
        assert_eq!(
            compact_certificate(&detail, &skills)
                .map(|c| skills.cert_id(c).to_string())
                .ok(),
            Some("cisp-pte".to_string())
        );
        assert_eq!(compact_certificate("", &skills).ok(), Some(0));
        assert!(compact_certificate("{not json", &skills).is_err());
    }
}
