//! The mapping between the competency model and its tables, written once for
//! both dialects: a model becomes rows of plain values, and rows become a
//! model again.

use crate::StoreError;
use cb_competency::external::{ExternalElement, ExternalFramework, ExternalNiceLink, ExternalRole};
use cb_competency::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Text(String),
    Int(i64),
    Real(f64),
    Null,
}

impl Val {
    pub fn text(&self) -> String {
        match self {
            Val::Text(s) => s.clone(),
            Val::Int(i) => i.to_string(),
            Val::Real(r) => r.to_string(),
            Val::Null => String::new(),
        }
    }
    pub fn opt(&self) -> Option<String> {
        match self {
            Val::Null => None,
            v => Some(v.text()),
        }
    }
    pub fn real(&self) -> f64 {
        match self {
            Val::Real(r) => *r,
            Val::Int(i) => *i as f64,
            Val::Text(s) => s.parse().unwrap_or_default(),
            Val::Null => 0.0,
        }
    }
    pub fn int(&self) -> i64 {
        match self {
            Val::Int(i) => *i,
            Val::Text(s) => s.parse().unwrap_or_default(),
            Val::Real(r) => *r as i64,
            Val::Null => 0,
        }
    }
}

fn t(s: &str) -> Val {
    Val::Text(s.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Text,
    OptText,
    Int,
    OptInt,
    OptReal,
}

pub struct Table {
    pub name: &'static str,
    pub cols: &'static [(&'static str, Ty)],
}

use Ty::*;

macro_rules! table {
    ($id:ident, $name:literal, [$(($c:literal, $t:ident)),* $(,)?]) => {
        pub const $id: Table = Table { name: $name, cols: &[$(($c, $t)),*] };
    };
}

table!(
    CATEGORIES,
    "nice_categories",
    [
        ("id", Text),
        ("title", Text),
        ("description", Text),
        ("sort", Int),
        ("title_zh", Text)
    ]
);
table!(
    WORK_ROLES,
    "nice_work_roles",
    [
        ("id", Text),
        ("category_id", Text),
        ("title", Text),
        ("description", Text),
        ("opm_code", OptText),
        ("sort", Int),
        ("title_zh", Text)
    ]
);
table!(
    AREAS,
    "nice_competency_areas",
    [
        ("id", Text),
        ("title", Text),
        ("description", Text),
        ("title_zh", Text)
    ]
);
table!(
    STATEMENTS,
    "nice_statements",
    [("id", Text), ("kind", Text), ("text", Text)]
);
table!(
    ROLE_STATEMENTS,
    "nice_role_statements",
    [("role_id", Text), ("statement_id", Text)]
);
table!(
    AREA_STATEMENTS,
    "nice_area_statements",
    [("area_id", Text), ("statement_id", Text)]
);
table!(
    GBT,
    "gbt_categories",
    [
        ("id", Text),
        ("name_zh", Text),
        ("name_en", Text),
        ("description_zh", Text),
        ("description_en", Text)
    ]
);
table!(
    GBT_NICE,
    "gbt_nice_crosswalk",
    [
        ("gbt_id", Text),
        ("nice_role_id", Text),
        ("status", Text),
        ("source", Text),
        ("note", Text)
    ]
);
table!(
    PROLES,
    "platform_roles",
    [
        ("id", Text),
        ("name_zh", Text),
        ("name_en", Text),
        ("gbt_id", Text)
    ]
);
table!(
    PROLE_NICE,
    "platform_role_nice",
    [("role_id", Text), ("nice_role_id", Text), ("pos", Int)]
);
table!(
    PROLE_VARIANTS,
    "platform_role_variants",
    [("role_id", Text), ("variant", Text)]
);
table!(
    DOMAINS,
    "skill_domains",
    [("id", Text), ("name_zh", Text), ("name_en", Text)]
);
table!(
    SKILLS,
    "skills",
    [
        ("id", Text),
        ("name_en", Text),
        ("name_zh", Text),
        ("kind", Text),
        ("domain_id", Text)
    ]
);
table!(
    SKILL_ALIASES,
    "skill_aliases",
    [("skill_id", Text), ("alias", Text)]
);
table!(
    SKILL_NICE,
    "skill_nice_links",
    [("skill_id", Text), ("target_id", Text), ("source", Text)]
);
table!(
    SKILL_ROLES,
    "skill_roles",
    [("skill_id", Text), ("role_id", Text), ("relation", Text)]
);
table!(
    CERTS,
    "certifications",
    [
        ("id", Text),
        ("name_zh", Text),
        ("name_en", Text),
        ("issuer_zh", Text),
        ("issuer_en", Text),
        ("level", Int)
    ]
);
table!(
    CERT_ROLES,
    "certification_roles",
    [("cert_id", Text), ("role_id", Text)]
);
table!(
    CERT_ALIASES,
    "certification_aliases",
    [("cert_id", Text), ("alias", Text)]
);
table!(
    CERT_SKILLS,
    "certification_skills",
    [("cert_id", Text), ("skill_id", Text)]
);
table!(
    LEVELS,
    "proficiency_levels",
    [
        ("level", Int),
        ("name_zh", Text),
        ("name_en", Text),
        ("description_zh", Text),
        ("description_en", Text),
        ("national_level_zh", Text),
        ("national_level_en", Text)
    ]
);

