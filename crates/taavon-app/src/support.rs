//! Support requests (issue 15): filing (a representative for its cooperative, an officer
//! for an individual client), routing by the ministry's rules, the thread, the status
//! moves of each side, attachments, ratings, escalation from end of day and the SLA
//! figures. The rules are `taavon_core::support`, who may do what
//! `taavon_core::access::support_*`.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use taavon_core::access::{
    Principal, SupportSubject, decide_support_filing, decide_support_read, keeps_support_routing,
    support_scope, support_sides,
};
use taavon_core::calendar::IsoDate;
use taavon_core::limits::TextKind;
use taavon_core::reference::ProvinceCode;
use taavon_core::support::{
    AttachmentType, RequestKind, RequestStatus, Satisfaction, Sides, SupportRules, Unit, UnitKind,
    may_move, may_rate, median, support_plan_after_formation,
};
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    NewSupportAttachment, NewSupportRequest, Reader, Store, SupportChange, SupportFilter, WriteTx,
};

use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};
use crate::loans::business_date_in;
use crate::{AppError, FieldError};

// What the use cases return, for the server and the CLI (they never name the store).
pub use taavon_core::support::EscalationLevel;
pub use taavon_store::{
    RoutingRule, SupportAttachment, SupportMessage, SupportRequest, SupportTopic,
};

/// How support requests run (from the configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupportSettings {
    pub rules: SupportRules,
    /// The largest attachment accepted, in bytes.
    pub attachment_max_bytes: usize,
}

impl Default for SupportSettings {
    fn default() -> Self {
        Self {
            rules: SupportRules::default(),
            attachment_max_bytes: 5 * 1024 * 1024,
        }
    }
}

/// A request as its requester files it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestInput {
    /// The cooperative asking (its representative files); or
    pub cooperative_id: Option<i64>,
    /// the individual client an officer files for.
    pub client_id: Option<i64>,
    pub kind: String,
    pub topic: String,
    pub body: String,
}

/// A routing rule as the ministry sets it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleInput {
    pub topic: String,
    pub province: String,
    pub unit_kind: String,
    /// The agency's or bank's code; none for the provincial office.
    pub unit_code: Option<String>,
}

/// One request with its thread and what the reader may do to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportRequestView {
    pub request: SupportRequest,
    pub messages: Vec<SupportMessage>,
    pub attachments: Vec<SupportAttachment>,
    /// The levels reached and the ISO day of each.
    pub escalations: Vec<(EscalationLevel, String)>,
    /// Whether it awaits an answer past its deadline on the business date.
    pub overdue: bool,
    /// The statuses the reader may move it to.
    pub moves: Vec<RequestStatus>,
    pub may_reply: bool,
    pub may_rate: bool,
}

/// Which group an SLA line counts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SlaGroup {
    /// The provincial offices together, one agency or one bank, across provinces.
    Unit(UnitKind, Option<String>),
    Province(ProvinceCode),
}

/// The SLA figures of one group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlaLine {
    pub group: SlaGroup,
    pub received: u64,
    /// Answered on or before the deadline.
    pub answered_in_time: u64,
    /// Still awaiting an answer past the deadline.
    pub overdue: u64,
    /// Calendar days from filing to the first answer, the median over answered requests.
    pub median_days_to_answer: Option<i64>,
    /// The mean rating in hundredths (e.g. 420 for 4.2), over rated requests.
    pub mean_satisfaction_hundredths: Option<i64>,
}

/// The SLA figures a reader may see: per unit and per province.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlaFigures {
    pub by_unit: Vec<SlaLine>,
    pub by_province: Vec<SlaLine>,
}

fn subject_of(request: &SupportRequest) -> SupportSubject<'_> {
    SupportSubject {
        province: &request.fields.province,
        cooperative_id: request.fields.cooperative_id,
        filed_by_user_id: request.fields.filed_by_user_id,
        unit: &request.fields.unit,
    }
}

/// The request if `principal` may read it, with the sides it acts on; `NotFound` for one
/// out of scope.
async fn readable(
    reader: &mut Reader,
    principal: &Principal,
    id: i64,
) -> Result<(SupportRequest, Sides), AppError> {
    let request = reader
        .support_request(id)
        .await?
        .ok_or(AppError::NotFound)?;
    AppError::from_decision(decide_support_read(Some(principal), &subject_of(&request)))?;
    let sides = support_sides(principal, &subject_of(&request));
    Ok((request, sides))
}

