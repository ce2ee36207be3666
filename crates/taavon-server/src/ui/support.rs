//! Support requests (issue 15) in the UI: the list with the SLA figures, one request with
//! its thread and the reader's actions (closing asks first), and the form to file one —
//! a representative for its cooperative, an officer for an individual client. Every
//! code (status, kind, topic, unit) is shown by its label, every date in Jalali.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use taavon_app::support::{
    self, RequestInput, SlaGroup, SlaLine, SupportRequest, SupportRequestView,
};
use taavon_app::{AppError, clock};
use taavon_core::access::{Principal, Role};
use taavon_core::support::{EscalationLevel, RequestKind, RequestStatus, Unit};

use super::csrf::CsrfForm;
use super::fields::Field;
use super::form_key::{self, Submission};
use super::form_state::{FormState, answer_form, render_form};
use super::i18n::Lang;
use super::names;
use super::page::{PageParts, error_page, layout};
use super::table::query::TableRequest;
use super::table::{Cell, ColumnSpec, DataTable, LISTED, Row, sortable};
use super::{Layout, answer, format, render};
use crate::auth::UiUser;
use crate::state::AppState;

/// The words of these pages, Persian and English.
struct Words {
    title: &'static str,
    new_title: &'static str,
    routing_link: &'static str,
    request_title: &'static str,
    number: &'static str,
    requester: &'static str,
    topic: &'static str,
    kind: &'static str,
    unit: &'static str,
    status: &'static str,
    filed_on: &'static str,
    deadline: &'static str,
    escalation: &'static str,
    assignee: &'static str,
    text: &'static str,
    client_id: &'static str,
    client_hint: &'static str,
    file: &'static str,
    sla_title: &'static str,
    sla_unit: &'static str,
    sla_province: &'static str,
    received: &'static str,
    in_time: &'static str,
    overdue: &'static str,
    median_days: &'static str,
    satisfaction: &'static str,
    thread: &'static str,
    no_messages: &'static str,
    attachments: &'static str,
    reply: &'static str,
    send: &'static str,
    rate: &'static str,
    comment: &'static str,
    take: &'static str,
    confirm_close: &'static str,
    done_filed: &'static str,
    done_changed: &'static str,
    none: &'static str,
    no_requests: &'static str,
    overdue_badge: &'static str,
    form_has_errors: &'static str,
}

const FA: Words = Words {
    title: "درخواست‌های حمایت",
    new_title: "ثبت درخواست حمایت",
    routing_link: "موضوع‌ها و قواعد ارجاع درخواست‌ها",
    request_title: "درخواست حمایت",
    number: "شماره",
    requester: "متقاضی",
    topic: "موضوع",
    kind: "نوع حمایت",
    unit: "واحد پاسخگو",
    status: "وضعیت",
    filed_on: "تاریخ ثبت",
    deadline: "مهلت پاسخ",
    escalation: "ارجاع",
    assignee: "کارشناس",
    text: "متن درخواست",
    client_id: "شماره مددجو",
    client_hint: "شماره مددجوی ثبت‌شده در استان شما.",
    file: "ثبت درخواست",
    sla_title: "شاخص‌های پاسخگویی",
    sla_unit: "واحد",
    sla_province: "استان",
    received: "دریافتی",
    in_time: "پاسخ به‌موقع",
    overdue: "گذشته از مهلت",
    median_days: "میانه روزهای پاسخ",
    satisfaction: "میانگین رضایت",
    thread: "گفت‌وگو",
    no_messages: "هنوز پیامی نوشته نشده است.",
    attachments: "پیوست‌ها",
    reply: "پیام تازه",
    send: "فرستادن",
    rate: "امتیاز رضایت",
    comment: "توضیح",
    take: "بررسی را بر عهده می‌گیرم",
    confirm_close: "این درخواست بسته شود؟",
    done_filed: "درخواست ثبت شد.",
    done_changed: "درخواست به‌روز شد.",
    none: "—",
    no_requests: "درخواست حمایتی ثبت نشده است.",
    overdue_badge: "گذشته از مهلت",
    form_has_errors: "برخی خانه‌ها نیاز به اصلاح دارند.",
};

