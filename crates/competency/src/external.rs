//! Frameworks users bring (DoD DCWF, EU ECSF), mapped onto NICE work roles.

use crate::error::ModelError;
use crate::model::Link;
use crate::parse::rows;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalFramework {
    /// `dcwf` or `ecsf`.
    pub id: String,
    pub name: String,
    pub version: String,
    pub licence: String,
    pub roles: Vec<ExternalRole>,
    pub elements: Vec<ExternalElement>,
    /// Role → element links where the framework gives them (ECSF does).
    pub role_elements: Vec<Link>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalRole {
    pub id: String,
    pub title: String,
    pub description: String,
    /// The framework's own grouping (DCWF workforce element), if any.
    pub group: String,
    pub alternative_titles: Vec<String>,
    pub nice: Vec<ExternalNiceLink>,
}

/// An external role's mapping to a NICE work role: `official` when the
/// framework itself publishes it, `proposed` when it is ours.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExternalNiceLink {
    pub nice_role_id: String,
    pub status: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalElement {
    pub id: String,
    pub kind: String,
    pub text: String,
}

impl ExternalFramework {
    pub fn canonicalize(&mut self) {
        for r in &mut self.roles {
            r.nice.sort();
            r.nice.dedup_by(|a, b| a.nice_role_id == b.nice_role_id);
            r.alternative_titles.sort();
            r.alternative_titles.dedup();
        }
        self.roles.sort_by(|a, b| a.id.cmp(&b.id));
        self.elements.sort_by(|a, b| a.id.cmp(&b.id));
        self.elements.dedup_by(|a, b| a.id == b.id);
        self.role_elements.sort();
        self.role_elements.dedup();
    }
}

#[derive(Deserialize)]
struct DcwfFile {
    source_date: String,
    work_roles: Vec<DcwfRole>,
    elements: Vec<DcwfElement>,
}

#[derive(Deserialize)]
struct DcwfRole {
    workforce_element: String,
    work_role: String,
    dcwf_code: String,
    ncwf_id: Option<String>,
    definition: String,
}

#[derive(Deserialize)]
struct DcwfElement {
    dcwf_id: String,
    element_type: String,
    description: String,
}

/// Parses the DoD Cyber Workforce Framework v5.1 export. Roles whose file
/// carries a NICE id keep it as `official` (source `dcwf`); the others take the
/// `proposed` links of `crosswalk` (`dcwf_code|nice_role_id|status|source|note`).
pub fn dcwf(
    file: &str,
    text: &str,
    crosswalk_file: &str,
    crosswalk: &str,
) -> Result<ExternalFramework, ModelError> {
    let doc: DcwfFile = serde_json::from_str(text).map_err(|source| ModelError::Json {
        file: file.to_string(),
        source,
    })?;
    let mut proposed: BTreeMap<String, Vec<ExternalNiceLink>> = BTreeMap::new();
    for r in rows(
        crosswalk_file,
        crosswalk,
        &["dcwf_code", "nice_role_id", "status", "source", "note"],
    )? {
        proposed
            .entry(r.req("dcwf_code", "a DCWF code such as 551")?.to_string())
            .or_default()
            .push(ExternalNiceLink {
                nice_role_id: r.req("nice_role_id", "a NICE work role id")?.to_string(),
                status: r.req("status", "proposed or official")?.to_string(),
                source: r.req("source", "who proposed the link")?.to_string(),
            });
    }
    let mut roles = Vec::new();
    for (i, w) in doc.work_roles.iter().enumerate() {
        if w.dcwf_code == "DCWF Code" {
            continue; // the export repeats its column titles as the first record
        }
        if w.dcwf_code.trim().is_empty() || w.work_role.trim().is_empty() {
            return Err(ModelError::invalid(
                file,
                None,
                Some(&format!("work_roles[{i}]")),
                "empty code or title",
                "a DCWF code and work role title",
            ));
        }
        let mut nice: Vec<ExternalNiceLink> = w
            .ncwf_id
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|id| ExternalNiceLink {
                nice_role_id: id.trim().to_string(),
                status: "official".into(),
                source: "dcwf".into(),
            })
            .collect();
        if nice.is_empty() {
            nice = proposed.get(&w.dcwf_code).cloned().unwrap_or_default();
        }
        roles.push(ExternalRole {
            id: w.dcwf_code.clone(),
            title: w.work_role.clone(),
            description: w.definition.clone(),
            group: w.workforce_element.clone(),
            alternative_titles: vec![],
            nice,
        });
    }
    let elements = doc
        .elements
        .into_iter()
        .map(|e| ExternalElement {
            id: e.dcwf_id,
            kind: e.element_type.to_lowercase(),
            text: e.description,
        })
        .collect();
    let mut fw = ExternalFramework {
        id: "dcwf".into(),
        name: "DoD Cyber Workforce Framework".into(),
        version: format!("5.1 ({})", doc.source_date),
        licence: "US Government work, public domain".into(),
        roles,
        elements,
        role_elements: vec![],
    };
    fw.canonicalize();
    Ok(fw)
}

