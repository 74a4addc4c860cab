//! Reference data as rows: the competency model and external frameworks
//! (about thirty small tables, described once in [`crate::tables`]), and the
//! change feed every node's caches follow.
//!
//! Reference tables are written and read through their descriptors: each
//! column has a name and a type, values are bound by that type and read
//! back by column name, and a value of another type is an error
//! (`StoreError::Database`), never a default.

use crate::changes::{Change, ChangeKind};
use crate::tables::{self, Rows, Table, Ty, Val};
use crate::{Progress, Store, StoreError};
use cb_competency::CompetencyModel;
use cb_competency::external::ExternalFramework;
use cb_core::Caller;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashMap;

/// Bound parameters per multi-row INSERT (under SQLite's 32,766 and
/// PostgreSQL's 65,535).
const PARAMS_PER_INSERT: usize = 30_000;

/// A unique constraint's refusal, as its own error.
pub(crate) fn duplicate(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate {
            detail: d.message().to_string(),
        },
        _ => StoreError::Database(e),
    }
}

/// Inserts `$rows` of the reference table `$table` in `$tx`, in multi-row
/// statements, counting them into `$done` of `$total` for `$progress`.
macro_rules! insert_rows_in {
    ($tx:expr, $table:expr, $rows:expr, $done:expr, $total:expr, $progress:expr) => {{
        let table: &Table = $table;
        let cols: Vec<&str> = table.cols.iter().map(|(c, _)| *c).collect();
        let per = (PARAMS_PER_INSERT / cols.len().max(1)).clamp(1, 2_000);
        for chunk in $rows.chunks(per) {
            let mut q = sqlx::QueryBuilder::new(format!(
                "INSERT INTO {} ({}) ",
                table.name,
                cols.join(", ")
            ));
            q.push_values(chunk, |mut b, row: &Vec<Val>| {
                for (v, (_, ty)) in row.iter().zip(table.cols) {
                    match (v, ty) {
                        (Val::Text(s), _) => b.push_bind(s.as_str()),
                        (Val::Int(i), _) => b.push_bind(*i),
                        (Val::Real(r), _) => b.push_bind(*r),
                        (Val::Null, Ty::Int | Ty::OptInt) => b.push_bind(None::<i64>),
                        (Val::Null, Ty::OptReal) => b.push_bind(None::<f64>),
                        (Val::Null, Ty::Text | Ty::OptText) => b.push_bind(None::<&str>),
                    };
                }
            });
            q.build().execute(&mut *$tx).await?;
            *$done += chunk.len() as u64;
            ($progress)(*$done, $total);
        }
    }};
}

