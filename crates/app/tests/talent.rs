//! The talent pool on every backend: synthetic data round-trips through the
//! store, profiles use the program's weights, personal data is guarded.

use cb_app::{App, AppError};
use cb_competency::bundled;
use cb_core::{Caller, UserRole};
use cb_store::testing::TestDb;
use cb_talent::ProfileEngine;
use cb_talent::synthetic::Synthetic;
use chrono::NaiveDate;

#[tokio::test]
async fn synthetic_talent_round_trips_and_profiles_are_explained() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.expect("open");
        let t = app.talent();
        assert!(
            t.load_synthetic(&Caller::system("test"), 200, 20, 7)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", db.label))
        );
        assert!(
            !t.load_synthetic(&Caller::system("test"), 200, 20, 7)
                .await
                .expect("second"),
            "loads once"
        );
        let s = t.summary(&Caller::Anonymous).await.expect("summary");
        assert_eq!(
            (s.schools, s.programs, s.people, s.evidence),
            (6, 24, 200, 4000),
            "{}",
            db.label
        );

        let p = t
            .profile(&Caller::system("test"), 5, today)
            .await
            .expect("profile");
        assert!(p.person.synthetic && p.person.name.chars().count() >= 2);
        // the same evidence, regenerated, gives the same profile computed directly
        let mut synth = Synthetic::new(7);
        let mut evidence = Vec::new();
        for id in 1..=5 {
            let st = synth.student(id);
            evidence = synth.evidence(&st, 20);
        }
        let weights = p
            .program
            .as_ref()
            .map(|x| x.weights.clone())
            .unwrap_or_default();
        let direct = ProfileEngine::new(&bundled::model().expect("model"), weights)
            .compute(5, &evidence, today);
        assert!(
            direct == p.profile,
            "{}: stored evidence must give the same profile",
            db.label
        );
        assert!(
            !p.profile.skills.is_empty()
                && p.profile
                    .skills
                    .iter()
                    .all(|s| (1.0..=5.0).contains(&s.level) && !s.evidence.is_empty())
        );
        assert!(p.profile.readiness.iter().any(|r| r.role_id == "pentester"));
        assert!(p.next_to_learn.len() <= 10);
        let log = app.store().audit_log(1).await.expect("audit");
        assert_eq!(
            (log[0].action.as_str(), log[0].detail.as_str()),
            ("profile.read", "person 5")
        );

        let people = t
            .people(&Caller::system("test"), 0, 3)
            .await
            .expect("people");
        assert_eq!(
            people.iter().map(|p| p.id).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        app.store().close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn personal_data_is_not_for_everyone() {
    let db = TestDb::sqlite();
    let app = App::open(&db.url).await.expect("open");
    let t = app.talent();
    assert!(
        t.load_synthetic(&Caller::system("test"), 5, 5, 1)
            .await
            .expect("load")
    );
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    assert!(matches!(
        t.profile(&Caller::Anonymous, 1, today).await,
        Err(AppError::Access(_))
    ));
    let enterprise = Caller::user(9, 4, UserRole::EnterpriseHr);
    assert!(matches!(
        t.profile(&enterprise, 1, today).await,
        Err(AppError::Access(_))
    ));
    assert!(matches!(
        t.people(&Caller::Anonymous, 0, 10).await,
        Err(AppError::Access(_))
    ));
    assert!(matches!(
        t.load_synthetic(&Caller::Anonymous, 5, 5, 1).await,
        Err(AppError::Access(_))
    ));
    assert!(matches!(
        t.profile(&Caller::system("test"), 999, today).await,
        Err(AppError::NotFound { .. })
    ));
}

#[tokio::test]
async fn supply_figures_match_the_profiles_suppress_small_cells_and_follow_new_evidence() {
    use cb_app::{Shown, SupplyFilter};
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.expect("open");
        let t = app.talent();
        t.load_synthetic(&Caller::system("test"), 300, 30, 11)
            .await
            .expect("load");
        let op = t
            .supply(&Caller::system("test"), &SupplyFilter::default(), today)
            .await
            .expect("supply");
        assert_eq!(op.people, 300, "{}", db.label);
        // the same figures computed directly from the profiles
        let mut near = 0u64;
        let mut ready = 0u64;
        for id in 1..=300 {
            let p = t
                .profile(&Caller::system("test"), id, today)
                .await
                .expect("profile");
            match p.profile.readiness_for("secops-engineer").map(|r| r.status) {
                Some(cb_talent::profile::Status::Ready) => ready += 1,
                Some(cb_talent::profile::Status::NearReady) => near += 1,
                _ => {}
            }
        }
        let secops = op
            .roles
            .iter()
            .find(|r| r.role_id == "secops-engineer")
            .expect("role");
        assert_eq!(
            (secops.ready, secops.near_ready),
            (Shown::Exact(ready), Shown::Exact(near)),
            "{}",
            db.label
        );
        // anonymous callers see "<5" where fewer than five people are counted
        let anon = t
            .supply(&Caller::Anonymous, &SupplyFilter::default(), today)
            .await
            .expect("supply");
        for (a, o) in anon.roles.iter().zip(&op.roles) {
            if let Shown::Exact(n) = o.ready {
                assert_eq!(
                    a.ready,
                    if (1..5).contains(&n) {
                        Shown::Suppressed
                    } else {
                        Shown::Exact(n)
                    }
                );
            }
        }
        let json = serde_json::to_string(&anon).expect("json");
        assert!(!json.contains("\"ready\":1,") && !json.contains("\"ready\":2,"));
        app.store().close().await;
        db.finish().await;
    }
}
