//! The dashboard's and the skill list's query strings, and periods.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = std::hint::black_box(cb_web::parse_queries(text));
    let _ = std::hint::black_box(cb_insight::period::Period::parse(text));
});
