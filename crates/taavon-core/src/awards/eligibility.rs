//! Whether an entry may take part, checked on the snapshot of the data it is judged on,
//! with every reason it may not (not only the first), each a code and a Persian and an
//! English message.

use crate::awards::prescore::PrescoreFacts;
use crate::calendar::JalaliDate;
use crate::loans::classification::LoanClass;
use crate::registry::CooperativeStatus;

/// What an entry is judged on, taken once when it enters so that later changes to the
/// registry do not move its result.
#[derive(Clone, Debug, PartialEq)]
pub struct EntrySnapshot {
    pub cooperative_id: i64,
    /// `IR-16` style.
    pub province: String,
    /// A category code of the festival.
    pub category: String,
    pub status: CooperativeStatus,
    pub registered_on: JalaliDate,
    /// The last day its registry data was updated.
    pub registry_updated_on: JalaliDate,
    /// The class of each of its loans.
    pub loan_classes: Vec<LoanClass>,
    pub indicators: PrescoreFacts,
    /// The day the snapshot was taken; eligibility is judged as of this day.
    pub taken_on: JalaliDate,
}

/// The eligibility rules (configurable per festival; the defaults are the issue's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EligibilityRules {
    /// Registry data older than this many months is stale.
    pub registry_fresh_months: i32,
    /// A cooperative registered less than this many months ago may not enter.
    pub registered_months_min: i32,
}

/// Why an entry may not take part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ineligibility {
    NotActive(CooperativeStatus),
    RegistryStale { updated_on: JalaliDate },
    DoubtfulLoan,
    RegisteredTooRecently { registered_on: JalaliDate },
}

impl Default for EligibilityRules {
    fn default() -> Self {
        Self {
            registry_fresh_months: 12,
            registered_months_min: 12,
        }
    }
}

impl EligibilityRules {
    /// Every reason the snapshot's cooperative may not take part; empty when it may.
    pub fn check(&self, snapshot: &EntrySnapshot) -> Vec<Ineligibility> {
        let today = snapshot.taken_on;
        let mut reasons = Vec::new();
        if snapshot.status != CooperativeStatus::Active {
            reasons.push(Ineligibility::NotActive(snapshot.status));
        }
        if snapshot.registry_updated_on < today.add_months(-self.registry_fresh_months) {
            reasons.push(Ineligibility::RegistryStale {
                updated_on: snapshot.registry_updated_on,
            });
        }
        if snapshot.loan_classes.contains(&LoanClass::Doubtful) {
            reasons.push(Ineligibility::DoubtfulLoan);
        }
        if snapshot.registered_on > today.add_months(-self.registered_months_min) {
            reasons.push(Ineligibility::RegisteredTooRecently {
                registered_on: snapshot.registered_on,
            });
        }
        reasons
    }
}

impl Ineligibility {
    /// A stable machine code of the reason.
    pub fn code(&self) -> &'static str {
        match self {
            Ineligibility::NotActive(_) => "not_active",
            Ineligibility::RegistryStale { .. } => "registry_stale",
            Ineligibility::DoubtfulLoan => "doubtful_loan",
            Ineligibility::RegisteredTooRecently { .. } => "registered_too_recently",
        }
    }

    pub fn message_fa(&self) -> String {
        match self {
            Ineligibility::NotActive(_) => "تعاونی فعال نیست.".into(),
            Ineligibility::RegistryStale { updated_on } => format!(
                "اطلاعات ثبتی تعاونی از {} به‌روز نشده است و کهنه است.",
                updated_on.format_long_fa()
            ),
            Ineligibility::DoubtfulLoan => "تعاونی تسهیلات مشکوک‌الوصول دارد.".into(),
            Ineligibility::RegisteredTooRecently { registered_on } => format!(
                "تعاونی در {} ثبت شده و هنوز مدت لازم از ثبت آن نگذشته است.",
                registered_on.format_long_fa()
            ),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            Ineligibility::NotActive(_) => "The cooperative is not active.".into(),
            Ineligibility::RegistryStale { updated_on } => format!(
                "Its registry data was last updated on {}, too long ago.",
                updated_on.format_long_en()
            ),
            Ineligibility::DoubtfulLoan => "It has a loan in the doubtful class.".into(),
            Ineligibility::RegisteredTooRecently { registered_on } => format!(
                "It was registered on {}, too recently.",
                registered_on.format_long_en()
            ),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::awards::festival::tests::day;

    pub(crate) fn snapshot() -> EntrySnapshot {
        EntrySnapshot {
            cooperative_id: 7,
            province: "IR-16".into(),
            category: "women_led".into(),
            status: CooperativeStatus::Active,
            registered_on: day("1400-01-15"),
            registry_updated_on: day("1403-09-01"),
            loan_classes: vec![LoanClass::Current, LoanClass::PastDue],
            indicators: crate::awards::prescore::tests::facts(),
            taken_on: day("1404-03-01"),
        }
    }

    #[test]
    fn every_reason_is_given_with_its_code() {
        // Establishes each rule alone, then all four reasons at once.
        let rules = EligibilityRules::default();
        assert_eq!(rules.check(&snapshot()), Vec::new());
        type Change = fn(&mut EntrySnapshot);
        let cases: [(Change, &str); 4] = [
            (|s| s.status = CooperativeStatus::Suspended, "not_active"),
            (
                |s| s.registry_updated_on = day("1403-02-30"),
                "registry_stale",
            ),
            (
                |s| s.loan_classes.push(LoanClass::Doubtful),
                "doubtful_loan",
            ),
            (
                |s| s.registered_on = day("1403-03-02"),
                "registered_too_recently",
            ),
        ];
        let mut all = snapshot();
        for (change, code) in cases {
            let mut one = snapshot();
            change(&mut one);
            change(&mut all);
            let reasons = rules.check(&one);
            assert_eq!(
                reasons.iter().map(Ineligibility::code).collect::<Vec<_>>(),
                [code]
            );
            assert!(!reasons[0].message_fa().is_empty());
        }
        assert_eq!(rules.check(&all).len(), 4);
    }

    #[test]
    fn the_boundaries_are_a_full_year_and_configurable() {
        // Establishes that exactly twelve months is still fresh and old enough, and that
        // a festival may ask for other spans.
        let mut edge = snapshot();
        edge.registry_updated_on = day("1403-03-01");
        edge.registered_on = day("1403-03-01");
        assert_eq!(EligibilityRules::default().check(&edge), Vec::new());
        let strict = EligibilityRules {
            registry_fresh_months: 6,
            registered_months_min: 24,
        };
        let codes: Vec<&str> = strict
            .check(&edge)
            .iter()
            .map(Ineligibility::code)
            .collect();
        assert_eq!(codes, ["registry_stale", "registered_too_recently"]);
        let reason = &strict.check(&edge)[0];
        assert!(
            reason.message_fa().contains("۱۴۰۳"),
            "{}",
            reason.message_fa()
        );
        assert!(
            reason.message_en().contains("1403"),
            "{}",
            reason.message_en()
        );
    }
}
