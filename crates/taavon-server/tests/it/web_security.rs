//! The web layer against an attacker: redirects that stay on the site, login throttling
//! that cannot lock the real user out, headers, sessions and request limits.

use serde_json::{Value, json};
use taavon_testkit::{Engine, TestApp, spawn_app_with, test_config};

use crate::helpers::sqlite_app;

#[tokio::test]
async fn the_language_switch_and_the_login_never_send_the_browser_to_another_host() {
    // Establishes that `back` and `next` pass the one same-origin check: a tab the
    // browser would drop (`/%09/evil.example`) no longer reaches the `Location` header.
    let app = sqlite_app().await;
    for back in [
        "/%09/evil.example/x",
        "/%0A/evil.example/x",
        "//evil.example/x",
        "/%5Cevil.example/x",
        "https://evil.example/x",
        "/.//evil.example/x",
    ] {
        let response = app
            .client
            .get(app.url(&format!("/lang?to=en&back={back}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/", "back={back}");
    }
    let response = app
        .client
        .get(app.url("/lang?to=fa&back=/provinces%3Fx%3D1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/provinces?x=1");

    let response = form_login(
        &app.client,
        &app,
        "-",
        &[
            ("username", "admin"),
            ("password", "demo"),
            ("next", "/\t/evil.example/x"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    let login_page = app
        .client
        .get(app.url("/login?next=%2F%09%2Fevil.example"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        login_page.contains("name=\"next\" value=\"/\""),
        "{login_page}"
    );
}

/// An app behind a proxy at 127.0.0.1, so each test request can name its client address
/// in `X-Forwarded-For`.
async fn app_behind_proxy(config: taavon_server::ServerConfig) -> TestApp {
    let config = taavon_server::ServerConfig {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..config
    };
    spawn_app_with(Engine::Sqlite, config)
        .await
        .expect("SQLite always runs")
}

async fn api_login(app: &TestApp, from: &str, username: &str, password: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", from)
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Posts the UI's login form from `from` (in `X-Forwarded-For`).
async fn form_login(
    client: &reqwest::Client,
    app: &TestApp,
    from: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url("/login"))
        .header("x-forwarded-for", from)
        .form(form)
        .send()
        .await
        .unwrap()
}

/// Every audit record, oldest first.
async fn audit_trail(app: &TestApp) -> Vec<taavon_app::rows::AuditRecord> {
    let mut read = app.store.read().await.unwrap();
    let mut records = read.audit_records(1000, None).await.unwrap();
    read.finish().await.unwrap();
    records.reverse();
    records
}

#[tokio::test]
async fn an_attacker_who_is_throttled_does_not_lock_the_real_user_out() {
    // Establishes the throttle per user name and address: 50 parallel wrong passwords
    // from one address get 5 real checks (5 failures in the audit) and 45 refusals; that
    // address is refused even the right password, with a Retry-After; the real user
    // logs in from another address; the per-address rule reads `X-Forwarded-For` only
    // because a proxy is configured.
    let app = app_behind_proxy(test_config()).await;
    let attempts: Vec<_> = (0..50)
        .map(|i| {
            let (client, url) = (app.client.clone(), app.url("/api/v1/auth/login"));
            tokio::spawn(async move {
                client
                    .post(url)
                    .header("x-forwarded-for", "203.0.113.66")
                    .json(&json!({"username": "admin", "password": format!("guess {i}")}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut answers = Vec::new();
    for attempt in attempts {
        answers.push(attempt.await.unwrap());
    }
    let count = |status: u16| answers.iter().filter(|s| **s == status).count();
    assert_eq!((count(401), count(429)), (5, 45));
    let failures = audit_trail(&app)
        .await
        .into_iter()
        .filter(|r| r.action == "user.login_failed")
        .count();
    assert_eq!(failures, 5, "one audit record per real password check");

    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", "203.0.113.66")
        .json(&json!({"username": "admin", "password": "demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");

    let (status, body) = api_login(&app, "198.51.100.7", "admin", "demo").await;
    assert_eq!(status, 200, "{body}");
    // The UI's login form follows the same rule.
    let response = form_login(
        &app.client,
        &app,
        "198.51.100.8",
        &[("username", "admin"), ("password", "demo")],
    )
    .await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn an_overlong_login_is_refused_unread_and_no_submitted_text_reaches_the_audit_trail() {
    // Establishes the login's bounds (422 naming each field, before any hash or record)
    // and that a failed login's audit record names a known user by id and keeps nothing
    // of an unknown user name or any password.
    let app = sqlite_app().await;
    let huge = "a".repeat(100_000);
    let (status, problem) = api_login(&app, "-", &huge, &"b".repeat(1_000)).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "password"]);
    let response = form_login(
        &app.client,
        &app,
        "-",
        &[("username", huge.as_str()), ("password", "x")],
    )
    .await;
    assert_eq!(response.status(), 422);
    assert!(
        !response.text().await.unwrap().contains(&huge),
        "not echoed back"
    );

    let typed_into_the_wrong_field = "my-secret-passw0rd";
    assert_eq!(
        api_login(&app, "-", typed_into_the_wrong_field, "demo")
            .await
            .0,
        401
    );
    assert_eq!(
        api_login(&app, "-", "ilam", "ilam-secret-guess").await.0,
        401
    );
    let trail = audit_trail(&app).await;
    let text: String = trail
        .iter()
        .map(|r| {
            format!(
                "{} {} {:?} {:?}",
                r.actor, r.entity_id, r.before_json, r.after_json
            )
        })
        .collect();
    for secret in [typed_into_the_wrong_field, "ilam-secret-guess", "aaaaaaaa"] {
        assert!(!text.contains(secret), "{secret} is in the audit trail");
    }
    let failures: Vec<_> = trail
        .iter()
        .filter(|r| r.action == "user.login_failed")
        .collect();
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0].entity_id, "unknown");
    let mut read = app.store.read().await.unwrap();
    let ilam = read.user_by_username("ilam").await.unwrap().unwrap();
    assert_eq!(failures[1].entity_id, ilam.id.to_string());
}

/// Logs in through the UI form; returns the session cookie's value.
async fn session_cookie(app: &TestApp, username: &str) -> String {
    let response = form_login(
        &cookieless_client(),
        app,
        "-",
        &[("username", username), ("password", "demo")],
    )
    .await;
    assert_eq!(response.status(), 303);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    cookie
        .strip_prefix("taavon_session=")
        .and_then(|rest| rest.split(';').next())
        .unwrap()
        .to_owned()
}

/// A client that follows no redirect and keeps no cookie.
fn cookieless_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn page_with_cookie(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let response = cookieless_client()
        .get(app.url(path))
        .header("cookie", format!("taavon_session={cookie}"))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_database_holds_neither_a_session_id_nor_a_csrf_token() {
    // Establishes that a copy of the sessions table opens no session and forges no form:
    // the row is found by the SHA-256 of the cookie, not the cookie, and the CSRF token on
    // the pages (derived from the id) appears nowhere in it.
    let app = sqlite_app().await;
    let cookie = session_cookie(&app, "coop").await;
    let (status, html) = page_with_cookie(&app, &cookie, "/").await;
    assert_eq!(status, 200);
    let csrf = crate::helpers::csrf_of(&html);
    assert_eq!(csrf.len(), 64);
    let now = taavon_app::clock::now();
    assert_eq!(app.store.session_load(&cookie, now).await.unwrap(), None);
    let row = app
        .store
        .session_load(&taavon_app::auth::token_hash(&cookie), now)
        .await
        .unwrap()
        .expect("stored under the id's hash");
    assert!(
        !row.data.contains(&csrf) && !row.data.contains(&cookie),
        "{}",
        row.data
    );
    assert_ne!(row.id_hash, csrf);
}

#[tokio::test]
async fn a_page_view_rewrites_its_session_only_once_the_renewal_span_has_passed() {
    // Establishes that reading pages writes nothing to the session (so views do not queue
    // behind the database's one writer), yet an active session's idle deadline still moves:
    // with a 40-second idle span the row is rewritten at most every 4 seconds (views stop
    // at 1.5 s, leaving a loaded machine 2.5 s to answer the last one).
    let config = taavon_server::ServerConfig {
        session_idle: std::time::Duration::from_secs(40),
        ..test_config()
    };
    let app = spawn_app_with(Engine::Sqlite, config).await.unwrap();
    let paths = taavon_testkit::demo_main_pages(&app.address).await;
    let logged_in = std::time::Instant::now();
    let cookie = session_cookie(&app, "admin").await;
    let stored = || async {
        app.store
            .session_load(
                &taavon_app::auth::token_hash(&cookie),
                taavon_app::clock::now(),
            )
            .await
            .unwrap()
            .expect("the session is stored")
    };
    assert_eq!(page_with_cookie(&app, &cookie, "/").await.0, 200);
    let before = stored().await;
    // Only the views within the renewal span count (a loaded machine is slow to crawl);
    // `reading_pages_and_answers_begins_no_write_transaction` crawls them all.
    for path in paths {
        if logged_in.elapsed() > std::time::Duration::from_millis(1_500) {
            break;
        }
        assert_eq!(
            page_with_cookie(&app, &cookie, &path).await.0,
            200,
            "{path}"
        );
    }
    assert_eq!(stored().await, before, "a page view rewrote the session");
    tokio::time::sleep(std::time::Duration::from_millis(4_100)).await;
    assert_eq!(page_with_cookie(&app, &cookie, "/").await.0, 200);
    let renewed = stored().await;
    assert!(
        renewed.expires_at > before.expires_at,
        "the idle deadline did not move: {:?} → {:?}",
        before.expires_at,
        renewed.expires_at
    );
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_however_active() {
    // Establishes the absolute lifetime beside the idle one: a session used every half
    // second still ends once its lifetime since login has passed.
    let config = taavon_server::ServerConfig {
        session_lifetime: std::time::Duration::from_secs(3),
        ..test_config()
    };
    let app = spawn_app_with(Engine::Sqlite, config).await.unwrap();
    let cookie = session_cookie(&app, "admin").await;
    let logged_in = std::time::Instant::now();
    assert_eq!(page_with_cookie(&app, &cookie, "/").await.0, 200);
    // Used twice a second (each use renews the 8-hour idle deadline) until it ends.
    while page_with_cookie(&app, &cookie, "/").await.0 == 200 {
        assert!(
            logged_in.elapsed() < std::time::Duration::from_secs(10),
            "the session outlived its 3-second lifetime"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    // The login instant is kept in whole seconds, so it may end up to a second early.
    assert!(logged_in.elapsed() >= std::time::Duration::from_secs(2));
}

#[tokio::test]
async fn every_page_and_answer_carries_the_security_headers_and_no_inline_style_or_script() {
    // Establishes the headers (a CSP without inline script or style, no-store, the
    // referrer policy; assets cacheable; Swagger UI's own looser policy on its path only;
    // no HSTS over plain HTTP) and that the pages hold nothing that policy would block.
    let app = sqlite_app().await;
    let client = crate::helpers::ui_client(&app, "admin").await;
    let mut paths = taavon_testkit::demo_main_pages(&app.address).await;
    paths.extend([
        "/login".into(),
        "/api/v1/provinces".into(),
        "/nowhere".into(),
    ]);
    for path in &paths {
        let response = client.get(app.url(path)).send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self';")
                && csp.contains("style-src 'self';")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe"),
            "{path}: {csp}"
        );
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert!(!headers.contains_key("strict-transport-security"), "{path}");
        if path == "/nowhere" {
            assert_eq!(status, 404);
            continue;
        }
        assert_eq!(status, 200, "{path}");
        let html = response.text().await.unwrap();
        assert!(!html.contains("style="), "{path} has an inline style");
        for script in html.split("<script").skip(1) {
            let tag = script.split('>').next().unwrap();
            assert!(tag.contains("src="), "{path} has an inline script");
        }
    }
    let asset = client
        .get(app.url("/assets/css/taavon.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(asset.headers()["cache-control"], "public, max-age=86400");
    let docs = client.get(app.url("/api/docs/")).send().await.unwrap();
    let csp = docs.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("style-src 'self' 'unsafe-inline'") && csp.contains("script-src 'self';"));

    let https = spawn_app_with(
        Engine::Sqlite,
        taavon_server::ServerConfig {
            secure_cookies: true,
            ..test_config()
        },
    )
    .await
    .unwrap();
    let response = https
        .client
        .get(https.url("/provinces"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_refused_with_413_before_it_is_read() {
    // Establishes the documented body limit: 413 with problem details under /api, plain
    // elsewhere, and a body just under it still read.
    let app = sqlite_app().await;
    let too_big = format!(
        "{{\"username\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(1024 * 1024)
    );
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(too_big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "payload_too_large");
    let huge = "a".repeat(1024 * 1024);
    let response = form_login(
        &app.client,
        &app,
        "-",
        &[("username", huge.as_str()), ("password", "x")],
    )
    .await;
    assert_eq!(response.status(), 413);
    let (status, problem) = api_login(&app, "-", &"a".repeat(1000 * 1000), "x").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_input"))
    );
}

/// Reads every main page with a UI session and the API's lists and records with a token,
/// and answers the requests that began a write transaction.
async fn writes_while_reading(app: &TestApp) -> Vec<String> {
    let cookie = session_cookie(app, "admin").await;
    let token = app.token("admin", "demo").await;
    assert_eq!(page_with_cookie(app, &cookie, "/").await.0, 200);
    let mut wrote = Vec::new();
    for path in taavon_testkit::demo_main_pages(&app.address).await {
        let before = app.store.request_writes();
        assert_eq!(page_with_cookie(app, &cookie, &path).await.0, 200, "{path}");
        if app.store.request_writes() != before {
            wrote.push(path);
        }
    }
    let api = |path: &str| app.client.get(app.url(path)).bearer_auth(&token).send();
    let loans: Value = api("/api/v1/loans").await.unwrap().json().await.unwrap();
    let loan = &loans["items"][0]["id"];
    for path in [
        "/api/v1/provinces".to_owned(),
        "/api/v1/counties?province=IR-16".into(),
        "/api/v1/sectors".into(),
        "/api/v1/agencies".into(),
        "/api/v1/banks".into(),
        "/api/v1/cooperatives".into(),
        "/api/v1/applications".into(),
        "/api/v1/programs".into(),
        "/api/v1/loans".into(),
        format!("/api/v1/loans/{loan}"),
        format!("/api/v1/loans/{loan}/transactions"),
        "/api/v1/portfolio".into(),
    ] {
        let before = app.store.request_writes();
        assert_eq!(api(&path).await.unwrap().status(), 200, "{path}");
        if app.store.request_writes() != before {
            wrote.push(path);
        }
    }
    wrote
}

#[tokio::test]
async fn reading_pages_and_answers_begins_no_write_transaction() {
    // Establishes that a logged-in user's page views and a token's API reads write
    // nothing at all — no session row, no token row, no audit record — so on SQLite they
    // never queue behind the one writer (the logins before them are counted apart).
    let app = sqlite_app().await;
    assert_eq!(writes_while_reading(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn reading_pages_and_answers_begins_no_write_transaction_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = taavon_testkit::spawn_app(Engine::Postgres).await else {
        return;
    };
    assert_eq!(writes_while_reading(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn the_write_counter_sees_a_write_and_a_logout_ends_the_session_at_once() {
    // Establishes that the count above would see a write (a logout deletes the session
    // row), and that the logout takes effect on the very next request although page
    // views no longer rewrite the row.
    let app = sqlite_app().await;
    let cookie = session_cookie(&app, "admin").await;
    let (status, html) = page_with_cookie(&app, &cookie, "/").await;
    assert_eq!(status, 200);
    let csrf = crate::helpers::csrf_of(&html);
    let before = app.store.request_writes();
    let response = cookieless_client()
        .post(app.url("/logout"))
        .header("cookie", format!("taavon_session={cookie}"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert!(app.store.request_writes() > before);
    let (status, _) = page_with_cookie(&app, &cookie, "/cooperatives").await;
    assert_ne!(status, 200, "the logged-out session still reads pages");
}
