//! The terms a loan's current schedule was built from (the contract's, or the latest
//! rescheduling's from `loan_schedules`) and the stored schedule as the core computed it:
//! what repayments, settlement and rescheduling all read before they compute.

use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_core::loans::rate::{DayBase, RateBp};
use taavon_core::loans::schedule::{GraceMode, Installment, Method, Schedule, ScheduleTerms};
use taavon_store::{InstallmentRow, Loan, Reader};

use crate::AppError;

/// The terms the loan's current schedule was built from, and the principal it amortises
/// (what was disbursed under the contract's schedule; a rescheduled schedule's principal).
pub(super) async fn current_terms(
    reader: &mut Reader,
    loan: &Loan,
) -> Result<(ScheduleTerms, i64), AppError> {
    if loan.schedule_version == 1 {
        return Ok((contract_terms(loan)?, loan.disbursed_rial));
    }
    let schedule = reader
        .loan_schedules(loan.id)
        .await?
        .into_iter()
        .find(|s| s.schedule_version == loan.schedule_version)
        .ok_or_else(|| corrupt(loan, "schedule version"))?;
    let s = &schedule;
    let terms = stored_terms(
        loan,
        (s.principal_rial, s.rate_bp, s.months, s.grace_months),
        (s.grace_mode, s.method, s.day_base, &s.starts_on),
    )?;
    Ok((terms, s.principal_rial))
}

pub(super) fn corrupt(loan: &Loan, what: &str) -> AppError {
    AppError::Internal(format!("loan {} has a bad {what}", loan.id))
}

/// The contract's terms, starting the day it was written.
fn contract_terms(loan: &Loan) -> Result<ScheduleTerms, AppError> {
    let f = &loan.fields;
    stored_terms(
        loan,
        (f.principal_rial, f.rate_bp, f.months, f.grace_months),
        (f.grace_mode, f.method, f.day_base, &f.contracted_on),
    )
}

/// Terms as stored (on the loan for the contract, in `loan_schedules` after).
fn stored_terms(
    loan: &Loan,
    numbers: (i64, i64, i64, i64),
    choices: (GraceMode, Method, i64, &str),
) -> Result<ScheduleTerms, AppError> {
    let (principal, rate_bp, months, grace_months) = numbers;
    let (grace_mode, method, day_base, starts_on) = choices;
    let start = IsoDate::parse(starts_on).map_err(|_| corrupt(loan, "start date"))?;
    Ok(ScheduleTerms {
        principal,
        rate: u32::try_from(rate_bp)
            .ok()
            .and_then(|bp| RateBp::new(bp).ok())
            .ok_or_else(|| corrupt(loan, "rate"))?,
        months: u16::try_from(months).map_err(|_| corrupt(loan, "term"))?,
        grace_months: u16::try_from(grace_months).map_err(|_| corrupt(loan, "grace"))?,
        grace_mode,
        method,
        start: JalaliDate::from(start),
        day_base: DayBase::parse(&day_base.to_string()).ok_or_else(|| corrupt(loan, "day base"))?,
    })
}

/// The stored schedule as the core computed it. For qard al-hasan the core's profit is
/// stored as the fee (see `installment_rows`), so the row's profit is their sum.
pub(super) fn schedule_of(rows: &[InstallmentRow]) -> Result<Schedule, AppError> {
    rows.iter()
        .map(|row| {
            let bad = || AppError::Internal(format!("installment {} is malformed", row.n));
            Ok(Installment {
                n: u16::try_from(row.n).map_err(|_| bad())?,
                due: JalaliDate::from(IsoDate::parse(&row.due_on).map_err(|_| bad())?),
                principal: row.principal_rial,
                profit: row.profit_rial + row.fee_rial,
                grace_profit: row.grace_profit_rial,
                total: row.total_rial,
                balance: row.balance_rial,
            })
        })
        .collect::<Result<_, AppError>>()
        .map(|rows| Schedule { rows })
}
