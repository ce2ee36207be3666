//! The allocation engine: which applications of a round to fund in full so that the
//! value (jobs weighted by county tier, plus a bonus per woman's job) is as large as
//! possible, within each province's budget, with at least a given share of the funded
//! amount going to women-led applications and to deprived counties (tiers 1–2), and at
//! most a given share to each capped sector.
//!
//! `allocate` returns an allocation that meets every constraint exactly (integer rials,
//! shares in basis points), a certified upper bound on the value of any feasible
//! allocation, and per application the binding constraint and marginal value.
//! `what_if` runs several policies over the same applications for comparison.
//!
//! Method (one file each): `constraints` writes the quotas and the caps in one form;
//! `ranking` sorts once per (province, class), a class being the constraints an
//! application counts towards; `bound` prices every share constraint by Lagrangian
//! relaxation, each province becoming a fractional knapsack, and minimises the dual;
//! `solve` rounds the priced greedy solution to whole applications, brings the shares
//! back by exchanges near the cutoffs and an exact repair, fills and swaps at the
//! cutoffs; `explain` reads each decision back through the final prices and ranks each
//! application in its province. Floats appear only in values and prices, never in a
//! feasibility check (`totals` sums, `feasibility` checks).
//!
//! Sector caps enter exactly like the quotas. A cap `Σ_{i∈s} a_i·x_i ≤ c·Σ a_i·x_i` is
//! the linear constraint `Σ a_i·x_i·(c − [i∈s]) ≥ 0`; its multiplier shifts every
//! application of one (quota class, capped sector) pair by the same amount per rial, so
//! the groups stay sorted and each province stays a fractional knapsack. The bound stays
//! valid because weak duality holds for any non-negative multipliers: for a feasible 0/1
//! allocation every priced term (a constraint's slack, a budget's room) is non-negative,
//! so the Lagrangian at that allocation is at least its value, and the dual evaluates the
//! Lagrangian's maximum over all fractional allocations exactly, province by province.
//! Whatever prices the search settles on, that maximum (widened by a rounding margin) is
//! what is reported.

mod bound;
mod constraints;
mod explain;
mod feasibility;
mod params;
mod problem;
mod ranking;
mod solve;
mod totals;

pub use explain::{Binding, BindingKind, Explanation};
pub use feasibility::verify;
pub use params::{Params, Share};
pub use problem::{Application, Problem, ProblemError, ProvinceBudget};
pub use totals::{Totals, Violation};

/// One province's part of a result.
#[derive(Clone, Debug, PartialEq)]
pub struct ProvinceOutcome {
    pub province: u32,
    pub budget: i64,
    pub used: i64,
    /// Value per rial at the margin of the relaxation (0 when the budget is not
    /// exhausted even by the relaxation).
    pub cutoff: f64,
}

/// One capped sector's part of a result.
#[derive(Clone, Debug, PartialEq)]
pub struct SectorOutcome {
    pub sector: u32,
    pub cap: Share,
    /// Amount funded in the sector, in rials.
    pub amount: i128,
    /// Final price per rial of the cap (0 when it does not bind the relaxation, and for
    /// a cap of 100 % or on a sector nobody applies in).
    pub price: f64,
}

/// The result of one round.
#[derive(Clone, Debug)]
pub struct Allocation {
    pub params: Params,
    /// One flag per application, in input order.
    pub funded: Vec<bool>,
    pub objective: f64,
    /// No allocation meeting the constraints has a larger value.
    pub upper_bound: f64,
    pub totals: Totals,
    pub provinces: Vec<ProvinceOutcome>,
    /// Final price per rial of the women-led and the deprived quota.
    pub quota_prices: [f64; 2],
    /// Each sector cap of `params`, by ascending sector code.
    pub sectors: Vec<SectorOutcome>,
}

impl Allocation {
    /// `(upper_bound − objective) / upper_bound`, 0 for an empty problem.
    pub fn gap(&self) -> f64 {
        if self.upper_bound > 0.0 {
            (self.upper_bound - self.objective) / self.upper_bound
        } else {
            0.0
        }
    }

