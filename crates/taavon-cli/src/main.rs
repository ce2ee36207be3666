//! The `taavon` command: one binary for serving, administration and conversions.

mod allocate;
mod audit;
mod awards;
mod backup;
mod bench;
mod bench_events;
mod config;
mod convert;
mod eod;
mod export;
mod impact;
mod import;
mod indicators;
mod integrity;
mod ledger;
mod migrate_to;
mod plumbing;
mod schedule;
mod serve;
mod table_file;
mod user;
mod workdays;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// taavon (تعاون): the registry, programs, loans and ledger of the cooperative sector.
#[derive(Parser)]
#[command(name = "taavon", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the UI.
    Serve(serve::ServeArgs),
    /// Create the database (if needed) and bring its schema and reference data up to date.
    Migrate(plumbing::DbArgs),
    /// Write a consistent backup of the database (safe while the server writes).
    Backup(backup::BackupArgs),
    /// Restore a backup into a database, then check its ledger and audit trail.
    Restore(backup::RestoreArgs),
    /// Move the database into an empty PostgreSQL database and prove the move.
    MigrateTo(migrate_to::MigrateToArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Check the audit trail, take a checkpoint of it, or make its key.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Check the ledger or print its trial balance.
    #[command(subcommand)]
    Ledger(ledger::LedgerCommand),
    /// Import data files.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Fill a database with a deterministic synthetic national dataset.
    Synth(bench::SynthArgs),
    /// Measure performance (prints figures; never part of the tests).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Export data files.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Convert dates between Gregorian (ISO) and Jalali.
    Date(convert::DateArgs),
    /// Validate national codes, legal IDs, Sheba, card and mobile numbers.
    Validate(convert::ValidateArgs),
    /// Choose which applications of a round to fund (writes `id,funded`, prints JSON).
    Allocate(allocate::AllocateArgs),
    /// Write a deterministic synthetic allocation round (benchmark input).
    AllocateSynth(allocate::SynthArgs),
    /// Close business dates: overdue days, late charges, classes and provisions, PAR.
    Eod(eod::EodArgs),
    /// Print a repayment schedule (table, JSON or CSV); exits 2 on terms that break a rule.
    Schedule(schedule::ScheduleArgs),
    /// Deadlines in working days on the Jalali calendar.
    #[command(subcommand)]
    Workdays(workdays::WorkdaysCommand),
    /// Verified jobs: reported hires against the insured-worker lists.
    #[command(subcommand)]
    Impact(impact::ImpactCommand),
    /// Balanced-development indicators of an allocation by county.
    Indicators(indicators::IndicatorsArgs),
    /// The festival of top cooperators: score a round over files.
    #[command(subcommand)]
    Awards(awards::AwardsCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::serve(args),
        Command::Migrate(args) => serve::migrate(args),
        Command::Backup(args) => backup::backup(&args),
        Command::Restore(args) => backup::restore(&args),
        Command::MigrateTo(args) => migrate_to::migrate_to(&args),
        Command::User(command) => user::user(command),
        Command::Audit(command) => audit::audit(command),
        Command::Ledger(command) => ledger::ledger(command),
        Command::Import(command) => import::import(command),
        Command::Export(command) => export::export(command),
        Command::Synth(args) => bench::synth(args),
        Command::Bench(command) => bench::bench(command),
        Command::Date(args) => convert::date(&args),
        Command::Validate(args) => convert::validate(&args),
        Command::Allocate(args) => allocate::allocate(&args),
        Command::AllocateSynth(args) => allocate::synth(&args),
        Command::Eod(args) => eod::eod(&args),
        Command::Schedule(args) => schedule::schedule(&args),
        Command::Workdays(command) => workdays::workdays(command),
        Command::Impact(command) => impact::impact(command),
        Command::Indicators(args) => indicators::indicators(&args),
        Command::Awards(command) => awards::awards(command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("taavon: {error:#}");
            ExitCode::FAILURE
        }
    }
}
