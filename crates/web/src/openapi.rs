//! The OpenAPI 3.1 description of `/api/v1`, served at
//! `/api/v1/openapi.json`. One table lists every operation; a test holds it
//! equal to the routes the router has, and calls each one.

use serde_json::{Map, Value, json};

/// Who may call an operation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Operators (an operator's session or API token, or the configured operator token).
    Operator,
    /// Anyone; except for operators and the program's own school, counts of people are rounded to the nearest 5, 1–4 is "<5", and shares that would give away 1–4 people are null.
    Suppressed,
    /// A signed-in user (session or API token); what they see depends on their role.
    SignedIn,
}

pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// (name, description); `{…}` path parameters are added from the path
    pub query: &'static [(&'static str, &'static str)],
    pub access: Access,
    /// A concrete URL a test can call.
    pub example: &'static str,
    /// An example JSON body (POST/PUT), empty when none is needed.
    pub body: &'static str,
}

const FILTERS: &[(&str, &str)] = &[
    ("country", "CN or US"),
    (
        "province",
        "a province (short Chinese name, e.g. 北京) or a US state (e.g. Virginia)",
    ),
    ("city", "a city"),
    ("period", "2024, 2024-Q2, 2024-05 or 2024-01..2024-06"),
    ("category", "a NICE category id: OG, DD, IO, PD, IN"),
    ("nice_role", "a NICE work role id, e.g. PD-WRL-007"),
    ("role", "a platform role id, e.g. pentester"),
    ("skill", "a skill id, e.g. sql-injection"),
    ("cert", "a certification id, e.g. cisp-pte"),
    (
        "education",
        "vocational, associate, bachelor, master or doctorate",
    ),
    ("max_exp", "postings asking for at most this many years"),
    ("source", "lagou, 51job, usajobs, published, …"),
    (
        "industry",
        "the employer's industry as the postings give it (an `industry` column; USAJOBS: public administration)",
    ),
    (
        "all",
        "1: count postings that are not cybersecurity jobs too",
    ),
    (
        "program",
        "a program (专业): the supply side counts its people only",
    ),
    (
        "growth_alert",
        "flag roles whose postings changed by at least this fraction (default 0.3)",
    ),
    (
        "gap_alert",
        "flag skills whose gap is at least this (default 0.3)",
    ),
];

const EXPORT: &[(&str, &str)] = &[(
    "table",
    "skills, certifications, titles, roles, provinces, months, ratios, gaps, emerging, fading, quotients or postings",
)];

