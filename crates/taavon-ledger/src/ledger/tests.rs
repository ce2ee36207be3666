//! Table-driven tests: each row is a batch applied to the same fixture and the result
//! codes it must answer; together the rows reach every code.

use std::collections::BTreeSet;

use super::*;
use crate::{AccountFlags, check};

const A: u128 = 1;
/// A fund: may not be overdrawn. Holds 1 000 posted credits, 300 reserved by P200.
const FUND: u128 = 2;
/// A receivable: its credits may not exceed its debits (500 posted).
const RECEIVABLE: u128 = 3;
const B: u128 = 4;
/// On ledger 2.
const OTHER_LEDGER: u128 = 5;
const DEBITS_PENDING_FULL: u128 = 10;
const CREDITS_PENDING_FULL: u128 = 11;
const DEBITS_POSTED_FULL: u128 = 12;
const CREDITS_POSTED_FULL: u128 = 13;
const DEBITS_FULL: u128 = 14;
const CREDITS_FULL: u128 = 15;

/// A posted A → B of 50 with user data.
const T100: u128 = 100;
/// Pending FUND → A of 300.
const P200: u128 = 200;
/// Pending A → B of 40, posted by S300.
const P201: u128 = 201;
/// Pending A → B of 30, voided by S301.
const P202: u128 = 202;
const S300: u128 = 300;
const S301: u128 = 301;

const NOW: u64 = 1_000;

fn account(id: u128, ledger: u32, flags: AccountFlags) -> Account {
    Account {
        id,
        ledger,
        code: 10,
        flags,
        ..Account::default()
    }
}

fn transfer(id: u128, debit: u128, credit: u128, amount: i64) -> Transfer {
    Transfer {
        id,
        debit_account_id: debit,
        credit_account_id: credit,
        amount,
        ledger: 1,
        code: 1,
        ..Transfer::default()
    }
}

fn pending(id: u128, debit: u128, credit: u128, amount: i64) -> Transfer {
    Transfer {
        flags: TransferFlags::PENDING,
        ..transfer(id, debit, credit, amount)
    }
}

fn post(id: u128, pending_id: u128, amount: i64) -> Transfer {
    Transfer {
        id,
        amount,
        pending_id,
        flags: TransferFlags::POST_PENDING_TRANSFER,
        ..Transfer::default()
    }
}

fn void(id: u128, pending_id: u128) -> Transfer {
    Transfer {
        flags: TransferFlags::VOID_PENDING_TRANSFER,
        ..post(id, pending_id, 0)
    }
}

fn linked(t: Transfer) -> Transfer {
    Transfer {
        flags: t.flags | TransferFlags::LINKED,
        ..t
    }
}

/// Accounts with balances at the edge of `i64`, loaded as a store would load them.
fn full(id: u128, set: impl Fn(&mut Account)) -> Account {
    let mut account = account(id, 1, AccountFlags::NONE);
    account.timestamp = 1;
    set(&mut account);
    account
}

fn fixture() -> Ledger {
    let mut ledger = Ledger::new();
    let accounts = [
        account(A, 1, AccountFlags::NONE),
        account(FUND, 1, AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS),
        account(RECEIVABLE, 1, AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS),
        account(B, 1, AccountFlags::NONE),
        account(OTHER_LEDGER, 2, AccountFlags::NONE),
    ];
    assert!(
        ledger
            .create_accounts(&accounts, NOW)
            .iter()
            .all(|r| *r == AccountResult::Ok)
    );
    let setup = [
        transfer(90, A, FUND, 1_000),
        transfer(91, RECEIVABLE, A, 500),
        Transfer {
            user_data_128: 7,
            user_data_64: 8,
            user_data_32: 9,
            ..transfer(T100, A, B, 50)
        },
        pending(P200, FUND, A, 300),
        pending(P201, A, B, 40),
        pending(P202, A, B, 30),
        post(S300, P201, 0),
        void(S301, P202),
    ];
    let results = ledger.create_transfers(&setup, NOW);
    assert!(
        results.iter().all(|r| *r == TransferResult::Ok),
        "{results:?}"
    );
    let half = i64::MAX / 2;
    for edge in [
        full(DEBITS_PENDING_FULL, |a| a.debits_pending = i64::MAX),
        full(CREDITS_PENDING_FULL, |a| a.credits_pending = i64::MAX),
        full(DEBITS_POSTED_FULL, |a| a.debits_posted = i64::MAX),
        full(CREDITS_POSTED_FULL, |a| a.credits_posted = i64::MAX),
        full(DEBITS_FULL, |a| {
            a.debits_pending = half;
            a.debits_posted = half + 1;
        }),
        full(CREDITS_FULL, |a| {
            a.credits_pending = half;
            a.credits_posted = half + 1;
        }),
    ] {
        ledger.load_account(edge);
    }
    ledger
}

