//! Programs: funding lines with their budgets, eligibility rules, pricing and quotas
//! (PRODUCT.md §4), and the explainable priority score of an application.
//!
//! A program's rules are one document (`ProgramRules`) so a ministry admin can change
//! them as a whole and a decision can snapshot exactly the rules it applied.

pub mod budget;
pub mod eligibility;
pub mod scoring;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::coded::coded_enum;
pub use crate::loans::pricing::PricingRules;
use crate::loans::product::ContractType;
use crate::loans::schedule::{RateBp, ScheduleTerms};

/// Where a program's money comes from (PRODUCT.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FundingSource {
    /// Budget law Note 18 (تبصره ۱۸): employment-generating projects.
    Note18,
    /// Article 56 of the law on the cooperative sector.
    Article56,
    /// Approvals of the president's provincial trips (مصوبات سفر).
    Trips,
    /// The development bank's own resources.
    BankOwn,
    /// Resources the agencies pool at the affiliated banks.
    PooledAgency,
    /// The women's employment line.
    WomenEmployment,
}

coded_enum!(FundingSource {
    Note18 = "note18",
    Article56 = "article56",
    Trips = "trips",
    BankOwn = "bank_own",
    PooledAgency = "pooled_agency",
    WomenEmployment = "women_employment",
});

impl FundingSource {
    pub fn name_fa(self) -> &'static str {
        match self {
            FundingSource::Note18 => "تبصره ۱۸",
            FundingSource::Article56 => "ماده ۵۶",
            FundingSource::Trips => "مصوبات سفرهای ریاست‌جمهوری",
            FundingSource::BankOwn => "منابع داخلی بانک",
            FundingSource::PooledAgency => "منابع تجمیعی سازمان‌ها",
            FundingSource::WomenEmployment => "اشتغال زنان",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            FundingSource::Note18 => "Note 18",
            FundingSource::Article56 => "Article 56",
            FundingSource::Trips => "Presidential trip approvals",
            FundingSource::BankOwn => "Bank's own resources",
            FundingSource::PooledAgency => "Pooled agency resources",
            FundingSource::WomenEmployment => "Women's employment",
        }
    }
}

/// Who applies for a facility.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApplicantKind {
    Cooperative,
    /// A handicraft artisan with a credential (an individual client).
    Artisan,
    /// A welfare client referred by Behzisti (an individual client).
    Welfare,
}

coded_enum!(ApplicantKind {
    Cooperative = "cooperative",
    Artisan = "artisan",
    Welfare = "welfare",
});

/// What the money finances: fixed investment scores above working capital.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Financing {
    Development,
    WorkingCapital,
}

coded_enum!(Financing {
    Development = "development",
    WorkingCapital = "working_capital",
});

/// Who may apply, for what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRules {
    /// Applicant kinds (`cooperative`, `artisan`, `welfare`); at least one.
    pub applicant_kinds: Vec<String>,
    /// Sector codes; empty means every sector.
    #[serde(default)]
    pub sectors: Vec<String>,
    /// County tiers 1..=4; empty means every tier.
    #[serde(default)]
    pub tiers: Vec<u8>,
    pub min_amount_rial: i64,
    pub max_amount_rial: i64,
    /// The most a program lends per job created; none means no limit.
    #[serde(default)]
    pub max_amount_per_job_rial: Option<i64>,
    #[serde(default)]
    pub min_jobs: i64,
}

/// Shares of the funded amount reserved by policy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaRules {
    /// Women-led applicants' minimum share of the funded amount, in basis points.
    #[serde(default)]
    pub women_led_share_bp: u32,
    /// Tier 1–2 counties' minimum share of the funded amount, in basis points.
    #[serde(default)]
    pub deprived_share_bp: u32,
    /// A sector's maximum share of the funded amount, in basis points.
    #[serde(default)]
    pub sector_caps_bp: BTreeMap<String, u32>,
}

/// A program's whole rule document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramRules {
    pub eligibility: EligibilityRules,
    pub pricing: PricingRules,
    #[serde(default)]
    pub quotas: QuotaRules,
    #[serde(default)]
    pub scoring: scoring::ScoringWeights,
    /// The sectors each province gives priority to (province code → sector codes).
    #[serde(default)]
    pub sector_priorities: BTreeMap<String, Vec<String>>,
}

/// One rule of a program that its definition breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleViolation {
    /// The field's path in the rule document, e.g. `eligibility.max_amount_rial`.
    pub field: String,
    /// A stable machine code, e.g. `range`, `order`, `unknown`.
    pub rule: &'static str,
    pub message_en: String,
    pub message_fa: String,
}

