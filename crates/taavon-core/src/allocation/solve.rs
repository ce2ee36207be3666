//! A feasible 0/1 allocation near the bound: greedy by priced value per rial, an exact
//! repair of the quotas, a fill of what budgets are left and swaps at each province's
//! cutoff.
//!
//! Every change goes through `State`, which checks budgets, quotas and sector caps in
//! exact integers before it keeps it, except the greedy pass, which ignores the share
//! constraints and is followed at once by `repair`; so the result always meets every
//! constraint. `repair` only removes applications and ends at the latest with the empty
//! allocation, which is feasible.

use super::bound::{Dual, evaluate};
use super::problem::Application;
use super::ranking::{Group, Ranking, member};
use super::totals::Totals;

/// Swap candidates examined on each side of a province's cutoff, and swaps per province.
const SWAP_WINDOW: usize = 48;
const SWAP_ROUNDS: usize = 64;

/// Applications examined at each province's cutoff, and moves, when exchanges repair
/// the share constraints.
const EXCHANGE_WINDOW: usize = 16;
const EXCHANGE_ROUNDS: usize = 64;

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

    fn application(&self, i: u32) -> Option<&'p Application> {
        self.ranking.problem.applications().get(i as usize)
    }

    fn amount(&self, i: u32) -> i128 {
        self.application(i).map_or(0, |a| i128::from(a.amount))
    }

    fn slot(&self, i: u32) -> usize {
        self.ranking.problem.slots().get(i as usize).copied().unwrap_or(0) as usize
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
        if let (Some(a), Some(&slot), Some(&sector), Some(flag)) = (
            problem.applications().get(i as usize),
            problem.slots().get(i as usize),
            problem.sector_slots().get(i as usize),
            self.funded.get_mut(i as usize),
        ) && *flag != fund
        {
            *flag = fund;
            self.totals.shift(a, slot, sector, fund);
        }
    }

    /// Whether every share constraint holds, exactly.
    fn shares_hold(&self) -> bool {
        self.ranking
            .constraints
            .iter()
            .all(|c| c.holds(&self.totals))
    }

    /// Funds `i` if its province's budget and every share constraint allow it.
    fn try_add(&mut self, i: u32) -> bool {
        if self.is_funded(i) || self.amount(i) > self.room(self.slot(i)) {
            return false;
        }
        self.set(i, true);
        let fits = self.shares_hold();
        if !fits {
            self.set(i, false);
        }
        fits
    }

    /// How far the share constraints are broken in all, in rial-basis-points (0 when
    /// they all hold): exact.
    fn shortfall(&self) -> i128 {
        self.ranking
            .constraints
            .iter()
            .map(|c| (-c.slack(c.part(&self.totals), self.totals.amount)).max(0))
            .sum()
    }

    /// Removes funded applications until every share constraint holds: each time, of
    /// the cheapest application (by value per rial) of each class, the one that reduces
    /// the shortfall most per unit of value lost; or, if none reduces it, the cheapest of
    /// those whose removal helps some broken constraint.
    fn repair(&mut self) {
        let ranking = self.ranking;
        let classes = ranking.classes();
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); classes];
        for (i, _) in self.funded.iter().enumerate().filter(|(_, f)| **f) {
            if let Ok(i) = u32::try_from(i)
                && let Some(list) = lists.get_mut(ranking.class_of(i))
            {
                list.push(i);
            }
        }
        let ratio = |i: &u32| ranking.ratio.get(*i as usize).copied().unwrap_or(0.0);
        let value = |i: u32| ranking.value.get(i as usize).copied().unwrap_or(0.0);
        for list in &mut lists {
            list.sort_unstable_by(|a, b| ratio(a).total_cmp(&ratio(b)));
        }
        let mut heads = vec![0usize; classes];
        loop {
            let shortfall = self.shortfall();
            if shortfall == 0 {
                return;
            }
            let mut best: Option<(usize, u32, f64)> = None;
            for (c, list) in lists.iter().enumerate() {
                let Some(&i) = list.get(heads.get(c).copied().unwrap_or(0)) else {
                    continue;
                };
                self.set(i, false);
                let gain = shortfall - self.shortfall();
                self.set(i, true);
                if gain > 0 {
                    let score = gain as f64 / value(i).max(f64::MIN_POSITIVE);
                    if best.is_none_or(|(_, _, s)| score > s) {
                        best = Some((c, i, score));
                    }
                }
            }
            let chosen = best.map(|(c, i, _)| (c, i)).or_else(|| {
                // Removing a member of a cap's sector, or a non-member of a quota, raises
                // that constraint's slack.
                let broken: Vec<usize> = ranking
                    .constraints
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.holds(&self.totals))
                    .map(|(j, _)| j)
                    .collect();
                let helps = |class: usize| {
                    broken.iter().any(|&j| {
                        let is_cap = ranking.constraints.get(j).is_some_and(|c| c.is_cap());
                        member(j, class) == is_cap
                    })
                };
                (0..classes)
                    .filter(|&c| helps(c))
                    .filter_map(|c| {
                        let head = heads.get(c).copied().unwrap_or(0);
                        lists.get(c)?.get(head).map(|&i| (c, i))
                    })
                    .min_by(|(_, a), (_, b)| ratio(a).total_cmp(&ratio(b)))
            });
            let Some((class, item)) = chosen else {
                // Unreachable: a broken quota means some funded application does not count
                // towards it, a broken cap that some funded one does.
                return;
            };
            if let Some(h) = heads.get_mut(class) {
                *h += 1;
            }
            self.set(item, false);
        }
    }

    /// Brings the share constraints back with exchanges near the cutoffs: each time the
    /// move (one funded application out, one unfunded in, or just one of the two, in any
    /// provinces) that reduces the shortfall at the least loss of value per unit reduced.
    /// Stops when every constraint holds or no move reduces the shortfall.
    fn repair_by_exchanges(&mut self, orders: &[Vec<u32>]) {
        let ranking = self.ranking;
        let value = |i: Option<u32>| {
            i.and_then(|i| ranking.value.get(i as usize).copied())
                .unwrap_or(0.0)
        };
        for _ in 0..EXCHANGE_ROUNDS {
            let shortfall = self.shortfall();
            if shortfall == 0 {
                return;
            }
            let outs: Vec<Option<u32>> = orders
                .iter()
                .flat_map(|order| {
                    order
                        .iter()
                        .rev()
                        .copied()
                        .filter(|&i| self.is_funded(i))
                        .take(EXCHANGE_WINDOW)
                })
                .map(Some)
                .chain([None])
                .collect();
            let ins: Vec<Option<u32>> = orders
                .iter()
                .flat_map(|order| {
                    order
                        .iter()
                        .copied()
                        .filter(|&i| !self.is_funded(i))
                        .take(EXCHANGE_WINDOW)
                })
                .map(Some)
                .chain([None])
                .collect();
            let mut best: Option<(Option<u32>, Option<u32>, f64)> = None;
            for &out in &outs {
                for &inn in &ins {
                    if out.is_none() && inn.is_none() {
                        continue;
                    }
                    if let Some(i) = inn {
                        let freed = out
                            .filter(|&o| self.slot(o) == self.slot(i))
                            .map_or(0, |o| self.amount(o));
                        if self.amount(i) > self.room(self.slot(i)) + freed {
                            continue;
                        }
                    }
                    if let Some(o) = out {
                        self.set(o, false);
                    }
                    if let Some(i) = inn {
                        self.set(i, true);
                    }
                    let gain = shortfall - self.shortfall();
                    if let Some(i) = inn {
                        self.set(i, false);
                    }
                    if let Some(o) = out {
                        self.set(o, true);
                    }
                    if gain <= 0 {
                        continue;
                    }
                    let score = (value(inn) - value(out)) / gain as f64;
                    if best.is_none_or(|(_, _, s)| score > s) {
                        best = Some((out, inn, score));
                    }
                }
            }
            let Some((out, inn, _)) = best else { return };
            if let Some(o) = out {
                self.set(o, false);
            }
            if let Some(i) = inn {
                self.set(i, true);
            }
        }
    }

    /// The objective's value of the funded applications.
    fn value(&self) -> f64 {
        self.funded
            .iter()
            .zip(&self.ranking.value)
            .filter(|(f, _)| **f)
            .map(|(_, v)| v)
            .sum()
    }

    /// Fills what budgets are left, improves by swaps at each province's cutoff, and
    /// fills again what the swaps freed.
    fn polish(&mut self, orders: &[Vec<u32>]) {
        for order in orders {
            self.fill(order);
        }
        for order in orders {
            self.swap_at_cutoff(order);
        }
        for order in orders {
            self.fill(order);
        }
    }

    /// Adds every application, in `order`, that still fits.
    fn fill(&mut self, order: &[u32]) {
        for &i in order {
            self.try_add(i);
        }
    }

    /// Whether exchanging funded `out` for unfunded `inn` (same province) keeps every
    /// constraint; the state is left as it was.
    fn exchange_fits(&mut self, out: u32, inn: u32) -> bool {
        if self.amount(inn) > self.room(self.slot(out)) + self.amount(out) {
            return false;
        }
        self.set(out, false);
        self.set(inn, true);
        let fits = self.shares_hold();
        self.set(inn, false);
        self.set(out, true);
        fits
    }

    /// Best single exchange in province `order` (one funded out, one unfunded in) among
    /// the applications nearest the cutoff, repeated while it gains value.
    fn swap_at_cutoff(&mut self, order: &[u32]) {
        let ranking = self.ranking;
        let value = |i: u32| ranking.value.get(i as usize).copied().unwrap_or(0.0);
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
                for &inn in &ins {
                    let gain = value(inn) - value(out);
                    if gain > best.map_or(1e-9, |(_, _, g)| g) && self.exchange_fits(out, inn) {
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
    prefix: Vec<usize>,
    core: Vec<u32>,
    mask: u64,
}

/// All provinces' plans at one set of prices, with their exact totals.
struct Candidate {
    plans: Vec<Plan>,
    /// Funded amount per class, exact.
    class_amount: Vec<i128>,
    value: f64,
}

impl Candidate {
    /// Per share constraint (in `Ranking::constraints` order), whether it holds.
    fn meets(&self, ranking: &Ranking<'_>) -> Vec<bool> {
        let total: i128 = self.class_amount.iter().sum();
        ranking
            .constraints
            .iter()
            .enumerate()
            .map(|(j, c)| {
                let part: i128 = self
                    .class_amount
                    .iter()
                    .enumerate()
                    .filter(|(class, _)| member(j, *class))
                    .map(|(_, a)| a)
                    .sum();
                c.holds_for(part, total)
            })
            .collect()
    }
}

/// Rounds province `slot`: everything above `cutoff` except the last `CORE_SIDE`
/// applications is funded; those and the next `CORE_SIDE` form the core, solved exactly.
/// Only binary searches and the core are touched, so a plan costs the same whatever the
/// province's size.
fn plan_province(
    ranking: &Ranking<'_>,
    slot: usize,
    offsets: &[f64],
    cutoff: f64,
) -> (Plan, Vec<i128>, f64) {
    let groups: Vec<Group<'_>> = ranking.groups(slot);
    let adjusted = |c: usize, k: usize| {
        let g = groups.get(c)?;
        Some(g.ratio.get(k)? + offsets.get(c)?)
    };
    let above: Vec<usize> = groups
        .iter()
        .zip(offsets)
        .map(|(g, &off)| g.count_above(off, cutoff))
        .collect();
    let budget = ranking
        .problem
        .provinces()
        .get(slot)
        .map_or(0, |b| i128::from(b.budget));
    let fixed_amount = |prefix: &[usize]| -> i128 {
        groups.iter().zip(prefix).map(|(g, &k)| g.amount(k)).sum()
    };
    // Walk back from the cutoff, least attractive first, into the core.
    let mut prefix = above.clone();
    let mut before = Vec::new();
    while before.len() < CORE_SIDE || fixed_amount(&prefix) > budget {
        let worst = prefix
            .iter()
            .enumerate()
            .filter_map(|(c, &k)| Some((c, adjusted(c, k.checked_sub(1)?)?)))
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
        let best = heads
            .iter()
            .enumerate()
            .filter_map(|(c, &k)| Some((c, adjusted(c, k)?)))
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
    let mut class_amount: Vec<i128> = groups
        .iter()
        .zip(&prefix)
        .map(|(g, &k)| g.amount(k))
        .collect();
    let mut value: f64 = groups
        .iter()
        .zip(&prefix)
        .map(|(g, &k)| g.prefix(k).1)
        .sum();
    for (bit, &i) in core.iter().enumerate() {
        if mask >> bit & 1 == 1 {
            if let (Some(sum), Some(a)) = (
                class_amount.get_mut(ranking.class_of(i)),
                apps.get(i as usize),
            ) {
                *sum += i128::from(a.amount);
            }
            value += ranking.value.get(i as usize).copied().unwrap_or(0.0);
        }
    }
    (Plan { prefix, core, mask }, class_amount, value)
}

/// Every province rounded under prices `mu`.
fn candidate(ranking: &Ranking<'_>, mu: &[f64]) -> Candidate {
    let offsets = ranking.offsets(mu);
    let dual = evaluate(ranking, mu);
    let mut out = Candidate {
        plans: Vec::with_capacity(ranking.provinces()),
        class_amount: vec![0; ranking.classes()],
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

/// Bisection steps when raising a constraint's price until the priced solution meets it.
const PRICE_STEPS: usize = 24;

/// A feasible allocation guided by the multipliers of `dual`. The rounded priced solution
/// at `dual.mu` usually misses some share constraint by a few applications' worth: then
/// two repairs compete, the best rounded solution meeting every constraint at a higher
/// price of one missed constraint (bisection), and exchanges near the cutoffs from the
/// rounded solution itself (with `repair` behind them). Each is filled and improved by
/// swaps; the better one is kept.
pub(crate) fn solve<'r, 'p>(ranking: &'r Ranking<'p>, dual: &Dual) -> State<'r, 'p> {
    let offsets = ranking.offsets(&dual.mu);
    let orders: Vec<Vec<u32>> = (0..ranking.provinces())
        .map(|slot| ranking.province_order(slot, &offsets))
        .collect();
    let first = candidate(ranking, &dual.mu);
    let met = first.meets(ranking);
    if met.iter().all(|&m| m) {
        let mut state = materialise(ranking, &first);
        state.polish(&orders);
        return state;
    }
    let mut exchanged = materialise(ranking, &first);
    exchanged.repair_by_exchanges(&orders);
    exchanged.repair();
    exchanged.polish(&orders);

    let mut best: Option<Candidate> = None;
    let scale = ranking.ratio.iter().copied().fold(0.0, f64::max);
    for (j, &met_j) in met.iter().enumerate() {
        if met_j {
            continue;
        }
        let base = dual.mu.get(j).copied().unwrap_or(0.0);
        let (mut lo, mut hi) = (0.0, scale.max(base));
        for _ in 0..PRICE_STEPS {
            let mid = lo + (hi - lo) / 2.0;
            let mut mu = dual.mu.clone();
            if let Some(m) = mu.get_mut(j) {
                *m = base + mid;
            }
            let c = candidate(ranking, &mu);
            let meets = c.meets(ranking);
            if meets.get(j).copied().unwrap_or(true) {
                hi = mid;
            } else {
                lo = mid;
            }
            if meets.iter().all(|&m| m) && best.as_ref().is_none_or(|b| c.value > b.value) {
                best = Some(c);
            }
        }
    }
    let Some(priced) = best else {
        return exchanged;
    };
    let mut priced = materialise(ranking, &priced);
    priced.polish(&orders);
    if priced.value() > exchanged.value() {
        priced
    } else {
        exchanged
    }
}
