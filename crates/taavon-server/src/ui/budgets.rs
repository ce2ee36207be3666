//! A program's provincial budgets, edited by those the policy lets change programs: a
//! national total shared by the formula (population × county tier weight), or each
//! province's amount by hand. Through the same use case as the API
//! (`programs::set_budgets`), each form keyed by its rendering's `form_key`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use taavon_app::programs::{self, BudgetInput};
use taavon_app::{AppError, clock, reference};
use taavon_core::access::{self, Action, Decision, Principal, Resource};
use taavon_core::programs::budget::BudgetMethod;

use super::Layout;
use super::answer;
use super::csrf::CsrfForm;
use super::fields::Field;
use super::form_key::{self, Submission};
use super::form_state::{FormState, render_form};
use super::i18n::Lang;
use super::page::{PageParts, error_page, layout, parts_text};
use super::typed;
use crate::auth::UiUser;
use crate::state::AppState;

/// Whether `principal` may change programs and their budgets (the edit link's rule).
pub fn may_edit(principal: &Principal) -> bool {
    access::decide(Some(principal), Action::Update, Resource::Program) == Decision::Allow
}

#[derive(Template)]
#[template(path = "budgets.html")]
struct BudgetsPage {
    layout: Layout,
    form_key: String,
    code: String,
    name: String,
    formula: Vec<Field>,
    /// Each province's amount, in the order the manual form posts them.
    provinces: Vec<Field>,
    formula_error: String,
    manual_error: String,
}

async fn form_page(
    state: &AppState,
    user: &UiUser,
    layout: Layout,
    code: &str,
    refused: Option<(BudgetMethod, FormState)>,
) -> Response {
    let (lang, f) = (layout.lang, layout.f);
    let found = async {
        let detail = programs::program_detail(&state.store, &user.principal, code).await?;
        let tables = reference::name_tables(&state.store, Some(&user.principal)).await?;
        Ok::<_, AppError>((detail, tables))
    }
    .await;
    let (detail, tables) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let refused_form = refused.is_some();
    let (formula, manual) = match refused {
        Some((BudgetMethod::Formula, state)) => (state, None),
        Some((BudgetMethod::Manual, state)) => (FormState::default(), Some(state)),
        None => (FormState::default(), None),
    };
    let current: HashMap<&str, i64> = detail
        .budgets
        .iter()
        .map(|b| (b.province.as_str(), b.amount_rial))
        .collect();
    let manual = manual.unwrap_or_else(|| {
        FormState::with_values(
            tables
                .provinces
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let amount = current.get(p.code.as_str()).copied().unwrap_or(0);
                    (format!("budgets[{i}].amount_rial"), lang.number(amount))
                })
                .collect(),
        )
    });
    let provinces = tables
        .provinces
        .iter()
        .enumerate()
        .map(|(i, p)| {
            manual
                .field(
                    "budget",
                    &format!("budgets[{i}].amount_rial"),
                    lang.pick(&p.name_fa, &p.name_en),
                )
                .amount()
        })
        .collect();
    let p = &detail.program;
    let mut layout = layout;
    let name = lang.pick(&p.name_fa, &p.name_en).to_owned();
    let program = format!("/programs/{}", p.code);
    layout.trail(
        &[
            (layout.t.programs_title, "/programs"),
            (name.as_str(), program.as_str()),
        ],
        f.edit_budgets,
    );
    let page = BudgetsPage {
        form_key: form_key::fresh(),
        code: p.code.clone(),
        name,
        formula: vec![
            formula
                .field("formula", "total_rial", f.budget_total)
                .amount()
                .required()
                .hint(f.formula_hint),
        ],
        provinces,
        formula_error: formula.summary(layout.t.form_has_errors),
        manual_error: manual.summary(layout.t.form_has_errors),
        layout,
    };
    render_form(&page, refused_form)
}

pub async fn edit_form(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(code): Path<String>,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).budget, Some(&user)).await;
    if !may_edit(&user.principal) {
        return error_page(layout, &AppError::Forbidden);
    }
    form_page(&state, &user, layout, &code, None).await
}

pub async fn edit_submit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let t = parts_text(&parts);
    let method = form
        .get("method")
        .and_then(|method| BudgetMethod::parse(method))
        .unwrap_or(BudgetMethod::Formula);
    // In the order the form listed them (its fields are numbered by it).
    let provinces = match reference::name_tables(&state.store, Some(&user.principal)).await {
        Ok(tables) => tables.provinces,
        Err(error) => return error_page(layout(&parts, t.budget, Some(&user)).await, &error),
    };
    let input = match method {
        BudgetMethod::Formula => typed::whole(
            "total_rial",
            form.get("total_rial").map_or("", String::as_str),
        )
        .map(|total| BudgetInput::Formula {
            total_rial: total.unwrap_or(0),
            tier_weights_permille: None,
        }),
        BudgetMethod::Manual => provinces
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let field = format!("budgets[{i}].amount_rial");
                typed::whole(&field, form.get(&field).map_or("", String::as_str))
                    .map(|amount| (p.code.clone(), amount.unwrap_or(0)))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(BudgetInput::Manual),
    };
    let submission = Submission::of(&parts, &form);
    let done = match input {
        Err(error) => Err(AppError::Invalid(vec![error])),
        Ok(input) => {
            programs::set_budgets(
                &state.store,
                &user.principal,
                &code,
                &input,
                submission.idempotency(),
                clock::now(),
            )
            .await
        }
    };
    match done {
        Err(AppError::Invalid(errors)) => {
            let layout = layout(&parts, t.budget, Some(&user)).await;
            let refused = FormState::refused(layout.lang, form, &errors, &[]);
            form_page(&state, &user, layout, &code, Some((method, refused))).await
        }
        done => {
            let to = format!("/programs/{code}");
            let success = Lang::of(&parts).forms().done_budgets;
            answer::outcome(&parts, &user, t.budget, &to, success, done).await
        }
    }
}
