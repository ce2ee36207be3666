//! `taavon import tiers|cooperatives|members|insured|services`: data files into the database, every bad
//! row reported by row and column, nothing stored from a file with errors unless asked.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use taavon_app::clock;
use taavon_app::users::Caller;

use crate::plumbing::{DbArgs, config_with, open, progress_bar, progress_of, report, runtime};

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Replace the deprivation tiers with an official classification (CSV: county_code,tier).
    Tiers(ImportTiersArgs),
    /// Import cooperatives from CSV or XLSX (idempotent by legal ID).
    Cooperatives(ImportTableArgs),
    /// Import members from CSV or XLSX (idempotent by national code).
    Members(ImportTableArgs),
    /// Import an SSO insured-worker list (CSV or XLSX), as an SSO officer's upload:
    /// idempotent per (workshop, national code, month); a month's list for a workshop
    /// replaces its rows; the hires it touches are verified again.
    Insured(ImportInsuredArgs),
    /// Import an agency's services delivered (CSV or XLSX, Persian or English headers),
    /// idempotent by the agency's own reference; a file with a bad row stores nothing.
    Services(ImportServicesArgs),
}

#[derive(Args)]
pub struct ImportServicesArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub file: std::path::PathBuf,
    /// The agency whose services these are (its reference code, e.g. `tvto`).
    #[arg(long)]
    pub agency: String,
}

#[derive(Args)]
pub struct ImportInsuredArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub file: std::path::PathBuf,
    /// The SSO officer (user name) the upload is recorded for.
    #[arg(long = "as")]
    pub username: String,
}

#[derive(Args)]
pub struct ImportTableArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub file: std::path::PathBuf,
    /// Store the valid rows of a file that has invalid ones (by default nothing is stored).
    #[arg(long)]
    pub skip_invalid: bool,
}

#[derive(Args)]
pub struct ImportTiersArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub file: std::path::PathBuf,
    /// ISO date from which the classification applies.
    #[arg(long)]
    pub valid_from: String,
    /// Where the classification comes from (a decree, a law).
    #[arg(long)]
    pub source: String,
}

pub fn import(command: ImportCommand) -> anyhow::Result<ExitCode> {
    let args = match command {
        ImportCommand::Tiers(args) => args,
        ImportCommand::Cooperatives(args) => return import_table(args, Kind::Cooperatives),
        ImportCommand::Members(args) => return import_table(args, Kind::Members),
        ImportCommand::Insured(args) => return import_insured(args),
        ImportCommand::Services(args) => return import_services(args),
    };
    let config = config_with(&args.db)?;
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    runtime()?.block_on(async {
        let store = open(&config).await?;
        let result = taavon_app::reference::import_tiers(
            &store,
            Caller::Operator("cli"),
            &text,
            &args.valid_from,
            &args.source,
            clock::now(),
        )
        .await;
        store.close().await;
        report(result.map(|id| println!("imported tier classification {id}")))
    })
}

/// Prints a use case's refusal field by field (exit 1); other errors propagate.
enum Kind {
    Cooperatives,
    Members,
}

