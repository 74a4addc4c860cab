//! Posting imports as rows: the import record, the postings, the source links.

use crate::StoreError;
use crate::tables::{Rows, Val};
use cb_core::Caller;
use cb_postings::import::ParsedPosting;
use cb_postings::salary::{Currency, Period, SalaryInfo};
use serde::Serialize;
use sqlx::Row;

/// A stored import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRecord {
    pub id: i64,
    pub file_name: String,
    pub file_hash: String,
    pub shape: String,
    pub source: String,
    pub rows_read: i64,
    pub postings_new: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub actor: String,
    pub at: String,
    /// `running` while being written (readers see none of it), then `done`;
    /// `discarding` while a failed import's rows are removed.
    pub state: String,
    /// When the process writing it last said it was alive (Unix seconds).
    pub heartbeat: i64,
}

impl ImportRecord {
    pub fn is_done(&self) -> bool {
        self.state == "done"
    }
}

/// Readers see a posting only once its import is done.
pub(crate) const VISIBLE: &str = "p.import_id IN (SELECT id FROM imports WHERE state = 'done')";
/// The same for a posting's source records.
pub(crate) const DONE_SOURCE: &str = "import_id IN (SELECT id FROM imports WHERE state = 'done')";

/// A done import and the id range of its new postings (none: it had none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSpan {
    pub id: i64,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

/// What an import has counted so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub rows_read: u64,
    pub postings_new: u64,
    pub duplicates: u64,
    pub rejected: u64,
}

impl ImportCounts {
    pub fn plus(&self, o: &ImportCounts) -> ImportCounts {
        ImportCounts {
            rows_read: self.rows_read + o.rows_read,
            postings_new: self.postings_new + o.postings_new,
            duplicates: self.duplicates + o.duplicates,
            rejected: self.rejected + o.rejected,
        }
    }
}

pub(crate) fn import_select() -> &'static str {
    "SELECT id, file_name, file_hash, shape, source, rows_read, postings_new, duplicates, rejected, actor, at, state, heartbeat FROM imports"
}

pub(crate) fn import_from_row<R: Row>(r: &R) -> Result<ImportRecord, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(ImportRecord {
        id: r.try_get(0)?,
        file_name: r.try_get(1)?,
        file_hash: r.try_get(2)?,
        shape: r.try_get(3)?,
        source: r.try_get(4)?,
        rows_read: r.try_get(5)?,
        postings_new: r.try_get(6)?,
        duplicates: r.try_get(7)?,
        rejected: r.try_get(8)?,
        actor: r.try_get(9)?,
        at: r.try_get(10)?,
        state: r.try_get(11)?,
        heartbeat: r.try_get(12)?,
    })
}

/// A stored posting's deduplication key, one per source record.
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub posting_id: i64,
    pub source: String,
    pub source_id: String,
    pub employer_norm: String,
    pub title_norm: String,
    pub city: String,
    pub posted_at: Option<String>,
    pub simhash: i64,
}

/// Which posting a source record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostingRef {
    /// The n-th posting of this import.
    New(usize),
    /// A posting already stored.
    Stored(i64),
}

#[derive(Debug, Clone)]
pub struct SourceLink {
    pub posting: PostingRef,
    pub source: String,
    pub source_id: String,
    pub line: u64,
}

/// A new posting with the deduplication fields computed by the service.
#[derive(Debug, Clone)]
pub struct NewPosting {
    pub parsed: ParsedPosting,
    pub employer_norm: String,
    pub title_norm: String,
    pub simhash: u64,
}

/// What an import knows when it starts.
#[derive(Debug, Clone)]
pub struct ImportStart {
    pub file_name: String,
    pub file_hash: String,
    pub shape: String,
    pub source: String,
}

/// What an import counted when it ends.
#[derive(Debug, Clone)]
pub struct ImportEnd {
    pub file_name: String,
    pub rows_read: u64,
    pub duplicates: u64,
    pub rejected: u64,
}

