//! Two app servers on one PostgreSQL database (issue 18), each with a store of its own
//! (pools, caches, throttles), as two processes would be: a token or a UI session from
//! one works on the other, a logout on one is honoured by the other at once, concurrent
//! approvals split across both have one winner, and a write replayed with its
//! Idempotency-Key on the other server gets the first answer and stores nothing new.

use serde_json::{Value, json};
use taavon_testkit::{Engine, TestApp, serve_another, spawn_app};

use crate::helpers::{csrf_of, ui_client};
use crate::workflow::{ILAM_COOPERATIVE, Tokens, application_ready_for, tokens};

/// `method path` on the server at `base` with a bearer token, an optional key and body.
async fn call(
    base: &str,
    method: reqwest::Method,
    path: &str,
    token: &str,
    key: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .bearer_auth(token);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn a_token_and_its_logout_hold_on_both(app: &TestApp, other: &str) {
    let token = app.token("ilam", "demo").await;
    let (status, body) = call(
        other,
        reqwest::Method::GET,
        "/api/v1/applications",
        &token,
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "a token from one server on the other: {body}");
    let (status, _) = app
        .post("/api/v1/auth/logout", Some(&token), &json!({}))
        .await;
    assert_eq!(status, 204);
    let (status, body) = call(
        other,
        reqwest::Method::GET,
        "/api/v1/applications",
        &token,
        None,
        None,
    )
    .await;
    assert_eq!(
        status, 401,
        "a token logged out on the other server: {body}"
    );
}

async fn a_ui_session_and_its_logout_hold_on_both(app: &TestApp, other: &str) {
    // Cookies belong to the host, not the port: the browser sends one session to both.
    let browser = ui_client(app, "ilam").await;
    let page = browser
        .get(format!("{other}/applications"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "a session from one server on the other");
    let html = page.text().await.unwrap();
    let logout = browser
        .post(format!("{other}/logout"))
        .form(&[("csrf", csrf_of(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 303);
    let after = browser.get(app.url("/applications")).send().await.unwrap();
    assert_eq!(
        after.status(),
        303,
        "a session logged out on the other server goes to the login page"
    );
}

async fn concurrent_approvals_across_both_have_one_winner(
    app: &TestApp,
    other: &str,
    tokens: &Tokens,
) {
    let id = application_ready_for(app, tokens, ILAM_COOPERATIVE, "approve", 1_000_000_000).await;
    let handles: Vec<_> = (0..16)
        .map(|n| {
            let base = if n % 2 == 0 {
                app.address.clone()
            } else {
                other.to_owned()
            };
            let token = tokens.of("ilam").to_owned();
            tokio::spawn(async move {
                call(
                    &base,
                    reqwest::Method::POST,
                    &format!("/api/v1/applications/{id}/transitions"),
                    &token,
                    Some(&format!("two-servers-approval-{n}")),
                    Some(&json!({"action": "approve"})),
                )
                .await
                .0
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        15,
        "{statuses:?}"
    );
    let (_, detail) = app
        .get(
            &format!("/api/v1/applications/{id}"),
            Some(tokens.of("admin")),
        )
        .await;
    let approvals = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "approve")
        .count();
    assert_eq!(approvals, 1, "{detail}");
}

async fn a_key_replayed_on_the_other_server_gets_the_first_answer(
    app: &TestApp,
    other: &str,
    tokens: &Tokens,
) {
    let clerk = tokens.of("clerk");
    let draft = json!({"program": "note18", "cooperative_id": ILAM_COOPERATIVE,
                       "amount": 250_000_000, "jobs": 3, "women_jobs": 1,
                       "purpose": "خرید ماشین‌آلات"});
    let total = || async {
        app.get("/api/v1/applications?limit=1", Some(tokens.of("admin")))
            .await
            .1["total"]
            .clone()
    };
    let before = total().await;
    let first = call(
        &app.address,
        reqwest::Method::POST,
        "/api/v1/applications",
        clerk,
        Some("two-servers-draft"),
        Some(&draft),
    )
    .await;
    assert_eq!(first.0, 201, "{}", first.1);
    let replay = call(
        other,
        reqwest::Method::POST,
        "/api/v1/applications",
        clerk,
        Some("two-servers-draft"),
        Some(&draft),
    )
    .await;
    assert_eq!(
        replay, first,
        "the other server answers a replay as the first did"
    );
    assert_eq!(
        total().await,
        before
            .as_i64()
            .map(|n| n + 1)
            .map_or(Value::Null, Value::from),
        "one application stored for the key"
    );
}

#[tokio::test]
async fn two_servers_on_one_postgresql_database_act_as_one() {
    // Establishes issue 18's two-server line: sessions, tokens, one winner and idempotency
    // keys are the database's, not one process's.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    let other = serve_another(&app).await;
    let tokens = tokens(&app).await;
    a_token_and_its_logout_hold_on_both(&app, &other).await;
    a_ui_session_and_its_logout_hold_on_both(&app, &other).await;
    concurrent_approvals_across_both_have_one_winner(&app, &other, &tokens).await;
    a_key_replayed_on_the_other_server_gets_the_first_answer(&app, &other, &tokens).await;
}
