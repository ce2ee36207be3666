//! `taavon backup` and `taavon restore`. SQLite: the store's consistent copy of one
//! snapshot (safe while the server writes) and putting it back. PostgreSQL: `pg_dump
//! --format=custom` and `pg_restore`, which must be installed. A restore refuses a target
//! that holds records unless `--force`, and ends with the ledger check and the audit
//! verification on what it restored.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use taavon_store::DatabaseUrl;

use crate::config::Config;
use crate::integrity::check_copy;
use crate::plumbing::{DbArgs, config_with, exit_code, open_store, runtime};

#[derive(Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The backup file to write (never overwritten).
    #[arg(long = "out", value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A file `taavon backup` wrote: a SQLite database, or a PostgreSQL custom dump.
    #[arg(long = "from", value_name = "FILE")]
    pub from: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
    /// Replace a target that already holds records.
    #[arg(long)]
    pub force: bool,
}

/// The first bytes of a `pg_dump --format=custom` file.
const PG_DUMP_HEADER: &[u8] = b"PGDMP";

pub fn backup(args: &BackupArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(&args.db)?;
    if args.out.exists() {
        bail!(
            "{} already exists; a backup never overwrites / فایل {} از قبل هست و پشتیبان روی آن \
             نوشته نمی‌شود",
            args.out.display(),
            args.out.display()
        );
    }
    let started = Instant::now();
    match DatabaseUrl::parse(&config.database_url)? {
        DatabaseUrl::Sqlite { .. } => runtime()?.block_on(async {
            let store = open_store(&config).await?;
            let made = store.backup_sqlite(&args.out).await;
            store.close().await;
            anyhow::Ok(made?)
        })?,
        DatabaseUrl::Postgres { url } => run_tool(
            "pg_dump",
            &[
                "--format=custom",
                "--no-owner",
                "--file",
                path_text(&args.out)?,
                "--dbname",
                &url,
            ],
        )?,
    }
    let bytes = std::fs::metadata(&args.out)
        .with_context(|| format!("reading {}", args.out.display()))?
        .len();
    println!(
        "backed up to {} ({bytes} bytes) in {:.1} s",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn restore(args: &RestoreArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(&args.db)?;
    let sqlite_backup = taavon_store::is_sqlite_file(&args.from)
        .with_context(|| format!("reading {}", args.from.display()))?;
    let url = DatabaseUrl::parse(&config.database_url)?;
    if !sqlite_backup && !starts_with(&args.from, PG_DUMP_HEADER)? {
        bail!(
            "{} is neither a SQLite backup nor a pg_dump custom-format file",
            args.from.display()
        );
    }
    runtime()?.block_on(async {
        match (&url, sqlite_backup) {
            (DatabaseUrl::Sqlite { path }, true) => {
                if Path::new(path).exists() {
                    refuse_filled(&config, args.force).await?;
                }
                taavon_store::restore_sqlite_file(&args.from, &config.database_url)?;
            }
            (DatabaseUrl::Postgres { url }, false) => {
                // The target is migrated first (so its emptiness can be asked); the dump's
                // objects then replace the migrated ones (`--clean`).
                refuse_filled(&config, args.force).await?;
                run_tool(
                    "pg_restore",
                    &[
                        "--clean",
                        "--if-exists",
                        "--no-owner",
                        "--single-transaction",
                        "--dbname",
                        url,
                        path_text(&args.from)?,
                    ],
                )?;
            }
            (DatabaseUrl::Sqlite { .. }, false) => {
                bail!("a pg_dump file restores into a postgres:// database, not into SQLite")
            }
            (DatabaseUrl::Postgres { .. }, true) => bail!(
                "a SQLite backup restores into a sqlite:// database; to move it into \
                 PostgreSQL, restore it as SQLite and run `taavon migrate-to`"
            ),
        }
        let store = open_store(&config).await?;
        println!("restored {}", args.from.display());
        let whole = check_copy(&store).await?;
        store.close().await;
        Ok(exit_code(whole))
    })
}

/// Fails when the configured database holds records, unless `force`.
async fn refuse_filled(config: &Config, force: bool) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let filled = store.first_filled_table().await?;
    store.close().await;
    match filled {
        Some((table, rows)) if !force => bail!(
            "the target database is not empty (its table {table} holds {rows} rows); restore \
             replaces it only with --force / پایگاه داده مقصد خالی نیست (جدول {table} {rows} \
             ردیف دارد)؛ بازگردانی فقط با --force جای آن را می‌گیرد"
        ),
        _ => Ok(()),
    }
}

/// Runs one of PostgreSQL's client tools, naming it in Persian and English when it is
/// missing.
fn run_tool(tool: &str, args: &[&str]) -> anyhow::Result<()> {
    let status = match Command::new(tool).args(args).status() {
        Ok(status) => status,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => bail!(
            "{tool} was not found: install PostgreSQL's client tools of the server's major \
             version (Debian: apt install postgresql-client) / {tool} پیدا نشد: ابزارهای \
             کلاینت PostgreSQL هم‌نسخهٔ سرور را نصب کنید (دبیان: apt install postgresql-client)"
        ),
        Err(error) => return Err(error).with_context(|| format!("running {tool}")),
    };
    if !status.success() {
        bail!("{tool} failed ({status}) / {tool} با خطا پایان یافت");
    }
    Ok(())
}

fn path_text(path: &Path) -> anyhow::Result<&str> {
    path.to_str()
        .with_context(|| format!("the path {} is not UTF-8", path.display()))
}

fn starts_with(path: &Path, header: &[u8]) -> anyhow::Result<bool> {
    use std::io::Read;
    let mut start = vec![0u8; header.len()];
    let mut file =
        std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(file.read_exact(&mut start).is_ok() && start == header)
}
