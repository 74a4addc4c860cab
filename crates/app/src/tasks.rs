//! Imports as tasks: an upload is queued with its file in the database, and
//! whichever worker claims it first runs it — one of a `serve` node's own
//! workers or a `cyberbridge worker` process, on any machine sharing the
//! database. A worker says it is alive while it runs a task; a task whose
//! worker stops (killed, its machine gone) is claimed again by another after
//! [`crate::IMPORT_STALE_AFTER`], and the import resumes where its batches
//! stopped. The CLI records its own imports as tasks it runs itself, so the
//! imports page shows them with their progress too.

use crate::{App, AppError, ImportFile, ImportOptions, ImportOutcome, TalentImportOutcome};
use cb_core::{AccessError, Caller, UserRole};
use cb_store::tasks::{Claim, NewTask, Task};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A worker gives a task up for good after this many claims (each claim
/// after the first means the worker before it stopped mid-task).
pub const MAX_ATTEMPTS: i32 = 3;
/// Rejected rows kept with a finished task (the count is kept in full).
pub const REJECTED_KEPT: usize = 1_000;
/// How often an idle worker looks for queued tasks other nodes added (its
/// own node's uploads wake it at once).
pub const POLL_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// What a task runs (stored as JSON in `tasks.spec`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Work {
    /// A file of job postings (operators).
    Postings {
        skip_bad_rows: bool,
        crawl_date: Option<NaiveDate>,
    },
    /// A talent file (operators; school admins for their own school).
    Talent {
        /// `people`, `courses`, `grades`, … (see `cb_talent::import::Kind`).
        file_kind: String,
        skip_bad_rows: bool,
    },
}

impl Work {
    fn kind(&self) -> &'static str {
        match self {
            Work::Postings { .. } => "postings",
            Work::Talent { .. } => "talent",
        }
    }
}

/// What a finished task gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", content = "outcome", rename_all = "snake_case")]
pub enum TaskResult {
    Postings(ImportOutcome),
    Talent(TalentImportOutcome),
}

impl TaskResult {
    fn rejected_mut(&mut self) -> &mut Vec<crate::Rejected> {
        match self {
            TaskResult::Postings(o) => &mut o.rejected,
            TaskResult::Talent(o) => &mut o.rejected,
        }
    }
}

/// The stored result: the first [`REJECTED_KEPT`] rejected rows and how many
/// there were.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    rejected_total: u64,
    result: TaskResult,
}

/// Where a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Queued,
    Running,
    Done,
    Failed,
}

/// Why a task failed: a code a script can act on and the message a person reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskFailure {
    /// `invalid` (the file), `forbidden` (the account that queued it may no
    /// longer), `interrupted` (its workers kept stopping), `internal`.
    pub code: String,
    pub message: String,
}

/// A task as its owner sees it.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    pub id: i64,
    pub work: Work,
    pub file_name: String,
    pub file_size: i64,
    pub state: TaskState,
    /// How many times a worker took it up (more than one: a worker stopped).
    pub attempts: i32,
    /// Share of the file read, 0–1, while it runs and once done.
    pub progress: Option<f64>,
    /// Who queued it: `system:cli`, `user:7`.
    pub queued_by: String,
    /// The name of the user who queued it (`None`: the platform itself).
    pub queued_by_name: Option<String>,
    /// Unix seconds.
    pub queued_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// Once done: the import's outcome (at most [`REJECTED_KEPT`] rejected rows).
    pub result: Option<TaskResult>,
    /// Rejected rows in all (the result keeps the first ones).
    pub rejected_total: u64,
    pub failure: Option<TaskFailure>,
}

impl TaskView {
    pub fn is_finished(&self) -> bool {
        matches!(self.state, TaskState::Done | TaskState::Failed)
    }

