//! Demand published on the platform (岗位需求发布). Enterprise HR drafts a job
//! or internship; the extractor suggests its role, skills and certifications,
//! which HR confirms or edits; HR submits it; an operator or an alliance
//! moderator approves it (it becomes a posting of source `published`, counted
//! in the indicators) or sends it back with a note; HR closes it later.
//! Students express interest; the enterprise sees the interested students who
//! consented to enterprises, with their readiness for the posting's role.

use crate::accounts::now;
use crate::talent::{Shown, shown};
use crate::{App, AppError};
use cb_core::{AccessError, Caller, UserRole};
use cb_postings::import::{Field, RawContext, RawPosting, parse_raw};
use cb_postings::publish::{Job, JobDraft, JobStatus, Transition};
use cb_store::postings::NewPosting;
use cb_talent::ProfileEngine;
use chrono::NaiveDate;
use serde::Serialize;

pub struct JobService<'a> {
    pub(crate) app: &'a App,
}

/// A term the extractor found, with its names.
#[derive(Debug, Clone, Serialize)]
pub struct Suggested {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub confidence: f64,
}

/// What the extractor reads in a draft's title and description.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub is_cyber: bool,
    pub platform_roles: Vec<Suggested>,
    pub nice_roles: Vec<Suggested>,
    pub skills: Vec<Suggested>,
    pub certifications: Vec<Suggested>,
}

/// A posting with its enterprise's name and what the caller may know of
/// interest in it.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    pub job: Job,
    pub org_name: String,
    /// How many students are interested (the enterprise, moderators, operators).
    /// Rounded outside operators, like every count of people (see [`Shown`]).
    pub interested: Option<Shown>,
    /// Is the signed-in student interested?
    pub mine: bool,
    /// The signed-in student's readiness (0–1) for the posting's role.
    pub my_readiness: Option<f64>,
    /// What the caller may do with it now: the pages offer exactly these.
    pub may: JobActions,
}

/// What a caller may do with one posting in its present status — the same
/// rules the service applies when the action is asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobActions {
    /// Edit the draft (and submit it for review): its enterprise's HR.
    pub edit: bool,
    pub submit: bool,
    /// Approve or send back a submission: moderators and operators.
    pub review: bool,
    /// Close a published posting: its enterprise's HR, operators.
    pub close: bool,
    /// Say they are interested, or withdraw: a student, while it is published.
    pub interest: bool,
    /// See the interested students who share their profile (and, for the
    /// enterprise's staff, rate them): its enterprise, operators.
    pub candidates: bool,
    pub evaluate: bool,
}

/// What a caller may do on the list of postings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobsActions {
    /// Draft a new posting: enterprise HR.
    pub create: bool,
    /// Review submissions: moderators and operators.
    pub review: bool,
}

/// The caller as the views of postings need them.
struct Looker {
    viewer: crate::Viewer,
    profile: Option<cb_talent::Profile>,
    orgs: std::collections::HashMap<i64, String>,
}

/// An interested student who shares their profile with enterprises.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub person_id: i64,
    pub name: String,
    pub school: String,
    pub graduation_year: i64,
    /// Readiness for the posting's platform role (0–1), if it names one.
    pub readiness: Option<f64>,
    pub status: Option<cb_talent::profile::Status>,
    /// The role's core skills the student lacks.
    pub missing: Vec<String>,
    pub since: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Candidates {
    pub job: Job,
    pub shared: Vec<Candidate>,
    /// The interested students who did not consent: a count of people the
    /// enterprise may not see, so "<5" or rounded (see [`Shown`]).
    pub not_shared: Shown,
    /// May the caller rate these students (the posting's enterprise)?
    pub may_evaluate: bool,
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound {
        what: "posting",
        what_zh: "岗位",
        id: id.to_string(),
    }
}

fn invalid(s: String) -> AppError {
    AppError::Invalid(s)
}

fn is_moderator(caller: &Caller) -> bool {
    caller.is_operator() || caller.role() == Some(UserRole::Moderator)
}

fn is_enterprise_of(caller: &Caller, job: &Job) -> bool {
    matches!(
        caller.role(),
        Some(UserRole::EnterpriseHr | UserRole::EnterpriseMentor)
    ) && caller.org_id() == Some(job.org_id)
}

