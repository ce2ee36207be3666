//! Who takes part in the festival of top cooperators, and how far each sees (issue 16).
//!
//! The ministry keeps festivals, panels and rounds; a representative enters its own
//! cooperative and a provincial officer nominates one of its province (the ministry may
//! nominate anywhere); a judge reads only the entries assigned to them, and what of the
//! other judges' marks `awards::visibility` allows.

use crate::access::{Decision, JudgePanel, Principal, Role};
use crate::awards::festival::RoundState;
use crate::coded::coded_enum;
use crate::reference::ProvinceCode;

/// How an entry came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryRoute {
    /// By the cooperative's representative.
    Entered,
    /// By a provincial officer (or the ministry) on the cooperative's behalf.
    Nominated,
}

coded_enum!(EntryRoute {
    Entered = "entered",
    Nominated = "nominated",
});

/// Which entries a principal may list; stores filter by it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AwardScope {
    All,
    Province(ProvinceCode),
    Cooperative(i64),
    /// Those assigned to this judge (user id) in their festival.
    Assigned {
        judge: i64,
        festival_year: i32,
    },
    None,
}

/// Whether `principal` keeps festivals: creates them, appoints panels, assigns judges and
/// moves the rounds.
pub fn keeps_festivals(principal: &Principal) -> bool {
    principal.role == Role::MinistryAdmin
}

/// The entries `principal` may list.
pub fn award_scope(principal: &Principal) -> AwardScope {
    match &principal.role {
        Role::MinistryAdmin | Role::Auditor => AwardScope::All,
        Role::ProvincialOfficer { province } => AwardScope::Province(province.clone()),
        Role::CooperativeRepresentative { cooperative_id, .. } => {
            AwardScope::Cooperative(*cooperative_id)
        }
        Role::Judge { festival_year, .. } => AwardScope::Assigned {
            judge: principal.user_id,
            festival_year: *festival_year,
        },
        Role::BankOfficer { .. } | Role::AgencyOfficer { .. } => AwardScope::None,
    }
}

/// Whether an entry of `cooperative_id` in `province` lies in `scope`; `assigned` says
/// whether the reader is one of its judges (read by the app for a judge's scope).
pub fn in_award_scope(
    scope: &AwardScope,
    province: &ProvinceCode,
    cooperative_id: i64,
    assigned: bool,
) -> bool {
    match scope {
        AwardScope::All => true,
        AwardScope::Province(own) => own == province,
        AwardScope::Cooperative(own) => *own == cooperative_id,
        AwardScope::Assigned { .. } => assigned,
        AwardScope::None => false,
    }
}

/// Whether `principal` may put `cooperative_id` (of `province`) into a festival, and how
/// the entry then came in.
pub fn decide_award_entry(
    principal: &Principal,
    cooperative_id: i64,
    province: &ProvinceCode,
) -> Result<EntryRoute, Decision> {
    match &principal.role {
        Role::CooperativeRepresentative {
            cooperative_id: own,
            ..
        } if *own == cooperative_id => Ok(EntryRoute::Entered),
        Role::ProvincialOfficer { province: own } if own == province => Ok(EntryRoute::Nominated),
        Role::MinistryAdmin => Ok(EntryRoute::Nominated),
        // They may read the cooperative, but entering it is not theirs to do.
        Role::Auditor | Role::BankOfficer { .. } => Err(Decision::Forbidden),
        Role::CooperativeRepresentative { .. }
        | Role::ProvincialOfficer { .. }
        | Role::AgencyOfficer { .. }
        | Role::Judge { .. } => Err(Decision::OutOfScope),
    }
}

/// Whose results of a round in `state` `principal` reads: a published round's are
/// everyone's (the public pages); a closed round's, not yet published, the ministry's and
/// auditors' whole and a provincial officer's for their province (their provincial
/// round's ranking); nobody reads a round still open or judging.
pub fn results_scope(principal: Option<&Principal>, state: RoundState) -> AwardScope {
    match state {
        RoundState::Published => AwardScope::All,
        RoundState::Closed => match principal.map(|p| &p.role) {
            Some(Role::MinistryAdmin | Role::Auditor) => AwardScope::All,
            Some(Role::ProvincialOfficer { province }) => AwardScope::Province(province.clone()),
            _ => AwardScope::None,
        },
        RoundState::OpenForEntries | RoundState::Judging => AwardScope::None,
    }
}

/// Whether `principal` follows the judging of entries (how many judges were assigned and
/// how many submitted, never who or what): the ministry, auditors and a province's
/// officers, within their award scope.
pub fn follows_judging(principal: &Principal) -> bool {
    matches!(
        principal.role,
        Role::MinistryAdmin | Role::Auditor | Role::ProvincialOfficer { .. }
    )
}

