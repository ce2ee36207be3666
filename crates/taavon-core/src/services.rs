//! Services delivered (issue 15): what an agency or a bank gave to whom and where — a
//! training course and its participants, a housing unit handed to a welfare client, an
//! insurance enrolment, a pension or welfare payment, technical assistance, a bank
//! facility — and the gap list built from them: underprivileged counties ranked by
//! services per 1 000 population, lowest first, with what each provider would have to
//! deliver there to reach its own national rate.
//!
//! Rates are integers (thousandths of a service per 1 000 people) because the core does
//! no float arithmetic; the ranking is exact and repeatable.

use crate::coded::coded_enum;
use crate::reference::{AgencyKind, Tier};

/// What was delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServiceKind {
    TrainingCourse,
    HousingUnit,
    InsuranceEnrolment,
    PensionPayment,
    WelfarePayment,
    TechnicalAssistance,
    BankFacility,
}

coded_enum!(ServiceKind {
    TrainingCourse = "training_course",
    HousingUnit = "housing_unit",
    InsuranceEnrolment = "insurance_enrolment",
    PensionPayment = "pension_payment",
    WelfarePayment = "welfare_payment",
    TechnicalAssistance = "technical_assistance",
    BankFacility = "bank_facility",
});

/// Who delivered a service: an agency (its reference code, e.g. `tvto`) or a bank (its
/// Sheba code, e.g. `022`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provider {
    Agency(String),
    Bank(String),
}

/// The kind of a provider, as stored beside its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProviderKind {
    Agency,
    Bank,
}

coded_enum!(ProviderKind {
    Agency = "agency",
    Bank = "bank",
});

impl Provider {
    pub fn kind(&self) -> ProviderKind {
        match self {
            Provider::Agency(_) => ProviderKind::Agency,
            Provider::Bank(_) => ProviderKind::Bank,
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Provider::Agency(code) | Provider::Bank(code) => code,
        }
    }

    pub fn from_parts(kind: ProviderKind, code: &str) -> Provider {
        match kind {
            ProviderKind::Agency => Provider::Agency(code.to_owned()),
            ProviderKind::Bank => Provider::Bank(code.to_owned()),
        }
    }
}

/// The kinds an agency of `kind` records. A bank facility is never recorded by hand: it
/// enters from the disbursement that paid it, so a loan is not counted twice.
pub fn kinds_delivered_by(kind: AgencyKind) -> &'static [ServiceKind] {
    use ServiceKind::*;
    match kind {
        AgencyKind::Training => &[TrainingCourse, TechnicalAssistance],
        AgencyKind::Welfare => &[HousingUnit, WelfarePayment, TechnicalAssistance],
        AgencyKind::SocialSecurity | AgencyKind::InsuranceFund => {
            &[InsuranceEnrolment, PensionPayment]
        }
        AgencyKind::PensionFund => &[PensionPayment, WelfarePayment],
    }
}

/// The most people one record may count (a training course's participants).
pub const PEOPLE_PER_SERVICE_MAX: i64 = 10_000;

/// Why a service's own fields do not hold together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("this agency does not deliver this kind of service")]
    KindNotDelivered,
    #[error("a service reaches 1 to {PEOPLE_PER_SERVICE_MAX} people")]
    People,
    #[error("a service to a person counts that one person")]
    PersonCountsOne,
    #[error("a service goes to a person or a cooperative, not both and not neither")]
    Recipient,
}

/// Checks what a record says about itself: the kind is the agency's, and the people it
/// counts agree with its recipient (a person is one; a cooperative's course counts its
/// participants).
pub fn check_service(
    agency: AgencyKind,
    kind: ServiceKind,
    to_person: bool,
    to_cooperative: bool,
    people: i64,
) -> Result<(), ServiceError> {
    if !kinds_delivered_by(agency).contains(&kind) {
        return Err(ServiceError::KindNotDelivered);
    }
    if to_person == to_cooperative {
        return Err(ServiceError::Recipient);
    }
    if !(1..=PEOPLE_PER_SERVICE_MAX).contains(&people) {
        return Err(ServiceError::People);
    }
    if to_person && people != 1 {
        return Err(ServiceError::PersonCountsOne);
    }
    Ok(())
}

