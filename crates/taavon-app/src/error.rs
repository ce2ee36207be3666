//! The use cases' errors: user errors name the field and the rule; everything else is
//! internal and only logged.

use taavon_core::access::Decision;
use taavon_core::money::Rial;
use taavon_store::StoreError;

/// One input field that broke one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field as the client named it, e.g. `national_code` or `rows[3].tier`.
    pub field: String,
    /// A stable machine code of the rule, e.g. `required`, `check_digit`, `unknown`.
    pub rule: String,
    pub message_fa: String,
    pub message_en: String,
}

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("too many failed logins; try again in {retry_after_seconds} s")]
    Throttled { retry_after_seconds: u64 },
    #[error("not allowed")]
    Forbidden,
    /// Four eyes: the caller already took part (drafted, submitted, proposed or gave the
    /// first approval), so another officer must take this step.
    #[error("another officer must take this step: you already took part in it")]
    FourEyes,
    #[error("not found")]
    NotFound,
    #[error("invalid input: {}", summary(.0))]
    Invalid(Vec<FieldError>),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyKeyReused,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|error| format!("{} ({}): {}", error.field, error.rule, error.message_en))
        .collect::<Vec<_>>()
        .join("; ")
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: &str, message_fa: &str, message_en: &str) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
            message_fa: message_fa.into(),
            message_en: message_en.into(),
        }
    }
}

impl FieldError {
    /// The error of a submitted amount above `taavon_core::money::AMOUNT_MAX_RIAL`, the
    /// one size rule of every amount a caller sends.
    pub fn above_maximum(field: impl Into<String>, rials: i64) -> Option<Self> {
        Rial::submitted(rials).err().map(|error| {
            Self::new(
                field,
                error.rule(),
                &error.message_fa(),
                &error.message_en(),
            )
        })
    }
}

impl AppError {
    /// `rials` when it is within the submitted-amount maximum, else the error naming
    /// `field`.
    pub fn check_amount(field: &str, rials: i64) -> Result<i64, Self> {
        match FieldError::above_maximum(field, rials) {
            None => Ok(rials),
            Some(error) => Err(Self::Invalid(vec![error])),
        }
    }

    /// A single invalid field.
    pub fn invalid(field: &str, rule: &str, message_fa: &str, message_en: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, rule, message_fa, message_en)])
    }

    /// Turns a policy refusal into the error the caller should see.
    pub fn from_decision(decision: Decision) -> Result<(), Self> {
        match decision {
            Decision::Allow => Ok(()),
            Decision::Unauthenticated => Err(Self::Unauthenticated),
            Decision::Forbidden => Err(Self::Forbidden),
            Decision::FourEyes => Err(Self::FourEyes),
            Decision::OutOfScope => Err(Self::NotFound),
        }
    }
}
