//! The state machine: applies batches of accounts and transfers to a view of the ledger
//! and answers a result per event, with TigerBeetle's semantics.
//!
//! A `Ledger` need not hold the whole ledger. The store loads what a batch can touch
//! (its accounts, the transfers with its ids, the pending transfers it settles and
//! whatever settled them), applies the batch here in memory and writes back what
//! changed; tests and property checks use one `Ledger` as the whole ledger.
//!
//! One deliberate difference from TigerBeetle: inside a linked chain, `Exists` counts
//! as success, so retrying a whole chain that already committed answers `Exists` for
//! every event instead of failing the chain.

use std::collections::HashMap;

use crate::flags::TransferFlags;
use crate::model::{Account, Transfer};
use crate::result::{AccountResult, Outcome, TransferResult};

/// Accounts and transfers to apply batches to.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    accounts: HashMap<u128, Account>,
    transfers: HashMap<u128, Transfer>,
    /// For each pending transfer that was posted or voided, which of the two.
    settlements: HashMap<u128, Settlement>,
    /// The newest timestamp assigned; the next one is later.
    last_timestamp: u64,
}

/// How a pending transfer was settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    Posted,
    Voided,
}

/// A change made by an event of an open chain, to be undone if the chain fails.
enum Undo {
    /// An account as it was before (its balances changed) …
    Account(Account),
    /// … or an account that did not exist.
    NewAccount(u128),
    NewTransfer(u128),
    Settlement(u128),
}

/// The linked chain being applied.
struct Chain {
    start: usize,
    last_timestamp: u64,
    broken: bool,
}

impl Ledger {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an account as stored (its balances and timestamp included).
    pub fn load_account(&mut self, account: Account) {
        self.observe_timestamp(account.timestamp);
        self.accounts.insert(account.id, account);
    }

    /// Adds a transfer as stored; a post or void also records the settlement.
    pub fn load_transfer(&mut self, transfer: Transfer) {
        self.observe_timestamp(transfer.timestamp);
        if let Some(settlement) = settlement_of(&transfer) {
            self.settlements.insert(transfer.pending_id, settlement);
        }
        self.transfers.insert(transfer.id, transfer);
    }

    /// Makes every timestamp assigned from now on later than `timestamp` (the newest in
    /// storage, when only part of the ledger is loaded).
    pub fn observe_timestamp(&mut self, timestamp: u64) {
        self.last_timestamp = self.last_timestamp.max(timestamp);
    }

    pub fn account(&self, id: u128) -> Option<&Account> {
        self.accounts.get(&id)
    }

    pub fn transfer(&self, id: u128) -> Option<&Transfer> {
        self.transfers.get(&id)
    }

