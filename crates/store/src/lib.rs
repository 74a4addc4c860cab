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
                let $p = b;
                let $begin = crate::SQLITE_BEGIN;
                $e
            }
            Store::Postgres(b) => {
                let $p = b;
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
        sqlx::query("INSERT INTO audit_log (actor, action, detail, at) VALUES ($1, $2, $3, $4)")
            .bind($caller.audit_name())
            .bind($action)
            .bind($detail)
            .bind(crate::changes::now())
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

/// Where the columns `names` are in a query's rows. The readers of millions
/// of rows look them up by name once, on the first row, and read every row
/// by these positions.
pub(crate) fn ordinals<R: sqlx::Row, const N: usize>(
    row: &R,
    names: [&str; N],
) -> Result<[usize; N], sqlx::Error>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    let mut at = [0; N];
    for (slot, name) in at.iter_mut().zip(names) {
        *slot = sqlx::Column::ordinal(row.try_column(name)?);
    }
    Ok(at)
}

#[macro_use]
pub mod accounts;
pub mod changes;
pub mod list;
mod model;
pub mod postings;
pub mod tables;
pub mod talent;
pub mod tasks;
pub mod testing;

use serde::Serialize;
use std::str::FromStr;

pub use postings::ImportSession;

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
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

/// Called as rows are written: `(rows written, rows in all)`.
pub type Progress<'a> = &'a mut (dyn FnMut(u64, u64) + Send);

/// The one storage interface: a pool of SQLite or of PostgreSQL
/// connections. Its methods (in this crate's modules by subject) write each
/// statement once for both; `on_pool!` compiles it for each.
#[derive(Clone)]
pub enum Store {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
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
                Ok(Store::Sqlite(pool))
            }
            Some(Backend::Postgres) => {
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(8)
                    .connect(url)
                    .await?;
                Ok(Store::Postgres(pool))
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

    /// Creates or upgrades the schema; running it again changes nothing.
    /// PostgreSQL serialises concurrent migrations with an advisory lock;
    /// SQLite has none, so a process that loses the race to another one
    /// migrating the same file (its migration was applied meanwhile) reads
    /// the applied list again and goes on.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Store::Postgres(pool) => Ok(sqlx::migrate!("./migrations/postgres").run(pool).await?),
            Store::Sqlite(pool) => {
                let mut attempt = 0;
                loop {
                    match sqlx::migrate!("./migrations/sqlite").run(pool).await {
                        Err(e) if attempt < 10 => {
                            attempt += 1;
                            tracing::debug!(error = %e, attempt, "migrating again: another process migrated meanwhile?");
                            tokio::time::sleep(std::time::Duration::from_millis(100 * attempt))
                                .await;
                        }
                        other => return Ok(other?),
                    }
                }
            }
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await?.rows_affected());
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// Whether [`Store::close`] was called (on this store or a clone).
    pub fn is_closed(&self) -> bool {
        on_pool!(self, pool => pool.is_closed())
    }
}
