//! Rescheduling (استمهال): a new schedule for what is still owed, under new terms from a
//! new start date. The old schedule is not changed; the caller keeps it beside the new
//! one, as loan records are never edited.
//!
//! The new principal must be exactly the principal not yet repaid plus the unpaid dues
//! the parties agree to capitalise (typically overdue profit; whether penalties may be is
//! for the contract to say, so the caller passes the amount). Requiring the caller to
//! state both, and checking that the new terms lend exactly their sum, means a
//! rescheduling can neither forgive nor invent money by accident.

use super::schedule::{Schedule, ScheduleError, ScheduleTerms, build};

/// Why a rescheduling was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RescheduleError {
    #[error("the outstanding principal cannot be negative")]
    NegativePrincipal,
    #[error("the capitalised dues cannot be negative")]
    NegativeDues,
    #[error(
        "the new principal must be the outstanding principal plus the capitalised dues, {owed} rials"
    )]
    PrincipalNotOwed { owed: i64 },
    #[error(transparent)]
    Terms(#[from] ScheduleError),
}

/// The schedule of `new_terms` (rate, term, grace, method and day base as agreed, `start`
/// the rescheduling date), whose principal must be `outstanding_principal +
/// capitalised_dues`.
pub fn reschedule(
    outstanding_principal: i64,
    capitalised_dues: i64,
    new_terms: &ScheduleTerms,
) -> Result<Schedule, RescheduleError> {
    if outstanding_principal < 0 {
        return Err(RescheduleError::NegativePrincipal);
    }
    if capitalised_dues < 0 {
        return Err(RescheduleError::NegativeDues);
    }
    // Both come from the caller's ledger; a sum past i64 is far past PRINCIPAL_MAX.
    let owed = outstanding_principal.saturating_add(capitalised_dues);
    if new_terms.principal != owed {
        return Err(RescheduleError::PrincipalNotOwed { owed });
    }
    Ok(build(new_terms)?)
}

impl RescheduleError {
    pub fn field(&self) -> &'static str {
        match self {
            RescheduleError::NegativePrincipal => "outstanding_principal",
            RescheduleError::NegativeDues => "capitalised_dues",
            RescheduleError::PrincipalNotOwed { .. } => "principal",
            RescheduleError::Terms(error) => error.field(),
        }
    }

    pub fn rule(&self) -> &'static str {
        match self {
            RescheduleError::NegativePrincipal | RescheduleError::NegativeDues => "not_negative",
            RescheduleError::PrincipalNotOwed { .. } => "equals_owed",
            RescheduleError::Terms(error) => error.rule(),
        }
    }

    pub fn message_en(&self) -> String {
        self.to_string()
    }

    pub fn message_fa(&self) -> String {
        match self {
            RescheduleError::NegativePrincipal => "مانده اصل نمی‌تواند منفی باشد.".into(),
            RescheduleError::NegativeDues => "مطالبات افزوده به اصل نمی‌تواند منفی باشد.".into(),
            RescheduleError::PrincipalNotOwed { owed } => format!(
                "اصل جدید باید برابر مانده اصل به‌اضافه مطالبات افزوده، {} ریال، باشد.",
                crate::money::format_number(*owed, crate::locale::Locale::Fa)
            ),
            RescheduleError::Terms(error) => error.message_fa(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::JalaliDate;
    use crate::loans::schedule::RateBp;
    use crate::loans::schedule::tests::terms;

    fn new_terms(principal: i64) -> ScheduleTerms {
        ScheduleTerms {
            principal,
            rate: RateBp::parse("12").unwrap(),
            months: 24,
            grace_months: 0,
            start: JalaliDate::parse("1405-03-01").unwrap(),
            ..terms()
        }
    }

    #[test]
    fn the_new_schedule_amortises_the_balance_and_the_capitalised_dues_from_the_new_start() {
        // Establishes the new base and the new start.
        let schedule = reschedule(900_000_000, 45_000_000, &new_terms(945_000_000)).unwrap();
        assert_eq!(schedule.totals().principal, 945_000_000);
        assert_eq!(schedule.rows[0].due.to_string(), "1405-04-01");
        assert_eq!(schedule.rows.len(), 24);
    }

    #[test]
    fn negative_amounts_a_principal_other_than_what_is_owed_and_bad_terms_are_refused() {
        // Establishes the errors of a rescheduling, by field and rule.
        let refused = |p, d, t: ScheduleTerms| {
            let error = reschedule(p, d, &t).unwrap_err();
            assert!(!error.message_fa().is_empty());
            (error.field(), error.rule())
        };
        assert_eq!(
            refused(-1, 0, new_terms(0)),
            ("outstanding_principal", "not_negative")
        );
        assert_eq!(
            refused(1, -1, new_terms(0)),
            ("capitalised_dues", "not_negative")
        );
        assert_eq!(
            refused(900, 45, new_terms(900)),
            ("principal", "equals_owed")
        );
        assert_eq!(refused(0, 0, new_terms(0)), ("principal", "positive"));
        let zero_months = ScheduleTerms {
            months: 0,
            ..new_terms(1_000)
        };
        assert_eq!(refused(1_000, 0, zero_months), ("months", "range"));
        assert!(reschedule(0, 500, &new_terms(500)).is_ok());
    }
}
