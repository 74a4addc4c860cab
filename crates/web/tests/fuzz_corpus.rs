//! The fuzzer's corpus for query strings (`fuzz/corpus/query_strings`),
//! replayed on every test run.

#[test]
fn every_query_string_the_fuzzer_kept_parses_or_is_refused() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/query_strings");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("the committed corpus") {
        let Ok(text) =
            String::from_utf8(std::fs::read(entry.expect("entry").path()).expect("input"))
        else {
            continue;
        };
        let _ = cb_web::parse_queries(&text);
        let _ = cb_insight::period::Period::parse(&text);
        n += 1;
    }
    assert!(n >= 50, "{n} inputs in {}", dir.display());
}