table!(
    EXT,
    "external_frameworks",
    [
        ("id", Text),
        ("name", Text),
        ("version", Text),
        ("licence", Text)
    ]
);
table!(
    EXT_ROLES,
    "external_roles",
    [
        ("framework_id", Text),
        ("role_id", Text),
        ("title", Text),
        ("description", Text),
        ("grp", Text)
    ]
);
table!(
    EXT_TITLES,
    "external_role_titles",
    [("framework_id", Text), ("role_id", Text), ("title", Text)]
);
table!(
    EXT_NICE,
    "external_role_nice",
    [
        ("framework_id", Text),
        ("role_id", Text),
        ("nice_role_id", Text),
        ("status", Text),
        ("source", Text)
    ]
);
table!(
    EXT_ELEMENTS,
    "external_elements",
    [
        ("framework_id", Text),
        ("element_id", Text),
        ("kind", Text),
        ("text", Text)
    ]
);
table!(
    EXT_ROLE_ELEMENTS,
    "external_role_elements",
    [
        ("framework_id", Text),
        ("role_id", Text),
        ("element_id", Text)
    ]
);

/// The model's tables, parents before children (insert order; delete in reverse).
pub const MODEL_TABLES: &[&Table] = &[
    &CATEGORIES,
    &WORK_ROLES,
    &AREAS,
    &STATEMENTS,
    &ROLE_STATEMENTS,
    &AREA_STATEMENTS,
    &GBT,
    &GBT_NICE,
    &PROLES,
    &PROLE_NICE,
    &PROLE_VARIANTS,
    &DOMAINS,
    &SKILLS,
    &SKILL_ALIASES,
    &SKILL_NICE,
    &SKILL_ROLES,
    &CERTS,
    &CERT_ROLES,
    &CERT_ALIASES,
    &CERT_SKILLS,
    &LEVELS,
];

/// An external framework's tables, parents first.
pub const EXTERNAL_TABLES: &[&Table] = &[
    &EXT,
    &EXT_ROLES,
    &EXT_TITLES,
    &EXT_NICE,
    &EXT_ELEMENTS,
    &EXT_ROLE_ELEMENTS,
];

pub const NICE_VERSION_KEY: &str = "nice_version";

pub type Rows = Vec<Vec<Val>>;

