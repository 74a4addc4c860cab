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
        assert_eq!(op.people, Shown::Exact(300), "{}", db.label);
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
        // anonymous callers see "<5" where fewer than five people are
        // counted, and every other count rounded to the nearest five
        let anon = t
            .supply(&Caller::Anonymous, &SupplyFilter::default(), today)
            .await
            .expect("supply");
        assert_eq!(anon.people, Shown::Rounded(300));
        for (a, o) in anon.roles.iter().zip(&op.roles) {
            let Shown::Exact(n) = o.ready else {
                panic!("operators see exact counts")
            };
            let expected = match n {
                0 => Shown::Exact(0),
                1..5 => Shown::Suppressed,
                _ => Shown::Rounded((n + 2) / 5 * 5),
            };
            assert_eq!(a.ready, expected, "{}: {n}", a.role_id);
        }
        let json = serde_json::to_string(&anon).expect("json");
        assert!(!json.contains("\"ready\":1,") && !json.contains("\"ready\":2,"));
        app.store().close().await;
        db.finish().await;
    }
}

/// The attacks of issue 12, tried as an analyst and as an anonymous caller:
/// a total minus its other cells (per graduation year, per region), and a
/// share times its population. Neither may come to a count of 1–4 people.
#[tokio::test]
async fn no_difference_or_share_of_shown_figures_gives_away_one_to_four_people() {
    use cb_app::{Shown, SupplyFilter, Thresholds};
    use cb_insight::Filter;
    use std::collections::BTreeMap;
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    let db = TestDb::sqlite();
    let app = App::open(&db.url).await.expect("open");
    let t = app.talent();
    let op = Caller::system("test");
    t.load_synthetic(&op, 1_000, 22, 12).await.expect("load");
    let analyst = Caller::user(7, 1, UserRole::Analyst);
    // the largest regions and programs, where totals are shown
    let programs: BTreeMap<i64, String> = app
        .store()
        .talent_programs()
        .await
        .expect("programs")
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let people = app.store().talent_people(0, 2_000).await.expect("people");
    let mut regions: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_program: BTreeMap<String, usize> = BTreeMap::new();
    let mut years: Vec<i32> = Vec::new();
    for p in &people {
        *regions.entry(p.region.clone()).or_default() += 1;
        *by_program
            .entry(programs[&p.program_id].clone())
            .or_default() += 1;
        years.push(p.graduation_year as i32);
    }
    years.sort_unstable();
    years.dedup();
    let largest = |m: &BTreeMap<String, usize>| {
        let mut v: Vec<(&String, &usize)> = m.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        v.into_iter()
            .take(3)
            .map(|(k, _)| Some(k.clone()))
            .collect::<Vec<_>>()
    };
    let all_regions: Vec<Option<String>> = regions.keys().cloned().map(Some).collect();
    let supply =
        |caller: Caller, region: Option<String>, program: Option<String>, year: Option<i32>| {
            let t = app.talent();
            async move {
                let f = SupplyFilter {
                    region,
                    program,
                    graduation_year: year,
                };
                t.supply(&caller, &f, today).await.expect("supply").roles
            }
        };
    // (what the attacker derives, the true count it stands for)
    let mut tried = 0;
    let mut small_truths = 0;
    let mut attack = |total: &[cb_app::RoleSupply],
                      parts: &[Vec<cb_app::RoleSupply>],
                      total_op: &[cb_app::RoleSupply],
                      parts_op: &[Vec<cb_app::RoleSupply>],
                      what: &str| {
        for (i, role) in total.iter().enumerate() {
            for (pick, name) in [
                (
                    &(|r: &cb_app::RoleSupply| r.ready) as &dyn Fn(&cb_app::RoleSupply) -> Shown,
                    "ready",
                ),
                (&|r: &cb_app::RoleSupply| r.near_ready, "near-ready"),
            ] {
                let Some(whole) = pick(role).value() else {
                    continue;
                };
                let shown: u64 = parts.iter().filter_map(|p| pick(&p[i]).value()).sum();
                let exact = |r: &cb_app::RoleSupply| pick(r).value().expect("exact");
                let hidden_truth: u64 = exact(&total_op[i])
                    - parts
                        .iter()
                        .zip(parts_op)
                        .filter(|(p, _)| pick(&p[i]).value().is_some())
                        .map(|(_, o)| exact(&o[i]))
                        .sum::<u64>();
                tried += 1;
                if (1..5).contains(&hidden_truth) {
                    small_truths += 1;
                }
                let derived = whole as i64 - shown as i64;
                assert!(
                    !(1..5).contains(&derived),
                    "{what}, {}, {name}: {whole} minus the shown cells gives {derived} (truly {hidden_truth})",
                    role.role_id
                );
            }
        }
    };
    for caller in [analyst.clone(), Caller::Anonymous] {
        for region in std::iter::once(None).chain(largest(&regions)) {
            for program in std::iter::once(None).chain(largest(&by_program)) {
                // total minus the other graduation years
                let total = supply(caller.clone(), region.clone(), program.clone(), None).await;
                let total_op = supply(op.clone(), region.clone(), program.clone(), None).await;
                let mut parts = Vec::new();
                let mut parts_op = Vec::new();
                for y in &years {
                    parts.push(
                        supply(caller.clone(), region.clone(), program.clone(), Some(*y)).await,
                    );
                    parts_op
                        .push(supply(op.clone(), region.clone(), program.clone(), Some(*y)).await);
                }
                attack(&total, &parts, &total_op, &parts_op, "per graduation year");
            }
        }
        // a program's total minus its other regions
        for program in largest(&by_program) {
            let total = supply(caller.clone(), None, program.clone(), None).await;
            let total_op = supply(op.clone(), None, program.clone(), None).await;
            let mut parts = Vec::new();
            let mut parts_op = Vec::new();
            for region in &all_regions {
                parts.push(supply(caller.clone(), region.clone(), program.clone(), None).await);
                parts_op.push(supply(op.clone(), region.clone(), program.clone(), None).await);
            }
            attack(&total, &parts, &total_op, &parts_op, "per region");
        }
    }
    assert!(tried > 1_000, "{tried} derivations tried");
    assert!(
        small_truths >= 10,
        "the data hides counts of 1–4 behind the shown cells ({small_truths} of {tried}), so the attack could succeed"
    );

    // a share times the population: for every region, program and role, no
    // shown share stands for 1–4 people who have the skill or who lack it
    let (mut shares_tried, mut shares_hidden) = (0, 0);
    for region in all_regions.iter().take(8) {
        for program in largest(&by_program) {
            for role in ["soc-analyst", "pentester", "appsec-engineer"] {
                let f = Filter {
                    province: region.clone(),
                    platform_role: Some(role.to_string()),
                    ..Filter::default()
                };
                let ind = |c: Caller| {
                    let (f, program) = (f.clone(), program.clone());
                    let insight = app.insight();
                    async move {
                        insight
                            .indicators_for(
                                &c,
                                &f,
                                &Thresholds::default(),
                                program.as_deref(),
                                today,
                            )
                            .await
                            .expect("indicators")
                    }
                };
                let exact = ind(op.clone()).await;
                let Shown::Exact(n) = exact.people else {
                    panic!("operators see exact counts")
                };
                for caller in [analyst.clone(), Caller::Anonymous] {
                    let seen = ind(caller).await;
                    let pairs = seen
                        .role_skills
                        .iter()
                        .zip(&exact.role_skills)
                        .chain(seen.demanded.iter().zip(&exact.demanded))
                        .chain(seen.gaps.iter().zip(&exact.gaps));
                    for (s, o) in pairs {
                        assert_eq!(s.skill_id, o.skill_id, "the same rows, in the same order");
                        let truth = (o.supply_share.unwrap_or(0.0) * n as f64).round() as u64;
                        let small = (1..5).contains(&truth) || (1..5).contains(&(n - truth));
                        shares_tried += 1;
                        match s.supply_share {
                            Some(_) => assert!(
                                !small,
                                "{region:?} {program:?} {role} {}: a shown share stands for {truth} of {n} people",
                                s.skill_id
                            ),
                            None => shares_hidden += usize::from(small),
                        }
                    }
                }
            }
        }
    }
    assert!(
        shares_hidden > 0,
        "some shares would have given away 1–4 people ({shares_tried} tried)"
    );
    db.finish().await;
}