fn t(s: &str) -> Val {
    Val::Text(s.to_string())
}

fn ot(s: Option<&str>) -> Val {
    s.map_or(Val::Null, t)
}

fn or(v: Option<f64>) -> Val {
    v.map_or(Val::Null, Val::Real)
}

fn oi(v: Option<i64>) -> Val {
    v.map_or(Val::Null, Val::Int)
}

/// `PD-WRL-007:0.62 DD-WRL-005:0.2`: roles with their confidences.
pub fn role_list(roles: &[(String, f64)]) -> String {
    roles
        .iter()
        .map(|(id, c)| format!("{id}:{c}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `burp-suite sql-injection oscp?`: ids, preferred ones marked with `?`.
pub fn skill_list(items: &[(String, bool)]) -> String {
    items
        .iter()
        .map(|(id, req)| if *req { id.clone() } else { format!("{id}?") })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The import record of a new import, `state` `running` or `done`.
pub(crate) fn import_rows(caller: &Caller, w: &ImportStart, state: &str, now: i64) -> Rows {
    vec![vec![
        t(&w.file_name),
        t(&w.file_hash),
        t(&w.shape),
        t(&w.source),
        Val::Int(0),
        Val::Int(0),
        Val::Int(0),
        Val::Int(0),
        t(&caller.audit_name()),
        t(state),
        Val::Int(now),
    ]]
}

/// The link rows; `ids[n]` is the stored id of the import's n-th new posting.
pub(crate) fn link_rows(
    import_id: i64,
    ids: &[i64],
    links: &[SourceLink],
) -> Result<Rows, StoreError> {
    links
        .iter()
        .map(|l| {
            let id = match l.posting {
                PostingRef::New(i) => *ids.get(i).ok_or_else(|| StoreError::Corrupt {
                    table: "posting_sources".into(),
                    detail: format!(
                        "a source link names new posting {i} of an import that has {}",
                        ids.len()
                    ),
                })?,
                PostingRef::Stored(id) => id,
            };
            Ok(vec![
                Val::Int(id),
                t(&l.source),
                t(&l.source_id),
                Val::Int(import_id),
                Val::Int(l.line as i64),
            ])
        })
        .collect()
}

/// The posting rows (the database assigns the ids).
pub(crate) fn posting_rows(import_id: i64, postings: &[NewPosting]) -> Rows {
    postings
        .iter()
        .map(|n| {
            let p = &n.parsed;
            let range = match &p.salary {
                Some(SalaryInfo::Range(r)) => Some(r),
                _ => None,
            };
            vec![
                t(&p.source),
                t(&p.source_id),
                Val::Int(import_id),
                Val::Int(p.line as i64),
                t(&p.title),
                t(&p.description),
                t(&p.employer),
                t(&n.employer_norm),
                t(&n.title_norm),
                Val::Int(n.simhash as i64),
                t(&p.location_raw),
                ot(p.location.city.as_deref()),
                ot(p.location.province.as_deref()),
                ot(p.location.country.as_deref()),
                t(&p.salary_raw),
                ot(range.map(|r| match r.currency {
                    Currency::Cny => "CNY",
                    Currency::Usd => "USD",
                })),
                ot(range.map(|r| match r.period {
                    Period::Hour => "hour",
                    Period::Day => "day",
                    Period::Month => "month",
                    Period::Year => "year",
                })),
                or(range.map(|r| r.min)),
                or(range.map(|r| r.max)),
                or(range.map(|r| r.monthly_min)),
                or(range.map(|r| r.monthly_max)),
                or(range.map(|r| r.yearly_min)),
                or(range.map(|r| r.yearly_max)),
                oi(range.map(|r| i64::from(r.months_per_year))),
                Val::Int(i64::from(matches!(p.salary, Some(SalaryInfo::Negotiable)))),
                ot(p.education.map(|e| e.as_str())),
                oi(p.experience.map(|e| i64::from(e.min_years))),
                oi(p.experience.and_then(|e| e.max_years).map(i64::from)),
                Val::Int(i64::from(p.experience.is_some_and(|e| e.graduate))),
                oi(p.headcount.map(i64::from)),
                Val::Int(i64::from(p.openings())),
                ot(p.posted_at
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .as_deref()),
                t(&p.url),
                t(&p.tags),
                Val::Int(i64::from(p.is_cyber)),
                ot(p.roles.first().map(|r| r.0.as_str())),
                or(p.roles.first().map(|r| r.1)),
                t(&role_list(&p.roles)),
                ot(p.platform_role.as_ref().map(|r| r.0.as_str())),
                or(p.platform_role.as_ref().map(|r| r.1)),
                t(&skill_list(&p.skills)),
                t(&skill_list(&p.certifications)),
                ot(p.industry.as_deref()),
            ]
        })
        .collect()
}

/// A stored posting's classification by newer weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Reclassified {
    pub id: i64,
    pub is_cyber: bool,
    /// NICE roles with confidences, best first.
    pub roles: Vec<(String, f64)>,
    pub platform_role: Option<(String, f64)>,
    /// (id, required)
    pub skills: Vec<(String, bool)>,
    pub certifications: Vec<(String, bool)>,
}

/// A stored posting as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostingSummary {
    pub id: i64,
    pub source: String,
    pub source_id: String,
    pub title: String,
    pub employer: String,
    pub city: Option<String>,
    pub province: Option<String>,
    pub country: Option<String>,
    pub salary_currency: Option<String>,
    pub monthly_min: Option<f64>,
    pub monthly_max: Option<f64>,
    pub posted_at: Option<String>,
    pub openings: i64,
    pub is_cyber: bool,
    pub nice_role: Option<String>,
    pub platform_role: Option<String>,
    /// Skill ids; preferred ones end in `?`.
    pub skills: Vec<String>,
    pub certifications: Vec<String>,
    /// Every source record this posting was seen in: `source:source_id`.
    pub sources: Vec<String>,
}

/// A posting's page: the summary, the text it was classified from and where
/// it came from.
#[derive(Debug, Clone, Serialize)]
pub struct PostingDetail {
    pub summary: PostingSummary,
    pub description: String,
    pub url: String,
    pub salary_raw: String,
    pub education: Option<String>,
    pub exp_min: Option<i64>,
    pub exp_max: Option<i64>,
}

pub(crate) const SUMMARY_SELECT: &str = "SELECT p.id, p.source, p.source_id, p.title, p.employer, p.city, p.province, p.country, \
     p.salary_currency, p.monthly_min, p.monthly_max, p.posted_at, p.openings, p.is_cyber, p.nice_role, p.platform_role, p.skills, p.certifications \
     FROM postings p";

pub(crate) const DEMAND_SELECT: &str = "SELECT p.id, p.source, p.title, p.country, p.province, p.city, p.posted_at, p.openings, p.is_cyber, \
     p.nice_role, p.platform_role, p.skills, p.certifications, p.education, p.exp_min, p.monthly_min, p.monthly_max, p.salary_currency, p.industry, p.import_id \
     FROM postings p";

/// A posting as the demand index reads it.
pub(crate) fn demand_from_row<R: Row>(r: &R) -> Result<cb_insight::DemandPosting, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> f64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let list = |s: String| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let posted: Option<String> = r.try_get(6)?;
    let (lo, hi): (Option<f64>, Option<f64>) = (r.try_get(15)?, r.try_get(16)?);
    let monthly_salary = match (lo, hi) {
        (Some(a), Some(b)) => Some((a + b) / 2.0),
        (a, b) => a.or(b),
    };
    Ok(cb_insight::DemandPosting {
        id: r.try_get(0)?,
        source: r.try_get(1)?,
        title: r.try_get(2)?,
        country: r.try_get(3)?,
        province: r.try_get(4)?,
        city: r.try_get(5)?,
        month: posted
            .as_deref()
            .and_then(cb_insight::period::month_of_date),
        openings: u32::try_from(r.try_get::<i64, _>(7)?).unwrap_or(1),
        is_cyber: r.try_get::<i64, _>(8)? != 0,
        nice_role: r.try_get(9)?,
        platform_role: r.try_get(10)?,
        skills: list(r.try_get(11)?),
        certifications: list(r.try_get(12)?),
        education: r.try_get(13)?,
        exp_min: r
            .try_get::<Option<i64>, _>(14)?
            .and_then(|e| u32::try_from(e).ok()),
        monthly_salary,
        currency: r.try_get(17)?,
        industry: r.try_get(18)?,
    })
}

pub(crate) fn summary_from_row<R: Row>(r: &R) -> Result<PostingSummary, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> f64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let list = |s: String| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    Ok(PostingSummary {
        id: r.try_get(0)?,
        source: r.try_get(1)?,
        source_id: r.try_get(2)?,
        title: r.try_get(3)?,
        employer: r.try_get(4)?,
        city: r.try_get(5)?,
        province: r.try_get(6)?,
        country: r.try_get(7)?,
        salary_currency: r.try_get(8)?,
        monthly_min: r.try_get(9)?,
        monthly_max: r.try_get(10)?,
        posted_at: r.try_get(11)?,
        openings: r.try_get(12)?,
        is_cyber: r.try_get::<i64, _>(13)? != 0,
        nice_role: r.try_get(14)?,
        platform_role: r.try_get(15)?,
        skills: list(r.try_get(16)?),
        certifications: list(r.try_get(17)?),
        sources: Vec::new(),
    })
}

