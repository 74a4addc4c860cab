//! Accounts and published demand as rows: organisations, users, the cohorts a
//! teacher teaches, sessions, API tokens, enterprises' postings and students'
//! interest in them. Every change is written with its audit entry in one
//! transaction.

use crate::tables::{
    API_TOKENS, AUDIT, CORRECTIONS, JOB_INTEREST, JOBS, ORGS, SESSIONS, TEACHER_COHORTS, THROTTLE,
    Table, Ty, USERS, Val,
};
use crate::{Store, StoreError};
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

fn correction_from(r: &[Val]) -> Correction {
    Correction {
        id: r[0].int(),
        person_id: r[1].int(),
        evidence_id: opt_int(&r[2]),
        note: r[3].text(),
        status: r[4].text(),
        response: r[5].text(),
        created_at: r[6].int(),
        resolved_by: opt_int(&r[7]),
        resolved_at: opt_int(&r[8]),
    }
}

fn t(s: &str) -> Val {
    Val::Text(s.to_string())
}

fn oi(v: Option<i64>) -> Val {
    v.map_or(Val::Null, Val::Int)
}

fn ot(v: Option<&str>) -> Val {
    v.map_or(Val::Null, t)
}

fn opt_int(v: &Val) -> Option<i64> {
    match v {
        Val::Null => None,
        v => Some(v.int()),
    }
}

fn corrupt(table: &str, detail: String) -> StoreError {
    StoreError::Corrupt {
        table: table.to_string(),
        detail,
    }
}

fn org_from(r: &[Val]) -> Result<Org, StoreError> {
    Ok(Org {
        id: r[0].int(),
        kind: OrgKind::parse(&r[1].text())
            .ok_or_else(|| corrupt("orgs", format!("unknown kind `{}`", r[1].text())))?,
        name: r[2].text(),
        region: r[3].text(),
        school_id: opt_int(&r[4]),
    })
}

fn user_from(r: &[Val]) -> Result<User, StoreError> {
    Ok(User {
        id: r[0].int(),
        org_id: r[1].int(),
        role: UserRole::parse(&r[2].text())
            .ok_or_else(|| corrupt("users", format!("unknown role `{}`", r[2].text())))?,
        username: r[3].text(),
        display_name: r[4].text(),
        password_hash: r[5].text(),
        person_id: opt_int(&r[6]),
        must_change: r[7].int() != 0,
        disabled: r[8].int() != 0,
        created_at: r[9].int(),
    })
}

fn token_from(r: &[Val]) -> ApiToken {
    ApiToken {
        id: r[0].int(),
        user_id: r[1].int(),
        name: r[2].text(),
        scope: r[4].text(),
        created_at: r[5].int(),
        revoked_at: opt_int(&r[6]),
        last_used_at: opt_int(&r[7]),
    }
}

fn list(v: &Val) -> Vec<String> {
    v.text().split_whitespace().map(str::to_string).collect()
}

fn job_from(r: &[Val]) -> Result<Job, StoreError> {
    Ok(Job {
        id: r[0].int(),
        org_id: r[1].int(),
        kind: JobKind::parse(&r[2].text())
            .ok_or_else(|| corrupt("jobs", format!("unknown kind `{}`", r[2].text())))?,
        status: JobStatus::parse(&r[3].text())
            .ok_or_else(|| corrupt("jobs", format!("unknown status `{}`", r[3].text())))?,
        title: r[4].text(),
        description: r[5].text(),
        location: r[6].text(),
        salary: r[7].text(),
        education: r[8].text(),
        experience: r[9].text(),
        openings: r[10].int(),
        platform_role: r[11].opt(),
        nice_role: r[12].opt(),
        skills: list(&r[13]),
        certifications: list(&r[14]),
        review_note: r[15].text(),
        created_by: r[16].int(),
        created_at: r[17].int(),
        updated_at: r[18].int(),
        submitted_at: opt_int(&r[19]),
        reviewed_by: opt_int(&r[20]),
        published_at: opt_int(&r[21]),
        closed_at: opt_int(&r[22]),
        posting_id: opt_int(&r[23]),
    })
}

