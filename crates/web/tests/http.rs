//! The HTTP surface against a real server on port 0, on every backend.

use cb_app::App;
use cb_competency::bundled;
use cb_core::Caller;
use cb_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::Value;

const TOKEN: &str = "test-operator-token";
const OPERATOR: &str = "operator";
const PASSWORD: &str = "correct horse battery";

mod common;

struct Server {
    base: String,
    client: reqwest::Client,
    served: common::Served,
    app: App,
}

impl Server {
    async fn start(db: &TestDb) -> Server {
        let app = App::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label))
            .with_operator_token(Some(TOKEN));
        app.framework()
            .import_external(
                &Caller::system("test"),
                bundled::ecsf().expect("ecsf"),
                &mut |_, _| {},
            )
            .await
            .expect("ecsf");
        app.init_operator(OPERATOR, "Operator", PASSWORD)
            .await
            .expect("first operator");
        let served = common::Served::start(app.clone()).await;
        Server {
            base: served.base.clone(),
            client: common::client(),
            served,
            app,
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let (s, h) = (r.status(), r.headers().clone());
        (s, h, r.text().await.unwrap_or_default())
    }

    async fn get_with(&self, path: &str, header: (&str, &str)) -> String {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header.0, header.1)
            .send()
            .await
            .expect("get");
        r.text().await.unwrap_or_default()
    }

    async fn json(&self, path: &str) -> (StatusCode, Value) {
        let (s, h, body) = self.get(path).await;
        let ct = h
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            ct.starts_with("application/json"),
            "{path}: content-type {ct}"
        );
        (
            s,
            serde_json::from_str(&body)
                .unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}")),
        )
    }

    /// A JSON answer to a bearer token.
    async fn json_as(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let st = r.status();
        (
            st,
            r.json()
                .await
                .unwrap_or_else(|e| panic!("{path}: not JSON ({e})")),
        )
    }

    async fn stop(self) {
        self.served.stop().await;
        self.app.store().close().await;
    }
}

/// Runs `check` against a server on every backend.
macro_rules! on_every_backend {
    ($check:ident) => {
        for db in TestDb::all().await {
            let server = Server::start(&db).await;
            $check(&server, db.label).await;
            server.stop().await;
            db.finish().await;
        }
    };
}

#[tokio::test]
async fn health_and_api_answer_with_json() {
    on_every_backend!(check_health_and_api_answer_with_json);
}

async fn check_health_and_api_answer_with_json(s: &Server, label: &str) {
    let (st, v) = s.json("/healthz").await;
    assert_eq!(st, StatusCode::OK, "{label}");
    assert_eq!(v["status"], "ok");
    assert_eq!(v["database"], label);

    let (st, v) = s.json("/api/v1/framework").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["counts"]["work_roles"], 41);
    assert_eq!(v["counts"]["tasks"], 946);
    assert!(v["counts"]["lexicon_skills"].as_u64().unwrap_or(0) >= 800);
    assert_eq!(v["categories"].as_array().map(Vec::len), Some(5));

    let (_, v) = s.json("/api/v1/framework/work-roles/PD-WRL-001").await;
    assert_eq!(v["role"]["title"], "Defensive Cybersecurity");
    assert!(v["knowledge"].as_array().is_some_and(|k| !k.is_empty()));
    assert!(
        v["platform_roles"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["id"] == "soc-analyst"))
    );

    let (_, v) = s.json("/api/v1/framework/roles/pentester").await;
    assert_eq!(v["role"]["name_zh"], "渗透测试工程师");
    assert!(
        v["core_skills"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["id"] == "burp-suite"))
    );

    let (_, v) = s
        .json("/api/v1/framework/skills?domain=grc&kind=standard")
        .await;
    let arr = v.as_array().cloned().unwrap_or_default();
    assert!(
        !arr.is_empty()
            && arr
                .iter()
                .all(|x| x["domain_id"] == "grc" && x["kind"] == "standard")
    );

    let (_, v) = s.json("/api/v1/framework/skills/mlps-2").await;
    assert_eq!(v["skill"]["name_zh"], "网络安全等级保护2.0");

    let (_, v) = s.json("/api/v1/framework/certifications/cissp").await;
    assert_eq!(v["certification"]["issuer_en"], "ISC2");

    let (_, v) = s.json("/api/v1/framework/external/ecsf").await;
    assert_eq!(v["roles"].as_array().map(Vec::len), Some(12));

    let (_, v) = s.json("/api/v1/framework/search?q=%E6%B8%97%E9%80%8F%E6%B5%8B%E8%AF%95%E5%B7%A5%E7%A8%8B%E5%B8%88").await;
    assert_eq!(v["hits"][0]["id"], "pentester");
    let (_, v) = s.json("/api/v1/framework/search?q=Burp").await;
    assert_eq!(v["hits"][0]["id"], "burp-suite");
}

#[tokio::test]
async fn api_errors_are_json_with_a_status() {
    on_every_backend!(check_api_errors_are_json_with_a_status);
}

async fn check_api_errors_are_json_with_a_status(s: &Server, _label: &str) {
    let (st, v) = s.json("/api/v1/framework/skills/no-such-skill").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(v["error"]["code"], "not_found");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no-such-skill") && m.contains("未找到"))
    );
    let (st, v) = s.json("/api/v1/framework/skills?kind=gadget").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("tool"))
    );
    let (st, _) = s.json("/api/v1/nothing-here").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let long = "a".repeat(300);
    let (st, _) = s.json(&format!("/api/v1/framework/search?q={long}")).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn pages_render_in_chinese_and_english() {
    on_every_backend!(check_pages_render_in_chinese_and_english);
}

async fn check_pages_render_in_chinese_and_english(s: &Server, label: &str) {
    let (st, h, _) = s.get("/").await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{label}");
    assert_eq!(
        h.get("location").and_then(|v| v.to_str().ok()),
        Some("/insight")
    );

    let (st, h, zh) = s.get("/framework").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        h.get("content-security-policy").is_some() && h.get("x-content-type-options").is_some()
    );
    assert!(
        zh.contains("<html lang=\"zh-CN\">")
            && zh.contains("能力框架浏览")
            && zh.contains("渗透测试工程师")
    );
    assert!(zh.contains("网络安全审计和评估") && zh.contains("/framework/work-roles/PD-WRL-007"));

    let (_, h, en) = s.get("/framework?lang=en").await;
    assert!(
        en.contains("<html lang=\"en\">")
            && en.contains("Competency framework")
            && en.contains("Penetration Tester")
    );
    let cookie = h
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(cookie.starts_with("cb_lang=en"), "{cookie}");
    // the cookie and Accept-Language choose the language too
    assert!(
        s.get_with("/framework", ("cookie", "cb_lang=en"))
            .await
            .contains("Competency framework")
    );
    assert!(
        s.get_with("/framework", ("accept-language", "en-US,en;q=0.9"))
            .await
            .contains("Competency framework")
    );

    let (st, _, page) = s.get("/framework/work-roles/PD-WRL-007?lang=en").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("Vulnerability Analysis")
            && page.contains("K0955")
            && page.contains("Penetration Tester")
    );
    let (_, _, page) = s.get("/framework/roles/mlps-assessor").await;
    assert!(
        page.contains("等保测评师") && page.contains("核心技能") && page.contains("等级保护测评师")
    );
    let (_, _, page) = s.get("/framework/skills/burp-suite?lang=en").await;
    assert!(
        page.contains("Burp Suite")
            && page.contains("K0956")
            && page.contains("Penetration Tester")
    );
    let (_, _, page) = s.get("/framework/skills?domain=ot").await;
    assert!(page.contains("工控安全") && !page.contains("Burp Suite"));
    let (_, _, page) = s.get("/framework/certifications?lang=en").await;
    assert!(
        page.contains("CISSP")
            && page.contains("China Information Technology Security Evaluation Center")
    );
    let (_, _, page) = s.get("/framework/external/ecsf").await;
    assert!(page.contains("Penetration Tester") && page.contains("PD-WRL-007"));
    let (_, _, page) = s.get("/framework/search?q=%E7%BA%A2%E9%98%9F").await;
    assert!(page.contains("/framework/roles/red-team"));
    // the language switch keeps the query
    assert!(page.contains("lang=en") && page.contains("q=%E7%BA%A2%E9%98%9F"));
}

