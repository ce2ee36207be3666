//! `taavon ledger check`, `taavon ledger trial-balance` and `taavon bench ledger`.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use taavon_app::clock;
use taavon_core::locale::Locale;
use taavon_core::money::format_number;
use taavon_store::{Store, TrialBalanceRow};

use crate::commands::{DbArgs, config_with, open_store, runtime};

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// Verify every ledger invariant over the whole store; exit 1 naming the first
    /// violation.
    Check(DbArgs),
    /// Balances summed by ledger, account code, kind and province, with each ledger's
    /// totals (debits equal credits).
    TrialBalance(TrialBalanceArgs),
}

#[derive(Args)]
pub struct TrialBalanceArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Args)]
pub struct BenchLedgerArgs {
    /// The database to measure (default: a fresh SQLite database in a temporary
    /// directory, removed afterwards). The benchmark's accounts and transfers stay in it.
    #[arg(long = "db")]
    pub database_url: Option<String>,
    /// Transfers written at batch 1000 (and through the plain INSERT loop).
    #[arg(long, default_value_t = 100_000)]
    pub transfers: usize,
    /// Transfers written at batch 1, one write transaction each.
    #[arg(long, default_value_t = 2_000)]
    pub single: usize,
    /// Accounts the transfers move money between (2 to 8 190), pairs drawn at random.
    #[arg(long, default_value_t = 1_000)]
    pub accounts: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub fn ledger(command: LedgerCommand) -> anyhow::Result<ExitCode> {
    match command {
        LedgerCommand::Check(db) => check(&db),
        LedgerCommand::TrialBalance(args) => trial_balance(&args),
    }
}

fn check(db: &DbArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(db)?;
    runtime()?.block_on(async {
        let store = open_store(&config).await?;
        let mut read = store.read().await?;
        let outcome = read.check_ledger().await?;
        read.finish().await?;
        store.close().await;
        Ok(match outcome {
            Ok(summary) => {
                println!(
                    "ok: {} accounts, {} transfers",
                    summary.accounts, summary.transfers
                );
                ExitCode::SUCCESS
            }
            Err(violation) => {
                println!("ledger check failed: {violation}");
                ExitCode::FAILURE
            }
        })
    })
}

fn trial_balance(args: &TrialBalanceArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(&args.db)?;
    let rows = runtime()?.block_on(async {
        let store = open_store(&config).await?;
        let mut read = store.read().await?;
        let rows = read.trial_balance().await?;
        read.finish().await?;
        store.close().await;
        anyhow::Ok(rows)
    })?;
    let totals = ledger_totals(&rows);
    match args.format {
        Format::Json => println!("{}", trial_balance_json(&rows, &totals)),
        Format::Table => print_trial_balance(&rows, &totals),
    }
    Ok(ExitCode::SUCCESS)
}

/// One ledger's sums: posted and pending debits and credits.
struct LedgerTotal {
    ledger: u32,
    debits_posted: i128,
    credits_posted: i128,
    debits_pending: i128,
    credits_pending: i128,
}

impl LedgerTotal {
    fn balanced(&self) -> bool {
        self.debits_posted == self.credits_posted && self.debits_pending == self.credits_pending
    }
}

fn ledger_totals(rows: &[TrialBalanceRow]) -> Vec<LedgerTotal> {
    let mut totals: Vec<LedgerTotal> = Vec::new();
    for row in rows {
        if totals.last().is_none_or(|t| t.ledger != row.ledger) {
            totals.push(LedgerTotal {
                ledger: row.ledger,
                debits_posted: 0,
                credits_posted: 0,
                debits_pending: 0,
                credits_pending: 0,
            });
        }
        if let Some(total) = totals.last_mut() {
            total.debits_posted += row.debits_posted;
            total.credits_posted += row.credits_posted;
            total.debits_pending += row.debits_pending;
            total.credits_pending += row.credits_pending;
        }
    }
    totals
}

fn trial_balance_json(rows: &[TrialBalanceRow], totals: &[LedgerTotal]) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "ledger": r.ledger, "code": r.code, "kind": r.kind, "province": r.province,
                "accounts": r.accounts, "debits_posted": json_amount(r.debits_posted),
                "credits_posted": json_amount(r.credits_posted),
                "debits_pending": json_amount(r.debits_pending),
                "credits_pending": json_amount(r.credits_pending),
            })
        })
        .collect();
    // Totals may exceed i64 (and JSON readers' exact integers), so they are strings.
    let ledgers: Vec<serde_json::Value> = totals
        .iter()
        .map(|t| {
            serde_json::json!({
                "ledger": t.ledger, "debits_posted": t.debits_posted.to_string(),
                "credits_posted": t.credits_posted.to_string(),
                "debits_pending": t.debits_pending.to_string(),
                "credits_pending": t.credits_pending.to_string(), "balanced": t.balanced(),
            })
        })
        .collect();
    serde_json::json!({ "rows": rows, "ledgers": ledgers })
}

