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
    /// The file asks for more than [`Limits`] allows: refused before it is read.
    #[error(
        "{file}: {what} exceeds the limit of {limit}; split the file or import it with the command line"
    )]
    TooLarge {
        file: String,
        what: String,
        limit: String,
    },
    #[error(
        "{file}: the columns ({headers}) match no known shape; expected a `title` column (with id, description, employer, location, salary, posted_at), the Lagou, 51job or USAJOBS columns, or a --mapping file"
    )]
    UnknownShape { file: String, headers: String },
}

/// A record the import refuses, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, thiserror::Error)]
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

/// What a file may make a reader hold or do. Every reader checks these
/// before it allocates for what the file claims: a workbook's parts are
/// unpacked and counted before the workbook is opened, a sheet's cells are
/// counted and placed before any row is built, a line is cut off at its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Columns a header (CSV, JSON Lines) or sheet may have.
    pub max_columns: usize,
    /// Cells with a value a sheet may hold.
    pub max_cells: u64,
    /// Bytes a workbook may unpack to, all its parts together.
    pub max_unpacked: u64,
    /// Parts (zip entries) a workbook may have.
    pub max_parts: usize,
    /// Bytes one JSON line may have.
    pub max_line: usize,
}

impl Default for Limits {
    /// 512 columns; 10 million cells and 256 MiB unpacked per workbook, in at
    /// most 1,000 parts; 4 MiB per JSON line. A real roster, transcript or
    /// postings export is far inside these; a larger one goes as CSV or JSON
    /// Lines through the command line.
    fn default() -> Self {
        Limits {
            max_columns: 512,
            max_cells: 10_000_000,
            max_unpacked: 256 << 20,
            max_parts: 1_000,
            max_line: 4 << 20,
        }
    }
}

/// The file's column headers and records, streamed from `reader`, within
/// [`Limits::default`]. A record that cannot be read becomes a record with an
/// `__error__` value, so that it is reported (or rejected) with its line like
/// any other bad row; a file beyond the limits is refused as a whole.
pub fn read<'a, R: Read + 'a>(
    file: &str,
    reader: R,
) -> Result<(Vec<String>, Records<'a>), FileError> {
    read_within(file, reader, Limits::default())
}

/// [`read`] within `limits`.
pub fn read_within<'a, R: Read + 'a>(
    file: &str,
    reader: R,
    limits: Limits,
) -> Result<(Vec<String>, Records<'a>), FileError> {
    let format = Format::of(file).ok_or_else(|| FileError::UnknownFormat {
        file: file.to_string(),
    })?;
    let too_large = |what: String, limit: String| FileError::TooLarge {
        file: file.to_string(),
        what,
        limit,
    };
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
            if headers.len() > limits.max_columns {
                return Err(too_large(
                    format!("the header's {} columns", headers.len()),
                    format!("{} columns", limits.max_columns),
                ));
            }
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
            let mut lines = BoundedLines {
                inner: BufReader::new(reader),
                max: limits.max_line,
            };
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
                        if m.len() > limits.max_columns {
                            return Err(too_large(
                                format!("the first object's {} keys", m.len()),
                                format!("{} columns", limits.max_columns),
                            ));
                        }
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
            let mut bytes = Vec::new();
            let mut reader = reader;
            let unreadable = |detail: String| FileError::Unreadable {
                file: file.into(),
                format: "Excel",
                detail,
            };
            reader
                .read_to_end(&mut bytes)
                .map_err(|e| unreadable(e.to_string()))?;
            let refused = |e: xlsx::Refusal| match e {
                xlsx::Refusal::TooLarge(what, limit) => too_large(what, limit),
                xlsx::Refusal::Unreadable(detail) => unreadable(detail),
            };
            xlsx::check_parts(&bytes, &limits).map_err(refused)?;
            let (headers, rows) = xlsx::stream(bytes, limits).map_err(refused)?;
            Ok((headers, Box::new(rows)))
        }
    }
}

/// JSON Lines' lines, each cut off at `max` bytes: a longer line becomes an
/// error for its line number and reading goes on at the next one.
struct BoundedLines<R> {
    inner: R,
    max: usize,
}

