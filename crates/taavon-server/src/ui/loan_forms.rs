//! The loan page's forms, each through the same use case as the API and keyed by its
//! rendering's `form_key`: pay out a tranche, take a repayment or an early settlement
//! (with how the money came in), propose a rescheduling, reverse a repayment, approve or
//! reject a proposal, and write the contract from the application's page. A form refused
//! for its fields comes back on the loan page as typed (422); any other refusal goes back
//! with its reason as the page's message.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;
use taavon_app::loans::{self, ContractInput, ProposedAction, RepaymentInput, RescheduleInput};
use taavon_app::{AppError, FieldError, clock};
use taavon_core::loans::proposal::ProposalStatus;

use super::answer;
use super::csrf::CsrfForm;
use super::form_key::Submission;
use super::form_state::{FormState, answer_form};
use super::i18n::Lang;
use super::loan_page::{Failed, LoanForm, page};
use super::page::{PageParts, parts_text};
use super::typed::{self, given};
use crate::auth::UiUser;
use crate::state::AppState;

/// The use cases' names of fields the forms call otherwise.
const RENAMED: [(&str, &str); 3] = [
    ("amount_rial", "amount"),
    ("capitalise_rial", "capitalise"),
    ("rate_bp", "rate"),
];

/// What a loan form's post answers: back to the loan page with `success`, the page again
/// with the form as typed when its fields were refused, or the reason as the page's
/// message for any other refusal.
async fn answer<T>(
    (state, parts, user): (&AppState, &axum::http::request::Parts, &UiUser),
    (id, form, kind): (i64, HashMap<String, String>, LoanForm),
    success: &str,
    done: Result<T, AppError>,
) -> Response {
    let (title, to) = (parts_text(parts).loans_title, format!("/loans/{id}"));
    answer_form(
        (parts, user),
        (title, &to, success),
        done,
        |errors| async move {
            let failed = Failed {
                form: kind,
                state: FormState::refused(Lang::of(parts), form, &errors, &RENAMED),
            };
            page(state, parts, user, id, Some(failed)).await
        },
    )
    .await
}

/// Back to the loan page with what was done, or why not.
async fn finish<T>(
    parts: &axum::http::request::Parts,
    user: &UiUser,
    id: i64,
    success: &str,
    done: Result<T, AppError>,
) -> Response {
    let title = parts_text(parts).loans_title;
    answer::outcome(parts, user, title, &format!("/loans/{id}"), success, done).await
}

/// Every number a form holds, read as typed; the fields that are not numbers refused
/// together.
fn numbers<const N: usize>(
    form: &HashMap<String, String>,
    names: [&str; N],
) -> Result<[Option<i64>; N], AppError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let values = names.map(|name| {
        typed::whole(name, form.get(name).map_or("", String::as_str))
            .map_err(|error| errors.push(error))
            .ok()
            .flatten()
    });
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(AppError::Invalid(errors))
    }
}

async fn post_money(
    state: AppState,
    parts: axum::http::request::Parts,
    user: UiUser,
    id: i64,
    form: HashMap<String, String>,
    kind: LoanForm,
) -> Response {
    let t = parts_text(&parts);
    let success = match kind {
        LoanForm::Disburse => t.done_disbursement,
        LoanForm::Settle => t.done_settlement,
        LoanForm::Repay | LoanForm::Reschedule => t.done_repayment,
    };
    let submission = Submission::of(&parts, &form);
    let done = match numbers(&form, ["amount"]) {
        Err(error) => Err(error),
        Ok([amount_rial]) => {
            let input = RepaymentInput {
                amount_rial,
                note: given(&form, "note"),
                value_on: given(&form, "value_on"),
                channel: given(&form, "channel"),
                receipt_no: given(&form, "receipt_no"),
            };
            let (store, principal) = (&state.store, &user.principal);
            let key = submission.idempotency();
            let now = clock::now();
            match kind {
                LoanForm::Disburse => loans::disburse(store, principal, id, &input, key, now).await,
                LoanForm::Settle => loans::settle(store, principal, id, &input, key, now).await,
                LoanForm::Repay | LoanForm::Reschedule => {
                    loans::repay(store, principal, id, &input, key, now).await
                }
            }
        }
    };
    answer((&state, &parts, &user), (id, form, kind), success, done).await
}

pub async fn disburse(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    post_money(state, parts, user, id, form, LoanForm::Disburse).await
}

pub async fn repay(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    post_money(state, parts, user, id, form, LoanForm::Repay).await
}

