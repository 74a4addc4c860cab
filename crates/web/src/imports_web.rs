//! `/imports`: the import tasks the caller may see, with their progress and
//! result, and the form that uploads a file to the queue (operators: postings
//! and talent files; school admins: their school's talent files).
//! `/imports/{id}`: one task, reloading itself until it is finished.

use crate::pages::{PageCtx, render};
use crate::talent_pages::{Gate, form_csrf, gate};
use crate::{UiLang, Who};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use cb_app::{App, AppError, TaskState, TaskView, Upload, Work};
use cb_core::Lang;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/imports", get(list))
        .route("/imports/{id}", get(one))
}

/// The upload form's target: a file as large as an API upload, with room
/// for the form's other fields and the multipart boundaries around it.
pub fn upload_routes() -> Router<App> {
    Router::new()
        .route("/imports", axum::routing::post(upload))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::MAX_UPLOAD + FORM_OVERHEAD,
        ))
}

const FORM_OVERHEAD: usize = 64 << 10;

type PageResult = Result<Response, Gate>;

/// How often an unfinished task's page reloads itself, in seconds.
const RELOAD_S: &str = "2";

/// A page that reloads itself (`Refresh`) while `open` (something still runs).
fn reloading(mut r: Response, open: bool) -> Response {
    if open {
        r.headers_mut()
            .insert("refresh", HeaderValue::from_static(RELOAD_S));
    }
    r
}

/// The talent file kinds the form offers, in the order people import them.
const TALENT_KINDS: [&str; 7] = [
    "people",
    "courses",
    "grades",
    "evaluations",
    "competitions",
    "certificates",
    "awards",
];

/// What a task imports, in words.
pub fn work_name(lang: Lang, work: &Work) -> &'static str {
    match work {
        Work::Postings { .. } => lang.pick("招聘信息", "Job postings"),
        Work::Talent { file_kind, .. } => kind_name(lang, file_kind),
    }
}

fn kind_name(lang: Lang, kind: &str) -> &'static str {
    match kind {
        "postings" => lang.pick("招聘信息", "Job postings"),
        "people" => lang.pick("学生名册", "Student roster"),
        "courses" => lang.pick("课程与技能对应", "Course–skill mapping"),
        "grades" => lang.pick("课程成绩", "Course grades"),
        "evaluations" => lang.pick("企业评价", "Enterprise evaluations"),
        "competitions" => lang.pick("竞赛成绩", "Competition results"),
        "certificates" => lang.pick("证书", "Certificates"),
        "awards" => lang.pick("获奖", "Awards"),
        _ => lang.pick("其他文件", "Other file"),
    }
}

fn state_name(lang: Lang, t: &TaskView) -> String {
    match t.state {
        TaskState::Queued => lang.pick("排队中", "Queued").into(),
        TaskState::Running if t.attempts > 1 => lang
            .pick(
                "导入中（原进程中断后接手）",
                "Importing (taken over after its worker stopped)",
            )
            .into(),
        TaskState::Running => lang.pick("导入中", "Importing").into(),
        TaskState::Done => match &t.result {
            Some(cb_app::TaskResult::Postings(o)) if o.already_imported => lang
                .pick("已导入过，未重复导入", "Imported before; nothing done")
                .into(),
            Some(cb_app::TaskResult::Talent(o)) if o.already_imported => lang
                .pick("已导入过，未重复导入", "Imported before; nothing done")
                .into(),
            _ => lang.pick("已完成", "Done").into(),
        },
        TaskState::Failed => lang.pick("失败", "Failed").into(),
    }
}

/// A count with its noun in English: `1 row`, `2,048 rows`.
fn en(n: u64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        crate::i18n::grouped(n),
        if n == 1 { one } else { many }
    )
}

