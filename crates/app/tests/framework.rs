//! The framework service on every backend: first start installs the model,
//! reads are public, changes are for operators only.

use cb_app::{App, AppError, SkillFilter};
use cb_competency::{RoleRelation, SkillKind, bundled};
use cb_core::{AccessError, Caller, UserRole};
use cb_store::testing::TestDb;

fn student() -> Caller {
    Caller::user(5, 2, UserRole::Student)
}

#[tokio::test]
async fn first_start_installs_the_bundled_model_and_reads_are_public() {
    for db in TestDb::all().await {
        let app = App::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        let fw = app.framework();
        let o = fw.overview(&Caller::Anonymous);
        assert_eq!(
            (
                o.counts.work_roles,
                o.counts.tasks,
                o.counts.knowledge,
                o.counts.skills_statements
            ),
            (41, 946, 662, 540)
        );
        assert!(o.counts.lexicon_skills >= 800 && o.counts.lexicon_aliases >= 2500);
        assert_eq!(o.categories.len(), 5);
        assert_eq!(o.gbt.len(), 5);
        let log = app.store().audit_log(5).await.expect("audit");
        assert_eq!(log[0].actor, "system:first-start");

        let wr = fw
            .work_role(&Caller::Anonymous, "PD-WRL-007")
            .expect("role");
        assert_eq!(wr.role.title, "Vulnerability Analysis");
        assert!(wr.knowledge.iter().any(|s| s.id == "K0955"));
        assert!(wr.platform_roles.iter().any(|r| r.id == "pentester"));
        assert!(
            wr.gbt
                .iter()
                .any(|g| g.category.id == "GBT-AUD" && g.status == "proposed")
        );
        assert!(
            wr.lexicon_skills
                .iter()
                .any(|s| s.id == "penetration-testing")
        );

        let pr = fw.platform_role(&student(), "mlps-assessor").expect("role");
        assert_eq!(pr.role.name_zh, "等保测评师");
        assert!(pr.core_skills.iter().any(|s| s.id == "mlps-2"));
        assert!(
            pr.certifications
                .iter()
                .any(|c| c.id == "mlps-assessor-cert")
        );
        assert!(
            pr.related_skills
                .iter()
                .all(|s| !pr.core_skills.contains(s))
        );

        let sk = fw.skill(&Caller::Anonymous, "burp-suite").expect("skill");
        assert!(
            sk.nice
                .iter()
                .any(|n| n.target_id == "K0956" && n.kind == "knowledge")
        );
        assert!(
            sk.roles
                .iter()
                .any(|r| r.role.id == "pentester" && r.relation == RoleRelation::Core)
        );

        let tools = fw.skills(
            &Caller::Anonymous,
            &SkillFilter {
                domain: Some("offensive".into()),
                kind: Some(SkillKind::Tool),
            },
        );
        assert!(
            tools.iter().any(|s| s.id == "nmap") && tools.iter().all(|s| s.kind == SkillKind::Tool)
        );

        assert!(matches!(
            fw.skill(&Caller::Anonymous, "nope"),
            Err(AppError::NotFound { .. })
        ));
        assert_eq!(fw.search(&Caller::Anonymous, "红队", 3)[0].id, "red-team");
        app.store().close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn only_operators_change_reference_data() {
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.expect("open");
        let fw = app.framework();
        let dcwf = bundled::dcwf().expect("dcwf");
        let r = fw
            .import_external(&Caller::Anonymous, dcwf.clone(), &mut |_, _| {})
            .await;
        assert!(
            matches!(
                r,
                Err(AppError::Access(AccessError::Unauthenticated { .. }))
            ),
            "{}",
            db.label
        );
        let r = fw
            .import_external(&student(), dcwf.clone(), &mut |_, _| {})
            .await;
        assert!(
            matches!(r, Err(AppError::Access(AccessError::Forbidden { .. }))),
            "{}",
            db.label
        );
        let r = fw
            .replace_model(&student(), bundled::model().expect("model"), &mut |_, _| {})
            .await;
        assert!(matches!(
            r,
            Err(AppError::Access(AccessError::Forbidden { .. }))
        ));
        assert!(fw.external_frameworks(&Caller::Anonymous).is_empty());

        let op = Caller::user(1, 1, UserRole::Operator);
        let s = fw
            .import_external(&op, dcwf, &mut |_, _| {})
            .await
            .expect("operator imports");
        assert_eq!((s.id.as_str(), s.roles), ("dcwf", 74));
        let view = fw
            .external_framework(&Caller::Anonymous, "dcwf")
            .expect("view");
        let red = view
            .roles
            .iter()
            .find(|r| r.role.id == "551")
            .expect("red team specialist");
        assert!(red.nice_roles.iter().any(|n| n.id == "PD-WRL-007"));
        // the catalog reloads: NICE role pages now show DCWF roles mapped onto them
        let wr = fw
            .work_role(&Caller::Anonymous, "PD-WRL-007")
            .expect("role");
        assert!(
            wr.external_roles
                .iter()
                .any(|e| e.framework_id == "dcwf" && e.role_id == "551" && e.status == "proposed")
        );

        // a framework mapping onto an unknown NICE role is refused whole
        let mut bad = bundled::ecsf().expect("ecsf");
        bad.roles[0].nice[0].nice_role_id = "XX-WRL-000".into();
        let r = fw.import_external(&op, bad, &mut |_, _| {}).await;
        assert!(matches!(r, Err(AppError::Model(_))));
        assert_eq!(fw.external_frameworks(&Caller::Anonymous).len(), 1);
        app.store().close().await;
        db.finish().await;
    }
}
