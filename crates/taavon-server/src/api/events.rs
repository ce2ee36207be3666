//! Events (issue 19): `GET /api/v1/events`, the pull by cursor, and the webhook
//! subscriptions that push the same events, signed per the Standard Webhooks
//! specification. Each event type's name and payload shape are documented here.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use taavon_app::events::{self, EVENTS_PAGE_DEFAULT, EventPage};
use taavon_app::rows::{DeliveryRow, EventRecord, Subscription};
use taavon_app::webhooks::{self, SubscriptionInput, SubscriptionWithSecret};
use taavon_app::{AppError, clock};
use taavon_core::events::EventType;
use utoipa::{IntoParams, ToSchema};

use crate::api::keyed::{IdempotencyKey, KeyOnly, Keyed};
use crate::api_json::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The name of an event type. Its `data` is the resource the name begins with, as the
/// API shows it: `application.*` an `ApplicationEventData`, `loan.*` a `LoanEventData`
/// (with the `transaction` that changed it), `fund.deposited` a `FundDepositEventData`,
/// `support_request.*` a `SupportRequestEventData`, `award.published` an
/// `AwardEventData`. Every type is at version 1.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy)]
pub enum EventTypeName {
    /// An application was submitted and checked for eligibility.
    #[serde(rename = "application.submitted")]
    ApplicationSubmitted,
    /// An application was approved.
    #[serde(rename = "application.approved")]
    ApplicationApproved,
    /// An application was rejected.
    #[serde(rename = "application.rejected")]
    ApplicationRejected,
    /// An application was referred to a bank.
    #[serde(rename = "application.referred")]
    ApplicationReferred,
    /// The bank approved a referred application.
    #[serde(rename = "application.bank_approved")]
    ApplicationBankApproved,
    /// A loan was contracted.
    #[serde(rename = "loan.contracted")]
    LoanContracted,
    /// A tranche of a loan was disbursed.
    #[serde(rename = "loan.disbursed")]
    LoanDisbursed,
    /// A repayment was received on a loan.
    #[serde(rename = "loan.repaid")]
    LoanRepaid,
    /// A loan transaction was reversed.
    #[serde(rename = "loan.reversed")]
    LoanReversed,
    /// A loan was settled early.
    #[serde(rename = "loan.settled")]
    LoanSettled,
    /// A loan was rescheduled.
    #[serde(rename = "loan.rescheduled")]
    LoanRescheduled,
    /// End of day changed a loan's CBI class.
    #[serde(rename = "loan.class_changed")]
    LoanClassChanged,
    /// An agency deposited money into a pooled fund.
    #[serde(rename = "fund.deposited")]
    FundDeposited,
    /// A support request was filed and routed to a unit.
    #[serde(rename = "support_request.routed")]
    SupportRequestRouted,
    /// A support request was answered by its unit.
    #[serde(rename = "support_request.answered")]
    SupportRequestAnswered,
    /// A reported hire was verified against the insured lists.
    #[serde(rename = "job.verified")]
    JobVerified,
    /// A festival round's results were published.
    #[serde(rename = "award.published")]
    AwardPublished,
}

/// The payload of `application.*` events.
#[derive(Serialize, ToSchema)]
pub struct ApplicationEventData {
    pub id: i64,
    pub status: String,
    pub province: String,
    pub county: String,
    pub program: String,
    pub applicant_kind: String,
    pub cooperative_id: Option<i64>,
    pub client_id: Option<i64>,
    pub sector: String,
    pub amount_rial: i64,
    pub jobs: i64,
    pub women_jobs: i64,
    pub tier: Option<i64>,
    pub referred_bank: Option<String>,
    pub referred_branch: Option<String>,
    pub version: i64,
}

/// The loan transaction a `loan.*` event's change came from.
#[derive(Serialize, ToSchema)]
pub struct EventTransaction {
    pub id: i64,
}

/// The payload of `loan.*` events.
#[derive(Serialize, ToSchema)]
pub struct LoanEventData {
    pub id: i64,
    pub application_id: i64,
    pub province: String,
    pub program: String,
    pub cooperative_id: Option<i64>,
    pub client_id: Option<i64>,
    pub bank: String,
    pub branch: String,
    pub contract_no: String,
    pub contract_type: String,
    pub principal_rial: i64,
    pub rate_bp: i64,
    pub months: i64,
    pub contracted_on: String,
    pub status: String,
    pub disbursed_rial: i64,
    pub outstanding_principal_rial: i64,
    pub class: String,
    pub schedule_version: i64,
    pub version: i64,
    /// Absent on `loan.contracted`.
    pub transaction: Option<EventTransaction>,
}