const EN: Words = Words {
    title: "Support requests",
    new_title: "File a support request",
    routing_link: "Topics and routing rules",
    request_title: "Support request",
    number: "Number",
    requester: "Requester",
    topic: "Topic",
    kind: "Kind of support",
    unit: "Answering unit",
    status: "Status",
    filed_on: "Filed on",
    deadline: "Deadline",
    escalation: "Escalation",
    assignee: "Officer",
    text: "Request",
    client_id: "Client number",
    client_hint: "The number of a client registered in your province.",
    file: "File the request",
    sla_title: "Service levels",
    sla_unit: "Unit",
    sla_province: "Province",
    received: "Received",
    in_time: "Answered in time",
    overdue: "Overdue",
    median_days: "Median days to answer",
    satisfaction: "Mean satisfaction",
    thread: "Thread",
    no_messages: "No messages yet.",
    attachments: "Attachments",
    reply: "New message",
    send: "Send",
    rate: "Satisfaction",
    comment: "Comment",
    take: "Take it",
    confirm_close: "Close this request?",
    done_filed: "The request was filed.",
    done_changed: "The request was updated.",
    none: "—",
    no_requests: "No support requests yet.",
    overdue_badge: "Overdue",
    form_has_errors: "Some fields need correcting.",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fa => &FA,
        Lang::En => &EN,
    }
}

/// A status's label.
pub fn status_name(lang: Lang, status: RequestStatus) -> &'static str {
    lang.pick(status.name_fa(), status.name_en())
}

fn kind_name(lang: Lang, kind: RequestKind) -> &'static str {
    lang.pick(kind.name_fa(), kind.name_en())
}

fn escalation_name(lang: Lang, level: EscalationLevel) -> &'static str {
    match level {
        EscalationLevel::ProvincialHead => lang.pick("مدیرکل استان", "Provincial head"),
        EscalationLevel::Ministry => lang.pick("وزارتخانه", "Ministry"),
    }
}

/// The unit that answers a request of `province`.
pub(super) fn unit_name(lang: Lang, unit: &Unit, province: Option<&str>) -> String {
    match (unit, province) {
        (Unit::ProvincialOffice, Some(province)) => format!(
            "{} {}",
            lang.pick("اداره کل تعاون", "Cooperatives office,"),
            names::province_name(lang, province)
        ),
        (Unit::ProvincialOffice, None) => lang
            .pick("ادارات کل استان‌ها", "Provincial offices")
            .to_owned(),
        (Unit::Agency(code), _) => names::agency(lang, code.as_str()),
        (Unit::Bank(code), _) => names::bank(lang, code.as_str()),
    }
}

/// Whether `principal` files requests: a representative for its cooperative, a
/// provincial officer or the ministry for individual clients.
fn files_requests(principal: &Principal) -> bool {
    matches!(
        principal.role,
        Role::CooperativeRepresentative { .. }
            | Role::ProvincialOfficer { .. }
            | Role::MinistryAdmin
    )
}

struct SlaRow {
    name: String,
    received: String,
    in_time: String,
    overdue: String,
    median_days: String,
    satisfaction: String,
}

#[derive(Template)]
#[template(path = "support_list.html")]
struct ListPage {
    layout: Layout,
    w: &'static Words,
    may_file: bool,
    table: DataTable,
    by_unit: Vec<SlaRow>,
    by_province: Vec<SlaRow>,
}

fn sla_rows(lang: Lang, lines: Vec<SlaLine>) -> Vec<SlaRow> {
    let w = words(lang);
    lines
        .into_iter()
        .map(|line| SlaRow {
            name: match &line.group {
                SlaGroup::Unit(kind, code) => match Unit::from_parts(*kind, code.as_deref()) {
                    Some(unit) => unit_name(lang, &unit, None),
                    None => w.none.to_owned(),
                },
                SlaGroup::Province(province) => names::province_name(lang, province.as_str()),
            },
            received: lang.number(i64::try_from(line.received).unwrap_or(i64::MAX)),
            in_time: lang.number(i64::try_from(line.answered_in_time).unwrap_or(i64::MAX)),
            overdue: lang.number(i64::try_from(line.overdue).unwrap_or(i64::MAX)),
            median_days: line
                .median_days_to_answer
                .map_or_else(|| w.none.to_owned(), |days| lang.number(days)),
            satisfaction: line.mean_satisfaction_hundredths.map_or_else(
                || w.none.to_owned(),
                |h| lang.decimal(&format!("{}.{:02}", h / 100, h % 100)),
            ),
        })
        .collect()
}

