//! taavon's pure domain core: money, Jalali dates, identifiers, Persian text, reference
//! data and the access policy.
//!
//! Architecture invariant: this crate does no IO. It never reads the clock, the network,
//! files or the random number generator; callers pass `today`/`now` and file contents in.
//! CI fails if `cargo tree -p taavon-core -e normal` lists `sqlx`, `tokio` or `axum`.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod access;
pub mod allocation;
pub mod applications;
pub mod awards;
pub mod calendar;
mod coded;
pub mod digits;
pub mod events;
pub mod funds;
pub mod ids;
pub mod impact;
pub mod indicators;
pub mod limits;
pub mod loans;
pub mod locale;
pub mod money;
pub mod programs;
pub mod reference;
pub mod registry;
pub mod services;
pub mod support;
pub mod text;
pub mod timestamp;
pub mod transparency;
pub mod webhooks;
pub mod words;
pub mod workdays;
