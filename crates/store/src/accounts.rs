//! Accounts and published demand as rows: organisations, users, the cohorts a
//! teacher teaches, sessions, API tokens, enterprises' postings and students'
//! interest in them. Every change is written with its audit entry in one
//! transaction.

use crate::changes::ChangeKind;
use crate::list::Ids;
use crate::talent::flag;
use crate::{AuditEntry, Store, StoreError};
pub use cb_core::accounts::{ApiToken, Org, User};
use cb_core::{Caller, OrgKind, UserRole};
pub use cb_postings::publish::Job;
use cb_postings::publish::{JobKind, JobStatus};
pub use cb_talent::pool::Correction;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub org_id: i64,
    pub role: UserRole,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub person_id: Option<i64>,
    pub must_change: bool,
}

use crate::tables::corrupt;

// ---- rows as stored, decoded by column name ----

macro_rules! org_columns {
    () => {
        "id, kind, name, region, school_id"
    };
}
macro_rules! user_columns {
    () => {
        "id, org_id, role, username, display_name, password_hash, person_id, \
     must_change, disabled, created_at"
    };
}
macro_rules! token_columns {
    () => {
        "id, user_id, name, scope, created_at, revoked_at, last_used_at"
    };
}
macro_rules! job_fields {
    () => {
        "org_id, kind, status, title, description, location, salary, \
     education, experience, openings, platform_role, nice_role, skills, certifications, \
     review_note, created_by, created_at, updated_at, submitted_at, reviewed_by, published_at, \
     closed_at, posting_id"
    };
}
macro_rules! job_columns {
    () => {
        concat!("id, ", job_fields!())
    };
}
macro_rules! correction_columns {
    () => {
        "id, person_id, evidence_id, note, status, response, created_at, resolved_by, resolved_at"
    };
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: i64,
    kind: String,
    name: String,
    region: String,
    school_id: Option<i64>,
}

