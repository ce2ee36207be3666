//! What every page shares: its request parts, its frame (layout) and its error page.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use taavon_app::AppError;

use super::i18n::Lang;
use super::{Layout, render};
use crate::auth::{UiUser, csrf_token};

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

/// An error page in the layout, for UI handlers.
pub(super) fn error_page(layout: Layout, error: &AppError) -> Response {
    let (status, message) = match error {
        AppError::NotFound => (StatusCode::NOT_FOUND, layout.t.not_found.to_owned()),
        AppError::Forbidden => (StatusCode::FORBIDDEN, layout.t.forbidden.to_owned()),
        AppError::FourEyes => (StatusCode::FORBIDDEN, layout.t.four_eyes.to_owned()),
        AppError::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .iter()
                .map(|e| layout.lang.pick(&e.message_fa, &e.message_en).to_owned())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => {
            tracing::error!(error = %other, "page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, layout.t.error.to_owned())
        }
    };
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
