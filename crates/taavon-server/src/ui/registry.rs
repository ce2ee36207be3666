//! The registry's forms and queue: the form to register a cooperative (inline Persian
//! errors), the form to edit one, and the provincial formation queue. A cooperative's
//! own page is `cooperative_page`, the list `lists::cooperatives`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use taavon_app::cooperatives::{self, CooperativeInput, CooperativePatch};
use taavon_app::reference;
use taavon_app::rows::{Cooperative, NewCooperative};
use taavon_app::{AppError, FieldError, clock};
use taavon_core::access::{self, CooperativeField, CooperativeRef, Principal};
use taavon_core::reference::ProvinceCode;
use taavon_core::registry::{CooperativeKind, CooperativeStatus};

use super::answer;
use super::csrf::CsrfForm;
use super::format;
use super::i18n::{Lang, Text};
use super::names;
use super::page::{PageParts, error_page, layout, parts_text};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

/// An option of a filter's drop-down.
pub(super) struct Choice {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) selected: bool,
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

/// The provinces as a filter's choices, named in `lang`.
pub(super) fn province_choices(
    lang: Lang,
    provinces: Vec<taavon_app::rows::ProvinceRow>,
    selected: Option<&str>,
    any: &str,
) -> Vec<Choice> {
    choices(
        provinces
            .into_iter()
            .map(|p| (p.code, lang.pick(&p.name_fa, &p.name_en).to_owned()))
            .collect(),
        selected,
        any,
    )
}

#[derive(Template)]
#[template(path = "cooperative_new.html")]
struct NewCooperativePage {
    layout: Layout,
    /// A fresh key for this rendering's form (its `form_key`).
    form_key: String,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    kinds: Vec<Choice>,
    sectors: Vec<Choice>,
    /// The province select, then the county select grouped by province (the script
    /// narrows it to the chosen province; without it the groups still read).
    provinces: Vec<Choice>,
    counties: Vec<CountyGroup>,
}

/// A province's counties, as one `<optgroup>` of the county select.
struct CountyGroup {
    province: String,
    label: String,
    counties: Vec<Choice>,
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
    principal: &Principal,
    layout: Layout,
    values: HashMap<String, String>,
    errors: &[FieldError],
) -> Response {
    let lang = layout.lang;
    let (sectors, tables) = match async {
        let sectors = reference::sectors(&state.store, Some(principal)).await?;
        let tables = reference::name_tables(&state.store, Some(principal)).await?;
        Ok::<_, AppError>((sectors, tables))
    }
    .await
    {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let kinds = kind_choices(lang, values.get("type").map(String::as_str));
    let sectors = sector_choices(lang, sectors, values.get("sector").map(String::as_str));
    let county = values.get("county").map(String::as_str);
    let province = county
        .and_then(|code| tables.counties.iter().find(|c| c.code == code))
        .map(|c| c.province.clone())
        .or_else(|| values.get("province").cloned());
    let provinces = tables
        .provinces
        .iter()
        .map(|p| Choice {
            value: p.code.clone(),
            label: lang.pick(&p.name_fa, &p.name_en).to_owned(),
            selected: province.as_deref() == Some(p.code.as_str()),
        })
        .collect();
    let counties = tables
        .provinces
        .iter()
        .map(|p| CountyGroup {
            province: p.code.clone(),
            label: lang.pick(&p.name_fa, &p.name_en).to_owned(),
            counties: tables
                .counties
                .iter()
                .filter(|c| c.province == p.code)
                .map(|c| Choice {
                    value: c.code.clone(),
                    label: lang.pick(&c.name_fa, &c.name_en).to_owned(),
                    selected: county == Some(c.code.as_str()),
                })
                .collect(),
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
            form_key: super::form_key::fresh(),
            layout,
            values,
            errors,
            kinds,
            sectors,
            provinces,
            counties,
        }),
    )
        .into_response()
}

fn kind_choices(lang: Lang, selected: Option<&str>) -> Vec<Choice> {
    CooperativeKind::ALL
        .iter()
        .map(|kind| Choice {
            value: kind.code().into(),
            label: names::kind(lang, *kind),
            selected: selected == Some(kind.code()),
        })
        .collect()
}

fn sector_choices(
    lang: Lang,
    sectors: Vec<taavon_app::rows::NamedRow>,
    selected: Option<&str>,
) -> Vec<Choice> {
    sectors
        .into_iter()
        .map(|s| Choice {
            selected: selected == Some(s.code.as_str()),
            label: lang.pick(&s.name_fa, &s.name_en).to_owned(),
            value: s.code,
        })
        .collect()
}

pub async fn new_cooperative_form(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).new_cooperative, Some(&user)).await;
    new_form(&state, &user.principal, layout, HashMap::new(), &[]).await
}

