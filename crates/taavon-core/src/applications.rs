//! The life of an application for a facility (PRODUCT.md §5): its states, the actions
//! that move it, when a large approval needs a second one, and who has taken part so far
//! (read from the recorded moves). Who may take an action, the four-eyes rule included,
//! is the access policy's decision (`access::decide_transition`); this module only knows
//! which moves exist.
//!
//! ```text
//! draft ─submit→ submitted ─(eligibility)→ ineligible | under_review
//! under_review ─approve→ approved   (or awaiting_second_approval above the threshold,
//!                                     then approve by another officer → approved)
//! under_review | awaiting_second_approval ─reject→ rejected
//! approved ─refer→ referred ─bank_approve→ bank_approved | ─bank_reject→ bank_rejected
//! any state before a contract ─withdraw→ withdrawn
//! draft | ineligible ─(revised by its applicant's side)→ draft
//! ```

use crate::coded::coded_enum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApplicationState {
    Draft,
    Submitted,
    Ineligible,
    UnderReview,
    AwaitingSecondApproval,
    Approved,
    Rejected,
    Referred,
    BankApproved,
    BankRejected,
    Withdrawn,
    /// The bank wrote the contract (the loan's own life follows on the loan).
    Contracted,
}

coded_enum!(ApplicationState {
    Draft = "draft",
    Submitted = "submitted",
    Ineligible = "ineligible",
    UnderReview = "under_review",
    AwaitingSecondApproval = "awaiting_second_approval",
    Approved = "approved",
    Rejected = "rejected",
    Referred = "referred",
    BankApproved = "bank_approved",
    BankRejected = "bank_rejected",
    Withdrawn = "withdrawn",
    Contracted = "contracted",
});

/// The actions of `POST /api/v1/applications/{id}/transitions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransitionAction {
    Submit,
    Approve,
    Reject,
    Refer,
    BankApprove,
    BankReject,
    Withdraw,
}

coded_enum!(TransitionAction {
    Submit = "submit",
    Approve = "approve",
    Reject = "reject",
    Refer = "refer",
    BankApprove = "bank_approve",
    BankReject = "bank_reject",
    Withdraw = "withdraw",
});

/// Why a move is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The application is not in a state this action leaves from (a concurrent move
    /// won, or the move never exists): a conflict, 409.
    #[error("cannot {action} an application that is {state}")]
    NotFromState {
        action: TransitionAction,
        state: ApplicationState,
    },
    /// Rejections and bank rejections must say why.
    #[error("a reason is required to {0}")]
    ReasonRequired(TransitionAction),
}

impl TransitionError {
    pub fn rule(&self) -> &'static str {
        match self {
            TransitionError::NotFromState { .. } => "state",
            TransitionError::ReasonRequired(_) => "reason_required",
        }
    }

    pub fn message_fa(&self) -> String {
        match self {
            TransitionError::NotFromState { action, state } => format!(
                "درخواست در وضعیت «{}» است و «{}» روی آن ممکن نیست.",
                state_name_fa(*state),
                action_name_fa(*action)
            ),
            TransitionError::ReasonRequired(_) => "دلیل این تصمیم را بنویسید.".into(),
        }
    }
}

/// What the move depends on besides the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransitionContext<'a> {
    pub amount_rial: i64,
    /// Approvals of more than this need a second officer (maker-checker); who may give
    /// which approval is the policy's (`access::decide_transition`).
    pub second_approval_above_rial: i64,
    pub reason: Option<&'a str>,
}

/// The code of the event recorded when an application is drafted (not a transition).
pub const DRAFT_EVENT: &str = "create";

/// What an application's recorded event was: its drafting, a transition someone asked
/// for, or one of the system's own moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventAction {
    Draft,
    Transition(TransitionAction),
    /// The eligibility check after submission.
    Eligibility,
    /// The bank wrote the contract.
    Contract,
    /// Its applicant's side changed what it asks (a draft, or one found ineligible,
    /// which goes back to draft to be submitted again).
    Revise,
}

impl EventAction {
    pub fn code(self) -> &'static str {
        match self {
            EventAction::Draft => DRAFT_EVENT,
            EventAction::Transition(action) => action.code(),
            EventAction::Eligibility => "eligibility",
            EventAction::Contract => "contract",
            EventAction::Revise => "revise",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim() {
            DRAFT_EVENT => Some(EventAction::Draft),
            "eligibility" => Some(EventAction::Eligibility),
            "contract" => Some(EventAction::Contract),
            "revise" => Some(EventAction::Revise),
            other => TransitionAction::parse(other).map(EventAction::Transition),
        }
    }
}

