//! Helpers shared by the integration tests.

use taavon_testkit::{Engine, TestApp, spawn_app};

/// The demo users, all with the password `demo`.
pub const DEMO_USERS: [&str; 8] = [
    "admin", "ilam", "lorestan", "bank", "sso", "coop", "auditor", "refah",
];

/// Who asks in the role tables: anonymous, then the demo users in `DEMO_USERS` order
/// (`refah` is an officer of another bank than the one every demo application was
/// referred to).
pub const WHO: [&str; 9] = [
    "anonymous",
    "admin",
    "ilam",
    "lorestan",
    "bank",
    "sso",
    "coop",
    "auditor",
    "refah",
];

pub async fn sqlite_app() -> TestApp {
    spawn_app(Engine::Sqlite).await.expect("SQLite always runs")
}

/// A browser-like client logged in to the UI as `username` (cookies kept, no redirects).
pub async fn ui_client(app: &TestApp, username: &str) -> reqwest::Client {
    ui_client_with(app, username, "demo").await
}

/// A UI session of a user with their own password (one made by the test, not the demo).
pub async fn ui_client_with(app: &TestApp, username: &str, password: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "UI login as {username}");
    client
}

/// The CSRF token on a page (the logout form carries it).
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a csrf field") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}
