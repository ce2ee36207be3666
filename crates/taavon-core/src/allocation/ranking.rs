//! Applications ranked by value per rial inside each (province, quota class) group.
//!
//! The quotas' Lagrange multipliers shift every application of one class by the same
//! amount per rial, so inside a group the order never changes: sorting once serves the
//! bound, the greedy fill and the explanations at every multiplier. Each group carries
//! cumulative amounts and values, so "how much of this group beats a cutoff" is a binary
//! search.

use super::params::Params;
use super::problem::{Application, Problem};

/// The four quota classes: bit 0 women-led, bit 1 deprived (tier ≤ 2).
pub(crate) const CLASSES: usize = 4;

pub(crate) fn class_of(a: &Application) -> usize {
    usize::from(a.women_led) | (usize::from(a.is_deprived()) << 1)
}

/// Whether a class counts towards the women (0) or deprived (1) quota.
pub(crate) fn counts(class: usize, quota: usize) -> bool {
    (class >> quota) & 1 == 1
}

/// The objective's value of one application.
pub(crate) fn value_of(a: &Application, params: &Params) -> f64 {
    let weight = params
        .tier_weights
        .get(usize::from(a.tier).saturating_sub(1))
        .copied()
        .unwrap_or(0.0);
    f64::from(a.jobs) * weight + params.women_bonus * f64::from(a.women_jobs)
}

/// One group's slice of the ranking.
#[derive(Clone, Copy)]
pub(crate) struct Group<'r> {
    /// Application indices, best value per rial first.
    pub items: &'r [u32],
    pub ratio: &'r [f64],
    /// Inclusive running sums of amount (exact) and value along `items`.
    pub cum_amount: &'r [i128],
    pub cum_value: &'r [f64],
}

impl Group<'_> {
    /// How many of the group's applications have `ratio + offset > cutoff`.
    pub fn count_above(&self, offset: f64, cutoff: f64) -> usize {
        self.ratio.partition_point(|&r| r + offset > cutoff)
    }

    /// Exact amount of the group's first `k` applications.
    pub fn amount(&self, k: usize) -> i128 {
        k.checked_sub(1)
            .and_then(|last| self.cum_amount.get(last).copied())
            .unwrap_or(0)
    }

    /// Amount and value of the group's first `k` applications.
    pub fn prefix(&self, k: usize) -> (f64, f64) {
        match k.checked_sub(1) {
            None => (0.0, 0.0),
            Some(last) => (
                self.cum_amount.get(last).copied().unwrap_or(0) as f64,
                self.cum_value.get(last).copied().unwrap_or(0.0),
            ),
        }
    }
}

pub(crate) struct Ranking<'p> {
    pub problem: &'p Problem,
    pub params: &'p Params,
    /// Per application: objective value, value per rial, class.
    pub value: Vec<f64>,
    pub ratio: Vec<f64>,
    pub class: Vec<u8>,
    /// Group g = slot · 4 + class occupies `starts[g]..starts[g + 1]` of the arrays below.
    starts: Vec<usize>,
    items: Vec<u32>,
    sorted_ratio: Vec<f64>,
    cum_amount: Vec<i128>,
    cum_value: Vec<f64>,
}

