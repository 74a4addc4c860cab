//! Supply figures kept current as profiles change: per role (and region,
//! program, graduation year) how many people are ready and near-ready, and
//! per skill how many are proficient. Keys are small integers (roles and
//! skills by the profile engine's indices, regions and programs interned), so
//! a full rebuild over 100,000 people allocates almost nothing per person.

use crate::profile::{ProfileEngine, Status, Summary};
use serde::Serialize;
use std::collections::HashMap;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct CellKey {
    role: u16,
    region: u32,
    program: u32,
    year: i32,
}

#[derive(Debug, Default)]
struct Interner {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), i);
        i
    }
    fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }
}

/// The cells a person is counted in, their region, and the skills they are proficient in.
type Contribution = (Vec<(CellKey, Status)>, (u32, u32), Vec<u32>, Vec<u16>);

#[derive(Debug)]
pub struct SupplyIndex {
    roles: Vec<String>,
    skills: Vec<String>,
    regions: Interner,
    programs: Interner,
    cells: HashMap<CellKey, Counts>,
    /// skill index → people at or above the proficiency level
    proficient: Vec<u64>,
    /// (region, skill) → people proficient there
    /// (region, program, skill) → people proficient there
    proficient_in: HashMap<(u32, u32, u32), u64>,
    /// (region, program) → people
    people_in: HashMap<(u32, u32), u64>,
    /// (region, program, certificate) → holders
    holders: HashMap<(u32, u32, u16), u64>,
    certs: Vec<String>,
    people: u64,
    /// what each person contributes, to take it back on update
    contributed: HashMap<u64, Contribution>,
    pub proficiency_level: f64,
}

impl SupplyIndex {
    /// Figures over the engine's roles and skills.
    pub fn new(engine: &ProfileEngine, proficiency_level: f64) -> Self {
        let skills = engine.skill_index();
        SupplyIndex {
            roles: engine.role_ids().map(str::to_string).collect(),
            skills: (0..skills.len() as u32)
                .map(|i| skills.id(i).to_string())
                .collect(),
            regions: Interner::default(),
            programs: Interner::default(),
            cells: HashMap::new(),
            proficient: vec![0; skills.len()],
            proficient_in: HashMap::new(),
            people_in: HashMap::new(),
            holders: HashMap::new(),
            certs: (0..=skills.cert_count() as u16)
                .map(|i| skills.cert_id(i).to_string())
                .collect(),
            people: 0,
            contributed: HashMap::new(),
            proficiency_level,
        }
    }

    /// Replaces what the person of `summary` contributes.
    pub fn update(&mut self, person: &Person, summary: &Summary) {
        self.remove(summary.person_id);
        let (region, program) = (
            self.regions.intern(&person.region),
            self.programs.intern(&person.program),
        );
        let mut cells = Vec::with_capacity(summary.roles.len());
        for &(role, status) in &summary.roles {
            if status == Status::NotReady {
                continue;
            }
            let key = CellKey {
                role,
                region,
                program,
                year: person.graduation_year,
            };
            let c = self.cells.entry(key).or_default();
            match status {
                Status::Ready => c.ready += 1,
                Status::NearReady => c.near_ready += 1,
                Status::NotReady => {}
            }
            cells.push((key, status));
        }
        let skills: Vec<u32> = summary
            .levels
            .iter()
            .filter(|(s, l)| *l >= self.proficiency_level && (*s as usize) < self.proficient.len())
            .map(|(s, _)| *s)
            .collect();
        for &s in &skills {
            self.proficient[s as usize] += 1;
            *self.proficient_in.entry((region, program, s)).or_default() += 1;
        }
        self.people += 1;
        *self.people_in.entry((region, program)).or_default() += 1;
        for &c in &summary.certs {
            *self.holders.entry((region, program, c)).or_default() += 1;
        }
        self.contributed.insert(
            summary.person_id,
            (cells, (region, program), skills, summary.certs.clone()),
        );
    }

    pub fn remove(&mut self, person_id: u64) {
        if let Some((cells, (region, program), skills, certs)) = self.contributed.remove(&person_id)
        {
            for c in certs {
                if let Some(n) = self.holders.get_mut(&(region, program, c)) {
                    *n -= 1;
                }
            }
            for (key, status) in cells {
                if let Some(c) = self.cells.get_mut(&key) {
                    match status {
                        Status::Ready => c.ready -= 1,
                        Status::NearReady => c.near_ready -= 1,
                        Status::NotReady => {}
                    }
                }
            }
            for s in skills {
                self.proficient[s as usize] -= 1;
                if let Some(n) = self.proficient_in.get_mut(&(region, program, s)) {
                    *n -= 1;
                }
            }
            self.people -= 1;
            if let Some(n) = self.people_in.get_mut(&(region, program)) {
                *n -= 1;
            }
        }
    }

