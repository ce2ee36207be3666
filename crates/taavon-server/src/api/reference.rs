//! Reference data: public, non-personal (provinces, counties, sectors, agencies, banks).

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use taavon_app::AppError;
use taavon_app::reference::{self, BankWithBranches};
use taavon_core::access::Principal;
use taavon_core::reference::ProvinceCode;
use utoipa::{IntoParams, ToSchema};

use crate::api::fields;
use crate::api_json::ApiQuery;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// These routes are public and authenticate no one: each reads as an anonymous visitor,
/// whom the policy lets read reference data.
const PUBLIC: Option<&Principal> = None;

/// A province with its 1395 census population.
#[derive(Serialize, ToSchema)]
pub struct ProvinceDto {
    /// ISO 3166-2 code, e.g. `IR-16`.
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    pub population_1395: i64,
    pub counties: i64,
    /// Counties of tier 1–2 in the newest classification.
    pub underprivileged_counties: i64,
}

/// A county with its deprivation tier (1 = most underprivileged).
#[derive(Serialize, ToSchema)]
pub struct CountyDto {
    pub code: String,
    pub province: String,
    pub name_fa: String,
    pub name_en: String,
    /// Absent for counties created after the 1395 census.
    pub population_1395: Option<i64>,
    pub tier: Option<i64>,
}

/// A coded, named item (sector, bank).
#[derive(Serialize, ToSchema)]
pub struct NamedDto {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
}

/// An agency of the ministry.
#[derive(Serialize, ToSchema)]
pub struct AgencyDto {
    pub code: String,
    pub kind: String,
    pub name_fa: String,
    pub name_en: String,
}

/// A bank with its branches.
#[derive(Serialize, ToSchema)]
pub struct BankDto {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    pub branches: Vec<BranchDto>,
}

#[derive(Serialize, ToSchema)]
pub struct BranchDto {
    pub code: String,
    pub province: String,
    pub name_fa: String,
    pub name_en: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountyQuery {
    /// Only counties of this province (`IR-16`).
    #[param(value_type = Option<fields::ProvinceCode>)]
    pub province: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/provinces", tag = "reference",
    responses((status = 200, body = [ProvinceDto])))]
pub async fn provinces(State(state): State<AppState>) -> Result<Json<Vec<ProvinceDto>>, ApiError> {
    let rows = reference::provinces(&state.store, PUBLIC).await?;
    Ok(Json(
        rows.into_iter()
            .map(|p| ProvinceDto {
                code: p.code,
                name_fa: p.name_fa,
                name_en: p.name_en,
                population_1395: p.population_1395,
                counties: p.counties,
                underprivileged_counties: p.underprivileged_counties,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/counties", tag = "reference", params(CountyQuery),
    responses((status = 200, body = [CountyDto]), (status = 422, body = Problem)))]
pub async fn counties(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<CountyQuery>,
) -> Result<Json<Vec<CountyDto>>, ApiError> {
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
    let rows = reference::counties(&state.store, PUBLIC, province.as_ref()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|c| CountyDto {
                code: c.code,
                province: c.province,
                name_fa: c.name_fa,
                name_en: c.name_en,
                population_1395: c.population_1395,
                tier: c.tier,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/sectors", tag = "reference",
    responses((status = 200, body = [NamedDto])))]
pub async fn sectors(State(state): State<AppState>) -> Result<Json<Vec<NamedDto>>, ApiError> {
    let rows = reference::sectors(&state.store, PUBLIC).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| NamedDto {
                code: s.code,
                name_fa: s.name_fa,
                name_en: s.name_en,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/agencies", tag = "reference",
    responses((status = 200, body = [AgencyDto])))]
pub async fn agencies(State(state): State<AppState>) -> Result<Json<Vec<AgencyDto>>, ApiError> {
    let rows = reference::agencies(&state.store, PUBLIC).await?;
    Ok(Json(
        rows.into_iter()
            .map(|a| AgencyDto {
                code: a.code.to_string(),
                kind: a.kind.code().to_owned(),
                name_fa: a.name_fa,
                name_en: a.name_en,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/banks", tag = "reference",
    responses((status = 200, body = [BankDto])))]
pub async fn banks(State(state): State<AppState>) -> Result<Json<Vec<BankDto>>, ApiError> {
    let banks = reference::banks(&state.store, PUBLIC).await?;
    Ok(Json(
        banks
            .into_iter()
            .map(|BankWithBranches { bank, branches }| BankDto {
                branches: branches
                    .into_iter()
                    .map(|branch| BranchDto {
                        code: branch.code.to_string(),
                        province: branch.province,
                        name_fa: branch.name_fa,
                        name_en: branch.name_en,
                    })
                    .collect(),
                code: bank.code,
                name_fa: bank.name_fa,
                name_en: bank.name_en,
            })
            .collect(),
    ))
}
