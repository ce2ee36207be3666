//! The registry of cooperatives, scoped by the caller's role.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use taavon_app::AppError;
use taavon_app::registry;
use taavon_core::reference::ProvinceCode;
use taavon_store::Cooperative;
use utoipa::{IntoParams, ToSchema};

use crate::api_json::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A cooperative.
#[derive(Serialize, ToSchema)]
pub struct CooperativeDto {
    pub id: i64,
    /// ISO 3166-2 province code, e.g. `IR-16`.
    pub province: String,
    pub county: String,
    pub name: String,
    /// production, service, distribution, consumer, housing, multipurpose …
    #[serde(rename = "type")]
    pub kind: String,
    pub sector: String,
    pub legal_id: Option<String>,
    pub registration_number: Option<String>,
    /// ISO date.
    pub registered_on: Option<String>,
    /// ISO date.
    pub founded_on: Option<String>,
    pub women_led: bool,
    pub status: String,
    /// Optimistic-concurrency version: send it back when changing the cooperative.
    pub version: i64,
}

/// A page of cooperatives.
#[derive(Serialize, ToSchema)]
pub struct CooperativePageDto {
    pub items: Vec<CooperativeDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only cooperatives of this province.
    pub province: Option<String>,
    /// At most 500; 50 by default.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl From<Cooperative> for CooperativeDto {
    fn from(c: Cooperative) -> Self {
        let f = c.fields;
        Self {
            id: c.id,
            province: f.province,
            county: f.county,
            name: f.name,
            kind: f.kind,
            sector: f.sector,
            legal_id: f.legal_id,
            registration_number: f.registration_number,
            registered_on: f.registered_on,
            founded_on: f.founded_on,
            women_led: f.women_led,
            status: f.status,
            version: c.version,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/cooperatives", tag = "registry", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = CooperativePageDto), (status = 401, body = Problem),
              (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<CooperativePageDto>, ApiError> {
    let province = match query.province.as_deref() {
        Some(code) => Some(ProvinceCode::parse(code).map_err(|_| {
            AppError::invalid(
                "province",
                "province_code",
                "کد استان معتبر نیست (نمونه: IR-16).",
                "Not a province code (e.g. IR-16).",
            )
        })?),
        None => None,
    };
    let page = registry::list_cooperatives(
        &state.store,
        &user.principal,
        province.as_ref(),
        query.limit.unwrap_or(50),
        query.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(CooperativePageDto {
        items: page.cooperatives.into_iter().map(Into::into).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[utoipa::path(get, path = "/api/v1/cooperatives/{id}", tag = "registry",
    params(("id" = i64, Path, description = "The cooperative's id")),
    security(("bearer" = [])),
    responses((status = 200, body = CooperativeDto), (status = 401, body = Problem),
              (status = 404, body = Problem, description = "Unknown, or outside your scope")))]
pub async fn get_one(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CooperativeDto>, ApiError> {
    let detail = registry::get_cooperative(&state.store, &user.principal, id).await?;
    Ok(Json(detail.cooperative.into()))
}