pub async fn new_cooperative_submit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
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
    let submission = super::form_key::Submission::of(&parts, &form);
    match cooperatives::create_cooperative(
        &state.store,
        &user.principal,
        &input,
        submission.idempotency(),
        clock::now(),
    )
    .await
    {
        Ok(cooperative) => {
            let t = parts_text(&parts);
            let to = format!("/cooperatives/{}", cooperative.id);
            answer::outcome(
                &parts,
                &user,
                t.new_cooperative,
                &to,
                t.done_registered,
                Ok(()),
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            let layout = layout(&parts, parts_text(&parts).new_cooperative, Some(&user)).await;
            new_form(&state, &user.principal, layout, form, &errors).await
        }
        Err(AppError::NotFound | AppError::Forbidden) => {
            let layout = layout(&parts, parts_text(&parts).new_cooperative, Some(&user)).await;
            let errors = [FieldError::new(
                "county",
                "out_of_scope",
                "این شهرستان در محدوده دسترسی شما نیست.",
                "This county is outside your scope.",
            )];
            new_form(&state, &user.principal, layout, form, &errors).await
        }
        Err(other) => {
            let layout = layout(&parts, parts_text(&parts).new_cooperative, Some(&user)).await;
            error_page(layout, &other)
        }
    }
}

/// One field of the edit form: a text box, a drop-down (`choices`) or a check box.
struct EditField {
    code: &'static str,
    label: &'static str,
    value: String,
    choices: Vec<Choice>,
    is_check: bool,
    /// A date: the shared date field with the Jalali picker.
    is_date: bool,
    checked: bool,
    ltr: bool,
    error: String,
}

#[derive(Template)]
#[template(path = "cooperative_edit.html")]
struct EditCooperativePage {
    layout: Layout,
    /// A fresh key for this rendering's form (its `form_key`).
    form_key: String,
    id: i64,
    version: i64,
    /// Only the fields the access policy lets this user change.
    fields: Vec<EditField>,
    /// Whether any of them is regulatory, so that a change needs a reason.
    needs_reason: bool,
    reason: String,
    reason_error: String,
    form_error: String,
}

/// What the edit form needs to know of a failed save.
struct Failed<'a> {
    status: StatusCode,
    submitted: Option<&'a HashMap<String, String>>,
    errors: &'a [FieldError],
    message: &'a str,
}

/// The fields of `cooperative` the principal may change (none outside its scope).
pub(super) fn editable(principal: &Principal, cooperative: &Cooperative) -> Vec<CooperativeField> {
    ProvinceCode::parse(&cooperative.fields.province).map_or_else(
        |_| Vec::new(),
        |province| {
            access::editable_cooperative_fields(
                principal,
                CooperativeRef {
                    id: cooperative.id,
                    province: &province,
                },
            )
        },
    )
}

fn field_label(t: &Text, field: CooperativeField) -> &'static str {
    match field {
        CooperativeField::Name => t.name,
        CooperativeField::Address => t.address,
        CooperativeField::Phone => t.phone,
        CooperativeField::Kind => t.kind,
        CooperativeField::Sector => t.sector,
        CooperativeField::County => t.county,
        CooperativeField::LegalId => t.legal_id,
        CooperativeField::RegistrationNumber => t.registration_number,
        CooperativeField::RegisteredOn => t.registered_on,
        CooperativeField::FoundedOn => t.founded_on,
        CooperativeField::WomenLed => t.women_led,
        CooperativeField::Status => t.status,
    }
}

/// A field's recorded value as the form shows it.
fn recorded_value(lang: Lang, f: &NewCooperative, field: CooperativeField) -> String {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let date = |value: &Option<String>| {
        value
            .as_deref()
            .map(|d| format::date_input(lang, d))
            .unwrap_or_default()
    };
    match field {
        CooperativeField::Name => f.name.clone(),
        CooperativeField::Address => text(&f.address),
        CooperativeField::Phone => text(&f.phone),
        CooperativeField::Kind => f.kind.code().to_owned(),
        CooperativeField::Sector => f.sector.clone(),
        CooperativeField::County => f.county.clone(),
        CooperativeField::LegalId => text(&f.legal_id),
        CooperativeField::RegistrationNumber => text(&f.registration_number),
        CooperativeField::RegisteredOn => date(&f.registered_on),
        CooperativeField::FoundedOn => date(&f.founded_on),
        CooperativeField::WomenLed => String::new(),
        CooperativeField::Status => f.status.code().to_owned(),
    }
}