pub const OPS: &[Op] = &[
    Op {
        method: "get",
        path: "/openapi.json",
        summary: "This description",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/openapi.json",
    },
    Op {
        method: "get",
        path: "/framework",
        summary: "Counts of the competency model and its frameworks",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/framework",
    },
    Op {
        method: "get",
        path: "/framework/work-roles",
        summary: "NICE work roles",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/framework/work-roles",
    },
    Op {
        method: "get",
        path: "/framework/work-roles/{id}",
        summary: "A NICE work role with its statements, skills and platform roles",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/framework/work-roles/PD-WRL-007",
    },
    Op {
        method: "get",
        path: "/framework/roles",
        summary: "Platform roles",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/framework/roles",
    },
    Op {
        method: "get",
        path: "/framework/roles/{id}",
        summary: "A platform role with its core skills, certifications and NICE roles",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/framework/roles/pentester",
    },
    Op {
        method: "get",
        path: "/framework/skills",
        summary: "Skills of the lexicon",
        query: &[("domain", "a skill domain"), ("kind", "a skill kind")],
        access: Access::Public,
        body: "",
        example: "/framework/skills",
    },
    Op {
        method: "get",
        path: "/framework/skills/{id}",
        summary: "A skill with its aliases, NICE links and roles",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/framework/skills/sql-injection",
    },
    Op {
        method: "get",
        path: "/framework/certifications",
        summary: "Certifications",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/framework/certifications",
    },
    Op {
        method: "get",
        path: "/framework/certifications/{id}",
        summary: "A certification",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/framework/certifications/cisp-pte",
    },
    Op {
        method: "get",
        path: "/framework/external",
        summary: "Imported external frameworks (DCWF, ECSF)",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/framework/external",
    },
    Op {
        method: "get",
        path: "/framework/external/{id}",
        summary: "An external framework mapped onto NICE",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/framework/external/ecsf",
    },
    Op {
        method: "get",
        path: "/framework/search",
        summary: "Search roles, skills, certifications and NICE statements by any alias",
        query: &[("q", "the query"), ("limit", "at most this many hits")],
        access: Access::Public,
        body: "",
        example: "/framework/search?q=%E6%B8%97%E9%80%8F",
    },
    Op {
        method: "get",
        path: "/postings",
        summary: "Stored postings, by id",
        query: &[
            ("after", "ids after this one"),
            ("limit", "at most this many"),
        ],
        access: Access::Public,
        body: "",
        example: "/postings",
    },
    Op {
        method: "get",
        path: "/postings/count",
        summary: "How many postings are stored",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/postings/count",
    },
    Op {
        method: "get",
        path: "/postings/{id}",
        summary: "One stored posting: summary, description, sources (the page /postings/{id})",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/postings/1",
    },
    Op {
        method: "get",
        path: "/imports",
        summary: "Posting imports with their counts",
        query: &[],
        access: Access::Operator,
        body: "",
        example: "/imports",
    },
    Op {
        method: "post",
        path: "/imports/postings",
        summary: "Upload a postings file (CSV, JSON Lines, Excel)",
        query: &[
            (
                "filename",
                "the file's name; its extension gives the format",
            ),
            ("skip_bad_rows", "true: reject bad rows instead of stopping"),
            ("crawl_date", "resolve relative dates against this day"),
            (
                "wait",
                "seconds to wait for the import to finish (default and most 595; 0: answer 202 at once)",
            ),
        ],
        access: Access::Operator,
        body: "",
        example: "/imports/postings?filename=x.csv",
    },
    Op {
        method: "post",
        path: "/imports/talent",
        summary: "Upload a talent-pool file (operators; a school admin for their own school's records only)",
        query: &[
            (
                "kind",
                "people, courses, grades, evaluations, competitions, certificates or awards",
            ),
            ("filename", "the file's name"),
            ("skip_bad_rows", "true: reject bad rows instead of stopping"),
            (
                "wait",
                "seconds to wait for the import to finish (default and most 595; 0: answer 202 at once)",
            ),
        ],
        access: Access::SignedIn,
        body: "",
        example: "/imports/talent?kind=people&filename=x.csv",
    },
    Op {
        method: "get",
        path: "/imports/tasks",
        summary: "Import tasks, newest first: queued, running (with progress), done (with the outcome) or failed (with why); operators see all, school admins their school's (the page /imports)",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/imports/tasks",
    },
    Op {
        method: "get",
        path: "/imports/tasks/{id}",
        summary: "One import task: where an upload answered 202 points (the page /imports/{id})",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/imports/tasks/1",
    },
    Op {
        method: "get",
        path: "/talent/summary",
        summary: "Counts of schools, programs, people and evidence",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/talent/summary",
    },
    Op {
        method: "get",
        path: "/people",
        summary: "People in the talent pool",
        query: &[
            ("after", "ids after this one"),
            ("limit", "at most this many"),
        ],
        access: Access::Operator,
        body: "",
        example: "/people",
    },
    Op {
        method: "get",
        path: "/people/{id}/profile",
        summary: "A person's competency profile, every number with its evidence (audited)",
        query: &[("as_of", "compute as of this day, YYYY-MM-DD")],
        access: Access::Operator,
        body: "",
        example: "/people/1/profile",
    },
    Op {
        method: "get",
        path: "/cohorts",
        summary: "Cohorts with their program, school and head count",
        query: &[],
        access: Access::Operator,
        body: "",
        example: "/cohorts",
    },
    Op {
        method: "get",
        path: "/cohorts/{id}/heatmap",
        summary: "A cohort's people × skills levels (audited)",
        query: &[("role", "a role whose core skills are the columns")],
        access: Access::Operator,
        body: "",
        example: "/cohorts/1/heatmap",
    },
    Op {
        method: "get",
        path: "/supply",
        summary: "Ready and near-ready people per role, share proficient per skill",
        query: &[
            ("region", "a region"),
            ("program", "a program"),
            ("graduation_year", "a year"),
        ],
        access: Access::Suppressed,
        body: "",
        example: "/supply",
    },
    Op {
        method: "get",
        path: "/indicators",
        summary: "Every indicator for the filters, with definitions",
        query: FILTERS,
        access: Access::Suppressed,
        body: "",
        example: "/indicators?period=2024",
    },
    Op {
        method: "get",
        path: "/indicators/postings",
        summary: "The postings behind a figure (drill-down), newest first",
        query: FILTERS,
        access: Access::Public,
        body: "",
        example: "/indicators/postings?role=pentester",
    },
    Op {
        method: "get",
        path: "/indicators/export.csv",
        summary: "An indicator table as CSV (audited)",
        query: EXPORT,
        access: Access::Suppressed,
        body: "",
        example: "/indicators/export.csv?table=skills",
    },
    Op {
        method: "get",
        path: "/me",
        summary: "The signed-in user, their organisation and cohorts",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/me",
    },
    Op {
        method: "post",
        path: "/me/record",
        summary: "A student corrects their record and decides their consents (audited)",
        query: &[],
        access: Access::SignedIn,
        body: r#"{"consent_enterprise": true}"#,
        example: "/me/record",
    },
    Op {
        method: "get",
        path: "/tokens",
        summary: "The caller's API tokens (never their secrets)",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/tokens",
    },
    Op {
        method: "post",
        path: "/tokens",
        summary: "A new API token for the caller, scoped read or write; the secret is in this answer only",
        query: &[],
        access: Access::SignedIn,
        body: r#"{"name": "nightly export", "scope": "read"}"#,
        example: "/tokens",
    },
    Op {
        method: "delete",
        path: "/tokens/{id}",
        summary: "Revoke one of the caller's tokens",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/tokens/999999",
    },
    Op {
        method: "get",
        path: "/users",
        summary: "Accounts the caller manages (operators: all; school admins: their school's)",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/users",
    },
    Op {
        method: "post",
        path: "/users",
        summary: "Create an account; answers its temporary password once",
        query: &[],
        access: Access::SignedIn,
        body: r#"{"org_id": 999999, "role": "teacher", "username": "new.teacher", "display_name": "New teacher"}"#,
        example: "/users",
    },
    Op {
        method: "post",
        path: "/users/{id}/password",
        summary: "Reset a password (operators; school admins for their teachers and students)",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/users/999999/password",
    },
    Op {
        method: "post",
        path: "/users/{id}/cohorts",
        summary: "The cohorts a teacher teaches",
        query: &[],
        access: Access::SignedIn,
        body: r#"{"cohorts": []}"#,
        example: "/users/999999/cohorts",
    },
    Op {
        method: "get",
        path: "/orgs",
        summary: "Organisations (operators: all; others: their own)",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/orgs",
    },
    Op {
        method: "post",
        path: "/orgs",
        summary: "Create an organisation (operators)",
        query: &[],
        access: Access::SignedIn,
        body: r#"{"kind": "enterprise", "name": "Example Ltd.", "region": "湖北"}"#,
        example: "/orgs",
    },
    Op {
        method: "get",
        path: "/audit",
        summary: "The audit log, newest first (operators)",
        query: &[
            ("limit", "at most this many entries"),
            (
                "action",
                "an action (signin.failed) or a prefix ending in a dot (job.)",
            ),
            ("actor", "an actor: user:8, system:cli, anonymous"),
        ],
        access: Access::SignedIn,
        body: "",
        example: "/audit",
    },
    Op {
        method: "get",
        path: "/people/{id}/reads",
        summary: "Who read a person's profile (the person, their school's admin, operators)",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/people/1/reads",
    },
    Op {
        method: "post",
        path: "/people/{id}/evaluations",
        summary: "An enterprise mentor or HR rates a consenting candidate 1–5 per skill (an enterprise evaluation in their profile)",
        query: &[],
        access: Access::SignedIn,
        body: r#"{"levels": {"penetration-testing": 3}, "comment": "实习表现良好"}"#,
        example: "/people/1/evaluations",
    },
    Op {
        method: "get",
        path: "/corrections",
        summary: "Corrections a student asked for (a student: their own; a school admin: their school's; operators: all)",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/corrections",
    },
    Op {
        method: "post",
        path: "/corrections",
        summary: "A student asks their school to correct a piece of their evidence or their record (audited)",
        query: &[],
        access: Access::SignedIn,
        body: r#"{"evidence_id": 1, "note": "这门课成绩登记有误"}"#,
        example: "/corrections",
    },
    Op {
        method: "post",
        path: "/corrections/{id}/resolve",
        summary: "Accept (the evidence is removed) or dismiss with a response (the person's school admin, operators)",
        query: &[],
        access: Access::SignedIn,
        body: r#"{"accept": false, "response": "成绩已核对无误"}"#,
        example: "/corrections/999999/resolve",
    },
    Op {
        method: "get",
        path: "/jobs",
        summary: "Published postings; an enterprise's own in every status; moderators all",
        query: &[("status", "draft, submitted, published or closed")],
        access: Access::Public,
        body: "",
        example: "/jobs",
    },
    Op {
        method: "post",
        path: "/jobs",
        summary: "Draft a posting (enterprise HR)",
        query: &[],
        access: Access::SignedIn,
        body: r#"{"kind": "internship", "title": "渗透测试实习生", "location": "武汉", "platform_role": "pentester"}"#,
        example: "/jobs",
    },
    Op {
        method: "post",
        path: "/jobs/suggest",
        summary: "The extractor's role, skills and certifications for a title and description",
        query: &[],
        access: Access::SignedIn,
        body: r#"{"title": "渗透测试工程师", "description": "熟悉Burp Suite"}"#,
        example: "/jobs/suggest",
    },
    Op {
        method: "get",
        path: "/jobs/{id}",
        summary: "A posting the caller may see",
        query: &[],
        access: Access::Public,
        body: "",
        example: "/jobs/999999",
    },
    Op {
        method: "put",
        path: "/jobs/{id}",
        summary: "Edit a draft (its enterprise's HR)",
        query: &[],
        access: Access::SignedIn,
        body: r#"{"kind": "job", "title": "安全运营工程师"}"#,
        example: "/jobs/999999",
    },
    Op {
        method: "post",
        path: "/jobs/{id}/submit",
        summary: "Submit a draft for review (its enterprise's HR)",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/jobs/999999/submit",
    },
    Op {
        method: "post",
        path: "/jobs/{id}/approve",
        summary: "Approve and publish a submission (moderators, operators); counted in the indicators as source published",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/jobs/999999/approve",
    },
    Op {
        method: "post",
        path: "/jobs/{id}/reject",
        summary: "Send a submission back with a note (moderators, operators)",
        query: &[],
        access: Access::SignedIn,
        body: r#"{"note": "请补充岗位职责"}"#,
        example: "/jobs/999999/reject",
    },
    Op {
        method: "post",
        path: "/jobs/{id}/close",
        summary: "Close a published posting (its enterprise's HR, operators)",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/jobs/999999/close",
    },
    Op {
        method: "post",
        path: "/jobs/{id}/interest",
        summary: "A student expresses interest in a published posting",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/jobs/999999/interest",
    },
    Op {
        method: "delete",
        path: "/jobs/{id}/interest",
        summary: "A student withdraws their interest",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/jobs/999999/interest",
    },
    Op {
        method: "get",
        path: "/jobs/{id}/candidates",
        summary: "Interested students who consented, with readiness for the posting's role (its enterprise, operators; audited)",
        query: &[],
        access: Access::SignedIn,
        body: "",
        example: "/jobs/999999/candidates",
    },
    Op {
        method: "get",
        path: "/indicators/export.xlsx",
        summary: "An indicator table as an Excel workbook (audited)",
        query: EXPORT,
        access: Access::Suppressed,
        body: "",
        example: "/indicators/export.xlsx?table=skills",
    },
];

