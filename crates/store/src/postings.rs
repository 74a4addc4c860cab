//! Posting imports as rows: the import record, the postings, the source links.

use crate::changes::ChangeKind;
use crate::list::Ids;
use crate::{Store, StoreError};
use cb_core::Caller;
use cb_postings::import::ParsedPosting;
use cb_postings::salary::{Currency, Period, SalaryInfo};
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::AssertSqlSafe;
use sqlx::types::Json;
use std::collections::{BTreeSet, HashMap, HashSet};

/// A stored import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
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
    /// When it started (Unix seconds).
    pub at: i64,
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
macro_rules! visible {
    () => {
        "p.import_id IN (SELECT id FROM imports WHERE state = 'done')"
    };
}
/// The same for a posting's source records.
macro_rules! done_source {
    () => {
        "import_id IN (SELECT id FROM imports WHERE state = 'done')"
    };
}

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

macro_rules! import_columns {
    () => {
        "id, file_name, file_hash, shape, source, rows_read, postings_new, \
     duplicates, rejected, actor, at, state, heartbeat"
    };
}

/// A stored posting's deduplication key, one per source record.
#[derive(Debug, Clone, sqlx::FromRow)]
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
            crate::Store::Postgres(b) => sqlx::query_as(PG).fetch_all(b).await?,
            crate::Store::Sqlite(b) => sqlx::query_as(SQLITE).fetch_all(b).await?,
        })
    }
}

// ---- rows as stored, decoded by column name ----

/// A skill or certification as a posting lists it: its id, `?`-suffixed
/// when the posting only prefers it.
fn marked(items: &[(String, bool)]) -> Vec<String> {
    items
        .iter()
        .map(|(id, req)| if *req { id.clone() } else { format!("{id}?") })
        .collect()
}

/// A yes/no column of `postings`.
fn yes(column: &str, v: i64) -> Result<bool, StoreError> {
    crate::talent::flag("postings", column, v)
}

fn corrupt(detail: String) -> StoreError {
    crate::tables::corrupt("postings", detail)
}

macro_rules! demand_columns {
    () => {
        "p.id, p.source, p.title, p.country, p.province, p.city, \
     p.posted_at, p.openings, p.is_cyber, p.nice_role, p.platform_role, p.skills, \
     p.certifications, p.education, p.exp_min, p.monthly_min, p.monthly_max, \
     p.salary_currency, p.industry, p.import_id"
    };
}

/// The columns `demand_columns!` names, in its order.
const DEMAND_NAMES: [&str; 20] = [
    "id",
    "source",
    "title",
    "country",
    "province",
    "city",
    "posted_at",
    "openings",
    "is_cyber",
    "nice_role",
    "platform_role",
    "skills",
    "certifications",
    "education",
    "exp_min",
    "monthly_min",
    "monthly_max",
    "salary_currency",
    "industry",
    "import_id",
];

/// Decodes row `$r` into a `DemandRow`. A million rows are read at once, so
/// each column is found by its name once, on the first row, and its position
/// kept in `$at` (an `Option<[usize; 20]>`) for the rows after.
macro_rules! demand_row {
    ($r:expr, $at:expr) => {{
        let r = &$r;
        let c: [usize; 20] = match $at {
            Some(c) => c,
            None => *$at.insert(crate::ordinals(r, DEMAND_NAMES)?),
        };
        DemandRow {
            id: sqlx::Row::try_get(r, c[0])?,
            source: sqlx::Row::try_get(r, c[1])?,
            title: sqlx::Row::try_get(r, c[2])?,
            country: sqlx::Row::try_get(r, c[3])?,
            province: sqlx::Row::try_get(r, c[4])?,
            city: sqlx::Row::try_get(r, c[5])?,
            posted_at: sqlx::Row::try_get(r, c[6])?,
            openings: sqlx::Row::try_get(r, c[7])?,
            is_cyber: sqlx::Row::try_get(r, c[8])?,
            nice_role: sqlx::Row::try_get(r, c[9])?,
            platform_role: sqlx::Row::try_get(r, c[10])?,
            skills: sqlx::Row::try_get(r, c[11])?,
            certifications: sqlx::Row::try_get(r, c[12])?,
            education: sqlx::Row::try_get(r, c[13])?,
            exp_min: sqlx::Row::try_get(r, c[14])?,
            monthly_min: sqlx::Row::try_get(r, c[15])?,
            monthly_max: sqlx::Row::try_get(r, c[16])?,
            salary_currency: sqlx::Row::try_get(r, c[17])?,
            industry: sqlx::Row::try_get(r, c[18])?,
            import_id: sqlx::Row::try_get(r, c[19])?,
        }
    }};
}

/// A posting as the demand index reads it.
struct DemandRow {
    id: i64,
    source: String,
    title: String,
    country: Option<String>,
    province: Option<String>,
    city: Option<String>,
    posted_at: Option<String>,
    openings: i64,
    is_cyber: i64,
    nice_role: Option<String>,
    platform_role: Option<String>,
    skills: Ids,
    certifications: Ids,
    education: Option<String>,
    exp_min: Option<i64>,
    monthly_min: Option<f64>,
    monthly_max: Option<f64>,
    salary_currency: Option<String>,
    industry: Option<String>,
    import_id: i64,
}

