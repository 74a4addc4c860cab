//! Clearly labelled synthetic talent data for demos and benchmarks: schools,
//! programs, cohorts, students, a cybersecurity curriculum mapped to lexicon
//! skills, and each student's grades, internship evaluations, competition
//! results and certificates. Deterministic for a seed. No real person.

use crate::evidence::{
    CourseSkill, Evidence, EvidenceKind, Observation, category_skills, competition_level,
    course_observations,
};
use crate::grade;
use chrono::{Duration, NaiveDate};

/// A course of the synthetic curriculum: name and (skill, target level).
pub const CURRICULUM: &[(&str, &[(&str, f64)])] = &[
    ("计算机网络", &[("tcp-ip", 3.0), ("routing-switching", 2.0)]),
    ("操作系统", &[("os-internals", 3.0), ("linux", 3.0)]),
    (
        "程序设计（Python）",
        &[("python", 3.0), ("automation-scripting", 2.0)],
    ),
    ("C语言程序设计", &[("c", 3.0), ("data-structures", 2.0)]),
    (
        "数据库原理",
        &[("sql", 3.0), ("mysql", 2.0), ("database-security", 2.0)],
    ),
    (
        "网络安全基础",
        &[
            ("network-security", 3.0),
            ("firewall", 2.0),
            ("cybersecurity-law", 2.0),
        ],
    ),
    (
        "Web安全",
        &[
            ("web-security", 4.0),
            ("sql-injection", 4.0),
            ("xss", 4.0),
            ("owasp-top10", 4.0),
            ("burp-suite", 2.0),
        ],
    ),
    (
        "渗透测试技术",
        &[
            ("penetration-testing", 4.0),
            ("nmap", 4.0),
            ("metasploit", 2.0),
            ("privilege-escalation", 2.0),
            ("security-assessment-report", 2.0),
        ],
    ),
    (
        "密码学",
        &[
            ("cryptography", 3.0),
            ("symmetric-crypto", 3.0),
            ("asymmetric-crypto", 3.0),
            ("sm-algorithms", 2.0),
        ],
    ),
    (
        "操作系统安全",
        &[
            ("linux-security", 4.0),
            ("windows-security", 4.0),
            ("hardening", 4.0),
            ("security-baseline", 2.0),
        ],
    ),
    (
        "安全运维",
        &[
            ("security-monitoring", 4.0),
            ("log-analysis", 4.0),
            ("ids-ips", 2.0),
            ("vuln-management", 2.0),
            ("siem", 2.0),
        ],
    ),
    (
        "应急响应与取证",
        &[
            ("incident-response", 4.0),
            ("digital-forensics", 4.0),
            ("memory-forensics", 2.0),
            ("volatility", 2.0),
        ],
    ),
    (
        "等级保护与风险评估",
        &[
            ("mlps-2", 4.0),
            ("risk-assessment", 4.0),
            ("mlps-assessment", 2.0),
            ("assessment-report", 2.0),
        ],
    ),
    (
        "逆向工程",
        &[
            ("reverse-engineering", 3.0),
            ("x86-assembly", 2.0),
            ("ida-pro", 2.0),
        ],
    ),
    (
        "云计算安全",
        &[
            ("cloud-security", 2.0),
            ("docker", 2.0),
            ("kubernetes", 2.0),
        ],
    ),
    (
        "数据安全与隐私保护",
        &[
            ("data-security", 3.0),
            ("data-classification", 2.0),
            ("pipl", 2.0),
            ("data-masking", 2.0),
        ],
    ),
];

