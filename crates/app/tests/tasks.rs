//! The import queue from the services' side (issue 14): who a task runs as,
//! what a failed task keeps, and when a worker gives a task up.

use cb_app::{App, TaskState, Upload, Work};
use cb_core::Caller;
use cb_store::tasks::{Claim, NewTask};
use cb_store::testing::TestDb;

const PASSWORD: &str = "correct horse battery staple";

fn postings(name: &str, csv: &str) -> Upload {
    Upload {
        name: name.into(),
        content: csv.as_bytes().to_vec(),
        work: Work::Postings {
            skip_bad_rows: false,
            crawl_date: None,
        },
    }
}

#[tokio::test]
async fn a_task_runs_as_its_user_as_they_are_now_and_keeps_why_it_failed() {
    for db in TestDb::all().await {
        let label = db.label;
        let app = App::open(&db.url).await.expect("open");
        let sys = Caller::system("test");
        app.init_operator("op", "运维甲", PASSWORD)
            .await
            .expect("operator");
        let op = app
            .store()
            .user_by_name("op")
            .await
            .expect("u")
            .expect("op");
        let caller = Caller::user(op.id, op.org_id, op.role);

        // a bad row without skip_bad_rows: the task fails, naming the row
        let t = app
            .tasks()
            .submit(
                &caller,
                postings("bad.csv", "id,title,salary\n1,安全工程师,nope\n"),
            )
            .await
            .expect("queued");
        assert_eq!(t.state, TaskState::Queued, "{label}");
        assert_eq!(t.queued_by_name.as_deref(), Some("运维甲"), "{label}");
        assert!(app.work_once("w").await.expect("ran"), "{label}");
        let t = app.tasks().task(&caller, t.id).await.expect("task");
        let f = t.failure.expect("failed");
        assert_eq!(
            (t.state, f.code.as_str()),
            (TaskState::Failed, "invalid"),
            "{label}"
        );
        assert!(
            f.message.contains("bad.csv") && f.message.contains("salary"),
            "{label}: {}",
            f.message
        );
        assert!(
            !app.work_once("w").await.expect("idle"),
            "{label}: nothing left"
        );

        // queued by an account that is disabled before it runs: nothing is imported
        let t = app
            .tasks()
            .submit(&caller, postings("ok.csv", "id,title\n1,安全工程师\n"))
            .await
            .expect("queued");
        app.accounts()
            .set_disabled(&sys, op.id, true)
            .await
            .expect("disable");
        assert!(app.work_once("w").await.expect("ran"), "{label}");
        let t = app.tasks().task(&sys, t.id).await.expect("task");
        assert_eq!(
            t.failure.map(|f| f.code),
            Some("forbidden".into()),
            "{label}"
        );
        assert_eq!(
            app.postings().count(&sys).await.expect("count"),
            0,
            "{label}"
        );

        // who may queue what
        let refused = app
            .tasks()
            .submit(&Caller::Anonymous, postings("x.csv", "title\nx\n"))
            .await;
        assert!(refused.is_err(), "{label}");
        assert!(
            app.tasks().list(&Caller::Anonymous).await.is_err(),
            "{label}"
        );
        app.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn a_task_whose_workers_keep_stopping_is_given_up_and_a_cli_task_is_not_taken_over() {
    for db in TestDb::all().await {
        let label = db.label;
        let app = App::open(&db.url).await.expect("open");
        let sys = Caller::system("test");
        let t = app
            .tasks()
            .submit(&sys, postings("ok.csv", "id,title\n1,安全工程师\n"))
            .await
            .expect("queued");
        // three workers take it and die (their heartbeats at the epoch are long stale)
        for n in 1..=cb_app::MAX_ATTEMPTS {
            let c = app
                .store()
                .task_claim(Claim {
                    worker: "dies",
                    now: 0,
                    stale_before: 1,
                })
                .await
                .expect("claim")
                .expect("the task");
            assert_eq!(c.attempts, n, "{label}");
        }
        assert!(app.work_once("w").await.expect("ran"), "{label}");
        let t = app.tasks().task(&sys, t.id).await.expect("task");
        assert_eq!(
            t.failure.as_ref().map(|f| f.code.as_str()),
            Some("interrupted"),
            "{label}: {t:?}"
        );
        assert_eq!(
            app.postings().count(&sys).await.expect("count"),
            0,
            "{label}"
        );

        // a CLI import's task whose process died: its file is on that machine
        let id = app
            .store()
            .task_queue(
                &NewTask {
                    kind: "postings",
                    spec: r#"{"kind":"postings","skip_bad_rows":false,"crawl_date":null}"#,
                    file_name: "/data/big.jsonl",
                    file_size: 10,
                    org_id: None,
                    user_id: None,
                    queued_by: "system:cli",
                    content: None,
                    run_by: Some("cli-dead"),
                },
                0,
            )
            .await
            .expect("queue");
        assert!(app.work_once("w").await.expect("ran"), "{label}");
        let t = app.tasks().task(&sys, id).await.expect("task");
        let f = t.failure.expect("failed");
        assert_eq!(f.code, "interrupted", "{label}");
        assert!(f.message.contains("run it again"), "{label}: {}", f.message);

        // the CLI's own import is a task it runs itself
        let csv = "id,title\n1,安全工程师\n".as_bytes();
        let file = cb_app::ImportFile {
            name: "cli.csv".into(),
            hash: cb_tabular::sha256_hex(csv).expect("hash"),
            size: csv.len() as u64,
            reader: Box::new(std::io::Cursor::new(csv.to_vec())),
        };
        let o = app
            .tasks()
            .run_postings_here(&sys, file, cb_app::ImportOptions::default(), &mut |_, _| {})
            .await
            .expect("imported");
        assert_eq!(o.postings_new, 1, "{label}");
        let all = app.tasks().list(&sys).await.expect("list");
        let cli = all
            .iter()
            .find(|t| t.file_name == "cli.csv")
            .expect("listed");
        assert_eq!(
            (cli.state, cli.queued_by.as_str()),
            (TaskState::Done, "system:test"),
            "{label}"
        );
        assert_eq!(cli.progress, Some(1.0), "{label}");
        app.close().await;
        db.finish().await;
    }
}
