//! The answer to a form post (post/redirect/get): back to the page with the message of
//! what was done, or of the precise reason it was refused (kept in the session flash).

use axum::response::{IntoResponse, Redirect, Response};
use taavon_app::AppError;

use super::flash::{Flash, put};
use super::i18n::Lang;
use super::page::{error_message, error_page, layout};
use crate::auth::UiUser;
use crate::error::code_and_status;

/// The answer to a form post: back to `to` with `success` when the action was done, or
/// with the precise reason it was refused. A missing record and a server failure answer
/// the error page instead (there is no page to go back to, or nothing precise to say).
pub async fn outcome<T>(
    parts: &axum::http::request::Parts,
    user: &UiUser,
    title: &str,
    to: &str,
    success: &str,
    done: Result<T, AppError>,
) -> Response {
    match done {
        Ok(_) => {
            put(
                &user.session,
                Flash {
                    ok: true,
                    text: success.to_owned(),
                },
            )
            .await;
            Redirect::to(to).into_response()
        }
        Err(error) => refused(parts, user, title, to, &error).await,
    }
}

/// Back to `to` with the reason `error` gives, or the error page when there is no page
/// to go back to (a missing record) or nothing precise to say (a server failure).
pub async fn refused(
    parts: &axum::http::request::Parts,
    user: &UiUser,
    title: &str,
    to: &str,
    error: &AppError,
) -> Response {
    let (_, status) = code_and_status(error);
    if status.is_server_error() || matches!(error, AppError::NotFound) {
        return error_page(layout(parts, title, Some(user)).await, error);
    }
    tracing::info!(%error, "action refused");
    let text = error_message(Lang::of(parts), error);
    put(&user.session, Flash { ok: false, text }).await;
    Redirect::to(to).into_response()
}
