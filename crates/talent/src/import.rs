//! Talent-pool files as schools keep them: the roster (people), course →
//! skill mappings, course grades (学号, 姓名, 课程, 成绩) and enterprise
//! evaluations. Columns are recognised by Chinese or English header; every
//! bad value becomes a [`RowError`] naming file, line, column and the form
//! expected. Resolving names against stored schools, people and courses is
//! the service's job.

use crate::grade::{self, Grade};
use cb_tabular::{Record, RowError};
use chrono::NaiveDate;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    People,
    Courses,
    Grades,
    Evaluations,
    Competitions,
    Certificates,
    Awards,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "people" | "roster" => Some(Kind::People),
            "courses" => Some(Kind::Courses),
            "grades" => Some(Kind::Grades),
            "evaluations" => Some(Kind::Evaluations),
            "competitions" => Some(Kind::Competitions),
            "certificates" | "certifications" => Some(Kind::Certificates),
            "awards" => Some(Kind::Awards),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::People => "people",
            Kind::Courses => "courses",
            Kind::Grades => "grades",
            Kind::Evaluations => "evaluations",
            Kind::Competitions => "competitions",
            Kind::Certificates => "certificates",
            Kind::Awards => "awards",
        }
    }
    /// (field, accepted headers, required)
    fn columns(self) -> &'static [(&'static str, &'static [&'static str], bool)] {
        const SCHOOL: (&str, &[&str], bool) = ("school", &["学校", "院校", "school"], true);
        const NUMBER: (&str, &[&str], bool) = (
            "student_number",
            &["学号", "student_number", "student number"],
            true,
        );
        const DATE: (&str, &[&str], bool) =
            ("date", &["日期", "评价日期", "考试日期", "date"], false);
        match self {
            Kind::People => &[
                SCHOOL,
                ("program", &["专业", "program"], true),
                ("cohort", &["年级", "班级", "cohort", "class"], false),
                NUMBER,
                ("name", &["姓名", "name"], true),
                (
                    "graduation_year",
                    &["毕业年份", "毕业年", "graduation_year"],
                    true,
                ),
                ("region", &["地区", "省份", "region"], false),
                (
                    "consent_enterprise",
                    &["企业可见", "consent_enterprise"],
                    false,
                ),
            ],
            Kind::Courses => &[
                SCHOOL,
                ("program", &["专业", "program"], true),
                ("course", &["课程", "课程名称", "course"], true),
                ("skill", &["技能", "skill"], true),
                ("target_level", &["目标等级", "target_level"], true),
            ],
            Kind::Grades => &[
                SCHOOL,
                NUMBER,
                ("name", &["姓名", "name"], false),
                ("course", &["课程", "课程名称", "course"], true),
                ("grade", &["成绩", "grade", "score"], true),
                DATE,
            ],
            Kind::Evaluations => &[
                SCHOOL,
                NUMBER,
                ("enterprise", &["企业", "单位", "enterprise"], true),
                ("skill", &["技能", "skill"], true),
                ("level", &["等级", "评分", "level"], true),
                ("comment", &["评语", "comment"], false),
                DATE,
            ],
            Kind::Competitions => &[
                SCHOOL,
                NUMBER,
                ("event", &["赛事", "比赛", "event"], true),
                ("category", &["类别", "方向", "category"], true),
                ("rank", &["名次", "排名", "rank"], true),
                ("teams", &["参赛队数", "队伍数", "teams"], true),
                DATE,
            ],
            Kind::Certificates => &[
                SCHOOL,
                NUMBER,
                ("name", &["姓名", "name"], false),
                (
                    "certificate",
                    &["证书", "证书名称", "certificate", "certification"],
                    true,
                ),
                (
                    "date",
                    &["取得日期", "发证日期", "获证日期", "日期", "date"],
                    false,
                ),
            ],
            Kind::Awards => &[
                SCHOOL,
                NUMBER,
                ("name", &["姓名", "name"], false),
                ("award", &["奖项", "荣誉", "获奖名称", "award"], true),
                ("issuer", &["颁发单位", "授予单位", "issuer"], true),
                ("skills", &["技能", "相关技能", "skills"], false),
                ("level", &["等级", "level"], false),
                ("date", &["获奖日期", "日期", "date"], false),
            ],
        }
    }
}

