//! The policy for applications: who sees one, who drafts one, and who may take each
//! step of its workflow. The applicant never approves; an officer acts only in their
//! province; a bank acts only on what was referred to it.

use super::{Action, Decision, Principal, Role, allow_if};
use crate::applications::TransitionAction;
use crate::reference::ProvinceCode;

/// An application as the policy sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApplicationSubject<'a> {
    pub province: &'a ProvinceCode,
    /// The applicant, when it is a cooperative.
    pub cooperative_id: Option<i64>,
    /// The bank it was referred to, once referred.
    pub referred_bank: Option<&'a str>,
}

/// Which applications a list shows to a principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplicationScope {
    All,
    Provinces(Vec<ProvinceCode>),
    Cooperative(i64),
    /// Those referred to this bank, in these provinces (all when empty).
    Bank {
        bank: String,
        provinces: Vec<ProvinceCode>,
    },
    None,
}

/// Whether `role` sees the application at all.
fn sees(role: &Role, subject: &ApplicationSubject<'_>) -> bool {
    match role {
        Role::MinistryAdmin | Role::Auditor => true,
        Role::ProvincialOfficer { province } => province == subject.province,
        Role::CooperativeRepresentative { cooperative_id, .. } => {
            subject.cooperative_id == Some(*cooperative_id)
        }
        Role::BankOfficer { bank, provinces } => {
            subject.referred_bank == Some(bank.as_str())
                && (provinces.is_empty() || provinces.contains(subject.province))
        }
        Role::AgencyOfficer { .. } => false,
    }
}

/// Reading and drafting (`Create`); changes go through `decide_transition`.
pub(super) fn decide(role: &Role, action: Action, subject: &ApplicationSubject<'_>) -> Decision {
    match action {
        Action::Read if sees(role, subject) => Decision::Allow,
        Action::Read => Decision::OutOfScope,
        Action::Create => match role {
            Role::MinistryAdmin => Decision::Allow,
            Role::ProvincialOfficer { province } => in_scope_if(province == subject.province),
            Role::CooperativeRepresentative { cooperative_id, .. } => {
                in_scope_if(subject.cooperative_id == Some(*cooperative_id))
            }
            _ => Decision::Forbidden,
        },
        // Applications change only by transitions.
        Action::Update => {
            if sees(role, subject) {
                Decision::Forbidden
            } else {
                Decision::OutOfScope
            }
        }
    }
}

fn in_scope_if(condition: bool) -> Decision {
    if condition {
        Decision::Allow
    } else {
        Decision::OutOfScope
    }
}

/// Whether `principal` may take `action` on the application.
pub fn decide_transition(
    principal: Option<&Principal>,
    action: TransitionAction,
    subject: &ApplicationSubject<'_>,
) -> Decision {
    let Some(principal) = principal else {
        return Decision::Unauthenticated;
    };
    let role = &principal.role;
    if !sees(role, subject) {
        return Decision::OutOfScope;
    }
    use TransitionAction as A;
    let may = match action {
        // The applicant (or the officer filing for an individual client) submits and
        // withdraws.
        A::Submit | A::Withdraw => matches!(
            role,
            Role::MinistryAdmin
                | Role::ProvincialOfficer { .. }
                | Role::CooperativeRepresentative { .. }
        ),
        A::Approve | A::Reject | A::Refer => {
            matches!(role, Role::MinistryAdmin | Role::ProvincialOfficer { .. })
        }
        // `sees` already confined a bank officer to what was referred to their bank.
        A::BankApprove | A::BankReject => matches!(role, Role::BankOfficer { .. }),
    };
    allow_if(may)
}

/// The applications a principal may list; stores filter by it.
pub fn application_scope(principal: &Principal) -> ApplicationScope {
    match &principal.role {
        Role::MinistryAdmin | Role::Auditor => ApplicationScope::All,
        Role::ProvincialOfficer { province } => ApplicationScope::Provinces(vec![province.clone()]),
        Role::CooperativeRepresentative { cooperative_id, .. } => {
            ApplicationScope::Cooperative(*cooperative_id)
        }
        Role::BankOfficer { bank, provinces } => ApplicationScope::Bank {
            bank: bank.clone(),
            provinces: provinces.clone(),
        },
        Role::AgencyOfficer { .. } => ApplicationScope::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TransitionAction as A;

    fn province(code: &str) -> ProvinceCode {
        ProvinceCode::parse(code).unwrap()
    }

    fn principal(role: Role) -> Principal {
        Principal {
            user_id: 1,
            username: "someone".into(),
            role,
        }
    }

    #[test]
    fn the_applicant_never_approves() {
        let ilam = province("IR-16");
        let representative = principal(Role::CooperativeRepresentative {
            cooperative_id: 5,
            province: ilam.clone(),
        });
        let own = ApplicationSubject {
            province: &ilam,
            cooperative_id: Some(5),
            referred_bank: None,
        };
        for (action, expected) in [
            (A::Submit, Decision::Allow),
            (A::Withdraw, Decision::Allow),
            (A::Approve, Decision::Forbidden),
            (A::Reject, Decision::Forbidden),
            (A::Refer, Decision::Forbidden),
            (A::BankApprove, Decision::Forbidden),
        ] {
            assert_eq!(
                decide_transition(Some(&representative), action, &own),
                expected,
                "{action}"
            );
        }
    }

    #[test]
    fn an_officer_acts_only_in_their_province_and_a_bank_only_on_its_referrals() {
        let (ilam, lorestan) = (province("IR-16"), province("IR-15"));
        let officer = principal(Role::ProvincialOfficer {
            province: ilam.clone(),
        });
        let bank = principal(Role::BankOfficer {
            bank: "022".into(),
            provinces: vec![],
        });
        let in_lorestan = ApplicationSubject {
            province: &lorestan,
            cooperative_id: None,
            referred_bank: Some("013"),
        };
        assert_eq!(
            decide_transition(Some(&officer), A::Approve, &in_lorestan),
            Decision::OutOfScope
        );
        assert_eq!(
            decide_transition(Some(&bank), A::BankApprove, &in_lorestan),
            Decision::OutOfScope
        );
        let to_022 = ApplicationSubject {
            referred_bank: Some("022"),
            ..in_lorestan
        };
        assert_eq!(
            decide_transition(Some(&bank), A::BankApprove, &to_022),
            Decision::Allow
        );
        assert_eq!(
            decide_transition(Some(&bank), A::Approve, &to_022),
            Decision::Forbidden
        );
        assert_eq!(
            decide_transition(None, A::Submit, &to_022),
            Decision::Unauthenticated
        );
    }
}
