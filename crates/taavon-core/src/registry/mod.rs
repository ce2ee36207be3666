//! The registry's rules: cooperative types and statuses, the formation thresholds, and
//! the share-capital arithmetic (reconciliation, per-member cap, surplus by share-days).

pub mod shares;

use crate::coded::coded_enum;

/// What a cooperative does (قانون بخش تعاونی: production, distribution …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CooperativeKind {
    Production,
    Service,
    Distribution,
    Consumer,
    Housing,
    Multipurpose,
}

/// Where a cooperative stands: forming → registered → active → suspended → dissolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CooperativeStatus {
    Forming,
    Registered,
    Active,
    Suspended,
    Dissolved,
}

/// A person's gender as the census and SSO record it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gender {
    Female,
    Male,
}

/// Where a formation request stands: an officer approves or rejects a submitted one once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FormationStatus {
    Submitted,
    Approved,
    Rejected,
}

/// A provincial officer's decision on a submitted formation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FormationDecision {
    Approve,
    Reject,
}

impl FormationDecision {
    /// Where the formation stands after the decision.
    pub fn status(self) -> FormationStatus {
        match self {
            FormationDecision::Approve => FormationStatus::Approved,
            FormationDecision::Reject => FormationStatus::Rejected,
        }
    }
}

/// An individual client of the ministry's programs (a cooperative is not a client).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientKind {
    /// A handicraft artisan with a credential.
    Artisan,
    /// A welfare client referred by an agency (Behzisti).
    Welfare,
}

impl ClientKind {
    /// The applicant a client of this kind is on an application.
    pub fn applicant_kind(self) -> crate::programs::ApplicantKind {
        match self {
            ClientKind::Artisan => crate::programs::ApplicantKind::Artisan,
            ClientKind::Welfare => crate::programs::ApplicantKind::Welfare,
        }
    }
}

/// The kind of an entry of the share-capital register, as it is stored
/// (`shares::ShareEntry` is the entry with its amounts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShareEntryKind {
    Subscription,
    Payment,
    Transfer,
    Withdrawal,
}

/// The parameters of the formation rules (a ministry admin may change them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormationRules {
    /// At least this many founders.
    pub founders_min: usize,
    /// Paid-in capital must be at least `paid_numerator / paid_denominator` of the
    /// subscribed capital before registration (one third by law).
    pub paid_numerator: i64,
    pub paid_denominator: i64,
    /// No member may hold more than this share of the capital, in per mille. Its legal
    /// value is not confirmed, so it is a parameter.
    pub member_cap_permille: i64,
}

impl Default for FormationRules {
    fn default() -> Self {
        Self {
            founders_min: 7,
            paid_numerator: 1,
            paid_denominator: 3,
            member_cap_permille: 1000,
        }
    }
}

coded_enum!(CooperativeKind {
    Production = "production",
    Service = "service",
    Distribution = "distribution",
    Consumer = "consumer",
    Housing = "housing",
    Multipurpose = "multipurpose",
});

coded_enum!(CooperativeStatus {
    Forming = "forming",
    Registered = "registered",
    Active = "active",
    Suspended = "suspended",
    Dissolved = "dissolved",
});

coded_enum!(FormationStatus {
    Submitted = "submitted",
    Approved = "approved",
    Rejected = "rejected",
});

coded_enum!(FormationDecision {
    Approve = "approve",
    Reject = "reject",
});

coded_enum!(ClientKind {
    Artisan = "artisan",
    Welfare = "welfare",
});

coded_enum!(ShareEntryKind {
    Subscription = "subscription",
    Payment = "payment",
    Transfer = "transfer",
    Withdrawal = "withdrawal",
});

coded_enum!(Gender {
    Female = "female",
    Male = "male",
});

impl Gender {
    /// Also reads the Persian words and the usual abbreviations.
    pub fn parse_loose(text: &str) -> Option<Self> {
        match text.trim().to_lowercase().as_str() {
            "female" | "f" | "زن" | "خانم" => Some(Gender::Female),
            "male" | "m" | "مرد" | "آقا" => Some(Gender::Male),
            _ => None,
        }
    }
}

