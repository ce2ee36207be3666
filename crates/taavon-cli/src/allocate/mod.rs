//! `taavon allocate`: runs the core's allocation engine over the oracle's file format,
//! writes `id,funded` per application and prints a JSON summary; and
//! `taavon allocate-synth`, its deterministic benchmark input.

mod input;
mod synth;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, anyhow};
use clap::Args;
use serde_json::json;
use taavon_core::allocation::{Params, Share, allocate as run, verify};

pub use synth::{SynthArgs, synth};

#[derive(Args)]
pub struct AllocateArgs {
    /// CSV with `id,province,amount,jobs,women_jobs,women_led,tier`.
    #[arg(long)]
    pub applications: PathBuf,
    /// CSV with `province,budget` (rials).
    #[arg(long)]
    pub budgets: PathBuf,
    /// Minimum share of the funded amount for women-led applications (≤ 4 decimals).
    #[arg(long, default_value = "0.3")]
    pub women_share: String,
    /// Minimum share of the funded amount for tier 1–2 counties (≤ 4 decimals).
    #[arg(long, default_value = "0.45")]
    pub deprived_share: String,
    /// Value of a job by tier, tier 1 first.
    #[arg(long, default_value = "2,1.5,1.2,1")]
    pub tier_weights: String,
    /// Extra value of a woman's job.
    #[arg(long, default_value_t = 0.5)]
    pub women_bonus: f64,
    /// Where to write `id,funded` (1 or 0) per application.
    #[arg(long)]
    pub out: PathBuf,
}

fn params(args: &AllocateArgs) -> anyhow::Result<Params> {
    let weights: Vec<f64> = args
        .tier_weights
        .split(',')
        .map(|w| w.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            anyhow!(
                "--tier-weights: `{}` is not four numbers",
                args.tier_weights
            )
        })?;
    let tier_weights: [f64; 4] = weights
        .try_into()
        .map_err(|_| anyhow!("--tier-weights: give exactly four weights, tier 1 first"))?;
    let params = Params {
        women_share: Share::parse(&args.women_share, "women_share")
            .with_context(|| "--women-share".to_owned())?,
        deprived_share: Share::parse(&args.deprived_share, "deprived_share")
            .with_context(|| "--deprived-share".to_owned())?,
        tier_weights,
        women_bonus: args.women_bonus,
    };
    params.validate()?;
    Ok(params)
}

/// Rials sum as a JSON number while it fits i64, else as a decimal string.
fn rials(amount: i128) -> serde_json::Value {
    i64::try_from(amount).map_or_else(|_| json!(amount.to_string()), |a| json!(a))
}

pub fn allocate(args: &AllocateArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let params = params(args)?;
    let input = input::read_problem(&args.applications, &args.budgets)?;
    let read_seconds = started.elapsed().as_secs_f64();

    let solving = Instant::now();
    let result = run(&input.problem, &params)?;
    let solve_seconds = solving.elapsed().as_secs_f64();
    // The engine guarantees feasibility; checking again costs one pass and means the
    // file we write is known good.
    verify(&input.problem, &params, &result.funded)
        .map_err(|v| anyhow!("internal error: the allocation breaks a constraint: {v}"))?;

    let writing = Instant::now();
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let mut out = std::io::BufWriter::new(file);
    out.write_all(b"id,funded\n")?;
    for (id, &funded) in input.ids.iter().zip(&result.funded) {
        writeln!(out, "{id},{}", u8::from(funded))?;
    }
    out.flush()?;
    let write_seconds = writing.elapsed().as_secs_f64();

    let requested: i128 = input
        .problem
        .applications()
        .iter()
        .map(|a| i128::from(a.amount))
        .sum();
    let [women, deprived] = result.shares_achieved();
    let summary = json!({
        "objective": result.objective,
        "upper_bound": result.upper_bound,
        "gap": result.gap(),
        "applications": input.ids.len(),
        "funded": result.totals.count,
        "requested_amount": rials(requested),
        "funded_amount": rials(result.totals.amount),
        "women_led_amount": rials(result.totals.women_amount),
        "deprived_amount": rials(result.totals.deprived_amount),
        "women_share": women,
        "deprived_share": deprived,
        "params": {
            "women_share": params.women_share.to_string(),
            "deprived_share": params.deprived_share.to_string(),
            "tier_weights": params.tier_weights,
            "women_bonus": params.women_bonus,
        },
        "quota_prices_per_billion_rials": {
            "women_share": result.quota_prices[0] * 1e9,
            "deprived_share": result.quota_prices[1] * 1e9,
        },
        "provinces": result.provinces.iter().map(|p| json!({
            "province": p.province,
            "budget": p.budget,
            "used": p.used,
            "cutoff_per_billion_rials": p.cutoff * 1e9,
        })).collect::<Vec<_>>(),
        "seconds": {
            "read": read_seconds,
            "solve": solve_seconds,
            "write": write_seconds,
            "total": started.elapsed().as_secs_f64(),
        },
    });
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(ExitCode::SUCCESS)
}
