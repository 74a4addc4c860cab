//! Supply figures kept current as profiles change: per role (and region,
//! program, graduation year) how many people are ready and near-ready, and
//! per skill how many are proficient.

use crate::profile::{Profile, Status};
use serde::Serialize;
use std::collections::HashMap;

/// Where a person counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Cell {
    pub role_id: String,
    pub region: String,
    pub program: String,
    pub graduation_year: i32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub ready: u64,
    pub near_ready: u64,
}

/// A person's place in the supply figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub region: String,
    pub program: String,
    pub graduation_year: i32,
}

/// The cells a person is counted in and the skills they are proficient in.
type Contribution = (Vec<(Cell, Status)>, Vec<String>);

#[derive(Debug, Default)]
pub struct SupplyIndex {
    cells: HashMap<Cell, Counts>,
    /// skill → people at or above the proficiency level
    proficient: HashMap<String, u64>,
    people: u64,
    /// what each person contributes, to take it back on update
    contributed: HashMap<u64, Contribution>,
    pub proficiency_level: f64,
}

impl SupplyIndex {
    pub fn new(proficiency_level: f64) -> Self {
        SupplyIndex { proficiency_level, ..SupplyIndex::default() }
    }

    /// Replaces what `person` contributes with what `profile` says.
    pub fn update(&mut self, person: &Person, profile: &Profile) {
        self.remove(profile.person_id);
        let mut cells = Vec::new();
        for r in &profile.readiness {
            if r.status == Status::NotReady {
                continue;
            }
            let cell = Cell { role_id: r.role_id.clone(), region: person.region.clone(), program: person.program.clone(), graduation_year: person.graduation_year };
            let c = self.cells.entry(cell.clone()).or_default();
            match r.status {
                Status::Ready => c.ready += 1,
                Status::NearReady => c.near_ready += 1,
                Status::NotReady => {}
            }
            cells.push((cell, r.status));
        }
        let skills: Vec<String> = profile.skills.iter().filter(|s| s.level >= self.proficiency_level).map(|s| s.skill_id.clone()).collect();
        for s in &skills {
            *self.proficient.entry(s.clone()).or_default() += 1;
        }
        self.people += 1;
        self.contributed.insert(profile.person_id, (cells, skills));
    }

    pub fn remove(&mut self, person_id: u64) {
        if let Some((cells, skills)) = self.contributed.remove(&person_id) {
            for (cell, status) in cells {
                if let Some(c) = self.cells.get_mut(&cell) {
                    match status {
                        Status::Ready => c.ready -= 1,
                        Status::NearReady => c.near_ready -= 1,
                        Status::NotReady => {}
                    }
                }
            }
            for s in skills {
                if let Some(n) = self.proficient.get_mut(&s) {
                    *n -= 1;
                }
            }
            self.people -= 1;
        }
    }

    /// Ready and near-ready people for a role, summed over the cells that match.
    pub fn role(&self, role_id: &str, region: Option<&str>, program: Option<&str>) -> Counts {
        self.role_filtered(role_id, region, program, None)
    }

    /// Like [`SupplyIndex::role`], also filtered by graduation year.
    pub fn role_filtered(&self, role_id: &str, region: Option<&str>, program: Option<&str>, year: Option<i32>) -> Counts {
        self.cells
            .iter()
            .filter(|(c, _)| {
                c.role_id == role_id && region.is_none_or(|r| c.region == r) && program.is_none_or(|p| c.program == p) && year.is_none_or(|y| c.graduation_year == y)
            })
            .fold(Counts::default(), |acc, (_, n)| Counts { ready: acc.ready + n.ready, near_ready: acc.near_ready + n.near_ready })
    }

    /// Every skill someone is proficient in, with the number of such people.
    pub fn proficient_skills(&self) -> impl Iterator<Item = (&str, u64)> {
        self.proficient.iter().filter(|(_, n)| **n > 0).map(|(s, n)| (s.as_str(), *n))
    }

    /// Share of people proficient in a skill.
    pub fn skill_share(&self, skill_id: &str) -> f64 {
        if self.people == 0 {
            return 0.0;
        }
        self.proficient.get(skill_id).copied().unwrap_or(0) as f64 / self.people as f64
    }

    pub fn people(&self) -> u64 {
        self.people
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Readiness, SkillLevel};

    fn profile(id: u64, status: Status, level: f64) -> Profile {
        Profile {
            person_id: id,
            skills: vec![SkillLevel { skill_id: "linux".into(), level, confidence: 0.5, evidence: vec![] }],
            areas: vec![],
            readiness: vec![Readiness { role_id: "sysadmin".into(), score: 0.9, status, held: vec![], missing: vec![] }],
        }
    }

    #[test]
    fn updates_replace_a_persons_contribution() {
        let mut s = SupplyIndex::new(3.0);
        let wuhan = Person { region: "湖北".into(), program: "网络空间安全".into(), graduation_year: 2026 };
        s.update(&wuhan, &profile(1, Status::NearReady, 2.0));
        s.update(&wuhan, &profile(2, Status::Ready, 3.5));
        assert_eq!(s.role("sysadmin", Some("湖北"), None), Counts { ready: 1, near_ready: 1 });
        assert_eq!(s.skill_share("linux"), 0.5);
        // person 1 improves: counted once, as ready
        s.update(&wuhan, &profile(1, Status::Ready, 4.0));
        assert_eq!(s.role("sysadmin", None, Some("网络空间安全")), Counts { ready: 2, near_ready: 0 });
        assert_eq!((s.people(), s.skill_share("linux")), (2, 1.0));
        s.remove(2);
        assert_eq!(s.role("sysadmin", None, None), Counts { ready: 1, near_ready: 0 });
        assert_eq!(s.role("sysadmin", Some("北京"), None), Counts::default());
    }
}
