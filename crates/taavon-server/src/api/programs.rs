//! Programs: funding lines with their rules and provincial budgets.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use taavon_app::clock;
use taavon_app::programs::{self, BudgetInput, ProgramDetail, ProgramInput};
use taavon_app::rounds;
use taavon_app::rows::{Program, ProgramBudget};
use utoipa::ToSchema;

use crate::api::fields;
use crate::api::keyed::{IdempotencyKey, Keyed};
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A program.
#[derive(Serialize, ToSchema)]
pub struct ProgramDto {
    pub code: String,
    /// note18, article56, trips, bank_own, pooled_agency, women_employment.
    pub funding_source: String,
    pub name_fa: String,
    pub name_en: String,
    /// ISO dates: applications are taken from `opens_on` to `closes_on`.
    pub opens_on: String,
    pub closes_on: String,
    /// Eligibility, pricing, quotas, scoring weights and sector priorities.
    #[schema(value_type = Object)]
    pub rules: serde_json::Value,
    pub tier_classification_id: Option<i64>,
    pub bank: Option<String>,
    pub version: i64,
}

/// A program with its provincial budgets and what is committed against them.
#[derive(Serialize, ToSchema)]
pub struct ProgramDetailDto {
    #[serde(flatten)]
    pub program: ProgramDto,
    pub budgets: Vec<BudgetDto>,
}

#[derive(Serialize, ToSchema)]
pub struct BudgetDto {
    pub province: String,
    pub amount_rial: i64,
    /// formula or manual.
    pub method: String,
    /// Approved or further on.
    /// Exact; a sum over many applications.
    pub committed_rial: i128,
}

/// A program to define.
#[derive(Deserialize, ToSchema)]
pub struct ProgramBodyDto {
    #[schema(value_type = fields::ProgramCode)]
    pub code: String,
    #[serde(flatten)]
    pub definition: ProgramDefinitionDto,
}

/// A program's new definition (its code is in the path), with the version last read.
#[derive(Deserialize, ToSchema)]
pub struct ProgramChangeDto {
    #[serde(flatten)]
    pub definition: ProgramDefinitionDto,
    /// The version last read; a stale one gets 409.
    pub version: i64,
}

/// What defines a program.
#[derive(Deserialize, ToSchema)]
pub struct ProgramDefinitionDto {
    #[schema(value_type = fields::FundingSourceCode)]
    pub funding_source: String,
    #[schema(value_type = fields::Name)]
    pub name_fa: String,
    #[schema(value_type = fields::Name)]
    pub name_en: String,
    /// Jalali or ISO.
    #[schema(value_type = fields::Date)]
    pub opens_on: String,
    #[schema(value_type = fields::Date)]
    pub closes_on: String,
    #[schema(value_type = Object)]
    pub rules: serde_json::Value,
    pub tier_classification_id: Option<i64>,
    #[schema(value_type = Option<fields::BankCode>)]
    pub bank: Option<String>,
}

/// How the budget is shared among provinces.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum BudgetsBodyDto {
    /// By population × county tier weight.
    Formula {
        #[schema(minimum = 1, maximum = 100_000_000_000_000_i64)]
        total_rial: i64,
        /// Thousandths for tiers 1..4, default [2000, 1500, 1200, 1000].
        #[schema(value_type = Option<Vec<fields::Uint32>>, min_items = 4, max_items = 4)]
        tier_weights_permille: Option<[u32; 4]>,
    },
    /// By hand.
    Manual { budgets: Vec<ManualBudgetDto> },
}

#[derive(Deserialize, ToSchema)]
pub struct ManualBudgetDto {
    #[schema(value_type = fields::ProvinceCode)]
    pub province: String,
    #[schema(minimum = 0, maximum = 100_000_000_000_000_i64)]
    pub amount_rial: i64,
}

impl From<Program> for ProgramDto {
    fn from(p: Program) -> Self {
        Self {
            rules: serde_json::from_str(&p.rules).unwrap_or_default(),
            code: p.code,
            funding_source: p.funding_source.code().to_owned(),
            name_fa: p.name_fa,
            name_en: p.name_en,
            opens_on: p.opens_on,
            closes_on: p.closes_on,
            tier_classification_id: p.tier_classification_id,
            bank: p.bank.as_ref().map(ToString::to_string),
            version: p.version,
        }
    }
}

fn budget_dtos(budgets: Vec<ProgramBudget>, committed: &[(String, i128)]) -> Vec<BudgetDto> {
    budgets
        .into_iter()
        .map(|b| BudgetDto {
            committed_rial: committed
                .iter()
                .find(|(p, _)| p == &b.province)
                .map_or(0, |(_, amount)| *amount),
            province: b.province,
            amount_rial: b.amount_rial,
            method: b.method.code().to_owned(),
        })
        .collect()
}

fn input_of(code: String, body: ProgramDefinitionDto) -> ProgramInput {
    ProgramInput {
        code,
        funding_source: body.funding_source,
        name_fa: body.name_fa,
        name_en: body.name_en,
        opens_on: body.opens_on,
        closes_on: body.closes_on,
        rules: body.rules,
        tier_classification_id: body.tier_classification_id,
        bank: body.bank,
    }
}

