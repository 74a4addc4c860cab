//! The system of record. [`Store`] is the one storage interface the services
//! use; it has two implementations, SQLite (embedded default: one file, WAL)
//! and PostgreSQL (production), with their own migrations and one shared test
//! suite.
//!
//! Architecture invariant: this is the only crate that knows SQL. It stores
//! what it is given and decides nothing about who may do what; the caller is
//! passed in only to be written to the audit log.

/// Runs one statement on whichever pool the store has; `$p` names the pool
/// in `$e`, which is written once and compiled for each backend.
/// `$begin` names, in `$e`, how that backend begins a write transaction.
macro_rules! on_pool {
    ($store:expr, $p:ident => $e:expr) => {
        on_pool!($store, $p, _begin => $e)
    };
    ($store:expr, $p:ident, $begin:ident => $e:expr) => {
        match $store {
            Store::Sqlite(b) => {
                let $p = b.pool();
                let $begin = crate::SQLITE_BEGIN;
                $e
            }
            Store::Postgres(b) => {
                let $p = b.pool();
                let $begin = "BEGIN";
                $e
            }
        }
    };
}

/// Runs `$body` in one write transaction on whichever pool the store has and
/// commits it; `$tx` names the transaction in `$body`, which is written once
/// and compiled for each backend. An early return (`?`, `return Err`) rolls
/// the transaction back.
macro_rules! in_tx {
    ($store:expr, $tx:ident => $body:expr) => {
        on_pool!($store, pool, begin => {
            let mut $tx = pool.begin_with(begin).await?;
            let out = $body;
            $tx.commit().await?;
            out
        })
    };
}

/// Appends an audit entry in the transaction `$tx`.
macro_rules! audit_in {
    ($tx:expr, $caller:expr, $action:expr, $detail:expr) => {
        sqlx::query("INSERT INTO audit_log (actor, action, detail) VALUES ($1, $2, $3)")
            .bind($caller.audit_name())
            .bind($action)
            .bind($detail)
            .execute(&mut *$tx)
            .await?
    };
}

/// Notes in `$tx` that what `$kind` names changed (see [`changes`]); with a
/// subject, that one person changed.
macro_rules! note_in {
    ($tx:expr, $kind:expr) => {
        note_in!($tx, $kind, None::<i64>)
    };
    ($tx:expr, $kind:expr, $subject:expr) => {
        sqlx::query("INSERT INTO changes (kind, subject, at) VALUES ($1, $2, $3)")
            .bind($kind.as_str())
            .bind($subject)
            .bind(crate::changes::now())
            .execute(&mut *$tx)
            .await?
    };
}

#[macro_use]
pub mod accounts;
mod backend;
pub mod changes;
pub mod postings;
pub mod tables;
pub mod talent;
pub mod tasks;
pub mod testing;

use cb_competency::CompetencyModel;
use cb_competency::external::ExternalFramework;
use cb_core::Caller;
use serde::Serialize;
use std::str::FromStr;

pub use backend::{PgBackend, PgImport, SqliteBackend, SqliteImport};

/// An import being written: each batch commits on its own, and readers see
/// none of it until `finish` (see `begin_import`). After a failure call
/// `abandon`; a session merely dropped leaves its import to go stale, to be
/// resumed by the next import of the same file or discarded by any other.
pub enum ImportSession {
    Sqlite(SqliteImport),
    Postgres(PgImport),
}

macro_rules! session {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            ImportSession::Sqlite($s) => $e,
            ImportSession::Postgres($s) => $e,
        }
    };
}

impl ImportSession {
    pub fn import_id(&self) -> i64 {
        session!(self, s => s.import_id())
    }

    /// What the run this session resumes had done (zero for a new import).
    pub fn resumed_from(&self) -> postings::ImportCounts {
        session!(self, s => *s.resumed_from())
    }

