//! Skill and certification matching over the lexicon: one Aho–Corasick
//! automaton over every folded name and alias (leftmost-longest), ASCII word
//! boundaries checked by hand (`xss` must not match inside `xssf`), and each
//! match marked required or preferred (加分, 优先, nice to have) by its clause;
//! negated mentions (不需要, no … required) are dropped.

use crate::fold::fold_into;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use cb_competency::CompetencyModel;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FoundKind {
    Skill,
    Certification,
}

/// One skill or certification found in a posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    pub kind: FoundKind,
    /// Index into the model's `skills` or `certifications`.
    pub index: usize,
    pub required: bool,
    /// Whether it was found in the title.
    pub in_title: bool,
}

pub struct SkillMatcher {
    ac: AhoCorasick,
    /// pattern id → targets (usually one)
    targets: Vec<Vec<(FoundKind, usize)>>,
    /// pattern id → (starts with ASCII alnum, ends with ASCII alnum)
    edges: Vec<(bool, bool)>,
    /// pattern id → the name is also an agency's ([`AGENCY_NAMES`]): it counts only
    /// where its clause speaks of certificates
    agency_name: Vec<bool>,
    certificate_context: AhoCorasick,
    /// [`PREFERRED`], [`NEGATION_BEFORE`], [`NEGATION_AFTER`]: each list one automaton
    preferred: AhoCorasick,
    negation_before: AhoCorasick,
    negation_after: AhoCorasick,
}

/// Certification names that are also the names of agencies: "CISA" is the
/// Certified Information Systems Auditor and the Cybersecurity and
/// Infrastructure Security Agency, which USAJOBS summaries name.
const AGENCY_NAMES: &[&str] = &["cisa"];
/// Words of a clause that speaks of certificates (a tag list naming others counts too).
const CERTIFICATE_CONTEXT: &[&str] = &[
    "certif",
    "credential",
    "认证",
    "证书",
    "资格",
    "持证",
    "cissp",
    "cism",
    "cisp",
    "ceh",
    "oscp",
    "security+",
    "iso27001",
    "auditor",
];

fn any_of(list: &[&str]) -> AhoCorasick {
    AhoCorasick::new(list).unwrap_or_else(|e| panic!("cue lists always build an automaton: {e}"))
}

const PREFERRED: &[&str] = &[
    "加分",
    "优先",
    "更佳",
    "为佳",
    "最好",
    "择优",
    "者优先",
    "可加分",
    "are a plus",
    "is a plus",
    "a plus",
    "nice to have",
    "nice-to-have",
    "preferred",
    "preferably",
    "bonus",
    "desirable",
    "desired",
    "ideally",
    "advantage",
    "advantageous",
    "good to have",
];
const NEGATION_BEFORE: &[&str] = &[
    "不需要",
    "无需",
    "不要求",
    "不涉及",
    "不用",
    "不需",
    "非必须",
    "no ",
    "not ",
    "without ",
    "don't need",
    "does not require",
    "not required",
];
const NEGATION_AFTER: &[&str] = &[
    "不是必须",
    "非必须",
    "不做要求",
    "不要求",
    "not required",
    "is not necessary",
    "not needed",
];

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

impl SkillMatcher {
    pub fn new(model: &CompetencyModel) -> Self {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut targets: Vec<Vec<(FoundKind, usize)>> = Vec::new();
        let mut buf = String::new();
        let mut add = |text: &str, target: (FoundKind, usize)| {
            fold_into(text, &mut buf);
            let p = buf.trim();
            // single characters and bare numbers match too much
            if p.chars().count() < 2 || p.chars().all(|c| c.is_ascii_digit() || c == '.') {
                return;
            }
            let id = *index.entry(p.to_string()).or_insert_with(|| {
                patterns.push(p.to_string());
                targets.push(Vec::new());
                patterns.len() - 1
            });
            if !targets[id].contains(&target) {
                targets[id].push(target);
            }
        };
        for (i, s) in model.skills.iter().enumerate() {
            for t in [&s.name_en, &s.name_zh].into_iter().chain(&s.aliases) {
                add(t, (FoundKind::Skill, i));
            }
        }
        for (i, c) in model.certifications.iter().enumerate() {
            for t in [&c.name_en, &c.name_zh].into_iter().chain(&c.aliases) {
                add(t, (FoundKind::Certification, i));
            }
        }
        let edges = patterns
            .iter()
            .map(|p| {
                (
                    p.chars().next().is_some_and(is_word),
                    p.chars().last().is_some_and(is_word),
                )
            })
            .collect();
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .unwrap_or_else(|e| panic!("the lexicon's patterns always build an automaton: {e}"));
        let agency_name = patterns
            .iter()
            .map(|p| AGENCY_NAMES.contains(&p.as_str()))
            .collect();
        SkillMatcher {
            ac,
            targets,
            edges,
            agency_name,
            certificate_context: any_of(CERTIFICATE_CONTEXT),
            preferred: any_of(PREFERRED),
            negation_before: any_of(NEGATION_BEFORE),
            negation_after: any_of(NEGATION_AFTER),
        }
    }