/// Who a person is, as far as the registry tells one holder of a national code from
/// another: the name, the gender and the birth year (Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identity<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub gender: Gender,
    pub birth_year: Option<i64>,
}

impl Identity<'_> {
    /// Whether `submitted` names the person recorded as `self`. Names compare by their
    /// Persian search keys (Arabic letter forms, digits, spaces and the zero-width
    /// non-joiner folded), so «علي‌رضا» typed on an Arabic keyboard is «علیرضا». A recorded
    /// birth year must be given and equal; a person recorded without one matches any.
    /// Nothing submitted ever fills in or replaces what is recorded.
    pub fn matches(&self, submitted: &Identity<'_>) -> bool {
        use crate::text::search_key;
        search_key(self.first_name) == search_key(submitted.first_name)
            && search_key(self.last_name) == search_key(submitted.last_name)
            && self.gender == submitted.gender
            && self
                .birth_year
                .is_none_or(|year| submitted.birth_year == Some(year))
    }
}

impl CooperativeStatus {
    /// Whether a cooperative may move from this status to `next`.
    pub fn may_become(self, next: CooperativeStatus) -> bool {
        use CooperativeStatus::*;
        matches!(
            (self, next),
            (Forming, Registered)
                | (Forming, Dissolved)
                | (Registered, Active)
                | (Registered, Dissolved)
                | (Active, Suspended)
                | (Active, Dissolved)
                | (Suspended, Active)
                | (Suspended, Dissolved)
        ) || self == next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_unknown_ones_are_refused() {
        // Establishes the stored codes of the registry's enumerations.
        for kind in CooperativeKind::ALL {
            assert_eq!(CooperativeKind::parse(kind.code()), Some(*kind));
        }
        for status in CooperativeStatus::ALL {
            assert_eq!(CooperativeStatus::parse(status.code()), Some(*status));
        }
        for status in FormationStatus::ALL {
            assert_eq!(FormationStatus::parse(status.code()), Some(*status));
        }
        for kind in ClientKind::ALL {
            assert_eq!(ClientKind::parse(kind.code()), Some(*kind));
            assert_eq!(kind.applicant_kind().code(), kind.code());
        }
        for kind in ShareEntryKind::ALL {
            assert_eq!(ShareEntryKind::parse(kind.code()), Some(*kind));
        }
        assert_eq!(CooperativeKind::parse("bakery"), None);
        assert_eq!(Gender::parse_loose("زن"), Some(Gender::Female));
    }

    #[test]
    fn an_identity_matches_in_any_spelling_but_not_with_another_name_gender_or_year() {
        // Establishes what counts as the same person when a national code is already
        // recorded: Persian folding yes, a different name, gender or birth year no.
        let recorded = Identity {
            first_name: "علی‌رضا",
            last_name: "کرمی",
            gender: Gender::Male,
            birth_year: Some(1980),
        };
        let typed = |first_name, last_name, gender, birth_year| Identity {
            first_name,
            last_name,
            gender,
            birth_year,
        };
        assert!(recorded.matches(&typed("علي رضا", "كرمي", Gender::Male, Some(1980))));
        assert!(recorded.matches(&typed("عليرضا", "کرمی", Gender::Male, Some(1980))));
        for other in [
            typed("حسین", "کرمی", Gender::Male, Some(1980)),
            typed("علیرضا", "احمدی", Gender::Male, Some(1980)),
            typed("علیرضا", "کرمی", Gender::Female, Some(1980)),
            typed("علیرضا", "کرمی", Gender::Male, Some(1981)),
            typed("علیرضا", "کرمی", Gender::Male, None),
        ] {
            assert!(!recorded.matches(&other), "{other:?}");
        }
        let without_year = Identity {
            birth_year: None,
            ..recorded
        };
        assert!(without_year.matches(&typed("علیرضا", "کرمی", Gender::Male, Some(1975))));
    }

    #[test]
    fn a_dissolved_cooperative_stays_dissolved() {
        // Establishes the status machine's one-way ends.
        use CooperativeStatus::*;
        assert!(Forming.may_become(Registered));
        assert!(Active.may_become(Suspended) && Suspended.may_become(Active));
        assert!(!Dissolved.may_become(Active));
        assert!(!Active.may_become(Forming));
    }
}
