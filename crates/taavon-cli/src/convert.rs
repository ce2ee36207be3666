//! `taavon date` and `taavon validate`: the core's conventions on the command line, one
//! line of output per input, for people and for shell pipelines.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_core::ids::{CardNumber, IdError, LegalId, MobileNumber, NationalCode, Sheba};

#[derive(Args)]
pub struct DateArgs {
    /// Gregorian ISO dates (converted to Jalali) or Jalali dates (converted to
    /// Gregorian); `-` reads one per line from standard input.
    #[arg(required = true)]
    pub values: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum IdKind {
    NationalCode,
    LegalId,
    Sheba,
    Card,
    Mobile,
}

#[derive(Args)]
pub struct ValidateArgs {
    pub kind: IdKind,
    /// Values to check; `-` reads one per line from standard input.
    #[arg(required = true)]
    pub values: Vec<String>,
}

/// Prints `YYYY-MM-DD` in the other calendar, or `invalid <reason> (<rule>)`; exits 1 if
/// any input was invalid, like `validate`, so a script can tell that a file had bad dates
/// without reading the output.
pub fn date(args: &DateArgs) -> anyhow::Result<ExitCode> {
    each_value(&args.values, |value| {
        // Years before 1700 are Jalali; later ones Gregorian.
        let year: Option<u32> = taavon_core::digits::to_ascii_digits(value.trim())
            .split(['-', '/', '.'])
            .next()
            .and_then(|y| y.parse().ok());
        match year {
            Some(year) if year < 1700 => JalaliDate::parse(value)
                .map(|date| date.to_iso().to_string())
                .map_err(|e| format!("{e} ({})", e.rule())),
            _ => IsoDate::parse(value)
                .map(|date| JalaliDate::from(date).to_string())
                .map_err(|e| format!("{e} ({})", e.rule())),
        }
    })
}

/// Prints `valid <normalized>` or `invalid <reason> (<rule>)`, the rule being the stable
/// machine code of `IdError::rule`; exits 1 if any input was invalid.
pub fn validate(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let kind = args.kind;
    each_value(&args.values, move |value| {
        let result: Result<String, IdError> = match kind {
            IdKind::NationalCode => NationalCode::parse(value).map(|v| v.to_string()),
            IdKind::LegalId => LegalId::parse(value).map(|v| v.to_string()),
            IdKind::Sheba => Sheba::parse(value).map(|v| v.to_string()),
            IdKind::Card => CardNumber::parse(value).map(|v| v.to_string()),
            IdKind::Mobile => MobileNumber::parse(value).map(|v| v.to_string()),
        };
        result
            .map(|normalized| format!("valid {normalized}"))
            .map_err(|e| format!("{} ({})", e, e.rule()))
    })
}

/// Applies `convert` to each value (or each stdin line for `-`), printing one line each.
fn each_value(
    values: &[String],
    convert: impl Fn(&str) -> Result<String, String>,
) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut all_valid = true;
    let mut handle = |value: &str| -> anyhow::Result<()> {
        match convert(value) {
            Ok(line) => writeln!(out, "{line}")?,
            Err(reason) => {
                all_valid = false;
                writeln!(out, "invalid {reason}")?;
            }
        }
        Ok(())
    };
    for value in values {
        if value == "-" {
            for line in std::io::stdin().lock().lines() {
                handle(line?.trim_end_matches('\r'))?;
            }
        } else {
            handle(value)?;
        }
    }
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