impl DemandRow {
    fn posting(self) -> Result<(i64, cb_insight::DemandPosting), StoreError> {
        let monthly_salary = match (self.monthly_min, self.monthly_max) {
            (Some(a), Some(b)) => Some((a + b) / 2.0),
            (a, b) => a.or(b),
        };
        let month = match self.posted_at.as_deref() {
            Some(d) => Some(
                cb_insight::period::month_of_date(d)
                    .ok_or_else(|| corrupt(format!("posting {}: date `{d}`", self.id)))?,
            ),
            None => None,
        };
        let posting = cb_insight::DemandPosting {
            id: self.id,
            source: self.source,
            title: self.title,
            country: self.country,
            province: self.province,
            city: self.city,
            month,
            openings: u32::try_from(self.openings)
                .map_err(|_| corrupt(format!("posting {}: openings {}", self.id, self.openings)))?,
            is_cyber: yes("is_cyber", self.is_cyber)?,
            nice_role: self.nice_role,
            platform_role: self.platform_role,
            skills: self.skills.0,
            certifications: self.certifications.0,
            education: self.education,
            exp_min: match self.exp_min {
                Some(e) => Some(
                    u32::try_from(e)
                        .map_err(|_| corrupt(format!("posting {}: exp_min {e}", self.id)))?,
                ),
                None => None,
            },
            monthly_salary,
            currency: self.salary_currency,
            industry: self.industry,
        };
        Ok((self.import_id, posting))
    }
}

macro_rules! summary_columns {
    () => {
        "p.id, p.source, p.source_id, p.title, p.employer, p.city, \
     p.province, p.country, p.salary_currency, p.monthly_min, p.monthly_max, p.posted_at, \
     p.openings, p.is_cyber, p.nice_role, p.platform_role, p.skills, p.certifications"
    };
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    source: String,
    source_id: String,
    title: String,
    employer: String,
    city: Option<String>,
    province: Option<String>,
    country: Option<String>,
    salary_currency: Option<String>,
    monthly_min: Option<f64>,
    monthly_max: Option<f64>,
    posted_at: Option<String>,
    openings: i64,
    is_cyber: i64,
    nice_role: Option<String>,
    platform_role: Option<String>,
    skills: Ids,
    certifications: Ids,
}

impl TryFrom<SummaryRow> for PostingSummary {
    type Error = StoreError;
    fn try_from(r: SummaryRow) -> Result<PostingSummary, StoreError> {
        Ok(PostingSummary {
            id: r.id,
            source: r.source,
            source_id: r.source_id,
            title: r.title,
            employer: r.employer,
            city: r.city,
            province: r.province,
            country: r.country,
            salary_currency: r.salary_currency,
            monthly_min: r.monthly_min,
            monthly_max: r.monthly_max,
            posted_at: r.posted_at,
            openings: r.openings,
            is_cyber: yes("is_cyber", r.is_cyber)?,
            nice_role: r.nice_role,
            platform_role: r.platform_role,
            skills: r.skills.0,
            certifications: r.certifications.0,
            sources: Vec::new(),
        })
    }
}

/// A posting's row as written, with the values computed once.
struct PostingValues<'a> {
    n: &'a NewPosting,
    currency: Option<&'static str>,
    period: Option<&'static str>,
    range: Option<&'a cb_postings::salary::Salary>,
    posted_at: Option<String>,
    roles: Json<&'a [(String, f64)]>,
    skills: Ids,
    certifications: Ids,
}

