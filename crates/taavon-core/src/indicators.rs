//! Balanced-development indicators (PRODUCT.md §12; the rule of `shared/oracle/README.md`,
//! indicators/): how evenly money per person is spread over counties, and whether it goes
//! to the most deprived first.
//!
//! A strongly pro-poor allocation is *unequal* per capita, so the Gini alone would read it
//! as a failure; the concentration index ranked by deprivation tells the two apart
//! (negative: the deprived get more). Theil's T splits into inequality between provinces
//! and within them.
//!
//! Figures are ratios, so they are floating point; the money they come from stays integer.

use std::collections::BTreeMap;

/// One county (or any unit) with its people, its money and its deprivation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit<'a> {
    /// The group the unit belongs to for the between/within split (its province).
    pub group: &'a str,
    pub population: u64,
    pub allocated_rial: i64,
    /// 1 is the most deprived; units may share a rank.
    pub deprivation_rank: u32,
}

/// The indicators of a set of units.
#[derive(Clone, Debug, PartialEq)]
pub struct Indicators {
    pub units: usize,
    pub population: u64,
    pub allocated_rial: i128,
    /// μ: rials per person over all units.
    pub mean_per_capita_rial: f64,
    /// Population-weighted Gini of per-capita allocation (no small-sample factor).
    pub gini: f64,
    /// Theil's T and its split by group: `theil = theil_between + theil_within`.
    pub theil: f64,
    pub theil_between: f64,
    pub theil_within: f64,
    /// Concentration of per-capita allocation ranked from the most deprived up; negative
    /// when the money goes to the deprived first.
    pub concentration_index: f64,
}

/// Why indicators cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorError {
    #[error("there are no units")]
    NoUnits,
    #[error("unit {index} has no population")]
    NoPopulation { index: usize },
    #[error("unit {index} has a negative allocation")]
    NegativeAllocation { index: usize },
    #[error("nothing is allocated, so shares of the total are undefined")]
    NothingAllocated,
}

impl IndicatorError {
    /// A stable machine code of the broken rule.
    pub fn rule(&self) -> &'static str {
        match self {
            IndicatorError::NoUnits => "no_units",
            IndicatorError::NoPopulation { .. } => "no_population",
            IndicatorError::NegativeAllocation { .. } => "negative_allocation",
            IndicatorError::NothingAllocated => "nothing_allocated",
        }
    }
}

/// A unit's weight and per-capita allocation.
#[derive(Clone, Copy, Debug)]
struct Share {
    /// Population share `w_i`.
    weight: f64,
    /// Rials per person `y_i`.
    per_capita: f64,
}

