//! The platform's accounts as every crate sees them: organisations, users
//! and their API tokens. The store keeps them; the services decide who may
//! see and change them.

use crate::{OrgKind, UserRole};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    pub id: i64,
    pub kind: OrgKind,
    pub name: String,
    pub region: String,
    /// For a school: its record in the talent pool.
    pub school_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub org_id: i64,
    pub role: UserRole,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    /// For a student: their record in the talent pool.
    pub person_id: Option<i64>,
    /// Signed in with a password someone else set: must choose their own.
    pub must_change: bool,
    pub disabled: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// `read` or `write`.
    pub scope: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}
