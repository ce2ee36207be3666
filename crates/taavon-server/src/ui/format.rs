//! How values read in the UI: dates in Jalali, times in Tehran, digits in the locale's.

use taavon_core::calendar::{IsoDate, JalaliDate, TEHRAN_OFFSET_SECONDS};
use taavon_core::locale::Locale;
use taavon_core::money::{DisplayUnit, amount_in_words_fa};
use taavon_core::timestamp::Timestamp;
use taavon_core::words::number_in_words_en;

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
/// a contract writes it, or English words and "rials".
pub fn amount_in_words(lang: Lang, rials: i64) -> String {
    let (words, locale) = match lang {
        Lang::Fa => (amount_in_words_fa(rials), Locale::Fa),
        Lang::En => (number_in_words_en(rials), Locale::En),
    };
    format!("{words} {}", DisplayUnit::Rial.name(locale))
}

/// A yearly rate in basis points as a percentage with two decimals: «۱۸٫۰۰٪», `18.00%`.
pub fn rate(lang: Lang, rate_bp: i64) -> String {
    let sign = if rate_bp < 0 { "-" } else { "" };
    let bp = rate_bp.unsigned_abs();
    lang.percent(&format!("{sign}{}.{:02}", bp / 100, bp % 100))
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

    #[test]
    fn amounts_in_words_and_rates_read_in_the_readers_language_only() {
        // Establishes that the English UI says an amount in English words and a rate with
        // `%` and `.`, and the Persian UI with Persian words, «٪» and «٫».
        assert_eq!(
            amount_in_words(Lang::En, 5_000_000_000),
            "five billion rials"
        );
        assert_eq!(amount_in_words(Lang::Fa, 5_000_000_000), "پنج میلیارد ریال");
        assert_eq!(rate(Lang::En, 1800), "18.00%");
        assert_eq!(rate(Lang::Fa, 1825), "۱۸٫۲۵٪");
    }
}
