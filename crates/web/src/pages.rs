//! Server-rendered pages (askama templates, escaped by default).

use crate::api::{SkillQuery, skill_filter};
use crate::i18n;
use crate::{RequestCaller, UiLang};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use cb_app::*;
use cb_competency::{Certification, SearchHit, SkillKind};
use cb_core::Lang;
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/insight") }))
        .route("/static/app.css", get(|| async { crate::css() }))
        .route("/static/app.js", get(|| async { crate::js() }))
        .route("/framework", get(overview))
        .route("/framework/work-roles/{id}", get(work_role))
        .route("/framework/roles/{id}", get(platform_role))
        .route("/framework/skills", get(skills))
        .route("/framework/skills/{id}", get(skill))
        .route("/framework/certifications", get(certifications))
        .route("/framework/external/{id}", get(external))
        .route("/framework/search", get(search))
}

/// Catalog ids in the page's language: a person never reads `burp-suite`.
pub(crate) struct Namer {
    catalog: std::sync::Arc<cb_competency::Catalog>,
    lang: Lang,
}

impl Namer {
    pub(crate) fn new(app: &App, caller: &cb_core::Caller, lang: Lang) -> Self {
        Namer {
            catalog: app.framework().catalog_snapshot(caller),
            lang,
        }
    }
    /// The name of `id`, or `id` itself when the catalog does not know it
    /// (a role removed from the model since the posting was classified).
    pub(crate) fn name(&self, id: &str) -> String {
        self.catalog
            .names_of(id)
            .map_or(id, |(zh, en)| self.lang.pick(zh, en))
            .to_string()
    }
}

/// The page each of a caller's places opens, with whether it is offered:
/// the one table of place → path, so the navigation's tests and walks agree.
pub fn place_pages(p: &cb_app::Places) -> [(&'static str, bool); 7] {
    [
        ("/account", p.account),
        ("/talent", p.talent),
        ("/jobs/new", p.new_posting),
        ("/admin/users", p.users),
        ("/admin/corrections", p.corrections),
        ("/admin/audit", p.audit),
        ("/imports", p.imports),
    ]
}

/// What every page needs: the language, its title, and the link to the same
/// page in the other language.
pub struct PageCtx {
    /// What the caller may open: the navigation shows exactly these.
    pub places: cb_app::Places,
    pub lang: Lang,
    pub title: String,
    pub switch_url: String,
    pub q: String,
    /// The confirmation of the action that led here (`?done=submit`), in the
    /// page's language; empty when none.
    pub done: &'static str,
}

impl PageCtx {
    pub(crate) fn new(places: cb_app::Places, lang: Lang, uri: &Uri, title: String) -> Self {
        let mut pairs: Vec<(String, String)> = uri
            .query()
            .and_then(|q| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default();
        let q = pairs
            .iter()
            .find(|(k, _)| k == "q")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let done = pairs
            .iter()
            .find(|(k, _)| k == "done")
            .map_or("", |(_, v)| i18n::done(lang, v));
        pairs.retain(|(k, _)| k != "lang" && k != "done");
        pairs.push(("lang".into(), lang.other().code().into()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        PageCtx {
            places,
            lang,
            title,
            switch_url: format!("{}?{}", uri.path(), query),
            q,
            done,
        }
    }
    pub fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(zh, en)
    }
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
    pub fn kind_name(&self, kind: &SkillKind) -> &'static str {
        kind.name(self.lang)
    }
    pub fn hit_kind(&self, hit: &SearchHit) -> &'static str {
        self.t(&format!("kind.{}", hit.kind.as_str()))
    }
    /// Where a search hit's page is.
    pub fn hit_url(&self, hit: &SearchHit) -> String {
        use cb_competency::SearchHitKind::*;
        let id = enc(&hit.id);
        match hit.kind {
            PlatformRole => format!("/framework/roles/{id}"),
            Skill => format!("/framework/skills/{id}"),
            Certification => format!("/framework/certifications#{id}"),
            WorkRole => format!("/framework/work-roles/{id}"),
            Category => format!("/framework#cat-{id}"),
            CompetencyArea => "/framework#areas".to_string(),
            ExternalRole => {
                let (fw, role) = hit.id.split_once('/').unwrap_or((&hit.id, ""));
                format!("/framework/external/{}#r-{}", enc(fw), enc(role))
            }
            Statement => format!("/framework/search?q={id}"),
        }
    }
}

pub(crate) fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|v| v.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// A page that failed: rendered as a bilingual error page.
pub struct PageError(pub(crate) Lang, pub(crate) AppError);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, key) = match &self.1 {
            AppError::NotFound { .. } => (StatusCode::NOT_FOUND, "error.not_found"),
            AppError::Access(cb_core::AccessError::Unauthenticated { .. }) => {
                (StatusCode::UNAUTHORIZED, "error.forbidden")
            }
            AppError::Access(_) => (StatusCode::FORBIDDEN, "error.forbidden"),
            AppError::Invalid(_) => (StatusCode::BAD_REQUEST, "error.bad_request"),
            AppError::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, "signin.too_many"),
            AppError::Conflict(_) | AppError::InProgress => {
                (StatusCode::CONFLICT, "error.bad_request")
            }
            AppError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, "error.busy"),
            AppError::Store(s) if s.is_busy() => (StatusCode::SERVICE_UNAVAILABLE, "error.busy"),
            _ => {
                tracing::error!(error = %self.1, "page error");
                (StatusCode::INTERNAL_SERVER_ERROR, "error.server")
            }
        };
        let detail = match &self.1 {
            AppError::NotFound { .. }
            | AppError::Access(_)
            | AppError::Invalid(_)
            | AppError::Conflict(_)
            | AppError::InProgress
            | AppError::Busy { .. }
            | AppError::TooManyAttempts { .. } => in_language(self.0, &self.1.to_string()),
            _ => String::new(),
        };
        error_page(self.0, status, key, detail)
    }
}

