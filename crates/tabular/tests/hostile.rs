//! Files made to hurt the reader: each is refused, as a whole, with the limit
//! it breaks named, before the reader allocates for what the file claims.

use cb_tabular::{FileError, Limits, read, read_within};
use std::io::Write;

/// A workbook with one sheet (`sheet_data`: the `<sheetData>` content) and,
/// when given, a shared-strings part.
fn workbook(sheet_data: &str, shared: Option<&str>) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let mut part = |name: &str, body: &str| {
            z.start_file(name, opts).expect("part");
            z.write_all(body.as_bytes()).expect("write");
        };
        part(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        );
        part(
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        );
        part(
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        );
        let shared_rel = if shared.is_some() {
            r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#
        } else {
            ""
        };
        part(
            "xl/_rels/workbook.xml.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>{shared_rel}</Relationships>"#
            ),
        );
        part(
            "xl/worksheets/sheet1.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#
            ),
        );
        if let Some(sst) = shared {
            part("xl/sharedStrings.xml", sst);
        }
        z.finish().expect("finish");
    }
    out.into_inner()
}

fn inline(r: &str, v: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#)
}

fn headers_row() -> String {
    format!(
        r#"<row r="1">{}{}{}{}</row>"#,
        inline("A1", "name"),
        inline("B1", "student_number"),
        inline("C1", "award"),
        inline("D1", "date")
    )
}

fn refused(r: Result<impl Sized, FileError>) -> String {
    match r {
        Err(e @ FileError::TooLarge { .. }) => e.to_string(),
        Err(e) => panic!("refused, but not for its size: {e}"),
        Ok(_) => panic!("accepted"),
    }
}

#[test]
fn a_well_formed_workbook_reads_row_by_row_with_its_line_numbers() {
    let rows = format!(
        r#"{}<row r="2">{}{}</row><row r="5">{}{}</row>"#,
        headers_row(),
        inline("A2", "王伟"),
        inline("D2", "2024-05-01"),
        inline("A5", "李娜"),
        inline("C5", "一等奖")
    );
    let bytes = workbook(&rows, None);
    let (headers, records) = read("awards.xlsx", &bytes[..]).expect("read");
    assert_eq!(headers, ["name", "student_number", "award", "date"]);
    let records: Vec<_> = records.collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].line, 2);
    assert_eq!(records[0].values["name"], "王伟");
    assert_eq!(records[0].values["award"], "");
    assert_eq!(records[0].values["date"], "2024-05-01");
    assert_eq!(records[1].line, 5);
    assert_eq!(records[1].values["award"], "一等奖");
}

/// The 4.9 KB file of issue 13: headers in A1–D1 and one cell at XFD1048576.
/// Before, calamine's range asked for 549,755,813,888 bytes and the process
/// died.
#[test]
fn one_cell_in_the_last_column_and_row_is_refused_without_allocating_the_sheet() {
    let rows = format!(
        r#"{}<row r="1048576">{}</row>"#,
        headers_row(),
        inline("XFD1048576", "x")
    );
    let bytes = workbook(&rows, None);
    let why = refused(read("awards.xlsx", &bytes[..]));
    assert!(
        why.contains("column 16384") && why.contains("512 columns"),
        "{why}"
    );
    assert!(why.starts_with("awards.xlsx: "), "{why}");
}

/// A far row in a column within the limit is just a row: streamed, not a
/// million empty rows.
#[test]
fn a_far_row_within_the_columns_is_read_as_one_row() {
    let rows = format!(
        r#"{}<row r="1048576">{}</row>"#,
        headers_row(),
        inline("A1048576", "王伟")
    );
    let bytes = workbook(&rows, None);
    let (_, records) = read("awards.xlsx", &bytes[..]).expect("read");
    let records: Vec<_> = records.collect();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].line, 1_048_576);
}

#[test]
fn too_many_cells_are_refused_before_any_row_is_built() {
    let mut rows = headers_row();
    for r in 2..=60 {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}"><v>1</v></c><c r="B{r}"><v>2</v></c></row>"#
        ));
    }
    let bytes = workbook(&rows, None);
    let small = Limits {
        max_cells: 100,
        ..Limits::default()
    };
    let why = refused(read_within("grades.xlsx", &bytes[..], small));
    assert!(why.contains("100 cells"), "{why}");
    // the same file within the default limits reads
    assert_eq!(read("grades.xlsx", &bytes[..]).expect("read").1.count(), 59);
}

/// A shared-strings part that claims 10¹² strings made calamine reserve room
/// for them all.
#[test]
fn a_shared_strings_count_beyond_the_cells_allowed_is_refused() {
    let sst = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1000000000000"><si><t>name</t></si></sst>"#;
    let rows = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    let bytes = workbook(rows, Some(sst));
    let why = refused(read("people.xlsx", &bytes[..]));
    assert!(why.contains("1000000000000 shared strings"), "{why}");
}