impl TryFrom<OrgRow> for Org {
    type Error = StoreError;
    fn try_from(r: OrgRow) -> Result<Org, StoreError> {
        Ok(Org {
            id: r.id,
            kind: OrgKind::parse(&r.kind)
                .ok_or_else(|| corrupt("orgs", format!("unknown kind `{}`", r.kind)))?,
            name: r.name,
            region: r.region,
            school_id: r.school_id,
        })
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    org_id: i64,
    role: String,
    username: String,
    display_name: String,
    password_hash: String,
    person_id: Option<i64>,
    must_change: i64,
    disabled: i64,
    created_at: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<User, StoreError> {
        Ok(User {
            id: r.id,
            org_id: r.org_id,
            role: UserRole::parse(&r.role)
                .ok_or_else(|| corrupt("users", format!("unknown role `{}`", r.role)))?,
            username: r.username,
            display_name: r.display_name,
            password_hash: r.password_hash,
            person_id: r.person_id,
            must_change: flag("users", "must_change", r.must_change)?,
            disabled: flag("users", "disabled", r.disabled)?,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    user_id: i64,
    name: String,
    scope: String,
    created_at: i64,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
}

impl From<TokenRow> for ApiToken {
    fn from(r: TokenRow) -> ApiToken {
        ApiToken {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            scope: r.scope,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
            last_used_at: r.last_used_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    org_id: i64,
    kind: String,
    status: String,
    title: String,
    description: String,
    location: String,
    salary: String,
    education: String,
    experience: String,
    openings: i64,
    platform_role: Option<String>,
    nice_role: Option<String>,
    skills: Ids,
    certifications: Ids,
    review_note: String,
    created_by: i64,
    created_at: i64,
    updated_at: i64,
    submitted_at: Option<i64>,
    reviewed_by: Option<i64>,
    published_at: Option<i64>,
    closed_at: Option<i64>,
    posting_id: Option<i64>,
}

impl TryFrom<JobRow> for Job {
    type Error = StoreError;
    fn try_from(r: JobRow) -> Result<Job, StoreError> {
        Ok(Job {
            id: r.id,
            org_id: r.org_id,
            kind: JobKind::parse(&r.kind)
                .ok_or_else(|| corrupt("jobs", format!("unknown kind `{}`", r.kind)))?,
            status: JobStatus::parse(&r.status)
                .ok_or_else(|| corrupt("jobs", format!("unknown status `{}`", r.status)))?,
            title: r.title,
            description: r.description,
            location: r.location,
            salary: r.salary,
            education: r.education,
            experience: r.experience,
            openings: r.openings,
            platform_role: r.platform_role,
            nice_role: r.nice_role,
            skills: r.skills.0,
            certifications: r.certifications.0,
            review_note: r.review_note,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            submitted_at: r.submitted_at,
            reviewed_by: r.reviewed_by,
            published_at: r.published_at,
            closed_at: r.closed_at,
            posting_id: r.posting_id,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CorrectionRow {
    id: i64,
    person_id: i64,
    evidence_id: Option<i64>,
    note: String,
    status: String,
    response: String,
    created_at: i64,
    resolved_by: Option<i64>,
    resolved_at: Option<i64>,
}

impl From<CorrectionRow> for Correction {
    fn from(r: CorrectionRow) -> Correction {
        Correction {
            id: r.id,
            person_id: r.person_id,
            evidence_id: r.evidence_id,
            note: r.note,
            status: r.status,
            response: r.response,
            created_at: r.created_at,
            resolved_by: r.resolved_by,
            resolved_at: r.resolved_at,
        }
    }
}

fn all<R, T>(rows: Vec<R>) -> Result<Vec<T>, StoreError>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// Binds every field of a job but its id, in `job_fields!` order, as
/// `$1`–`$23` of `$q`.
macro_rules! bind_job {
    ($q:expr, $job:expr) => {{
        let job: &$crate::accounts::Job = $job;
        $q.bind(job.org_id)
            .bind(job.kind.as_str())
            .bind(job.status.as_str())
            .bind(&job.title)
            .bind(&job.description)
            .bind(&job.location)
            .bind(&job.salary)
            .bind(&job.education)
            .bind(&job.experience)
            .bind(job.openings)
            .bind(job.platform_role.as_deref())
            .bind(job.nice_role.as_deref())
            .bind($crate::list::Ids(job.skills.clone()))
            .bind($crate::list::Ids(job.certifications.clone()))
            .bind(&job.review_note)
            .bind(job.created_by)
            .bind(job.created_at)
            .bind(job.updated_at)
            .bind(job.submitted_at)
            .bind(job.reviewed_by)
            .bind(job.published_at)
            .bind(job.closed_at)
            .bind(job.posting_id)
    }};
}

/// Writes every field of `$job` but its id, in `$tx`, if the job is still
/// as `$was` left it (same status, same last change); the rows it changed
/// (0: someone changed it meanwhile). Also used by publishing, whose
/// transaction writes the posting first.
macro_rules! job_update_in {
    ($tx:expr, $job:expr, $was:expr) => {{
        let (job, was): (&$crate::accounts::Job, &$crate::accounts::Job) = ($job, $was);
        let q = sqlx::query(
            "UPDATE jobs SET org_id = $1, kind = $2, status = $3, title = $4, description = $5, \
             location = $6, salary = $7, education = $8, experience = $9, openings = $10, \
             platform_role = $11, nice_role = $12, skills = $13, certifications = $14, \
             review_note = $15, created_by = $16, created_at = $17, updated_at = $18, \
             submitted_at = $19, reviewed_by = $20, published_at = $21, closed_at = $22, \
             posting_id = $23 WHERE id = $24 AND status = $25 AND updated_at = $26",
        );
        bind_job!(q, job)
            .bind(job.id)
            .bind(was.status.as_str())
            .bind(was.updated_at)
            .execute(&mut *$tx)
            .await?
            .rows_affected()
    }};
}

/// Revokes, in `$tx`, every live API token of a user.
macro_rules! revoke_tokens_in {
    ($tx:expr, $user:expr, $now:expr) => {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind($now)
        .bind($user)
        .execute(&mut *$tx)
        .await?
    };
}

/// Deletes, in `$tx`, every session of a user (they are signed out).
macro_rules! end_sessions_in {
    ($tx:expr, $user:expr) => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind($user)
            .execute(&mut *$tx)
            .await?
            .rows_affected()
    };
}

impl Store {
    // ---- organisations ----

    pub async fn org_create(
        &self,
        caller: &Caller,
        kind: OrgKind,
        name: &str,
        region: &str,
        school_id: Option<i64>,
    ) -> Result<i64, StoreError> {
        const SQL: &str =
            "INSERT INTO orgs (kind, name, region, school_id) VALUES ($1, $2, $3, $4) RETURNING id";
        in_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(SQL)
                .bind(kind.as_str())
                .bind(name)
                .bind(region)
                .bind(school_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(crate::model::duplicate)?;
            audit_in!(tx, caller, "org.create", format!("{} {name} (id {id})", kind.as_str()));
            Ok(id)
        })
    }

    pub async fn orgs(&self) -> Result<Vec<Org>, StoreError> {
        let sql = concat!("SELECT ", org_columns!(), " FROM orgs ORDER BY kind, name");
        let rows: Vec<OrgRow> = on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        all(rows)
    }

    pub async fn org(&self, id: i64) -> Result<Option<Org>, StoreError> {
        let sql = concat!("SELECT ", org_columns!(), " FROM orgs WHERE id = $1");
        let row: Option<OrgRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(pool)
            .await?);
        row.map(Org::try_from).transpose()
    }

    // ---- users ----

    pub async fn user_create(
        &self,
        caller: &Caller,
        u: &NewUser,
        now: i64,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO users (org_id, role, username, display_name, password_hash, \
             person_id, must_change, disabled, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8) RETURNING id";
        in_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(SQL)
                .bind(u.org_id)
                .bind(u.role.as_str())
                .bind(&u.username)
                .bind(&u.display_name)
                .bind(&u.password_hash)
                .bind(u.person_id)
                .bind(i64::from(u.must_change))
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(crate::model::duplicate)?;
            let detail = format!("{} ({}) in org {} (id {id})", u.username, u.role.as_str(), u.org_id);
            audit_in!(tx, caller, "user.create", detail);
            Ok(id)
        })
    }

    pub async fn user_count(&self) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM users";
        on_pool!(self, pool => Ok(sqlx::query_scalar(SQL).fetch_one(pool).await?))
    }

    /// The user `sql` (a query of this module, one parameter) finds.
    async fn user_where<T>(&self, sql: &'static str, value: T) -> Result<Option<User>, StoreError>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Sqlite>
            + for<'q> sqlx::Encode<'q, sqlx::Postgres>
            + sqlx::Type<sqlx::Sqlite>
            + sqlx::Type<sqlx::Postgres>
            + Send,
    {
        let row: Option<UserRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(value)
            .fetch_optional(pool)
            .await?);
        row.map(User::try_from).transpose()
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        self.user_where(
            concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1"),
            id,
        )
        .await
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        self.user_where(
            concat!(
                "SELECT ",
                user_columns!(),
                " FROM users WHERE username = $1"
            ),
            username.to_string(),
        )
        .await
    }

    /// The user holding a student record.
    pub async fn user_of_person(&self, person_id: i64) -> Result<Option<User>, StoreError> {
        self.user_where(
            concat!(
                "SELECT ",
                user_columns!(),
                " FROM users WHERE person_id = $1"
            ),
            person_id,
        )
        .await
    }

    /// Users of one organisation, or of all when `org_id` is `None`.
    pub async fn users(&self, org_id: Option<i64>) -> Result<Vec<User>, StoreError> {
        let sql = concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE ($1 IS NULL OR org_id = $1) ORDER BY org_id, username"
        );
        let rows: Vec<UserRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(org_id)
            .fetch_all(pool)
            .await?);
        all(rows)
    }

    /// Sets a password hash and signs the user out everywhere: their sessions
    /// end, and with `revoke_tokens` (a reset by someone else) their API
    /// tokens too.
    #[allow(clippy::too_many_arguments)] // one change: who, whom, what, and what goes with it
    pub async fn user_set_password(
        &self,
        caller: &Caller,
        user_id: i64,
        hash: &str,
        must_change: bool,
        revoke_tokens: bool,
        now: i64,
        action: &str,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE users SET password_hash = $1, must_change = $2 WHERE id = $3";
        in_tx!(self, tx => {
            sqlx::query(SQL)
                .bind(hash)
                .bind(i64::from(must_change))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            end_sessions_in!(tx, user_id);
            if revoke_tokens {
                revoke_tokens_in!(tx, user_id, now);
            }
            audit_in!(tx, caller, action, format!("user {user_id}"));
            Ok(())
        })
    }

    /// Disables (ending the user's sessions and revoking their API tokens, which
    /// enabling again does not bring back) or enables an account.
    pub async fn user_set_disabled(
        &self,
        caller: &Caller,
        user_id: i64,
        disabled: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE users SET disabled = $1 WHERE id = $2";
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        in_tx!(self, tx => {
            sqlx::query(SQL)
                .bind(i64::from(disabled))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            end_sessions_in!(tx, user_id);
            if disabled {
                revoke_tokens_in!(tx, user_id, now);
            }
            audit_in!(tx, caller, action, format!("user {user_id}"));
            Ok(())
        })
    }

    // ---- teachers' cohorts ----

    pub async fn teacher_cohorts(&self, user_id: i64) -> Result<Vec<i64>, StoreError> {
        const SQL: &str =
            "SELECT cohort_id FROM teacher_cohorts WHERE user_id = $1 ORDER BY cohort_id";
        on_pool!(self, pool => Ok(sqlx::query_scalar(SQL).bind(user_id).fetch_all(pool).await?))
    }

    pub async fn set_teacher_cohorts(
        &self,
        caller: &Caller,
        user_id: i64,
        cohorts: &[i64],
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            sqlx::query("DELETE FROM teacher_cohorts WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            for c in cohorts {
                sqlx::query("INSERT INTO teacher_cohorts (user_id, cohort_id) VALUES ($1, $2)")
                    .bind(user_id)
                    .bind(*c)
                    .execute(&mut *tx)
                    .await
                    .map_err(crate::model::duplicate)?;
            }
            audit_in!(tx, caller, "teacher.cohorts", format!("user {user_id}: cohorts {cohorts:?}"));
            Ok(())
        })
    }

