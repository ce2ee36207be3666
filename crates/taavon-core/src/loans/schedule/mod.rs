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
            self.push(terms.grace_months + k, principal, profit, grace_profit, balance);
        }
    }
}
