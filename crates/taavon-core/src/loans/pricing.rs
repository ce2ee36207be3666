//! The price and shape of the facilities a program lends: the yearly rate by county
//! tier, the term and grace, the contract type, and how far a rescheduling may go. Part
//! of a program's rule document (`programs::ProgramRules`), kept with the loans (which
//! programs build on) because a loan product reads it for its rescheduling limits.

use serde::{Deserialize, Serialize};

/// The price and shape of the facilities.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricingRules {
    /// Yearly profit rate in basis points for tiers 1, 2, 3 and 4 (deprived counties pay
    /// less).
    pub profit_rate_bp_by_tier: [u32; 4],
    pub term_months: u32,
    #[serde(default)]
    pub grace_months: u32,
    /// The code of a `loans::product::ContractType`.
    pub contract_type: String,
    /// The longest schedule, grace included, a rescheduling may write, in months;
    /// default the product's own `term_months + grace_months`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reschedule_months_max: Option<u32>,
    /// The lowest yearly rate, in basis points, a rescheduling may agree to; default the
    /// rate the loan was contracted at (the product's rate for its county's tier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reschedule_rate_bp_min: Option<u32>,
}
