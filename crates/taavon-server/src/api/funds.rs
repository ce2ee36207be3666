//! The pooled funds: agencies' deposits, program funds and loan books, the trial
//! balance, and the ministry's moves that feed them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use taavon_app::clock;
use taavon_app::funds::postings::{self, FundingFrom};
use taavon_app::funds::reports::{self, FundLine, TrialBalanceLine};
use utoipa::ToSchema;

use crate::api::fields;
use crate::api::keyed::{IdempotencyKey, Keyed};
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// One account of the pooled funds.
#[derive(Serialize, ToSchema)]
pub struct FundLineDto {
    pub name: String,
    /// agency_deposit, program_fund or loan_book.
    pub kind: String,
    pub province: Option<String>,
    /// Rials held (posted credits less posted debits).
    pub balance: i64,
    /// Rials reserved for contracts not yet disbursed.
    pub reserved: i64,
}

/// One line of the trial balance: the accounts of one kind (and province), summed.
#[derive(Serialize, ToSchema)]
pub struct TrialBalanceDto {
    pub code: u16,
    pub kind: String,
    pub province: Option<String>,
    pub accounts: i64,
    /// The sums over many accounts may exceed a 64-bit integer; they are exact.
    pub debits_pending: i128,
    pub debits_posted: i128,
    pub credits_pending: i128,
    pub credits_posted: i128,
}

/// An agency's deposit at a bank.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "agency": "sso", "bank": "022", "amount": 1_000_000_000, "reference": "1404-dep-0001"
}))]
pub struct DepositDto {
    /// e.g. sso, behzisti.
    #[schema(value_type = fields::AgencyCode)]
    pub agency: String,
    /// e.g. 022.
    #[schema(value_type = fields::BankCode)]
    pub bank: String,
    /// Rials.
    #[schema(minimum = 1, maximum = 100_000_000_000_000_i64)]
    pub amount: i64,
    /// The deposit's own reference (a retry with the same one moves nothing twice).
    #[schema(value_type = fields::Reference)]
    pub reference: String,
}

/// Money for a program's fund in a province: from an agency's deposit, or (no agency)
/// from the program's public source.
#[derive(Deserialize, ToSchema)]
pub struct FundingDto {
    #[schema(value_type = fields::ProgramCode)]
    pub program: String,
    #[schema(value_type = fields::ProvinceCode)]
    pub province: String,
    #[schema(value_type = Option<fields::AgencyCode>)]
    pub agency: Option<String>,
    #[schema(value_type = Option<fields::BankCode>)]
    pub bank: Option<String>,
    /// Rials.
    #[schema(minimum = 1, maximum = 100_000_000_000_000_i64)]
    pub amount: i64,
    #[schema(value_type = fields::Reference)]
    pub reference: String,
}

impl From<FundLine> for FundLineDto {
    fn from(l: FundLine) -> Self {
        Self {
            name: l.name,
            kind: l.kind.code().to_owned(),
            province: l.province,
            balance: l.balance,
            reserved: l.reserved,
        }
    }
}

impl From<TrialBalanceLine> for TrialBalanceDto {
    fn from(r: TrialBalanceLine) -> Self {
        Self {
            code: r.code,
            kind: r.kind.code().to_owned(),
            province: r.province,
            accounts: r.accounts,
            debits_pending: r.debits_pending,
            debits_posted: r.debits_posted,
            credits_pending: r.credits_pending,
            credits_posted: r.credits_posted,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/funds", tag = "ledger", security(("bearer" = [])),
    responses((status = 200, body = Vec<FundLineDto>), (status = 403, body = Problem)))]
pub async fn pooled(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<FundLineDto>>, ApiError> {
    let lines = reports::pooled_funds(&state.store, &user.principal).await?;
    Ok(Json(lines.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/ledger/trial-balance", tag = "ledger", security(("bearer" = [])),
    responses((status = 200, body = Vec<TrialBalanceDto>), (status = 403, body = Problem)))]
pub async fn trial_balance(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<TrialBalanceDto>>, ApiError> {
    let rows = reports::trial_balance(&state.store, &user.principal).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/funds/deposits", tag = "ledger", request_body = DepositDto,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn deposit(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<DepositDto>,
) -> Result<StatusCode, ApiError> {
    postings::deposit(
        &state.store,
        &user.principal,
        &body.agency,
        &body.bank,
        body.amount,
        &body.reference,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/funds/programs", tag = "ledger", request_body = FundingDto,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = Problem),
              (status = 422, body = Problem, description = "amount not positive, or more than the deposit holds")))]
pub async fn fund_program(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<FundingDto>,
) -> Result<StatusCode, ApiError> {
    let from = match body.agency {
        Some(agency) => FundingFrom::Agency {
            agency,
            bank: body.bank.unwrap_or_else(|| "022".into()),
        },
        None => FundingFrom::Source(body.program.clone()),
    };
    postings::fund_program(
        &state.store,
        &user.principal,
        &body.program,
        &body.province,
        &from,
        body.amount,
        &body.reference,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
