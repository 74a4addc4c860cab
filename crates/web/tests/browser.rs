//! The dashboard in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven over the WebDriver protocol: load the overview,
//! change a filter, see the charts change, toggle a legend, drill down, and
//! download an export. CI installs the browser and sets
//! `CB_REQUIRE_BROWSER=1`; elsewhere the test runs when
//! `chromedriver` is on the machine and says so when it is not.

use cb_app::App;
use cb_core::Caller;
use cb_store::testing::TestDb;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const TOKEN: &str = "browser-test-token";

/// The W3C WebDriver key under which an element reference comes back.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    http: reqwest::Client,
    base: String,
    session: String,
    child: std::process::Child,
}

impl Driver {
    async fn start(download_dir: &std::path::Path) -> Option<Driver> {
        let exe = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let Some(exe) = exe else {
            assert!(
                std::env::var("CB_REQUIRE_BROWSER").is_err(),
                "CB_REQUIRE_BROWSER is set but chromedriver is missing (apt-get install chromium chromium-driver)"
            );
            eprintln!(
                "browser test skipped: no chromedriver on this machine (apt-get install chromium chromium-driver)"
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = std::process::Command::new(exe)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1300,1000", "--lang=en"],
            "prefs": {"download.default_directory": download_dir.to_string_lossy(), "download.prompt_for_download": false}
        }}}});
        let v: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .expect("session")
            .json()
            .await
            .expect("json");
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        Some(Driver {
            http,
            base,
            session,
            child,
        })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut r = self.http.request(method, &url);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let v: Value = r
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .json()
            .await
            .expect("json");
        v["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = self
                .call(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            if let Some(id) = v.get(ELEMENT).and_then(|x| x.as_str()) {
                return id.to_string();
            }
            assert!(Instant::now() < deadline, "no element {css}: {v}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn count(&self, css: &str) -> usize {
        self.call(
            reqwest::Method::POST,
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .await
        .as_array()
        .map_or(0, Vec::len)
    }

    async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.call(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn attr(&self, css: &str, name: &str) -> String {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::GET,
            &format!("/element/{id}/attribute/{name}"),
            None,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        // into the middle of the viewport, clear of the sticky header
        let el = json!({ELEMENT: id});
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(
                json!({"script": "arguments[0].scrollIntoView({block: 'center'});", "args": [el]}),
            ),
        )
        .await;
        let v = self
            .call(
                reqwest::Method::POST,
                &format!("/element/{id}/click"),
                Some(json!({})),
            )
            .await;
        assert!(v.get("error").is_none(), "click {css}: {v}");
    }

    /// Waits until the current document has loaded completely.
    async fn settle(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self
            .call(
                reqwest::Method::POST,
                "/execute/sync",
                Some(json!({"script": "return document.readyState", "args": []})),
            )
            .await
            .as_str()
            != Some("complete")
        {
            assert!(Instant::now() < deadline, "the page never finished loading");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `css`'s text is `want` (a click that navigates replaces the page under us).
    async fn wait_text(&self, css: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = self
                .call(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            if let Some(id) = v.get(ELEMENT).and_then(|x| x.as_str()) {
                let t = self
                    .call(reqwest::Method::GET, &format!("/element/{id}/text"), None)
                    .await;
                if t.as_str() == Some(want) {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "{css} never read {want}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        let v = self
            .call(
                reqwest::Method::POST,
                &format!("/element/{id}/value"),
                Some(json!({"text": text})),
            )
            .await;
        assert!(v.get("error").is_none(), "type into {css}: {v}");
    }

    /// Signs in through the form as `user` (after dropping any session).
    async fn sign_in(&self, site: &str, user: &str, password: &str, next: &str) {
        self.call(reqwest::Method::DELETE, "/cookie", None).await;
        self.goto(&format!("{site}/signin?next={next}")).await;
        self.type_into("input[name=username]", user).await;
        self.type_into("input[name=password]", password).await;
        self.click("form[action=\"/signin\"] button[type=submit]")
            .await;
        // the sign-in page's own URL names `next`: wait until we have left it
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.url().await.contains("/signin") {
            assert!(
                Instant::now() < deadline,
                "sign-in as {user} never left the form"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.wait_url(next).await;
        self.settle().await;
    }

    async fn wait_url(&self, part: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let u = self.url().await;
            if u.contains(part) {
                return u;
            }
            assert!(
                Instant::now() < deadline,
                "the page never reached a URL with {part}: {u}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn quit(mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo accounts' password in the browser tests.
const PASSWORD: &str = "browser-demo-password";

/// A SQLite app with `before` done first, then a synthetic talent pool and
/// one account per role (password [`PASSWORD`]).
async fn demo_app<F, Fut>(before: F, students: u64, per_person: usize, seed: u64) -> (TestDb, App)
where
    F: FnOnce(App) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let db = TestDb::sqlite();
    let app = App::open(&db.url).await.expect("open");
    before(app.clone()).await;
    app.talent()
        .load_synthetic(&Caller::system("test"), students, per_person, seed)
        .await
        .expect("synthetic");
    let today = chrono::Local::now().date_naive();
    assert!(
        app.seed_demo_accounts(PASSWORD, today)
            .await
            .expect("accounts")
    );
    (db, app)
}

/// Serves `app` on a free port: (its address, the server task to abort).
async fn serve(app: &App) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let site = format!("http://{}", listener.local_addr().expect("addr"));
    let served = app.clone();
    let server = tokio::spawn(async move {
        let _ = cb_web::serve(served, listener, std::future::pending()).await;
    });
    (site, server)
}

const POSTINGS: &str =
    "lagou_category,职位编码,职位名称,所在城市,发布日期,薪资待遇,公司编码,公司名称,公司全称
安全专家,101,渗透测试工程师,北京,2017-04-20,15k-25k,1,甲,甲科技有限公司
安全专家,102,安全运维工程师,上海,2017-03-02,10k-20k,2,乙,乙网络有限公司
安全专家,103,渗透测试工程师,深圳,2017-04-11,20k-30k,3,丙,丙安全股份有限公司
安全专家,104,安全服务工程师,北京,2017-02-15,12k-18k,4,丁,丁信息技术有限公司
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_a_real_browser() {
    let downloads = tempfile::tempdir().expect("tempdir");
    let Some(d) = Driver::start(downloads.path()).await else {
        return;
    };
    let db = TestDb::sqlite();
    let app = App::open(&db.url)
        .await
        .expect("open")
        .with_operator_token(Some(TOKEN));
    let (site, server) = serve(&app).await;
    let r = reqwest::Client::new()
        .post(format!("{site}/api/v1/imports/postings?filename=lagou.csv"))
        .bearer_auth(TOKEN)
        .body(POSTINGS)
        .send()
        .await
        .expect("upload");
    assert!(r.status().is_success());
    app.talent()
        .load_synthetic(&Caller::system("test"), 30, 10, 2)
        .await
        .expect("synthetic");

    // the overview, populated
    d.goto(&format!("{site}/?lang=en")).await;
    d.wait_url("/insight").await;
    assert_eq!(d.text("#kpi-postings").await, "4");
    let months_before = d.count("#chart-months .mark").await;
    assert_eq!(months_before, 3, "Feb, Mar, Apr 2017");
    // a filter change: choosing a role submits the form; the figures and charts follow
    d.click("#f-role option[value=\"pentester\"]").await;
    let url = d.wait_url("role=pentester").await;
    assert!(
        url.ends_with("/insight?country=CN&role=pentester"),
        "only the filters in use (and the country, always one) are in the URL: {url}"
    );
    assert_eq!(d.text("#kpi-postings").await, "2", "{url}");
    assert_eq!(
        d.count("#chart-months .mark").await,
        1,
        "only April has penetration testers"
    );
    // four postings: no region has the 20 a location quotient needs, and the page says so
    assert_eq!(d.count("#quotients tbody tr").await, 0);
    assert!(
        d.text("#quotients-too-few")
            .await
            .contains("Too few postings"),
        "the role's location quotients say why they are missing"
    );
    // legend toggle: the supply series hides and shows
    d.click("p.legend button[data-series=\"b\"]").await;
    assert!(d.attr("#chart-supply g.s-b", "class").await.contains("off"));
    assert_eq!(
        d.attr("p.legend button[data-series=\"b\"]", "aria-pressed")
            .await,
        "false"
    );
    d.click("p.legend button[data-series=\"b\"]").await;
    assert!(!d.attr("#chart-supply g.s-b", "class").await.contains("off"));
    // drill down from a chart element to the postings behind it
    d.click("#chart-months a rect").await;
    d.wait_url("/insight/postings").await;
    assert_eq!(d.text("#drill-total").await, "2");
    assert_eq!(d.count("#postings tbody tr").await, 2);
    // download the export
    d.click("#export-postings").await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let file = loop {
        let done = std::fs::read_dir(downloads.path()).ok().and_then(|mut it| {
            it.find_map(|e| {
                e.ok()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "csv"))
            })
        });
        if let Some(f) = done {
            break f;
        }
        assert!(Instant::now() < deadline, "no download arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let csv = std::fs::read_to_string(&file).expect("csv");
    assert!(
        csv.starts_with("\u{feff}ID,Title,Employer") && csv.matches("渗透测试工程师").count() == 2,
        "{csv}"
    );
    d.quit().await;
    server.abort();
    db.finish().await;
}

/// Job demand publishing end to end, each role in the same real browser:
/// HR drafts with the extractor's suggestions and submits, the moderator
/// approves, a student expresses interest, HR sees the candidate, and the
/// posting is counted on the dashboard as source `published`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_a_posting_in_a_real_browser() {
    let downloads = tempfile::tempdir().expect("tempdir");
    let Some(d) = Driver::start(downloads.path()).await else {
        return;
    };
    let (db, app) = demo_app(|_| async {}, 30, 10, 2).await;
    let (site, server) = serve(&app).await;

    // HR drafts: the extractor suggests the role and skills, HR keeps them and saves
    d.sign_in(&site, "hr", PASSWORD, "/jobs").await;
    d.click("#new-job").await;
    d.wait_url("/jobs/new").await;
    d.settle().await;
    d.type_into("input[name=title]", "安全运营实习生").await;
    d.type_into(
        "textarea[name=description]",
        "负责SIEM告警研判与应急响应，熟悉Splunk、Wireshark，了解等级保护",
    )
    .await;
    d.type_into("input[name=location]", "武汉").await;
    d.type_into("input[name=salary]", "150-200元/天").await;
    d.click("#suggest").await;
    d.find("#suggested").await;
    d.settle().await;
    assert!(
        d.count("#skills input[type=checkbox]:checked").await >= 2,
        "the suggested skills arrive checked"
    );
    let role = d.attr("#platform-role option:checked", "value").await;
    assert!(!role.is_empty(), "a role is suggested");
    d.click("#save").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let id: i64 = loop {
        let url = d.url().await;
        let path = url.split('?').next().unwrap_or(&url);
        if let Some(id) = path.rsplit('/').next().and_then(|s| s.parse().ok()) {
            break id;
        }
        assert!(
            Instant::now() < deadline,
            "saving never reached the posting's page: {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    d.wait_text("#job-status", "Draft").await;
    d.settle().await;
    assert!(d.count("#job-skills a").await >= 2);
    d.click("#submit").await;
    d.wait_text("#job-status", "Awaiting review").await;

    // the moderator sends it back once: the queue confirms, no error page
    d.sign_in(&site, "moderator", PASSWORD, &format!("/jobs/{id}"))
        .await;
    d.type_into("input[name=note]", "请写明实习时长").await;
    d.click("#reject").await;
    d.wait_url("done=reject").await;
    d.settle().await;
    assert!(d.text("#done").await.contains("退回") || d.text("#done").await.contains("Sent back"));
    // HR resubmits: the page confirms
    d.sign_in(&site, "hr", PASSWORD, &format!("/jobs/{id}"))
        .await;
    d.click("#submit").await;
    d.wait_url("done=submit").await;
    d.find("#done").await;
    d.wait_text("#job-status", "Awaiting review").await;

    // the moderator approves it from the review queue
    d.sign_in(&site, "moderator", PASSWORD, "/jobs?status=submitted")
        .await;
    d.click(&format!("#jobs a[href=\"/jobs/{id}\"]")).await;
    d.wait_url(&format!("/jobs/{id}")).await;
    d.settle().await;
    d.click("#approve").await;
    d.wait_text("#job-status", "Published").await;

    // a student sees it and expresses interest
    d.sign_in(&site, "student", PASSWORD, &format!("/jobs/{id}"))
        .await;
    d.click("#interest").await;
    d.find("#withdraw").await;
    d.settle().await;

    // HR sees the interested student (who shares their profile with enterprises) with readiness
    d.sign_in(&site, "hr", PASSWORD, &format!("/jobs/{id}/candidates"))
        .await;
    d.find("#candidate-list").await;
    d.settle().await;
    assert_eq!(d.count("#candidate-list tbody tr").await, 1);
    let person = app
        .store()
        .user_by_name("student")
        .await
        .expect("user")
        .expect("student")
        .person_id
        .expect("person");
    let name = app
        .store()
        .talent_person(person)
        .await
        .expect("p")
        .expect("p")
        .name;
    assert!(d.text("#candidate-list").await.contains(&name));
    // and rates them: an enterprise evaluation lands in the student's profile
    d.click("#candidate-list a[href$=\"/evaluate\"]").await;
    d.wait_url("/evaluate").await;
    d.settle().await;
    d.click("#evaluate-form select option[value=\"4\"]").await;
    d.type_into("textarea[name=comment]", "表现优秀").await;
    d.click("#evaluate-form button[type=submit]").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while d.url().await.ends_with("/evaluate") {
        assert!(Instant::now() < deadline, "the evaluation was not saved");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let evals = app
        .store()
        .talent_evidence_of(person)
        .await
        .expect("evidence")
        .into_iter()
        .filter(|e| {
            e.source_org.contains("Sample Security")
                && e.observations.iter().any(|o| o.level == 4.0)
        })
        .count();
    assert_eq!(
        evals, 1,
        "one evaluation at level 4 from the sample enterprise"
    );

    // counted on the dashboard as published demand (the demo's internship and this one)
    d.goto(&format!("{site}/insight?source=published&lang=en"))
        .await;
    d.wait_text("#kpi-postings", "2").await;
    d.quit().await;
    server.abort();
    db.finish().await;
}

/// What a person reads on a page that is not words: catalog ids, status and
/// role codes, audit action codes, UTC timestamps.
struct Unreadable {
    /// id → the names it is shown as (an id that is also its own name, like
    /// `sqlmap`, is allowed)
    ids: std::collections::HashMap<String, Vec<String>>,
}

impl Unreadable {
    fn new() -> Self {
        let m = cb_competency::bundled::model().expect("model");
        let mut ids: std::collections::HashMap<String, Vec<String>> = Default::default();
        let mut add = |id: &str, zh: &str, en: &str| {
            ids.insert(id.to_string(), vec![zh.to_string(), en.to_string()]);
        };
        for s in &m.skills {
            add(&s.id, &s.name_zh, &s.name_en);
        }
        for r in &m.platform_roles {
            add(&r.id, &r.name_zh, &r.name_en);
        }
        for c in &m.certifications {
            add(&c.id, &c.name_zh, &c.name_en);
        }
        for d in &m.skill_domains {
            add(&d.id, &d.name_zh, &d.name_en);
        }
        // statuses, roles, kinds and sources as stored
        for code in [
            "draft",
            "submitted",
            "published",
            "rejected",
            "closed",
            "open",
            "accepted",
            "dismissed",
            "internship",
            "proposed",
            "official",
            "school_admin",
            "enterprise_hr",
            "enterprise_mentor",
            "lagou",
            "usajobs",
            "enterprise_evaluation",
            "course_grade",
            "certificate",
            "competition",
            "award",
        ] {
            ids.insert(code.to_string(), Vec::new());
        }
        Unreadable { ids }
    }

    /// The unreadable pieces of `text` (a page's `innerText`).
    fn find(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let shown_as_itself = |t: &str| {
            self.ids
                .get(t)
                .is_some_and(|names| names.iter().any(|n| n == t))
        };
        for cell in text.split(['\n', '\t']) {
            let cell = cell.trim();
            // a whole cell, or each item of a list in it, that is a code
            let items: Vec<&str> = cell
                .split([',', '，', '、', '·'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            for item in &items {
                if self.ids.contains_key(*item) && !shown_as_itself(item) {
                    out.push(format!("code `{item}` in “{cell}”"));
                }
            }
            // a stored reference (`person 48`, `(id 5)`) where a name belongs
            let words: Vec<&str> = cell
                .split(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '(' | ')'))
                .filter(|w| !w.is_empty())
                .collect();
            for pair in words.windows(2) {
                let kinds = [
                    "person",
                    "user",
                    "job",
                    "posting",
                    "org",
                    "cohort",
                    "cohorts",
                    "evidence",
                    "token",
                    "correction",
                    "id",
                ];
                if kinds.contains(&pair[0]) && pair[1].parse::<u64>().is_ok() {
                    out.push(format!("reference `{} {}` in “{cell}”", pair[0], pair[1]));
                }
            }
            for tok in cell.split(|c: char| {
                !(c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_' || c == ':')
            }) {
                let tok = tok.trim_matches(|c: char| c == '.' || c == ':');
                if tok.contains('-') && self.ids.contains_key(tok) && !shown_as_itself(tok) {
                    out.push(format!("id `{tok}` in “{cell}”"));
                }
                let audit = tok.split_once('.').is_some_and(|(a, b)| {
                    [
                        "signin",
                        "profile",
                        "cohort",
                        "candidates",
                        "consent",
                        "interest",
                        "job",
                        "user",
                        "token",
                        "password",
                        "talent",
                        "postings",
                        "org",
                        "teacher",
                        "correction",
                    ]
                    .contains(&a)
                        && b.len() > 2
                        && b.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                });
                if audit {
                    out.push(format!("audit code `{tok}` in “{cell}”"));
                }
                let b = tok.as_bytes();
                if b.len() >= 16
                    && b[4] == b'-'
                    && b[7] == b'-'
                    && b[10] == b'T'
                    && b[..4].iter().all(u8::is_ascii_digit)
                {
                    out.push(format!("UTC timestamp `{tok}` in “{cell}”"));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

#[test]
fn the_unreadable_text_finder_finds_what_it_should() {
    let u = Unreadable::new();
    assert!(
        u.find("渗透测试\tburp-suite, nmap")
            .iter()
            .any(|x| x.contains("burp-suite"))
    );
    assert!(u.find("状态\topen").iter().any(|x| x.contains("`open`")));
    assert!(u.find("2026-11-30T16:22:51Z\tprofile.read").len() == 2);
    assert!(
        u.find("sqlmap\t渗透测试工程师\tBurp Suite\t状态：草稿")
            .is_empty(),
        "{:?}",
        u.find("sqlmap\t渗透测试工程师\tBurp Suite")
    );
    assert!(u.find("an open question about the data").is_empty());
    assert!(
        u.find("profile.read\tperson 48: candidate for posting 2")
            .iter()
            .any(|x| x.contains("`person 48`"))
    );
    assert!(
        u.find("王伟, as a candidate for “渗透测试工程师”")
            .is_empty()
    );
}

/// Every page reachable from the navigation, as every role and as nobody, in
/// both languages: no catalog id, status code, audit code or UTC timestamp
/// in the visible text, and no link that answers with an error page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_as_every_role_reads_in_its_language() {
    let downloads = tempfile::tempdir().expect("tempdir");
    let Some(d) = Driver::start(downloads.path()).await else {
        return;
    };
    let (db, app) = demo_app(
        |app: App| async move {
            app.postings()
                .import(
                    &Caller::system("test"),
                    cb_app::ImportFile {
                        name: "lagou.csv".into(),
                        hash: cb_tabular::sha256_hex(POSTINGS.as_bytes()).expect("hash"),
                        size: POSTINGS.len() as u64,
                        reader: Box::new(std::io::Cursor::new(POSTINGS.as_bytes().to_vec())),
                    },
                    cb_app::ImportOptions::default(),
                    &mut |_, _| {},
                )
                .await
                .expect("postings");
        },
        40,
        12,
        3,
    )
    .await;
    // a correction asked for, so its status shows on the student's and the school's pages
    let student = app
        .store()
        .user_by_name("student")
        .await
        .expect("user")
        .expect("student");
    app.talent()
        .request_correction(
            &Caller::user(student.id, student.org_id, student.role),
            None,
            "我的毕业年份有误",
        )
        .await
        .expect("correction");
    let (site, server) = serve(&app).await;
    let finder = Unreadable::new();
    // one page of each kind: numbers and catalog ids in paths are one kind
    let shape = |href: &str| -> String {
        let (path, query) = href.split_once('?').unwrap_or((href, ""));
        let mut keys: Vec<&str> = query
            .split('&')
            .filter_map(|kv| kv.split('=').next())
            .filter(|k| !k.is_empty() && *k != "lang")
            .collect();
        keys.sort_unstable();
        let parts: Vec<&str> = path.split('/').collect();
        let path: Vec<String> = parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let after = if i > 0 { parts[i - 1] } else { "" };
                if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty()
                    || ["skills", "roles", "work-roles", "external"].contains(&after) && i >= 3
                {
                    "*".to_string()
                } else {
                    p.to_string()
                }
            })
            .collect();
        format!("{}?{}", path.join("/"), keys.join("&"))
    };
    let mut problems: Vec<String> = Vec::new();
    let mut pages = 0;
    for user in [
        None,
        Some("operator"),
        Some("moderator"),
        Some("analyst"),
        Some("school-admin"),
        Some("teacher"),
        Some("student"),
        Some("hr"),
        Some("mentor"),
    ] {
        let who = user.unwrap_or("anonymous");
        match user {
            Some(u) => d.sign_in(&site, u, PASSWORD, "/insight").await,
            None => {
                d.call(reqwest::Method::DELETE, "/cookie", None).await;
            }
        }
        let mut seen = std::collections::HashSet::new();
        let mut visited: Vec<String> = Vec::new();
        // every place the role may open first, then what the pages link to
        let places = match user {
            Some(u) => {
                let me = app.store().user_by_name(u).await.expect("user").expect(u);
                app.places(&Caller::user(me.id, me.org_id, me.role))
            }
            None => cb_app::Places::default(),
        };
        let mut queue: std::collections::VecDeque<String> = [
            ("/insight", true),
            ("/jobs", true),
            ("/insight/program", true),
        ]
        .into_iter()
        .chain(cb_web::place_pages(&places))
        .filter(|(_, open)| *open)
        .map(|(p, _)| p.to_string())
        .collect();
        while let Some(href) = queue.pop_front() {
            if !seen.insert(shape(&href)) || seen.len() > 30 {
                continue;
            }
            visited.push(href.clone());
            for lang in ["zh", "en"] {
                let sep = if href.contains('?') { '&' } else { '?' };
                d.goto(&format!("{site}{href}{sep}lang={lang}")).await;
                d.settle().await;
                pages += 1;
                let v = d
                    .call(
                        reqwest::Method::POST,
                        "/execute/sync",
                        Some(json!({"script": "return [document.body.innerText, (document.getElementById('error-page') || {}).innerText || null, Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))]", "args": []})),
                    )
                    .await;
                let text = v[0].as_str().unwrap_or_default();
                let url = d.url().await;
                if v[1].as_bool() == Some(true) && !href.starts_with("/account") {
                    problems.push(format!(
                        "{who} {lang} {href}: an error page ({})",
                        text.lines().find(|l| !l.trim().is_empty()).unwrap_or("")
                    ));
                }
                for p in finder.find(text) {
                    problems.push(format!("{who} {lang} {url}: {p}"));
                }
                if lang == "zh" {
                    for l in v[2]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                    {
                        let skip = !l.starts_with('/')
                            || l.starts_with("//")
                            || l.starts_with("/api/")
                            || l.starts_with("/static/")
                            || l.starts_with("/signout")
                            || l.contains("export");
                        if !skip {
                            let l = l.split('#').next().unwrap_or(l).to_string();
                            if !seen.contains(&shape(&l)) {
                                queue.push_back(l);
                            }
                        }
                    }
                }
            }
        }
        // the same pages on a 390 px phone: nothing scrolls sideways
        d.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": 390, "height": 844})),
        )
        .await;
        for href in &visited {
            for lang in ["zh", "en"] {
                let sep = if href.contains('?') { '&' } else { '?' };
                d.goto(&format!("{site}{href}{sep}lang={lang}")).await;
                d.settle().await;
                let v = d
                    .call(
                        reqwest::Method::POST,
                        "/execute/sync",
                        Some(json!({"script": "return [document.documentElement.scrollWidth, window.innerWidth]", "args": []})),
                    )
                    .await;
                let (wide, view) = (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0));
                assert!(view <= 400, "the window is {view} px wide, not a phone's");
                if wide > view + 1 {
                    problems.push(format!(
                        "{who} {lang} {href}: {wide} px wide on a {view} px phone"
                    ));
                }
            }
        }
        d.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": 1300, "height": 1000})),
        )
        .await;
    }
    assert!(pages > 150, "{pages} pages read");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    d.quit().await;
    server.abort();
    db.finish().await;
}

/// The import queue through its page: the operator uploads a posting file in
/// Chinese, a school admin their school's roster in English; each page
/// reloads itself until the worker has finished and then shows the counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploading_through_the_imports_page_in_a_real_browser() {
    let downloads = tempfile::tempdir().expect("tempdir");
    let Some(d) = Driver::start(downloads.path()).await else {
        return;
    };
    let (db, app) = demo_app(|_| async {}, 30, 10, 2).await;
    let (site, server) = serve(&app).await;
    let files = tempfile::tempdir().expect("tempdir");
    let postings = files.path().join("lagou.csv");
    std::fs::write(&postings, POSTINGS).expect("write");

    d.sign_in(&site, "operator", PASSWORD, "/imports").await;
    d.goto(&format!("{site}/imports?lang=zh")).await;
    d.settle().await;
    assert_eq!(
        d.attr("#upload-kind option:checked", "value").await,
        "postings",
        "the operator's form starts at job postings"
    );
    d.type_into("#upload-file", &postings.display().to_string())
        .await;
    d.click("#upload-form button[type=submit]").await;
    d.wait_url("/imports/").await;
    d.wait_text("#task-state", "已完成").await;
    let result = d.text("#task-result").await;
    assert!(
        result.contains("读取 4 行：新增 4 条"),
        "the result in words: {result}"
    );

    // a school admin sees talent files only, and imports their school's roster
    let admin = app
        .store()
        .user_by_name("school-admin")
        .await
        .expect("user")
        .expect("school-admin");
    let org = app
        .store()
        .org(admin.org_id)
        .await
        .expect("org")
        .expect("org");
    let school = app
        .store()
        .talent_school(org.school_id.expect("a school"))
        .await
        .expect("school")
        .expect("school")
        .name;
    let roster = files.path().join("roster.csv");
    std::fs::write(
        &roster,
        format!("学校,专业,学号,姓名,毕业年份\n{school},网络空间安全,880001,李明,2027\n"),
    )
    .expect("write");
    d.sign_in(&site, "school-admin", PASSWORD, "/imports").await;
    d.goto(&format!("{site}/imports?lang=en")).await;
    d.settle().await;
    assert_eq!(
        d.count("#upload-kind option[value=postings]").await,
        0,
        "no posting imports for a school"
    );
    d.click("#upload-kind option[value=people]").await;
    d.type_into("#upload-file", &roster.display().to_string())
        .await;
    d.click("#upload-form button[type=submit]").await;
    d.wait_url("/imports/").await;
    d.wait_text("#task-state", "Done").await;
    let result = d.text("#task-result").await;
    assert!(
        result.contains("1 row read: 1 person, 0 courses, 0 skill mappings, 0 pieces of evidence added; 0 rows rejected"),
        "the result in words: {result}"
    );
    d.goto(&format!("{site}/imports?lang=en")).await;
    d.settle().await;
    assert_eq!(
        d.count("#tasks tbody tr").await,
        1,
        "a school admin sees their school's imports, not the operator's"
    );
    d.quit().await;
    server.abort();
    app.store().close().await;
    db.finish().await;
}
