//! The demo's services delivered: every agency in every county with a census population,
//! in proportion to the county's people but uneven — some agencies absent from some
//! counties, some delivering three times others — so the gap list names real gaps. The
//! disbursed demo loans add their bank facilities themselves (`loans::lend`).

use taavon_core::calendar::IsoDate;
use taavon_core::ids::NationalCode;
use taavon_core::reference::ReferenceData;
use taavon_core::services::{Provider, kinds_delivered_by};
use taavon_core::timestamp::Timestamp;
use taavon_store::{Actor, NewService, Recipient, SERVICE_BATCH_MAX, Store};

use crate::AppError;

/// People per service in a county where an agency is at its ordinary rate.
const PEOPLE_PER_SERVICE: u64 = 25_000;

/// Records the demo's services in one transaction.
pub async fn record(store: &Store, now: Timestamp) -> Result<(), AppError> {
    let data = ReferenceData::bundled().map_err(|e| AppError::Internal(e.to_string()))?;
    let first_day = IsoDate::parse("2024-09-22").map_err(|e| AppError::Internal(e.to_string()))?;
    let mut services = Vec::new();
    let mut serial = 0u64;
    for county in &data.counties {
        let Some(census) = county.census else {
            continue;
        };
        for (agency, at) in data.agencies.iter().zip(0u64..) {
            // A fixed spread from the codes: a fifth of (county, agency) pairs get
            // nothing, the rest one to three times the ordinary rate.
            let spread = county.code.as_str().bytes().fold(at * 7 + 3, |h, b| {
                h.wrapping_mul(31).wrapping_add(u64::from(b))
            }) % 5;
            let count = census.population / PEOPLE_PER_SERVICE * spread.min(3);
            let kinds = kinds_delivered_by(agency.kind);
            for n in 0..count {
                serial += 1;
                let code = NationalCode::with_check_digit(&format!("{:09}", 300_000_000 + serial))
                    .ok_or_else(|| AppError::Internal("demo national code".into()))?;
                let kind = kinds
                    .get(usize::try_from(n).unwrap_or(0) % kinds.len().max(1))
                    .copied()
                    .ok_or_else(|| AppError::Internal("an agency without kinds".into()))?;
                services.push(NewService {
                    province: county.province.as_str().to_owned(),
                    county: county.code.as_str().to_owned(),
                    provider: Provider::Agency(agency.code.clone()),
                    reference: format!("demo-{}-{serial}", agency.code),
                    kind,
                    recipient: Recipient::Person(code),
                    people: 1,
                    amount_rial: None,
                    delivered_on: first_day.add_days(i64::try_from(serial % 180).unwrap_or(0)),
                });
            }
        }
    }
    let mut write = store.write(Actor::system("demo"), now).await?;
    for batch in services.chunks(SERVICE_BATCH_MAX) {
        write.insert_services(batch).await?;
    }
    write.commit().await?;
    Ok(())
}