/// The whole description.
/// The schema of a query or path parameter, by its name (and, for `{id}`
/// and `kind`, the operation's path): the types the handlers parse, so
/// that a value the description allows is one the server takes.
fn param_schema(name: &str, path: &str) -> Value {
    let roles: Vec<&str> = cb_core::UserRole::ALL.iter().map(|r| r.as_str()).collect();
    match name {
        // catalog ids are words; every stored thing has a number
        "id" if path.starts_with("/framework") => {
            json!({"type": "string", "minLength": 1, "maxLength": 100})
        }
        "id" => json!({"type": "integer", "format": "int64"}),
        "limit" => json!({"type": "integer", "minimum": 1, "maximum": 1000}),
        "after" => json!({"type": "integer", "format": "int64", "minimum": 0}),
        "graduation_year" => json!({"type": "integer", "minimum": 1990, "maximum": 2100}),
        "max_exp" => json!({"type": "integer", "minimum": 0, "maximum": 50}),
        "skip_bad_rows" => json!({"type": "boolean"}),
        "wait" => json!({"type": "integer", "minimum": 0, "maximum": 595}),
        "all" => json!({"type": "string", "enum": ["1"]}),
        "country" => json!({"type": "string", "enum": ["CN", "US"]}),
        "kind" if path == "/framework/skills" => {
            json!({"type": "string", "enum": cb_competency::SkillKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()})
        }
        "kind" if path == "/imports/talent" => {
            json!({"type": "string", "enum": ["people", "courses", "grades", "evaluations", "competitions", "certificates", "awards"]})
        }
        "table" => {
            json!({"type": "string", "enum": crate::insight_web::TABLES.iter().copied().chain(["postings"]).collect::<Vec<_>>()})
        }
        "lang" => json!({"type": "string", "enum": ["zh", "en"]}),
        "role" if path == "/users" => json!({"type": "string", "enum": roles}),
        "period" => {
            json!({"type": "string", "pattern": "^(19|20)[0-9]{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?(\\.\\.(19|20)[0-9]{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?)?$"})
        }
        "status" if path == "/jobs" => {
            json!({"type": "string", "enum": ["draft", "submitted", "published", "closed"]})
        }
        "as_of" | "crawl_date" => json!({"type": "string", "format": "date"}),
        "education" => {
            json!({"type": "string", "enum": ["vocational", "associate", "bachelor", "master", "doctorate"]})
        }
        "category" => json!({"type": "string", "enum": ["OG", "DD", "IO", "PD", "IN"]}),
        "filename" => {
            json!({"type": "string", "pattern": "^[^/\\\\]{1,80}\\.(csv|tsv|jsonl|ndjson|json|xlsx|xlsm)$"})
        }
        "q" => json!({"type": "string", "minLength": 1, "maxLength": 200}),
        _ => json!({"type": "string", "maxLength": 200}),
    }
}

