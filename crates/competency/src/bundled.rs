//! The reference data shipped with the product, compiled into the binary from
//! `data/` so that one binary carries everything it needs.

use crate::error::ModelError;
use crate::external::{self, ExternalFramework};
use crate::model::*;
use crate::normalize::normalize;
use crate::parse;
use crate::validate;
use std::collections::{BTreeMap, BTreeSet};

/// Every lexicon file (`data/lexicon/*.csv` except `domains.csv` and
/// `nice-links.csv`). A test checks this list against the directory.
pub const LEXICON_FILES: &[(&str, &str)] = &[
    (
        "lexicon/ai.csv",
        include_str!("../../../data/lexicon/ai.csv"),
    ),
    (
        "lexicon/appsec.csv",
        include_str!("../../../data/lexicon/appsec.csv"),
    ),
    (
        "lexicon/binary-tools.csv",
        include_str!("../../../data/lexicon/binary-tools.csv"),
    ),
    (
        "lexicon/binary.csv",
        include_str!("../../../data/lexicon/binary.csv"),
    ),
    (
        "lexicon/cloud-tools.csv",
        include_str!("../../../data/lexicon/cloud-tools.csv"),
    ),
    (
        "lexicon/cloud.csv",
        include_str!("../../../data/lexicon/cloud.csv"),
    ),
    (
        "lexicon/crypto.csv",
        include_str!("../../../data/lexicon/crypto.csv"),
    ),
    (
        "lexicon/data-tools.csv",
        include_str!("../../../data/lexicon/data-tools.csv"),
    ),
    (
        "lexicon/data.csv",
        include_str!("../../../data/lexicon/data.csv"),
    ),
    (
        "lexicon/defense-analysis.csv",
        include_str!("../../../data/lexicon/defense-analysis.csv"),
    ),
    (
        "lexicon/defense-tools.csv",
        include_str!("../../../data/lexicon/defense-tools.csv"),
    ),
    (
        "lexicon/defense.csv",
        include_str!("../../../data/lexicon/defense.csv"),
    ),
    (
        "lexicon/forensics-tools.csv",
        include_str!("../../../data/lexicon/forensics-tools.csv"),
    ),
    (
        "lexicon/forensics.csv",
        include_str!("../../../data/lexicon/forensics.csv"),
    ),
    (
        "lexicon/grc-standards.csv",
        include_str!("../../../data/lexicon/grc-standards.csv"),
    ),
    (
        "lexicon/grc.csv",
        include_str!("../../../data/lexicon/grc.csv"),
    ),
    (
        "lexicon/iam.csv",
        include_str!("../../../data/lexicon/iam.csv"),
    ),
    (
        "lexicon/mobile.csv",
        include_str!("../../../data/lexicon/mobile.csv"),
    ),
    (
        "lexicon/network-products.csv",
        include_str!("../../../data/lexicon/network-products.csv"),
    ),
    (
        "lexicon/network.csv",
        include_str!("../../../data/lexicon/network.csv"),
    ),
    (
        "lexicon/offensive-tools.csv",
        include_str!("../../../data/lexicon/offensive-tools.csv"),
    ),
    (
        "lexicon/offensive-vulns.csv",
        include_str!("../../../data/lexicon/offensive-vulns.csv"),
    ),
    (
        "lexicon/offensive.csv",
        include_str!("../../../data/lexicon/offensive.csv"),
    ),
    (
        "lexicon/ot.csv",
        include_str!("../../../data/lexicon/ot.csv"),
    ),
    (
        "lexicon/professional.csv",
        include_str!("../../../data/lexicon/professional.csv"),
    ),
    (
        "lexicon/programming-more.csv",
        include_str!("../../../data/lexicon/programming-more.csv"),
    ),
    (
        "lexicon/programming.csv",
        include_str!("../../../data/lexicon/programming.csv"),
    ),
    (
        "lexicon/system-more.csv",
        include_str!("../../../data/lexicon/system-more.csv"),
    ),
    (
        "lexicon/system.csv",
        include_str!("../../../data/lexicon/system.csv"),
    ),
    (
        "lexicon/threatintel.csv",
        include_str!("../../../data/lexicon/threatintel.csv"),
    ),
];

/// The texts the model is assembled from, by file name.
#[derive(Clone, Copy)]
pub struct Sources<'a> {
    pub nice_v21: &'a str,
    pub nice_v20: &'a str,
    pub gbt_categories: &'a str,
    pub gbt_crosswalk: &'a str,
    pub roles: &'a str,
    pub domains: &'a str,
    pub lexicon: &'a [(&'a str, &'a str)],
    pub nice_links: &'a str,
    pub certifications: &'a str,
    pub certification_skills: &'a str,
    pub names_zh: &'a str,
    pub levels: &'a str,
}

/// The files in `data/` as compiled into this binary.
pub const SOURCES: Sources<'static> = Sources {
    nice_v21: include_str!("../../../data/frameworks/nice-v2.1.0.json"),
    nice_v20: include_str!("../../../data/frameworks/nice-v2.0.0.json"),
    gbt_categories: include_str!("../../../data/gbt42446-categories.csv"),
    gbt_crosswalk: include_str!("../../../data/crosswalk-gbt-nice.csv"),
    roles: include_str!("../../../data/roles.csv"),
    domains: include_str!("../../../data/lexicon/domains.csv"),
    lexicon: LEXICON_FILES,
    nice_links: include_str!("../../../data/lexicon/nice-links.csv"),
    certifications: include_str!("../../../data/certifications.csv"),
    certification_skills: include_str!("../../../data/certification-skills.csv"),
    names_zh: include_str!("../../../data/nice-names-zh.csv"),
    levels: include_str!("../../../data/proficiency-levels.csv"),
};

