//! The bundled competency model: the counts the product promises and the
//! integrity of every link.

use cb_competency::bundled::{self, Sources};
use cb_competency::validate::{check, check_external};
use cb_competency::*;
use std::collections::BTreeSet;

fn model() -> CompetencyModel {
    match bundled::model() {
        Ok(m) => m,
        Err(e) => panic!("bundled model does not load: {e}"),
    }
}

#[test]
fn nice_v2_1_0_is_complete() {
    let m = model();
    assert_eq!(m.nice_version, "2.1.0");
    assert_eq!(m.categories.len(), 5);
    assert_eq!(m.work_roles.len(), 41);
    assert_eq!(m.competency_areas.len(), 11);
    assert_eq!(m.statement_count(StatementKind::Task), 946);
    assert_eq!(m.statement_count(StatementKind::Knowledge), 662);
    assert_eq!(m.statement_count(StatementKind::Skill), 540);
    // 2,857 + 1,429 + 1,048 work role → statement relationships in the release.
    assert_eq!(m.role_statements.len(), 5334);
    // v2.0.0 has 123 competency-area links; two name statements v2.1.0 withdrew.
    assert_eq!(m.area_statements.len(), 121);
    let ids: Vec<&str> = m.categories.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["OG", "DD", "IO", "PD", "IN"], "NIST display order");
    let pd1 = m
        .work_roles
        .iter()
        .find(|r| r.id == "PD-WRL-001")
        .map(|r| r.title.as_str());
    assert_eq!(pd1, Some("Defensive Cybersecurity"));
    assert!(m.work_roles.iter().all(|r| r.id.contains("-WRL-")));
}

#[test]
fn gbt_42446_categories_and_proposed_crosswalk_cover_every_nice_role() {
    let m = model();
    let names: Vec<&str> = m
        .gbt_categories
        .iter()
        .map(|g| g.name_zh.as_str())
        .collect();
    for want in [
        "网络安全管理",
        "网络安全建设",
        "网络安全运营",
        "网络安全审计和评估",
        "网络安全科研教育",
    ] {
        assert!(names.contains(&want), "missing {want}");
    }
    assert_eq!(m.gbt_categories.len(), 5);
    assert!(
        m.gbt_crosswalk
            .iter()
            .all(|l| l.status == "proposed" && !l.source.is_empty())
    );
    let mapped: BTreeSet<&str> = m
        .gbt_crosswalk
        .iter()
        .map(|l| l.nice_role_id.as_str())
        .collect();
    assert_eq!(mapped.len(), 41);
    // many-to-many: some NICE roles sit in two categories
    assert!(m.gbt_crosswalk.len() > 41);
}

#[test]
fn platform_role_catalog_has_thirty_bilingual_roles_linked_to_nice_and_gbt() {
    let m = model();
    assert!(m.platform_roles.len() >= 30, "{}", m.platform_roles.len());
    for r in &m.platform_roles {
        assert!(!r.name_zh.is_empty() && !r.name_en.is_empty(), "{}", r.id);
        assert!(
            r.name_zh
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{} has no Chinese name",
            r.id
        );
        assert!(
            !r.nice_role_ids.is_empty() && !r.gbt_id.is_empty(),
            "{}",
            r.id
        );
        assert!(r.variants.len() >= 3, "{} has few title variants", r.id);
    }
    for want in [
        "渗透测试工程师",
        "安全运维工程师",
        "等保测评师",
        "应急响应工程师",
        "安全开发工程师",
        "数据安全工程师",
    ] {
        assert!(
            m.platform_roles.iter().any(|r| r.name_zh == want),
            "missing {want}"
        );
    }
    let soc = m
        .platform_roles
        .iter()
        .find(|r| r.id == "soc-analyst")
        .map(|r| r.name_en.as_str());
    assert_eq!(soc, Some("SOC Analyst"));
}

