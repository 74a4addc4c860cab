//! Competency profiles: per skill a level (1–5) and a confidence from every
//! piece of evidence, weighted by who judged (the program's weights) and by
//! recency; per competency area the same over its skills; readiness for every
//! platform role and NICE work role with what is missing. Every number keeps
//! the evidence that produced it.

use crate::evidence::{Evidence, Judge};
use cb_competency::{CompetencyModel, RoleRelation};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What a program decides about evaluation (defaults per PRODUCT.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    pub school: f64,
    pub enterprise: f64,
    pub practice: f64,
    pub credential: f64,
    /// Evidence loses half its weight every this many days.
    pub half_life_days: f64,
    /// The level a role's core skill must reach to count as held.
    pub required_level: f64,
    pub ready: f64,
    pub near_ready: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            school: 0.5,
            enterprise: 0.5,
            practice: 0.3,
            credential: 0.2,
            half_life_days: 730.0,
            required_level: 3.0,
            ready: 0.8,
            near_ready: 0.6,
        }
    }
}

impl Weights {
    pub fn of(&self, judge: Judge) -> f64 {
        match judge {
            Judge::School => self.school,
            Judge::Enterprise => self.enterprise,
            Judge::Practice => self.practice,
            Judge::Credential => self.credential,
        }
    }
}

