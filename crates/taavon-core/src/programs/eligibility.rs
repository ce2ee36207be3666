//! Whether an application meets its program's rules. Every unmet rule is reported, each
//! with a stable code and a reason in Persian and English, so an ineligible application
//! tells its applicant everything to fix at once.

use super::{ApplicantKind, EligibilityRules, ProgramRules};
use crate::calendar::IsoDate;
use crate::reference::Tier;

/// What eligibility is judged on: the applicant and the request, as of one day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationFacts {
    pub applicant_kind: ApplicantKind,
    pub sector: String,
    pub tier: Tier,
    pub amount_rial: i64,
    pub jobs: i64,
    pub women_jobs: i64,
    /// The day the application is submitted.
    pub submitted_on: IsoDate,
}

/// The program's calendar: applications are taken from `opens_on` to `closes_on`
/// inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgramWindow {
    pub opens_on: IsoDate,
    pub closes_on: IsoDate,
}

/// One unmet rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ineligibility {
    /// A stable code: `closed`, `applicant_kind`, `sector`, `tier`, `amount_min`,
    /// `amount_max`, `amount_per_job`, `jobs_min`, `women_jobs`.
    pub code: &'static str,
    pub reason_en: String,
    pub reason_fa: String,
}

impl Ineligibility {
    fn new(code: &'static str, en: String, fa: String) -> Self {
        Self {
            code,
            reason_en: en,
            reason_fa: fa,
        }
    }
}

/// Every rule of `rules` (and the window) that `facts` do not meet; empty if eligible.
pub fn check(
    rules: &ProgramRules,
    window: ProgramWindow,
    facts: &ApplicationFacts,
) -> Vec<Ineligibility> {
    let mut unmet = Vec::new();
    let e = &rules.eligibility;
    if facts.submitted_on < window.opens_on || facts.submitted_on > window.closes_on {
        unmet.push(Ineligibility::new(
            "closed",
            format!(
                "the program takes applications from {} to {}",
                window.opens_on, window.closes_on
            ),
            "برنامه در این تاریخ درخواست نمی‌پذیرد.".into(),
        ));
    }
    if !e
        .applicant_kinds
        .iter()
        .any(|k| k == facts.applicant_kind.code())
    {
        unmet.push(Ineligibility::new(
            "applicant_kind",
            format!(
                "the program is for {}, not {}",
                e.applicant_kinds.join(", "),
                facts.applicant_kind
            ),
            "این برنامه برای این نوع متقاضی نیست.".into(),
        ));
    }
    if !e.sectors.is_empty() && !e.sectors.contains(&facts.sector) {
        unmet.push(Ineligibility::new(
            "sector",
            format!(
                "sector {} is not among {}",
                facts.sector,
                e.sectors.join(", ")
            ),
            "بخش فعالیت در این برنامه پذیرفته نیست.".into(),
        ));
    }
    if !e.tiers.is_empty() && !e.tiers.contains(&facts.tier.get()) {
        unmet.push(Ineligibility::new(
            "tier",
            format!("the county's tier {} is not served", facts.tier.get()),
            "سطح برخورداری شهرستان در این برنامه پذیرفته نیست.".into(),
        ));
    }
    unmet.extend(request_limits(e, facts.amount_rial, facts.jobs));
    if facts.women_jobs < 0 || facts.women_jobs > facts.jobs {
        unmet.push(Ineligibility::new(
            "women_jobs",
            "women's jobs must be between 0 and the jobs created".into(),
            "شغل زنان باید بین صفر و کل شغل‌ها باشد.".into(),
        ));
    }
    unmet
}

/// The program's limits on what is asked — the amount's range, the amount per job and
/// the fewest jobs — that `amount_rial` and `jobs` break; what a form checks before an
/// application is even drafted, and part of `check`.
pub fn request_limits(e: &EligibilityRules, amount_rial: i64, jobs: i64) -> Vec<Ineligibility> {
    let mut unmet = Vec::new();
    if amount_rial < e.min_amount_rial {
        unmet.push(Ineligibility::new(
            "amount_min",
            format!(
                "the amount is below the minimum of {} rials",
                e.min_amount_rial
            ),
            "مبلغ از حداقل برنامه کمتر است.".into(),
        ));
    }
    if amount_rial > e.max_amount_rial {
        unmet.push(Ineligibility::new(
            "amount_max",
            format!(
                "the amount is above the maximum of {} rials",
                e.max_amount_rial
            ),
            "مبلغ از سقف برنامه بیشتر است.".into(),
        ));
    }
    if let Some(per_job) = e.max_amount_per_job_rial {
        // amount ≤ per_job × jobs, in i128 so no product overflows.
        if i128::from(amount_rial) > i128::from(per_job) * i128::from(jobs.max(0)) {
            unmet.push(Ineligibility::new(
                "amount_per_job",
                format!("more than {per_job} rials per job created"),
                "مبلغ به ازای هر شغل از سقف برنامه بیشتر است.".into(),
            ));
        }
    }
    if jobs < e.min_jobs {
        unmet.push(Ineligibility::new(
            "jobs_min",
            format!("at least {} jobs are required", e.min_jobs),
            "تعداد شغل از حداقل برنامه کمتر است.".into(),
        ));
    }
    unmet
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programs::tests::rules;

    fn window() -> ProgramWindow {
        ProgramWindow {
            opens_on: IsoDate::parse("2025-03-21").unwrap(),
            closes_on: IsoDate::parse("2026-03-20").unwrap(),
        }
    }

    fn facts() -> ApplicationFacts {
        ApplicationFacts {
            applicant_kind: ApplicantKind::Cooperative,
            sector: "textiles".into(),
            tier: Tier::new(1).unwrap(),
            amount_rial: 15_000_000_000,
            jobs: 40,
            women_jobs: 35,
            submitted_on: IsoDate::parse("2025-09-01").unwrap(),
        }
    }

    #[test]
    fn the_ilam_clothing_cooperative_is_eligible() {
        assert_eq!(check(&rules(), window(), &facts()), vec![]);
    }

    #[test]
    fn every_unmet_rule_is_reported() {
        let mut f = facts();
        f.applicant_kind = ApplicantKind::Welfare;
        f.amount_rial = 30_000_000_000;
        f.jobs = 0;
        f.women_jobs = 2;
        f.submitted_on = IsoDate::parse("2026-04-01").unwrap();
        let codes: Vec<&str> = check(&rules(), window(), &f)
            .iter()
            .map(|i| i.code)
            .collect();
        assert_eq!(
            codes,
            [
                "closed",
                "applicant_kind",
                "amount_max",
                "amount_per_job",
                "jobs_min",
                "women_jobs"
            ]
        );
    }

    #[test]
    fn sector_and_tier_lists_restrict_only_when_given() {
        let mut r = rules();
        r.eligibility.sectors = vec!["tourism".into()];
        r.eligibility.tiers = vec![3, 4];
        let codes: Vec<&str> = check(&r, window(), &facts())
            .iter()
            .map(|i| i.code)
            .collect();
        assert_eq!(codes, ["sector", "tier"]);
    }
}
