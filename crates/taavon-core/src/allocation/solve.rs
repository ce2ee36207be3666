//! A feasible 0/1 allocation near the bound: greedy by priced value per rial, an exact
//! repair of the quotas, a fill of what budgets are left and swaps at each province's
//! cutoff.
//!
//! Every change goes through `State`, which checks budgets and quotas in exact integers
//! before it happens, except the greedy pass, which ignores the quotas and is followed at
//! once by `repair`; so the result always meets every constraint. `repair` only removes
//! applications and ends at the latest with the empty allocation, which is feasible.

use super::bound::{Dual, evaluate};
use super::params::Params;
use super::ranking::{CLASSES, Group, Ranking, counts};
use super::totals::Totals;

/// Swap candidates examined on each side of a province's cutoff, and swaps per province.
const SWAP_WINDOW: usize = 48;
const SWAP_ROUNDS: usize = 64;

pub(crate) struct State<'r, 'p> {
    ranking: &'r Ranking<'p>,
    pub funded: Vec<bool>,
    pub totals: Totals,
}

impl<'r, 'p> State<'r, 'p> {
    fn new(ranking: &'r Ranking<'p>) -> Self {
        State {
            ranking,
            funded: vec![false; ranking.problem.applications().len()],
            totals: Totals::empty(ranking.problem),
        }
    }

    fn is_funded(&self, i: u32) -> bool {
        self.funded.get(i as usize).copied().unwrap_or(false)
    }

    /// Amount, women amount, deprived amount and province slot of application `i`.
    fn parts(&self, i: u32) -> (i128, i128, i128, usize) {
        let problem = self.ranking.problem;
        let slot = problem.slots().get(i as usize).copied().unwrap_or(0) as usize;
        match problem.applications().get(i as usize) {
            Some(a) => {
                let amount = i128::from(a.amount);
                (
                    amount,
                    if a.women_led { amount } else { 0 },
                    if a.is_deprived() { amount } else { 0 },
                    slot,
                )
            }
            None => (0, 0, 0, slot),
        }
    }

    /// Budget left in province `slot`.
    fn room(&self, slot: usize) -> i128 {
        let budget = self
            .ranking
            .problem
            .provinces()
            .get(slot)
            .map_or(0, |b| i128::from(b.budget));
        budget - self.totals.used.get(slot).copied().unwrap_or(0)
    }

    fn set(&mut self, i: u32, fund: bool) {
        let problem = self.ranking.problem;
        if let (Some(a), Some(&slot), Some(flag)) = (
            problem.applications().get(i as usize),
            problem.slots().get(i as usize),
            self.funded.get_mut(i as usize),
        ) && *flag != fund
        {
            *flag = fund;
            self.totals
                .shift(a.amount, a.women_led, a.is_deprived(), slot, fund);
        }
    }

    /// Funds `i` if its province's budget and both quotas allow it.
    fn try_add(&mut self, i: u32) -> bool {
        let (amount, women, deprived, slot) = self.parts(i);
        let fits = !self.is_funded(i)
            && amount <= self.room(slot)
            && self
                .totals
                .shares_met_after(self.ranking.params, amount, women, deprived);
        if fits {
            self.set(i, true);
        }
        fits
    }

    /// Removes funded applications until both quotas hold: each time the one with the
    /// least value per rial among those whose removal raises every unmet quota's share
    /// (or, if there is none, at least one).
    fn repair(&mut self) {
        let params = self.ranking.params;
        let mut lists: [Vec<u32>; CLASSES] = Default::default();
        for (i, _) in self.funded.iter().enumerate().filter(|(_, f)| **f) {
            let class = self.ranking.class.get(i).copied().map_or(0, usize::from);
            if let (Some(list), Ok(i)) = (lists.get_mut(class), u32::try_from(i)) {
                list.push(i);
            }
        }
        let ratio = |i: &u32| self.ranking.ratio.get(*i as usize).copied().unwrap_or(0.0);
        for list in &mut lists {
            list.sort_unstable_by(|a, b| ratio(a).total_cmp(&ratio(b)));
        }
        let mut heads = [0usize; CLASSES];
        loop {
            let unmet = [
                !self.totals.women_share_met(params),
                !self.totals.deprived_share_met(params),
            ];
            if unmet == [false, false] {
                return;
            }
            // Removing a class that does not count towards quota q raises q's share.
            let raises = |class: usize, q: usize| !counts(class, q);
            let raises_all =
                |c: usize| (0..2).all(|q| !unmet.get(q).copied().unwrap_or(false) || raises(c, q));
            let raises_any =
                |c: usize| (0..2).any(|q| unmet.get(q).copied().unwrap_or(false) && raises(c, q));
            let cheapest = |eligible: &dyn Fn(usize) -> bool| {
                (0..CLASSES)
                    .filter(|&c| eligible(c))
                    .filter_map(|c| {
                        let head = heads.get(c).copied().unwrap_or(0);
                        lists.get(c)?.get(head).map(|&i| (c, i))
                    })
                    .min_by(|(_, a), (_, b)| ratio(a).total_cmp(&ratio(b)))
            };
            let Some((class, item)) = cheapest(&raises_all).or_else(|| cheapest(&raises_any))
            else {
                // Unreachable while a share is at most 1: an unmet quota means some
                // funded application does not count towards it.
                return;
            };
            if let Some(h) = heads.get_mut(class) {
                *h += 1;
            }
            self.set(item, false);
        }
    }

