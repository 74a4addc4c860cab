//! Services. Every call takes the [`Caller`] and decides there whether the
//! caller may do it; the web pages, the JSON API and the CLI all go through
//! these, so access control lives in one place.
//!
//! Architecture invariant: no HTTP and no SQL here. Services compose the
//! domain crates with the [`Store`].

mod accounts;
mod demo;
mod framework;
mod insight;
mod jobs;
mod postings;
mod session;
mod sync;
mod talent;
mod tasks;

pub use accounts::*;
pub use demo::DEMO_ACCOUNTS;
pub use framework::*;
pub use insight::*;
pub use jobs::*;
pub use postings::*;
pub use session::{
    ACCOUNT_FREE_FAILURES, ACCOUNT_MAX_DELAY, CLIENT_MAX_FAILURES, FAILURE_WINDOW, SESSION_TTL,
    account_delay, random_token,
};
pub use sync::SYNC_EVERY;
pub use talent::*;
pub use tasks::{
    MAX_ATTEMPTS, REJECTED_KEPT, TaskFailure, TaskResult, TaskService, TaskState, TaskView, Upload,
    Work, worker_name,
};
/// The talent pool's records as the services return them.
pub mod records {
    pub use cb_core::accounts::{ApiToken, Org, User};
    pub use cb_postings::publish::Job;
    pub use cb_store::AuditEntry;
    pub use cb_store::postings::{PostingDetail, PostingSummary};
    pub use cb_talent::pool::{Cohort, CohortSummary, Correction, Course, Person, Program, School};
}

use cb_competency::{Catalog, ModelError, bundled};
use cb_core::{AccessError, Caller};
use cb_postings::Classifier;
use cb_postings::contract::Engine;
use cb_store::{Store, StoreError};
use std::sync::{Arc, RwLock};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{what} `{id}` not found / 未找到{what_zh} `{id}`")]
    NotFound {
        what: &'static str,
        what_zh: &'static str,
        id: String,
    },
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("{0}")]
    Invalid(String),
    #[error(
        "too many failed attempts; try again in {retry_after_s} s / 失败次数过多，请 {retry_after_s} 秒后再试"
    )]
    TooManyAttempts { retry_after_s: u64 },
    /// The request collides with one in progress (the same file being
    /// imported now): a 409.
    #[error("{0}")]
    Conflict(String),
    /// This very file is being imported now (by this node or another):
    /// a 409 to the caller, and for a queued task a reason to try later.
    #[error(
        "this file is being imported now; its result will be in the import history / 该文件正在导入，结果将显示在导入记录中"
    )]
    InProgress,
    /// The node is doing as much of this as it does at once: try again later.
    #[error(
        "the server is busy with other imports; try again in {retry_after_s} s / 服务器正在处理其他导入，请 {retry_after_s} 秒后再试"
    )]
    Busy { retry_after_s: u64 },
    /// A failure of the server itself (a worker that died): a 500 with its cause logged.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The demand index and the done imports it holds.
pub(crate) type DemandCache = (
    Arc<cb_insight::DemandIndex>,
    std::collections::BTreeSet<i64>,
);

/// The supply figures and the day they are computed for.
pub(crate) struct SupplyCache {
    pub(crate) index: cb_talent::supply::SupplyIndex,
    pub(crate) as_of: chrono::NaiveDate,
}

