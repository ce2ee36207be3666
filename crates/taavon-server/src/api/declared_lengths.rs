//! Every write's body held to the lengths its operation declares in the OpenAPI
//! document, before the use case reads it.
//!
//! The use cases check each text against its kind's limit (`taavon_app::bounds`), and the
//! document declares the same limits (`api::fields`). Both are written by hand per field,
//! so a field the use case forgot (a patch's `reason`) would be accepted longer than the
//! document promises. Checking the body against the document itself makes the two agree
//! by construction: whatever the document declares, the server enforces, with the rule
//! the use cases use (`too_long`, naming the field as the client wrote it).
//!
//! Only lengths are checked here. Types, required fields and codes are the use cases'
//! (they read what people type: Persian digits, a code in any case), and a value of the
//! wrong type is left to deserialisation, which names it.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::Value;
use taavon_app::{AppError, FieldError};
use utoipa::OpenApi;

use super::ApiDoc;

/// The document as JSON, and each write operation's body schema by method and path.
struct Declared {
    document: Value,
    bodies: HashMap<(String, String), Value>,
}

static DECLARED: LazyLock<Declared> = LazyLock::new(|| {
    let document = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
    let mut bodies = HashMap::new();
    if let Some(paths) = at(&document, "paths").as_object() {
        for (path, item) in paths {
            for method in ["post", "put", "patch"] {
                let schema = path_in(
                    item,
                    &[
                        method,
                        "requestBody",
                        "content",
                        "application/json",
                        "schema",
                    ],
                );
                if !schema.is_null() {
                    bodies.insert((method.to_owned(), path.clone()), schema.clone());
                }
            }
        }
    }
    Declared { document, bodies }
});

/// Refuses `body` (422, every too-long field named) if a string in it is longer than the
/// operation `method path` (the route's template, `/api/v1/cooperatives/{id}`) declares.
/// An operation the document does not describe has nothing declared to hold it to.
pub fn check(method: &str, path: &str, body: &Value) -> Result<(), AppError> {
    let declared = &*DECLARED;
    let Some(schema) = declared
        .bodies
        .get(&(method.to_ascii_lowercase(), path.to_owned()))
    else {
        return Ok(());
    };
    match fit(&declared.document, schema, body, "") {
        Fit::TooLong(errors) => Err(AppError::Invalid(errors)),
        Fit::Fits | Fit::OtherType => Ok(()),
    }
}

/// How a value fits a schema, as far as lengths go.
enum Fit {
    Fits,
    /// Some string in it is longer than declared.
    TooLong(Vec<FieldError>),
    /// The schema is for another JSON type: in a choice (`anyOf`, `oneOf`) this branch is
    /// not the one the value takes.
    OtherType,
}

fn fit(document: &Value, schema: &Value, value: &Value, field: &str) -> Fit {
    let schema = resolve(document, schema);
    if !admits_type(schema, value) {
        return Fit::OtherType;
    }
    let mut errors = Vec::new();
    match value {
        Value::String(text) => {
            if let Some(max) = at(schema, "maxLength")
                .as_u64()
                .and_then(|max| usize::try_from(max).ok())
                && taavon_core::limits::exceeds(text, max)
            {
                errors.push(taavon_app::bounds::longer_than(field, max));
            }
        }
        Value::Object(fields) => {
            for (name, value) in fields {
                let inner = if field.is_empty() {
                    name.clone()
                } else {
                    format!("{field}.{name}")
                };
                let property = match path_in(schema, &["properties", name.as_str()]) {
                    Value::Null => at(schema, "additionalProperties"),
                    property => property,
                };
                if property.is_object()
                    && let Fit::TooLong(found) = fit(document, property, value, &inner)
                {
                    errors.extend(found);
                }
            }
        }
        Value::Array(items) if at(schema, "items").is_object() => {
            for (index, item) in items.iter().enumerate() {
                if let Fit::TooLong(found) = fit(
                    document,
                    at(schema, "items"),
                    item,
                    &format!("{field}[{index}]"),
                ) {
                    errors.extend(found);
                }
            }
        }
        _ => {}
    }
    // Every part of an `allOf` holds (a flattened struct's fields are one part).
    for part in at(schema, "allOf").as_array().into_iter().flatten() {
        match fit(document, part, value, field) {
            Fit::TooLong(found) => errors.extend(found),
            Fit::OtherType => return Fit::OtherType,
            Fit::Fits => {}
        }
    }
    // One branch of a choice holds: the value fits if any branch of its type takes it.
    let branches: Vec<&Value> = ["anyOf", "oneOf"]
        .iter()
        .flat_map(|choice| at(schema, choice).as_array().into_iter().flatten())
        .collect();
    if !branches.is_empty() {
        let mut refused = None;
        let mut chosen = false;
        for branch in branches {
            match fit(document, branch, value, field) {
                Fit::Fits => {
                    chosen = true;
                    refused = None;
                    break;
                }
                Fit::TooLong(found) => {
                    chosen = true;
                    refused.get_or_insert(found);
                }
                Fit::OtherType => {}
            }
        }
        if !chosen {
            return Fit::OtherType;
        }
        errors.extend(refused.into_iter().flatten());
    }
    if errors.is_empty() {
        Fit::Fits
    } else {
        Fit::TooLong(errors)
    }
}

