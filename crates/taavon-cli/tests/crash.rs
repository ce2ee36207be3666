//! Money survives a crash: the real server is killed with SIGKILL in the middle of a
//! stream of repayments and started again on the same database; every repayment it
//! acknowledged is there, and `taavon ledger check` and `taavon audit verify` pass.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    let loans: serde_json::Value = client
        .get(format!("{base}/api/v1/loans?status=active&limit=100"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let loan = loans["items"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|l| l["outstanding_principal"].as_i64().unwrap_or(0))
        .expect("the demo holds active loans")["id"]
        .as_i64()
        .unwrap();

    // Four clients stream small repayments; each records what the server acknowledged.
    let acknowledged: Arc<Mutex<Vec<i64>>> = Arc::default();
    let mut streams = Vec::new();
    for stream in 0..4 {
        let (client, base, token, acknowledged) = (
            client.clone(),
            base.clone(),
            token.clone(),
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