    fn of(t: Task) -> Result<TaskView, AppError> {
        let corrupt = |what: &str, e: String| {
            AppError::Internal(format!(
                "task {}: its stored {what} is unreadable: {e}",
                t.id
            ))
        };
        let work: Work =
            serde_json::from_str(&t.spec).map_err(|e| corrupt("spec", e.to_string()))?;
        let state = match t.state.as_str() {
            cb_store::tasks::QUEUED => TaskState::Queued,
            cb_store::tasks::RUNNING => TaskState::Running,
            cb_store::tasks::DONE => TaskState::Done,
            cb_store::tasks::FAILED => TaskState::Failed,
            other => return Err(corrupt("state", other.to_string())),
        };
        let stored: Option<Stored> = t
            .result
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt("result", e.to_string()))?;
        let progress = (t.total_units > 0)
            .then(|| (t.done_units as f64 / t.total_units as f64).clamp(0.0, 1.0))
            .or((state == TaskState::Done).then_some(1.0));
        Ok(TaskView {
            id: t.id,
            work,
            file_name: t.file_name,
            file_size: t.file_size,
            state,
            attempts: t.attempts,
            progress,
            queued_by: t.queued_by,
            queued_by_name: None,
            queued_at: t.queued_at,
            started_at: t.started_at,
            finished_at: t.finished_at,
            rejected_total: stored.as_ref().map_or(0, |s| s.rejected_total),
            result: stored.map(|s| s.result),
            failure: t.error_code.map(|code| TaskFailure {
                code,
                message: t.error.unwrap_or_default(),
            }),
        })
    }
}

/// An upload to queue.
pub struct Upload {
    /// The file's name as the user gave it (its extension gives the format).
    pub name: String,
    pub content: Vec<u8>,
    pub work: Work,
}

pub struct TaskService<'a> {
    pub(crate) app: &'a App,
}

/// A worker's name: where it runs, so an operator can tell workers apart.
pub fn worker_name(role: &str) -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    // several workers of one process tell themselves apart by when they started
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{role}@{host}:{}:{n:08x}", std::process::id())
}

/// Whether the caller may queue `work` (the import itself checks the rows:
/// a school admin's talent file may only name their own school).
fn may_queue(caller: &Caller, work: &Work) -> bool {
    match work {
        Work::Postings { .. } => caller.is_operator(),
        Work::Talent { .. } => caller.is_operator() || caller.role() == Some(UserRole::SchoolAdmin),
    }
}

