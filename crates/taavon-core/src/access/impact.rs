//! The policy for jobs and the insured-worker lists (issue 14). The lists are personal
//! data of the Social Security Organization: only its agency officers upload them; they,
//! the ministry and auditors read rows; everyone else sees counts. A loan's hires are
//! reported by its borrower (the cooperative's representative, or a provincial officer
//! for an individual client); who reads the loan reads its hires, with national codes
//! only for those who may know the people. Fraud signals go to the provincial officer
//! of the province alone, who reviews them.

use super::{Action, Decision, LoanAction, LoanSubject, Principal, Resource, Role, decide_loan};
use crate::reference::ProvinceCode;

/// What a principal sees of the insured-worker lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsuredListView {
    /// Every row: workshop, national code, gender, month, days.
    Rows,
    /// How many rows, workshops and months, nothing about a person.
    Counts,
}

/// Whether `principal` may upload an insured-worker list.
pub fn decide_insured_upload(principal: Option<&Principal>) -> Decision {
    match principal.map(|p| &p.role) {
        None => Decision::Unauthenticated,
        Some(Role::AgencyOfficer { agency, .. }) if agency.is_sso() => Decision::Allow,
        Some(_) => Decision::Forbidden,
    }
}

/// What `role` sees of the lists.
pub fn insured_list_view(role: &Role) -> InsuredListView {
    match role {
        Role::MinistryAdmin | Role::Auditor => InsuredListView::Rows,
        Role::AgencyOfficer { agency, .. } if agency.is_sso() => InsuredListView::Rows,
        _ => InsuredListView::Counts,
    }
}

/// Whether `principal` may report (or amend) the hires of the loan: the borrower. A
/// cooperative's loan is reported by its representative; an individual client's
/// (`subject.cooperative_id` none) by a provincial officer of its province. A loan
/// outside the principal's scope is out of scope, as for reading it.
pub fn decide_job_report(principal: Option<&Principal>, subject: &LoanSubject<'_>) -> Decision {
    let read = decide_loan(principal, LoanAction::Read, subject);
    if read != Decision::Allow {
        return read;
    }
    let Some(principal) = principal else {
        return Decision::Unauthenticated;
    };
    let borrower = match (&principal.role, subject.cooperative_id) {
        (Role::CooperativeRepresentative { cooperative_id, .. }, Some(loan_cooperative)) => {
            *cooperative_id == loan_cooperative
        }
        (Role::ProvincialOfficer { province }, None) => province == subject.province,
        _ => false,
    };
    super::allow_if(borrower)
}

/// Whether `role`, which reads the loan, may see its hires' national codes: the
/// ministry, auditors, the province's officer and the borrowing cooperative. A bank
/// lends to the borrower, not to the people it hires, so it sees them masked.
pub fn sees_hire_national_codes(role: &Role, subject: &LoanSubject<'_>) -> bool {
    match role {
        Role::MinistryAdmin | Role::Auditor => true,
        Role::ProvincialOfficer { province } => province == subject.province,
        Role::CooperativeRepresentative { cooperative_id, .. } => {
            subject.cooperative_id == Some(*cooperative_id)
        }
        Role::BankOfficer { .. } | Role::AgencyOfficer { .. } | Role::Judge { .. } => false,
    }
}

/// Whether `principal` may read the fraud signals (hires insured before disbursement or
/// claimed by another loan) of `province`: its provincial officer alone. Another
/// province's officer gets `OutOfScope`, as for a record it may not know of.
pub fn decide_fraud_signals(principal: Option<&Principal>, province: &ProvinceCode) -> Decision {
    match principal.map(|p| &p.role) {
        None => Decision::Unauthenticated,
        Some(Role::ProvincialOfficer { province: own }) if own == province => Decision::Allow,
        Some(Role::ProvincialOfficer { .. }) => Decision::OutOfScope,
        Some(_) => Decision::Forbidden,
    }
}

