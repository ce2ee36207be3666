//! Numbers as people type them into a form: any digits (Persian, Arabic, Latin), with
//! thousands separators (`,` `٬` `٫`-free) and spaces, a decimal separator `.` or `٫`
//! for a percentage. A blank field is "not given"; anything else that is not a number
//! is a field error naming the field, in both languages.

use std::collections::HashMap;

use taavon_app::FieldError;
use taavon_core::digits::to_ascii_digits;

/// A form's text field as typed, spaces at either end dropped; blank is "not given".
pub fn given(form: &HashMap<String, String>, name: &str) -> Option<String> {
    form.get(name)
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

/// The digits of a whole number as typed, separators and spaces dropped.
fn cleaned(text: &str) -> String {
    to_ascii_digits(text.trim()).replace([',', '٬', '،', ' ', '\u{200c}'], "")
}

/// A whole number (rials, months, jobs); `None` when blank.
pub fn whole(field: &str, text: &str) -> Result<Option<i64>, FieldError> {
    let text = cleaned(text);
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| {
        FieldError::new(
            field,
            "number",
            "یک عدد صحیح بنویسید (ارقام فارسی یا لاتین، با جداکننده یا بی آن).",
            "Write a whole number (any digits, with or without separators).",
        )
    })
}

/// A yearly rate typed as a percentage (`18`, `۱۸٫۵`, `18.25`) in basis points; `None`
/// when blank. At most two decimals: a basis point is the finest rate a program sets.
pub fn percent_bp(field: &str, text: &str) -> Result<Option<i64>, FieldError> {
    let text = cleaned(text)
        .replace('٫', ".")
        .trim_end_matches('%')
        .to_owned();
    let text = text.trim_end_matches('٪');
    if text.is_empty() {
        return Ok(None);
    }
    let refused = || {
        FieldError::new(
            field,
            "percent",
            "نرخ را به درصد بنویسید، مانند ۱۸ یا ۱۸٫۵.",
            "Write the rate as a percentage, such as 18 or 18.5.",
        )
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || fraction.len() > 2 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(refused());
    }
    let whole: i64 = whole.parse().map_err(|_| refused())?;
    let hundredths: i64 = format!("{fraction:0<2}").parse().map_err(|_| refused())?;
    whole
        .checked_mul(100)
        .and_then(|bp| bp.checked_add(hundredths))
        .map(Some)
        .ok_or_else(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_in_any_digits_with_separators() {
        // Establishes what the amount fields accept: Persian digits and the Persian
        // thousands separator as the script types them, blank as "not given".
        assert_eq!(whole("amount", "۲٬۵۰۰٬۰۰۰"), Ok(Some(2_500_000)));
        assert_eq!(whole("amount", " 1,000 000 "), Ok(Some(1_000_000)));
        assert_eq!(whole("amount", ""), Ok(None));
        assert_eq!(
            whole("amount", "دو").map_err(|e| e.rule),
            Err("number".into())
        );
    }

    #[test]
    fn rates_are_read_as_percentages_in_basis_points() {
        // Establishes the rescheduling form's rate field.
        assert_eq!(percent_bp("rate", "۱۸٫۵"), Ok(Some(1850)));
        assert_eq!(percent_bp("rate", "18.25%"), Ok(Some(1825)));
        assert_eq!(percent_bp("rate", "4"), Ok(Some(400)));
        assert_eq!(percent_bp("rate", ""), Ok(None));
        assert!(percent_bp("rate", "18.255").is_err());
        assert!(percent_bp("rate", ".5").is_err());
    }
}