impl TaskService<'_> {
    /// Whether the caller may queue imports at all, and which: postings
    /// (operators) and talent files (operators, school admins).
    pub fn may_import(&self, caller: &Caller) -> (bool, bool) {
        let writes = caller.require_write("import").is_ok();
        let postings = Work::Postings {
            skip_bad_rows: false,
            crawl_date: None,
        };
        let talent = Work::Talent {
            file_kind: String::new(),
            skip_bad_rows: false,
        };
        (
            writes && may_queue(caller, &postings),
            writes && may_queue(caller, &talent),
        )
    }

    /// Queues an upload for a worker. Who may: operators any import, school
    /// admins their own school's talent files (the import checks the rows).
    pub async fn submit(&self, caller: &Caller, upload: Upload) -> Result<TaskView, AppError> {
        let size = upload.content.len() as u64;
        let id = self
            .queue(
                caller,
                &upload.work,
                &upload.name,
                size,
                Some(&upload.content),
                None,
            )
            .await?;
        self.app.tasks_wake.notify_one();
        self.view_in(None, id).await
    }

    /// One task, for whoever may see it: operators every task, school admins
    /// their organisation's.
    pub async fn task(&self, caller: &Caller, id: i64) -> Result<TaskView, AppError> {
        let scope = self.scope(caller).await?;
        self.view_in(scope, id).await
    }

    /// Task `id` as seen from `scope` (see [`TaskService::scope`]; `None`:
    /// every organisation's): another organisation's is not found.
    async fn view_in(&self, scope: Option<i64>, id: i64) -> Result<TaskView, AppError> {
        let not_found = || AppError::NotFound {
            what: "import",
            what_zh: "导入任务",
            id: id.to_string(),
        };
        let t = self.app.store().task(id).await?.ok_or_else(not_found)?;
        if scope.is_some() && t.org_id != scope {
            return Err(not_found());
        }
        Ok(self.views(vec![t]).await?.remove(0))
    }

    /// The tasks as their readers see them, with the names of who queued them.
    async fn views(&self, tasks: Vec<Task>) -> Result<Vec<TaskView>, AppError> {
        let store = self.app.store();
        let mut names = std::collections::HashMap::<i64, Option<String>>::new();
        let mut out = Vec::with_capacity(tasks.len());
        for t in tasks {
            let name = match t.user_id {
                None => None,
                Some(u) => match names.get(&u) {
                    Some(n) => n.clone(),
                    None => {
                        let n = store.user(u).await?.map(|u| u.display_name);
                        names.insert(u, n.clone());
                        n
                    }
                },
            };
            out.push(TaskView {
                queued_by_name: name,
                ..TaskView::of(t)?
            });
        }
        Ok(out)
    }

    /// The newest tasks the caller may see, at most 200.
    pub async fn list(&self, caller: &Caller) -> Result<Vec<TaskView>, AppError> {
        let scope = self.scope(caller).await?;
        let tasks = self.app.store().tasks(scope, 200).await?;
        self.views(tasks).await
    }

    /// Waits until the task is finished or `timeout` has passed, and returns
    /// it as it is then.
    pub async fn wait(
        &self,
        caller: &Caller,
        id: i64,
        timeout: std::time::Duration,
    ) -> Result<TaskView, AppError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let scope = self.scope(caller).await?;
        loop {
            let t = self.view_in(scope, id).await?;
            if t.is_finished() || tokio::time::Instant::now() >= deadline {
                return Ok(t);
            }
            // this node's workers say when they finish; another node's are polled
            let _ = tokio::time::timeout_at(
                deadline.min(tokio::time::Instant::now() + std::time::Duration::from_millis(250)),
                self.app.tasks_done.notified(),
            )
            .await;
        }
    }

    /// Imports a file of postings this process reads itself (the CLI),
    /// recorded as a task this process runs, so the imports page shows its
    /// progress and result. If the process stops, running the same command
    /// again resumes the import.
    pub async fn run_postings_here(
        &self,
        caller: &Caller,
        file: ImportFile,
        opts: ImportOptions,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<ImportOutcome, AppError> {
        let work = Work::Postings {
            skip_bad_rows: opts.skip_bad_rows,
            crawl_date: opts.crawled,
        };
        let (name, size) = (file.name.clone(), file.size);
        let done = Arc::new(AtomicU64::new(0));
        let seen = done.clone();
        let run = async move {
            let mut both = |d: u64, t: u64| {
                seen.store(d, Ordering::Relaxed);
                progress(d, t)
            };
            self.app
                .postings()
                .import(caller, file, opts, &mut both)
                .await
        };
        let result = self.run_here(caller, &work, &name, size, done, run).await?;
        Ok(result)
    }

    /// Imports a talent file this process reads itself (the CLI), recorded
    /// as a task as [`TaskService::run_postings_here`] is.
    pub async fn run_talent_here(
        &self,
        caller: &Caller,
        file: ImportFile,
        kind: cb_talent::import::Kind,
        skip_bad_rows: bool,
        today: NaiveDate,
    ) -> Result<TalentImportOutcome, AppError> {
        let work = Work::Talent {
            file_kind: kind.as_str().to_string(),
            skip_bad_rows,
        };
        let (name, size) = (file.name.clone(), file.size);
        let talent = self.app.talent();
        let run = talent.import(caller, file, kind, skip_bad_rows, today);
        self.run_here(caller, &work, &name, size, Arc::default(), run)
            .await
    }

    async fn run_here<T: Clone + Into<TaskResult>>(
        &self,
        caller: &Caller,
        work: &Work,
        name: &str,
        size: u64,
        done: Arc<AtomicU64>,
        run: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let worker = worker_name("cli");
        let id = self
            .queue(caller, work, name, size, None, Some(&worker))
            .await?;
        let outcome = self.app.beating(id, &worker, (done, size), run).await?;
        match outcome {
            None => Err(AppError::Internal(
                "another worker took this import over while it ran".into(),
            )),
            Some(result) => {
                let kept = match &result {
                    Ok(r) => Ok(r.clone().into()),
                    Err(e) => Err(failure_of(e)),
                };
                self.app.finish_task(id, &worker, kept).await?;
                result
            }
        }
    }

    /// Checks that `caller` may queue `work` and queues it: its file kept
    /// for any worker (`content`), or run at once by `run_by` (the CLI).
    async fn queue(
        &self,
        caller: &Caller,
        work: &Work,
        name: &str,
        size: u64,
        content: Option<&[u8]>,
        run_by: Option<&str>,
    ) -> Result<i64, AppError> {
        caller.require_write("import")?;
        if !may_queue(caller, work) {
            return Err(caller
                .refuse(
                    "import files (postings: operators; talent files: operators and school admins)",
                )
                .into());
        }
        if let Work::Talent { file_kind, .. } = work
            && cb_talent::import::Kind::parse(file_kind).is_none()
        {
            return Err(AppError::Invalid(format!(
                "kind `{file_kind}`; expected people, courses, grades, evaluations, competitions, certificates or awards / 未知的导入类型"
            )));
        }
        let spec = serde_json::to_string(work)
            .map_err(|e| AppError::Internal(format!("a task's spec: {e}")))?;
        let queued_by = caller.audit_name();
        let org_id = self.org_of(caller).await?;
        Ok(self
            .app
            .store()
            .task_queue(
                &NewTask {
                    kind: work.kind(),
                    spec: &spec,
                    file_name: name,
                    file_size: size as i64,
                    org_id,
                    user_id: caller.user_id(),
                    queued_by: &queued_by,
                    content,
                    run_by,
                },
                crate::accounts::now(),
            )
            .await?)
    }

    /// Whose tasks the caller sees: `None` every organisation's (operators),
    /// `Some(org)` one's (school admins).
    async fn scope(&self, caller: &Caller) -> Result<Option<i64>, AppError> {
        if caller.is_operator() {
            return Ok(None);
        }
        let viewer = self.app.viewer(caller).await?;
        match (viewer.role(), &viewer.org) {
            (Some(UserRole::SchoolAdmin), Some(org)) => Ok(Some(org.id)),
            _ => Err(caller
                .refuse("see imports (operators; school admins their school's)")
                .into()),
        }
    }

    async fn org_of(&self, caller: &Caller) -> Result<Option<i64>, AppError> {
        Ok(match caller {
            Caller::User { .. } => {
                let viewer = self.app.viewer(caller).await?;
                match viewer.org {
                    Some(org) => Some(org.id),
                    None => {
                        return Err(AccessError::Unauthenticated { action: "import" }.into());
                    }
                }
            }
            _ => None,
        })
    }
}

