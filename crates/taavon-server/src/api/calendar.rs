//! The working calendar: the open business date and the official holidays (besides
//! Fridays) that due dates and late charges count by. Anyone logged in reads it; the
//! ministry lists and removes holidays.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use taavon_app::{clock, loans};
use utoipa::ToSchema;

use crate::api::fields;
use crate::api::keyed::{IdempotencyKey, Keyed};
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// An official holiday.
#[derive(Serialize, ToSchema)]
pub struct HolidayDto {
    /// ISO date.
    pub day: String,
    pub name: String,
}

/// The open business date and the official holidays, in date order.
#[derive(Serialize, ToSchema)]
pub struct CalendarDto {
    /// ISO date: the day transactions are recorded on until end of day closes it.
    pub business_date: String,
    pub holidays: Vec<HolidayDto>,
}

/// A holiday to list.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"day": "1404/03/16", "name": "عید قربان"}))]
pub struct NewHolidayDto {
    /// Jalali or ISO, any digits.
    #[schema(value_type = fields::Date)]
    pub day: String,
    #[schema(value_type = fields::Name)]
    pub name: String,
}

impl From<loans::Holiday> for HolidayDto {
    fn from(h: loans::Holiday) -> Self {
        Self {
            day: h.day,
            name: h.name,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/calendar", tag = "loans", security(("bearer" = [])),
    responses((status = 200, body = CalendarDto), (status = 401, body = Problem)))]
pub async fn calendar(
    State(state): State<AppState>,
    _user: ApiUser,
) -> Result<Json<CalendarDto>, ApiError> {
    let business_date = loans::business_date(&state.store, clock::now()).await?;
    let holidays = loans::holidays(&state.store).await?;
    Ok(Json(CalendarDto {
        business_date: business_date.to_string(),
        holidays: holidays.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/holidays", tag = "loans", request_body = NewHolidayDto,
    security(("bearer" = [])),
    responses((status = 201, body = HolidayDto), (status = 403, body = Problem),
              (status = 422, body = Problem, description = "Not a date, no name, or already listed")))]
pub async fn add_holiday(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<NewHolidayDto>,
) -> Result<(StatusCode, Json<HolidayDto>), ApiError> {
    let holiday = loans::add_holiday(
        &state.store,
        &user.principal,
        &body.day,
        &body.name,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(holiday.into())))
}

#[utoipa::path(delete, path = "/api/v1/holidays/{day}", tag = "loans",
    params(("day" = fields::Date, Path, description = "The holiday's day (ISO or Jalali)")),
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = Problem),
              (status = 404, body = Problem, description = "Not listed"),
              (status = 422, body = Problem)))]
pub async fn remove_holiday(
    State(state): State<AppState>,
    user: ApiUser,
    Path(day): Path<String>,
) -> Result<StatusCode, ApiError> {
    loans::remove_holiday(&state.store, &user.principal, &day, clock::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
