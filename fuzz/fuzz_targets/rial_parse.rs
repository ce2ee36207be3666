//! Fuzzes `Rial::parse`: never panics; a parsed amount reads back from its display forms,
//! and every unit's display can be formatted without overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taavon_core::locale::Locale;
use taavon_core::money::{DisplayUnit, Rial, amount_in_words_fa, format_amount};

fuzz_target!(|text: &str| {
    if let Ok(amount) = Rial::parse(text) {
        assert_eq!(Rial::parse(&amount.to_string()), Ok(amount));
        for locale in [Locale::Fa, Locale::En] {
            let shown = format_amount(amount, DisplayUnit::Rial, locale);
            let number = shown.rsplit_once(' ').map(|(n, _)| n).unwrap_or("");
            assert_eq!(Rial::parse(number), Ok(amount));
            for unit in DisplayUnit::ALL {
                let _ = format_amount(amount, unit, locale);
            }
        }
        let _ = amount_in_words_fa(amount.get());
    }
});
