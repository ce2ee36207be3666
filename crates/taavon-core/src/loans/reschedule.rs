//! Rescheduling (استمهال): a new schedule for what is still owed, under new terms from a
//! new start date. The old schedule is not changed; the caller keeps it beside the new
//! one, as loan records are never edited.
//!
//! The new principal is the principal not yet repaid plus the unpaid dues the parties
//! agree to capitalise (typically overdue profit; whether penalties may be is for the
//! contract to say, so the caller passes the amount).

use super::schedule::{
    DayBase, GraceMode, Method, RateBp, Schedule, ScheduleError, ScheduleTerms, build,
};
use crate::calendar::JalaliDate;

/// The new terms: all of a schedule's terms but the amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RescheduleTerms {
    pub rate: RateBp,
    pub months: u16,
    pub grace_months: u16,
    pub grace_mode: GraceMode,
    pub method: Method,
    /// The rescheduling date; the new due dates count from it.
    pub start: JalaliDate,
    pub day_base: DayBase,
}

/// The new terms with their amount, and the schedule built from them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rescheduled {
    pub terms: ScheduleTerms,
    pub schedule: Schedule,
}

/// Why a rescheduling was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RescheduleError {
    #[error("the outstanding principal cannot be negative")]
    NegativePrincipal,
    #[error("the capitalised dues cannot be negative")]
    NegativeDues,
    #[error(transparent)]
    Terms(#[from] ScheduleError),
}

impl RescheduleTerms {
    pub fn with_principal(&self, principal: i64) -> ScheduleTerms {
        ScheduleTerms {
            principal,
            rate: self.rate,
            months: self.months,
            grace_months: self.grace_months,
            grace_mode: self.grace_mode,
            method: self.method,
            start: self.start,
            day_base: self.day_base,
        }
    }
}

/// A new schedule for `outstanding_principal + capitalised_dues` under `terms`.
pub fn reschedule(
    outstanding_principal: i64,
    capitalised_dues: i64,
    terms: &RescheduleTerms,
) -> Result<Rescheduled, RescheduleError> {
    if outstanding_principal < 0 {
        return Err(RescheduleError::NegativePrincipal);
    }
    if capitalised_dues < 0 {
        return Err(RescheduleError::NegativeDues);
    }
    // Both are bounded by the caller's ledger; a sum past i64 is past PRINCIPAL_MAX too.
    let terms = terms.with_principal(outstanding_principal.saturating_add(capitalised_dues));
    let schedule = build(&terms)?;
    Ok(Rescheduled { terms, schedule })
}

impl RescheduleError {
    pub fn field(&self) -> &'static str {
        match self {
            RescheduleError::NegativePrincipal => "outstanding_principal",
            RescheduleError::NegativeDues => "capitalised_dues",
            RescheduleError::Terms(error) => error.field(),
        }
    }

    pub fn rule(&self) -> &'static str {
        match self {
            RescheduleError::NegativePrincipal | RescheduleError::NegativeDues => "not_negative",
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
            RescheduleError::Terms(error) => error.message_fa(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_terms() -> RescheduleTerms {
        RescheduleTerms {
            rate: RateBp::parse("12").unwrap(),
            months: 24,
            grace_months: 0,
            grace_mode: GraceMode::Paid,
            method: Method::Annuity,
            start: JalaliDate::parse("1405-03-01").unwrap(),
            day_base: DayBase::Days365,
        }
    }

    #[test]
    fn the_new_schedule_amortises_the_balance_and_the_capitalised_dues_from_the_new_start() {
        // Establishes the new base, the new start and the returned terms.
        let rescheduled = reschedule(900_000_000, 45_000_000, &new_terms()).unwrap();
        assert_eq!(rescheduled.terms.principal, 945_000_000);
        assert_eq!(rescheduled.schedule, build(&rescheduled.terms).unwrap());
        assert_eq!(rescheduled.schedule.totals().principal, 945_000_000);
        assert_eq!(rescheduled.schedule.rows[0].due.to_string(), "1405-04-01");
        assert_eq!(rescheduled.schedule.rows.len(), 24);
    }

    #[test]
    fn negative_amounts_and_bad_terms_are_refused_by_field() {
        // Establishes the errors of a rescheduling.
        let field = |p, d, t: &RescheduleTerms| {
            reschedule(p, d, t)
                .map(|_| ())
                .map_err(|e| (e.field(), e.rule()))
        };
        assert_eq!(
            field(-1, 0, &new_terms()),
            Err(("outstanding_principal", "not_negative"))
        );
        assert_eq!(
            field(1, -1, &new_terms()),
            Err(("capitalised_dues", "not_negative"))
        );
        assert_eq!(field(0, 0, &new_terms()), Err(("principal", "positive")));
        let zero_months = RescheduleTerms {
            months: 0,
            ..new_terms()
        };
        assert_eq!(field(1_000, 0, &zero_months), Err(("months", "range")));
        assert_eq!(field(0, 500, &new_terms()), Ok(()));
    }
}
