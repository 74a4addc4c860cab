//! Excel files with a mapping file, as schools and job fairs hand them over.

use cb_competency::bundled;
use cb_postings::Classifier;
use cb_postings::contract::Engine;
use cb_postings::import::{self, Context, Shape};
use chrono::NaiveDate;
use std::sync::Arc;

#[test]
fn an_excel_sheet_with_a_mapping_imports_with_dates_and_headcounts() {
    let bytes = include_bytes!("fixtures/school-fair.xlsx");
    let shape = Shape::from_mapping(
        "school-fair.toml",
        include_str!("fixtures/school-fair.toml"),
    )
    .expect("mapping");
    let (headers, records) = import::read("school-fair.xlsx", &bytes[..]).expect("xlsx");
    assert_eq!(headers[0], "岗位名称");
    assert!(
        Shape::detect(&headers).is_none(),
        "an unknown shape needs the mapping"
    );
    let engine = Engine::new(Classifier::new(Arc::new(bundled::model().expect("model"))));
    let ctx = Context {
        file: "school-fair.xlsx",
        shape: &shape,
        engine: &engine,
        crawled: None,
    };
    let parsed: Vec<_> = records.map(|r| import::parse_record(&ctx, &r)).collect();
    assert_eq!(parsed.len(), 3, "the blank row is skipped");
    let first = parsed[0].as_ref().expect("row 2 parses");
    assert_eq!((first.line, first.source.as_str()), (2, "school-fair"));
    assert_eq!(first.posted_at, NaiveDate::from_ymd_opt(2024, 3, 15));
    assert_eq!(
        (first.headcount, first.location.city.as_deref()),
        (Some(3), Some("武汉"))
    );
    assert!(first.is_cyber && first.skills.iter().any(|(s, _)| s == "firewall"));
    assert!(
        first
            .certifications
            .iter()
            .any(|(c, req)| c == "cisp" && !req)
    );
    let second = parsed[1].as_ref().expect("row 3 parses");
    assert_eq!(
        (second.headcount, second.openings()),
        (None, 1),
        "若干 is not a number"
    );
    assert_eq!(
        second.platform_role.as_ref().map(|r| r.0.as_str()),
        Some("mlps-assessor")
    );
    let third = parsed[2].as_ref().expect("row 5 parses");
    assert_eq!(third.line, 5);
    assert!(!third.is_cyber);
}
