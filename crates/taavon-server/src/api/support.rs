//! Support requests (issue 15): filing, the list (scoped to the caller), one request with
//! its thread, the moves of each side, ratings, attachments (raw PDF, PNG or JPEG bodies
//! under the configured limit), the topics, the ministry's routing rules and the SLA
//! figures.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use taavon_app::clock;
use taavon_app::support::{
    self, RequestInput, RoutingRule, RuleInput, SlaGroup, SlaLine, SupportAttachment,
    SupportRequest, SupportRequestView, SupportTopic,
};
use utoipa::{IntoParams, ToSchema};

use crate::api::fields;
use crate::api::keyed::{IdempotencyKey, KeyOnly, Keyed};
use crate::api_json::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Whether `path` is an attachment upload, whose body is read under the configured
/// attachment limit rather than the API's 1 MiB.
pub fn is_attachment_upload(path: &str) -> bool {
    path.strip_prefix("/api/v1/support-requests/")
        .and_then(|rest| rest.strip_suffix("/attachments"))
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// A topic.
#[derive(Serialize, ToSchema)]
pub struct TopicDto {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
}

/// Which unit answers a topic in a province.
#[derive(Serialize, ToSchema)]
pub struct RoutingRuleDto {
    pub topic: String,
    pub province: String,
    #[schema(value_type = fields::SupportUnitKind)]
    pub unit_kind: String,
    /// The agency's or bank's code; none for the provincial office.
    pub unit_code: Option<String>,
    pub updated_by: String,
    pub updated_at: String,
}

/// A routing rule as the ministry sets it.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"topic": "training", "province": "IR-16", "unit_kind": "agency", "unit_code": "tvto"}))]
pub struct RoutingRuleInputDto {
    #[schema(value_type = fields::Code)]
    pub topic: String,
    #[schema(value_type = fields::ProvinceCode)]
    pub province: String,
    #[schema(value_type = fields::SupportUnitKind)]
    pub unit_kind: String,
    #[schema(value_type = Option<fields::Code>)]
    pub unit_code: Option<String>,
}

/// A request to file: a cooperative's (by its representative) or an individual
/// client's (by an officer of its province).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"cooperative_id": 1, "kind": "technical", "topic": "licence", "body": "راهنمایی برای مجوز صادرات"}))]
pub struct NewSupportRequestDto {
    pub cooperative_id: Option<i64>,
    pub client_id: Option<i64>,
    #[schema(value_type = fields::SupportKindCode)]
    pub kind: String,
    #[schema(value_type = fields::Code)]
    pub topic: String,
    #[schema(value_type = fields::FreeText)]
    pub body: String,
}

/// A support request.
#[derive(Serialize, ToSchema)]
pub struct SupportRequestDto {
    pub id: i64,
    pub province: String,
    pub cooperative_id: Option<i64>,
    pub client_id: Option<i64>,
    /// The cooperative's name, or the client's.
    pub requester_name: String,
    #[schema(value_type = fields::SupportKindCode)]
    pub kind: String,
    pub topic: String,
    pub topic_name_fa: String,
    pub body: String,
    #[schema(value_type = fields::SupportUnitKind)]
    pub unit_kind: String,
    pub unit_code: Option<String>,
    #[schema(value_type = fields::SupportStatusCode)]
    pub status: String,
    pub assignee_user_id: Option<i64>,
    pub assignee_name: Option<String>,
    /// ISO dates.
    pub filed_on: String,
    pub deadline: String,
    pub answered_on: Option<String>,
    /// `provincial_head` or `ministry`: the highest level reached.
    pub escalation: Option<String>,
    pub satisfaction: Option<i64>,
    pub satisfaction_comment: Option<String>,
}

/// One message of the thread.
#[derive(Serialize, ToSchema)]
pub struct SupportMessageDto {
    pub id: i64,
    pub author_user_id: i64,
    pub author_name: String,
    pub written_at: String,
    pub body: String,
}

/// An attachment (its content at `/api/v1/support-attachments/{id}`).
#[derive(Serialize, ToSchema)]
pub struct SupportAttachmentDto {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the content, hexadecimal.
    pub content_sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// An escalation level reached and its day.
#[derive(Serialize, ToSchema)]
pub struct EscalationDto {
    pub level: String,
    pub on: String,
}

/// One request with its thread and what the caller may do.
#[derive(Serialize, ToSchema)]
pub struct SupportRequestViewDto {
    pub request: SupportRequestDto,
    pub messages: Vec<SupportMessageDto>,
    pub attachments: Vec<SupportAttachmentDto>,
    pub escalations: Vec<EscalationDto>,
    pub overdue: bool,
    /// The statuses the caller may move it to.
    #[schema(value_type = Vec<fields::SupportStatusCode>)]
    pub moves: Vec<String>,
    pub may_reply: bool,
    pub may_rate: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Blank: every status.
    #[param(value_type = Option<fields::SupportStatusCodeOrBlank>)]
    pub status: Option<String>,
    /// Only those awaiting an answer past their deadline.
    pub overdue: Option<bool>,
}

/// Assigns the request (no user: the caller takes it).
#[derive(Deserialize, ToSchema)]
pub struct AssignmentDto {
    pub assignee_user_id: Option<i64>,
}

/// A message for the thread.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"body": "مدارک را پیوست کردیم."}))]
pub struct MessageDto {
    #[schema(value_type = fields::FreeText)]
    pub body: String,
}

/// A support request's status move (named apart from an application's step, whose
/// schema is `TransitionDto`).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"status": "assigned"}))]
pub struct SupportMoveDto {
    #[schema(value_type = fields::SupportStatusCode)]
    pub status: String,
}

/// The requester's rating of a closed request.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"satisfaction": 5, "comment": "پاسخ به‌موقع بود"}))]
pub struct RatingDto {
    #[schema(minimum = 1, maximum = 5)]
    pub satisfaction: i64,
    #[schema(value_type = Option<fields::FreeText>)]
    pub comment: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachmentQuery {
    /// The file's name as the uploader has it.
    #[param(value_type = Option<fields::Name>)]
    pub file_name: Option<String>,
}

/// The SLA figures of one group.
#[derive(Serialize, ToSchema)]
pub struct SlaLineDto {
    /// `unit` or `province`.
    pub group: String,
    /// The unit's kind (for a unit line).
    pub unit_kind: Option<String>,
    /// The agency's or bank's code, or the province's.
    pub code: Option<String>,
    pub received: u64,
    pub answered_in_time: u64,
    pub overdue: u64,
    pub median_days_to_answer: Option<i64>,
    /// The mean rating in hundredths (420 is 4.2).
    pub mean_satisfaction_hundredths: Option<i64>,
}

/// The SLA figures the caller may see.
#[derive(Serialize, ToSchema)]
pub struct SlaDto {
    pub by_unit: Vec<SlaLineDto>,
    pub by_province: Vec<SlaLineDto>,
}

impl From<SupportRequest> for SupportRequestDto {
    fn from(r: SupportRequest) -> Self {
        Self {
            id: r.id,
            province: r.fields.province.as_str().to_owned(),
            cooperative_id: r.fields.cooperative_id,
            client_id: r.fields.client_id,
            requester_name: r.requester_name,
            kind: r.fields.kind.code().to_owned(),
            topic: r.fields.topic,
            topic_name_fa: r.topic_name_fa,
            body: r.fields.body,
            unit_kind: r.fields.unit.kind().code().to_owned(),
            unit_code: r.fields.unit.code().map(str::to_owned),
            status: r.status.code().to_owned(),
            assignee_user_id: r.assignee_user_id,
            assignee_name: r.assignee_name,
            filed_on: r.fields.filed_on,
            deadline: r.fields.deadline,
            answered_on: r.answered_on,
            escalation: r.escalation.map(|level| level.code().to_owned()),
            satisfaction: r.satisfaction,
            satisfaction_comment: r.satisfaction_comment,
        }
    }
}

impl From<SupportAttachment> for SupportAttachmentDto {
    fn from(a: SupportAttachment) -> Self {
        Self {
            id: a.id,
            file_name: a.file_name,
            content_type: a.content_type.code().to_owned(),
            size_bytes: a.size_bytes,
            content_sha256: a.content_sha256,
            uploaded_by: a.uploaded_by,
            uploaded_at: a.uploaded_at,
        }
    }
}

impl From<SupportRequestView> for SupportRequestViewDto {
    fn from(v: SupportRequestView) -> Self {
        Self {
            request: v.request.into(),
            messages: v
                .messages
                .into_iter()
                .map(|m| SupportMessageDto {
                    id: m.id,
                    author_user_id: m.author_user_id,
                    author_name: m.author_name,
                    written_at: m.written_at,
                    body: m.body,
                })
                .collect(),
            attachments: v.attachments.into_iter().map(Into::into).collect(),
            escalations: v
                .escalations
                .into_iter()
                .map(|(level, on)| EscalationDto {
                    level: level.code().to_owned(),
                    on,
                })
                .collect(),
            overdue: v.overdue,
            moves: v.moves.iter().map(|s| s.code().to_owned()).collect(),
            may_reply: v.may_reply,
            may_rate: v.may_rate,
        }
    }
}

impl From<RoutingRule> for RoutingRuleDto {
    fn from(r: RoutingRule) -> Self {
        Self {
            topic: r.topic,
            province: r.province.as_str().to_owned(),
            unit_kind: r.unit.kind().code().to_owned(),
            unit_code: r.unit.code().map(str::to_owned),
            updated_by: r.updated_by,
            updated_at: r.updated_at,
        }
    }
}

impl From<SupportTopic> for TopicDto {
    fn from(t: SupportTopic) -> Self {
        Self {
            code: t.code,
            name_fa: t.name_fa,
            name_en: t.name_en,
        }
    }
}

impl From<SlaLine> for SlaLineDto {
    fn from(line: SlaLine) -> Self {
        let (group, unit_kind, code) = match line.group {
            SlaGroup::Unit(kind, code) => ("unit", Some(kind.code().to_owned()), code),
            SlaGroup::Province(province) => ("province", None, Some(province.as_str().to_owned())),
        };
        Self {
            group: group.to_owned(),
            unit_kind,
            code,
            received: line.received,
            answered_in_time: line.answered_in_time,
            overdue: line.overdue,
            median_days_to_answer: line.median_days_to_answer,
            mean_satisfaction_hundredths: line.mean_satisfaction_hundredths,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/support-requests", tag = "support", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<SupportRequestDto>), (status = 401, body = Problem),
              (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<SupportRequestDto>>, ApiError> {
    let requests = support::list_requests(
        &state.store,
        &user.principal,
        query.status.as_deref(),
        query.overdue.unwrap_or(false),
        clock::now(),
    )
    .await?;
    Ok(Json(requests.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/support-requests", tag = "support",
    request_body = NewSupportRequestDto, security(("bearer" = [])),
    responses((status = 201, body = SupportRequestDto), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn file(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<NewSupportRequestDto>,
) -> Result<(StatusCode, Json<SupportRequestDto>), ApiError> {
    let request = support::file_request(
        &state.store,
        &user.principal,
        &state.config.support,
        &RequestInput {
            cooperative_id: body.cooperative_id,
            client_id: body.client_id,
            kind: body.kind,
            topic: body.topic,
            body: body.body,
        },
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(request.into())))
}

#[utoipa::path(get, path = "/api/v1/support-requests/{id}", tag = "support",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = SupportRequestViewDto), (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<SupportRequestViewDto>, ApiError> {
    let view = support::request_view(&state.store, &user.principal, id, clock::now()).await?;
    Ok(Json(view.into()))
}

#[utoipa::path(post, path = "/api/v1/support-requests/{id}/assignment", tag = "support",
    params(("id" = i64, Path)), request_body = AssignmentDto, security(("bearer" = [])),
    responses((status = 200, body = SupportRequestDto), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn assign(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<AssignmentDto>,
) -> Result<Json<SupportRequestDto>, ApiError> {
    let request = support::assign(
        &state.store,
        &user.principal,
        id,
        body.assignee_user_id,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(request.into()))
}

#[utoipa::path(post, path = "/api/v1/support-requests/{id}/messages", tag = "support",
    params(("id" = i64, Path)), request_body = MessageDto, security(("bearer" = [])),
    responses((status = 200, body = SupportRequestDto), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reply(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<MessageDto>,
) -> Result<Json<SupportRequestDto>, ApiError> {
    let request = support::reply(
        &state.store,
        &user.principal,
        id,
        &body.body,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(request.into()))
}

#[utoipa::path(post, path = "/api/v1/support-requests/{id}/transitions", tag = "support",
    params(("id" = i64, Path)), request_body = SupportMoveDto, security(("bearer" = [])),
    responses((status = 200, body = SupportRequestDto), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem, description = "A move the caller's side may not make")))]
pub async fn transition(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<SupportMoveDto>,
) -> Result<Json<SupportRequestDto>, ApiError> {
    let request = support::move_request(
        &state.store,
        &user.principal,
        id,
        &body.status,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(request.into()))
}

#[utoipa::path(post, path = "/api/v1/support-requests/{id}/rating", tag = "support",
    params(("id" = i64, Path)), request_body = RatingDto, security(("bearer" = [])),
    responses((status = 200, body = SupportRequestDto), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn rate(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<RatingDto>,
) -> Result<Json<SupportRequestDto>, ApiError> {
    let request = support::rate(
        &state.store,
        &user.principal,
        id,
        body.satisfaction,
        body.comment.as_deref(),
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(request.into()))
}

/// Attaches the body (PDF, PNG or JPEG, as its bytes say) to the request; anything else,
/// or more than the configured limit, is refused and nothing stored.
#[utoipa::path(post, path = "/api/v1/support-requests/{id}/attachments", tag = "support",
    params(("id" = i64, Path), AttachmentQuery),
    request_body(description = "The file's bytes; its type is read from them, not from a header.",
        content((Vec<u8> = "application/octet-stream"), (Vec<u8> = "application/pdf"),
                (Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"))),
    security(("bearer" = [])),
    responses((status = 201, body = SupportAttachmentDto), (status = 404, body = Problem),
              (status = 422, body = Problem, description = "Too large, or not a PDF, PNG or JPEG")))]
pub async fn attach(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    KeyOnly(key): KeyOnly,
    ApiQuery(query): ApiQuery<AttachmentQuery>,
    body: Body,
) -> Result<(StatusCode, Json<SupportAttachmentDto>), ApiError> {
    let limit = state.config.support.attachment_max_bytes;
    // One byte past the limit is enough to know it is too large; the use case names it.
    let content = axum::body::to_bytes(body, limit.saturating_add(1))
        .await
        .map_err(|_| support::attachment_too_large(&state.config.support))?;
    let stored = support::attach(
        &state.store,
        &user.principal,
        &state.config.support,
        id,
        support::AttachedFile {
            name: query.file_name.as_deref().unwrap_or(""),
            content: content.as_ref(),
        },
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// An attachment's content, for those who may read its request.
#[utoipa::path(get, path = "/api/v1/support-attachments/{id}", tag = "support",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, description = "The file, as its bytes say it is",
               content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/png"),
                       (Vec<u8> = "image/jpeg"))),
              (status = 404, body = Problem)))]
pub async fn download(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (stored, content) = support::attachment(&state.store, &user.principal, id).await?;
    Ok(file_response(&stored, content))
}

/// The file as a download: its sniffed type, never rendered inline.
pub fn file_response(stored: &SupportAttachment, content: Vec<u8>) -> Response {
    let mut response = content.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(stored.content_type.code()),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment"),
    );
    response
}

#[utoipa::path(get, path = "/api/v1/support-requests/topics", tag = "support",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<TopicDto>), (status = 401, body = Problem)))]
pub async fn topics(
    State(state): State<AppState>,
    _user: ApiUser,
) -> Result<Json<Vec<TopicDto>>, ApiError> {
    let topics = support::topics(&state.store).await?;
    Ok(Json(topics.into_iter().map(Into::into).collect()))
}

/// A topic as the ministry keeps it.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"code": "water", "name_fa": "آب و انرژی", "name_en": "Water and energy"}))]
pub struct TopicInputDto {
    #[schema(value_type = fields::Code)]
    pub code: String,
    #[schema(value_type = fields::Name)]
    pub name_fa: String,
    #[schema(value_type = fields::Name)]
    pub name_en: String,
}

/// Adds a topic or renames one (the ministry's).
#[utoipa::path(put, path = "/api/v1/support-requests/topics", tag = "support",
    request_body = TopicInputDto, security(("bearer" = [])),
    responses((status = 200, body = TopicDto), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn put_topic(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<TopicInputDto>,
) -> Result<Json<TopicDto>, ApiError> {
    let topic = support::put_topic(
        &state.store,
        &user.principal,
        &SupportTopic {
            code: body.code,
            name_fa: body.name_fa,
            name_en: body.name_en,
        },
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(topic.into()))
}

#[utoipa::path(get, path = "/api/v1/support-requests/routing-rules", tag = "support",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<RoutingRuleDto>), (status = 401, body = Problem)))]
pub async fn routing_rules(
    State(state): State<AppState>,
    _user: ApiUser,
) -> Result<Json<Vec<RoutingRuleDto>>, ApiError> {
    let rules = support::routing_rules(&state.store).await?;
    Ok(Json(rules.into_iter().map(Into::into).collect()))
}

/// Sets which unit answers a topic in a province (the ministry's); filed requests keep
/// their unit.
#[utoipa::path(put, path = "/api/v1/support-requests/routing-rules", tag = "support",
    request_body = RoutingRuleInputDto, security(("bearer" = [])),
    responses((status = 200, body = RoutingRuleDto), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn set_routing_rule(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<RoutingRuleInputDto>,
) -> Result<Json<RoutingRuleDto>, ApiError> {
    let rule = support::set_routing_rule(
        &state.store,
        &user.principal,
        &RuleInput {
            topic: body.topic,
            province: body.province,
            unit_kind: body.unit_kind,
            unit_code: body.unit_code,
        },
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(rule.into()))
}

#[utoipa::path(get, path = "/api/v1/support-requests/sla", tag = "support",
    security(("bearer" = [])),
    responses((status = 200, body = SlaDto), (status = 401, body = Problem)))]
pub async fn sla(State(state): State<AppState>, user: ApiUser) -> Result<Json<SlaDto>, ApiError> {
    let figures = support::sla_figures(&state.store, &user.principal, clock::now()).await?;
    Ok(Json(SlaDto {
        by_unit: figures.by_unit.into_iter().map(Into::into).collect(),
        by_province: figures.by_province.into_iter().map(Into::into).collect(),
    }))
}
