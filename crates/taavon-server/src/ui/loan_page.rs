//! One loan's page: its borrower and application, contract, schedule (each installment
//! marked paid, overdue, due next or upcoming, in words as well as colour), the
//! transactions with how each payment came in, the early-settlement quote (also as a
//! printable page of its own), its proposals (a reversal or rescheduling waiting for a
//! second officer) and the forms the app says the reader may use: pay out, take a
//! repayment, settle early, reschedule, reverse. A refused form comes back on this page
//! with what was typed and each field's reason (`Failed`).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use taavon_app::loans::{self, LoanView, ProposalView, ProposedAction, SettlementQuote};
use taavon_app::{AppError, impact, loans::InstallmentStanding};
use taavon_core::loans::TransactionKind;
use taavon_core::loans::proposal::ProposalStatus;
use taavon_core::loans::receipt::PaymentChannel;
use taavon_core::loans::schedule::{GraceMode, Method};

use super::borrower::{Party, party};
use super::fields::Field;
use super::form_key;
use super::form_state::{FormState, Refused, render_form, state_of};
use super::format;
use super::i18n::{Lang, Text};
use super::impact::{HiresSection, JobsBox};
use super::loans::{class_name, status_name};
use super::names::{self, Names};
use super::page::{PageParts, error_page, layout, parts_text};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

/// The forms of a loan page, by what they do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum LoanForm {
    Disburse,
    Repay,
    Settle,
    Reschedule,
}

impl LoanForm {
    /// The prefix of its fields' ids.
    fn prefix(self) -> &'static str {
        match self {
            LoanForm::Disburse => "disburse",
            LoanForm::Repay => "repay",
            LoanForm::Settle => "settle",
            LoanForm::Reschedule => "reschedule",
        }
    }
}

/// A form refused with field errors, shown again on the page as it was typed.
pub type Failed = Refused<LoanForm>;

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
    /// The standing's class (`paid`, `overdue`, `due`, `upcoming`) and its words.
    standing: &'static str,
    standing_text: &'static str,
}

struct TransactionLine {
    id: i64,
    /// The number in the reader's digits, and the reversal's reason label naming it.
    number: String,
    reason_label: String,
    kind: String,
    date: String,
    amount: String,
    principal: String,
    profit: String,
    penalty: String,
    note: String,
    /// How the money came in: the value date, the channel and the receipt number.
    receipt: String,
    reversible: bool,
    reversed: bool,
}

