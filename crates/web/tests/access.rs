//! Who may see and change what: every API operation and every page walked as
//! every role and as nobody, with other organisations' ids in URLs and
//! bodies, on every backend; and hostile inputs (oversized bodies, scripts in
//! text, SQL in filters, forged CSRF).

use cb_app::{App, NewAccount};
use cb_core::{Caller, OrgKind, UserRole};
use cb_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{Value, json};

mod common;

const PASSWORD: &str = "access-test-password";

struct World {
    base: String,
    client: reqwest::Client,
    app: App,
    served: common::Served,
    /// role name → API token (write scope)
    tokens: std::collections::HashMap<&'static str, String>,
    /// school A's person in the teacher's cohort (the student), another of A outside it, one of school B
    student_person: i64,
    other_a: i64,
    person_b: i64,
    cohort_a: i64,
    cohort_b: i64,
    org_school_b: i64,
    enterprise_2: i64,
}

const ROLES: [&str; 10] = [
    "operator",
    "admin-a",
    "admin-b",
    "teacher",
    "student",
    "student-b",
    "hr",
    "hr-2",
    "mentor",
    "analyst",
];

async fn world(db: &TestDb) -> World {
    let app = App::open(&db.url)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.label));
    let sys = Caller::system("test");
    app.talent()
        .load_synthetic(&sys, 60, 8, 11)
        .await
        .expect("synthetic");
    let store = app.store();
    let cohorts = store.talent_cohorts().await.expect("cohorts");
    let ca = cohorts
        .iter()
        .find(|c| c.people >= 2)
        .expect("a cohort with two people")
        .clone();
    let cb = cohorts
        .iter()
        .find(|c| c.school_id != ca.school_id && c.people > 0)
        .expect("another school's cohort")
        .clone();
    let a_people = store
        .talent_cohort_people(ca.cohort.id)
        .await
        .expect("people");
    let b_people = store
        .talent_cohort_people(cb.cohort.id)
        .await
        .expect("people");
    let other_a = store
        .talent_people(0, 1000)
        .await
        .expect("all")
        .into_iter()
        .find(|p| p.school_id == ca.school_id && p.cohort_id != Some(ca.cohort.id))
        .map(|p| p.id)
        .unwrap_or(a_people[1].id);
    app.init_operator("operator", "Operator", PASSWORD)
        .await
        .expect("operator");
    let op = Caller::user(1, 1, UserRole::Operator);
    let acc = app.accounts();
    let org = |kind, name: &str, school| {
        let acc = app.accounts();
        let op = op.clone();
        let name = name.to_string();
        async move {
            acc.create_org(&op, kind, &name, "湖北", school)
                .await
                .expect("org")
        }
    };
    let school_a = org(OrgKind::School, "School A", Some(ca.school_id)).await;
    let school_b = org(OrgKind::School, "School B", Some(cb.school_id)).await;
    let ent_1 = org(OrgKind::Enterprise, "Enterprise One", None).await;
    let ent_2 = org(OrgKind::Enterprise, "Enterprise Two", None).await;
    let alliance = org(OrgKind::Alliance, "Alliance", None).await;
    let gov = org(OrgKind::Government, "Bureau", None).await;
    let mk = |org_id: i64, role: UserRole, username: &str, person_id: Option<i64>| NewAccount {
        org_id,
        role,
        username: username.into(),
        display_name: username.into(),
        person_id,
        student_number: None,
    };
    let mut users = vec![
        (
            "admin-a",
            mk(school_a, UserRole::SchoolAdmin, "admin-a", None),
        ),
        (
            "admin-b",
            mk(school_b, UserRole::SchoolAdmin, "admin-b", None),
        ),
        ("teacher", mk(school_a, UserRole::Teacher, "teacher", None)),
        (
            "student",
            mk(school_a, UserRole::Student, "student", Some(a_people[0].id)),
        ),
        (
            "student-b",
            mk(
                school_b,
                UserRole::Student,
                "student-b",
                Some(b_people[0].id),
            ),
        ),
        ("hr", mk(ent_1, UserRole::EnterpriseHr, "hr", None)),
        ("hr-2", mk(ent_2, UserRole::EnterpriseHr, "hr-2", None)),
        (
            "mentor",
            mk(ent_1, UserRole::EnterpriseMentor, "mentor", None),
        ),
        ("analyst", mk(gov, UserRole::Analyst, "analyst", None)),
        (
            "moderator",
            mk(alliance, UserRole::Moderator, "moderator", None),
        ),
    ];
    let mut tokens = std::collections::HashMap::new();
    let t = acc.create_token(&op, "test", "write").await.expect("token");
    tokens.insert("operator", t.secret);
    for (name, a) in users.drain(..) {
        let (org_id, role) = (a.org_id, a.role);
        let h = acc
            .create_user(&op, a)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // as each of them would first: a password of their own in place of the temporary one
        acc.change_password(
            &Caller::Provisional { user_id: h.user_id },
            &h.password,
            PASSWORD,
        )
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let caller = Caller::user(h.user_id, org_id, role);
        if name == "teacher" {
            acc.set_teacher_cohorts(&op, h.user_id, &[ca.cohort.id])
                .await
                .expect("cohorts");
        }
        let t = acc
            .create_token(&caller, "test", "write")
            .await
            .expect("token");
        tokens.insert(name, t.secret);
    }
    let served = common::Served::start(app.clone()).await;
    let (base, client) = (served.base.clone(), common::client());
    World {
        base,
        client,
        app,
        served,
        tokens,
        student_person: a_people[0].id,
        other_a,
        person_b: b_people[0].id,
        cohort_a: ca.cohort.id,
        cohort_b: cb.cohort.id,
        org_school_b: school_b,
        enterprise_2: ent_2,
    }
}

