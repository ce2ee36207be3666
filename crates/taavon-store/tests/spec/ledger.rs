//! The ledger through the store, on both engines: result codes, idempotent retries
//! across transactions, linked rollback, two-phase transfers, overdraft refusal, large
//! batches, and the check finding a balance changed behind the store's back.

use taavon_ledger::{
    Account, AccountFlags, AccountResult, Transfer, TransferFlags, TransferResult, Violation,
};
use taavon_store::{
    ACCOUNT_INDEX_RUN, LEDGER_BATCH_MAX, LedgerAccount, LedgerAccountFilter, Store, StoreError,
    TransferPage,
};

use super::{Checks, load_reference, now, operator, run};

/// High bits set, so ids beyond `i128` survive the round trip through hex text.
const TREASURY: u128 = 0xF000_0000_0000_0000_0000_0000_0000_0001;
/// An agency's deposit: may not be overdrawn.
const FUND: u128 = 0xF000_0000_0000_0000_0000_0000_0000_0002;
const BORROWER: u128 = 0xF000_0000_0000_0000_0000_0000_0000_0003;
/// On ledger 2.
const OTHER: u128 = 0xF000_0000_0000_0000_0000_0000_0000_0004;

fn account(id: u128, ledger: u32, flags: AccountFlags, province: Option<&str>) -> LedgerAccount {
    LedgerAccount {
        account: Account {
            id,
            ledger,
            code: 10,
            flags,
            ..Account::default()
        },
        province: province.map(str::to_owned),
        name: format!("account {id:x}"),
        kind: if flags.contains(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS) {
            "agency_deposit".into()
        } else {
            "other".into()
        },
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

fn settle(id: u128, pending_id: u128, amount: i64, flags: TransferFlags) -> Transfer {
    Transfer {
        id,
        pending_id,
        amount,
        flags,
        ..Transfer::default()
    }
}

fn linked(t: Transfer) -> Transfer {
    Transfer {
        flags: t.flags | TransferFlags::LINKED,
        ..t
    }
}

/// Opens the four accounts (after the reference data, for the province) and funds the
/// FUND with 1 000 000 rials from the TREASURY.
async fn opened(store: &Store) {
    load_reference(store).await;
    let mut write = store.write(operator(), now()).await.unwrap();
    let accounts = [
        account(TREASURY, 1, AccountFlags::NONE, None),
        account(
            FUND,
            1,
            AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS,
            Some("IR-16"),
        ),
        account(BORROWER, 1, AccountFlags::NONE, Some("IR-16")),
        account(OTHER, 2, AccountFlags::NONE, None),
    ];
    let results = write.create_ledger_accounts(&accounts).await.unwrap();
    assert_eq!(results, vec![AccountResult::Ok; 4]);
    let funding = write
        .create_ledger_transfers(&[transfer(1, TREASURY, FUND, 1_000_000)])
        .await
        .unwrap();
    assert_eq!(funding, vec![TransferResult::Ok]);
    write.commit().await.unwrap();
}

/// Applies one batch in its own transaction; commits if anything was created.
async fn apply(store: &Store, batch: &[Transfer]) -> Vec<TransferResult> {
    let mut write = store.write(operator(), now()).await.unwrap();
    let results = write.create_ledger_transfers(batch).await.unwrap();
    if write.has_audit_entries() {
        write.commit().await.unwrap();
    } else {
        write.rollback().await.unwrap();
    }
    results
}

async fn stored(store: &Store, id: u128) -> Account {
    let mut read = store.read().await.unwrap();
    read.ledger_account(id).await.unwrap().unwrap().account
}

spec!(ledger_result_codes_come_through_the_store_and_rows_read_back_whole);
async fn ledger_result_codes_come_through_the_store_and_rows_read_back_whole(
    store: Store,
    _: String,
) -> Checks {
    // Establishes that the store answers the ledger's codes for one mixed batch and
    // stores exactly what the ledger decided, every field surviving the round trip.
    opened(&store).await;
    let reservation = Transfer {
        user_data_128: u128::MAX - 1,
        user_data_64: u64::MAX,
        user_data_32: u32::MAX,
        ..pending(5, FUND, BORROWER, 600_000)
    };
    let batch = [
        transfer(2, TREASURY, BORROWER, 10),
        transfer(2, TREASURY, BORROWER, 10),
        transfer(2, TREASURY, BORROWER, 11),
        transfer(3, 99, FUND, 1),
        transfer(4, TREASURY, OTHER, 1),
        reservation,
        settle(6, 5, 400_000, TransferFlags::POST_PENDING_TRANSFER),
        settle(7, 5, 0, TransferFlags::VOID_PENDING_TRANSFER),
        settle(8, 12_345, 0, TransferFlags::POST_PENDING_TRANSFER),
        transfer(9, FUND, BORROWER, 600_001),
        transfer(10, FUND, BORROWER, 600_000),
    ];
    use TransferResult as R;
    assert_eq!(
        apply(&store, &batch).await,
        vec![
            R::Ok,
            R::Exists,
            R::ExistsWithDifferentAmount,
            R::DebitAccountNotFound,
            R::AccountsMustHaveTheSameLedger,
            R::Ok,
            R::Ok,
            R::PendingTransferAlreadyPosted,
            R::PendingTransferNotFound,
            R::ExceedsCredits,
            R::Ok,
        ]
    );
    let fund = stored(&store, FUND).await;
    assert_eq!(
        (fund.debits_pending, fund.debits_posted, fund.credits_posted),
        (0, 1_000_000, 1_000_000)
    );
    let mut read = store.read().await.unwrap();
    let post = read.ledger_transfer(6).await.unwrap().unwrap();
    assert_eq!(
        post,
        Transfer {
            debit_account_id: FUND,
            credit_account_id: BORROWER,
            ledger: 1,
            code: 1,
            user_data_128: u128::MAX - 1,
            user_data_64: u64::MAX,
            user_data_32: u32::MAX,
            timestamp: post.timestamp,
            ..settle(6, 5, 400_000, TransferFlags::POST_PENDING_TRANSFER)
        }
    );
    assert!(
        post.timestamp >= 1_756_629_000_000_000_000,
        "nanoseconds of now()"
    );
    let labelled = read.ledger_account(FUND).await.unwrap().unwrap();
    assert_eq!(
        (labelled.province.as_deref(), labelled.kind.as_str()),
        (Some("IR-16"), "agency_deposit")
    );
    let first = read
        .ledger_transfers_of(
            FUND,
            TransferPage {
                after: None,
                limit: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(first.iter().map(|t| t.id).collect::<Vec<_>>(), vec![1, 5]);
    let rest = read
        .ledger_transfers_of(
            FUND,
            TransferPage {
                after: Some(first[1].timestamp),
                limit: 100,
            },
        )
        .await
        .unwrap();
    assert_eq!(rest.iter().map(|t| t.id).collect::<Vec<_>>(), vec![6, 10]);
    let in_ilam = read
        .ledger_accounts(&LedgerAccountFilter {
            province: Some("IR-16".into()),
            limit: 10,
            ..LedgerAccountFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        in_ilam.iter().map(|a| a.account.id).collect::<Vec<_>>(),
        vec![FUND, BORROWER]
    );
    let after_fund = read
        .ledger_accounts(&LedgerAccountFilter {
            after: Some(FUND),
            ledger: Some(1),
            limit: 10,
            ..LedgerAccountFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(after_fund.len(), 1);
    let balance = read.trial_balance().await.unwrap();
    let ilam_deposits = balance
        .iter()
        .find(|row| row.kind == "agency_deposit")
        .unwrap();
    assert_eq!(
        (
            ilam_deposits.province.as_deref(),
            ilam_deposits.accounts,
            ilam_deposits.debits_posted
        ),
        (Some("IR-16"), 1, 1_000_000)
    );
    let ledger_one: (i128, i128) = balance
        .iter()
        .filter(|row| row.ledger == 1)
        .fold((0, 0), |(d, c), row| {
            (d + row.debits_posted, c + row.credits_posted)
        });
    assert_eq!(ledger_one, (2_000_010, 2_000_010));
    let audit = read.audit_records(10, None).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions[..3],
        ["ledger.transfers", "ledger.transfers", "ledger.accounts"]
    );
    assert!(
        audit[0]
            .after_json
            .as_deref()
            .unwrap()
            .contains("\"created\":4")
    );
    Checks::AuditMustVerify
}

spec!(a_retried_batch_answers_exists_and_changes_nothing);
async fn a_retried_batch_answers_exists_and_changes_nothing(store: Store, _: String) -> Checks {
    // Establishes idempotency across transactions: a request retried after its commit
    // (say the answer was lost) finds every transfer already there, and only a retry
    // with different fields is an error.
    opened(&store).await;
    let batch = [
        linked(pending(20, FUND, BORROWER, 300)),
        settle(21, 20, 200, TransferFlags::POST_PENDING_TRANSFER),
        transfer(22, TREASURY, BORROWER, 5),
    ];
    assert_eq!(apply(&store, &batch).await, vec![TransferResult::Ok; 3]);
    let before = (stored(&store, FUND).await, stored(&store, BORROWER).await);
    assert_eq!(apply(&store, &batch).await, vec![TransferResult::Exists; 3]);
    assert_eq!(
        apply(&store, &[transfer(22, TREASURY, BORROWER, 6)]).await,
        vec![TransferResult::ExistsWithDifferentAmount]
    );
    assert_eq!(
        (stored(&store, FUND).await, stored(&store, BORROWER).await),
        before
    );
    let mut write = store.write(operator(), now()).await.unwrap();
    let again = write
        .create_ledger_accounts(&[account(TREASURY, 1, AccountFlags::NONE, None)])
        .await
        .unwrap();
    assert_eq!(again, vec![AccountResult::Exists]);
    assert!(!write.has_audit_entries());
    Checks::AuditMustVerify
}

spec!(a_linked_chain_with_a_failure_leaves_nothing_and_the_rest_of_the_batch_applies);
async fn a_linked_chain_with_a_failure_leaves_nothing_and_the_rest_of_the_batch_applies(
    store: Store,
    _: String,
) -> Checks {
    // Establishes all-or-nothing chains in the store: no row and no balance change from
    // the failed chain, while the independent transfer after it is committed.
    opened(&store).await;
    let before = stored(&store, FUND).await;
    let batch = [
        linked(transfer(30, FUND, BORROWER, 500_000)),
        linked(pending(31, FUND, BORROWER, 400_000)),
        transfer(32, FUND, BORROWER, 200_000),
        transfer(33, TREASURY, BORROWER, 1),
    ];
    use TransferResult as R;
    assert_eq!(
        apply(&store, &batch).await,
        vec![
            R::LinkedEventFailed,
            R::LinkedEventFailed,
            R::ExceedsCredits,
            R::Ok
        ]
    );
    assert_eq!(stored(&store, FUND).await, before);
    let mut read = store.read().await.unwrap();
    for id in [30, 31, 32] {
        assert_eq!(read.ledger_transfer(id).await.unwrap(), None);
    }
    assert!(read.ledger_transfer(33).await.unwrap().is_some());
    Checks::AuditMustVerify
}

spec!(a_reservation_is_posted_or_voided_once_across_transactions);
async fn a_reservation_is_posted_or_voided_once_across_transactions(
    store: Store,
    _: String,
) -> Checks {
    // Establishes two-phase transfers in separate transactions (approval reserves,
    // disbursement posts), each pending transfer settled at most once.
    opened(&store).await;
    use TransferFlags as F;
    use TransferResult as R;
    assert_eq!(
        apply(
            &store,
            &[
                pending(40, FUND, BORROWER, 700_000),
                pending(41, FUND, BORROWER, 300_000)
            ]
        )
        .await,
        vec![R::Ok, R::Ok]
    );
    let fund = stored(&store, FUND).await;
    assert_eq!((fund.debits_pending, fund.debits_posted), (1_000_000, 0));
    assert_eq!(
        apply(&store, &[transfer(42, FUND, BORROWER, 1)]).await,
        vec![R::ExceedsCredits],
        "reservations count against the fund"
    );
    assert_eq!(
        apply(&store, &[settle(43, 40, 650_000, F::POST_PENDING_TRANSFER)]).await,
        vec![R::Ok]
    );
    assert_eq!(
        apply(&store, &[settle(44, 41, 0, F::VOID_PENDING_TRANSFER)]).await,
        vec![R::Ok]
    );
    assert_eq!(
        apply(
            &store,
            &[
                settle(45, 40, 0, F::VOID_PENDING_TRANSFER),
                settle(46, 41, 0, F::POST_PENDING_TRANSFER),
                settle(43, 40, 650_000, F::POST_PENDING_TRANSFER),
            ]
        )
        .await,
        vec![
            R::PendingTransferAlreadyPosted,
            R::PendingTransferAlreadyVoided,
            R::Exists
        ]
    );
    let fund = stored(&store, FUND).await;
    assert_eq!((fund.debits_pending, fund.debits_posted), (0, 650_000));
    assert_eq!(
        apply(&store, &[transfer(47, FUND, BORROWER, 350_000)]).await,
        vec![R::Ok],
        "what was released can be spent"
    );
    assert_eq!(
        apply(&store, &[transfer(48, FUND, BORROWER, 1)]).await,
        vec![R::ExceedsCredits]
    );
    Checks::AuditMustVerify
}

spec!(a_batch_of_thousands_over_hundreds_of_accounts_is_written_whole);
async fn a_batch_of_thousands_over_hundreds_of_accounts_is_written_whole(
    store: Store,
    _: String,
) -> Checks {
    // Establishes the batched write path (many statements per batch, every touched
    // account updated once) against the same batch applied one transfer at a time.
    load_reference(&store).await;
    let accounts: Vec<LedgerAccount> = (1..=300u128)
        .map(|id| account(id << 64, 1, AccountFlags::NONE, None))
        .collect();
    let transfers: Vec<Transfer> = (1..=1_200u128)
        .map(|i| {
            let debit = (i % 300 + 1) << 64;
            let credit = ((i * 7) % 300 + 1) << 64;
            let t = transfer(i, debit, credit, i64::try_from(i).unwrap());
            match i % 10 {
                0 => settle(i, i - 1, 0, TransferFlags::POST_PENDING_TRANSFER),
                9 => pending(i, debit, credit, 50),
                _ => t,
            }
        })
        .collect();
    let mut write = store.write(operator(), now()).await.unwrap();
    write.create_ledger_accounts(&accounts).await.unwrap();
    let results = write.create_ledger_transfers(&transfers).await.unwrap();
    write.commit().await.unwrap();
    assert!(results.iter().all(|r| *r == TransferResult::Ok));
    let mut model = taavon_ledger::Ledger::new();
    let opened: Vec<Account> = accounts.iter().map(|a| a.account).collect();
    model.create_accounts(&opened, 1);
    assert_eq!(model.create_transfers(&transfers, 1), results);
    let mut read = store.read().await.unwrap();
    for id in [1u128 << 64, 150 << 64, 300 << 64] {
        let account = read.ledger_account(id).await.unwrap().unwrap().account;
        let in_model = model.account(id).unwrap();
        assert_eq!(
            (account.debits_posted, account.credits_posted),
            (in_model.debits_posted, in_model.credits_posted)
        );
    }
    let summary = read.check_ledger().await.unwrap().unwrap();
    assert_eq!((summary.accounts, summary.transfers), (300, 1_200));
    let audit = read.audit_records(1, None).await.unwrap();
    assert_eq!(audit[0].action, "ledger.transfers");
    Checks::AuditMustVerify
}

/// Every transfer of `account`, oldest first, read `limit` at a time.
async fn transfers_of(store: &Store, account: u128, limit: i64) -> Vec<u128> {
    let mut read = store.read().await.unwrap();
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let page = read
            .ledger_transfers_of(account, TransferPage { after, limit })
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.timestamp);
        ids.extend(page.iter().map(|t| t.id));
    }
    ids
}

spec!(an_accounts_transfers_read_alike_before_and_after_the_account_index_catches_up);
async fn an_accounts_transfers_read_alike_before_and_after_the_account_index_catches_up(
    store: Store,
    _: String,
) -> Checks {
    // Pages straddle the point where the index stops and the scanned tail begins.
    opened(&store).await;
    let rotation = |i: u128| match i % 3 {
        0 => transfer(i, TREASURY, FUND, 10),
        1 => transfer(i, FUND, BORROWER, 5),
        _ => transfer(i, BORROWER, TREASURY, 1),
    };
    let batches: Vec<Vec<Transfer>> = (0..4u128)
        .map(|b| (2 + b * 20..2 + (b + 1) * 20).map(rotation).collect())
        .collect();
    let of_fund: Vec<u128> = std::iter::once(1)
        .chain((2..82).filter(|i| i % 3 != 2))
        .collect();
    for (n, batch) in batches.iter().enumerate() {
        assert!(
            apply(&store, batch)
                .await
                .iter()
                .all(|r| *r == TransferResult::Ok)
        );
        if n == 1 {
            let mut write = store.write(operator(), now()).await.unwrap();
            write.index_ledger_accounts().await.unwrap();
            write.commit().await.unwrap();
        }
    }
    let mut read = store.read().await.unwrap();
    assert_eq!(read.unindexed_ledger_transfers().await.unwrap(), 40);
    read.finish().await.unwrap();
    for limit in [1, 7, 10_000] {
        assert_eq!(
            transfers_of(&store, FUND, limit).await,
            of_fund,
            "limit {limit}"
        );
    }
    let mut write = store.write(operator(), now()).await.unwrap();
    write.index_ledger_accounts().await.unwrap();
    write.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    assert_eq!(read.unindexed_ledger_transfers().await.unwrap(), 0);
    read.finish().await.unwrap();
    assert_eq!(transfers_of(&store, FUND, 7).await, of_fund);
    assert_eq!(transfers_of(&store, OTHER, 7).await, Vec::<u128>::new());
    // More runs naming the account than one read of its runs returns.
    let mut of_fund = of_fund;
    for i in 100..170u128 {
        assert_eq!(
            apply(&store, &[rotation(i)]).await,
            vec![TransferResult::Ok]
        );
        let mut write = store.write(operator(), now()).await.unwrap();
        write.index_ledger_accounts().await.unwrap();
        write.commit().await.unwrap();
        if i % 3 != 2 {
            of_fund.push(i);
        }
    }
    for limit in [1, 5, 10_000] {
        assert_eq!(
            transfers_of(&store, FUND, limit).await,
            of_fund,
            "limit {limit}"
        );
    }
    Checks::AuditMustVerify
}

spec!(batches_index_the_accounts_once_a_run_of_transfers_has_gathered);
async fn batches_index_the_accounts_once_a_run_of_transfers_has_gathered(
    store: Store,
    _: String,
) -> Checks {
    opened(&store).await;
    let full_batches = usize::try_from(ACCOUNT_INDEX_RUN).unwrap() / LEDGER_BATCH_MAX + 1;
    let ids: Vec<u128> = (2..2 + (full_batches * LEDGER_BATCH_MAX) as u128).collect();
    for (n, chunk) in ids.chunks(LEDGER_BATCH_MAX).enumerate() {
        let batch: Vec<Transfer> = chunk
            .iter()
            .map(|i| transfer(*i, TREASURY, BORROWER, 1))
            .collect();
        assert!(
            apply(&store, &batch)
                .await
                .iter()
                .all(|r| *r == TransferResult::Ok)
        );
        let mut read = store.read().await.unwrap();
        let unindexed = read.unindexed_ledger_transfers().await.unwrap();
        let written = i64::try_from((n + 1) * LEDGER_BATCH_MAX).unwrap() + 1;
        if written < ACCOUNT_INDEX_RUN {
            assert_eq!(unindexed, written, "after batch {n}");
        } else {
            assert_eq!(unindexed, 0, "after batch {n}");
        }
    }
    let expected: Vec<u128> = std::iter::once(1).chain(ids.iter().copied()).collect();
    assert_eq!(transfers_of(&store, TREASURY, 10_000).await, expected);
    Checks::AuditMustVerify
}

spec!(a_batch_over_the_limit_is_refused_before_anything_happens);
async fn a_batch_over_the_limit_is_refused_before_anything_happens(
    store: Store,
    _: String,
) -> Checks {
    // Establishes the bound on one call's batch.
    let batch = vec![transfer(1, TREASURY, FUND, 1); LEDGER_BATCH_MAX + 1];
    let mut write = store.write(operator(), now()).await.unwrap();
    let refused = write.create_ledger_transfers(&batch).await;
    assert!(
        matches!(refused, Err(StoreError::BatchTooLarge { len, .. }) if len == LEDGER_BATCH_MAX + 1),
        "{refused:?}"
    );
    Checks::AuditMustVerify
}

spec!(check_names_the_account_whose_balance_was_changed_and_transfers_cannot_be_edited);
async fn check_names_the_account_whose_balance_was_changed_and_transfers_cannot_be_edited(
    store: Store,
    url: String,
) -> Checks {
    // Establishes that the full check finds a balance edited behind the store's back,
    // and that the database itself refuses to edit or delete a transfer.
    opened(&store).await;
    apply(&store, &[transfer(50, FUND, BORROWER, 250)]).await;
    let mut read = store.read().await.unwrap();
    let summary = read.check_ledger().await.unwrap().unwrap();
    assert_eq!((summary.accounts, summary.transfers), (4, 2));
    read.finish().await.unwrap();
    taavon_testkit::tamper(
        &url,
        &format!(
            "UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE id = '{BORROWER:032x}'"
        ),
    )
    .await;
    let mut read = store.read().await.unwrap();
    let violation = read.check_ledger().await.unwrap().unwrap_err();
    assert_eq!(
        violation,
        Violation::BalanceMismatch {
            account: BORROWER,
            balance: "credits_posted",
            stored: 251,
            expected: 250,
        }
    );
    assert!(violation.to_string().contains(&format!("{BORROWER:032x}")));
    for (edit, why) in [
        ("UPDATE ledger_transfers SET amount = 1", "immutable"),
        ("DELETE FROM ledger_transfers", "immutable"),
        // What a transfer names stays: accounts are never deleted.
        ("DELETE FROM ledger_accounts", "never deleted"),
    ] {
        let refused = taavon_testkit::try_tamper(&url, edit).await;
        assert!(
            refused.as_ref().is_err_and(|error| error.contains(why)),
            "{edit}: {refused:?}"
        );
    }
    Checks::LedgerBrokenOnPurpose
}
