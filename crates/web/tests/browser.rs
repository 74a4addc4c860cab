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

struct Driver {
    http: reqwest::Client,
    base: String,
    session: String,
    child: std::process::Child,
}

impl Driver {
    async fn start(download_dir: &std::path::Path) -> Option<Driver> {
        let exe = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].into_iter().find(|p| std::path::Path::new(p).exists());
        let Some(exe) = exe else {
            assert!(std::env::var("CB_REQUIRE_BROWSER").is_err(), "CB_REQUIRE_BROWSER is set but chromedriver is missing (apt-get install chromium chromium-driver)");
            eprintln!("browser test skipped: no chromedriver on this machine (apt-get install chromium chromium-driver)");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let child = std::process::Command::new(exe).arg(format!("--port={port}")).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().expect("chromedriver");
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
        let v: Value = http.post(format!("{base}/session")).json(&caps).send().await.expect("session").json().await.expect("json");
        let session = v["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {v}")).to_string();
        Some(Driver { http, base, session, child })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut r = self.http.request(method, &url);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let v: Value = r.send().await.unwrap_or_else(|e| panic!("{path}: {e}")).json().await.expect("json");
        v["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url}))).await;
    }

    async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None).await.as_str().unwrap_or_default().to_string()
    }

    async fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = self.call(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await;
            if let Some(id) = v.as_object().and_then(|o| o.values().next()).and_then(|x| x.as_str()) {
                return id.to_string();
            }
            assert!(Instant::now() < deadline, "no element {css}: {v}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn count(&self, css: &str) -> usize {
        self.call(reqwest::Method::POST, "/elements", Some(json!({"using": "css selector", "value": css}))).await.as_array().map_or(0, Vec::len)
    }

    async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.call(reqwest::Method::GET, &format!("/element/{id}/text"), None).await.as_str().unwrap_or_default().to_string()
    }

    async fn attr(&self, css: &str, name: &str) -> String {
        let id = self.find(css).await;
        self.call(reqwest::Method::GET, &format!("/element/{id}/attribute/{name}"), None).await.as_str().unwrap_or_default().to_string()
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        // into the middle of the viewport, clear of the sticky header
        let el = json!({"element-6066-11e4-a52e-4f735466cecf": id});
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({"script": "arguments[0].scrollIntoView({block: 'center'});", "args": [el]}))).await;
        let v = self.call(reqwest::Method::POST, &format!("/element/{id}/click"), Some(json!({}))).await;
        assert!(v.get("error").is_none(), "click {css}: {v}");
    }

    async fn wait_url(&self, part: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let u = self.url().await;
            if u.contains(part) {
                return u;
            }
            assert!(Instant::now() < deadline, "the page never reached a URL with {part}: {u}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn quit(mut self) {
        let _ = self.http.delete(format!("{}/session/{}", self.base, self.session)).send().await;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const POSTINGS: &str = "lagou_category,职位编码,职位名称,所在城市,发布日期,薪资待遇,公司编码,公司名称,公司全称
安全专家,101,渗透测试工程师,北京,2017-04-20,15k-25k,1,甲,甲科技有限公司
安全专家,102,安全运维工程师,上海,2017-03-02,10k-20k,2,乙,乙网络有限公司
安全专家,103,渗透测试工程师,深圳,2017-04-11,20k-30k,3,丙,丙安全股份有限公司
安全专家,104,安全服务工程师,北京,2017-02-15,12k-18k,4,丁,丁信息技术有限公司
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_a_real_browser() {
    let downloads = tempfile::tempdir().expect("tempdir");
    let Some(d) = Driver::start(downloads.path()).await else { return };
    let db = TestDb::sqlite();
    let app = App::open(&db.url).await.expect("open").with_operator_token(Some(TOKEN));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let site = format!("http://{}", listener.local_addr().expect("addr"));
    let served = app.clone();
    let server = tokio::spawn(async move {
        let _ = cb_web::serve(served, listener, std::future::pending()).await;
    });
    let r = reqwest::Client::new().post(format!("{site}/api/v1/imports/postings?filename=lagou.csv")).bearer_auth(TOKEN).body(POSTINGS).send().await.expect("upload");
    assert!(r.status().is_success());
    app.talent().load_synthetic(&Caller::system("test"), 30, 10, 2).await.expect("synthetic");

    // the overview, populated
    d.goto(&format!("{site}/?lang=en")).await;
    d.wait_url("/insight").await;
    assert_eq!(d.text("#kpi-postings").await, "4");
    let months_before = d.count("#chart-months .mark").await;
    assert_eq!(months_before, 3, "Feb, Mar, Apr 2017");
    // a filter change: choosing a role submits the form; the figures and charts follow
    d.click("#f-role option[value=\"pentester\"]").await;
    let url = d.wait_url("role=pentester").await;
    assert!(url.ends_with("/insight?role=pentester"), "only the filters in use are in the URL: {url}");
    assert_eq!(d.text("#kpi-postings").await, "2", "{url}");
    assert_eq!(d.count("#chart-months .mark").await, 1, "only April has penetration testers");
    assert!(d.count("#quotients tbody tr").await >= 2, "the role's location quotients appear");
    // legend toggle: the supply series hides and shows
    d.click("p.legend button[data-series=\"b\"]").await;
    assert!(d.attr("#chart-supply g.s-b", "class").await.contains("off"));
    assert_eq!(d.attr("p.legend button[data-series=\"b\"]", "aria-pressed").await, "false");
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
        let done = std::fs::read_dir(downloads.path()).ok().and_then(|mut it| it.find_map(|e| e.ok().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "csv"))));
        if let Some(f) = done {
            break f;
        }
        assert!(Instant::now() < deadline, "no download arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let csv = std::fs::read_to_string(&file).expect("csv");
    assert!(csv.starts_with("\u{feff}id,title,employer") && csv.matches("渗透测试工程师").count() == 2, "{csv}");
    d.quit().await;
    server.abort();
    db.finish().await;
}
