//! Talent pages: the talent pool's cohorts and people, a person's profile
//! (radar of competency areas, readiness per role, what to learn next, every
//! number with its evidence) and a cohort's people × skills heat map. Personal
//! data: the services decide who may see it (see `TalentService::may_read`).

use crate::pages::{PageCtx, PageError, enc, render};
use crate::{UiLang, Who};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use cb_app::records::{CohortSummary, Person};
use cb_app::{App, AppError, CohortHeatmap, PersonProfile, TalentSummary};
use cb_core::{AccessError, Lang};
use cb_talent::profile::Status;
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/talent", get(index))
        .route("/talent/people/{id}", get(person))
        .route("/talent/cohorts/{id}", get(cohort))
}

/// A talent page that could not be shown: nobody signed in goes to the
/// sign-in page (and back here after), anything else is an error page.
pub enum Gate {
    SignIn(String),
    Page(PageError),
}

impl From<PageError> for Gate {
    fn from(e: PageError) -> Self {
        Gate::Page(e)
    }
}

impl IntoResponse for Gate {
    fn into_response(self) -> axum::response::Response {
        match self {
            Gate::SignIn(next) => {
                Redirect::to(&format!("/signin?next={}", enc(&next))).into_response()
            }
            Gate::Page(e) => e.into_response(),
        }
    }
}

type GateResult = Result<axum::response::Response, Gate>;

/// A form post's CSRF check: nobody signed in goes to sign in (and back to
/// `back`); a field that does not match the session's token is refused (403).
pub(crate) fn form_csrf(who: &Who, lang: Lang, back: &str, csrf: &str) -> Result<(), Gate> {
    if who.csrf_ok(csrf) {
        Ok(())
    } else if who.csrf.is_none() {
        Err(Gate::SignIn(back.to_string()))
    } else {
        Err(Gate::Page(PageError(
            lang,
            AppError::Access(AccessError::Forbidden {
                action: "submit a stale form (CSRF token mismatch; reload the page)",
            }),
        )))
    }
}

/// A page's id in its path: a number, or the page is not found.
pub(crate) fn page_id(
    lang: Lang,
    id: &str,
    what: &'static str,
    what_zh: &'static str,
) -> Result<i64, Gate> {
    id.parse().map_err(|_| {
        Gate::Page(PageError(
            lang,
            AppError::NotFound {
                what,
                what_zh,
                id: id.chars().take(40).collect(),
            },
        ))
    })
}

pub(crate) fn gate(lang: Lang, uri: &Uri, e: AppError) -> Gate {
    match e {
        AppError::Access(AccessError::Unauthenticated { .. }) => Gate::SignIn(
            uri.path_and_query()
                .map_or("/talent", |p| p.as_str())
                .to_string(),
        ),
        e => Gate::Page(PageError(lang, e)),
    }
}

#[derive(Template)]
#[template(path = "talent.html")]
struct IndexPage {
    page: PageCtx,
    csrf: String,
    summary: TalentSummary,
    cohorts: Vec<CohortSummary>,
    people: Vec<Person>,
    next_after: Option<i64>,
}

#[derive(Deserialize)]
pub struct AfterQuery {
    after: Option<i64>,
}

async fn index(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Query(q): Query<AfterQuery>,
) -> GateResult {
    let c = who.caller.clone();
    // the talent pool's lists are for school staff; the service says where others go
    if let Some(to) = app.places(&c).talent_instead {
        return Ok(Redirect::to(to).into_response());
    }
    let t = app.talent();
    let cohorts = t.cohorts(&c).await.map_err(|e| gate(lang, &uri, e))?;
    let people = t
        .people(&c, q.after.unwrap_or(0), 50)
        .await
        .map_err(|e| PageError(lang, e))?;
    let next_after = (people.len() == 50)
        .then(|| people.last().map(|p| p.id))
        .flatten();
    let summary = t.summary(&c).await.map_err(|e| PageError(lang, e))?;
    let page = PageCtx::new(
        app.places(&c),
        lang,
        &uri,
        crate::i18n::t(lang, "talent.title").to_string(),
    );
    Ok(render(&IndexPage {
        page,
        csrf: who.csrf(),
        summary,
        cohorts,
        people,
        next_after,
    }))
}

