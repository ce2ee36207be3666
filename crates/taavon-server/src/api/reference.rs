//! Reference data: public, non-personal (provinces, counties, sectors, agencies, banks).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use taavon_app::AppError;
use taavon_app::reference;
use taavon_app::rows::{NamedRow, ReferenceSnapshot};
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

/// The answer `body` builds from the reference snapshot, tagged (see `tagged`).
async fn from_snapshot<T: Serialize>(
    state: &AppState,
    headers: &HeaderMap,
    body: impl FnOnce(&ReferenceSnapshot) -> T,
) -> Result<Response, ApiError> {
    let snapshot = reference::snapshot(&state.store, PUBLIC).await?;
    let body = body(&snapshot);
    Ok(tagged(headers, &snapshot, body))
}

/// A reference list's answer: its JSON with the snapshot's tag as `ETag`, and 304 when the
/// client already holds that tag (`If-None-Match`). Every answer keeps `no-store`, so
/// browsers do not cache it; a client that keeps the lists itself revalidates cheaply.
fn tagged<T: Serialize>(headers: &HeaderMap, snapshot: &ReferenceSnapshot, body: T) -> Response {
    let etag = format!("\"ref-{}\"", snapshot.tag);
    let held = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| {
            let v = v.trim();
            v == "*" || v.trim_start_matches("W/") == etag
        });
    let mut response = if held {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Json(body).into_response()
    };
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[utoipa::path(get, path = "/api/v1/provinces", tag = "reference",
    responses((status = 200, body = [ProvinceDto]),
              (status = 304, description = "Not modified: If-None-Match names the current ETag")))]
pub async fn provinces(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    from_snapshot(&state, &headers, |snapshot| {
        snapshot
            .provinces
            .iter()
            .map(|p| ProvinceDto {
                code: p.code.clone(),
                name_fa: p.name_fa.clone(),
                name_en: p.name_en.clone(),
                population_1395: p.population_1395,
                counties: p.counties,
                underprivileged_counties: p.underprivileged_counties,
            })
            .collect::<Vec<_>>()
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/counties", tag = "reference", params(CountyQuery),
    responses((status = 200, body = [CountyDto]),
              (status = 304, description = "Not modified: If-None-Match names the current ETag"),
              (status = 422, body = Problem)))]
pub async fn counties(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<CountyQuery>,
) -> Result<Response, ApiError> {
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
    from_snapshot(&state, &headers, |snapshot| {
        reference::counties_of(snapshot, province.as_ref())
            .map(|c| CountyDto {
                code: c.code.clone(),
                province: c.province.clone(),
                name_fa: c.name_fa.clone(),
                name_en: c.name_en.clone(),
                population_1395: c.population_1395,
                tier: c.tier,
            })
            .collect::<Vec<_>>()
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/sectors", tag = "reference",
    responses((status = 200, body = [NamedDto]),
              (status = 304, description = "Not modified: If-None-Match names the current ETag")))]
pub async fn sectors(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    from_snapshot(&state, &headers, |snapshot| {
        snapshot.sectors.iter().map(named).collect::<Vec<_>>()
    })
    .await
}

fn named(row: &NamedRow) -> NamedDto {
    NamedDto {
        code: row.code.clone(),
        name_fa: row.name_fa.clone(),
        name_en: row.name_en.clone(),
    }
}

#[utoipa::path(get, path = "/api/v1/agencies", tag = "reference",
    responses((status = 200, body = [AgencyDto]),
              (status = 304, description = "Not modified: If-None-Match names the current ETag")))]
pub async fn agencies(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    from_snapshot(&state, &headers, |snapshot| {
        snapshot
            .agencies
            .iter()
            .map(|a| AgencyDto {
                code: a.code.to_string(),
                kind: a.kind.code().to_owned(),
                name_fa: a.name_fa.clone(),
                name_en: a.name_en.clone(),
            })
            .collect::<Vec<_>>()
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/banks", tag = "reference",
    responses((status = 200, body = [BankDto]),
              (status = 304, description = "Not modified: If-None-Match names the current ETag")))]
pub async fn banks(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    from_snapshot(&state, &headers, |snapshot| {
        snapshot
            .banks
            .iter()
            .map(|bank| {
                let NamedDto {
                    code,
                    name_fa,
                    name_en,
                } = named(bank);
                BankDto {
                    branches: snapshot
                        .branches
                        .iter()
                        .filter(|branch| branch.bank.as_str() == bank.code)
                        .map(|branch| BranchDto {
                            code: branch.code.to_string(),
                            province: branch.province.clone(),
                            name_fa: branch.name_fa.clone(),
                            name_en: branch.name_en.clone(),
                        })
                        .collect(),
                    code,
                    name_fa,
                    name_en,
                }
            })
            .collect::<Vec<_>>()
    })
    .await
}
