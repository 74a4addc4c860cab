//! A posting's free-text fields as people write them: salary, place,
//! education, experience, headcount, posting date.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static PLACES: OnceLock<cb_postings::location::Gazetteer> = OnceLock::new();

fuzz_target!(|text: &str| {
    let places = PLACES.get_or_init(cb_postings::location::Gazetteer::new);
    std::hint::black_box(cb_postings::salary::parse(text));
    std::hint::black_box(places.parse(text));
    std::hint::black_box(cb_postings::fields::education(text));
    std::hint::black_box(cb_postings::fields::experience(text));
    std::hint::black_box(cb_postings::fields::headcount(text));
    let crawled = chrono::NaiveDate::from_ymd_opt(2024, 5, 3);
    std::hint::black_box(cb_postings::fields::posted_date(text, crawled));
});
