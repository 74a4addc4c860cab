//! Is this a cybersecurity posting, and which role: the platform role and the
//! NICE work roles (top 3 with confidences), from the title's role variants
//! (`data/roles.csv`) and the skills found.

use crate::fold::fold;
use crate::matcher::{Found, FoundKind, SkillMatcher};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use cb_competency::{CompetencyModel, RoleRelation, SkillKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// One posting as `classify` reads it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PostingInput {
    #[serde(default)]
    pub id: serde_json::Value,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub employer: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub salary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleScore {
    pub id: String,
    pub confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    pub is_cyber: bool,
    /// NICE work roles, best first (at most 3).
    pub roles: Vec<RoleScore>,
    /// Platform roles, best first (at most 3).
    pub platform_roles: Vec<RoleScore>,
    pub found: Vec<Found>,
}

/// Title words that make a posting a security job…
const SECURITY_TITLE: &[&str] = &[
    "安全",
    "渗透",
    "攻防",
    "红队",
    "蓝队",
    "等保",
    "密评",
    "取证",
    "漏洞",
    "逆向",
    "病毒",
    "恶意代码",
    "网安",
    "信安",
    "白帽",
    "应急响应",
    "威胁",
    "态势感知",
    "防火墙",
    "黑客",
    "ctf",
    "风控",
    "反作弊",
    "反欺诈",
    "cyber",
    "infosec",
    "information security",
    "information system security",
    "information systems security",
    "it security",
    "technology security",
    "network security",
    "application security",
    "cloud security",
    "data security",
    "security engineer",
    "security analyst",
    "security architect",
    "security operations",
    "security officer",
    "security manager",
    "security researcher",
    "security consultant",
    "security (",
    "(security",
    "/security",
    "security)",
    "security specialist (",
    "penetration",
    "pentest",
    "red team",
    "blue team",
    "forensic",
    "malware",
    "vulnerability",
    "incident response",
    "threat",
    "isso",
    "issm",
    "isse",
    "ciso",
    "appsec",
    "devsecops",
    "comsec",
    "siem",
    "ethical hack",
    "exploitation",
    "machine learning security",
    "agent security",
    "soc analyst",
    "privacy",
    "隐私",
];
/// …unless the title is about another kind of safety or security.
const NOT_CYBER_TITLE: &[&str] = &[
    "安全员",
    "食品安全",
    "安全生产",
    "质量安全",
    "消防",
    "安防",
    "保安",
    "考试安全",
    "交通安全",
    "安全主任",
    "安全帽",
    "ehs",
    "hse",
    "职业健康",
    "安全环保",
    "施工安全",
    "化工安全",
    "药品安全",
    "危机",
    "安全驾驶",
    "电话销售",
    "销售",
    "physical security",
    "personnel security",
    "security guard",
    "security police",
    "social security",
    "security assistant",
    "national security",
    "homeland security",
    "sales",
    "account manager",
];
/// Words in a description that speak of cybersecurity work.
const SECURITY_TEXT: &[&str] = &[
    "cybersecurity",
    "cyber security",
    "information security",
    "infosec",
    "网络安全",
    "信息安全",
    "安全防护",
    "渗透",
    "漏洞",
];

/// Skill domains whose skills are security skills (programming, systems and
/// professional skills are not evidence of a security job on their own).
const SECURITY_DOMAINS: &[&str] = &[
    "offensive",
    "appsec",
    "defense",
    "forensics",
    "binary",
    "crypto",
    "grc",
    "ot",
    "mobile",
    "threatintel",
    "ai",
    "iam",
    "data",
    "cloud",
];

/// The platform role a security posting gets when nothing names a more specific one.
pub const FALLBACK_ROLE: &str = "network-security-engineer";

pub struct Classifier {
    model: Arc<CompetencyModel>,
    matcher: SkillMatcher,
    titles: AhoCorasick,
    /// title pattern id → platform role indices
    title_roles: Vec<Vec<usize>>,
    title_edges: Vec<(bool, bool)>,
    /// title pattern id → specificity in (0, 1]: a variant that other variants
    /// contain (`安全工程师` in `web安全工程师`) says less about the role
    title_specificity: Vec<f64>,
    /// skill index → (platform role index, weight)
    skill_roles: Vec<Vec<(usize, f64)>>,
    /// skill index → counts as a security skill
    security_skill: Vec<bool>,
    /// platform role index → (NICE role id, share)
    role_nice: Vec<Vec<(String, f64)>>,
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn bounded(text: &str, start: usize, end: usize, edges: (bool, bool)) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let cut_before = edges.0 && before.is_some_and(is_word);
    let cut_after = edges.1 && after.is_some_and(is_word);
    !cut_before && !cut_after
}

/// Short terms (`isso`, `ciso`, `ctf`) must stand as words; longer ones
/// (`cyber` in `cybersecurity`) may be part of one.
fn contains_term(text: &str, term: &str) -> bool {
    if term.len() > 4 || !term.is_ascii() {
        return text.contains(term);
    }
    let edges = (
        term.chars().next().is_some_and(is_word),
        term.chars().last().is_some_and(is_word),
    );
    text.match_indices(term)
        .any(|(i, _)| bounded(text, i, i + term.len(), edges))
}

impl Classifier {
    pub fn new(model: Arc<CompetencyModel>) -> Self {
        let matcher = SkillMatcher::new(&model);
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut title_roles: Vec<Vec<usize>> = Vec::new();
        for (ri, r) in model.platform_roles.iter().enumerate() {
            for v in [&r.name_zh, &r.name_en].into_iter().chain(&r.variants) {
                let p = fold(v);
                if p.chars().count() < 2 {
                    continue;
                }
                let id = *index.entry(p.clone()).or_insert_with(|| {
                    patterns.push(p);
                    title_roles.push(Vec::new());
                    patterns.len() - 1
                });
                if !title_roles[id].contains(&ri) {
                    title_roles[id].push(ri);
                }
            }
        }
        // like `contains_term`: only short ASCII variants (`soc`, `iam`, `ics`) must stand as words
        let title_edges = patterns
            .iter()
            .map(|p| {
                let short = p.len() <= 4;
                (
                    short && p.chars().next().is_some_and(is_word),
                    short && p.chars().last().is_some_and(is_word),
                )
            })
            .collect();
        let title_specificity = patterns
            .iter()
            .map(|p| {
                let containing = patterns
                    .iter()
                    .filter(|q| q.len() > p.len() && q.contains(p.as_str()))
                    .count();
                1.0 / (1.0 + 0.25 * containing as f64)
            })
            .collect();
        let titles = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .unwrap_or_else(|e| panic!("role variants always build an automaton: {e}"));
        let role_idx: HashMap<&str, usize> = model
            .platform_roles
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let skill_idx: HashMap<&str, usize> = model
            .skills
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let mut skill_roles = vec![Vec::new(); model.skills.len()];
        for l in &model.skill_roles {
            if let (Some(&s), Some(&r)) = (
                skill_idx.get(l.skill_id.as_str()),
                role_idx.get(l.role_id.as_str()),
            ) {
                let w = match l.relation {
                    RoleRelation::Core => 1.0,
                    RoleRelation::Related => 0.2,
                };
                skill_roles[s].push((r, w));
            }
        }
        let security_skill = model
            .skills
            .iter()
            .map(|s| {
                SECURITY_DOMAINS.contains(&s.domain_id.as_str())
                    && !matches!(s.kind, SkillKind::Language | SkillKind::Platform)
            })
            .collect();
        let role_nice = model
            .platform_roles
            .iter()
            .map(|r| {
                r.nice_role_ids
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.clone(), [1.0, 0.6, 0.4].get(i).copied().unwrap_or(0.3)))
                    .collect()
            })
            .collect();
        Classifier {
            model,
            matcher,
            titles,
            title_roles,
            title_edges,
            title_specificity,
            skill_roles,
            security_skill,
            role_nice,
        }
    }

    pub fn model(&self) -> &CompetencyModel {
        &self.model
    }

    pub fn matcher(&self) -> &SkillMatcher {
        &self.matcher
    }

    pub fn classify(&self, title: &str, description: &str) -> Classification {
        let found = self.matcher.find(title, description);
        let t = fold(title);
        let d = fold(description);

        // role evidence from the title
        let mut scores = vec![0.0f64; self.model.platform_roles.len()];
        let mut title_hit = false;
        let title_len = t.len().max(1) as f64;
        for m in self.titles.find_iter(&t) {
            let pid = m.pattern().as_usize();
            if !bounded(&t, m.start(), m.end(), self.title_edges[pid]) {
                continue;
            }
            let len = t[m.start()..m.end()].chars().count() as f64;
            // Titles are head-final ("安全服务售前经理" is a pre-sales manager,
            // "IT Specialist (INFOSEC)" an INFOSEC specialist): later words weigh more.
            let weight = (4.0 + len * 0.5)
                * (1.0 + 0.6 * m.end() as f64 / title_len)
                * self.title_specificity[pid];
            for &r in &self.title_roles[pid] {
                scores[r] += weight;
                title_hit = true;
            }
        }
        // role evidence from the skills
        let mut security_skills = 0;
        for f in found.iter().filter(|f| f.kind == FoundKind::Skill) {
            if self.security_skill[f.index] {
                security_skills += 1;
            }
            let w = if f.required { 1.0 } else { 0.5 };
            for &(r, rw) in &self.skill_roles[f.index] {
                scores[r] += rw * w;
            }
        }
        for f in found.iter().filter(|f| f.kind == FoundKind::Certification) {
            for r in &self.model.certifications[f.index].role_ids {
                if let Some(i) = self.model.platform_roles.iter().position(|p| &p.id == r) {
                    scores[i] += 0.5;
                }
            }
        }

        let excluded = NOT_CYBER_TITLE.iter().any(|w| t.contains(w))
            && !t.contains("售前")
            && !t.contains("presales");
        let title_security = SECURITY_TITLE.iter().any(|w| contains_term(&t, w));
        let text_security = SECURITY_TEXT.iter().any(|w| d.contains(w));
        let is_cyber = !excluded
            && (title_security || security_skills >= 3 || (text_security && security_skills >= 1));

        // A security posting with no role evidence at all (`信息安全`, `安全高级工程师`)
        // is taken to be the catch-all security engineer, with low confidence.
        if is_cyber
            && scores.iter().all(|s| *s <= 0.0)
            && let Some(i) = self
                .model
                .platform_roles
                .iter()
                .position(|r| r.id == FALLBACK_ROLE)
        {
            scores[i] = 1.0;
        }
        let platform_roles = top(&scores, 3, |i| self.model.platform_roles[i].id.clone());
        let mut nice: HashMap<&str, f64> = HashMap::new();
        for (i, s) in scores.iter().enumerate().filter(|(_, s)| **s > 0.0) {
            for (n, share) in &self.role_nice[i] {
                *nice.entry(n.as_str()).or_default() += s * share;
            }
        }
        let mut nice: Vec<(&str, f64)> = nice.into_iter().collect();
        nice.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let total: f64 = nice.iter().map(|(_, s)| s).sum();
        let roles = if title_hit || is_cyber {
            nice.iter()
                .take(3)
                .map(|(id, s)| RoleScore {
                    id: id.to_string(),
                    confidence: confidence(*s, total),
                })
                .collect()
        } else {
            Vec::new()
        };
        let platform_roles = if title_hit || is_cyber {
            platform_roles
        } else {
            Vec::new()
        };
        Classification {
            is_cyber,
            roles,
            platform_roles,
            found,
        }
    }
}

