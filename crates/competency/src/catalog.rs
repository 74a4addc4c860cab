//! A read-only, indexed view of the competency model and the external
//! frameworks: lookups by id, links in both directions, and search by any
//! name, alias or title variant in Chinese or English.

use crate::external::{ExternalFramework, ExternalRole};
use crate::model::*;
use crate::normalize::normalize;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchHitKind {
    PlatformRole,
    Skill,
    Certification,
    WorkRole,
    Category,
    CompetencyArea,
    ExternalRole,
    Statement,
}

impl SearchHitKind {
    pub const ALL: [SearchHitKind; 8] = [
        SearchHitKind::PlatformRole,
        SearchHitKind::Skill,
        SearchHitKind::Certification,
        SearchHitKind::WorkRole,
        SearchHitKind::Category,
        SearchHitKind::CompetencyArea,
        SearchHitKind::ExternalRole,
        SearchHitKind::Statement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SearchHitKind::PlatformRole => "platform_role",
            SearchHitKind::Skill => "skill",
            SearchHitKind::Certification => "certification",
            SearchHitKind::WorkRole => "work_role",
            SearchHitKind::Category => "category",
            SearchHitKind::CompetencyArea => "competency_area",
            SearchHitKind::ExternalRole => "external_role",
            SearchHitKind::Statement => "statement",
        }
    }
}

/// One search result. `id` is the record's id (for external roles,
/// `framework/role`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub kind: SearchHitKind,
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// The surface form the query matched.
    pub matched: String,
    pub score: u32,
}

struct Entry {
    form: String,
    original: String,
    kind: SearchHitKind,
    idx: usize,
}

pub struct Catalog {
    model: CompetencyModel,
    external: Vec<ExternalFramework>,
    by_id: HashMap<(SearchHitKind, String), usize>,
    role_statements: HashMap<String, Vec<usize>>,
    statement_roles: HashMap<String, Vec<usize>>,
    area_statements: HashMap<String, Vec<usize>>,
    statement_areas: HashMap<String, Vec<usize>>,
    skill_links: HashMap<String, Vec<usize>>,
    target_skills: HashMap<String, Vec<usize>>,
    skill_roles: HashMap<String, Vec<usize>>,
    role_skills: HashMap<String, Vec<usize>>,
    entries: Vec<Entry>,
}

fn push<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<usize>>, k: K, v: usize) {
    map.entry(k).or_default().push(v);
}

impl Catalog {
    pub fn new(model: CompetencyModel, mut external: Vec<ExternalFramework>) -> Self {
        external.sort_by(|a, b| a.id.cmp(&b.id));
        let mut c = Catalog {
            model,
            external,
            by_id: HashMap::new(),
            role_statements: HashMap::new(),
            statement_roles: HashMap::new(),
            area_statements: HashMap::new(),
            statement_areas: HashMap::new(),
            skill_links: HashMap::new(),
            target_skills: HashMap::new(),
            skill_roles: HashMap::new(),
            role_skills: HashMap::new(),
            entries: Vec::new(),
        };
        c.index();
        c
    }