/// One recorded move of an application, as the four-eyes rule reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordedMove {
    pub action: EventAction,
    pub to_state: ApplicationState,
    /// The user who made it; `None` for the system's own moves.
    pub actor_user_id: Option<i64>,
}

/// Who has taken part in an application so far: the facts the four-eyes rule rests on,
/// read from its recorded moves (never from a column a later write could get wrong).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Participants {
    /// Who drafted it: the applicant's representative, or an officer on their behalf.
    pub drafted_by: Option<i64>,
    /// Who submitted it.
    pub submitted_by: Option<i64>,
    /// The officer whose approval awaits a second one.
    pub first_approver: Option<i64>,
}

impl Participants {
    /// The participants as the moves, oldest first, record them.
    pub fn from_moves(moves: impl IntoIterator<Item = RecordedMove>) -> Self {
        let mut participants = Self::default();
        for recorded in moves {
            let actor = recorded.actor_user_id;
            match recorded.action {
                EventAction::Transition(TransitionAction::Submit) => {
                    participants.submitted_by = actor;
                }
                EventAction::Transition(TransitionAction::Approve)
                    if recorded.to_state == ApplicationState::AwaitingSecondApproval =>
                {
                    participants.first_approver = actor;
                }
                EventAction::Draft => participants.drafted_by = actor,
                _ => {}
            }
        }
        participants
    }

    /// Whether `user_id` drafted, submitted or already approved the application.
    pub fn took_part(&self, user_id: i64) -> bool {
        [self.drafted_by, self.submitted_by, self.first_approver].contains(&Some(user_id))
    }
}

/// The state `action` moves an application in `state` to. `Submit` yields `Submitted`;
/// the caller then applies `after_eligibility`.
pub fn next_state(
    state: ApplicationState,
    action: TransitionAction,
    context: &TransitionContext<'_>,
) -> Result<ApplicationState, TransitionError> {
    use ApplicationState as S;
    use TransitionAction as A;
    let refuse = || TransitionError::NotFromState { action, state };
    let reason_given = context.reason.is_some_and(|r| !r.trim().is_empty());
    match (action, state) {
        (A::Submit, S::Draft) => Ok(S::Submitted),
        (A::Approve, S::UnderReview) => {
            if context.amount_rial > context.second_approval_above_rial {
                Ok(S::AwaitingSecondApproval)
            } else {
                Ok(S::Approved)
            }
        }
        (A::Approve, S::AwaitingSecondApproval) => Ok(S::Approved),
        (A::Reject, S::UnderReview | S::AwaitingSecondApproval) => {
            if reason_given {
                Ok(S::Rejected)
            } else {
                Err(TransitionError::ReasonRequired(action))
            }
        }
        (A::Refer, S::Approved) => Ok(S::Referred),
        (A::BankApprove, S::Referred) => Ok(S::BankApproved),
        (A::BankReject, S::Referred) => {
            if reason_given {
                Ok(S::BankRejected)
            } else {
                Err(TransitionError::ReasonRequired(action))
            }
        }
        (A::Withdraw, s) if s.may_withdraw() => Ok(S::Withdrawn),
        _ => Err(refuse()),
    }
}

/// Where a submitted application goes once its eligibility is known.
pub fn after_eligibility(eligible: bool) -> ApplicationState {
    if eligible {
        ApplicationState::UnderReview
    } else {
        ApplicationState::Ineligible
    }
}

impl TransitionAction {
    /// Whether the action must say why (a rejection by the province or the bank).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            TransitionAction::Reject | TransitionAction::BankReject
        )
    }
}

impl ApplicationState {
    /// Whether `action` is a move out of this state (given a reason where one is needed).
    pub fn leaves_by(self, action: TransitionAction) -> bool {
        let context = TransitionContext {
            amount_rial: 0,
            second_approval_above_rial: 0,
            reason: Some("-"),
        };
        next_state(self, action, &context).is_ok()
    }

    /// Before a contract, an applicant may always withdraw, unless already decided
    /// against.
    pub fn may_withdraw(self) -> bool {
        use ApplicationState as S;
        matches!(
            self,
            S::Draft
                | S::Submitted
                | S::UnderReview
                | S::AwaitingSecondApproval
                | S::Approved
                | S::Referred
                | S::BankApproved
        )
    }

