//! Loans: contracts, schedules, disbursements, repayments, reversals, early settlement
//! and rescheduling; the portfolio at each closed business date. A reversal or a
//! rescheduling above the configured amount is a proposal a second officer of the bank
//! approves or rejects (`…/proposals`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use taavon_app::clock;
use taavon_app::loans::{
    self, ContractInput, LoanView, ProposalView, ProposedAction, RepaymentInput, RescheduleInput,
    SettlementQuote,
};
use taavon_app::rows::{InstallmentRow, Loan, LoanSchedule, LoanTransaction, PortfolioRow};
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_core::loans::proposal::ProposalStatus;
use taavon_core::money::amount_in_words_fa;
use utoipa::{IntoParams, ToSchema};

use crate::api::fields;
use crate::api::keyed::{IdempotencyKey, KeyOnly, Keyed};
use crate::api_json::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A loan: its contract and what end of day keeps on it.
#[derive(Serialize, ToSchema)]
pub struct LoanDto {
    pub id: i64,
    pub application_id: i64,
    pub contract_no: String,
    /// qard_al_hasan, civil_partnership, installment_sale, joaleh, murabaha, hire_purchase.
    pub contract_type: String,
    pub program: String,
    pub province: String,
    pub bank: String,
    pub branch: String,
    pub cooperative_id: Option<i64>,
    pub client_id: Option<i64>,
    /// Rials.
    pub principal: i64,
    /// Yearly profit (qard al-hasan: fee) rate in basis points.
    pub rate_bp: i64,
    pub months: i64,
    pub grace_months: i64,
    pub grace_mode: String,
    pub method: String,
    /// ISO date of the contract.
    pub contracted_on: String,
    /// contracted, active or settled.
    pub status: String,
    /// The current schedule's version (1 is the contract's; each rescheduling adds one).
    pub schedule_version: i64,
    pub disbursed: i64,
    pub outstanding_principal: i64,
    /// Unpaid part of the installments fallen due by the last closed date.
    pub overdue: i64,
    pub days_overdue: i64,
    /// Central Bank of Iran class: current, past_due, deferred, doubtful.
    pub class: String,
    pub provision: i64,
    /// The last business date end of day closed for this loan (ISO).
    pub closed_on: String,
    pub version: i64,
}

/// One installment, with its Jalali due date.
#[derive(Serialize, ToSchema)]
pub struct InstallmentDto {
    pub n: i64,
    /// Jalali YYYY-MM-DD.
    pub due: String,
    pub due_iso: String,
    pub principal: i64,
    pub profit: i64,
    pub fee: i64,
    pub grace_profit: i64,
    pub total: i64,
    pub balance: i64,
    pub paid: i64,
    /// Profit and fee an early settlement took off unpaid (not earned, not charged).
    pub waived: i64,
}

