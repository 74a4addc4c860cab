//! Reading posting files (CSV, JSON Lines, Excel) and turning each record
//! into a parsed posting — or into an error naming the file, line, column and
//! the expected form. Files arrive as bytes: reading them from disk or from an
//! upload is the caller's business.

use crate::classify::Classification;
use crate::contract::Engine;
use crate::fields::{self, Education, Experience};
use crate::location::Location;
use crate::salary::{self, SalaryInfo};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub use cb_tabular::{
    FileError, Format, Record, Records, RowError, read, sha256_bytes, sha256_hex,
};

/// The fields a posting can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Id,
    Title,
    Description,
    Employer,
    Location,
    Salary,
    PostedAt,
    Education,
    Experience,
    Headcount,
    Url,
    Tags,
    Industry,
}

impl Field {
    pub const ALL: [Field; 13] = [
        Field::Id,
        Field::Title,
        Field::Description,
        Field::Employer,
        Field::Location,
        Field::Salary,
        Field::PostedAt,
        Field::Education,
        Field::Experience,
        Field::Headcount,
        Field::Url,
        Field::Tags,
        Field::Industry,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Title => "title",
            Field::Description => "description",
            Field::Employer => "employer",
            Field::Location => "location",
            Field::Salary => "salary",
            Field::PostedAt => "posted_at",
            Field::Education => "education",
            Field::Experience => "experience",
            Field::Headcount => "headcount",
            Field::Url => "url",
            Field::Tags => "tags",
            Field::Industry => "industry",
        }
    }
}

/// How a file's columns map onto posting fields, and the source they come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub name: String,
    pub source: String,
    pub columns: Vec<(Field, String)>,
}

impl Shape {
    fn new(name: &str, source: &str, cols: &[(Field, &str)]) -> Shape {
        Shape {
            name: name.into(),
            source: source.into(),
            columns: cols.iter().map(|(f, c)| (*f, c.to_string())).collect(),
        }
    }

    /// Recognises the sample data's shapes (Lagou, 51job, USAJOBS) and the
    /// generic one whose columns are the field names.
    pub fn detect(headers: &[String]) -> Option<Shape> {
        let has = |c: &str| headers.iter().any(|h| h == c);
        if has("职位名称") && has("薪资待遇") {
            return Some(Shape::new(
                "lagou",
                "lagou",
                &[
                    (Field::Id, "职位编码"),
                    (Field::Title, "职位名称"),
                    (Field::Location, "所在城市"),
                    (Field::PostedAt, "发布日期"),
                    (Field::Salary, "薪资待遇"),
                    (Field::Employer, "公司全称"),
                    (Field::Tags, "lagou_category"),
                ],
            ));
        }
        if has("jobName") && has("issueDate") {
            return Some(Shape::new(
                "51job",
                "51job",
                &[
                    (Field::Title, "jobName"),
                    (Field::Description, "tags"),
                    (Field::Location, "area"),
                    (Field::Salary, "salary"),
                    (Field::Experience, "workYear"),
                    (Field::Education, "degree"),
                    (Field::Employer, "companyName"),
                    (Field::PostedAt, "issueDate"),
                ],
            ));
        }
        if has("job_id") && has("organization") && has("locations") {
            return Some(Shape::new(
                "usajobs",
                "usajobs",
                &[
                    (Field::Id, "job_id"),
                    (Field::Title, "title"),
                    (Field::Employer, "organization"),
                    (Field::Location, "locations"),
                    (Field::Description, "description"),
                    (Field::PostedAt, "posted_at"),
                    (Field::Url, "url"),
                ],
            ));
        }
        if has("title") {
            let cols: Vec<(Field, &str)> = Field::ALL
                .iter()
                .filter(|f| has(f.as_str()))
                .map(|f| (*f, f.as_str()))
                .collect();
            return Some(Shape::new("generic", "import", &cols));
        }
        None
    }