/// The topics, by code (anyone logged in).
pub async fn topics(store: &Store) -> Result<Vec<SupportTopic>, AppError> {
    let mut read = store.read().await?;
    let topics = read.support_topics().await?;
    read.finish().await?;
    Ok(topics)
}

/// Adds a topic or renames one (the ministry's): its code (lower-case letters, digits
/// and `_`) and its Persian and English names.
pub async fn put_topic(
    store: &Store,
    principal: &Principal,
    topic: &SupportTopic,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<SupportTopic, AppError> {
    crate::bounds::check_texts(&[
        ("code", Some(&topic.code), TextKind::Code),
        ("name_fa", Some(&topic.name_fa), TextKind::Name),
        ("name_en", Some(&topic.name_en), TextKind::Name),
    ])?;
    if !keeps_support_routing(principal) {
        return Err(AppError::Forbidden);
    }
    let code = topic.code.trim();
    let mut errors = Vec::new();
    if code.is_empty()
        || !code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        errors.push(FieldError::new(
            "code",
            "format",
            "کد موضوع از حروف کوچک لاتین، رقم و _ است (نمونه: market_access).",
            "A topic's code is lower-case letters, digits and _ (e.g. market_access).",
        ));
    }
    let kept = SupportTopic {
        code: code.to_owned(),
        name_fa: taavon_core::text::normalize(topic.name_fa.trim()),
        name_en: topic.name_en.trim().to_owned(),
    };
    for (field, name) in [("name_fa", &kept.name_fa), ("name_en", &kept.name_en)] {
        if name.is_empty() {
            errors.push(FieldError::new(
                field,
                "required",
                "نام موضوع را بنویسید.",
                "The topic's name is required.",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(_) => return Ok(kept),
        Begun::Fresh(write) => write,
    };
    write.put_support_topic(&kept).await?;
    finish_idempotent(write, principal, idempotency, 0).await?;
    Ok(kept)
}

/// The routing rules, by topic and province (anyone logged in: where a request goes is
/// no secret).
pub async fn routing_rules(store: &Store) -> Result<Vec<RoutingRule>, AppError> {
    let mut read = store.read().await?;
    let rules = read.routing_rules().await?;
    read.finish().await?;
    Ok(rules)
}

/// Sets which unit answers a topic in a province (the ministry's); requests already
/// filed keep their unit.
pub async fn set_routing_rule(
    store: &Store,
    principal: &Principal,
    input: &RuleInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<RoutingRule, AppError> {
    crate::bounds::check_texts(&[
        ("topic", Some(&input.topic), TextKind::Code),
        ("province", Some(&input.province), TextKind::Code),
        ("unit_kind", Some(&input.unit_kind), TextKind::Code),
        ("unit_code", input.unit_code.as_deref(), TextKind::Code),
    ])?;
    if !keeps_support_routing(principal) {
        return Err(AppError::Forbidden);
    }
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(_) => return replayed_rule(store, input).await,
        Begun::Fresh(write) => write,
    };
    let (topic, province, unit) = checked_rule(&mut write, input).await?;
    write.set_routing_rule(&topic, &province, &unit).await?;
    finish_idempotent(write, principal, idempotency, 0).await?;
    replayed_rule(store, input).await
}

async fn replayed_rule(store: &Store, input: &RuleInput) -> Result<RoutingRule, AppError> {
    let province = ProvinceCode::parse(&input.province).map_err(|_| AppError::NotFound)?;
    let mut read = store.read().await?;
    let rule = read.routing_rule(input.topic.trim(), &province).await?;
    read.finish().await?;
    rule.ok_or(AppError::NotFound)
}

/// The rule's topic, province and unit, each checked against what is stored.
async fn checked_rule(
    write: &mut WriteTx,
    input: &RuleInput,
) -> Result<(String, ProvinceCode, Unit), AppError> {
    let mut errors = Vec::new();
    let topic = known_topic(write, &mut errors, &input.topic).await?;
    let province = known_province(write, &mut errors, &input.province).await?;
    let unit = match UnitKind::parse(&input.unit_kind) {
        None => {
            errors.push(FieldError::new(
                "unit_kind",
                "unknown",
                "نوع واحد باید اداره کل استان، سازمان یا بانک باشد.",
                "unit_kind must be provincial_office, agency or bank.",
            ));
            None
        }
        Some(kind) => {
            let code = input.unit_code.as_deref().map(str::trim);
            let known = match kind {
                UnitKind::ProvincialOffice => true,
                UnitKind::Agency => {
                    let agencies = write.agencies().await?;
                    code.is_some_and(|code| agencies.iter().any(|a| a.code.as_str() == code))
                }
                UnitKind::Bank => {
                    let banks = write.banks().await?;
                    code.is_some_and(|code| banks.iter().any(|b| b.code == code))
                }
            };
            match Unit::from_parts(kind, code).filter(|_| known) {
                Some(unit) => Some(unit),
                None => {
                    errors.push(FieldError::new(
                        "unit_code",
                        "unknown",
                        "کد سازمان یا بانک شناخته نیست (اداره کل استان کدی ندارد).",
                        "Not a known agency or bank code (a provincial office takes none).",
                    ));
                    None
                }
            }
        }
    };
    match (topic, province, unit) {
        (Some(topic), Some(province), Some(unit)) if errors.is_empty() => {
            Ok((topic, province, unit))
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

async fn known_topic(
    reader: &mut Reader,
    errors: &mut Vec<FieldError>,
    typed: &str,
) -> Result<Option<String>, AppError> {
    let topic = typed.trim();
    if reader
        .support_topics()
        .await?
        .iter()
        .any(|t| t.code == topic)
    {
        return Ok(Some(topic.to_owned()));
    }
    errors.push(FieldError::new(
        "topic",
        if topic.is_empty() {
            "required"
        } else {
            "unknown"
        },
        "موضوع درخواست را از فهرست برگزینید.",
        "Choose the topic from the list.",
    ));
    Ok(None)
}

async fn known_province(
    reader: &mut Reader,
    errors: &mut Vec<FieldError>,
    typed: &str,
) -> Result<Option<ProvinceCode>, AppError> {
    let known = match ProvinceCode::parse(typed) {
        Ok(code) => reader
            .provinces()
            .await?
            .iter()
            .any(|p| p.code == code.as_str())
            .then_some(code),
        Err(_) => None,
    };
    if known.is_none() {
        errors.push(FieldError::new(
            "province",
            "unknown",
            "کد استان معتبر نیست (نمونه: IR-16).",
            "Not a province code (e.g. IR-16).",
        ));
    }
    Ok(known)
}

/// Files a request: routed by the rule for its topic in the requester's province (the
/// provincial office when none is kept), due `answer_days` working days after the
/// business date on the unit's calendar.
pub async fn file_request(
    store: &Store,
    principal: &Principal,
    settings: &SupportSettings,
    input: &RequestInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<SupportRequest, AppError> {
    crate::bounds::check_texts(&[
        ("kind", Some(&input.kind), TextKind::Code),
        ("topic", Some(&input.topic), TextKind::Code),
        ("body", Some(&input.body), TextKind::FreeText),
    ])?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return request_of(store, principal, id).await,
        Begun::Fresh(write) => write,
    };
    let province = requester_province(&mut write, input).await?;
    AppError::from_decision(decide_support_filing(
        Some(principal),
        &province,
        input.cooperative_id,
    ))?;
    let mut errors = Vec::new();
    let kind = RequestKind::parse(&input.kind);
    if kind.is_none() {
        errors.push(FieldError::new(
            "kind",
            "unknown",
            "نوع درخواست را برگزینید: مالی، فنی یا اداری.",
            "kind must be financial, technical or administrative.",
        ));
    }
    let topic = known_topic(&mut write, &mut errors, &input.topic).await?;
    let body = taavon_core::text::normalize(input.body.trim());
    if body.is_empty() {
        errors.push(FieldError::new(
            "body",
            "required",
            "متن درخواست را بنویسید.",
            "The request's text is required.",
        ));
    }
    let (Some(kind), Some(topic)) = (kind, topic) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let unit = write
        .routing_rule(&topic, &province)
        .await?
        .map_or(Unit::ProvincialOffice, |rule| rule.unit);
    let filed_on = business_date_in(&mut write, now).await?;
    let calendar = settings.rules.calendar(&unit, holidays(&mut write).await?);
    let deadline = settings.rules.deadline(&calendar, filed_on);
    let request = NewSupportRequest {
        province,
        cooperative_id: input.cooperative_id,
        client_id: input.client_id.filter(|_| input.cooperative_id.is_none()),
        kind,
        topic,
        body,
        unit,
        filed_by_user_id: principal.user_id,
        filed_on: filed_on.to_string(),
        deadline: deadline.to_string(),
    };
    let id = write.insert_support_request(&request).await?;
    crate::events::emit_support_request(
        &mut write,
        taavon_core::events::EventType::SupportRequestRouted,
        id,
        &request,
        RequestStatus::New,
    );
    finish_idempotent(write, principal, idempotency, id).await?;
    request_of(store, principal, id).await
}

/// Files the support plan after formation for a cooperative just registered, inside the
/// registering transaction so that a registration never stands without its plan: each
/// standard first service an open request for the unit that delivers it, on that unit's
/// deadline. The plan's units are fixed (not the routing rules): the rules say who answers
/// what a cooperative asks, the plan is what the ministry offers unasked.
pub(crate) async fn file_support_plan(
    write: &mut WriteTx,
    settings: &SupportSettings,
    cooperative_id: i64,
    province: &ProvinceCode,
    filed_by_user_id: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    let filed_on = business_date_in(write, now).await?;
    let holidays = holidays(write).await?;
    for item in support_plan_after_formation() {
        let calendar = settings
            .rules
            .calendar(&item.unit, holidays.iter().copied());
        let deadline = settings.rules.deadline(&calendar, filed_on);
        write
            .insert_support_request(&NewSupportRequest {
                province: province.clone(),
                cooperative_id: Some(cooperative_id),
                client_id: None,
                kind: item.kind,
                topic: item.topic.to_owned(),
                body: item.body_fa.to_owned(),
                unit: item.unit,
                filed_by_user_id,
                filed_on: filed_on.to_string(),
                deadline: deadline.to_string(),
            })
            .await?;
    }
    Ok(())
}

/// The province of the cooperative or client asking; exactly one must be named.
async fn requester_province(
    reader: &mut Reader,
    input: &RequestInput,
) -> Result<ProvinceCode, AppError> {
    let province = match (input.cooperative_id, input.client_id) {
        (Some(id), None) => reader
            .cooperative(id)
            .await?
            .map(|cooperative| cooperative.fields.province),
        (None, Some(id)) => reader
            .client(id)
            .await?
            .map(|client| client.fields.province),
        _ => {
            return Err(AppError::invalid(
                "cooperative_id",
                "one_requester",
                "درخواست یا از یک تعاونی است یا از یک متقاضی فردی.",
                "Name either the cooperative or the client asking, not both.",
            ));
        }
    };
    let field = if input.cooperative_id.is_some() {
        "cooperative_id"
    } else {
        "client_id"
    };
    province
        .and_then(|code| ProvinceCode::parse(&code).ok())
        .ok_or_else(|| {
            AppError::invalid(
                field,
                "unknown",
                "چنین متقاضی‌ای ثبت نشده است.",
                "No such requester is registered.",
            )
        })
}

async fn holidays(reader: &mut Reader) -> Result<Vec<IsoDate>, AppError> {
    Ok(reader
        .holidays()
        .await?
        .into_iter()
        .filter_map(|(day, _)| IsoDate::parse(&day).ok())
        .collect())
}

async fn request_of(
    store: &Store,
    principal: &Principal,
    id: i64,
) -> Result<SupportRequest, AppError> {
    let mut read = store.read().await?;
    let (request, _) = readable(&mut read, principal, id).await?;
    read.finish().await?;
    Ok(request)
}

/// The requests `principal` may read, newest first, with their names (one read).
pub async fn list_requests(
    store: &Store,
    principal: &Principal,
    status: Option<&str>,
    overdue_only: bool,
    now: Timestamp,
) -> Result<Vec<SupportRequest>, AppError> {
    crate::bounds::check_texts(&[("status", status, TextKind::Code)])?;
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => Some(status_named(code)?),
    };
    let mut read = store.read().await?;
    let overdue_on = if overdue_only {
        Some(business_date_in(&mut read, now).await?.to_string())
    } else {
        None
    };
    let requests = read
        .support_requests(
            &support_scope(principal),
            &SupportFilter {
                status,
                overdue_on,
                ..SupportFilter::default()
            },
        )
        .await?;
    read.finish().await?;
    Ok(requests)
}

/// A cooperative's requests that `principal` may read, newest first (its page's support
/// section, where the support plan after formation shows).
pub async fn cooperative_requests(
    store: &Store,
    principal: &Principal,
    cooperative_id: i64,
) -> Result<Vec<SupportRequest>, AppError> {
    let mut read = store.read().await?;
    let requests = read
        .support_requests(
            &support_scope(principal),
            &SupportFilter {
                cooperative_id: Some(cooperative_id),
                ..SupportFilter::default()
            },
        )
        .await?;
    read.finish().await?;
    Ok(requests)
}

/// One request with its thread, attachments, escalations and the reader's moves.
pub async fn request_view(
    store: &Store,
    principal: &Principal,
    id: i64,
    now: Timestamp,
) -> Result<SupportRequestView, AppError> {
    let mut read = store.read().await?;
    let (request, sides) = readable(&mut read, principal, id).await?;
    let messages = read.support_messages(id).await?;
    let attachments = read.support_attachments(id).await?;
    let escalations = read.support_escalations(id).await?;
    let today = business_date_in(&mut read, now).await?.to_string();
    read.finish().await?;
    Ok(SupportRequestView {
        overdue: request.status.awaits_answer() && request.fields.deadline < today,
        moves: request.status.moves(sides),
        may_reply: (sides.requester || sides.handler) && request.status != RequestStatus::Closed,
        may_rate: may_rate(request.status, sides),
        request,
        messages,
        attachments,
        escalations,
    })
}

/// Opens a change of a request: its key claimed, the request read and scope-checked.
async fn open_change(
    store: &Store,
    principal: &Principal,
    id: i64,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Option<(WriteTx, SupportRequest, Sides)>, AppError> {
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(_) => return Ok(None),
        Begun::Fresh(write) => write,
    };
    let (request, sides) = readable(&mut write, principal, id).await?;
    Ok(Some((write, request, sides)))
}

/// Stores a change at the version read, or refuses when another came first.
async fn finish_change(
    mut write: WriteTx,
    principal: &Principal,
    idempotency: Option<Idempotency<'_>>,
    request: &SupportRequest,
    change: &SupportChange,
    action: &'static str,
) -> Result<(), AppError> {
    if !write
        .change_support_request(request, change, action)
        .await?
    {
        return Err(AppError::Conflict(
            "the request changed meanwhile; read it again".into(),
        ));
    }
    finish_idempotent(write, principal, idempotency, request.id).await?;
    Ok(())
}

fn unchanged(request: &SupportRequest) -> SupportChange {
    SupportChange {
        status: request.status,
        assignee_user_id: request.assignee_user_id,
        answered_on: request.answered_on.clone(),
        satisfaction: request.satisfaction,
        satisfaction_comment: request.satisfaction_comment.clone(),
    }
}

fn move_refused(from: RequestStatus, to: RequestStatus) -> AppError {
    AppError::invalid(
        "status",
        "not_allowed",
        &format!(
            "درخواست «{}» را نمی‌توانید به «{}» ببرید.",
            from.name_fa(),
            to.name_fa()
        ),
        &format!("You may not move a request from {from} to {to}."),
    )
}

/// Assigns a request to an officer on its handling side (`assignee_user_id`; none: the
/// caller); a new or reopened request becomes assigned.
pub async fn assign(
    store: &Store,
    principal: &Principal,
    id: i64,
    assignee_user_id: Option<i64>,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<SupportRequest, AppError> {
    let Some((mut write, request, sides)) =
        open_change(store, principal, id, idempotency, now).await?
    else {
        return request_of(store, principal, id).await;
    };
    if !sides.handler {
        return Err(AppError::Forbidden);
    }
    let assignee = assignee_user_id.unwrap_or(principal.user_id);
    if assignee != principal.user_id {
        let user = write.user_by_id(assignee).await?.filter(|user| user.active);
        let handles = user.is_some_and(|user| {
            let other = Principal {
                user_id: user.id,
                username: user.username,
                role: user.role,
            };
            support_sides(&other, &subject_of(&request)).handler
        });
        if !handles {
            return Err(AppError::invalid(
                "assignee_user_id",
                "not_a_handler",
                "این کاربر به این درخواست رسیدگی نمی‌کند.",
                "This user does not handle this request.",
            ));
        }
    }
    if request.status == RequestStatus::Closed {
        return Err(move_refused(request.status, RequestStatus::Assigned));
    }
    let status = match request.status {
        RequestStatus::New | RequestStatus::Reopened => RequestStatus::Assigned,
        other => other,
    };
    let change = SupportChange {
        status,
        assignee_user_id: Some(assignee),
        ..unchanged(&request)
    };
    finish_change(
        write,
        principal,
        idempotency,
        &request,
        &change,
        "support_request.assign",
    )
    .await?;
    request_of(store, principal, id).await
}

/// The status a code names, or the field error saying it names none.
fn status_named(code: &str) -> Result<RequestStatus, AppError> {
    RequestStatus::parse(code).ok_or_else(|| {
        AppError::invalid(
            "status",
            "unknown",
            "وضعیت شناخته نیست.",
            "Not a request status.",
        )
    })
}

/// Moves a request to `to` (a status code), as the caller's side may; the first answer
/// records its day for the SLA figures, and a request taken without an assignee is the
/// caller's.
pub async fn move_request(
    store: &Store,
    principal: &Principal,
    id: i64,
    to: &str,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<SupportRequest, AppError> {
    crate::bounds::check_texts(&[("status", Some(to), TextKind::Code)])?;
    let to = status_named(to)?;
    let Some((mut write, request, sides)) =
        open_change(store, principal, id, idempotency, now).await?
    else {
        return request_of(store, principal, id).await;
    };
    if !sides.requester && !sides.handler {
        return Err(AppError::Forbidden);
    }
    if !may_move(request.status, to, sides) {
        return Err(move_refused(request.status, to));
    }
    let today = business_date_in(&mut write, now).await?.to_string();
    let change = SupportChange {
        status: to,
        assignee_user_id: match (to, request.assignee_user_id) {
            (RequestStatus::Assigned, None) if sides.handler => Some(principal.user_id),
            (_, assignee) => assignee,
        },
        answered_on: match to {
            RequestStatus::Answered => request.answered_on.clone().or(Some(today)),
            _ => request.answered_on.clone(),
        },
        ..unchanged(&request)
    };
    finish_change(
        write,
        principal,
        idempotency,
        &request,
        &change,
        "support_request.move",
    )
    .await?;
    request_of(store, principal, id).await
}

/// Adds a message to the thread (either side, until closed); the requester's reply to a
/// request waiting for it hands it back to the unit.
pub async fn reply(
    store: &Store,
    principal: &Principal,
    id: i64,
    body: &str,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<SupportRequest, AppError> {
    crate::bounds::check_texts(&[("body", Some(body), TextKind::FreeText)])?;
    let body = taavon_core::text::normalize(body.trim());
    if body.is_empty() {
        return Err(AppError::invalid(
            "body",
            "required",
            "متن پیام را بنویسید.",
            "The message's text is required.",
        ));
    }
    let Some((mut write, request, sides)) =
        open_change(store, principal, id, idempotency, now).await?
    else {
        return request_of(store, principal, id).await;
    };
    if !(sides.requester || sides.handler) {
        return Err(AppError::Forbidden);
    }
    if request.status == RequestStatus::Closed {
        return Err(AppError::invalid(
            "body",
            "closed",
            "درخواست بسته است؛ برای پیام تازه آن را بازگشایی کنید.",
            "The request is closed; reopen it to write again.",
        ));
    }
    write
        .insert_support_message(&request, principal.user_id, &body)
        .await?;
    if sides.handler && !sides.requester {
        crate::events::emit_support_request(
            &mut write,
            taavon_core::events::EventType::SupportRequestAnswered,
            request.id,
            &request.fields,
            request.status,
        );
    }
    let hands_back = request.status == RequestStatus::WaitingForRequester
        && sides.requester
        && may_move(request.status, RequestStatus::Assigned, sides);
    if hands_back {
        let change = SupportChange {
            status: RequestStatus::Assigned,
            ..unchanged(&request)
        };
        finish_change(
            write,
            principal,
            idempotency,
            &request,
            &change,
            "support_request.move",
        )
        .await?;
    } else {
        finish_idempotent(write, principal, idempotency, id).await?;
    }
    request_of(store, principal, id).await
}

/// Rates a closed request (its requester): 1 to 5 and an optional comment.
pub async fn rate(
    store: &Store,
    principal: &Principal,
    id: i64,
    score: i64,
    comment: Option<&str>,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<SupportRequest, AppError> {
    crate::bounds::check_texts(&[("comment", comment, TextKind::FreeText)])?;
    let satisfaction = Satisfaction::new(score).ok_or_else(|| {
        AppError::invalid(
            "satisfaction",
            "out_of_range",
            "رضایت را از ۱ تا ۵ بدهید.",
            "satisfaction must be 1 to 5.",
        )
    })?;
    let Some((write, request, sides)) = open_change(store, principal, id, idempotency, now).await?
    else {
        return request_of(store, principal, id).await;
    };
    if !may_rate(request.status, sides) {
        return Err(if sides.requester {
            AppError::invalid(
                "satisfaction",
                "not_closed",
                "پس از بسته شدن درخواست می‌توانید به آن امتیاز بدهید.",
                "A request is rated once it is closed.",
            )
        } else {
            AppError::Forbidden
        });
    }
    let change = SupportChange {
        satisfaction: Some(i64::from(satisfaction.score())),
        satisfaction_comment: comment
            .map(|c| taavon_core::text::normalize(c.trim()))
            .filter(|c| !c.is_empty()),
        ..unchanged(&request)
    };
    finish_change(
        write,
        principal,
        idempotency,
        &request,
        &change,
        "support_request.rate",
    )
    .await?;
    request_of(store, principal, id).await
}

/// A file as it was sent: the name its sender gave it and its bytes.
#[derive(Clone, Copy, Debug)]
pub struct AttachedFile<'a> {
    pub name: &'a str,
    pub content: &'a [u8],
}

/// The refusal of a file over `attachment_max_bytes`.
pub fn attachment_too_large(settings: &SupportSettings) -> AppError {
    AppError::invalid(
        "file",
        "too_large",
        &format!(
            "پرونده بزرگ‌تر از {} کیلوبایت است.",
            taavon_core::digits::to_persian_digits(
                &(settings.attachment_max_bytes / 1024).to_string()
            )
        ),
        &format!(
            "The file is larger than {} bytes.",
            settings.attachment_max_bytes
        ),
    )
}

/// Attaches a file to a request (either side): PDF, PNG or JPEG as its bytes say, at
/// most `attachment_max_bytes`; anything else is refused and nothing stored.
pub async fn attach(
    store: &Store,
    principal: &Principal,
    settings: &SupportSettings,
    id: i64,
    file: AttachedFile<'_>,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<SupportAttachment, AppError> {
    let AttachedFile {
        name: file_name,
        content,
    } = file;
    crate::bounds::check_texts(&[("file_name", Some(file_name), TextKind::Name)])?;
    if content.len() > settings.attachment_max_bytes {
        return Err(attachment_too_large(settings));
    }
    let content_type = AttachmentType::sniff(content).ok_or_else(|| {
        AppError::invalid(
            "file",
            "type",
            "فقط پرونده PDF یا تصویر PNG و JPEG پذیرفته می‌شود.",
            "Only PDF, PNG or JPEG files are accepted.",
        )
    })?;
    let file_name = match file_name.trim() {
        "" => "attachment",
        named => named,
    };
    let content_sha256: String = Sha256::digest(content)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    // The body is the file, not JSON: the key is held to its name and content's hash.
    let keyed_body = format!("{file_name}:{content_sha256}");
    let idempotency = idempotency.map(|key| Idempotency {
        canonical_body: &keyed_body,
        ..key
    });
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(attachment_id) => return attachment_row(store, id, attachment_id).await,
        Begun::Fresh(write) => write,
    };
    let (request, sides) = readable(&mut write, principal, id).await?;
    if !(sides.requester || sides.handler) {
        return Err(AppError::Forbidden);
    }
    let attachment_id = write
        .insert_support_attachment(
            &request,
            &NewSupportAttachment {
                request_id: id,
                file_name: file_name.to_owned(),
                content_type,
                content_sha256,
                content: content.to_vec(),
                uploaded_by_user_id: principal.user_id,
            },
        )
        .await?;
    finish_idempotent(write, principal, idempotency, attachment_id).await?;
    attachment_row(store, id, attachment_id).await
}

async fn attachment_row(
    store: &Store,
    request_id: i64,
    attachment_id: i64,
) -> Result<SupportAttachment, AppError> {
    let mut read = store.read().await?;
    let stored = read
        .support_attachments(request_id)
        .await?
        .into_iter()
        .find(|a| a.id == attachment_id);
    read.finish().await?;
    stored.ok_or(AppError::NotFound)
}

/// An attachment and its content, for those who may read its request.
pub async fn attachment(
    store: &Store,
    principal: &Principal,
    attachment_id: i64,
) -> Result<(SupportAttachment, Vec<u8>), AppError> {
    let mut read = store.read().await?;
    let (attachment, content) = read
        .support_attachment(attachment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    readable(&mut read, principal, attachment.request_id).await?;
    read.finish().await?;
    Ok((attachment, content))
}

/// Escalates every request still awaiting an answer past its deadline on `today` to the
/// levels due, each level once: a level another run already recorded is skipped (its
/// row is keyed by request and level). One transaction per level recorded. Returns the
/// number recorded.
pub async fn escalate_overdue(
    store: &Store,
    rules: &SupportRules,
    today: IsoDate,
    now: Timestamp,
) -> Result<u64, AppError> {
    let today_text = today.to_string();
    let mut read = store.read().await?;
    let candidates = read.overdue_support_requests(&today_text).await?;
    let holidays = holidays(&mut read).await?;
    read.finish().await?;
    let mut recorded = 0;
    for request in candidates {
        let calendar = rules.calendar(&request.fields.unit, holidays.iter().copied());
        let Ok(deadline) = IsoDate::parse(&request.fields.deadline) else {
            continue;
        };
        for level in rules.escalations_due(&calendar, deadline, today, request.escalation) {
            let mut write = store
                .write(taavon_store::Actor::system("escalation"), now)
                .await?;
            if write
                .escalate_support_request(&request, level, &today_text)
                .await?
            {
                write.commit().await?;
                recorded += 1;
            } else {
                write.rollback().await?;
            }
        }
    }
    Ok(recorded)
}

/// The SLA figures of the requests `principal` may read, per unit and per province, as
/// of the business date.
pub async fn sla_figures(
    store: &Store,
    principal: &Principal,
    now: Timestamp,
) -> Result<SlaFigures, AppError> {
    let mut read = store.read().await?;
    let rows = read.support_sla_rows(&support_scope(principal)).await?;
    let today = business_date_in(&mut read, now).await?.to_string();
    read.finish().await?;
    #[derive(Default)]
    struct Tally {
        received: u64,
        in_time: u64,
        overdue: u64,
        days: Vec<i64>,
        ratings: Vec<i64>,
    }
    let mut groups: BTreeMap<SlaGroup, Tally> = BTreeMap::new();
    for row in &rows {
        let unit = SlaGroup::Unit(row.unit.kind(), row.unit.code().map(str::to_owned));
        for group in [unit, SlaGroup::Province(row.province.clone())] {
            let tally = groups.entry(group).or_default();
            tally.received += 1;
            if let Some(answered) = &row.answered_on {
                if *answered <= row.deadline {
                    tally.in_time += 1;
                }
                if let (Ok(filed), Ok(answered)) =
                    (IsoDate::parse(&row.filed_on), IsoDate::parse(answered))
                {
                    tally
                        .days
                        .push(answered.days_since_unix_epoch() - filed.days_since_unix_epoch());
                }
            }
            if row.status.awaits_answer() && row.deadline < today {
                tally.overdue += 1;
            }
            tally.ratings.extend(row.satisfaction);
        }
    }
    let mut figures = SlaFigures::default();
    for (group, mut tally) in groups {
        let rated = i64::try_from(tally.ratings.len()).unwrap_or(i64::MAX);
        let line = SlaLine {
            received: tally.received,
            answered_in_time: tally.in_time,
            overdue: tally.overdue,
            median_days_to_answer: median(&mut tally.days),
            mean_satisfaction_hundredths: (rated > 0)
                .then(|| tally.ratings.iter().sum::<i64>() * 100 / rated),
            group,
        };
        match line.group {
            SlaGroup::Unit(..) => figures.by_unit.push(line),
            SlaGroup::Province(_) => figures.by_province.push(line),
        }
    }
    Ok(figures)
}