impl<R: BufRead> Iterator for BoundedLines<R> {
    type Item = std::io::Result<String>;
    fn next(&mut self) -> Option<Self::Item> {
        let mut line = Vec::new();
        let mut too_long = false;
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) => return Some(Err(e)),
            };
            if buf.is_empty() {
                if line.is_empty() && !too_long {
                    return None;
                }
                break;
            }
            let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (&buf[..i], Some(i + 1)),
                None => (buf, None),
            };
            if line.len() + chunk.len() > self.max {
                too_long = true;
            } else if !too_long {
                line.extend_from_slice(chunk);
            }
            let used = done.unwrap_or(buf.len());
            self.inner.consume(used);
            if done.is_some() {
                break;
            }
        }
        if too_long {
            return Some(Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("the line is longer than {} bytes", self.max),
            )));
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Some(
            String::from_utf8(line)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())),
        )
    }
}

mod xlsx {
    //! Excel workbooks, measured before they are believed: every part is
    //! unpacked and counted first (a zip bomb stops at the budget, whatever
    //! the headers claim), the shared-strings count is checked before the
    //! workbook reserves room for it, and the first sheet's cells are counted
    //! and placed in one pass before any row is built. Rows are then streamed
    //! from a reading thread, a few at a time.
    use super::{Limits, Record};
    use calamine::{Data, DataRef, Reader, Xlsx};
    use std::collections::HashMap;
    use std::io::{Cursor, Read};

    pub(super) enum Refusal {
        /// What, and the limit it exceeds.
        TooLarge(String, String),
        Unreadable(String),
    }

    fn mib(n: u64) -> String {
        format!("{} MiB", n >> 20)
    }

