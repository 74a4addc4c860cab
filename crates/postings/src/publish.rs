//! Demand published on the platform (岗位需求发布): an enterprise's draft of a
//! job or internship, its life (draft → submitted → published → closed, or
//! back to draft when a moderator rejects it), and what a draft must satisfy.
//! No IO: the service stores drafts and decides who may move them.

use serde::{Deserialize, Serialize};

/// Where a published posting is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Being written by the enterprise (also after a rejection, with the note).
    Draft,
    /// Waiting for a moderator.
    Submitted,
    /// Approved: visible to students and counted in the indicators.
    Published,
    /// No longer open; still counted as demand of the period it was published in.
    Closed,
}

impl JobStatus {
    pub const ALL: [JobStatus; 4] = [
        JobStatus::Draft,
        JobStatus::Submitted,
        JobStatus::Published,
        JobStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Draft => "draft",
            JobStatus::Submitted => "submitted",
            JobStatus::Published => "published",
            JobStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<JobStatus> {
        JobStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (JobStatus::Draft, true) => "草稿",
            (JobStatus::Draft, false) => "Draft",
            (JobStatus::Submitted, true) => "待审核",
            (JobStatus::Submitted, false) => "Awaiting review",
            (JobStatus::Published, true) => "已发布",
            (JobStatus::Published, false) => "Published",
            (JobStatus::Closed, true) => "已关闭",
            (JobStatus::Closed, false) => "Closed",
        }
    }
}

/// A step in a posting's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Edit,
    Submit,
    Approve,
    Reject,
    Close,
}

impl Transition {
    /// The status after this step from `from`, or `None` if the step does not
    /// apply there (a published posting cannot be edited, a draft not closed).
    pub fn apply(self, from: JobStatus) -> Option<JobStatus> {
        use JobStatus::*;
        match (self, from) {
            (Transition::Edit, Draft) => Some(Draft),
            (Transition::Submit, Draft) => Some(Submitted),
            (Transition::Approve, Submitted) => Some(Published),
            (Transition::Reject, Submitted) => Some(Draft),
            (Transition::Close, Published) => Some(Closed),
            _ => None,
        }
    }
}

/// A job or an internship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    Job,
    Internship,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Job => "job",
            JobKind::Internship => "internship",
        }
    }

    pub fn parse(s: &str) -> Option<JobKind> {
        match s {
            "job" => Some(JobKind::Job),
            "internship" => Some(JobKind::Internship),
            _ => None,
        }
    }

    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (JobKind::Job, true) => "全职岗位",
            (JobKind::Job, false) => "Job",
            (JobKind::Internship, true) => "实习",
            (JobKind::Internship, false) => "Internship",
        }
    }
}

/// What an enterprise writes. Text is kept as written (pages escape it);
/// role, skills and certifications are ids of the competency model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobDraft {
    pub kind: JobKind,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// City or region as a person writes it: 北京, 上海市浦东新区, Remote.
    #[serde(default)]
    pub location: String,
    /// As a person writes it: 15k-25k, 1.5-2万/月, 面议; parsed when published.
    #[serde(default)]
    pub salary: String,
    #[serde(default)]
    pub education: String,
    #[serde(default)]
    pub experience: String,
    #[serde(default = "one")]
    pub openings: i64,
    /// The platform role HR confirmed (suggested by the extractor).
    #[serde(default)]
    pub platform_role: Option<String>,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub certifications: Vec<String>,
}

fn one() -> i64 {
    1
}

impl Default for JobDraft {
    /// An empty job with one opening (a form's starting point).
    fn default() -> Self {
        JobDraft {
            kind: JobKind::Job,
            title: String::new(),
            description: String::new(),
            location: String::new(),
            salary: String::new(),
            education: String::new(),
            experience: String::new(),
            openings: 1,
            platform_role: None,
            skills: Vec::new(),
            certifications: Vec::new(),
        }
    }
}

/// A field of a draft that is not acceptable, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {problem}; expected {expected}")]
pub struct DraftError {
    pub field: &'static str,
    pub problem: String,
    pub expected: &'static str,
}

pub const MAX_TITLE: usize = 120;
pub const MAX_DESCRIPTION: usize = 20_000;
pub const MAX_SHORT: usize = 100;
pub const MAX_TERMS: usize = 60;

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Control characters other than line breaks and tabs have no place in a posting.
fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

