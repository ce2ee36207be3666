//! Fuzzes `Rial::parse`: never panics; a parsed amount reads back from its display forms.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taavon_core::locale::Locale;
use taavon_core::money::{amount_in_words_fa, format_amount, DisplayUnit, Rial};

fuzz_target!(|text: &str| {
    if let Ok(amount) = Rial::parse(text) {
        assert_eq!(Rial::parse(&amount.to_string()), Ok(amount));
        for locale in [Locale::Fa, Locale::En] {
            let shown = format_amount(amount, DisplayUnit::Rial, locale);
            let number = shown.rsplit_once(' ').map(|(n, _)| n).unwrap_or("");
            assert_eq!(Rial::parse(number), Ok(amount));
            let _ = format_amount(amount, DisplayUnit::Toman, locale);
        }
        let _ = amount_in_words_fa(amount.get());
    }
});