/// A loan transaction (never edited; a reversal is a transaction of its own).
#[derive(Serialize, ToSchema)]
pub struct LoanTransactionDto {
    pub id: i64,
    /// disbursement, repayment, reversal, settlement or reschedule (amount 0: the
    /// capitalised profit and fee, paid by principal, which is negative).
    pub kind: String,
    pub business_on: String,
    pub amount: i64,
    pub penalty: i64,
    pub fee: i64,
    pub profit: i64,
    pub principal: i64,
    pub reverses: Option<i64>,
    pub reversed_by: Option<i64>,
    pub note: Option<String>,
    /// How a repayment's or settlement's money came in, when that was stated: the day it
    /// reached the bank (ISO), the channel and the bank's receipt number.
    pub value_on: Option<String>,
    /// branch, transfer, card, internet or cheque.
    pub channel: Option<String>,
    pub receipt_no: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

/// A loan with its schedule and transactions.
#[derive(Serialize, ToSchema)]
pub struct LoanDetailDto {
    #[serde(flatten)]
    pub loan: LoanDto,
    /// The principal in Persian words, as on the contract.
    pub principal_in_words: String,
    /// The late charge owed at the open business date.
    pub penalty_due: i64,
    /// The open business date (ISO).
    pub business_date: String,
    /// The current schedule.
    pub schedule: Vec<InstallmentDto>,
    /// Every schedule version's terms, oldest first; the last is the current one.
    pub schedule_versions: Vec<ScheduleVersionDto>,
    /// The newest 50 transactions, oldest first, so the answer does not grow with the
    /// loan's history; every one, page by page: `GET /api/v1/loans/{id}/transactions`.
    pub transactions: Vec<LoanTransactionDto>,
    /// How many transactions the loan has in all.
    pub transactions_total: i64,
}

/// A page of a loan's transactions, oldest first.
#[derive(Serialize, ToSchema)]
pub struct LoanTransactionPageDto {
    pub items: Vec<LoanTransactionDto>,
    /// The `after` of the next page; absent on the last one.
    pub next_after: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransactionQuery {
    /// The first page when absent; else the `next_after` of the page before.
    #[param(minimum = 0)]
    pub after: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The terms one schedule version was built from.
#[derive(Serialize, ToSchema)]
pub struct ScheduleVersionDto {
    pub version: i64,
    /// ISO date it starts from (the contract's date, or the rescheduling's).
    pub starts_on: String,
    /// What it amortises, rials.
    pub principal: i64,
    /// Unpaid dues capitalised into `principal` by the rescheduling.
    pub capitalised: i64,
    pub rate_bp: i64,
    pub months: i64,
    pub grace_months: i64,
    pub grace_mode: String,
    pub method: String,
}

impl From<&LoanSchedule> for ScheduleVersionDto {
    fn from(s: &LoanSchedule) -> Self {
        Self {
            version: s.schedule_version,
            starts_on: s.starts_on.clone(),
            principal: s.principal_rial,
            capitalised: s.capitalised_rial,
            rate_bp: s.rate_bp,
            months: s.months,
            grace_months: s.grace_months,
            grace_mode: s.grace_mode.code().to_owned(),
            method: s.method.code().to_owned(),
        }
    }
}

/// A new schedule for the outstanding principal plus the unpaid profit and fee fallen
/// due (the late charge paid first), starting at the open business date.
#[derive(Deserialize, ToSchema)]
pub struct RescheduleDto {
    #[schema(minimum = 1, maximum = 360)]
    pub months: i64,
    /// Default: the current schedule's rate.
    #[schema(minimum = 0, maximum = 10000)]
    pub rate_bp: Option<i64>,
    /// Default 0.
    #[schema(minimum = 0, maximum = 60)]
    pub grace_months: Option<i64>,
    /// paid (default), capitalized or spread.
    #[schema(value_type = Option<fields::GraceModeOrBlank>)]
    pub grace_mode: Option<String>,
    /// Default: the current schedule's method.
    #[schema(value_type = Option<fields::MethodOrBlank>)]
    pub method: Option<String>,
    /// Must equal the unpaid profit and fee fallen due (rule must_equal_due_profit).
    #[schema(minimum = 0, maximum = 100_000_000_000_000_i64)]
    pub capitalise_rial: i64,
    #[schema(value_type = Option<fields::FreeText>)]
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoanPageDto {
    pub items: Vec<LoanDto>,
    pub total: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(value_type = Option<fields::ProvinceCode>)]
    pub province: Option<String>,
    #[param(value_type = Option<fields::Code>)]
    pub bank: Option<String>,
    #[param(value_type = Option<fields::Code>)]
    pub branch: Option<String>,
    #[param(value_type = Option<fields::LoanClassCode>)]
    pub class: Option<String>,
    #[param(value_type = Option<fields::LoanStatusCode>)]
    pub status: Option<String>,
    /// Only loans with something overdue (the arrears list).
    pub in_arrears: Option<bool>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// The contract of a bank-approved application.
#[derive(Deserialize, ToSchema)]
pub struct NewLoanDto {
    pub application_id: i64,
    /// paid (default), capitalized or spread.
    #[schema(value_type = Option<fields::GraceModeOrBlank>)]
    pub grace_mode: Option<String>,
    /// annuity (default) or equal-principal.
    #[schema(value_type = Option<fields::MethodOrBlank>)]
    pub method: Option<String>,
}

/// Money paid out: a disbursement (no amount: the whole rest).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"amount": 5_000_000_000_i64}))]
pub struct MoneyDto {
    /// Rials.
    #[schema(minimum = 1, maximum = 100_000_000_000_000_i64)]
    pub amount: Option<i64>,
    #[schema(value_type = Option<fields::FreeText>)]
    pub note: Option<String>,
}

/// Money paid in: a repayment, with how it came in (all three optional; the channel is
/// required once a value date or receipt number is given).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"amount": 1_000_000, "note": "قسط اول", "channel": "branch",
    "receipt_no": "88120456"}))]
