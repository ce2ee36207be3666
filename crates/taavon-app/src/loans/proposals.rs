//! Four eyes on bank money actions. A rescheduling or a reversal changes what a borrower
//! owes, so the officer's request is recorded as a proposal (its body, who, when) after
//! it is checked in full. At or below `bank_second_approval_above_rial` it is executed
//! in the same transaction, as before; above it, it waits until another officer of the
//! same bank approves it (it is then checked again and executed, in one transaction with
//! the decision) or rejects it with a reason. A proposal is for the loan as it stood:
//! once the loan changed (a payment, another proposal executed, end of day) it can no
//! longer be approved, so the second officer approves exactly what was proposed, and
//! two requests of one officer for the same change are never both carried out.
//!
//! Every request, executed at once or not, is a proposal, so an `Idempotency-Key`
//! always records the proposal and a replay answers with it as it now stands.

use serde::{Deserialize, Serialize};
use taavon_core::access::{
    Decision, LoanAction, LoanSubject, Principal, ProposalDecision, decide_proposal,
    needs_second_officer,
};
use taavon_core::limits::TextKind;
use taavon_core::loans::proposal::{ProposalKind, ProposalStatus};
use taavon_core::timestamp::Timestamp;
use taavon_store::{Loan, LoanProposal, NewLoanProposal, ProposalOutcome, Store, WriteTx};

use super::command::{LoanCommand, Opened};
use super::reschedule::{RescheduleInput, ReschedulePlan, apply_reschedule, plan_reschedule};
use super::transactions::{ReversalPlan, apply_reversal, plan_reversal};
use super::{authorize, province_of};
use crate::AppError;
use crate::applications::WorkflowSettings;
use crate::idempotency::Idempotency;

/// What a proposal asks for, as its body stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProposedAction {
    Reschedule(RescheduleInput),
    Reversal { transaction_id: i64, reason: String },
}

/// A proposal as the caller sees it, with what they may do to it.
#[derive(Clone, Debug)]
pub struct ProposalView {
    pub proposal: LoanProposal,
    pub action: ProposedAction,
    /// Pending for the loan as it stands, and the caller is a second officer of the bank.
    pub may_approve: bool,
    /// Pending, and the caller may move money on the loan (the proposer withdraws).
    pub may_reject: bool,
}

impl ProposedAction {
    pub fn kind(&self) -> ProposalKind {
        match self {
            ProposedAction::Reschedule(_) => ProposalKind::Reschedule,
            ProposedAction::Reversal { .. } => ProposalKind::Reversal,
        }
    }
}

/// A loan's proposals, oldest first, with what the caller may do to each.
pub async fn loan_proposals(
    store: &Store,
    principal: &Principal,
    loan_id: i64,
) -> Result<Vec<ProposalView>, AppError> {
    let mut read = store.read().await?;
    let loan = read.loan(loan_id).await?.ok_or(AppError::NotFound)?;
    authorize(principal, LoanAction::Read, &loan)?;
    let proposals = read.loan_proposals(loan_id).await?;
    read.finish().await?;
    proposals
        .into_iter()
        .map(|proposal| view(principal, &loan, proposal))
        .collect()
}

