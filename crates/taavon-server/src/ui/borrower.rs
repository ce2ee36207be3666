//! Who an application or a loan is for, as a page names it: the cooperative (with a
//! link to its page) or the individual client, read through the same scoped use cases
//! as the API. A name the reader may not read shows as a dash.

use taavon_app::{AppError, Store, clients, cooperatives};
use taavon_core::access::Principal;

/// An applicant or borrower as a page shows it.
pub struct Party {
    pub name: String,
    /// Its page, for a cooperative the reader may read.
    pub href: Option<String>,
}

pub async fn party(
    store: &Store,
    principal: &Principal,
    cooperative_id: Option<i64>,
    client_id: Option<i64>,
) -> Result<Party, AppError> {
    let found = match (cooperative_id, client_id) {
        (Some(id), _) => cooperatives::get_cooperative(store, principal, id)
            .await
            .map(|c| (c.fields.name, Some(format!("/cooperatives/{id}")))),
        (None, Some(id)) => clients::get_client(store, principal, id)
            .await
            .map(|c| (format!("{} {}", c.first_name, c.last_name), None)),
        (None, None) => Err(AppError::NotFound),
    };
    match found {
        Ok((name, href)) => Ok(Party { name, href }),
        Err(AppError::NotFound | AppError::Forbidden) => Ok(Party {
            name: "—".to_owned(),
            href: None,
        }),
        Err(error) => Err(error),
    }
}
