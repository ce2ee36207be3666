//! The access policy: the one place that decides who may do what to which record.
//!
//! Handlers and use cases never compare roles themselves; they ask `decide` (for one
//! record) or `cooperative_scope` (for a list) and obey the answer. Keeping the rules in
//! one pure function is what lets one table-driven test cover every route × role ×
//! province.

mod applications;
mod awards;
mod events;
mod impact;
mod loans;
mod people;
mod registry;
mod services;
mod support;

pub use applications::{
    ApplicationScope, ApplicationSubject, application_scope, decide_revision, decide_transition,
    drafts_applications, permitted_moves, waiting_states,
};
pub use awards::{
    AwardScope, EntryRoute, award_scope, decide_award_entry, follows_judging, in_award_scope,
    judge_panel, keeps_festivals, results_scope,
};
pub use events::{EventScope, event_scope, keeps_webhooks};
pub use impact::{
    InsuredListView, WorkshopHolderRef, decide_fraud_signals, decide_insured_upload,
    decide_job_report, decide_workshop_code, insured_list_view, sees_hire_national_codes,
};
pub use loans::{
    LedgerView, LoanAction, LoanSubject, ProposalDecision, decide_loan, decide_proposal,
    keeps_calendar, ledger_view, may_deposit, may_fund_programs, needs_second_officer, reads_loans,
};
pub use people::{PersonView, decide_person_view};
pub use registry::{
    ApplicantSubject, CooperativeField, CooperativeRef, decide_cooperative_field,
    decide_personal_data, editable_cooperative_fields,
};
pub use services::{
    ServiceScope, decide_service_figures, decide_service_import, decide_service_record,
    service_scope,
};
pub use support::{
    SupportScope, SupportSubject, decide_support_filing, decide_support_read, in_support_scope,
    keeps_support_routing, support_scope, support_sides,
};

use crate::reference::{AgencyCode, BankCode, ProvinceCode};

/// A user's role together with the scope it is confined to (PRODUCT.md, "Who uses it").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Nation-wide: programs, budgets, quotas, reference data, awards, users.
    MinistryAdmin,
    /// One province (اداره کل استان).
    ProvincialOfficer { province: ProvinceCode },
    /// One bank (its Sheba code, e.g. `022`), in the listed provinces; an empty list means
    /// the bank's head office, which sees every province.
    BankOfficer {
        bank: BankCode,
        provinces: Vec<ProvinceCode>,
    },
    /// One agency (e.g. `sso`, `behzisti`), in the listed provinces; an empty list means
    /// the agency's head office, which sees every province.
    AgencyOfficer {
        agency: AgencyCode,
        provinces: Vec<ProvinceCode>,
    },
    /// One cooperative, which lies in one province.
    CooperativeRepresentative {
        cooperative_id: i64,
        province: ProvinceCode,
    },
    /// Read-only, nation-wide, including the audit trail.
    Auditor,
    /// A judge of one festival (its Jalali year) on one panel: reads and marks only the
    /// entries assigned to them (`award_scope`).
    Judge {
        festival_year: i32,
        panel: JudgePanel,
    },
}

/// The panel a judge sits on: a province's, for its provincial round, or the national
/// one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JudgePanel {
    Provincial(ProvinceCode),
    National,
}

/// The stable codes of the roles, as stored and as shown in the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoleKind {
    MinistryAdmin,
    ProvincialOfficer,
    BankOfficer,
    AgencyOfficer,
    CooperativeRepresentative,
    Auditor,
    Judge,
}

/// Someone who has proven who they are (by session or bearer token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
}

/// What is being done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Read,
    Create,
    Update,
}

