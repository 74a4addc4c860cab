//! The talent pool as rows: schools, programs (with their evaluation
//! weights), cohorts, people, courses and their skill mappings, evidence.

use crate::changes::ChangeKind;
use crate::{Store, StoreError};
use cb_core::Caller;
use cb_talent::{CompactEvidence, Evidence, EvidenceKind, Judge, Observation, SkillIndex, Weights};
use chrono::NaiveDate;
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TalentImportRecord {
    pub id: i64,
    pub file_name: String,
    pub kind: String,
    pub rows_read: i64,
    pub rejected: i64,
    pub actor: String,
    /// Unix seconds.
    pub at: i64,
}

/// What resolving names in a talent file needs: the stored schools,
/// programs, cohorts, courses and every person's key.
pub type TalentReference = cb_talent::pool::Pool;

/// Observations as stored: `skill:level` separated by spaces, each level in
/// Rust's shortest round-trip form (read back bit for bit by
/// [`parse_observations`]). Kept as text on purpose: as `jsonb` pairs or as
/// two arrays, building the supply figures from five million of them was
/// measured slower (ARCHITECTURE.md, BENCHMARKS.md).
pub(crate) fn encode_observations(observations: &[Observation]) -> String {
    observations
        .iter()
        .map(|o| format!("{}:{}", o.skill_id, o.level))
        .collect::<Vec<_>>()
        .join(" ")
}

fn evidence_kind_name(kind: &EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::CourseGrade { .. } => "course_grade",
        EvidenceKind::EnterpriseEvaluation { .. } => "enterprise_evaluation",
        EvidenceKind::Competition { .. } => "competition",
        EvidenceKind::Certificate { .. } => "certificate",
        EvidenceKind::Award { .. } => "award",
    }
}

/// Maps a row's reference to a stored id: a provisional (negative) id to
/// the id its row was given in this write.
pub(crate) fn stored_id(ids: &HashMap<i64, i64>, what: &str, id: i64) -> Result<i64, StoreError> {
    if !cb_talent::pool::is_provisional(id) {
        return Ok(id);
    }
    ids.get(&id).copied().ok_or_else(|| StoreError::Corrupt {
        table: what.to_string(),
        detail: format!("provisional id {id} names no row of this write"),
    })
}

// ---- rows as stored, decoded by column name ----

macro_rules! school_columns {
    () => {
        "id, name, region"
    };
}
macro_rules! program_columns {
    () => {
        "id, school_id, name, w_school, w_enterprise, w_practice, \
     w_credential, half_life_days, required_level, ready, near_ready"
    };
}
macro_rules! cohort_columns {
    () => {
        "id, program_id, name, entry_year"
    };
}
macro_rules! person_columns {
    () => {
        "id, school_id, program_id, cohort_id, name, \
     student_number, graduation_year, region, consent_enterprise, consent_analytics, synthetic"
    };
}
macro_rules! evidence_columns {
    () => {
        "id, person_id, kind, detail, source_org, date, recorded_by, observations"
    };
}

#[derive(sqlx::FromRow)]
struct SchoolRow {
    id: i64,
    name: String,
    region: String,
}

