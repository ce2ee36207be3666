//! The automatic pre-score from an entry's indicators: each component a value from 0 to
//! 100 shown with its weight, the total their weighted mean. It orders the entries and
//! breaks judges' ties (`awards::Entry::prescore`); it never replaces the judges.
//!
//! A component with nothing to measure (women's share before jobs are verified, repayment
//! with no installment due) is left out rather than counted as 0 or 100, so that it
//! neither punishes nor rewards; the other weights then carry the total. Values are
//! ratios, so they are floating point, as in the round's scoring.

use crate::coded::coded_enum;

/// The jobs an entry brings: verified ones once the impact follow-up has checked them,
/// otherwise the jobs its plan promised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jobs {
    Verified { jobs: u32, women: u32 },
    Planned { jobs: u32 },
}

/// The indicators an entry's pre-score is computed from (part of its snapshot). Growth is
/// over the year before the snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrescoreFacts {
    pub jobs: Jobs,
    pub members_year_ago: u32,
    pub members: u32,
    pub share_capital_year_ago_rial: i64,
    pub share_capital_rial: i64,
    pub installments_due: u32,
    pub installments_paid_on_time: u32,
    /// Services (training, advice, market access …) the cooperative received and gave.
    pub services_received: u32,
    pub services_given: u32,
}

/// What a component measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    Jobs,
    WomenShare,
    MembershipGrowth,
    ShareCapitalGrowth,
    Repayment,
    Services,
}

coded_enum!(Component {
    Jobs = "jobs",
    WomenShare = "women_share",
    MembershipGrowth = "membership_growth",
    ShareCapitalGrowth = "share_capital_growth",
    Repayment = "repayment",
    Services = "services",
});

/// The weights of the components and where each reaches its full 100 (configurable per
/// festival).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrescoreRules {
    pub weight_jobs: u32,
    pub weight_women_share: u32,
    pub weight_membership_growth: u32,
    pub weight_share_capital_growth: u32,
    pub weight_repayment: u32,
    pub weight_services: u32,
    /// This many jobs (verified or planned) score 100.
    pub jobs_full: u32,
    /// Growth of this many percent in a year scores 100; shrinking scores 0.
    pub growth_full_percent: u32,
    /// This many services received and given score 100.
    pub services_full: u32,
}

/// One component as shown beside the pre-score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ComponentScore {
    pub component: Component,
    pub weight: u32,
    /// 0–100; `None` when there is nothing to measure and the component is left out.
    pub value: Option<f64>,
    /// Whether the jobs are planned, not verified (shown, since they weigh less surely).
    pub planned: bool,
}

/// An entry's pre-score with its components.
#[derive(Clone, Debug, PartialEq)]
pub struct Prescore {
    /// 0–100: the weighted mean of the components that have a value; 0 when none has.
    pub total: f64,
    pub components: Vec<ComponentScore>,
}

impl Default for PrescoreRules {
    fn default() -> Self {
        Self {
            weight_jobs: 30,
            weight_women_share: 15,
            weight_membership_growth: 15,
            weight_share_capital_growth: 15,
            weight_repayment: 15,
            weight_services: 10,
            jobs_full: 50,
            growth_full_percent: 50,
            services_full: 20,
        }
    }
}

impl Component {
    pub fn name_fa(self) -> &'static str {
        match self {
            Component::Jobs => "اشتغال",
            Component::WomenShare => "سهم زنان از اشتغال",
            Component::MembershipGrowth => "رشد اعضا",
            Component::ShareCapitalGrowth => "رشد سرمایه",
            Component::Repayment => "خوش‌حسابی در بازپرداخت",
            Component::Services => "خدمات گرفته و داده",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Component::Jobs => "Jobs",
            Component::WomenShare => "Women's share of jobs",
            Component::MembershipGrowth => "Membership growth",
            Component::ShareCapitalGrowth => "Share-capital growth",
            Component::Repayment => "Repayment record",
            Component::Services => "Services received and given",
        }
    }
}

