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
//! a province's cutoff value per rial, the adjusted ratio of its break item (bisection
//! over the cumulative sums, from near the cutoff at the previous multipliers); `mu` is
//! found by line searches on the subgradient, along each coordinate and along each
//! round's whole move, the dual being convex.

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

/// An interval `(lo, hi)` with the province over budget above `lo` and within it above
/// `hi`, within `[0, top]`: that whole range, or one grown geometrically around the
/// cutoff `near` found at nearby multipliers.
fn bracket(groups: &[Priced<'_>], budget: f64, top: f64, near: Option<f64>) -> (f64, f64) {
    let Some(near) = near.filter(|&n| n > 0.0 && n < top) else {
        return (0.0, top);
    };
    let over = |x: f64| above(groups, x).0 > budget;
    let mut reach = near * NEAR_REACH;
    if over(near) {
        let mut lo = near;
        for _ in 0..LINE_STEPS {
            let hi = near + reach;
            if hi >= top || !over(hi) {
                return (lo, hi.min(top));
            }
            lo = hi;
            reach *= 2.0;
        }
        (lo, top)
    } else {
        let mut hi = near;
        for _ in 0..LINE_STEPS {
            let lo = near - reach;
            if lo <= 0.0 || over(lo) {
                return (lo.max(0.0), hi);
            }
            hi = lo;
            reach *= 2.0;
        }
        (0.0, hi)
    }
}

/// The first step, relative to the nearby cutoff, when bracketing a province's cutoff.
const NEAR_REACH: f64 = 1e-4;

/// The amount and the number of applications above `lambda`.
fn above(groups: &[Priced<'_>], lambda: f64) -> (f64, usize) {
    groups.iter().fold((0.0, 0), |(used, count), p| {
        let k = p.group.count_above(p.offset, lambda);
        (used + p.group.prefix(k).0, count + k)
    })
}

/// The dual at `mu`, with each province's best cutoff. `near` may hold each province's
/// cutoff at nearby multipliers, where the search for the new one starts (or be empty).
pub(crate) fn evaluate(ranking: &Ranking<'_>, mu: &[f64], near: &[f64]) -> Dual {
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
        let (lambda, fits, term, funded) = if above(&groups, 0.0).0 <= budget {
            let (term, funded) = province_term(&groups, budget, 0.0);
            (0.0, 0.0, term, funded)
        } else {
            // The cutoff lies between 0 (over budget) and the best adjusted ratio (nothing
            // above it); bisect to where the funded amount crosses the budget, until one
            // application is left between the two ends: the break item, whose adjusted
            // ratio is the exact cutoff.
            let top = groups
                .iter()
                .filter_map(|p| p.group.ratio.first().map(|r| r + p.offset))
                .fold(0.0, f64::max);
            let (mut lo, mut hi) = bracket(&groups, budget, top, near.get(slot).copied());
            let (mut count_lo, mut count_hi) = (above(&groups, lo).1, above(&groups, hi).1);
            for _ in 0..200 {
                let mid = lo + (hi - lo) / 2.0;
                if count_lo - count_hi <= 1 || mid <= lo || mid >= hi {
                    break;
                }
                let (used, count) = above(&groups, mid);
                if used > budget {
                    (lo, count_lo) = (mid, count);
                } else {
                    (hi, count_hi) = (mid, count);
                }
            }
            let break_item = if count_lo - count_hi == 1 {
                groups.iter().find_map(|p| {
                    let k = p.group.count_above(p.offset, hi);
                    (p.group.count_above(p.offset, lo) > k)
                        .then(|| p.group.ratio.get(k).map(|r| r + p.offset))
                        .flatten()
                })
            } else {
                None
            };
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
            match break_item {
                Some(cutoff) => {
                    let (term, _) = province_term(&groups, budget, cutoff);
                    (cutoff, cutoff, term, funded)
                }
                None if term_lo < term_hi => (lo, hi, term_lo, funded),
                None => (hi, hi, term_hi, funded),
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

/// Relative width at which a line search stops: far below any multiplier difference
/// that changes more than a rounding of the bound.
const LINE_TOLERANCE: f64 = 1e-7;
/// Steps allowed to bracket, and then to narrow, the minimum along one line.
const LINE_STEPS: usize = 64;
const ROUNDS: usize = 12;
/// A round of searches gaining less than this share of the bound ends the search: a
/// tenth of the rounding margin the bound is widened by anyway.
const ROUND_GAIN: f64 = ROUNDING_MARGIN / 10.0;

/// Searches multipliers that make the dual small: rounds of line searches along each
/// coordinate, then along the round's whole move (a pattern move: where constraints pull
/// against each other, as caps on most sectors do, the minimum lies along a ridge that
/// single coordinates only creep along). Every point visited is a valid bound; the
/// lowest is returned.
pub(crate) fn minimise(ranking: &Ranking<'_>) -> Dual {
    let scale = ranking
        .ratio
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let axes = ranking.constraints.len();
    let mut best = evaluate(ranking, &vec![0.0; axes], &[]);
    // Each coordinate's next first step: twice its last move.
    let mut steps = vec![scale; axes];
    for _ in 0..ROUNDS {
        let before = best.value;
        let round_start = best.mu.clone();
        for (axis, step) in steps.iter_mut().enumerate() {
            let from = best.mu.get(axis).copied().unwrap_or(0.0);
            let unit: Vec<f64> = (0..axes)
                .map(|j| if j == axis { 1.0 } else { 0.0 })
                .collect();
            line_search(ranking, &mut best, &unit, *step, scale);
            let moved = (best.mu.get(axis).copied().unwrap_or(0.0) - from).abs();
            *step = (2.0 * moved).max(scale * LINE_TOLERANCE);
        }
        let pattern: Vec<f64> = best
            .mu
            .iter()
            .zip(&round_start)
            .map(|(m, s)| m - s)
            .collect();
        if pattern.iter().filter(|d| **d != 0.0).count() > 1 {
            line_search(ranking, &mut best, &pattern, 1.0, scale);
        }
        if before - best.value <= before.abs() * ROUND_GAIN {
            break;
        }
    }
    best
}

/// Moves `best` to the lowest dual found on the line through its multipliers along
/// `direction`, either way, keeping every multiplier non-negative: a bracket in the way
/// the directional derivative (`direction · surplus`) falls, its steps doubling from
/// `reach`, then bisection on the derivative's sign.
fn line_search(ranking: &Ranking<'_>, best: &mut Dual, direction: &[f64], reach: f64, scale: f64) {
    let start = best.mu.clone();
    let near = best.cutoffs.clone();
    let slope = |d: &Dual, sign: f64| -> f64 {
        sign * direction
            .iter()
            .zip(&d.surplus)
            .map(|(u, s)| u * s)
            .sum::<f64>()
    };
    let falling = slope(best, 1.0);
    let sign = if falling < 0.0 {
        1.0
    } else if falling > 0.0 {
        -1.0
    } else {
        return;
    };
    // How far the multipliers can go along `sign · direction` and stay non-negative.
    let limit = start
        .iter()
        .zip(direction)
        .filter(|(_, u)| sign * **u < 0.0)
        .map(|(m, u)| m / (-sign * u))
        .fold(f64::INFINITY, f64::min);
    if limit <= 0.0 {
        return;
    }
    let at = |x: f64| {
        let point: Vec<f64> = start
            .iter()
            .zip(direction)
            .map(|(m, u)| (m + sign * x * u).max(0.0))
            .collect();
        evaluate(ranking, &point, &near)
    };
    let keep = |best: &mut Dual, d: Dual| {
        if d.value < best.value {
            *best = d;
        }
    };
    let width = direction.iter().fold(0.0f64, |w, u| w.max(u.abs()));
    let (mut lo, mut step) = (0.0, reach);
    let mut bracket = None;
    for _ in 0..LINE_STEPS {
        let hi = step.min(limit);
        let d = at(hi);
        let rising = slope(&d, sign) >= 0.0;
        keep(best, d);
        if rising {
            bracket = Some((lo, hi));
            break;
        }
        if hi >= limit {
            // The dual still falls at the boundary: its minimum on the line is there.
            return;
        }
        lo = hi;
        step *= 2.0;
    }
    let Some((mut lo, mut hi)) = bracket else {
        return;
    };
    for _ in 0..LINE_STEPS {
        let size = start
            .iter()
            .zip(direction)
            .fold(0.0f64, |m, (s, u)| m.max((s + sign * hi * u).abs()));
        if (hi - lo) * width <= LINE_TOLERANCE * size.max(scale * LINE_TOLERANCE) {
            break;
        }
        let mid = lo + (hi - lo) / 2.0;
        let d = at(mid);
        if slope(&d, sign) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        keep(best, d);
    }
}
