//! The policy knobs of an allocation round: the two quotas and the sector caps as exact
//! shares, and the objective's weights.
//!
//! Shares are whole basis points (1/10 000), so every quota and cap check is an exact
//! integer comparison: `10_000 · part ≥ basis_points · total` (a quota) or
//! `10_000 · part ≤ basis_points · total` (a cap), in i128. A policy written as a
//! decimal with more than four places is refused rather than rounded, because rounding a
//! quota would silently change the law it encodes. The weights only rank applications,
//! so they are plain `f64`.

use std::collections::BTreeMap;
use std::fmt;

use super::problem::ProblemError;

/// A share between 0 and 1 in whole basis points.
///
/// Invariant: `0 ≤ basis points ≤ 10 000`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Share(u16);

impl Share {
    pub const ZERO: Share = Share(0);
    const ONE: u32 = 10_000;

    /// A share of `basis_points`/10 000; more than 10 000 is not a share.
    pub fn from_basis_points(basis_points: u32) -> Option<Share> {
        u16::try_from(basis_points)
            .ok()
            .filter(|&bp| u32::from(bp) <= Self::ONE)
            .map(Share)
    }

    /// Reads `0.3`, `0.45`, `1`, `0` or `.25`: a decimal in 0..=1 with at most four
    /// places. `field` names the parameter in the error.
    pub fn parse(text: &str, field: &'static str) -> Result<Share, ProblemError> {
        let bad = |problem: &'static str| ProblemError::Parameter { field, problem };
        let text = text.trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty() && fraction.is_empty() {
            return Err(bad("is not a decimal number"));
        }
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(fraction) {
            return Err(bad("is not a decimal number"));
        }
        if fraction.len() > 4 {
            return Err(bad("has more than four decimal places (a basis point)"));
        }
        let whole: u32 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad("must lie between 0 and 1"))?
        };
        let mut fraction_bp: u32 = 0;
        for (place, byte) in fraction.bytes().enumerate() {
            let scale = 10u32.pow(3 - u32::try_from(place).unwrap_or(3));
            fraction_bp += u32::from(byte - b'0') * scale;
        }
        whole
            .checked_mul(Self::ONE)
            .and_then(|w| w.checked_add(fraction_bp))
            .and_then(Share::from_basis_points)
            .ok_or(bad("must lie between 0 and 1"))
    }

    pub fn basis_points(self) -> u32 {
        u32::from(self.0)
    }

    /// The share as a fraction, for pricing only; never for a feasibility check.
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / f64::from(Self::ONE)
    }

    /// Exactly `part ≥ self · total` (a minimum share holds).
    pub fn is_met(self, part: i128, total: i128) -> bool {
        i128::from(Self::ONE) * part >= i128::from(self.0) * total
    }

    /// Exactly `part ≤ self · total` (a maximum share holds).
    pub fn is_respected(self, part: i128, total: i128) -> bool {
        i128::from(Self::ONE) * part <= i128::from(self.0) * total
    }
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bp = self.basis_points();
        let fraction = format!("{:04}", bp % Self::ONE);
        let fraction = fraction.trim_end_matches('0');
        if fraction.is_empty() {
            write!(f, "{}", bp / Self::ONE)
        } else {
            write!(f, "{}.{fraction}", bp / Self::ONE)
        }
    }
}

/// What a round optimises and which quotas it must meet.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Minimum share of the funded amount that goes to women-led applications.
    pub women_share: Share,
    /// Minimum share of the funded amount that goes to tier 1 and 2 counties.
    pub deprived_share: Share,
    /// Value of one job by county tier, tier 1 first.
    pub tier_weights: [f64; 4],
    /// Extra value of one job held by a woman.
    pub women_bonus: f64,
    /// A sector's maximum share of the funded amount, by the sector code the
    /// applications carry (`Application::sector`); sectors not named are not capped.
    pub sector_caps: BTreeMap<u32, Share>,
}

impl Default for Params {
    /// The policy of the shared oracle instance (and of the CLI's defaults).
    fn default() -> Self {
        Params {
            women_share: Share(3_000),
            deprived_share: Share(4_500),
            tier_weights: [2.0, 1.5, 1.2, 1.0],
            women_bonus: 0.5,
            sector_caps: BTreeMap::new(),
        }
    }
}

