//! Reference data as rows: the competency model and external frameworks
//! (about thirty small tables, described once in [`crate::tables`]), and the
//! change feed every node's caches follow.
//!
//! Reference tables are written and read through their row structs
//! ([`crate::tables::RefRow`]): fields are bound in column order and read
//! back by column name, and a value of another type is an error
//! (`StoreError::Database`), never a default.

use crate::changes::{Change, ChangeKind};
use crate::tables::{self, BindRow, ExternalRows, ModelRows, RefRow};
use crate::{Progress, Store, StoreError};
use cb_competency::CompetencyModel;
use cb_competency::external::ExternalFramework;
use cb_core::Caller;
use sqlx::{AssertSqlSafe, Connection};

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

/// Counts rows written for a progress callback: `done` of `total`.
pub(crate) struct Counted<'a> {
    pub done: u64,
    pub total: u64,
    pub progress: Progress<'a>,
}

/// Inserts `rows` of one reference table on `conn`, in multi-row
/// statements, counting them into `count`.
pub(crate) async fn insert_rows<C, T>(
    conn: &mut C,
    rows: &[T],
    count: &mut Counted<'_>,
) -> Result<(), sqlx::Error>
where
    C: Connection,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = C::Database>,
    T: RefRow + BindRow<C::Database>,
    <C::Database as sqlx::Database>::Arguments: sqlx::IntoArguments<C::Database>,
{
    let per = (PARAMS_PER_INSERT / T::COLUMNS.len().max(1)).clamp(1, 2_000);
    for chunk in rows.chunks(per) {
        let mut q = sqlx::QueryBuilder::<C::Database>::new(format!(
            "INSERT INTO {} ({}) ",
            T::TABLE,
            T::COLUMNS.join(", ")
        ));
        q.push_values(chunk, |mut b, row| row.push_binds(&mut b));
        q.build().execute(&mut *conn).await?;
        count.done += chunk.len() as u64;
        (count.progress)(count.done, count.total);
    }
    Ok(())
}

impl Store {
    /// Every row of one reference table, read by column name into its
    /// declared types.
    pub(crate) async fn ref_rows<T: RefRow>(&self) -> Result<Vec<T>, StoreError> {
        let sql = format!("SELECT {} FROM {}", T::COLUMNS.join(", "), T::TABLE);
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, T>(AssertSqlSafe(sql)).fetch_all(pool).await?),
        )
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
        let rows = ModelRows::load(self).await?;
        Ok(Some(tables::model_from_rows(version, rows)?))
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
        let mut count = Counted {
            done: 0,
            total: rows.rows(),
            progress,
        };
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
                sqlx::query(AssertSqlSafe(format!("DELETE FROM {t}")))
                    .execute(&mut *tx)
                    .await?;
            }
            rows.insert_in(&mut *tx, &mut count).await?;
            note_in!(tx, ChangeKind::Model);
            audit_in!(tx, caller, "competency_model.replace", detail);
            Ok(true)
        })
    }

    pub async fn load_external(&self) -> Result<Vec<ExternalFramework>, StoreError> {
        tables::externals_from_rows(ExternalRows::load(self).await?)
    }

    /// Installs or replaces one external framework, in one transaction.
    pub async fn replace_external(
        &self,
        caller: &Caller,
        fw: &ExternalFramework,
        progress: Progress<'_>,
    ) -> Result<(), StoreError> {
        let rows = tables::external_rows(fw);
        let mut count = Counted {
            done: 0,
            total: rows.rows(),
            progress,
        };
        let detail = format!(
            "{} {}: {} roles, {} elements",
            fw.id,
            fw.version,
            fw.roles.len(),
            fw.elements.len()
        );
        in_tx!(self, tx => {
            for t in tables::EXTERNAL_TABLES.iter().rev() {
                let key = if *t == tables::ExtRow::TABLE { "id" } else { "framework_id" };
                sqlx::query(AssertSqlSafe(format!("DELETE FROM {t} WHERE {key} = $1")))
                    .bind(&fw.id)
                    .execute(&mut *tx)
                    .await?;
            }
            rows.insert_in(&mut *tx, &mut count).await?;
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