    /// Whether (and how) a pending transfer was settled.
    pub fn settlement(&self, pending_id: u128) -> Option<Settlement> {
        self.settlements.get(&pending_id).copied()
    }

    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }

    pub fn transfers(&self) -> impl Iterator<Item = &Transfer> {
        self.transfers.values()
    }

    /// Creates accounts, answering one result per account in order. `now` is the
    /// caller's clock; each account created gets a timestamp at or after it, later than
    /// every timestamp before.
    pub fn create_accounts(&mut self, batch: &[Account], now: u64) -> Vec<AccountResult> {
        self.execute(
            batch,
            now,
            |a| a.flags.contains(crate::AccountFlags::LINKED),
            |ledger, account, timestamp, undo| {
                ledger
                    .create_account(account, timestamp, undo)
                    .err()
                    .unwrap_or(AccountResult::Ok)
            },
        )
    }

    /// Creates transfers, answering one result per transfer in order; the state changes
    /// only by the transfers answered `Ok`.
    pub fn create_transfers(&mut self, batch: &[Transfer], now: u64) -> Vec<TransferResult> {
        self.execute(
            batch,
            now,
            |t| t.flags.contains(TransferFlags::LINKED),
            |ledger, transfer, timestamp, undo| {
                ledger
                    .create_transfer(transfer, timestamp, undo)
                    .err()
                    .unwrap_or(TransferResult::Ok)
            },
        )
    }

    /// Runs a batch event by event; a linked chain's events succeed together or are all
    /// undone.
    fn execute<E, R: Outcome>(
        &mut self,
        batch: &[E],
        now: u64,
        linked: impl Fn(&E) -> bool,
        mut create: impl FnMut(&mut Self, &E, u64, &mut Vec<Undo>) -> R,
    ) -> Vec<R> {
        let mut results: Vec<R> = Vec::with_capacity(batch.len());
        let mut chain: Option<Chain> = None;
        let mut undo = Vec::new();
        for (index, event) in batch.iter().enumerate() {
            let is_linked = linked(event);
            if is_linked && chain.is_none() {
                chain = Some(Chain {
                    start: index,
                    last_timestamp: self.last_timestamp,
                    broken: false,
                });
            }
            let result = match &chain {
                Some(open) if open.broken => R::LINKED_EVENT_FAILED,
                _ if is_linked && index + 1 == batch.len() => R::LINKED_EVENT_CHAIN_OPEN,
                _ => {
                    let timestamp = now.max(self.last_timestamp.saturating_add(1));
                    let result = create(self, event, timestamp, &mut undo);
                    if result == R::OK {
                        self.last_timestamp = timestamp;
                    }
                    result
                }
            };
            results.push(result);
            if let Some(open) = &mut chain {
                if !open.broken && !result.is_success() {
                    open.broken = true;
                    self.roll_back(&mut undo);
                    self.last_timestamp = open.last_timestamp;
                    for earlier in results.iter_mut().skip(open.start).take(index - open.start) {
                        *earlier = R::LINKED_EVENT_FAILED;
                    }
                }
                if !is_linked {
                    chain = None;
                }
            }
            if chain.is_none() {
                undo.clear();
            }
        }
        results
    }

    fn roll_back(&mut self, undo: &mut Vec<Undo>) {
        while let Some(change) = undo.pop() {
            match change {
                Undo::Account(before) => {
                    self.accounts.insert(before.id, before);
                }
                Undo::NewAccount(id) => {
                    self.accounts.remove(&id);
                }
                Undo::NewTransfer(id) => {
                    self.transfers.remove(&id);
                }
                Undo::Settlement(pending_id) => {
                    self.settlements.remove(&pending_id);
                }
            }
        }
    }

    fn create_account(
        &mut self,
        a: &Account,
        timestamp: u64,
        undo: &mut Vec<Undo>,
    ) -> Result<(), AccountResult> {
        use crate::AccountFlags as F;
        use AccountResult as R;
        require(a.timestamp == 0, R::TimestampMustBeZero)?;
        require(a.id != 0, R::IdMustNotBeZero)?;
        require(a.id != u128::MAX, R::IdMustNotBeIntMax)?;
        require(
            !a.flags
                .contains(F::DEBITS_MUST_NOT_EXCEED_CREDITS | F::CREDITS_MUST_NOT_EXCEED_DEBITS),
            R::FlagsAreMutuallyExclusive,
        )?;
        require(a.debits_pending == 0, R::DebitsPendingMustBeZero)?;
        require(a.debits_posted == 0, R::DebitsPostedMustBeZero)?;
        require(a.credits_pending == 0, R::CreditsPendingMustBeZero)?;
        require(a.credits_posted == 0, R::CreditsPostedMustBeZero)?;
        require(a.ledger != 0, R::LedgerMustNotBeZero)?;
        require(a.code != 0, R::CodeMustNotBeZero)?;
        if let Some(existing) = self.accounts.get(&a.id) {
            return Err(account_exists(a, existing));
        }
        self.accounts.insert(a.id, Account { timestamp, ..*a });
        undo.push(Undo::NewAccount(a.id));
        Ok(())
    }

    fn create_transfer(
        &mut self,
        t: &Transfer,
        timestamp: u64,
        undo: &mut Vec<Undo>,
    ) -> Result<(), TransferResult> {
        use TransferFlags as F;
        use TransferResult as R;
        require(t.timestamp == 0, R::TimestampMustBeZero)?;
        require(t.id != 0, R::IdMustNotBeZero)?;
        require(t.id != u128::MAX, R::IdMustNotBeIntMax)?;
        let kinds = [
            F::PENDING,
            F::POST_PENDING_TRANSFER,
            F::VOID_PENDING_TRANSFER,
        ];
        require(
            kinds.iter().filter(|k| t.flags.contains(**k)).count() <= 1,
            R::FlagsAreMutuallyExclusive,
        )?;
        if t.settles_pending() {
            return self.settle(t, timestamp, undo);
        }
        require(t.debit_account_id != 0, R::DebitAccountIdMustNotBeZero)?;
        require(
            t.debit_account_id != u128::MAX,
            R::DebitAccountIdMustNotBeIntMax,
        )?;
        require(t.credit_account_id != 0, R::CreditAccountIdMustNotBeZero)?;
        require(
            t.credit_account_id != u128::MAX,
            R::CreditAccountIdMustNotBeIntMax,
        )?;
        require(
            t.debit_account_id != t.credit_account_id,
            R::AccountsMustBeDifferent,
        )?;
        require(t.pending_id == 0, R::PendingIdMustBeZero)?;
        require(t.amount >= 0, R::AmountMustNotBeNegative)?;
        require(t.amount != 0, R::AmountMustNotBeZero)?;
        require(t.ledger != 0, R::LedgerMustNotBeZero)?;
        require(t.code != 0, R::CodeMustNotBeZero)?;
        // A retry is answered by what is stored, before any balance its first attempt
        // changed is looked at.
        if let Some(existing) = self.transfers.get(&t.id) {
            return Err(transfer_exists(t, existing));
        }
        let debit = *self
            .accounts
            .get(&t.debit_account_id)
            .ok_or(R::DebitAccountNotFound)?;
        let credit = *self
            .accounts
            .get(&t.credit_account_id)
            .ok_or(R::CreditAccountNotFound)?;
        require(
            debit.ledger == credit.ledger,
            R::AccountsMustHaveTheSameLedger,
        )?;
        require(
            t.ledger == debit.ledger,
            R::TransferMustHaveTheSameLedgerAsAccounts,
        )?;
        let (debited, credited) = move_money(&debit, &credit, t)?;
        self.replace_accounts(debited, credited, undo);
        self.transfers.insert(t.id, Transfer { timestamp, ..*t });
        undo.push(Undo::NewTransfer(t.id));
        Ok(())
    }

    /// Posts or voids a pending transfer.
    fn settle(
        &mut self,
        t: &Transfer,
        timestamp: u64,
        undo: &mut Vec<Undo>,
    ) -> Result<(), TransferResult> {
        use TransferResult as R;
        require(t.pending_id != 0, R::PendingIdMustNotBeZero)?;
        require(t.pending_id != u128::MAX, R::PendingIdMustNotBeIntMax)?;
        require(t.pending_id != t.id, R::PendingIdMustBeDifferent)?;
        require(t.amount >= 0, R::AmountMustNotBeNegative)?;
        let pending = *self
            .transfers
            .get(&t.pending_id)
            .ok_or(R::PendingTransferNotFound)?;
        require(
            pending.flags.contains(TransferFlags::PENDING),
            R::PendingTransferNotPending,
        )?;
        require(
            unset_or(t.debit_account_id, pending.debit_account_id),
            R::PendingTransferHasDifferentDebitAccountId,
        )?;
        require(
            unset_or(t.credit_account_id, pending.credit_account_id),
            R::PendingTransferHasDifferentCreditAccountId,
        )?;
        require(
            unset_or(t.ledger, pending.ledger),
            R::PendingTransferHasDifferentLedger,
        )?;
        require(
            unset_or(t.code, pending.code),
            R::PendingTransferHasDifferentCode,
        )?;
        let settled = settled_transfer(t, &pending, timestamp);
        require(
            settled.amount <= pending.amount,
            R::ExceedsPendingTransferAmount,
        )?;
        let voids = t.flags.contains(TransferFlags::VOID_PENDING_TRANSFER);
        require(
            !voids || settled.amount == pending.amount,
            R::PendingTransferHasDifferentAmount,
        )?;
        if let Some(existing) = self.transfers.get(&t.id) {
            return Err(settlement_exists(&settled, existing));
        }
        match self.settlements.get(&pending.id) {
            Some(Settlement::Posted) => return Err(R::PendingTransferAlreadyPosted),
            Some(Settlement::Voided) => return Err(R::PendingTransferAlreadyVoided),
            None => {}
        }
        let debit = *self
            .accounts
            .get(&pending.debit_account_id)
            .ok_or(R::DebitAccountNotFound)?;
        let credit = *self
            .accounts
            .get(&pending.credit_account_id)
            .ok_or(R::CreditAccountNotFound)?;
        let (debited, credited) = release_and_post(&debit, &credit, &pending, &settled)?;
        self.replace_accounts(debited, credited, undo);
        let settlement = if voids {
            Settlement::Voided
        } else {
            Settlement::Posted
        };
        self.settlements.insert(pending.id, settlement);
        undo.push(Undo::Settlement(pending.id));
        self.transfers.insert(settled.id, settled);
        undo.push(Undo::NewTransfer(settled.id));
        Ok(())
    }

    fn replace_accounts(&mut self, debited: Account, credited: Account, undo: &mut Vec<Undo>) {
        for account in [debited, credited] {
            if let Some(before) = self.accounts.insert(account.id, account) {
                undo.push(Undo::Account(before));
            }
        }
    }
}