#[tokio::test]
async fn unknown_pages_are_404_and_input_is_escaped() {
    on_every_backend!(check_unknown_pages_are_404_and_input_is_escaped);
}

async fn check_unknown_pages_are_404_and_input_is_escaped(s: &Server, _label: &str) {
    let (st, _, page) = s.get("/framework/skills/nope?lang=en").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(page.contains("Not found") && page.contains("nope"));
    let (st, _, page) = s.get("/no/such/page").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(page.contains("页面或条目不存在"));
    let (st, _, page) = s
        .get("/framework/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(!page.contains("<script>alert") && page.contains("&#60;script&#62;alert(1)"));
    let (st, _, page) = s.get("/framework/skills?kind=%3Cb%3E").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("`&#60;b&#62;`") && !page.contains("`<b>`"),
        "{page}"
    );
}

#[tokio::test]
async fn uploads_need_the_operator_and_import_like_the_cli() {
    on_every_backend!(check_uploads);
}

async fn check_uploads(s: &Server, label: &str) {
    let url = format!(
        "{}/api/v1/imports/postings?filename=jobs.csv&skip_bad_rows=true",
        s.base
    );
    let body = "id,title,description,salary\n1,渗透测试工程师,熟悉Burp Suite,15k-25k\n2,SOC Analyst,Splunk,nope\n";
    let anon = s.client.post(&url).body(body).send().await.expect("post");
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED, "{label}");
    let wrong = s
        .client
        .post(&url)
        .bearer_auth("not-the-token")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let (st, v) = s.json("/api/v1/imports").await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "import history is for operators: {v}"
    );

    let r = s
        .client
        .post(&url)
        .bearer_auth(TOKEN)
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::OK, "{label}");
    let v: Value = r.json().await.expect("json");
    assert_eq!(
        (
            v["postings_new"].as_u64(),
            v["rejected"].as_array().map(Vec::len)
        ),
        (Some(1), Some(1)),
        "{v}"
    );
    assert!(v["rejected"][0]["error"]["column"] == "salary");
    let again: Value = s
        .client
        .post(&url)
        .bearer_auth(TOKEN)
        .body(body)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(again["already_imported"], true);
    let (_, v) = s.json("/api/v1/postings/count").await;
    assert_eq!(v["postings"], 1);
    let (st, v) = s.json("/api/v1/postings?limit=10").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v[0]["title"], "渗透测试工程师");
    assert_eq!(v[0]["platform_role"], "pentester");
    assert_eq!(v[0]["sources"][0], "jobs:1");

    let no_name = s
        .client
        .post(format!("{}/api/v1/imports/postings", s.base))
        .bearer_auth(TOKEN)
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(no_name.status(), StatusCode::BAD_REQUEST);
    let strict = s
        .client
        .post(format!(
            "{}/api/v1/imports/postings?filename=strict.csv",
            s.base
        ))
        .bearer_auth(TOKEN)
        .body(body.replace("1,", "9,"))
        .send()
        .await
        .expect("post");
    assert_eq!(strict.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = strict.json().await.expect("json");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("strict.csv, line 3, column `salary`")),
        "{v}"
    );
}

#[tokio::test]
async fn profiles_need_a_sign_in_and_imports_the_operator() {
    on_every_backend!(check_profiles);
}

