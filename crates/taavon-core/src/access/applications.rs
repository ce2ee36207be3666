//! The policy for applications: who sees one, who drafts one, and who may take each
//! step of its workflow. The applicant never approves; an officer acts only in their
//! province; a bank acts only on what was referred to it. Four eyes: whoever drafted or
//! submitted an application (the applicant's side) never approves it, and a second
//! approval comes from an officer other than the first.

use super::{Action, Decision, Principal, Role, allow_if};
use crate::applications::{ApplicationState, Participants, TransitionAction};
use crate::reference::{BankCode, ProvinceCode};

/// An application as the policy sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApplicationSubject<'a> {
    pub province: &'a ProvinceCode,
    /// The applicant, when it is a cooperative.
    pub cooperative_id: Option<i64>,
    /// The bank it was referred to, once referred.
    pub referred_bank: Option<&'a BankCode>,
    /// Who has taken part so far (none for a draft not yet made).
    pub participants: Participants,
}

/// Which applications a list shows to a principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplicationScope {
    All,
    Provinces(Vec<ProvinceCode>),
    Cooperative(i64),
    /// Those referred to this bank, in these provinces (all when empty).
    Bank {
        bank: BankCode,
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
            subject.referred_bank == Some(bank)
                && (provinces.is_empty() || provinces.contains(subject.province))
        }
        Role::AgencyOfficer { .. } | Role::Judge { .. } => false,
    }
}

/// The states in which an application in `role`'s scope waits for that role (its task
/// inbox, oldest first): a representative's drafts and ineligible ones to revise, a
/// province's reviews, second approvals and referrals, a bank's referrals and contracts,
/// the ministry's second approvals. Auditors, agencies and judges act on none.
pub fn waiting_states(role: &Role) -> &'static [ApplicationState] {
    use ApplicationState as S;
    match role {
        Role::CooperativeRepresentative { .. } => &[S::Draft, S::Ineligible],
        Role::ProvincialOfficer { .. } => &[S::UnderReview, S::AwaitingSecondApproval, S::Approved],
        Role::BankOfficer { .. } => &[S::Referred, S::BankApproved],
        Role::MinistryAdmin => &[S::AwaitingSecondApproval],
        Role::Auditor | Role::AgencyOfficer { .. } | Role::Judge { .. } => &[],
    }
}

/// Whether `role` drafts applications at all (the new-application form's rule); which
/// applicants it drafts for, `decide` judges draft by draft.
pub fn drafts_applications(role: &Role) -> bool {
    matches!(
        role,
        Role::MinistryAdmin
            | Role::ProvincialOfficer { .. }
            | Role::CooperativeRepresentative { .. }
    )
}

