//! The registry's pages: the cooperative list with filters, a cooperative with its
//! members and share register, the form to register one (inline Persian errors), and
//! the provincial formation queue.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use taavon_app::registry::{self, CooperativeInput};
use taavon_app::{AppError, FieldError, clock};
use taavon_core::access;

use super::format;
use super::i18n::Lang;
use super::names::{self, Names};
use super::pages::{PageParts, error_page, layout, parts_text, same_origin};
use super::{Layout, render};
use crate::auth::{UiUser, csrf_matches};
use crate::state::AppState;

const UI_PAGE: i64 = 50;

struct CooperativeLine {
    id: i64,
    name: String,
    province: String,
    county: String,
    kind: String,
    sector: String,
    women_led: &'static str,
    status: String,
}

/// An option of a filter's drop-down.
pub(super) struct Choice {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) selected: bool,
}

#[derive(Template)]
#[template(path = "cooperatives.html")]
struct CooperativesPage {
    layout: Layout,
    cooperatives: Vec<CooperativeLine>,
    total: String,
    q: String,
    provinces: Vec<Choice>,
    sectors: Vec<Choice>,
    statuses: Vec<Choice>,
    may_create: bool,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    province: Option<String>,
    sector: Option<String>,
    status: Option<String>,
    offset: Option<i64>,
}