async fn check_profiles(s: &Server, label: &str) {
    s.app
        .talent()
        .load_synthetic(&Caller::system("test"), 20, 10, 3)
        .await
        .expect("synthetic");
    let (st, v) = s.json("/api/v1/talent/summary").await;
    assert_eq!(
        (st, v["people"].as_i64()),
        (StatusCode::OK, Some(20)),
        "{label}"
    );
    let (st, _) = s.json("/api/v1/people/3/profile").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, v) = s.json("/api/v1/supply?region=%E6%B9%96%E5%8C%97").await;
    assert_eq!(st, StatusCode::OK);
    assert!(v["roles"].as_array().is_some_and(|r| r.len() >= 30), "{v}");
    assert!(v["definition"].as_str().is_some_and(|d| d.contains("0.8")));
    let (st, _) = s.json("/api/v1/people").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let r = s
        .client
        .get(format!(
            "{}/api/v1/people/3/profile?as_of=2026-11-22",
            s.base
        ))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["person"]["id"], 3);
    assert!(
        v["profile"]["skills"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
    assert!(
        v["profile"]["skills"][0]["evidence"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "every level names its evidence"
    );
    let roster = "学校,专业,学号,姓名,毕业年份\n上传学院,网络空间安全,1,王伟,2026\n";
    let up = |kind: &str| {
        format!(
            "{}/api/v1/imports/talent?kind={kind}&filename=roster.csv",
            s.base
        )
    };
    let r = s
        .client
        .post(up("people"))
        .body(roster)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = s
        .client
        .post(up("nonsense"))
        .bearer_auth(TOKEN)
        .body(roster)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = s
        .client
        .post(up("people"))
        .bearer_auth(TOKEN)
        .body(roster)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(v["people_added"], 1, "{v}");
    let r = s
        .client
        .get(format!("{}/api/v1/people/x/profile", s.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = s
        .client
        .get(format!("{}/api/v1/people/999/profile", s.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// A browser's sign-in: form with its CSRF cookie, the talent pages, sign-out.
struct Browser {
    client: reqwest::Client,
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new() -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: Vec::new(),
        }
    }
    fn keep(&mut self, h: &reqwest::header::HeaderMap) {
        for v in h
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            if let Some((k, rest)) = v.split_once('=') {
                let val = rest.split(';').next().unwrap_or("").to_string();
                self.cookies.retain(|(n, _)| n != k);
                if !val.is_empty() {
                    self.cookies.push((k.to_string(), val));
                }
            }
        }
    }
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
    async fn get(&mut self, url: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let r = self
            .client
            .get(url)
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("get");
        let (s, h) = (r.status(), r.headers().clone());
        self.keep(&h);
        (s, h, r.text().await.unwrap_or_default())
    }
    async fn post(
        &mut self,
        url: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let body = serde_urlencoded::to_string(form).expect("form");
        let r = self
            .client
            .post(url)
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("post");
        let (s, h) = (r.status(), r.headers().clone());
        self.keep(&h);
        (s, h, r.text().await.unwrap_or_default())
    }
}

/// Where a response sends the client (empty when nowhere).
fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    html.split(&key)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn talent_pages_need_sign_in_and_show_profiles_and_heat_maps() {
    on_every_backend!(check_talent_pages);
}

async fn check_talent_pages(s: &Server, label: &str) {
    s.app
        .talent()
        .load_synthetic(&Caller::system("test"), 40, 20, 5)
        .await
        .expect("synthetic");
    let mut b = Browser::new();
    // nobody: to the sign-in page, and back after
    let (st, h, _) = b.get(&format!("{}/talent/people/3", s.base)).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{label}");
    assert_eq!(
        h.get("location").and_then(|v| v.to_str().ok()),
        Some("/signin?next=%2Ftalent%2Fpeople%2F3")
    );
    let (st, _, form) = b
        .get(&format!("{}/signin?next=/talent/people/3", s.base))
        .await;
    assert_eq!(st, StatusCode::OK);
    let csrf = hidden(&form, "csrf");
    assert_eq!(csrf.len(), 64);
    // a forged form (no matching CSRF cookie) is refused
    let (st, _, _) = Browser::new()
        .post(
            &format!("{}/signin", s.base),
            &[
                ("username", OPERATOR),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("next", "/talent"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, page) = b
        .post(
            &format!("{}/signin", s.base),
            &[
                ("username", OPERATOR),
                ("password", "wrong password"),
                ("csrf", &csrf),
                ("next", "/talent/people/3"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(page.contains("signin-error"));
    // a wrong password is called that, not a token
    assert!(
        page.contains("用户名或密码不正确") || page.contains("user name or password is not right"),
        "{page}"
    );
    let csrf = hidden(&page, "csrf");
    // an open redirect is not followed
    let (st, h, _) = b
        .post(
            &format!("{}/signin", s.base),
            &[
                ("username", OPERATOR),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(
        h.get("location").and_then(|v| v.to_str().ok()),
        Some("/account")
    );
    let set = h
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("cb_session="))
        .unwrap_or_default()
        .to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );

    let (st, _, index) = b.get(&format!("{}/talent?lang=en", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        index.contains("Talent pool")
            && index.contains("id=\"cohorts\"")
            && index.contains("synthetic"),
        "{index}"
    );
    let (st, _, p) = b.get(&format!("{}/talent/people/3?lang=zh", s.base)).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert!(
        p.contains("<svg class=\"radar\"")
            && p.contains("云安全")
            && p.contains("岗位就绪度")
            && p.contains("下一步学习建议"),
        "{label}"
    );
    assert!(
        p.contains("href=\"#ev-") && p.contains("id=\"ev-"),
        "every level links to its evidence"
    );
    // levels with their words, confidence in words with its evidence, readiness in percent
    assert!(
        ["了解", "初级", "熟练", "精通", "专家"]
            .iter()
            .any(|w| p.contains(&format!("> {w}")) || p.contains(&format!(" {w}<"))),
        "a level with its word"
    );
    assert!(
        p.contains("条证据）"),
        "confidence names the evidence behind it"
    );
    assert!(p.contains(" %</td>"), "readiness in percent");
    assert!(!p.contains(" × 0."), "no weights in the evidence chips");
    // the text between tags (attributes such as a meter's value may be exact)
    let text: String = p
        .split('<')
        .filter_map(|part| part.split_once('>').map(|(_, t)| t))
        .collect::<Vec<_>>()
        .join(" ");
    let three_decimals = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .any(|t| {
            t.split_once('.')
                .is_some_and(|(a, b)| !a.is_empty() && b.len() == 3)
        });
    assert!(
        !three_decimals,
        "no number with three decimals on the profile"
    );
    assert!(
        p.contains("id=\"next-list\"")
            && (p.contains("本专业课程：") || p.contains("本专业暂无课程讲授该技能")),
        "what to learn next says where"
    );
    let cohorts = s
        .app
        .talent()
        .cohorts(&Caller::system("test"))
        .await
        .expect("cohorts");
    let c = cohorts
        .iter()
        .find(|c| c.people > 0)
        .expect("a cohort with people");
    let (st, _, heat) = b
        .get(&format!(
            "{}/talent/cohorts/{}?lang=en",
            s.base, c.cohort.id
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        heat.contains("id=\"heatmap\"") && heat.contains("class=\"h"),
        "{label}"
    );
    let rows = heat.matches("href=\"/talent/people/").count();
    assert_eq!(rows as i64, c.people, "one row per member");
    let (st, _, heat) = b
        .get(&format!(
            "{}/talent/cohorts/{}?role=pentester",
            s.base, c.cohort.id
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(heat.contains("<option value=\"pentester\" selected>"));
    let (st, _, _) = b
        .get(&format!(
            "{}/talent/cohorts/{}?role=juggler",
            s.base, c.cohort.id
        ))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _, _) = b.get(&format!("{}/talent/cohorts/99999", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // the API gives the same heat map to the operator token only
    let (st, _) = s
        .json(&format!("/api/v1/cohorts/{}/heatmap", c.cohort.id))
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let v: Value = s
        .client
        .get(format!("{}/api/v1/cohorts/{}/heatmap", s.base, c.cohort.id))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(v["rows"].as_array().map(|r| r.len() as i64), Some(c.people));

    // sign-out needs the session's CSRF token
    let csrf = hidden(&heat, "csrf");
    let (st, _, _) = b
        .post(&format!("{}/signout", s.base), &[("csrf", "forged")])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, _) = b
        .post(&format!("{}/signout", s.base), &[("csrf", &csrf)])
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, _) = b.get(&format!("{}/talent", s.base)).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "signed out");
}

/// A sign-in form post as client `from` (through the trusted proxy's
/// `X-Forwarded-For`): the status and `Retry-After`.
async fn sign_in_from(
    base: &str,
    from: &str,
    user: &str,
    password: &str,
) -> (StatusCode, Option<u64>) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = client
        .get(format!("{base}/signin"))
        .send()
        .await
        .expect("form");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    let csrf = hidden(&r.text().await.unwrap_or_default(), "csrf");
    let body =
        serde_urlencoded::to_string([("username", user), ("password", password), ("csrf", &csrf)])
            .expect("form");
    let r = client
        .post(format!("{base}/signin"))
        .header("cookie", cookie)
        .header("x-forwarded-for", from)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("post");
    let retry = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (r.status(), retry)
}

/// Two nodes behind one trusted proxy (this machine), sharing one database.
async fn two_nodes(db: &TestDb) -> (App, common::Served, common::Served) {
    let proxy: std::net::IpAddr = "127.0.0.1".parse().expect("ip");
    let first = App::open(&db.url)
        .await
        .expect("open")
        .with_trusted_proxies(vec![proxy]);
    first
        .init_operator(OPERATOR, "Operator", PASSWORD)
        .await
        .expect("operator");
    let second = App::open(&db.url)
        .await
        .expect("open")
        .with_trusted_proxies(vec![proxy]);
    let a = common::Served::start(first.clone()).await;
    let b = common::Served::start(second).await;
    (first, a, b)
}

#[tokio::test]
async fn guessing_slows_on_every_node_without_locking_the_owner_out() {
    for db in TestDb::all().await {
        let (app, a, b) = two_nodes(&db).await;
        // five wrong guesses for the operator from an attacker's address, on node a
        for _ in 0..5 {
            let (st, _) = sign_in_from(&a.base, "203.0.113.9", OPERATOR, "a wrong guess").await;
            assert_eq!(st, StatusCode::UNAUTHORIZED, "{}", db.label);
        }
        // the next guess, on node b, waits: the count is shared, and the wait is short
        let (st, retry) = sign_in_from(&b.base, "198.51.100.7", OPERATOR, "another guess").await;
        assert_eq!(
            st,
            StatusCode::TOO_MANY_REQUESTS,
            "{}: the count is shared",
            db.label
        );
        assert!(
            retry.is_some_and(|s| (1..=60).contains(&s)),
            "{}: {retry:?}",
            db.label
        );
        // the owner, from their own address, gets in after that wait, not 15 minutes
        let wait = retry.unwrap_or(5);
        assert!(
            wait <= 5,
            "{}: the first wait is a few seconds ({wait})",
            db.label
        );
        tokio::time::sleep(std::time::Duration::from_millis(wait * 1000 + 200)).await;
        let (st, _) = sign_in_from(&b.base, "192.0.2.44", OPERATOR, PASSWORD).await;
        assert_eq!(
            st,
            StatusCode::SEE_OTHER,
            "{}: the right password",
            db.label
        );
        // the delays grow with the guesses
        for _ in 0..8 {
            let _ = sign_in_from(&a.base, "203.0.113.9", OPERATOR, "guess").await;
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let failures = app
            .store()
            .audit_log(200)
            .await
            .expect("audit")
            .iter()
            .filter(|e| e.action == "signin.failed")
            .count();
        assert!(
            failures < 5 + 8,
            "{}: waits refused some guesses unheard ({failures})",
            db.label
        );
        a.stop().await;
        b.stop().await;
        app.store().close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn one_address_is_limited_alone_and_only_a_trusted_proxy_names_it() {
    let db = TestDb::sqlite();
    let (app, a, b) = two_nodes(&db).await;
    let limit = cb_app::CLIENT_MAX_FAILURES as usize;
    // one address guessing many names is stopped…
    for i in 0..limit {
        let (st, _) = sign_in_from(&a.base, "203.0.113.50", &format!("nobody{i}"), "guess").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    let (st, _) = sign_in_from(&a.base, "203.0.113.50", OPERATOR, PASSWORD).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "that address is refused");
    // …and nobody else behind the same proxy is
    let (st, _) = sign_in_from(&a.base, "203.0.113.51", OPERATOR, PASSWORD).await;
    assert_eq!(
        st,
        StatusCode::SEE_OTHER,
        "another address behind the proxy"
    );
    // a header from someone who is not a trusted proxy names nobody
    let ip = |s: &str| s.parse::<std::net::IpAddr>().expect("ip");
    let direct = App::open(&db.url).await.expect("open");
    assert_eq!(
        direct.client_address(Some(ip("10.1.2.3")), &["203.0.113.50"]),
        Some(ip("10.1.2.3"))
    );
    assert_eq!(
        app.client_address(Some(ip("127.0.0.1")), &["6.6.6.6, 203.0.113.50"]),
        Some(ip("203.0.113.50")),
        "the right-most hop the proxy added, not what the client wrote first"
    );
    assert_eq!(
        app.client_address(Some(ip("127.0.0.1")), &["nonsense"]),
        Some(ip("127.0.0.1"))
    );
    a.stop().await;
    b.stop().await;
    app.store().close().await;
    direct.store().close().await;
    db.finish().await;
}

#[tokio::test]
async fn insight_dashboard_api_drill_down_and_exports() {
    on_every_backend!(check_insight);
}

async fn check_insight(s: &Server, label: &str) {
    let lagou = "lagou_category,职位编码,职位名称,所在城市,发布日期,薪资待遇,公司编码,公司名称,公司全称\n安全专家,101,渗透测试工程师,北京,2017-04-20,15k-25k,1,甲,甲科技有限公司\n安全专家,102,安全运维工程师,上海,2017-03-02,10k-20k,2,乙,乙网络有限公司\n安全专家,103,渗透测试工程师,深圳,2017-04-11,20k-30k,3,丙,丙安全股份有限公司\n";
    let up = format!("{}/api/v1/imports/postings?filename=lagou.csv", s.base);
    let r = s
        .client
        .post(&up)
        .bearer_auth(TOKEN)
        .body(lagou)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), StatusCode::OK, "{label}");
    s.app
        .talent()
        .load_synthetic(&Caller::system("test"), 30, 10, 2)
        .await
        .expect("synthetic");

    let (st, v) = s.json("/api/v1/indicators").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["demand"]["postings"], 3, "{label}");
    assert!(
        v["definitions"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x["key"] == "gap"))
    );
    let (_, v) = s
        .json("/api/v1/indicators?period=2017-04&province=%E5%8C%97%E4%BA%AC")
        .await;
    assert_eq!(
        (
            v["demand"]["postings"].as_u64(),
            v["demand"]["previous_postings"].as_u64()
        ),
        (Some(1), Some(0))
    );
    let (st, v) = s.json("/api/v1/indicators?period=2017-13").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("2024-Q2")),
        "{v}"
    );
    let (_, v) = s.json("/api/v1/indicators/postings?role=pentester").await;
    assert_eq!(v["total"], 2);
    assert!(v["postings"].as_array().is_some_and(|p| p.len() == 2));

    // the page: filters in the URL, charts that link to the postings behind them
    let (st, _, page) = s.get("/insight?lang=en&role=pentester").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("id=\"chart-months\"")
            && page.contains("id=\"chart-map\"")
            && page.contains("<option value=\"pentester\" selected>"),
        "{label}"
    );
    assert!(
        page.contains(
            "href=\"/insight/postings?country=CN&amp;role=pentester&amp;period=2017-04\""
        ),
        "a month's column drills down to its postings"
    );
    assert!(page.contains("Location quotient") && page.contains("id=\"def-gap\""));
    // one country at a time: China unless the US federal sample is chosen, and the
    // province list holds that country's divisions only, in the page's language
    assert!(page.contains("<option value=\"CN\" selected>"), "{label}");
    assert!(
        page.contains("<option value=\"北京\">Beijing</option>"),
        "a province named in the page's language"
    );
    // a period without postings says so
    let (st, _, empty) = s.get("/insight?lang=en&period=2026-Q2").await;
    assert_eq!(st, StatusCode::OK);
    assert!(empty.contains("id=\"no-data\"") && empty.contains("No postings match"));
    // a period with a few postings: no trend is built on them
    let (_, _, few) = s.get("/insight?lang=en&period=2017-04").await;
    assert!(few.contains("Too few postings to compare"), "{label}");
    assert!(
        few.contains("id=\"gap-small\"") && few.contains("each moving a demand share by"),
        "gaps on a handful of postings carry a warning"
    );
    assert!(
        page.contains("id=\"gap-basis\""),
        "the gaps say what they stand on"
    );
    // a program lead's view, two clicks from the dashboard: its link, then a program
    assert!(page.contains("id=\"to-program-view\""));
    let (st, _, choose) = s.get("/insight/program?lang=zh").await;
    assert_eq!(st, StatusCode::OK);
    let first = choose
        .split("id=\"program-list\">")
        .nth(1)
        .and_then(|r| r.split("href=\"").nth(1))
        .and_then(|r| r.split('"').next())
        .map(|h| h.replace("&#38;", "&").replace("&amp;", "&"))
        .expect("the fixture's talent pool lists its programs");
    let (st, _, view) = s.get(&first).await;
    assert_eq!(st, StatusCode::OK, "{first}");
    assert!(
        view.contains("id=\"program-skills\"") && view.contains("id=\"program-roles\""),
        "{label}: {first}"
    );
    assert!(view.contains("id=\"program-basis\""));
    assert!(
        few.contains("<b id=\"kpi-growth\">too few postings</b>"),
        "no growth figure on a handful of postings"
    );
    assert!(!page.contains("id=\"no-data\""));
    // the printed report names its filters and date; names and aliases filter
    let (_, _, named) = s
        .get("/insight?lang=zh&role=pentester&skill=%E6%B8%97%E9%80%8F%E6%B5%8B%E8%AF%95")
        .await;
    let scope = named
        .split("id=\"print-scope\">")
        .nth(1)
        .and_then(|r| r.split("</p>").next())
        .unwrap_or_default();
    assert!(
        scope.contains("平台岗位: 渗透测试工程师")
            && scope.contains("技能: 渗透测试")
            && scope.contains("打印于"),
        "{scope}"
    );
    assert!(
        !named.contains("id=\"unknown-skill\""),
        "渗透测试 is a skill's name"
    );
    let (_, _, unknown) = s.get("/insight?lang=en&skill=no-such-skill-xyz").await;
    assert!(unknown.contains("id=\"unknown-skill\""));
    let (_, _, css) = s.get("/static/app.css").await;
    assert!(css.contains("size:A4"), "printed on A4");
    let (st, _, us) = s.get("/insight?lang=en&country=US").await;
    assert_eq!(st, StatusCode::OK);
    assert!(us.contains("<option value=\"US\" selected>"));
    for province in ["北京", "广东", "江苏"] {
        assert!(
            !us.contains(&format!("<option value=\"{province}\"")),
            "{province}"
        );
    }
    // a role's, a skill's and a region's page
    let (st, h, _) = s.get("/insight/roles/pentester").await;
    assert_eq!(
        (st, h.get("location").and_then(|v| v.to_str().ok())),
        (StatusCode::SEE_OTHER, Some("/insight?role=pentester"))
    );
    assert!(
        page.contains("id=\"role-focus\"") && page.contains("sql-injection"),
        "the role's core skills, demand against supply"
    );
    let (_, _, skill_page) = s.get("/insight?skill=penetration-testing&lang=en").await;
    assert!(skill_page.contains("id=\"chart-skill\""), "{label}");
    let (_, _, region) = s.get("/insight?province=%E5%8C%97%E4%BA%AC").await;
    assert!(
        region.contains("id=\"kpi-postings\">1<"),
        "北京 has one of the three postings: {label}"
    );
    let (st, h, _) = s.get("/insight/regions/%E5%8C%97%E4%BA%AC").await;
    assert_eq!(
        (st, h.get("location").and_then(|v| v.to_str().ok())),
        (
            StatusCode::SEE_OTHER,
            Some("/insight?province=%E5%8C%97%E4%BA%AC")
        )
    );
    let (_, _, fw) = s.get("/framework/roles/pentester").await;
    assert!(fw.contains("href=\"/insight/roles/pentester\""));
    let (st, _, drill) = s
        .get("/insight/postings?role=pentester&period=2017-04")
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(drill.contains("id=\"drill-total\">2<") && drill.contains("渗透测试工程师"));
    // a hostile filter value is shown inert, never as markup
    let (st, _, page) = s
        .get("/insight?skill=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        !page.contains("<script>alert(1)") && page.contains("value=\"&#60;script&#62;alert(1)"),
        "{page}"
    );

    // exports: CSV with a BOM, every table, audited
    let r = s
        .client
        .get(format!(
            "{}/api/v1/indicators/export.csv?table=roles&lang=en",
            s.base
        ))
        .send()
        .await
        .expect("csv");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("cyberbridge-roles.csv"))
    );
    let body = r.text().await.expect("body");
    assert!(
        body.starts_with("\u{feff}ID,Name,Postings,Share\r\n")
            && body.contains("pentester,Penetration Tester,2,"),
        "{body}"
    );
    for table in [
        "skills",
        "certifications",
        "titles",
        "provinces",
        "months",
        "ratios",
        "gaps",
        "emerging",
        "fading",
        "quotients",
        "postings",
    ] {
        let r = s
            .client
            .get(format!(
                "{}/api/v1/indicators/export.csv?table={table}&role=pentester",
                s.base
            ))
            .send()
            .await
            .expect("csv");
        assert_eq!(r.status(), StatusCode::OK, "{table}");
        // headers in the caller's language: no English key left in a Chinese export
        let zh = s
            .client
            .get(format!(
                "{}/api/v1/indicators/export.csv?table={table}&role=pentester&lang=zh",
                s.base
            ))
            .send()
            .await
            .expect("csv")
            .text()
            .await
            .expect("body");
        let header = zh.lines().next().unwrap_or_default();
        assert!(
            !header.chars().any(|c| c.is_ascii_lowercase()),
            "{table}: {header}"
        );
    }
    let r = s
        .client
        .get(format!(
            "{}/api/v1/indicators/export.csv?table=nope",
            s.base
        ))
        .send()
        .await
        .expect("csv");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Excel: a real workbook (a zip whose sheet holds the table)
    let r = s
        .client
        .get(format!(
            "{}/api/v1/indicators/export.xlsx?table=ratios",
            s.base
        ))
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("spreadsheetml"))
    );
    let bytes = r.bytes().await.expect("bytes").to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a workbook");
    let sheet = calamine::Reader::worksheet_range(&mut book, "ratios").expect("sheet");
    assert_eq!(
        sheet.get((0, 0)).map(|c| c.to_string()),
        Some("岗位角色".into()),
        "headers in the page's language (Chinese by default)"
    );
    assert!(
        sheet
            .rows()
            .skip(1)
            .any(|r| r[0] == calamine::Data::String("pentester".into())
                && r[3] == calamine::Data::Float(2.0)),
        "openings as a number"
    );
    let exports = s
        .app
        .store()
        .audit_log(200)
        .await
        .expect("audit")
        .iter()
        .filter(|e| e.action == "export")
        .count();
    assert_eq!(
        exports, 24,
        "one audit entry per export: roles, 11 tables in two languages, one workbook"
    );
}

/// Every documented operation exists, answers, and keeps operator-only data
/// from anonymous callers; the description itself is valid OpenAPI JSON.
#[tokio::test]
async fn every_documented_operation_answers_and_guards_what_it_should() {
    let db = TestDb::sqlite();
    let s = Server::start(&db).await;
    s.app
        .talent()
        .load_synthetic(&Caller::system("test"), 20, 10, 3)
        .await
        .expect("synthetic");
    let (st, doc) = s.json("/api/v1/openapi.json").await;
    assert_eq!(
        (st, doc["openapi"].as_str()),
        (StatusCode::OK, Some("3.1.0"))
    );
    assert!(
        doc["paths"]["/api/v1/indicators"]["get"]["parameters"]
            .as_array()
            .is_some_and(|p| p.len() >= 10)
    );
    for op in cb_web::openapi::OPS {
        let url = format!("{}/api/v1{}", s.base, op.example);
        for bearer in [None, Some(TOKEN)] {
            let mut r = match op.method {
                "post" if op.path.starts_with("/imports") => s.client.post(&url).body(""),
                "post" => s
                    .client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(if op.body.is_empty() { "{}" } else { op.body }),
                "put" => s
                    .client
                    .put(&url)
                    .header("content-type", "application/json")
                    .body(op.body),
                "delete" => s.client.delete(&url),
                _ => s.client.get(&url),
            };
            if let Some(t) = bearer {
                r = r.bearer_auth(t);
            }
            let res = r.send().await.expect("send");
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            assert!(
                !body.contains("no such endpoint") && status != StatusCode::METHOD_NOT_ALLOWED,
                "{} {}: {status} {body}",
                op.method,
                op.example
            );
            assert!(
                !status.is_server_error(),
                "{} {}: {status} {body}",
                op.method,
                op.example
            );
            if bearer.is_none()
                && matches!(
                    op.access,
                    cb_web::openapi::Access::Operator | cb_web::openapi::Access::SignedIn
                )
            {
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{} {} must need a sign-in: {body}",
                    op.method,
                    op.example
                );
            }
        }
    }
    s.stop().await;
    db.finish().await;
}

