//! Two `cyberbridge serve` processes on one database, as production runs
//! them (issue 14): started together on an empty database they install the
//! model once; a session made on one works on the other; a posting file
//! uploaded to one is counted by the other within two seconds; failed
//! sign-ins on both count together. And a `cyberbridge worker` killed in the
//! middle of an uploaded import leaves the task to another worker, which
//! finishes it where the first stopped.

use cb_store::testing::TestDb;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "nodes-test-operator-token";
const PASSWORD: &str = "correct horse battery staple";

struct Node {
    child: Child,
    base: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn spawn(db: &str) -> Node {
    spawn_with(db, "serve", &[])
}

/// `cyberbridge COMMAND` on `db` with extra environment variables.
fn spawn_with(db: &str, command: &str, env: &[(&str, &str)]) -> Node {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_cyberbridge"))
        .args(["--database-url", db, command])
        .env("CYBERBRIDGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("CYBERBRIDGE_OPERATOR_TOKEN", TOKEN)
        .env("CYBERBRIDGE_LOG", "warn")
        .envs(env.iter().copied())
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {command}: {e}"));
    Node {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

async fn ready(node: &mut Node, client: &reqwest::Client) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(r) = client.get(format!("{}/healthz", node.base)).send().await
            && r.status() == 200
        {
            return;
        }
        assert!(
            node.child.try_wait().expect("child").is_none(),
            "a node exited while starting"
        );
        assert!(Instant::now() < deadline, "a node did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    html.split(&key)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// The cookies a response sets, as a `Cookie` header's value.
fn cookies(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Signs in on `base`; returns the status and the session cookie.
async fn sign_in(client: &reqwest::Client, base: &str, password: &str) -> (u16, String) {
    let r = client
        .get(format!("{base}/signin"))
        .send()
        .await
        .expect("form");
    let cookie = cookies(&r);
    let csrf = hidden(&r.text().await.unwrap_or_default(), "csrf");
    let body = serde_urlencoded::to_string([
        ("username", "admin"),
        ("password", password),
        ("csrf", &csrf),
    ])
    .expect("form");
    let r = client
        .post(format!("{base}/signin"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("sign in");
    (r.status().as_u16(), cookies(&r))
}

async fn count(client: &reqwest::Client, base: &str) -> i64 {
    let v: serde_json::Value = client
        .get(format!("{base}/api/v1/postings/count"))
        .send()
        .await
        .expect("count")
        .json()
        .await
        .expect("json");
    v.get("postings").and_then(|c| c.as_i64()).unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_share_one_database() {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for db in TestDb::all().await {
        // both start on the empty database at once
        let (mut a, mut b) = (spawn(&db.url), spawn(&db.url));
        ready(&mut a, &client).await;
        ready(&mut b, &client).await;
        let store = cb_store::Store::connect(&db.url).await.expect("store");
        let installs = store
            .audit_where(Some("competency_model.replace"), None, 10)
            .await
            .expect("audit");
        assert_eq!(
            installs.len(),
            1,
            "{}: the model installed {} times",
            db.label,
            installs.len()
        );

        // the first operator, by a third process
        let out = Command::new(env!("CARGO_BIN_EXE_cyberbridge"))
            .args(["--database-url", &db.url, "init"])
            .env("CYBERBRIDGE_ADMIN_PASSWORD", PASSWORD)
            .current_dir(env!("CARGO_TARGET_TMPDIR"))
            .output()
            .expect("init");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );

        // a session made on a works on b
        let (st, session) = sign_in(&client, &a.base, PASSWORD).await;
        assert_eq!(st, 303, "{}: sign-in on a", db.label);
        let r = client
            .get(format!("{}/account", b.base))
            .header("cookie", &session)
            .send()
            .await
            .expect("account on b");
        assert_eq!(r.status(), 200, "{}: a's session on b", db.label);

        // failed sign-ins on a and b count together: after five on a, b makes the sixth wait
        for _ in 0..5 {
            assert_eq!(sign_in(&client, &a.base, "a wrong guess").await.0, 401);
        }
        assert_eq!(
            sign_in(&client, &b.base, "another wrong guess").await.0,
            429,
            "{}: b knows of a's failures",
            db.label
        );

        // a posting file uploaded to a is counted by b within two seconds
        let before = count(&client, &b.base).await;
        let csv = "id,title,description,employer,location,salary,posted_at\n\
                   n1,渗透测试工程师,Burp Suite,甲科技,北京,15k-25k,2026-05-10\n\
                   n2,SOC Analyst,Splunk,Acme,\"Arlington, VA\",\"$90,000 - $120,000 a year\",2026-05-15\n";
        let r = client
            .post(format!(
                "{}/api/v1/imports/postings?filename=nodes.csv",
                a.base
            ))
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(csv)
            .send()
            .await
            .expect("upload");
        assert_eq!(r.status(), 200, "{}: {:?}", db.label, r.text().await);
        let start = Instant::now();
        while count(&client, &b.base).await != before + 2 {
            assert!(
                start.elapsed() < Duration::from_secs(2),
                "{}: b did not count a's import within 2 s",
                db.label
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        store.close().await;
        drop((a, b));
        db.finish().await;
    }
}

/// Issue 14: "killing a worker mid-job leaves the job to be retried, not
/// lost". A node that only serves queues an upload; a `cyberbridge worker`
/// process takes it and is killed (`kill -9`) once a batch is written; a
/// second worker takes the task over when the first's heartbeat is stale and
/// finishes the import with every row read once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_workers_import_is_taken_over_not_lost() {
    const ROWS: usize = 12_000;
    let mut file = Vec::new();
    {
        use std::io::Write;
        let model = cb_competency::bundled::model().expect("model");
        let mut g = cb_postings::generate::Generator::new(&model, 23);
        for _ in 0..ROWS {
            serde_json::to_writer(&mut file, &g.dated()).expect("json");
            file.write_all(b"\n").expect("write");
        }
    }
    let client = reqwest::Client::new();
    let stale = [
        ("CYBERBRIDGE_IMPORT_STALE_AFTER_S", "3"),
        ("CYBERBRIDGE_WORKERS", "0"),
    ];
    for db in TestDb::all().await {
        let mut web = spawn_with(&db.url, "serve", &stale);
        ready(&mut web, &client).await;
        let r = client
            .post(format!(
                "{}/api/v1/imports/postings?filename=big.jsonl&wait=0",
                web.base
            ))
            .bearer_auth(TOKEN)
            .body(file.clone())
            .send()
            .await
            .expect("upload");
        assert_eq!(
            r.status(),
            202,
            "{}: queued, nobody to run it yet",
            db.label
        );
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("location")
            .to_string();
        let task = |client: reqwest::Client, url: String| async move {
            client
                .get(url)
                .bearer_auth(TOKEN)
                .send()
                .await
                .expect("task")
                .json::<serde_json::Value>()
                .await
                .expect("json")
        };
        let url = format!("{}{location}", web.base);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(
            task(client.clone(), url.clone()).await["state"],
            "queued",
            "{}: a node without workers runs nothing",
            db.label
        );

        let mut first = spawn_with(&db.url, "worker", &stale);
        let store = cb_store::Store::connect(&db.url).await.expect("store");
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            if let Some(r) = store.running_import().await.expect("running")
                && r.rows_read > 0
            {
                break;
            }
            assert!(
                first.child.try_wait().expect("child").is_none(),
                "{}: the worker ended before it could be killed",
                db.label
            );
            assert!(
                Instant::now() < deadline,
                "{}: the worker wrote no batch",
                db.label
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        first.child.kill().expect("kill -9");
        first.child.wait().expect("wait");
        let t = task(client.clone(), url.clone()).await;
        assert_eq!(
            (t["state"].as_str(), t["attempts"].as_i64()),
            (Some("running"), Some(1)),
            "{}: the task is not lost: {t}",
            db.label
        );
        assert_eq!(
            count(&client, &web.base).await,
            0,
            "{}: nothing half-imported is seen",
            db.label
        );

        let _second = spawn_with(&db.url, "worker", &stale);
        let deadline = Instant::now() + Duration::from_secs(300);
        let done = loop {
            let t = task(client.clone(), url.clone()).await;
            if t["state"] == "done" || t["state"] == "failed" {
                break t;
            }
            assert!(
                Instant::now() < deadline,
                "{}: never finished: {t}",
                db.label
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let o = &done["result"]["outcome"];
        assert_eq!(done["state"], "done", "{}: {done}", db.label);
        assert_eq!(done["attempts"], 2, "{}: taken over once", db.label);
        assert_eq!(
            o["rows_read"], ROWS,
            "{}: every row read once: {o}",
            db.label
        );
        assert!(
            o["resumed_after_rows"].as_u64().is_some_and(|r| r > 0),
            "{}: resumed, not redone: {o}",
            db.label
        );
        let new = o["postings_new"].as_i64().expect("new");
        assert_eq!(
            new + o["duplicates"].as_i64().expect("dups"),
            ROWS as i64,
            "{}: {o}",
            db.label
        );
        assert_eq!(count(&client, &web.base).await, new, "{}", db.label);
        store.close().await;
        drop(web);
        db.finish().await;
    }
}