    /// Ready and near-ready people for a role, summed over the cells that match.
    pub fn role(&self, role_id: &str, region: Option<&str>, program: Option<&str>) -> Counts {
        self.role_filtered(role_id, region, program, None)
    }

    /// Like [`SupplyIndex::role`], also filtered by graduation year.
    pub fn role_filtered(
        &self,
        role_id: &str,
        region: Option<&str>,
        program: Option<&str>,
        year: Option<i32>,
    ) -> Counts {
        let Some(role) = self.roles.iter().position(|r| r == role_id) else {
            return Counts::default();
        };
        // a region or program nobody has matches no cell
        let region = match region.map(|r| self.regions.get(r)) {
            Some(None) => return Counts::default(),
            other => other.flatten(),
        };
        let program = match program.map(|p| self.programs.get(p)) {
            Some(None) => return Counts::default(),
            other => other.flatten(),
        };
        self.cells
            .iter()
            .filter(|(k, _)| {
                k.role as usize == role
                    && region.is_none_or(|r| k.region == r)
                    && program.is_none_or(|p| k.program == p)
                    && year.is_none_or(|y| k.year == y)
            })
            .fold(Counts::default(), |acc, (_, n)| Counts {
                ready: acc.ready + n.ready,
                near_ready: acc.near_ready + n.near_ready,
            })
    }

