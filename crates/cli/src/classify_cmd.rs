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
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
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
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        vec!["{\"id\":null,\"error\":\"internal error\"}".into()]
                    })
                })
                .collect()
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

/// `cyberbridge eval`: prints precision/recall/accuracy as a Markdown table.
pub fn eval(file: &std::path::Path, errors: bool) -> anyhow::Result<()> {
    use anyhow::Context;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let set = cb_postings::eval::parse_set(&file.display().to_string(), &text)
        .map_err(anyhow::Error::msg)?;
    let engine = Engine::new(Classifier::new(Arc::new(bundled::model()?)));
    let r = cb_postings::eval::evaluate(&engine, &set);
    println!(
        "| set | postings | is_cyber P / R / F1 | NICE top-1 in acceptable | platform role top-1 | skills P / R / F1 (postings) |"
    );
    println!("|---|---|---|---|---|---|");
    let dash = "–".to_string();
    for (name, l) in std::iter::once(("all".to_string(), &r.all))
        .chain(r.by_lang.iter().map(|(k, v)| (k.clone(), v)))
    {
        let cyber = if l.is_cyber.tp + l.is_cyber.fp + l.is_cyber.fn_ == 0 {
            dash.clone()
        } else {
            format!(
                "{:.3} / {:.3} / {:.3}",
                l.is_cyber.precision, l.is_cyber.recall, l.is_cyber.f1
            )
        };
        let acc = |a: &cb_postings::eval::Accuracy| {
            if a.total == 0 {
                dash.clone()
            } else {
                format!("{:.3} ({}/{})", a.accuracy, a.correct, a.total)
            }
        };
        let skills = if l.skill_postings == 0 {
            dash.clone()
        } else {
            format!(
                "{:.3} / {:.3} / {:.3} ({})",
                l.skills.precision, l.skills.recall, l.skills.f1, l.skill_postings
            )
        };
        println!(
            "| {name} | {} | {cyber} | {} | {} | {skills} |",
            l.postings,
            acc(&l.nice_top1),
            acc(&l.platform_top1)
        );
    }
    if errors {
        for e in &r.errors {
            println!("- {e}");
        }
    }
    Ok(())
}

/// `cyberbridge generate`: deterministic postings as JSON Lines on stdout.
pub fn generate(count: usize, seed: u64) -> anyhow::Result<()> {
    let model = bundled::model()?;
    let mut g = cb_postings::generate::Generator::new(&model, seed);
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    for _ in 0..count {
        serde_json::to_writer(&mut out, &g.dated())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