/// Directions (专业方向) a student may take in years 3–4: a module written
/// for a platform role's core skills (`data/roles.csv`; a test holds each module
/// to its role), the internship post that goes with it, and the certificate
/// students of that direction take. Most students take none, and the rest
/// learn it to very different levels: so per role a few are ready, more are
/// near-ready, most are not.
pub const TRACKS: &[Track] = &[
    Track {
        role: "pentester",
        course: "方向课：渗透测试",
        post: "渗透测试实习",
        cert: Some("cisp-pte"),
        skills: &[
            "penetration-testing",
            "web-penetration-testing",
            "web-vulnerabilities",
            "sql-injection",
            "xss",
            "burp-suite",
            "nmap",
            "metasploit",
            "sqlmap",
            "privilege-escalation",
            "internal-network-penetration",
            "security-assessment-report",
            "python",
            "linux",
        ],
    },
    Track {
        role: "soc-analyst",
        course: "方向课：安全运营",
        post: "安全运营实习",
        cert: Some("nisp-2"),
        skills: &[
            "security-monitoring",
            "alert-triage",
            "log-analysis",
            "siem",
            "ids-ips",
            "edr",
            "packet-analysis",
            "incident-response",
            "mitre-attack",
            "threat-hunting",
            "tcp-ip",
            "linux",
            "windows-security",
        ],
    },
    Track {
        role: "mlps-assessor",
        course: "方向课：等级保护测评",
        post: "等保测评实习",
        cert: Some("one-plus-x-assessment"),
        skills: &[
            "mlps-2",
            "mlps-assessment",
            "gbt-28448",
            "security-baseline",
            "vulnerability-scanning",
            "network-device-audit",
            "assessment-report",
            "audit-evidence",
            "linux",
            "windows-server",
            "database-security",
            "mlps-filing",
        ],
    },
    Track {
        role: "secops-engineer",
        course: "方向课：安全运维",
        post: "安全运维实习",
        cert: Some("ruankao-security-engineer"),
        skills: &[
            "firewall",
            "ids-ips",
            "waf",
            "security-baseline",
            "hardening",
            "vuln-management",
            "vulnerability-scanning",
            "linux",
            "windows-server",
            "log-analysis",
            "bastion-host",
            "patching",
        ],
    },
    Track {
        role: "appsec-engineer",
        course: "方向课：应用安全",
        post: "应用安全实习",
        cert: None,
        skills: &[
            "web-security",
            "owasp-top10",
            "code-audit",
            "sast",
            "dast",
            "threat-modeling",
            "sdl",
            "secure-coding",
            "burp-suite",
            "api-security",
            "sca",
            "java",
            "python",
        ],
    },
    Track {
        role: "network-security-engineer",
        course: "方向课：网络安全工程",
        post: "网络安全工程实习",
        cert: Some("nisp-2"),
        skills: &[
            "firewall",
            "ids-ips",
            "vpn",
            "tcp-ip",
            "routing-switching",
            "waf",
            "network-security",
            "packet-analysis",
            "anti-ddos",
            "nac",
            "linux",
        ],
    },
    Track {
        role: "incident-responder",
        course: "方向课：应急响应",
        post: "应急响应实习",
        cert: None,
        skills: &[
            "incident-response",
            "intrusion-investigation",
            "root-cause-analysis",
            "log-analysis",
            "memory-forensics",
            "windows-forensics",
            "linux-forensics",
            "malware-analysis",
            "webshell-detection",
            "ransomware-response",
            "eradication-recovery",
            "incident-reporting",
        ],
    },
    Track {
        role: "forensics-analyst",
        course: "方向课：电子数据取证",
        post: "电子数据取证实习",
        cert: None,
        skills: &[
            "digital-forensics",
            "disk-forensics",
            "memory-forensics",
            "mobile-forensics",
            "evidence-handling",
            "timeline-analysis",
            "volatility",
            "autopsy",
            "encase",
            "ftk",
            "forensic-reporting",
            "windows-forensics",
        ],
    },
    Track {
        role: "data-security-engineer",
        course: "方向课：数据安全",
        post: "数据安全实习",
        cert: None,
        skills: &[
            "data-security",
            "data-classification",
            "dlp",
            "data-masking",
            "data-encryption",
            "data-lifecycle-security",
            "database-security",
            "data-security-law",
            "pipl",
            "data-security-assessment",
            "dsmm",
        ],
    },
    Track {
        role: "security-service-engineer",
        course: "方向课：安全服务",
        post: "安全服务实习",
        cert: Some("nisp-2"),
        skills: &[
            "security-service-delivery",
            "penetration-testing",
            "vulnerability-scanning",
            "incident-response",
            "security-baseline",
            "hardening",
            "attack-defense-exercise",
            "security-duty",
            "assessment-report",
        ],
    },
];

