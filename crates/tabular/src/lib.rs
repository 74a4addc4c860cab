//! Reading the tabular files schools, boards and enterprises hand over — CSV
//! (and TSV), JSON Lines, Excel — as records with their line numbers, from any
//! reader; and the row error every importer reports.
//!
//! Architecture invariant: no file system access; callers pass readers.

use serde::Serialize;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Jsonl,
    Xlsx,
}

impl Format {
    pub fn of(file_name: &str) -> Option<Format> {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".csv") || lower.ends_with(".tsv") {
            Some(Format::Csv)
        } else if lower.ends_with(".jsonl")
            || lower.ends_with(".ndjson")
            || lower.ends_with(".json")
        {
            Some(Format::Jsonl)
        } else if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
            Some(Format::Xlsx)
        } else {
            None
        }
    }
}

/// One record of a file: its line number, the byte offset after it (for
/// progress), the record as written (for the reject file) and its values by
/// column header.
#[derive(Debug, Clone)]
pub struct Record {
    pub line: u64,
    pub offset: u64,
    pub raw: String,
    pub values: HashMap<String, String>,
}

/// Errors that stop reading a file as a whole.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{file}: unknown file type; expected .csv, .jsonl or .xlsx")]
    UnknownFormat { file: String },
    #[error("{file}: cannot read the file as {format}: {detail}")]
    Unreadable {
        file: String,
        format: &'static str,
        detail: String,
    },
    #[error(
        "{file}: the columns ({headers}) match no known shape; expected a `title` column (with id, description, employer, location, salary, posted_at), the Lagou, 51job or USAJOBS columns, or a --mapping file"
    )]
    UnknownShape { file: String, headers: String },
}

/// A record the import refuses, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{file}, line {line}, column `{column}`: {problem}; expected {expected}")]
pub struct RowError {
    pub file: String,
    pub line: u64,
    pub column: String,
    pub problem: String,
    pub expected: String,
}

fn json_value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        // USAJOBS `locations`: the first place is the primary one
        serde_json::Value::Array(a) => a.first().map(json_value_text).unwrap_or_default(),
        other => other.to_string(),
    }
}

/// A file's records, in file order.
pub type Records<'a> = Box<dyn Iterator<Item = Record> + 'a>;