impl From<SchoolRow> for School {
    fn from(r: SchoolRow) -> School {
        School {
            id: r.id,
            name: r.name,
            region: r.region,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ProgramRow {
    id: i64,
    school_id: i64,
    name: String,
    w_school: f64,
    w_enterprise: f64,
    w_practice: f64,
    w_credential: f64,
    half_life_days: f64,
    required_level: f64,
    ready: f64,
    near_ready: f64,
}

impl From<ProgramRow> for Program {
    fn from(r: ProgramRow) -> Program {
        Program {
            id: r.id,
            school_id: r.school_id,
            name: r.name,
            weights: Weights {
                school: r.w_school,
                enterprise: r.w_enterprise,
                practice: r.w_practice,
                credential: r.w_credential,
                half_life_days: r.half_life_days,
                required_level: r.required_level,
                ready: r.ready,
                near_ready: r.near_ready,
            },
        }
    }
}

#[derive(sqlx::FromRow)]
struct CohortRow {
    id: i64,
    program_id: i64,
    name: String,
    entry_year: i64,
}

impl From<CohortRow> for Cohort {
    fn from(r: CohortRow) -> Cohort {
        Cohort {
            id: r.id,
            program_id: r.program_id,
            name: r.name,
            entry_year: r.entry_year,
        }
    }
}

/// A yes/no column (0 or 1 on both backends); anything else is corrupt.
pub(crate) fn flag(table: &str, column: &str, v: i64) -> Result<bool, StoreError> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(crate::tables::corrupt(
            table,
            format!("{column} is {other}, expected 0 or 1"),
        )),
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PersonRow {
    id: i64,
    school_id: i64,
    program_id: i64,
    cohort_id: Option<i64>,
    name: String,
    student_number: String,
    graduation_year: i64,
    region: String,
    consent_enterprise: i64,
    consent_analytics: i64,
    synthetic: i64,
}

impl TryFrom<PersonRow> for Person {
    type Error = StoreError;
    fn try_from(r: PersonRow) -> Result<Person, StoreError> {
        const T: &str = "talent_people";
        Ok(Person {
            id: r.id,
            school_id: r.school_id,
            program_id: r.program_id,
            cohort_id: r.cohort_id,
            name: r.name,
            student_number: r.student_number,
            graduation_year: r.graduation_year,
            region: r.region,
            consent_enterprise: flag(T, "consent_enterprise", r.consent_enterprise)?,
            consent_analytics: flag(T, "consent_analytics", r.consent_analytics)?,
            synthetic: flag(T, "synthetic", r.synthetic)?,
        })
    }
}

pub(crate) fn people(rows: Vec<PersonRow>) -> Result<Vec<Person>, StoreError> {
    rows.into_iter().map(Person::try_from).collect()
}

#[derive(sqlx::FromRow)]
struct EvidenceRow {
    id: i64,
    person_id: i64,
    kind: String,
    detail: String,
    source_org: String,
    date: String,
    recorded_by: String,
    observations: String,
}

impl TryFrom<EvidenceRow> for Evidence {
    type Error = StoreError;
    fn try_from(r: EvidenceRow) -> Result<Evidence, StoreError> {
        let kind: EvidenceKind =
            serde_json::from_str(&r.detail).map_err(|e| corrupt(format!("detail: {e}")))?;
        if evidence_kind_name(&kind) != r.kind {
            return Err(corrupt(format!(
                "evidence {} is stored as `{}` but its detail is `{}`",
                r.id,
                r.kind,
                evidence_kind_name(&kind)
            )));
        }
        let (_, date) = compact_parts(&r.kind, &r.date)?;
        let observations = parse_observations(&r.observations)
            .map(|o| {
                o.map(|(skill, level)| Observation {
                    skill_id: skill.to_string(),
                    level,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Evidence {
            id: u64::try_from(r.id).map_err(|_| corrupt(format!("id {}", r.id)))?,
            person_id: u64::try_from(r.person_id)
                .map_err(|_| corrupt(format!("person_id {}", r.person_id)))?,
            kind,
            source_org: r.source_org,
            date,
            recorded_by: r.recorded_by,
            observations,
        })
    }
}

fn evidence(rows: Vec<EvidenceRow>) -> Result<Vec<Evidence>, StoreError> {
    rows.into_iter().map(Evidence::try_from).collect()
}

#[derive(sqlx::FromRow)]
struct CourseRow {
    id: i64,
    program_id: i64,
    name: String,
}

#[derive(sqlx::FromRow)]
struct CourseSkillRow {
    course_id: i64,
    skill_id: String,
    target_level: f64,
}

/// Courses with the skills each teaches.
fn courses(rows: Vec<CourseRow>, skills: Vec<CourseSkillRow>) -> Vec<Course> {
    let mut courses: Vec<Course> = rows
        .into_iter()
        .map(|r| Course {
            id: r.id,
            program_id: r.program_id,
            name: r.name,
            skills: Vec::new(),
        })
        .collect();
    let at: HashMap<i64, usize> = courses.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    for s in skills {
        if let Some(&i) = at.get(&s.course_id) {
            courses[i].skills.push((s.skill_id, s.target_level));
        }
    }
    courses
}

#[derive(sqlx::FromRow)]
struct CohortSummaryRow {
    id: i64,
    program_id: i64,
    name: String,
    entry_year: i64,
    program: String,
    school_id: i64,
    school: String,
    people: i64,
}

/// Rows per multi-row INSERT of people and of evidence (the statement's
/// parameters stay under SQLite's 32,766 and PostgreSQL's 65,535).
const ROWS_PER_INSERT: usize = 2_000;

impl Store {
    /// Adds schools, programs, cohorts, people, courses and evidence in one
    /// transaction. New rows carry provisional (negative) ids: the database
    /// assigns the real ones, and references between new rows follow.
    /// Returns the evidence's stored ids when `w.evidence_ids` asks for them.
    pub async fn write_talent(
        &self,
        caller: &Caller,
        w: &TalentWrite,
    ) -> Result<Vec<i64>, StoreError> {
        // a row that is there already (the same file, school or student added
        // by another process meanwhile) is a `Duplicate`
        self.write_talent_tx(caller, w).await.map_err(|e| match e {
            StoreError::Database(e) => crate::model::duplicate(e),
            e => e,
        })
    }

    async fn write_talent_tx(
        &self,
        caller: &Caller,
        w: &TalentWrite,
    ) -> Result<Vec<i64>, StoreError> {
        let a = &w.add;
        let actor = caller.audit_name();
        let evidence_ids = in_tx!(self, tx => {
            if let Some(i) = &w.import {
                sqlx::query(
                    "INSERT INTO talent_imports (file_name, file_hash, kind, rows_read, rejected, actor, at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&i.file_name)
                .bind(&i.file_hash)
                .bind(&i.kind)
                .bind(i.rows_read as i64)
                .bind(i.rejected as i64)
                .bind(&actor)
                .bind(crate::changes::now())
                .execute(&mut *tx)
                .await?;
            }
            // the few parents one row at a time, each giving back its id
            let (mut schools, mut programs, mut cohorts, mut courses) =
                (HashMap::new(), HashMap::new(), HashMap::new(), HashMap::new());
            for x in &a.schools {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO talent_schools (name, region) VALUES ($1, $2) RETURNING id",
                )
                .bind(&x.name)
                .bind(&x.region)
                .fetch_one(&mut *tx)
                .await?;
                schools.insert(x.id, id);
            }
            for x in &a.programs {
                let w = &x.weights;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO talent_programs (school_id, name, w_school, w_enterprise, w_practice, \
                     w_credential, half_life_days, required_level, ready, near_ready) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(stored_id(&schools, "talent_schools", x.school_id)?)
                .bind(&x.name)
                .bind(w.school)
                .bind(w.enterprise)
                .bind(w.practice)
                .bind(w.credential)
                .bind(w.half_life_days)
                .bind(w.required_level)
                .bind(w.ready)
                .bind(w.near_ready)
                .fetch_one(&mut *tx)
                .await?;
                programs.insert(x.id, id);
            }
            for x in &a.cohorts {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO talent_cohorts (program_id, name, entry_year) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(stored_id(&programs, "talent_programs", x.program_id)?)
                .bind(&x.name)
                .bind(x.entry_year)
                .fetch_one(&mut *tx)
                .await?;
                cohorts.insert(x.id, id);
            }
            let mut skill_rows: Vec<(i64, &str, f64)> = Vec::new();
            for x in &a.courses {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO talent_courses (program_id, name) VALUES ($1, $2) RETURNING id",
                )
                .bind(stored_id(&programs, "talent_programs", x.program_id)?)
                .bind(&x.name)
                .fetch_one(&mut *tx)
                .await?;
                courses.insert(x.id, id);
                skill_rows.extend(x.skills.iter().map(|(s, l)| (id, s.as_str(), *l)));
            }
            for (c, s, l) in &a.course_skills {
                skill_rows.push((stored_id(&courses, "talent_courses", *c)?, s.as_str(), *l));
            }
            for chunk in skill_rows.chunks(ROWS_PER_INSERT) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO talent_course_skills (course_id, skill_id, target_level) ",
                );
                q.push_values(chunk, |mut b, (c, s, l)| {
                    b.push_bind(*c).push_bind(*s).push_bind(*l);
                });
                q.build().execute(&mut *tx).await?;
            }
            // people in multi-row statements; each comes back by its school and student number
            let mut rows = Vec::with_capacity(a.people.len());
            let mut by_key: HashMap<(i64, &str), i64> = HashMap::with_capacity(a.people.len());
            for p in &a.people {
                let school = stored_id(&schools, "talent_schools", p.school_id)?;
                let program = stored_id(&programs, "talent_programs", p.program_id)?;
                let cohort = p.cohort_id.map(|c| stored_id(&cohorts, "talent_cohorts", c)).transpose()?;
                rows.push((p, school, program, cohort));
                by_key.insert((school, p.student_number.as_str()), p.id);
            }
            let mut people: HashMap<i64, i64> = HashMap::with_capacity(a.people.len());
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO talent_people (school_id, program_id, cohort_id, name, student_number, \
                     graduation_year, region, consent_enterprise, consent_analytics, synthetic) ",
                );
                q.push_values(chunk, |mut b, (p, school, program, cohort)| {
                    b.push_bind(*school)
                        .push_bind(*program)
                        .push_bind(*cohort)
                        .push_bind(&p.name)
                        .push_bind(&p.student_number)
                        .push_bind(p.graduation_year)
                        .push_bind(&p.region)
                        .push_bind(i64::from(p.consent_enterprise))
                        .push_bind(i64::from(p.consent_analytics))
                        .push_bind(i64::from(p.synthetic));
                });
                q.push(" RETURNING id, school_id, student_number");
                let back: Vec<(i64, i64, String)> = q.build_query_as().fetch_all(&mut *tx).await?;
                for (id, school, number) in back {
                    let provisional = by_key.get(&(school, number.as_str())).copied().ok_or_else(|| StoreError::Corrupt {
                        table: "talent_people".into(),
                        detail: format!("a person came back that this write did not add ({school}, {number})"),
                    })?;
                    people.insert(provisional, id);
                }
            }
            let mut rows = Vec::with_capacity(a.evidence.len());
            let mut touched = Vec::with_capacity(a.evidence.len() + people.len());
            for e in &a.evidence {
                let person = stored_id(&people, "talent_people", e.person_id as i64)?;
                touched.push(person);
                let detail = serde_json::to_string(&e.kind).map_err(|err| StoreError::Corrupt {
                    table: "talent_evidence".into(),
                    detail: format!("detail: {err}"),
                })?;
                let by = if e.recorded_by.is_empty() { actor.as_str() } else { e.recorded_by.as_str() };
                rows.push((person, evidence_kind_name(&e.kind), detail, e, e.date.format("%Y-%m-%d").to_string(), by, encode_observations(&e.observations)));
            }
            // one at a time when the ids are wanted (a write of a few)
            let per = if w.evidence_ids { 1 } else { ROWS_PER_INSERT };
            let mut evidence_ids = Vec::new();
            for chunk in rows.chunks(per) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO talent_evidence (person_id, kind, detail, source_org, date, recorded_by, observations) ",
                );
                q.push_values(chunk, |mut b, (person, kind, detail, e, date, by, obs)| {
                    b.push_bind(*person)
                        .push_bind(*kind)
                        .push_bind(detail.as_str())
                        .push_bind(e.source_org.as_str())
                        .push_bind(date.as_str())
                        .push_bind(*by)
                        .push_bind(obs.as_str());
                });
                if w.evidence_ids {
                    q.push(" RETURNING id");
                    let id: i64 = q.build_query_scalar().fetch_one(&mut *tx).await?;
                    evidence_ids.push(id);
                } else {
                    q.build().execute(&mut *tx).await?;
                }
            }
            if a.schools.is_empty() && a.programs.is_empty() && a.courses.is_empty() && a.course_skills.is_empty() {
                touched.extend(people.values().copied());
                touched.sort_unstable();
                touched.dedup();
                if touched.len() > crate::changes::PEOPLE_PER_CHANGE {
                    note_in!(tx, ChangeKind::Talent);
                } else {
                    for p in &touched {
                        note_in!(tx, ChangeKind::Person, Some(*p));
                    }
                }
            } else {
                note_in!(tx, ChangeKind::Talent);
            }
            let detail = format!(
                "{} schools, {} programs, {} people, {} courses, {} evidence",
                a.schools.len(),
                a.programs.len(),
                a.people.len(),
                a.courses.len(),
                a.evidence.len()
            );
            audit_in!(tx, caller, "talent.write", detail);
            evidence_ids
        });
        // after a bulk load the planner's statistics are stale (PostgreSQL then
        // plans a parallel scan for one person's 50 rows)
        if a.evidence.len() >= 50_000 || a.people.len() >= 10_000 {
            on_pool!(self, pool => {
                sqlx::query("ANALYZE talent_evidence").execute(pool).await?;
                sqlx::query("ANALYZE talent_people").execute(pool).await?;
            });
        }
        Ok(evidence_ids)
    }

    pub async fn talent_import_by_hash(
        &self,
        hash: &str,
    ) -> Result<Option<TalentImportRecord>, StoreError> {
        const SQL: &str = "SELECT id, file_name, kind, rows_read, rejected, actor, at \
             FROM talent_imports WHERE file_hash = $1";
        on_pool!(self, pool => Ok(sqlx::query_as(SQL).bind(hash).fetch_optional(pool).await?))
    }

    /// Everything a talent import resolves names against.
    pub async fn talent_reference(&self) -> Result<TalentReference, StoreError> {
        let schools = concat!(
            "SELECT ",
            school_columns!(),
            " FROM talent_schools ORDER BY id"
        );
        let programs = concat!(
            "SELECT ",
            program_columns!(),
            " FROM talent_programs ORDER BY id"
        );
        let cohorts = concat!(
            "SELECT ",
            cohort_columns!(),
            " FROM talent_cohorts ORDER BY id"
        );
        let people_sql = concat!(
            "SELECT ",
            person_columns!(),
            " FROM talent_people ORDER BY id"
        );
        const COURSES: &str = "SELECT id, program_id, name FROM talent_courses ORDER BY id";
        const SKILLS: &str = "SELECT course_id, skill_id, target_level FROM talent_course_skills";
        on_pool!(self, pool => {
            let schools: Vec<SchoolRow> = sqlx::query_as(schools).fetch_all(pool).await?;
            let programs: Vec<ProgramRow> = sqlx::query_as(programs).fetch_all(pool).await?;
            let cohorts: Vec<CohortRow> = sqlx::query_as(cohorts).fetch_all(pool).await?;
            let people_rows: Vec<PersonRow> = sqlx::query_as(people_sql).fetch_all(pool).await?;
            let course_rows: Vec<CourseRow> = sqlx::query_as(COURSES).fetch_all(pool).await?;
            let skills: Vec<CourseSkillRow> = sqlx::query_as(SKILLS).fetch_all(pool).await?;
            Ok(TalentReference {
                schools: schools.into_iter().map(School::from).collect(),
                programs: programs.into_iter().map(Program::from).collect(),
                cohorts: cohorts.into_iter().map(Cohort::from).collect(),
                people: people(people_rows)?,
                courses: courses(course_rows, skills),
            })
        })
    }

    /// A program's courses with the skills each teaches, by name.
    pub async fn talent_program_courses(&self, program_id: i64) -> Result<Vec<Course>, StoreError> {
        const COURSES: &str =
            "SELECT id, program_id, name FROM talent_courses WHERE program_id = $1";
        const SKILLS: &str = "SELECT course_id, skill_id, target_level FROM talent_course_skills \
             WHERE course_id IN (SELECT id FROM talent_courses WHERE program_id = $1)";
        let mut out = on_pool!(self, pool => {
            let rows: Vec<CourseRow> = sqlx::query_as(COURSES).bind(program_id).fetch_all(pool).await?;
            let skills: Vec<CourseSkillRow> = sqlx::query_as(SKILLS).bind(program_id).fetch_all(pool).await?;
            courses(rows, skills)
        });
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    pub async fn talent_person(&self, id: i64) -> Result<Option<Person>, StoreError> {
        let sql = concat!(
            "SELECT ",
            person_columns!(),
            " FROM talent_people WHERE id = $1"
        );
        let row: Option<PersonRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await?);
        row.map(Person::try_from).transpose()
    }

    /// People by id after `after_id`, at most `limit`.
    pub async fn talent_people(
        &self,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<Person>, StoreError> {
        self.talent_people_where(None, None, after_id, limit).await
    }

    /// People of a school (and of these cohorts, if given), in id order after `after_id`.
    pub async fn talent_people_where(
        &self,
        school_id: Option<i64>,
        cohorts: Option<&[i64]>,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<Person>, StoreError> {
        if cohorts.is_some_and(|c| c.is_empty()) {
            return Ok(Vec::new());
        }
        let rows: Vec<PersonRow> = on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(concat!("SELECT ", person_columns!(), " FROM talent_people WHERE id > "));
            q.push_bind(after_id);
            if let Some(s) = school_id {
                q.push(" AND school_id = ").push_bind(s);
            }
            if let Some(c) = cohorts {
                q.push(" AND cohort_id IN (");
                let mut list = q.separated(", ");
                for id in c {
                    list.push_bind(*id);
                }
                q.push(")");
            }
            q.push(" ORDER BY id LIMIT ").push_bind(limit);
            q.build_query_as().fetch_all(pool).await?
        });
        people(rows)
    }

    /// A school's student by their student number.
    pub async fn talent_person_by_number(
        &self,
        school_id: i64,
        number: &str,
    ) -> Result<Option<Person>, StoreError> {
        let sql = concat!(
            "SELECT ",
            person_columns!(),
            " FROM talent_people WHERE school_id = $1 AND student_number = $2"
        );
        let row: Option<PersonRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(school_id)
            .bind(number)
            .fetch_optional(pool)
            .await?);
        row.map(Person::try_from).transpose()
    }

    pub async fn talent_cohort_people(&self, cohort_id: i64) -> Result<Vec<Person>, StoreError> {
        let sql = concat!(
            "SELECT ",
            person_columns!(),
            " FROM talent_people WHERE cohort_id = $1 ORDER BY student_number, id"
        );
        let rows: Vec<PersonRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(cohort_id).fetch_all(pool).await?);
        people(rows)
    }

    /// A student's own changes to their record: name, region, consents.
    pub async fn talent_person_update(
        &self,
        caller: &Caller,
        p: &Person,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE talent_people SET name = $1, region = $2, consent_enterprise = $3, \
             consent_analytics = $4 WHERE id = $5";
        in_tx!(self, tx => {
            sqlx::query(SQL)
                .bind(&p.name)
                .bind(&p.region)
                .bind(i64::from(p.consent_enterprise))
                .bind(i64::from(p.consent_analytics))
                .bind(p.id)
                .execute(&mut *tx)
                .await?;
            note_in!(tx, ChangeKind::Person, Some(p.id));
            audit_in!(tx, caller, action, detail);
        });
        Ok(())
    }

    pub async fn talent_school(&self, id: i64) -> Result<Option<School>, StoreError> {
        let sql = concat!(
            "SELECT ",
            school_columns!(),
            " FROM talent_schools WHERE id = $1"
        );
        let row: Option<SchoolRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await?);
        Ok(row.map(School::from))
    }

    /// Every school of the talent pool, by name.
    pub async fn talent_reference_schools(&self) -> Result<Vec<School>, StoreError> {
        let sql = concat!(
            "SELECT ",
            school_columns!(),
            " FROM talent_schools ORDER BY name"
        );
        let rows: Vec<SchoolRow> =
            on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        Ok(rows.into_iter().map(School::from).collect())
    }

    pub async fn talent_program(&self, id: i64) -> Result<Option<Program>, StoreError> {
        let sql = concat!(
            "SELECT ",
            program_columns!(),
            " FROM talent_programs WHERE id = $1"
        );
        let row: Option<ProgramRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await?);
        Ok(row.map(Program::from))
    }

    pub async fn talent_programs(&self) -> Result<Vec<Program>, StoreError> {
        let sql = concat!(
            "SELECT ",
            program_columns!(),
            " FROM talent_programs ORDER BY id"
        );
        let rows: Vec<ProgramRow> =
            on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        Ok(rows.into_iter().map(Program::from).collect())
    }

    /// Every cohort with its program, school and head count, by school, program, name.
    pub async fn talent_cohorts(&self) -> Result<Vec<CohortSummary>, StoreError> {
        const SQL: &str = "SELECT c.id, c.program_id, c.name, c.entry_year, p.name AS program, \
             s.id AS school_id, s.name AS school, \
             (SELECT COUNT(*) FROM talent_people x WHERE x.cohort_id = c.id) AS people \
             FROM talent_cohorts c JOIN talent_programs p ON p.id = c.program_id \
             JOIN talent_schools s ON s.id = p.school_id \
             ORDER BY s.name, p.name, c.name, c.id";
        let rows: Vec<CohortSummaryRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|r| CohortSummary {
                cohort: Cohort {
                    id: r.id,
                    program_id: r.program_id,
                    name: r.name,
                    entry_year: r.entry_year,
                },
                program: r.program,
                school_id: r.school_id,
                school: r.school,
                people: r.people,
            })
            .collect())
    }

    /// Evidence of the people with ids in `first..=last`, by person, date, id.
    pub async fn talent_evidence_range(
        &self,
        first: i64,
        last: i64,
    ) -> Result<Vec<Evidence>, StoreError> {
        let sql = concat!(
            "SELECT ",
            evidence_columns!(),
            " FROM talent_evidence WHERE person_id BETWEEN $1 AND $2 \
             ORDER BY person_id, date, id"
        );
        let rows: Vec<EvidenceRow> = on_pool!(self, pool => sqlx::query_as(sql).bind(first).bind(last).fetch_all(pool).await?);
        evidence(rows)
    }

    /// The evidence of a cohort's people, by person, date, id.
    pub async fn talent_cohort_evidence(
        &self,
        cohort_id: i64,
    ) -> Result<Vec<Evidence>, StoreError> {
        let sql = concat!(
            "SELECT ",
            evidence_columns!(),
            " FROM talent_evidence \
             WHERE person_id IN (SELECT id FROM talent_people WHERE cohort_id = $1) \
             ORDER BY person_id, date, id"
        );
        let rows: Vec<EvidenceRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(cohort_id).fetch_all(pool).await?);
        evidence(rows)
    }

    /// One person's evidence, by date, id.
    pub async fn talent_evidence_of(&self, person_id: i64) -> Result<Vec<Evidence>, StoreError> {
        let sql = concat!(
            "SELECT ",
            evidence_columns!(),
            " FROM talent_evidence WHERE person_id = $1 ORDER BY date, id"
        );
        let rows: Vec<EvidenceRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(person_id).fetch_all(pool).await?);
        evidence(rows)
    }

    /// The evidence of people `first..=last` reduced to what a recompute
    /// needs, skills as indices of `skills` (no details are parsed but a
    /// certificate's).
    pub async fn talent_evidence_compact(
        &self,
        first: i64,
        last: i64,
        skills: &SkillIndex,
    ) -> Result<CompactEvidence, StoreError> {
        const SQL: &str = "SELECT id, person_id, kind, date, observations, \
             CASE WHEN kind = 'certificate' THEN detail ELSE '' END AS detail \
             FROM talent_evidence WHERE person_id BETWEEN $1 AND $2";
        const COMPACT_COLUMNS: [&str; 6] =
            ["id", "person_id", "kind", "date", "observations", "detail"];
        let mut out =
            CompactEvidence::with_capacity(((last - first + 1).max(0) as usize).min(100_000) * 50);
        let mut obs = Vec::new();
        on_pool!(self, pool => {
            let mut rows = sqlx::query(SQL).bind(first).bind(last).fetch(pool);
            // five million rows: each column is found by its name once, on the first row
            let mut at: Option<[usize; 6]> = None;
            while let Some(r) = rows.try_next().await? {
                let c = match at {
                    Some(c) => c,
                    None => *at.insert(crate::ordinals(&r, COMPACT_COLUMNS)?),
                };
                let kind: &str = r.try_get(c[2])?;
                let date: &str = r.try_get(c[3])?;
                let text: &str = r.try_get(c[4])?;
                let detail: &str = r.try_get(c[5])?;
                let (judge, date) = compact_parts(kind, date)?;
                compact_observations(text, skills, &mut obs)?;
                let cert = compact_certificate(detail, skills)?;
                let id: i64 = r.try_get(c[0])?;
                let person: i64 = r.try_get(c[1])?;
                out.push(id as u64, person as u64, judge, cert, date, obs.drain(..));
            }
        });
        Ok(out)
    }

    /// (schools, programs, people, evidence)
    pub async fn talent_counts(&self) -> Result<(i64, i64, i64, i64), StoreError> {
        const SQL: &str = "SELECT (SELECT COUNT(*) FROM talent_schools), \
             (SELECT COUNT(*) FROM talent_programs), (SELECT COUNT(*) FROM talent_people), \
             (SELECT COUNT(*) FROM talent_evidence)";
        on_pool!(self, pool => Ok(sqlx::query_as(SQL).fetch_one(pool).await?))
    }
}

