//! Webhook subscriptions (issue 19): the systems of a bank, an agency, a province's office
//! or the ministry (`access::keeps_webhooks`) keep theirs here — the list with each one's
//! health (last success, deliveries being retried, dead letters), a new one (its address
//! and the event types, each named), its secret shown once, rotation, deletion after a
//! confirmation, and one subscription's recent deliveries with a replay of a dead one.
//! Every action goes through the same use cases as the API, and a secret never rides in
//! an address or a flash: it waits in the session for the next page, which shows it once.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use taavon_app::rows::{DeliveryRow, Subscription};
use taavon_app::webhooks::{self, SubscriptionInput};
use taavon_app::{AppError, clock};
use taavon_core::access::keeps_webhooks;
use taavon_core::events::EventType;

use super::Layout;
use super::answer;
use super::csrf::CsrfForm;
use super::form_key::{self, Submission};
use super::format;
use super::i18n::Lang;
use super::names;
use super::page::{PageParts, error_page, layout};
use super::table::query::TableRequest;
use super::table::{Cell, ColumnSpec, DataTable, LISTED, Row, sortable};
use crate::auth::UiUser;
use crate::state::AppState;

pub const PATH: &str = "/webhooks";

/// Where a new or rotated secret waits in the session for the one page that shows it.
const SECRET_KEY: &str = "webhook_secret";

/// The form field of an event type's checkbox: `type:` and its name.
const TYPE_PREFIX: &str = "type:";

/// A secret to show once, with the subscription it signs for.
#[derive(Serialize, Deserialize)]
struct ShownSecret {
    subscription_id: i64,
    secret: String,
}

/// The page's words.
pub struct Words {
    pub title: &'static str,
    note: &'static str,
    list: &'static str,
    url: &'static str,
    url_hint: &'static str,
    types: &'static str,
    created: &'static str,
    last_success: &'static str,
    delivered: &'static str,
    failing: &'static str,
    dead: &'static str,
    never: &'static str,
    new: &'static str,
    create: &'static str,
    secret_once: &'static str,
    secret_note: &'static str,
    rotate: &'static str,
    confirm_rotate: &'static str,
    delete: &'static str,
    confirm_delete: &'static str,
    deliveries: &'static str,
    no_deliveries: &'static str,
    event: &'static str,
    state: &'static str,
    attempts: &'static str,
    response: &'static str,
    duration: &'static str,
    attempted_at: &'static str,
    no_response: &'static str,
    replay: &'static str,
    confirm_replay: &'static str,
    pending: &'static str,
    delivered_state: &'static str,
    dead_state: &'static str,
    milliseconds: &'static str,
    done_created: &'static str,
    done_rotated: &'static str,
    done_deleted: &'static str,
    done_replayed: &'static str,
    health: &'static str,
}

const FA: Words = Words {
    title: "اشتراک‌های وب‌هوک",
    note: "سامانه شما با هر اشتراک، رویدادهای انتخاب‌شده را در محدوده دسترسی شما دریافت می‌کند؛ هر ارسال با استاندارد وب‌هوک امضا می‌شود و تا دریافت پاسخ موفق، طبق برنامه دوباره فرستاده می‌شود.",
    list: "اشتراک‌ها",
    url: "نشانی دریافت",
    url_hint: "نشانی امن (رمزگذاری‌شده) سامانهٔ دریافت‌کننده؛ نشانی‌های داخلی و محلی پذیرفته نمی‌شوند.",
    types: "رویدادها",
    created: "تاریخ ثبت",
    last_success: "آخرین ارسال موفق",
    delivered: "ارسال‌های موفق",
    failing: "در حال تلاش دوباره",
    dead: "ارسال‌های ناموفق نهایی",
    never: "هنوز ندارد",
    new: "اشتراک تازه",
    create: "ثبت اشتراک",
    secret_once: "کلید امضای اشتراک",
    secret_note: "این کلید فقط همین یک بار نمایش داده می‌شود؛ آن را اکنون در سامانه دریافت‌کننده ذخیره کنید.",
    rotate: "تعویض کلید امضا",
    confirm_rotate: "کلید امضا تعویض شود؟ کلید پیشین تا یک روز همچنان امضا می‌کند.",
    delete: "حذف اشتراک",
    confirm_delete: "این اشتراک حذف شود؟ پس از حذف هیچ رویدادی به این نشانی فرستاده نمی‌شود.",
    deliveries: "ارسال‌های اخیر",
    no_deliveries: "هنوز رویدادی به این اشتراک فرستاده نشده است.",
    event: "رویداد",
    state: "وضعیت",
    attempts: "تعداد تلاش",
    response: "کد پاسخ",
    duration: "مدت پاسخ",
    attempted_at: "زمان آخرین تلاش",
    no_response: "بی‌پاسخ",
    replay: "ارسال دوباره",
    confirm_replay: "این رویداد از نو فرستاده شود؟",
    pending: "در انتظار ارسال",
    delivered_state: "ارسال شد",
    dead_state: "ناموفق نهایی",
    milliseconds: "میلی‌ثانیه",
    done_created: "اشتراک ثبت شد؛ کلید امضا را اکنون ذخیره کنید.",
    done_rotated: "کلید امضا تعویض شد؛ کلید تازه را اکنون ذخیره کنید.",
    done_deleted: "اشتراک حذف شد.",
    done_replayed: "رویداد دوباره در صف ارسال قرار گرفت.",
    health: "وضعیت ارسال‌ها",
};

