//! Talent imports on every backend: roster, course mappings, grades and
//! enterprise evaluations, whole or nothing, with hand-computed profiles.

use cb_app::{App, AppError, ImportFile};
use cb_core::Caller;
use cb_store::testing::TestDb;
use cb_talent::import::Kind;
use chrono::NaiveDate;

fn file(name: &str, content: &str) -> ImportFile {
    let bytes = content.as_bytes().to_vec();
    ImportFile {
        name: name.into(),
        hash: cb_tabular::sha256_hex(&bytes[..]).expect("hash"),
        size: bytes.len() as u64,
        reader: Box::new(std::io::Cursor::new(bytes)),
    }
}

const ROSTER: &str = "学校,专业,年级,学号,姓名,毕业年份,企业可见\n示范学院,网络空间安全,2022级,2022001,王伟,2026,是\n示范学院,网络空间安全,2022级,2022002,李娜,2026,否\n";
const COURSES: &str = "学校,专业,课程,技能,目标等级\n示范学院,网络空间安全,Web安全,SQL注入,3\n示范学院,网络空间安全,Web安全,xss,3\n示范学院,网络空间安全,渗透测试技术,burp-suite,4\n";
const GRADES: &str = "学校,学号,姓名,课程,成绩,日期\n示范学院,2022001,王伟,Web安全,良,2025-01-10\n示范学院,2022001,王伟,渗透测试技术,95,2025-06-20\n示范学院,2022002,李娜,Web安全,不及格,2025-01-10\n";
const EVALS: &str = "学校,学号,企业,技能,等级,评语,日期\n示范学院,2022001,示例安全公司,SQL注入,4,能独立完成注入测试,2025-06-30\n示范学院,2022001,示例安全公司,Burp Suite,4,,2025-06-30\n";

fn op() -> Caller {
    Caller::system("test")
}

