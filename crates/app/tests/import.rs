//! Posting imports on every backend: whole or nothing, re-import is a no-op,
//! duplicates are merged with their sources kept, bad rows are named.

use cb_app::{App, AppError, ImportFile, ImportOptions};
use cb_core::{Caller, UserRole};
use cb_store::testing::TestDb;
use chrono::NaiveDate;

fn file(name: &str, content: &str) -> ImportFile {
    let bytes = content.as_bytes().to_vec();
    ImportFile {
        name: name.to_string(),
        hash: cb_postings::import::sha256_hex(&bytes[..]).expect("hash"),
        size: bytes.len() as u64,
        reader: Box::new(std::io::Cursor::new(bytes)),
    }
}

const LAGOU: &str =
    "lagou_category,职位编码,职位名称,所在城市,发布日期,薪资待遇,公司编码,公司名称,公司全称
安全专家,101,渗透测试工程师,北京,昨天 14:47,15k-25k,1,甲,甲科技有限公司
WEB安全,101,渗透测试工程师,北京,昨天 14:47,15k-25k,1,甲,甲科技有限公司
运维,102,运维工程师,上海,2017-04-28,8k-15k,2,乙,乙网络有限公司
信息安全,103,安全运维工程师,深圳,今天 10:00,10k-20k,3,丙,丙安全股份有限公司
";

const GENERIC_DUP: &str = "id,title,description,employer,location,salary,posted_at
g1,渗透测试工程师（急招）,,甲科技,北京,15k-25k,2017-05-10
g2,SOC Analyst,Splunk required,Acme,\"Arlington, VA\",\"$90,000 - $120,000 a year\",2024-03-15
";

fn op() -> Caller {
    Caller::system("test")
}

fn opts() -> ImportOptions {
    ImportOptions {
        crawled: NaiveDate::from_ymd_opt(2017, 5, 3),
        ..ImportOptions::default()
    }
}

