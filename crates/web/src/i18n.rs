//! Interface text in Chinese and English. Data (role and skill names) carries
//! its own `name_zh` / `name_en`; this table holds only the words of the pages.

use cb_core::Lang;

/// `(key, 中文, English)`. A test checks every key a template uses is here.
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("app.name", "网络安全产教融合平台", "cyberbridge"),
    ("app.tagline", "岗位需求与人才培养对接到同一能力模型", "Job demand and training mapped onto one competency model"),
    ("nav.framework", "能力框架", "Framework"),
    ("nav.roles", "岗位目录", "Role catalog"),
    ("nav.skills", "技能词库", "Skill lexicon"),
    ("nav.certifications", "证书", "Certifications"),
    ("nav.search", "搜索", "Search"),
    ("nav.api", "API", "API"),
    ("search.placeholder", "搜索岗位、技能、证书、NICE 条目（中英文、别名均可）", "Search roles, skills, certifications, NICE statements (any alias, zh or en)"),
    ("search.title", "搜索", "Search"),
    ("search.results_for", "搜索结果：", "Results for "),
    ("search.none", "没有找到匹配项。试试别名、英文名或 NICE 编号。", "Nothing matched. Try an alias, the other language, or a NICE ID."),
    ("search.matched", "匹配", "matched"),
    ("kind.platform_role", "平台岗位", "Platform role"),
    ("kind.skill", "技能", "Skill"),
    ("kind.certification", "证书", "Certification"),
    ("kind.work_role", "NICE 工作角色", "NICE work role"),
    ("kind.category", "NICE 类别", "NICE category"),
    ("kind.competency_area", "NICE 能力领域", "NICE competency area"),
    ("kind.external_role", "外部框架角色", "External framework role"),
    ("kind.statement", "NICE 条目", "NICE statement"),
    ("fw.title", "能力框架浏览", "Competency framework"),
    ("fw.intro", "平台把岗位、学生、课程与实训统一映射到 NICE 框架 v2.1.0 与 GB/T 42446-2023。NICE 条目为 NIST 英文原文。", "Postings, people, courses and challenges are all mapped onto NICE Framework v2.1.0 and GB/T 42446-2023. NICE statements are NIST's English text."),
    ("fw.counts", "规模", "Size"),
    ("fw.nice_categories", "NICE 类别与工作角色", "NICE categories and work roles"),
    ("fw.gbt", "GB/T 42446 工作类别", "GB/T 42446 work categories"),
    ("fw.gbt_note", "GB/T 42446 与 NICE 无官方对照；以下对照为本平台提议（proposed），可被官方对照替换。", "No official GB/T 42446 ↔ NICE crosswalk exists; the links below are this platform's proposal and can be replaced by an official one."),
    ("fw.platform_roles", "平台岗位目录", "Platform role catalog"),
    ("fw.domains", "技能领域", "Skill domains"),
    ("fw.levels", "熟练度等级", "Proficiency levels"),
    ("fw.external", "外部框架", "External frameworks"),
    ("fw.external_none", "尚未导入外部框架。运营人员可用 `cyberbridge framework import dcwf|ecsf 文件` 导入。", "No external framework imported yet. An operator imports one with `cyberbridge framework import dcwf|ecsf FILE`."),
    ("count.work_roles", "工作角色", "work roles"),
    ("count.statements", "任务/知识/技能条目", "task/knowledge/skill statements"),
    ("count.areas", "能力领域", "competency areas"),
    ("count.platform_roles", "平台岗位", "platform roles"),
    ("count.skills", "技能", "skills"),
    ("count.aliases", "别名", "aliases"),
    ("count.certifications", "证书", "certifications"),
    ("wr.tasks", "任务", "Tasks"),
    ("wr.knowledge", "知识", "Knowledge"),
    ("wr.skills", "技能", "Skills"),
    ("wr.category", "类别", "Category"),
    ("wr.gbt", "GB/T 42446 类别", "GB/T 42446 category"),
    ("wr.platform_roles", "对应的平台岗位", "Platform roles"),
    ("wr.external", "外部框架中的对应角色", "Roles in external frameworks"),
    ("wr.lexicon", "词库中证明这些知识技能的技能", "Lexicon skills evidencing these statements"),
    ("wr.opm", "OPM 代码", "OPM code"),
    ("role.variants", "常见岗位名称", "Title variants"),
    ("role.nice", "NICE 工作角色", "NICE work roles"),
    ("role.core", "核心技能", "Core skills"),
    ("role.related", "相关技能", "Related skills"),
    ("role.certs", "相关证书", "Certifications"),
    ("skill.aliases", "别名", "Aliases"),
    ("skill.kind", "类型", "Kind"),
    ("skill.domain", "领域", "Domain"),
    ("skill.nice", "对应 NICE 条目 / 能力领域", "NICE statements and competency areas"),
    ("skill.roles", "需要该技能的岗位", "Roles that need it"),
    ("skill.source", "来源", "Source"),
    ("skill.all", "全部", "All"),
    ("skill.filter", "筛选", "Filter"),
    ("skill.count", "项", "skills"),
    ("cert.issuer", "颁发机构", "Issuer"),
    ("cert.level", "等级", "Level"),
    ("cert.roles", "对应岗位", "Roles"),
    ("ext.roles", "角色", "Roles"),
    ("ext.maps_to", "映射到 NICE", "Maps to NICE"),
    ("ext.licence", "许可", "Licence"),
    ("status.proposed", "提议", "proposed"),
    ("status.official", "官方", "official"),
    ("rel.core", "核心", "core"),
    ("rel.related", "相关", "related"),
    ("src.curated", "人工标注", "curated"),
    ("src.domain", "领域默认", "domain default"),
    ("src.phrase-match", "短语匹配（已审）", "phrase match (reviewed)"),
    ("lang.switch", "English", "中文"),
    ("error.not_found", "页面或条目不存在", "Not found"),
    ("error.forbidden", "无权查看此页面", "You may not see this page"),
    ("error.bad_request", "请求有误", "Bad request"),
    ("error.back", "返回能力框架", "Back to the framework"),
    ("error.server", "服务器出错，请稍后再试", "Something went wrong on the server; please try again"),
    ("footer.data", "数据：NIST NICE Framework（公有领域）、DoD DCWF（公有领域）、ENISA ECSF（CC BY 4.0）。", "Data: NIST NICE Framework (public domain), DoD DCWF (public domain), ENISA ECSF (CC BY 4.0)."),
];