    /// Funded share of women-led and of deprived applications (for display).
    pub fn shares_achieved(&self) -> [f64; 2] {
        let total = self.totals.amount as f64;
        if total > 0.0 {
            [
                self.totals.women_amount as f64 / total,
                self.totals.deprived_amount as f64 / total,
            ]
        } else {
            [0.0, 0.0]
        }
    }

    /// Why each application of `problem` (the one this allocation was made for) is
    /// funded or not.
    pub fn explain(&self, problem: &Problem) -> Vec<Explanation> {
        let cutoffs: Vec<f64> = self.provinces.iter().map(|p| p.cutoff).collect();
        let constraints = constraints::of(problem, &self.params);
        let mu: Vec<f64> = constraints
            .iter()
            .map(|c| match c.kind {
                constraints::Kind::Women => self.quota_prices[0],
                constraints::Kind::Deprived => self.quota_prices[1],
                constraints::Kind::Cap { sector, .. } => self
                    .sectors
                    .iter()
                    .find(|s| s.sector == sector)
                    .map_or(0.0, |s| s.price),
            })
            .collect();
        explain::explain(
            problem,
            &explain::Prices {
                params: &self.params,
                constraints: &constraints,
                mu: &mu,
                cutoffs: &cutoffs,
                funded: &self.funded,
                totals: &self.totals,
            },
        )
    }
}

/// Funds the applications of `problem` under `params`.
pub fn allocate(problem: &Problem, params: &Params) -> Result<Allocation, ProblemError> {
    params.validate()?;
    let ranking = ranking::Ranking::new(problem, params);
    let dual = bound::minimise(&ranking);
    let state = solve::solve(&ranking, &dual);
    let objective = ranking
        .value
        .iter()
        .zip(&state.funded)
        .filter(|(_, f)| **f)
        .map(|(v, _)| v)
        .sum();
    let provinces = problem
        .provinces()
        .iter()
        .zip(&state.totals.used)
        .zip(&dual.cutoffs)
        .map(|((b, &used), &cutoff)| ProvinceOutcome {
            province: b.province,
            budget: b.budget,
            // At most the budget, an i64, by construction.
            used: i64::try_from(used).unwrap_or(i64::MAX),
            cutoff,
        })
        .collect();
    let price_of = |kind: constraints::Kind| {
        ranking
            .constraints
            .iter()
            .zip(&dual.mu)
            .find(|(c, _)| c.kind == kind)
            .map_or(0.0, |(_, &m)| m)
    };
    let sectors = params
        .sector_caps
        .iter()
        .map(|(&sector, &cap)| SectorOutcome {
            sector,
            cap,
            amount: state.totals.sector_amount_of(problem, sector),
            price: problem.sector_slot(sector).map_or(0.0, |slot| {
                price_of(constraints::Kind::Cap { sector, slot })
            }),
        })
        .collect();
    Ok(Allocation {
        params: params.clone(),
        objective,
        upper_bound: dual.certified_bound(),
        provinces,
        quota_prices: [
            price_of(constraints::Kind::Women),
            price_of(constraints::Kind::Deprived),
        ],
        sectors,
        funded: state.funded,
        totals: state.totals,
    })
}

/// A policy to compare: other weights or quotas, and optionally other budgets.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub params: Params,
    pub budgets: Option<Vec<ProvinceBudget>>,
}

/// Runs every scenario over the same applications, in order, for side-by-side display.
pub fn what_if(
    problem: &Problem,
    scenarios: &[Scenario],
) -> Vec<(String, Result<Allocation, ProblemError>)> {
    scenarios
        .iter()
        .map(|s| {
            let result = match &s.budgets {
                Some(budgets) => problem
                    .with_budgets(budgets)
                    .and_then(|p| allocate(&p, &s.params)),
                None => allocate(problem, &s.params),
            };
            (s.name.clone(), result)
        })
        .collect()
}
