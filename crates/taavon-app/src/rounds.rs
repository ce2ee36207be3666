//! A program's allocation round: the engine of `taavon_core::allocation` run over the
//! program's eligible applications (under review) with each province's remaining
//! budget and the program's quotas and sector caps, side by side with what-if policies. Recording a round stores its proposals;
//! they become approvals only through the normal workflow steps.

use std::collections::HashMap;

use taavon_core::access::{self, Action, ApplicationScope, Principal, Resource};
use taavon_core::allocation::{
    self, Allocation, BindingKind, Params, Problem, ProblemError, ProvinceBudget, Scenario, Share,
};
use taavon_core::applications::ApplicationState;
use taavon_core::indicators::Indicators;
use taavon_core::limits::TextKind;
use taavon_core::reference::Tier;
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    AllocationProposal, AllocationRound, Application, ApplicationFilter, CountyRow, Store,
};

use crate::bounds::{BoundedText, Lengths};
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent, winner};
use crate::programs::parse_rules;
use crate::{AppError, FieldError};

/// A policy to compare with the program's own: only what is given changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WhatIf {
    pub name: String,
    pub women_share_bp: Option<u32>,
    pub deprived_share_bp: Option<u32>,
    pub tier_weights: Option<[f64; 4]>,
    pub women_bonus: Option<f64>,
    /// Every province's budget scaled by this percentage (100 = unchanged).
    pub budget_percent: Option<u32>,
}

impl BoundedText for WhatIf {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths.text("name", &self.name, TextKind::Name);
    }
}

/// One application's outcome under the program's own policy.
#[derive(Clone, Debug)]
pub struct RoundLine {
    pub application: Application,
    pub tier: u8,
    pub funded: bool,
    /// Position in its province's order by value per rial under the final prices.
    pub rank: u32,
    pub binding: BindingKind,
    pub marginal_value: f64,
}

/// One province's budget and use.
#[derive(Clone, Debug)]
pub struct ProvinceUse {
    pub province: String,
    pub budget: i64,
    pub used: i64,
}

/// A capped sector's cap and what it received.
#[derive(Clone, Debug)]
pub struct SectorUse {
    pub sector: String,
    pub cap_bp: u32,
    pub funded_amount: i64,
}

/// A policy's result.
#[derive(Clone, Debug)]
pub struct ScenarioOutcome {
    pub name: String,
    pub women_share_bp: u32,
    pub deprived_share_bp: u32,
    pub objective: f64,
    pub upper_bound: f64,
    pub gap: f64,
    pub funded_count: usize,
    pub funded_amount: i64,
    /// Achieved shares of the funded amount: women-led, deprived counties.
    pub shares: [f64; 2],
    pub provinces: Vec<ProvinceUse>,
    /// The program's sector caps, by sector code.
    pub sectors: Vec<SectorUse>,
    /// The balanced-development indicators of what this policy funds, by county; none
    /// when it funds nothing.
    pub indicators: Option<Indicators>,
}

/// The round: the program's own policy first, then each what-if.
#[derive(Clone, Debug)]
pub struct RoundResult {
    pub program: String,
    pub lines: Vec<RoundLine>,
    pub scenarios: Vec<ScenarioOutcome>,
    pub recorded_round: Option<i64>,
}