    /// Writes a batch and the import's progress (`done`: what this session
    /// has read so far) in one transaction.
    pub async fn write(
        &mut self,
        postings: &[postings::NewPosting],
        links: &[postings::SourceLink],
        done: &postings::ImportCounts,
        now: i64,
    ) -> Result<(), StoreError> {
        session!(self, s => s.write(postings, links, done, now).await)
    }

    /// Says the process writing the import is alive.
    pub async fn heartbeat(&self, now: i64) -> Result<(), StoreError> {
        session!(self, s => s.heartbeat(now).await)
    }

    /// Makes the import visible with its final counts (this session's, the
    /// resumed run's are added). Returns the import id.
    pub async fn finish(
        &self,
        caller: &Caller,
        end: &postings::ImportEnd,
    ) -> Result<i64, StoreError> {
        session!(self, s => s.finish(caller, end).await)
    }

    /// Removes everything the import wrote.
    pub async fn abandon(&self) -> Result<(), StoreError> {
        session!(self, s => s.abandon().await)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "database URL `{url}` is not supported; expected sqlite://path/file.db or postgres://user@host/db"
    )]
    UnsupportedUrl { url: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("already exists: {detail}")]
    Duplicate { detail: String },
    #[error("stored data in `{table}` is not readable: {detail}")]
    Corrupt { table: String, detail: String },
    /// A guarded change found the row changed by someone else meanwhile.
    #[error("the record was changed by someone else meanwhile")]
    Stale,
}

impl StoreError {
    /// The database was too busy to answer in time (SQLite's lock held past
    /// the busy timeout, PostgreSQL's lock or statement timeout): the request
    /// may be retried, nothing is wrong with it.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(d)) => {
                // SQLITE_BUSY (5) and SQLITE_LOCKED (6) with their extended codes;
                // PostgreSQL lock_not_available, query_canceled
                let code = d.code().unwrap_or_default();
                let sqlite_busy = code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6));
                sqlite_busy || code == "55P03" || code == "57014"
            }
            StoreError::Database(sqlx::Error::PoolTimedOut) => true,
            _ => false,
        }
    }
}

/// How a SQLite write transaction begins: with the write lock, so that it
/// waits its turn (the busy timeout) instead of failing when another
/// connection writes between its first read and its first write.
pub(crate) const SQLITE_BEGIN: &str = "BEGIN IMMEDIATE";

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Which backend a URL names: `sqlite:` or `postgres:`/`postgresql:`.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

/// Called as rows are written: `(rows written, rows in all)`.
pub type Progress<'a> = &'a mut (dyn FnMut(u64, u64) + Send);

#[derive(Clone)]
pub enum Store {
    Sqlite(SqliteBackend),
    Postgres(PgBackend),
}

macro_rules! dispatch {
    ($self:ident, $b:ident => $e:expr) => {
        match $self {
            Store::Sqlite($b) => $e,
            Store::Postgres($b) => $e,
        }
    };
}

