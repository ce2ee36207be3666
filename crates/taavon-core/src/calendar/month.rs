//! Jalali months (`1404-06`): the period of monthly lists such as the Social Security
//! insured-worker list, with month arithmetic and parsing of what people type.

use std::fmt;

use super::{DateError, JalaliDate, ascii_date_text, number_part, year_part};

/// One month of the Jalali calendar.
///
/// Invariant: month in 1..=12 and a year in `JalaliDate::MIN_YEAR..=JalaliDate::MAX_YEAR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JalaliMonth {
    year: i32,
    month: u8,
}

impl JalaliMonth {
    pub fn new(year: i32, month: u32) -> Result<Self, DateError> {
        if !(JalaliDate::MIN_YEAR..=JalaliDate::MAX_YEAR).contains(&year) {
            return Err(DateError::Year);
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::Month(month));
        }
        Ok(Self {
            year,
            month: month as u8,
        })
    }

    /// Reads `1404-06`, `1404/6`, `۱۴۰۴/۰۶` (Persian or Arabic-Indic digits), and also a
    /// whole date (`1404-06-09`), whose month it takes.
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let ascii = ascii_date_text(text);
        let parts: Vec<&str> = ascii.split(['-', '/', '.']).collect();
        match parts.as_slice() {
            [year, month] => Self::new(year_part(year)?, number_part(month, 2)?),
            [_, _, _] => JalaliDate::parse(text).map(Self::of),
            _ => Err(DateError::Shape),
        }
    }

    /// The month a day falls in.
    pub fn of(date: JalaliDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    /// Months counted from the start of year 0, so that differences are month counts.
    pub fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    /// This month plus `months` (negative goes back), saturating at the calendar's range.
    pub fn add_months(self, months: i32) -> Self {
        let index = self.index() + i64::from(months);
        let year = index.div_euclid(12).clamp(
            i64::from(JalaliDate::MIN_YEAR),
            i64::from(JalaliDate::MAX_YEAR),
        ) as i32;
        Self {
            year,
            month: (index.rem_euclid(12) + 1) as u8,
        }
    }

    /// Farvardin, the first month, of `year` (clamped into the calendar's years).
    pub fn farvardin(year: i32) -> Self {
        Self {
            year: year.clamp(JalaliDate::MIN_YEAR, JalaliDate::MAX_YEAR),
            month: 1,
        }
    }

    /// The first day of the month.
    pub fn first_day(self) -> JalaliDate {
        JalaliDate {
            year: self.year,
            month: self.month,
            day: 1,
        }
    }
}

impl fmt::Display for JalaliMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_in_any_digits_and_from_a_whole_date() {
        // Establishes what `JalaliMonth::parse` reads and refuses.
        let want = JalaliMonth::new(1404, 6).unwrap();
        for text in ["1404-06", "1404/6", "۱۴۰۴/۰۶", "١٤٠٤-٠٦", " 1404-06-31 "] {
            assert_eq!(JalaliMonth::parse(text), Ok(want), "{text}");
        }
        assert_eq!(JalaliMonth::parse("1404-13"), Err(DateError::Month(13)));
        assert_eq!(JalaliMonth::parse("1404"), Err(DateError::Shape));
        assert_eq!(JalaliMonth::parse("14-06"), Err(DateError::Shape));
        assert_eq!(want.to_string(), "1404-06");
    }

    #[test]
    fn month_arithmetic_crosses_years_both_ways() {
        // Establishes add_months and index across Nowruz.
        let esfand = JalaliMonth::new(1403, 12).unwrap();
        assert_eq!(esfand.add_months(1), JalaliMonth::new(1404, 1).unwrap());
        assert_eq!(esfand.add_months(-12), JalaliMonth::new(1402, 12).unwrap());
        assert_eq!(
            JalaliMonth::new(1404, 2).unwrap().add_months(-3),
            JalaliMonth::new(1403, 11).unwrap()
        );
        assert_eq!(esfand.add_months(13).index() - esfand.index(), 13);
        let day = JalaliDate::parse("1403-12-30").unwrap();
        assert_eq!(JalaliMonth::of(day), esfand);
        assert_eq!(esfand.first_day(), JalaliDate::parse("1403-12-01").unwrap());
    }
}
