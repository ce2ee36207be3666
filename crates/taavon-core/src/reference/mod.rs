//! Reference data: provinces, counties, deprivation tiers, sectors, agencies, banks and
//! branches.
//!
//! The data files live in `data/reference/` (sources and licences in `data/SOURCES.md`)
//! and are compiled in, so this stays pure: `ReferenceData::bundled()` parses text, it
//! reads no file.

mod codes;
mod csv_rows;
pub mod tier;

pub use codes::{
    AgencyCode, BankCode, BranchCode, CountyCode, ProvinceCode, ReferenceCodeError, Tier,
};
pub use csv_rows::RowError;
pub use tier::{TierClassification, parse_tier_csv};

use crate::coded::coded_enum;
use csv_rows::{optional_number, records, required_number};

/// A province (استان) with its 1395 census population and development indicators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Province {
    pub code: ProvinceCode,
    pub name_fa: String,
    pub name_en: String,
    pub population_1395: u64,
    /// Subnational Human Development Index 2019 × 1000 (Global Data Lab).
    pub shdi_2019_permille: u64,
    /// Labour Force Survey unemployment rate 1398, in tenths of a percent.
    pub lfs_unemployment_1398_permille: u64,
}

/// A county (شهرستان). Counties created after the 1395 census have no census figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct County {
    pub code: CountyCode,
    pub province: ProvinceCode,
    pub name_fa: String,
    pub name_en: String,
    pub census: Option<CountyCensus>,
}

/// A county's 1395 census totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountyCensus {
    pub population: u64,
    pub econ_active: u64,
    pub unemployed: u64,
    /// Economically active people who never went to school.
    pub illiterate_active: u64,
}

/// An economic sector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sector {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
}

/// An agency of the ministry (SSO, Behzisti, pension funds, TVTO, the insurance fund).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agency {
    pub code: String,
    pub kind: AgencyKind,
    pub name_fa: String,
    pub name_en: String,
}

/// What an agency is, as the reference data classes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AgencyKind {
    SocialSecurity,
    Welfare,
    PensionFund,
    Training,
    InsuranceFund,
}

coded_enum!(AgencyKind {
    SocialSecurity = "social_security",
    Welfare = "welfare",
    PensionFund = "pension_fund",
    Training = "training",
    InsuranceFund = "insurance_fund",
});

/// An affiliated bank, by its Sheba bank code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bank {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
}

/// A bank's branch in a province.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch {
    pub code: String,
    pub bank: String,
    pub province: ProvinceCode,
    pub name_fa: String,
    pub name_en: String,
}

/// All reference data.
#[derive(Clone, Debug)]
pub struct ReferenceData {
    pub provinces: Vec<Province>,
    pub counties: Vec<County>,
    pub sectors: Vec<Sector>,
    pub agencies: Vec<Agency>,
    pub banks: Vec<Bank>,
    pub branches: Vec<Branch>,
    /// The classification derived by `tier::derive` from the bundled indicators.
    pub tiers: TierClassification,
}

/// Why the bundled data could not be read (a broken build, caught by tests).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {error}")]
pub struct BundleError {
    pub file: &'static str,
    pub error: RowError,
}

const PROVINCES_CSV: &str = include_str!("../../../../data/reference/provinces.csv");
const COUNTIES_CSV: &str = include_str!("../../../../data/reference/counties.csv");
const SECTORS_CSV: &str = include_str!("../../../../data/reference/sectors.csv");
const AGENCIES_CSV: &str = include_str!("../../../../data/reference/agencies.csv");
const BANKS_CSV: &str = include_str!("../../../../data/reference/banks.csv");

/// The date from which the derived classification applies (the start of 1404 AP).
pub const DERIVED_TIERS_VALID_FROM: &str = "2025-03-21";

impl ReferenceData {
    /// The reference data compiled into this build.
    pub fn bundled() -> Result<Self, BundleError> {
        let wrap = |file: &'static str| move |error: RowError| BundleError { file, error };
        let provinces = parse_provinces(PROVINCES_CSV).map_err(wrap("provinces.csv"))?;
        let counties = parse_counties(COUNTIES_CSV).map_err(wrap("counties.csv"))?;
        let sectors = parse_named(SECTORS_CSV, |code, name_fa, name_en| Sector {
            code,
            name_fa,
            name_en,
        })
        .map_err(wrap("sectors.csv"))?;
        let banks = parse_named(BANKS_CSV, |code, name_fa, name_en| Bank {
            code,
            name_fa,
            name_en,
        })
        .map_err(wrap("banks.csv"))?;
        let agencies = parse_agencies(AGENCIES_CSV).map_err(wrap("agencies.csv"))?;
        let branches = provincial_branches(&banks, &provinces);
        let tiers = tier::derive(&provinces, &counties, DERIVED_TIERS_VALID_FROM);
        Ok(Self {
            provinces,
            counties,
            sectors,
            agencies,
            banks,
            branches,
            tiers,
        })
    }

    pub fn province(&self, code: &ProvinceCode) -> Option<&Province> {
        self.provinces
            .iter()
            .find(|province| &province.code == code)
    }
}

/// One central branch per bank per province, coded `<bank>-<province number>`.
fn provincial_branches(banks: &[Bank], provinces: &[Province]) -> Vec<Branch> {
    banks
        .iter()
        .flat_map(|bank| {
            provinces.iter().map(move |province| Branch {
                code: format!("{}-{}", bank.code, province.code.sci_code()),
                bank: bank.code.clone(),
                province: province.code.clone(),
                name_fa: format!("{}، شعبه مرکزی {}", bank.name_fa, province.name_fa),
                name_en: format!("{}, {} central branch", bank.name_en, province.name_en),
            })
        })
        .collect()
}

