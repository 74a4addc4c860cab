//! `cyberbridge classify`: JSON Lines in on stdin, one JSON line out per
//! input line, in input order. Lines are processed in batches across the
//! machine's cores.

use cb_competency::bundled;
use cb_postings::Classifier;
use cb_postings::contract::Engine;
use std::io::{BufRead, BufWriter, Write};
use std::sync::Arc;

const BATCH: usize = 8192;

pub fn run() -> anyhow::Result<()> {
    let engine = Engine::new(Classifier::new(Arc::new(bundled::model()?)));
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut lines = stdin.lines();
    let mut batch: Vec<String> = Vec::with_capacity(BATCH);
    loop {
        batch.clear();
        for line in lines.by_ref() {
            batch.push(line?);
            if batch.len() == BATCH {
                break;
            }
        }
        if batch.is_empty() {
            break;
        }
        let chunk = batch.len().div_ceil(threads);
        let results: Vec<Vec<String>> = std::thread::scope(|s| {
            let handles: Vec<_> = batch
                .chunks(chunk)
                .map(|part| {
                    let engine = &engine;
                    s.spawn(move || part.iter().map(|l| engine.line(l)).collect::<Vec<String>>())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| vec!["{\"id\":null,\"error\":\"internal error\"}".into()])).collect()
        });
        for part in results {
            for line in part {
                out.write_all(line.as_bytes())?;
                out.write_all(b"\n")?;
            }
        }
        if batch.len() < BATCH {
            break;
        }
    }
    out.flush()?;
    Ok(())
}