/// The statement creating `postings`' partition for month `m` of year `y`
/// (PostgreSQL, migration 0018): `postings_2026_11` holds the postings dated
/// from 2026-11-01 up to 2026-12-01. Dates are ISO text compared byte by
/// byte (the partition key is `COLLATE "C"`), so only four-digit years keep
/// months apart.
pub(crate) fn month_partition_sql(y: i32, m: u32) -> Result<String, StoreError> {
    if !(1000..=9998).contains(&y) || !(1..=12).contains(&m) {
        return Err(StoreError::Corrupt {
            table: "postings".into(),
            detail: format!(
                "a posting dated in month {m} of year {y}, outside the years 1000–9998 the store partitions"
            ),
        });
    }
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    Ok(format!(
        "CREATE TABLE IF NOT EXISTS postings_{y:04}_{m:02} PARTITION OF postings \
         FOR VALUES FROM ('{y:04}-{m:02}-01') TO ('{ny:04}-{nm:02}-01')"
    ))
}

impl crate::Store {
    /// Where the postings are kept: each partition of `postings` with its
    /// rows (PostgreSQL: one per month posted and `postings_undated`; SQLite:
    /// the one table), by name.
    pub async fn posting_partitions(&self) -> Result<Vec<(String, i64)>, StoreError> {
        const PG: &str = "SELECT c.relname::text AS name, COALESCE(n.rows, 0) AS rows \
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
             LEFT JOIN (SELECT tableoid, COUNT(*) AS rows FROM postings GROUP BY tableoid) n \
             ON n.tableoid = c.oid WHERE i.inhparent = 'postings'::regclass ORDER BY c.relname";
        const SQLITE: &str = "SELECT 'postings' AS name, COUNT(*) AS rows FROM postings";
        Ok(match self {
            crate::Store::Postgres(b) => sqlx::query_as(PG).fetch_all(b.pool()).await?,
            crate::Store::Sqlite(b) => sqlx::query_as(SQLITE).fetch_all(b.pool()).await?,
        })
    }
}
