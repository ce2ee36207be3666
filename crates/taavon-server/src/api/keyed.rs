//! The one extractor of every write's body (every POST, PATCH and PUT of the API but
//! login and logout): the JSON body together with its optional `Idempotency-Key`, the
//! route and a canonical form of the body, which the use case stores with the key so
//! that a replay answers the first result and the same key with another request is
//! refused (422 `idempotency_key_reused`). The body is held to the lengths its operation
//! declares (`declared_lengths`) before the use case reads it. The OpenAPI document declares the header on
//! every such operation (`IdempotencyHeader` in `api/mod.rs`).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use taavon_app::AppError;
use taavon_app::Idempotency;
use taavon_core::limits::IDEMPOTENCY_KEY_CHARS_MAX;

use super::declared_lengths;
use crate::api_json::{body_of, body_value};
use crate::error::ApiError;

/// A write's JSON body and, when the caller sent one, its `Idempotency-Key`.
pub struct Keyed<T> {
    pub body: T,
    pub key: Option<IdempotencyKey>,
}

/// The `Idempotency-Key` of a write that carries no body (an approval): the same key
/// rules, the route its request, an empty body its canonical form.
pub struct KeyOnly(pub Option<IdempotencyKey>);

/// An `Idempotency-Key` with the request it came with.
pub struct IdempotencyKey {
    key: String,
    route: String,
    canonical_body: String,
}

impl IdempotencyKey {
    /// The key as the use case takes it.
    pub fn get(&self) -> Idempotency<'_> {
        Idempotency {
            key: &self.key,
            route: &self.route,
            canonical_body: &self.canonical_body,
        }
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Keyed<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        // The key is checked first, so a bad one is named whatever the body holds.
        let key = key_of(request.headers()).map_err(IntoResponse::into_response)?;
        let route = format!("{} {}", request.method(), request.uri().path());
        let declared = request
            .extensions()
            .get::<MatchedPath>()
            .map(|template| (request.method().to_string(), template.as_str().to_owned()));
        if !is_json(request.headers()) {
            return Err(ApiError::unreadable(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Expected request with `Content-Type: application/json`".into(),
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|error| {
            ApiError::unreadable(axum::http::StatusCode::BAD_REQUEST, error.to_string())
        })?;
        let value = body_value(value).map_err(IntoResponse::into_response)?;
        if let Some((method, template)) = declared {
            declared_lengths::check(&method, &template, &value)
                .map_err(|error| ApiError(error).into_response())?;
        }
        let key = key.map(|key| IdempotencyKey {
            key,
            route,
            canonical_body: canonical(&value),
        });
        let body = body_of(value).map_err(IntoResponse::into_response)?;
        Ok(Self { body, key })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for KeyOnly {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        let key = key_of(&parts.headers).map_err(IntoResponse::into_response)?;
        Ok(Self(key.map(|key| IdempotencyKey {
            key,
            route: format!("{} {}", parts.method, parts.uri.path()),
            canonical_body: String::new(),
        })))
    }
}

/// The `Idempotency-Key` header, if any: 1 to 200 visible ASCII characters or spaces,
/// trimmed.
fn key_of(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str().map(str::trim) {
        // `to_str` takes visible ASCII and spaces only.
        Ok(key) if (1..=IDEMPOTENCY_KEY_CHARS_MAX).contains(&key.len()) => Ok(Some(key.to_owned())),
        _ => Err(ApiError(AppError::invalid(
            "Idempotency-Key",
            "format",
            "کلید تکرارناپذیری باید ۱ تا ۲۰۰ نویسه باشد.",
            "An Idempotency-Key has 1 to 200 visible ASCII characters.",
        ))),
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim)
        .is_some_and(|mime| {
            let mime = mime.to_ascii_lowercase();
            mime == "application/json"
                || mime.starts_with("application/") && mime.ends_with("+json")
        })
}

/// JSON with object keys sorted at every level and no insignificant whitespace: two
/// bodies that mean the same read the same, however the client ordered or spaced them.
/// A `password` is left out: its unsalted hash would be stored with the key, where a
/// weak password could be guessed back from it.
pub fn canonical(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<(&String, &serde_json::Value)> =
                map.iter().filter(|(key, _)| *key != "password").collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(key, value)| {
                    format!(
                        "{}:{}",
                        serde_json::Value::from(key.as_str()),
                        canonical(value)
                    )
                })
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        serde_json::Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        scalar => scalar.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_that_mean_the_same_have_one_canonical_form() {
        // Establishes that key order and whitespace do not make another request.
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b": [1, {"y": 2, "x": "۳"}], "a": null}"#).unwrap();
        let b: serde_json::Value =
            serde_json::from_str(r#"{"a":null,"b":[1,{"x":"۳","y":2}]}"#).unwrap();
        assert_eq!(canonical(&a), canonical(&b));
        assert_eq!(canonical(&a), r#"{"a":null,"b":[1,{"x":"۳","y":2}]}"#);
        let c: serde_json::Value =
            serde_json::from_str(r#"{"a":null,"b":[{"x":"۳","y":2},1]}"#).unwrap();
        assert_ne!(canonical(&a), canonical(&c), "array order is meaning");
        let user: serde_json::Value =
            serde_json::from_str(r#"{"username":"u","password":"secret"}"#).unwrap();
        assert_eq!(
            canonical(&user),
            r#"{"username":"u"}"#,
            "no password is kept"
        );
    }
}
