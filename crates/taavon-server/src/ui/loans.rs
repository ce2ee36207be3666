//! Loan pages: the list (the arrears list per branch with a filter), one loan with its
//! contract, schedule and transactions, its early-settlement quote, its proposals (a
//! reversal or rescheduling waiting for a second officer, with the buttons the app says
//! the user may press), and the bank's forms to pay out, take a repayment, reverse one
//! or settle early, and the portfolio per branch at the last closed business date.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use taavon_app::Idempotency;
use taavon_app::loans::{
    self, ContractInput, ProposalView, ProposedAction, RepaymentInput, SettlementQuote,
};
use taavon_app::{AppError, clock};
use taavon_core::loans::classification::LoanClass;
use taavon_core::loans::proposal::ProposalStatus;
use taavon_core::loans::{LoanStatus, TransactionKind};

use super::answer;
use super::csrf::CsrfForm;
use super::format;
use super::i18n::Lang;
use super::names::{self, Names};
use super::page::{PageParts, error_page, layout, parts_text};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

pub(super) fn class_name(lang: Lang, class: LoanClass) -> String {
    lang.pick(class.name_fa(), class.name_en()).to_owned()
}

fn kind_name(lang: Lang, kind: TransactionKind) -> String {
    let (fa, en) = match kind {
        TransactionKind::Disbursement => ("پرداخت تسهیلات", "Disbursement"),
        TransactionKind::Repayment => ("بازپرداخت", "Repayment"),
        TransactionKind::Reversal => ("برگشت", "Reversal"),
        TransactionKind::Settlement => ("تسویه پیش از موعد", "Early settlement"),
        TransactionKind::Reschedule => ("استمهال", "Rescheduling"),
    };
    lang.pick(fa, en).to_owned()
}

fn status_name(lang: Lang, status: LoanStatus) -> String {
    let (fa, en) = match status {
        LoanStatus::Contracted => ("قرارداد منعقد شده", "Contracted"),
        LoanStatus::Active => ("جاری", "Active"),
        LoanStatus::Settled => ("تسویه‌شده", "Settled"),
    };
    lang.pick(fa, en).to_owned()
}

struct InstallmentLine {
    n: String,
    due: String,
    principal: String,
    profit: String,
    grace_profit: String,
    total: String,
    balance: String,
    paid: String,
    waived: String,
    settled: bool,
    late: bool,
}

struct TransactionLine {
    id: i64,
    kind: String,
    date: String,
    amount: String,
    principal: String,
    profit: String,
    penalty: String,
    note: String,
    reversible: bool,
    reversed: bool,
}

#[derive(Template)]
#[template(path = "loan.html")]
struct LoanPage {
    layout: Layout,
    /// A fresh key for this rendering's money forms: sent back as their `form_key`, it
    /// is the write's Idempotency-Key, so a form submitted twice moves money once.
    form_key: String,
    id: i64,
    /// The number in the heading, in the reader's digits.
    id_text: String,
    facts: Vec<(String, String)>,
    installments: Vec<InstallmentLine>,
    transactions: Vec<TransactionLine>,
    may_transact: bool,
    may_disburse: bool,
    may_repay: bool,
    settlement: Option<SettlementLines>,
    /// Every schedule version, shown once a rescheduling wrote a second.
    versions: Vec<VersionLine>,
    /// The loan's reversals and reschedulings as asked for, pending ones with buttons.
    proposals: Vec<ProposalLine>,
}

struct ProposalLine {
    id: i64,
    kind: String,
    request: String,
    amount: String,
    proposed_by: String,
    at: String,
    status: String,
    decided_by: String,
    reason: String,
    may_approve: bool,
    may_reject: bool,
}

/// The user name of an actor label (`user:ID:NAME`).
fn actor_name(label: &str) -> String {
    label.split(':').nth(2).unwrap_or(label).to_owned()
}

