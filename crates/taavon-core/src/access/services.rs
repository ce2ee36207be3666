//! The policy for services delivered (issue 15). An agency records its own services, in
//! its provinces (an empty province list is its head office); the ministry records any.
//! Bank facilities enter from disbursements, never by hand. A record names a person, so
//! the records themselves are read like the people they name: the ministry and auditors
//! every one, a province's officers their province's, an agency's or a bank's officers
//! their own in their provinces, a representative its cooperative's. The county figures
//! (counts and people, no one named) are for every signed-in user: the point of the
//! synergy map is that each agency sees what the others deliver.

use super::{Decision, Principal, Role};
use crate::reference::ProvinceCode;
use crate::services::Provider;

/// Which service records a list shows to a principal; stores filter by it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceScope {
    All,
    Provinces(Vec<ProvinceCode>),
    /// The provider's records in these provinces (none listed: every province).
    Provider {
        provider: Provider,
        provinces: Vec<ProvinceCode>,
    },
    Cooperative(i64),
    /// None (a judge's: the festival is all they work on).
    None,
}

/// The service records `principal` may list.
pub fn service_scope(principal: &Principal) -> ServiceScope {
    match &principal.role {
        Role::MinistryAdmin | Role::Auditor => ServiceScope::All,
        Role::ProvincialOfficer { province } => ServiceScope::Provinces(vec![province.clone()]),
        Role::AgencyOfficer { agency, provinces } => ServiceScope::Provider {
            provider: Provider::Agency(agency.as_str().to_owned()),
            provinces: provinces.clone(),
        },
        Role::BankOfficer { bank, provinces } => ServiceScope::Provider {
            provider: Provider::Bank(bank.as_str().to_owned()),
            provinces: provinces.clone(),
        },
        Role::CooperativeRepresentative { cooperative_id, .. } => {
            ServiceScope::Cooperative(*cooperative_id)
        }
        Role::Judge { .. } => ServiceScope::None,
    }
}

/// Whether `principal` may record a service of `provider` in `province`: an officer of
/// that agency whose provinces include it, or the ministry. Bank facilities are the
/// disbursements' (no one records them by hand).
pub fn decide_service_record(
    principal: Option<&Principal>,
    provider: &Provider,
    province: &ProvinceCode,
) -> Decision {
    let Some(principal) = principal else {
        return Decision::Unauthenticated;
    };
    let Provider::Agency(agency) = provider else {
        return Decision::Forbidden;
    };
    let may = match &principal.role {
        Role::MinistryAdmin => true,
        Role::AgencyOfficer {
            agency: own,
            provinces,
        } => own.as_str() == agency && (provinces.is_empty() || provinces.contains(province)),
        _ => false,
    };
    super::allow_if(may)
}

/// Whether `principal` may import `provider`'s services in bulk: as for one record, but
/// before the file names its provinces (each row is then checked by
/// `decide_service_record`).
pub fn decide_service_import(principal: Option<&Principal>, provider: &Provider) -> Decision {
    let Some(principal) = principal else {
        return Decision::Unauthenticated;
    };
    let may = match (&principal.role, provider) {
        (Role::MinistryAdmin, Provider::Agency(_)) => true,
        (Role::AgencyOfficer { agency, .. }, Provider::Agency(own)) => agency.as_str() == own,
        _ => false,
    };
    super::allow_if(may)
}

/// Whether `principal` may read the county figures, the gap list and the synergy map:
/// every signed-in user (aggregates name no one).
pub fn decide_service_figures(principal: Option<&Principal>) -> Decision {
    match principal {
        None => Decision::Unauthenticated,
        Some(_) => Decision::Allow,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{principal, province};
    use super::*;

    #[test]
    fn an_agency_records_its_own_services_in_its_provinces_only() {
        // Establishes the record × role cells for a TVTO service in Ilam.
        let ilam = province("IR-16");
        let tvto = Provider::Agency("tvto".into());
        let roles = [
            Role::MinistryAdmin,
            Role::AgencyOfficer {
                agency: "tvto".parse().unwrap(),
                provinces: vec![ilam.clone()],
            },
            Role::AgencyOfficer {
                agency: "tvto".parse().unwrap(),
                provinces: vec![province("IR-15")],
            },
            Role::AgencyOfficer {
                agency: "tvto".parse().unwrap(),
                provinces: Vec::new(),
            },
            Role::AgencyOfficer {
                agency: "behzisti".parse().unwrap(),
                provinces: vec![ilam.clone()],
            },
            Role::ProvincialOfficer {
                province: ilam.clone(),
            },
            Role::BankOfficer {
                bank: "022".parse().unwrap(),
                provinces: Vec::new(),
            },
            Role::Auditor,
        ];
        use Decision::{Allow, Forbidden};
        let cells: Vec<Decision> = roles
            .into_iter()
            .map(|role| decide_service_record(Some(&principal(role)), &tvto, &ilam))
            .collect();
        assert_eq!(
            cells,
            [
                Allow, Allow, Forbidden, Allow, Forbidden, Forbidden, Forbidden, Forbidden
            ]
        );
        assert_eq!(
            decide_service_record(None, &tvto, &ilam),
            Decision::Unauthenticated
        );
        let admin = principal(Role::MinistryAdmin);
        assert_eq!(
            decide_service_record(Some(&admin), &Provider::Bank("022".into()), &ilam),
            Forbidden
        );
    }

    #[test]
    fn an_agency_imports_only_its_own_and_everyone_signed_in_reads_the_figures() {
        // Establishes the import cells and that the figures need a sign-in only.
        let officer = principal(Role::AgencyOfficer {
            agency: "behzisti".parse().unwrap(),
            provinces: Vec::new(),
        });
        let behzisti = Provider::Agency("behzisti".into());
        let tvto = Provider::Agency("tvto".into());
        assert_eq!(
            decide_service_import(Some(&officer), &behzisti),
            Decision::Allow
        );
        assert_eq!(
            decide_service_import(Some(&officer), &tvto),
            Decision::Forbidden
        );
        assert_eq!(decide_service_figures(Some(&officer)), Decision::Allow);
        assert_eq!(decide_service_figures(None), Decision::Unauthenticated);
        assert_eq!(
            service_scope(&officer),
            ServiceScope::Provider {
                provider: behzisti,
                provinces: Vec::new()
            }
        );
    }
}