    /// Whether its applicant's side may still change what it asks: a draft, or one found
    /// ineligible (revising it makes it a draft again, to be submitted anew).
    pub fn revisable(self) -> bool {
        matches!(self, ApplicationState::Draft | ApplicationState::Ineligible)
    }

    /// Whether nothing further can happen in this issue's part of the lifecycle (an
    /// ineligible application only comes back by its applicant's revision).
    pub fn is_final(self) -> bool {
        use ApplicationState as S;
        matches!(
            self,
            S::Ineligible | S::Rejected | S::BankRejected | S::Withdrawn | S::Contracted
        )
    }
}

pub fn state_name_fa(state: ApplicationState) -> &'static str {
    use ApplicationState as S;
    match state {
        S::Draft => "پیش‌نویس",
        S::Submitted => "ارسال‌شده",
        S::Ineligible => "فاقد شرایط",
        S::UnderReview => "در حال بررسی",
        S::AwaitingSecondApproval => "در انتظار تأیید دوم",
        S::Approved => "تأییدشده",
        S::Rejected => "ردشده",
        S::Referred => "معرفی‌شده به بانک",
        S::BankApproved => "تأیید بانک",
        S::BankRejected => "رد بانک",
        S::Withdrawn => "انصراف",
        S::Contracted => "قرارداد منعقد شد",
    }
}

pub fn state_name_en(state: ApplicationState) -> &'static str {
    use ApplicationState as S;
    match state {
        S::Draft => "Draft",
        S::Submitted => "Submitted",
        S::Ineligible => "Ineligible",
        S::UnderReview => "Under review",
        S::AwaitingSecondApproval => "Awaiting second approval",
        S::Approved => "Approved",
        S::Rejected => "Rejected",
        S::Referred => "Referred to the bank",
        S::BankApproved => "Approved by the bank",
        S::BankRejected => "Rejected by the bank",
        S::Withdrawn => "Withdrawn",
        S::Contracted => "Contracted",
    }
}

pub fn action_name_en(action: TransitionAction) -> &'static str {
    use TransitionAction as A;
    match action {
        A::Submit => "Submit",
        A::Approve => "Approve",
        A::Reject => "Reject",
        A::Refer => "Refer to the bank",
        A::BankApprove => "Approve (bank)",
        A::BankReject => "Reject (bank)",
        A::Withdraw => "Withdraw",
    }
}

