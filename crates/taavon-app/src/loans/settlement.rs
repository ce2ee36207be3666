//! Early settlement (تسویه پیش از موعد): the quote at the open business date and the
//! transaction that closes the loan with it.
//!
//! The quote is the core's `settlement` (principal not yet due, profit accrued to the day,
//! spread grace profit not yet due) over the stored schedule, with the arrears as the
//! loan's account knows them. The settlement is one immutable loan transaction of kind
//! `settlement` whose lines pay every unpaid part fallen due, all the principal not yet
//! due and the earned profit on the earliest installments not yet due, and waive the
//! rest of their profit (migration 0008): the ledger moves exactly what was paid, since
//! profit is income only when received, and the installments read as closed. It is
//! final: reversing it, or a repayment before it, is refused (see `reverse`).

use taavon_core::access::{LoanAction, Principal};
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_core::events::EventType;
use taavon_core::loans::account::{self, SettlementPlan};
use taavon_core::loans::repayment::Dues;
use taavon_core::loans::schedule::ScheduleTerms;
use taavon_core::loans::settlement::settlement;
use taavon_core::loans::{LoanStatus, TransactionKind};
use taavon_core::timestamp::Timestamp;
use taavon_store::{InstallmentRow, Loan, NewLoanTransaction, Store};

use super::command::{LoanCommand, Opened};
use super::state::{accounts_of, book, open_and_paid_out, penalty_due_at, restated, stored_lines};
use super::terms::{current_terms, schedule_of};
use super::{RepaymentInput, authorize, calendar};
use crate::AppError;
use crate::funds::postings::{self, Movement};
use crate::idempotency::Idempotency;

/// What settles a loan at the open business date, by part, in rials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettlementQuote {
    pub business_date: IsoDate,
    /// The late charge and the unpaid parts of the installments fallen due.
    pub due: Dues,
    pub principal_not_due_rial: i64,
    /// Profit on the principal not yet due since the last due date (the core's rule).
    pub accrued_profit_rial: i64,
    /// The spread grace profit not yet due (earned in full at the grace period's end).
    pub grace_profit_rial: i64,
    /// Profit already paid ahead on installments not yet due; it counts towards the two
    /// above.
    pub prepaid_profit_rial: i64,
    /// The profit charged: accrued plus grace profit, less what was paid ahead.
    pub earned_profit_rial: i64,
    /// The profit of the installments not yet due that is not charged.
    pub waived_profit_rial: i64,
    pub total_rial: i64,
}

/// The quote of a loan the principal may read.
pub async fn settlement_quote(
    store: &Store,
    principal: &Principal,
    loan_id: i64,
) -> Result<SettlementQuote, AppError> {
    let mut read = store.read().await?;
    let loan = read.loan(loan_id).await?.ok_or(AppError::NotFound)?;
    authorize(principal, LoanAction::Read, &loan)?;
    let rows = read.installments(loan_id, loan.schedule_version).await?;
    let today = calendar::business_date_read(&mut read).await?;
    let (terms, _) = current_terms(&mut read, &loan).await?;
    read.finish().await?;
    open_and_paid_out(&loan, "settlement")?;
    Ok(quote(&loan, &terms, &rows, today)?.0)
}

/// Settles the loan at the open business date for exactly the quote's total.
pub async fn settle(
    store: &Store,
    principal: &Principal,
    loan_id: i64,
    input: &RepaymentInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<i64, AppError> {
    crate::bounds::check(input)?;
    let opened = LoanCommand::open(
        store,
        principal,
        loan_id,
        LoanAction::Transact,
        idempotency,
        now,
    );
    let (mut command, loan) = match opened.await? {
        Opened::Replay(id) => return Ok(id),
        Opened::Fresh(command, loan) => (command, loan),
    };
    let write = &mut command.write;
    open_and_paid_out(&loan, "settlement")?;
    let today = calendar::business_date_in(write, now).await?;
    let rows = write.installments(loan_id, loan.schedule_version).await?;
    let (terms, base) = current_terms(write, &loan).await?;
    let (quote, plan) = quote(&loan, &terms, &rows, today)?;
    let receipt = super::transactions::receipt_of(input, &loan, today)?;
    if input.amount_rial != Some(quote.total_rial) {
        let total = quote.total_rial;
        return Err(AppError::invalid(
            "amount_rial",
            "must_equal_settlement",
            &format!(
                "مبلغ باید برابر مبلغ تسویه پیش از موعد، {} ریال، باشد.",
                taavon_core::money::format_number(total, taavon_core::locale::Locale::Fa)
            ),
            &format!("The amount must equal the settlement amount, {total} rials."),
        ));
    }
    let paid = plan.paid();
    let transaction_id = write
        .record_loan_transaction(
            &NewLoanTransaction {
                loan_id,
                province: loan.fields.province.clone(),
                kind: TransactionKind::Settlement,
                business_on: today.to_string(),
                amount_rial: quote.total_rial,
                penalty_rial: paid.penalty,
                fee_rial: paid.fee,
                profit_rial: paid.profit,
                principal_rial: paid.principal,
                reverses: None,
                note: input.note.clone(),
                receipt,
            },
            &stored_lines(&loan, &plan.lines),
        )
        .await?;
    postings::repay(
        write,
        &book(&loan),
        loan_id,
        transaction_id,
        &Movement {
            penalty: paid.penalty,
            fee: paid.fee,
            profit: paid.profit,
            principal: paid.principal,
        },
    )
    .await?;
    let mut installments = accounts_of(&rows);
    account::apply_lines(&mut installments, &plan.lines, 1);
    let frozen =
        loan.state.late_rial_days_frozen + plan.lines.iter().map(|l| l.late_rial_days).sum::<i64>();
    let state = restated(
        &loan,
        &installments,
        base,
        frozen,
        loan.state.penalty_paid_rial + paid.penalty,
    );
    command
        .finish_change(
            &loan,
            (
                LoanStatus::Settled,
                loan.disbursed_rial,
                loan.schedule_version,
                loan.fields.reserve_transfer.as_deref(),
                &state,
            ),
            transaction_id,
            EventType::LoanSettled,
        )
        .await
}

/// The quote and the plan that pays it, from the loan, its current schedule and the day.
fn quote(
    loan: &Loan,
    terms: &ScheduleTerms,
    rows: &[InstallmentRow],
    today: IsoDate,
) -> Result<(SettlementQuote, SettlementPlan), AppError> {
    let day = today.days_since_unix_epoch();
    // The arrears only add to the core's total; the plan below states them by part from
    // the installments, so the core is asked for the profit parts alone.
    let core = settlement(
        terms,
        &schedule_of(rows)?,
        JalaliDate::from(today),
        &Dues::default(),
    );
    let plan = account::plan_settlement(
        &accounts_of(rows),
        penalty_due_at(loan, rows, day),
        core.accrued_profit + core.grace_profit,
        day,
    );
    let quote = SettlementQuote {
        business_date: today,
        due: plan.due,
        principal_not_due_rial: plan.principal_not_due,
        accrued_profit_rial: core.accrued_profit,
        grace_profit_rial: core.grace_profit,
        prepaid_profit_rial: plan.prepaid,
        earned_profit_rial: plan.earned,
        waived_profit_rial: plan.waived,
        total_rial: plan.total(),
    };
    Ok((quote, plan))
}
