//! Dates: Gregorian ISO dates (what is stored) and Jalali (Solar Hijri) dates (what people
//! read and type), with conversion, month arithmetic, parsing and Persian formatting.
//!
//! The Jalali arithmetic is the 33-year-cycle algorithm with break years used by
//! jalaali-js (Borkowski); it agrees with ICU4X's Persian calendar and with jdatetime for
//! 1178–1501 AP (`shared/oracle/jalali.csv` and the exhaustive test against icu_calendar).
//! The simpler 2820-year rule is deliberately not used: it disagrees with the astronomical
//! calendar Iran actually keeps (for example on 1403, a leap year it misses).
//! Outside 1178–1501 AP the break-year table still gives a calendar, but no reference has
//! been compared with it there.
//!
//! Speed: the date of every Nowruz is computed at compile time, and a conversion is one
//! lookup plus a few multiplications, counting days from 1 March (when the Gregorian year
//! is taken to start in March, its months have a regular shape and the leap day comes
//! last). The benchmark `benches/conventions.rs` compares this with ICU4X.

use std::fmt;

use crate::digits::{to_ascii_digits, to_persian_digits};

mod month;

pub use month::JalaliMonth;

/// A proleptic Gregorian date.
///
/// Invariant: a real date with a year in 1..=9999.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate {
    year: i32,
    month: u8,
    day: u8,
}

/// A Jalali date.
///
/// Invariant: a real date (month 1..=12, day within the month's length) with a year in
/// `JalaliDate::MIN_YEAR..=JalaliDate::MAX_YEAR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JalaliDate {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("a date looks like 1404-06-09 or 1404/6/9")]
    Shape,
    #[error("month {0} does not exist")]
    Month(u32),
    #[error("day {day} does not exist in month {month} of {year}")]
    Day { year: i32, month: u8, day: u32 },
    #[error("the year is outside the supported range")]
    Year,
}

/// A day of the Iranian week, which starts on Saturday (شنبه) and ends on Friday (جمعه),
/// the weekend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    Saturday,
    Sunday,
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
}

impl DateError {
    /// A stable machine code of the broken rule.
    pub fn rule(&self) -> &'static str {
        match self {
            DateError::Shape => "date_format",
            DateError::Month(_) => "month_range",
            DateError::Day { .. } => "day_range",
            DateError::Year => "year_range",
        }
    }

    /// The Persian message, with Persian digits.
    pub fn message_fa(&self) -> String {
        match self {
            DateError::Shape => "تاریخ را به شکل ۱۴۰۴/۰۶/۰۹ بنویسید.".into(),
            DateError::Month(month) => to_persian_digits(&format!("ماه {month} وجود ندارد.")),
            DateError::Day { year, month, day } => {
                to_persian_digits(&format!("روز {day} در ماه {month} سال {year} وجود ندارد."))
            }
            DateError::Year => "سال خارج از بازه پشتیبانی‌شده است.".into(),
        }
    }

    /// The English message (the same text as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

impl Weekday {
    /// The week in order, Saturday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Saturday,
        Weekday::Sunday,
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ];

    /// 0 for Saturday … 6 for Friday.
    pub fn number_from_saturday(self) -> u8 {
        self as u8
    }

    pub fn name_fa(self) -> &'static str {
        match self {
            Weekday::Saturday => "شنبه",
            Weekday::Sunday => "یکشنبه",
            Weekday::Monday => "دوشنبه",
            Weekday::Tuesday => "سه‌شنبه",
            Weekday::Wednesday => "چهارشنبه",
            Weekday::Thursday => "پنجشنبه",
            Weekday::Friday => "جمعه",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Weekday::Saturday => "Saturday",
            Weekday::Sunday => "Sunday",
            Weekday::Monday => "Monday",
            Weekday::Tuesday => "Tuesday",
            Weekday::Wednesday => "Wednesday",
            Weekday::Thursday => "Thursday",
            Weekday::Friday => "Friday",
        }
    }
}

pub const MONTHS_FA: [&str; 12] = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
];
pub const MONTHS_EN: [&str; 12] = [
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
];
/// Tehran's offset from UTC: +03:30, with no daylight saving time since 2022.
pub const TEHRAN_OFFSET_SECONDS: i64 = 3 * 3600 + 1800;

const BREAKS: [i64; 20] = [
    -61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324,
    2394, 2456, 3178,
];

