//! Services through the API on SQLite and PostgreSQL: an agency's file streamed as CSV
//! under an Idempotency-Key (the same bytes answer the first import, a bad file names
//! each bad cell as `rows[N].column` and stores nothing), the SSO's officer refused
//! another agency's file, one record by JSON, and the gap list and county figures read
//! back from what was stored.

use serde_json::{Value, json};
use taavon_testkit::{Engine, TestApp, spawn_app};

use crate::impact::{CSV, person};

pub(crate) async fn import(
    app: &TestApp,
    token: &str,
    agency: &str,
    key: &str,
    body: &str,
) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/services/imports?agency={agency}")))
        .bearer_auth(token)
        .header("Content-Type", CSV)
        .header("Idempotency-Key", key)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn dehloran_services(app: &TestApp, token: &str) -> u64 {
    let (status, counties) = app
        .get("/api/v1/services/counties?province=IR-16", Some(token))
        .await;
    assert_eq!(status, 200, "{counties}");
    counties
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["county"] == "1603")
        .and_then(|c| c["services"].as_u64())
        .unwrap()
}

async fn services_through_the_api(app: TestApp) {
    let admin = app.token("admin", "demo").await;
    let sso = app.token("sso", "demo").await;
    let before = dehloran_services(&app, &admin).await;
    let good = format!(
        "شماره مرجع,نوع خدمت,شهرستان,کد ملی,تاریخ ارائه\nAPI-1,واحد مسکونی,1603,{},1403/07/15\n\
         API-2,housing_unit,۱۶۰۳,{},1403/07/16\n",
        person(501),
        person(502)
    );
    let (status, first) = import(&app, &admin, "behzisti", "services-1", &good).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (first["rows"].as_i64(), first["created"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(
        import(&app, &admin, "behzisti", "services-1", &good).await,
        (201, first.clone())
    );
    assert_eq!(dehloran_services(&app, &admin).await, before + 2);

    let bad = format!(
        "شماره مرجع,نوع خدمت,شهرستان,کد ملی,تاریخ ارائه\nAPI-3,واحد مسکونی,1603,{},1403/07/15\n\
         API-4,واحد مسکونی,9999,{},1403/07/15\n",
        person(503),
        person(504)
    );
    let (status, refused) = import(&app, &admin, "behzisti", "services-2", &bad).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused.to_string().contains("rows[3].county"), "{refused}");
    assert_eq!(dehloran_services(&app, &admin).await, before + 2);

    let (status, _) = import(&app, &sso, "behzisti", "services-3", &good).await;
    assert_eq!(status, 403);

    let response = app
        .client
        .post(app.url("/api/v1/services"))
        .bearer_auth(&sso)
        .header("Idempotency-Key", "one-service")
        .json(&json!({
            "agency": "sso",
            "reference": "SSO-1",
            "kind": "insurance_enrolment",
            "county": "1603",
            "national_code": person(505),
            "delivered_on": "1403/08/01",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(dehloran_services(&app, &admin).await, before + 3);

    let (status, gaps) = app.get("/api/v1/services/gaps", Some(&sso)).await;
    assert_eq!(status, 200, "{gaps}");
    let rates: Vec<u64> = gaps
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["per_thousand_milli"].as_u64().unwrap())
        .collect();
    assert!(!rates.is_empty());
    assert!(rates.windows(2).all(|w| w[0] <= w[1]));

    // The person view: the ministry sees every agency's services to the person, the SSO
    // its own only, a bank officer nothing; a malformed code names the field.
    let overview = format!("/api/v1/people/{}/overview", person(501));
    let (status, whole) = app.get(&overview, Some(&admin)).await;
    assert_eq!(status, 200, "{whole}");
    assert_eq!(
        (
            whole["whole"].as_bool(),
            whole["services"][0]["provider_code"].as_str()
        ),
        (Some(true), Some("behzisti"))
    );
    let (status, own) = app.get(&overview, Some(&sso)).await;
    assert_eq!(status, 200, "{own}");
    assert_eq!(
        (
            own["whole"].as_bool(),
            own["services"].as_array().map(Vec::len)
        ),
        (Some(false), Some(0))
    );
    let bank = app.token("bank", "demo").await;
    assert_eq!(app.get(&overview, Some(&bank)).await.0, 403);
    assert_eq!(app.get(&overview, None).await.0, 401);
    let (status, problem) = app.get("/api/v1/people/12345/overview", Some(&admin)).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("national_code"))
    );
}

#[tokio::test]
async fn services_are_imported_recorded_and_read_through_the_api_on_sqlite() {
    // Establishes the API's services cycle on SQLite.
    services_through_the_api(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn services_are_imported_recorded_and_read_through_the_api_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    services_through_the_api(app).await;
}