/// The result in one line: what was added, or why it failed.
fn summary(lang: Lang, t: &TaskView) -> String {
    let n = crate::i18n::grouped;
    match (&t.result, &t.failure) {
        (Some(cb_app::TaskResult::Postings(o)), _) => match lang {
            Lang::Zh => format!(
                "读取 {} 行：新增 {} 条，重复 {} 条，拒收 {} 行",
                n(o.rows_read),
                n(o.postings_new),
                n(o.duplicates),
                n(t.rejected_total)
            ),
            Lang::En => format!(
                "{} read: {}, {}, {} rejected",
                en(o.rows_read, "row", "rows"),
                en(o.postings_new, "new posting", "new postings"),
                en(o.duplicates, "duplicate", "duplicates"),
                en(t.rejected_total, "row", "rows")
            ),
        },
        (Some(cb_app::TaskResult::Talent(o)), _) => match lang {
            Lang::Zh => format!(
                "读取 {} 行：新增学生 {} 人、课程 {} 门、技能对应 {} 项、证据 {} 条，拒收 {} 行",
                n(o.rows_read),
                n(o.people_added),
                n(o.courses_added),
                n(o.mappings_added),
                n(o.evidence_added),
                n(t.rejected_total)
            ),
            Lang::En => format!(
                "{} read: {}, {}, {}, {} added; {} rejected",
                en(o.rows_read, "row", "rows"),
                en(o.people_added, "person", "people"),
                en(o.courses_added, "course", "courses"),
                en(o.mappings_added, "skill mapping", "skill mappings"),
                en(o.evidence_added, "piece of evidence", "pieces of evidence"),
                en(t.rejected_total, "row", "rows")
            ),
        },
        (None, Some(f)) => crate::pages::in_language(lang, &f.message),
        (None, None) => match t.progress {
            Some(p) => format!("{:.0} %", p * 100.0),
            None => String::new(),
        },
    }
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ListPage {
    page: PageCtx,
    csrf: String,
    tasks: Vec<TaskView>,
    may_postings: bool,
    may_talent: bool,
    talent_kinds: Vec<(&'static str, &'static str)>,
}

impl ListPage {
    fn work(&self, t: &TaskView) -> &'static str {
        work_name(self.page.lang, &t.work)
    }
    fn state(&self, t: &TaskView) -> String {
        state_name(self.page.lang, t)
    }
    fn state_code(&self, t: &TaskView) -> &'static str {
        match t.state {
            TaskState::Queued => "queued",
            TaskState::Running => "running",
            TaskState::Done => "done",
            TaskState::Failed => "failed",
        }
    }
    fn summary(&self, t: &TaskView) -> String {
        summary(self.page.lang, t)
    }
    fn when(&self, secs: &i64) -> String {
        crate::i18n::local_minute(&secs.to_string())
    }
    fn when_opt(&self, secs: &Option<i64>) -> String {
        secs.map_or_else(|| "—".into(), |s| self.when(&s))
    }
    fn who(&self, t: &TaskView) -> String {
        queued_by(self.page.lang, t)
    }
    fn name<'t>(&self, t: &'t TaskView) -> &'t str {
        file_name(t)
    }
}

/// A file's name without the server's folders (a CLI import records its path).
fn file_name(t: &TaskView) -> &str {
    t.file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&t.file_name)
}

fn queued_by(lang: Lang, t: &TaskView) -> String {
    match (&t.queued_by_name, t.queued_by.as_str()) {
        (Some(name), _) => name.clone(),
        (None, "system:cli") => lang
            .pick("平台（命令行）", "The platform (command line)")
            .into(),
        (None, "system:api-token") => lang
            .pick("平台（运维令牌）", "The platform (operator token)")
            .into(),
        (None, _) => lang.pick("平台", "The platform").into(),
    }
}

#[derive(Template)]
#[template(path = "import_task.html")]
struct TaskPage {
    page: PageCtx,
    csrf: String,
    t: TaskView,
    rejected: Vec<cb_app::Rejected>,
}

impl TaskPage {
    fn work(&self) -> &'static str {
        work_name(self.page.lang, &self.t.work)
    }
    fn state(&self) -> String {
        state_name(self.page.lang, &self.t)
    }
    fn summary(&self) -> String {
        summary(self.page.lang, &self.t)
    }
    fn who(&self) -> String {
        queued_by(self.page.lang, &self.t)
    }
    fn when(&self, secs: &i64) -> String {
        crate::i18n::local_minute(&secs.to_string())
    }
    fn when_opt(&self, secs: &Option<i64>) -> String {
        secs.map_or_else(|| "—".into(), |s| self.when(&s))
    }
    fn percent(&self) -> String {
        self.t
            .progress
            .map_or_else(String::new, |p| format!("{:.0} %", p * 100.0))
    }
    fn size(&self) -> String {
        let b = self.t.file_size.max(0) as f64;
        if b >= 1024.0 * 1024.0 {
            format!("{:.1} MiB", b / 1024.0 / 1024.0)
        } else {
            format!("{:.0} KiB", (b / 1024.0).ceil())
        }
    }
    fn failed(&self) -> String {
        self.t
            .failure
            .as_ref()
            .map(|f| crate::pages::in_language(self.page.lang, &f.message))
            .unwrap_or_default()
    }
    fn rejected_shown(&self) -> String {
        let n = crate::i18n::grouped;
        match self.page.lang {
            Lang::Zh => format!(
                "共拒收 {} 行，下表列出前 {} 行。",
                n(self.t.rejected_total),
                n(self.rejected.len() as u64)
            ),
            Lang::En => format!(
                "{} rejected in all; the first {} listed.",
                en(self.t.rejected_total, "row", "rows"),
                n(self.rejected.len() as u64)
            ),
        }
    }
}

