//! One person, all agencies (issue 15): the person view by national code, audited by the
//! use case on every read.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use taavon_app::clock;
use taavon_app::person_view::{self, PersonMembership, PersonOverview, PersonService};
use utoipa::ToSchema;

use super::applications::ApplicationDto;
use super::cooperatives::MemberDto;
use super::fields;
use super::loans::LoanDto;
use super::support::SupportRequestDto;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A service delivered to the person.
#[derive(Serialize, ToSchema)]
pub struct PersonServiceDto {
    pub id: i64,
    pub province: String,
    pub county: String,
    /// `agency` or `bank`.
    pub provider_kind: String,
    pub provider_code: String,
    pub reference: String,
    pub kind: String,
    pub amount_rial: Option<i64>,
    /// ISO date.
    pub delivered_on: String,
}

/// A membership of the person, current or ended.
#[derive(Serialize, ToSchema)]
pub struct PersonMembershipDto {
    pub cooperative_id: i64,
    pub cooperative_name: String,
    pub province: String,
    pub board_role: Option<String>,
    pub joined_on: String,
    pub exited_on: Option<String>,
}

/// The person view: every part the reader may see. `whole` is false for an agency
/// officer, who is shown its own agency's services only (the other lists empty).
#[derive(Serialize, ToSchema)]
pub struct PersonOverviewDto {
    pub national_code: String,
    pub whole: bool,
    /// The registered person, when the code is registered.
    pub person: Option<MemberDto>,
    pub services: Vec<PersonServiceDto>,
    pub support_requests: Vec<SupportRequestDto>,
    pub applications: Vec<ApplicationDto>,
    /// The loans the person borrowed as an individual client, newest first.
    pub loans: Vec<LoanDto>,
    pub memberships: Vec<PersonMembershipDto>,
}

impl From<PersonService> for PersonServiceDto {
    fn from(s: PersonService) -> Self {
        Self {
            id: s.id,
            province: s.province,
            county: s.county,
            provider_kind: s.provider.kind().code().to_owned(),
            provider_code: s.provider.code().to_owned(),
            reference: s.reference,
            kind: s.kind.code().to_owned(),
            amount_rial: s.amount_rial,
            delivered_on: s.delivered_on,
        }
    }
}

impl From<PersonMembership> for PersonMembershipDto {
    fn from(m: PersonMembership) -> Self {
        Self {
            cooperative_id: m.cooperative_id,
            cooperative_name: m.cooperative_name,
            province: m.province,
            board_role: m.board_role,
            joined_on: m.joined_on,
            exited_on: m.exited_on,
        }
    }
}

impl From<PersonOverview> for PersonOverviewDto {
    fn from(o: PersonOverview) -> Self {
        Self {
            national_code: o.national_code,
            whole: o.whole,
            person: o.person.map(Into::into),
            services: o.services.into_iter().map(Into::into).collect(),
            support_requests: o.support_requests.into_iter().map(Into::into).collect(),
            applications: o.applications.into_iter().map(Into::into).collect(),
            loans: o.loans.into_iter().map(Into::into).collect(),
            memberships: o.memberships.into_iter().map(Into::into).collect(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/people/{national_code}/overview", tag = "services",
    params(("national_code" = fields::NationalCode, Path)), security(("bearer" = [])),
    responses((status = 200, body = PersonOverviewDto), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn overview(
    State(state): State<AppState>,
    user: ApiUser,
    Path(national_code): Path<String>,
) -> Result<Json<PersonOverviewDto>, ApiError> {
    let overview =
        person_view::person_overview(&state.store, &user.principal, &national_code, clock::now())
            .await?;
    Ok(Json(overview.into()))
}