/// Runs a round over the program's applications under review; with `record`, stores
/// it and its proposals (ministry admins only). Under an `Idempotency-Key` a recorded
/// round is stored once: a replay answers the round computed afresh with the id of the
/// round the first request recorded. A round that records nothing changes nothing and
/// keeps no key (a key already used for another request is still refused).
pub async fn run_round(
    store: &Store,
    principal: &Principal,
    program_code: &str,
    what_ifs: &[WhatIf],
    record: bool,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<RoundResult, AppError> {
    let mut lengths = Lengths::default();
    for (index, what_if) in what_ifs.iter().enumerate() {
        lengths.nested(&format!("what_ifs[{index}]."), what_if);
    }
    lengths.finish()?;
    if !record {
        winner(store, principal, idempotency).await?;
    }
    // A national round reads every province's applications.
    if access::application_scope(principal) != ApplicationScope::All {
        return Err(AppError::Forbidden);
    }
    if record {
        AppError::from_decision(access::decide(
            Some(principal),
            Action::Update,
            Resource::Program,
        ))?;
    }
    let mut read = store.read().await?;
    let program = read
        .program(program_code)
        .await?
        .ok_or(AppError::NotFound)?;
    let rules = parse_rules(&program)?;
    let mut applications = Vec::new();
    for state in [
        ApplicationState::UnderReview,
        ApplicationState::AwaitingSecondApproval,
    ] {
        let filter = ApplicationFilter {
            program: Some(program.code.clone()),
            status: Some(state.code().into()),
            ..ApplicationFilter::default()
        };
        let (found, _) = read
            .applications(&ApplicationScope::All, &filter, 100_000, 0)
            .await?;
        applications.extend(found);
    }
    applications.sort_by_key(|a| a.id);
    let budgets = read.program_budgets(&program.code).await?;
    let committed = read.committed_by_province(&program.code).await?;
    read.finish().await?;
    // Every county, from the reference data kept in memory.
    let reference = store.reference().await?;

    // The engine numbers provinces; index + 1 into the budget list.
    let provinces: Vec<String> = budgets.iter().map(|b| b.province.clone()).collect();
    let slot = |code: &str| {
        provinces
            .iter()
            .position(|p| p == code)
            .and_then(|i| u32::try_from(i + 1).ok())
    };
    let remaining: Vec<ProvinceBudget> = budgets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let used = committed
                .iter()
                .find(|(p, _)| p == &b.province)
                .map_or(0, |(_, amount)| *amount);
            ProvinceBudget {
                province: u32::try_from(i + 1).unwrap_or(u32::MAX),
                // At most the budget itself, so it fits.
                budget: i64::try_from((i128::from(b.amount_rial) - used).max(0))
                    .unwrap_or(b.amount_rial),
            }
        })
        .collect();
    // Applications of provinces without a budget cannot be funded by this program. Each
    // under review got its county's tier when it was submitted.
    let (fundable, tiers): (Vec<Application>, Vec<u8>) = applications
        .into_iter()
        .filter(|a| slot(&a.fields.province).is_some())
        .map(|a| {
            let tier = a
                .tier
                .and_then(|t| Tier::new(t).ok())
                .ok_or_else(|| {
                    AppError::Internal(format!(
                        "application {} under review has no valid tier ({:?})",
                        a.id, a.tier
                    ))
                })?
                .get();
            Ok((a, tier))
        })
        .collect::<Result<Vec<_>, AppError>>()?
        .into_iter()
        .unzip();
    // The engine numbers sectors too: the position in the sorted list of every sector
    // an application or a cap names.
    let mut sectors: Vec<String> = fundable
        .iter()
        .map(|a| a.fields.sector.clone())
        .chain(rules.quotas.sector_caps_bp.keys().cloned())
        .collect();
    sectors.sort_unstable();
    sectors.dedup();
    let sector_code = |name: &str| {
        sectors
            .binary_search_by(|s| s.as_str().cmp(name))
            .ok()
            .and_then(|i| u32::try_from(i).ok())
            .unwrap_or(u32::MAX)
    };
    let problem = Problem::new(
        fundable
            .iter()
            .zip(&tiers)
            .map(|(a, tier)| allocation::Application {
                province: slot(&a.fields.province).unwrap_or(0),
                amount: a.fields.amount_rial,
                jobs: u32::try_from(a.fields.jobs).unwrap_or(0),
                women_jobs: u32::try_from(a.fields.women_jobs).unwrap_or(0),
                women_led: a.fields.women_led,
                tier: *tier,
                sector: sector_code(&a.fields.sector),
            })
            .collect(),
        &remaining,
    )
    .map_err(engine_error)?;

    let mut sector_caps = std::collections::BTreeMap::new();
    for (sector, &bp) in &rules.quotas.sector_caps_bp {
        sector_caps.insert(sector_code(sector), share(bp, "sector_caps_bp")?);
    }
    let base = Params {
        women_share: share(rules.quotas.women_led_share_bp, "women_share_bp")?,
        deprived_share: share(rules.quotas.deprived_share_bp, "deprived_share_bp")?,
        sector_caps,
        ..Params::default()
    };
    let mut scenarios = vec![Scenario {
        name: program.code.clone(),
        params: base.clone(),
        budgets: None,
    }];
    for what_if in what_ifs {
        scenarios.push(Scenario {
            name: what_if.name.clone(),
            params: Params {
                women_share: match what_if.women_share_bp {
                    Some(bp) => share(bp, "women_share_bp")?,
                    None => base.women_share,
                },
                deprived_share: match what_if.deprived_share_bp {
                    Some(bp) => share(bp, "deprived_share_bp")?,
                    None => base.deprived_share,
                },
                tier_weights: what_if.tier_weights.unwrap_or(base.tier_weights),
                women_bonus: what_if.women_bonus.unwrap_or(base.women_bonus),
                sector_caps: base.sector_caps.clone(),
            },
            budgets: what_if.budget_percent.map(|percent| {
                remaining
                    .iter()
                    .map(|b| ProvinceBudget {
                        province: b.province,
                        budget: i64::try_from(i128::from(b.budget) * i128::from(percent) / 100)
                            .unwrap_or(i64::MAX),
                    })
                    .collect()
            }),
        });
    }
    let results = allocation::what_if(&problem, &scenarios);
    let mut outcomes = Vec::new();
    let mut base_allocation: Option<Allocation> = None;
    for (name, result) in results {
        let allocation = result.map_err(engine_error)?;
        let mut outcome = outcome(name, &allocation, &provinces, &sectors);
        outcome.indicators = funded_by_county(&fundable, &allocation.funded, &reference.counties);
        outcomes.push(outcome);
        if base_allocation.is_none() {
            base_allocation = Some(allocation);
        }
    }
    let base_allocation =
        base_allocation.ok_or_else(|| AppError::Internal("a round without a result".into()))?;
    let explanations = base_allocation.explain(&problem);
    let lines: Vec<RoundLine> = fundable
        .into_iter()
        .zip(tiers)
        .zip(explanations)
        .map(|((application, tier), explanation)| RoundLine {
            application,
            tier,
            funded: explanation.funded,
            rank: explanation.rank,
            binding: explanation.binding.kind(),
            marginal_value: explanation.marginal_value,
        })
        .collect();
    let recorded_round = if record {
        let base_outcome = outcomes
            .first()
            .ok_or_else(|| AppError::Internal("a round without a result".into()))?;
        let round = AllocationRound {
            id: 0,
            program: program.code.clone(),
            params: serde_json::json!({
                "women_share_bp": base.women_share.basis_points(),
                "deprived_share_bp": base.deprived_share.basis_points(),
                "tier_weights": base.tier_weights, "women_bonus": base.women_bonus,
                "sector_caps_bp": &rules.quotas.sector_caps_bp,
                "budgets": remaining.iter().zip(&provinces)
                    .map(|(b, p)| (p.clone(), serde_json::json!(b.budget)))
                    .collect::<serde_json::Map<_, _>>(),
            })
            .to_string(),
            objective: format!("{:.6}", base_outcome.objective),
            upper_bound: format!("{:.6}", base_outcome.upper_bound),
            funded_count: i64::try_from(base_outcome.funded_count).unwrap_or(i64::MAX),
            funded_amount_rial: base_outcome.funded_amount,
            created_by: String::new(),
            created_at: String::new(),
        };
        let proposals: Vec<AllocationProposal> = lines
            .iter()
            .map(|line| AllocationProposal {
                application_id: line.application.id,
                province: line.application.fields.province.clone(),
                funded: line.funded,
                binding: line.binding,
                marginal_value: format!("{:.6}", line.marginal_value),
            })
            .collect();
        match begin(store, principal, idempotency, now).await? {
            Begun::Replay(id) => Some(id),
            Begun::Fresh(mut write) => {
                let id = write.insert_allocation_round(&round, &proposals).await?;
                Some(finish_idempotent(write, principal, idempotency, id).await?)
            }
        }
    } else {
        None
    };
    Ok(RoundResult {
        program: program.code,
        lines,
        scenarios: outcomes,
        recorded_round,
    })
}

