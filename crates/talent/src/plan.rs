//! Planning a talent import: every row of a file resolved against the stored
//! pool and the rows before it (schools and programs by name, people by
//! school and student number, courses by program), producing the additions
//! one write makes, or the first bad row. Lookups are hashed, so a file of n
//! rows against a pool of m people takes time linear in n + m.

use crate::evidence::{
    CourseSkill, EvidenceKind, Observation, category_skills, competition_level, course_observations,
};
use crate::import::{Columns, Kind, Lookup, Row, parse_row};
use crate::pool::{Additions, Cohort, Course, Person, Pool, Program, Provisional, School};
use crate::{Evidence, Weights};
use cb_competency::Catalog;
use cb_tabular::RowError;
use chrono::NaiveDate;
use std::collections::HashMap;

/// What a file adds, how many rows it had and the rows refused (with their
/// raw text) when bad rows are skipped.
#[derive(Debug, Clone)]
pub struct Plan {
    pub additions: Additions,
    pub rows_read: u64,
    pub rejected: Vec<(RowError, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The file as a whole: unreadable, or without the columns its kind needs.
    #[error("{0}")]
    File(String),
    /// The first bad row (when bad rows are not skipped).
    #[error("{0}")]
    Row(RowError),
}

/// Plans the import of `name` (a file of `kind`) against `pool`. Dates a row
/// leaves out are `today`.
pub fn plan(
    name: &str,
    reader: impl std::io::Read + Send + 'static,
    kind: Kind,
    skip_bad_rows: bool,
    today: NaiveDate,
    pool: &Pool,
    catalog: &Catalog,
) -> Result<Plan, PlanError> {
    let (headers, records) =
        cb_tabular::read(name, reader).map_err(|e| PlanError::File(e.to_string()))?;
    let cols = Columns::resolve(name, kind, &headers).map_err(PlanError::File)?;
    let mut p = Planner::new(pool, catalog, today);
    let skill = |s: &str| catalog.skill_by_name(s).map(|k| k.id.clone());
    let certificate = |s: &str| catalog.certification_by_name(s).map(|c| c.id.clone());
    let lookup = Lookup {
        skill: &skill,
        certificate: &certificate,
    };
    let mut rejected = Vec::new();
    let mut rows_read = 0u64;
    for rec in records {
        rows_read += 1;
        let at = At {
            file: name,
            line: rec.line,
            cols: &cols,
        };
        let result = parse_row(&cols, name, &rec, &lookup).and_then(|row| p.add(row, &at));
        if let Err(e) = result {
            if skip_bad_rows {
                rejected.push((e, rec.raw.clone()));
            } else {
                return Err(PlanError::Row(e));
            }
        }
    }
    Ok(Plan {
        additions: p.add,
        rows_read,
        rejected,
    })
}

/// Where a row is, for its errors.
struct At<'a> {
    file: &'a str,
    line: u64,
    cols: &'a Columns,
}

impl At<'_> {
    fn err(&self, field: &str, fallback: &str, problem: String, expected: &str) -> RowError {
        RowError {
            file: self.file.to_string(),
            line: self.line,
            column: self.cols.header(field).unwrap_or(fallback).to_string(),
            problem,
            expected: expected.to_string(),
        }
    }
}

/// A course's skill mappings: (skill id, target level).
type Skills = Vec<(String, f64)>;

/// The pool as the file sees it so far, indexed.
struct Planner<'a> {
    catalog: &'a Catalog,
    today: NaiveDate,
    ids: Provisional,
    add: Additions,
    /// School name → (id, region).
    schools: HashMap<String, (i64, String)>,
    /// (school, name) → program id.
    programs: HashMap<(i64, String), i64>,
    /// (program, name) → cohort id.
    cohorts: HashMap<(i64, String), i64>,
    /// (school, student number) → the person's program and name.
    people: HashMap<(i64, String), (i64, i64, String)>,
    /// (program, name) → the course's id and skills.
    courses: HashMap<(i64, String), (i64, Skills)>,
    /// A new course's place in `add.courses`.
    new_course_at: HashMap<i64, usize>,
    /// (person, enterprise, date) → its evaluation's place in `add.evidence`.
    evals: HashMap<(i64, String, NaiveDate), usize>,
}

