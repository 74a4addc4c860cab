//! The binary end to end, on a real SQLite file (and PostgreSQL when
//! `TEST_DATABASE_URL` is set).

use cb_store::testing::TestDb;
use std::process::{Command, Output};

fn cyberbridge(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cyberbridge"))
        .args(["--database-url", db])
        .args(args)
        .env_remove("CYBERBRIDGE_DATABASE_URL")
        .env_remove("CYBERBRIDGE_LISTEN")
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("run cyberbridge")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn framework_commands_browse_search_and_import() {
    for db in TestDb::all().await {
        let url = db.url.clone();
        let stats: serde_json::Value =
            serde_json::from_str(&ok(&cyberbridge(&url, &["framework", "stats", "--json"])))
                .expect("json");
        assert_eq!(stats["work_roles"], 41, "{}", db.label);
        assert_eq!(stats["external_frameworks"], 0);

        let role = ok(&cyberbridge(
            &url,
            &["framework", "role", "pentester", "--lang", "en"],
        ));
        assert!(
            role.contains("Penetration Tester")
                && role.contains("PD-WRL-007")
                && role.contains("Burp Suite"),
            "{role}"
        );
        let role_zh = ok(&cyberbridge(&url, &["framework", "role", "pentester"]));
        assert!(role_zh.contains("核心技能"), "{role_zh}");

        let hits = ok(&cyberbridge(&url, &["framework", "search", "应急响应"]));
        let top2: Vec<&str> = hits.lines().take(2).collect();
        assert!(
            top2.iter()
                .any(|l| l.contains("skill") && l.contains("incident-response")),
            "{hits}"
        );
        assert!(
            top2.iter()
                .any(|l| l.contains("platform_role") && l.contains("incident-responder")),
            "{hits}"
        );

        let wr = ok(&cyberbridge(
            &url,
            &["framework", "work-role", "IN-WRL-002", "--lang", "en"],
        ));
        assert!(
            wr.contains("Digital Evidence Analysis") && wr.contains("Tasks ("),
            "{wr}"
        );

        let file = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/frameworks/ecsf-role-profiles.json"
        );
        let imported = ok(&cyberbridge(&url, &["framework", "import", "ecsf", file]));
        assert!(imported.contains("12 roles"), "{imported}");
        let stats: serde_json::Value =
            serde_json::from_str(&ok(&cyberbridge(&url, &["framework", "stats", "--json"])))
                .expect("json");
        assert_eq!(stats["external_frameworks"], 1);

        let missing = cyberbridge(&url, &["framework", "skill", "no-such-skill"]);
        assert!(!missing.status.success());
        assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-skill"));
        db.finish().await;
    }
}

#[tokio::test]
async fn demo_loads_model_and_external_frameworks() {
    let db = TestDb::sqlite();
    let out = ok(&cyberbridge(&db.url, &["demo", "--no-serve"]));
    assert!(out.contains("demo data loaded"), "{out}");
    let stats: serde_json::Value = serde_json::from_str(&ok(&cyberbridge(
        &db.url,
        &["framework", "stats", "--json"],
    )))
    .expect("json");
    assert_eq!(stats["external_frameworks"], 2);
    assert!(
        out.contains("lagou-2017-it-security.csv: 31451 rows (lagou)"),
        "{out}"
    );
    let store = cb_store::Store::connect(&db.url).await.expect("store");
    assert_eq!(
        store.talent_counts().await.expect("counts").2,
        3_000,
        "synthetic cohorts"
    );
    store.close().await;
    // running the demo again imports nothing twice
    let again = ok(&cyberbridge(&db.url, &["demo", "--no-serve"]));
    assert_eq!(again.matches("already imported").count(), 3, "{again}");
    assert_eq!(
        ok(&cyberbridge(&db.url, &["migrate"])).trim(),
        format!("schema of {} is up to date", db.url)
    );
}