impl From<ImportOutcome> for TaskResult {
    fn from(o: ImportOutcome) -> Self {
        TaskResult::Postings(o)
    }
}

impl From<TalentImportOutcome> for TaskResult {
    fn from(o: TalentImportOutcome) -> Self {
        TaskResult::Talent(o)
    }
}

/// The code and message a failed task keeps.
fn failure_of(e: &AppError) -> (&'static str, String) {
    let code = match e {
        AppError::Invalid(_) | AppError::Model(_) => "invalid",
        AppError::Access(_) => "forbidden",
        AppError::Conflict(_) | AppError::InProgress => "conflict",
        AppError::NotFound { .. } => "invalid",
        _ => "internal",
    };
    let message = if code == "internal" {
        tracing::error!(error = %e, "an import task failed");
        "the import stopped on an error of the server; its cause is in the server's log / 导入因服务器错误而中止，原因见服务器日志".to_string()
    } else {
        e.to_string()
    };
    (code, message)
}

/// Why a claimed task could not run.
enum Failed {
    App(AppError),
    /// Its workers kept stopping, or the process that could read its file did.
    Interrupted(&'static str),
}

impl From<AppError> for Failed {
    fn from(e: AppError) -> Self {
        Failed::App(e)
    }
}

impl From<cb_store::StoreError> for Failed {
    fn from(e: cb_store::StoreError) -> Self {
        Failed::App(e.into())
    }
}

/// Whether a failure means "not now" rather than "never": the database is
/// running another import, or this very file is being imported by another
/// worker (the task then finds it done).
fn try_later(e: &AppError) -> bool {
    match e {
        AppError::Busy { .. } => true,
        AppError::Store(s) => s.is_busy(),
        AppError::InProgress => true,
        _ => false,
    }
}

impl App {
    /// The import tasks: queue uploads, follow them, run CLI imports as tasks.
    pub fn tasks(&self) -> TaskService<'_> {
        TaskService { app: self }
    }