    /// Adds every application, in `order`, that still fits.
    fn fill(&mut self, order: &[u32]) {
        for &i in order {
            self.try_add(i);
        }
    }

    /// Best single exchange in province `order` (one funded out, one unfunded in) among
    /// the applications nearest the cutoff, repeated while it gains value.
    fn swap_at_cutoff(&mut self, order: &[u32]) {
        let params = self.ranking.params;
        let value = |i: u32| self.ranking.value.get(i as usize).copied().unwrap_or(0.0);
        for _ in 0..SWAP_ROUNDS {
            let outs: Vec<u32> = order
                .iter()
                .rev()
                .copied()
                .filter(|&i| self.is_funded(i))
                .take(SWAP_WINDOW)
                .collect();
            let ins: Vec<u32> = order
                .iter()
                .copied()
                .filter(|&i| !self.is_funded(i))
                .take(SWAP_WINDOW)
                .collect();
            let mut best: Option<(u32, u32, f64)> = None;
            for &out in &outs {
                let (a_out, w_out, d_out, slot) = self.parts(out);
                let room = self.room(slot) + a_out;
                for &inn in &ins {
                    let gain = value(inn) - value(out);
                    if gain <= best.map_or(1e-9, |(_, _, g)| g) {
                        continue;
                    }
                    let (a_in, w_in, d_in, _) = self.parts(inn);
                    if a_in <= room
                        && self.totals.shares_met_after(
                            params,
                            a_in - a_out,
                            w_in - w_out,
                            d_in - d_out,
                        )
                    {
                        best = Some((out, inn, gain));
                    }
                }
            }
            let Some((out, inn, _)) = best else { return };
            self.set(out, false);
            self.set(inn, true);
            // The exchange may have freed room for applications that did not fit.
            for &i in &ins {
                self.try_add(i);
            }
        }
    }
}

/// Items on each side of a province's break item that the exact core knapsack may
/// rearrange, and the most partial solutions it keeps.
const CORE_SIDE: usize = 16;
const CORE_STATES: usize = 1 << 13;

/// The best subset of `items` (amount, priced value) within `capacity`, as a bit mask:
/// a dynamic programme over the Pareto front of (amount, value) pairs, which stays small
/// because only the few items around the break are in play.
fn core_knapsack(items: &[(i128, f64)], capacity: i128) -> u64 {
    let mut states: Vec<(i128, f64, u64)> = vec![(0, 0.0, 0)];
    let mut merged = Vec::new();
    for (bit, &(amount, value)) in items.iter().enumerate().take(64) {
        if value <= 0.0 || amount > capacity {
            continue;
        }
        let extended = states
            .iter()
            .filter(|s| s.0 + amount <= capacity)
            .map(|&(w, v, m)| (w + amount, v + value, m | (1u64 << bit)));
        merged.clear();
        let (mut old, mut new) = (states.iter().copied().peekable(), extended.peekable());
        loop {
            let next = match (old.peek(), new.peek()) {
                (Some(a), Some(b)) if a.0 <= b.0 => old.next(),
                (Some(_), Some(_)) | (None, Some(_)) => new.next(),
                (Some(_), None) => old.next(),
                (None, None) => None,
            };
            let Some(state) = next else { break };
            // Keep only states worth more than every lighter one.
            if merged
                .last()
                .is_none_or(|last: &(i128, f64, u64)| state.1 > last.1)
            {
                if merged
                    .last()
                    .is_some_and(|last: &(i128, f64, u64)| last.0 == state.0)
                {
                    merged.pop();
                }
                merged.push(state);
            }
        }
        if merged.len() > CORE_STATES {
            // Thin evenly: the front stays representative, the heaviest (best) kept.
            let step = merged.len().div_ceil(CORE_STATES);
            let last = merged.last().copied();
            merged = merged.iter().copied().step_by(step).collect();
            if let Some(last) = last
                && merged.last() != Some(&last)
            {
                merged.push(last);
            }
        }
        std::mem::swap(&mut states, &mut merged);
    }
    states.last().map_or(0, |s| s.2)
}

