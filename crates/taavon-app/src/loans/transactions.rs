//! Money on a loan: tranche disbursements, repayments and their reversals. Each is an
//! immutable loan transaction with its lines, the ledger transfers that move the money,
//! and the loan's kept numbers updated by compare-and-set, in one write transaction. A
//! reversal changes what the borrower owes, so it is a proposal (`proposals`): planned
//! here and applied at once or after a second officer's approval.

use taavon_core::access::{LoanAction, Principal};
use taavon_core::calendar::IsoDate;
use taavon_core::events::EventType;
use taavon_core::limits::TextKind;
use taavon_core::loans::account::{self, RepaymentError};
use taavon_core::loans::receipt::{PaymentChannel, check_value_date};
use taavon_core::loans::repayment::Component;
use taavon_core::loans::{LoanStatus, TransactionKind};
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    Loan, LoanTransaction, NewLoanTransaction, PaymentReceipt, Store, TransactionLine, WriteTx,
};

use super::calendar;
use super::command::{LoanCommand, Opened, update_loan};
use super::state::{
    accounts_of, book, penalty_due_at, restated, stored_lines, takes_repayment, undisbursed,
};
use super::terms::current_terms;
use crate::bounds::{BoundedText, Lengths};
use crate::funds::postings::{self, Movement};
use crate::idempotency::Idempotency;
use crate::{AppError, FieldError};

/// A payment on a loan (or a tranche paid out, for `disburse`).
#[derive(Clone, Debug, Default)]
pub struct RepaymentInput {
    /// Rials; for a disbursement, none means the whole undisbursed rest.
    pub amount_rial: Option<i64>,
    pub note: Option<String>,
    /// How a repayment's or settlement's money came in (`receipt`); a disbursement has
    /// none. The day it reached the bank (Jalali or ISO, any digits; default the open
    /// business date), the channel's code and the bank's receipt number.
    pub value_on: Option<String>,
    pub channel: Option<String>,
    pub receipt_no: Option<String>,
}

impl BoundedText for RepaymentInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .optional("note", self.note.as_deref(), TextKind::FreeText)
            .optional("value_on", self.value_on.as_deref(), TextKind::Date)
            .optional("channel", self.channel.as_deref(), TextKind::Code)
            .optional(
                "receipt_no",
                self.receipt_no.as_deref(),
                TextKind::Reference,
            );
    }
}

