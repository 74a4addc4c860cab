//! Two `cyberbridge serve` processes on one database, as production runs
//! them (issue 14): started together on an empty database they install the
//! model once; a session made on one works on the other; a posting file
//! uploaded to one is counted by the other within two seconds; failed
//! sign-ins on both count together.

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
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_cyberbridge"))
        .args(["--database-url", db, "serve"])
        .env("CYBERBRIDGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("CYBERBRIDGE_OPERATOR_TOKEN", TOKEN)
        .env("CYBERBRIDGE_LOG", "warn")
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
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
