//! An instant in time as the system records it (audit records, sessions, tokens).
//!
//! The core never reads the clock: the caller turns its clock into a `Timestamp` and
//! passes it in. Stored as RFC 3339 text in UTC with milliseconds, so it sorts as text
//! and reads the same on SQLite and PostgreSQL.

use std::fmt;

use crate::calendar::{civil_from_days, days_from_civil};

/// Milliseconds since 1970-01-01T00:00:00Z.
///
/// Invariant: within years 0001..=9999, so the text form always has four year digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix_millis: i64,
}

/// Why a text could not be read as a timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("a timestamp must look like 2025-08-31T12:30:00.000Z")]
    Shape,
    #[error("the timestamp is outside the years 0001..=9999")]
    OutOfRange,
}

const MILLIS_PER_DAY: i64 = 86_400_000;
/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.
const MIN_MILLIS: i64 = -62_135_596_800_000;
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
            || crate::calendar::IsoDate::new(year as i32, month as u32, day as u32).is_err()
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
