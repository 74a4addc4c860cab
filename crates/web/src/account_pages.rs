//! Account pages: `/account` (who you are, your password, your API tokens,
//! and for a student their record and consents), `/admin/users` (accounts an
//! operator or school admin manages: create, reset a password, assign a
//! teacher's cohorts, disable), `/admin/orgs` and `/admin/audit` (operators).
//! Every form carries the session's CSRF token; the services decide who may.

use crate::pages::{PageCtx, PageError, render};
use crate::talent_pages::{Gate, form_csrf, gate};
use crate::{UiLang, Who};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cb_app::records::{ApiToken, AuditEntry, CohortSummary, Correction, Org, Person, User};
use cb_app::{App, AppError, Handover, Me, NewAccount, NewToken, OwnChange};
use cb_core::{Lang, OrgKind, UserRole};
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/account/record", post(update_record))
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/{id}/reset", post(reset_password))
        .route("/admin/users/{id}/cohorts", post(set_cohorts))
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
        .route("/account/signout-everywhere", post(sign_out_everywhere))
        .route("/admin/orgs", post(create_org))
        .route("/admin/audit", get(audit))
        .route("/account/corrections", post(request_correction))
        .route("/admin/corrections", get(corrections))
        .route("/admin/corrections/{id}", post(resolve_correction))
}

type PageResult = Result<Response, Gate>;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: PageCtx,
    csrf: String,
    me: Me,
    tokens: Vec<ApiToken>,
    person: Option<Person>,
    reads: Vec<cb_app::ProfileRead>,
    corrections: Vec<Correction>,
    sessions: i64,
    must_change: bool,
    message: String,
    new_token: Option<NewToken>,
}

impl AccountPage {
    fn correction_status(&self, status: &str) -> String {
        crate::i18n::correction_status(self.page.lang, status)
    }
    fn role_name(&self) -> &'static str {
        self.me.user.role.name(self.page.lang)
    }
    fn org_kind(&self) -> &'static str {
        self.me.org.kind.name(self.page.lang)
    }
    fn when(&self, secs: &i64) -> String {
        date(secs)
    }
    fn action_name(&self, action: &str) -> String {
        crate::i18n::audit_action(self.page.lang, action)
    }
    fn when_opt(&self, secs: &Option<i64>) -> String {
        secs.as_ref().map(date).unwrap_or_else(|| "—".into())
    }
}

fn date(secs: &i64) -> String {
    crate::i18n::local_minute(&secs.to_string())
}

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    must_change: Option<String>,
}

#[allow(clippy::too_many_arguments)] // the page's parts, each a different piece of the caller's state
async fn account_page(
    app: &App,
    who: &Who,
    lang: Lang,
    uri: &Uri,
    must_change: bool,
    message: String,
    new_token: Option<NewToken>,
    status: StatusCode,
) -> PageResult {
    let c = &who.caller;
    let me = app.accounts().me(c).await.map_err(|e| gate(lang, uri, e))?;
    // with a temporary password the page offers its change and nothing else
    let provisional = matches!(c, cb_core::Caller::Provisional { .. });
    let tokens = if provisional {
        Vec::new()
    } else {
        app.accounts()
            .tokens(c)
            .await
            .map_err(|e| PageError(lang, e))?
    };
    let (person, reads, corrections) = match me.user.person_id.filter(|_| !provisional) {
        Some(pid) => {
            let profile = app
                .talent()
                .profile(c, pid, chrono::Local::now().date_naive())
                .await
                .map_err(|e| PageError(lang, e))?;
            let reads = app
                .talent()
                .reads_of(c, pid)
                .await
                .map_err(|e| PageError(lang, e))?;
            (
                Some(profile.person),
                reads,
                app.talent()
                    .corrections(c)
                    .await
                    .map_err(|e| PageError(lang, e))?,
            )
        }
        None => (None, Vec::new(), Vec::new()),
    };
    let title = lang.pick("我的账号", "My account").to_string();
    let sessions = if provisional {
        1
    } else {
        app.accounts()
            .session_count(c)
            .await
            .map_err(|e| PageError(lang, e))?
    };
    let page = AccountPage {
        page: PageCtx::new(app.places(c), lang, uri, title),
        csrf: who.csrf(),
        me,
        tokens,
        person,
        reads,
        corrections,
        sessions,
        must_change: must_change || provisional,
        message,
        new_token,
    };
    Ok((status, render(&page)).into_response())
}

