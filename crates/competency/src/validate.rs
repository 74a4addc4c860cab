//! Integrity checks: every id a link names exists, every record has the links
//! the product relies on, and no surface form belongs to two skills.

use crate::external::ExternalFramework;
use crate::model::*;
use crate::normalize::normalize;
use std::collections::{BTreeMap, BTreeSet};

fn ids<'a, T>(
    items: &'a [T],
    id: impl Fn(&'a T) -> &'a str,
    what: &str,
    out: &mut Vec<String>,
) -> BTreeSet<&'a str> {
    let mut set = BTreeSet::new();
    for item in items {
        let i = id(item);
        if i.is_empty() {
            out.push(format!("a {what} has an empty id"));
        } else if !set.insert(i) {
            out.push(format!("{what} id `{i}` is used twice"));
        }
    }
    set
}

/// Returns every problem found; empty means the model is sound.
pub fn check(m: &CompetencyModel) -> Vec<String> {
    let mut p = Vec::new();
    let cats = ids(&m.categories, |c| &c.id, "NICE category", &mut p);
    let roles = ids(&m.work_roles, |r| &r.id, "NICE work role", &mut p);
    let areas = ids(&m.competency_areas, |a| &a.id, "competency area", &mut p);
    let stmts = ids(&m.statements, |s| &s.id, "NICE statement", &mut p);
    let ks: BTreeSet<&str> = m
        .statements
        .iter()
        .filter(|s| s.kind != StatementKind::Task)
        .map(|s| s.id.as_str())
        .collect();
    let gbt = ids(&m.gbt_categories, |g| &g.id, "GB/T category", &mut p);
    let proles = ids(&m.platform_roles, |r| &r.id, "platform role", &mut p);
    let domains = ids(&m.skill_domains, |d| &d.id, "skill domain", &mut p);
    let skills = ids(&m.skills, |s| &s.id, "skill", &mut p);
    ids(&m.certifications, |c| &c.id, "certification", &mut p);

    for r in &m.work_roles {
        if !cats.contains(r.category_id.as_str()) {
            p.push(format!(
                "work role {} names unknown category {}",
                r.id, r.category_id
            ));
        }
    }
    for l in &m.role_statements {
        if !roles.contains(l.from.as_str()) || !stmts.contains(l.to.as_str()) {
            p.push(format!(
                "role→statement link {}→{} names an unknown id",
                l.from, l.to
            ));
        }
    }
    for l in &m.area_statements {
        if !areas.contains(l.from.as_str()) || !ks.contains(l.to.as_str()) {
            p.push(format!(
                "area→statement link {}→{} names an unknown id",
                l.from, l.to
            ));
        }
    }
    let mut gbt_of_role: BTreeMap<&str, usize> = BTreeMap::new();
    for l in &m.gbt_crosswalk {
        if !gbt.contains(l.gbt_id.as_str()) {
            p.push(format!(
                "GB/T crosswalk names unknown category {}",
                l.gbt_id
            ));
        }
        if !roles.contains(l.nice_role_id.as_str()) {
            p.push(format!(
                "GB/T crosswalk names unknown NICE work role {}",
                l.nice_role_id
            ));
        }
        *gbt_of_role.entry(l.nice_role_id.as_str()).or_default() += 1;
    }
    for r in &m.work_roles {
        if !gbt_of_role.contains_key(r.id.as_str()) {
            p.push(format!("NICE work role {} has no GB/T category", r.id));
        }
    }
    for r in &m.platform_roles {
        if !gbt.contains(r.gbt_id.as_str()) {
            p.push(format!(
                "platform role {} names unknown GB/T category {}",
                r.id, r.gbt_id
            ));
        }
        if r.nice_role_ids.is_empty() {
            p.push(format!("platform role {} has no NICE work role", r.id));
        }
        for n in &r.nice_role_ids {
            if !roles.contains(n.as_str()) {
                p.push(format!(
                    "platform role {} names unknown NICE work role {n}",
                    r.id
                ));
            }
        }
    }
    let mut nice_of_skill: BTreeSet<&str> = BTreeSet::new();
    for l in &m.skill_nice_links {
        if !skills.contains(l.skill_id.as_str()) {
            p.push(format!("NICE link names unknown skill {}", l.skill_id));
        }
        if !ks.contains(l.target_id.as_str()) && !areas.contains(l.target_id.as_str()) {
            p.push(format!(
                "skill {} links to {}, which is not a NICE knowledge/skill statement or competency area",
                l.skill_id, l.target_id
            ));
        }
        nice_of_skill.insert(l.skill_id.as_str());
    }
    let mut roles_of_skill: BTreeSet<&str> = BTreeSet::new();
    let mut core_of_role: BTreeSet<&str> = BTreeSet::new();
    for l in &m.skill_roles {
        if !skills.contains(l.skill_id.as_str()) {
            p.push(format!(
                "role link names unknown skill {} (role {})",
                l.skill_id, l.role_id
            ));
        }
        if !proles.contains(l.role_id.as_str()) {
            p.push(format!(
                "skill {} names unknown platform role {}",
                l.skill_id, l.role_id
            ));
        }
        roles_of_skill.insert(l.skill_id.as_str());
        if l.relation == RoleRelation::Core {
            core_of_role.insert(l.role_id.as_str());
        }
    }
    for r in &m.platform_roles {
        if !core_of_role.contains(r.id.as_str()) {
            p.push(format!("platform role {} has no core skills", r.id));
        }
    }
    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    for s in &m.skills {
        if !domains.contains(s.domain_id.as_str()) {
            p.push(format!(
                "skill {} is in unknown domain {}",
                s.id, s.domain_id
            ));
        }
        if !nice_of_skill.contains(s.id.as_str()) {
            p.push(format!("skill {} has no NICE link", s.id));
        }
        if !roles_of_skill.contains(s.id.as_str()) {
            p.push(format!("skill {} has no role", s.id));
        }
        let forms: BTreeSet<String> = [&s.name_en, &s.name_zh]
            .into_iter()
            .chain(&s.aliases)
            .map(|a| normalize(a))
            .collect();
        for f in forms {
            if f.is_empty() {
                p.push(format!("skill {} has an empty alias", s.id));
            } else if let Some(other) = owner.insert(f.clone(), &s.id) {
                p.push(format!(
                    "`{f}` is a name or alias of both {other} and {}",
                    s.id
                ));
            }
        }
    }
    let untitled = m
        .categories
        .iter()
        .map(|c| (&c.id, &c.title_zh))
        .chain(m.work_roles.iter().map(|w| (&w.id, &w.title_zh)))
        .chain(m.competency_areas.iter().map(|a| (&a.id, &a.title_zh)));
    for (id, zh) in untitled {
        if zh.is_empty() {
            p.push(format!("{id} has no Chinese title (nice-names-zh.csv)"));
        }
    }
    for c in &m.certifications {
        if c.role_ids.is_empty() {
            p.push(format!("certification {} signals no role", c.id));
        }
        if c.skill_ids.is_empty() {
            p.push(format!(
                "certification {} shows no skill (certification-skills.csv)",
                c.id
            ));
        }
        for s in &c.skill_ids {
            if !skills.contains(s.as_str()) {
                p.push(format!("certification {} shows unknown skill {s}", c.id));
            }
        }
        for r in &c.role_ids {
            if !proles.contains(r.as_str()) {
                p.push(format!(
                    "certification {} names unknown platform role {r}",
                    c.id
                ));
            }
        }
    }
    let levels: Vec<i64> = m.proficiency_levels.iter().map(|l| l.level).collect();
    if levels != [1, 2, 3, 4, 5] {
        p.push(format!(
            "proficiency levels are {levels:?}; expected 1 to 5"
        ));
    }
    p
}

