//! The business date (separate from the system clock: end of day moves it, tests and
//! catch-up move it day by day) and the working calendar of Fridays and the official
//! holidays the ministry lists (`access::keeps_calendar`).

use taavon_core::access::{Principal, keeps_calendar};
use taavon_core::calendar::IsoDate;
use taavon_core::limits::TextKind;
use taavon_core::timestamp::Timestamp;
use taavon_core::workdays::WorkingCalendar;
use taavon_store::{Reader, Store};

use crate::auth::actor_of;
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};
use crate::{AppError, FieldError};

/// An official holiday: its ISO day and its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holiday {
    pub day: String,
    pub name: String,
}

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
    if !keeps_calendar(principal) {
        return Err(AppError::Forbidden);
    }
    let mut write = store.write(actor_of(principal), now).await?;
    write.set_business_date(&day.to_string()).await?;
    write.commit().await?;
    Ok(())
}

/// Opens a later business date as an officer types it (Jalali or ISO, any digits): a
/// date already closed is never reopened from a form, since transactions and end-of-day
/// runs are dated by it (catch-up and tests move it back with `set_business_date`).
pub async fn open_business_date(
    store: &Store,
    principal: &Principal,
    typed: &str,
    now: Timestamp,
) -> Result<IsoDate, AppError> {
    crate::bounds::check_texts(&[("open_on", Some(typed), TextKind::Date)])?;
    if !keeps_calendar(principal) {
        return Err(AppError::Forbidden);
    }
    let day = required_day(typed, "open_on")?;
    if day < business_date(store, now).await? {
        return Err(AppError::invalid(
            "open_on",
            "not_before_open_date",
            "تاریخ کاری را نمی‌توان به روزی پیش از تاریخ کاری کنونی برگرداند.",
            "The business date cannot move back before the open one.",
        ));
    }
    set_business_date(store, principal, day, now).await?;
    Ok(day)
}

/// The official holidays, in date order (reference data: anyone logged in reads them).
pub async fn holidays(store: &Store) -> Result<Vec<Holiday>, AppError> {
    let mut read = store.read().await?;
    let listed = read.holidays().await?;
    read.finish().await?;
    Ok(listed
        .into_iter()
        .map(|(day, name)| Holiday { day, name })
        .collect())
}

/// Lists an official holiday (a day typed in Jalali or ISO, any digits, and its name);
/// a day already listed is refused by name.
pub async fn add_holiday(
    store: &Store,
    principal: &Principal,
    day: &str,
    name: &str,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Holiday, AppError> {
    crate::bounds::check_texts(&[
        ("day", Some(day), TextKind::Date),
        ("name", Some(name), TextKind::Name),
    ])?;
    if !keeps_calendar(principal) {
        return Err(AppError::Forbidden);
    }
    let mut errors = Vec::new();
    let parsed = match required_day(day, "day") {
        Ok(day) => Some(day),
        Err(AppError::Invalid(found)) => {
            errors.extend(found);
            None
        }
        Err(other) => return Err(other),
    };
    let name = taavon_core::text::normalize(name.trim());
    if name.is_empty() {
        errors.push(FieldError::new(
            "name",
            "required",
            "نام تعطیلی را بنویسید.",
            "The holiday's name is required.",
        ));
    }
    let Some(day) = parsed.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let holiday = Holiday {
        day: day.to_string(),
        name,
    };
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(_) => return Ok(holiday),
        Begun::Fresh(write) => write,
    };
    if write
        .holidays()
        .await?
        .iter()
        .any(|(d, _)| d == &holiday.day)
    {
        return Err(AppError::invalid(
            "day",
            "already_listed",
            "این روز پیش‌تر تعطیل رسمی ثبت شده است.",
            "This day is already listed as a holiday.",
        ));
    }
    write.add_holiday(&holiday.day, &holiday.name).await?;
    finish_idempotent(write, principal, idempotency, 0).await?;
    Ok(holiday)
}

/// Removes an official holiday (its ISO day); a day not listed is not found.
pub async fn remove_holiday(
    store: &Store,
    principal: &Principal,
    day: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    crate::bounds::check_texts(&[("day", Some(day), TextKind::Date)])?;
    if !keeps_calendar(principal) {
        return Err(AppError::Forbidden);
    }
    let day = required_day(day, "day")?;
    let mut write = store.write(actor_of(principal), now).await?;
    if !write.remove_holiday(&day.to_string()).await? {
        return Err(AppError::NotFound);
    }
    write.commit().await?;
    Ok(())
}

/// A day typed in Jalali or ISO (any digits) that must be given.
fn required_day(typed: &str, field: &str) -> Result<IsoDate, AppError> {
    let mut errors = Vec::new();
    if typed.trim().is_empty() {
        return Err(AppError::invalid(
            field,
            "required",
            "تاریخ لازم است.",
            &format!("{field} is required."),
        ));
    }
    let iso = crate::fields::optional_date(&mut errors, field, Some(typed));
    match iso.as_deref().map(IsoDate::parse) {
        Some(Ok(day)) if errors.is_empty() => Ok(day),
        _ => Err(AppError::Invalid(errors)),
    }
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
