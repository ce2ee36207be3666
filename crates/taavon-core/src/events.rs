//! The events other systems are told about (issue 19): one table of every event type with
//! its stable name and the version of its payload's shape. The names are English and
//! fixed (a bank's core system relies on them); a payload that changes shape gets a new
//! version here, never a silent change.

use crate::applications::ApplicationState;
use crate::coded::coded_enum;

/// What happened, as other systems name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventType {
    ApplicationSubmitted,
    ApplicationApproved,
    ApplicationRejected,
    ApplicationReferred,
    ApplicationBankApproved,
    LoanContracted,
    LoanDisbursed,
    LoanRepaid,
    LoanReversed,
    LoanSettled,
    LoanRescheduled,
    LoanClassChanged,
    FundDeposited,
    SupportRequestRouted,
    SupportRequestAnswered,
    JobVerified,
    AwardPublished,
}

coded_enum!(EventType {
    ApplicationSubmitted = "application.submitted",
    ApplicationApproved = "application.approved",
    ApplicationRejected = "application.rejected",
    ApplicationReferred = "application.referred",
    ApplicationBankApproved = "application.bank_approved",
    LoanContracted = "loan.contracted",
    LoanDisbursed = "loan.disbursed",
    LoanRepaid = "loan.repaid",
    LoanReversed = "loan.reversed",
    LoanSettled = "loan.settled",
    LoanRescheduled = "loan.rescheduled",
    LoanClassChanged = "loan.class_changed",
    FundDeposited = "fund.deposited",
    SupportRequestRouted = "support_request.routed",
    SupportRequestAnswered = "support_request.answered",
    JobVerified = "job.verified",
    AwardPublished = "award.published",
});

impl EventType {
    /// The version of this type's payload shape; raised when its `data` changes shape.
    pub fn version(self) -> i64 {
        1
    }

    /// The resource the event's `data` is, as the API names it.
    pub fn resource(self) -> &'static str {
        match self {
            EventType::ApplicationSubmitted
            | EventType::ApplicationApproved
            | EventType::ApplicationRejected
            | EventType::ApplicationReferred
            | EventType::ApplicationBankApproved => "application",
            EventType::LoanContracted
            | EventType::LoanDisbursed
            | EventType::LoanRepaid
            | EventType::LoanReversed
            | EventType::LoanSettled
            | EventType::LoanRescheduled
            | EventType::LoanClassChanged => "loan",
            EventType::FundDeposited => "fund_deposit",
            EventType::SupportRequestRouted | EventType::SupportRequestAnswered => {
                "support_request"
            }
            EventType::JobVerified => "job",
            EventType::AwardPublished => "award_round",
        }
    }

    /// What the event says, in English (the OpenAPI document's description).
    pub fn description_en(self) -> &'static str {
        match self {
            EventType::ApplicationSubmitted => {
                "An application was submitted and checked for eligibility."
            }
            EventType::ApplicationApproved => "An application was approved.",
            EventType::ApplicationRejected => "An application was rejected.",
            EventType::ApplicationReferred => "An application was referred to a bank.",
            EventType::ApplicationBankApproved => "The bank approved a referred application.",
            EventType::LoanContracted => "A loan was contracted.",
            EventType::LoanDisbursed => "A tranche of a loan was disbursed.",
            EventType::LoanRepaid => "A repayment was received on a loan.",
            EventType::LoanReversed => "A loan transaction was reversed.",
            EventType::LoanSettled => "A loan was settled early.",
            EventType::LoanRescheduled => "A loan was rescheduled.",
            EventType::LoanClassChanged => "End of day changed a loan's CBI class.",
            EventType::FundDeposited => "An agency deposited money into a pooled fund.",
            EventType::SupportRequestRouted => "A support request was filed and routed to a unit.",
            EventType::SupportRequestAnswered => "A support request was answered.",
            EventType::JobVerified => "A reported hire was verified against the insured lists.",
            EventType::AwardPublished => "A festival round's results were published.",
        }
    }

    /// The event a move of an application into `state` emits, if any (submission emits
    /// `application.submitted` whatever its eligibility check decided).
    pub fn of_application_state(state: ApplicationState) -> Option<EventType> {
        match state {
            ApplicationState::Approved => Some(EventType::ApplicationApproved),
            ApplicationState::Rejected => Some(EventType::ApplicationRejected),
            ApplicationState::Referred => Some(EventType::ApplicationReferred),
            ApplicationState::BankApproved => Some(EventType::ApplicationBankApproved),
            _ => None,
        }
    }

    /// A comma-separated list of type names, each known (`types=a,b`); the first unknown
    /// one is the error. Empty parts are refused too.
    pub fn parse_list(list: &str) -> Result<Vec<EventType>, String> {
        let mut types = Vec::new();
        for part in list.split(',') {
            let Some(kind) = EventType::parse(part) else {
                return Err(part.trim().to_owned());
            };
            if !types.contains(&kind) {
                types.push(kind);
            }
        }
        Ok(types)
    }
}

/// Whom an event concerns: what the scope rule (`access::event_scope`) reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventConcern {
    /// The province (ISO 3166-2) of the resource; empty for a national one (a deposit).
    pub province: String,
    /// The bank (Sheba code) the resource is with, if any.
    pub bank: Option<String>,
    /// The agency the resource is of, if any.
    pub agency: Option<String>,
    /// The cooperative the resource belongs to, if any.
    pub cooperative_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_name_parses_back_to_itself_and_has_a_resource() {
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.code()), Some(*kind));
            assert!(
                kind.code()
                    .starts_with(kind.resource().split('_').next().unwrap_or(""))
            );
            assert_eq!(kind.version(), 1);
        }
        assert_eq!(EventType::ALL.len(), 17);
    }

    #[test]
    fn a_type_list_names_its_first_unknown_part() {
        assert_eq!(
            EventType::parse_list("loan.repaid,loan.disbursed,loan.repaid"),
            Ok(vec![EventType::LoanRepaid, EventType::LoanDisbursed])
        );
        assert_eq!(
            EventType::parse_list("loan.repaid,loan.eaten"),
            Err("loan.eaten".to_owned())
        );
        assert_eq!(EventType::parse_list(""), Err(String::new()));
    }
}
