//! A talent file's values: grades in every scale, dates, import kinds.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Some(g) = cb_talent::grade::parse(text) {
        assert!(
            (0.0..=1.0).contains(&g.attainment),
            "{text:?}: {}",
            g.attainment
        );
    }
    std::hint::black_box(cb_talent::import::parse_date(text));
    std::hint::black_box(cb_talent::import::Kind::parse(text));
});
