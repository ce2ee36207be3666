//! Loans (PRODUCT.md §7): the pure mathematics of a facility, with no IO.
//!
//! - `schedule`: the repayment schedule (annuity or equal principal, grace paid,
//!   capitalised or spread), exactly as `shared/oracle/schedules.json`;
//! - `repayment`: how a payment is split over what is due (penalty → fee → profit →
//!   principal by default, the order being data);
//! - `late_charge`: the late-payment charge and the days late, with a working calendar;
//! - `classification`: the Central Bank of Iran classes, provisions and portfolio at risk;
//! - `pricing`: a program's pricing of its facilities (rates, term, rescheduling
//!   bounds);
//! - `product`: loan products by Islamic contract type, and what a rescheduling under
//!   one may agree to;
//! - `settlement` and `reschedule`: early settlement and a new schedule for what is owed;
//! - `proposal`: the kinds and states of a bank's proposed action awaiting four eyes;
//! - `receipt`: how a payment came in (its value date, channel and receipt number).
//!
//! Every amount is integer rials; rounding is half away from zero unless a rule says
//! floor. Intermediate products are i128 (or the 256-bit integers of `decimal`), so no
//! term in range can overflow.
#![deny(clippy::float_arithmetic)]

pub mod account;
pub mod classification;
mod decimal;
pub mod eod;
pub mod late_charge;
pub mod pricing;
pub mod product;
pub mod proposal;
pub mod rate;
pub mod receipt;
pub mod repayment;
pub mod reschedule;
pub mod schedule;
pub mod settlement;

/// Where a facility is in its life: contracted (nothing paid out yet), active, settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoanStatus {
    Contracted,
    Active,
    Settled,
}

crate::coded::coded_enum!(LoanStatus {
    Contracted = "contracted",
    Active = "active",
    Settled = "settled",
});

/// What a loan transaction recorded. Transactions are never edited: a mistake is undone by
/// a `Reversal` of a `Repayment`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransactionKind {
    /// Money paid out to the borrower (a tranche or the whole facility).
    Disbursement,
    Repayment,
    /// A repayment undone.
    Reversal,
    /// An early settlement paying off the loan, the unearned profit waived.
    Settlement,
    /// A new schedule for what is owed (استمهال).
    Reschedule,
}

crate::coded::coded_enum!(TransactionKind {
    Disbursement = "disbursement",
    Repayment = "repayment",
    Reversal = "reversal",
    Settlement = "settlement",
    Reschedule = "reschedule",
});

/// `numerator / denominator` rounded to the nearest integer, halves away from zero, for a
/// positive denominator. Saturates at the i64 range, which bounded terms never reach.
pub(crate) fn divide_rounded(numerator: i128, denominator: i128) -> i64 {
    if denominator <= 0 {
        return 0;
    }
    // ⌊(2|n| + d) / 2d⌋ rounds |n|/d half up without losing an odd denominator's half.
    let quotient = numerator
        .unsigned_abs()
        .saturating_mul(2)
        .saturating_add(denominator.unsigned_abs())
        / denominator.unsigned_abs().saturating_mul(2);
    let quotient = i128::try_from(quotient).unwrap_or(i128::MAX);
    let quotient = if numerator < 0 { -quotient } else { quotient };
    i64::try_from(quotient).unwrap_or(if numerator < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_transaction_kinds_read_back_from_their_codes() {
        // Establishes the stored codes of a loan's status and its transactions' kinds.
        for status in LoanStatus::ALL {
            assert_eq!(LoanStatus::parse(status.code()), Some(*status));
        }
        for kind in TransactionKind::ALL {
            assert_eq!(TransactionKind::parse(kind.code()), Some(*kind));
        }
        assert_eq!(TransactionKind::parse("refund"), None);
    }
}
