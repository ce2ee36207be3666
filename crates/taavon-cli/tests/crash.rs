//! Money and events survive a crash: the real server is killed with SIGKILL in the
//! middle of a stream of repayments and started again on the same database; every
//! repayment it acknowledged is there, and `taavon ledger check` and `taavon audit
//! verify` pass. Likewise while it delivers the repayments' events to a receiver started
//! in the test: every acknowledged repayment's event reaches it at least once (the
//! receiver dedupes by `webhook-id`).

use std::collections::{HashMap, HashSet};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The server on `database`; its webhooks may reach the test's receiver on the loopback
/// address, and its lease is short, so a restarted server takes over a dead one's
/// deliveries within two seconds.
fn serve(database: &str, port: u16, demo: bool) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taavon"));
    command.args([
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--db",
        database,
    ]);
    if demo {
        command.arg("--demo");
    } else {
        // The demo keyed the audit chain with its key beside the database; a server
        // without that key would refuse to start on it.
        let path = database.trim_start_matches("sqlite://");
        command.env("TAAVON_AUDIT_KEY_FILE", format!("{path}-demo-audit.key"));
    }
    let child = command
        .env_remove("TAAVON_DATABASE_URL")
        .env("TAAVON_WEBHOOKS_ALLOW_PRIVATE", "true")
        .env("TAAVON_WEBHOOK_LEASE_SECONDS", "2")
        .env("TAAVON_WEBHOOK_RETRY_SECONDS", "0,1,1,1,1,1,1,1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the server did not listen within 120 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Server(child)
}

async fn token(client: &reqwest::Client, base: &str) -> String {
    let body: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "bank", "password": "demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["token"].as_str().unwrap().to_owned()
}

fn taavon(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_taavon"))
        .args(args)
        .env_remove("TAAVON_DATABASE_URL")
        .output()
        .unwrap()
}

/// The demo's active loans, largest outstanding principal first.
async fn active_loans(client: &reqwest::Client, base: &str, token: &str) -> Vec<i64> {
    let loans: serde_json::Value = client
        .get(format!("{base}/api/v1/loans?status=active&limit=100"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut loans: Vec<(i64, i64)> = loans["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["outstanding_principal"].as_i64().unwrap_or(0),
                l["id"].as_i64().unwrap(),
            )
        })
        .collect();
    loans.sort_by(|a, b| b.cmp(a));
    assert!(!loans.is_empty(), "the demo holds active loans");
    loans.into_iter().map(|(_, id)| id).collect()
}

/// What the server acknowledged of the repayments streamed, and the streams.
type Streams = (Arc<Mutex<Vec<i64>>>, Vec<tokio::task::JoinHandle<()>>);

/// One client per entry of `loans` streams small repayments on it until the server goes
/// away; each records the transactions the server acknowledged.
fn stream_repayments(client: &reqwest::Client, base: &str, token: &str, loans: &[i64]) -> Streams {
    let acknowledged: Arc<Mutex<Vec<i64>>> = Arc::default();
    let mut streams = Vec::new();
    for (stream, loan) in loans.iter().copied().enumerate() {
        let (client, base, token, acknowledged) = (
            client.clone(),
            base.to_owned(),
            token.to_owned(),
            acknowledged.clone(),
        );
        streams.push(tokio::spawn(async move {
            for n in 0.. {
                let response = client
                    .post(format!("{base}/api/v1/loans/{loan}/repayments"))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", format!("crash-{stream}-{n}"))
                    .json(&serde_json::json!({"amount": 100_000}))
                    .send()
                    .await;
                let Ok(response) = response else { break };
                if response.status() == 201 {
                    let body: serde_json::Value = match response.json().await {
                        Ok(body) => body,
                        Err(_) => break,
                    };
                    acknowledged
                        .lock()
                        .unwrap()
                        .push(body["transaction_id"].as_i64().unwrap());
                } else if response.status() != 409 {
                    panic!("a repayment failed with {}", response.status());
                }
            }
        }));
    }
    (acknowledged, streams)
}