/// One piece of evidence's part in a skill level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub evidence_id: u64,
    pub judge: Judge,
    pub level: f64,
    /// judge weight × recency
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkillLevel {
    pub skill_id: String,
    pub level: f64,
    pub confidence: f64,
    pub evidence: Vec<Contribution>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaLevel {
    pub area_id: String,
    pub level: f64,
    pub confidence: f64,
    pub skills: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub skill_id: String,
    pub required: f64,
    /// The person's level, 0 when there is no evidence.
    pub level: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ready,
    NearReady,
    NotReady,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    /// A platform role id or a NICE work role id.
    pub role_id: String,
    pub score: f64,
    pub status: Status,
    pub held: Vec<String>,
    pub missing: Vec<Gap>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub person_id: u64,
    pub skills: Vec<SkillLevel>,
    pub areas: Vec<AreaLevel>,
    pub readiness: Vec<Readiness>,
}

impl Profile {
    pub fn skill(&self, id: &str) -> Option<&SkillLevel> {
        self.skills.iter().find(|s| s.skill_id == id)
    }
    pub fn readiness_for(&self, role_id: &str) -> Option<&Readiness> {
        self.readiness.iter().find(|r| r.role_id == role_id)
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Confidence from the total weight of evidence: one fresh school grade
/// (weight 0.5) gives 0.39, school and enterprise together (1.0) give 0.63.
pub fn confidence(total_weight: f64) -> f64 {
    round3(1.0 - (-total_weight).exp())
}

/// The model's skills as dense indices: the alphabet of the compact
/// recompute (no strings, no allocation per observation).
#[derive(Debug, Clone, Default)]
pub struct SkillIndex {
    ids: Vec<String>,
    by_id: HashMap<String, u32>,
    /// certification ids, sorted; a certificate's index is its position + 1
    certs: Vec<String>,
}

impl SkillIndex {
    pub fn new(model: &CompetencyModel) -> Self {
        let mut ids: Vec<String> = model.skills.iter().map(|s| s.id.clone()).collect();
        ids.sort();
        ids.dedup();
        let by_id = ids
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        let mut certs: Vec<String> = model.certifications.iter().map(|c| c.id.clone()).collect();
        certs.sort();
        certs.dedup();
        SkillIndex { ids, by_id, certs }
    }
    /// A certification's index (1-based; 0 means none).
    pub fn cert(&self, id: &str) -> Option<u16> {
        self.certs
            .binary_search_by(|c| c.as_str().cmp(id))
            .ok()
            .map(|i| (i + 1) as u16)
    }
    pub fn cert_id(&self, index: u16) -> &str {
        if index == 0 {
            ""
        } else {
            self.certs
                .get(usize::from(index) - 1)
                .map_or("", String::as_str)
        }
    }
    pub fn cert_count(&self) -> usize {
        self.certs.len()
    }
    pub fn get(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }
    pub fn id(&self, index: u32) -> &str {
        self.ids.get(index as usize).map_or("", String::as_str)
    }
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[derive(Debug, Clone, Copy)]
struct Item {
    person_id: u64,
    id: u64,
    day: i32,
    judge: Judge,
    /// the certificate it records (SkillIndex::cert), 0 for other kinds
    cert: u16,
    start: u32,
    end: u32,
}

/// Evidence reduced to what the arithmetic needs (who, when, which judge,
/// skill index and level), for many people in one buffer. Observations of
/// skills outside the model are left out: they have no name to show.
#[derive(Debug, Clone, Default)]
pub struct CompactEvidence {
    items: Vec<Item>,
    obs: Vec<(u32, f64)>,
}

impl CompactEvidence {
    pub fn with_capacity(evidence: usize) -> Self {
        CompactEvidence {
            items: Vec::with_capacity(evidence),
            obs: Vec::with_capacity(evidence * 3),
        }
    }

    /// `cert`: the certificate this evidence records (SkillIndex::cert), 0 for other kinds.
    pub fn push(
        &mut self,
        id: u64,
        person_id: u64,
        judge: Judge,
        cert: u16,
        date: NaiveDate,
        observations: impl IntoIterator<Item = (u32, f64)>,
    ) {
        let start = self.obs.len() as u32;
        self.obs.extend(observations);
        self.items.push(Item {
            person_id,
            id,
            day: date.num_days_from_ce(),
            judge,
            cert,
            start,
            end: self.obs.len() as u32,
        });
    }

    pub fn push_evidence(&mut self, e: &Evidence, skills: &SkillIndex) {
        let cert = match &e.kind {
            crate::EvidenceKind::Certificate { certification_id } => {
                skills.cert(certification_id).unwrap_or(0)
            }
            _ => 0,
        };
        self.push(
            e.id,
            e.person_id,
            e.kind.judge(),
            cert,
            e.date,
            e.observations
                .iter()
                .filter_map(|o| skills.get(&o.skill_id).map(|i| (i, o.level))),
        );
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Groups the evidence by person, each in the canonical (date, id) order.
    pub fn by_person(mut self) -> Vec<(u64, CompactEvidence)> {
        self.items
            .sort_unstable_by_key(|i| (i.person_id, i.day, i.id));
        let mut out: Vec<(u64, CompactEvidence)> = Vec::new();
        let mut start = 0;
        while start < self.items.len() {
            let person = self.items[start].person_id;
            let end = start
                + self.items[start..]
                    .iter()
                    .take_while(|i| i.person_id == person)
                    .count();
            let mut part = CompactEvidence::with_capacity(end - start);
            for it in &self.items[start..end] {
                let s = part.obs.len() as u32;
                part.obs
                    .extend_from_slice(&self.obs[it.start as usize..it.end as usize]);
                part.items.push(Item {
                    start: s,
                    end: part.obs.len() as u32,
                    ..*it
                });
            }
            out.push((person, part));
            start = end;
        }
        out
    }
}

/// What the supply figures need of a profile: the level of every skill with
/// evidence and the roles a person is ready or near-ready for, by index.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub person_id: u64,
    /// (skill index, level), by skill index
    pub levels: Vec<(u32, f64)>,
    /// (role index, Ready or NearReady)
    pub roles: Vec<(u16, Status)>,
    /// certificates held (SkillIndex::cert), sorted
    pub certs: Vec<u16>,
}

/// Per-thread working memory of [`ProfileEngine::summarize`].
pub struct Scratch {
    weight: Vec<f64>,
    weighted: Vec<f64>,
    level: Vec<f64>,
    touched: Vec<u32>,
}

/// Precomputed role and area structure of the competency model.
pub struct ProfileEngine {
    pub weights: Weights,
    /// (role id, core skill ids)
    roles: Vec<(String, Vec<String>)>,
    /// (area id, skill ids)
    areas: Vec<(String, Vec<String>)>,
    skills: SkillIndex,
    /// core skills of `roles[i]` as skill indices
    role_core: Vec<Vec<u32>>,
}

impl ProfileEngine {
    pub fn new(model: &CompetencyModel, weights: Weights) -> Self {
        let mut core: HashMap<&str, Vec<String>> = HashMap::new();
        for l in model
            .skill_roles
            .iter()
            .filter(|l| l.relation == RoleRelation::Core)
        {
            core.entry(l.role_id.as_str())
                .or_default()
                .push(l.skill_id.clone());
        }
        let mut roles: Vec<(String, Vec<String>)> = model
            .platform_roles
            .iter()
            .map(|r| {
                (
                    r.id.clone(),
                    core.get(r.id.as_str()).cloned().unwrap_or_default(),
                )
            })
            .collect();
        // a NICE work role's core skills: those of the platform roles mapped to it
        for w in &model.work_roles {
            let mut skills: Vec<String> = model
                .platform_roles
                .iter()
                .filter(|p| p.nice_role_ids.contains(&w.id))
                .flat_map(|p| core.get(p.id.as_str()).cloned().unwrap_or_default())
                .collect();
            skills.sort();
            skills.dedup();
            roles.push((w.id.clone(), skills));
        }
        let mut areas: HashMap<&str, Vec<String>> = HashMap::new();
        for l in model
            .skill_nice_links
            .iter()
            .filter(|l| l.target_id.starts_with("NF-COM-"))
        {
            areas
                .entry(l.target_id.as_str())
                .or_default()
                .push(l.skill_id.clone());
        }
        let areas = model
            .competency_areas
            .iter()
            .map(|a| {
                (
                    a.id.clone(),
                    areas.get(a.id.as_str()).cloned().unwrap_or_default(),
                )
            })
            .collect();
        let skills = SkillIndex::new(model);
        let role_core = roles
            .iter()
            .map(|(_, core)| core.iter().filter_map(|s| skills.get(s)).collect())
            .collect();
        ProfileEngine {
            weights,
            roles,
            areas,
            skills,
            role_core,
        }
    }

    pub fn skill_index(&self) -> &SkillIndex {
        &self.skills
    }

    /// Platform role ids, then NICE work role ids: what a role index means.
    pub fn role_ids(&self) -> impl Iterator<Item = &str> {
        self.roles.iter().map(|(r, _)| r.as_str())
    }

    pub fn scratch(&self) -> Scratch {
        let n = self.skills.len();
        Scratch {
            weight: vec![0.0; n],
            weighted: vec![0.0; n],
            level: vec![0.0; n],
            touched: Vec::new(),
        }
    }

    fn status(&self, score: f64) -> Status {
        if score >= self.weights.ready {
            Status::Ready
        } else if score >= self.weights.near_ready {
            Status::NearReady
        } else {
            Status::NotReady
        }
    }

    /// The supply figures' part of [`ProfileEngine::compute`], on compact
    /// evidence already in (date, id) order: the same arithmetic in the same
    /// order, so the same numbers (a test holds the two paths equal).
    pub fn summarize(
        &self,
        person_id: u64,
        evidence: &CompactEvidence,
        today: NaiveDate,
        scratch: &mut Scratch,
    ) -> Summary {
        let w = &self.weights;
        let today = today.num_days_from_ce();
        for it in &evidence.items {
            let age = f64::from((today - it.day).max(0));
            let weight = w.of(it.judge) * 0.5f64.powf(age / w.half_life_days.max(1.0));
            if weight <= 0.0 {
                continue;
            }
            for &(s, level) in &evidence.obs[it.start as usize..it.end as usize] {
                let i = s as usize;
                if i >= scratch.weight.len() {
                    continue;
                }
                if scratch.weight[i] == 0.0 {
                    scratch.touched.push(s);
                }
                scratch.weight[i] += weight;
                scratch.weighted[i] += weight * level;
            }
        }
        scratch.touched.sort_unstable();
        let mut levels = Vec::with_capacity(scratch.touched.len());
        for &s in &scratch.touched {
            let i = s as usize;
            let level = round3((scratch.weighted[i] / scratch.weight[i]).clamp(1.0, 5.0));
            scratch.level[i] = level;
            levels.push((s, level));
        }
        let mut roles = Vec::new();
        for (r, core) in self.role_core.iter().enumerate() {
            if core.is_empty() {
                continue;
            }
            let held = core
                .iter()
                .filter(|&&s| scratch.level[s as usize] >= w.required_level)
                .count();
            let status = self.status(round3(held as f64 / core.len() as f64));
            if status != Status::NotReady {
                roles.push((r as u16, status));
            }
        }
        for &s in &scratch.touched {
            let i = s as usize;
            (scratch.weight[i], scratch.weighted[i], scratch.level[i]) = (0.0, 0.0, 0.0);
        }
        scratch.touched.clear();
        let mut certs: Vec<u16> = evidence
            .items
            .iter()
            .map(|it| it.cert)
            .filter(|c| *c != 0)
            .collect();
        certs.sort_unstable();
        certs.dedup();
        Summary {
            person_id,
            levels,
            roles,
            certs,
        }
    }

    /// A full profile's [`Summary`] (skills outside the model left out), with
    /// the certificates its evidence records.
    pub fn summary_of(&self, profile: &Profile, evidence: &[Evidence]) -> Summary {
        let mut levels: Vec<(u32, f64)> = profile
            .skills
            .iter()
            .filter_map(|s| self.skills.get(&s.skill_id).map(|i| (i, s.level)))
            .collect();
        levels.sort_by_key(|(i, _)| *i);
        let roles = profile
            .readiness
            .iter()
            .filter(|r| r.status != Status::NotReady)
            .filter_map(|r| {
                self.roles
                    .iter()
                    .position(|(id, _)| *id == r.role_id)
                    .map(|i| (i as u16, r.status))
            })
            .collect();
        let mut certs: Vec<u16> = evidence
            .iter()
            .filter(|e| e.person_id == profile.person_id)
            .filter_map(|e| match &e.kind {
                crate::EvidenceKind::Certificate { certification_id } => {
                    self.skills.cert(certification_id)
                }
                _ => None,
            })
            .collect();
        certs.sort_unstable();
        certs.dedup();
        Summary {
            person_id: profile.person_id,
            levels,
            roles,
            certs,
        }
    }

    /// The core skills of a platform role or NICE work role.
    pub fn core_skills(&self, role_id: &str) -> &[String] {
        self.roles
            .iter()
            .find(|(r, _)| r == role_id)
            .map(|(_, s)| s.as_slice())
            .unwrap_or(&[])
    }

    /// A person's profile from all their evidence, as of `today`.
    pub fn compute(&self, person_id: u64, evidence: &[Evidence], today: NaiveDate) -> Profile {
        let w = &self.weights;
        let mut by_skill: HashMap<&str, Vec<Contribution>> = HashMap::new();
        // a canonical order, so the same evidence gives the same profile however it was read
        let mut mine: Vec<&Evidence> = evidence
            .iter()
            .filter(|e| e.person_id == person_id)
            .collect();
        mine.sort_by_key(|e| (e.date, e.id));
        for e in mine {
            let age = (today - e.date).num_days().max(0) as f64;
            let recency = 0.5f64.powf(age / w.half_life_days.max(1.0));
            let judge = e.kind.judge();
            let weight = w.of(judge) * recency;
            if weight <= 0.0 {
                continue;
            }
            for o in &e.observations {
                by_skill
                    .entry(o.skill_id.as_str())
                    .or_default()
                    .push(Contribution {
                        evidence_id: e.id,
                        judge,
                        level: o.level,
                        weight,
                    });
            }
        }
        let mut skills: Vec<SkillLevel> = by_skill
            .into_iter()
            .map(|(id, contributions)| {
                let total: f64 = contributions.iter().map(|c| c.weight).sum();
                let level = contributions
                    .iter()
                    .map(|c| c.weight * c.level)
                    .sum::<f64>()
                    / total;
                SkillLevel {
                    skill_id: id.to_string(),
                    level: round3(level.clamp(1.0, 5.0)),
                    confidence: confidence(total),
                    evidence: contributions,
                }
            })
            .collect();
        skills.sort_by(|a, b| a.skill_id.cmp(&b.skill_id));
        let level_of: HashMap<&str, &SkillLevel> =
            skills.iter().map(|s| (s.skill_id.as_str(), s)).collect();

        let areas = self
            .areas
            .iter()
            .filter_map(|(area, members)| {
                let held: Vec<&SkillLevel> = members
                    .iter()
                    .filter_map(|s| level_of.get(s.as_str()).copied())
                    .collect();
                if held.is_empty() {
                    return None;
                }
                // levels weighted by their confidence
                let cw: f64 = held.iter().map(|s| s.confidence).sum();
                let level =
                    held.iter().map(|s| s.level * s.confidence).sum::<f64>() / cw.max(f64::EPSILON);
                Some(AreaLevel {
                    area_id: area.clone(),
                    level: round3(level),
                    confidence: round3(cw / held.len() as f64),
                    skills: held.iter().map(|s| s.skill_id.clone()).collect(),
                })
            })
            .collect();

        let readiness = self
            .roles
            .iter()
            .filter(|(_, core)| !core.is_empty())
            .map(|(role, core)| {
                let mut held = Vec::new();
                let mut missing = Vec::new();
                for s in core {
                    let level = level_of.get(s.as_str()).map_or(0.0, |l| l.level);
                    if level >= w.required_level {
                        held.push(s.clone());
                    } else {
                        missing.push(Gap {
                            skill_id: s.clone(),
                            required: w.required_level,
                            level,
                        });
                    }
                }
                missing.sort_by(|a, b| {
                    a.level
                        .total_cmp(&b.level)
                        .then(a.skill_id.cmp(&b.skill_id))
                });
                let score = round3(held.len() as f64 / core.len() as f64);
                let status = self.status(score);
                Readiness {
                    role_id: role.clone(),
                    score,
                    status,
                    held,
                    missing,
                }
            })
            .collect();
        Profile {
            person_id,
            skills,
            areas,
            readiness,
        }
    }

    /// What to learn next for the target roles: each missing core skill,
    /// scored by how much readiness it adds across them (1 / core size per role).
    pub fn next_to_learn(&self, profile: &Profile, targets: &[&str]) -> Vec<(String, f64)> {
        let mut gain: HashMap<&str, f64> = HashMap::new();
        for t in targets {
            if let Some(r) = profile.readiness_for(t) {
                let n = (r.held.len() + r.missing.len()).max(1) as f64;
                for g in &r.missing {
                    *gain.entry(g.skill_id.as_str()).or_default() += 1.0 / n;
                }
            }
        }
        let mut v: Vec<(String, f64)> = gain
            .into_iter()
            .map(|(s, g)| (s.to_string(), round3(g)))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{EvidenceKind, Observation};
    use cb_competency::bundled;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn ev(id: u64, kind: EvidenceKind, date: NaiveDate, obs: &[(&str, f64)]) -> Evidence {
        Evidence {
            id,
            person_id: 1,
            kind,
            source_org: "org".into(),
            date,
            recorded_by: "t".into(),
            observations: obs
                .iter()
                .map(|(s, l)| Observation {
                    skill_id: s.to_string(),
                    level: *l,
                })
                .collect(),
        }
    }

    fn course(id: u64, date: NaiveDate, obs: &[(&str, f64)]) -> Evidence {
        ev(
            id,
            EvidenceKind::CourseGrade {
                course: "网络攻防".into(),
                grade: "良".into(),
            },
            date,
            obs,
        )
    }

    fn internship(id: u64, date: NaiveDate, obs: &[(&str, f64)]) -> Evidence {
        ev(
            id,
            EvidenceKind::EnterpriseEvaluation {
                comment: "可独立完成".into(),
            },
            date,
            obs,
        )
    }

    /// Hand-computed: school says 2.55 (weight 0.5), enterprise says 4 (weight
    /// 0.5), both today: level = (0.5·2.55 + 0.5·4) / 1.0 = 3.275,
    /// confidence = 1 − e^−1 = 0.632.
    #[test]
    fn school_and_enterprise_evaluations_combine_by_the_programs_weights() {
        let m = bundled::model().expect("model");
        let e = ProfileEngine::new(&m, Weights::default());
        let today = day(2025, 6, 1);
        let evidence = vec![
            course(1, today, &[("sql-injection", 2.55)]),
            internship(2, today, &[("sql-injection", 4.0)]),
        ];
        let p = e.compute(1, &evidence, today);
        let s = p.skill("sql-injection").expect("skill");
        assert_eq!((s.level, s.confidence), (3.275, 0.632));
        assert_eq!(
            s.evidence.iter().map(|c| c.evidence_id).collect::<Vec<_>>(),
            vec![1, 2],
            "explained by its evidence"
        );
        // a program that trusts the enterprise three times as much: (0.25·2.55 + 0.75·4) / 1.0 = 3.6375
        let e2 = ProfileEngine::new(
            &m,
            Weights {
                school: 0.25,
                enterprise: 0.75,
                ..Weights::default()
            },
        );
        assert_eq!(
            e2.compute(1, &evidence, today)
                .skill("sql-injection")
                .map(|s| s.level),
            Some(3.638)
        );
    }

    /// Hand-computed recency: a two-year-old grade (one half-life) weighs 0.25,
    /// a fresh one 0.5: level = (0.25·5 + 0.5·2) / 0.75 = 3.0, confidence = 1 − e^−0.75 = 0.528.
    #[test]
    fn older_evidence_weighs_less() {
        let m = bundled::model().expect("model");
        let e = ProfileEngine::new(&m, Weights::default());
        let today = day(2025, 6, 1);
        let evidence = vec![
            course(1, today - chrono::Duration::days(730), &[("linux", 5.0)]),
            course(2, today, &[("linux", 2.0)]),
        ];
        let s = e
            .compute(1, &evidence, today)
            .skill("linux")
            .cloned()
            .expect("skill");
        assert_eq!((s.level, s.confidence), (3.0, 0.528));
    }

    #[test]
    fn readiness_counts_core_skills_held_at_the_required_level() {
        let m = bundled::model().expect("model");
        let e = ProfileEngine::new(&m, Weights::default());
        let core = e.core_skills("pentester").to_vec();
        assert_eq!(core.len(), 14);
        let today = day(2025, 6, 1);
        // 12 of 14 core skills at level 4 (enterprise), one at 2, one without evidence
        let mut obs: Vec<(&str, f64)> = core.iter().take(12).map(|s| (s.as_str(), 4.0)).collect();
        obs.push((core[12].as_str(), 2.0));
        let p = e.compute(1, &[internship(1, today, &obs)], today);
        let r = p.readiness_for("pentester").expect("readiness");
        assert_eq!(r.score, round3(12.0 / 14.0));
        assert_eq!(r.status, Status::Ready);
        assert_eq!(r.missing.len(), 2);
        assert_eq!(
            (r.missing[0].skill_id.as_str(), r.missing[0].level),
            (core[13].as_str(), 0.0),
            "no evidence first"
        );
        assert_eq!(r.missing[1].level, 2.0);
        // NICE work roles are covered too
        assert!(p.readiness_for("PD-WRL-007").is_some());
        // what to learn next for pentester alone: the two missing skills, 1/14 each
        let next = e.next_to_learn(&p, &["pentester"]);
        assert_eq!(next.len(), 2);
        assert_eq!(next[0].1, round3(1.0 / 14.0));
    }

    /// The compact recompute and the full profile give the same figures for
    /// every synthetic person, evidence read in any order.
    #[test]
    fn the_compact_summary_equals_the_full_profile() {
        let m = bundled::model().expect("model");
        let today = day(2026, 11, 22);
        let mut synth = crate::synthetic::Synthetic::new(7);
        for weights in [
            Weights::default(),
            Weights {
                school: 0.2,
                enterprise: 0.8,
                half_life_days: 365.0,
                ..Weights::default()
            },
        ] {
            let e = ProfileEngine::new(&m, weights);
            let mut scratch = e.scratch();
            let mut all = CompactEvidence::default();
            let mut full = Vec::new();
            for id in 1..=300 {
                let s = synth.student(id);
                let mut ev = synth.evidence(&s, 5 + (id as usize % 50));
                ev.reverse();
                for x in &ev {
                    all.push_evidence(x, e.skill_index());
                }
                full.push(e.summary_of(&e.compute(id, &ev, today), &ev));
            }
            let compact: Vec<Summary> = all
                .by_person()
                .into_iter()
                .map(|(id, ev)| e.summarize(id, &ev, today, &mut scratch))
                .collect();
            assert_eq!(compact.len(), 300);
            assert!(
                compact.iter().filter(|s| !s.roles.is_empty()).count() > 10,
                "many people are ready or near-ready for something"
            );
            assert!(
                compact.iter().filter(|s| !s.certs.is_empty()).count() > 10,
                "many hold a certificate"
            );
            assert_eq!(compact, full);
        }
    }

    #[test]
    fn areas_aggregate_their_skills_by_confidence() {
        let m = bundled::model().expect("model");
        let e = ProfileEngine::new(&m, Weights::default());
        let today = day(2025, 6, 1);
        // two cloud skills (domain cloud → NF-COM-004): levels 4 (conf .393) and 2 (conf .393) → 3.0
        let p = e.compute(
            1,
            &[course(1, today, &[("aws", 4.0), ("docker", 2.0)])],
            today,
        );
        let a = p
            .areas
            .iter()
            .find(|a| a.area_id == "NF-COM-004")
            .expect("cloud area");
        assert_eq!((a.level, a.confidence, a.skills.len()), (3.0, 0.393, 2));
    }
}