async fn account(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Query(q): Query<AccountQuery>,
) -> PageResult {
    account_page(
        &app,
        &who,
        lang,
        &uri,
        q.must_change.is_some(),
        String::new(),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    repeat: String,
}

async fn change_password(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    form_csrf(&who, lang, "/account", &f.csrf)?;
    let result = if f.new != f.repeat {
        Err(AppError::Invalid(
            lang.pick("两次输入的新密码不一致", "the new passwords differ")
                .into(),
        ))
    } else {
        app.accounts()
            .change_password(&who.caller, &f.current, &f.new)
            .await
    };
    match result {
        // the change ended every session, this one included: sign in again
        Ok(()) => Ok(Redirect::to("/signin?next=/account").into_response()),
        Err(AppError::Invalid(m)) => {
            account_page(
                &app,
                &who,
                lang,
                &uri,
                false,
                m,
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(Gate::Page(PageError(lang, e))),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
    name: String,
    scope: String,
}

async fn create_token(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Form(f): Form<TokenForm>,
) -> PageResult {
    form_csrf(&who, lang, "/account", &f.csrf)?;
    match app
        .accounts()
        .create_token(&who.caller, &f.name, &f.scope)
        .await
    {
        Ok(t) => {
            account_page(
                &app,
                &who,
                lang,
                &uri,
                false,
                String::new(),
                Some(t),
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Invalid(m)) => {
            account_page(
                &app,
                &who,
                lang,
                &uri,
                false,
                m,
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(Gate::Page(PageError(lang, e))),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

async fn revoke_token(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    form_csrf(&who, lang, "/account", &f.csrf)?;
    app.accounts()
        .revoke_token(&who.caller, id)
        .await
        .map_err(|e| PageError(lang, e))?;
    Ok(Redirect::to("/account?done=token_revoked#tokens").into_response())
}

#[derive(Deserialize)]
pub struct RecordForm {
    csrf: String,
    name: String,
    region: String,
    consent_enterprise: Option<String>,
    consent_analytics: Option<String>,
}

async fn update_record(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Form(f): Form<RecordForm>,
) -> PageResult {
    form_csrf(&who, lang, "/account", &f.csrf)?;
    let change = OwnChange {
        name: Some(f.name),
        region: Some(f.region),
        consent_enterprise: Some(f.consent_enterprise.is_some()),
        consent_analytics: Some(f.consent_analytics.is_some()),
    };
    match app.talent().update_own(&who.caller, &change).await {
        Ok(_) => Ok(Redirect::to("/account?done=record#record").into_response()),
        Err(AppError::Invalid(m)) => {
            account_page(
                &app,
                &who,
                lang,
                &uri,
                false,
                m,
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(Gate::Page(PageError(lang, e))),
    }
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    page: PageCtx,
    csrf: String,
    users: Vec<User>,
    orgs: Vec<Org>,
    cohorts: Vec<CohortSummary>,
    assigned: Vec<(i64, Vec<i64>)>,
    handover: Option<Handover>,
    message: String,
    operator: bool,
    /// The roles the caller may give (`AccountService::assignable_roles`).
    assignable: Vec<UserRole>,
    /// The talent pool's schools (for a school organisation).
    schools: Vec<cb_app::records::School>,
}

impl UsersPage {
    fn role_name(&self, r: &UserRole) -> &'static str {
        r.name(self.page.lang)
    }
    fn org_name(&self, id: &i64) -> String {
        self.orgs
            .iter()
            .find(|o| o.id == *id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    }
    fn kind_name(&self, k: &OrgKind) -> &'static str {
        k.name(self.page.lang)
    }
    fn roles(&self) -> Vec<(&'static str, &'static str)> {
        self.assignable
            .iter()
            .map(|r| (r.as_str(), r.name(self.page.lang)))
            .collect()
    }
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        OrgKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.name(self.page.lang)))
            .collect()
    }
    fn teaches(&self, user: &i64, cohort: &i64) -> bool {
        self.assigned
            .iter()
            .any(|(u, cs)| u == user && cs.contains(cohort))
    }
}

async fn users_page(
    app: &App,
    who: &Who,
    lang: Lang,
    uri: &Uri,
    handover: Option<Handover>,
    message: String,
    status: StatusCode,
) -> PageResult {
    let c = &who.caller;
    let users = app
        .accounts()
        .users(c)
        .await
        .map_err(|e| gate(lang, uri, e))?;
    let orgs = app
        .accounts()
        .orgs(c)
        .await
        .map_err(|e| PageError(lang, e))?;
    let cohorts = app.talent().cohorts(c).await.unwrap_or_default();
    let mut assigned = Vec::new();
    for u in users.iter().filter(|u| u.role == UserRole::Teacher) {
        assigned.push((
            u.id,
            app.accounts()
                .teacher_cohorts(c, u.id)
                .await
                .map_err(|e| PageError(lang, e))?,
        ));
    }
    let title = lang.pick("账号管理", "Accounts").to_string();
    let places = app.places(c);
    let schools = if places.orgs {
        app.talent()
            .schools(c)
            .await
            .map_err(|e| PageError(lang, e))?
    } else {
        Vec::new()
    };
    let page = UsersPage {
        page: PageCtx::new(app.places(c), lang, uri, title),
        csrf: who.csrf(),
        users,
        orgs,
        cohorts,
        assigned,
        handover,
        message,
        operator: places.orgs,
        assignable: app.accounts().assignable_roles(c),
        schools,
    };
    Ok((status, render(&page)).into_response())
}

async fn users(State(app): State<App>, who: Who, UiLang(lang): UiLang, uri: Uri) -> PageResult {
    users_page(&app, &who, lang, &uri, None, String::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct UserForm {
    csrf: String,
    org_id: i64,
    role: String,
    username: String,
    display_name: String,
    person_id: Option<String>,
    student_number: Option<String>,
}

async fn create_user(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Form(f): Form<UserForm>,
) -> PageResult {
    form_csrf(&who, lang, "/account", &f.csrf)?;
    let Some(role) = UserRole::parse(&f.role) else {
        return users_page(
            &app,
            &who,
            lang,
            &uri,
            None,
            format!(
                "role: `{}` is not a role",
                f.role.chars().take(30).collect::<String>()
            ),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let person_id = match f
        .person_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match s.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                return users_page(
                    &app,
                    &who,
                    lang,
                    &uri,
                    None,
                    "person_id: expected a number / 人员编号须为数字".into(),
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
        },
    };
    let student_number = f.student_number.filter(|s| !s.trim().is_empty());
    let a = NewAccount {
        org_id: f.org_id,
        role,
        username: f.username,
        display_name: f.display_name,
        person_id,
        student_number,
    };
    match app.accounts().create_user(&who.caller, a).await {
        Ok(h) => {
            users_page(
                &app,
                &who,
                lang,
                &uri,
                Some(h),
                String::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Invalid(m)) => {
            users_page(&app, &who, lang, &uri, None, m, StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(Gate::Page(PageError(lang, e))),
    }
}

async fn reset_password(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    form_csrf(&who, lang, "/account", &f.csrf)?;
    let h = app
        .accounts()
        .reset_password(&who.caller, id)
        .await
        .map_err(|e| PageError(lang, e))?;
    users_page(
        &app,
        &who,
        lang,
        &uri,
        Some(h),
        String::new(),
        StatusCode::OK,
    )
    .await
}

async fn disable(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    form_csrf(&who, lang, "/account", &f.csrf)?;
    app.accounts()
        .set_disabled(&who.caller, id, true)
        .await
        .map_err(|e| PageError(lang, e))?;
    Ok(Redirect::to("/admin/users?done=disabled").into_response())
}

async fn enable(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    form_csrf(&who, lang, "/admin/users", &f.csrf)?;
    app.accounts()
        .set_disabled(&who.caller, id, false)
        .await
        .map_err(|e| PageError(lang, e))?;
    Ok(Redirect::to("/admin/users?done=enabled").into_response())
}

async fn sign_out_everywhere(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    form_csrf(&who, lang, "/account", &f.csrf)?;
    app.accounts()
        .sign_out_everywhere(&who.caller)
        .await
        .map_err(|e| PageError(lang, e))?;
    let mut res = Redirect::to("/signin?next=/account").into_response();
    res.headers_mut().append(
        axum::http::header::SET_COOKIE,
        axum::http::HeaderValue::from_static(
            "cb_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
        ),
    );
    Ok(res)
}

async fn set_cohorts(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    form_csrf(&who, lang, "/account", csrf)?;
    let mut cohorts = Vec::new();
    for (k, v) in &pairs {
        if k == "cohort" {
            cohorts.push(v.parse::<i64>().map_err(|_| {
                PageError(
                    lang,
                    AppError::Invalid("cohort: expected a number / 班级编号须为数字".into()),
                )
            })?);
        }
    }
    app.accounts()
        .set_teacher_cohorts(&who.caller, id, &cohorts)
        .await
        .map_err(|e| PageError(lang, e))?;
    Ok(Redirect::to("/admin/users?done=cohorts").into_response())
}

#[derive(Deserialize)]
pub struct OrgForm {
    csrf: String,
    kind: String,
    name: String,
    region: String,
    school_id: Option<String>,
}

async fn create_org(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Form(f): Form<OrgForm>,
) -> PageResult {
    form_csrf(&who, lang, "/account", &f.csrf)?;
    let Some(kind) = OrgKind::parse(&f.kind) else {
        return users_page(
            &app,
            &who,
            lang,
            &uri,
            None,
            "kind: not a kind of organisation".into(),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let school_id = f
        .school_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse().ok());
    match app
        .accounts()
        .create_org(&who.caller, kind, &f.name, &f.region, school_id)
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/users?done=org").into_response()),
        Err(AppError::Invalid(m)) => {
            users_page(&app, &who, lang, &uri, None, m, StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(Gate::Page(PageError(lang, e))),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: PageCtx,
    csrf: String,
    entries: Vec<AuditEntry>,
    action: String,
    actor: String,
    /// `user:8` → "王老师 (teacher1)"
    users: std::collections::HashMap<String, String>,
    /// What the details refer to: `person 48` → 王伟
    names: std::collections::HashMap<String, String>,
}

impl AuditPage {
    fn when(&self, secs: &i64) -> String {
        date(secs)
    }
    fn action_name(&self, action: &str) -> String {
        crate::i18n::audit_action(self.page.lang, action)
    }
    fn detail(&self, e: &AuditEntry) -> String {
        crate::i18n::audit_detail(self.page.lang, &e.action, &e.detail, &self.names)
    }
    fn actor_name(&self, actor: &str) -> String {
        if let Some(name) = self.users.get(actor) {
            return name.clone();
        }
        match actor.split_once(':') {
            Some(("system", what)) => format!("{} ({what})", self.page.pick("系统", "System")),
            Some(("anonymous", _)) | None if actor == "anonymous" => self
                .page
                .pick("未登录访问者", "Anonymous visitor")
                .to_string(),
            _ => actor.to_string(),
        }
    }
    fn actions(&self) -> Vec<(&'static str, String)> {
        crate::i18n::audit_actions(self.page.lang)
    }
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
}

async fn audit(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let accounts = app
        .accounts()
        .users(&who.caller)
        .await
        .map_err(|e| gate(lang, &uri, e))?;
    // the actor filter takes a user name (or `user:8`, `system:demo` as stored)
    let actor = q.actor.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let actor_key = actor.map(|a| {
        accounts
            .iter()
            .find(|u| u.username == a)
            .map_or_else(|| a.to_string(), |u| format!("user:{}", u.id))
    });
    let entries = app
        .accounts()
        .audit_log(&who.caller, q.action.as_deref(), actor_key.as_deref(), 500)
        .await
        .map_err(|e| gate(lang, &uri, e))?;
    let names = app
        .accounts()
        .audit_names(&who.caller, &entries)
        .await
        .map_err(|e| gate(lang, &uri, e))?;
    let title = lang.pick("审计日志", "Audit log").to_string();
    let users = accounts
        .iter()
        .map(|u| {
            (
                format!("user:{}", u.id),
                format!("{} ({})", u.display_name, u.username),
            )
        })
        .collect();
    Ok(render(&AuditPage {
        page: PageCtx::new(app.places(&who.caller), lang, &uri, title),
        csrf: who.csrf(),
        entries,
        action: q.action.unwrap_or_default(),
        actor: actor.unwrap_or_default().to_string(),
        users,
        names,
    }))
}

#[derive(Deserialize)]
pub struct CorrectionForm {
    csrf: String,
    evidence_id: Option<String>,
    note: String,
}

async fn request_correction(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Form(f): Form<CorrectionForm>,
) -> PageResult {
    form_csrf(&who, lang, "/account", &f.csrf)?;
    let evidence_id = match f
        .evidence_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => Some(s.parse::<i64>().map_err(|_| {
            PageError(
                lang,
                AppError::Invalid("evidence_id: expected a number / 证据编号须为数字".into()),
            )
        })?),
    };
    match app
        .talent()
        .request_correction(&who.caller, evidence_id, &f.note)
        .await
    {
        Ok(_) => Ok(Redirect::to("/account?done=correction#corrections").into_response()),
        Err(AppError::Invalid(m)) => {
            account_page(
                &app,
                &who,
                lang,
                &uri,
                false,
                m,
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(gate(lang, &uri, e)),
    }
}

#[derive(Template)]
#[template(path = "corrections.html")]
struct CorrectionsPage {
    page: PageCtx,
    csrf: String,
    corrections: Vec<(Correction, String)>,
}

impl CorrectionsPage {
    fn correction_status(&self, status: &str) -> String {
        crate::i18n::correction_status(self.page.lang, status)
    }
}

async fn corrections(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
) -> PageResult {
    let c = &who.caller;
    if let Some(to) = app.places(c).corrections_instead {
        return Ok(Redirect::to(to).into_response());
    }
    let rows = app
        .talent()
        .corrections_named(c)
        .await
        .map_err(|e| gate(lang, &uri, e))?;
    let title = lang.pick("更正申请", "Corrections").to_string();
    Ok(render(&CorrectionsPage {
        page: PageCtx::new(app.places(c), lang, &uri, title),
        csrf: who.csrf(),
        corrections: rows,
    }))
}

#[derive(Deserialize)]
pub struct ResolveForm {
    csrf: String,
    accept: String,
    response: String,
}

async fn resolve_correction(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<ResolveForm>,
) -> PageResult {
    form_csrf(&who, lang, "/admin/corrections", &f.csrf)?;
    app.talent()
        .resolve_correction(&who.caller, id, f.accept == "1", &f.response)
        .await
        .map_err(|e| gate(lang, &uri, e))?;
    Ok(Redirect::to("/admin/corrections?done=resolved").into_response())
}
