//! Accuracy of the extraction engine against a labeled set (JSON Lines, see
//! `data/devset/README.md`): is-cyber precision/recall/F1, top-1 role within
//! the acceptable roles, and skill precision/recall, per language.

use crate::classify::PostingInput;
use crate::contract::Engine;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Deserialize)]
pub struct Labeled {
    pub id: String,
    #[serde(default)]
    pub lang: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Absent for text that is not a whole posting (SkillSpan sentences):
    /// then only skills are scored.
    #[serde(default)]
    pub is_cyber: Option<bool>,
    #[serde(default)]
    pub nice_roles: Vec<String>,
    #[serde(default)]
    pub platform_roles: Vec<String>,
    /// Gold skills, when this posting's skills were labeled.
    #[serde(default)]
    pub skills: Option<Vec<String>>,
    #[serde(default)]
    pub certifications: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Prf {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn finish(&mut self) {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        self.precision = round(p);
        self.recall = round(r);
        self.f1 = round(if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        });
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Accuracy {
    pub correct: usize,
    pub total: usize,
    pub accuracy: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LangReport {
    pub postings: usize,
    pub is_cyber: Prf,
    pub nice_top1: Accuracy,
    pub platform_top1: Accuracy,
    pub skills: Prf,
    pub skill_postings: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub all: LangReport,
    pub by_lang: BTreeMap<String, LangReport>,
    pub errors: Vec<String>,
}

pub fn evaluate(engine: &Engine, set: &[Labeled]) -> Report {
    let mut report = Report::default();
    for l in set {
        let input = PostingInput {
            title: l.title.clone(),
            description: l.description.clone(),
            ..PostingInput::default()
        };
        let out = engine.run(&input);
        for r in [
            &mut report.all,
            report.by_lang.entry(l.lang.clone()).or_default(),
        ] {
            r.postings += 1;
            match (out.is_cyber, l.is_cyber) {
                (true, Some(true)) => r.is_cyber.tp += 1,
                (true, Some(false)) => r.is_cyber.fp += 1,
                (false, Some(true)) => r.is_cyber.fn_ += 1,
                _ => {}
            }
            if l.is_cyber == Some(true) {
                let nice_ok = out
                    .role
                    .as_ref()
                    .is_some_and(|x| l.nice_roles.contains(&x.id));
                r.nice_top1.total += 1;
                r.nice_top1.correct += usize::from(nice_ok);
                let plat_ok = out
                    .platform_role
                    .as_ref()
                    .is_some_and(|x| l.platform_roles.contains(&x.id));
                r.platform_top1.total += 1;
                r.platform_top1.correct += usize::from(plat_ok);
            }
            if let Some(gold) = &l.skills {
                r.skill_postings += 1;
                let gold: BTreeSet<&str> = gold
                    .iter()
                    .map(String::as_str)
                    .chain(l.certifications.iter().flatten().map(|c| c.as_str()))
                    .collect();
                let got: BTreeSet<&str> = out
                    .skills
                    .iter()
                    .map(|s| s.id.as_str())
                    .chain(out.certifications.iter().map(|c| c.id.as_str()))
                    .collect();
                r.skills.tp += gold.intersection(&got).count();
                r.skills.fp += got.difference(&gold).count();
                r.skills.fn_ += gold.difference(&got).count();
            }
        }
        if l.is_cyber.is_some_and(|c| c != out.is_cyber) {
            report.errors.push(format!(
                "{} is_cyber={} expected {}: {}",
                l.id, out.is_cyber, !out.is_cyber, l.title
            ));
        } else if l.is_cyber == Some(true)
            && !out
                .role
                .as_ref()
                .is_some_and(|x| l.nice_roles.contains(&x.id))
        {
            report.errors.push(format!(
                "{} role={:?}/{:?} expected one of {:?}: {}",
                l.id,
                out.role.as_ref().map(|r| &r.id),
                out.platform_role.as_ref().map(|r| &r.id),
                l.platform_roles,
                l.title
            ));
        }
        if let Some(gold) = &l.skills {
            let gold: BTreeSet<&str> = gold
                .iter()
                .map(String::as_str)
                .chain(l.certifications.iter().flatten().map(|c| c.as_str()))
                .collect();
            let got: BTreeSet<&str> = out
                .skills
                .iter()
                .map(|s| s.id.as_str())
                .chain(out.certifications.iter().map(|c| c.id.as_str()))
                .collect();
            let missed: Vec<&&str> = gold.difference(&got).collect();
            let extra: Vec<&&str> = got.difference(&gold).collect();
            if !missed.is_empty() || !extra.is_empty() {
                report.errors.push(format!(
                    "{} skills missed {missed:?} extra {extra:?}: {}",
                    l.id, l.title
                ));
            }
        }
    }
    for r in std::iter::once(&mut report.all).chain(report.by_lang.values_mut()) {
        r.is_cyber.finish();
        r.skills.finish();
        for a in [&mut r.nice_top1, &mut r.platform_top1] {
            a.accuracy = round(a.correct as f64 / a.total.max(1) as f64);
        }
    }
    report
}

/// Parses a labeled set; a bad line is reported with its number.
pub fn parse_set(name: &str, text: &str) -> Result<Vec<Labeled>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("{name}, line {}: {e}", i + 1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use cb_competency::bundled;
    use std::sync::Arc;

    /// Guards against regressions on the development set (accuracy, not time).
    #[test]
    fn the_development_set_stays_above_the_quality_bars() {
        let set = parse_set(
            "devset",
            include_str!("../../../data/devset/postings.jsonl"),
        )
        .expect("devset parses");
        let sentences = parse_set(
            "skillspan",
            include_str!("../../../data/devset/skillspan-skills.jsonl"),
        )
        .expect("skillspan labels parse");
        assert!(
            sentences
                .iter()
                .all(|s| s.is_cyber.is_none() && s.skills.is_some())
        );
        assert!(set.len() >= 200);
        let engine = Engine::new(Classifier::new(Arc::new(bundled::model().expect("model"))));
        let r = evaluate(&engine, &set);
        assert!(
            r.all.is_cyber.f1 >= 0.95,
            "is_cyber F1 {} errors {:#?}",
            r.all.is_cyber.f1,
            r.errors
        );
        assert!(
            r.all.nice_top1.accuracy >= 0.85,
            "role accuracy {} errors {:#?}",
            r.all.nice_top1.accuracy,
            r.errors
        );
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = parse_set(
            "x.jsonl",
            "{\"id\":\"a\",\"title\":\"t\",\"is_cyber\":true}\n{oops\n",
        )
        .err()
        .unwrap_or_default();
        assert!(e.starts_with("x.jsonl, line 2"), "{e}");
    }
}
