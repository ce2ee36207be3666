//! The Central Bank of Iran's classes of a facility by how long it is overdue, the
//! provision each class calls for, and portfolio at risk.
//!
//! Classes (CBI directive on classifying assets): current; past due (سررسید گذشته) when
//! overdue more than 2 and up to 6 months; deferred (معوق) more than 6 and up to 18
//! months; doubtful (مشکوک‌الوصول) more than 18 months. Months are counted as 30 days.
//! The provisioning rates are configurable defaults (0 %, 10 %, 20 %, 50 %), not a
//! statement of the current directive: banks and the regulator change them, so a
//! deployment sets its own.

use super::divide_rounded;
use crate::coded::coded_enum;

/// A facility's class by days overdue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LoanClass {
    Current,
    PastDue,
    Deferred,
    Doubtful,
}

coded_enum!(LoanClass {
    Current = "current",
    PastDue = "past_due",
    Deferred = "deferred",
    Doubtful = "doubtful",
});

/// Where the classes begin and what each provisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClassificationRules {
    /// Overdue more than this many days is past due (2 months).
    pub past_due_after_days: i64,
    /// Overdue more than this many days is deferred (6 months).
    pub deferred_after_days: i64,
    /// Overdue more than this many days is doubtful (18 months).
    pub doubtful_after_days: i64,
    /// The provision of the outstanding amount for current, past due, deferred and
    /// doubtful facilities, in basis points. Configurable defaults: 0, 1 000, 2 000,
    /// 5 000.
    pub provision_bp: [u32; 4],
}

/// Why classification rules were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassificationError {
    #[error("the class thresholds must be positive and increasing")]
    ThresholdOrder,
    #[error(
        "a provisioning rate is at most 10 000 basis points (100 %) and does not fall for a worse class"
    )]
    ProvisionRange,
}

/// Outstanding amounts and how much of them is at risk: more than 30 and more than 90
/// days overdue (PAR30, PAR90).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PortfolioAtRisk {
    pub outstanding: i128,
    pub overdue_30: i128,
    pub overdue_90: i128,
}

impl LoanClass {
    pub fn name_fa(self) -> &'static str {
        match self {
            LoanClass::Current => "جاری",
            LoanClass::PastDue => "سررسید گذشته",
            LoanClass::Deferred => "معوق",
            LoanClass::Doubtful => "مشکوک‌الوصول",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            LoanClass::Current => "Current",
            LoanClass::PastDue => "Past due",
            LoanClass::Deferred => "Deferred",
            LoanClass::Doubtful => "Doubtful",
        }
    }

    fn index(self) -> usize {
        match self {
            LoanClass::Current => 0,
            LoanClass::PastDue => 1,
            LoanClass::Deferred => 2,
            LoanClass::Doubtful => 3,
        }
    }
}

impl Default for ClassificationRules {
    fn default() -> Self {
        ClassificationRules {
            past_due_after_days: 60,
            deferred_after_days: 180,
            doubtful_after_days: 540,
            provision_bp: [0, 1_000, 2_000, 5_000],
        }
    }
}

impl ClassificationRules {
    pub fn validate(&self) -> Result<(), ClassificationError> {
        if !(0 < self.past_due_after_days
            && self.past_due_after_days < self.deferred_after_days
            && self.deferred_after_days < self.doubtful_after_days)
        {
            return Err(ClassificationError::ThresholdOrder);
        }
        let rates = self.provision_bp;
        if rates.iter().any(|&bp| bp > 10_000) || rates.windows(2).any(|w| w.first() > w.last()) {
            return Err(ClassificationError::ProvisionRange);
        }
        Ok(())
    }

    /// The class of a facility overdue this many days (0 or less: not overdue).
    pub fn classify(&self, days_overdue: i64) -> LoanClass {
        if days_overdue > self.doubtful_after_days {
            LoanClass::Doubtful
        } else if days_overdue > self.deferred_after_days {
            LoanClass::Deferred
        } else if days_overdue > self.past_due_after_days {
            LoanClass::PastDue
        } else {
            LoanClass::Current
        }
    }

    /// `round(outstanding · rate of the class)`, half away from zero.
    pub fn provision(&self, outstanding: i64, class: LoanClass) -> i64 {
        let bp = self.provision_bp.get(class.index()).copied().unwrap_or(0);
        divide_rounded(i128::from(outstanding) * i128::from(bp), 10_000)
    }
}

impl ClassificationError {
    pub fn field(&self) -> &'static str {
        match self {
            ClassificationError::ThresholdOrder => "thresholds",
            ClassificationError::ProvisionRange => "provision_bp",
        }
    }

    pub fn rule(&self) -> &'static str {
        match self {
            ClassificationError::ThresholdOrder => "order",
            ClassificationError::ProvisionRange => "range",
        }
    }

    pub fn message_en(&self) -> String {
        self.to_string()
    }

    pub fn message_fa(&self) -> String {
        match self {
            ClassificationError::ThresholdOrder => "مرزهای طبقه‌ها باید مثبت و صعودی باشند.",
            ClassificationError::ProvisionRange => {
                "نرخ ذخیره حداکثر ۱۰۰ درصد است و برای طبقه بدتر کمتر نمی‌شود."
            }
        }
        .into()
    }
}

