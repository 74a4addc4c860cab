//! The framework service: browse and search the competency model, and (for
//! operators) replace it or import external frameworks.

use crate::{App, AppError};
use cb_competency::external::{ExternalFramework, ExternalRole};
use cb_competency::validate::{check, check_external};
use cb_competency::*;
use cb_core::Caller;
use cb_store::Progress;
use serde::Serialize;

pub struct FrameworkService<'a> {
    pub(crate) app: &'a App,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Ref {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

impl Ref {
    fn role(r: &PlatformRole) -> Ref {
        Ref {
            id: r.id.clone(),
            name_zh: r.name_zh.clone(),
            name_en: r.name_en.clone(),
        }
    }
    fn skill(s: &Skill) -> Ref {
        Ref {
            id: s.id.clone(),
            name_zh: s.name_zh.clone(),
            name_en: s.name_en.clone(),
        }
    }
    fn work_role(r: &WorkRole) -> Ref {
        Ref {
            id: r.id.clone(),
            name_zh: r.title_zh.clone(),
            name_en: r.title.clone(),
        }
    }
    fn gbt(g: &GbtCategory) -> Ref {
        Ref {
            id: g.id.clone(),
            name_zh: g.name_zh.clone(),
            name_en: g.name_en.clone(),
        }
    }
    fn cert(c: &Certification) -> Ref {
        Ref {
            id: c.id.clone(),
            name_zh: c.name_zh.clone(),
            name_en: c.name_en.clone(),
        }
    }
    fn domain(d: &SkillDomain) -> Ref {
        Ref {
            id: d.id.clone(),
            name_zh: d.name_zh.clone(),
            name_en: d.name_en.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    pub categories: usize,
    pub work_roles: usize,
    pub competency_areas: usize,
    pub tasks: usize,
    pub knowledge: usize,
    pub skills_statements: usize,
    pub gbt_categories: usize,
    pub platform_roles: usize,
    pub lexicon_skills: usize,
    pub lexicon_aliases: usize,
    pub certifications: usize,
    pub external_frameworks: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryView {
    pub category: Category,
    pub work_roles: Vec<WorkRole>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GbtView {
    pub category: GbtCategory,
    pub work_roles: Vec<Ref>,
    pub platform_roles: Vec<Ref>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DomainView {
    pub domain: SkillDomain,
    pub skill_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub nice_version: String,
    pub counts: Counts,
    pub categories: Vec<CategoryView>,
    pub gbt: Vec<GbtView>,
    pub domains: Vec<DomainView>,
    pub proficiency_levels: Vec<ProficiencyLevel>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GbtLinkView {
    pub category: Ref,
    pub status: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExternalRoleRef {
    pub framework_id: String,
    pub framework_name: String,
    pub role_id: String,
    pub title: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkRoleView {
    pub role: WorkRole,
    pub category: Option<Category>,
    pub tasks: Vec<Statement>,
    pub knowledge: Vec<Statement>,
    pub skills: Vec<Statement>,
    pub gbt: Vec<GbtLinkView>,
    pub platform_roles: Vec<Ref>,
    pub external_roles: Vec<ExternalRoleRef>,
    /// Lexicon skills linked to this role's knowledge and skill statements.
    pub lexicon_skills: Vec<Ref>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlatformRoleView {
    pub role: PlatformRole,
    pub gbt: Option<Ref>,
    pub nice_roles: Vec<Ref>,
    pub core_skills: Vec<Ref>,
    pub related_skills: Vec<Ref>,
    pub certifications: Vec<Ref>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NiceLinkView {
    pub target_id: String,
    /// `knowledge`, `skill` or `competency_area`.
    pub kind: String,
    pub text: String,
    pub source: LinkSource,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleLinkView {
    pub role: Ref,
    pub relation: RoleRelation,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkillView {
    pub skill: Skill,
    pub domain: Option<Ref>,
    pub nice: Vec<NiceLinkView>,
    pub roles: Vec<RoleLinkView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkillSummary {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: SkillKind,
    pub domain_id: String,
    pub alias_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificationView {
    pub certification: Certification,
    pub roles: Vec<Ref>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExternalSummary {
    pub id: String,
    pub name: String,
    pub version: String,
    pub licence: String,
    pub roles: usize,
    pub elements: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExternalView {
    pub summary: ExternalSummary,
    pub roles: Vec<ExternalRoleView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExternalRoleView {
    pub role: ExternalRole,
    pub nice_roles: Vec<Ref>,
}

/// Filters for listing skills.
#[derive(Debug, Clone, Default)]
pub struct SkillFilter {
    pub domain: Option<String>,
    pub kind: Option<SkillKind>,
}

fn not_found(what: &'static str, what_zh: &'static str, id: &str) -> AppError {
    AppError::NotFound {
        what,
        what_zh,
        id: id.to_string(),
    }
}

fn summary(fw: &ExternalFramework) -> ExternalSummary {
    ExternalSummary {
        id: fw.id.clone(),
        name: fw.name.clone(),
        version: fw.version.clone(),
        licence: fw.licence.clone(),
        roles: fw.roles.len(),
        elements: fw.elements.len(),
    }
}

impl FrameworkService<'_> {
    // Reference data is public: every caller, signed in or not, may read it.
    // The `caller` argument is still taken so that this stays true by decision.

    /// The whole catalog (public reference data), for pages that name many
    /// roles, skills and certifications at once.
    pub fn catalog_snapshot(&self, _caller: &Caller) -> std::sync::Arc<cb_competency::Catalog> {
        self.app.catalog()
    }

    pub fn overview(&self, _caller: &Caller) -> Overview {
        let c = self.app.catalog();
        let m = c.model();
        Overview {
            nice_version: m.nice_version.clone(),
            counts: Counts {
                categories: m.categories.len(),
                work_roles: m.work_roles.len(),
                competency_areas: m.competency_areas.len(),
                tasks: m.statement_count(StatementKind::Task),
                knowledge: m.statement_count(StatementKind::Knowledge),
                skills_statements: m.statement_count(StatementKind::Skill),
                gbt_categories: m.gbt_categories.len(),
                platform_roles: m.platform_roles.len(),
                lexicon_skills: m.skills.len(),
                lexicon_aliases: bundled::alias_count(m),
                certifications: m.certifications.len(),
                external_frameworks: c.external().len(),
            },
            categories: m
                .categories
                .iter()
                .map(|cat| CategoryView {
                    category: cat.clone(),
                    work_roles: c.work_roles_in(&cat.id).into_iter().cloned().collect(),
                })
                .collect(),
            gbt: m
                .gbt_categories
                .iter()
                .map(|g| GbtView {
                    category: g.clone(),
                    work_roles: c
                        .work_roles_of_gbt(&g.id)
                        .into_iter()
                        .map(Ref::work_role)
                        .collect(),
                    platform_roles: c
                        .platform_roles_of_gbt(&g.id)
                        .into_iter()
                        .map(Ref::role)
                        .collect(),
                })
                .collect(),
            domains: m
                .skill_domains
                .iter()
                .map(|d| DomainView {
                    domain: d.clone(),
                    skill_count: c.skills_in_domain(&d.id).len(),
                })
                .collect(),
            proficiency_levels: m.proficiency_levels.clone(),
        }
    }

    pub fn work_roles(&self, _caller: &Caller) -> Vec<WorkRole> {
        let c = self.app.catalog();
        let mut v = c.model().work_roles.clone();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    pub fn work_role(&self, _caller: &Caller, id: &str) -> Result<WorkRoleView, AppError> {
        let c = self.app.catalog();
        let role = c
            .work_role(id)
            .ok_or_else(|| not_found("NICE work role", "NICE 工作角色", id))?
            .clone();
        let ks: Vec<Statement> = c
            .statements_of_role(id, StatementKind::Knowledge)
            .into_iter()
            .chain(c.statements_of_role(id, StatementKind::Skill))
            .cloned()
            .collect();
        let mut lexicon: Vec<Ref> = ks
            .iter()
            .flat_map(|s| c.skills_of_target(&s.id))
            .filter(|(_, src)| *src != LinkSource::Domain)
            .map(|(s, _)| Ref::skill(s))
            .collect();
        lexicon.sort_by(|a, b| a.id.cmp(&b.id));
        lexicon.dedup();
        Ok(WorkRoleView {
            category: c.category(&role.category_id).cloned(),
            tasks: c
                .statements_of_role(id, StatementKind::Task)
                .into_iter()
                .cloned()
                .collect(),
            knowledge: c
                .statements_of_role(id, StatementKind::Knowledge)
                .into_iter()
                .cloned()
                .collect(),
            skills: c
                .statements_of_role(id, StatementKind::Skill)
                .into_iter()
                .cloned()
                .collect(),
            gbt: c
                .gbt_of_work_role(id)
                .into_iter()
                .map(|(g, l)| GbtLinkView {
                    category: Ref::gbt(g),
                    status: l.status.clone(),
                    source: l.source.clone(),
                })
                .collect(),
            platform_roles: c
                .platform_roles_of_work_role(id)
                .into_iter()
                .map(Ref::role)
                .collect(),
            external_roles: c
                .external_roles_of_work_role(id)
                .into_iter()
                .map(|(fw, r)| ExternalRoleRef {
                    framework_id: fw.id.clone(),
                    framework_name: fw.name.clone(),
                    role_id: r.id.clone(),
                    title: r.title.clone(),
                    status: r
                        .nice
                        .iter()
                        .find(|n| n.nice_role_id == id)
                        .map(|n| n.status.clone())
                        .unwrap_or_default(),
                })
                .collect(),
            lexicon_skills: lexicon,
            role,
        })
    }

    pub fn competency_areas(&self, _caller: &Caller) -> Vec<CompetencyArea> {
        self.app.catalog().model().competency_areas.clone()
    }

    pub fn platform_roles(&self, _caller: &Caller) -> Vec<PlatformRole> {
        self.app.catalog().model().platform_roles.clone()
    }

    pub fn platform_role(&self, _caller: &Caller, id: &str) -> Result<PlatformRoleView, AppError> {
        let c = self.app.catalog();
        let role = c
            .platform_role(id)
            .ok_or_else(|| not_found("platform role", "平台岗位", id))?
            .clone();
        let core: Vec<Ref> = c
            .skills_of_role(id, RoleRelation::Core)
            .into_iter()
            .map(Ref::skill)
            .collect();
        Ok(PlatformRoleView {
            gbt: c.gbt_category(&role.gbt_id).map(Ref::gbt),
            nice_roles: role
                .nice_role_ids
                .iter()
                .filter_map(|n| c.work_role(n))
                .map(Ref::work_role)
                .collect(),
            related_skills: c
                .skills_of_role(id, RoleRelation::Related)
                .into_iter()
                .map(Ref::skill)
                .filter(|s| !core.contains(s))
                .collect(),
            core_skills: core,
            certifications: c
                .certifications_of_role(id)
                .into_iter()
                .map(Ref::cert)
                .collect(),
            role,
        })
    }

    pub fn skills(&self, _caller: &Caller, filter: &SkillFilter) -> Vec<SkillSummary> {
        let c = self.app.catalog();
        c.model()
            .skills
            .iter()
            .filter(|s| filter.domain.as_deref().is_none_or(|d| s.domain_id == d))
            .filter(|s| filter.kind.is_none_or(|k| s.kind == k))
            .map(|s| SkillSummary {
                id: s.id.clone(),
                name_zh: s.name_zh.clone(),
                name_en: s.name_en.clone(),
                kind: s.kind,
                domain_id: s.domain_id.clone(),
                alias_count: s.aliases.len(),
            })
            .collect()
    }

    pub fn skill_domains(&self, _caller: &Caller) -> Vec<Ref> {
        self.app
            .catalog()
            .model()
            .skill_domains
            .iter()
            .map(Ref::domain)
            .collect()
    }

    pub fn skill(&self, _caller: &Caller, id: &str) -> Result<SkillView, AppError> {
        let c = self.app.catalog();
        let skill = c
            .skill(id)
            .ok_or_else(|| not_found("skill", "技能", id))?
            .clone();
        let nice = c
            .nice_links_of_skill(id)
            .into_iter()
            .map(|l| {
                let (kind, text) =
                    match (c.statement(&l.target_id), c.competency_area(&l.target_id)) {
                        (Some(s), _) => (s.kind.as_str().to_string(), s.text.clone()),
                        (None, Some(a)) => ("competency_area".to_string(), a.title.clone()),
                        (None, None) => ("unknown".to_string(), String::new()),
                    };
                NiceLinkView {
                    target_id: l.target_id.clone(),
                    kind,
                    text,
                    source: l.source,
                }
            })
            .collect();
        let mut roles: Vec<RoleLinkView> = c
            .roles_of_skill(id)
            .into_iter()
            .map(|(r, relation)| RoleLinkView {
                role: Ref::role(r),
                relation,
            })
            .collect();
        roles.sort_by(|a, b| (a.relation, &a.role.id).cmp(&(b.relation, &b.role.id)));
        Ok(SkillView {
            domain: c.skill_domain(&skill.domain_id).map(Ref::domain),
            nice,
            roles,
            skill,
        })
    }

    pub fn certifications(&self, _caller: &Caller) -> Vec<Certification> {
        self.app.catalog().model().certifications.clone()
    }

    pub fn certification(&self, _caller: &Caller, id: &str) -> Result<CertificationView, AppError> {
        let c = self.app.catalog();
        let cert = c
            .certification(id)
            .ok_or_else(|| not_found("certification", "证书", id))?
            .clone();
        Ok(CertificationView {
            roles: cert
                .role_ids
                .iter()
                .filter_map(|r| c.platform_role(r))
                .map(Ref::role)
                .collect(),
            certification: cert,
        })
    }

    pub fn search(&self, _caller: &Caller, query: &str, limit: usize) -> Vec<SearchHit> {
        self.app.catalog().search(query, limit.clamp(1, 200))
    }

    pub fn external_frameworks(&self, _caller: &Caller) -> Vec<ExternalSummary> {
        self.app.catalog().external().iter().map(summary).collect()
    }

    pub fn external_framework(&self, _caller: &Caller, id: &str) -> Result<ExternalView, AppError> {
        let c = self.app.catalog();
        let fw = c
            .external_framework(id)
            .ok_or_else(|| not_found("external framework", "外部框架", id))?;
        Ok(ExternalView {
            summary: summary(fw),
            roles: fw
                .roles
                .iter()
                .map(|r| ExternalRoleView {
                    nice_roles: r
                        .nice
                        .iter()
                        .filter_map(|n| c.work_role(&n.nice_role_id))
                        .map(Ref::work_role)
                        .collect(),
                    role: r.clone(),
                })
                .collect(),
        })
    }

    /// Replaces the competency model (operators only). The model is checked
    /// first; a model with integrity problems is refused whole.
    pub async fn replace_model(
        &self,
        caller: &Caller,
        model: CompetencyModel,
        progress: Progress<'_>,
    ) -> Result<(), AppError> {
        caller.require_write("replace the competency model")?;
        caller.require_operator("replace the competency model")?;
        let problems = check(&model);
        if !problems.is_empty() {
            return Err(ModelError::Integrity(problems).into());
        }
        self.app
            .store
            .replace_model(caller, &model, progress)
            .await?;
        self.app.reload().await
    }

    /// Imports (or re-imports) an external framework (operators only). Every
    /// NICE role it maps to must exist in the installed model.
    pub async fn import_external(
        &self,
        caller: &Caller,
        fw: ExternalFramework,
        progress: Progress<'_>,
    ) -> Result<ExternalSummary, AppError> {
        caller.require_write("import a framework")?;
        caller.require_operator("import a framework")?;
        let problems = check_external(self.app.catalog().model(), &fw);
        if !problems.is_empty() {
            return Err(ModelError::Integrity(problems).into());
        }
        self.app
            .store
            .replace_external(caller, &fw, progress)
            .await?;
        self.app.reload().await?;
        Ok(summary(&fw))
    }
}
