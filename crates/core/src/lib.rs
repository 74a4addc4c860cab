//! Shared vocabulary for every cyberbridge crate: who is asking ([`Caller`]),
//! which language a person reads ([`Lang`]), and the access errors services return.
//!
//! This crate knows nothing about storage, HTTP or the competency model.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The role a signed-in user holds in their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    Operator,
    SchoolAdmin,
    Teacher,
    EnterpriseHr,
    EnterpriseMentor,
    Analyst,
    Student,
}

impl UserRole {
    pub fn name(self, lang: Lang) -> &'static str {
        use UserRole::*;
        match (self, lang) {
            (Operator, Lang::Zh) => "平台运营",
            (Operator, Lang::En) => "Operator",
            (SchoolAdmin, Lang::Zh) => "院校管理员",
            (SchoolAdmin, Lang::En) => "School admin",
            (Teacher, Lang::Zh) => "教师",
            (Teacher, Lang::En) => "Teacher",
            (EnterpriseHr, Lang::Zh) => "企业人力",
            (EnterpriseHr, Lang::En) => "Enterprise HR",
            (EnterpriseMentor, Lang::Zh) => "企业导师",
            (EnterpriseMentor, Lang::En) => "Enterprise mentor",
            (Analyst, Lang::Zh) => "分析师",
            (Analyst, Lang::En) => "Analyst",
            (Student, Lang::Zh) => "学生",
            (Student, Lang::En) => "Student",
        }
    }
}

/// Who is asking. Every service call takes one, so access control is decided
/// in the services, never only in the pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Caller {
    /// Nobody signed in (a public page, an API call without credentials).
    Anonymous,
    /// The platform itself acting for a local operator: the CLI on the server
    /// machine, start-up seeding. `label` says which (for the audit log).
    System { label: String },
    /// A signed-in user.
    User { user_id: i64, org_id: i64, role: UserRole },
}

impl Caller {
    pub fn system(label: impl Into<String>) -> Self {
        Caller::System { label: label.into() }
    }

    /// A stable text for audit records: `anonymous`, `system:cli`, `user:42`.
    pub fn audit_name(&self) -> String {
        match self {
            Caller::Anonymous => "anonymous".to_string(),
            Caller::System { label } => format!("system:{label}"),
            Caller::User { user_id, .. } => format!("user:{user_id}"),
        }
    }

    /// May change reference data (frameworks, lexicon, imports of frameworks).
    pub fn is_operator(&self) -> bool {
        matches!(
            self,
            Caller::System { .. } | Caller::User { role: UserRole::Operator, .. }
        )
    }

    /// Fails with [`AccessError::Forbidden`] unless the caller is an operator.
    pub fn require_operator(&self, action: &'static str) -> Result<(), AccessError> {
        if self.is_operator() {
            Ok(())
        } else if matches!(self, Caller::Anonymous) {
            Err(AccessError::Unauthenticated { action })
        } else {
            Err(AccessError::Forbidden { action })
        }
    }
}

/// A refusal by a service, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("sign in required to {action} / 需要登录才能执行此操作")]
    Unauthenticated { action: &'static str },
    #[error("not allowed to {action} / 无权执行此操作")]
    Forbidden { action: &'static str },
}

/// A language a person reads the product in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Parses `zh`, `zh-CN`, `en`, `en-US`, … (case-insensitive).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") || s.starts_with("zh_") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") || s.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// Picks `zh` or `en` text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_and_system_may_change_reference_data_others_may_not() {
        assert!(Caller::system("cli").require_operator("import").is_ok());
        let op = Caller::User { user_id: 1, org_id: 1, role: UserRole::Operator };
        assert!(op.require_operator("import").is_ok());
        let student = Caller::User { user_id: 2, org_id: 3, role: UserRole::Student };
        assert_eq!(
            student.require_operator("import"),
            Err(AccessError::Forbidden { action: "import" })
        );
        assert_eq!(
            Caller::Anonymous.require_operator("import"),
            Err(AccessError::Unauthenticated { action: "import" })
        );
    }

    #[test]
    fn lang_parses_common_tags() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("EN-us"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::En.pick("中", "en"), "en");
    }

    #[test]
    fn audit_names_are_stable() {
        assert_eq!(Caller::Anonymous.audit_name(), "anonymous");
        assert_eq!(Caller::system("cli").audit_name(), "system:cli");
        let u = Caller::User { user_id: 42, org_id: 1, role: UserRole::Teacher };
        assert_eq!(u.audit_name(), "user:42");
        assert_eq!(UserRole::Teacher.name(Lang::Zh), "教师");
    }
}

/// Equality of two secrets (tokens, hashes) in time that depends only on
/// their length, so a comparison leaks nothing of where they differ.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
