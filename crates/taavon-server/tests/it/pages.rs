//! Every UI page shows a role only what the API lets that role read: each GET route of
//! the UI is rendered as every demo role (and anonymously), for every record of the demo,
//! and searched for the marks of records the API keeps from that role — a cooperative's,
//! application's or loan's link, an application's amount and jobs as its rows show them,
//! a loan's contract number, a person's national code. On SQLite and on PostgreSQL.

use std::collections::BTreeSet;

use serde_json::Value;
use taavon_core::digits::to_persian_digits;
use taavon_core::locale::Locale;
use taavon_core::money::format_number;
use taavon_testkit::{Engine, TestApp, spawn_app};

use crate::helpers::{DEMO_USERS, ui_client};

/// The UI's routes, read from the router, so that a new page cannot be left out.
const UI_ROUTES: &str = include_str!("../../src/ui/mod.rs");

/// GET routes that render no page of records: the language switch only redirects; a
/// certificate's PDF is the file its code's holder reads (its own tests read it).
const NOT_PAGES: [&str; 2] = ["/lang", "/awards/certificates/{code}/pdf"];

/// The marks of the records one principal reads through the API.
#[derive(Default)]
struct Marks(BTreeSet<String>);

impl Marks {
    /// Reads everything the API lets `token` read, as the marks the pages would show.
    async fn readable(app: &TestApp, token: &str) -> Self {
        let mut marks = BTreeSet::new();
        let get = |path: String| async move { app.get(&path, Some(token)).await };
        let (_, cooperatives) = get("/api/v1/cooperatives?limit=500".into()).await;
        for cooperative in items(&cooperatives) {
            let id = &cooperative["id"];
            marks.insert(format!("href=\"/cooperatives/{id}\""));
            let (status, members) = get(format!("/api/v1/cooperatives/{id}/members")).await;
            if status == 200 {
                for member in members.as_array().into_iter().flatten() {
                    let code = member["national_code"].as_str().unwrap_or_default();
                    marks.insert(to_persian_digits(code));
                }
            }
        }
        let (_, applications) = get("/api/v1/applications?limit=500".into()).await;
        for application in items(&applications) {
            marks.insert(format!("href=\"/applications/{}\"", application["id"]));
            // A row's amount, jobs and women's jobs read together mark the application,
            // unless it plans no job: then they read like any amount followed by zeros.
            let number = |key: &str| application[key].as_i64().unwrap_or(0);
            if number("jobs") > 0 {
                marks.insert(
                    ["amount", "jobs", "women_jobs"]
                        .map(|key| format_number(number(key), Locale::Fa))
                        .join(" "),
                );
            }
        }
        let (_, loans) = get("/api/v1/loans?limit=500".into()).await;
        for loan in items(&loans) {
            marks.insert(format!("href=\"/loans/{}\"", loan["id"]));
            let contract = loan["contract_no"].as_str().unwrap_or_default();
            marks.insert(to_persian_digits(contract));
        }
        let (_, requests) = get("/api/v1/support-requests".into()).await;
        for request in requests.as_array().into_iter().flatten() {
            marks.insert(format!("href=\"/support/{}\"", request["id"]));
        }
        Self(marks)
    }
}

fn items(page: &Value) -> impl Iterator<Item = &Value> {
    page["items"].as_array().into_iter().flatten()
}

/// A page as its text reads: tags become spaces and runs of white space one space, so that
/// a table row's cells read as words in a line.
fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The GET routes of the UI's router, with their path parameters as written (`{id}`).
fn get_routes() -> Vec<String> {
    UI_ROUTES
        .split(".route(")
        .skip(1)
        .filter_map(|route| {
            let path = route.split('"').nth(1)?;
            let rest = route.get(route.find(path)? + path.len() + 1..)?;
            let rest: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
            rest.starts_with(",get(").then(|| path.to_owned())
        })
        .collect()
}

/// The demo's festival (of the business date's Jalali year, its provincial round
/// published and its national round judging): its year and every entry's id.
async fn festival_entries(app: &TestApp, admin: &str) -> (Vec<String>, Vec<String>) {
    let mut read = app.store.read().await.unwrap();
    let today = read.business_date().await.unwrap().unwrap();
    read.finish().await.unwrap();
    let year = taavon_core::calendar::JalaliDate::from(
        taavon_core::calendar::IsoDate::parse(&today).unwrap(),
    )
    .year();
    let (status, entries) = app
        .get(
            &format!("/api/v1/awards/festivals/{year}/entries"),
            Some(admin),
        )
        .await;
    assert_eq!(status, 200, "{entries}");
    let ids = entries
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["id"].to_string())
        .collect();
    (vec![year.to_string()], ids)
}

