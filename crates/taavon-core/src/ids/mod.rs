//! Iranian identifiers as validated types that can only be built by parsing: national
//! code (کد ملی), legal-entity national ID (شناسه ملی) and Sheba (IR IBAN). Rules as in
//! `shared/oracle/README.md`; also bank card numbers (Luhn) and Iranian mobile numbers.
//!
//! Each type is built only by `parse`, which accepts what people type or import files
//! hold (Persian or Arabic-Indic digits, spaces, hyphens, invisible direction marks, a
//! lower-case `ir`, national codes whose leading zeros a spreadsheet dropped) and keeps the
//! one canonical spelling, so two equal identifiers are equal strings.

mod banks;

use std::fmt;

pub use banks::{BANKS, Bank, bank_by_code};

use crate::digits::to_ascii_digits;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("it is empty")]
    Empty,
    #[error("it may contain only digits (and spaces or hyphens)")]
    NotDigits,
    #[error("it must have {expected} digits, not {found}")]
    Length { expected: usize, found: usize },
    #[error("all its digits are equal")]
    AllDigitsEqual,
    #[error("its check digit is wrong")]
    CheckDigit,
    #[error("a Sheba number starts with IR")]
    Country,
    #[error("no bank has the code {code}")]
    UnknownBank { code: String },
    #[error("an Iranian mobile number starts with 09")]
    Prefix,
}

impl IdError {
    /// A stable machine code of the broken rule.
    pub fn rule(&self) -> &'static str {
        match self {
            IdError::Empty => "required",
            IdError::NotDigits => "not_digits",
            IdError::Length { .. } => "length",
            IdError::AllDigitsEqual => "all_digits_equal",
            IdError::CheckDigit => "check_digit",
            IdError::Country => "country",
            IdError::UnknownBank { .. } => "unknown_bank",
            IdError::Prefix => "prefix",
        }
    }

    /// The English message (the same text as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }

    /// The Persian message, with Persian digits. Like the English one it speaks of "it",
    /// so the interface can put the field's label in front («کد ملی: رقم کنترل درست نیست.»).
    pub fn message_fa(&self) -> String {
        match self {
            IdError::Empty => "خالی است.".into(),
            IdError::NotDigits => "فقط رقم (و فاصله یا خط تیره) مجاز است.".into(),
            IdError::Length { expected, found } => crate::digits::to_persian_digits(&format!(
                "باید {expected} رقم باشد، نه {found} رقم."
            )),
            IdError::AllDigitsEqual => "همه رقم‌ها یکسان است.".into(),
            IdError::CheckDigit => "رقم کنترل درست نیست.".into(),
            IdError::Country => "شماره شبا با IR آغاز می‌شود.".into(),
            IdError::UnknownBank { code } => {
                crate::digits::to_persian_digits(&format!("بانکی با کد {code} وجود ندارد."))
            }
            IdError::Prefix => "شماره همراه با ۰۹ آغاز می‌شود.".into(),
        }
    }
}

/// A 10-digit national code with a valid check digit.
///
/// Invariant: exactly ten ASCII digits, not all equal, check digit valid.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NationalCode(String);

/// An 11-digit legal-entity national ID with a valid check digit.
///
/// Invariant: exactly eleven ASCII digits, check digit valid.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LegalId(String);

/// An Iranian Sheba (IBAN): `IR`, two check digits and 22 digits.
///
/// Invariant: `text` is upper-case `IR` + 24 ASCII digits, MOD 97-10 valid, and `bank` is
/// the table's entry for its digits 5–7.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sheba {
    text: String,
    bank: &'static Bank,
}

/// A 16-digit bank card number with a valid Luhn check digit.
///
/// Invariant: sixteen ASCII digits, Luhn-valid.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CardNumber(String);

/// An Iranian mobile number, normalised to `09XXXXXXXXX`.
///
/// Invariant: eleven ASCII digits starting with `09`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MobileNumber(String);

/// A Social Security Organization workshop code (کد کارگاه): the employer's number on
/// the monthly insured-worker lists, by which hires are matched to borrowers.
///
/// Invariant: exactly ten ASCII digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkshopCode(String);