fn require<R>(condition: bool, otherwise: R) -> Result<(), R> {
    if condition { Ok(()) } else { Err(otherwise) }
}

/// A post or void may leave a field 0 to take the pending transfer's.
fn unset_or<T: PartialEq + Default>(given: T, pending: T) -> bool {
    given == T::default() || given == pending
}

fn inherit<T: PartialEq + Default + Copy>(given: T, pending: T) -> T {
    if given == T::default() {
        pending
    } else {
        given
    }
}

fn settlement_of(transfer: &Transfer) -> Option<Settlement> {
    if transfer
        .flags
        .contains(TransferFlags::POST_PENDING_TRANSFER)
    {
        Some(Settlement::Posted)
    } else if transfer
        .flags
        .contains(TransferFlags::VOID_PENDING_TRANSFER)
    {
        Some(Settlement::Voided)
    } else {
        None
    }
}

/// The post or void as it is stored: the pending transfer's accounts, ledger and code,
/// its amount unless another is given, and its user data unless other data is given.
fn settled_transfer(t: &Transfer, pending: &Transfer, timestamp: u64) -> Transfer {
    Transfer {
        id: t.id,
        debit_account_id: pending.debit_account_id,
        credit_account_id: pending.credit_account_id,
        amount: inherit(t.amount, pending.amount),
        pending_id: pending.id,
        ledger: pending.ledger,
        code: pending.code,
        flags: t.flags,
        user_data_128: inherit(t.user_data_128, pending.user_data_128),
        user_data_64: inherit(t.user_data_64, pending.user_data_64),
        user_data_32: inherit(t.user_data_32, pending.user_data_32),
        timestamp,
    }
}

