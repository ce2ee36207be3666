//! Working days: which days an office or a bank works, and deadlines counted in working
//! days on the Jalali calendar.
//!
//! A day is off when it falls on a weekly holiday (Friday everywhere; Thursday too for
//! offices closed on Thursdays) or on an official holiday. Official holidays follow the
//! lunar calendar and government decisions, so they are data handed in, never computed.

use std::collections::BTreeSet;
use std::fmt;

use crate::calendar::{IsoDate, Weekday};

/// The weekly holidays: a non-empty set of weekdays that leaves at least one working day.
///
/// Invariant: at least one bit of the low seven is clear, so every week has a working day
/// and a deadline always exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Weekend {
    /// Bit `n` set when the weekday numbered `n` from Saturday is off.
    days: u8,
}

/// Why a weekly-holiday list was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WeekendError {
    #[error("unknown weekday `{0}` (expected sat, sun, mon, tue, wed, thu or fri)")]
    UnknownDay(String),
    #[error("no weekly holiday given")]
    Empty,
    #[error("every day of the week would be a holiday")]
    NoWorkingDay,
}

/// Which days are worked: every day but the weekly holidays and the listed official ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkingCalendar {
    weekend: Weekend,
    holidays: BTreeSet<IsoDate>,
}

impl Weekend {
    /// Friday, the weekly holiday of banks and most offices.
    pub const FRIDAY: Weekend = Weekend { days: 1 << 6 };
    /// Thursday and Friday, for offices closed on Thursdays.
    pub const THURSDAY_FRIDAY: Weekend = Weekend {
        days: (1 << 5) | (1 << 6),
    };

    /// Parses a comma-separated list of weekday codes, e.g. `fri` or `thu,fri`.
    pub fn parse(text: &str) -> Result<Weekend, WeekendError> {
        let mut days = 0u8;
        for code in text
            .split(',')
            .map(str::trim)
            .filter(|code| !code.is_empty())
        {
            let day = Weekday::ALL
                .into_iter()
                .find(|day| weekday_code(*day).eq_ignore_ascii_case(code))
                .ok_or_else(|| WeekendError::UnknownDay(code.to_owned()))?;
            days |= 1 << day.number_from_saturday();
        }
        match days {
            0 => Err(WeekendError::Empty),
            0x7f => Err(WeekendError::NoWorkingDay),
            _ => Ok(Weekend { days }),
        }
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.days & (1 << day.number_from_saturday()) != 0
    }

    /// The weekly holidays in week order, Saturday first.
    pub fn days(self) -> impl Iterator<Item = Weekday> {
        Weekday::ALL
            .into_iter()
            .filter(move |day| self.contains(*day))
    }
}

impl Default for Weekend {
    fn default() -> Self {
        Weekend::FRIDAY
    }
}

impl fmt::Display for Weekend {
    /// The codes `parse` reads, e.g. `thu,fri`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<&str> = self.days().map(weekday_code).collect();
        f.write_str(&codes.join(","))
    }
}

/// The short English code of a weekday, as configuration and the CLI spell it.
pub fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Saturday => "sat",
        Weekday::Sunday => "sun",
        Weekday::Monday => "mon",
        Weekday::Tuesday => "tue",
        Weekday::Wednesday => "wed",
        Weekday::Thursday => "thu",
        Weekday::Friday => "fri",
    }
}

impl Default for WorkingCalendar {
    fn default() -> Self {
        WorkingCalendar::new(Weekend::FRIDAY, [])
    }
}

impl WorkingCalendar {
    /// These weekly holidays and these official holidays off.
    pub fn new(weekend: Weekend, holidays: impl IntoIterator<Item = IsoDate>) -> WorkingCalendar {
        WorkingCalendar {
            weekend,
            holidays: holidays.into_iter().collect(),
        }
    }

    /// Fridays and these official holidays off: the banks' calendar.
    pub fn fridays_and(holidays: impl IntoIterator<Item = IsoDate>) -> WorkingCalendar {
        WorkingCalendar::new(Weekend::FRIDAY, holidays)
    }

    pub fn weekend(&self) -> Weekend {
        self.weekend
    }

    pub fn add_holiday(&mut self, date: IsoDate) {
        self.holidays.insert(date);
    }