    fn index(&mut self) {
        let m = &self.model;
        let mut by_id = HashMap::new();
        let mut entries = Vec::new();
        let mut add = |kind, idx, forms: &[&str]| {
            for f in forms {
                let form = normalize(f);
                if !form.is_empty() {
                    entries.push(Entry {
                        form,
                        original: f.to_string(),
                        kind,
                        idx,
                    });
                }
            }
        };
        for (i, x) in m.categories.iter().enumerate() {
            by_id.insert((SearchHitKind::Category, x.id.clone()), i);
            add(SearchHitKind::Category, i, &[&x.id, &x.title]);
        }
        for (i, x) in m.work_roles.iter().enumerate() {
            by_id.insert((SearchHitKind::WorkRole, x.id.clone()), i);
            add(SearchHitKind::WorkRole, i, &[&x.id, &x.title]);
        }
        for (i, x) in m.competency_areas.iter().enumerate() {
            by_id.insert((SearchHitKind::CompetencyArea, x.id.clone()), i);
            add(SearchHitKind::CompetencyArea, i, &[&x.id, &x.title]);
        }
        for (i, x) in m.statements.iter().enumerate() {
            by_id.insert((SearchHitKind::Statement, x.id.clone()), i);
        }
        for (i, x) in m.platform_roles.iter().enumerate() {
            by_id.insert((SearchHitKind::PlatformRole, x.id.clone()), i);
            let mut forms = vec![x.name_zh.as_str(), x.name_en.as_str()];
            forms.extend(x.variants.iter().map(String::as_str));
            add(SearchHitKind::PlatformRole, i, &forms);
        }
        for (i, x) in m.skills.iter().enumerate() {
            by_id.insert((SearchHitKind::Skill, x.id.clone()), i);
            let mut forms = vec![x.name_zh.as_str(), x.name_en.as_str()];
            forms.extend(x.aliases.iter().map(String::as_str));
            add(SearchHitKind::Skill, i, &forms);
        }
        for (i, x) in m.certifications.iter().enumerate() {
            by_id.insert((SearchHitKind::Certification, x.id.clone()), i);
            let mut forms = vec![x.name_zh.as_str(), x.name_en.as_str()];
            forms.extend(x.aliases.iter().map(String::as_str));
            add(SearchHitKind::Certification, i, &forms);
        }
        let mut n = 0;
        for fw in &self.external {
            for r in &fw.roles {
                by_id.insert(
                    (SearchHitKind::ExternalRole, format!("{}/{}", fw.id, r.id)),
                    n,
                );
                let mut forms = vec![r.title.as_str()];
                forms.extend(r.alternative_titles.iter().map(String::as_str));
                add(SearchHitKind::ExternalRole, n, &forms);
                n += 1;
            }
        }
        for l in &m.role_statements {
            if let (Some(&r), Some(&s)) = (
                by_id.get(&(SearchHitKind::WorkRole, l.from.clone())),
                by_id.get(&(SearchHitKind::Statement, l.to.clone())),
            ) {
                push(&mut self.role_statements, l.from.clone(), s);
                push(&mut self.statement_roles, l.to.clone(), r);
            }
        }
        for l in &m.area_statements {
            if let (Some(&a), Some(&s)) = (
                by_id.get(&(SearchHitKind::CompetencyArea, l.from.clone())),
                by_id.get(&(SearchHitKind::Statement, l.to.clone())),
            ) {
                push(&mut self.area_statements, l.from.clone(), s);
                push(&mut self.statement_areas, l.to.clone(), a);
            }
        }
        for (i, l) in m.skill_nice_links.iter().enumerate() {
            push(&mut self.skill_links, l.skill_id.clone(), i);
            push(&mut self.target_skills, l.target_id.clone(), i);
        }
        for (i, l) in m.skill_roles.iter().enumerate() {
            push(&mut self.skill_roles, l.skill_id.clone(), i);
            push(&mut self.role_skills, l.role_id.clone(), i);
        }
        self.by_id = by_id;
        self.entries = entries;
    }

    pub fn model(&self) -> &CompetencyModel {
        &self.model
    }

    pub fn external(&self) -> &[ExternalFramework] {
        &self.external
    }

    pub fn external_framework(&self, id: &str) -> Option<&ExternalFramework> {
        self.external.iter().find(|f| f.id == id)
    }

