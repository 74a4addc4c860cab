//! Indicators through the service: the same data on SQLite and PostgreSQL
//! gives the same figures, imports reach the index, small cells stay hidden.

use cb_app::{App, ImportFile, ImportOptions, Thresholds};
use cb_core::Caller;
use cb_insight::{Filter, Period};
use cb_store::testing::TestDb;
use chrono::NaiveDate;

fn file(name: &str, content: String) -> ImportFile {
    let bytes = content.into_bytes();
    ImportFile {
        name: name.into(),
        hash: cb_tabular::sha256_hex(&bytes[..]).expect("hash"),
        size: bytes.len() as u64,
        reader: Box::new(std::io::Cursor::new(bytes)),
    }
}

/// 1,500 generated postings with dates (JSON Lines, as `cyberbridge generate` writes).
fn generated(n: usize, seed: u64) -> String {
    let model = cb_competency::bundled::model().expect("model");
    let mut g = cb_postings::generate::Generator::new(&model, seed);
    let mut out = String::new();
    for _ in 0..n {
        out.push_str(&serde_json::to_string(&g.dated()).expect("json"));
        out.push('\n');
    }
    out
}

fn op() -> Caller {
    Caller::system("test")
}

fn filters() -> Vec<Filter> {
    vec![
        Filter::default(),
        Filter {
            period: Period::parse("2024").ok(),
            ..Filter::default()
        },
        Filter {
            period: Period::parse("2023-Q3").ok(),
            province: Some("北京".into()),
            ..Filter::default()
        },
        Filter {
            platform_role: Some("pentester".into()),
            ..Filter::default()
        },
        Filter {
            skill: Some("linux".into()),
            max_experience: Some(3),
            ..Filter::default()
        },
        Filter {
            country: Some("US".into()),
            nice_category: Some("PD".into()),
            ..Filter::default()
        },
    ]
}

#[tokio::test]
async fn the_same_data_gives_the_same_indicators_on_every_store() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    let mut answers: Vec<(String, Vec<String>)> = Vec::new();
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.expect("open");
        app.postings()
            .import(
                &op(),
                file("gen.jsonl", generated(1_500, 11)),
                ImportOptions::default(),
                &mut |_, _| {},
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        app.talent()
            .load_synthetic(&op(), 300, 20, 4)
            .await
            .expect("synthetic");
        let mut json = Vec::new();
        for f in filters() {
            let i = app
                .insight()
                .indicators(&op(), &f, &Thresholds::default(), today)
                .await
                .expect("indicators");
            json.push(serde_json::to_string(&i).expect("json"));
        }
        // the whole selection is every cyber posting stored
        let all = app
            .insight()
            .indicators(
                &op(),
                &Filter {
                    include_non_cyber: true,
                    ..Filter::default()
                },
                &Thresholds::default(),
                today,
            )
            .await
            .expect("all");
        assert_eq!(
            all.demand.postings as i64,
            app.store().posting_count().await.expect("count"),
            "{}",
            db.label
        );
        let some = app
            .insight()
            .indicators(&op(), &filters()[1], &Thresholds::default(), today)
            .await
            .expect("2024");
        assert!(
            some.demand.postings > 100
                && some.demand.growth_yoy.is_some()
                && !some.demand.top_skills.is_empty(),
            "{}",
            db.label
        );
        // drill-down: the postings behind a figure
        let (total, list) = app
            .insight()
            .postings(&op(), &filters()[3], 20)
            .await
            .expect("drill");
        assert_eq!(total, json_count(&json[3]));
        assert!(
            list.iter()
                .all(|p| p.platform_role.as_deref() == Some("pentester"))
                && list.len() as u64 == total.min(20)
        );
        // a later import reaches the index
        let before = all.demand.postings;
        app.postings()
            .import(
                &op(),
                file("more.jsonl", generated(40, 99)),
                ImportOptions::default(),
                &mut |_, _| {},
            )
            .await
            .expect("more");
        let after = app
            .insight()
            .indicators(
                &op(),
                &Filter {
                    include_non_cyber: true,
                    ..Filter::default()
                },
                &Thresholds::default(),
                today,
            )
            .await
            .expect("after");
        assert_eq!(
            after.demand.postings as i64,
            app.store().posting_count().await.expect("count")
        );
        assert!(after.demand.postings > before);
        answers.push((db.label.to_string(), json));
        app.store().close().await;
        db.finish().await;
    }
    for w in answers.windows(2) {
        for (i, (a, b)) in w[0].1.iter().zip(&w[1].1).enumerate() {
            assert_eq!(a, b, "filter {i}: {} and {} differ", w[0].0, w[1].0);
        }
    }
}