#[test]
fn bad_configuration_names_where_the_value_came_from() {
    let out = Command::new(env!("CARGO_BIN_EXE_cyberbridge"))
        .args(["framework", "stats"])
        .env("CYBERBRIDGE_DATABASE_URL", "mysql://somewhere/db")
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("CYBERBRIDGE_") && err.contains("expected sqlite://"),
        "{err}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_cyberbridge"))
        .args(["--listen", "nowhere", "serve"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--listen"));
}

#[test]
fn import_postings_with_rejects_and_reimport() {
    let db = TestDb::sqlite();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("postings.csv");
    std::fs::write(&file, "id,title,salary,posted_at\n1,SOC Analyst,10k-20k,2024-01-01\n2,Pentester,a lot,2024-01-02\n").expect("write");
    let f = file.display().to_string();
    let out = cyberbridge(&db.url, &["import", "postings", &f]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3, column `salary`"), "{err}");
    let out = ok(&cyberbridge(
        &db.url,
        &["import", "postings", "--skip-bad-rows", &f],
    ));
    assert!(
        out.contains("1 new postings") && out.contains("1 rejected"),
        "{out}"
    );
    let rejects = std::fs::read_to_string(format!("{f}.rejects.csv")).expect("reject file");
    assert!(
        rejects.starts_with("line,column,problem,expected,row")
            && rejects.contains("3,salary,`a lot` is not a salary"),
        "{rejects}"
    );
    let out = ok(&cyberbridge(
        &db.url,
        &["import", "postings", "--skip-bad-rows", &f],
    ));
    assert!(out.contains("already imported"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn import_roster_courses_and_grades() {
    let db = TestDb::sqlite();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("talent-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).expect("write");
        p.display().to_string()
    };
    let roster = write(
        "roster.csv",
        "学校,专业,年级,学号,姓名,毕业年份\n示范学院,网络空间安全,2022级,2022001,王伟,2026\n",
    );
    let courses = write(
        "courses.csv",
        "学校,专业,课程,技能,目标等级\n示范学院,网络空间安全,Web安全,SQL注入,3\n",
    );
    let grades = write(
        "grades.csv",
        "学校,学号,课程,成绩\n示范学院,2022001,Web安全,良\n示范学院,2022009,Web安全,90\n",
    );
    assert!(ok(&cyberbridge(&db.url, &["import", "people", &roster])).contains("1 people"));
    assert!(
        ok(&cyberbridge(&db.url, &["import", "courses", &courses])).contains("1 skill mappings")
    );
    let out = cyberbridge(&db.url, &["import", "grades", &grades]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("line 3, column `学号`: `2022009` is not in the roster")
    );
    let out = ok(&cyberbridge(
        &db.url,
        &["import", "grades", "--skip-bad-rows", &grades],
    ));
    assert!(
        out.contains("1 pieces of evidence added, 1 rejected"),
        "{out}"
    );
    assert!(
        std::fs::read_to_string(format!("{grades}.rejects.csv"))
            .expect("rejects")
            .contains("2022009")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `init` creates the schema and the first operator once: the password from
/// stdin (or the environment), a short one refused, a second run refused.
#[tokio::test]
async fn init_creates_the_first_operator_once() {
    use std::io::Write;
    for db in TestDb::all().await {
        let run = |password: &str| {
            let mut child = Command::new(env!("CARGO_BIN_EXE_cyberbridge"))
                .args(["--database-url", &db.url, "init", "--username", "admin"])
                .env_remove("CYBERBRIDGE_DATABASE_URL")
                .env_remove("CYBERBRIDGE_ADMIN_PASSWORD")
                .current_dir(env!("CARGO_TARGET_TMPDIR"))
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(format!("{password}\n").as_bytes())
                .expect("write");
            child.wait_with_output().expect("wait")
        };
        let short = run("short");
        assert!(
            !short.status.success()
                && String::from_utf8_lossy(&short.stderr).contains("at least 10"),
            "{}",
            db.label
        );
        let out = ok(&run("a long enough password"));
        assert!(out.contains("operator `admin` created"), "{out}");
        let again = run("another long password");
        assert!(
            !again.status.success() && String::from_utf8_lossy(&again.stderr).contains("only once"),
            "{}",
            db.label
        );
        let app = cb_app::App::open(&db.url).await.expect("open");
        let u = app
            .store()
            .user_by_name("admin")
            .await
            .expect("user")
            .expect("admin");
        assert!(
            u.password_hash.starts_with("$argon2id$"),
            "stored as an argon2id hash"
        );
        assert!(cb_app::verify_password(&u.password_hash, "a long enough password").await);
        app.store().close().await;
        db.finish().await;
    }
}

/// Issue 13, item 7: `kill -9` halfway through a posting import leaves
/// nothing visible; the next run of the same command (once the dead run's
/// heartbeat is stale) resumes after the batches it had written and ends with
/// every row read once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_import_is_resumed_by_the_next_run() {
    const ROWS: usize = 30_000;
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("postings.jsonl");
    {
        use std::io::Write;
        let model = cb_competency::bundled::model().expect("model");
        let mut g = cb_postings::generate::Generator::new(&model, 21);
        let mut w = std::io::BufWriter::new(std::fs::File::create(&file).expect("file"));
        for _ in 0..ROWS {
            serde_json::to_writer(&mut w, &g.dated()).expect("json");
            w.write_all(b"\n").expect("write");
        }
        w.flush().expect("flush");
    }
    let f = file.display().to_string();
    for db in TestDb::all().await {
        ok(&cyberbridge(&db.url, &["migrate"]));
        let store = cb_store::Store::connect(&db.url).await.expect("store");
        let mut child = Command::new(env!("CARGO_BIN_EXE_cyberbridge"))
            .args(["--database-url", &db.url, "import", "postings", &f])
            .env_remove("CYBERBRIDGE_DATABASE_URL")
            .current_dir(env!("CARGO_TARGET_TMPDIR"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        // kill it as soon as a batch is committed
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
        loop {
            if let Some(r) = store.running_import().await.expect("running")
                && r.rows_read > 0
            {
                break;
            }
            assert!(
                child.try_wait().expect("child").is_none(),
                "{}: the import ended before it could be killed",
                db.label
            );
            assert!(
                std::time::Instant::now() < deadline,
                "{}: no batch was committed",
                db.label
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        child.kill().expect("kill -9");
        child.wait().expect("wait");
        assert_eq!(
            store.posting_count().await.expect("count"),
            0,
            "{}",
            db.label
        );
        let done = store
            .running_import()
            .await
            .expect("running")
            .expect("left running");
        assert!(done.rows_read > 0 && (done.rows_read as usize) < ROWS);

        // the next run: at once, the dead run still looks alive; then it resumes
        let run_again = || {
            Command::new(env!("CARGO_BIN_EXE_cyberbridge"))
                .args(["--database-url", &db.url, "import", "postings", &f])
                .env("CYBERBRIDGE_IMPORT_STALE_AFTER_S", "3")
                .current_dir(env!("CARGO_TARGET_TMPDIR"))
                .output()
                .expect("run")
        };
        let out = run_again();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("being imported now"), "{}: {err}", db.label);
        tokio::time::sleep(std::time::Duration::from_secs(4)).await;
        let text = ok(&run_again());
        assert!(
            text.contains(&format!("{ROWS} rows"))
                && text.contains(&format!(
                    "resumed an interrupted import after its row {}",
                    done.rows_read
                )),
            "{}: {text}",
            db.label
        );
        let imports = store.imports().await.expect("imports");
        assert_eq!(imports.len(), 1, "{}", db.label);
        assert!(imports[0].is_done());
        assert_eq!(
            store.posting_count().await.expect("count"),
            imports[0].postings_new,
            "{}",
            db.label
        );
        assert_eq!(imports[0].rows_read as usize, ROWS);
        store.close().await;
        db.finish().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
