//! Fuzzes Persian normalisation and collation: never panics; normalising is idempotent
//! and the search key of a normalised text equals that of the original.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taavon_core::text::{normalize, persian_cmp, search_key};

fuzz_target!(|text: &str| {
    let once = normalize(text);
    assert_eq!(normalize(&once), once);
    assert_eq!(search_key(&once), search_key(text));
    assert_eq!(persian_cmp(text, text), std::cmp::Ordering::Equal);
});
