//! Conversions and validations per second, ours against ICU4X in the same run.
//! `cargo bench -p taavon-core --bench conventions`. Data: 10 000 consecutive days from
//! 1404-01-01, and 10 000 generated valid identifiers of each kind (fixed arithmetic
//! sequences, no RNG, so every run measures the same inputs). Compare the `_ours` and
//! `_icu` lines of one run as a ratio; absolute numbers depend on the machine.

use divan::{Bencher, black_box};
use icu_calendar::Date;
use icu_calendar::cal::Persian;
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_core::ids::{LegalId, NationalCode, Sheba};

const DAYS: i64 = 10_000;

fn main() {
    divan::main();
}

fn first_day() -> i64 {
    JalaliDate::parse("1404-01-01")
        .unwrap()
        .to_iso()
        .days_since_unix_epoch()
}

#[divan::bench]
fn gregorian_to_jalali_ours(bencher: Bencher) {
    let start = first_day();
    let dates: Vec<IsoDate> = (start..start + DAYS)
        .map(IsoDate::from_days_since_unix_epoch)
        .collect();
    bencher
        .counter(divan::counter::ItemsCount::new(dates.len()))
        .bench(|| {
            for date in &dates {
                black_box(JalaliDate::from(*black_box(date)));
            }
        });
}

#[divan::bench]
fn gregorian_to_jalali_icu(bencher: Bencher) {
    let start = first_day();
    let dates: Vec<Date<icu_calendar::Iso>> = (start..start + DAYS)
        .map(IsoDate::from_days_since_unix_epoch)
        .map(|d| Date::try_new_iso(d.year(), d.month(), d.day()).unwrap())
        .collect();
    bencher
        .counter(divan::counter::ItemsCount::new(dates.len()))
        .bench(|| {
            for date in &dates {
                black_box(black_box(date).to_calendar(Persian));
            }
        });
}

#[divan::bench]
fn jalali_to_gregorian_ours(bencher: Bencher) {
    let start = first_day();
    let dates: Vec<JalaliDate> = (start..start + DAYS)
        .map(|d| JalaliDate::from(IsoDate::from_days_since_unix_epoch(d)))
        .collect();
    bencher
        .counter(divan::counter::ItemsCount::new(dates.len()))
        .bench(|| {
            for date in &dates {
                black_box(black_box(date).to_iso());
            }
        });
}

#[divan::bench]
fn jalali_to_gregorian_icu(bencher: Bencher) {
    let start = first_day();
    let dates: Vec<Date<Persian>> = (start..start + DAYS)
        .map(|d| JalaliDate::from(IsoDate::from_days_since_unix_epoch(d)))
        .map(|d| Date::try_new_persian(d.year(), d.month(), d.day()).unwrap())
        .collect();
    bencher
        .counter(divan::counter::ItemsCount::new(dates.len()))
        .bench(|| {
            for date in &dates {
                black_box(black_box(date).to_calendar(icu_calendar::Iso));
            }
        });
}

#[divan::bench]
fn validate_national_code(bencher: Bencher) {
    let codes: Vec<String> = (0..10_000u32)
        .filter_map(|n| NationalCode::with_check_digit(&format!("{:09}", 4_200_000 + n * 7)))
        .map(|c| c.to_string())
        .collect();
    bencher
        .counter(divan::counter::ItemsCount::new(codes.len()))
        .bench(|| {
            for code in &codes {
                let _ = black_box(NationalCode::parse(black_box(code)));
            }
        });
}

#[divan::bench]
fn validate_legal_id(bencher: Bencher) {
    let ids: Vec<String> = (0..10_000u64)
        .filter_map(|n| LegalId::with_check_digit(&format!("{:010}", 1_400_000_000 + n)))
        .map(|c| c.to_string())
        .collect();
    bencher
        .counter(divan::counter::ItemsCount::new(ids.len()))
        .bench(|| {
            for id in &ids {
                let _ = black_box(LegalId::parse(black_box(id)));
            }
        });
}

#[divan::bench]
fn validate_sheba(bencher: Bencher) {
    // Every bank of the table in turn, account numbers stepping by a large prime.
    let banks = taavon_core::ids::BANKS;
    let sheba: Vec<String> = (0..10_000u64)
        .map(|n| {
            let bank = banks[(n as usize) % banks.len()].code;
            sheba_with_check_digits(bank, n * 1_000_003)
        })
        .collect();
    assert!(sheba.iter().all(|text| Sheba::parse(text).is_ok()));
    bencher
        .counter(divan::counter::ItemsCount::new(sheba.len()))
        .bench(|| {
            for text in &sheba {
                let _ = black_box(Sheba::parse(black_box(text)));
            }
        });
}

/// A valid Sheba of `bank` with account digits from `account` (ISO 7064 MOD 97-10).
fn sheba_with_check_digits(bank: &str, account: u64) -> String {
    let bban = format!("{bank}{account:019}");
    let remainder = format!("{bban}182700")
        .bytes()
        .fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
    format!("IR{:02}{bban}", 98 - remainder)
}
