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
