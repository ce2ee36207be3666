//! The authorization table: every route × every role × own/other province gives the
//! answer the policy says. Run on SQLite and on PostgreSQL.

use serde_json::json;
use taavon_testkit::{Engine, TestApp, spawn_app};

use crate::helpers::{DEMO_USERS, WHO, ui_client};

/// The Ilam women's clothing cooperative (IR-16), the coop user's own.
const ILAM_COOPERATIVE: i64 = 1;
/// A Dorud tourism cooperative (IR-15).
const LORESTAN_COOPERATIVE: i64 = 3;

/// (method, path, expected status for each of `WHO`).
const API_TABLE: &[(&str, &str, [u16; 9])] = &[
    // Issue 15's synergy figures: counts that name no one, for every signed-in role.
    (
        "GET",
        "/api/v1/services/gaps",
        [401, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/services/counties?province=IR-16",
        [401, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/services/imports",
        [401, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/support-requests",
        [401, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/support-requests/1",
        [401, 200, 200, 404, 404, 404, 200, 200, 404],
    ),
    (
        "GET",
        "/api/v1/support-requests/3",
        [401, 200, 200, 404, 404, 200, 200, 200, 404],
    ),
    (
        "GET",
        "/api/v1/support-requests/4",
        [401, 200, 200, 404, 200, 404, 200, 200, 404],
    ),
    (
        "GET",
        "/api/v1/provinces",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/counties?province=IR-15",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/sectors",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/agencies",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/banks",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/me",
        [401, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/cooperatives",
        [401, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/cooperatives/1",
        [401, 200, 200, 404, 200, 404, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/cooperatives/3",
        [401, 200, 404, 200, 200, 404, 404, 200, 200],
    ),
    // Members and share registers: a bank reads them only of its borrowers. The Ilam
    // clothing cooperative's facility and a Dorud tourism cooperative's loan came from
    // applications referred to 022; nothing of the Dorud handicrafts cooperative (4) was.
    (
        "GET",
        "/api/v1/cooperatives/1/members",
        [401, 200, 200, 404, 200, 404, 200, 200, 403],
    ),
    (
        "GET",
        "/api/v1/cooperatives/3/members",
        [401, 200, 404, 200, 200, 404, 404, 200, 403],
    ),
    (
        "GET",
        "/api/v1/cooperatives/4/members",
        [401, 200, 404, 200, 403, 404, 404, 200, 403],
    ),
    (
        "GET",
        "/api/v1/cooperatives/1/shares",
        [401, 200, 200, 404, 200, 404, 200, 200, 403],
    ),
    (
        "GET",
        "/api/v1/cooperatives/3/shares",
        [401, 200, 404, 200, 200, 404, 404, 200, 403],
    ),
    (
        "GET",
        "/api/v1/cooperatives/4/shares",
        [401, 200, 404, 200, 403, 404, 404, 200, 403],
    ),
    (
        "GET",
        "/api/v1/clients",
        [401, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/cooperatives/999",
        [401, 404, 404, 404, 404, 404, 404, 404, 404],
    ),
    (
        "GET",
        "/api/v1/programs",
        [401, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/programs/note18",
        [401, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/v1/programs/nothing",
        [401, 404, 404, 404, 404, 404, 404, 404, 404],
    ),
    (
        "GET",
        "/api/v1/applications",
        [401, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    // The Ilam clothing cooperative's facility, referred to and approved by the bank.
    (
        "GET",
        "/api/v1/applications/1",
        [401, 200, 200, 404, 200, 404, 200, 200, 404],
    ),
    // A Dorud application under review in Lorestan, not referred to any bank.
    (
        "GET",
        "/api/v1/applications/3",
        [401, 200, 404, 200, 404, 404, 404, 200, 404],
    ),
    (
        "GET",
        "/api/v1/audit",
        [401, 200, 403, 403, 403, 403, 403, 200, 403],
    ),
    (
        "GET",
        "/api/v1/users",
        [401, 200, 403, 403, 403, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/api/v1/users",
        [401, 201, 403, 403, 403, 403, 403, 403, 403],
    ),
];

/// How many cooperatives each of `WHO` sees in the list (anonymous sees none: 401).
const LIST_SIZES: [usize; 9] = [0, 12, 2, 6, 12, 0, 1, 12, 12];
/// How many individual clients each of `WHO` lists: the five Ilam clients to those who
/// keep or audit Ilam's registry, none to a bank (none of them is its borrower yet).
const CLIENT_LIST_SIZES: [usize; 9] = [0, 5, 5, 0, 0, 0, 0, 5, 0];
/// The provinces each of `WHO` may see cooperatives of (empty: any).
const LIST_PROVINCES: [&[&str]; 9] = [
    &[],
    &[],
    &["IR-16"],
    &["IR-15"],
    &[],
    &[],
    &["IR-16"],
    &[],
    &[],
];

/// (path, expected status for each of `WHO`); 303 sends the browser to log in.
const UI_TABLE: &[(&str, [u16; 9])] = &[
    ("/provinces", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    (
        "/provinces/IR-16",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    ("/", [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    (
        "/cooperatives",
        [303, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "/cooperatives/1",
        [303, 200, 200, 404, 200, 404, 200, 200, 200],
    ),
    (
        "/cooperatives/3",
        [303, 200, 404, 200, 200, 404, 404, 200, 200],
    ),
    (
        "/cooperatives/1/edit",
        [303, 200, 200, 404, 403, 404, 200, 403, 403],
    ),
    ("/audit", [303, 200, 403, 403, 403, 403, 403, 200, 403]),
    ("/programs", [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    (
        "/programs/note18",
        [303, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "/programs/note18/round",
        [303, 200, 403, 403, 403, 403, 403, 200, 403],
    ),
    (
        "/applications",
        [303, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "/applications/1",
        [303, 200, 200, 404, 200, 404, 200, 200, 404],
    ),
    (
        "/applications/3",
        [303, 200, 404, 200, 404, 404, 404, 200, 404],
    ),
    ("/formations", [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    (
        "/cooperatives/new",
        [303, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    // Issue 13's forms: each offered to the roles the policy lets act.
    (
        "/formations/new",
        [303, 200, 200, 200, 403, 403, 403, 403, 403],
    ),
    (
        "/applications/new",
        [303, 200, 200, 200, 403, 403, 200, 403, 403],
    ),
    (
        "/cooperatives/1/surplus",
        [303, 200, 200, 404, 200, 404, 200, 200, 403],
    ),
    (
        "/programs/note18/budgets",
        [303, 200, 403, 403, 403, 403, 403, 403, 403],
    ),
    // Issue 17's program definition: the ministry's alone.
    (
        "/programs/new",
        [303, 200, 403, 403, 403, 403, 403, 403, 403],
    ),
    (
        "/programs/note18/edit",
        [303, 200, 403, 403, 403, 403, 403, 403, 403],
    ),
    (
        "/funds/deposits",
        [303, 200, 403, 403, 403, 200, 403, 403, 403],
    ),
    ("/calendar", [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    // Issue 19's webhook subscriptions: the systems told of events keep their own.
    ("/webhooks", [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    // Issue 15's support requests: the demo's first is Ilam's provincial office's, its
    // third the SSO's, its fourth the cooperative development bank's (022).
    ("/support", [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    (
        "/support/new",
        [303, 200, 200, 200, 403, 403, 200, 403, 403],
    ),
    ("/support/1", [303, 200, 200, 404, 404, 404, 200, 200, 404]),
    ("/support/3", [303, 200, 200, 404, 404, 200, 200, 200, 404]),
    ("/support/4", [303, 200, 200, 404, 200, 404, 200, 200, 404]),
    // Issue 15's synergy page: aggregates, for every signed-in role.
    ("/services", [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    // Issue 16's festival: its settings for every signed-in role, its entries for those
    // with entries in their scope, its panel for the ministry and auditors, its results
    // and the certificate check for anyone, a judge's own list for judges only.
    ("/awards", [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    (
        "/awards/festivals/new",
        [303, 200, 403, 403, 403, 403, 403, 403, 403],
    ),
    (
        "/awards/entries",
        [303, 200, 200, 200, 403, 403, 200, 200, 403],
    ),
    (
        "/awards/panel",
        [303, 200, 403, 403, 403, 403, 403, 200, 403],
    ),
    (
        "/awards/my-entries",
        [303, 403, 403, 403, 403, 403, 403, 403, 403],
    ),
    (
        "/awards/results",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "/awards/certificates",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
];

async fn check_table(app: TestApp) {
    assert_eq!(&WHO[1..], &DEMO_USERS);
    let mut tokens = vec![None];
    for user in DEMO_USERS {
        tokens.push(Some(app.token(user, "demo").await));
    }
    let mut failures = Vec::new();
    for (n, (method, path, expected)) in API_TABLE.iter().enumerate() {
        for (who, token) in WHO.iter().zip(&tokens) {
            let mut request = match *method {
                "GET" => app.client.get(app.url(path)),
                _ => app.client.post(app.url(path)).json(&json!({
                    "username": format!("new{n}{who}"), "display_name": "کاربر تازه",
                    "password": "a-long-password", "role": "auditor"})),
            };
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let status = request.send().await.unwrap().status().as_u16();
            let index = WHO.iter().position(|w| w == who).unwrap();
            if status != expected[index] {
                failures.push(format!(
                    "{method} {path} as {who}: {status}, expected {}",
                    expected[index]
                ));
            }
        }
    }
    for (index, token) in tokens.iter().enumerate().skip(1) {
        let (_, page) = app
            .get("/api/v1/cooperatives?limit=500", token.as_deref())
            .await;
        let items = page["items"].as_array().unwrap();
        if items.len() != LIST_SIZES[index] {
            failures.push(format!(
                "{} lists {} cooperatives, expected {}",
                WHO[index],
                items.len(),
                LIST_SIZES[index]
            ));
        }
        let allowed = LIST_PROVINCES[index];
        for item in items {
            let province = item["province"].as_str().unwrap();
            if !allowed.is_empty() && !allowed.contains(&province) {
                failures.push(format!("{} sees a cooperative of {province}", WHO[index]));
            }
        }
    }
    for (index, token) in tokens.iter().enumerate().skip(1) {
        let (_, clients) = app.get("/api/v1/clients", token.as_deref()).await;
        let listed = clients.as_array().map_or(0, Vec::len);
        if listed != CLIENT_LIST_SIZES[index] {
            failures.push(format!(
                "{} lists {listed} clients, expected {}",
                WHO[index], CLIENT_LIST_SIZES[index]
            ));
        }
    }
    // A search by a member's national code finds a cooperative only for those who read
    // its members: a bank finds its borrowers (Ilam's clothing cooperative), not the
    // others (Dorud's handicrafts cooperative).
    let member_of =
        |members: &serde_json::Value| members[0]["national_code"].as_str().unwrap().to_owned();
    let ilam_member = member_of(
        &app.get("/api/v1/cooperatives/1/members", tokens[1].as_deref())
            .await
            .1,
    );
    let dorud_member = member_of(
        &app.get("/api/v1/cooperatives/4/members", tokens[1].as_deref())
            .await
            .1,
    );
    for (index, code, expected) in [
        (1, &dorud_member, 1),
        (4, &ilam_member, 1),
        (4, &dorud_member, 0),
        (8, &ilam_member, 0),
    ] {
        let (_, page) = app
            .get(
                &format!("/api/v1/cooperatives?q={code}"),
                tokens[index].as_deref(),
            )
            .await;
        if page["total"] != expected {
            failures.push(format!(
                "{} searching a member of {} found {}, expected {expected}",
                WHO[index],
                if *code == ilam_member {
                    "Ilam"
                } else {
                    "Dorud"
                },
                page["total"]
            ));
        }
    }
    // An Ilam officer cannot reach Lorestan through a province filter either.
    let (_, page) = app
        .get("/api/v1/cooperatives?province=IR-15", tokens[2].as_deref())
        .await;
    if page["total"] != 0 {
        failures.push(format!("ilam filtered by IR-15 got {page}"));
    }
    assert!(
        failures.is_empty(),
        "authorization table failures:\n{}",
        failures.join("\n")
    );
    let _ = (ILAM_COOPERATIVE, LORESTAN_COOPERATIVE);
}

#[tokio::test]
async fn api_routes_answer_each_role_as_the_policy_says_on_sqlite() {
    // Establishes the policy for every API route, role and province, on SQLite.
    check_table(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn api_routes_answer_each_role_as_the_policy_says_on_postgres() {
    // Establishes the same table on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_table(app).await;
}

#[tokio::test]
async fn ui_pages_answer_each_role_as_the_policy_says() {
    // Establishes the policy for the UI's pages (sessions, not tokens).
    let app = spawn_app(Engine::Sqlite).await.unwrap();
    let mut clients = vec![
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    ];
    for user in DEMO_USERS {
        clients.push(ui_client(&app, user).await);
    }
    let mut failures = Vec::new();
    for (path, expected) in UI_TABLE {
        for (index, client) in clients.iter().enumerate() {
            let status = client
                .get(app.url(path))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            if status != expected[index] {
                failures.push(format!(
                    "GET {path} as {}: {status}, expected {}",
                    WHO[index], expected[index]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "UI authorization failures:\n{}",
        failures.join("\n")
    );
}
