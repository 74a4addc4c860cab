//! The talent service: people and evidence, profiles computed on demand with
//! their program's weights. Who may see a person's data is decided here
//! (`may_read`: operators, the person, their school's staff, consenting
//! candidates' enterprises), never in the pages.

use crate::{App, AppError, Viewer};
use cb_core::{AccessError, Caller, UserRole};
use cb_store::talent::{Cohort, Course, Person, Program, School, TalentWrite};
use cb_talent::synthetic::{CURRICULUM, PROGRAMS, SCHOOLS, Synthetic, TRACKS};
use cb_talent::{Profile, ProfileEngine, Weights};
use chrono::NaiveDate;
use serde::Serialize;

pub struct TalentService<'a> {
    pub(crate) app: &'a App,
}

#[derive(Debug, Clone, Serialize)]
pub struct TalentSummary {
    pub schools: i64,
    pub programs: i64,
    pub people: i64,
    pub evidence: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonProfile {
    pub person: Person,
    pub school: Option<School>,
    pub program: Option<Program>,
    pub cohort: Option<Cohort>,
    pub profile: Profile,
    /// Missing core skills of the person's three closest platform roles,
    /// best first, with how much readiness each adds.
    pub next_to_learn: Vec<(String, f64)>,
    /// Where to learn each of them: the person's own program's courses that
    /// teach the skill, and the certificates that evidence it.
    pub where_to_learn: Vec<WhereToLearn>,
    /// Every piece of evidence, oldest first: what the contributions' ids name.
    pub evidence: Vec<cb_talent::Evidence>,
    pub as_of: NaiveDate,
    /// The person is reading their own profile (they may ask for corrections).
    pub own: bool,
}

/// Where to learn one skill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhereToLearn {
    pub skill_id: String,
    /// Course names of the person's own program.
    pub courses: Vec<String>,
    /// Certification ids whose exam evidences the skill.
    pub certifications: Vec<String>,
}

/// One column of a heat map: a skill with its names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkillColumn {
    pub skill_id: String,
    pub name_zh: String,
    pub name_en: String,
}

/// One person's row of a heat map: a level per column, `None` without evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatRow {
    pub person: Person,
    pub levels: Vec<Option<f64>>,
    /// Readiness for the chosen role, if one was chosen.
    pub readiness: Option<f64>,
}

/// A cohort's people × skills.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortHeatmap {
    pub cohort: cb_store::talent::CohortSummary,
    /// The role whose core skills are the columns, if one was chosen.
    pub role_id: Option<String>,
    pub columns: Vec<SkillColumn>,
    pub rows: Vec<HeatRow>,
    /// Mean level per column over the people with evidence of it, and how many they are.
    pub column_means: Vec<(Option<f64>, usize)>,
    pub as_of: NaiveDate,
}

/// At most this many skills across a heat map chosen without a role.
pub const HEATMAP_MAX_COLUMNS: usize = 30;

