//! The two implementations. Their code is one body instantiated twice by
//! `backend!`, so the dialects cannot drift apart; only placeholders and
//! migrations differ.

use crate::postings::{
    ImportCounts, ImportEnd, ImportRecord, ImportStart, NewPosting, PostingSummary, SourceLink,
    StoredKey, import_from_row, import_select,
};
use crate::tables::{self, Rows, Table, Ty, Val};
use crate::{Progress, StoreError};
use cb_competency::CompetencyModel;
use cb_competency::external::ExternalFramework;
use cb_core::Caller;
use futures_util::TryStreamExt;
use sqlx::{AssertSqlSafe, Row};

/// Bound parameters per multi-row INSERT (under SQLite's 32,766 and PostgreSQL's 65,535).
const PARAMS_PER_INSERT: usize = 30_000;

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

fn ty_of(table: &Table, col: usize) -> Ty {
    table.cols.get(col).map(|(_, t)| *t).unwrap_or(Ty::Text)
}

/// `clause` with each `{}` replaced by the dialect's next placeholder.
fn fill(clause: &str, ph: fn(usize) -> String) -> String {
    let mut sql = String::with_capacity(clause.len() + 16);
    for (i, part) in clause.split("{}").enumerate() {
        if i > 0 {
            sql.push_str(&ph(i));
        }
        sql.push_str(part);
    }
    sql
}

/// A unique constraint's refusal, as its own error.
pub(crate) fn duplicate(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate {
            detail: d.message().to_string(),
        },
        _ => StoreError::Database(e),
    }
}

fn select_sql(table: &Table) -> String {
    let cols: Vec<&str> = table.cols.iter().map(|(c, _)| *c).collect();
    format!("SELECT {} FROM {}", cols.join(", "), table.name)
}

/// New postings from which an import refreshes PostgreSQL's statistics of
/// `postings` (see `finish`).
const ANALYZE_AFTER: u64 = 5_000;