struct ProposalLine {
    id: i64,
    number: String,
    reason_label: String,
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

struct VersionLine {
    version: String,
    starts_on: String,
    principal: String,
    capitalised: String,
    months: String,
    rate: String,
    current: bool,
}

/// The early-settlement quote as the loan page and its printable page show it.
struct SettlementLines {
    date: String,
    parts: Vec<(String, String)>,
    total: String,
    in_words: String,
}

/// A form of the page: its fields, and the reason a refusal gave that names no field.
struct FormView {
    fields: Vec<Field>,
    error: String,
}

#[derive(Template)]
#[template(path = "loan.html")]
struct LoanPage {
    layout: Layout,
    /// A fresh key for this rendering's forms: sent back as their `form_key`, it is the
    /// write's Idempotency-Key, so a form submitted twice acts once.
    form_key: String,
    id: i64,
    /// The number in the heading, in the reader's digits.
    id_text: String,
    borrower: Party,
    application_id: i64,
    application_text: String,
    facts: Vec<(String, String)>,
    installments: Vec<InstallmentLine>,
    transactions: Vec<TransactionLine>,
    /// Says that only the newest transactions are listed, when the loan has more.
    transactions_note: String,
    may_transact: bool,
    disburse: Option<FormView>,
    repay: Option<FormView>,
    settle: Option<FormView>,
    reschedule: Option<FormView>,
    /// Why a rescheduling must wait (a late charge owed), if it must.
    reschedule_blocked: String,
    settlement: Option<SettlementLines>,
    /// Every schedule version, shown once a rescheduling wrote a second.
    versions: Vec<VersionLine>,
    /// The loan's reversals and reschedulings as asked for, pending ones with buttons.
    proposals: Vec<ProposalLine>,
    /// Planned, reported and verified jobs, and each reported hire's verification.
    jobs: JobsBox,
    hires: HiresSection,
}

#[derive(Template)]
#[template(path = "settlement_quote.html")]
struct QuotePage {
    layout: Layout,
    id: i64,
    contract_no: String,
    borrower: Party,
    quote: SettlementLines,
    valid_note: String,
}

/// The user name of an actor label (`user:ID:NAME`).
fn actor_name(label: &str) -> String {
    label.split(':').nth(2).unwrap_or(label).to_owned()
}

fn proposal_line(lang: Lang, t: &Text, layout: &Layout, view: &ProposalView) -> ProposalLine {
    let p = &view.proposal;
    let request = match &view.action {
        ProposedAction::Reschedule(input) => format!(
            "{}: {} · {}: {} · {}: {}",
            t.term,
            lang.number(input.months),
            t.profit_rate,
            input
                .rate_bp
                .map_or_else(|| "—".to_owned(), |bp| format::rate(lang, bp)),
            t.grace,
            lang.number(input.grace_months.unwrap_or(0)),
        ),
        ProposedAction::Reversal {
            transaction_id,
            reason,
        } => format!(
            "{}{} — {reason}",
            t.number_sign,
            lang.digits(&transaction_id.to_string())
        ),
    };
    let status = match p.status {
        ProposalStatus::Pending => t.proposal_pending,
        ProposalStatus::Executed => t.proposal_executed,
        ProposalStatus::Rejected => t.proposal_rejected,
    };
    let number = lang.id(p.id);
    ProposalLine {
        id: p.id,
        reason_label: format!("{} {number}", layout.f.reject_reason),
        number,
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

/// How a payment came in, in one cell: its value date, channel and receipt number.
fn receipt_text(lang: Lang, layout: &Layout, tx: &taavon_app::rows::LoanTransaction) -> String {
    let Some(r) = &tx.fields.receipt else {
        return String::new();
    };
    let mut parts = vec![
        format::date(lang, &r.value_on),
        lang.pick(r.channel.name_fa(), r.channel.name_en())
            .to_owned(),
    ];
    if let Some(number) = &r.receipt_no {
        parts.push(format!(
            "{} {}",
            layout.f.receipt_short,
            lang.digits(number)
        ));
    }
    parts.join(" · ")
}

fn standing(layout: &Layout, standing: InstallmentStanding) -> (&'static str, &'static str) {
    let f = layout.f;
    match standing {
        InstallmentStanding::Paid => ("paid", f.standing_paid),
        InstallmentStanding::Overdue => ("overdue", f.standing_overdue),
        InstallmentStanding::Due => ("due", f.standing_due),
        InstallmentStanding::Upcoming => ("upcoming", f.standing_upcoming),
    }
}

/// The payment channels as a select offers them.
pub(super) fn channel_options(lang: Lang) -> Vec<(String, String)> {
    PaymentChannel::ALL
        .iter()
        .map(|c| {
            (
                c.code().to_owned(),
                lang.pick(c.name_fa(), c.name_en()).to_owned(),
            )
        })
        .collect()
}

/// The fields of how a payment came in (repayment and settlement alike).
fn receipt_fields(layout: &Layout, state: &FormState, prefix: &str) -> Vec<Field> {
    let (lang, t, f) = (layout.lang, layout.t, layout.f);
    vec![
        state
            .field(prefix, "value_on", f.value_on)
            .date(t.calendar)
            .hint(f.value_on_hint),
        state
            .field(prefix, "channel", f.channel)
            .select(channel_options(lang), None)
            .required(),
        state.field(prefix, "receipt_no", f.receipt_no).ltr(),
        state.field(prefix, "note", t.note),
    ]
}

impl FormView {
    /// Whether this form came back refused (a folded form then opens).
    fn refused(&self) -> bool {
        !self.error.is_empty() || self.fields.iter().any(|f| !f.error.is_empty())
    }
}

fn form_view(fields: Vec<Field>, state: &FormState, fields_wrong: &str) -> FormView {
    FormView {
        fields,
        error: state.summary(fields_wrong),
    }
}

/// The page's forms, as the app says the reader may use them.
struct Forms {
    disburse: Option<FormView>,
    repay: Option<FormView>,
    settle: Option<FormView>,
    reschedule: Option<FormView>,
}

fn forms(
    layout: &Layout,
    view: &LoanView,
    quote: Option<&SettlementQuote>,
    mut failed: Option<Failed>,
) -> Forms {
    let (lang, t, f) = (layout.lang, layout.t, layout.f);
    let disburse = view.may_disburse.then(|| {
        let state = state_of(&mut failed, LoanForm::Disburse, &[]);
        let prefix = LoanForm::Disburse.prefix();
        let fields = vec![
            state
                .field(prefix, "amount", t.amount_rial)
                .amount()
                .hint(f.disburse_hint),
            state.field(prefix, "note", t.note),
        ];
        form_view(fields, &state, t.form_has_errors)
    });
    // A repayment and a settlement take the same fields: the amount, how it came in.
    let payment = |form: LoanForm, fresh: &[(&str, String)], failed: &mut Option<Failed>| {
        let state = state_of(failed, form, fresh);
        let prefix = form.prefix();
        let mut fields = vec![
            state
                .field(prefix, "amount", t.amount_rial)
                .amount()
                .required(),
        ];
        fields.extend(receipt_fields(layout, &state, prefix));
        form_view(fields, &state, t.form_has_errors)
    };
    let branch = || ("channel", PaymentChannel::Branch.code().to_owned());
    let repay = view
        .may_repay
        .then(|| payment(LoanForm::Repay, &[branch()], &mut failed));
    let settle = quote.filter(|_| view.may_repay).map(|q| {
        let total = ("amount", lang.number(q.total_rial));
        payment(LoanForm::Settle, &[total, branch()], &mut failed)
    });
    let reschedule = view.may_reschedule.then(|| {
        let capitalise = ("capitalise", lang.number(view.capitalisable_rial()));
        let state = state_of(&mut failed, LoanForm::Reschedule, &[capitalise]);
        let prefix = LoanForm::Reschedule.prefix();
        let grace_modes = GraceMode::ALL
            .iter()
            .map(|g| (g.code().to_owned(), names::grace_mode(lang, *g)))
            .collect();
        let methods = Method::ALL
            .iter()
            .map(|m| (m.code().to_owned(), names::method(lang, *m)))
            .collect();
        let fields = vec![
            state
                .field(prefix, "months", f.months_new)
                .number()
                .required(),
            state
                .field(prefix, "rate", f.rate_new)
                .ltr()
                .hint(f.rate_hint),
            state.field(prefix, "grace_months", t.grace).number(),
            state
                .field(prefix, "grace_mode", f.grace_mode)
                .select(grace_modes, None),
            state
                .field(prefix, "method", f.method)
                .select(methods, Some(f.method_keep)),
            state
                .field(prefix, "capitalise", f.capitalise)
                .amount()
                .required()
                .hint(f.capitalise_hint),
            state.field(prefix, "note", t.note),
        ];
        form_view(fields, &state, t.form_has_errors)
    });
    Forms {
        disburse,
        repay,
        settle,
        reschedule,
    }
}

pub async fn one(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
) -> Response {
    page(&state, &parts, &user, id, None).await
}

/// The loan page, with a refused form shown again (then answered 422).
pub async fn page(
    state: &AppState,
    parts: &axum::http::request::Parts,
    user: &UiUser,
    id: i64,
    failed: Option<Failed>,
) -> Response {
    let mut layout = layout(parts, parts_text(parts).loans_title, Some(user)).await;
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
        let f = &view.loan.fields;
        let borrower = party(&state.store, &user.principal, f.cooperative_id, f.client_id).await?;
        let jobs = impact::loan_jobs(&state.store, &user.principal, id).await?;
        Ok::<_, AppError>((view, proposals, names, quote, borrower, jobs))
    }
    .await;
    let (view, proposals, names, quote, borrower, jobs) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let refused = failed.is_some();
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
        (t.profit_rate.to_owned(), format::rate(lang, f.rate_bp)),
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
        rate: format::rate(lang, f.rate_bp),
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
                rate: format::rate(lang, s.rate_bp),
                current: s.schedule_version == l.schedule_version,
            }))
            .collect()
    };
    let installments = view
        .schedule
        .iter()
        .zip(view.standings())
        .map(|(r, s)| {
            let (standing, standing_text) = standing(&layout, s);
            InstallmentLine {
                n: lang.number(r.n),
                due: format::date(lang, &r.due_on),
                principal: lang.number(r.principal_rial),
                profit: lang.number(r.profit_rial + r.fee_rial),
                grace_profit: lang.number(r.grace_profit_rial),
                total: lang.number(r.total_rial),
                balance: lang.number(r.balance_rial),
                paid: lang.number(r.paid_principal_rial + r.paid_profit_rial + r.paid_fee_rial),
                waived: lang.number(r.waived_profit_rial + r.waived_fee_rial),
                standing,
                standing_text,
            }
        })
        .collect();
    let shown = i64::try_from(view.transactions.len()).unwrap_or(i64::MAX);
    let transactions_note = if view.transactions_total > shown {
        let (shown, total) = (lang.number(shown), lang.number(view.transactions_total));
        lang.pick(
            &format!("تازه‌ترین {shown} تراکنش از {total} تراکنش این تسهیلات آمده است."),
            &format!("The newest {shown} of the loan's {total} transactions are listed."),
        )
        .to_owned()
    } else {
        String::new()
    };
    let transactions = view
        .transactions
        .iter()
        .map(|tx| {
            let number = lang.id(tx.id);
            TransactionLine {
                id: tx.id,
                reason_label: format!("{} {number}", layout.f.reverse_reason),
                number,
                kind: kind_name(lang, tx.fields.kind),
                date: format::date(lang, &tx.fields.business_on),
                amount: lang.number(tx.fields.amount_rial),
                principal: lang.number(tx.fields.principal_rial),
                profit: lang.number(tx.fields.profit_rial + tx.fields.fee_rial),
                penalty: lang.number(tx.fields.penalty_rial),
                note: tx.fields.note.clone().unwrap_or_default(),
                receipt: receipt_text(lang, &layout, tx),
                reversible: view.reversible(tx),
                reversed: tx.reversed_by.is_some(),
            }
        })
        .collect();
    let Forms {
        disburse,
        repay,
        settle,
        reschedule,
    } = forms(&layout, &view, quote.as_ref(), failed);
    let reschedule_blocked = if reschedule.is_some() && view.penalty_due_rial > 0 {
        layout.f.penalty_first.to_owned()
    } else {
        String::new()
    };
    let proposals = proposals
        .iter()
        .map(|p| proposal_line(lang, t, &layout, p))
        .collect();
    let page = LoanPage {
        form_key: form_key::fresh(),
        id_text: lang.id(id),
        id,
        application_text: format!("{}{}", t.number_sign, lang.id(f.application_id)),
        application_id: f.application_id,
        borrower,
        facts,
        installments,
        transactions,
        transactions_note,
        may_transact: view.may_transact,
        disburse,
        repay,
        settle,
        reschedule,
        reschedule_blocked,
        settlement: quote.map(|q| settlement_lines(lang, &q)),
        versions,
        proposals,
        hires: HiresSection::new(lang, &jobs),
        jobs: JobsBox::of_loan(lang, &jobs),
        layout,
    };
    let refused_form = refused;
    render_form(&page, refused_form)
}

