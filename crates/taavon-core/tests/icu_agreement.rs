//! Our Jalali arithmetic agrees with ICU4X's Persian calendar (the well-kept reference)
//! on every day from 1300 to 1500 AP.

use icu_calendar::Date;
use icu_calendar::cal::Persian;
use taavon_core::calendar::{IsoDate, JalaliDate};

#[test]
fn every_day_from_1300_to_1500_agrees_with_icu_calendar() {
    // Establishes agreement with ICU4X over two centuries, day by day, both directions,
    // weekdays included.
    let start = JalaliDate::parse("1300-01-01")
        .unwrap()
        .to_iso()
        .days_since_unix_epoch();
    let end = JalaliDate::parse("1500-12-29")
        .unwrap()
        .to_iso()
        .days_since_unix_epoch();
    let mut checked = 0;
    for days in start..=end {
        let iso = IsoDate::from_days_since_unix_epoch(days);
        let ours = JalaliDate::from(iso);
        let icu = Date::try_new_iso(iso.year(), iso.month(), iso.day())
            .unwrap()
            .to_calendar(Persian);
        let theirs = (
            icu.year().extended_year(),
            icu.month().ordinal,
            icu.day_of_month().0,
        );
        assert_eq!((ours.year(), ours.month(), ours.day()), theirs, "{iso}");
        // ICU numbers the week Monday = 1 … Sunday = 7; ours starts on Saturday = 0.
        assert_eq!(
            ours.weekday().number_from_saturday(),
            (icu.weekday() as u8 + 1) % 7,
            "{iso}"
        );
        let back = Date::try_new_persian(ours.year(), ours.month(), ours.day())
            .unwrap()
            .to_calendar(icu_calendar::Iso);
        assert_eq!(
            (
                back.year().extended_year(),
                back.month().ordinal,
                back.day_of_month().0
            ),
            (iso.year(), iso.month(), iso.day())
        );
        checked += 1;
    }
    assert!(checked > 73_000);
}