impl PortfolioAtRisk {
    /// Sums (outstanding, days overdue) pairs.
    pub fn from_loans(loans: impl IntoIterator<Item = (i64, i64)>) -> PortfolioAtRisk {
        let mut portfolio = PortfolioAtRisk::default();
        for (outstanding, days_overdue) in loans {
            portfolio.add(outstanding, days_overdue);
        }
        portfolio
    }

    pub fn add(&mut self, outstanding: i64, days_overdue: i64) {
        let amount = i128::from(outstanding);
        self.outstanding += amount;
        if days_overdue > 30 {
            self.overdue_30 += amount;
        }
        if days_overdue > 90 {
            self.overdue_90 += amount;
        }
    }

    /// Outstanding more than 30 days overdue per outstanding, basis points (0 for an
    /// empty portfolio).
    pub fn par30_bp(&self) -> i64 {
        share_bp(self.overdue_30, self.outstanding)
    }

    /// Outstanding more than 90 days overdue per outstanding, basis points.
    pub fn par90_bp(&self) -> i64 {
        share_bp(self.overdue_90, self.outstanding)
    }
}

fn share_bp(part: i128, whole: i128) -> i64 {
    if whole <= 0 {
        return 0;
    }
    divide_rounded(part.saturating_mul(10_000), whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_begin_after_2_6_and_18_months() {
        // Establishes the CBI boundaries with the default rules.
        let rules = ClassificationRules::default();
        let class = |days| rules.classify(days);
        assert_eq!(class(-3), LoanClass::Current);
        assert_eq!(class(60), LoanClass::Current);
        assert_eq!(class(61), LoanClass::PastDue);
        assert_eq!(class(180), LoanClass::PastDue);
        assert_eq!(class(181), LoanClass::Deferred);
        assert_eq!(class(540), LoanClass::Deferred);
        assert_eq!(class(541), LoanClass::Doubtful);
        assert_eq!(LoanClass::PastDue.code(), "past_due");
        assert_eq!(LoanClass::parse("doubtful"), Some(LoanClass::Doubtful));
        assert_eq!(LoanClass::Doubtful.name_fa(), "مشکوک‌الوصول");
    }

    #[test]
    fn each_class_provisions_its_configured_share() {
        // Establishes provisioning by class and its rounding.
        let rules = ClassificationRules::default();
        assert_eq!(rules.provision(1_000_005, LoanClass::Current), 0);
        assert_eq!(rules.provision(1_000_005, LoanClass::PastDue), 100_001);
        assert_eq!(rules.provision(1_000_005, LoanClass::Deferred), 200_001);
        assert_eq!(rules.provision(1_000_005, LoanClass::Doubtful), 500_003);
        let strict = ClassificationRules {
            provision_bp: [100, 2_500, 5_000, 10_000],
            ..rules
        };
        assert_eq!(strict.provision(1_000_000, LoanClass::Doubtful), 1_000_000);
    }

    #[test]
    fn rules_with_unordered_thresholds_or_rates_are_refused() {
        // Establishes validation of configured rules.
        let rules = ClassificationRules::default();
        assert_eq!(rules.validate(), Ok(()));
        let bad = ClassificationRules {
            deferred_after_days: 60,
            ..rules
        };
        assert_eq!(
            bad.validate().map_err(|e| (e.field(), e.rule())),
            Err(("thresholds", "order"))
        );
        let bad = ClassificationRules {
            provision_bp: [0, 3_000, 2_000, 5_000],
            ..rules
        };
        assert_eq!(bad.validate(), Err(ClassificationError::ProvisionRange));
        let bad = ClassificationRules {
            provision_bp: [0, 0, 0, 10_001],
            ..rules
        };
        assert_eq!(bad.validate(), Err(ClassificationError::ProvisionRange));
    }

    #[test]
    fn portfolio_at_risk_counts_loans_more_than_30_and_90_days_overdue() {
        // Establishes PAR30 and PAR90 in basis points.
        let portfolio = PortfolioAtRisk::from_loans([(600, 0), (200, 30), (100, 31), (100, 91)]);
        assert_eq!(portfolio.outstanding, 1_000);
        assert_eq!(portfolio.par30_bp(), 2_000);
        assert_eq!(portfolio.par90_bp(), 1_000);
        assert_eq!(PortfolioAtRisk::default().par30_bp(), 0);
        let third = PortfolioAtRisk::from_loans([(1, 100), (2, 0)]);
        assert_eq!(third.par90_bp(), 3_333);
    }
}
