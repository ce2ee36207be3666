//! `taavon export cooperatives`: the registry as CSV or XLSX, Persian headers and Jalali
//! dates.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use taavon_app::users::Caller;

use crate::plumbing::{DbArgs, config_with, open, runtime};

#[derive(Subcommand)]
pub enum ExportCommand {
    /// Export every cooperative (CSV or XLSX by the file name), Persian headers, Jalali dates.
    Cooperatives(ExportArgs),
}

#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long)]
    pub out: std::path::PathBuf,
}

pub fn export(command: ExportCommand) -> anyhow::Result<ExitCode> {
    let ExportCommand::Cooperatives(args) = command;
    let config = config_with(&args.db)?;
    let name = args.out.to_string_lossy().into_owned();
    runtime()?.block_on(async {
        let store = open(&config).await?;
        let bytes = taavon_app::export::export_cooperatives(
            &store,
            Caller::Operator("cli"),
            &Default::default(),
            taavon_app::table::Format::of(&name),
        )
        .await?;
        store.close().await;
        std::fs::write(&args.out, bytes).with_context(|| format!("writing {name}"))?;
        println!("wrote {name}");
        Ok(ExitCode::SUCCESS)
    })
}
