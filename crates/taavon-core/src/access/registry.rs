//! The policy for the registry's finer grain: which fields of a cooperative each role may
//! change, and who reads the personal data of an applicant's people (a cooperative's
//! members and share register, an individual client).
//!
//! A cooperative's representative keeps its contact data (the spelling of its name, its
//! address and phone); everything a regulator decides — its status, registration, legal
//! ID, type, sector, county, dates and whether it is women-led, which feed quotas, tiers,
//! scores and pricing — is changed only by a ministry admin or the cooperative's
//! provincial officer, with a reason. A bank reads the people of its borrowers only: an
//! applicant with an application referred to it (every loan comes from one). Lists of
//! people (individual clients, cooperatives found by a member's national code) are
//! confined by `application_scope`: a principal lists the people of the applicants whose
//! applications it may list.

use super::{Decision, Principal, Role, allow_if};
use crate::reference::{BankCode, ProvinceCode};

/// A field of a cooperative as the edit policy names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CooperativeField {
    Name,
    Address,
    Phone,
    Kind,
    Sector,
    County,
    LegalId,
    RegistrationNumber,
    RegisteredOn,
    FoundedOn,
    WomenLed,
    Status,
}

/// A cooperative as the edit policy sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CooperativeRef<'a> {
    pub id: i64,
    pub province: &'a ProvinceCode,
}

/// An applicant whose people's personal data is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApplicantSubject<'a> {
    pub province: &'a ProvinceCode,
    /// The cooperative, when the applicant is one (its members and share register).
    pub cooperative_id: Option<i64>,
    /// The banks the applicant borrows from: those its applications were referred to.
    pub lenders: &'a [BankCode],
}

impl CooperativeField {
    pub const ALL: [CooperativeField; 12] = [
        CooperativeField::Name,
        CooperativeField::Address,
        CooperativeField::Phone,
        CooperativeField::Kind,
        CooperativeField::Sector,
        CooperativeField::County,
        CooperativeField::LegalId,
        CooperativeField::RegistrationNumber,
        CooperativeField::RegisteredOn,
        CooperativeField::FoundedOn,
        CooperativeField::WomenLed,
        CooperativeField::Status,
    ];

    /// The field's name in the API (and in error reports).
    pub fn code(self) -> &'static str {
        match self {
            CooperativeField::Name => "name",
            CooperativeField::Address => "address",
            CooperativeField::Phone => "phone",
            CooperativeField::Kind => "type",
            CooperativeField::Sector => "sector",
            CooperativeField::County => "county",
            CooperativeField::LegalId => "legal_id",
            CooperativeField::RegistrationNumber => "registration_number",
            CooperativeField::RegisteredOn => "registered_on",
            CooperativeField::FoundedOn => "founded_on",
            CooperativeField::WomenLed => "women_led",
            CooperativeField::Status => "status",
        }
    }

    /// Whether the field is a regulator's decision (else it is contact data the
    /// cooperative keeps itself). A change of a regulatory field needs a reason.
    pub fn is_regulatory(self) -> bool {
        !matches!(
            self,
            CooperativeField::Name | CooperativeField::Address | CooperativeField::Phone
        )
    }
}

/// Whether `principal` may change `field` of the cooperative. Out of scope is 404 as for
/// the record; a role that sees the cooperative but may not change the field is 403.
pub fn decide_cooperative_field(
    principal: Option<&Principal>,
    field: CooperativeField,
    cooperative: CooperativeRef<'_>,
) -> Decision {
    let Some(principal) = principal else {
        return Decision::Unauthenticated;
    };
    let role = &principal.role;
    let decision = super::decide(
        Some(principal),
        super::Action::Read,
        super::Resource::Cooperative {
            id: Some(cooperative.id),
            province: cooperative.province,
        },
    );
    if decision != Decision::Allow {
        return decision;
    }
    allow_if(match role {
        // `decide` confined the provincial officer to their province.
        Role::MinistryAdmin | Role::ProvincialOfficer { .. } => true,
        Role::CooperativeRepresentative { .. } => !field.is_regulatory(),
        Role::BankOfficer { .. }
        | Role::AgencyOfficer { .. }
        | Role::Auditor
        | Role::Judge { .. } => false,
    })
}

