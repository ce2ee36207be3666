//! Accounts and transfers, field for field as TigerBeetle has them, with amounts in
//! integer rials.
//!
//! Amounts and balances are `i64`, not TigerBeetle's `u128`: every amount lands in a
//! `BIGINT` column that both database engines share, so a balance that would not fit
//! one is refused as an overflow here rather than failing in the store.

use crate::flags::{AccountFlags, TransferFlags};

/// An account: who owes or holds money, in one ledger (one currency or asset class).
///
/// Its four balances only ever change by transfers; `Ledger` keeps them equal to the
/// sums of its transfers, and `check` verifies that they are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Account {
    /// Chosen by the client; never 0 or `u128::MAX`.
    pub id: u128,
    /// Accounts only exchange money with accounts of the same ledger.
    pub ledger: u32,
    /// The kind of account in the chart of accounts (e.g. a program fund).
    pub code: u16,
    pub flags: AccountFlags,
    /// Reserved by pending transfers, not yet posted or voided.
    pub debits_pending: i64,
    pub debits_posted: i64,
    pub credits_pending: i64,
    pub credits_posted: i64,
    /// The client's own references (e.g. a loan or an agency); never interpreted.
    pub user_data_128: u128,
    pub user_data_64: u64,
    pub user_data_32: u32,
    /// Assigned by the ledger when the account is created; 0 in a request.
    pub timestamp: u64,
}

/// A movement of money from the debit account to the credit account. Once created it
/// never changes: a mistake is corrected by another transfer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Transfer {
    /// Chosen by the client, so that a retry is recognised; never 0 or `u128::MAX`.
    pub id: u128,
    pub debit_account_id: u128,
    pub credit_account_id: u128,
    /// Rials, above zero. On a post or void, 0 means the whole pending amount.
    pub amount: i64,
    /// On a post or void, the pending transfer it settles; otherwise 0.
    pub pending_id: u128,
    pub ledger: u32,
    /// Why the money moved (e.g. disbursement, repayment, fee).
    pub code: u16,
    pub flags: TransferFlags,
    /// The client's own references (e.g. the loan id); never interpreted.
    pub user_data_128: u128,
    pub user_data_64: u64,
    pub user_data_32: u32,
    /// Assigned by the ledger when the transfer is created; 0 in a request.
    pub timestamp: u64,
}

impl Account {
    /// What this account's debits may not exceed, if anything: its posted credits.
    pub(crate) fn debit_limit(&self) -> Option<i64> {
        self.flags
            .contains(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
            .then_some(self.credits_posted)
    }

    /// What this account's credits may not exceed, if anything: its posted debits.
    pub(crate) fn credit_limit(&self) -> Option<i64> {
        self.flags
            .contains(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS)
            .then_some(self.debits_posted)
    }
}

impl Transfer {
    /// Whether this transfer posts or voids a pending one (rather than moving money of
    /// its own).
    pub fn settles_pending(&self) -> bool {
        self.flags.contains(TransferFlags::POST_PENDING_TRANSFER)
            || self.flags.contains(TransferFlags::VOID_PENDING_TRANSFER)
    }
}