impl TalentService<'_> {
    /// Records new evidence about people already in the pool (a range or
    /// competition result, a rubric entered by hand) and brings their
    /// profiles' part of the supply figures up to date. Ids are assigned
    /// here; returns them.
    pub async fn record(
        &self,
        caller: &Caller,
        evidence: Vec<cb_talent::Evidence>,
    ) -> Result<Vec<u64>, AppError> {
        caller.require_write("record evidence")?;
        let viewer = self.app.viewer(caller).await?;
        if !viewer.is_operator() && viewer.school_staff_of().is_none() {
            return Err(caller.refuse("record evidence").into());
        }
        let store = self.app.store();
        for e in &evidence {
            let Some(person) = store.talent_person(e.person_id as i64).await? else {
                return Err(AppError::NotFound {
                    what: "person",
                    what_zh: "人员",
                    id: e.person_id.to_string(),
                });
            };
            if !staff_reaches(&viewer, &person) {
                return Err(AccessError::Forbidden {
                    action: "record evidence about another school's or cohort's student",
                }
                .into());
            }
        }
        self.write_evidence(caller, evidence).await
    }

    /// An enterprise mentor (or HR) rates a student on a 1–5 rubric per
    /// skill: an enterprise evaluation from their organisation, weighted as
    /// the student's program weights enterprise judgement. Only for a student
    /// who consented to enterprises and is interested in one of the
    /// enterprise's postings (an applicant or intern).
    pub async fn evaluate(
        &self,
        caller: &Caller,
        person_id: i64,
        levels: &[(String, f64)],
        comment: &str,
        date: NaiveDate,
        today: NaiveDate,
    ) -> Result<u64, AppError> {
        caller.require_write("evaluate a student")?;
        let viewer = self.app.viewer(caller).await?;
        let (Some(UserRole::EnterpriseMentor | UserRole::EnterpriseHr), Some(org)) =
            (viewer.role(), viewer.org.clone())
        else {
            return Err(caller
                .refuse("evaluate a student (enterprise mentors and HR)")
                .into());
        };
        let store = self.app.store();
        let person = store.talent_person(person_id).await?;
        let reachable = match &person {
            Some(p) => p.consent_enterprise && store.interested_in_org(person_id, org.id).await?,
            None => false,
        };
        if !reachable {
            return Err(AccessError::Forbidden {
                action: "evaluate a student who has not shared their profile with your enterprise",
            }
            .into());
        }
        let catalog = self.app.catalog();
        if levels.is_empty() || levels.len() > 60 {
            return Err(AppError::Invalid(
                "skills: rate 1–60 skills / 请为 1–60 项技能评分".into(),
            ));
        }
        if let Some((s, _)) = levels.iter().find(|(s, _)| catalog.skill(s).is_none()) {
            return Err(AppError::Invalid(format!(
                "skills: `{}` is not a skill of the model / 技能不存在",
                s.chars().take(40).collect::<String>()
            )));
        }
        let comment = comment.trim();
        if comment.chars().count() > 2000 {
            return Err(AppError::Invalid(
                "comment: at most 2,000 characters / 评语最多 2000 字".into(),
            ));
        }
        if date > today {
            return Err(AppError::Invalid(format!(
                "date: {date} is in the future / 日期不能晚于今天"
            )));
        }
        // an internship or application is recent: not before 2000, nor ten years back
        let earliest = (today - chrono::Duration::days(3653))
            .max(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(today));
        if date < earliest {
            return Err(AppError::Invalid(format!(
                "date: {date} is before {earliest}; expected the date of the internship or interview / 日期过早"
            )));
        }
        let evidence = cb_talent::Evidence {
            id: 0,
            person_id: person_id as u64,
            kind: cb_talent::EvidenceKind::EnterpriseEvaluation {
                comment: comment.to_string(),
            },
            source_org: org.name.clone(),
            date,
            recorded_by: caller.audit_name(),
            observations: levels
                .iter()
                .map(|(s, l)| cb_talent::Observation {
                    skill_id: s.clone(),
                    level: *l,
                })
                .collect(),
        };
        let rated: Vec<String> = levels.iter().map(|(s, _)| s.clone()).collect();
        let id = self
            .write_evidence(caller, vec![evidence])
            .await?
            .first()
            .copied()
            .unwrap_or_default();
        // one current rating per evaluator, student and skill: this one
        // replaces the evaluator's earlier ratings of the same skills
        let earlier: Vec<(u64, Vec<cb_talent::Observation>)> = store
            .talent_evidence_of(person_id)
            .await?
            .into_iter()
            .filter(|e| {
                e.id != id
                    && e.recorded_by == caller.audit_name()
                    && matches!(e.kind, cb_talent::EvidenceKind::EnterpriseEvaluation { .. })
                    && e.observations.iter().any(|o| rated.contains(&o.skill_id))
            })
            .map(|e| {
                let keep = e
                    .observations
                    .into_iter()
                    .filter(|o| !rated.contains(&o.skill_id))
                    .collect();
                (e.id, keep)
            })
            .collect();
        if !earlier.is_empty() {
            store
                .talent_evidence_supersede(caller, person_id, &earlier)
                .await?;
            self.refresh_supply(&[person_id]).await?;
        }
        Ok(id)
    }

    /// Checks levels, writes the evidence in one transaction (the database
    /// gives the ids, returned in order) and updates the people's part of the
    /// supply figures.
    async fn write_evidence(
        &self,
        caller: &Caller,
        evidence: Vec<cb_talent::Evidence>,
    ) -> Result<Vec<u64>, AppError> {
        for e in &evidence {
            if let Some(o) = e
                .observations
                .iter()
                .find(|o| !(1.0..=5.0).contains(&o.level))
            {
                return Err(AppError::Invalid(format!(
                    "level {} of {} is outside 1–5 / 等级须在 1–5 之间",
                    o.level, o.skill_id
                )));
            }
            // a skill id is stored as `skill:level` in space-separated text
            if let Some(o) = e
                .observations
                .iter()
                .find(|o| o.skill_id.is_empty() || o.skill_id.contains(char::is_whitespace))
            {
                return Err(AppError::Invalid(format!(
                    "skill `{}`: expected a skill id without spaces / 技能编号不能为空或含空格",
                    o.skill_id.chars().take(40).collect::<String>()
                )));
            }
        }
        let written = self
            .app
            .store()
            .write_talent(
                caller,
                &TalentWrite {
                    add: cb_talent::pool::Additions {
                        evidence,
                        ..Default::default()
                    },
                    import: None,
                    evidence_ids: true,
                },
            )
            .await?;
        // this node's figures follow at once (the others within a second)
        self.app.catch_up().await?;
        Ok(written.iter().map(|&id| id as u64).collect())
    }

    /// Every cohort with its program, school and head count.
    pub async fn cohorts(
        &self,
        caller: &Caller,
    ) -> Result<Vec<cb_store::talent::CohortSummary>, AppError> {
        let viewer = self.app.viewer(caller).await?;
        self.cohorts_of(&viewer).await
    }

    async fn cohorts_of(
        &self,
        viewer: &Viewer,
    ) -> Result<Vec<cb_store::talent::CohortSummary>, AppError> {
        let all = self.app.store().talent_cohorts().await?;
        if viewer.is_operator() {
            return Ok(all);
        }
        viewer.caller.require_signed_in("list cohorts")?;
        Ok(match viewer.role() {
            Some(UserRole::SchoolAdmin) => all
                .into_iter()
                .filter(|c| Some(c.school_id) == viewer.school_id)
                .collect(),
            Some(UserRole::Teacher) => all
                .into_iter()
                .filter(|c| {
                    Some(c.school_id) == viewer.school_id && viewer.cohorts.contains(&c.cohort.id)
                })
                .collect(),
            _ => {
                return Err(AccessError::Forbidden {
                    action: "list cohorts",
                }
                .into());
            }
        })
    }

    /// A cohort's people × skills: the core skills of `role_id` if given,
    /// else the skills most of the cohort has evidence of. Audited: it shows
    /// every member's levels.
    pub async fn cohort_heatmap(
        &self,
        caller: &Caller,
        cohort_id: i64,
        role_id: Option<&str>,
        today: NaiveDate,
    ) -> Result<CohortHeatmap, AppError> {
        caller.require_signed_in("see a cohort's profiles")?;
        let store = self.app.store();
        let viewer = self.app.viewer(caller).await?;
        // a cohort the caller may not see is "not found" to them as well
        let cohort = self
            .cohorts_of(&viewer)
            .await
            .map_err(|_| {
                AppError::from(AccessError::Forbidden {
                    action: "see a cohort's profiles",
                })
            })?
            .into_iter()
            .find(|c| c.cohort.id == cohort_id);
        let Some(cohort) = cohort else {
            return Err(if viewer.is_operator() {
                AppError::NotFound {
                    what: "cohort",
                    what_zh: "班级",
                    id: cohort_id.to_string(),
                }
            } else {
                AccessError::Forbidden {
                    action: "see this cohort's profiles",
                }
                .into()
            });
        };
        let catalog = self.app.catalog();
        let program = store.talent_program(cohort.cohort.program_id).await?;
        let engine = ProfileEngine::new(
            catalog.model(),
            program.map(|p| p.weights).unwrap_or_default(),
        );
        let role_id = match role_id.filter(|r| !r.is_empty()) {
            Some(r) if catalog.platform_role(r).is_some() || catalog.work_role(r).is_some() => {
                Some(r.to_string())
            }
            Some(r) => {
                return Err(AppError::NotFound {
                    what: "role",
                    what_zh: "岗位",
                    id: r.to_string(),
                });
            }
            None => None,
        };
        let people = store.talent_cohort_people(cohort_id).await?;
        let mut by_person: std::collections::HashMap<u64, Vec<cb_talent::Evidence>> =
            std::collections::HashMap::new();
        for e in store.talent_cohort_evidence(cohort_id).await? {
            by_person.entry(e.person_id).or_default().push(e);
        }
        let profiles: Vec<cb_talent::Profile> = people
            .iter()
            .map(|p| {
                engine.compute(
                    p.id as u64,
                    by_person.get(&(p.id as u64)).map_or(&[][..], Vec::as_slice),
                    today,
                )
            })
            .collect();
        let columns: Vec<String> = match &role_id {
            Some(r) => engine.core_skills(r).to_vec(),
            None => {
                let mut held: std::collections::HashMap<&str, usize> =
                    std::collections::HashMap::new();
                for p in &profiles {
                    for s in &p.skills {
                        *held.entry(s.skill_id.as_str()).or_default() += 1;
                    }
                }
                let mut v: Vec<(&str, usize)> = held.into_iter().collect();
                v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                v.into_iter()
                    .take(HEATMAP_MAX_COLUMNS)
                    .map(|(s, _)| s.to_string())
                    .collect()
            }
        };
        let mut rows: Vec<HeatRow> = people
            .into_iter()
            .zip(&profiles)
            .map(|(person, p)| HeatRow {
                levels: columns
                    .iter()
                    .map(|c| p.skill(c).map(|s| s.level))
                    .collect(),
                readiness: role_id
                    .as_deref()
                    .and_then(|r| p.readiness_for(r))
                    .map(|r| r.score),
                person,
            })
            .collect();
        // with a role chosen, the readiest first
        if role_id.is_some() {
            rows.sort_by(|a, b| {
                b.readiness
                    .unwrap_or(0.0)
                    .total_cmp(&a.readiness.unwrap_or(0.0))
            });
        }
        let column_means = (0..columns.len())
            .map(|i| {
                let seen: Vec<f64> = rows.iter().filter_map(|r| r.levels[i]).collect();
                let mean = (!seen.is_empty()).then(|| {
                    (seen.iter().sum::<f64>() / seen.len() as f64 * 100.0).round() / 100.0
                });
                (mean, seen.len())
            })
            .collect();
        let columns = columns
            .into_iter()
            .map(|id| {
                let (zh, en) = catalog.skill(&id).map_or_else(
                    || (id.clone(), id.clone()),
                    |s| (s.name_zh.clone(), s.name_en.clone()),
                );
                SkillColumn {
                    skill_id: id,
                    name_zh: zh,
                    name_en: en,
                }
            })
            .collect();
        // every member's levels are shown: a profile read for each of them, whose own views are not reads
        let shown: Vec<i64> = rows
            .iter()
            .map(|r| r.person.id)
            .filter(|id| viewer.person_id != Some(*id))
            .collect();
        store
            .audit_reads(
                caller,
                &shown,
                &format!("in the heat map of cohort {cohort_id}"),
                "cohort.read",
                &format!("cohort {cohort_id}"),
            )
            .await?;
        Ok(CohortHeatmap {
            cohort,
            role_id,
            columns,
            rows,
            column_means,
            as_of: today,
        })
    }

    /// Counts only: public.
    pub async fn summary(&self, _caller: &Caller) -> Result<TalentSummary, AppError> {
        let (schools, programs, people, evidence) = self.app.store().talent_counts().await?;
        Ok(TalentSummary {
            schools,
            programs,
            people,
            evidence,
        })
    }

    pub async fn people(
        &self,
        caller: &Caller,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<Person>, AppError> {
        let viewer = self.app.viewer(caller).await?;
        let (after_id, limit) = (after_id.max(0), limit.clamp(1, 500));
        let store = self.app.store();
        if viewer.is_operator() {
            return Ok(store.talent_people(after_id, limit).await?);
        }
        caller.require_signed_in("list people")?;
        match (viewer.role(), viewer.school_id) {
            (Some(UserRole::SchoolAdmin), Some(school)) => Ok(store
                .talent_people_where(Some(school), None, after_id, limit)
                .await?),
            (Some(UserRole::Teacher), Some(school)) => Ok(store
                .talent_people_where(Some(school), Some(&viewer.cohorts), after_id, limit)
                .await?),
            _ => Err(AccessError::Forbidden {
                action: "list people",
            }
            .into()),
        }
    }

    /// A person's profile as of `today`, with the evidence behind every number.
    pub async fn profile(
        &self,
        caller: &Caller,
        person_id: i64,
        today: NaiveDate,
    ) -> Result<PersonProfile, AppError> {
        caller.require_signed_in("read a person's profile")?;
        let store = self.app.store();
        let viewer = self.app.viewer(caller).await?;
        let person = store.talent_person(person_id).await?;
        // to anyone who may not read it, a record that does not exist and one
        // they may not see look the same
        let person = match person {
            Some(p) if self.may_read(&viewer, &p).await? => p,
            Some(_) => {
                return Err(AccessError::Forbidden {
                    action: "read this person's profile",
                }
                .into());
            }
            None if viewer.is_operator() => {
                return Err(AppError::NotFound {
                    what: "person",
                    what_zh: "人员",
                    id: person_id.to_string(),
                });
            }
            None => {
                return Err(AccessError::Forbidden {
                    action: "read this person's profile",
                }
                .into());
            }
        };
        let program = store.talent_program(person.program_id).await?;
        let evidence = store.talent_evidence_of(person_id).await?;
        let weights = program
            .as_ref()
            .map(|p| p.weights.clone())
            .unwrap_or_default();
        let engine = ProfileEngine::new(self.app.catalog().model(), weights);
        let profile = engine.compute(person_id as u64, &evidence, today);
        let model = self.app.catalog();
        let mut closest: Vec<&cb_talent::Readiness> = profile
            .readiness
            .iter()
            .filter(|r| model.platform_role(&r.role_id).is_some())
            .collect();
        closest.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.role_id.cmp(&b.role_id)));
        let targets: Vec<&str> = closest.iter().take(3).map(|r| r.role_id.as_str()).collect();
        let next_to_learn: Vec<(String, f64)> = engine
            .next_to_learn(&profile, &targets)
            .into_iter()
            .take(10)
            .collect();
        let courses = store.talent_program_courses(person.program_id).await?;
        let where_to_learn = next_to_learn
            .iter()
            .map(|(skill, _)| WhereToLearn {
                skill_id: skill.clone(),
                courses: courses
                    .iter()
                    .filter(|c| c.skills.iter().any(|(s, _)| s == skill))
                    .map(|c| c.name.clone())
                    .collect(),
                certifications: model
                    .model()
                    .certifications
                    .iter()
                    .filter(|c| c.skill_ids.iter().any(|s| s == skill))
                    .map(|c| c.id.clone())
                    .collect(),
            })
            .collect();
        if viewer.person_id != Some(person_id) {
            store
                .audit(caller, "profile.read", &format!("person {person_id}"))
                .await?;
        }
        let school = store.talent_school(person.school_id).await?;
        let cohort = match person.cohort_id {
            Some(id) => store
                .talent_cohorts()
                .await?
                .into_iter()
                .map(|c| c.cohort)
                .find(|c| c.id == id),
            None => None,
        };
        let own = viewer.person_id == Some(person_id);
        Ok(PersonProfile {
            person,
            school,
            program,
            cohort,
            profile,
            next_to_learn,
            where_to_learn,
            evidence,
            as_of: today,
            own,
        })
    }

    /// Loads clearly labelled synthetic schools, programs, cohorts, students,
    /// courses and evidence (operators only; for demos). Does nothing when the
    /// talent pool already has people.
    pub async fn load_synthetic(
        &self,
        caller: &Caller,
        students: u64,
        per_person: usize,
        seed: u64,
    ) -> Result<bool, AppError> {
        caller.require_write("load synthetic talent data")?;
        caller.require_operator("load synthetic talent data")?;
        if self.app.store().talent_counts().await?.2 > 0 {
            return Ok(false);
        }
        // provisional ids (negative), one space per kind: the database assigns the real ones
        let mut w = cb_talent::pool::Additions::default();
        for (i, (name, region)) in SCHOOLS.iter().enumerate() {
            w.schools.push(School {
                id: -(i as i64 + 1),
                name: name.to_string(),
                region: region.to_string(),
            });
        }
        let mut course_id = 0;
        for s in 0..SCHOOLS.len() {
            for (p, name) in PROGRAMS.iter().enumerate() {
                let program_id = (s * PROGRAMS.len() + p) as i64 + 1;
                // the first program of each school trusts the enterprise more (产教融合 pilots)
                let weights = if p == 0 {
                    Weights {
                        school: 0.4,
                        enterprise: 0.6,
                        ..Weights::default()
                    }
                } else {
                    Weights::default()
                };
                w.programs.push(Program {
                    id: -program_id,
                    school_id: -(s as i64 + 1),
                    name: name.to_string(),
                    weights,
                });
                for year in 2024..=2027 {
                    w.cohorts.push(Cohort {
                        id: -(program_id * 10_000 + year),
                        program_id: -program_id,
                        name: format!("{}级", year - 4),
                        entry_year: year - 4,
                    });
                }
                for (course, skills) in CURRICULUM {
                    course_id += 1;
                    w.courses.push(Course {
                        id: -course_id,
                        program_id: -program_id,
                        name: course.to_string(),
                        skills: skills.iter().map(|(k, l)| (k.to_string(), *l)).collect(),
                    });
                }
                // the directions' modules (专业方向课), each mapped to its role's core skills
                for (name, skills) in TRACKS.iter().flat_map(|t| t.modules()) {
                    course_id += 1;
                    w.courses.push(Course {
                        id: -course_id,
                        program_id: -program_id,
                        name,
                        skills: skills.iter().map(|(k, l)| (k.to_string(), *l)).collect(),
                    });
                }
            }
        }
        let mut synth = Synthetic::new(seed);
        for id in 1..=students {
            let s = synth.student(id);
            let program_id = (s.school * PROGRAMS.len() + s.program) as i64 + 1;
            let person = -(id as i64);
            w.evidence
                .extend(synth.evidence(&s, per_person).into_iter().map(|mut e| {
                    e.person_id = person as u64;
                    e
                }));
            w.people.push(Person {
                id: person,
                school_id: -(s.school as i64 + 1),
                program_id: -program_id,
                cohort_id: Some(-(program_id * 10_000 + i64::from(s.graduation_year))),
                name: s.name,
                student_number: s.student_number,
                graduation_year: i64::from(s.graduation_year),
                region: SCHOOLS[s.school].1.to_string(),
                consent_enterprise: id % 3 != 0,
                consent_analytics: true,
                synthetic: true,
            });
        }
        self.app
            .store()
            .write_talent(
                caller,
                &TalentWrite {
                    add: w,
                    import: None,
                    evidence_ids: false,
                },
            )
            .await?;
        self.app.catch_up().await?;
        Ok(true)
    }
}