/// The payload of `fund.deposited`.
#[derive(Serialize, ToSchema)]
pub struct FundDepositEventData {
    /// `agency:bank:reference`.
    pub id: String,
    pub agency: String,
    pub bank: String,
    pub amount_rial: i64,
    pub reference: String,
}

/// The payload of `support_request.*` events.
#[derive(Serialize, ToSchema)]
pub struct SupportRequestEventData {
    pub id: i64,
    pub province: String,
    pub cooperative_id: Option<i64>,
    pub client_id: Option<i64>,
    pub kind: String,
    pub topic: String,
    /// provincial_office, agency or bank.
    pub unit_kind: String,
    pub unit_code: Option<String>,
    pub status: String,
    pub filed_on: String,
    pub deadline: String,
}

/// The payload of `award.published`.
#[derive(Serialize, ToSchema)]
pub struct AwardEventData {
    /// The festival's id.
    pub id: i64,
    pub year: i32,
    /// provincial or national.
    pub round: String,
    pub state: String,
}

/// One event, as pulled and as pushed (a delivery's body is `{"type","timestamp","data"}`).
#[derive(Serialize, ToSchema)]
pub struct OutboxEventDto {
    /// The event's public id (also the `webhook-id` of its deliveries).
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: EventTypeName,
    pub version: i64,
    /// RFC 3339 instant (UTC) of the change's commit.
    pub timestamp: String,
    /// The resource as the API shows it, with its `id` (see `EventTypeName`).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// A page of events.
#[derive(Serialize, ToSchema)]
pub struct EventPageDto {
    pub items: Vec<OutboxEventDto>,
    /// The cursor to ask `after=` next (the same when nothing newer is readable yet).
    pub next: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// The cursor of the last page's `next`; 0 (the default) from the start.
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// Comma-separated event type names; all when absent.
    #[param(max_length = 600, example = "loan.disbursed,loan.repaid")]
    pub types: Option<String>,
    /// At most 1000; 100 by default.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// A subscription to make.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"url": "https://core.bank.example/taavon-webhooks", "event_types": ["loan.disbursed", "loan.repaid"]}))]
pub struct SubscriptionInputDto {
    /// https (a closed network's http only where configured), never resolving to a
    /// loopback, private, link-local or metadata address.
    #[schema(max_length = 2000)]
    pub url: String,
    #[schema(min_items = 1, max_items = 17)]
    pub event_types: Vec<EventTypeName>,
}

/// A subscription.
#[derive(Serialize, ToSchema)]
pub struct SubscriptionDto {
    pub id: i64,
    pub url: String,
    pub event_types: Vec<EventTypeName>,
    pub created_at: String,
}

/// A subscription as made or with its new secret: the only answers that show it.
#[derive(Serialize, ToSchema)]
pub struct SubscriptionSecretDto {
    pub id: i64,
    pub url: String,
    pub event_types: Vec<EventTypeName>,
    /// `whsec_` and the base64 of 24 random bytes; the key of the signatures.
    pub secret: String,
}

/// One delivery of an event to a subscription.
#[derive(Serialize, ToSchema)]
pub struct DeliveryDto {
    pub id: i64,
    pub event_id: String,
    #[serde(rename = "type")]
    pub event_type: EventTypeName,
    /// pending, delivered or dead.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_status: Option<i64>,
    pub last_duration_ms: Option<i64>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<String>,
}

impl From<EventType> for EventTypeName {
    fn from(kind: EventType) -> Self {
        match kind {
            EventType::ApplicationSubmitted => Self::ApplicationSubmitted,
            EventType::ApplicationApproved => Self::ApplicationApproved,
            EventType::ApplicationRejected => Self::ApplicationRejected,
            EventType::ApplicationReferred => Self::ApplicationReferred,
            EventType::ApplicationBankApproved => Self::ApplicationBankApproved,
            EventType::LoanContracted => Self::LoanContracted,
            EventType::LoanDisbursed => Self::LoanDisbursed,
            EventType::LoanRepaid => Self::LoanRepaid,
            EventType::LoanReversed => Self::LoanReversed,
            EventType::LoanSettled => Self::LoanSettled,
            EventType::LoanRescheduled => Self::LoanRescheduled,
            EventType::LoanClassChanged => Self::LoanClassChanged,
            EventType::FundDeposited => Self::FundDeposited,
            EventType::SupportRequestRouted => Self::SupportRequestRouted,
            EventType::SupportRequestAnswered => Self::SupportRequestAnswered,
            EventType::JobVerified => Self::JobVerified,
            EventType::AwardPublished => Self::AwardPublished,
        }
    }
}

impl EventTypeName {
    /// The name as the core spells it.
    fn code(self) -> Option<EventType> {
        let text = serde_json::to_value(self).ok()?;
        EventType::parse(text.as_str()?)
    }
}

impl From<EventRecord> for OutboxEventDto {
    fn from(e: EventRecord) -> Self {
        Self {
            id: e.event_id,
            event_type: e.event_type.into(),
            version: e.version,
            timestamp: e.occurred_at,
            data: serde_json::from_str(&e.data).unwrap_or(serde_json::Value::Null),
        }
    }
}

impl From<Subscription> for SubscriptionDto {
    fn from(s: Subscription) -> Self {
        Self {
            id: s.id,
            url: s.fields.url,
            event_types: s.fields.event_types.into_iter().map(Into::into).collect(),
            created_at: s.created_at,
        }
    }
}

impl From<SubscriptionWithSecret> for SubscriptionSecretDto {
    fn from(s: SubscriptionWithSecret) -> Self {
        Self {
            id: s.subscription.id,
            url: s.subscription.fields.url,
            event_types: s
                .subscription
                .fields
                .event_types
                .into_iter()
                .map(Into::into)
                .collect(),
            secret: s.secret,
        }
    }
}

impl From<DeliveryRow> for DeliveryDto {
    fn from(d: DeliveryRow) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type.into(),
            state: d.state,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_status: d.last_status,
            last_duration_ms: d.last_duration_ms,
            last_error: d.last_error,
            last_attempt_at: d.last_attempt_at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventQuery),
    security(("bearer" = [])),
    responses((status = 200, body = EventPageDto), (status = 400, body = Problem),
              (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<EventQuery>,
) -> Result<Json<EventPageDto>, ApiError> {
    let types = match query.types.as_deref() {
        None => Vec::new(),
        Some(list) => EventType::parse_list(list).map_err(|_| {
            AppError::invalid(
                "types",
                "unknown",
                "نوع رویداد شناخته نیست.",
                "types lists known event type names, comma-separated.",
            )
        })?,
    };
    let EventPage { items, next } = events::list_events(
        &state.store,
        &user.principal,
        query.after.unwrap_or(0),
        &types,
        query.limit.unwrap_or(EVENTS_PAGE_DEFAULT),
    )
    .await?;
    Ok(Json(EventPageDto {
        items: items.into_iter().map(Into::into).collect(),
        next,
    }))
}

#[utoipa::path(post, path = "/api/v1/webhook-subscriptions", tag = "events",
    request_body = SubscriptionInputDto, security(("bearer" = [])),
    responses((status = 201, body = SubscriptionSecretDto), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<SubscriptionInputDto>,
) -> Result<(StatusCode, Json<SubscriptionSecretDto>), ApiError> {
    let input = SubscriptionInput {
        url: body.url,
        event_types: body
            .event_types
            .into_iter()
            .filter_map(EventTypeName::code)
            .map(|t| t.code().to_owned())
            .collect(),
    };
    let made = webhooks::create_subscription(
        &state.store,
        &user.principal,
        &input,
        &state.config.webhooks,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(made.into())))
}

#[utoipa::path(get, path = "/api/v1/webhook-subscriptions", tag = "events",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<SubscriptionDto>), (status = 403, body = Problem)))]
pub async fn list_subscriptions(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<SubscriptionDto>>, ApiError> {
    let found = webhooks::subscriptions(&state.store, &user.principal).await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

#[utoipa::path(delete, path = "/api/v1/webhook-subscriptions/{id}", tag = "events",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    webhooks::delete_subscription(&state.store, &user.principal, id, clock::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/webhook-subscriptions/{id}/secret", tag = "events",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = SubscriptionSecretDto,
               description = "The new secret; the old one signs too (a second `v1,` signature) during the overlap"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn rotate(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    KeyOnly(key): KeyOnly,
) -> Result<Json<SubscriptionSecretDto>, ApiError> {
    let rotated = webhooks::rotate_secret(
        &state.store,
        &user.principal,
        id,
        &state.config.webhooks,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(rotated.into()))
}

#[utoipa::path(get, path = "/api/v1/webhook-subscriptions/{id}/deliveries", tag = "events",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<DeliveryDto>), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn deliveries(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<DeliveryDto>>, ApiError> {
    let found = webhooks::deliveries(&state.store, &user.principal, id).await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/webhook-subscriptions/{id}/deliveries/{delivery_id}/replay",
    tag = "events", security(("bearer" = [])),
    params(("id" = i64, Path), ("delivery_id" = i64, Path)),
    responses((status = 202, description = "Sent again from its first attempt"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn replay(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, delivery_id)): Path<(i64, i64)>,
    KeyOnly(key): KeyOnly,
) -> Result<StatusCode, ApiError> {
    webhooks::replay_delivery(
        &state.store,
        &user.principal,
        id,
        delivery_id,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(StatusCode::ACCEPTED)
}
