//! The API does what its OpenAPI document says (the contract issue): bounded text, pages
//! and filters refused rather than bent, integers however JSON writes them, and every
//! error as problem details, also those answered before a handler runs.

use serde_json::{Value, json};
use taavon_testkit::{Engine, TestApp, spawn_app};

#[tokio::test]
async fn the_api_keeps_its_contract_on_sqlite() {
    // Establishes the contract's behaviour on SQLite.
    check_contract(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn the_api_keeps_its_contract_on_postgres() {
    // Establishes the same on PostgreSQL (where a negative offset was a server error).
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_contract(app).await;
}

async fn check_contract(app: TestApp) {
    let token = app.token("admin", "demo").await;
    a_text_near_a_megabyte_is_refused_naming_its_field(&app, &token).await;
    a_user_name_near_a_megabyte_is_refused_before_it_is_counted_or_audited(&app, &token).await;
    pages_and_filters_out_of_range_are_refused_not_bent(&app, &token).await;
    a_whole_number_written_with_a_fraction_is_an_integer(&app, &token).await;
    errors_answered_before_a_handler_are_problem_details(&app, &token).await;
    a_role_refuses_the_scope_fields_it_does_not_take(&app, &token).await;
    an_application_of_a_client_without_a_sector_asks_for_one(&app, &token).await;
}

fn field_and_rule(problem: &Value) -> (String, String) {
    let error = &problem["errors"][0];
    (
        error["field"].as_str().unwrap_or_default().to_owned(),
        error["rule"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn a_text_near_a_megabyte_is_refused_naming_its_field(app: &TestApp, token: &str) {
    // A 0.9 MB address was stored (and audited) as it came; a body over 1 MiB is refused
    // whole (413) before it is read.
    let (_, before) = app.get("/api/v1/cooperatives?limit=1", Some(token)).await;
    let address = "خیابان ".repeat(69_000);
    assert!((850_000..1_000_000).contains(&address.len()));
    let (status, problem) = app
        .post(
            "/api/v1/cooperatives",
            Some(token),
            &json!({"name": "تعاونی نشانی بلند", "type": "production", "sector": "handicrafts",
                    "county": "1601", "address": address}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        field_and_rule(&problem),
        ("address".to_owned(), "too_long".to_owned())
    );
    let (_, after) = app.get("/api/v1/cooperatives?limit=1", Some(token)).await;
    assert_eq!(before["total"], after["total"]);
    // A note, a reason and a search are bounded the same way.
    let (status, problem) = app
        .get(
            &format!("/api/v1/cooperatives?q={}", "a".repeat(201)),
            Some(token),
        )
        .await;
    assert_eq!((status, field_and_rule(&problem).0.as_str()), (422, "q"));
}

async fn a_user_name_near_a_megabyte_is_refused_before_it_is_counted_or_audited(
    app: &TestApp,
    token: &str,
) {
    let username = "x".repeat(900_000);
    let (status, problem) = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": username, "password": "wrong"}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        field_and_rule(&problem),
        ("username".to_owned(), "too_long".to_owned())
    );
    let (_, records) = app.get("/api/v1/audit?limit=20", Some(token)).await;
    assert!(
        records.as_array().unwrap().iter().all(|r| r["entity_id"]
            .as_str()
            .unwrap_or_default()
            .len()
            < 100),
        "an over-long user name reached the audit trail"
    );
}

async fn pages_and_filters_out_of_range_are_refused_not_bent(app: &TestApp, token: &str) {
    // A limit of 0 or 501 was clamped, an unknown type matched nothing, and a negative
    // offset made PostgreSQL fail (500).
    for (query, field, rule) in [
        ("/api/v1/cooperatives?limit=0", "limit", "range"),
        ("/api/v1/cooperatives?limit=501", "limit", "range"),
        ("/api/v1/applications?offset=-1", "offset", "range"),
        ("/api/v1/loans?offset=-1", "offset", "range"),
        ("/api/v1/audit?limit=1001", "limit", "range"),
        ("/api/v1/cooperatives?type=castle", "type", "unknown"),
        ("/api/v1/loans?class=excellent", "class", "unknown"),
        ("/api/v1/applications?status=lost", "status", "unknown"),
        ("/api/v1/loans?province=IR-99", "province", "province_code"),
    ] {
        let (status, problem) = app.get(query, Some(token)).await;
        assert_eq!(status, 422, "{query}: {problem}");
        assert_eq!(
            field_and_rule(&problem),
            (field.to_owned(), rule.to_owned()),
            "{query}"
        );
    }
    let (status, page) = app.get("/api/v1/cooperatives?limit=500", Some(token)).await;
    assert_eq!((status, &page["limit"]), (200, &json!(500)));
}

async fn a_whole_number_written_with_a_fraction_is_an_integer(app: &TestApp, token: &str) {
    // JSON Schema's integer 7.0 was refused as unreadable (400).
    let (_, cooperative) = app.get("/api/v1/cooperatives/1", Some(token)).await;
    let version = cooperative["version"].as_i64().unwrap();
    let response = app
        .client
        .patch(app.url("/api/v1/cooperatives/1"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"version": {version}.0, "phone": "08433330000"}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = app
        .client
        .patch(app.url("/api/v1/cooperatives/1"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(format!(r#"{{"version": {version}.5}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("version"),
        "{problem}"
    );
}

async fn errors_answered_before_a_handler_are_problem_details(app: &TestApp, token: &str) {
    // A path id that is no number, a method the route lacks, a body that is not JSON
    // or too large were plain text (or a 400 for all of them).
    let cases = [
        (
            app.client.get(app.url("/api/v1/cooperatives/None")),
            400,
            "malformed_request",
        ),
        (
            app.client.delete(app.url("/api/v1/cooperatives")),
            405,
            "method_not_allowed",
        ),
        (
            app.client.post(app.url("/api/v1/cooperatives")).body("{}"),
            415,
            "unsupported_media_type",
        ),
        (
            app.client
                .post(app.url("/api/v1/cooperatives"))
                .header("content-type", "application/json")
                .body(vec![b' '; 3 * 1024 * 1024]),
            413,
            "payload_too_large",
        ),
        (
            // serde read a struct from an array: `[null, null]` was a repayment.
            app.client
                .post(app.url("/api/v1/loans/1/repayments"))
                .json(&json!([null, null])),
            400,
            "malformed_request",
        ),
    ];
    for (request, status, code) in cases {
        let response = request.bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), status, "{code}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{code}"
        );
        let allow = response.headers().get("allow").cloned();
        let problem: Value = response.json().await.unwrap();
        assert_eq!(
            (&problem["code"], &problem["status"]),
            (&json!(code), &json!(status))
        );
        if status == 405 {
            assert!(allow.is_some(), "405 keeps its Allow header");
        }
    }
}

async fn a_role_refuses_the_scope_fields_it_does_not_take(app: &TestApp, token: &str) {
    // A ministry admin created with provinces ["AAA"] was accepted, the provinces dropped.
    let (status, problem) = app
        .post(
            "/api/v1/users",
            Some(token),
            &json!({"username": "admin2", "display_name": "مدیر دوم", "password": "a-long-password",
                    "role": "ministry_admin", "provinces": ["AAA"]}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        field_and_rule(&problem),
        ("provinces".to_owned(), "not_for_role".to_owned())
    );
}

async fn an_application_of_a_client_without_a_sector_asks_for_one(app: &TestApp, token: &str) {
    // The application took the client's sector, none, and refused it as `unknown`: a
    // rule of the sector list, which the request's (absent) sector did not break.
    let (status, client) = app
        .post(
            "/api/v1/clients",
            Some(token),
            &json!({"kind": "welfare", "national_code": "4523456781", "first_name": "زهرا",
                    "last_name": "احمدی", "gender": "female", "county": "1601"}),
        )
        .await;
    assert_eq!(status, 201, "{client}");
    let (status, problem) = app
        .post(
            "/api/v1/applications",
            Some(token),
            &json!({"program": "note18", "client_id": client["id"], "amount": 500_000_000,
                    "jobs": 1, "purpose": "چرخ خیاطی"}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        field_and_rule(&problem),
        ("sector".to_owned(), "required".to_owned())
    );
}