/// Which header carries each field of a file.
#[derive(Debug, Clone)]
pub struct Columns {
    pub kind: Kind,
    map: HashMap<&'static str, String>,
}

impl Columns {
    /// Matches headers to fields; a missing required column names the
    /// headers that would do.
    pub fn resolve(file: &str, kind: Kind, headers: &[String]) -> Result<Columns, String> {
        let mut map = HashMap::new();
        for (field, names, required) in kind.columns() {
            match headers
                .iter()
                .find(|h| names.iter().any(|n| n.eq_ignore_ascii_case(h.trim())))
            {
                Some(h) => {
                    map.insert(*field, h.clone());
                }
                None if *required => {
                    return Err(format!(
                        "{file}: no column for `{field}`; expected a header named one of {} (the file has: {})",
                        names.join(", "),
                        headers.join(", ")
                    ));
                }
                None => {}
            }
        }
        Ok(Columns { kind, map })
    }

    /// The header this file uses for `field`, if it has one.
    pub fn header(&self, field: &str) -> Option<&str> {
        self.map.get(field).map(String::as_str)
    }

    fn get<'r>(&self, rec: &'r Record, field: &str) -> (&str, &'r str) {
        match self.map.get(field) {
            Some(h) => (
                h.as_str(),
                rec.values.get(h).map(|v| v.trim()).unwrap_or(""),
            ),
            None => ("", ""),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub line: u64,
    pub school: String,
    pub program: String,
    pub cohort: Option<String>,
    pub student_number: String,
    pub name: String,
    pub graduation_year: i64,
    pub region: Option<String>,
    pub consent_enterprise: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CourseRow {
    pub line: u64,
    pub school: String,
    pub program: String,
    pub course: String,
    pub skill_id: String,
    pub target_level: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GradeRow {
    pub line: u64,
    pub school: String,
    pub student_number: String,
    pub name: Option<String>,
    pub course: String,
    pub grade_raw: String,
    pub grade: Grade,
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRow {
    pub line: u64,
    pub school: String,
    pub student_number: String,
    pub enterprise: String,
    pub skill_id: String,
    pub level: f64,
    pub comment: String,
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompetitionRow {
    pub line: u64,
    pub school: String,
    pub student_number: String,
    pub event: String,
    pub category: String,
    pub rank: u32,
    pub teams: u32,
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CertificateRow {
    pub line: u64,
    pub school: String,
    pub student_number: String,
    pub certification_id: String,
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AwardRow {
    pub line: u64,
    pub school: String,
    pub student_number: String,
    pub title: String,
    pub issuer: String,
    /// Skills the award speaks to, shown at `level`; none for an award that
    /// names no skill (kept as a record, counted in no level).
    pub skills: Vec<String>,
    pub level: f64,
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Person(PersonRow),
    Course(CourseRow),
    Grade(GradeRow),
    Evaluation(EvaluationRow),
    Competition(CompetitionRow),
    Certificate(CertificateRow),
    Award(AwardRow),
}

/// How names in a file become catalog ids.
pub struct Lookup<'a> {
    /// A skill id, name or alias → its id.
    pub skill: &'a dyn Fn(&str) -> Option<String>,
    /// A certification id, name or alias → its id.
    pub certificate: &'a dyn Fn(&str) -> Option<String>,
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let head: String = s
        .trim()
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != 'T')
        .collect();
    let parts: Vec<u32> = head
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    match parts.as_slice() {
        [y, m, d, ..] if *y >= 1990 => NaiveDate::from_ymd_opt(*y as i32, *m, *d),
        _ => None,
    }
}

fn yes_no(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "是" | "同意" | "yes" | "y" | "true" | "1" => Some(true),
        "否" | "不同意" | "no" | "n" | "false" | "0" | "" => Some(false),
        _ => None,
    }
}

/// Parses one record, resolving skill and certificate names through `lookup`.
pub fn parse_row(
    cols: &Columns,
    file: &str,
    rec: &Record,
    lookup: &Lookup<'_>,
) -> Result<Row, RowError> {
    let skill = lookup.skill;
    let err = |column: &str, problem: String, expected: &str| RowError {
        file: file.to_string(),
        line: rec.line,
        column: column.to_string(),
        problem,
        expected: expected.to_string(),
    };
    if let Some(e) = rec.values.get("__error__") {
        return Err(err(
            "*",
            e.clone(),
            "one record per line, with the file's columns",
        ));
    }
    let req = |field: &str, expected: &str| -> Result<String, RowError> {
        let (col, v) = cols.get(rec, field);
        if v.is_empty() {
            Err(err(col, "the value is empty".into(), expected))
        } else {
            Ok(v.to_string())
        }
    };
    let opt = |field: &str| -> Option<String> {
        let (_, v) = cols.get(rec, field);
        (!v.is_empty()).then(|| v.to_string())
    };
    let date = |field: &str| -> Result<Option<NaiveDate>, RowError> {
        let (col, v) = cols.get(rec, field);
        if v.is_empty() {
            return Ok(None);
        }
        parse_date(v).map(Some).ok_or_else(|| {
            err(
                col,
                format!("`{v}` is not a date"),
                "a date such as 2024-06-30",
            )
        })
    };
    let skill_of = |field: &str| -> Result<String, RowError> {
        let v = req(
            field,
            "a skill of the lexicon, by id, name or alias (e.g. sql-injection, SQL注入)",
        )?;
        let (col, _) = cols.get(rec, field);
        skill(&v).ok_or_else(|| err(col, format!("`{v}` is not a skill of the lexicon"), "a skill id, name or alias such as sql-injection or SQL注入 (see `cyberbridge framework search`)"))
    };
    let level_of = |field: &str| -> Result<f64, RowError> {
        let v = req(field, "a level from 1 to 5")?;
        let (col, _) = cols.get(rec, field);
        v.parse::<f64>()
            .ok()
            .filter(|l| (1.0..=5.0).contains(l))
            .ok_or_else(|| err(col, format!("`{v}` is not a level"), "a level from 1 to 5"))
    };
    let school = req("school", "the school's name")?;
    Ok(match cols.kind {
        Kind::People => {
            let (gcol, graw) = cols.get(rec, "graduation_year");
            let graduation_year = graw
                .parse::<i64>()
                .ok()
                .filter(|y| (1990..=2100).contains(y))
                .ok_or_else(|| {
                    err(
                        gcol,
                        format!("`{graw}` is not a year"),
                        "a graduation year such as 2026",
                    )
                })?;
            let (ccol, craw) = cols.get(rec, "consent_enterprise");
            let consent_enterprise = yes_no(craw)
                .ok_or_else(|| err(ccol, format!("`{craw}`"), "是 or 否 (yes or no)"))?;
            Row::Person(PersonRow {
                line: rec.line,
                program: req("program", "the program (专业) name")?,
                cohort: opt("cohort"),
                student_number: req("student_number", "the student number (学号)")?,
                name: req("name", "the person's name")?,
                graduation_year,
                region: opt("region"),
                consent_enterprise,
                school,
            })
        }
        Kind::Courses => Row::Course(CourseRow {
            line: rec.line,
            program: req("program", "the program (专业) name")?,
            course: req("course", "the course name")?,
            skill_id: skill_of("skill")?,
            target_level: level_of("target_level")?,
            school,
        }),
        Kind::Grades => {
            let grade_raw = req(
                "grade",
                "a grade: a percent (85), 优/良/中/及格/不及格, A–F or a GPA (3.7)",
            )?;
            let (gcol, _) = cols.get(rec, "grade");
            let grade = grade::parse(&grade_raw).ok_or_else(|| {
                err(
                    gcol,
                    format!("`{grade_raw}` is not a grade"),
                    "a percent (85), 优/良/中/及格/不及格, A–F or a GPA (3.7)",
                )
            })?;
            Row::Grade(GradeRow {
                line: rec.line,
                student_number: req("student_number", "the student number (学号)")?,
                name: opt("name"),
                course: req("course", "the course name")?,
                grade_raw,
                grade,
                date: date("date")?,
                school,
            })
        }
        Kind::Competitions => {
            let count = |field: &str, what: &str| -> Result<u32, RowError> {
                let (col, v) = cols.get(rec, field);
                v.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    err(
                        col,
                        format!("`{v}` is not a {what}"),
                        &format!("a whole number ≥ 1 ({what})"),
                    )
                })
            };
            let rank = count("rank", "rank")?;
            let teams = count("teams", "number of teams")?;
            if rank > teams {
                let (col, _) = cols.get(rec, "rank");
                return Err(err(
                    col,
                    format!("rank {rank} is behind the last of {teams} teams"),
                    "a rank no greater than the number of teams",
                ));
            }
            Row::Competition(CompetitionRow {
                line: rec.line,
                student_number: req("student_number", "the student number (学号)")?,
                event: req("event", "the event, e.g. 强网杯, CISCN")?,
                category: req(
                    "category",
                    "a category such as Web, Pwn, Reverse, Crypto, Misc, 取证, AWD",
                )?,
                rank,
                teams,
                date: date("date")?,
                school,
            })
        }
        Kind::Certificates => {
            let v = req(
                "certificate",
                "a certificate of the catalog, by id, name or alias (e.g. CISP-PTE, 注册渗透测试工程师)",
            )?;
            let (col, _) = cols.get(rec, "certificate");
            let certification_id = (lookup.certificate)(&v).ok_or_else(|| {
                err(col, format!("`{v}` is not a certificate of the catalog"), "a certificate id, name or alias such as cisp-pte, 注册渗透测试工程师 or OSCP (see `cyberbridge framework search`)")
            })?;
            Row::Certificate(CertificateRow {
                line: rec.line,
                student_number: req("student_number", "the student number (学号)")?,
                certification_id,
                date: date("date")?,
                school,
            })
        }
        Kind::Awards => {
            let (scol, sraw) = cols.get(rec, "skills");
            let mut skills = Vec::new();
            for name in sraw
                .split([';', '；', '、', '/'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let id = skill(name).ok_or_else(|| err(scol, format!("`{name}` is not a skill of the lexicon"), "skills of the lexicon separated by ; or 、 (e.g. Web安全、SQL注入), or nothing"))?;
                if !skills.contains(&id) {
                    skills.push(id);
                }
            }
            let (lcol, lraw) = cols.get(rec, "level");
            let level = if lraw.is_empty() {
                3.0
            } else {
                lraw.parse::<f64>()
                    .ok()
                    .filter(|l| (1.0..=5.0).contains(l))
                    .ok_or_else(|| {
                        err(
                            lcol,
                            format!("`{lraw}` is not a level"),
                            "a level from 1 to 5, or nothing for 3",
                        )
                    })?
            };
            Row::Award(AwardRow {
                line: rec.line,
                student_number: req("student_number", "the student number (学号)")?,
                title: req(
                    "award",
                    "the award's title, e.g. 全国大学生信息安全竞赛一等奖",
                )?,
                issuer: req("issuer", "who granted it")?,
                skills,
                level,
                date: date("date")?,
                school,
            })
        }
        Kind::Evaluations => Row::Evaluation(EvaluationRow {
            line: rec.line,
            student_number: req("student_number", "the student number (学号)")?,
            enterprise: req("enterprise", "the enterprise's name")?,
            skill_id: skill_of("skill")?,
            level: level_of("level")?,
            comment: opt("comment").unwrap_or_default(),
            date: date("date")?,
            school,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(kind: Kind, csv: &str) -> Vec<Result<Row, RowError>> {
        let (headers, records) = cb_tabular::read("t.csv", csv.as_bytes()).expect("csv");
        let cols = Columns::resolve("t.csv", kind, &headers).expect("columns");
        let skill = |s: &str| match s {
            "SQL注入" | "sql-injection" => Some("sql-injection".to_string()),
            "Web安全" => Some("web-security".to_string()),
            _ => None,
        };
        let certificate = |s: &str| match s {
            "CISP-PTE" | "注册渗透测试工程师" => Some("cisp-pte".to_string()),
            _ => None,
        };
        records
            .map(|r| {
                parse_row(
                    &cols,
                    "t.csv",
                    &r,
                    &Lookup {
                        skill: &skill,
                        certificate: &certificate,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn grades_in_chinese_headers_and_every_scale() {
        let r = rows(
            Kind::Grades,
            "学校,学号,姓名,课程,成绩,日期\n甲校,2021001,王伟,Web安全,良,2023-01-10\n甲校,2021002,李娜,Web安全,3.7,\n",
        );
        match &r[0] {
            Ok(Row::Grade(g)) => {
                assert_eq!(
                    (
                        g.student_number.as_str(),
                        g.course.as_str(),
                        g.grade.attainment
                    ),
                    ("2021001", "Web安全", 0.85)
                );
                assert_eq!(g.date, NaiveDate::from_ymd_opt(2023, 1, 10));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&r[1], Ok(Row::Grade(g)) if g.grade.attainment > 0.85 && g.date.is_none())
        );
    }

    #[test]
    fn bad_values_name_line_column_and_form() {
        let r = rows(
            Kind::Grades,
            "学校,学号,课程,成绩\n甲校,2021001,Web安全,缺考\n甲校,,Web安全,90\n",
        );
        let e0 = r[0]
            .as_ref()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e0.starts_with(
                "t.csv, line 2, column `成绩`: `缺考` is not a grade; expected a percent"
            ),
            "{e0}"
        );
        let e1 = r[1]
            .as_ref()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e1.starts_with("t.csv, line 3, column `学号`: the value is empty"),
            "{e1}"
        );
        let r = rows(
            Kind::Evaluations,
            "school,student_number,enterprise,skill,level\nA,1,Acme,SQL注入,6\nA,1,Acme,juggling,3\n",
        );
        let e = r[0]
            .as_ref()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("column `level`: `6` is not a level; expected a level from 1 to 5"),
            "{e}"
        );
        let e = r[1]
            .as_ref()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("column `skill`: `juggling` is not a skill of the lexicon"),
            "{e}"
        );
        let r = rows(
            Kind::People,
            "学校,专业,学号,姓名,毕业年份,企业可见\n甲校,网络空间安全,1,王伟,二〇二六,是\n甲校,网络空间安全,2,李娜,2026,也许\n",
        );
        assert!(r[0].as_ref().err().is_some_and(|e| e.column == "毕业年份"));
        assert!(
            r[1].as_ref()
                .err()
                .is_some_and(|e| e.column == "企业可见" && e.expected.contains("是"))
        );
    }

    #[test]
    fn competition_results() {
        let r = rows(
            Kind::Competitions,
            "学校,学号,赛事,类别,名次,参赛队数,日期\n甲校,1,强网杯,Web,3,200,2024-10-01\n甲校,1,CISCN,Pwn,300,200,\n",
        );
        assert!(
            matches!(&r[0], Ok(Row::Competition(c)) if c.rank == 3 && c.teams == 200 && c.category == "Web")
        );
        let e = r[1]
            .as_ref()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("line 3, column `名次`: rank 300 is behind the last of 200 teams"),
            "{e}"
        );
    }

    #[test]
    fn certificates_by_any_name_and_awards_with_skills() {
        let r = rows(
            Kind::Certificates,
            "学校,学号,证书,取得日期\n甲校,1,注册渗透测试工程师,2024-05-01\n甲校,1,驾驶证,\n",
        );
        assert!(
            matches!(&r[0], Ok(Row::Certificate(c)) if c.certification_id == "cisp-pte" && c.date == NaiveDate::from_ymd_opt(2024, 5, 1))
        );
        let e = r[1]
            .as_ref()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with(
                "t.csv, line 3, column `证书`: `驾驶证` is not a certificate of the catalog"
            ),
            "{e}"
        );
        let r = rows(
            Kind::Awards,
            "学校,学号,奖项,颁发单位,相关技能,等级\n甲校,1,信息安全竞赛一等奖,教育部,Web安全、SQL注入,4\n甲校,1,三好学生,学校,,\n甲校,1,奖学金,学校,编织,\n甲校,1,一等奖,学校,SQL注入,9\n",
        );
        assert!(
            matches!(&r[0], Ok(Row::Award(a)) if a.skills == ["web-security", "sql-injection"] && a.level == 4.0)
        );
        assert!(
            matches!(&r[1], Ok(Row::Award(a)) if a.skills.is_empty() && a.level == 3.0 && a.issuer == "学校")
        );
        assert!(
            r[2].as_ref()
                .err()
                .is_some_and(|e| e.column == "相关技能" && e.problem.contains("编织"))
        );
        assert!(
            r[3].as_ref()
                .err()
                .is_some_and(|e| e.column == "等级" && e.line == 5)
        );
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let e = Columns::resolve(
            "g.csv",
            Kind::Grades,
            &["学校".into(), "学号".into(), "课程".into()],
        )
        .err()
        .unwrap_or_default();
        assert!(
            e.starts_with("g.csv: no column for `grade`") && e.contains("成绩"),
            "{e}"
        );
    }
}
