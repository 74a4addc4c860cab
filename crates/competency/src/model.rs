//! Plain data types of the competency model. Collections are kept sorted by id
//! (see [`CompetencyModel::canonicalize`]) so two models compare equal exactly
//! when they hold the same facts, whichever store they came from.

use serde::{Deserialize, Serialize};

/// A NICE category (DD, PD, IN, IO, OG).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub title: String,
    pub description: String,
    /// NIST's display order.
    pub sort: i64,
    /// Our Chinese title (data/nice-names-zh.csv); NIST publishes English only.
    #[serde(default)]
    pub title_zh: String,
}

/// A NICE work role, ID as NIST writes it (`PD-WRL-001`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkRole {
    pub id: String,
    pub category_id: String,
    pub title: String,
    pub description: String,
    pub opm_code: Option<String>,
    pub sort: i64,
    /// Our Chinese title (data/nice-names-zh.csv); NIST publishes English only.
    #[serde(default)]
    pub title_zh: String,
}

/// A NICE competency area (`NF-COM-001`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyArea {
    pub id: String,
    pub title: String,
    pub description: String,
    /// Our Chinese title (data/nice-names-zh.csv); NIST publishes English only.
    #[serde(default)]
    pub title_zh: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatementKind {
    Task,
    Knowledge,
    Skill,
}

impl StatementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StatementKind::Task => "task",
            StatementKind::Knowledge => "knowledge",
            StatementKind::Skill => "skill",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "task" => Some(StatementKind::Task),
            "knowledge" => Some(StatementKind::Knowledge),
            "skill" => Some(StatementKind::Skill),
            _ => None,
        }
    }
}

/// A NICE task, knowledge or skill statement (`T0084`, `K1082`, `S0432`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub id: String,
    pub kind: StatementKind,
    pub text: String,
}

/// A pair of ids: `(from, to)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Link {
    pub from: String,
    pub to: String,
}

/// One of GB/T 42446-2023's five work categories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GbtCategory {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub description_zh: String,
    pub description_en: String,
}

/// A link between a GB/T category and a NICE work role. No official crosswalk
/// exists: ours are `proposed`, with `source` saying whose proposal it is, so an
/// official one can replace them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GbtNiceLink {
    pub gbt_id: String,
    pub nice_role_id: String,
    pub status: String,
    pub source: String,
    pub note: String,
}

/// A role in job-board language (渗透测试工程师 / Penetration Tester).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformRole {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub gbt_id: String,
    /// NICE work roles, the primary one first (order is meaningful).
    pub nice_role_ids: Vec<String>,
    /// Title variants seen in postings, Chinese and English.
    pub variants: Vec<String>,
}

/// A group of skills (offensive, defence, GRC, …) with default links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillDomain {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SkillKind {
    Tool,
    Technique,
    Knowledge,
    Platform,
    Language,
    Standard,
    Practice,
    Vulnerability,
}

impl SkillKind {
    pub const ALL: [SkillKind; 8] = [
        SkillKind::Tool,
        SkillKind::Technique,
        SkillKind::Knowledge,
        SkillKind::Platform,
        SkillKind::Language,
        SkillKind::Standard,
        SkillKind::Practice,
        SkillKind::Vulnerability,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            SkillKind::Tool => "tool",
            SkillKind::Technique => "technique",
            SkillKind::Knowledge => "knowledge",
            SkillKind::Platform => "platform",
            SkillKind::Language => "language",
            SkillKind::Standard => "standard",
            SkillKind::Practice => "practice",
            SkillKind::Vulnerability => "vulnerability",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        SkillKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn name(self, lang: cb_core::Lang) -> &'static str {
        let (zh, en) = match self {
            SkillKind::Tool => ("工具", "Tool"),
            SkillKind::Technique => ("技术", "Technique"),
            SkillKind::Knowledge => ("知识", "Knowledge"),
            SkillKind::Platform => ("平台", "Platform"),
            SkillKind::Language => ("语言", "Language"),
            SkillKind::Standard => ("标准法规", "Standard"),
            SkillKind::Practice => ("实践", "Practice"),
            SkillKind::Vulnerability => ("漏洞类型", "Vulnerability"),
        };
        lang.pick(zh, en)
    }
}

/// A concrete skill, tool, technique or knowledge area of the lexicon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skill {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub kind: SkillKind,
    pub domain_id: String,
    /// Other surface forms, Chinese and English, as written in the lexicon.
    pub aliases: Vec<String>,
}

/// Why a skill is linked to a NICE statement or competency area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkSource {
    /// Written on the skill's own row of the lexicon.
    Curated,
    /// Inherited from the skill's domain (`data/lexicon/domains.csv`).
    Domain,
    /// Proposed by whole-phrase match (`data/tools/link_nice.py`), reviewed.
    PhraseMatch,
}

