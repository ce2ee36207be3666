//! A loan as the store keeps it, read for the core's account rules: its installments as
//! accounts, the late charge it owes, its kept numbers restated after a change, the lines
//! of a transaction as stored, its funds book, and what it takes now (a disbursement, a
//! repayment, a settlement or rescheduling).
//! Every money command on a loan shares these (`transactions`, `settlement`,
//! `reschedule`), so they sit below all three.

use taavon_core::loans::LoanStatus;
use taavon_core::loans::account::{self, InstallmentAccount, Line};
use taavon_store::{InstallmentRow, Loan, LoanState, TransactionLine};

use crate::AppError;
use crate::funds::chart::LoanBook;

/// The ledger accounts a loan's money moves between.
pub(super) fn book(loan: &Loan) -> LoanBook<'_> {
    LoanBook {
        program: &loan.fields.program,
        province: &loan.fields.province,
        bank: loan.fields.bank.as_str(),
    }
}

/// The installments as the core's account rules read them.
pub fn accounts_of(rows: &[InstallmentRow]) -> Vec<InstallmentAccount> {
    rows.iter().map(InstallmentRow::account).collect()
}

/// The late charge a loan owes at `day`.
pub(crate) fn penalty_due_at(loan: &Loan, rows: &[InstallmentRow], day: i64) -> i64 {
    account::penalty_due(
        loan.fields.rate_bp,
        loan.state.late_rial_days_frozen,
        loan.state.penalty_paid_rial,
        &accounts_of(rows),
        day,
    )
}

/// The kept numbers after the installments changed, as of the loan's closed day; `base` is
/// the principal the installments amortise (what was disbursed, or a rescheduled
/// schedule's principal).
pub(super) fn restated(
    loan: &Loan,
    installments: &[InstallmentAccount],
    base: i64,
    frozen: i64,
    penalty_paid: i64,
) -> LoanState {
    let closed = loan.state.closed_day;
    let totals = account::aggregates(installments, base, closed);
    LoanState {
        outstanding_principal_rial: totals.outstanding_principal,
        due_unpaid_rial: totals.due_unpaid,
        oldest_unpaid_due_day: totals.oldest_unpaid_due_day,
        late_unpaid_rial: totals.late_unpaid,
        late_weight: totals.late_weight,
        late_rial_days_frozen: frozen,
        penalty_paid_rial: penalty_paid,
        days_overdue: totals
            .oldest_unpaid_due_day
            .map_or(0, |oldest| (closed - oldest).max(0)),
        ..loan.state
    }
}

/// What of the principal is still to be paid out; a loan paid out in full (or settled)
/// takes no disbursement.
pub(super) fn undisbursed(loan: &Loan) -> Result<i64, AppError> {
    let rest = loan.fields.principal_rial - loan.disbursed_rial;
    if rest <= 0 || loan.status == LoanStatus::Settled {
        return Err(AppError::Conflict("the loan is fully disbursed".into()));
    }
    Ok(rest)
}

/// Only an active loan takes a repayment.
pub(super) fn takes_repayment(loan: &Loan) -> Result<(), AppError> {
    if loan.status != LoanStatus::Active {
        return Err(AppError::Conflict(format!(
            "a loan that is {} takes no repayment",
            loan.status
        )));
    }
    Ok(())
}

/// Only an active loan paid out in full is settled early or rescheduled: before the last
/// tranche the schedule is not the debt yet, and a settled loan owes nothing.
pub(super) fn open_and_paid_out(loan: &Loan, what: &str) -> Result<(), AppError> {
    if loan.status != LoanStatus::Active {
        return Err(AppError::Conflict(format!(
            "a loan that is {} takes no {what}",
            loan.status
        )));
    }
    if loan.disbursed_rial < loan.fields.principal_rial {
        return Err(AppError::Conflict(format!(
            "a loan not yet paid out in full takes no {what}"
        )));
    }
    Ok(())
}

/// A plan's lines as stored with the transaction, on the loan's current schedule.
pub(super) fn stored_lines(loan: &Loan, lines: &[Line]) -> Vec<TransactionLine> {
    lines
        .iter()
        .map(|l| TransactionLine {
            schedule_version: loan.schedule_version,
            n: i64::from(l.n),
            principal_rial: l.principal,
            profit_rial: l.profit,
            fee_rial: l.fee,
            late_rial_days: l.late_rial_days,
            waived_profit_rial: l.waived_profit,
            waived_fee_rial: l.waived_fee,
        })
        .collect()
}
