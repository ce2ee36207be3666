//! Who reads which events and who subscribes to them (issue 19): the same confinement as
//! the resources the events are about — a bank its own loans' and applications', an
//! agency its own, a province's officer its province, the ministry and auditors all.

use super::{Principal, Role};
use crate::events::EventConcern;
use crate::reference::{AgencyCode, BankCode, ProvinceCode};

/// The events a principal may read (pulled or pushed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventScope {
    /// Every event (the ministry, auditors).
    All,
    /// The events of one province.
    Province(ProvinceCode),
    /// The events concerning one bank, in the listed provinces (empty: every province).
    Bank {
        bank: BankCode,
        provinces: Vec<ProvinceCode>,
    },
    /// The events concerning one agency, in the listed provinces (empty: every province).
    Agency {
        agency: AgencyCode,
        provinces: Vec<ProvinceCode>,
    },
    /// The events of one cooperative's own resources.
    Cooperative(i64),
    /// None (a judge).
    Nothing,
}

/// The events `principal` may read.
pub fn event_scope(principal: &Principal) -> EventScope {
    match &principal.role {
        Role::MinistryAdmin | Role::Auditor => EventScope::All,
        Role::ProvincialOfficer { province } => EventScope::Province(province.clone()),
        Role::BankOfficer { bank, provinces } => EventScope::Bank {
            bank: bank.clone(),
            provinces: provinces.clone(),
        },
        Role::AgencyOfficer { agency, provinces } => EventScope::Agency {
            agency: agency.clone(),
            provinces: provinces.clone(),
        },
        Role::CooperativeRepresentative { cooperative_id, .. } => {
            EventScope::Cooperative(*cooperative_id)
        }
        Role::Judge { .. } => EventScope::Nothing,
    }
}

impl EventScope {
    /// Whether an event concerning `concern` is within this scope.
    pub fn permits(&self, concern: &EventConcern) -> bool {
        // A national event (no province: an agency's deposit) is in every province list.
        let in_provinces = |provinces: &[ProvinceCode]| {
            provinces.is_empty()
                || concern.province.is_empty()
                || provinces.iter().any(|p| p.as_str() == concern.province)
        };
        match self {
            EventScope::All => true,
            EventScope::Province(province) => province.as_str() == concern.province,
            EventScope::Bank { bank, provinces } => {
                concern.bank.as_deref() == Some(bank.as_str()) && in_provinces(provinces)
            }
            EventScope::Agency { agency, provinces } => {
                concern.agency.as_deref() == Some(agency.as_str()) && in_provinces(provinces)
            }
            EventScope::Cooperative(id) => concern.cooperative_id == Some(*id),
            EventScope::Nothing => false,
        }
    }
}

/// Whether `principal` may keep webhook subscriptions: the systems of a bank, an agency
/// or a province's office (and the ministry's own). A subscription receives what its
/// creator's scope permits, fixed when it is made.
pub fn keeps_webhooks(principal: &Principal) -> bool {
    matches!(
        principal.role,
        Role::MinistryAdmin
            | Role::ProvincialOfficer { .. }
            | Role::BankOfficer { .. }
            | Role::AgencyOfficer { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            role,
        }
    }

    fn concern(province: &str, bank: Option<&str>) -> EventConcern {
        EventConcern {
            province: province.into(),
            bank: bank.map(str::to_owned),
            agency: None,
            cooperative_id: Some(7),
        }
    }

    fn code(text: &str) -> ProvinceCode {
        ProvinceCode::parse(text).unwrap_or_else(|_| panic!("{text}"))
    }

    fn bank(text: &str) -> BankCode {
        BankCode::parse(text).unwrap_or_else(|_| panic!("{text}"))
    }

    #[test]
    fn a_bank_reads_only_its_own_events_in_its_provinces() {
        let scope = event_scope(&principal(Role::BankOfficer {
            bank: bank("022"),
            provinces: vec![code("IR-23")],
        }));
        assert!(scope.permits(&concern("IR-23", Some("022"))));
        assert!(!scope.permits(&concern("IR-23", Some("017"))));
        assert!(!scope.permits(&concern("IR-23", None)));
        assert!(!scope.permits(&concern("IR-01", Some("022"))));
        let head_office = event_scope(&principal(Role::BankOfficer {
            bank: bank("022"),
            provinces: vec![],
        }));
        assert!(head_office.permits(&concern("IR-01", Some("022"))));
    }

    #[test]
    fn a_province_reads_its_province_and_the_ministry_everything() {
        let officer = event_scope(&principal(Role::ProvincialOfficer {
            province: code("IR-23"),
        }));
        assert!(officer.permits(&concern("IR-23", None)));
        assert!(!officer.permits(&concern("IR-01", Some("022"))));
        assert!(event_scope(&principal(Role::Auditor)).permits(&concern("IR-01", None)));
        let judge = event_scope(&principal(Role::Judge {
            festival_year: 1404,
            panel: super::super::JudgePanel::National,
        }));
        assert!(!judge.permits(&concern("IR-01", None)));
        let representative = event_scope(&principal(Role::CooperativeRepresentative {
            cooperative_id: 7,
            province: code("IR-23"),
        }));
        assert!(representative.permits(&concern("IR-01", None)));
    }

    #[test]
    fn only_systems_of_banks_agencies_and_offices_keep_webhooks() {
        assert!(keeps_webhooks(&principal(Role::BankOfficer {
            bank: bank("022"),
            provinces: vec![],
        })));
        assert!(!keeps_webhooks(&principal(Role::Auditor)));
    }
}
