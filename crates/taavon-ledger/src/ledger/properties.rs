//! Property tests over random operation sequences. Ids, accounts and amounts are drawn
//! from small ranges so retries, conflicts, settlements of settled transfers, overdrafts
//! and broken chains are common. On failure proptest prints the shrunk sequence of
//! batches (and keeps its seed in `proptest-regressions/`), so every failure replays.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::{AccountFlags, check};

/// One request: a batch of accounts or of transfers, or a retry of an earlier request
/// (counted back from this one).
#[derive(Clone, Debug)]
enum Batch {
    Accounts(Vec<Account>),
    Transfers(Vec<Transfer>),
    Retry(usize),
}

fn small_id() -> impl Strategy<Value = u128> {
    prop_oneof![1 => Just(0u128), 20 => 1u128..=7]
}

fn account(
    id: impl Strategy<Value = u128>,
    bits: impl Strategy<Value = u16>,
) -> impl Strategy<Value = Account> {
    (
        id,
        prop_oneof![4 => Just(1u32), 1 => Just(2u32)],
        1u16..=2,
        bits,
    )
        .prop_map(|(id, ledger, code, bits)| Account {
            id,
            ledger,
            code,
            flags: AccountFlags::from_bits(bits).unwrap_or_default(),
            ..Account::default()
        })
}

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![1 => -1i64..=0, 12 => 1i64..=300, 1 => Just(i64::MAX)]
}

/// A transfer of its own: mostly between existing accounts, sometimes pending.
fn movement() -> impl Strategy<Value = Transfer> {
    (
        small_id(),
        small_id(),
        amount(),
        prop_oneof![12 => Just(0u128), 1 => 1u128..=20],
        prop_oneof![6 => Just(1u32), 1 => Just(2u32)],
        prop::bool::weighted(0.4),
    )
        .prop_map(
            |(debit, credit, amount, pending_id, ledger, pending)| Transfer {
                debit_account_id: debit,
                credit_account_id: credit,
                amount,
                pending_id,
                ledger,
                flags: if pending {
                    TransferFlags::PENDING
                } else {
                    TransferFlags::NONE
                },
                ..Transfer::default()
            },
        )
}

/// A post or void of one of the ids in play, usually leaving the rest to the pending
/// transfer.
fn settlement() -> impl Strategy<Value = Transfer> {
    (
        prop_oneof![1 => Just(0u128), 12 => 1u128..=20],
        prop_oneof![3 => Just(0i64), 2 => amount()],
        prop_oneof![6 => Just(0u128), 1 => small_id()],
        prop::bool::weighted(0.7),
    )
        .prop_map(|(pending_id, amount, debit, posts)| Transfer {
            pending_id,
            amount,
            debit_account_id: debit,
            flags: if posts {
                TransferFlags::POST_PENDING_TRANSFER
            } else {
                TransferFlags::VOID_PENDING_TRANSFER
            },
            ..Transfer::default()
        })
}

fn transfer() -> impl Strategy<Value = Transfer> {
    (
        1u128..=20,
        prop_oneof![3 => movement(), 1 => settlement()],
        prop::bool::weighted(0.15),
        1u16..=2,
        0u128..=2,
    )
        .prop_map(|(id, transfer, linked, code, user_data)| Transfer {
            id,
            code,
            user_data_128: user_data,
            flags: if linked {
                transfer.flags | TransferFlags::LINKED
            } else {
                transfer.flags
            },
            ..transfer
        })
}

/// The first batch opens accounts 1 to 6 (each with one limit or none); later batches may open more,
/// retry or conflict, and move money.
fn batches() -> impl Strategy<Value = Vec<Batch>> {
    let opening = (1u128..=6)
        .map(|id| account(Just(id), prop::sample::select(vec![0u16, 2, 4])))
        .collect::<Vec<_>>()
        .prop_map(Batch::Accounts);
    let batch = prop_oneof![
        1 => prop::collection::vec(account(small_id(), 0u16..8), 1..4).prop_map(Batch::Accounts),
        8 => prop::collection::vec(transfer(), 1..6).prop_map(Batch::Transfers),
        2 => (1usize..10).prop_map(Batch::Retry),
    ];
    (opening, prop::collection::vec(batch, 1..40)).prop_map(|(opening, mut rest)| {
        rest.insert(0, opening);
        rest
    })
}

/// Debits equal credits in every ledger, posted and pending alike.
fn balanced(ledger: &Ledger) -> Result<(), String> {
    let mut totals: BTreeMap<u32, [i128; 4]> = BTreeMap::new();
    for a in ledger.accounts() {
        let t = totals.entry(a.ledger).or_default();
        t[0] += i128::from(a.debits_posted);
        t[1] += i128::from(a.credits_posted);
        t[2] += i128::from(a.debits_pending);
        t[3] += i128::from(a.credits_pending);
    }
    match totals.iter().find(|(_, t)| t[0] != t[1] || t[2] != t[3]) {
        Some((id, t)) => Err(format!("ledger {id} is unbalanced: {t:?}")),
        None => Ok(()),
    }
}