/// One county's services by provider, with what the gap list needs of the county.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountyServices {
    pub county: String,
    pub province: String,
    pub tier: Tier,
    /// The 1395 census population; counties without one cannot be ranked per capita.
    pub population: Option<u64>,
    /// Services delivered by each provider (providers absent delivered none).
    pub by_provider: Vec<(Provider, u64)>,
}

/// What one provider would have to deliver in a county to reach its national rate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shortfall {
    pub provider: Provider,
    pub delivered: u64,
    /// The provider's national rate applied to the county's population, rounded down.
    pub expected: u64,
}

/// One line of the gap list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    pub county: String,
    pub province: String,
    pub tier: Tier,
    pub population: u64,
    pub services: u64,
    /// Services per 1 000 population, in thousandths (1 500 = 1.5 per 1 000).
    pub per_thousand_milli: u64,
    /// The providers below their national rate here, largest shortfall first.
    pub shortfalls: Vec<Shortfall>,
}

/// The gap list: underprivileged counties (tier 1–2) with a census population, ranked by
/// services per 1 000 population, lowest first (ties by county code). Each provider's
/// national rate is its services over the population of every ranked-or-not county with
/// a census population in `counties`, so "missing" means "below what this provider
/// delivers per person across the country".
pub fn gap_list(counties: &[CountyServices], providers: &[Provider]) -> Vec<Gap> {
    let national_population: u128 = counties
        .iter()
        .filter_map(|c| c.population)
        .map(u128::from)
        .sum();
    let national_by_provider: Vec<u128> = providers
        .iter()
        .map(|provider| {
            counties
                .iter()
                .filter(|c| c.population.is_some())
                .map(|c| u128::from(delivered_by(c, provider)))
                .sum()
        })
        .collect();
    let mut gaps: Vec<Gap> = counties
        .iter()
        .filter(|c| c.tier.is_underprivileged())
        .filter_map(|county| {
            let population = county.population.filter(|p| *p > 0)?;
            let services: u64 = county.by_provider.iter().map(|(_, n)| n).sum();
            let mut shortfalls: Vec<Shortfall> = providers
                .iter()
                .zip(&national_by_provider)
                .filter_map(|(provider, national)| {
                    let expected = share(*national, population, national_population);
                    let delivered = delivered_by(county, provider);
                    (delivered < expected).then(|| Shortfall {
                        provider: provider.clone(),
                        delivered,
                        expected,
                    })
                })
                .collect();
            shortfalls.sort_by(|a, b| {
                (b.expected - b.delivered)
                    .cmp(&(a.expected - a.delivered))
                    .then_with(|| a.provider.cmp(&b.provider))
            });
            Some(Gap {
                county: county.county.clone(),
                province: county.province.clone(),
                tier: county.tier,
                population,
                services,
                per_thousand_milli: per_thousand_milli(services, population),
                shortfalls,
            })
        })
        .collect();
    gaps.sort_by(|a, b| {
        a.per_thousand_milli
            .cmp(&b.per_thousand_milli)
            .then_with(|| a.county.cmp(&b.county))
    });
    gaps
}

/// Services per 1 000 people, in thousandths, rounded down; zero for no population.
pub fn per_thousand_milli(services: u64, population: u64) -> u64 {
    if population == 0 {
        return 0;
    }
    let rate = u128::from(services) * 1_000_000 / u128::from(population);
    u64::try_from(rate).unwrap_or(u64::MAX)
}

fn delivered_by(county: &CountyServices, provider: &Provider) -> u64 {
    county
        .by_provider
        .iter()
        .filter(|(p, _)| p == provider)
        .map(|(_, n)| n)
        .sum()
}

