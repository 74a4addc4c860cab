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
        Student {
            id,
            name,
            student_number: format!("{}{:02}{:06}", graduation_year - 4, school, id),
            school,
            program: self.rng.below(PROGRAMS.len() as u64) as usize,
            graduation_year,
        }
    }

    /// About `per_person` pieces of evidence for a student: course grades
    /// (most of it), internship rubrics, competitions, certificates. An
    /// aptitude per student makes some strong and some weak.
    pub fn evidence(&mut self, s: &Student, per_person: usize) -> Vec<Evidence> {
        let aptitude = 0.4 + 0.6 * self.rng.unit();
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
        let n_courses = per_person.saturating_sub(per_person / 5).max(1);
        for i in 0..n_courses {
            let (course, skills) = CURRICULUM[i % CURRICULUM.len()];
            let score = (45.0 + 55.0 * (aptitude * 0.7 + self.rng.unit() * 0.3))
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
            let date = start + Duration::days(120 * (i as i64 % 8) + 100);
            push(
                EvidenceKind::CourseGrade {
                    course: course.into(),
                    grade: score.to_string(),
                },
                &school,
                date,
                course_observations(&mapping, g),
                &mut id,
            );
        }
        let rest = per_person - n_courses;
        for j in 0..rest {
            let date = start + Duration::days(900 + 30 * j as i64);
            match j % 3 {
                0 => {
                    let (post, skills) =
                        INTERNSHIPS[self.rng.below(INTERNSHIPS.len() as u64) as usize];
                    let obs = skills
                        .iter()
                        .map(|k| Observation {
                            skill_id: k.to_string(),
                            level: (1.0 + 4.0 * (aptitude * 0.8 + self.rng.unit() * 0.2))
                                .round()
                                .clamp(1.0, 5.0),
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
                    let (cert, level, skills) = CERTS[self.rng.below(CERTS.len() as u64) as usize];
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