impl IsoDate {
    pub fn new(year: i32, month: u32, day: u32) -> Result<Self, DateError> {
        if !(1..=9999).contains(&year) {
            return Err(DateError::Year);
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::Month(month));
        }
        let month = month as u8;
        if day < 1 || day > u32::from(gregorian_month_length(year, month)) {
            return Err(DateError::Day { year, month, day });
        }
        Ok(Self {
            year,
            month,
            day: day as u8,
        })
    }

    /// Reads `YYYY-MM-DD` (any digits a person types).
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let (year, month, day) = split_date(text)?;
        Self::new(year, month, day)
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01.
    pub fn days_since_unix_epoch(self) -> i64 {
        days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        )
    }

    /// The date `days` after 1970-01-01 (clamped to the supported years).
    pub fn from_days_since_unix_epoch(days: i64) -> Self {
        let (year, month, day) = civil_from_days(days.clamp(-719_162, 2_932_896));
        Self {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        }
    }

    /// The date in Tehran at the given instant (seconds since 1970-01-01T00:00Z).
    ///
    /// A fixed +03:30 is right for every instant since Iran abolished daylight saving time
    /// in 2022. Before that, summer instants between 20:30 and 21:30 UTC would land on the
    /// wrong day; that is accepted because callers only ever convert "now".
    pub fn tehran_today(unix_seconds: i64) -> Self {
        Self::from_days_since_unix_epoch((unix_seconds + TEHRAN_OFFSET_SECONDS).div_euclid(86_400))
    }

    pub fn add_days(self, days: i64) -> Self {
        Self::from_days_since_unix_epoch(self.days_since_unix_epoch() + days)
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday, day 5 of a week starting on Saturday.
        let index = (self.days_since_unix_epoch() + 5).rem_euclid(7);
        Weekday::ALL
            .get(index as usize)
            .copied()
            .unwrap_or(Weekday::Saturday)
    }
}

impl JalaliDate {
    pub const MIN_YEAR: i32 = 1;
    pub const MAX_YEAR: i32 = 3176;

    pub fn new(year: i32, month: u32, day: u32) -> Result<Self, DateError> {
        if !(Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year) {
            return Err(DateError::Year);
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::Month(month));
        }
        let month = month as u8;
        if day < 1 || day > u32::from(Self::month_length(year, month)) {
            return Err(DateError::Day { year, month, day });
        }
        Ok(Self {
            year,
            month,
            day: day as u8,
        })
    }

    /// Reads what people type: `۱۴۰۴/۶/۹`, `1404-06-09`, `1404/6/9`, Persian or
    /// Arabic-Indic digits.
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let (year, month, day) = split_date(text)?;
        Self::new(year, month, day)
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    pub fn is_leap_year(year: i32) -> bool {
        match (nowruz(i64::from(year)), nowruz(i64::from(year) + 1)) {
            (Some(this), Some(next)) => next - this == 366,
            _ => false,
        }
    }

    /// 31 days in months 1–6, 30 in 7–11, 29 or 30 in Esfand.
    pub fn month_length(year: i32, month: u8) -> u8 {
        match month {
            1..=6 => 31,
            7..=11 => 30,
            _ if Self::is_leap_year(year) => 30,
            _ => 29,
        }
    }

    /// This date plus `months` Jalali months, keeping the day of month and clamping it to
    /// the target month's length (the repayment-schedule rule). Saturates at the range.
    pub fn add_months(self, months: i32) -> Self {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + i64::from(months);
        let year = index
            .div_euclid(12)
            .clamp(i64::from(Self::MIN_YEAR), i64::from(Self::MAX_YEAR)) as i32;
        let month = (index.rem_euclid(12) + 1) as u8;
        let day = self.day.min(Self::month_length(year, month));
        Self { year, month, day }
    }

    /// The Gregorian date of this day.
    pub fn to_iso(self) -> IsoDate {
        // Nowruz falls in March of Gregorian year `year + 621`, so the date is found by
        // counting days from 1 March of that year: a year that starts in March ends with
        // February, leap day last, which makes the month a short division (Hinnant's
        // trick) with no day-count round trip.
        let gregorian_year = self.year + 621;
        let march_day = NOWRUZ_MARCH_DAY
            .get(usize::try_from(self.year).unwrap_or(0))
            .copied()
            .unwrap_or(21);
        let mut from_march = i64::from(march_day) - 1 + self.day_of_year();
        let mut march_year = gregorian_year;
        let march_year_length = if is_gregorian_leap(march_year + 1) {
            366
        } else {
            365
        };
        // The last days of Esfand fall in the next March.
        if from_march >= march_year_length {
            from_march -= march_year_length;
            march_year += 1;
        }
        let month_index = (5 * from_march + 2) / 153;
        let day = from_march - (153 * month_index + 2) / 5 + 1;
        let (month, year) = if month_index < 10 {
            (month_index + 3, march_year)
        } else {
            (month_index - 9, march_year + 1)
        };
        IsoDate {
            year,
            month: month as u8,
            day: day as u8,
        }
    }

    /// Days since 1 Farvardin of this year (0 on Nowruz).
    fn day_of_year(self) -> i64 {
        // 31-day months 1–6, then 30-day months.
        let month = i64::from(self.month);
        (month - 1) * 31 - (month / 7) * (month - 7) + i64::from(self.day) - 1
    }

    fn days_since_unix_epoch(self) -> i64 {
        // The invariant keeps the year inside the table.
        let start = nowruz(i64::from(self.year)).unwrap_or(0);
        start + self.day_of_year()
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        self.to_iso().weekday()
    }

    /// Days from this date to `other` (negative when `other` is earlier).
    pub fn days_until(self, other: JalaliDate) -> i64 {
        other.days_since_unix_epoch() - self.days_since_unix_epoch()
    }

    /// `۱۴۰۴/۰۶/۰۹`.
    pub fn format_fa(self) -> String {
        to_persian_digits(&format!(
            "{:04}/{:02}/{:02}",
            self.year, self.month, self.day
        ))
    }

    /// `۹ شهریور ۱۴۰۴`.
    pub fn format_long_fa(self) -> String {
        let month = MONTHS_FA
            .get(usize::from(self.month - 1))
            .copied()
            .unwrap_or("");
        to_persian_digits(&format!("{} {month} {}", self.day, self.year))
    }

    /// `9 Shahrivar 1404`.
    pub fn format_long_en(self) -> String {
        let month = MONTHS_EN
            .get(usize::from(self.month - 1))
            .copied()
            .unwrap_or("");
        format!("{} {month} {}", self.day, self.year)
    }
}

