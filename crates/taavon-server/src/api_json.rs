//! JSON and query extractors whose rejections are problem details, not plain text.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

use crate::error::ApiError;

/// `Json<T>` with a problem on bad input: 415 for a body that is not JSON, 413 for one
/// too large, 400 for one that is not an object or cannot be read as `T` (naming where it
/// went wrong).
///
/// A whole number written with a fraction (`1500.0`) is an integer, as JSON Schema says,
/// so an integer field takes it.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let Json(value) = Json::<Value>::from_request(request, state).await.map_err(
            |rejection: JsonRejection| {
                ApiError::unreadable(rejection.status(), rejection.body_text())
            },
        )?;
        body_value(value)
            .and_then(body_of)
            .map(Self)
            .map_err(IntoResponse::into_response)
    }
}

/// Why a JSON body could not be read (answered 400 `malformed_request`).
pub struct Unreadable(String);

impl IntoResponse for Unreadable {
    fn into_response(self) -> Response {
        ApiError::unreadable(StatusCode::BAD_REQUEST, self.0)
    }
}

/// A request body as every JSON extractor checks it: an object (serde would read a
/// struct from an array too), with whole numbers written with a fraction as integers.
pub fn body_value(mut value: Value) -> Result<Value, Unreadable> {
    if !value.is_object() {
        return Err(Unreadable("The JSON body must be an object.".to_owned()));
    }
    whole_numbers_as_integers(&mut value);
    Ok(value)
}

/// The body read as `T`, the error naming where it did not fit.
pub fn body_of<T: DeserializeOwned>(value: Value) -> Result<T, Unreadable> {
    serde_path_to_error::deserialize(value)
        .map_err(|error| Unreadable(format!("The JSON body does not fit: {error}")))
}

/// `Query<T>` with a `malformed_request` problem on bad input.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Self(value))
            .map_err(|rejection: QueryRejection| {
                ApiError::unreadable(StatusCode::BAD_REQUEST, rejection.body_text())
            })
    }
}

/// Rewrites every number with no fractional part that fits an `i64` as an integer.
fn whole_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(number) => {
            if let Some(whole) = number.as_f64().and_then(whole_i64)
                && !number.is_i64()
                && !number.is_u64()
            {
                *number = Number::from(whole);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

/// `x` as an `i64` if it is a whole number in range.
fn whole_i64(x: f64) -> Option<i64> {
    // 2^63 is exactly representable; every f64 below it in magnitude converts exactly.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (x.fract() == 0.0 && (-LIMIT..LIMIT).contains(&x)).then_some(x as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_written_with_a_fraction_become_integers_and_others_stay() {
        // Establishes that `1500.0` reads as the integer JSON Schema says it is, while a
        // real fraction or a number beyond i64 stays a float (and an integer field refuses it).
        let mut value = serde_json::json!({
            "amount": 1500.0, "jobs": [3.0, -2.0], "rate": 0.5, "huge": 1e19, "ok": 7
        });
        whole_numbers_as_integers(&mut value);
        assert_eq!(
            value,
            serde_json::json!({
                "amount": 1500, "jobs": [3, -2], "rate": 0.5, "huge": 1e19, "ok": 7
            })
        );
        assert!(value["amount"].is_i64() && value["huge"].is_f64());
        // Read exactly (serde_json's float_roundtrip), a whole number near 2^52 stays whole.
        let mut value: Value = serde_json::from_str(r#"{"amount": 4180044585417258.0}"#).unwrap();
        whole_numbers_as_integers(&mut value);
        assert_eq!(value["amount"], 4_180_044_585_417_258_i64);
    }
}