fn json_count(s: &str) -> u64 {
    serde_json::from_str::<serde_json::Value>(s).expect("json")["demand"]["postings"]
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test]
async fn small_supply_cells_are_hidden_from_all_but_operators() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    let db = TestDb::sqlite();
    let app = App::open(&db.url).await.expect("open");
    app.postings()
        .import(
            &op(),
            file("gen.jsonl", generated(300, 5)),
            ImportOptions::default(),
            &mut |_, _| {},
        )
        .await
        .expect("import");
    app.talent()
        .load_synthetic(&op(), 30, 20, 4)
        .await
        .expect("synthetic");
    let f = Filter::default();
    let public = serde_json::to_value(
        app.insight()
            .indicators(&Caller::Anonymous, &f, &Thresholds::default(), today)
            .await
            .expect("public"),
    )
    .expect("json");
    let exact = serde_json::to_value(
        app.insight()
            .indicators(&op(), &f, &Thresholds::default(), today)
            .await
            .expect("operator"),
    )
    .expect("json");
    let small = |v: &serde_json::Value| {
        v["ratios"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|r| r["ready"] == "<5" || r["near_ready"] == "<5")
                    .count()
            })
            .unwrap_or(0)
    };
    assert_eq!(small(&exact), 0, "operators see exact counts");
    let exact_small = exact["ratios"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|r| {
                    ["ready", "near_ready"]
                        .iter()
                        .any(|k| r[*k].as_u64().is_some_and(|n| (1..5).contains(&n)))
                })
                .count()
        })
        .unwrap_or(0);
    assert!(exact_small > 0, "the data has counts of 1–4 people to hide");
    assert_eq!(
        small(&public),
        exact_small,
        "every count of 1–4 people is \"<5\" for the public"
    );
    assert!(
        public["definitions"]
            .as_array()
            .is_some_and(|d| d.len() >= 8),
        "every figure states its definition"
    );
    // one program's people: the supply side counts them only
    let all = app
        .insight()
        .indicators(&op(), &f, &Thresholds::default(), today)
        .await
        .expect("all");
    let program = all.programs.first().cloned().expect("a program");
    let mine = app
        .insight()
        .indicators_for(&op(), &f, &Thresholds::default(), Some(&program), today)
        .await
        .expect("program");
    let programs = app.store().talent_programs().await.expect("programs");
    let ids: Vec<i64> = programs
        .iter()
        .filter(|p| p.name == program)
        .map(|p| p.id)
        .collect();
    let people = app.store().talent_people(0, 1_000).await.expect("people");
    let expected = people
        .iter()
        .filter(|p| ids.contains(&p.program_id) && p.consent_analytics)
        .count() as u64;
    assert_eq!(mine.people, cb_app::Shown::Exact(expected));
    assert!(expected > 0 && cb_app::Shown::Exact(expected) != all.people);
    assert_eq!(
        mine.demand, all.demand,
        "demand does not depend on the program"
    );
    // certificate holders sit beside the certificates postings ask for
    assert_eq!(all.certificates.len(), all.demand.top_certifications.len());
    let supply = app
        .talent()
        .supply(&op(), &cb_app::SupplyFilter::default(), today)
        .await
        .expect("supply");
    assert_ne!(supply.people, cb_app::Shown::Exact(0));
    db.finish().await;
}

#[tokio::test]
async fn industry_comes_from_a_column_and_filters() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.expect("open");
        let csv = "id,title,employer,location,posted_at,industry\n\
                   1,渗透测试工程师,甲银行,北京,2024-03-01,金融\n\
                   2,安全运维工程师,乙银行,上海,2024-03-02,金融\n\
                   3,渗透测试工程师,丙科技,深圳,2024-03-03,互联网\n\
                   4,SOC Analyst,Acme,\"Arlington, VA\",2024-03-04,\n";
        app.postings()
            .import(
                &op(),
                file("ind.csv", csv.to_string()),
                ImportOptions::default(),
                &mut |_, _| {},
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        let count = |ind: &str| {
            let app = app.clone();
            let ind = ind.to_string();
            async move {
                app.insight()
                    .indicators(
                        &op(),
                        &Filter {
                            industry: Some(ind),
                            ..Filter::default()
                        },
                        &Thresholds::default(),
                        today,
                    )
                    .await
                    .expect("indicators")
                    .demand
                    .postings
            }
        };
        assert_eq!(
            (
                count("金融").await,
                count("互联网").await,
                count("能源").await
            ),
            (2, 1, 0),
            "{}",
            db.label
        );
        let (_, names) = app.insight().filter_choices(&op()).await.expect("choices");
        assert_eq!(names, vec!["互联网".to_string(), "金融".to_string()]);
        db.finish().await;
    }
}
