//! User accounts, for ministry admins.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use taavon_app::clock;
use taavon_app::users::{self, Caller, PasswordRule, UserInput};
use utoipa::ToSchema;

use crate::api::auth::Me;
use crate::api::fields;
use crate::api::keyed::{IdempotencyKey, Keyed};
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A user account to create.
#[derive(Deserialize, ToSchema)]
pub struct NewUserDto {
    #[schema(value_type = fields::NewUsername)]
    pub username: String,
    #[schema(value_type = fields::Name)]
    pub display_name: String,
    /// At least 10 characters.
    #[schema(value_type = fields::NewPassword)]
    pub password: String,
    /// ministry_admin, provincial_officer, bank_officer, agency_officer,
    /// cooperative_representative or auditor.
    #[schema(value_type = fields::RoleCode)]
    pub role: String,
    #[schema(value_type = Option<fields::ProvinceCode>)]
    pub province: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<fields::ProvinceCode>)]
    pub provinces: Vec<String>,
    #[schema(value_type = Option<fields::BankCode>)]
    pub bank: Option<String>,
    #[schema(value_type = Option<fields::AgencyCode>)]
    pub agency: Option<String>,
    pub cooperative_id: Option<i64>,
    /// A judge's festival (its Jalali year).
    #[schema(minimum = 1300, maximum = 1500)]
    pub festival_year: Option<i32>,
}

/// The id of a created resource.
#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = [Me]), (status = 401, body = Problem),
              (status = 403, body = Problem)))]
pub async fn list(State(state): State<AppState>, user: ApiUser) -> Result<Json<Vec<Me>>, ApiError> {
    let users = users::list_users(&state.store, &user.principal).await?;
    Ok(Json(
        users
            .iter()
            .map(|u| Me::from(&taavon_app::auth::principal_of(u)))
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    request_body = NewUserDto,
    responses((status = 201, body = Created), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<NewUserDto>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = UserInput {
        username: body.username,
        display_name: body.display_name,
        password: body.password,
        role: body.role,
        province: body.province,
        provinces: body.provinces,
        bank: body.bank,
        agency: body.agency,
        cooperative_id: body.cooperative_id,
        festival_year: body.festival_year,
    };
    let id = users::add_user(
        &state.store,
        Caller::User(&user.principal),
        &input,
        PasswordRule::Standard,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}