#[tokio::test]
async fn import_dedupe_and_reimport() {
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.expect("open");
        let p = app.postings();
        let mut calls = 0;
        let o = p
            .import(&op(), file("lagou.csv", LAGOU), opts(), &mut |_, _| {
                calls += 1
            })
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        assert!(!o.already_imported && calls > 0);
        assert_eq!(
            (o.shape.as_str(), o.rows_read, o.postings_new, o.duplicates),
            ("lagou", 4, 3, 1),
            "{}",
            db.label
        );
        assert_eq!(p.count(&Caller::Anonymous).await.expect("count"), 3);

        // the same file again: nothing happens
        let again = p
            .import(&op(), file("lagou-copy.csv", LAGOU), opts(), &mut |_, _| {})
            .await
            .expect("again");
        assert!(again.already_imported);
        assert_eq!(again.import_id, o.import_id);
        assert_eq!(p.count(&Caller::Anonymous).await.expect("count"), 3);

        // another source's copy of posting 101 merges into it; g2 is new
        let g = p
            .import(
                &op(),
                file("generic.csv", GENERIC_DUP),
                ImportOptions::default(),
                &mut |_, _| {},
            )
            .await
            .expect("generic");
        assert_eq!((g.postings_new, g.duplicates), (1, 1), "{}", db.label);
        assert_eq!(p.count(&Caller::Anonymous).await.expect("count"), 4);
        let page = p.list(&Caller::Anonymous, 0, 10).await.expect("list");
        assert_eq!(page.len(), 4, "{}", db.label);
        let pentest = &page[0];
        assert_eq!(
            (
                pentest.source.as_str(),
                pentest.source_id.as_str(),
                pentest.title.as_str()
            ),
            ("lagou", "101", "渗透测试工程师")
        );
        assert_eq!(
            (
                pentest.city.as_deref(),
                pentest.country.as_deref(),
                pentest.posted_at.as_deref()
            ),
            (Some("北京"), Some("CN"), Some("2017-05-02"))
        );
        assert_eq!(
            (
                pentest.monthly_min,
                pentest.monthly_max,
                pentest.salary_currency.as_deref()
            ),
            (Some(15000.0), Some(25000.0), Some("CNY"))
        );
        assert!(
            pentest.is_cyber
                && pentest.platform_role.as_deref() == Some("pentester")
                && pentest.nice_role.as_deref() == Some("PD-WRL-007")
        );
        assert!(
            pentest.skills.iter().any(|s| s == "penetration-testing"),
            "{:?}",
            pentest.skills
        );
        assert_eq!(
            pentest.sources,
            vec!["lagou:101".to_string(), "generic:g1".to_string()],
            "every source is kept"
        );
        let ops = &page[1];
        assert!(!ops.is_cyber && ops.monthly_min == Some(8000.0));
        let soc = &page[3];
        assert_eq!(
            (
                soc.province.as_deref(),
                soc.salary_currency.as_deref(),
                soc.monthly_max
            ),
            (Some("Virginia"), Some("USD"), Some(10000.0))
        );
        assert!(
            soc.skills.contains(&"splunk".to_string()),
            "{:?}",
            soc.skills
        );
        assert_eq!(
            p.list(&Caller::Anonymous, page[1].id, 1)
                .await
                .expect("page")
                .first()
                .map(|x| x.id),
            Some(page[2].id)
        );
        let imports = p.imports(&op()).await.expect("imports");
        assert_eq!(imports.len(), 2);
        assert_eq!(imports[0].actor, "system:test");
        app.store().close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn a_bad_row_stops_the_import_and_nothing_is_written() {
    let bad = "id,title,salary,posted_at\n1,SOC Analyst,10k-20k,2024-01-01\n2,Pentester,a lot,2024-01-02\n3,Red team,20k-30k,2024-01-03\n";
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.expect("open");
        let p = app.postings();
        let err = p
            .import(
                &op(),
                file("bad.csv", bad),
                ImportOptions::default(),
                &mut |_, _| {},
            )
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("bad.csv, line 3, column `salary`: `a lot` is not a salary; expected"),
            "{}: {err}",
            db.label
        );
        assert_eq!(
            p.count(&Caller::Anonymous).await.expect("count"),
            0,
            "nothing half-written"
        );
        assert!(p.imports(&op()).await.expect("imports").is_empty());

        // with skip_bad_rows the rest is imported and the bad row comes back with its reason
        let o = p
            .import(
                &op(),
                file("bad.csv", bad),
                ImportOptions {
                    skip_bad_rows: true,
                    ..ImportOptions::default()
                },
                &mut |_, _| {},
            )
            .await
            .expect("skips");
        assert_eq!((o.rows_read, o.postings_new, o.rejected.len()), (3, 2, 1));
        assert_eq!(o.rejected[0].error.line, 3);
        assert_eq!(o.rejected[0].raw, "2,Pentester,a lot,2024-01-02");
        app.store().close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn only_operators_import_and_unknown_files_are_refused() {
    let db = TestDb::sqlite();
    let app = App::open(&db.url).await.expect("open");
    let p = app.postings();
    let teacher = Caller::user(3, 2, UserRole::Teacher);
    let r = p
        .import(
            &teacher,
            file("x.csv", GENERIC_DUP),
            ImportOptions::default(),
            &mut |_, _| {},
        )
        .await;
    assert!(matches!(r, Err(AppError::Access(_))));
    let r = p
        .import(
            &Caller::Anonymous,
            file("x.csv", GENERIC_DUP),
            ImportOptions::default(),
            &mut |_, _| {},
        )
        .await;
    assert!(matches!(r, Err(AppError::Access(_))));
    let e = p
        .import(
            &op(),
            file("x.csv", "a,b\n1,2\n"),
            ImportOptions::default(),
            &mut |_, _| {},
        )
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.contains("x.csv") && e.contains("match no known shape"),
        "{e}"
    );
    let e = p
        .import(
            &op(),
            file("x.pdf", "%PDF"),
            ImportOptions::default(),
            &mut |_, _| {},
        )
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("expected .csv, .jsonl or .xlsx"), "{e}");
    // a relative date without a crawl date names the fix
    let e = p
        .import(
            &op(),
            file("lagou.csv", LAGOU),
            ImportOptions::default(),
            &mut |_, _| {},
        )
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.contains("line 2, column `发布日期`") && e.contains("--crawl-date"),
        "{e}"
    );
    assert_eq!(p.count(&Caller::Anonymous).await.expect("count"), 0);
}

