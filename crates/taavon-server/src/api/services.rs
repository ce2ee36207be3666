//! Services delivered (issue 15): one record, an agency's file (a streamed body, like the
//! insured-worker lists), the imports, the gap list and the counties' synergy figures.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use taavon_app::clock;
use taavon_app::services::{
    self, CountySynergy, Gap, ServiceFigure, ServiceFile, ServiceImport, ServiceInput,
};
use taavon_core::reference::ProvinceCode;
use utoipa::{IntoParams, ToSchema};

use crate::api::fields;
use crate::api::impact::receive_table;
use crate::api::keyed::{IdempotencyKey, KeyOnly, Keyed};
use crate::api_json::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A service an agency delivered, to a person or a cooperative.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"agency": "behzisti", "reference": "H-1403-0001", "kind": "housing_unit", "county": "1601", "national_code": "0012345679", "delivered_on": "1403/07/15"}))]
pub struct NewServiceDto {
    #[schema(value_type = fields::AgencyCode)]
    pub agency: String,
    /// The agency's own reference: a second record with it changes nothing.
    #[schema(value_type = fields::Reference)]
    pub reference: String,
    #[schema(value_type = fields::ServiceKindCode)]
    pub kind: String,
    #[schema(value_type = fields::CountyCode)]
    pub county: String,
    /// The person served (or give `cooperative_legal_id`).
    #[schema(value_type = Option<fields::NationalCodeOrBlank>)]
    pub national_code: Option<String>,
    /// The cooperative served (or give `national_code`).
    #[schema(value_type = Option<fields::LegalIdOrBlank>)]
    pub cooperative_legal_id: Option<String>,
    /// People reached: one for a person (the default), a course's participants for a
    /// cooperative.
    #[schema(minimum = 1, maximum = 10000)]
    pub people: Option<i64>,
    #[schema(minimum = 0, maximum = 100_000_000_000_000_i64)]
    pub amount_rial: Option<i64>,
    /// Jalali (`1403/07/15`) or ISO; not after today.
    #[schema(value_type = fields::Date)]
    pub delivered_on: String,
}

/// What recording did.
#[derive(Serialize, ToSchema)]
pub struct ServiceRecordedDto {
    /// False when the agency's reference was already recorded (left as it was).
    pub created: bool,
}

/// A stored import of an agency's file.
#[derive(Serialize, ToSchema)]
pub struct ServiceImportDto {
    pub id: i64,
    /// agency or bank.
    pub provider_kind: String,
    pub provider: String,
    pub file_name: String,
    /// SHA-256 of the file's bytes, hexadecimal.
    pub content_sha256: String,
    pub rows: i64,
    pub created: i64,
    /// Rows whose reference was already recorded.
    pub unchanged: i64,
    pub imported_by: String,
    pub imported_at: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The agency whose services the file holds.
    #[param(value_type = fields::AgencyCode)]
    pub agency: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProvinceQuery {
    /// One province's counties; absent: the nation's.
    #[param(value_type = Option<fields::ProvinceCode>)]
    pub province: Option<String>,
}

/// A provider below its national rate in a county.
#[derive(Serialize, ToSchema)]
pub struct ShortfallDto {
    /// agency or bank.
    pub provider_kind: String,
    pub provider: String,
    pub delivered: u64,
    /// The provider's national services per person times the county's population.
    pub expected: u64,
}

/// One underprivileged county of the gap list.
#[derive(Serialize, ToSchema)]
pub struct GapDto {
    pub county: String,
    pub province: String,
    /// 1 (most underprivileged) or 2.
    pub tier: u8,
    /// The 1395 census population.
    pub population: u64,
    pub services: u64,
    /// Services per 1 000 population, in thousandths.
    pub per_thousand_milli: u64,
    /// Largest shortfall first.
    pub shortfalls: Vec<ShortfallDto>,
}

/// Services of one provider and kind in a county.
#[derive(Serialize, ToSchema)]
pub struct ServiceFigureDto {
    pub provider_kind: String,
    pub provider: String,
    #[schema(value_type = fields::ServiceKindRecorded)]
    pub kind: String,
    pub services: i64,
    pub people: i64,
}

/// One county on the synergy map.
#[derive(Serialize, ToSchema)]
pub struct CountySynergyDto {
    pub county: String,
    pub province: String,
    pub name_fa: String,
    pub name_en: String,
    pub tier: Option<u8>,
    pub population: Option<u64>,
    pub services: u64,
    pub people: u64,
    /// Services per 1 000 population, in thousandths; null without a census population.
    pub per_thousand_milli: Option<u64>,
    pub figures: Vec<ServiceFigureDto>,
}

impl From<ServiceImport> for ServiceImportDto {
    fn from(i: ServiceImport) -> Self {
        Self {
            id: i.id,
            provider_kind: i.fields.provider.kind().code().to_owned(),
            provider: i.fields.provider.code().to_owned(),
            file_name: i.fields.file_name,
            content_sha256: i.fields.content_sha256,
            rows: i.fields.rows,
            created: i.fields.created,
            unchanged: i.fields.unchanged,
            imported_by: i.imported_by,
            imported_at: i.imported_at,
        }
    }
}

impl From<Gap> for GapDto {
    fn from(g: Gap) -> Self {
        Self {
            county: g.county,
            province: g.province,
            tier: g.tier.get(),
            population: g.population,
            services: g.services,
            per_thousand_milli: g.per_thousand_milli,
            shortfalls: g
                .shortfalls
                .into_iter()
                .map(|s| ShortfallDto {
                    provider_kind: s.provider.kind().code().to_owned(),
                    provider: s.provider.code().to_owned(),
                    delivered: s.delivered,
                    expected: s.expected,
                })
                .collect(),
        }
    }
}

impl From<ServiceFigure> for ServiceFigureDto {
    fn from(f: ServiceFigure) -> Self {
        Self {
            provider_kind: f.provider.kind().code().to_owned(),
            provider: f.provider.code().to_owned(),
            kind: f.kind.code().to_owned(),
            services: f.services,
            people: f.people,
        }
    }
}

impl From<CountySynergy> for CountySynergyDto {
    fn from(c: CountySynergy) -> Self {
        Self {
            county: c.county,
            province: c.province,
            name_fa: c.name_fa,
            name_en: c.name_en,
            tier: c.tier.map(|t| t.get()),
            population: c.population,
            services: c.services,
            people: c.people,
            per_thousand_milli: c.per_thousand_milli,
            figures: c.figures.into_iter().map(Into::into).collect(),
        }
    }
}

/// Records one service (an officer of the agency, in its provinces; the ministry).
#[utoipa::path(post, path = "/api/v1/services", tag = "services",
    request_body = NewServiceDto, security(("bearer" = [])),
    responses((status = 201, body = ServiceRecordedDto), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn record(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<NewServiceDto>,
) -> Result<(StatusCode, Json<ServiceRecordedDto>), ApiError> {
    let input = ServiceInput {
        agency: body.agency,
        reference: body.reference,
        kind: body.kind,
        county: body.county,
        national_code: body.national_code.unwrap_or_default(),
        cooperative_legal_id: body.cooperative_legal_id.unwrap_or_default(),
        people: body.people.map(|p| p.to_string()).unwrap_or_default(),
        amount_rial: body.amount_rial.map(|a| a.to_string()).unwrap_or_default(),
        delivered_on: body.delivered_on,
    };
    let recorded = services::record_service(
        &state.store,
        &user.principal,
        &input,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(ServiceRecordedDto {
            created: recorded.created,
        }),
    ))
}

/// Imports an agency's services. The body is the file itself, streamed to disk: CSV
/// (UTF-8, a byte-order mark allowed) or XLSX, with the columns reference, kind, county,
/// national code or cooperative legal ID, people, amount, delivery date (Persian or
/// English headers, any digits, Jalali or ISO dates). A row whose reference the agency
/// already sent is left as it is. A file with a bad row stores nothing: 422 names each
/// bad cell, `rows[N].column` (N its line, 1 the header). An `Idempotency-Key` retried
/// with the same bytes answers the first import.
#[utoipa::path(post, path = "/api/v1/services/imports", tag = "services",
    params(ImportQuery), security(("bearer" = [])),
    request_body(description = "The agency's file.",
        content((String = "text/csv"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 201, body = ServiceImportDto),
              (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 413, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem, description = "A bad cell (each named), an \
                empty file, an unknown agency, or an Idempotency-Key used with other bytes.")))]
