//! Validated codes: provinces (ISO 3166-2:IR), counties (SCI), deprivation tiers, and the
//! codes of banks, their branches and agencies.

use std::fmt;

/// Why a code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceCodeError {
    #[error("a province code looks like IR-16 (IR-00 … IR-30)")]
    Province,
    #[error("a county code has four digits, the first two its province's")]
    County,
    #[error("a tier is a whole number from 1 (most underprivileged) to 4")]
    Tier,
    #[error("a bank code is the three digits of its Sheba bank code, e.g. 022")]
    Bank,
    #[error("a branch code is letters, digits and dashes, at most 64")]
    Branch,
    #[error("an agency code is lower-case letters, digits and underscores, at most 64")]
    Agency,
}

impl ReferenceCodeError {
    /// The stable rule code for error reports.
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Province => "province_code",
            Self::County => "county_code",
            Self::Tier => "tier_range",
            Self::Bank => "bank_code",
            Self::Branch => "branch_code",
            Self::Agency => "agency_code",
        }
    }
}

/// A province code as ISO 3166-2:IR, `IR-00` … `IR-30`.
///
/// Invariant: always `IR-` followed by two ASCII digits from 00 to 30.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProvinceCode(String);

impl ProvinceCode {
    /// Accepts `IR-16`, `ir-16` and the bare SCI number `16`.
    pub fn parse(text: &str) -> Result<Self, ReferenceCodeError> {
        let text = text.trim();
        let digits = match text.get(..3) {
            Some(prefix) if prefix.eq_ignore_ascii_case("IR-") => text.get(3..).unwrap_or(""),
            _ => text,
        };
        match digits.parse::<u8>() {
            Ok(number @ 0..=30) if digits.len() == 2 => Ok(Self(format!("IR-{number:02}"))),
            _ => Err(ReferenceCodeError::Province),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Statistical Centre of Iran's two-digit province number.
    pub fn sci_code(&self) -> &str {
        self.0.get(3..).unwrap_or("")
    }
}

impl fmt::Display for ProvinceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A county code: the SCI four-digit code (province number + county number). Counties
/// created after 1395 carry `<province>9<n>` (see data/SOURCES.md).
///
/// Invariant: four ASCII digits whose first two are a province number 00..=30.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountyCode(String);

impl CountyCode {
    pub fn parse(text: &str) -> Result<Self, ReferenceCodeError> {
        let text = text.trim();
        let province_ok = text
            .get(..2)
            .is_some_and(|p| ProvinceCode::parse(p).is_ok());
        if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) && province_ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(ReferenceCodeError::County)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CountyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A bank by the three digits of its Sheba bank code (`022`, Tose'e Ta'avon).
///
/// Invariant: exactly three ASCII digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BankCode(String);

impl BankCode {
    pub fn parse(text: &str) -> Result<Self, ReferenceCodeError> {
        let text = text.trim();
        if text.len() == 3 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(text.to_owned()))
        } else {
            Err(ReferenceCodeError::Bank)
        }
    }

    /// Bank Tose'e Ta'avon (`022`), the cooperatives' development bank: applications are
    /// referred to it when neither the officer nor the program names a bank.
    pub fn tosee_taavon() -> Self {
        Self("022".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A bank's branch. Banks number their branches their own way (the bundled ones are
/// `<bank>-<province number>`), so the set is open and only the shape is checked.
///
/// Invariant: 1 to `limits::CODE_CHARS_MAX` ASCII letters, digits and dashes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BranchCode(String);

impl BranchCode {
    pub fn parse(text: &str) -> Result<Self, ReferenceCodeError> {
        let text = text.trim();
        if open_code(text, |b| b.is_ascii_alphanumeric() || b == b'-') {
            Ok(Self(text.to_owned()))
        } else {
            Err(ReferenceCodeError::Branch)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An agency of the ministry (`sso`, `behzisti` …): an open set the reference data
/// extends, so only the shape is checked.
///
/// Invariant: 1 to `limits::CODE_CHARS_MAX` ASCII lower-case letters, digits and
/// underscores.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgencyCode(String);

impl AgencyCode {
    pub fn parse(text: &str) -> Result<Self, ReferenceCodeError> {
        let text = text.trim();
        if open_code(text, |b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
        }) {
            Ok(Self(text.to_owned()))
        } else {
            Err(ReferenceCodeError::Agency)
        }
    }

    /// The Social Security Organization (`sso`), whose officers upload the insured-worker
    /// lists.
    pub fn sso() -> Self {
        Self("sso".to_owned())
    }

    /// The Technical and Vocational Training Organization (`tvto`), which trains the
    /// members of new cooperatives.
    pub fn tvto() -> Self {
        Self("tvto".to_owned())
    }

    pub fn is_sso(&self) -> bool {
        self.0 == "sso"
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn open_code(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
    !text.is_empty() && text.len() <= crate::limits::CODE_CHARS_MAX && text.bytes().all(allowed)
}

macro_rules! displayed_code {
    ($($type:ident),*) => {$(
        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
displayed_code!(BankCode, BranchCode, AgencyCode);

macro_rules! parsed_code {
    ($($type:ident),*) => {$(
        impl std::str::FromStr for $type {
            type Err = ReferenceCodeError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }
    )*};
}
parsed_code!(BankCode, BranchCode, AgencyCode);

/// A deprivation tier: 1 = most underprivileged … 4 = least. Tiers 1–2 count as
/// underprivileged (کم‌برخوردار).
///
/// Invariant: 1..=4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tier(u8);

impl Tier {
    pub const MOST_DEPRIVED: Tier = Tier(1);

    pub fn new(value: i64) -> Result<Self, ReferenceCodeError> {
        match value {
            1..=4 => Ok(Self(
                u8::try_from(value).map_err(|_| ReferenceCodeError::Tier)?,
            )),
            _ => Err(ReferenceCodeError::Tier),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// The tier of the `quarter`-th quarter (0 the most deprived) of a ranking; the
    /// last quarter takes in everything past it, so every index has a tier.
    pub fn of_quarter(quarter: u64) -> Tier {
        match quarter {
            0 => Tier(1),
            1 => Tier(2),
            2 => Tier(3),
            _ => Tier(4),
        }
    }

    pub fn is_underprivileged(self) -> bool {
        self.0 <= 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_branch_and_agency_codes_keep_their_shape() {
        // Establishes what the open code sets accept: a bank is three digits, a branch
        // letters, digits and dashes, an agency a lower-case identifier.
        assert_eq!(BankCode::parse(" 022 ").unwrap().as_str(), "022");
        for text in ["22", "0222", "abc", ""] {
            assert_eq!(BankCode::parse(text), Err(ReferenceCodeError::Bank));
        }
        assert_eq!(BranchCode::parse("022-16").unwrap().to_string(), "022-16");
        for text in ["", "022 16", "شعبه", &"9".repeat(65)] {
            assert_eq!(BranchCode::parse(text), Err(ReferenceCodeError::Branch));
        }
        assert_eq!(AgencyCode::parse("behzisti").unwrap().as_str(), "behzisti");
        for text in ["", "Behzisti", "sso-1"] {
            assert_eq!(AgencyCode::parse(text), Err(ReferenceCodeError::Agency));
        }
    }

    #[test]
    fn province_codes_accept_the_usual_spellings_and_nothing_else() {
        // Establishes the accepted forms and the 00..30 range.
        for text in ["IR-16", "ir-16", "16", " IR-16 "] {
            assert_eq!(ProvinceCode::parse(text).unwrap().as_str(), "IR-16");
        }
        for text in ["IR-31", "IR-1", "1", "IR-AB", "", "IR16", "US-16"] {
            assert_eq!(
                ProvinceCode::parse(text),
                Err(ReferenceCodeError::Province),
                "{text}"
            );
        }
        assert_eq!(ProvinceCode::parse("IR-05").unwrap().sci_code(), "05");
    }

    #[test]
    fn county_codes_are_four_digits_under_a_province() {
        // Establishes county code validation.
        assert!(CountyCode::parse("1601").is_ok());
        assert!(CountyCode::parse("1691").is_ok());
        for text in ["3101", "160", "16011", "16a1", ""] {
            assert!(CountyCode::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn tiers_run_from_one_to_four() {
        // Establishes the tier range and which tiers count as underprivileged.
        assert!(Tier::new(0).is_err() && Tier::new(5).is_err());
        let quarters: Vec<u8> = (0..6).map(|q| Tier::of_quarter(q).get()).collect();
        assert_eq!(quarters, [1, 2, 3, 4, 4, 4]);
        assert!(Tier::new(2).unwrap().is_underprivileged());
        assert!(!Tier::new(3).unwrap().is_underprivileged());
    }
}
