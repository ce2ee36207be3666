//! How values read in the UI: dates in Jalali, times in Tehran, digits in the locale's.

use taavon_core::calendar::{IsoDate, JalaliDate, TEHRAN_OFFSET_SECONDS};
use taavon_core::locale::Locale;
use taavon_core::money::{DisplayUnit, Rial, amount_in_words_fa, format_amount};
use taavon_core::timestamp::Timestamp;

use super::i18n::Lang;

/// An ISO date as the locale shows it: `۱۴۰۴/۰۶/۰۹`, or `9 Shahrivar 1404` in English.
pub fn date(lang: Lang, iso: &str) -> String {
    match IsoDate::parse(iso.get(..10).unwrap_or(iso)) {
        Ok(day) => jalali(lang, JalaliDate::from(day)),
        Err(_) => lang.digits(iso),
    }
}

/// An ISO date as a form shows it for editing: Jalali `1404/06/09` in the locale's digits,
/// which the form reads back as typed.
pub fn date_input(lang: Lang, iso: &str) -> String {
    match IsoDate::parse(iso) {
        Ok(day) => lang.digits(&taavon_core::digits::to_ascii_digits(
            &JalaliDate::from(day).format_fa(),
        )),
        Err(_) => lang.digits(iso),
    }
}

fn jalali(lang: Lang, date: JalaliDate) -> String {
    match lang {
        Lang::Fa => date.format_fa(),
        Lang::En => date.format_long_en(),
    }
}

/// A stored RFC 3339 instant as the Jalali date and time in Tehran.
pub fn instant(lang: Lang, rfc3339: &str) -> String {
    let Ok(instant) = Timestamp::parse(rfc3339) else {
        return lang.digits(rfc3339);
    };
    local_time(lang, instant)
}

/// An instant as the Jalali date and time in Tehran (a printout's date).
pub fn local_time(lang: Lang, instant: Timestamp) -> String {
    let local = instant.unix_seconds() + TEHRAN_OFFSET_SECONDS;
    let day = JalaliDate::from(IsoDate::from_days_since_unix_epoch(
        local.div_euclid(86_400),
    ));
    let minutes = local.rem_euclid(86_400) / 60;
    let time = format!("{:02}:{:02}", minutes / 60, minutes % 60);
    format!("{} {}", jalali(lang, day), lang.digits(&time))
}

/// An amount in words, its unit in the reader's language: Persian words and «ریال», as
/// a contract writes it, or in English the figure in rials (the core spells numbers in
/// Persian only).
pub fn amount_in_words(lang: Lang, rials: i64) -> String {
    match lang {
        Lang::Fa => format!(
            "{} {}",
            amount_in_words_fa(rials),
            DisplayUnit::Rial.name(Locale::Fa)
        ),
        Lang::En => format_amount(Rial::new(rials), DisplayUnit::Rial, Locale::En),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_show_in_jalali_and_instants_in_tehran_time() {
        // Establishes the UI's date conventions.
        assert_eq!(date(Lang::Fa, "2025-08-31"), "۱۴۰۴/۰۶/۰۹");
        assert_eq!(date(Lang::En, "2025-08-31"), "9 Shahrivar 1404");
        assert_eq!(
            instant(Lang::Fa, "2025-08-30T20:45:00.000Z"),
            "۱۴۰۴/۰۶/۰۹ ۰۰:۱۵"
        );
    }
}
