//! Money: integer rials, never floats; shown with separators in the reader's digits and
//! unit, and in Persian words for contracts and cheques.
//!
//! Amounts are always stored and computed in rials. A display unit is only a way to show
//! them: a power-of-ten divisor of the rial plus its names. The customary toman is 10
//! rials; the 2025 redenomination law adds a unit worth 10 000 of today's rials (the new
//! toman). Adding it is one more variant in `DisplayUnit` with `decimal_places` 4 and its
//! names, and nothing else changes: formatting already shows any remainder as exact
//! decimals, and stored amounts stay in rials. (Take the new unit's name and its sub-unit
//! from the law's final text when adding it.)

use std::fmt;

use crate::digits::{to_ascii_digits, to_persian_digits};
use crate::locale::Locale;

/// The largest amount one request may carry, in rials: 10^14 (ten thousand billion
/// tomans). Every amount a caller submits — a deposit, a funding, a budget, an
/// application, a share entry, a repayment — is at most this, and the API declares it as
/// the `maximum` of every amount field; a larger movement is made in parts. The bound
/// keeps the `i64` arithmetic of one loan exact: its rial·day weights (an amount times
/// the days since 1970, under 50 000 until 2106) stay below `i64::MAX`, and an account
/// takes 92 000 maximal transfers before its balance could overflow (which the ledger
/// refuses). Sums across accounts and loans are taken in `i128` regardless.
pub const AMOUNT_MAX_RIAL: i64 = 100_000_000_000_000;

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
    #[error("an amount is at most 100,000,000,000,000 rials")]
    AboveMaximum,
}

impl MoneyError {
    /// A stable machine code of the broken rule.
    pub fn rule(&self) -> &'static str {
        match self {
            MoneyError::Format => "amount_format",
            MoneyError::Overflow => "amount_overflow",
            MoneyError::AboveMaximum => "amount_maximum",
        }
    }

    /// The English message (the same text as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }

    /// The Persian message, with Persian digits.
    pub fn message_fa(&self) -> String {
        match self {
            MoneyError::Format => "مبلغ عددی درست به ریال است، مانند ۱۵٬۰۰۰٬۰۰۰٬۰۰۰.".into(),
            MoneyError::Overflow => "مبلغ بیش از اندازه بزرگ است.".into(),
            MoneyError::AboveMaximum => {
                "مبلغ هر درخواست حداکثر ۱۰۰٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰ ریال است.".into()
            }
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

    /// An amount a caller submitted: at most `AMOUNT_MAX_RIAL` either way (a sign is the
    /// use case's business; the size is the same rule everywhere).
    pub fn submitted(rials: i64) -> Result<Self, MoneyError> {
        if rials.unsigned_abs() > AMOUNT_MAX_RIAL.unsigned_abs() {
            Err(MoneyError::AboveMaximum)
        } else {
            Ok(Self(rials))
        }
    }

    /// Reads a whole number of rials as people type it: ASCII, Persian or Arabic-Indic
    /// digits, with `,` `٬` `،` spaces or `_` between digits, and an optional sign.
    /// Separators are not checked for position (`1,2345` reads as 12345): people group
    /// digits in many ways and the digits alone carry the amount. A decimal point is
    /// refused rather than rounded.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let ascii = to_ascii_digits(text.trim());
        let (sign, digits) = match ascii.strip_prefix(['-', '\u{2212}']) {
            Some(rest) => ("-", rest),
            None => ("", ascii.strip_prefix('+').unwrap_or(&ascii)),
        };
        let digits: String = digits
            .chars()
            .filter(|c| {
                !matches!(
                    c,
                    ',' | '\u{066C}' | '\u{060C}' | '_' | '\u{202F}' | '\u{00A0}' | ' '
                )
            })
            .collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::Format);
        }
        // The sign is parsed with the digits so that i64::MIN, whose magnitude is not an
        // i64, still reads.
        format!("{sign}{digits}")
            .parse()
            .map(Rial)
            .map_err(|_| MoneyError::Overflow)
    }
}

