//! The form to apply for a cooperative's formation: the cooperative (its county from the
//! province → county selects), its statute, and its founders with the capital each
//! subscribes and pays in now, one row each (blank rows left out; more rows on request).
//! It goes through the same use case as the API (`formations::submit`), keyed by its
//! rendering's `form_key`; the rules (seven founders, a third paid in, the cap per
//! member) are the core's, each refusal on the field it names.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use taavon_app::cooperatives::CooperativeInput;
use taavon_app::formations::{self, FormationInput, FounderInput};
use taavon_app::persons::PersonInput;
use taavon_app::{AppError, FieldError, clock};
use taavon_core::access::{self, CooperativeField};
use taavon_core::registry::{FormationRules, Gender};

use super::Layout;
use super::answer;
use super::csrf::CsrfForm;
use super::fields::Field;
use super::form_key::{self, Submission};
use super::form_state::{FormState, render_form};
use super::i18n::Lang;
use super::names;
use super::page::{PageParts, error_page, layout, parts_text};
use super::registry::{RegistryChoices, cooperative_fields};
use super::typed;
use crate::auth::UiUser;
use crate::state::AppState;

/// The founder rows a fresh form offers (the fewest founders the rules allow), and the
/// most it offers on request.
const ROWS_MIN: usize = 7;
const ROWS_MAX: usize = 40;

/// A founder's fields, in the order of the row.
const FOUNDER_FIELDS: [&str; 7] = [
    "national_code",
    "first_name",
    "last_name",
    "gender",
    "birth_year",
    "subscribed_rial",
    "paid_rial",
];

#[derive(Template)]
#[template(path = "formation_new.html")]
struct FormationPage {
    layout: Layout,
    form_key: String,
    fields: Vec<Field>,
    /// The founders' table: its column headings and a row of fields per founder.
    headings: Vec<&'static str>,
    founders: Vec<Vec<Field>>,
    rows: usize,
    more_rows: Option<usize>,
    form_error: String,
}

fn rows_of(values: &HashMap<String, String>) -> usize {
    values
        .get("rows")
        .and_then(|r| r.parse().ok())
        .unwrap_or(ROWS_MIN)
        .clamp(ROWS_MIN, ROWS_MAX)
}

/// What a formation asks of the cooperative to be formed, before its statute.
const FORMED_COOPERATIVE: [CooperativeField; 7] = [
    CooperativeField::Name,
    CooperativeField::Kind,
    CooperativeField::Sector,
    CooperativeField::County,
    CooperativeField::WomenLed,
    CooperativeField::Address,
    CooperativeField::Phone,
];

async fn form_page(state: &AppState, user: &UiUser, layout: Layout, form: FormState) -> Response {
    let (lang, t, f) = (layout.lang, layout.t, layout.f);
    let choices = match RegistryChoices::load(state, &user.principal).await {
        Ok(choices) => choices,
        Err(error) => return error_page(layout, &error),
    };
    let prefix = "formation";
    let mut fields = cooperative_fields(&layout, &form, prefix, &choices, &FORMED_COOPERATIVE);
    fields.push(
        form.field(prefix, "statute", f.statute)
            .text_area()
            .hint(f.statute_hint),
    );
    let genders: Vec<(String, String)> = Gender::ALL
        .iter()
        .map(|g| (g.code().to_owned(), names::gender(lang, *g)))
        .collect();
    let rows = rows_of(&HashMap::from([(
        "rows".to_owned(),
        form.value("rows").to_owned(),
    )]));
    let headings = vec![
        t.national_code,
        f.first_name,
        f.last_name,
        t.gender,
        f.birth_year,
        f.subscribed_rial,
        f.paid_rial,
    ];
    let founders = (0..rows)
        .map(|row| {
            let number = lang.id(row + 1);
            FOUNDER_FIELDS
                .iter()
                .zip(&headings)
                .map(|(name, heading)| {
                    let label = format!("{heading} ({} {number})", f.founder);
                    let field = form.field(prefix, &format!("founders[{row}].{name}"), &label);
                    match *name {
                        "national_code" => field.ltr(),
                        "gender" => field.select(genders.clone(), Some("—")),
                        "birth_year" => field.number(),
                        "subscribed_rial" | "paid_rial" => field.amount(),
                        _ => field,
                    }
                })
                .collect()
        })
        .collect();
    let refused_form = form.is_refused();
    let page = FormationPage {
        form_key: form_key::fresh(),
        fields,
        headings,
        founders,
        rows,
        more_rows: (rows < ROWS_MAX).then(|| (rows + 5).min(ROWS_MAX)),
        form_error: form.summary(t.form_has_errors),
        layout,
    };
    render_form(&page, refused_form)
}