#[test]
fn every_transfer_result_code_is_answered_as_the_table_says() {
    // Establishes each transfer code, with TigerBeetle's precedence where several apply.
    use TransferResult as R;
    let flags = |t: Transfer, flags: TransferFlags| Transfer { flags, ..t };
    let t100 = || transfer(T100, A, B, 50);
    let t100_exact = Transfer {
        user_data_128: 7,
        user_data_64: 8,
        user_data_32: 9,
        ..t100()
    };
    let max = u128::MAX;
    let table: Vec<(&str, Vec<Transfer>, Vec<R>)> = vec![
        ("a plain transfer", vec![transfer(1, A, B, 10)], vec![R::Ok]),
        (
            "a fund spends up to its credits, pending included",
            vec![transfer(1, FUND, A, 700)],
            vec![R::Ok],
        ),
        (
            "a chain with a bad event fails whole",
            vec![linked(transfer(1, A, B, 10)), transfer(2, A, A, 10)],
            vec![R::LinkedEventFailed, R::AccountsMustBeDifferent],
        ),
        (
            "a chain left open at the end of the batch",
            vec![transfer(1, A, B, 10), linked(transfer(2, A, B, 10))],
            vec![R::Ok, R::LinkedEventChainOpen],
        ),
        (
            "the ledger assigns timestamps",
            vec![Transfer {
                timestamp: 5,
                ..transfer(1, A, B, 10)
            }],
            vec![R::TimestampMustBeZero],
        ),
        (
            "id 0",
            vec![transfer(0, A, B, 10)],
            vec![R::IdMustNotBeZero],
        ),
        (
            "id max",
            vec![transfer(max, A, B, 10)],
            vec![R::IdMustNotBeIntMax],
        ),
        (
            "pending and post at once",
            vec![flags(
                transfer(1, A, B, 10),
                TransferFlags::PENDING | TransferFlags::POST_PENDING_TRANSFER,
            )],
            vec![R::FlagsAreMutuallyExclusive],
        ),
        (
            "no debit account",
            vec![transfer(1, 0, B, 10)],
            vec![R::DebitAccountIdMustNotBeZero],
        ),
        (
            "debit account max",
            vec![transfer(1, max, B, 10)],
            vec![R::DebitAccountIdMustNotBeIntMax],
        ),
        (
            "no credit account",
            vec![transfer(1, A, 0, 10)],
            vec![R::CreditAccountIdMustNotBeZero],
        ),
        (
            "credit account max",
            vec![transfer(1, A, max, 10)],
            vec![R::CreditAccountIdMustNotBeIntMax],
        ),
        (
            "to itself",
            vec![transfer(1, A, A, 10)],
            vec![R::AccountsMustBeDifferent],
        ),
        (
            "a pending id on a plain transfer",
            vec![Transfer {
                pending_id: P200,
                ..transfer(1, A, B, 10)
            }],
            vec![R::PendingIdMustBeZero],
        ),
        (
            "a post without a pending id",
            vec![post(1, 0, 10)],
            vec![R::PendingIdMustNotBeZero],
        ),
        (
            "a post of pending id max",
            vec![post(1, max, 10)],
            vec![R::PendingIdMustNotBeIntMax],
        ),
        (
            "a post of itself",
            vec![post(1, 1, 10)],
            vec![R::PendingIdMustBeDifferent],
        ),
        (
            "a negative amount",
            vec![transfer(1, A, B, -1)],
            vec![R::AmountMustNotBeNegative],
        ),
        (
            "a negative post",
            vec![post(1, P200, -1)],
            vec![R::AmountMustNotBeNegative],
        ),
        (
            "nothing moved",
            vec![transfer(1, A, B, 0)],
            vec![R::AmountMustNotBeZero],
        ),
        (
            "ledger 0",
            vec![Transfer {
                ledger: 0,
                ..transfer(1, A, B, 10)
            }],
            vec![R::LedgerMustNotBeZero],
        ),
        (
            "code 0",
            vec![Transfer {
                code: 0,
                ..transfer(1, A, B, 10)
            }],
            vec![R::CodeMustNotBeZero],
        ),
        (
            "an unknown debit account",
            vec![transfer(1, 99, B, 10)],
            vec![R::DebitAccountNotFound],
        ),
        (
            "an unknown credit account",
            vec![transfer(1, A, 99, 10)],
            vec![R::CreditAccountNotFound],
        ),
        (
            "accounts on two ledgers",
            vec![transfer(1, A, OTHER_LEDGER, 10)],
            vec![R::AccountsMustHaveTheSameLedger],
        ),
        (
            "a transfer on another ledger than its accounts",
            vec![Transfer {
                ledger: 2,
                ..transfer(1, A, B, 10)
            }],
            vec![R::TransferMustHaveTheSameLedgerAsAccounts],
        ),
        (
            "a post of nothing",
            vec![post(1, 999, 0)],
            vec![R::PendingTransferNotFound],
        ),
        (
            "a post of a posted transfer",
            vec![post(1, T100, 0)],
            vec![R::PendingTransferNotPending],
        ),
        (
            "a post naming another debit account",
            vec![Transfer {
                debit_account_id: B,
                ..post(1, P200, 0)
            }],
            vec![R::PendingTransferHasDifferentDebitAccountId],
        ),
        (
            "a post naming another credit account",
            vec![Transfer {
                credit_account_id: B,
                ..post(1, P200, 0)
            }],
            vec![R::PendingTransferHasDifferentCreditAccountId],
        ),
        (
            "a post naming another ledger",
            vec![Transfer {
                ledger: 2,
                ..post(1, P200, 0)
            }],
            vec![R::PendingTransferHasDifferentLedger],
        ),
        (
            "a post naming another code",
            vec![Transfer {
                code: 2,
                ..post(1, P200, 0)
            }],
            vec![R::PendingTransferHasDifferentCode],
        ),
        (
            "a post of more than was reserved",
            vec![post(1, P200, 301)],
            vec![R::ExceedsPendingTransferAmount],
        ),
        (
            "a partial void",
            vec![Transfer {
                amount: 100,
                ..void(1, P200)
            }],
            vec![R::PendingTransferHasDifferentAmount],
        ),
        (
            "a retry with other flags",
            vec![flags(t100_exact, TransferFlags::PENDING)],
            vec![R::ExistsWithDifferentFlags],
        ),
        (
            "a retry with another debit account",
            vec![Transfer {
                debit_account_id: FUND,
                ..t100_exact
            }],
            vec![R::ExistsWithDifferentDebitAccountId],
        ),
        (
            "a retry with another credit account",
            vec![Transfer {
                credit_account_id: FUND,
                ..t100_exact
            }],
            vec![R::ExistsWithDifferentCreditAccountId],
        ),
        (
            "a retry with another amount",
            vec![Transfer {
                amount: 51,
                ..t100_exact
            }],
            vec![R::ExistsWithDifferentAmount],
        ),
        (
            "a retried post naming another pending transfer",
            vec![post(S300, P200, 0)],
            vec![R::ExistsWithDifferentPendingId],
        ),
        (
            "a retry with other user data (128)",
            vec![t100()],
            vec![R::ExistsWithDifferentUserData128],
        ),
        (
            "a retry with other user data (64)",
            vec![Transfer {
                user_data_64: 0,
                ..t100_exact
            }],
            vec![R::ExistsWithDifferentUserData64],
        ),
        (
            "a retry with other user data (32)",
            vec![Transfer {
                user_data_32: 0,
                ..t100_exact
            }],
            vec![R::ExistsWithDifferentUserData32],
        ),
        (
            "a retry on another ledger",
            vec![Transfer {
                ledger: 2,
                ..t100_exact
            }],
            vec![R::ExistsWithDifferentLedger],
        ),
        (
            "a retry with another code",
            vec![Transfer {
                code: 2,
                ..t100_exact
            }],
            vec![R::ExistsWithDifferentCode],
        ),
        ("a retry", vec![t100_exact], vec![R::Exists]),
        (
            "a retried post, the full amount left implicit",
            vec![post(S300, P201, 0)],
            vec![R::Exists],
        ),
        (
            "a retried post, the full amount named",
            vec![post(S300, P201, 40)],
            vec![R::Exists],
        ),
        (
            "a second post",
            vec![post(1, P201, 0)],
            vec![R::PendingTransferAlreadyPosted],
        ),
        (
            "a post after a void",
            vec![post(1, P202, 0)],
            vec![R::PendingTransferAlreadyVoided],
        ),
        (
            "pending debits at the limit",
            vec![pending(1, DEBITS_PENDING_FULL, B, 1)],
            vec![R::OverflowsDebitsPending],
        ),
        (
            "pending credits at the limit",
            vec![pending(1, B, CREDITS_PENDING_FULL, 1)],
            vec![R::OverflowsCreditsPending],
        ),
        (
            "posted debits at the limit",
            vec![transfer(1, DEBITS_POSTED_FULL, B, 1)],
            vec![R::OverflowsDebitsPosted],
        ),
        (
            "posted credits at the limit",
            vec![transfer(1, B, CREDITS_POSTED_FULL, 1)],
            vec![R::OverflowsCreditsPosted],
        ),
        (
            "pending plus posted debits at the limit",
            vec![transfer(1, DEBITS_FULL, B, 1)],
            vec![R::OverflowsDebits],
        ),
        (
            "pending plus posted credits at the limit",
            vec![transfer(1, B, CREDITS_FULL, 1)],
            vec![R::OverflowsCredits],
        ),
        (
            "a fund overdrawn by one rial, counting its reservation",
            vec![transfer(1, FUND, A, 701)],
            vec![R::ExceedsCredits],
        ),
        (
            "a fund cannot reserve beyond its credits either",
            vec![pending(1, FUND, A, 701)],
            vec![R::ExceedsCredits],
        ),
        (
            "a receivable credited beyond its debits",
            vec![transfer(1, A, RECEIVABLE, 501)],
            vec![R::ExceedsDebits],
        ),
    ];
    let mut reached = BTreeSet::new();
    for (name, batch, expected) in table {
        let mut ledger = fixture();
        let results = ledger.create_transfers(&batch, NOW);
        assert_eq!(results, expected, "{name}");
        reached.extend(expected.iter().map(|r| r.code()));
    }
    let all: BTreeSet<_> = TransferResult::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(
        all.difference(&reached).collect::<Vec<_>>(),
        Vec::<&&str>::new()
    );
}

