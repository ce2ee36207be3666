//! `taavon impact verify`: the verified-jobs rule alone over files in the oracle's format
//! (`loans.csv`, `hires.csv`, `insured.csv`), as `taavon allocate` is for allocation.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::anyhow;
use clap::{Args, Subcommand};
use serde_json::json;
use taavon_core::calendar::{JalaliDate, JalaliMonth};
use taavon_core::ids::{NationalCode, WorkshopCode};
use taavon_core::impact::{
    InsuredRow, ReportedHire, Verification, VerificationRules, VerifiedLoan,
};
use taavon_core::registry::Gender;

use crate::table_file::{OutputFormat, TableFile};

#[derive(Subcommand)]
pub enum ImpactCommand {
    /// Verify reported hires against insured-worker lists (prints per loan and per hire).
    Verify(VerifyArgs),
}

#[derive(Args)]
pub struct VerifyArgs {
    /// `loan_id,workshop,disbursed_on,amount[,planned_jobs]` (Jalali date of the first
    /// disbursement).
    #[arg(long)]
    pub loans: PathBuf,
    /// `loan_id,national_code`: the hires borrowers reported.
    #[arg(long)]
    pub hires: PathBuf,
    /// `workshop,national_code,gender,month,days`: the monthly insured-worker lists.
    #[arg(long)]
    pub insured: PathBuf,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Months before disbursement in which insurance marks an existing worker.
    #[arg(long, default_value_t = VerificationRules::default().lookback_months)]
    pub lookback_months: u8,
    /// Months after disbursement searched for insured months.
    #[arg(long, default_value_t = VerificationRules::default().window_months)]
    pub window_months: u8,
    /// Insured months needed in the window.
    #[arg(long, default_value_t = VerificationRules::default().months_required)]
    pub months_required: u8,
    /// Days insured for a month to count.
    #[arg(long, default_value_t = VerificationRules::default().days_required)]
    pub days_required: u8,
}

pub fn impact(command: ImpactCommand) -> anyhow::Result<ExitCode> {
    match command {
        ImpactCommand::Verify(args) => verify(&args),
    }
}

fn verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let rules = VerificationRules {
        lookback_months: args.lookback_months,
        window_months: args.window_months,
        months_required: args.months_required,
        days_required: args.days_required,
    };
    let loans = read_loans(&args.loans)?;
    let hires = read_hires(&args.hires)?;
    let insured = read_insured(&args.insured)?;
    let verification = rules
        .verify(&loans, &hires, &insured)
        .map_err(|error| anyhow!("{error}"))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Json => writeln!(out, "{}", as_json(&verification))?,
        OutputFormat::Table => write_table(&mut out, &verification)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn read_loans(path: &std::path::Path) -> anyhow::Result<Vec<VerifiedLoan>> {
    let file = TableFile::read(path, &["loan_id", "workshop", "disbursed_on", "amount"])?;
    file.rows()
        .map(|row| {
            Ok(VerifiedLoan {
                loan_id: row.number("loan_id")?,
                workshop: row.parse("workshop", WorkshopCode::parse)?,
                disbursed_on: row.parse("disbursed_on", JalaliDate::parse)?,
                amount_rial: row.number("amount")?,
            })
        })
        .collect()
}

fn read_hires(path: &std::path::Path) -> anyhow::Result<Vec<ReportedHire>> {
    let file = TableFile::read(path, &["loan_id", "national_code"])?;
    file.rows()
        .map(|row| {
            Ok(ReportedHire {
                loan_id: row.number("loan_id")?,
                national_code: row.parse("national_code", NationalCode::parse)?,
            })
        })
        .collect()
}

fn read_insured(path: &std::path::Path) -> anyhow::Result<Vec<InsuredRow>> {
    let file = TableFile::read(
        path,
        &["workshop", "national_code", "gender", "month", "days"],
    )?;
    file.rows()
        .map(|row| {
            Ok(InsuredRow {
                workshop: row.parse("workshop", WorkshopCode::parse)?,
                national_code: row.parse("national_code", NationalCode::parse)?,
                gender: row.parse("gender", |text| {
                    Gender::parse_loose(text).ok_or("expected M or F")
                })?,
                month: row.parse("month", JalaliMonth::parse)?,
                days: row.parse("days", |text| {
                    taavon_core::digits::to_ascii_digits(text)
                        .parse::<u8>()
                        .ok()
                        .filter(|days| *days <= 31)
                        .ok_or("expected days insured, 0 to 31")
                })?,
            })
        })
        .collect()
}

/// The shape `taavon impact verify --format json` promises (the oracle's expected.json).
fn as_json(verification: &Verification) -> serde_json::Value {
    json!({
        "loans": verification.loans.iter().map(|loan| json!({
            "loan_id": loan.loan_id,
            "reported": loan.reported,
            "verified": loan.verified,
            "verified_women": loan.verified_women,
            "cost_per_verified_job": loan.cost_per_verified_job_rial,
        })).collect::<Vec<_>>(),
        "hires": verification.hires.iter().map(|hire| json!({
            "loan_id": hire.loan_id,
            "national_code": hire.national_code.as_str(),
            "status": hire.status.code(),
        })).collect::<Vec<_>>(),
        "totals": {
            "reported": verification.reported,
            "verified": verification.verified,
            "verified_women": verification.verified_women,
            "by_status": verification.by_status.iter()
                .map(|(status, count)| (status.code().to_owned(), json!(count)))
                .collect::<serde_json::Map<_, _>>(),
        },
    })
}

fn write_table(out: &mut impl Write, verification: &Verification) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>10} {:>9} {:>9} {:>15} {:>22}",
        "loan", "reported", "verified", "verified women", "rials per verified job"
    )?;
    for loan in &verification.loans {
        let cost = loan
            .cost_per_verified_job_rial
            .map_or_else(|| "-".to_owned(), |cost| cost.to_string());
        writeln!(
            out,
            "{:>10} {:>9} {:>9} {:>15} {:>22}",
            loan.loan_id, loan.reported, loan.verified, loan.verified_women, cost
        )?;
    }
    writeln!(
        out,
        "{:>10} {:>9} {:>9} {:>15}",
        "total", verification.reported, verification.verified, verification.verified_women
    )?;
    writeln!(out)?;
    for (status, count) in &verification.by_status {
        writeln!(out, "{:<18} {count:>9}", status.code())?;
    }
    Ok(())
}
