//! Rescheduling (استمهال): a new schedule, starting at the open business date, for the
//! outstanding principal plus the dues capitalised into it; the old schedule stays stored
//! under its version. Also the terms a loan's current schedule was built from, which
//! repayments, settlement and rescheduling all need.
//!
//! What may be capitalised is exactly the unpaid profit and fee fallen due: the caller
//! states the amount (`capitalise_rial`) and it must equal them, so nothing is forgiven
//! or invented by accident. The late charge must be paid first (it is not profit the
//! contract lends on), and profit paid ahead on installments not yet due must not exist
//! (the new schedule could not credit it). The profit accrued since the last due date
//! is not carried: the new schedule's profit runs from its start, as the core's rule
//! (new principal = outstanding principal + capitalised dues) defines it. In the ledger
//! the program fund lends the capitalised dues and that money pays them
//! (`funds::postings::capitalise`), so the loan book holds the new principal.
//!
//! The new terms stay within the product (`RescheduleLimits`: the program's longest term
//! and lowest rate). A rescheduling changes what the borrower owes, so it is a proposal
//! (`proposals`): planned here, checked in full, and applied at once or after a second
//! officer's approval.

use serde::{Deserialize, Serialize};
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_core::events::EventType;
use taavon_core::limits::TextKind;
use taavon_core::loans::account::{self, Line};
use taavon_core::loans::product::{ContractType, RescheduleLimits};
use taavon_core::loans::rate::RateBp;
use taavon_core::loans::reschedule::{RescheduleError, reschedule as core_reschedule};
use taavon_core::loans::schedule::{GraceMode, Method, Schedule, ScheduleTerms};
use taavon_core::loans::{LoanStatus, TransactionKind};
use taavon_core::timestamp::Timestamp;
use taavon_store::{Loan, LoanSchedule, NewLoanTransaction, WriteTx};

use super::command::update_loan;
use super::state::{accounts_of, book, open_and_paid_out, penalty_due_at, restated, stored_lines};
use super::terms::{corrupt, current_terms};
use super::{calendar, installment_rows, parse_choice};
use crate::AppError;
use crate::bounds::{BoundedText, Lengths};
use crate::funds::postings::{self, Movement};
use crate::programs::parse_rules;

/// The new terms; what is not given keeps the current schedule's rate and method, with
/// no grace period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescheduleInput {
    pub months: i64,
    pub rate_bp: Option<i64>,
    pub grace_months: Option<i64>,
    /// `paid` (default), `capitalized` or `spread`.
    pub grace_mode: Option<String>,
    pub method: Option<String>,
    /// The unpaid profit and fee fallen due, capitalised into the new principal.
    pub capitalise_rial: i64,
    pub note: Option<String>,
}

impl BoundedText for RescheduleInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .optional("grace_mode", self.grace_mode.as_deref(), TextKind::Code)
            .optional("method", self.method.as_deref(), TextKind::Code)
            .optional("note", self.note.as_deref(), TextKind::FreeText);
    }
}

/// A rescheduling checked in full against the loan as it stands, not yet written.
pub(super) struct ReschedulePlan {
    today: IsoDate,
    lines: Vec<Line>,
    dues: Movement,
    capitalised: i64,
    terms: ScheduleTerms,
    built: Schedule,
    note: Option<String>,
}

impl ReschedulePlan {
    /// What the four-eyes threshold is compared with: the principal the new schedule
    /// amortises.
    pub(super) fn amount_rial(&self) -> i64 {
        self.terms.principal
    }
}

/// Checks a rescheduling of the loan at the open business date and computes its new
/// schedule, writing nothing.
pub(super) async fn plan_reschedule(
    write: &mut WriteTx,
    loan: &Loan,
    input: &RescheduleInput,
    now: Timestamp,
) -> Result<ReschedulePlan, AppError> {
    crate::bounds::check(input)?;
    open_and_paid_out(loan, "rescheduling")?;
    let today = calendar::business_date_in(write, now).await?;
    let day = today.days_since_unix_epoch();
    let rows = write.installments(loan.id, loan.schedule_version).await?;
    let (current, base) = current_terms(write, loan).await?;
    let penalty = penalty_due_at(loan, &rows, day);
    if penalty > 0 {
        return Err(AppError::Conflict(format!(
            "the late charge of {penalty} rials is paid before a rescheduling"
        )));
    }
    let installments = accounts_of(&rows);
    if installments
        .iter()
        .any(|i| i.due_day > day && i.paid_profit + i.paid_fee > 0)
    {
        return Err(AppError::Conflict(
            "profit was paid ahead on installments not yet due; settle or repay instead".into(),
        ));
    }
    let lines = account::plan_capitalisation(&installments, day);
    let dues = Movement {
        penalty: 0,
        fee: lines.iter().map(|l| l.fee).sum(),
        profit: lines.iter().map(|l| l.profit).sum(),
        principal: 0,
    };
    let capitalised = dues.fee + dues.profit;
    if input.capitalise_rial != capitalised {
        return Err(AppError::invalid(
            "capitalise_rial",
            "must_equal_due_profit",
            &format!(
                "مبلغ افزوده به اصل باید برابر سود و کارمزد سررسیدشده پرداخت‌نشده، {} ریال، باشد.",
                taavon_core::money::format_number(capitalised, taavon_core::locale::Locale::Fa)
            ),
            &format!(
                "The capitalised amount must equal the unpaid profit and fee fallen due, {capitalised} rials."
            ),
        ));
    }
    let outstanding = account::aggregates(&installments, base, day).outstanding_principal;
    let terms = new_terms(input, &current, outstanding + capitalised, today)?;
    let limits = product_limits(write, loan).await?;
    let built = core_reschedule(outstanding, capitalised, &terms, &limits).map_err(|error| {
        let field = match &error {
            RescheduleError::NegativeDues | RescheduleError::PrincipalNotOwed { .. } => {
                "capitalise_rial"
            }
            RescheduleError::RateBelowProduct { .. } => "rate_bp",
            other => other.field(),
        };
        AppError::invalid(
            field,
            error.rule(),
            &error.message_fa(),
            &error.message_en(),
        )
    })?;
    Ok(ReschedulePlan {
        today,
        lines,
        dues,
        capitalised,
        terms,
        built,
        note: input.note.clone(),
    })
}