/// The running application: the store and a cached, indexed copy of the
/// reference data (the competency model changes only by operator action).
#[derive(Clone)]
pub struct App {
    store: Store,
    catalog: Arc<RwLock<Arc<Catalog>>>,
    engine: Arc<RwLock<Arc<Engine>>>,
    /// SHA-256 of the operator token configured for scripts, if any.
    operator_token: Option<[u8; 32]>,
    /// Profile engines per program, built on first use; forgotten when
    /// programs or the model change.
    pub(crate) engines: Arc<std::sync::Mutex<Option<Arc<talent::ProgramEngines>>>>,
    /// The demand index and the imports it holds; built on first use.
    pub(crate) demand: Arc<tokio::sync::Mutex<Option<DemandCache>>>,
    /// The hash an unknown user name is checked against (see [`session::DummyHash`]).
    pub(crate) dummy: Arc<session::DummyHash>,
    /// Supply figures over the talent pool, built on first use and kept
    /// current as evidence arrives.
    pub(crate) supply: Arc<tokio::sync::Mutex<Option<SupplyCache>>>,
    /// While the supply figures of a new day are built in the background:
    /// the people whose record changed meanwhile, to apply to the new
    /// figures when they arrive (see `TalentService::supply_as_of`).
    pub(crate) supply_next: Arc<std::sync::Mutex<Option<Vec<i64>>>>,
    /// Where this node is in the change feed (see [`sync`]).
    feed: Arc<tokio::sync::Mutex<sync::Feed>>,
    /// Whether this node builds its indexes in the background (a server,
    /// see [`App::warm_up`]) and whether it is doing so now.
    warming: Arc<sync::Warming>,
    /// Imports this node runs at once, and how long the next waits its turn.
    import_slots: Arc<tokio::sync::Semaphore>,
    import_wait: std::time::Duration,
    /// How long a running import's process may be silent before another
    /// process takes its import over (resumes or discards it).
    import_stale_after: std::time::Duration,
    /// The files (by content hash) this node is importing now.
    importing: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    /// Proxies whose `X-Forwarded-For` names the real client.
    trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    /// How many workers a server node runs (see [`App::run_workers`]).
    workers: usize,
    /// Wakes this node's idle workers when it queues a task.
    pub(crate) tasks_wake: Arc<tokio::sync::Notify>,
    /// Wakes this node's waiters when one of its workers finishes a task.
    pub(crate) tasks_done: Arc<tokio::sync::Notify>,
}

/// A file claimed for import on this node: released when dropped.
pub(crate) struct Importing {
    hash: String,
    set: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    _slot: tokio::sync::OwnedSemaphorePermit,
}

impl Drop for Importing {
    fn drop(&mut self) {
        if let Ok(mut set) = self.set.lock() {
            set.remove(&self.hash);
        }
    }
}

/// Imports one node runs at once (each may hold a file's records, its
/// deduplication keys and a write transaction).
pub const IMPORTS_AT_ONCE: usize = 2;
/// How long an import waits for a free slot before it is told to retry.
pub const IMPORT_WAIT: std::time::Duration = std::time::Duration::from_secs(60);
/// How long a running import may be silent before it counts as crashed. It
/// says it is alive six times as often.
pub const IMPORT_STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

fn engine_for(model: &cb_competency::CompetencyModel) -> Arc<Engine> {
    Arc::new(Engine::new(Classifier::new(Arc::new(model.clone()))))
}

impl App {
    /// Opens the database, brings its schema up to date, installs the bundled
    /// competency model if the database has none, and loads it.
    /// Connects, migrates and installs the model if none is. Processes that
    /// open a new SQLite file at the same moment can find it locked while
    /// another sets it up (its journal mode, its schema): such an open is
    /// tried again, a few times, after a short wait.
    pub async fn open(database_url: &str) -> Result<App, AppError> {
        let mut attempt = 0u64;
        loop {
            let opened = async {
                let store = Store::connect(database_url).await?;
                store.migrate().await?;
                Self::with_store(store).await
            }
            .await;
            match opened {
                Err(AppError::Store(e)) if e.is_busy() && attempt < 5 => {
                    attempt += 1;
                    tracing::debug!(error = %e, attempt, "the database is busy being set up; opening again");
                    tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
                }
                other => return other,
            }
        }
    }

