//! `/api/v1`: the same figures the pages show, as JSON.

use crate::RequestCaller;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cb_app::{App, AppError, SkillFilter};
use cb_competency::SkillKind;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/framework", get(overview))
        .route("/framework/work-roles", get(work_roles))
        .route("/framework/work-roles/{id}", get(work_role))
        .route("/framework/roles", get(platform_roles))
        .route("/framework/roles/{id}", get(platform_role))
        .route("/framework/skills", get(skills))
        .route("/framework/skills/{id}", get(skill))
        .route("/framework/certifications", get(certifications))
        .route("/framework/certifications/{id}", get(certification))
        .route("/framework/external", get(externals))
        .route("/framework/external/{id}", get(external))
        .route("/framework/search", get(search))
        .route("/postings", get(postings))
        .route("/postings/count", get(posting_count))
        .route("/postings/{id}", get(posting))
        .route("/imports", get(imports))
        .route("/imports/tasks", get(tasks))
        .route("/imports/tasks/{id}", get(task))
        .route("/talent/summary", get(talent_summary))
        .route("/supply", get(supply))
        .route("/people", get(people))
        .route("/people/{id}/profile", get(person_profile))
        .route("/cohorts", get(cohorts))
        .route("/cohorts/{id}/heatmap", get(cohort_heatmap))
        .merge(crate::insight_web::api_routes())
        .merge(crate::jobs_api::routes())
        .merge(crate::accounts_api::routes())
        .route(
            "/openapi.json",
            get(|| async { axum::Json(crate::openapi::document()) }),
        )
        .fallback(api_not_found)
}

/// The API's file uploads: bodies up to [`MAX_UPLOAD`] (see also
/// [`with_upload_gate`]).
pub fn upload_routes() -> Router<App> {
    Router::new()
        .route("/imports/talent", axum::routing::post(upload_talent))
        .route("/imports/postings", axum::routing::post(upload_postings))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD))
}

/// What every route that takes a file shares: at most [`UPLOADS_AT_ONCE`]
/// in flight on this node (the next is told to retry).
pub fn with_upload_gate(routes: Router<App>) -> Router<App> {
    use axum::error_handling::HandleErrorLayer;
    use tower::ServiceBuilder;
    let gate = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
            ApiError(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                format!(
                    "this server is receiving {UPLOADS_AT_ONCE} uploads already; try again in 30 s / 服务器正在接收其他上传，请 30 秒后再试"
                ),
            )
        }))
        .load_shed()
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(UPLOADS_AT_ONCE));
    routes
        .layer(gate)
        .layer(axum::extract::DefaultBodyLimit::max(
            MAX_UPLOAD + FORM_OVERHEAD,
        ))
}

/// Room for a form's other fields and multipart boundaries around a file.
const FORM_OVERHEAD: usize = 64 << 10;

/// Uploads one node receives at once; each body is held in memory.
pub const UPLOADS_AT_ONCE: usize = 4;
/// How long an upload and its import may take.
pub const UPLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// An API error: `{"error": {"code", "message"}}` with a fitting status.
pub struct ApiError(
    pub(crate) StatusCode,
    pub(crate) &'static str,
    pub(crate) String,
);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        use cb_core::AccessError;
        match &e {
            AppError::NotFound { .. } => {
                ApiError(StatusCode::NOT_FOUND, "not_found", e.to_string())
            }
            AppError::Access(AccessError::Unauthenticated { .. }) => {
                ApiError(StatusCode::UNAUTHORIZED, "unauthenticated", e.to_string())
            }
            AppError::Access(
                AccessError::Forbidden { .. }
                | AccessError::Refused { .. }
                | AccessError::PasswordChangeRequired { .. },
            ) => ApiError(StatusCode::FORBIDDEN, "forbidden", e.to_string()),
            AppError::Invalid(_) | AppError::Model(_) => {
                ApiError(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string())
            }
            AppError::TooManyAttempts { .. } => ApiError(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                e.to_string(),
            ),
            AppError::Conflict(_) | AppError::InProgress => {
                ApiError(StatusCode::CONFLICT, "conflict", e.to_string())
            }
            AppError::Busy { .. } => {
                ApiError(StatusCode::SERVICE_UNAVAILABLE, "busy", e.to_string())
            }
            AppError::Store(s) if s.is_busy() => ApiError(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the database is busy; try again in a few seconds / 数据库繁忙，请稍后再试".into(),
            ),
            AppError::Store(_) | AppError::Internal(_) => {
                tracing::error!(error = %e, "internal error");
                ApiError(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error / 服务器内部错误".into(),
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.0,
            Json(json!({ "error": { "code": self.1, "message": self.2 } })),
        )
            .into_response();
        if self.0 == StatusCode::SERVICE_UNAVAILABLE || self.0 == StatusCode::TOO_MANY_REQUESTS {
            r.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("30"),
            );
        }
        r
    }
}

