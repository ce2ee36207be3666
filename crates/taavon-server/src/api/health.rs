//! `GET /api/health`: liveness and database reachability, for load balancers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::mark_retry_after;
use crate::state::AppState;

/// Health of this server and its database.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    /// Why the status is `degraded`: `database_unreachable`, `database_storage_failed`
    /// or `database_error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    pub version: &'static str,
}

#[utoipa::path(get, path = "/api/health", tag = "system",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(State(state): State<AppState>) -> Response {
    let database = taavon_app::health::database(&state.store).await;
    let (code, status) = match database.problem {
        None => (StatusCode::OK, "ok"),
        Some(_) => (StatusCode::SERVICE_UNAVAILABLE, "degraded"),
    };
    let mut response = (
        code,
        Json(Health {
            status,
            database: database.engine,
            reason: database.problem,
            version: env!("CARGO_PKG_VERSION"),
        }),
    )
        .into_response();
    mark_retry_after(&mut response);
    response
}
