//! `taavon ledger check` and `taavon ledger trial-balance`.

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use taavon_core::locale::Locale;
use taavon_core::money::format_number;
use taavon_store::{Store, TrialBalanceRow};

use crate::plumbing::{DbArgs, config_with, exit_code, open_store, runtime};

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
        let passed = check_store(&store).await?;
        store.close().await;
        Ok(exit_code(passed))
    })
}

/// Checks every ledger invariant of `store` and prints the outcome; whether it passed.
pub(crate) async fn check_store(store: &Store) -> anyhow::Result<bool> {
    let mut read = store.read().await?;
    let outcome = read.check_ledger().await?;
    read.finish().await?;
    Ok(match outcome {
        Ok(summary) => {
            println!(
                "ok: {} accounts, {} transfers",
                summary.accounts, summary.transfers
            );
            true
        }
        Err(violation) => {
            println!("ledger check failed: {violation}");
            false
        }
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