const EN: Words = Words {
    title: "Webhook subscriptions",
    note: "With each subscription your system receives the chosen events within your scope; every delivery is signed per Standard Webhooks and retried on the schedule until it succeeds.",
    list: "Subscriptions",
    url: "Receiving address",
    url_hint: "The receiving system's https address; internal and local addresses are refused.",
    types: "Events",
    created: "Created",
    last_success: "Last success",
    delivered: "Delivered",
    failing: "Being retried",
    dead: "Dead letters",
    never: "None yet",
    new: "New subscription",
    create: "Subscribe",
    secret_once: "The subscription's signing secret",
    secret_note: "This secret is shown this once only; store it in the receiving system now.",
    rotate: "Rotate the secret",
    confirm_rotate: "Rotate the signing secret? The old one keeps signing for a day.",
    delete: "Delete the subscription",
    confirm_delete: "Delete this subscription? No event will be sent to this address again.",
    deliveries: "Recent deliveries",
    no_deliveries: "No event has been sent to this subscription yet.",
    event: "Event",
    state: "State",
    attempts: "Attempts",
    response: "Response code",
    duration: "Response time",
    attempted_at: "Last attempt",
    no_response: "No response",
    replay: "Send again",
    confirm_replay: "Send this event again from its first attempt?",
    pending: "Pending",
    delivered_state: "Delivered",
    dead_state: "Dead letter",
    milliseconds: "ms",
    done_created: "The subscription was created; store its secret now.",
    done_rotated: "The secret was rotated; store the new one now.",
    done_deleted: "The subscription was deleted.",
    done_replayed: "The event is queued to be sent again.",
    health: "Health",
};

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fa => &FA,
        Lang::En => &EN,
    }
}

fn columns(w: &'static Words) -> Vec<ColumnSpec<usize>> {
    vec![
        ColumnSpec::text(w.url).sorted_by("url", 0),
        ColumnSpec::text(w.types),
        ColumnSpec::text(w.created).sorted_by("created", 2),
        ColumnSpec::text(w.last_success).sorted_by("success", 3),
        ColumnSpec::number(w.delivered).sorted_by("delivered", 4),
        ColumnSpec::number(w.failing).sorted_by("failing", 5),
        ColumnSpec::number(w.dead).sorted_by("dead", 6),
    ]
}

/// An event type's checkbox.
struct TypeChoice {
    name: String,
    label: &'static str,
}

