//! A certified upper bound on every feasible allocation: the Lagrangian dual of the share
//! constraints (the two quotas and the sector caps), each province then being a
//! fractional knapsack.
//!
//! For multipliers `mu ≥ 0` on the share constraints and `lambda_p ≥ 0` on the budgets,
//! `Σ_p lambda_p·B_p + Σ_i max(0, v_i + a_i·(c_i(mu) − lambda_p))` bounds every 0/1
//! allocation that meets the constraints (weak LP duality), whatever the multipliers,
//! where `c_i(mu) = Σ_j mu_j·coefficient_j(i)` (`constraints`: `member − share` for a
//! quota, `cap − member` for a cap). So the search below only has to find good
//! multipliers, never exact ones, for the figure to stay a true bound. Minimised over all
//! multipliers it equals the LP relaxation's optimum. For each `mu` the best `lambda_p` is
//! a province's cutoff value per rial (bisection over the cumulative sums); `mu` is found
//! by alternating bisection on each coordinate's subgradient, the dual being convex.

use super::ranking::{Group, Ranking};

/// Multipliers and the bound they certify.
#[derive(Clone, Debug)]
pub(crate) struct Dual {
    /// Price per rial of each share constraint, in `Ranking::constraints` order.
    pub mu: Vec<f64>,
    /// Per province (in `Problem::provinces()` order), the cutoff value per rial.
    pub cutoffs: Vec<f64>,
    /// Per province, the lowest cutoff found whose applications above it all fit the
    /// budget (where rounding to whole applications starts).
    pub fits_above: Vec<f64>,
    /// The dual value at these multipliers (before the rounding margin).
    pub value: f64,
    /// A subgradient with respect to `mu`: each constraint's surplus (`Σ coefficient ·
    /// amount`, negative when broken) in the relaxed solution.
    surplus: Vec<f64>,
}

/// Relative margin for rounding: the dual value sums at most a few million products of
/// f64 terms, whose accumulated error is far below 1e-9 of the total.
const ROUNDING_MARGIN: f64 = 1e-9;

impl Dual {
    /// The bound, widened by the rounding margin so it stays above the exact dual value.
    pub fn certified_bound(&self) -> f64 {
        self.value + self.value.abs() * ROUNDING_MARGIN + ROUNDING_MARGIN
    }
}

/// A province's non-empty groups with their class and price offset per rial.
struct Priced<'r> {
    class: usize,
    group: Group<'r>,
    offset: f64,
}