#[test]
fn skill_lexicon_v1_has_800_skills_and_2500_aliases_all_linked() {
    let m = model();
    assert!(m.skills.len() >= 800, "{} skills", m.skills.len());
    let aliases = bundled::alias_count(&m);
    assert!(aliases >= 2500, "{aliases} aliases");
    let domains: BTreeSet<&str> = m.skills.iter().map(|s| s.domain_id.as_str()).collect();
    for d in [
        "offensive",
        "defense",
        "grc",
        "cloud",
        "data",
        "ot",
        "appsec",
        "forensics",
    ] {
        assert!(domains.contains(d), "no skills in {d}");
    }
    for term in [
        "Burp Suite",
        "SQL注入",
        "等保2.0",
        "密评",
        "ISO 27001",
        "GDPR",
        "个人信息保护法",
        "应急响应",
        "Active Directory",
        "Splunk",
    ] {
        let n = normalize(term);
        let found = m.skills.iter().any(|s| {
            normalize(&s.name_en) == n
                || normalize(&s.name_zh) == n
                || s.aliases.iter().any(|a| normalize(a) == n)
        });
        assert!(found, "lexicon lacks {term}");
    }
    // every skill has a NICE link and a role (also enforced by validate::check)
    let linked: BTreeSet<&str> = m
        .skill_nice_links
        .iter()
        .map(|l| l.skill_id.as_str())
        .collect();
    let roled: BTreeSet<&str> = m.skill_roles.iter().map(|l| l.skill_id.as_str()).collect();
    assert!(
        m.skills
            .iter()
            .all(|s| linked.contains(s.id.as_str()) && roled.contains(s.id.as_str()))
    );
}

#[test]
fn certifications_have_issuer_level_and_roles() {
    let m = model();
    assert!(m.certifications.len() >= 30, "{}", m.certifications.len());
    for id in [
        "cisp",
        "cisp-pte",
        "cisp-pts",
        "cisp-ire",
        "cisp-irs",
        "cisp-a",
        "cisp-dsg",
        "nisp-1",
        "nisp-2",
        "one-plus-x-assessment",
        "ruankao-security-engineer",
        "mlps-assessor-cert",
        "cisaw",
        "cissp",
        "oscp",
        "security-plus",
        "ceh",
        "cisa",
        "cism",
    ] {
        let c = m.certifications.iter().find(|c| c.id == id);
        let Some(c) = c else {
            panic!("missing certification {id}")
        };
        assert!(
            !c.issuer_zh.is_empty()
                && !c.issuer_en.is_empty()
                && (1..=5).contains(&c.level)
                && !c.role_ids.is_empty()
        );
    }
}

#[test]
fn the_whole_model_passes_integrity_checks() {
    let m = model();
    assert_eq!(check(&m), Vec::<String>::new());
}

#[test]
fn a_dangling_link_is_reported_not_accepted() {
    let mut m = model();
    m.skill_roles.push(SkillRoleLink {
        skill_id: "nmap".into(),
        role_id: "no-such-role".into(),
        relation: RoleRelation::Related,
    });
    m.skill_nice_links.push(SkillNiceLink {
        skill_id: "nmap".into(),
        target_id: "T0084".into(),
        source: LinkSource::Curated,
    });
    m.platform_roles[0].nice_role_ids.push("XX-WRL-999".into());
    let problems = check(&m);
    assert!(
        problems.iter().any(|p| p.contains("no-such-role")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("T0084")),
        "a task is not a K/S statement: {problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("XX-WRL-999")),
        "{problems:?}"
    );
}

#[test]
fn an_alias_shared_by_two_skills_is_an_error() {
    let mut m = model();
    if let Some(s) = m.skills.iter_mut().find(|s| s.id == "nmap") {
        s.aliases.push("ＢＵＲＰ".into()); // full-width, normalises onto burp-suite's alias
    }
    let problems = check(&m);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`burp`") && p.contains("nmap")),
        "{problems:?}"
    );
}

#[test]
fn a_broken_lexicon_file_fails_assembly_with_file_and_line() {
    let bad = [(
        "lexicon/offensive.csv",
        "id|name_en|name_zh|kind|aliases|nice|roles\nx|X|X|tool|||\ny|Y|Y|weird|||\n",
    )];
    let src = Sources {
        lexicon: &bad,
        ..bundled::SOURCES
    };
    let err = bundled::assemble(&src)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("lexicon/offensive.csv, line 3, field `kind`"),
        "{err}"
    );
}

