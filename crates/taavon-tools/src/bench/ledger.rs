//! `taavon bench ledger`: ledger transfers per second through the store at batch 1 (one
//! write transaction per transfer, as one request each) and at batch 1000, each as a
//! ratio to a plain INSERT loop of the same rows on the same engine, and the time the
//! full check takes afterwards. Fixed seed; ids differ per run so a rerun on the same
//! database creates rows instead of answering `Exists`.

use std::time::{Duration, Instant};

use taavon_core::timestamp::Timestamp;
use taavon_ledger::{Account, Transfer, TransferResult};
use taavon_store::{Actor, LedgerAccount, Store};

use crate::synth::SplitMix;
use taavon_app::AppError;

/// Transfers per write transaction in the batched run.
pub const BATCH: usize = 1_000;

/// What the ledger benchmark measured.
#[derive(Clone, Debug)]
pub struct LedgerFigures {
    /// One transfer per write transaction.
    pub single: Timed,
    /// `BATCH` transfers per write transaction.
    pub batched: Timed,
    /// The batched run's rows through a plain INSERT loop.
    pub baseline: Timed,
    /// `taavon ledger check` over the whole ledger afterwards.
    pub check: Timed,
    pub accounts_in_store: u64,
    pub transfers_in_store: u64,
}

/// How many rows took how long.
#[derive(Clone, Copy, Debug)]
pub struct Timed {
    pub rows: usize,
    pub elapsed: Duration,
}

/// What to write.
#[derive(Clone, Copy, Debug)]
pub struct LedgerLoad {
    /// Transfers at batch 1000 (and through the plain INSERT loop).
    pub transfers: usize,
    /// Transfers at batch 1, before those.
    pub single: usize,
    /// Accounts the transfers move money between, each pair drawn at random. The more
    /// there are, the more index pages a batch touches (one per account and index).
    pub accounts: usize,
    pub seed: u64,
}

/// Runs the benchmark: `single` transfers at batch 1, then `transfers` at batch 1000.
pub async fn run(
    store: &Store,
    load: LedgerLoad,
    now: Timestamp,
) -> Result<LedgerFigures, AppError> {
    let LedgerLoad {
        transfers,
        single,
        accounts: account_count,
        seed,
    } = load;
    if !(2..=taavon_store::LEDGER_BATCH_MAX).contains(&account_count) {
        return Err(AppError::Internal(format!(
            "the ledger benchmark needs 2 to {} accounts",
            taavon_store::LEDGER_BATCH_MAX
        )));
    }
    let run = run_prefix(store, seed).await?;
    let accounts: Vec<LedgerAccount> = (1..=account_count as u128)
        .map(|i| LedgerAccount {
            account: Account {
                id: run | i,
                ledger: 1,
                code: 1,
                ..Account::default()
            },
            province: None,
            name: format!("bench account {i}"),
            kind: "bench".into(),
        })
        .collect();
    let mut write = store.write(actor(), now).await?;
    write.create_ledger_accounts(&accounts).await?;
    write.commit().await?;

    let mut rng = SplitMix::new(seed);
    let rows: Vec<Transfer> = (0..single + transfers)
        .map(|i| {
            let count = account_count as u64;
            let debit = 1 + rng.below(count);
            // Another account: a step of 1 to count - 1 from the debit account.
            let credit = 1 + (debit + rng.below(count - 1)) % count;
            Transfer {
                id: run | (1 << 32) | i as u128,
                debit_account_id: run | u128::from(debit),
                credit_account_id: run | u128::from(credit),
                amount: 1 + rng.below(1_000_000) as i64,
                ledger: 1,
                code: 1,
                user_data_128: i as u128,
                ..Transfer::default()
            }
        })
        .collect();
    let (first, rest) = rows.split_at(single);

    let baseline = Timed {
        rows: rest.len(),
        elapsed: store.baseline_transfer_loop(rest).await?,
    };
    let single = Timed {
        rows: first.len(),
        elapsed: timed_batches(store, first, 1, now).await?,
    };
    let batched = Timed {
        rows: rest.len(),
        elapsed: timed_batches(store, rest, BATCH, now).await?,
    };

    let started = Instant::now();
    let mut read = store.read().await?;
    let summary = read
        .check_ledger()
        .await?
        .map_err(|violation| AppError::Internal(format!("the ledger check failed: {violation}")))?;
    read.finish().await?;
    Ok(LedgerFigures {
        single,
        batched,
        baseline,
        check: Timed {
            rows: usize::try_from(summary.transfers).unwrap_or(usize::MAX),
            elapsed: started.elapsed(),
        },
        accounts_in_store: summary.accounts,
        transfers_in_store: summary.transfers,
    })
}

fn actor() -> Actor {
    Actor::system("bench")
}

/// The high 64 bits of every id of this run: from the seed and what the ledger already
/// holds, so reruns on one database do not collide.
async fn run_prefix(store: &Store, seed: u64) -> Result<u128, AppError> {
    let mut read = store.read().await?;
    let accounts: i64 = read
        .trial_balance()
        .await?
        .iter()
        .map(|row| row.accounts)
        .sum();
    read.finish().await?;
    let mixed = SplitMix::new(seed ^ accounts.unsigned_abs()).next_u64();
    Ok(u128::from(mixed) << 64)
}

/// Writes the rows `size` at a time, one committed write transaction per batch.
async fn timed_batches(
    store: &Store,
    rows: &[Transfer],
    size: usize,
    now: Timestamp,
) -> Result<Duration, AppError> {
    let started = Instant::now();
    for batch in rows.chunks(size) {
        let mut write = store.write(actor(), now).await?;
        let results = write.create_ledger_transfers(batch).await?;
        if let Some(refused) = results.iter().find(|r| **r != TransferResult::Ok) {
            return Err(AppError::Internal(format!(
                "a benchmark transfer was refused: {refused}"
            )));
        }
        write.commit().await?;
    }
    Ok(started.elapsed())
}
