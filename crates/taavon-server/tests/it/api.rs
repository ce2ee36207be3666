//! The API's contract: authentication, reference data, errors as problem details.

use serde_json::json;

use crate::helpers::sqlite_app;

#[tokio::test]
async fn anonymous_callers_get_401_and_the_demo_admin_gets_a_token_and_31_provinces() {
    // Establishes the foundation issue's acceptance lines on authentication.
    let app = sqlite_app().await;
    let response = app
        .client
        .get(app.url("/api/v1/cooperatives"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "unauthenticated");

    let (status, body) = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "admin", "password": "wrong"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("bad_credentials"))
    );

    let token = app.token("admin", "demo").await;
    assert_eq!(token.len(), 64);
    let (status, provinces) = app.get("/api/v1/provinces", Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(provinces.as_array().unwrap().len(), 31);
    let ilam = provinces
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "IR-16")
        .unwrap();
    assert_eq!(ilam["name_fa"], "ایلام");
}

#[tokio::test]
async fn counties_are_filtered_by_province_and_a_bad_code_names_the_field() {
    // Establishes the counties endpoint and machine-readable input errors.
    let app = sqlite_app().await;
    let (status, counties) = app.get("/api/v1/counties?province=IR-16", None).await;
    assert_eq!(status, 200);
    let counties = counties.as_array().unwrap();
    assert_eq!(counties.len(), 12);
    assert!(
        counties
            .iter()
            .all(|c| c["province"] == "IR-16" && c["tier"].is_i64())
    );
    let (status, problem) = app.get("/api/v1/counties?province=IR-99", None).await;
    assert_eq!(status, 422);
    assert_eq!(problem["code"], "invalid_input");
    assert_eq!(problem["errors"][0]["field"], "province");
    assert_eq!(problem["errors"][0]["rule"], "province_code");
    let (status, sectors) = app.get("/api/v1/sectors", None).await;
    assert_eq!(status, 200);
    assert!(
        sectors
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "handicrafts")
    );
}

#[tokio::test]
async fn an_invalid_user_is_refused_field_by_field_and_malformed_json_is_a_400() {
    // Establishes 422 problem details naming each field, and 400 for unreadable bodies.
    let app = sqlite_app().await;
    let token = app.token("admin", "demo").await;
    let (status, problem) = app
        .post(
            "/api/v1/users",
            Some(&token),
            &json!({"username": "X", "display_name": "", "password": "short", "role": "provincial_officer"}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["username", "password", "display_name", "province"] {
        assert!(fields.contains(&field), "{field} missing from {fields:?}");
    }
    assert!(
        problem["errors"][0]["message_fa"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
    );

    let response = app
        .client
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "malformed_request");
}

#[tokio::test]
async fn a_revoked_token_no_longer_works() {
    // Establishes API logout.
    let app = sqlite_app().await;
    let token = app.token("auditor", "demo").await;
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, 200);
    assert_eq!(
        app.post("/api/v1/auth/logout", Some(&token), &json!({}))
            .await
            .0,
        204
    );
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, 401);
}

#[tokio::test]
async fn the_openapi_document_describes_the_routes_and_the_docs_page_is_served() {
    // Establishes the generated OpenAPI document and the browsable API page.
    let app = sqlite_app().await;
    let (status, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(status, 200);
    for path in [
        "/api/v1/auth/login",
        "/api/v1/provinces",
        "/api/v1/cooperatives",
        "/api/health",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let (status, html) = app.page("/api/docs/").await;
    assert_eq!(status, 200);
    assert!(html.contains("swagger"), "{html}");
    let (status, health) = app.get("/api/health", None).await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
    let response = app.client.get(app.url("/api/health")).send().await.unwrap();
    assert!(response.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn every_login_and_user_creation_is_in_the_audit_trail() {
    // Establishes that state changes made through the API are audited and the chain holds.
    let app = sqlite_app().await;
    let token = app.token("admin", "demo").await;
    let (status, created) = app
        .post(
            "/api/v1/users",
            Some(&token),
            &json!({"username": "ilam3", "display_name": "کارشناس سوم", "password": "a-long-password",
                    "role": "provincial_officer", "province": "IR-16"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (_, records) = app.get("/api/v1/audit?limit=5", Some(&token)).await;
    let actions: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions[..2], ["user.create", "user.login"]);
    assert!(!records.to_string().contains("a-long-password"));
    assert_eq!(app.store.verify_audit().await.unwrap().first_broken, None);
}

#[tokio::test]
async fn reference_lists_carry_an_etag_and_answer_304_to_a_client_that_holds_it() {
    // Establishes the reference lists' validator: one tag for the snapshot they are served
    // from, 304 without a body when `If-None-Match` names it, the list again otherwise.
    let app = sqlite_app().await;
    let get = |path: &'static str, tag: Option<String>| {
        let mut request = app.client.get(app.url(path));
        if let Some(tag) = tag {
            request = request.header("if-none-match", tag);
        }
        request.send()
    };
    let first = get("/api/v1/provinces", None).await.unwrap();
    assert_eq!(first.status(), 200);
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(tag.starts_with("\"ref-") && tag.ends_with('"'), "{tag}");
    for path in [
        "/api/v1/provinces",
        "/api/v1/counties",
        "/api/v1/sectors",
        "/api/v1/agencies",
        "/api/v1/banks",
    ] {
        let held = get(path, Some(tag.clone())).await.unwrap();
        assert_eq!(held.status(), 304, "{path}");
        assert_eq!(held.headers()["etag"], tag.as_str());
        assert!(held.text().await.unwrap().is_empty());
        let other = get(path, Some("\"ref-0\"".into())).await.unwrap();
        assert_eq!(other.status(), 200, "{path}");
        assert!(other.json::<serde_json::Value>().await.unwrap().is_array());
    }
}
