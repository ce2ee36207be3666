//! Money: integer rials, never floats; shown with separators in the reader's digits and
//! unit, and in Persian words for contracts and cheques.
//!
//! A display unit is a divisor of the rial plus its names, so the third unit that the
//! 2025 redenomination law introduces (a new toman worth 10 000 rials) is one more row in
//! `DisplayUnit`, not a change to the arithmetic.

use std::fmt;

use crate::digits::{to_ascii_digits, to_persian_digits};
use crate::locale::Locale;

/// An amount in rials.
///
/// Invariant: a whole number of rials; arithmetic is checked, never wraps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rial(i64);

/// Why an amount could not be read or computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("an amount is a whole number of rials, e.g. 15,000,000,000")]
    Format,
    #[error("the amount is too large")]
    Overflow,
}

impl MoneyError {
    pub fn rule(&self) -> &'static str {
        match self {
            MoneyError::Format => "amount_format",
            MoneyError::Overflow => "amount_overflow",
        }
    }
}

impl Rial {
    pub const ZERO: Rial = Rial(0);

    pub const fn new(rials: i64) -> Self {
        Self(rials)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Rial) -> Option<Rial> {
        self.0.checked_add(other.0).map(Rial)
    }

    pub fn checked_sub(self, other: Rial) -> Option<Rial> {
        self.0.checked_sub(other.0).map(Rial)
    }

    /// Reads an amount as people type it: ASCII, Persian or Arabic-Indic digits, with
    /// `,` `٬` `،` spaces or `_` as separators, and an optional leading minus sign.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let ascii = to_ascii_digits(text.trim());
        let (negative, digits) = match ascii.strip_prefix(['-', '\u{2212}']) {
            Some(rest) => (true, rest),
            None => (false, ascii.as_str()),
        };
        let digits: String = digits
            .chars()
            .filter(|c| !matches!(c, ',' | '\u{066C}' | '\u{060C}' | ' ' | '_' | '\u{202F}'))
            .collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::Format);
        }
        let value: i64 = digits.parse().map_err(|_| MoneyError::Overflow)?;
        Ok(Rial(if negative { -value } else { value }))
    }
}

impl fmt::Display for Rial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The unit an amount is shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisplayUnit {
    Rial,
    /// The customary toman: 10 rials.
    Toman,
}

impl DisplayUnit {
    /// Rials per unit.
    pub fn divisor(self) -> i64 {
        match self {
            DisplayUnit::Rial => 1,
            DisplayUnit::Toman => 10,
        }
    }

    pub fn name(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (DisplayUnit::Rial, Locale::Fa) => "ریال",
            (DisplayUnit::Toman, Locale::Fa) => "تومان",
            (DisplayUnit::Rial, Locale::En) => "rials",
            (DisplayUnit::Toman, Locale::En) => "tomans",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "rial" => Some(DisplayUnit::Rial),
            "toman" => Some(DisplayUnit::Toman),
            _ => None,
        }
    }
}

/// A whole number with thousands separators in the locale's digits (`۱۵٬۰۰۰`, `15,000`).
pub fn format_number(value: i64, locale: Locale) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let text = format!("{sign}{}", group_thousands(value.unsigned_abs(), locale));
    match locale {
        Locale::Fa => to_persian_digits(&text),
        Locale::En => text,
    }
}

/// ASCII digits of `value` grouped by three with the locale's separator.
fn group_thousands(value: u64, locale: Locale) -> String {
    let separator = match locale {
        Locale::Fa => '\u{066C}',
        Locale::En => ',',
    };
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(c);
    }
    grouped
}

/// An amount with thousands separators, in the locale's digits and the unit's name.
/// An amount that is not a whole number of units shows its remainder as a decimal
/// fraction, so nothing is silently rounded away (15 rials = 1.5 tomans).
pub fn format_amount(amount: Rial, unit: DisplayUnit, locale: Locale) -> String {
    let divisor = unit.divisor();
    let value = amount.get();
    let whole = (value / divisor).unsigned_abs();
    let remainder = (value % divisor).unsigned_abs();
    let mut grouped = group_thousands(whole, locale);
    if remainder > 0 {
        let places = divisor.to_string().len() - 1;
        let fraction = format!("{remainder:0places$}");
        grouped.push(match locale {
            Locale::Fa => '\u{066B}',
            Locale::En => '.',
        });
        grouped.push_str(fraction.trim_end_matches('0'));
    }
    let sign = if value < 0 { "-" } else { "" };
    let text = format!("{sign}{grouped} {}", unit.name(locale));
    match locale {
        Locale::Fa => to_persian_digits(&text),
        Locale::En => text,
    }
}