pub struct RepaymentDto {
    /// Rials.
    #[schema(minimum = 1, maximum = 100_000_000_000_000_i64)]
    pub amount: i64,
    #[schema(value_type = Option<fields::FreeText>)]
    pub note: Option<String>,
    #[serde(flatten)]
    pub receipt: ReceiptDto,
}

/// How a payment's money came in.
#[derive(Deserialize, ToSchema, Default)]
pub struct ReceiptDto {
    /// The day the money reached the bank (default the open business date): between the
    /// contract and the open business date.
    #[schema(value_type = Option<fields::DateOrBlank>)]
    pub value_on: Option<String>,
    #[schema(value_type = Option<fields::PaymentChannelOrBlank>)]
    pub channel: Option<String>,
    /// The bank's own receipt or tracking number.
    #[schema(value_type = Option<fields::Reference>)]
    pub receipt_no: Option<String>,
}

/// What an early settlement at the open business date takes, by part, in rials. For a
/// qard al-hasan loan "profit" is the fee.
#[derive(Serialize, ToSchema)]
pub struct SettlementQuoteDto {
    /// The open business date (ISO) the quote holds for.
    pub business_date: String,
    /// The late charge owed.
    pub penalty: i64,
    /// Unpaid parts of the installments fallen due.
    pub due_fee: i64,
    pub due_profit: i64,
    pub due_principal: i64,
    /// Principal of the installments not yet due.
    pub principal_not_due: i64,
    /// Profit on that principal since the last due date, by the day.
    pub accrued_profit: i64,
    /// The spread grace profit not yet due (earned in full at the grace period's end).
    pub grace_profit: i64,
    /// Profit already paid ahead on installments not yet due; it counts towards the two
    /// above.
    pub prepaid_profit: i64,
    /// The profit charged: accrued plus grace profit less what was paid ahead.
    pub earned_profit: i64,
    /// Profit of the installments not yet due that is not charged (waived).
    pub waived_profit: i64,
    /// What settles the loan: the amount to post.
    pub total: i64,
    pub total_in_words: String,
}

/// An early settlement: the amount must equal the quote's total.
#[derive(Deserialize, ToSchema)]
pub struct SettlementDto {
    /// Rials.
    #[schema(maximum = 100_000_000_000_000_i64)]
    pub amount_rial: Option<i64>,
    #[schema(value_type = Option<fields::FreeText>)]
    pub note: Option<String>,
    #[serde(flatten)]
    pub receipt: ReceiptDto,
}

#[derive(Deserialize, ToSchema)]
pub struct ReversalDto {
    #[schema(value_type = fields::Reason)]
    pub reason: String,
}

/// A bank action that changes what a borrower owes (a rescheduling, a reversal) as it
/// was asked for: executed at once at or below `bank_second_approval_above_rial`, else
/// pending until another officer of the same bank approves or rejects it.
#[derive(Serialize, ToSchema)]
pub struct ProposalDto {
    pub id: i64,
    pub loan_id: i64,
    /// reschedule or reversal.
    pub kind: String,
    /// The request as made: a rescheduling's terms, or a reversal's transaction_id and
    /// reason (with `kind`).
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
    /// What the threshold was compared with, rials: the principal a rescheduling
    /// amortises, the amount a reversal undoes.
    pub amount: i64,
    /// pending, executed or rejected.
    pub status: String,
    pub proposed_by: String,
    pub proposed_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The loan transaction its execution recorded.
    pub transaction_id: Option<i64>,
    /// Whether the caller may approve it now (pending, and not their own).
    pub may_approve: bool,
    /// Whether the caller may reject it now (pending; its proposer withdraws it).
    pub may_reject: bool,
}