pub fn action_name_fa(action: TransitionAction) -> &'static str {
    use TransitionAction as A;
    match action {
        A::Submit => "ارسال",
        A::Approve => "تأیید",
        A::Reject => "رد",
        A::Refer => "معرفی به بانک",
        A::BankApprove => "تأیید بانک",
        A::BankReject => "رد بانک",
        A::Withdraw => "انصراف",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationState as S;
    use TransitionAction as A;

    fn context(amount: i64) -> TransitionContext<'static> {
        TransitionContext {
            amount_rial: amount,
            second_approval_above_rial: 10_000_000_000,
            reason: None,
        }
    }

    #[test]
    fn the_happy_path_reaches_the_bank() {
        let c = context(1_000_000_000);
        let mut state = S::Draft;
        for (action, expected) in [
            (A::Submit, S::Submitted),
            (A::Approve, S::Approved),
            (A::Refer, S::Referred),
            (A::BankApprove, S::BankApproved),
        ] {
            if state == S::Submitted {
                state = after_eligibility(true);
            }
            state = next_state(state, action, &c).unwrap();
            assert_eq!(state, expected);
        }
    }

    #[test]
    fn large_approvals_need_a_second_approval() {
        // Establishes the threshold; who may give the second is the policy's
        // (`access::applications`).
        let c = context(15_000_000_000);
        assert_eq!(
            next_state(S::UnderReview, A::Approve, &c),
            Ok(S::AwaitingSecondApproval)
        );
        assert_eq!(
            next_state(S::AwaitingSecondApproval, A::Approve, &c),
            Ok(S::Approved)
        );
        // Exactly at the threshold one officer suffices.
        assert_eq!(
            next_state(S::UnderReview, A::Approve, &context(10_000_000_000)),
            Ok(S::Approved)
        );
    }

    #[test]
    fn rejections_must_say_why() {
        let mut c = context(1);
        assert_eq!(
            next_state(S::UnderReview, A::Reject, &c),
            Err(TransitionError::ReasonRequired(A::Reject))
        );
        c.reason = Some("  ");
        assert!(next_state(S::Referred, A::BankReject, &c).is_err());
        c.reason = Some("no collateral");
        assert_eq!(
            next_state(S::Referred, A::BankReject, &c),
            Ok(S::BankRejected)
        );
    }

    #[test]
    fn every_action_from_every_state_is_either_a_listed_move_or_refused() {
        let c = TransitionContext {
            reason: Some("r"),
            ..context(1)
        };
        let mut moves = 0;
        for state in S::ALL {
            for action in A::ALL {
                match next_state(*state, *action, &c) {
                    Ok(_) => moves += 1,
                    Err(TransitionError::NotFromState { .. }) => {
                        assert!(
                            state.is_final() || !(*action == A::Withdraw && state.may_withdraw()),
                            "{action} from {state}"
                        );
                    }
                    Err(other) => panic!("{other}"),
                }
            }
        }
        // submit 1, approve 2, reject 2, refer 1, bank 2, withdraw 7.
        assert_eq!(moves, 15);
    }

    #[test]
    fn event_actions_read_back_from_their_codes() {
        // Establishes the stored codes of recorded events: the drafting, every
        // transition and the system's own moves, and nothing else.
        let mut actions = vec![
            EventAction::Draft,
            EventAction::Eligibility,
            EventAction::Contract,
            EventAction::Revise,
        ];
        actions.extend(
            TransitionAction::ALL
                .iter()
                .map(|a| EventAction::Transition(*a)),
        );
        for action in actions {
            assert_eq!(EventAction::parse(action.code()), Some(action));
        }
        assert_eq!(EventAction::parse("merge"), None);
    }

    #[test]
    fn only_a_draft_or_an_ineligible_application_is_revised() {
        // Establishes which applications their applicant's side may still change: a
        // draft, and one the eligibility check refused (it goes back to draft).
        let revisable: Vec<S> = S::ALL.iter().copied().filter(|s| s.revisable()).collect();
        assert_eq!(revisable, vec![S::Draft, S::Ineligible]);
    }

    #[test]
    fn the_participants_are_read_from_the_recorded_moves() {
        // Establishes which recorded move names the drafter, the submitter and the first
        // approver, and that a small approval (straight to approved) names no first one.
        let moves = [
            (DRAFT_EVENT, "draft", Some(3)),
            ("submit", "submitted", Some(4)),
            ("eligibility", "under_review", None),
            ("approve", "awaiting_second_approval", Some(5)),
        ];
        let read = |moves: &[(&'static str, &'static str, Option<i64>)]| {
            Participants::from_moves(moves.iter().map(|(action, to_state, actor)| RecordedMove {
                action: EventAction::parse(action).unwrap(),
                to_state: ApplicationState::parse(to_state).unwrap(),
                actor_user_id: *actor,
            }))
        };
        let participants = read(&moves);
        assert_eq!(
            participants,
            Participants {
                drafted_by: Some(3),
                submitted_by: Some(4),
                first_approver: Some(5),
            }
        );
        assert!(participants.took_part(3) && participants.took_part(4));
        assert!(participants.took_part(5) && !participants.took_part(6));
        let small = read(&[
            (DRAFT_EVENT, "draft", Some(3)),
            ("approve", "approved", Some(5)),
        ]);
        assert_eq!(small.first_approver, None);
    }

    #[test]
    fn only_rejections_need_a_reason_and_the_moves_out_of_a_state_are_listed() {
        // Establishes what the pages offer from each state, without restating the table.
        assert!(A::Reject.needs_reason() && A::BankReject.needs_reason());
        assert!(!A::Approve.needs_reason());
        assert!(S::UnderReview.leaves_by(A::Approve) && S::UnderReview.leaves_by(A::Reject));
        assert!(S::AwaitingSecondApproval.leaves_by(A::Approve));
        assert!(!S::Approved.leaves_by(A::Approve) && !S::Withdrawn.leaves_by(A::Withdraw));
    }

    #[test]
    fn a_decided_application_cannot_be_approved_again() {
        assert_eq!(
            next_state(S::Approved, A::Approve, &context(1)),
            Err(TransitionError::NotFromState {
                action: A::Approve,
                state: S::Approved
            })
        );
    }
}
