//! `taavon allocate-synth`: a deterministic synthetic round in the oracle's file format,
//! drawn by the tooling crate (`taavon_tools::synth_round`).

use std::path::PathBuf;

use clap::Args;

#[derive(Args)]
pub struct SynthArgs {
    /// Number of applications.
    #[arg(long)]
    pub n: usize,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Directory to write `applications.csv`, `budgets.csv` and `sector_caps.csv` into.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn synth(args: &SynthArgs) -> anyhow::Result<std::process::ExitCode> {
    taavon_tools::synth_round::write_round(args.n, args.seed, &args.out)?;
    eprintln!("wrote {} applications to {}", args.n, args.out.display());
    Ok(std::process::ExitCode::SUCCESS)
}