    pub(super) fn check_parts(bytes: &[u8], limits: &Limits) -> Result<(), Refusal> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| Refusal::Unreadable(e.to_string()))?;
        if zip.len() > limits.max_parts {
            return Err(Refusal::TooLarge(
                format!("the workbook's {} parts", zip.len()),
                format!("{} parts", limits.max_parts),
            ));
        }
        let mut unpacked = 0u64;
        let mut buf = vec![0u8; 64 << 10];
        for i in 0..zip.len() {
            let mut part = zip
                .by_index(i)
                .map_err(|e| Refusal::Unreadable(e.to_string()))?;
            let shared_strings = part
                .name()
                .is_ok_and(|n| n.eq_ignore_ascii_case("xl/sharedStrings.xml"));
            let mut head: Vec<u8> = Vec::new();
            loop {
                let n = part
                    .read(&mut buf)
                    .map_err(|e| Refusal::Unreadable(e.to_string()))?;
                if n == 0 {
                    break;
                }
                unpacked += n as u64;
                if unpacked > limits.max_unpacked {
                    return Err(Refusal::TooLarge(
                        format!("the workbook unpacked (over {})", mib(limits.max_unpacked)),
                        mib(limits.max_unpacked),
                    ));
                }
                if shared_strings && head.len() < 4096 {
                    head.extend_from_slice(&buf[..n.min(4096 - head.len())]);
                }
            }
            if let Some(n) =
                declared_count(&head).filter(|&n| shared_strings && n > limits.max_cells)
            {
                return Err(Refusal::TooLarge(
                    format!("the workbook's {n} shared strings"),
                    format!("{} cells", limits.max_cells),
                ));
            }
        }
        Ok(())
    }

    /// The largest `count` or `uniqueCount` the `<sst>` element declares.
    fn declared_count(head: &[u8]) -> Option<u64> {
        let text = String::from_utf8_lossy(head);
        let sst = &text[text.find("<sst")?..];
        let tag = &sst[..sst.find('>').unwrap_or(sst.len())];
        let mut most: Option<u64> = None;
        for key in ["uniqueCount=", "count="] {
            if let Some(i) = tag.find(key) {
                let v = tag[i + key.len()..].trim_start_matches(['"', '\'']);
                let digits: String = v.chars().take_while(char::is_ascii_digit).collect();
                // more digits than a u64 holds is more than any limit
                let n = digits.parse::<u64>().unwrap_or(u64::MAX);
                most = Some(most.map_or(n, |m| m.max(n)));
            }
        }
        most
    }

    fn text(d: &Data) -> String {
        match d {
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
        }
    }

    type Workbook = Xlsx<Cursor<Vec<u8>>>;

    fn open(bytes: Vec<u8>) -> Result<(Workbook, String), Refusal> {
        let wb: Xlsx<_> =
            Xlsx::new(Cursor::new(bytes)).map_err(|e| Refusal::Unreadable(e.to_string()))?;
        let sheet = wb
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| Refusal::Unreadable("the workbook has no sheet".into()))?;
        Ok((wb, sheet))
    }

    /// One pass over the first sheet: every cell within `max_columns`, the
    /// cells with a value within `max_cells`.
    fn measure(
        wb: &mut Xlsx<Cursor<Vec<u8>>>,
        sheet: &str,
        limits: &Limits,
    ) -> Result<(), Refusal> {
        let mut cells = wb
            .worksheet_cells_reader(sheet)
            .map_err(|e| Refusal::Unreadable(e.to_string()))?;
        let mut valued = 0u64;
        while let Some(cell) = cells
            .next_cell()
            .map_err(|e| Refusal::Unreadable(e.to_string()))?
        {
            let (row, col) = cell.get_position();
            if col as usize >= limits.max_columns {
                return Err(Refusal::TooLarge(
                    format!("a cell in column {} (row {})", col + 1, u64::from(row) + 1),
                    format!("{} columns", limits.max_columns),
                ));
            }
            if !matches!(cell.get_value(), DataRef::Empty) {
                valued += 1;
                if valued > limits.max_cells {
                    return Err(Refusal::TooLarge(
                        format!("the sheet's cells (over {})", limits.max_cells),
                        format!("{} cells", limits.max_cells),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The header row and the other rows' records, after [`measure`] has
    /// passed: rows are built on a reading thread and handed over a few at a
    /// time, so memory holds a few rows, not the sheet.
    pub(super) fn stream(
        bytes: Vec<u8>,
        limits: Limits,
    ) -> Result<(Vec<String>, impl Iterator<Item = Record>), Refusal> {
        let (mut wb, sheet) = open(bytes)?;
        measure(&mut wb, &sheet, &limits)?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<(u32, Vec<String>), String>>(64);
        std::thread::spawn(move || {
            let mut cells = match wb.worksheet_cells_reader(&sheet) {
                Ok(c) => c,
                Err(e) => {
                    let _ = tx.send(Err(e.to_string()));
                    return;
                }
            };
            let mut current: Option<(u32, Vec<String>)> = None;
            loop {
                let cell = match cells.next_cell() {
                    Ok(Some(c)) => c,
                    Ok(None) => break,
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                        return;
                    }
                };
                let (row, col) = cell.get_position();
                let value = text(&Data::from(cell.get_value().clone()));
                if current.as_ref().is_some_and(|(r, _)| *r != row)
                    && let Some(done) = current.take()
                    && tx.send(Ok(done)).is_err()
                {
                    return;
                }
                let (_, values) = current.get_or_insert_with(|| (row, Vec::new()));
                let col = col as usize;
                if values.len() <= col {
                    values.resize(col + 1, String::new());
                }
                values[col] = value;
            }
            if let Some(done) = current {
                let _ = tx.send(Ok(done));
            }
        });
        let mut rows = rx.into_iter();
        let headers: Vec<String> = match rows.next() {
            None => Vec::new(),
            Some(Err(e)) => return Err(Refusal::Unreadable(e)),
            Some(Ok((_, h))) => h.iter().map(|c| c.trim().to_string()).collect(),
        };
        let hs = headers.clone();
        let records = rows.map_while(move |r| {
            Some(match r {
                Ok((row, cells)) => {
                    let raw = cells.join(",");
                    let mut values: HashMap<String, String> =
                        hs.iter().cloned().zip(cells).collect();
                    for h in &hs {
                        values.entry(h.clone()).or_default();
                    }
                    Record {
                        line: u64::from(row) + 1,
                        offset: 0,
                        raw,
                        values,
                    }
                }
                Err(e) => Record {
                    line: 0,
                    offset: 0,
                    raw: String::new(),
                    values: HashMap::from([(
                        "__error__".to_string(),
                        format!("cannot read the sheet: {e}"),
                    )]),
                },
            })
        });
        Ok((
            headers,
            records.filter(|r| r.values.values().any(|v| !v.trim().is_empty())),
        ))
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