/// A second officer approves a pending proposal: it is checked again against the loan as
/// it stands and executed, in one transaction with the decision.
pub async fn approve_proposal(
    store: &Store,
    principal: &Principal,
    loan_id: i64,
    proposal_id: i64,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<ProposalView, AppError> {
    let decision = ProposalDecision::Approve;
    let ids = (loan_id, proposal_id);
    settle(store, principal, ids, decision, "", idempotency, now).await
}

/// An officer of the bank rejects a pending proposal (its proposer withdraws it).
pub async fn reject_proposal(
    store: &Store,
    principal: &Principal,
    loan_id: i64,
    proposal_id: i64,
    reason: &str,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<ProposalView, AppError> {
    let decision = ProposalDecision::Reject;
    let ids = (loan_id, proposal_id);
    settle(store, principal, ids, decision, reason, idempotency, now).await
}

/// Takes `decision` on a pending proposal: an approval executes it under a claim of the
/// loan at the version it was proposed for; a rejection needs a reason.
async fn settle(
    store: &Store,
    principal: &Principal,
    (loan_id, proposal_id): (i64, i64),
    decision: ProposalDecision,
    reason: &str,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<ProposalView, AppError> {
    let opened = LoanCommand::open(
        store,
        principal,
        loan_id,
        LoanAction::Read,
        idempotency,
        now,
    );
    let (mut command, loan) = match opened.await? {
        Opened::Replay(id) => return read_proposal(store, principal, loan_id, id).await,
        Opened::Fresh(command, loan) => (command, loan),
    };
    let proposal = pending(&mut command.write, principal, &loan, proposal_id, decision).await?;
    let outcome = match decision {
        ProposalDecision::Approve => {
            // `pending` saw the proposal made for the loan at the version read.
            command.claim(&loan).await?;
            let action = action_of(&proposal)?;
            let plan = plan(&mut command.write, &loan, &action, now).await?;
            ProposalOutcome::Executed {
                transaction_id: plan.apply(&mut command.write, &loan).await?,
            }
        }
        ProposalDecision::Reject => {
            crate::bounds::check_texts(&[("reason", Some(reason), TextKind::Reason)])?;
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(AppError::invalid(
                    "reason",
                    "required",
                    "دلیل رد درخواست را بنویسید.",
                    "A rejection needs a reason.",
                ));
            }
            ProposalOutcome::Rejected {
                reason: reason.to_owned(),
            }
        }
    };
    decide(store, command, principal, &proposal, &outcome).await
}

/// Asks for a rescheduling or a reversal: checks it against the loan as it stands and
/// records it as a proposal, executing it at once when it needs no second officer (at or
/// below `bank_second_approval_above_rial`).
pub async fn propose(
    store: &Store,
    principal: &Principal,
    loan_id: i64,
    action: &ProposedAction,
    settings: WorkflowSettings,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<ProposalView, AppError> {
    let opened = LoanCommand::open(
        store,
        principal,
        loan_id,
        LoanAction::Transact,
        idempotency,
        now,
    );
    let (mut command, loan) = match opened.await? {
        Opened::Replay(id) => return read_proposal(store, principal, loan_id, id).await,
        Opened::Fresh(command, loan) => (command, loan),
    };
    command.claim(&loan).await?;
    let plan = plan(&mut command.write, &loan, action, now).await?;
    let body = serde_json::to_string(action)
        .map_err(|error| AppError::Internal(format!("a proposal's body: {error}")))?;
    let id = command
        .write
        .insert_loan_proposal(&NewLoanProposal {
            loan_id,
            loan_version: loan.version,
            province: loan.fields.province.clone(),
            kind: action.kind(),
            body,
            amount_rial: plan.amount_rial(),
            proposed_by_user_id: principal.user_id,
        })
        .await?;
    if needs_second_officer(plan.amount_rial(), settings.bank_second_approval_above_rial) {
        let id = command.finish(id).await?;
        return read_proposal(store, principal, loan_id, id).await;
    }
    let transaction_id = plan.apply(&mut command.write, &loan).await?;
    let proposal = command
        .write
        .loan_proposal(id)
        .await?
        .ok_or_else(|| AppError::Internal("a proposal vanished in its transaction".into()))?;
    let outcome = ProposalOutcome::Executed { transaction_id };
    decide(store, command, principal, &proposal, &outcome).await
}

/// A checked action, not yet written.
enum Plan {
    Reschedule(ReschedulePlan),
    Reversal(ReversalPlan),
}

impl Plan {
    fn amount_rial(&self) -> i64 {
        match self {
            Plan::Reschedule(plan) => plan.amount_rial(),
            Plan::Reversal(plan) => plan.amount_rial(),
        }
    }

    async fn apply(self, write: &mut WriteTx, loan: &Loan) -> Result<i64, AppError> {
        match self {
            Plan::Reschedule(plan) => apply_reschedule(write, loan, plan).await,
            Plan::Reversal(plan) => apply_reversal(write, loan, plan).await,
        }
    }
}

async fn plan(
    write: &mut WriteTx,
    loan: &Loan,
    action: &ProposedAction,
    now: Timestamp,
) -> Result<Plan, AppError> {
    Ok(match action {
        ProposedAction::Reschedule(input) => {
            Plan::Reschedule(plan_reschedule(write, loan, input, now).await?)
        }
        ProposedAction::Reversal {
            transaction_id,
            reason,
        } => Plan::Reversal(plan_reversal(write, loan, *transaction_id, reason, now).await?),
    })
}

/// The loan's pending proposal, if the principal may take `decision` on it. A proposal
/// of another loan is not found.
async fn pending(
    write: &mut WriteTx,
    principal: &Principal,
    loan: &Loan,
    proposal_id: i64,
    decision: ProposalDecision,
) -> Result<LoanProposal, AppError> {
    let proposal = write
        .loan_proposal(proposal_id)
        .await?
        .filter(|p| p.fields.loan_id == loan.id)
        .ok_or(AppError::NotFound)?;
    let province = province_of(loan)?;
    AppError::from_decision(decide_proposal(
        Some(principal),
        &subject(loan, &province),
        proposal.fields.proposed_by_user_id,
        decision,
    ))?;
    still_open(loan, &proposal, decision)?;
    Ok(proposal)
}

/// Whether `decision` may still be taken on `proposal`: it is pending and, to approve
/// it, the loan is still as it stood when it was proposed.
fn still_open(
    loan: &Loan,
    proposal: &LoanProposal,
    decision: ProposalDecision,
) -> Result<(), AppError> {
    if proposal.status != ProposalStatus::Pending {
        return Err(AppError::Conflict(format!(
            "the proposal is already {}",
            proposal.status
        )));
    }
    if decision == ProposalDecision::Approve && proposal.fields.loan_version != loan.version {
        return Err(AppError::Conflict(
            "the loan changed since this was proposed; reject it and propose again".into(),
        ));
    }
    Ok(())
}

/// Records the decision on a pending proposal and commits; 409 if another decision
/// came first.
async fn decide(
    store: &Store,
    mut command: LoanCommand<'_>,
    principal: &Principal,
    proposal: &LoanProposal,
    outcome: &ProposalOutcome,
) -> Result<ProposalView, AppError> {
    if !command
        .write
        .decide_loan_proposal(proposal, principal.user_id, outcome)
        .await?
    {
        return Err(AppError::Conflict(
            "the proposal was decided meanwhile; read it again".into(),
        ));
    }
    let id = command.finish(proposal.id).await?;
    read_proposal(store, principal, proposal.fields.loan_id, id).await
}

fn subject<'a>(
    loan: &'a Loan,
    province: &'a taavon_core::reference::ProvinceCode,
) -> LoanSubject<'a> {
    LoanSubject {
        province,
        cooperative_id: loan.fields.cooperative_id,
        bank: Some(&loan.fields.bank),
    }
}

fn action_of(proposal: &LoanProposal) -> Result<ProposedAction, AppError> {
    serde_json::from_str(&proposal.fields.body).map_err(|error| {
        AppError::Internal(format!("proposal {} has a bad body: {error}", proposal.id))
    })
}

fn view(
    principal: &Principal,
    loan: &Loan,
    proposal: LoanProposal,
) -> Result<ProposalView, AppError> {
    let province = province_of(loan)?;
    let may = |decision| {
        still_open(loan, &proposal, decision).is_ok()
            && decide_proposal(
                Some(principal),
                &subject(loan, &province),
                proposal.fields.proposed_by_user_id,
                decision,
            ) == Decision::Allow
    };
    Ok(ProposalView {
        may_approve: may(ProposalDecision::Approve),
        may_reject: may(ProposalDecision::Reject),
        action: action_of(&proposal)?,
        proposal,
    })
}

/// A proposal of the loan as it now stands, if the principal may read the loan.
async fn read_proposal(
    store: &Store,
    principal: &Principal,
    loan_id: i64,
    id: i64,
) -> Result<ProposalView, AppError> {
    let mut read = store.read().await?;
    let loan = read.loan(loan_id).await?.ok_or(AppError::NotFound)?;
    authorize(principal, LoanAction::Read, &loan)?;
    let proposal = read
        .loan_proposal(id)
        .await?
        .filter(|p| p.fields.loan_id == loan_id)
        .ok_or(AppError::NotFound)?;
    read.finish().await?;
    view(principal, &loan, proposal)
}
