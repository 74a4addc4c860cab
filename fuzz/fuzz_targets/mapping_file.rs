//! An import mapping file (`--mapping`, TOML): a shape or an error that names
//! the file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(e) = cb_postings::import::Shape::from_mapping("m.toml", text) {
        assert!(e.contains("m.toml"), "{e}");
    }
});