fn is_hr_of(caller: &Caller, job: &Job) -> bool {
    caller.role() == Some(UserRole::EnterpriseHr) && caller.org_id() == Some(job.org_id)
}

/// Whether `caller` may take step `t` of `job`'s life, leaving its status aside.
fn may_step(caller: &Caller, job: &Job, t: Transition) -> bool {
    match t {
        Transition::Edit | Transition::Submit => is_hr_of(caller, job),
        Transition::Approve | Transition::Reject => is_moderator(caller),
        Transition::Close => is_hr_of(caller, job) || caller.is_operator(),
    }
}

/// Everything `caller` may do with `job` now.
fn actions(caller: &Caller, job: &Job, student: bool) -> JobActions {
    let writes = caller.require_write("change a posting").is_ok();
    let step = |t: Transition| writes && may_step(caller, job, t) && t.apply(job.status).is_some();
    JobActions {
        edit: step(Transition::Edit),
        submit: step(Transition::Submit),
        review: step(Transition::Approve) && step(Transition::Reject),
        close: step(Transition::Close),
        interest: writes && student && job.status == JobStatus::Published,
        candidates: is_enterprise_of(caller, job) || caller.is_operator(),
        evaluate: writes && is_enterprise_of(caller, job),
    }
}

/// Published and closed postings are public; a submission also to
/// moderators; a draft only to its enterprise (and operators).
fn may_see(caller: &Caller, job: &Job) -> bool {
    match job.status {
        JobStatus::Published | JobStatus::Closed => true,
        JobStatus::Submitted => is_moderator(caller) || is_enterprise_of(caller, job),
        JobStatus::Draft => caller.is_operator() || is_enterprise_of(caller, job),
    }
}

impl App {
    pub fn jobs(&self) -> JobService<'_> {
        JobService { app: self }
    }
}

/// How often a student may change their interest in one posting per hour.
pub const INTEREST_CHANGES_PER_HOUR: i64 = 10;

