//! Situational awareness over HTTP: `/api/v1/indicators` (JSON), the
//! drill-down list and CSV exports, and the dashboard pages (`/insight`,
//! `/insight/postings`). Every filter lives in the URL, so a view can be
//! bookmarked and shared.

use crate::api::{ApiError, ApiResult};
use crate::charts::{self, Bar, Tile};
use crate::pages::{PageCtx, PageError, PageResult, render};
use crate::{RequestCaller, UiLang};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use cb_app::{App, AppError, Indicators, Thresholds};
use cb_core::Lang;
use cb_insight::{Filter, Period};
use serde::{Deserialize, Serialize};

pub fn api_routes() -> Router<App> {
    Router::new()
        .route("/indicators", get(api_indicators))
        .route("/indicators/postings", get(api_postings))
        .route("/indicators/export.csv", get(export_csv))
        .route("/indicators/export.xlsx", get(export_xlsx))
}

pub fn page_routes() -> Router<App> {
    Router::new()
        .route("/insight", get(overview))
        .route("/insight/postings", get(drill_down))
        .route("/postings/{id}", get(posting_page))
        .route("/insight/program", get(program_page))
        .route(
            "/insight/roles/{id}",
            get(|Path(id): Path<String>| async move { focus("role", &id) }),
        )
        .route(
            "/insight/skills/{id}",
            get(|Path(id): Path<String>| async move { focus("skill", &id) }),
        )
        .route(
            "/insight/regions/{name}",
            get(|Path(name): Path<String>| async move { focus("province", &name) }),
        )
}

/// A role's, skill's or region's page: the dashboard focused on it.
fn focus(key: &str, value: &str) -> Redirect {
    Redirect::to(&format!(
        "/insight?{}",
        serde_urlencoded::to_string([(key, value)]).unwrap_or_default()
    ))
}

/// The filters as they appear in a URL (empty values mean "any").
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct IndicatorQuery {
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub nice_role: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub skill: String,
    #[serde(default)]
    pub cert: String,
    #[serde(default)]
    pub education: String,
    #[serde(default)]
    pub max_exp: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub industry: String,
    /// `1`: count postings that are not cybersecurity jobs too
    #[serde(default)]
    pub all: String,
    /// a program (专业): the supply side counts its people only
    #[serde(default)]
    pub program: String,
    #[serde(default)]
    pub growth_alert: String,
    #[serde(default)]
    pub gap_alert: String,
    /// for exports: which table
    #[serde(default, skip_serializing)]
    pub table: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.chars().take(200).collect())
}

impl IndicatorQuery {
    pub fn filter(&self) -> Result<Filter, String> {
        let period = match opt(&self.period) {
            Some(p) => Some(Period::parse(&p).map_err(|e| e.to_string())?),
            None => None,
        };
        let max_experience = match opt(&self.max_exp) {
            Some(v) => Some(v.parse::<u32>().map_err(|_| {
                format!("max_exp `{v}` is not a whole number of years / 经验年限须为整数")
            })?),
            None => None,
        };
        Ok(Filter {
            country: opt(&self.country),
            province: opt(&self.province),
            city: opt(&self.city),
            period,
            nice_category: opt(&self.category),
            nice_role: opt(&self.nice_role),
            platform_role: opt(&self.role),
            skill: opt(&self.skill),
            certification: opt(&self.cert),
            education: opt(&self.education),
            max_experience,
            source: opt(&self.source),
            industry: opt(&self.industry),
            include_non_cyber: self.all == "1",
        })
    }

    pub fn thresholds(&self) -> Result<Thresholds, String> {
        let d = Thresholds::default();
        let num = |s: &str, name: &str, default: f64| -> Result<f64, String> {
            match opt(s) {
                None => Ok(default),
                Some(v) => v
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0)
                    .ok_or_else(|| {
                        format!("{name} `{v}` is not a non-negative number / 阈值须为非负数")
                    }),
            }
        };
        Ok(Thresholds {
            role_growth: num(&self.growth_alert, "growth_alert", d.role_growth)?,
            skill_gap: num(&self.gap_alert, "gap_alert", d.skill_gap)?,
        })
    }

    /// This query with some fields changed, as a query string.
    pub fn with(&self, changes: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(String, String)> = serde_urlencoded::to_string(self)
            .ok()
            .and_then(|s| serde_urlencoded::from_str::<Vec<(String, String)>>(&s).ok())
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect();
        for (k, v) in changes {
            pairs.retain(|(x, _)| x != k);
            if !v.is_empty() {
                pairs.push((k.to_string(), v.to_string()));
            }
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

fn bad(m: String) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, "bad_request", m)
}

