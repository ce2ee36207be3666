//! `taavon awards score`: a festival round scored by the core's rule alone, over files in
//! the oracle's format (entries, judges' scores, conflicts, quotas).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;
use taavon_core::awards::{Entry, Mark, RoundResult, RoundRules};

use crate::table_file::{OutputFormat, TableFile};

#[derive(Subcommand)]
pub enum AwardsCommand {
    /// Score and rank a round: conflicted scores out, per-judge z-scores, quotas.
    Score(ScoreArgs),
}

#[derive(Args)]
pub struct ScoreArgs {
    /// `entry,province,category,prescore`.
    #[arg(long)]
    pub entries: PathBuf,
    /// `judge,entry,score` (0–100).
    #[arg(long)]
    pub scores: PathBuf,
    /// `judge,entry`: the judge is a member or board member of that entry's cooperative.
    #[arg(long)]
    pub conflicts: PathBuf,
    /// `province,category,winners`.
    #[arg(long)]
    pub quotas: PathBuf,
    /// Scores an entry needs (after exclusions) to be ranked.
    #[arg(long, default_value_t = RoundRules::default().judges_required)]
    pub judges_required: usize,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

pub fn awards(command: AwardsCommand) -> anyhow::Result<ExitCode> {
    match command {
        AwardsCommand::Score(args) => score(&args),
    }
}

fn score(args: &ScoreArgs) -> anyhow::Result<ExitCode> {
    let entry_file = TableFile::read(
        &args.entries,
        &["entry", "province", "category", "prescore"],
    )?;
    let entry_rows: Vec<_> = entry_file.rows().collect();
    let entries = entry_rows
        .iter()
        .map(|row| {
            Ok(Entry {
                entry: row.number("entry")?,
                province: row.text("province"),
                category: row.text("category"),
                prescore: row.number("prescore")?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let score_file = TableFile::read(&args.scores, &["judge", "entry", "score"])?;
    let marks = score_file
        .rows()
        .map(|row| {
            Ok(Mark {
                judge: row.text("judge").to_owned(),
                entry: row.number("entry")?,
                score: row.parse("score", |text| {
                    taavon_core::digits::to_ascii_digits(text)
                        .parse::<f64>()
                        .ok()
                        .filter(|score| (0.0..=100.0).contains(score))
                        .ok_or("expected a score from 0 to 100")
                })?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let conflict_file = TableFile::read(&args.conflicts, &["judge", "entry"])?;
    let conflicts = conflict_file
        .rows()
        .map(|row| Ok((row.text("judge").to_owned(), row.number("entry")?)))
        .collect::<anyhow::Result<BTreeSet<_>>>()?;
    let quota_file = TableFile::read(&args.quotas, &["province", "category", "winners"])?;
    let quota_rows: Vec<_> = quota_file.rows().collect();
    let quotas = quota_rows
        .iter()
        .map(|row| {
            Ok((
                (row.text("province"), row.text("category")),
                row.number("winners")?,
            ))
        })
        .collect::<anyhow::Result<BTreeMap<_, _>>>()?;
    let rules = RoundRules {
        judges_required: args.judges_required,
    };
    let round = rules.score(&entries, &marks, &conflicts, &quotas);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Json => writeln!(out, "{}", as_json(&round))?,
        OutputFormat::Table => write_table(&mut out, &round)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The shape `taavon awards score --format json` promises (the oracle's expected.json).
fn as_json(round: &RoundResult) -> serde_json::Value {
    json!({
        "entries": round.entries.iter().map(|entry| json!({
            "entry": entry.entry,
            "judges": entry.judges,
            "score": entry.score,
            "rank": entry.rank,
            "winner": entry.winner,
            "status": entry.status.code(),
        })).collect::<Vec<_>>(),
        "excluded_scores": round.excluded_marks,
        "winners": round.winners,
        "incomplete": round.incomplete,
    })
}

fn write_table(out: &mut impl Write, round: &RoundResult) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>8} {:>6} {:>12} {:>5} {:>6} {:<10}",
        "entry", "judges", "score", "rank", "winner", "status"
    )?;
    for entry in &round.entries {
        let score = entry
            .score
            .map_or_else(|| "-".to_owned(), |score| format!("{score:.6}"));
        let rank = entry
            .rank
            .map_or_else(|| "-".to_owned(), |rank| rank.to_string());
        writeln!(
            out,
            "{:>8} {:>6} {score:>12} {rank:>5} {:>6} {:<10}",
            entry.entry,
            entry.judges,
            if entry.winner { "yes" } else { "" },
            entry.status.code()
        )?;
    }
    writeln!(
        out,
        "\nexcluded scores {}, winners {}, incomplete {}",
        round.excluded_marks, round.winners, round.incomplete
    )
}
