//! The two implementations. Their code is one body instantiated twice by
//! `backend!`, so the dialects cannot drift apart; only placeholders and
//! migrations differ.

use crate::tables::{self, Rows, Table, Ty, Val};
use crate::{AuditEntry, Progress, StoreError};
use cb_competency::CompetencyModel;
use cb_competency::external::ExternalFramework;
use cb_core::Caller;
use sqlx::{AssertSqlSafe, Row};

/// Rows per multi-row INSERT (well under both databases' parameter limits).
const CHUNK: usize = 400;

fn sqlite_placeholder(_n: usize) -> String {
    "?".to_string()
}

fn pg_placeholder(n: usize) -> String {
    format!("${n}")
}

/// `INSERT INTO t (a, b) VALUES (?, ?), (?, ?)` for `rows` rows. Table and
/// column names come from the constants in `tables`, never from input.
fn insert_sql(table: &Table, rows: usize, ph: fn(usize) -> String) -> String {
    let cols: Vec<&str> = table.cols.iter().map(|(c, _)| *c).collect();
    let mut sql = format!("INSERT INTO {} ({}) VALUES ", table.name, cols.join(", "));
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..cols.len() {
            n += 1;
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&ph(n));
        }
        sql.push(')');
    }
    sql
}

fn select_sql(table: &Table) -> String {
    let cols: Vec<&str> = table.cols.iter().map(|(c, _)| *c).collect();
    format!("SELECT {} FROM {}", cols.join(", "), table.name)
}