pub async fn import(
    State(state): State<AppState>,
    user: ApiUser,
    KeyOnly(key): KeyOnly,
    ApiQuery(query): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (file, extension) = match receive_table(&headers, body).await {
        Ok(received) => received,
        Err(response) => return Ok(response),
    };
    let name = format!("services.{extension}");
    let import = services::upload_services(
        &state.store,
        &user.principal,
        &query.agency,
        ServiceFile {
            path: &file.path,
            name: &name,
        },
        &file.sha256,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ServiceImportDto::from(import))).into_response())
}

/// The newest imports of the caller's agency (every agency's for the ministry and
/// auditors; none for others).
#[utoipa::path(get, path = "/api/v1/services/imports", tag = "services",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ServiceImportDto>), (status = 401, body = Problem)))]
pub async fn imports(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<ServiceImportDto>>, ApiError> {
    let imports = services::service_imports(&state.store, &user.principal).await?;
    Ok(Json(imports.into_iter().map(Into::into).collect()))
}

/// The gap list: underprivileged counties (tiers 1–2) ranked by services per 1 000
/// population, lowest first, each with the agencies and banks below their national rate.
#[utoipa::path(get, path = "/api/v1/services/gaps", tag = "services",
    params(ProvinceQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<GapDto>), (status = 401, body = Problem),
              (status = 422, body = Problem)))]
pub async fn gaps(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<ProvinceQuery>,
) -> Result<Json<Vec<GapDto>>, ApiError> {
    let province = province_of(query.province.as_deref())?;
    let gaps = services::gaps(&state.store, &user.principal, province.as_ref()).await?;
    Ok(Json(gaps.into_iter().map(Into::into).collect()))
}

/// Every county's services by provider and kind, and per 1 000 population: the synergy
/// map's figures, read from the county figures kept with the records.
#[utoipa::path(get, path = "/api/v1/services/counties", tag = "services",
    params(ProvinceQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<CountySynergyDto>), (status = 401, body = Problem),
              (status = 422, body = Problem)))]
pub async fn counties(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<ProvinceQuery>,
) -> Result<Json<Vec<CountySynergyDto>>, ApiError> {
    let province = province_of(query.province.as_deref())?;
    let counties = services::synergy(&state.store, &user.principal, province.as_ref()).await?;
    Ok(Json(counties.into_iter().map(Into::into).collect()))
}

/// A province filter exactly as given: absent is the nation, anything else (blank included)
/// must be a province code, as the schema's enum says.
fn province_of(text: Option<&str>) -> Result<Option<ProvinceCode>, ApiError> {
    match text {
        None => Ok(None),
        Some(text) => ProvinceCode::parse(text).map(Some).map_err(|_| {
            ApiError(taavon_app::AppError::invalid(
                "province",
                "province_code",
                "کد استان شناخته نیست.",
                "Unknown province code.",
            ))
        }),
    }
}