/// The two accounts after a new transfer (pending or posted), or why it may not happen.
fn move_money(
    debit: &Account,
    credit: &Account,
    t: &Transfer,
) -> Result<(Account, Account), TransferResult> {
    use TransferResult as R;
    let amount = t.amount;
    let mut debited = *debit;
    let mut credited = *credit;
    if t.flags.contains(TransferFlags::PENDING) {
        debited.debits_pending = add(debit.debits_pending, amount, R::OverflowsDebitsPending)?;
        credited.credits_pending = add(credit.credits_pending, amount, R::OverflowsCreditsPending)?;
    } else {
        debited.debits_posted = add(debit.debits_posted, amount, R::OverflowsDebitsPosted)?;
        credited.credits_posted = add(credit.credits_posted, amount, R::OverflowsCreditsPosted)?;
    }
    let debits = add(
        debit.debits_pending,
        debit.debits_posted,
        R::OverflowsDebits,
    )
    .and_then(|sum| add(sum, amount, R::OverflowsDebits))?;
    let credits = add(
        credit.credits_pending,
        credit.credits_posted,
        R::OverflowsCredits,
    )
    .and_then(|sum| add(sum, amount, R::OverflowsCredits))?;
    require(
        debit.debit_limit().is_none_or(|limit| debits <= limit),
        R::ExceedsCredits,
    )?;
    require(
        credit.credit_limit().is_none_or(|limit| credits <= limit),
        R::ExceedsDebits,
    )?;
    Ok((debited, credited))
}

