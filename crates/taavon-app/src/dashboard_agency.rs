//! An agency officer's dashboard (issue 17): an agency holds no application, so its
//! figures are its pooled funds — the ledger balances of its deposits at the banks, as
//! the pooled-funds page reads them (`funds::reports::pooled_funds`) — and the services
//! it recorded in its provinces, from the counties' kept service figures the synergy map
//! reads (`services::service_synergy`). Both are to date: the kept service figures have
//! no day.

use taavon_core::access::{Principal, Role};
use taavon_core::services::Provider;

use crate::AppError;
use crate::funds::reports::pooled_funds;
use crate::services::service_synergy;

/// What an agency holds and did, to date.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgencyFigures {
    /// Its deposit accounts, their balances (posted credits less debits) and what
    /// pending contracts reserve of them.
    pub accounts: i64,
    pub balance_rial: i64,
    pub reserved_rial: i64,
    /// Services it recorded in its provinces, and the people they served.
    pub services: i64,
    pub people: i64,
}

/// The figures of the agency `principal` is an officer of; `None` for any other role.
pub async fn agency_figures(
    store: &taavon_store::Store,
    principal: &Principal,
) -> Result<Option<AgencyFigures>, AppError> {
    let Role::AgencyOfficer { agency, provinces } = &principal.role else {
        return Ok(None);
    };
    let mut figures = AgencyFigures::default();
    for line in pooled_funds(store, principal).await? {
        figures.accounts += 1;
        figures.balance_rial += line.balance;
        figures.reserved_rial += line.reserved;
    }
    let provider = Provider::Agency(agency.as_str().to_owned());
    for county in service_synergy(store, principal, None).await? {
        if !provinces.is_empty() && !provinces.iter().any(|p| p.as_str() == county.province) {
            continue;
        }
        for figure in county.figures.iter().filter(|f| f.provider == provider) {
            figures.services += figure.services;
            figures.people += figure.people;
        }
    }
    Ok(Some(figures))
}