/// The early-settlement quote on a page of its own, to print and hand the borrower.
pub async fn quote(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
) -> Response {
    let mut layout = layout(&parts, parts_text(&parts).settlement_title, Some(&user)).await;
    let lang = layout.lang;
    let found = async {
        let view = loans::read_loan(&state.store, &user.principal, id).await?;
        let quote = loans::settlement_quote(&state.store, &user.principal, id).await?;
        let f = &view.loan.fields;
        let borrower = party(&state.store, &user.principal, f.cooperative_id, f.client_id).await?;
        Ok::<_, AppError>((view, quote, borrower))
    }
    .await;
    let (view, quote, borrower) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let contract_no = lang.digits(&view.loan.fields.contract_no);
    let t = layout.t;
    layout.title = format!("{} {contract_no}", t.settlement_title);
    let loan = format!("/loans/{id}");
    layout.trail(
        &[
            (t.loans_title, "/loans"),
            (contract_no.as_str(), loan.as_str()),
        ],
        t.settlement_title,
    );
    let lines = settlement_lines(lang, &quote);
    let valid_note = format!("{} {}", layout.f.quote_valid_on, lines.date);
    render(&QuotePage {
        id,
        contract_no,
        borrower,
        quote: lines,
        valid_note,
        layout,
    })
}
