//! The error responses of every operation, added to the OpenAPI document in one place
//! (`ProblemResponses`) so no operation can forget one: each is RFC 9457 problem details,
//! `application/problem+json`, with the `Problem` schema.
//!
//! What an operation can answer follows from its shape: every operation can fail
//! internally (500); one that reads parameters or a body can be unreadable (400), and one
//! that reads a body or query can be invalid (422); one with a body can be too large (413)
//! or not JSON (415); one behind a bearer token can be unauthenticated (401), forbidden
//! (403) or out of the caller's scope (404, as a record named in its path that does not
//! exist is), and if it takes a body, lose a race to another writer or to a request with
//! the same `Idempotency-Key` (409). An operation's own annotation adds what is particular
//! to it (429 at login) and may describe a standard one more closely ("Unknown, or outside
//! your scope"); it keeps that description and gets the problem content type.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response, ResponseBuilder};

use crate::error::PROBLEM_JSON;

/// One standard error response: its status, the component naming it, its description.
struct Standard {
    status: &'static str,
    component: &'static str,
    description: &'static str,
    /// Whether an operation of this shape can give it.
    applies: fn(&Shape) -> bool,
}

/// What decides which standard errors an operation can give.
struct Shape {
    secured: bool,
    has_body: bool,
    /// A body, or a query or header parameter (which can break a rule).
    has_input: bool,
    /// Any parameter or body at all (which can be unreadable: a path id that is no number).
    reads_anything: bool,
    names_a_record: bool,
}

const STANDARD: [Standard; 9] = [
    Standard {
        status: "400",
        component: "MalformedRequest",
        description: "`malformed_request`: the body or a parameter could not be read (not \
                      JSON, a wrong type, a missing required field).",
        applies: |shape| shape.reads_anything,
    },
    Standard {
        status: "401",
        component: "Unauthenticated",
        description: "`unauthenticated`: no valid bearer token.",
        applies: |shape| shape.secured,
    },
    Standard {
        status: "403",
        component: "Forbidden",
        description: "`forbidden`: your role may not do this.",
        applies: |shape| shape.secured,
    },
    Standard {
        status: "404",
        component: "NotFound",
        description: "`not_found`: no such record, or it (or the province a new one would \
                      belong to) is outside your scope.",
        applies: |shape| shape.names_a_record || shape.secured,
    },
    Standard {
        status: "409",
        component: "Conflict",
        description: "`conflict`: the record changed meanwhile, the step is no longer \
                      possible, or a request with the same `Idempotency-Key` is in flight.",
        applies: |shape| shape.secured && shape.has_body,
    },
    Standard {
        status: "413",
        component: "PayloadTooLarge",
        description: "`payload_too_large`: the body is larger than the server reads.",
        applies: |shape| shape.has_body,
    },
    Standard {
        status: "415",
        component: "UnsupportedMediaType",
        description: "`unsupported_media_type`: the body is not `application/json`.",
        applies: |shape| shape.has_body,
    },
    Standard {
        status: "422",
        component: "InvalidInput",
        description: "`invalid_input`: fields break rules; `errors` names each field and rule.",
        applies: |shape| shape.has_input,
    },
    Standard {
        status: "500",
        component: "Internal",
        description: "`internal`: the server failed; the detail is in its log, under the \
                      response's `x-request-id`.",
        applies: |_| true,
    },
];

/// Adds the standard error responses to every operation, and gives every error
/// response the problem content type.
pub struct ProblemResponses;

impl utoipa::Modify for ProblemResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for standard in &STANDARD {
            components
                .responses
                .insert(standard.component.to_owned(), problem(standard).into());
        }
        for_each_operation(openapi, add_problems);
    }
}

/// Calls `f` with each operation of the document and its path.
pub(super) fn for_each_operation(openapi: &mut OpenApi, mut f: impl FnMut(&str, &mut Operation)) {
    for (path, item) in openapi.paths.paths.iter_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            f(path, operation);
        }
    }
}

fn add_problems(path: &str, operation: &mut Operation) {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_body = operation.request_body.is_some();
    let shape = Shape {
        secured: operation.security.as_ref().is_some_and(|s| !s.is_empty()),
        has_body,
        has_input: has_body
            || parameters.iter().any(
                |parameter| matches!(parameter, RefOr::T(p) if p.parameter_in != ParameterIn::Path),
            ),
        reads_anything: has_body || !parameters.is_empty(),
        names_a_record: path.contains('{'),
    };
    let responses = &mut operation.responses.responses;
    for (status, response) in responses.iter_mut() {
        let RefOr::T(given) = response else {
            continue;
        };
        let standard = STANDARD.iter().find(|s| s.status == status);
        match standard {
            // Annotated without saying more than the standard response does: use it.
            Some(standard) if given.description.is_empty() => {
                *response = RefOr::Ref(Ref::from_response_name(standard.component));
            }
            _ => {
                as_problem(given);
                if given.description.is_empty() {
                    given.description = reason(status);
                }
            }
        }
    }
    for standard in STANDARD.iter().filter(|s| (s.applies)(&shape)) {
        responses
            .entry(standard.status.to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(standard.component)));
    }
}

/// The standard reason phrase of a status, as the description of a response that has none.
fn reason(status: &str) -> String {
    status
        .parse::<u16>()
        .ok()
        .and_then(|code| axum::http::StatusCode::from_u16(code).ok())
        .and_then(|code| code.canonical_reason())
        .unwrap_or("Response")
        .to_owned()
}

/// An error response annotated with the `Problem` body as JSON gets the problem type.
fn as_problem(response: &mut Response) {
    let Some(content) = response.content.shift_remove("application/json") else {
        return;
    };
    let is_problem = matches!(
        &content,
        RefOr::T(Content { schema: Some(RefOr::Ref(r)), .. }) if r.ref_location.ends_with("/Problem")
    );
    let media_type = if is_problem {
        PROBLEM_JSON
    } else {
        "application/json"
    };
    response.content.insert(media_type.to_owned(), content);
}

fn problem(standard: &Standard) -> Response {
    let mut builder = ResponseBuilder::new()
        .description(standard.description)
        .content(
            PROBLEM_JSON,
            Content::new(Some(Ref::from_schema_name("Problem"))),
        );
    if standard.status == "401" {
        builder = builder.header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some("`Bearer realm=\"taavon\"`"))
                .build(),
        );
    }
    builder.build()
}
