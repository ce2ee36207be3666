//! The registry of cooperatives: search, create, change (optimistic), members and the
//! share-capital register, scoped by the caller's role.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use taavon_app::clock;
use taavon_app::cooperatives::{self, CooperativeInput, CooperativePatch};
use taavon_app::members;
use taavon_app::persons::PersonInput;
use taavon_app::rows::{Cooperative, Person};
use taavon_app::shares::{self, ShareInput};
use taavon_core::registry::FormationRules;
use utoipa::{IntoParams, ToSchema};

use crate::api::fields;
use crate::api::keyed::{IdempotencyKey, Keyed};
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
    /// production, service, distribution, consumer, housing, multipurpose.
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
    /// forming, registered, active, suspended, dissolved.
    pub status: String,
    pub address: Option<String>,
    pub phone: Option<String>,
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
    /// The `after` of the next page; absent on the last one.
    pub next_after: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A name (Persian-normalised), a legal ID, a registration number or a member's
    /// national code.
    #[param(value_type = Option<fields::SearchText>)]
    pub q: Option<String>,
    #[param(value_type = Option<fields::ProvinceCode>)]
    pub province: Option<String>,
    #[param(value_type = Option<fields::Code>)]
    pub county: Option<String>,
    #[param(value_type = Option<fields::Code>)]
    pub sector: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = Option<fields::CooperativeType>)]
    pub kind: Option<String>,
    #[param(value_type = Option<fields::CooperativeStatusCode>)]
    pub status: Option<String>,
    pub women_led: Option<bool>,
    /// At most 500; 50 by default.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// The rows after this cooperative in the list's order: the `next_after` of the page
    /// before (the first page when absent). A deep page costs what the first does this way;
    /// `offset` counts on from it.
    #[param(minimum = 1)]
    pub after: Option<i64>,
}

/// A cooperative to register.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "name": "تعاونی تولیدی پوشاک بانوان ایلام", "type": "production", "sector": "handicrafts",
    "county": "1601", "women_led": true, "founded_on": "1403/02/23",
    "address": "ایلام، خیابان فردوسی", "phone": "084-3333-0000"
}))]
pub struct NewCooperativeDto {
    #[schema(value_type = fields::Name)]
    pub name: String,
    #[serde(rename = "type")]
    #[schema(value_type = fields::CooperativeType)]
    pub kind: String,
    #[schema(value_type = fields::SectorCode)]
    pub sector: String,
    /// County code; the province follows from it.
    #[schema(value_type = fields::CountyCode)]
    pub county: String,
    #[schema(value_type = Option<fields::LegalIdOrBlank>)]
    pub legal_id: Option<String>,
    /// Jalali (`1403/02/23`) or ISO.
    #[schema(value_type = Option<fields::DateOrBlank>)]
    pub founded_on: Option<String>,
    #[serde(default)]
    pub women_led: bool,
    #[schema(value_type = Option<fields::Reference>)]
    pub registration_number: Option<String>,
    #[schema(value_type = Option<fields::DateOrBlank>)]
    pub registered_on: Option<String>,
    #[schema(value_type = Option<fields::CooperativeStatusOrBlank>)]
    pub status: Option<String>,
    #[schema(value_type = Option<fields::Address>)]
    pub address: Option<String>,
    #[schema(value_type = Option<fields::Phone>)]
    pub phone: Option<String>,
}

