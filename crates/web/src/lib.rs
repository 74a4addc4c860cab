//! HTTP: the JSON API under `/api/v1`, the server-rendered pages in Chinese
//! and English, and `/healthz`.
//!
//! Architecture invariant: this is the only crate that knows HTTP or HTML. It
//! turns requests into service calls with a [`Caller`] and renders the answer;
//! it holds no business rule and no SQL.

mod account_pages;
mod accounts_api;
mod api;
mod auth;
mod charts;
pub mod i18n;
mod imports_web;
mod insight_web;
mod jobs_api;
mod jobs_web;
pub mod openapi;
mod pages;
pub use api::MAX_UPLOAD;
pub use pages::place_pages;
mod talent_pages;

use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use cb_app::App;
use cb_core::{Caller, Lang};
use std::future::Future;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

pub const LANG_COOKIE: &str = "cb_lang";
/// The session cookie (HttpOnly, SameSite=Lax).
pub const SESSION_COOKIE: &str = "cb_session";

/// The query-string parsers of the dashboard and the skill list, as the
/// handlers run them on `?…` (fuzzed in `fuzz/`): `Err` names what was wrong.
pub fn parse_queries(query: &str) -> Result<(), String> {
    let q: insight_web::IndicatorQuery =
        serde_urlencoded::from_str(query).map_err(|e| e.to_string())?;
    q.filter()?;
    let s: api::SkillQuery = serde_urlencoded::from_str(query).map_err(|e| e.to_string())?;
    api::skill_filter(&s)?;
    Ok(())
}

/// The largest request body outside the file uploads (forms, JSON): 1 MiB.
pub const MAX_BODY: usize = 1 << 20;

/// The whole HTTP surface.
pub fn router(app: App) -> Router {
    let timeout = |s: u64| {
        TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(s),
        )
    };
    // uploads have their own body limit and as long as an import takes; all
    // else answers within 30 s and takes at most 1 MiB
    let uploads = api::with_upload_gate(
        Router::new()
            .nest("/api/v1", api::upload_routes())
            .merge(imports_web::upload_routes()),
    )
    .layer(timeout(api::UPLOAD_TIMEOUT.as_secs()));
    let rest = Router::new()
        .merge(pages::routes())
        .merge(auth::routes())
        .merge(talent_pages::routes())
        .merge(account_pages::routes())
        .merge(imports_web::routes())
        .merge(jobs_web::page_routes())
        .merge(insight_web::page_routes())
        .nest("/api/v1", api::routes())
        .route("/healthz", axum::routing::get(api::health))
        .fallback(pages::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(timeout(30));
    rest.merge(uploads)
        .layer(middleware::from_fn_with_state(app.clone(), loading_gate))
        .with_state(app)
        .layer(middleware::from_fn(api_json_errors))
        .layer(middleware::from_fn(remember_lang))
        .layer(middleware::from_fn(secure_cookies))
        // nothing personal is kept by a browser or a proxy: every answer is
        // `no-store` unless it says otherwise (the stylesheet and script do)
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
}

/// Every error under `/api/` as JSON (see [`api::json_errors`]); pages keep
/// their own error pages.
async fn api_json_errors(req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/api/") {
        api::json_errors(req, next).await
    } else {
        next.run(req).await
    }
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    app: App,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // the node's import workers run beside the server and stop with it
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers = {
        let app = app.clone();
        tokio::spawn(async move { app.run_workers(stopped).await })
    };
    let served = axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    let _ = stop.send(true);
    let _ = workers.await;
    served
}

/// Who is asking (see [`Who`]); the services decide what each may do.
pub struct RequestCaller(pub Caller);

/// The value of cookie `name`, if the request carries it.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Who is asking, resolved once per request: a bearer token's caller (the
/// configured operator token or an API token), a signed-in browser's session
/// (with its CSRF token and cookie), or nobody.
#[derive(Clone)]
pub struct Who {
    pub caller: Caller,
    pub csrf: Option<String>,
    pub token: Option<String>,
}

impl Who {
    /// Whether a form's CSRF field matches the session's token.
    pub fn csrf_ok(&self, form: &str) -> bool {
        self.csrf
            .as_deref()
            .is_some_and(|c| cb_core::same_secret(c.as_bytes(), form.as_bytes()))
    }
    pub fn csrf(&self) -> String {
        self.csrf.clone().unwrap_or_default()
    }
}

/// The header a script calling the API with a browser session must send on
/// anything but GET: the session's CSRF token (bearer tokens need none).
pub const CSRF_HEADER: &str = "x-csrf-token";