/// Behind a TLS proxy every cookie is `Secure`; on plain http (the demo) none is.
#[tokio::test]
async fn cookies_are_secure_behind_tls() {
    let db = TestDb::sqlite();
    let s = Server::start(&db).await;
    let cookies = |r: &reqwest::Response| {
        r.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let r = s
        .client
        .get(format!("{}/signin?lang=en", s.base))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .expect("get");
    let tls = cookies(&r);
    assert_eq!(
        tls.len(),
        2,
        "the login CSRF and the language cookie: {tls:?}"
    );
    assert!(
        tls.iter()
            .all(|c| c.ends_with("; Secure") && c.matches("Secure").count() == 1),
        "{tls:?}"
    );
    let r = s
        .client
        .get(format!("{}/signin?lang=en", s.base))
        .send()
        .await
        .expect("get");
    let plain = cookies(&r);
    assert_eq!(plain.len(), 2);
    assert!(plain.iter().all(|c| !c.contains("Secure")), "{plain:?}");
    s.stop().await;
    db.finish().await;
}

/// A workbook with headers in A1–D1 and one cell at XFD1048576 (issue 13's
/// 4.9 KB file that killed the server).
fn far_cell_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in ["student_number", "name", "award", "date"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, i as u16, *h).expect("cell");
    }
    ws.write_string(1_048_575, 16_383, "x").expect("far cell");
    wb.save_to_buffer().expect("xlsx")
}