    /// A mapping file (TOML): `source = "…"` and a `[columns]` table from field
    /// name to the file's column header.
    pub fn from_mapping(file: &str, text: &str) -> Result<Shape, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct MappingFile {
            source: String,
            columns: HashMap<Field, String>,
        }
        let m: MappingFile = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        if !m.columns.contains_key(&Field::Title) {
            return Err(format!(
                "{file}: [columns] has no `title`; expected at least title = \"<column header>\""
            ));
        }
        let mut columns: Vec<(Field, String)> = m.columns.into_iter().collect();
        columns.sort();
        Ok(Shape {
            name: "mapping".into(),
            source: m.source,
            columns,
        })
    }

    pub fn column(&self, f: Field) -> Option<&str> {
        self.columns
            .iter()
            .find(|(x, _)| *x == f)
            .map(|(_, c)| c.as_str())
    }
}

/// A posting parsed from one record.
#[derive(Debug, Clone, Serialize)]
pub struct ParsedPosting {
    pub source: String,
    pub source_id: String,
    pub line: u64,
    pub title: String,
    pub description: String,
    pub employer: String,
    pub location_raw: String,
    pub location: Location,
    pub salary_raw: String,
    pub salary: Option<SalaryInfo>,
    pub education: Option<Education>,
    pub experience: Option<Experience>,
    pub headcount: Option<u32>,
    pub posted_at: Option<NaiveDate>,
    pub url: String,
    pub tags: String,
    /// The employer's industry as the file gives it (USAJOBS: public administration).
    pub industry: Option<String>,
    pub is_cyber: bool,
    /// NICE roles with confidences, best first.
    pub roles: Vec<(String, f64)>,
    pub platform_role: Option<(String, f64)>,
    /// Skill ids; `required` false for preferred ones.
    pub skills: Vec<(String, bool)>,
    pub certifications: Vec<(String, bool)>,
}

impl ParsedPosting {
    /// Openings: the stated headcount, else one.
    pub fn openings(&self) -> u32 {
        self.headcount.unwrap_or(1)
    }
}

/// What parsing a record needs besides the record.
pub struct Context<'a> {
    pub file: &'a str,
    pub shape: &'a Shape,
    pub engine: &'a Engine,
    /// The day the file was crawled: relative dates (`昨天 14:47`) are resolved against it.
    pub crawled: Option<NaiveDate>,
}

/// A stable id for records whose source gives none: a hash of their content.
fn content_id(parts: &[&str]) -> String {
    // FNV-1a, 64 bit: stable across runs and platforms
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("h{h:016x}")
}

/// One posting as it arrives, every field as text: the one input of
/// [`parse_raw`]. File imports build it from a record through the file's
/// shape ([`raw_of`]); the publishing flow builds it from a typed job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawPosting {
    /// Where it came from (a file's line; 1 for a published job).
    pub line: u64,
    pub id: String,
    pub title: String,
    pub description: String,
    pub employer: String,
    pub location: String,
    pub salary: String,
    pub posted_at: String,
    pub education: String,
    pub experience: String,
    pub headcount: String,
    pub url: String,
    pub tags: String,
    pub industry: String,
}