    pub async fn with_store(store: Store) -> Result<App, AppError> {
        let model = match store.load_model().await? {
            // a model installed before migration 0006 (certificate skills, Chinese
            // area titles) or 0012 (Chinese work role titles): the shipped model
            // brings them
            Some(m)
                if m.certifications.iter().all(|c| c.skill_ids.is_empty())
                    || m.competency_areas.iter().any(|a| a.title_zh.is_empty())
                    || m.work_roles.iter().any(|w| w.title_zh.is_empty()) =>
            {
                let shipped = bundled::model()?;
                tracing::info!(
                    "installing the shipped competency model: the stored one predates certificate skills or Chinese NICE titles"
                );
                store
                    .replace_model(&Caller::system("upgrade"), &shipped, &mut |_, _| {})
                    .await?;
                shipped
            }
            Some(m) => m,
            None => {
                let m = bundled::model()?;
                // several nodes may start on an empty database at once: one installs
                if store
                    .install_model(&Caller::system("first-start"), &m)
                    .await?
                {
                    m
                } else {
                    tracing::info!("another process installed the competency model");
                    store.load_model().await?.unwrap_or(m)
                }
            }
        };
        let feed = sync::Feed::new(store.last_change().await?);
        let external = store.load_external().await?;
        let engine = Arc::new(RwLock::new(engine_for(&model)));
        let catalog = Arc::new(RwLock::new(Arc::new(Catalog::new(model, external))));
        let app = App {
            store,
            catalog,
            engine,
            operator_token: None,
            demand: Arc::new(tokio::sync::Mutex::new(None)),
            engines: Arc::new(std::sync::Mutex::new(None)),
            dummy: Arc::new(session::DummyHash::default()),
            supply: Arc::new(tokio::sync::Mutex::new(None)),
            supply_next: Arc::default(),
            feed: Arc::new(tokio::sync::Mutex::new(feed)),
            warming: Arc::default(),
            import_slots: Arc::new(tokio::sync::Semaphore::new(IMPORTS_AT_ONCE)),
            import_wait: IMPORT_WAIT,
            import_stale_after: IMPORT_STALE_AFTER,
            importing: Arc::default(),
            trusted_proxies: Arc::default(),
            workers: 1,
            tasks_wake: Arc::default(),
            tasks_done: Arc::default(),
        };
        app.follow_changes();
        Ok(app)
    }