macro_rules! backend {
    ($name:ident, $session:ident, $db:ty, $pool:ty, $ph:expr, $migrator:expr, $begin:expr, $partitioned:expr) => {
        #[derive(Clone)]
        pub struct $name {
            pool: $pool,
        }

        /// An import being written (see `begin_import`): each batch is its own
        /// short transaction, and readers see none of it until `finish`. A
        /// session dropped without `finish` or `abandon` leaves a running import
        /// whose heartbeat goes stale: the next import of the same file resumes
        /// it, any other import discards it.
        pub struct $session {
            pool: $pool,
            import_id: i64,
            /// Stored ids of the new postings written by this session, in order:
            /// `PostingRef::New(n)` is `ids[n]`.
            ids: Vec<i64>,
            /// What the import had done before this session (a resumed import).
            before: ImportCounts,
            first: Option<i64>,
            last: Option<i64>,
            /// The months whose `postings` partition this session made sure of.
            months: std::collections::HashSet<(i32, u32)>,
        }

        impl $session {
            pub fn import_id(&self) -> i64 {
                self.import_id
            }

            /// Counts of the interrupted run this session resumes (zero for a new import).
            pub fn resumed_from(&self) -> &ImportCounts {
                &self.before
            }

            /// Writes the next batch and the import's progress in one short
            /// transaction: `postings` are new postings numbered on from the
            /// previous batches of this session; `links` may refer to any of
            /// them; `done` counts everything this session has read so far.
            pub async fn write(&mut self, postings: &[NewPosting], links: &[SourceLink], done: &ImportCounts, now: i64) -> Result<(), StoreError> {
                $name::ensure_months(&self.pool, &mut self.months, postings).await?;
                let mut tx = self.pool.begin_with($begin).await?;
                let rows = crate::postings::posting_rows(self.import_id, postings);
                let mut n = 0;
                let stored = $name::insert(&mut tx, &tables::POSTINGS, &rows, &mut n, 0, &mut |_, _| {}, Some("id, line")).await?;
                // the ids come back by source line (unique among an import's new postings)
                let by_line: std::collections::HashMap<i64, i64> = stored.iter().map(|&(id, line)| (line, id)).collect();
                if by_line.len() != postings.len() {
                    return Err(StoreError::Corrupt {
                        table: "postings".into(),
                        detail: format!("{} new postings came back under {} distinct lines", postings.len(), by_line.len()),
                    });
                }
                for p in postings {
                    let id = by_line[&(p.parsed.line as i64)];
                    self.first = Some(self.first.map_or(id, |f| f.min(id)));
                    self.last = Some(self.last.map_or(id, |l| l.max(id)));
                    self.ids.push(id);
                }
                let links_rows = crate::postings::link_rows(self.import_id, &self.ids, links)?;
                $name::insert(&mut tx, &tables::POSTING_SOURCES, &links_rows, &mut n, 0, &mut |_, _| {}, None).await?;
                let total = self.before.plus(done);
                let sql = format!(
                    "UPDATE imports SET rows_read = {}, postings_new = {}, duplicates = {}, rejected = {}, heartbeat = {}, first_posting = {}, last_posting = {} WHERE id = {}",
                    $ph(1), $ph(2), $ph(3), $ph(4), $ph(5), $ph(6), $ph(7), $ph(8)
                );
                sqlx::query(AssertSqlSafe(sql))
                    .bind(total.rows_read as i64)
                    .bind(self.before.postings_new as i64 + self.ids.len() as i64)
                    .bind(total.duplicates as i64)
                    .bind(total.rejected as i64)
                    .bind(now)
                    .bind(self.first)
                    .bind(self.last)
                    .bind(self.import_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            /// Says the process writing this import is alive.
            pub async fn heartbeat(&self, now: i64) -> Result<(), StoreError> {
                let sql = format!("UPDATE imports SET heartbeat = {} WHERE id = {}", $ph(1), $ph(2));
                sqlx::query(AssertSqlSafe(sql)).bind(now).bind(self.import_id).execute(&self.pool).await?;
                Ok(())
            }

            /// Records the final counts, makes the import visible and writes the
            /// audit entry, in one transaction. Returns the import id.
            pub async fn finish(&self, caller: &Caller, end: &ImportEnd) -> Result<i64, StoreError> {
                let total = self.before.plus(&ImportCounts { rows_read: end.rows_read, postings_new: 0, duplicates: end.duplicates, rejected: end.rejected });
                let postings_new = self.before.postings_new + self.ids.len() as u64;
                let mut tx = self.pool.begin_with($begin).await?;
                let sql = format!(
                    "UPDATE imports SET rows_read = {}, postings_new = {}, duplicates = {}, rejected = {}, state = 'done' WHERE id = {} AND state = 'running'",
                    $ph(1), $ph(2), $ph(3), $ph(4), $ph(5)
                );
                let done = sqlx::query(AssertSqlSafe(sql))
                    .bind(total.rows_read as i64)
                    .bind(postings_new as i64)
                    .bind(total.duplicates as i64)
                    .bind(total.rejected as i64)
                    .bind(self.import_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if done != 1 {
                    return Err(StoreError::Corrupt {
                        table: "imports".into(),
                        detail: format!("import {} is no longer running (another process took it over after its heartbeat stopped)", self.import_id),
                    });
                }
                let detail = format!("{}: {} rows, {} new postings, {} duplicates, {} rejected", end.file_name, total.rows_read, postings_new, total.duplicates, total.rejected);
                $name::audit_in(&mut tx, caller, "postings.import", &detail).await?;
                tx.commit().await?;
                let analyse = $partitioned
                    && (postings_new >= ANALYZE_AFTER
                        || !sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM pg_stats WHERE tablename = 'postings' AND attname = 'import_id')")
                            .fetch_one(&self.pool)
                            .await
                            .unwrap_or(true));
                if analyse {
                    // autovacuum never analyses a partitioned table itself; without
                    // statistics of `postings` as a whole, PostgreSQL plans the
                    // paged reads by id with a full scan of every partition per
                    // page (measured: 30 s instead of 4 s to load 1 M postings).
                    // One column is enough for those plans: 0.9 s at 1 M postings,
                    // paid by imports large enough to move the statistics, and by
                    // the first import after which there are none.
                    if let Err(e) = sqlx::query("ANALYZE postings (import_id)").execute(&self.pool).await {
                        tracing::warn!(error = %e, "could not refresh the statistics of postings after an import");
                    }
                }
                Ok(self.import_id)
            }

            /// Removes what this session and any run before it wrote.
            pub async fn abandon(&self) -> Result<(), StoreError> {
                $name::new(self.pool.clone()).discard_import(self.import_id, None, 0).await.map(|_| ())
            }
        }

        impl $name {
            pub fn new(pool: $pool) -> Self {
                Self { pool }
            }

            pub fn pool(&self) -> &$pool {
                &self.pool
            }

            /// PostgreSQL keeps `postings` in one partition per month posted
            /// (migration 0018; undated postings in `postings_undated`): the
            /// partitions these postings need are created before they are
            /// written, in a short transaction of their own under an advisory
            /// lock, so nodes creating the same month do not collide. Never
            /// call it inside a transaction that wrote `imports`: making a
            /// partition takes a lock on `imports` (the partition's foreign
            /// key) that such a transaction would hold against it. `known`:
            /// the months already made sure of.
            async fn ensure_months(pool: &$pool, known: &mut std::collections::HashSet<(i32, u32)>, postings: &[NewPosting]) -> Result<(), StoreError> {
                use chrono::Datelike;
                if !$partitioned {
                    return Ok(());
                }
                let missing: std::collections::BTreeSet<(i32, u32)> = postings
                    .iter()
                    .filter_map(|p| p.parsed.posted_at)
                    .map(|d| (d.year(), d.month()))
                    .filter(|m| !known.contains(m))
                    .collect();
                if missing.is_empty() {
                    return Ok(());
                }
                let mut tx = pool.begin_with($begin).await?;
                sqlx::query("SELECT pg_advisory_xact_lock(7303510018)").execute(&mut *tx).await?;
                for &(y, m) in &missing {
                    let sql = crate::postings::month_partition_sql(y, m)?;
                    sqlx::query(AssertSqlSafe(sql)).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                known.extend(missing);
                Ok(())
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
                self.select_where(table, "1 = 1", &[]).await
            }

            async fn select_all(&self, tables: &[&Table]) -> Result<std::collections::HashMap<&'static str, Rows>, StoreError> {
                let mut all = std::collections::HashMap::new();
                for t in tables {
                    all.insert(t.name, self.select(t).await?);
                }
                Ok(all)
            }

            /// Inserts `rows` in multi-row statements; with `returning` (two
            /// integer columns) returns what each inserted row gave back.
            #[allow(clippy::too_many_arguments)]
            async fn insert(
                tx: &mut sqlx::Transaction<'_, $db>,
                table: &Table,
                rows: &Rows,
                done: &mut u64,
                total: u64,
                progress: &mut (dyn FnMut(u64, u64) + Send),
                returning: Option<&str>,
            ) -> Result<Vec<(i64, i64)>, StoreError> {
                let chunk_rows = (PARAMS_PER_INSERT / table.cols.len().max(1)).clamp(1, 2_000);
                let mut back = Vec::new();
                for chunk in rows.chunks(chunk_rows) {
                    let mut sql = insert_sql(table, chunk.len(), $ph);
                    if let Some(cols) = returning {
                        sql.push_str(" RETURNING ");
                        sql.push_str(cols);
                    }
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    let mut n = 0usize;
                    for row in chunk {
                        for v in row {
                            n += 1;
                            let n = n - 1;
                            q = match v {
                                Val::Text(s) => q.bind(s.clone()),
                                Val::Int(i) => q.bind(*i),
                                Val::Real(r) => q.bind(*r),
                                Val::Null => match ty_of(table, n % table.cols.len()) {
                                    Ty::OptInt | Ty::Int => q.bind(None::<i64>),
                                    Ty::OptReal => q.bind(None::<f64>),
                                    _ => q.bind(None::<String>),
                                },
                            };
                        }
                    }
                    if returning.is_some() {
                        for r in q.fetch_all(&mut **tx).await? {
                            back.push((r.try_get(0)?, r.try_get(1)?));
                        }
                    } else {
                        q.execute(&mut **tx).await?;
                    }
                    *done += chunk.len() as u64;
                    progress(*done, total);
                }
                Ok(back)
            }

            async fn audit_in(tx: &mut sqlx::Transaction<'_, $db>, caller: &Caller, action: &str, detail: &str) -> Result<(), StoreError> {
                let sql = format!("INSERT INTO audit_log (actor, action, detail) VALUES ({}, {}, {})", $ph(1), $ph(2), $ph(3));
                sqlx::query(AssertSqlSafe(sql)).bind(caller.audit_name()).bind(action.to_string()).bind(detail.to_string()).execute(&mut **tx).await?;
                Ok(())
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

            /// Replaces the model in one transaction; with `only_if_absent`, only
            /// when none is installed (claimed by its version row, so of several
            /// nodes starting on an empty database exactly one installs it).
            /// Returns whether it wrote the model.
            pub async fn replace_model(&self, caller: &Caller, model: &CompetencyModel, progress: Progress<'_>, only_if_absent: bool) -> Result<bool, StoreError> {
                let rows = tables::model_rows(model);
                let total: u64 = rows.iter().map(|(_, r)| r.len() as u64).sum();
                let mut done = 0;
                let mut tx = self.pool.begin_with($begin).await?;
                if only_if_absent {
                    let sql = format!("INSERT INTO meta (key, value) VALUES ({}, {}) ON CONFLICT (key) DO NOTHING", $ph(1), $ph(2));
                    let claimed = sqlx::query(AssertSqlSafe(sql))
                        .bind(tables::NICE_VERSION_KEY.to_string())
                        .bind(model.nice_version.clone())
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if claimed == 0 {
                        return Ok(false);
                    }
                }
                for t in tables::MODEL_TABLES.iter().rev() {
                    sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", t.name))).execute(&mut *tx).await?;
                }
                for (t, r) in &rows {
                    Self::insert(&mut tx, t, r, &mut done, total, progress, None).await?;
                }
                if !only_if_absent {
                    let sql = format!("DELETE FROM meta WHERE key = {}", $ph(1));
                    sqlx::query(AssertSqlSafe(sql)).bind(tables::NICE_VERSION_KEY.to_string()).execute(&mut *tx).await?;
                    let sql = format!("INSERT INTO meta (key, value) VALUES ({}, {})", $ph(1), $ph(2));
                    sqlx::query(AssertSqlSafe(sql))
                        .bind(tables::NICE_VERSION_KEY.to_string())
                        .bind(model.nice_version.clone())
                        .execute(&mut *tx)
                        .await?;
                }
                Self::note_in(&mut tx, crate::changes::kind_row(crate::changes::ChangeKind::Model)).await?;
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
                Ok(true)
            }

            /// Appends change rows (see `changes`) in `tx`.
            async fn note_in(tx: &mut sqlx::Transaction<'_, $db>, rows: Rows) -> Result<(), StoreError> {
                let mut n = 0;
                Self::insert(tx, &tables::CHANGES, &rows, &mut n, 0, &mut |_, _| {}, None).await?;
                Ok(())
            }

            /// Up to `limit` changes after `after`, in order.
            pub async fn changes_after(&self, after: i64, limit: i64) -> Result<Vec<crate::changes::Change>, StoreError> {
                let sql = format!("SELECT seq, kind, subject, at FROM changes WHERE seq > {} ORDER BY seq LIMIT {}", $ph(1), $ph(2));
                let rows = sqlx::query(AssertSqlSafe(sql)).bind(after).bind(limit).fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let kind: String = r.try_get(1)?;
                    let change = crate::changes::change_from(r.try_get(0)?, &kind, r.try_get(2)?, r.try_get(3)?)
                        .ok_or_else(|| StoreError::Corrupt { table: "changes".into(), detail: format!("unknown kind `{kind}`") })?;
                    out.push(change);
                }
                Ok(out)
            }

            /// The newest change's number (0: none).
            pub async fn last_change(&self) -> Result<i64, StoreError> {
                Ok(sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(seq) FROM changes").fetch_one(&self.pool).await?.unwrap_or(0))
            }

            /// Forgets changes older than `before` (Unix seconds), keeping the newest.
            pub async fn prune_changes(&self, before: i64) -> Result<u64, StoreError> {
                let sql = format!("DELETE FROM changes WHERE at < {} AND seq < (SELECT MAX(seq) FROM changes)", $ph(1));
                Ok(sqlx::query(AssertSqlSafe(sql)).bind(before).execute(&self.pool).await?.rows_affected())
            }

            pub async fn load_external(&self) -> Result<Vec<ExternalFramework>, StoreError> {
                let all = self.select_all(tables::EXTERNAL_TABLES).await?;
                let get = |t: &Table| all.get(t.name).cloned().unwrap_or_default();
                Ok(tables::externals_from_rows(&get))
            }

            pub async fn import_by_hash(&self, hash: &str) -> Result<Option<ImportRecord>, StoreError> {
                let sql = format!("{} WHERE file_hash = {}", import_select(), $ph(1));
                let row = sqlx::query(AssertSqlSafe(sql)).bind(hash.to_string()).fetch_optional(&self.pool).await?;
                row.map(|r| import_from_row(&r)).transpose()
            }

            pub async fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
                let sql = format!("{} ORDER BY id DESC", import_select());
                let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
                rows.iter().map(import_from_row).collect()
            }

            /// Postings by id, `limit` from `after_id` on, with their source records.
            /// Postings after `after_id` as the demand index reads them, by id.
            /// Each with the import it came from; only postings of done imports.
            pub async fn postings_for_insight(&self, after_id: i64, limit: i64) -> Result<Vec<(i64, cb_insight::DemandPosting)>, StoreError> {
                // every import's postings: the caller keeps those of the imports it
                // holds (a filter on `imports` here can make PostgreSQL scan every
                // partition for each page when its estimates are off)
                let sql = format!("{} WHERE p.id > {} ORDER BY p.id LIMIT {}", crate::postings::DEMAND_SELECT, $ph(1), $ph(2));
                let mut rows = sqlx::query(AssertSqlSafe(sql)).bind(after_id).bind(limit).fetch(&self.pool);
                let mut out = Vec::new();
                while let Some(r) = rows.try_next().await? {
                    out.push((r.try_get("import_id")?, crate::postings::demand_from_row(&r)?));
                }
                Ok(out)
            }

            /// The postings with these ids (at most 500), newest first.
            pub async fn postings_by_ids(&self, ids: &[i64]) -> Result<Vec<PostingSummary>, StoreError> {
                let ids = &ids[..ids.len().min(500)];
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let marks: Vec<String> = (1..=ids.len()).map(|i| $ph(i)).collect();
                let sql = format!("{} WHERE {} AND p.id IN ({}) ORDER BY p.id DESC", crate::postings::SUMMARY_SELECT, crate::postings::VISIBLE, marks.join(", "));
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for id in ids {
                    q = q.bind(*id);
                }
                let rows = q.fetch_all(&self.pool).await?;
                rows.iter().map(crate::postings::summary_from_row).collect()
            }

            /// One posting with what its page shows beyond the summary.
            pub async fn posting_detail(&self, id: i64) -> Result<Option<crate::postings::PostingDetail>, StoreError> {
                let Some(mut summary) = self.postings_by_ids(&[id]).await?.pop() else {
                    return Ok(None);
                };
                let sql = format!("SELECT description, url, salary_raw, education, exp_min, exp_max FROM postings WHERE id = {}", $ph(1));
                let r = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_one(&self.pool).await?;
                let sql = format!("SELECT source, source_id FROM posting_sources WHERE posting_id = {} AND {} ORDER BY import_id, line", $ph(1), crate::postings::DONE_SOURCE);
                for s in sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_all(&self.pool).await? {
                    let tag = format!("{}:{}", s.try_get::<String, _>(0)?, s.try_get::<String, _>(1)?);
                    if !summary.sources.contains(&tag) {
                        summary.sources.push(tag);
                    }
                }
                Ok(Some(crate::postings::PostingDetail {
                    summary,
                    description: r.try_get("description")?,
                    url: r.try_get("url")?,
                    salary_raw: r.try_get("salary_raw")?,
                    education: r.try_get("education")?,
                    exp_min: r.try_get("exp_min")?,
                    exp_max: r.try_get("exp_max")?,
                }))
            }

            pub async fn postings_page(&self, after_id: i64, limit: i64) -> Result<Vec<PostingSummary>, StoreError> {
                let sql = format!("{} WHERE {} AND p.id > {} ORDER BY p.id LIMIT {}", crate::postings::SUMMARY_SELECT, crate::postings::VISIBLE, $ph(1), $ph(2));
                let rows = sqlx::query(AssertSqlSafe(sql)).bind(after_id).bind(limit).fetch_all(&self.pool).await?;
                let mut out: Vec<PostingSummary> = rows.iter().map(crate::postings::summary_from_row).collect::<Result<_, _>>()?;
                if let (Some(first), Some(last)) = (out.first().map(|p| p.id), out.last().map(|p| p.id)) {
                    let sql = format!(
                        "SELECT posting_id, source, source_id FROM posting_sources WHERE posting_id BETWEEN {} AND {} AND {} ORDER BY import_id, line",
                        $ph(1), $ph(2), crate::postings::DONE_SOURCE
                    );
                    for r in sqlx::query(AssertSqlSafe(sql)).bind(first).bind(last).fetch_all(&self.pool).await? {
                        let id: i64 = r.try_get(0)?;
                        let tag = format!("{}:{}", r.try_get::<String, _>(1)?, r.try_get::<String, _>(2)?);
                        if let Some(p) = out.iter_mut().find(|p| p.id == id)
                            && !p.sources.contains(&tag)
                        {
                            p.sources.push(tag);
                        }
                    }
                }
                Ok(out)
            }

            /// The classifier state: (version all postings carry, target being applied, last id done).
            pub async fn classifier_state(&self) -> Result<Option<(String, String, i64)>, StoreError> {
                let row = sqlx::query("SELECT version, target, through_id FROM classifier_state WHERE id = 1").fetch_optional(&self.pool).await?;
                row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).transpose()
            }

            /// Records that the stored postings carry `version`, unless a state is recorded already
            /// (the first import into an empty store: its postings need no re-classification).
            pub async fn record_classifier(&self, version: &str) -> Result<(), StoreError> {
                let sql = format!(
                    "INSERT INTO classifier_state (id, version, target, through_id) VALUES (1, {}, {}, 0) ON CONFLICT (id) DO NOTHING",
                    $ph(1), $ph(2)
                );
                sqlx::query(AssertSqlSafe(sql)).bind(version.to_string()).bind(version.to_string()).execute(&self.pool).await?;
                Ok(())
            }

            /// Title and description of the postings after `after_id`, by id.
            pub async fn posting_texts(&self, after_id: i64, limit: i64) -> Result<Vec<(i64, String, String)>, StoreError> {
                let sql = format!("SELECT id, title, description FROM postings WHERE id > {} ORDER BY id LIMIT {}", $ph(1), $ph(2));
                let rows = sqlx::query(AssertSqlSafe(sql)).bind(after_id).bind(limit).fetch_all(&self.pool).await?;
                rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect()
            }

            /// Writes one page of new classifications and moves the cursor, in one
            /// transaction; `finished` marks every posting as carrying `target`.
            pub async fn reclassify_page(&self, caller: &Caller, target: &str, rows: &[crate::postings::Reclassified], through_id: i64, finished: bool) -> Result<(), StoreError> {
                let mut tx = self.pool.begin_with($begin).await?;
                let sql = format!(
                    "UPDATE postings SET is_cyber = {}, nice_role = {}, nice_conf = {}, nice_roles = {}, platform_role = {}, platform_conf = {}, skills = {}, certifications = {} WHERE id = {}",
                    $ph(1), $ph(2), $ph(3), $ph(4), $ph(5), $ph(6), $ph(7), $ph(8), $ph(9)
                );
                for r in rows {
                    sqlx::query(AssertSqlSafe(sql.clone()))
                        .bind(i64::from(r.is_cyber))
                        .bind(r.roles.first().map(|x| x.0.clone()))
                        .bind(r.roles.first().map(|x| x.1))
                        .bind(crate::postings::role_list(&r.roles))
                        .bind(r.platform_role.as_ref().map(|x| x.0.clone()))
                        .bind(r.platform_role.as_ref().map(|x| x.1))
                        .bind(crate::postings::skill_list(&r.skills))
                        .bind(crate::postings::skill_list(&r.certifications))
                        .bind(r.id)
                        .execute(&mut *tx)
                        .await?;
                }
                // finished: every posting carries `target`; else the cursor moves and `version` stays
                let sql = if finished {
                    format!(
                        "INSERT INTO classifier_state (id, version, target, through_id) VALUES (1, {}, {}, 0) \
                         ON CONFLICT (id) DO UPDATE SET version = excluded.version, target = excluded.target, through_id = 0",
                        $ph(1), $ph(2)
                    )
                } else {
                    format!(
                        "INSERT INTO classifier_state (id, version, target, through_id) VALUES (1, '', {}, {}) \
                         ON CONFLICT (id) DO UPDATE SET target = excluded.target, through_id = excluded.through_id",
                        $ph(1), $ph(2)
                    )
                };
                let q = sqlx::query(AssertSqlSafe(sql));
                let q = if finished { q.bind(target.to_string()).bind(target.to_string()) } else { q.bind(target.to_string()).bind(through_id) };
                q.execute(&mut *tx).await?;
                if finished {
                    Self::note_in(&mut tx, crate::changes::kind_row(crate::changes::ChangeKind::Postings)).await?;
                    Self::audit_in(&mut tx, caller, "postings.reclassify", &format!("classifier {target}")).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            pub async fn posting_count(&self) -> Result<i64, StoreError> {
                let sql = format!("SELECT COUNT(*) FROM postings p WHERE {}", crate::postings::VISIBLE);
                Ok(sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(&self.pool).await?)
            }

            /// What deduplication needs to know of every stored posting and source
            /// record: those of done imports, and of `resuming` (an import taken over).
            pub async fn dedupe_index(&self, resuming: Option<i64>) -> Result<Vec<StoredKey>, StoreError> {
                let sql = format!(
                    "SELECT s.posting_id, s.source, s.source_id, p.employer_norm, p.title_norm, COALESCE(p.city, ''), p.posted_at, p.simhash \
                     FROM posting_sources s JOIN postings p ON p.id = s.posting_id \
                     WHERE s.import_id IN (SELECT id FROM imports WHERE state = 'done' OR id = {})",
                    $ph(1)
                );
                let rows = sqlx::query(AssertSqlSafe(sql)).bind(resuming.unwrap_or(-1)).fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|r| {
                        Ok(StoredKey {
                            posting_id: r.try_get(0)?,
                            source: r.try_get(1)?,
                            source_id: r.try_get(2)?,
                            employer_norm: r.try_get(3)?,
                            title_norm: r.try_get(4)?,
                            city: r.try_get(5)?,
                            posted_at: r.try_get(6)?,
                            simhash: r.try_get(7)?,
                        })
                    })
                    .collect()
            }

            /// Starts a new import as the database's one running import (its
            /// record is committed at once, so every node sees it). `Ok(Err(r))`
            /// when `r` is running: wait for it, resume it or discard it, then
            /// try again. A file imported before is a `Duplicate`.
            pub async fn begin_import(&self, caller: &Caller, start: &ImportStart, now: i64) -> Result<Result<$session, ImportRecord>, StoreError> {
                let rows = crate::postings::import_rows(caller, start, "running", now);
                for _ in 0..3 {
                    let mut tx = self.pool.begin_with($begin).await?;
                    let mut n = 0;
                    match Self::insert(&mut tx, &tables::IMPORTS, &rows, &mut n, 1, &mut |_, _| {}, Some("id, heartbeat")).await {
                        Ok(back) => {
                            tx.commit().await?;
                            let import_id = back.first().map(|b| b.0).ok_or_else(|| StoreError::Corrupt { table: "imports".into(), detail: "the new import's id did not come back".into() })?;
                            return Ok(Ok($session { pool: self.pool.clone(), import_id, ids: Vec::new(), before: ImportCounts::default(), first: None, last: None, months: Default::default() }));
                        }
                        Err(StoreError::Database(sqlx::Error::Database(d))) if d.is_unique_violation() => {
                            drop(tx);
                            if let Some(running) = self.running_import().await? {
                                return Ok(Err(running));
                            }
                            if self.import_by_hash(&start.file_hash).await?.is_some() {
                                return Err(StoreError::Duplicate { detail: d.message().to_string() });
                            }
                            // the running import finished in between: try again
                        }
                        Err(e) => return Err(e),
                    }
                }
                Err(StoreError::Duplicate { detail: "another import keeps starting first".into() })
            }

            /// The import being written now, if any.
            pub async fn running_import(&self) -> Result<Option<ImportRecord>, StoreError> {
                let sql = format!("{} WHERE state = 'running'", import_select());
                let row = sqlx::query(AssertSqlSafe(sql)).fetch_optional(&self.pool).await?;
                row.map(|r| import_from_row(&r)).transpose()
            }

            /// Takes over running import `id` whose heartbeat is older than
            /// `stale_before` (its process died), to go on where it stopped.
            /// `None` when it is alive or was taken over by someone else.
            pub async fn resume_import(&self, caller: &Caller, id: i64, stale_before: i64, now: i64) -> Result<Option<$session>, StoreError> {
                let sql = format!(
                    "UPDATE imports SET heartbeat = {}, actor = {} WHERE id = {} AND state = 'running' AND heartbeat < {}",
                    $ph(1), $ph(2), $ph(3), $ph(4)
                );
                let taken = sqlx::query(AssertSqlSafe(sql)).bind(now).bind(caller.audit_name()).bind(id).bind(stale_before).execute(&self.pool).await?.rows_affected();
                if taken != 1 {
                    return Ok(None);
                }
                let sql = format!("SELECT rows_read, postings_new, duplicates, rejected, first_posting, last_posting FROM imports WHERE id = {}", $ph(1));
                let r = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_one(&self.pool).await?;
                let count = |i: usize| -> Result<u64, StoreError> { Ok(u64::try_from(r.try_get::<i64, _>(i)?).unwrap_or(0)) };
                let before = ImportCounts { rows_read: count(0)?, postings_new: count(1)?, duplicates: count(2)?, rejected: count(3)? };
                Ok(Some($session { pool: self.pool.clone(), import_id: id, ids: Vec::new(), before, first: r.try_get(4)?, last: r.try_get(5)?, months: Default::default() }))
            }

            /// Removes an unfinished import and everything it wrote, in short
            /// statements. With `stale_before`, only when its heartbeat is older
            /// (a process that died); returns whether it was this call's to remove.
            pub async fn discard_import(&self, id: i64, stale_before: Option<i64>, now: i64) -> Result<bool, StoreError> {
                let claimed = match stale_before {
                    Some(before) => {
                        let sql = format!(
                            "UPDATE imports SET state = 'discarding', heartbeat = {} WHERE id = {} AND state <> 'done' AND heartbeat < {}",
                            $ph(1), $ph(2), $ph(3)
                        );
                        sqlx::query(AssertSqlSafe(sql)).bind(now).bind(id).bind(before).execute(&self.pool).await?
                    }
                    None => {
                        let sql = format!("UPDATE imports SET state = 'discarding' WHERE id = {} AND state <> 'done'", $ph(1));
                        sqlx::query(AssertSqlSafe(sql)).bind(id).execute(&self.pool).await?
                    }
                }
                .rows_affected();
                if claimed != 1 {
                    return Ok(false);
                }
                let sql = format!("SELECT first_posting, last_posting FROM imports WHERE id = {}", $ph(1));
                let r = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_one(&self.pool).await?;
                let (first, last): (Option<i64>, Option<i64>) = (r.try_get(0)?, r.try_get(1)?);
                let sql = format!("DELETE FROM posting_sources WHERE import_id = {}", $ph(1));
                sqlx::query(AssertSqlSafe(sql)).bind(id).execute(&self.pool).await?;
                if let (Some(first), Some(last)) = (first, last) {
                    let sql = format!("DELETE FROM postings WHERE import_id = {} AND id BETWEEN {} AND {}", $ph(1), $ph(2), $ph(3));
                    let mut lo = first;
                    while lo <= last {
                        let hi = (lo + 4_999).min(last);
                        sqlx::query(AssertSqlSafe(sql.clone())).bind(id).bind(lo).bind(hi).execute(&self.pool).await?;
                        lo = hi + 1;
                    }
                }
                let sql = format!("DELETE FROM imports WHERE id = {}", $ph(1));
                sqlx::query(AssertSqlSafe(sql)).bind(id).execute(&self.pool).await?;
                Ok(true)
            }

            /// Stores one posting as an import of its own, done at once, and runs
            /// `then(posting id)` in the same transaction. Returns the posting id.
            pub(crate) async fn publish_posting(
                &self,
                caller: &Caller,
                start: &ImportStart,
                posting: NewPosting,
                job: &crate::accounts::Job,
                was: &crate::accounts::Job,
                now: i64,
            ) -> Result<i64, StoreError> {
                // before the transaction: making a partition locks `imports`,
                // which the transaction is about to write
                $name::ensure_months(&self.pool, &mut Default::default(), std::slice::from_ref(&posting)).await?;
                let mut tx = self.pool.begin_with($begin).await?;
                let mut n = 0;
                let rows = crate::postings::import_rows(caller, start, "done", now);
                let import_id = Self::insert(&mut tx, &tables::IMPORTS, &rows, &mut n, 1, &mut |_, _| {}, Some("id, heartbeat")).await.map_err(|e| match e {
                    StoreError::Database(e) => duplicate(e),
                    e => e,
                })?[0].0;
                let link = SourceLink {
                    posting: crate::postings::PostingRef::New(0),
                    source: posting.parsed.source.clone(),
                    source_id: posting.parsed.source_id.clone(),
                    line: posting.parsed.line,
                };
                let rows = crate::postings::posting_rows(import_id, std::slice::from_ref(&posting));
                let posting_id = Self::insert(&mut tx, &tables::POSTINGS, &rows, &mut n, 1, &mut |_, _| {}, Some("id, line")).await?[0].0;
                let links = crate::postings::link_rows(import_id, &[posting_id], &[link])?;
                Self::insert(&mut tx, &tables::POSTING_SOURCES, &links, &mut n, 1, &mut |_, _| {}, None).await?;
                let sql = format!(
                    "UPDATE imports SET rows_read = 1, postings_new = 1, first_posting = {}, last_posting = {} WHERE id = {}",
                    $ph(1), $ph(2), $ph(3)
                );
                sqlx::query(AssertSqlSafe(sql)).bind(posting_id).bind(posting_id).bind(import_id).execute(&mut *tx).await?;
                let mut saved = job.clone();
                saved.posting_id = Some(posting_id);
                if job_update_in!(tx, &saved, was) == 0 {
                    return Err(StoreError::Stale);
                }
                let detail = format!("{}: 1 rows, 1 new postings, 0 duplicates, 0 rejected", start.file_name);
                Self::audit_in(&mut tx, caller, "postings.import", &detail).await?;
                tx.commit().await?;
                Ok(posting_id)
            }

            /// How many imports are done (a cheap test for "anything new?").
            pub async fn done_import_count(&self) -> Result<i64, StoreError> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM imports WHERE state = 'done'").fetch_one(&self.pool).await?)
            }

            /// Every done import with the id range of its new postings.
            pub async fn done_imports(&self) -> Result<Vec<crate::postings::ImportSpan>, StoreError> {
                let rows = sqlx::query("SELECT id, first_posting, last_posting FROM imports WHERE state = 'done' ORDER BY id").fetch_all(&self.pool).await?;
                rows.iter().map(|r| Ok(crate::postings::ImportSpan { id: r.try_get(0)?, first: r.try_get(1)?, last: r.try_get(2)? })).collect()
            }

            /// The new postings of one done import after `after_id`, by id, as
            /// the demand index reads them.
            pub async fn postings_of_import(&self, span: &crate::postings::ImportSpan, after_id: i64, limit: i64) -> Result<Vec<cb_insight::DemandPosting>, StoreError> {
                let (Some(first), Some(last)) = (span.first, span.last) else {
                    return Ok(Vec::new());
                };
                let sql = format!(
                    "{} WHERE p.import_id = {} AND p.id BETWEEN {} AND {} AND p.id > {} ORDER BY p.id LIMIT {}",
                    crate::postings::DEMAND_SELECT, $ph(1), $ph(2), $ph(3), $ph(4), $ph(5)
                );
                let mut rows = sqlx::query(AssertSqlSafe(sql)).bind(span.id).bind(first).bind(last).bind(after_id).bind(limit).fetch(&self.pool);
                let mut out = Vec::new();
                while let Some(r) = rows.try_next().await? {
                    out.push(crate::postings::demand_from_row(&r)?);
                }
                Ok(out)
            }

            /// Rows of `table` matching `clause` (`{}` marks each bound value, in order).
            pub(crate) async fn select_where(&self, table: &Table, clause: &str, args: &[Val]) -> Result<Rows, StoreError> {
                let sql = format!("{} WHERE {}", select_sql(table), fill(clause, $ph));
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for a in args {
                    q = match a {
                        Val::Text(s) => q.bind(s.clone()),
                        Val::Int(i) => q.bind(*i),
                        Val::Real(r) => q.bind(*r),
                        Val::Null => q.bind(None::<String>),
                    };
                }
                let rows = q.fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    let mut vals = Vec::with_capacity(table.cols.len());
                    for (i, (_, ty)) in table.cols.iter().enumerate() {
                        vals.push(match ty {
                            Ty::Text => Val::Text(row.try_get::<String, _>(i)?),
                            Ty::OptText => row.try_get::<Option<String>, _>(i)?.map_or(Val::Null, Val::Text),
                            Ty::Int => Val::Int(row.try_get::<i64, _>(i)?),
                            Ty::OptInt => row.try_get::<Option<i64>, _>(i)?.map_or(Val::Null, Val::Int),
                            Ty::OptReal => row.try_get::<Option<f64>, _>(i)?.map_or(Val::Null, Val::Real),
                        });
                    }
                    out.push(vals);
                }
                Ok(out)
            }

            pub async fn replace_external(&self, caller: &Caller, fw: &ExternalFramework, progress: Progress<'_>) -> Result<(), StoreError> {
                let rows = tables::external_rows(fw);
                let total: u64 = rows.iter().map(|(_, r)| r.len() as u64).sum();
                let mut done = 0;
                let mut tx = self.pool.begin_with($begin).await?;
                for t in tables::EXTERNAL_TABLES.iter().rev() {
                    let key = if t.name == tables::EXT.name { "id" } else { "framework_id" };
                    let sql = format!("DELETE FROM {} WHERE {} = {}", t.name, key, $ph(1));
                    sqlx::query(AssertSqlSafe(sql)).bind(fw.id.clone()).execute(&mut *tx).await?;
                }
                for (t, r) in &rows {
                    Self::insert(&mut tx, t, r, &mut done, total, progress, None).await?;
                }
                let detail = format!("{} {}: {} roles, {} elements", fw.id, fw.version, fw.roles.len(), fw.elements.len());
                Self::note_in(&mut tx, crate::changes::kind_row(crate::changes::ChangeKind::Model)).await?;
                Self::audit_in(&mut tx, caller, "external_framework.replace", &detail).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

backend!(
    SqliteBackend,
    SqliteImport,
    sqlx::Sqlite,
    sqlx::SqlitePool,
    sqlite_placeholder,
    sqlx::migrate!("./migrations/sqlite"),
    // a write transaction takes SQLite's write lock when it begins: one that
    // began as a reader would fail at once (SQLITE_BUSY, no waiting) if another
    // process wrote before its first write
    crate::SQLITE_BEGIN,
    false
);
backend!(
    PgBackend,
    PgImport,
    sqlx::Postgres,
    sqlx::PgPool,
    pg_placeholder,
    sqlx::migrate!("./migrations/postgres"),
    "BEGIN",
    true
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_sql_numbers_postgres_placeholders_across_rows() {
        let sql = insert_sql(&tables::ROLE_STATEMENTS, 2, pg_placeholder);
        assert_eq!(
            sql,
            "INSERT INTO nice_role_statements (role_id, statement_id) VALUES ($1, $2), ($3, $4)"
        );
        let sql = insert_sql(&tables::ROLE_STATEMENTS, 1, sqlite_placeholder);
        assert!(sql.ends_with("VALUES (?, ?)"));
    }
}
