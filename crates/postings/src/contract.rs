//! The `classify` contract: one JSON object in (`id`, `title`, optional
//! `description`, `employer`, `location`, `salary`), one JSON object out.

use crate::classify::{Classifier, PostingInput, RoleScore};
use crate::location::{Gazetteer, Location};
use crate::matcher::FoundKind;
use crate::salary::{self, SalaryInfo};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Term {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub required: bool,
}

#[derive(Debug, Serialize)]
pub struct Output {
    pub id: serde_json::Value,
    pub is_cyber: bool,
    /// P(security job), calibrated on held-out folds of the training labels.
    pub cyber_confidence: f64,
    pub role: Option<RoleScore>,
    pub roles: Vec<RoleScore>,
    pub platform_role: Option<RoleScore>,
    pub skills: Vec<Term>,
    pub certifications: Vec<Term>,
    pub salary: Option<SalaryInfo>,
    pub location: Option<Location>,
}

#[derive(Debug, Serialize)]
pub struct ErrorOutput {
    pub id: Option<serde_json::Value>,
    pub error: String,
}

pub struct Engine {
    pub classifier: Classifier,
    pub gazetteer: Gazetteer,
}

impl Engine {
    pub fn new(classifier: Classifier) -> Self {
        Engine {
            classifier,
            gazetteer: Gazetteer::new(),
        }
    }

    pub fn run(&self, p: &PostingInput) -> Output {
        let c = self
            .classifier
            .classify(&p.title, p.description.as_deref().unwrap_or(""));
        let m = self.classifier.model();
        let mut skills = Vec::new();
        let mut certifications = Vec::new();
        for f in &c.found {
            match f.kind {
                FoundKind::Skill => {
                    let s = &m.skills[f.index];
                    skills.push(Term {
                        id: s.id.clone(),
                        name_en: s.name_en.clone(),
                        name_zh: s.name_zh.clone(),
                        required: f.required,
                    });
                }
                FoundKind::Certification => {
                    let s = &m.certifications[f.index];
                    certifications.push(Term {
                        id: s.id.clone(),
                        name_en: s.name_en.clone(),
                        name_zh: s.name_zh.clone(),
                        required: f.required,
                    });
                }
            }
        }
        let location = p
            .location
            .as_deref()
            .map(|l| self.gazetteer.parse(l))
            .filter(|l| !l.is_empty());
        Output {
            id: p.id.clone(),
            is_cyber: c.is_cyber,
            cyber_confidence: c.cyber_confidence,
            role: c.roles.first().cloned(),
            roles: c.roles,
            platform_role: c.platform_roles.first().cloned(),
            skills,
            certifications,
            salary: p.salary.as_deref().and_then(salary::parse),
            location,
        }
    }

    /// One input line → one output line (no trailing newline). A line that is
    /// not a JSON object with a string `title` yields `{"id": …, "error": …}`.
    pub fn line(&self, line: &str) -> String {
        let result = serde_json::from_str::<serde_json::Value>(line)
            .map_err(|e| (None, format!("not valid JSON: {e}")))
            .and_then(|v| {
                let id = v.get("id").cloned();
                if !v.is_object() {
                    return Err((None, "expected a JSON object".to_string()));
                }
                match v.get("title") {
                    Some(serde_json::Value::String(_)) => {}
                    _ => return Err((id, "field `title` is missing or not a string".to_string())),
                }
                serde_json::from_value::<PostingInput>(v)
                    .map_err(|e| (id, format!("invalid field: {e}")))
            });
        let json = match result {
            Ok(p) => serde_json::to_string(&self.run(&p)),
            Err((id, error)) => serde_json::to_string(&ErrorOutput { id, error }),
        };
        json.unwrap_or_else(|e| {
            format!("{{\"id\":null,\"error\":\"cannot serialise the result: {e}\"}}")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cb_competency::bundled;
    use serde_json::Value;
    use std::sync::{Arc, OnceLock};

    fn engine() -> &'static Engine {
        static E: OnceLock<Engine> = OnceLock::new();
        E.get_or_init(|| Engine::new(Classifier::new(Arc::new(bundled::model().expect("model")))))
    }

    fn run(line: &str) -> Value {
        serde_json::from_str(&engine().line(line)).expect("output is JSON")
    }

    #[test]
    fn a_posting_yields_the_contract_fields() {
        let v = run(
            r#"{"id": 7, "title": "渗透测试工程师", "description": "熟悉Burp Suite；有OSCP者优先", "location": "浙江省杭州", "salary": "15-25K·14薪"}"#,
        );
        assert_eq!(v["id"], 7);
        assert_eq!(v["is_cyber"], true);
        assert_eq!(v["role"]["id"], "PD-WRL-007");
        assert!(
            v["role"]["confidence"]
                .as_f64()
                .is_some_and(|c| c > 0.0 && c <= 1.0)
        );
        assert!(
            v["roles"]
                .as_array()
                .is_some_and(|r| !r.is_empty() && r.len() <= 3)
        );
        assert_eq!(v["platform_role"]["id"], "pentester");
        let skills = v["skills"].as_array().cloned().unwrap_or_default();
        assert!(skills.iter().any(|s| s["id"] == "burp-suite"
            && s["required"] == true
            && s["name_zh"] == "Burp Suite"));
        let certs = v["certifications"].as_array().cloned().unwrap_or_default();
        assert!(
            certs
                .iter()
                .any(|c| c["id"] == "oscp" && c["required"] == false)
        );
        assert_eq!(v["salary"]["kind"], "range");
        assert_eq!(v["salary"]["monthly_min"], 15000.0);
        assert_eq!(v["salary"]["yearly_max"], 350000.0);
        assert_eq!(v["location"]["city"], "杭州");
        assert_eq!(v["location"]["province"], "浙江");
    }

    #[test]
    fn id_may_be_any_json_and_optional_fields_may_be_absent() {
        let v = run(r#"{"id": "abc", "title": "Python developer"}"#);
        assert_eq!(
            (v["id"].as_str(), v["is_cyber"].as_bool()),
            (Some("abc"), Some(false))
        );
        assert!(v["salary"].is_null() && v["location"].is_null() && v["role"].is_null());
    }

    #[test]
    fn bad_lines_yield_an_error_line() {
        let v = run("{not json");
        assert!(
            v["id"].is_null()
                && v["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("not valid JSON"))
        );
        let v = run(r#"{"id": 3}"#);
        assert_eq!(v["id"], 3);
        assert!(v["error"].as_str().is_some_and(|e| e.contains("title")));
        let v = run(r#"[1,2]"#);
        assert!(v["error"].is_string());
        let v = run(r#"{"id": 4, "title": "x", "description": 5}"#);
        assert!(
            v["error"]
                .as_str()
                .is_some_and(|e| e.contains("invalid field")),
            "{v}"
        );
    }
}