/// A job's row without its id (the database assigns it).
fn job_row(j: &Job) -> Vec<Val> {
    vec![
        Val::Int(j.org_id),
        t(j.kind.as_str()),
        t(j.status.as_str()),
        t(&j.title),
        t(&j.description),
        t(&j.location),
        t(&j.salary),
        t(&j.education),
        t(&j.experience),
        Val::Int(j.openings),
        ot(j.platform_role.as_deref()),
        ot(j.nice_role.as_deref()),
        t(&j.skills.join(" ")),
        t(&j.certifications.join(" ")),
        t(&j.review_note),
        Val::Int(j.created_by),
        Val::Int(j.created_at),
        Val::Int(j.updated_at),
        oi(j.submitted_at),
        oi(j.reviewed_by),
        oi(j.published_at),
        oi(j.closed_at),
        oi(j.posting_id),
    ]
}

/// One statement of a write: SQL with `{}` for each bound value.
pub(crate) struct Step {
    pub sql: String,
    pub args: Vec<Val>,
    /// The type of each argument where it may be NULL (else text is assumed).
    pub types: Vec<Ty>,
    /// The write is refused whole (`StoreError::Stale`) if this statement
    /// touches no row: a guarded change whose guard no longer holds.
    pub guard: bool,
}

fn step(sql: impl Into<String>, args: Vec<Val>) -> Step {
    Step {
        sql: sql.into(),
        args,
        types: Vec::new(),
        guard: false,
    }
}

/// `UPDATE table SET a = {}, b = {} WHERE id = {}` for the table's columns
/// after the id.
fn update_by_id(table: &Table) -> String {
    let sets: Vec<String> = table
        .cols
        .iter()
        .skip(1)
        .map(|(c, _)| format!("{c} = {{}}"))
        .collect();
    format!(
        "UPDATE {} SET {} WHERE id = {{}}",
        table.name,
        sets.join(", ")
    )
}

/// The statement that writes every field of a job by its id, if the job is
/// still as `was` left it (same status, same last change): a concurrent
/// change makes the write `Stale` instead of being overwritten.
fn job_update(job: &Job, was: &Job) -> Step {
    let mut args = job_row(job);
    args.push(Val::Int(job.id));
    args.push(t(was.status.as_str()));
    args.push(Val::Int(was.updated_at));
    let types = JOBS
        .cols
        .iter()
        .skip(1)
        .map(|(_, ty)| *ty)
        .chain([Ty::Int, Ty::Text, Ty::Int])
        .collect();
    Step {
        sql: format!(
            "{} AND status = {{}} AND updated_at = {{}}",
            update_by_id(&JOBS)
        ),
        args,
        types,
        guard: true,
    }
}