/// What a talent import did.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct TalentImportOutcome {
    pub already_imported: bool,
    pub kind: String,
    pub rows_read: u64,
    pub people_added: u64,
    pub courses_added: u64,
    pub mappings_added: u64,
    pub evidence_added: u64,
    pub rejected: Vec<crate::Rejected>,
}

impl TalentService<'_> {
    /// Imports a roster, course mappings, grades or enterprise evaluations as
    /// one transaction (operators; school administrators once accounts exist).
    /// Re-importing the same content is a no-op; the first bad row stops the
    /// import unless `skip_bad_rows`.
    pub async fn import(
        &self,
        caller: &Caller,
        file: crate::ImportFile,
        kind: cb_talent::import::Kind,
        skip_bad_rows: bool,
        today: NaiveDate,
    ) -> Result<TalentImportOutcome, AppError> {
        caller.require_write("import talent data")?;
        // operators import anything; a school admin only their own school's records
        let own_school = if caller.is_operator() {
            None
        } else {
            let viewer = self.app.viewer(caller).await?;
            match (viewer.role(), viewer.school_id) {
                (Some(UserRole::SchoolAdmin), Some(s)) => Some(s),
                _ => {
                    return Err(caller
                        .refuse(
                            "import talent data (operators; school admins for their own school)",
                        )
                        .into());
                }
            }
        };
        let store = self.app.store();
        if let Some(prev) = store.talent_import_by_hash(&file.hash).await? {
            return Ok(TalentImportOutcome {
                already_imported: true,
                kind: prev.kind,
                rows_read: prev.rows_read as u64,
                people_added: 0,
                courses_added: 0,
                mappings_added: 0,
                evidence_added: 0,
                rejected: Vec::new(),
            });
        }
        let _importing = self.app.begin_import(&file.hash).await?;
        // new rows get provisional ids; the database assigns the real ones
        let reference = store.talent_reference().await?;
        let owners = own_school.map(|_| Owners::of(&reference));
        let catalog = self.app.catalog();
        let crate::ImportFile {
            name, hash, reader, ..
        } = file;
        let file_name = name.clone();
        let plan = tokio::task::spawn_blocking(move || {
            cb_talent::plan::plan(
                &name,
                reader,
                kind,
                skip_bad_rows,
                today,
                &reference,
                &catalog,
            )
        })
        .await
        .map_err(|e| AppError::Internal(format!("the import's reader failed: {e}")))?
        .map_err(|e| AppError::Invalid(e.to_string()))?;
        if let (Some(school), Some(owners)) = (own_school, owners) {
            owners.check(&plan.additions, school)?;
        }
        let a = &plan.additions;
        let outcome = TalentImportOutcome {
            already_imported: false,
            kind: kind.as_str().to_string(),
            rows_read: plan.rows_read,
            people_added: a.people.len() as u64,
            courses_added: a.courses.len() as u64,
            mappings_added: (a.course_skills.len()
                + a.courses.iter().map(|c| c.skills.len()).sum::<usize>())
                as u64,
            evidence_added: a.evidence.len() as u64,
            rejected: plan
                .rejected
                .into_iter()
                .map(|(error, raw)| crate::Rejected { error, raw })
                .collect(),
        };
        let write = TalentWrite {
            add: plan.additions,
            import: Some(cb_store::talent::TalentImportStart {
                file_name,
                file_hash: hash.clone(),
                kind: kind.as_str().to_string(),
                rows_read: outcome.rows_read,
                rejected: outcome.rejected.len() as u64,
            }),
            evidence_ids: false,
        };
        match store.write_talent(caller, &write).await {
            Ok(_) => {}
            // another node imported the same file first
            Err(cb_store::StoreError::Duplicate { .. })
                if store.talent_import_by_hash(&hash).await?.is_some() =>
            {
                return Ok(TalentImportOutcome {
                    already_imported: true,
                    people_added: 0,
                    courses_added: 0,
                    mappings_added: 0,
                    evidence_added: 0,
                    rejected: Vec::new(),
                    ..outcome
                });
            }
            // another import added the same school, program or student meanwhile
            Err(cb_store::StoreError::Duplicate { detail }) => {
                return Err(AppError::Conflict(format!(
                    "the talent pool changed while this file was read ({detail}); import it again / 导入期间人才库已变化，请重新导入"
                )));
            }
            Err(e) => return Err(e.into()),
        }
        // this node's figures follow at once (the others within a second)
        self.app.catch_up().await?;
        Ok(outcome)
    }
}