macro_rules! backend {
    ($name:ident, $db:ty, $pool:ty, $ph:expr, $migrator:expr) => {
        #[derive(Clone)]
        pub struct $name {
            pool: $pool,
        }

        impl $name {
            pub fn new(pool: $pool) -> Self {
                Self { pool }
            }

            pub fn pool(&self) -> &$pool {
                &self.pool
            }

            pub async fn migrate(&self) -> Result<(), StoreError> {
                $migrator.run(&self.pool).await?;
                Ok(())
            }

            pub async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            pub async fn close(&self) {
                self.pool.close().await
            }

            async fn select(&self, table: &Table) -> Result<Rows, StoreError> {
                let rows = sqlx::query(AssertSqlSafe(select_sql(table))).fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    let mut vals = Vec::with_capacity(table.cols.len());
                    for (i, (_, ty)) in table.cols.iter().enumerate() {
                        vals.push(match ty {
                            Ty::Text => Val::Text(row.try_get::<String, _>(i)?),
                            Ty::OptText => row.try_get::<Option<String>, _>(i)?.map_or(Val::Null, Val::Text),
                            Ty::Int => Val::Int(row.try_get::<i64, _>(i)?),
                        });
                    }
                    out.push(vals);
                }
                Ok(out)
            }

            async fn select_all(&self, tables: &[&Table]) -> Result<std::collections::HashMap<&'static str, Rows>, StoreError> {
                let mut all = std::collections::HashMap::new();
                for t in tables {
                    all.insert(t.name, self.select(t).await?);
                }
                Ok(all)
            }

            async fn insert(
                tx: &mut sqlx::Transaction<'_, $db>,
                table: &Table,
                rows: &Rows,
                done: &mut u64,
                total: u64,
                progress: &mut (dyn FnMut(u64, u64) + Send),
            ) -> Result<(), StoreError> {
                for chunk in rows.chunks(CHUNK) {
                    let sql = insert_sql(table, chunk.len(), $ph);
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for row in chunk {
                        for v in row {
                            q = match v {
                                Val::Text(s) => q.bind(s.clone()),
                                Val::Int(i) => q.bind(*i),
                                Val::Null => q.bind(None::<String>),
                            };
                        }
                    }
                    q.execute(&mut **tx).await?;
                    *done += chunk.len() as u64;
                    progress(*done, total);
                }
                Ok(())
            }

            async fn audit_in(tx: &mut sqlx::Transaction<'_, $db>, caller: &Caller, action: &str, detail: &str) -> Result<(), StoreError> {
                let sql = format!("INSERT INTO audit_log (actor, action, detail) VALUES ({}, {}, {})", $ph(1), $ph(2), $ph(3));
                sqlx::query(AssertSqlSafe(sql)).bind(caller.audit_name()).bind(action.to_string()).bind(detail.to_string()).execute(&mut **tx).await?;
                Ok(())
            }

            pub async fn audit(&self, caller: &Caller, action: &str, detail: &str) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await?;
                Self::audit_in(&mut tx, caller, action, detail).await?;
                tx.commit().await?;
                Ok(())
            }

            pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
                let sql = format!("SELECT at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT {}", $ph(1));
                let rows = sqlx::query(AssertSqlSafe(sql)).bind(limit).fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|r| Ok(AuditEntry { at: r.try_get(0)?, actor: r.try_get(1)?, action: r.try_get(2)?, detail: r.try_get(3)? }))
                    .collect()
            }

            pub async fn load_model(&self) -> Result<Option<CompetencyModel>, StoreError> {
                let sql = format!("SELECT value FROM meta WHERE key = {}", $ph(1));
                let version: Option<String> = sqlx::query_scalar(AssertSqlSafe(sql))
                    .bind(tables::NICE_VERSION_KEY.to_string())
                    .fetch_optional(&self.pool)
                    .await?;
                let Some(version) = version else { return Ok(None) };
                let all = self.select_all(tables::MODEL_TABLES).await?;
                let get = |t: &Table| all.get(t.name).cloned().unwrap_or_default();
                Ok(Some(tables::model_from_rows(version, &get)?))
            }

            pub async fn replace_model(&self, caller: &Caller, model: &CompetencyModel, progress: Progress<'_>) -> Result<(), StoreError> {
                let rows = tables::model_rows(model);
                let total: u64 = rows.iter().map(|(_, r)| r.len() as u64).sum();
                let mut done = 0;
                let mut tx = self.pool.begin().await?;
                for t in tables::MODEL_TABLES.iter().rev() {
                    sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", t.name))).execute(&mut *tx).await?;
                }
                for (t, r) in &rows {
                    Self::insert(&mut tx, t, r, &mut done, total, progress).await?;
                }
                let sql = format!("DELETE FROM meta WHERE key = {}", $ph(1));
                sqlx::query(AssertSqlSafe(sql)).bind(tables::NICE_VERSION_KEY.to_string()).execute(&mut *tx).await?;
                let sql = format!("INSERT INTO meta (key, value) VALUES ({}, {})", $ph(1), $ph(2));
                sqlx::query(AssertSqlSafe(sql))
                    .bind(tables::NICE_VERSION_KEY.to_string())
                    .bind(model.nice_version.clone())
                    .execute(&mut *tx)
                    .await?;
                let detail = format!(
                    "NICE {}: {} work roles, {} statements, {} platform roles, {} skills, {} certifications",
                    model.nice_version,
                    model.work_roles.len(),
                    model.statements.len(),
                    model.platform_roles.len(),
                    model.skills.len(),
                    model.certifications.len()
                );
                Self::audit_in(&mut tx, caller, "competency_model.replace", &detail).await?;
                tx.commit().await?;
                Ok(())
            }

            pub async fn load_external(&self) -> Result<Vec<ExternalFramework>, StoreError> {
                let all = self.select_all(tables::EXTERNAL_TABLES).await?;
                let get = |t: &Table| all.get(t.name).cloned().unwrap_or_default();
                Ok(tables::externals_from_rows(&get))
            }

            pub async fn replace_external(&self, caller: &Caller, fw: &ExternalFramework, progress: Progress<'_>) -> Result<(), StoreError> {
                let rows = tables::external_rows(fw);
                let total: u64 = rows.iter().map(|(_, r)| r.len() as u64).sum();
                let mut done = 0;
                let mut tx = self.pool.begin().await?;
                for t in tables::EXTERNAL_TABLES.iter().rev() {
                    let key = if t.name == tables::EXT.name { "id" } else { "framework_id" };
                    let sql = format!("DELETE FROM {} WHERE {} = {}", t.name, key, $ph(1));
                    sqlx::query(AssertSqlSafe(sql)).bind(fw.id.clone()).execute(&mut *tx).await?;
                }
                for (t, r) in &rows {
                    Self::insert(&mut tx, t, r, &mut done, total, progress).await?;
                }
                let detail = format!("{} {}: {} roles, {} elements", fw.id, fw.version, fw.roles.len(), fw.elements.len());
                Self::audit_in(&mut tx, caller, "external_framework.replace", &detail).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

backend!(
    SqliteBackend,
    sqlx::Sqlite,
    sqlx::SqlitePool,
    sqlite_placeholder,
    sqlx::migrate!("./migrations/sqlite")
);
backend!(PgBackend, sqlx::Postgres, sqlx::PgPool, pg_placeholder, sqlx::migrate!("./migrations/postgres"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_sql_numbers_postgres_placeholders_across_rows() {
        let sql = insert_sql(&tables::ROLE_STATEMENTS, 2, pg_placeholder);
        assert_eq!(sql, "INSERT INTO nice_role_statements (role_id, statement_id) VALUES ($1, $2), ($3, $4)");
        let sql = insert_sql(&tables::ROLE_STATEMENTS, 1, sqlite_placeholder);
        assert!(sql.ends_with("VALUES (?, ?)"));
    }
}
