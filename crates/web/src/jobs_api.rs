//! The JSON API for postings published on the platform (`/api/v1/jobs…`):
//! drafts, the extractor's suggestions, review, closing, interest and
//! candidates. The services decide who may.

use crate::RequestCaller;
use crate::api::{ApiError, ApiResult, ok};
use crate::jobs_web::StatusQuery;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use cb_app::App;
use cb_postings::publish::{JobDraft, JobStatus};
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/jobs", get(api_jobs).post(api_create_job))
        .route("/jobs/suggest", post(api_suggest))
        .route("/jobs/{id}", get(api_job).put(api_update_job))
        .route("/jobs/{id}/submit", post(api_submit))
        .route("/jobs/{id}/approve", post(api_approve))
        .route("/jobs/{id}/reject", post(api_reject))
        .route("/jobs/{id}/close", post(api_close))
        .route(
            "/jobs/{id}/interest",
            post(api_interest).delete(api_withdraw),
        )
        .route("/jobs/{id}/candidates", get(api_candidates))
}

async fn api_jobs(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Query(q): Query<StatusQuery>,
) -> ApiResult {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(JobStatus::parse(s).ok_or_else(|| {
            ApiError(
                StatusCode::BAD_REQUEST,
                "invalid",
                format!(
                    "status: `{}`; expected draft, submitted, published or closed",
                    s.chars().take(20).collect::<String>()
                ),
            )
        })?),
    };
    ok(app.jobs().list(&c, status).await?)
}

async fn api_create_job(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Json(d): Json<JobDraft>,
) -> ApiResult {
    let j = app.jobs().create(&c, d).await?;
    Ok((StatusCode::CREATED, Json(j)).into_response())
}

#[derive(Deserialize)]
pub struct SuggestBody {
    title: String,
    #[serde(default)]
    description: String,
}

async fn api_suggest(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Json(b): Json<SuggestBody>,
) -> ApiResult {
    ok(app.jobs().suggest(&c, &b.title, &b.description)?)
}

async fn api_job(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(app.jobs().get(&c, id).await?)
}

async fn api_update_job(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
    Json(d): Json<JobDraft>,
) -> ApiResult {
    ok(app.jobs().update(&c, id, d).await?)
}

async fn api_submit(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(app.jobs().submit(&c, id).await?)
}

async fn api_approve(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(app.jobs().approve(&c, id, crate::today()).await?)
}

#[derive(Deserialize)]
pub struct NoteBody {
    note: String,
}

async fn api_reject(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
    Json(b): Json<NoteBody>,
) -> ApiResult {
    ok(app.jobs().reject(&c, id, &b.note).await?)
}

async fn api_close(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(app.jobs().close(&c, id).await?)
}

async fn api_interest(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(app.jobs().interest(&c, id, true).await?)
}

async fn api_withdraw(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(app.jobs().interest(&c, id, false).await?)
}

async fn api_candidates(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(app.jobs().candidates(&c, id, crate::today()).await?)
}