#[utoipa::path(get, path = "/api/v1/programs", tag = "programs", security(("bearer" = [])),
    responses((status = 200, body = [ProgramDto]), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<ProgramDto>>, ApiError> {
    let programs = programs::list_programs(&state.store, &user.principal).await?;
    Ok(Json(programs.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/programs/{code}", tag = "programs",
    params(("code" = fields::ProgramCode, Path)), security(("bearer" = [])),
    responses((status = 200, body = ProgramDetailDto), (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    user: ApiUser,
    Path(code): Path<String>,
) -> Result<Json<ProgramDetailDto>, ApiError> {
    let ProgramDetail {
        program,
        budgets,
        committed,
        ..
    } = programs::program_detail(&state.store, &user.principal, &code).await?;
    Ok(Json(ProgramDetailDto {
        program: program.into(),
        budgets: budget_dtos(budgets, &committed),
    }))
}

#[utoipa::path(post, path = "/api/v1/programs", tag = "programs", request_body = ProgramBodyDto,
    security(("bearer" = [])),
    responses((status = 201, body = ProgramDto), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<ProgramBodyDto>,
) -> Result<(StatusCode, Json<ProgramDto>), ApiError> {
    let program = programs::create_program(
        &state.store,
        &user.principal,
        &input_of(body.code, body.definition),
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(program.into())))
}

#[utoipa::path(put, path = "/api/v1/programs/{code}", tag = "programs",
    params(("code" = fields::ProgramCode, Path)), request_body = ProgramChangeDto, security(("bearer" = [])),
    responses((status = 200, body = ProgramDto), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn replace(
    State(state): State<AppState>,
    user: ApiUser,
    Path(code): Path<String>,
    Keyed { body, key }: Keyed<ProgramChangeDto>,
) -> Result<Json<ProgramDto>, ApiError> {
    let program = programs::update_program(
        &state.store,
        &user.principal,
        &input_of(code, body.definition),
        body.version,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(program.into()))
}

#[utoipa::path(put, path = "/api/v1/programs/{code}/budgets", tag = "programs",
    params(("code" = fields::ProgramCode, Path)), request_body = BudgetsBodyDto, security(("bearer" = [])),
    responses((status = 200, body = [BudgetDto]), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn set_budgets(
    State(state): State<AppState>,
    user: ApiUser,
    Path(code): Path<String>,
    Keyed { body, key }: Keyed<BudgetsBodyDto>,
) -> Result<Json<Vec<BudgetDto>>, ApiError> {
    let input = match body {
        BudgetsBodyDto::Formula {
            total_rial,
            tier_weights_permille,
        } => BudgetInput::Formula {
            total_rial,
            tier_weights_permille,
        },
        BudgetsBodyDto::Manual { budgets } => BudgetInput::Manual(
            budgets
                .into_iter()
                .map(|b| (b.province, b.amount_rial))
                .collect(),
        ),
    };
    let idempotency = key.as_ref().map(IdempotencyKey::get);
    programs::set_budgets(
        &state.store,
        &user.principal,
        &code,
        &input,
        idempotency,
        clock::now(),
    )
    .await?;
    let detail = programs::program_detail(&state.store, &user.principal, &code).await?;
    Ok(Json(budget_dtos(detail.budgets, &detail.committed)))
}

/// A policy to compare with the program's own; only what is given changes.
#[derive(Deserialize, ToSchema)]
pub struct WhatIfDto {
    #[schema(value_type = fields::Label)]
    pub name: String,
    #[schema(maximum = 10000)]
    pub women_share_bp: Option<u32>,
    #[schema(maximum = 10000)]
    pub deprived_share_bp: Option<u32>,
    #[schema(value_type = Option<Vec<fields::Weight>>, min_items = 4, max_items = 4)]
    pub tier_weights: Option<[f64; 4]>,
    #[schema(value_type = Option<fields::Weight>)]
    pub women_bonus: Option<f64>,
    /// Every province's remaining budget scaled by this percentage.
    #[schema(value_type = Option<fields::Uint32>)]
    pub budget_percent: Option<u32>,
}

/// An allocation round to run.
#[derive(Deserialize, ToSchema)]
pub struct RoundBodyDto {
    #[serde(default)]
    pub what_ifs: Vec<WhatIfDto>,
    /// Store the round and its proposals (ministry admins).
    #[serde(default)]
    pub record: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ScenarioDto {
    pub name: String,
    pub women_share_bp: u32,
    pub deprived_share_bp: u32,
    pub objective: f64,
    /// No allocation meeting the constraints does better (certified).
    pub upper_bound: f64,
    pub gap: f64,
    pub funded_count: usize,
    pub funded_amount_rial: i64,
    pub women_share_achieved: f64,
    pub deprived_share_achieved: f64,
    pub provinces: Vec<ProvinceUseDto>,
    /// The program's sector caps and what each capped sector received.
    pub sectors: Vec<SectorUseDto>,
    /// The balanced-development indicators of the amounts this scenario funds, by
    /// county; null when it funds nothing.
    pub indicators: Option<IndicatorsDto>,
}

/// Balanced-development indicators over the counties, as `taavon indicators` prints
/// them. A strongly pro-poor allocation raises the Gini; a negative concentration index
/// means the money reached the most deprived counties first.
#[derive(Serialize, ToSchema)]
pub struct IndicatorsDto {
    pub units: usize,
    pub population: u64,
    /// Rials (a sum of i64 amounts, so it may exceed i64 in principle; serialised as a number).
    #[schema(value_type = i64)]
    pub allocated_rial: i128,
    pub mean_per_capita_rial: f64,
    pub gini: f64,
    pub theil: f64,
    pub theil_between: f64,
    pub theil_within: f64,
    pub concentration_index: f64,
}

impl From<taavon_core::indicators::Indicators> for IndicatorsDto {
    fn from(i: taavon_core::indicators::Indicators) -> Self {
        Self {
            units: i.units,
            population: i.population,
            allocated_rial: i.allocated_rial,
            mean_per_capita_rial: i.mean_per_capita_rial,
            gini: i.gini,
            theil: i.theil,
            theil_between: i.theil_between,
            theil_within: i.theil_within,
            concentration_index: i.concentration_index,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProvinceUseDto {
    pub province: String,
    pub budget_rial: i64,
    pub used_rial: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RoundLineDto {
    pub application_id: i64,
    pub province: String,
    pub amount: i64,
    pub jobs: i64,
    pub women_jobs: i64,
    pub women_led: bool,
    pub tier: u8,
    pub sector: String,
    pub funded: bool,
    /// Position in its province's order by value per rial under the final prices.
    pub rank: u32,
    /// none, province_budget, women_share, deprived_share, sector_cap or below_cutoff.
    pub binding: String,
    pub marginal_value: f64,
}

#[derive(Serialize, ToSchema)]
pub struct SectorUseDto {
    pub sector: String,
    pub cap_bp: u32,
    pub funded_rial: i64,
}

/// The round under the program's policy (first scenario) and each what-if.
#[derive(Serialize, ToSchema)]
pub struct RoundDto {
    pub program: String,
    pub recorded_round: Option<i64>,
    pub scenarios: Vec<ScenarioDto>,
    pub lines: Vec<RoundLineDto>,
}

#[utoipa::path(post, path = "/api/v1/programs/{code}/rounds", tag = "programs",
    params(("code" = fields::ProgramCode, Path)), request_body = RoundBodyDto, security(("bearer" = [])),
    responses((status = 200, body = RoundDto), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn round(
    State(state): State<AppState>,
    user: ApiUser,
    Path(code): Path<String>,
    Keyed { body, key }: Keyed<RoundBodyDto>,
) -> Result<Json<RoundDto>, ApiError> {
    let what_ifs: Vec<rounds::WhatIf> = body
        .what_ifs
        .into_iter()
        .map(|w| rounds::WhatIf {
            name: w.name,
            women_share_bp: w.women_share_bp,
            deprived_share_bp: w.deprived_share_bp,
            tier_weights: w.tier_weights,
            women_bonus: w.women_bonus,
            budget_percent: w.budget_percent,
        })
        .collect();
    let result = rounds::run_round(
        &state.store,
        &user.principal,
        &code,
        &what_ifs,
        body.record,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(RoundDto {
        program: result.program,
        recorded_round: result.recorded_round,
        scenarios: result
            .scenarios
            .into_iter()
            .map(|s| ScenarioDto {
                name: s.name,
                women_share_bp: s.women_share_bp,
                deprived_share_bp: s.deprived_share_bp,
                objective: s.objective,
                upper_bound: s.upper_bound,
                gap: s.gap,
                funded_count: s.funded_count,
                funded_amount_rial: s.funded_amount,
                indicators: s.indicators.map(IndicatorsDto::from),
                women_share_achieved: s.shares[0],
                deprived_share_achieved: s.shares[1],
                provinces: s
                    .provinces
                    .into_iter()
                    .map(|p| ProvinceUseDto {
                        province: p.province,
                        budget_rial: p.budget,
                        used_rial: p.used,
                    })
                    .collect(),
                sectors: s
                    .sectors
                    .into_iter()
                    .map(|c| SectorUseDto {
                        sector: c.sector,
                        cap_bp: c.cap_bp,
                        funded_rial: c.funded_amount,
                    })
                    .collect(),
            })
            .collect(),
        lines: result
            .lines
            .into_iter()
            .map(|l| RoundLineDto {
                application_id: l.application.id,
                province: l.application.fields.province,
                amount: l.application.fields.amount_rial,
                jobs: l.application.fields.jobs,
                women_jobs: l.application.fields.women_jobs,
                women_led: l.application.fields.women_led,
                tier: l.tier,
                sector: l.application.fields.sector,
                funded: l.funded,
                rank: l.rank,
                binding: l.binding.code().into(),
                marginal_value: l.marginal_value,
            })
            .collect(),
    }))
}
