//! The late-payment charge (جریمه تأخیر تأدیه) and the days an installment is late.
//!
//! The charge is `installment · (R + 6) · days / 36 000`, R the contract's yearly rate in
//! percent: the contract rate plus six points, on a 360-day year, per the Central Bank's
//! rule for Islamic contracts. An installment due on a Friday or an official holiday may
//! be paid on the next working day without a charge; paid later, it is late by the actual
//! days since its due date.

use super::divide_rounded;
use super::schedule::RateBp;
use crate::calendar::IsoDate;
use crate::workdays::WorkingCalendar;

/// The six points added to the contract rate, in basis points: the one statement of the
/// spread, which the loan account (`account`) and end of day's SQL (in the store) use too.
pub const LATE_CHARGE_SPREAD_BP: i64 = 600;

/// `10 000 · 360`: basis points over percent and a 360-day year, so that the charge is
/// `amount · (bp + spread) · days / LATE_CHARGE_DIVISOR`.
pub const LATE_CHARGE_DIVISOR: i64 = 3_600_000;

/// `round(installment · (R + 6) · days / 36 000)`, half away from zero; nothing for no
/// days late or nothing owed.
pub fn late_charge(installment: i64, rate: RateBp, days: i64) -> i64 {
    if days <= 0 || installment <= 0 {
        return 0;
    }
    let rate_bp = i128::from(rate.basis_points()) + i128::from(LATE_CHARGE_SPREAD_BP);
    divide_rounded(
        i128::from(installment) * rate_bp * i128::from(days),
        LATE_CHARGE_DIVISOR.into(),
    )
}

/// Days an installment due on `due` and paid (or still unpaid) on `on` is late: 0 when
/// paid by the due date, or, when the due date is not a working day, by the first working
/// day after it; otherwise the actual days since the due date.
pub fn days_late(due: IsoDate, on: IsoDate, calendar: &WorkingCalendar) -> i64 {
    if on <= calendar.first_working_day_from(due) {
        return 0;
    }
    on.days_since_unix_epoch() - due.days_since_unix_epoch()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::JalaliDate;

    fn day(jalali: &str) -> IsoDate {
        JalaliDate::parse(jalali).unwrap().to_iso()
    }

    #[test]
    fn the_charge_is_the_rate_plus_six_points_on_a_360_day_year() {
        // Establishes the formula and its rounding.
        let rate = RateBp::parse("18").unwrap();
        // 10 000 000 · 24 · 30 / 36 000 = 200 000.
        assert_eq!(late_charge(10_000_000, rate, 30), 200_000);
        // 1 000 · 24 · 1 / 36 000 = 0.67 → 1; 750 · 24 / 36 000 = 0.5 → 1; 749 → 0.
        assert_eq!(late_charge(1_000, rate, 1), 1);
        assert_eq!(late_charge(750, rate, 1), 1);
        assert_eq!(late_charge(749, rate, 1), 0);
        // A qard al-hasan at 0 % still carries the six points; 26.5 % adds to 32.5.
        assert_eq!(late_charge(3_600_000, RateBp::ZERO, 10), 6_000);
        assert_eq!(
            late_charge(3_600_000, RateBp::parse("26.5").unwrap(), 10),
            32_500
        );
        assert_eq!(late_charge(10_000_000, rate, 0), 0);
        assert_eq!(late_charge(10_000_000, rate, -3), 0);
        assert_eq!(
            late_charge(i64::MAX, RateBp::new(RateBp::MAX_BP).unwrap(), 100_000),
            i64::MAX
        );
    }

    #[test]
    fn a_due_date_on_an_off_day_may_be_paid_on_the_next_working_day_without_charge() {
        // Establishes days_late around Fridays and holidays.
        let calendar = WorkingCalendar::fridays_and([day("1404-06-15")]);
        let friday = day("1404-06-14");
        assert_eq!(days_late(friday, day("1404-06-14"), &calendar), 0);
        assert_eq!(days_late(friday, day("1404-06-16"), &calendar), 0);
        // A day later it is late by the actual days since the Friday.
        assert_eq!(days_late(friday, day("1404-06-17"), &calendar), 3);
        let thursday = day("1404-06-13");
        assert_eq!(days_late(thursday, day("1404-06-13"), &calendar), 0);
        assert_eq!(days_late(thursday, day("1404-06-14"), &calendar), 1);
        assert_eq!(days_late(thursday, day("1404-06-01"), &calendar), 0);
    }
}