impl JobDraft {
    /// Trims the text fields and checks every field; the first problem is
    /// returned. Whether ids name real roles and skills is the caller's check
    /// (it holds the model).
    pub fn normalised(mut self) -> Result<JobDraft, DraftError> {
        for s in [
            &mut self.title,
            &mut self.description,
            &mut self.location,
            &mut self.salary,
            &mut self.education,
            &mut self.experience,
        ] {
            *s = s.trim().to_string();
        }
        let bad = |field, problem: String, expected| {
            Err(DraftError {
                field,
                problem,
                expected,
            })
        };
        if self.title.is_empty() {
            return bad(
                "title",
                "is empty".into(),
                "a job title such as 渗透测试工程师 or SOC analyst intern",
            );
        }
        if chars(&self.title) > MAX_TITLE {
            return bad(
                "title",
                format!("has {} characters", chars(&self.title)),
                "at most 120 characters",
            );
        }
        if chars(&self.description) > MAX_DESCRIPTION {
            return bad(
                "description",
                format!("has {} characters", chars(&self.description)),
                "at most 20,000 characters",
            );
        }
        for (field, v) in [
            ("title", &self.title),
            ("location", &self.location),
            ("salary", &self.salary),
            ("education", &self.education),
            ("experience", &self.experience),
        ] {
            if field != "title" && chars(v) > MAX_SHORT {
                return bad(
                    field,
                    format!("has {} characters", chars(v)),
                    "at most 100 characters",
                );
            }
            if has_control(v) || v.contains('\n') {
                return bad(
                    field,
                    "contains control characters or line breaks".into(),
                    "one line of text",
                );
            }
        }
        if has_control(&self.description) {
            return bad(
                "description",
                "contains control characters".into(),
                "text (line breaks allowed)",
            );
        }
        if !(1..=10_000).contains(&self.openings) {
            return bad(
                "openings",
                format!("is {}", self.openings),
                "a number of openings from 1 to 10,000",
            );
        }
        for (field, list) in [
            ("skills", &mut self.skills),
            ("certifications", &mut self.certifications),
        ] {
            list.iter_mut().for_each(|s| *s = s.trim().to_string());
            list.retain(|s| !s.is_empty());
            let mut seen = std::collections::HashSet::new();
            list.retain(|s| seen.insert(s.clone()));
            if list.len() > MAX_TERMS {
                return bad(field, format!("lists {}", list.len()), "at most 60");
            }
            if let Some(s) = list.iter().find(|s| !is_id(s)) {
                return bad(
                    field,
                    format!(
                        "`{}` is not a known name or id",
                        s.chars().take(40).collect::<String>()
                    ),
                    "names or ids of the competency model such as 渗透测试, Burp Suite or penetration-testing",
                );
            }
        }
        self.platform_role = self
            .platform_role
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        if let Some(r) = &self.platform_role
            && !is_id(r)
        {
            return bad(
                "platform_role",
                format!("`{}` is not an id", r.chars().take(40).collect::<String>()),
                "a platform role id such as pentester",
            );
        }
        Ok(self)
    }
}

/// Ids of the model: lower-case ASCII letters, digits, `-`, `_`, `.`, `+`.
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.+".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> JobDraft {
        JobDraft {
            kind: JobKind::Internship,
            title: " 渗透测试实习生 ".into(),
            description: "负责Web渗透测试\n熟悉Burp Suite".into(),
            location: "北京".into(),
            salary: "200-300元/天".into(),
            education: "本科".into(),
            experience: String::new(),
            openings: 2,
            platform_role: Some("pentester".into()),
            skills: vec![
                "penetration-testing".into(),
                "penetration-testing".into(),
                " ".into(),
            ],
            certifications: vec![],
        }
    }

    #[test]
    fn a_good_draft_is_trimmed_and_deduplicated() {
        let d = draft().normalised().unwrap();
        assert_eq!(d.title, "渗透测试实习生");
        assert_eq!(d.skills, vec!["penetration-testing".to_string()]);
    }

    #[test]
    fn bad_fields_are_named_with_what_was_expected() {
        let e = JobDraft {
            title: "  ".into(),
            ..draft()
        }
        .normalised()
        .unwrap_err();
        assert_eq!(e.field, "title");
        let e = JobDraft {
            title: "x".repeat(121),
            ..draft()
        }
        .normalised()
        .unwrap_err();
        assert!(e.to_string().contains("121 characters"), "{e}");
        let e = JobDraft {
            openings: 0,
            ..draft()
        }
        .normalised()
        .unwrap_err();
        assert_eq!(e.field, "openings");
        let e = JobDraft {
            skills: vec!["x'; DROP TABLE jobs;--".into()],
            ..draft()
        }
        .normalised()
        .unwrap_err();
        assert_eq!(e.field, "skills");
        let e = JobDraft {
            location: "北京\u{0}".into(),
            ..draft()
        }
        .normalised()
        .unwrap_err();
        assert_eq!(e.field, "location");
        let e = JobDraft {
            platform_role: Some("<script>".into()),
            ..draft()
        }
        .normalised()
        .unwrap_err();
        assert_eq!(e.field, "platform_role");
    }

    #[test]
    fn the_life_of_a_posting() {
        use JobStatus::*;
        use Transition::*;
        assert_eq!(Submit.apply(Draft), Some(Submitted));
        assert_eq!(Reject.apply(Submitted), Some(Draft));
        assert_eq!(Approve.apply(Submitted), Some(Published));
        assert_eq!(Close.apply(Published), Some(Closed));
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
            if s != Draft {
                assert_eq!(Edit.apply(s), None, "only drafts are edited");
            }
            if s != Submitted {
                assert_eq!(
                    Approve.apply(s),
                    None,
                    "only submitted postings are approved"
                );
            }
        }
        assert_eq!(Close.apply(Draft), None);
    }
}

/// A posting an enterprise drafts on the platform, through its whole life
/// (see [`JobStatus`]); the store keeps it, the job service moves it on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub id: i64,
    pub org_id: i64,
    pub kind: JobKind,
    pub status: JobStatus,
    pub title: String,
    pub description: String,
    pub location: String,
    pub salary: String,
    pub education: String,
    pub experience: String,
    pub openings: i64,
    pub platform_role: Option<String>,
    pub nice_role: Option<String>,
    pub skills: Vec<String>,
    pub certifications: Vec<String>,
    /// The moderator's note when the posting was sent back.
    pub review_note: String,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    pub reviewed_by: Option<i64>,
    pub published_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// The posting counted in the indicators once published.
    pub posting_id: Option<i64>,
}