/// Postings classified by other weights are re-classified once, page by page,
/// only by operators; a run that finds them current does nothing.
#[tokio::test]
async fn stored_postings_follow_the_classifier_weights() {
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.expect("open");
        let p = app.postings();
        p.import(&op(), file("lagou.csv", LAGOU), opts(), &mut |_, _| {})
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        // the first import into an empty store records its weights: nothing to redo
        assert_eq!(
            p.reclassify(&op(), &mut |_, _| {})
                .await
                .expect("reclassify"),
            0,
            "{}",
            db.label
        );
        // as if an older binary had classified them, with a wrong answer stored
        app.store()
            .reclassify_page(
                &op(),
                "older-weights",
                &[cb_store::postings::Reclassified {
                    id: p.list(&op(), 0, 10).await.expect("list")[0].id,
                    is_cyber: false,
                    roles: Vec::new(),
                    platform_role: None,
                    skills: Vec::new(),
                    certifications: Vec::new(),
                }],
                0,
                true,
            )
            .await
            .expect("state");
        let student = Caller::user(9, 1, UserRole::Student);
        assert!(matches!(
            p.reclassify(&student, &mut |_, _| {}).await,
            Err(AppError::Access(_))
        ));
        let mut seen = (0, 0);
        assert_eq!(
            p.reclassify(&op(), &mut |d, t| seen = (d, t))
                .await
                .expect("reclassify"),
            3,
            "{}",
            db.label
        );
        assert_eq!(seen, (3, 3));
        let list = p.list(&op(), 0, 10).await.expect("list");
        let pentester = list
            .iter()
            .find(|x| x.title == "渗透测试工程师")
            .expect("posting");
        assert!(
            pentester.is_cyber && pentester.nice_role.as_deref() == Some("PD-WRL-007"),
            "{pentester:?}"
        );
        assert!(
            !list
                .iter()
                .find(|x| x.title == "运维工程师")
                .expect("posting")
                .is_cyber
        );
        let (version, target, through) = app
            .store()
            .classifier_state()
            .await
            .expect("state")
            .expect("a state row");
        assert_eq!((version.len(), version == target, through), (16, true, 0));
        // an interrupted run (older weights, the current ones applied through the first posting) resumes
        let first = list.iter().map(|x| x.id).min().expect("ids");
        let store = app.store();
        store
            .reclassify_page(&op(), "older-weights", &[], 0, true)
            .await
            .expect("state");
        store
            .reclassify_page(&op(), &version, &[], first, false)
            .await
            .expect("state");
        assert_eq!(
            p.reclassify(&op(), &mut |_, _| {})
                .await
                .expect("reclassify"),
            2,
            "{}",
            db.label
        );
    }
}

/// `n` generated postings as JSON Lines (more than one write batch of 8,192
/// when `n` is larger).
fn generated(name: &str, n: usize, seed: u64) -> (ImportFile, Vec<u8>) {
    let model = cb_competency::bundled::model().expect("model");
    let mut g = cb_postings::generate::Generator::new(&model, seed);
    let mut bytes = Vec::new();
    for _ in 0..n {
        serde_json::to_writer(&mut bytes, &g.dated()).expect("json");
        bytes.push(b'\n');
    }
    let f = ImportFile {
        name: name.to_string(),
        hash: cb_postings::import::sha256_hex(&bytes[..]).expect("hash"),
        size: bytes.len() as u64,
        reader: Box::new(std::io::Cursor::new(bytes.clone())),
    };
    (f, bytes)
}

fn again(name: &str, bytes: &[u8]) -> ImportFile {
    ImportFile {
        name: name.to_string(),
        hash: cb_postings::import::sha256_hex(bytes).expect("hash"),
        size: bytes.len() as u64,
        reader: Box::new(std::io::Cursor::new(bytes.to_vec())),
    }
}