    /// Every skill someone is proficient in, with the number of such people.
    pub fn proficient_skills(&self) -> impl Iterator<Item = (&str, u64)> {
        self.proficient
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| (self.skills[i].as_str(), *n))
    }

    /// Share of people proficient in a skill.
    pub fn skill_share(&self, skill_id: &str) -> f64 {
        if self.people == 0 {
            return 0.0;
        }
        let n = self
            .skills
            .iter()
            .position(|s| s == skill_id)
            .map_or(0, |i| self.proficient[i]);
        n as f64 / self.people as f64
    }

    pub fn people(&self) -> u64 {
        self.people
    }

    /// (region id, program id) wanted; `None` inside when not filtered;
    /// `None` outside when a name is unknown (nothing matches).
    fn scope(
        &self,
        region: Option<&str>,
        program: Option<&str>,
    ) -> Option<(Option<u32>, Option<u32>)> {
        let r = match region {
            Some(r) => Some(self.regions.get(r)?),
            None => None,
        };
        let p = match program {
            Some(p) => Some(self.programs.get(p)?),
            None => None,
        };
        Some((r, p))
    }

    /// People counted in a region and/or program (everywhere when both are `None`).
    pub fn people_where(&self, region: Option<&str>, program: Option<&str>) -> u64 {
        if region.is_none() && program.is_none() {
            return self.people;
        }
        let Some((r, p)) = self.scope(region, program) else {
            return 0;
        };
        self.people_in
            .iter()
            .filter(|((reg, prog), _)| r.is_none_or(|x| x == *reg) && p.is_none_or(|x| x == *prog))
            .map(|(_, n)| *n)
            .sum()
    }

    /// People proficient in each skill anyone is proficient in, in a region
    /// and/or program, and the people counted there (the shares' numerators
    /// and denominator, so a caller can tell whether a share gives away a
    /// small count).
    pub fn proficient_where(
        &self,
        region: Option<&str>,
        program: Option<&str>,
    ) -> (HashMap<String, u64>, u64) {
        let n = self.people_where(region, program);
        if n == 0 {
            return (HashMap::new(), 0);
        }
        if region.is_none() && program.is_none() {
            let all = self
                .proficient_skills()
                .map(|(s, c)| (s.to_string(), c))
                .collect();
            return (all, n);
        }
        let Some((r, p)) = self.scope(region, program) else {
            return (HashMap::new(), n);
        };
        let mut counts: HashMap<u32, u64> = HashMap::new();
        for ((reg, prog, s), c) in &self.proficient_in {
            if *c > 0 && r.is_none_or(|x| x == *reg) && p.is_none_or(|x| x == *prog) {
                *counts.entry(*s).or_default() += c;
            }
        }
        let counts = counts
            .into_iter()
            .map(|(s, c)| (self.skills[s as usize].clone(), c))
            .collect();
        (counts, n)
    }

    /// Holders of each certificate anyone holds, in a region and/or program.
    pub fn holders_where(
        &self,
        region: Option<&str>,
        program: Option<&str>,
    ) -> HashMap<String, u64> {
        let Some((r, p)) = self.scope(region, program) else {
            return HashMap::new();
        };
        let mut out: HashMap<String, u64> = HashMap::new();
        for ((reg, prog, c), n) in &self.holders {
            if *n > 0 && r.is_none_or(|x| x == *reg) && p.is_none_or(|x| x == *prog) {
                *out.entry(self.certs.get(usize::from(*c)).cloned().unwrap_or_default())
                    .or_default() += n;
            }
        }
        out
    }

    /// Every program anyone counted belongs to.
    pub fn program_names(&self) -> Vec<String> {
        let mut v = self.programs.names.clone();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cb_competency::bundled;

    /// Share of people proficient per skill, from the counts.
    fn shares(
        s: &SupplyIndex,
        region: Option<&str>,
        program: Option<&str>,
    ) -> HashMap<String, f64> {
        let (counts, n) = s.proficient_where(region, program);
        counts
            .into_iter()
            .map(|(k, c)| (k, c as f64 / n as f64))
            .collect()
    }

    fn summary(e: &ProfileEngine, id: u64, status: Status, level: f64) -> Summary {
        let sysadmin = e.role_ids().position(|r| r == "sysadmin").expect("role") as u16;
        Summary {
            person_id: id,
            levels: vec![(e.skill_index().get("linux").expect("skill"), level)],
            roles: vec![(sysadmin, status)],
            certs: vec![e.skill_index().cert("cisp").expect("cisp")],
        }
    }

    #[test]
    fn updates_replace_a_persons_contribution() {
        let m = bundled::model().expect("model");
        let e = ProfileEngine::new(&m, crate::Weights::default());
        let mut s = SupplyIndex::new(&e, 3.0);
        let wuhan = Person {
            region: "湖北".into(),
            program: "网络空间安全".into(),
            graduation_year: 2026,
        };
        s.update(&wuhan, &summary(&e, 1, Status::NearReady, 2.0));
        s.update(&wuhan, &summary(&e, 2, Status::Ready, 3.5));
        assert_eq!(
            s.role("sysadmin", Some("湖北"), None),
            Counts {
                ready: 1,
                near_ready: 1
            }
        );
        assert_eq!(s.skill_share("linux"), 0.5);
        // person 1 improves: counted once, as ready
        s.update(&wuhan, &summary(&e, 1, Status::Ready, 4.0));
        assert_eq!(
            s.role("sysadmin", None, Some("网络空间安全")),
            Counts {
                ready: 2,
                near_ready: 0
            }
        );
        assert_eq!((s.people(), s.skill_share("linux")), (2, 1.0));
        s.remove(2);
        assert_eq!(
            s.role("sysadmin", None, None),
            Counts {
                ready: 1,
                near_ready: 0
            }
        );
        assert_eq!(s.role("sysadmin", Some("北京"), None), Counts::default());
        assert_eq!(s.role("no-such-role", None, None), Counts::default());
        assert_eq!(
            s.proficient_skills().collect::<Vec<_>>(),
            vec![("linux", 1)]
        );
        let beijing = Person {
            region: "北京".into(),
            ..wuhan.clone()
        };
        s.update(&beijing, &summary(&e, 3, Status::NotReady, 1.0));
        assert_eq!(
            (
                s.people_where(Some("湖北"), None),
                s.people_where(Some("北京"), None),
                s.people_where(None, None)
            ),
            (1, 1, 2)
        );
        assert_eq!(shares(&s, Some("湖北"), None).get("linux"), Some(&1.0));
        assert_eq!(shares(&s, Some("北京"), None).get("linux"), None);
        assert_eq!(shares(&s, None, None).get("linux"), Some(&0.5));
        assert!(shares(&s, Some("火星"), None).is_empty());
        let other = Person {
            program: "信息安全".into(),
            ..beijing.clone()
        };
        s.update(&other, &summary(&e, 4, Status::Ready, 3.5));
        assert_eq!(
            (
                s.people_where(None, Some("网络空间安全")),
                s.people_where(Some("北京"), Some("信息安全")),
                s.people_where(None, Some("烹饪"))
            ),
            (2, 1, 0)
        );
        assert_eq!(
            shares(&s, Some("北京"), None).get("linux"),
            Some(&0.5),
            "one of 北京's two people"
        );
        assert_eq!(
            shares(&s, None, Some("网络空间安全")).get("linux"),
            Some(&0.5)
        );
        assert_eq!(
            s.program_names(),
            vec!["信息安全".to_string(), "网络空间安全".to_string()]
        );
        assert_eq!(s.holders_where(None, None).get("cisp"), Some(&3));
        assert_eq!(
            s.holders_where(Some("北京"), Some("信息安全")).get("cisp"),
            Some(&1)
        );
        s.remove(4);
        assert_eq!(s.holders_where(None, None).get("cisp"), Some(&2));
    }
}