/// `value`'s member `key`, null if it has none.
fn at<'a>(value: &'a Value, key: &str) -> &'a Value {
    value.get(key).unwrap_or(&Value::Null)
}

/// The value at `path` of member names under `value`, null where one is missing.
fn path_in<'a>(value: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(value, |value, key| at(value, key))
}

/// `schema` with its `$ref`s followed (within the document).
fn resolve<'a>(document: &'a Value, mut schema: &'a Value) -> &'a Value {
    // A bound on the chain, so a reference to itself cannot loop.
    for _ in 0..16 {
        let Some(name) = at(schema, "$ref")
            .as_str()
            .and_then(|reference| reference.strip_prefix("#/components/schemas/"))
        else {
            break;
        };
        schema = path_in(document, &["components", "schemas", name]);
    }
    schema
}

/// Whether `schema`'s `type` (if it says one) admits `value`'s JSON type.
fn admits_type(schema: &Value, value: &Value) -> bool {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let admits = |declared: &str| declared == kind || (declared == "number" && kind == "integer");
    match at(schema, "type") {
        Value::String(declared) => admits(declared),
        Value::Array(declared) => declared.iter().filter_map(Value::as_str).any(admits),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(result: Result<(), AppError>) -> Vec<(String, String)> {
        match result {
            Ok(()) => Vec::new(),
            Err(AppError::Invalid(errors)) => errors
                .into_iter()
                .map(|error| (error.field, error.rule))
                .collect(),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_patch_s_reason_is_held_to_its_declared_length() {
        // Establishes that a field is refused beyond the document's maxLength even where
        // the use case has no check of its own, and named as the client wrote it.
        let path = "/api/v1/cooperatives/{id}";
        let long = "0".repeat(taavon_core::limits::REASON_CHARS_MAX + 1);
        assert_eq!(
            rules(check("PATCH", path, &json!({"version": 1, "reason": long}))),
            vec![("reason".to_owned(), "too_long".to_owned())]
        );
        let enough = "ب".repeat(taavon_core::limits::REASON_CHARS_MAX);
        assert!(
            rules(check(
                "PATCH",
                path,
                &json!({"version": 1, "reason": enough})
            ))
            .is_empty()
        );
        // null takes the optional field's null branch.
        assert!(rules(check("PATCH", path, &json!({"version": 1, "reason": null}))).is_empty());
    }

    #[test]
    fn nested_and_flattened_fields_are_named_by_their_path() {
        // Establishes that the walk reaches a flattened struct's fields (a repayment's
        // receipt) and that a blank choice (`channel: ""`) fits its blank branch.
        let path = "/api/v1/loans/{id}/repayments";
        let body = json!({"amount": 1000, "channel": "", "receipt_no": "x".repeat(101)});
        assert_eq!(
            rules(check("POST", path, &body)),
            vec![("receipt_no".to_owned(), "too_long".to_owned())]
        );
    }

    #[test]
    fn every_write_operation_s_body_is_found_and_a_wrong_type_is_left_to_serde() {
        // Establishes that the table holds the writes' bodies, and that a value of
        // another type than declared is not this check's to refuse.
        assert!(DECLARED.bodies.len() > 40, "{}", DECLARED.bodies.len());
        let path = "/api/v1/cooperatives/{id}";
        assert!(rules(check("PATCH", path, &json!({"version": "x", "name": 7}))).is_empty());
        assert!(rules(check("POST", "/nowhere", &json!({"a": "b"}))).is_empty());
    }
}
