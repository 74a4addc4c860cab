//! The posting service: import files of postings (operators only), count and
//! list what was imported.

use crate::{App, AppError};
use cb_core::Caller;
use cb_postings::contract::Engine;
use cb_postings::dedupe::{Candidate, Deduper, Verdict, norm_employer, norm_title, simhash};
use cb_postings::import::{self, Context, ParsedPosting, Record, RowError, Shape};
use cb_store::postings::{
    ImportEnd, ImportRecord, ImportStart, NewPosting, PostingRef, Reclassified, SourceLink,
};
use chrono::NaiveDate;
use serde::Serialize;
use std::io::Read;
use std::sync::Arc;

/// Records parsed per batch (in parallel) and written per statement group.
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
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    pub error: RowError,
    pub raw: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub import_id: i64,
    /// The same content was imported before: nothing was done.
    pub already_imported: bool,
    pub shape: String,
    pub rows_read: u64,
    pub postings_new: u64,
    pub duplicates: u64,
    pub rejected: Vec<Rejected>,
}

/// What the parsing thread hands to the writer.
enum Batch {
    Rows {
        postings: Vec<NewPosting>,
        links: Vec<SourceLink>,
        bytes: u64,
    },
    Done {
        rows_read: u64,
        duplicates: u64,
        rejected: Vec<Rejected>,
    },
    Failed(AppError),
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
        };
        if let Some(prev) = store.import_by_hash(&file.hash).await? {
            return Ok(already(prev));
        }
        let _importing = self.app.begin_import(&file.hash).await?;
        let hash = file.hash.clone();
        match self.import_claimed(caller, file, opts, progress).await {
            // another node imported the same file first
            Err(AppError::Store(cb_store::StoreError::Duplicate { .. })) => {
                match store.import_by_hash(&hash).await? {
                    Some(prev) => Ok(already(prev)),
                    None => Err(AppError::Conflict(
                        "this file is being imported now / 该文件正在导入".into(),
                    )),
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
        let mut deduper: Deduper<PostingRef> = Deduper::default();
        let stored = store.dedupe_index().await?;
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
        let engine = self.app.engine();
        let ImportFile {
            name,
            hash,
            size,
            reader,
        } = file;
        // shape first, so the import record can name it
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(2);
        let (shape_tx, shape_rx) = tokio::sync::oneshot::channel::<Result<Shape, AppError>>();
        let thread_name = name.clone();
        let parser = std::thread::spawn(move || {
            parse_file(&thread_name, reader, opts, engine, deduper, shape_tx, tx)
        });
        let shape = match shape_rx.await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                return Err(AppError::Invalid(format!(
                    "{name}: the file could not be read"
                )));
            }
        };
        let start = ImportStart {
            file_name: name.clone(),
            file_hash: hash,
            shape: shape.name.clone(),
            source: shape.source.clone(),
        };
        let mut session = store.begin_import(caller, &start).await?;
        let mut written = 0u64;
        let outcome = loop {
            match rx.recv().await {
                Some(Batch::Rows {
                    postings,
                    links,
                    bytes,
                }) => {
                    session.write(&postings, &links).await?;
                    written += postings.len() as u64;
                    progress(bytes.min(size), size);
                }
                Some(Batch::Done {
                    rows_read,
                    duplicates,
                    rejected,
                }) => {
                    let end = ImportEnd {
                        file_name: name.clone(),
                        rows_read,
                        duplicates,
                        rejected: rejected.len() as u64,
                    };
                    let import_id = session.finish(caller, &end).await?;
                    if let Some(version) = &first_import {
                        store.record_classifier(version).await?;
                    }
                    progress(size, size);
                    break ImportOutcome {
                        import_id,
                        already_imported: false,
                        shape: shape.name.clone(),
                        rows_read,
                        postings_new: written,
                        duplicates,
                        rejected,
                    };
                }
                Some(Batch::Failed(e)) => return Err(e),
                None => {
                    return Err(AppError::Invalid(format!(
                        "{name}: reading stopped unexpectedly"
                    )));
                }
            }
        };
        let _ = parser.join();
        Ok(outcome)
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
    mut deduper: Deduper<PostingRef>,
    shape_tx: tokio::sync::oneshot::Sender<Result<Shape, AppError>>,
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
    let mut records = records.peekable();
    while records.peek().is_some() {
        let batch: Vec<Record> = records.by_ref().take(BATCH).collect();
        let bytes = batch.last().map(|r| r.offset).unwrap_or(0);
        rows_read += batch.len() as u64;
        let chunk = batch.len().div_ceil(threads).max(1);
        // parsing, extraction and the dedupe fields run on every core; only the
        // dedupe decision itself is sequential (it depends on file order)
        let parsed: Vec<Result<NewPosting, RowError>> = std::thread::scope(|s| {
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
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
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
        if tx
            .blocking_send(Batch::Rows {
                postings,
                links,
                bytes,
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