async fn edit_page(
    state: &AppState,
    layout: Layout,
    principal: &Principal,
    cooperative: &Cooperative,
    failed: Failed<'_>,
) -> Response {
    let (lang, t) = (layout.lang, layout.t);
    let fields = editable(principal, cooperative);
    if fields.is_empty() {
        return error_page(layout, &AppError::Forbidden);
    }
    let sectors = match reference::sectors(&state.store, Some(principal)).await {
        Ok(sectors) => sectors,
        Err(error) => return error_page(layout, &error),
    };
    let error_of = |code: &str| {
        failed
            .errors
            .iter()
            .find(|e| e.field == code)
            .map(|e| lang.pick(&e.message_fa, &e.message_en).to_owned())
            .unwrap_or_default()
    };
    let f = &cooperative.fields;
    let needs_reason = fields.iter().any(|field| field.is_regulatory());
    let fields: Vec<EditField> = fields
        .into_iter()
        .map(|field| {
            let code = field.code();
            let value = match failed.submitted {
                Some(form) => form.get(code).cloned().unwrap_or_default(),
                None => recorded_value(lang, f, field),
            };
            let choices = match field {
                CooperativeField::Kind => kind_choices(lang, Some(&value)),
                CooperativeField::Sector => sector_choices(lang, sectors.clone(), Some(&value)),
                CooperativeField::Status => CooperativeStatus::ALL
                    .iter()
                    .map(|status| Choice {
                        value: status.code().into(),
                        label: names::status(lang, status.code()),
                        selected: value == status.code(),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            EditField {
                code,
                label: field_label(t, field),
                choices,
                is_check: field == CooperativeField::WomenLed,
                is_date: matches!(
                    field,
                    CooperativeField::FoundedOn | CooperativeField::RegisteredOn
                ),
                checked: failed
                    .submitted
                    .map_or(f.women_led, |form| form.contains_key(code)),
                ltr: !matches!(field, CooperativeField::Name | CooperativeField::Address),
                error: error_of(code),
                value,
            }
        })
        .collect();
    let page = EditCooperativePage {
        form_key: super::form_key::fresh(),
        id: cooperative.id,
        version: cooperative.version,
        needs_reason,
        reason: failed
            .submitted
            .and_then(|form| form.get("reason").cloned())
            .unwrap_or_default(),
        reason_error: error_of("reason"),
        form_error: failed.message.to_owned(),
        fields,
        layout,
    };
    (failed.status, render(&page)).into_response()
}

/// The form to change a cooperative: only the fields the access policy lets this user
/// change, and a reason when any of them is regulatory.
pub async fn edit_cooperative_form(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).edit_cooperative, Some(&user)).await;
    match cooperatives::get_cooperative(&state.store, &user.principal, id).await {
        Ok(cooperative) => {
            let fresh = Failed {
                status: StatusCode::OK,
                submitted: None,
                errors: &[],
                message: "",
            };
            edit_page(&state, layout, &user.principal, &cooperative, fresh).await
        }
        Err(error) => error_page(layout, &error),
    }
}

pub async fn edit_cooperative_submit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let t = parts_text(&parts);
    let page_layout = || layout(&parts, t.edit_cooperative, Some(&user));
    let principal = &user.principal;
    let cooperative = match cooperatives::get_cooperative(&state.store, principal, id).await {
        Ok(cooperative) => cooperative,
        Err(error) => return error_page(page_layout().await, &error),
    };
    // Only the fields on the form: a field the user may not change is never sent.
    let fields = editable(principal, &cooperative);
    let text = |field: CooperativeField| {
        fields
            .contains(&field)
            .then(|| form.get(field.code()).cloned().unwrap_or_default())
    };
    let patch = CooperativePatch {
        version: form
            .get("version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(cooperative.version),
        reason: form.get("reason").cloned(),
        name: text(CooperativeField::Name),
        kind: text(CooperativeField::Kind),
        sector: text(CooperativeField::Sector),
        county: text(CooperativeField::County),
        legal_id: text(CooperativeField::LegalId),
        registration_number: text(CooperativeField::RegistrationNumber),
        registered_on: text(CooperativeField::RegisteredOn),
        founded_on: text(CooperativeField::FoundedOn),
        women_led: fields
            .contains(&CooperativeField::WomenLed)
            .then(|| form.contains_key(CooperativeField::WomenLed.code())),
        status: text(CooperativeField::Status),
        address: text(CooperativeField::Address),
        phone: text(CooperativeField::Phone),
    };
    let submission = super::form_key::Submission::of(&parts, &form);
    match cooperatives::update_cooperative(
        &state.store,
        principal,
        id,
        &patch,
        submission.idempotency(),
        clock::now(),
    )
    .await
    {
        Ok(_) => {
            let to = format!("/cooperatives/{id}");
            answer::outcome(&parts, &user, t.edit_cooperative, &to, t.done_saved, Ok(())).await
        }
        Err(AppError::Invalid(errors)) => {
            let failed = Failed {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                submitted: Some(&form),
                errors: &errors,
                message: t.form_has_errors,
            };
            edit_page(&state, page_layout().await, principal, &cooperative, failed).await
        }
        Err(AppError::Conflict(_)) => {
            let current = match cooperatives::get_cooperative(&state.store, principal, id).await {
                Ok(current) => current,
                Err(error) => return error_page(page_layout().await, &error),
            };
            let failed = Failed {
                status: StatusCode::CONFLICT,
                submitted: None,
                errors: &[],
                message: t.changed_meanwhile,
            };
            edit_page(&state, page_layout().await, principal, &current, failed).await
        }
        Err(error) => error_page(page_layout().await, &error),
    }
}