/// A radar chart's geometry, computed here so the page needs no script.
pub struct Radar {
    pub size: u32,
    pub rings: Vec<String>,
    pub axes: Vec<(f64, f64)>,
    /// (x, y, text-anchor, label, level)
    pub labels: Vec<(f64, f64, &'static str, String, String)>,
    pub shape: String,
    pub dots: Vec<(f64, f64, String)>,
}

const CENTER: f64 = 230.0;
const RADIUS: f64 = 150.0;

fn point(i: usize, n: usize, r: f64) -> (f64, f64) {
    let a = -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / n as f64;
    (
        ((CENTER + r * a.cos()) * 10.0).round() / 10.0,
        ((CENTER + r * a.sin()) * 10.0).round() / 10.0,
    )
}

fn polygon(n: usize, r: impl Fn(usize) -> f64) -> String {
    (0..n)
        .map(|i| point(i, n, r(i)))
        .map(|(x, y)| format!("{x},{y}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_radar_is_drawn_around_its_centre() {
        let r = radar(
            &(0..4)
                .map(|i| (format!("a{i}"), f64::from(i)))
                .collect::<Vec<_>>(),
            "no evidence",
        );
        // four axes: up, right, down, left; level 5 reaches the outer ring
        assert_eq!(
            r.axes,
            vec![(230.0, 80.0), (380.0, 230.0), (230.0, 380.0), (80.0, 230.0)]
        );
        assert_eq!(r.shape, "230,230 260,230 230,290 140,230");
        assert_eq!(
            r.labels[0].4, "no evidence",
            "level 0 is no evidence, not 0"
        );
        assert_eq!(r.labels[3].4, "3");
        assert_eq!(r.dots.len(), 3, "no dot where there is no evidence");
        assert_eq!(r.labels[1].2, "start");
        assert_eq!(r.labels[3].2, "end");
        assert_eq!(heat_class(&Some(3.334)), "h7");
        assert_eq!(heat_class(&None), "h0");
    }
}

/// Axes for `(label, level 0–5)`, one per competency area; an area without
/// evidence (level 0) is labelled `none` and gets no dot.
pub fn radar(axes: &[(String, f64)], none: &str) -> Radar {
    let n = axes.len().max(3);
    let rings = (1..=5)
        .map(|l| polygon(n, |_| RADIUS * l as f64 / 5.0))
        .collect();
    let level = |i: usize| axes.get(i).map_or(0.0, |a| a.1.clamp(0.0, 5.0));
    let labels = (0..axes.len())
        .map(|i| {
            let (x, y) = point(i, n, RADIUS + 16.0);
            let anchor = if (x - CENTER).abs() < 1.0 {
                "middle"
            } else if x > CENTER {
                "start"
            } else {
                "end"
            };
            (
                x,
                y + 4.0,
                anchor,
                axes[i].0.clone(),
                if axes[i].1 > 0.0 {
                    format!("{:.0}", axes[i].1.round().clamp(1.0, 5.0))
                } else {
                    none.to_string()
                },
            )
        })
        .collect();
    Radar {
        size: (CENTER * 2.0) as u32,
        rings,
        axes: (0..n).map(|i| point(i, n, RADIUS)).collect(),
        labels,
        shape: polygon(n, |i| RADIUS * level(i) / 5.0),
        dots: (0..axes.len())
            .filter(|&i| level(i) > 0.0)
            .map(|i| point(i, n, RADIUS * level(i) / 5.0))
            .map(|(x, y)| (x, y, String::new()))
            .collect(),
    }
}

pub struct RoleRow {
    pub id: String,
    pub name: String,
    pub score: f64,
    /// readiness as a percent ("44 %")
    pub pct: String,
    pub status: &'static str,
    pub held: usize,
    pub core: usize,
    /// (skill id, name, the person's level in words)
    pub missing: Vec<(String, String, String)>,
}

/// A skill to learn next and where to learn it.
pub struct NextRow {
    pub id: String,
    pub name: String,
    /// readiness it adds, in percentage points ("+11")
    pub gain: String,
    /// the student's own program's courses that teach it
    pub courses: Vec<String>,
    /// (certificate id, name) of certificates that show it
    pub certs: Vec<(String, String)>,
}

pub struct SkillRow {
    pub id: String,
    pub name: String,
    /// "3 熟练"
    pub level: String,
    /// "高（4 条证据）"
    pub confidence: String,
    /// (evidence id, kind of evidence, date, level in words)
    pub evidence: Vec<(u64, &'static str, String, String)>,
}

/// A level 1–5 with its word ("3 熟练" / "3 Intermediate").
pub(crate) fn level_words(
    model: &cb_competency::CompetencyModel,
    lang: Lang,
    level: f64,
) -> String {
    let n = level.round().clamp(1.0, 5.0) as i64;
    let word = model
        .proficiency_levels
        .iter()
        .find(|l| l.level == n)
        .map_or("", |l| lang.pick(&l.name_zh, &l.name_en));
    format!("{n} {word}")
}

/// Confidence as people read it (low, medium, high) with the evidence behind it.
fn confidence_words(lang: Lang, confidence: f64, pieces: usize, unit: (&str, &str)) -> String {
    let word = if confidence >= 0.67 {
        lang.pick("高", "high")
    } else if confidence >= 0.34 {
        lang.pick("中", "medium")
    } else {
        lang.pick("低", "low")
    };
    match lang {
        Lang::Zh => format!("{word}（{pieces} {}）", unit.0),
        Lang::En => format!("{word} ({pieces} {})", unit.1),
    }
}

pub struct EvidenceRow {
    pub id: u64,
    pub date: String,
    pub kind: &'static str,
    pub source: String,
    pub detail: String,
    pub shows: String,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    page: PageCtx,
    csrf: String,
    p: PersonProfile,
    radar: Radar,
    /// (id, name, level in words, confidence in words) — empty words without evidence
    areas: Vec<(String, String, String, String)>,
    roles: Vec<RoleRow>,
    next: Vec<NextRow>,
    skills: Vec<SkillRow>,
    evidence: Vec<EvidenceRow>,
    /// The person is looking at their own profile (they may ask for corrections).
    own: bool,
}

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Ready => "ready",
        Status::NearReady => "near_ready",
        Status::NotReady => "not_ready",
    }
}

/// The i18n key (`evidence.…`) of a kind of evidence.
fn evidence_key(k: &cb_talent::EvidenceKind) -> &'static str {
    use cb_talent::EvidenceKind::*;
    match k {
        CourseGrade { .. } => "course_grade",
        EnterpriseEvaluation { .. } => "enterprise_evaluation",
        Competition { .. } => "competition",
        Certificate { .. } => "certificate",
        Award { .. } => "award",
    }
}