impl<'a> PostingValues<'a> {
    fn of(n: &'a NewPosting) -> PostingValues<'a> {
        let p = &n.parsed;
        let range = match &p.salary {
            Some(SalaryInfo::Range(r)) => Some(r),
            _ => None,
        };
        PostingValues {
            n,
            currency: range.map(|r| match r.currency {
                Currency::Cny => "CNY",
                Currency::Usd => "USD",
            }),
            period: range.map(|r| match r.period {
                Period::Hour => "hour",
                Period::Day => "day",
                Period::Month => "month",
                Period::Year => "year",
            }),
            range,
            posted_at: p.posted_at.map(|d| d.format("%Y-%m-%d").to_string()),
            roles: Json(&p.roles),
            skills: Ids(marked(&p.skills)),
            certifications: Ids(marked(&p.certifications)),
        }
    }
}

/// Rows per multi-row INSERT of postings: 45 parameters each, under
/// SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.
const POSTINGS_PER_INSERT: usize = 600;

/// Inserts `$postings` (new postings of import `$import`) in `$tx`; the
/// `(id, line)` each was given, in no particular order.
macro_rules! insert_postings_in {
    ($tx:expr, $import:expr, $postings:expr) => {{
        let import_id: i64 = $import;
        let values: Vec<PostingValues> = $postings.iter().map(PostingValues::of).collect();
        let mut back: Vec<(i64, i64)> = Vec::with_capacity(values.len());
        for chunk in values.chunks(POSTINGS_PER_INSERT) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO postings (source, source_id, import_id, line, title, description, \
                 employer, employer_norm, title_norm, simhash, location_raw, city, province, \
                 country, salary_raw, salary_currency, salary_period, salary_min, salary_max, \
                 monthly_min, monthly_max, yearly_min, yearly_max, months_per_year, negotiable, \
                 education, exp_min, exp_max, graduate, headcount, openings, posted_at, url, tags, \
                 is_cyber, nice_role, nice_conf, nice_roles, platform_role, platform_conf, skills, \
                 certifications, industry) ",
            );
            q.push_values(chunk, |mut b, v| {
                let (n, p) = (v.n, &v.n.parsed);
                b.push_bind(p.source.as_str())
                    .push_bind(p.source_id.as_str())
                    .push_bind(import_id)
                    .push_bind(p.line as i64)
                    .push_bind(p.title.as_str())
                    .push_bind(p.description.as_str())
                    .push_bind(p.employer.as_str())
                    .push_bind(n.employer_norm.as_str())
                    .push_bind(n.title_norm.as_str())
                    .push_bind(n.simhash as i64)
                    .push_bind(p.location_raw.as_str())
                    .push_bind(p.location.city.as_deref())
                    .push_bind(p.location.province.as_deref())
                    .push_bind(p.location.country.as_deref())
                    .push_bind(p.salary_raw.as_str())
                    .push_bind(v.currency)
                    .push_bind(v.period)
                    .push_bind(v.range.map(|r| r.min))
                    .push_bind(v.range.map(|r| r.max))
                    .push_bind(v.range.map(|r| r.monthly_min))
                    .push_bind(v.range.map(|r| r.monthly_max))
                    .push_bind(v.range.map(|r| r.yearly_min))
                    .push_bind(v.range.map(|r| r.yearly_max))
                    .push_bind(v.range.map(|r| i64::from(r.months_per_year)))
                    .push_bind(i64::from(matches!(p.salary, Some(SalaryInfo::Negotiable))))
                    .push_bind(p.education.map(|e| e.as_str()))
                    .push_bind(p.experience.map(|e| i64::from(e.min_years)))
                    .push_bind(p.experience.and_then(|e| e.max_years).map(i64::from))
                    .push_bind(i64::from(p.experience.is_some_and(|e| e.graduate)))
                    .push_bind(p.headcount.map(i64::from))
                    .push_bind(i64::from(p.openings()))
                    .push_bind(v.posted_at.as_deref())
                    .push_bind(p.url.as_str())
                    .push_bind(p.tags.as_str())
                    .push_bind(i64::from(p.is_cyber))
                    .push_bind(p.roles.first().map(|r| r.0.as_str()))
                    .push_bind(p.roles.first().map(|r| r.1))
                    .push_bind(&v.roles)
                    .push_bind(p.platform_role.as_ref().map(|r| r.0.as_str()))
                    .push_bind(p.platform_role.as_ref().map(|r| r.1))
                    .push_bind(&v.skills)
                    .push_bind(&v.certifications)
                    .push_bind(p.industry.as_deref());
            });
            q.push(" RETURNING id, line");
            let rows: Vec<(i64, i64)> = q.build_query_as().fetch_all(&mut *$tx).await?;
            back.extend(rows);
        }
        back
    }};
}

/// Inserts source links in `$tx`: `$ids[n]` is the stored id of the
/// import's n-th new posting.
macro_rules! insert_links_in {
    ($tx:expr, $import:expr, $ids:expr, $links:expr) => {{
        let import_id: i64 = $import;
        let ids: &[i64] = $ids;
        let mut rows = Vec::with_capacity($links.len());
        for l in $links.iter() {
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
            rows.push((id, l));
        }
        for chunk in rows.chunks(5_000) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO posting_sources (posting_id, source, source_id, import_id, line) ",
            );
            q.push_values(chunk, |mut b, (id, l)| {
                b.push_bind(*id)
                    .push_bind(l.source.as_str())
                    .push_bind(l.source_id.as_str())
                    .push_bind(import_id)
                    .push_bind(l.line as i64);
            });
            q.build().execute(&mut *$tx).await?;
        }
    }};
}

/// New postings from which an import refreshes PostgreSQL's statistics of
/// `postings` (see `finish`).
const ANALYZE_AFTER: u64 = 5_000;

/// An import being written (see [`Store::begin_import`]): each batch is its
/// own short transaction, and readers see none of it until `finish`. A
/// session dropped without `finish` or `abandon` leaves a running import
/// whose heartbeat goes stale: the next import of the same file resumes it,
/// any other import discards it.
pub struct ImportSession {
    store: Store,
    import_id: i64,
    /// Stored ids of the new postings written by this session, in order:
    /// `PostingRef::New(n)` is `ids[n]`.
    ids: Vec<i64>,
    /// What the import had done before this session (a resumed import).
    before: ImportCounts,
    first: Option<i64>,
    last: Option<i64>,
    /// The months whose `postings` partition this session made sure of.
    months: HashSet<(i32, u32)>,
}

impl ImportSession {
    fn new(
        store: &Store,
        import_id: i64,
        before: ImportCounts,
        span: (Option<i64>, Option<i64>),
    ) -> Self {
        ImportSession {
            store: store.clone(),
            import_id,
            ids: Vec::new(),
            before,
            first: span.0,
            last: span.1,
            months: HashSet::new(),
        }
    }

