//! Why each application is funded or not, in the terms of the final multipliers: its
//! value per rial against its province's cutoff and the prices of the two quotas.

use super::params::Params;
use super::problem::Problem;
use super::ranking::{class_of, counts, value_of};
use super::totals::Totals;

/// The constraint that keeps an application out (`None` when funded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    None,
    /// The relaxation would fund it, but its province's remaining budget is smaller
    /// than its amount.
    ProvinceBudget {
        province: u32,
    },
    /// Funding it would push, or its price under the quota pushes it, below the
    /// women-led share.
    WomenShare,
    /// Likewise for the deprived-counties share.
    DeprivedShare,
    /// Its value per rial is below its province's cutoff even before quota prices.
    BelowCutoff {
        province: u32,
    },
}

impl Binding {
    /// A stable machine code, for files and the API.
    pub fn code(self) -> &'static str {
        match self {
            Binding::None => "none",
            Binding::ProvinceBudget { .. } => "province_budget",
            Binding::WomenShare => "women_share",
            Binding::DeprivedShare => "deprived_share",
            Binding::BelowCutoff { .. } => "below_cutoff",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Explanation {
    pub funded: bool,
    pub binding: Binding,
    /// Reduced cost under the final multipliers: value minus what its rials are worth
    /// at the province's cutoff, quota prices included. Positive means the relaxation
    /// wants it; how far below zero says how much more value it would need.
    pub marginal_value: f64,
}

/// What the explanation of one round needs beyond the problem.
pub(crate) struct Prices<'a> {
    pub params: &'a Params,
    pub mu: [f64; 2],
    pub cutoffs: &'a [f64],
    pub funded: &'a [bool],
    pub totals: &'a Totals,
}

pub(crate) fn explain(problem: &Problem, prices: &Prices<'_>) -> Vec<Explanation> {
    let params = prices.params;
    let shares = [params.women_share.as_f64(), params.deprived_share.as_f64()];
    problem
        .applications()
        .iter()
        .zip(problem.slots())
        .zip(prices.funded)
        .map(|((a, &slot), &funded)| {
            let slot = slot as usize;
            let amount = a.amount as f64;
            let cutoff = prices.cutoffs.get(slot).copied().unwrap_or(0.0);
            let class = class_of(a);
            // Each quota's price for this application, per rial.
            let price: [f64; 2] = std::array::from_fn(|q| {
                let member = if counts(class, q) { 1.0 } else { 0.0 };
                prices.mu.get(q).copied().unwrap_or(0.0)
                    * (member - shares.get(q).copied().unwrap_or(0.0))
            });
            let base = value_of(a, params) - amount * cutoff;
            let marginal_value = base + amount * price.iter().sum::<f64>();
            let province = problem.provinces().get(slot).map_or(0, |b| b.province);
            let binding = if funded {
                Binding::None
            } else if marginal_value > 0.0 {
                let used = prices.totals.used.get(slot).copied().unwrap_or(0);
                let budget = problem
                    .provinces()
                    .get(slot)
                    .map_or(0, |b| i128::from(b.budget));
                let amount = i128::from(a.amount);
                let t = prices.totals;
                if used + amount > budget {
                    Binding::ProvinceBudget { province }
                } else if !params.women_share.is_met(
                    t.women_amount + if a.women_led { amount } else { 0 },
                    t.amount + amount,
                ) {
                    Binding::WomenShare
                } else {
                    Binding::DeprivedShare
                }
            } else if base > 0.0 {
                // Good enough for the budget alone: a quota's price tipped it below.
                let [women, deprived] = price;
                if women <= deprived {
                    Binding::WomenShare
                } else {
                    Binding::DeprivedShare
                }
            } else {
                Binding::BelowCutoff { province }
            };
            Explanation {
                funded,
                binding,
                marginal_value,
            }
        })
        .collect()
}