#[test]
fn every_lexicon_file_on_disk_is_compiled_in() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/lexicon");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    on_disk.retain(|f| f.ends_with(".csv") && f != "domains.csv" && f != "nice-links.csv");
    on_disk.sort();
    let compiled: Vec<String> = bundled::LEXICON_FILES
        .iter()
        .map(|(f, _)| f.trim_start_matches("lexicon/").to_string())
        .collect();
    assert_eq!(
        on_disk, compiled,
        "update LEXICON_FILES in crates/competency/src/bundled.rs"
    );
}

#[test]
fn dcwf_and_ecsf_map_every_role_onto_nice() {
    let m = model();
    let dcwf = bundled::dcwf().expect("dcwf parses");
    assert_eq!(dcwf.roles.len(), 74);
    assert_eq!(dcwf.elements.len(), 2945);
    assert_eq!(check_external(&m, &dcwf), Vec::<String>::new());
    let official = dcwf
        .roles
        .iter()
        .filter(|r| r.nice.iter().any(|n| n.status == "official"))
        .count();
    assert_eq!(official, 39, "roles DoD itself maps to NICE");
    let ecsf = bundled::ecsf().expect("ecsf parses");
    assert_eq!(ecsf.roles.len(), 12);
    assert_eq!(check_external(&m, &ecsf), Vec::<String>::new());
    assert!(!ecsf.role_elements.is_empty());
}

#[test]
fn catalog_search_finds_by_any_alias_in_either_language() {
    let cat = Catalog::new(model(), vec![bundled::ecsf().expect("ecsf")]);
    let top = |q: &str| cat.search(q, 5).first().map(|h| (h.kind, h.id.clone()));
    assert_eq!(
        top("渗透测试工程师"),
        Some((SearchHitKind::PlatformRole, "pentester".into()))
    );
    assert_eq!(
        top("burp"),
        Some((SearchHitKind::Skill, "burp-suite".into()))
    );
    assert_eq!(
        top("ＳＱＬ注入"),
        Some((SearchHitKind::Skill, "sql-injection".into()))
    );
    assert_eq!(
        top("等保2.0"),
        Some((SearchHitKind::Skill, "mlps-2".into()))
    );
    assert_eq!(
        top("PD-WRL-001"),
        Some((SearchHitKind::WorkRole, "PD-WRL-001".into()))
    );
    assert_eq!(
        top("K0955"),
        Some((SearchHitKind::Statement, "K0955".into()))
    );
    assert_eq!(
        top("OSCP"),
        Some((SearchHitKind::Certification, "oscp".into()))
    );
    assert!(
        cat.search("penetration testing principles", 10)
            .iter()
            .any(|h| h.id == "K0955")
    );
    assert!(cat.search("", 10).is_empty());
    assert!(cat.search("zzzz-nothing-like-this", 10).is_empty());
    // links work in both directions
    assert!(
        cat.statements_of_role("PD-WRL-007", StatementKind::Knowledge)
            .iter()
            .any(|s| s.id == "K0955")
    );
    assert!(
        cat.roles_of_statement("K0955")
            .iter()
            .any(|r| r.id == "PD-WRL-007")
    );
    assert!(
        cat.skills_of_role("pentester", RoleRelation::Core)
            .iter()
            .any(|s| s.id == "burp-suite")
    );
    assert!(
        cat.roles_of_skill("burp-suite")
            .iter()
            .any(|(r, rel)| r.id == "pentester" && *rel == RoleRelation::Core)
    );
    // v2.0.0 publishes statement links for one area only: Cyber Resiliency.
    assert_eq!(cat.statements_of_area("NF-COM-007").len(), 121);
    assert!(
        cat.areas_of_statement("K0092")
            .iter()
            .any(|a| a.id == "NF-COM-007")
    );
}
