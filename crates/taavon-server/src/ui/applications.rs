//! Application pages: the review queue each role sees, one application with its score,
//! history and the steps the user may take, and the form to apply.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use taavon_app::Store;
use taavon_app::applications::{self, TransitionInput};
use taavon_app::rows::Application;
use taavon_app::{AppError, clock};
use taavon_core::access::Principal;
use taavon_core::applications::{EventAction, TransitionAction, action_name_en, action_name_fa};
use taavon_core::programs::Financing;
use taavon_core::programs::scoring::factor_name;

use super::answer;
use super::borrower::party;
use super::csrf::CsrfForm;
use super::format;
use super::i18n::Lang;
use super::names::{self, Names};
use super::page::{PageParts, error_page, layout, parts_text};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

/// A cooperative's or client's name for a line, read through the same scoped use cases
/// as the API (a name the principal may not read shows as a dash).
async fn applicant_name(
    store: &Store,
    principal: &Principal,
    application: &Application,
) -> Result<String, AppError> {
    let f = &application.fields;
    Ok(party(store, principal, f.cooperative_id, f.client_id)
        .await?
        .name)
}

pub(super) fn score_text(lang: Lang, score_x100: Option<i64>) -> String {
    score_x100.map_or_else(String::new, |s| {
        lang.decimal(&format!("{}.{:02}", s / 100, s % 100))
    })
}

struct FactorLine {
    name: String,
    weight: String,
    points: String,
}

struct EventLine {
    at: String,
    actor: String,
    action: String,
    change: String,
    reason: String,
}

struct ActionButton {
    code: &'static str,
    label: &'static str,
    needs_reason: bool,
}

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationPage {
    layout: Layout,
    /// The applicant's name and the stated purpose: recorded Persian text, marked as
    /// such in the English UI.
    applicant: String,
    purpose: String,
    id: i64,
    /// The number in the heading, in the reader's digits.
    id_text: String,
    facts: Vec<(String, String)>,
    factors: Vec<FactorLine>,
    score: String,
    events: Vec<EventLine>,
    actions: Vec<ActionButton>,
    flags: String,
    /// The bank may write the contract of a bank-approved application.
    may_contract: bool,
    /// Its applicant's side may change what it asks (a draft, or found ineligible).
    may_revise: bool,
    /// A fresh key for this rendering's forms (their `form_key`).
    form_key: String,
}

pub async fn one(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
) -> Response {
    let mut layout = layout(&parts, parts_text(&parts).applications_title, Some(&user)).await;
    let (lang, t, layout_f) = (layout.lang, layout.t, layout.f);
    layout.trail(
        &[(t.applications_title, "/applications")],
        &format!("{}{}", t.number_sign, lang.id(id)),
    );
    let found = async {
        let detail =
            applications::application_detail(&state.store, &user.principal, id, clock::now())
                .await?;
        let names = Names::load(&state.store, &user.principal).await?;
        let applicant = applicant_name(&state.store, &user.principal, &detail.application).await?;
        Ok::<_, AppError>((detail, names, applicant))
    }
    .await;
    let (detail, names, applicant) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let a = &detail.application;
    let f = &a.fields;
    let financing = match f.financing {
        Financing::WorkingCapital => t.working_capital,
        Financing::Development => t.development,
    };
    let facts = vec![
        (
            t.program.to_owned(),
            lang.pick(&detail.program.name_fa, &detail.program.name_en)
                .to_owned(),
        ),
        (t.province.to_owned(), names.province(lang, &f.province)),
        (t.county.to_owned(), names.county(lang, &f.county)),
        (t.sector.to_owned(), names.sector(lang, &f.sector)),
        (t.amount_rial.to_owned(), lang.number(f.amount_rial)),
        (t.jobs.to_owned(), lang.number(f.jobs)),
        (t.women_jobs.to_owned(), lang.number(f.women_jobs)),
        (t.financing.to_owned(), financing.to_owned()),
        (
            t.status.to_owned(),
            names::application_state(lang, f.status),
        ),
        (
            t.bank.to_owned(),
            a.referred_branch
                .as_ref()
                .map(|b| names::branch(lang, b.as_str()))
                .unwrap_or_default(),
        ),
    ];
    let factors = detail
        .score
        .as_ref()
        .map(|s| {
            s.factors
                .iter()
                .map(|factor| FactorLine {
                    name: factor_name(&factor.code, lang == Lang::Fa).to_owned(),
                    weight: lang.number(i64::from(factor.weight)),
                    points: score_text(lang, Some(factor.points_x100)),
                })
                .collect()
        })
        .unwrap_or_default();
    let events = detail
        .events
        .iter()
        .map(|e| EventLine {
            at: format::instant(lang, &e.at),
            actor: e.actor.split(':').nth(2).unwrap_or(&e.actor).to_owned(),
            action: match e.action {
                EventAction::Transition(action) => lang
                    .pick(action_name_fa(action), action_name_en(action))
                    .to_owned(),
                EventAction::Draft => t.drafted.to_owned(),
                EventAction::Eligibility => t.event_eligibility.to_owned(),
                EventAction::Contract => t.event_contract.to_owned(),
                EventAction::Revise => layout_f.event_revised.to_owned(),
            },
            change: format!(
                "{} ← {}",
                names::application_state(lang, e.to_state),
                names::application_state(lang, e.from_state)
            ),
            reason: e.reason.clone().unwrap_or_default(),
        })
        .collect();
    let actions = action_buttons(&detail.moves, lang);
    let flags: Vec<serde_json::Value> =
        serde_json::from_str(&a.duplicate_flags).unwrap_or_default();
    let id_text = layout.lang.digits(&id.to_string());
    render(&ApplicationPage {
        applicant,
        purpose: f.purpose.clone(),
        id_text,
        may_contract: detail.may_contract,
        may_revise: detail.may_revise,
        form_key: super::form_key::fresh(),
        id,
        facts,
        score: score_text(lang, detail.score.as_ref().map(|s| s.total_x100)),
        factors,
        events,
        actions,
        flags: flags
            .iter()
            .map(|flag| names::duplicate_flag(lang, flag))
            .collect::<Vec<_>>()
            .join(lang.pick("، ", ", ")),
        layout,
    })
}

/// A button per step the app says this user may take now.
fn action_buttons(moves: &[TransitionAction], lang: Lang) -> Vec<ActionButton> {
    moves
        .iter()
        .map(|action| ActionButton {
            code: action.code(),
            label: lang.pick(action_name_fa(*action), action_name_en(*action)),
            needs_reason: action.needs_reason(),
        })
        .collect()
}

pub async fn take_step(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let input = TransitionInput {
        action: form.get("action").cloned().unwrap_or_default(),
        reason: form.get("reason").cloned(),
        bank: None,
    };
    let submission = super::form_key::Submission::of(&parts, &form);
    let done = applications::transition(
        &state.store,
        &user.principal,
        id,
        &input,
        state.config.workflow,
        submission.idempotency(),
        clock::now(),
    )
    .await;
    // A refusal (four eyes, a step another officer took meanwhile) is said on the
    // application's page as it now stands.
    let t = parts_text(&parts);
    let back = format!("/applications/{id}");
    answer::outcome(
        &parts,
        &user,
        t.applications_title,
        &back,
        t.done_step,
        done,
    )
    .await
}
