//! Published demand (岗位需求发布) on the web: the postings pages (`/jobs`:
//! drafting with the extractor's suggestions, review, interest, candidates,
//! rating a candidate) and the JSON API for postings (`/api/v1/jobs…`). The services decide who may.

use crate::pages::{PageCtx, PageError, render};
use crate::talent_pages::{Gate, form_csrf, gate};
use crate::{UiLang, Who};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use cb_app::records::Job;
use cb_app::{App, AppError, Candidates, JobView, Suggestion};
use cb_competency::PlatformRole;
use cb_core::{AccessError, Lang};
use cb_postings::publish::{JobDraft, JobKind, JobStatus};
use serde::Deserialize;

pub fn page_routes() -> Router<App> {
    Router::new()
        .route("/jobs", get(list_page))
        .route("/jobs/new", get(new_page).post(new_post))
        .route("/jobs/{id}", get(job_page))
        .route("/jobs/{id}/edit", get(edit_page).post(edit_post))
        .route("/jobs/{id}/candidates", get(candidates_page))
        .route(
            "/jobs/{id}/candidates/{person}/evaluate",
            get(evaluate_page).post(evaluate_post),
        )
        .route("/jobs/{id}/{action}", post(act))
}

// ---------- pages ----------

type PageResult = Result<Response, Gate>;

fn parse_id(lang: Lang, id: &str) -> Result<i64, Gate> {
    crate::talent_pages::page_id(lang, id, "posting", "岗位")
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct ListPage {
    page: PageCtx,
    csrf: String,
    jobs: Vec<JobView>,
    hr: bool,
    moderator: bool,
    status: String,
}

impl ListPage {
    fn pct(&self, r: &Option<f64>) -> String {
        pct(r)
    }
    fn status_name(&self, s: &JobStatus) -> &'static str {
        s.name(self.page.lang == Lang::Zh)
    }
    fn kind_name(&self, k: &JobKind) -> &'static str {
        k.name(self.page.lang == Lang::Zh)
    }
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        JobStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.name(self.page.lang == Lang::Zh)))
            .collect()
    }
    /// A student's readiness column is shown when there is one to show.
    fn readiness_shown(&self) -> bool {
        self.jobs.iter().any(|v| v.my_readiness.is_some())
    }
}