#[tokio::test]
async fn roster_courses_grades_evaluations_and_a_hand_computed_profile() {
    let today = NaiveDate::from_ymd_opt(2025, 6, 30).expect("date");
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.expect("open");
        let t = app.talent();
        let o = t
            .import(
                &op(),
                file("roster.csv", ROSTER),
                Kind::People,
                false,
                today,
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        assert_eq!((o.rows_read, o.people_added), (2, 2), "{}", db.label);
        let o = t
            .import(
                &op(),
                file("courses.csv", COURSES),
                Kind::Courses,
                false,
                today,
            )
            .await
            .expect("courses");
        assert_eq!((o.courses_added, o.mappings_added), (2, 3));
        let o = t
            .import(
                &op(),
                file("grades.csv", GRADES),
                Kind::Grades,
                false,
                today,
            )
            .await
            .expect("grades");
        assert_eq!(o.evidence_added, 3);
        // supply figures built now are kept current by the next import
        let share = |v: &cb_app::SupplyView, s: &str| {
            v.skills
                .iter()
                .find(|k| k.skill_id == s)
                .and_then(|k| k.share_proficient)
                .unwrap_or(0.0)
        };
        let before = t
            .supply(&op(), &cb_app::SupplyFilter::default(), today)
            .await
            .expect("supply");
        assert_eq!(
            (before.people, share(&before, "sql-injection")),
            (cb_app::Shown::Exact(2), 0.0),
            "2.55 is below level 3"
        );
        let o = t
            .import(
                &op(),
                file("evals.csv", EVALS),
                Kind::Evaluations,
                false,
                today,
            )
            .await
            .expect("evaluations");
        let after = t
            .supply(&op(), &cb_app::SupplyFilter::default(), today)
            .await
            .expect("supply");
        assert_eq!(
            share(&after, "sql-injection"),
            0.5,
            "王伟 is now at 3.334: one of two people"
        );
        assert_eq!(
            o.evidence_added, 1,
            "one rubric: two skills of one internship evaluation"
        );
        assert!(
            t.import(&op(), file("again.csv", GRADES), Kind::Grades, false, today)
                .await
                .expect("again")
                .already_imported
        );
        // 李娜 placed 3rd of 200 teams in Web at 强网杯: top 5 % → level 5 on the Web category's skills
        let comp = "学校,学号,赛事,类别,名次,参赛队数,日期\n示范学院,2022002,强网杯,Web,3,200,2025-06-01\n";
        assert_eq!(
            t.import(
                &op(),
                file("comp.csv", comp),
                Kind::Competitions,
                false,
                today
            )
            .await
            .expect("competitions")
            .evidence_added,
            1
        );

        let people = t.people(&op(), 0, 10).await.expect("people");
        let wang = people
            .iter()
            .find(|p| p.student_number == "2022001")
            .expect("王伟");
        assert!(wang.consent_enterprise && !wang.synthetic);
        let p = t.profile(&op(), wang.id, today).await.expect("profile");
        // SQL injection: school 3 × 0.85 = 2.55 on 2025-01-10 (171 days: recency 0.5^(171/730) = 0.85013,
        // weight 0.5 × 0.85013 = 0.42507), enterprise 4 today (weight 0.5):
        // level = (0.42507 × 2.55 + 0.5 × 4) / 0.92507 = 3.3337 → 3.334,
        // confidence = 1 − e^−0.92507 = 0.60349 → 0.603
        let sqli = p.profile.skill("sql-injection").expect("sqli");
        assert_eq!(
            (sqli.level, sqli.confidence),
            (3.334, 0.603),
            "{}",
            db.label
        );
        assert_eq!(sqli.evidence.len(), 2);
        // Burp Suite: course 95 → 4 × 1.0 = 4 (10 days old), enterprise 4 → 4.0
        assert_eq!(p.profile.skill("burp-suite").map(|s| s.level), Some(4.0));
        // 李娜 failed Web安全, so her only evidence of SQL injection is the competition: level 5,
        // weight 0.3 × 0.5^(29/730) = 0.29183 → confidence 1 − e^−0.29183 = 0.253
        let li = people
            .iter()
            .find(|p| p.student_number == "2022002")
            .expect("李娜");
        let lp = t
            .profile(&op(), li.id, today)
            .await
            .expect("profile")
            .profile;
        assert_eq!(
            lp.skill("sql-injection").map(|s| (s.level, s.confidence)),
            Some((5.0, 0.253))
        );
        assert!(lp.skill("burp-suite").is_none());
        app.store().close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn bad_rows_stop_the_import_or_are_rejected() {
    let today = NaiveDate::from_ymd_opt(2025, 6, 30).expect("date");
    let db = TestDb::sqlite();
    let app = App::open(&db.url).await.expect("open");
    let t = app.talent();
    t.import(
        &op(),
        file("roster.csv", ROSTER),
        Kind::People,
        false,
        today,
    )
    .await
    .expect("roster");
    t.import(
        &op(),
        file("courses.csv", COURSES),
        Kind::Courses,
        false,
        today,
    )
    .await
    .expect("courses");
    let bad = "学校,学号,姓名,课程,成绩\n示范学院,2022001,王伟,Web安全,88\n示范学院,2099999,张三,Web安全,90\n示范学院,2022002,王伟,Web安全,90\n示范学院,2022001,王伟,量子力学,90\n示范学院,2022001,王伟,Web安全,缺考\n";
    let e = t
        .import(&op(), file("bad.csv", bad), Kind::Grades, false, today)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.contains("bad.csv, line 3, column `学号`: `2099999` is not in the roster"),
        "{e}"
    );
    assert_eq!(
        t.summary(&Caller::Anonymous)
            .await
            .expect("summary")
            .evidence,
        0,
        "nothing written"
    );
    let o = t
        .import(&op(), file("bad.csv", bad), Kind::Grades, true, today)
        .await
        .expect("skip");
    assert_eq!((o.evidence_added, o.rejected.len()), (1, 4));
    let problems: Vec<String> = o
        .rejected
        .iter()
        .map(|r| format!("{}:{}", r.error.line, r.error.column))
        .collect();
    assert_eq!(problems, vec!["3:学号", "4:姓名", "5:课程", "6:成绩"]);
    // a roster row for a student already there
    let e = t
        .import(
            &op(),
            file("dup.csv", &ROSTER.replace("李娜", "李娜娜")),
            Kind::People,
            false,
            today,
        )
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.contains("line 2, column `学号`: `2022001` is already in the roster"),
        "{e}"
    );
    // a missing column
    let e = t
        .import(
            &op(),
            file("nocol.csv", "学校,学号,课程\nA,1,B\n"),
            Kind::Grades,
            false,
            today,
        )
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("no column for `grade`"), "{e}");
    // only operators
    let r = t
        .import(
            &Caller::Anonymous,
            file("x.csv", ROSTER),
            Kind::People,
            false,
            today,
        )
        .await;
    assert!(matches!(r, Err(AppError::Access(_))));
}

