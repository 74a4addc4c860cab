//! The fuzzer's corpora for a posting's fields and for mapping files
//! (`fuzz/corpus/{posting_fields,mapping_file}`), replayed on every test run.

fn corpus(target: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let inputs: Vec<String> = std::fs::read_dir(&dir)
        .expect("the committed corpus")
        .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
        .filter_map(|b| String::from_utf8(b).ok())
        .collect();
    assert!(
        inputs.len() >= 50,
        "{} inputs in {}",
        inputs.len(),
        dir.display()
    );
    inputs
}

#[test]
fn every_field_the_fuzzer_kept_parses_or_is_none() {
    let places = cb_postings::location::Gazetteer::new();
    let crawled = chrono::NaiveDate::from_ymd_opt(2024, 5, 3);
    for text in corpus("posting_fields") {
        let _ = cb_postings::salary::parse(&text);
        let _ = places.parse(&text);
        let _ = cb_postings::fields::education(&text);
        let _ = cb_postings::fields::experience(&text);
        let _ = cb_postings::fields::headcount(&text);
        let _ = cb_postings::fields::posted_date(&text, crawled);
    }
}

#[test]
fn every_mapping_file_the_fuzzer_kept_is_a_shape_or_names_the_file() {
    for text in corpus("mapping_file") {
        if let Err(e) = cb_postings::import::Shape::from_mapping("m.toml", &text) {
            assert!(e.contains("m.toml"), "{e}");
        }
    }
}