/// What a person typed with ASCII digits and without the separators people put between
/// groups (spaces, hyphens and dashes) or that copying adds unseen (ZWNJ, direction marks,
/// byte-order mark).
fn compact(text: &str) -> String {
    // Nearly every code on a national list is already plain ASCII digits (15 million a
    // month): nothing to convert or drop.
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.to_owned();
    }
    to_ascii_digits(text)
        .chars()
        .filter(|c| {
            !(c.is_whitespace()
                || matches!(
                    c,
                    '-' | '\u{2010}'
                        ..='\u{2015}'
                            | '\u{2212}'
                            | '\u{200C}'
                            | '\u{200D}'
                            | '\u{200E}'
                            | '\u{200F}'
                            | '\u{061C}'
                            | '\u{FEFF}'
                ))
        })
        .collect()
}

/// The ASCII digits of what a person typed (see `compact`), or why there are none.
fn digits_of(text: &str) -> Result<String, IdError> {
    let kept = compact(text);
    if kept.is_empty() {
        return Err(IdError::Empty);
    }
    if !kept.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::NotDigits);
    }
    Ok(kept)
}

fn digit_values(text: &str) -> Vec<u32> {
    text.bytes().map(|b| u32::from(b - b'0')).collect()
}

impl NationalCode {
    /// The last four digits, the rest hidden: enough for a reader to tell records
    /// apart, not enough to identify the person (lists shown to banks, the audit text).
    pub fn masked(&self) -> String {
        let shown = self.0.get(self.0.len().saturating_sub(4)..).unwrap_or("");
        format!("******{shown}")
    }

    pub fn parse(text: &str) -> Result<Self, IdError> {
        let mut digits = digits_of(text)?;
        // Spreadsheets drop leading zeros: 8 or 9 digits are padded back to 10.
        if (8..10).contains(&digits.len()) {
            digits = format!("{digits:0>10}");
        }
        if digits.len() != 10 {
            return Err(IdError::Length {
                expected: 10,
                found: digits.len(),
            });
        }
        let d = digit_values(&digits);
        if d.iter().all(|x| Some(x) == d.first()) {
            return Err(IdError::AllDigitsEqual);
        }
        let sum: u32 = d
            .iter()
            .take(9)
            .zip((2..=10).rev())
            .map(|(x, w)| x * w)
            .sum();
        let r = sum % 11;
        let check = if r < 2 { r } else { 11 - r };
        if d.get(9) != Some(&check) {
            return Err(IdError::CheckDigit);
        }
        Ok(Self(digits))
    }