    pub fn pattern_count(&self) -> usize {
        self.targets.len()
    }

    /// Finds skills and certifications in a title and a description. Each is
    /// reported once; required wins over preferred.
    pub fn find(&self, title: &str, description: &str) -> Vec<Found> {
        let (mut t, mut d) = (String::new(), String::new());
        fold_into(title, &mut t);
        fold_into(description, &mut d);
        self.find_folded(&t, &d)
    }

    /// [`Self::find`] over a title and description already folded ([`fold_into`]).
    pub fn find_folded(&self, title: &str, description: &str) -> Vec<Found> {
        let mut out: Vec<Found> = Vec::new();
        self.scan(title, true, &mut out);
        self.scan(description, false, &mut out);
        out
    }

    fn boundary_ok(&self, text: &str, start: usize, end: usize, pid: usize) -> bool {
        let (first, last) = self.edges[pid];
        let before = text[..start].chars().next_back();
        let rest = &text[end..];
        // an English plural still names the skill: "internal audits", "SQLs"
        let plural = rest.starts_with('s')
            && !rest[1..].chars().next().is_some_and(is_word)
            && end - start >= 3;
        let cut_before = first && before.is_some_and(is_word);
        let cut_after = last && rest.chars().next().is_some_and(is_word) && !plural;
        !cut_before && !cut_after
    }

    fn scan(&self, text: &str, in_title: bool, out: &mut Vec<Found>) {
        // the last clause seen and whether it says "preferred" (matches often share one)
        let mut last: Option<((usize, usize), bool)> = None;
        for m in self.ac.find_iter(text) {
            let pid = m.pattern().as_usize();
            if !self.boundary_ok(text, m.start(), m.end(), pid) {
                continue;
            }
            // "X工程师" names a job (an X engineer), not the skill "X工程"
            if text[..m.end()].ends_with("工程") && text[m.end()..].starts_with('师') {
                continue;
            }
            let bounds = clause_bounds(text, m.start(), m.end());
            let (clause_start, clause_end) = bounds;
            let before = &text[clause_start..m.start()];
            let after = &text[m.end()..clause_end];
            if self.negated(before, after) {
                continue;
            }
            if self.agency_name[pid]
                && !self
                    .certificate_context
                    .is_match(&text[clause_start..clause_end])
            {
                continue;
            }
            let required = in_title
                || !match last {
                    Some((b, preferred)) if b == bounds => preferred,
                    _ => {
                        let preferred = self.preferred.is_match(&text[clause_start..clause_end]);
                        last = Some((bounds, preferred));
                        preferred
                    }
                };
            for &(kind, index) in &self.targets[pid] {
                match out.iter_mut().find(|f| f.kind == kind && f.index == index) {
                    Some(f) => {
                        f.required |= required;
                        f.in_title |= in_title;
                    }
                    None => out.push(Found {
                        kind,
                        index,
                        required,
                        in_title,
                    }),
                }
            }
        }
    }

    /// A negation cue shortly before the mention (within the clause, no comma
    /// between: the last 24 characters), or a "not required" in the 16 after it.
    fn negated(&self, before: &str, after: &str) -> bool {
        let cut = before
            .char_indices()
            .rev()
            .find(|(_, c)| matches!(c, ',' | '，' | '、'))
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        let tail = &before[cut..];
        let tail = match tail.char_indices().rev().nth(23) {
            Some((i, _)) => &tail[i..],
            None => tail,
        };
        let head = match after.char_indices().nth(16) {
            Some((i, _)) => &after[..i],
            None => after,
        };
        self.negation_before.is_match(tail) || self.negation_after.is_match(head)
    }
}

