//! The share constraints of a round in one shape: the women-led and deprived minimum
//! shares and each sector's maximum share, all of the form "a part of the funded amount
//! against a share of the whole", checked exactly in integers.
//!
//! For pricing, each is written `Σ_i coefficient_i · amount_i · x_i ≥ 0` with
//! `coefficient = member − share` for a minimum share and `share − member` for a
//! maximum, so one multiplier per constraint prices every application by the rial.

use super::params::{Params, Share};
use super::problem::{Application, Problem};
use super::totals::{Totals, Violation};

/// Which share a constraint bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// At least the share goes to women-led applications.
    Women,
    /// At least the share goes to tier 1–2 counties.
    Deprived,
    /// At most the share goes to sector `sector`, at position `slot` of
    /// `Problem::sectors()`.
    Cap { sector: u32, slot: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Constraint {
    pub kind: Kind,
    pub share: Share,
}

/// Position of the women-led and deprived quotas in `of`'s list; caps follow.
pub(crate) const WOMEN: usize = 0;
pub(crate) const DEPRIVED: usize = 1;

/// The constraints of `params` over `problem` that can fail: both quotas, then the caps
/// below 100 % of sectors some application belongs to (a cap of 100 %, or on a sector
/// nobody applies in, holds for every allocation), by ascending sector code.
pub(crate) fn of(problem: &Problem, params: &Params) -> Vec<Constraint> {
    let mut out = vec![
        Constraint {
            kind: Kind::Women,
            share: params.women_share,
        },
        Constraint {
            kind: Kind::Deprived,
            share: params.deprived_share,
        },
    ];
    for (&sector, &share) in &params.sector_caps {
        if share.basis_points() >= 10_000 {
            continue;
        }
        if let Some(slot) = problem.sector_slot(sector) {
            out.push(Constraint {
                kind: Kind::Cap { sector, slot },
                share,
            });
        }
    }
    out
}

impl Constraint {
    /// Whether the share is a maximum (a sector cap) rather than a minimum.
    pub fn is_cap(&self) -> bool {
        matches!(self.kind, Kind::Cap { .. })
    }

    /// Whether an application's amount counts towards the constrained part.
    pub fn counts(&self, application: &Application, sector_slot: usize) -> bool {
        match self.kind {
            Kind::Women => application.women_led,
            Kind::Deprived => application.is_deprived(),
            Kind::Cap { slot, .. } => slot == sector_slot,
        }
    }

    /// The constrained part of `totals`.
    pub fn part(&self, totals: &Totals) -> i128 {
        match self.kind {
            Kind::Women => totals.women_amount,
            Kind::Deprived => totals.deprived_amount,
            Kind::Cap { slot, .. } => totals.sector_amount.get(slot).copied().unwrap_or(0),
        }
    }

    /// Exactly whether `part` of `total` respects the share.
    pub fn holds_for(&self, part: i128, total: i128) -> bool {
        if self.is_cap() {
            self.share.is_respected(part, total)
        } else {
            self.share.is_met(part, total)
        }
    }

    pub fn holds(&self, totals: &Totals) -> bool {
        self.holds_for(self.part(totals), totals.amount)
    }

    /// How far `part` of `total` is inside the constraint, in rial-basis-points
    /// (negative when broken): exact, and comparable across constraints.
    pub fn slack(&self, part: i128, total: i128) -> i128 {
        let scaled_part = 10_000 * part;
        let scaled_share = i128::from(self.share.basis_points()) * total;
        if self.is_cap() {
            scaled_share - scaled_part
        } else {
            scaled_part - scaled_share
        }
    }

    /// The coefficient per rial of an application in the priced form: positive when
    /// funding it loosens the constraint.
    pub fn coefficient(&self, member: bool) -> f64 {
        let member = if member { 1.0 } else { 0.0 };
        let share = self.share.as_f64();
        if self.is_cap() {
            share - member
        } else {
            member - share
        }
    }

    pub fn violation(&self) -> Violation {
        match self.kind {
            Kind::Women => Violation::WomenShare,
            Kind::Deprived => Violation::DeprivedShare,
            Kind::Cap { sector, .. } => Violation::SectorCap { sector },
        }
    }
}
