//! Repayment schedules, exactly as `shared/oracle/README.md` ("schedules.json") states
//! them (Iranian bank practice):
//!
//! - due dates: the k-th is the start plus k Jalali months, the start's day clamped to the
//!   month (`JalaliDate::add_months`), always counted from the start;
//! - grace profit is simple and daily, `round(P·R·days/36500)` on the 365 base
//!   (`rate::daily_profit`); `paid` makes a profit-only row per grace month (none at a
//!   zero rate), `capitalized` adds the whole grace profit to the amortised base,
//!   `spread` adds `floor(GP/N)` to each amortising row and the rest to the last;
//! - amortising rows k = 1..N fall due at the start plus G + k months; profit is
//!   `round(balance·R/1200)` (see `monthly` for the 28-digit decimal rule); the annuity
//!   amount is `PMT` (or `round(B/N)` at a zero rate) and principal is what it leaves
//!   after profit; equal principal is `floor(B/N)`; the last row takes the remaining
//!   balance, so the principal column sums to the base and the final balance is 0.
//!
//! Amounts round half away from zero. Terms are bounded (`ScheduleTerms::validate`), so a
//! schedule has at most 420 rows and no amount can overflow.

mod monthly;
mod terms;

pub use super::rate::{DayBase, RateBp, RateError};
pub use terms::{GraceMode, Method, ScheduleError, ScheduleTerms};

use super::divide_rounded;
use super::rate::daily_profit;
use crate::calendar::JalaliDate;
use monthly::MonthlyRate;

/// One scheduled payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Installment {
    /// 1, 2, … in due order, grace rows included.
    pub n: u16,
    pub due: JalaliDate,
    pub principal: i64,
    pub profit: i64,
    /// The part of a spread grace profit carried by this row.
    pub grace_profit: i64,
    /// `principal + profit + grace_profit`.
    pub total: i64,
    /// The principal still owed after this row.
    pub balance: i64,
}

/// A loan's installments in due order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    pub rows: Vec<Installment>,
}

/// The sums of a schedule's columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScheduleTotals {
    pub principal: i64,
    pub profit: i64,
    pub grace_profit: i64,
    pub total: i64,
}

impl Schedule {
    pub fn totals(&self) -> ScheduleTotals {
        self.rows
            .iter()
            .fold(ScheduleTotals::default(), |sum, row| ScheduleTotals {
                principal: sum.principal + row.principal,
                profit: sum.profit + row.profit,
                grace_profit: sum.grace_profit + row.grace_profit,
                total: sum.total + row.total,
            })
    }

    /// The principal being amortised: the disbursed amount, plus the grace profit when
    /// it was capitalised.
    pub fn amortised_base(&self) -> i64 {
        self.rows
            .first()
            .map_or(0, |first| first.balance + first.principal)
    }
}

/// The schedule of `terms`, or the first rule they break.
pub fn build(terms: &ScheduleTerms) -> Result<Schedule, ScheduleError> {
    terms.validate()?;
    let mut rows = Rows {
        start: terms.start,
        rows: Vec::with_capacity(usize::from(terms.grace_months) + usize::from(terms.months)),
    };
    let grace_end = terms.start.add_months(i32::from(terms.grace_months));
    let grace_profit = daily_profit(
        terms.principal,
        terms.rate,
        terms.start.days_until(grace_end),
        terms.day_base,
    );
    let (base, spread) = match terms.grace_mode {
        GraceMode::Paid => {
            if !terms.rate.is_zero() {
                rows.push_grace(terms);
            }
            (terms.principal, 0)
        }
        GraceMode::Capitalized => (terms.principal + grace_profit, 0),
        GraceMode::Spread => (terms.principal, grace_profit),
    };
    rows.push_amortising(terms, base, spread);
    Ok(Schedule { rows: rows.rows })
}

/// The rows being built, numbered as they are pushed.
struct Rows {
    start: JalaliDate,
    rows: Vec<Installment>,
}

impl Rows {
    /// A row due `month` months after the start.
    fn push(&mut self, month: u16, principal: i64, profit: i64, grace_profit: i64, balance: i64) {
        self.rows.push(Installment {
            n: u16::try_from(self.rows.len() + 1).unwrap_or(u16::MAX),
            due: self.start.add_months(i32::from(month)),
            principal,
            profit,
            grace_profit,
            total: principal + profit + grace_profit,
            balance,
        });
    }

    /// A profit-only row for each grace month, on the days since the previous due date.
    fn push_grace(&mut self, terms: &ScheduleTerms) {
        for month in 1..=terms.grace_months {
            let previous = self.start.add_months(i32::from(month) - 1);
            let days = previous.days_until(self.start.add_months(i32::from(month)));
            let profit = daily_profit(terms.principal, terms.rate, days, terms.day_base);
            self.push(month, 0, profit, 0, terms.principal);
        }
    }

