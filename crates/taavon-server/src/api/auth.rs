//! Logging in and out through the API, and who am I.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use taavon_app::auth::{self, Via};
use taavon_app::clock;
use taavon_core::access::{JudgePanel, Principal, Role};
use utoipa::ToSchema;

use crate::api::fields;
use crate::api_json::ApiJson;
use crate::auth::ApiUser;
use crate::client_address::ClientAddress;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Credentials.
#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(value_type = fields::Username)]
    pub username: String,
    #[schema(value_type = fields::Password)]
    pub password: String,
}

/// A bearer token for `Authorization: Bearer …`, valid for 12 hours.
#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub expires_in_seconds: i64,
}

/// The caller, with their role and scope.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    /// A role code such as `provincial_officer`.
    pub role: String,
    /// The provinces the caller is confined to; empty for nation-wide roles.
    pub provinces: Vec<String>,
    pub bank: Option<String>,
    pub agency: Option<String>,
    pub cooperative_id: Option<i64>,
    /// A judge's festival (its Jalali year).
    pub festival_year: Option<i32>,
}

impl From<&Principal> for Me {
    fn from(principal: &Principal) -> Self {
        let (provinces, bank, agency, cooperative_id) = match &principal.role {
            Role::MinistryAdmin | Role::Auditor => (Vec::new(), None, None, None),
            Role::Judge { panel, .. } => match panel {
                JudgePanel::Provincial(province) => {
                    (vec![province.as_str().to_owned()], None, None, None)
                }
                JudgePanel::National => (Vec::new(), None, None, None),
            },
            Role::ProvincialOfficer { province } => {
                (vec![province.as_str().to_owned()], None, None, None)
            }
            Role::BankOfficer { bank, provinces } => (
                provinces.iter().map(|p| p.as_str().to_owned()).collect(),
                Some(bank.to_string()),
                None,
                None,
            ),
            Role::AgencyOfficer { agency, provinces } => (
                provinces.iter().map(|p| p.as_str().to_owned()).collect(),
                None,
                Some(agency.to_string()),
                None,
            ),
            Role::CooperativeRepresentative {
                cooperative_id,
                province,
            } => (
                vec![province.as_str().to_owned()],
                None,
                None,
                Some(*cooperative_id),
            ),
        };
        let festival_year = match &principal.role {
            Role::Judge { festival_year, .. } => Some(*festival_year),
            _ => None,
        };
        Self {
            festival_year,
            id: principal.user_id,
            username: principal.username.clone(),
            role: principal.role.kind().code().to_owned(),
            provinces,
            bank,
            agency,
            cooperative_id,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse),
              (status = 401, body = Problem, description = "`bad_credentials`"),
              (status = 422, body = Problem, description = "`invalid_input`: a user name over 32 or a password over 256 characters"),
              (status = 429, body = Problem, description = "`throttled`: too many attempts for this user name from this address, or from this address")))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(source): ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let attempt = auth::LoginAttempt {
        username: &request.username,
        password: &request.password,
        via: Via::Api,
        source,
    };
    let (_, token) = auth::login(&state.store, attempt, clock::now()).await?;
    let token = token.ok_or_else(|| {
        ApiError(taavon_app::AppError::Internal(
            "an API login issued no token".into(),
        ))
    })?;
    Ok(Json(LoginResponse {
        token: token.0,
        expires_in_seconds: auth::TOKEN_LIFETIME_SECONDS,
    }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(State(state): State<AppState>, user: ApiUser) -> Result<StatusCode, ApiError> {
    auth::logout_token(&state.store, &user.principal, &user.token, clock::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(user: ApiUser) -> Json<Me> {
    Json(Me::from(&user.principal))
}