impl From<IsoDate> for JalaliDate {
    /// The Jalali date of a Gregorian day. Gregorian dates before 1 Farvardin 1 or after
    /// the end of `MAX_YEAR` clamp to those ends, which keeps the invariant and the
    /// conversion total.
    fn from(date: IsoDate) -> Self {
        // The fast path counts days from 1 March, as `to_iso` does; the edges of the range
        // take the day-count path, which clamps.
        if !(623..=3796).contains(&date.year) {
            return Self::from_days_clamped(date.days_since_unix_epoch());
        }
        let (month, day) = (i64::from(date.month), i64::from(date.day));
        // January and February end the March-based year that began the year before.
        let (from_march, march_year) = if month >= 3 {
            ((153 * (month - 3) + 2) / 5 + day - 1, date.year)
        } else {
            ((153 * (month + 9) + 2) / 5 + day - 1, date.year - 1)
        };
        // The Jalali year whose Nowruz falls in that March, unless the day comes before it.
        let mut year = march_year - 621;
        let nowruz_from_march = |year: i32| {
            NOWRUZ_MARCH_DAY
                .get(usize::try_from(year).unwrap_or(0))
                .map_or(20, |day| i64::from(*day) - 1)
        };
        let mut day_of_year = from_march - nowruz_from_march(year);
        if day_of_year < 0 {
            year -= 1;
            let previous_march_year_length = if is_gregorian_leap(march_year) {
                366
            } else {
                365
            };
            day_of_year = from_march + previous_march_year_length - nowruz_from_march(year);
        }
        Self::from_day_of_year(year, day_of_year)
    }
}

impl JalaliDate {
    /// The date `day_of_year` days after Nowruz of `year` (0 ≤ `day_of_year` ≤ 365).
    fn from_day_of_year(year: i32, day_of_year: i64) -> Self {
        let day_of_year = day_of_year.clamp(0, 365);
        let (month, day) = if day_of_year < 186 {
            (1 + day_of_year / 31, day_of_year % 31 + 1)
        } else {
            let rest = day_of_year - 186;
            (7 + rest / 30, rest % 30 + 1)
        };
        // Only reached by clamping: day 366 of a common year stays on Esfand 29.
        let day = if day_of_year == 365 && !Self::is_leap_year(year) {
            29
        } else {
            day
        };
        Self {
            year,
            month: month as u8,
            day: day as u8,
        }
    }