/// A service's message in the page's language: messages are written
/// "English / 中文"; the page shows its language's half.
pub(crate) fn in_language(lang: Lang, message: &str) -> String {
    let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let split = message
        .match_indices(" / ")
        .map(|(i, _)| (&message[..i], &message[i + 3..]))
        .find(|(en, zh)| cjk(zh) && !cjk(en));
    match (split, lang) {
        (Some((en, _)), Lang::En) => en.to_string(),
        // the Chinese half keeps the value the English half quotes
        (Some((en, zh)), Lang::Zh) => match en.split('`').nth(1) {
            Some(v) if !zh.contains(v) => format!("{zh}：`{v}`"),
            _ => zh.to_string(),
        },
        // a message written in one language only still names the bad value
        (None, _) => message.to_string(),
    }
}

fn error_page(lang: Lang, status: StatusCode, key: &str, detail: String) -> Response {
    let page = ErrorPage {
        page: PageCtx {
            places: cb_app::Places::default(),
            lang,
            title: i18n::t(lang, key).to_string(),
            switch_url: format!("/framework?lang={}", lang.other().code()),
            q: String::new(),
            done: "",
        },
        message: i18n::t(lang, key).to_string(),
        detail,
    };
    (status, render(&page)).into_response()
}

pub async fn not_found(UiLang(lang): UiLang, uri: Uri) -> Response {
    error_page(
        lang,
        StatusCode::NOT_FOUND,
        "error.not_found",
        uri.path().to_string(),
    )
}

pub(crate) fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template error");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

pub(crate) type PageResult = Result<Response, PageError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: PageCtx,
    message: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    page: PageCtx,
    o: Overview,
    roles: Vec<cb_competency::PlatformRole>,
    external: Vec<ExternalSummary>,
    areas: Vec<cb_competency::CompetencyArea>,
}

async fn overview(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    uri: Uri,
) -> PageResult {
    let fw = app.framework();
    let page = PageCtx::new(
        app.places(&c),
        lang,
        &uri,
        i18n::t(lang, "fw.title").to_string(),
    );
    let o = fw.overview(&c);
    let areas = fw.competency_areas(&c);
    Ok(render(&OverviewPage {
        page,
        roles: fw.platform_roles(&c),
        external: fw.external_frameworks(&c),
        areas,
        o,
    }))
}

#[derive(Template)]
#[template(path = "work_role.html")]
struct WorkRolePage {
    page: PageCtx,
    v: WorkRoleView,
}