impl World {
    /// `method path` as `who` (a role name, or "nobody") with an optional JSON body.
    async fn call(
        &self,
        who: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let url = format!("{}/api/v1{path}", self.base);
        let mut r = match method {
            "POST" => self.client.post(&url),
            "PUT" => self.client.put(&url),
            "DELETE" => self.client.delete(&url),
            _ => self.client.get(&url),
        };
        if let Some(t) = self.tokens.get(who) {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.expect("send");
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Asserts the status of one call for every role: `allowed` get `ok`,
    /// nobody gets 401, everyone else 403.
    async fn only(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        allowed: &[&str],
        ok: StatusCode,
        label: &str,
    ) {
        for who in ROLES.iter().copied().chain(["moderator", "nobody"]) {
            let (st, v) = self.call(who, method, path, body.clone()).await;
            let want = if allowed.contains(&who) {
                ok
            } else if who == "nobody" {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(st, want, "{label}: {method} {path} as {who}: {v}");
        }
    }

    async fn stop(self) {
        self.served.stop().await;
        self.app.store().close().await;
    }
}

fn ids(v: &Value, key: &str) -> Vec<i64> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x[key].as_i64()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_role_sees_and_changes_only_what_it_may() {
    for db in TestDb::all().await {
        let w = world(&db).await;
        check_talent(&w, db.label).await;
        check_accounts(&w, db.label).await;
        check_publishing(&w, db.label).await;
        check_hostile(&w, db.label).await;
        w.stop().await;
        db.finish().await;
    }
}

async fn check_talent(w: &World, label: &str) {
    // profiles: the operator, the school's admin, the teacher of the cohort, the person; never another school or an enterprise without interest
    let me = w.student_person;
    w.only(
        "GET",
        &format!("/people/{me}/profile"),
        None,
        &["operator", "admin-a", "teacher", "student"],
        StatusCode::OK,
        label,
    )
    .await;
    w.only(
        "GET",
        &format!("/people/{}/profile", w.person_b),
        None,
        &["operator", "admin-b", "student-b"],
        StatusCode::OK,
        label,
    )
    .await;
    // someone of school A outside the teacher's cohort
    if w.other_a != me {
        let (st, _) = w
            .call(
                "teacher",
                "GET",
                &format!("/people/{}/profile", w.other_a),
                None,
            )
            .await;
        assert_eq!(
            st,
            StatusCode::FORBIDDEN,
            "{label}: a teacher sees only the cohorts they teach"
        );
    }
    // an id that does not exist looks forbidden to everyone but operators
    assert_eq!(
        w.call("admin-a", "GET", "/people/99999999/profile", None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.call("operator", "GET", "/people/99999999/profile", None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // lists are narrowed, not refused, for staff
    w.only(
        "GET",
        "/people",
        None,
        &["operator", "admin-a", "admin-b", "teacher"],
        StatusCode::OK,
        label,
    )
    .await;
    let school_of = |id: i64| async move {
        w.app
            .store()
            .talent_person(id)
            .await
            .expect("p")
            .expect("p")
            .school_id
    };
    let a_school = school_of(me).await;
    let (_, v) = w.call("admin-a", "GET", "/people?limit=500", None).await;
    let seen = ids(&v, "id");
    assert!(
        !seen.is_empty() && seen.contains(&me) && !seen.contains(&w.person_b),
        "{label}: admin A sees school A only"
    );
    for id in &seen {
        assert_eq!(school_of(*id).await, a_school);
    }
    let (_, v) = w.call("teacher", "GET", "/people?limit=500", None).await;
    assert!(
        v.as_array().is_some_and(|a| a
            .iter()
            .all(|p| p["cohort_id"].as_i64() == Some(w.cohort_a))),
        "{label}: {v}"
    );
    w.only(
        "GET",
        "/cohorts",
        None,
        &["operator", "admin-a", "admin-b", "teacher"],
        StatusCode::OK,
        label,
    )
    .await;
    let (_, v) = w.call("teacher", "GET", "/cohorts", None).await;
    assert_eq!(
        v.as_array().map(|a| a
            .iter()
            .map(|c| c["cohort"]["id"].as_i64())
            .collect::<Vec<_>>()),
        Some(vec![Some(w.cohort_a)])
    );
    w.only(
        "GET",
        &format!("/cohorts/{}/heatmap", w.cohort_b),
        None,
        &["operator", "admin-b"],
        StatusCode::OK,
        label,
    )
    .await;
    w.only(
        "GET",
        &format!("/cohorts/{}/heatmap", w.cohort_a),
        None,
        &["operator", "admin-a", "teacher"],
        StatusCode::OK,
        label,
    )
    .await;
    // who read my profile: the person, their school's admin, operators
    w.only(
        "GET",
        &format!("/people/{me}/reads"),
        None,
        &["operator", "admin-a", "student"],
        StatusCode::OK,
        label,
    )
    .await;
    let (_, reads) = w
        .call("student", "GET", &format!("/people/{me}/reads"), None)
        .await;
    assert!(
        reads
            .as_array()
            .is_some_and(|r| r.iter().any(|e| e["action"] == "profile.read")),
        "{label}: reads by others are audited: {reads}"
    );
    assert!(
        reads.as_array().is_some_and(|r| r
            .iter()
            .any(|e| e["detail"].as_str().is_some_and(|d| d.contains("heat map")))),
        "{label}: a heat map showing them counts: {reads}"
    );
    assert!(
        reads
            .as_array()
            .is_some_and(|r| r.iter().any(|e| e["role"] == "school_admin"
                && e["who"].as_str().is_some_and(|w| w.contains("School A")))),
        "{label}: readers are named with role and organisation: {reads}"
    );
    // the student's own reads are not: every entry is by someone else
    let student_user = w
        .app
        .store()
        .user_by_name("student")
        .await
        .expect("u")
        .expect("u")
        .id;
    assert!(
        reads.as_array().is_some_and(|r| r
            .iter()
            .all(|e| e["actor"] != format!("user:{student_user}"))),
        "{label}"
    );
    // small cells: two people made ready penetration testers (every core skill at level 4), so the
    // figures have a cell of 2; analysts see "<5", the operator sees counts
    let sys = Caller::system("test");
    let core: Vec<String> = w
        .app
        .framework()
        .catalog_snapshot(&sys)
        .skills_of_role("pentester", cb_competency::RoleRelation::Core)
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let today = chrono::Local::now().date_naive();
    for person in [w.other_a, w.person_b] {
        let e = cb_talent::Evidence {
            id: 0,
            person_id: person as u64,
            kind: cb_talent::EvidenceKind::EnterpriseEvaluation {
                comment: "test".into(),
            },
            source_org: "test".into(),
            date: today,
            recorded_by: String::new(),
            observations: core
                .iter()
                .map(|s| cb_talent::Observation {
                    skill_id: s.clone(),
                    level: 4.0,
                })
                .collect(),
        };
        w.app.talent().record(&sys, vec![e]).await.expect("record");
    }
    let (_, v) = w.call("analyst", "GET", "/supply", None).await;
    let (_, exact) = w.call("operator", "GET", "/supply", None).await;
    let small = |v: &Value| {
        v["roles"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter(|x| x["near_ready"] == "<5" || x["ready"] == "<5")
                    .count()
            })
            .unwrap_or(0)
    };
    assert_eq!(small(&exact), 0, "{label}");
    // every role with 1–4 ready or near-ready people for the operator shows "<5" to the analyst
    let tiny = |x: &Value| {
        ["ready", "near_ready"]
            .iter()
            .any(|k| (1..5).contains(&x[*k].as_i64().unwrap_or(0)))
    };
    let small_roles: Vec<&str> = exact["roles"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter(|x| tiny(x))
                .filter_map(|x| x["role_id"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        !small_roles.is_empty(),
        "{label}: the test data has small cells to hide: {exact}"
    );
    for role in &small_roles {
        let seen = v["roles"]
            .as_array()
            .and_then(|r| r.iter().find(|x| x["role_id"] == *role))
            .expect("role");
        assert!(
            seen["ready"] == "<5" || seen["near_ready"] == "<5",
            "{label}: {role} is suppressed for the analyst: {seen}"
        );
    }
    assert!(small(&v) >= small_roles.len());
    // a student decides consent (audited) and corrects their record; nobody else can through this call
    // (withdrawn first, so that giving it is a change whatever the synthetic default was)
    let (st, _) = w
        .call(
            "student",
            "POST",
            "/me/record",
            Some(json!({"consent_enterprise": false})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{label}");
    let (st, v) = w
        .call(
            "student",
            "POST",
            "/me/record",
            Some(json!({"consent_enterprise": true, "region": "湖北"})),
        )
        .await;
    assert_eq!(
        (st, v["consent_enterprise"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{label}: {v}"
    );
    for who in ["teacher", "hr", "analyst", "admin-a"] {
        assert_eq!(
            w.call(
                who,
                "POST",
                "/me/record",
                Some(json!({"consent_enterprise": false}))
            )
            .await
            .0,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
    let log = w.app.store().audit_log(500).await.expect("audit");
    assert!(
        log.iter()
            .any(|e| e.action == "consent.change" && e.detail.contains(&format!("person {me}"))),
        "{label}"
    );

    // corrections: a student asks about their own evidence only; their school's admin resolves
    let mine = w
        .app
        .store()
        .talent_evidence_of(me)
        .await
        .expect("evidence");
    let theirs = w
        .app
        .store()
        .talent_evidence_of(w.person_b)
        .await
        .expect("evidence");
    let (e1, e2) = (mine[0].id as i64, mine[1].id as i64);
    let ask = |e: i64| Some(json!({"evidence_id": e, "note": "这条成绩不是我的"}));
    assert_eq!(
        w.call("student", "POST", "/corrections", ask(theirs[0].id as i64))
            .await
            .0,
        StatusCode::NOT_FOUND,
        "another's evidence"
    );
    assert_eq!(
        w.call(
            "student",
            "POST",
            "/corrections",
            Some(json!({"note": "  "}))
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    for who in ["teacher", "admin-a", "hr", "analyst"] {
        assert_eq!(
            w.call(who, "POST", "/corrections", ask(e1)).await.0,
            StatusCode::FORBIDDEN,
            "{who} asks"
        );
    }
    let (st, c1) = w.call("student", "POST", "/corrections", ask(e1)).await;
    assert_eq!(st, StatusCode::CREATED, "{label}: {c1}");
    let (_, c2) = w.call("student", "POST", "/corrections", ask(e2)).await;
    let (id1, id2) = (
        c1["id"].as_i64().expect("id"),
        c2["id"].as_i64().expect("id"),
    );
    w.only(
        "GET",
        "/corrections",
        None,
        &["operator", "admin-a", "admin-b", "student", "student-b"],
        StatusCode::OK,
        label,
    )
    .await;
    let (_, seen) = w.call("admin-b", "GET", "/corrections", None).await;
    assert!(
        !ids(&seen, "id").contains(&id1),
        "{label}: another school's corrections are not listed"
    );
    let (_, seen) = w.call("student-b", "GET", "/corrections", None).await;
    assert!(!ids(&seen, "id").contains(&id1));
    let accept = Some(json!({"accept": true, "response": "已核实，予以更正"}));
    for who in ["admin-b", "teacher", "student", "hr", "moderator"] {
        assert_eq!(
            w.call(
                who,
                "POST",
                &format!("/corrections/{id1}/resolve"),
                accept.clone()
            )
            .await
            .0,
            StatusCode::FORBIDDEN,
            "{who} resolves"
        );
    }
    assert_eq!(
        w.call(
            "admin-a",
            "POST",
            &format!("/corrections/{id2}/resolve"),
            Some(json!({"accept": false}))
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a dismissal needs a reason"
    );
    let (st, done) = w
        .call(
            "admin-a",
            "POST",
            &format!("/corrections/{id1}/resolve"),
            accept.clone(),
        )
        .await;
    assert_eq!(
        (st, done["status"].as_str()),
        (StatusCode::OK, Some("accepted")),
        "{label}: {done}"
    );
    assert_eq!(
        w.call(
            "admin-a",
            "POST",
            &format!("/corrections/{id1}/resolve"),
            accept
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only once"
    );
    let left = w
        .app
        .store()
        .talent_evidence_of(me)
        .await
        .expect("evidence");
    assert!(
        !left.iter().any(|e| e.id as i64 == e1) && left.iter().any(|e| e.id as i64 == e2),
        "{label}: the accepted one is gone, the other stays"
    );
    let (_, profile) = w
        .call("student", "GET", &format!("/people/{me}/profile"), None)
        .await;
    assert!(
        !profile["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .any(|e| e["id"].as_i64() == Some(e1)),
        "{label}"
    );
    let (st, d) = w
        .call(
            "admin-a",
            "POST",
            &format!("/corrections/{id2}/resolve"),
            Some(json!({"accept": false, "response": "成绩已核对无误"})),
        )
        .await;
    assert_eq!(
        (st, d["status"].as_str()),
        (StatusCode::OK, Some("dismissed"))
    );
    assert!(
        w.app
            .store()
            .talent_evidence_of(me)
            .await
            .expect("evidence")
            .iter()
            .any(|e| e.id as i64 == e2),
        "a dismissal removes nothing"
    );
}

async fn check_accounts(w: &World, label: &str) {
    w.only(
        "GET",
        "/users",
        None,
        &["operator", "admin-a", "admin-b"],
        StatusCode::OK,
        label,
    )
    .await;
    let (_, v) = w.call("admin-a", "GET", "/users", None).await;
    let names: Vec<&str> = v
        .as_array()
        .map(|a| a.iter().filter_map(|u| u["username"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        names.contains(&"teacher") && !names.contains(&"admin-b") && !names.contains(&"operator"),
        "{label}: {names:?}"
    );
    assert!(
        v.to_string().find("argon2").is_none(),
        "password hashes never leave the store"
    );
    // a school admin creates teachers in their own school only, students only of their own school
    let new_teacher = json!({"org_id": w.org_school_b, "role": "teacher", "username": "sneaky", "display_name": "x"});
    assert_eq!(
        w.call("admin-a", "POST", "/users", Some(new_teacher))
            .await
            .0,
        StatusCode::FORBIDDEN,
        "{label}"
    );
    let a_org = w
        .app
        .store()
        .org(
            w.app
                .store()
                .user_by_name("admin-a")
                .await
                .expect("u")
                .expect("u")
                .org_id,
        )
        .await
        .expect("o")
        .expect("o")
        .id;
    let wrong_student = json!({"org_id": a_org, "role": "student", "username": "not-ours", "display_name": "x", "person_id": w.person_b});
    assert_eq!(
        w.call("admin-a", "POST", "/users", Some(wrong_student))
            .await
            .0,
        StatusCode::FORBIDDEN,
        "{label}"
    );
    let operator_role =
        json!({"org_id": a_org, "role": "operator", "username": "promoted", "display_name": "x"});
    assert_eq!(
        w.call("admin-a", "POST", "/users", Some(operator_role))
            .await
            .0,
        StatusCode::FORBIDDEN,
        "{label}"
    );
    let ok_teacher = json!({"org_id": a_org, "role": "teacher", "username": "new.teacher", "display_name": "新老师"});
    let (st, h) = w
        .call("admin-a", "POST", "/users", Some(ok_teacher.clone()))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{label}: {h}");
    assert_eq!(h["password"].as_str().map(str::len), Some(16));
    assert_eq!(
        w.call("admin-a", "POST", "/users", Some(ok_teacher))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a taken username"
    );
    // a student account by student number, from the admin's own roster only
    let a_numbers: Vec<(i64, String)> = w
        .app
        .store()
        .talent_people(0, 1000)
        .await
        .expect("people")
        .into_iter()
        .filter(|p| p.cohort_id == Some(w.cohort_a) && p.id != w.student_person)
        .map(|p| (p.id, p.student_number))
        .collect();
    let b_number = w
        .app
        .store()
        .talent_person(w.person_b)
        .await
        .expect("p")
        .expect("p")
        .student_number;
    if let Some((pid, number)) = a_numbers.first() {
        let (st, h) = w.call("admin-a", "POST", "/users", Some(json!({"org_id": a_org, "role": "student", "username": "by.number", "display_name": "x", "student_number": number}))).await;
        assert_eq!(st, StatusCode::CREATED, "{label}: {h}");
        assert_eq!(
            w.app
                .store()
                .user_by_name("by.number")
                .await
                .expect("u")
                .expect("u")
                .person_id,
            Some(*pid)
        );
    }
    let (st, v) = w.call("admin-a", "POST", "/users", Some(json!({"org_id": a_org, "role": "student", "username": "not.ours", "display_name": "x", "student_number": b_number}))).await;
    assert_eq!(
        st,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{label}: another school's number is not in this roster: {v}"
    );
    // password resets: the operator anyone, a school admin their teachers and students, nobody else
    let op_id = w
        .app
        .store()
        .user_by_name("operator")
        .await
        .expect("u")
        .expect("u")
        .id;
    let teacher_id = w
        .app
        .store()
        .user_by_name("new.teacher")
        .await
        .expect("u")
        .expect("u")
        .id;
    assert_eq!(
        w.call("admin-a", "POST", &format!("/users/{op_id}/password"), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.call(
            "admin-b",
            "POST",
            &format!("/users/{teacher_id}/password"),
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.call(
            "teacher",
            "POST",
            &format!("/users/{teacher_id}/password"),
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.call(
            "admin-a",
            "POST",
            &format!("/users/{teacher_id}/password"),
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    // cohorts of another school cannot be assigned
    let body = json!({"cohorts": [w.cohort_b]});
    assert_eq!(
        w.call(
            "admin-a",
            "POST",
            &format!("/users/{teacher_id}/cohorts"),
            Some(body)
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // talent files: a school admin imports their own school's records only
    let school_name = |person: i64| async move {
        let p = w
            .app
            .store()
            .talent_person(person)
            .await
            .expect("p")
            .expect("p");
        w.app
            .store()
            .talent_school(p.school_id)
            .await
            .expect("s")
            .expect("s")
            .name
    };
    let (name_a, name_b) = (
        school_name(w.student_person).await,
        school_name(w.person_b).await,
    );
    let upload = |who: &'static str, body: String, file: &'static str| async move {
        let mut r = w
            .client
            .post(format!(
                "{}/api/v1/imports/talent?kind=people&filename={file}",
                w.base
            ))
            .body(body);
        if let Some(t) = w.tokens.get(who) {
            r = r.bearer_auth(t);
        }
        let res = r.send().await.expect("upload");
        (res.status(), res.text().await.unwrap_or_default())
    };
    let roster = |school: &str, number: &str| {
        format!("学校,专业,学号,姓名,毕业年份\n{school},网络空间安全,{number},王伟,2027\n")
    };
    let (st, body) = upload("admin-a", roster(&name_b, "990001"), "b.csv").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{label}: {body}");
    assert!(
        body.contains("990001"),
        "the refusal names what was not theirs: {body}"
    );
    let (st, _) = upload("admin-a", roster("一所新学校", "990002"), "new.csv").await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "a school admin cannot create schools"
    );
    for who in ["teacher", "student", "hr", "analyst", "moderator"] {
        assert_eq!(
            upload(who, roster(&name_a, "990003"), "a.csv").await.0,
            StatusCode::FORBIDDEN,
            "{who} uploads"
        );
    }
    assert_eq!(
        upload("nobody", roster(&name_a, "990003"), "a.csv").await.0,
        StatusCode::UNAUTHORIZED
    );
    let before = w.app.store().talent_counts().await.expect("counts").2;
    let (st, body) = upload("admin-a", roster(&name_a, "990004"), "a.csv").await;
    assert_eq!(st, StatusCode::OK, "{label}: {body}");
    assert_eq!(
        w.app.store().talent_counts().await.expect("counts").2,
        before + 1,
        "one student added to school A"
    );
    // the import tasks: operators see every one, a school admin their school's
    w.only(
        "GET",
        "/imports/tasks",
        None,
        &["operator", "admin-a", "admin-b"],
        StatusCode::OK,
        label,
    )
    .await;
    let (_, mine) = w.call("admin-a", "GET", "/imports/tasks", None).await;
    let task = mine
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|t| t["file_name"] == "a.csv" && t["state"] == "done")
        })
        .unwrap_or_else(|| panic!("{label}: admin A sees their upload: {mine}"))["id"]
        .as_i64()
        .expect("id");
    let (_, theirs) = w.call("admin-b", "GET", "/imports/tasks", None).await;
    assert!(
        theirs
            .as_array()
            .is_some_and(|a| a.iter().all(|t| t["id"].as_i64() != Some(task))),
        "{label}: not another school's: {theirs}"
    );
    for (who, want) in [
        ("operator", StatusCode::OK),
        ("admin-a", StatusCode::OK),
        ("admin-b", StatusCode::NOT_FOUND),
        ("teacher", StatusCode::FORBIDDEN),
        ("hr", StatusCode::FORBIDDEN),
        ("nobody", StatusCode::UNAUTHORIZED),
    ] {
        let (st, v) = w
            .call(who, "GET", &format!("/imports/tasks/{task}"), None)
            .await;
        assert_eq!(st, want, "{label}: {who} reads task {task}: {v}");
    }
    w.only("GET", "/audit", None, &["operator"], StatusCode::OK, label)
        .await;
    let (_, v) = w.call("operator", "GET", "/audit?action=user.", None).await;
    let actions: Vec<&str> = v
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        !actions.is_empty() && actions.iter().all(|a| a.starts_with("user.")),
        "{label}: a prefix narrows: {actions:?}"
    );
    let (_, v) = w
        .call("operator", "GET", "/audit?action=user%25", None)
        .await;
    assert_eq!(
        v.as_array().map(Vec::len),
        Some(0),
        "a wildcard is just a character"
    );
    w.only(
        "POST",
        "/orgs",
        Some(json!({"kind": "enterprise", "name": format!("New {label}")})),
        &["operator"],
        StatusCode::CREATED,
        label,
    )
    .await;
    // tokens: made with a session, never with a token; a read-only token
    // cannot change anything; a revoked one is nobody
    let (st, _) = w
        .call(
            "hr",
            "POST",
            "/tokens",
            Some(json!({"name": "read only", "scope": "read"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "a token minting a token");
    let t = w
        .app
        .accounts()
        .create_token(&caller_of(w, "hr").await, "read only", "read")
        .await
        .expect("a token from a signed-in session");
    let secret = t.secret.clone();
    let stored = w
        .app
        .store()
        .tokens_of(t.token.user_id)
        .await
        .expect("tokens");
    assert!(
        !format!("{stored:?}").contains(&secret),
        "only a hash is stored"
    );
    let ro = |m: reqwest::Method, p: &str| {
        w.client
            .request(m, format!("{}/api/v1{p}", w.base))
            .bearer_auth(&secret)
    };
    assert_eq!(
        ro(reqwest::Method::GET, "/me")
            .send()
            .await
            .expect("me")
            .status(),
        StatusCode::OK
    );
    let draft = json!({"kind": "job", "title": "只读令牌的草稿"});
    assert_eq!(
        ro(reqwest::Method::POST, "/jobs")
            .json(&draft)
            .send()
            .await
            .expect("post")
            .status(),
        StatusCode::FORBIDDEN
    );
    // an operator's read-only token reads everything and changes nothing
    let op_ro = w
        .app
        .accounts()
        .create_token(&Caller::user(1, 1, UserRole::Operator), "read", "read")
        .await
        .expect("token")
        .secret;
    let r = w
        .client
        .get(format!("{}/api/v1/imports", w.base))
        .bearer_auth(&op_ro)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let r = w
        .client
        .post(format!("{}/api/v1/imports/postings?filename=x.csv", w.base))
        .bearer_auth(&op_ro)
        .body("title\nx\n")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "{label}");
    let r = w
        .client
        .post(format!("{}/api/v1/orgs", w.base))
        .bearer_auth(&op_ro)
        .json(&json!({"kind": "enterprise", "name": "ro"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "{label}");
    let tid = t.token.id;
    assert_eq!(
        w.call("hr-2", "DELETE", &format!("/tokens/{tid}"), None)
            .await
            .0,
        StatusCode::NOT_FOUND,
        "another user's token"
    );
    assert_eq!(
        w.call("hr", "DELETE", &format!("/tokens/{tid}"), None)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        ro(reqwest::Method::GET, "/me")
            .send()
            .await
            .expect("me")
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn check_publishing(w: &World, label: &str) {
    // HR drafts (an org_id in the body is ignored: a posting is always the caller's enterprise's)
    let draft = json!({"kind": "internship", "title": "渗透测试实习生", "description": "熟悉Burp Suite与SQL注入，有CTF经历", "location": "武汉", "salary": "150-200元/天", "platform_role": "pentester", "skills": ["penetration-testing", "burp-suite"], "org_id": w.enterprise_2});
    w.only(
        "POST",
        "/jobs",
        Some(json!({"kind": "job", "title": "x"})),
        &["hr", "hr-2"],
        StatusCode::CREATED,
        label,
    )
    .await;
    let (st, job) = w.call("hr", "POST", "/jobs", Some(draft.clone())).await;
    assert_eq!(st, StatusCode::CREATED, "{label}: {job}");
    let id = job["id"].as_i64().expect("id");
    let hr_org = w
        .app
        .store()
        .user_by_name("hr")
        .await
        .expect("u")
        .expect("u")
        .org_id;
    assert_eq!(job["org_id"].as_i64(), Some(hr_org), "{label}");
    // a draft is its enterprise's and the moderators' only
    w.only(
        "GET",
        &format!("/jobs/{id}"),
        None,
        &["operator", "hr", "mentor"],
        StatusCode::OK,
        label,
    )
    .await;
    w.only(
        "PUT",
        &format!("/jobs/{id}"),
        Some(draft.clone()),
        &["hr"],
        StatusCode::OK,
        label,
    )
    .await;
    w.only(
        "POST",
        "/jobs/suggest",
        Some(json!({"title": "渗透测试工程师", "description": "熟悉Burp Suite"})),
        &ROLES
            .iter()
            .copied()
            .chain(["moderator"])
            .collect::<Vec<_>>(),
        StatusCode::OK,
        label,
    )
    .await;
    let (_, s) = w
        .call(
            "hr",
            "POST",
            "/jobs/suggest",
            Some(json!({"title": "渗透测试工程师", "description": "熟悉Burp Suite"})),
        )
        .await;
    assert_eq!(s["platform_roles"][0]["id"], "pentester", "{label}: {s}");
    // a draft is not the moderators' yet; the operator may look, but not approve before submission
    assert_eq!(
        w.call("moderator", "POST", &format!("/jobs/{id}/approve"), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.call("operator", "POST", &format!("/jobs/{id}/approve"), None)
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    for who in ["hr-2", "mentor", "student", "moderator"] {
        assert_eq!(
            w.call(who, "POST", &format!("/jobs/{id}/submit"), None)
                .await
                .0,
            StatusCode::FORBIDDEN,
            "{who} submits"
        );
    }
    assert_eq!(
        w.call("hr", "POST", &format!("/jobs/{id}/submit"), None)
            .await
            .0,
        StatusCode::OK
    );
    for who in ["hr", "hr-2", "mentor", "analyst", "admin-a", "student"] {
        let (st, _) = w
            .call(who, "POST", &format!("/jobs/{id}/approve"), None)
            .await;
        assert!(st == StatusCode::FORBIDDEN, "{label}: {who} approves: {st}");
    }
    // sent back with a note, edited, resubmitted, approved
    assert_eq!(
        w.call(
            "moderator",
            "POST",
            &format!("/jobs/{id}/reject"),
            Some(json!({"note": ""}))
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (st, j) = w
        .call(
            "moderator",
            "POST",
            &format!("/jobs/{id}/reject"),
            Some(json!({"note": "请写明实习时长"})),
        )
        .await;
    assert_eq!((st, j["status"].as_str()), (StatusCode::OK, Some("draft")));
    assert_eq!(
        w.call("hr", "PUT", &format!("/jobs/{id}"), Some(draft))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        w.call("hr", "POST", &format!("/jobs/{id}/submit"), None)
            .await
            .0,
        StatusCode::OK
    );
    // what each caller is offered is what the service would let them do
    let offered = |status: &'static str| async move {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for who in ROLES.iter().copied().chain(["moderator", "nobody"]) {
            let (st, v) = w.call(who, "GET", &format!("/jobs/{id}"), None).await;
            if st != StatusCode::OK {
                continue;
            }
            assert_eq!(v["job"]["status"], status, "{label}");
            let may: Vec<String> = v["may"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter(|(_, on)| on == &&json!(true))
                        .map(|(k, _)| k.clone())
                        .collect()
                })
                .unwrap_or_default();
            out.push((who.to_string(), may));
        }
        out
    };
    let may_of = |all: &[(String, Vec<String>)], who: &str| {
        all.iter()
            .find(|(w, _)| w == who)
            .map(|(_, m)| m.join(","))
            .unwrap_or_else(|| "-".into())
    };
    let submitted = offered("submitted").await;
    assert_eq!(
        may_of(&submitted, "moderator"),
        "review",
        "{label}: {submitted:?}"
    );
    assert_eq!(
        may_of(&submitted, "operator"),
        "candidates,review",
        "{label}: {submitted:?}"
    );
    assert_eq!(
        may_of(&submitted, "hr"),
        "candidates,evaluate",
        "{label}: {submitted:?}"
    );
    assert_eq!(
        may_of(&submitted, "student"),
        "-",
        "{label}: a submission is not public"
    );
    let before = w.app.store().posting_count().await.expect("count");
    let (st, j) = w
        .call("moderator", "POST", &format!("/jobs/{id}/approve"), None)
        .await;
    assert_eq!(
        (st, j["status"].as_str()),
        (StatusCode::OK, Some("published")),
        "{label}: {j}"
    );
    assert_eq!(
        w.app.store().posting_count().await.expect("count"),
        before + 1
    );
    let published = offered("published").await;
    for (who, want) in [
        ("hr", "candidates,close,evaluate"),
        ("mentor", "candidates,evaluate"),
        ("operator", "candidates,close"),
        ("moderator", ""),
        ("student", "interest"),
        ("hr-2", ""),
        ("teacher", ""),
        ("nobody", ""),
    ] {
        assert_eq!(
            may_of(&published, who),
            want,
            "{label}: {who}: {published:?}"
        );
    }
    // counted in the indicators as source `published`, with HR's role and skills
    let (_, ind) = w
        .call("nobody", "GET", "/indicators?source=published&all=1", None)
        .await;
    assert_eq!(ind["demand"]["postings"], 1, "{label}: {ind}");
    let (_, d) = w
        .call(
            "nobody",
            "GET",
            "/indicators/postings?source=published&role=pentester",
            None,
        )
        .await;
    assert_eq!(d["total"], 1, "{label}: {d}");
    // a step the status does not allow says so in words
    let (st, e) = w
        .call("hr", "POST", &format!("/jobs/{id}/submit"), None)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{label}");
    assert!(
        e["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("is Published, so you cannot submit a posting now")),
        "{label}: {e}"
    );
    // public now
    w.only(
        "GET",
        &format!("/jobs/{id}"),
        None,
        &ROLES
            .iter()
            .copied()
            .chain(["moderator", "nobody"])
            .collect::<Vec<_>>(),
        StatusCode::OK,
        label,
    )
    .await;
    // a student sees their readiness for the posting's role; nobody else gets one
    let (_, v) = w.call("student", "GET", &format!("/jobs/{id}"), None).await;
    assert!(v["my_readiness"].is_number(), "{label}: {v}");
    let (_, v) = w.call("hr", "GET", &format!("/jobs/{id}"), None).await;
    assert!(v["my_readiness"].is_null());
    // interest: students only; the candidates: its enterprise and operators only
    w.only(
        "POST",
        &format!("/jobs/{id}/interest"),
        None,
        &["student", "student-b"],
        StatusCode::OK,
        label,
    )
    .await;
    w.only(
        "GET",
        &format!("/jobs/{id}/candidates"),
        None,
        &["operator", "hr", "mentor"],
        StatusCode::OK,
        label,
    )
    .await;
    let (_, c) = w
        .call("mentor", "GET", &format!("/jobs/{id}/candidates"), None)
        .await;
    // the student consented (check_talent); student-b did not → a count only
    let shown = ids(&c["shared"], "person_id");
    let b_consents = w
        .app
        .store()
        .talent_person(w.person_b)
        .await
        .expect("p")
        .expect("p")
        .consent_enterprise;
    assert!(shown.contains(&w.student_person), "{label}: {c}");
    assert_eq!(shown.contains(&w.person_b), b_consents, "{label}");
    assert!(
        c["shared"][0]["readiness"].is_number(),
        "readiness for the posting's role"
    );
    // its mentor and HR rate the candidate: an enterprise evaluation from their organisation in the profile
    let me = w.student_person;
    let rating = Some(
        json!({"levels": {"penetration-testing": 4, "burp-suite": 3}, "comment": "实习期间独立完成两次渗透测试"}),
    );
    w.only(
        "POST",
        &format!("/people/{me}/evaluations"),
        rating,
        &["hr", "mentor"],
        StatusCode::CREATED,
        label,
    )
    .await;
    for bad in [
        json!({"levels": {"penetration-testing": 7}}),
        json!({"levels": {"juggling": 3}}),
        json!({"levels": {}}),
        json!({"levels": {"penetration-testing": 3}, "date": "2999-01-01"}),
    ] {
        assert_eq!(
            w.call(
                "mentor",
                "POST",
                &format!("/people/{me}/evaluations"),
                Some(bad.clone())
            )
            .await
            .0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}"
        );
    }
    let other_school = w.other_a;
    assert_eq!(
        w.call(
            "mentor",
            "POST",
            &format!("/people/{other_school}/evaluations"),
            Some(json!({"levels": {"penetration-testing": 3}}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN,
        "not a candidate"
    );
    let evals: Vec<_> = w
        .app
        .store()
        .talent_evidence_of(me)
        .await
        .expect("evidence")
        .into_iter()
        .filter(|e| e.source_org == "Enterprise One")
        .collect();
    assert_eq!(evals.len(), 2, "{label}");
    assert!(
        evals
            .iter()
            .all(|e| e.kind.judge() == cb_talent::Judge::Enterprise && e.observations.len() == 2)
    );
    // one current rating per evaluator, student and skill: rating again replaces
    // (issue 13: 100 identical ratings lifted burp-suite from 2.52 to 4.98)
    let level_of = |skill: &'static str| {
        let app = w.app.clone();
        async move {
            let p = app
                .talent()
                .profile(
                    &Caller::system("test"),
                    me,
                    chrono::Local::now().date_naive(),
                )
                .await
                .expect("profile");
            p.profile
                .skills
                .iter()
                .find(|s| s.skill_id == skill)
                .map(|s| (s.level, s.confidence))
        }
    };
    let once = level_of("burp-suite").await;
    for _ in 0..30 {
        let (st, _) = w
            .call(
                "mentor",
                "POST",
                &format!("/people/{me}/evaluations"),
                Some(json!({"levels": {"burp-suite": 5}, "comment": "again"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{label}");
    }
    let mentor_ratings: Vec<_> = w
        .app
        .store()
        .talent_evidence_of(me)
        .await
        .expect("evidence")
        .into_iter()
        .filter(|e| {
            e.source_org == "Enterprise One"
                && e.observations.iter().any(|o| o.skill_id == "burp-suite")
        })
        .collect();
    assert_eq!(
        mentor_ratings.len(),
        2,
        "{label}: the mentor's latest rating of burp-suite and HR's: {mentor_ratings:?}"
    );
    let after = level_of("burp-suite").await;
    let (l1, c1) = once.expect("rated");
    let (l2, c2) = after.expect("rated");
    assert!(
        c2 <= c1 + 1e-9,
        "{label}: repeating adds no confidence ({c1} → {c2})"
    );
    assert!(
        l2 - l1 < 1.5,
        "{label}: one rating of 5 in place of one of 3 ({l1} → {l2})"
    );
    // dates for sense: not the year 1, not the future
    for date in ["0001-01-01", "1999-12-31"] {
        let (st, v) = w
            .call(
                "mentor",
                "POST",
                &format!("/people/{me}/evaluations"),
                Some(json!({"levels": {"burp-suite": 3}, "date": date})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{label}: {date}: {v}");
    }
    // an enterprise now reads an interested, consenting student's profile; the other enterprise still cannot
    assert_eq!(
        w.call(
            "hr",
            "GET",
            &format!("/people/{}/profile", w.student_person),
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        w.call(
            "hr-2",
            "GET",
            &format!("/people/{}/profile", w.student_person),
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.call(
            "analyst",
            "GET",
            &format!("/people/{}/profile", w.student_person),
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // withdrawing consent closes the door again
    assert_eq!(
        w.call(
            "student",
            "POST",
            "/me/record",
            Some(json!({"consent_enterprise": false}))
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        w.call(
            "hr",
            "GET",
            &format!("/people/{}/profile", w.student_person),
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // closing: its HR or an operator
    for who in ["hr-2", "mentor", "student", "moderator"] {
        assert_eq!(
            w.call(who, "POST", &format!("/jobs/{id}/close"), None)
                .await
                .0,
            StatusCode::FORBIDDEN,
            "{who} closes"
        );
    }
    let (st, j) = w
        .call("hr", "POST", &format!("/jobs/{id}/close"), None)
        .await;
    assert_eq!((st, j["status"].as_str()), (StatusCode::OK, Some("closed")));
    assert_eq!(
        w.call("student", "POST", &format!("/jobs/{id}/interest"), None)
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "closed"
    );
    // ids of others' drafts in URLs
    let (_, other) = w
        .call(
            "hr-2",
            "POST",
            "/jobs",
            Some(json!({"kind": "job", "title": "别家草稿"})),
        )
        .await;
    let other = other["id"].as_i64().expect("id");
    for (m, p) in [
        ("GET", format!("/jobs/{other}")),
        ("PUT", format!("/jobs/{other}")),
        ("POST", format!("/jobs/{other}/submit")),
        ("GET", format!("/jobs/{other}/candidates")),
    ] {
        let body = (m == "PUT").then(|| json!({"kind": "job", "title": "改写"}));
        assert_eq!(
            w.call("hr", m, &p, body).await.0,
            StatusCode::FORBIDDEN,
            "{label}: hr {m} {p}"
        );
    }
    let (_, list) = w.call("hr", "GET", "/jobs", None).await;
    assert!(
        !ids(
            &list
                .as_array()
                .map(|a| a.iter().map(|v| v["job"].clone()).collect::<Vec<_>>())
                .map(Value::Array)
                .unwrap_or_default(),
            "id"
        )
        .contains(&other),
        "{label}"
    );

    // interest toggles are fairly limited: a change of mind is fine, a
    // toggling script is not (issue 13: 300 toggles wrote 299 audit rows)
    let (_, j) = w
        .call(
            "hr",
            "POST",
            "/jobs",
            Some(json!({"kind": "internship", "title": "安全运营实习生", "description": "SIEM 告警研判与日志分析", "location": "武汉", "platform_role": "soc-analyst"})),
        )
        .await;
    let fresh = j["id"].as_i64().expect("id");
    let (st, v) = w
        .call("hr", "POST", &format!("/jobs/{fresh}/submit"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{label}: {v}");
    let (st, _) = w
        .call("moderator", "POST", &format!("/jobs/{fresh}/approve"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{label}");
    let path = format!("/jobs/{fresh}/interest");
    let mut answers = Vec::new();
    let allowed = cb_app::INTEREST_CHANGES_PER_HOUR as usize;
    for i in 0..=allowed {
        let method = if i % 2 == 0 { "POST" } else { "DELETE" };
        answers.push(w.call("student-b", method, &path, None).await.0);
    }
    assert!(
        answers[..allowed].iter().all(|s| *s == StatusCode::OK),
        "{label}: {answers:?}"
    );
    assert_eq!(
        answers[allowed],
        StatusCode::TOO_MANY_REQUESTS,
        "{label}: {answers:?}"
    );
    // asking for what is already so changes nothing, so it is not refused
    let (st, _) = w.call("student-b", "DELETE", &path, None).await;
    assert_eq!(st, StatusCode::OK, "{label}: no change");
    let log = w.app.store().audit_log(1000).await.expect("audit");
    let rows = log
        .iter()
        .filter(|e| {
            e.action.starts_with("interest.") && e.detail.starts_with(&format!("job {fresh},"))
        })
        .count();
    assert_eq!(rows, allowed, "{label}: one audit row per change allowed");
}

async fn check_hostile(w: &World, label: &str) {
    // an oversized body is refused before it is read
    let big = "x".repeat(2 * 1024 * 1024);
    let r = w
        .client
        .post(format!("{}/api/v1/jobs", w.base))
        .bearer_auth(&w.tokens["hr"])
        .header("content-type", "application/json")
        .body(format!("{{\"kind\":\"job\",\"title\":\"{big}\"}}"))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{label}");
    // malformed JSON and wrong types are 4xx, never 500
    for body in [
        "{",
        "[]",
        "{\"kind\": \"boss\", \"title\": \"x\"}",
        "{\"kind\": \"job\", \"title\": 5}",
    ] {
        let r = w
            .client
            .post(format!("{}/api/v1/jobs", w.base))
            .bearer_auth(&w.tokens["hr"])
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("post");
        assert!(
            r.status().is_client_error(),
            "{label}: {body}: {}",
            r.status()
        );
    }
    // long and control-character fields are named
    let (st, v) = w
        .call(
            "hr",
            "POST",
            "/jobs",
            Some(json!({"kind": "job", "title": "x".repeat(121)})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("title") && m.contains("120")),
        "{v}"
    );
    let (st, v) = w
        .call(
            "hr",
            "POST",
            "/jobs",
            Some(json!({"kind": "job", "title": "ok", "skills": ["x'); DROP TABLE jobs;--"]})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // names people write become the model's ids
    let (st, v) = w.call("hr", "POST", "/jobs", Some(json!({"kind": "job", "title": "安全工程师", "skills": ["渗透测试", "Burp Suite"], "certifications": ["CISP-PTE"]}))).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["skills"],
        json!(["penetration-testing", "burp-suite"]),
        "{label}"
    );
    assert_eq!(v["certifications"], json!(["cisp-pte"]), "{label}");
    // SQL in filters and ids is data
    let (st, v) = w
        .call(
            "nobody",
            "GET",
            "/indicators?skill=%27%20OR%201%3D1--&province=%27%3B%20DROP%20TABLE%20postings%3B--",
            None,
        )
        .await;
    assert_eq!(
        (st, v["demand"]["postings"].as_u64()),
        (StatusCode::OK, Some(0)),
        "{label}: {v}"
    );
    assert_eq!(
        w.call("nobody", "GET", "/jobs?status=%27%20OR%201%3D1--", None)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        w.call("operator", "GET", "/people/1%20OR%201=1/profile", None)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert!(
        w.app
            .store()
            .posting_count()
            .await
            .expect("postings still there")
            > 0
    );
    // a script in a title is shown inert on the page
    let (st, j) = w.call("hr", "POST", "/jobs", Some(json!({"kind": "job", "title": "<script>alert(1)</script>", "description": "<img src=x onerror=alert(2)>"}))).await;
    assert_eq!(st, StatusCode::CREATED);
    let id = j["id"].as_i64().expect("id");
    let page = w
        .client
        .get(format!("{}/jobs/{id}", w.base))
        .bearer_auth(&w.tokens["hr"])
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        !page.contains("<script>alert(1)")
            && !page.contains("<img src=x")
            && page.contains("&#60;script&#62;alert(1)"),
        "{label}"
    );
    // a usernames with SQL or markup cannot even be tried
    let (st, _) = w.call("operator", "POST", "/users", Some(json!({"org_id": 1, "role": "operator", "username": "x' OR '1'='1", "display_name": "x"}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Pages as every role: signed in through the real form, every page's status.
#[tokio::test]
async fn pages_as_every_role() {
    for db in TestDb::all().await {
        pages_on(&db).await;
        db.finish().await;
    }
}

async fn pages_on(db: &TestDb) {
    let w = world(db).await;
    let (_, job) = w
        .call(
            "hr",
            "POST",
            "/jobs",
            Some(json!({"kind": "job", "title": "安全运营工程师", "platform_role": "soc-analyst"})),
        )
        .await;
    let draft = job["id"].as_i64().expect("id");
    let me = w.student_person;
    // a published posting with the student interested and sharing their profile
    let (_, p) = w.call("hr", "POST", "/jobs", Some(json!({"kind": "internship", "title": "渗透测试实习生", "platform_role": "pentester", "skills": ["penetration-testing"]}))).await;
    let published = p["id"].as_i64().expect("id");
    assert_eq!(
        w.call("hr", "POST", &format!("/jobs/{published}/submit"), None)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        w.call(
            "moderator",
            "POST",
            &format!("/jobs/{published}/approve"),
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        w.call(
            "student",
            "POST",
            "/me/record",
            Some(json!({"consent_enterprise": true}))
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        w.call(
            "student",
            "POST",
            &format!("/jobs/{published}/interest"),
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    let pages: Vec<(String, &[&str])> = vec![
        (
            "/insight?lang=en".into(),
            &[
                "operator",
                "admin-a",
                "admin-b",
                "teacher",
                "student",
                "student-b",
                "hr",
                "hr-2",
                "mentor",
                "analyst",
                "moderator",
                "nobody",
            ],
        ),
        (
            "/framework".into(),
            &[
                "operator",
                "admin-a",
                "admin-b",
                "teacher",
                "student",
                "student-b",
                "hr",
                "hr-2",
                "mentor",
                "analyst",
                "moderator",
                "nobody",
            ],
        ),
        (
            "/account".into(),
            &[
                "operator",
                "admin-a",
                "admin-b",
                "teacher",
                "student",
                "student-b",
                "hr",
                "hr-2",
                "mentor",
                "analyst",
                "moderator",
            ],
        ),
        ("/admin/users".into(), &["operator", "admin-a", "admin-b"]),
        ("/imports".into(), &["operator", "admin-a", "admin-b"]),
        ("/admin/audit".into(), &["operator"]),
        (
            "/admin/corrections".into(),
            &["operator", "admin-a", "admin-b"],
        ),
        (
            "/jobs".into(),
            &[
                "operator",
                "admin-a",
                "admin-b",
                "teacher",
                "student",
                "student-b",
                "hr",
                "hr-2",
                "mentor",
                "analyst",
                "moderator",
                "nobody",
            ],
        ),
        ("/jobs/new".into(), &["hr", "hr-2"]),
        (format!("/jobs/{draft}"), &["operator", "hr", "mentor"]),
        (format!("/jobs/{draft}/edit"), &["hr"]),
        (
            format!("/jobs/{published}"),
            &[
                "operator",
                "admin-a",
                "admin-b",
                "teacher",
                "student",
                "student-b",
                "hr",
                "hr-2",
                "mentor",
                "analyst",
                "moderator",
                "nobody",
            ],
        ),
        (
            format!("/jobs/{published}/candidates"),
            &["operator", "hr", "mentor"],
        ),
        (
            format!("/jobs/{published}/candidates/{me}/evaluate"),
            &["hr", "mentor"],
        ),
        (
            format!("/talent/people/{me}"),
            &["operator", "admin-a", "teacher", "student", "hr", "mentor"],
        ),
        (
            format!("/talent/cohorts/{}", w.cohort_a),
            &["operator", "admin-a", "teacher"],
        ),
        (
            "/talent".into(),
            &["operator", "admin-a", "admin-b", "teacher"],
        ),
    ];
    for who in ROLES.iter().copied().chain(["moderator", "nobody"]) {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("client");
        if who != "nobody" {
            let form = client
                .get(format!("{}/signin", w.base))
                .send()
                .await
                .expect("form")
                .text()
                .await
                .expect("text");
            let csrf = form
                .split("name=\"csrf\" value=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .expect("csrf")
                .to_string();
            // the accounts were created with temporary passwords: set a known one
            let u = w
                .app
                .store()
                .user_by_name(who)
                .await
                .expect("u")
                .expect("u");
            let hash = cb_app::hash_password(PASSWORD).await.expect("hash");
            w.app
                .store()
                .user_set_password(
                    &Caller::system("test"),
                    u.id,
                    &hash,
                    false,
                    false,
                    0,
                    "password.reset",
                )
                .await
                .expect("pw");
            let r = client
                .post(format!("{}/signin", w.base))
                .form(&[
                    ("username", who),
                    ("password", PASSWORD),
                    ("csrf", &csrf),
                    ("next", "/account"),
                ])
                .send()
                .await
                .expect("signin");
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{who} signs in");
        }
        for (path, allowed) in &pages {
            let r = client
                .get(format!("{}{path}", w.base))
                .send()
                .await
                .expect("get");
            let st = r.status();
            let body = r.text().await.unwrap_or_default();
            if allowed.contains(&who) {
                assert!(
                    st == StatusCode::OK || (path == "/talent" && st == StatusCode::SEE_OTHER),
                    "{who} {path}: {st}"
                );
            } else if who == "nobody" {
                assert!(
                    st == StatusCode::SEE_OTHER || st == StatusCode::UNAUTHORIZED,
                    "nobody {path}: {st}"
                );
            } else {
                // students are sent to their own account from the staff lists
                let to_account = (who.starts_with("student")
                    && (path == "/talent" || path == "/admin/corrections")
                    || ["hr", "hr-2", "mentor"].contains(&who) && path == "/talent")
                    && st == StatusCode::SEE_OTHER;
                assert!(
                    st == StatusCode::FORBIDDEN || to_account,
                    "{who} {path}: {st} {body:.200}"
                );
            }
        }
        // the places navigation offers are exactly those that open
        let places = if who == "nobody" {
            cb_app::Places::default()
        } else {
            w.app.places(&caller_of(&w, who).await)
        };
        for (path, offered) in cb_web::place_pages(&places) {
            let st = client
                .get(format!("{}{path}", w.base))
                .send()
                .await
                .expect("get")
                .status();
            assert_eq!(st == StatusCode::OK, offered, "{who} {path}: {st}");
        }
        let nav = client
            .get(format!("{}/framework", w.base))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .unwrap_or_default();
        assert_eq!(
            nav.contains("<a href=\"/talent\">"),
            places.talent,
            "{who}: the talent pool is in the navigation exactly when it opens"
        );
        // only the person sees the correction form on their profile
        if who == "student" || who == "admin-a" {
            let page = client
                .get(format!("{}/talent/people/{me}", w.base))
                .send()
                .await
                .expect("get")
                .text()
                .await
                .expect("text");
            assert_eq!(
                page.contains("id=\"correction-form\""),
                who == "student",
                "{who}"
            );
        }
        let csrf_of = |html: &str| {
            html.split("name=\"csrf\" value=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or_default()
                .to_string()
        };
        // the operator disables an account through the page (its token stops working) and enables it again
        if who == "operator" {
            let page = client
                .get(format!("{}/admin/users", w.base))
                .send()
                .await
                .expect("get")
                .text()
                .await
                .expect("text");
            let csrf = csrf_of(&page);
            let hr2 = w
                .app
                .store()
                .user_by_name("hr-2")
                .await
                .expect("u")
                .expect("u")
                .id;
            let r = client
                .post(format!("{}/admin/users/{hr2}/disable", w.base))
                .form(&[("csrf", csrf.as_str())])
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            assert_eq!(
                w.call("hr-2", "GET", "/me", None).await.0,
                StatusCode::UNAUTHORIZED,
                "a disabled account's token is nobody"
            );
            let r = client
                .post(format!("{}/admin/users/{hr2}/enable", w.base))
                .form(&[("csrf", csrf.as_str())])
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            assert_eq!(
                w.call("hr-2", "GET", "/me", None).await.0,
                StatusCode::UNAUTHORIZED,
                "enabling again does not bring a revoked token back"
            );
        }
        // signing out everywhere ends this browser's session too
        if who == "analyst" {
            let page = client
                .get(format!("{}/account", w.base))
                .send()
                .await
                .expect("get")
                .text()
                .await
                .expect("text");
            assert!(
                page.contains("id=\"session-count\">1<"),
                "one signed-in browser"
            );
            let r = client
                .post(format!("{}/account/signout-everywhere", w.base))
                .form(&[("csrf", csrf_of(&page).as_str())])
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            let r = client
                .get(format!("{}/account", w.base))
                .send()
                .await
                .expect("get");
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed out");
        }
        // a form without the session's CSRF token changes nothing
        if who == "hr" {
            let r = client
                .post(format!("{}/jobs/{draft}/submit", w.base))
                .form(&[("csrf", "forged")])
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
            // and the API refuses a cookie-only change without the CSRF header
            let r = client
                .post(format!("{}/api/v1/jobs/{draft}/submit", w.base))
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(
                w.app
                    .store()
                    .job(draft)
                    .await
                    .expect("job")
                    .expect("job")
                    .status,
                cb_postings::publish::JobStatus::Draft
            );
        }
    }
    w.stop().await;
}

/// Changing a password needs the current one, and guessing it is limited
/// like signing in; API tokens outlive a change (sessions do not).
#[tokio::test]
async fn password_changes_are_checked_and_limited() {
    let db = TestDb::sqlite();
    let w = world(&db).await;
    let hr = caller_of(&w, "hr").await;
    let accounts = w.app.accounts();
    assert!(matches!(
        accounts
            .change_password(&hr, "wrong", "a new long password")
            .await,
        Err(cb_app::AppError::Invalid(_))
    ));
    assert!(
        matches!(
            accounts.change_password(&hr, PASSWORD, "short").await,
            Err(cb_app::AppError::Invalid(_))
        ),
        "the new one is checked too"
    );
    for _ in 0..5 {
        let _ = accounts
            .change_password(&hr, "wrong", "a new long password")
            .await;
    }
    assert!(
        matches!(
            accounts
                .change_password(&hr, "wrong", "a new long password")
                .await,
            Err(cb_app::AppError::TooManyAttempts { .. })
        ),
        "guessing is limited"
    );
    let log = w.app.store().audit_log(100).await.expect("audit");
    assert!(
        log.iter().any(|e| e.action == "password.change_refused")
            && log
                .iter()
                .filter(|e| e.action == "password.change_failed")
                .count()
                == 5
    );
    assert_eq!(
        w.call("hr", "GET", "/me", None).await.0,
        StatusCode::OK,
        "API tokens stay valid"
    );
    w.stop().await;
    db.finish().await;
}

async fn caller_of(w: &World, username: &str) -> Caller {
    let u = w
        .app
        .store()
        .user_by_name(username)
        .await
        .expect("user")
        .expect(username);
    Caller::user(u.id, u.org_id, u.role)
}