fn columns(w: &'static Words) -> Vec<ColumnSpec<usize>> {
    vec![
        ColumnSpec::number(w.number).sorted_by("id", 0),
        ColumnSpec::text(w.requester).sorted_by("requester", 1),
        ColumnSpec::text(w.topic).sorted_by("topic", 2),
        ColumnSpec::text(w.kind),
        ColumnSpec::text(w.unit),
        ColumnSpec::text(w.status).sorted_by("status", 5),
        ColumnSpec::text(w.deadline).sorted_by("deadline", 6),
        ColumnSpec::text(w.escalation),
    ]
}

fn list_row(lang: Lang, request: &SupportRequest, today_overdue: bool) -> Row {
    let w = words(lang);
    let r = request;
    let row = Row::new(vec![
        Cell::id(lang, r.id).link(format!("/support/{}", r.id)),
        Cell::persian(r.requester_name.clone()),
        Cell::text(lang.pick(&r.topic_name_fa, &r.topic_name_en).to_owned()),
        Cell::text(kind_name(lang, r.fields.kind)),
        Cell::text(unit_name(
            lang,
            &r.fields.unit,
            Some(r.fields.province.as_str()),
        )),
        Cell::text(status_name(lang, r.status)),
        Cell {
            value: r.fields.deadline.clone(),
            ..Cell::date(lang, &r.fields.deadline)
        },
        Cell::text(
            r.escalation
                .map_or(w.none, |level| escalation_name(lang, level)),
        ),
    ]);
    if today_overdue {
        row.with_class("overdue")
    } else {
        row
    }
}

/// A request as a cooperative's page lists it.
pub struct SupportLine {
    pub id: i64,
    pub topic: String,
    pub kind: &'static str,
    pub unit: String,
    pub status: &'static str,
    pub deadline: String,
    pub overdue: bool,
}

/// The support section of a cooperative's page: its requests (the support plan after
/// formation among them) with this page's words.
pub struct CooperativeSupport {
    pub title: &'static str,
    pub topic: &'static str,
    pub kind: &'static str,
    pub unit: &'static str,
    pub status: &'static str,
    pub deadline: &'static str,
    pub empty: &'static str,
    pub overdue_badge: &'static str,
    pub lines: Vec<SupportLine>,
}