/// The rows of every model table, in [`MODEL_TABLES`] order.
pub fn model_rows(m: &CompetencyModel) -> Vec<(&'static Table, Rows)> {
    let link = |l: &Link| vec![t(&l.from), t(&l.to)];
    vec![
        (
            &CATEGORIES,
            m.categories
                .iter()
                .map(|c| {
                    vec![
                        t(&c.id),
                        t(&c.title),
                        t(&c.description),
                        Val::Int(c.sort),
                        t(&c.title_zh),
                    ]
                })
                .collect(),
        ),
        (
            &WORK_ROLES,
            m.work_roles
                .iter()
                .map(|r| {
                    vec![
                        t(&r.id),
                        t(&r.category_id),
                        t(&r.title),
                        t(&r.description),
                        r.opm_code.as_deref().map_or(Val::Null, t),
                        Val::Int(r.sort),
                        t(&r.title_zh),
                    ]
                })
                .collect(),
        ),
        (
            &AREAS,
            m.competency_areas
                .iter()
                .map(|a| vec![t(&a.id), t(&a.title), t(&a.description), t(&a.title_zh)])
                .collect(),
        ),
        (
            &STATEMENTS,
            m.statements
                .iter()
                .map(|s| vec![t(&s.id), t(s.kind.as_str()), t(&s.text)])
                .collect(),
        ),
        (
            &ROLE_STATEMENTS,
            m.role_statements.iter().map(link).collect(),
        ),
        (
            &AREA_STATEMENTS,
            m.area_statements.iter().map(link).collect(),
        ),
        (
            &GBT,
            m.gbt_categories
                .iter()
                .map(|g| {
                    vec![
                        t(&g.id),
                        t(&g.name_zh),
                        t(&g.name_en),
                        t(&g.description_zh),
                        t(&g.description_en),
                    ]
                })
                .collect(),
        ),
        (
            &GBT_NICE,
            m.gbt_crosswalk
                .iter()
                .map(|l| {
                    vec![
                        t(&l.gbt_id),
                        t(&l.nice_role_id),
                        t(&l.status),
                        t(&l.source),
                        t(&l.note),
                    ]
                })
                .collect(),
        ),
        (
            &PROLES,
            m.platform_roles
                .iter()
                .map(|r| vec![t(&r.id), t(&r.name_zh), t(&r.name_en), t(&r.gbt_id)])
                .collect(),
        ),
        (
            &PROLE_NICE,
            m.platform_roles
                .iter()
                .flat_map(|r| {
                    r.nice_role_ids
                        .iter()
                        .enumerate()
                        .map(|(i, n)| vec![t(&r.id), t(n), Val::Int(i as i64)])
                })
                .collect(),
        ),
        (
            &PROLE_VARIANTS,
            m.platform_roles
                .iter()
                .flat_map(|r| r.variants.iter().map(|v| vec![t(&r.id), t(v)]))
                .collect(),
        ),
        (
            &DOMAINS,
            m.skill_domains
                .iter()
                .map(|d| vec![t(&d.id), t(&d.name_zh), t(&d.name_en)])
                .collect(),
        ),
        (
            &SKILLS,
            m.skills
                .iter()
                .map(|s| {
                    vec![
                        t(&s.id),
                        t(&s.name_en),
                        t(&s.name_zh),
                        t(s.kind.as_str()),
                        t(&s.domain_id),
                    ]
                })
                .collect(),
        ),
        (
            &SKILL_ALIASES,
            m.skills
                .iter()
                .flat_map(|s| s.aliases.iter().map(|a| vec![t(&s.id), t(a)]))
                .collect(),
        ),
        (
            &SKILL_NICE,
            m.skill_nice_links
                .iter()
                .map(|l| vec![t(&l.skill_id), t(&l.target_id), t(l.source.as_str())])
                .collect(),
        ),
        (
            &SKILL_ROLES,
            m.skill_roles
                .iter()
                .map(|l| vec![t(&l.skill_id), t(&l.role_id), t(l.relation.as_str())])
                .collect(),
        ),
        (
            &CERTS,
            m.certifications
                .iter()
                .map(|c| {
                    vec![
                        t(&c.id),
                        t(&c.name_zh),
                        t(&c.name_en),
                        t(&c.issuer_zh),
                        t(&c.issuer_en),
                        Val::Int(c.level),
                    ]
                })
                .collect(),
        ),
        (
            &CERT_ROLES,
            m.certifications
                .iter()
                .flat_map(|c| c.role_ids.iter().map(|r| vec![t(&c.id), t(r)]))
                .collect(),
        ),
        (
            &CERT_ALIASES,
            m.certifications
                .iter()
                .flat_map(|c| c.aliases.iter().map(|a| vec![t(&c.id), t(a)]))
                .collect(),
        ),
        (
            &CERT_SKILLS,
            m.certifications
                .iter()
                .flat_map(|c| c.skill_ids.iter().map(|s| vec![t(&c.id), t(s)]))
                .collect(),
        ),
        (
            &LEVELS,
            m.proficiency_levels
                .iter()
                .map(|l| {
                    vec![
                        Val::Int(l.level),
                        t(&l.name_zh),
                        t(&l.name_en),
                        t(&l.description_zh),
                        t(&l.description_en),
                        t(&l.national_level_zh),
                        t(&l.national_level_en),
                    ]
                })
                .collect(),
        ),
    ]
}

fn group(rows: &Rows) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows {
        m.entry(r[0].text()).or_default().push(r[1].text());
    }
    m
}

/// A stored value that is not what its column means.
pub(crate) fn corrupt(table: &str, detail: String) -> StoreError {
    StoreError::Corrupt {
        table: table.to_string(),
        detail,
    }
}