    /// The valid national code whose first nine digits are these (for demo and synthetic
    /// data); `None` if the nine digits are not nine digits or all equal the check digit.
    pub fn with_check_digit(first_nine: &str) -> Option<Self> {
        if first_nine.len() != 9 || !first_nine.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let d = digit_values(first_nine);
        let sum: u32 = d.iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
        let r = sum % 11;
        let check = if r < 2 { r } else { 11 - r };
        Self::parse(&format!("{first_nine}{check}")).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl WorkshopCode {
    pub const LENGTH: usize = 10;

    /// Ten digits, in any script, with separators; 8 or 9 digits are taken as a code whose
    /// leading zeros a spreadsheet dropped.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let mut digits = digits_of(text)?;
        if (Self::LENGTH - 2..Self::LENGTH).contains(&digits.len()) {
            digits = format!("{digits:0>10}");
        }
        if digits.len() != Self::LENGTH {
            return Err(IdError::Length {
                expected: Self::LENGTH,
                found: digits.len(),
            });
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl LegalId {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let digits = digits_of(text)?;
        if digits.len() != 11 {
            return Err(IdError::Length {
                expected: 11,
                found: digits.len(),
            });
        }
        if Self::check_digit(digits.get(..10).unwrap_or("")) != digits_of_at(&digits, 10) {
            return Err(IdError::CheckDigit);
        }
        Ok(Self(digits))
    }

    /// The valid legal ID whose first ten digits are these (for demo data).
    pub fn with_check_digit(first_ten: &str) -> Option<Self> {
        let check = Self::check_digit(first_ten)?;
        Self::parse(&format!("{first_ten}{check}")).ok()
    }

    fn check_digit(first_ten: &str) -> Option<u32> {
        if first_ten.len() != 10 || !first_ten.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let d = digit_values(first_ten);
        let k = d.get(9)? + 2;
        let weights = [29, 27, 23, 19, 17];
        let sum: u32 = d
            .iter()
            .enumerate()
            .map(|(i, x)| (x + k) * weights.get(i % 5).copied().unwrap_or(0))
            .sum();
        let r = sum % 11;
        Some(if r == 10 { 0 } else { r })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn digits_of_at(digits: &str, index: usize) -> Option<u32> {
    digits
        .as_bytes()
        .get(index)
        .map(|b| u32::from(b.wrapping_sub(b'0')))
}

impl Sheba {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let compact = compact(text).to_ascii_uppercase();
        if compact.is_empty() {
            return Err(IdError::Empty);
        }
        let Some(rest) = compact.strip_prefix("IR") else {
            return Err(IdError::Country);
        };
        if !rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::NotDigits);
        }
        if rest.len() != 24 {
            return Err(IdError::Length {
                expected: 24,
                found: rest.len(),
            });
        }
        // ISO 7064 MOD 97-10: move IR and the check digits to the end (I = 18, R = 27) and
        // take the whole as one number modulo 97, digit by digit, without building it.
        let (check_digits, account) = rest.split_at_checked(2).unwrap_or(("", ""));
        let remainder = account
            .bytes()
            .chain(*b"1827")
            .chain(check_digits.bytes())
            .fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
        if remainder != 1 {
            return Err(IdError::CheckDigit);
        }
        let code = rest.get(2..5).unwrap_or("");
        let Some(bank) = bank_by_code(code) else {
            return Err(IdError::UnknownBank { code: code.into() });
        };
        Ok(Self {
            text: compact,
            bank,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The three-digit bank code (positions 5–7).
    pub fn bank_code(&self) -> &str {
        self.bank.code
    }

    /// The bank that issued this Sheba.
    pub fn bank(&self) -> &'static Bank {
        self.bank
    }
}

impl CardNumber {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let digits = digits_of(text)?;
        if digits.len() != 16 {
            return Err(IdError::Length {
                expected: 16,
                found: digits.len(),
            });
        }
        let sum: u32 = digit_values(&digits)
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| match (i % 2, d * 2) {
                (1, doubled) if doubled > 9 => doubled - 9,
                (1, doubled) => doubled,
                _ => *d,
            })
            .sum();
        if !sum.is_multiple_of(10) {
            return Err(IdError::CheckDigit);
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl MobileNumber {
    /// Accepts `09…`, `9…`, `+989…`, `00989…` and `989…`, with any digits and separators.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let trimmed = text.trim();
        let without_plus = trimmed.strip_prefix('+').unwrap_or(trimmed);
        let digits = digits_of(without_plus)?;
        let national = digits
            .strip_prefix("0098")
            .or_else(|| digits.strip_prefix("98").filter(|rest| rest.len() == 10))
            .map(|rest| format!("0{rest}"))
            .unwrap_or_else(|| {
                if digits.len() == 10 && digits.starts_with('9') {
                    format!("0{digits}")
                } else {
                    digits.clone()
                }
            });
        if national.len() != 11 {
            return Err(IdError::Length {
                expected: 11,
                found: national.len(),
            });
        }
        if !national.starts_with("09") {
            return Err(IdError::Prefix);
        }
        Ok(Self(national))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
display_as_str!(
    NationalCode,
    LegalId,
    WorkshopCode,
    CardNumber,
    MobileNumber
);

impl fmt::Display for Sheba {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workshop_code_is_ten_digits_in_any_script() {
        // Establishes WorkshopCode's normalisation and refusals.
        let code = WorkshopCode::parse("۳۵۴۷-۸۷۳۲۵۶").unwrap();
        assert_eq!(code.as_str(), "3547873256");
        assert_eq!(
            WorkshopCode::parse("47873256").unwrap().as_str(),
            "0047873256"
        );
        assert_eq!(
            WorkshopCode::parse("1234567"),
            Err(IdError::Length {
                expected: 10,
                found: 7
            })
        );
        assert_eq!(WorkshopCode::parse("12345abcde"), Err(IdError::NotDigits));
        assert_eq!(WorkshopCode::parse(" "), Err(IdError::Empty));
    }

    #[test]
    fn a_national_code_typed_in_persian_digits_with_lost_zeros_is_normalised() {
        // Establishes digit folding and left-padding of 8–9 digit national codes.
        let code = NationalCode::with_check_digit("001234567").unwrap();
        let persian = crate::digits::to_persian_digits(code.as_str().trim_start_matches('0'));
        assert_eq!(NationalCode::parse(&persian).unwrap(), code);
        assert_eq!(
            NationalCode::parse("1111111111"),
            Err(IdError::AllDigitsEqual)
        );
        assert_eq!(
            NationalCode::parse("12"),
            Err(IdError::Length {
                expected: 10,
                found: 2
            })
        );
    }

    #[test]
    fn card_numbers_need_a_luhn_check_digit_and_mobiles_are_normalised() {
        // Establishes card and mobile validation.
        assert_eq!(
            CardNumber::parse("6037-9975-9940-5587").unwrap().as_str(),
            "6037997599405587"
        );
        assert_eq!(
            CardNumber::parse("6037997599405581"),
            Err(IdError::CheckDigit)
        );
        for text in [
            "09121234567",
            "+98 912 123 4567",
            "00989121234567",
            "9121234567",
            "۰۹۱۲۱۲۳۴۵۶۷",
        ] {
            assert_eq!(
                MobileNumber::parse(text).unwrap().as_str(),
                "09121234567",
                "{text}"
            );
        }
        assert_eq!(MobileNumber::parse("02112345678"), Err(IdError::Prefix));
    }

    proptest::proptest! {
        #[test]
        fn every_identifier_reads_back_from_its_own_text(nine in 0u32..1_000_000_000, ten in 0u64..10_000_000_000) {
            // Establishes parse(display(x)) = x for each identifier type.
            if let Some(code) = NationalCode::with_check_digit(&format!("{nine:09}")) {
                proptest::prop_assert_eq!(NationalCode::parse(&code.to_string()), Ok(code));
            }
            if let Some(id) = LegalId::with_check_digit(&format!("{ten:010}")) {
                proptest::prop_assert_eq!(LegalId::parse(&id.to_string()), Ok(id));
            }
            let mobile = MobileNumber::parse(&format!("09{:09}", nine)).unwrap();
            proptest::prop_assert_eq!(MobileNumber::parse(&mobile.to_string()), Ok(mobile));
            let sheba = Sheba::parse(&sheba_with_check_digits("022", ten)).unwrap();
            proptest::prop_assert_eq!(Sheba::parse(sheba.as_str()), Ok(sheba.clone()));
            proptest::prop_assert_eq!(sheba.bank_code(), "022");
            let card = CardNumber::parse(&card_with_luhn_digit(ten)).unwrap();
            proptest::prop_assert_eq!(CardNumber::parse(card.as_str()), Ok(card));
        }

        #[test]
        fn every_identifier_reads_back_from_the_ways_people_type_it(
            nine in 0u32..1_000_000_000,
            ten in 0u64..10_000_000_000,
            bank in 0usize..BANKS.len(),
            style in 0u8..4,
        ) {
            // Establishes parse(typed(x)) = x: other digit sets, spaces, hyphens and a
            // lower-case country code all read as the canonical value.
            if let Some(code) = NationalCode::with_check_digit(&format!("{nine:09}")) {
                proptest::prop_assert_eq!(NationalCode::parse(&as_typed(code.as_str(), style)), Ok(code));
            }
            if let Some(id) = LegalId::with_check_digit(&format!("{ten:010}")) {
                proptest::prop_assert_eq!(LegalId::parse(&as_typed(id.as_str(), style)), Ok(id));
            }
            let mobile = MobileNumber::parse(&format!("09{nine:09}")).unwrap();
            let international = format!("+98 {}", mobile.as_str().trim_start_matches('0'));
            proptest::prop_assert_eq!(MobileNumber::parse(&as_typed(&international, style)), Ok(mobile));
            let code = BANKS[bank].code;
            let sheba = Sheba::parse(&sheba_with_check_digits(code, ten)).unwrap();
            let typed = as_typed(&sheba.as_str().to_ascii_lowercase(), style);
            proptest::prop_assert_eq!(Sheba::parse(&typed), Ok(sheba.clone()));
            proptest::prop_assert_eq!(sheba.bank().code, code);
            let card = CardNumber::parse(&card_with_luhn_digit(ten)).unwrap();
            proptest::prop_assert_eq!(CardNumber::parse(&as_typed(card.as_str(), style)), Ok(card));
        }
    }

    /// `text` as a person might type it: 0 Persian digits, 1 Arabic-Indic digits, 2 groups
    /// of four separated by spaces, 3 groups separated by hyphens.
    fn as_typed(text: &str, style: u8) -> String {
        match style {
            0 => crate::digits::to_persian_digits(text),
            1 => text
                .chars()
                .map(|c| match c.to_digit(10) {
                    Some(d) => char::from_u32(0x0660 + d).unwrap(),
                    None => c,
                })
                .collect(),
            _ => {
                let separator = if style == 2 { " " } else { "-" };
                let chars: Vec<char> = text.chars().collect();
                chars
                    .chunks(4)
                    .map(|chunk| chunk.iter().collect::<String>())
                    .collect::<Vec<_>>()
                    .join(separator)
            }
        }
    }

    /// A valid Sheba of `bank` with account digits from `account` (ISO 7064 MOD 97-10).
    fn sheba_with_check_digits(bank: &str, account: u64) -> String {
        let bban = format!("{bank}{account:019}");
        let remainder = format!("{bban}182700")
            .bytes()
            .fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
        format!("IR{:02}{bban}", 98 - remainder)
    }

    /// A valid card number starting 6037 with digits from `serial`.
    fn card_with_luhn_digit(serial: u64) -> String {
        let body = format!("6037{:011}", serial % 100_000_000_000);
        (0..10)
            .map(|d| format!("{body}{d}"))
            .find(|candidate| CardNumber::parse(candidate).is_ok())
            .unwrap()
    }

    #[test]
    fn a_sheba_names_its_bank_and_unknown_bank_codes_are_refused() {
        // Establishes the bank lookup behind Sheba validation, on the two affiliated banks.
        let taavon = Sheba::parse(&sheba_with_check_digits("022", 42)).unwrap();
        assert_eq!(taavon.bank().name_fa, "بانک توسعه تعاون");
        let refah = Sheba::parse(&sheba_with_check_digits("013", 42)).unwrap();
        assert_eq!(refah.bank().nickname, "refah");
        assert_eq!(
            Sheba::parse(&sheba_with_check_digits("099", 42)),
            Err(IdError::UnknownBank { code: "099".into() })
        );
    }

    #[test]
    fn every_refusal_has_its_own_rule_code_and_a_persian_message() {
        // Establishes that the machine codes are distinct and every error reads in both
        // languages, with Persian digits in the Persian text.
        let errors = [
            IdError::Empty,
            IdError::NotDigits,
            IdError::Length {
                expected: 10,
                found: 9,
            },
            IdError::AllDigitsEqual,
            IdError::CheckDigit,
            IdError::Country,
            IdError::UnknownBank { code: "099".into() },
            IdError::Prefix,
        ];
        let mut rules: Vec<&str> = errors.iter().map(IdError::rule).collect();
        rules.sort_unstable();
        rules.dedup();
        assert_eq!(rules.len(), errors.len());
        for error in &errors {
            assert!(!error.message_en().is_empty());
            assert!(
                !error.message_fa().chars().any(|c| c.is_ascii_digit()),
                "{error:?}"
            );
        }
        assert_eq!(
            IdError::Length {
                expected: 10,
                found: 9
            }
            .message_fa(),
            "باید ۱۰ رقم باشد، نه ۹ رقم."
        );
    }

    #[test]
    fn separators_and_invisible_marks_people_paste_are_ignored() {
        // Establishes the tolerant reading of typed and pasted identifiers.
        let code = NationalCode::with_check_digit("001234567").unwrap();
        let pasted = format!("\u{200F}{}\u{200F}", code.as_str());
        assert_eq!(NationalCode::parse(&pasted), Ok(code.clone()));
        let dashed: String = code.as_str().chars().flat_map(|c| [c, '–']).collect();
        assert_eq!(NationalCode::parse(&dashed), Ok(code));
        assert_eq!(NationalCode::parse("   "), Err(IdError::Empty));
        assert_eq!(NationalCode::parse("12345x7890"), Err(IdError::NotDigits));
        assert_eq!(
            Sheba::parse("DE89370400440532013000"),
            Err(IdError::Country)
        );
    }

    #[test]
    fn generated_legal_ids_are_valid_and_one_changed_digit_is_not() {
        // Establishes the legal-ID check digit in both directions.
        let id = LegalId::with_check_digit("1410000001").unwrap();
        let mut broken = id.as_str().to_owned();
        let last = broken.pop().unwrap();
        broken.push(if last == '9' {
            '0'
        } else {
            char::from(last as u8 + 1)
        });
        assert_eq!(LegalId::parse(&broken), Err(IdError::CheckDigit));
    }
}
