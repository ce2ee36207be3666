//! Yearly rates in basis points and the day base of daily profit.
//!
//! A rate is written as a percent ("18", "26.5", "4.25") and held as whole basis points
//! (1/100 of a percent), so every profit is an exact integer computation. A rate with
//! more than two decimals is refused rather than rounded: rounding would silently change
//! the price of a contract.

use std::fmt;

use super::divide_rounded;
use crate::coded::coded_enum;
use crate::digits::to_ascii_digits;

/// A yearly rate (profit, fee) in basis points: 1 800 is 18 %.
///
/// Invariant: at most `RateBp::MAX_BP` (100 %).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RateBp(u32);

/// Why a rate was refused. The field is always `rate`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("a rate is a percent such as 18 or 26.5")]
    Format,
    #[error("a rate has at most two decimals (a basis point)")]
    Precision,
    #[error("a rate is at most 100 %")]
    Range,
}

/// How many days a year has when profit accrues by the day: actual days over 365 (the
/// oracle's rule and the default) or over 360.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DayBase {
    #[default]
    Days365,
    Days360,
}

coded_enum!(DayBase {
    Days365 = "365",
    Days360 = "360",
});

impl RateBp {
    pub const ZERO: RateBp = RateBp(0);
    /// 100 % a year: no facility of the sector is priced anywhere near it, so more is a
    /// typing mistake.
    pub const MAX_BP: u32 = 10_000;

    pub fn new(basis_points: u32) -> Result<RateBp, RateError> {
        if basis_points > Self::MAX_BP {
            return Err(RateError::Range);
        }
        Ok(RateBp(basis_points))
    }

    /// Reads a percent as people type it: `18`, `26.5`, `4.25`, `۱۸٫۵`, `0`, an optional
    /// `%` after it.
    pub fn parse(percent: &str) -> Result<RateBp, RateError> {
        let ascii = to_ascii_digits(percent.trim()).replace('\u{066B}', ".");
        let text = ascii.trim_end_matches('%').trim_end();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !is_digits(whole) || !is_digits(fraction) {
            return Err(RateError::Format);
        }
        let fraction = fraction.trim_end_matches('0');
        if fraction.len() > 2 {
            return Err(RateError::Precision);
        }
        let whole: u32 = whole.parse().map_err(|_| RateError::Range)?;
        let hundredths: u32 = format!("{fraction:0<2}")
            .parse()
            .map_err(|_| RateError::Format)?;
        whole
            .checked_mul(100)
            .and_then(|bp| bp.checked_add(hundredths))
            .ok_or(RateError::Range)
            .and_then(RateBp::new)
    }

    pub fn basis_points(self) -> u32 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for RateBp {
    /// The percent without a sign: `18`, `26.5`, `4.25`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, hundredths) = (self.0 / 100, self.0 % 100);
        match hundredths {
            0 => write!(f, "{whole}"),
            h if h % 10 == 0 => write!(f, "{whole}.{}", h / 10),
            h => write!(f, "{whole}.{h:02}"),
        }
    }
}

impl RateError {
    /// The input field, for error reports.
    pub fn field(&self) -> &'static str {
        "rate"
    }

    /// A stable machine code of the broken rule.
    pub fn rule(&self) -> &'static str {
        match self {
            RateError::Format => "rate_format",
            RateError::Precision => "rate_precision",
            RateError::Range => "rate_range",
        }
    }

    pub fn message_en(&self) -> String {
        self.to_string()
    }

    pub fn message_fa(&self) -> String {
        match self {
            RateError::Format => "نرخ را به درصد بنویسید، مانند ۱۸ یا ۲۶٫۵.",
            RateError::Precision => "نرخ حداکثر دو رقم اعشار دارد.",
            RateError::Range => "نرخ حداکثر ۱۰۰ درصد است.",
        }
        .into()
    }
}