/// The JSON body an operation takes, as the handler reads it.
fn body_schema(method: &str, path: &str) -> Option<Value> {
    // one line of words: not blank, no control characters
    const LINE: &str =
        "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$";
    let line =
        |max: u32| json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": LINE});
    let text = |max: u32| json!({"type": "string", "maxLength": max});
    let job = json!({
        "type": "object",
        "required": ["kind", "title"],
        "properties": {
            "kind": {"type": "string", "enum": ["job", "internship"]},
            "title": line(120),
            "description": text(20_000),
            "location": line(100),
            "salary": line(100),
            "education": line(100),
            "experience": line(100),
            "openings": {"type": "integer", "minimum": 1, "maximum": 1000},
            "platform_role": {"type": ["string", "null"], "maxLength": 60},
            "skills": {"type": "array", "items": line(100), "maxItems": 60},
            "certifications": {"type": "array", "items": line(100), "maxItems": 60}
        }
    });
    Some(match (method, path) {
        ("post", "/jobs") | ("put", "/jobs/{id}") => job,
        ("post", "/jobs/suggest") => {
            json!({"type": "object", "required": ["title"], "properties": {"title": line(120), "description": text(20_000)}})
        }
        ("post", "/jobs/{id}/reject") => {
            json!({"type": "object", "required": ["note"], "properties": {"note": {"type": "string", "minLength": 1, "maxLength": 1000, "pattern": "\\S"}}})
        }
        ("post", "/me/record") => json!({"type": "object", "properties": {
            "name": line(60),
            "region": line(50),
            "consent_enterprise": {"type": ["boolean", "null"]},
            "consent_analytics": {"type": ["boolean", "null"]}
        }}),
        ("post", "/tokens") => {
            json!({"type": "object", "required": ["name", "scope"], "properties": {
                "name": line(60),
                "scope": {"type": "string", "enum": ["read", "write"]}
            }})
        }
        ("post", "/users") => {
            json!({"type": "object", "required": ["org_id", "role", "username", "display_name"], "properties": {
                "org_id": {"type": "integer", "format": "int64"},
                "role": {"type": "string", "enum": cb_core::UserRole::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>()},
                "username": {"type": "string", "pattern": "^[a-z0-9._-]{2,40}$"},
                "display_name": line(60),
                "person_id": {"type": ["integer", "null"]},
                "student_number": {"type": ["string", "null"], "maxLength": 40}
            }})
        }
        ("post", "/users/{id}/cohorts") => {
            json!({"type": "object", "required": ["cohorts"], "properties": {"cohorts": {"type": "array", "items": {"type": "integer"}, "maxItems": 200}}})
        }
        ("post", "/orgs") => json!({"type": "object", "required": ["kind", "name"], "properties": {
            "kind": {"type": "string", "enum": cb_core::OrgKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()},
            "name": line(100),
            "region": {"type": "string", "maxLength": 50, "pattern": "^[^\\x00-\\x1f\\x7f-\\x9f]*$"},
            "school_id": {"type": ["integer", "null"]}
        }}),
        ("post", "/people/{id}/evaluations") => {
            json!({"type": "object", "required": ["levels"], "properties": {
                "levels": {"type": "object", "minProperties": 1, "maxProperties": 60, "additionalProperties": {"type": "number", "minimum": 1, "maximum": 5}, "description": "skill id (a skill of the model) → level 1–5"},
                "comment": text(2000),
                "date": {"type": ["string", "null"], "format": "date", "description": "within the last ten years, not in the future"}
            }})
        }
        ("post", "/corrections") => json!({"type": "object", "required": ["note"], "properties": {
            "evidence_id": {"type": ["integer", "null"]},
            "note": {"type": "string", "minLength": 1, "maxLength": 1000, "pattern": "\\S"}
        }}),
        ("post", "/corrections/{id}/resolve") => json!({
            "type": "object",
            "required": ["accept"],
            "properties": {"accept": {"type": "boolean"}, "response": {"type": "string", "maxLength": 1000, "description": "required when the correction is dismissed"}}
        }),
        _ => return None,
    })
}

