//! Fuzzes Jalali and ISO date parsing: never panics; what parses prints and reparses
//! to itself, and converts to Gregorian and back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taavon_core::calendar::{IsoDate, JalaliDate, parse_date_any};

fuzz_target!(|text: &str| {
    if let Ok(date) = JalaliDate::parse(text) {
        assert_eq!(JalaliDate::parse(&date.to_string()), Ok(date));
        assert_eq!(JalaliDate::parse(&date.format_fa()), Ok(date));
        assert_eq!(JalaliDate::from(date.to_iso()), date);
        let _ = date.add_months(i32::from(text.len() as u8) - 128);
    }
    if let Ok(date) = IsoDate::parse(text) {
        assert_eq!(IsoDate::parse(&date.to_string()), Ok(date));
    }
    let _ = parse_date_any(text);
});