impl RuleViolation {
    fn new(field: &str, rule: &'static str, en: impl Into<String>, fa: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule,
            message_en: en.into(),
            message_fa: fa.into(),
        }
    }
}

/// The most a basis-point share may be (100 %).
const FULL_BP: u32 = 10_000;

impl ProgramRules {
    /// Every violation of the document's own rules (codes of sectors and provinces are
    /// checked by the caller, who knows the reference data).
    pub fn violations(&self) -> Vec<RuleViolation> {
        let mut found = Vec::new();
        let e = &self.eligibility;
        if e.applicant_kinds.is_empty() {
            found.push(RuleViolation::new(
                "eligibility.applicant_kinds",
                "required",
                "name at least one applicant kind",
                "دست‌کم یک نوع متقاضی را نام ببرید.",
            ));
        }
        for kind in &e.applicant_kinds {
            if ApplicantKind::parse(kind).is_none() {
                found.push(RuleViolation::new(
                    "eligibility.applicant_kinds",
                    "unknown",
                    format!("unknown applicant kind {kind:?} (cooperative, artisan, welfare)"),
                    format!("نوع متقاضی «{kind}» شناخته نیست."),
                ));
            }
        }
        if e.tiers.iter().any(|t| !(1..=4).contains(t)) {
            found.push(RuleViolation::new(
                "eligibility.tiers",
                "range",
                "tiers are 1 to 4",
                "سطح برخورداری از ۱ تا ۴ است.",
            ));
        }
        if e.min_amount_rial <= 0 {
            found.push(RuleViolation::new(
                "eligibility.min_amount_rial",
                "positive",
                "the minimum amount must be positive",
                "حداقل مبلغ باید مثبت باشد.",
            ));
        }
        if e.max_amount_rial < e.min_amount_rial {
            found.push(RuleViolation::new(
                "eligibility.max_amount_rial",
                "order",
                "the maximum amount is below the minimum",
                "حداکثر مبلغ از حداقل کمتر است.",
            ));
        }
        if e.max_amount_per_job_rial.is_some_and(|m| m <= 0) {
            found.push(RuleViolation::new(
                "eligibility.max_amount_per_job_rial",
                "positive",
                "the amount per job must be positive",
                "سقف مبلغ به ازای هر شغل باید مثبت باشد.",
            ));
        }
        if e.min_jobs < 0 {
            found.push(RuleViolation::new(
                "eligibility.min_jobs",
                "range",
                "the minimum of jobs cannot be negative",
                "حداقل شغل نمی‌تواند منفی باشد.",
            ));
        }
        let p = &self.pricing;
        if p.profit_rate_bp_by_tier
            .iter()
            .any(|&bp| RateBp::new(bp).is_err())
        {
            found.push(RuleViolation::new(
                "pricing.profit_rate_bp_by_tier",
                "range",
                "a profit rate is at most 100 % (10 000 basis points)",
                "نرخ سود حداکثر ۱۰۰ درصد است.",
            ));
        }
        if !(1..=u32::from(ScheduleTerms::MONTHS_MAX)).contains(&p.term_months) {
            found.push(RuleViolation::new(
                "pricing.term_months",
                "range",
                "the term is 1 to 360 months",
                "مدت بازپرداخت ۱ تا ۳۶۰ ماه است.",
            ));
        }
        if p.grace_months > u32::from(ScheduleTerms::GRACE_MONTHS_MAX) {
            found.push(RuleViolation::new(
                "pricing.grace_months",
                "range",
                "the grace period is at most 60 months",
                "دوره تنفس حداکثر ۶۰ ماه است.",
            ));
        }
        let longest = u32::from(ScheduleTerms::MONTHS_MAX + ScheduleTerms::GRACE_MONTHS_MAX);
        if p.reschedule_months_max
            .is_some_and(|months| !(1..=longest).contains(&months))
        {
            found.push(RuleViolation::new(
                "pricing.reschedule_months_max",
                "range",
                "a rescheduled term is 1 to 420 months, grace included",
                "مدت استمهال (با تنفس) ۱ تا ۴۲۰ ماه است.",
            ));
        }
        if p.reschedule_rate_bp_min
            .is_some_and(|bp| RateBp::new(bp).is_err())
        {
            found.push(RuleViolation::new(
                "pricing.reschedule_rate_bp_min",
                "range",
                "a rate is at most 100 % (10 000 basis points)",
                "نرخ حداکثر ۱۰۰ درصد است.",
            ));
        }
        if ContractType::parse(&p.contract_type).is_none() {
            let codes: Vec<&str> = ContractType::ALL.iter().map(|c| c.code()).collect();
            found.push(RuleViolation::new(
                "pricing.contract_type",
                "unknown",
                format!("unknown contract type; one of {}", codes.join(", ")),
                "نوع عقد شناخته نیست.",
            ));
        }
        let q = &self.quotas;
        for (field, bp) in [
            ("quotas.women_led_share_bp", q.women_led_share_bp),
            ("quotas.deprived_share_bp", q.deprived_share_bp),
        ] {
            if bp > FULL_BP {
                found.push(RuleViolation::new(
                    field,
                    "range",
                    "a share is at most 10 000 basis points (100 %)",
                    "سهم حداکثر ۱۰۰ درصد است.",
                ));
            }
        }
        if q.sector_caps_bp.values().any(|bp| *bp > FULL_BP) {
            found.push(RuleViolation::new(
                "quotas.sector_caps_bp",
                "range",
                "a sector cap is at most 10 000 basis points (100 %)",
                "سقف سهم بخش حداکثر ۱۰۰ درصد است.",
            ));
        }
        found.extend(self.scoring.violations());
        found
    }