/// A row's sum as a JSON number, or as a string past `i64` (as the totals always are).
fn json_amount(value: i128) -> serde_json::Value {
    i64::try_from(value).map_or_else(|_| value.to_string().into(), Into::into)
}

fn amount(value: i128) -> String {
    i64::try_from(value).map_or_else(|_| value.to_string(), |v| format_number(v, Locale::En))
}

fn print_trial_balance(rows: &[TrialBalanceRow], totals: &[LedgerTotal]) {
    println!(
        "{:>6} {:>5} {:<20} {:<8} {:>8} {:>22} {:>22} {:>22} {:>22}",
        "ledger",
        "code",
        "kind",
        "province",
        "accounts",
        "debits posted",
        "credits posted",
        "debits pending",
        "credits pending"
    );
    for r in rows {
        println!(
            "{:>6} {:>5} {:<20} {:<8} {:>8} {:>22} {:>22} {:>22} {:>22}",
            r.ledger,
            r.code,
            r.kind,
            r.province.as_deref().unwrap_or("-"),
            r.accounts,
            amount(r.debits_posted),
            amount(r.credits_posted),
            amount(r.debits_pending),
            amount(r.credits_pending)
        );
    }
    for t in totals {
        println!(
            "ledger {}: posted debits {} {} credits {}; pending debits {} {} credits {}",
            t.ledger,
            amount(t.debits_posted),
            if t.debits_posted == t.credits_posted {
                "="
            } else {
                "≠"
            },
            amount(t.credits_posted),
            amount(t.debits_pending),
            if t.debits_pending == t.credits_pending {
                "="
            } else {
                "≠"
            },
            amount(t.credits_pending)
        );
    }
}

pub fn bench(args: &BenchLedgerArgs) -> anyhow::Result<ExitCode> {
    let scratch = std::env::temp_dir().join(format!("taavon-bench-ledger-{}", std::process::id()));
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/taavon.db", scratch.display()));
    let figures = runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        taavon_app::reference::ensure_loaded(&store, clock::now()).await?;
        let load = taavon_tools::bench::ledger::LedgerLoad {
            transfers: args.transfers,
            single: args.single,
            accounts: args.accounts,
            seed: args.seed,
        };
        let figures = taavon_tools::bench::ledger::run(&store, load, clock::now()).await;
        store.close().await;
        anyhow::Ok(figures?)
    });
    if args.database_url.is_none() {
        // Best effort: a leftover temporary directory is harmless.
        let _ = std::fs::remove_dir_all(&scratch);
    }
    let figures = figures?;
    let rate = |rows: usize, elapsed: Duration| rows as f64 / elapsed.as_secs_f64().max(1e-9);
    let baseline = rate(figures.baseline.rows, figures.baseline.elapsed);
    println!(
        "database: {:?}; {} accounts drawn at random; ledger after the run: {} accounts, {} transfers",
        taavon_store::DatabaseUrl::parse(&url)?,
        args.accounts,
        figures.accounts_in_store,
        figures.transfers_in_store
    );
    println!(
        "plain INSERT loop: {} rows in {:.2} s = {:.0} rows/s",
        figures.baseline.rows,
        figures.baseline.elapsed.as_secs_f64(),
        baseline
    );
    let batched = format!("batch {}", taavon_tools::bench::ledger::BATCH);
    for (label, timed) in [
        ("batch 1", figures.single),
        (batched.as_str(), figures.batched),
    ] {
        let transfers = rate(timed.rows, timed.elapsed);
        println!(
            "ledger {label}: {} transfers in {:.2} s = {:.0} transfers/s; ratio to the plain INSERT loop {:.2}",
            timed.rows,
            timed.elapsed.as_secs_f64(),
            transfers,
            transfers / baseline
        );
    }
    println!(
        "ledger check: {} transfers in {:.2} s",
        figures.check.rows,
        figures.check.elapsed.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