/// A count of people as the caller may see it. Outside the owning school a
/// count of 1–4 is "<5" and every other count is rounded to the nearest five,
/// so no sum or difference of shown figures (a total minus its other cells)
/// can come to a count of 1–4: every combination is a multiple of five.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Exact(u64),
    /// A multiple of five (≥ 5), the true count within ±2.
    Rounded(u64),
    Suppressed,
}

impl Shown {
    /// The figure to compute with (ratios are taken from what is shown, so
    /// they reveal nothing the count does not); `None` when suppressed.
    pub fn is_zero(self) -> bool {
        self == Shown::Exact(0)
    }

    pub fn value(self) -> Option<u64> {
        match self {
            Shown::Exact(n) | Shown::Rounded(n) => Some(n),
            Shown::Suppressed => None,
        }
    }
}

/// "<5" for a suppressed count (the same in both languages).
impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.value() {
            Some(n) => write!(f, "{n}"),
            None => f.write_str("<5"),
        }
    }
}

impl Serialize for Shown {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shown::Exact(n) | Shown::Rounded(n) => s.serialize_u64(*n),
            Shown::Suppressed => s.serialize_str("<5"),
        }
    }
}

/// The suppression threshold for figures that count people (PRODUCT.md).
pub const SMALL_CELL: u64 = 5;

