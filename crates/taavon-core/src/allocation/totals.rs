//! Exact bookkeeping of an allocation: what each province spent and what the quotas
//! and the sector caps count, in i128, so every feasibility question is answered without
//! rounding (the questions themselves are in `feasibility`).

use super::problem::{Application, Problem};

/// Sums of a set of funded applications.
///
/// Invariant: each field is the exact sum over the funded applications it describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Totals {
    /// Amount funded per province, in `Problem::provinces()` order.
    pub used: Vec<i128>,
    /// Amount funded per sector, in `Problem::sectors()` order.
    pub sector_amount: Vec<i128>,
    pub amount: i128,
    pub women_amount: i128,
    pub deprived_amount: i128,
    pub count: usize,
}

/// The first constraint a set of funded applications breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("province {province} spends {used} rials of a {budget}-rial budget")]
    Budget {
        province: u32,
        used: i128,
        budget: i64,
    },
    #[error("women-led applications get less than the required share")]
    WomenShare,
    #[error("deprived counties get less than the required share")]
    DeprivedShare,
    #[error("sector {sector} gets more than its cap")]
    SectorCap { sector: u32 },
    #[error("the allocation lists {got} applications, the problem has {expected}")]
    Length { got: usize, expected: usize },
}

impl Totals {
    pub(crate) fn empty(problem: &Problem) -> Totals {
        Totals {
            used: vec![0; problem.provinces().len()],
            sector_amount: vec![0; problem.sectors().len()],
            amount: 0,
            women_amount: 0,
            deprived_amount: 0,
            count: 0,
        }
    }

    /// Sums `funded` (one flag per application) from scratch.
    pub fn of(problem: &Problem, funded: &[bool]) -> Result<Totals, Violation> {
        if funded.len() != problem.applications().len() {
            return Err(Violation::Length {
                got: funded.len(),
                expected: problem.applications().len(),
            });
        }
        let mut totals = Totals::empty(problem);
        for (((a, &slot), &sector_slot), _) in problem
            .applications()
            .iter()
            .zip(problem.slots())
            .zip(problem.sector_slots())
            .zip(funded)
            .filter(|(_, f)| **f)
        {
            totals.shift(a, slot, sector_slot, true);
        }
        Ok(totals)
    }

    /// Adds (or with `add == false` removes) one application, of province `slot` and
    /// sector `sector_slot`.
    pub(crate) fn shift(&mut self, a: &Application, slot: u32, sector_slot: u32, add: bool) {
        let signed = if add {
            i128::from(a.amount)
        } else {
            -i128::from(a.amount)
        };
        if let Some(used) = self.used.get_mut(slot as usize) {
            *used += signed;
        }
        if let Some(sector) = self.sector_amount.get_mut(sector_slot as usize) {
            *sector += signed;
        }
        self.amount += signed;
        if a.women_led {
            self.women_amount += signed;
        }
        if a.is_deprived() {
            self.deprived_amount += signed;
        }
        if add {
            self.count += 1;
        } else {
            self.count = self.count.saturating_sub(1);
        }
    }

    /// Amount funded in sector `sector` (0 when no application belongs to it).
    pub fn sector_amount_of(&self, problem: &Problem, sector: u32) -> i128 {
        problem
            .sector_slot(sector)
            .and_then(|slot| self.sector_amount.get(slot).copied())
            .unwrap_or(0)
    }
}