pub async fn settle(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    post_money(state, parts, user, id, form, LoanForm::Settle).await
}

/// A bank officer proposes a rescheduling through the same use case as the API: carried
/// out at once at or below the bank's four-eyes amount, else waiting for a second
/// officer of the bank.
pub async fn reschedule(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let rate = typed::percent_bp("rate", form.get("rate").map_or("", String::as_str));
    let done = match (
        numbers(&form, ["months", "grace_months", "capitalise"]),
        rate,
    ) {
        (Err(error), _) => Err(error),
        (Ok(_), Err(error)) => Err(AppError::Invalid(vec![error])),
        (Ok([months, grace_months, capitalise]), Ok(rate_bp)) => {
            let input = RescheduleInput {
                months: months.unwrap_or(0),
                rate_bp,
                grace_months,
                grace_mode: given(&form, "grace_mode"),
                method: given(&form, "method"),
                capitalise_rial: capitalise.unwrap_or(0),
                note: given(&form, "note"),
            };
            loans::propose(
                &state.store,
                &user.principal,
                id,
                &ProposedAction::Reschedule(input),
                state.config.workflow,
                submission.idempotency(),
                clock::now(),
            )
            .await
        }
    };
    let f = Lang::of(&parts).forms();
    let success = match &done {
        Ok(view) if view.proposal.status == ProposalStatus::Pending => f.done_proposed,
        _ => f.done_rescheduled,
    };
    let context = (&state, &parts, &user);
    answer(context, (id, form, LoanForm::Reschedule), success, done).await
}

pub async fn reverse(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path((id, transaction_id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let action = ProposedAction::Reversal {
        transaction_id,
        reason: form.get("reason").cloned().unwrap_or_default(),
    };
    let done = loans::propose(
        &state.store,
        &user.principal,
        id,
        &action,
        state.config.workflow,
        submission.idempotency(),
        clock::now(),
    )
    .await;
    let (t, f) = (parts_text(&parts), Lang::of(&parts).forms());
    let success = match &done {
        Ok(view) if view.proposal.status == ProposalStatus::Pending => f.done_proposed,
        _ => t.done_reversal,
    };
    finish(&parts, &user, id, success, done).await
}

/// What a proposal's form on the loan page asks.
#[derive(Clone, Copy)]
enum ProposalForm {
    Approve,
    Reject,
}

async fn post_decision(
    state: AppState,
    parts: axum::http::request::Parts,
    user: UiUser,
    (id, proposal_id): (i64, i64),
    form: HashMap<String, String>,
    decision: ProposalForm,
) -> Response {
    let (store, principal) = (&state.store, &user.principal);
    let submission = Submission::of(&parts, &form);
    let key = submission.idempotency();
    let done = match decision {
        ProposalForm::Approve => {
            loans::approve_proposal(store, principal, id, proposal_id, key, clock::now()).await
        }
        ProposalForm::Reject => {
            let reason = form.get("reason").map_or("", String::as_str);
            loans::reject_proposal(store, principal, id, proposal_id, reason, key, clock::now())
                .await
        }
    };
    let t = parts_text(&parts);
    let success = match decision {
        ProposalForm::Approve => t.done_approval,
        ProposalForm::Reject => t.done_rejection,
    };
    finish(&parts, &user, id, success, done).await
}

/// A second officer approves a pending proposal from the loan page.
pub async fn approve_proposal(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(ids): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    post_decision(state, parts, user, ids, form, ProposalForm::Approve).await
}

/// An officer of the bank rejects (its proposer withdraws) a pending proposal.
pub async fn reject_proposal(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(ids): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    post_decision(state, parts, user, ids, form, ProposalForm::Reject).await
}

/// The bank writes the contract of a bank-approved application from its page.
pub async fn contract(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(application_id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let input = ContractInput {
        application_id,
        grace_mode: form.get("grace_mode").cloned(),
        method: form.get("method").cloned(),
    };
    let submission = Submission::of(&parts, &form);
    let t = parts_text(&parts);
    let done = loans::contract(
        &state.store,
        &user.principal,
        &input,
        submission.idempotency(),
        clock::now(),
    )
    .await;
    match done {
        Ok(id) => {
            let to = format!("/loans/{id}");
            answer::outcome(&parts, &user, t.loans_title, &to, t.done_contract, Ok(())).await
        }
        Err(error) => {
            let back = format!("/applications/{application_id}");
            answer::refused(&parts, &user, t.loans_title, &back, &error).await
        }
    }
}
