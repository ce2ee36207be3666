//! The priority score of an application: a sum of weighted factors, each shown with its
//! contribution so an officer (and the applicant) can see why one application ranks
//! above another. Integer arithmetic in hundredths of a point, so a score is the same on
//! every machine and a decision's snapshot reproduces exactly.

use serde::{Deserialize, Serialize};

use super::{Financing, RuleViolation};
use crate::reference::Tier;

/// How many points each factor can give (they need not sum to 100).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoringWeights {
    /// Jobs created per rial lent.
    pub jobs_per_rial: u32,
    /// The county's deprivation tier (tier 1 full marks, tier 4 none).
    pub tier: u32,
    /// Women's share of the jobs created.
    pub women_jobs: u32,
    /// The sector is one the province gives priority to.
    pub sector_priority: u32,
    /// Fixed investment (development) rather than working capital.
    pub development: u32,
    /// The cost per job at or below which `jobs_per_rial` gives full marks; dearer jobs
    /// get proportionally less.
    pub full_marks_rial_per_job: i64,
}

impl Default for ScoringWeights {
    fn default() -> Self {
        Self {
            jobs_per_rial: 35,
            tier: 25,
            women_jobs: 20,
            sector_priority: 10,
            development: 10,
            full_marks_rial_per_job: 500_000_000,
        }
    }
}

impl ScoringWeights {
    pub(super) fn violations(&self) -> Vec<RuleViolation> {
        let mut found = Vec::new();
        let total = [
            self.jobs_per_rial,
            self.tier,
            self.women_jobs,
            self.sector_priority,
            self.development,
        ]
        .iter()
        .map(|w| u64::from(*w))
        .sum::<u64>();
        if total == 0 || total > 1000 {
            found.push(RuleViolation::new(
                "scoring",
                "range",
                "the weights must sum to between 1 and 1000 points",
                "جمع وزن‌های امتیاز باید بین ۱ و ۱۰۰۰ باشد.",
            ));
        }
        if self.full_marks_rial_per_job <= 0 {
            found.push(RuleViolation::new(
                "scoring.full_marks_rial_per_job",
                "positive",
                "the full-marks cost per job must be positive",
                "هزینه هر شغل برای امتیاز کامل باید مثبت باشد.",
            ));
        }
        found
    }
}

/// What the score is computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreInputs {
    pub amount_rial: i64,
    pub jobs: i64,
    pub women_jobs: i64,
    pub tier: Tier,
    pub sector_has_priority: bool,
    pub financing: Financing,
}

/// One factor's part of the score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreFactor {
    /// `jobs_per_rial`, `tier`, `women_jobs`, `sector_priority` or `development`.
    pub code: String,
    /// The most the factor can give, in points.
    pub weight: u32,
    /// What it gave, in hundredths of a point.
    pub points_x100: i64,
}

/// A score with its factors; `total_x100` is their sum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub total_x100: i64,
    pub factors: Vec<ScoreFactor>,
}

/// Scores an application.
pub fn score(weights: &ScoringWeights, inputs: &ScoreInputs) -> Score {
    let amount = i128::from(inputs.amount_rial.max(1));
    let jobs = i128::from(inputs.jobs.max(0));
    // Full marks when amount / jobs ≤ the full-marks cost, i.e. jobs·cost ≥ amount.
    let jobs_fraction = (
        (jobs * i128::from(weights.full_marks_rial_per_job.max(0))).min(amount),
        amount,
    );
    let tier_fraction = (i128::from(4 - inputs.tier.get().min(4)), 3);
    let women_fraction = if jobs == 0 {
        (0, 1)
    } else {
        (i128::from(inputs.women_jobs.clamp(0, inputs.jobs)), jobs)
    };
    let factors = vec![
        factor("jobs_per_rial", weights.jobs_per_rial, jobs_fraction),
        factor("tier", weights.tier, tier_fraction),
        factor("women_jobs", weights.women_jobs, women_fraction),
        factor(
            "sector_priority",
            weights.sector_priority,
            (i128::from(inputs.sector_has_priority), 1),
        ),
        factor(
            "development",
            weights.development,
            (i128::from(inputs.financing == Financing::Development), 1),
        ),
    ];
    Score {
        total_x100: factors.iter().map(|f| f.points_x100).sum(),
        factors,
    }
}

/// `weight × numerator / denominator` points, in hundredths, rounded down.
fn factor(code: &str, weight: u32, (numerator, denominator): (i128, i128)) -> ScoreFactor {
    let points = (i128::from(weight) * 100 * numerator)
        .checked_div(denominator)
        .unwrap_or(0);
    ScoreFactor {
        code: code.into(),
        weight,
        points_x100: i64::try_from(points).unwrap_or(0),
    }
}

/// The factor's name for people.
pub fn factor_name(code: &str, persian: bool) -> &'static str {
    match (code, persian) {
        ("jobs_per_rial", true) => "اشتغال به ازای تسهیلات",
        ("jobs_per_rial", false) => "Jobs per rial",
        ("tier", true) => "سطح برخورداری شهرستان",
        ("tier", false) => "County deprivation tier",
        ("women_jobs", true) => "سهم اشتغال زنان",
        ("women_jobs", false) => "Women's share of jobs",
        ("sector_priority", true) => "اولویت بخش در استان",
        ("sector_priority", false) => "Sector priority of the province",
        ("development", true) => "طرح توسعه‌ای (نه سرمایه در گردش)",
        ("development", false) => "Development, not working capital",
        (_, true) => "عامل",
        (_, false) => "Factor",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> ScoreInputs {
        ScoreInputs {
            amount_rial: 15_000_000_000,
            jobs: 40,
            women_jobs: 35,
            tier: Tier::new(1).unwrap(),
            sector_has_priority: true,
            financing: Financing::Development,
        }
    }

    #[test]
    fn each_factor_shows_its_part_and_they_sum_to_the_total() {
        let s = score(&ScoringWeights::default(), &inputs());
        let parts: Vec<(&str, i64)> = s
            .factors
            .iter()
            .map(|f| (f.code.as_str(), f.points_x100))
            .collect();
        // 40 jobs × 0.5 bn = 20 bn ≥ 15 bn: full marks; 35/40 of 20 points = 17.5.
        assert_eq!(
            parts,
            [
                ("jobs_per_rial", 3500),
                ("tier", 2500),
                ("women_jobs", 1750),
                ("sector_priority", 1000),
                ("development", 1000)
            ]
        );
        assert_eq!(s.total_x100, 9750);
    }

    #[test]
    fn dearer_jobs_richer_counties_and_working_capital_score_less() {
        let mut i = inputs();
        i.jobs = 10; // 1.5 bn per job: a third of full marks.
        i.women_jobs = 0;
        i.tier = Tier::new(3).unwrap();
        i.sector_has_priority = false;
        i.financing = Financing::WorkingCapital;
        let s = score(&ScoringWeights::default(), &i);
        assert_eq!(s.total_x100, 1166 + 833);
    }

    #[test]
    fn no_jobs_scores_no_job_points_and_never_divides_by_zero() {
        let mut i = inputs();
        i.jobs = 0;
        i.women_jobs = 0;
        i.amount_rial = 0;
        let s = score(&ScoringWeights::default(), &i);
        assert_eq!(s.factors[0].points_x100, 0);
        assert_eq!(s.factors[2].points_x100, 0);
    }
}