/// Why a proposal is rejected.
#[derive(Deserialize, ToSchema)]
pub struct RejectionDto {
    #[schema(value_type = fields::Reason)]
    pub reason: String,
}

/// The transaction a request recorded (a replay returns the same one) and the loan after it.
#[derive(Serialize, ToSchema)]
pub struct TransactionResultDto {
    pub transaction_id: i64,
    pub loan: LoanDetailDto,
}

/// One branch's portfolio at a closed business date.
#[derive(Serialize, ToSchema)]
pub struct PortfolioDto {
    pub business_on: String,
    pub province: String,
    pub bank: String,
    pub branch: String,
    pub loans: i64,
    pub outstanding: i64,
    pub par30: i64,
    pub par90: i64,
    pub past_due: i64,
    pub deferred: i64,
    pub doubtful: i64,
    pub provision: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PortfolioQuery {
    /// A closed business date (ISO or Jalali); default the last closed.
    #[param(value_type = Option<fields::Date>)]
    pub date: Option<String>,
}

fn day_iso(day: i64) -> String {
    IsoDate::from_days_since_unix_epoch(day).to_string()
}

fn jalali(iso: &str) -> String {
    IsoDate::parse(iso)
        .map(|d| JalaliDate::from(d).to_string())
        .unwrap_or_else(|_| iso.to_owned())
}

impl From<Loan> for LoanDto {
    fn from(l: Loan) -> Self {
        let f = l.fields;
        Self {
            id: l.id,
            application_id: f.application_id,
            contract_no: f.contract_no,
            contract_type: f.contract_type.code().to_owned(),
            program: f.program,
            province: f.province,
            bank: f.bank.to_string(),
            branch: f.branch.to_string(),
            cooperative_id: f.cooperative_id,
            client_id: f.client_id,
            principal: f.principal_rial,
            rate_bp: f.rate_bp,
            months: f.months,
            grace_months: f.grace_months,
            grace_mode: f.grace_mode.code().to_owned(),
            method: f.method.code().to_owned(),
            contracted_on: f.contracted_on,
            status: l.status.code().to_owned(),
            schedule_version: l.schedule_version,
            disbursed: l.disbursed_rial,
            outstanding_principal: l.state.outstanding_principal_rial,
            overdue: l.state.due_unpaid_rial,
            days_overdue: l.state.days_overdue,
            class: l.class.code().to_owned(),
            provision: l.state.provision_rial,
            closed_on: day_iso(l.state.closed_day),
            version: l.version,
        }
    }
}

impl From<InstallmentRow> for InstallmentDto {
    fn from(r: InstallmentRow) -> Self {
        Self {
            n: r.n,
            due: jalali(&r.due_on),
            due_iso: r.due_on,
            principal: r.principal_rial,
            profit: r.profit_rial,
            fee: r.fee_rial,
            grace_profit: r.grace_profit_rial,
            total: r.total_rial,
            balance: r.balance_rial,
            paid: r.paid_principal_rial + r.paid_profit_rial + r.paid_fee_rial,
            waived: r.waived_profit_rial + r.waived_fee_rial,
        }
    }
}

impl From<LoanTransaction> for LoanTransactionDto {
    fn from(t: LoanTransaction) -> Self {
        let f = t.fields;
        Self {
            id: t.id,
            kind: f.kind.code().to_owned(),
            business_on: f.business_on,
            amount: f.amount_rial,
            penalty: f.penalty_rial,
            fee: f.fee_rial,
            profit: f.profit_rial,
            principal: f.principal_rial,
            reverses: f.reverses,
            reversed_by: t.reversed_by,
            note: f.note,
            value_on: f.receipt.as_ref().map(|r| r.value_on.clone()),
            channel: f.receipt.as_ref().map(|r| r.channel.code().to_owned()),
            receipt_no: f.receipt.and_then(|r| r.receipt_no),
            created_by: t.created_by,
            created_at: t.created_at,
        }
    }
}

impl From<LoanView> for LoanDetailDto {
    fn from(v: LoanView) -> Self {
        let f = &v.loan.fields;
        let contract = ScheduleVersionDto {
            version: 1,
            starts_on: f.contracted_on.clone(),
            principal: f.principal_rial,
            capitalised: 0,
            rate_bp: f.rate_bp,
            months: f.months,
            grace_months: f.grace_months,
            grace_mode: f.grace_mode.code().to_owned(),
            method: f.method.code().to_owned(),
        };
        let schedule_versions = std::iter::once(contract)
            .chain(v.schedules.iter().map(Into::into))
            .collect();
        Self {
            schedule_versions,
            principal_in_words: amount_in_words_fa(v.loan.fields.principal_rial),
            penalty_due: v.penalty_due_rial,
            business_date: v.business_date.to_string(),
            loan: v.loan.into(),
            schedule: v.schedule.into_iter().map(Into::into).collect(),
            transactions: v.transactions.into_iter().map(Into::into).collect(),
            transactions_total: v.transactions_total,
        }
    }
}

impl From<ProposalView> for ProposalDto {
    fn from(v: ProposalView) -> Self {
        let p = v.proposal;
        Self {
            id: p.id,
            loan_id: p.fields.loan_id,
            kind: p.fields.kind.code().to_owned(),
            request: serde_json::to_value(&v.action).unwrap_or_default(),
            amount: p.fields.amount_rial,
            status: p.status.code().to_owned(),
            proposed_by: p.proposed_by,
            proposed_at: p.proposed_at,
            decided_by: p.decided_by,
            decided_at: p.decided_at,
            reason: p.reason,
            transaction_id: p.transaction_id,
            may_approve: v.may_approve,
            may_reject: v.may_reject,
        }
    }
}

impl From<SettlementQuote> for SettlementQuoteDto {
    fn from(q: SettlementQuote) -> Self {
        Self {
            business_date: q.business_date.to_string(),
            penalty: q.due.penalty,
            due_fee: q.due.fee,
            due_profit: q.due.profit,
            due_principal: q.due.principal,
            principal_not_due: q.principal_not_due_rial,
            accrued_profit: q.accrued_profit_rial,
            grace_profit: q.grace_profit_rial,
            prepaid_profit: q.prepaid_profit_rial,
            earned_profit: q.earned_profit_rial,
            waived_profit: q.waived_profit_rial,
            total: q.total_rial,
            total_in_words: amount_in_words_fa(q.total_rial),
        }
    }
}

impl From<PortfolioRow> for PortfolioDto {
    fn from(r: PortfolioRow) -> Self {
        Self {
            business_on: r.business_on,
            province: r.province,
            bank: r.bank.to_string(),
            branch: r.branch.to_string(),
            loans: r.loans,
            outstanding: r.outstanding_rial,
            par30: r.par30_rial,
            par90: r.par90_rial,
            past_due: r.past_due_rial,
            deferred: r.deferred_rial,
            doubtful: r.doubtful_rial,
            provision: r.provision_rial,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/loans", tag = "loans", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = LoanPageDto), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<LoanPageDto>, ApiError> {
    let filter = loans::LoanSearch {
        province: query.province,
        bank: query.bank,
        branch: query.branch,
        class: query.class,
        status: query.status,
        in_arrears: query.in_arrears.unwrap_or(false),
    }
    .filter()?;
    let (items, total) = loans::list_loans(
        &state.store,
        &user.principal,
        &filter,
        query.limit.unwrap_or(50),
        query.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(LoanPageDto {
        items: items.into_iter().map(Into::into).collect(),
        total,
    }))
}

#[utoipa::path(get, path = "/api/v1/loans/{id}", tag = "loans",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = LoanDetailDto),
              (status = 404, body = Problem, description = "Unknown, or outside your scope")))]
