//! An instant in time as the system records it (audit records, sessions, tokens).
//!
//! The core never reads the clock: the caller turns its clock into a `Timestamp` and
//! passes it in. Stored as RFC 3339 text in UTC with milliseconds, so it sorts as text
//! and reads the same on SQLite and PostgreSQL.

use std::fmt;

/// Milliseconds since 1970-01-01T00:00:00Z.
///
/// Invariant: within years 0000..=9999, so the text form always has four year digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix_millis: i64,
}

/// Why a text could not be read as a timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("a timestamp must look like 2025-08-31T12:30:00.000Z")]
    Shape,
    #[error("the timestamp is outside the years 0000..=9999")]
    OutOfRange,
}

const MILLIS_PER_DAY: i64 = 86_400_000;
/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.
const MIN_MILLIS: i64 = -62_167_219_200_000;
const MAX_MILLIS: i64 = 253_402_300_799_999;

impl Timestamp {
    pub fn from_unix_millis(unix_millis: i64) -> Result<Self, TimestampError> {
        if (MIN_MILLIS..=MAX_MILLIS).contains(&unix_millis) {
            Ok(Self { unix_millis })
        } else {
            Err(TimestampError::OutOfRange)
        }
    }

    /// The nearest representable instant: for clocks, which are always in range in
    /// practice but must not be able to fail.
    pub fn from_unix_millis_clamped(unix_millis: i64) -> Self {
        Self {
            unix_millis: unix_millis.clamp(MIN_MILLIS, MAX_MILLIS),
        }
    }

    pub fn unix_millis(self) -> i64 {
        self.unix_millis
    }

    pub fn unix_seconds(self) -> i64 {
        self.unix_millis.div_euclid(1000)
    }

    /// The same instant plus (or minus) whole seconds, saturating at the supported range.
    pub fn plus_seconds(self, seconds: i64) -> Self {
        let millis = self
            .unix_millis
            .saturating_add(seconds.saturating_mul(1000))
            .clamp(MIN_MILLIS, MAX_MILLIS);
        Self {
            unix_millis: millis,
        }
    }

    /// Reads the form `Display` writes: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let bytes = text.as_bytes();
        if bytes.len() != 24
            || text.get(4..5) != Some("-")
            || text.get(7..8) != Some("-")
            || text.get(10..11) != Some("T")
            || text.get(13..14) != Some(":")
            || text.get(16..17) != Some(":")
            || text.get(19..20) != Some(".")
            || text.get(23..24) != Some("Z")
        {
            return Err(TimestampError::Shape);
        }
        let number = |range: std::ops::Range<usize>| -> Result<i64, TimestampError> {
            let part = text.get(range).ok_or(TimestampError::Shape)?;
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(TimestampError::Shape);
            }
            part.parse::<i64>().map_err(|_| TimestampError::Shape)
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let (hour, minute, second, millis) = (
            number(11..13)?,
            number(14..16)?,
            number(17..19)?,
            number(20..23)?,
        );
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return Err(TimestampError::Shape);
        }
        let days = days_from_civil(year, month, day);
        Self::from_unix_millis(
            days * MILLIS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis,
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.unix_millis.div_euclid(MILLIS_PER_DAY);
        let in_day = self.unix_millis.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let (hour, minute) = (in_day / 3_600_000, in_day / 60_000 % 60);
        let (second, millis) = (in_day / 1000 % 60, in_day % 1000);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z"
        )
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of `days_from_civil`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
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

    #[test]
    fn the_epoch_and_a_known_instant_format_as_rfc3339() {
        // Establishes the text form against two instants computed independently.
        let epoch = Timestamp::from_unix_millis(0).unwrap();
        assert_eq!(epoch.to_string(), "1970-01-01T00:00:00.000Z");
        let nowruz_1404 = Timestamp::from_unix_millis(1_742_515_200_123).unwrap();
        assert_eq!(nowruz_1404.to_string(), "2025-03-21T00:00:00.123Z");
    }

    #[test]
    fn malformed_or_impossible_text_is_refused() {
        // Establishes that parse accepts only the exact stored form of real instants.
        for text in [
            "",
            "2025-03-21",
            "2025-02-29T00:00:00.000Z",
            "2025-13-01T00:00:00.000Z",
            "2025-03-21T24:00:00.000Z",
            "2025-03-21 00:00:00.000Z",
            "+025-03-21T00:00:00.000Z",
        ] {
            assert_eq!(Timestamp::parse(text), Err(TimestampError::Shape), "{text}");
        }
    }

    #[test]
    fn instants_outside_four_digit_years_are_refused() {
        // Establishes the range invariant that keeps the text form sortable.
        assert_eq!(
            Timestamp::from_unix_millis(MAX_MILLIS + 1),
            Err(TimestampError::OutOfRange)
        );
        assert!(Timestamp::from_unix_millis(MIN_MILLIS).is_ok());
    }

    proptest! {
        #[test]
        fn parse_reads_back_what_display_writes(millis in MIN_MILLIS..=MAX_MILLIS) {
            // Establishes the round trip for every representable instant.
            let timestamp = Timestamp::from_unix_millis(millis).unwrap();
            prop_assert_eq!(Timestamp::parse(&timestamp.to_string()), Ok(timestamp));
        }

        #[test]
        fn text_order_is_time_order(a in 0i64..MAX_MILLIS, b in 0i64..MAX_MILLIS) {
            // Establishes that stored text sorts like the instants (for indexes and ORDER BY).
            let (ta, tb) = (Timestamp::from_unix_millis(a).unwrap(), Timestamp::from_unix_millis(b).unwrap());
            prop_assert_eq!(ta.cmp(&tb), ta.to_string().cmp(&tb.to_string()));
        }
    }
}