impl fmt::Display for Rial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The unit an amount is shown in: a power-of-ten divisor of the rial and its names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisplayUnit {
    Rial,
    /// The customary toman: 10 rials.
    Toman,
}

impl DisplayUnit {
    /// Every unit, for settings pages and tests.
    pub const ALL: [DisplayUnit; 2] = [DisplayUnit::Rial, DisplayUnit::Toman];

    /// How many decimal places a rial is in this unit: the divisor is 10 to this power.
    /// Keeping the divisor a power of ten is what lets every amount show exactly.
    pub fn decimal_places(self) -> u32 {
        match self {
            DisplayUnit::Rial => 0,
            DisplayUnit::Toman => 1,
        }
    }

    /// Rials per unit.
    pub fn divisor(self) -> i64 {
        10_i64.pow(self.decimal_places())
    }

    /// The unit's code in configuration (`rial`, `toman`).
    pub fn code(self) -> &'static str {
        match self {
            DisplayUnit::Rial => "rial",
            DisplayUnit::Toman => "toman",
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

    /// The unit with this configuration code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|unit| unit.code() == code)
    }
}

/// A whole number with thousands separators in the locale's digits (`۱۵٬۰۰۰`, `15,000`):
/// an `i64` amount or an `i128` sum of many.
pub fn format_number(value: impl Into<i128>, locale: Locale) -> String {
    let value: i128 = value.into();
    let sign = if value < 0 { "-" } else { "" };
    let text = format!("{sign}{}", group_thousands(value.unsigned_abs(), locale));
    match locale {
        Locale::Fa => to_persian_digits(&text),
        Locale::En => text,
    }
}

