//! Verifies every invariant of a whole ledger, independently of how it was built: the
//! transfers are replayed with their own arithmetic and the stored balances must agree.
//!
//! Streaming, so a national ledger need not fit in memory: feed every account, then
//! every transfer in timestamp order; memory grows with accounts and pending transfers,
//! not with all transfers. Transfer ids are not checked for uniqueness here (the store's
//! primary key guarantees it) since that would need every id in memory.
//!
//! The first violation is the first in this order: accounts as fed; transfers in
//! timestamp order (each checked against what came before it, overdrafts included); then
//! each account's balances in id order.
//!
//! Each ledger's debits equal its credits (posted and pending) follows and needs no
//! check of its own: every transfer is checked to debit and credit the same amount on
//! accounts of one ledger, and every account's balances to equal its transfers' sums.
//! (Checked first, a tampered balance would be reported as its ledger's imbalance
//! instead of as the account that was changed.)

use std::collections::{BTreeMap, HashMap};

use crate::flags::{AccountFlags, TransferFlags};
use crate::model::{Account, Transfer};

/// The first invariant found broken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("account {account:032x} appears more than once")]
    DuplicateAccount { account: u128 },
    #[error(
        "transfer {transfer:032x} has timestamp {timestamp}, not later than the transfer before it"
    )]
    TransferOutOfOrder { transfer: u128, timestamp: u64 },
    #[error("transfer {transfer:032x} moves {amount} rials; an amount must be above zero")]
    TransferAmountNotPositive { transfer: u128, amount: i64 },
    #[error("transfer {transfer:032x} names account {account:032x}, which does not exist")]
    TransferAccountMissing { transfer: u128, account: u128 },
    #[error("transfer {transfer:032x} is on ledger {ledger} but its accounts are not both on it")]
    TransferLedgerMismatch { transfer: u128, ledger: u32 },
    #[error(
        "transfer {transfer:032x} settles {pending:032x}, which is no earlier pending transfer"
    )]
    PendingTransferMissing { transfer: u128, pending: u128 },
    #[error("pending transfer {pending:032x} is settled a second time, by {transfer:032x}")]
    PendingSettledTwice { pending: u128, transfer: u128 },
    #[error(
        "transfer {transfer:032x} does not match the pending transfer {pending:032x} it settles \
         (accounts, ledger, code or amount)"
    )]
    SettlementMismatch { transfer: u128, pending: u128 },
    #[error("transfer {transfer:032x} overdraws account {account:032x}, whose flags forbid it")]
    Overdrawn { account: u128, transfer: u128 },
    #[error(
        "account {account:032x} records {balance} = {stored}, but its transfers sum to {expected}"
    )]
    BalanceMismatch {
        account: u128,
        balance: &'static str,
        stored: i64,
        expected: i128,
    },
}

/// What a passing check covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckSummary {
    pub accounts: u64,
    pub transfers: u64,
}

/// The check in progress.
#[derive(Debug, Default)]
pub struct Checker {
    accounts: BTreeMap<u128, Tally>,
    pending: HashMap<u128, Pending>,
    last_timestamp: Option<u64>,
    transfers: u64,
    first: Option<Violation>,
}

/// Checks a whole ledger held in memory.
pub fn check(accounts: &[Account], transfers: &[Transfer]) -> Result<CheckSummary, Violation> {
    let mut checker = Checker::new();
    for account in accounts {
        checker.account(account);
    }
    let mut ordered: Vec<&Transfer> = transfers.iter().collect();
    // Ties broken by id, so two transfers stamped alike are reported the same way
    // whatever order they were handed in (a ledger's map iterates in no fixed order).
    ordered.sort_by_key(|t| (t.timestamp, t.id));
    for transfer in ordered {
        checker.transfer(transfer);
    }
    checker.finish()
}

/// Four balances, wide enough that summing cannot overflow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Balances {
    debits_pending: i128,
    debits_posted: i128,
    credits_pending: i128,
    credits_posted: i128,
}

#[derive(Debug)]
struct Tally {
    stored: Account,
    replayed: Balances,
}

#[derive(Debug)]
struct Pending {
    transfer: Transfer,
    settled: bool,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one stored account; all accounts come before any transfer.
    pub fn account(&mut self, account: &Account) {
        if self.first.is_some() {
            return;
        }
        let tally = Tally {
            stored: *account,
            replayed: Balances::default(),
        };
        if self.accounts.insert(account.id, tally).is_some() {
            self.first = Some(Violation::DuplicateAccount {
                account: account.id,
            });
        }
    }

    /// Feeds one stored transfer, in timestamp order.
    pub fn transfer(&mut self, transfer: &Transfer) {
        if self.first.is_some() {
            return;
        }
        self.transfers += 1;
        if let Err(violation) = self.replay(transfer) {
            self.first = Some(violation);
        }
    }