/// Checks an external framework against the model: every NICE id it maps to
/// exists, and every role maps to at least one.
pub fn check_external(m: &CompetencyModel, fw: &ExternalFramework) -> Vec<String> {
    let roles: BTreeSet<&str> = m.work_roles.iter().map(|r| r.id.as_str()).collect();
    let mut p = Vec::new();
    for r in &fw.roles {
        if r.nice.is_empty() {
            p.push(format!(
                "{} role {} ({}) maps to no NICE work role",
                fw.id, r.id, r.title
            ));
        }
        for n in &r.nice {
            if !roles.contains(n.nice_role_id.as_str()) {
                p.push(format!(
                    "{} role {} maps to unknown NICE work role {}",
                    fw.id, r.id, n.nice_role_id
                ));
            }
        }
    }
    let elements: BTreeSet<&str> = fw.elements.iter().map(|e| e.id.as_str()).collect();
    let fw_roles: BTreeSet<&str> = fw.roles.iter().map(|r| r.id.as_str()).collect();
    for l in &fw.role_elements {
        if !fw_roles.contains(l.from.as_str()) || !elements.contains(l.to.as_str()) {
            p.push(format!(
                "{} role→element link {}→{} names an unknown id",
                fw.id, l.from, l.to
            ));
        }
    }
    p
}