/// The JSON error every API answer that failed before a handler (a query or
/// body the extractor refused, a body over the limit, an unsupported media
/// type) is turned into: `{"error": {"code", "message"}}` with its status.
pub(crate) async fn json_errors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::NOT_FOUND => "not_found",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let retry = res.headers().get(axum::http::header::RETRY_AFTER).cloned();
    // the extractor's own words say which parameter or field was wrong
    let text = axum::body::to_bytes(res.into_body(), 16 << 10)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the request body is larger than this endpoint accepts (uploads: {} MiB; larger files go through `cyberbridge import`) / 请求体超过上限",
            MAX_UPLOAD >> 20
        ),
        StatusCode::REQUEST_TIMEOUT => "the request took too long / 请求超时".to_string(),
        s if s.is_server_error() => "internal error / 服务器内部错误".to_string(),
        _ if text.is_empty() => status.canonical_reason().unwrap_or("error").to_string(),
        _ => text,
    };
    let mut r = ApiError(status, code, message).into_response();
    if let Some(v) = retry {
        r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    r
}

pub(crate) type ApiResult = Result<Response, ApiError>;

pub(crate) fn ok<T: serde::Serialize>(v: T) -> ApiResult {
    Ok(Json(v).into_response())
}

async fn api_not_found() -> ApiError {
    ApiError(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint / 接口不存在".into(),
    )
}

pub async fn health(State(app): State<App>) -> Response {
    match app.ping().await {
        Ok(()) => Json(json!({ "status": "ok", "database": app.backend() })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": app.backend() })),
            )
                .into_response()
        }
    }
}

async fn overview(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.framework().overview(&c))
}

async fn work_roles(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.framework().work_roles(&c))
}

async fn work_role(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<String>,
) -> ApiResult {
    ok(app.framework().work_role(&c, &id)?)
}

async fn platform_roles(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.framework().platform_roles(&c))
}

async fn platform_role(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<String>,
) -> ApiResult {
    ok(app.framework().platform_role(&c, &id)?)
}

#[derive(Deserialize)]
pub struct SkillQuery {
    pub domain: Option<String>,
    pub kind: Option<String>,
}

/// Turns `?domain=&kind=` into a filter; an unknown kind is a 400 that lists the valid ones.
pub fn skill_filter(q: &SkillQuery) -> Result<SkillFilter, String> {
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(SkillKind::parse(k).ok_or_else(|| {
            let valid: Vec<&str> = SkillKind::ALL.iter().map(|k| k.as_str()).collect();
            format!(
                "unknown skill kind `{k}`; expected one of {} / 未知的技能类型",
                valid.join(", ")
            )
        })?),
    };
    Ok(SkillFilter {
        domain: q.domain.clone().filter(|d| !d.is_empty()),
        kind,
    })
}

async fn skills(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Query(q): Query<SkillQuery>,
) -> ApiResult {
    let filter =
        skill_filter(&q).map_err(|m| ApiError(StatusCode::BAD_REQUEST, "bad_request", m))?;
    ok(app.framework().skills(&c, &filter))
}

async fn skill(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<String>,
) -> ApiResult {
    ok(app.framework().skill(&c, &id)?)
}

async fn certifications(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.framework().certifications(&c))
}

async fn certification(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<String>,
) -> ApiResult {
    ok(app.framework().certification(&c, &id)?)
}

async fn externals(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.framework().external_frameworks(&c))
}

async fn external(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<String>,
) -> ApiResult {
    ok(app.framework().external_framework(&c, &id)?)
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    limit: Option<usize>,
}