/// Revokes every live API token of a user.
fn revoke_all_tokens(user_id: i64, now: i64) -> Step {
    step(
        "UPDATE api_tokens SET revoked_at = {} WHERE user_id = {} AND revoked_at IS NULL",
        vec![Val::Int(now), Val::Int(user_id)],
    )
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
        let row = vec![t(kind.as_str()), t(name), t(region), oi(school_id)];
        self.insert_id(
            caller,
            &ORGS,
            row,
            "org.create",
            &format!("{} {name}", kind.as_str()),
        )
        .await
    }

    pub async fn orgs(&self) -> Result<Vec<Org>, StoreError> {
        self.rows(&ORGS, "1 = 1 ORDER BY kind, name", vec![])
            .await?
            .iter()
            .map(|r| org_from(r))
            .collect()
    }

    pub async fn org(&self, id: i64) -> Result<Option<Org>, StoreError> {
        self.rows(&ORGS, "id = {}", vec![Val::Int(id)])
            .await?
            .first()
            .map(|r| org_from(r))
            .transpose()
    }

    // ---- users ----

    pub async fn user_create(
        &self,
        caller: &Caller,
        u: &NewUser,
        now: i64,
    ) -> Result<i64, StoreError> {
        let row = vec![
            Val::Int(u.org_id),
            t(u.role.as_str()),
            t(&u.username),
            t(&u.display_name),
            t(&u.password_hash),
            oi(u.person_id),
            Val::Int(i64::from(u.must_change)),
            Val::Int(0),
            Val::Int(now),
        ];
        self.insert_id(
            caller,
            &USERS,
            row,
            "user.create",
            &format!("{} ({}) in org {}", u.username, u.role.as_str(), u.org_id),
        )
        .await
    }

    pub async fn user_count(&self) -> Result<i64, StoreError> {
        self.count(&USERS, "1 = 1", vec![]).await
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        self.rows(&USERS, "id = {}", vec![Val::Int(id)])
            .await?
            .first()
            .map(|r| user_from(r))
            .transpose()
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        self.rows(&USERS, "username = {}", vec![t(username)])
            .await?
            .first()
            .map(|r| user_from(r))
            .transpose()
    }

    /// Users of one organisation, or of all when `org_id` is `None`.
    pub async fn users(&self, org_id: Option<i64>) -> Result<Vec<User>, StoreError> {
        let rows = match org_id {
            Some(o) => {
                self.rows(&USERS, "org_id = {} ORDER BY username", vec![Val::Int(o)])
                    .await?
            }
            None => {
                self.rows(&USERS, "1 = 1 ORDER BY org_id, username", vec![])
                    .await?
            }
        };
        rows.iter().map(|r| user_from(r)).collect()
    }

    /// The user holding a student record.
    pub async fn user_of_person(&self, person_id: i64) -> Result<Option<User>, StoreError> {
        self.rows(&USERS, "person_id = {}", vec![Val::Int(person_id)])
            .await?
            .first()
            .map(|r| user_from(r))
            .transpose()
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
        let mut steps = vec![
            step(
                "UPDATE users SET password_hash = {}, must_change = {} WHERE id = {}",
                vec![t(hash), Val::Int(i64::from(must_change)), Val::Int(user_id)],
            ),
            step(
                "DELETE FROM sessions WHERE user_id = {}",
                vec![Val::Int(user_id)],
            ),
        ];
        if revoke_tokens {
            steps.push(revoke_all_tokens(user_id, now));
        }
        self.run(caller, steps, action, &format!("user {user_id}"))
            .await
            .map(|_| ())
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
        let mut steps = vec![
            step(
                "UPDATE users SET disabled = {} WHERE id = {}",
                vec![Val::Int(i64::from(disabled)), Val::Int(user_id)],
            ),
            step(
                "DELETE FROM sessions WHERE user_id = {}",
                vec![Val::Int(user_id)],
            ),
        ];
        if disabled {
            steps.push(revoke_all_tokens(user_id, now));
        }
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        self.run(caller, steps, action, &format!("user {user_id}"))
            .await
            .map(|_| ())
    }

    // ---- teachers' cohorts ----

    pub async fn teacher_cohorts(&self, user_id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(self
            .rows(
                &TEACHER_COHORTS,
                "user_id = {} ORDER BY cohort_id",
                vec![Val::Int(user_id)],
            )
            .await?
            .iter()
            .map(|r| r[1].int())
            .collect())
    }

    pub async fn set_teacher_cohorts(
        &self,
        caller: &Caller,
        user_id: i64,
        cohorts: &[i64],
    ) -> Result<(), StoreError> {
        let mut steps = vec![step(
            "DELETE FROM teacher_cohorts WHERE user_id = {}",
            vec![Val::Int(user_id)],
        )];
        for c in cohorts {
            steps.push(step(
                "INSERT INTO teacher_cohorts (user_id, cohort_id) VALUES ({}, {})",
                vec![Val::Int(user_id), Val::Int(*c)],
            ));
        }
        let detail = format!("user {user_id}: cohorts {cohorts:?}");
        self.run(caller, steps, "teacher.cohorts", &detail)
            .await
            .map(|_| ())
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
        let steps = vec![
            step(
                "DELETE FROM sessions WHERE expires_at <= {}",
                vec![Val::Int(expires_at - crate::accounts::SESSION_SECONDS)],
            ),
            step(
                "INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES ({}, {}, {}, {})",
                vec![
                    t(token_hash),
                    Val::Int(user_id),
                    t(csrf),
                    Val::Int(expires_at),
                ],
            ),
        ];
        self.run(caller, steps, "signin", detail).await.map(|_| ())
    }

    /// The live session's user and CSRF token.
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(User, String)>, StoreError> {
        let Some(s) = self
            .rows(
                &SESSIONS,
                "token_hash = {} AND expires_at > {}",
                vec![t(token_hash), Val::Int(now)],
            )
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let Some(user) = self.user(s[1].int()).await? else {
            return Ok(None);
        };
        Ok(if user.disabled {
            None
        } else {
            Some((user, s[2].text()))
        })
    }

    pub async fn session_delete(
        &self,
        caller: &Caller,
        token_hash: &str,
    ) -> Result<bool, StoreError> {
        let n = self
            .run(
                caller,
                vec![step(
                    "DELETE FROM sessions WHERE token_hash = {}",
                    vec![t(token_hash)],
                )],
                "signout",
                "",
            )
            .await?;
        Ok(n[0] > 0)
    }

    /// How many live sessions the user has (signed-in browsers).
    pub async fn sessions_of(&self, user_id: i64, now: i64) -> Result<i64, StoreError> {
        self.count(
            &SESSIONS,
            "user_id = {} AND expires_at > {}",
            vec![Val::Int(user_id), Val::Int(now)],
        )
        .await
    }

    /// Ends every session of the user and revokes their API tokens ("sign
    /// out everywhere"); returns the sessions ended.
    pub async fn sessions_end(
        &self,
        caller: &Caller,
        user_id: i64,
        now: i64,
    ) -> Result<u64, StoreError> {
        let n = self
            .run(
                caller,
                vec![
                    step(
                        "DELETE FROM sessions WHERE user_id = {}",
                        vec![Val::Int(user_id)],
                    ),
                    revoke_all_tokens(user_id, now),
                ],
                "signout.everywhere",
                &format!("user {user_id}"),
            )
            .await?;
        Ok(n[0])
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
        let mut steps: Vec<Step> = changes
            .iter()
            .map(|(id, keep)| {
                if keep.is_empty() {
                    step(
                        "DELETE FROM talent_evidence WHERE id = {} AND person_id = {}",
                        vec![Val::Int(*id as i64), Val::Int(person_id)],
                    )
                } else {
                    step(
                        "UPDATE talent_evidence SET observations = {} WHERE id = {} AND person_id = {}",
                        vec![
                            t(&crate::talent::encode_observations(keep)),
                            Val::Int(*id as i64),
                            Val::Int(person_id),
                        ],
                    )
                }
            })
            .collect();
        steps.push(crate::changes::person_step(person_id));
        self.run(
            caller,
            steps,
            "evaluation.replace",
            &format!("person {person_id}: {} earlier ratings", changes.len()),
        )
        .await
        .map(|_| ())
    }

    // ---- failed attempts, shared by every node ----

    /// The failures counted for `key` since `since` (Unix seconds): how many,
    /// the first and the last; `None` when there are none in that window.
    pub async fn throttle_get(
        &self,
        key: &str,
        since: i64,
    ) -> Result<Option<(i64, i64, i64)>, StoreError> {
        Ok(self
            .rows(
                &THROTTLE,
                "key = {} AND first_at >= {}",
                vec![t(key), Val::Int(since)],
            )
            .await?
            .first()
            .map(|r| (r[1].int(), r[2].int(), r[3].int())))
    }

    /// Counts one failure for `key` at `now`; a count whose first failure is
    /// before `since` starts again. Rows whose window has passed are dropped.
    pub async fn throttle_fail(&self, key: &str, now: i64, since: i64) -> Result<(), StoreError> {
        self.run_quiet(vec![
            step(
                "INSERT INTO throttle (key, failures, first_at, last_at) VALUES ({}, 1, {}, {}) \
                 ON CONFLICT (key) DO UPDATE SET \
                 failures = CASE WHEN throttle.first_at < {} THEN 1 ELSE throttle.failures + 1 END, \
                 first_at = CASE WHEN throttle.first_at < {} THEN {} ELSE throttle.first_at END, \
                 last_at = {}",
                vec![
                    t(key),
                    Val::Int(now),
                    Val::Int(now),
                    Val::Int(since),
                    Val::Int(since),
                    Val::Int(now),
                    Val::Int(now),
                ],
            ),
            step(
                "DELETE FROM throttle WHERE last_at < {}",
                vec![Val::Int(since)],
            ),
        ])
        .await
        .map(|_| ())
    }

    /// Forgets the failures of `key` (a right password).
    pub async fn throttle_clear(&self, key: &str) -> Result<(), StoreError> {
        self.run_quiet(vec![step(
            "DELETE FROM throttle WHERE key = {}",
            vec![t(key)],
        )])
        .await
        .map(|_| ())
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
        let row = vec![
            Val::Int(user_id),
            t(name),
            t(token_hash),
            t(scope),
            Val::Int(now),
            Val::Null,
            Val::Null,
        ];
        self.insert_id(
            caller,
            &API_TOKENS,
            row,
            "token.create",
            &format!("user {user_id}: {name} ({scope})"),
        )
        .await
    }

    pub async fn tokens_of(&self, user_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        Ok(self
            .rows(
                &API_TOKENS,
                "user_id = {} ORDER BY id",
                vec![Val::Int(user_id)],
            )
            .await?
            .iter()
            .map(|r| token_from(r))
            .collect())
    }

    /// The unrevoked token with this hash and its user; marks it used.
    pub async fn token_lookup(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(ApiToken, User)>, StoreError> {
        let Some(r) = self
            .rows(
                &API_TOKENS,
                "token_hash = {} AND revoked_at IS NULL",
                vec![t(token_hash)],
            )
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let tok = token_from(&r);
        let Some(user) = self.user(tok.user_id).await?.filter(|u| !u.disabled) else {
            return Ok(None);
        };
        // at most once a minute, so a busy script does not write on every call
        if tok.last_used_at.is_none_or(|t| now - t >= 60) {
            self.run_quiet(vec![step(
                "UPDATE api_tokens SET last_used_at = {} WHERE id = {}",
                vec![Val::Int(now), Val::Int(tok.id)],
            )])
            .await?;
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
        let n = self
            .run(
                caller,
                vec![step("UPDATE api_tokens SET revoked_at = {} WHERE id = {} AND user_id = {} AND revoked_at IS NULL", vec![Val::Int(now), Val::Int(token_id), Val::Int(user_id)])],
                "token.revoke",
                &format!("user {user_id}: token {token_id}"),
            )
            .await?;
        Ok(n[0] > 0)
    }

    // ---- published demand ----

    pub async fn job_create(&self, caller: &Caller, job: &Job) -> Result<i64, StoreError> {
        self.insert_id(
            caller,
            &JOBS,
            job_row(job),
            "job.create",
            &format!("org {}: {}", job.org_id, job.title),
        )
        .await
    }

    /// Writes every field of `job` (by id); `action` names the change for the audit log.
    /// Saves `job` if it is still as `was` (else `Stale`).
    pub async fn job_save(
        &self,
        caller: &Caller,
        job: &Job,
        was: &Job,
        action: &str,
    ) -> Result<(), StoreError> {
        self.run(
            caller,
            vec![job_update(job, was)],
            action,
            &format!("job {}: {}", job.id, job.status.as_str()),
        )
        .await
        .map(|_| ())
    }

    /// Publishes an approved posting: stores it as a posting of source
    /// `published` (one import of one record, so it is counted like any other)
    /// and saves the job as published with that posting's id, in one
    /// transaction. Returns the posting id.
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
        let then = |posting_id| {
            let mut saved = job.clone();
            saved.posting_id = Some(posting_id);
            job_update(&saved, was)
        };
        match self {
            Store::Sqlite(b) => b.publish_posting(caller, &start, posting, then, now).await,
            Store::Postgres(b) => b.publish_posting(caller, &start, posting, then, now).await,
        }
    }

    pub async fn job(&self, id: i64) -> Result<Option<Job>, StoreError> {
        self.rows(&JOBS, "id = {}", vec![Val::Int(id)])
            .await?
            .first()
            .map(|r| job_from(r))
            .transpose()
    }

    /// Postings of one organisation and/or in the given statuses, newest first.
    pub async fn jobs(
        &self,
        org_id: Option<i64>,
        statuses: &[JobStatus],
    ) -> Result<Vec<Job>, StoreError> {
        let mut clause = String::from("1 = 1");
        let mut args = Vec::new();
        if let Some(o) = org_id {
            clause.push_str(" AND org_id = {}");
            args.push(Val::Int(o));
        }
        if !statuses.is_empty() {
            clause.push_str(&format!(
                " AND status IN ({})",
                vec!["{}"; statuses.len()].join(", ")
            ));
            args.extend(statuses.iter().map(|s| t(s.as_str())));
        }
        clause.push_str(" ORDER BY updated_at DESC, id DESC");
        self.rows(&JOBS, &clause, args)
            .await?
            .iter()
            .map(|r| job_from(r))
            .collect()
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
        let exists = self
            .count(
                &JOB_INTEREST,
                "job_id = {} AND person_id = {}",
                vec![Val::Int(job_id), Val::Int(person_id)],
            )
            .await?
            > 0;
        if exists == interested {
            return Ok(false);
        }
        let (sql, args, action) = if interested {
            (
                "INSERT INTO job_interest (job_id, person_id, created_at) VALUES ({}, {}, {})",
                vec![Val::Int(job_id), Val::Int(person_id), Val::Int(now)],
                "interest.add",
            )
        } else {
            (
                "DELETE FROM job_interest WHERE job_id = {} AND person_id = {}",
                vec![Val::Int(job_id), Val::Int(person_id)],
                "interest.withdraw",
            )
        };
        self.run(
            caller,
            vec![step(sql, args)],
            action,
            &format!("job {job_id}, person {person_id}"),
        )
        .await?;
        Ok(true)
    }

    /// (person id, since) of everyone interested in a posting.
    pub async fn interest_in(&self, job_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(self
            .rows(
                &JOB_INTEREST,
                "job_id = {} ORDER BY created_at, person_id",
                vec![Val::Int(job_id)],
            )
            .await?
            .iter()
            .map(|r| (r[1].int(), r[2].int()))
            .collect())
    }

    /// The postings a person is interested in.
    pub async fn interests_of(&self, person_id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(self
            .rows(
                &JOB_INTEREST,
                "person_id = {} ORDER BY job_id",
                vec![Val::Int(person_id)],
            )
            .await?
            .iter()
            .map(|r| r[0].int())
            .collect())
    }

    /// Has this person expressed interest in any posting of this organisation?
    pub async fn interested_in_org(&self, person_id: i64, org_id: i64) -> Result<bool, StoreError> {
        let clause = "person_id = {} AND job_id IN (SELECT id FROM jobs WHERE org_id = {} AND status IN ('published', 'closed'))";
        Ok(self
            .count(
                &JOB_INTEREST,
                clause,
                vec![Val::Int(person_id), Val::Int(org_id)],
            )
            .await?
            > 0)
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
        let steps = person_ids
            .iter()
            .map(|p| {
                step(
                    "INSERT INTO audit_log (actor, action, detail) VALUES ({}, {}, {})",
                    vec![
                        t(&caller.audit_name()),
                        t("profile.read"),
                        t(&format!("person {p}: {context}")),
                    ],
                )
            })
            .collect();
        self.run(caller, steps, action, detail).await.map(|_| ())
    }

    pub async fn correction_create(
        &self,
        caller: &Caller,
        person_id: i64,
        evidence_id: Option<i64>,
        note: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        let row = vec![
            Val::Int(person_id),
            oi(evidence_id),
            t(note),
            t("open"),
            t(""),
            Val::Int(now),
            Val::Null,
            Val::Null,
        ];
        let about =
            evidence_id.map_or_else(|| "the record".to_string(), |e| format!("evidence {e}"));
        self.insert_id(
            caller,
            &CORRECTIONS,
            row,
            "correction.request",
            &format!("person {person_id}: {about}"),
        )
        .await
    }

    pub async fn correction(&self, id: i64) -> Result<Option<Correction>, StoreError> {
        Ok(self
            .rows(&CORRECTIONS, "id = {}", vec![Val::Int(id)])
            .await?
            .first()
            .map(|r| correction_from(r)))
    }

    /// Corrections of one person, of one school's people, or of everyone; open ones first, newest first.
    pub async fn corrections(
        &self,
        person_id: Option<i64>,
        school_id: Option<i64>,
    ) -> Result<Vec<Correction>, StoreError> {
        let (clause, args) = match (person_id, school_id) {
            (Some(p), _) => ("person_id = {}", vec![Val::Int(p)]),
            (None, Some(s)) => (
                "person_id IN (SELECT id FROM talent_people WHERE school_id = {})",
                vec![Val::Int(s)],
            ),
            (None, None) => ("1 = 1", vec![]),
        };
        let clause =
            format!("{clause} ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, id DESC");
        Ok(self
            .rows(&CORRECTIONS, &clause, args)
            .await?
            .iter()
            .map(|r| correction_from(r))
            .collect())
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
        let status = if accept { "accepted" } else { "dismissed" };
        let mut steps = vec![Step {
            sql: "UPDATE talent_corrections SET status = {}, response = {}, resolved_by = {}, resolved_at = {} WHERE id = {} AND status = 'open'".into(),
            args: vec![t(status), t(response), oi(resolved_by), Val::Int(now), Val::Int(c.id)],
            types: vec![Ty::Text, Ty::Text, Ty::OptInt, Ty::Int, Ty::Int],
            guard: false,
        }];
        if let (true, Some(e)) = (accept, c.evidence_id) {
            // only if this resolution is the one that accepted it (not one that lost a race)
            steps.push(step(
                "DELETE FROM talent_evidence WHERE id = {} AND person_id = {} AND EXISTS (SELECT 1 FROM talent_corrections WHERE id = {} AND status = 'accepted')",
                vec![Val::Int(e), Val::Int(c.person_id), Val::Int(c.id)],
            ));
            steps.push(crate::changes::person_step(c.person_id));
        }
        let detail = format!("person {}: correction {} {status}", c.person_id, c.id);
        let n = self
            .run(caller, steps, &format!("correction.{status}"), &detail)
            .await?;
        Ok(n[0] > 0)
    }

    /// The newest audit entries, narrowed to an action (exact, or a prefix
    /// ending in `.`: `job.`) and/or an actor (`user:8`).
    pub async fn audit_where(
        &self,
        action: Option<&str>,
        actor: Option<&str>,
        limit: i64,
    ) -> Result<Vec<crate::AuditEntry>, StoreError> {
        let mut clause = String::from("1 = 1");
        let mut args = Vec::new();
        if let Some(a) = action {
            if a.ends_with('.') {
                // a prefix is compared whole (not LIKE: no wildcard in it can widen the match,
                // and equality means the same under every collation); its length is a number we computed
                clause.push_str(&format!(
                    " AND substr(action, 1, {}) = {{}}",
                    a.chars().count()
                ));
                args.push(t(a));
            } else {
                clause.push_str(" AND action = {}");
                args.push(t(a));
            }
        }
        if let Some(a) = actor {
            clause.push_str(" AND actor = {}");
            args.push(t(a));
        }
        clause.push_str(" ORDER BY id DESC LIMIT {}");
        args.push(Val::Int(limit));
        Ok(self
            .rows(&AUDIT, &clause, args)
            .await?
            .iter()
            .map(|r| crate::AuditEntry {
                at: r[1].text(),
                actor: r[2].text(),
                action: r[3].text(),
                detail: r[4].text(),
            })
            .collect())
    }

    /// The audit entries whose detail mentions `person {id}`, newest first.
    pub async fn audit_of_person(
        &self,
        person_id: i64,
        limit: i64,
    ) -> Result<Vec<crate::AuditEntry>, StoreError> {
        self.audit_matching(&format!("person {person_id}"), limit)
            .await
    }
}

/// How long a browser session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_by_id_sets_every_column_but_the_id() {
        let sql = update_by_id(&ORGS);
        assert_eq!(
            sql,
            "UPDATE orgs SET kind = {}, name = {}, region = {}, school_id = {} WHERE id = {}"
        );
        assert_eq!(
            job_row(&Job {
                id: 0,
                org_id: 1,
                kind: JobKind::Job,
                status: JobStatus::Draft,
                title: String::new(),
                description: String::new(),
                location: String::new(),
                salary: String::new(),
                education: String::new(),
                experience: String::new(),
                openings: 1,
                platform_role: None,
                nice_role: None,
                skills: vec![],
                certifications: vec![],
                review_note: String::new(),
                created_by: 1,
                created_at: 0,
                updated_at: 0,
                submitted_at: None,
                reviewed_by: None,
                published_at: None,
                closed_at: None,
                posting_id: None,
            })
            .len(),
            JOBS.cols.len() - 1
        );
    }
}
