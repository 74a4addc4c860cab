//! The task queue (migration 0017): imports queued by any node and run by
//! whichever worker claims them first.
//!
//! Written in the form the rest of the store is moving to: one SQL text for
//! both dialects (numbered `$n` parameters, which SQLite reads too), rows
//! decoded by column name into [`Task`] (`sqlx::FromRow`), where a value of
//! the wrong type is an error rather than a default. A claim on PostgreSQL
//! takes the oldest open task with `FOR UPDATE SKIP LOCKED`, so workers on
//! many nodes never wait for each other or take the same task; SQLite has one
//! writer at a time, so the same statement without the locking clause is
//! already exclusive.

use crate::{Store, StoreError};

/// A task's state.
pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

/// One task as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    /// What kind of work (`postings`, `talent`); cb-app gives it meaning.
    pub kind: String,
    /// What to run, as cb-app wrote it (JSON).
    pub spec: String,
    pub file_name: String,
    pub file_size: i64,
    /// The organisation of the user who queued it (`None`: the platform).
    pub org_id: Option<i64>,
    /// The user who queued it (`None`: the platform itself, e.g. the CLI).
    pub user_id: Option<i64>,
    /// The audit name of whoever queued it.
    pub queued_by: String,
    pub state: String,
    /// How many times a worker claimed it.
    pub attempts: i32,
    pub worker: Option<String>,
    pub heartbeat: i64,
    /// Progress: units done of units in all (bytes of the file, for imports).
    pub done_units: i64,
    pub total_units: i64,
    /// What it gave (JSON, cb-app's), once done.
    pub result: Option<String>,
    /// Why it failed: a short code (`invalid`, `forbidden`, `conflict`,
    /// `interrupted`, `internal`) and the message a person reads.
    pub error_code: Option<String>,
    pub error: Option<String>,
    pub queued_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

impl Task {
    pub fn is_finished(&self) -> bool {
        self.state == DONE || self.state == FAILED
    }
}

/// A task to queue.
#[derive(Debug, Clone)]
pub struct NewTask<'a> {
    pub kind: &'a str,
    pub spec: &'a str,
    pub file_name: &'a str,
    pub file_size: i64,
    pub org_id: Option<i64>,
    pub user_id: Option<i64>,
    pub queued_by: &'a str,
    /// The file, kept until the task is finished. `None` for a task this
    /// process runs itself from a file only it can read (the CLI).
    pub content: Option<&'a [u8]>,
    /// Claim it at once for this worker (the CLI runs its own imports).
    pub run_by: Option<&'a str>,
}

/// How a claim treats running tasks: one whose heartbeat is older than
/// `stale_before` lost its worker and is claimed again.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    pub worker: &'a str,
    pub now: i64,
    pub stale_before: i64,
}

macro_rules! columns {
    () => {
        "id, kind, spec, file_name, file_size, org_id, user_id, queued_by, state, \
     attempts, worker, heartbeat, done_units, total_units, result, error_code, error, queued_at, \
     started_at, finished_at"
    };
}

impl Store {
    /// Queues a task (and its file) in one transaction; returns its id.
    pub async fn task_queue(&self, t: &NewTask<'_>, now: i64) -> Result<i64, StoreError> {
        let (state, worker, started, beat, attempts) = match t.run_by {
            Some(w) => (RUNNING, Some(w), Some(now), now, 1),
            None => (QUEUED, None, None, 0, 0),
        };
        const INSERT: &str = "INSERT INTO tasks (kind, spec, file_name, file_size, org_id, user_id, \
             queued_by, state, attempts, worker, heartbeat, queued_at, started_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
        const FILE: &str = "INSERT INTO task_files (task_id, content) VALUES ($1, $2)";
        on_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let id: i64 = sqlx::query_scalar(INSERT)
                .bind(t.kind)
                .bind(t.spec)
                .bind(t.file_name)
                .bind(t.file_size)
                .bind(t.org_id)
                .bind(t.user_id)
                .bind(t.queued_by)
                .bind(state)
                .bind(attempts)
                .bind(worker)
                .bind(beat)
                .bind(now)
                .bind(started)
                .fetch_one(&mut *tx)
                .await?;
            if let Some(content) = t.content {
                sqlx::query(FILE).bind(id).bind(content).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Claims the oldest task that is queued, or running with a worker that
    /// stopped beating, for `claim.worker`. `None`: nothing to do.
    pub async fn task_claim(&self, claim: Claim<'_>) -> Result<Option<Task>, StoreError> {
        macro_rules! claim {
            ($lock:literal) => {
                concat!(
                    "UPDATE tasks SET state = 'running', worker = $1, heartbeat = $2, \
                     attempts = attempts + 1, started_at = COALESCE(started_at, $2) \
                     WHERE id = (SELECT id FROM tasks WHERE state = 'queued' \
                     OR (state = 'running' AND heartbeat < $3) ORDER BY id LIMIT 1",
                    $lock,
                    ") RETURNING ",
                    columns!()
                )
            };
        }
        const ANY: &str = "SELECT EXISTS (SELECT 1 FROM tasks WHERE state = 'queued' \
             OR (state = 'running' AND heartbeat < $1))";
        // an idle worker asks every half second: a read, so that asking takes
        // no write lock (SQLite) and locks no row (PostgreSQL) while there is
        // nothing to claim
        let waiting: bool = on_pool!(self, pool => sqlx::query_scalar(ANY)
            .bind(claim.stale_before)
            .fetch_one(pool)
            .await?);
        if !waiting {
            return Ok(None);
        }
        // PostgreSQL skips rows other workers hold; SQLite has one writer at a time
        let sql = match self {
            Store::Postgres(_) => claim!(" FOR UPDATE SKIP LOCKED"),
            Store::Sqlite(_) => claim!(""),
        };
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Task>(sql)
            .bind(claim.worker)
            .bind(claim.now)
            .bind(claim.stale_before)
            .fetch_optional(pool)
            .await?))
    }