pub async fn new_form(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut layout = layout(&parts, parts_text(&parts).formations_title, Some(&user)).await;
    let t = layout.t;
    layout.trail(
        &[(t.formations_title, "/formations")],
        layout.f.start_formation,
    );
    if !access::keeps_registry(&user.principal) {
        return error_page(layout, &AppError::Forbidden);
    }
    let rows = rows_of(&query);
    let form = FormState::with_values(HashMap::from([("rows".to_owned(), rows.to_string())]));
    form_page(&state, &user, layout, form).await
}

/// The founders the rows hold (blank rows left out), with the row of each: the use
/// case names a founder by its place among those sent, the form by its row.
fn founders_of(
    form: &HashMap<String, String>,
    errors: &mut Vec<FieldError>,
) -> (Vec<FounderInput>, Vec<usize>) {
    let value = |row: usize, name: &str| {
        form.get(&format!("founders[{row}].{name}"))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut founders = Vec::new();
    let mut rows = Vec::new();
    for row in 0..rows_of(form) {
        if FOUNDER_FIELDS
            .iter()
            .all(|name| value(row, name).is_empty())
        {
            continue;
        }
        let mut number = |name: &str| {
            let field = format!("founders[{row}].{name}");
            typed::whole(&field, &value(row, name))
                .map_err(|error| errors.push(error))
                .ok()
                .flatten()
        };
        let birth_year = number("birth_year");
        let subscribed_rial = number("subscribed_rial").unwrap_or(0);
        let paid_rial = number("paid_rial").unwrap_or(0);
        founders.push(FounderInput {
            person: PersonInput {
                national_code: value(row, "national_code"),
                first_name: value(row, "first_name"),
                last_name: value(row, "last_name"),
                gender: value(row, "gender"),
                birth_year,
                mobile: None,
            },
            subscribed_rial,
            paid_rial,
        });
        rows.push(row);
    }
    (founders, rows)
}

/// The use case's `founders[i].…` renamed to the row the founder was typed in.
fn to_rows(errors: Vec<FieldError>, rows: &[usize]) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut error| {
            if let Some(rest) = error.field.strip_prefix("founders[")
                && let Some((index, field)) = rest.split_once(']')
                && let Some(row) = index.parse::<usize>().ok().and_then(|i| rows.get(i))
            {
                error.field = format!("founders[{row}]{field}");
            }
            error
        })
        .collect()
}

pub async fn new_submit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let t = parts_text(&parts);
    let submission = Submission::of(&parts, &form);
    let mut typed_errors = Vec::new();
    let (founders, rows) = founders_of(&form, &mut typed_errors);
    let text = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let optional = |name: &str| Some(text(name)).filter(|v| !v.is_empty());
    let input = FormationInput {
        cooperative: CooperativeInput {
            name: text("name"),
            kind: text("type"),
            sector: text("sector"),
            county: text("county"),
            women_led: form.contains_key("women_led"),
            address: optional("address"),
            phone: optional("phone"),
            ..CooperativeInput::default()
        },
        founders,
        statute: optional("statute"),
    };
    let done = if typed_errors.is_empty() {
        formations::submit(
            &state.store,
            &user.principal,
            &input,
            &FormationRules::default(),
            submission.idempotency(),
            clock::now(),
        )
        .await
    } else {
        Err(AppError::Invalid(typed_errors))
    };
    match done {
        Ok(formation) => {
            let to = format!("/cooperatives/{}", formation.cooperative_id);
            let success = Lang::of(&parts).forms().done_formation_submitted;
            answer::outcome(&parts, &user, t.formations_title, &to, success, Ok(())).await
        }
        Err(AppError::Invalid(errors)) => {
            let layout = layout(&parts, t.formations_title, Some(&user)).await;
            let errors = to_rows(errors, &rows);
            let form = FormState::refused(layout.lang, form, &errors, &[]);
            form_page(&state, &user, layout, form).await
        }
        Err(error) => {
            answer::refused(&parts, &user, t.formations_title, "/formations/new", &error).await
        }
    }
}
