//! Whether an allocation meets every constraint of its round, exactly: the budgets, the
//! quotas and the sector caps asked of its `Totals`. Apart from `totals` because the
//! constraints read totals, and this check reads the constraints.

use super::constraints;
use super::params::Params;
use super::problem::Problem;
use super::totals::{Totals, Violation};

impl Totals {
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
