//! Submitted text within its kind's limit (`taavon_core::limits`). Every use case that
//! takes text checks it first, before reading or writing anything, so an over-long value
//! is never normalised, compared, stored or audited; the error names each field.

use taavon_core::digits::to_persian_digits;
use taavon_core::limits::TextKind;

use crate::{AppError, FieldError};

/// An input whose text fields all have a kind, so one call checks every one of them.
pub trait BoundedText {
    /// Reports each text field (with its name as the client gave it) to `lengths`.
    fn check_lengths(&self, lengths: &mut Lengths);
}

/// The fields found too long so far, named under the current prefix (`founders[2].`).
#[derive(Debug, Default)]
pub struct Lengths {
    prefix: String,
    errors: Vec<FieldError>,
}

impl Lengths {
    /// Checks one text.
    pub fn text(&mut self, field: &str, text: &str, kind: TextKind) -> &mut Self {
        if kind.exceeded_by(text) {
            self.errors
                .push(too_long(&format!("{}{field}", self.prefix), kind));
        }
        self
    }

    /// Checks a text that may be absent.
    pub fn optional(&mut self, field: &str, text: Option<&str>, kind: TextKind) -> &mut Self {
        match text {
            Some(text) => self.text(field, text, kind),
            None => self,
        }
    }

    /// Checks each text of a list, named `field[i]`.
    pub fn each(&mut self, field: &str, texts: &[String], kind: TextKind) -> &mut Self {
        for (index, text) in texts.iter().enumerate() {
            self.text(&format!("{field}[{index}]"), text, kind);
        }
        self
    }

    /// Checks a nested input, its fields named under `prefix` (`founders[2].`).
    pub fn nested(&mut self, prefix: &str, input: &impl BoundedText) -> &mut Self {
        let inner = format!("{}{prefix}", self.prefix);
        let outer = std::mem::replace(&mut self.prefix, inner);
        input.check_lengths(self);
        self.prefix = outer;
        self
    }

    /// The fields that were too long.
    pub fn into_errors(self) -> Vec<FieldError> {
        self.errors
    }

    /// `Invalid` naming every field that was too long, if any was.
    pub fn finish(self) -> Result<(), AppError> {
        valid(self.errors, ())
    }
}

/// Checks every text field of `input`.
pub fn check(input: &impl BoundedText) -> Result<(), AppError> {
    let mut lengths = Lengths::default();
    input.check_lengths(&mut lengths);
    lengths.finish()
}

/// Checks texts that are not part of an input struct (a reason, a note, a search).
pub fn check_texts(texts: &[(&str, Option<&str>, TextKind)]) -> Result<(), AppError> {
    let mut lengths = Lengths::default();
    for (field, text, kind) in texts {
        lengths.optional(field, *text, *kind);
    }
    lengths.finish()
}

/// `value` if no error was found, else `Invalid` with every one.
pub fn valid<T>(errors: Vec<FieldError>, value: T) -> Result<T, AppError> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// The largest page a list returns.
pub const PAGE_SIZE_MAX: i64 = 500;

/// A page of a list: `limit` rows (1 to `limit_max`) after skipping `offset` (0 or
/// more). Out of range is refused (rule `range`), not quietly clamped, so a client
/// learns that it did not get what it asked for.
pub fn page(limit: i64, offset: i64, limit_max: i64) -> Result<(i64, i64), AppError> {
    let mut errors = Vec::new();
    if !(1..=limit_max).contains(&limit) {
        errors.push(FieldError::new(
            "limit",
            "range",
            &to_persian_digits(&format!("«limit» باید از ۱ تا {limit_max} باشد.")),
            &format!("limit must be from 1 to {limit_max}."),
        ));
    }
    if offset < 0 {
        errors.push(FieldError::new(
            "offset",
            "range",
            "«offset» نمی‌تواند منفی باشد.",
            "offset must not be negative.",
        ));
    }
    valid(errors, (limit, offset))
}

/// A list's cursor (`after`) that names no row the principal may read: refused alike
/// whether the row is missing or out of scope, so the answer tells nothing of it.
pub fn bad_cursor() -> AppError {
    AppError::invalid(
        "after",
        "cursor",
        "نشانی این صفحه از فهرست درست نیست؛ از صفحه نخست آغاز کنید.",
        "This page's address is not valid; start from the first page.",
    )
}

/// A code that must be one of `codes` (rule `unknown`): the trimmed code if it is,
/// `None` (with the error recorded) if it is not, `None` if it was not given.
pub fn one_of(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    codes: &[&str],
) -> Option<String> {
    let value = value?.trim();
    if codes.contains(&value) {
        return Some(value.to_owned());
    }
    let list = codes.join(", ");
    errors.push(FieldError::new(
        field,
        "unknown",
        &format!("«{field}» باید یکی از این‌ها باشد: {}.", codes.join("، ")),
        &format!("{field} must be one of {list}."),
    ));
    None
}

/// The error for a text longer than its kind allows (rule `too_long`).
pub fn too_long(field: &str, kind: TextKind) -> FieldError {
    longer_than(field, kind.max_chars())
}

/// The error for a text longer than `max` characters (rule `too_long`).
pub fn longer_than(field: &str, max: usize) -> FieldError {
    FieldError::new(
        field,
        "too_long",
        &to_persian_digits(&format!("«{field}» بیش از {max} نویسه است.")),
        &format!("{field} is longer than {max} characters."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Founder {
        name: String,
        mobile: Option<String>,
    }

    impl BoundedText for Founder {
        fn check_lengths(&self, lengths: &mut Lengths) {
            lengths.text("name", &self.name, TextKind::Name).optional(
                "mobile",
                self.mobile.as_deref(),
                TextKind::Identifier,
            );
        }
    }

    #[test]
    fn every_text_over_its_limit_is_named_with_its_path_and_nothing_else_is() {
        // Establishes that nested and listed fields are named as the client sent them.
        let founders = [
            Founder {
                name: "مریم".into(),
                mobile: None,
            },
            Founder {
                name: "ن".repeat(201),
                mobile: Some("0".repeat(33)),
            },
        ];
        let mut lengths = Lengths::default();
        lengths.text("statute", "کوتاه", TextKind::FreeText);
        for (index, founder) in founders.iter().enumerate() {
            lengths.nested(&format!("founders[{index}]."), founder);
        }
        lengths.each(
            "provinces",
            &["IR-16".into(), "I".repeat(65)],
            TextKind::Code,
        );
        let fields: Vec<String> = lengths.into_errors().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["founders[1].name", "founders[1].mobile", "provinces[1]"]
        );
    }

    #[test]
    fn a_too_long_text_says_its_limit_in_both_languages() {
        // Establishes the rule code and the messages the API and the UI show.
        let error = too_long("address", TextKind::Address);
        assert_eq!(error.rule, "too_long");
        assert_eq!(error.message_en, "address is longer than 500 characters.");
        assert!(error.message_fa.contains("۵۰۰"), "{}", error.message_fa);
        assert!(check_texts(&[("reason", Some("کافی نیست"), TextKind::Reason)]).is_ok());
    }
}
