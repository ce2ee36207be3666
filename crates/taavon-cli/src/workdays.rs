//! `taavon workdays add`: the deadline a number of working days after a Jalali date, the
//! rule support requests' deadlines follow (core `workdays`), for people and pipelines.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_core::workdays::{Weekend, WorkingCalendar};

#[derive(Subcommand)]
pub enum WorkdaysCommand {
    /// Print the date DAYS working days after FROM (FROM itself never counts).
    Add(AddArgs),
}

#[derive(Args)]
pub struct AddArgs {
    /// Official holidays: one Jalali date a line (any digits; blank lines and `#` comments
    /// ignored).
    #[arg(long)]
    pub holidays: Option<PathBuf>,
    /// Weekly holidays: `fri`, or `thu,fri` for offices closed on Thursdays.
    #[arg(long, default_value = "fri", value_parser = parse_weekend)]
    pub weekend: Weekend,
    /// A Jalali date, or `-` to read `FROM DAYS [WEEKEND]` lines from standard input and
    /// print one Jalali date a line.
    pub from: String,
    /// Working days to add (at least 1).
    pub days: Option<String>,
}

pub fn workdays(command: WorkdaysCommand) -> anyhow::Result<ExitCode> {
    match command {
        WorkdaysCommand::Add(args) => add(&args),
    }
}

fn parse_weekend(text: &str) -> Result<Weekend, String> {
    Weekend::parse(text).map_err(|error| error.to_string())
}

fn add(args: &AddArgs) -> anyhow::Result<ExitCode> {
    let holidays = match &args.holidays {
        Some(path) => read_holidays(path)?,
        None => Vec::new(),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.from == "-" {
        let mut all_valid = true;
        for line in std::io::stdin().lock().lines() {
            let line = line?;
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match deadline_of_line(line, args.weekend, &holidays) {
                Ok(date) => writeln!(out, "{date}")?,
                Err(reason) => {
                    all_valid = false;
                    writeln!(out, "invalid {reason}")?;
                }
            }
        }
        return Ok(if all_valid {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let days = args
        .days
        .as_deref()
        .context("DAYS is required unless FROM is `-`")?;
    let date = deadline(&args.from, days, args.weekend, &holidays)
        .map_err(|reason| anyhow::anyhow!(reason))?;
    writeln!(out, "{date}")?;
    Ok(ExitCode::SUCCESS)
}

/// `FROM DAYS [WEEKEND]`, the weekend defaulting to the command's.
fn deadline_of_line(
    line: &str,
    weekend: Weekend,
    holidays: &[IsoDate],
) -> Result<JalaliDate, String> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    match fields.as_slice() {
        [from, days] => deadline(from, days, weekend, holidays),
        [from, days, weekend] => deadline(from, days, parse_weekend(weekend)?, holidays),
        _ => Err(format!("`{line}`: expected FROM DAYS [WEEKEND]")),
    }
}

fn deadline(
    from: &str,
    days: &str,
    weekend: Weekend,
    holidays: &[IsoDate],
) -> Result<JalaliDate, String> {
    let from = JalaliDate::parse(from).map_err(|error| format!("`{from}`: {error}"))?;
    let days: u32 = taavon_core::digits::to_ascii_digits(days)
        .parse()
        .ok()
        .filter(|days| *days >= 1)
        .ok_or_else(|| format!("`{days}`: working days must be a whole number of at least 1"))?;
    let calendar = WorkingCalendar::new(weekend, holidays.iter().copied());
    Ok(JalaliDate::from(
        calendar.add_working_days(from.to_iso(), days),
    ))
}

fn read_holidays(path: &std::path::Path) -> anyhow::Result<Vec<IsoDate>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot be read", path.display()))?;
    text.lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim().trim_start_matches('\u{feff}')))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .map(|(number, line)| {
            JalaliDate::parse(line)
                .map(JalaliDate::to_iso)
                .with_context(|| format!("{}: line {number}: `{line}`", path.display()))
        })
        .collect()
}
