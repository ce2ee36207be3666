//! The balanced-development indicators of an allocation over the counties: the one
//! reading of counties as indicator units, for the transparency pages (money disbursed)
//! and an allocation round's what-ifs (money each policy would fund).

use taavon_core::indicators::{Indicators, Unit, balanced_development};
use taavon_store::CountyRow;

/// The indicators of `allocated` rials per county code, over the counties with a
/// population and a tier (the tier is the deprivation rank: 1 the most deprived, ties
/// allowed; the province is the group of the between/within split). `None` when no
/// county can be a unit or nothing was allocated.
pub fn over_counties(
    counties: &[CountyRow],
    allocated: impl Fn(&str) -> i64,
) -> Option<Indicators> {
    let units: Vec<Unit<'_>> = counties
        .iter()
        .filter_map(|c| {
            Some(Unit {
                group: &c.province,
                population: u64::try_from(c.population_1395?).ok().filter(|p| *p > 0)?,
                allocated_rial: allocated(&c.code),
                deprivation_rank: u32::try_from(c.tier?).ok()?,
            })
        })
        .collect();
    balanced_development(&units).ok()
}