impl CooperativeSupport {
    /// `today` is the business day, against which open requests are overdue.
    pub fn new(lang: Lang, requests: &[SupportRequest], today: &str) -> Self {
        let w = words(lang);
        let lines = requests
            .iter()
            .map(|r| SupportLine {
                id: r.id,
                topic: lang.pick(&r.topic_name_fa, &r.topic_name_en).to_owned(),
                kind: kind_name(lang, r.fields.kind),
                unit: unit_name(lang, &r.fields.unit, Some(r.fields.province.as_str())),
                status: status_name(lang, r.status),
                deadline: format::date(lang, &r.fields.deadline),
                overdue: r.status.awaits_answer() && r.fields.deadline.as_str() < today,
            })
            .collect();
        Self {
            title: w.title,
            topic: w.topic,
            kind: w.kind,
            unit: w.unit,
            status: w.status,
            deadline: w.deadline,
            empty: w.no_requests,
            overdue_badge: w.overdue_badge,
            lines,
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts);
    let w = words(lang);
    let layout = layout(&parts, w.title, Some(&user)).await;
    let specs = columns(w);
    let request = match TableRequest::read("/support", &raw, &[], &sortable(&specs), LISTED) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let found = async {
        let now = clock::now();
        let requests =
            support::list_requests(&state.store, &user.principal, None, false, now).await?;
        let today = taavon_app::loans::business_date(&state.store, now)
            .await?
            .to_string();
        let figures = support::sla_figures(&state.store, &user.principal, now).await?;
        Ok::<_, AppError>((requests, today, figures))
    }
    .await;
    let (requests, today, figures) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let rows = requests
        .iter()
        .map(|r| {
            list_row(
                lang,
                r,
                r.status.awaits_answer() && r.fields.deadline < today,
            )
        })
        .collect();
    let table = DataTable::whole(lang, w.title, &specs, &request, rows);
    if let Some(format) = request.format {
        return table.export(format, "support-requests");
    }
    render(&ListPage {
        w,
        may_file: files_requests(&user.principal),
        table,
        by_unit: sla_rows(lang, figures.by_unit),
        by_province: sla_rows(lang, figures.by_province),
        layout,
    })
}

struct MessageLine {
    author: String,
    written_at: String,
    body: String,
}

struct AttachmentLine {
    id: i64,
    name: String,
    size: String,
}

struct MoveButton {
    status: &'static str,
    label: &'static str,
    confirm: bool,
}

#[derive(Template)]
#[template(path = "support_request.html")]
struct RequestPage {
    layout: Layout,
    w: &'static Words,
    form_key: String,
    id: i64,
    number: String,
    requester: String,
    topic: String,
    kind: &'static str,
    unit: String,
    status: &'static str,
    filed_on: String,
    deadline: String,
    overdue: bool,
    escalations: Vec<String>,
    assignee: String,
    body: String,
    satisfaction: String,
    /// The requester's words, in Persian whatever the page's language.
    satisfaction_comment: String,
    messages: Vec<MessageLine>,
    attachments: Vec<AttachmentLine>,
    moves: Vec<MoveButton>,
    may_take: bool,
    may_reply: bool,
    may_rate: bool,
    reply_fields: Vec<Field>,
    rate_fields: Vec<Field>,
}

fn request_page(
    lang: Lang,
    layout: Layout,
    view: SupportRequestView,
    may_take: bool,
) -> RequestPage {
    let w = words(lang);
    let r = &view.request;
    let blank = FormState::default();
    let scores: Vec<(String, String)> = (1..=5)
        .rev()
        .map(|score| (score.to_string(), lang.number(score)))
        .collect();
    RequestPage {
        w,
        form_key: form_key::fresh(),
        id: r.id,
        number: lang.id(r.id),
        requester: r.requester_name.clone(),
        topic: lang.pick(&r.topic_name_fa, &r.topic_name_en).to_owned(),
        kind: kind_name(lang, r.fields.kind),
        unit: unit_name(lang, &r.fields.unit, Some(r.fields.province.as_str())),
        status: status_name(lang, r.status),
        filed_on: format::date(lang, &r.fields.filed_on),
        deadline: format::date(lang, &r.fields.deadline),
        overdue: view.overdue,
        escalations: view
            .escalations
            .iter()
            .map(|(level, on)| {
                format!(
                    "{} ({})",
                    escalation_name(lang, *level),
                    format::date(lang, on)
                )
            })
            .collect(),
        assignee: r.assignee_name.clone().unwrap_or_else(|| w.none.to_owned()),
        body: r.fields.body.clone(),
        satisfaction: r
            .satisfaction
            .map_or_else(|| w.none.to_owned(), |score| lang.number(score)),
        satisfaction_comment: r.satisfaction_comment.clone().unwrap_or_default(),
        messages: view
            .messages
            .iter()
            .map(|m| MessageLine {
                author: m.author_name.clone(),
                written_at: format::instant(lang, &m.written_at),
                body: m.body.clone(),
            })
            .collect(),
        attachments: view
            .attachments
            .iter()
            .map(|a| AttachmentLine {
                id: a.id,
                name: a.file_name.clone(),
                size: lang.number(a.size_bytes),
            })
            .collect(),
        moves: view
            .moves
            .iter()
            .map(|to| MoveButton {
                status: to.code(),
                label: status_name(lang, *to),
                confirm: *to == RequestStatus::Closed,
            })
            .collect(),
        may_take,
        may_reply: view.may_reply,
        may_rate: view.may_rate,
        reply_fields: vec![blank.field("reply", "body", w.reply).text_area().required()],
        rate_fields: vec![
            blank
                .field("rate", "satisfaction", w.rate)
                .select(scores, None)
                .required(),
            blank.field("rate", "comment", w.comment),
        ],
        layout,
    }
}

pub async fn one(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
) -> Response {
    let lang = Lang::of(&parts);
    let w = words(lang);
    let layout = layout(&parts, w.request_title, Some(&user)).await;
    let view = match support::request_view(&state.store, &user.principal, id, clock::now()).await {
        Ok(view) => view,
        Err(error) => return error_page(layout, &error),
    };
    // Taking it is offered to the unit's side while nobody holds it.
    let may_take = view.moves.contains(&RequestStatus::Assigned)
        && view.request.assignee_user_id.is_none()
        && view.request.status != RequestStatus::WaitingForRequester;
    let mut layout = layout;
    let here = format!("{} {}", w.request_title, lang.id(id));
    layout.trail(&[(w.title, "/support")], &here);
    render(&request_page(lang, layout, view, may_take))
}

/// Back to the request with what was done, or why not.
async fn back(
    parts: &axum::http::request::Parts,
    user: &UiUser,
    id: i64,
    done: Result<SupportRequest, AppError>,
) -> Response {
    let w = words(Lang::of(parts));
    let to = format!("/support/{id}");
    answer::outcome(parts, user, w.request_title, &to, w.done_changed, done).await
}

pub async fn take(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let done = support::assign(
        &state.store,
        &user.principal,
        id,
        None,
        submission.idempotency(),
        clock::now(),
    )
    .await;
    back(&parts, &user, id, done).await
}

pub async fn move_to(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let to = form.get("status").cloned().unwrap_or_default();
    let done = support::move_request(
        &state.store,
        &user.principal,
        id,
        &to,
        submission.idempotency(),
        clock::now(),
    )
    .await;
    back(&parts, &user, id, done).await
}

pub async fn reply(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let body = form.get("body").cloned().unwrap_or_default();
    let done = support::reply(
        &state.store,
        &user.principal,
        id,
        &body,
        submission.idempotency(),
        clock::now(),
    )
    .await;
    back(&parts, &user, id, done).await
}

pub async fn rate(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let score = form
        .get("satisfaction")
        .and_then(|s| taavon_core::digits::to_ascii_digits(s).trim().parse().ok())
        .unwrap_or(0);
    let comment = form.get("comment").map(String::as_str);
    let done = support::rate(
        &state.store,
        &user.principal,
        id,
        score,
        comment,
        submission.idempotency(),
        clock::now(),
    )
    .await;
    back(&parts, &user, id, done).await
}

/// An attachment's content, for those who may read its request.
pub async fn download(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
) -> Response {
    match support::attachment(&state.store, &user.principal, id).await {
        Ok((stored, content)) => crate::api::support::file_response(&stored, content),
        Err(error) => {
            let layout = layout(&parts, words(Lang::of(&parts)).title, Some(&user)).await;
            error_page(layout, &error)
        }
    }
}

#[derive(Template)]
#[template(path = "support_new.html")]
struct NewPage {
    layout: Layout,
    w: &'static Words,
    form_key: String,
    /// The cooperative a representative files for (hidden), or none: an officer names a
    /// client.
    cooperative_id: Option<i64>,
    inputs: Vec<Field>,
    error: String,
}

async fn new_page(state: &AppState, user: &UiUser, layout: Layout, form: FormState) -> Response {
    let lang = layout.lang;
    let w = words(lang);
    let topics = match support::topics(&state.store).await {
        Ok(topics) => topics,
        Err(error) => return error_page(layout, &error),
    };
    let cooperative_id = match user.principal.role {
        Role::CooperativeRepresentative { cooperative_id, .. } => Some(cooperative_id),
        _ => None,
    };
    let mut fields = Vec::new();
    if cooperative_id.is_none() {
        fields.push(
            form.field("support", "client_id", w.client_id)
                .number()
                .required()
                .hint(w.client_hint),
        );
    }
    fields.extend([
        form.field("support", "kind", w.kind)
            .select(
                RequestKind::ALL
                    .iter()
                    .map(|k| (k.code().to_owned(), kind_name(lang, *k).to_owned()))
                    .collect(),
                Some("—"),
            )
            .required(),
        form.field("support", "topic", w.topic)
            .select(
                topics
                    .into_iter()
                    .map(|t| {
                        let name = lang.pick(&t.name_fa, &t.name_en).to_owned();
                        (t.code, name)
                    })
                    .collect(),
                Some("—"),
            )
            .required(),
        form.field("support", "body", w.text).text_area().required(),
    ]);
    let refused = form.is_refused();
    let page = NewPage {
        w,
        form_key: form_key::fresh(),
        cooperative_id,
        inputs: fields,
        error: form.summary(w.form_has_errors),
        layout,
    };
    render_form(&page, refused)
}

pub async fn new_form(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let w = words(Lang::of(&parts));
    let mut layout = layout(&parts, w.new_title, Some(&user)).await;
    if !files_requests(&user.principal) {
        return error_page(layout, &AppError::Forbidden);
    }
    layout.trail(&[(w.title, "/support")], w.new_title);
    new_page(&state, &user, layout, FormState::default()).await
}

pub async fn file(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let text = |name: &str| form.get(name).cloned().unwrap_or_default();
    let id_of = |name: &str| {
        form.get(name).and_then(|s| {
            taavon_core::digits::to_ascii_digits(s)
                .trim()
                .parse::<i64>()
                .ok()
        })
    };
    let client_id = id_of("client_id");
    let done = if client_id.is_none() && id_of("cooperative_id").is_none() {
        Err(AppError::invalid(
            "client_id",
            "required",
            "شماره مددجو را بنویسید.",
            "The client's number is required.",
        ))
    } else {
        support::file_request(
            &state.store,
            &user.principal,
            &state.config.support,
            &RequestInput {
                cooperative_id: id_of("cooperative_id"),
                client_id,
                kind: text("kind"),
                topic: text("topic"),
                body: text("body"),
            },
            submission.idempotency(),
            clock::now(),
        )
        .await
    };
    let lang = Lang::of(&parts);
    let w = words(lang);
    let to = match &done {
        Ok(request) => format!("/support/{}", request.id),
        Err(_) => "/support/new".to_owned(),
    };
    let (state, parts, user) = (&state, &parts, &user);
    answer_form(
        (parts, user),
        (w.new_title, &to, w.done_filed),
        done,
        |errors| async move {
            let mut layout = layout(parts, w.new_title, Some(user)).await;
            layout.trail(&[(w.title, "/support")], w.new_title);
            let refused = FormState::refused(lang, form, &errors, &[]);
            new_page(state, user, layout, refused).await
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use taavon_core::support::UnitKind;

    #[test]
    fn every_status_kind_and_unit_has_a_persian_label_without_latin() {
        // Establishes that no code of these pages reaches a Persian reader.
        for status in RequestStatus::ALL {
            assert!(!status_name(Lang::Fa, *status).is_ascii());
        }
        for kind in RequestKind::ALL {
            assert!(!kind_name(Lang::Fa, *kind).is_ascii());
        }
        for level in EscalationLevel::ALL {
            assert!(!escalation_name(Lang::Fa, *level).is_ascii());
        }
        let office = Unit::from_parts(UnitKind::ProvincialOffice, None).unwrap();
        assert!(!unit_name(Lang::Fa, &office, None).is_ascii());
    }

    #[test]
    fn a_routing_rules_audit_target_names_its_province_not_its_codes() {
        // Establishes that the audit page shows no topic or province code of a rule.
        let target =
            names::audit_coded_target(Lang::Fa, "support_routing_rule", "training/IR-16").unwrap();
        assert!(
            !target.chars().any(|c| c.is_ascii_alphanumeric()),
            "{target}"
        );
        assert_eq!(names::audit_coded_target(Lang::Fa, "loan", "7"), None);
    }
}
