//! Applications ranked by value per rial inside each (province, class) group, a class
//! being the set of share constraints an application counts towards.
//!
//! The constraints' Lagrange multipliers shift every application of one class by the
//! same amount per rial, so inside a group the order never changes: sorting once serves
//! the bound, the greedy fill and the explanations at every multiplier. Each group
//! carries cumulative amounts and values, so "how much of this group beats a cutoff" is
//! a binary search.
//!
//! Class `c` has bit 0 for women-led, bit 1 for deprived (tier ≤ 2), and `c >> 2` is 0
//! for an uncapped sector or `k + 1` for the sector of the round's k-th cap; so there are
//! `4 · (caps + 1)` classes, 4 when nothing is capped.

use super::constraints::{self, Constraint, DEPRIVED, Kind, WOMEN};
use super::params::Params;
use super::problem::{Application, Problem};

/// The classes a round has without caps: women-led × deprived.
const QUOTA_CLASSES: usize = 4;

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
    /// The share constraints that can fail, women-led and deprived first
    /// (`constraints::of`).
    pub constraints: Vec<Constraint>,
    /// `classes` coefficients per constraint: `coefficient[j · classes + c]` is
    /// constraint j's coefficient per rial for class c.
    coefficient: Vec<f64>,
    classes: usize,
    /// Per application: objective value, value per rial, class.
    pub value: Vec<f64>,
    pub ratio: Vec<f64>,
    pub class: Vec<u32>,
    /// Group g = slot · classes + class occupies `starts[g]..starts[g + 1]` of the
    /// arrays below.
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
        let constraints = constraints::of(problem, params);
        // Each sector's part of the class: 0 uncapped, k + 1 for the k-th cap.
        let mut sector_part = vec![0usize; problem.sectors().len()];
        for (k, c) in constraints.iter().skip(2).enumerate() {
            if let Kind::Cap { slot, .. } = c.kind
                && let Some(p) = sector_part.get_mut(slot)
            {
                *p = k + 1;
            }
        }
        let classes = QUOTA_CLASSES * (constraints.len().saturating_sub(2) + 1);
        let class: Vec<u32> = apps
            .iter()
            .zip(problem.sector_slots())
            .map(|(a, &sector)| {
                let part = sector_part.get(sector as usize).copied().unwrap_or(0);
                let quota = usize::from(a.women_led) | (usize::from(a.is_deprived()) << 1);
                u32::try_from(quota | part << 2).unwrap_or(u32::MAX)
            })
            .collect();
        let coefficient = constraints
            .iter()
            .enumerate()
            .flat_map(|(j, c)| (0..classes).map(move |class| c.coefficient(member(j, class))))
            .collect();
        let groups = problem.provinces().len() * classes;
        let group_of = |i: usize| {
            let slot = problem.slots().get(i).copied().unwrap_or(0) as usize;
            slot * classes + class.get(i).copied().map_or(0, |c| c as usize)
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
            constraints,
            coefficient,
            classes,
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

    /// How many classes partition the applications (`4 · (caps + 1)`).
    pub fn classes(&self) -> usize {
        self.classes
    }

    pub fn group(&self, slot: usize, class: usize) -> Group<'_> {
        let g = slot * self.classes + class;
        let range =
            self.starts.get(g).copied().unwrap_or(0)..self.starts.get(g + 1).copied().unwrap_or(0);
        Group {
            items: self.items.get(range.clone()).unwrap_or(&[]),
            ratio: self.sorted_ratio.get(range.clone()).unwrap_or(&[]),
            cum_amount: self.cum_amount.get(range.clone()).unwrap_or(&[]),
            cum_value: self.cum_value.get(range).unwrap_or(&[]),
        }
    }

    /// Every class's group of province `slot`, in class order.
    pub fn groups(&self, slot: usize) -> Vec<Group<'_>> {
        (0..self.classes).map(|c| self.group(slot, c)).collect()
    }

    /// Constraint j's coefficient per rial for class `class`.
    pub fn coefficient(&self, j: usize, class: usize) -> f64 {
        self.coefficient
            .get(j * self.classes + class)
            .copied()
            .unwrap_or(0.0)
    }

    /// Per class, the change of value per rial under multipliers `mu` (one per
    /// constraint): `Σ_j mu_j · coefficient_j(class)`.
    pub fn offsets(&self, mu: &[f64]) -> Vec<f64> {
        (0..self.classes)
            .map(|class| {
                mu.iter()
                    .enumerate()
                    .map(|(j, m)| m * self.coefficient(j, class))
                    .sum()
            })
            .collect()
    }

    pub fn class_of(&self, item: u32) -> usize {
        self.class
            .get(item as usize)
            .copied()
            .map_or(0, |c| c as usize)
    }

    /// Value per rial after the constraint prices `offsets`.
    pub fn adjusted(&self, item: u32, offsets: &[f64]) -> f64 {
        self.ratio.get(item as usize).copied().unwrap_or(0.0)
            + offsets.get(self.class_of(item)).copied().unwrap_or(0.0)
    }

    /// A province's applications, best adjusted value per rial first (ties in input
    /// order). Sorting the keys outright beats merging the class groups once there are
    /// more than a handful of classes.
    pub fn province_order(&self, slot: usize, offsets: &[f64]) -> Vec<u32> {
        let mut keyed: Vec<(f64, u32)> = (0..self.classes)
            .flat_map(|c| self.group(slot, c).items)
            .map(|&i| (self.adjusted(i, offsets), i))
            .collect();
        keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        keyed.into_iter().map(|(_, i)| i).collect()
    }
}

/// Whether class `class` counts towards constraint j (of `constraints::of`'s list).
pub(crate) fn member(j: usize, class: usize) -> bool {
    match j {
        WOMEN => class & 1 == 1,
        DEPRIVED => class >> 1 & 1 == 1,
        cap => class >> 2 == cap - 1,
    }
}