/// A direction (专业方向): see [`TRACKS`].
#[derive(Debug, Clone, Copy)]
pub struct Track {
    pub role: &'static str,
    pub course: &'static str,
    pub post: &'static str,
    pub cert: Option<&'static str>,
    pub skills: &'static [&'static str],
}

impl Track {
    /// The direction's two modules (一, 二), half each, aiming at level 5 (so
    /// a pass shows level 3 and full marks level 5; a student may do well in
    /// one and not the other). They leave out about a quarter of the role's
    /// skills — ones no other course teaches to level 3 — which are learnt on
    /// the internship: a good student with the modules alone is near-ready,
    /// one who also interned there is ready.
    pub fn modules(&self) -> [(String, Vec<(&'static str, f64)>); 2] {
        let elsewhere = |k: &str| {
            CURRICULUM
                .iter()
                .any(|(_, skills)| skills.iter().any(|(s, l)| *s == k && *l >= 3.0))
        };
        let mut left_out = self.skills.len().div_ceil(4);
        let mut taught: Vec<&'static str> = Vec::with_capacity(self.skills.len());
        for k in self.skills.iter().rev() {
            if left_out > 0 && !elsewhere(k) {
                left_out -= 1;
            } else {
                taught.push(k);
            }
        }
        taught.reverse();
        let half = taught.len().div_ceil(2);
        let part = |name: &str, skills: &[&'static str]| {
            (
                format!("{}（{name}）", self.course),
                skills.iter().map(|k| (*k, MODULE_LEVEL)).collect(),
            )
        };
        [part("一", &taught[..half]), part("二", &taught[half..])]
    }
}

/// Per program (in [`PROGRAMS`]' order): the share of students who take a
/// direction, and how much stronger or weaker its students are (programs
/// differ: a cyberspace-security major teaches more security than a general
/// computer-science one).
pub const PROGRAM_PROFILE: &[(f64, f64)] = &[(0.8, 0.08), (0.75, 0.04), (0.4, 0.0), (0.25, -0.06)];

/// The level a direction's module aims at (see [`Track::modules`]).
const MODULE_LEVEL: f64 = 5.0;
/// A direction's own internship post goes to some of its students, more often
/// to strong ones: the chance is `0 + 0.35 × aptitude`. Fewer than half find
/// one, so per role more students are near-ready than ready.
const PLACED: (f64, f64) = (0.0, 0.35);

/// Internship rubrics: the skills an enterprise mentor evaluates per post.
const INTERNSHIPS: &[(&str, &[&str])] = &[
    (
        "安全服务实习",
        &[
            "penetration-testing",
            "vulnerability-scanning",
            "security-assessment-report",
            "web-security",
            "nmap",
            "burp-suite",
        ],
    ),
    (
        "安全运营实习",
        &[
            "security-monitoring",
            "alert-triage",
            "log-analysis",
            "siem",
            "incident-response",
            "linux",
        ],
    ),
    (
        "等保测评实习",
        &[
            "mlps-assessment",
            "mlps-2",
            "security-baseline",
            "vulnerability-scanning",
            "assessment-report",
        ],
    ),
    (
        "安全开发实习",
        &[
            "python",
            "go",
            "secure-coding",
            "security-tool-development",
            "git",
        ],
    ),
];

const EVENTS: &[&str] = &[
    "强网杯",
    "网鼎杯",
    "CISCN 全国大学生信息安全竞赛",
    "蓝帽杯",
    "校内CTF",
];
const CATEGORIES: &[&str] = &["Web", "Pwn", "Reverse", "Crypto", "Misc", "取证", "AWD"];
/// Certificates students commonly hold, with the level and skills the
/// catalog gives them (data/certification-skills.csv; a test holds them equal).
const CERTS: &[(&str, f64, &[&str])] = &[
    (
        "nisp-1",
        1.0,
        &[
            "security-awareness",
            "network-security",
            "password-policy",
            "antivirus",
            "cybersecurity-law",
        ],
    ),
    (
        "nisp-2",
        2.0,
        &[
            "network-security",
            "security-baseline",
            "hardening",
            "cryptography",
            "access-control",
            "risk-assessment",
            "mlps-2",
            "cybersecurity-law",
        ],
    ),
    (
        "one-plus-x-assessment",
        2.0,
        &[
            "mlps-assessment",
            "vulnerability-scanning",
            "security-baseline",
            "risk-assessment",
            "assessment-report",
        ],
    ),
    (
        "cisp-pte",
        3.0,
        &[
            "penetration-testing",
            "web-penetration-testing",
            "sql-injection",
            "xss",
            "file-upload-vuln",
            "file-inclusion",
            "burp-suite",
            "sqlmap",
            "privilege-escalation",
        ],
    ),
    (
        "ruankao-security-engineer",
        3.0,
        &[
            "network-security",
            "cryptography",
            "security-policy",
            "risk-assessment",
            "access-control",
            "firewall",
            "ids-ips",
            "pki",
            "mlps-2",
        ],
    ),
];

/// Synthetic schools (labelled as such in their names), with region.
pub const SCHOOLS: &[(&str, &str)] = &[
    ("示例职业技术学院（合成数据）", "湖北"),
    ("示例理工大学（合成数据）", "广东"),
    ("示例信息工程学院（合成数据）", "江苏"),
    ("示例科技大学（合成数据）", "北京"),
    ("示例电子职业学院（合成数据）", "四川"),
    ("示例网络安全学院（合成数据）", "浙江"),
];
pub const PROGRAMS: &[&str] = &[
    "网络空间安全",
    "信息安全技术应用",
    "网络工程",
    "计算机科学与技术",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A synthetic student.
#[derive(Debug, Clone)]
pub struct Student {
    pub id: u64,
    pub name: String,
    pub student_number: String,
    pub school: usize,
    pub program: usize,
    pub graduation_year: i32,
    /// The direction taken (index into [`TRACKS`]), if any.
    pub track: Option<usize>,
}

/// Generates `people` students with about `per_person` pieces of evidence each.
pub struct Synthetic {
    rng: Rng,
    next_evidence: u64,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "俊",
    "婷", "浩", "宇",
];

impl Synthetic {
    pub fn new(seed: u64) -> Self {
        Synthetic {
            rng: Rng(seed),
            next_evidence: 1,
        }
    }

    pub fn student(&mut self, id: u64) -> Student {
        let school = self.rng.below(SCHOOLS.len() as u64) as usize;
        let name = format!(
            "{}{}",
            SURNAMES[self.rng.below(SURNAMES.len() as u64) as usize],
            GIVEN[self.rng.below(GIVEN.len() as u64) as usize]
        );
        let graduation_year = 2024 + self.rng.below(4) as i32;
        let program = self.rng.below(PROGRAMS.len() as u64) as usize;
        let (share, _) = PROGRAM_PROFILE[program % PROGRAM_PROFILE.len()];
        let track = (self.rng.unit() < share).then(|| self.rng.below(TRACKS.len() as u64) as usize);
        Student {
            id,
            name,
            student_number: format!("{}{:02}{:06}", graduation_year - 4, school, id),
            school,
            program,
            graduation_year,
            track,
        }
    }

    /// About `per_person` pieces of evidence for a student: course grades
    /// (most of it), internship rubrics, competitions, certificates. An
    /// aptitude per student makes some strong and some weak.
    pub fn evidence(&mut self, s: &Student, per_person: usize) -> Vec<Evidence> {
        let (_, strength) = PROGRAM_PROFILE[s.program % PROGRAM_PROFILE.len()];
        let aptitude = (0.35 + 0.6 * self.rng.unit() + strength).clamp(0.0, 1.0);
        let track = s.track.map(|t| TRACKS[t]);
        let start = NaiveDate::from_ymd_opt(s.graduation_year - 4, 9, 1).unwrap_or_default();
        let school = SCHOOLS[s.school].0.to_string();
        let mut out = Vec::with_capacity(per_person);
        let mut push = |kind: EvidenceKind,
                        org: &str,
                        date: NaiveDate,
                        observations: Vec<Observation>,
                        id: &mut u64| {
            out.push(Evidence {
                id: *id,
                person_id: s.id,
                kind,
                source_org: org.to_string(),
                date,
                recorded_by: "synthetic".into(),
                observations,
            });
            *id += 1;
        };
        let mut id = self.next_evidence;
        // each course once (a transcript has no course twice); the rest of the
        // budget is internships, competitions and certificates
        let n_courses = per_person
            .saturating_sub(per_person / 5)
            .clamp(1, CURRICULUM.len() + 2 * usize::from(s.track.is_some()));
        let modules = track.map(|t| t.modules());
        // what the direction's modules showed per skill: a mentor on the
        // direction's own post sees much the same strengths and weaknesses
        let mut shown_by_modules: Vec<(&'static str, f64)> = Vec::new();
        for i in 0..n_courses {
            // the direction's two modules in place of the last two courses of the cycle
            let module = match &modules {
                Some(m) if n_courses > 2 && i + 2 >= n_courses => Some(&m[i + 2 - n_courses]),
                _ => None,
            };
            let (course, skills): (&str, &[(&str, f64)]) = match module {
                Some((name, skills)) => (name.as_str(), skills.as_slice()),
                None => CURRICULUM[i % CURRICULUM.len()],
            };
            // a direction's module depends more on the term than on the student
            let luck = if module.is_some() { 0.55 } else { 0.3 };
            let score = (45.0 + 55.0 * (aptitude * (1.0 - luck) + self.rng.unit() * luck))
                .min(100.0)
                .round();
            let g = grade::parse(&score.to_string()).unwrap_or(grade::Grade {
                attainment: 0.0,
                passed: false,
            });
            let mapping: Vec<CourseSkill> = skills
                .iter()
                .map(|(k, l)| CourseSkill {
                    skill_id: k.to_string(),
                    target_level: *l,
                })
                .collect();
            let date = if module.is_some() {
                // years 3 and 4
                start + Duration::days(120 * (6 + (i + 2 - n_courses) as i64) + 100)
            } else {
                start + Duration::days(120 * (i as i64 % 8) + 100)
            };
            let observations = course_observations(&mapping, g);
            if module.is_some() {
                shown_by_modules.extend(skills.iter().map(|(k, _)| {
                    let level = observations
                        .iter()
                        .find(|o| o.skill_id == *k)
                        .map_or(1.0, |o| o.level);
                    (*k, level)
                }));
            }
            push(
                EvidenceKind::CourseGrade {
                    course: course.into(),
                    grade: score.to_string(),
                },
                &school,
                date,
                observations,
                &mut id,
            );
        }
        let rest = per_person.saturating_sub(n_courses);
        for j in 0..rest {
            let date = start + Duration::days(900 + 30 * j as i64);
            // a certificate slot holds one only for some: more often for strong
            // students and those whose direction leads to one; a competition otherwise
            let kind = match j % 3 {
                2 if self.rng.unit() >= 0.15 + 0.45 * aptitude => 1,
                k => k,
            };
            match kind {
                0 => {
                    // the direction's own post for those who find one
                    let placed = self.rng.unit() < PLACED.0 + PLACED.1 * aptitude;
                    let (post, skills, own) = match track {
                        Some(t) if j == 0 && placed => (t.post, t.skills, true),
                        _ => {
                            let (post, skills) =
                                INTERNSHIPS[self.rng.below(INTERNSHIPS.len() as u64) as usize];
                            (post, skills, false)
                        }
                    };
                    let obs = skills
                        .iter()
                        .map(|k| {
                            // a mentor rates each skill on its own: uneven, as people are
                            let fresh = 1.0 + 4.0 * (aptitude * 0.6 + self.rng.unit() * 0.4);
                            let seen = shown_by_modules
                                .iter()
                                .find(|(s, _)| own && s == k)
                                .map(|(_, l)| *l);
                            Observation {
                                skill_id: k.to_string(),
                                level: seen
                                    .map_or(fresh, |l| (l + fresh) / 2.0)
                                    .round()
                                    .clamp(1.0, 5.0),
                            }
                        })
                        .collect();
                    push(
                        EvidenceKind::EnterpriseEvaluation {
                            comment: format!(
                                "{post}：表现{}",
                                if aptitude > 0.7 { "优秀" } else { "良好" }
                            ),
                        },
                        "示例安全科技有限公司（合成数据）",
                        date,
                        obs,
                        &mut id,
                    );
                }
                1 => {
                    let category = CATEGORIES[self.rng.below(CATEGORIES.len() as u64) as usize];
                    let teams = 50 + self.rng.below(950) as u32;
                    let rank = 1 + ((1.0 - aptitude) * f64::from(teams) * self.rng.unit()) as u32;
                    let level = competition_level(rank, teams);
                    let obs = category_skills(category)
                        .iter()
                        .map(|k| Observation {
                            skill_id: k.to_string(),
                            level,
                        })
                        .collect();
                    let event = EVENTS[self.rng.below(EVENTS.len() as u64) as usize];
                    push(
                        EvidenceKind::Competition {
                            event: event.into(),
                            category: category.into(),
                            rank,
                            teams,
                        },
                        event,
                        date,
                        obs,
                        &mut id,
                    );
                }
                _ => {
                    // the direction's certificate for those who take it; otherwise the
                    // entry-level ones most often
                    let pick = match track.and_then(|t| t.cert) {
                        Some(c) if self.rng.unit() < 0.6 => {
                            CERTS.iter().position(|(id, _, _)| *id == c).unwrap_or(0)
                        }
                        _ => {
                            let r = self.rng.unit();
                            [0.5, 0.75, 0.88, 0.96]
                                .iter()
                                .position(|&x| r < x)
                                .unwrap_or(CERTS.len() - 1)
                        }
                    };
                    let (cert, level, skills) = CERTS[pick];
                    let obs = skills
                        .iter()
                        .map(|k| Observation {
                            skill_id: k.to_string(),
                            level,
                        })
                        .collect();
                    push(
                        EvidenceKind::Certificate {
                            certification_id: cert.into(),
                        },
                        "证书颁发机构",
                        date,
                        obs,
                        &mut id,
                    );
                }
            }
        }
        self.next_evidence = id;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cb_competency::bundled;

    #[test]
    fn every_skill_the_generator_names_is_in_the_lexicon() {
        let m = bundled::model().expect("model");
        let known = |s: &str| m.skills.iter().any(|k| k.id == s);
        for (_, skills) in CURRICULUM {
            for (s, _) in *skills {
                assert!(known(s), "{s}");
            }
        }
        for (_, skills) in INTERNSHIPS {
            for s in *skills {
                assert!(known(s), "{s}");
            }
        }
        for c in CATEGORIES {
            for s in category_skills(c) {
                assert!(known(s), "{s}");
            }
        }
        for (c, level, skills) in CERTS {
            let cert = m
                .certifications
                .iter()
                .find(|x| x.id == *c)
                .expect("a catalog certificate");
            let mut mine = skills.to_vec();
            mine.sort_unstable();
            assert_eq!(
                (
                    cert.level as f64,
                    cert.skill_ids
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                ),
                (*level, mine),
                "{c}"
            );
        }
    }

    #[test]
    fn deterministic_and_sized() {
        let mut a = Synthetic::new(7);
        let mut b = Synthetic::new(7);
        let (sa, sb) = (a.student(1), b.student(1));
        assert_eq!(sa.name, sb.name);
        let (ea, eb) = (a.evidence(&sa, 50), b.evidence(&sb, 50));
        assert_eq!(ea, eb);
        assert_eq!(ea.len(), 50);
        assert!(ea.iter().all(|e| e.person_id == 1));
        assert!(SCHOOLS.iter().all(|(n, _)| n.contains("合成数据")));
    }
}

#[cfg(test)]
mod calibration {
    use super::*;
    use crate::profile::{ProfileEngine, Status, Weights};
    use cb_competency::bundled;

    #[test]
    fn each_direction_teaches_its_roles_core_skills() {
        let m = bundled::model().expect("model");
        let engine = ProfileEngine::new(&m, Weights::default());
        for t in TRACKS {
            let mut core = engine.core_skills(t.role).to_vec();
            let mut mine: Vec<String> = t.skills.iter().map(|s| s.to_string()).collect();
            core.sort();
            mine.sort();
            assert_eq!(mine, core, "{}", t.role);
            if let Some(c) = t.cert {
                assert!(CERTS.iter().any(|(id, _, _)| *id == c), "{c}");
            }
        }
    }

    /// The demo's story (3,000 students × 22 pieces of evidence): per
    /// direction's role a few students ready, more near-ready, most not;
    /// strong programs ahead of weak ones; a certificate held by some, not all.
    #[test]
    fn readiness_is_spread_as_in_life() {
        let m = bundled::model().expect("model");
        let engine = ProfileEngine::new(&m, Weights::default());
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
        let mut synth = Synthetic::new(42);
        let n = 3000u64;
        let mut counts = vec![[0u32; 3]; TRACKS.len()];
        let mut ready_by_program = vec![0u32; PROGRAMS.len()];
        let mut people_by_program = vec![0u32; PROGRAMS.len()];
        let mut with_cert = 0;
        for id in 1..=n {
            let s = synth.student(id);
            let ev = synth.evidence(&s, 22);
            let mut courses: Vec<&str> = ev
                .iter()
                .filter_map(|e| match &e.kind {
                    EvidenceKind::CourseGrade { course, .. } => Some(course.as_str()),
                    _ => None,
                })
                .collect();
            let graded = courses.len();
            courses.sort_unstable();
            courses.dedup();
            assert_eq!(
                courses.len(),
                graded,
                "student {id} has a course graded twice"
            );
            with_cert += u32::from(
                ev.iter()
                    .any(|e| matches!(e.kind, EvidenceKind::Certificate { .. })),
            );
            let p = engine.compute(id, &ev, today);
            people_by_program[s.program] += 1;
            let mut any_ready = false;
            for (i, t) in TRACKS.iter().enumerate() {
                let st = p
                    .readiness_for(t.role)
                    .map_or(Status::NotReady, |r| r.status);
                counts[i][match st {
                    Status::Ready => 0,
                    Status::NearReady => 1,
                    Status::NotReady => 2,
                }] += 1;
                any_ready |= st == Status::Ready;
            }
            ready_by_program[s.program] += u32::from(any_ready);
        }
        for (i, t) in TRACKS.iter().enumerate() {
            let [ready, near, not] = counts[i];
            eprintln!("{}: ready {ready}, near {near}, not {not}", t.role);
            assert!(ready >= 10, "{}: some ready ({ready})", t.role);
            assert!(
                near > ready,
                "{}: more near-ready ({near}) than ready",
                t.role
            );
            assert!(
                f64::from(not) > 0.6 * n as f64,
                "{}: most not ready ({not})",
                t.role
            );
        }
        let share = |p: usize| f64::from(ready_by_program[p]) / f64::from(people_by_program[p]);
        eprintln!(
            "ready for some direction by program: {:?}",
            (0..PROGRAMS.len()).map(share).collect::<Vec<_>>()
        );
        assert!(
            share(0) > share(3),
            "the security major ahead of general computing"
        );
        eprintln!("with a certificate: {with_cert} of {n}");
        assert!(with_cert > n as u32 / 5 && with_cert < n as u32 * 4 / 5);
    }
}