/// Computes every indicator of `units`.
pub fn balanced_development(units: &[Unit<'_>]) -> Result<Indicators, IndicatorError> {
    if units.is_empty() {
        return Err(IndicatorError::NoUnits);
    }
    for (index, unit) in units.iter().enumerate() {
        if unit.population == 0 {
            return Err(IndicatorError::NoPopulation { index });
        }
        if unit.allocated_rial < 0 {
            return Err(IndicatorError::NegativeAllocation { index });
        }
    }
    let population: u64 = units.iter().map(|u| u.population).sum();
    let allocated_rial: i128 = units.iter().map(|u| i128::from(u.allocated_rial)).sum();
    if allocated_rial == 0 {
        return Err(IndicatorError::NothingAllocated);
    }
    let shares: Vec<Share> = units
        .iter()
        .map(|u| Share {
            weight: u.population as f64 / population as f64,
            per_capita: u.allocated_rial as f64 / u.population as f64,
        })
        .collect();
    let mean = allocated_rial as f64 / population as f64;
    let (theil_between, theil_within) = theil_split(units, &shares, mean);
    Ok(Indicators {
        units: units.len(),
        population,
        allocated_rial,
        mean_per_capita_rial: mean,
        gini: gini(&shares, mean),
        theil: theil(&shares, mean),
        theil_between,
        theil_within,
        concentration_index: concentration_index(units, &shares, mean),
    })
}

/// `Σ_i Σ_j w_i·w_j·|y_i − y_j| / (2μ)`, in O(n log n): over units sorted by `y`, each
/// unit's differences to those below it are `y_i·W_below − S_below`.
fn gini(shares: &[Share], mean: f64) -> f64 {
    let mut sorted = shares.to_vec();
    sorted.sort_by(|a, b| a.per_capita.total_cmp(&b.per_capita));
    let (mut weight_below, mut sum_below, mut total) = (0.0, 0.0, 0.0);
    for share in &sorted {
        total += share.weight * (share.per_capita * weight_below - sum_below);
        weight_below += share.weight;
        sum_below += share.weight * share.per_capita;
    }
    // Each unordered pair was counted once; the double sum counts it twice.
    2.0 * total / (2.0 * mean)
}

/// Theil's T: `Σ w_i·(y_i/μ)·ln(y_i/μ)`, a unit with nothing adding nothing.
fn theil(shares: &[Share], mean: f64) -> f64 {
    shares
        .iter()
        .map(|share| theil_term(share.weight, share.per_capita / mean))
        .sum()
}

fn theil_term(weight: f64, ratio: f64) -> f64 {
    if ratio > 0.0 {
        weight * ratio * ratio.ln()
    } else {
        0.0
    }
}

/// Theil's T between groups (each group at its own mean) and within them (each group's
/// own T weighted by its share of the money).
fn theil_split(units: &[Unit<'_>], shares: &[Share], mean: f64) -> (f64, f64) {
    let mut groups: BTreeMap<&str, Vec<Share>> = BTreeMap::new();
    for (unit, share) in units.iter().zip(shares) {
        groups.entry(unit.group).or_default().push(*share);
    }
    let (mut between, mut within) = (0.0, 0.0);
    for members in groups.values() {
        let weight: f64 = members.iter().map(|s| s.weight).sum();
        let group_mean = members.iter().map(|s| s.weight * s.per_capita).sum::<f64>() / weight;
        let ratio = group_mean / mean;
        between += theil_term(weight, ratio);
        if group_mean > 0.0 {
            let own: Vec<Share> = members
                .iter()
                .map(|s| Share {
                    weight: s.weight / weight,
                    per_capita: s.per_capita,
                })
                .collect();
            within += weight * ratio * theil(&own, group_mean);
        }
    }
    (between, within)
}

/// `(2/μ)·Σ w_i·(y_i − μ)·(R_i − ½)`, `R_i` the population-weighted fractional rank from
/// the most deprived up; units sharing a rank share their group's mean rank.
fn concentration_index(units: &[Unit<'_>], shares: &[Share], mean: f64) -> f64 {
    let mut by_rank: BTreeMap<u32, Vec<Share>> = BTreeMap::new();
    for (unit, share) in units.iter().zip(shares) {
        by_rank
            .entry(unit.deprivation_rank)
            .or_default()
            .push(*share);
    }
    let (mut before, mut sum) = (0.0, 0.0);
    for tied in by_rank.values() {
        let weight: f64 = tied.iter().map(|s| s.weight).sum();
        let rank = before + weight / 2.0;
        sum += tied
            .iter()
            .map(|s| s.weight * (s.per_capita - mean) * (rank - 0.5))
            .sum::<f64>();
        before += weight;
    }
    2.0 / mean * sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(group: &str, population: u64, allocated_rial: i64, rank: u32) -> Unit<'_> {
        Unit {
            group,
            population,
            allocated_rial,
            deprivation_rank: rank,
        }
    }

    #[test]
    fn an_even_spread_is_perfectly_equal() {
        // Establishes the zero point of every indicator.
        let units = [
            unit("IR-15", 100, 1_000, 1),
            unit("IR-15", 300, 3_000, 2),
            unit("IR-16", 600, 6_000, 3),
        ];
        let got = balanced_development(&units).unwrap();
        assert_eq!(got.mean_per_capita_rial, 10.0);
        for figure in [
            got.gini,
            got.theil,
            got.theil_between,
            got.theil_within,
            got.concentration_index,
        ] {
            assert!(figure.abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn money_to_the_most_deprived_first_is_unequal_but_pro_poor() {
        // Establishes the sign of the concentration index and the Gini of a two-unit case.
        let units = [unit("IR-15", 50, 1_000, 1), unit("IR-16", 50, 0, 2)];
        let got = balanced_development(&units).unwrap();
        // y = (20, 0), μ = 10: Gini = 2·¼·20 / 20 = 0.5; CI = (2/10)·(½·10·−¼ + ½·−10·¼) = −0.5.
        assert!((got.gini - 0.5).abs() < 1e-12);
        assert!((got.concentration_index + 0.5).abs() < 1e-12);
        assert!((got.theil - std::f64::consts::LN_2).abs() < 1e-12);
        assert!((got.theil_between - got.theil).abs() < 1e-12);
        assert!(got.theil_within.abs() < 1e-12);
    }

    #[test]
    fn tied_ranks_share_their_mean_rank() {
        // Establishes that the order of tied units does not change the index.
        let a = [
            unit("IR-15", 10, 500, 1),
            unit("IR-15", 30, 100, 1),
            unit("IR-16", 60, 50, 2),
        ];
        let b = [a[1].clone(), a[0].clone(), a[2].clone()];
        let (x, y) = (
            balanced_development(&a).unwrap(),
            balanced_development(&b).unwrap(),
        );
        assert!((x.concentration_index - y.concentration_index).abs() < 1e-15);
    }

    #[test]
    fn units_without_people_or_money_are_refused() {
        // Establishes the errors instead of a NaN.
        assert_eq!(balanced_development(&[]), Err(IndicatorError::NoUnits));
        assert_eq!(
            balanced_development(&[unit("IR-15", 0, 5, 1)]),
            Err(IndicatorError::NoPopulation { index: 0 })
        );
        assert_eq!(
            balanced_development(&[unit("IR-15", 5, 0, 1)]),
            Err(IndicatorError::NothingAllocated)
        );
        assert_eq!(
            balanced_development(&[unit("IR-15", 5, -1, 1)]),
            Err(IndicatorError::NegativeAllocation { index: 0 })
        );
    }
}