pub fn document() -> Value {
    let mut paths = Map::new();
    for op in OPS {
        let mut params: Vec<Value> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": param_schema(name, op.path)}))
            .collect();
        // what the handler cannot do without
        let required = |n: &str| {
            n == "filename"
                || (n == "table" && op.path.contains("/export"))
                || (n == "kind" && op.path == "/imports/talent")
        };
        params.extend(op.query.iter().map(|(n, d)| json!({"name": n, "in": "query", "required": required(n), "description": d, "schema": param_schema(n, op.path)})));
        let note = match op.access {
            Access::Public => "Anyone.",
            Access::Operator => {
                "Operators only (session, API token or the configured operator token)."
            }
            Access::Suppressed => {
                "Anyone; counts of fewer than five people are \"<5\" except for the operator and the program's own school."
            }
            Access::SignedIn => {
                "A signed-in user (API token or session; with a session, changes need the X-CSRF-Token header); the service decides by role and organisation."
            }
        };
        let mut responses = json!({
            "200": {"description": "OK"},
            "400": {"description": "A parameter is malformed; the body says which and what was expected", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "404": {"description": "Not found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        });
        if matches!(op.access, Access::Operator | Access::SignedIn) {
            responses["403"] =
                json!({"description": "Signed in, but this role or organisation may not"});
            responses["401"] = json!({"description": "Sign-in or the operator token required"});
        }
        let mut o = json!({"summary": op.summary, "description": note, "parameters": params, "responses": responses});
        if matches!(op.access, Access::Operator | Access::SignedIn) {
            o["security"] = json!([{"bearer": []}, {"session": []}]);
        }
        let error = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
        if op.method == "post" {
            responses["201"] = json!({"description": "Created"});
        }
        if op.method == "post" || op.method == "put" {
            responses["413"] =
                error("The body is over the limit (uploads: 64 MiB; other bodies: 1 MiB)");
            responses["415"] = error("The body is not of the media type this operation takes");
            responses["422"] = error(
                "The body is not what this operation takes (a field's type or value; a name the catalog does not know; a posting in another state); the message names the file, line and field",
            );
            responses["429"] = error(
                "Too many of these at once (sign-in guesses, token creation, interest changes); retry after the Retry-After seconds",
            );
            o["responses"] = responses.clone();
        }
        if op.method == "delete" {
            responses["422"] = error("The change is not possible now (a posting in another state)");
            responses["429"] =
                error("Too many of these within the hour; retry after the Retry-After seconds");
            o["responses"] = responses.clone();
        }
        if op.path.starts_with("/indicators") || op.path == "/supply" {
            responses["503"] = error(
                "The server has just started and is preparing the figures; retry after the Retry-After seconds",
            );
            o["responses"] = responses.clone();
        }
        if op.method == "post" && op.path.starts_with("/imports/") {
            responses["200"] = json!({"description": "The import finished within `wait` seconds: its outcome (counts, rejected rows)"});
            responses["202"] = json!({"description": "Queued or still running after `wait` seconds: `{\"task\": …}`; follow the Location header (GET /api/v1/imports/tasks/{id})"});
            responses["409"] = json!({"description": "The import collided with another change of the same records", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
            responses["503"] = json!({"description": "This node is receiving as many uploads as it takes at once, or the workers running the import kept stopping; retry after the Retry-After seconds", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
            o["responses"] = responses.clone();
            o["requestBody"] = json!({"required": true, "description": "the file, at most 64 MiB (larger files: `cyberbridge import`)", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}});
        } else if let Some(schema) = body_schema(op.method, op.path) {
            o["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": schema, "example": serde_json::from_str::<Value>(if op.body.is_empty() { "{}" } else { op.body }).unwrap_or(Value::Null)}}});
        }
        paths
            .entry(format!("/api/v1{}", op.path))
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .map(|m| m.insert(op.method.to_string(), o));
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "cyberbridge API", "version": env!("CARGO_PKG_VERSION"), "description": "Cybersecurity industry–education integration: competency model, postings, talent pool, indicators. 网络安全产教融合平台接口。"},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "an API token (created at /account or POST /api/v1/tokens), or the configured operator token"},
                "session": {"type": "apiKey", "in": "cookie", "name": "cb_session"}
            },
            "schemas": {"Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route the API source declares is described, and nothing else.
    #[test]
    fn every_route_is_described() {
        let mut declared: Vec<String> = [
            include_str!("api.rs"),
            include_str!("insight_web.rs"),
            include_str!("jobs_api.rs"),
            include_str!("accounts_api.rs"),
        ]
        .iter()
        .flat_map(|src| {
            src.split(".route(").skip(1).filter_map(|rest| {
                rest.trim_start()
                    .strip_prefix('"')?
                    .split('"')
                    .next()
                    .map(str::to_string)
            })
        })
        .filter(|p| !p.starts_with("/insight"))
        .collect();
        declared.sort();
        declared.dedup();
        let mut described: Vec<String> = OPS.iter().map(|o| o.path.to_string()).collect();
        described.sort();
        described.dedup();
        assert_eq!(declared, described);
    }
}
