//! What the learned classifier sees of a posting: named features built from
//! the title (words, Chinese character pairs, the parenthetical specialty of
//! an OPM title, the platform role catalog's title variants), the description
//! (words, the lexicon's skills and certifications, cue phrases) and the
//! similarity of the text to each NICE work role's task, knowledge and skill
//! statements. URLs and e-mail addresses are blanked before anything is read.
//!
//! Features are named (`t:渗透`, `p:infosec`, `s:burp-suite`, `sim:PD-WRL-007`)
//! so the weights file (`data/classifier/model.tsv`) can be read and reviewed;
//! at inference a name is never built: its 64-bit hash is looked up.

use crate::fold::fold_into;
use crate::matcher::{Found, FoundKind, SkillMatcher};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use cb_competency::{CompetencyModel, SkillKind};
use std::collections::{BTreeMap, HashMap};

/// Title words that say the job is a security job (a cue, weighed by the model).
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
    "cyber",
    "infosec",
    "information security",
    "information system security",
    "information systems security",
    "it security",
    "security",
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
    "soc",
    "ethical hack",
    "privacy",
    "隐私",
    "cssp",
    "assessment and authorization",
    "network defense",
    "cyber defense",
    "comsec",
];

/// The labeling policy's phrase → work role tables (`data/classifier/policy-phrases.csv`):
/// evidence the model weighs, not rules it obeys.
pub const POLICY_PHRASES: &str = include_str!("../../../data/classifier/policy-phrases.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// inside an OPM title's parentheses
    Specialty,
    Title,
    Text,
    Any,
}
/// Title words where 安全 / security means another kind of safety or work.
const OTHER_SAFETY_TITLE: &[&str] = &[
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
    "安全驾驶",
    "内容安全",
    "内容审核",
    "审核员",
    "physical security",
    "personnel security",
    "security guard",
    "security police",
    "social security",
    "security assistant",
    "national security",
    "homeland security",
    "功能安全",
    "security clearance",
    "police",
    "安全监督",
    "安全管理员",
];
/// Title words of a supervisor (OPM: `Supervisory IT Specialist (INFOSEC)`, `SUPV ITSPEC`).
const SUPERVISORY_TITLE: &[&str] = &["supervis", "supv", "supvervis", "supvy", "supervisor"];
/// Title words of chip design, where `SoC` is a system on a chip, not a security operations centre.
const CHIP_TITLE: &[&str] = &[
    "芯片",
    "soc设计",
    "soc验证",
    "soc硬件",
    "soc verification",
    "soc design",
    "asic",
    "fpga",
    "ic设计",
    "ic验证",
    "数字ic",
    "模拟ic",
    "版图",
];
/// Chinese place names with 安 in them, blanked from titles before anything is read there:
/// `中国电信安徽公司` holds `信安`, `西安全栈工程师` holds `安全`. A name that ends in 安
/// right before 全 is kept unless 全栈 / 全职 follows (`推广安全产品` is 推广 + 安全).
const PLACES_WITH_AN: &[&str] = &[
    "大兴安岭",
    "安徽",
    "安阳",
    "安顺",
    "安康",
    "安庆",
    "淮安",
    "兴安",
    "吉安",
    "泰安",
    "广安",
    "雅安",
    "西安",
    "延安",
    "六安",
    "宝安",
];
/// Title words of sales and business roles.
const SALES_TITLE: &[&str] = &[
    "销售",
    "sales",
    "account manager",
    "客户经理",
    "渠道",
    "商务",
    "市场",
];
/// Title words of business risk work (风控 without a security focus is not a security job).
const RISK_TITLE: &[&str] = &[
    "风控",
    "风险控制",
    "反洗钱",
    "信贷",
    "征信",
    "credit",
    "anti-money",
    "aml",
    "fraud",
    "反作弊",
    "反欺诈",
];
/// Description phrases that speak of cybersecurity work.
const SECURITY_TEXT: &[&str] = &[
    "cybersecurity",
    "cyber security",
    "information security",
    "infosec",
    "information assurance",
    "网络安全",
    "信息安全",
    "安全防护",
    "渗透",
    "漏洞",
    "安全运营",
    "安全事件",
    "security operations",
    "incident response",
    "risk management framework",
    "rmf",
    "ato",
    "authorization to operate",
    "security controls",
    "vulnerability",
];
/// Description phrases that make cyber a side duty, an office name or a hiring authority.
const COLLATERAL_TEXT: &[&str] = &[
    "cyber excepted service",
    "collateral",
    "excepted service",
    "direct hire authority",
    "this position is located in the",
    "cyber command",
];
/// Skill domains whose skills are security skills.
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
    "iam",
    "cloud",
];
/// Words that carry no meaning for the role (English).
/// Kept sorted for reading; looked up by hash ([`FeatureSpace`]'s `stop`).
const STOP: &[&str] = &[
    "a", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
    "for", "from", "has", "have", "in", "into", "is", "it", "its", "may", "more", "not", "of",
    "on", "one", "or", "other", "our", "per", "s", "such", "that", "the", "their", "these", "this",
    "those", "to", "two", "under", "was", "we", "which", "who", "will", "with", "within", "you",
    "your",
];

