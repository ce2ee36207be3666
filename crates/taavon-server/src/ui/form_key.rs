//! Every form's key: each rendering of a page with forms carries a fresh random
//! `form_key`, and the post that comes back with it uses it as the write's
//! Idempotency-Key (over the route and the form's fields), exactly as an API client
//! would. A form sent twice — a double click, a resent post — then acts once and both
//! answers say it was done; a failed attempt claims nothing, so it may be sent again.

use std::collections::{BTreeMap, HashMap};

use axum::http::request::Parts;
use taavon_app::Idempotency;

/// A fresh key for one rendering's forms.
pub fn fresh() -> String {
    taavon_app::auth::new_token().0
}

/// A posted form as the idempotency of its write sees it: the route, the fields in one
/// order (but the CSRF token and the key itself), and the key if the form carried one.
pub struct Submission {
    route: String,
    body: String,
    key: Option<String>,
}

impl Submission {
    pub fn of(parts: &Parts, form: &HashMap<String, String>) -> Self {
        let fields: BTreeMap<&str, &str> = form
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "csrf" | "form_key"))
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        Self {
            route: format!("POST {}", parts.uri.path()),
            body: serde_json::to_string(&fields).unwrap_or_default(),
            key: form.get("form_key").filter(|key| !key.is_empty()).cloned(),
        }
    }

    /// The Idempotency-Key of the write, if the form carried a key.
    pub fn idempotency(&self) -> Option<Idempotency<'_>> {
        self.key.as_deref().map(|key| Idempotency {
            key,
            route: &self.route,
            canonical_body: &self.body,
        })
    }
}
