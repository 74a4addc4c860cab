//! Sign-in (username and password) and sign-out. The sign-in form is
//! protected against login CSRF by a double-submit token (a SameSite=Strict
//! cookie that must match the form field); sign-out needs the session's own
//! CSRF token. Failures are counted and limited by the service, and audited
//! there. A user whose password was set by someone else is sent to choose
//! their own first.

use crate::pages::{PageCtx, render};
use crate::{SESSION_COOKIE, UiLang, Who, cookie};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cb_app::{App, AppError, SESSION_TTL, random_token};
use serde::Deserialize;
use std::net::SocketAddr;

const LOGIN_CSRF_COOKIE: &str = "cb_login_csrf";

pub fn routes() -> Router<App> {
    Router::new()
        .route("/signin", get(signin_form).post(signin))
        .route("/signout", post(signout))
}

/// Only same-site paths of safe characters may be returned to after signing
/// in: a `/` not followed by another `/` or `\\`, then letters, digits and
/// the URL punctuation a path and query use. Anything else (a tab or newline
/// a browser would drop, turning `/\t/host` into `//host`; a scheme; a
/// backslash) goes to the account page.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    let safe = |c: char| {
        c.is_ascii_alphanumeric()
            || "-._~/?=&%+,:;@!$*()'".contains(c)
            // a filter's Chinese value, sent on percent-encoded
            || (!c.is_ascii() && c.is_alphanumeric())
    };
    match next {
        Some(n)
            if n.len() <= 2000
                && n.starts_with('/')
                && !n[1..].starts_with(['/', '\\'])
                && n.chars().all(safe) =>
        {
            let mut out = String::with_capacity(n.len());
            for c in n.chars() {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("%{b:02X}"));
                    }
                }
            }
            out
        }
        _ => "/account".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_same_site_paths_are_returned_to() {
        for ok in ["/account", "/jobs/3?lang=en", "/a/b%20c"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        assert_eq!(
            safe_next(Some("/insight?region=江苏")),
            "/insight?region=%E6%B1%9F%E8%8B%8F"
        );
        for bad in [
            "//evil.example/x",
            "/\\evil.example",
            "/\t/evil.example/x",
            "/\n/x",
            "/%0A/x\n",
            "https://evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/ space",
        ] {
            assert_eq!(safe_next(Some(bad)), "/account", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/account");
    }

    proptest::proptest! {
        /// Whatever comes in, what goes out is a same-site path a browser
        /// reads as written.
        #[test]
        fn any_next_is_a_same_site_path(n in "\\PC{0,40}|/[\t\n\r/\\\\a-z%0-9]{0,12}") {
            let out = safe_next(Some(&n));
            proptest::prop_assert!(out.starts_with('/'));
            proptest::prop_assert!(!out[1..].starts_with(['/', '\\']));
            proptest::prop_assert!(out.chars().all(|c| c.is_ascii_graphic()));
        }
    }
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    page: PageCtx,
    csrf: String,
    next: String,
    error: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn form_page(
    lang: cb_core::Lang,
    uri: &Uri,
    next: String,
    error: String,
    status: StatusCode,
) -> Response {
    let csrf = match random_token() {
        Ok(t) => t,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let page = SignInPage {
        page: PageCtx::new(
            cb_app::Places::default(),
            lang,
            uri,
            crate::i18n::t(lang, "signin.title").to_string(),
        ),
        csrf: csrf.clone(),
        next,
        error,
    };
    let mut res = (status, render(&page)).into_response();
    let c = format!(
        "{LOGIN_CSRF_COOKIE}={csrf}; Path=/signin; HttpOnly; SameSite=Strict; Max-Age=3600"
    );
    if let Ok(v) = HeaderValue::from_str(&c) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn signin_form(UiLang(lang): UiLang, uri: Uri, Query(q): Query<NextQuery>) -> Response {
    form_page(
        lang,
        &uri,
        safe_next(q.next.as_deref()),
        String::new(),
        StatusCode::OK,
    )
}

/// The client's address, for the failure limit: the peer, or what a trusted
/// proxy says in `X-Forwarded-For` (see [`App::client_address`]).
pub struct ClientAddr(pub String);

impl axum::extract::FromRequestParts<App> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &App,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip());
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(ClientAddr(
            app.client_address(peer, &forwarded)
                .map_or_else(|| "unknown".to_string(), |a| a.to_string()),
        ))
    }
}

#[derive(Deserialize)]
pub struct SignInForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

async fn signin(
    State(app): State<App>,
    UiLang(lang): UiLang,
    uri: Uri,
    headers: HeaderMap,
    ClientAddr(client): ClientAddr,
    Form(f): Form<SignInForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let t = |k| crate::i18n::t(lang, k).to_string();
    if !cookie(&headers, LOGIN_CSRF_COOKIE)
        .is_some_and(|c| cb_core::same_secret(c.as_bytes(), f.csrf.as_bytes()))
    {
        return form_page(lang, &uri, next, t("signin.csrf"), StatusCode::FORBIDDEN);
    }
    match app.sign_in(&client, &f.username, &f.password).await {
        Ok(s) => {
            let to = if s.must_change {
                format!("/account?must_change=1&next={}", crate::pages::enc(&next))
            } else {
                next
            };
            let mut res = Redirect::to(&to).into_response();
            let c = format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
                s.token,
                SESSION_TTL.as_secs()
            );
            if let Ok(v) = HeaderValue::from_str(&c) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(AppError::TooManyAttempts { retry_after_s }) => {
            let mut res = form_page(
                lang,
                &uri,
                next,
                t("signin.too_many"),
                StatusCode::TOO_MANY_REQUESTS,
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
            res
        }
        Err(AppError::Invalid(_)) => form_page(
            lang,
            &uri,
            next,
            t("signin.wrong"),
            StatusCode::UNAUTHORIZED,
        ),
        Err(e) => {
            tracing::error!(error = %e, "sign-in");
            form_page(
                lang,
                &uri,
                next,
                t("error.server"),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

async fn signout(State(app): State<App>, who: Who, Form(f): Form<CsrfForm>) -> Response {
    match (&who.csrf, &who.token) {
        (Some(_), Some(token)) if who.csrf_ok(&f.csrf) => {
            if let Err(e) = app.sign_out(&who.caller, token).await {
                tracing::error!(error = %e, "sign-out");
            }
            let mut res = Redirect::to("/framework").into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_static("cb_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
            );
            res
        }
        (Some(_), _) => (
            StatusCode::FORBIDDEN,
            "CSRF token mismatch / 表单已失效，请刷新后重试",
        )
            .into_response(),
        _ => Redirect::to("/framework").into_response(),
    }
}