/// The receipt a payment states, checked against the loan: a known channel (required
/// once anything of the receipt is given) and a value date between the contract and the
/// open business date `today`. `None` when the payment states none.
pub(super) fn receipt_of(
    input: &RepaymentInput,
    loan: &Loan,
    today: IsoDate,
) -> Result<Option<PaymentReceipt>, AppError> {
    let given = |text: &Option<String>| {
        text.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let (value_on, channel, receipt_no) = (
        given(&input.value_on),
        given(&input.channel),
        given(&input.receipt_no),
    );
    if value_on.is_none() && channel.is_none() && receipt_no.is_none() {
        return Ok(None);
    }
    let mut errors = Vec::new();
    let channel = match channel.as_deref().map(|c| (c, PaymentChannel::parse(c))) {
        Some((_, Some(channel))) => Some(channel),
        Some((_, None)) => {
            errors.push(FieldError::new(
                "channel",
                "unknown",
                "روش پرداخت شناخته نیست.",
                "Unknown channel (branch, transfer, card, internet, cheque).",
            ));
            None
        }
        None => {
            errors.push(FieldError::new(
                "channel",
                "required",
                "روش پرداخت را بگویید.",
                "The channel is required with a value date or receipt number.",
            ));
            None
        }
    };
    let value_on = match crate::fields::optional_date(&mut errors, "value_on", value_on.as_deref())
    {
        Some(iso) => IsoDate::parse(&iso).ok(),
        None => Some(today),
    };
    let contracted_on = IsoDate::parse(&loan.fields.contracted_on)
        .map_err(|_| AppError::Internal(format!("loan {} has a bad contract date", loan.id)))?;
    if let Some(day) = value_on
        && let Err(error) = check_value_date(day, today, contracted_on)
    {
        errors.push(FieldError::new(
            "value_on",
            error.rule(),
            error.message_fa(),
            &error.to_string(),
        ));
    }
    match (channel, value_on) {
        (Some(channel), Some(day)) if errors.is_empty() => Ok(Some(PaymentReceipt {
            value_on: day.to_string(),
            channel,
            receipt_no: receipt_no.map(|r| taavon_core::digits::to_ascii_digits(&r)),
        })),
        _ => Err(AppError::Invalid(errors)),
    }
}

pub(super) fn repayment_order(loan: &Loan) -> Result<Vec<Component>, AppError> {
    loan.fields
        .repayment_order
        .split(',')
        .map(|code| {
            Component::parse(code).ok_or_else(|| {
                AppError::Internal(format!("loan {} has a bad repayment order", loan.id))
            })
        })
        .collect()
}

/// Pays out a tranche: posts that much of the reserved money from the program fund to
/// the loan book and keeps the undisbursed rest reserved.
pub async fn disburse(
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
    let rest = undisbursed(&loan)?;
    let amount = input.amount_rial.unwrap_or(rest);
    if amount <= 0 || amount > rest {
        return Err(AppError::invalid(
            "amount",
            "within_undisbursed",
            "مبلغ باید مثبت و حداکثر برابر مانده پرداخت‌نشده تسهیلات باشد.",
            &format!("The amount must be positive and at most the undisbursed {rest} rials."),
        ));
    }
    let pending = loan
        .fields
        .reserve_transfer
        .clone()
        .ok_or_else(|| AppError::Internal(format!("loan {loan_id} has no reserve")))?;
    let today = calendar::business_date_in(write, now).await?;
    let transaction_id = write
        .record_loan_transaction(
            &NewLoanTransaction {
                loan_id,
                province: loan.fields.province.clone(),
                kind: TransactionKind::Disbursement,
                business_on: today.to_string(),
                amount_rial: amount,
                penalty_rial: 0,
                fee_rial: 0,
                profit_rial: 0,
                principal_rial: amount,
                reverses: None,
                note: input.note.clone(),
                receipt: None,
            },
            &[],
        )
        .await?;
    // The facility is a service delivered to the borrower's county, counted on the
    // synergy map in this same transaction (referenced by the transaction that paid it).
    write
        .record_facility_service(loan_id, transaction_id, amount, today)
        .await?;
    let next_reserve = postings::disburse(
        write,
        &book(&loan),
        loan_id,
        transaction_id,
        &pending,
        amount,
        rest - amount,
    )
    .await?;
    let disbursed = loan.disbursed_rial + amount;
    let rows = write.installments(loan_id, loan.schedule_version).await?;
    let state = restated(
        &loan,
        &accounts_of(&rows),
        disbursed,
        loan.state.late_rial_days_frozen,
        loan.state.penalty_paid_rial,
    );
    command
        .finish_change(
            &loan,
            (
                LoanStatus::Active,
                disbursed,
                loan.schedule_version,
                next_reserve.as_deref(),
                &state,
            ),
            transaction_id,
            EventType::LoanDisbursed,
        )
        .await
}

/// Takes a repayment on the open business date: the late charge and what has fallen due
/// in the product's order, then whole future installments in schedule order.
pub async fn repay(
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
    takes_repayment(&loan)?;
    let today = calendar::business_date_in(write, now).await?;
    let receipt = receipt_of(input, &loan, today)?;
    let day = today.days_since_unix_epoch();
    let rows = write.installments(loan_id, loan.schedule_version).await?;
    let (_, base) = current_terms(write, &loan).await?;
    let mut installments = accounts_of(&rows);
    let penalty_owed = penalty_due_at(&loan, &rows, day);
    let amount = input.amount_rial.unwrap_or(0);
    let plan = account::plan_repayment(
        amount,
        &repayment_order(&loan)?,
        &installments,
        penalty_owed,
        day,
    )
    .map_err(|error: RepaymentError| {
        AppError::invalid(
            "amount",
            error.rule(),
            &error.message_fa(),
            &error.message_en(),
        )
    })?;
    let lines = stored_lines(&loan, &plan.lines);
    let transaction_id = write
        .record_loan_transaction(
            &NewLoanTransaction {
                loan_id,
                province: loan.fields.province.clone(),
                kind: TransactionKind::Repayment,
                business_on: today.to_string(),
                amount_rial: amount,
                penalty_rial: plan.penalty,
                fee_rial: plan.fee,
                profit_rial: plan.profit,
                principal_rial: plan.principal,
                reverses: None,
                note: input.note.clone(),
                receipt,
            },
            &lines,
        )
        .await?;
    postings::repay(
        write,
        &book(&loan),
        loan_id,
        transaction_id,
        &Movement {
            penalty: plan.penalty,
            fee: plan.fee,
            profit: plan.profit,
            principal: plan.principal,
        },
    )
    .await?;
    account::apply_lines(&mut installments, &plan.lines, 1);
    let frozen =
        loan.state.late_rial_days_frozen + plan.lines.iter().map(|l| l.late_rial_days).sum::<i64>();
    let state = restated(
        &loan,
        &installments,
        base,
        frozen,
        loan.state.penalty_paid_rial + plan.penalty,
    );
    let settled = installments.iter().all(|i| i.unpaid_total() == 0)
        && loan.disbursed_rial == loan.fields.principal_rial;
    let status = if settled {
        LoanStatus::Settled
    } else {
        LoanStatus::Active
    };
    command
        .finish_change(
            &loan,
            (
                status,
                loan.disbursed_rial,
                loan.schedule_version,
                loan.fields.reserve_transfer.as_deref(),
                &state,
            ),
            transaction_id,
            EventType::LoanRepaid,
        )
        .await
}

/// A reversal checked against the loan as it stands, not yet written.
pub(super) struct ReversalPlan {
    original: LoanTransaction,
    stored: Vec<TransactionLine>,
    today: IsoDate,
    reason: String,
}

impl ReversalPlan {
    /// What the four-eyes threshold is compared with: the amount the reversal undoes.
    pub(super) fn amount_rial(&self) -> i64 {
        self.original.fields.amount_rial
    }
}

/// Checks the reversal of repayment `transaction_id` on the loan, writing nothing.
pub(super) async fn plan_reversal(
    write: &mut WriteTx,
    loan: &Loan,
    transaction_id: i64,
    reason: &str,
    now: Timestamp,
) -> Result<ReversalPlan, AppError> {
    crate::bounds::check_texts(&[("reason", Some(reason), TextKind::Reason)])?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "required",
            "دلیل برگشت را بنویسید.",
            "A reversal needs a reason.",
        ));
    }
    let transactions = write.loan_transactions(loan.id).await?;
    let original = transactions
        .iter()
        .find(|t| t.id == transaction_id)
        .cloned()
        .ok_or_else(|| {
            AppError::invalid(
                "transaction_id",
                "not_found",
                "چنین تراکنشی در این تسهیلات نیست.",
                "No such transaction on this loan.",
            )
        })?;
    if original.fields.kind != TransactionKind::Repayment {
        return Err(AppError::invalid(
            "transaction_id",
            "repayment_only",
            "فقط بازپرداخت برگشت‌پذیر است.",
            "Only a repayment can be reversed.",
        ));
    }
    if original.reversed_by.is_some() {
        return Err(AppError::Conflict(
            "the transaction is already reversed".into(),
        ));
    }
    // An early settlement or a rescheduling was computed on the repayments before it (a
    // waiver, capitalised dues, a new schedule); undoing one of them would leave that
    // standing on a debt that changed, so what came before them is final.
    if !super::reversible(&transactions, &original) {
        return Err(AppError::Conflict(
            "a settlement or rescheduling came after it; the transaction is final".into(),
        ));
    }
    let stored = write.transaction_lines(transaction_id).await?;
    let today = calendar::business_date_in(write, now).await?;
    Ok(ReversalPlan {
        original,
        stored,
        today,
        reason: reason.to_owned(),
    })
}

