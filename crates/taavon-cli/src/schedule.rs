//! `taavon schedule`: a repayment schedule from its terms, as a table for people, JSON
//! (the oracle's row shape plus totals) or CSV. Terms that break a rule are reported by
//! flag on standard error with exit status 2, like clap's own usage errors.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;
use taavon_core::calendar::JalaliDate;
use taavon_core::loans::schedule::{
    DayBase, GraceMode, Installment, Method, RateBp, Schedule, ScheduleTerms, ScheduleTotals, build,
};
use taavon_core::locale::Locale;
use taavon_core::money::{Rial, format_number};

#[derive(Args)]
pub struct ScheduleArgs {
    /// The amount disbursed, in rials (separators and Persian digits accepted).
    #[arg(long, value_parser = parse_principal)]
    pub principal: i64,
    /// The yearly profit rate in percent, e.g. 18 or 26.5 (at most two decimals).
    #[arg(long, value_parser = parse_rate)]
    pub rate: RateBp,
    /// The number of amortising monthly installments (1–360).
    #[arg(long)]
    pub months: u16,
    /// Months of grace before the first amortising installment (0–60).
    #[arg(long, default_value_t = 0)]
    pub grace_months: u16,
    /// What happens to the grace profit: paid monthly, capitalized or spread.
    #[arg(long, value_enum, default_value_t = GraceModeArg::Paid)]
    pub grace_mode: GraceModeArg,
    /// How the base is repaid: equal installments or equal principal parts.
    #[arg(long, value_enum, default_value_t = MethodArg::Annuity)]
    pub method: MethodArg,
    /// Days in the year of the daily grace profit.
    #[arg(long, value_enum, default_value_t = DayBaseArg::Days365)]
    pub day_base: DayBaseArg,
    /// The Jalali disbursement date, e.g. 1404-06-09.
    #[arg(long, value_parser = parse_start)]
    pub start: JalaliDate,
    /// `json` and `csv` print the rows of the oracle's `schedules.json` (JSON adds totals).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum GraceModeArg {
    Paid,
    Capitalized,
    Spread,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum MethodArg {
    Annuity,
    EqualPrincipal,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DayBaseArg {
    #[value(name = "365")]
    Days365,
    #[value(name = "360")]
    Days360,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// One row as JSON and CSV show it: the oracle's `schedules.json` row.
#[derive(Serialize)]
struct RowOut {
    n: u16,
    due: String,
    principal: i64,
    profit: i64,
    grace_profit: i64,
    total: i64,
    balance: i64,
}

#[derive(Serialize)]
struct TotalsOut {
    principal: i64,
    profit: i64,
    grace_profit: i64,
    total: i64,
}

#[derive(Serialize)]
struct ScheduleOut {
    rows: Vec<RowOut>,
    totals: TotalsOut,
}

impl From<&Installment> for RowOut {
    fn from(row: &Installment) -> Self {
        RowOut {
            n: row.n,
            due: row.due.to_string(),
            principal: row.principal,
            profit: row.profit,
            grace_profit: row.grace_profit,
            total: row.total,
            balance: row.balance,
        }
    }
}

impl From<ScheduleTotals> for TotalsOut {
    fn from(totals: ScheduleTotals) -> Self {
        TotalsOut {
            principal: totals.principal,
            profit: totals.profit,
            grace_profit: totals.grace_profit,
            total: totals.total,
        }
    }
}

pub fn schedule(args: &ScheduleArgs) -> anyhow::Result<ExitCode> {
    let terms = ScheduleTerms {
        principal: args.principal,
        rate: args.rate,
        months: args.months,
        grace_months: args.grace_months,
        grace_mode: match args.grace_mode {
            GraceModeArg::Paid => GraceMode::Paid,
            GraceModeArg::Capitalized => GraceMode::Capitalized,
            GraceModeArg::Spread => GraceMode::Spread,
        },
        method: match args.method {
            MethodArg::Annuity => Method::Annuity,
            MethodArg::EqualPrincipal => Method::EqualPrincipal,
        },
        start: args.start,
        day_base: match args.day_base {
            DayBaseArg::Days365 => DayBase::Days365,
            DayBaseArg::Days360 => DayBase::Days360,
        },
    };
    let schedule = match build(&terms) {
        Ok(schedule) => schedule,
        Err(error) => {
            eprintln!(
                "taavon schedule: --{}: {error} ({})",
                error.field().replace('_', "-"),
                error.rule()
            );
            return Ok(ExitCode::from(2));
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            let json = ScheduleOut {
                rows: schedule.rows.iter().map(RowOut::from).collect(),
                totals: schedule.totals().into(),
            };
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
        Format::Csv => write_csv(&mut out, &schedule)?,
        Format::Table => write_table(&mut out, &schedule)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_csv(out: &mut impl Write, schedule: &Schedule) -> std::io::Result<()> {
    writeln!(out, "n,due,principal,profit,grace_profit,total,balance")?;
    for row in &schedule.rows {
        writeln!(
            out,
            "{},{},{},{},{},{},{}",
            row.n, row.due, row.principal, row.profit, row.grace_profit, row.total, row.balance
        )?;
    }
    Ok(())
}

/// Right-aligned columns with thousands separators, the totals under a rule.
fn write_table(out: &mut impl Write, schedule: &Schedule) -> std::io::Result<()> {
    let money = |value: i64| format_number(value, Locale::En);
    let header = [
        "n",
        "due",
        "principal",
        "profit",
        "grace profit",
        "total",
        "balance",
    ];
    let mut lines: Vec<[String; 7]> = vec![header.map(str::to_owned)];
    for row in &schedule.rows {
        lines.push([
            row.n.to_string(),
            row.due.to_string(),
            money(row.principal),
            money(row.profit),
            money(row.grace_profit),
            money(row.total),
            money(row.balance),
        ]);
    }
    let totals = schedule.totals();
    let total_line = [
        String::new(),
        "total".to_owned(),
        money(totals.principal),
        money(totals.profit),
        money(totals.grace_profit),
        money(totals.total),
        String::new(),
    ];
    let mut widths = [0usize; 7];
    for line in lines.iter().chain([&total_line]) {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let render = |line: &[String; 7]| {
        let cells: Vec<String> = line
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:>width$}"))
            .collect();
        cells.join("  ").trim_end().to_owned()
    };
    for line in &lines {
        writeln!(out, "{}", render(line))?;
    }
    let rule_width = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
    writeln!(out, "{}", "-".repeat(rule_width))?;
    writeln!(out, "{}", render(&total_line))
}

fn parse_principal(text: &str) -> Result<i64, String> {
    Rial::parse(text)
        .map(Rial::get)
        .map_err(|e| format!("{e} ({})", e.rule()))
}

fn parse_rate(text: &str) -> Result<RateBp, String> {
    RateBp::parse(text).map_err(|e| format!("{e} ({})", e.rule()))
}

fn parse_start(text: &str) -> Result<JalaliDate, String> {
    JalaliDate::parse(text).map_err(|e| format!("{e} ({})", e.rule()))
}
