//! Shared vocabulary for every cyberbridge crate: who is asking ([`Caller`]),
//! which language a person reads ([`Lang`]), and the access errors services return.
//!
//! This crate knows nothing about storage, HTTP or the competency model.

pub mod accounts;

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
    /// Reviews enterprises' postings before they are published (an industry
    /// alliance's or a government office's moderator).
    Moderator,
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
            (Moderator, Lang::Zh) => "联盟审核员",
            (Moderator, Lang::En) => "Alliance moderator",
            (Student, Lang::Zh) => "学生",
            (Student, Lang::En) => "Student",
        }
    }

    pub const ALL: [UserRole; 8] = [
        UserRole::Operator,
        UserRole::SchoolAdmin,
        UserRole::Teacher,
        UserRole::EnterpriseHr,
        UserRole::EnterpriseMentor,
        UserRole::Analyst,
        UserRole::Moderator,
        UserRole::Student,
    ];

    /// The stored name: `operator`, `school_admin`, …
    pub fn as_str(self) -> &'static str {
        use UserRole::*;
        match self {
            Operator => "operator",
            SchoolAdmin => "school_admin",
            Teacher => "teacher",
            EnterpriseHr => "enterprise_hr",
            EnterpriseMentor => "enterprise_mentor",
            Analyst => "analyst",
            Moderator => "moderator",
            Student => "student",
        }
    }

    pub fn parse(s: &str) -> Option<UserRole> {
        UserRole::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// The kinds of organisation a user with this role may belong to.
    pub fn fits(self, org: OrgKind) -> bool {
        use UserRole::*;
        match self {
            Operator => org == OrgKind::Operator,
            SchoolAdmin | Teacher | Student => org == OrgKind::School,
            EnterpriseHr | EnterpriseMentor => org == OrgKind::Enterprise,
            Analyst => true,
            Moderator => matches!(
                org,
                OrgKind::Alliance | OrgKind::Government | OrgKind::Operator
            ),
        }
    }
}

/// What kind of organisation a user belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Operator,
    School,
    Enterprise,
    Government,
    Alliance,
}

impl OrgKind {
    pub const ALL: [OrgKind; 5] = [
        OrgKind::Operator,
        OrgKind::School,
        OrgKind::Enterprise,
        OrgKind::Government,
        OrgKind::Alliance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Operator => "operator",
            OrgKind::School => "school",
            OrgKind::Enterprise => "enterprise",
            OrgKind::Government => "government",
            OrgKind::Alliance => "alliance",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (OrgKind::Operator, Lang::Zh) => "平台运营方",
            (OrgKind::Operator, Lang::En) => "Platform operator",
            (OrgKind::School, Lang::Zh) => "院校",
            (OrgKind::School, Lang::En) => "School",
            (OrgKind::Enterprise, Lang::Zh) => "企业",
            (OrgKind::Enterprise, Lang::En) => "Enterprise",
            (OrgKind::Government, Lang::Zh) => "政府部门",
            (OrgKind::Government, Lang::En) => "Government office",
            (OrgKind::Alliance, Lang::Zh) => "产业联盟",
            (OrgKind::Alliance, Lang::En) => "Industry alliance",
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
    /// A signed-in user, or a script holding one of their API tokens
    /// (`by_token`; `read_only` for a token scoped to reading).
    User {
        user_id: i64,
        org_id: i64,
        role: UserRole,
        read_only: bool,
        by_token: bool,
    },
    /// Signed in with a temporary password: may see their own account and
    /// change the password, and nothing else a signed-in user may do.
    Provisional { user_id: i64 },
}

impl Caller {
    pub fn system(label: impl Into<String>) -> Self {
        Caller::System {
            label: label.into(),
        }
    }

    /// A stable text for audit records: `anonymous`, `system:cli`, `user:42`.
    pub fn audit_name(&self) -> String {
        match self {
            Caller::Anonymous => "anonymous".to_string(),
            Caller::System { label } => format!("system:{label}"),
            Caller::User { user_id, .. } | Caller::Provisional { user_id } => {
                format!("user:{user_id}")
            }
        }
    }

    /// May change reference data (frameworks, lexicon, imports of frameworks).
    pub fn is_operator(&self) -> bool {
        matches!(
            self,
            Caller::System { .. }
                | Caller::User {
                    role: UserRole::Operator,
                    ..
                }
        )
    }

    pub fn user(user_id: i64, org_id: i64, role: UserRole) -> Self {
        Caller::User {
            user_id,
            org_id,
            role,
            read_only: false,
            by_token: false,
        }
    }

    /// The signed-in user's role, if any.
    pub fn role(&self) -> Option<UserRole> {
        match self {
            Caller::User { role, .. } => Some(*role),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Caller::User { user_id, .. } => Some(*user_id),
            _ => None,
        }
    }

    pub fn org_id(&self) -> Option<i64> {
        match self {
            Caller::User { org_id, .. } => Some(*org_id),
            _ => None,
        }
    }

    /// Fails unless the caller is signed in; a read-only API token may not
    /// change anything.
    pub fn require_write(&self, action: &'static str) -> Result<(), AccessError> {
        match self {
            Caller::Anonymous => Err(AccessError::Unauthenticated { action }),
            Caller::Provisional { .. } => Err(AccessError::PasswordChangeRequired { action }),
            Caller::User {
                read_only: true, ..
            } => Err(AccessError::Forbidden { action }),
            _ => Ok(()),
        }
    }

    /// Fails with [`AccessError::Unauthenticated`] for nobody.
    pub fn require_signed_in(&self, action: &'static str) -> Result<(), AccessError> {
        match self {
            Caller::Anonymous => Err(AccessError::Unauthenticated { action }),
            Caller::Provisional { .. } => Err(AccessError::PasswordChangeRequired { action }),
            _ => Ok(()),
        }
    }

    /// The refusal of `action` to this caller: nobody is asked to sign in,
    /// anyone else is forbidden.
    pub fn refuse(&self, action: &'static str) -> AccessError {
        match self {
            Caller::Anonymous => AccessError::Unauthenticated { action },
            Caller::Provisional { .. } => AccessError::PasswordChangeRequired { action },
            _ => AccessError::Forbidden { action },
        }
    }

    /// Fails with [`Caller::refuse`] unless the caller is an operator.
    pub fn require_operator(&self, action: &'static str) -> Result<(), AccessError> {
        if self.is_operator() {
            Ok(())
        } else {
            Err(self.refuse(action))
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
    /// Signed in with a temporary password, which must be changed first.
    #[error(
        "change your temporary password at /account before you {action} / 请先在“我的账号”中修改临时密码"
    )]
    PasswordChangeRequired { action: &'static str },
    /// Forbidden, with what in the request was not the caller's to touch.
    #[error("not allowed to {action}: {detail}")]
    Refused {
        action: &'static str,
        detail: String,
    },
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

/// Equality of two secrets (tokens, hashes) in time that depends only on
/// their length, so a comparison leaks nothing of where they differ.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_and_system_may_change_reference_data_others_may_not() {
        assert!(Caller::system("cli").require_operator("import").is_ok());
        let op = Caller::user(1, 1, UserRole::Operator);
        assert!(op.require_operator("import").is_ok());
        let student = Caller::user(2, 3, UserRole::Student);
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
        let u = Caller::user(42, 1, UserRole::Teacher);
        assert_eq!(u.audit_name(), "user:42");
        assert_eq!(UserRole::Teacher.name(Lang::Zh), "教师");
    }
}
