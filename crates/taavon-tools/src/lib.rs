//! Tooling that production code never links: a deterministic synthetic national dataset
//! (`synth`), a synthetic allocation round (`synth_round`), the benchmarks (`bench`:
//! registry, ledger, end of day, impact) and, through the store's `tooling` feature, the
//! plain-SQL baselines they are measured against. Only the CLI depends on this crate; the
//! server and the use cases do not.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod bench;
pub mod synth;
pub mod synth_round;