    /// The yearly profit rate, in basis points, for a county of this tier.
    pub fn profit_rate_bp(&self, tier: crate::reference::Tier) -> u32 {
        let [tier_1, tier_2, tier_3, tier_4] = self.pricing.profit_rate_bp_by_tier;
        // A tier is 1 to 4 (its invariant), so the last arm is tier 4.
        match tier.get() {
            1 => tier_1,
            2 => tier_2,
            3 => tier_3,
            _ => tier_4,
        }
    }

    /// Whether `province` gives priority to `sector`.
    pub fn sector_has_priority(&self, province: &str, sector: &str) -> bool {
        self.sector_priorities
            .get(province)
            .is_some_and(|sectors| sectors.iter().any(|s| s == sector))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn rules() -> ProgramRules {
        ProgramRules {
            eligibility: EligibilityRules {
                applicant_kinds: vec!["cooperative".into(), "artisan".into()],
                sectors: vec![],
                tiers: vec![],
                min_amount_rial: 100_000_000,
                max_amount_rial: 20_000_000_000,
                max_amount_per_job_rial: Some(3_000_000_000),
                min_jobs: 1,
            },
            pricing: PricingRules {
                profit_rate_bp_by_tier: [400, 800, 1200, 1800],
                term_months: 60,
                grace_months: 6,
                contract_type: "civil_partnership".into(),
                reschedule_months_max: None,
                reschedule_rate_bp_min: None,
            },
            quotas: QuotaRules {
                women_led_share_bp: 3000,
                deprived_share_bp: 4500,
                sector_caps_bp: BTreeMap::new(),
            },
            scoring: scoring::ScoringWeights::default(),
            sector_priorities: BTreeMap::from([("IR-16".into(), vec!["textiles".into()])]),
        }
    }

    #[test]
    fn a_sound_program_has_no_violations() {
        assert_eq!(rules().violations(), vec![]);
    }

    #[test]
    fn each_broken_rule_is_named_by_its_field() {
        let mut broken = rules();
        broken.eligibility.applicant_kinds = vec!["company".into()];
        broken.eligibility.max_amount_rial = 1;
        broken.pricing.contract_type = "loan".into();
        broken.pricing.reschedule_months_max = Some(0);
        broken.pricing.reschedule_rate_bp_min = Some(10_001);
        broken.quotas.deprived_share_bp = 12_000;
        let fields: Vec<String> = broken.violations().into_iter().map(|v| v.field).collect();
        assert_eq!(
            fields,
            [
                "eligibility.applicant_kinds",
                "eligibility.max_amount_rial",
                "pricing.reschedule_months_max",
                "pricing.reschedule_rate_bp_min",
                "pricing.contract_type",
                "quotas.deprived_share_bp"
            ]
        );
    }

    #[test]
    fn deprived_tiers_get_their_own_rate() {
        let rules = rules();
        let tier = |t| crate::reference::Tier::new(t).unwrap();
        assert_eq!(rules.profit_rate_bp(tier(1)), 400);
        assert_eq!(rules.profit_rate_bp(tier(4)), 1800);
    }

    #[test]
    fn funding_sources_round_trip_their_codes() {
        for source in FundingSource::ALL {
            assert_eq!(FundingSource::parse(source.code()), Some(*source));
        }
        assert_eq!(FundingSource::parse("note 18"), None);
    }
}
