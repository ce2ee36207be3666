//! Reference data: loading the bundled files into a new database, importing an
//! official tier classification, and reading it (anyone may, anonymous visitors too;
//! each read still asks the policy, so that rule is stated once, in the core).

use taavon_core::access::{self, Action, Principal, Resource};
use taavon_core::reference::{self, ProvinceCode, ReferenceData};
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    Actor, AgencyRow, BranchRow, CountyRow, CountyTier, NamedRow, ProvinceRow, ReferenceSnapshot,
    Store,
};

use crate::users::Caller;
use crate::{AppError, FieldError};

/// Loads the bundled reference data and its derived tier classification, if the
/// database has none yet. Returns whether it loaded anything.
pub async fn ensure_loaded(store: &Store, now: Timestamp) -> Result<bool, AppError> {
    let mut write = store.write(Actor::system("reference"), now).await?;
    if write.reference_loaded().await? {
        write.rollback().await?;
        return Ok(false);
    }
    let data = ReferenceData::bundled()
        .map_err(|error| AppError::Internal(format!("bundled reference data: {error}")))?;
    write.load_reference(&data).await?;
    write
        .insert_tier_classification(
            &data.tiers.valid_from,
            &data.tiers.source,
            &county_tiers(&data.tiers),
        )
        .await?;
    write.commit().await?;
    Ok(true)
}

/// Imports an official classification from CSV text (`county_code,tier`). Every row is
/// checked; nothing is stored unless every row is right.
pub async fn import_tiers(
    store: &Store,
    caller: Caller<'_>,
    csv_text: &str,
    valid_from: &str,
    source: &str,
    now: Timestamp,
) -> Result<i64, AppError> {
    caller.may(
        taavon_core::access::Action::Update,
        taavon_core::access::Resource::ReferenceData,
    )?;
    let data = ReferenceData::bundled()
        .map_err(|error| AppError::Internal(format!("bundled reference data: {error}")))?;
    let classification = reference::parse_tier_csv(csv_text, &data.counties, valid_from, source)
        .map_err(|errors| {
            AppError::Invalid(
                errors
                    .into_iter()
                    .map(|error| {
                        let field = if error.row == 0 {
                            error.column.clone()
                        } else {
                            format!("row {}, {}", error.row, error.column)
                        };
                        FieldError::new(
                            field,
                            &error.rule,
                            &format!("ردیف {}، ستون {}: {}", error.row, error.column, error.rule),
                            &error.to_string(),
                        )
                    })
                    .collect(),
            )
        })?;
    let mut write = store.write(caller.actor(), now).await?;
    let id = write
        .insert_tier_classification(
            &classification.valid_from,
            &classification.source,
            &county_tiers(&classification),
        )
        .await?;
    write.commit().await?;
    Ok(id)
}

fn county_tiers(classification: &reference::TierClassification) -> Vec<CountyTier> {
    classification
        .tiers
        .iter()
        .map(|(county, province, tier)| CountyTier {
            county: county.as_str().to_owned(),
            province: province.as_str().to_owned(),
            tier: i64::from(tier.get()),
        })
        .collect()
}

/// The code → name tables a page needs to name what its records hold, read at once.
pub struct NameTables {
    pub provinces: Vec<ProvinceRow>,
    pub counties: Vec<CountyRow>,
    pub sectors: Vec<NamedRow>,
}

/// A bank with its branches.
pub struct BankWithBranches {
    pub bank: NamedRow,
    pub branches: Vec<BranchRow>,
}

fn may_read(reader: Option<&Principal>) -> Result<(), AppError> {
    AppError::from_decision(access::decide(
        reader,
        Action::Read,
        Resource::ReferenceData,
    ))
}

/// The reference data as one snapshot, from memory (see the store's `reference_cache`):
/// an answer built from it may carry its `tag` as an `ETag`.
pub async fn snapshot(
    store: &Store,
    reader: Option<&Principal>,
) -> Result<std::sync::Arc<ReferenceSnapshot>, AppError> {
    may_read(reader)?;
    Ok(store.reference().await?)
}

/// Every province with its figures (population, counties, underprivileged counties).
pub async fn provinces(
    store: &Store,
    reader: Option<&Principal>,
) -> Result<Vec<ProvinceRow>, AppError> {
    Ok(snapshot(store, reader).await?.provinces.clone())
}

/// Counties with their tiers, of one province or all.
pub async fn counties(
    store: &Store,
    reader: Option<&Principal>,
    province: Option<&ProvinceCode>,
) -> Result<Vec<CountyRow>, AppError> {
    let snapshot = snapshot(store, reader).await?;
    Ok(counties_of(&snapshot, province).cloned().collect())
}

/// The snapshot's counties of one province or all, in the store's order.
pub fn counties_of<'a>(
    snapshot: &'a ReferenceSnapshot,
    province: Option<&'a ProvinceCode>,
) -> impl Iterator<Item = &'a CountyRow> {
    snapshot
        .counties
        .iter()
        .filter(move |c| province.is_none_or(|p| c.province == p.as_str()))
}

/// One province and its counties; `NotFound` for a code the data does not have.
pub async fn province(
    store: &Store,
    reader: Option<&Principal>,
    code: &ProvinceCode,
) -> Result<(ProvinceRow, Vec<CountyRow>), AppError> {
    let snapshot = snapshot(store, reader).await?;
    let province = snapshot
        .provinces
        .iter()
        .find(|p| p.code == code.as_str())
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok((
        province,
        counties_of(&snapshot, Some(code)).cloned().collect(),
    ))
}

/// The economic sectors.
pub async fn sectors(store: &Store, reader: Option<&Principal>) -> Result<Vec<NamedRow>, AppError> {
    Ok(snapshot(store, reader).await?.sectors.clone())
}

/// The ministry's agencies.
pub async fn agencies(
    store: &Store,
    reader: Option<&Principal>,
) -> Result<Vec<AgencyRow>, AppError> {
    Ok(snapshot(store, reader).await?.agencies.clone())
}

/// The banks, each with its branches.
pub async fn banks(
    store: &Store,
    reader: Option<&Principal>,
) -> Result<Vec<BankWithBranches>, AppError> {
    let snapshot = snapshot(store, reader).await?;
    Ok(snapshot
        .banks
        .iter()
        .map(|bank| BankWithBranches {
            branches: snapshot
                .branches
                .iter()
                .filter(|branch| branch.bank.as_str() == bank.code)
                .cloned()
                .collect(),
            bank: bank.clone(),
        })
        .collect())
}

/// Provinces, counties and sectors in one read, to name the codes a page's records hold.
pub async fn name_tables(
    store: &Store,
    reader: Option<&Principal>,
) -> Result<NameTables, AppError> {
    let snapshot = snapshot(store, reader).await?;
    Ok(NameTables {
        provinces: snapshot.provinces.clone(),
        counties: snapshot.counties.clone(),
        sectors: snapshot.sectors.clone(),
    })
}
