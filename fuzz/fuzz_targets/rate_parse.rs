//! Fuzzes `RateBp::parse`: never panics; an accepted rate is at most 100 % and reads back
//! from its display; a refused one renders its error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taavon_core::loans::schedule::RateBp;

fuzz_target!(|text: &str| {
    match RateBp::parse(text) {
        Ok(rate) => {
            assert!(rate.basis_points() <= RateBp::MAX_BP);
            assert_eq!(RateBp::parse(&rate.to_string()), Ok(rate));
        }
        Err(error) => {
            let _ = (error.rule(), error.message_fa(), error.message_en());
        }
    }
});