pub(super) fn choices(
    options: Vec<(String, String)>,
    selected: Option<&str>,
    any: &str,
) -> Vec<Choice> {
    std::iter::once(Choice {
        value: String::new(),
        label: any.to_owned(),
        selected: selected.is_none(),
    })
    .chain(options.into_iter().map(|(value, label)| Choice {
        selected: selected == Some(value.as_str()),
        value,
        label,
    }))
    .collect()
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

pub async fn cooperatives(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(query): Query<ListQuery>,
) -> Response {
    let t = parts_text(&parts);
    let layout = layout(&parts, t.cooperatives_title, Some(&user)).await;
    let lang = layout.lang;
    let offset = query.offset.unwrap_or(0).max(0);
    let mut filter = registry::filter_for_query(query.q.as_deref().unwrap_or(""));
    filter.province = non_empty(&query.province);
    filter.sector = non_empty(&query.sector);
    filter.status = non_empty(&query.status);
    let listed = async {
        let page =
            registry::list_cooperatives(&state.store, &user.principal, &filter, UI_PAGE, offset)
                .await?;
        let mut read = state.store.read().await?;
        let provinces = read.provinces().await?;
        let sectors = read.sectors().await?;
        read.finish().await?;
        Ok::<_, AppError>((page, Names::load(&state.store).await?, provinces, sectors))
    }
    .await;
    let (page, names, provinces, sectors) = match listed {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let link = |offset: i64| {
        let mut params = vec![format!("offset={offset}")];
        for (key, value) in [
            ("q", &query.q),
            ("province", &query.province),
            ("sector", &query.sector),
            ("status", &query.status),
        ] {
            if let Some(value) = non_empty(value) {
                params.push(format!("{key}={}", crate::auth::url_escape(&value)));
            }
        }
        format!("/cooperatives?{}", params.join("&"))
    };
    let statuses = ["forming", "registered", "active", "suspended", "dissolved"]
        .iter()
        .map(|s| ((*s).to_owned(), names::status(lang, s)))
        .collect();
    render(&CooperativesPage {
        total: lang.number(page.total),
        q: query.q.clone().unwrap_or_default(),
        provinces: choices(
            provinces
                .into_iter()
                .map(|p| (p.code, lang.pick(&p.name_fa, &p.name_en).to_owned()))
                .collect(),
            filter.province.as_deref(),
            t.any,
        ),
        sectors: choices(
            sectors
                .into_iter()
                .map(|s| (s.code, lang.pick(&s.name_fa, &s.name_en).to_owned()))
                .collect(),
            filter.sector.as_deref(),
            t.any,
        ),
        statuses: choices(statuses, filter.status.as_deref(), t.any),
        may_create: access::keeps_registry(&user.principal),
        previous: (offset > 0).then(|| link((offset - UI_PAGE).max(0))),
        next: (offset + UI_PAGE < page.total).then(|| link(offset + UI_PAGE)),
        cooperatives: page
            .cooperatives
            .into_iter()
            .map(|c| CooperativeLine {
                id: c.id,
                name: c.fields.name,
                province: names.province(lang, &c.fields.province),
                county: names.county(lang, &c.fields.county),
                kind: names::kind(lang, &c.fields.kind),
                sector: names.sector(lang, &c.fields.sector),
                women_led: if c.fields.women_led { t.yes } else { t.no },
                status: names::status(lang, &c.fields.status),
            })
            .collect(),
        layout,
    })
}

struct MemberLine {
    name: String,
    national_code: String,
    gender: String,
    subscribed: String,
    paid: String,
}

struct ApplicationLine {
    program: String,
    amount: String,
    jobs: String,
    women_jobs: String,
    status: String,
}

struct EntryLine {
    date: String,
    kind: String,
    member: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "cooperative.html")]
struct CooperativePage {
    layout: Layout,
    name: String,
    facts: Vec<(&'static str, String)>,
    members: Vec<MemberLine>,
    applications: Vec<ApplicationLine>,
    entries: Vec<EntryLine>,
    subscribed: String,
    paid: String,
}

fn entry_kind(lang: Lang, kind: &str) -> String {
    let (fa, en) = match kind {
        "subscription" => ("پذیره‌نویسی", "Subscription"),
        "payment" => ("پرداخت", "Payment"),
        "transfer" => ("انتقال", "Transfer"),
        "withdrawal" => ("برداشت", "Withdrawal"),
        other => (other, other),
    };
    lang.pick(fa, en).to_owned()
}

pub async fn cooperative(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
) -> Response {
    let t = parts_text(&parts);
    let mut layout = layout(&parts, t.cooperatives_title, Some(&user)).await;
    let lang = layout.lang;
    let found = async {
        let detail = registry::get_cooperative(&state.store, &user.principal, id).await?;
        let register = registry::share_register(&state.store, &user.principal, id).await?;
        Ok::<_, AppError>((detail, register, Names::load(&state.store).await?))
    }
    .await;
    let (detail, register, names) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let f = &detail.cooperative.fields;
    layout.title = f.name.clone();
    let optional =
        |value: &Option<String>| value.as_deref().map_or("—".into(), |v| lang.digits(v));
    let date = |value: &Option<String>| {
        value
            .as_deref()
            .map_or("—".into(), |d| format::date(lang, d))
    };
    let balances: HashMap<i64, (i64, i64)> = register
        .balances
        .iter()
        .map(|(p, s, paid)| (*p, (*s, *paid)))
        .collect();
    let person_names: HashMap<i64, String> = detail
        .members
        .iter()
        .map(|m| {
            (
                m.id,
                format!("{} {}", m.fields.first_name, m.fields.last_name),
            )
        })
        .collect();
    render(&CooperativePage {
        name: f.name.clone(),
        facts: vec![
            (t.province, names.province(lang, &f.province)),
            (t.county, names.county(lang, &f.county)),
            (t.kind, names::kind(lang, &f.kind)),
            (t.sector, names.sector(lang, &f.sector)),
            (t.legal_id, optional(&f.legal_id)),
            (t.registration_number, optional(&f.registration_number)),
            (t.founded_on, date(&f.founded_on)),
            (
                t.women_led,
                if f.women_led { t.yes } else { t.no }.to_owned(),
            ),
            (t.status, names::status(lang, &f.status)),
        ],
        members: detail
            .members
            .iter()
            .map(|m| {
                let (subscribed, paid) = balances.get(&m.id).copied().unwrap_or((0, 0));
                MemberLine {
                    name: format!("{} {}", m.fields.first_name, m.fields.last_name),
                    national_code: lang.digits(&m.fields.national_code),
                    gender: names::gender(lang, &m.fields.gender),
                    subscribed: lang.number(subscribed),
                    paid: lang.number(paid),
                }
            })
            .collect(),
        applications: detail
            .applications
            .iter()
            .map(|a| ApplicationLine {
                program: a.fields.program.clone(),
                amount: lang.number(a.fields.amount_rial),
                jobs: lang.number(a.fields.jobs),
                women_jobs: lang.number(a.fields.women_jobs),
                status: names::status(lang, &a.fields.status),
            })
            .collect(),
        entries: register
            .entries
            .iter()
            .map(|e| EntryLine {
                date: format::date(lang, &e.entered_on),
                kind: entry_kind(lang, &e.kind),
                member: person_names
                    .get(&e.person_id)
                    .cloned()
                    .unwrap_or_else(|| e.person_id.to_string()),
                amount: lang.number(e.amount_rial),
            })
            .collect(),
        subscribed: lang.number(register.subscribed),
        paid: lang.number(register.paid),
        layout,
    })
}

#[derive(Template)]
#[template(path = "cooperative_new.html")]
struct NewCooperativePage {
    layout: Layout,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    kinds: Vec<Choice>,
    sectors: Vec<Choice>,
}

impl NewCooperativePage {
    fn value(&self, field: &str) -> String {
        self.values.get(field).cloned().unwrap_or_default()
    }

    fn error(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }
}

async fn new_form(
    state: &AppState,
    layout: Layout,
    values: HashMap<String, String>,
    errors: &[FieldError],
) -> Response {
    let lang = layout.lang;
    let sectors = match async {
        let mut read = state.store.read().await?;
        let sectors = read.sectors().await?;
        read.finish().await?;
        Ok::<_, AppError>(sectors)
    }
    .await
    {
        Ok(sectors) => sectors,
        Err(error) => return error_page(layout, &error),
    };
    let kinds = [
        "production",
        "service",
        "distribution",
        "consumer",
        "housing",
        "multipurpose",
    ]
    .iter()
    .map(|k| Choice {
        value: (*k).into(),
        label: names::kind(lang, k),
        selected: values.get("type").map(String::as_str) == Some(*k),
    })
    .collect();
    let sectors = sectors
        .into_iter()
        .map(|s| Choice {
            selected: values.get("sector") == Some(&s.code),
            label: lang.pick(&s.name_fa, &s.name_en).to_owned(),
            value: s.code,
        })
        .collect();
    let errors = errors
        .iter()
        .map(|e| {
            (
                e.field.clone(),
                lang.pick(&e.message_fa, &e.message_en).to_owned(),
            )
        })
        .collect();
    let status = if values.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        status,
        render(&NewCooperativePage {
            layout,
            values,
            errors,
            kinds,
            sectors,
        }),
    )
        .into_response()
}

pub async fn new_cooperative_form(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).new_cooperative, Some(&user)).await;
    new_form(&state, layout, HashMap::new(), &[]).await
}

