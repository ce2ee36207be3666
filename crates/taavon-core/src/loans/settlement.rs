//! Early settlement (تسویه پیش از موعد): what closes a facility on a given day.
//!
//! The amount is the principal not yet due, plus profit accrued on it by the day since
//! the last due date (simple daily profit on the contract's day base, as the grace profit
//! is computed), plus what is due and unpaid. Profit of installments not yet due is not
//! charged: that is the point of settling early. A spread grace profit was earned in full
//! by the end of the grace period, so its parts not yet due are part of the amount.

use super::rate::daily_profit;
use super::repayment::Dues;
use super::schedule::{GraceMode, Schedule, ScheduleTerms};
use crate::calendar::JalaliDate;

/// What settles a facility on a day, by part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settlement {
    /// Principal not yet due.
    pub principal: i64,
    /// Daily profit on that principal since the last due date (or the start).
    pub accrued_profit: i64,
    /// The parts of a spread grace profit not yet due.
    pub grace_profit: i64,
    /// What fell due and is still unpaid, as the caller's ledger knows it.
    pub unpaid: Dues,
    pub total: i64,
}

/// The settlement of the facility with `terms` and `schedule` (the current one: after a
/// rescheduling, the new terms and schedule) on `on`.
pub fn settlement(
    terms: &ScheduleTerms,
    schedule: &Schedule,
    on: JalaliDate,
    unpaid: &Dues,
) -> Settlement {
    let grace_end = terms.start.add_months(i32::from(terms.grace_months));
    let last_due = schedule.rows.iter().rev().find(|row| row.due <= on);
    // Profit runs on the disbursed amount through the grace period; at its end a
    // capitalised grace profit joins the principal (the amortised base).
    let (principal, since) = match last_due {
        Some(row) => (row.balance, row.due),
        None if on >= grace_end && terms.grace_mode != GraceMode::Paid => {
            (schedule.amortised_base(), grace_end)
        }
        None => (terms.principal, terms.start),
    };
    let accrued_profit = daily_profit(principal, terms.rate, since.days_until(on), terms.day_base);
    let grace_profit = if on >= grace_end {
        schedule
            .rows
            .iter()
            .filter(|row| row.due > on)
            .map(|row| row.grace_profit)
            .sum()
    } else {
        0
    };
    let total = principal
        + accrued_profit
        + grace_profit
        + i64::try_from(unpaid.total()).unwrap_or(i64::MAX);
    Settlement {
        principal,
        accrued_profit,
        grace_profit,
        unpaid: *unpaid,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loans::schedule::{Method, build};

    /// 1.2 billion rials at 18 % in 12 equal principal parts after 3 grace months.
    fn terms(grace_mode: GraceMode) -> ScheduleTerms {
        ScheduleTerms {
            principal: 1_200_000_000,
            months: 12,
            grace_months: 3,
            grace_mode,
            method: Method::EqualPrincipal,
            start: JalaliDate::parse("1404-01-10").unwrap(),
            ..crate::loans::schedule::tests::terms()
        }
    }

    fn date(text: &str) -> JalaliDate {
        JalaliDate::parse(text).unwrap()
    }

    #[test]
    fn mid_term_it_is_the_balance_plus_profit_since_the_last_due_date_plus_arrears() {
        // Establishes the three parts after some installments have fallen due.
        let terms = terms(GraceMode::Paid);
        let schedule = build(&terms).unwrap();
        // Rows: 3 grace rows, then 12 of 100 000 000 principal from 1404-05-10.
        let unpaid = Dues {
            penalty: 5,
            fee: 0,
            profit: 7,
            principal: 11,
        };
        let quote = settlement(&terms, &schedule, date("1404-06-20"), &unpaid);
        assert_eq!(quote.principal, 1_000_000_000);
        // 1 000 000 000 · 18 · 10 / 36 500 = 4 931 506.8.
        assert_eq!(quote.accrued_profit, 4_931_507);
        assert_eq!(quote.grace_profit, 0);
        assert_eq!(quote.total, 1_000_000_000 + 4_931_507 + 23);
    }

    #[test]
    fn during_the_grace_period_profit_accrues_on_the_disbursed_amount_from_the_start() {
        // Establishes the grace-period anchor for a capitalised and a spread grace.
        for mode in [GraceMode::Capitalized, GraceMode::Spread] {
            let terms = terms(mode);
            let schedule = build(&terms).unwrap();
            let quote = settlement(&terms, &schedule, date("1404-02-10"), &Dues::default());
            assert_eq!(quote.principal, 1_200_000_000);
            // 31 days: 1 200 000 000 · 18 · 31 / 36 500 = 18 345 205.48.
            assert_eq!(quote.accrued_profit, 18_345_205);
            assert_eq!(quote.grace_profit, 0);
        }
    }

    #[test]
    fn after_the_grace_period_the_capitalised_base_or_the_undue_spread_grace_profit_is_owed() {
        // Establishes the two non-paid modes between the grace end and the first row.
        let on = date("1404-04-20");
        let capitalised = terms(GraceMode::Capitalized);
        let schedule = build(&capitalised).unwrap();
        let quote = settlement(&capitalised, &schedule, on, &Dues::default());
        assert_eq!(quote.principal, schedule.amortised_base());
        assert!(quote.principal > 1_200_000_000);
        assert_eq!(quote.grace_profit, 0);
        let spread = terms(GraceMode::Spread);
        let schedule = build(&spread).unwrap();
        let quote = settlement(&spread, &schedule, on, &Dues::default());
        assert_eq!(quote.principal, 1_200_000_000);
        assert_eq!(quote.grace_profit, schedule.totals().grace_profit);
        // 10 days since the grace end on 1404-04-10.
        assert_eq!(quote.accrued_profit, 5_917_808);
    }

    #[test]
    fn after_the_last_installment_only_arrears_remain() {
        // Establishes a matured facility.
        let terms = terms(GraceMode::Spread);
        let schedule = build(&terms).unwrap();
        let unpaid = Dues {
            principal: 100,
            ..Dues::default()
        };
        let quote = settlement(&terms, &schedule, date("1406-01-01"), &unpaid);
        assert_eq!(
            (quote.principal, quote.accrued_profit, quote.grace_profit),
            (0, 0, 0)
        );
        assert_eq!(quote.total, 100);
    }
}
