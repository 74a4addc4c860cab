//! The demo's sample accounts: one per role, in clearly labelled sample
//! organisations, all with the same published demo password, and one
//! internship taken through the publishing flow so every role has something
//! to look at.

use crate::accounts::{hash_password, now};
use crate::{App, AppError};
use cb_core::{Caller, OrgKind, UserRole};
use cb_postings::publish::{JobDraft, JobKind};
use cb_store::accounts::NewUser;
use chrono::NaiveDate;

/// The demo accounts: (username, role, what they see). README lists them.
pub const DEMO_ACCOUNTS: &[(&str, UserRole, &str)] = &[
    (
        "operator",
        UserRole::Operator,
        "everything; the audit log; accounts of every organisation",
    ),
    (
        "moderator",
        UserRole::Moderator,
        "the review queue of enterprises' postings",
    ),
    (
        "analyst",
        UserRole::Analyst,
        "aggregate figures only, small cells suppressed",
    ),
    (
        "school-admin",
        UserRole::SchoolAdmin,
        "one school's people, cohorts and accounts",
    ),
    ("teacher", UserRole::Teacher, "the two cohorts they teach"),
    (
        "student",
        UserRole::Student,
        "their own profile, consents, postings and interest",
    ),
    (
        "hr",
        UserRole::EnterpriseHr,
        "drafts, submits and closes postings; interested candidates",
    ),
    (
        "mentor",
        UserRole::EnterpriseMentor,
        "their enterprise's postings and candidates; rates candidates",
    ),
];

impl App {
    /// Creates the sample organisations and accounts with `password`, unless
    /// any user exists. Returns whether it did. Needs the synthetic talent
    /// pool (a school, its cohorts, a student).
    pub async fn seed_demo_accounts(
        &self,
        password: &str,
        today: NaiveDate,
    ) -> Result<bool, AppError> {
        let store = self.store();
        if store.user_count().await? > 0 {
            return Ok(false);
        }
        let system = Caller::system("demo");
        let cohorts = store.talent_cohorts().await?;
        let Some(first) = cohorts.iter().find(|c| c.people > 0) else {
            return Err(AppError::Invalid(
                "the demo accounts need the synthetic talent pool".into(),
            ));
        };
        let school_id = first.school_id;
        let school = store
            .talent_school(school_id)
            .await?
            .map(|s| s.name)
            .unwrap_or_default();
        let mut teach: Vec<i64> = vec![first.cohort.id];
        teach.extend(
            cohorts
                .iter()
                .filter(|c| {
                    c.school_id == school_id && c.cohort.id != first.cohort.id && c.people > 0
                })
                .take(1)
                .map(|c| c.cohort.id),
        );
        let student = store
            .talent_cohort_people(first.cohort.id)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Invalid("the first cohort has no students".into()))?;
        let orgs = [
            (
                OrgKind::Operator,
                "平台运营 Platform operator".to_string(),
                "",
                None,
            ),
            (
                OrgKind::Alliance,
                "示例网络安全产教联盟（示例） Sample security alliance".to_string(),
                "湖北",
                None,
            ),
            (
                OrgKind::Government,
                "示例人社局（示例） Sample labour bureau".to_string(),
                "湖北",
                None,
            ),
            (OrgKind::School, school.clone(), "", Some(school_id)),
            (
                OrgKind::Enterprise,
                "示例安全科技有限公司（示例） Sample Security Ltd.".to_string(),
                "湖北",
                None,
            ),
        ];
        let mut ids = Vec::new();
        for (kind, name, region, sid) in &orgs {
            ids.push(store.org_create(&system, *kind, name, region, *sid).await?);
        }
        let org_of = |role: UserRole| match role {
            UserRole::Operator => ids[0],
            UserRole::Moderator => ids[1],
            UserRole::Analyst => ids[2],
            UserRole::SchoolAdmin | UserRole::Teacher | UserRole::Student => ids[3],
            UserRole::EnterpriseHr | UserRole::EnterpriseMentor => ids[4],
        };
        let hash = hash_password(password).await?;
        let mut users = std::collections::HashMap::new();
        for (name, role, _) in DEMO_ACCOUNTS {
            let display = format!("{}（示例）", role.name(cb_core::Lang::Zh));
            let person_id = (*role == UserRole::Student).then_some(student.id);
            let u = NewUser {
                org_id: org_of(*role),
                role: *role,
                username: name.to_string(),
                display_name: display,
                password_hash: hash.clone(),
                person_id,
                must_change: false,
            };
            users.insert(
                *role,
                (store.user_create(&system, &u, now()).await?, u.org_id),
            );
        }
        store
            .set_teacher_cohorts(&system, users[&UserRole::Teacher].0, &teach)
            .await?;
        // the student shares their profile with enterprises, so the candidate list is not empty
        let mut p = student.clone();
        p.consent_enterprise = true;
        store
            .talent_person_update(
                &system,
                &p,
                "consent.change",
                &format!("person {}: demo student shares with enterprises", p.id),
            )
            .await?;
        // one internship through the whole flow
        let as_user = |role: UserRole| Caller::user(users[&role].0, users[&role].1, role);
        let jobs = self.jobs();
        let draft = JobDraft {
            kind: JobKind::Internship,
            title: "渗透测试实习生".into(),
            description: "参与客户Web应用渗透测试与漏洞复现，编写测试报告。要求：熟悉OWASP Top 10、Burp Suite，了解Python脚本编写；有CTF经历优先。".into(),
            location: "武汉".into(),
            salary: "150-200元/天".into(),
            education: "本科".into(),
            experience: "在校生".into(),
            openings: 3,
            platform_role: Some("pentester".into()),
            ..JobDraft::default()
        };
        let mut draft = draft;
        let hr = as_user(UserRole::EnterpriseHr);
        let suggestion = jobs.suggest(&hr, &draft.title, &draft.description)?;
        draft.skills = suggestion.skills.iter().map(|s| s.id.clone()).collect();
        draft.certifications = suggestion
            .certifications
            .iter()
            .map(|s| s.id.clone())
            .collect();
        let job = jobs.create(&hr, draft).await?;
        jobs.submit(&hr, job.id).await?;
        jobs.approve(&as_user(UserRole::Moderator), job.id, today)
            .await?;
        jobs.interest(&as_user(UserRole::Student), job.id, true)
            .await?;
        Ok(true)
    }
}
