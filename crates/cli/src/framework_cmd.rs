//! `cyberbridge framework …`: the framework browser on the command line.

use crate::{progress_bar, tick};
use anyhow::Context;
use cb_app::{App, SkillFilter};
use cb_competency::{SkillKind, bundled, external};
use cb_core::{Caller, Lang};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum FrameworkCommand {
    /// Counts of everything in the model.
    Stats,
    /// List the platform role catalog.
    Roles,
    /// Show a platform role: NICE roles, core skills, certifications.
    Role { id: String },
    /// List NICE work roles.
    WorkRoles,
    /// Show a NICE work role with its tasks, knowledge and skills.
    WorkRole { id: String },
    /// List lexicon skills, optionally by domain and kind.
    Skills {
        #[arg(long)]
        domain: Option<String>,
        #[arg(long)]
        kind: Option<String>,
    },
    /// Show a skill with its aliases, NICE links and roles.
    Skill { id: String },
    /// List certifications.
    Certs,
    /// Search by any name, alias or title variant, in Chinese or English.
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Import an external framework file, mapped onto NICE.
    Import {
        #[arg(value_parser = ["dcwf", "ecsf"])]
        kind: String,
        file: PathBuf,
    },
    /// Re-install the competency model shipped with this binary.
    Install,
}

fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

