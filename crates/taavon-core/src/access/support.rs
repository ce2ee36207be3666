//! The policy for support requests (issue 15). A request is read by its requester (the
//! cooperative's representative, or the officer who filed it for an individual), by the
//! unit it was routed to within that unit's provinces (an agency's or a bank's officers;
//! an empty province list is the head office), by the province's officers, and by the
//! ministry and auditors. Those who read it and may act on it are on its requester's or
//! its handler's side (`support::Sides`); the moves each side makes are
//! `support::may_move`'s. Routing rules and topics are the ministry's.

use super::{Decision, Principal, Role};
use crate::reference::ProvinceCode;
use crate::support::{Sides, Unit};

/// What the policy needs to know of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupportSubject<'a> {
    pub province: &'a ProvinceCode,
    /// The requesting cooperative; none for an individual client's request.
    pub cooperative_id: Option<i64>,
    pub filed_by_user_id: i64,
    pub unit: &'a Unit,
}

/// Which requests a list shows to a principal; stores filter by it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SupportScope {
    All,
    /// The provinces' requests (a provincial officer's).
    Provinces(Vec<ProvinceCode>),
    /// Those routed to the unit, in these provinces (none listed: every province).
    Unit {
        unit: Unit,
        provinces: Vec<ProvinceCode>,
    },
    /// None (a judge's: the festival is all they work on).
    None,
    /// One cooperative's.
    Cooperative(i64),
}

/// The requests `principal` may list.
pub fn support_scope(principal: &Principal) -> SupportScope {
    match &principal.role {
        Role::MinistryAdmin | Role::Auditor => SupportScope::All,
        Role::ProvincialOfficer { province } => SupportScope::Provinces(vec![province.clone()]),
        Role::AgencyOfficer { agency, provinces } => SupportScope::Unit {
            unit: Unit::Agency(agency.clone()),
            provinces: provinces.clone(),
        },
        Role::BankOfficer { bank, provinces } => SupportScope::Unit {
            unit: Unit::Bank(bank.clone()),
            provinces: provinces.clone(),
        },
        Role::CooperativeRepresentative { cooperative_id, .. } => {
            SupportScope::Cooperative(*cooperative_id)
        }
        Role::Judge { .. } => SupportScope::None,
    }
}

/// Whether a request lies in `scope` (the one-record form of the store's filter).
pub fn in_support_scope(scope: &SupportScope, subject: &SupportSubject<'_>) -> bool {
    match scope {
        SupportScope::All => true,
        SupportScope::Provinces(provinces) => provinces.contains(subject.province),
        SupportScope::Unit { unit, provinces } => {
            unit == subject.unit && (provinces.is_empty() || provinces.contains(subject.province))
        }
        SupportScope::Cooperative(id) => subject.cooperative_id == Some(*id),
        SupportScope::None => false,
    }
}

/// Whether `principal` may read the request (its thread and attachments too): out of
/// scope otherwise, so a request's existence is not revealed. The officer who filed a
/// request for an individual reads it wherever it was routed.
pub fn decide_support_read(
    principal: Option<&Principal>,
    subject: &SupportSubject<'_>,
) -> Decision {
    let Some(principal) = principal else {
        return Decision::Unauthenticated;
    };
    let filed_it =
        subject.cooperative_id.is_none() && subject.filed_by_user_id == principal.user_id;
    if filed_it || in_support_scope(&support_scope(principal), subject) {
        Decision::Allow
    } else {
        Decision::OutOfScope
    }
}

/// The sides `principal`, who reads the request, acts on. Auditors read only.
pub fn support_sides(principal: &Principal, subject: &SupportSubject<'_>) -> Sides {
    let requester = match &principal.role {
        Role::CooperativeRepresentative { cooperative_id, .. } => {
            subject.cooperative_id == Some(*cooperative_id)
        }
        _ => subject.cooperative_id.is_none() && subject.filed_by_user_id == principal.user_id,
    };
    let handler = match &principal.role {
        Role::MinistryAdmin => true,
        Role::ProvincialOfficer { province } => province == subject.province,
        Role::AgencyOfficer { .. } | Role::BankOfficer { .. } => {
            in_support_scope(&support_scope(principal), subject)
        }
        Role::CooperativeRepresentative { .. } | Role::Auditor | Role::Judge { .. } => false,
    };
    Sides { requester, handler }
}

/// Whether `principal` may file a request for `cooperative_id` (its representative) or,
/// with none, for an individual client of `province` (that province's officer or the
/// ministry).
pub fn decide_support_filing(
    principal: Option<&Principal>,
    province: &ProvinceCode,
    cooperative_id: Option<i64>,
) -> Decision {
    let Some(principal) = principal else {
        return Decision::Unauthenticated;
    };
    let may = match (&principal.role, cooperative_id) {
        (
            Role::CooperativeRepresentative {
                cooperative_id: own,
                province: home,
            },
            Some(id),
        ) => *own == id && home == province,
        (Role::ProvincialOfficer { province: own }, None) => own == province,
        (Role::MinistryAdmin, None) => true,
        _ => false,
    };
    super::allow_if(may)
}

