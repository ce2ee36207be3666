//! How every command on a loan opens and ends (a disbursement, a repayment, an early
//! settlement, a proposal and its decision): one write transaction with its
//! `Idempotency-Key` claimed first, the loan read in it and checked against the caller's
//! scope, the loan claimed at its version when a plan is made on it, and at the end the
//! loan's change stored by compare-and-set and the result recorded under the key.

use taavon_core::access::{LoanAction, Principal};
use taavon_core::events::EventType;
use taavon_core::loans::LoanStatus;
use taavon_core::timestamp::Timestamp;
use taavon_store::{Loan, LoanState, Store, WriteTx};

use super::authorize;
use crate::AppError;
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};

/// A command on one loan, open: its write transaction, with the key claimed.
pub(super) struct LoanCommand<'a> {
    pub(super) write: WriteTx,
    principal: &'a Principal,
    idempotency: Option<Idempotency<'a>>,
}

/// An opened command and the loan as it stands, or the entity a request with the same
/// key already made.
#[expect(
    clippy::large_enum_variant,
    reason = "made once per command and taken apart at once; a box would only add an allocation"
)]
pub(super) enum Opened<'a> {
    Replay(i64),
    Fresh(LoanCommand<'a>, Loan),
}

/// The loan's new (status, disbursed, schedule version, reserve, kept numbers).
pub(super) type LoanChange<'a> = (LoanStatus, i64, i64, Option<&'a str>, &'a LoanState);

impl<'a> LoanCommand<'a> {
    /// Begins the command's write transaction and claims its key (or answers the replay),
    /// then reads the loan and asks the policy whether the principal may take `action` on
    /// it: a loan outside the caller's scope is not found, like a missing one.
    pub(super) async fn open(
        store: &Store,
        principal: &'a Principal,
        loan_id: i64,
        action: LoanAction,
        idempotency: Option<Idempotency<'a>>,
        now: Timestamp,
    ) -> Result<Opened<'a>, AppError> {
        let mut write = match begin(store, principal, idempotency, now).await? {
            Begun::Replay(id) => return Ok(Opened::Replay(id)),
            Begun::Fresh(write) => write,
        };
        let loan = write.loan(loan_id).await?.ok_or(AppError::NotFound)?;
        authorize(principal, action, &loan)?;
        let command = LoanCommand {
            write,
            principal,
            idempotency,
        };
        Ok(Opened::Fresh(command, loan))
    }

    /// Takes the loan for this transaction at the version it was read at, before anything
    /// is planned on it, so a concurrent action on the same loan waits and then gets 409,
    /// never a plan made from half of one state and half of another.
    pub(super) async fn claim(&mut self, loan: &Loan) -> Result<(), AppError> {
        if self.write.claim_loan(loan.id, loan.version).await? {
            Ok(())
        } else {
            Err(changed_meanwhile())
        }
    }

    /// Stores the loan's change (409 if the loan changed since `before` was read), emits
    /// `event` for it, records `transaction_id` under the key and commits.
    pub(super) async fn finish_change(
        mut self,
        before: &Loan,
        change: LoanChange<'_>,
        transaction_id: i64,
        event: EventType,
    ) -> Result<i64, AppError> {
        update_loan(&mut self.write, before, change).await?;
        emit_loan_transaction(&mut self.write, event, before.id, transaction_id).await?;
        self.finish(transaction_id).await
    }

    /// Records `entity_id` under the key and commits.
    pub(super) async fn finish(self, entity_id: i64) -> Result<i64, AppError> {
        finish_idempotent(self.write, self.principal, self.idempotency, entity_id).await
    }
}

/// Stores the loan's change if the loan is still as `before` was read (409 if not).
pub(super) async fn update_loan(
    write: &mut WriteTx,
    before: &Loan,
    change: LoanChange<'_>,
) -> Result<(), AppError> {
    let (status, disbursed, schedule_version, reserve, state) = change;
    if write
        .update_loan(before, status, disbursed, schedule_version, reserve, state)
        .await?
    {
        Ok(())
    } else {
        Err(changed_meanwhile())
    }
}

/// Emits `event` for the loan as it now stands, naming the transaction that changed it.
pub(super) async fn emit_loan_transaction(
    write: &mut WriteTx,
    event: EventType,
    loan_id: i64,
    transaction_id: i64,
) -> Result<(), AppError> {
    crate::events::emit_loan(
        write,
        event,
        loan_id,
        Some(serde_json::json!({ "id": transaction_id })),
    )
    .await
}

fn changed_meanwhile() -> AppError {
    AppError::Conflict("the loan changed meanwhile; read it again".into())
}
