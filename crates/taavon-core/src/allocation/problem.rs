//! The inputs of an allocation round: applications and province budgets, checked once so
//! the solver can rely on them.

/// One application as the engine sees it: what it costs and what it brings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Application {
    /// The province's code; it must have a budget.
    pub province: u32,
    /// The whole amount asked, in rials; an application is funded in full or not at all.
    pub amount: i64,
    pub jobs: u32,
    pub women_jobs: u32,
    pub women_led: bool,
    /// The county's development tier, 1 (most deprived) to 4.
    pub tier: u8,
    /// The economic sector, as a code the caller chooses; `Params::sector_caps` names
    /// sectors by the same codes.
    pub sector: u32,
}

impl Application {
    /// Tiers 1 and 2 count towards the deprived-areas quota.
    pub fn is_deprived(&self) -> bool {
        self.tier <= 2
    }
}

/// A province's budget for the round, in rials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProvinceBudget {
    pub province: u32,
    pub budget: i64,
}

/// Why a round cannot be run; each names the offending record and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemError {
    #[error("application #{index}: `{field}` {problem}")]
    Application {
        /// Position in the input, from 0.
        index: usize,
        field: &'static str,
        problem: &'static str,
    },
    #[error("budget #{index} (province {province}): `{field}` {problem}")]
    Budget {
        index: usize,
        province: u32,
        field: &'static str,
        problem: &'static str,
    },
    #[error("parameter `{field}` {problem}")]
    Parameter {
        field: &'static str,
        problem: &'static str,
    },
}

/// Applications and budgets that passed every check.
///
/// Invariant: every amount is positive, every tier is 1..=4, women's jobs never exceed
/// jobs, every budget is non-negative and every application's province has exactly one
/// budget; `slot[i]` is the position of application i's province in `provinces`;
/// `sectors` holds each sector code of the applications once, in ascending order, and
/// `sector_slot[i]` is the position of application i's sector in it.
#[derive(Clone, Debug)]
pub struct Problem {
    applications: Vec<Application>,
    provinces: Vec<ProvinceBudget>,
    slot: Vec<u32>,
    sectors: Vec<u32>,
    sector_slot: Vec<u32>,
}

impl Problem {
    pub fn new(
        applications: Vec<Application>,
        budgets: &[ProvinceBudget],
    ) -> Result<Problem, ProblemError> {
        let mut provinces = budgets.to_vec();
        for (index, b) in budgets.iter().enumerate() {
            if b.budget < 0 {
                return Err(ProblemError::Budget {
                    index,
                    province: b.province,
                    field: "budget",
                    problem: "must not be negative",
                });
            }
        }
        provinces.sort_by_key(|b| b.province);
        if let Some(pair) = provinces
            .windows(2)
            .find(|w| matches!(w, [a, b] if a.province == b.province))
        {
            let province = pair.first().map_or(0, |b| b.province);
            let index = budgets
                .iter()
                .rposition(|b| b.province == province)
                .unwrap_or(0);
            return Err(ProblemError::Budget {
                index,
                province,
                field: "province",
                problem: "has a second budget",
            });
        }
        let mut slot = Vec::with_capacity(applications.len());
        for (index, a) in applications.iter().enumerate() {
            let bad = |field, problem| ProblemError::Application {
                index,
                field,
                problem,
            };
            if a.amount <= 0 {
                return Err(bad("amount", "must be positive"));
            }
            if !(1..=4).contains(&a.tier) {
                return Err(bad("tier", "must be 1, 2, 3 or 4"));
            }
            if a.women_jobs > a.jobs {
                return Err(bad("women_jobs", "must not exceed jobs"));
            }
            let position = provinces
                .binary_search_by_key(&a.province, |b| b.province)
                .map_err(|_| bad("province", "has no budget"))?;
            slot.push(u32::try_from(position).map_err(|_| bad("province", "too many provinces"))?);
        }
        let mut sectors: Vec<u32> = applications.iter().map(|a| a.sector).collect();
        sectors.sort_unstable();
        sectors.dedup();
        // A sector's position fits u32: there are no more sectors than applications,
        // whose positions `slot` already holds as u32.
        let sector_slot = applications
            .iter()
            .map(|a| {
                sectors
                    .binary_search(&a.sector)
                    .map_or(0, |p| u32::try_from(p).unwrap_or(u32::MAX))
            })
            .collect();
        Ok(Problem {
            applications,
            provinces,
            slot,
            sectors,
            sector_slot,
        })
    }

    /// The same applications under other budgets (for what-if runs).
    pub fn with_budgets(&self, budgets: &[ProvinceBudget]) -> Result<Problem, ProblemError> {
        Problem::new(self.applications.clone(), budgets)
    }

    pub fn applications(&self) -> &[Application] {
        &self.applications
    }

    /// Budgets ordered by province code.
    pub fn provinces(&self) -> &[ProvinceBudget] {
        &self.provinces
    }

    /// Position in `provinces()` of each application's province.
    pub(crate) fn slots(&self) -> &[u32] {
        &self.slot
    }

    /// The sector codes of the applications, each once, ascending.
    pub fn sectors(&self) -> &[u32] {
        &self.sectors
    }

    /// Position in `sectors()` of each application's sector.
    pub(crate) fn sector_slots(&self) -> &[u32] {
        &self.sector_slot
    }

    /// Position in `sectors()` of `sector`, if any application belongs to it.
    pub fn sector_slot(&self, sector: u32) -> Option<usize> {
        self.sectors.binary_search(&sector).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> Application {
        Application {
            province: 7,
            amount: 1_000_000,
            jobs: 2,
            women_jobs: 1,
            women_led: false,
            tier: 2,
            sector: 0,
        }
    }

    fn budget(province: u32, budget: i64) -> ProvinceBudget {
        ProvinceBudget { province, budget }
    }

    fn field_of(result: Result<Problem, ProblemError>) -> (usize, &'static str) {
        match result {
            Err(ProblemError::Application { index, field, .. })
            | Err(ProblemError::Budget { index, field, .. }) => (index, field),
            other => panic!("expected a named error, got {other:?}"),
        }
    }

    #[test]
    fn each_broken_rule_names_its_record_and_field() {
        let budgets = [budget(7, 10)];
        let with = |change: fn(&mut Application)| {
            let mut broken = app();
            change(&mut broken);
            Problem::new(vec![app(), broken], &budgets)
        };
        assert_eq!(field_of(with(|a| a.amount = 0)), (1, "amount"));
        assert_eq!(field_of(with(|a| a.tier = 0)), (1, "tier"));
        assert_eq!(field_of(with(|a| a.tier = 5)), (1, "tier"));
        assert_eq!(field_of(with(|a| a.women_jobs = 3)), (1, "women_jobs"));
        assert_eq!(field_of(with(|a| a.province = 8)), (1, "province"));
        assert_eq!(
            field_of(Problem::new(vec![app()], &[budget(7, 1), budget(8, -1)])),
            (1, "budget")
        );
        assert_eq!(
            field_of(Problem::new(vec![app()], &[budget(7, 1), budget(7, 2)])),
            (1, "province")
        );
    }

    #[test]
    fn slots_point_at_the_province_budget_whatever_the_input_order() {
        let mut second = app();
        second.province = 3;
        let problem = Problem::new(vec![app(), second], &[budget(7, 10), budget(3, 20)]).unwrap();
        let codes: Vec<u32> = problem
            .slots()
            .iter()
            .map(|&s| problem.provinces()[s as usize].province)
            .collect();
        assert_eq!(codes, [7, 3]);
    }
}
