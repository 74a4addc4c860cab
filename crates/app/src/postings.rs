//! The posting service: import files of postings (operators only), count and
//! list what was imported.

use crate::{App, AppError};
use cb_core::Caller;
use cb_postings::contract::Engine;
use cb_postings::dedupe::{Candidate, Deduper, Verdict, norm_employer, norm_title, simhash};
use cb_postings::import::{self, Context, ParsedPosting, Record, RowError, Shape};
use cb_store::postings::{
    ImportCounts, ImportEnd, ImportRecord, ImportStart, NewPosting, PostingRef, Reclassified,
    SourceLink,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::sync::Arc;

/// Records parsed per batch (in parallel) and written per transaction.
const BATCH: usize = 8192;

pub struct PostingService<'a> {
    pub(crate) app: &'a App,
}

/// A file to import: its name (the extension gives the format), the SHA-256
/// of its content, its size (for progress) and a reader over it.
pub struct ImportFile {
    pub name: String,
    pub hash: String,
    pub size: u64,
    pub reader: Box<dyn Read + Send>,
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Reject bad rows (returned in the outcome) instead of stopping.
    pub skip_bad_rows: bool,
    /// Resolves relative dates such as `昨天 14:47`.
    pub crawled: Option<NaiveDate>,
    /// Column mapping for files of an unknown shape.
    pub mapping: Option<Shape>,
}

/// A row the import refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rejected {
    pub error: RowError,
    pub raw: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub import_id: i64,
    /// The same content was imported before: nothing was done.
    pub already_imported: bool,
    pub shape: String,
    pub rows_read: u64,
    pub postings_new: u64,
    pub duplicates: u64,
    /// The rows refused by this run (a resumed import's earlier run reported its own).
    pub rejected: Vec<Rejected>,
    /// The records an interrupted run had done when this one resumed it (0: not resumed).
    pub resumed_after_rows: u64,
}

/// What the parsing thread hands to the writer.
enum Batch {
    Rows {
        postings: Vec<NewPosting>,
        links: Vec<SourceLink>,
        bytes: u64,
        /// What the thread has read so far.
        done: ImportCounts,
    },
    Done {
        rows_read: u64,
        duplicates: u64,
        rejected: Vec<Rejected>,
    },
    Failed(AppError),
}

/// What the parsing thread needs once the import has its place: the
/// deduplication index and how many records a resumed import has done.
struct Go {
    deduper: Deduper<PostingRef>,
    skip: u64,
}

fn candidate(p: &ParsedPosting, employer_norm: &str, title_norm: &str, hash: u64) -> Candidate {
    Candidate {
        source: p.source.clone(),
        source_id: p.source_id.clone(),
        employer_norm: employer_norm.to_string(),
        title_norm: title_norm.to_string(),
        city: p.location.city.clone().unwrap_or_default(),
        posted_at: p.posted_at,
        simhash: hash,
    }
}

