//! Fuzzes `NationalCode::parse`: never panics; a parsed value is ten ASCII digits and
//! reparses from its own text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taavon_core::ids::NationalCode;

fuzz_target!(|text: &str| {
    match NationalCode::parse(text) {
        Ok(value) => {
            assert!(
                value.as_str().len() == 10 && value.as_str().bytes().all(|b| b.is_ascii_digit())
            );
            assert_eq!(NationalCode::parse(value.as_str()), Ok(value));
        }
        Err(error) => {
            let _ = (error.rule(), error.message_fa(), error.message_en());
        }
    }
});