/// A change: the fields given change; `version` must be the current one. A representative
/// changes only `name`, `address` and `phone`; every other field is a regulator's and its
/// change needs `reason`.
#[derive(Deserialize, ToSchema)]
pub struct PatchCooperativeDto {
    pub version: i64,
    /// Why a regulatory field changes (kept in the audit trail); required for those.
    #[schema(value_type = Option<fields::Reason>)]
    pub reason: Option<String>,
    #[schema(value_type = Option<fields::Name>)]
    pub name: Option<String>,
    #[serde(rename = "type")]
    #[schema(value_type = Option<fields::CooperativeType>)]
    pub kind: Option<String>,
    #[schema(value_type = Option<fields::SectorCode>)]
    pub sector: Option<String>,
    #[schema(value_type = Option<fields::CountyCode>)]
    pub county: Option<String>,
    #[schema(value_type = Option<fields::LegalIdOrBlank>)]
    pub legal_id: Option<String>,
    #[schema(value_type = Option<fields::DateOrBlank>)]
    pub founded_on: Option<String>,
    pub women_led: Option<bool>,
    #[schema(value_type = Option<fields::Reference>)]
    pub registration_number: Option<String>,
    #[schema(value_type = Option<fields::DateOrBlank>)]
    pub registered_on: Option<String>,
    #[schema(value_type = Option<fields::CooperativeStatusOrBlank>)]
    pub status: Option<String>,
    #[schema(value_type = Option<fields::Address>)]
    pub address: Option<String>,
    #[schema(value_type = Option<fields::Phone>)]
    pub phone: Option<String>,
}

/// A member of a cooperative.
#[derive(Serialize, ToSchema)]
pub struct MemberDto {
    pub id: i64,
    /// Ten digits, normalised.
    pub national_code: String,
    pub first_name: String,
    pub last_name: String,
    pub gender: String,
    pub birth_year: Option<i64>,
    pub mobile: Option<String>,
}

/// A person joining a cooperative.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "national_code": "4512345671", "first_name": "مریم", "last_name": "کریمی",
    "gender": "female", "birth_year": 1365, "mobile": "09181234567"
}))]
pub struct NewMemberDto {
    /// Persian or Arabic digits, spaces and lost leading zeros are accepted.
    #[schema(value_type = fields::NationalCode)]
    pub national_code: String,
    #[schema(value_type = fields::Name)]
    pub first_name: String,
    #[schema(value_type = fields::Name)]
    pub last_name: String,
    /// female or male.
    #[schema(value_type = fields::GenderCode)]
    pub gender: String,
    #[schema(minimum = 1280, maximum = 2030)]
    pub birth_year: Option<i64>,
    #[schema(value_type = Option<fields::MobileOrBlank>)]
    pub mobile: Option<String>,
    /// Jalali or ISO; today by default.
    #[schema(value_type = Option<fields::DateOrBlank>)]
    pub joined_on: Option<String>,
}

/// An entry of the share-capital register.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "kind": "subscription", "national_code": "4512345671", "amount_rial": 50_000_000
}))]
pub struct NewShareEntryDto {
    /// subscription, payment, transfer or withdrawal.
    #[schema(value_type = fields::ShareEntryKind)]
    pub kind: String,
    #[schema(value_type = fields::NationalCode)]
    pub national_code: String,
    #[schema(value_type = Option<fields::NationalCode>)]
    pub to_national_code: Option<String>,
    #[schema(minimum = 1, maximum = 100_000_000_000_000_i64)]
    pub amount_rial: i64,
    #[schema(value_type = Option<fields::DateOrBlank>)]
    pub entered_on: Option<String>,
}

