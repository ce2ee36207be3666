//! A program's budget per province: by hand, or by formula — the national budget shared
//! in proportion to each province's population weighted by its counties' deprivation
//! tiers, in whole rials that sum exactly to the national budget.

use crate::coded::coded_enum;
use crate::money::apportion;
use crate::reference::Tier;

/// How much more a person in a tier-1..4 county weighs than one in a tier-4 county, in
/// thousandths (default 2.0, 1.5, 1.2, 1.0 — the oracle's allocation weights).
pub const DEFAULT_TIER_WEIGHTS_PERMILLE: [u32; 4] = [2000, 1500, 1200, 1000];

/// How a province's budget was set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BudgetMethod {
    /// Shared from a national total by `by_formula`.
    Formula,
    /// Entered by hand.
    Manual,
}

coded_enum!(BudgetMethod {
    Formula = "formula",
    Manual = "manual",
});

/// One county's part in the formula.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountyWeight<'a> {
    pub province: &'a str,
    pub population: u64,
    pub tier: Tier,
}

/// Shares `total` among provinces by Σ county population × tier weight; provinces in
/// `provinces` without counties get nothing. Returns one entry per province, in order.
pub fn by_formula<'a>(
    total: i64,
    provinces: &[&'a str],
    counties: &[CountyWeight<'_>],
    tier_weights_permille: [u32; 4],
) -> Vec<(&'a str, i64)> {
    let weights: Vec<(usize, u128)> = provinces
        .iter()
        .enumerate()
        .map(|(index, province)| {
            let weight = counties
                .iter()
                .filter(|c| c.province == *province)
                .map(|c| {
                    let tier_weight = tier_weights_permille
                        .get(usize::from(c.tier.get().saturating_sub(1)))
                        .copied()
                        .unwrap_or(1000);
                    u128::from(c.population) * u128::from(tier_weight)
                })
                .sum();
            (index, weight)
        })
        .collect();
    apportion(total, &weights)
        .into_iter()
        .filter_map(|(index, amount)| provinces.get(index).map(|p| (*p, amount)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tier(t: i64) -> Tier {
        Tier::new(t).unwrap()
    }

    #[test]
    fn deprived_people_weigh_more() {
        let counties = [
            CountyWeight {
                province: "IR-16",
                population: 100,
                tier: tier(1),
            },
            CountyWeight {
                province: "IR-23",
                population: 100,
                tier: tier(4),
            },
        ];
        let budgets = by_formula(
            3_000,
            &["IR-16", "IR-23", "IR-01"],
            &counties,
            DEFAULT_TIER_WEIGHTS_PERMILLE,
        );
        assert_eq!(budgets, [("IR-16", 2_000), ("IR-23", 1_000), ("IR-01", 0)]);
    }

    proptest! {
        #[test]
        fn the_parts_sum_exactly_to_the_total(
            total in 0i64..1_000_000_000_000_000,
            populations in proptest::collection::vec((0u64..5_000_000, 1i64..=4), 1..40),
        ) {
            let names: Vec<String> = (0..populations.len()).map(|i| format!("P{i}")).collect();
            let provinces: Vec<&str> = names.iter().map(String::as_str).collect();
            let counties: Vec<CountyWeight> = populations
                .iter()
                .zip(&provinces)
                .map(|((population, t), province)| CountyWeight { province, population: *population, tier: tier(*t) })
                .collect();
            let budgets = by_formula(total, &provinces, &counties, DEFAULT_TIER_WEIGHTS_PERMILLE);
            let sum: i64 = budgets.iter().map(|(_, amount)| amount).sum();
            if populations.iter().any(|(p, _)| *p > 0) {
                prop_assert_eq!(sum, total);
            } else {
                prop_assert_eq!(sum, 0);
            }
        }
    }
}