pub const DCWF_JSON: &str = include_str!("../../../data/frameworks/dcwf-v5.1-elements.json");
pub const DCWF_CROSSWALK: &str = include_str!("../../../data/crosswalk-dcwf-nice-proposed.csv");
pub const ECSF_JSON: &str = include_str!("../../../data/frameworks/ecsf-role-profiles.json");
pub const ECSF_CROSSWALK: &str = include_str!("../../../data/crosswalk-ecsf-nice.csv");

/// The bundled competency model, assembled and checked.
pub fn model() -> Result<CompetencyModel, ModelError> {
    assemble(&SOURCES)
}

/// The bundled DCWF v5.1, mapped onto NICE.
pub fn dcwf() -> Result<ExternalFramework, ModelError> {
    external::dcwf(
        "frameworks/dcwf-v5.1-elements.json",
        DCWF_JSON,
        "crosswalk-dcwf-nice-proposed.csv",
        DCWF_CROSSWALK,
    )
}

/// The bundled ECSF role profiles, mapped onto NICE.
pub fn ecsf() -> Result<ExternalFramework, ModelError> {
    external::ecsf(
        "frameworks/ecsf-role-profiles.json",
        ECSF_JSON,
        "crosswalk-ecsf-nice.csv",
        ECSF_CROSSWALK,
    )
}

/// Builds a model from source texts: parses every file, applies each skill
/// domain's default links, canonicalises, and fails on any integrity problem.
pub fn assemble(src: &Sources<'_>) -> Result<CompetencyModel, ModelError> {
    let mut nice = parse::nice_v21("frameworks/nice-v2.1.0.json", src.nice_v21)?;
    let known: BTreeSet<&str> = nice.statements.iter().map(|s| s.id.as_str()).collect();
    // v2.0.0 links two statements that v2.1.0 withdrew (S0620, S0834): keep only
    // links to statements of the release we ship.
    let area_statements = parse::nice_v20_area_links("frameworks/nice-v2.0.0.json", src.nice_v20)?
        .into_iter()
        .filter(|l| known.contains(l.to.as_str()))
        .collect();
    let (platform_roles, mut skill_roles) = parse::platform_roles("roles.csv", src.roles)?;
    let domains = parse::skill_domains("lexicon/domains.csv", src.domains)?;
    let mut skills = Vec::new();
    let mut skill_nice_links = Vec::new();
    for (file, text) in src.lexicon {
        let (s, n, r) = parse::skills(file, text)?;
        skills.extend(s);
        skill_nice_links.extend(n);
        skill_roles.extend(r);
    }
    skill_nice_links.extend(parse::nice_links("lexicon/nice-links.csv", src.nice_links)?);
    let defaults: BTreeMap<&str, &parse::DomainDefaults> =
        domains.iter().map(|d| (d.domain.id.as_str(), d)).collect();
    for s in &skills {
        if let Some(d) = defaults.get(s.domain_id.as_str()) {
            for t in &d.nice {
                skill_nice_links.push(SkillNiceLink {
                    skill_id: s.id.clone(),
                    target_id: t.clone(),
                    source: LinkSource::Domain,
                });
            }
            for r in &d.roles {
                skill_roles.push(SkillRoleLink {
                    skill_id: s.id.clone(),
                    role_id: r.clone(),
                    relation: RoleRelation::Related,
                });
            }
        }
    }
    let mut certifications = parse::certifications("certifications.csv", src.certifications)?;
    parse::certification_skills(
        "certification-skills.csv",
        src.certification_skills,
        &mut certifications,
    )?;
    parse::names_zh("nice-names-zh.csv", src.names_zh, &mut nice)?;
    let mut model = CompetencyModel {
        nice_version: nice.version,
        categories: nice.categories,
        work_roles: nice.work_roles,
        competency_areas: nice.competency_areas,
        statements: nice.statements,
        role_statements: nice.role_statements,
        area_statements,
        gbt_categories: parse::gbt_categories("gbt42446-categories.csv", src.gbt_categories)?,
        gbt_crosswalk: parse::gbt_crosswalk("crosswalk-gbt-nice.csv", src.gbt_crosswalk)?,
        platform_roles,
        skill_domains: domains.into_iter().map(|d| d.domain).collect(),
        skills,
        skill_nice_links,
        skill_roles,
        certifications,
        proficiency_levels: parse::proficiency_levels("proficiency-levels.csv", src.levels)?,
    };
    model.canonicalize();
    let problems = validate::check(&model);
    if problems.is_empty() {
        Ok(model)
    } else {
        Err(ModelError::Integrity(problems))
    }
}

/// Number of distinct normalised aliases (names excluded) across the lexicon.
pub fn alias_count(model: &CompetencyModel) -> usize {
    let mut seen = BTreeSet::new();
    for s in &model.skills {
        let names = [normalize(&s.name_en), normalize(&s.name_zh)];
        for a in &s.aliases {
            let n = normalize(a);
            if !names.contains(&n) {
                seen.insert((s.id.as_str(), n));
            }
        }
    }
    seen.len()
}
