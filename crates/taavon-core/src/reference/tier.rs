//! Deprivation tiers of counties: the documented formula taavon derives from open data,
//! and the import of an official, dated classification that replaces it.
//!
//! There is no open official list of underprivileged (کم‌برخوردار) counties, so the
//! bundled classification is derived, in whole numbers so it is reproducible anywhere:
//!
//! 1. For each county in the 1395 census, four indicators, each turned into a rank
//!    score 0..=1000 across all census counties (0 = best off, 1000 = worst off; ties get
//!    the lowest rank, so equal values score alike):
//!    - the county's census unemployment rate (unemployed ÷ economically active),
//!    - the county's share of economically active people who never went to school,
//!    - its province's Subnational HDI 2019, inverted (lower HDI = worse off),
//!    - its province's Labour Force Survey unemployment rate 1398.
//! 2. Deprivation score = 2·county unemployment + 2·county illiteracy + 1·province HDI +
//!    1·province LFS unemployment. A tier classifies a county, so the county's own
//!    measures weigh double; the province's measures (better surveyed, but one value for
//!    every county of the province) add context.
//! 3. Counties sorted from most to least deprived (score descending, then code) are cut
//!    into population-weighted quartiles: the county whose population midpoint falls in
//!    the first quarter of the national population is tier 1, and so on to tier 4.
//! 4. Counties created after 1395 have no census figures; they take the most common tier
//!    of their province's census counties (the more deprived tier on a tie).

use std::collections::HashMap;

use super::csv_rows::records;
use super::{County, CountyCode, Province, ProvinceCode, RowError, Tier};

/// A dated, sourced classification of every county into a tier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierClassification {
    /// ISO date from which the classification applies.
    pub valid_from: String,
    /// Where it comes from (a law, a decree, or taavon's own formula).
    pub source: String,
    pub tiers: Vec<(CountyCode, ProvinceCode, Tier)>,
}

/// The source text of the derived classification.
pub const DERIVED_SOURCE: &str = "taavon formula v1: census 1395 county unemployment, \
    SHDI 2019 and LFS 1398 unemployment by province (data/SOURCES.md)";

/// Derives the classification by the formula in this module's documentation.
pub fn derive(provinces: &[Province], counties: &[County], valid_from: &str) -> TierClassification {
    let by_province: HashMap<&ProvinceCode, &Province> =
        provinces.iter().map(|p| (&p.code, p)).collect();
    // (county, population, [unemployment, illiteracy, inverted HDI, LFS]) per census county.
    let measured: Vec<(&County, u64, [u64; 4])> = counties
        .iter()
        .filter_map(|county| {
            let census = county.census?;
            let province = by_province.get(&county.province)?;
            let unemployment = census
                .unemployed
                .saturating_mul(100_000)
                .checked_div(census.econ_active)
                .unwrap_or(0);
            let illiteracy = census
                .illiterate_active
                .saturating_mul(100_000)
                .checked_div(census.econ_active)
                .unwrap_or(0);
            let indicators = [
                unemployment,
                illiteracy,
                1000u64.saturating_sub(province.shdi_2019_permille),
                province.lfs_unemployment_1398_permille,
            ];
            Some((county, census.population, indicators))
        })
        .collect();
    let weights = [2u64, 2, 1, 1];
    let mut scored: Vec<(&County, u64, u64)> = measured
        .iter()
        .map(|(county, population, indicators)| {
            let score = (0..4)
                .map(|i| {
                    let value = indicators.get(i).copied().unwrap_or(0);
                    let column = measured
                        .iter()
                        .map(|(_, _, v)| v.get(i).copied().unwrap_or(0));
                    weights.get(i).copied().unwrap_or(0) * rank_score(value, column, measured.len())
                })
                .sum();
            (*county, *population, score)
        })
        .collect();
    scored.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.code.cmp(&b.0.code)));
    let total: u64 = scored.iter().map(|(_, population, _)| population).sum();
    let mut tiers: Vec<(CountyCode, ProvinceCode, Tier)> = Vec::with_capacity(counties.len());
    let mut before = 0u64;
    for (county, population, _) in &scored {
        let midpoint = before.saturating_mul(2).saturating_add(*population);
        // midpoint / (2 · total) in quarters, as whole numbers.
        let quarter = midpoint
            .saturating_mul(4)
            .checked_div(total.saturating_mul(2))
            .unwrap_or(0)
            .min(3);
        tiers.push((
            county.code.clone(),
            county.province.clone(),
            Tier::of_quarter(quarter),
        ));
        before += population;
    }
    for county in counties.iter().filter(|c| c.census.is_none()) {
        let mut counts = [0usize; 4];
        for (_, province, tier) in &tiers {
            if province == &county.province
                && let Some(count) = counts.get_mut(usize::from(tier.get() - 1))
            {
                *count += 1;
            }
        }
        // The first maximum is the more deprived tier on a tie.
        let most_common = (0..4u64)
            .max_by_key(|&i| (counts.get(usize::try_from(i).unwrap_or(0)).copied(), 3 - i))
            .unwrap_or(3);
        tiers.push((
            county.code.clone(),
            county.province.clone(),
            Tier::of_quarter(most_common),
        ));
    }
    tiers.sort_by(|a, b| a.0.cmp(&b.0));
    TierClassification {
        valid_from: valid_from.to_owned(),
        source: DERIVED_SOURCE.to_owned(),
        tiers,
    }
}