const ONES: [&str; 20] = [
    "",
    "یک",
    "دو",
    "سه",
    "چهار",
    "پنج",
    "شش",
    "هفت",
    "هشت",
    "نه",
    "ده",
    "یازده",
    "دوازده",
    "سیزده",
    "چهارده",
    "پانزده",
    "شانزده",
    "هفده",
    "هجده",
    "نوزده",
];
const TENS: [&str; 10] = [
    "",
    "",
    "بیست",
    "سی",
    "چهل",
    "پنجاه",
    "شصت",
    "هفتاد",
    "هشتاد",
    "نود",
];
const HUNDREDS: [&str; 10] = [
    "",
    "یکصد",
    "دویست",
    "سیصد",
    "چهارصد",
    "پانصد",
    "ششصد",
    "هفتصد",
    "هشتصد",
    "نهصد",
];
const SCALES: [&str; 7] = [
    "",
    "هزار",
    "میلیون",
    "میلیارد",
    "بیلیون",
    "بیلیارد",
    "تریلیون",
];

/// An amount in Persian words, as on contracts and cheques: 15 000 000 000 →
/// «پانزده میلیارد»; 1 234 → «یک هزار و دویست و سی و چهار».
pub fn amount_in_words_fa(value: i64) -> String {
    if value == 0 {
        return "صفر".to_owned();
    }
    let mut rest = value.unsigned_abs();
    let mut groups = Vec::new();
    let mut scale = 0usize;
    while rest > 0 {
        let group = (rest % 1000) as usize;
        if group > 0 {
            let words = below_thousand(group);
            let name = SCALES.get(scale).copied().unwrap_or("");
            groups.push(if name.is_empty() {
                words
            } else {
                format!("{words} {name}")
            });
        }
        rest /= 1000;
        scale += 1;
    }
    groups.reverse();
    let words = groups.join(" و ");
    if value < 0 {
        format!("منفی {words}")
    } else {
        words
    }
}

fn below_thousand(number: usize) -> String {
    let mut parts = Vec::new();
    let (hundreds, rest) = (number / 100, number % 100);
    if hundreds > 0 {
        parts.push(HUNDREDS.get(hundreds).copied().unwrap_or("").to_owned());
    }
    if rest >= 20 {
        parts.push(TENS.get(rest / 10).copied().unwrap_or("").to_owned());
        if rest % 10 > 0 {
            parts.push(ONES.get(rest % 10).copied().unwrap_or("").to_owned());
        }
    } else if rest > 0 {
        parts.push(ONES.get(rest).copied().unwrap_or("").to_owned());
    }
    parts.join(" و ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_show_with_separators_in_each_locale_and_unit() {
        // Establishes the display forms, including a remainder that is not rounded away.
        let amount = Rial::new(15_000_000_000);
        assert_eq!(
            format_amount(amount, DisplayUnit::Rial, Locale::Fa),
            "۱۵٬۰۰۰٬۰۰۰٬۰۰۰ ریال"
        );
        assert_eq!(
            format_amount(amount, DisplayUnit::Rial, Locale::En),
            "15,000,000,000 rials"
        );
        assert_eq!(
            format_amount(amount, DisplayUnit::Toman, Locale::En),
            "1,500,000,000 tomans"
        );
        assert_eq!(
            format_amount(Rial::new(15), DisplayUnit::Toman, Locale::En),
            "1.5 tomans"
        );
        assert_eq!(
            format_amount(Rial::new(-1234), DisplayUnit::Rial, Locale::En),
            "-1,234 rials"
        );
    }

    #[test]
    fn amounts_read_in_words_as_on_a_cheque() {
        // Establishes Persian number words, with zero and negatives.
        assert_eq!(amount_in_words_fa(15_000_000_000), "پانزده میلیارد");
        assert_eq!(amount_in_words_fa(1234), "یک هزار و دویست و سی و چهار");
        assert_eq!(amount_in_words_fa(0), "صفر");
        assert_eq!(amount_in_words_fa(-20), "منفی بیست");
        assert_eq!(amount_in_words_fa(1_000_001), "یک میلیون و یک");
        assert!(amount_in_words_fa(i64::MIN).starts_with("منفی نه تریلیون"));
    }

    #[test]
    fn typed_amounts_are_read_with_any_digits_and_separators() {
        // Establishes parsing and its errors.
        assert_eq!(Rial::parse("۱۵٬۰۰۰٬۰۰۰٬۰۰۰"), Ok(Rial::new(15_000_000_000)));
        assert_eq!(Rial::parse("1,234"), Ok(Rial::new(1234)));
        assert_eq!(Rial::parse("-50"), Ok(Rial::new(-50)));
        assert_eq!(Rial::parse("12.5"), Err(MoneyError::Format));
        assert_eq!(Rial::parse(""), Err(MoneyError::Format));
        assert_eq!(
            Rial::parse("99999999999999999999"),
            Err(MoneyError::Overflow)
        );
        assert_eq!(Rial::new(i64::MAX).checked_add(Rial::new(1)), None);
    }

    proptest! {
        #[test]
        fn parse_reads_back_every_formatted_rial_amount(value in any::<i64>().prop_filter("not MIN", |v| *v != i64::MIN)) {
            // Establishes parse(format(x)) = x for rial amounts in both locales.
            for locale in [Locale::Fa, Locale::En] {
                let text = format_amount(Rial::new(value), DisplayUnit::Rial, locale);
                let number = text.rsplit_once(' ').map(|(n, _)| n).unwrap();
                prop_assert_eq!(Rial::parse(number), Ok(Rial::new(value)));
            }
        }
    }
}
