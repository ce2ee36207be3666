//! Reading the registry of cooperatives, within the caller's scope.

use taavon_core::access::{self, Action, Principal, Resource};
use taavon_core::reference::ProvinceCode;
use taavon_store::{Application, Cooperative, Person, Store};

use crate::AppError;

/// The largest page a list returns.
pub const PAGE_SIZE_MAX: i64 = 500;

/// A page of cooperatives and the size of the whole (scoped, filtered) list.
#[derive(Clone, Debug)]
pub struct CooperativePage {
    pub cooperatives: Vec<Cooperative>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// A cooperative with what its page shows.
#[derive(Clone, Debug)]
pub struct CooperativeDetail {
    pub cooperative: Cooperative,
    pub members: Vec<Person>,
    pub applications: Vec<Application>,
}

/// Lists the cooperatives the principal may see, optionally in one province.
pub async fn list_cooperatives(
    store: &Store,
    principal: &Principal,
    province: Option<&ProvinceCode>,
    limit: i64,
    offset: i64,
) -> Result<CooperativePage, AppError> {
    let scope = access::cooperative_scope(principal);
    let limit = limit.clamp(1, PAGE_SIZE_MAX);
    let offset = offset.max(0);
    let mut read = store.read().await?;
    let (cooperatives, total) = read
        .cooperatives(&scope, province.map(ProvinceCode::as_str), limit, offset)
        .await?;
    read.finish().await?;
    Ok(CooperativePage {
        cooperatives,
        total,
        limit,
        offset,
    })
}

/// One cooperative with its members and applications, if the principal may read it.
/// A cooperative outside the principal's scope is reported as not found.
pub async fn get_cooperative(
    store: &Store,
    principal: &Principal,
    id: i64,
) -> Result<CooperativeDetail, AppError> {
    let mut read = store.read().await?;
    let cooperative = read.cooperative(id).await?.ok_or(AppError::NotFound)?;
    let province = ProvinceCode::parse(&cooperative.fields.province)
        .map_err(|_| AppError::Internal(format!("cooperative {id} has a bad province")))?;
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Read,
        Resource::Cooperative {
            id: Some(id),
            province: &province,
        },
    ))?;
    let members = read.members_of(id).await?;
    let applications = read.applications_of_cooperative(id).await?;
    read.finish().await?;
    Ok(CooperativeDetail {
        cooperative,
        members,
        applications,
    })
}