/// One province's dual term at cutoff `lambda`, and the amount of each group the
/// relaxation funds above it.
fn province_term(groups: &[Priced<'_>], budget: f64, lambda: f64) -> (f64, Vec<f64>) {
    let mut term = lambda * budget;
    let mut amounts = Vec::with_capacity(groups.len());
    for p in groups {
        let (a, v) = p.group.prefix(p.group.count_above(p.offset, lambda));
        term += v + (p.offset - lambda) * a;
        amounts.push(a);
    }
    (term, amounts)
}

fn used_above(groups: &[Priced<'_>], lambda: f64) -> f64 {
    groups
        .iter()
        .map(|p| p.group.prefix(p.group.count_above(p.offset, lambda)).0)
        .sum()
}

/// The dual at `mu`, with each province's best cutoff.
pub(crate) fn evaluate(ranking: &Ranking<'_>, mu: &[f64]) -> Dual {
    let offsets = ranking.offsets(mu);
    let mut value = 0.0;
    let mut surplus = vec![0.0; mu.len()];
    let mut cutoffs = Vec::with_capacity(ranking.provinces());
    let mut fits_above = Vec::with_capacity(ranking.provinces());
    for (slot, province) in ranking.problem.provinces().iter().enumerate() {
        let groups: Vec<Priced<'_>> = offsets
            .iter()
            .enumerate()
            .map(|(class, &offset)| Priced {
                class,
                group: ranking.group(slot, class),
                offset,
            })
            .filter(|p| !p.group.items.is_empty())
            .collect();
        let budget = province.budget as f64;
        let (lambda, fits, term, funded) = if used_above(&groups, 0.0) <= budget {
            let (term, funded) = province_term(&groups, budget, 0.0);
            (0.0, 0.0, term, funded)
        } else {
            // The cutoff lies between 0 (over budget) and the best adjusted ratio (nothing
            // above it); bisect to where the funded amount crosses the budget.
            let mut lo = 0.0;
            let mut hi = groups
                .iter()
                .filter_map(|p| p.group.ratio.first().map(|r| r + p.offset))
                .fold(0.0, f64::max);
            for _ in 0..200 {
                let mid = lo + (hi - lo) / 2.0;
                if mid <= lo || mid >= hi {
                    break;
                }
                if used_above(&groups, mid) > budget {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let (term_lo, over) = province_term(&groups, budget, lo);
            let (term_hi, under) = province_term(&groups, budget, hi);
            // The relaxation funds everything above `hi` and fills the rest of the budget
            // with the applications between the two, which all sit at the cutoff.
            let (used_over, used_under): (f64, f64) = (over.iter().sum(), under.iter().sum());
            let theta = if used_over > used_under {
                ((budget - used_under) / (used_over - used_under)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let mut funded = under;
            for (f, o) in funded.iter_mut().zip(&over) {
                *f += theta * (o - *f);
            }
            if term_lo < term_hi {
                (lo, hi, term_lo, funded)
            } else {
                (hi, hi, term_hi, funded)
            }
        };
        value += term;
        cutoffs.push(lambda);
        fits_above.push(fits);
        for (p, amount) in groups.iter().zip(&funded) {
            for (j, s) in surplus.iter_mut().enumerate() {
                *s += amount * ranking.coefficient(j, p.class);
            }
        }
    }
    Dual {
        mu: mu.to_vec(),
        cutoffs,
        fits_above,
        value,
        surplus,
    }
}

/// Bisection steps per coordinate search; 2^-48 of the bracket is far below any
/// multiplier difference that changes a decision.
const LINE_STEPS: usize = 48;
const ROUNDS: usize = 12;

/// Searches multipliers that make the dual small. Every point visited is a valid bound;
/// the lowest is returned.
pub(crate) fn minimise(ranking: &Ranking<'_>) -> Dual {
    let scale = ranking
        .ratio
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let axes = ranking.constraints.len();
    let mut mu = vec![0.0; axes];
    let mut best = evaluate(ranking, &mu);
    for _ in 0..ROUNDS {
        let before = best.value;
        for axis in 0..axes {
            let at = |x: f64| {
                let mut point = mu.clone();
                if let Some(p) = point.get_mut(axis) {
                    *p = x;
                }
                evaluate(ranking, &point)
            };
            let surplus = |d: &Dual| d.surplus.get(axis).copied().unwrap_or(0.0);
            let zero = at(0.0);
            let keep = |best: &mut Dual, d: Dual| {
                if d.value < best.value {
                    *best = d;
                }
            };
            let at_zero_rises = surplus(&zero) >= 0.0;
            keep(&mut best, zero);
            if at_zero_rises {
                // The dual does not fall along this axis: its minimum here is at 0.
                mu.clone_from(&best.mu);
                continue;
            }
            // Bracket the minimum: the surplus grows with the multiplier.
            let mut lo = 0.0;
            let mut hi = scale;
            for _ in 0..64 {
                let d = at(hi);
                let done = surplus(&d) >= 0.0;
                keep(&mut best, d);
                if done {
                    break;
                }
                lo = hi;
                hi *= 2.0;
            }
            for _ in 0..LINE_STEPS {
                let mid = lo + (hi - lo) / 2.0;
                let d = at(mid);
                if surplus(&d) < 0.0 {
                    lo = mid;
                } else {
                    hi = mid;
                }
                keep(&mut best, d);
            }
            mu.clone_from(&best.mu);
        }
        if before - best.value <= before.abs() * 1e-12 {
            break;
        }
    }
    best
}