async fn resolve(parts: &Parts, app: &App) -> Who {
    let anonymous = Who {
        caller: Caller::Anonymous,
        csrf: None,
        token: None,
    };
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(token) = bearer {
        return match app.caller_for_token(token).await {
            Ok(caller) => Who {
                caller,
                csrf: None,
                token: None,
            },
            Err(e) => {
                tracing::error!(error = %e, "token lookup");
                anonymous
            }
        };
    }
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return anonymous;
    };
    let who = match app.session(token).await {
        Ok(Some((caller, csrf))) => Who {
            caller,
            csrf: Some(csrf),
            token: Some(token.to_string()),
        },
        Ok(None) => return anonymous,
        Err(e) => {
            tracing::error!(error = %e, "session lookup");
            return anonymous;
        }
    };
    // a change through the API on the strength of a cookie needs the CSRF header
    let path = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| parts.uri.path().to_string(), |u| u.0.path().to_string());
    let safe = matches!(
        parts.method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    if path.starts_with("/api/") && !safe {
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !who.csrf_ok(sent) {
            return anonymous;
        }
    }
    who
}

impl FromRequestParts<App> for Who {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        if let Some(w) = parts.extensions.get::<Who>() {
            return Ok(w.clone());
        }
        let w = resolve(parts, app).await;
        parts.extensions.insert(w.clone());
        Ok(w)
    }
}

impl FromRequestParts<App> for RequestCaller {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Ok(RequestCaller(
            Who::from_request_parts(parts, app).await?.caller,
        ))
    }
}

/// The language to render in: `?lang=`, else the `cb_lang` cookie, else
/// `Accept-Language`, else Chinese.
pub struct UiLang(pub Lang);

fn query_lang(query: Option<&str>) -> Option<Lang> {
    let q = query?;
    serde_urlencoded::from_str::<Vec<(String, String)>>(q)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Lang::parse(&v))
}

fn cookie_lang(headers: &HeaderMap) -> Option<Lang> {
    cookie(headers, LANG_COOKIE).and_then(Lang::parse)
}

fn accept_lang(headers: &HeaderMap) -> Option<Lang> {
    let v = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    v.split(',')
        .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
        .next()
}

pub fn resolve_lang(query: Option<&str>, headers: &HeaderMap) -> Lang {
    query_lang(query)
        .or_else(|| cookie_lang(headers))
        .or_else(|| accept_lang(headers))
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for UiLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(UiLang(resolve_lang(parts.uri.query(), &parts.headers)))
    }
}

/// While a server builds its indexes after starting (`App::warm_up`), what
/// needs them answers at once that it is being prepared — a 503 with
/// `Retry-After`, as JSON for the API and as a page that reloads itself —
/// instead of keeping the visitor waiting.
async fn loading_gate(
    axum::extract::State(app): axum::extract::State<App>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let needs_indexes = path.starts_with("/insight")
        || path.starts_with("/api/v1/indicators")
        || path == "/api/v1/supply";
    if !needs_indexes || !app.loading() {
        return next.run(req).await;
    }
    let retry = [(header::RETRY_AFTER, HeaderValue::from_static("5"))];
    if path.starts_with("/api/") {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            retry,
            axum::Json(serde_json::json!({"error": {
                "code": "loading",
                "message": "the server has just started and is preparing the figures; try again in a few seconds / 服务刚启动，正在准备统计数据，请几秒后再试"
            }})),
        )
            .into_response();
    }
    let lang = resolve_lang(req.uri().query(), req.headers());
    let (title, text) = (
        lang.pick("正在准备数据", "Preparing the figures"),
        lang.pick(
            "服务刚刚启动，正在根据全部岗位和人才数据计算统计指标。本页将在几秒后自动刷新。",
            "The server has just started and is computing the figures from every posting and person on record. This page reloads itself in a few seconds.",
        ),
    );
    let html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta http-equiv=\"refresh\" content=\"5\"><title>{title}</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>",
        lang.pick("zh-CN", "en")
    );
    (
        StatusCode::SERVICE_UNAVAILABLE,
        retry,
        axum::response::Html(html),
    )
        .into_response()
}

/// When a request chooses a language with `?lang=`, remember it in a cookie.
async fn remember_lang(req: Request, next: Next) -> Response {
    let chosen = query_lang(req.uri().query());
    let mut res = next.run(req).await;
    if let Some(lang) = chosen {
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            lang.code()
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// Behind a TLS-terminating proxy (`X-Forwarded-Proto: https`), every cookie
/// is marked `Secure` so it never travels over plain HTTP. The demo on
/// http://127.0.0.1 keeps working without it.
async fn secure_cookies(req: Request, next: Next) -> Response {
    let https = req
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let mut res = next.run(req).await;
    if https {
        let all: Vec<HeaderValue> = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .cloned()
            .collect();
        res.headers_mut().remove(header::SET_COOKIE);
        for c in all {
            let marked = c
                .to_str()
                .ok()
                .filter(|s| !s.contains("; Secure"))
                .and_then(|s| HeaderValue::from_str(&format!("{s}; Secure")).ok())
                .unwrap_or(c);
            res.headers_mut().append(header::SET_COOKIE, marked);
        }
    }
    res
}

/// Today on this server's clock: what profiles and supply figures are
/// computed as of, and what a published posting is dated.
pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

pub(crate) fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.js"),
    )
}

pub(crate) fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
}
