//! Evidence of competence and what it says about skills.

use crate::grade::Grade;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Who judged: the program weighs school and enterprise judgement (双评价),
/// and practice (range, competitions) and credentials (certificates) as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judge {
    School,
    Enterprise,
    Practice,
    Credential,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceKind {
    /// A course grade, turned into levels through the course's skill mapping.
    CourseGrade {
        course: String,
        grade: String,
    },
    /// An internship or project rubric: a level 1–5 per skill, with a comment.
    EnterpriseEvaluation {
        comment: String,
    },
    /// A range or competition result (强网杯, CISCN, in-house CTF, …).
    Competition {
        event: String,
        category: String,
        rank: u32,
        teams: u32,
    },
    /// A certificate from the catalog.
    Certificate {
        certification_id: String,
    },
    Award {
        title: String,
    },
}

impl EvidenceKind {
    pub fn judge(&self) -> Judge {
        match self {
            EvidenceKind::CourseGrade { .. } => Judge::School,
            EvidenceKind::EnterpriseEvaluation { .. } => Judge::Enterprise,
            EvidenceKind::Competition { .. } | EvidenceKind::Award { .. } => Judge::Practice,
            EvidenceKind::Certificate { .. } => Judge::Credential,
        }
    }
}

/// One level a piece of evidence shows for one skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub skill_id: String,
    /// 1–5 (fractions allowed: a 良 in a course targeting level 3 shows 2.55).
    pub level: f64,
}

/// A piece of evidence about one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub id: u64,
    pub person_id: u64,
    pub kind: EvidenceKind,
    pub source_org: String,
    pub date: NaiveDate,
    pub recorded_by: String,
    /// What it shows, per skill (already through the course mapping, rubric,
    /// category or certificate).
    pub observations: Vec<Observation>,
}

/// A course's mapping: the skills it teaches and the level a top grade shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseSkill {
    pub skill_id: String,
    pub target_level: f64,
}

/// Levels a course grade shows: target level × attainment, for a passed
/// course; a failed course shows nothing.
pub fn course_observations(mapping: &[CourseSkill], grade: Grade) -> Vec<Observation> {
    if !grade.passed {
        return Vec::new();
    }
    mapping
        .iter()
        .map(|m| Observation {
            skill_id: m.skill_id.clone(),
            level: (m.target_level * grade.attainment).clamp(1.0, 5.0),
        })
        .collect()
}

/// The level a competition result shows for its category's skills: the top
/// 5 % of teams show 5, the top 20 % 4, the top half 3, the rest 2.
pub fn competition_level(rank: u32, teams: u32) -> f64 {
    if teams == 0 || rank == 0 {
        return 2.0;
    }
    let share = f64::from(rank) / f64::from(teams);
    if share <= 0.05 {
        5.0
    } else if share <= 0.2 {
        4.0
    } else if share <= 0.5 {
        3.0
    } else {
        2.0
    }
}

/// The lexicon skills a CTF or competition category speaks to.
pub fn category_skills(category: &str) -> &'static [&'static str] {
    match category.trim().to_lowercase().as_str() {
        "web" => &[
            "web-penetration-testing",
            "web-vulnerabilities",
            "sql-injection",
            "xss",
        ],
        "pwn" => &["binary-exploitation", "stack-overflow", "heap-exploitation"],
        "reverse" | "re" | "逆向" => &["reverse-engineering", "static-analysis-binary"],
        "crypto" | "密码" => &["cryptography", "ctf-crypto"],
        "misc" | "杂项" => &["ctf", "steganography"],
        "取证" | "forensics" => &["digital-forensics", "memory-forensics"],
        "awd" => &["awd", "incident-response", "hardening"],
        "mobile" | "移动" => &["android-security", "app-reverse-engineering"],
        "iot" | "工控" | "ics" => &["iot-security", "ics-security"],
        _ => &["ctf"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade;

    #[test]
    fn a_course_grade_shows_target_times_attainment() {
        let mapping = vec![
            CourseSkill {
                skill_id: "sql-injection".into(),
                target_level: 3.0,
            },
            CourseSkill {
                skill_id: "burp-suite".into(),
                target_level: 2.0,
            },
        ];
        let g = grade::parse("良").expect("grade");
        let obs = course_observations(&mapping, g);
        assert_eq!(obs[0].level, 2.55);
        assert_eq!(obs[1].level, 1.7);
        assert!(course_observations(&mapping, grade::parse("不及格").expect("grade")).is_empty());
    }

    #[test]
    fn competition_levels_by_rank_share() {
        assert_eq!(competition_level(1, 100), 5.0);
        assert_eq!(competition_level(15, 100), 4.0);
        assert_eq!(competition_level(50, 100), 3.0);
        assert_eq!(competition_level(80, 100), 2.0);
        assert_eq!(category_skills("Web")[0], "web-penetration-testing");
        assert_eq!(category_skills("取证")[0], "digital-forensics");
    }
}