    /// This node's workers (see [`App::with_workers`]), each running queued
    /// tasks until `stop` says `true`.
    pub async fn run_workers(&self, stop: tokio::sync::watch::Receiver<bool>) {
        let mut all = tokio::task::JoinSet::new();
        for _ in 0..self.workers {
            let app = self.clone();
            let mut stop = stop.clone();
            all.spawn(async move {
                let name = worker_name("node");
                app.work(&name, async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await
            });
        }
        while all.join_next().await.is_some() {}
    }

    /// Runs queued tasks until `stop` resolves: claims the oldest, runs it
    /// while saying it is alive, records its result, and looks again.
    /// Any number of workers, in any number of processes, may run at once.
    /// A task stopped halfway goes back to the queue, and the import it ran
    /// is resumed where its last batch ended once it counts as stale.
    pub async fn work(&self, name: &str, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        tracing::info!(worker = name, "worker started");
        let current = std::sync::Mutex::new(None::<i64>);
        loop {
            let ran = tokio::select! {
                r = self.run_one(name, &current) => r,
                _ = &mut stop => {
                    let id = current.lock().ok().and_then(|mut c| c.take());
                    if let Some(id) = id
                        && let Err(e) = self.store().task_release(id, name).await
                    {
                        tracing::warn!(task = id, error = %e, "a stopped worker could not give its task back; it will be taken over when stale");
                    }
                    break;
                }
            };
            let pause = match ran {
                Ok(true) => continue,
                Ok(false) => POLL_EVERY,
                Err(e) => {
                    tracing::warn!(worker = name, error = %e, "the worker could not reach the queue");
                    std::time::Duration::from_secs(2)
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = self.tasks_wake.notified() => {}
                _ = &mut stop => break,
            }
        }
        tracing::info!(worker = name, "worker stopped");
    }

    /// Claims and runs one task. `false`: nothing was waiting (or the task
    /// went back to the queue to be tried later).
    pub async fn work_once(&self, worker: &str) -> Result<bool, AppError> {
        self.run_one(worker, &std::sync::Mutex::new(None)).await
    }

    /// [`App::work_once`], noting in `current` the task it runs.
    async fn run_one(
        &self,
        worker: &str,
        current: &std::sync::Mutex<Option<i64>>,
    ) -> Result<bool, AppError> {
        let store = self.store();
        let now = crate::accounts::now();
        let Some(task) = store
            .task_claim(Claim {
                worker,
                now,
                stale_before: now - self.import_stale_after.as_secs() as i64,
            })
            .await?
        else {
            return Ok(false);
        };
        let id = task.id;
        // a worker stopped halfway gives this task back (a release of a task
        // already finished changes nothing)
        if let Ok(mut c) = current.lock() {
            *c = Some(id);
        }
        if task.attempts > 1 {
            tracing::warn!(task = id, attempt = task.attempts, file = %task.file_name, "taking over a task whose worker stopped");
        }
        match self.run_task(task, worker).await {
            Ok(Some(result)) => {
                self.finish_task(id, worker, Ok(result)).await?;
                Ok(true)
            }
            Ok(None) => Ok(true),
            Err(Failed::App(e)) if try_later(&e) => {
                tracing::info!(task = id, error = %e, "the task goes back to the queue for now");
                store.task_release(id, worker).await?;
                Ok(false)
            }
            Err(Failed::App(e)) => {
                self.finish_task(id, worker, Err(failure_of(&e))).await?;
                Ok(true)
            }
            Err(Failed::Interrupted(why)) => {
                self.finish_task(id, worker, Err(("interrupted", why.to_string())))
                    .await?;
                Ok(true)
            }
        }
    }

    /// Runs a claimed task. `Ok(None)`: another worker took it over.
    async fn run_task(&self, task: Task, worker: &str) -> Result<Option<TaskResult>, Failed> {
        if task.attempts > MAX_ATTEMPTS {
            return Err(Failed::Interrupted(
                "the workers running this import stopped three times; upload the file again / 运行该导入的进程三次中断，请重新上传文件",
            ));
        }
        let work: Work = serde_json::from_str(&task.spec)
            .map_err(|e| AppError::Internal(format!("task {}: unreadable spec: {e}", task.id)))?;
        let caller = self.task_caller(&task).await?;
        let Some(content) = self.store().task_file(task.id).await? else {
            // a CLI import's file is on the machine that ran it
            return Err(Failed::Interrupted(
                "the command that ran this import stopped; run it again to resume the import / 运行该导入的命令已中断，再次运行即可从中断处继续",
            ));
        };
        let size = content.len() as u64;
        let hash = cb_tabular::sha256_hex(&content[..])
            .map_err(|e| AppError::Internal(format!("hashing a task's file: {e}")))?;
        let file = ImportFile {
            name: task.file_name.clone(),
            hash,
            size,
            reader: Box::new(std::io::Cursor::new(content)),
        };
        let done = Arc::new(AtomicU64::new(0));
        let seen = done.clone();
        match work {
            Work::Postings {
                skip_bad_rows,
                crawl_date,
            } => {
                let opts = ImportOptions {
                    skip_bad_rows,
                    crawled: crawl_date,
                    mapping: None,
                };
                let run = async {
                    let mut progress = |d: u64, _: u64| seen.store(d, Ordering::Relaxed);
                    self.postings()
                        .import(&caller, file, opts, &mut progress)
                        .await
                };
                self.beating(task.id, worker, (done, size), run)
                    .await?
                    .map(|r| r.map(TaskResult::Postings))
                    .transpose()
                    .map_err(Failed::App)
            }
            Work::Talent {
                file_kind,
                skip_bad_rows,
            } => {
                let kind = cb_talent::import::Kind::parse(&file_kind).ok_or_else(|| {
                    AppError::Internal(format!(
                        "task {}: unknown talent kind `{file_kind}`",
                        task.id
                    ))
                })?;
                let today = chrono::Local::now().date_naive();
                let talent = self.talent();
                let run = talent.import(&caller, file, kind, skip_bad_rows, today);
                self.beating(task.id, worker, (done, size), run)
                    .await?
                    .map(|r| r.map(TaskResult::Talent))
                    .transpose()
                    .map_err(Failed::App)
            }
        }
    }

    /// Runs `run` while saying every so often that `worker` is alive and how
    /// far it got. `Ok(None)`: the task stopped being this worker's (another
    /// took it over), and `run` was dropped. The heartbeat is a task of its
    /// own: on SQLite it waits for the write lock `run` may hold, and `run`
    /// must go on meanwhile.
    async fn beating<T>(
        &self,
        id: i64,
        worker: &str,
        (done, size): (Arc<AtomicU64>, u64),
        run: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<Option<Result<T, AppError>>, AppError> {
        let every = (self.import_stale_after / 6).max(std::time::Duration::from_millis(200));
        let (lost, mut taken_over) = tokio::sync::oneshot::channel::<()>();
        let beat = {
            let app = self.clone();
            let worker = worker.to_string();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    let progress = (done.load(Ordering::Relaxed).min(size) as i64, size as i64);
                    match app
                        .store()
                        .task_beat(id, &worker, progress, crate::accounts::now())
                        .await
                    {
                        Ok(true) => {}
                        Ok(false) => {
                            let _ = lost.send(());
                            return;
                        }
                        // a beat missed is not the end: the next may get through,
                        // and if none does the task goes to another worker
                        Err(e) => {
                            tracing::warn!(task = id, error = %e, "a task's heartbeat failed")
                        }
                    }
                }
            })
        };
        let out = tokio::select! {
            r = run => Some(r),
            Ok(()) = &mut taken_over => {
                tracing::warn!(task = id, worker, "another worker took this task over; stopping");
                None
            }
        };
        beat.abort();
        Ok(out)
    }