async fn list(State(app): State<App>, who: Who, UiLang(lang): UiLang, uri: Uri) -> PageResult {
    let c = &who.caller;
    let tasks = app.tasks().list(c).await.map_err(|e| gate(lang, &uri, e))?;
    let (may_postings, may_talent) = app.tasks().may_import(c);
    let open = tasks.iter().any(|t| !t.is_finished());
    let title = lang.pick("导入", "Imports").to_string();
    let r = render(&ListPage {
        page: PageCtx::new(app.places(c), lang, &uri, title),
        csrf: who.csrf(),
        tasks,
        may_postings,
        may_talent,
        talent_kinds: TALENT_KINDS
            .iter()
            .map(|k| (*k, kind_name(lang, k)))
            .collect(),
    });
    Ok(reloading(r, open))
}

async fn one(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    Path(id): Path<String>,
) -> PageResult {
    let c = &who.caller;
    let id = crate::talent_pages::page_id(lang, &id, "import", "导入任务")?;
    let mut t = app
        .tasks()
        .task(c, id)
        .await
        .map_err(|e| gate(lang, &uri, e))?;
    let rejected = match &mut t.result {
        Some(cb_app::TaskResult::Postings(o)) => std::mem::take(&mut o.rejected),
        Some(cb_app::TaskResult::Talent(o)) => std::mem::take(&mut o.rejected),
        None => Vec::new(),
    };
    let open = !t.is_finished();
    let title = file_name(&t).to_string();
    let r = render(&TaskPage {
        page: PageCtx::new(app.places(c), lang, &uri, title),
        csrf: who.csrf(),
        t,
        rejected,
    });
    Ok(reloading(r, open))
}

/// The form's fields, read from the multipart body.
#[derive(Default)]
struct Form {
    csrf: String,
    kind: String,
    skip_bad_rows: bool,
    crawl_date: String,
    file: Option<(String, Vec<u8>)>,
}

async fn read_form(mut m: Multipart) -> Result<Form, String> {
    let mut f = Form::default();
    while let Some(field) = m.next_field().await.map_err(|e| e.body_text())? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|e| e.body_text())?;
                f.file = Some((file_name, bytes.to_vec()));
            }
            "csrf" | "kind" | "skip_bad_rows" | "crawl_date" => {
                let text = field.text().await.map_err(|e| e.body_text())?;
                let text: String = text.chars().take(200).collect();
                match name.as_str() {
                    "csrf" => f.csrf = text,
                    "kind" => f.kind = text,
                    "skip_bad_rows" => f.skip_bad_rows = !text.is_empty(),
                    _ => f.crawl_date = text,
                }
            }
            // a field the form does not have is read past, not kept
            _ => {
                let _ = field.bytes().await.map_err(|e| e.body_text())?;
            }
        }
    }
    Ok(f)
}

async fn upload(
    State(app): State<App>,
    who: Who,
    UiLang(lang): UiLang,
    uri: Uri,
    m: Multipart,
) -> PageResult {
    let bad = |m: String| Gate::Page(crate::pages::PageError(lang, AppError::Invalid(m)));
    let f = read_form(m).await.map_err(|e| {
        bad(format!(
            "the upload could not be read: {e} / 无法读取上传的文件"
        ))
    })?;
    form_csrf(&who, lang, "/imports", &f.csrf)?;
    let Some((file_name, content)) = f.file.filter(|(n, _)| !n.trim().is_empty()) else {
        return Err(bad("choose a file to upload / 请选择要上传的文件".into()));
    };
    let name = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&file_name)
        .to_string();
    let work = if f.kind == "postings" {
        let crawl_date = match f.crawl_date.trim() {
            "" => None,
            d => Some(chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                bad(format!(
                    "crawl date `{d}` is not a date; expected YYYY-MM-DD / 采集日期格式应为 YYYY-MM-DD"
                ))
            })?),
        };
        Work::Postings {
            skip_bad_rows: f.skip_bad_rows,
            crawl_date,
        }
    } else {
        Work::Talent {
            file_kind: f.kind,
            skip_bad_rows: f.skip_bad_rows,
        }
    };
    let task = app
        .tasks()
        .submit(
            &who.caller,
            Upload {
                name,
                content,
                work,
            },
        )
        .await
        .map_err(|e| gate(lang, &uri, e))?;
    Ok(Redirect::to(&format!("/imports/{}?done=queued", task.id)).into_response())
}