    pub fn import_id(&self) -> i64 {
        self.import_id
    }

    /// What the run this session resumes had done (zero for a new import).
    pub fn resumed_from(&self) -> ImportCounts {
        self.before
    }

    /// Writes the next batch and the import's progress in one short
    /// transaction: `postings` are new postings numbered on from the
    /// previous batches of this session; `links` may refer to any of them;
    /// `done` counts everything this session has read so far.
    pub async fn write(
        &mut self,
        postings: &[NewPosting],
        links: &[SourceLink],
        done: &ImportCounts,
        now: i64,
    ) -> Result<(), StoreError> {
        const PROGRESS: &str = "UPDATE imports SET rows_read = $1, postings_new = $2, duplicates = $3, \
             rejected = $4, heartbeat = $5, first_posting = $6, last_posting = $7 WHERE id = $8";
        self.store.ensure_months(&mut self.months, postings).await?;
        let import_id = self.import_id;
        let total = self.before.plus(done);
        let ids = &mut self.ids;
        let (first, last) = (&mut self.first, &mut self.last);
        let before_new = self.before.postings_new as i64;
        in_tx!(&self.store, tx => {
            let stored = insert_postings_in!(tx, import_id, postings);
            // the ids come back by source line (unique among an import's new postings)
            let by_line: HashMap<i64, i64> = stored.iter().map(|&(id, line)| (line, id)).collect();
            if by_line.len() != postings.len() {
                return Err(StoreError::Corrupt {
                    table: "postings".into(),
                    detail: format!(
                        "{} new postings came back under {} distinct lines",
                        postings.len(),
                        by_line.len()
                    ),
                });
            }
            for p in postings {
                let id = by_line[&(p.parsed.line as i64)];
                *first = Some(first.map_or(id, |f| f.min(id)));
                *last = Some(last.map_or(id, |l| l.max(id)));
                ids.push(id);
            }
            insert_links_in!(tx, import_id, ids.as_slice(), links);
            sqlx::query(PROGRESS)
                .bind(total.rows_read as i64)
                .bind(before_new + ids.len() as i64)
                .bind(total.duplicates as i64)
                .bind(total.rejected as i64)
                .bind(now)
                .bind(*first)
                .bind(*last)
                .bind(import_id)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }

    /// Says the process writing this import is alive.
    pub async fn heartbeat(&self, now: i64) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE imports SET heartbeat = $1 WHERE id = $2";
        on_pool!(&self.store, pool => sqlx::query(SQL).bind(now).bind(self.import_id).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Records the final counts (this session's, the resumed run's are
    /// added), makes the import visible and writes the audit entry, in one
    /// transaction. Returns the import id.
    pub async fn finish(&self, caller: &Caller, end: &ImportEnd) -> Result<i64, StoreError> {
        const DONE: &str = "UPDATE imports SET rows_read = $1, postings_new = $2, duplicates = $3, \
             rejected = $4, state = 'done' WHERE id = $5 AND state = 'running'";
        let total = self.before.plus(&ImportCounts {
            rows_read: end.rows_read,
            postings_new: 0,
            duplicates: end.duplicates,
            rejected: end.rejected,
        });
        let postings_new = self.before.postings_new + self.ids.len() as u64;
        in_tx!(&self.store, tx => {
            let done = sqlx::query(DONE)
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
                    detail: format!(
                        "import {} is no longer running (another process took it over after its heartbeat stopped)",
                        self.import_id
                    ),
                });
            }
            let detail = format!(
                "{}: {} rows, {} new postings, {} duplicates, {} rejected",
                end.file_name, total.rows_read, postings_new, total.duplicates, total.rejected
            );
            audit_in!(tx, caller, "postings.import", detail);
            Ok::<(), StoreError>(())
        })?;
        if let Store::Postgres(b) = &self.store {
            const HAS_STATS: &str = "SELECT EXISTS (SELECT 1 FROM pg_stats \
                 WHERE tablename = 'postings' AND attname = 'import_id')";
            let analyse = postings_new >= ANALYZE_AFTER
                || !sqlx::query_scalar::<_, bool>(HAS_STATS)
                    .fetch_one(b)
                    .await
                    .unwrap_or(true);
            if analyse {
                // autovacuum never analyses a partitioned table itself; without
                // statistics of `postings` as a whole, PostgreSQL plans the
                // paged reads by id with a full scan of every partition per
                // page (measured: 30 s instead of 4 s to load 1 M postings).
                // One column is enough for those plans: 0.9 s at 1 M postings,
                // paid by imports large enough to move the statistics, and by
                // the first import after which there are none.
                if let Err(e) = sqlx::query("ANALYZE postings (import_id)").execute(b).await {
                    tracing::warn!(error = %e, "could not refresh the statistics of postings after an import");
                }
            }
        }
        Ok(self.import_id)
    }

    /// Removes what this session and any run before it wrote.
    pub async fn abandon(&self) -> Result<(), StoreError> {
        self.store
            .discard(self.import_id, None, 0)
            .await
            .map(|_| ())
    }
}

impl Store {
    /// PostgreSQL keeps `postings` in one partition per month posted
    /// (migration 0018; undated postings in `postings_undated`): the
    /// partitions these postings need are created before they are written,
    /// in a short transaction of their own under an advisory lock, so nodes
    /// creating the same month do not collide. Never call it inside a
    /// transaction that wrote `imports`: making a partition takes a lock on
    /// `imports` (the partition's foreign key) that such a transaction would
    /// hold against it. `known`: the months already made sure of.
    async fn ensure_months(
        &self,
        known: &mut HashSet<(i32, u32)>,
        postings: &[NewPosting],
    ) -> Result<(), StoreError> {
        use chrono::Datelike;
        let Store::Postgres(b) = self else {
            return Ok(());
        };
        let missing: BTreeSet<(i32, u32)> = postings
            .iter()
            .filter_map(|p| p.parsed.posted_at)
            .map(|d| (d.year(), d.month()))
            .filter(|m| !known.contains(m))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let mut tx = b.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(7303510018)")
            .execute(&mut *tx)
            .await?;
        for &(y, m) in &missing {
            sqlx::query(AssertSqlSafe(month_partition_sql(y, m)?))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        known.extend(missing);
        Ok(())
    }

    /// Starts a new import as the database's one running import (its
    /// record is committed at once, so every node sees it). `Ok(Err(r))`
    /// while `r` runs: wait for it, resume it or discard it, then try
    /// again. A file imported before is a `Duplicate`.
    pub async fn begin_import(
        &self,
        caller: &Caller,
        start: &ImportStart,
        now: i64,
    ) -> Result<Result<ImportSession, ImportRecord>, StoreError> {
        const SQL: &str = "INSERT INTO imports (file_name, file_hash, shape, source, rows_read, \
             postings_new, duplicates, rejected, actor, at, state, heartbeat) \
             VALUES ($1, $2, $3, $4, 0, 0, 0, 0, $5, $6, 'running', $6) RETURNING id";
        for _ in 0..3 {
            let inserted: Result<i64, sqlx::Error> = on_pool!(self, pool => sqlx::query_scalar(SQL)
                .bind(&start.file_name)
                .bind(&start.file_hash)
                .bind(&start.shape)
                .bind(&start.source)
                .bind(caller.audit_name())
                .bind(now)
                .fetch_one(pool)
                .await);
            match inserted {
                Ok(id) => {
                    return Ok(Ok(ImportSession::new(
                        self,
                        id,
                        ImportCounts::default(),
                        (None, None),
                    )));
                }
                Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                    if let Some(running) = self.running_import().await? {
                        return Ok(Err(running));
                    }
                    if self.import_by_hash(&start.file_hash).await?.is_some() {
                        return Err(StoreError::Duplicate {
                            detail: d.message().to_string(),
                        });
                    }
                    // the running import finished in between: try again
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Duplicate {
            detail: "another import keeps starting first".into(),
        })
    }

    /// The import being written now, if any.
    pub async fn running_import(&self) -> Result<Option<ImportRecord>, StoreError> {
        let sql = concat!(
            "SELECT ",
            import_columns!(),
            " FROM imports WHERE state = 'running'"
        );
        on_pool!(self, pool => Ok(sqlx::query_as(sql).fetch_optional(pool).await?))
    }

    /// The import of a file with this content hash, if it was imported before.
    pub async fn import_by_hash(&self, hash: &str) -> Result<Option<ImportRecord>, StoreError> {
        let sql = concat!(
            "SELECT ",
            import_columns!(),
            " FROM imports WHERE file_hash = $1"
        );
        on_pool!(self, pool => Ok(sqlx::query_as(sql).bind(hash).fetch_optional(pool).await?))
    }

    /// Every import, newest first.
    pub async fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        let sql = concat!(
            "SELECT ",
            import_columns!(),
            " FROM imports ORDER BY id DESC"
        );
        on_pool!(self, pool => Ok(sqlx::query_as(sql).fetch_all(pool).await?))
    }

    /// Takes over the running import `id` if its heartbeat is older than
    /// `stale_before` (its process died), to go on where it stopped; `None`
    /// when it is alive or someone else took it.
    pub async fn resume_import(
        &self,
        caller: &Caller,
        id: i64,
        stale_before: i64,
        now: i64,
    ) -> Result<Option<ImportSession>, StoreError> {
        const TAKE: &str = "UPDATE imports SET heartbeat = $1, actor = $2 \
             WHERE id = $3 AND state = 'running' AND heartbeat < $4";
        const READ: &str = "SELECT rows_read, postings_new, duplicates, rejected, first_posting, \
             last_posting FROM imports WHERE id = $1";
        #[derive(sqlx::FromRow)]
        struct Done {
            rows_read: i64,
            postings_new: i64,
            duplicates: i64,
            rejected: i64,
            first_posting: Option<i64>,
            last_posting: Option<i64>,
        }
        let taken = on_pool!(self, pool => sqlx::query(TAKE)
            .bind(now)
            .bind(caller.audit_name())
            .bind(id)
            .bind(stale_before)
            .execute(pool)
            .await?
            .rows_affected());
        if taken != 1 {
            return Ok(None);
        }
        let r: Done = on_pool!(self, pool => sqlx::query_as(READ).bind(id).fetch_one(pool).await?);
        let count = |what: &str, n: i64| {
            u64::try_from(n).map_err(|_| StoreError::Corrupt {
                table: "imports".into(),
                detail: format!("import {id}: {what} {n}"),
            })
        };
        let before = ImportCounts {
            rows_read: count("rows_read", r.rows_read)?,
            postings_new: count("postings_new", r.postings_new)?,
            duplicates: count("duplicates", r.duplicates)?,
            rejected: count("rejected", r.rejected)?,
        };
        Ok(Some(ImportSession::new(
            self,
            id,
            before,
            (r.first_posting, r.last_posting),
        )))
    }

    /// Removes the unfinished import `id` whose heartbeat is older than
    /// `stale_before`, and what it wrote; whether this call removed it.
    pub async fn discard_import(
        &self,
        id: i64,
        stale_before: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.discard(id, Some(stale_before), now).await
    }

    /// Removes an unfinished import and everything it wrote, in short
    /// statements. With `stale_before`, only when its heartbeat is older (a
    /// process that died); returns whether it was this call's to remove.
    async fn discard(
        &self,
        id: i64,
        stale_before: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        const CLAIM: &str = "UPDATE imports SET state = 'discarding', heartbeat = $1 \
             WHERE id = $2 AND state <> 'done' AND ($3 IS NULL OR heartbeat < $3)";
        const SPAN: &str = "SELECT first_posting, last_posting FROM imports WHERE id = $1";
        const LINKS: &str = "DELETE FROM posting_sources WHERE import_id = $1";
        const POSTINGS: &str = "DELETE FROM postings WHERE import_id = $1 AND id BETWEEN $2 AND $3";
        const IMPORT: &str = "DELETE FROM imports WHERE id = $1";
        on_pool!(self, pool => {
            let claimed = sqlx::query(CLAIM)
                .bind(now)
                .bind(id)
                .bind(stale_before)
                .execute(pool)
                .await?
                .rows_affected();
            if claimed != 1 {
                return Ok(false);
            }
            let (first, last): (Option<i64>, Option<i64>) =
                sqlx::query_as(SPAN).bind(id).fetch_one(pool).await?;
            sqlx::query(LINKS).bind(id).execute(pool).await?;
            if let (Some(first), Some(last)) = (first, last) {
                let mut lo = first;
                while lo <= last {
                    let hi = (lo + 4_999).min(last);
                    sqlx::query(POSTINGS).bind(id).bind(lo).bind(hi).execute(pool).await?;
                    lo = hi + 1;
                }
            }
            sqlx::query(IMPORT).bind(id).execute(pool).await?;
            Ok(true)
        })
    }

    /// Stores one posting as an import of its own, done at once, and saves
    /// `job` (if it is still as `was`) with that posting's id, in one
    /// transaction. Returns the posting id.
    pub(crate) async fn publish_posting(
        &self,
        caller: &Caller,
        start: &ImportStart,
        posting: NewPosting,
        job: &crate::accounts::Job,
        was: &crate::accounts::Job,
        now: i64,
    ) -> Result<i64, StoreError> {
        const IMPORT: &str = "INSERT INTO imports (file_name, file_hash, shape, source, rows_read, \
             postings_new, duplicates, rejected, actor, at, state, heartbeat) \
             VALUES ($1, $2, $3, $4, 1, 1, 0, 0, $5, $6, 'done', $6) RETURNING id";
        const SPAN: &str = "UPDATE imports SET first_posting = $1, last_posting = $1 WHERE id = $2";
        // before the transaction: making a partition locks `imports`, which
        // the transaction is about to write
        self.ensure_months(&mut HashSet::new(), std::slice::from_ref(&posting))
            .await?;
        let links = [SourceLink {
            posting: PostingRef::New(0),
            source: posting.parsed.source.clone(),
            source_id: posting.parsed.source_id.clone(),
            line: posting.parsed.line,
        }];
        let postings = [posting];
        in_tx!(self, tx => {
            let import_id: i64 = sqlx::query_scalar(IMPORT)
                .bind(&start.file_name)
                .bind(&start.file_hash)
                .bind(&start.shape)
                .bind(&start.source)
                .bind(caller.audit_name())
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(crate::model::duplicate)?;
            let stored = insert_postings_in!(tx, import_id, postings);
            let posting_id = stored.first().map(|s| s.0).ok_or_else(|| corrupt("the published posting's id did not come back".into()))?;
            insert_links_in!(tx, import_id, &[posting_id], links);
            sqlx::query(SPAN).bind(posting_id).bind(import_id).execute(&mut *tx).await?;
            let mut saved = job.clone();
            saved.posting_id = Some(posting_id);
            if job_update_in!(tx, &saved, was) == 0 {
                return Err(StoreError::Stale);
            }
            let detail = format!("{}: 1 rows, 1 new postings, 0 duplicates, 0 rejected", start.file_name);
            audit_in!(tx, caller, "postings.import", detail);
            Ok(posting_id)
        })
    }

    /// How many imports are done (a cheap test for "anything new?").
    pub async fn done_import_count(&self) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM imports WHERE state = 'done'";
        on_pool!(self, pool => Ok(sqlx::query_scalar(SQL).fetch_one(pool).await?))
    }