/// Reading and drafting (`Create`); changes go through `decide_transition`.
pub(super) fn decide(role: &Role, action: Action, subject: &ApplicationSubject<'_>) -> Decision {
    match action {
        Action::Read if sees(role, subject) => Decision::Allow,
        Action::Read => Decision::OutOfScope,
        Action::Create if !drafts_applications(role) => Decision::Forbidden,
        Action::Create => match role {
            Role::ProvincialOfficer { province } => in_scope_if(province == subject.province),
            Role::CooperativeRepresentative { cooperative_id, .. } => {
                in_scope_if(subject.cooperative_id == Some(*cooperative_id))
            }
            // The ministry drafts for any applicant.
            _ => Decision::Allow,
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
    if may && action == A::Approve && subject.participants.took_part(principal.user_id) {
        return Decision::FourEyes;
    }
    allow_if(may)
}

/// Whether `principal` may change what an application asks (while it is revisable,
/// which the caller checks): its applicant's side only — the cooperative's
/// representative, or the officer who drafted it for the applicant. Another officer
/// reviews what was asked and never rewrites it.
pub fn decide_revision(
    principal: Option<&Principal>,
    subject: &ApplicationSubject<'_>,
) -> Decision {
    let Some(principal) = principal else {
        return Decision::Unauthenticated;
    };
    let role = &principal.role;
    if !sees(role, subject) {
        return Decision::OutOfScope;
    }
    let applicants_side = match role {
        Role::CooperativeRepresentative { .. } => true,
        Role::MinistryAdmin | Role::ProvincialOfficer { .. } => {
            subject.participants.drafted_by == Some(principal.user_id)
        }
        Role::BankOfficer { .. }
        | Role::AgencyOfficer { .. }
        | Role::Auditor
        | Role::Judge { .. } => false,
    };
    allow_if(applicants_side)
}

/// The moves `principal` may take now on an application in `state`: those the policy
/// allows and the workflow has from that state. Pages offer exactly these.
pub fn permitted_moves(
    principal: &Principal,
    subject: &ApplicationSubject<'_>,
    state: ApplicationState,
) -> Vec<TransitionAction> {
    TransitionAction::ALL
        .iter()
        .copied()
        .filter(|action| {
            state.leaves_by(*action)
                && decide_transition(Some(principal), *action, subject) == Decision::Allow
        })
        .collect()
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
        Role::AgencyOfficer { .. } | Role::Judge { .. } => ApplicationScope::None,
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

    /// An application of cooperative 5 in `province`, not referred, with `participants`.
    fn cooperative_5(
        province: &ProvinceCode,
        participants: Participants,
    ) -> ApplicationSubject<'_> {
        ApplicationSubject {
            province,
            cooperative_id: Some(5),
            referred_bank: None,
            participants,
        }
    }

    #[test]
    fn the_roles_that_draft_applications_are_those_the_policy_lets_draft_for_their_own() {
        // Establishes that the new-application form's rule and `decide(Create)` are one
        // statement: each role drafts for an applicant of its own scope exactly when it
        // drafts at all.
        let ilam = province("IR-16");
        let roles = [
            Role::MinistryAdmin,
            Role::ProvincialOfficer {
                province: ilam.clone(),
            },
            Role::CooperativeRepresentative {
                cooperative_id: 5,
                province: ilam.clone(),
            },
            Role::BankOfficer {
                bank: "022".parse().unwrap(),
                provinces: Vec::new(),
            },
            Role::AgencyOfficer {
                agency: "sso".parse().unwrap(),
                provinces: Vec::new(),
            },
            Role::Auditor,
        ];
        for role in roles {
            let own = decide(
                &role,
                Action::Create,
                &cooperative_5(&ilam, Participants::default()),
            );
            assert_eq!(
                drafts_applications(&role),
                own == Decision::Allow,
                "{role:?}"
            );
        }
    }

    fn officer(user_id: i64, province: &ProvinceCode) -> Principal {
        Principal {
            user_id,
            ..principal(Role::ProvincialOfficer {
                province: province.clone(),
            })
        }
    }

    #[test]
    fn the_applicant_never_approves() {
        let ilam = province("IR-16");
        let representative = principal(Role::CooperativeRepresentative {
            cooperative_id: 5,
            province: ilam.clone(),
        });
        let own = cooperative_5(&ilam, Participants::default());
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
            bank: "022".parse().unwrap(),
            provinces: vec![],
        });
        let in_lorestan = ApplicationSubject {
            province: &lorestan,
            cooperative_id: None,
            referred_bank: Some(&"013".parse().unwrap()),
            participants: Participants::default(),
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
            referred_bank: Some(&"022".parse().unwrap()),
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

    #[test]
    fn whoever_drafted_submitted_or_first_approved_an_application_does_not_approve_it() {
        // Establishes the four-eyes rule: the drafter (filing for the applicant), the
        // submitter and the first approver are refused an approval, and only an approval;
        // another officer of the province, or a ministry admin, may give it.
        let ilam = province("IR-16");
        let (drafter, submitter, first, second) = (
            officer(11, &ilam),
            officer(12, &ilam),
            officer(13, &ilam),
            officer(14, &ilam),
        );
        let admin = Principal {
            user_id: 15,
            ..principal(Role::MinistryAdmin)
        };
        let subject = cooperative_5(
            &ilam,
            Participants {
                drafted_by: Some(11),
                submitted_by: Some(12),
                first_approver: Some(13),
            },
        );
        for took_part in [&drafter, &submitter, &first] {
            assert_eq!(
                decide_transition(Some(took_part), A::Approve, &subject),
                Decision::FourEyes,
                "{}",
                took_part.user_id
            );
            for other in [A::Reject, A::Refer, A::Withdraw] {
                assert_eq!(
                    decide_transition(Some(took_part), other, &subject),
                    Decision::Allow
                );
            }
        }
        for fresh in [&second, &admin] {
            assert_eq!(
                decide_transition(Some(fresh), A::Approve, &subject),
                Decision::Allow
            );
        }
        // The role's refusal comes first: a representative is forbidden, not "four eyes".
        let representative = Principal {
            user_id: 11,
            ..principal(Role::CooperativeRepresentative {
                cooperative_id: 5,
                province: ilam.clone(),
            })
        };
        assert_eq!(
            decide_transition(Some(&representative), A::Approve, &subject),
            Decision::Forbidden
        );
    }

    #[test]
    fn the_moves_offered_are_those_the_policy_allows_from_the_state() {
        // Establishes what a page offers: the drafter sees no approval, a fresh officer
        // does, and nothing the state does not leave by is offered.
        let ilam = province("IR-16");
        let subject = cooperative_5(
            &ilam,
            Participants {
                drafted_by: Some(11),
                submitted_by: Some(11),
                first_approver: None,
            },
        );
        let state = ApplicationState::UnderReview;
        assert_eq!(
            permitted_moves(&officer(11, &ilam), &subject, state),
            [A::Reject, A::Withdraw]
        );
        assert_eq!(
            permitted_moves(&officer(14, &ilam), &subject, state),
            [A::Approve, A::Reject, A::Withdraw]
        );
        assert!(
            permitted_moves(&officer(14, &ilam), &subject, ApplicationState::Rejected).is_empty()
        );
    }

    #[test]
    fn only_the_applicants_side_revises_an_application() {
        // Establishes who may change what an application asks: the cooperative's
        // representative, or the officer who drafted it; never another officer of the
        // province, a bank or an auditor, and nobody outside its scope.
        let ilam = province("IR-16");
        let lorestan = province("IR-15");
        let drafted_by_11 = cooperative_5(
            &ilam,
            Participants {
                drafted_by: Some(11),
                ..Participants::default()
            },
        );
        let representative = principal(Role::CooperativeRepresentative {
            cooperative_id: 5,
            province: ilam.clone(),
        });
        let other_representative = principal(Role::CooperativeRepresentative {
            cooperative_id: 6,
            province: ilam.clone(),
        });
        let cases = [
            (&representative, Decision::Allow),
            (&officer(11, &ilam), Decision::Allow),
            (&officer(14, &ilam), Decision::Forbidden),
            (&officer(11, &lorestan), Decision::OutOfScope),
            (&other_representative, Decision::OutOfScope),
            (&principal(Role::Auditor), Decision::Forbidden),
        ];
        for (who, expected) in cases {
            assert_eq!(
                decide_revision(Some(who), &drafted_by_11),
                expected,
                "{:?}",
                who.role
            );
        }
        assert_eq!(
            decide_revision(None, &drafted_by_11),
            Decision::Unauthenticated
        );
    }
}