async fn search(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Query(q): Query<SearchQuery>,
) -> ApiResult {
    let query = q.q.unwrap_or_default();
    if query.chars().count() > 200 {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "query longer than 200 characters / 查询过长".into(),
        ));
    }
    let hits = app.framework().search(&c, &query, q.limit.unwrap_or(20));
    ok(json!({ "query": query, "hits": hits }))
}

/// The largest file the server accepts in one upload (postings or talent
/// data): 64 MiB. Larger files are imported with `cyberbridge import`, which
/// streams them from disk.
pub const MAX_UPLOAD: usize = 64 << 20;

#[derive(Deserialize)]
struct PageQuery {
    after: Option<i64>,
    limit: Option<i64>,
}

async fn postings(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    ok(app
        .postings()
        .list(&c, q.after.unwrap_or(0), q.limit.unwrap_or(50))
        .await?)
}

async fn posting_count(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(json!({ "postings": app.postings().count(&c).await? }))
}

/// One stored posting: its summary, description and every source record.
async fn posting(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(app.insight().posting(&c, id).await?)
}

async fn imports(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.postings().imports(&c).await?)
}

#[derive(Deserialize)]
struct UploadQuery {
    filename: Option<String>,
    #[serde(default)]
    skip_bad_rows: bool,
    crawl_date: Option<String>,
    wait: Option<u64>,
}

fn bad_request(m: String) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, "bad_request", m)
}

/// The file name of an upload: required, its last path segment.
fn upload_name(filename: Option<String>) -> Result<String, ApiError> {
    let name = filename.filter(|f| !f.trim().is_empty()).ok_or_else(|| bad_request("query parameter `filename` is required (its extension gives the format) / 缺少 filename 参数".into()))?;
    Ok(name.rsplit(['/', '\\']).next().unwrap_or(&name).to_string())
}

/// `POST /api/v1/imports/postings?filename=jobs.csv[&skip_bad_rows=true][&crawl_date=2017-05-03][&wait=600]`
/// with the file as the body: the same import as `cyberbridge import postings`.
async fn upload_postings(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Query(q): Query<UploadQuery>,
    body: axum::body::Bytes,
) -> ApiResult {
    // an anonymous caller learns nothing about the file; the service decides who else may import
    c.require_signed_in("import postings")
        .map_err(AppError::from)?;
    let name = upload_name(q.filename)?;
    let crawl_date = match q.crawl_date.as_deref().filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                bad_request(format!(
                    "crawl_date `{d}` is not a date; expected YYYY-MM-DD"
                ))
            })?,
        ),
    };
    let work = cb_app::Work::Postings {
        skip_bad_rows: q.skip_bad_rows,
        crawl_date,
    };
    queue_and_wait(&app, &c, name, body, work, q.wait).await
}

/// Queues an upload and waits for a worker to finish it, at most `wait`
/// seconds (default and most: [`UPLOAD_TIMEOUT`]): 200 with the import's
/// outcome, the import's own error, or 202 with the task to follow.
async fn queue_and_wait(
    app: &App,
    c: &cb_core::Caller,
    name: String,
    body: axum::body::Bytes,
    work: cb_app::Work,
    wait: Option<u64>,
) -> ApiResult {
    let wait = std::time::Duration::from_secs(wait.unwrap_or(u64::MAX))
        .min(UPLOAD_TIMEOUT - std::time::Duration::from_secs(5));
    let upload = cb_app::Upload {
        name,
        content: body.to_vec(),
        work,
    };
    let task = app.tasks().submit(c, upload).await?;
    let task = app.tasks().wait(c, task.id, wait).await?;
    task_answer(task)
}

/// A finished task as the upload's answer; an unfinished one as 202.
fn task_answer(task: cb_app::TaskView) -> ApiResult {
    if !task.is_finished() {
        let id = task.id;
        let mut r = (StatusCode::ACCEPTED, Json(json!({ "task": task }))).into_response();
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!("/api/v1/imports/tasks/{id}")) {
            r.headers_mut().insert(axum::http::header::LOCATION, v);
        }
        return Ok(r);
    }
    match (task.result, task.failure) {
        (Some(cb_app::TaskResult::Postings(o)), _) => ok(o),
        (Some(cb_app::TaskResult::Talent(o)), _) => ok(o),
        (None, Some(f)) => {
            let status = match f.code.as_str() {
                "invalid" => StatusCode::UNPROCESSABLE_ENTITY,
                "forbidden" => StatusCode::FORBIDDEN,
                "conflict" => StatusCode::CONFLICT,
                "interrupted" => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            let code: &'static str = match f.code.as_str() {
                "invalid" => "invalid",
                "forbidden" => "forbidden",
                "conflict" => "conflict",
                "interrupted" => "interrupted",
                _ => "internal",
            };
            Err(ApiError(status, code, f.message))
        }
        (None, None) => Err(ApiError(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the import finished without a result / 导入结束但没有结果".into(),
        )),
    }
}

