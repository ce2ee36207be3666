//! Applications for facilities and their workflow.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use taavon_app::applications::{self, ApplicationInput, TransitionInput};
use taavon_app::clock;
use taavon_app::rows::{Application, ApplicationEvent};
use taavon_core::programs::scoring::Score;
use utoipa::{IntoParams, ToSchema};

use crate::api::fields;
use crate::api::keyed::{IdempotencyKey, Keyed};
use crate::api_json::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// An application for a facility.
#[derive(Serialize, ToSchema)]
pub struct ApplicationDto {
    pub id: i64,
    pub program: String,
    pub province: String,
    pub county: String,
    pub sector: String,
    /// cooperative, artisan or welfare.
    pub applicant_kind: String,
    pub cooperative_id: Option<i64>,
    pub client_id: Option<i64>,
    /// Rials.
    pub amount: i64,
    pub jobs: i64,
    pub women_jobs: i64,
    pub purpose: String,
    /// development or working_capital.
    pub financing: String,
    pub women_led: bool,
    /// draft, submitted, ineligible, under_review, awaiting_second_approval, approved,
    /// rejected, referred, bank_approved, bank_rejected, withdrawn.
    pub status: String,
    /// The county's tier and the score (hundredths of a point) at the last decision.
    pub tier: Option<i64>,
    pub score_x100: Option<i64>,
    pub referred_bank: Option<String>,
    pub referred_branch: Option<String>,
    /// Likely duplicates (flagged, never merged).
    pub duplicate_flags: Vec<DuplicateFlagDto>,
    pub version: i64,
    pub created_at: String,
}

/// A likely duplicate found for the reviewer (flagged, never merged).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct DuplicateFlagDto {
    /// same_applicant_and_program (an application), same_legal_id or
    /// founder_on_forming_cooperative (a formation).
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<i64>,
    /// The other application's state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cooperative_id: Option<i64>,
    /// The other cooperative's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The duplicate lies outside the reader's scope: only its rule is shown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outside_scope: bool,
}

/// The duplicate flags as stored (a JSON array; none if unreadable).
pub fn duplicate_flags(stored: &str) -> Vec<DuplicateFlagDto> {
    serde_json::from_str(stored).unwrap_or_default()
}

/// One move of an application.
#[derive(Serialize, ToSchema)]
pub struct EventDto {
    pub id: i64,
    /// A transition action, or `create` (the drafting), `eligibility` (the automatic
    /// check after submission) or `contract`.
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub actor: String,
    pub reason: Option<String>,
    /// What the decision rested on.
    #[schema(value_type = Option<Object>)]
    pub snapshot: Option<serde_json::Value>,
    pub at: String,
}

/// An application with its history and its score's factors.
#[derive(Serialize, ToSchema)]
pub struct ApplicationDetailDto {
    #[serde(flatten)]
    pub application: ApplicationDto,
    pub events: Vec<EventDto>,
    /// The score as computed now, each factor's contribution shown.
    #[schema(value_type = Option<Object>)]
    pub score: Option<Score>,
    /// The transition actions the caller may take now (the policy, four eyes included,
    /// and the state); the page offers exactly these.
    pub permitted_actions: Vec<String>,
    /// Whether the caller may change what it asks now (`PUT /api/v1/applications/{id}`):
    /// a draft or an ineligible application, by its applicant's side.
    pub may_revise: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationPageDto {
    pub items: Vec<ApplicationDto>,
    pub total: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(value_type = Option<fields::Code>)]
    pub program: Option<String>,
    #[param(value_type = Option<fields::ProvinceCode>)]
    pub province: Option<String>,
    #[param(value_type = Option<fields::ApplicationStatus>)]
    pub status: Option<String>,
    pub cooperative_id: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// A new application (a draft): exactly one of `cooperative_id` and `client_id`.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "program": "note18", "cooperative_id": 1, "amount": 15_000_000_000_i64, "jobs": 12,
    "women_jobs": 10, "purpose": "خرید چرخ خیاطی صنعتی و مواد اولیه"
}))]
pub struct NewApplicationDto {
    #[schema(value_type = fields::ProgramCode)]
    pub program: String,
    pub cooperative_id: Option<i64>,
    pub client_id: Option<i64>,
    /// Rials.
    #[schema(minimum = 1, maximum = 100_000_000_000_000_i64)]
    pub amount: i64,
    #[schema(minimum = 0)]
    pub jobs: i64,
    #[serde(default)]
    #[schema(minimum = 0)]
    pub women_jobs: i64,
    #[schema(value_type = fields::FreeText)]
    pub purpose: String,
    /// development (default) or working_capital.
    #[schema(value_type = Option<fields::FinancingCode>)]
    pub financing: Option<String>,
    /// Default: the applicant's county.
    #[schema(value_type = Option<fields::CountyCode>)]
    pub county: Option<String>,
    /// Default: the applicant's sector.
    #[schema(value_type = Option<fields::SectorCode>)]
    pub sector: Option<String>,
}