fn overdrawn(ledger: &Ledger) -> Option<u128> {
    ledger.accounts().find_map(|a| {
        let debits = i128::from(a.debits_pending) + i128::from(a.debits_posted);
        let credits = i128::from(a.credits_pending) + i128::from(a.credits_posted);
        let over = (a.debit_limit().is_some() && debits > i128::from(a.credits_posted))
            || (a.credit_limit().is_some() && credits > i128::from(a.debits_posted));
        over.then_some(a.id)
    })
}

/// The index ranges of the linked chains of a batch (a lone event is a chain of one).
fn chains(linked: &[bool]) -> Vec<std::ops::Range<usize>> {
    let mut chains = Vec::new();
    let mut start = 0;
    for (index, is_linked) in linked.iter().enumerate() {
        if !is_linked || index + 1 == linked.len() {
            chains.push(start..index + 1);
            start = index + 1;
        }
    }
    chains
}

/// Results tell the truth: an id answered `Ok` (at most once) did not exist and now
/// does; an id never answered `Ok` is exactly as it was.
fn truthful<T: PartialEq + std::fmt::Debug, R: PartialEq + Copy + std::fmt::Debug>(
    step: usize,
    ids: &[u128],
    results: &[R],
    before: &[Option<T>],
    after: &[Option<T>],
    ok: R,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(results.len(), ids.len());
    for (index, id) in ids.iter().enumerate() {
        let created = ids
            .iter()
            .zip(results)
            .filter(|(other, result)| *other == id && **result == ok)
            .count();
        if created == 0 {
            prop_assert_eq!(
                &after[index],
                &before[index],
                "step {}: {} changed",
                step,
                id
            );
        } else {
            prop_assert!(
                created == 1 && before[index].is_none() && after[index].is_some(),
                "step {}: {} answered ok {} times: {:?}",
                step,
                id,
                created,
                results
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_step_keeps_the_ledger_balanced_unoverdrawn_and_checkable(batches in batches()) {
        // Establishes the ledger's invariants after every batch of any sequence, and that
        // results tell the truth: what is answered `Ok` now exists, what failed is as it
        // was, a chain is never half applied, and a retried request answers `Exists`
        // for everything it created the first time.
        let mut ledger = Ledger::new();
        let mut answered: Vec<(Batch, Vec<&'static str>)> = Vec::new();
        for (step, batch) in batches.iter().enumerate() {
            let now = 1_000 + step as u64;
            let (batch, first) = match batch {
                Batch::Retry(back) => match answered.len().checked_sub(*back) {
                    Some(earlier) => {
                        let (batch, codes) = &answered[earlier];
                        (batch.clone(), Some(codes.clone()))
                    }
                    None => continue,
                },
                batch => (batch.clone(), None),
            };
            let codes: Vec<&'static str> = match &batch {
                Batch::Accounts(accounts) => {
                    let ids: Vec<u128> = accounts.iter().map(|a| a.id).collect();
                    let before: Vec<Option<Account>> =
                        ids.iter().map(|id| ledger.account(*id).copied()).collect();
                    let results = ledger.create_accounts(accounts, now);
                    let after: Vec<Option<Account>> =
                        ids.iter().map(|id| ledger.account(*id).copied()).collect();
                    truthful(step, &ids, &results, &before, &after, AccountResult::Ok)?;
                    results.iter().map(|r| r.code()).collect()
                }
                Batch::Transfers(transfers) => {
                    let ids: Vec<u128> = transfers.iter().map(|t| t.id).collect();
                    let before: Vec<Option<Transfer>> =
                        ids.iter().map(|id| ledger.transfer(*id).copied()).collect();
                    let results = ledger.create_transfers(transfers, now);
                    let after: Vec<Option<Transfer>> =
                        ids.iter().map(|id| ledger.transfer(*id).copied()).collect();
                    truthful(step, &ids, &results, &before, &after, TransferResult::Ok)?;
                    let linked: Vec<bool> =
                        transfers.iter().map(|t| t.flags.contains(TransferFlags::LINKED)).collect();
                    for chain in chains(&linked) {
                        let outcomes = &results[chain.clone()];
                        let failed = outcomes.iter().any(|r| !r.is_success());
                        prop_assert!(!failed || outcomes.iter().all(|r| *r != TransferResult::Ok),
                            "step {}: chain {:?} half applied: {:?}", step, chain, outcomes);
                    }
                    results.iter().map(|r| r.code()).collect()
                }
                Batch::Retry(_) => continue,
            };
            if let Some(first) = first {
                for (index, (was, again)) in first.iter().zip(&codes).enumerate() {
                    prop_assert!(*was != "ok" || *again == "exists",
                        "step {}: event {} of the retried batch answered {}", step, index, again);
                }
            }
            answered.push((batch, codes));
            prop_assert_eq!(balanced(&ledger), Ok(()), "step {}", step);
            prop_assert_eq!(overdrawn(&ledger), None, "step {}", step);
            let accounts: Vec<Account> = ledger.accounts().copied().collect();
            let transfers: Vec<Transfer> = ledger.transfers().copied().collect();
            let checked = check(&accounts, &transfers);
            prop_assert!(checked.is_ok(), "step {}: {:?}", step, checked);
        }
    }
}