/// Reverses a repayment by a new transaction that undoes exactly its lines and moves its
/// money back in the ledger; the repayment itself stays as it was recorded. Returns the
/// reversal.
pub(super) async fn apply_reversal(
    write: &mut WriteTx,
    loan: &Loan,
    plan: ReversalPlan,
) -> Result<i64, AppError> {
    let ReversalPlan {
        original,
        stored,
        today,
        reason,
    } = plan;
    let loan_id = loan.id;
    let f = &original.fields;
    let negated: Vec<TransactionLine> = stored
        .iter()
        .map(|l| TransactionLine {
            principal_rial: -l.principal_rial,
            profit_rial: -l.profit_rial,
            fee_rial: -l.fee_rial,
            late_rial_days: -l.late_rial_days,
            waived_profit_rial: -l.waived_profit_rial,
            waived_fee_rial: -l.waived_fee_rial,
            ..*l
        })
        .collect();
    let reversal_id = write
        .record_loan_transaction(
            &NewLoanTransaction {
                loan_id,
                province: loan.fields.province.clone(),
                kind: TransactionKind::Reversal,
                business_on: today.to_string(),
                amount_rial: -f.amount_rial,
                penalty_rial: -f.penalty_rial,
                fee_rial: -f.fee_rial,
                profit_rial: -f.profit_rial,
                principal_rial: -f.principal_rial,
                reverses: Some(original.id),
                note: Some(reason),
                receipt: None,
            },
            &negated,
        )
        .await
        .map_err(|error| match error {
            taavon_store::StoreError::Duplicate { .. } => {
                AppError::Conflict("the transaction is already reversed".into())
            }
            other => other.into(),
        })?;
    postings::reverse_repayment(
        write,
        &book(loan),
        loan_id,
        reversal_id,
        &Movement {
            penalty: f.penalty_rial,
            fee: f.fee_rial,
            profit: f.profit_rial,
            principal: f.principal_rial,
        },
    )
    .await?;
    // The lines were already applied to the stored installments by the store; restate
    // from the installments as they now stand.
    let rows = write.installments(loan_id, loan.schedule_version).await?;
    let (_, base) = current_terms(write, loan).await?;
    let frozen =
        loan.state.late_rial_days_frozen + negated.iter().map(|l| l.late_rial_days).sum::<i64>();
    let state = restated(
        loan,
        &accounts_of(&rows),
        base,
        frozen,
        loan.state.penalty_paid_rial - f.penalty_rial,
    );
    update_loan(
        write,
        loan,
        (
            LoanStatus::Active,
            loan.disbursed_rial,
            loan.schedule_version,
            loan.fields.reserve_transfer.as_deref(),
            &state,
        ),
    )
    .await?;
    super::command::emit_loan_transaction(write, EventType::LoanReversed, loan.id, reversal_id)
        .await?;
    Ok(reversal_id)
}