    /// The N amortising rows on `base`, due G + 1 … G + N months after the start (with
    /// or without grace rows before them), with `spread` grace profit over them.
    fn push_amortising(&mut self, terms: &ScheduleTerms, base: i64, spread: i64) {
        let installments = i64::from(terms.months);
        let rate = MonthlyRate::new(terms.rate);
        let annuity = if terms.rate.is_zero() {
            divide_rounded(i128::from(base), i128::from(installments))
        } else {
            rate.annuity(base, terms.months)
        };
        let equal_principal = base / installments;
        let spread_part = spread / installments;
        let mut balance = base;
        for k in 1..=terms.months {
            let last = k == terms.months;
            let profit = rate.profit(balance);
            let principal = if last {
                balance
            } else {
                match terms.method {
                    // Profit never exceeds the annuity (it is at most round(B·r) and
                    // PMT > B·r); the clamp to the balance only matters for absurdly
                    // small loans, where rounding the annuity up would otherwise repay
                    // more than is owed before the last row.
                    Method::Annuity => (annuity - profit).clamp(0, balance),
                    Method::EqualPrincipal => equal_principal,
                }
            };
            let grace_profit = if last {
                spread - spread_part * (installments - 1)
            } else {
                spread_part
            };
            balance -= principal;
            self.push(
                terms.grace_months + k,
                principal,
                profit,
                grace_profit,
                balance,
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The oracle's first case: 15 billion rials at 18 % over 60 months after 6 months of
    /// spread grace, from 1404-06-09.
    pub(crate) fn terms() -> ScheduleTerms {
        ScheduleTerms {
            principal: 15_000_000_000,
            rate: RateBp::parse("18").unwrap(),
            months: 60,
            grace_months: 6,
            grace_mode: GraceMode::Spread,
            method: Method::Annuity,
            start: JalaliDate::parse("1404-06-09").unwrap(),
            day_base: DayBase::Days365,
        }
    }

    #[test]
    fn terms_out_of_range_are_refused_naming_field_and_rule() {
        // Establishes every validation error and its field, rule and messages.
        let refused = |change: fn(&mut ScheduleTerms)| {
            let mut t = terms();
            change(&mut t);
            let error = build(&t).unwrap_err();
            assert!(!error.message_fa().is_empty() && !error.message_en().is_empty());
            (error.field(), error.rule())
        };
        assert_eq!(refused(|t| t.principal = 0), ("principal", "positive"));
        assert_eq!(refused(|t| t.principal = -5), ("principal", "positive"));
        assert_eq!(refused(|t| t.principal = i64::MAX), ("principal", "range"));
        assert_eq!(refused(|t| t.months = 0), ("months", "range"));
        assert_eq!(refused(|t| t.months = 361), ("months", "range"));
        assert_eq!(refused(|t| t.grace_months = 61), ("grace_months", "range"));
        assert_eq!(
            refused(|t| t.start = JalaliDate::new(JalaliDate::MAX_YEAR, 6, 1).unwrap()),
            ("start", "range")
        );
        assert!(
            build(&ScheduleTerms {
                principal: ScheduleTerms::PRINCIPAL_MAX,
                months: 360,
                grace_months: 60,
                ..terms()
            })
            .is_ok()
        );
    }

    #[test]
    fn the_360_day_base_raises_the_grace_profit_by_365_over_360() {
        // Establishes the configurable day base of the grace profit.
        let days = terms().start.days_until(terms().start.add_months(6));
        assert_eq!(days, 181);
        let on = |day_base| {
            build(&ScheduleTerms {
                day_base,
                ..terms()
            })
            .unwrap()
            .totals()
            .grace_profit
        };
        // 15 000 000 000 · 18 · 181 / 36 500 and / 36 000.
        assert_eq!(on(DayBase::Days365), 1_338_904_110);
        assert_eq!(on(DayBase::Days360), 1_357_500_000);
    }

    #[test]
    fn a_capitalised_grace_profit_becomes_principal_and_carries_profit() {
        // Establishes the capitalised base and the row numbering without grace rows.
        let schedule = build(&ScheduleTerms {
            grace_mode: GraceMode::Capitalized,
            ..terms()
        })
        .unwrap();
        assert_eq!(schedule.amortised_base(), 15_000_000_000 + 1_338_904_110);
        assert_eq!(schedule.totals().principal, schedule.amortised_base());
        assert_eq!(schedule.totals().grace_profit, 0);
        let first = schedule.rows[0];
        assert_eq!(
            (first.n, first.due.to_string()),
            (1, "1405-01-09".to_owned())
        );
    }

    #[test]
    fn a_zero_rate_has_no_paid_grace_rows_and_rounds_the_installment() {
        // Establishes the zero-rate rules: no profit rows, round(B/N), the rest last.
        let schedule = build(&ScheduleTerms {
            principal: 1_000,
            rate: RateBp::ZERO,
            months: 6,
            grace_months: 3,
            grace_mode: GraceMode::Paid,
            ..terms()
        })
        .unwrap();
        let principal: Vec<i64> = schedule.rows.iter().map(|r| r.principal).collect();
        assert_eq!(principal, [167, 167, 167, 167, 167, 165]);
        assert_eq!(schedule.rows[0].due.to_string(), "1404-10-09");
        assert_eq!(schedule.totals().total, 1_000);
    }

    #[test]
    fn a_tiny_annuity_never_repays_more_than_is_owed() {
        // Establishes the clamp: round(PMT) = 1 rial would otherwise overshoot 100 rials
        // long before the 200th row.
        let schedule = build(&ScheduleTerms {
            principal: 100,
            rate: RateBp::parse("1").unwrap(),
            months: 200,
            grace_months: 0,
            ..terms()
        })
        .unwrap();
        assert!(
            schedule
                .rows
                .iter()
                .all(|r| r.balance >= 0 && r.principal >= 0)
        );
        assert_eq!(schedule.totals().principal, 100);
        assert_eq!(schedule.rows[99].balance, 0);
    }

    fn any_terms() -> impl Strategy<Value = ScheduleTerms> {
        (
            prop_oneof![1i64..=1_000_000, 1i64..=ScheduleTerms::PRINCIPAL_MAX],
            0u32..=RateBp::MAX_BP,
            1u16..=ScheduleTerms::MONTHS_MAX,
            0u16..=ScheduleTerms::GRACE_MONTHS_MAX,
            prop::sample::select(vec![
                GraceMode::Paid,
                GraceMode::Capitalized,
                GraceMode::Spread,
            ]),
            prop::sample::select(vec![Method::Annuity, Method::EqualPrincipal]),
            (1300i32..1500, 1u32..=12, 1u32..=31),
            prop::sample::select(vec![DayBase::Days365, DayBase::Days360]),
        )
            .prop_map(
                |(principal, bp, months, grace_months, grace_mode, method, (y, m, d), day_base)| {
                    ScheduleTerms {
                        principal,
                        rate: RateBp::new(bp).unwrap(),
                        months,
                        grace_months,
                        grace_mode,
                        method,
                        start: JalaliDate::new(y, m, d.min(29)).unwrap(),
                        day_base,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn every_schedule_in_range_repays_its_base_exactly(terms in any_terms()) {
            // Establishes the schedule invariants: principal sums to the amortised base,
            // balances never rise and end at 0, each total is its parts, the totals are
            // the column sums, due dates rise month by month.
            let schedule = build(&terms).unwrap();
            let grace_rows = if terms.grace_mode == GraceMode::Paid && !terms.rate.is_zero() {
                terms.grace_months
            } else {
                0
            };
            prop_assert_eq!(schedule.rows.len(), usize::from(terms.months + grace_rows));
            let base = schedule.amortised_base();
            prop_assert!(base >= terms.principal);
            let totals = schedule.totals();
            prop_assert_eq!(totals.principal, base);
            prop_assert_eq!(totals.total, totals.principal + totals.profit + totals.grace_profit);
            let mut previous_balance = base;
            let mut previous_due = terms.start;
            for (index, row) in schedule.rows.iter().enumerate() {
                prop_assert_eq!(usize::from(row.n), index + 1);
                prop_assert_eq!(row.total, row.principal + row.profit + row.grace_profit);
                prop_assert!(row.principal >= 0 && row.profit >= 0 && row.grace_profit >= 0);
                prop_assert!(row.balance <= previous_balance && row.balance >= 0);
                prop_assert!(row.due > previous_due);
                previous_balance = row.balance;
                previous_due = row.due;
            }
            prop_assert_eq!(previous_balance, 0);
        }

        #[test]
        fn any_terms_at_all_give_a_schedule_or_an_error_never_a_panic(
            principal in any::<i64>(), bp in 0u32..=RateBp::MAX_BP, months in any::<u16>(),
            grace_months in any::<u16>(), year in 1i32..=JalaliDate::MAX_YEAR
        ) {
            // Establishes totality over the whole input space of the numeric fields.
            let terms = ScheduleTerms {
                principal, rate: RateBp::new(bp).unwrap(), months, grace_months,
                start: JalaliDate::new(year, 12, 1).unwrap(), ..terms()
            };
            if let Ok(schedule) = build(&terms) {
                prop_assert_eq!(schedule.rows.last().map(|r| r.balance), Some(0));
            }
        }
    }
}
