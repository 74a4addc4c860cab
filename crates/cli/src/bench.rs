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

/// A table row `| label: p50 / p99 / max | … |` for latencies (sorted here).
fn latency_row(label: &str, lat: &mut [Duration]) {
    lat.sort();
    println!(
        "| {label}: p50 / p99 / max | {} / **{}** / {} |",
        ms(percentile(lat, 0.5)),
        ms(percentile(lat, 0.99)),
        ms(percentile(lat, 1.0))
    );
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

    let queries = [
        "渗透测试工程师",
        "burp",
        "等保2.0",
        "sql注入",
        "PD-WRL-007",
        "penetration testing principles",
        "云安全",
        "OSCP",
        "应急",
        "k8s",
    ];
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
        store
            .replace_model(&Caller::system("bench"), &model, &mut |done, _| n = done)
            .await?;
        println!(
            "| install model into {:?} store ({} rows, one transaction) | {} |",
            store.backend(),
            n,
            ms(t.elapsed())
        );
        n
    };
    let t = Instant::now();
    let loaded = store.load_model().await?;
    let load = t.elapsed();
    anyhow::ensure!(
        loaded.as_ref() == Some(&model),
        "the store returned a different model"
    );

    println!(
        "| assemble bundled model (parse + link + validate) | {} |",
        ms(assemble)
    );
    println!(
        "| build catalog index (model + DCWF + ECSF) | {} |",
        ms(index)
    );
    println!(
        "| load model from {:?} store ({rows} rows) | {} |",
        store.backend(),
        ms(load)
    );
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
    let lines: Vec<String> = postings
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<_, _>>()?;
    let bytes: usize = postings
        .iter()
        .map(|p| p.title.len() + p.description.as_ref().map_or(0, String::len))
        .sum();
    let t = Instant::now();
    let engine = Engine::new(cb_postings::Classifier::new(model.clone()));
    let build = t.elapsed();
    println!(
        "| data | {count} generated postings (seed {seed}), {:.1} MB of title + description text, {} lexicon patterns |",
        bytes as f64 / 1e6,
        engine.classifier.matcher().pattern_count()
    );
    println!("| build matcher + classifier | {} |", ms(build));

    let matcher = engine.classifier.matcher();
    let t = Instant::now();
    let mut found = 0usize;
    for p in &postings {
        found += matcher
            .find(&p.title, p.description.as_deref().unwrap_or(""))
            .len();
    }
    let e = t.elapsed().as_secs_f64();
    println!(
        "| skill matching, 1 core | {:.0} postings/s ({:.0} MB/s), {:.1} skills per posting |",
        count as f64 / e,
        bytes as f64 / 1e6 / e,
        found as f64 / count as f64
    );

    let t = Instant::now();
    let mut out_bytes = 0usize;
    for l in &lines {
        out_bytes += engine.line(l).len();
    }
    let e = t.elapsed().as_secs_f64();
    println!(
        "| classify contract (parse JSON, extract, classify, salary, location, write JSON), 1 core | {:.0} postings/s |",
        count as f64 / e
    );

    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let t = Instant::now();
    let chunk = lines.len().div_ceil(threads);
    let total: usize = std::thread::scope(|s| {
        let hs: Vec<_> = lines
            .chunks(chunk)
            .map(|part| {
                let engine = &engine;
                s.spawn(move || part.iter().map(|l| engine.line(l).len()).sum::<usize>())
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let e = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        total == out_bytes,
        "parallel output differs from serial output"
    );
    println!(
        "| classify contract, {threads} cores | {:.0} postings/s |",
        count as f64 / e
    );
    Ok(())
}

/// `cyberbridge bench talent`: full recompute of every profile (and the supply
/// figures) for synthetic people, then single-evidence updates.
pub fn talent(people: u64, per_person: usize) -> anyhow::Result<()> {
    use cb_talent::supply::{Person, SupplyIndex};
    use cb_talent::synthetic::{PROGRAMS, SCHOOLS, Synthetic};
    use cb_talent::{Observation, ProfileEngine, Weights};

    let model = bundled::model()?;
    let engine = ProfileEngine::new(&model, Weights::default());
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut synth = Synthetic::new(42);
    let mut supply = SupplyIndex::new(&engine, 3.0);
    let mut compact_supply = SupplyIndex::new(&engine, 3.0);
    let (mut generate, mut compute, mut compact) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut evidence_total = 0usize;
    let mut last_chunk = Vec::new();
    let chunk = 10_000u64;
    let mut start = 1u64;
    while start <= people {
        let end = (start + chunk - 1).min(people);
        let t = Instant::now();
        let batch: Vec<_> = (start..=end)
            .map(|id| {
                let s = synth.student(id);
                let e = synth.evidence(&s, per_person);
                (s, e)
            })
            .collect();
        generate += t.elapsed();
        evidence_total += batch.iter().map(|(_, e)| e.len()).sum::<usize>();
        let t = Instant::now();
        let per = batch.len().div_ceil(threads);
        let profiles: Vec<cb_talent::Profile> = std::thread::scope(|sc| {
            let hs: Vec<_> = batch
                .chunks(per)
                .map(|part| {
                    let engine = &engine;
                    sc.spawn(move || {
                        part.iter()
                            .map(|(s, e)| engine.compute(s.id, e, today))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            hs.into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
        for ((s, ev), p) in batch.iter().zip(&profiles) {
            let person = Person {
                region: SCHOOLS[s.school].1.to_string(),
                program: PROGRAMS[s.program].to_string(),
                graduation_year: s.graduation_year,
            };
            supply.update(&person, &engine.summary_of(p, ev));
        }
        compute += t.elapsed();
        drop(profiles);
        // the supply figures' path: compact evidence, summaries only
        let mut pack = cb_talent::CompactEvidence::with_capacity(batch.len() * per_person);
        for (_, ev) in &batch {
            for e in ev {
                pack.push_evidence(e, engine.skill_index());
            }
        }
        let t = Instant::now();
        let groups = pack.by_person();
        let per = groups.len().div_ceil(threads).max(1);
        let summaries: Vec<cb_talent::Summary> = std::thread::scope(|sc| {
            let hs: Vec<_> = groups
                .chunks(per)
                .map(|part| {
                    let engine = &engine;
                    sc.spawn(move || {
                        let mut scratch = engine.scratch();
                        part.iter()
                            .map(|(id, ev)| engine.summarize(*id, ev, today, &mut scratch))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            hs.into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
        for ((s, _), sum) in batch.iter().zip(&summaries) {
            let person = Person {
                region: SCHOOLS[s.school].1.to_string(),
                program: PROGRAMS[s.program].to_string(),
                graduation_year: s.graduation_year,
            };
            compact_supply.update(&person, sum);
        }
        compact += t.elapsed();
        last_chunk = batch;
        start = end + 1;
    }
    println!(
        "| data | {people} synthetic people, {evidence_total} pieces of evidence ({per_person} each), {threads} cores |"
    );
    println!(
        "| generate evidence (not part of the recompute) | {:.2} s |",
        generate.as_secs_f64()
    );
    println!(
        "| full recompute: every explained profile (skills with their evidence, areas, readiness with gaps for {} roles) + supply figures | **{:.2} s** |",
        model.platform_roles.len() + model.work_roles.len(),
        compute.as_secs_f64()
    );
    println!(
        "| full recompute of the supply figures from compact evidence (skill levels, readiness, supply; what start-up and `supply` do) | **{:.2} s** |",
        compact.as_secs_f64()
    );
    anyhow::ensure!(
        (
            supply.people(),
            supply.role("pentester", None, None),
            supply.skill_share("linux")
        ) == (
            compact_supply.people(),
            compact_supply.role("pentester", None, None),
            compact_supply.skill_share("linux")
        ),
        "the two paths disagree"
    );

    // one new piece of evidence for one person: recompute that person, update the supply figures
    let mut lat = Vec::new();
    for (i, (s, e)) in last_chunk.iter_mut().take(1000).enumerate() {
        let mut new = e[0].clone();
        new.id = 10_000_000_000 + i as u64;
        new.observations = vec![Observation {
            skill_id: "penetration-testing".into(),
            level: 4.0,
        }];
        let t = Instant::now();
        e.push(new);
        let p = engine.compute(s.id, e, today);
        let person = Person {
            region: SCHOOLS[s.school].1.to_string(),
            program: PROGRAMS[s.program].to_string(),
            graduation_year: s.graduation_year,
        };
        supply.update(&person, &engine.summary_of(&p, e));
        lat.push(t.elapsed());
    }
    latency_row(
        &format!(
            "one new piece of evidence → that person's profile + supply figures, {} updates",
            lat.len()
        ),
        &mut lat,
    );
    let c = supply.role("pentester", None, None);
    println!(
        "| check | {} people counted; pentester ready {} / near-ready {}; share proficient in Linux {:.3} |",
        supply.people(),
        c.ready,
        c.near_ready,
        supply.skill_share("linux")
    );
    Ok(())
}

/// `cyberbridge bench talent-store`: the same recompute, reading every
/// person's evidence from the database (written first, not timed with it).
pub async fn talent_store(
    database_url: &str,
    people: u64,
    per_person: usize,
    records: u64,
) -> anyhow::Result<()> {
    use cb_app::{App, SupplyFilter};
    let app = App::open(database_url).await?;
    // the benchmark looks under the services (counts, the backend): a store of its own
    let store = cb_store::Store::connect(database_url).await?;
    let caller = Caller::system("bench");
    let t = Instant::now();
    let (_, _, stored, _) = store.talent_counts().await?;
    if stored == 0 {
        app.talent()
            .load_synthetic(&caller, people, per_person, 42)
            .await?;
    } else {
        println!("| note | the database already holds {stored} people: measured as they are |");
    }
    let write = t.elapsed();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let t = Instant::now();
    let view = app
        .talent()
        .supply(&caller, &SupplyFilter::default(), today)
        .await?;
    let recompute = t.elapsed();
    println!(
        "| data | {people} synthetic people × {per_person} pieces of evidence in {:?} |",
        store.backend()
    );
    println!(
        "| write them (one transaction; not part of the recompute) | {:.1} s |",
        write.as_secs_f64()
    );
    println!(
        "| full recompute from the store: read all evidence, every profile, supply figures | **{:.1} s** ({} people counted) |",
        recompute.as_secs_f64(),
        view.people
    );
    // one new piece of evidence through the service: written in its own transaction, then that
    // person's profile recomputed from the store and the supply figures updated
    let mut lat = Vec::new();
    for i in 0..records {
        let person = 1 + (i * 7_919) % people;
        let e = cb_talent::Evidence {
            id: 0,
            person_id: person,
            kind: cb_talent::EvidenceKind::Competition {
                event: "bench CTF".into(),
                category: "Web".into(),
                rank: 1,
                teams: 100,
            },
            source_org: "bench".into(),
            date: today,
            recorded_by: String::new(),
            observations: vec![cb_talent::Observation {
                skill_id: "sql-injection".into(),
                level: 5.0,
            }],
        };
        let t = Instant::now();
        app.talent().record(&caller, vec![e]).await?;
        lat.push(t.elapsed());
    }
    latency_row(
        &format!(
            "one new piece of evidence via the service (write + that person's profile from the store + supply), {} records",
            lat.len()
        ),
        &mut lat,
    );
    store.close().await;
    app.close().await;
    Ok(())
}

/// `cyberbridge bench insight`: indicators for random filter combinations and
/// the dashboard page, over `postings` generated postings and `people`
/// synthetic people in the database (written first when it holds none).
pub async fn insight(
    database_url: &str,
    postings: usize,
    people: u64,
    queries: usize,
) -> anyhow::Result<()> {
    use cb_app::{App, ImportFile, ImportOptions, Thresholds};
    use cb_insight::{Filter, Period};
    use tower::ServiceExt;

    let app = App::open(database_url).await?;
    // the benchmark looks under the services (counts, the backend): a store of its own
    let store = cb_store::Store::connect(database_url).await?;
    let caller = Caller::system("bench");
    // the day the dashboard pages compute for too, so that the indicators
    // and the pages share one set of supply figures
    let today = chrono::Local::now().date_naive();
    if store.posting_count().await? == 0 {
        let t = Instant::now();
        let model = bundled::model()?;
        let mut g = cb_postings::generate::Generator::new(&model, 7);
        let path =
            std::env::temp_dir().join(format!("cyberbridge-bench-{}.jsonl", std::process::id()));
        {
            use std::io::Write;
            let mut w = std::io::BufWriter::new(std::fs::File::create(&path)?);
            for _ in 0..postings {
                serde_json::to_writer(&mut w, &g.dated())?;
                w.write_all(b"\n")?;
            }
            w.flush()?;
        }
        let size = std::fs::metadata(&path)?.len();
        let hash = cb_tabular::sha256_hex(std::fs::File::open(&path)?)?;
        let file = ImportFile {
            name: "bench.jsonl".into(),
            hash,
            size,
            reader: Box::new(std::fs::File::open(&path)?),
        };
        let o = app
            .postings()
            .import(&caller, file, ImportOptions::default(), &mut |_, _| {})
            .await?;
        let _ = std::fs::remove_file(&path);
        println!(
            "| setup | {} postings generated and imported ({} new) in {:.1} s |",
            postings,
            o.postings_new,
            t.elapsed().as_secs_f64()
        );
    }
    if store.talent_counts().await?.2 == 0 {
        let t = Instant::now();
        app.talent().load_synthetic(&caller, people, 50, 42).await?;
        println!(
            "| setup | {people} synthetic people × 50 pieces of evidence in {:.1} s |",
            t.elapsed().as_secs_f64()
        );
    }
    let stored = store.posting_count().await?;
    let (_, _, persons, _) = store.talent_counts().await?;
    println!(
        "| data | {stored} postings, {persons} people in {:?} |",
        store.backend()
    );

    let t = Instant::now();
    app.talent()
        .supply(&caller, &cb_app::SupplyFilter::default(), today)
        .await?;
    println!(
        "| first use: supply figures built from the store | {:.1} s |",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let all = app
        .insight()
        .indicators(&caller, &Filter::default(), &Thresholds::default(), today)
        .await?;
    println!(
        "| first use: demand index loaded from the store ({} cyber postings) + first answer | {:.1} s |",
        all.demand.postings,
        t.elapsed().as_secs_f64()
    );

    // random filter combinations: each dimension set about half the time
    let provinces: Vec<String> = app
        .insight()
        .provinces(&caller, &Filter::default())
        .await?
        .into_iter()
        .take(12)
        .map(|(p, _)| p)
        .collect();
    let roles: Vec<String> = all
        .demand
        .top_platform_roles
        .iter()
        .map(|c| c.key.clone())
        .collect();
    let skills: Vec<String> = all
        .demand
        .top_skills
        .iter()
        .map(|c| c.key.clone())
        .collect();
    let periods = [
        "2024",
        "2023-Q3",
        "2025-05",
        "2022-01..2023-06",
        "2025-Q1",
        "2024-11",
    ];
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % (n.max(1) as u64 * 2)) as usize
    };
    let mut pick = |v: &[String]| {
        let i = next(v.len());
        v.get(i).cloned()
    };
    let mut filters = Vec::with_capacity(queries);
    for _ in 0..queries {
        let period = pick(&periods.iter().map(|p| p.to_string()).collect::<Vec<_>>())
            .and_then(|p| Period::parse(&p).ok());
        filters.push(Filter {
            province: pick(&provinces),
            period,
            platform_role: pick(&roles),
            skill: pick(&skills),
            max_experience: pick(&["1".into(), "3".into(), "5".into()])
                .and_then(|e| e.parse().ok()),
            nice_category: pick(&[
                "PD".into(),
                "OG".into(),
                "DD".into(),
                "IO".into(),
                "IN".into(),
            ]),
            ..Filter::default()
        });
    }
    let mut lat = Vec::with_capacity(queries);
    let mut nonzero = 0;
    for f in &filters {
        let t = Instant::now();
        let i = app
            .insight()
            .indicators(&caller, f, &Thresholds::default(), today)
            .await?;
        lat.push(t.elapsed());
        if i.demand.postings > 0 {
            nonzero += 1;
        }
    }
    latency_row(
        &format!(
            "every indicator (demand, supply, ratios for 50 roles, gaps, LQ, trends, alerts) for {} random filter combinations ({nonzero} non-empty)",
            lat.len()
        ),
        &mut lat,
    );

    // the dashboard page through the real router (HTML rendered, charts drawn)
    let router = cb_web::router(app.clone());
    let mut lat = Vec::new();
    for f in filters.iter().take(100) {
        let mut q = Vec::new();
        if let Some(p) = &f.province {
            q.push(("province", p.clone()));
        }
        if let Some(p) = &f.period {
            q.push(("period", p.label()));
        }
        if let Some(r) = &f.platform_role {
            q.push(("role", r.clone()));
        }
        if let Some(s) = &f.skill {
            q.push(("skill", s.clone()));
        }
        let uri = format!("/insight?{}", serde_urlencoded::to_string(&q)?);
        let t = Instant::now();
        let res = router
            .clone()
            .oneshot(axum::http::Request::get(&uri).body(axum::body::Body::empty())?)
            .await?;
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 16 << 20).await?;
        lat.push(t.elapsed());
        anyhow::ensure!(
            status.is_success() && body.len() > 10_000,
            "{uri}: {status}"
        );
    }
    latency_row(
        &format!(
            "dashboard page `/insight?…` rendered (indicators, map, 6 charts, tables), {} random filter URLs",
            lat.len()
        ),
        &mut lat,
    );
    store.close().await;
    app.close().await;
    Ok(())
}

/// `bench accounts`: what security costs per request. argon2id hashing and
/// verification (default parameters: 19 MiB, 2 passes), a sign-in end to end
/// (verify + session row + audit), a session lookup (every signed-in page and
/// API call pays it), an API-token lookup, and sign-ins from two clients at
/// once (the throughput a 2-core machine gives an attacker or a class).
pub async fn accounts(database_url: &str, rounds: usize) -> anyhow::Result<()> {
    const PASSWORD: &str = "bench-password-long";
    let app = cb_app::App::open(database_url).await?;
    let store = cb_store::Store::connect(database_url).await?;
    if store.user_by_name("bench").await?.is_none() {
        if store.user_count().await? == 0 {
            app.init_operator("bench", "Bench", PASSWORD).await?;
        } else {
            anyhow::bail!(
                "{database_url} has users but no `bench`: use a database of its own for this benchmark"
            );
        }
    }
    let user = store
        .user_by_name("bench")
        .await?
        .ok_or_else(|| anyhow::anyhow!("no bench user"))?;
    let hash = cb_app::hash_password(PASSWORD).await?;
    store
        .user_set_password(
            &Caller::system("bench"),
            user.id,
            &hash,
            false,
            false,
            0,
            "password.reset",
        )
        .await?;
    let caller = Caller::user(user.id, user.org_id, user.role);
    println!(
        "| step ({rounds} rounds, {:?}) | figure |\n|---|---|",
        store.backend()
    );
    let mut lat = Vec::with_capacity(rounds);
    for _ in 0..rounds.min(50) {
        let t = Instant::now();
        cb_app::hash_password(PASSWORD).await?;
        lat.push(t.elapsed());
    }
    latency_row("argon2id hash", &mut lat);
    lat.clear();
    for _ in 0..rounds.min(50) {
        let t = Instant::now();
        anyhow::ensure!(
            cb_app::verify_password(&hash, PASSWORD).await,
            "verify failed"
        );
        lat.push(t.elapsed());
    }
    latency_row("argon2id verify", &mut lat);
    lat.clear();
    let mut tokens = Vec::new();
    for i in 0..rounds.min(50) {
        let t = Instant::now();
        let s = app
            .sign_in(&format!("bench-{i}"), "bench", PASSWORD)
            .await?;
        lat.push(t.elapsed());
        tokens.push(s.token);
    }
    latency_row("sign-in (verify + session + audit)", &mut lat);
    lat.clear();
    for i in 0..rounds {
        let t = Instant::now();
        anyhow::ensure!(
            app.session(&tokens[i % tokens.len()]).await?.is_some(),
            "session lost"
        );
        lat.push(t.elapsed());
    }
    latency_row("session lookup (per signed-in request)", &mut lat);
    lat.clear();
    let token = app
        .accounts()
        .create_token(&caller, "bench", "read")
        .await?
        .secret;
    for _ in 0..rounds {
        let t = Instant::now();
        anyhow::ensure!(
            app.caller_for_token(&token).await? != Caller::Anonymous,
            "token lost"
        );
        lat.push(t.elapsed());
    }
    latency_row("API token lookup (per script request)", &mut lat);
    let n = 40;
    let t = Instant::now();
    let mut handles = Vec::new();
    for c in 0..2 {
        let app = app.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..n / 2 {
                app.sign_in(&format!("parallel-{c}-{i}"), "bench", PASSWORD)
                    .await?;
            }
            Ok::<_, cb_app::AppError>(())
        }));
    }
    for h in handles {
        h.await??;
    }
    println!(
        "| sign-ins from two clients at once | {:.1} per second |",
        n as f64 / t.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}
