//! The public transparency figures (issue 17): what the pooled money did, nationally and
//! per province, for anyone without a login — programs and their budgets, loans and money
//! disbursed, the share lent in underprivileged (tier 1–2) counties, planned and verified
//! jobs and women's share of them.
//!
//! The store is read across every scope, which is why nothing but `PublicFigures` leaves
//! this module: each figure passes the core's disclosure rule (no count under five, no
//! amount or share resting on fewer than five loans or people) before a page sees it.

use std::collections::{BTreeMap, HashSet};

use taavon_core::access::ApplicationScope;
use taavon_core::impact::figures::Grouping;
use taavon_core::indicators::Indicators;
use taavon_core::reference::ProvinceCode;
use taavon_core::transparency::{AreaSums, PublicFigures};
use taavon_store::{CountyRow, FigureFilter, ProvinceRow, Store};

use crate::AppError;

/// One area's public figures (a province nationally, a county within a province).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenArea {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    pub population: Option<i64>,
    /// The county's deprivation tier (counties only).
    pub tier: Option<i64>,
    pub figures: PublicFigures,
}

/// A program and its budget over the areas asked (the nation or one province).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenProgram {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    pub budget_rial: i64,
}

/// The public figures of the nation (areas: provinces) or of one province (areas: its
/// counties).
#[derive(Clone, Debug, PartialEq)]
pub struct OpenFigures {
    /// The province, on a province's figures.
    pub province: Option<ProvinceRow>,
    pub total: PublicFigures,
    pub areas: Vec<OpenArea>,
    pub programs: Vec<OpenProgram>,
    /// How evenly the money disbursed is spread per person over the counties, and whether
    /// it went to the deprived first; none before anything is disbursed.
    pub indicators: Option<Indicators>,
}

/// The nation's public figures, by province.
pub async fn national(store: &Store) -> Result<OpenFigures, AppError> {
    let (provinces, counties, by_county, programs) = read(store, None).await?;
    let mut by_province: BTreeMap<&str, AreaSums> = BTreeMap::new();
    for county in &counties {
        if let Some(sums) = by_county.get(&county.code) {
            by_province
                .entry(county.province.as_str())
                .or_default()
                .add(sums);
        }
    }
    let mut total = AreaSums::default();
    let areas = provinces
        .iter()
        .map(|p| {
            let sums = by_province
                .get(p.code.as_str())
                .copied()
                .unwrap_or_default();
            total.add(&sums);
            OpenArea {
                code: p.code.clone(),
                name_fa: p.name_fa.clone(),
                name_en: p.name_en.clone(),
                population: Some(p.population_1395),
                tier: None,
                figures: sums.disclose(),
            }
        })
        .collect();
    Ok(OpenFigures {
        province: None,
        total: total.disclose(),
        areas,
        programs,
        indicators: indicators(&counties, &by_county),
    })
}

/// One province's public figures, by county; `NotFound` for a province the data lacks.
pub async fn province(store: &Store, code: &ProvinceCode) -> Result<OpenFigures, AppError> {
    let (provinces, counties, by_county, programs) = read(store, Some(code)).await?;
    let province = provinces
        .into_iter()
        .find(|p| p.code == code.as_str())
        .ok_or(AppError::NotFound)?;
    let mut total = AreaSums::default();
    let areas = counties
        .iter()
        .map(|c| {
            let sums = by_county.get(&c.code).copied().unwrap_or_default();
            total.add(&sums);
            OpenArea {
                code: c.code.clone(),
                name_fa: c.name_fa.clone(),
                name_en: c.name_en.clone(),
                population: c.population_1395,
                tier: c.tier,
                figures: sums.disclose(),
            }
        })
        .collect();
    Ok(OpenFigures {
        province: Some(province),
        total: total.disclose(),
        areas,
        programs,
        indicators: indicators(&counties, &by_county),
    })
}

/// The balanced-development indicators of the money disbursed by county (one number
/// each, so nothing in them singles out a borrower).
fn indicators(
    counties: &[CountyRow],
    by_county: &BTreeMap<String, AreaSums>,
) -> Option<Indicators> {
    crate::county_indicators::over_counties(counties, |code| {
        by_county.get(code).map_or(0, |s| s.disbursed_rial)
    })
}

type Read = (
    Vec<ProvinceRow>,
    Vec<CountyRow>,
    BTreeMap<String, AreaSums>,
    Vec<OpenProgram>,
);

/// Provinces, the counties (of one province or all), each county's sums, and the
/// programs with their budgets over the same area — in one read transaction.
async fn read(store: &Store, province: Option<&ProvinceCode>) -> Result<Read, AppError> {
    let mut read = store.read().await?;
    let provinces = read.provinces().await?;
    let counties = read.counties(province.map(ProvinceCode::as_str)).await?;
    let cells = read
        .impact_figures(
            &ApplicationScope::All,
            &FigureFilter {
                grouping: Grouping::County,
                from: None,
                to: None,
                province: province.cloned(),
                cooperative_id: None,
            },
        )
        .await?;
    let mut programs = Vec::new();
    for program in read.programs().await? {
        let budget_rial = read
            .program_budgets(&program.code)
            .await?
            .iter()
            .filter(|b| province.is_none_or(|p| b.province == p.as_str()))
            .map(|b| b.amount_rial)
            .sum();
        programs.push(OpenProgram {
            code: program.code,
            name_fa: program.name_fa,
            name_en: program.name_en,
            budget_rial,
        });
    }
    read.finish().await?;
    let underprivileged: HashSet<&str> = counties
        .iter()
        .filter(|c| c.tier.is_some_and(|t| t <= 2))
        .map(|c| c.code.as_str())
        .collect();
    let mut by_county: BTreeMap<String, AreaSums> = BTreeMap::new();
    for cell in &cells {
        let poor = underprivileged.contains(cell.group.as_str());
        by_county
            .entry(cell.group.clone())
            .or_default()
            .add(&AreaSums {
                loans: cell.loans,
                disbursed_rial: cell.disbursed_rial,
                underprivileged_loans: if poor { cell.loans } else { 0 },
                underprivileged_rial: if poor { cell.disbursed_rial } else { 0 },
                planned_jobs: cell.planned,
                verified_jobs: cell.verified,
                verified_women: cell.verified_women,
            });
    }
    Ok((provinces, counties, by_county, programs))
}
