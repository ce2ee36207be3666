//! Reference data: loading the bundled files into a new database, and importing an
//! official tier classification.

use taavon_core::reference::{self, ReferenceData};
use taavon_core::timestamp::Timestamp;
use taavon_store::{Actor, CountyTier, Store};

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
