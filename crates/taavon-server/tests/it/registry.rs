//! The registry API's rules, on SQLite and on PostgreSQL.

use serde_json::{Value, json};
use taavon_testkit::{Engine, TestApp, spawn_app};

/// A valid national code typed in Persian digits with its leading zero lost.
const PERSIAN_NATIONAL_CODE: &str = "۱۲۳۴۵۶۷۸۹";
const NORMALISED_NATIONAL_CODE: &str = "0123456789";

async fn post_with_key(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn patch(app: &TestApp, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let response = app
        .client
        .patch(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn new_cooperative(name: &str, county: &str) -> Value {
    json!({"name": name, "type": "production", "sector": "handicrafts", "county": county,
           "founded_on": "۱۴۰۳/۰۲/۲۳", "women_led": true})
}

async fn check_registry(app: TestApp) {
    let ilam = app.token("ilam", "demo").await;

    // Create: the province follows the county; Jalali dates are stored ISO.
    let (status, created) = app
        .post(
            "/api/v1/cooperatives",
            Some(&ilam),
            &new_cooperative("تعاوني قالی‌بافان مهران", "1605"),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["province"], "IR-16");
    assert_eq!(created["founded_on"], "2024-05-12");
    assert_eq!(
        created["name"], "تعاونی قالی‌بافان مهران",
        "Arabic yeh is normalised"
    );
    assert_eq!(created["version"], 1);
    let id = created["id"].as_i64().unwrap();

    // An Ilam officer cannot create in Lorestan.
    let (status, _) = app
        .post(
            "/api/v1/cooperatives",
            Some(&ilam),
            &new_cooperative("تعاونی دورود", "1505"),
        )
        .await;
    assert!(status == 403 || status == 404, "{status}");

    // Invalid fields are named.
    let (status, problem) = app
        .post("/api/v1/cooperatives", Some(&ilam), &json!({"name": "", "type": "bakery", "sector": "x", "county": "9999", "legal_id": "12345678901"}))
        .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["name", "type", "sector", "county", "legal_id"] {
        assert!(fields.contains(&field), "{field} not in {fields:?}");
    }

    // Members: an invalid national code is refused naming the field; Persian digits are normalised.
    let members = format!("/api/v1/cooperatives/{id}/members");
    let member = |code: &str| json!({"national_code": code, "first_name": "زهرا", "last_name": "کرمی", "gender": "female", "birth_year": 1370});
    let (status, problem) = app.post(&members, Some(&ilam), &member("1234567890")).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "national_code");
    assert_eq!(problem["errors"][0]["rule"], "check_digit");
    let (status, added) = app
        .post(&members, Some(&ilam), &member(PERSIAN_NATIONAL_CODE))
        .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["national_code"], NORMALISED_NATIONAL_CODE);
    assert_eq!(
        added["birth_year"], 1991,
        "a Jalali birth year is stored Gregorian"
    );

    // Search: by name in another spelling, and by a member's national code; scoped.
    let (_, found) = app
        .get(
            "/api/v1/cooperatives?q=%D9%82%D8%A7%D9%84%DB%8C%20%D8%A8%D8%A7%D9%81%D8%A7%D9%86",
            Some(&ilam),
        )
        .await;
    assert_eq!(found["total"], 1, "{found}");
    let (_, found) = app
        .get(
            &format!("/api/v1/cooperatives?q={NORMALISED_NATIONAL_CODE}"),
            Some(&ilam),
        )
        .await;
    assert_eq!(found["items"][0]["id"], id);
    let lorestan = app.token("lorestan", "demo").await;
    let (_, found) = app
        .get(
            &format!("/api/v1/cooperatives?q={NORMALISED_NATIONAL_CODE}"),
            Some(&lorestan),
        )
        .await;
    assert_eq!(found["total"], 0, "Lorestan never sees an Ilam cooperative");
    assert_eq!(
        app.get(&format!("/api/v1/cooperatives/{id}"), Some(&lorestan))
            .await
            .0,
        404
    );
    assert_eq!(
        patch(
            &app,
            &format!("/api/v1/cooperatives/{id}"),
            &lorestan,
            &json!({"version": 1, "name": "x"})
        )
        .await
        .0,
        404
    );

    // PATCH with the current version succeeds; with a stale one it is 409 and changes nothing.
    let path = format!("/api/v1/cooperatives/{id}");
    let (status, updated) = patch(
        &app,
        &path,
        &ilam,
        &json!({"version": 1, "phone": "۰۸۴-۳۲۲۲۱۱۰۰"}),
    )
    .await;
    assert_eq!(
        (status, updated["version"].as_i64()),
        (200, Some(2)),
        "{updated}"
    );
    assert_eq!(updated["phone"], "084-32221100");
    let (status, problem) = patch(
        &app,
        &path,
        &ilam,
        &json!({"version": 1, "name": "نام تازه"}),
    )
    .await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("conflict")));
    assert_eq!(
        app.get(&path, Some(&ilam)).await.1["name"],
        "تعاونی قالی‌بافان مهران"
    );
    let (status, problem) = patch(
        &app,
        &path,
        &ilam,
        &json!({"version": 2, "status": "forming", "reason": "بازگشت به مرحله تشکیل"}),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["rule"].as_str()),
        (422, Some("transition"))
    );

    // A replayed POST with the same key creates nothing new, also under concurrency.
    let (_, before) = app.get("/api/v1/cooperatives?limit=1", Some(&ilam)).await;
    let body = new_cooperative("تعاونی گلیم ایوان", "1607");
    let (first_status, first) =
        post_with_key(&app, "/api/v1/cooperatives", &ilam, "key-1", &body).await;
    let (second_status, second) =
        post_with_key(&app, "/api/v1/cooperatives", &ilam, "key-1", &body).await;
    assert_eq!((first_status, second_status), (201, 201));
    assert_eq!(first["id"], second["id"]);
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let (client, url, token, body) = (
                app.client.clone(),
                app.url("/api/v1/cooperatives"),
                ilam.clone(),
                body.clone(),
            );
            async move {
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .header("Idempotency-Key", "key-race")
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                (
                    status,
                    response.json::<Value>().await.unwrap_or(Value::Null),
                )
            }
        })
        .collect();
    let results = futures_join(racers).await;
    let ids: std::collections::BTreeSet<i64> = results
        .iter()
        .map(|(s, v)| {
            assert_eq!(*s, 201, "{v}");
            v["id"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 1, "eight racing replays created {ids:?}");
    let (_, after) = app.get("/api/v1/cooperatives?limit=1", Some(&ilam)).await;
    assert_eq!(
        after["total"].as_i64().unwrap(),
        before["total"].as_i64().unwrap() + 2
    );

    // The share register: subscriptions, payments and the rules they must keep.
    let shares = format!("/api/v1/cooperatives/{id}/shares");
    let entry = |kind: &str, amount: i64| json!({"kind": kind, "national_code": NORMALISED_NATIONAL_CODE, "amount_rial": amount});
    assert_eq!(
        app.post(&shares, Some(&ilam), &entry("subscription", 3_000_000))
            .await
            .0,
        201
    );
    let (status, register) = app
        .post(&shares, Some(&ilam), &entry("payment", 1_000_000))
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        (
            register["subscribed_rial"].as_i64(),
            register["paid_rial"].as_i64()
        ),
        (Some(3_000_000), Some(1_000_000))
    );
    let (status, problem) = app
        .post(&shares, Some(&ilam), &entry("payment", 2_000_001))
        .await;
    assert_eq!(
        (status, problem["errors"][0]["rule"].as_str()),
        (422, Some("paid_above_subscribed"))
    );
    let (_, register) = app.get(&shares, Some(&ilam)).await;
    assert_eq!(register["entries"].as_array().unwrap().len(), 2);
    let (status, parts) = app
        .get(
            &format!(
                "/api/v1/cooperatives/{id}/surplus?from=1300-01-01&to=1500-01-01&total_rial=1000001"
            ),
            Some(&ilam),
        )
        .await;
    assert_eq!(status, 200, "{parts}");
    assert_eq!(
        parts[0]["amount_rial"], 1_000_001,
        "one paying member takes the whole surplus"
    );
    let (status, _) = app
        .get(
            &format!(
                "/api/v1/cooperatives/{id}/surplus?from=1404-01-01&to=1403-01-01&total_rial=1"
            ),
            Some(&ilam),
        )
        .await;
    assert_eq!(status, 422);

    check_formations_and_clients(&app, &ilam, &lorestan).await;
    assert_eq!(app.store.verify_audit().await.unwrap().first_broken, None);
}

