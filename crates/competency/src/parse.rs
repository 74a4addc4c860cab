//! Parsers for the data files in `data/`. Each takes the file's name (for error
//! messages) and its text; none reads the file system.

use crate::error::ModelError;
use crate::model::*;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One record of a `|`-separated data file, with its line number.
pub struct Row<'h> {
    file: &'h str,
    line: u64,
    headers: &'h [&'h str],
    record: csv::StringRecord,
}

impl Row<'_> {
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The trimmed value of `field` (empty when blank).
    pub fn get(&self, field: &str) -> &str {
        self.headers
            .iter()
            .position(|h| *h == field)
            .and_then(|i| self.record.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    /// The value of `field`, which must not be blank.
    pub fn req(&self, field: &str, expected: &str) -> Result<&str, ModelError> {
        let v = self.get(field);
        if v.is_empty() {
            Err(self.error(field, "the value is empty", expected))
        } else {
            Ok(v)
        }
    }

    /// A `;`-separated list; blank items are dropped.
    pub fn list(&self, field: &str) -> Vec<String> {
        self.get(field)
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn int(
        &self,
        field: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<i64, ModelError> {
        let expected = format!("a whole number from {} to {}", range.start(), range.end());
        let raw = self.req(field, &expected)?;
        match raw.parse::<i64>() {
            Ok(v) if range.contains(&v) => Ok(v),
            _ => Err(self.error(field, format!("`{raw}` is not valid"), expected)),
        }
    }

    pub fn error(
        &self,
        field: &str,
        problem: impl Into<String>,
        expected: impl Into<String>,
    ) -> ModelError {
        ModelError::invalid(self.file, Some(self.line), Some(field), problem, expected)
    }
}

/// Reads a `|`-separated file whose first line must be exactly `headers`.
pub fn rows<'h>(
    file: &'h str,
    text: &str,
    headers: &'h [&'h str],
) -> Result<Vec<Row<'h>>, ModelError> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b'|')
        .quoting(false)
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let found: Vec<String> = rdr
        .headers()
        .map_err(|source| ModelError::Csv {
            file: file.to_string(),
            source,
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if found != headers {
        return Err(ModelError::invalid(
            file,
            Some(1),
            None,
            format!("the header is `{}`", found.join("|")),
            format!("the header `{}`", headers.join("|")),
        ));
    }
    let mut out = Vec::new();
    for rec in rdr.records() {
        let record = rec.map_err(|source| ModelError::Csv {
            file: file.to_string(),
            source,
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            return Err(ModelError::invalid(
                file,
                Some(line),
                None,
                format!("the row has {} fields", record.len()),
                format!(
                    "{} fields separated by `|` ({})",
                    headers.len(),
                    headers.join("|")
                ),
            ));
        }
        out.push(Row {
            file,
            line,
            headers,
            record,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------- NICE JSON

#[derive(Deserialize)]
struct NiceElement {
    element_type: String,
    element_identifier: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct NiceRelationship {
    source_element_identifier: String,
    dest_element_identifier: String,
}

#[derive(Deserialize)]
struct NiceDocument {
    version: String,
}

#[derive(Deserialize)]
struct NiceBody {
    #[serde(default)]
    documents: Vec<NiceDocument>,
    elements: Vec<NiceElement>,
    relationships: Vec<NiceRelationship>,
}

#[derive(Deserialize)]
struct NiceV21 {
    response: NiceV21Response,
}

#[derive(Deserialize)]
struct NiceV21Response {
    elements: NiceBody,
}

/// What a NICE release contributes to the model.
pub struct NiceFramework {
    pub version: String,
    pub categories: Vec<Category>,
    pub work_roles: Vec<WorkRole>,
    pub competency_areas: Vec<CompetencyArea>,
    pub statements: Vec<Statement>,
    pub role_statements: Vec<Link>,
}

/// Parses NICE Framework Components v2.1.0 as NIST's CPRT exports it
/// (`response.elements.{elements, relationships}`).
pub fn nice_v21(file: &str, text: &str) -> Result<NiceFramework, ModelError> {
    let doc: NiceV21 = serde_json::from_str(text).map_err(|source| ModelError::Json {
        file: file.to_string(),
        source,
    })?;
    let body = doc.response.elements;
    let version = body
        .documents
        .first()
        .map(|d| d.version.clone())
        .ok_or_else(|| {
            ModelError::invalid(
                file,
                None,
                Some("documents"),
                "no document entry",
                "one document with a version",
            )
        })?;

    let mut kinds: BTreeMap<&str, &str> = BTreeMap::new();
    let mut sort: BTreeMap<&str, i64> = BTreeMap::new();
    let mut opm: BTreeMap<&str, &str> = BTreeMap::new();
    for e in &body.elements {
        kinds.insert(e.element_identifier.as_str(), e.element_type.as_str());
        if e.element_type == "sort" {
            // `S-OG` → "00001"; `S-OG-WRL-001` → "00001.00001"
            if let Some(id) = e.element_identifier.strip_prefix("S-") {
                let key = e.title.replace('.', "");
                let n = key.parse::<i64>().map_err(|_| {
                    ModelError::invalid(
                        file,
                        None,
                        Some("sort.title"),
                        format!("`{}` for {}", e.title, e.element_identifier),
                        "digits and dots such as 00001.00002",
                    )
                })?;
                sort.insert(id, n);
            }
        }
    }
    for r in &body.relationships {
        let (s, d) = (
            r.source_element_identifier.as_str(),
            r.dest_element_identifier.as_str(),
        );
        if kinds.get(s) == Some(&"work_role") && kinds.get(d) == Some(&"opm_code") {
            opm.insert(s, d);
        }
    }
    let mut category_of: BTreeMap<&str, &str> = BTreeMap::new();
    let mut role_statements = Vec::new();
    for r in &body.relationships {
        let (s, d) = (
            r.source_element_identifier.as_str(),
            r.dest_element_identifier.as_str(),
        );
        match (kinds.get(s).copied(), kinds.get(d).copied()) {
            (Some("category"), Some("work_role")) => {
                category_of.insert(d, s);
            }
            (Some("work_role"), Some("task" | "knowledge" | "skill")) => {
                role_statements.push(Link {
                    from: s.to_string(),
                    to: d.to_string(),
                })
            }
            _ => {}
        }
    }

    let mut fw = NiceFramework {
        version,
        categories: vec![],
        work_roles: vec![],
        competency_areas: vec![],
        statements: vec![],
        role_statements,
    };
    for e in &body.elements {
        let id = e.element_identifier.clone();
        match e.element_type.as_str() {
            "category" => fw.categories.push(Category {
                sort: sort.get(id.as_str()).copied().unwrap_or(i64::MAX),
                id,
                title: e.title.clone(),
                description: e.text.clone(),
                title_zh: String::new(),
            }),
            "work_role" => {
                let category_id = category_of
                    .get(id.as_str())
                    .map(|s| s.to_string())
                    .ok_or_else(|| {
                        ModelError::invalid(
                            file,
                            None,
                            Some("relationships"),
                            format!("work role {id} has no category"),
                            "a category → work role relationship",
                        )
                    })?;
                fw.work_roles.push(WorkRole {
                    sort: sort.get(id.as_str()).copied().unwrap_or(i64::MAX),
                    opm_code: opm.get(id.as_str()).map(|s| s.to_string()),
                    id,
                    category_id,
                    title: e.title.clone(),
                    description: e.text.clone(),
                    title_zh: String::new(),
                })
            }
            "competency_area" => fw.competency_areas.push(CompetencyArea {
                id,
                title: e.title.clone(),
                description: e.text.clone(),
                title_zh: String::new(),
            }),
            "task" | "knowledge" | "skill" => fw.statements.push(Statement {
                id,
                kind: StatementKind::parse(&e.element_type).unwrap_or(StatementKind::Task),
                text: e.text.clone(),
            }),
            _ => {}
        }
    }
    Ok(fw)
}

/// The competency area → knowledge/skill links of NICE v2.0.0 (top-level
/// `elements` / `relationships`), which v2.1.0 no longer ships.
pub fn nice_v20_area_links(file: &str, text: &str) -> Result<Vec<Link>, ModelError> {
    let body: NiceBody = serde_json::from_str(text).map_err(|source| ModelError::Json {
        file: file.to_string(),
        source,
    })?;
    let kinds: BTreeMap<&str, &str> = body
        .elements
        .iter()
        .map(|e| (e.element_identifier.as_str(), e.element_type.as_str()))
        .collect();
    Ok(body
        .relationships
        .iter()
        .filter(|r| {
            kinds.get(r.source_element_identifier.as_str()) == Some(&"competency_area")
                && matches!(
                    kinds.get(r.dest_element_identifier.as_str()),
                    Some(&"knowledge" | &"skill")
                )
        })
        .map(|r| Link {
            from: r.source_element_identifier.clone(),
            to: r.dest_element_identifier.clone(),
        })
        .collect())
}

// ---------------------------------------------------------------- CSV files

pub fn gbt_categories(file: &str, text: &str) -> Result<Vec<GbtCategory>, ModelError> {
    rows(
        file,
        text,
        &[
            "id",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
        ],
    )?
    .iter()
    .map(|r| {
        Ok(GbtCategory {
            id: r.req("id", "an id such as GBT-OPS")?.to_string(),
            name_zh: r.req("name_zh", "the Chinese name")?.to_string(),
            name_en: r.req("name_en", "the English name")?.to_string(),
            description_zh: r.get("description_zh").to_string(),
            description_en: r.get("description_en").to_string(),
        })
    })
    .collect()
}

pub fn gbt_crosswalk(file: &str, text: &str) -> Result<Vec<GbtNiceLink>, ModelError> {
    rows(
        file,
        text,
        &["gbt_id", "nice_role_id", "status", "source", "note"],
    )?
    .iter()
    .map(|r| {
        let status = r.req("status", "`proposed` or `official`")?;
        if status != "proposed" && status != "official" {
            return Err(r.error("status", format!("`{status}`"), "`proposed` or `official`"));
        }
        Ok(GbtNiceLink {
            gbt_id: r.req("gbt_id", "a GB/T category id")?.to_string(),
            nice_role_id: r
                .req("nice_role_id", "a NICE work role id such as PD-WRL-001")?
                .to_string(),
            status: status.to_string(),
            source: r
                .req("source", "who proposed or published the link")?
                .to_string(),
            note: r.get("note").to_string(),
        })
    })
    .collect()
}

pub fn proficiency_levels(file: &str, text: &str) -> Result<Vec<ProficiencyLevel>, ModelError> {
    rows(
        file,
        text,
        &[
            "level",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "national_level_zh",
            "national_level_en",
        ],
    )?
    .iter()
    .map(|r| {
        Ok(ProficiencyLevel {
            level: r.int("level", 1..=5)?,
            name_zh: r.req("name_zh", "the Chinese name")?.to_string(),
            name_en: r.req("name_en", "the English name")?.to_string(),
            description_zh: r.get("description_zh").to_string(),
            description_en: r.get("description_en").to_string(),
            national_level_zh: r.get("national_level_zh").to_string(),
            national_level_en: r.get("national_level_en").to_string(),
        })
    })
    .collect()
}

/// Platform roles, plus their core-skill links.
pub fn platform_roles(
    file: &str,
    text: &str,
) -> Result<(Vec<PlatformRole>, Vec<SkillRoleLink>), ModelError> {
    let mut roles = Vec::new();
    let mut links = Vec::new();
    for r in rows(
        file,
        text,
        &[
            "id",
            "name_zh",
            "name_en",
            "gbt",
            "nice",
            "variants",
            "core_skills",
        ],
    )? {
        let id = r
            .req("id", "a lowercase slug such as pentester")?
            .to_string();
        let nice = r.list("nice");
        if nice.is_empty() {
            return Err(r.error(
                "nice",
                "no NICE work role",
                "one or more NICE work role ids separated by `;`",
            ));
        }
        for skill in r.list("core_skills") {
            links.push(SkillRoleLink {
                skill_id: skill,
                role_id: id.clone(),
                relation: RoleRelation::Core,
            });
        }
        roles.push(PlatformRole {
            name_zh: r.req("name_zh", "the Chinese name")?.to_string(),
            name_en: r.req("name_en", "the English name")?.to_string(),
            gbt_id: r
                .req("gbt", "a GB/T category id such as GBT-OPS")?
                .to_string(),
            nice_role_ids: nice,
            variants: r.list("variants"),
            id,
        });
    }
    Ok((roles, links))
}

pub fn certifications(file: &str, text: &str) -> Result<Vec<Certification>, ModelError> {
    rows(
        file,
        text,
        &[
            "id",
            "name_zh",
            "name_en",
            "issuer_zh",
            "issuer_en",
            "level",
            "roles",
            "aliases",
        ],
    )?
    .iter()
    .map(|r| {
        Ok(Certification {
            id: r.req("id", "a lowercase slug such as cissp")?.to_string(),
            name_zh: r.req("name_zh", "the Chinese name")?.to_string(),
            name_en: r.req("name_en", "the English name")?.to_string(),
            issuer_zh: r.req("issuer_zh", "the issuer's Chinese name")?.to_string(),
            issuer_en: r.req("issuer_en", "the issuer's English name")?.to_string(),
            level: r.int("level", 1..=5)?,
            role_ids: r.list("roles"),
            aliases: r.list("aliases"),
            skill_ids: Vec::new(),
        })
    })
    .collect()
}

/// `id|title_zh`: Chinese titles of the NICE categories, work roles and
/// competency areas.
pub fn names_zh(file: &str, text: &str, nice: &mut NiceFramework) -> Result<(), ModelError> {
    const EXPECTED: &str =
        "a NICE category, work role or competency area id such as OG, PD-WRL-001 or NF-COM-004";
    for r in rows(file, text, &["id", "title_zh"])? {
        let id = r.req("id", EXPECTED)?;
        let title = r.req("title_zh", "the Chinese title")?.to_string();
        let slot = nice
            .categories
            .iter_mut()
            .find(|c| c.id == id)
            .map(|c| &mut c.title_zh)
            .or_else(|| {
                nice.work_roles
                    .iter_mut()
                    .find(|w| w.id == id)
                    .map(|w| &mut w.title_zh)
            })
            .or_else(|| {
                nice.competency_areas
                    .iter_mut()
                    .find(|a| a.id == id)
                    .map(|a| &mut a.title_zh)
            });
        match slot {
            Some(slot) => *slot = title,
            None => {
                return Err(r.error(
                    "id",
                    format!("`{id}` is not in the NICE Framework"),
                    EXPECTED,
                ));
            }
        }
    }
    Ok(())
}

/// `certification_id|skills|basis`: the skills each certificate shows, with
/// the exam outline the list follows. Adds them to `certs`; a certificate
/// the catalog lacks is an error naming the line.
pub fn certification_skills(
    file: &str,
    text: &str,
    certs: &mut [Certification],
) -> Result<(), ModelError> {
    for r in rows(file, text, &["certification_id", "skills", "basis"])? {
        let id = r.req(
            "certification_id",
            "a certification id of certifications.csv",
        )?;
        r.req(
            "basis",
            "the exam outline or body of knowledge the list follows",
        )?;
        let Some(c) = certs.iter_mut().find(|c| c.id == id) else {
            return Err(r.error(
                "certification_id",
                format!("`{id}` is not in certifications.csv"),
                "a certification id of certifications.csv",
            ));
        };
        c.skill_ids = r.list("skills");
    }
    Ok(())
}

/// A skill domain with its default NICE links and roles.
pub struct DomainDefaults {
    pub domain: SkillDomain,
    pub nice: Vec<String>,
    pub roles: Vec<String>,
}

pub fn skill_domains(file: &str, text: &str) -> Result<Vec<DomainDefaults>, ModelError> {
    rows(file, text, &["id", "name_zh", "name_en", "nice", "roles"])?
        .iter()
        .map(|r| {
            Ok(DomainDefaults {
                domain: SkillDomain {
                    id: r.req("id", "a lowercase slug")?.to_string(),
                    name_zh: r.req("name_zh", "the Chinese name")?.to_string(),
                    name_en: r.req("name_en", "the English name")?.to_string(),
                },
                nice: r.list("nice"),
                roles: r.list("roles"),
            })
        })
        .collect()
}

/// A lexicon file's skills with the NICE and role links written on their rows.
pub type LexiconFile = (Vec<Skill>, Vec<SkillNiceLink>, Vec<SkillRoleLink>);

/// A lexicon file's skills, with the links written on their rows. The domain
/// is the file name's stem up to the first `-` (`offensive-tools.csv` →
/// `offensive`).
pub fn skills(file: &str, text: &str) -> Result<LexiconFile, ModelError> {
    let stem = file.rsplit('/').next().unwrap_or(file);
    let stem = stem.strip_suffix(".csv").unwrap_or(stem);
    let domain = stem.split('-').next().unwrap_or(stem).to_string();
    let mut skills = Vec::new();
    let mut nice = Vec::new();
    let mut roles = Vec::new();
    for r in rows(
        file,
        text,
        &[
            "id", "name_en", "name_zh", "kind", "aliases", "nice", "roles",
        ],
    )? {
        let id = r.req("id", "a lowercase slug such as burp-suite")?;
        if !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(r.error("id", format!("`{id}`"), "lowercase letters, digits and `-`"));
        }
        let kind_raw = r.req("kind", "one of tool, technique, knowledge, platform, language, standard, practice, vulnerability")?;
        let kind = SkillKind::parse(kind_raw).ok_or_else(|| {
            r.error("kind", format!("`{kind_raw}`"), "one of tool, technique, knowledge, platform, language, standard, practice, vulnerability")
        })?;
        for target in r.list("nice") {
            nice.push(SkillNiceLink {
                skill_id: id.to_string(),
                target_id: target,
                source: LinkSource::Curated,
            });
        }
        for role in r.list("roles") {
            roles.push(SkillRoleLink {
                skill_id: id.to_string(),
                role_id: role,
                relation: RoleRelation::Related,
            });
        }
        skills.push(Skill {
            id: id.to_string(),
            name_en: r.req("name_en", "the English name")?.to_string(),
            name_zh: r.req("name_zh", "the Chinese name")?.to_string(),
            kind,
            domain_id: domain.clone(),
            aliases: r.list("aliases"),
        });
    }
    Ok((skills, nice, roles))
}

/// `skill_id|statement_id|method` links proposed by `data/tools/link_nice.py`.
pub fn nice_links(file: &str, text: &str) -> Result<Vec<SkillNiceLink>, ModelError> {
    rows(file, text, &["skill_id", "statement_id", "method"])?
        .iter()
        .map(|r| {
            let method = r.req("method", "phrase-match or curated")?;
            let source = LinkSource::parse(method).ok_or_else(|| {
                r.error("method", format!("`{method}`"), "phrase-match or curated")
            })?;
            Ok(SkillNiceLink {
                skill_id: r.req("skill_id", "a skill id")?.to_string(),
                target_id: r
                    .req("statement_id", "a NICE statement id such as K0955")?
                    .to_string(),
                source,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_row_names_file_line_and_expected_shape() {
        let text =
            "id|name_en|name_zh|kind|aliases|nice|roles\nnmap|Nmap|Nmap|tool|||\nbad|Bad|坏|tool\n";
        let err = skills("lexicon/offensive-tools.csv", text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("lexicon/offensive-tools.csv, line 3"), "{err}");
        assert!(err.contains("7 fields"), "{err}");
    }

    #[test]
    fn an_unknown_kind_names_the_field() {
        let text = "id|name_en|name_zh|kind|aliases|nice|roles\nnmap|Nmap|Nmap|gadget|||\n";
        let err = skills("x.csv", text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("x.csv, line 2, field `kind`: `gadget`"),
            "{err}"
        );
        assert!(err.contains("expected one of tool"), "{err}");
    }

    #[test]
    fn a_wrong_header_is_reported_on_line_one() {
        let err = gbt_categories("g.csv", "id|name\nA|B\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("g.csv, line 1"), "{err}");
    }

    #[test]
    fn domain_comes_from_the_file_stem() {
        let text = "id|name_en|name_zh|kind|aliases|nice|roles\nnmap|Nmap|Nmap|tool|zenmap;nse脚本|K0956|pentester\n";
        let (s, n, r) = skills("data/lexicon/offensive-tools.csv", text).expect("parses");
        assert_eq!(s[0].domain_id, "offensive");
        assert_eq!(s[0].aliases, vec!["zenmap", "nse脚本"]);
        assert_eq!(n[0].target_id, "K0956");
        assert_eq!(r[0].role_id, "pentester");
    }

    #[test]
    fn levels_outside_one_to_five_are_rejected() {
        let text = "level|name_zh|name_en|description_zh|description_en|national_level_zh|national_level_en\n7|x|x||||\n";
        let err = proficiency_levels("p.csv", text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("field `level`") && err.contains("from 1 to 5"),
            "{err}"
        );
    }
}
