//! Fuzzes Persian normalisation and collation: never panics; normalising is idempotent,
//! leaves no white space or ZWNJ at either end, and the search key of a normalised text
//! equals that of the original; collation is antisymmetric and consistent with equality.
#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use taavon_core::text::{normalize, persian_cmp, search_key};

fuzz_target!(|text: &str| {
    let once = normalize(text);
    assert_eq!(normalize(&once), once);
    assert_eq!(search_key(&once), search_key(text));
    assert!(!once.starts_with([' ', '\u{200C}']) && !once.ends_with([' ', '\u{200C}']));
    assert_eq!(persian_cmp(text, text), Ordering::Equal);
    let middle = (0..=text.len() / 2)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    let (a, b) = text.split_at(middle);
    assert_eq!(persian_cmp(a, b), persian_cmp(b, a).reverse());
    assert_eq!(persian_cmp(a, b) == Ordering::Equal, a == b);
});
