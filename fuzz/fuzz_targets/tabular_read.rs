//! Any bytes as a CSV, TSV, JSON Lines or Excel file (the first byte picks
//! which): read or refused, never a panic, a hang or an allocation beyond the
//! limits.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let name = ["f.csv", "f.tsv", "f.jsonl", "f.xlsx"][usize::from(pick) % 4];
    let limits = cb_tabular::Limits {
        max_cells: 200_000,
        max_unpacked: 16 << 20,
        ..cb_tabular::Limits::default()
    };
    if let Ok((_, records)) = cb_tabular::read_within(name, body, limits) {
        for r in records {
            std::hint::black_box(r);
        }
    }
});
