//! The yearly festival of top cooperators (PRODUCT.md §11, issue 16), one job per module:
//!
//! - `festival`: the festival of a Jalali year, its categories, windows, quotas and the
//!   moves of its rounds;
//! - `criteria`: a judge's mark from their marks per criterion, weighted per category;
//! - `eligibility`: whether an entry's snapshot may take part, with every reason;
//! - `prescore`: the automatic pre-score from indicators, which orders entries and breaks
//!   ties but never replaces the judges;
//! - `assignment`: judges for each entry from the round's panel, balanced and never in
//!   conflict, and the reassignment when a conflict comes to light;
//! - `round`: scoring a round (conflicted marks out, per-judge z-scores, quotas);
//! - `visibility`: what a judge may see and send, and who may enter the national round;
//! - `publication`: the public results with score bands;
//! - `certificate`: the verification code printed on a winner's certificate.

pub mod assignment;
pub mod certificate;
pub mod criteria;
pub mod eligibility;
pub mod festival;
pub mod prescore;
pub mod publication;
mod round;
pub mod visibility;

pub use round::{Entry, EntryResult, EntryStatus, Mark, RoundResult, RoundRules, z_scores};