impl DayBase {
    /// Days in a year of this base.
    pub fn days_per_year(self) -> i64 {
        match self {
            DayBase::Days365 => 365,
            DayBase::Days360 => 360,
        }
    }
}

/// Simple daily profit: `round(amount · R · days / (100 · days per year))`, R in percent,
/// half away from zero; nothing for no days. The oracle's grace profit is this with the
/// 365 base (`round(P·R·days/36500)`). Computed exactly in i128: unlike the monthly
/// profit (see `schedule::monthly`), the oracle's decimal computation of it is exact for
/// every bounded term, because `amount·R·days` has far fewer than 28 digits and a
/// quotient by 36 500 that is not a tie lies at least 1/7 300 000 away from one.
pub fn daily_profit(amount: i64, rate: RateBp, days: i64, base: DayBase) -> i64 {
    if days <= 0 {
        return 0;
    }
    let numerator = i128::from(amount) * i128::from(rate.basis_points()) * i128::from(days);
    // Basis points are hundredths of the percent R, hence the extra factor of 100.
    divide_rounded(numerator, 10_000 * i128::from(base.days_per_year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percent_reads_as_whole_basis_points() {
        // Establishes the accepted spellings of a rate.
        let bp = |text: &str| RateBp::parse(text).map(RateBp::basis_points);
        assert_eq!(bp("18"), Ok(1800));
        assert_eq!(bp("26.5"), Ok(2650));
        assert_eq!(bp("4.25"), Ok(425));
        assert_eq!(bp("0"), Ok(0));
        assert_eq!(bp("۱۸٫۵"), Ok(1850));
        assert_eq!(bp(" 12 % "), Ok(1200));
        assert_eq!(bp("7.50"), Ok(750));
        assert_eq!(bp("100"), Ok(10_000));
    }

    #[test]
    fn a_rate_that_is_not_a_percent_in_range_is_refused_with_its_rule() {
        // Establishes each error of the rate parser.
        let rule = |text: &str| RateBp::parse(text).map_err(|e| e.rule());
        assert_eq!(rule(""), Err("rate_format"));
        assert_eq!(rule(".5"), Err("rate_format"));
        assert_eq!(rule("-3"), Err("rate_format"));
        assert_eq!(rule("1e2"), Err("rate_format"));
        assert_eq!(rule("4.125"), Err("rate_precision"));
        assert_eq!(rule("100.01"), Err("rate_range"));
        assert_eq!(rule("99999999999999999999"), Err("rate_range"));
        assert_eq!(RateBp::new(10_001), Err(RateError::Range));
    }

    #[test]
    fn a_rate_displays_as_the_percent_it_was_read_from() {
        // Establishes Display as the inverse of parse.
        for text in ["18", "26.5", "4.25", "0", "100", "0.01"] {
            assert_eq!(RateBp::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn daily_profit_rounds_half_away_from_zero_on_either_base() {
        // Establishes the daily profit formula, its rounding and the 360 base.
        let rate = RateBp::parse("18").unwrap();
        // 15 000 000 000 · 18 · 184 / 36 500 = 1 361 095 890.41…
        assert_eq!(
            daily_profit(15_000_000_000, rate, 184, DayBase::Days365),
            1_361_095_890
        );
        // 73 · 10 · 1 / 36 500 = 0.02; 1 825 · 10 · 1 / 36 500 = 0.5 exactly, rounds up.
        let ten = RateBp::parse("10").unwrap();
        assert_eq!(daily_profit(73, ten, 1, DayBase::Days365), 0);
        assert_eq!(daily_profit(1_825, ten, 1, DayBase::Days365), 1);
        // 1 800 · 10 · 1 / 36 000 = 0.5.
        assert_eq!(daily_profit(1_800, ten, 1, DayBase::Days360), 1);
        assert_eq!(daily_profit(1_800, ten, 0, DayBase::Days360), 0);
        assert_eq!(daily_profit(1_800, ten, -5, DayBase::Days360), 0);
    }
}
