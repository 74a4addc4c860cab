//! Helpers for tests that need a real database: a fresh SQLite file in a
//! temporary directory, or a fresh PostgreSQL database created next to the one
//! `TEST_DATABASE_URL` names and dropped afterwards.

use crate::{Store, StoreError};
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database created for one test. Call [`TestDb::finish`] at the end to drop
/// a PostgreSQL database (a SQLite file goes with its directory).
pub struct TestDb {
    pub url: String,
    pub label: &'static str,
    admin_url: Option<String>,
    name: Option<String>,
    _dir: Option<tempdir::Dir>,
}

mod tempdir {
    /// A directory removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

impl TestDb {
    /// A new SQLite database file in its own temporary directory.
    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(unique("cyberbridge_test"));
        let _ = std::fs::create_dir_all(&dir);
        let url = format!("sqlite://{}", dir.join("test.db").display());
        TestDb {
            url,
            label: "sqlite",
            admin_url: None,
            name: None,
            _dir: Some(tempdir::Dir(dir)),
        }
    }

    /// A new, empty PostgreSQL database on the server `TEST_DATABASE_URL`
    /// names, or `None` when that variable is unset.
    pub async fn postgres() -> Option<Result<TestDb, StoreError>> {
        let base = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|s| !s.is_empty())?;
        Some(Self::postgres_from(&base).await)
    }

    async fn postgres_from(base: &str) -> Result<TestDb, StoreError> {
        use sqlx::Connection;
        let name = unique("cb_test");
        let mut conn = sqlx::PgConnection::connect(base).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        let url = replace_db_name(base, &name);
        Ok(TestDb {
            url,
            label: "postgres",
            admin_url: Some(base.to_string()),
            name: Some(name),
            _dir: None,
        })
    }

    /// Every backend this run should test: SQLite always, PostgreSQL when
    /// `TEST_DATABASE_URL` is set (an unreachable server fails the test).
    pub async fn all() -> Vec<TestDb> {
        let mut v = vec![TestDb::sqlite()];
        match TestDb::postgres().await {
            Some(Ok(db)) => v.push(db),
            Some(Err(e)) => {
                panic!("TEST_DATABASE_URL is set but a test database could not be created: {e}")
            }
            None => {}
        }
        v
    }

    pub async fn store(&self) -> Store {
        let store = match Store::connect(&self.url).await {
            Ok(s) => s,
            Err(e) => panic!("{}: cannot connect: {e}", self.label),
        };
        if let Err(e) = store.migrate().await {
            panic!("{}: cannot migrate: {e}", self.label);
        }
        store
    }

    /// Drops the PostgreSQL database (after the test's pools are closed).
    pub async fn finish(mut self) {
        if let (Some(admin), Some(name)) = (self.admin_url.take(), self.name.take()) {
            drop_database(&admin, &name).await;
        }
    }
}

async fn drop_database(admin: &str, name: &str) {
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await;
        let _ = conn.close().await;
    }
}

/// A test that panics never reaches [`TestDb::finish`]: its PostgreSQL
/// database is dropped here, from a thread with a runtime of its own (the
/// test's runtime may be the one unwinding).
impl Drop for TestDb {
    fn drop(&mut self) {
        let (Some(admin), Some(name)) = (self.admin_url.take(), self.name.take()) else {
            return;
        };
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(drop_database(&admin, &name));
            }
        })
        .join();
    }
}

/// Applies the migrations up to and including `version` only: a database
/// as an earlier release left it (upgrade tests).
pub async fn migrate_to(store: &Store, version: i64) -> Result<(), StoreError> {
    match store {
        Store::Sqlite(p) => {
            sqlx::migrate!("./migrations/sqlite")
                .run_to(version, p)
                .await?
        }
        Store::Postgres(p) => {
            sqlx::migrate!("./migrations/postgres")
                .run_to(version, p)
                .await?
        }
    }
    Ok(())
}

/// Runs SQL statements as given: rows in an earlier schema (upgrade tests).
pub async fn execute(store: &Store, sql: &str) -> Result<(), StoreError> {
    let sql = sql.to_string();
    on_pool!(store, pool => sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(pool).await?.rows_affected());
    Ok(())
}

/// `postgres://u@h:5432/old?x=y` → `postgres://u@h:5432/new?x=y`.
pub fn replace_db_name(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match head[scheme_end..].find('/') {
        Some(i) => &head[..scheme_end + i],
        None => head,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::replace_db_name;

    #[test]
    fn replaces_only_the_database_name() {
        assert_eq!(
            replace_db_name("postgres://postgres@127.0.0.1:5432/ci", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            replace_db_name("postgres://h/ci?sslmode=disable", "t2"),
            "postgres://h/t2?sslmode=disable"
        );
        assert_eq!(replace_db_name("postgres://h", "t3"), "postgres://h/t3");
    }
}

#[cfg(test)]
mod drop_guard {
    use super::TestDb;

    /// A test that panics leaves no database behind.
    #[tokio::test]
    async fn a_database_not_finished_is_dropped_all_the_same() {
        let Some(db) = TestDb::postgres().await else {
            return; // nothing to leave behind without PostgreSQL
        };
        let db = db.expect("a test database");
        let (admin, name) = (
            db.admin_url.clone().expect("admin"),
            db.name.clone().expect("name"),
        );
        let store = db.store().await;
        store.close().await;
        let panicked = std::thread::spawn(move || {
            let _held = db;
            panic!("a failing test");
        })
        .join();
        assert!(panicked.is_err());
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("admin connection");
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = $1")
            .bind(&name)
            .fetch_one(&mut conn)
            .await
            .expect("count");
        assert_eq!(left, 0, "{name} was left behind");
    }
}