/// What a draft, or an application found ineligible, asks, changed by its applicant's
/// side at the version it read; it is a draft again after (to be submitted anew). The
/// applicant stays; a county or sector not given stays as it was.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "version": 1, "program": "women", "amount": 800_000_000, "jobs": 4, "women_jobs": 4,
    "purpose": "چرخ خیاطی"
}))]
pub struct RevisionDto {
    /// The version read (a revision of a changed application answers 409).
    #[schema(minimum = 1)]
    pub version: i64,
    #[schema(value_type = fields::ProgramCode)]
    pub program: String,
    /// Rials.
    #[schema(minimum = 1, maximum = 100_000_000_000_000_i64)]
    pub amount: i64,
    #[schema(minimum = 0)]
    pub jobs: i64,
    #[serde(default)]
    #[schema(minimum = 0)]
    pub women_jobs: i64,
    #[schema(value_type = fields::FreeText)]
    pub purpose: String,
    /// development (default) or working_capital.
    #[schema(value_type = Option<fields::FinancingCode>)]
    pub financing: Option<String>,
    #[schema(value_type = Option<fields::CountyCode>)]
    pub county: Option<String>,
    #[schema(value_type = Option<fields::SectorCode>)]
    pub sector: Option<String>,
}

/// One step: submit, approve, reject, refer, bank_approve, bank_reject or withdraw.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"action": "submit"}))]
pub struct TransitionDto {
    #[schema(value_type = fields::TransitionActionCode)]
    pub action: String,
    /// Required to reject.
    #[schema(value_type = Option<fields::Reason>)]
    pub reason: Option<String>,
    /// For refer: the bank's code (default the program's bank).
    #[schema(value_type = Option<fields::BankCode>)]
    pub bank: Option<String>,
}

/// The step's result.
#[derive(Serialize, ToSchema)]
pub struct TransitionResultDto {
    pub application: ApplicationDto,
    /// The event that recorded the step (a replay returns the same one).
    pub event_id: i64,
}

impl From<Application> for ApplicationDto {
    fn from(a: Application) -> Self {
        let f = a.fields;
        Self {
            id: a.id,
            program: f.program,
            province: f.province,
            county: f.county,
            sector: f.sector,
            applicant_kind: f.applicant_kind.code().to_owned(),
            cooperative_id: f.cooperative_id,
            client_id: f.client_id,
            amount: f.amount_rial,
            jobs: f.jobs,
            women_jobs: f.women_jobs,
            purpose: f.purpose,
            financing: f.financing.code().to_owned(),
            women_led: f.women_led,
            status: f.status.code().to_owned(),
            tier: a.tier,
            score_x100: a.score_x100,
            referred_bank: a.referred_bank.as_ref().map(ToString::to_string),
            referred_branch: a.referred_branch.as_ref().map(ToString::to_string),
            duplicate_flags: duplicate_flags(&a.duplicate_flags),
            version: a.version,
            created_at: a.created_at,
        }
    }
}