impl Store {
    /// Every row of a reference table, each value read by its column's name
    /// and declared type.
    async fn table_rows(&self, table: &Table) -> Result<Rows, StoreError> {
        let cols: Vec<&str> = table.cols.iter().map(|(c, _)| *c).collect();
        let sql = format!("SELECT {} FROM {}", cols.join(", "), table.name);
        on_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let mut vals = Vec::with_capacity(cols.len());
                for (name, ty) in table.cols {
                    let name: &str = name;
                    vals.push(match ty {
                        Ty::Text => Val::Text(row.try_get::<String, _>(name)?),
                        Ty::OptText => row.try_get::<Option<String>, _>(name)?.map_or(Val::Null, Val::Text),
                        Ty::Int => Val::Int(row.try_get::<i64, _>(name)?),
                        Ty::OptInt => row.try_get::<Option<i64>, _>(name)?.map_or(Val::Null, Val::Int),
                        Ty::OptReal => row.try_get::<Option<f64>, _>(name)?.map_or(Val::Null, Val::Real),
                    });
                }
                out.push(vals);
            }
            Ok(out)
        })
    }

    async fn tables_rows(
        &self,
        tables: &[&'static Table],
    ) -> Result<HashMap<&'static str, Rows>, StoreError> {
        let mut all = HashMap::new();
        for t in tables {
            all.insert(t.name, self.table_rows(t).await?);
        }
        Ok(all)
    }

    /// The stored competency model, or `None` when none was ever installed.
    pub async fn load_model(&self) -> Result<Option<CompetencyModel>, StoreError> {
        const SQL: &str = "SELECT value FROM meta WHERE key = $1";
        let version: Option<String> = on_pool!(self, pool => sqlx::query_scalar(SQL)
            .bind(tables::NICE_VERSION_KEY)
            .fetch_optional(pool)
            .await?);
        let Some(version) = version else {
            return Ok(None);
        };
        let all = self.tables_rows(tables::MODEL_TABLES).await?;
        let get = |t: &Table| all.get(t.name).cloned().unwrap_or_default();
        Ok(Some(tables::model_from_rows(version, &get)?))
    }

    /// Replaces the competency model in one transaction: afterwards the store
    /// holds exactly `model`, or, on any error, exactly what it held before.
    pub async fn replace_model(
        &self,
        caller: &Caller,
        model: &CompetencyModel,
        progress: Progress<'_>,
    ) -> Result<(), StoreError> {
        self.write_model(caller, model, progress, false)
            .await
            .map(|_| ())
    }

    /// Installs `model` unless one is installed; of several processes doing
    /// this at once on an empty database exactly one writes it (the one
    /// whose version row goes in). Returns whether this call did.
    pub async fn install_model(
        &self,
        caller: &Caller,
        model: &CompetencyModel,
    ) -> Result<bool, StoreError> {
        self.write_model(caller, model, &mut |_, _| {}, true).await
    }

    async fn write_model(
        &self,
        caller: &Caller,
        model: &CompetencyModel,
        progress: Progress<'_>,
        only_if_absent: bool,
    ) -> Result<bool, StoreError> {
        const CLAIM: &str =
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
        const SET: &str = "INSERT INTO meta (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        let rows = tables::model_rows(model);
        let total: u64 = rows.iter().map(|(_, r)| r.len() as u64).sum();
        let mut done = 0;
        let detail = format!(
            "NICE {}: {} work roles, {} statements, {} platform roles, {} skills, {} certifications",
            model.nice_version,
            model.work_roles.len(),
            model.statements.len(),
            model.platform_roles.len(),
            model.skills.len(),
            model.certifications.len()
        );
        in_tx!(self, tx => {
            let claim = if only_if_absent { CLAIM } else { SET };
            let claimed = sqlx::query(claim)
                .bind(tables::NICE_VERSION_KEY)
                .bind(&model.nice_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if claimed == 0 {
                return Ok(false);
            }
            for t in tables::MODEL_TABLES.iter().rev() {
                sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", t.name)))
                    .execute(&mut *tx)
                    .await?;
            }
            for (t, r) in &rows {
                insert_rows_in!(tx, t, r, &mut done, total, progress);
            }
            note_in!(tx, ChangeKind::Model);
            audit_in!(tx, caller, "competency_model.replace", detail);
            Ok(true)
        })
    }

    pub async fn load_external(&self) -> Result<Vec<ExternalFramework>, StoreError> {
        let all = self.tables_rows(tables::EXTERNAL_TABLES).await?;
        let get = |t: &Table| all.get(t.name).cloned().unwrap_or_default();
        Ok(tables::externals_from_rows(&get))
    }

    /// Installs or replaces one external framework, in one transaction.
    pub async fn replace_external(
        &self,
        caller: &Caller,
        fw: &ExternalFramework,
        progress: Progress<'_>,
    ) -> Result<(), StoreError> {
        let rows = tables::external_rows(fw);
        let total: u64 = rows.iter().map(|(_, r)| r.len() as u64).sum();
        let mut done = 0;
        let detail = format!(
            "{} {}: {} roles, {} elements",
            fw.id,
            fw.version,
            fw.roles.len(),
            fw.elements.len()
        );
        in_tx!(self, tx => {
            for t in tables::EXTERNAL_TABLES.iter().rev() {
                let key = if t.name == tables::EXT.name { "id" } else { "framework_id" };
                sqlx::query(AssertSqlSafe(format!("DELETE FROM {} WHERE {key} = $1", t.name)))
                    .bind(&fw.id)
                    .execute(&mut *tx)
                    .await?;
            }
            for (t, r) in &rows {
                insert_rows_in!(tx, t, r, &mut done, total, progress);
            }
            note_in!(tx, ChangeKind::Model);
            audit_in!(tx, caller, "external_framework.replace", detail);
            Ok(())
        })
    }

    /// Up to `limit` changes after number `after`, in order (see [`crate::changes`]).
    pub async fn changes_after(&self, after: i64, limit: i64) -> Result<Vec<Change>, StoreError> {
        const SQL: &str =
            "SELECT seq, kind, subject, at FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2";
        let rows: Vec<(i64, String, Option<i64>, i64)> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?);
        rows.into_iter()
            .map(|(seq, kind, subject, at)| {
                crate::changes::change_from(seq, &kind, subject, at).ok_or_else(|| {
                    StoreError::Corrupt {
                        table: "changes".into(),
                        detail: format!("unknown kind `{kind}`"),
                    }
                })
            })
            .collect()
    }

    /// The newest change's number (0: none yet).
    pub async fn last_change(&self) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT MAX(seq) FROM changes";
        let last: Option<i64> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).fetch_one(pool).await?);
        Ok(last.unwrap_or(0))
    }

    /// Forgets changes older than `before` (Unix seconds), keeping the newest.
    pub async fn prune_changes(&self, before: i64) -> Result<u64, StoreError> {
        const SQL: &str =
            "DELETE FROM changes WHERE at < $1 AND seq < (SELECT MAX(seq) FROM changes)";
        on_pool!(self, pool => Ok(sqlx::query(SQL).bind(before).execute(pool).await?.rows_affected()))
    }
}