impl Store {
    /// Opens a database by URL: `sqlite://path/file.db` (created if missing;
    /// `sqlite::memory:` for a throwaway one) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        match Backend::of_url(url) {
            Some(Backend::Sqlite) => {
                let opts = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(std::time::Duration::from_secs(10))
                    // rows cross from SQLite's worker thread in batches, not one wake-up each
                    .row_buffer_size(4096);
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(opts)
                    .await?;
                Ok(Store::Sqlite(SqliteBackend::new(pool)))
            }
            Some(Backend::Postgres) => {
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(8)
                    .connect(url)
                    .await?;
                Ok(Store::Postgres(PgBackend::new(pool)))
            }
            None => Err(StoreError::UnsupportedUrl {
                url: url.to_string(),
            }),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// Brings the schema up to date; running it again changes nothing.
    /// Creates or upgrades the schema. PostgreSQL serialises concurrent
    /// migrations with an advisory lock; SQLite has none, so a process that
    /// loses the race to another one migrating the same file (its migration
    /// was applied meanwhile) reads the applied list again and goes on.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Store::Postgres(b) => b.migrate().await,
            Store::Sqlite(b) => {
                let mut attempt = 0;
                loop {
                    match b.migrate().await {
                        Err(StoreError::Migrate(e)) if attempt < 10 => {
                            attempt += 1;
                            tracing::debug!(error = %e, attempt, "migrating again: another process migrated meanwhile?");
                            tokio::time::sleep(std::time::Duration::from_millis(100 * attempt))
                                .await;
                        }
                        other => return other,
                    }
                }
            }
        }
    }

    /// The stored competency model, or `None` when none was ever installed.
    pub async fn load_model(&self) -> Result<Option<CompetencyModel>, StoreError> {
        dispatch!(self, b => b.load_model().await)
    }

    /// Replaces the competency model in one transaction: afterwards the store
    /// holds exactly `model`, or, on any error, exactly what it held before.
    pub async fn replace_model(
        &self,
        caller: &Caller,
        model: &CompetencyModel,
        progress: Progress<'_>,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.replace_model(caller, model, progress, false).await).map(|_| ())
    }

    /// Installs `model` unless one is installed; of several processes doing
    /// this at once on an empty database exactly one writes it. Returns
    /// whether this call did.
    pub async fn install_model(
        &self,
        caller: &Caller,
        model: &CompetencyModel,
    ) -> Result<bool, StoreError> {
        dispatch!(self, b => b.replace_model(caller, model, &mut |_, _| {}, true).await)
    }

    /// Up to `limit` changes after number `after`, in order (see [`changes`]).
    pub async fn changes_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<changes::Change>, StoreError> {
        dispatch!(self, b => b.changes_after(after, limit).await)
    }

    /// The newest change's number (0: none yet).
    pub async fn last_change(&self) -> Result<i64, StoreError> {
        dispatch!(self, b => b.last_change().await)
    }

    /// Forgets changes older than `before` (Unix seconds), keeping the newest.
    pub async fn prune_changes(&self, before: i64) -> Result<u64, StoreError> {
        dispatch!(self, b => b.prune_changes(before).await)
    }

    pub async fn load_external(&self) -> Result<Vec<ExternalFramework>, StoreError> {
        dispatch!(self, b => b.load_external().await)
    }

    /// Installs or replaces one external framework, in one transaction.
    pub async fn replace_external(
        &self,
        caller: &Caller,
        fw: &ExternalFramework,
        progress: Progress<'_>,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.replace_external(caller, fw, progress).await)
    }

    /// The import of a file with this content hash, if it was imported before.
    pub async fn import_by_hash(
        &self,
        hash: &str,
    ) -> Result<Option<postings::ImportRecord>, StoreError> {
        dispatch!(self, b => b.import_by_hash(hash).await)
    }

    /// Every import, newest first.
    pub async fn imports(&self) -> Result<Vec<postings::ImportRecord>, StoreError> {
        dispatch!(self, b => b.imports().await)
    }

    /// Postings after `after_id` as the demand index reads them, each with
    /// its import, at most `limit`: of every import, running ones too — the
    /// caller keeps those of the imports it holds.
    pub async fn postings_for_insight(
        &self,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<(i64, cb_insight::DemandPosting)>, StoreError> {
        dispatch!(self, b => b.postings_for_insight(after_id, limit).await)
    }

    /// The new postings of one done import after `after_id`, at most `limit`.
    pub async fn postings_of_import(
        &self,
        span: &postings::ImportSpan,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<cb_insight::DemandPosting>, StoreError> {
        dispatch!(self, b => b.postings_of_import(span, after_id, limit).await)
    }

    /// How many imports are done.
    pub async fn done_import_count(&self) -> Result<i64, StoreError> {
        dispatch!(self, b => b.done_import_count().await)
    }

    /// Every done import with the id range of its new postings.
    pub async fn done_imports(&self) -> Result<Vec<postings::ImportSpan>, StoreError> {
        dispatch!(self, b => b.done_imports().await)
    }

    /// The import being written now, if any.
    pub async fn running_import(&self) -> Result<Option<postings::ImportRecord>, StoreError> {
        dispatch!(self, b => b.running_import().await)
    }

    /// Takes over the running import `id` if its heartbeat is older than
    /// `stale_before`; `None` when it is alive or someone else took it.
    pub async fn resume_import(
        &self,
        caller: &Caller,
        id: i64,
        stale_before: i64,
        now: i64,
    ) -> Result<Option<ImportSession>, StoreError> {
        Ok(match self {
            Store::Sqlite(b) => b
                .resume_import(caller, id, stale_before, now)
                .await?
                .map(ImportSession::Sqlite),
            Store::Postgres(b) => b
                .resume_import(caller, id, stale_before, now)
                .await?
                .map(ImportSession::Postgres),
        })
    }

    /// Removes the unfinished import `id` whose heartbeat is older than
    /// `stale_before`, and what it wrote; whether this call removed it.
    pub async fn discard_import(
        &self,
        id: i64,
        stale_before: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        dispatch!(self, b => b.discard_import(id, Some(stale_before), now).await)
    }

    /// The postings with these ids (at most 500), newest first.
    pub async fn postings_by_ids(
        &self,
        ids: &[i64],
    ) -> Result<Vec<postings::PostingSummary>, StoreError> {
        dispatch!(self, b => b.postings_by_ids(ids).await)
    }

    /// One posting with its description and every source record it was seen in.
    pub async fn posting_detail(
        &self,
        id: i64,
    ) -> Result<Option<postings::PostingDetail>, StoreError> {
        dispatch!(self, b => b.posting_detail(id).await)
    }

    pub async fn postings_page(
        &self,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<postings::PostingSummary>, StoreError> {
        dispatch!(self, b => b.postings_page(after_id, limit).await)
    }

    /// Which classifier weights the stored postings carry: (version, target, last id done).
    pub async fn classifier_state(&self) -> Result<Option<(String, String, i64)>, StoreError> {
        dispatch!(self, b => b.classifier_state().await)
    }

    /// Records the weights the stored postings carry, unless a state is recorded already.
    pub async fn record_classifier(&self, version: &str) -> Result<(), StoreError> {
        dispatch!(self, b => b.record_classifier(version).await)
    }

    /// (id, title, description) of up to `limit` postings after `after_id`.
    pub async fn posting_texts(
        &self,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        dispatch!(self, b => b.posting_texts(after_id, limit).await)
    }

    /// One page of re-classified postings and the cursor, in one transaction.
    pub async fn reclassify_page(
        &self,
        caller: &Caller,
        target: &str,
        rows: &[postings::Reclassified],
        through_id: i64,
        finished: bool,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.reclassify_page(caller, target, rows, through_id, finished).await)
    }

    pub async fn posting_count(&self) -> Result<i64, StoreError> {
        dispatch!(self, b => b.posting_count().await)
    }

    /// Deduplication keys of every posting of a done import (and of
    /// `resuming`, an import taken over), one per source record.
    pub async fn dedupe_index(
        &self,
        resuming: Option<i64>,
    ) -> Result<Vec<postings::StoredKey>, StoreError> {
        dispatch!(self, b => b.dedupe_index(resuming).await)
    }

    /// Starts a new import, the database's one running import; `Ok(Err(r))`
    /// while `r` runs. A file imported before is a `Duplicate`.
    pub async fn begin_import(
        &self,
        caller: &Caller,
        start: &postings::ImportStart,
        now: i64,
    ) -> Result<Result<ImportSession, postings::ImportRecord>, StoreError> {
        Ok(match self {
            Store::Sqlite(b) => b
                .begin_import(caller, start, now)
                .await?
                .map(ImportSession::Sqlite),
            Store::Postgres(b) => b
                .begin_import(caller, start, now)
                .await?
                .map(ImportSession::Postgres),
        })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self, b => b.ping().await)
    }

    pub async fn close(&self) {
        dispatch!(self, b => b.close().await)
    }
}