/// The file's column headers and records, streamed from `reader`. A record
/// that cannot be read becomes a record with an `__error__` value, so that it
/// is reported (or rejected) with its line like any other bad row.
pub fn read<'a, R: Read + 'a>(
    file: &str,
    reader: R,
) -> Result<(Vec<String>, Records<'a>), FileError> {
    let format = Format::of(file).ok_or_else(|| FileError::UnknownFormat {
        file: file.to_string(),
    })?;
    match format {
        Format::Csv => {
            let delimiter = if file.to_ascii_lowercase().ends_with(".tsv") {
                b'\t'
            } else {
                b','
            };
            let mut rdr = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .from_reader(SkipBom::new(reader));
            let headers: Vec<String> = rdr
                .headers()
                .map_err(|e| FileError::Unreadable {
                    file: file.into(),
                    format: "CSV",
                    detail: e.to_string(),
                })?
                .iter()
                .map(|h| h.trim().to_string())
                .collect();
            let hs = headers.clone();
            let width = hs.len();
            let iter = rdr.into_records().map(move |r| match r {
                Ok(rec) => {
                    let (line, offset) = rec
                        .position()
                        .map(|p| (p.line(), p.byte()))
                        .unwrap_or((0, 0));
                    let mut values: HashMap<String, String> = hs
                        .iter()
                        .cloned()
                        .zip(rec.iter().map(str::to_string))
                        .collect();
                    if rec.len() != width {
                        values.insert(
                            "__error__".into(),
                            format!("the row has {} fields, the header {}", rec.len(), width),
                        );
                    }
                    let raw = rec.iter().collect::<Vec<_>>().join(",");
                    Record {
                        line,
                        offset,
                        raw,
                        values,
                    }
                }
                Err(e) => {
                    let (line, offset) =
                        e.position().map(|p| (p.line(), p.byte())).unwrap_or((0, 0));
                    Record {
                        line,
                        offset,
                        raw: String::new(),
                        values: HashMap::from([(
                            "__error__".to_string(),
                            format!("not valid CSV: {e}"),
                        )]),
                    }
                }
            });
            Ok((headers, Box::new(iter)))
        }
        Format::Jsonl => {
            let mut lines = BufReader::new(reader).lines();
            let mut pending: Vec<(u64, std::io::Result<String>)> = Vec::new();
            let mut headers: Vec<String> = Vec::new();
            let mut n = 0u64;
            // headers: the keys of the first object
            for l in lines.by_ref() {
                n += 1;
                let blank = l.as_ref().is_ok_and(|s| s.trim().is_empty());
                if !blank {
                    if let Ok(Ok(serde_json::Value::Object(m))) = l
                        .as_ref()
                        .map(|s| serde_json::from_str::<serde_json::Value>(s))
                    {
                        headers = m.keys().cloned().collect();
                    }
                    pending.push((n, l));
                    break;
                }
            }
            let mut offset = 0u64;
            let rest = lines.enumerate().map(move |(i, l)| (n + 1 + i as u64, l));
            let iter = pending
                .into_iter()
                .chain(rest)
                .filter(|(_, l)| !l.as_ref().is_ok_and(|s| s.trim().is_empty()))
                .map(move |(line, l)| {
                    let text = match l {
                        Ok(t) => t,
                        Err(e) => {
                            return Record {
                                line,
                                offset,
                                raw: String::new(),
                                values: HashMap::from([(
                                    "__error__".to_string(),
                                    format!("cannot read the line: {e}"),
                                )]),
                            };
                        }
                    };
                    offset += text.len() as u64 + 1;
                    let values = match serde_json::from_str::<serde_json::Value>(&text) {
                        Ok(serde_json::Value::Object(m)) => m
                            .iter()
                            .map(|(k, v)| (k.clone(), json_value_text(v)))
                            .collect(),
                        Ok(_) => HashMap::from([(
                            "__error__".to_string(),
                            "the line is not a JSON object".to_string(),
                        )]),
                        Err(e) => HashMap::from([(
                            "__error__".to_string(),
                            format!("not valid JSON: {e}"),
                        )]),
                    };
                    Record {
                        line,
                        offset,
                        raw: text,
                        values,
                    }
                });
            Ok((headers, Box::new(iter)))
        }
        Format::Xlsx => {
            use calamine::{Data, Reader, Xlsx};
            let mut bytes = Vec::new();
            let mut reader = reader;
            reader
                .read_to_end(&mut bytes)
                .map_err(|e| FileError::Unreadable {
                    file: file.into(),
                    format: "Excel",
                    detail: e.to_string(),
                })?;
            let mut wb: Xlsx<_> =
                Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| FileError::Unreadable {
                    file: file.into(),
                    format: "Excel",
                    detail: e.to_string(),
                })?;
            let range = wb
                .worksheet_range_at(0)
                .ok_or_else(|| FileError::Unreadable {
                    file: file.into(),
                    format: "Excel",
                    detail: "the workbook has no sheet".into(),
                })?
                .map_err(|e| FileError::Unreadable {
                    file: file.into(),
                    format: "Excel",
                    detail: e.to_string(),
                })?;
            let cell = |d: &Data| match d {
                Data::Empty => String::new(),
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Int(i) => i.to_string(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(dt) => dt
                    .as_datetime()
                    .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default(),
                Data::Error(e) => format!("#{e:?}"),
            };
            let mut rows = range.rows();
            let headers: Vec<String> = rows
                .next()
                .map(|r| r.iter().map(|c| cell(c).trim().to_string()).collect())
                .unwrap_or_default();
            let start = range.start().map(|(r, _)| u64::from(r)).unwrap_or(0);
            let records: Vec<Record> = rows
                .enumerate()
                .map(|(i, r)| {
                    let cells: Vec<String> = r.iter().map(&cell).collect();
                    Record {
                        line: start + i as u64 + 2,
                        offset: 0,
                        raw: cells.join(","),
                        values: headers.iter().cloned().zip(cells).collect(),
                    }
                })
                .filter(|r| r.values.values().any(|v| !v.trim().is_empty()))
                .collect();
            Ok((headers, Box::new(records.into_iter())))
        }
    }
}

/// Drops a UTF-8 byte-order mark at the start of a stream (Excel writes one into CSV).
struct SkipBom<R> {
    inner: R,
    checked: bool,
    head: Vec<u8>,
}

impl<R: Read> SkipBom<R> {
    fn new(inner: R) -> Self {
        SkipBom {
            inner,
            checked: false,
            head: Vec::new(),
        }
    }
}

impl<R: Read> Read for SkipBom<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.checked {
            self.checked = true;
            let mut first = [0u8; 3];
            let mut got = 0;
            while got < 3 {
                let n = self.inner.read(&mut first[got..])?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            if &first[..got] != b"\xEF\xBB\xBF" {
                self.head = first[..got].to_vec();
            }
        }
        if !self.head.is_empty() {
            let n = self.head.len().min(buf.len());
            buf[..n].copy_from_slice(&self.head[..n]);
            self.head.drain(..n);
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// SHA-256 of a byte string.
pub fn sha256_bytes(bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).into()
}

/// SHA-256 of a stream, hex: the identity of an imported file.
pub fn sha256_hex<R: Read>(mut reader: R) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}
