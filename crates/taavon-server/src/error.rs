//! API errors as RFC 9457 `application/problem+json`, with one exhaustive table from
//! error to stable `code` and HTTP status.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use taavon_app::{AppError, FieldError};
use utoipa::ToSchema;

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
        AppError::Store(_) | AppError::Internal(_) => {
            ("internal", StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl From<taavon_store::StoreError> for ApiError {
    fn from(error: taavon_store::StoreError) -> Self {
        Self(AppError::Store(error))
    }
}

impl ApiError {
    /// A request the server could not read at all (bad JSON, bad query string).
    pub fn malformed(detail: String) -> Response {
        problem_response(Problem {
            problem_type: "about:blank#malformed_request".into(),
            title: "The request could not be read".into(),
            status: 400,
            code: "malformed_request".into(),
            detail: Some(detail),
            errors: Vec::new(),
        })
    }
}

impl ApiError {
    /// A request body over `headers::BODY_LIMIT_BYTES`.
    pub fn too_large() -> Response {
        problem_response(Problem {
            problem_type: "about:blank#payload_too_large".into(),
            title: "Payload Too Large".into(),
            status: 413,
            code: "payload_too_large".into(),
            detail: Some("The request body is over 1 MiB (1 048 576 bytes).".into()),
            errors: Vec::new(),
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (code, status) = code_and_status(&self.0);
        let detail = match &self.0 {
            // Internal detail is logged, never shown.
            AppError::Store(_) | AppError::Internal(_) => {
                tracing::error!(error = %self.0, "request failed");
                None
            }
            AppError::Invalid(_) => Some("Some fields are invalid; see errors.".to_owned()),
            other => Some(other.to_string()),
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
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        )],
        body,
    )
        .into_response()
}