pub async fn get_one(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<LoanDetailDto>, ApiError> {
    Ok(Json(
        loans::read_loan(&state.store, &user.principal, id)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/loans/{id}/transactions", tag = "loans",
    params(("id" = i64, Path), TransactionQuery), security(("bearer" = [])),
    responses((status = 200, body = LoanTransactionPageDto),
              (status = 404, body = Problem, description = "Unknown, or outside your scope"),
              (status = 422, body = Problem, description = "limit out of range")))]
pub async fn transactions(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<TransactionQuery>,
) -> Result<Json<LoanTransactionPageDto>, ApiError> {
    let (page, more) = loans::loan_transactions(
        &state.store,
        &user.principal,
        id,
        query.after,
        query.limit.unwrap_or(100),
    )
    .await?;
    Ok(Json(LoanTransactionPageDto {
        next_after: page.last().filter(|_| more).map(|t| t.id),
        items: page.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/loans", tag = "loans",
    request_body = NewLoanDto, security(("bearer" = [])),
    responses((status = 201, body = LoanDetailDto),
              (status = 403, body = Problem, description = "Only the bank the application was referred to"),
              (status = 409, body = Problem, description = "The application is not bank-approved"),
              (status = 422, body = Problem, description = "Unknown application, or the program's fund cannot cover it")))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<NewLoanDto>,
) -> Result<(StatusCode, Json<LoanDetailDto>), ApiError> {
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    let input = ContractInput {
        application_id: body.application_id,
        grace_mode: body.grace_mode,
        method: body.method,
    };
    let id = loans::contract(
        &state.store,
        &user.principal,
        &input,
        idempotency,
        clock::now(),
    )
    .await?;
    let view = loans::read_loan(&state.store, &user.principal, id).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// The answer to a money operation: the transaction it recorded and the loan after it.
async fn recorded(
    state: &AppState,
    user: &ApiUser,
    id: i64,
    transaction_id: i64,
) -> Result<(StatusCode, Json<TransactionResultDto>), ApiError> {
    let view = loans::read_loan(&state.store, &user.principal, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(TransactionResultDto {
            transaction_id,
            loan: view.into(),
        }),
    ))
}

/// Which money operation a route records.
#[derive(Clone, Copy)]
enum Money {
    Disbursement,
    Repayment,
}

async fn money(
    state: AppState,
    user: ApiUser,
    id: i64,
    Keyed { body, key }: Keyed<MoneyDto>,
    (kind, receipt): (Money, ReceiptDto),
) -> Result<(StatusCode, Json<TransactionResultDto>), ApiError> {
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    let input = RepaymentInput {
        amount_rial: body.amount,
        note: body.note,
        value_on: receipt.value_on,
        channel: receipt.channel,
        receipt_no: receipt.receipt_no,
    };
    let transaction_id = match kind {
        Money::Disbursement => {
            loans::disburse(
                &state.store,
                &user.principal,
                id,
                &input,
                idempotency,
                clock::now(),
            )
            .await?
        }
        Money::Repayment => {
            loans::repay(
                &state.store,
                &user.principal,
                id,
                &input,
                idempotency,
                clock::now(),
            )
            .await?
        }
    };
    recorded(&state, &user, id, transaction_id).await
}

#[utoipa::path(post, path = "/api/v1/loans/{id}/disbursements", tag = "loans",
    request_body = MoneyDto, security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = TransactionResultDto), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn disburse(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    keyed: Keyed<MoneyDto>,
) -> Result<(StatusCode, Json<TransactionResultDto>), ApiError> {
    let no_receipt = ReceiptDto::default();
    money(state, user, id, keyed, (Money::Disbursement, no_receipt)).await
}

#[utoipa::path(post, path = "/api/v1/loans/{id}/repayments", tag = "loans",
    request_body = RepaymentDto, security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = TransactionResultDto), (status = 403, body = Problem),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "The loan changed meanwhile or takes no repayment"),
              (status = 422, body = Problem, description = "amount not positive, or more than everything owed")))]