    fn get<'a, T>(&self, items: &'a [T], kind: SearchHitKind, id: &str) -> Option<&'a T> {
        self.by_id
            .get(&(kind, id.to_string()))
            .and_then(|&i| items.get(i))
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.get(&self.model.categories, SearchHitKind::Category, id)
    }
    pub fn work_role(&self, id: &str) -> Option<&WorkRole> {
        self.get(&self.model.work_roles, SearchHitKind::WorkRole, id)
    }
    pub fn competency_area(&self, id: &str) -> Option<&CompetencyArea> {
        self.get(
            &self.model.competency_areas,
            SearchHitKind::CompetencyArea,
            id,
        )
    }
    pub fn statement(&self, id: &str) -> Option<&Statement> {
        self.get(&self.model.statements, SearchHitKind::Statement, id)
    }
    pub fn platform_role(&self, id: &str) -> Option<&PlatformRole> {
        self.get(&self.model.platform_roles, SearchHitKind::PlatformRole, id)
    }
    pub fn skill(&self, id: &str) -> Option<&Skill> {
        self.get(&self.model.skills, SearchHitKind::Skill, id)
    }
    pub fn certification(&self, id: &str) -> Option<&Certification> {
        self.get(&self.model.certifications, SearchHitKind::Certification, id)
    }
    pub fn gbt_category(&self, id: &str) -> Option<&GbtCategory> {
        self.model.gbt_categories.iter().find(|g| g.id == id)
    }
    pub fn skill_domain(&self, id: &str) -> Option<&SkillDomain> {
        self.model.skill_domains.iter().find(|d| d.id == id)
    }

    /// The Chinese and English names of whatever `id` names: a skill, platform
    /// role, certification, NICE work role, category or competency area, or a
    /// skill domain (in that order: ids are unique within each kind).
    pub fn names_of(&self, id: &str) -> Option<(&str, &str)> {
        if let Some(x) = self.skill(id) {
            return Some((&x.name_zh, &x.name_en));
        }
        if let Some(x) = self.platform_role(id) {
            return Some((&x.name_zh, &x.name_en));
        }
        if let Some(x) = self.certification(id) {
            return Some((&x.name_zh, &x.name_en));
        }
        if let Some(x) = self.work_role(id) {
            return Some((&x.title_zh, &x.title));
        }
        if let Some(x) = self.category(id) {
            return Some((&x.title_zh, &x.title));
        }
        if let Some(x) = self.competency_area(id) {
            return Some((&x.title_zh, &x.title));
        }
        self.skill_domain(id)
            .map(|x| (x.name_zh.as_str(), x.name_en.as_str()))
    }

    pub fn work_roles_in(&self, category_id: &str) -> Vec<&WorkRole> {
        let mut v: Vec<&WorkRole> = self
            .model
            .work_roles
            .iter()
            .filter(|r| r.category_id == category_id)
            .collect();
        v.sort_by_key(|r| (r.sort, r.id.clone()));
        v
    }

    /// The statements of a work role, by kind.
    pub fn statements_of_role(&self, role_id: &str, kind: StatementKind) -> Vec<&Statement> {
        self.role_statements
            .get(role_id)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.model.statements.get(i))
            .filter(|s| s.kind == kind)
            .collect()
    }

    pub fn roles_of_statement(&self, statement_id: &str) -> Vec<&WorkRole> {
        self.statement_roles
            .get(statement_id)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.model.work_roles.get(i))
            .collect()
    }

    pub fn statements_of_area(&self, area_id: &str) -> Vec<&Statement> {
        self.area_statements
            .get(area_id)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.model.statements.get(i))
            .collect()
    }

    pub fn areas_of_statement(&self, statement_id: &str) -> Vec<&CompetencyArea> {
        self.statement_areas
            .get(statement_id)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.model.competency_areas.get(i))
            .collect()
    }

    /// A skill's links to NICE statements and competency areas.
    pub fn nice_links_of_skill(&self, skill_id: &str) -> Vec<&SkillNiceLink> {
        self.skill_links
            .get(skill_id)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.model.skill_nice_links.get(i))
            .collect()
    }

    /// Skills linked to a NICE statement or competency area.
    pub fn skills_of_target(&self, target_id: &str) -> Vec<(&Skill, LinkSource)> {
        self.target_skills
            .get(target_id)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.model.skill_nice_links.get(i))
            .filter_map(|l| self.skill(&l.skill_id).map(|s| (s, l.source)))
            .collect()
    }

    pub fn roles_of_skill(&self, skill_id: &str) -> Vec<(&PlatformRole, RoleRelation)> {
        self.skill_roles
            .get(skill_id)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.model.skill_roles.get(i))
            .filter_map(|l| self.platform_role(&l.role_id).map(|r| (r, l.relation)))
            .collect()
    }

    pub fn skills_of_role(&self, role_id: &str, relation: RoleRelation) -> Vec<&Skill> {
        self.role_skills
            .get(role_id)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.model.skill_roles.get(i))
            .filter(|l| l.relation == relation)
            .filter_map(|l| self.skill(&l.skill_id))
            .collect()
    }

    pub fn certifications_of_role(&self, role_id: &str) -> Vec<&Certification> {
        self.model
            .certifications
            .iter()
            .filter(|c| c.role_ids.iter().any(|r| r == role_id))
            .collect()
    }

    pub fn platform_roles_of_work_role(&self, nice_role_id: &str) -> Vec<&PlatformRole> {
        self.model
            .platform_roles
            .iter()
            .filter(|r| r.nice_role_ids.iter().any(|n| n == nice_role_id))
            .collect()
    }

    pub fn gbt_of_work_role(&self, nice_role_id: &str) -> Vec<(&GbtCategory, &GbtNiceLink)> {
        self.model
            .gbt_crosswalk
            .iter()
            .filter(|l| l.nice_role_id == nice_role_id)
            .filter_map(|l| self.gbt_category(&l.gbt_id).map(|g| (g, l)))
            .collect()
    }

    pub fn work_roles_of_gbt(&self, gbt_id: &str) -> Vec<&WorkRole> {
        self.model
            .gbt_crosswalk
            .iter()
            .filter(|l| l.gbt_id == gbt_id)
            .filter_map(|l| self.work_role(&l.nice_role_id))
            .collect()
    }

    pub fn platform_roles_of_gbt(&self, gbt_id: &str) -> Vec<&PlatformRole> {
        self.model
            .platform_roles
            .iter()
            .filter(|r| r.gbt_id == gbt_id)
            .collect()
    }

    pub fn skills_in_domain(&self, domain_id: &str) -> Vec<&Skill> {
        self.model
            .skills
            .iter()
            .filter(|s| s.domain_id == domain_id)
            .collect()
    }

    /// External roles (framework, role) mapped to a NICE work role.
    pub fn external_roles_of_work_role(
        &self,
        nice_role_id: &str,
    ) -> Vec<(&ExternalFramework, &ExternalRole)> {
        self.external
            .iter()
            .flat_map(|fw| fw.roles.iter().map(move |r| (fw, r)))
            .filter(|(_, r)| r.nice.iter().any(|n| n.nice_role_id == nice_role_id))
            .collect()
    }

    fn external_role_at(&self, n: usize) -> Option<(&ExternalFramework, &ExternalRole)> {
        self.external
            .iter()
            .flat_map(|fw| fw.roles.iter().map(move |r| (fw, r)))
            .nth(n)
    }

    /// The skill whose id, name or alias is exactly `name` (after normalising).
    pub fn skill_by_name(&self, name: &str) -> Option<&Skill> {
        if let Some(s) = self.skill(name.trim()) {
            return Some(s);
        }
        let q = normalize(name);
        self.entries
            .iter()
            .find(|e| e.kind == SearchHitKind::Skill && e.form == q)
            .and_then(|e| self.model.skills.get(e.idx))
    }

    /// The certification whose id, name or alias is exactly `name` (after normalising).
    pub fn certification_by_name(&self, name: &str) -> Option<&Certification> {
        if let Some(c) = self.certification(&name.trim().to_lowercase()) {
            return Some(c);
        }
        let q = normalize(name);
        self.entries
            .iter()
            .find(|e| e.kind == SearchHitKind::Certification && e.form == q)
            .and_then(|e| self.model.certifications.get(e.idx))
    }

    /// Searches names, aliases and title variants (exact > prefix > contains),
    /// then, for queries of three or more characters, NICE statement text.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        let q = normalize(query);
        if q.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut best: HashMap<(SearchHitKind, usize), (u32, &str)> = HashMap::new();
        for e in &self.entries {
            let score = if e.form == q {
                1000
            } else if e.form.starts_with(&q) {
                600 - (e.form.chars().count() as u32).min(300)
            } else if e.form.contains(&q) {
                300 - (e.form.chars().count() as u32).min(250)
            } else {
                continue;
            };
            let slot = best.entry((e.kind, e.idx)).or_insert((0, ""));
            if score > slot.0 {
                *slot = (score, &e.original);
            }
        }
        let mut hits: Vec<SearchHit> = best
            .into_iter()
            .filter_map(|((kind, idx), (score, matched))| self.hit(kind, idx, matched, score))
            .collect();
        if q.chars().count() >= 3 {
            for (i, s) in self.model.statements.iter().enumerate() {
                if hits.len() >= limit * 4 {
                    break;
                }
                if s.text.to_lowercase().contains(&q) || s.id.to_lowercase() == q {
                    let score = if s.id.to_lowercase() == q { 1000 } else { 20 };
                    if let Some(h) = self.hit(SearchHitKind::Statement, i, &s.id, score) {
                        hits.push(h);
                    }
                }
            }
        }
        hits.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then(a.kind.cmp(&b.kind))
                .then(a.id.cmp(&b.id))
        });
        hits.truncate(limit);
        hits
    }

    fn hit(&self, kind: SearchHitKind, idx: usize, matched: &str, score: u32) -> Option<SearchHit> {
        let m = &self.model;
        let (id, zh, en) = match kind {
            SearchHitKind::Category => m
                .categories
                .get(idx)
                .map(|x| (x.id.clone(), x.title_zh.clone(), x.title.clone()))?,
            SearchHitKind::WorkRole => m
                .work_roles
                .get(idx)
                .map(|x| (x.id.clone(), x.title_zh.clone(), x.title.clone()))?,
            SearchHitKind::CompetencyArea => m
                .competency_areas
                .get(idx)
                .map(|x| (x.id.clone(), x.title_zh.clone(), x.title.clone()))?,
            SearchHitKind::Statement => m
                .statements
                .get(idx)
                .map(|x| (x.id.clone(), x.text.clone(), x.text.clone()))?,
            SearchHitKind::PlatformRole => m
                .platform_roles
                .get(idx)
                .map(|x| (x.id.clone(), x.name_zh.clone(), x.name_en.clone()))?,
            SearchHitKind::Skill => m
                .skills
                .get(idx)
                .map(|x| (x.id.clone(), x.name_zh.clone(), x.name_en.clone()))?,
            SearchHitKind::Certification => m
                .certifications
                .get(idx)
                .map(|x| (x.id.clone(), x.name_zh.clone(), x.name_en.clone()))?,
            SearchHitKind::ExternalRole => self.external_role_at(idx).map(|(fw, r)| {
                (
                    format!("{}/{}", fw.id, r.id),
                    r.title.clone(),
                    r.title.clone(),
                )
            })?,
        };
        Some(SearchHit {
            kind,
            id,
            name_zh: zh,
            name_en: en,
            matched: matched.to_string(),
            score,
        })
    }
}