/// The share-capital register with each member's position.
#[derive(Serialize, ToSchema)]
pub struct ShareRegisterDto {
    pub entries: Vec<ShareEntryDto>,
    pub members: Vec<MemberCapitalDto>,
    pub subscribed_rial: i64,
    pub paid_rial: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ShareEntryDto {
    pub id: i64,
    pub kind: String,
    pub person_id: i64,
    pub to_person_id: Option<i64>,
    pub amount_rial: i64,
    pub entered_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct MemberCapitalDto {
    pub person_id: i64,
    pub subscribed_rial: i64,
    pub paid_rial: i64,
}

impl From<Cooperative> for CooperativeDto {
    fn from(c: Cooperative) -> Self {
        let f = c.fields;
        Self {
            id: c.id,
            province: f.province,
            county: f.county,
            name: f.name,
            kind: f.kind.code().to_owned(),
            sector: f.sector,
            legal_id: f.legal_id,
            registration_number: f.registration_number,
            registered_on: f.registered_on,
            founded_on: f.founded_on,
            women_led: f.women_led,
            status: f.status.code().to_owned(),
            address: f.address,
            phone: f.phone,
            version: c.version,
        }
    }
}

impl From<Person> for MemberDto {
    fn from(p: Person) -> Self {
        let f = p.fields;
        Self {
            id: p.id,
            national_code: f.national_code,
            first_name: f.first_name,
            last_name: f.last_name,
            gender: f.gender.code().to_owned(),
            birth_year: f.birth_year,
            mobile: f.mobile,
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
    let search = cooperatives::CooperativeSearch {
        q: query.q,
        province: query.province,
        county: query.county,
        sector: query.sector,
        kind: query.kind,
        status: query.status,
        women_led: query.women_led,
    };
    let mut filter = search.filter()?;
    filter.after_cooperative = query.after;
    let page = cooperatives::list_cooperatives(
        &state.store,
        &user.principal,
        &filter,
        query.limit.unwrap_or(50),
        query.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(CooperativePageDto {
        items: page.cooperatives.into_iter().map(Into::into).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
        next_after: page.next_after,
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
    let cooperative = cooperatives::get_cooperative(&state.store, &user.principal, id).await?;
    Ok(Json(cooperative.into()))
}

#[utoipa::path(post, path = "/api/v1/cooperatives", tag = "registry",
    request_body = NewCooperativeDto, security(("bearer" = [])),
    responses((status = 201, body = CooperativeDto), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<NewCooperativeDto>,
) -> Result<(StatusCode, Json<CooperativeDto>), ApiError> {
    let input = CooperativeInput {
        name: body.name,
        kind: body.kind,
        sector: body.sector,
        county: body.county,
        legal_id: body.legal_id,
        registration_number: body.registration_number,
        registered_on: body.registered_on,
        founded_on: body.founded_on,
        women_led: body.women_led,
        status: body.status,
        address: body.address,
        phone: body.phone,
    };
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    let cooperative = cooperatives::create_cooperative(
        &state.store,
        &user.principal,
        &input,
        idempotency,
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(cooperative.into())))
}

#[utoipa::path(patch, path = "/api/v1/cooperatives/{id}", tag = "registry",
    params(("id" = i64, Path, description = "The cooperative's id")),
    request_body = PatchCooperativeDto, security(("bearer" = [])),
    responses((status = 200, body = CooperativeDto),
              (status = 403, body = Problem, description = "A field you may not change"),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "`version` is stale"),
              (status = 422, body = Problem)))]
pub async fn patch(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<PatchCooperativeDto>,
) -> Result<Json<CooperativeDto>, ApiError> {
    let patch = CooperativePatch {
        version: body.version,
        reason: body.reason,
        name: body.name,
        kind: body.kind,
        sector: body.sector,
        county: body.county,
        legal_id: body.legal_id,
        registration_number: body.registration_number,
        registered_on: body.registered_on,
        founded_on: body.founded_on,
        women_led: body.women_led,
        status: body.status,
        address: body.address,
        phone: body.phone,
    };
    let cooperative = cooperatives::update_cooperative(
        &state.store,
        &user.principal,
        id,
        &patch,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(cooperative.into()))
}

#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/members", tag = "registry",
    params(("id" = i64, Path, description = "The cooperative's id")),
    security(("bearer" = [])),
    responses((status = 200, body = [MemberDto]),
              (status = 403, body = Problem, description = "A bank reads only its borrowers' members"),
              (status = 404, body = Problem)))]
pub async fn members(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<MemberDto>>, ApiError> {
    let members = members::members(&state.store, &user.principal, id).await?;
    Ok(Json(members.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/members", tag = "registry",
    params(("id" = i64, Path, description = "The cooperative's id")),
    request_body = NewMemberDto, security(("bearer" = [])),
    responses((status = 201, body = MemberDto), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn add_member(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<NewMemberDto>,
) -> Result<(StatusCode, Json<MemberDto>), ApiError> {
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    let input = PersonInput {
        national_code: body.national_code,
        first_name: body.first_name,
        last_name: body.last_name,
        gender: body.gender,
        birth_year: body.birth_year,
        mobile: body.mobile,
    };
    let person = members::add_member(
        &state.store,
        &user.principal,
        id,
        &input,
        body.joined_on.as_deref(),
        idempotency,
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(person.into())))
}

#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/shares", tag = "registry",
    params(("id" = i64, Path, description = "The cooperative's id")),
    security(("bearer" = [])),
    responses((status = 200, body = ShareRegisterDto),
              (status = 403, body = Problem, description = "A bank reads only its borrowers' registers"),
              (status = 404, body = Problem)))]
pub async fn shares(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ShareRegisterDto>, ApiError> {
    let register = shares::share_register(&state.store, &user.principal, id).await?;
    Ok(Json(register_dto(register)))
}

#[utoipa::path(post, path = "/api/v1/cooperatives/{id}/shares", tag = "registry",
    params(("id" = i64, Path, description = "The cooperative's id")),
    request_body = NewShareEntryDto, security(("bearer" = [])),
    responses((status = 201, body = ShareRegisterDto), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn add_share_entry(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<NewShareEntryDto>,
) -> Result<(StatusCode, Json<ShareRegisterDto>), ApiError> {
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    let input = ShareInput {
        kind: body.kind,
        national_code: body.national_code,
        to_national_code: body.to_national_code,
        amount_rial: body.amount_rial,
        entered_on: body.entered_on,
    };
    let register = shares::add_share_entry(
        &state.store,
        &user.principal,
        id,
        &input,
        &FormationRules::default(),
        idempotency,
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(register_dto(register))))
}

fn register_dto(register: shares::ShareRegister) -> ShareRegisterDto {
    ShareRegisterDto {
        entries: register
            .entries
            .into_iter()
            .map(|e| ShareEntryDto {
                id: e.id,
                kind: e.kind.code().to_owned(),
                person_id: e.person_id,
                to_person_id: e.counterpart_id,
                amount_rial: e.amount_rial,
                entered_on: e.entered_on,
            })
            .collect(),
        members: register
            .balances
            .into_iter()
            .map(|(person_id, subscribed_rial, paid_rial)| MemberCapitalDto {
                person_id,
                subscribed_rial,
                paid_rial,
            })
            .collect(),
        subscribed_rial: register.subscribed,
        paid_rial: register.paid,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SurplusQuery {
    /// First day of the period (Jalali or ISO).
    #[param(value_type = fields::Date)]
    pub from: String,
    /// Day after the period (Jalali or ISO).
    #[param(value_type = fields::Date)]
    pub to: String,
    /// The surplus to share, in rials.
    #[param(minimum = 0, maximum = 100_000_000_000_000_i64)]
    pub total_rial: i64,
}

/// One member's part of the surplus.
#[derive(Serialize, ToSchema)]
pub struct SurplusPartDto {
    pub person_id: i64,
    /// Paid-in rials × days held, as a decimal string (it can exceed 2^53).
    pub share_days: String,
    pub amount_rial: i64,
}

#[utoipa::path(get, path = "/api/v1/cooperatives/{id}/surplus", tag = "registry",
    params(("id" = i64, Path, description = "The cooperative's id"), SurplusQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [SurplusPartDto]), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn surplus(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<SurplusQuery>,
) -> Result<Json<Vec<SurplusPartDto>>, ApiError> {
    let parts = shares::surplus_distribution(
        &state.store,
        &user.principal,
        id,
        &query.from,
        &query.to,
        query.total_rial,
    )
    .await?;
    Ok(Json(
        parts
            .into_iter()
            .map(|p| SurplusPartDto {
                person_id: p.person_id,
                share_days: p.share_days.to_string(),
                amount_rial: p.amount_rial,
            })
            .collect(),
    ))
}
