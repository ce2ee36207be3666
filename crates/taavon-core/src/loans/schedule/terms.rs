//! The terms a schedule is built from, their bounds, and why terms are refused.

use super::{DayBase, RateBp};
use crate::calendar::JalaliDate;
use crate::coded::coded_enum;
use crate::digits::to_persian_digits;

/// How the amortised base is repaid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// Equal installments (profit plus principal), Excel's `PMT`.
    Annuity,
    /// Equal principal parts, with profit on the falling balance on top.
    EqualPrincipal,
}

coded_enum!(Method {
    Annuity = "annuity",
    EqualPrincipal = "equal_principal",
});

/// What happens to the profit of the grace period (دوره تنفس).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GraceMode {
    /// Paid month by month in profit-only installments.
    Paid,
    /// Added to the principal at the end of the grace period.
    Capitalized,
    /// Spread evenly over the amortising installments.
    Spread,
}

coded_enum!(GraceMode {
    Paid = "paid",
    Capitalized = "capitalized",
    Spread = "spread",
});

/// Everything a schedule depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduleTerms {
    /// The amount disbursed, rials.
    pub principal: i64,
    /// The yearly profit rate (for qard al-hasan, the fee rate).
    pub rate: RateBp,
    /// The number of amortising installments.
    pub months: u16,
    pub grace_months: u16,
    pub grace_mode: GraceMode,
    pub method: Method,
    /// The disbursement date; due dates count whole Jalali months from it.
    pub start: JalaliDate,
    /// The day base of the grace profit.
    pub day_base: DayBase,
}

/// Why terms were refused: the field and the broken rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("the principal must be a positive number of rials")]
    PrincipalNotPositive,
    #[error("the principal is at most 1,000,000,000,000,000 rials")]
    PrincipalTooLarge,
    #[error("the term is 1 to 360 monthly installments")]
    MonthsRange,
    #[error("the grace period is at most 60 months")]
    GraceMonthsRange,
    #[error("the last due date falls beyond the supported calendar")]
    StartRange,
}

impl ScheduleTerms {
    /// A larger facility is a typing mistake (10^15 rials is far beyond any single loan
    /// of the sector); the bound also keeps every total well inside i64.
    pub const PRINCIPAL_MAX: i64 = 1_000_000_000_000_000;
    /// 30 years, the longest term of any program.
    pub const MONTHS_MAX: u16 = 360;
    pub const GRACE_MONTHS_MAX: u16 = 60;

    /// The first broken rule, in the order of the fields.
    pub fn validate(&self) -> Result<(), ScheduleError> {
        if self.principal <= 0 {
            return Err(ScheduleError::PrincipalNotPositive);
        }
        if self.principal > Self::PRINCIPAL_MAX {
            return Err(ScheduleError::PrincipalTooLarge);
        }
        if !(1..=Self::MONTHS_MAX).contains(&self.months) {
            return Err(ScheduleError::MonthsRange);
        }
        if self.grace_months > Self::GRACE_MONTHS_MAX {
            return Err(ScheduleError::GraceMonthsRange);
        }
        // add_months saturates at the end of the calendar, so a last due date past it
        // would repeat; refuse instead.
        let last_month = i64::from(self.start.year()) * 12
            + i64::from(self.start.month())
            + i64::from(self.months)
            + i64::from(self.grace_months);
        if last_month > i64::from(JalaliDate::MAX_YEAR) * 12 + 12 {
            return Err(ScheduleError::StartRange);
        }
        Ok(())
    }
}

impl ScheduleError {
    /// The field of `ScheduleTerms` that breaks the rule.
    pub fn field(&self) -> &'static str {
        match self {
            ScheduleError::PrincipalNotPositive | ScheduleError::PrincipalTooLarge => "principal",
            ScheduleError::MonthsRange => "months",
            ScheduleError::GraceMonthsRange => "grace_months",
            ScheduleError::StartRange => "start",
        }
    }

    /// A stable machine code of the broken rule.
    pub fn rule(&self) -> &'static str {
        match self {
            ScheduleError::PrincipalNotPositive => "positive",
            ScheduleError::PrincipalTooLarge
            | ScheduleError::MonthsRange
            | ScheduleError::GraceMonthsRange
            | ScheduleError::StartRange => "range",
        }
    }

    pub fn message_en(&self) -> String {
        self.to_string()
    }

    /// The Persian message, with Persian digits.
    pub fn message_fa(&self) -> String {
        to_persian_digits(match self {
            ScheduleError::PrincipalNotPositive => "مبلغ تسهیلات باید مثبت باشد.",
            ScheduleError::PrincipalTooLarge => {
                "مبلغ تسهیلات حداکثر 1٬000٬000٬000٬000٬000 ریال است."
            }
            ScheduleError::MonthsRange => "تعداد اقساط از 1 تا 360 ماه است.",
            ScheduleError::GraceMonthsRange => "دوره تنفس حداکثر 60 ماه است.",
            ScheduleError::StartRange => "سررسید آخرین قسط از تقویم پشتیبانی‌شده بیرون است.",
        })
    }
}