/// What it is being done to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource<'a> {
    /// Provinces, counties, tiers, sectors, agencies, banks: public, non-personal.
    ReferenceData,
    /// One cooperative, or (for `Create`) a new one in this province. `Update` covers
    /// its members and share register; which of its own fields a role may change is
    /// `decide_cooperative_field`, and who reads its members `decide_personal_data`.
    Cooperative {
        id: Option<i64>,
        province: &'a ProvinceCode,
    },
    /// Individual clients (artisans, welfare clients) of a province, kept by its
    /// officers; a bank reads only its borrowers' (`decide_personal_data`).
    Client { province: &'a ProvinceCode },
    /// A founders' application to form a cooperative in a province; `Update` decides it.
    Formation { province: &'a ProvinceCode },
    /// The hash-chained record of every state change.
    AuditTrail,
    /// User accounts other than one's own.
    Users,
    /// One's own account.
    OwnAccount,
    /// Programs: every user reads them; ministry admins define and change them.
    Program,
    /// An application for a facility (`Create` makes a draft for its applicant).
    Application(ApplicationSubject<'a>),
}

/// The answer, with the HTTP-relevant reason for a refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Nobody is logged in and the resource is not public (401).
    Unauthenticated,
    /// The user may know the resource exists but may not do this (403).
    Forbidden,
    /// The record lies outside the user's scope; its existence is not revealed (404).
    OutOfScope,
    /// Four eyes: the user already took part in this decision (drafted, submitted,
    /// proposed or gave the first approval), so another officer must take it (403).
    FourEyes,
}

/// Which cooperatives a list shows to a principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CooperativeScope {
    All,
    Provinces(Vec<ProvinceCode>),
    One(i64),
    None,
}

impl RoleKind {
    pub const ALL: [RoleKind; 7] = [
        RoleKind::MinistryAdmin,
        RoleKind::ProvincialOfficer,
        RoleKind::BankOfficer,
        RoleKind::AgencyOfficer,
        RoleKind::CooperativeRepresentative,
        RoleKind::Auditor,
        RoleKind::Judge,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RoleKind::MinistryAdmin => "ministry_admin",
            RoleKind::ProvincialOfficer => "provincial_officer",
            RoleKind::BankOfficer => "bank_officer",
            RoleKind::AgencyOfficer => "agency_officer",
            RoleKind::CooperativeRepresentative => "cooperative_representative",
            RoleKind::Auditor => "auditor",
            RoleKind::Judge => "judge",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn name_fa(self) -> &'static str {
        match self {
            RoleKind::MinistryAdmin => "مدیر وزارتخانه",
            RoleKind::ProvincialOfficer => "کارشناس اداره کل استان",
            RoleKind::BankOfficer => "کارشناس بانک",
            RoleKind::AgencyOfficer => "کارشناس سازمان",
            RoleKind::CooperativeRepresentative => "نماینده تعاونی",
            RoleKind::Auditor => "حسابرس",
            RoleKind::Judge => "داور جشنواره",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            RoleKind::MinistryAdmin => "Ministry admin",
            RoleKind::ProvincialOfficer => "Provincial officer",
            RoleKind::BankOfficer => "Bank officer",
            RoleKind::AgencyOfficer => "Agency officer",
            RoleKind::CooperativeRepresentative => "Cooperative representative",
            RoleKind::Auditor => "Auditor",
            RoleKind::Judge => "Festival judge",
        }
    }
}

impl Role {
    pub fn kind(&self) -> RoleKind {
        match self {
            Role::MinistryAdmin => RoleKind::MinistryAdmin,
            Role::ProvincialOfficer { .. } => RoleKind::ProvincialOfficer,
            Role::BankOfficer { .. } => RoleKind::BankOfficer,
            Role::AgencyOfficer { .. } => RoleKind::AgencyOfficer,
            Role::CooperativeRepresentative { .. } => RoleKind::CooperativeRepresentative,
            Role::Auditor => RoleKind::Auditor,
            Role::Judge { .. } => RoleKind::Judge,
        }
    }

    /// The single province a role is confined to, if it is confined to exactly one.
    pub fn home_province(&self) -> Option<&ProvinceCode> {
        match self {
            Role::ProvincialOfficer { province }
            | Role::CooperativeRepresentative { province, .. } => Some(province),
            Role::BankOfficer { provinces, .. } | Role::AgencyOfficer { provinces, .. }
                if provinces.len() == 1 =>
            {
                provinces.first()
            }
            _ => None,
        }
    }
}

/// Decides whether `principal` (or an anonymous visitor, `None`) may do `action` to
/// `resource`.
pub fn decide(principal: Option<&Principal>, action: Action, resource: Resource<'_>) -> Decision {
    if resource == Resource::ReferenceData && action == Action::Read {
        return Decision::Allow;
    }
    let Some(principal) = principal else {
        return Decision::Unauthenticated;
    };
    let role = &principal.role;
    match resource {
        Resource::ReferenceData => allow_if(role == &Role::MinistryAdmin),
        Resource::OwnAccount => Decision::Allow,
        Resource::Users => allow_if(role == &Role::MinistryAdmin),
        Resource::AuditTrail => {
            allow_if(action == Action::Read && matches!(role, Role::MinistryAdmin | Role::Auditor))
        }
        Resource::Cooperative { id, province } => decide_cooperative(role, action, id, province),
        Resource::Client { province } => decide_provincial_record(role, action, province, false),
        Resource::Formation { province } => decide_provincial_record(role, action, province, true),
        Resource::Program => allow_if(action == Action::Read || role == &Role::MinistryAdmin),
        Resource::Application(subject) => applications::decide(role, action, &subject),
    }
}