/// Issue 13, item 7: an import commits batch by batch, so a sign-in (through
/// a second `App` on the same database, as another process or node would)
/// goes through while the import is half done, and nobody sees any of the
/// import until it is finished. Before, the whole import was one write
/// transaction: on SQLite the sign-in waited out the busy timeout and failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_import_lets_sign_ins_through_and_stays_invisible_until_done() {
    const PASSWORD: &str = "correct horse battery staple";
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.expect("open");
        app.init_operator("op", "Operator", PASSWORD)
            .await
            .expect("operator");
        let other = App::open(&db.url).await.expect("second app");
        let (half_tx, half_rx) = std::sync::mpsc::channel::<()>();
        let (seen_tx, seen_rx) = std::sync::mpsc::channel::<(Result<(), String>, i64, i64)>();
        let checker = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().expect("runtime");
            rt.block_on(async {
                if half_rx.recv().is_err() {
                    return;
                }
                let signed = other
                    .sign_in("192.0.2.1", "op", PASSWORD)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string());
                let count = other
                    .postings()
                    .count(&Caller::Anonymous)
                    .await
                    .expect("count");
                let listed = other
                    .postings()
                    .list(&Caller::Anonymous, 0, 10)
                    .await
                    .expect("list")
                    .len() as i64;
                let _ = seen_tx.send((signed, count, listed));
            });
        });
        let (f, _) = generated("long.jsonl", 9_000, 11);
        let seen_rx = std::sync::Mutex::new(seen_rx);
        let mut seen = None;
        let o = app
            .postings()
            .import(&op(), f, ImportOptions::default(), &mut |done, total| {
                if seen.is_none() && done < total {
                    // the first batch is committed: let the other "process" in
                    half_tx.send(()).expect("checker");
                    seen = Some(
                        seen_rx
                            .lock()
                            .expect("receiver")
                            .recv_timeout(std::time::Duration::from_secs(120))
                            .expect("the checker answers"),
                    );
                }
            })
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        drop(half_tx);
        checker.join().expect("checker thread");
        let (signed, count, listed) = seen.expect("the import had more than one batch");
        assert_eq!(signed, Ok(()), "{}: sign-in during the import", db.label);
        assert_eq!(
            (count, listed),
            (0, 0),
            "{}: half an import is invisible",
            db.label
        );
        assert_eq!(o.rows_read, 9_000, "{}", db.label);
        let stored = app
            .postings()
            .count(&Caller::Anonymous)
            .await
            .expect("count");
        assert_eq!(stored as u64, o.postings_new, "{}", db.label);
        db.finish().await;
    }
}

/// Imports `bytes` as a file named `name`, as an operator.
async fn import_bytes(
    app: &App,
    name: &str,
    bytes: &[u8],
) -> Result<cb_app::ImportOutcome, AppError> {
    app.postings()
        .import(
            &op(),
            again(name, bytes),
            ImportOptions::default(),
            &mut |_, _| {},
        )
        .await
}

/// Imports `bytes` in a task that dies (panics) once the first batch is
/// written, as a process killed halfway would: nothing cleans up after it.
async fn crash_after_first_batch(app: &App, name: &str, bytes: &[u8]) {
    let (app, file) = (app.clone(), again(name, bytes));
    let crashed = tokio::spawn(async move {
        app.postings()
            .import(&op(), file, ImportOptions::default(), &mut |done, total| {
                if done < total {
                    panic!("simulated crash after the first batch");
                }
            })
            .await
    })
    .await;
    assert!(crashed.is_err(), "the import task died");
}

/// A crash halfway (the process dies: nothing cleans up) leaves an import
/// that nobody sees. While its heartbeat is fresh another import waits its
/// turn (503 after the wait) and the same file is "in progress" (409); once
/// stale, the same file resumes where the crash left it and ends with the
/// counts of a clean import, and any other file discards it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_import_is_resumed_by_the_same_file_or_discarded_by_another() {
    let stale = std::time::Duration::from_secs(3);
    let (_, bytes) = generated("big.jsonl", 9_000, 12);
    let (_, other_bytes) = generated("other.jsonl", 300, 13);
    // what a clean import of the file gives
    let clean = {
        let db = TestDb::sqlite();
        let app = App::open(&db.url).await.expect("open");
        let o = import_bytes(&app, "big.jsonl", &bytes)
            .await
            .expect("clean import");
        let n = app
            .postings()
            .count(&Caller::Anonymous)
            .await
            .expect("count");
        db.finish().await;
        (o.rows_read, o.postings_new, o.duplicates, n)
    };
    for db in TestDb::all().await {
        let app = App::open(&db.url)
            .await
            .expect("open")
            .with_import_stale_after(stale)
            .with_import_slots(2, std::time::Duration::from_secs(1));
        // crash after the first batch: the task dies without cleaning up
        crash_after_first_batch(&app, "big.jsonl", &bytes).await;
        assert_eq!(
            app.postings()
                .count(&Caller::Anonymous)
                .await
                .expect("count"),
            0
        );

        // alive (fresh heartbeat): another file waits, then is told to retry; the same file is in progress
        let busy = import_bytes(&app, "other.jsonl", &other_bytes).await;
        assert!(
            matches!(busy, Err(AppError::Busy { .. })),
            "{}: {busy:?}",
            db.label
        );
        let same = import_bytes(&app, "big.jsonl", &bytes).await;
        assert!(
            matches!(same, Err(AppError::InProgress)),
            "{}: {same:?}",
            db.label
        );

        // stale: the same file resumes after the first batch
        tokio::time::sleep(stale + std::time::Duration::from_millis(1500)).await;
        let o = import_bytes(&app, "big.jsonl", &bytes)
            .await
            .unwrap_or_else(|e| panic!("{}: resume: {e}", db.label));
        assert_eq!(o.resumed_after_rows, 8_192, "{}", db.label);
        let n = app
            .postings()
            .count(&Caller::Anonymous)
            .await
            .expect("count");
        assert_eq!(
            (o.rows_read, o.postings_new, o.duplicates, n),
            clean,
            "{}",
            db.label
        );
        let imports = app.postings().imports(&op()).await.expect("imports");
        assert_eq!(imports.len(), 1, "{}", db.label);
        assert!(imports[0].is_done());

        // another crash, then another file: the crashed one is discarded, nothing of it is left
        let more = generated("more.jsonl", 9_000, 14).1;
        crash_after_first_batch(&app, "more.jsonl", &more).await;
        tokio::time::sleep(stale + std::time::Duration::from_millis(1500)).await;
        let o = import_bytes(&app, "other.jsonl", &other_bytes)
            .await
            .unwrap_or_else(|e| panic!("{}: other file: {e}", db.label));
        assert_eq!(o.resumed_after_rows, 0);
        let after = app
            .postings()
            .count(&Caller::Anonymous)
            .await
            .expect("count");
        assert_eq!(
            after,
            n + o.postings_new as i64,
            "{}: the crashed import left nothing",
            db.label
        );
        let imports = app.postings().imports(&op()).await.expect("imports");
        assert_eq!(imports.len(), 2, "{}: {imports:?}", db.label);
        // and the discarded file imports from scratch
        let o = import_bytes(&app, "more.jsonl", &more).await.expect("more");
        assert_eq!((o.rows_read, o.resumed_after_rows), (9_000, 0));
        db.finish().await;
    }
}

