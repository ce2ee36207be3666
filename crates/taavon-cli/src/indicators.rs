//! `taavon indicators`: the balanced-development indicators of an allocation by county
//! (Gini, Theil T between and within provinces, the concentration index by deprivation),
//! over a file in the oracle's format.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::anyhow;
use clap::Args;
use serde_json::json;
use taavon_core::indicators::{Indicators, Unit, balanced_development};

use crate::table_file::{OutputFormat, TableFile};

#[derive(Args)]
pub struct IndicatorsArgs {
    /// `county,province,population,allocated_rial,deprivation_rank` (rank 1 is the most
    /// deprived; ranks may tie).
    #[arg(long)]
    pub units: PathBuf,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

pub fn indicators(args: &IndicatorsArgs) -> anyhow::Result<ExitCode> {
    let file = TableFile::read(
        &args.units,
        &[
            "province",
            "population",
            "allocated_rial",
            "deprivation_rank",
        ],
    )?;
    let rows: Vec<_> = file.rows().collect();
    let units = rows
        .iter()
        .map(|row| {
            Ok(Unit {
                group: row.text("province"),
                population: row.number("population")?,
                allocated_rial: row.number("allocated_rial")?,
                deprivation_rank: row.number("deprivation_rank")?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let figures = balanced_development(&units)
        .map_err(|error| anyhow!("{}: {error} ({})", args.units.display(), error.rule()))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Json => writeln!(out, "{}", as_json(&figures))?,
        OutputFormat::Table => write_table(&mut out, &figures)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn as_json(figures: &Indicators) -> serde_json::Value {
    json!({
        "units": figures.units,
        "population": figures.population,
        // Exact as a number while it fits JSON's safe integers' usual reader (i64).
        "allocated_rial": i64::try_from(figures.allocated_rial)
            .map_or_else(|_| json!(figures.allocated_rial.to_string()), |v| json!(v)),
        "mean_per_capita_rial": figures.mean_per_capita_rial,
        "gini": figures.gini,
        "theil": figures.theil,
        "theil_between": figures.theil_between,
        "theil_within": figures.theil_within,
        "concentration_index": figures.concentration_index,
    })
}

fn write_table(out: &mut impl Write, figures: &Indicators) -> std::io::Result<()> {
    let rows: [(&str, String); 9] = [
        ("units", figures.units.to_string()),
        ("population", figures.population.to_string()),
        ("allocated_rial", figures.allocated_rial.to_string()),
        (
            "mean_per_capita_rial",
            format!("{:.2}", figures.mean_per_capita_rial),
        ),
        ("gini", format!("{:.6}", figures.gini)),
        ("theil", format!("{:.6}", figures.theil)),
        ("theil_between", format!("{:.6}", figures.theil_between)),
        ("theil_within", format!("{:.6}", figures.theil_within)),
        (
            "concentration_index",
            format!("{:.6}", figures.concentration_index),
        ),
    ];
    for (name, value) in rows {
        writeln!(out, "{name:<22} {value:>20}")?;
    }
    writeln!(
        out,
        "(a negative concentration index means the money went to the most deprived first; \
         such an allocation also raises the Gini)"
    )
}