fn proposal_line(lang: Lang, t: &super::i18n::Text, view: &ProposalView) -> ProposalLine {
    let p = &view.proposal;
    let request = match &view.action {
        ProposedAction::Reschedule(input) => format!(
            "{}: {} · {}: {} · {}: {}",
            t.term,
            lang.number(input.months),
            t.profit_rate,
            input
                .rate_bp
                .map_or_else(|| "—".to_owned(), |bp| rate_text(lang, bp)),
            t.grace,
            lang.number(input.grace_months.unwrap_or(0)),
        ),
        ProposedAction::Reversal {
            transaction_id,
            reason,
        } => format!("#{} — {reason}", lang.digits(&transaction_id.to_string())),
    };
    let status = match p.status {
        ProposalStatus::Pending => t.proposal_pending,
        ProposalStatus::Executed => t.proposal_executed,
        ProposalStatus::Rejected => t.proposal_rejected,
    };
    ProposalLine {
        id: p.id,
        kind: lang
            .pick(p.fields.kind.name_fa(), p.fields.kind.name_en())
            .to_owned(),
        request,
        amount: lang.number(p.fields.amount_rial),
        proposed_by: actor_name(&p.proposed_by),
        at: format::instant(lang, &p.proposed_at),
        status: status.to_owned(),
        decided_by: p.decided_by.as_deref().map(actor_name).unwrap_or_default(),
        reason: p.reason.clone().unwrap_or_default(),
        may_approve: view.may_approve,
        may_reject: view.may_reject,
    }
}

struct VersionLine {
    version: String,
    starts_on: String,
    principal: String,
    capitalised: String,
    months: String,
    rate: String,
    current: bool,
}

fn rate_text(lang: Lang, rate_bp: i64) -> String {
    lang.percent(&format!("{}.{:02}", rate_bp / 100, rate_bp % 100))
}

/// The early-settlement quote as the loan page shows it.
struct SettlementLines {
    date: String,
    parts: Vec<(String, String)>,
    total: String,
    in_words: String,
}

fn settlement_lines(lang: Lang, q: &SettlementQuote) -> SettlementLines {
    let parts = [
        (("وجه التزام تأخیر", "Late charge"), q.due.penalty),
        (("کارمزد سررسیدشده", "Fee due"), q.due.fee),
        (("سود سررسیدشده", "Profit due"), q.due.profit),
        (("اصل سررسیدشده", "Principal due"), q.due.principal),
        (
            ("اصل سررسیدنشده", "Principal not yet due"),
            q.principal_not_due_rial,
        ),
        (("سود روزشمار", "Profit accrued"), q.accrued_profit_rial),
        (("سود دوران مشارکت", "Grace profit"), q.grace_profit_rial),
        (
            ("سود پیش‌پرداخت‌شده (کسر)", "Profit paid ahead (deducted)"),
            q.prepaid_profit_rial,
        ),
        (
            ("سود بخشوده (دریافت نمی‌شود)", "Profit waived (not charged)"),
            q.waived_profit_rial,
        ),
    ];
    SettlementLines {
        date: format::date(lang, &q.business_date.to_string()),
        parts: parts
            .into_iter()
            .map(|((fa, en), amount)| (lang.pick(fa, en).to_owned(), lang.number(amount)))
            .collect(),
        total: lang.number(q.total_rial),
        in_words: format::amount_in_words(lang, q.total_rial),
    }
}

