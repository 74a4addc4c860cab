//! The JSON API for accounts and people's own data: `/me`, `/me/record`,
//! `/tokens`, `/users`, `/orgs`, `/audit`, a person's readers and enterprise
//! evaluations, and students' corrections. The services decide who may.

use crate::RequestCaller;
use crate::api::{ApiResult, ok};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use cb_app::{App, NewAccount, OwnChange};
use cb_core::OrgKind;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/me", get(api_me))
        .route("/me/record", post(api_record))
        .route("/tokens", get(api_tokens).post(api_create_token))
        .route("/tokens/{id}", delete(api_revoke_token))
        .route("/users", get(api_users).post(api_create_user))
        .route("/users/{id}/password", post(api_reset_password))
        .route("/users/{id}/cohorts", post(api_set_cohorts))
        .route("/orgs", get(api_orgs).post(api_create_org))
        .route("/audit", get(api_audit))
        .route("/people/{id}/reads", get(api_reads))
        .route("/people/{id}/evaluations", post(api_evaluate))
        .route(
            "/corrections",
            get(api_corrections).post(api_request_correction),
        )
        .route("/corrections/{id}/resolve", post(api_resolve_correction))
}

async fn api_me(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.accounts().me(&c).await?)
}

async fn api_record(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Json(change): Json<OwnChange>,
) -> ApiResult {
    ok(app.talent().update_own(&c, &change).await?)
}

async fn api_tokens(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.accounts().tokens(&c).await?)
}

#[derive(Deserialize)]
pub struct TokenBody {
    name: String,
    scope: String,
}

async fn api_create_token(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Json(b): Json<TokenBody>,
) -> ApiResult {
    let t = app.accounts().create_token(&c, &b.name, &b.scope).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

async fn api_revoke_token(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
) -> ApiResult {
    app.accounts().revoke_token(&c, id).await?;
    ok(json!({"revoked": id}))
}

async fn api_users(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.accounts().users(&c).await?)
}

async fn api_create_user(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Json(a): Json<NewAccount>,
) -> ApiResult {
    let h = app.accounts().create_user(&c, a).await?;
    Ok((StatusCode::CREATED, Json(h)).into_response())
}

async fn api_reset_password(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(app.accounts().reset_password(&c, id).await?)
}

#[derive(Deserialize)]
pub struct CohortsBody {
    cohorts: Vec<i64>,
}

async fn api_set_cohorts(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
    Json(b): Json<CohortsBody>,
) -> ApiResult {
    app.accounts()
        .set_teacher_cohorts(&c, id, &b.cohorts)
        .await?;
    ok(json!({"user_id": id, "cohorts": b.cohorts}))
}

async fn api_orgs(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.accounts().orgs(&c).await?)
}

#[derive(Deserialize)]
pub struct OrgBody {
    kind: OrgKind,
    name: String,
    #[serde(default)]
    region: String,
    school_id: Option<i64>,
}

async fn api_create_org(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Json(b): Json<OrgBody>,
) -> ApiResult {
    let id = app
        .accounts()
        .create_org(&c, b.kind, &b.name, &b.region, b.school_id)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))).into_response())
}

#[derive(Deserialize)]
pub struct AuditQuery {
    limit: Option<i64>,
    action: Option<String>,
    actor: Option<String>,
}

async fn api_audit(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Query(q): Query<AuditQuery>,
) -> ApiResult {
    ok(app
        .accounts()
        .audit_log(
            &c,
            q.action.as_deref(),
            q.actor.as_deref(),
            q.limit.unwrap_or(200),
        )
        .await?)
}

async fn api_reads(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(app.talent().reads_of(&c, id).await?)
}

#[derive(Deserialize)]
pub struct EvaluationBody {
    /// skill id → level 1–5
    levels: std::collections::BTreeMap<String, f64>,
    #[serde(default)]
    comment: String,
    date: Option<chrono::NaiveDate>,
}

async fn api_evaluate(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
    Json(b): Json<EvaluationBody>,
) -> ApiResult {
    let levels: Vec<(String, f64)> = b.levels.into_iter().collect();
    let evidence_id = app
        .talent()
        .evaluate(
            &c,
            id,
            &levels,
            &b.comment,
            b.date.unwrap_or_else(crate::today),
            crate::today(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"evidence_id": evidence_id})),
    )
        .into_response())
}

async fn api_corrections(State(app): State<App>, RequestCaller(c): RequestCaller) -> ApiResult {
    ok(app.talent().corrections(&c).await?)
}

#[derive(Deserialize)]
pub struct CorrectionBody {
    evidence_id: Option<i64>,
    note: String,
}

async fn api_request_correction(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Json(b): Json<CorrectionBody>,
) -> ApiResult {
    let x = app
        .talent()
        .request_correction(&c, b.evidence_id, &b.note)
        .await?;
    Ok((StatusCode::CREATED, Json(x)).into_response())
}

#[derive(Deserialize)]
pub struct ResolveBody {
    accept: bool,
    #[serde(default)]
    response: String,
}

async fn api_resolve_correction(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Path(id): Path<i64>,
    Json(b): Json<ResolveBody>,
) -> ApiResult {
    ok(app
        .talent()
        .resolve_correction(&c, id, b.accept, &b.response)
        .await?)
}
