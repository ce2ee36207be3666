//! `taavon allocate`: runs the core's allocation engine over the oracle's file format,
//! writes `id,funded` per application and prints a one-line JSON summary that carries
//! each application's explanation (rank, marginal value, binding constraint) as column
//! arrays in input order, so a million applications stay a few bytes each; and
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
use taavon_core::allocation::{BindingKind, Params, Share, allocate as run, verify};

pub use synth::{SynthArgs, synth};

#[derive(Args)]
pub struct AllocateArgs {
    /// CSV with `id,province,amount,jobs,women_jobs,women_led,tier` and optionally
    /// `sector`.
    #[arg(long)]
    pub applications: PathBuf,
    /// CSV with `province,budget` (rials).
    #[arg(long)]
    pub budgets: PathBuf,
    /// CSV with `sector,cap_bp`: a sector's maximum share of the funded amount, in basis
    /// points (the applications then need a `sector` column).
    #[arg(long)]
    pub sector_caps: Option<PathBuf>,
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
        sector_caps: Default::default(),
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
    let mut params = params(args)?;
    let input = input::read_problem(
        &args.applications,
        &args.budgets,
        args.sector_caps.as_deref(),
    )?;
    params.sector_caps.clone_from(&input.sector_caps);
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

    let explaining = Instant::now();
    let explanations = result.explain(&input.problem);
    let mut bindings = serde_json::Map::new();
    for kind in BindingKind::ALL {
        let count = explanations
            .iter()
            .filter(|e| e.binding.kind() == *kind)
            .count();
        bindings.insert(kind.code().into(), json!(count));
    }
    let explain_seconds = explaining.elapsed().as_secs_f64();
    let sector_name = |code: u32| {
        input
            .sectors
            .get(code as usize)
            .cloned()
            .unwrap_or_default()
    };

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
            "sector_caps_bp": params.sector_caps.iter()
                .map(|(&code, cap)| (sector_name(code), json!(cap.basis_points())))
                .collect::<serde_json::Map<_, _>>(),
        },
        "sectors": result.sectors.iter().map(|s| json!({
            "sector": sector_name(s.sector),
            "cap_bp": s.cap.basis_points(),
            "funded_amount": rials(s.amount),
            "share": if result.totals.amount > 0 {
                s.amount as f64 / result.totals.amount as f64
            } else {
                0.0
            },
            "price_per_billion_rials": s.price * 1e9,
        })).collect::<Vec<_>>(),
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
        "bindings": bindings,
        "explanations": {
            "order": "the applications file's rows, as in --out",
            "rank": explanations.iter().map(|e| e.rank).collect::<Vec<_>>(),
            "marginal_value": explanations.iter()
                .map(|e| significant(e.marginal_value))
                .collect::<Vec<_>>(),
            "binding": explanations.iter().map(|e| e.binding.code()).collect::<Vec<_>>(),
        },
        "seconds": {
            "read": read_seconds,
            "solve": solve_seconds,
            "write": write_seconds,
            "explain": explain_seconds,
            "total": started.elapsed().as_secs_f64(),
        },
    });
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer(&mut stdout, &summary)?;
    writeln!(stdout)?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `value` to six significant digits: what a reader compares, in a third of the text.
fn significant(value: f64) -> f64 {
    format!("{value:.5e}").parse().unwrap_or(value)
}
