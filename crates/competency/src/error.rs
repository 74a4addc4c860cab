use std::fmt;

/// Where in a data file something went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    /// 1-based line number, when the file is line-oriented.
    pub line: Option<u64>,
    pub field: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        Ok(())
    }
}

/// Errors reading or checking competency-model data. Each names the file, and
/// where it applies the line and field, and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{at}: {problem}; expected {expected}")]
    Invalid {
        at: Location,
        problem: String,
        expected: String,
    },
    #[error("{file}: not valid JSON: {source}")]
    Json {
        file: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{file}: {source}")]
    Csv {
        file: String,
        #[source]
        source: csv::Error,
    },
    #[error("the competency model has {} integrity problem(s); first: {}", .0.len(), .0.first().map(String::as_str).unwrap_or(""))]
    Integrity(Vec<String>),
}

impl ModelError {
    pub fn invalid(
        file: &str,
        line: Option<u64>,
        field: Option<&str>,
        problem: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        ModelError::Invalid {
            at: Location {
                file: file.to_string(),
                line,
                field: field.map(str::to_string),
            },
            problem: problem.into(),
            expected: expected.into(),
        }
    }
}
