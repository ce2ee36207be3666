//! `taavon migrate-to postgres://…`: moves the configured database (a province's SQLite)
//! into an empty PostgreSQL database (the store's `copy_into`), then proves the move: each
//! table's rows and checksum on both sides, the ledger check and the audit verification
//! on the target. `--check` runs the proof alone, e.g. again before switching over.

use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use taavon_store::TableComparison;

use crate::integrity::check_copy;
use crate::plumbing::{
    DbArgs, config_with, exit_code, open_store, progress_bar, progress_of, runtime,
};

#[derive(Args)]
pub struct MigrateToArgs {
    /// The empty PostgreSQL database to move into (`postgres://…`); it is migrated first.
    #[arg(value_name = "TARGET_URL")]
    pub target: String,
    /// The database to move (by default the configured one).
    #[command(flatten)]
    pub db: DbArgs,
    /// Copy nothing: compare the two databases and check the target.
    #[arg(long)]
    pub check: bool,
}

pub fn migrate_to(args: &MigrateToArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(&args.db)?;
    let mut target_config = config.clone();
    target_config.database_url.clone_from(&args.target);
    if !matches!(
        taavon_store::DatabaseUrl::parse(&args.target)?,
        taavon_store::DatabaseUrl::Postgres { .. }
    ) {
        anyhow::bail!(
            "the target must be a postgres:// database / مقصد باید پایگاه داده PostgreSQL باشد"
        );
    }
    runtime()?.block_on(async {
        let source = open_store(&config).await?;
        let target = open_store(&target_config).await?;
        let source_sums = if args.check {
            source.table_sums().await?
        } else {
            let bar = progress_bar();
            let started = Instant::now();
            let sums = source.copy_into(&target, &progress_of(&bar)).await?;
            bar.finish_and_clear();
            let rows: u64 = sums.iter().map(|s| s.rows).sum();
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "copied {rows} rows of {} tables in {seconds:.2} s ({:.0} rows/s)",
                sums.len(),
                rows as f64 / seconds.max(1e-9)
            );
            sums
        };
        let compared = taavon_store::compare_table_sums(&source_sums, &target.table_sums().await?);
        print_comparison(&compared);
        let same = compared.iter().all(TableComparison::matches);
        let whole = check_copy(&target).await?;
        source.close().await;
        target.close().await;
        if same && whole {
            println!("the target holds exactly what the source held");
        } else {
            println!("THE TARGET DIFFERS FROM THE SOURCE / مقصد با مبدأ یکی نیست");
        }
        Ok(exit_code(same && whole))
    })
}

/// One line per table: rows on each side, the source's checksum (its first 16 digits)
/// and OK or MISMATCH.
fn print_comparison(compared: &[TableComparison]) {
    let rows = |side: &Option<taavon_store::TableSum>| {
        side.as_ref()
            .map_or_else(|| "-".to_owned(), |s| s.rows.to_string())
    };
    println!(
        "{:<32} {:>12} {:>12}  {:<16}  result",
        "table", "source rows", "target rows", "checksum"
    );
    for table in compared {
        let checksum = table
            .source
            .as_ref()
            .or(table.target.as_ref())
            .map_or("", |s| s.checksum.get(..16).unwrap_or(&s.checksum));
        println!(
            "{:<32} {:>12} {:>12}  {checksum:<16}  {}",
            table.table,
            rows(&table.source),
            rows(&table.target),
            if table.matches() { "OK" } else { "MISMATCH" }
        );
    }
}