/// ASCII digits of `value` grouped by three with the locale's separator.
fn group_thousands(value: u128, locale: Locale) -> String {
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

/// An amount with thousands separators, in the locale's digits and the unit's name
/// (`۱۵٬۰۰۰٬۰۰۰٬۰۰۰ ریال`, `15,000,000,000 rials`).
///
/// An amount that is not a whole number of units is never rounded: since every unit is a
/// power of ten of the rial, the remainder is written exactly as decimals, trailing zeros
/// dropped (15 rials = `1.5 tomans`, Persian `۱٫۵ تومان` with the Arabic decimal
/// separator). Negative amounts carry a leading minus sign.
pub fn format_amount(amount: Rial, unit: DisplayUnit, locale: Locale) -> String {
    let divisor = unit.divisor();
    let value = amount.get();
    let whole = (value / divisor).unsigned_abs();
    let remainder = (value % divisor).unsigned_abs();
    let mut grouped = group_thousands(u128::from(whole), locale);
    if remainder > 0 {
        let places = unit.decimal_places() as usize;
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
/// Powers of a thousand, on the short scale that Iranian banks, the budget law and the
/// press use (میلیارد = 10⁹, تریلیون = 10¹²), as npm `@persian-tools/persian-tools` does;
/// i64 reaches 9.2 × 10¹⁸.
const SCALES: [&str; 7] = [
    "",
    "هزار",
    "میلیون",
    "میلیارد",
    "تریلیون",
    "کوادریلیون",
    "کوینتیلیون",
];

/// An amount in Persian words, as on contracts and cheques: 15 000 000 000 →
/// «پانزده میلیارد»; 1 234 → «یک هزار و دویست و سی و چهار». Cheque style writes «یک
/// هزار» and «یکصد» in full, so no digit can be added in front; zero is «صفر» and a
/// negative amount starts with «منفی». Every i64 has words.
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

/// Splits `total` rials in proportion to the weights, in whole rials, largest remainder
/// first, so the parts sum to `total` exactly (surplus by share-days, budgets by
/// population). Ties in the remainder go to the earlier entry; a zero total weight or a
/// non-positive total gives every entry zero.
pub fn apportion<K: Copy>(total: i64, weights: &[(K, u128)]) -> Vec<(K, i64)> {
    let weight: u128 = weights.iter().map(|(_, w)| *w).sum();
    if weight == 0 || total <= 0 {
        return weights.iter().map(|(key, _)| (*key, 0)).collect();
    }
    let total_u = u128::try_from(total).unwrap_or(0);
    let mut parts: Vec<(K, u128, u128)> = weights
        .iter()
        .map(|(key, w)| {
            let (whole, remainder) = mul_div(total_u, *w, weight);
            (*key, whole, remainder)
        })
        .collect();
    let assigned: u128 = parts.iter().map(|(_, whole, _)| whole).sum();
    let mut leftover = total_u - assigned;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (
            parts.get(a).map_or(0, |p| p.2),
            parts.get(b).map_or(0, |p| p.2),
        );
        rb.cmp(&ra).then(a.cmp(&b))
    });
    for index in order {
        if leftover == 0 {
            break;
        }
        if let Some(part) = parts.get_mut(index) {
            part.1 += 1;
            leftover -= 1;
        }
    }
    parts
        .into_iter()
        .map(|(key, whole, _)| (key, i64::try_from(whole).unwrap_or(i64::MAX)))
        .collect()
}

/// `a × b / d` and its remainder, exactly, for `a < 2^64` and `b ≤ d` (so the quotient is
/// at most `a`): in `u128` when the product fits, else by long division of the 192-bit
/// product (share-days of a large register times a large surplus need it).
fn mul_div(a: u128, b: u128, d: u128) -> (u128, u128) {
    match a.checked_mul(b) {
        Some(product) => (product / d, product % d),
        None => mul_div_wide(a, b, d),
    }
}

/// `mul_div` by long division of the 256-bit product, one bit at a time.
fn mul_div_wide(a: u128, b: u128, d: u128) -> (u128, u128) {
    // The product as (high, low) halves of 128 bits each.
    let (b_high, b_low) = (b >> 64, b & u128::from(u64::MAX));
    let (low_part, high_part) = (a * b_low, a * b_high);
    let (low, carry) = low_part.overflowing_add(high_part << 64);
    let high = (high_part >> 64) + u128::from(carry);
    let (mut quotient, mut remainder) = (0u128, 0u128);
    for bit in (0..256).rev() {
        let next = if bit >= 128 {
            (high >> (bit - 128)) & 1
        } else {
            (low >> bit) & 1
        };
        // The remainder is below `d`; shifted it may pass 2^128, and then it is above `d`.
        let spilled = remainder >> 127 == 1;
        remainder = (remainder << 1) | next;
        quotient <<= 1;
        if spilled || remainder >= d {
            remainder = remainder.wrapping_sub(d);
            quotient |= 1;
        }
    }
    (quotient, remainder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_submitted_amount_is_at_most_the_maximum_either_way() {
        // Establishes the one size rule of every submitted amount, at its edges.
        assert_eq!(Rial::submitted(AMOUNT_MAX_RIAL), Ok(Rial(AMOUNT_MAX_RIAL)));
        assert_eq!(
            Rial::submitted(-AMOUNT_MAX_RIAL),
            Ok(Rial(-AMOUNT_MAX_RIAL))
        );
        assert_eq!(Rial::submitted(0), Ok(Rial::ZERO));
        for above in [
            AMOUNT_MAX_RIAL + 1,
            -AMOUNT_MAX_RIAL - 1,
            183_263_720_205_916_160,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(
                Rial::submitted(above),
                Err(MoneyError::AboveMaximum),
                "{above}"
            );
        }
        assert_eq!(MoneyError::AboveMaximum.rule(), "amount_maximum");
    }

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
            format_amount(Rial::new(-15), DisplayUnit::Toman, Locale::Fa),
            "-۱٫۵ تومان"
        );
        assert_eq!(DisplayUnit::parse("toman"), Some(DisplayUnit::Toman));
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
        assert_eq!(amount_in_words_fa(2_000_000_000_000), "دو تریلیون");
        assert_eq!(
            amount_in_words_fa(i64::MIN),
            "منفی نه کوینتیلیون و دویست و بیست و سه کوادریلیون و سیصد و هفتاد و دو تریلیون \
             و سی و شش میلیارد و هشتصد و پنجاه و چهار میلیون و هفتصد و هفتاد و پنج هزار \
             و هشتصد و هشت"
        );
    }

    #[test]
    fn typed_amounts_are_read_with_any_digits_and_separators() {
        // Establishes parsing and its errors.
        assert_eq!(Rial::parse("۱۵٬۰۰۰٬۰۰۰٬۰۰۰"), Ok(Rial::new(15_000_000_000)));
        assert_eq!(Rial::parse("1,234"), Ok(Rial::new(1234)));
        assert_eq!(Rial::parse("-50"), Ok(Rial::new(-50)));
        assert_eq!(Rial::parse("+50"), Ok(Rial::new(50)));
        assert_eq!(
            Rial::parse("-9,223,372,036,854,775,808"),
            Ok(Rial::new(i64::MIN))
        );
        assert_eq!(Rial::parse("-"), Err(MoneyError::Format));
        assert_eq!(Rial::parse("--5"), Err(MoneyError::Format));
        assert_eq!(Rial::parse("12.5"), Err(MoneyError::Format));
        assert_eq!(Rial::parse(""), Err(MoneyError::Format));
        assert_eq!(
            Rial::parse("99999999999999999999"),
            Err(MoneyError::Overflow)
        );
        assert_eq!(Rial::new(i64::MAX).checked_add(Rial::new(1)), None);
    }

    /// Reads back a formatted amount's number, decimals included, as rials (test only:
    /// the product never parses fractional units).
    fn rials_from_formatted(text: &str, unit: DisplayUnit) -> i64 {
        let number = to_ascii_digits(text.rsplit_once(' ').unwrap().0);
        let negative = number.starts_with('-');
        let (whole, fraction) = number
            .trim_start_matches('-')
            .split_once(['.', '\u{066B}'])
            .unwrap_or((number.trim_start_matches('-'), ""));
        let places = unit.decimal_places() as usize;
        let fraction = format!("{fraction:0<places$}");
        let whole: i128 = whole.replace([',', '\u{066C}'], "").parse().unwrap();
        let fraction: i128 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().unwrap()
        };
        let magnitude = whole * i128::from(unit.divisor()) + fraction;
        i64::try_from(if negative { -magnitude } else { magnitude }).unwrap()
    }

    proptest! {
        #[test]
        fn long_division_agrees_with_u128_where_the_product_fits(
            a in 0u128..(1 << 63),
            b in any::<u64>(),
            extra in any::<u64>(),
        ) {
            // Establishes the wide path of `mul_div` against plain arithmetic.
            let (b, d) = (u128::from(b), u128::from(b) + u128::from(extra) + 1);
            prop_assert_eq!(mul_div_wide(a, b, d), ((a * b) / d, (a * b) % d));
        }

        #[test]
        fn parse_reads_back_every_formatted_rial_amount(value in any::<i64>()) {
            // Establishes parse(format(x)) = x for rial amounts in both locales, and for
            // the plain Display form.
            prop_assert_eq!(Rial::parse(&Rial::new(value).to_string()), Ok(Rial::new(value)));
            for locale in [Locale::Fa, Locale::En] {
                let text = format_amount(Rial::new(value), DisplayUnit::Rial, locale);
                let number = text.rsplit_once(' ').map(|(n, _)| n).unwrap();
                prop_assert_eq!(Rial::parse(number), Ok(Rial::new(value)));
            }
        }

        #[test]
        fn no_unit_rounds_an_amount(value in any::<i64>()) {
            // Establishes that every unit shows every rial: the shown number, decimals
            // included, is exactly the amount.
            for unit in DisplayUnit::ALL {
                for locale in [Locale::Fa, Locale::En] {
                    let text = format_amount(Rial::new(value), unit, locale);
                    prop_assert_eq!(rials_from_formatted(&text, unit), value, "{}", text);
                }
            }
        }
    }
}
