//! The fuzzer's corpus for the readers (`fuzz/corpus/tabular_read`, kept
//! small by `cargo fuzz cmin`), replayed on every test run: each input is
//! read or refused, as under the fuzzer.

#[test]
fn every_input_the_fuzzer_kept_reads_or_is_refused() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/tabular_read");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("the committed corpus") {
        let data = std::fs::read(entry.expect("entry").path()).expect("input");
        let Some((&pick, body)) = data.split_first() else {
            continue;
        };
        let name = ["f.csv", "f.tsv", "f.jsonl", "f.xlsx"][usize::from(pick) % 4];
        let limits = cb_tabular::Limits {
            max_cells: 200_000,
            max_unpacked: 16 << 20,
            ..cb_tabular::Limits::default()
        };
        if let Ok((_, records)) = cb_tabular::read_within(name, body, limits) {
            records.for_each(drop);
        }
        n += 1;
    }
    assert!(n >= 50, "{n} inputs in {}", dir.display());
}