/// Rebuilds the model from its tables' rows (`get(table)`), in canonical order.
pub fn model_from_rows(
    nice_version: String,
    get: &dyn Fn(&Table) -> Rows,
) -> Result<CompetencyModel, StoreError> {
    let variants = group(&get(&PROLE_VARIANTS));
    let prole_nice = {
        let mut rows = get(&PROLE_NICE);
        rows.sort_by_key(|r| r[2].int());
        group(&rows)
    };
    let aliases = group(&get(&SKILL_ALIASES));
    let cert_roles = group(&get(&CERT_ROLES));
    let cert_aliases = group(&get(&CERT_ALIASES));
    let cert_skills = group(&get(&CERT_SKILLS));
    let links = |table: &Table| {
        get(table)
            .iter()
            .map(|r| Link {
                from: r[0].text(),
                to: r[1].text(),
            })
            .collect()
    };
    let mut statements = Vec::new();
    for r in get(&STATEMENTS) {
        let kind = StatementKind::parse(&r[1].text())
            .ok_or_else(|| corrupt(STATEMENTS.name, format!("kind `{}`", r[1].text())))?;
        statements.push(Statement {
            id: r[0].text(),
            kind,
            text: r[2].text(),
        });
    }
    let mut skills = Vec::new();
    for r in get(&SKILLS) {
        let id = r[0].text();
        let kind = SkillKind::parse(&r[3].text())
            .ok_or_else(|| corrupt(SKILLS.name, format!("kind `{}`", r[3].text())))?;
        skills.push(Skill {
            aliases: aliases.get(&id).cloned().unwrap_or_default(),
            id,
            name_en: r[1].text(),
            name_zh: r[2].text(),
            kind,
            domain_id: r[4].text(),
        });
    }
    let mut skill_nice_links = Vec::new();
    for r in get(&SKILL_NICE) {
        let source = LinkSource::parse(&r[2].text())
            .ok_or_else(|| corrupt(SKILL_NICE.name, format!("source `{}`", r[2].text())))?;
        skill_nice_links.push(SkillNiceLink {
            skill_id: r[0].text(),
            target_id: r[1].text(),
            source,
        });
    }
    let mut skill_roles = Vec::new();
    for r in get(&SKILL_ROLES) {
        let relation = RoleRelation::parse(&r[2].text())
            .ok_or_else(|| corrupt(SKILL_ROLES.name, format!("relation `{}`", r[2].text())))?;
        skill_roles.push(SkillRoleLink {
            skill_id: r[0].text(),
            role_id: r[1].text(),
            relation,
        });
    }
    let mut m = CompetencyModel {
        nice_version,
        categories: get(&CATEGORIES)
            .iter()
            .map(|r| Category {
                id: r[0].text(),
                title: r[1].text(),
                description: r[2].text(),
                sort: r[3].int(),
                title_zh: r[4].text(),
            })
            .collect(),
        work_roles: get(&WORK_ROLES)
            .iter()
            .map(|r| WorkRole {
                id: r[0].text(),
                category_id: r[1].text(),
                title: r[2].text(),
                description: r[3].text(),
                opm_code: r[4].opt(),
                sort: r[5].int(),
                title_zh: r[6].text(),
            })
            .collect(),
        competency_areas: get(&AREAS)
            .iter()
            .map(|r| CompetencyArea {
                id: r[0].text(),
                title: r[1].text(),
                description: r[2].text(),
                title_zh: r[3].text(),
            })
            .collect(),
        statements,
        role_statements: links(&ROLE_STATEMENTS),
        area_statements: links(&AREA_STATEMENTS),
        gbt_categories: get(&GBT)
            .iter()
            .map(|r| GbtCategory {
                id: r[0].text(),
                name_zh: r[1].text(),
                name_en: r[2].text(),
                description_zh: r[3].text(),
                description_en: r[4].text(),
            })
            .collect(),
        gbt_crosswalk: get(&GBT_NICE)
            .iter()
            .map(|r| GbtNiceLink {
                gbt_id: r[0].text(),
                nice_role_id: r[1].text(),
                status: r[2].text(),
                source: r[3].text(),
                note: r[4].text(),
            })
            .collect(),
        platform_roles: get(&PROLES)
            .iter()
            .map(|r| {
                let id = r[0].text();
                PlatformRole {
                    name_zh: r[1].text(),
                    name_en: r[2].text(),
                    gbt_id: r[3].text(),
                    nice_role_ids: prole_nice.get(&id).cloned().unwrap_or_default(),
                    variants: variants.get(&id).cloned().unwrap_or_default(),
                    id,
                }
            })
            .collect(),
        skill_domains: get(&DOMAINS)
            .iter()
            .map(|r| SkillDomain {
                id: r[0].text(),
                name_zh: r[1].text(),
                name_en: r[2].text(),
            })
            .collect(),
        skills,
        skill_nice_links,
        skill_roles,
        certifications: get(&CERTS)
            .iter()
            .map(|r| {
                let id = r[0].text();
                Certification {
                    name_zh: r[1].text(),
                    name_en: r[2].text(),
                    issuer_zh: r[3].text(),
                    issuer_en: r[4].text(),
                    level: r[5].int(),
                    role_ids: cert_roles.get(&id).cloned().unwrap_or_default(),
                    aliases: cert_aliases.get(&id).cloned().unwrap_or_default(),
                    skill_ids: cert_skills.get(&id).cloned().unwrap_or_default(),
                    id,
                }
            })
            .collect(),
        proficiency_levels: get(&LEVELS)
            .iter()
            .map(|r| ProficiencyLevel {
                level: r[0].int(),
                name_zh: r[1].text(),
                name_en: r[2].text(),
                description_zh: r[3].text(),
                description_en: r[4].text(),
                national_level_zh: r[5].text(),
                national_level_en: r[6].text(),
            })
            .collect(),
    };
    m.canonicalize();
    Ok(m)
}

