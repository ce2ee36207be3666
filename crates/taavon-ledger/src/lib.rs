//! taavon's pure double-entry ledger, with TigerBeetle's semantics: accounts and
//! transfers with client-chosen ids, idempotent retries, linked chains that succeed or
//! fail together, two-phase transfers, accounts that may not be overdrawn, and a check
//! of every invariant over a whole ledger. No IO: the store loads and saves.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![deny(clippy::float_arithmetic)]

mod check;
mod flags;
mod ledger;
mod model;
mod result;

pub use check::{CheckSummary, Checker, Violation, check};
pub use flags::{AccountFlags, TransferFlags};
pub use ledger::{Ledger, Settlement};
pub use model::{Account, Transfer};
pub use result::{AccountResult, TransferResult};