/// Whether a principal keeps the registry somewhere: registers cooperatives and decides
/// formations (for navigation and forms; each change is still checked per province).
pub fn keeps_registry(principal: &Principal) -> bool {
    matches!(
        principal.role,
        Role::MinistryAdmin | Role::ProvincialOfficer { .. }
    )
}

/// Whether a principal's work goes through the API (a bank's core system, an agency's
/// uploads, the ministry's integrations), so its menu offers the API's documentation.
/// Provincial officers, representatives and auditors work in the pages alone.
pub fn uses_api(principal: &Principal) -> bool {
    matches!(
        principal.role,
        Role::MinistryAdmin | Role::BankOfficer { .. } | Role::AgencyOfficer { .. }
    )
}

/// The cooperatives a principal may list; stores filter by it.
pub fn cooperative_scope(principal: &Principal) -> CooperativeScope {
    match &principal.role {
        Role::MinistryAdmin | Role::Auditor => CooperativeScope::All,
        Role::ProvincialOfficer { province } => CooperativeScope::Provinces(vec![province.clone()]),
        Role::BankOfficer { provinces, .. } if provinces.is_empty() => CooperativeScope::All,
        Role::BankOfficer { provinces, .. } => CooperativeScope::Provinces(provinces.clone()),
        Role::CooperativeRepresentative { cooperative_id, .. } => {
            CooperativeScope::One(*cooperative_id)
        }
        // Agencies act on the support requests routed to them (`support_scope`), not on the
        // registry; judges read their assigned entries' snapshots (`award_scope`), never
        // the registry itself.
        Role::AgencyOfficer { .. } | Role::Judge { .. } => CooperativeScope::None,
    }
}

fn decide_cooperative(
    role: &Role,
    action: Action,
    id: Option<i64>,
    province: &ProvinceCode,
) -> Decision {
    let in_scope = match role {
        Role::MinistryAdmin | Role::Auditor => true,
        Role::ProvincialOfficer { province: own } => own == province,
        Role::BankOfficer { provinces, .. } => provinces.is_empty() || provinces.contains(province),
        Role::CooperativeRepresentative { cooperative_id, .. } => id == Some(*cooperative_id),
        Role::AgencyOfficer { .. } | Role::Judge { .. } => false,
    };
    if !in_scope {
        return Decision::OutOfScope;
    }
    let may = match action {
        Action::Read => true,
        Action::Create => matches!(role, Role::MinistryAdmin | Role::ProvincialOfficer { .. }),
        Action::Update => matches!(
            role,
            Role::MinistryAdmin
                | Role::ProvincialOfficer { .. }
                | Role::CooperativeRepresentative { .. }
        ),
    };
    allow_if(may)
}

/// Records a province's officers keep (clients, formations): they and ministry admins
/// read and change them; auditors read; bank officers read them in their provinces when
/// `banks_read` (formations; clients are personal data a bank reads only of its
/// borrowers, by `decide_personal_data`).
fn decide_provincial_record(
    role: &Role,
    action: Action,
    province: &ProvinceCode,
    banks_read: bool,
) -> Decision {
    match role {
        Role::MinistryAdmin => Decision::Allow,
        Role::Auditor => allow_if(action == Action::Read),
        Role::ProvincialOfficer { province: own } if own == province => Decision::Allow,
        Role::BankOfficer { provinces, .. }
            if banks_read && (provinces.is_empty() || provinces.contains(province)) =>
        {
            allow_if(action == Action::Read)
        }
        _ => Decision::OutOfScope,
    }
}