/// Every page to render: each GET route with its path parameters filled in with every
/// record of the demo (as the ministry admin reads them).
async fn pages(app: &TestApp, admin: &str) -> Vec<String> {
    let ids = |page: Value| -> Vec<String> { items(&page).map(|i| i["id"].to_string()).collect() };
    let cooperatives = ids(app
        .get("/api/v1/cooperatives?limit=500", Some(admin))
        .await
        .1);
    let applications = ids(app
        .get("/api/v1/applications?limit=500", Some(admin))
        .await
        .1);
    let loans = ids(app.get("/api/v1/loans?limit=500", Some(admin)).await.1);
    let (_, programs) = app.get("/api/v1/programs", Some(admin)).await;
    let programs: Vec<String> = programs
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    let provinces = vec!["IR-16".to_owned(), "IR-15".to_owned()];
    let (_, requests) = app.get("/api/v1/support-requests", Some(admin)).await;
    let requests: Vec<String> = requests
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["id"].to_string())
        .collect();
    let mut attachments = Vec::new();
    for id in &requests {
        let (_, view) = app
            .get(&format!("/api/v1/support-requests/{id}"), Some(admin))
            .await;
        let listed = view["attachments"].as_array().into_iter().flatten();
        attachments.extend(listed.map(|a| a["id"].to_string()));
    }
    let (years, entries) = festival_entries(app, admin).await;
    // Dehloran, and Pol-e Dokhtar, which has no outline on the map.
    let counties = vec!["1603".to_owned(), "1508".to_owned()];
    // A member of the first cooperative: the person page.
    let (_, members) = app
        .get(
            &format!("/api/v1/cooperatives/{}/members", cooperatives[0]),
            Some(admin),
        )
        .await;
    let people: Vec<String> = members
        .as_array()
        .into_iter()
        .flatten()
        .take(1)
        .map(|m| m["national_code"].as_str().unwrap_or_default().to_owned())
        .collect();
    // A webhook subscription of the ministry's (to a port nobody answers).
    let (status, subscription) = app
        .post(
            "/api/v1/webhook-subscriptions",
            Some(admin),
            &serde_json::json!({"url": "http://127.0.0.1:9/hook", "event_types": ["loan.repaid"]}),
        )
        .await;
    assert_eq!(status, 201, "{subscription}");
    let subscriptions = vec![subscription["id"].to_string()];
    let mut pages = Vec::new();
    for route in get_routes() {
        if NOT_PAGES.contains(&route.as_str()) {
            continue;
        }
        let (parameter, values) = match route.as_str() {
            r if r.starts_with("/cooperatives/{id}") => ("{id}", &cooperatives),
            r if r.starts_with("/applications/{id}") => ("{id}", &applications),
            r if r.starts_with("/loans/{id}") => ("{id}", &loans),
            r if r.starts_with("/programs/{code}") => ("{code}", &programs),
            r if r.starts_with("/provinces/{code}") => ("{code}", &provinces),
            r if r.starts_with("/support/attachments/{id}") => ("{id}", &attachments),
            r if r.starts_with("/support/{id}") => ("{id}", &requests),
            r if r.starts_with("/awards/entries/{id}") => ("{id}", &entries),
            r if r.starts_with("/awards/festivals/{year}") => ("{year}", &years),
            r if r.starts_with("/services/counties/{code}") => ("{code}", &counties),
            r if r.starts_with("/people/{national_code}") => ("{national_code}", &people),
            r if r.starts_with("/webhooks/{id}") => ("{id}", &subscriptions),
            r => {
                assert!(!r.contains('{'), "no records to fill {r} with");
                pages.push(route.clone());
                continue;
            }
        };
        assert!(!values.is_empty(), "the demo has records for {route}");
        pages.extend(values.iter().map(|value| route.replace(parameter, value)));
    }
    pages
}

async fn check_pages_show_what_the_api_allows(app: TestApp) {
    let admin = app.token("admin", "demo").await;
    let everything = Marks::readable(&app, &admin).await;
    let pages = pages(&app, &admin).await;
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut viewers = vec![("anonymous", anonymous, Marks::default())];
    for user in DEMO_USERS {
        let token = app.token(user, "demo").await;
        let readable = Marks::readable(&app, &token).await;
        viewers.push((user, ui_client(&app, user).await, readable));
    }
    let mut failures = Vec::new();
    let mut rendered = 0;
    for (who, client, readable) in &viewers {
        let hidden: Vec<&String> = everything.0.difference(&readable.0).collect();
        for page in &pages {
            let response = client.get(app.url(page)).send().await.unwrap();
            if response.status() != 200 {
                continue;
            }
            rendered += 1;
            let html = response.text().await.unwrap();
            let text = text_of(&html);
            for mark in &hidden {
                if html.contains(mark.as_str()) || text.contains(mark.as_str()) {
                    failures.push(format!(
                        "{page} shows {who} `{mark}`, which the API keeps from it"
                    ));
                }
            }
        }
    }
    assert!(rendered > 200, "only {rendered} pages rendered");
    assert!(
        failures.is_empty(),
        "pages show more than the API allows:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_router_is_read_for_every_get_route() {
    // Establishes that the page list comes from the router itself: the pages the
    // comparison below renders include the cooperative page and the loan page.
    let routes = get_routes();
    for route in [
        "/",
        "/cooperatives/{id}",
        "/loans/{id}",
        "/portfolio",
        "/lang",
    ] {
        assert!(routes.iter().any(|r| r == route), "{route} in {routes:?}");
    }
    assert!(
        !routes.iter().any(|r| r.ends_with("/transitions")),
        "POST only"
    );
}

#[tokio::test]
async fn every_page_shows_each_role_only_what_the_api_lets_it_read_on_sqlite() {
    // Establishes that no page reads around the scoped use cases the API reads through
    // (a bank's page of a cooperative once showed another bank's applications).
    check_pages_show_what_the_api_allows(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn every_page_shows_each_role_only_what_the_api_lets_it_read_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_pages_show_what_the_api_allows(app).await;
}
