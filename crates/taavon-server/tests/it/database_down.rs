//! PostgreSQL stopped under load (issue 18): while it is down every request is answered
//! at once or within the pool's wait (never a hang) with 503 and `Retry-After` (never a
//! 500), pages with a Persian page, `/api/health` says why; when it returns the server
//! recovers by itself. The test runs a cluster of its own so that it can stop it.

use std::time::{Duration, Instant};

use serde_json::json;
use taavon_testkit::{ThrowawayCluster, spawn_app_on, test_config};

use crate::helpers::ui_client;

/// The longest a request may take while the database is down: the pool's wait (5 s)
/// with room for a loaded machine.
const LONGEST_ANSWER: Duration = Duration::from_secs(15);

/// One request's status and whether it said when to retry, and how long it took.
struct Answer {
    status: u16,
    retry_after: bool,
    took: Duration,
}

async fn load_once(client: &reqwest::Client, base: &str, token: &str, n: usize) -> Answer {
    let started = Instant::now();
    let request = if n.is_multiple_of(3) {
        client.post(format!("{base}/api/v1/applications")).json(
            &json!({"program": "note18", "cooperative_id": 1, "amount": 100_000_000,
                          "jobs": 2, "women_jobs": 1, "purpose": "خرید ماشین‌آلات"}),
        )
    } else {
        client.get(format!("{base}/api/v1/applications?limit=5"))
    };
    let response = request.bearer_auth(token).send().await.unwrap();
    Answer {
        status: response.status().as_u16(),
        retry_after: response.headers().contains_key("retry-after"),
        took: started.elapsed(),
    }
}

/// Eight clients sending requests for `span`.
async fn load_for(base: &str, token: &str, span: Duration) -> Vec<Answer> {
    let until = Instant::now() + span;
    let clients: Vec<_> = (0..8)
        .map(|client_no| {
            let (base, token) = (base.to_owned(), token.to_owned());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut answers = Vec::new();
                let mut n = client_no;
                while Instant::now() < until {
                    answers.push(load_once(&client, &base, &token, n).await);
                    n += 1;
                }
                answers
            })
        })
        .collect();
    let mut answers = Vec::new();
    for client in clients {
        answers.extend(client.await.unwrap());
    }
    answers
}

#[tokio::test]
async fn a_stopped_postgresql_gets_503_with_retry_after_and_the_server_recovers_by_itself() {
    // Establishes issue 18's database-down line.
    let Some(cluster) = ThrowawayCluster::start() else {
        return;
    };
    let app = spawn_app_on(cluster.url(), test_config()).await;
    let token = app.token("admin", "demo").await;
    let browser = ui_client(&app, "admin").await;
    let before = load_for(&app.address, &token, Duration::from_secs(1)).await;
    assert!(
        before.iter().all(|a| a.status == 200 || a.status == 201),
        "{:?}",
        before.iter().map(|a| a.status).collect::<Vec<_>>()
    );

    cluster.stop();
    let during = load_for(&app.address, &token, Duration::from_secs(8)).await;
    let statuses: Vec<u16> = during.iter().map(|a| a.status).collect();
    assert!(
        during.iter().all(|a| a.status == 503 && a.retry_after),
        "every request while the database is down is 503 with Retry-After: {statuses:?}"
    );
    let slowest = during.iter().map(|a| a.took).max().unwrap_or_default();
    assert!(slowest < LONGEST_ANSWER, "an answer took {slowest:?}");
    let (status, health) = app.get("/api/health", None).await;
    assert_eq!(status, 503);
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["reason"], "database_unreachable", "{health}");
    let page = browser.get(app.url("/applications")).send().await.unwrap();
    assert_eq!(page.status(), 503);
    assert!(page.headers().contains_key("retry-after"));
    let html = page.text().await.unwrap();
    assert!(html.contains("پایگاه داده هم‌اکنون در دسترس نیست"), "{html}");

    cluster.start_server();
    // The pool reconnects on the next request; nothing has to be restarted.
    let recovered_by = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, health) = app.get("/api/health", None).await;
        if status == 200 {
            assert_eq!(health["status"], "ok");
            break;
        }
        assert!(Instant::now() < recovered_by, "not recovered: {health}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let after = load_for(&app.address, &token, Duration::from_secs(1)).await;
    assert!(
        after.iter().all(|a| a.status == 200 || a.status == 201),
        "{:?}",
        after.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    let page = browser.get(app.url("/applications")).send().await.unwrap();
    assert_eq!(page.status(), 200, "the UI session outlived the outage");
}