    /// The file a task runs on (`None` once the task is finished, or for a
    /// task whose file only its own process can read).
    pub async fn task_file(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        const SQL: &str = "SELECT content FROM task_files WHERE task_id = $1";
        on_pool!(self, pool => Ok(sqlx::query_scalar(SQL).bind(id).fetch_optional(pool).await?))
    }

    /// Records that `worker` is alive and how far it got. `false`: the task is
    /// no longer this worker's (it was claimed again after its heartbeat went
    /// stale, or finished), and the worker should stop.
    pub async fn task_beat(
        &self,
        id: i64,
        worker: &str,
        progress: (i64, i64),
        now: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE tasks SET heartbeat = $3, done_units = $4, total_units = $5 \
             WHERE id = $1 AND worker = $2 AND state = 'running'";
        on_pool!(self, pool => Ok(sqlx::query(SQL)
            .bind(id)
            .bind(worker)
            .bind(now)
            .bind(progress.0)
            .bind(progress.1)
            .execute(pool)
            .await?
            .rows_affected()
            == 1))
    }

    /// Finishes `worker`'s task: `done` with its result, or `failed` with a
    /// code and message. Its file is deleted in the same transaction.
    /// `false`: the task was not this worker's any more (nothing changed).
    pub async fn task_finish(
        &self,
        id: i64,
        worker: &str,
        outcome: Result<&str, (&str, &str)>,
        now: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE tasks SET state = $3, result = $4, error_code = $5, error = $6, \
             finished_at = $7, heartbeat = $7, done_units = CASE WHEN $3 = 'done' THEN total_units ELSE done_units END \
             WHERE id = $1 AND worker = $2 AND state = 'running'";
        const FILE: &str = "DELETE FROM task_files WHERE task_id = $1";
        let (state, result, code, error) = match outcome {
            Ok(result) => (DONE, Some(result), None, None),
            Err((code, error)) => (FAILED, None, Some(code), Some(error)),
        };
        on_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let changed = sqlx::query(SQL)
                .bind(id)
                .bind(worker)
                .bind(state)
                .bind(result)
                .bind(code)
                .bind(error)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if changed {
                sqlx::query(FILE).bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(changed)
        })
    }

    /// Gives `worker`'s task back to the queue without counting the claim
    /// (the database was busy with another import).
    pub async fn task_release(&self, id: i64, worker: &str) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE tasks SET state = 'queued', worker = NULL, \
             attempts = attempts - 1 WHERE id = $1 AND worker = $2 AND state = 'running'";
        on_pool!(self, pool => Ok(sqlx::query(SQL)
            .bind(id)
            .bind(worker)
            .execute(pool)
            .await?
            .rows_affected()
            == 1))
    }

    pub async fn task(&self, id: i64) -> Result<Option<Task>, StoreError> {
        let sql = concat!("SELECT ", columns!(), " FROM tasks WHERE id = $1");
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Task>(sql)
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    /// The newest tasks first, at most `limit`: every organisation's
    /// (`org: None`) or one organisation's.
    pub async fn tasks(&self, org: Option<i64>, limit: i64) -> Result<Vec<Task>, StoreError> {
        let sql = concat!(
            "SELECT ",
            columns!(),
            " FROM tasks WHERE ($1 IS NULL OR org_id = $1) ORDER BY id DESC LIMIT $2"
        );
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Task>(sql)
            .bind(org)
            .bind(limit)
            .fetch_all(pool)
            .await?))
    }
}