impl JobService<'_> {
    /// What the extractor reads in a title and description.
    pub fn suggest(
        &self,
        caller: &Caller,
        title: &str,
        description: &str,
    ) -> Result<Suggestion, AppError> {
        caller.require_signed_in("ask for suggestions")?;
        let title: String = title
            .chars()
            .take(cb_postings::publish::MAX_TITLE)
            .collect();
        let description: String = description
            .chars()
            .take(cb_postings::publish::MAX_DESCRIPTION)
            .collect();
        let engine = self.app.engine();
        let c = engine.classifier.classify(&title, &description);
        let catalog = self.app.catalog();
        let m = engine.classifier.model();
        let named = |id: &str, conf: f64| {
            let (zh, en) = match (catalog.platform_role(id), catalog.work_role(id)) {
                (Some(r), _) => (r.name_zh.clone(), r.name_en.clone()),
                (None, Some(w)) => (w.title_zh.clone(), w.title.clone()),
                _ => (id.to_string(), id.to_string()),
            };
            Suggested {
                id: id.to_string(),
                name_zh: zh,
                name_en: en,
                confidence: (conf * 1000.0).round() / 1000.0,
            }
        };
        let mut skills = Vec::new();
        let mut certifications = Vec::new();
        for f in &c.found {
            let conf = if f.required { 1.0 } else { 0.5 };
            match f.kind {
                cb_postings::FoundKind::Skill => {
                    let s = &m.skills[f.index];
                    skills.push(Suggested {
                        id: s.id.clone(),
                        name_zh: s.name_zh.clone(),
                        name_en: s.name_en.clone(),
                        confidence: conf,
                    });
                }
                cb_postings::FoundKind::Certification => {
                    let s = &m.certifications[f.index];
                    certifications.push(Suggested {
                        id: s.id.clone(),
                        name_zh: s.name_zh.clone(),
                        name_en: s.name_en.clone(),
                        confidence: conf,
                    });
                }
            }
        }
        Ok(Suggestion {
            is_cyber: c.is_cyber,
            platform_roles: c
                .platform_roles
                .iter()
                .take(5)
                .map(|r| named(&r.id, r.confidence))
                .collect(),
            nice_roles: c
                .roles
                .iter()
                .take(5)
                .map(|r| named(&r.id, r.confidence))
                .collect(),
            skills,
            certifications,
        })
    }

    /// Checks a draft's fields and that its ids name the model's roles,
    /// skills and certifications, and that it parses as a posting (salary,
    /// headcount). Returns it normalised.
    fn checked(&self, mut draft: JobDraft) -> Result<JobDraft, AppError> {
        let catalog = self.app.catalog();
        // people write names (渗透测试, Burp Suite, CISP-PTE): each becomes the model's id
        for s in draft.skills.iter_mut() {
            if let Some(x) = catalog.skill_by_name(s) {
                *s = x.id.clone();
            }
        }
        for c in draft.certifications.iter_mut() {
            if let Some(x) = catalog.certification_by_name(c) {
                *c = x.id.clone();
            }
        }
        let d = draft
            .normalised()
            .map_err(|e| invalid(format!("{e} / 岗位信息有误：{}", e.field)))?;
        if let Some(r) = &d.platform_role
            && catalog.platform_role(r).is_none()
        {
            return Err(invalid(format!(
                "platform_role: `{r}` is not a platform role; expected an id such as pentester / 岗位角色不存在"
            )));
        }
        if let Some(s) = d.skills.iter().find(|s| catalog.skill(s).is_none()) {
            return Err(invalid(format!(
                "skills: `{s}` is not a skill of the model / 技能不存在"
            )));
        }
        if let Some(s) = d
            .certifications
            .iter()
            .find(|s| catalog.certification(s).is_none())
        {
            return Err(invalid(format!(
                "certifications: `{s}` is not a certification of the model / 证书不存在"
            )));
        }
        if !d.salary.is_empty() && cb_postings::salary::parse(&d.salary).is_none() {
            return Err(invalid(format!(
                "salary: `{}` is not a salary; expected e.g. 15k-25k, 1.5-2万/月, 200-300元/天 or 面议 / 薪资格式不正确",
                d.salary
            )));
        }
        Ok(d)
    }

    fn fill(job: &mut Job, d: JobDraft, nice_role: Option<String>) {
        job.kind = d.kind;
        job.title = d.title;
        job.description = d.description;
        job.location = d.location;
        job.salary = d.salary;
        job.education = d.education;
        job.experience = d.experience;
        job.openings = d.openings;
        job.platform_role = d.platform_role;
        job.nice_role = nice_role;
        job.skills = d.skills;
        job.certifications = d.certifications;
    }

    /// The NICE role of a confirmed platform role (its primary one).
    fn nice_of(&self, platform_role: Option<&str>) -> Option<String> {
        let catalog = self.app.catalog();
        platform_role
            .and_then(|r| catalog.platform_role(r))
            .and_then(|r| r.nice_role_ids.first().cloned())
    }

    /// A new draft of the caller's enterprise (enterprise HR only).
    pub async fn create(&self, caller: &Caller, draft: JobDraft) -> Result<Job, AppError> {
        caller.require_write("draft a posting")?;
        let org_id = match caller {
            Caller::User {
                role: UserRole::EnterpriseHr,
                org_id,
                ..
            } => *org_id,
            _ => {
                return Err(caller.refuse("draft a posting (enterprise HR only)").into());
            }
        };
        let d = self.checked(draft)?;
        let t = now();
        let nice_role = self.nice_of(d.platform_role.as_deref());
        let mut job = Job {
            id: 0,
            org_id,
            kind: d.kind,
            status: JobStatus::Draft,
            title: d.title,
            description: d.description,
            location: d.location,
            salary: d.salary,
            education: d.education,
            experience: d.experience,
            openings: d.openings,
            platform_role: d.platform_role,
            nice_role,
            skills: d.skills,
            certifications: d.certifications,
            review_note: String::new(),
            created_by: caller.user_id().unwrap_or_default(),
            created_at: t,
            updated_at: t,
            submitted_at: None,
            reviewed_by: None,
            published_at: None,
            closed_at: None,
            posting_id: None,
        };
        job.id = self.app.store().job_create(caller, &job).await?;
        Ok(job)
    }

    /// A posting the caller may see, else not found / forbidden.
    async fn visible(&self, caller: &Caller, id: i64) -> Result<Job, AppError> {
        let job = self
            .app
            .store()
            .job(id)
            .await?
            .ok_or_else(|| not_found(id))?;
        if may_see(caller, &job) {
            Ok(job)
        } else if matches!(caller, Caller::Anonymous) {
            Err(AccessError::Unauthenticated {
                action: "see this posting",
            }
            .into())
        } else {
            Err(AccessError::Forbidden {
                action: "see another enterprise's unpublished posting",
            }
            .into())
        }
    }

    /// What every view of a posting needs about the caller, resolved once per call.
    async fn looker(&self, caller: &Caller) -> Result<Looker, AppError> {
        let viewer = self.app.viewer(caller).await?;
        // a student sees how ready they are for each posting's role
        let profile = match (viewer.role(), viewer.person_id) {
            (Some(UserRole::Student), Some(p)) => {
                let today = chrono::DateTime::from_timestamp(now(), 0)
                    .map_or_else(|| NaiveDate::MIN, |d| d.date_naive());
                Some(self.app.talent().profile(caller, p, today).await?.profile)
            }
            _ => None,
        };
        Ok(Looker {
            viewer,
            profile,
            orgs: std::collections::HashMap::new(),
        })
    }

    async fn view(
        &self,
        caller: &Caller,
        look: &mut Looker,
        job: Job,
    ) -> Result<JobView, AppError> {
        let store = self.app.store();
        let org_name = match look.orgs.get(&job.org_id) {
            Some(n) => n.clone(),
            None => {
                let n = store
                    .org(job.org_id)
                    .await?
                    .map(|o| o.name)
                    .unwrap_or_default();
                look.orgs.insert(job.org_id, n.clone());
                n
            }
        };
        let interest = store.interest_in(job.id).await?;
        let mine = look
            .viewer
            .person_id
            .is_some_and(|p| interest.iter().any(|(x, _)| *x == p));
        let interested = (is_moderator(caller) || is_enterprise_of(caller, &job))
            .then(|| shown(interest.len() as u64, caller.is_operator()));
        let my_readiness = match (&look.profile, &job.platform_role) {
            (Some(p), Some(r)) => p
                .readiness_for(r)
                .map(|x| (x.score * 1000.0).round() / 1000.0),
            _ => None,
        };
        let student =
            look.viewer.person_id.is_some() && look.viewer.role() == Some(UserRole::Student);
        Ok(JobView {
            may: actions(caller, &job, student),
            job,
            org_name,
            interested,
            mine,
            my_readiness,
        })
    }

    /// What the caller may do on the list of postings.
    pub fn may(&self, caller: &Caller) -> JobsActions {
        let writes = caller.require_write("change a posting").is_ok();
        JobsActions {
            create: writes && caller.role() == Some(UserRole::EnterpriseHr),
            review: writes && is_moderator(caller),
        }
    }

    pub async fn get(&self, caller: &Caller, id: i64) -> Result<JobView, AppError> {
        let job = self.visible(caller, id).await?;
        let mut look = self.looker(caller).await?;
        self.view(caller, &mut look, job).await
    }

    /// The postings the caller may see: published ones for everyone; an
    /// enterprise also its own in every status; moderators also submissions;
    /// operators all. `status` narrows the list. Newest first; for a student,
    /// readiest first.
    pub async fn list(
        &self,
        caller: &Caller,
        status: Option<JobStatus>,
    ) -> Result<Vec<JobView>, AppError> {
        let store = self.app.store();
        let statuses: Vec<JobStatus> = status.map_or_else(Vec::new, |s| vec![s]);
        let mut jobs = if caller.is_operator() {
            store.jobs(None, &statuses).await?
        } else if is_moderator(caller) {
            let mut v = store.jobs(None, &statuses).await?;
            v.retain(|j| may_see(caller, j));
            v
        } else {
            let mut v = store.jobs(None, &[JobStatus::Published]).await?;
            if matches!(
                caller.role(),
                Some(UserRole::EnterpriseHr | UserRole::EnterpriseMentor)
            ) && let Some(org) = caller.org_id()
            {
                v.retain(|j| j.org_id != org);
                v.extend(store.jobs(Some(org), &[]).await?);
            }
            v.retain(|j| statuses.is_empty() || statuses.contains(&j.status));
            v
        };
        jobs.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
        let mut look = self.looker(caller).await?;
        let mut out = Vec::with_capacity(jobs.len());
        for j in jobs.into_iter().take(500) {
            out.push(self.view(caller, &mut look, j).await?);
        }
        // a student sees the postings they are readiest for first (newest first among equals)
        if look.profile.is_some() {
            out.sort_by(|a, b| {
                b.my_readiness
                    .unwrap_or(-1.0)
                    .total_cmp(&a.my_readiness.unwrap_or(-1.0))
            });
        }
        Ok(out)
    }

    /// HR of the posting's enterprise moves it one step.
    async fn step(
        &self,
        caller: &Caller,
        id: i64,
        t: Transition,
        action: &'static str,
    ) -> Result<(Job, Job), AppError> {
        caller.require_write(action)?;
        let mut job = self.visible(caller, id).await?;
        let was = job.clone();
        if !may_step(caller, &job, t) {
            return Err(AccessError::Forbidden { action }.into());
        }
        job.status = t.apply(job.status).ok_or_else(|| {
            invalid(format!("posting {id} is {}, so you cannot {action} now / 岗位当前状态为「{}」，不能执行此操作", job.status.name(false), job.status.name(true)))
        })?;
        job.updated_at = now();
        Ok((job, was))
    }

    /// HR edits a draft (also one sent back by a moderator).
    pub async fn update(&self, caller: &Caller, id: i64, draft: JobDraft) -> Result<Job, AppError> {
        let (mut job, was) = self
            .step(caller, id, Transition::Edit, "edit a posting")
            .await?;
        let d = self.checked(draft)?;
        let nice = self.nice_of(d.platform_role.as_deref());
        Self::fill(&mut job, d, nice);
        self.app
            .store()
            .job_save(caller, &job, &was, "job.edit")
            .await
            .map_err(stale)?;
        Ok(job)
    }

    /// HR sends a draft for review.
    pub async fn submit(&self, caller: &Caller, id: i64) -> Result<Job, AppError> {
        let (mut job, was) = self
            .step(caller, id, Transition::Submit, "submit a posting")
            .await?;
        if job.platform_role.is_none() && job.skills.is_empty() {
            return Err(invalid("platform_role: confirm a role or at least one skill before submitting / 提交前请确认岗位角色或至少一项技能".into()));
        }
        job.submitted_at = Some(job.updated_at);
        job.review_note.clear();
        self.app
            .store()
            .job_save(caller, &job, &was, "job.submit")
            .await
            .map_err(stale)?;
        Ok(job)
    }

    /// A moderator sends a submission back to its enterprise with a note.
    pub async fn reject(&self, caller: &Caller, id: i64, note: &str) -> Result<Job, AppError> {
        let (mut job, was) = self
            .step(caller, id, Transition::Reject, "review a posting")
            .await?;
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 1000 {
            return Err(invalid("note: say what to change, in at most 1,000 characters / 请填写退回原因（最多 1000 字）".into()));
        }
        job.review_note = note.to_string();
        job.reviewed_by = caller.user_id();
        self.app
            .store()
            .job_save(caller, &job, &was, "job.reject")
            .await
            .map_err(stale)?;
        Ok(job)
    }

    /// A moderator approves a submission: it is published as a posting of
    /// source `published`, dated `today`, and counted in the indicators.
    pub async fn approve(
        &self,
        caller: &Caller,
        id: i64,
        today: NaiveDate,
    ) -> Result<Job, AppError> {
        let (mut job, was) = self
            .step(caller, id, Transition::Approve, "review a posting")
            .await?;
        job.reviewed_by = caller.user_id();
        job.published_at = Some(job.updated_at);
        let store = self.app.store();
        let employer = store
            .org(job.org_id)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        let posting = self.as_posting(&job, &employer, today)?;
        let posting_id = store
            .job_publish(caller, &job, &was, posting, crate::accounts::now())
            .await
            .map_err(stale)?;
        job.posting_id = Some(posting_id);
        Ok(job)
    }

    /// HR (or an operator) closes a published posting.
    pub async fn close(&self, caller: &Caller, id: i64) -> Result<Job, AppError> {
        let (mut job, was) = self
            .step(caller, id, Transition::Close, "close a posting")
            .await?;
        job.closed_at = Some(job.updated_at);
        self.app
            .store()
            .job_save(caller, &job, &was, "job.close")
            .await
            .map_err(stale)?;
        Ok(job)
    }

    /// The posting as the indicators count it: parsed like an imported record
    /// (place, salary, education, experience), with the role, skills and
    /// certifications HR confirmed instead of the extractor's guesses.
    fn as_posting(
        &self,
        job: &Job,
        employer: &str,
        today: NaiveDate,
    ) -> Result<NewPosting, AppError> {
        let raw = RawPosting {
            line: 1,
            id: format!("job-{}", job.id),
            title: job.title.clone(),
            description: job.description.clone(),
            employer: employer.to_string(),
            location: job.location.clone(),
            salary: job.salary.clone(),
            posted_at: today.format("%Y-%m-%d").to_string(),
            education: job.education.clone(),
            experience: job.experience.clone(),
            headcount: job.openings.to_string(),
            url: format!("/jobs/{}", job.id),
            tags: job.kind.as_str().to_string(),
            industry: String::new(),
        };
        let engine = self.app.engine();
        let column = |f: Field| f.as_str();
        let ctx = RawContext {
            file: "published",
            source: "published",
            engine: &engine,
            crawled: Some(today),
            column: &column,
        };
        let mut p = parse_raw(&ctx, &raw).map_err(|e| {
            invalid(format!(
                "posting {}: {}: {} / 岗位信息有误",
                job.id, e.column, e.problem
            ))
        })?;
        if let Some(r) = &job.platform_role {
            p.platform_role = Some((r.clone(), 1.0));
            p.is_cyber = true;
        }
        if let Some(n) = &job.nice_role {
            p.roles.retain(|(id, _)| id != n);
            p.roles.insert(0, (n.clone(), 1.0));
        }
        if !job.skills.is_empty() {
            p.skills = job.skills.iter().map(|s| (s.clone(), true)).collect();
        }
        p.certifications = job
            .certifications
            .iter()
            .map(|s| (s.clone(), true))
            .collect();
        Ok(NewPosting {
            employer_norm: cb_postings::dedupe::norm_employer(&p.employer),
            title_norm: cb_postings::dedupe::norm_title(&p.title),
            simhash: cb_postings::dedupe::simhash(&p.description),
            parsed: p,
        })
    }

    /// A student expresses (or withdraws) interest in a published posting.
    pub async fn interest(
        &self,
        caller: &Caller,
        id: i64,
        interested: bool,
    ) -> Result<JobView, AppError> {
        caller.require_write("express interest")?;
        let viewer = self.app.viewer(caller).await?;
        let Some(person_id) = viewer
            .person_id
            .filter(|_| viewer.role() == Some(UserRole::Student))
        else {
            return Err(caller.refuse("express interest (students only)").into());
        };
        let job = self.visible(caller, id).await?;
        if interested && job.status != JobStatus::Published {
            return Err(invalid(format!("posting {id} is not open / 该岗位未开放")));
        }
        let changes = self
            .app
            .store()
            .interests_of(person_id)
            .await?
            .contains(&id)
            != interested;
        if changes {
            // a change of mind is fine; a toggling script is not
            self.app
                .at_most(
                    &format!("interest {person_id} {id}"),
                    INTEREST_CHANGES_PER_HOUR,
                    std::time::Duration::from_secs(3600),
                    now(),
                )
                .await?;
        }
        self.app
            .store()
            .interest_set(caller, id, person_id, interested, now())
            .await?;
        let mut look = self.looker(caller).await?;
        self.view(caller, &mut look, job).await
    }

    /// The postings the signed-in student is interested in.
    pub async fn my_interests(&self, caller: &Caller) -> Result<Vec<i64>, AppError> {
        let viewer = self.app.viewer(caller).await?;
        match viewer.person_id {
            Some(p) => Ok(self.app.store().interests_of(p).await?),
            None => Ok(Vec::new()),
        }
    }

    /// Interested students for the posting's enterprise (HR, mentors) or an
    /// operator: those who consented to enterprises with their readiness for
    /// the posting's role; the others as a count. Each profile shown is an
    /// audited read.
    pub async fn candidates(
        &self,
        caller: &Caller,
        id: i64,
        today: NaiveDate,
    ) -> Result<Candidates, AppError> {
        self.candidates_among(caller, id, None, today).await
    }

    /// One consenting interested student of the posting (the rating form):
    /// forbidden for anyone who is not one.
    pub async fn candidate(
        &self,
        caller: &Caller,
        id: i64,
        person_id: i64,
        today: NaiveDate,
    ) -> Result<(Job, Candidate), AppError> {
        let c = self
            .candidates_among(caller, id, Some(person_id), today)
            .await?;
        match c.shared.into_iter().next() {
            Some(one) => Ok((c.job, one)),
            None => Err(AccessError::Forbidden {
                action: "see a student who is not a consenting candidate of this posting",
            }
            .into()),
        }
    }

    /// The candidates of a posting, or only `only` among them; their
    /// profiles' reads audited in one transaction.
    async fn candidates_among(
        &self,
        caller: &Caller,
        id: i64,
        only: Option<i64>,
        today: NaiveDate,
    ) -> Result<Candidates, AppError> {
        caller.require_signed_in("see candidates")?;
        let job = self.visible(caller, id).await?;
        if !(is_enterprise_of(caller, &job) || caller.is_operator()) {
            return Err(AccessError::Forbidden {
                action: "see another enterprise's candidates",
            }
            .into());
        }
        let store = self.app.store();
        let catalog = self.app.catalog();
        let mut shared = Vec::new();
        let mut not_shared = 0;
        let schools = store.talent_reference_schools().await?;
        for (person_id, since) in store.interest_in(id).await? {
            if only.is_some_and(|o| o != person_id) {
                continue;
            }
            let Some(p) = store.talent_person(person_id).await? else {
                continue;
            };
            if !p.consent_enterprise {
                not_shared += 1;
                continue;
            }
            let weights = store
                .talent_program(p.program_id)
                .await?
                .map(|x| x.weights)
                .unwrap_or_default();
            let engine = ProfileEngine::new(catalog.model(), weights);
            let evidence = store.talent_evidence_of(person_id).await?;
            let profile = engine.compute(person_id as u64, &evidence, today);
            let r = job
                .platform_role
                .as_deref()
                .and_then(|role| profile.readiness_for(role));
            shared.push(Candidate {
                person_id,
                name: p.name.clone(),
                school: schools
                    .iter()
                    .find(|s| s.id == p.school_id)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                graduation_year: p.graduation_year,
                readiness: r.map(|r| (r.score * 1000.0).round() / 1000.0),
                status: r.map(|r| r.status),
                missing: r
                    .map(|r| r.missing.iter().map(|g| g.skill_id.clone()).collect())
                    .unwrap_or_default(),
                since,
            });
        }
        let read: Vec<i64> = shared.iter().map(|c| c.person_id).collect();
        store
            .audit_reads(
                caller,
                &read,
                &format!("candidate for posting {id}"),
                "candidates.read",
                &format!("posting {id}: {} shown", read.len()),
            )
            .await?;
        shared.sort_by(|a, b| {
            b.readiness
                .unwrap_or(0.0)
                .total_cmp(&a.readiness.unwrap_or(0.0))
                .then(a.person_id.cmp(&b.person_id))
        });
        Ok(Candidates {
            may_evaluate: is_enterprise_of(caller, &job),
            job,
            shared,
            not_shared: shown(not_shared, caller.is_operator()),
        })
    }
}

/// A guarded save that found the posting changed meanwhile: a 409 the person
/// can act on (reload and try again).
fn stale(e: cb_store::StoreError) -> AppError {
    match e {
        cb_store::StoreError::Stale => AppError::Conflict(
            "the posting was changed by someone else meanwhile; reload it and try again / 岗位已被他人修改，请刷新后重试".into(),
        ),
        e => e.into(),
    }
}