fn import_table(args: ImportTableArgs, kind: Kind) -> anyhow::Result<ExitCode> {
    use taavon_app::table::{Format, Table};
    let config = config_with(&args.db)?;
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let name = args.file.to_string_lossy().into_owned();
    let bar = progress_bar();
    let progress = progress_of::<usize>(&bar);
    runtime()?.block_on(async {
        let table = match Table::read(bytes, Format::of(&name)) {
            Ok(table) => table,
            Err(error) => return report(Err(error)),
        };
        let store = open(&config).await?;
        let caller = Caller::Operator("cli");
        let result = match kind {
            Kind::Cooperatives => {
                taavon_app::import::import_cooperatives(
                    &store,
                    caller,
                    &table,
                    args.skip_invalid,
                    &progress,
                    clock::now(),
                )
                .await
            }
            Kind::Members => {
                taavon_app::import::import_members(
                    &store,
                    caller,
                    &table,
                    args.skip_invalid,
                    &progress,
                    clock::now(),
                )
                .await
            }
        };
        store.close().await;
        bar.finish_and_clear();
        let report = match result {
            Ok(report) => report,
            Err(error) => return self::report(Err(error)),
        };
        print_row_errors(&report.errors);
        println!(
            "{} rows: {} created, {} unchanged, {} invalid{}",
            report.rows,
            report.created,
            report.unchanged,
            report.errors.len(),
            if report.stored {
                ""
            } else {
                "; nothing stored (use --skip-invalid to store the valid rows)"
            }
        );
        Ok(if report.stored {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    })
}

fn import_insured(args: ImportInsuredArgs) -> anyhow::Result<ExitCode> {
    use taavon_app::impact::{ListFile, import_insured_list};
    let config = config_with(&args.db)?;
    let rules = config.impact.rules()?;
    let name = args.file.to_string_lossy().into_owned();
    let bar = progress_bar();
    runtime()?.block_on(async {
        let store = open(&config).await?;
        let mut read = store.read().await?;
        let user = read
            .user_by_username(&args.username)
            .await?
            .with_context(|| format!("no user {}", args.username))?;
        read.finish().await?;
        let principal = taavon_app::auth::principal_of(&user);
        let result = import_insured_list(
            &store,
            &principal,
            ListFile {
                path: &args.file,
                name: &name,
            },
            &rules,
            clock::now(),
            &mut |written| bar.set_position(written),
        )
        .await;
        store.close().await;
        bar.finish_and_clear();
        let report = match result {
            Ok(report) => report,
            Err(error) => return self::report(Err(error)),
        };
        print_row_errors(&report.errors);
        match report.upload_id {
            Some(id) => {
                println!(
                    "upload {id}: {} rows, {} workshops; {} hires checked, {} changed",
                    report.rows, report.workshops, report.hires_checked, report.hires_changed
                );
                Ok(ExitCode::SUCCESS)
            }
            None => {
                println!(
                    "{} rows, {} invalid cells; nothing stored",
                    report.rows, report.error_count
                );
                Ok(ExitCode::FAILURE)
            }
        }
    })
}

fn import_services(args: ImportServicesArgs) -> anyhow::Result<ExitCode> {
    use taavon_app::services::{ServiceFile, import_services};
    let config = config_with(&args.db)?;
    let name = args.file.to_string_lossy().into_owned();
    let bar = progress_bar();
    let started = std::time::Instant::now();
    runtime()?.block_on(async {
        let store = open(&config).await?;
        let result = import_services(
            &store,
            Caller::Operator("cli"),
            &args.agency,
            ServiceFile {
                path: &args.file,
                name: &name,
            },
            clock::now(),
            &mut |written| bar.set_position(written),
        )
        .await;
        store.close().await;
        bar.finish_and_clear();
        let report = match result {
            Ok(report) => report,
            Err(error) => return self::report(Err(error)),
        };
        print_row_errors(&report.errors);
        match report.import_id {
            Some(id) => {
                let seconds = started.elapsed().as_secs_f64();
                println!(
                    "import {id}: {} rows, {} created, {} unchanged in {seconds:.1} s",
                    report.rows, report.created, report.unchanged
                );
                Ok(ExitCode::SUCCESS)
            }
            None => {
                println!(
                    "{} rows, {} invalid cells; nothing stored",
                    report.rows, report.error_count
                );
                Ok(ExitCode::FAILURE)
            }
        }
    })
}

/// Prints each bad cell of a file, by row and column, in English and Persian.
fn print_row_errors(errors: &[taavon_app::import::RowError]) {
    for error in errors {
        println!(
            "row {}, column {} ({}): {} / {}",
            error.row, error.column, error.rule, error.message_en, error.message_fa
        );
    }
}
