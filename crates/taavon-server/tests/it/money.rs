//! Money at its edges through the API, on SQLite and PostgreSQL: a retried deposit or
//! funding is answered like the first, an amount above the maximum is refused naming its
//! field, the OpenAPI document declares that maximum on every amount a request carries,
//! and the trial balance adds balances past 64 bits exactly instead of failing.

use serde_json::{Value, json};
use taavon_core::money::AMOUNT_MAX_RIAL;
use taavon_testkit::{Engine, TestApp, spawn_app, tamper};

/// The amount the fuzzer deposited before the trial balance answered 500 for good.
const FUZZED_RIAL: i64 = 183_263_720_205_916_160;

fn rule_of(body: &Value) -> (&str, &str) {
    let error = &body["errors"][0];
    (
        error["field"].as_str().unwrap_or_default(),
        error["rule"].as_str().unwrap_or_default(),
    )
}

async fn check_money(app: TestApp, url: &str) {
    let admin = app.token("admin", "demo").await;
    let trial_balance = || app.get("/api/v1/ledger/trial-balance", Some(&admin));

    // A deposit and a funding retried with the same reference: the same answer, and the
    // ledger moved once.
    let deposit =
        json!({"agency": "sso", "bank": "022", "amount": 1_000_000, "reference": "retry-1"});
    let funding = json!({"program": "pooled", "province": "IR-16", "agency": "sso", "bank": "022",
                         "amount": 400_000, "reference": "retry-2"});
    for (path, body) in [
        ("/api/v1/funds/deposits", &deposit),
        ("/api/v1/funds/programs", &funding),
    ] {
        let (status, answer) = app.post(path, Some(&admin), body).await;
        assert_eq!(status, 204, "{path}: {answer}");
        let (_, before) = trial_balance().await;
        let (status, answer) = app.post(path, Some(&admin), body).await;
        assert_eq!(
            status, 204,
            "a retry of {path} is answered like the first: {answer}"
        );
        assert_eq!(
            trial_balance().await.1,
            before,
            "a retry of {path} moves nothing"
        );
        // The same reference with another amount is another movement: refused, by field.
        let mut changed = body.clone();
        changed["amount"] = json!(999);
        let (status, answer) = app.post(path, Some(&admin), &changed).await;
        assert_eq!(
            (status, rule_of(&answer)),
            (422, ("reference", "reused")),
            "{answer}"
        );
    }

    // Amounts above the maximum are refused with the field named, wherever they come in.
    for amount in [AMOUNT_MAX_RIAL + 1, FUZZED_RIAL, i64::MAX] {
        let big = json!({"agency": "sso", "bank": "022", "amount": amount, "reference": format!("big-{amount}")});
        let (status, answer) = app.post("/api/v1/funds/deposits", Some(&admin), &big).await;
        assert_eq!(
            (status, rule_of(&answer)),
            (422, ("amount_rial", "amount_maximum")),
            "{answer}"
        );
    }
    let budgets = reqwest::Client::new()
        .put(app.url("/api/v1/programs/note18/budgets"))
        .bearer_auth(&admin)
        .json(&json!({"method": "manual", "budgets": [{"province": "IR-16", "amount_rial": FUZZED_RIAL}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(budgets.status(), 422);
    let answer: Value = budgets.json().await.unwrap();
    assert_eq!(
        rule_of(&answer),
        ("budgets[0].amount_rial", "amount_maximum"),
        "{answer}"
    );
    let (status, _) = trial_balance().await;
    assert_eq!(status, 200, "nothing above the maximum got in");

    // Balances whose sum passes i64 (deposit accounts near the top of their range, as a
    // ledger written for years could hold): the trial balance adds them exactly.
    const NEAR_MAX: i128 = 9_223_372_036_854_775_000;
    tamper(
        url,
        &format!(
            "UPDATE ledger_accounts SET credits_posted = {NEAR_MAX} WHERE kind = 'agency_deposit'"
        ),
    )
    .await;
    let (status, rows) = trial_balance().await;
    assert_eq!(status, 200, "{rows}");
    let accounts = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "agency_deposit")
        .unwrap()["accounts"]
        .as_i64()
        .unwrap();
    assert!(accounts >= 2, "the demo has several agencies' deposits");
    // Read as text: a JSON reader without big integers would round the exact sum.
    let text = app
        .client
        .get(app.url("/api/v1/ledger/trial-balance"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let exact = format!("\"credits_posted\":{}", NEAR_MAX * i128::from(accounts));
    assert!(text.contains(&exact), "{exact} in {text}");
    let browser = crate::helpers::ui_client(&app, "admin").await;
    let page = browser.get(app.url("/ledger")).send().await.unwrap();
    assert_eq!(
        page.status(),
        200,
        "the trial balance page adds them exactly too"
    );
}

#[tokio::test]
async fn money_is_bounded_retried_alike_and_summed_exactly_on_sqlite() {
    // Establishes the three fuzzing findings on SQLite.
    let app = spawn_app(Engine::Sqlite).await.unwrap();
    let url = app.database_url.clone();
    check_money(app, &url).await;
}

#[tokio::test]
async fn money_is_bounded_retried_alike_and_summed_exactly_on_postgres() {
    // Establishes the three fuzzing findings on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    let url = app.database_url.clone();
    check_money(app, &url).await;
}

#[tokio::test]
async fn every_amount_a_request_carries_declares_the_maximum() {
    // Establishes the schema side of the amount rule: every integer named as an amount in
    // a request body or query declares `maximum` = AMOUNT_MAX_RIAL, so a new one cannot
    // leave it out.
    let app = crate::helpers::sqlite_app().await;
    let (_, document) = app.get("/api/openapi.json", None).await;
    let schemas = &document["components"]["schemas"];
    let is_amount = |name: &str| name.contains("amount") || name.ends_with("_rial");
    let mut checked = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                if is_amount(name) && parameter["schema"]["type"] == "integer" {
                    assert_eq!(
                        parameter["schema"]["maximum"],
                        json!(AMOUNT_MAX_RIAL),
                        "{method} {path} {name}"
                    );
                    checked.push(name.to_owned());
                }
            }
            if let Some(body) =
                operation["requestBody"]["content"]["application/json"]["schema"].as_object()
            {
                let mut seen = Vec::new();
                walk(
                    &Value::Object(body.clone()),
                    schemas,
                    &mut seen,
                    &mut |name, property| {
                        if is_amount(name)
                            && property["type"].as_str().is_some_and(|t| t == "integer")
                            || is_amount(name)
                                && property["type"]
                                    .as_array()
                                    .is_some_and(|t| t.contains(&json!("integer")))
                        {
                            assert_eq!(
                                property["maximum"],
                                json!(AMOUNT_MAX_RIAL),
                                "{method} {path} {name}"
                            );
                            checked.push(name.to_owned());
                        }
                    },
                );
            }
        }
    }
    // The deposit's, the budgets', the loan moves' … : the walk found them.
    assert!(checked.len() >= 10, "{checked:?}");
}

/// Calls `visit` on every property of `schema`, following `$ref`s (once each) and
/// `allOf`/`oneOf`/`anyOf`/`items`.
fn walk(
    schema: &Value,
    schemas: &Value,
    seen: &mut Vec<String>,
    visit: &mut dyn FnMut(&str, &Value),
) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference
            .trim_start_matches("#/components/schemas/")
            .to_owned();
        if !seen.contains(&name) {
            seen.push(name.clone());
            walk(&schemas[&name], schemas, seen, visit);
        }
        return;
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            walk(part, schemas, seen, visit);
        }
    }
    if schema["items"].is_object() {
        walk(&schema["items"], schemas, seen, visit);
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        visit(name, property);
        walk(property, schemas, seen, visit);
    }
}