/// What the loan's product allows a rescheduling: its program's pricing, with the
/// contracted rate as the default floor.
async fn product_limits(write: &mut WriteTx, loan: &Loan) -> Result<RescheduleLimits, AppError> {
    let program = write
        .program(&loan.fields.program)
        .await?
        .ok_or_else(|| corrupt(loan, "program"))?;
    let contracted = u32::try_from(loan.fields.rate_bp)
        .ok()
        .and_then(|bp| RateBp::new(bp).ok())
        .ok_or_else(|| corrupt(loan, "rate"))?;
    Ok(RescheduleLimits::of(
        &parse_rules(&program)?.pricing,
        contracted,
    ))
}

/// Writes the planned schedule and moves the loan to it; returns the `reschedule`
/// transaction. The loan's compare-and-set comes first, so of two concurrent
/// reschedulings the second stops there (409) before writing anything that would
/// collide with the first's new schedule version.
pub(super) async fn apply_reschedule(
    write: &mut WriteTx,
    loan: &Loan,
    plan: ReschedulePlan,
) -> Result<i64, AppError> {
    let ReschedulePlan {
        today,
        lines,
        dues,
        capitalised,
        terms,
        built,
        note,
    } = plan;
    let loan_id = loan.id;
    let working = calendar::working_calendar_in(write).await?;
    let new_rows = installment_rows(
        &built,
        &working,
        loan.fields.contract_type == ContractType::QardAlHasan,
    );
    let version = loan.schedule_version + 1;
    let frozen =
        loan.state.late_rial_days_frozen + lines.iter().map(|l| l.late_rial_days).sum::<i64>();
    let state = restated(
        loan,
        &accounts_of(&new_rows),
        terms.principal,
        frozen,
        loan.state.penalty_paid_rial,
    );
    update_loan(
        write,
        loan,
        (
            LoanStatus::Active,
            loan.disbursed_rial,
            version,
            loan.fields.reserve_transfer.as_deref(),
            &state,
        ),
    )
    .await?;
    let transaction_id = write
        .record_loan_transaction(
            &NewLoanTransaction {
                loan_id,
                province: loan.fields.province.clone(),
                kind: TransactionKind::Reschedule,
                business_on: today.to_string(),
                // No money from the borrower: the dues are paid by principal lent.
                amount_rial: 0,
                penalty_rial: 0,
                fee_rial: dues.fee,
                profit_rial: dues.profit,
                principal_rial: -capitalised,
                reverses: None,
                note,
                receipt: None,
            },
            &stored_lines(loan, &lines),
        )
        .await?;
    postings::capitalise(write, &book(loan), loan_id, transaction_id, &dues).await?;
    write
        .insert_loan_schedule(
            &LoanSchedule {
                loan_id,
                province: loan.fields.province.clone(),
                schedule_version: version,
                principal_rial: terms.principal,
                capitalised_rial: capitalised,
                rate_bp: i64::from(terms.rate.basis_points()),
                months: i64::from(terms.months),
                grace_months: i64::from(terms.grace_months),
                grace_mode: terms.grace_mode,
                method: terms.method,
                day_base: terms.day_base.days_per_year(),
                starts_on: today.to_string(),
                transaction_id,
            },
            &new_rows,
        )
        .await?;
    super::command::emit_loan_transaction(
        write,
        EventType::LoanRescheduled,
        loan_id,
        transaction_id,
    )
    .await?;
    Ok(transaction_id)
}

fn new_terms(
    input: &RescheduleInput,
    current: &ScheduleTerms,
    principal: i64,
    today: IsoDate,
) -> Result<ScheduleTerms, AppError> {
    let out_of_range = |field: &str| {
        AppError::invalid(
            field,
            "range",
            "مقدار خارج از بازه مجاز است.",
            &format!("{field} is out of range."),
        )
    };
    let rate = match input.rate_bp {
        None => current.rate,
        Some(bp) => u32::try_from(bp)
            .map_err(|_| out_of_range("rate_bp"))
            .and_then(|bp| {
                RateBp::new(bp).map_err(|error| {
                    AppError::invalid(
                        error.field(),
                        error.rule(),
                        &error.message_fa(),
                        &error.message_en(),
                    )
                })
            })?,
    };
    Ok(ScheduleTerms {
        principal,
        rate,
        months: u16::try_from(input.months).map_err(|_| out_of_range("months"))?,
        grace_months: u16::try_from(input.grace_months.unwrap_or(0))
            .map_err(|_| out_of_range("grace_months"))?,
        grace_mode: parse_choice(
            "grace_mode",
            input.grace_mode.as_deref(),
            GraceMode::Paid,
            GraceMode::parse,
        )?,
        method: parse_choice(
            "method",
            input.method.as_deref(),
            current.method,
            Method::parse,
        )?,
        start: JalaliDate::from(today),
        day_base: current.day_base,
    })
}