/// A share as a whole percentage, or a dash.
fn pct(r: &Option<f64>) -> String {
    r.map(|x| format!("{:.0}%", x * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// `?status=` of the postings list (page and API).
#[derive(Deserialize)]
pub struct StatusQuery {
    pub(crate) status: Option<String>,
}

async fn list_page(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Query(q): Query<StatusQuery>,
) -> PageResult {
    let status = q.status.as_deref().and_then(JobStatus::parse);
    let jobs = app
        .jobs()
        .list(&who.caller, status)
        .await
        .map_err(|e| gate(lang, &uri, e))?;
    let may = app.jobs().may(&who.caller);
    let page = ListPage {
        page: PageCtx::new(
            app.places(&who.caller),
            lang,
            &uri,
            lang.pick("岗位需求", "Postings").to_string(),
        ),
        csrf: who.csrf(),
        jobs,
        hr: may.create,
        moderator: may.review,
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
    };
    Ok(render(&page))
}

/// The draft form: its values, the extractor's suggestions, the roles to choose from.
#[derive(Template)]
#[template(path = "job_form.html")]
struct FormPage {
    page: PageCtx,
    csrf: String,
    action: String,
    draft: JobDraft,
    suggestion: Option<Suggestion>,
    roles: Vec<PlatformRole>,
    /// (id, name, checked) of skills and certifications on offer.
    skills: Vec<(String, String, bool)>,
    certs: Vec<(String, String, bool)>,
    message: String,
}

impl FormPage {
    fn is_internship(&self) -> bool {
        self.draft.kind == JobKind::Internship
    }
    fn selected_role(&self, id: &str) -> bool {
        self.draft.platform_role.as_deref() == Some(id)
    }
}

fn draft_of(job: &Job) -> JobDraft {
    JobDraft {
        kind: job.kind,
        title: job.title.clone(),
        description: job.description.clone(),
        location: job.location.clone(),
        salary: job.salary.clone(),
        education: job.education.clone(),
        experience: job.experience.clone(),
        openings: job.openings,
        platform_role: job.platform_role.clone(),
        skills: job.skills.clone(),
        certifications: job.certifications.clone(),
    }
}

/// The form's fields (skills and certifications repeat).
fn draft_from(pairs: &[(String, String)]) -> (JobDraft, String, String) {
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    // a checkbox sends one id; the free field takes names or ids separated by commas, semicolons, 、 or lines
    let many = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(x, _)| x == k)
            .flat_map(|(_, v)| {
                v.split([',', '，', ';', '；', '、', '\n'])
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let d = JobDraft {
        kind: JobKind::parse(&one("kind")).unwrap_or(JobKind::Job),
        title: one("title"),
        description: one("description"),
        location: one("location"),
        salary: one("salary"),
        education: one("education"),
        experience: one("experience"),
        openings: one("openings").trim().parse().unwrap_or(0),
        platform_role: Some(one("platform_role")).filter(|r| !r.trim().is_empty()),
        skills: many("skill"),
        certifications: many("cert"),
    };
    (d, one("csrf"), one("do"))
}

#[allow(clippy::too_many_arguments)] // the form's parts, each a different piece of state
fn form_page(
    app: &App,
    who: &Who,
    lang: Lang,
    uri: &Uri,
    action: String,
    draft: JobDraft,
    suggestion: Option<Suggestion>,
    message: String,
) -> Response {
    let catalog = app.framework().catalog_snapshot(&who.caller);
    let mut skills: Vec<(String, String, bool)> = Vec::new();
    let mut certs: Vec<(String, String, bool)> = Vec::new();
    let name = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    for id in &draft.skills {
        let n = catalog
            .skill(id)
            .map_or(id.clone(), |s| name(&s.name_zh, &s.name_en));
        skills.push((id.clone(), n, true));
    }
    for id in &draft.certifications {
        let n = catalog
            .certification(id)
            .map_or(id.clone(), |s| name(&s.name_zh, &s.name_en));
        certs.push((id.clone(), n, true));
    }
    if let Some(s) = &suggestion {
        for t in &s.skills {
            if !skills.iter().any(|(id, _, _)| *id == t.id) {
                skills.push((t.id.clone(), name(&t.name_zh, &t.name_en), true));
            }
        }
        for t in &s.certifications {
            if !certs.iter().any(|(id, _, _)| *id == t.id) {
                certs.push((t.id.clone(), name(&t.name_zh, &t.name_en), true));
            }
        }
    }
    let mut draft = draft;
    if draft.platform_role.is_none() {
        draft.platform_role = suggestion
            .as_ref()
            .and_then(|s| s.platform_roles.first())
            .map(|r| r.id.clone());
    }
    let status = if message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = FormPage {
        page: PageCtx::new(
            app.places(&who.caller),
            lang,
            uri,
            lang.pick("发布岗位需求", "Post a job or internship")
                .to_string(),
        ),
        csrf: who.csrf(),
        action,
        draft,
        suggestion,
        roles: catalog.model().platform_roles.clone(),
        skills,
        certs,
        message,
    };
    (status, render(&page)).into_response()
}

async fn new_page(State(app): State<App>, who: Who, UiLang(lang): UiLang, uri: Uri) -> PageResult {
    who.caller
        .require_signed_in("draft a posting")
        .map_err(|e| gate(lang, &uri, e.into()))?;
    if !app.jobs().may(&who.caller).create {
        return Err(Gate::Page(PageError(
            lang,
            AccessError::Forbidden {
                action: "draft a posting (enterprise HR only)",
            }
            .into(),
        )));
    }
    Ok(form_page(
        &app,
        &who,
        lang,
        &uri,
        "/jobs/new".into(),
        JobDraft::default(),
        None,
        String::new(),
    ))
}

/// `do=suggest` re-renders the form with the extractor's suggestions checked;
/// `do=save` stores the draft.
async fn save_or_suggest(
    app: &App,
    who: &Who,
    lang: Lang,
    uri: &Uri,
    existing: Option<i64>,
    pairs: Vec<(String, String)>,
) -> PageResult {
    let (draft, csrf, action) = draft_from(&pairs);
    form_csrf(who, lang, uri.path(), &csrf)?;
    let path = uri.path().to_string();
    if action == "suggest" {
        let s = app
            .jobs()
            .suggest(&who.caller, &draft.title, &draft.description)
            .map_err(|e| PageError(lang, e))?;
        return Ok(form_page(
            app,
            who,
            lang,
            uri,
            path,
            draft,
            Some(s),
            String::new(),
        ));
    }
    let saved = match existing {
        None => app.jobs().create(&who.caller, draft.clone()).await,
        Some(id) => app.jobs().update(&who.caller, id, draft.clone()).await,
    };
    match saved {
        Ok(job) => Ok(Redirect::to(&format!("/jobs/{}?done=saved", job.id)).into_response()),
        Err(AppError::Invalid(m)) => Ok(form_page(app, who, lang, uri, path, draft, None, m)),
        Err(e) => Err(gate(lang, uri, e)),
    }
}

async fn new_post(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    save_or_suggest(&app, &who, lang, &uri, None, pairs).await
}

async fn edit_page(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(lang, &id)?;
    let v = app
        .jobs()
        .get(&who.caller, id)
        .await
        .map_err(|e| gate(lang, &uri, e))?;
    if !v.may.edit {
        return Err(Gate::Page(PageError(
            lang,
            AccessError::Forbidden {
                action: "edit this posting (its enterprise's HR, while it is a draft)",
            }
            .into(),
        )));
    }
    Ok(form_page(
        &app,
        &who,
        lang,
        &uri,
        format!("/jobs/{id}/edit"),
        draft_of(&v.job),
        None,
        String::new(),
    ))
}

async fn edit_post(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = parse_id(lang, &id)?;
    save_or_suggest(&app, &who, lang, &uri, Some(id), pairs).await
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    page: PageCtx,
    csrf: String,
    v: JobView,
    role_name: String,
    skills: Vec<(String, String)>,
    certs: Vec<(String, String)>,
}

impl JobPage {
    fn status_name(&self) -> &'static str {
        self.v.job.status.name(self.page.lang == Lang::Zh)
    }
    fn kind_name(&self) -> &'static str {
        self.v.job.kind.name(self.page.lang == Lang::Zh)
    }
    fn my_readiness(&self) -> String {
        pct(&self.v.my_readiness)
    }
}

async fn job_page(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(lang, &id)?;
    let v = app
        .jobs()
        .get(&who.caller, id)
        .await
        .map_err(|e| gate(lang, &uri, e))?;
    let catalog = app.framework().catalog_snapshot(&who.caller);
    let pick = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let role_name = v
        .job
        .platform_role
        .as_deref()
        .and_then(|r| catalog.platform_role(r))
        .map(|r| pick(&r.name_zh, &r.name_en))
        .unwrap_or_default();
    let skills = v
        .job
        .skills
        .iter()
        .map(|s| {
            (
                s.clone(),
                catalog
                    .skill(s)
                    .map_or(s.clone(), |x| pick(&x.name_zh, &x.name_en)),
            )
        })
        .collect();
    let certs = v
        .job
        .certifications
        .iter()
        .map(|s| {
            (
                s.clone(),
                catalog
                    .certification(s)
                    .map_or(s.clone(), |x| pick(&x.name_zh, &x.name_en)),
            )
        })
        .collect();
    let c = &who.caller;
    let page = JobPage {
        page: PageCtx::new(app.places(c), lang, &uri, v.job.title.clone()),
        csrf: who.csrf(),
        v,
        role_name,
        skills,
        certs,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct ActForm {
    csrf: String,
    note: Option<String>,
}

async fn act(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<ActForm>,
) -> PageResult {
    let id = parse_id(lang, &id)?;
    form_csrf(&who, lang, uri.path(), &f.csrf)?;
    let j = app.jobs();
    let c = &who.caller;
    let r = match action.as_str() {
        "submit" => j.submit(c, id).await.map(|_| ()),
        "approve" => j.approve(c, id, crate::today()).await.map(|_| ()),
        "reject" => j
            .reject(c, id, f.note.as_deref().unwrap_or(""))
            .await
            .map(|_| ()),
        "close" => j.close(c, id).await.map(|_| ()),
        "interest" => j.interest(c, id, true).await.map(|_| ()),
        "withdraw" => j.interest(c, id, false).await.map(|_| ()),
        _ => Err(AppError::NotFound {
            what: "action",
            what_zh: "操作",
            id: action.chars().take(20).collect(),
        }),
    };
    r.map_err(|e| gate(lang, &uri, e))?;
    // a posting sent back is the enterprise's again: the moderator returns to the queue
    Ok(Redirect::to(&match action.as_str() {
        "reject" => "/jobs?status=submitted&done=reject".to_string(),
        done => format!("/jobs/{id}?done={done}"),
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "candidates.html")]
struct CandidatesPage {
    page: PageCtx,
    csrf: String,
    c: Candidates,
    names: crate::pages::Namer,
}

impl CandidatesPage {
    fn pct(&self, r: &Option<f64>) -> String {
        pct(r)
    }
    fn missing(&self, ids: &[String]) -> String {
        let sep = self.page.pick("、", ", ");
        ids.iter()
            .map(|id| self.names.name(id))
            .collect::<Vec<_>>()
            .join(sep)
    }
}

async fn candidates_page(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(lang, &id)?;
    let c = app
        .jobs()
        .candidates(&who.caller, id, crate::today())
        .await
        .map_err(|e| gate(lang, &uri, e))?;
    let title = format!(
        "{} · {}",
        c.job.title,
        lang.pick("感兴趣的学生", "Interested students")
    );
    Ok(render(&CandidatesPage {
        page: PageCtx::new(app.places(&who.caller), lang, &uri, title),
        csrf: who.csrf(),
        c,
        names: crate::pages::Namer::new(&app, &who.caller, lang),
    }))
}

#[derive(Template)]
#[template(path = "evaluate.html")]
struct EvaluatePage {
    page: PageCtx,
    csrf: String,
    job: Job,
    person_id: i64,
    name: String,
    /// (skill id, name)
    skills: Vec<(String, String)>,
    message: String,
}

/// The rubric form: the posting's skills (or its role's core skills), 1–5 each.
async fn evaluate_form(
    app: &App,
    who: &Who,
    lang: Lang,
    uri: &Uri,
    job_id: i64,
    person_id: i64,
    message: String,
) -> PageResult {
    // only the posting's enterprise rates (the service says who; no form to fill in vain)
    let may = app
        .jobs()
        .get(&who.caller, job_id)
        .await
        .map_err(|e| gate(lang, uri, e))?
        .may;
    if !may.evaluate {
        return Err(gate(
            lang,
            uri,
            who.caller
                .refuse("evaluate a student (the posting's enterprise: mentors and HR)")
                .into(),
        ));
    }
    let (job, cand) = app
        .jobs()
        .candidate(&who.caller, job_id, person_id, crate::today())
        .await
        .map_err(|e| gate(lang, uri, e))?;
    let catalog = app.framework().catalog_snapshot(&who.caller);
    let mut ids = job.skills.clone();
    if ids.is_empty() {
        ids = job
            .platform_role
            .as_deref()
            .map(|r| {
                catalog
                    .skills_of_role(r, cb_competency::RoleRelation::Core)
                    .iter()
                    .map(|s| s.id.clone())
                    .collect()
            })
            .unwrap_or_default();
    }
    let skills = ids
        .iter()
        .map(|s| {
            (
                s.clone(),
                catalog
                    .skill(s)
                    .map_or(s.clone(), |x| lang.pick(&x.name_zh, &x.name_en).to_string()),
            )
        })
        .collect();
    let status = if message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let title = format!(
        "{} · {}",
        cand.name,
        lang.pick("企业评价", "Enterprise evaluation")
    );
    let page = EvaluatePage {
        page: PageCtx::new(app.places(&who.caller), lang, uri, title),
        csrf: who.csrf(),
        job,
        person_id,
        name: cand.name,
        skills,
        message,
    };
    Ok((status, render(&page)).into_response())
}

async fn evaluate_page(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Path((id, person)): Path<(String, String)>,
) -> PageResult {
    let (id, person) = (parse_id(lang, &id)?, parse_id(lang, &person)?);
    evaluate_form(&app, &who, lang, &uri, id, person, String::new()).await
}

async fn evaluate_post(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Path((id, person)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let (id, person) = (parse_id(lang, &id)?, parse_id(lang, &person)?);
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    form_csrf(&who, lang, uri.path(), &one("csrf"))?;
    let mut levels = Vec::new();
    for (k, v) in &pairs {
        if let Some(skill) = k.strip_prefix("level:")
            && !v.is_empty()
        {
            match v.parse::<f64>() {
                Ok(l) => levels.push((skill.to_string(), l)),
                Err(_) => {
                    return evaluate_form(
                        &app,
                        &who,
                        lang,
                        &uri,
                        id,
                        person,
                        format!("{skill}: `{v}` is not a level 1–5"),
                    )
                    .await;
                }
            }
        }
    }
    let date = match one("date").trim() {
        "" => crate::today(),
        d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => {
                return evaluate_form(
                    &app,
                    &who,
                    lang,
                    &uri,
                    id,
                    person,
                    format!("date: `{d}` is not a date YYYY-MM-DD"),
                )
                .await;
            }
        },
    };
    match app
        .talent()
        .evaluate(
            &who.caller,
            person,
            &levels,
            &one("comment"),
            date,
            crate::today(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/jobs/{id}/candidates?done=evaluate")).into_response()),
        Err(AppError::Invalid(m)) => evaluate_form(&app, &who, lang, &uri, id, person, m).await,
        Err(e) => Err(gate(lang, &uri, e)),
    }
}