/// A record's fields through `shape` (trimmed; a column the shape lacks is empty).
pub fn raw_of(shape: &Shape, rec: &Record) -> RawPosting {
    let get = |f: Field| -> String {
        shape
            .column(f)
            .and_then(|col| rec.values.get(col))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    RawPosting {
        line: rec.line,
        id: get(Field::Id),
        title: get(Field::Title),
        description: get(Field::Description),
        employer: get(Field::Employer),
        location: get(Field::Location),
        salary: get(Field::Salary),
        posted_at: get(Field::PostedAt),
        education: get(Field::Education),
        experience: get(Field::Experience),
        headcount: get(Field::Headcount),
        url: get(Field::Url),
        tags: get(Field::Tags),
        industry: get(Field::Industry),
    }
}

/// Parses one record of a file: [`raw_of`] then [`parse_raw`], errors naming
/// the file's columns.
pub fn parse_record(ctx: &Context<'_>, rec: &Record) -> Result<ParsedPosting, RowError> {
    if let Some(e) = rec.values.get("__error__") {
        return Err(RowError {
            file: ctx.file.to_string(),
            line: rec.line,
            column: "*".into(),
            problem: e.clone(),
            expected: "one record per line, with the file's columns".into(),
        });
    }
    let column = |f: Field| ctx.shape.column(f).unwrap_or("");
    parse_raw(
        &RawContext {
            file: ctx.file,
            source: &ctx.shape.source,
            engine: ctx.engine,
            crawled: ctx.crawled,
            column: &column,
        },
        &raw_of(ctx.shape, rec),
    )
}

/// What parsing a [`RawPosting`] needs besides it.
pub struct RawContext<'a> {
    /// Named in errors (a file's name).
    pub file: &'a str,
    /// The source the posting is stored under (`lagou`, `published`, …).
    pub source: &'a str,
    pub engine: &'a Engine,
    /// The day relative dates (`昨天 14:47`) are resolved against.
    pub crawled: Option<NaiveDate>,
    /// The column (or field) an error about `Field` names.
    pub column: &'a dyn Fn(Field) -> &'a str,
}

