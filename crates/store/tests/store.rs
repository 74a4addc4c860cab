//! One suite, run against every backend: SQLite always, PostgreSQL when
//! `TEST_DATABASE_URL` is set (CI sets it).

use cb_competency::{CompetencyModel, RoleRelation, SkillRoleLink, bundled};
use cb_core::Caller;
use cb_store::testing::TestDb;
use cb_store::{Backend, Store};

fn model() -> CompetencyModel {
    bundled::model().expect("bundled model")
}

fn no_progress() -> impl FnMut(u64, u64) + Send {
    |_, _| {}
}

async fn each_backend<F, Fut>(test: F)
where
    F: Fn(Store, &'static str) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDb::all().await {
        let store = db.store().await;
        test(store.clone(), db.label).await;
        store.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_a_fresh_store_has_no_model() {
    each_backend(|store, label| async move {
        store
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("{label}: second migrate: {e}"));
        assert!(store.load_model().await.expect("load").is_none(), "{label}");
        assert!(
            store.load_external().await.expect("load").is_empty(),
            "{label}"
        );
        store.ping().await.expect("ping");
    })
    .await;
}

#[tokio::test]
async fn the_model_round_trips_exactly() {
    let m = model();
    each_backend(|store, label| {
        let m = m.clone();
        async move {
            let mut calls = 0u64;
            let mut last = (0, 0);
            let mut progress = |done, total| {
                calls += 1;
                last = (done, total);
            };
            store
                .replace_model(&Caller::system("test"), &m, &mut progress)
                .await
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            assert!(
                calls > 1 && last.0 == last.1 && last.1 > 10_000,
                "{label}: progress {calls} {last:?}"
            );
            let back = store.load_model().await.expect("load").expect("a model");
            assert!(
                back == m,
                "{label}: stored model differs from the bundled one"
            );
            // replacing again (re-seeding) gives the same model, not duplicates
            store
                .replace_model(&Caller::system("test"), &m, &mut no_progress())
                .await
                .expect("replace again");
            let again = store.load_model().await.expect("load").expect("a model");
            assert!(again == m, "{label}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_failed_replace_leaves_the_previous_model_untouched() {
    let good = model();
    each_backend(|store, label| {
        let good = good.clone();
        async move {
            store
                .replace_model(&Caller::system("test"), &good, &mut no_progress())
                .await
                .expect("install");
            let mut bad = good.clone();
            bad.skills.truncate(10);
            // a link to a skill that is not there violates a foreign key midway
            bad.skill_roles.push(SkillRoleLink {
                skill_id: "zzz-missing".into(),
                role_id: "pentester".into(),
                relation: RoleRelation::Core,
            });
            let err = store
                .replace_model(&Caller::system("test"), &bad, &mut no_progress())
                .await;
            assert!(err.is_err(), "{label}: a dangling link must be refused");
            let kept = store.load_model().await.expect("load").expect("model");
            assert!(
                kept == good,
                "{label}: the store must hold the previous model whole"
            );
            let log = store.audit_log(10).await.expect("audit");
            assert_eq!(
                log.iter()
                    .filter(|e| e.action == "competency_model.replace")
                    .count(),
                1,
                "{label}: {log:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn external_frameworks_round_trip_and_reimport_is_a_replace() {
    let dcwf = bundled::dcwf().expect("dcwf");
    let ecsf = bundled::ecsf().expect("ecsf");
    each_backend(|store, label| {
        let (dcwf, ecsf) = (dcwf.clone(), ecsf.clone());
        async move {
            let op = Caller::system("test");
            store
                .replace_external(&op, &dcwf, &mut no_progress())
                .await
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            store
                .replace_external(&op, &ecsf, &mut no_progress())
                .await
                .expect("ecsf");
            store
                .replace_external(&op, &ecsf, &mut no_progress())
                .await
                .expect("ecsf again");
            let back = store.load_external().await.expect("load");
            assert_eq!(back.len(), 2, "{label}");
            assert!(back[0] == dcwf, "{label}: dcwf differs");
            assert!(back[1] == ecsf, "{label}: ecsf differs");
        }
    })
    .await;
}

#[tokio::test]
async fn the_audit_log_names_who_acted() {
    each_backend(|store, label| async move {
        let user = Caller::user(7, 1, cb_core::UserRole::Operator);
        store
            .audit(&user, "test.action", "详情 detail")
            .await
            .expect("audit");
        store
            .audit(&Caller::Anonymous, "test.other", "")
            .await
            .expect("audit");
        let log = store.audit_log(5).await.expect("log");
        assert_eq!(log.len(), 2, "{label}");
        assert_eq!(
            (log[0].actor.as_str(), log[0].action.as_str()),
            ("anonymous", "test.other")
        );
        assert_eq!(
            (log[1].actor.as_str(), log[1].detail.as_str()),
            ("user:7", "详情 detail")
        );
        // instants are Unix seconds, from the store's clock
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs() as i64;
        assert!(
            (now - 60..=now).contains(&log[1].at),
            "{label}: {} is not a moment ago ({now})",
            log[1].at
        );
    })
    .await;
}

#[tokio::test]
async fn urls_pick_the_backend_and_bad_ones_are_refused() {
    assert_eq!(Backend::of_url("sqlite://x.db"), Some(Backend::Sqlite));
    assert_eq!(
        Backend::of_url("postgresql://h/db"),
        Some(Backend::Postgres)
    );
    let err = Store::connect("mysql://h/db")
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("expected sqlite://"), "{err}");
    let s = Store::connect("sqlite::memory:").await.expect("memory db");
    assert_eq!(s.backend(), Backend::Sqlite);
}

/// A posting's status change is guarded: a save made from a copy read
/// before someone else's change is refused (`Stale`), not written over it.
#[tokio::test]
async fn a_job_saved_from_a_stale_copy_is_refused() {
    use cb_core::OrgKind;
    use cb_postings::publish::{JobKind, JobStatus};
    each_backend(|store, label| async move {
        let sys = Caller::system("test");
        let org = store
            .org_create(&sys, OrgKind::Enterprise, "甲科技", "北京", None)
            .await
            .expect("org");
        let hr = store
            .user_create(
                &sys,
                &cb_store::accounts::NewUser {
                    org_id: org,
                    role: cb_core::UserRole::EnterpriseHr,
                    username: "hr".into(),
                    display_name: "HR".into(),
                    password_hash: "not a hash".into(),
                    person_id: None,
                    must_change: false,
                },
                100,
            )
            .await
            .expect("user");
        let mut job = cb_store::accounts::Job {
            id: 0,
            org_id: org,
            kind: JobKind::Job,
            status: JobStatus::Draft,
            title: "渗透测试工程师".into(),
            description: String::new(),
            location: "北京".into(),
            salary: String::new(),
            education: String::new(),
            experience: String::new(),
            openings: 1,
            platform_role: None,
            nice_role: None,
            skills: vec![],
            certifications: vec![],
            review_note: String::new(),
            created_by: hr,
            created_at: 100,
            updated_at: 100,
            submitted_at: None,
            reviewed_by: None,
            published_at: None,
            closed_at: None,
            posting_id: None,
        };
        job.id = store.job_create(&sys, &job).await.expect("create");
        let read_by_hr = job.clone();
        let read_by_moderator = job.clone();
        // HR submits
        let mut submitted = read_by_hr.clone();
        submitted.status = JobStatus::Submitted;
        submitted.updated_at = 200;
        store
            .job_save(&sys, &submitted, &read_by_hr, "job.submit")
            .await
            .expect("submit");
        // a save from the copy read before the submission is refused whole
        let mut edited = read_by_moderator.clone();
        edited.title = "改过的标题".into();
        edited.updated_at = 201;
        let r = store
            .job_save(&sys, &edited, &read_by_moderator, "job.edit")
            .await;
        assert!(
            matches!(r, Err(cb_store::StoreError::Stale)),
            "{label}: {r:?}"
        );
        let now = store.job(job.id).await.expect("job").expect("there");
        assert_eq!(
            (now.status, now.title.as_str()),
            (JobStatus::Submitted, "渗透测试工程师"),
            "{label}"
        );
    })
    .await;
}

fn queued<'a>(name: &'a str, content: &'a [u8]) -> cb_store::tasks::NewTask<'a> {
    cb_store::tasks::NewTask {
        kind: "postings",
        spec: "{}",
        file_name: name,
        file_size: content.len() as i64,
        org_id: Some(7),
        user_id: None,
        queued_by: "system:test",
        content: Some(content),
        run_by: None,
    }
}

#[tokio::test]
async fn queued_tasks_are_claimed_once_each_and_taken_over_when_their_worker_stops() {
    use cb_store::tasks::Claim;
    each_backend(|store, label| async move {
        let claim = |worker: &'static str, now: i64| Claim {
            worker,
            now,
            stale_before: now - 60,
        };
        assert!(
            store
                .task_claim(claim("a", 1000))
                .await
                .expect("claim")
                .is_none(),
            "{label}: an empty queue"
        );
        let first = store
            .task_queue(&queued("one.csv", b"id,title\n"), 1000)
            .await
            .expect("queue");
        let second = store
            .task_queue(&queued("two.csv", b"id\n"), 1001)
            .await
            .expect("queue");
        assert!(second > first, "{label}: ids from the database, in order");

        // many workers claiming at once take each task exactly once
        let mut claims = tokio::task::JoinSet::new();
        for w in ["w1", "w2", "w3", "w4", "w5", "w6"] {
            let s = store.clone();
            claims.spawn(async move { s.task_claim(claim(w, 1002)).await.expect("claim") });
        }
        let mut got = Vec::new();
        while let Some(c) = claims.join_next().await {
            if let Some(t) = c.expect("join") {
                assert_eq!(t.state, "running", "{label}");
                assert_eq!(t.attempts, 1, "{label}");
                got.push((t.id, t.worker.clone().expect("worker")));
            }
        }
        got.sort();
        assert_eq!(
            got.iter().map(|g| g.0).collect::<Vec<_>>(),
            vec![first, second],
            "{label}: {got:?}"
        );
        let (one_worker, two_worker) = (got[0].1.clone(), got[1].1.clone());
        assert_eq!(
            store.task_file(first).await.expect("file").as_deref(),
            Some(&b"id,title\n"[..]),
            "{label}: the file waits with its task"
        );

        // the first task's worker says it is alive; the second's goes silent
        assert!(
            store
                .task_beat(first, &one_worker, (5, 9), 1050)
                .await
                .expect("beat"),
            "{label}"
        );
        let late = store
            .task_claim(claim("w7", 1070))
            .await
            .expect("claim")
            .expect("the silent worker's task");
        assert_eq!(
            (late.id, late.attempts),
            (second, 2),
            "{label}: taken over, counted"
        );
        assert!(
            !store
                .task_beat(second, &two_worker, (1, 3), 1071)
                .await
                .expect("beat"),
            "{label}: the worker that went silent learns it lost the task"
        );
        assert!(
            !store
                .task_finish(second, &two_worker, Ok("{}"), 1072)
                .await
                .expect("finish"),
            "{label}: and cannot finish it"
        );

        // finishing records the outcome and drops the file
        assert!(
            store
                .task_finish(first, &one_worker, Ok("{\"n\":1}"), 1080)
                .await
                .expect("finish"),
            "{label}"
        );
        let done = store.task(first).await.expect("task").expect("first");
        assert_eq!(done.state, "done", "{label}");
        assert_eq!(
            (done.done_units, done.total_units),
            (9, 9),
            "{label}: done is all of it"
        );
        assert_eq!(done.result.as_deref(), Some("{\"n\":1}"), "{label}");
        assert_eq!(done.finished_at, Some(1080), "{label}");
        assert!(
            store.task_file(first).await.expect("file").is_none(),
            "{label}: the file is gone"
        );

        // a task given back is queued again without counting the claim
        assert!(
            store.task_release(second, "w7").await.expect("release"),
            "{label}"
        );
        let again = store
            .task_claim(claim("w8", 1090))
            .await
            .expect("claim")
            .expect("released");
        assert_eq!((again.id, again.attempts), (second, 2), "{label}");
        assert!(
            store
                .task_finish(second, "w8", Err(("invalid", "line 2: no title")), 1095)
                .await
                .expect("finish"),
            "{label}"
        );
        let failed = store.task(second).await.expect("task").expect("second");
        assert_eq!(
            (
                failed.state.as_str(),
                failed.error_code.as_deref(),
                failed.error.as_deref()
            ),
            ("failed", Some("invalid"), Some("line 2: no title")),
            "{label}"
        );

        // one organisation's tasks, or every one's, newest first
        let cli = store
            .task_queue(
                &cb_store::tasks::NewTask {
                    org_id: None,
                    content: None,
                    run_by: Some("cli"),
                    ..queued("local.csv", b"")
                },
                1100,
            )
            .await
            .expect("queue");
        let all: Vec<i64> = store
            .tasks(None, 10)
            .await
            .expect("all")
            .iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(all, vec![cli, second, first], "{label}");
        let of_org: Vec<i64> = store
            .tasks(Some(7), 10)
            .await
            .expect("org")
            .iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(of_org, vec![second, first], "{label}");
        let running = store.task(cli).await.expect("task").expect("cli");
        assert_eq!(
            (running.state.as_str(), running.attempts),
            ("running", 1),
            "{label}: a CLI task is its own worker's at once"
        );
        assert!(
            store
                .task_claim(claim("w9", 1101))
                .await
                .expect("claim")
                .is_none(),
            "{label}: nothing else waits"
        );
    })
    .await;
}

/// A database written by the release before migration 0019 (instants as ISO
/// text, lists as space-joined text) reads back whole after it: instants as
/// Unix seconds, lists as arrays.
#[tokio::test]
async fn an_earlier_database_is_upgraded_to_unix_times_and_arrays() {
    for db in TestDb::all().await {
        let label = db.label;
        let store = Store::connect(&db.url).await.expect("connect");
        cb_store::testing::migrate_to(&store, 18)
            .await
            .expect("migrate to 0018");
        cb_store::testing::execute(
            &store,
            "INSERT INTO imports (id, file_name, file_hash, shape, source, rows_read, postings_new, \
             duplicates, rejected, actor, at, state, heartbeat, first_posting, last_posting) \
             VALUES (1, 'old.csv', 'h1', 'lagou', 'lagou', 1, 1, 0, 0, 'system:test', \
             '2024-05-01T10:00:00.123Z', 'done', 0, 1, 1);
             INSERT INTO postings (id, source, source_id, import_id, line, title, description, employer, \
             employer_norm, title_norm, simhash, location_raw, salary_raw, negotiable, graduate, openings, \
             url, tags, is_cyber, nice_role, nice_conf, nice_roles, skills, certifications) \
             VALUES (1, 'lagou', 'x1', 1, 1, '渗透测试工程师', '', 'A', 'a', 't', 7, '北京', '', 0, 0, 1, \
             '', '', 1, 'PD-WRL-007', 0.62, 'PD-WRL-007:0.62 DD-WRL-005:0.2', 'linux sql-injection?', '');
             INSERT INTO posting_sources (posting_id, source, source_id, import_id, line) \
             VALUES (1, 'lagou', 'x1', 1, 1);
             INSERT INTO audit_log (actor, action, detail, at) \
             VALUES ('system:test', 'postings.import', 'old.csv', '2024-05-01T10:00:01.000Z');
             INSERT INTO talent_imports (id, file_name, file_hash, kind, rows_read, rejected, actor, at) \
             VALUES (1, 'people.csv', 'h2', 'people', 3, 0, 'system:test', '2024-05-02T00:00:00.000Z');
             INSERT INTO orgs (id, kind, name, region) VALUES (1, 'enterprise', 'A', '北京');
             INSERT INTO users (id, org_id, role, username, display_name, password_hash, must_change, \
             disabled, created_at) VALUES (1, 1, 'hr', 'hr', 'HR', 'x', 0, 0, 0);
             INSERT INTO jobs (id, org_id, kind, status, title, description, location, salary, education, \
             experience, openings, skills, certifications, review_note, created_by, created_at, updated_at) \
             VALUES (1, 1, 'job', 'draft', 'T', '', '', '', '', '', 1, 'linux burp-suite?', 'cisp-pte', '', 1, 0, 0);
             INSERT INTO talent_schools (id, name, region) VALUES (1, 'S', '北京');
             INSERT INTO talent_programs (id, school_id, name, w_school, w_enterprise, w_practice, \
             w_credential, half_life_days, required_level, ready, near_ready) \
             VALUES (1, 1, 'P', 1, 1, 1, 1, 365, 3, 0.8, 0.6);
             INSERT INTO talent_people (id, school_id, program_id, name, student_number, graduation_year, \
             region, consent_enterprise, consent_analytics, synthetic) VALUES (1, 1, 1, 'N', '1', 2026, '北京', 1, 1, 0);
             INSERT INTO talent_evidence (id, person_id, kind, detail, source_org, date, recorded_by, observations) \
             VALUES (1, 1, 'enterprise_evaluation', '{\"kind\":\"enterprise_evaluation\",\"comment\":\"\"}', 'A', \
             '2024-05-01', 'user:1', 'linux:3.5 sql-injection:2');",
        )
        .await
        .unwrap_or_else(|e| panic!("{label}: old rows: {e}"));
        store
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("{label}: migrate: {e}"));
        let imports = store.imports().await.expect("imports");
        assert_eq!(
            imports[0].at, 1_714_557_600,
            "{label}: 2024-05-01T10:00:00Z"
        );
        let log = store.audit_log(5).await.expect("audit");
        assert_eq!(log[0].at, 1_714_557_601, "{label}");
        let talent = store
            .talent_import_by_hash("h2")
            .await
            .expect("talent import")
            .expect("present");
        assert_eq!(talent.at, 1_714_608_000, "{label}");
        let page = store.postings_page(0, 10).await.expect("postings");
        assert_eq!(page[0].skills, ["linux", "sql-injection?"], "{label}");
        assert!(page[0].certifications.is_empty(), "{label}");
        assert_eq!(page[0].sources, ["lagou:x1"], "{label}");
        let job = store.job(1).await.expect("job").expect("present");
        assert_eq!(
            (job.skills.as_slice(), job.certifications.as_slice()),
            (
                &["linux".to_string(), "burp-suite?".to_string()][..],
                &["cisp-pte".to_string()][..]
            ),
            "{label}"
        );
        let evidence = store.talent_evidence_of(1).await.expect("evidence");
        let obs: Vec<(&str, f64)> = evidence[0]
            .observations
            .iter()
            .map(|o| (o.skill_id.as_str(), o.level))
            .collect();
        assert_eq!(obs, [("linux", 3.5), ("sql-injection", 2.0)], "{label}");
        // NICE roles as [id, confidence] pairs
        let (_, demand) = store
            .postings_for_insight(0, 10)
            .await
            .expect("demand")
            .remove(0);
        assert_eq!(demand.skills, ["linux", "sql-injection?"], "{label}");
        store.close().await;
        db.finish().await;
    }
}

/// A stored value that is not what its column means is an error, not a
/// default.
#[tokio::test]
async fn a_value_out_of_its_range_is_an_error_not_a_default() {
    each_backend(|store, label| async move {
        let caller = Caller::system("test");
        let w = cb_store::talent::TalentWrite {
            add: cb_talent::pool::Additions {
                schools: vec![cb_talent::pool::School {
                    id: -1,
                    name: "S".into(),
                    region: "北京".into(),
                }],
                ..Default::default()
            },
            ..Default::default()
        };
        store.write_talent(&caller, &w).await.expect("school");
        cb_store::testing::execute(
            &store,
            "INSERT INTO talent_programs (school_id, name, w_school, w_enterprise, w_practice, \
             w_credential, half_life_days, required_level, ready, near_ready) \
             SELECT id, 'P', 1, 1, 1, 1, 365, 3, 0.8, 0.6 FROM talent_schools;
             INSERT INTO talent_people (school_id, program_id, name, student_number, graduation_year, \
             region, consent_enterprise, consent_analytics, synthetic) \
             SELECT school_id, id, 'N', '1', 2026, '北京', 2, 1, 0 FROM talent_programs;",
        )
        .await
        .expect("rows");
        let people = store.talent_people(0, 10).await;
        assert!(
            matches!(&people, Err(cb_store::StoreError::Corrupt { detail, .. }) if detail.contains("consent_enterprise")),
            "{label}: a consent of 2 is read as {people:?}"
        );
    })
    .await;
}

/// A reference row whose value its model does not know, or whose type is
/// not its column's, makes the model unreadable: an error, not a default.
#[tokio::test]
async fn a_reference_row_out_of_its_range_is_an_error_not_a_default() {
    let m = model();
    each_backend(|store, label| {
        let m = m.clone();
        async move {
            let caller = Caller::system("test");
            store
                .replace_model(&caller, &m, &mut no_progress())
                .await
                .expect("replace");
            cb_store::testing::execute(
                &store,
                "UPDATE skills SET kind = 'rumour' WHERE id = (SELECT MIN(id) FROM skills)",
            )
            .await
            .expect("update");
            let back = store.load_model().await;
            assert!(
                matches!(&back, Err(cb_store::StoreError::Corrupt { table, detail })
                    if table == "skills" && detail.contains("rumour")),
                "{label}: an unknown skill kind is read as {:?}",
                back.map(|m| m.map(|m| m.skills.len()))
            );
            store
                .replace_model(&caller, &m, &mut no_progress())
                .await
                .expect("replace again");
            if store.backend() == Backend::Sqlite {
                // SQLite keeps any value in any column: text where a number belongs
                cb_store::testing::execute(
                    &store,
                    "UPDATE nice_work_roles SET sort = 'first' WHERE id = (SELECT MIN(id) FROM nice_work_roles)",
                )
                .await
                .expect("update");
                let back = store.load_model().await;
                assert!(
                    matches!(&back, Err(cb_store::StoreError::Database(_))),
                    "{label}: a sort of 'first' is read as {:?}",
                    back.map(|m| m.map(|m| m.work_roles.len()))
                );
            }
        }
    })
    .await;
}

/// Each level reads back to the same `f64`, bit for bit (profiles computed
/// from stored evidence equal those computed before it was stored).
#[tokio::test]
async fn observation_levels_read_back_bit_for_bit() {
    use cb_talent::pool::{Additions, Person, Program, School};
    use cb_talent::{Evidence, EvidenceKind, Observation};
    let levels = [0.1 + 0.2, 2.0 / 3.0, 4.999_999_999_999_999, 1e-7, 3.0];
    each_backend(|store, label| async move {
        let w = cb_store::talent::TalentWrite {
            add: Additions {
                schools: vec![School {
                    id: -1,
                    name: "S".into(),
                    region: "北京".into(),
                }],
                programs: vec![Program {
                    id: -2,
                    school_id: -1,
                    name: "P".into(),
                    weights: Default::default(),
                }],
                people: vec![Person {
                    id: -3,
                    school_id: -1,
                    program_id: -2,
                    cohort_id: None,
                    name: "N".into(),
                    student_number: "1".into(),
                    graduation_year: 2026,
                    region: "北京".into(),
                    consent_enterprise: false,
                    consent_analytics: true,
                    synthetic: false,
                }],
                evidence: vec![Evidence {
                    id: 0,
                    person_id: (-3i64) as u64,
                    kind: EvidenceKind::EnterpriseEvaluation {
                        comment: String::new(),
                    },
                    source_org: "A".into(),
                    date: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).expect("date"),
                    recorded_by: "user:1".into(),
                    observations: levels
                        .iter()
                        .enumerate()
                        .map(|(i, l)| Observation {
                            skill_id: format!("skill-{i}"),
                            level: *l,
                        })
                        .collect(),
                }],
                ..Default::default()
            },
            ..Default::default()
        };
        store
            .write_talent(&Caller::system("test"), &w)
            .await
            .expect("write");
        let person = store.talent_people(0, 1).await.expect("people")[0].id;
        let back = store.talent_evidence_of(person).await.expect("evidence");
        let bits: Vec<u64> = back[0]
            .observations
            .iter()
            .map(|o| o.level.to_bits())
            .collect();
        let want: Vec<u64> = levels.iter().map(|l| l.to_bits()).collect();
        assert_eq!(bits, want, "{label}");
    })
    .await;
}