impl PrescoreRules {
    /// The pre-score of `facts`, every component listed in `Component::ALL`'s order.
    pub fn prescore(&self, facts: &PrescoreFacts) -> Prescore {
        let (jobs, women, planned) = match facts.jobs {
            Jobs::Verified { jobs, women } => (jobs, Some(women), false),
            Jobs::Planned { jobs } => (jobs, None, true),
        };
        let components: Vec<ComponentScore> = Component::ALL
            .iter()
            .map(|&component| {
                let (weight, value) = match component {
                    Component::Jobs => (
                        self.weight_jobs,
                        Some(capped(jobs.into(), self.jobs_full.into())),
                    ),
                    Component::WomenShare => (
                        self.weight_women_share,
                        women.and_then(|w| ratio(w.into(), jobs.into())),
                    ),
                    Component::MembershipGrowth => (
                        self.weight_membership_growth,
                        self.growth(facts.members_year_ago.into(), facts.members.into()),
                    ),
                    Component::ShareCapitalGrowth => (
                        self.weight_share_capital_growth,
                        self.growth(
                            facts.share_capital_year_ago_rial as f64,
                            facts.share_capital_rial as f64,
                        ),
                    ),
                    Component::Repayment => (
                        self.weight_repayment,
                        ratio(
                            facts.installments_paid_on_time.into(),
                            facts.installments_due.into(),
                        ),
                    ),
                    Component::Services => (
                        self.weight_services,
                        Some(capped(
                            f64::from(facts.services_received) + f64::from(facts.services_given),
                            self.services_full.into(),
                        )),
                    ),
                };
                ComponentScore {
                    component,
                    weight,
                    value,
                    planned: planned && component == Component::Jobs,
                }
            })
            .collect();
        let (weighted, weights) = components
            .iter()
            .filter_map(|c| {
                c.value
                    .map(|v| (v * f64::from(c.weight), f64::from(c.weight)))
            })
            .fold((0.0, 0.0), |(sum, total), (v, w)| (sum + v, total + w));
        Prescore {
            total: if weights > 0.0 {
                weighted / weights
            } else {
                0.0
            },
            components,
        }
    }

    /// Growth from `before` to `now` on the 0–100 scale; `None` when there was nothing
    /// before to grow from.
    fn growth(&self, before: f64, now: f64) -> Option<f64> {
        (before > 0.0).then(|| {
            let percent = (now - before) / before * 100.0;
            capped(percent.max(0.0), self.growth_full_percent.into())
        })
    }
}

/// `value` on a 0–100 scale that reaches 100 at `full` (100 at once when `full` is 0).
fn capped(value: f64, full: f64) -> f64 {
    if full > 0.0 {
        (value / full * 100.0).min(100.0)
    } else {
        100.0
    }
}

/// `part` of `whole` in percent; `None` when `whole` is 0.
fn ratio(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| (part / whole * 100.0).min(100.0))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn facts() -> PrescoreFacts {
        PrescoreFacts {
            jobs: Jobs::Verified {
                jobs: 25,
                women: 10,
            },
            members_year_ago: 20,
            members: 25,
            share_capital_year_ago_rial: 1_000_000_000,
            share_capital_rial: 1_500_000_000,
            installments_due: 12,
            installments_paid_on_time: 9,
            services_received: 4,
            services_given: 6,
        }
    }

    fn values(prescore: &Prescore) -> Vec<(Component, u32, Option<f64>)> {
        prescore
            .components
            .iter()
            .map(|c| (c.component, c.weight, c.value))
            .collect()
    }

    #[test]
    fn each_component_is_shown_with_its_weight_and_value() {
        // Establishes every component's scale and the weighted mean.
        let prescore = PrescoreRules::default().prescore(&facts());
        use Component::*;
        assert_eq!(
            values(&prescore),
            [
                (Jobs, 30, Some(50.0)),
                (WomenShare, 15, Some(40.0)),
                (MembershipGrowth, 15, Some(50.0)),
                (ShareCapitalGrowth, 15, Some(100.0)),
                (Repayment, 15, Some(75.0)),
                (Services, 10, Some(50.0)),
            ]
        );
        // (1500 + 600 + 750 + 1500 + 1125 + 500) / 100
        assert!((prescore.total - 59.75).abs() < 1e-9, "{}", prescore.total);
    }

    #[test]
    fn planned_jobs_stand_in_and_absent_components_are_left_out() {
        // Establishes planned jobs before verification (no women's share), and that a
        // component with nothing to measure carries no weight in the total.
        let mut planned = facts();
        planned.jobs = super::Jobs::Planned { jobs: 100 };
        planned.installments_due = 0;
        planned.members_year_ago = 0;
        let prescore = PrescoreRules::default().prescore(&planned);
        let jobs = prescore.components[0];
        assert_eq!((jobs.value, jobs.planned), (Some(100.0), true));
        let absent: Vec<Component> = prescore
            .components
            .iter()
            .filter(|c| c.value.is_none())
            .map(|c| c.component)
            .collect();
        use Component::*;
        assert_eq!(absent, [WomenShare, MembershipGrowth, Repayment]);
        // (3000 + 1500 + 500) / 55
        assert!((prescore.total - 5000.0 / 55.0).abs() < 1e-9);
        let none = PrescoreRules {
            weight_jobs: 0,
            weight_share_capital_growth: 0,
            weight_services: 0,
            ..PrescoreRules::default()
        };
        assert_eq!(none.prescore(&planned).total, 0.0);
    }

    #[test]
    fn shrinking_scores_zero_and_growth_is_capped() {
        // Establishes the growth scale's ends.
        let mut shrinking = facts();
        shrinking.members = 10;
        shrinking.share_capital_rial = 9_000_000_000;
        let prescore = PrescoreRules::default().prescore(&shrinking);
        assert_eq!(prescore.components[2].value, Some(0.0));
        assert_eq!(prescore.components[3].value, Some(100.0));
        assert_eq!(Component::Repayment.name_fa(), "خوش‌حسابی در بازپرداخت");
    }
}