    async fn finish_task(
        &self,
        id: i64,
        worker: &str,
        result: Result<TaskResult, (&'static str, String)>,
    ) -> Result<(), AppError> {
        let outcome = match result {
            Ok(mut result) => {
                let rejected = result.rejected_mut();
                let rejected_total = rejected.len() as u64;
                rejected.truncate(REJECTED_KEPT);
                Ok(serde_json::to_string(&Stored {
                    rejected_total,
                    result,
                })
                .map_err(|e| AppError::Internal(format!("a task's result: {e}")))?)
            }
            Err(failed) => Err(failed),
        };
        let stored = match &outcome {
            Ok(json) => Ok(json.as_str()),
            Err((code, message)) => Err((*code, message.as_str())),
        };
        if !self
            .store()
            .task_finish(id, worker, stored, crate::accounts::now())
            .await?
        {
            tracing::warn!(
                task = id,
                worker,
                "the task was taken over before it finished here"
            );
        }
        self.tasks_done.notify_waiters();
        Ok(())
    }

    /// Who a task runs as: the user who queued it, as they are now (an
    /// account disabled meanwhile may not), or the platform itself.
    async fn task_caller(&self, task: &Task) -> Result<Caller, AppError> {
        let Some(user_id) = task.user_id else {
            let label = task
                .queued_by
                .strip_prefix("system:")
                .unwrap_or(&task.queued_by);
            return Ok(Caller::system(label));
        };
        match self.store().user(user_id).await? {
            Some(u) if !u.disabled && !u.must_change => Ok(Caller::user(u.id, u.org_id, u.role)),
            _ => Err(AccessError::Forbidden {
                action: "run this import: the account that queued it is disabled or must change its password / 提交该导入的账号已停用或须修改密码",
            }
            .into()),
        }
    }
}