pub async fn repay(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<RepaymentDto>,
) -> Result<(StatusCode, Json<TransactionResultDto>), ApiError> {
    let receipt = body.receipt;
    let body = MoneyDto {
        amount: Some(body.amount),
        note: body.note,
    };
    money(
        state,
        user,
        id,
        Keyed { body, key },
        (Money::Repayment, receipt),
    )
    .await
}

/// The answer to a proposed action: 201 with the transaction and the loan once it was
/// executed, 202 with the proposal while it waits for a second officer (or was
/// rejected).
async fn proposed(
    state: &AppState,
    user: &ApiUser,
    id: i64,
    view: ProposalView,
) -> Result<Response, ApiError> {
    match view.proposal.transaction_id {
        Some(transaction_id) if view.proposal.status == ProposalStatus::Executed => {
            Ok(recorded(state, user, id, transaction_id)
                .await?
                .into_response())
        }
        _ => Ok((StatusCode::ACCEPTED, Json(ProposalDto::from(view))).into_response()),
    }
}

#[utoipa::path(post, path = "/api/v1/loans/{id}/transactions/{transaction_id}/reversal", tag = "loans",
    request_body = ReversalDto, security(("bearer" = [])),
    params(("id" = i64, Path), ("transaction_id" = i64, Path)),
    responses((status = 201, body = TransactionResultDto, description = "Reversed at once (at or below bank_second_approval_above_rial)"),
              (status = 202, body = ProposalDto, description = "Above the amount: pending until another officer of the bank approves it"),
              (status = 403, body = Problem),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "Already reversed"),
              (status = 422, body = Problem)))]