    // ---- sessions ----

    pub async fn session_create(
        &self,
        caller: &Caller,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        expires_at: i64,
        detail: &str,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(expires_at - SESSION_SECONDS)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash)
                .bind(user_id)
                .bind(csrf)
                .bind(expires_at)
                .execute(&mut *tx)
                .await
                .map_err(crate::model::duplicate)?;
            audit_in!(tx, caller, "signin", detail);
            Ok(())
        })
    }

    /// The live session's user and CSRF token (none for a disabled user).
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(User, String)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Live {
            #[sqlx(flatten)]
            user: UserRow,
            csrf: String,
        }
        const SQL: &str = "SELECT u.id, u.org_id, u.role, u.username, u.display_name, \
             u.password_hash, u.person_id, u.must_change, u.disabled, u.created_at, s.csrf \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2";
        let row: Option<Live> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?);
        let Some(live) = row else { return Ok(None) };
        let user = User::try_from(live.user)?;
        Ok((!user.disabled).then_some((user, live.csrf)))
    }

    pub async fn session_delete(
        &self,
        caller: &Caller,
        token_hash: &str,
    ) -> Result<bool, StoreError> {
        in_tx!(self, tx => {
            let n = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            audit_in!(tx, caller, "signout", "");
            Ok(n > 0)
        })
    }

    /// How many live sessions the user has (signed-in browsers).
    pub async fn sessions_of(&self, user_id: i64, now: i64) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND expires_at > $2";
        on_pool!(self, pool => Ok(sqlx::query_scalar(SQL).bind(user_id).bind(now).fetch_one(pool).await?))
    }

    /// Ends every session of the user and revokes their API tokens ("sign
    /// out everywhere"); returns the sessions ended.
    pub async fn sessions_end(
        &self,
        caller: &Caller,
        user_id: i64,
        now: i64,
    ) -> Result<u64, StoreError> {
        in_tx!(self, tx => {
            let n = end_sessions_in!(tx, user_id);
            revoke_tokens_in!(tx, user_id, now);
            audit_in!(tx, caller, "signout.everywhere", format!("user {user_id}"));
            Ok(n)
        })
    }

    // ---- an evaluator's current ratings ----

    /// Replaces a person's earlier evidence: each `(id, keep)` keeps only
    /// the observations `keep` or, with none left, is removed. One
    /// transaction, audited as `evaluation.replace`.
    pub async fn talent_evidence_supersede(
        &self,
        caller: &Caller,
        person_id: i64,
        changes: &[(u64, Vec<cb_talent::Observation>)],
    ) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        in_tx!(self, tx => {
            for (id, keep) in changes {
                let id = *id as i64;
                if keep.is_empty() {
                    sqlx::query("DELETE FROM talent_evidence WHERE id = $1 AND person_id = $2")
                        .bind(id)
                        .bind(person_id)
                        .execute(&mut *tx)
                        .await?;
                } else {
                    sqlx::query("UPDATE talent_evidence SET observations = $1 WHERE id = $2 AND person_id = $3")
                        .bind(crate::talent::encode_observations(keep))
                        .bind(id)
                        .bind(person_id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            note_in!(tx, ChangeKind::Person, Some(person_id));
            let detail = format!("person {person_id}: {} earlier ratings", changes.len());
            audit_in!(tx, caller, "evaluation.replace", detail);
            Ok(())
        })
    }

    // ---- failed attempts, shared by every node ----

    /// The failures counted for `key` since `since` (Unix seconds): how many,
    /// the first and the last; `None` when there are none in that window.
    pub async fn throttle_get(
        &self,
        key: &str,
        since: i64,
    ) -> Result<Option<(i64, i64, i64)>, StoreError> {
        const SQL: &str =
            "SELECT failures, first_at, last_at FROM throttle WHERE key = $1 AND first_at >= $2";
        on_pool!(self, pool => Ok(sqlx::query_as(SQL).bind(key).bind(since).fetch_optional(pool).await?))
    }

    /// Counts one failure for `key` at `now`; a count whose first failure is
    /// before `since` starts again. Rows whose window has passed are dropped.
    pub async fn throttle_fail(&self, key: &str, now: i64, since: i64) -> Result<(), StoreError> {
        const COUNT: &str = "INSERT INTO throttle (key, failures, first_at, last_at) VALUES ($1, 1, $2, $2) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN throttle.first_at < $3 THEN 1 ELSE throttle.failures + 1 END, \
             first_at = CASE WHEN throttle.first_at < $3 THEN $2 ELSE throttle.first_at END, \
             last_at = $2";
        in_tx!(self, tx => {
            sqlx::query(COUNT).bind(key).bind(now).bind(since).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM throttle WHERE last_at < $1").bind(since).execute(&mut *tx).await?;
            Ok(())
        })
    }

    /// Forgets the failures of `key` (a right password).
    pub async fn throttle_clear(&self, key: &str) -> Result<(), StoreError> {
        const SQL: &str = "DELETE FROM throttle WHERE key = $1";
        on_pool!(self, pool => sqlx::query(SQL).bind(key).execute(pool).await?.rows_affected());
        Ok(())
    }

    // ---- API tokens ----

    pub async fn token_create(
        &self,
        caller: &Caller,
        user_id: i64,
        name: &str,
        token_hash: &str,
        scope: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO api_tokens (user_id, name, token_hash, scope, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id";
        in_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(SQL)
                .bind(user_id)
                .bind(name)
                .bind(token_hash)
                .bind(scope)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(crate::model::duplicate)?;
            audit_in!(tx, caller, "token.create", format!("user {user_id}: {name} ({scope}) (id {id})"));
            Ok(id)
        })
    }

    pub async fn tokens_of(&self, user_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        let sql = concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE user_id = $1 ORDER BY id"
        );
        let rows: Vec<TokenRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(user_id)
            .fetch_all(pool)
            .await?);
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }

    /// The unrevoked token with this hash and its user; marks it used.
    pub async fn token_lookup(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(ApiToken, User)>, StoreError> {
        let sql = concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
        );
        let row: Option<TokenRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(token_hash)
            .fetch_optional(pool)
            .await?);
        let Some(tok) = row.map(ApiToken::from) else {
            return Ok(None);
        };
        let Some(user) = self.user(tok.user_id).await?.filter(|u| !u.disabled) else {
            return Ok(None);
        };
        // at most once a minute, so a busy script does not write on every call
        if tok.last_used_at.is_none_or(|t| now - t >= 60) {
            const USED: &str = "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2";
            on_pool!(self, pool => sqlx::query(USED).bind(now).bind(tok.id).execute(pool).await?.rows_affected());
        }
        Ok(Some((tok, user)))
    }

    /// Revokes a token of `user_id`; false if there is no such live token.
    pub async fn token_revoke(
        &self,
        caller: &Caller,
        user_id: i64,
        token_id: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE api_tokens SET revoked_at = $1 \
             WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL";
        in_tx!(self, tx => {
            let n = sqlx::query(SQL)
                .bind(now)
                .bind(token_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            audit_in!(tx, caller, "token.revoke", format!("user {user_id}: token {token_id}"));
            Ok(n > 0)
        })
    }

    // ---- published demand ----

    pub async fn job_create(&self, caller: &Caller, job: &Job) -> Result<i64, StoreError> {
        const SQL: &str = concat!(
            "INSERT INTO jobs (",
            job_fields!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
             $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) RETURNING id"
        );
        in_tx!(self, tx => {
            let id: i64 = bind_job!(sqlx::query_scalar(SQL), job)
                .fetch_one(&mut *tx)
                .await?;
            audit_in!(tx, caller, "job.create", format!("org {}: {} (id {id})", job.org_id, job.title));
            Ok(id)
        })
    }

    /// Saves `job` (every field, by id) if it is still as `was` (else
    /// `Stale`); `action` names the change for the audit log.
    pub async fn job_save(
        &self,
        caller: &Caller,
        job: &Job,
        was: &Job,
        action: &str,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            if job_update_in!(tx, job, was) == 0 {
                return Err(StoreError::Stale);
            }
            audit_in!(tx, caller, action, format!("job {}: {}", job.id, job.status.as_str()));
            Ok(())
        })
    }

    /// Publishes an approved posting: stores it as a posting of source
    /// `published` (one import of one record, so it is counted like any other)
    /// and saves the job as published with that posting's id, in one
    /// transaction (`Stale` if the job changed meanwhile). Returns the posting id.
    pub async fn job_publish(
        &self,
        caller: &Caller,
        job: &Job,
        was: &Job,
        posting: crate::postings::NewPosting,
        now: i64,
    ) -> Result<i64, StoreError> {
        let start = crate::postings::ImportStart {
            file_name: format!("published job {}", job.id),
            file_hash: format!("published:job:{}", job.id),
            shape: "published".into(),
            source: "published".into(),
        };
        self.publish_posting(caller, &start, posting, job, was, now)
            .await
    }

    pub async fn job(&self, id: i64) -> Result<Option<Job>, StoreError> {
        let sql = concat!("SELECT ", job_columns!(), " FROM jobs WHERE id = $1");
        let row: Option<JobRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(pool)
            .await?);
        row.map(Job::try_from).transpose()
    }

    /// Postings of one organisation and/or in the given statuses, newest first.
    pub async fn jobs(
        &self,
        org_id: Option<i64>,
        statuses: &[JobStatus],
    ) -> Result<Vec<Job>, StoreError> {
        let rows: Vec<JobRow> = on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(concat!("SELECT ", job_columns!(), " FROM jobs WHERE 1 = 1"));
            if let Some(o) = org_id {
                q.push(" AND org_id = ").push_bind(o);
            }
            if !statuses.is_empty() {
                q.push(" AND status IN (");
                let mut list = q.separated(", ");
                for s in statuses {
                    list.push_bind(s.as_str());
                }
                q.push(")");
            }
            q.push(" ORDER BY updated_at DESC, id DESC");
            q.build_query_as().fetch_all(pool).await?
        });
        all(rows)
    }

    /// Adds or withdraws a student's interest in a posting; true if it changed.
    pub async fn interest_set(
        &self,
        caller: &Caller,
        job_id: i64,
        person_id: i64,
        interested: bool,
        now: i64,
    ) -> Result<bool, StoreError> {
        const ADD: &str = "INSERT INTO job_interest (job_id, person_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (job_id, person_id) DO NOTHING";
        const WITHDRAW: &str = "DELETE FROM job_interest WHERE job_id = $1 AND person_id = $2";
        let action = if interested {
            "interest.add"
        } else {
            "interest.withdraw"
        };
        in_tx!(self, tx => {
            let n = if interested {
                sqlx::query(ADD).bind(job_id).bind(person_id).bind(now).execute(&mut *tx).await?
            } else {
                sqlx::query(WITHDRAW).bind(job_id).bind(person_id).execute(&mut *tx).await?
            }
            .rows_affected();
            if n == 0 {
                // nothing changed: nothing to audit
                return Ok(false);
            }
            audit_in!(tx, caller, action, format!("job {job_id}, person {person_id}"));
            Ok(true)
        })
    }

    /// (person id, since) of everyone interested in a posting.
    pub async fn interest_in(&self, job_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        const SQL: &str = "SELECT person_id, created_at FROM job_interest WHERE job_id = $1 \
             ORDER BY created_at, person_id";
        on_pool!(self, pool => Ok(sqlx::query_as(SQL).bind(job_id).fetch_all(pool).await?))
    }

    /// The postings a person is interested in.
    pub async fn interests_of(&self, person_id: i64) -> Result<Vec<i64>, StoreError> {
        const SQL: &str = "SELECT job_id FROM job_interest WHERE person_id = $1 ORDER BY job_id";
        on_pool!(self, pool => Ok(sqlx::query_scalar(SQL).bind(person_id).fetch_all(pool).await?))
    }

    /// Has this person expressed interest in any posting of this organisation?
    pub async fn interested_in_org(&self, person_id: i64, org_id: i64) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT EXISTS (SELECT 1 FROM job_interest WHERE person_id = $1 AND job_id IN \
             (SELECT id FROM jobs WHERE org_id = $2 AND status IN ('published', 'closed')))";
        on_pool!(self, pool => Ok(sqlx::query_scalar(SQL).bind(person_id).bind(org_id).fetch_one(pool).await?))
    }

    // ---- corrections ----

    pub async fn correction_create(
        &self,
        caller: &Caller,
        person_id: i64,
        evidence_id: Option<i64>,
        note: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO talent_corrections (person_id, evidence_id, note, status, response, created_at) \
             VALUES ($1, $2, $3, 'open', '', $4) RETURNING id";
        let about =
            evidence_id.map_or_else(|| "the record".to_string(), |e| format!("evidence {e}"));
        in_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(SQL)
                .bind(person_id)
                .bind(evidence_id)
                .bind(note)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            audit_in!(tx, caller, "correction.request", format!("person {person_id}: {about} (id {id})"));
            Ok(id)
        })
    }

    pub async fn correction(&self, id: i64) -> Result<Option<Correction>, StoreError> {
        let sql = concat!(
            "SELECT ",
            correction_columns!(),
            " FROM talent_corrections WHERE id = $1"
        );
        let row: Option<CorrectionRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(pool)
            .await?);
        Ok(row.map(Correction::from))
    }

    /// Corrections of one person, of one school's people, or of everyone; open ones first, newest first.
    pub async fn corrections(
        &self,
        person_id: Option<i64>,
        school_id: Option<i64>,
    ) -> Result<Vec<Correction>, StoreError> {
        let sql = concat!(
            "SELECT ",
            correction_columns!(),
            " FROM talent_corrections \
             WHERE ($1 IS NULL OR person_id = $1) \
             AND ($2 IS NULL OR person_id IN (SELECT id FROM talent_people WHERE school_id = $2)) \
             ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, id DESC"
        );
        // a person's own corrections whatever their school
        let school_id = if person_id.is_some() { None } else { school_id };
        let rows: Vec<CorrectionRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(person_id)
            .bind(school_id)
            .fetch_all(pool)
            .await?);
        Ok(rows.into_iter().map(Correction::from).collect())
    }

    /// Resolves an open correction; accepting one about a piece of evidence
    /// removes that evidence, in the same transaction. False if it was not open.
    pub async fn correction_resolve(
        &self,
        caller: &Caller,
        c: &Correction,
        accept: bool,
        response: &str,
        resolved_by: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        const RESOLVE: &str = "UPDATE talent_corrections SET status = $1, response = $2, resolved_by = $3, \
             resolved_at = $4 WHERE id = $5 AND status = 'open'";
        const REMOVE: &str = "DELETE FROM talent_evidence WHERE id = $1 AND person_id = $2";
        let status = if accept { "accepted" } else { "dismissed" };
        in_tx!(self, tx => {
            let n = sqlx::query(RESOLVE)
                .bind(status)
                .bind(response)
                .bind(resolved_by)
                .bind(now)
                .bind(c.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            // only the resolution that changed it removes the evidence (not one that lost a race)
            if let (1, true, Some(e)) = (n, accept, c.evidence_id) {
                sqlx::query(REMOVE).bind(e).bind(c.person_id).execute(&mut *tx).await?;
                note_in!(tx, ChangeKind::Person, Some(c.person_id));
            }
            let detail = format!("person {}: correction {} {status}", c.person_id, c.id);
            audit_in!(tx, caller, format!("correction.{status}"), detail);
            Ok(n > 0)
        })
    }

    // ---- the audit log ----

    /// Appends to the audit log.
    pub async fn audit(
        &self,
        caller: &Caller,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            audit_in!(tx, caller, action, detail);
            Ok(())
        })
    }

    /// One `profile.read` entry per person shown together (a cohort's heat
    /// map), plus `action` for the whole, in one transaction.
    pub async fn audit_reads(
        &self,
        caller: &Caller,
        person_ids: &[i64],
        context: &str,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let actor = caller.audit_name();
        let at = crate::changes::now();
        let rows: Vec<String> = person_ids
            .iter()
            .map(|p| format!("person {p}: {context}"))
            .collect();
        in_tx!(self, tx => {
            for chunk in rows.chunks(5_000) {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO audit_log (actor, action, detail, at) ");
                q.push_values(chunk, |mut b, d| {
                    b.push_bind(actor.as_str())
                        .push_bind("profile.read")
                        .push_bind(d.as_str())
                        .push_bind(at);
                });
                q.build().execute(&mut *tx).await?;
            }
            audit_in!(tx, caller, action, detail);
            Ok(())
        })
    }

    /// The most recent audit entries, newest first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_where(None, None, limit).await
    }

    /// The newest audit entries, narrowed to an action (exact, or a prefix
    /// ending in `.`: `job.`) and/or an actor (`user:8`).
    pub async fn audit_where(
        &self,
        action: Option<&str>,
        actor: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new("SELECT at, actor, action, detail FROM audit_log WHERE 1 = 1");
            if let Some(a) = action {
                if a.ends_with('.') {
                    // a prefix is compared whole (not LIKE: no wildcard in it can widen the
                    // match, and equality means the same under every collation)
                    q.push(" AND substr(action, 1, ")
                        .push_bind(a.chars().count() as i32)
                        .push(") = ")
                        .push_bind(a);
                } else {
                    q.push(" AND action = ").push_bind(a);
                }
            }
            if let Some(a) = actor {
                q.push(" AND actor = ").push_bind(a);
            }
            q.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
            Ok(q.build_query_as().fetch_all(pool).await?)
        })
    }

    /// The audit entries whose detail mentions `person {id}` as a whole
    /// (`person 12` does not match `person 123`), newest first.
    pub async fn audit_of_person(
        &self,
        person_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        const SQL: &str = "SELECT at, actor, action, detail FROM audit_log \
             WHERE detail = $1 OR detail LIKE $2 OR detail LIKE $3 OR detail LIKE $4 \
             ORDER BY id DESC LIMIT $5";
        let needle = format!("person {person_id}");
        on_pool!(self, pool => Ok(sqlx::query_as(SQL)
            .bind(&needle)
            .bind(format!("{needle}:%"))
            .bind(format!("{needle},%"))
            .bind(format!("{needle} %"))
            .bind(limit)
            .fetch_all(pool)
            .await?))
    }
}

/// How long a browser session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;
