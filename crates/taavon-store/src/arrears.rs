//! A loan's days overdue and late charge, the two numbers that move every day a loan is
//! overdue, derived as of a date from what end of day keeps on the row: the oldest unpaid
//! due day, and the late principal with its weight (Σ unpaid · due day) and the rial-days
//! frozen by repayments.
//!
//! End of day used to write both numbers on every overdue loan every day (a quarter of a
//! portfolio is overdue, so 35 % of loans were rewritten daily at 1 000 000 loans). Now
//! it writes a loan only when an installment falls due or late, or its class or
//! provision moves, and a read takes these two as of the loan's last closed date
//! (`docs/design/store.md`, "End of day: derived on read"). The stored columns are still
//! written with the rest of a row: they are the numbers as of the row's own
//! `closed_day`, which a read takes as they are when the loan's last closed date is
//! that day (a repayment's restatement writes them, and nothing else may be assumed of
//! them then).

use std::sync::LazyLock;

use taavon_core::loans::LoanStatus;
use taavon_core::loans::late_charge::{LATE_CHARGE_DIVISOR, LATE_CHARGE_SPREAD_BP};

use crate::filter::code_literal;

/// The date end of day last closed for every loan (NULL before the first close).
const CLOSED_FOR_ALL: &str = "(SELECT b.closed_day FROM business_date b WHERE b.id = 1)";

/// Days overdue at `day` (an SQL expression, days since 1970-01-01) from the loan's
/// oldest unpaid due day.
pub(crate) fn days_overdue_at(day: &str) -> String {
    format!(
        "(CASE WHEN oldest_unpaid_due_day IS NULL THEN 0 ELSE {day} - oldest_unpaid_due_day END)"
    )
}

/// The late charge accrued by `day`: the core's rule (`late_charge`), rounded half up as
/// `account::late_charge_to_date` does. The unpaid·day − weight difference is taken
/// first: it is small (rial-days late), while either term alone is rials × days since
/// 1970.
pub(crate) fn late_charge_at(day: &str) -> String {
    format!(
        "(((rate_bp + {LATE_CHARGE_SPREAD_BP}) * \
         (late_rial_days_frozen + (late_unpaid_rial * {day} - late_weight)) + {}) \
         / {LATE_CHARGE_DIVISOR})",
        LATE_CHARGE_DIVISOR / 2
    )
}

/// Days overdue as a loan reads: as of its last closed date.
pub(crate) static DAYS_OVERDUE_AS_READ: LazyLock<String> =
    LazyLock::new(|| as_of(CLOSED_FOR_ALL, "days_overdue", days_overdue_at));

/// The late charge as a loan reads: as of its last closed date.
pub(crate) static LATE_CHARGE_AS_READ: LazyLock<String> =
    LazyLock::new(|| as_of(CLOSED_FOR_ALL, "penalty_charged_rial", late_charge_at));

/// Days overdue of every open loan once end of day has closed `day` for all of them.
pub(crate) fn days_overdue_closed_at(day: &str) -> String {
    as_of(day, "days_overdue", days_overdue_at)
}

/// `column` as of `closed`, the date end of day closed every open loan at: derived by
/// `at` for an active loan its close did not write (its own `closed_day` is earlier, and
/// every close since found nothing to write, so the inputs are those of `closed`); the
/// stored value otherwise, which is as of the row's own `closed_day`, the loan's last
/// closed date then. End of day works on active loans only, so a loan in any other
/// status keeps what its last transaction wrote.
fn as_of(closed: &str, column: &str, at: fn(&str) -> String) -> String {
    format!(
        "(CASE WHEN loans.status = {} AND {closed} > loans.closed_day THEN {} ELSE loans.{column} END)",
        code_literal(LoanStatus::Active.code()),
        at(closed)
    )
}