    fn from_days_clamped(days: i64) -> Self {
        let gregorian_year = i64::from(IsoDate::from_days_since_unix_epoch(days).year);
        let mut year =
            (gregorian_year - 621).clamp(i64::from(Self::MIN_YEAR), i64::from(Self::MAX_YEAR));
        // Nowruz falls on 20–22 March: before it, the Jalali year is the previous one.
        if year > i64::from(Self::MIN_YEAR) && nowruz(year).is_some_and(|start| days < start) {
            year -= 1;
        }
        // Dates outside the supported years clamp to its ends (the invariant).
        let day_of_year = days - nowruz(year).unwrap_or(days);
        Self::from_day_of_year(year as i32, day_of_year)
    }
}

impl From<JalaliDate> for IsoDate {
    fn from(date: JalaliDate) -> Self {
        date.to_iso()
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for JalaliDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Reads a date a person typed in either calendar: a year before 1700 is Jalali.
pub fn parse_date_any(text: &str) -> Result<IsoDate, DateError> {
    let (year, month, day) = split_date(text)?;
    if year < 1700 {
        Ok(JalaliDate::new(year, month, day)?.to_iso())
    } else {
        IsoDate::new(year, month, day)
    }
}

fn split_date(text: &str) -> Result<(i32, u32, u32), DateError> {
    let ascii = ascii_date_text(text);
    let parts: Vec<&str> = ascii.split(['-', '/', '.']).collect();
    let [year, month, day] = parts.as_slice() else {
        return Err(DateError::Shape);
    };
    Ok((
        year_part(year)?,
        number_part(month, 2)?,
        number_part(day, 2)?,
    ))
}

/// A typed date or month with ASCII digits, trimmed, without the invisible direction
/// marks that text copied from a right-to-left page often carries.
fn ascii_date_text(text: &str) -> String {
    let visible: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{FEFF}'))
        .collect();
    to_ascii_digits(visible.trim())
}

/// A year as people write it: three or four digits.
fn year_part(part: &str) -> Result<i32, DateError> {
    let year = number_part(part, 4)?;
    if year < 100 {
        return Err(DateError::Shape);
    }
    Ok(year as i32)
}

/// A month or day: one or two ASCII digits (already converted from Persian ones).
fn number_part(part: &str, max_len: usize) -> Result<u32, DateError> {
    if part.is_empty() || part.len() > max_len || !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateError::Shape);
    }
    part.parse().map_err(|_| DateError::Shape)
}

/// Nowruz (1 Farvardin) of every Jalali year `MIN_YEAR..=MAX_YEAR + 1`, as days since
/// 1970-01-01, computed at compile time: conversions are then a table lookup and a little
/// arithmetic.
const NOWRUZ: [i32; NOWRUZ_LEN] = nowruz_table();
const NOWRUZ_LEN: usize = JalaliDate::MAX_YEAR as usize + 2;

/// The March day (20–22) of each Nowruz, for converting to Gregorian without going
/// through a day count.
const NOWRUZ_MARCH_DAY: [u8; NOWRUZ_LEN] = nowruz_march_day_table();

fn nowruz(year: i64) -> Option<i64> {
    let index = usize::try_from(year).ok().filter(|y| *y >= 1)?;
    NOWRUZ.get(index).map(|days| i64::from(*days))
}

// Only ever evaluated at compile time: an index out of bounds fails the build, not a run.
#[allow(clippy::indexing_slicing)]
const fn nowruz_table() -> [i32; NOWRUZ_LEN] {
    let mut table = [0i32; NOWRUZ_LEN];
    let mut year = 1;
    while year < NOWRUZ_LEN {
        let march = nowruz_march_day(year as i64);
        table[year] = days_from_civil(year as i64 + 621, 3, march) as i32;
        year += 1;
    }
    table
}

// Compile-time only, as above.
#[allow(clippy::indexing_slicing)]
const fn nowruz_march_day_table() -> [u8; NOWRUZ_LEN] {
    let mut table = [0u8; NOWRUZ_LEN];
    let mut year = 1;
    while year < NOWRUZ_LEN {
        table[year] = nowruz_march_day(year as i64) as u8;
        year += 1;
    }
    table
}