#[tokio::test]
async fn hostile_uploads_are_refused_and_the_server_lives() {
    on_every_backend!(check_hostile_uploads);
}

async fn check_hostile_uploads(s: &Server, label: &str) {
    let post = |path: &str, body: Vec<u8>| {
        s.client
            .post(format!("{}{path}", s.base))
            .bearer_auth(TOKEN)
            .body(body)
            .send()
    };
    for path in [
        "/api/v1/imports/talent?kind=awards&filename=awards.xlsx",
        "/api/v1/imports/postings?filename=jobs.xlsx",
    ] {
        let r = post(path, far_cell_workbook()).await.expect("post");
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{label} {path}"
        );
        let v: Value = r.json().await.expect("json");
        let m = v["error"]["message"].as_str().unwrap_or_default();
        assert!(
            m.contains("column 16384") && m.contains("512 columns"),
            "{label}: {m}"
        );
    }
    let (st, _, _) = s.get("/healthz").await;
    assert_eq!(st, StatusCode::OK, "{label}: the server lives");

    // an upload over the 1 MiB that forms get is an upload like any other
    let mut csv = String::from("id,title,description\n");
    let mut i = 0;
    while csv.len() < 2 << 20 {
        i += 1;
        csv.push_str(&format!(
            "{i},安全工程师 {i},负责安全运营与 SIEM 告警研判，{}\n",
            "熟悉 Linux。".repeat(8)
        ));
    }
    let r = post(
        "/api/v1/imports/postings?filename=big.csv",
        csv.into_bytes(),
    )
    .await
    .expect("post");
    assert_eq!(r.status(), StatusCode::OK, "{label}: a 2 MiB upload");
    // over the documented limit: a JSON 413 that says where larger files go
    let r = post(
        "/api/v1/imports/postings?filename=huge.csv",
        vec![b'a'; cb_web::MAX_UPLOAD + 1],
    )
    .await
    .expect("post");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{label}");
    let v: Value = r.json().await.expect("a JSON 413");
    assert_eq!(v["error"]["code"], "too_large");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("cyberbridge import")
    );
}