impl From<ApplicationEvent> for EventDto {
    fn from(e: ApplicationEvent) -> Self {
        Self {
            id: e.id,
            action: e.action.code().to_owned(),
            from_state: e.from_state.code().to_owned(),
            to_state: e.to_state.code().to_owned(),
            actor: e.actor,
            reason: e.reason,
            snapshot: e.snapshot.and_then(|s| serde_json::from_str(&s).ok()),
            at: e.at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/applications", tag = "applications", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ApplicationPageDto), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ApplicationPageDto>, ApiError> {
    let filter = applications::ApplicationSearch {
        program: query.program,
        province: query.province,
        status: query.status,
        cooperative_id: query.cooperative_id,
    }
    .filter()?;
    let page = applications::list_applications(
        &state.store,
        &user.principal,
        &filter,
        query.limit.unwrap_or(50),
        query.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(ApplicationPageDto {
        items: page.applications.into_iter().map(Into::into).collect(),
        total: page.total,
    }))
}

#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = ApplicationDetailDto),
              (status = 404, body = Problem, description = "Unknown, or outside your scope")))]
pub async fn get_one(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ApplicationDetailDto>, ApiError> {
    let detail =
        applications::application_detail(&state.store, &user.principal, id, clock::now()).await?;
    Ok(Json(ApplicationDetailDto {
        application: detail.application.into(),
        events: detail.events.into_iter().map(Into::into).collect(),
        score: detail.score,
        permitted_actions: detail
            .moves
            .iter()
            .map(|action| action.code().to_owned())
            .collect(),
        may_revise: detail.may_revise,
    }))
}

#[utoipa::path(post, path = "/api/v1/applications", tag = "applications",
    request_body = NewApplicationDto, security(("bearer" = [])),
    responses((status = 201, body = ApplicationDto), (status = 403, body = Problem),
              (status = 404, body = Problem, description = "The applicant is unknown or outside your scope (checked before any field)"),
              (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<NewApplicationDto>,
) -> Result<(StatusCode, Json<ApplicationDto>), ApiError> {
    let input = ApplicationInput {
        program: body.program,
        cooperative_id: body.cooperative_id,
        client_id: body.client_id,
        amount_rial: body.amount,
        jobs: body.jobs,
        women_jobs: body.women_jobs,
        purpose: body.purpose,
        financing: body.financing,
        county: body.county,
        sector: body.sector,
    };
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    let application = applications::create_application(
        &state.store,
        &user.principal,
        &input,
        idempotency,
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(application.into())))
}

#[utoipa::path(put, path = "/api/v1/applications/{id}", tag = "applications",
    params(("id" = i64, Path)),
    request_body = RevisionDto, security(("bearer" = [])),
    responses((status = 200, body = ApplicationDto, description = "Revised: a draft again"),
              (status = 403, body = Problem, description = "Not the applicant's side (its representative, or the officer who drafted it)"),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "No longer a draft or ineligible, or changed since `version`"),
              (status = 422, body = Problem)))]
pub async fn revise(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<RevisionDto>,
) -> Result<Json<ApplicationDto>, ApiError> {
    let input = ApplicationInput {
        program: body.program,
        cooperative_id: None,
        client_id: None,
        amount_rial: body.amount,
        jobs: body.jobs,
        women_jobs: body.women_jobs,
        purpose: body.purpose,
        financing: body.financing,
        county: body.county,
        sector: body.sector,
    };
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    let application = applications::revise_application(
        &state.store,
        &user.principal,
        id,
        body.version,
        &input,
        idempotency,
        clock::now(),
    )
    .await?;
    Ok(Json(application.into()))
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/transitions", tag = "applications",
    params(("id" = i64, Path)),
    request_body = TransitionDto, security(("bearer" = [])),
    responses((status = 200, body = TransitionResultDto),
              (status = 403, body = Problem, description = "Your role may not take this step (code forbidden), or four eyes: you drafted, submitted or already approved it (code four_eyes)"),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "Not possible from the current state (another step won)"),
              (status = 422, body = Problem)))]
pub async fn transition(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<TransitionDto>,
) -> Result<Json<TransitionResultDto>, ApiError> {
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    let input = TransitionInput {
        action: body.action,
        reason: body.reason,
        bank: body.bank,
    };
    let outcome = applications::transition(
        &state.store,
        &user.principal,
        id,
        &input,
        state.config.workflow,
        idempotency,
        clock::now(),
    )
    .await?;
    Ok(Json(TransitionResultDto {
        application: outcome.application.into(),
        event_id: outcome.event_id,
    }))
}
