//! Formations: founders' applications and the provincial decision on them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use taavon_app::clock;
use taavon_app::cooperatives::CooperativeInput;
use taavon_app::formations::{self, FormationInput, FounderInput};
use taavon_app::persons::PersonInput;
use taavon_app::rows::Formation;
use taavon_core::registry::{FormationDecision, FormationRules};
use utoipa::{IntoParams, ToSchema};

use crate::api::applications::{DuplicateFlagDto, duplicate_flags};
use crate::api::fields;
use crate::api::keyed::{IdempotencyKey, Keyed};
use crate::api_json::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A formation and where it stands.
#[derive(Serialize, ToSchema)]
pub struct FormationDto {
    pub id: i64,
    pub province: String,
    pub cooperative_id: i64,
    /// submitted, approved or rejected.
    pub status: String,
    /// Likely duplicates found at submission (flagged, never merged).
    pub duplicate_flags: Vec<DuplicateFlagDto>,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
}

/// A founder.
#[derive(Deserialize, ToSchema)]
pub struct FounderDto {
    #[schema(value_type = fields::NationalCode)]
    pub national_code: String,
    #[schema(value_type = fields::Name)]
    pub first_name: String,
    #[schema(value_type = fields::Name)]
    pub last_name: String,
    #[schema(value_type = fields::GenderCode)]
    pub gender: String,
    #[schema(minimum = 1280, maximum = 2030)]
    pub birth_year: Option<i64>,
    #[schema(minimum = 1, maximum = 100_000_000_000_000_i64)]
    pub subscribed_rial: i64,
    #[schema(minimum = 0, maximum = 100_000_000_000_000_i64)]
    pub paid_rial: i64,
}

/// The founders' application.
#[derive(Deserialize, ToSchema)]
pub struct NewFormationDto {
    #[schema(value_type = fields::Name)]
    pub name: String,
    #[serde(rename = "type")]
    #[schema(value_type = fields::CooperativeType)]
    pub kind: String,
    #[schema(value_type = fields::SectorCode)]
    pub sector: String,
    #[schema(value_type = fields::CountyCode)]
    pub county: String,
    #[schema(value_type = Option<fields::LegalIdOrBlank>)]
    pub legal_id: Option<String>,
    #[serde(default)]
    pub women_led: bool,
    #[schema(value_type = Option<fields::FreeText>)]
    pub statute: Option<String>,
    pub founders: Vec<FounderDto>,
}

/// The provincial decision.
#[derive(Deserialize, ToSchema)]
pub struct DecisionDto {
    /// approve or reject.
    #[schema(value_type = fields::FormationDecision)]
    pub decision: String,
    /// Required to reject.
    #[schema(value_type = Option<fields::Reason>)]
    pub reason: Option<String>,
}

impl From<Formation> for FormationDto {
    fn from(f: Formation) -> Self {
        Self {
            id: f.id,
            province: f.province,
            cooperative_id: f.cooperative_id,
            status: f.status.code().to_owned(),
            duplicate_flags: duplicate_flags(&f.duplicate_flags),
            reason: f.reason,
            decided_by: f.decided_by,
        }
    }
}

/// Which page of the formations to list (newest first).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// At most 1000, which is the default.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/formations", tag = "registry", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [FormationDto]), (status = 401, body = Problem),
              (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<FormationDto>>, ApiError> {
    let page = formations::list_formations(
        &state.store,
        &user.principal,
        query.limit.unwrap_or(formations::FORMATION_PAGE_MAX),
        query.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(
        page.formations
            .into_iter()
            .map(|listed| listed.formation.into())
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/formations", tag = "registry", request_body = NewFormationDto,
    security(("bearer" = [])),
    responses((status = 201, body = FormationDto), (status = 401, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<NewFormationDto>,
) -> Result<(StatusCode, Json<FormationDto>), ApiError> {
    let input = FormationInput {
        cooperative: CooperativeInput {
            name: body.name,
            kind: body.kind,
            sector: body.sector,
            county: body.county,
            legal_id: body.legal_id,
            women_led: body.women_led,
            ..CooperativeInput::default()
        },
        founders: body
            .founders
            .into_iter()
            .map(|f| FounderInput {
                person: PersonInput {
                    national_code: f.national_code,
                    first_name: f.first_name,
                    last_name: f.last_name,
                    gender: f.gender,
                    birth_year: f.birth_year,
                    mobile: None,
                },
                subscribed_rial: f.subscribed_rial,
                paid_rial: f.paid_rial,
            })
            .collect(),
        statute: body.statute,
    };
    let formation = formations::submit(
        &state.store,
        &user.principal,
        &input,
        &FormationRules::default(),
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(formation.into())))
}

#[utoipa::path(post, path = "/api/v1/formations/{id}/decision", tag = "registry",
    params(("id" = i64, Path, description = "The formation's id")),
    request_body = DecisionDto, security(("bearer" = [])),
    responses((status = 200, body = FormationDto), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "Already decided"),
              (status = 422, body = Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<DecisionDto>,
) -> Result<Json<FormationDto>, ApiError> {
    let Some(decision) = FormationDecision::parse(&body.decision) else {
        return Err(ApiError(taavon_app::AppError::invalid(
            "decision",
            "unknown",
            "تصمیم باید تأیید یا رد باشد.",
            "decision must be approve or reject.",
        )));
    };
    let formation = formations::decide(
        &state.store,
        &user.principal,
        &state.config.support,
        id,
        decision,
        body.reason.as_deref(),
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(formation.into()))
}
