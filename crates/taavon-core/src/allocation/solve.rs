//! A feasible 0/1 allocation near the bound: the priced greedy solution rounded to
//! whole applications (an exact core knapsack around each province's break item), the
//! share constraints brought back by exchanges near the cutoffs (or, when one alone is
//! missed, by a higher price of it), a fill of what budgets are left and swaps at each
//! province's cutoff.
//!
//! Every change goes through `State`, which checks budgets, quotas and sector caps in
//! exact integers before it keeps it, except the rounding, which respects the budgets but
//! not the share constraints, and the exchanges after it, which respect the budgets and
//! only ever reduce the share constraints' shortfall; `repair` follows them and only
//! removes applications, ending at the latest with the empty allocation, which is
//! feasible. So the result always meets every constraint.

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

/// One application entering or leaving the funded set, or nothing (`item: None`).
struct Move {
    item: Option<u32>,
    slot: usize,
    amount: i128,
    /// The change of the objective.
    value: f64,
    /// The change of each share constraint's slack.
    effect: Vec<i128>,
}

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
        self.ranking
            .problem
            .slots()
            .get(i as usize)
            .copied()
            .unwrap_or(0) as usize
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

    /// Each share constraint's exact slack (`Constraint::slack`) after taking `out` out
    /// of and putting `inn` into the funded set, without changing it.
    fn slacks_after(&self, out: Option<u32>, inn: Option<u32>) -> impl Iterator<Item = i128> {
        let problem = self.ranking.problem;
        let change = |i: Option<u32>| {
            let i = i? as usize;
            Some((
                problem.applications().get(i)?,
                problem.sector_slots().get(i).copied()? as usize,
            ))
        };
        let (out, inn) = (change(out), change(inn));
        let amount = |c: Option<(&Application, usize)>| c.map_or(0, |(a, _)| i128::from(a.amount));
        let total = self.totals.amount - amount(out) + amount(inn);
        self.ranking.constraints.iter().map(move |c| {
            let counted = |x: Option<(&Application, usize)>| match x {
                Some((a, sector)) if c.counts(a, sector) => i128::from(a.amount),
                _ => 0,
            };
            c.slack(c.part(&self.totals) - counted(out) + counted(inn), total)
        })
    }

    /// Whether every share constraint holds after the change, exactly.
    fn shares_hold_after(&self, out: Option<u32>, inn: Option<u32>) -> bool {
        self.slacks_after(out, inn).all(|slack| slack >= 0)
    }

    /// How far the share constraints are broken in all after the change, in
    /// rial-basis-points (0 when they all hold): exact.
    fn shortfall_after(&self, out: Option<u32>, inn: Option<u32>) -> i128 {
        self.slacks_after(out, inn)
            .map(|slack| (-slack).max(0))
            .sum()
    }

    /// Funds `i` if its province's budget and every share constraint allow it.
    fn try_add(&mut self, i: u32) -> bool {
        let fits = !self.is_funded(i)
            && self.amount(i) <= self.room(self.slot(i))
            && self.shares_hold_after(None, Some(i));
        if fits {
            self.set(i, true);
        }
        fits
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
            let shortfall = self.shortfall_after(None, None);
            if shortfall == 0 {
                return;
            }
            let mut best: Option<(usize, u32, f64)> = None;
            for (c, list) in lists.iter().enumerate() {
                let Some(&i) = list.get(heads.get(c).copied().unwrap_or(0)) else {
                    continue;
                };
                let gain = shortfall - self.shortfall_after(Some(i), None);
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
        for _ in 0..EXCHANGE_ROUNDS {
            let slack: Vec<i128> = self.slacks_after(None, None).collect();
            let shortfall: i128 = slack.iter().map(|s| (-s).max(0)).sum();
            if shortfall == 0 {
                return;
            }
            let window = |funded: bool| -> Vec<u32> {
                orders
                    .iter()
                    .flat_map(|order| self.nearest(order, funded, EXCHANGE_WINDOW))
                    .collect()
            };
            let (outs, ins) = (
                self.moves(&window(true), false),
                self.moves(&window(false), true),
            );
            let rooms: Vec<i128> = (0..self.ranking.provinces())
                .map(|p| self.room(p))
                .collect();
            let mut best: Option<(Option<u32>, Option<u32>, f64)> = None;
            for out in &outs {
                for inn in &ins {
                    if inn.item.is_some() {
                        let freed = match out.item {
                            Some(_) if out.slot == inn.slot => out.amount,
                            _ => 0,
                        };
                        if inn.amount > rooms.get(inn.slot).copied().unwrap_or(0) + freed {
                            continue;
                        }
                    } else if out.item.is_none() {
                        continue;
                    }
                    let after: i128 = slack
                        .iter()
                        .zip(&out.effect)
                        .zip(&inn.effect)
                        .map(|((s, o), n)| (-(s + o + n)).max(0))
                        .sum();
                    let gain = shortfall - after;
                    if gain <= 0 {
                        continue;
                    }
                    let score = (inn.value + out.value) / gain as f64;
                    if best.is_none_or(|(_, _, s)| score > s) {
                        best = Some((out.item, inn.item, score));
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

    /// The `count` funded applications of a province's `order` nearest its cutoff (the
    /// last ones), or the `count` unfunded ones nearest it (the first ones).
    fn nearest(&self, order: &[u32], funded: bool, count: usize) -> Vec<u32> {
        let keep = |i: &u32| self.is_funded(*i) == funded;
        if funded {
            order
                .iter()
                .rev()
                .copied()
                .filter(keep)
                .take(count)
                .collect()
        } else {
            order.iter().copied().filter(keep).take(count).collect()
        }
    }

    /// Each of `items` as a move into (`join`) or out of the funded set, with what the
    /// move changes, and the empty move last.
    fn moves(&self, items: &[u32], join: bool) -> Vec<Move> {
        let problem = self.ranking.problem;
        let sign: i128 = if join { 1 } else { -1 };
        let mut moves: Vec<Move> = items
            .iter()
            .filter_map(|&i| {
                let a = problem.applications().get(i as usize)?;
                let sector = problem.sector_slots().get(i as usize).copied()? as usize;
                let amount = i128::from(a.amount);
                let value = self.ranking.value.get(i as usize).copied()?;
                Some(Move {
                    item: Some(i),
                    slot: self.slot(i),
                    amount,
                    value: if join { value } else { -value },
                    effect: self
                        .ranking
                        .constraints
                        .iter()
                        .map(|c| {
                            sign * c.slack(if c.counts(a, sector) { amount } else { 0 }, amount)
                        })
                        .collect(),
                })
            })
            .collect();
        moves.push(Move {
            item: None,
            slot: 0,
            amount: 0,
            value: 0.0,
            effect: vec![0; self.ranking.constraints.len()],
        });
        moves
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
    /// constraint.
    fn exchange_fits(&self, out: u32, inn: u32) -> bool {
        self.amount(inn) <= self.room(self.slot(out)) + self.amount(out)
            && self.shares_hold_after(Some(out), Some(inn))
    }

    /// Best single exchange in province `order` (one funded out, one unfunded in) among
    /// the applications nearest the cutoff, repeated while it gains value.
    fn swap_at_cutoff(&mut self, order: &[u32]) {
        let ranking = self.ranking;
        let value = |i: u32| ranking.value.get(i as usize).copied().unwrap_or(0.0);
        for _ in 0..SWAP_ROUNDS {
            let outs = self.nearest(order, true, SWAP_WINDOW);
            let ins = self.nearest(order, false, SWAP_WINDOW);
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
/// The most partial solutions while searching a price: the search only needs to know
/// whether a price meets the constraints, the finer front serves the solution kept.
const SEARCH_STATES: usize = 1 << 10;

/// The best subset of `items` (amount, priced value) within `capacity`, as a bit mask:
/// a dynamic programme over the Pareto front of (amount, value) pairs, which stays small
/// because only the few items around the break are in play, and because a partial
/// solution is dropped as soon as even the fractional knapsack of the items still to
/// come could not lift it to the best whole solution known.
fn core_knapsack(items: &[(i64, f64)], capacity: i64, most_states: usize) -> u64 {
    let items = items.get(..items.len().min(64)).unwrap_or(items);
    let usable = |(amount, value): &(i64, f64)| *value > 0.0 && *amount <= capacity;
    let rest: Vec<Rest> = (0..=items.len())
        .map(|k| Rest::new(items.get(k..).unwrap_or(&[]), capacity))
        .collect();
    let mut incumbent = rest.first().map_or(0.0, |r| r.greedy);
    let margin = |v: f64| v - v.abs() * 1e-9;
    let mut states: Vec<(i64, f64, u64)> = vec![(0, 0.0, 0)];
    let mut merged = Vec::new();
    for (bit, &(amount, value)) in items.iter().enumerate() {
        if !usable(&(amount, value)) {
            continue;
        }
        let extended = states
            .iter()
            .filter(|s| s.0 <= capacity - amount)
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
                .is_none_or(|last: &(i64, f64, u64)| state.1 > last.1)
            {
                if merged
                    .last()
                    .is_some_and(|last: &(i64, f64, u64)| last.0 == state.0)
                {
                    merged.pop();
                }
                merged.push(state);
            }
        }
        if let Some(best) = merged.last() {
            incumbent = incumbent.max(best.1);
        }
        if let Some(after) = rest.get(bit + 1) {
            merged.retain(|s| s.1 + after.bound(capacity - s.0) >= margin(incumbent));
        }
        if merged.len() > most_states {
            // Thin evenly: the front stays representative, the heaviest (best) kept.
            let step = merged.len().div_ceil(most_states);
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

/// The items still to come in `core_knapsack`, best value per rial first, as running
/// sums: what they can add at most to a partial solution (their fractional knapsack),
/// and what the greedy whole solution over them is worth.
struct Rest {
    cum_amount: Vec<i64>,
    cum_value: Vec<f64>,
    ratio: Vec<f64>,
    greedy: f64,
}

impl Rest {
    fn new(items: &[(i64, f64)], capacity: i64) -> Rest {
        let mut usable: Vec<(i64, f64)> = items
            .iter()
            .copied()
            .filter(|&(a, v)| v > 0.0 && a <= capacity)
            .collect();
        let ratio = |(a, v): &(i64, f64)| v / *a as f64;
        usable.sort_unstable_by(|x, y| ratio(y).total_cmp(&ratio(x)));
        let (mut amount, mut value) = (0i64, 0.0);
        let (mut cum_amount, mut cum_value) = (Vec::new(), Vec::new());
        let (mut room, mut greedy) = (capacity, 0.0);
        for &(a, v) in &usable {
            amount = amount.saturating_add(a);
            value += v;
            cum_amount.push(amount);
            cum_value.push(value);
            if a <= room {
                room -= a;
                greedy += v;
            }
        }
        Rest {
            cum_amount,
            cum_value,
            ratio: usable.iter().map(ratio).collect(),
            greedy,
        }
    }

    /// The most the items can add within `room`: whole ones in order while they fit,
    /// then a fraction of the next.
    fn bound(&self, room: i64) -> f64 {
        let whole = self.cum_amount.partition_point(|&c| c <= room);
        let (amount, value) = whole.checked_sub(1).map_or((0, 0.0), |last| {
            (
                self.cum_amount.get(last).copied().unwrap_or(0),
                self.cum_value.get(last).copied().unwrap_or(0.0),
            )
        });
        value
            + self
                .ratio
                .get(whole)
                .map_or(0.0, |r| r * (room - amount) as f64)
    }
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
    most_states: usize,
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
    let fixed_amount =
        |prefix: &[usize]| -> i128 { groups.iter().zip(prefix).map(|(g, &k)| g.amount(k)).sum() };
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
    let items: Vec<(i64, f64)> = core
        .iter()
        .map(|&i| {
            let amount = apps.get(i as usize).map_or(0, |a| a.amount);
            (amount, ranking.adjusted(i, offsets) * amount as f64)
        })
        .collect();
    // The walk back leaves the fixed part within the budget, an i64.
    let capacity = i64::try_from(budget - fixed_amount(&prefix)).unwrap_or(0);
    let mask = core_knapsack(&items, capacity, most_states);
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

/// Every province rounded under prices `mu` (`near` as for `evaluate`), its core
/// knapsacks keeping at most `most_states` partial solutions.
fn candidate(ranking: &Ranking<'_>, mu: &[f64], near: &[f64], most_states: usize) -> Candidate {
    let offsets = ranking.offsets(mu);
    let dual = evaluate(ranking, mu, near);
    let mut out = Candidate {
        plans: Vec::with_capacity(ranking.provinces()),
        class_amount: vec![0; ranking.classes()],
        value: 0.0,
    };
    for (slot, &cutoff) in dual.fits_above.iter().enumerate() {
        let (plan, amounts, value) = plan_province(ranking, slot, &offsets, cutoff, most_states);
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

/// Bisection steps when raising a constraint's price until the priced solution meets it,
/// and the first raise tried (when the price is 0), relative to the best value per rial.
const PRICE_STEPS: usize = 12;
const PRICE_FIRST_RAISE: f64 = 1e-6;

/// A feasible allocation guided by the multipliers of `dual`. The rounded priced solution
/// at `dual.mu` usually misses some share constraint by a few applications' worth. Then
/// exchanges near the cutoffs bring it back (`repair_by_exchanges`, with `repair`
/// behind them); and when exactly one constraint is missed, the best rounded solution
/// meeting every constraint at a higher price of that one (bisection) competes with it
/// (with several missed, raising one price at a time seldom meets them all). Each is
/// filled and improved by swaps; the better one is kept.
pub(crate) fn solve<'r, 'p>(ranking: &'r Ranking<'p>, dual: &Dual) -> State<'r, 'p> {
    let offsets = ranking.offsets(&dual.mu);
    let orders: Vec<Vec<u32>> = (0..ranking.provinces())
        .map(|slot| ranking.province_order(slot, &offsets))
        .collect();
    let first = candidate(ranking, &dual.mu, &dual.cutoffs, CORE_STATES);
    let met = first.meets(ranking);
    let mut exchanged = materialise(ranking, &first);
    let missed: Vec<usize> = (0..met.len())
        .filter(|&j| !met.get(j).copied().unwrap_or(true))
        .collect();
    if missed.is_empty() {
        exchanged.polish(&orders);
        return exchanged;
    }
    exchanged.repair_by_exchanges(&orders);
    exchanged.repair();
    exchanged.polish(&orders);
    let [j] = missed[..] else {
        return exchanged;
    };
    let Some(mu) = price_meeting_all(ranking, dual, j) else {
        return exchanged;
    };
    // The price was found with a coarse core; round again finely, and keep the finer
    // solution if it still meets every constraint.
    let fine = candidate(ranking, &mu, &dual.cutoffs, CORE_STATES);
    let chosen = if fine.meets(ranking).iter().all(|&m| m) {
        fine
    } else {
        candidate(ranking, &mu, &dual.cutoffs, SEARCH_STATES)
    };
    let mut priced = materialise(ranking, &chosen);
    priced.polish(&orders);
    if priced.value() > exchanged.value() {
        priced
    } else {
        exchanged
    }
}

/// The multipliers, `dual.mu` with constraint j's price raised, whose rounded solution
/// meets every constraint with the most value, among those a search on the raise visits:
/// doubling from the price itself until constraint j holds, then bisection.
fn price_meeting_all(ranking: &Ranking<'_>, dual: &Dual, j: usize) -> Option<Vec<f64>> {
    let scale = ranking.ratio.iter().copied().fold(0.0, f64::max);
    let base = dual.mu.get(j).copied().unwrap_or(0.0);
    let mut best: Option<(Vec<f64>, f64)> = None;
    let mut try_raise = |raise: f64| {
        let mut mu = dual.mu.clone();
        if let Some(m) = mu.get_mut(j) {
            *m = base + raise;
        }
        let c = candidate(ranking, &mu, &dual.cutoffs, SEARCH_STATES);
        let meets = c.meets(ranking);
        if meets.iter().all(|&m| m) && best.as_ref().is_none_or(|(_, v)| c.value > *v) {
            best = Some((mu, c.value));
        }
        meets.get(j).copied().unwrap_or(true)
    };
    let (mut lo, mut hi) = (0.0, base.max(scale * PRICE_FIRST_RAISE));
    while !try_raise(hi) {
        if hi >= scale {
            return None;
        }
        (lo, hi) = (hi, hi * 2.0);
    }
    for _ in 0..PRICE_STEPS {
        let mid = lo + (hi - lo) / 2.0;
        if try_raise(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    best.map(|(mu, _)| mu)
}