#[derive(Deserialize)]
struct EcsfFile {
    work_role: Vec<EcsfRole>,
    tks: Vec<EcsfTks>,
    relationship: Vec<EcsfRel>,
}

#[derive(Deserialize)]
struct EcsfRole {
    id: i64,
    title: String,
    #[serde(rename = "alternative_title(s)", default)]
    alternative_titles: Vec<String>,
    #[serde(default)]
    summary_statement: String,
}

#[derive(Deserialize)]
struct EcsfTks {
    #[serde(rename = "type")]
    kind: String,
    description: String,
    id: String,
}

#[derive(Deserialize)]
struct EcsfRel {
    work_role_id: i64,
    tks_id: String,
}

/// Parses the ENISA ECSF role profiles; NICE links come from `crosswalk`
/// (`ecsf_title|nice_role_id|status|source`).
pub fn ecsf(
    file: &str,
    text: &str,
    crosswalk_file: &str,
    crosswalk: &str,
) -> Result<ExternalFramework, ModelError> {
    let doc: EcsfFile = serde_json::from_str(text).map_err(|source| ModelError::Json {
        file: file.to_string(),
        source,
    })?;
    let mut links: BTreeMap<String, Vec<ExternalNiceLink>> = BTreeMap::new();
    for r in rows(
        crosswalk_file,
        crosswalk,
        &["ecsf_title", "nice_role_id", "status", "source"],
    )? {
        links
            .entry(r.req("ecsf_title", "an ECSF profile title")?.to_string())
            .or_default()
            .push(ExternalNiceLink {
                nice_role_id: r.req("nice_role_id", "a NICE work role id")?.to_string(),
                status: r.req("status", "proposed or official")?.to_string(),
                source: r.req("source", "who proposed the link")?.to_string(),
            });
    }
    let roles = doc
        .work_role
        .iter()
        .map(|w| ExternalRole {
            id: w.id.to_string(),
            title: w.title.clone(),
            description: w.summary_statement.clone(),
            group: String::new(),
            alternative_titles: w.alternative_titles.clone(),
            nice: links.get(&w.title).cloned().unwrap_or_default(),
        })
        .collect();
    let elements = doc
        .tks
        .into_iter()
        .map(|t| ExternalElement {
            id: t.id,
            kind: t.kind.to_lowercase(),
            text: t.description,
        })
        .collect();
    let role_elements = doc
        .relationship
        .into_iter()
        .map(|r| Link {
            from: r.work_role_id.to_string(),
            to: r.tks_id,
        })
        .collect();
    let mut fw = ExternalFramework {
        id: "ecsf".into(),
        name: "European Cybersecurity Skills Framework (ENISA)".into(),
        version: "1.0".into(),
        licence: "ECSF © ENISA, CC BY 4.0".into(),
        roles,
        elements,
        role_elements,
    };
    fw.canonicalize();
    Ok(fw)
}
