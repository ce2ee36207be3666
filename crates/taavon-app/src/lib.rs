//! taavon's use cases, shared by the HTTP server and the CLI.
//!
//! Architecture invariant: each command is one function that opens one write
//! transaction, asks the access policy, changes state and records its audit entries
//! before committing. Callers pass the instant (`now`); nothing here formats HTTP or HTML.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod applications;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod bounds;
pub mod clients;
pub mod clock;
pub mod cooperatives;
pub mod county_indicators;
pub mod dashboard;
pub mod dashboard_agency;
pub mod dashboard_steps;
pub mod demo;
mod duplicate_flags;
pub mod eod;
mod error;
pub mod events;
pub mod export;
mod fields;
pub mod formations;
pub mod funds;
pub mod health;
mod idempotency;
pub mod impact;
pub mod import;
pub mod loans;
pub mod members;
pub mod person_view;
pub mod persons;
pub mod programs;
pub mod reference;
pub mod rounds;
pub mod rows;
pub mod services;
pub mod sessions;
pub mod shares;
mod sheet;
pub mod support;
pub mod table;
pub mod transparency;
pub mod users;
pub mod webhooks;

pub use duplicate_flags::DuplicateRule;
pub use error::{AppError, FieldError};
pub use idempotency::Idempotency;
pub use taavon_store::{Store, Unavailability};
