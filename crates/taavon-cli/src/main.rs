//! The `taavon` command: one binary for serving, administration and conversions.

mod convert;

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
    /// Convert dates between Gregorian (ISO) and Jalali.
    Date(convert::DateArgs),
    /// Validate national codes, legal IDs, Sheba numbers, card and mobile numbers.
    Validate(convert::ValidateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Date(args) => convert::date(&args),
        Command::Validate(args) => convert::validate(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("taavon: {error:#}");
            ExitCode::FAILURE
        }
    }
}
