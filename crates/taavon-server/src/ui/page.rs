//! What every page shares: its request parts, its frame (layout) and its error page.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use taavon_app::AppError;

use super::i18n::Lang;
use super::{Layout, render};
use crate::auth::{UiUser, csrf_token};
use crate::error::code_and_status;

/// A page's request parts, for the layout (language, path).
pub struct PageParts(pub Parts);

impl<S: Send + Sync> FromRequestParts<S> for PageParts {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.clone()))
    }
}

pub(super) async fn layout(parts: &Parts, title: &str, user: Option<&UiUser>) -> Layout {
    let csrf = user.map_or_else(String::new, |user| csrf_token(&user.session));
    Layout::new(parts, title, user.map(|u| &u.principal), csrf)
}

/// An error page in the layout, for UI handlers: the status is the API's for the same
/// error (`error::code_and_status`, the one table), the message the reader's language's.
/// Only a server error is logged as one.
pub(super) fn error_page(layout: Layout, error: &AppError) -> Response {
    let (code, status) = code_and_status(error);
    let t = layout.t;
    let message = match error {
        AppError::Invalid(errors) => errors
            .iter()
            .map(|e| layout.lang.pick(&e.message_fa, &e.message_en).to_owned())
            .collect::<Vec<_>>()
            .join(" "),
        AppError::NotFound => t.not_found.to_owned(),
        AppError::Forbidden => t.forbidden.to_owned(),
        AppError::FourEyes => t.four_eyes.to_owned(),
        AppError::Conflict(_) => t.conflict.to_owned(),
        AppError::Throttled { .. } => t.login_throttled.to_owned(),
        AppError::Unauthenticated | AppError::BadCredentials => t.login_failed.to_owned(),
        // The UI sends no Idempotency-Key, so a reused one is no more than a failure here.
        AppError::IdempotencyKeyReused | AppError::Store(_) | AppError::Internal(_) => {
            t.error.to_owned()
        }
    };
    if status.is_server_error() {
        tracing::error!(%error, code, "page failed");
    } else {
        tracing::info!(%error, code, "page refused");
    }
    (status, render(&ErrorPage { layout, message })).into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    message: String,
}

pub(super) fn parts_text(parts: &Parts) -> &'static super::i18n::Text {
    Lang::of(parts).text()
}
