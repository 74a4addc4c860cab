//! The talent service: people and evidence, profiles computed on demand with
//! their program's weights. Personal data is for operators until accounts and
//! consent (issue 6) say who else may see it.

use crate::{App, AppError};
use cb_core::Caller;
use cb_store::talent::{Cohort, Course, Person, Program, School, TalentWrite};
use cb_talent::synthetic::{CURRICULUM, PROGRAMS, SCHOOLS, Synthetic};
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
    pub program: Option<Program>,
    pub profile: Profile,
    /// Missing core skills of the person's three closest platform roles,
    /// best first, with how much readiness each adds.
    pub next_to_learn: Vec<(String, f64)>,
    pub as_of: NaiveDate,
}

impl TalentService<'_> {
    /// Counts only: public.
    pub async fn summary(&self, _caller: &Caller) -> Result<TalentSummary, AppError> {
        let (schools, programs, people, evidence) = self.app.store().talent_counts().await?;
        Ok(TalentSummary { schools, programs, people, evidence })
    }

    pub async fn people(&self, caller: &Caller, after_id: i64, limit: i64) -> Result<Vec<Person>, AppError> {
        caller.require_operator("list people")?;
        Ok(self.app.store().talent_people(after_id.max(0), limit.clamp(1, 500)).await?)
    }

    /// A person's profile as of `today`, with the evidence behind every number.
    pub async fn profile(&self, caller: &Caller, person_id: i64, today: NaiveDate) -> Result<PersonProfile, AppError> {
        caller.require_operator("read a person's profile")?;
        let store = self.app.store();
        let person = store.talent_person(person_id).await?.ok_or(AppError::NotFound { what: "person", what_zh: "人员", id: person_id.to_string() })?;
        let program = store.talent_program(person.program_id).await?;
        let evidence = store.talent_evidence_of(person_id).await?;
        let weights = program.as_ref().map(|p| p.weights.clone()).unwrap_or_default();
        let engine = ProfileEngine::new(self.app.catalog().model(), weights);
        let profile = engine.compute(person_id as u64, &evidence, today);
        let model = self.app.catalog();
        let mut closest: Vec<&cb_talent::Readiness> =
            profile.readiness.iter().filter(|r| model.platform_role(&r.role_id).is_some()).collect();
        closest.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.role_id.cmp(&b.role_id)));
        let targets: Vec<&str> = closest.iter().take(3).map(|r| r.role_id.as_str()).collect();
        let next_to_learn = engine.next_to_learn(&profile, &targets).into_iter().take(10).collect();
        store.audit(caller, "profile.read", &format!("person {person_id}")).await?;
        Ok(PersonProfile { person, program, profile, next_to_learn, as_of: today })
    }

    /// Loads clearly labelled synthetic schools, programs, cohorts, students,
    /// courses and evidence (operators only; for demos). Does nothing when the
    /// talent pool already has people.
    pub async fn load_synthetic(&self, caller: &Caller, students: u64, per_person: usize, seed: u64) -> Result<bool, AppError> {
        caller.require_operator("load synthetic talent data")?;
        if self.app.store().talent_counts().await?.2 > 0 {
            return Ok(false);
        }
        let mut w = TalentWrite::default();
        for (i, (name, region)) in SCHOOLS.iter().enumerate() {
            w.schools.push(School { id: i as i64 + 1, name: name.to_string(), region: region.to_string() });
        }
        let mut course_id = 0;
        for s in 0..SCHOOLS.len() {
            for (p, name) in PROGRAMS.iter().enumerate() {
                let program_id = (s * PROGRAMS.len() + p) as i64 + 1;
                // the first program of each school trusts the enterprise more (产教融合 pilots)
                let weights = if p == 0 { Weights { school: 0.4, enterprise: 0.6, ..Weights::default() } } else { Weights::default() };
                w.programs.push(Program { id: program_id, school_id: s as i64 + 1, name: name.to_string(), weights });
                for year in 2024..=2027 {
                    w.cohorts.push(Cohort { id: program_id * 10_000 + year, program_id, name: format!("{}级", year - 4), entry_year: year - 4 });
                }
                for (course, skills) in CURRICULUM {
                    course_id += 1;
                    w.courses.push(Course { id: course_id, program_id, name: course.to_string(), skills: skills.iter().map(|(k, l)| (k.to_string(), *l)).collect() });
                }
            }
        }
        let mut synth = Synthetic::new(seed);
        for id in 1..=students {
            let s = synth.student(id);
            let program_id = (s.school * PROGRAMS.len() + s.program) as i64 + 1;
            w.evidence.extend(synth.evidence(&s, per_person));
            w.people.push(Person {
                id: id as i64,
                school_id: s.school as i64 + 1,
                program_id,
                cohort_id: Some(program_id * 10_000 + i64::from(s.graduation_year)),
                name: s.name,
                student_number: s.student_number,
                graduation_year: i64::from(s.graduation_year),
                region: SCHOOLS[s.school].1.to_string(),
                consent_enterprise: id % 3 != 0,
                consent_analytics: true,
                synthetic: true,
            });
        }
        self.app.store().write_talent(caller, &w).await?;
        Ok(true)
    }
}