/// When the day turns, the first visitor does not wait for the new day's
/// figures: the previous day's are answered at once while the new day's are
/// built in the background, and they replace them when done.
#[tokio::test]
async fn a_new_day_is_answered_from_the_previous_figures_while_its_own_are_built() {
    use cb_app::SupplyFilter;
    // figures as of a day before most of the evidence, then as of a day after it
    let day = NaiveDate::from_ymd_opt(2022, 1, 1).expect("date");
    let later = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.expect("open");
        let t = app.talent();
        let op = Caller::system("test");
        t.load_synthetic(&op, 300, 30, 11).await.expect("load");
        let first = t
            .supply(&op, &SupplyFilter::default(), day)
            .await
            .expect("supply");
        assert_eq!(t.supply_day().await, Some(day), "{}", db.label);
        let turned = t
            .supply(&op, &SupplyFilter::default(), later)
            .await
            .expect("supply");
        assert_eq!(
            turned.roles, first.roles,
            "{}: the previous day's figures, at once",
            db.label
        );
        let started = std::time::Instant::now();
        while t.supply_day().await != Some(later) {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(60),
                "{}: the new day's figures never arrived",
                db.label
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let built = t
            .supply(&op, &SupplyFilter::default(), later)
            .await
            .expect("supply");
        assert_ne!(
            built.roles, first.roles,
            "{}: the later day counts the evidence since",
            db.label
        );
        // an earlier day asked for is built at once, not served from a later one
        let back = t
            .supply(&op, &SupplyFilter::default(), day)
            .await
            .expect("supply");
        assert_eq!(back.roles, first.roles, "{}", db.label);
        db.finish().await;
    }
}