pub async fn one(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
) -> Response {
    let mut layout = layout(&parts, parts_text(&parts).loans_title, Some(&user)).await;
    let (lang, t) = (layout.lang, layout.t);
    let found = async {
        let view = loans::read_loan(&state.store, &user.principal, id).await?;
        let proposals = loans::loan_proposals(&state.store, &user.principal, id).await?;
        let names = Names::load(&state.store, &user.principal).await?;
        let quote = if view.settlement_quotable {
            Some(loans::settlement_quote(&state.store, &user.principal, id).await?)
        } else {
            None
        };
        Ok::<_, AppError>((view, proposals, names, quote))
    }
    .await;
    let (view, proposals, names, quote) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let l = &view.loan;
    let f = &l.fields;
    layout.trail(&[(t.loans_title, "/loans")], &lang.digits(&f.contract_no));
    let facts = vec![
        (t.contract_no.to_owned(), lang.digits(&f.contract_no)),
        (
            t.contract_type.to_owned(),
            names::contract_type(lang, f.contract_type),
        ),
        (t.program.to_owned(), names.program(lang, &f.program)),
        (t.province.to_owned(), names.province(lang, &f.province)),
        (t.branch.to_owned(), names::branch(lang, f.branch.as_str())),
        (t.principal.to_owned(), lang.number(f.principal_rial)),
        (
            t.in_words.to_owned(),
            format::amount_in_words(lang, f.principal_rial),
        ),
        (t.profit_rate.to_owned(), rate_text(lang, f.rate_bp)),
        (t.date.to_owned(), format::date(lang, &f.contracted_on)),
        (t.status.to_owned(), status_name(lang, l.status)),
        (
            t.outstanding.to_owned(),
            lang.number(l.state.outstanding_principal_rial),
        ),
        (t.overdue.to_owned(), lang.number(l.state.due_unpaid_rial)),
        (t.days_overdue.to_owned(), lang.number(l.state.days_overdue)),
        (t.penalty_due.to_owned(), lang.number(view.penalty_due_rial)),
        (t.loan_class.to_owned(), class_name(lang, l.class)),
        (t.provision.to_owned(), lang.number(l.state.provision_rial)),
        (
            t.business_date.to_owned(),
            format::date(lang, &view.business_date.to_string()),
        ),
    ];
    let contract = VersionLine {
        version: lang.number(1),
        starts_on: format::date(lang, &f.contracted_on),
        principal: lang.number(f.principal_rial),
        capitalised: lang.number(0),
        months: lang.number(f.months),
        rate: rate_text(lang, f.rate_bp),
        current: l.schedule_version == 1,
    };
    let versions = if view.schedules.is_empty() {
        Vec::new()
    } else {
        std::iter::once(contract)
            .chain(view.schedules.iter().map(|s| VersionLine {
                version: lang.number(s.schedule_version),
                starts_on: format::date(lang, &s.starts_on),
                principal: lang.number(s.principal_rial),
                capitalised: lang.number(s.capitalised_rial),
                months: lang.number(s.months),
                rate: rate_text(lang, s.rate_bp),
                current: s.schedule_version == l.schedule_version,
            }))
            .collect()
    };
    let installments = view
        .schedule
        .iter()
        .map(|r| {
            let paid = r.paid_principal_rial + r.paid_profit_rial + r.paid_fee_rial;
            let unpaid = r.unpaid_rial();
            InstallmentLine {
                n: lang.number(r.n),
                due: format::date(lang, &r.due_on),
                principal: lang.number(r.principal_rial),
                profit: lang.number(r.profit_rial + r.fee_rial),
                grace_profit: lang.number(r.grace_profit_rial),
                total: lang.number(r.total_rial),
                balance: lang.number(r.balance_rial),
                paid: lang.number(paid),
                waived: lang.number(r.waived_profit_rial + r.waived_fee_rial),
                settled: unpaid <= 0,
                late: view.late(r),
            }
        })
        .collect();
    let transactions = view
        .transactions
        .iter()
        .map(|tx| TransactionLine {
            id: tx.id,
            kind: kind_name(lang, tx.fields.kind),
            date: format::date(lang, &tx.fields.business_on),
            amount: lang.number(tx.fields.amount_rial),
            principal: lang.number(tx.fields.principal_rial),
            profit: lang.number(tx.fields.profit_rial + tx.fields.fee_rial),
            penalty: lang.number(tx.fields.penalty_rial),
            note: tx.fields.note.clone().unwrap_or_default(),
            reversible: view.reversible(tx),
            reversed: tx.reversed_by.is_some(),
        })
        .collect();
    let id_text = layout.lang.digits(&id.to_string());
    render(&LoanPage {
        form_key: taavon_app::auth::new_token().0,
        id_text,
        id,
        facts,
        installments,
        transactions,
        may_disburse: view.may_disburse,
        may_repay: view.may_repay,
        may_transact: view.may_transact,
        settlement: quote.map(|q| settlement_lines(lang, &q)),
        versions,
        proposals: proposals
            .iter()
            .map(|p| proposal_line(lang, t, p))
            .collect(),
        layout,
    })
}