pub async fn run(app: &App, cmd: FrameworkCommand, lang: Lang, json: bool) -> anyhow::Result<()> {
    let me = Caller::system("cli");
    let fw = app.framework();
    let pick = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    match cmd {
        FrameworkCommand::Stats => {
            let o = fw.overview(&me);
            if json {
                return print_json(&o.counts);
            }
            let c = &o.counts;
            println!("NICE Framework v{}", o.nice_version);
            for (zh, en, n) in [
                ("类别", "categories", c.categories),
                ("工作角色", "work roles", c.work_roles),
                ("能力领域", "competency areas", c.competency_areas),
                ("任务条目", "tasks", c.tasks),
                ("知识条目", "knowledge", c.knowledge),
                ("技能条目", "skill statements", c.skills_statements),
                ("GB/T 42446 类别", "GB/T 42446 categories", c.gbt_categories),
                ("平台岗位", "platform roles", c.platform_roles),
                ("词库技能", "lexicon skills", c.lexicon_skills),
                ("词库别名", "lexicon aliases", c.lexicon_aliases),
                ("证书", "certifications", c.certifications),
                ("外部框架", "external frameworks", c.external_frameworks),
            ] {
                println!("  {:<24} {n}", pick(zh, en));
            }
        }
        FrameworkCommand::Roles => {
            let roles = fw.platform_roles(&me);
            if json {
                return print_json(&roles);
            }
            for r in roles {
                println!(
                    "{:<28} {:<16} {:<34} {}",
                    r.id,
                    r.gbt_id,
                    pick(&r.name_zh, &r.name_en),
                    r.nice_role_ids.join(", ")
                );
            }
        }
        FrameworkCommand::Role { id } => {
            let v = fw.platform_role(&me, &id)?;
            if json {
                return print_json(&v);
            }
            println!("{} / {}  ({})", v.role.name_zh, v.role.name_en, v.role.id);
            if let Some(g) = &v.gbt {
                println!(
                    "{}: {}",
                    pick("GB/T 42446 类别", "GB/T 42446 category"),
                    pick(&g.name_zh, &g.name_en)
                );
            }
            println!(
                "NICE: {}",
                v.nice_roles
                    .iter()
                    .map(|n| format!("{} {}", n.id, n.name_en))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            println!(
                "{}: {}",
                pick("常见名称", "Title variants"),
                v.role.variants.join(", ")
            );
            println!(
                "{}: {}",
                pick("核心技能", "Core skills"),
                v.core_skills
                    .iter()
                    .map(|s| pick(&s.name_zh, &s.name_en))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            println!(
                "{}: {}",
                pick("相关证书", "Certifications"),
                v.certifications
                    .iter()
                    .map(|s| pick(&s.name_zh, &s.name_en))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            println!(
                "{}: {}",
                pick("相关技能数", "Related skills"),
                v.related_skills.len()
            );
        }
        FrameworkCommand::WorkRoles => {
            let roles = fw.work_roles(&me);
            if json {
                return print_json(&roles);
            }
            for r in roles {
                println!("{:<12} {}", r.id, r.title);
            }
        }
        FrameworkCommand::WorkRole { id } => {
            let v = fw.work_role(&me, &id)?;
            if json {
                return print_json(&v);
            }
            println!("{} {}\n{}", v.role.id, v.role.title, v.role.description);
            println!(
                "GB/T 42446: {}",
                v.gbt
                    .iter()
                    .map(|g| format!(
                        "{} ({})",
                        pick(&g.category.name_zh, &g.category.name_en),
                        g.status
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            println!(
                "{}: {}",
                pick("平台岗位", "Platform roles"),
                v.platform_roles
                    .iter()
                    .map(|r| pick(&r.name_zh, &r.name_en))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for (title, list) in [
                (pick("任务", "Tasks"), &v.tasks),
                (pick("知识", "Knowledge"), &v.knowledge),
                (pick("技能", "Skills"), &v.skills),
            ] {
                println!("\n{title} ({})", list.len());
                for s in list {
                    println!("  {}  {}", s.id, s.text);
                }
            }
        }
        FrameworkCommand::Skills { domain, kind } => {
            let kind = match kind {
                None => None,
                Some(k) => Some(SkillKind::parse(&k).with_context(|| {
                    format!(
                        "unknown kind `{k}`; expected one of {}",
                        SkillKind::ALL.map(|k| k.as_str()).join(", ")
                    )
                })?),
            };
            let list = fw.skills(&me, &SkillFilter { domain, kind });
            if json {
                return print_json(&list);
            }
            for s in &list {
                println!(
                    "{:<34} {:<14} {:<12} {}",
                    s.id,
                    s.domain_id,
                    s.kind.as_str(),
                    pick(&s.name_zh, &s.name_en)
                );
            }
            println!("{} {}", list.len(), pick("项技能", "skills"));
        }
        FrameworkCommand::Skill { id } => {
            let v = fw.skill(&me, &id)?;
            if json {
                return print_json(&v);
            }
            println!(
                "{} / {}  ({}, {})",
                v.skill.name_zh,
                v.skill.name_en,
                v.skill.kind.name(lang),
                v.skill.domain_id
            );
            println!(
                "{}: {}",
                pick("别名", "Aliases"),
                v.skill.aliases.join(", ")
            );
            println!("{}:", pick("NICE 对应", "NICE links"));
            for n in &v.nice {
                println!("  {:<11} {:<13} {}", n.target_id, n.source.as_str(), n.text);
            }
            println!(
                "{}: {}",
                pick("岗位", "Roles"),
                v.roles
                    .iter()
                    .map(|r| format!(
                        "{} ({})",
                        pick(&r.role.name_zh, &r.role.name_en),
                        r.relation.as_str()
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        FrameworkCommand::Certs => {
            let list = fw.certifications(&me);
            if json {
                return print_json(&list);
            }
            for c in list {
                println!(
                    "{:<26} L{} {:<44} {}",
                    c.id,
                    c.level,
                    pick(&c.name_zh, &c.name_en),
                    pick(&c.issuer_zh, &c.issuer_en)
                );
            }
        }
        FrameworkCommand::Search { query, limit } => {
            let hits = fw.search(&me, &query, limit);
            if json {
                return print_json(&hits);
            }
            if hits.is_empty() {
                println!("{}", pick("没有找到匹配项", "nothing matched"));
            }
            for h in hits {
                println!(
                    "{:<16} {:<28} {}  [{}]",
                    h.kind.as_str(),
                    h.id,
                    pick(&h.name_zh, &h.name_en),
                    h.matched
                );
            }
        }
        FrameworkCommand::Import { kind, file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let name = file.display().to_string();
            let parsed = match kind.as_str() {
                "dcwf" => external::dcwf(
                    &name,
                    &text,
                    "crosswalk-dcwf-nice-proposed.csv",
                    bundled::DCWF_CROSSWALK,
                )?,
                _ => external::ecsf(
                    &name,
                    &text,
                    "crosswalk-ecsf-nice.csv",
                    bundled::ECSF_CROSSWALK,
                )?,
            };
            let pb = progress_bar(&kind);
            let s = fw.import_external(&me, parsed, &mut tick(&pb)).await?;
            pb.finish_and_clear();
            println!(
                "{} {}: {} roles, {} elements",
                s.name, s.version, s.roles, s.elements
            );
        }
        FrameworkCommand::Install => {
            let pb = progress_bar("competency model");
            fw.replace_model(&me, bundled::model()?, &mut tick(&pb))
                .await?;
            pb.finish_and_clear();
            let c = fw.overview(&me).counts;
            println!(
                "installed: {} work roles, {} platform roles, {} skills, {} certifications",
                c.work_roles, c.platform_roles, c.lexicon_skills, c.certifications
            );
        }
    }
    Ok(())
}
