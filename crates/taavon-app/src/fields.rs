//! One field as people type it, read into the value the store keeps: a date in either
//! calendar, a text that must be given, a province code to filter by. Each wrong one is
//! recorded as a `FieldError` naming its field, so a form reports every mistake at once.

use taavon_core::calendar::{IsoDate, parse_date_any};
use taavon_core::reference::ProvinceCode;
use taavon_core::text::normalize;
use taavon_core::timestamp::Timestamp;

use crate::FieldError;

/// A province code to filter by (`IR-16`, `ir-16` or `16`), normalised; a wrong one is
/// recorded (rule `province_code`).
pub(crate) fn province_filter(
    errors: &mut Vec<FieldError>,
    field: &str,
    code: &str,
) -> Option<String> {
    match ProvinceCode::parse(code) {
        Ok(province) => Some(province.as_str().to_owned()),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "province_code",
                "کد استان معتبر نیست (نمونه: IR-16).",
                "Not a province code (e.g. IR-16).",
            ));
            None
        }
    }
}

/// Today's date in Tehran, as the store keeps dates.
pub(crate) fn today_iso(now: Timestamp) -> String {
    taavon_core::calendar::IsoDate::tehran_today(now.unix_seconds()).to_string()
}

/// A date that may be left empty (none then), as the store keeps it.
pub(crate) fn optional_date(
    errors: &mut Vec<FieldError>,
    field: &str,
    text: Option<&str>,
) -> Option<String> {
    optional_day(errors, field, text).map(|day| day.to_string())
}

/// A day that may be left empty (none then), in either calendar and either digits.
pub(crate) fn optional_day(
    errors: &mut Vec<FieldError>,
    field: &str,
    text: Option<&str>,
) -> Option<IsoDate> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    match parse_date_any(text) {
        Ok(date) => Some(date),
        Err(error) => {
            errors.push(FieldError::new(
                field,
                error.rule(),
                &error.message_fa(),
                &error.to_string(),
            ));
            None
        }
    }
}

/// A date that must be given: an empty one is `required`, not silently absent.
pub(crate) fn required_date(
    errors: &mut Vec<FieldError>,
    field: &str,
    text: &str,
) -> Option<String> {
    if text.trim().is_empty() {
        errors.push(FieldError::new(
            field,
            "required",
            "تاریخ لازم است.",
            &format!("{field} is required."),
        ));
        return None;
    }
    optional_date(errors, field, Some(text))
}

pub(crate) fn required_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    text: &str,
    fa: &str,
) -> String {
    let text = normalize(text.trim());
    if text.is_empty() {
        errors.push(FieldError::new(
            field,
            "required",
            &format!("{fa} لازم است."),
            &format!("{field} is required."),
        ));
    }
    text
}