impl<'a> Planner<'a> {
    fn new(pool: &Pool, catalog: &'a Catalog, today: NaiveDate) -> Planner<'a> {
        Planner {
            catalog,
            today,
            ids: Provisional::default(),
            add: Additions::default(),
            schools: pool
                .schools
                .iter()
                .map(|s| (s.name.clone(), (s.id, s.region.clone())))
                .collect(),
            programs: pool
                .programs
                .iter()
                .map(|p| ((p.school_id, p.name.clone()), p.id))
                .collect(),
            cohorts: pool
                .cohorts
                .iter()
                .map(|c| ((c.program_id, c.name.clone()), c.id))
                .collect(),
            people: pool
                .people
                .iter()
                .map(|p| {
                    (
                        (p.school_id, p.student_number.clone()),
                        (p.id, p.program_id, p.name.clone()),
                    )
                })
                .collect(),
            courses: pool
                .courses
                .iter()
                .map(|c| ((c.program_id, c.name.clone()), (c.id, c.skills.clone())))
                .collect(),
            new_course_at: HashMap::new(),
            evals: HashMap::new(),
        }
    }

    fn add(&mut self, row: Row, at: &At) -> Result<(), RowError> {
        match row {
            Row::Person(p) => {
                let school_id = match self.schools.get(&p.school) {
                    Some(&(id, _)) => id,
                    None => {
                        let s = School {
                            id: self.ids.take(),
                            name: p.school.clone(),
                            region: p.region.clone().unwrap_or_default(),
                        };
                        self.schools
                            .insert(s.name.clone(), (s.id, s.region.clone()));
                        let id = s.id;
                        self.add.schools.push(s);
                        id
                    }
                };
                if self
                    .people
                    .contains_key(&(school_id, p.student_number.clone()))
                {
                    return Err(at.err(
                        "student_number",
                        "学号",
                        format!(
                            "`{}` is already in the roster of {}",
                            p.student_number, p.school
                        ),
                        "a student number not yet in the talent pool",
                    ));
                }
                let program_id = match self.programs.get(&(school_id, p.program.clone())) {
                    Some(&id) => id,
                    None => {
                        let x = Program {
                            id: self.ids.take(),
                            school_id,
                            name: p.program.clone(),
                            weights: Weights::default(),
                        };
                        self.programs.insert((school_id, x.name.clone()), x.id);
                        let id = x.id;
                        self.add.programs.push(x);
                        id
                    }
                };
                let cohort_id = match &p.cohort {
                    None => None,
                    Some(c) => Some(match self.cohorts.get(&(program_id, c.clone())) {
                        Some(&id) => id,
                        None => {
                            let x = Cohort {
                                id: self.ids.take(),
                                program_id,
                                name: c.clone(),
                                entry_year: p.graduation_year - 4,
                            };
                            self.cohorts.insert((program_id, c.clone()), x.id);
                            let id = x.id;
                            self.add.cohorts.push(x);
                            id
                        }
                    }),
                };
                let region = p
                    .region
                    .clone()
                    .or_else(|| self.schools.get(&p.school).map(|(_, r)| r.clone()))
                    .unwrap_or_default();
                let person = Person {
                    id: self.ids.take(),
                    school_id,
                    program_id,
                    cohort_id,
                    name: p.name,
                    student_number: p.student_number,
                    graduation_year: p.graduation_year,
                    region,
                    consent_enterprise: p.consent_enterprise,
                    consent_analytics: true,
                    synthetic: false,
                };
                self.people.insert(
                    (school_id, person.student_number.clone()),
                    (person.id, program_id, person.name.clone()),
                );
                self.add.people.push(person);
            }
            Row::Course(c) => {
                let school_id = self.school(&c.school, at)?;
                let program_id = *self
                    .programs
                    .get(&(school_id, c.program.clone()))
                    .ok_or_else(|| {
                        at.err(
                            "program",
                            "专业",
                            format!("`{}` is not a program of {}", c.program, c.school),
                            "a program already in the talent pool",
                        )
                    })?;
                match self.courses.get_mut(&(program_id, c.course.clone())) {
                    Some((id, skills)) => {
                        if skills.iter().any(|(s, _)| s == &c.skill_id) {
                            return Err(at.err(
                                "skill",
                                "技能",
                                format!("`{}` is already mapped to {}", c.skill_id, c.course),
                                "each skill once per course",
                            ));
                        }
                        skills.push((c.skill_id.clone(), c.target_level));
                        match self.new_course_at.get(id) {
                            Some(&i) => self.add.courses[i]
                                .skills
                                .push((c.skill_id, c.target_level)),
                            None => self
                                .add
                                .course_skills
                                .push((*id, c.skill_id, c.target_level)),
                        }
                    }
                    None => {
                        let course = Course {
                            id: self.ids.take(),
                            program_id,
                            name: c.course,
                            skills: vec![(c.skill_id, c.target_level)],
                        };
                        self.courses.insert(
                            (program_id, course.name.clone()),
                            (course.id, course.skills.clone()),
                        );
                        self.new_course_at.insert(course.id, self.add.courses.len());
                        self.add.courses.push(course);
                    }
                }
            }
            Row::Grade(g) => {
                let (person_id, program_id, name) =
                    self.person(&g.school, &g.student_number, at)?;
                if let Some(n) = &g.name
                    && n != &name
                {
                    return Err(at.err(
                        "name",
                        "姓名",
                        format!(
                            "`{n}` does not match student number {} ({name})",
                            g.student_number
                        ),
                        "the name the roster has for this student number",
                    ));
                }
                let (_, skills) = self
                    .courses
                    .get(&(program_id, g.course.clone()))
                    .ok_or_else(|| {
                        at.err(
                            "course",
                            "课程",
                            format!("`{}` is not a course of this student's program", g.course),
                            "a course mapped to skills (import the course mappings first)",
                        )
                    })?;
                let mapping: Vec<CourseSkill> = skills
                    .iter()
                    .map(|(s, l)| CourseSkill {
                        skill_id: s.clone(),
                        target_level: *l,
                    })
                    .collect();
                self.evidence(
                    person_id,
                    EvidenceKind::CourseGrade {
                        course: g.course,
                        grade: g.grade_raw,
                    },
                    g.school,
                    g.date,
                    course_observations(&mapping, g.grade),
                );
            }
            Row::Competition(c) => {
                let (person_id, _, _) = self.person(&c.school, &c.student_number, at)?;
                let level = competition_level(c.rank, c.teams);
                let observations = category_skills(&c.category)
                    .iter()
                    .map(|s| Observation {
                        skill_id: s.to_string(),
                        level,
                    })
                    .collect();
                self.evidence(
                    person_id,
                    EvidenceKind::Competition {
                        event: c.event.clone(),
                        category: c.category,
                        rank: c.rank,
                        teams: c.teams,
                    },
                    c.event,
                    c.date,
                    observations,
                );
            }
            Row::Certificate(c) => {
                let (person_id, _, _) = self.person(&c.school, &c.student_number, at)?;
                let cert = self
                    .catalog
                    .certification(&c.certification_id)
                    .ok_or_else(|| {
                        at.err(
                            "certificate",
                            "证书",
                            format!("`{}` left the catalog", c.certification_id),
                            "a certificate of the catalog",
                        )
                    })?;
                let level = cert.level as f64;
                let observations = cert
                    .skill_ids
                    .iter()
                    .map(|s| Observation {
                        skill_id: s.clone(),
                        level,
                    })
                    .collect();
                self.evidence(
                    person_id,
                    EvidenceKind::Certificate {
                        certification_id: cert.id.clone(),
                    },
                    cert.issuer_zh.clone(),
                    c.date,
                    observations,
                );
            }
            Row::Award(a) => {
                let (person_id, _, _) = self.person(&a.school, &a.student_number, at)?;
                let observations = a
                    .skills
                    .into_iter()
                    .map(|s| Observation {
                        skill_id: s,
                        level: a.level,
                    })
                    .collect();
                self.evidence(
                    person_id,
                    EvidenceKind::Award { title: a.title },
                    a.issuer,
                    a.date,
                    observations,
                );
            }
            Row::Evaluation(e) => {
                let (person_id, _, _) = self.person(&e.school, &e.student_number, at)?;
                let date = e.date.unwrap_or(self.today);
                let obs = Observation {
                    skill_id: e.skill_id,
                    level: e.level,
                };
                let key = (person_id, e.enterprise.clone(), date);
                match self.evals.get(&key) {
                    Some(&i) => self.add.evidence[i].observations.push(obs),
                    None => {
                        self.evals.insert(key, self.add.evidence.len());
                        self.evidence(
                            person_id,
                            EvidenceKind::EnterpriseEvaluation { comment: e.comment },
                            e.enterprise,
                            Some(date),
                            vec![obs],
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// A new piece of evidence (the store gives it its id).
    fn evidence(
        &mut self,
        person_id: i64,
        kind: EvidenceKind,
        source_org: String,
        date: Option<NaiveDate>,
        observations: Vec<Observation>,
    ) {
        self.add.evidence.push(Evidence {
            id: 0,
            person_id: person_id as u64,
            kind,
            source_org,
            date: date.unwrap_or(self.today),
            recorded_by: String::new(),
            observations,
        });
    }

    fn school(&self, school: &str, at: &At) -> Result<i64, RowError> {
        self.schools.get(school).map(|(id, _)| *id).ok_or_else(|| {
            at.err(
                "school",
                "学校",
                format!("`{school}` is not in the talent pool"),
                "a school already in the talent pool (import its roster first)",
            )
        })
    }

    /// The roster entry (id, program, name) for a school's student number.
    fn person(&self, school: &str, number: &str, at: &At) -> Result<(i64, i64, String), RowError> {
        let school_id = self.school(school, at)?;
        self.people
            .get(&(school_id, number.to_string()))
            .cloned()
            .ok_or_else(|| {
                at.err(
                    "student_number",
                    "学号",
                    format!("`{number}` is not in the roster of {school}"),
                    "a student number of the roster (import the roster first)",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::new(cb_competency::bundled::model().expect("model"), Vec::new())
    }

    fn roster(csv: &str, pool: &Pool, skip: bool) -> Result<Plan, PlanError> {
        let today = NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
        plan(
            "roster.csv",
            std::io::Cursor::new(csv.as_bytes().to_vec()),
            Kind::People,
            skip,
            today,
            pool,
            &catalog(),
        )
    }

    #[test]
    fn new_rows_get_distinct_provisional_ids_that_refer_to_each_other() {
        let pool = Pool {
            schools: vec![School {
                id: 7,
                name: "甲大学".into(),
                region: "北京".into(),
            }],
            ..Pool::default()
        };
        let csv = "学校,专业,年级,学号,姓名,毕业年份\n\
                   甲大学,网络空间安全,2022级,001,张三,2026\n\
                   乙学院,信息安全,2022级,001,李四,2026\n\
                   乙学院,信息安全,2022级,002,王五,2026\n";
        let p = roster(csv, &pool, false).expect("plan");
        let a = &p.additions;
        // 甲大学 is stored: only 乙学院 is new
        assert_eq!(a.schools.len(), 1);
        assert_eq!(
            (a.programs.len(), a.cohorts.len(), a.people.len()),
            (2, 2, 3)
        );
        let mut ids: Vec<i64> = a
            .schools
            .iter()
            .map(|s| s.id)
            .chain(a.programs.iter().map(|x| x.id))
            .chain(a.cohorts.iter().map(|x| x.id))
            .chain(a.people.iter().map(|x| x.id))
            .collect();
        assert!(ids.iter().all(|&id| crate::pool::is_provisional(id)));
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 8, "distinct");
        assert_eq!(a.people[0].school_id, 7, "a stored school keeps its id");
        assert_eq!(a.people[1].school_id, a.schools[0].id);
        assert_eq!(a.people[1].program_id, a.people[2].program_id);
        assert_eq!(a.people[1].cohort_id, a.people[2].cohort_id);
        assert_eq!(a.people[1].region, "", "no region named anywhere");
    }

    #[test]
    fn a_student_number_twice_in_one_school_is_a_row_error() {
        let csv = "学校,专业,学号,姓名,毕业年份\n\
                   甲大学,网络空间安全,001,张三,2026\n\
                   甲大学,网络空间安全,001,张三丰,2026\n";
        match roster(csv, &Pool::default(), false) {
            Err(PlanError::Row(e)) => {
                assert_eq!((e.line, e.column.as_str()), (3, "学号"), "{e}");
            }
            other => panic!("expected a row error, got {other:?}"),
        }
        let p = roster(csv, &Pool::default(), true).expect("skipping");
        assert_eq!(
            (p.rows_read, p.additions.people.len(), p.rejected.len()),
            (2, 1, 1)
        );
    }
}