pub(super) async fn csrf_ok(user: &UiUser, form: &HashMap<String, String>) -> bool {
    csrf_matches(&user.session, form.get("csrf").map(String::as_str))
}

pub async fn new_cooperative_submit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !same_origin(&parts) || !csrf_ok(&user, &form).await {
        return (StatusCode::FORBIDDEN, "invalid CSRF token").into_response();
    }
    let get = |key: &str| form.get(key).cloned().unwrap_or_default();
    let optional = |key: &str| Some(get(key)).filter(|v| !v.trim().is_empty());
    let input = CooperativeInput {
        name: get("name"),
        kind: get("type"),
        sector: get("sector"),
        county: get("county"),
        legal_id: optional("legal_id"),
        founded_on: optional("founded_on"),
        women_led: form.contains_key("women_led"),
        address: optional("address"),
        phone: optional("phone"),
        ..CooperativeInput::default()
    };
    match registry::create_cooperative(&state.store, &user.principal, &input, None, clock::now())
        .await
    {
        Ok(cooperative) => {
            Redirect::to(&format!("/cooperatives/{}", cooperative.id)).into_response()
        }
        Err(AppError::Invalid(errors)) => {
            let layout = layout(&parts, parts_text(&parts).new_cooperative, Some(&user)).await;
            new_form(&state, layout, form, &errors).await
        }
        Err(AppError::NotFound | AppError::Forbidden) => {
            let layout = layout(&parts, parts_text(&parts).new_cooperative, Some(&user)).await;
            let errors = [FieldError::new(
                "county",
                "out_of_scope",
                "این شهرستان در محدوده دسترسی شما نیست.",
                "This county is outside your scope.",
            )];
            new_form(&state, layout, form, &errors).await
        }
        Err(other) => {
            let layout = layout(&parts, parts_text(&parts).new_cooperative, Some(&user)).await;
            error_page(layout, &other)
        }
    }
}

struct FormationLine {
    id: i64,
    cooperative_id: i64,
    name: String,
    province: String,
    status: String,
    pending: bool,
    flags: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "formations.html")]
struct FormationsPage {
    layout: Layout,
    formations: Vec<FormationLine>,
}

pub async fn formations(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let t = parts_text(&parts);
    let layout = layout(&parts, t.formations_title, Some(&user)).await;
    let lang = layout.lang;
    let found = async {
        let formations = registry::list_formations(&state.store, &user.principal).await?;
        let mut lines = Vec::new();
        let names = Names::load(&state.store).await?;
        let mut read = state.store.read().await?;
        for f in formations {
            let name = read
                .cooperative(f.cooperative_id)
                .await?
                .map(|c| c.fields.name)
                .unwrap_or_default();
            let flags: Vec<serde_json::Value> =
                serde_json::from_str(&f.duplicate_flags).unwrap_or_default();
            lines.push(FormationLine {
                id: f.id,
                cooperative_id: f.cooperative_id,
                name,
                province: names.province(lang, &f.province),
                pending: f.status == "submitted",
                status: names::status(lang, &f.status),
                flags: flags
                    .iter()
                    .map(|flag| {
                        format!(
                            "{} #{}",
                            flag["rule"].as_str().unwrap_or(""),
                            flag["cooperative_id"]
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("، "),
                reason: f.reason.unwrap_or_default(),
            });
        }
        read.finish().await?;
        Ok::<_, AppError>(lines)
    }
    .await;
    match found {
        Ok(formations) => render(&FormationsPage { layout, formations }),
        Err(error) => error_page(layout, &error),
    }
}

pub async fn formation_decision(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !same_origin(&parts) || !csrf_ok(&user, &form).await {
        return (StatusCode::FORBIDDEN, "invalid CSRF token").into_response();
    }
    let approve = form.get("decision").map(String::as_str) == Some("approve");
    let reason = form.get("reason").map(String::as_str);
    match taavon_app::formations::decide(
        &state.store,
        &user.principal,
        id,
        approve,
        reason,
        clock::now(),
    )
    .await
    {
        Ok(_) | Err(AppError::Conflict(_)) => Redirect::to("/formations").into_response(),
        Err(error) => {
            let layout = layout(&parts, parts_text(&parts).formations_title, Some(&user)).await;
            error_page(layout, &error)
        }
    }
}