/// `GET /api/v1/imports/tasks`: the newest import tasks the caller may see.
async fn tasks(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.tasks().list(&c).await?)
}

/// `GET /api/v1/imports/tasks/{id}`: one import task, its progress and result.
async fn task(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<String>,
) -> ApiResult {
    let id: i64 = id
        .parse()
        .map_err(|_| bad_request(format!("task id `{id}` is not a number")))?;
    ok(app.tasks().task(&c, id).await?)
}

async fn talent_summary(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.talent().summary(&c).await?)
}

async fn people(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    ok(app
        .talent()
        .people(&c, q.after.unwrap_or(0), q.limit.unwrap_or(50))
        .await?)
}

#[derive(Deserialize)]
struct ProfileQuery {
    /// Compute as of this day (default: today).
    as_of: Option<String>,
}

async fn person_profile(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<String>,
    Query(q): Query<ProfileQuery>,
) -> ApiResult {
    let bad = |m: String| ApiError(StatusCode::BAD_REQUEST, "bad_request", m);
    let id: i64 = id
        .parse()
        .map_err(|_| bad(format!("person id `{id}` is not a number")))?;
    let today = match q.as_of.as_deref() {
        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| bad(format!("as_of `{d}` is not a date; expected YYYY-MM-DD")))?,
        None => crate::today(),
    };
    ok(app.talent().profile(&c, id, today).await?)
}

async fn cohorts(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.talent().cohorts(&c).await?)
}

#[derive(Deserialize)]
struct HeatmapQuery {
    /// A platform role or NICE work role: its core skills are the columns.
    role: Option<String>,
}

async fn cohort_heatmap(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<String>,
    Query(q): Query<HeatmapQuery>,
) -> ApiResult {
    let id: i64 = id.parse().map_err(|_| {
        ApiError(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("cohort id `{id}` is not a number"),
        )
    })?;
    ok(app
        .talent()
        .cohort_heatmap(&c, id, q.role.as_deref(), crate::today())
        .await?)
}

#[derive(Deserialize)]
struct TalentUploadQuery {
    kind: Option<String>,
    filename: Option<String>,
    #[serde(default)]
    skip_bad_rows: bool,
    wait: Option<u64>,
}

/// `POST /api/v1/imports/talent?kind=people|courses|grades|evaluations&filename=x.csv[&skip_bad_rows=true][&wait=600]`
async fn upload_talent(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Query(q): Query<TalentUploadQuery>,
    body: axum::body::Bytes,
) -> ApiResult {
    // nobody is turned away before the body is read; the service decides who may import what
    c.require_signed_in("import talent data")
        .map_err(AppError::from)?;
    let kind_raw = q.kind.unwrap_or_default();
    let kind = cb_talent::import::Kind::parse(&kind_raw).ok_or_else(|| bad_request(format!("kind `{kind_raw}`; expected people, courses, grades, evaluations, competitions, certificates or awards / 未知的导入类型")))?;
    let name = upload_name(q.filename)?;
    let work = cb_app::Work::Talent {
        file_kind: kind.as_str().to_string(),
        skip_bad_rows: q.skip_bad_rows,
    };
    queue_and_wait(&app, &c, name, body, work, q.wait).await
}

#[derive(Deserialize)]
struct SupplyQuery {
    region: Option<String>,
    program: Option<String>,
    graduation_year: Option<i32>,
}

/// Supply per role and skill; small cells are "<5" unless the caller is the operator.
async fn supply(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Query(q): Query<SupplyQuery>,
) -> ApiResult {
    let filter = cb_app::SupplyFilter {
        region: q.region.filter(|s| !s.is_empty()),
        program: q.program.filter(|s| !s.is_empty()),
        graduation_year: q.graduation_year,
    };
    ok(app.talent().supply(&c, &filter, crate::today()).await?)
}