    pub fn holidays(&self) -> impl Iterator<Item = IsoDate> + '_ {
        self.holidays.iter().copied()
    }

    pub fn is_working_day(&self, date: IsoDate) -> bool {
        !self.weekend.contains(date.weekday()) && !self.holidays.contains(&date)
    }

    /// The first working day after `date`.
    pub fn next_working_day(&self, date: IsoDate) -> IsoDate {
        self.first_working_day_from(date.add_days(1))
    }

    /// `date` itself if it is a working day, else the first working day after it.
    pub fn first_working_day_from(&self, date: IsoDate) -> IsoDate {
        // Every week has a working day (the weekend's invariant) and holidays are finitely
        // many, so one comes within a week per holiday; the bound only guards the end of
        // the calendar, where `add_days` saturates.
        let mut day = date;
        for _ in 0..=self.holidays.len() + 7 {
            if self.is_working_day(day) {
                return day;
            }
            day = day.add_days(1);
        }
        day
    }

    /// The deadline `days` working days after `from`: the `days`-th working day after it,
    /// `from` itself never counting. Zero or fewer days give `from`.
    pub fn add_working_days(&self, from: IsoDate, days: u32) -> IsoDate {
        let mut day = from;
        for _ in 0..days {
            day = self.next_working_day(day);
        }
        day
    }

    /// How many working days lie after `from` up to and including `to` (0 when `to` is
    /// not after `from`): the inverse of `add_working_days`, for "answered in N working
    /// days" figures.
    pub fn working_days_between(&self, from: IsoDate, to: IsoDate) -> u32 {
        let span = to.days_since_unix_epoch() - from.days_since_unix_epoch();
        if span <= 0 {
            return 0;
        }
        let mut count = 0u32;
        let mut day = from;
        for _ in 0..span {
            day = day.add_days(1);
            if self.is_working_day(day) {
                count += 1;
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::JalaliDate;

    fn day(jalali: &str) -> IsoDate {
        JalaliDate::parse(jalali).unwrap().to_iso()
    }

    #[test]
    fn weekends_parse_from_the_codes_the_cli_takes() {
        // Establishes the accepted spellings and the refusals.
        assert_eq!(Weekend::parse("fri"), Ok(Weekend::FRIDAY));
        assert_eq!(Weekend::parse("thu,fri"), Ok(Weekend::THURSDAY_FRIDAY));
        assert_eq!(Weekend::parse(" FRI , thu "), Ok(Weekend::THURSDAY_FRIDAY));
        assert_eq!(Weekend::THURSDAY_FRIDAY.to_string(), "thu,fri");
        assert_eq!(
            Weekend::parse("fri,sunday"),
            Err(WeekendError::UnknownDay("sunday".into()))
        );
        assert_eq!(Weekend::parse(""), Err(WeekendError::Empty));
        assert_eq!(
            Weekend::parse("sat,sun,mon,tue,wed,thu,fri"),
            Err(WeekendError::NoWorkingDay)
        );
    }

    #[test]
    fn fridays_and_configured_holidays_are_off() {
        // Establishes the banks' calendar: 1404-06-14 is a Friday, 1404-06-15 a Saturday.
        let mut calendar = WorkingCalendar::default();
        assert!(!calendar.is_working_day(day("1404-06-14")));
        assert!(calendar.is_working_day(day("1404-06-15")));
        calendar.add_holiday(day("1404-06-15"));
        assert!(!calendar.is_working_day(day("1404-06-15")));
        assert_eq!(
            calendar.next_working_day(day("1404-06-13")),
            day("1404-06-16")
        );
        assert_eq!(
            calendar.first_working_day_from(day("1404-06-13")),
            day("1404-06-13")
        );
        assert_eq!(calendar.holidays().count(), 1);
    }

    #[test]
    fn a_deadline_never_counts_its_first_day_and_skips_days_off() {
        // Establishes add_working_days around a Thursday–Friday weekend and a holiday.
        // 1404-06-12 is a Wednesday.
        let offices = WorkingCalendar::new(Weekend::THURSDAY_FRIDAY, [day("1404-06-16")]);
        assert_eq!(
            offices.add_working_days(day("1404-06-12"), 0),
            day("1404-06-12")
        );
        // Thu 13 and Fri 14 off; Sat 15 is the first working day, Sun 16 a holiday.
        assert_eq!(
            offices.add_working_days(day("1404-06-12"), 1),
            day("1404-06-15")
        );
        assert_eq!(
            offices.add_working_days(day("1404-06-12"), 2),
            day("1404-06-17")
        );
        // Starting on a day off changes nothing: the count starts after it.
        assert_eq!(
            offices.add_working_days(day("1404-06-14"), 1),
            day("1404-06-15")
        );
        assert_eq!(
            offices.working_days_between(day("1404-06-12"), day("1404-06-17")),
            2
        );
        assert_eq!(
            offices.working_days_between(day("1404-06-17"), day("1404-06-12")),
            0
        );
    }
}