pub(crate) fn founders(count: u32, first: u32, paid: i64) -> Vec<Value> {
    (0..count)
        .map(|i| {
            let code = taavon_core::ids::NationalCode::with_check_digit(&format!("{:09}", first + i * 11)).unwrap();
            json!({"national_code": code.as_str(), "first_name": "نرگس", "last_name": "ملکی", "gender": "female",
                   "birth_year": 1988, "subscribed_rial": 3_000_000, "paid_rial": paid})
        })
        .collect()
}

async fn check_formations_and_clients(app: &TestApp, ilam: &str, lorestan: &str) {
    let formation = |founders: Vec<Value>| {
        json!({"name": "تعاونی خیاطی بانوان دهلران", "type": "production",
        "sector": "textiles", "county": "1603", "women_led": true, "statute": "اساسنامه نمونه", "founders": founders})
    };
    let (status, problem) = app
        .post(
            "/api/v1/formations",
            Some(ilam),
            &formation(founders(6, 510_000_000, 1_000_000)),
        )
        .await;
    assert_eq!(
        (status, problem["errors"][0]["rule"].as_str()),
        (422, Some("founders_min"))
    );
    let (status, problem) = app
        .post(
            "/api/v1/formations",
            Some(ilam),
            &formation(founders(7, 510_000_000, 900_000)),
        )
        .await;
    assert_eq!(
        (status, problem["errors"][0]["rule"].as_str()),
        (422, Some("paid_share"))
    );
    let (status, submitted) = app
        .post(
            "/api/v1/formations",
            Some(ilam),
            &formation(founders(7, 510_000_000, 1_000_000)),
        )
        .await;
    assert_eq!(status, 201, "{submitted}");
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(submitted["duplicate_flags"], json!([]));
    // A founder already on a forming cooperative is flagged, not merged.
    let (status, second) = app
        .post(
            "/api/v1/formations",
            Some(ilam),
            &formation(founders(8, 510_000_000, 1_000_000)),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        second["duplicate_flags"][0]["rule"],
        "founder_on_forming_cooperative"
    );

    let id = submitted["id"].as_i64().unwrap();
    let decision = format!("/api/v1/formations/{id}/decision");
    assert_eq!(
        app.post(&decision, Some(lorestan), &json!({"decision": "approve"}))
            .await
            .0,
        404
    );
    assert_eq!(
        app.post(&decision, Some(ilam), &json!({"decision": "reject"}))
            .await
            .0,
        422
    );
    let (status, approved) = app
        .post(&decision, Some(ilam), &json!({"decision": "approve"}))
        .await;
    assert_eq!(
        (status, approved["status"].as_str()),
        (200, Some("approved")),
        "{approved}"
    );
    assert_eq!(
        app.post(&decision, Some(ilam), &json!({"decision": "approve"}))
            .await
            .0,
        409
    );
    // The approval filed the support plan after formation, open for the units that
    // deliver each first service; the refused second approval filed nothing more.
    let (status, requests) = app.get("/api/v1/support-requests", Some(ilam)).await;
    assert_eq!(status, 200, "{requests}");
    let plan: Vec<(&str, &str, &str)> = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|request| request["cooperative_id"] == approved["cooperative_id"])
        .map(|request| {
            (
                request["topic"].as_str().unwrap(),
                request["unit_code"].as_str().unwrap(),
                request["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(plan.len(), 3, "{requests}");
    for planned in [
        ("training", "tvto"),
        ("insurance", "sso"),
        ("financing", "022"),
    ] {
        assert!(
            plan.contains(&(planned.0, planned.1, "new")),
            "{planned:?} missing from {plan:?}"
        );
    }
    // …and the cooperative's page shows them, each unit by its Persian name.
    let browser = crate::helpers::ui_client(app, "ilam").await;
    let page = browser
        .get(app.url(&format!("/cooperatives/{}", approved["cooperative_id"])))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let section = &page[page
        .find("id=\"cooperative-support\"")
        .expect("a support section")..];
    for shown in [
        "سازمان آموزش فنی و حرفه‌ای کشور",
        "سازمان تأمین اجتماعی",
        "تأمین مالی",
    ] {
        assert!(section.contains(shown), "{shown} missing from the page");
    }
    let (_, cooperative) = app
        .get(
            &format!("/api/v1/cooperatives/{}", approved["cooperative_id"]),
            Some(ilam),
        )
        .await;
    assert_eq!(cooperative["status"], "registered");
    assert!(
        cooperative["registration_number"]
            .as_str()
            .unwrap()
            .starts_with("16-")
    );
    let (_, register) = app
        .get(
            &format!("/api/v1/cooperatives/{}/shares", approved["cooperative_id"]),
            Some(ilam),
        )
        .await;
    assert_eq!(register["paid_rial"], 7_000_000);
    let (_, queue) = app.get("/api/v1/formations", Some(lorestan)).await;
    assert!(
        queue
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["province"] == "IR-15")
    );

    // Individual clients.
    let client = |credential: Option<&str>| {
        json!({"kind": "artisan", "national_code": "0012345679", "first_name": "پروین",
        "last_name": "بیرانوند", "gender": "female", "birth_year": 1360, "county": "1607", "sector": "handicrafts",
        "credential": credential})
    };
    let (status, problem) = app.post("/api/v1/clients", Some(ilam), &client(None)).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("credential"))
    );
    let (status, created) = app
        .post("/api/v1/clients", Some(ilam), &client(Some("۱۶-۱۲۳")))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["province"], "IR-16");
    let (_, listed) = app.get("/api/v1/clients", Some(lorestan)).await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["province"] == "IR-15")
    );
    assert_eq!(
        app.post("/api/v1/clients", Some(lorestan), &client(Some("x")))
            .await
            .0,
        404
    );
}

/// Runs futures concurrently on the current runtime.
pub(crate) async fn futures_join<F: std::future::Future<Output = (u16, Value)> + Send + 'static>(
    futures: Vec<F>,
) -> Vec<(u16, Value)> {
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

#[tokio::test]
async fn the_registry_keeps_its_rules_on_sqlite() {
    // Establishes the registry issue's API acceptance lines on SQLite.
    check_registry(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn the_registry_keeps_its_rules_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_registry(app).await;
}