impl PostingService<'_> {
    /// Imports one file as one transaction. Re-importing the same content is a
    /// no-op. Without `skip_bad_rows`, the first bad row stops the import and
    /// nothing is written. `progress(bytes read, bytes in all)`.
    pub async fn import(
        &self,
        caller: &Caller,
        file: ImportFile,
        opts: ImportOptions,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<ImportOutcome, AppError> {
        caller.require_write("import postings")?;
        caller.require_operator("import postings")?;
        let store = self.app.store();
        let already = |prev: cb_store::postings::ImportRecord| ImportOutcome {
            import_id: prev.id,
            already_imported: true,
            shape: prev.shape,
            rows_read: prev.rows_read as u64,
            postings_new: 0,
            duplicates: 0,
            rejected: Vec::new(),
            resumed_after_rows: 0,
        };
        if let Some(prev) = store.import_by_hash(&file.hash).await?
            && prev.is_done()
        {
            return Ok(already(prev));
        }
        let _importing = self.app.begin_import(&file.hash).await?;
        let hash = file.hash.clone();
        match self.import_claimed(caller, file, opts, progress).await {
            // another node imported the same file first
            Err(AppError::Store(cb_store::StoreError::Duplicate { .. })) => {
                match store.import_by_hash(&hash).await? {
                    Some(prev) if prev.is_done() => Ok(already(prev)),
                    _ => Err(AppError::InProgress),
                }
            }
            other => other,
        }
    }

    async fn import_claimed(
        &self,
        caller: &Caller,
        file: ImportFile,
        opts: ImportOptions,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<ImportOutcome, AppError> {
        let store = self.app.store();
        let engine = self.app.engine();
        let ImportFile {
            name,
            hash,
            size,
            reader,
        } = file;
        // the shape first, so the import record can name it; the thread then
        // waits until the import has its place in the database
        let (tx, rx) = tokio::sync::mpsc::channel::<Batch>(2);
        let (shape_tx, shape_rx) = tokio::sync::oneshot::channel::<Result<Shape, AppError>>();
        let (go_tx, go_rx) = std::sync::mpsc::sync_channel::<Go>(1);
        let thread_name = name.clone();
        let parser = std::thread::spawn(move || {
            parse_file(&thread_name, reader, opts, engine, shape_tx, go_rx, tx)
        });
        let shape = match shape_rx.await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                return Err(AppError::Internal(format!(
                    "{name}: the reading thread stopped before it named the file's shape"
                )));
            }
        };
        let start = ImportStart {
            file_name: name.clone(),
            file_hash: hash.clone(),
            shape: shape.name.clone(),
            source: shape.source.clone(),
        };
        let mut session = self.claim(caller, &start).await?;
        let before = session.resumed_from();
        let go = async {
            let mut deduper: Deduper<PostingRef> = Deduper::default();
            let stored = store
                .dedupe_index((before.rows_read > 0).then(|| session.import_id()))
                .await?;
            // the first postings of a store carry this binary's weights: nothing to re-classify later
            let first_import = stored
                .is_empty()
                .then(|| self.app.engine().classifier.version().to_string());
            for k in stored {
                let c = Candidate {
                    source: k.source,
                    source_id: k.source_id,
                    employer_norm: k.employer_norm,
                    title_norm: k.title_norm,
                    city: k.city,
                    posted_at: k
                        .posted_at
                        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                    simhash: k.simhash as u64,
                };
                deduper.check(&c, PostingRef::Stored(k.posting_id));
            }
            go_tx
                .send(Go {
                    deduper,
                    skip: before.rows_read,
                })
                .map_err(|_| {
                    AppError::Internal(format!("{name}: the reading thread stopped early"))
                })?;
            Ok::<_, AppError>(first_import)
        };
        let written = match go.await {
            Ok(first_import) => self
                .write_batches(caller, &name, size, &mut session, rx, progress)
                .await
                .map(|o| (o, first_import)),
            Err(e) => Err(e),
        };
        let _ = parser.join();
        match written {
            Ok((outcome, first_import)) => {
                if let Some(version) = &first_import {
                    store.record_classifier(version).await?;
                }
                Ok(ImportOutcome {
                    shape: shape.name.clone(),
                    ..outcome
                })
            }
            Err(e) => {
                if let Err(why) = session.abandon().await {
                    tracing::error!(file = %name, error = %why, "a failed import could not be removed; the next import will remove it");
                }
                Err(e)
            }
        }
    }

    /// Gives this import the database's one running place: a new import, or
    /// the stale import of the same file resumed. An import another process is
    /// running is waited for (at most the import wait, then `Busy`); a stale
    /// import of another file is discarded.
    async fn claim(
        &self,
        caller: &Caller,
        start: &ImportStart,
    ) -> Result<cb_store::ImportSession, AppError> {
        let store = self.app.store();
        let stale_after = self.app.import_stale_after.as_secs() as i64;
        let deadline = tokio::time::Instant::now() + self.app.import_wait;
        loop {
            let now = crate::accounts::now();
            let stale_before = now - stale_after;
            let running = match store.running_import().await? {
                None => match store.begin_import(caller, start, now).await? {
                    Ok(session) => return Ok(session),
                    Err(running) => running,
                },
                Some(r) => r,
            };
            if running.file_hash == start.file_hash {
                if running.heartbeat >= stale_before {
                    return Err(AppError::InProgress);
                }
                if let Some(session) = store
                    .resume_import(caller, running.id, stale_before, now)
                    .await?
                {
                    tracing::info!(file = %start.file_name, rows = running.rows_read, "resuming an interrupted import");
                    return Ok(session);
                }
                continue;
            }
            if running.heartbeat < stale_before {
                if store.discard_import(running.id, stale_before, now).await? {
                    tracing::warn!(file = %running.file_name, rows = running.rows_read, "discarded an interrupted import of another file");
                }
                continue;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(AppError::Busy { retry_after_s: 60 });
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }

    /// Writes the reading thread's batches, each in its own transaction, and
    /// makes the import visible when the last is written.
    async fn write_batches(
        &self,
        caller: &Caller,
        name: &str,
        size: u64,
        session: &mut cb_store::ImportSession,
        mut rx: tokio::sync::mpsc::Receiver<Batch>,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<ImportOutcome, AppError> {
        let before = session.resumed_from();
        let mut beat = tokio::time::interval(self.app.import_stale_after / 6);
        let mut written = 0u64;
        loop {
            let batch = tokio::select! {
                b = rx.recv() => b,
                _ = beat.tick() => {
                    session.heartbeat(crate::accounts::now()).await?;
                    continue;
                }
            };
            match batch {
                Some(Batch::Rows {
                    postings,
                    links,
                    bytes,
                    done,
                }) => {
                    session
                        .write(&postings, &links, &done, crate::accounts::now())
                        .await?;
                    written += postings.len() as u64;
                    progress(bytes.min(size), size);
                }
                Some(Batch::Done {
                    rows_read,
                    duplicates,
                    rejected,
                }) => {
                    let end = ImportEnd {
                        file_name: name.to_string(),
                        rows_read,
                        duplicates,
                        rejected: rejected.len() as u64,
                    };
                    let import_id = session.finish(caller, &end).await?;
                    progress(size, size);
                    return Ok(ImportOutcome {
                        import_id,
                        already_imported: false,
                        shape: String::new(),
                        rows_read: before.rows_read + rows_read,
                        postings_new: before.postings_new + written,
                        duplicates: before.duplicates + duplicates,
                        rejected,
                        resumed_after_rows: before.rows_read,
                    });
                }
                Some(Batch::Failed(e)) => return Err(e),
                None => {
                    return Err(AppError::Internal(format!(
                        "{name}: the reading thread stopped without a result"
                    )));
                }
            }
        }
    }

    /// Re-classifies every stored posting whose classification came from other
    /// weights than this binary's (`data/classifier/model.tsv`): pages of 2,000
    /// classified on every core, each page written with its cursor in one
    /// transaction (an interrupted run resumes there, from any node). Returns how
    /// many postings were re-classified (0 when they were current).
    pub async fn reclassify(
        &self,
        caller: &Caller,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<u64, AppError> {
        caller.require_write("re-classify postings")?;
        caller.require_operator("re-classify postings")?;
        const PAGE: i64 = 2000;
        let store = self.app.store();
        let engine = self.app.engine();
        let target = engine.classifier.version().to_string();
        let state = store.classifier_state().await?;
        let mut after = match &state {
            Some((version, _, _)) if *version == target => return Ok(0),
            Some((_, t, through)) if *t == target => *through,
            _ => 0,
        };
        let total = store.posting_count().await?.max(0) as u64;
        let mut done = 0u64;
        loop {
            let page = store.posting_texts(after, PAGE).await?;
            let last = page.last().map(|p| p.0);
            let finished = (page.len() as i64) < PAGE;
            let engine = Arc::clone(&engine);
            let rows = tokio::task::spawn_blocking(move || classify_page(&engine, &page))
                .await
                .map_err(|e| {
                    AppError::Internal(format!("re-classification worker failed: {e}"))
                })??;
            let through = last.unwrap_or(after);
            store
                .reclassify_page(caller, &target, &rows, through, finished)
                .await?;
            done += rows.len() as u64;
            progress(done, total.max(done));
            after = through;
            if finished {
                break;
            }
        }
        *self.app.demand.lock().await = None;
        Ok(done)
    }

    pub async fn imports(&self, caller: &Caller) -> Result<Vec<ImportRecord>, AppError> {
        caller.require_operator("list imports")?;
        Ok(self.app.store().imports().await?)
    }

    /// A page of postings (public: job advertisements are public). `limit` is
    /// capped at 500.
    pub async fn list(
        &self,
        _caller: &Caller,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<cb_store::postings::PostingSummary>, AppError> {
        Ok(self
            .app
            .store()
            .postings_page(after_id.max(0), limit.clamp(1, 500))
            .await?)
    }

    /// Postings stored (deduplicated). Public: a count reveals nothing personal.
    pub async fn count(&self, _caller: &Caller) -> Result<i64, AppError> {
        Ok(self.app.store().posting_count().await?)
    }
}

/// The parsing thread: reads records, parses each batch on every core,
/// deduplicates in file order, and sends batches to the writer.
fn parse_file(
    name: &str,
    reader: Box<dyn Read + Send>,
    opts: ImportOptions,
    engine: Arc<Engine>,
    shape_tx: tokio::sync::oneshot::Sender<Result<Shape, AppError>>,
    go: std::sync::mpsc::Receiver<Go>,
    tx: tokio::sync::mpsc::Sender<Batch>,
) {
    let (headers, records) = match import::read(name, reader) {
        Ok(r) => r,
        Err(e) => {
            let _ = shape_tx.send(Err(AppError::Invalid(e.to_string())));
            return;
        }
    };
    let shape = match opts.mapping.clone().or_else(|| Shape::detect(&headers)) {
        // a generic file's source is its name: `acme-2024.csv` → `acme-2024`
        Some(mut s) if s.name == "generic" => {
            let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
            s.source = base
                .rsplit_once('.')
                .map_or(base, |(stem, _)| stem)
                .to_string();
            s
        }
        Some(s) => s,
        None => {
            let e = import::FileError::UnknownShape {
                file: name.to_string(),
                headers: headers.join(", "),
            };
            let _ = shape_tx.send(Err(AppError::Invalid(e.to_string())));
            return;
        }
    };
    if let Some(missing) = shape
        .columns
        .iter()
        .find(|(_, c)| !headers.iter().any(|h| h == c))
        .filter(|_| opts.mapping.is_some())
    {
        let _ = shape_tx.send(Err(AppError::Invalid(format!(
            "{name}: the mapping names column `{}`, which the file does not have (it has: {})",
            missing.1,
            headers.join(", ")
        ))));
        return;
    }
    if shape_tx.send(Ok(shape.clone())).is_err() {
        return;
    }
    let Ok(Go { mut deduper, skip }) = go.recv() else {
        return;
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let ctx = Context {
        file: name,
        shape: &shape,
        engine: &engine,
        crawled: opts.crawled,
    };
    let (mut rows_read, mut duplicates, mut new_count) = (0u64, 0u64, 0usize);
    let mut rejected = Vec::new();
    // source records already linked by this import (Lagou lists a posting once per category)
    let mut seen_in_import = std::collections::HashSet::new();
    // a resumed import goes on after the records its first run wrote
    let mut records = records
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .peekable();
    while records.peek().is_some() {
        let batch: Vec<Record> = records.by_ref().take(BATCH).collect();
        let bytes = batch.last().map(|r| r.offset).unwrap_or(0);
        rows_read += batch.len() as u64;
        let chunk = batch.len().div_ceil(threads).max(1);
        // parsing, extraction and the dedupe fields run on every core; only the
        // dedupe decision itself is sequential (it depends on file order)
        let parsed: Result<Vec<Result<NewPosting, RowError>>, _> = std::thread::scope(|s| {
            let handles: Vec<_> = batch
                .chunks(chunk)
                .map(|part| {
                    let ctx = &ctx;
                    s.spawn(move || {
                        part.iter()
                            .map(|r| {
                                import::parse_record(ctx, r).map(|p| NewPosting {
                                    employer_norm: norm_employer(&p.employer),
                                    title_norm: norm_title(&p.title),
                                    simhash: simhash(&p.description),
                                    parsed: p,
                                })
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join())
                .collect::<Result<Vec<Vec<_>>, _>>()
                .map(|parts| parts.into_iter().flatten().collect())
        });
        let Ok(parsed) = parsed else {
            // a worker panicked: its rows are not lost silently, the import fails
            let _ = tx.blocking_send(Batch::Failed(AppError::Internal(format!(
                "{name}: a parsing worker failed near byte {bytes}"
            ))));
            return;
        };
        let mut postings = Vec::new();
        let mut links = Vec::new();
        for (rec, result) in batch.iter().zip(parsed) {
            let n = match result {
                Ok(n) => n,
                Err(e) if opts.skip_bad_rows => {
                    rejected.push(Rejected {
                        error: e,
                        raw: rec.raw.clone(),
                    });
                    continue;
                }
                Err(e) => {
                    let _ = tx.blocking_send(Batch::Failed(AppError::Invalid(e.to_string())));
                    return;
                }
            };
            let p = &n.parsed;
            let c = candidate(p, &n.employer_norm, &n.title_norm, n.simhash);
            match deduper.check(&c, PostingRef::New(new_count)) {
                Verdict::New => {
                    links.push(SourceLink {
                        posting: PostingRef::New(new_count),
                        source: p.source.clone(),
                        source_id: p.source_id.clone(),
                        line: p.line,
                    });
                    seen_in_import.insert((p.source.clone(), p.source_id.clone()));
                    postings.push(n);
                    new_count += 1;
                }
                Verdict::SameSource(r) | Verdict::NearDuplicate(r) => {
                    duplicates += 1;
                    // keep the link to every source record, once per import
                    if seen_in_import.insert((p.source.clone(), p.source_id.clone())) {
                        links.push(SourceLink {
                            posting: r,
                            source: p.source.clone(),
                            source_id: p.source_id.clone(),
                            line: p.line,
                        });
                    }
                }
            }
        }
        let done = ImportCounts {
            rows_read,
            postings_new: new_count as u64,
            duplicates,
            rejected: rejected.len() as u64,
        };
        if tx
            .blocking_send(Batch::Rows {
                postings,
                links,
                bytes,
                done,
            })
            .is_err()
        {
            return;
        }
    }
    let _ = tx.blocking_send(Batch::Done {
        rows_read,
        duplicates,
        rejected,
    });
}

/// Classifies one page of stored postings on every core, in id order.
fn classify_page(
    engine: &Engine,
    page: &[(i64, String, String)],
) -> Result<Vec<Reclassified>, AppError> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let chunk = page.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = page
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|p| reclassified(engine, p))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(page.len());
        for h in handles {
            out.extend(
                h.join().map_err(|_| {
                    AppError::Internal("a re-classification worker panicked".into())
                })?,
            );
        }
        Ok(out)
    })
}

fn reclassified(engine: &Engine, (id, title, description): &(i64, String, String)) -> Reclassified {
    let c = engine.classifier.classify(title, description);
    let (skills, certifications) = c.term_ids(engine.classifier.model());
    Reclassified {
        id: *id,
        is_cyber: c.is_cyber,
        roles: c
            .roles
            .iter()
            .map(|r| (r.id.clone(), r.confidence))
            .collect(),
        platform_role: c
            .platform_roles
            .first()
            .map(|r| (r.id.clone(), r.confidence)),
        skills,
        certifications,
    }
}