/// A zip bomb: a small file that unpacks to more than the budget, whatever
/// its headers say.
#[test]
fn a_workbook_that_unpacks_beyond_the_budget_is_refused() {
    let filler = format!("<!--{}-->", "a".repeat(3 << 20));
    let bytes = workbook(&format!("{filler}{}", headers_row()), None);
    assert!(
        bytes.len() < 64 << 10,
        "compressed to {} bytes",
        bytes.len()
    );
    let small = Limits {
        max_unpacked: 1 << 20,
        ..Limits::default()
    };
    let why = refused(read_within("bomb.xlsx", &bytes[..], small));
    assert!(why.contains("unpacked") && why.contains("1 MiB"), "{why}");
}

#[test]
fn a_workbook_of_too_many_parts_is_refused() {
    let bytes = workbook(&headers_row(), None);
    let few = Limits {
        max_parts: 3,
        ..Limits::default()
    };
    let why = refused(read_within("parts.xlsx", &bytes[..], few));
    assert!(why.contains("parts"), "{why}");
}

#[test]
fn a_header_of_too_many_columns_is_refused_in_csv_and_json_lines() {
    let header: Vec<String> = (0..600).map(|i| format!("c{i}")).collect();
    let csv = format!("{}\n", header.join(","));
    assert!(refused(read("wide.csv", csv.as_bytes())).contains("600 columns"));
    let obj: serde_json::Map<String, serde_json::Value> = header
        .iter()
        .map(|h| (h.clone(), serde_json::Value::from(1)))
        .collect();
    let jsonl = format!("{}\n", serde_json::Value::Object(obj));
    assert!(refused(read("wide.jsonl", jsonl.as_bytes())).contains("600 keys"));
}

/// A JSON line longer than the cap is one bad line, not a string the size of
/// the file; the lines after it still read.
#[test]
fn an_overlong_json_line_is_a_bad_line_and_reading_goes_on() {
    let limits = Limits {
        max_line: 1024,
        ..Limits::default()
    };
    let long = format!("{{\"title\": \"{}\"}}", "x".repeat(4096));
    let text = format!("{{\"title\": \"a\"}}\n{long}\n{{\"title\": \"b\"}}\n");
    let (_, records) = read_within("p.jsonl", text.as_bytes(), limits).expect("read");
    let records: Vec<_> = records.collect();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].values["title"], "a");
    assert!(records[1].values["__error__"].contains("longer than 1024 bytes"));
    assert_eq!(records[1].line, 2);
    assert_eq!(records[2].values["title"], "b");
    assert_eq!(records[2].line, 3);
}

#[test]
fn a_file_that_is_not_a_workbook_is_unreadable_not_a_crash() {
    for bytes in [&b""[..], b"PK\x03\x04garbage", b"<html>not excel</html>"] {
        assert!(matches!(
            read("x.xlsx", bytes),
            Err(FileError::Unreadable { .. })
        ));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// Any bytes, under any of the names: an answer, never a panic.
    #[test]
    fn any_bytes_read_or_are_refused(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
        name in proptest::sample::select(vec!["a.csv", "a.tsv", "a.jsonl", "a.xlsx"]),
    ) {
        if let Ok((_, records)) = read(name, &bytes[..]) {
            for r in records {
                proptest::prop_assert!(r.line <= bytes.len() as u64 + 1);
            }
        }
    }

    /// A workbook whose cells are anywhere: read, or refused for its size.
    #[test]
    fn cells_anywhere_read_or_are_refused(
        cells in proptest::collection::vec((1u32..=1_048_576, 1u32..=16_384), 0..20),
    ) {
        let mut sorted = cells.clone();
        sorted.sort_unstable();
        sorted.dedup();
        let mut rows = String::new();
        let mut open: Option<u32> = None;
        for (r, c) in &sorted {
            if open != Some(*r) {
                if open.is_some() {
                    rows.push_str("</row>");
                }
                rows.push_str(&format!(r#"<row r="{r}">"#));
                open = Some(*r);
            }
            rows.push_str(&format!(r#"<c r="{}{r}"><v>1</v></c>"#, column_name(*c)));
        }
        if open.is_some() {
            rows.push_str("</row>");
        }
        let bytes = workbook(&rows, None);
        match read("cells.xlsx", &bytes[..]) {
            Ok((_, records)) => {
                proptest::prop_assert!(sorted.iter().all(|(_, c)| *c <= 512));
                proptest::prop_assert!(records.count() <= sorted.len());
            }
            Err(FileError::TooLarge { .. }) => {
                proptest::prop_assert!(sorted.iter().any(|(_, c)| *c > 512));
            }
            Err(e) => proptest::prop_assert!(false, "{e}"),
        }
    }
}

/// 1 → A, 27 → AA, 16384 → XFD.
fn column_name(mut n: u32) -> String {
    let mut out = Vec::new();
    while n > 0 {
        let d = (n - 1) % 26;
        out.push(b'A' + d as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}
