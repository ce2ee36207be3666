//! Persian (U+06F0…), Arabic-Indic (U+0660…) and ASCII digits.

/// Replaces Persian and Arabic-Indic digits with ASCII ones; everything else is kept.
pub fn to_ascii_digits(text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    text.chars()
        .map(|c| match c {
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            other => other,
        })
        .collect()
}

/// Replaces ASCII and Arabic-Indic digits with Persian ones, for display. Arabic-Indic
/// digits are converted too because four, five and six are drawn differently (٤٥٦ against
/// ۴۵۶) and Persian readers expect their own.
pub fn to_persian_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0x06F0 + (c as u32 - '0' as u32)).unwrap_or(c),
            '\u{0660}'..='\u{0669}' => char::from_u32(c as u32 - 0x0660 + 0x06F0).unwrap_or(c),
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_three_digit_sets_read_as_ascii_and_ascii_shows_as_persian() {
        // Establishes both directions of digit conversion.
        assert_eq!(to_ascii_digits("۱۴۰۴/٠٦/9"), "1404/06/9");
        assert_eq!(to_persian_digits("IR-16: 1404"), "IR-۱۶: ۱۴۰۴");
        assert_eq!(to_persian_digits("٤٥٦"), "۴۵۶");
        assert_eq!(
            to_ascii_digits(&to_persian_digits("0123456789")),
            "0123456789"
        );
    }
}