/// Issue 14: on PostgreSQL the postings live in one partition per month
/// posted (undated ones in `postings_undated`); each month's partition is
/// made before its first posting is written, by a first import or a later
/// one that brings new months (publishing, which makes the current month's,
/// runs in the access and browser tests on PostgreSQL).
#[tokio::test]
async fn postings_are_kept_by_month_and_read_back_whole() {
    for db in TestDb::all().await {
        let label = db.label;
        let app = App::open(&db.url).await.expect("open");
        let csv = "id,title,posted_at\n\
            1,渗透测试工程师,2024-01-15\n\
            2,安全运营工程师,2024-01-31\n\
            3,安全架构师,2024-03-02\n\
            4,等保测评工程师,\n\
            5,数据安全工程师,2023-12-31\n";
        let o = import_bytes(&app, "months.csv", csv.as_bytes())
            .await
            .expect("import");
        assert_eq!(o.postings_new, 5, "{label}");
        let more = "id,title,posted_at\n6,应急响应工程师,2024-03-20\n7,云安全工程师,2024-04-01\n";
        import_bytes(&app, "more.csv", more.as_bytes())
            .await
            .expect("import");
        let parts = app.store().posting_partitions().await.expect("partitions");
        let rows: i64 = parts.iter().map(|p| p.1).sum();
        assert_eq!(rows, 7, "{label}: {parts:?}");
        if db.label == "postgres" {
            let want = [
                ("postings_2023_12", 1),
                ("postings_2024_01", 2),
                ("postings_2024_03", 2),
                ("postings_2024_04", 1),
                ("postings_undated", 1),
            ];
            let got: Vec<(&str, i64)> = parts.iter().map(|(n, r)| (n.as_str(), *r)).collect();
            assert_eq!(got, want, "{label}: one partition per month, undated apart");
        } else {
            assert_eq!(parts.len(), 1, "{label}: SQLite keeps one table");
        }
        // read back through every path: the count, the list, one by id
        let sys = Caller::system("test");
        assert_eq!(
            app.postings().count(&sys).await.expect("count"),
            7,
            "{label}"
        );
        let listed = app.postings().list(&sys, 0, 100).await.expect("list");
        assert_eq!(listed.len(), 7, "{label}");
        let dated = listed
            .iter()
            .find(|p| p.title == "安全架构师")
            .expect("listed");
        let one = app.insight().posting(&sys, dated.id).await.expect("by id");
        assert_eq!(
            one.summary.posted_at.as_deref(),
            Some("2024-03-02"),
            "{label}"
        );
        app.close().await;
        db.finish().await;
    }
}
