//! The business date (separate from the system clock: end of day moves it, tests and
//! catch-up move it day by day) and the working calendar of Fridays and holidays.

use taavon_core::access::Principal;
use taavon_core::calendar::IsoDate;
use taavon_core::timestamp::Timestamp;
use taavon_core::workdays::WorkingCalendar;
use taavon_store::{Reader, Store};

use crate::AppError;
use crate::auth::actor_of;

/// The open business date; until end of day has run once, the Tehran date of `now`.
pub async fn business_date(store: &Store, now: Timestamp) -> Result<IsoDate, AppError> {
    let mut read = store.read().await?;
    let stored = read.business_date().await?;
    read.finish().await?;
    Ok(parse_or_today(stored, now))
}

pub(crate) async fn business_date_in(
    reader: &mut Reader,
    now: Timestamp,
) -> Result<IsoDate, AppError> {
    Ok(parse_or_today(reader.business_date().await?, now))
}

/// Reads the business date where no clock is at hand (a read view): the stored one, or
/// the system's date when none was ever set.
pub(crate) async fn business_date_read(reader: &mut Reader) -> Result<IsoDate, AppError> {
    business_date_in(reader, crate::clock::now()).await
}

fn parse_or_today(stored: Option<String>, now: Timestamp) -> IsoDate {
    stored
        .and_then(|day| IsoDate::parse(&day).ok())
        .unwrap_or_else(|| IsoDate::tehran_today(now.unix_seconds()))
}

/// Sets the open business date (the ministry's, for catch-up and tests).
pub async fn set_business_date(
    store: &Store,
    principal: &Principal,
    day: IsoDate,
    now: Timestamp,
) -> Result<(), AppError> {
    if !taavon_core::access::may_fund_programs(principal) {
        return Err(AppError::Forbidden);
    }
    let mut write = store.write(actor_of(principal), now).await?;
    write.set_business_date(&day.to_string()).await?;
    write.commit().await?;
    Ok(())
}

/// Fridays and the stored official holidays.
pub async fn working_calendar(store: &Store) -> Result<WorkingCalendar, AppError> {
    let mut read = store.read().await?;
    let calendar = working_calendar_in(&mut read).await?;
    read.finish().await?;
    Ok(calendar)
}

pub(crate) async fn working_calendar_in(reader: &mut Reader) -> Result<WorkingCalendar, AppError> {
    let holidays = reader.holidays().await?;
    Ok(WorkingCalendar::fridays_and(
        holidays
            .into_iter()
            .filter_map(|(day, _)| IsoDate::parse(&day).ok()),
    ))
}