#[test]
fn every_account_result_code_is_answered_as_the_table_says() {
    // Establishes each account code, including the idempotent retry.
    use AccountResult as R;
    let existing = Account {
        user_data_128: 1,
        user_data_64: 2,
        user_data_32: 3,
        ..account(A, 1, AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
    };
    let new = || account(50, 1, AccountFlags::NONE);
    let table: Vec<(&str, Vec<Account>, Vec<R>)> = vec![
        ("a new account", vec![new()], vec![R::Ok]),
        (
            "a chain with a bad account fails whole",
            vec![
                Account {
                    flags: AccountFlags::LINKED,
                    ..new()
                },
                Account { code: 0, ..new() },
            ],
            vec![R::LinkedEventFailed, R::CodeMustNotBeZero],
        ),
        (
            "a chain left open",
            vec![Account {
                flags: AccountFlags::LINKED,
                ..new()
            }],
            vec![R::LinkedEventChainOpen],
        ),
        (
            "a timestamp given",
            vec![Account {
                timestamp: 1,
                ..new()
            }],
            vec![R::TimestampMustBeZero],
        ),
        (
            "id 0",
            vec![Account { id: 0, ..new() }],
            vec![R::IdMustNotBeZero],
        ),
        (
            "id max",
            vec![Account {
                id: u128::MAX,
                ..new()
            }],
            vec![R::IdMustNotBeIntMax],
        ),
        (
            "both limits",
            vec![Account {
                flags: AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS
                    | AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS,
                ..new()
            }],
            vec![R::FlagsAreMutuallyExclusive],
        ),
        (
            "a pending debit balance given",
            vec![Account {
                debits_pending: 1,
                ..new()
            }],
            vec![R::DebitsPendingMustBeZero],
        ),
        (
            "a posted debit balance given",
            vec![Account {
                debits_posted: 1,
                ..new()
            }],
            vec![R::DebitsPostedMustBeZero],
        ),
        (
            "a pending credit balance given",
            vec![Account {
                credits_pending: 1,
                ..new()
            }],
            vec![R::CreditsPendingMustBeZero],
        ),
        (
            "a posted credit balance given",
            vec![Account {
                credits_posted: 1,
                ..new()
            }],
            vec![R::CreditsPostedMustBeZero],
        ),
        (
            "ledger 0",
            vec![Account { ledger: 0, ..new() }],
            vec![R::LedgerMustNotBeZero],
        ),
        (
            "code 0",
            vec![Account { code: 0, ..new() }],
            vec![R::CodeMustNotBeZero],
        ),
        (
            "a retry with other flags",
            vec![Account {
                flags: AccountFlags::NONE,
                ..existing
            }],
            vec![R::ExistsWithDifferentFlags],
        ),
        (
            "a retry with other user data (128)",
            vec![Account {
                user_data_128: 0,
                ..existing
            }],
            vec![R::ExistsWithDifferentUserData128],
        ),
        (
            "a retry with other user data (64)",
            vec![Account {
                user_data_64: 0,
                ..existing
            }],
            vec![R::ExistsWithDifferentUserData64],
        ),
        (
            "a retry with other user data (32)",
            vec![Account {
                user_data_32: 0,
                ..existing
            }],
            vec![R::ExistsWithDifferentUserData32],
        ),
        (
            "a retry on another ledger",
            vec![Account {
                ledger: 2,
                ..existing
            }],
            vec![R::ExistsWithDifferentLedger],
        ),
        (
            "a retry with another code",
            vec![Account {
                code: 11,
                ..existing
            }],
            vec![R::ExistsWithDifferentCode],
        ),
        ("a retry", vec![existing], vec![R::Exists]),
    ];
    let mut reached = BTreeSet::new();
    for (name, batch, expected) in table {
        let mut ledger = Ledger::new();
        assert_eq!(ledger.create_accounts(&[existing], NOW), vec![R::Ok]);
        let results = ledger.create_accounts(&batch, NOW);
        assert_eq!(results, expected, "{name}");
        reached.extend(expected.iter().map(|r| r.code()));
    }
    let all: BTreeSet<_> = AccountResult::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(
        all.difference(&reached).collect::<Vec<_>>(),
        Vec::<&&str>::new()
    );
}

#[test]
fn a_failed_chain_leaves_no_trace_and_later_events_still_apply() {
    // Establishes all-or-nothing chains: balances, transfers, settlements and the clock
    // are as before the chain, and the independent events around it still happen.
    let mut ledger = fixture();
    let before = ledger.clone();
    let batch = [
        transfer(1, A, B, 5),
        linked(transfer(2, A, B, 10)),
        linked(post(3, P200, 100)),
        linked(transfer(4, B, A, 20)),
        transfer(5, FUND, A, 10_000),
        transfer(6, B, A, 7),
    ];
    use TransferResult as R;
    assert_eq!(
        ledger.create_transfers(&batch, NOW),
        vec![
            R::Ok,
            R::LinkedEventFailed,
            R::LinkedEventFailed,
            R::LinkedEventFailed,
            R::ExceedsCredits,
            R::Ok
        ]
    );
    for id in [2, 3, 4, 5] {
        assert_eq!(ledger.transfer(id), None);
    }
    assert_eq!(ledger.settlement(P200), None);
    let a_before = before.account(A).copied().unwrap();
    let a_after = ledger.account(A).copied().unwrap();
    assert_eq!(a_after.debits_posted, a_before.debits_posted + 5);
    assert_eq!(a_after.credits_posted, a_before.credits_posted + 7);
    assert_eq!(ledger.account(FUND), before.account(FUND));
    let stamps: Vec<u64> = [1, 6]
        .iter()
        .map(|id| ledger.transfer(*id).unwrap().timestamp)
        .collect();
    assert_eq!(
        stamps[1],
        stamps[0] + 1,
        "the failed chain used no timestamp"
    );
}

#[test]
fn a_retried_chain_answers_exists_for_every_event() {
    // Establishes idempotent retry of a whole committed chain (see the module note on
    // how this differs from TigerBeetle).
    let mut ledger = fixture();
    let chain = [
        linked(pending(1, FUND, A, 100)),
        linked(post(2, 1, 60)),
        transfer(3, A, B, 60),
    ];
    use TransferResult as R;
    assert_eq!(ledger.create_transfers(&chain, NOW), vec![R::Ok; 3]);
    let after = ledger.clone();
    assert_eq!(ledger.create_transfers(&chain, NOW + 5), vec![R::Exists; 3]);
    assert_eq!(ledger.account(A), after.account(A));
}

#[test]
fn a_partial_post_posts_part_and_releases_the_whole_reservation() {
    // Establishes two-phase arithmetic: pending reserves, a post of part of it moves that
    // part and frees the rest, and the fund's limit counted the reservation meanwhile.
    let mut ledger = fixture();
    let fund = *ledger.account(FUND).unwrap();
    assert_eq!((fund.debits_pending, fund.credits_posted), (300, 1_000));
    assert_eq!(
        ledger.create_transfers(&[post(1, P200, 120)], NOW),
        vec![TransferResult::Ok]
    );
    let fund = *ledger.account(FUND).unwrap();
    assert_eq!((fund.debits_pending, fund.debits_posted), (0, 120));
    let stored = *ledger.transfer(1).unwrap();
    assert_eq!(
        (
            stored.debit_account_id,
            stored.credit_account_id,
            stored.amount
        ),
        (FUND, A, 120)
    );
    assert_eq!(ledger.settlement(P200), Some(Settlement::Posted));
    assert_eq!(
        ledger.create_transfers(&[transfer(2, FUND, A, 880)], NOW),
        vec![TransferResult::Ok]
    );
}

#[test]
fn timestamps_are_at_or_after_now_strictly_increasing_and_unmoved_by_failures() {
    // Establishes the ledger's clock: the caller's `now` is a floor, every created event
    // is later than the one before, and failures and retries take no timestamp.
    let mut ledger = Ledger::new();
    let accounts = [
        account(A, 1, AccountFlags::NONE),
        account(B, 1, AccountFlags::NONE),
    ];
    ledger.create_accounts(&accounts, 500);
    assert_eq!(ledger.account(A).unwrap().timestamp, 500);
    assert_eq!(ledger.account(B).unwrap().timestamp, 501);
    ledger.create_transfers(&[transfer(1, A, B, 1), transfer(1, A, B, 1)], 100);
    assert_eq!(ledger.transfer(1).unwrap().timestamp, 502);
    ledger.create_transfers(&[transfer(2, A, A, 1), transfer(3, A, B, 1)], 9_000);
    assert_eq!(ledger.transfer(3).unwrap().timestamp, 9_000);
    let mut loaded = Ledger::new();
    loaded.observe_timestamp(9_000);
    loaded.load_account(*ledger.account(A).unwrap());
    loaded.load_account(*ledger.account(B).unwrap());
    loaded.create_transfers(&[transfer(4, A, B, 1)], 10);
    assert_eq!(loaded.transfer(4).unwrap().timestamp, 9_001);
}

fn whole(ledger: &Ledger) -> (Vec<Account>, Vec<Transfer>) {
    (
        ledger.accounts().copied().collect(),
        ledger.transfers().copied().collect(),
    )
}

#[test]
fn check_passes_on_a_ledger_built_by_batches() {
    // Establishes that the fixture (every kind of transfer) satisfies every invariant.
    let mut ledger = fixture();
    for id in [
        DEBITS_PENDING_FULL,
        CREDITS_PENDING_FULL,
        DEBITS_POSTED_FULL,
        CREDITS_POSTED_FULL,
        DEBITS_FULL,
        CREDITS_FULL,
    ] {
        ledger.accounts.remove(&id);
    }
    let (accounts, transfers) = whole(&ledger);
    let summary = check(&accounts, &transfers).unwrap();
    assert_eq!((summary.accounts, summary.transfers), (5, 8));
}

#[test]
fn check_reports_the_first_broken_invariant() {
    // Establishes one row per violation: the ledger is built correctly, then one thing
    // is broken behind its back, and check names it.
    use crate::Violation as V;
    let mut ledger = Ledger::new();
    ledger.create_accounts(
        &[
            account(A, 1, AccountFlags::NONE),
            account(FUND, 1, AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS),
            account(B, 1, AccountFlags::NONE),
            account(OTHER_LEDGER, 2, AccountFlags::NONE),
        ],
        NOW,
    );
    ledger.create_transfers(
        &[
            transfer(1, A, FUND, 100),
            pending(2, FUND, B, 60),
            post(3, 2, 50),
        ],
        NOW,
    );
    let (accounts, transfers) = whole(&ledger);
    check(&accounts, &transfers).unwrap();
    let by_id = |id: u128| transfers.iter().position(|t| t.id == id).unwrap();
    let edit = |id: u128, change: &dyn Fn(&mut Transfer)| {
        let mut changed = transfers.clone();
        change(&mut changed[by_id(id)]);
        changed
    };
    let fund_index = accounts.iter().position(|a| a.id == FUND).unwrap();
    let mut tampered = accounts.clone();
    tampered[fund_index].credits_posted += 1;
    let mut doubled = accounts.clone();
    doubled.push(accounts[0]);
    let mut settled_twice = transfers.clone();
    settled_twice.push(Transfer {
        id: 4,
        timestamp: 99_999,
        ..transfers[by_id(3)]
    });
    let mut overdraw = transfers.clone();
    overdraw.push(Transfer {
        timestamp: 99_999,
        ..transfer(4, FUND, A, 51)
    });
    let t3 = transfers[by_id(3)].timestamp;
    let rows: Vec<(&str, Vec<Account>, Vec<Transfer>, V)> = vec![
        (
            "an account twice",
            doubled,
            transfers.clone(),
            V::DuplicateAccount {
                account: accounts[0].id,
            },
        ),
        (
            "two transfers at one instant",
            accounts.clone(),
            edit(3, &|t| t.timestamp -= 1),
            V::TransferOutOfOrder {
                transfer: 3,
                timestamp: t3 - 1,
            },
        ),
        (
            "an amount of zero",
            accounts.clone(),
            edit(1, &|t| t.amount = 0),
            V::TransferAmountNotPositive {
                transfer: 1,
                amount: 0,
            },
        ),
        (
            "an account that does not exist",
            accounts.clone(),
            edit(1, &|t| t.debit_account_id = 77),
            V::TransferAccountMissing {
                transfer: 1,
                account: 77,
            },
        ),
        (
            "an account on another ledger",
            accounts.clone(),
            edit(1, &|t| t.debit_account_id = OTHER_LEDGER),
            V::TransferLedgerMismatch {
                transfer: 1,
                ledger: 1,
            },
        ),
        (
            "a post of a transfer that is not pending",
            accounts.clone(),
            edit(3, &|t| t.pending_id = 1),
            V::PendingTransferMissing {
                transfer: 3,
                pending: 1,
            },
        ),
        (
            "a second post",
            accounts.clone(),
            settled_twice,
            V::PendingSettledTwice {
                pending: 2,
                transfer: 4,
            },
        ),
        (
            "a post of more than was reserved",
            accounts.clone(),
            edit(3, &|t| t.amount = 61),
            V::SettlementMismatch {
                transfer: 3,
                pending: 2,
            },
        ),
        (
            "a fund overdrawn",
            accounts.clone(),
            overdraw,
            V::Overdrawn {
                account: FUND,
                transfer: 4,
            },
        ),
        (
            "a balance changed behind the ledger's back",
            tampered,
            transfers.clone(),
            V::BalanceMismatch {
                account: FUND,
                balance: "credits_posted",
                stored: 101,
                expected: 100,
            },
        ),
    ];
    for (name, accounts, transfers, expected) in rows {
        assert_eq!(check(&accounts, &transfers), Err(expected), "{name}");
    }
}

#[test]
fn result_codes_are_snake_case_names_of_their_variants() {
    // Establishes the stable wire codes (the API and CLI print these).
    assert_eq!(TransferResult::ExceedsCredits.code(), "exceeds_credits");
    assert_eq!(TransferResult::Exists.to_string(), "exists");
    assert!(TransferResult::Exists.is_success());
    assert!(!TransferResult::LinkedEventFailed.is_success());
    for result in TransferResult::ALL {
        let name = format!("{result:?}");
        assert_eq!(result.code().replace('_', ""), name.to_lowercase());
    }
    for result in AccountResult::ALL {
        let name = format!("{result:?}");
        assert_eq!(result.code().replace('_', ""), name.to_lowercase());
    }
}
