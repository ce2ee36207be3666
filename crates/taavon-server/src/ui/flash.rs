//! The message a page shows once after an action (post/redirect/get): what was done, or
//! the precise reason it was refused. It rides in the session, so a reload does not show
//! it again and a refusal never replaces the page the person was working on.

use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use taavon_app::AppError;
use tower_sessions::Session;

use super::i18n::Lang;
use super::page::{error_message, error_page, layout};
use crate::auth::UiUser;
use crate::error::code_and_status;

const KEY: &str = "flash";

/// One message: a success (`ok`) or a refusal, in the reader's language.
#[derive(Serialize, Deserialize)]
pub struct Flash {
    pub ok: bool,
    pub text: String,
}

/// The message waiting for this session's next page, removed as it is read.
pub async fn take(session: &Session) -> Option<Flash> {
    session.remove::<Flash>(KEY).await.ok().flatten()
}

async fn put(session: &Session, flash: Flash) {
    // A message that cannot be kept is lost, never the action: the redirect still shows
    // the record as it now is.
    if let Err(error) = session.insert(KEY, flash).await {
        tracing::warn!(%error, "flash message not kept");
    }
}

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