pub(crate) fn allow_if(condition: bool) -> Decision {
    if condition {
        Decision::Allow
    } else {
        Decision::Forbidden
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn province(code: &str) -> ProvinceCode {
        ProvinceCode::parse(code).unwrap()
    }

    pub(super) fn principal(role: Role) -> Principal {
        Principal {
            user_id: 1,
            username: "someone".into(),
            role,
        }
    }

    #[test]
    fn an_ilam_officer_can_neither_read_nor_change_a_lorestan_cooperative() {
        // Establishes the province wall for provincial officers in both directions.
        let ilam = principal(Role::ProvincialOfficer {
            province: province("IR-16"),
        });
        let lorestan = province("IR-15");
        let ilam_code = province("IR-16");
        for action in [Action::Read, Action::Update, Action::Create] {
            let other = Resource::Cooperative {
                id: Some(7),
                province: &lorestan,
            };
            assert_eq!(decide(Some(&ilam), action, other), Decision::OutOfScope);
            let own = Resource::Cooperative {
                id: Some(8),
                province: &ilam_code,
            };
            assert_eq!(decide(Some(&ilam), action, own), Decision::Allow);
        }
        assert_eq!(
            cooperative_scope(&ilam),
            CooperativeScope::Provinces(vec![ilam_code])
        );
    }

    #[test]
    fn the_api_is_for_the_ministry_the_banks_and_the_agencies() {
        // Establishes who is offered the API's documentation: those whose systems call it.
        let uses = |role| uses_api(&principal(role));
        assert!(uses(Role::MinistryAdmin));
        assert!(uses(Role::BankOfficer {
            bank: "022".parse().unwrap(),
            provinces: Vec::new(),
        }));
        assert!(uses(Role::AgencyOfficer {
            agency: "sso".parse().unwrap(),
            provinces: Vec::new(),
        }));
        assert!(!uses(Role::Auditor));
        assert!(!uses(Role::ProvincialOfficer {
            province: province("IR-16")
        }));
        assert!(!uses(Role::CooperativeRepresentative {
            cooperative_id: 1,
            province: province("IR-16"),
        }));
    }

    #[test]
    fn anonymous_visitors_see_reference_data_and_nothing_else() {
        // Establishes that the public reaches only non-personal reference data.
        let ilam = province("IR-16");
        assert_eq!(
            decide(None, Action::Read, Resource::ReferenceData),
            Decision::Allow
        );
        for resource in [
            Resource::AuditTrail,
            Resource::Users,
            Resource::OwnAccount,
            Resource::Cooperative {
                id: Some(1),
                province: &ilam,
            },
        ] {
            assert_eq!(
                decide(None, Action::Read, resource),
                Decision::Unauthenticated
            );
        }
    }

    #[test]
    fn the_auditor_reads_everything_and_changes_nothing() {
        // Establishes the auditor's read-only, nation-wide scope.
        let auditor = principal(Role::Auditor);
        let lorestan = province("IR-15");
        let cooperative = Resource::Cooperative {
            id: Some(3),
            province: &lorestan,
        };
        assert_eq!(
            decide(Some(&auditor), Action::Read, cooperative),
            Decision::Allow
        );
        assert_eq!(
            decide(Some(&auditor), Action::Update, cooperative),
            Decision::Forbidden
        );
        assert_eq!(
            decide(Some(&auditor), Action::Read, Resource::AuditTrail),
            Decision::Allow
        );
        assert_eq!(
            decide(Some(&auditor), Action::Read, Resource::Users),
            Decision::Forbidden
        );
    }

    #[test]
    fn a_representative_sees_only_their_own_cooperative() {
        // Establishes that a cooperative representative is confined to one record.
        let ilam = province("IR-16");
        let representative = principal(Role::CooperativeRepresentative {
            cooperative_id: 5,
            province: ilam.clone(),
        });
        let own = Resource::Cooperative {
            id: Some(5),
            province: &ilam,
        };
        let neighbour = Resource::Cooperative {
            id: Some(6),
            province: &ilam,
        };
        assert_eq!(
            decide(Some(&representative), Action::Read, own),
            Decision::Allow
        );
        assert_eq!(
            decide(Some(&representative), Action::Read, neighbour),
            Decision::OutOfScope
        );
        assert_eq!(cooperative_scope(&representative), CooperativeScope::One(5));
    }

    #[test]
    fn role_codes_read_back() {
        // Establishes that every stored role code parses to the role that wrote it.
        for kind in RoleKind::ALL {
            assert_eq!(RoleKind::parse(kind.code()), Some(kind));
        }
        assert_eq!(RoleKind::parse("root"), None);
    }
}