/// One province rounded to whole applications under given prices: the first
/// `prefix[c]` applications of each class group, plus the chosen bits of `core` (the
/// applications either side of the break).
struct Plan {
    prefix: [usize; CLASSES],
    core: Vec<u32>,
    mask: u64,
}

/// All provinces' plans at one set of prices, with their exact totals.
struct Candidate {
    plans: Vec<Plan>,
    /// Funded amount per class, exact.
    class_amount: [i128; CLASSES],
    value: f64,
}

impl Candidate {
    fn meets(&self, params: &Params) -> [bool; 2] {
        let total: i128 = self.class_amount.iter().sum();
        let part = |q: usize| -> i128 {
            (0..CLASSES)
                .filter(|&c| counts(c, q))
                .filter_map(|c| self.class_amount.get(c))
                .sum()
        };
        [
            params.women_share.is_met(part(0), total),
            params.deprived_share.is_met(part(1), total),
        ]
    }
}

/// Rounds province `slot`: everything above `cutoff` except the last `CORE_SIDE`
/// applications is funded; those and the next `CORE_SIDE` form the core, solved exactly.
/// Only binary searches and the core are touched, so a plan costs the same whatever the
/// province's size.
fn plan_province(
    ranking: &Ranking<'_>,
    slot: usize,
    offsets: &[f64; CLASSES],
    cutoff: f64,
) -> (Plan, [i128; CLASSES], f64) {
    let groups: [Group<'_>; CLASSES] = std::array::from_fn(|c| ranking.group(slot, c));
    let adjusted = |c: usize, k: usize| {
        let g = groups.get(c)?;
        Some(g.ratio.get(k)? + offsets.get(c)?)
    };
    let above: [usize; CLASSES] = std::array::from_fn(|c| {
        groups
            .get(c)
            .zip(offsets.get(c))
            .map_or(0, |(g, &off)| g.count_above(off, cutoff))
    });
    let budget = ranking
        .problem
        .provinces()
        .get(slot)
        .map_or(0, |b| i128::from(b.budget));
    let fixed_amount = |prefix: &[usize; CLASSES]| -> i128 {
        groups.iter().zip(prefix).map(|(g, &k)| g.amount(k)).sum()
    };
    // Walk back from the cutoff, least attractive first, into the core.
    let mut prefix = above;
    let mut before = Vec::new();
    while before.len() < CORE_SIDE || fixed_amount(&prefix) > budget {
        let worst = (0..CLASSES)
            .filter_map(|c| {
                let k = prefix.get(c)?.checked_sub(1)?;
                Some((c, adjusted(c, k)?))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let Some((c, _)) = worst else { break };
        if let Some(k) = prefix.get_mut(c) {
            *k -= 1;
            if before.len() < CORE_SIDE
                && let Some(&item) = groups.get(c).and_then(|g| g.items.get(*k))
            {
                before.push(item);
            }
        }
    }
    // And forward from the cutoff, most attractive first.
    let mut heads = above;
    let mut after = Vec::new();
    while after.len() < CORE_SIDE {
        let best = (0..CLASSES)
            .filter_map(|c| Some((c, adjusted(c, *heads.get(c)?)?)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let Some((c, _)) = best else { break };
        if let Some(k) = heads.get_mut(c) {
            if let Some(&item) = groups.get(c).and_then(|g| g.items.get(*k)) {
                after.push(item);
            }
            *k += 1;
        }
    }
    before.reverse();
    let mut core = before;
    core.extend(after);
    let apps = ranking.problem.applications();
    let items: Vec<(i128, f64)> = core
        .iter()
        .map(|&i| {
            let amount = apps.get(i as usize).map_or(0, |a| a.amount);
            (
                i128::from(amount),
                ranking.adjusted(i, offsets) * amount as f64,
            )
        })
        .collect();
    let mask = core_knapsack(&items, budget - fixed_amount(&prefix));
    let mut class_amount: [i128; CLASSES] = std::array::from_fn(|c| {
        groups
            .get(c)
            .zip(prefix.get(c))
            .map_or(0, |(g, &k)| g.amount(k))
    });
    let mut value: f64 = groups
        .iter()
        .zip(&prefix)
        .map(|(g, &k)| g.prefix(k).1)
        .sum();
    for (bit, &i) in core.iter().enumerate() {
        if mask >> bit & 1 == 1 {
            let class = ranking
                .class
                .get(i as usize)
                .copied()
                .map_or(0, usize::from);
            if let (Some(sum), Some(a)) = (class_amount.get_mut(class), apps.get(i as usize)) {
                *sum += i128::from(a.amount);
            }
            value += ranking.value.get(i as usize).copied().unwrap_or(0.0);
        }
    }
    (Plan { prefix, core, mask }, class_amount, value)
}

/// Every province rounded under prices `mu`.
fn candidate(ranking: &Ranking<'_>, mu: [f64; 2]) -> Candidate {
    let offsets = ranking.offsets(mu);
    let dual = evaluate(ranking, mu);
    let mut out = Candidate {
        plans: Vec::with_capacity(ranking.provinces()),
        class_amount: [0; CLASSES],
        value: 0.0,
    };
    for (slot, &cutoff) in dual.fits_above.iter().enumerate() {
        let (plan, amounts, value) = plan_province(ranking, slot, &offsets, cutoff);
        for (sum, a) in out.class_amount.iter_mut().zip(amounts) {
            *sum += a;
        }
        out.value += value;
        out.plans.push(plan);
    }
    out
}

/// The funded flags of a candidate.
fn materialise<'r, 'p>(ranking: &'r Ranking<'p>, candidate: &Candidate) -> State<'r, 'p> {
    let mut state = State::new(ranking);
    for (slot, plan) in candidate.plans.iter().enumerate() {
        for (c, &k) in plan.prefix.iter().enumerate() {
            for &i in ranking.group(slot, c).items.get(..k).unwrap_or(&[]) {
                state.set(i, true);
            }
        }
        for (bit, &i) in plan.core.iter().enumerate() {
            if plan.mask >> bit & 1 == 1 {
                state.set(i, true);
            }
        }
    }
    state
}

/// Bisection steps when raising a quota's price until the priced solution meets it.
const PRICE_STEPS: usize = 24;

/// A feasible allocation guided by the multipliers of `dual`: the rounded priced
/// solution at `dual.mu` or, if that misses a quota, the best one meeting both at a
/// higher price of the missed quota (bisection); repaired if none does; then filled and
/// improved by swaps.
pub(crate) fn solve<'r, 'p>(ranking: &'r Ranking<'p>, dual: &Dual) -> State<'r, 'p> {
    let params = ranking.params;
    let first = candidate(ranking, dual.mu);
    let met = first.meets(params);
    let mut best: Option<Candidate> = None;
    let mut consider = |c: Candidate| {
        if c.meets(params) == [true, true] && best.as_ref().is_none_or(|b| c.value > b.value) {
            best = Some(c);
        }
    };
    let scale = ranking.ratio.iter().copied().fold(0.0, f64::max);
    for (q, &met_q) in met.iter().enumerate() {
        if met_q {
            continue;
        }
        let base = dual.mu.get(q).copied().unwrap_or(0.0);
        let (mut lo, mut hi) = (0.0, scale.max(base));
        for _ in 0..PRICE_STEPS {
            let mid = lo + (hi - lo) / 2.0;
            let mut mu = dual.mu;
            if let Some(m) = mu.get_mut(q) {
                *m = base + mid;
            }
            let c = candidate(ranking, mu);
            if c.meets(params).get(q).copied().unwrap_or(true) {
                hi = mid;
            } else {
                lo = mid;
            }
            consider(c);
        }
    }
    consider(first);
    let mut state = match &best {
        Some(c) => materialise(ranking, c),
        None => {
            let mut state = materialise(ranking, &candidate(ranking, dual.mu));
            state.repair();
            state
        }
    };
    let offsets = ranking.offsets(dual.mu);
    let orders: Vec<Vec<u32>> = (0..ranking.provinces())
        .map(|slot| ranking.province_order(slot, &offsets))
        .collect();
    for order in &orders {
        state.fill(order);
    }
    for order in &orders {
        state.swap_at_cutoff(order);
    }
    for order in &orders {
        state.fill(order);
    }
    state
}
