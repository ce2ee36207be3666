//! Logging in and out of the UI: the login form, its throttled submission, and logout.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use taavon_app::auth::{self, Via};
use taavon_app::{AppError, clock};
use tower_sessions::Session;

use super::csrf::{CsrfForm, NoFields, same_origin};
use super::i18n::Lang;
use super::page::PageParts;
use super::{Layout, render};
use crate::auth::{SESSION_STARTED, SESSION_USER, UiUser, session_error};
use crate::client_address::ClientAddress;
use crate::redirect::local_path_or_home;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    error: Option<String>,
    username: String,
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login_form(PageParts(parts): PageParts, Query(query): Query<NextQuery>) -> Response {
    let layout = Layout::new(
        &parts,
        Lang::of(&parts).text().login_title,
        None,
        String::new(),
    );
    render(&LoginPage {
        layout,
        error: None,
        username: String::new(),
        next: local_path_or_home(query.next.as_deref()),
    })
}

pub async fn login_submit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    ClientAddress(source): ClientAddress,
    session: Session,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = Lang::of(&parts);
    let t = lang.text();
    // Without a session there is no CSRF token yet: a login form may only be posted
    // from this site (SameSite=Strict cookies cover everything after it).
    if !same_origin(&parts) {
        return (StatusCode::FORBIDDEN, "cross-site login refused").into_response();
    }
    let next = local_path_or_home(form.next.as_deref());
    let now = clock::now();
    let attempt = auth::LoginAttempt {
        username: &form.username,
        password: &form.password,
        via: Via::Ui,
        source,
    };
    let principal = match auth::login(&state.store, attempt, now).await {
        Ok((principal, _)) => principal,
        Err(error) => {
            let (status, message) = match &error {
                AppError::Throttled { .. } => {
                    (StatusCode::TOO_MANY_REQUESTS, t.login_throttled.to_owned())
                }
                AppError::BadCredentials => (StatusCode::UNAUTHORIZED, t.login_failed.to_owned()),
                AppError::Invalid(errors) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors
                        .iter()
                        .map(|e| lang.pick(&e.message_fa, &e.message_en))
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                other => {
                    tracing::error!(error = %other, "login failed");
                    (StatusCode::INTERNAL_SERVER_ERROR, t.error.to_owned())
                }
            };
            let layout = Layout::new(&parts, t.login_title, None, String::new());
            // Only a user name that could be one is shown back.
            let username = if matches!(error, AppError::Invalid(_)) {
                String::new()
            } else {
                form.username
            };
            let page = LoginPage {
                layout,
                error: Some(message),
                username,
                next,
            };
            return (status, render(&page)).into_response();
        }
    };
    // A new session id at login prevents session fixation (and gives new CSRF tokens).
    if let Err(error) = session.cycle_id().await {
        return session_error(&error);
    }
    if let Err(error) = session.insert(SESSION_USER, principal.user_id).await {
        return session_error(&error);
    }
    if let Err(error) = session.insert(SESSION_STARTED, now.unix_seconds()).await {
        return session_error(&error);
    }
    Redirect::to(&next).into_response()
}

pub async fn logout(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Response {
    if let Err(error) = auth::logout_session(&state.store, &user.principal, clock::now()).await {
        tracing::error!(%error, "recording a logout failed");
    }
    if let Err(error) = user.session.flush().await {
        return session_error(&error);
    }
    Redirect::to("/login").into_response()
}
