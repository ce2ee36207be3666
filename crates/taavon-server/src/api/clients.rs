//! Individual clients (artisans and welfare clients).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use taavon_app::clients::{self, ClientInput};
use taavon_app::clock;
use taavon_app::persons::PersonInput;
use taavon_app::rows::Client;
use utoipa::ToSchema;

use crate::api::fields;
use crate::api::keyed::{IdempotencyKey, Keyed};
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// An individual client.
#[derive(Serialize, ToSchema)]
pub struct ClientDto {
    pub id: i64,
    pub province: String,
    pub county: String,
    /// artisan or welfare.
    pub kind: String,
    pub first_name: String,
    pub last_name: String,
    pub sector: Option<String>,
    pub credential: Option<String>,
    pub referred_by: Option<String>,
}

/// An individual client to record.
#[derive(Deserialize, ToSchema)]
pub struct NewClientDto {
    #[schema(value_type = fields::ClientKind)]
    pub kind: String,
    #[schema(value_type = fields::NationalCode)]
    pub national_code: String,
    #[schema(value_type = fields::Name)]
    pub first_name: String,
    #[schema(value_type = fields::Name)]
    pub last_name: String,
    #[schema(value_type = fields::GenderCode)]
    pub gender: String,
    #[schema(minimum = 1280, maximum = 2030)]
    pub birth_year: Option<i64>,
    #[schema(value_type = Option<fields::MobileOrBlank>)]
    pub mobile: Option<String>,
    #[schema(value_type = fields::CountyCode)]
    pub county: String,
    #[schema(value_type = Option<fields::SectorCodeOrBlank>)]
    pub sector: Option<String>,
    #[schema(value_type = Option<fields::Reference>)]
    pub credential: Option<String>,
    #[schema(value_type = Option<fields::AgencyCodeOrBlank>)]
    pub referred_by: Option<String>,
}

impl From<Client> for ClientDto {
    fn from(c: Client) -> Self {
        Self {
            id: c.id,
            province: c.fields.province,
            county: c.fields.county,
            kind: c.fields.kind.code().to_owned(),
            first_name: c.first_name,
            last_name: c.last_name,
            sector: c.fields.sector,
            credential: c.fields.credential,
            referred_by: c.fields.referred_by.map(|agency| agency.to_string()),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/clients", tag = "registry", security(("bearer" = [])),
    responses((status = 200, body = [ClientDto]), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<ClientDto>>, ApiError> {
    let clients = clients::list_clients(&state.store, &user.principal, 500).await?;
    Ok(Json(clients.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/clients", tag = "registry", request_body = NewClientDto,
    security(("bearer" = [])),
    responses((status = 201, body = ClientDto), (status = 401, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<NewClientDto>,
) -> Result<(StatusCode, Json<ClientDto>), ApiError> {
    let input = ClientInput {
        person: PersonInput {
            national_code: body.national_code,
            first_name: body.first_name,
            last_name: body.last_name,
            gender: body.gender,
            birth_year: body.birth_year,
            mobile: body.mobile,
        },
        kind: body.kind,
        county: body.county,
        sector: body.sector,
        credential: body.credential,
        referred_by: body.referred_by,
    };
    let client = clients::create_client(
        &state.store,
        &user.principal,
        &input,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(client.into())))
}