/// The panel `principal` judges on in the festival of `festival_year`, if they are one
/// of its judges.
pub fn judge_panel(principal: &Principal, festival_year: i32) -> Option<&JudgePanel> {
    match &principal.role {
        Role::Judge {
            festival_year: year,
            panel,
        } if *year == festival_year => Some(panel),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role) -> Principal {
        Principal {
            user_id: 7,
            username: "someone".into(),
            role,
        }
    }

    fn province(code: &str) -> ProvinceCode {
        ProvinceCode::parse(code).unwrap()
    }

    #[test]
    fn each_role_enters_only_what_it_keeps() {
        // Establishes who may put a cooperative into a festival, and how it came in.
        let ilam = province("IR-16");
        let tehran = province("IR-23");
        let representative = principal(Role::CooperativeRepresentative {
            cooperative_id: 5,
            province: ilam.clone(),
        });
        let officer = principal(Role::ProvincialOfficer {
            province: ilam.clone(),
        });
        let judge = principal(Role::Judge {
            festival_year: 1404,
            panel: JudgePanel::Provincial(ilam.clone()),
        });
        assert_eq!(
            decide_award_entry(&representative, 5, &ilam),
            Ok(EntryRoute::Entered)
        );
        assert_eq!(
            decide_award_entry(&representative, 6, &ilam),
            Err(Decision::OutOfScope)
        );
        assert_eq!(
            decide_award_entry(&officer, 6, &ilam),
            Ok(EntryRoute::Nominated)
        );
        assert_eq!(
            decide_award_entry(&officer, 6, &tehran),
            Err(Decision::OutOfScope)
        );
        assert_eq!(
            decide_award_entry(&principal(Role::MinistryAdmin), 6, &tehran),
            Ok(EntryRoute::Nominated)
        );
        assert_eq!(
            decide_award_entry(&principal(Role::Auditor), 6, &tehran),
            Err(Decision::Forbidden)
        );
        assert_eq!(
            decide_award_entry(&judge, 5, &ilam),
            Err(Decision::OutOfScope)
        );
    }

    #[test]
    fn a_judge_sees_only_their_assigned_entries_of_their_festival() {
        // Establishes the judge's scope: assignment alone decides, not the province, and
        // their role is of one festival's year.
        let ilam = province("IR-16");
        let judge = principal(Role::Judge {
            festival_year: 1404,
            panel: JudgePanel::National,
        });
        let scope = award_scope(&judge);
        assert_eq!(
            scope,
            AwardScope::Assigned {
                judge: 7,
                festival_year: 1404
            }
        );
        assert!(in_award_scope(&scope, &ilam, 5, true));
        assert!(!in_award_scope(&scope, &ilam, 5, false));
        assert_eq!(judge_panel(&judge, 1404), Some(&JudgePanel::National));
        assert_eq!(judge_panel(&judge, 1405), None);
        assert_eq!(judge_panel(&principal(Role::MinistryAdmin), 1404), None);
        let officer = award_scope(&principal(Role::ProvincialOfficer {
            province: ilam.clone(),
        }));
        assert!(in_award_scope(&officer, &ilam, 5, false));
        assert!(!in_award_scope(&officer, &province("IR-23"), 5, false));
        assert!(!keeps_festivals(&judge));
        assert!(keeps_festivals(&principal(Role::MinistryAdmin)));
    }

    #[test]
    fn a_closed_rounds_results_are_the_ministrys_and_the_provinces_own_until_published() {
        // Establishes who reads results before publication: the ministry all, an
        // officer their province, a representative, a judge and the public nothing.
        let ilam = province("IR-16");
        let officer = principal(Role::ProvincialOfficer {
            province: ilam.clone(),
        });
        let representative = principal(Role::CooperativeRepresentative {
            cooperative_id: 5,
            province: ilam.clone(),
        });
        let judge = principal(Role::Judge {
            festival_year: 1404,
            panel: JudgePanel::Provincial(ilam.clone()),
        });
        let admin = principal(Role::MinistryAdmin);
        assert_eq!(
            results_scope(Some(&admin), RoundState::Closed),
            AwardScope::All
        );
        assert_eq!(
            results_scope(Some(&officer), RoundState::Closed),
            AwardScope::Province(ilam)
        );
        for reader in [Some(&representative), Some(&judge), None] {
            assert_eq!(results_scope(reader, RoundState::Closed), AwardScope::None);
            assert_eq!(
                results_scope(reader, RoundState::Published),
                AwardScope::All
            );
        }
        assert_eq!(
            results_scope(Some(&admin), RoundState::Judging),
            AwardScope::None
        );
        assert!(follows_judging(&officer) && !follows_judging(&representative));
        assert!(!follows_judging(&judge));
    }
}
