//! Who is asking: bearer tokens for the API, session cookies for the UI.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use taavon_app::{AppError, auth, clock};
use taavon_core::access::Principal;
use tower_sessions::Session;

use crate::error::{ApiError, mark_retry_after};
use crate::session_store::DATABASE_UNAVAILABLE;
use crate::state::AppState;

/// The session key holding the logged-in user's id.
pub const SESSION_USER: &str = "user_id";
/// The session key holding the instant of the login (Unix seconds), for the session's
/// absolute lifetime.
pub const SESSION_STARTED: &str = "started_at";

/// An API caller authenticated by `Authorization: Bearer <token>`.
pub struct ApiUser {
    pub principal: Principal,
    pub token: String,
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts).ok_or(ApiError(AppError::Unauthenticated))?;
        let principal = auth::authenticate_token(&state.store, &token, clock::now())
            .await?
            .ok_or(ApiError(AppError::Unauthenticated))?;
        Ok(Self { principal, token })
    }
}

/// The bearer token of a request, if it carries one.
fn bearer_token(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

/// A logged-in UI user; anonymous visitors are sent to the login page.
pub struct UiUser {
    pub principal: Principal,
    pub session: Session,
}

/// Sends the browser to log in, remembering where it wanted to go.
pub struct LoginRedirect(String);

impl IntoResponse for LoginRedirect {
    fn into_response(self) -> Response {
        Redirect::to(&format!("/login?next={}", url_escape(&self.0))).into_response()
    }
}

impl FromRequestParts<AppState> for UiUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let wanted = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        match <UiUser as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await?
        {
            Some(user) => Ok(user),
            None => Err(LoginRedirect(wanted).into_response()),
        }
    }
}

impl OptionalFromRequestParts<AppState> for UiUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Response> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let user_id: Option<i64> = session
            .get(SESSION_USER)
            .await
            .map_err(|error| session_error(&error))?;
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        let principal = auth::principal_by_id(&state.store, user_id)
            .await
            .map_err(|error| ApiError(error).into_response())?;
        Ok(principal.map(|principal| UiUser { principal, session }))
    }
}

/// The CSRF token of a session's forms. It is derived from the session id rather than
/// kept, so the database holds neither (only the id's hash, a different one): whoever
/// reads the table can forge no form.
pub fn csrf_token(session: &Session) -> String {
    session
        .id()
        .map(|id| auth::token_hash(&format!("csrf:{id}")))
        .unwrap_or_default()
}

/// Whether a submitted CSRF token is the session's.
pub fn csrf_matches(session: &Session, submitted: Option<&str>) -> bool {
    let expected = csrf_token(session);
    !expected.is_empty() && submitted == Some(expected.as_str())
}

/// The answer when a session cannot be read or written: a page (the callers are the
/// UI's), 503 with `Retry-After` when the database is unavailable, else 500.
pub(crate) fn session_error(error: &tower_sessions::session::Error) -> Response {
    use tower_sessions::session::Error as SessionError;
    use tower_sessions::session_store::Error as StoreError;
    if let SessionError::Store(StoreError::Backend(text)) = error
        && text.starts_with(DATABASE_UNAVAILABLE)
    {
        tracing::warn!(%error, "session store unavailable");
        let mut page = (
            StatusCode::SERVICE_UNAVAILABLE,
            Html(crate::ui::UNAVAILABLE_PAGE),
        )
            .into_response();
        mark_retry_after(&mut page);
        return page;
    }
    tracing::error!(%error, "session store failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html(crate::ui::FAILED_PAGE),
    )
        .into_response()
}

/// Percent-encodes a path for use in a query string.
pub fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