/// The clause around `[start, end)`: bounded by sentence punctuation, line
/// breaks and list markers.
fn clause_bounds(text: &str, start: usize, end: usize) -> (usize, usize) {
    let is_stop = |c: char| {
        matches!(
            c,
            '。' | '；' | ';' | '！' | '!' | '？' | '?' | '\n' | '\r' | '•' | '●' | '■' | '|'
        )
    };
    let mut s = start;
    for (i, c) in text[..start].char_indices().rev() {
        if is_stop(c) || (c == '.' && text[i + 1..].starts_with(' ')) {
            break;
        }
        s = i;
    }
    let mut e = end;
    for (i, c) in text[end..].char_indices() {
        if is_stop(c) || (c == '.' && text[end + i + 1..].starts_with(' ')) {
            break;
        }
        e = end + i + c.len_utf8();
    }
    (s.min(start), e.max(end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cb_competency::bundled;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn fixture() -> &'static (CompetencyModel, SkillMatcher) {
        static F: OnceLock<(CompetencyModel, SkillMatcher)> = OnceLock::new();
        F.get_or_init(|| {
            let m = bundled::model().expect("model");
            let matcher = SkillMatcher::new(&m);
            (m, matcher)
        })
    }

    fn ids(title: &str, desc: &str) -> Vec<(String, bool)> {
        let (m, matcher) = fixture();
        let mut v: Vec<(String, bool)> = matcher
            .find(title, desc)
            .into_iter()
            .map(|f| match f.kind {
                FoundKind::Skill => (m.skills[f.index].id.clone(), f.required),
                FoundKind::Certification => {
                    (format!("cert:{}", m.certifications[f.index].id), f.required)
                }
            })
            .collect();
        v.sort();
        v
    }

    fn has(v: &[(String, bool)], id: &str, required: bool) -> bool {
        v.iter().any(|(i, r)| i == id && *r == required)
    }

    #[test]
    fn finds_chinese_and_english_aliases() {
        let v = ids(
            "渗透测试工程师",
            "熟悉Burp Suite、SQLMap等工具，掌握SQL注入、XSS等常见Web漏洞；持有CISP-PTE证书。",
        );
        assert!(has(&v, "penetration-testing", true), "{v:?}");
        assert!(
            has(&v, "burp-suite", true)
                && has(&v, "sqlmap", true)
                && has(&v, "sql-injection", true)
                && has(&v, "xss", true)
        );
        assert!(
            has(&v, "web-vulnerabilities", true) || has(&v, "web-security", true),
            "{v:?}"
        );
        assert!(has(&v, "cert:cisp-pte", true), "{v:?}");
    }

    #[test]
    fn an_agency_is_not_a_certificate() {
        let agency = ids(
            "IT Cybersecurity Specialist (INFOSEC)",
            "The Cybersecurity and Infrastructure Security Agency (CISA) is the Nation's risk advisor.",
        );
        assert!(!agency.iter().any(|(i, _)| i == "cert:cisa"), "{agency:?}");
        let tags = ids(
            "信息安全工程师",
            "3-4年,本科,ISO27001,Linux,CISA,CISSP,python",
        );
        assert!(has(&tags, "cert:cisa", true), "{tags:?}");
        let cert = ids("IT Auditor", "CISA certification is required.");
        assert!(has(&cert, "cert:cisa", true), "{cert:?}");
    }

    #[test]
    fn full_width_and_case_do_not_matter() {
        let v = ids("", "精通ＰＹＴＨＯＮ与ｌｉｎｕｘ");
        assert!(has(&v, "python", true) && has(&v, "linux", true), "{v:?}");
    }

    #[test]
    fn ascii_terms_respect_word_boundaries() {
        let v = ids("", "Conducts internal audits; writes SQLs");
        assert!(
            has(&v, "internal-audit", true) && has(&v, "sql", true),
            "plurals: {v:?}"
        );
        let v = ids(
            "",
            "uses xssf and xsser-like naming; golang good; google docs",
        );
        assert!(!v.iter().any(|(i, _)| i == "xss"), "{v:?}");
        assert!(has(&v, "go", true), "golang is Go: {v:?}");
        let v = ids("", "会用java和javascript");
        assert!(
            has(&v, "java", true) && has(&v, "javascript", true),
            "{v:?}"
        );
    }

    #[test]
    fn preferred_clauses_and_negations() {
        let v = ids(
            "安全运维工程师",
            "熟悉Linux。有CISSP证书者优先；熟悉Splunk加分。不需要会Java",
        );
        assert!(has(&v, "linux", true), "{v:?}");
        assert!(
            has(&v, "cert:cissp", false) && has(&v, "splunk", false),
            "{v:?}"
        );
        assert!(!v.iter().any(|(i, _)| i == "java"), "negated: {v:?}");
        let v = ids(
            "SOC Analyst",
            "Experience with Splunk required. Knowledge of Python is a plus. No CISSP required.",
        );
        assert!(has(&v, "splunk", true) && has(&v, "python", false), "{v:?}");
        assert!(!v.iter().any(|(i, _)| i == "cert:cissp"), "{v:?}");
        // a skill both required and preferred is required
        let v = ids("", "Python required. Advanced Python is a plus.");
        assert!(has(&v, "python", true), "{v:?}");
    }

    #[test]
    fn title_mentions_are_required() {
        let v = ids("Python开发（云安全方向优先）", "");
        assert!(
            has(&v, "python", true) && has(&v, "cloud-security", true),
            "{v:?}"
        );
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(t in "\\PC{0,40}", d in "\\PC{0,200}") {
            let _ = fixture().1.find(&t, &d);
        }

        #[test]
        fn an_alias_embedded_in_cjk_text_is_found(pre in "[一-龥]{0,5}", post in "[一-龥]{0,5}") {
            let v = ids("", &format!("{pre}Wireshark{post}"));
            prop_assert!(v.iter().any(|(i, _)| i == "wireshark"));
        }
    }
}
