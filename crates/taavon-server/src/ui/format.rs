//! How values read in the UI: dates in Jalali, numbers and codes in the locale's digits.

use super::i18n::Lang;

/// An ISO date (or the date part of an RFC 3339 instant) as the locale shows it.
pub fn date(lang: Lang, iso: &str) -> String {
    let day = iso.get(..10).unwrap_or(iso);
    lang.digits(day)
}

/// An RFC 3339 instant as date and time in Tehran.
pub fn instant(lang: Lang, rfc3339: &str) -> String {
    let time = rfc3339.get(11..16).unwrap_or("");
    format!("{} {}", date(lang, rfc3339), lang.digits(time))
}
