//! Exact bookkeeping of an allocation: what each province spent and what the quotas
//! and the sector caps count, in i128, so every feasibility question is answered without
//! rounding.

use super::constraints;
use super::params::Params;
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

    /// Every constraint of the round, checked exactly: the budgets, then the quotas,
    /// then the sector caps.
    pub fn check(&self, problem: &Problem, params: &Params) -> Result<(), Violation> {
        for (b, &used) in problem.provinces().iter().zip(&self.used) {
            if used > i128::from(b.budget) {
                return Err(Violation::Budget {
                    province: b.province,
                    used,
                    budget: b.budget,
                });
            }
        }
        match constraints::of(problem, params)
            .iter()
            .find(|c| !c.holds(self))
        {
            Some(broken) => Err(broken.violation()),
            None => Ok(()),
        }
    }
}

/// Checks any allocation (one flag per application) against every constraint, exactly.
pub fn verify(problem: &Problem, params: &Params, funded: &[bool]) -> Result<Totals, Violation> {
    let totals = Totals::of(problem, funded)?;
    totals.check(problem, params)?;
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::params::Share;
    use crate::allocation::problem::{Application, ProvinceBudget};

    fn problem() -> Problem {
        let app = |province, amount, women_led, tier, sector| Application {
            province,
            amount,
            jobs: 1,
            women_jobs: 0,
            women_led,
            tier,
            sector,
        };
        Problem::new(
            vec![
                app(1, 70, false, 1, 5),
                app(1, 30, true, 4, 6),
                app(2, 50, false, 3, 5),
            ],
            &[
                ProvinceBudget {
                    province: 1,
                    budget: 100,
                },
                ProvinceBudget {
                    province: 2,
                    budget: 40,
                },
            ],
        )
        .unwrap()
    }

    #[test]
    fn verify_names_the_first_broken_constraint() {
        let problem = problem();
        let params = Params {
            women_share: Share::from_basis_points(3_000).unwrap(),
            deprived_share: Share::from_basis_points(7_000).unwrap(),
            ..Params::default()
        };
        assert!(verify(&problem, &params, &[true, true, false]).is_ok());
        assert!(matches!(
            verify(&problem, &params, &[true, true, true]),
            Err(Violation::Budget { province: 2, .. })
        ));
        assert_eq!(
            verify(&problem, &params, &[true, false, false]),
            Err(Violation::WomenShare)
        );
        assert_eq!(
            verify(&problem, &params, &[false, true, false]),
            Err(Violation::DeprivedShare)
        );
        assert!(verify(&problem, &params, &[false, false, false]).is_ok());
        assert!(matches!(
            verify(&problem, &params, &[true]),
            Err(Violation::Length { .. })
        ));
    }

    #[test]
    fn verify_holds_each_capped_sector_to_its_share_exactly() {
        // Establishes the cap check: at the boundary it holds, one rial over it fails,
        // and it names the sector; a cap on a sector nobody applies in never fails.
        let problem = problem();
        let params = |bp| Params {
            women_share: Share::ZERO,
            deprived_share: Share::ZERO,
            sector_caps: [(5, Share::from_basis_points(bp).unwrap()), (9, Share::ZERO)].into(),
            ..Params::default()
        };
        // Sector 5 holds 70 of 100 funded rials.
        assert!(verify(&problem, &params(7_000), &[true, true, false]).is_ok());
        assert_eq!(
            verify(&problem, &params(6_999), &[true, true, false]),
            Err(Violation::SectorCap { sector: 5 })
        );
        let totals = verify(&problem, &params(0), &[false, true, false]).unwrap();
        assert_eq!(totals.sector_amount_of(&problem, 6), 30);
        assert_eq!(totals.sector_amount_of(&problem, 9), 0);
    }
}