/// A score's share of the evidence, damped when there is little of it.
fn confidence(score: f64, total: f64) -> f64 {
    let c = score / (total + 2.0);
    (c * 1000.0).round() / 1000.0
}

fn top(scores: &[f64], k: usize, id: impl Fn(usize) -> String) -> Vec<RoleScore> {
    let total: f64 = scores.iter().sum();
    let mut idx: Vec<usize> = (0..scores.len()).filter(|&i| scores[i] > 0.0).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    idx.into_iter()
        .take(k)
        .map(|i| RoleScore {
            id: id(i),
            confidence: confidence(scores[i], total),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cb_competency::bundled;
    use std::sync::OnceLock;

    fn c() -> &'static Classifier {
        static C: OnceLock<Classifier> = OnceLock::new();
        C.get_or_init(|| Classifier::new(Arc::new(bundled::model().expect("model"))))
    }

    fn top1(title: &str, desc: &str) -> (bool, Option<String>, Option<String>) {
        let r = c().classify(title, desc);
        (
            r.is_cyber,
            r.platform_roles.first().map(|r| r.id.clone()),
            r.roles.first().map(|r| r.id.clone()),
        )
    }

    #[test]
    fn chinese_titles() {
        assert_eq!(
            top1("渗透测试工程师", ""),
            (true, Some("pentester".into()), Some("PD-WRL-007".into()))
        );
        assert_eq!(
            top1("安全运维工程师", "").1.as_deref(),
            Some("secops-engineer")
        );
        assert_eq!(top1("等保测评师", "").1.as_deref(), Some("mlps-assessor"));
        assert_eq!(
            top1("web安全工程师", "").1.as_deref(),
            Some("appsec-engineer")
        );
        assert_eq!(
            top1("网络安全售前工程师", "").1.as_deref(),
            Some("security-presales")
        );
        assert!(!top1("食品安全管理员", "").0);
        assert!(!top1("安全员", "").0);
        assert!(!top1("Python开发工程师", "熟悉django、flask").0);
        assert!(!top1("销售经理（信息安全／网络安全）", "").0);
    }

    #[test]
    fn us_federal_titles() {
        let (cyber, role, nice) = top1("IT CYBERSECURITY SPECIALIST (INFOSEC)", "");
        assert!(cyber);
        assert_eq!(role.as_deref(), Some("isso"));
        assert_eq!(nice.as_deref(), Some("IO-WRL-006"));
        assert!(!top1("BIOMEDICAL EQUIPMENT SUPPORT SPECIALIST", "").0);
        assert!(!top1("PERSONNEL SECURITY SPECIALIST", "").0);
        assert!(top1("INFORMATION SYSTEMS SECURITY MANAGER (ISSM)", "").0);
    }

    #[test]
    fn description_evidence_counts_when_the_title_is_neutral() {
        let r = c().classify("Engineer", "Perform penetration testing, malware analysis and incident response; Splunk, Wireshark.");
        assert!(r.is_cyber);
        assert!(!r.roles.is_empty() && r.roles.len() <= 3);
        assert!(
            r.roles
                .windows(2)
                .all(|w| w[0].confidence >= w[1].confidence)
        );
        assert!(
            r.roles
                .iter()
                .all(|x| x.confidence > 0.0 && x.confidence < 1.0)
        );
    }
}