async fn api_indicators(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Query(q): Query<IndicatorQuery>,
) -> ApiResult {
    let f = q.filter().map_err(bad)?;
    let th = q.thresholds().map_err(bad)?;
    crate::api::ok(
        app.insight()
            .indicators_for(&c, &f, &th, opt(&q.program).as_deref(), crate::today())
            .await?,
    )
}

#[derive(Serialize)]
struct PostingList {
    total: u64,
    postings: Vec<cb_app::records::PostingSummary>,
}

async fn api_postings(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    Query(q): Query<IndicatorQuery>,
) -> ApiResult {
    let f = q.filter().map_err(bad)?;
    let (total, postings) = app.insight().postings(&c, &f, 100).await?;
    crate::api::ok(PostingList { total, postings })
}

fn csv_field(s: &str) -> String {
    // formulas are not data: a leading = + - @ is quoted away (CSV injection)
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The rows of one indicator table (header first).
pub fn table_rows(i: &Indicators, table: &str, lang: Lang) -> Option<Vec<Vec<String>>> {
    let name = |id: &str| {
        i.names
            .get(id)
            .map_or_else(|| id.to_string(), |(zh, en)| lang.pick(zh, en).to_string())
    };
    let counts = |v: &[cb_insight::Count], named: bool| -> Vec<Vec<String>> {
        let mut rows = vec![vec![
            "id".into(),
            "name".into(),
            "postings".into(),
            "share".into(),
        ]];
        rows.extend(v.iter().map(|c| {
            vec![
                c.key.clone(),
                if named { name(&c.key) } else { c.key.clone() },
                c.postings.to_string(),
                c.share.to_string(),
            ]
        }));
        rows
    };
    let shown = |s: &cb_app::Shown| s.to_string();
    let d = &i.demand;
    Some(match table {
        "skills" => counts(&d.top_skills, true),
        "certifications" => {
            let mut rows = vec![vec![
                "id".into(),
                "name".into(),
                "postings".into(),
                "share".into(),
                "holders".into(),
            ]];
            rows.extend(i.certificates.iter().map(|c| {
                vec![
                    c.certification_id.clone(),
                    name(&c.certification_id),
                    c.postings.to_string(),
                    c.share.to_string(),
                    shown(&c.holders),
                ]
            }));
            rows
        }
        "titles" => counts(&d.top_titles, false),
        "roles" => counts(&d.top_platform_roles, true),
        "provinces" => counts(&d.top_provinces, false),
        "months" => {
            let mut rows = vec![vec!["month".into(), "postings".into()]];
            rows.extend(
                d.by_month
                    .iter()
                    .map(|(m, n)| vec![m.clone(), n.to_string()]),
            );
            rows
        }
        "ratios" => {
            let mut rows = vec![vec![
                "role".into(),
                "name".into(),
                "postings".into(),
                "openings".into(),
                "ready".into(),
                "near_ready".into(),
                "ratio".into(),
            ]];
            rows.extend(i.ratios.iter().map(|r| {
                vec![
                    r.role_id.clone(),
                    name(&r.role_id),
                    r.postings.to_string(),
                    r.openings.to_string(),
                    shown(&r.ready),
                    shown(&r.near_ready),
                    r.ratio.map_or(String::new(), |x| x.to_string()),
                ]
            }));
            rows
        }
        "gaps" => {
            let mut rows = vec![vec![
                "skill".into(),
                "name".into(),
                "demand_share".into(),
                "supply_share".into(),
                "gap".into(),
            ]];
            let o = |x: Option<f64>| x.map_or(String::new(), |x| x.to_string());
            rows.extend(i.gaps.iter().map(|g| {
                vec![
                    g.skill_id.clone(),
                    name(&g.skill_id),
                    g.demand_share.to_string(),
                    o(g.supply_share),
                    o(g.gap),
                ]
            }));
            rows
        }
        "emerging" | "fading" => {
            let mut rows = vec![vec![
                "skill".into(),
                "name".into(),
                "share_before".into(),
                "share_now".into(),
                "change_pp".into(),
            ]];
            let v = if table == "emerging" {
                &i.emerging
            } else {
                &i.fading
            };
            rows.extend(v.iter().map(|t| {
                vec![
                    t.skill_id.clone(),
                    name(&t.skill_id),
                    t.share_before.to_string(),
                    t.share_now.to_string(),
                    t.change_pp.to_string(),
                ]
            }));
            rows
        }
        "quotients" => {
            let mut rows = vec![vec![
                "region".into(),
                "role_postings".into(),
                "region_postings".into(),
                "location_quotient".into(),
            ]];
            rows.extend(i.location_quotients.iter().map(|q| {
                vec![
                    q.region.clone(),
                    q.role_postings.to_string(),
                    q.region_postings.to_string(),
                    q.quotient.to_string(),
                ]
            }));
            rows
        }
        _ => return None,
    })
}

pub const TABLES: &[&str] = &[
    "skills",
    "certifications",
    "titles",
    "roles",
    "provinces",
    "months",
    "ratios",
    "gaps",
    "emerging",
    "fading",
    "quotients",
];

async fn export_csv(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    Query(q): Query<IndicatorQuery>,
) -> Result<Response, ApiError> {
    let rows = export_rows(&app, &c, lang, &q).await?;
    let mut body = String::from("\u{feff}"); // BOM: Excel opens UTF-8 Chinese correctly
    for r in rows {
        body.push_str(&r.iter().map(|x| csv_field(x)).collect::<Vec<_>>().join(","));
        body.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"cyberbridge-{}.csv\"", q.table),
            ),
        ],
        body,
    )
        .into_response())
}

