//! Why each application is funded or not, in the terms of the final multipliers: its
//! value per rial against its province's cutoff and the prices of the share constraints
//! (the two quotas and the sector caps).

use super::constraints::{Constraint, Kind};
use super::params::Params;
use super::problem::Problem;
use super::ranking::value_of;
use super::totals::Totals;
use crate::coded::coded_enum;

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
    /// Funding it would push its sector above the sector's cap, or the cap's price
    /// pushes it below its province's cutoff.
    SectorCap {
        sector: u32,
    },
    /// Its value per rial is below its province's cutoff even before quota prices.
    BelowCutoff {
        province: u32,
    },
}

/// Which constraint keeps an application out, without where it binds: what a recorded
/// round stores and a page names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BindingKind {
    None,
    ProvinceBudget,
    WomenShare,
    DeprivedShare,
    SectorCap,
    BelowCutoff,
}

coded_enum!(BindingKind {
    None = "none",
    ProvinceBudget = "province_budget",
    WomenShare = "women_share",
    DeprivedShare = "deprived_share",
    SectorCap = "sector_cap",
    BelowCutoff = "below_cutoff",
});

impl Binding {
    pub fn kind(self) -> BindingKind {
        match self {
            Binding::None => BindingKind::None,
            Binding::ProvinceBudget { .. } => BindingKind::ProvinceBudget,
            Binding::WomenShare => BindingKind::WomenShare,
            Binding::DeprivedShare => BindingKind::DeprivedShare,
            Binding::SectorCap { .. } => BindingKind::SectorCap,
            Binding::BelowCutoff { .. } => BindingKind::BelowCutoff,
        }
    }

    /// A stable machine code, for files and the API.
    pub fn code(self) -> &'static str {
        self.kind().code()
    }

    fn of(constraint: &Constraint) -> Binding {
        match constraint.kind {
            Kind::Women => Binding::WomenShare,
            Kind::Deprived => Binding::DeprivedShare,
            Kind::Cap { sector, .. } => Binding::SectorCap { sector },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Explanation {
    pub funded: bool,
    /// Position in its province's order by value per rial under the final prices, 1
    /// first: the order in which the engine funds down to the province's cutoff.
    pub rank: u32,
    pub binding: Binding,
    /// Reduced cost under the final multipliers: value minus what its rials are worth
    /// at the province's cutoff, constraint prices included. Positive means the
    /// relaxation wants it; how far below zero says how much more value it would need.
    pub marginal_value: f64,
}

/// What the explanation of one round needs beyond the problem.
pub(crate) struct Prices<'a> {
    pub params: &'a Params,
    /// The round's share constraints (`constraints::of`) and their prices per rial.
    pub constraints: &'a [Constraint],
    pub mu: &'a [f64],
    pub cutoffs: &'a [f64],
    pub funded: &'a [bool],
    pub totals: &'a Totals,
}

pub(crate) fn explain(problem: &Problem, prices: &Prices<'_>) -> Vec<Explanation> {
    let params = prices.params;
    let t = prices.totals;
    let (mut explanations, per_rial): (Vec<Explanation>, Vec<f64>) = problem
        .applications()
        .iter()
        .zip(problem.slots())
        .zip(problem.sector_slots())
        .zip(prices.funded)
        .map(|(((a, &slot), &sector_slot), &funded)| {
            let slot = slot as usize;
            let amount = a.amount as f64;
            let cutoff = prices.cutoffs.get(slot).copied().unwrap_or(0.0);
            let counts = |c: &Constraint| c.counts(a, sector_slot as usize);
            // Each constraint's price for this application, per rial.
            let price: Vec<f64> = prices
                .constraints
                .iter()
                .zip(prices.mu)
                .map(|(c, m)| m * c.coefficient(counts(c)))
                .collect();
            let value = value_of(a, params);
            let price_per_rial: f64 = price.iter().sum();
            let base = value - amount * cutoff;
            let marginal_value = base + amount * price_per_rial;
            let province = problem.provinces().get(slot).map_or(0, |b| b.province);
            // The constraint whose price weighs most against it (the first on a tie).
            let dearest = || {
                price
                    .iter()
                    .zip(prices.constraints)
                    .min_by(|x, y| x.0.total_cmp(y.0))
                    .map_or(Binding::BelowCutoff { province }, |(_, c)| Binding::of(c))
            };
            let binding = if funded {
                Binding::None
            } else if marginal_value > 0.0 {
                let used = t.used.get(slot).copied().unwrap_or(0);
                let budget = problem
                    .provinces()
                    .get(slot)
                    .map_or(0, |b| i128::from(b.budget));
                let amount = i128::from(a.amount);
                if used + amount > budget {
                    Binding::ProvinceBudget { province }
                } else {
                    // The first constraint adding it would break, exactly.
                    prices
                        .constraints
                        .iter()
                        .find(|c| {
                            let part = c.part(t) + if counts(c) { amount } else { 0 };
                            !c.holds_for(part, t.amount + amount)
                        })
                        .map_or_else(dearest, Binding::of)
                }
            } else if base > 0.0 {
                // Good enough for the budget alone: a constraint's price tipped it below.
                dearest()
            } else {
                Binding::BelowCutoff { province }
            };
            let explanation = Explanation {
                funded,
                rank: 0,
                binding,
                marginal_value,
            };
            (explanation, value / amount + price_per_rial)
        })
        .unzip();
    rank_within_provinces(problem, &per_rial, &mut explanations);
    explanations
}

/// Sets each explanation's rank: its position in its province by `per_rial` (value per
/// rial under the final prices), best first, ties in input order.
fn rank_within_provinces(problem: &Problem, per_rial: &[f64], explanations: &mut [Explanation]) {
    let slots = problem.slots();
    let key = |i: &u32| {
        (
            slots.get(*i as usize).copied().unwrap_or(0),
            per_rial.get(*i as usize).copied().unwrap_or(0.0),
        )
    };
    let mut order: Vec<u32> = (0..explanations.len())
        .filter_map(|i| u32::try_from(i).ok())
        .collect();
    order.sort_unstable_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0).then(kb.1.total_cmp(&ka.1)).then(a.cmp(b))
    });
    let mut previous_slot = None;
    let mut rank = 0u32;
    for i in order {
        let slot = key(&i).0;
        rank = if previous_slot == Some(slot) {
            rank + 1
        } else {
            1
        };
        previous_slot = Some(slot);
        if let Some(e) = explanations.get_mut(i as usize) {
            e.rank = rank;
        }
    }
}