/// Parses and extracts one posting: salary, place, dates, education,
/// experience, headcount, and the classifier's roles, skills and
/// certifications. A bad value is a [`RowError`] naming its column.
pub fn parse_raw(ctx: &RawContext<'_>, raw: &RawPosting) -> Result<ParsedPosting, RowError> {
    let err = |f: Field, problem: String, expected: &str| RowError {
        file: ctx.file.to_string(),
        line: raw.line,
        column: (ctx.column)(f).to_string(),
        problem,
        expected: expected.to_string(),
    };
    let title = raw.title.trim().to_string();
    if title.is_empty() {
        return Err(err(
            Field::Title,
            "the title is empty".into(),
            "the job title, e.g. 渗透测试工程师 or SOC Analyst",
        ));
    }
    if title.chars().count() > 300 {
        return Err(err(
            Field::Title,
            format!("the title has {} characters", title.chars().count()),
            "a job title of at most 300 characters",
        ));
    }
    let description = raw.description.trim().to_string();
    let employer = raw.employer.trim().to_string();
    let location_raw = raw.location.trim().to_string();
    let salary_raw = raw.salary.trim().to_string();
    let salary = if salary_raw.is_empty() {
        None
    } else {
        Some(salary::parse(&salary_raw).ok_or_else(|| {
            err(Field::Salary, format!("`{salary_raw}` is not a salary"), "a salary such as 15k-25k, 1.5-2万/月, 15-25K·14薪, $90,000 - $120,000 a year, $45/hr or 面议")
        })?)
    };
    let date_raw = raw.posted_at.trim();
    let posted_at = if date_raw.is_empty() {
        None
    } else {
        match fields::posted_date(date_raw, ctx.crawled) {
            Some(d) => Some(d),
            None => {
                let relative = [
                    "今天",
                    "昨天",
                    "前天",
                    "天前",
                    "小时前",
                    "分钟前",
                    "刚刚",
                    "ago",
                    "today",
                    "yesterday",
                ]
                .iter()
                .any(|w| date_raw.to_lowercase().contains(w));
                return Err(if relative && ctx.crawled.is_none() {
                    err(
                        Field::PostedAt,
                        format!("`{date_raw}` is relative"),
                        "an absolute date, or --crawl-date YYYY-MM-DD to resolve relative ones",
                    )
                } else {
                    err(
                        Field::PostedAt,
                        format!("`{date_raw}` is not a date"),
                        "a date such as 2024-03-15, 2024/3/15, 2024-03-15T09:00:00, 03-15 or 昨天 14:47",
                    )
                });
            }
        }
    };
    let edu_raw = raw.education.trim();
    let exp_raw = raw.experience.trim();
    let hc_raw = raw.headcount.trim();
    let headcount = if hc_raw.is_empty() || hc_raw.contains("若干") {
        None
    } else {
        Some(fields::headcount(hc_raw).ok_or_else(|| {
            err(
                Field::Headcount,
                format!("`{hc_raw}` is not a headcount"),
                "a number of people such as 3, 招3人 or 若干",
            )
        })?)
    };
    let industry_raw = raw.industry.trim();
    // every USAJOBS posting is a federal agency's: public administration (GB/T 4754 S)
    let industry = if !industry_raw.is_empty() {
        Some(industry_raw.chars().take(100).collect())
    } else if ctx.source == "usajobs" {
        Some("公共管理 Public administration".to_string())
    } else {
        None
    };
    let id = raw.id.trim();
    let source_id = if id.is_empty() {
        content_id(&[&employer, &title, &location_raw, date_raw, &description])
    } else {
        id.to_string()
    };
    let c: Classification = ctx.engine.classifier.classify(&title, &description);
    let (skills, certifications) = c.term_ids(ctx.engine.classifier.model());
    // experience and education often sit in the description (or 51job's tags)
    // without their own columns, experience and education are read from a short
    // description (51job's tag list); long free text is too noisy for that
    let short_desc = description.chars().count() < 400;
    let experience = if exp_raw.is_empty() {
        fields::experience(&description).filter(|_| short_desc)
    } else {
        fields::experience(exp_raw)
    };
    let education = if edu_raw.is_empty() {
        fields::education(&description).filter(|_| short_desc)
    } else {
        fields::education(edu_raw)
    };
    Ok(ParsedPosting {
        source: ctx.source.to_string(),
        source_id,
        line: raw.line,
        location: ctx.engine.gazetteer.parse(&location_raw),
        location_raw,
        salary_raw,
        salary,
        education,
        experience,
        headcount,
        posted_at,
        url: raw.url.trim().to_string(),
        tags: raw.tags.trim().to_string(),
        industry,
        is_cyber: c.is_cyber,
        roles: c
            .roles
            .iter()
            .map(|r| (r.id.clone(), r.confidence))
            .collect(),
        platform_role: c
            .platform_roles
            .first()
            .map(|r| (r.id.clone(), r.confidence)),
        skills,
        certifications,
        title,
        description,
        employer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use cb_competency::bundled;
    use std::sync::{Arc, OnceLock};

    fn engine() -> &'static Engine {
        static E: OnceLock<Engine> = OnceLock::new();
        E.get_or_init(|| Engine::new(Classifier::new(Arc::new(bundled::model().expect("model")))))
    }

    /// A published job goes through the same parser as a file's row: the
    /// same fields give the same posting, and an error names the field.
    #[test]
    fn a_typed_posting_parses_as_the_same_row_of_a_file() {
        let csv = "id,title,description,employer,location,salary,posted_at,education\n\
                   j1, 渗透测试工程师 ,熟悉 Burp Suite 和 SQL 注入,甲科技,北京,15k-25k,2024-05-10,本科\n";
        let from_file = parse_all("jobs.csv", csv.as_bytes(), None)
            .pop()
            .expect("one row")
            .expect("parses");
        let raw = RawPosting {
            line: 2,
            id: "j1".into(),
            title: " 渗透测试工程师 ".into(),
            description: "熟悉 Burp Suite 和 SQL 注入".into(),
            employer: "甲科技".into(),
            location: "北京".into(),
            salary: "15k-25k".into(),
            posted_at: "2024-05-10".into(),
            education: "本科".into(),
            ..RawPosting::default()
        };
        let column = |f: Field| f.as_str();
        let ctx = RawContext {
            file: "published",
            source: &from_file.source,
            engine: engine(),
            crawled: None,
            column: &column,
        };
        let json = |p: &ParsedPosting| serde_json::to_value(p).expect("json");
        assert_eq!(
            json(&parse_raw(&ctx, &raw).expect("parses")),
            json(&from_file)
        );
        let bad = RawPosting {
            salary: "a lot".into(),
            ..raw
        };
        let e = parse_raw(&ctx, &bad).expect_err("a bad salary");
        assert_eq!((e.column.as_str(), e.line), ("salary", 2), "{e}");
    }

    fn parse_all(
        file: &str,
        bytes: &[u8],
        crawled: Option<NaiveDate>,
    ) -> Vec<Result<ParsedPosting, RowError>> {
        let (headers, records) = read(file, bytes).expect("readable");
        let records: Vec<Record> = records.collect();
        let records = records.into_iter();
        let shape = Shape::detect(&headers).expect("a known shape");
        let ctx = Context {
            file,
            shape: &shape,
            engine: engine(),
            crawled,
        };
        records.map(|r| parse_record(&ctx, &r)).collect()
    }

    #[test]
    fn lagou_rows_with_relative_dates() {
        let csv = "lagou_category,职位编码,职位名称,所在城市,发布日期,薪资待遇,公司编码,公司名称,公司全称\n安全专家,123,渗透测试工程师,北京,昨天 14:47,15k-25k,9,某科技,北京某科技有限公司\n";
        let crawl = NaiveDate::from_ymd_opt(2017, 5, 3);
        let p = parse_all("lagou.csv", csv.as_bytes(), crawl)
            .remove(0)
            .expect("parses");
        assert_eq!(
            (p.source.as_str(), p.source_id.as_str(), p.title.as_str()),
            ("lagou", "123", "渗透测试工程师")
        );
        assert_eq!(p.posted_at, NaiveDate::from_ymd_opt(2017, 5, 2));
        assert_eq!(p.location.city.as_deref(), Some("北京"));
        assert!(p.is_cyber && p.platform_role.as_ref().is_some_and(|r| r.0 == "pentester"));
        assert_eq!(p.tags, "安全专家");
        // without a crawl date a relative date is an error naming line and column
        let e = parse_all("lagou.csv", csv.as_bytes(), None)
            .remove(0)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with("lagou.csv, line 2, column `发布日期`") && e.contains("--crawl-date"),
            "{e}"
        );
    }

    #[test]
    fn job51_and_usajobs_and_generic_shapes() {
        let csv = "jobName,tags,area,salary,workYear,degree,companyName,companyType,companySize,logo,issueDate\n安全工程师,\"3-4年,本科,渗透测试,web安全\",浙江省宁波,1-1.5万,3-4年,本科,宁波某公司,民营,50-150人,x,2023-12-12 09:22:00\n";
        let p = parse_all("51job.csv", csv.as_bytes(), None)
            .remove(0)
            .expect("parses");
        assert_eq!(p.location.city.as_deref(), Some("宁波"));
        assert_eq!(
            p.experience.map(|e| (e.min_years, e.max_years)),
            Some((3, Some(4)))
        );
        assert_eq!(p.education, Some(Education::Bachelor));
        assert!(p.skills.iter().any(|(s, _)| s == "penetration-testing"));
        assert!(
            p.source_id.starts_with('h'),
            "content id for sources without ids"
        );

        let jsonl = r#"{"job_id": "1", "title": "IT CYBERSECURITY SPECIALIST (INFOSEC)", "organization": "Air National Guard Units", "locations": ["McGuire AFB, New Jersey", "Trenton, New Jersey"], "description": "Splunk and incident response.", "url": "https://example.invalid/1", "posted_at": "2025-08-13T00:00:00", "salary": "12-12", "grade": null, "remote": null}"#;
        let p = parse_all("usajobs.jsonl", jsonl.as_bytes(), None)
            .remove(0)
            .expect("parses");
        assert_eq!(
            (p.location.province.as_deref(), p.posted_at),
            (Some("New Jersey"), NaiveDate::from_ymd_opt(2025, 8, 13))
        );
        assert!(p.is_cyber && p.skills.iter().any(|(s, _)| s == "splunk"));

        let generic = "id,title,description,employer,location,salary,posted_at,headcount\nA1,SOC Analyst,Splunk required; Python is a plus,Acme,\"Arlington, VA\",\"$90,000 - $120,000 a year\",2024-03-15,招3人\n";
        let p = parse_all("x.csv", generic.as_bytes(), None)
            .remove(0)
            .expect("parses");
        assert_eq!((p.source_id.as_str(), p.openings()), ("A1", 3));
        assert!(matches!(p.salary, Some(SalaryInfo::Range(ref s)) if s.yearly_max == 120_000.0));
    }

    #[test]
    fn malformed_rows_name_file_line_column_and_expected_form() {
        let generic = "id,title,salary,posted_at\n1,SOC Analyst,lots,2024-01-01\n2,,10k-20k,2024-01-01\n3,Pentester,10k-20k,someday\n4,Ok,10k-20k,2024-01-01,extra\n";
        let r = parse_all("bad.csv", generic.as_bytes(), None);
        let msgs: Vec<String> = r
            .iter()
            .map(|x| x.as_ref().err().map(|e| e.to_string()).unwrap_or_default())
            .collect();
        assert!(msgs[0].starts_with("bad.csv, line 2, column `salary`: `lots` is not a salary; expected a salary such as 15k-25k"), "{}", msgs[0]);
        assert!(
            msgs[1].starts_with("bad.csv, line 3, column `title`"),
            "{}",
            msgs[1]
        );
        assert!(
            msgs[2].starts_with("bad.csv, line 4, column `posted_at`: `someday` is not a date"),
            "{}",
            msgs[2]
        );
        assert!(
            msgs[3].starts_with("bad.csv, line 5") && msgs[3].contains("5 fields"),
            "{}",
            msgs[3]
        );
        let e = parse_all("bad.jsonl", b"{\"title\":\"x\"}\n{oops\n", None)
            .remove(1)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with("bad.jsonl, line 2") && e.contains("not valid JSON"),
            "{e}"
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_hashes_are_stable() {
        let (h, _) = read("x.csv", &b"\xEF\xBB\xBFtitle,salary\nA,10k\n"[..]).expect("csv");
        assert_eq!(h[0], "title");
        assert_eq!(
            sha256_hex(&b"abc"[..]).expect("hash"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn mapping_files_name_the_columns() {
        let shape = Shape::from_mapping("map.toml", "source = \"school-fair\"\n[columns]\ntitle = \"岗位名称\"\ndescription = \"岗位要求\"\n").expect("mapping");
        assert_eq!(
            (shape.source.as_str(), shape.column(Field::Title)),
            ("school-fair", Some("岗位名称"))
        );
        let e = Shape::from_mapping(
            "map.toml",
            "source = \"x\"\n[columns]\ndescription = \"d\"\n",
        )
        .err()
        .unwrap_or_default();
        assert!(e.contains("title"), "{e}");
        let e = Shape::from_mapping(
            "map.toml",
            "source = \"x\"\n[columns]\ntitle = \"t\"\nsalry = \"s\"\n",
        )
        .err()
        .unwrap_or_default();
        assert!(e.contains("map.toml") && e.contains("salry"), "{e}");
    }

    #[test]
    fn unknown_shapes_and_formats_are_refused() {
        assert!(matches!(
            read("x.pdf", &b""[..]),
            Err(FileError::UnknownFormat { .. })
        ));
        let (h, _) = read("x.csv", &b"a,b\n1,2\n"[..]).expect("csv");
        assert!(Shape::detect(&h).is_none());
    }
}
