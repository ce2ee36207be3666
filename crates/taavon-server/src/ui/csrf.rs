//! The one check of every UI form post: it comes from this site and carries the
//! session's CSRF token. Handlers take `CsrfForm<T>` instead of `Form<T>`, so no form
//! can be read unchecked.

use axum::body::{Body, Bytes};
use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::{HOST, ORIGIN};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use tower_sessions::Session;

use super::Layout;
use super::page::status_page;
use crate::auth::csrf_matches;

/// A form posted from this site with the session's CSRF token (its `csrf` field); any
/// other post is refused with 403 before the form is read.
pub struct CsrfForm<T>(pub T);

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        if !same_origin(&parts) {
            return Err(refused(&parts));
        }
        let session = Session::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let submitted = url::form_urlencoded::parse(&bytes)
            .find(|(name, _)| name == "csrf")
            .map(|(_, token)| token.into_owned());
        if !csrf_matches(&session, submitted.as_deref()) {
            return Err(refused(&parts));
        }
        let Form(form) =
            Form::<T>::from_request(Request::from_parts(parts, Body::from(bytes)), state)
                .await
                .map_err(IntoResponse::into_response)?;
        Ok(Self(form))
    }
}

/// A form with no field but its CSRF token (logout).
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// The styled page of a refused post: most often a form left open across a logout.
fn refused(parts: &Parts) -> Response {
    let layout = Layout::new(parts, "", None, String::new());
    let message = layout.t.stale_form.to_owned();
    status_page(layout, StatusCode::FORBIDDEN, message)
}

/// Whether a form post comes from this site (by `Origin`, which browsers send on POST).
pub(super) fn same_origin(parts: &Parts) -> bool {
    let Some(origin) = parts.headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Non-browser clients send no Origin; they cannot carry a victim's cookies either.
        return true;
    };
    let host = parts
        .headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority == host)
}
