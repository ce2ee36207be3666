//! The audit trail, for auditors and ministry admins.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use taavon_app::rows::AuditRecord;
use utoipa::{IntoParams, ToSchema};

use crate::api_json::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// One recorded state change.
#[derive(Serialize, ToSchema)]
pub struct AuditRecordDto {
    pub seq: i64,
    /// RFC 3339 instant (UTC).
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub province: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub hash: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// At most 1000; 100 by default.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Only records older than this sequence number (for paging back).
    pub before: Option<i64>,
}

impl From<AuditRecord> for AuditRecordDto {
    fn from(r: AuditRecord) -> Self {
        let parse = |json: Option<String>| json.and_then(|text| serde_json::from_str(&text).ok());
        Self {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            province: r.province,
            before: parse(r.before_json),
            after: parse(r.after_json),
            hash: r.hash,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [AuditRecordDto]), (status = 401, body = Problem),
              (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditRecordDto>>, ApiError> {
    let records = taavon_app::audit::list_audit(
        &state.store,
        &user.principal,
        query.limit.unwrap_or(100),
        query.before,
    )
    .await?;
    Ok(Json(records.into_iter().map(Into::into).collect()))
}