fn outcome(
    name: String,
    allocation: &Allocation,
    provinces: &[String],
    sectors: &[String],
) -> ScenarioOutcome {
    ScenarioOutcome {
        name,
        women_share_bp: allocation.params.women_share.basis_points(),
        deprived_share_bp: allocation.params.deprived_share.basis_points(),
        objective: allocation.objective,
        upper_bound: allocation.upper_bound,
        gap: allocation.gap(),
        funded_count: allocation.totals.count,
        funded_amount: i64::try_from(allocation.totals.amount).unwrap_or(i64::MAX),
        shares: allocation.shares_achieved(),
        provinces: allocation
            .provinces
            .iter()
            .map(|p| ProvinceUse {
                province: provinces
                    .get(usize::try_from(p.province).unwrap_or(0).saturating_sub(1))
                    .cloned()
                    .unwrap_or_default(),
                budget: p.budget,
                used: p.used,
            })
            .collect(),
        sectors: allocation
            .sectors
            .iter()
            .map(|s| SectorUse {
                sector: sectors.get(s.sector as usize).cloned().unwrap_or_default(),
                cap_bp: s.cap.basis_points(),
                funded_amount: i64::try_from(s.amount).unwrap_or(i64::MAX),
            })
            .collect(),
        indicators: None,
    }
}

/// The indicators of the amounts `funded` (one flag per application of `fundable`)
/// summed by county.
fn funded_by_county(
    fundable: &[Application],
    funded: &[bool],
    counties: &[CountyRow],
) -> Option<Indicators> {
    let mut by_county: HashMap<&str, i64> = HashMap::new();
    for (application, _) in fundable.iter().zip(funded).filter(|(_, funded)| **funded) {
        *by_county
            .entry(application.fields.county.as_str())
            .or_default() += application.fields.amount_rial;
    }
    crate::county_indicators::over_counties(counties, |code| {
        by_county.get(code).copied().unwrap_or(0)
    })
}

fn share(bp: u32, field: &str) -> Result<Share, AppError> {
    Share::from_basis_points(bp).ok_or_else(|| {
        AppError::Invalid(vec![FieldError::new(
            field,
            "range",
            "سهم باید بین صفر و ۱۰۰ درصد باشد.",
            "A share is between 0 and 10 000 basis points.",
        )])
    })
}

fn engine_error(error: ProblemError) -> AppError {
    AppError::Invalid(vec![FieldError::new(
        "round",
        "engine",
        "داده‌های دور تخصیص پذیرفته نشد.",
        &error.to_string(),
    )])
}
