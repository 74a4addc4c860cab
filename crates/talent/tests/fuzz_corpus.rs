//! The fuzzer's corpus for a talent file's values (`fuzz/corpus/talent_values`),
//! replayed on every test run.

#[test]
fn every_value_the_fuzzer_kept_parses_within_range_or_is_none() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/talent_values");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("the committed corpus") {
        let Ok(text) =
            String::from_utf8(std::fs::read(entry.expect("entry").path()).expect("input"))
        else {
            continue;
        };
        if let Some(g) = cb_talent::grade::parse(&text) {
            assert!((0.0..=1.0).contains(&g.attainment), "{text:?}");
        }
        let _ = cb_talent::import::parse_date(&text);
        let _ = cb_talent::import::Kind::parse(&text);
        n += 1;
    }
    assert!(n >= 50, "{n} inputs in {}", dir.display());
}
