//! Recording an agency's deposit of pooled resources at an affiliated bank: the agency's
//! officer for its own agency (its agency fixed), the ministry for any. Through the same
//! use case as the API (`funds::deposit`), keyed by its rendering's `form_key`; the
//! deposit's own reference also keeps a deposit from being booked twice.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use taavon_app::funds::postings;
use taavon_app::rows::AgencyRow;
use taavon_app::{AppError, Store, clock, reference};
use taavon_core::access::{Principal, may_deposit};

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

#[derive(Template)]
#[template(path = "deposit.html")]
struct DepositPage {
    layout: Layout,
    form_key: String,
    fields: Vec<Field>,
    form_error: String,
}

/// The agencies whose deposits `principal` records, as the policy says (none: the
/// funds page offers no deposit form).
pub async fn depositing_agencies(
    store: &Store,
    principal: &Principal,
) -> Result<Vec<AgencyRow>, AppError> {
    Ok(reference::agencies(store, Some(principal))
        .await?
        .into_iter()
        .filter(|a| may_deposit(principal, &a.code))
        .collect())
}

async fn form_page(state: &AppState, user: &UiUser, layout: Layout, form: FormState) -> Response {
    let (lang, t, f) = (layout.lang, layout.t, layout.f);
    let principal = &user.principal;
    let found = async {
        let agencies = depositing_agencies(&state.store, principal).await?;
        let banks = reference::banks(&state.store, Some(principal)).await?;
        Ok::<_, AppError>((agencies, banks))
    }
    .await;
    let (agencies, banks) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let agencies: Vec<(String, String)> = agencies
        .into_iter()
        .map(|a| {
            (
                a.code.to_string(),
                lang.pick(&a.name_fa, &a.name_en).to_owned(),
            )
        })
        .collect();
    if agencies.is_empty() {
        return error_page(layout, &AppError::Forbidden);
    }
    let banks = banks
        .into_iter()
        .map(|b| {
            (
                b.bank.code,
                lang.pick(&b.bank.name_fa, &b.bank.name_en).to_owned(),
            )
        })
        .collect();
    let prefix = "deposit";
    let fields = vec![
        form.field(prefix, "agency", f.agency)
            .required()
            .select(agencies, None),
        form.field(prefix, "bank", t.bank)
            .required()
            .select(banks, None),
        form.field(prefix, "amount", t.amount_rial)
            .amount()
            .required(),
        form.field(prefix, "reference", f.deposit_reference)
            .ltr()
            .required()
            .hint(f.deposit_reference_hint),
    ];
    let refused_form = form.is_refused();
    let page = DepositPage {
        form_key: form_key::fresh(),
        fields,
        form_error: form.summary(t.form_has_errors),
        layout,
    };
    render_form(&page, refused_form)
}

pub async fn new_form(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let mut layout = layout(&parts, Lang::of(&parts).forms().record_deposit, Some(&user)).await;
    layout.trail(&[(layout.t.funds_title, "/funds")], layout.f.record_deposit);
    // The Cooperative Development Bank, where the policy pools the agencies' money.
    let values = HashMap::from([("bank".to_owned(), "022".to_owned())]);
    form_page(&state, &user, layout, FormState::with_values(values)).await
}

pub async fn new_submit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let title = Lang::of(&parts).forms().record_deposit;
    let submission = Submission::of(&parts, &form);
    let text = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let done = match typed::whole("amount", &text("amount")) {
        Err(error) => Err(AppError::Invalid(vec![error])),
        Ok(amount) => {
            postings::deposit(
                &state.store,
                &user.principal,
                &text("agency"),
                &text("bank"),
                amount.unwrap_or(0),
                &text("reference"),
                submission.idempotency(),
                clock::now(),
            )
            .await
        }
    };
    match done {
        Err(AppError::Invalid(errors)) => {
            let layout = layout(&parts, title, Some(&user)).await;
            let form = FormState::refused(layout.lang, form, &errors, &[]);
            form_page(&state, &user, layout, form).await
        }
        done => {
            let success = Lang::of(&parts).forms().done_deposit;
            let back = parts_text(&parts).funds_title;
            answer::outcome(&parts, &user, back, "/funds", success, done).await
        }
    }
}
