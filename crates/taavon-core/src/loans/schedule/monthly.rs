//! The monthly rate `r = R/1200`, the annuity amount and the monthly profit, computed as
//! the oracle computed them: Python `decimal` at 28 significant digits, each operation
//! rounded half to even, then rounded to whole rials half away from zero.
//!
//! The rule, step by step (`P28` is the 28-digit context):
//! - `r = P28(R / 1200)`;
//! - annuity `A = round(P28(P28(P28(B · r) · f) / P28(f − 1)))` with
//!   `f = P28(P28(1 + r)^N)`, the power computed as libmpdec does;
//! - profit of a row `round(P28(balance · r))`.
//!
//! This differs from exact rational arithmetic only where the exact value is within about
//! 10^-19 of a half rial, which happens whenever `balance · R/1200` is exactly `k + ½` and
//! `R/1200` has no finite decimal expansion (R not a multiple of 0.03 %): the 28-digit `r`
//! is slightly low and the row rounds down. The oracle's 26.5 % 120-month case has such a
//! row (exact profit 364 678 981.5, oracle 364 678 981).

use super::super::decimal::{Decimal, PYTHON_PRECISION};
use super::RateBp;

/// `R/1200` at 28 significant digits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MonthlyRate(Decimal);

impl MonthlyRate {
    pub(crate) fn new(rate: RateBp) -> MonthlyRate {
        // R in percent is bp/100, exactly.
        let percent = Decimal::new(u128::from(rate.basis_points()), -2);
        MonthlyRate(percent.div(Decimal::from_integer(1200), PYTHON_PRECISION))
    }

    /// `round(balance · r)` for a non-negative balance.
    pub(crate) fn profit(self, balance: i64) -> i64 {
        let balance = Decimal::from_integer(u128::try_from(balance).unwrap_or(0));
        to_rials(balance.mul(self.0, PYTHON_PRECISION))
    }

    /// `round(B · r(1+r)^N / ((1+r)^N − 1))` for a positive rate (Excel's `PMT`).
    pub(crate) fn annuity(self, base: i64, installments: u16) -> i64 {
        let p = PYTHON_PRECISION;
        let growth = Decimal::ONE.add(self.0, p).powi(u32::from(installments), p);
        let base = Decimal::from_integer(u128::try_from(base).unwrap_or(0));
        let numerator = base.mul(self.0, p).mul(growth, p);
        to_rials(numerator.div(growth.sub(Decimal::ONE, p), p))
    }
}

fn to_rials(value: Decimal) -> i64 {
    i64::try_from(value.to_integer_half_up()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Annuities and profits computed by CPython's `decimal` (`testdata/monthly_cases.py`).
    const CASES: &str = include_str!("testdata/monthly_cases.csv");

    #[test]
    fn annuity_and_profit_agree_with_python_decimal_including_exact_ties() {
        // Establishes the 28-digit rule on 500 cases, 45 of which exact rational
        // rounding would get wrong by a rial.
        let mut differ_from_exact = 0;
        for line in CASES.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            let [kind, bp, count, base, expected] = fields.as_slice() else {
                panic!("bad line {line}");
            };
            let bp: u32 = bp.parse().unwrap();
            let rate = MonthlyRate::new(RateBp::new(bp).unwrap());
            let expected: i64 = expected.parse().unwrap();
            if *kind == "annuity" {
                assert_eq!(
                    rate.annuity(base.parse().unwrap(), count.parse().unwrap()),
                    expected,
                    "{line}"
                );
            } else {
                let balance: i64 = count.parse().unwrap();
                assert_eq!(rate.profit(balance), expected, "{line}");
                let exact =
                    crate::loans::divide_rounded(i128::from(balance) * i128::from(bp), 120_000);
                differ_from_exact += usize::from(exact != expected);
            }
        }
        assert_eq!(differ_from_exact, 45);
    }

    #[test]
    fn the_oracle_row_whose_exact_profit_is_a_half_rial_rounds_down() {
        // Establishes the documented case of the 26.5 % 120-month oracle schedule.
        let rate = MonthlyRate::new(RateBp::parse("26.5").unwrap());
        // 16 513 765 200 · 26.5 / 1 200 = 364 678 981.5 exactly.
        assert_eq!(rate.profit(16_513_765_200), 364_678_981);
        // At 18 % the monthly rate 0.015 is exact, and a half rounds up.
        let rate = MonthlyRate::new(RateBp::parse("18").unwrap());
        assert_eq!(rate.profit(100), 2);
    }
}