async fn person(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<String>,
) -> GateResult {
    let c = who.caller.clone();
    let id: i64 = id.parse().map_err(|_| {
        PageError(
            lang,
            AppError::NotFound {
                what: "person",
                what_zh: "人员",
                id: id.clone(),
            },
        )
    })?;
    let p = app
        .talent()
        .profile(&c, id, crate::today())
        .await
        .map_err(|e| gate(lang, &uri, e))?;
    let catalog = app.framework().catalog_snapshot(&c);
    let skill_name = |s: &str| {
        catalog.skill(s).map_or_else(
            || s.to_string(),
            |k| lang.pick(&k.name_zh, &k.name_en).to_string(),
        )
    };
    let model = catalog.model();
    let no_evidence = lang.pick("无证据", "no evidence");
    let mut axes = Vec::new();
    let areas: Vec<(String, String, String, String)> = model
        .competency_areas
        .iter()
        .map(|a| {
            let name = lang.pick(&a.title_zh, &a.title).to_string();
            let got = p
                .profile
                .areas
                .iter()
                .find(|x| x.area_id == a.id && !x.skills.is_empty());
            axes.push((name.clone(), got.map_or(0.0, |x| x.level)));
            match got {
                Some(x) => (
                    a.id.clone(),
                    name,
                    level_words(model, lang, x.level),
                    confidence_words(lang, x.confidence, x.skills.len(), ("项技能", "skills")),
                ),
                None => (a.id.clone(), name, no_evidence.to_string(), String::new()),
            }
        })
        .collect();
    let radar = radar(&axes, no_evidence);
    let mut roles: Vec<RoleRow> = p
        .profile
        .readiness
        .iter()
        .filter_map(|r| {
            let role = catalog.platform_role(&r.role_id)?;
            Some(RoleRow {
                id: r.role_id.clone(),
                name: lang.pick(&role.name_zh, &role.name_en).to_string(),
                score: r.score,
                pct: format!("{:.0} %", r.score * 100.0),
                status: status_key(r.status),
                held: r.held.len(),
                core: r.held.len() + r.missing.len(),
                missing: r
                    .missing
                    .iter()
                    .take(6)
                    .map(|g| {
                        let has = if g.level > 0.0 {
                            level_words(model, lang, g.level)
                        } else {
                            no_evidence.to_string()
                        };
                        (g.skill_id.clone(), skill_name(&g.skill_id), has)
                    })
                    .collect(),
            })
        })
        .collect();
    roles.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    roles.truncate(12);
    let cert_name = |id: &str| {
        catalog.certification(id).map_or_else(
            || id.to_string(),
            |c| lang.pick(&c.name_zh, &c.name_en).to_string(),
        )
    };
    let next = p
        .next_to_learn
        .iter()
        .map(|(s, g)| {
            let place = p.where_to_learn.iter().find(|w| w.skill_id == *s);
            NextRow {
                id: s.clone(),
                name: skill_name(s),
                gain: format!("+{:.0}", g * 100.0),
                courses: place.map(|w| w.courses.clone()).unwrap_or_default(),
                certs: place
                    .map(|w| {
                        w.certifications
                            .iter()
                            .map(|c| (c.clone(), cert_name(c)))
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    // what each piece of evidence is and when, for the skills' "because"
    let pieces: std::collections::HashMap<u64, (&'static str, String)> = p
        .evidence
        .iter()
        .map(|e| (e.id, (evidence_key(&e.kind), e.date.to_string())))
        .collect();
    let skills = p
        .profile
        .skills
        .iter()
        .map(|s| SkillRow {
            id: s.skill_id.clone(),
            name: skill_name(&s.skill_id),
            level: level_words(model, lang, s.level),
            confidence: confidence_words(
                lang,
                s.confidence,
                s.evidence.len(),
                ("条证据", "pieces of evidence"),
            ),
            evidence: s
                .evidence
                .iter()
                .filter_map(|c| {
                    let (kind, date) = pieces.get(&c.evidence_id).cloned()?;
                    Some((c.evidence_id, kind, date, level_words(model, lang, c.level)))
                })
                .collect(),
        })
        .collect();
    let evidence = p
        .evidence
        .iter()
        .rev()
        .map(|e| {
            use cb_talent::EvidenceKind::*;
            let (kind, detail) = match &e.kind {
                CourseGrade { course, grade } => ("course_grade", format!("{course}: {grade}")),
                EnterpriseEvaluation { comment } => ("enterprise_evaluation", comment.clone()),
                Competition {
                    event,
                    category,
                    rank,
                    teams,
                } => (
                    "competition",
                    format!("{event} · {category} · {rank}/{teams}"),
                ),
                Certificate { certification_id } => (
                    "certificate",
                    catalog.certification(certification_id).map_or_else(
                        || certification_id.clone(),
                        |c| lang.pick(&c.name_zh, &c.name_en).to_string(),
                    ),
                ),
                Award { title } => ("award", title.clone()),
            };
            let shows = e
                .observations
                .iter()
                .map(|o| {
                    format!(
                        "{} {}",
                        skill_name(&o.skill_id),
                        level_words(model, lang, o.level)
                    )
                })
                .collect::<Vec<_>>()
                .join(" · ");
            EvidenceRow {
                id: e.id,
                date: e.date.to_string(),
                kind,
                source: e.source_org.clone(),
                detail,
                shows,
            }
        })
        .collect();
    let title = format!(
        "{} · {}",
        p.person.name,
        crate::i18n::t(lang, "profile.title")
    );
    let own = p.own;
    Ok(render(&PersonPage {
        page: PageCtx::new(app.places(&c), lang, &uri, title),
        csrf: who.csrf(),
        p,
        radar,
        areas,
        roles,
        next,
        skills,
        evidence,
        own,
    }))
}

#[derive(Template)]
#[template(path = "cohort.html")]
struct CohortPage {
    page: PageCtx,
    csrf: String,
    h: CohortHeatmap,
    /// (id, name) of every platform role, for the column chooser
    role_options: Vec<(String, String)>,
    role_name: String,
}

impl CohortPage {
    fn heat(&self, level: &Option<f64>) -> String {
        heat_class(level)
    }
}

#[derive(Deserialize)]
pub struct RoleQuery {
    role: Option<String>,
}

/// CSS class of a level: h2 … h10 in half steps; h0 without evidence.
pub fn heat_class(level: &Option<f64>) -> String {
    match level {
        Some(l) => format!("h{}", (l * 2.0).round().clamp(2.0, 10.0) as u32),
        None => "h0".to_string(),
    }
}

async fn cohort(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<RoleQuery>,
) -> GateResult {
    let c = who.caller.clone();
    let id: i64 = id.parse().map_err(|_| {
        PageError(
            lang,
            AppError::NotFound {
                what: "cohort",
                what_zh: "班级",
                id: id.clone(),
            },
        )
    })?;
    let h = app
        .talent()
        .cohort_heatmap(&c, id, q.role.as_deref(), crate::today())
        .await
        .map_err(|e| gate(lang, &uri, e))?;
    let catalog = app.framework().catalog_snapshot(&c);
    let role_options: Vec<(String, String)> = catalog
        .model()
        .platform_roles
        .iter()
        .map(|r| (r.id.clone(), lang.pick(&r.name_zh, &r.name_en).to_string()))
        .collect();
    let role_name = h
        .role_id
        .as_deref()
        .and_then(|r| role_options.iter().find(|(id, _)| id == r))
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let title = format!(
        "{} {} · {}",
        h.cohort.program,
        h.cohort.cohort.name,
        crate::i18n::t(lang, "heatmap.title")
    );
    Ok(render(&CohortPage {
        page: PageCtx::new(app.places(&c), lang, &uri, title),
        csrf: who.csrf(),
        h,
        role_options,
        role_name,
    })
    .into_response())
}