pub async fn reverse(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, transaction_id)): Path<(i64, i64)>,
    Keyed { body, key }: Keyed<ReversalDto>,
) -> Result<Response, ApiError> {
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    let action = ProposedAction::Reversal {
        transaction_id,
        reason: body.reason,
    };
    let view = loans::propose(
        &state.store,
        &user.principal,
        id,
        &action,
        state.config.workflow,
        idempotency,
        clock::now(),
    )
    .await?;
    proposed(&state, &user, id, view).await
}

#[utoipa::path(get, path = "/api/v1/loans/{id}/settlement", tag = "loans",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = SettlementQuoteDto),
              (status = 404, body = Problem, description = "Unknown, or outside your scope"),
              (status = 409, body = Problem, description = "Not active, or not paid out in full")))]
pub async fn settlement_quote(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<SettlementQuoteDto>, ApiError> {
    Ok(Json(
        loans::settlement_quote(&state.store, &user.principal, id)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/loans/{id}/settlement", tag = "loans",
    request_body = SettlementDto, security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = TransactionResultDto), (status = 403, body = Problem),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "Already settled, not paid out in full, or changed meanwhile"),
              (status = 422, body = Problem, description = "amount_rial not the settlement amount (must_equal_settlement)")))]
pub async fn settle(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<SettlementDto>,
) -> Result<(StatusCode, Json<TransactionResultDto>), ApiError> {
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    let input = RepaymentInput {
        amount_rial: body.amount_rial,
        note: body.note,
        value_on: body.receipt.value_on,
        channel: body.receipt.channel,
        receipt_no: body.receipt.receipt_no,
    };
    let transaction_id = loans::settle(
        &state.store,
        &user.principal,
        id,
        &input,
        idempotency,
        clock::now(),
    )
    .await?;
    recorded(&state, &user, id, transaction_id).await
}

#[utoipa::path(post, path = "/api/v1/loans/{id}/reschedule", tag = "loans",
    request_body = RescheduleDto, security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = TransactionResultDto, description = "Rescheduled at once (the new principal at or below bank_second_approval_above_rial)"),
              (status = 202, body = ProposalDto, description = "Above the amount: pending until another officer of the bank approves it"),
              (status = 403, body = Problem),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "Not active, not paid out in full, a late charge owed, profit paid ahead, or changed meanwhile"),
              (status = 422, body = Problem, description = "capitalise_rial not the due profit and fee (must_equal_due_profit), terms out of range, or beyond the product: months (product_term_max, grace included) or rate_bp (product_rate_min)")))]