pub(crate) fn shown(n: u64, exact: bool) -> Shown {
    if exact || n == 0 {
        Shown::Exact(n)
    } else if n < SMALL_CELL {
        Shown::Suppressed
    } else {
        Shown::Rounded((n + 2) / 5 * 5)
    }
}

/// May a share `part / whole` of people be shown to a caller who may not see
/// small cells? Not when it would give away a count of 1–4: the people who
/// have it, or the people who do not.
pub(crate) fn share_shown(part: u64, whole: u64, exact: bool) -> bool {
    let small = |n: u64| (1..SMALL_CELL).contains(&n);
    exact || !(small(part) || small(whole.saturating_sub(part)))
}

#[derive(Debug, Clone, Default)]
pub struct SupplyFilter {
    pub region: Option<String>,
    pub program: Option<String>,
    pub graduation_year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleSupply {
    pub role_id: String,
    pub name_zh: String,
    pub name_en: String,
    pub ready: Shown,
    pub near_ready: Shown,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkillSupply {
    pub skill_id: String,
    /// `None` where it would give away 1–4 people (see [`Shown`])
    pub share_proficient: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SupplyView {
    pub people: Shown,
    pub roles: Vec<RoleSupply>,
    pub skills: Vec<SkillSupply>,
    /// How the figures are defined.
    pub definition: &'static str,
}

impl TalentService<'_> {
    /// One profile engine per program (its weights), kept until programs or
    /// the model change.
    async fn program_engines(&self) -> Result<std::sync::Arc<ProgramEngines>, AppError> {
        if let Some(e) = self.app.engines.lock().ok().and_then(|g| g.clone()) {
            return Ok(e);
        }
        let programs = self.app.store().talent_programs().await?;
        let catalog = self.app.catalog();
        let model = catalog.model();
        let built = std::sync::Arc::new(ProgramEngines {
            by_program: programs
                .iter()
                .map(|p| (p.id, ProfileEngine::new(model, p.weights.clone())))
                .collect(),
            names: programs.iter().map(|p| (p.id, p.name.clone())).collect(),
            fallback: ProfileEngine::new(model, Weights::default()),
        });
        if let Ok(mut g) = self.app.engines.lock() {
            *g = Some(built.clone());
        }
        Ok(built)
    }

    /// Recomputes the given people's contribution to the supply figures (if
    /// they are built); people who did not consent to analytics count nowhere.
    pub(crate) async fn refresh_supply(&self, people: &[i64]) -> Result<(), AppError> {
        let mut guard = self.app.supply.lock().await;
        let Some(crate::SupplyCache { index, as_of }) = guard.as_mut() else {
            return Ok(());
        };
        let today = *as_of;
        if people.len() > 1_000 {
            *guard = None;
            return Ok(());
        }
        // figures of a new day being built meanwhile get these people too
        if let Some(next) = self
            .app
            .supply_next
            .lock()
            .map_err(|_| AppError::Internal("the supply rebuild list is poisoned".into()))?
            .as_mut()
        {
            next.extend_from_slice(people);
        }
        let store = self.app.store();
        let engines = self.program_engines().await?;
        for &id in people {
            let Some(person) = store.talent_person(id).await? else {
                continue;
            };
            if !person.consent_analytics {
                index.remove(id as u64);
                continue;
            }
            let evidence = store.talent_evidence_of(id).await?;
            let engine = engines.engine(person.program_id);
            let profile = engine.compute(id as u64, &evidence, today);
            index.update(
                &engines.supply_person(&person),
                &engine.summary_of(&profile, &evidence),
            );
        }
        Ok(())
    }

    /// Builds the supply figures from every stored profile: pages of people
    /// are read (skills as indices, no per-observation allocation) while the
    /// previous page's summaries are computed on every core.
    async fn build_supply(
        &self,
        today: NaiveDate,
    ) -> Result<cb_talent::supply::SupplyIndex, AppError> {
        let store = self.app.store().clone();
        let engines = self.program_engines().await?;
        let mut index = cb_talent::supply::SupplyIndex::new(
            &engines.fallback,
            Weights::default().required_level,
        );
        let skills = std::sync::Arc::new(engines.fallback.skill_index().clone());
        // two pages read at once (SQLite hands rows over on a worker thread per
        // connection), the page before them computed meanwhile
        let mut inflight = std::collections::VecDeque::new();
        let (mut after, mut read_all) = (0i64, false);
        loop {
            while !read_all && inflight.len() < 2 {
                let page = store.talent_people(after, 5_000).await?;
                let (Some(first), Some(last)) =
                    (page.first().map(|p| p.id), page.last().map(|p| p.id))
                else {
                    read_all = true;
                    break;
                };
                after = last;
                let (store, skills) = (store.clone(), skills.clone());
                inflight.push_back(tokio::spawn(async move {
                    let evidence = store.talent_evidence_compact(first, last, &skills).await?;
                    Ok::<_, cb_store::StoreError>((page, evidence))
                }));
            }
            let Some(next) = inflight.pop_front() else {
                break;
            };
            let (page, evidence) = next
                .await
                .map_err(|e| AppError::Invalid(format!("reading profiles stopped: {e}")))??;
            let page_engines = engines.clone();
            let computed = tokio::task::spawn_blocking(move || {
                let engines = page_engines;
                let mut by_person: std::collections::HashMap<u64, cb_talent::CompactEvidence> =
                    evidence.by_person().into_iter().collect();
                let people: Vec<(Person, cb_talent::CompactEvidence)> = page
                    .into_iter()
                    .filter(|p| p.consent_analytics)
                    .map(|p| {
                        let ev = by_person.remove(&(p.id as u64)).unwrap_or_default();
                        (p, ev)
                    })
                    .collect();
                let threads = std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1);
                let chunk = people.len().div_ceil(threads).max(1);
                std::thread::scope(|s| {
                    let hs: Vec<_> = people
                        .chunks(chunk)
                        .map(|part| {
                            let engines = &engines;
                            s.spawn(move || {
                                let mut scratch = engines.fallback.scratch();
                                part.iter()
                                    .map(|(p, ev)| {
                                        (
                                            engines.supply_person(p),
                                            engines.engine(p.program_id).summarize(
                                                p.id as u64,
                                                ev,
                                                today,
                                                &mut scratch,
                                            ),
                                        )
                                    })
                                    .collect::<Vec<_>>()
                            })
                        })
                        .collect();
                    let mut all = Vec::new();
                    for h in hs {
                        all.extend(h.join().map_err(|_| {
                            AppError::Invalid(
                                "computing profiles stopped: a worker panicked".into(),
                            )
                        })?);
                    }
                    Ok::<_, AppError>(all)
                })
            })
            .await
            .map_err(|e| AppError::Invalid(format!("computing profiles stopped: {e}")))??;
            for (person, summary) in computed {
                index.update(&person, &summary);
            }
        }
        Ok(index)
    }

    /// Runs `f` on the supply figures, building them first if needed.
    pub(crate) async fn with_supply<R>(
        &self,
        today: NaiveDate,
        f: impl FnOnce(&cb_talent::supply::SupplyIndex) -> R,
    ) -> Result<R, AppError> {
        let mut guard = self.app.supply.lock().await;
        self.supply_as_of(&mut guard, today).await?;
        match guard.as_ref() {
            Some(s) => Ok(f(&s.index)),
            None => Err(AppError::Internal(
                "the supply figures were not built".into(),
            )),
        }
    }

    /// Makes sure `guard` holds supply figures for `today` (readiness
    /// depends on the day: evidence ages). When the day has turned since
    /// they were built, the previous day's figures are served meanwhile and
    /// the new day's are built in the background (at 100,000 people that
    /// takes seconds, which the first visitor after midnight would
    /// otherwise wait); without figures, or for an earlier day, they are
    /// built now.
    async fn supply_as_of(
        &self,
        guard: &mut Option<crate::SupplyCache>,
        today: NaiveDate,
    ) -> Result<(), AppError> {
        if let Some(s) = guard.as_ref()
            && s.as_of < today
        {
            self.supply_in_background(today);
            return Ok(());
        }
        if guard.as_ref().is_none_or(|s| s.as_of != today) {
            *guard = None;
            *guard = Some(crate::SupplyCache {
                index: self.build_supply(today).await?,
                as_of: today,
            });
        }
        Ok(())
    }

    /// Builds the supply figures of `today` on a task of its own, unless one
    /// is building already, and puts them in place of older ones when done:
    /// the people whose record changed meanwhile are applied to them then.
    /// Figures dropped meanwhile (a change to many people) or already built
    /// for the day by a visitor are left alone.
    fn supply_in_background(&self, today: NaiveDate) {
        let Ok(mut next) = self.app.supply_next.lock() else {
            return;
        };
        if next.is_some() {
            return;
        }
        *next = Some(Vec::new());
        drop(next);
        let app = self.app.clone();
        tokio::spawn(async move {
            let t = app.talent();
            let built = t.build_supply(today).await;
            let mut guard = app.supply.lock().await;
            let changed = app
                .supply_next
                .lock()
                .map(|mut n| n.take())
                .unwrap_or_default();
            match built {
                Ok(index) if guard.as_ref().is_some_and(|s| s.as_of < today) => {
                    *guard = Some(crate::SupplyCache {
                        index,
                        as_of: today,
                    });
                    drop(guard);
                    tracing::info!(%today, "supply figures built for the new day");
                    if let Some(people) = changed.filter(|p| !p.is_empty())
                        && let Err(e) = t.refresh_supply(&people).await
                    {
                        tracing::error!(error = %e, "updating the new day's supply figures failed; dropping them");
                        *app.supply.lock().await = None;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, %today, "building the new day's supply figures failed; the previous day's stay")
                }
            }
        });
    }

    /// The day the supply figures are computed for, if they are built.
    #[cfg(feature = "test-support")]
    pub async fn supply_day(&self) -> Option<NaiveDate> {
        self.app.supply.lock().await.as_ref().map(|s| s.as_of)
    }

    /// Ready and near-ready people per platform role, and the share proficient
    /// per skill, over people who consented to analytics. Cells counting fewer
    /// than five people are shown as "<5" to everyone but operators.
    pub async fn supply(
        &self,
        caller: &Caller,
        filter: &SupplyFilter,
        today: NaiveDate,
    ) -> Result<SupplyView, AppError> {
        let exact = self.exact_for(caller, filter.program.as_deref()).await?;
        let mut guard = self.app.supply.lock().await;
        self.supply_as_of(&mut guard, today).await?;
        let Some(index) = guard.as_ref().map(|s| &s.index) else {
            return Err(AppError::Internal(
                "the supply figures were not built".into(),
            ));
        };
        let catalog = self.app.catalog();
        let roles = catalog
            .model()
            .platform_roles
            .iter()
            .map(|r| {
                let c = index.role_filtered(
                    &r.id,
                    filter.region.as_deref(),
                    filter.program.as_deref(),
                    filter.graduation_year,
                );
                RoleSupply {
                    role_id: r.id.clone(),
                    name_zh: r.name_zh.clone(),
                    name_en: r.name_en.clone(),
                    ready: shown(c.ready, exact),
                    near_ready: shown(c.near_ready, exact),
                }
            })
            .collect();
        let people = index.people();
        let mut skills: Vec<SkillSupply> = index
            .proficient_skills()
            .map(|(s, n)| SkillSupply {
                skill_id: s.to_string(),
                share_proficient: share_shown(n, people, exact)
                    .then(|| (n as f64 / people.max(1) as f64 * 1000.0).round() / 1000.0),
            })
            .collect();
        skills.sort_by(|a, b| {
            let share = |x: &SkillSupply| x.share_proficient.unwrap_or(-1.0);
            share(b)
                .total_cmp(&share(a))
                .then(a.skill_id.cmp(&b.skill_id))
        });
        Ok(SupplyView {
            people: shown(people, exact),
            roles,
            skills,
            definition: "ready: readiness ≥ 0.8 (share of the role's core skills held at level ≥ 3); near-ready: 0.6–0.8; people who consented to analytics; share proficient: share of those people at level ≥ 3 in the skill; outside the owning school counts are rounded to the nearest 5, 1–4 is \"<5\" and a share that would give away 1–4 people is null",
        })
    }
}

impl TalentService<'_> {
    /// May `viewer` read `person`'s profile? Operators; the person; their
    /// school's admin; a teacher of their cohort; an enterprise user when the
    /// person consented to enterprises and expressed interest in one of the
    /// enterprise's postings. Analysts see aggregates only.
    pub(crate) async fn may_read(
        &self,
        viewer: &Viewer,
        person: &Person,
    ) -> Result<bool, AppError> {
        if viewer.is_operator() || viewer.person_id == Some(person.id) {
            return Ok(true);
        }
        Ok(match viewer.role() {
            Some(UserRole::SchoolAdmin | UserRole::Teacher) => staff_reaches(viewer, person),
            Some(UserRole::EnterpriseHr | UserRole::EnterpriseMentor) => {
                match viewer.caller.org_id() {
                    Some(org) if person.consent_enterprise => {
                        self.app.store().interested_in_org(person.id, org).await?
                    }
                    _ => false,
                }
            }
            _ => false,
        })
    }