/// The rows of one external framework, in [`EXTERNAL_TABLES`] order.
pub fn external_rows(fw: &ExternalFramework) -> Vec<(&'static Table, Rows)> {
    let f = || t(&fw.id);
    vec![
        (
            &EXT,
            vec![vec![f(), t(&fw.name), t(&fw.version), t(&fw.licence)]],
        ),
        (
            &EXT_ROLES,
            fw.roles
                .iter()
                .map(|r| vec![f(), t(&r.id), t(&r.title), t(&r.description), t(&r.group)])
                .collect(),
        ),
        (
            &EXT_TITLES,
            fw.roles
                .iter()
                .flat_map(|r| {
                    r.alternative_titles
                        .iter()
                        .map(|a| vec![f(), t(&r.id), t(a)])
                })
                .collect(),
        ),
        (
            &EXT_NICE,
            fw.roles
                .iter()
                .flat_map(|r| {
                    r.nice.iter().map(|n| {
                        vec![
                            f(),
                            t(&r.id),
                            t(&n.nice_role_id),
                            t(&n.status),
                            t(&n.source),
                        ]
                    })
                })
                .collect(),
        ),
        (
            &EXT_ELEMENTS,
            fw.elements
                .iter()
                .map(|e| vec![f(), t(&e.id), t(&e.kind), t(&e.text)])
                .collect(),
        ),
        (
            &EXT_ROLE_ELEMENTS,
            fw.role_elements
                .iter()
                .map(|l| vec![f(), t(&l.from), t(&l.to)])
                .collect(),
        ),
    ]
}

/// Rebuilds every stored external framework from rows whose first column is
/// the framework id.
pub fn externals_from_rows(get: &dyn Fn(&Table) -> Rows) -> Vec<ExternalFramework> {
    let mut fws: BTreeMap<String, ExternalFramework> = BTreeMap::new();
    for r in get(&EXT) {
        fws.insert(
            r[0].text(),
            ExternalFramework {
                id: r[0].text(),
                name: r[1].text(),
                version: r[2].text(),
                licence: r[3].text(),
                roles: vec![],
                elements: vec![],
                role_elements: vec![],
            },
        );
    }
    let mut titles: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in get(&EXT_TITLES) {
        titles
            .entry((r[0].text(), r[1].text()))
            .or_default()
            .push(r[2].text());
    }
    let mut nice: BTreeMap<(String, String), Vec<ExternalNiceLink>> = BTreeMap::new();
    for r in get(&EXT_NICE) {
        nice.entry((r[0].text(), r[1].text()))
            .or_default()
            .push(ExternalNiceLink {
                nice_role_id: r[2].text(),
                status: r[3].text(),
                source: r[4].text(),
            });
    }
    for r in get(&EXT_ROLES) {
        let key = (r[0].text(), r[1].text());
        if let Some(fw) = fws.get_mut(&key.0) {
            fw.roles.push(ExternalRole {
                id: key.1.clone(),
                title: r[2].text(),
                description: r[3].text(),
                group: r[4].text(),
                alternative_titles: titles.remove(&key).unwrap_or_default(),
                nice: nice.remove(&key).unwrap_or_default(),
            });
        }
    }
    for r in get(&EXT_ELEMENTS) {
        if let Some(fw) = fws.get_mut(&r[0].text()) {
            fw.elements.push(ExternalElement {
                id: r[1].text(),
                kind: r[2].text(),
                text: r[3].text(),
            });
        }
    }
    for r in get(&EXT_ROLE_ELEMENTS) {
        if let Some(fw) = fws.get_mut(&r[0].text()) {
            fw.role_elements.push(Link {
                from: r[1].text(),
                to: r[2].text(),
            });
        }
    }
    fws.into_values()
        .map(|mut fw| {
            fw.canonicalize();
            fw
        })
        .collect()
}