impl<'p> Ranking<'p> {
    pub fn new(problem: &'p Problem, params: &'p Params) -> Ranking<'p> {
        let apps = problem.applications();
        let value: Vec<f64> = apps.iter().map(|a| value_of(a, params)).collect();
        // Amounts are positive (Problem's invariant), so the ratio is finite.
        let ratio: Vec<f64> = apps
            .iter()
            .zip(&value)
            .map(|(a, v)| v / a.amount as f64)
            .collect();
        let class: Vec<u8> = apps
            .iter()
            .map(|a| u8::try_from(class_of(a)).unwrap_or(0))
            .collect();
        let groups = problem.provinces().len() * CLASSES;
        let group_of = |i: usize| {
            let slot = problem.slots().get(i).copied().unwrap_or(0) as usize;
            slot * CLASSES + class.get(i).copied().map_or(0, usize::from)
        };
        // Counting sort into groups, then sort each group by ratio.
        let mut starts = vec![0usize; groups + 1];
        for i in 0..apps.len() {
            if let Some(s) = starts.get_mut(group_of(i) + 1) {
                *s += 1;
            }
        }
        for g in 0..groups {
            let before = starts.get(g).copied().unwrap_or(0);
            if let Some(s) = starts.get_mut(g + 1) {
                *s += before;
            }
        }
        let mut next = starts.clone();
        let mut items = vec![0u32; apps.len()];
        for i in 0..apps.len() {
            if let Some(n) = next.get_mut(group_of(i)) {
                if let Some(item) = items.get_mut(*n) {
                    *item = u32::try_from(i).unwrap_or(u32::MAX);
                }
                *n += 1;
            }
        }
        for w in starts.windows(2) {
            if let &[from, to] = w {
                let Some(group) = items.get_mut(from..to) else {
                    continue;
                };
                let key = |i: &u32| ratio.get(*i as usize).copied().unwrap_or(0.0);
                group.sort_unstable_by(|a, b| key(b).total_cmp(&key(a)).then(a.cmp(b)));
            }
        }
        let sorted_ratio: Vec<f64> = items
            .iter()
            .map(|&i| ratio.get(i as usize).copied().unwrap_or(0.0))
            .collect();
        let mut cum_amount = Vec::with_capacity(items.len());
        let mut cum_value = Vec::with_capacity(items.len());
        for w in starts.windows(2) {
            let (mut amount, mut worth) = (0i128, 0.0);
            let &[from, to] = w else { continue };
            for &i in items.get(from..to).unwrap_or(&[]) {
                amount += apps.get(i as usize).map_or(0, |a| i128::from(a.amount));
                worth += value.get(i as usize).copied().unwrap_or(0.0);
                cum_amount.push(amount);
                cum_value.push(worth);
            }
        }
        Ranking {
            problem,
            params,
            value,
            ratio,
            class,
            starts,
            items,
            sorted_ratio,
            cum_amount,
            cum_value,
        }
    }

    pub fn provinces(&self) -> usize {
        self.problem.provinces().len()
    }

    pub fn group(&self, slot: usize, class: usize) -> Group<'_> {
        let g = slot * CLASSES + class;
        let range =
            self.starts.get(g).copied().unwrap_or(0)..self.starts.get(g + 1).copied().unwrap_or(0);
        Group {
            items: self.items.get(range.clone()).unwrap_or(&[]),
            ratio: self.sorted_ratio.get(range.clone()).unwrap_or(&[]),
            cum_amount: self.cum_amount.get(range.clone()).unwrap_or(&[]),
            cum_value: self.cum_value.get(range).unwrap_or(&[]),
        }
    }

    /// The quotas as fractions, for pricing.
    pub fn shares(&self) -> [f64; 2] {
        [
            self.params.women_share.as_f64(),
            self.params.deprived_share.as_f64(),
        ]
    }

    /// Per class, the change of value per rial under multipliers `mu` of the women and
    /// deprived quotas: `Σ_q mu_q · (counts(class, q) − share_q)`.
    pub fn offsets(&self, mu: [f64; 2]) -> [f64; CLASSES] {
        let s = self.shares();
        let mut out = [0.0; CLASSES];
        for (class, o) in out.iter_mut().enumerate() {
            for (q, (m, share)) in mu.iter().zip(s).enumerate() {
                let member = if counts(class, q) { 1.0 } else { 0.0 };
                *o += m * (member - share);
            }
        }
        out
    }

    /// Value per rial after the quota prices `offsets`.
    pub fn adjusted(&self, item: u32, offsets: &[f64; CLASSES]) -> f64 {
        let i = item as usize;
        let class = self.class.get(i).copied().map_or(0, usize::from);
        self.ratio.get(i).copied().unwrap_or(0.0) + offsets.get(class).copied().unwrap_or(0.0)
    }

    /// A province's applications, best adjusted value per rial first.
    pub fn province_order(&self, slot: usize, offsets: &[f64; CLASSES]) -> Vec<u32> {
        let groups: [&[u32]; CLASSES] = std::array::from_fn(|c| self.group(slot, c).items);
        merge_descending(&groups, |i| self.adjusted(i, offsets))
    }
}

/// Merges lists that are each sorted by descending `key` into one such list. Scanning
/// the heads is cheaper than a heap for the few lists merged here (4 classes or ~31
/// provinces).
pub(crate) fn merge_descending(lists: &[&[u32]], key: impl Fn(u32) -> f64) -> Vec<u32> {
    let mut heads = vec![0usize; lists.len()];
    let total: usize = lists.iter().map(|l| l.len()).sum();
    let mut order = Vec::with_capacity(total);
    let mut head_keys: Vec<Option<f64>> =
        lists.iter().map(|l| l.first().map(|&i| key(i))).collect();
    for _ in 0..total {
        let mut best: Option<(usize, f64)> = None;
        for (l, k) in head_keys.iter().enumerate() {
            if let Some(k) = *k
                && best.is_none_or(|(_, b)| k > b)
            {
                best = Some((l, k));
            }
        }
        let Some((l, _)) = best else { break };
        if let (Some(list), Some(h), Some(k)) =
            (lists.get(l), heads.get_mut(l), head_keys.get_mut(l))
        {
            if let Some(&item) = list.get(*h) {
                order.push(item);
            }
            *h += 1;
            *k = list.get(*h).map(|&i| key(i));
        }
    }
    order
}
