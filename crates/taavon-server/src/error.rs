//! API errors as RFC 9457 `application/problem+json`, with one exhaustive table from
//! error to stable `code` and HTTP status.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use taavon_app::Unavailability;
use taavon_app::{AppError, FieldError};
use utoipa::ToSchema;

/// The media type of every error (and of the error responses the API document lists).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An API error, rendered as problem details.
#[derive(Debug)]
pub struct ApiError(pub AppError);

/// RFC 9457 problem details with taavon's stable `code` and, for input errors, each
/// field and rule that failed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`about:blank` plus the code).
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    /// A stable, machine-readable code such as `invalid_input` or `not_found`.
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// One field that broke one rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub rule: String,
    /// English explanation.
    pub message: String,
    /// Persian explanation, as the UI shows it.
    pub message_fa: String,
}

/// The one table of codes: every `AppError` has exactly one code and status.
pub fn code_and_status(error: &AppError) -> (&'static str, StatusCode) {
    match error {
        AppError::Unauthenticated => ("unauthenticated", StatusCode::UNAUTHORIZED),
        AppError::BadCredentials => ("bad_credentials", StatusCode::UNAUTHORIZED),
        AppError::Throttled { .. } => ("throttled", StatusCode::TOO_MANY_REQUESTS),
        AppError::Forbidden => ("forbidden", StatusCode::FORBIDDEN),
        AppError::FourEyes => ("four_eyes", StatusCode::FORBIDDEN),
        AppError::NotFound => ("not_found", StatusCode::NOT_FOUND),
        AppError::Invalid(_) => ("invalid_input", StatusCode::UNPROCESSABLE_ENTITY),
        AppError::Conflict(_) => ("conflict", StatusCode::CONFLICT),
        AppError::IdempotencyKeyReused => {
            ("idempotency_key_reused", StatusCode::UNPROCESSABLE_ENTITY)
        }
        // A database that cannot be reached may answer again in a moment (503, with
        // `Retry-After`); one whose disk is full or failing needs a person (507).
        AppError::Store(error) => match error.unavailability() {
            Some(Unavailability::Unreachable) => {
                ("database_unavailable", StatusCode::SERVICE_UNAVAILABLE)
            }
            Some(Unavailability::StorageFailed) => {
                ("database_storage_failed", StatusCode::INSUFFICIENT_STORAGE)
            }
            None => ("internal", StatusCode::INTERNAL_SERVER_ERROR),
        },
        AppError::Internal(_) => ("internal", StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// Seconds a client is told to wait (`Retry-After`) when the database is unavailable:
/// long enough not to add to a restart's load, short enough that a person retrying by
/// hand does not wait for nothing.
pub const RETRY_AFTER_UNAVAILABLE_SECONDS: u64 = 5;

/// `Retry-After` on every answer of a database that is unavailable (503).
pub fn mark_retry_after(response: &mut Response) {
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(RETRY_AFTER_UNAVAILABLE_SECONDS),
        );
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

/// The code of an error the server answers before any use case runs (a body or path it
/// cannot read, a method or route it does not have, a limit).
pub fn code_of_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "malformed_request",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_ACCEPTABLE => "not_acceptable",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_input",
        StatusCode::TOO_MANY_REQUESTS => "throttled",
        status if status.is_server_error() => "internal",
        _ => "error",
    }
}

impl ApiError {
    /// A request body over `headers::BODY_LIMIT_BYTES`.
    pub fn too_large() -> Response {
        bare_problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            Some("The request body is over 1 MiB (1 048 576 bytes).".into()),
        )
    }

    /// A request the server could not read: not JSON (415), too large (413), or not the
    /// shape asked for (400, `malformed_request`).
    pub fn unreadable(status: StatusCode, detail: String) -> Response {
        let status = match status {
            StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE => status,
            _ => StatusCode::BAD_REQUEST,
        };
        bare_problem(status, Some(detail))
    }
}

/// Problem details for an error the server answers on its own (no `AppError`).
fn bare_problem(status: StatusCode, detail: Option<String>) -> Response {
    let code = code_of_status(status);
    problem_response(Problem {
        problem_type: format!("about:blank#{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        code: code.to_owned(),
        detail,
        errors: Vec::new(),
    })
}

/// Middleware: every error under `/api/` is problem details, also those answered before
/// a handler runs (a path parameter that is not a number, a method the route lacks, a
/// rate limit), but the health check's own report. Headers such as `Allow` and
/// `Retry-After` are kept.
pub async fn problems_for_api(request: Request, next: Next) -> Response {
    // The health check's 503 is its own report (`api::health`), which says why.
    let path = request.uri().path();
    let is_api = path.starts_with("/api/") && path != "/api/health";
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == PROBLEM_JSON.as_bytes());
    if !is_api || is_problem || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let detail = if status.is_server_error() {
        tracing::error!(%status, "an error answered outside the error table");
        None
    } else {
        axum::body::to_bytes(body, 4 * 1024)
            .await
            .ok()
            .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
            .filter(|text| !text.is_empty())
    };
    let mut problem = bare_problem(status, detail);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().append(name.clone(), value.clone());
        }
    }
    problem
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (code, status) = code_and_status(&self.0);
        let unavailable = match &self.0 {
            AppError::Store(error) => error.unavailability(),
            _ => None,
        };
        let detail = match (&self.0, unavailable) {
            (_, Some(unavailability)) => {
                tracing::warn!(error = %self.0, "database unavailable");
                Some(match unavailability {
                    Unavailability::StorageFailed => "The database could not store the \
                        change: its disk is full or failing. Nothing was saved."
                        .to_owned(),
                    Unavailability::Unreachable => {
                        "The database is unavailable; try again shortly.".to_owned()
                    }
                })
            }
            // Internal detail is logged, never shown.
            (AppError::Store(_) | AppError::Internal(_), None) => {
                tracing::error!(error = %self.0, "request failed");
                None
            }
            (AppError::Invalid(_), None) => Some("Some fields are invalid; see errors.".to_owned()),
            (other, None) => Some(other.to_string()),
        };
        let errors = match &self.0 {
            AppError::Invalid(fields) => fields.iter().map(ProblemField::from).collect(),
            _ => Vec::new(),
        };
        let mut response = problem_response(Problem {
            problem_type: format!("about:blank#{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            code: code.to_owned(),
            detail,
            errors,
        });
        if let AppError::Throttled {
            retry_after_seconds,
        } = self.0
            && let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        mark_retry_after(&mut response);
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"taavon\""),
            );
        }
        response
    }
}

impl From<&FieldError> for ProblemField {
    fn from(error: &FieldError) -> Self {
        Self {
            field: error.field.clone(),
            rule: error.rule.clone(),
            message: error.message_en.clone(),
            message_fa: error.message_fa.clone(),
        }
    }
}

fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
        body,
    )
        .into_response()
}
