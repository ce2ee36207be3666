//! The pooled funds in the ledger: the chart of accounts and the transfers every money
//! event makes. Agencies deposit at the affiliated banks; the ministry feeds program funds
//! per province from those deposits (or from a program's public source); a contract
//! reserves money in its program fund as a pending transfer that disbursements post;
//! principal repaid returns to the fund, profit, fees and late charges go to income, and
//! provisions move between expense and reserve.
//!
//! Account and transfer ids are derived from what they stand for (a SHA-256 of a key), so
//! a retried operation names the same ids and the ledger answers `exists` instead of
//! moving the money twice.

pub mod chart;
pub mod postings;
pub mod reports;
