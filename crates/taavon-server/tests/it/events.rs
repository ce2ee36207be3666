//! Events and webhooks (issue 19), on SQLite and PostgreSQL: every change emits its
//! event in its own transaction (a refused change none), the pull pages by cursor and
//! keeps each reader to its scope, and subscriptions receive the events of their scope,
//! signed per the Standard Webhooks specification, at a real HTTP receiver started in
//! the test — retried after a 500 and after a timeout, in order per resource, dead after
//! the schedule, replayed on request, signed by both secrets while a rotation overlaps.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use taavon_testkit::{Engine, TestApp, spawn_app, spawn_app_with, test_config};

use crate::loans::post_keyed;

/// The demo's bank-approved Ilam application (bank 022's).
const APPROVED: i64 = 1;

/// Every event `token` may pull, from the start, a page of `limit` at a time.
async fn pull_all(app: &TestApp, token: &str, query: &str, limit: i64) -> (Vec<Value>, i64) {
    let (mut items, mut after) = (Vec::new(), 0);
    loop {
        let (status, page) = app
            .get(
                &format!("/api/v1/events?after={after}&limit={limit}{query}"),
                Some(token),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        let got = page["items"].as_array().unwrap().clone();
        let next = page["next"].as_i64().unwrap();
        if got.is_empty() && next == after {
            return (items, after);
        }
        items.extend(got);
        after = next;
    }
}

/// The bank contracts the demo's approved application: the loan's id and the path of its
/// disbursements.
async fn contract(app: &TestApp, bank: &str) -> (i64, String) {
    let (status, loan) = post_keyed(
        app,
        "/api/v1/loans",
        bank,
        "events-contract",
        &json!({"application_id": APPROVED}),
    )
    .await;
    assert_eq!(status, 201, "{loan}");
    let id = loan["id"].as_i64().unwrap();
    (id, format!("/api/v1/loans/{id}/disbursements"))
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

async fn check_pull(app: TestApp) {
    let (admin, bank, refah, ilam, lorestan, judge_less) = (
        app.token("admin", "demo").await,
        app.token("bank", "demo").await,
        app.token("refah", "demo").await,
        app.token("ilam", "demo").await,
        app.token("lorestan", "demo").await,
        app.token("auditor", "demo").await,
    );
    let (_, start) = pull_all(&app, &admin, "", 1000).await;

    // A contract and a disbursement: one event each, after the cursor; a refused
    // disbursement none.
    let (id, disbursements) = contract(&app, &bank).await;
    let (status, _) = app
        .post(
            &disbursements,
            Some(&bank),
            &json!({"amount": 15_000_000_001_i64}),
        )
        .await;
    assert_eq!(status, 422, "a refused disbursement");
    let (status, body) = app
        .post(
            &disbursements,
            Some(&bank),
            &json!({"amount": 5_000_000_000_i64}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, page) = app
        .get(&format!("/api/v1/events?after={start}"), Some(&bank))
        .await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(
        types(items),
        ["loan.contracted", "loan.disbursed"],
        "{page}"
    );
    for event in items {
        assert_eq!(event["data"]["id"], id);
        assert!(event["id"].as_str().unwrap().starts_with("evt_"));
        assert!(event["timestamp"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(items[1]["data"]["disbursed_rial"], 5_000_000_000_i64);
    assert_eq!(items[1]["data"]["status"], "active");
    assert!(items[1]["data"]["transaction"]["id"].is_i64());

    // Paging by one gives what one page gives, in cursor order.
    let (whole, _) = pull_all(&app, &admin, "", 1000).await;
    let (by_one, _) = pull_all(&app, &admin, "", 1).await;
    assert_eq!(whole, by_one);
    assert!(whole.len() >= 2);
    let (only, _) = pull_all(&app, &admin, "&types=loan.disbursed", 7).await;
    assert!(!only.is_empty() && types(&only).iter().all(|t| *t == "loan.disbursed"));
    let (auditor_sees, _) = pull_all(&app, &judge_less, "", 1000).await;
    assert_eq!(auditor_sees, whole, "auditors read every event");

    // Scope: another bank never sees bank 022's events, nor another province Ilam's.
    let (refah_sees, _) = pull_all(&app, &refah, "", 1000).await;
    assert!(
        refah_sees
            .iter()
            .all(|e| e["data"]["bank"] != "022" && e["data"]["referred_bank"] != "022"),
        "{refah_sees:?}"
    );
    let (bank_sees, _) = pull_all(&app, &bank, "", 1000).await;
    assert!(bank_sees.iter().any(|e| e["data"]["id"] == id));
    let (ilam_sees, _) = pull_all(&app, &ilam, "", 1000).await;
    assert!(
        ilam_sees
            .iter()
            .any(|e| e["data"]["id"] == id && e["type"] == "loan.disbursed")
    );
    let (lorestan_sees, _) = pull_all(&app, &lorestan, "", 1000).await;
    assert!(
        lorestan_sees
            .iter()
            .all(|e| e["data"]["province"] != "IR-16")
    );

    // Bad parameters name their field.
    let (status, body) = app
        .get("/api/v1/events?types=loan.eaten", Some(&bank))
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("types"))
    );
    let (status, body) = app.get("/api/v1/events?limit=0", Some(&bank)).await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("limit"))
    );
    let (status, _) = app.get("/api/v1/events", None).await;
    assert_eq!(status, 401);
}

/// End of day moves a disbursed loan left unpaid to another class: one
/// `loan.class_changed` per loan moved, the loan as the API shows it after the close, in
/// its bank's and province's pull only; a verified hire is a `job.verified` with its
/// person masked.
async fn check_class_and_jobs(app: TestApp) {
    let (admin, bank, refah, coop, ilam, sso) = (
        app.token("admin", "demo").await,
        app.token("bank", "demo").await,
        app.token("refah", "demo").await,
        app.token("coop", "demo").await,
        app.token("ilam", "demo").await,
        app.token("sso", "demo").await,
    );
    let (id, disbursements) = contract(&app, &bank).await;
    let (status, body) = app
        .post(
            &disbursements,
            Some(&bank),
            &json!({"amount": 5_000_000_000_i64}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, loan) = app.get(&format!("/api/v1/loans/{id}"), Some(&bank)).await;
    let today =
        taavon_core::calendar::IsoDate::parse(loan["business_date"].as_str().unwrap()).unwrap();
    // Three years unpaid: every installment due in them is long overdue.
    taavon_app::eod::close_at(
        &app.store,
        today.add_days(3 * 365),
        &taavon_app::eod::EodSettings::default(),
        taavon_app::clock::now(),
    )
    .await
    .unwrap();
    let (_, closed) = app.get(&format!("/api/v1/loans/{id}"), Some(&bank)).await;
    assert_ne!(closed["class"], "current", "{closed}");

    let after = "&types=loan.class_changed";
    let changed_of = |events: &[Value]| -> Vec<Value> {
        events
            .iter()
            .filter(|e| e["data"]["id"] == id)
            .cloned()
            .collect()
    };
    let (all, _) = pull_all(&app, &admin, after, 1000).await;
    let mine = changed_of(&all);
    assert_eq!(mine.len(), 1, "one event per loan moved: {mine:?}");
    let data = &mine[0]["data"];
    assert_eq!(data["class"], closed["class"]);
    assert_eq!(data["previous_class"], "current");
    assert_eq!(data["bank"], "022");
    assert_eq!(data["status"], closed["status"]);
    assert_eq!(data["version"], closed["version"]);
    let (bank_sees, _) = pull_all(&app, &bank, after, 1000).await;
    assert_eq!(changed_of(&bank_sees), mine);
    assert!(bank_sees.iter().all(|e| e["data"]["bank"] == "022"));
    let (refah_sees, _) = pull_all(&app, &refah, after, 1000).await;
    assert!(changed_of(&refah_sees).is_empty());
    assert!(refah_sees.iter().all(|e| e["data"]["bank"] != "022"));
    let (ilam_sees, _) = pull_all(&app, &ilam, after, 1000).await;
    assert_eq!(changed_of(&ilam_sees), mine);

    // A hire the lists confirm: one `job.verified`, the person masked for every reader.
    let (loan_id, cooperative_id, disbursed) = crate::impact::disbursed_loan_of(&app, &coop).await;
    let (status, _) = app
        .client
        .put(app.url(&format!(
            "/api/v1/cooperatives/{cooperative_id}/workshop-code"
        )))
        .bearer_auth(&ilam)
        .json(&json!({"workshop_code": crate::impact::WORKSHOP}))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(status, 200);
    let (woman, absent) = (crate::impact::person(21), crate::impact::person(22));
    let (status, jobs) = app
        .post(
            &format!("/api/v1/loans/{loan_id}/hires"),
            Some(&coop),
            &json!({"national_codes": [woman, absent]}),
        )
        .await;
    assert_eq!(status, 201, "{jobs}");
    let (before, _) = pull_all(&app, &admin, "&types=job.verified", 1000).await;
    let month = |n: i32| disbursed.add_months(n);
    let list = crate::impact::list(&[
        (&woman, month(1), 30),
        (&woman, month(2), 30),
        (&woman, month(3), 30),
    ]);
    let (status, body) = crate::impact::upload(&app, &sso, None, crate::impact::CSV, &list).await;
    assert_eq!(status, 201, "{body}");
    let (verified, _) = pull_all(&app, &admin, "&types=job.verified", 1000).await;
    let fresh: Vec<&Value> = verified.iter().skip(before.len()).collect();
    assert_eq!(fresh.len(), 1, "{fresh:?}");
    let data = &fresh[0]["data"];
    let (_, masked) = app
        .get(&format!("/api/v1/loans/{loan_id}/hires"), Some(&bank))
        .await;
    let shown = masked["hires"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["status"] == "verified")
        .unwrap();
    assert_eq!(data["national_code"], shown["national_code"]);
    assert_ne!(data["national_code"], woman.as_str());
    assert_eq!(data["loan_id"], loan_id);
    assert_eq!(data["status"], "verified");
    assert_eq!(data["woman"], true);
    let bank_of_loan = data["bank"].as_str().unwrap().to_owned();
    let (bank_sees, _) = pull_all(&app, &bank, "&types=job.verified", 1000).await;
    let (refah_sees, _) = pull_all(&app, &refah, "&types=job.verified", 1000).await;
    let sees = |events: &[Value]| events.iter().any(|e| e["id"] == fresh[0]["id"]);
    assert_eq!(sees(&bank_sees), bank_of_loan == "022");
    if bank_of_loan == "022" {
        assert!(!sees(&refah_sees), "another bank's job");
    }
    assert!(refah_sees.iter().all(|e| e["data"]["bank"] != "022"));
}

#[tokio::test]
async fn end_of_day_and_verification_emit_class_changes_and_verified_jobs_on_sqlite() {
    // Establishes loan.class_changed and job.verified, scoped, on SQLite.
    check_class_and_jobs(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn end_of_day_and_verification_emit_class_changes_and_verified_jobs_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_class_and_jobs(app).await;
}

#[tokio::test]
async fn every_change_emits_its_event_and_the_pull_keeps_to_scope_on_sqlite() {
    // Establishes the outbox and the scoped pull by cursor on SQLite.
    check_pull(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn every_change_emits_its_event_and_the_pull_keeps_to_scope_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_pull(app).await;
}

/// What the receiver got: (path, headers, body).
type Received = Arc<Mutex<Vec<(String, HeaderMap, String)>>>;

/// How the receiver answers a path: the statuses of its first requests in turn (then
/// 200); `slow` answers its first request after 3 s (past the worker's timeout).
#[derive(Clone, Default)]
struct Receiver {
    received: Received,
    scripts: Arc<Mutex<std::collections::HashMap<String, Vec<u16>>>>,
}

async fn receive(
    State(receiver): State<Receiver>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let seen = {
        let mut received = receiver.received.lock().unwrap();
        received.push((path.clone(), headers, body));
        received.iter().filter(|(p, _, _)| *p == path).count()
    };
    if path == "slow" && seen == 1 {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    if path == "dead" {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let mut scripts = receiver.scripts.lock().unwrap();
    match scripts.get_mut(&path) {
        Some(script) if !script.is_empty() => StatusCode::from_u16(script.remove(0)).unwrap(),
        _ => StatusCode::OK,
    }
}

async fn start_receiver() -> (String, Receiver) {
    let receiver = Receiver::default();
    let router = axum::Router::new()
        .route("/{path}", axum::routing::post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (address, receiver)
}

impl Receiver {
    fn at(&self, path: &str) -> Vec<(HeaderMap, Value)> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _, _)| p == path)
            .map(|(_, h, b)| (h.clone(), serde_json::from_str(b).unwrap()))
            .collect()
    }

    /// Waits (up to 30 s) until `path` has received `count` requests.
    async fn wait_for(&self, path: &str, count: usize) -> Vec<(HeaderMap, Value)> {
        for _ in 0..300 {
            let got = self.at(path);
            if got.len() >= count {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{path} received {} of {count}", self.at(path).len());
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
    headers.get(name).unwrap().to_str().unwrap()
}

/// Whether one of the `webhook-signature` header's signatures is the secret's over the
/// request as received (the body re-serialised the way the server wrote it).
fn signed_by(headers: &HeaderMap, body: &Value, secret: &str) -> bool {
    let expected = taavon_app::webhooks::sign(
        secret,
        header(headers, "webhook-id"),
        header(headers, "webhook-timestamp").parse().unwrap(),
        &body.to_string(),
    )
    .unwrap();
    header(headers, "webhook-signature")
        .split(' ')
        .any(|s| s == expected)
}

async fn subscribe(app: &TestApp, token: &str, url: &str, types: &[&str]) -> Value {
    let (status, made) = app
        .post(
            "/api/v1/webhook-subscriptions",
            Some(token),
            &json!({"url": url, "event_types": types}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    made
}

/// The id of the first delivery a subscription's log shows, once there is one.
pub(crate) async fn first_delivery(app: &TestApp, token: &str, subscription: &str) -> i64 {
    for _ in 0..300 {
        let (status, log) = app
            .get(&format!("{subscription}/deliveries"), Some(token))
            .await;
        assert_eq!(status, 200, "{log}");
        if let Some(last) = log.as_array().unwrap().last() {
            return last["id"].as_i64().unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no delivery for {subscription}");
}

async fn deliveries_until(
    app: &TestApp,
    token: &str,
    subscription: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    for _ in 0..300 {
        let (_, log) = app
            .get(&format!("{subscription}/deliveries"), Some(token))
            .await;
        let log = log.as_array().unwrap().clone();
        if done(&log) {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the deliveries of {subscription} never settled");
}

async fn check_webhooks(engine: Engine) {
    let mut config = test_config();
    config.webhooks.retry_schedule_seconds = vec![0, 1, 1];
    config.webhooks.rotation_overlap_seconds = 3600;
    config.webhook_timeout = Duration::from_secs(1);
    let Some(app) = spawn_app_with(engine, config).await else {
        return;
    };
    let (base, receiver) = start_receiver().await;
    let (bank, refah, admin) = (
        app.token("bank", "demo").await,
        app.token("refah", "demo").await,
        app.token("admin", "demo").await,
    );
    // The bank's first delivery fails with a 500, then succeeds.
    receiver
        .scripts
        .lock()
        .unwrap()
        .insert("bank".into(), vec![500]);
    let loans = ["loan.contracted", "loan.disbursed", "loan.repaid"];
    let made = subscribe(&app, &bank, &format!("{base}/bank"), &loans).await;
    let secret = made["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    subscribe(&app, &refah, &format!("{base}/refah"), &loans).await;
    let dead = subscribe(&app, &admin, &format!("{base}/dead"), &["loan.contracted"]).await;
    subscribe(&app, &admin, &format!("{base}/slow"), &["loan.contracted"]).await;
    let (status, listed) = app.get("/api/v1/webhook-subscriptions", Some(&bank)).await;
    assert_eq!(
        (status, listed.as_array().unwrap().len()),
        (200, 1),
        "{listed}"
    );
    assert!(
        listed[0].get("secret").is_none(),
        "the secret is shown once"
    );
    let (status, _) = app
        .post(
            "/api/v1/webhook-subscriptions",
            Some(&bank),
            &json!({"url": "ftp://example.com/", "event_types": ["loan.repaid"]}),
        )
        .await;
    assert_eq!(status, 422);

    // A contract and a disbursement of bank 022's loan.
    let (id, disbursements) = contract(&app, &bank).await;
    let (status, _) = app
        .post(
            &disbursements,
            Some(&bank),
            &json!({"amount": 5_000_000_000_i64}),
        )
        .await;
    assert_eq!(status, 201);

    // Three requests: the contract's (500), again (200), then the disbursement's — the
    // disbursement never overtakes the contract it follows.
    let got = receiver.wait_for("bank", 3).await;
    let kinds: Vec<&str> = got
        .iter()
        .map(|(_, b)| b["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["loan.contracted", "loan.contracted", "loan.disbursed"]
    );
    assert_eq!(
        header(&got[0].0, "webhook-id"),
        header(&got[1].0, "webhook-id"),
        "a retry carries the same webhook-id"
    );
    for (headers, body) in &got {
        assert!(signed_by(headers, body, &secret), "{headers:?}");
        assert!(!signed_by(
            headers,
            body,
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        ));
        assert_eq!(body["data"]["id"], id);
        assert!(body["timestamp"].is_string());
    }
    // The other bank's subscription got none of it.
    assert!(receiver.at("refah").is_empty());

    // The log: the contract's delivery took two attempts, the last a 200.
    let hook = format!("/api/v1/webhook-subscriptions/{}", made["id"]);
    let log = deliveries_until(&app, &bank, &hook, |log| {
        log.len() == 2 && log.iter().all(|d| d["state"] == "delivered")
    })
    .await;
    assert_eq!(log[1]["attempts"], 2);
    assert_eq!(log[1]["last_status"], 200);
    assert_eq!(log[0]["attempts"], 1);
    // Another's subscription is not found.
    let (status, _) = app.get(&format!("{hook}/deliveries"), Some(&refah)).await;
    assert_eq!(status, 404);

    // A timeout is retried: the slow receiver's first answer comes too late.
    let slow = receiver.wait_for("slow", 2).await;
    assert_eq!(
        header(&slow[0].0, "webhook-id"),
        header(&slow[1].0, "webhook-id")
    );

    // Dead after the schedule's three attempts.
    let dead_hook = format!("/api/v1/webhook-subscriptions/{}", dead["id"]);
    let log = deliveries_until(&app, &admin, &dead_hook, |log| {
        log.first().is_some_and(|d| d["state"] == "dead")
    })
    .await;
    assert_eq!(
        (log[0]["attempts"].as_i64(), log[0]["last_status"].as_i64()),
        (Some(3), Some(500))
    );
    assert_eq!(receiver.at("dead").len(), 3);

    // Replay: the disbursement's delivery is sent again, with the same webhook-id.
    let (status, _) = app
        .post(
            &format!(
                "{hook}/deliveries/{}/replay",
                log_id(&app, &bank, &hook, 0).await
            ),
            Some(&bank),
            &json!({}),
        )
        .await;
    assert_eq!(status, 202);
    let got = receiver.wait_for("bank", 4).await;
    assert_eq!(
        header(&got[3].0, "webhook-id"),
        header(&got[2].0, "webhook-id")
    );

    // Rotation: the next delivery is signed by the new secret and, during the overlap,
    // by the old one too.
    let (status, rotated) = app
        .post(&format!("{hook}/secret"), Some(&bank), &json!({}))
        .await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    let (status, _) = app.post(&disbursements, Some(&bank), &json!({})).await;
    assert_eq!(status, 201);
    let got = receiver.wait_for("bank", 5).await;
    let (headers, body) = &got[4];
    assert_eq!(body["type"], "loan.disbursed");
    assert!(signed_by(headers, body, new_secret));
    assert!(signed_by(headers, body, &secret));
    assert_eq!(header(headers, "webhook-signature").split(' ').count(), 2);

    // Deleted: nothing more is sent.
    let response = app
        .client
        .delete(app.url(&hook))
        .bearer_auth(&bank)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (status, listed) = app.get("/api/v1/webhook-subscriptions", Some(&bank)).await;
    assert_eq!((status, listed), (200, json!([])));
}

async fn log_id(app: &TestApp, token: &str, hook: &str, index: usize) -> i64 {
    let (_, log) = app.get(&format!("{hook}/deliveries"), Some(token)).await;
    log[index]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn subscriptions_receive_their_scopes_events_signed_in_order_with_retries_on_sqlite() {
    // Establishes push delivery with a real receiver on SQLite.
    check_webhooks(Engine::Sqlite).await;
}

#[tokio::test]
async fn subscriptions_receive_their_scopes_events_signed_in_order_with_retries_on_postgres() {
    // Establishes the same on PostgreSQL.
    check_webhooks(Engine::Postgres).await;
}

/// The subscriptions page as each role and its actions as a browser sends them: made
/// with Persian-named event types (the secret shown once), listed with its health and
/// exported, its dead delivery replayed, its secret rotated, deleted; another bank finds
/// none of it and a representative has no page.
async fn check_page(engine: Engine) {
    let mut config = test_config();
    config.webhooks.retry_schedule_seconds = vec![0, 0];
    config.webhook_timeout = Duration::from_secs(1);
    let Some(app) = spawn_app_with(engine, config).await else {
        return;
    };
    let (base, receiver) = start_receiver().await;
    receiver
        .scripts
        .lock()
        .unwrap()
        .insert("failing".into(), vec![500, 500]);
    let bank = crate::forms::Browser::of(&app, "bank").await;
    let (status, page) = bank.page("/webhooks").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("بازپرداخت تسهیلات") && page.contains("تغییر طبقه تسهیلات"));
    assert!(page.contains("name=\"type:loan.disbursed\""));
    let url = format!("{base}/failing");
    let made = bank
        .send(
            &page,
            "/webhooks",
            &[("url", url.as_str()), ("type:loan.disbursed", "1")],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.page);
    assert_eq!(
        crate::forms::flash_of(&made.page),
        "اشتراک ثبت شد؛ کلید امضا را اکنون ذخیره کنید."
    );
    assert!(made.page.contains("whsec_"), "the secret is shown once");
    assert!(made.page.contains(&url));
    let (_, again) = bank.page("/webhooks").await;
    assert!(!again.contains("whsec_"), "and only once");
    let (_, csv) = bank.page("/webhooks?format=csv").await;
    assert!(csv.contains(&url), "{csv}");

    let token = app.token("bank", "demo").await;
    let (_, listed) = app.get("/api/v1/webhook-subscriptions", Some(&token)).await;
    let id = listed[0]["id"].as_i64().unwrap();
    let hook = format!("/webhooks/{id}");
    let refah = crate::forms::Browser::of(&app, "refah").await;
    assert_eq!(
        refah.page(&hook).await.0,
        404,
        "another bank's subscription"
    );
    let (_, refah_list) = refah.page("/webhooks").await;
    assert!(!refah_list.contains(&url));
    let coop = crate::forms::Browser::of(&app, "coop").await;
    assert_eq!(coop.page("/webhooks").await.0, 403);

    // A disbursement's delivery fails twice: dead, then replayed from the page.
    let (_, disbursements) = contract(&app, &token).await;
    let (status, body) = app
        .post(
            &disbursements,
            Some(&token),
            &json!({"amount": 5_000_000_000_i64}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mut detail = String::new();
    for _ in 0..100 {
        detail = bank.page(&hook).await.1;
        if detail.contains("/replay") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(detail.contains("<tr class=\"dead\">"), "{detail}");
    assert!(detail.contains("پرداخت مرحله‌ای از تسهیلات"));
    assert!(
        detail.contains("۵۰۰"),
        "the response code in Persian digits"
    );
    let marker = format!("action=\"{hook}/deliveries/");
    let start = detail.find(&marker).unwrap() + marker.len();
    let delivery = detail[start..].split('/').next().unwrap().to_owned();
    let replayed = bank
        .send(
            &detail,
            &format!("{hook}/deliveries/{delivery}/replay"),
            &[],
        )
        .await;
    assert_eq!(
        crate::forms::flash_of(&replayed.page),
        "رویداد دوباره در صف ارسال قرار گرفت."
    );
    receiver.wait_for("failing", 3).await;
    let mut healthy = String::new();
    for _ in 0..100 {
        healthy = bank.page(&hook).await.1;
        if healthy.contains("ارسال شد") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(healthy.contains("ارسال شد"), "{healthy}");

    // Rotation shows the new secret once on the subscription's page; deletion asks first.
    let rotated = bank.send(&healthy, &format!("{hook}/secret"), &[]).await;
    assert_eq!(
        crate::forms::flash_of(&rotated.page),
        "کلید امضا تعویض شد؛ کلید تازه را اکنون ذخیره کنید."
    );
    assert!(rotated.page.contains("whsec_"));
    assert!(rotated.page.contains("data-confirm=\"این اشتراک حذف شود؟"));
    assert_eq!(
        refah
            .send(&refah_list, &format!("{hook}/removal"), &[])
            .await
            .status,
        404,
        "another bank cannot delete it"
    );
    let deleted = bank
        .send(&rotated.page, &format!("{hook}/removal"), &[])
        .await;
    assert_eq!(crate::forms::flash_of(&deleted.page), "اشتراک حذف شد.");
    assert!(!deleted.page.contains(&url));
}

#[tokio::test]
async fn the_subscriptions_page_keeps_each_systems_own_on_sqlite() {
    // Establishes the webhook subscriptions' page, its roles, scope and actions, on SQLite.
    check_page(Engine::Sqlite).await;
}

#[tokio::test]
async fn the_subscriptions_page_keeps_each_systems_own_on_postgres() {
    // Establishes the same on PostgreSQL.
    check_page(Engine::Postgres).await;
}
