//! One person, all agencies (issue 15): for a national code, the services every agency
//! delivered to the person, the support requests filed for them, their applications and
//! loans as an individual client (the borrower) and their memberships, for those `access::decide_person_view`
//! allows. Every view, whoever looks, leaves one audit record (who looked at whom) in a
//! write transaction of its own: the view changes nothing else, and a look that cannot
//! be recorded is not shown.

use std::collections::BTreeSet;

use taavon_core::access::{PersonView, Principal, decide_person_view};
use taavon_core::ids::NationalCode;
use taavon_core::limits::TextKind;
use taavon_core::reference::ProvinceCode;
use taavon_core::services::Provider;
use taavon_core::timestamp::Timestamp;
use taavon_store::{Application, AuditEntry, Loan, Person, Store, SupportFilter, SupportRequest};

use crate::AppError;

// What the view returns, for the server (it never names the store).
use crate::auth::actor_of;
pub use taavon_store::{PersonMembership, PersonService};

/// What the person view shows: the parts the reader may see (an agency officer gets its
/// own services only, the other lists empty and `whole` false).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonOverview {
    pub national_code: String,
    /// Whether every part is shown (not only the reader's agency's services).
    pub whole: bool,
    /// The person's record, when the code is registered (a service may name a code
    /// no one registered).
    pub person: Option<Person>,
    pub services: Vec<PersonService>,
    pub support_requests: Vec<SupportRequest>,
    pub applications: Vec<Application>,
    /// The loans the person borrowed as an individual client, newest first.
    pub loans: Vec<Loan>,
    pub memberships: Vec<PersonMembership>,
}

/// The person view of `national_code` for `principal`, audited.
pub async fn person_overview(
    store: &Store,
    principal: &Principal,
    national_code: &str,
    now: Timestamp,
) -> Result<PersonOverview, AppError> {
    crate::bounds::check_texts(&[("national_code", Some(national_code), TextKind::Code)])?;
    let code = NationalCode::parse(national_code).map_err(|_| {
        AppError::invalid(
            "national_code",
            "national_code",
            "کد ملی درست نیست.",
            "Not a valid national code.",
        )
    })?;
    let mut read = store.read().await?;
    let provinces: Vec<ProvinceCode> = read
        .person_provinces(code.as_str())
        .await?
        .iter()
        .filter_map(|province| ProvinceCode::parse(province).ok())
        .collect();
    let view = match decide_person_view(Some(principal), &provinces) {
        Ok(view) => view,
        Err(refusal) => {
            AppError::from_decision(refusal)?;
            return Err(AppError::Forbidden);
        }
    };
    let person = read.person_by_national_code(code.as_str()).await?;
    let mut services = read.services_of_person(code.as_str()).await?;
    let mut overview = PersonOverview {
        national_code: code.as_str().to_owned(),
        whole: view == PersonView::Whole,
        person: None,
        services: Vec::new(),
        support_requests: Vec::new(),
        applications: Vec::new(),
        loans: Vec::new(),
        memberships: Vec::new(),
    };
    match &view {
        PersonView::Whole => {
            if let Some(person) = &person {
                overview.support_requests = read
                    .support_requests(
                        &taavon_core::access::SupportScope::All,
                        &SupportFilter {
                            person_id: Some(person.id),
                            ..SupportFilter::default()
                        },
                    )
                    .await?;
                overview.applications = read.client_applications_of_person(person.id).await?;
                overview.loans = read.client_loans_of_person(person.id).await?;
                overview.memberships = read.memberships_of_person(person.id).await?;
            }
            overview.person.clone_from(&person);
            overview.services = services;
        }
        PersonView::AgencyServices { agency, provinces } => {
            let own = Provider::Agency(agency.as_str().to_owned());
            let in_provinces: BTreeSet<&str> = provinces.iter().map(ProvinceCode::as_str).collect();
            services.retain(|service| {
                service.provider == own
                    && (in_provinces.is_empty() || in_provinces.contains(service.province.as_str()))
            });
            overview.services = services;
        }
    }
    read.finish().await?;
    let mut write = store.write(actor_of(principal), now).await?;
    write.audit(AuditEntry {
        action: "person.view",
        entity: "person",
        entity_id: person
            .as_ref()
            .map_or_else(|| "unregistered".to_owned(), |p| p.id.to_string()),
        province: None,
        before: None,
        after: Some(serde_json::json!({
            "national_code": code.masked(),
            "whole": overview.whole,
        })),
    });
    write.commit().await?;
    Ok(overview)
}