    /// Counts of people are exact for operators, and for a school's staff when
    /// the figures are narrowed to a program only their school has; otherwise
    /// cells under five are suppressed.
    pub(crate) async fn exact_for(
        &self,
        caller: &Caller,
        program: Option<&str>,
    ) -> Result<bool, AppError> {
        if caller.is_operator() {
            return Ok(true);
        }
        let Some(program) = program.filter(|p| !p.is_empty()) else {
            return Ok(false);
        };
        let viewer = self.app.viewer(caller).await?;
        let Some(school) = viewer.school_staff_of() else {
            return Ok(false);
        };
        let programs = self.app.store().talent_programs().await?;
        let named: Vec<_> = programs.iter().filter(|p| p.name == program).collect();
        Ok(!named.is_empty() && named.iter().all(|p| p.school_id == school))
    }

    /// A student corrects their own record (name, region) and decides their
    /// consents. Audited as `profile.correct` and `consent.change`.
    pub async fn update_own(
        &self,
        caller: &Caller,
        change: &OwnChange,
    ) -> Result<Person, AppError> {
        caller.require_write("change your record")?;
        let viewer = self.app.viewer(caller).await?;
        let Some(person_id) = viewer.person_id else {
            return Err(caller.refuse("change a record that is not yours").into());
        };
        let store = self.app.store();
        let mut p = store
            .talent_person(person_id)
            .await?
            .ok_or(AppError::NotFound {
                what: "person",
                what_zh: "人员",
                id: person_id.to_string(),
            })?;
        let before = p.clone();
        if let Some(name) = &change.name {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
                return Err(AppError::Invalid(
                    "name: expected 1–60 characters on one line / 姓名须为 1–60 个字符".into(),
                ));
            }
            p.name = name.to_string();
        }
        if let Some(region) = &change.region {
            let region = region.trim();
            if region.is_empty()
                || region.chars().count() > 50
                || region.chars().any(char::is_control)
            {
                return Err(AppError::Invalid(
                    "region: expected 1–50 characters on one line / 地区须为 1–50 个字符".into(),
                ));
            }
            p.region = region.to_string();
        }
        p.consent_enterprise = change.consent_enterprise.unwrap_or(p.consent_enterprise);
        p.consent_analytics = change.consent_analytics.unwrap_or(p.consent_analytics);
        let consents = (before.consent_enterprise, before.consent_analytics)
            != (p.consent_enterprise, p.consent_analytics);
        if consents {
            let detail = format!(
                "person {person_id}: enterprise {} → {}, analytics {} → {}",
                before.consent_enterprise,
                p.consent_enterprise,
                before.consent_analytics,
                p.consent_analytics
            );
            store
                .talent_person_update(caller, &p, "consent.change", &detail)
                .await?;
        }
        if (before.name != p.name) || (before.region != p.region) {
            store
                .talent_person_update(
                    caller,
                    &p,
                    "profile.correct",
                    &format!("person {person_id}: name/region"),
                )
                .await?;
        }
        if consents || before.region != p.region {
            // who counts where in the supply figures changed: this person only
            self.refresh_supply(&[person_id]).await?;
        }
        Ok(p)
    }

    /// Who read a person's profile and when: the person themself, their
    /// school's admin, operators.
    pub async fn reads_of(
        &self,
        caller: &Caller,
        person_id: i64,
    ) -> Result<Vec<ProfileRead>, AppError> {
        caller.require_signed_in("see who read a profile")?;
        let viewer = self.app.viewer(caller).await?;
        let store = self.app.store();
        let person = store.talent_person(person_id).await?;
        let allowed = viewer.is_operator()
            || viewer.person_id == Some(person_id)
            || (viewer.role() == Some(UserRole::SchoolAdmin)
                && person
                    .as_ref()
                    .is_some_and(|p| Some(p.school_id) == viewer.school_id));
        if !allowed {
            return Err(AccessError::Forbidden {
                action: "see who read this profile",
            }
            .into());
        }
        let entries = store.audit_of_person(person_id, 200).await?;
        // who, in words a student can read: a name and an organisation, not `user:8`
        let mut names: std::collections::HashMap<String, (String, Option<UserRole>)> =
            std::collections::HashMap::new();
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            if !names.contains_key(&e.actor) {
                let who = match e
                    .actor
                    .strip_prefix("user:")
                    .and_then(|id| id.parse::<i64>().ok())
                {
                    Some(id) => match store.user(id).await? {
                        Some(u) => {
                            let org = store
                                .org(u.org_id)
                                .await?
                                .map(|o| o.name)
                                .unwrap_or_default();
                            (format!("{} · {org}", u.display_name), Some(u.role))
                        }
                        None => (e.actor.clone(), None),
                    },
                    None if e.actor.starts_with("system:") => ("平台 Platform".to_string(), None),
                    None => (e.actor.clone(), None),
                };
                names.insert(e.actor.clone(), who);
            }
            let (who, role) = names.get(&e.actor).cloned().unwrap_or_default();
            out.push(ProfileRead {
                at: e.at,
                actor: e.actor,
                who,
                role,
                action: e.action,
                detail: e.detail,
            });
        }
        Ok(out)
    }
}

