//! The OpenAPI document's own contract: where parameters live, which errors every
//! operation declares and in which media type, and that every string a client sends is
//! bounded. (`scripts/contract/run` checks the running server against the document.)

use serde_json::Value;
use utoipa::OpenApi;

use super::ApiDoc;

fn document() -> Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap()
}

/// Every operation: (method, path, operation).
fn operations(doc: &Value) -> Vec<(&str, &str, &Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            found.push((method.as_str(), path.as_str(), operation));
        }
    }
    found
}

/// Follows a `$ref` (to a schema or a response) until there is none.
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
        let pointer = reference.trim_start_matches('#');
        value = doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{reference} resolves"));
    }
    value
}

/// Every string schema reachable from `schema`, with where it was found.
fn strings<'a>(doc: &'a Value, schema: &'a Value, at: &str, found: &mut Vec<(String, &'a Value)>) {
    let schema = resolve(doc, schema);
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"string") {
        found.push((at.to_owned(), schema));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for branch in schema[key].as_array().into_iter().flatten() {
            strings(doc, branch, at, found);
        }
    }
    if let Some(items) = schema.get("items") {
        strings(doc, items, &format!("{at}[]"), found);
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        strings(doc, property, &format!("{at}.{name}"), found);
    }
}

#[test]
fn query_parameters_are_declared_in_the_query_and_path_parameters_are_in_the_path() {
    // Establishes the fix of seven list operations whose query parameters (`q`, `limit`,
    // `province` …) were declared as required path parameters, breaking client generators.
    let doc = document();
    let mut wrong = Vec::new();
    for (method, path, operation) in operations(&doc) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().unwrap();
            let in_path = path.contains(&format!("{{{name}}}"));
            if (parameter["in"] == "path") != in_path {
                wrong.push(format!("{method} {path}: {name} is in {}", parameter["in"]));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    let list = &doc["paths"]["/api/v1/cooperatives"]["get"]["parameters"];
    let limit = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(
        (&limit["in"], &limit["required"]),
        (&"query".into(), &false.into())
    );
}

#[test]
fn every_error_response_is_problem_details() {
    // Establishes that no error is documented as plain JSON: each is
    // application/problem+json with the Problem schema.
    let doc = document();
    let mut wrong = Vec::new();
    for (method, path, operation) in operations(&doc) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            let response = resolve(&doc, response);
            let is_error = status.starts_with('4') || status.starts_with('5');
            let problem = &response["content"]["application/problem+json"]["schema"]["$ref"];
            // The health check's 503 is its own report, not an error of the API.
            if is_error && path != "/api/health" && problem != "#/components/schemas/Problem" {
                wrong.push(format!("{method} {path} {status}: {}", response["content"]));
            }
            if response["description"].as_str().unwrap_or("").is_empty() {
                wrong.push(format!("{method} {path} {status}: no description"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn every_operation_declares_every_error_its_shape_can_give() {
    // Establishes the standard responses: 500 everywhere; 401, 403 and 404 behind a
    // token; 400, 413, 415 and 422 for a body; 404 for a record named in the path.
    let doc = document();
    let mut missing = Vec::new();
    for (method, path, operation) in operations(&doc) {
        let mut expected = vec!["500"];
        if operation.get("security").is_some() {
            expected.extend(["401", "403", "404"]);
        }
        if operation.get("requestBody").is_some() {
            expected.extend(["400", "413", "415", "422"]);
        }
        if path.contains('{') {
            expected.extend(["400", "404"]);
        }
        for status in expected {
            if operation["responses"].get(status).is_none() {
                missing.push(format!("{method} {path}: {status}"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn every_string_a_client_sends_has_a_maximum_length() {
    // Establishes that no text field, parameter or header is unbounded in the document
    // (a fixed list bounds it too):
    // the server refuses longer ones (taavon_core::limits), and the client can know.
    let doc = document();
    let mut found = Vec::new();
    for (method, path, operation) in operations(&doc) {
        let at = format!("{method} {path}");
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().unwrap();
            strings(
                &doc,
                &parameter["schema"],
                &format!("{at} {name}"),
                &mut found,
            );
        }
        let body = &operation["requestBody"]["content"]["application/json"]["schema"];
        if !body.is_null() {
            strings(&doc, body, &format!("{at} body"), &mut found);
        }
    }
    assert!(found.len() > 150, "{} strings found", found.len());
    let unbounded: Vec<&String> = found
        .iter()
        .filter(|(_, schema)| {
            !schema["maxLength"].is_u64()
                && !schema["enum"].is_array()
                && schema.get("const").is_none()
        })
        .map(|(at, _)| at)
        .collect();
    assert!(unbounded.is_empty(), "{unbounded:#?}");
    let name = resolve(&doc, &doc["components"]["schemas"]["Name"]);
    assert_eq!(name["maxLength"], taavon_core::limits::NAME_CHARS_MAX);
}

#[test]
fn the_bounds_written_in_annotations_are_the_app_s() {
    // Establishes that the numbers written by hand in the annotations are the constants
    // the server enforces (a page, an audit page, a schedule's months, a rate).
    let doc = document();
    let parameter = |path: &str, name: &str| {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["schema"]
            .clone()
    };
    for path in [
        "/api/v1/cooperatives",
        "/api/v1/applications",
        "/api/v1/loans",
    ] {
        assert_eq!(
            parameter(path, "limit")["maximum"],
            taavon_app::bounds::PAGE_SIZE_MAX,
            "{path}"
        );
    }
    assert_eq!(
        parameter("/api/v1/audit", "limit")["maximum"],
        taavon_app::audit::AUDIT_PAGE_MAX
    );
    let reschedule = &doc["components"]["schemas"]["RescheduleDto"]["properties"];
    use taavon_core::loans::schedule::ScheduleTerms;
    assert_eq!(reschedule["months"]["maximum"], ScheduleTerms::MONTHS_MAX);
    assert_eq!(
        reschedule["grace_months"]["maximum"],
        ScheduleTerms::GRACE_MONTHS_MAX
    );
    assert_eq!(
        reschedule["rate_bp"]["maximum"],
        taavon_core::loans::rate::RateBp::MAX_BP
    );
}

#[test]
fn responses_are_typed_as_the_handlers_write_them() {
    // Establishes the fix of three responses that broke their own schema: duplicate flags
    // are a list (were declared an object), a decision's snapshot and the score may be null.
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["ApplicationDto"]["properties"]["duplicate_flags"]["type"],
        "array"
    );
    assert_eq!(
        schemas["FormationDto"]["properties"]["duplicate_flags"]["type"],
        "array"
    );
    for nullable in [
        &schemas["EventDto"]["properties"]["snapshot"],
        &schemas["ApplicationDetailDto"]["allOf"][1]["properties"]["score"],
    ] {
        assert!(nullable.to_string().contains("\"null\""), "{nullable}");
    }
}

#[test]
fn no_two_schemas_share_a_name() {
    // Establishes that every type the document describes has a name of its own: utoipa
    // keys schemas by their type's name, so a second `TransitionDto` silently replaced
    // the first in the document (the contract then took a support move for an
    // application's step). Read from the source, as a type's name is all that counts.
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.clone()];
    let mut named: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut deriving = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[derive(") && line.contains("ToSchema") {
                deriving = true;
            } else if deriving && line.starts_with("#[schema(as") {
                deriving = false;
            } else if let Some(rest) = deriving
                .then(|| {
                    ["pub struct ", "pub enum ", "struct ", "enum "]
                        .iter()
                        .find_map(|item| line.strip_prefix(item))
                })
                .flatten()
            {
                let name = rest
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                named
                    .entry(name)
                    .or_default()
                    .push(path.display().to_string());
                deriving = false;
            }
        }
    }
    assert!(
        named.len() > 50,
        "the scan finds the API's types: {named:?}"
    );
    let twice: Vec<_> = named.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(twice.is_empty(), "schemas sharing a name: {twice:?}");
}
