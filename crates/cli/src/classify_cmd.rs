//! `cyberbridge classify`: JSON Lines in on stdin, one JSON line out per
//! input line, in input order. Lines are processed in batches across the
//! machine's cores.

use cb_competency::bundled;
use cb_postings::Classifier;
use cb_postings::contract::Engine;
use cb_postings::learn::{TrainConfig, Weights};
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

fn read_set(file: &std::path::Path) -> anyhow::Result<Vec<cb_postings::eval::Labeled>> {
    use anyhow::Context;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    cb_postings::eval::parse_set(&file.display().to_string(), &text).map_err(anyhow::Error::msg)
}

fn classifier(weights: Option<&std::path::Path>) -> anyhow::Result<Classifier> {
    use anyhow::Context;
    let model = Arc::new(bundled::model()?);
    Ok(match weights {
        None => Classifier::new(model),
        Some(f) => {
            let text =
                std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
            Classifier::with_weights(model, Weights::parse(&f.display().to_string(), &text)?)
        }
    })
}

/// `cyberbridge eval`: figures per language and source as Markdown tables.
pub fn eval(
    file: &std::path::Path,
    errors: bool,
    weights: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let set = read_set(file)?;
    let engine = Engine::new(classifier(weights)?);
    let r = cb_postings::eval::evaluate(&engine, &set);
    println!(
        "{} ({} rows), weights {}",
        file.display(),
        set.len(),
        engine.classifier.version()
    );
    print_report(&r, errors);
    Ok(())
}

/// The report as Markdown tables (per language and source, reliability), and the errors if asked.
fn print_report(r: &cb_postings::eval::Report, errors: bool) {
    println!();
    println!(
        "| set | postings | is_cyber P / R / F1 [95 % CI of F1] | NICE top-1 in acceptable [95 % CI] | platform role top-1 | skills P / R / F1 (postings) |"
    );
    println!("|---|---|---|---|---|---|");
    let dash = "–".to_string();
    let rows = std::iter::once(("all".to_string(), &r.all))
        .chain(r.by_lang.iter().map(|(k, v)| (format!("lang {k}"), v)))
        .chain(r.by_source.iter().map(|(k, v)| (format!("source {k}"), v)));
    for (name, l) in rows {
        let cyber = if l.is_cyber.tp + l.is_cyber.fp + l.is_cyber.fn_ == 0 {
            dash.clone()
        } else {
            format!(
                "{:.3} / {:.3} / **{:.3}** [{:.3}, {:.3}]",
                l.is_cyber.precision,
                l.is_cyber.recall,
                l.is_cyber.f1,
                l.is_cyber_f1_ci.0,
                l.is_cyber_f1_ci.1
            )
        };
        let nice = if l.nice_top1.total == 0 {
            dash.clone()
        } else {
            format!(
                "**{:.3}** ({}/{}) [{:.3}, {:.3}]",
                l.nice_top1.accuracy,
                l.nice_top1.correct,
                l.nice_top1.total,
                l.nice_top1_ci.0,
                l.nice_top1_ci.1
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
            "| {name} | {} | {cyber} | {nice} | {} | {skills} |",
            l.postings,
            acc(&l.platform_top1)
        );
    }
    for (title, bins) in [
        ("NICE top-1 confidence", &r.role_reliability),
        ("P(cyber)", &r.cyber_reliability),
    ] {
        println!();
        println!(
            "| {title} | postings | mean confidence | {} |",
            if title.starts_with("NICE") {
                "share right"
            } else {
                "share labeled cyber"
            }
        );
        println!("|---|---|---|---|");
        for b in bins.iter().filter(|b| b.count > 0) {
            println!(
                "| {:.1}–{:.1} | {} | {:.3} | {:.3} |",
                b.from, b.to, b.count, b.mean_confidence, b.accuracy
            );
        }
    }
    if errors {
        println!();
        for e in &r.errors {
            println!("- {e}");
        }
    }
}

/// `cyberbridge train`: weights from labeled files (or, with `--cv`, cross-validation figures).
pub fn train(
    files: &[std::path::PathBuf],
    out: &std::path::Path,
    check: bool,
    cv: &[f64],
) -> anyhow::Result<()> {
    use anyhow::Context;
    let mut set = Vec::new();
    for f in files {
        set.extend(read_set(f)?);
    }
    let names: Vec<String> = files
        .iter()
        .map(|f| f.display().to_string().replace('\\', "/"))
        .collect();
    let model = Arc::new(bundled::model()?);
    let space = cb_postings::features::FeatureSpace::new(&model);
    let matcher = cb_postings::SkillMatcher::new(&model);
    if !cv.is_empty() {
        const K: usize = 5;
        for &l1 in cv {
            let cfg = TrainConfig {
                l1,
                folds: 0,
                ..TrainConfig::default()
            };
            let mut pairs = Vec::with_capacity(set.len());
            for fold in 0..K {
                let train: Vec<_> = set
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % K != fold)
                    .map(|(_, l)| l.clone())
                    .collect();
                let text = cb_postings::learn::train(&space, &matcher, &train, "cv", cfg)?;
                let engine = Engine::new(Classifier::with_weights(
                    model.clone(),
                    Weights::parse("cv", &text)?,
                ));
                pairs.extend(
                    set.iter()
                        .enumerate()
                        .filter(|(i, _)| i % K == fold)
                        .map(|(_, l)| (l, engine.run(&cb_postings::eval::input_of(l)))),
                );
            }
            println!(
                "## L1 {l1}: {K}-fold cross-validation on {}",
                names.join(" ")
            );
            println!();
            print_report(&cb_postings::eval::score(pairs), false);
            println!();
        }
        return Ok(());
    }
    let text = cb_postings::learn::train(
        &space,
        &matcher,
        &set,
        &names.join(" "),
        TrainConfig::default(),
    )?;
    if check {
        let shipped =
            std::fs::read_to_string(out).with_context(|| format!("reading {}", out.display()))?;
        anyhow::ensure!(
            shipped == text,
            "{} differs from what `train` writes from {}",
            out.display(),
            names.join(" ")
        );
        println!(
            "{} is exactly what training on {} writes",
            out.display(),
            names.join(" ")
        );
        return Ok(());
    }
    std::fs::write(out, &text).with_context(|| format!("writing {}", out.display()))?;
    let weights = text.lines().filter(|l| l.starts_with("w\t")).count();
    println!(
        "wrote {} ({} postings, {weights} weights, version {})",
        out.display(),
        set.len(),
        cb_postings::learn::text_version(&text)
    );
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