/// `total × part / whole`, rounded down (zero when `whole` is).
fn share(total: u128, part: u64, whole: u128) -> u64 {
    if whole == 0 {
        return 0;
    }
    u64::try_from(total * u128::from(part) / whole).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn county(
        code: &str,
        tier: i64,
        population: Option<u64>,
        by: &[(&str, u64)],
    ) -> CountyServices {
        CountyServices {
            county: code.into(),
            province: "IR-16".into(),
            tier: Tier::new(tier).unwrap(),
            population,
            by_provider: by
                .iter()
                .map(|(agency, n)| (Provider::Agency((*agency).into()), *n))
                .collect(),
        }
    }

    #[test]
    fn the_gap_list_ranks_underprivileged_counties_by_services_per_thousand_lowest_first() {
        // Establishes the order (per capita, not totals), that tiers 3–4 and counties
        // without a census are left out, and the per-1 000 figure in thousandths.
        let counties = [
            county("0001", 1, Some(100_000), &[("tvto", 300)]), // 3 per 1 000
            county("0002", 2, Some(10_000), &[("tvto", 10)]),   // 1 per 1 000
            county("0003", 3, Some(1_000), &[]),                // tier 3: not listed
            county("0004", 1, None, &[]),                       // no census: not ranked
            county("0005", 2, Some(20_000), &[("tvto", 30)]),   // 1.5 per 1 000
        ];
        let gaps = gap_list(&counties, &[Provider::Agency("tvto".into())]);
        let order: Vec<(&str, u64)> = gaps
            .iter()
            .map(|g| (g.county.as_str(), g.per_thousand_milli))
            .collect();
        assert_eq!(order, [("0002", 1_000), ("0005", 1_500), ("0001", 3_000)]);
    }

    #[test]
    fn what_is_missing_is_each_providers_national_rate_applied_to_the_county() {
        // Establishes the shortfall: Behzisti delivers 1 per 1 000 nationally (131 over
        // 131 000 people), so a county of 10 000 with none lacks 10; TVTO is at its rate
        // there and is not named; the largest shortfall comes first.
        let counties = [
            county(
                "0001",
                1,
                Some(100_000),
                &[("behzisti", 120), ("tvto", 100)],
            ),
            county("0002", 1, Some(10_000), &[("tvto", 10)]),
            county("0003", 4, Some(21_000), &[("behzisti", 11), ("tvto", 21)]),
        ];
        let providers = [
            Provider::Agency("behzisti".into()),
            Provider::Agency("tvto".into()),
        ];
        let gaps = gap_list(&counties, &providers);
        let second = gaps.iter().find(|g| g.county == "0002").unwrap();
        assert_eq!(
            second.shortfalls,
            [Shortfall {
                provider: Provider::Agency("behzisti".into()),
                delivered: 0,
                expected: 10,
            }]
        );
        let first = gaps.iter().find(|g| g.county == "0001").unwrap();
        assert_eq!(first.shortfalls, []);
    }

    #[test]
    fn a_record_names_one_recipient_and_its_agencys_kind() {
        // Establishes the rules `check_service` enforces for each agency kind.
        use ServiceKind::*;
        assert_eq!(
            check_service(AgencyKind::Training, TrainingCourse, false, true, 25),
            Ok(())
        );
        assert_eq!(
            check_service(AgencyKind::Training, HousingUnit, true, false, 1),
            Err(ServiceError::KindNotDelivered)
        );
        assert_eq!(
            check_service(AgencyKind::Welfare, HousingUnit, true, false, 2),
            Err(ServiceError::PersonCountsOne)
        );
        assert_eq!(
            check_service(AgencyKind::Welfare, HousingUnit, true, true, 1),
            Err(ServiceError::Recipient)
        );
        assert_eq!(
            check_service(AgencyKind::Training, TrainingCourse, false, true, 0),
            Err(ServiceError::People)
        );
        for agency in AgencyKind::ALL {
            assert!(!kinds_delivered_by(*agency).contains(&BankFacility));
        }
    }

    #[test]
    fn codes_round_trip() {
        // Establishes that every stored code parses back to its value.
        for kind in ServiceKind::ALL {
            assert_eq!(ServiceKind::parse(kind.code()), Some(*kind));
        }
        for kind in ProviderKind::ALL {
            assert_eq!(ProviderKind::parse(kind.code()), Some(*kind));
        }
        assert_eq!(per_thousand_milli(3, 0), 0);
    }
}