    /// Trusts these proxies (the TLS front end) to say, in `X-Forwarded-For`,
    /// which client a request came from; from anyone else the header is
    /// ignored.
    pub fn with_trusted_proxies(mut self, proxies: Vec<std::net::IpAddr>) -> Self {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    /// The client a request came from: the peer, or, when the peer is a
    /// trusted proxy, the right-most address in `forwarded_for` that is not
    /// one (the left-most ones a client may have written itself).
    pub fn client_address(
        &self,
        peer: Option<std::net::IpAddr>,
        forwarded_for: &[&str],
    ) -> Option<std::net::IpAddr> {
        let trusted = |a: &std::net::IpAddr| self.trusted_proxies.contains(a);
        let peer = peer?;
        if !trusted(&peer) {
            return Some(peer);
        }
        let mut chain: Vec<std::net::IpAddr> = Vec::new();
        for h in forwarded_for {
            for part in h.split(',') {
                match part.trim().parse() {
                    Ok(a) => chain.push(a),
                    // a malformed hop: nothing left of it can be believed
                    Err(_) => chain.clear(),
                }
            }
        }
        Some(
            chain
                .into_iter()
                .rev()
                .find(|a| !trusted(a))
                .unwrap_or(peer),
        )
    }

    /// Runs at most `at_once` imports at a time on this node, each waiting at
    /// most `wait` for its turn (defaults: [`IMPORTS_AT_ONCE`], [`IMPORT_WAIT`]).
    /// Counts a running import as crashed (to be resumed or discarded) after
    /// its process has been silent this long (default [`IMPORT_STALE_AFTER`],
    /// at least 3 s).
    pub fn with_import_stale_after(mut self, after: std::time::Duration) -> Self {
        self.import_stale_after = after.max(std::time::Duration::from_secs(3));
        self
    }

    /// How many import workers a server node runs (0: none; a `cyberbridge
    /// worker` process elsewhere runs the queue).
    pub fn with_workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    pub fn with_import_slots(mut self, at_once: usize, wait: std::time::Duration) -> Self {
        self.import_slots = Arc::new(tokio::sync::Semaphore::new(at_once.max(1)));
        self.import_wait = wait;
        self
    }

    /// Claims the file with content `hash` for import on this node and waits
    /// for a slot: a file this node is importing now is a conflict (another
    /// node importing it is stopped by the store's unique file hash).
    pub(crate) async fn begin_import(&self, hash: &str) -> Result<Importing, AppError> {
        {
            let mut set = self.importing.lock().map_err(|_| {
                AppError::Internal("the list of imports running here is poisoned".into())
            })?;
            if !set.insert(hash.to_string()) {
                return Err(AppError::InProgress);
            }
        }
        let release = |set: &std::sync::Mutex<std::collections::HashSet<String>>| {
            if let Ok(mut s) = set.lock() {
                s.remove(hash);
            }
        };
        match self.import_slot().await {
            Ok(slot) => Ok(Importing {
                hash: hash.to_string(),
                set: self.importing.clone(),
                _slot: slot,
            }),
            Err(e) => {
                release(&self.importing);
                Err(e)
            }
        }
    }

    /// A turn to import: waits for one of this node's import slots, or says
    /// the node is busy. Every import holds one while it reads and writes.
    pub async fn import_slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
        let busy = || AppError::Busy {
            retry_after_s: self.import_wait.as_secs().clamp(5, 60),
        };
        match tokio::time::timeout(self.import_wait, self.import_slots.clone().acquire_owned())
            .await
        {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) | Err(_) => Err(busy()),
        }
    }

    /// Lets the platform's own scripts act as the system with
    /// `Authorization: Bearer <token>` (people use accounts and their API
    /// tokens). Only a hash is kept.
    pub fn with_operator_token(mut self, token: Option<&str>) -> Self {
        self.operator_token = token
            .filter(|t| !t.is_empty())
            .map(|t| cb_tabular::sha256_bytes(t.as_bytes()));
        self
    }

    /// The store, for the services only: the web layer and the binary go
    /// through the services (the tidy test holds them to it).
    #[cfg(not(feature = "test-support"))]
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// The store, for tests that look under the services (`test-support`).
    #[cfg(feature = "test-support")]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Which database this node uses.
    pub fn backend(&self) -> cb_store::Backend {
        self.store.backend()
    }

    /// Whether the database answers (the health check).
    pub async fn ping(&self) -> Result<(), AppError> {
        Ok(self.store.ping().await?)
    }

    /// Closes the database connections (a command that is done).
    pub async fn close(&self) {
        self.store.close().await
    }

    /// The current catalog snapshot.
    pub(crate) fn catalog(&self) -> Arc<Catalog> {
        match self.catalog.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reloads the catalog from the store (after a change of reference data).
    pub(crate) async fn reload(&self) -> Result<(), AppError> {
        let model = self.store.load_model().await?.unwrap_or_default();
        let external = self.store.load_external().await?;
        let engine = engine_for(&model);
        match self.engine.write() {
            Ok(mut g) => *g = engine,
            Err(poisoned) => *poisoned.into_inner() = engine,
        }
        let fresh = Arc::new(Catalog::new(model, external));
        match self.catalog.write() {
            Ok(mut g) => *g = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        // profiles depend on the model: rebuilt on next use
        self.forget_engines();
        *self.supply.lock().await = None;
        *self.demand.lock().await = None;
        Ok(())
    }

    pub(crate) fn forget_engines(&self) {
        match self.engines.lock() {
            Ok(mut g) => *g = None,
            Err(poisoned) => *poisoned.into_inner() = None,
        }
    }

    /// The current extraction engine snapshot.
    pub(crate) fn engine(&self) -> Arc<Engine> {
        match self.engine.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn talent(&self) -> TalentService<'_> {
        TalentService { app: self }
    }

    pub fn postings(&self) -> PostingService<'_> {
        PostingService { app: self }
    }

    pub fn framework(&self) -> FrameworkService<'_> {
        FrameworkService { app: self }
    }
}