/// A feature's 64-bit name hash: FNV-1a over `prefix`, ':' and `name`.
pub fn feature_hash(prefix: &str, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in prefix
        .bytes()
        .chain(std::iter::once(b':'))
        .chain(name.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Blanks URLs (`https://…`, `www.…`) and e-mail addresses: `http` in a link is
/// not the HTTP protocol, and a domain name is not a skill.
pub fn strip_links(text: &str) -> std::borrow::Cow<'_, str> {
    let lower_has = |t: &str| t.contains("://") || t.contains("www.") || t.contains('@');
    if !lower_has(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        // a token is a run of non-whitespace; links and addresses are whole tokens
        let start = rest
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || is_cjk(c))
            .unwrap_or(rest.len());
        let end = if end == 0 {
            rest.chars().next().map_or(0, char::len_utf8)
        } else {
            end
        };
        let token = &rest[..end];
        let lower = token.to_ascii_lowercase();
        let link = lower.contains("://") || lower.starts_with("www.") || lower.contains("(www.");
        let email = token
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.ends_with('.'));
        if link || email {
            out.push(' ');
        } else {
            out.push_str(token);
        }
        rest = &rest[end..];
    }
    std::borrow::Cow::Owned(out)
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

/// Splits folded text into ASCII words and runs of CJK characters.
fn pieces<'a>(text: &'a str, mut f: impl FnMut(&'a str, bool)) {
    let mut start: Option<(usize, bool)> = None;
    for (i, c) in text.char_indices() {
        let kind = if c.is_ascii_alphanumeric()
            || (c == '+' || c == '#') && start.is_some_and(|(_, cjk)| !cjk)
        {
            Some(false)
        } else if is_cjk(c) {
            Some(true)
        } else {
            None
        };
        match (start, kind) {
            (Some((_, k)), Some(k2)) if k == k2 => {}
            (Some((s, k)), _) => {
                f(&text[s..i], k);
                start = kind.map(|k2| (i, k2));
            }
            (None, Some(k2)) => start = Some((i, k2)),
            (None, None) => {}
        }
    }
    if let Some((s, k)) = start {
        f(&text[s..], k);
    }
}

/// Each pair of adjacent characters of a CJK run (the run itself when it is one character).
fn bigrams(run: &str, mut f: impl FnMut(&str)) {
    let idx: Vec<usize> = run
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(run.len()))
        .collect();
    if idx.len() == 2 {
        f(run);
        return;
    }
    for w in idx.windows(3) {
        f(&run[w[0]..w[2]]);
    }
}

