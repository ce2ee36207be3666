//! The person view (issue 15, "one person, all agencies"): for a national code, what
//! every agency delivered to the person, their support requests, loans and memberships.
//! It joins every agency's records about one named person, so it is for few: the ministry
//! and auditors; the provincial officer of a province the person is known in (lives,
//! is a client, a member or was served there); an agency officer, who sees only its own
//! agency's services to the person in its provinces (what it already recorded). Every
//! view is audited by the use case, whoever looks.

use super::{Decision, Principal, Role};
use crate::reference::{AgencyCode, ProvinceCode};

/// How much of a person's records a principal is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PersonView {
    /// Every agency's services, the requests, the loans and the memberships.
    Whole,
    /// Only the agency's own services to the person, in these provinces (none listed:
    /// every province).
    AgencyServices {
        agency: AgencyCode,
        provinces: Vec<ProvinceCode>,
    },
}

/// Whether and how `principal` sees the person known in `provinces` (empty when the
/// national code is known nowhere). A provincial officer of another province is told
/// nothing, not even that the person exists (404).
pub fn decide_person_view(
    principal: Option<&Principal>,
    provinces: &[ProvinceCode],
) -> Result<PersonView, Decision> {
    let Some(principal) = principal else {
        return Err(Decision::Unauthenticated);
    };
    match &principal.role {
        Role::MinistryAdmin | Role::Auditor => Ok(PersonView::Whole),
        Role::ProvincialOfficer { province } if provinces.contains(province) => {
            Ok(PersonView::Whole)
        }
        Role::ProvincialOfficer { .. } => Err(Decision::OutOfScope),
        Role::AgencyOfficer { agency, provinces } => Ok(PersonView::AgencyServices {
            agency: agency.clone(),
            provinces: provinces.clone(),
        }),
        Role::BankOfficer { .. } | Role::CooperativeRepresentative { .. } | Role::Judge { .. } => {
            Err(Decision::Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{principal, province};
    use super::*;

    #[test]
    fn the_person_view_is_whole_for_the_ministry_and_the_persons_province_only() {
        // Establishes the role cells for a person known in Ilam.
        let ilam = province("IR-16");
        let known_in = [ilam.clone()];
        let tvto: AgencyCode = "tvto".parse().unwrap();
        let cells = [
            (Role::MinistryAdmin, Ok(PersonView::Whole)),
            (Role::Auditor, Ok(PersonView::Whole)),
            (
                Role::ProvincialOfficer {
                    province: ilam.clone(),
                },
                Ok(PersonView::Whole),
            ),
            (
                Role::ProvincialOfficer {
                    province: province("IR-15"),
                },
                Err(Decision::OutOfScope),
            ),
            (
                Role::AgencyOfficer {
                    agency: tvto.clone(),
                    provinces: vec![ilam.clone()],
                },
                Ok(PersonView::AgencyServices {
                    agency: tvto,
                    provinces: vec![ilam.clone()],
                }),
            ),
            (
                Role::BankOfficer {
                    bank: "022".parse().unwrap(),
                    provinces: Vec::new(),
                },
                Err(Decision::Forbidden),
            ),
        ];
        for (role, expected) in cells {
            assert_eq!(
                decide_person_view(Some(&principal(role.clone())), &known_in),
                expected,
                "{role:?}"
            );
        }
        assert_eq!(
            decide_person_view(None, &known_in),
            Err(Decision::Unauthenticated)
        );
        // Known nowhere: no province's officer learns of the code.
        let ilam_officer = principal(Role::ProvincialOfficer { province: ilam });
        assert_eq!(
            decide_person_view(Some(&ilam_officer), &[]),
            Err(Decision::OutOfScope)
        );
    }
}