    /// Every done import with the id range of its new postings.
    pub async fn done_imports(&self) -> Result<Vec<ImportSpan>, StoreError> {
        const SQL: &str =
            "SELECT id, first_posting, last_posting FROM imports WHERE state = 'done' ORDER BY id";
        let rows: Vec<(i64, Option<i64>, Option<i64>)> =
            on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(id, first, last)| ImportSpan { id, first, last })
            .collect())
    }

    /// Postings after `after_id` as the demand index reads them, each with
    /// its import, at most `limit`: of every import, running ones too — the
    /// caller keeps those of the imports it holds (a filter on `imports`
    /// here can make PostgreSQL scan every partition for each page when its
    /// estimates are off).
    pub async fn postings_for_insight(
        &self,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<(i64, cb_insight::DemandPosting)>, StoreError> {
        let sql = concat!(
            "SELECT ",
            demand_columns!(),
            " FROM postings p WHERE p.id > $1 ORDER BY p.id LIMIT $2"
        );
        let mut out = Vec::new();
        on_pool!(self, pool => {
            let mut rows = sqlx::query(sql).bind(after_id).bind(limit).fetch(pool);
            let mut at = None;
            while let Some(r) = rows.try_next().await? {
                out.push(demand_row!(r, at).posting()?);
            }
        });
        Ok(out)
    }

    /// The new postings of one done import after `after_id`, by id, at most
    /// `limit`, as the demand index reads them.
    pub async fn postings_of_import(
        &self,
        span: &ImportSpan,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<cb_insight::DemandPosting>, StoreError> {
        let (Some(first), Some(last)) = (span.first, span.last) else {
            return Ok(Vec::new());
        };
        let sql = concat!(
            "SELECT ",
            demand_columns!(),
            " FROM postings p WHERE p.import_id = $1 \
             AND p.id BETWEEN $2 AND $3 AND p.id > $4 ORDER BY p.id LIMIT $5"
        );
        let mut out = Vec::new();
        on_pool!(self, pool => {
            let mut rows = sqlx::query(sql)
                .bind(span.id)
                .bind(first)
                .bind(last)
                .bind(after_id)
                .bind(limit)
                .fetch(pool);
            let mut at = None;
            while let Some(r) = rows.try_next().await? {
                out.push(demand_row!(r, at).posting()?.1);
            }
        });
        Ok(out)
    }

    /// The postings with these ids (at most 500), newest first.
    pub async fn postings_by_ids(&self, ids: &[i64]) -> Result<Vec<PostingSummary>, StoreError> {
        let ids = &ids[..ids.len().min(500)];
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<SummaryRow> = on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(concat!("SELECT ", summary_columns!(), " FROM postings p WHERE ", visible!(), " AND p.id IN ("));
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(") ORDER BY p.id DESC");
            q.build_query_as().fetch_all(pool).await?
        });
        rows.into_iter().map(PostingSummary::try_from).collect()
    }

    /// One posting with its description and every source record it was seen in.
    pub async fn posting_detail(&self, id: i64) -> Result<Option<PostingDetail>, StoreError> {
        const DETAIL: &str = "SELECT description, url, salary_raw, education, exp_min, exp_max \
             FROM postings WHERE id = $1";
        #[derive(sqlx::FromRow)]
        struct Detail {
            description: String,
            url: String,
            salary_raw: String,
            education: Option<String>,
            exp_min: Option<i64>,
            exp_max: Option<i64>,
        }
        let Some(mut summary) = self.postings_by_ids(&[id]).await?.pop() else {
            return Ok(None);
        };
        let d: Detail =
            on_pool!(self, pool => sqlx::query_as(DETAIL).bind(id).fetch_one(pool).await?);
        self.add_sources(std::slice::from_mut(&mut summary)).await?;
        Ok(Some(PostingDetail {
            summary,
            description: d.description,
            url: d.url,
            salary_raw: d.salary_raw,
            education: d.education,
            exp_min: d.exp_min,
            exp_max: d.exp_max,
        }))
    }

    /// Adds to each posting (in id order) the source records it was seen in,
    /// by import and line.
    async fn add_sources(&self, postings: &mut [PostingSummary]) -> Result<(), StoreError> {
        let (Some(lo), Some(hi)) = (
            postings.iter().map(|p| p.id).min(),
            postings.iter().map(|p| p.id).max(),
        ) else {
            return Ok(());
        };
        let sql = concat!(
            "SELECT posting_id, source, source_id FROM posting_sources \
             WHERE posting_id BETWEEN $1 AND $2 AND ",
            done_source!(),
            " ORDER BY import_id, line"
        );
        let rows: Vec<(i64, String, String)> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(lo)
            .bind(hi)
            .fetch_all(pool)
            .await?);
        let at: HashMap<i64, usize> = postings
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id, i))
            .collect();
        for (id, source, source_id) in rows {
            if let Some(&i) = at.get(&id) {
                let tag = format!("{source}:{source_id}");
                if !postings[i].sources.contains(&tag) {
                    postings[i].sources.push(tag);
                }
            }
        }
        Ok(())
    }

    /// Visible postings by id after `after_id`, at most `limit`, with their sources.
    pub async fn postings_page(
        &self,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<PostingSummary>, StoreError> {
        let sql = concat!(
            "SELECT ",
            summary_columns!(),
            " FROM postings p WHERE ",
            visible!(),
            " AND p.id > $1 ORDER BY p.id LIMIT $2"
        );
        let rows: Vec<SummaryRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(after_id)
            .bind(limit)
            .fetch_all(pool)
            .await?);
        let mut out = rows
            .into_iter()
            .map(PostingSummary::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        self.add_sources(&mut out).await?;
        Ok(out)
    }

    /// How many postings readers see.
    pub async fn posting_count(&self) -> Result<i64, StoreError> {
        let sql = concat!("SELECT COUNT(*) FROM postings p WHERE ", visible!());
        on_pool!(self, pool => Ok(sqlx::query_scalar(sql).fetch_one(pool).await?))
    }

    /// Which classifier weights the stored postings carry: (version all
    /// postings carry, target being applied, last id done).
    pub async fn classifier_state(&self) -> Result<Option<(String, String, i64)>, StoreError> {
        const SQL: &str = "SELECT version, target, through_id FROM classifier_state WHERE id = 1";
        on_pool!(self, pool => Ok(sqlx::query_as(SQL).fetch_optional(pool).await?))
    }

    /// Records that the stored postings carry `version`, unless a state is
    /// recorded already (the first import into an empty store: its postings
    /// need no re-classification).
    pub async fn record_classifier(&self, version: &str) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO classifier_state (id, version, target, through_id) \
             VALUES (1, $1, $1, 0) ON CONFLICT (id) DO NOTHING";
        on_pool!(self, pool => sqlx::query(SQL).bind(version).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// (id, title, description) of up to `limit` postings after `after_id`.
    pub async fn posting_texts(
        &self,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        const SQL: &str =
            "SELECT id, title, description FROM postings WHERE id > $1 ORDER BY id LIMIT $2";
        on_pool!(self, pool => Ok(sqlx::query_as(SQL).bind(after_id).bind(limit).fetch_all(pool).await?))
    }

    /// Writes one page of new classifications and moves the cursor, in one
    /// transaction; `finished` marks every posting as carrying `target`.
    pub async fn reclassify_page(
        &self,
        caller: &Caller,
        target: &str,
        rows: &[Reclassified],
        through_id: i64,
        finished: bool,
    ) -> Result<(), StoreError> {
        const UPDATE: &str = "UPDATE postings SET is_cyber = $1, nice_role = $2, nice_conf = $3, \
             nice_roles = $4, platform_role = $5, platform_conf = $6, skills = $7, \
             certifications = $8 WHERE id = $9";
        // finished: every posting carries `target`; else the cursor moves and `version` stays
        const FINISHED: &str = "INSERT INTO classifier_state (id, version, target, through_id) \
             VALUES (1, $1, $1, 0) ON CONFLICT (id) DO UPDATE SET version = excluded.version, \
             target = excluded.target, through_id = 0";
        const MOVED: &str = "INSERT INTO classifier_state (id, version, target, through_id) \
             VALUES (1, '', $1, $2) ON CONFLICT (id) DO UPDATE SET target = excluded.target, \
             through_id = excluded.through_id";
        in_tx!(self, tx => {
            for r in rows {
                sqlx::query(UPDATE)
                    .bind(i64::from(r.is_cyber))
                    .bind(r.roles.first().map(|x| x.0.as_str()))
                    .bind(r.roles.first().map(|x| x.1))
                    .bind(Json(&r.roles))
                    .bind(r.platform_role.as_ref().map(|x| x.0.as_str()))
                    .bind(r.platform_role.as_ref().map(|x| x.1))
                    .bind(Ids(marked(&r.skills)))
                    .bind(Ids(marked(&r.certifications)))
                    .bind(r.id)
                    .execute(&mut *tx)
                    .await?;
            }
            if finished {
                sqlx::query(FINISHED).bind(target).execute(&mut *tx).await?;
                note_in!(tx, ChangeKind::Postings);
                audit_in!(tx, caller, "postings.reclassify", format!("classifier {target}"));
            } else {
                sqlx::query(MOVED).bind(target).bind(through_id).execute(&mut *tx).await?;
            }
            Ok(())
        })
    }

    /// What deduplication needs to know of every stored posting and source
    /// record: those of done imports, and of `resuming` (an import taken over),
    /// one per source record.
    pub async fn dedupe_index(&self, resuming: Option<i64>) -> Result<Vec<StoredKey>, StoreError> {
        const SQL: &str = "SELECT s.posting_id, s.source, s.source_id, p.employer_norm, p.title_norm, \
             COALESCE(p.city, '') AS city, p.posted_at, p.simhash \
             FROM posting_sources s JOIN postings p ON p.id = s.posting_id \
             WHERE s.import_id IN (SELECT id FROM imports WHERE state = 'done' OR id = $1)";
        on_pool!(self, pool => Ok(sqlx::query_as(SQL).bind(resuming.unwrap_or(-1)).fetch_all(pool).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demand_names_are_the_demand_columns() {
        let cols: Vec<&str> = demand_columns!()
            .split(',')
            .map(|c| c.trim().trim_start_matches("p."))
            .collect();
        assert_eq!(cols, DEMAND_NAMES);
    }
}