/// A borrower whose SSO workshop code is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkshopHolderRef<'a> {
    Cooperative { id: i64, province: &'a ProvinceCode },
    Client { province: &'a ProvinceCode },
}

/// Whether `principal` may set a borrower's SSO workshop code. The code decides which
/// insured workers count as the borrower's jobs, so it is regulatory, like a
/// cooperative's legal ID: the ministry and the officers of the borrower's province set
/// it; a representative may not (its own jobs would follow the code it chose). Out of
/// scope is 404 as for the record.
pub fn decide_workshop_code(
    principal: Option<&Principal>,
    holder: WorkshopHolderRef<'_>,
) -> Decision {
    let resource = match holder {
        WorkshopHolderRef::Cooperative { id, province } => Resource::Cooperative {
            id: Some(id),
            province,
        },
        WorkshopHolderRef::Client { province } => Resource::Client { province },
    };
    let read = super::decide(principal, Action::Read, resource);
    if read != Decision::Allow {
        return read;
    }
    let Some(principal) = principal else {
        return Decision::Unauthenticated;
    };
    // `decide` confined the provincial officer to the holder's province.
    super::allow_if(matches!(
        principal.role,
        Role::MinistryAdmin | Role::ProvincialOfficer { .. }
    ))
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

    fn province(code: &str) -> ProvinceCode {
        ProvinceCode::parse(code).unwrap()
    }

    fn roles() -> Vec<Role> {
        vec![
            Role::MinistryAdmin,
            Role::ProvincialOfficer {
                province: province("IR-16"),
            },
            Role::ProvincialOfficer {
                province: province("IR-15"),
            },
            Role::BankOfficer {
                bank: "022".parse().unwrap(),
                provinces: vec![],
            },
            Role::AgencyOfficer {
                agency: crate::reference::AgencyCode::sso(),
                provinces: Vec::new(),
            },
            Role::AgencyOfficer {
                agency: "behzisti".parse().unwrap(),
                provinces: Vec::new(),
            },
            Role::CooperativeRepresentative {
                cooperative_id: 7,
                province: province("IR-16"),
            },
            Role::Auditor,
        ]
    }

    #[test]
    fn only_sso_officers_upload_and_only_they_the_ministry_and_auditors_read_rows() {
        // Establishes the upload × role and list view × role cells.
        let cells: Vec<(Decision, InsuredListView)> = roles()
            .into_iter()
            .map(|role| {
                let view = insured_list_view(&role);
                (decide_insured_upload(Some(&principal(role))), view)
            })
            .collect();
        use Decision::{Allow, Forbidden};
        use InsuredListView::{Counts, Rows};
        assert_eq!(
            cells,
            [
                (Forbidden, Rows),
                (Forbidden, Counts),
                (Forbidden, Counts),
                (Forbidden, Counts),
                (Allow, Rows),
                (Forbidden, Counts),
                (Forbidden, Counts),
                (Forbidden, Rows),
            ]
        );
        assert_eq!(decide_insured_upload(None), Decision::Unauthenticated);
    }

    #[test]
    fn the_borrower_reports_hires_and_national_codes_stay_in_the_province() {
        // Establishes report × role for a cooperative's loan and a client's loan in IR-16
        // (Ilam), and who sees the hires' national codes.
        let ilam = province("IR-16");
        let cooperative = LoanSubject {
            province: &ilam,
            cooperative_id: Some(7),
            bank: Some(&"022".parse().unwrap()),
        };
        let client = LoanSubject {
            cooperative_id: None,
            ..cooperative
        };
        use Decision::{Allow, Forbidden, OutOfScope};
        let cells: Vec<(Decision, Decision, bool)> = roles()
            .into_iter()
            .map(|role| {
                let p = principal(role.clone());
                (
                    decide_job_report(Some(&p), &cooperative),
                    decide_job_report(Some(&p), &client),
                    sees_hire_national_codes(&role, &cooperative),
                )
            })
            .collect();
        assert_eq!(
            cells,
            [
                (Forbidden, Forbidden, true),
                (Forbidden, Allow, true),
                (OutOfScope, OutOfScope, false),
                (Forbidden, Forbidden, false),
                (OutOfScope, OutOfScope, false),
                (OutOfScope, OutOfScope, false),
                (Allow, OutOfScope, true),
                (Forbidden, Forbidden, true),
            ]
        );
    }

    #[test]
    fn workshop_codes_are_set_by_the_ministry_and_the_officers_of_the_province() {
        // Establishes the workshop-code cells for an Ilam cooperative and client: a
        // representative reads its cooperative but may not set its code.
        let ilam = province("IR-16");
        use Decision::{Allow, Forbidden, OutOfScope};
        let cells: Vec<(Decision, Decision)> = roles()
            .into_iter()
            .map(|role| {
                let p = principal(role);
                (
                    decide_workshop_code(
                        Some(&p),
                        WorkshopHolderRef::Cooperative {
                            id: 7,
                            province: &ilam,
                        },
                    ),
                    decide_workshop_code(Some(&p), WorkshopHolderRef::Client { province: &ilam }),
                )
            })
            .collect();
        assert_eq!(
            cells,
            [
                (Allow, Allow),
                (Allow, Allow),
                (OutOfScope, OutOfScope),
                (Forbidden, OutOfScope),
                (OutOfScope, OutOfScope),
                (OutOfScope, OutOfScope),
                (Forbidden, OutOfScope),
                (Forbidden, Forbidden),
            ]
        );
        assert_eq!(
            decide_workshop_code(None, WorkshopHolderRef::Client { province: &ilam }),
            Decision::Unauthenticated
        );
    }

    #[test]
    fn fraud_signals_are_the_provincial_officers_of_their_province_alone() {
        // Establishes the fraud-signal cells for Ilam's list.
        let ilam = province("IR-16");
        let cells: Vec<Decision> = roles()
            .into_iter()
            .map(|role| decide_fraud_signals(Some(&principal(role)), &ilam))
            .collect();
        use Decision::{Allow, Forbidden, OutOfScope};
        assert_eq!(
            cells,
            [
                Forbidden, Allow, OutOfScope, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden
            ]
        );
    }
}