/// The two accounts after a settlement: the reservation released, and on a post the
/// settled amount posted. Limits need no new check: a post moves at most what was
/// already counted as pending.
fn release_and_post(
    debit: &Account,
    credit: &Account,
    pending: &Transfer,
    settled: &Transfer,
) -> Result<(Account, Account), TransferResult> {
    use TransferResult as R;
    let mut debited = *debit;
    let mut credited = *credit;
    debited.debits_pending = sub(
        debit.debits_pending,
        pending.amount,
        R::OverflowsDebitsPending,
    )?;
    credited.credits_pending = sub(
        credit.credits_pending,
        pending.amount,
        R::OverflowsCreditsPending,
    )?;
    if settled.flags.contains(TransferFlags::POST_PENDING_TRANSFER) {
        debited.debits_posted = add(
            debit.debits_posted,
            settled.amount,
            R::OverflowsDebitsPosted,
        )?;
        credited.credits_posted = add(
            credit.credits_posted,
            settled.amount,
            R::OverflowsCreditsPosted,
        )?;
    }
    Ok((debited, credited))
}

fn add(a: i64, b: i64, overflow: TransferResult) -> Result<i64, TransferResult> {
    a.checked_add(b).ok_or(overflow)
}

/// A release can only go below zero if the stored balances were already wrong; it is
/// refused rather than stored.
fn sub(a: i64, b: i64, overflow: TransferResult) -> Result<i64, TransferResult> {
    a.checked_sub(b).filter(|left| *left >= 0).ok_or(overflow)
}

/// The first result whose field differs, or `same`: existence checks in precedence order.
fn first_difference<R: Copy>(differences: &[(bool, R)], same: R) -> R {
    differences
        .iter()
        .find(|(differs, _)| *differs)
        .map_or(same, |(_, result)| *result)
}

fn account_exists(a: &Account, e: &Account) -> AccountResult {
    use AccountResult as R;
    first_difference(
        &[
            (a.flags != e.flags, R::ExistsWithDifferentFlags),
            (
                a.user_data_128 != e.user_data_128,
                R::ExistsWithDifferentUserData128,
            ),
            (
                a.user_data_64 != e.user_data_64,
                R::ExistsWithDifferentUserData64,
            ),
            (
                a.user_data_32 != e.user_data_32,
                R::ExistsWithDifferentUserData32,
            ),
            (a.ledger != e.ledger, R::ExistsWithDifferentLedger),
            (a.code != e.code, R::ExistsWithDifferentCode),
        ],
        R::Exists,
    )
}

/// Compares a request with the transfer stored under its id, field by field.
fn transfer_exists(t: &Transfer, e: &Transfer) -> TransferResult {
    use TransferResult as R;
    first_difference(
        &[
            (t.flags != e.flags, R::ExistsWithDifferentFlags),
            (
                t.debit_account_id != e.debit_account_id,
                R::ExistsWithDifferentDebitAccountId,
            ),
            (
                t.credit_account_id != e.credit_account_id,
                R::ExistsWithDifferentCreditAccountId,
            ),
            (t.amount != e.amount, R::ExistsWithDifferentAmount),
            (
                t.pending_id != e.pending_id,
                R::ExistsWithDifferentPendingId,
            ),
            (
                t.user_data_128 != e.user_data_128,
                R::ExistsWithDifferentUserData128,
            ),
            (
                t.user_data_64 != e.user_data_64,
                R::ExistsWithDifferentUserData64,
            ),
            (
                t.user_data_32 != e.user_data_32,
                R::ExistsWithDifferentUserData32,
            ),
            (t.ledger != e.ledger, R::ExistsWithDifferentLedger),
            (t.code != e.code, R::ExistsWithDifferentCode),
        ],
        R::Exists,
    )
}

/// Compares a post or void, in the form it would be stored, with the transfer stored
/// under its id.
fn settlement_exists(settled: &Transfer, e: &Transfer) -> TransferResult {
    if settled.flags == e.flags && settled.pending_id != e.pending_id {
        TransferResult::ExistsWithDifferentPendingId
    } else {
        transfer_exists(settled, e)
    }
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