impl Params {
    /// The largest weight (or bonus) of a job: a thousand times a tier-4 job is more than
    /// any policy means, and larger ones push the engine's sums to infinity.
    pub const WEIGHT_MAX: f64 = 1_000.0;

    /// Weights must be non-negative and at most `WEIGHT_MAX`: a negative weight would
    /// make funding a job a loss, which no program intends, and a huge one makes the
    /// objective infinite (the round's figures were then `null`).
    pub fn validate(&self) -> Result<(), ProblemError> {
        let usable = |w: f64| (0.0..=Self::WEIGHT_MAX).contains(&w);
        if !self.tier_weights.iter().all(|&w| usable(w)) {
            return Err(ProblemError::Parameter {
                field: "tier_weights",
                problem: "must be from 0 to 1000",
            });
        }
        if !usable(self.women_bonus) {
            return Err(ProblemError::Parameter {
                field: "women_bonus",
                problem: "must be from 0 to 1000",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_reads_decimals_to_the_basis_point() {
        let bp = |s: &str| Share::parse(s, "women_share").map(Share::basis_points);
        assert_eq!(bp("0.3"), Ok(3_000));
        assert_eq!(bp("0.45"), Ok(4_500));
        assert_eq!(bp(".0001"), Ok(1));
        assert_eq!(bp("1"), Ok(10_000));
        assert_eq!(bp("1.0000"), Ok(10_000));
        assert_eq!(bp("0"), Ok(0));
    }

    #[test]
    fn a_share_refuses_what_is_not_an_exact_share() {
        for text in [
            "", ".", "0.00001", "1.0001", "2", "-0.1", "0,3", "3e-1", "30%",
        ] {
            assert!(
                matches!(
                    Share::parse(text, "women_share"),
                    Err(ProblemError::Parameter {
                        field: "women_share",
                        ..
                    })
                ),
                "{text:?} was accepted"
            );
        }
    }

    #[test]
    fn a_cap_is_respected_exactly_at_its_boundary() {
        // Establishes the maximum-share comparison, equality included, in integers.
        let cap = Share::from_basis_points(2_500).unwrap();
        assert!(cap.is_respected(25, 100));
        assert!(!cap.is_respected(2_500_000_001, 10_000_000_000));
        assert!(cap.is_respected(0, 0));
        assert!(Share::ZERO.is_respected(0, 7));
        assert!(!Share::ZERO.is_respected(1, 7));
    }

    #[test]
    fn a_share_prints_as_the_shortest_decimal() {
        let show = |bp| Share::from_basis_points(bp).unwrap().to_string();
        assert_eq!(show(3_000), "0.3");
        assert_eq!(show(4_512), "0.4512");
        assert_eq!(show(10_000), "1");
        assert_eq!(show(0), "0");
    }

    #[test]
    fn a_share_is_met_exactly_at_its_boundary() {
        let share = Share::from_basis_points(3_000).unwrap();
        assert!(share.is_met(3, 10));
        assert!(!share.is_met(2_999_999_999, 10_000_000_000));
        assert!(share.is_met(0, 0));
    }

    #[test]
    fn negative_or_infinite_weights_are_refused_by_name() {
        let mut params = Params::default();
        params.tier_weights[2] = -1.0;
        assert!(matches!(
            params.validate(),
            Err(ProblemError::Parameter {
                field: "tier_weights",
                ..
            })
        ));
        let params = Params {
            women_bonus: f64::NAN,
            ..Params::default()
        };
        assert!(matches!(
            params.validate(),
            Err(ProblemError::Parameter {
                field: "women_bonus",
                ..
            })
        ));
    }

    #[test]
    fn a_weight_past_the_largest_is_refused_before_it_makes_the_sums_infinite() {
        // Establishes the bound: a what-if weighing a job 1e308 made the objective and
        // the gap infinite, and the API answered them as null.
        let mut params = Params::default();
        params.tier_weights[0] = Params::WEIGHT_MAX;
        assert!(params.validate().is_ok());
        params.tier_weights[0] = 1e308;
        assert!(params.validate().is_err());
        params.tier_weights[0] = 1.0;
        params.women_bonus = Params::WEIGHT_MAX * 2.0;
        assert!(params.validate().is_err());
    }
}
