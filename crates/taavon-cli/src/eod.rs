//! `taavon eod`: closes business dates over every loan, day by day.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use taavon_app::clock;
use taavon_core::calendar::{JalaliDate, parse_date_any};

use crate::plumbing::{DbArgs, config_with, open, runtime};

#[derive(Args)]
pub struct EodArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The last business date to close (Jalali, e.g. 1404/09/10, or ISO). Every date from
    /// the open one through it is closed in order; a date already closed changes nothing.
    #[arg(long)]
    pub date: String,
}

pub fn eod(args: &EodArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(&args.db)?;
    let settings = taavon_app::eod::EodSettings {
        support: config.support.settings()?.rules,
        ..config.eod.settings()?
    };
    let through = parse_date_any(&args.date)
        .map_err(|error| anyhow::anyhow!("--date: {}", error.message_en()))?;
    runtime()?.block_on(async {
        let store = open(&config).await?;
        let reports = taavon_app::eod::run_through(&store, through, &settings, clock::now)
            .await
            .context("end of day")?;
        if reports.is_empty() {
            println!(
                "nothing to close: {} is already closed",
                JalaliDate::from(through)
            );
        }
        for report in &reports {
            let day = taavon_core::calendar::IsoDate::parse(&report.business_on)
                .map(|d| JalaliDate::from(d).to_string())
                .unwrap_or_else(|_| report.business_on.clone());
            println!(
                "closed {day}: {} loans ({} written) in {} batches ({} resumed), \
                 {} branches, {} support escalations",
                report.loans_closed,
                report.loans_written,
                report.batches,
                report.batches_resumed,
                report.branches,
                report.escalations
            );
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}
