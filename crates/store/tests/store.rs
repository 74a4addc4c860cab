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
        assert!(
            log[1].at.ends_with('Z') && log[1].at.len() >= 20,
            "{label}: {}",
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