fn corrupt(detail: String) -> StoreError {
    crate::tables::corrupt("talent_evidence", detail)
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

/// Reads what [`encode_observations`] writes, without allocating: each
/// `skill:level` pair (the level follows the last colon) as the skill and
/// its level; a pair without a colon, an empty skill or a level that is not
/// a finite number is corrupt.
pub(crate) fn parse_observations(
    text: &str,
) -> impl Iterator<Item = Result<(&str, f64), StoreError>> + '_ {
    text.split_ascii_whitespace().map(|p| {
        let (s, l) = p
            .rsplit_once(':')
            .filter(|(s, _)| !s.is_empty())
            .ok_or_else(|| corrupt(format!("observation `{p}`")))?;
        match l.parse::<f64>() {
            Ok(level) if level.is_finite() => Ok((s, level)),
            _ => Err(corrupt(format!("level `{l}`"))),
        }
    })
}

/// `skill:level skill:level` into (skill index, level); skills the model no
/// longer has are left out.
pub(crate) fn compact_observations(
    text: &str,
    skills: &SkillIndex,
    out: &mut Vec<(u32, f64)>,
) -> Result<(), StoreError> {
    for o in parse_observations(text) {
        let (s, level) = o?;
        if let Some(i) = skills.get(s) {
            out.push((i, level));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// What is written reads back: the same skills, each level bit for bit.
        #[test]
        fn observations_read_back_bit_for_bit(
            pairs in prop::collection::vec(
                ("[a-z0-9][a-z0-9:._-]{0,23}", any::<f64>().prop_filter("finite", |v| v.is_finite())),
                0..12,
            )
        ) {
            let observations: Vec<Observation> = pairs
                .iter()
                .map(|(s, l)| Observation { skill_id: s.clone(), level: *l })
                .collect();
            let text = encode_observations(&observations);
            let back: Vec<(&str, f64)> = parse_observations(&text)
                .collect::<Result<_, _>>()
                .expect("what is written reads back");
            prop_assert_eq!(back.len(), pairs.len());
            for ((s, l), (bs, bl)) in pairs.iter().zip(&back) {
                prop_assert_eq!(s.as_str(), *bs);
                prop_assert_eq!(l.to_bits(), bl.to_bits());
            }
        }

        /// Any stored text is read or refused, never a panic; what is read
        /// is a skill and a finite level, and writes back to text that reads
        /// the same.
        #[test]
        fn any_text_is_read_or_refused(text in "[a-z: .0-9eE+-]{0,40}|\\PC{0,40}") {
            let read: Result<Vec<(&str, f64)>, _> = parse_observations(&text).collect();
            if let Ok(pairs) = read {
                let observations: Vec<Observation> = pairs
                    .iter()
                    .map(|(s, l)| Observation { skill_id: s.to_string(), level: *l })
                    .collect();
                for o in &observations {
                    prop_assert!(!o.skill_id.is_empty() && o.level.is_finite());
                }
                let again = encode_observations(&observations);
                let back: Vec<(&str, f64)> = parse_observations(&again)
                    .collect::<Result<_, _>>()
                    .expect("what was read writes back readable");
                prop_assert_eq!(back, pairs);
            }
        }
    }

    #[test]
    fn malformed_observations_are_corrupt() {
        for bad in [
            "linux",
            ":3",
            "linux:",
            "linux:NaN",
            "linux:inf",
            "linux:three",
        ] {
            assert!(
                parse_observations(bad).any(|o| o.is_err()),
                "`{bad}` was read"
            );
        }
    }

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