#[tokio::test]
async fn certificates_and_awards_become_evidence() {
    let today = NaiveDate::from_ymd_opt(2025, 6, 30).expect("date");
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.expect("open");
        let t = app.talent();
        t.import(
            &op(),
            file("roster.csv", ROSTER),
            Kind::People,
            false,
            today,
        )
        .await
        .expect("roster");
        t.import(
            &op(),
            file("courses.csv", COURSES),
            Kind::Courses,
            false,
            today,
        )
        .await
        .expect("courses");
        t.import(
            &op(),
            file("grades.csv", GRADES),
            Kind::Grades,
            false,
            today,
        )
        .await
        .expect("grades");
        // by alias, by Chinese name; a certificate not in the catalog stops the file
        let certs = "学校,学号,姓名,证书,取得日期\n示范学院,2022001,王伟,CISP-PTE,2025-06-30\n示范学院,2022002,李娜,软考 信息安全工程师,2025-06-30\n";
        let o = t
            .import(
                &op(),
                file("certs.csv", certs),
                Kind::Certificates,
                false,
                today,
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        assert_eq!(o.evidence_added, 2);
        let bad = "学校,学号,证书\n示范学院,2022001,驾驶证\n";
        let e = t
            .import(
                &op(),
                file("bad-certs.csv", bad),
                Kind::Certificates,
                false,
                today,
            )
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains(
                "bad-certs.csv, line 2, column `证书`: `驾驶证` is not a certificate of the catalog"
            ),
            "{e}"
        );
        let awards = "学校,学号,奖项,颁发单位,相关技能,等级,获奖日期\n示范学院,2022002,全国大学生信息安全竞赛一等奖,教育部高等学校网络空间安全专业教学指导委员会,逆向工程,4,2025-06-30\n示范学院,2022002,优秀学生干部,示范学院,,,2025-06-30\n";
        assert_eq!(
            t.import(
                &op(),
                file("awards.csv", awards),
                Kind::Awards,
                false,
                today
            )
            .await
            .expect("awards")
            .evidence_added,
            2
        );

        let people = t.people(&op(), 0, 10).await.expect("people");
        let wang = people
            .iter()
            .find(|p| p.student_number == "2022001")
            .expect("王伟");
        let p = t
            .profile(&op(), wang.id, today)
            .await
            .expect("profile")
            .profile;
        // XSS: course 良 → 3 × 0.85 = 2.55, weight 0.5 × 0.5^(171/730) = 0.42507; CISP-PTE (level 3,
        // credential weight 0.2, today): (0.42507 × 2.55 + 0.2 × 3) / 0.62507 = 2.6940,
        // confidence 1 − e^−0.62507 = 0.465
        assert_eq!(
            p.skill("xss")
                .map(|s| (s.level, s.confidence, s.evidence.len())),
            Some((2.694, 0.465, 2)),
            "{}",
            db.label
        );
        // a skill only the certificate shows
        assert_eq!(
            p.skill("sqlmap").map(|s| (s.level, s.confidence)),
            Some((3.0, 0.181))
        );
        let li = people
            .iter()
            .find(|p| p.student_number == "2022002")
            .expect("李娜");
        let lp = t.profile(&op(), li.id, today).await.expect("profile");
        // the award: level 4 on reverse engineering, practice weight 0.3 → confidence 1 − e^−0.3 = 0.259
        assert_eq!(
            lp.profile
                .skill("reverse-engineering")
                .map(|s| (s.level, s.confidence)),
            Some((4.0, 0.259))
        );
        assert_eq!(
            lp.profile.skill("firewall").map(|s| s.level),
            Some(3.0),
            "软考 信息安全工程师 shows firewall at 3"
        );
        assert_eq!(
            lp.evidence.len(),
            4,
            "grade, certificate, two awards (one naming no skill)"
        );
        app.store().close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn recorded_evidence_updates_the_profile_and_the_supply_figures() {
    let today = NaiveDate::from_ymd_opt(2025, 6, 30).expect("date");
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.expect("open");
        let t = app.talent();
        t.import(
            &op(),
            file("roster.csv", ROSTER),
            Kind::People,
            false,
            today,
        )
        .await
        .expect("roster");
        let people = t.people(&op(), 0, 10).await.expect("people");
        let li = people
            .iter()
            .find(|p| p.student_number == "2022002")
            .expect("李娜")
            .id as u64;
        let share = |v: &cb_app::SupplyView, s: &str| {
            v.skills
                .iter()
                .find(|k| k.skill_id == s)
                .and_then(|k| k.share_proficient)
                .unwrap_or(0.0)
        };
        let before = t
            .supply(&op(), &cb_app::SupplyFilter::default(), today)
            .await
            .expect("supply");
        assert_eq!(share(&before, "reverse-engineering"), 0.0, "{}", db.label);
        let e = cb_talent::Evidence {
            id: 0,
            person_id: li,
            kind: cb_talent::EvidenceKind::Competition {
                event: "校内 CTF".into(),
                category: "Reverse".into(),
                rank: 1,
                teams: 40,
            },
            source_org: "示范学院".into(),
            date: today,
            recorded_by: String::new(),
            observations: vec![cb_talent::Observation {
                skill_id: "reverse-engineering".into(),
                level: 5.0,
            }],
        };
        let ids = t.record(&op(), vec![e.clone()]).await.expect("record");
        assert_eq!(ids.len(), 1);
        let after = t
            .supply(&op(), &cb_app::SupplyFilter::default(), today)
            .await
            .expect("supply");
        assert_eq!(
            share(&after, "reverse-engineering"),
            0.5,
            "one of two people, at once"
        );
        let p = t.profile(&op(), li as i64, today).await.expect("profile");
        assert_eq!(p.evidence.len(), 1);
        assert_eq!(
            (p.evidence[0].id, p.evidence[0].recorded_by.as_str()),
            (ids[0], "system:test"),
            "who recorded it"
        );
        // levels outside 1–5, skill ids the stored text cannot hold, unknown people and
        // anonymous callers are refused, nothing written
        let mut bad = e.clone();
        bad.observations[0].level = 7.0;
        assert!(matches!(
            t.record(&op(), vec![bad]).await,
            Err(AppError::Invalid(_))
        ));
        let mut spaced = e.clone();
        spaced.observations[0].skill_id = "reverse engineering".into();
        assert!(matches!(
            t.record(&op(), vec![spaced]).await,
            Err(AppError::Invalid(_))
        ));
        let mut nobody = e.clone();
        nobody.person_id = 999;
        assert!(matches!(
            t.record(&op(), vec![nobody]).await,
            Err(AppError::NotFound { .. })
        ));
        assert!(matches!(
            t.record(&Caller::Anonymous, vec![e]).await,
            Err(AppError::Access(_))
        ));
        assert_eq!(t.summary(&op()).await.expect("summary").evidence, 1);
        app.store().close().await;
        db.finish().await;
    }
}
