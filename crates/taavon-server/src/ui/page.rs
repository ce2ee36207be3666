//! What every page shares: its request parts, its frame (layout) and its error page.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use taavon_app::AppError;
use taavon_app::Unavailability;

use super::flash;
use super::i18n::Lang;
use super::{Layout, render};
use crate::auth::{UiUser, csrf_token};
use crate::error::{code_and_status, mark_retry_after};

/// A page's request parts, for the layout (language, path).
pub struct PageParts(pub Parts);

impl<S: Send + Sync> FromRequestParts<S> for PageParts {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.clone()))
    }
}

/// A page's frame, with the message an action left for it (taken from the session, so
/// it shows once).
pub(super) async fn layout(parts: &Parts, title: &str, user: Option<&UiUser>) -> Layout {
    let csrf = user.map_or_else(String::new, |user| csrf_token(&user.session));
    let mut layout = Layout::new(parts, title, user.map(|u| &u.principal), csrf);
    if let Some(user) = user {
        layout.flash = flash::take(&user.session).await;
    }
    layout
}

/// What a person is told of `error`, in `lang`: the precise reason of a refusal, and
/// nothing internal of a failure.
pub(super) fn error_message(lang: Lang, error: &AppError) -> String {
    let t = lang.text();
    match error {
        AppError::Invalid(errors) => errors
            .iter()
            .map(|e| lang.pick(&e.message_fa, &e.message_en).to_owned())
            .collect::<Vec<_>>()
            .join(" "),
        AppError::NotFound => t.not_found.to_owned(),
        AppError::Forbidden => t.forbidden.to_owned(),
        AppError::FourEyes => t.four_eyes.to_owned(),
        AppError::Conflict(_) => t.conflict.to_owned(),
        AppError::Throttled { .. } => t.login_throttled.to_owned(),
        AppError::Unauthenticated | AppError::BadCredentials => t.login_failed.to_owned(),
        // A form's key sent back with other fields: the same rendering's form changed
        // and sent again after it was done once.
        AppError::IdempotencyKeyReused => lang.forms().form_reused.to_owned(),
        AppError::Store(error) => match error.unavailability() {
            Some(Unavailability::Unreachable) => t.database_unavailable.to_owned(),
            Some(Unavailability::StorageFailed) => t.database_storage_failed.to_owned(),
            None => t.error.to_owned(),
        },
        AppError::Internal(_) => t.error.to_owned(),
    }
}

/// An error page in the layout, for UI handlers: the status is the API's for the same
/// error (`error::code_and_status`, the one table), the message the reader's language's.
/// Only a server error is logged as one.
pub(super) fn error_page(layout: Layout, error: &AppError) -> Response {
    let (code, status) = code_and_status(error);
    let message = error_message(layout.lang, error);
    if status.is_server_error() {
        tracing::error!(%error, code, "page failed");
    } else {
        tracing::info!(%error, code, "page refused");
    }
    let mut page = status_page(layout, status, message);
    mark_retry_after(&mut page);
    page
}

/// The styled page of a status with its message: the heading names the status (a page
/// not found, a refusal, an error), never in English to a Persian reader.
pub(super) fn status_page(mut layout: Layout, status: StatusCode, message: String) -> Response {
    let t = layout.t;
    let heading = match status {
        StatusCode::NOT_FOUND => t.page_not_found,
        status if status.is_client_error() => t.refused,
        _ => t.error,
    };
    heading.clone_into(&mut layout.title);
    (
        status,
        render(&ErrorPage {
            layout,
            heading,
            message,
        }),
    )
        .into_response()
}

/// The answer to an address no route serves, as a page in the frame (with the menu of
/// whoever is logged in).
pub async fn not_found(parts: &Parts, user: Option<&UiUser>) -> Response {
    let layout = layout(parts, "", user).await;
    let message = layout.t.not_found.to_owned();
    status_page(layout, StatusCode::NOT_FOUND, message)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    message: String,
}

pub(super) fn parts_text(parts: &Parts) -> &'static super::i18n::Text {
    Lang::of(parts).text()
}
