//! `cyberbridge bench framework`: timings of the reference-data path, printed
//! as a table for BENCHMARKS.md. A program, not a test: nothing here asserts
//! a duration.

use cb_competency::{Catalog, bundled};
use cb_core::Caller;
use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

pub async fn framework(database_url: &str, iterations: usize) -> anyhow::Result<()> {
    let t = Instant::now();
    let model = bundled::model()?;
    let assemble = t.elapsed();

    let t = Instant::now();
    let catalog = Catalog::new(model.clone(), vec![bundled::dcwf()?, bundled::ecsf()?]);
    let index = t.elapsed();

    let queries = ["渗透测试工程师", "burp", "等保2.0", "sql注入", "PD-WRL-007", "penetration testing principles", "云安全", "OSCP", "应急", "k8s"];
    let mut lat = Vec::with_capacity(iterations * queries.len());
    for _ in 0..iterations {
        for q in queries {
            let t = Instant::now();
            std::hint::black_box(catalog.search(q, 20));
            lat.push(t.elapsed());
        }
    }
    lat.sort();

    let store = cb_store::Store::connect(database_url).await?;
    store.migrate().await?;
    let rows: u64 = {
        let mut n = 0;
        let t = Instant::now();
        store.replace_model(&Caller::system("bench"), &model, &mut |done, _| n = done).await?;
        println!("| install model into {:?} store ({} rows, one transaction) | {} |", store.backend(), n, ms(t.elapsed()));
        n
    };
    let t = Instant::now();
    let loaded = store.load_model().await?;
    let load = t.elapsed();
    anyhow::ensure!(loaded.as_ref() == Some(&model), "the store returned a different model");

    println!("| assemble bundled model (parse + link + validate) | {} |", ms(assemble));
    println!("| build catalog index (model + DCWF + ECSF) | {} |", ms(index));
    println!("| load model from {:?} store ({rows} rows) | {} |", store.backend(), ms(load));
    println!(
        "| search, {} queries: p50 / p99 / max | {} / {} / {} |",
        lat.len(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        ms(percentile(&lat, 1.0))
    );
    store.close().await;
    Ok(())
}

/// `cyberbridge bench extraction`: skill matching and the whole `classify`
/// contract over generated postings, on one core and on all cores.
pub fn extraction(count: usize, seed: u64) -> anyhow::Result<()> {
    use cb_postings::contract::Engine;
    use cb_postings::generate::Generator;
    use std::sync::Arc;

    let model = Arc::new(bundled::model()?);
    let mut g = Generator::new(&model, seed);
    let postings: Vec<cb_postings::PostingInput> = (0..count).map(|_| g.posting()).collect();
    let lines: Vec<String> = postings.iter().map(serde_json::to_string).collect::<Result<_, _>>()?;
    let bytes: usize = postings.iter().map(|p| p.title.len() + p.description.as_ref().map_or(0, String::len)).sum();
    let t = Instant::now();
    let engine = Engine::new(cb_postings::Classifier::new(model.clone()));
    let build = t.elapsed();
    println!("| data | {count} generated postings (seed {seed}), {:.1} MB of title + description text, {} lexicon patterns |", bytes as f64 / 1e6, engine.classifier.matcher().pattern_count());
    println!("| build matcher + classifier | {} |", ms(build));

    let matcher = engine.classifier.matcher();
    let t = Instant::now();
    let mut found = 0usize;
    for p in &postings {
        found += matcher.find(&p.title, p.description.as_deref().unwrap_or("")).len();
    }
    let e = t.elapsed().as_secs_f64();
    println!("| skill matching, 1 core | {:.0} postings/s ({:.0} MB/s), {:.1} skills per posting |", count as f64 / e, bytes as f64 / 1e6 / e, found as f64 / count as f64);

    let t = Instant::now();
    let mut out_bytes = 0usize;
    for l in &lines {
        out_bytes += engine.line(l).len();
    }
    let e = t.elapsed().as_secs_f64();
    println!("| classify contract (parse JSON, extract, classify, salary, location, write JSON), 1 core | {:.0} postings/s |", count as f64 / e);

    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let t = Instant::now();
    let chunk = lines.len().div_ceil(threads);
    let total: usize = std::thread::scope(|s| {
        let hs: Vec<_> = lines.chunks(chunk).map(|part| {
            let engine = &engine;
            s.spawn(move || part.iter().map(|l| engine.line(l).len()).sum::<usize>())
        }).collect();
        hs.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let e = t.elapsed().as_secs_f64();
    anyhow::ensure!(total == out_bytes, "parallel output differs from serial output");
    println!("| classify contract, {threads} cores | {:.0} postings/s |", count as f64 / e);
    Ok(())
}