#[tokio::test]
async fn errors_before_handlers_are_json_and_nothing_personal_is_cached() {
    let db = TestDb::sqlite();
    let s = Server::start(&db).await;
    // a query the extractor refuses
    let (st, v) = s.json("/api/v1/postings?limit=lots").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("limit"),
        "{v}"
    );
    // a body of the wrong type, and a body that is not the JSON asked for
    for (ct, body, want) in [
        ("text/plain", "{}", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("application/json", "{not json", StatusCode::BAD_REQUEST),
        (
            "application/json",
            "{\"title\": 5}",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let r = s
            .client
            .post(format!("{}/api/v1/jobs", s.base))
            .bearer_auth(TOKEN)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), want, "{ct} {body}");
        let v: Value = r.json().await.expect("a JSON error");
        assert!(v["error"]["code"].is_string(), "{v}");
    }
    // a form body over 1 MiB
    let r = s
        .client
        .post(format!("{}/api/v1/jobs", s.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(vec![b' '; (1 << 20) + 1])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.json::<Value>().await.is_ok());

    for path in ["/api/v1/framework", "/account", "/signin", "/insight"] {
        let (_, h, _) = s.get(path).await;
        assert_eq!(
            h.get("cache-control").and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{path}"
        );
    }
    let (_, h, _) = s.get("/static/app.css").await;
    assert!(
        h["cache-control"]
            .to_str()
            .unwrap_or_default()
            .starts_with("public")
    );
    s.stop().await;
    db.finish().await;
}

#[tokio::test]
async fn after_sign_in_only_same_site_paths_are_followed() {
    let db = TestDb::sqlite();
    let s = Server::start(&db).await;
    for (next, want) in [
        ("/%09/evil.example/x", "/account"),
        ("/%0A/x", "/account"),
        ("//evil.example", "/account"),
        (
            "/insight?region=%E6%B1%9F%E8%8B%8F",
            "/insight?region=%E6%B1%9F%E8%8B%8F",
        ),
    ] {
        // through the form's hidden field, and sent straight in the form
        for (form_url, field) in [
            (format!("{}/signin?next={next}", s.base), None),
            (format!("{}/signin", s.base), Some(percent_decode(next))),
        ] {
            let mut b = Browser::new();
            let (_, _, form) = b.get(&form_url).await;
            let csrf = hidden(&form, "csrf");
            let field = field.unwrap_or_else(|| hidden(&form, "next"));
            let (st, h, _) = b
                .post(
                    &format!("{}/signin", s.base),
                    &[
                        ("username", OPERATOR),
                        ("password", PASSWORD),
                        ("csrf", &csrf),
                        ("next", &field),
                    ],
                )
                .await;
            assert_eq!(st, StatusCode::SEE_OTHER, "{field:?}");
            assert_eq!(h["location"].to_str().expect("ascii"), want, "{field:?}");
        }
    }
    s.stop().await;
    db.finish().await;
}

fn percent_decode(s: &str) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("x={}", s.replace('&', "%26")))
        .ok()
        .and_then(|v| v.into_iter().next())
        .map(|(_, v)| v)
        .unwrap_or_default()
}

#[tokio::test]
async fn the_same_file_uploaded_at_once_is_imported_once_and_nobody_gets_a_500() {
    on_every_backend!(check_same_file_at_once);
}

async fn check_same_file_at_once(s: &Server, label: &str) {
    let mut csv = String::from("id,title,description\n");
    for i in 0..3000 {
        csv.push_str(&format!(
            "{i},渗透测试工程师 {i},熟悉 Burp Suite 与 Web 安全\n"
        ));
    }
    let url = format!("{}/api/v1/imports/postings?filename=same.csv", s.base);
    let mut sends = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let send = s
            .client
            .post(&url)
            .bearer_auth(TOKEN)
            .body(csv.clone())
            .send();
        sends.spawn(send);
    }
    let mut imported = 0;
    while let Some(a) = sends.join_next().await {
        let r = a.expect("task").expect("post");
        let st = r.status();
        let v: Value = r.json().await.expect("json");
        match st {
            StatusCode::OK if v["already_imported"] == false => imported += 1,
            StatusCode::OK => assert_eq!(v["already_imported"], true),
            StatusCode::CONFLICT | StatusCode::SERVICE_UNAVAILABLE => {
                assert!(v["error"]["message"].is_string(), "{v}")
            }
            other => panic!("{label}: {other}: {v}"),
        }
    }
    assert_eq!(imported, 1, "{label}");
    let (_, v) = s.json("/api/v1/postings/count").await;
    assert_eq!(v["postings"], 3000, "{label}");
}

