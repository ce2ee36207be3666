//! The funnel's median days per step (issue 17), read from the kept histogram of step
//! durations (`store::dashboard_steps`): applications per step and exact number of days,
//! so the median is found by walking the counts, never the applications.

use taavon_store::{FunnelStep, StepDays};

/// One step of the funnel in a period and in the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepMedian {
    pub step: FunnelStep,
    /// Applications that reached the step in the period, and the median calendar days
    /// they took from the step before (`None` when none reached it).
    pub applications: i64,
    pub median_days: Option<i64>,
    pub previous_applications: i64,
    pub previous_median_days: Option<i64>,
}

/// Every step's median in the period (`counts`) and the one before (`previous`), in the
/// funnel's order.
pub fn step_medians(counts: &[StepDays], previous: &[StepDays]) -> Vec<StepMedian> {
    FunnelStep::ALL
        .into_iter()
        .map(|step| {
            let (applications, median_days) = median_of(counts, step);
            let (previous_applications, previous_median_days) = median_of(previous, step);
            StepMedian {
                step,
                applications,
                median_days,
                previous_applications,
                previous_median_days,
            }
        })
        .collect()
}

/// How many applications reached `step` among `counts` and their median days: the days
/// of the middle application in order of days — of an even count the lower of the two
/// middle ones, so the median is a whole number of days some application took.
fn median_of(counts: &[StepDays], step: FunnelStep) -> (i64, Option<i64>) {
    let mut durations: Vec<(i64, i64)> = counts
        .iter()
        .filter(|count| count.step == step && count.applications > 0)
        .map(|count| (count.days, count.applications))
        .collect();
    durations.sort_unstable();
    let total: i64 = durations.iter().map(|(_, applications)| applications).sum();
    // The middle application's place, counted from 1.
    let middle = (total + 1) / 2;
    let mut seen = 0;
    for (days, applications) in durations {
        seen += applications;
        if seen >= middle {
            return (total, Some(days));
        }
    }
    (total, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(step: FunnelStep, pairs: &[(i64, i64)]) -> Vec<StepDays> {
        pairs
            .iter()
            .map(|&(days, applications)| StepDays {
                step,
                days,
                applications,
            })
            .collect()
    }

    #[test]
    fn the_median_is_the_middle_applications_days_by_their_counts() {
        // Establishes an odd count (1, 3, 3, 9, 20 days → 3), an even one taking the lower
        // middle (2, 5, 7, 30 → 5), unsorted and repeated durations, and none at all.
        let odd = counts(FunnelStep::Approved, &[(20, 1), (3, 2), (1, 1), (9, 1)]);
        assert_eq!(median_of(&odd, FunnelStep::Approved), (5, Some(3)));
        let even = counts(FunnelStep::Approved, &[(30, 1), (7, 1), (2, 1), (5, 1)]);
        assert_eq!(median_of(&even, FunnelStep::Approved), (4, Some(5)));
        let many = counts(FunnelStep::Disbursed, &[(0, 1_000), (40, 1_001)]);
        assert_eq!(median_of(&many, FunnelStep::Disbursed), (2_001, Some(40)));
        assert_eq!(median_of(&odd, FunnelStep::Referred), (0, None));
    }

    #[test]
    fn every_step_is_listed_in_order_with_the_period_before() {
        // Establishes the five steps in the funnel's order, each with both periods'
        // figures, a step reached in neither still listed.
        let now = counts(FunnelStep::Eligible, &[(2, 3)]);
        let before = counts(FunnelStep::Eligible, &[(4, 1)]);
        let medians = step_medians(&now, &before);
        assert_eq!(
            medians.iter().map(|m| m.step).collect::<Vec<_>>(),
            FunnelStep::ALL
        );
        assert_eq!(
            medians.first(),
            Some(&StepMedian {
                step: FunnelStep::Eligible,
                applications: 3,
                median_days: Some(2),
                previous_applications: 1,
                previous_median_days: Some(4),
            })
        );
        assert_eq!(medians.get(1).map(|m| m.median_days), Some(None));
    }
}