/// 0..=1000: the share of values strictly below `value`.
fn rank_score(value: u64, column: impl Iterator<Item = u64>, count: usize) -> u64 {
    let below = column.filter(|other| *other < value).count();
    let denominator = u64::try_from(count.saturating_sub(1)).unwrap_or(1).max(1);
    u64::try_from(below).unwrap_or(0) * 1000 / denominator
}

/// Reads an official classification: a CSV with the columns `county_code` and `tier`
/// (others are ignored). Every known county must appear exactly once. All errors are
/// reported, each with its row and column.
pub fn parse_tier_csv(
    text: &str,
    counties: &[County],
    valid_from: &str,
    source: &str,
) -> Result<TierClassification, Vec<RowError>> {
    let mut errors = Vec::new();
    let rows = match records(text) {
        Ok(rows) => rows,
        Err(error) => return Err(vec![error]),
    };
    let header: Vec<String> = csv::ReaderBuilder::new()
        .from_reader(text.strip_prefix('\u{feff}').unwrap_or(text).as_bytes())
        .headers()
        .map(|h| h.iter().map(|s| s.trim().to_ascii_lowercase()).collect())
        .unwrap_or_default();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(code_at), Some(tier_at)) = (column("county_code"), column("tier")) else {
        return Err(vec![RowError {
            row: 1,
            column: "county_code,tier".into(),
            rule: "missing_column".into(),
        }]);
    };
    let known: HashMap<&str, &County> = counties.iter().map(|c| (c.code.as_str(), c)).collect();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut tiers = Vec::new();
    for row in &rows {
        let code = row.record.get(code_at).unwrap_or("").trim();
        let county = match known.get(code) {
            Some(county) => Some(*county),
            None => {
                errors.push(row.error(code_at, "county_code", "unknown_county"));
                None
            }
        };
        if let Some(first) = seen.insert(code.to_owned(), row.number) {
            errors.push(row.error(code_at, "county_code", &format!("duplicate_of_row_{first}")));
        }
        let tier = row
            .record
            .get(tier_at)
            .and_then(|t| t.trim().parse::<i64>().ok())
            .and_then(|t| Tier::new(t).ok());
        if tier.is_none() {
            errors.push(row.error(tier_at, "tier", "tier_range"));
        }
        if let (Some(county), Some(tier)) = (county, tier) {
            tiers.push((county.code.clone(), county.province.clone(), tier));
        }
    }
    for county in counties {
        if !seen.contains_key(county.code.as_str()) {
            errors.push(RowError {
                row: 0,
                column: "county_code".into(),
                rule: format!("missing_county_{}", county.code),
            });
        }
    }
    if valid_from.len() != 10 || !is_iso_date(valid_from) {
        errors.push(RowError {
            row: 0,
            column: "valid_from".into(),
            rule: "iso_date".into(),
        });
    }
    if source.trim().is_empty() {
        errors.push(RowError {
            row: 0,
            column: "source".into(),
            rule: "required".into(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    tiers.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(TierClassification {
        valid_from: valid_from.to_owned(),
        source: source.trim().to_owned(),
        tiers,
    })
}

fn is_iso_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return false;
    };
    let number = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    match (number(year, 4), number(month, 2), number(day, 2)) {
        (Some(_), Some(month), Some(day)) => (1..=12).contains(&month) && (1..=31).contains(&day),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::ReferenceData;
    use super::*;

    fn tiers_of(data: &ReferenceData, province: &str) -> Vec<u8> {
        data.tiers
            .tiers
            .iter()
            .filter(|(_, p, _)| p.as_str() == province)
            .map(|(_, _, t)| t.get())
            .collect()
    }

    #[test]
    fn every_county_gets_exactly_one_tier_and_each_tier_holds_about_a_quarter() {
        // Establishes completeness and the population-weighted quartile cut.
        let data = ReferenceData::bundled().unwrap();
        assert_eq!(data.tiers.tiers.len(), data.counties.len());
        let total: u64 = data.provinces.iter().map(|p| p.population_1395).sum();
        for tier in 1..=4u8 {
            let population: u64 = data
                .tiers
                .tiers
                .iter()
                .filter(|(_, _, t)| t.get() == tier)
                .filter_map(|(code, _, _)| {
                    data.counties
                        .iter()
                        .find(|c| &c.code == code)?
                        .census
                        .map(|c| c.population)
                })
                .sum();
            let share = population * 100 / total;
            assert!((15..=35).contains(&share), "tier {tier} holds {share} %");
        }
    }

    #[test]
    fn ilam_and_lorestan_come_out_mostly_underprivileged_and_tehran_county_does_not() {
        // Establishes that the formula agrees with what the sources say of these provinces.
        let data = ReferenceData::bundled().unwrap();
        for province in ["IR-16", "IR-15"] {
            let tiers = tiers_of(&data, province);
            let underprivileged = tiers.iter().filter(|t| **t <= 2).count();
            assert!(underprivileged * 2 > tiers.len(), "{province}: {tiers:?}");
        }
        let tehran = data
            .tiers
            .tiers
            .iter()
            .find(|(c, _, _)| c.as_str() == "2301")
            .unwrap();
        assert_eq!(tehran.2.get(), 4);
    }

    #[test]
    fn an_official_list_replaces_the_formula_and_bad_rows_are_each_named() {
        // Establishes the import format and its row-by-row error report.
        let data = ReferenceData::bundled().unwrap();
        let mut text = String::from("\u{feff}county_code,tier,name\n");
        for county in &data.counties {
            text.push_str(&format!("{},1,{}\n", county.code, county.name_fa));
        }
        let imported = parse_tier_csv(&text, &data.counties, "2026-03-21", "Decree 123").unwrap();
        assert!(imported.tiers.iter().all(|(_, _, t)| t.get() == 1));
        let broken = text.replacen(",1,", ",7,", 1).replace("1601,1,", "9999,1,");
        let errors = parse_tier_csv(&broken, &data.counties, "2026-03-21", "x").unwrap_err();
        let rules: Vec<(u64, &str, &str)> = errors
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.rule.as_str()))
            .collect();
        assert!(rules.contains(&(2, "tier", "tier_range")), "{rules:?}");
        assert!(
            rules
                .iter()
                .any(|r| r.1 == "county_code" && r.2 == "unknown_county")
        );
        assert!(rules.iter().any(|r| r.2 == "missing_county_1601"));
    }
}
