//! Schedules built per second. `cargo bench -p taavon-core --bench loans`.
//! Data: 100 fixed terms of 120 monthly installments (principals 1–100 billion rials,
//! rates 4–26.5 % cycling through values with and without a finite R/1200, start
//! 1404-06-09, 6 grace months), the same terms for each method, so the `annuity` and
//! `equal_principal` lines of one run compare as a ratio; `annuity_paid_grace` adds six
//! profit-only rows per schedule. Absolute numbers depend on the machine.

use divan::{Bencher, black_box};
use taavon_core::calendar::JalaliDate;
use taavon_core::loans::schedule::{DayBase, GraceMode, Method, RateBp, ScheduleTerms, build};

const RATES: [&str; 6] = ["4", "10", "18", "23", "26.5", "12.25"];

fn main() {
    divan::main();
}

fn terms(method: Method, grace_mode: GraceMode) -> Vec<ScheduleTerms> {
    let start = JalaliDate::parse("1404-06-09").unwrap();
    (0..100i64)
        .map(|i| ScheduleTerms {
            principal: 1_000_000_000 * (i + 1) + 123_457 * i,
            rate: RateBp::parse(RATES[i as usize % RATES.len()]).unwrap(),
            months: 120,
            grace_months: 6,
            grace_mode,
            method,
            start,
            day_base: DayBase::Days365,
        })
        .collect()
}

fn bench_schedules(bencher: Bencher, all: Vec<ScheduleTerms>) {
    bencher
        .counter(divan::counter::ItemsCount::new(all.len()))
        .bench(|| {
            for terms in &all {
                black_box(build(black_box(terms)).unwrap());
            }
        });
}

#[divan::bench]
fn annuity(bencher: Bencher) {
    bench_schedules(bencher, terms(Method::Annuity, GraceMode::Spread));
}

#[divan::bench]
fn equal_principal(bencher: Bencher) {
    bench_schedules(bencher, terms(Method::EqualPrincipal, GraceMode::Spread));
}

#[divan::bench]
fn annuity_paid_grace(bencher: Bencher) {
    bench_schedules(bencher, terms(Method::Annuity, GraceMode::Paid));
}
