//! Several nodes on one database (issue 14): two `App`s opened on the same
//! database stand for two server processes. What one writes, the other's
//! caches show within two seconds; starting together, they install the model
//! once.

use cb_app::{App, ImportFile, ImportOptions, OwnChange, Shown, SupplyFilter};
use cb_competency::bundled;
use cb_core::{Caller, UserRole};
use cb_store::testing::TestDb;
use chrono::NaiveDate;
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery staple";

fn sys() -> Caller {
    Caller::system("test")
}

/// Polls `f` until it holds, for at most two seconds; returns how long it took.
async fn within_two_seconds<F, Fut>(what: &str, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if f().await {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{what}: not seen within 2 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_starting_together_on_an_empty_database_install_the_model_once() {
    for db in TestDb::all().await {
        let (a, b, c) = tokio::join!(App::open(&db.url), App::open(&db.url), App::open(&db.url));
        let (a, b, c) = (
            a.unwrap_or_else(|e| panic!("{}: {e}", db.label)),
            b.unwrap_or_else(|e| panic!("{}: {e}", db.label)),
            c.unwrap_or_else(|e| panic!("{}: {e}", db.label)),
        );
        let store = cb_store::Store::connect(&db.url).await.expect("store");
        let installs = store
            .audit_where(Some("competency_model.replace"), None, 10)
            .await
            .expect("audit");
        assert_eq!(installs.len(), 1, "{}: {installs:?}", db.label);
        let roles = |app: &App| app.framework().work_roles(&Caller::Anonymous).len();
        assert!(roles(&a) > 40 && roles(&a) == roles(&b) && roles(&b) == roles(&c));
        store.close().await;
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_one_node_writes_every_node_shows() {
    let today = NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
    for db in TestDb::all().await {
        let a = App::open(&db.url).await.expect("node a");
        let b = App::open(&db.url).await.expect("node b");
        a.talent()
            .load_synthetic(&sys(), 200, 10, 42)
            .await
            .expect("synthetic pool");
        a.seed_demo_accounts(PASSWORD, today)
            .await
            .expect("accounts");
        let op = Caller::user(1, 1, UserRole::Operator);

        // b's supply figures, built after a's write
        let people = |app: App| {
            let op = op.clone();
            async move {
                match app
                    .talent()
                    .supply(&op, &SupplyFilter::default(), today)
                    .await
                    .expect("supply")
                    .people
                {
                    Shown::Exact(n) => n,
                    other => panic!("an operator sees exact counts, not {other:?}"),
                }
            }
        };
        let before = people(b.clone()).await;
        assert!(before > 100, "{}: {before}", db.label);

        // the demo student withdraws consent to analytics, on node a
        let signed = a
            .sign_in("192.0.2.1", "student", PASSWORD)
            .await
            .expect("sign in");
        // the session made on a works on b
        let (student, _) = b
            .session(&signed.token)
            .await
            .expect("session")
            .expect("a's session on b");
        a.talent()
            .update_own(
                &student,
                &OwnChange {
                    consent_analytics: Some(false),
                    ..OwnChange::default()
                },
            )
            .await
            .expect("consent");
        assert_eq!(
            people(a.clone()).await,
            before - 1,
            "{}: on a at once",
            db.label
        );
        let took = within_two_seconds("the consent change on node b", || {
            let b = b.clone();
            async move { people(b).await == before - 1 }
        })
        .await;
        eprintln!("{}: consent change seen on b after {took:?}", db.label);

        // a posting file imported through a is counted by b's demand figures
        let filter = cb_insight::Filter::default();
        let thresholds = cb_app::Thresholds::default();
        let counted = |app: App| {
            let (op, filter, thresholds) = (op.clone(), filter.clone(), thresholds.clone());
            async move {
                app.insight()
                    .indicators(&op, &filter, &thresholds, today)
                    .await
                    .expect("indicators")
                    .demand
                    .postings
            }
        };
        let before = counted(b.clone()).await;
        let csv = "id,title,description,employer,location,salary,posted_at\n\
                   n1,渗透测试工程师,Burp Suite,甲科技,北京,15k-25k,2026-05-10\n\
                   n2,SOC Analyst,Splunk,Acme,\"Arlington, VA\",\"$90,000 - $120,000 a year\",2026-05-15\n";
        let bytes = csv.as_bytes().to_vec();
        let o = a
            .postings()
            .import(
                &sys(),
                ImportFile {
                    name: "nodes.csv".into(),
                    hash: cb_postings::import::sha256_hex(&bytes[..]).expect("hash"),
                    size: bytes.len() as u64,
                    reader: Box::new(std::io::Cursor::new(bytes)),
                },
                ImportOptions::default(),
                &mut |_, _| {},
            )
            .await
            .expect("import");
        assert_eq!(o.postings_new, 2);
        within_two_seconds("the import on node b", || {
            let b = b.clone();
            async move { counted(b).await > before }
        })
        .await;

        // reference data changed on a reaches b's catalog
        assert!(
            b.framework()
                .external_frameworks(&Caller::Anonymous)
                .is_empty()
        );
        a.framework()
            .import_external(&op, bundled::dcwf().expect("dcwf"), &mut |_, _| {})
            .await
            .expect("external framework");
        within_two_seconds("the framework on node b", || {
            let b = b.clone();
            async move {
                !b.framework()
                    .external_frameworks(&Caller::Anonymous)
                    .is_empty()
            }
        })
        .await;
        db.finish().await;
    }
}

/// Evidence recorded on two nodes at once gets distinct ids from the
/// database: no process chooses ids, nobody waits for a lock, nothing fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_recording_at_once_get_distinct_ids() {
    let today = NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
    for db in TestDb::all().await {
        let a = App::open(&db.url).await.expect("node a");
        let b = App::open(&db.url).await.expect("node b");
        a.talent()
            .load_synthetic(&sys(), 40, 5, 7)
            .await
            .expect("synthetic pool");
        let before = a.store().talent_counts().await.expect("counts").3;
        let record = |app: App, person: u64| async move {
            let e = cb_talent::Evidence {
                id: 0,
                person_id: person,
                kind: cb_talent::EvidenceKind::Award {
                    title: "CTF".into(),
                },
                source_org: "range".into(),
                date: today,
                recorded_by: String::new(),
                observations: vec![cb_talent::Observation {
                    skill_id: "web-penetration-testing".into(),
                    level: 3.0,
                }],
            };
            app.talent().record(&sys(), vec![e]).await
        };
        let mut tasks = Vec::new();
        for person in 1..=20u64 {
            let node = if person % 2 == 0 {
                a.clone()
            } else {
                b.clone()
            };
            tasks.push(tokio::spawn(record(node, person)));
        }
        let mut ids = Vec::new();
        for t in tasks {
            let got = t
                .await
                .expect("task")
                .unwrap_or_else(|e| panic!("{}: {e}", db.label));
            ids.extend(got);
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 20, "{}: {ids:?}", db.label);
        let after = a.store().talent_counts().await.expect("counts").3;
        assert_eq!(after, before + 20, "{}", db.label);
        db.finish().await;
    }
}
