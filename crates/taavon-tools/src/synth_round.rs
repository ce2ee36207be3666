//! A deterministic synthetic allocation round in the oracle's file format, shaped like
//! the oracle instance (`shared/oracle/allocation`): its province sizes, jobs per
//! application (geometric, mean ≈ 5), cost per job (log-normal around 2 billion rials,
//! 0.6–8 billion), tiers, women-led share and women's jobs, and budgets covering 26–56 %
//! of each province's demand; and, like `shared/oracle/allocation-sectors`, a `sector`
//! column in its proportions and `sector_caps.csv` with its caps. Sectors are drawn from a
//! stream of their own, so every other column is the same as without them.

use std::io::Write;
use std::path::Path;

use crate::synth::SplitMix;

/// A file of the round that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct RoundFileError {
    pub path: String,
    pub source: std::io::Error,
}

/// Applications per province in the oracle instance, provinces 1 to 31.
const PROVINCE_WEIGHTS: [u64; 31] = [
    74, 42, 141, 35, 127, 81, 30, 126, 25, 111, 32, 27, 104, 164, 49, 59, 148, 237, 156, 78, 195,
    29, 184, 73, 41, 45, 77, 170, 56, 140, 144,
];

/// Sectors and their applications per 3 000 in the oracle's sectors instance.
const SECTORS: [(&str, u64); 8] = [
    ("agriculture", 912),
    ("textiles", 480),
    ("services", 433),
    ("handicrafts", 364),
    ("tourism", 251),
    ("startups", 208),
    ("pharma", 182),
    ("fisheries", 170),
];

/// The oracle's caps, in basis points of the funded amount.
const SECTOR_CAPS: &str = "sector,cap_bp\nagriculture,2500\ntextiles,1500\nservices,1000\n";

/// Added to the seed for the sectors' stream.
const SECTOR_STREAM: u64 = 0x5EC7_0125;

fn pick_sector(rng: &mut SplitMix) -> &'static str {
    let total: u64 = SECTORS.iter().map(|(_, w)| w).sum();
    let mut ticket = rng.below(total);
    for (name, w) in SECTORS {
        if ticket < w {
            return name;
        }
        ticket -= w;
    }
    "fisheries"
}

fn unit(rng: &mut SplitMix) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

fn pick_province(rng: &mut SplitMix) -> u32 {
    let total: u64 = PROVINCE_WEIGHTS.iter().sum();
    let mut ticket = rng.below(total);
    for (p, &w) in (1u32..).zip(&PROVINCE_WEIGHTS) {
        if ticket < w {
            return p;
        }
        ticket -= w;
    }
    31
}

/// Writes `applications.csv` (`n` applications), `budgets.csv` and `sector_caps.csv` of
/// the round drawn from `seed` into `out`.
pub fn write_round(n: usize, seed: u64, out: &Path) -> Result<(), RoundFileError> {
    let failed = |path: &Path| {
        let path = path.display().to_string();
        move |source| RoundFileError { path, source }
    };
    std::fs::create_dir_all(out).map_err(failed(out))?;
    let mut rng = SplitMix::new(seed);
    let path = out.join("applications.csv");
    let demand = write_applications(n, seed, &mut rng, &path).map_err(failed(&path))?;
    let path = out.join("budgets.csv");
    let mut budgets = String::from("province,budget\n");
    for (p, d) in (1..).zip(demand) {
        let cover = 0.26 + 0.30 * unit(&mut rng);
        let budget = (d as f64 * cover / 1e6).floor() as i64 * 1_000_000;
        budgets.push_str(&format!("{p},{budget}\n"));
    }
    std::fs::write(&path, budgets).map_err(failed(&path))?;
    let path = out.join("sector_caps.csv");
    std::fs::write(&path, SECTOR_CAPS).map_err(failed(&path))
}

/// Writes the applications and returns each province's demand.
fn write_applications(
    n: usize,
    seed: u64,
    rng: &mut SplitMix,
    path: &Path,
) -> std::io::Result<[i64; 31]> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        "id,province,amount,jobs,women_jobs,women_led,tier,sector"
    )?;
    let mut sector_rng = SplitMix::new(seed.wrapping_add(SECTOR_STREAM));
    let mut demand = [0i64; 31];
    for i in 0..n {
        let province = pick_province(rng);
        let mut jobs: u32 = 1;
        while jobs < 60 && rng.below(100) < 78 {
            jobs += 1;
        }
        // Box–Muller: a normal draw for the log of the cost per job, in millions.
        let z = (-2.0 * (1.0 - unit(rng)).ln()).sqrt() * (std::f64::consts::TAU * unit(rng)).cos();
        let per_job = (7.63 + 0.61 * z).exp().clamp(600.0, 7_999.0);
        let amount = (per_job * f64::from(jobs)).round() as i64 * 1_000_000;
        let tier = match rng.below(1000) {
            0..274 => 1,
            274..583 => 2,
            583..866 => 3,
            _ => 4,
        };
        let women_led = rng.below(1000) < 215;
        let partial = |rng: &mut SplitMix| {
            if jobs >= 2 {
                1 + rng.below(u64::from(jobs) - 1) as u32
            } else {
                0
            }
        };
        let roll = rng.below(100);
        let women_jobs = match (women_led, roll) {
            (true, 0..59) => jobs,
            (true, 59..80) | (false, 0..78) => 0,
            _ => partial(rng),
        };
        if let Some(d) = demand.get_mut(province as usize - 1) {
            *d += amount;
        }
        writeln!(
            out,
            "S{:03}-{i:07},{province},{amount},{jobs},{women_jobs},{},{tier},{}",
            seed % 1000,
            u8::from(women_led),
            pick_sector(&mut sector_rng)
        )?;
    }
    out.flush()?;
    Ok(demand)
}
