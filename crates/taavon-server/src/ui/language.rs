//! Switching the UI's language (a cookie, then back to the page).

use axum::extract::Query;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use taavon_core::locale::Locale;

use super::i18n::LANG_COOKIE;
use crate::redirect::local_path_or_home;

#[derive(Deserialize)]
pub struct LanguageQuery {
    to: String,
    back: Option<String>,
}

pub async fn switch_language(Query(query): Query<LanguageQuery>) -> Response {
    // Persian unless the reader asked for a language the UI speaks.
    let lang = Locale::parse(&query.to).unwrap_or_default().code();
    let cookie = format!("{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
    (
        [(SET_COOKIE, cookie)],
        Redirect::to(&local_path_or_home(query.back.as_deref())),
    )
        .into_response()
}