async fn work_role(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<String>,
) -> PageResult {
    let v = app
        .framework()
        .work_role(&c, &id)
        .map_err(|e| PageError(lang, e))?;
    let page = PageCtx::new(
        app.places(&c),
        lang,
        &uri,
        lang.pick(&v.role.title_zh, &v.role.title).to_string(),
    );
    Ok(render(&WorkRolePage { page, v }))
}

#[derive(Template)]
#[template(path = "platform_role.html")]
struct PlatformRolePage {
    page: PageCtx,
    v: PlatformRoleView,
}

async fn platform_role(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<String>,
) -> PageResult {
    let v = app
        .framework()
        .platform_role(&c, &id)
        .map_err(|e| PageError(lang, e))?;
    let page = PageCtx::new(
        app.places(&c),
        lang,
        &uri,
        lang.pick(&v.role.name_zh, &v.role.name_en).to_string(),
    );
    Ok(render(&PlatformRolePage { page, v }))
}

#[derive(Template)]
#[template(path = "skills.html")]
struct SkillsPage {
    page: PageCtx,
    skills: Vec<SkillSummary>,
    domains: Vec<Ref>,
    kinds: Vec<SkillKind>,
    domain: String,
    kind: String,
}

impl SkillsPage {
    fn domain_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.domains
            .iter()
            .find(|d| d.id == id)
            .map_or(id, |d| self.page.pick(&d.name_zh, &d.name_en))
    }
}

async fn skills(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    uri: Uri,
    Query(q): Query<SkillQuery>,
) -> PageResult {
    let filter = skill_filter(&q).map_err(|m| PageError(lang, AppError::Invalid(m)))?;
    let fw = app.framework();
    let page = PageCtx::new(
        app.places(&c),
        lang,
        &uri,
        i18n::t(lang, "nav.skills").to_string(),
    );
    Ok(render(&SkillsPage {
        page,
        skills: fw.skills(&c, &filter),
        domains: fw.skill_domains(&c),
        kinds: SkillKind::ALL.to_vec(),
        domain: filter.domain.unwrap_or_default(),
        kind: filter
            .kind
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
    }))
}

#[derive(Template)]
#[template(path = "skill.html")]
struct SkillPage {
    page: PageCtx,
    v: SkillView,
}

async fn skill(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<String>,
) -> PageResult {
    let v = app
        .framework()
        .skill(&c, &id)
        .map_err(|e| PageError(lang, e))?;
    let page = PageCtx::new(
        app.places(&c),
        lang,
        &uri,
        lang.pick(&v.skill.name_zh, &v.skill.name_en).to_string(),
    );
    Ok(render(&SkillPage { page, v }))
}

#[derive(Template)]
#[template(path = "certifications.html")]
struct CertificationsPage {
    page: PageCtx,
    certs: Vec<(Certification, Vec<Ref>)>,
}

async fn certifications(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    uri: Uri,
) -> PageResult {
    let fw = app.framework();
    let mut certs = Vec::new();
    for cert in fw.certifications(&c) {
        let v = fw
            .certification(&c, &cert.id)
            .map_err(|e| PageError(lang, e))?;
        certs.push((v.certification, v.roles));
    }
    let page = PageCtx::new(
        app.places(&c),
        lang,
        &uri,
        i18n::t(lang, "nav.certifications").to_string(),
    );
    Ok(render(&CertificationsPage { page, certs }))
}

#[derive(Template)]
#[template(path = "external.html")]
struct ExternalPage {
    page: PageCtx,
    v: ExternalView,
}

async fn external(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<String>,
) -> PageResult {
    let v = app
        .framework()
        .external_framework(&c, &id)
        .map_err(|e| PageError(lang, e))?;
    let page = PageCtx::new(app.places(&c), lang, &uri, v.summary.name.clone());
    Ok(render(&ExternalPage { page, v }))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    page: PageCtx,
    hits: Vec<SearchHit>,
}

async fn search(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    uri: Uri,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let query: String = q.q.unwrap_or_default().chars().take(200).collect();
    let hits = app.framework().search(&c, &query, 60);
    let mut page = PageCtx::new(
        app.places(&c),
        lang,
        &uri,
        i18n::t(lang, "search.title").to_string(),
    );
    page.q = query;
    Ok(render(&SearchPage { page, hits }))
}