/// Which form was posted on a loan page.
#[derive(Clone, Copy)]
pub enum LoanForm {
    Disburse,
    Repay,
    Settle,
}

async fn post_money(
    state: AppState,
    parts: axum::http::request::Parts,
    user: UiUser,
    id: i64,
    form: HashMap<String, String>,
    kind: LoanForm,
) -> Response {
    let amount = form
        .get("amount")
        .map(|a| taavon_core::digits::to_ascii_digits(a).replace([',', '٬', ' '], ""))
        .filter(|a| !a.is_empty());
    let amount_rial = match amount.map(|a| a.parse::<i64>()) {
        None => None,
        Some(Ok(value)) => Some(value),
        Some(Err(_)) => {
            return answer::refused(
                &parts,
                &user,
                parts_text(&parts).loans_title,
                &format!("/loans/{id}"),
                &AppError::invalid(
                    "amount_rial",
                    "number",
                    "مبلغ باید عدد صحیح ریالی باشد.",
                    "The amount must be a whole number of rials.",
                ),
            )
            .await;
        }
    };
    let input = RepaymentInput {
        amount_rial,
        note: form.get("note").cloned().filter(|n| !n.trim().is_empty()),
    };
    // The rendering's form key makes a double submission (a second click, a resent
    // post) answer the first result instead of moving the money again.
    let route = format!("POST {}", parts.uri.path());
    let body = canonical_form(&form);
    let idempotency = form
        .get("form_key")
        .filter(|key| !key.is_empty())
        .map(|key| Idempotency {
            key,
            route: &route,
            canonical_body: &body,
        });
    let done = match kind {
        LoanForm::Disburse => {
            loans::disburse(
                &state.store,
                &user.principal,
                id,
                &input,
                idempotency,
                clock::now(),
            )
            .await
        }
        LoanForm::Repay => {
            loans::repay(
                &state.store,
                &user.principal,
                id,
                &input,
                idempotency,
                clock::now(),
            )
            .await
        }
        LoanForm::Settle => {
            loans::settle(
                &state.store,
                &user.principal,
                id,
                &input,
                idempotency,
                clock::now(),
            )
            .await
        }
    };
    let t = parts_text(&parts);
    let success = match kind {
        LoanForm::Disburse => t.done_disbursement,
        LoanForm::Repay => t.done_repayment,
        LoanForm::Settle => t.done_settlement,
    };
    finish(&parts, &user, id, success, done).await
}

/// A form's fields but its CSRF token and form key, in one order (what a replay of the
/// same submission compares).
fn canonical_form(form: &HashMap<String, String>) -> String {
    let fields: std::collections::BTreeMap<&str, &str> = form
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "csrf" | "form_key"))
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    serde_json::to_string(&fields).unwrap_or_default()
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

pub async fn reverse(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path((id, transaction_id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
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
        None,
        clock::now(),
    )
    .await;
    let success = parts_text(&parts).done_reversal;
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
    let done = match decision {
        ProposalForm::Approve => {
            loans::approve_proposal(store, principal, id, proposal_id, None, clock::now()).await
        }
        ProposalForm::Reject => {
            let reason = form.get("reason").map_or("", String::as_str);
            loans::reject_proposal(
                store,
                principal,
                id,
                proposal_id,
                reason,
                None,
                clock::now(),
            )
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
    let t = parts_text(&parts);
    match loans::contract(&state.store, &user.principal, &input, None, clock::now()).await {
        Ok(id) => {
            answer::outcome(
                &parts,
                &user,
                t.loans_title,
                &format!("/loans/{id}"),
                t.done_contract,
                Ok(()),
            )
            .await
        }
        Err(error) => {
            let back = format!("/applications/{application_id}");
            answer::refused(&parts, &user, t.loans_title, &back, &error).await
        }
    }
}
