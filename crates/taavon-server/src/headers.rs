//! What every answer tells the browser, and how large a request may be.
//!
//! - `Content-Security-Policy`: only this site's own scripts, styles, images and fonts;
//!   no inline script or style anywhere (the templates have none, htmx is told not to add
//!   any), no framing, forms post only here. Swagger UI at `/api/docs` sets style
//!   attributes from its scripts, so that path alone also allows inline styles.
//! - `Cache-Control: no-store` on every answer but the compiled-in assets (which set
//!   their own), since pages and API answers show personal data.
//! - `Referrer-Policy: same-origin`, `X-Content-Type-Options: nosniff`,
//!   `X-Frame-Options: DENY`, and `Strict-Transport-Security` when cookies are `Secure`
//!   (the site is served over HTTPS).
//! - A request body over `BODY_LIMIT_BYTES` is refused with 413 (problem details under
//!   `/api`) before it is read.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// The largest request body the server reads: 1 MiB (the largest real one, a program's
/// rules with every province's budget, is a few kilobytes).
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; form-action 'self'; \
     base-uri 'none'";
const API_DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
     frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
/// A year; sent only when the deployment says it is behind HTTPS (`secure_cookies`).
const HSTS: &str = "max-age=31536000";

/// Adds the headers above to every answer; `https` is `secure_cookies`.
pub async fn security_headers(State(https): State<bool>, request: Request, next: Next) -> Response {
    let api_docs = request.uri().path().starts_with("/api/docs");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let policy = if api_docs {
        API_DOCS_POLICY
    } else {
        PAGE_POLICY
    };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

/// Refuses a request whose declared body is over the limit, unread. A body sent without
/// a length is cut at the same limit by the extractors (`DefaultBodyLimit`).
pub async fn limit_body(request: Request, next: Next) -> Response {
    // A list upload is streamed to disk under its own limit; an attachment is read
    // under the configured attachment limit.
    if request.method() == axum::http::Method::POST
        && (crate::api::impact::STREAMED_ROUTES.contains(&request.uri().path())
            || crate::api::support::is_attachment_upload(request.uri().path()))
    {
        return next.run(request).await;
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let limit = u64::try_from(BODY_LIMIT_BYTES).unwrap_or(u64::MAX);
    if declared.is_some_and(|length| length > limit) {
        return too_large(request.uri().path());
    }
    next.run(request).await
}

/// The 413 answer: problem details under `/api`, plain text elsewhere.
pub fn too_large(path: &str) -> Response {
    if path.starts_with("/api/") {
        ApiError::too_large()
    } else {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is over 1 MiB",
        )
            .into_response()
    }
}