#[tokio::test]
async fn every_acknowledged_repayment_survives_a_kill_9_and_the_ledger_balances() {
    let dir = std::env::temp_dir().join(format!("taavon-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = format!("sqlite://{}/taavon.db", dir.display());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = serve(&database, port, true);
    let client = reqwest::Client::new();
    let token = token(&client, &base).await;
    let loan = active_loans(&client, &base, &token).await[0];

    // Four clients stream small repayments on the largest loan.
    let (acknowledged, streams) = stream_repayments(&client, &base, &token, &[loan; 4]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 40 {
        assert!(
            Instant::now() < deadline,
            "too few repayments were acknowledged"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // SIGKILL: no shutdown, no flush, no checkpoint.
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    for stream in streams {
        stream.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    let server = serve(&database, port, false);
    let token = self::token(&client, &base).await;
    // Every transaction, page by page (the loan's answer carries only the newest).
    let mut present: Vec<i64> = Vec::new();
    let mut after = 0;
    loop {
        let page: serde_json::Value = client
            .get(format!(
                "{base}/api/v1/loans/{loan}/transactions?limit=500&after={after}"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        present.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_i64().unwrap()),
        );
        match page["next_after"].as_i64() {
            Some(next) => after = next,
            None => break,
        }
    }
    for id in &acknowledged {
        assert!(present.contains(id), "acknowledged repayment {id} was lost");
    }
    drop(server);

    let check = taavon(&["ledger", "check", "--db", &database]);
    assert!(
        check.status.success(),
        "ledger check: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let audit = taavon(&["audit", "verify", "--db", &database]);
    assert!(
        audit.status.success(),
        "audit verify: {}",
        String::from_utf8_lossy(&audit.stdout)
    );
}

/// What the receiver got: each webhook-id once, with the repayment's transaction id.
#[derive(Clone, Default)]
struct Receiver {
    by_webhook_id: Arc<Mutex<HashMap<String, i64>>>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    // Slow enough that deliveries are in flight when the server dies.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    if let Some(transaction) = body["data"]["transaction"]["id"].as_i64() {
        receiver
            .by_webhook_id
            .lock()
            .unwrap()
            .insert(id, transaction);
    }
    StatusCode::OK
}

#[tokio::test]
async fn every_acknowledged_event_is_delivered_after_a_kill_9_mid_delivery() {
    // Establishes at-least-once delivery across a SIGKILL of the delivering server.
    let dir = std::env::temp_dir().join(format!("taavon-webhook-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = format!("sqlite://{}/taavon.db", dir.display());
    let receiver = Receiver::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = serve(&database, port, true);
    let client = reqwest::Client::new();
    let token = token(&client, &base).await;
    let made = client
        .post(format!("{base}/api/v1/webhook-subscriptions"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"url": hook, "event_types": ["loan.repaid"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201);
    // Several loans, so deliveries of different resources run side by side.
    let loans = active_loans(&client, &base, &token).await;
    let loans = loans.get(..4).unwrap_or(&loans);
    let (acknowledged, streams) = stream_repayments(&client, &base, &token, loans);
    // Killed once some events were delivered and more were still to go.
    let deadline = Instant::now() + Duration::from_secs(30);
    while receiver.by_webhook_id.lock().unwrap().len() < 10
        || acknowledged.lock().unwrap().len() < 40
    {
        assert!(
            Instant::now() < deadline,
            "too few repayments acknowledged or delivered"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    for stream in streams {
        stream.await.unwrap();
    }
    let acknowledged: HashSet<i64> = acknowledged.lock().unwrap().iter().copied().collect();
    let before_restart = receiver.by_webhook_id.lock().unwrap().len();
    assert!(
        before_restart < acknowledged.len(),
        "the kill came after every delivery ({before_restart} of {})",
        acknowledged.len()
    );

    let _server = serve(&database, port, false);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let delivered: HashSet<i64> = receiver
            .by_webhook_id
            .lock()
            .unwrap()
            .values()
            .copied()
            .collect();
        let lost: Vec<&i64> = acknowledged.difference(&delivered).collect();
        if lost.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {} acknowledged repayments were never delivered: {lost:?}",
            lost.len(),
            acknowledged.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