/// The March day of Nowruz in Gregorian year `year + 621`: jalaali-js's `jalCal`, where a
/// Jalali year stands in its 33-year cycle between break years.
#[allow(clippy::indexing_slicing)] // Compile-time only, as above.
const fn nowruz_march_day(year: i64) -> i64 {
    let gregorian = year + 621;
    let mut leap_j = -14i64;
    let mut jp = BREAKS[0];
    let mut i = 1;
    while i < BREAKS.len() {
        let jm = BREAKS[i];
        if year < jm {
            break;
        }
        let jump = jm - jp;
        leap_j += jump / 33 * 8 + (jump % 33) / 4;
        jp = jm;
        i += 1;
    }
    let n = year - jp;
    leap_j += n / 33 * 8 + ((n % 33) + 3) / 4;
    let jump = if i < BREAKS.len() { BREAKS[i] - jp } else { 0 };
    if jump % 33 == 4 && jump - n == 4 {
        leap_j += 1;
    }
    let leap_g = gregorian / 4 - (gregorian / 100 + 1) * 3 / 4 - 150;
    20 + leap_j - leap_g
}

fn is_gregorian_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn gregorian_month_length(year: i32, month: u8) -> u8 {
    match month {
        2 if is_gregorian_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of `days_from_civil`.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn jalali(text: &str) -> JalaliDate {
        JalaliDate::parse(text).unwrap()
    }

    #[test]
    fn the_oracle_anchors_convert_both_ways() {
        // Establishes the three anchors of shared/oracle/README.md.
        for (gregorian, persian) in [
            ("2025-03-20", "1403-12-30"),
            ("2025-03-21", "1404-01-01"),
            ("2025-08-31", "1404-06-09"),
        ] {
            let iso = IsoDate::parse(gregorian).unwrap();
            assert_eq!(JalaliDate::from(iso).to_string(), persian);
            assert_eq!(jalali(persian).to_iso(), iso);
        }
    }

    #[test]
    fn what_people_type_is_read_and_impossible_dates_are_refused() {
        // Establishes the accepted spellings and the errors for impossible dates.
        for text in [
            "۱۴۰۴/۶/۹",
            "1404-06-09",
            "1404/6/9",
            "١٤٠٤/٠٦/٠٩",
            " 1404.06.09 ",
            "\u{200F}۱۴۰۴/۰۶/۰۹\u{200F}",
        ] {
            assert_eq!(jalali(text).to_string(), "1404-06-09", "{text}");
        }
        assert!(matches!(
            JalaliDate::parse("1404-07-31"),
            Err(DateError::Day { .. })
        ));
        assert!(matches!(
            JalaliDate::parse("1404-12-30"),
            Err(DateError::Day { .. })
        ));
        assert!(
            JalaliDate::parse("1403-12-30").is_ok(),
            "1403 is a leap year"
        );
        assert_eq!(JalaliDate::parse("1404-13-01"), Err(DateError::Month(13)));
        assert_eq!(JalaliDate::parse("1404/06"), Err(DateError::Shape));
        assert_eq!(JalaliDate::parse("abc"), Err(DateError::Shape));
    }

    #[test]
    fn persian_formats_use_persian_digits_and_month_names() {
        // Establishes the display forms.
        let date = jalali("1404-06-09");
        assert_eq!(date.format_fa(), "۱۴۰۴/۰۶/۰۹");
        assert_eq!(date.format_long_fa(), "۹ شهریور ۱۴۰۴");
        assert_eq!(date.format_long_en(), "9 Shahrivar 1404");
    }

    #[test]
    fn adding_months_keeps_the_day_and_clamps_it_to_the_month() {
        // Establishes the schedule rule's month arithmetic.
        assert_eq!(jalali("1404-06-31").add_months(1).to_string(), "1404-07-30");
        assert_eq!(jalali("1404-06-31").add_months(6).to_string(), "1404-12-29");
        assert_eq!(jalali("1403-06-31").add_months(6).to_string(), "1403-12-30");
        assert_eq!(jalali("1404-06-09").add_months(7).to_string(), "1405-01-09");
        assert_eq!(
            jalali("1404-01-15").add_months(-1).to_string(),
            "1403-12-15"
        );
    }

    #[test]
    fn a_year_below_1700_is_read_as_jalali() {
        // Establishes parse_date_any's calendar choice.
        assert_eq!(
            parse_date_any("1404-06-09").unwrap().to_string(),
            "2025-08-31"
        );
        assert_eq!(
            parse_date_any("2025-08-31").unwrap().to_string(),
            "2025-08-31"
        );
    }

    #[test]
    fn the_week_starts_on_saturday_and_tehran_is_three_and_a_half_hours_ahead() {
        // Establishes weekday numbering and names, and the Tehran date of an instant.
        let saturday = IsoDate::parse("2025-08-30").unwrap().weekday();
        assert_eq!(saturday, Weekday::Saturday);
        assert_eq!(saturday.number_from_saturday(), 0);
        assert_eq!(saturday.name_fa(), "شنبه");
        let friday = IsoDate::parse("2025-08-29").unwrap().weekday();
        assert_eq!(
            (friday.number_from_saturday(), friday.name_en()),
            (6, "Friday")
        );
        // Nowruz 1404 fell on a Friday.
        assert_eq!(jalali("1404-01-01").weekday(), Weekday::Friday);
        // 2025-08-30T20:45Z is 00:15 on the 31st in Tehran.
        assert_eq!(
            IsoDate::tehran_today(1_756_586_700).to_string(),
            "2025-08-31"
        );
    }

    #[test]
    fn gregorian_dates_beyond_the_jalali_range_clamp_to_its_ends() {
        // Establishes that the conversion is total and keeps the invariant at both edges,
        // and that the fast path and the day-count path meet where they hand over.
        assert_eq!(
            JalaliDate::from(IsoDate::new(1, 1, 1).unwrap()).to_string(),
            "0001-01-01"
        );
        let last_month_length = JalaliDate::month_length(JalaliDate::MAX_YEAR, 12);
        assert_eq!(
            JalaliDate::from(IsoDate::new(9999, 12, 31).unwrap()),
            JalaliDate::new(JalaliDate::MAX_YEAR, 12, u32::from(last_month_length)).unwrap()
        );
    }

    #[test]
    fn the_fast_conversions_agree_with_the_day_count_over_the_whole_range() {
        // Establishes that both direct conversions (counting from 1 March) give what the
        // day count through Nowruz gives, for every day of every supported Jalali year.
        let first = JalaliDate::new(JalaliDate::MIN_YEAR, 1, 1).unwrap();
        let last = JalaliDate::new(JalaliDate::MAX_YEAR, 12, 29).unwrap();
        for days in first.days_since_unix_epoch()..=last.days_since_unix_epoch() {
            let iso = IsoDate::from_days_since_unix_epoch(days);
            let jalali = JalaliDate::from_days_clamped(days);
            assert_eq!(JalaliDate::from(iso), jalali, "{iso}");
            assert_eq!(jalali.to_iso(), iso, "{jalali}");
        }
    }

    #[test]
    fn every_day_from_1300_to_1500_round_trips() {
        // Establishes Gregorian → Jalali → Gregorian over two centuries, day by day.
        let start = jalali("1300-01-01").to_iso().days_since_unix_epoch();
        let end = jalali("1500-12-29").to_iso().days_since_unix_epoch();
        let mut previous: Option<JalaliDate> = None;
        for days in start..=end {
            let iso = IsoDate::from_days_since_unix_epoch(days);
            let date = JalaliDate::from(iso);
            assert_eq!(date.to_iso(), iso);
            assert!(
                JalaliDate::new(date.year(), u32::from(date.month()), u32::from(date.day()))
                    .is_ok()
            );
            if let Some(previous) = previous {
                assert_eq!(previous.days_until(date), 1);
            }
            previous = Some(date);
        }
    }

    proptest! {
        #[test]
        fn month_arithmetic_never_yields_an_invalid_date(
            year in 1300i32..1500, month in 1u32..=12, day in 1u32..=31, months in -600i32..600
        ) {
            // Establishes that add_months always lands on a real date.
            if let Ok(date) = JalaliDate::new(year, month, day) {
                let moved = date.add_months(months);
                prop_assert!(JalaliDate::new(moved.year(), u32::from(moved.month()), u32::from(moved.day())).is_ok());
                prop_assert!(moved.day() <= date.day());
            }
        }

        #[test]
        fn parse_reads_back_what_display_and_format_fa_write(days in -18_000i64..60_000) {
            // Establishes parse(format(x)) = x for both calendars and both digit sets.
            let iso = IsoDate::from_days_since_unix_epoch(days);
            prop_assert_eq!(IsoDate::parse(&iso.to_string()), Ok(iso));
            let date = JalaliDate::from(iso);
            prop_assert_eq!(JalaliDate::parse(&date.to_string()), Ok(date));
            prop_assert_eq!(JalaliDate::parse(&date.format_fa()), Ok(date));
        }
    }
}