/// Whether `principal` keeps the topics and the routing rules: the ministry.
pub fn keeps_support_routing(principal: &Principal) -> bool {
    principal.role == Role::MinistryAdmin
}

#[cfg(test)]
mod tests {
    use super::super::tests::{principal, province};
    use super::*;

    fn subject<'a>(
        province: &'a ProvinceCode,
        unit: &'a Unit,
        cooperative: Option<i64>,
    ) -> SupportSubject<'a> {
        SupportSubject {
            province,
            cooperative_id: cooperative,
            filed_by_user_id: 99,
            unit,
        }
    }

    #[test]
    fn an_agency_officer_sees_its_agency_in_its_provinces_only() {
        // Establishes the agency wall: the agency and the province must both match; an
        // empty province list is the head office.
        let ilam = province("IR-16");
        let lorestan = province("IR-15");
        let sso = Unit::Agency("sso".parse().unwrap());
        let behzisti = Unit::Agency("behzisti".parse().unwrap());
        let ilam_sso = principal(Role::AgencyOfficer {
            agency: "sso".parse().unwrap(),
            provinces: vec![ilam.clone()],
        });
        let head_office = principal(Role::AgencyOfficer {
            agency: "sso".parse().unwrap(),
            provinces: Vec::new(),
        });
        let read = |who: &Principal, s| decide_support_read(Some(who), &s);
        assert_eq!(
            read(&ilam_sso, subject(&ilam, &sso, Some(1))),
            Decision::Allow
        );
        assert_eq!(
            read(&ilam_sso, subject(&lorestan, &sso, Some(1))),
            Decision::OutOfScope
        );
        assert_eq!(
            read(&ilam_sso, subject(&ilam, &behzisti, Some(1))),
            Decision::OutOfScope
        );
        assert_eq!(
            read(&head_office, subject(&lorestan, &sso, Some(1))),
            Decision::Allow
        );
        assert!(support_sides(&ilam_sso, &subject(&ilam, &sso, Some(1))).handler);
        assert!(!support_sides(&ilam_sso, &subject(&ilam, &sso, Some(1))).requester);
    }

    #[test]
    fn a_representative_sees_and_asks_for_its_own_cooperative_only() {
        // Establishes the representative's scope and side.
        let ilam = province("IR-16");
        let office = Unit::ProvincialOffice;
        let representative = principal(Role::CooperativeRepresentative {
            cooperative_id: 5,
            province: ilam.clone(),
        });
        let own = subject(&ilam, &office, Some(5));
        let neighbour = subject(&ilam, &office, Some(6));
        assert_eq!(
            decide_support_read(Some(&representative), &own),
            Decision::Allow
        );
        assert_eq!(
            decide_support_read(Some(&representative), &neighbour),
            Decision::OutOfScope
        );
        assert_eq!(
            support_sides(&representative, &own),
            Sides {
                requester: true,
                handler: false
            }
        );
        assert_eq!(
            decide_support_filing(Some(&representative), &ilam, Some(5)),
            Decision::Allow
        );
        assert_eq!(
            decide_support_filing(Some(&representative), &ilam, Some(6)),
            Decision::Forbidden
        );
        assert_eq!(
            decide_support_filing(Some(&representative), &ilam, None),
            Decision::Forbidden
        );
    }

    #[test]
    fn provincial_officers_handle_their_province_and_file_for_individuals() {
        // Establishes the province wall, and that the filing officer is the requester of
        // an individual's request wherever it was routed.
        let ilam = province("IR-16");
        let lorestan = province("IR-15");
        let bank = Unit::Bank("022".parse().unwrap());
        let officer = Principal {
            user_id: 99,
            ..principal(Role::ProvincialOfficer {
                province: ilam.clone(),
            })
        };
        let own = subject(&ilam, &bank, None);
        assert_eq!(
            support_sides(&officer, &own),
            Sides {
                requester: true,
                handler: true
            }
        );
        assert_eq!(
            decide_support_read(Some(&officer), &subject(&lorestan, &bank, Some(3))),
            Decision::OutOfScope
        );
        assert_eq!(
            decide_support_filing(Some(&officer), &ilam, None),
            Decision::Allow
        );
        assert_eq!(
            decide_support_filing(Some(&officer), &lorestan, None),
            Decision::Forbidden
        );
        let auditor = principal(Role::Auditor);
        assert_eq!(decide_support_read(Some(&auditor), &own), Decision::Allow);
        assert_eq!(support_sides(&auditor, &own), Sides::default());
        assert_eq!(decide_support_read(None, &own), Decision::Unauthenticated);
    }
}