    /// The first violation, or what was covered.
    pub fn finish(self) -> Result<CheckSummary, Violation> {
        if let Some(violation) = self.first {
            return Err(violation);
        }
        for (id, tally) in &self.accounts {
            let stored = tally.stored;
            let pairs = [
                (
                    "debits_pending",
                    stored.debits_pending,
                    tally.replayed.debits_pending,
                ),
                (
                    "debits_posted",
                    stored.debits_posted,
                    tally.replayed.debits_posted,
                ),
                (
                    "credits_pending",
                    stored.credits_pending,
                    tally.replayed.credits_pending,
                ),
                (
                    "credits_posted",
                    stored.credits_posted,
                    tally.replayed.credits_posted,
                ),
            ];
            for (balance, stored, expected) in pairs {
                if i128::from(stored) != expected {
                    return Err(Violation::BalanceMismatch {
                        account: *id,
                        balance,
                        stored,
                        expected,
                    });
                }
            }
        }
        Ok(CheckSummary {
            accounts: self.accounts.len() as u64,
            transfers: self.transfers,
        })
    }

    fn replay(&mut self, t: &Transfer) -> Result<(), Violation> {
        if self.last_timestamp.is_some_and(|last| t.timestamp <= last) {
            return Err(Violation::TransferOutOfOrder {
                transfer: t.id,
                timestamp: t.timestamp,
            });
        }
        self.last_timestamp = Some(t.timestamp);
        if t.amount <= 0 {
            return Err(Violation::TransferAmountNotPositive {
                transfer: t.id,
                amount: t.amount,
            });
        }
        for account in [t.debit_account_id, t.credit_account_id] {
            match self.accounts.get(&account) {
                None => {
                    return Err(Violation::TransferAccountMissing {
                        transfer: t.id,
                        account,
                    });
                }
                Some(tally) if tally.stored.ledger != t.ledger => {
                    return Err(Violation::TransferLedgerMismatch {
                        transfer: t.id,
                        ledger: t.ledger,
                    });
                }
                Some(_) => {}
            }
        }
        let amount = i128::from(t.amount);
        if t.settles_pending() {
            let pending = self.settle(t)?;
            let released = i128::from(pending.amount);
            let posted = if t.flags.contains(TransferFlags::POST_PENDING_TRANSFER) {
                amount
            } else {
                0
            };
            self.update(t.debit_account_id, |b| {
                b.debits_pending -= released;
                b.debits_posted += posted;
            });
            self.update(t.credit_account_id, |b| {
                b.credits_pending -= released;
                b.credits_posted += posted;
            });
        } else {
            if t.flags.contains(TransferFlags::PENDING) {
                self.pending.insert(
                    t.id,
                    Pending {
                        transfer: *t,
                        settled: false,
                    },
                );
            }
            let pending = t.flags.contains(TransferFlags::PENDING);
            self.update(t.debit_account_id, |b| {
                if pending {
                    b.debits_pending += amount;
                } else {
                    b.debits_posted += amount;
                }
            });
            self.update(t.credit_account_id, |b| {
                if pending {
                    b.credits_pending += amount;
                } else {
                    b.credits_posted += amount;
                }
            });
        }
        for account in [t.debit_account_id, t.credit_account_id] {
            if self.overdrawn(account) {
                return Err(Violation::Overdrawn {
                    account,
                    transfer: t.id,
                });
            }
        }
        Ok(())
    }

    /// Marks the pending transfer a post or void settles, and returns it.
    fn settle(&mut self, t: &Transfer) -> Result<Transfer, Violation> {
        let Some(pending) = self.pending.get_mut(&t.pending_id) else {
            return Err(Violation::PendingTransferMissing {
                transfer: t.id,
                pending: t.pending_id,
            });
        };
        if pending.settled {
            return Err(Violation::PendingSettledTwice {
                pending: t.pending_id,
                transfer: t.id,
            });
        }
        let p = pending.transfer;
        let voids = t.flags.contains(TransferFlags::VOID_PENDING_TRANSFER);
        if p.debit_account_id != t.debit_account_id
            || p.credit_account_id != t.credit_account_id
            || p.ledger != t.ledger
            || p.code != t.code
            || t.amount > p.amount
            || (voids && t.amount != p.amount)
        {
            return Err(Violation::SettlementMismatch {
                transfer: t.id,
                pending: t.pending_id,
            });
        }
        pending.settled = true;
        Ok(p)
    }

    fn update(&mut self, account: u128, change: impl FnOnce(&mut Balances)) {
        if let Some(tally) = self.accounts.get_mut(&account) {
            change(&mut tally.replayed);
        }
    }

    fn overdrawn(&self, account: u128) -> bool {
        self.accounts.get(&account).is_some_and(|tally| {
            let flags = tally.stored.flags;
            let b = tally.replayed;
            let debits = b.debits_pending + b.debits_posted;
            let credits = b.credits_pending + b.credits_posted;
            (flags.contains(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
                && debits > b.credits_posted)
                || (flags.contains(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS)
                    && credits > b.debits_posted)
        })
    }
}