fn parse_provinces(text: &str) -> Result<Vec<Province>, RowError> {
    records(text)?
        .into_iter()
        .map(|row| {
            Ok(Province {
                code: ProvinceCode::parse(row.field(0, "code")?)
                    .map_err(|e| row.error(0, "code", e.rule()))?,
                name_fa: row.field(2, "name_fa")?.to_owned(),
                name_en: row.field(3, "name_en")?.to_owned(),
                population_1395: required_number(&row, 4, "population_1395")?,
                shdi_2019_permille: required_number(&row, 5, "shdi_2019_permille")?,
                lfs_unemployment_1398_permille: required_number(
                    &row,
                    6,
                    "lfs_unemployment_1398_permille",
                )?,
            })
        })
        .collect()
}

fn parse_counties(text: &str) -> Result<Vec<County>, RowError> {
    records(text)?
        .into_iter()
        .map(|row| {
            let census = match optional_number(&row, 4, "population_1395")? {
                Some(population) => Some(CountyCensus {
                    population,
                    econ_active: required_number(&row, 5, "econ_active_1395")?,
                    unemployed: required_number(&row, 6, "unemployed_1395")?,
                    illiterate_active: required_number(&row, 7, "illiterate_active_1395")?,
                }),
                None => None,
            };
            Ok(County {
                code: CountyCode::parse(row.field(0, "code")?)
                    .map_err(|e| row.error(0, "code", e.rule()))?,
                province: ProvinceCode::parse(row.field(1, "province")?)
                    .map_err(|e| row.error(1, "province", e.rule()))?,
                name_fa: row.field(2, "name_fa")?.to_owned(),
                name_en: row.field(3, "name_en")?.to_owned(),
                census,
            })
        })
        .collect()
}

fn parse_named<T>(
    text: &str,
    make: impl Fn(String, String, String) -> T,
) -> Result<Vec<T>, RowError> {
    records(text)?
        .into_iter()
        .map(|row| {
            Ok(make(
                row.field(0, "code")?.to_owned(),
                row.field(1, "name_fa")?.to_owned(),
                row.field(2, "name_en")?.to_owned(),
            ))
        })
        .collect()
}

fn parse_agencies(text: &str) -> Result<Vec<Agency>, RowError> {
    records(text)?
        .into_iter()
        .map(|row| {
            Ok(Agency {
                code: row.field(0, "code")?.to_owned(),
                kind: AgencyKind::parse(row.field(1, "kind")?)
                    .ok_or_else(|| row.error(1, "kind", "agency_kind"))?,
                name_fa: row.field(2, "name_fa")?.to_owned(),
                name_en: row.field(3, "name_en")?.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> ReferenceData {
        ReferenceData::bundled().unwrap()
    }

    #[test]
    fn the_bundle_holds_31_provinces_with_ilam_and_lorestan_named() {
        // Establishes the province list and two codes the product leans on.
        let data = data();
        assert_eq!(data.provinces.len(), 31);
        let ilam = data
            .province(&ProvinceCode::parse("IR-16").unwrap())
            .unwrap();
        assert_eq!(
            (ilam.name_fa.as_str(), ilam.name_en.as_str()),
            ("ایلام", "Ilam")
        );
        let lorestan = data
            .province(&ProvinceCode::parse("IR-15").unwrap())
            .unwrap();
        assert_eq!(lorestan.name_fa, "لرستان");
    }

    #[test]
    fn county_populations_sum_to_the_official_census_total() {
        // Establishes that no county figure was lost or invented (79,926,270 in 1395).
        let data = data();
        let total: u64 = data
            .counties
            .iter()
            .filter_map(|county| county.census.map(|census| census.population))
            .sum();
        assert_eq!(total, 79_926_270);
        let provinces_total: u64 = data.provinces.iter().map(|p| p.population_1395).sum();
        assert_eq!(provinces_total, 79_926_270);
        assert_eq!(data.counties.len(), 479);
        assert_eq!(
            data.counties.iter().filter(|c| c.census.is_some()).count(),
            429
        );
    }

    #[test]
    fn every_county_lies_in_a_known_province() {
        // Establishes referential integrity of the bundled files.
        let data = data();
        for county in &data.counties {
            assert!(data.province(&county.province).is_some(), "{county:?}");
            assert!(county.code.as_str().starts_with(county.province.sci_code()));
        }
    }

    #[test]
    fn the_named_agencies_banks_and_sectors_are_present() {
        // Establishes the entities the foundation issue names.
        let data = data();
        for agency in ["sso", "behzisti", "cspf", "tvto", "rnif"] {
            assert!(data.agencies.iter().any(|a| a.code == agency), "{agency}");
        }
        for bank in ["022", "013"] {
            assert!(data.banks.iter().any(|b| b.code == bank), "{bank}");
        }
        for sector in [
            "agriculture",
            "fisheries",
            "handicrafts",
            "textiles",
            "tourism",
            "startups",
            "pharmaceuticals",
            "services",
            "housing",
        ] {
            assert!(data.sectors.iter().any(|s| s.code == sector), "{sector}");
        }
        assert_eq!(data.branches.len(), 2 * 31);
    }
}