/// The same tables as an Excel workbook: one sheet, a bold header, numbers as numbers.
async fn export_xlsx(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    Query(q): Query<IndicatorQuery>,
) -> Result<Response, ApiError> {
    let rows = export_rows(&app, &c, lang, &q).await?;
    let internal = |e: rust_xlsxwriter::XlsxError| {
        ApiError(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("writing the workbook failed: {e}"),
        )
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(&q.table).map_err(internal)?;
    for (r, row) in rows.iter().enumerate() {
        for (col, v) in row.iter().enumerate() {
            let (r, col) = (r as u32, col as u16);
            if r == 0 {
                sheet
                    .write_string_with_format(r, col, v, &bold)
                    .map_err(internal)?;
            } else if let Some(x) = as_number(v) {
                sheet.write_number(r, col, x).map_err(internal)?;
            } else {
                sheet.write_string(r, col, v).map_err(internal)?;
            }
        }
    }
    let bytes = book.save_to_buffer().map_err(internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"cyberbridge-{}.xlsx\"", q.table),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A cell that is a number (and not a code with leading zeros, such as 007).
fn as_number(v: &str) -> Option<f64> {
    let leading_zero = v.len() > 1 && v.starts_with('0') && !v.starts_with("0.");
    v.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && !leading_zero)
}

/// The rows of the table `q.table` asks for (header first); audited as an export.
async fn export_rows(
    app: &App,
    c: &cb_core::Caller,
    lang: Lang,
    q: &IndicatorQuery,
) -> Result<Vec<Vec<String>>, ApiError> {
    let f = q.filter().map_err(bad)?;
    let th = q.thresholds().map_err(bad)?;
    let table = q.table.clone();
    let mut rows: Vec<Vec<String>> = if table == "postings" {
        let (_, list) = app.insight().postings(c, &f, 500).await?;
        let names = crate::pages::Namer::new(app, c, lang);
        let mut rows = vec![vec![
            "id".into(),
            "title".into(),
            "employer".into(),
            "province".into(),
            "city".into(),
            "posted_at".into(),
            "platform_role".into(),
            "monthly_min".into(),
            "monthly_max".into(),
            "currency".into(),
            "skills".into(),
        ]];
        let o = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
        rows.extend(list.into_iter().map(|p| {
            vec![
                p.id.to_string(),
                p.title,
                p.employer,
                p.province.unwrap_or_default(),
                p.city.unwrap_or_default(),
                p.posted_at.unwrap_or_default(),
                p.platform_role.map(|r| names.name(&r)).unwrap_or_default(),
                o(p.monthly_min),
                o(p.monthly_max),
                p.salary_currency.unwrap_or_default(),
                p.skills
                    .iter()
                    .map(|s| names.name(s.trim_end_matches('?')))
                    .collect::<Vec<_>>()
                    .join(lang.pick("、", "; ")),
            ]
        }));
        rows
    } else {
        let i = app
            .insight()
            .indicators_for(c, &f, &th, opt(&q.program).as_deref(), crate::today())
            .await?;
        table_rows(&i, &table, lang).ok_or_else(|| {
            bad(format!(
                "table `{table}`; expected one of postings, {} / 未知的表",
                TABLES.join(", ")
            ))
        })?
    };
    // headers in the caller's language
    if let Some(header) = rows.first_mut() {
        for h in header.iter_mut() {
            *h = crate::i18n::column(lang, h);
        }
    }
    app.insight()
        .audit_export(c, &format!("{table} {}", q.with(&[])))
        .await?;
    Ok(rows)
}

/// The label of the option whose value is `value` (empty when none is).
fn chosen<V: AsRef<str>, L: AsRef<str>>(options: &[(V, L)], value: &str) -> String {
    options
        .iter()
        .find(|(v, _)| v.as_ref() == value)
        .map(|(_, l)| l.as_ref().to_string())
        .unwrap_or_default()
}

/// The dashboard's option lists.
pub struct Options {
    pub roles: Vec<(String, String)>,
    pub categories: Vec<(String, String)>,
    /// the chosen country's divisions that have postings: (value, label in the page's language)
    pub provinces: Vec<(String, String)>,
    pub industries: Vec<String>,
    /// (value, name in the page's language)
    pub sources: Vec<(&'static str, String)>,
    /// every skill's name in the page's language (the skill filter's suggestions)
    pub skill_names: Vec<String>,
    pub educations: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "insight.html")]
struct OverviewPage {
    page: PageCtx,
    q: IndicatorQuery,
    i: Indicators,
    o: Options,
    months_chart: String,
    skills_chart: String,
    roles_chart: String,
    map: String,
    map_title: String,
    supply_chart: String,
    gaps_chart: String,
    skill_chart: String,
}

impl OverviewPage {
    /// The filters in words, for the printed report: "国家：中国；平台岗位：渗透测试工程师 …".
    fn filters_in_words(&self) -> String {
        let q = &self.q;
        let lang = self.page.lang;
        let t = move |k: &str| crate::i18n::t(lang, k);
        let country = if q.country == "US" {
            t("insight.us")
        } else {
            t("insight.cn")
        };
        let mut parts = vec![format!("{}: {country}", t("insight.country"))];
        let mut add = |key: &str, value: String| {
            if !value.is_empty() {
                parts.push(format!("{}: {value}", t(key)));
            }
        };
        add("insight.province", self.province_label());
        add("insight.period", q.period.clone());
        add(
            "insight.role",
            if q.role.is_empty() {
                String::new()
            } else {
                self.name(&q.role)
            },
        );
        add("insight.category", chosen(&self.o.categories, &q.category));
        add("insight.skill", q.skill.clone());
        let education = chosen(&self.o.educations, &q.education);
        if !education.is_empty() {
            add("insight.education", t(&education).to_string());
        }
        add("insight.max_exp", q.max_exp.clone());
        add("insight.source", chosen(&self.o.sources, &q.source));
        add("insight.industry", q.industry.clone());
        add("insight.program", q.program.clone());
        parts.join(self.page.pick("；", "; "))
    }
    fn province_label(&self) -> String {
        match chosen(&self.o.provinces, &self.q.province) {
            label if label.is_empty() => self.q.province.clone(),
            label => label,
        }
    }
    fn printed_on(&self) -> String {
        chrono::Local::now().format("%Y-%m-%d %H:%M").to_string()
    }
    fn name(&self, id: &str) -> String {
        self.i.names.get(id).map_or_else(
            || id.to_string(),
            |(zh, en)| self.page.pick(zh, en).to_string(),
        )
    }
    fn link(&self, key: &str, value: &str) -> String {
        format!("/insight?{}", self.q.with(&[(key, value)]))
    }
    fn link2(&self, k1: &str, v1: &str, k2: &str, v2: &str) -> String {
        format!("/insight?{}", self.q.with(&[(k1, v1), (k2, v2)]))
    }
    fn drill(&self, key: &str, value: &str) -> String {
        format!("/insight/postings?{}", self.q.with(&[(key, value)]))
    }
    fn drill_all(&self) -> String {
        format!("/insight/postings?{}", self.q.with(&[]))
    }
    fn export(&self, table: &str) -> String {
        format!(
            "/api/v1/indicators/export.csv?{}",
            self.q.with(&[("table", table)])
        )
    }
    fn export_xlsx(&self, table: &str) -> String {
        format!(
            "/api/v1/indicators/export.xlsx?{}",
            self.q.with(&[("table", table)])
        )
    }
    fn pct(&self, x: &f64) -> String {
        format!("{:.1}%", x * 100.0)
    }
    /// A difference of two shares, in percentage points.
    fn pp(&self, x: &f64) -> String {
        format!("{:+.1} pp", x * 100.0)
    }
    fn gap_basis(&self) -> String {
        gap_basis(self.page.lang, self.i.demand.postings, &self.i.people)
    }
    fn gap_warning(&self) -> Option<String> {
        gap_warning(self.page.lang, self.i.demand.postings)
    }
    fn program_view(&self) -> String {
        format!("/insight/program?{}", self.q.with(&[]))
    }
    fn opt_pct(&self, x: &Option<f64>) -> String {
        x.map_or("–".into(), |v| {
            format!("{}{:.1}%", if v > 0.0 { "+" } else { "" }, v * 100.0)
        })
    }
    /// A growth figure, or "too few postings" when either period compared has
    /// fewer than the minimum (`Minimums::period_postings`).
    fn growth_pct(&self, growth: &Option<f64>, base: &Option<u64>) -> String {
        let min = cb_insight::compare::Minimums::default().period_postings;
        match base {
            Some(b) if *b < min || self.i.demand.postings < min => {
                crate::i18n::t(self.page.lang, "insight.too_few").to_string()
            }
            _ => self.opt_pct(growth),
        }
    }
    fn def(&self, key: &str) -> String {
        self.i
            .definitions
            .iter()
            .find(|d| d.key == key)
            .map_or(String::new(), |d| self.page.pick(d.zh, d.en).to_string())
    }
    fn shown(&self, s: &cb_app::Shown) -> String {
        s.to_string()
    }
}

fn options(
    app: &App,
    c: &cb_core::Caller,
    lang: Lang,
    country: &str,
    provinces: Vec<String>,
    industries: Vec<String>,
) -> Options {
    let catalog = app.framework().catalog_snapshot(c);
    let m = catalog.model();
    // one country's divisions, in the map's order, named in the page's language
    let have = |n: &str| provinces.iter().any(|p| p == n);
    let provinces: Vec<(String, String)> = if country == "US" {
        let mut v: Vec<(String, String)> = charts::US_TILES
            .iter()
            .filter(|(name, ..)| have(name))
            .map(|(name, ..)| (name.to_string(), name.to_string()))
            .collect();
        v.sort();
        v
    } else {
        charts::CN_TILES
            .iter()
            .filter(|(zh, ..)| have(zh))
            .map(|(zh, en, ..)| (zh.to_string(), lang.pick(zh, en).to_string()))
            .collect()
    };
    Options {
        roles: m
            .platform_roles
            .iter()
            .map(|r| (r.id.clone(), lang.pick(&r.name_zh, &r.name_en).to_string()))
            .collect(),
        categories: m
            .categories
            .iter()
            .map(|k| (k.id.clone(), lang.pick(&k.title_zh, &k.title).to_string()))
            .collect(),
        provinces,
        industries,
        sources: ["lagou", "51job", "usajobs", "published"]
            .into_iter()
            .map(|s| (s, source_name(lang, s)))
            .collect(),
        skill_names: m
            .skills
            .iter()
            .map(|k| lang.pick(&k.name_zh, &k.name_en).to_string())
            .collect(),
        educations: vec![
            ("vocational", "edu.vocational"),
            ("associate", "edu.associate"),
            ("bachelor", "edu.bachelor"),
            ("master", "edu.master"),
            ("doctorate", "edu.doctorate"),
        ],
    }
}

/// What a dashboard page shows for its query: one country at a time (China
/// unless the US federal sample is chosen), the indicators, and the filters'
/// choices.
async fn dashboard_view(
    app: &App,
    c: &cb_core::Caller,
    lang: Lang,
    q: &mut IndicatorQuery,
) -> Result<(Indicators, Options), PageError> {
    if q.country != "US" {
        q.country = "CN".into();
    }
    let invalid = |m: String| PageError(lang, AppError::Invalid(m));
    let f = q.filter().map_err(invalid)?;
    let th = q.thresholds().map_err(invalid)?;
    let i = app
        .insight()
        .indicators_for(c, &f, &th, opt(&q.program).as_deref(), crate::today())
        .await
        .map_err(|e| PageError(lang, e))?;
    let (provinces, industries) = app
        .insight()
        .filter_choices(c)
        .await
        .map_err(|e| PageError(lang, e))?;
    let o = options(app, c, lang, &q.country, provinces, industries);
    Ok((i, o))
}

async fn overview(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    uri: Uri,
    Query(mut q): Query<IndicatorQuery>,
) -> PageResult {
    let (i, o) = dashboard_view(&app, &c, lang, &mut q).await?;
    let name = |id: &str| {
        i.names
            .get(id)
            .map_or_else(|| id.to_string(), |(zh, en)| lang.pick(zh, en).to_string())
    };
    let t = |k: &str| crate::i18n::t(lang, k);
    let drill = |changes: &[(&str, &str)]| format!("/insight/postings?{}", q.with(changes));
    let months_chart = charts::columns(
        "chart-months",
        &charts::month_bars(
            &i.demand.by_month,
            |m, n| Bar {
                label: m.to_string(),
                value: n as f64,
                href: drill(&[("period", m)]),
                title: format!("{m}: {n} {}", t("insight.postings_unit")),
            },
            |from, to| {
                (
                    "…".to_string(),
                    format!("{from} – {to}: {}", t("insight.months_gap")),
                )
            },
        ),
    );
    let skills_chart = charts::hbars(
        "chart-skills",
        &i.demand
            .top_skills
            .iter()
            .map(|s| Bar {
                label: name(&s.key),
                value: s.postings as f64,
                href: drill(&[("skill", &s.key)]),
                title: format!("{}: {} ({:.1}%)", name(&s.key), s.postings, s.share * 100.0),
            })
            .collect::<Vec<_>>(),
        "",
    );
    let roles_chart = charts::hbars(
        "chart-roles",
        &i.demand
            .top_platform_roles
            .iter()
            .map(|r| Bar {
                label: name(&r.key),
                value: r.postings as f64,
                href: format!("/insight?{}", q.with(&[("role", &r.key)])),
                title: format!("{}: {} ({:.1}%)", name(&r.key), r.postings, r.share * 100.0),
            })
            .collect::<Vec<_>>(),
        "",
    );
    // the map: by province over the filter without its own region
    let value = |n: &str| i.map.iter().find(|(r, _)| r == n).map_or(0, |(_, v)| *v);
    let us = q.country == "US";
    let map_tiles: Vec<Tile> = if us {
        charts::US_TILES
            .iter()
            .map(|(name, code, r, col)| Tile {
                row: *r,
                col: *col,
                label: code.to_string(),
                value: value(name) as f64,
                href: format!("/insight?{}", q.with(&[("province", name)])),
                title: format!("{name}: {}", value(name)),
            })
            .collect()
    } else {
        charts::CN_TILES
            .iter()
            .map(|(zh, en, r, col)| Tile {
                row: *r,
                col: *col,
                label: lang.pick(zh, en).to_string(),
                value: value(zh) as f64,
                href: format!("/insight?{}", q.with(&[("province", zh)])),
                title: format!("{}: {}", lang.pick(zh, en), value(zh)),
            })
            .collect()
    };
    let map = if us {
        charts::tiles("chart-map", &map_tiles, 12, 8)
    } else {
        charts::tiles("chart-map", &map_tiles, 9, 8)
    };
    let map_title = t(if us {
        "insight.map_us"
    } else {
        "insight.map_cn"
    })
    .to_string();
    let supply_rows: Vec<(String, f64, f64, String)> = i
        .ratios
        .iter()
        .take(12)
        .map(|r| {
            let ready = r.ready.value().unwrap_or(0) as f64;
            (
                name(&r.role_id),
                r.openings as f64,
                ready,
                drill(&[("role", &r.role_id)]),
            )
        })
        .collect();
    let supply_chart = charts::paired(
        "chart-supply",
        &supply_rows,
        (t("insight.openings"), t("insight.ready")),
    );
    let gaps_chart = charts::hbars(
        "chart-gaps",
        &i.gaps
            .iter()
            .filter(|g| g.gap.is_some_and(|x| x > 0.0))
            .take(12)
            .map(|g| Bar {
                label: name(&g.skill_id),
                value: (g.gap.unwrap_or(0.0) * 1000.0).round() / 10.0,
                href: drill(&[("skill", &g.skill_id)]),
                title: format!(
                    "{}: {:.1}% − {:.1}%",
                    name(&g.skill_id),
                    g.demand_share * 100.0,
                    g.supply_share.unwrap_or(0.0) * 100.0
                ),
            })
            .collect::<Vec<_>>(),
        " pp",
    );
    let skill_chart = if i.skill_by_month.is_empty() {
        String::new()
    } else {
        charts::columns(
            "chart-skill",
            &i.skill_by_month
                .iter()
                .map(|(m, all, share)| Bar {
                    label: m.clone(),
                    value: share * 100.0,
                    href: drill(&[("period", m)]),
                    title: format!(
                        "{m}: {:.1}% ({all} {})",
                        share * 100.0,
                        t("insight.postings_unit")
                    ),
                })
                .collect::<Vec<_>>(),
        )
    };
    let title = t("insight.title").to_string();
    let page = OverviewPage {
        page: PageCtx::new(app.places(&c), lang, &uri, title),
        q,
        i,
        o,
        months_chart,
        skills_chart,
        roles_chart,
        map,
        map_title,
        supply_chart,
        gaps_chart,
        skill_chart,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "program.html")]
struct ProgramPage {
    page: PageCtx,
    q: IndicatorQuery,
    i: Indicators,
    o: Options,
    back: String,
    def_supply: String,
}

impl ProgramPage {
    fn name(&self, id: &str) -> String {
        self.i.names.get(id).map_or_else(
            || id.to_string(),
            |(zh, en)| self.page.pick(zh, en).to_string(),
        )
    }
    fn pct(&self, x: &f64) -> String {
        format!("{:.1}%", x * 100.0)
    }
    fn pp(&self, x: &f64) -> String {
        format!("{:+.1} pp", x * 100.0)
    }
    fn with_program(&self, program: &str) -> String {
        format!("/insight/program?{}", self.q.with(&[("program", program)]))
    }
    fn drill(&self, skill: &str) -> String {
        format!("/insight/postings?{}", self.q.with(&[("skill", skill)]))
    }
    fn basis(&self) -> String {
        gap_basis(self.page.lang, self.i.demand.postings, &self.i.people)
    }
    fn warning(&self) -> Option<String> {
        gap_warning(self.page.lang, self.i.demand.postings)
    }
}

/// `/insight/program`: for a program (and a region), the skills the postings
/// there ask for most against the share of the program's students proficient
/// in them, and the students' readiness for the roles there. Two clicks from
/// the dashboard: its "program lead's view" link, then a program.
async fn program_page(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    uri: Uri,
    Query(mut q): Query<IndicatorQuery>,
) -> PageResult {
    let (i, o) = dashboard_view(&app, &c, lang, &mut q).await?;
    let def_supply = i
        .definitions
        .iter()
        .find(|d| d.key == "supply")
        .map_or(String::new(), |d| lang.pick(d.zh, d.en).to_string());
    let page = PageCtx::new(
        app.places(&c),
        lang,
        &uri,
        lang.pick("专业负责人视图", "Program lead's view")
            .to_string(),
    );
    Ok(render(&ProgramPage {
        back: format!("/insight?{}", q.with(&[])),
        page,
        q,
        i,
        o,
        def_supply,
    }))
}

/// What a gap figure stands on: postings and people.
fn gap_basis(lang: Lang, postings: u64, people: &cb_app::Shown) -> String {
    match lang {
        Lang::Zh => format!("依据 {postings} 个岗位与 {people} 名人才库人员（同意纳入统计）。"),
        Lang::En => format!(
            "Based on {postings} postings and {people} people in the pool (who consented to analytics)."
        ),
    }
}

/// Below the minimum of postings a comparison needs, one posting moves a
/// demand share by this many points: the page says so.
fn gap_warning(lang: Lang, postings: u64) -> Option<String> {
    let min = cb_insight::compare::Minimums::default().period_postings;
    (postings > 0 && postings < min).then(|| {
        let each = 100.0 / postings as f64;
        match lang {
            Lang::Zh => format!(
                "样本较小：仅 {postings} 个岗位，每个岗位使需求占比变动 {each:.1} 个百分点，请谨慎解读。"
            ),
            Lang::En => format!(
                "Small selection: only {postings} postings, each moving a demand share by {each:.1} pp. Read the gaps with care."
            ),
        }
    })
}

/// A source's name in the page's language (`lagou` → 拉勾 / Lagou).
pub(crate) fn source_name(lang: Lang, source: &str) -> String {
    match source {
        "lagou" => lang.pick("拉勾网", "Lagou"),
        "51job" => lang.pick("前程无忧", "51job"),
        "usajobs" => lang.pick("美国联邦 USAJOBS", "USAJOBS (US federal)"),
        "published" => lang.pick("本平台发布", "Published here"),
        "generated" => lang.pick("生成的示例", "Generated sample"),
        other => other,
    }
    .to_string()
}

#[derive(Template)]
#[template(path = "posting.html")]
struct PostingPage {
    page: PageCtx,
    p: cb_app::records::PostingDetail,
    names: crate::pages::Namer,
}

impl PostingPage {
    fn name(&self, id: &str) -> String {
        self.names.name(id)
    }
    /// (skill id, required?): preferred skills end in `?`.
    fn skills(&self) -> Vec<(String, bool)> {
        self.p
            .summary
            .skills
            .iter()
            .map(|s| match s.strip_suffix('?') {
                Some(id) => (id.to_string(), false),
                None => (s.clone(), true),
            })
            .collect()
    }
    /// `lagou:101` → 拉勾网 · 101
    fn source(&self, tag: &str) -> String {
        let (source, id) = tag.split_once(':').unwrap_or((tag, ""));
        let name = source_name(self.page.lang, source);
        if id.is_empty() {
            name
        } else {
            format!("{name} · {id}")
        }
    }
    fn experience(&self) -> String {
        let l = self.page.lang;
        match (self.p.exp_min, self.p.exp_max) {
            (Some(a), Some(b)) if a != b => format!("{a}–{b} {}", l.pick("年", "years")),
            (Some(0), _) => l.pick("不限或应届", "none or graduate").to_string(),
            (Some(a), _) => format!("≥ {a} {}", l.pick("年", "years")),
            (None, Some(b)) => format!("≤ {b} {}", l.pick("年", "years")),
            (None, None) => l.pick("未注明", "not stated").to_string(),
        }
    }
    /// The original link, only when it is a web address.
    fn link(&self) -> Option<&str> {
        let u = self.p.url.trim();
        (u.starts_with("https://") || u.starts_with("http://")).then_some(u)
    }
}

async fn posting_page(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<i64>,
) -> PageResult {
    let p = app
        .insight()
        .posting(&c, id)
        .await
        .map_err(|e| PageError(lang, e))?;
    let page = PageCtx::new(app.places(&c), lang, &uri, p.summary.title.clone());
    Ok(render(&PostingPage {
        page,
        p,
        names: crate::pages::Namer::new(&app, &c, lang),
    }))
}

#[derive(Template)]
#[template(path = "insight_postings.html")]
struct DrillPage {
    page: PageCtx,
    names: crate::pages::Namer,
    total: u64,
    postings: Vec<cb_app::records::PostingSummary>,
    back: String,
    export: String,
    export_xlsx: String,
}

impl DrillPage {
    fn name(&self, id: &str) -> String {
        self.names.name(id.trim_end_matches('?'))
    }
}

async fn drill_down(
    State(app): State<App>,
    RequestCaller(c): RequestCaller,
    UiLang(lang): UiLang,
    uri: Uri,
    Query(q): Query<IndicatorQuery>,
) -> PageResult {
    let f = q
        .filter()
        .map_err(|m| PageError(lang, AppError::Invalid(m)))?;
    let (total, postings) = app
        .insight()
        .postings(&c, &f, 200)
        .await
        .map_err(|e| PageError(lang, e))?;
    let page = PageCtx::new(
        app.places(&c),
        lang,
        &uri,
        crate::i18n::t(lang, "insight.drill_title").to_string(),
    );
    let back = format!("/insight?{}", q.with(&[]));
    let export = format!(
        "/api/v1/indicators/export.csv?{}",
        q.with(&[("table", "postings")])
    );
    let export_xlsx = format!(
        "/api/v1/indicators/export.xlsx?{}",
        q.with(&[("table", "postings")])
    );
    Ok(render(&DrillPage {
        page,
        names: crate::pages::Namer::new(&app, &c, lang),
        total,
        postings,
        back,
        export,
        export_xlsx,
    }))
}