/// An audit entry about a person, with who it was in words.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileRead {
    /// Unix seconds.
    pub at: i64,
    /// `user:8`, `system:demo`
    pub actor: String,
    /// Their name and organisation.
    pub who: String,
    /// Their role, when it was a user.
    pub role: Option<UserRole>,
    pub action: String,
    pub detail: String,
}

/// A student's change to their own record; `None` keeps a field.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct OwnChange {
    pub name: Option<String>,
    pub region: Option<String>,
    pub consent_enterprise: Option<bool>,
    pub consent_analytics: Option<bool>,
}

/// Which school every stored program, course and person belongs to, to
/// check that a school admin's import touches only their own school.
struct Owners {
    programs: std::collections::HashMap<i64, i64>,
    courses: std::collections::HashMap<i64, i64>,
    people: std::collections::HashMap<i64, i64>,
}

impl Owners {
    fn of(r: &cb_talent::pool::Pool) -> Owners {
        let programs: std::collections::HashMap<i64, i64> =
            r.programs.iter().map(|p| (p.id, p.school_id)).collect();
        let courses = r
            .courses
            .iter()
            .filter_map(|c| programs.get(&c.program_id).map(|s| (c.id, *s)))
            .collect();
        Owners {
            programs,
            courses,
            people: r.people.iter().map(|p| (p.id, p.school_id)).collect(),
        }
    }

    /// Refuses the write if anything in it is, or would be, another school's.
    fn check(mut self, w: &cb_talent::pool::Additions, school: i64) -> Result<(), AppError> {
        let refuse = |detail: String| {
            Err(AppError::from(AccessError::Refused {
                action: "import another school's records",
                detail,
            }))
        };
        if let Some(s) = w.schools.first() {
            return refuse(format!(
                "the file names school `{}`, which is not yours / 文件包含其他学校「{}」",
                s.name, s.name
            ));
        }
        for p in &w.programs {
            self.programs.insert(p.id, p.school_id);
        }
        let program_school = |o: &Owners, id: i64| o.programs.get(&id).copied();
        for p in &w.programs {
            if p.school_id != school {
                return refuse(format!(
                    "program `{}` belongs to another school / 专业「{}」属于其他学校",
                    p.name, p.name
                ));
            }
        }
        for c in &w.cohorts {
            if program_school(&self, c.program_id) != Some(school) {
                return refuse(format!(
                    "cohort `{}` belongs to another school / 班级「{}」属于其他学校",
                    c.name, c.name
                ));
            }
        }
        for c in &w.courses {
            if program_school(&self, c.program_id) != Some(school) {
                return refuse(format!(
                    "course `{}` belongs to another school / 课程「{}」属于其他学校",
                    c.name, c.name
                ));
            }
            self.courses.insert(c.id, school);
        }
        for (course, _, _) in &w.course_skills {
            if self.courses.get(course) != Some(&school) {
                return refuse(format!(
                    "course {course} belongs to another school / 课程属于其他学校"
                ));
            }
        }
        for p in &w.people {
            if p.school_id != school {
                return refuse(format!(
                    "student {} belongs to another school / 学生 {} 属于其他学校",
                    p.student_number, p.student_number
                ));
            }
            self.people.insert(p.id, school);
        }
        for e in &w.evidence {
            if self.people.get(&(e.person_id as i64)) != Some(&school) {
                return refuse(format!(
                    "evidence about person {} of another school / 证据涉及其他学校的学生",
                    e.person_id
                ));
            }
        }
        Ok(())
    }
}