fn word_bounded(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(|c| c.is_ascii_alphanumeric())
        && !after.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Which cue lists a text names, found in one pass: one automaton over every
/// list's terms; a short ASCII term (4 bytes or fewer) counts only as a whole word.
struct Cues {
    automaton: AhoCorasick,
    /// pattern → (list, whole word only)
    terms: Vec<(u8, bool)>,
}

impl Cues {
    fn new(lists: &[&[&str]]) -> Self {
        let mut patterns = Vec::new();
        let mut terms = Vec::new();
        for (l, list) in lists.iter().enumerate() {
            for term in *list {
                patterns.push(*term);
                terms.push((l as u8, term.len() <= 4 && term.is_ascii()));
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .build(&patterns)
            .unwrap_or_else(|e| panic!("cue lists always build an automaton: {e}"));
        Cues { automaton, terms }
    }

    /// Bit `l` is set when list `l` has a term in `text`.
    fn hits(&self, text: &str) -> u32 {
        let mut bits = 0u32;
        for m in self.automaton.find_overlapping_iter(text) {
            let (l, whole) = self.terms[m.pattern().as_usize()];
            if bits & (1 << l) == 0 && (!whole || word_bounded(text, m.start(), m.end())) {
                bits |= 1 << l;
            }
        }
        bits
    }
}

/// The title's cue lists, in the order of [`Cues::hits`]' bits.
const TITLE_CUES: [&[&str]; 9] = [
    SECURITY_TITLE,
    OTHER_SAFETY_TITLE,
    SALES_TITLE,
    &["售前", "presales", "pre-sales"],
    RISK_TITLE,
    CHIP_TITLE,
    SUPERVISORY_TITLE,
    SAFETY_ONLY_TITLE,
    CYBER_QUALIFIER,
];
const SALES: u32 = 2;
const PRESALES: u32 = 3;
const SAFETY_ONLY: u32 = 7;
const QUALIFIED: u32 = 8;
/// Title words of a kind of safety that is never cybersecurity (the guide's "安全 as safety").
const SAFETY_ONLY_TITLE: &[&str] = &[
    "食品安全",
    "食安",
    "安全生产",
    "生产安全",
    "质量安全",
    "消防",
    "安防",
    "保安",
    "交通安全",
    "配送安全",
    "施工安全",
    "化工安全",
    "药品安全",
    "安全驾驶",
    "安全环保",
    "职业健康",
    "安全监督",
    "功能安全",
    "内容审核",
    "ehs",
    "hse",
    "physical security",
    "security guard",
    "security police",
    "social security",
];
/// Title words that put a safety word back on computers and networks.
const CYBER_QUALIFIER: &[&str] = &[
    "网络",
    "信息",
    "数据",
    "系统",
    "主机",
    "终端",
    "代码",
    "应用",
    "云",
    "web",
    "app",
    "渗透",
    "攻防",
    "漏洞",
    "等保",
    "密码",
    "cyber",
    "infosec",
    "information",
    "it",
];
const TEXT_CUES: [&[&str]; 2] = [SECURITY_TEXT, COLLATERAL_TEXT];

/// Everything feature extraction needs from the competency model, built once.
pub struct FeatureSpace {
    /// NICE work role ids, sorted (the order of every per-role vector).
    pub nice_roles: Vec<String>,
    /// Platform role ids in catalog order.
    pub platform_roles: Vec<String>,
    titles: AhoCorasick,
    /// title pattern → platform role indices
    title_roles: Vec<Vec<usize>>,
    title_short: Vec<bool>,
    /// platform role → (NICE role index, weight)
    role_nice: Vec<Vec<(usize, f32)>>,
    /// statement word hash → range of `sim_weights`: the word's idf-weighted, per-role
    /// normalised weights, the non-zero ones (NICE role index, weight)
    sim_words: HashMap<u64, (u32, u32), std::hash::BuildHasherDefault<crate::learn::Mix>>,
    sim_weights: Vec<(u16, f32)>,
    /// skill index → NICE roles its statements belong to (index, share)
    skill_nice: Vec<Vec<(usize, f32)>>,
    security_skill: Vec<bool>,
    skill_ids: Vec<String>,
    skill_domains: Vec<String>,
    cert_ids: Vec<String>,
    phrases: AhoCorasick,
    title_cues: Cues,
    text_cues: Cues,
    /// [`STOP`]'s words by [`feature_hash`]`("d", word)`
    stop: std::collections::HashSet<u64, std::hash::BuildHasherDefault<crate::learn::Mix>>,
    /// phrase → (NICE role index, scope, ASCII word boundaries needed)
    phrase_roles: Vec<(usize, Scope, bool)>,
}

/// Receives features: `(prefix, name, value)`.
pub trait Sink {
    fn add(&mut self, prefix: &str, name: &str, value: f32);
    /// [`Self::add`] with the feature's [`feature_hash`] already computed.
    fn add_hashed(&mut self, prefix: &str, name: &str, hash: u64, value: f32) {
        let _ = hash;
        self.add(prefix, name, value)
    }
}

impl<F: FnMut(&str, &str, f32)> Sink for F {
    fn add(&mut self, prefix: &str, name: &str, value: f32) {
        self(prefix, name, value)
    }
}

fn stem(w: &str) -> &str {
    // plural and common suffixes, enough to meet statements' wording
    if w.len() > 4 && w.ends_with("ies") {
        return &w[..w.len() - 3];
    }
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        return &w[..w.len() - 1];
    }
    w
}

impl FeatureSpace {
    pub fn new(model: &CompetencyModel) -> Self {
        let mut nice_roles: Vec<String> = model.work_roles.iter().map(|r| r.id.clone()).collect();
        nice_roles.sort();
        let nice_idx: HashMap<&str, usize> = nice_roles
            .iter()
            .enumerate()
            .map(|(i, r)| (r.as_str(), i))
            .collect();
        let platform_roles: Vec<String> =
            model.platform_roles.iter().map(|r| r.id.clone()).collect();

        // title variants of the platform role catalog
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut title_roles: Vec<Vec<usize>> = Vec::new();
        let mut buf = String::new();
        for (ri, r) in model.platform_roles.iter().enumerate() {
            for v in [&r.name_zh, &r.name_en].into_iter().chain(&r.variants) {
                fold_into(v, &mut buf);
                if buf.chars().count() < 2 {
                    continue;
                }
                let id = *index.entry(buf.clone()).or_insert_with(|| {
                    patterns.push(buf.clone());
                    title_roles.push(Vec::new());
                    patterns.len() - 1
                });
                if !title_roles[id].contains(&ri) {
                    title_roles[id].push(ri);
                }
            }
        }
        let title_short = patterns
            .iter()
            .map(|p| p.len() <= 4 && p.is_ascii())
            .collect();
        let titles = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .unwrap_or_else(|e| panic!("role variants always build an automaton: {e}"));
        let role_nice = model
            .platform_roles
            .iter()
            .map(|r| {
                r.nice_role_ids
                    .iter()
                    .enumerate()
                    .filter_map(|(i, n)| {
                        nice_idx
                            .get(n.as_str())
                            .map(|&k| (k, [1.0, 0.6, 0.4].get(i).copied().unwrap_or(0.3)))
                    })
                    .collect()
            })
            .collect();

        // statement similarity: each role's statements as one bag of words, tf-idf, normalised
        let stmt_text: HashMap<&str, &str> = model
            .statements
            .iter()
            .map(|s| (s.id.as_str(), s.text.as_str()))
            .collect();
        let mut role_words: Vec<BTreeMap<String, f32>> = vec![BTreeMap::new(); nice_roles.len()];
        for l in &model.role_statements {
            let (Some(&ri), Some(text)) =
                (nice_idx.get(l.from.as_str()), stmt_text.get(l.to.as_str()))
            else {
                continue;
            };
            fold_into(text, &mut buf);
            pieces(&buf, |w, cjk| {
                if !cjk && w.len() > 2 && STOP.binary_search(&w).is_err() {
                    *role_words[ri].entry(stem(w).to_string()).or_default() += 1.0;
                }
            });
        }
        let mut df: BTreeMap<&str, f32> = BTreeMap::new();
        for words in &role_words {
            for w in words.keys() {
                *df.entry(w.as_str()).or_default() += 1.0;
            }
        }
        let n = nice_roles.len() as f32;
        let mut dense: HashMap<u64, Vec<f32>> = HashMap::default();
        for (ri, words) in role_words.iter().enumerate() {
            let weights: Vec<(&String, f32)> = words
                .iter()
                .map(|(w, tf)| {
                    (
                        w,
                        (1.0 + tf.ln()) * (n / df.get(w.as_str()).copied().unwrap_or(1.0)).ln(),
                    )
                })
                .collect();
            let norm = weights
                .iter()
                .map(|(_, x)| x * x)
                .sum::<f32>()
                .sqrt()
                .max(1e-6);
            for (w, x) in weights {
                if x > 0.0 {
                    dense
                        .entry(feature_hash("d", w))
                        .or_insert_with(|| vec![0.0; nice_roles.len()])[ri] = x / norm;
                }
            }
        }
        let mut sim_words: HashMap<
            u64,
            (u32, u32),
            std::hash::BuildHasherDefault<crate::learn::Mix>,
        > = HashMap::default();
        let mut sim_weights = Vec::new();
        for (h, v) in dense {
            let start = sim_weights.len() as u32;
            sim_weights.extend(
                v.iter()
                    .enumerate()
                    .filter(|(_, x)| **x != 0.0)
                    .map(|(r, x)| (r as u16, *x)),
            );
            sim_words.insert(h, (start, sim_weights.len() as u32));
        }

        // skills → NICE roles through the statements they are linked to
        let mut stmt_roles: HashMap<&str, Vec<usize>> = HashMap::new();
        for l in &model.role_statements {
            if let Some(&ri) = nice_idx.get(l.from.as_str()) {
                stmt_roles.entry(l.to.as_str()).or_default().push(ri);
            }
        }
        let skill_idx: HashMap<&str, usize> = model
            .skills
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let mut skill_counts: Vec<BTreeMap<usize, f32>> = vec![BTreeMap::new(); model.skills.len()];
        for l in &model.skill_nice_links {
            let (Some(&si), Some(roles)) = (
                skill_idx.get(l.skill_id.as_str()),
                stmt_roles.get(l.target_id.as_str()),
            ) else {
                continue;
            };
            for &r in roles {
                *skill_counts[si].entry(r).or_default() += 1.0;
            }
        }
        let skill_nice = skill_counts
            .into_iter()
            .map(|m| {
                let total: f32 = m.values().sum();
                let mut v: Vec<(usize, f32)> = m
                    .into_iter()
                    .map(|(r, c)| (r, c / total.max(1.0)))
                    .collect();
                v.sort_by_key(|x| x.0);
                v
            })
            .collect();
        let security_skill = model
            .skills
            .iter()
            .map(|s| {
                SECURITY_DOMAINS.contains(&s.domain_id.as_str())
                    && !matches!(s.kind, SkillKind::Language | SkillKind::Platform)
            })
            .collect();
        let mut phrase_list: Vec<String> = Vec::new();
        let mut phrase_roles = Vec::new();
        for (n, line) in POLICY_PHRASES.lines().enumerate().skip(1) {
            let cols: Vec<&str> = line.split('|').collect();
            let (Some(phrase), Some(role), Some(scope)) = (cols.first(), cols.get(1), cols.get(2))
            else {
                continue;
            };
            let Some(&ri) = nice_idx.get(*role) else {
                panic!(
                    "data/classifier/policy-phrases.csv, line {}: `{role}` is not a NICE work role",
                    n + 1
                )
            };
            let scope = match *scope {
                "specialty" => Scope::Specialty,
                "title" => Scope::Title,
                "text" => Scope::Text,
                "any" => Scope::Any,
                other => panic!(
                    "data/classifier/policy-phrases.csv, line {}: scope `{other}` is not specialty, title, text or any",
                    n + 1
                ),
            };
            fold_into(phrase, &mut buf);
            phrase_list.push(buf.clone());
            phrase_roles.push((ri, scope, buf.is_ascii()));
        }
        let phrases = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&phrase_list)
            .unwrap_or_else(|e| panic!("policy phrases always build an automaton: {e}"));
        FeatureSpace {
            phrases,
            title_cues: Cues::new(&TITLE_CUES),
            text_cues: Cues::new(&TEXT_CUES),
            stop: STOP.iter().map(|w| feature_hash("d", w)).collect(),
            phrase_roles,
            nice_roles,
            platform_roles,
            titles,
            title_roles,
            title_short,
            role_nice,
            sim_words,
            sim_weights,
            skill_nice,
            security_skill,
            skill_ids: model.skills.iter().map(|s| s.id.clone()).collect(),
            skill_domains: model.skills.iter().map(|s| s.domain_id.clone()).collect(),
            cert_ids: model.certifications.iter().map(|c| c.id.clone()).collect(),
        }
    }

    /// Whether the labeling guide's definitions exclude the posting whatever
    /// the text's statistics say: a sales job (销售经理（网络安全）; pre-sales
    /// is a security job), or another kind of safety (食品安全管理员) with no
    /// word that puts it on computers. `title` is folded; `cues` is what
    /// [`Self::extract`] returned for it.
    pub fn excluded_by_policy(&self, title: &str, cues: u32) -> bool {
        let on = |bits: u32, l: u32| bits & (1 << l) != 0;
        // sales in the title proper, not only in its parentheses
        let sales = on(cues, SALES)
            && !on(cues, PRESALES)
            && on(self.title_cues.hits(split_paren(title).0), SALES);
        let safety = on(cues, SAFETY_ONLY) && !on(cues, QUALIFIED);
        sales || safety
    }

    /// Calls `sink` with every feature of a posting. `title` and `description`
    /// are already folded and stripped of links; `found` is what the skill
    /// matcher found in them. A name may repeat; the caller keeps the largest value.
    /// Returns the title's cue bits (for [`Self::excluded_by_policy`]).
    pub fn extract(
        &self,
        title: &str,
        description: &str,
        found: &[Found],
        sink: &mut impl Sink,
    ) -> u32 {
        sink.add("b", "", 1.0);
        // the title, and the specialty in its parentheses (OPM: `IT Specialist (INFOSEC/PLCYPLN)`)
        let (main, paren) = split_paren(title);
        let mut prev: Option<&str> = None;
        let mut pair = String::new();
        pieces(main, |w, cjk| {
            if cjk {
                bigrams(w, |b| sink.add("t", b, 1.0));
                prev = None;
            } else {
                sink.add("t", w, 1.0);
                if let Some(p) = prev {
                    pair.clear();
                    pair.push_str(p);
                    pair.push('_');
                    pair.push_str(w);
                    sink.add("t2", &pair, 1.0);
                }
                prev = Some(w);
            }
        });
        let mut first = true;
        pieces(paren, |w, cjk| {
            if cjk {
                bigrams(w, |b| sink.add("p", b, 1.0));
            } else {
                sink.add("p", w, 1.0);
                if first {
                    sink.add("p1", w, 1.0);
                }
            }
            first = false;
        });
        // the catalog's title variants: which platform roles the title names, and the head (last) one
        // per NICE role: evidence from title variants, title and specialty phrases, text
        // phrases, statement similarity, skills (one allocation)
        let n = self.nice_roles.len();
        let mut scratch = vec![0.0f32; 6 * n];
        let (vn, rest) = scratch.split_at_mut(n);
        let (pp, rest) = rest.split_at_mut(n);
        let (ps, rest) = rest.split_at_mut(n);
        let (pd, rest) = rest.split_at_mut(n);
        let (sim, ks) = rest.split_at_mut(n);
        let mut head: Option<usize> = None;
        for m in self.titles.find_iter(title) {
            let pid = m.pattern().as_usize();
            if self.title_short[pid] && !word_bounded(title, m.start(), m.end()) {
                continue;
            }
            head = Some(pid);
            for &r in &self.title_roles[pid] {
                sink.add("v", &self.platform_roles[r], 1.0);
                for &(n, w) in &self.role_nice[r] {
                    vn[n] = vn[n].max(w);
                }
            }
        }
        if let Some(pid) = head {
            for &r in &self.title_roles[pid] {
                sink.add("vh", &self.platform_roles[r], 1.0);
            }
        }
        for (i, &x) in vn.iter().enumerate() {
            if x > 0.0 {
                sink.add("vn", &self.nice_roles[i], x);
            }
        }
        // the policy's phrases: in the specialty (the first one counts most), the title, the text
        let paren_at = title.len() - paren.len();
        let mut head_phrase: Option<(usize, usize, usize)> = None;
        // specialties listed after the first (`infosec/network`): weaker evidence, weighed apart
        let mut later: Vec<usize> = Vec::new();
        for m in self.phrases.find_overlapping_iter(title) {
            let (ri, scope, ascii) = self.phrase_roles[m.pattern().as_usize()];
            if ascii && !word_bounded(title, m.start(), m.end()) {
                continue;
            }
            let in_paren = !paren.is_empty() && m.start() >= paren_at;
            match scope {
                Scope::Specialty if in_paren => {
                    // `(infosec/plcypln)`: the first specialty decides
                    let first = title[paren_at..m.start()]
                        .chars()
                        .all(|c| !c.is_ascii_alphanumeric());
                    if first {
                        ps[ri] = 1.0;
                    } else {
                        later.push(ri);
                    }
                }
                Scope::Title | Scope::Any => {
                    pp[ri] = 1.0;
                    // the head phrase: the one that ends last outside the parentheses
                    // (`安全服务项目经理` is a project manager, `SOC售前工程师` pre-sales)
                    if !in_paren
                        && head_phrase.is_none_or(|(_, e, s)| (m.end(), s) > (e, m.start()))
                    {
                        head_phrase = Some((ri, m.end(), m.start()));
                    }
                }
                _ => {}
            }
        }
        if let Some((ri, _, _)) = head_phrase {
            sink.add("ph", &self.nice_roles[ri], 1.0);
        }
        for ri in later {
            if ps[ri] == 0.0 {
                sink.add("ps2", &self.nice_roles[ri], 1.0);
            }
        }
        for (i, (&x, &y)) in pp.iter().zip(ps.iter()).enumerate() {
            if x > 0.0 {
                sink.add("pp", &self.nice_roles[i], x);
            }
            if y > 0.0 {
                sink.add("ps", &self.nice_roles[i], y);
            }
        }
        for m in self.phrases.find_overlapping_iter(description) {
            let (ri, scope, ascii) = self.phrase_roles[m.pattern().as_usize()];
            if matches!(scope, Scope::Text | Scope::Any)
                && (!ascii || word_bounded(description, m.start(), m.end()))
            {
                pd[ri] = 1.0;
            }
        }
        for (i, &x) in pd.iter().enumerate() {
            if x > 0.0 {
                sink.add("pd", &self.nice_roles[i], 1.0);
            }
        }
        // cues
        let t = self.title_cues.hits(title);
        let on = |bits: u32, l: u32| bits & (1 << l) != 0;
        if on(t, 0) {
            sink.add("cue", "security-title", 1.0);
        }
        if on(t, 1) {
            sink.add("cue", "other-safety-title", 1.0);
        }
        if on(t, 2) && !on(t, 3) {
            sink.add("cue", "sales-title", 1.0);
        }
        if on(t, 4) {
            sink.add("cue", "risk-title", 1.0);
        }
        if on(t, 5) {
            sink.add("cue", "chip-title", 1.0);
        }
        if on(t, 6) {
            sink.add("cue", "supervisory-title", 1.0);
            // a supervisor whose title names no other specialty (`Supervisory IT Specialist
            // (INFOSEC)`): the policy's "supervisory: OG-WRL-014"
            if ps.iter().all(|&x| x == 0.0) {
                sink.add("cue", "supervisory-generic", 1.0);
            }
        }
        let d = self.text_cues.hits(description);
        if on(d, 0) {
            sink.add("cue", "security-text", 1.0);
        }
        if on(d, 1) {
            sink.add("cue", "collateral-text", 1.0);
        }
        if description.trim().is_empty() {
            sink.add("cue", "no-description", 1.0);
        }
        // description words and their similarity to each work role's statements
        pieces(description, |w, cjk| {
            if cjk || w.len() < 2 {
                return;
            }
            // one hash per word: the feature's own, which also keys the stop words
            // and the statement vocabulary
            let h0 = feature_hash("d", w);
            if self.stop.contains(&h0) {
                return;
            }
            let stemmed = stem(w);
            let (w, h) = if stemmed.len() == w.len() {
                (w, h0)
            } else {
                (stemmed, feature_hash("d", stemmed))
            };
            sink.add_hashed("d", w, h, 1.0);
            if let Some(&(a, b)) = self.sim_words.get(&h) {
                for &(r, x) in &self.sim_weights[a as usize..b as usize] {
                    sim[r as usize] += x;
                }
            }
        });
        let max = sim.iter().copied().fold(0.0f32, f32::max);
        if max > 0.05 {
            for (i, &s) in sim.iter().enumerate() {
                if s >= 0.5 * max {
                    sink.add("sim", &self.nice_roles[i], s / max);
                }
            }
        }
        // the lexicon's skills and certifications, and the work roles their statements belong to
        let mut security = 0u32;
        for f in found {
            match f.kind {
                FoundKind::Skill => {
                    sink.add("s", &self.skill_ids[f.index], 1.0);
                    sink.add("sd", &self.skill_domains[f.index], 1.0);
                    if self.security_skill[f.index] {
                        security += 1;
                    }
                    for &(r, w) in &self.skill_nice[f.index] {
                        ks[r] += w;
                    }
                }
                FoundKind::Certification => sink.add("c", &self.cert_ids[f.index], 1.0),
            }
        }
        if security > 0 {
            sink.add(
                "cue",
                "security-skills",
                (1.0 + security as f32).log2() / 3.0,
            );
        }
        let max = ks.iter().copied().fold(0.0f32, f32::max);
        if max > 0.0 {
            for (i, &s) in ks.iter().enumerate() {
                if s >= 0.5 * max {
                    sink.add("ks", &self.nice_roles[i], s / max);
                }
            }
        }
        t
    }

    /// Folds and strips the raw texts, finds skills, and extracts: the one
    /// path both training and classification take.
    pub fn prepare(
        matcher: &SkillMatcher,
        title: &str,
        description: &str,
        t: &mut String,
        d: &mut String,
    ) -> Vec<Found> {
        fold_into(&strip_links(title), t);
        blank_places(t);
        fold_into(&strip_links(description), d);
        matcher.find_folded(t, d)
    }
}

/// Blanks [`PLACES_WITH_AN`] in a folded title.
fn blank_places(t: &mut String) {
    if !t.contains('安') {
        return;
    }
    let mut out = String::with_capacity(t.len());
    let mut rest = t.as_str();
    'next: while let Some(c) = rest.chars().next() {
        for name in PLACES_WITH_AN {
            if let Some(after) = rest.strip_prefix(name) {
                let ambiguous = name.ends_with('安')
                    && after.starts_with('全')
                    && !after.starts_with("全栈")
                    && !after.starts_with("全职");
                if !ambiguous {
                    out.push(' ');
                    rest = after;
                    continue 'next;
                }
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    *t = out;
}

/// `it specialist (infosec/plcypln) (direct hire)` → (`it specialist `, `infosec/plcypln) (direct hire`).
fn split_paren(title: &str) -> (&str, &str) {
    match title.find(['(', '[']) {
        Some(i) => (&title[..i], &title[i + 1..]),
        None => (title, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The list holds every province and prefecture-level city with 安 in its
    /// short name (`data/geo/cn-divisions.csv`), and 宝安 (a Shenzhen district
    /// job boards name).
    #[test]
    fn places_with_an_are_the_gazetteers() {
        let mut want: Vec<&str> = crate::location::CN
            .lines()
            .skip(1)
            .flat_map(|l| {
                let f: Vec<&str> = l.split('|').collect();
                [f.get(1).copied(), f.get(4).copied()]
            })
            .flatten()
            .filter(|n| n.contains('安'))
            .chain(["宝安"])
            .collect();
        want.sort_unstable();
        want.dedup();
        let mut have = PLACES_WITH_AN.to_vec();
        have.sort_unstable();
        assert_eq!(have, want);
    }

    #[test]
    fn place_names_do_not_make_security_words() {
        let blank = |t: &str| {
            let mut s = t.to_string();
            blank_places(&mut s);
            s
        };
        assert!(!blank("软件开发工程师(中国电信安徽公司)").contains("信安"));
        assert!(!blank("西安全栈工程师").contains("安全"));
        assert_eq!(blank("西安安全工程师"), " 安全工程师");
        // 推广 + 安全, not 广安 + 全
        assert_eq!(blank("推广安全产品"), "推广安全产品");
        assert_eq!(blank("渗透测试(大兴安岭)"), "渗透测试( )");
        assert_eq!(blank("security engineer"), "security engineer");
    }

    #[test]
    fn links_and_addresses_are_blanked() {
        assert_eq!(
            strip_links("see https://www.usajobs.gov/job/1 or mail hr@agency.gov now")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["see", "or", "mail", "now"]
        );
        assert_eq!(
            strip_links("熟悉HTTP协议，简历投递至jobs@example.com谢谢"),
            "熟悉HTTP协议，简历投递至 谢谢"
        );
        assert_eq!(strip_links("visit www.jobs.irs.gov."), "visit  ");
        assert!(matches!(
            strip_links("plain text, no links"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn words_and_character_pairs() {
        let mut v = Vec::new();
        pieces("web安全工程师 (infosec/plcypln)", |w, cjk| {
            v.push((w.to_string(), cjk))
        });
        assert_eq!(
            v,
            [
                ("web".into(), false),
                ("安全工程师".into(), true),
                ("infosec".into(), false),
                ("plcypln".into(), false)
            ]
        );
        let mut b = Vec::new();
        bigrams("安全工程师", |x| b.push(x.to_string()));
        assert_eq!(b, ["安全", "全工", "工程", "程师"]);
        let mut b = Vec::new();
        bigrams("安", |x| b.push(x.to_string()));
        assert_eq!(b, ["安"]);
        assert_eq!(
            split_paren("it specialist (infosec/plcypln)"),
            ("it specialist ", "infosec/plcypln)")
        );
    }

    proptest! {
        #[test]
        fn stripping_never_panics_and_never_grows_much(s in "\\PC{0,80}") {
            let out = strip_links(&s);
            prop_assert!(out.len() <= s.len() + s.split_whitespace().count() + 1);
        }

        /// One automaton pass finds the same lists as looking for each term in turn
        /// (short ASCII terms as whole words only).
        #[test]
        fn cue_automaton_equals_term_by_term(parts in proptest::collection::vec((0usize..200, "[a-z ,()安全]{0,3}"), 0..8)) {
            let terms: Vec<&str> = TITLE_CUES.iter().flat_map(|l| l.iter().copied()).collect();
            let text: String = parts.iter().map(|(i, glue)| format!("{}{glue}", terms[i % terms.len()])).collect();
            let naive = |term: &str| {
                if term.len() > 4 || !term.is_ascii() {
                    return text.contains(term);
                }
                text.match_indices(term).any(|(i, _)| word_bounded(&text, i, i + term.len()))
            };
            let want = TITLE_CUES
                .iter()
                .enumerate()
                .fold(0u32, |b, (l, list)| if list.iter().any(|t| naive(t)) { b | 1 << l } else { b });
            prop_assert_eq!(Cues::new(&TITLE_CUES).hits(&text), want, "{}", text);
        }

        #[test]
        fn pieces_cover_only_words(s in "\\PC{0,60}") {
            pieces(&s, |w, cjk| {
                assert!(!w.is_empty());
                assert!(w.chars().all(|c| if cjk { is_cjk(c) } else { c.is_ascii_alphanumeric() || c == '+' || c == '#' }));
            });
        }
    }
}
