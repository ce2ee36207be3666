//! Rescheduling (استمهال): a new schedule for what is still owed, under new terms from a
//! new start date. The old schedule is not changed; the caller keeps it beside the new
//! one, as loan records are never edited.
//!
//! The new principal must be exactly the principal not yet repaid plus the unpaid dues
//! the parties agree to capitalise (typically overdue profit; whether penalties may be is
//! for the contract to say, so the caller passes the amount). Requiring the caller to
//! state both, and checking that the new terms lend exactly their sum, means a
//! rescheduling can neither forgive nor invent money by accident. Nor may it go beyond
//! the product (`product::RescheduleLimits`): a longer schedule or a lower rate than the
//! product allows is refused, naming the field and the rule.

use super::product::RescheduleLimits;
use super::schedule::{RateBp, Schedule, ScheduleError, ScheduleTerms, build};

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
    #[error("under this product the new schedule is at most {months_max} months, grace included")]
    TermBeyondProduct { months_max: u16 },
    #[error("under this product the new rate is at least {rate_min} %")]
    RateBelowProduct { rate_min: RateBp },
    #[error(transparent)]
    Terms(#[from] ScheduleError),
}

/// The schedule of `new_terms` (rate, term, grace, method and day base as agreed, `start`
/// the rescheduling date), whose principal must be `outstanding_principal +
/// capitalised_dues`, within the product's `limits`.
pub fn reschedule(
    outstanding_principal: i64,
    capitalised_dues: i64,
    new_terms: &ScheduleTerms,
    limits: &RescheduleLimits,
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
    let term = u32::from(new_terms.months) + u32::from(new_terms.grace_months);
    if term > u32::from(limits.months_max) {
        return Err(RescheduleError::TermBeyondProduct {
            months_max: limits.months_max,
        });
    }
    if new_terms.rate < limits.rate_min {
        return Err(RescheduleError::RateBelowProduct {
            rate_min: limits.rate_min,
        });
    }
    Ok(build(new_terms)?)
}

impl RescheduleError {
    pub fn field(&self) -> &'static str {
        match self {
            RescheduleError::NegativePrincipal => "outstanding_principal",
            RescheduleError::NegativeDues => "capitalised_dues",
            RescheduleError::PrincipalNotOwed { .. } => "principal",
            RescheduleError::TermBeyondProduct { .. } => "months",
            RescheduleError::RateBelowProduct { .. } => "rate",
            RescheduleError::Terms(error) => error.field(),
        }
    }

    pub fn rule(&self) -> &'static str {
        match self {
            RescheduleError::NegativePrincipal | RescheduleError::NegativeDues => "not_negative",
            RescheduleError::PrincipalNotOwed { .. } => "equals_owed",
            RescheduleError::TermBeyondProduct { .. } => "product_term_max",
            RescheduleError::RateBelowProduct { .. } => "product_rate_min",
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
            RescheduleError::TermBeyondProduct { months_max } => format!(
                "در این محصول مدت جدول جدید (با دوره تنفس) حداکثر {} ماه است.",
                crate::digits::to_persian_digits(&months_max.to_string())
            ),
            RescheduleError::RateBelowProduct { rate_min } => format!(
                "در این محصول نرخ جدید دست‌کم {} درصد است.",
                crate::digits::to_persian_digits(&rate_min.to_string())
            ),
            RescheduleError::Terms(error) => error.message_fa(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::JalaliDate;
    use crate::loans::schedule::tests::terms;

    /// Limits wide enough not to matter unless a test says otherwise.
    const OPEN: RescheduleLimits = RescheduleLimits {
        months_max: 420,
        rate_min: RateBp::ZERO,
    };

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
        let schedule = reschedule(900_000_000, 45_000_000, &new_terms(945_000_000), &OPEN).unwrap();
        assert_eq!(schedule.totals().principal, 945_000_000);
        assert_eq!(schedule.rows[0].due.to_string(), "1405-04-01");
        assert_eq!(schedule.rows.len(), 24);
    }

    #[test]
    fn negative_amounts_a_principal_other_than_what_is_owed_and_bad_terms_are_refused() {
        // Establishes the errors of a rescheduling, by field and rule.
        let refused = |p, d, t: ScheduleTerms| {
            let error = reschedule(p, d, &t, &OPEN).unwrap_err();
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
        assert!(reschedule(0, 500, &new_terms(500), &OPEN).is_ok());
    }

    #[test]
    fn a_rescheduling_beyond_the_products_term_or_below_its_rate_is_refused() {
        // Establishes the product's limits: the term counts the grace months, the rate
        // may equal the minimum but not fall below it.
        let limits = RescheduleLimits {
            months_max: 30,
            rate_min: RateBp::parse("12").unwrap(),
        };
        let refused = |t: ScheduleTerms| {
            let error = reschedule(1_000, 0, &t, &limits).unwrap_err();
            assert!(error.message_fa().contains('۳') || error.message_fa().contains('۱'));
            (error.field(), error.rule())
        };
        let longer = ScheduleTerms {
            months: 24,
            grace_months: 7,
            ..new_terms(1_000)
        };
        assert_eq!(refused(longer), ("months", "product_term_max"));
        let cheaper = ScheduleTerms {
            rate: RateBp::parse("11.99").unwrap(),
            ..new_terms(1_000)
        };
        assert_eq!(refused(cheaper), ("rate", "product_rate_min"));
        let at_the_limits = ScheduleTerms {
            months: 24,
            grace_months: 6,
            ..new_terms(1_000)
        };
        assert!(reschedule(1_000, 0, &at_the_limits, &limits).is_ok());
    }
}
