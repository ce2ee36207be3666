//! Fuzzes `MobileNumber::parse`: never panics; a parsed value is `09` and nine digits and
//! reparses from its own text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taavon_core::ids::MobileNumber;

fuzz_target!(|text: &str| {
    match MobileNumber::parse(text) {
        Ok(value) => {
            assert!(value.as_str().len() == 11 && value.as_str().starts_with("09"));
            assert_eq!(MobileNumber::parse(value.as_str()), Ok(value));
        }
        Err(error) => {
            let _ = (error.rule(), error.message_fa(), error.message_en());
        }
    }
});