pub fn t(lang: Lang, key: &str) -> &'static str {
    match STRINGS.iter().find(|(k, _, _)| *k == key) {
        Some((_, zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => "⟨missing text⟩",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_a_template_uses_exists_in_both_languages() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut used = Vec::new();
        for entry in std::fs::read_dir(dir).expect("templates dir").flatten() {
            let text = std::fs::read_to_string(entry.path()).expect("template");
            for part in text.split("page.t(\"").skip(1) {
                if let Some(end) = part.find('"') {
                    used.push(part[..end].to_string());
                }
            }
        }
        // keys built at run time from data
        for k in ["status.proposed", "status.official", "rel.core", "rel.related", "src.curated", "src.domain", "src.phrase-match"] {
            used.push(k.to_string());
        }
        for k in cb_competency::SearchHitKind::ALL {
            used.push(format!("kind.{}", k.as_str()));
        }
        assert!(used.len() > 40);
        for key in used {
            assert!(STRINGS.iter().any(|(k, zh, en)| *k == key && !zh.is_empty() && !en.is_empty()), "missing text `{key}`");
        }
    }

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<&str> = STRINGS.iter().map(|(k, _, _)| *k).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len());
        assert_eq!(t(Lang::En, "nav.search"), "Search");
        assert_eq!(t(Lang::Zh, "nav.search"), "搜索");
    }
}
