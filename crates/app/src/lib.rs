//! Services. Every call takes the [`Caller`] and decides there whether the
//! caller may do it; the web pages, the JSON API and the CLI all go through
//! these, so access control lives in one place.
//!
//! Architecture invariant: no HTTP and no SQL here. Services compose the
//! domain crates with the [`Store`].

mod framework;
mod postings;

pub use framework::*;
pub use postings::*;

use cb_competency::{Catalog, ModelError, bundled};
use cb_postings::Classifier;
use cb_postings::contract::Engine;
use cb_core::{AccessError, Caller};
use cb_store::{Store, StoreError};
use std::sync::{Arc, RwLock};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{what} `{id}` not found / 未找到{what_zh} `{id}`")]
    NotFound { what: &'static str, what_zh: &'static str, id: String },
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("{0}")]
    Invalid(String),
}

/// The running application: the store and a cached, indexed copy of the
/// reference data (the competency model changes only by operator action).
#[derive(Clone)]
pub struct App {
    store: Store,
    catalog: Arc<RwLock<Arc<Catalog>>>,
    engine: Arc<RwLock<Arc<Engine>>>,
}

fn engine_for(model: &cb_competency::CompetencyModel) -> Arc<Engine> {
    Arc::new(Engine::new(Classifier::new(Arc::new(model.clone()))))
}

impl App {
    /// Opens the database, brings its schema up to date, installs the bundled
    /// competency model if the database has none, and loads it.
    pub async fn open(database_url: &str) -> Result<App, AppError> {
        let store = Store::connect(database_url).await?;
        store.migrate().await?;
        Self::with_store(store).await
    }

    pub async fn with_store(store: Store) -> Result<App, AppError> {
        let model = match store.load_model().await? {
            Some(m) => m,
            None => {
                let m = bundled::model()?;
                store.replace_model(&Caller::system("first-start"), &m, &mut |_, _| {}).await?;
                m
            }
        };
        let external = store.load_external().await?;
        let engine = Arc::new(RwLock::new(engine_for(&model)));
        let catalog = Arc::new(RwLock::new(Arc::new(Catalog::new(model, external))));
        Ok(App { store, catalog, engine })
    }

    pub fn store(&self) -> &Store {
        &self.store
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
        Ok(())
    }

    /// The current extraction engine snapshot.
    pub(crate) fn engine(&self) -> Arc<Engine> {
        match self.engine.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn postings(&self) -> PostingService<'_> {
        PostingService { app: self }
    }

    pub fn framework(&self) -> FrameworkService<'_> {
        FrameworkService { app: self }
    }
}
