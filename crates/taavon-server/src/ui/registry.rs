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
use taavon_app::reference::NameTables;
use taavon_app::rows::{Cooperative, NamedRow, NewCooperative};
use taavon_app::{AppError, FieldError, clock};
use taavon_core::access::{self, CooperativeField, CooperativeRef, Principal};
use taavon_core::reference::ProvinceCode;
use taavon_core::registry::{CooperativeKind, CooperativeStatus};

use super::answer;
use super::csrf::CsrfForm;
use super::fields::{Field, county_fields};
use super::form_state::{FormState, render_form};
use super::format;
use super::i18n::{Lang, Text};
use super::names;
use super::page::{PageParts, error_page, layout, parts_text};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "cooperative_new.html")]
struct NewCooperativePage {
    layout: Layout,
    /// A fresh key for this rendering's form (its `form_key`).
    form_key: String,
    fields: Vec<Field>,
    /// What the top of a refused form says (empty for a fresh one).
    form_error: String,
}

/// What a registry form asks of a cooperative, in order. The county comes as a province
/// select narrowing a county select; codes read left to right; dates have the picker.
const NEW_COOPERATIVE: [CooperativeField; 9] = [
    CooperativeField::Name,
    CooperativeField::Kind,
    CooperativeField::Sector,
    CooperativeField::County,
    CooperativeField::LegalId,
    CooperativeField::FoundedOn,
    CooperativeField::WomenLed,
    CooperativeField::Address,
    CooperativeField::Phone,
];

/// The reference data a cooperative's fields choose from.
pub(super) struct RegistryChoices {
    pub(super) tables: NameTables,
    pub(super) sectors: Vec<NamedRow>,
}

impl RegistryChoices {
    pub(super) async fn load(state: &AppState, principal: &Principal) -> Result<Self, AppError> {
        Ok(Self {
            tables: reference::name_tables(&state.store, Some(principal)).await?,
            sectors: reference::sectors(&state.store, Some(principal)).await?,
        })
    }
}

/// The fields `asked` of a cooperative form (`prefix` empty for a page's one form), on
/// the one field component, as `form` holds them.
pub(super) fn cooperative_fields(
    layout: &Layout,
    form: &FormState,
    prefix: &str,
    choices: &RegistryChoices,
    asked: &[CooperativeField],
) -> Vec<Field> {
    let (lang, t, f) = (layout.lang, layout.t, layout.f);
    let mut fields = Vec::with_capacity(asked.len() + 1);
    for &asked in asked {
        let field = form.field(prefix, asked.code(), field_label(t, asked));
        let field = match asked {
            CooperativeField::Name => field.required(),
            CooperativeField::Address => field,
            CooperativeField::Kind => field.required().select(
                CooperativeKind::ALL
                    .iter()
                    .map(|k| (k.code().to_owned(), names::kind(lang, *k)))
                    .collect(),
                Some(f.choose),
            ),
            CooperativeField::Sector => field.required().select(
                choices
                    .sectors
                    .iter()
                    .map(|s| (s.code.clone(), lang.pick(&s.name_fa, &s.name_en).to_owned()))
                    .collect(),
                Some(f.choose),
            ),
            CooperativeField::Status => field.required().select(
                CooperativeStatus::ALL
                    .iter()
                    .map(|s| (s.code().to_owned(), names::status(lang, s.code())))
                    .collect(),
                None,
            ),
            CooperativeField::County => {
                let labels = (t.province, t.county, t.any);
                let (province, county) = county_fields(lang, form, prefix, &choices.tables, labels);
                fields.push(province);
                county
            }
            CooperativeField::FoundedOn | CooperativeField::RegisteredOn => {
                field.date(t.calendar).hint(t.date_hint)
            }
            CooperativeField::WomenLed => field.check(),
            CooperativeField::LegalId
            | CooperativeField::RegistrationNumber
            | CooperativeField::Phone => field.ltr(),
        };
        fields.push(field);
    }
    fields
}

async fn new_form(
    state: &AppState,
    principal: &Principal,
    layout: Layout,
    form: FormState,
) -> Response {
    let choices = match RegistryChoices::load(state, principal).await {
        Ok(choices) => choices,
        Err(error) => return error_page(layout, &error),
    };
    let page = NewCooperativePage {
        form_key: super::form_key::fresh(),
        fields: cooperative_fields(&layout, &form, "", &choices, &NEW_COOPERATIVE),
        form_error: form.summary(layout.t.form_has_errors),
        layout,
    };
    render_form(&page, form.is_refused())
}

pub async fn new_cooperative_form(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).new_cooperative, Some(&user)).await;
    new_form(&state, &user.principal, layout, FormState::default()).await
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
            let form = FormState::refused(layout.lang, form, &errors, &[]);
            new_form(&state, &user.principal, layout, form).await
        }
        Err(AppError::NotFound | AppError::Forbidden) => {
            let layout = layout(&parts, parts_text(&parts).new_cooperative, Some(&user)).await;
            let errors = [FieldError::new(
                "county",
                "out_of_scope",
                "این شهرستان در محدوده دسترسی شما نیست.",
                "This county is outside your scope.",
            )];
            let form = FormState::refused(layout.lang, form, &errors, &[]);
            new_form(&state, &user.principal, layout, form).await
        }
        Err(other) => {
            let layout = layout(&parts, parts_text(&parts).new_cooperative, Some(&user)).await;
            error_page(layout, &other)
        }
    }
}

#[derive(Template)]
#[template(path = "cooperative_edit.html")]
struct EditCooperativePage {
    layout: Layout,
    /// A fresh key for this rendering's form (its `form_key`).
    form_key: String,
    id: i64,
    version: i64,
    /// Only the fields the access policy lets this user change, then the reason when
    /// any of them is regulatory.
    fields: Vec<Field>,
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
        CooperativeField::WomenLed => if f.women_led { "1" } else { "" }.to_owned(),
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
    let editable = editable(principal, cooperative);
    if editable.is_empty() {
        return error_page(layout, &AppError::Forbidden);
    }
    let choices = match RegistryChoices::load(state, principal).await {
        Ok(choices) => choices,
        Err(error) => return error_page(layout, &error),
    };
    let needs_reason = editable.iter().any(|field| field.is_regulatory());
    let form = match failed.submitted {
        Some(submitted) => {
            let mut submitted = submitted.clone();
            if needs_reason {
                // So that a missing reason is said under its own box.
                submitted.entry("reason".to_owned()).or_default();
            }
            FormState::refused(layout.lang, submitted, failed.errors, &[])
        }
        None => FormState::with_values(
            editable
                .iter()
                .map(|&field| {
                    let value = recorded_value(layout.lang, &cooperative.fields, field);
                    (field.code().to_owned(), value)
                })
                .collect(),
        ),
    };
    let mut fields = cooperative_fields(&layout, &form, "", &choices, &editable);
    if needs_reason {
        fields.push(
            form.field("", "reason", layout.t.reason_for_registry)
                .text_area(),
        );
    }
    let page = EditCooperativePage {
        form_key: super::form_key::fresh(),
        id: cooperative.id,
        version: cooperative.version,
        form_error: if form.is_refused() {
            form.summary(failed.message)
        } else {
            failed.message.to_owned()
        },
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
