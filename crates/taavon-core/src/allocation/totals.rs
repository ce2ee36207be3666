//! Exact bookkeeping of an allocation: what each province spent and what the quotas
//! count, in i128, so every feasibility question is answered without rounding.

use super::params::Params;
use super::problem::Problem;

/// Sums of a set of funded applications.
///
/// Invariant: each field is the exact sum over the funded applications it describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Totals {
    /// Amount funded per province, in `Problem::provinces()` order.
    pub used: Vec<i128>,
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
    #[error("the allocation lists {got} applications, the problem has {expected}")]
    Length { got: usize, expected: usize },
}

impl Totals {
    pub(crate) fn empty(problem: &Problem) -> Totals {
        Totals {
            used: vec![0; problem.provinces().len()],
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
        for ((a, &slot), _) in problem
            .applications()
            .iter()
            .zip(problem.slots())
            .zip(funded)
            .filter(|(_, f)| **f)
        {
            totals.shift(a.amount, a.women_led, a.is_deprived(), slot, true);
        }
        Ok(totals)
    }

    /// Adds (or with `add == false` removes) one application's amount.
    pub(crate) fn shift(&mut self, amount: i64, women: bool, deprived: bool, slot: u32, add: bool) {
        let signed = if add {
            i128::from(amount)
        } else {
            -i128::from(amount)
        };
        if let Some(used) = self.used.get_mut(slot as usize) {
            *used += signed;
        }
        self.amount += signed;
        if women {
            self.women_amount += signed;
        }
        if deprived {
            self.deprived_amount += signed;
        }
        if add {
            self.count += 1;
        } else {
            self.count = self.count.saturating_sub(1);
        }
    }

    pub fn women_share_met(&self, params: &Params) -> bool {
        params.women_share.is_met(self.women_amount, self.amount)
    }

    pub fn deprived_share_met(&self, params: &Params) -> bool {
        params
            .deprived_share
            .is_met(self.deprived_amount, self.amount)
    }

    /// Whether both quotas would hold after funding `delta` more (negative: less) in
    /// total, of which `women` and `deprived` count towards each quota.
    pub(crate) fn shares_met_after(
        &self,
        params: &Params,
        delta: i128,
        women: i128,
        deprived: i128,
    ) -> bool {
        let total = self.amount + delta;
        params.women_share.is_met(self.women_amount + women, total)
            && params
                .deprived_share
                .is_met(self.deprived_amount + deprived, total)
    }

    /// Every constraint of the round, checked exactly.
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
        if !self.women_share_met(params) {
            return Err(Violation::WomenShare);
        }
        if !self.deprived_share_met(params) {
            return Err(Violation::DeprivedShare);
        }
        Ok(())
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
        let app = |province, amount, women_led, tier| Application {
            province,
            amount,
            jobs: 1,
            women_jobs: 0,
            women_led,
            tier,
        };
        Problem::new(
            vec![
                app(1, 70, false, 1),
                app(1, 30, true, 4),
                app(2, 50, false, 3),
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
}