impl LinkSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkSource::Curated => "curated",
            LinkSource::Domain => "domain",
            LinkSource::PhraseMatch => "phrase-match",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "curated" => Some(LinkSource::Curated),
            "domain" => Some(LinkSource::Domain),
            "phrase-match" => Some(LinkSource::PhraseMatch),
            _ => None,
        }
    }
}

/// Skill → NICE statement (`K0955`) or competency area (`NF-COM-004`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SkillNiceLink {
    pub skill_id: String,
    pub target_id: String,
    pub source: LinkSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleRelation {
    /// One of the role's core skills (readiness is computed over these).
    Core,
    /// The role uses the skill.
    Related,
}

impl RoleRelation {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleRelation::Core => "core",
            RoleRelation::Related => "related",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "core" => Some(RoleRelation::Core),
            "related" => Some(RoleRelation::Related),
            _ => None,
        }
    }
}

/// Skill → platform role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SkillRoleLink {
    pub skill_id: String,
    pub role_id: String,
    pub relation: RoleRelation,
}

/// A certification with issuer, level (1–5) and the platform roles it signals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certification {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub issuer_zh: String,
    pub issuer_en: String,
    pub level: i64,
    pub role_ids: Vec<String>,
    pub aliases: Vec<String>,
    /// The lexicon skills holding it shows, at `level` (data/certification-skills.csv).
    #[serde(default)]
    pub skill_ids: Vec<String>,
}

/// Proficiency level 1–5 with its national occupational skill level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProficiencyLevel {
    pub level: i64,
    pub name_zh: String,
    pub name_en: String,
    pub description_zh: String,
    pub description_en: String,
    pub national_level_zh: String,
    pub national_level_en: String,
}

/// The whole reference model the platform maps everything onto.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyModel {
    pub nice_version: String,
    pub categories: Vec<Category>,
    pub work_roles: Vec<WorkRole>,
    pub competency_areas: Vec<CompetencyArea>,
    pub statements: Vec<Statement>,
    /// Work role → task/knowledge/skill statement.
    pub role_statements: Vec<Link>,
    /// Competency area → knowledge/skill statement (from NICE v2.0.0).
    pub area_statements: Vec<Link>,
    pub gbt_categories: Vec<GbtCategory>,
    pub gbt_crosswalk: Vec<GbtNiceLink>,
    pub platform_roles: Vec<PlatformRole>,
    pub skill_domains: Vec<SkillDomain>,
    pub skills: Vec<Skill>,
    pub skill_nice_links: Vec<SkillNiceLink>,
    pub skill_roles: Vec<SkillRoleLink>,
    pub certifications: Vec<Certification>,
    pub proficiency_levels: Vec<ProficiencyLevel>,
}

impl CompetencyModel {
    /// Sorts every collection (and every list inside a record) into its
    /// canonical order, and drops exact duplicate links.
    pub fn canonicalize(&mut self) {
        self.categories
            .sort_by(|a, b| (a.sort, &a.id).cmp(&(b.sort, &b.id)));
        self.work_roles.sort_by(|a, b| a.id.cmp(&b.id));
        self.competency_areas.sort_by(|a, b| a.id.cmp(&b.id));
        self.statements.sort_by(|a, b| a.id.cmp(&b.id));
        self.role_statements.sort();
        self.role_statements.dedup();
        self.area_statements.sort();
        self.area_statements.dedup();
        self.gbt_categories.sort_by(|a, b| a.id.cmp(&b.id));
        self.gbt_crosswalk.sort_by(|a, b| {
            (&a.gbt_id, &a.nice_role_id, &a.source).cmp(&(&b.gbt_id, &b.nice_role_id, &b.source))
        });
        for r in &mut self.platform_roles {
            let mut seen = std::collections::HashSet::new();
            r.nice_role_ids.retain(|n| seen.insert(n.clone()));
            r.variants.sort();
            r.variants.dedup();
        }
        self.platform_roles.sort_by(|a, b| a.id.cmp(&b.id));
        self.skill_domains.sort_by(|a, b| a.id.cmp(&b.id));
        for s in &mut self.skills {
            s.aliases.sort();
            s.aliases.dedup();
        }
        self.skills.sort_by(|a, b| a.id.cmp(&b.id));
        self.skill_nice_links.sort();
        self.skill_nice_links
            .dedup_by(|a, b| a.skill_id == b.skill_id && a.target_id == b.target_id);
        self.skill_roles.sort();
        self.skill_roles
            .dedup_by(|a, b| a.skill_id == b.skill_id && a.role_id == b.role_id);
        for c in &mut self.certifications {
            c.role_ids.sort();
            c.role_ids.dedup();
            c.aliases.sort();
            c.aliases.dedup();
            c.skill_ids.sort();
            c.skill_ids.dedup();
        }
        self.certifications.sort_by(|a, b| a.id.cmp(&b.id));
        self.proficiency_levels.sort_by_key(|l| l.level);
    }

    pub fn statement_count(&self, kind: StatementKind) -> usize {
        self.statements.iter().filter(|s| s.kind == kind).count()
    }
}