#[tokio::test]
async fn an_upload_the_workers_cannot_take_yet_waits_in_the_queue() {
    let db = TestDb::sqlite();
    let app = App::open(&db.url)
        .await
        .expect("open")
        .with_operator_token(Some(TOKEN))
        .with_import_slots(1, std::time::Duration::from_millis(200));
    let served = common::Served::start(app.clone()).await;
    // the node's one import slot is taken: its worker puts the task back
    let held = app.import_slot().await.expect("the one slot");
    let r = common::client()
        .post(format!(
            "{}/api/v1/imports/postings?filename=wait.csv&wait=1",
            served.base
        ))
        .bearer_auth(TOKEN)
        .body("id,title\n1,安全工程师\n")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::ACCEPTED, "queued, not refused");
    let location = location(&r);
    assert!(location.starts_with("/api/v1/imports/tasks/"), "{location}");
    let v: Value = r.json().await.expect("json");
    // queued, or claimed by the worker that waits for the slot and puts it back
    assert!(
        v["task"]["state"] == "queued" || v["task"]["state"] == "running",
        "{v}"
    );
    assert_eq!(v["task"]["file_name"], "wait.csv");
    drop(held);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let done = loop {
        let v: Value = common::client()
            .get(format!("{}{location}", served.base))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if v["state"] == "done" {
            break v;
        }
        assert!(std::time::Instant::now() < deadline, "still not done: {v}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(done["result"]["outcome"]["postings_new"], 1, "{done}");
    assert_eq!(done["progress"], 1.0);
    assert!(done["attempts"].as_i64() >= Some(1));
    served.stop().await;
    app.store().close().await;
    db.finish().await;
}

#[tokio::test]
async fn the_imports_page_queues_an_upload_and_shows_its_result() {
    on_every_backend!(check_imports_page);
}

async fn check_imports_page(s: &Server, label: &str) {
    let mut b = Browser::new();
    let (st, h, _) = b.get(&format!("{}/imports", s.base)).await;
    assert_eq!(
        st,
        StatusCode::SEE_OTHER,
        "{label}: nobody is sent to sign in"
    );
    assert_eq!(
        h.get("location").and_then(|v| v.to_str().ok()),
        Some("/signin?next=%2Fimports")
    );
    b.sign_in(&s.base, OPERATOR, PASSWORD).await;
    let (st, _, zh) = b.get(&format!("{}/imports?lang=zh", s.base)).await;
    assert_eq!(st, StatusCode::OK, "{label}");
    assert!(
        zh.contains("导入记录") && zh.contains("还没有导入记录"),
        "{label}: an empty history says why"
    );
    let (_, _, en) = b.get(&format!("{}/imports?lang=en", s.base)).await;
    assert!(
        en.contains("Import history") && en.contains("No imports yet"),
        "{label}"
    );
    assert!(
        en.contains("id=\"upload-form\"")
            && en.contains("value=\"postings\"")
            && en.contains("value=\"grades\""),
        "{label}: the operator may upload postings and talent files"
    );
    let csrf = hidden(&en, "csrf");

    let upload = |csrf: String| {
        reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .text("kind", "postings")
            .text("skip_bad_rows", "1")
            .text("crawl_date", "2026-11-30")
            .part(
                "file",
                reqwest::multipart::Part::bytes(
                    "id,title,description,salary\n1,渗透测试工程师,熟悉Burp Suite,15k-25k\n2,SOC Analyst,Splunk,nope\n"
                        .as_bytes()
                        .to_vec(),
                )
                .file_name("jobs.csv"),
            )
    };
    // a forged form queues nothing
    let r = b
        .client
        .post(format!("{}/imports", s.base))
        .header("cookie", b.cookie_header())
        .multipart(upload("forged".into()))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "{label}");
    let (_, v) = s.json_as("/api/v1/imports/tasks", TOKEN).await;
    assert_eq!(v.as_array().map(Vec::len), Some(0), "{label}: {v}");

    let r = b
        .client
        .post(format!("{}/imports", s.base))
        .header("cookie", b.cookie_header())
        .multipart(upload(csrf))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{label}");
    let to = location(&r);
    assert!(
        to.starts_with("/imports/") && to.ends_with("?done=queued"),
        "{label}: {to}"
    );
    let (_, _, page) = b.get(&format!("{}{to}&lang=en", s.base)).await;
    assert!(
        page.contains("queued for import"),
        "{label}: the upload is confirmed"
    );

    // the page reloads itself until the worker has finished
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let path = to.split('?').next().unwrap_or_default().to_string();
    let page = loop {
        let (st, h, page) = b.get(&format!("{}{path}?lang=en", s.base)).await;
        assert_eq!(st, StatusCode::OK, "{label}");
        if !h.contains_key("refresh") {
            break page;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{label}: never finished"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(page.contains("<h1>jobs.csv</h1>"), "{label}");
    assert!(
        page.contains("Job postings") && page.contains(">Done<"),
        "{label}"
    );
    assert!(
        page.contains("2 rows read: 1 new posting, 0 duplicates, 1 row rejected"),
        "{label}: {page}"
    );
    assert!(
        page.contains("id=\"rejected\"") && page.contains("<td>salary</td>"),
        "{label}: the rejected row, where and why"
    );
    assert!(page.contains("Operator"), "{label}: who queued it, by name");
    let (_, _, zh) = b.get(&format!("{}{path}?lang=zh", s.base)).await;
    assert!(
        zh.contains("读取 2 行：新增 1 条，重复 0 条，拒收 1 行") && zh.contains("已完成"),
        "{label}"
    );
    let (_, h, list) = b.get(&format!("{}/imports?lang=en", s.base)).await;
    assert!(
        !h.contains_key("refresh"),
        "{label}: nothing left to wait for"
    );
    assert!(
        list.contains("class=\"task-done\"") && list.contains(">jobs.csv</a>"),
        "{label}"
    );
    let (_, v) = s.json("/api/v1/postings/count").await;
    assert_eq!(v["postings"], 1, "{label}");
    let (st, _, _) = b.get(&format!("{}/imports/999999", s.base)).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{label}");
}

impl Browser {
    /// Signs in through the form; the answer's status and `Location`.
    async fn sign_in(&mut self, base: &str, user: &str, password: &str) -> (StatusCode, String) {
        let (_, _, form) = self.get(&format!("{base}/signin")).await;
        let csrf = hidden(&form, "csrf");
        let (st, h, _) = self
            .post(
                &format!("{base}/signin"),
                &[("username", user), ("password", password), ("csrf", &csrf)],
            )
            .await;
        let to = h
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (st, to)
    }

    /// The session's CSRF token, from the account page's forms.
    async fn csrf(&mut self, base: &str) -> String {
        let (_, _, html) = self.get(&format!("{base}/account")).await;
        hidden(&html, "csrf")
    }

    /// A JSON call with the session cookie and its CSRF header.
    async fn api(
        &mut self,
        base: &str,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let csrf = self.csrf(base).await;
        let r = self
            .client
            .request(method, format!("{base}{path}"))
            .header("cookie", self.cookie_header())
            .header("x-csrf-token", csrf)
            .json(&body)
            .send()
            .await
            .expect("api");
        let st = r.status();
        (st, r.json().await.unwrap_or(Value::Null))
    }

    /// A new API token from the account's session; its secret.
    async fn new_token(&mut self, base: &str, name: &str, scope: &str) -> String {
        let (st, v) = self
            .api(
                base,
                reqwest::Method::POST,
                "/api/v1/tokens",
                serde_json::json!({"name": name, "scope": scope}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        v["secret"].as_str().expect("secret").to_string()
    }

    /// Changes the password through the account page's form; the status.
    async fn change_password(&mut self, base: &str, current: &str, new: &str) -> StatusCode {
        let csrf = self.csrf(base).await;
        self.post(
            &format!("{base}/account/password"),
            &[
                ("csrf", &csrf),
                ("current", current),
                ("new", new),
                ("repeat", new),
            ],
        )
        .await
        .0
    }
}

/// Calls `path` with a bearer token; the status.
async fn with_token(s: &Server, token: &str, method: reqwest::Method, path: &str) -> StatusCode {
    s.client
        .request(method, format!("{}{path}", s.base))
        .bearer_auth(token)
        .json(&serde_json::json!({"name": "again", "scope": "write"}))
        .send()
        .await
        .expect("call")
        .status()
}

#[tokio::test]
async fn an_accounts_lifecycle_revokes_what_it_should() {
    on_every_backend!(check_account_lifecycle);
}

async fn check_account_lifecycle(s: &Server, label: &str) {
    use reqwest::Method;
    let system = Caller::system("test");
    let org = s
        .app
        .accounts()
        .create_org(
            &system,
            cb_core::OrgKind::Enterprise,
            "示例安全科技",
            "北京",
            None,
        )
        .await
        .expect("org");
    let handover = s
        .app
        .accounts()
        .create_user(
            &system,
            cb_app::NewAccount {
                org_id: org,
                role: cb_core::UserRole::EnterpriseHr,
                username: "hr1".into(),
                display_name: "王经理".into(),
                person_id: None,
                student_number: None,
            },
        )
        .await
        .expect("user");

    // a temporary password allows nothing but changing it, on pages and API alike
    let mut b = Browser::new();
    let (st, to) = b.sign_in(&s.base, "hr1", &handover.password).await;
    assert_eq!(
        (st, to.as_str()),
        (
            StatusCode::SEE_OTHER,
            "/account?must_change=1&next=%2Faccount"
        ),
        "{label}"
    );
    let (st, _, html) = b.get(&format!("{}/account", s.base)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("id=\"must-change\"") && !html.contains("id=\"token-form\""),
        "{label}"
    );
    let (st, v) = b
        .api(
            &s.base,
            Method::POST,
            "/api/v1/tokens",
            serde_json::json!({"name": "t", "scope": "write"}),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "{label}: a token with a temporary password: {v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("temporary password"),
        "{v}"
    );
    let (st, v) = b
        .api(
            &s.base,
            Method::POST,
            "/api/v1/jobs",
            serde_json::json!({"kind": "job", "title": "渗透测试工程师"}),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "{label}: drafting with a temporary password: {v}"
    );
    let (st, _, _) = b.get(&format!("{}/jobs/new", s.base)).await;
    assert!(
        st.is_client_error(),
        "{label}: the drafting page answers {st}"
    );
    // changing it is allowed, and ends the session
    let own = "a password of my own";
    assert_eq!(
        b.change_password(&s.base, &handover.password, own).await,
        StatusCode::SEE_OTHER,
        "{label}"
    );
    let (st, to) = b.sign_in(&s.base, "hr1", own).await;
    assert_eq!(
        (st, to.as_str()),
        (StatusCode::SEE_OTHER, "/account"),
        "{label}"
    );

    // a token is made with a session, never with a token
    let token = b.new_token(&s.base, "script", "write").await;
    assert_eq!(
        with_token(s, &token, Method::GET, "/api/v1/me").await,
        StatusCode::OK
    );
    assert_eq!(
        with_token(s, &token, Method::POST, "/api/v1/tokens").await,
        StatusCode::FORBIDDEN,
        "{label}: a write token minting another"
    );

    // a reset by the operator revokes it
    let reset = s
        .app
        .accounts()
        .reset_password(&system, handover.user_id)
        .await
        .expect("reset");
    assert_eq!(
        with_token(s, &token, Method::GET, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "{label}: after a reset"
    );

    // sign out everywhere revokes the tokens made since
    let mut b = Browser::new();
    b.sign_in(&s.base, "hr1", &reset.password).await;
    let again = "another password of mine";
    b.change_password(&s.base, &reset.password, again).await;
    b.sign_in(&s.base, "hr1", again).await;
    let second = b.new_token(&s.base, "second", "read").await;
    assert_eq!(
        with_token(s, &second, Method::GET, "/api/v1/me").await,
        StatusCode::OK
    );
    let csrf = b.csrf(&s.base).await;
    b.post(
        &format!("{}/account/signout-everywhere", s.base),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(
        with_token(s, &second, Method::GET, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "{label}: after signing out everywhere"
    );

    // disabling revokes, and enabling again brings nothing back
    let mut b = Browser::new();
    b.sign_in(&s.base, "hr1", again).await;
    let third = b.new_token(&s.base, "third", "read").await;
    s.app
        .accounts()
        .set_disabled(&system, handover.user_id, true)
        .await
        .expect("disable");
    assert_eq!(
        with_token(s, &third, Method::GET, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED
    );
    s.app
        .accounts()
        .set_disabled(&system, handover.user_id, false)
        .await
        .expect("enable");
    assert_eq!(
        with_token(s, &third, Method::GET, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "{label}: after enabling again"
    );
    let mut b = Browser::new();
    assert_eq!(
        b.sign_in(&s.base, "hr1", again).await.0,
        StatusCode::SEE_OTHER,
        "{label}: the account itself works again"
    );

    // token creation is fairly limited per hour, whatever is revoked meanwhile
    let me = Caller::user(handover.user_id, org, cb_core::UserRole::EnterpriseHr);
    let mut made = 0;
    let refused = loop {
        match s.app.accounts().create_token(&me, "batch", "read").await {
            Ok(t) => {
                made += 1;
                s.app
                    .accounts()
                    .revoke_token(&me, t.token.id)
                    .await
                    .expect("revoke");
            }
            Err(e) => break e,
        }
        assert!(made <= cb_app::TOKENS_PER_HOUR, "{label}: no limit");
    };
    assert!(
        matches!(refused, cb_app::AppError::TooManyAttempts { .. }),
        "{label}: {refused}"
    );
    // the three made above count too
    assert_eq!(made + 3, cb_app::TOKENS_PER_HOUR, "{label}");
}

#[tokio::test]
async fn while_the_indexes_are_built_the_figures_say_so_at_once() {
    on_every_backend!(check_loading);
}

async fn check_loading(s: &Server, label: &str) {
    s.app.pretend_loading(true);
    // the dashboard: a page in the visitor's language that reloads itself
    let (st, h, body) = s.get("/insight?lang=en").await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{label}");
    assert_eq!(
        h.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("5")
    );
    assert!(
        body.contains("Preparing the figures") && body.contains("http-equiv=\"refresh\""),
        "{label}: {body}"
    );
    let (_, _, body) = s.get("/insight/postings?lang=zh").await;
    assert!(
        body.contains("正在准备数据") && body.contains("lang=\"zh-CN\""),
        "{body}"
    );
    // the API: JSON saying so
    let (st, v) = s.json("/api/v1/indicators").await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(v["error"]["code"], "loading");
    // what needs no index answers as ever
    assert_eq!(s.get("/api/v1/framework").await.0, StatusCode::OK);
    assert_eq!(s.get("/healthz").await.0, StatusCode::OK);
    s.app.pretend_loading(false);
    assert_eq!(s.get("/insight").await.0, StatusCode::OK, "{label}");
}