pub async fn reschedule(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<RescheduleDto>,
) -> Result<Response, ApiError> {
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    let action = ProposedAction::Reschedule(RescheduleInput {
        months: body.months,
        rate_bp: body.rate_bp,
        grace_months: body.grace_months,
        grace_mode: body.grace_mode,
        method: body.method,
        capitalise_rial: body.capitalise_rial,
        note: body.note,
    });
    let view = loans::propose(
        &state.store,
        &user.principal,
        id,
        &action,
        state.config.workflow,
        idempotency,
        clock::now(),
    )
    .await?;
    proposed(&state, &user, id, view).await
}

#[utoipa::path(get, path = "/api/v1/loans/{id}/proposals", tag = "loans",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<ProposalDto>, description = "Oldest first, with what the caller may do to each"),
              (status = 401, body = Problem),
              (status = 404, body = Problem, description = "Unknown, or outside your scope")))]
pub async fn proposals(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ProposalDto>>, ApiError> {
    let views = loans::loan_proposals(&state.store, &user.principal, id).await?;
    Ok(Json(views.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/loans/{id}/proposals/{proposal_id}/approval", tag = "loans",
    security(("bearer" = [])),
    params(("id" = i64, Path), ("proposal_id" = i64, Path)),
    responses((status = 201, body = TransactionResultDto, description = "Approved and executed, in one transaction"),
              (status = 401, body = Problem),
              (status = 403, body = Problem, description = "Not an officer of the loan's bank (code forbidden), or four eyes: your own proposal (code four_eyes)"),
              (status = 404, body = Problem, description = "Unknown, of another loan, or outside your scope"),
              (status = 409, body = Problem, description = "Already decided, or the loan changed meanwhile"),
              (status = 422, body = Problem, description = "No longer valid against the loan as it stands (e.g. the dues changed); reject it and propose again")))]
pub async fn approve_proposal(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, proposal_id)): Path<(i64, i64)>,
    KeyOnly(key): KeyOnly,
) -> Result<Response, ApiError> {
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    let view = loans::approve_proposal(
        &state.store,
        &user.principal,
        id,
        proposal_id,
        idempotency,
        clock::now(),
    )
    .await?;
    proposed(&state, &user, id, view).await
}

#[utoipa::path(post, path = "/api/v1/loans/{id}/proposals/{proposal_id}/rejection", tag = "loans",
    request_body = RejectionDto, security(("bearer" = [])),
    params(("id" = i64, Path), ("proposal_id" = i64, Path)),
    responses((status = 200, body = ProposalDto),
              (status = 401, body = Problem),
              (status = 403, body = Problem, description = "Not an officer of the loan's bank"),
              (status = 404, body = Problem, description = "Unknown, of another loan, or outside your scope"),
              (status = 409, body = Problem, description = "Already decided"),
              (status = 422, body = Problem, description = "reason required")))]
pub async fn reject_proposal(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, proposal_id)): Path<(i64, i64)>,
    Keyed { body, key }: Keyed<RejectionDto>,
) -> Result<Json<ProposalDto>, ApiError> {
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    let view = loans::reject_proposal(
        &state.store,
        &user.principal,
        id,
        proposal_id,
        &body.reason,
        idempotency,
        clock::now(),
    )
    .await?;
    Ok(Json(view.into()))
}

#[utoipa::path(get, path = "/api/v1/portfolio", tag = "loans", params(PortfolioQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<PortfolioDto>), (status = 422, body = Problem)))]
pub async fn portfolio(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<PortfolioQuery>,
) -> Result<Json<Vec<PortfolioDto>>, ApiError> {
    let rows = loans::portfolio(&state.store, &user.principal, query.date.as_deref()).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}