/// The fields `principal` may change of the cooperative (for forms).
pub fn editable_cooperative_fields(
    principal: &Principal,
    cooperative: CooperativeRef<'_>,
) -> Vec<CooperativeField> {
    CooperativeField::ALL
        .into_iter()
        .filter(|field| {
            decide_cooperative_field(Some(principal), *field, cooperative) == Decision::Allow
        })
        .collect()
}

/// Whether `principal` reads the personal data of the applicant's people.
pub fn decide_personal_data(
    principal: Option<&Principal>,
    subject: &ApplicantSubject<'_>,
) -> Decision {
    let Some(principal) = principal else {
        return Decision::Unauthenticated;
    };
    match &principal.role {
        Role::MinistryAdmin | Role::Auditor => Decision::Allow,
        Role::ProvincialOfficer { province } if province == subject.province => Decision::Allow,
        Role::CooperativeRepresentative { cooperative_id, .. }
            if subject.cooperative_id == Some(*cooperative_id) =>
        {
            Decision::Allow
        }
        Role::BankOfficer { bank, provinces }
            if provinces.is_empty() || provinces.contains(subject.province) =>
        {
            if subject.lenders.contains(bank) {
                Decision::Allow
            } else if subject.cooperative_id.is_some() {
                // The bank sees the cooperative itself, but not who its members are.
                Decision::Forbidden
            } else {
                Decision::OutOfScope
            }
        }
        _ => Decision::OutOfScope,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{principal, province};
    use super::*;

    /// Every role the registry knows, with and without the cooperative (5, in Ilam) in
    /// its scope, named for the messages.
    fn roles() -> Vec<(&'static str, Role)> {
        let (ilam, lorestan) = (province("IR-16"), province("IR-15"));
        vec![
            ("admin", Role::MinistryAdmin),
            (
                "ilam officer",
                Role::ProvincialOfficer {
                    province: ilam.clone(),
                },
            ),
            (
                "lorestan officer",
                Role::ProvincialOfficer {
                    province: lorestan.clone(),
                },
            ),
            (
                "bank in ilam",
                Role::BankOfficer {
                    bank: "022".parse().unwrap(),
                    provinces: vec![ilam.clone()],
                },
            ),
            (
                "bank in lorestan",
                Role::BankOfficer {
                    bank: "022".parse().unwrap(),
                    provinces: vec![lorestan],
                },
            ),
            (
                "agency",
                Role::AgencyOfficer {
                    agency: "sso".parse().unwrap(),
                    provinces: Vec::new(),
                },
            ),
            (
                "own representative",
                Role::CooperativeRepresentative {
                    cooperative_id: 5,
                    province: ilam.clone(),
                },
            ),
            (
                "other representative",
                Role::CooperativeRepresentative {
                    cooperative_id: 6,
                    province: ilam,
                },
            ),
            ("auditor", Role::Auditor),
        ]
    }

    #[test]
    fn every_role_may_change_exactly_the_fields_of_the_table() {
        // Establishes every cell of the field × role table: contact data for the
        // cooperative itself and the regulators, regulatory fields for the regulators only,
        // nothing for banks, agencies and auditors, 404 outside the scope.
        use Decision::{Allow, Forbidden, OutOfScope};
        let ilam = province("IR-16");
        let cooperative = CooperativeRef {
            id: 5,
            province: &ilam,
        };
        // (contact fields, regulatory fields) for each role of `roles()`.
        let table = [
            ("admin", Allow, Allow),
            ("ilam officer", Allow, Allow),
            ("lorestan officer", OutOfScope, OutOfScope),
            ("bank in ilam", Forbidden, Forbidden),
            ("bank in lorestan", OutOfScope, OutOfScope),
            ("agency", OutOfScope, OutOfScope),
            ("own representative", Allow, Forbidden),
            ("other representative", OutOfScope, OutOfScope),
            ("auditor", Forbidden, Forbidden),
        ];
        let roles = roles();
        assert_eq!(roles.len(), table.len());
        for ((name, role), (row, contact, regulatory)) in roles.into_iter().zip(table) {
            assert_eq!(name, row);
            let who = principal(role);
            for field in CooperativeField::ALL {
                let expected = if field.is_regulatory() {
                    regulatory
                } else {
                    contact
                };
                assert_eq!(
                    decide_cooperative_field(Some(&who), field, cooperative),
                    expected,
                    "{name} changing {}",
                    field.code()
                );
            }
        }
        for field in CooperativeField::ALL {
            assert_eq!(
                decide_cooperative_field(None, field, cooperative),
                Decision::Unauthenticated
            );
        }
    }

    #[test]
    fn only_name_address_and_phone_are_contact_data() {
        // Establishes which fields a representative keeps, by name, so that a new field
        // is regulatory unless someone decides otherwise here.
        let contact: Vec<&str> = CooperativeField::ALL
            .into_iter()
            .filter(|f| !f.is_regulatory())
            .map(CooperativeField::code)
            .collect();
        assert_eq!(contact, ["name", "address", "phone"]);
        let representative = principal(Role::CooperativeRepresentative {
            cooperative_id: 5,
            province: province("IR-16"),
        });
        let ilam = province("IR-16");
        let cooperative = CooperativeRef {
            id: 5,
            province: &ilam,
        };
        assert_eq!(
            editable_cooperative_fields(&representative, cooperative),
            [
                CooperativeField::Name,
                CooperativeField::Address,
                CooperativeField::Phone
            ]
        );
    }

    #[test]
    fn a_bank_reads_the_people_of_its_borrowers_only() {
        // Establishes the personal-data table: a bank reads members and clients only of
        // applicants referred to it, in its provinces; officers in their province; the
        // representative their own cooperative; agencies nobody.
        use Decision::{Allow, Forbidden, OutOfScope};
        let ilam = province("IR-16");
        let lenders: [BankCode; 1] = ["022".parse().unwrap()];
        let cases = [
            // (lenders, cooperative?, expected per role of `roles()`)
            (
                &lenders[..],
                Some(5),
                [
                    Allow, Allow, OutOfScope, Allow, OutOfScope, OutOfScope, Allow, OutOfScope,
                    Allow,
                ],
            ),
            (
                &[][..],
                Some(5),
                [
                    Allow, Allow, OutOfScope, Forbidden, OutOfScope, OutOfScope, Allow, OutOfScope,
                    Allow,
                ],
            ),
            (
                &lenders[..],
                None,
                [
                    Allow, Allow, OutOfScope, Allow, OutOfScope, OutOfScope, OutOfScope,
                    OutOfScope, Allow,
                ],
            ),
            (
                &[][..],
                None,
                [
                    Allow, Allow, OutOfScope, OutOfScope, OutOfScope, OutOfScope, OutOfScope,
                    OutOfScope, Allow,
                ],
            ),
        ];
        for (lenders, cooperative_id, expected) in cases {
            let subject = ApplicantSubject {
                province: &ilam,
                cooperative_id,
                lenders,
            };
            for ((name, role), expected) in roles().into_iter().zip(expected) {
                assert_eq!(
                    decide_personal_data(Some(&principal(role)), &subject),
                    expected,
                    "{name} reading {subject:?}"
                );
            }
            assert_eq!(
                decide_personal_data(None, &subject),
                Decision::Unauthenticated
            );
        }
        let other_bank = principal(Role::BankOfficer {
            bank: "013".parse().unwrap(),
            provinces: Vec::new(),
        });
        let referred_to_022 = ApplicantSubject {
            province: &ilam,
            cooperative_id: None,
            lenders: &lenders,
        };
        assert_eq!(
            decide_personal_data(Some(&other_bank), &referred_to_022),
            OutOfScope
        );
    }
}
