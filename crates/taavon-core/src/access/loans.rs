//! The policy for loans and the pooled funds' ledger. Money moves only by the bank that
//! holds the loan (in its provinces); officers, the cooperative and auditors read; an
//! agency officer reads its own agency's pooled resources. Four eyes: an action that
//! changes what a borrower owes (a rescheduling, a reversal) above the configured amount
//! is a proposal that another officer of the same bank approves.

use super::{Decision, Principal, Role, allow_if};
use crate::reference::{AgencyCode, BankCode, ProvinceCode};

/// What is done to a loan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoanAction {
    Read,
    /// Write the contract of a bank-approved application.
    Contract,
    /// Pay out a tranche, take a repayment, reverse a transaction, reschedule, settle.
    Transact,
}

/// A loan (or, for `Contract`, the application it will come from) as the policy sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoanSubject<'a> {
    pub province: &'a ProvinceCode,
    pub cooperative_id: Option<i64>,
    /// None for an application not yet referred: no bank acts on it.
    pub bank: Option<&'a BankCode>,
}

fn sees(role: &Role, subject: &LoanSubject<'_>) -> bool {
    match role {
        Role::MinistryAdmin | Role::Auditor => true,
        Role::ProvincialOfficer { province } => province == subject.province,
        Role::CooperativeRepresentative { cooperative_id, .. } => {
            subject.cooperative_id == Some(*cooperative_id)
        }
        Role::BankOfficer { bank, provinces } => {
            subject.bank == Some(bank)
                && (provinces.is_empty() || provinces.contains(subject.province))
        }
        Role::AgencyOfficer { .. } | Role::Judge { .. } => false,
    }
}

/// Whether `principal` may take `action` on the loan.
pub fn decide_loan(
    principal: Option<&Principal>,
    action: LoanAction,
    subject: &LoanSubject<'_>,
) -> Decision {
    let Some(principal) = principal else {
        return Decision::Unauthenticated;
    };
    let role = &principal.role;
    if !sees(role, subject) {
        return Decision::OutOfScope;
    }
    match action {
        LoanAction::Read => Decision::Allow,
        LoanAction::Contract | LoanAction::Transact => {
            allow_if(matches!(role, Role::BankOfficer { .. }))
        }
    }
}

/// What is done to a pending proposal of a bank money action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProposalDecision {
    /// Carry it out: only an officer other than the one who proposed it.
    Approve,
    /// Refuse it: any officer who may move money on the loan, its proposer included
    /// (who thereby withdraws it).
    Reject,
}

/// Whether an action that changes what a borrower owes by `amount_rial` waits for a
/// second officer (strictly above `above_rial`; at or below it executes at once).
pub fn needs_second_officer(amount_rial: i64, above_rial: i64) -> bool {
    amount_rial > above_rial
}

/// Whether `principal` may approve or reject a proposal `proposed_by` made on the loan:
/// an officer of the loan's bank in its provinces (as for `Transact`), and for an
/// approval not the proposer.
pub fn decide_proposal(
    principal: Option<&Principal>,
    subject: &LoanSubject<'_>,
    proposed_by: i64,
    decision: ProposalDecision,
) -> Decision {
    let Some(who) = principal else {
        return Decision::Unauthenticated;
    };
    match decide_loan(principal, LoanAction::Transact, subject) {
        Decision::Allow if decision == ProposalDecision::Approve && who.user_id == proposed_by => {
            Decision::FourEyes
        }
        other => other,
    }
}

/// What of the pooled funds' ledger a principal reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerView {
    /// Every account and the trial balance.
    All,
    /// One agency's deposits and the programs they feed.
    Agency(AgencyCode),
    /// The program funds and loan books of one province.
    Province(ProvinceCode),
    None,
}

pub fn ledger_view(principal: &Principal) -> LedgerView {
    match &principal.role {
        Role::MinistryAdmin | Role::Auditor => LedgerView::All,
        Role::AgencyOfficer { agency, .. } => LedgerView::Agency(agency.clone()),
        Role::ProvincialOfficer { province } => LedgerView::Province(province.clone()),
        Role::BankOfficer { .. } | Role::CooperativeRepresentative { .. } | Role::Judge { .. } => {
            LedgerView::None
        }
    }
}

/// Whether `principal` reads any loan (the loans menu's rule): a loan is read as the
/// application it came from, so whoever lists applications lists their loans.
pub fn reads_loans(principal: &Principal) -> bool {
    super::application_scope(principal) != super::ApplicationScope::None
}

/// Moving money between agencies' deposits and program funds is the ministry's.
pub fn may_fund_programs(principal: &Principal) -> bool {
    matches!(principal.role, Role::MinistryAdmin)
}

/// An agency's money is deposited at a bank by the agency's own officer, or by the
/// ministry on its behalf (PRODUCT.md: the agency officer "deposits pooled funds").
pub fn may_deposit(principal: &Principal, agency: &AgencyCode) -> bool {
    match &principal.role {
        Role::MinistryAdmin => true,
        Role::AgencyOfficer { agency: own, .. } => own == agency,
        _ => false,
    }
}

