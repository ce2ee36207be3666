//! Proposals: a bank officer's request for an action that changes what a borrower owes
//! (a rescheduling, a reversal), recorded before it is carried out. At or below the
//! configured amount it is carried out at once; above it, it waits for a second officer
//! of the same bank (`access::decide_proposal`), who approves or rejects it.

use crate::coded::coded_enum;

/// What a proposal asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProposalKind {
    /// A new schedule for what is owed (استمهال).
    Reschedule,
    /// A repayment undone.
    Reversal,
}

coded_enum!(ProposalKind {
    Reschedule = "reschedule",
    Reversal = "reversal",
});

/// Where a proposal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProposalStatus {
    /// Waiting for a second officer.
    Pending,
    /// Carried out (its loan transaction recorded).
    Executed,
    /// Refused by a second officer, or withdrawn by its proposer.
    Rejected,
}

coded_enum!(ProposalStatus {
    Pending = "pending",
    Executed = "executed",
    Rejected = "rejected",
});

impl ProposalKind {
    pub fn name_fa(self) -> &'static str {
        match self {
            ProposalKind::Reschedule => "استمهال",
            ProposalKind::Reversal => "برگشت بازپرداخت",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            ProposalKind::Reschedule => "Rescheduling",
            ProposalKind::Reversal => "Reversal of a repayment",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_read_back_from_their_codes() {
        // Establishes the codes the store keeps.
        for &kind in ProposalKind::ALL {
            assert_eq!(ProposalKind::parse(kind.code()), Some(kind));
            assert!(!kind.name_fa().is_empty() && !kind.name_en().is_empty());
        }
        for &status in ProposalStatus::ALL {
            assert_eq!(ProposalStatus::parse(status.code()), Some(status));
        }
    }
}