/// A secret to show once on this page.
struct SecretBox {
    subscription_id: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct ListPage {
    layout: Layout,
    w: &'static Words,
    form_key: String,
    table: DataTable,
    may_keep: bool,
    choices: Vec<TypeChoice>,
    secret: Option<SecretBox>,
}

/// One delivery as its log shows it.
struct DeliveryLine {
    id: i64,
    event: &'static str,
    event_id: String,
    state: &'static str,
    dead: bool,
    attempts: String,
    response: String,
    duration: String,
    attempted_at: String,
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct OnePage {
    layout: Layout,
    w: &'static Words,
    form_key: String,
    id: i64,
    url: String,
    types: String,
    created: String,
    last_success: String,
    delivered: String,
    failing: String,
    dead: String,
    deliveries: Vec<DeliveryLine>,
    secret: Option<SecretBox>,
}

fn type_names(lang: Lang, subscription: &Subscription) -> String {
    subscription
        .fields
        .event_types
        .iter()
        .map(|t| names::event_type(lang, *t))
        .collect::<Vec<_>>()
        .join(lang.pick("، ", ", "))
}

/// The secret the session holds for `subscription_id`, taken (a reload no longer shows it).
async fn take_secret(user: &UiUser, subscription_id: Option<i64>) -> Option<SecretBox> {
    let shown: ShownSecret = user.session.get(SECRET_KEY).await.ok().flatten()?;
    if subscription_id.is_some_and(|id| id != shown.subscription_id) {
        return None;
    }
    let _ = user.session.remove::<ShownSecret>(SECRET_KEY).await;
    Some(SecretBox {
        subscription_id: shown.subscription_id.to_string(),
        secret: shown.secret,
    })
}

async fn keep_secret(user: &UiUser, subscription_id: i64, secret: String) {
    let shown = ShownSecret {
        subscription_id,
        secret,
    };
    if let Err(error) = user.session.insert(SECRET_KEY, shown).await {
        tracing::warn!(%error, "a webhook secret could not be kept to show");
    }
}

fn title(parts: &axum::http::request::Parts) -> &'static str {
    words(Lang::of(parts)).title
}

/// The list of the reader's subscriptions with their health, and the form of a new one.
pub async fn list(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let layout = layout(&parts, title(&parts), Some(&user)).await;
    let lang = layout.lang;
    let w = words(lang);
    let keys = sortable(&columns(w));
    let request = match TableRequest::read(PATH, &raw, &[], &keys, LISTED) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let found = match webhooks::subscriptions_with_health(&state.store, &user.principal).await {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let table_lang = request.language(lang);
    let tw = words(table_lang);
    let rows = found
        .iter()
        .map(|(s, health)| {
            Row::new(vec![
                Cell::ltr(s.fields.url.clone()).link(format!("{PATH}/{}", s.id)),
                Cell::text(type_names(table_lang, s)),
                Cell::text(format::instant(table_lang, &s.created_at)),
                Cell::text(
                    health
                        .last_success_at
                        .as_deref()
                        .map_or_else(|| tw.never.to_owned(), |t| format::instant(table_lang, t)),
                ),
                Cell::number(table_lang, health.delivered),
                Cell::number(table_lang, health.failing),
                Cell::number(table_lang, health.dead),
            ])
        })
        .collect();
    let table = DataTable::whole(table_lang, tw.list, &columns(tw), &request, rows);
    if let Some(format) = request.format {
        return table.export(format, "webhook-subscriptions");
    }
    let page = ListPage {
        w,
        form_key: form_key::fresh(),
        table,
        may_keep: keeps_webhooks(&user.principal),
        choices: EventType::ALL
            .iter()
            .map(|t| TypeChoice {
                name: format!("{TYPE_PREFIX}{}", t.code()),
                label: names::event_type(lang, *t),
            })
            .collect(),
        secret: take_secret(&user, None).await,
        layout,
    };
    super::render(&page)
}

/// One subscription: its health, recent deliveries, rotation, deletion and replay.
pub async fn one(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
) -> Response {
    let mut layout = layout(&parts, title(&parts), Some(&user)).await;
    let lang = layout.lang;
    let w = words(lang);
    let found = async {
        let all = webhooks::subscriptions_with_health(&state.store, &user.principal).await?;
        let (subscription, health) = all
            .into_iter()
            .find(|(s, _)| s.id == id)
            .ok_or(AppError::NotFound)?;
        let deliveries = webhooks::deliveries(&state.store, &user.principal, id).await?;
        Ok::<_, AppError>((subscription, health, deliveries))
    }
    .await;
    let (subscription, health, deliveries) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let here = match lang {
        Lang::Fa => format!("اشتراک {}", lang.id(id)),
        Lang::En => format!("Subscription {id}"),
    };
    layout.trail(&[(w.title, PATH)], &here);
    let page = OnePage {
        w,
        form_key: form_key::fresh(),
        id,
        url: subscription.fields.url.clone(),
        types: type_names(lang, &subscription),
        created: format::instant(lang, &subscription.created_at),
        last_success: health
            .last_success_at
            .as_deref()
            .map_or_else(|| w.never.to_owned(), |t| format::instant(lang, t)),
        delivered: lang.number(health.delivered),
        failing: lang.number(health.failing),
        dead: lang.number(health.dead),
        deliveries: deliveries
            .iter()
            .map(|d| delivery_line(lang, w, d))
            .collect(),
        secret: take_secret(&user, Some(id)).await,
        layout,
    };
    super::render(&page)
}

fn delivery_line(lang: Lang, w: &'static Words, d: &DeliveryRow) -> DeliveryLine {
    let state = match d.state.as_str() {
        taavon_app::rows::DELIVERY_DELIVERED => w.delivered_state,
        taavon_app::rows::DELIVERY_DEAD => w.dead_state,
        _ => w.pending,
    };
    DeliveryLine {
        id: d.id,
        event: names::event_type(lang, d.event_type),
        event_id: d.event_id.clone(),
        state,
        dead: d.state == taavon_app::rows::DELIVERY_DEAD,
        attempts: lang.number(d.attempts),
        response: d
            .last_status
            .map_or_else(|| w.no_response.to_owned(), |s| lang.id(s)),
        duration: d.last_duration_ms.map_or_else(String::new, |ms| {
            format!("{} {}", lang.number(ms), w.milliseconds)
        }),
        attempted_at: d
            .last_attempt_at
            .as_deref()
            .map_or_else(String::new, |t| format::instant(lang, t)),
    }
}

/// Makes a subscription from the form: its address and the event types ticked.
pub async fn create(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    // The types in the table's order, whatever order the form sent them in.
    let event_types = EventType::ALL
        .iter()
        .filter(|t| form.contains_key(&format!("{TYPE_PREFIX}{}", t.code())))
        .map(|t| t.code().to_owned())
        .collect();
    let input = SubscriptionInput {
        url: form
            .get("url")
            .cloned()
            .unwrap_or_default()
            .trim()
            .to_owned(),
        event_types,
    };
    let done = webhooks::create_subscription(
        &state.store,
        &user.principal,
        &input,
        &state.config.webhooks,
        submission.idempotency(),
        clock::now(),
    )
    .await;
    if let Ok(made) = &done {
        keep_secret(&user, made.subscription.id, made.secret.clone()).await;
    }
    let w = words(Lang::of(&parts));
    answer::outcome(&parts, &user, w.title, PATH, w.done_created, done).await
}

/// Gives a subscription a new secret, shown once on its page.
pub async fn rotate(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let done = webhooks::rotate_secret(
        &state.store,
        &user.principal,
        id,
        &state.config.webhooks,
        submission.idempotency(),
        clock::now(),
    )
    .await;
    if let Ok(rotated) = &done {
        keep_secret(&user, id, rotated.secret.clone()).await;
    }
    let w = words(Lang::of(&parts));
    let to = format!("{PATH}/{id}");
    answer::outcome(&parts, &user, w.title, &to, w.done_rotated, done).await
}

/// Deletes a subscription (the page asked to confirm); a second submission finds it gone.
pub async fn delete(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(_form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let done = webhooks::delete_subscription(&state.store, &user.principal, id, clock::now()).await;
    let w = words(Lang::of(&parts));
    answer::outcome(&parts, &user, w.title, PATH, w.done_deleted, done).await
}

/// Sends a delivery again from its first attempt.
pub async fn replay(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path((id, delivery_id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let done = webhooks::replay_delivery(
        &state.store,
        &user.principal,
        id,
        delivery_id,
        submission.idempotency(),
        clock::now(),
    )
    .await;
    let w = words(Lang::of(&parts));
    let to = format!("{PATH}/{id}");
    answer::outcome(&parts, &user, w.title, &to, w.done_replayed, done).await
}