/// The business date and the official holidays every deadline and late charge counts
/// by are the ministry's to keep.
pub fn keeps_calendar(principal: &Principal) -> bool {
    matches!(principal.role, Role::MinistryAdmin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role) -> Principal {
        Principal {
            user_id: 1,
            username: "someone".into(),
            role,
        }
    }

    #[test]
    fn only_the_loans_bank_moves_money_and_only_in_its_provinces() {
        let ilam = ProvinceCode::parse("IR-16").unwrap();
        let lorestan = ProvinceCode::parse("IR-15").unwrap();
        let loan = LoanSubject {
            province: &ilam,
            cooperative_id: Some(7),
            bank: Some(&"022".parse().unwrap()),
        };
        let bank_ilam = principal(Role::BankOfficer {
            bank: "022".parse().unwrap(),
            provinces: vec![ilam.clone()],
        });
        let bank_lorestan = principal(Role::BankOfficer {
            bank: "022".parse().unwrap(),
            provinces: vec![lorestan.clone()],
        });
        let other_bank = principal(Role::BankOfficer {
            bank: "013".parse().unwrap(),
            provinces: vec![],
        });
        let officer = principal(Role::ProvincialOfficer {
            province: ilam.clone(),
        });
        let officer_lorestan = principal(Role::ProvincialOfficer { province: lorestan });
        let member = principal(Role::CooperativeRepresentative {
            cooperative_id: 7,
            province: ilam.clone(),
        });
        for action in [LoanAction::Contract, LoanAction::Transact] {
            assert_eq!(
                decide_loan(Some(&bank_ilam), action, &loan),
                Decision::Allow
            );
            assert_eq!(
                decide_loan(Some(&bank_lorestan), action, &loan),
                Decision::OutOfScope
            );
            assert_eq!(
                decide_loan(Some(&other_bank), action, &loan),
                Decision::OutOfScope
            );
            assert_eq!(
                decide_loan(Some(&officer), action, &loan),
                Decision::Forbidden
            );
            assert_eq!(
                decide_loan(Some(&member), action, &loan),
                Decision::Forbidden
            );
            assert_eq!(decide_loan(None, action, &loan), Decision::Unauthenticated);
        }
        assert_eq!(
            decide_loan(Some(&officer), LoanAction::Read, &loan),
            Decision::Allow
        );
        assert_eq!(
            decide_loan(Some(&member), LoanAction::Read, &loan),
            Decision::Allow
        );
        assert_eq!(
            decide_loan(Some(&officer_lorestan), LoanAction::Read, &loan),
            Decision::OutOfScope
        );
    }

    #[test]
    fn a_proposal_is_approved_by_another_officer_of_the_same_bank_only() {
        // Establishes four eyes on bank money actions: the proposer may withdraw (reject)
        // but not approve; a second officer of the bank approves; another bank, or an
        // officer of the province, cannot touch it.
        let ilam = ProvinceCode::parse("IR-16").unwrap();
        let loan = LoanSubject {
            province: &ilam,
            cooperative_id: Some(7),
            bank: Some(&"022".parse().unwrap()),
        };
        let bank_officer = |user_id, bank: &str| Principal {
            user_id,
            ..principal(Role::BankOfficer {
                bank: bank.parse().unwrap(),
                provinces: vec![],
            })
        };
        let (proposer, second, other_bank) = (
            bank_officer(21, "022"),
            bank_officer(22, "022"),
            bank_officer(23, "013"),
        );
        let officer = principal(Role::ProvincialOfficer {
            province: ilam.clone(),
        });
        use ProposalDecision::{Approve, Reject};
        let decide = |who: &Principal, decision| decide_proposal(Some(who), &loan, 21, decision);
        assert_eq!(decide(&proposer, Approve), Decision::FourEyes);
        assert_eq!(decide(&proposer, Reject), Decision::Allow);
        assert_eq!(decide(&second, Approve), Decision::Allow);
        assert_eq!(decide(&second, Reject), Decision::Allow);
        assert_eq!(decide(&other_bank, Approve), Decision::OutOfScope);
        assert_eq!(decide(&officer, Approve), Decision::Forbidden);
        assert_eq!(
            decide_proposal(None, &loan, 21, Approve),
            Decision::Unauthenticated
        );
        assert!(needs_second_officer(1_000_000_001, 1_000_000_000));
        assert!(!needs_second_officer(1_000_000_000, 1_000_000_000));
    }

    #[test]
    fn an_agency_deposits_its_own_money_and_the_ministry_any_agencys() {
        // Establishes who records a deposit of pooled resources: the agency's officer for
        // that agency only, the ministry for any; nobody else.
        let sso = principal(Role::AgencyOfficer {
            agency: "sso".parse().unwrap(),
            provinces: Vec::new(),
        });
        assert!(may_deposit(&sso, &"sso".parse().unwrap()));
        assert!(!may_deposit(&sso, &"behzisti".parse().unwrap()));
        assert!(may_deposit(
            &principal(Role::MinistryAdmin),
            &"behzisti".parse().unwrap()
        ));
        assert!(!may_deposit(
            &principal(Role::Auditor),
            &"sso".parse().unwrap()
        ));
        assert!(keeps_calendar(&principal(Role::MinistryAdmin)));
        assert!(!keeps_calendar(&sso));
    }
}
