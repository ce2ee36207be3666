//! Fuzzes `Sheba::parse`: never panics; a parsed value reparses from its own text and
//! names the bank of its digits 5–7.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taavon_core::ids::Sheba;

fuzz_target!(|text: &str| {
    match Sheba::parse(text) {
        Ok(value) => {
            assert_eq!(Sheba::parse(value.as_str()), Ok(value.clone()));
            assert_eq!(Some(value.bank().code), value.as_str().get(4..7));
        }
        Err(error) => {
            let _ = (error.rule(), error.message_fa(), error.message_en());
        }
    }
});