impl TalentService<'_> {
    /// The talent pool's schools: operators (who link school organisations to them).
    pub async fn schools(&self, caller: &Caller) -> Result<Vec<School>, AppError> {
        caller.require_operator("list the talent pool's schools")?;
        Ok(self.app.store().talent_reference_schools().await?)
    }
}

/// A school admin reaches their school's people, a teacher their cohorts'.
fn staff_reaches(viewer: &Viewer, person: &Person) -> bool {
    match viewer.role() {
        _ if viewer.is_operator() => true,
        Some(UserRole::SchoolAdmin) => viewer.school_id == Some(person.school_id),
        Some(UserRole::Teacher) => {
            viewer.school_id == Some(person.school_id)
                && person
                    .cohort_id
                    .is_some_and(|c| viewer.cohorts.contains(&c))
        }
        _ => false,
    }
}

/// The profile engine of each program, and its name for the supply figures.
pub(crate) struct ProgramEngines {
    by_program: std::collections::HashMap<i64, ProfileEngine>,
    names: std::collections::HashMap<i64, String>,
    /// For a person whose program row is gone (the schema's foreign key prevents it).
    fallback: ProfileEngine,
}

impl ProgramEngines {
    fn engine(&self, program_id: i64) -> &ProfileEngine {
        self.by_program.get(&program_id).unwrap_or(&self.fallback)
    }

    fn supply_person(&self, p: &Person) -> cb_talent::supply::Person {
        cb_talent::supply::Person {
            region: p.region.clone(),
            program: self.names.get(&p.program_id).cloned().unwrap_or_default(),
            graduation_year: p.graduation_year as i32,
        }
    }
}

impl TalentService<'_> {
    /// A student asks their school to correct their record: a piece of their
    /// own evidence (`evidence_id`) or the record in general. Audited.
    pub async fn request_correction(
        &self,
        caller: &Caller,
        evidence_id: Option<i64>,
        note: &str,
    ) -> Result<cb_talent::pool::Correction, AppError> {
        caller.require_write("request a correction")?;
        let viewer = self.app.viewer(caller).await?;
        let Some(person_id) = viewer.person_id else {
            return Err(caller
                .refuse("request a correction of a record that is not yours")
                .into());
        };
        let note = note.trim();
        if note.is_empty()
            || note.chars().count() > 1000
            || note
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r')
        {
            return Err(AppError::Invalid(
                "note: say what is wrong, in 1–1,000 characters / 请说明哪里有误（1–1000 字）"
                    .into(),
            ));
        }
        let store = self.app.store();
        if let Some(e) = evidence_id
            && !store
                .talent_evidence_of(person_id)
                .await?
                .iter()
                .any(|x| x.id as i64 == e)
        {
            return Err(AppError::NotFound {
                what: "evidence of yours",
                what_zh: "您的证据",
                id: e.to_string(),
            });
        }
        let open = store
            .corrections(Some(person_id), None)
            .await?
            .iter()
            .filter(|c| c.status == "open")
            .count();
        if open >= 20 {
            return Err(AppError::Invalid("corrections: 20 are open already; wait for your school to answer / 已有 20 条待处理的更正申请".into()));
        }
        let id = store
            .correction_create(caller, person_id, evidence_id, note, crate::accounts::now())
            .await?;
        store.correction(id).await?.ok_or(AppError::NotFound {
            what: "correction",
            what_zh: "更正申请",
            id: id.to_string(),
        })
    }

    /// The corrections the caller may see: a student their own; a school
    /// admin their school's; operators all.
    pub async fn corrections(
        &self,
        caller: &Caller,
    ) -> Result<Vec<cb_talent::pool::Correction>, AppError> {
        let viewer = self.app.viewer(caller).await?;
        let store = self.app.store();
        if viewer.is_operator() {
            return Ok(store.corrections(None, None).await?);
        }
        caller.require_signed_in("see corrections")?;
        match (viewer.role(), viewer.person_id, viewer.school_id) {
            (Some(UserRole::Student), Some(p), _) => Ok(store.corrections(Some(p), None).await?),
            (Some(UserRole::SchoolAdmin), _, Some(s)) => {
                Ok(store.corrections(None, Some(s)).await?)
            }
            _ => Err(AccessError::Forbidden {
                action: "see corrections",
            }
            .into()),
        }
    }

    /// [`TalentService::corrections`] with the name of each person (every
    /// caller who may see a correction may read its person's name).
    pub async fn corrections_named(
        &self,
        caller: &Caller,
    ) -> Result<Vec<(cb_talent::pool::Correction, String)>, AppError> {
        let list = self.corrections(caller).await?;
        let store = self.app.store();
        let mut out = Vec::with_capacity(list.len());
        for c in list {
            let name = store
                .talent_person(c.person_id)
                .await?
                .map(|p| p.name)
                .unwrap_or_default();
            out.push((c, name));
        }
        Ok(out)
    }

    /// The person's school admin (or an operator) accepts a correction (the
    /// evidence it names is removed and the profile follows) or dismisses it
    /// with a response.
    pub async fn resolve_correction(
        &self,
        caller: &Caller,
        id: i64,
        accept: bool,
        response: &str,
    ) -> Result<cb_talent::pool::Correction, AppError> {
        caller.require_write("resolve a correction")?;
        let viewer = self.app.viewer(caller).await?;
        let store = self.app.store();
        let not_found = || AppError::NotFound {
            what: "correction",
            what_zh: "更正申请",
            id: id.to_string(),
        };
        let c = store.correction(id).await?;
        let person = match &c {
            Some(c) => store.talent_person(c.person_id).await?,
            None => None,
        };
        let allowed = viewer.is_operator()
            || (viewer.role() == Some(UserRole::SchoolAdmin)
                && person
                    .as_ref()
                    .is_some_and(|p| Some(p.school_id) == viewer.school_id));
        let c = match c {
            Some(c) if allowed => c,
            None if viewer.is_operator() => return Err(not_found()),
            _ => {
                return Err(caller.refuse("resolve another school's correction").into());
            }
        };
        if c.status != "open" {
            return Err(AppError::Invalid(format!(
                "correction {id} is {} already / 该申请已处理",
                c.status
            )));
        }
        let response = response.trim();
        if response.chars().count() > 1000 || (!accept && response.is_empty()) {
            return Err(AppError::Invalid("response: say why, in at most 1,000 characters (required when dismissing) / 请填写处理说明".into()));
        }
        if !store
            .correction_resolve(
                caller,
                &c,
                accept,
                response,
                caller.user_id(),
                crate::accounts::now(),
            )
            .await?
        {
            return Err(AppError::Invalid(format!(
                "correction {id} was resolved meanwhile / 该申请已被处理"
            )));
        }
        if accept && c.evidence_id.is_some() {
            self.refresh_supply(&[c.person_id]).await?;
        }
        store.correction(id).await?.ok_or_else(not_found)
    }
}
