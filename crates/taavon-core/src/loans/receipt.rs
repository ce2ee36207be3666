//! A payment's receipt: the day the money reached the bank (its value date), the channel
//! it came by and the bank's own receipt number. The payment is still allocated at the
//! open business date, as every transaction is; the receipt is what a branch reconciles
//! the payment with, so its value date is checked against the loan's life.

use crate::calendar::IsoDate;
use crate::coded::coded_enum;

/// How the money of a repayment or settlement came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentChannel {
    /// Paid in cash at a branch.
    Branch,
    /// A bank transfer (Paya, Satna).
    Transfer,
    /// A card: a point-of-sale terminal or card to card.
    Card,
    /// Internet or mobile banking.
    Internet,
    Cheque,
}

coded_enum!(PaymentChannel {
    Branch = "branch",
    Transfer = "transfer",
    Card = "card",
    Internet = "internet",
    Cheque = "cheque",
});

impl PaymentChannel {
    pub fn name_fa(self) -> &'static str {
        match self {
            PaymentChannel::Branch => "واریز نقدی در شعبه",
            PaymentChannel::Transfer => "انتقال بانکی (پایا، ساتنا)",
            PaymentChannel::Card => "کارتخوان یا کارت به کارت",
            PaymentChannel::Internet => "اینترنت‌بانک یا همراه‌بانک",
            PaymentChannel::Cheque => "چک",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            PaymentChannel::Branch => "Cash at a branch",
            PaymentChannel::Transfer => "Bank transfer (Paya, Satna)",
            PaymentChannel::Card => "Card (terminal or card to card)",
            PaymentChannel::Internet => "Internet or mobile banking",
            PaymentChannel::Cheque => "Cheque",
        }
    }
}

/// Why a value date is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueDateError {
    /// Money is recorded once it has arrived: never on a day still to come.
    #[error("the value date is after the open business date")]
    AfterBusinessDate,
    /// Nothing is paid on a loan before its contract.
    #[error("the value date is before the contract")]
    BeforeContract,
}

impl ValueDateError {
    pub fn rule(self) -> &'static str {
        match self {
            ValueDateError::AfterBusinessDate => "not_after_business_date",
            ValueDateError::BeforeContract => "not_before_contract",
        }
    }

    pub fn message_fa(self) -> &'static str {
        match self {
            ValueDateError::AfterBusinessDate => "تاریخ واریز نمی‌تواند پس از تاریخ کاری باشد.",
            ValueDateError::BeforeContract => "تاریخ واریز نمی‌تواند پیش از تاریخ قرارداد باشد.",
        }
    }
}

/// Checks a payment's value date: between the contract and the open business date,
/// both included.
pub fn check_value_date(
    value_on: IsoDate,
    business_date: IsoDate,
    contracted_on: IsoDate,
) -> Result<(), ValueDateError> {
    if value_on > business_date {
        Err(ValueDateError::AfterBusinessDate)
    } else if value_on < contracted_on {
        Err(ValueDateError::BeforeContract)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(iso: &str) -> IsoDate {
        IsoDate::parse(iso).unwrap()
    }

    #[test]
    fn channels_read_back_from_their_codes_and_have_names() {
        // Establishes the stored codes of the channels and that each is named.
        for channel in PaymentChannel::ALL {
            assert_eq!(PaymentChannel::parse(channel.code()), Some(*channel));
            assert!(!channel.name_fa().is_empty() && !channel.name_en().is_empty());
        }
        assert_eq!(PaymentChannel::parse("cash"), None);
    }

    #[test]
    fn a_value_date_lies_between_the_contract_and_the_business_date() {
        // Establishes the value date's two bounds, both inclusive.
        let (contract, today) = (day("2025-03-01"), day("2025-06-10"));
        assert_eq!(check_value_date(today, today, contract), Ok(()));
        assert_eq!(check_value_date(contract, today, contract), Ok(()));
        assert_eq!(
            check_value_date(day("2025-06-11"), today, contract),
            Err(ValueDateError::AfterBusinessDate)
        );
        assert_eq!(
            check_value_date(day("2025-02-28"), today, contract),
            Err(ValueDateError::BeforeContract)
        );
    }
}
