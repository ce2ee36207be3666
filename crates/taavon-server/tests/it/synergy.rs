//! The synergy pages on SQLite and PostgreSQL: a province's county choropleth on the
//! services page (a focusable, named link per county, the legend, the OSM credit, the
//! county without an outline named), the counties' figures page and a county's page
//! showing the API's numbers, and the person page — found by a search in either digits,
//! its loan as a client borrower on the page and in the API,
//! a wrong code refused in Persian, every view audited, a bank officer refused with the
//! styled 403 page, an agency officer shown its own services with the code masked —
//! and the ministry's topics and routing rules page: a rule set by its form (a form sent
//! twice acts once, a missing unit refused on its field), a topic added, others reading
//! the rules without the forms and refused when they post.

use serde_json::{Value, json};
use taavon_core::digits::to_persian_digits;
use taavon_core::locale::Locale;
use taavon_core::money::format_number;
use taavon_testkit::{Engine, TestApp, spawn_app};

use crate::forms::{Browser, newest_audit_seq};
use crate::helpers::{csrf_of, ui_client};
use crate::impact::person;
use crate::workflow::step;

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

fn fa(value: u64) -> String {
    format_number(i64::try_from(value).unwrap(), Locale::Fa)
}

async fn the_county_map_and_figures(app: TestApp) {
    let admin = ui_client(&app, "admin").await;
    let (status, ilam) = page(&admin, &app, "/services?province=IR-16").await;
    assert_eq!(status, 200, "{ilam}");
    assert!(ilam.contains("class=\"county-map\""), "the county map");
    assert!(!ilam.contains("class=\"province-map\""), "not the nation's");
    // Dehloran (1603) is a link named by its Persian name and figure, to its page.
    let link = ilam
        .split("<a href=\"/services/counties/1603\" aria-label=\"")
        .nth(1)
        .expect("Dehloran linked on the map");
    assert!(
        link.starts_with("دهلران: "),
        "{}",
        &link[..80.min(link.len())]
    );
    assert!(link.contains("<title>دهلران: "));
    assert!(ilam.contains("class=\"map-legend\" role=\"img\""));
    assert!(ilam.contains("© OpenStreetMap contributors"));
    assert!(ilam.contains("href=\"/services/counties?province=IR-16\""));

    let (status, lorestan) = page(&admin, &app, "/services?province=IR-15").await;
    assert_eq!(status, 200);
    assert!(lorestan.contains("بدون مرز روی نقشه: پلدختر"), "listed");
    let (_, nation) = page(&admin, &app, "/services").await;
    assert!(nation.contains("class=\"province-map\""));
    assert!(nation.contains("href=\"/services?province=IR-16\""));
    // The province page draws its counties by tier, linked for the signed-in.
    let (_, province) = page(&admin, &app, "/provinces/IR-16").await;
    assert!(province.contains("data-county=\"1603\""));
    assert!(province.contains("href=\"/services/counties/1603\""));

    // The API's figures and the pages' agree, county by county.
    let token = app.token("admin", "demo").await;
    let (status, counties) = app
        .get("/api/v1/services/counties?province=IR-16", Some(&token))
        .await;
    assert_eq!(status, 200, "{counties}");
    let counties = counties.as_array().unwrap();
    let number = |c: &Value, key: &str| c[key].as_u64().unwrap();
    let busiest = counties
        .iter()
        .max_by_key(|c| number(c, "open_requests"))
        .unwrap();
    assert!(number(busiest, "open_requests") > 0, "the demo's requests");
    assert!(
        counties.iter().any(|c| number(c, "loans") > 0),
        "the demo's loans in Ilam"
    );
    let code = busiest["county"].as_str().unwrap();
    let (status, one) = page(&admin, &app, &format!("/services/counties/{code}")).await;
    assert_eq!(status, 200, "{one}");
    for key in [
        "services",
        "loans",
        "disbursed_rial",
        "verified_jobs",
        "open_requests",
        "answered_requests",
    ] {
        let shown = format!("<dd>{}</dd>", fa(number(busiest, key)));
        assert!(one.contains(&shown), "{key}: {shown} on the county's page");
    }
    for figure in busiest["figures"].as_array().unwrap() {
        assert!(one.contains(&fa(figure["services"].as_u64().unwrap())));
    }
    let response = admin
        .get(app.url("/services/counties?province=IR-16&format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csv = response.text().await.unwrap();
    let name = busiest["name_fa"].as_str().unwrap();
    let line = csv
        .lines()
        .find(|line| line.starts_with(name))
        .unwrap_or_else(|| panic!("{name} in\n{csv}"));
    let cells: Vec<&str> = line.split(',').collect();
    assert_eq!(cells[3], busiest["services"].to_string(), "{line}");
    assert_eq!(cells[8], busiest["open_requests"].to_string(), "{line}");
    let (status, _) = page(&admin, &app, "/services/counties/9999").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_provinces_county_map_and_the_counties_figures_on_sqlite() {
    // Establishes the county choropleth and the figures pages on SQLite.
    the_county_map_and_figures(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn a_provinces_county_map_and_the_counties_figures_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    the_county_map_and_figures(app).await;
}

async fn person_views(app: &TestApp, token: &str) -> usize {
    let (status, records) = app.get("/api/v1/audit?limit=1000", Some(token)).await;
    assert_eq!(status, 200, "{records}");
    records
        .as_array()
        .or_else(|| records["items"].as_array())
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "person.view")
        .count()
}

async fn the_person_page(app: TestApp) {
    let admin_token = app.token("admin", "demo").await;
    let ilam_token = app.token("ilam", "demo").await;
    let sso_token = app.token("sso", "demo").await;
    let code = person(777);
    // A welfare client of Dehloran who is also a member, has an application and a
    // support request, and was served by the SSO.
    let (status, client) = app
        .post(
            "/api/v1/clients",
            Some(&ilam_token),
            &json!({"kind": "artisan", "national_code": code, "first_name": "مریم",
                    "last_name": "کرمی", "gender": "female", "county": "1603",
                    "sector": "handicrafts", "credential": "کارت ۷۷۷"}),
        )
        .await;
    assert_eq!(status, 201, "{client}");
    let client_id = client["id"].as_i64().unwrap();
    let (_, cooperatives) = app
        .get("/api/v1/cooperatives?province=IR-16", Some(&ilam_token))
        .await;
    let cooperative = cooperatives["items"][0]["id"].as_i64().unwrap();
    let (status, member) = app
        .post(
            &format!("/api/v1/cooperatives/{cooperative}/members"),
            Some(&ilam_token),
            &json!({"national_code": code, "first_name": "مریم", "last_name": "کرمی",
                    "gender": "female"}),
        )
        .await;
    assert_eq!(status, 201, "{member}");
    let (status, request) = app
        .post(
            "/api/v1/support-requests",
            Some(&ilam_token),
            &json!({"client_id": client_id, "kind": "technical", "topic": "licence",
                    "body": "راهنمایی برای مجوز کارگاه"}),
        )
        .await;
    assert_eq!(status, 201, "{request}");
    let request_id = request["id"].as_i64().unwrap();
    let (status, application) = app
        .post(
            "/api/v1/applications",
            Some(&ilam_token),
            &json!({"program": "women", "client_id": client_id, "amount": 300_000_000,
                    "jobs": 1, "women_jobs": 1, "purpose": "خرید مواد اولیه"}),
        )
        .await;
    assert_eq!(status, 201, "{application}");
    let application_id = application["id"].as_i64().unwrap();
    // Taken to a loan: she is its borrower as an individual client.
    let bank_token = app.token("bank", "demo").await;
    for (token, action) in [
        (&ilam_token, "submit"),
        (&admin_token, "approve"),
        (&ilam_token, "refer"),
        (&bank_token, "bank_approve"),
    ] {
        let (status, moved) = step(&app, token, application_id, action, None).await;
        assert_eq!(status, 200, "{action}: {moved}");
    }
    let (status, loan) = app
        .post(
            "/api/v1/loans",
            Some(&bank_token),
            &json!({"application_id": application_id}),
        )
        .await;
    assert_eq!(status, 201, "{loan}");
    let loan_id = loan["id"].as_i64().unwrap();
    let (status, recorded) = app
        .post(
            "/api/v1/services",
            Some(&sso_token),
            &json!({"agency": "sso", "reference": "SSO-777", "kind": "insurance_enrolment",
                    "county": "1603", "national_code": code, "delivered_on": "1403/08/01"}),
        )
        .await;
    assert_eq!(status, 201, "{recorded}");

    // The search: Persian digits find the page, a wrong check digit is named in Persian.
    let admin = ui_client(&app, "admin").await;
    let (status, services) = page(&admin, &app, "/services").await;
    assert_eq!(status, 200);
    assert!(services.contains("action=\"/people\""), "the search box");
    let search = reqwest::Url::parse_with_params(
        &app.url("/people"),
        &[("national_code", to_persian_digits(&code))],
    )
    .unwrap();
    let response = admin.get(search).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/people/{code}"));
    let mut wrong = code.clone();
    let last = wrong.pop().unwrap().to_digit(10).unwrap();
    wrong.push(char::from_digit((last + 1) % 10, 10).unwrap());
    let (status, refused) = page(&admin, &app, &format!("/people?national_code={wrong}")).await;
    assert_eq!(status, 422);
    assert!(refused.contains("رقم کنترل درست نیست"), "{refused}");
    assert!(refused.contains("aria-invalid=\"true\""));

    // The page: every part, each view audited.
    let before = person_views(&app, &admin_token).await;
    let (status, whole) = page(&admin, &app, &location).await;
    assert_eq!(status, 200, "{whole}");
    assert_eq!(person_views(&app, &admin_token).await, before + 1);
    for part in [
        "services",
        "requests",
        "applications",
        "loans",
        "memberships",
    ] {
        assert!(whole.contains(&format!("id=\"{part}\"")), "{part}");
    }
    assert!(whole.contains(&format!("href=\"/support/{request_id}\"")));
    assert!(whole.contains(&format!("href=\"/applications/{application_id}\"")));
    assert!(
        whole.contains(&format!("href=\"/loans/{loan_id}\"")),
        "the loan"
    );
    let (status, overview) = app
        .get(
            &format!("/api/v1/people/{code}/overview"),
            Some(&admin_token),
        )
        .await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(overview["loans"][0]["id"], loan_id, "{overview}");
    assert_eq!(overview["loans"][0]["application_id"], application_id);
    assert!(whole.contains(&format!("href=\"/cooperatives/{cooperative}\"")));
    assert!(whole.contains("ثبت‌نام بیمه"), "the SSO's service, named");
    assert!(whole.contains(&to_persian_digits(&code)));

    // An agency officer: its own services, the code masked; a bank officer: refused.
    let sso = ui_client(&app, "sso").await;
    let (status, own) = page(&sso, &app, &location).await;
    assert_eq!(status, 200, "{own}");
    assert!(own.contains("id=\"services\"") && !own.contains("id=\"memberships\""));
    assert!(
        !own.contains("id=\"loans\""),
        "an agency officer sees no loans"
    );
    assert!(!own.contains(&to_persian_digits(&code)), "masked");
    assert!(own.contains(&to_persian_digits(&code[6..])));
    // The admin's page, the admin's API overview and this page: three views.
    assert_eq!(person_views(&app, &admin_token).await, before + 3);
    let bank = ui_client(&app, "bank").await;
    let (status, forbidden) = page(&bank, &app, &location).await;
    assert_eq!(status, 403);
    assert!(forbidden.contains("<nav"), "the styled error page");
    assert!(!forbidden.contains("مریم"));
    let (status, _) = page(&bank, &app, "/people").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_person_page_is_found_audited_and_scoped_on_sqlite() {
    // Establishes the person page's search, parts, audit and roles on SQLite.
    the_person_page(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn the_person_page_is_found_audited_and_scoped_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    the_person_page(app).await;
}

async fn the_routing_page(app: TestApp) {
    let admin = Browser::of(&app, "admin").await;
    let (status, html) = admin.page("/support/routing").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("action=\"/support/routing-rules\""));
    assert!(
        html.contains("data-confirm="),
        "the rule asks before it is set"
    );
    assert!(html.contains("دسترسی به بازار"), "the topics by name");

    let rule = [
        ("topic", "training"),
        ("province", "IR-16"),
        ("unit", "agency:tvto"),
    ];
    let set = admin
        .send_twice(&html, "/support/routing-rules", &rule)
        .await;
    assert_eq!(set.location, "/support/routing");
    assert!(set.page.contains("قاعده ارجاع ثبت شد"), "the flash");
    assert!(
        set.page.contains("سازمان آموزش فنی و حرفه‌ای کشور"),
        "the rule's unit"
    );
    let token = app.token("admin", "demo").await;
    let training = |rules: Value| {
        rules
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["topic"] == "training" && r["province"] == "IR-16")
            .map(|r| r["unit_code"].clone())
    };
    let rules = || app.get("/api/v1/support-requests/routing-rules", Some(&token));
    assert_eq!(training(rules().await.1), Some(json!("tvto")));

    let missing = [("topic", "training"), ("province", "IR-16"), ("unit", "")];
    let refused = admin
        .send(&set.page, "/support/routing-rules", &missing)
        .await;
    assert_eq!(refused.status, 422, "{}", refused.page);
    assert!(refused.page.contains("aria-invalid=\"true\""));

    let topic = [
        ("form", "new"),
        ("code", "export_permits"),
        ("name_fa", "مجوز صادرات"),
        ("name_en", "Export permits"),
    ];
    let added = admin.send_twice(&set.page, "/support/topics", &topic).await;
    assert!(added.page.contains("مجوز صادرات") && added.page.contains("موضوع ثبت شد"));

    // Others read the rules, without the forms, and are refused when they post.
    let coop = ui_client(&app, "coop").await;
    let (status, read) = page(&coop, &app, "/support/routing").await;
    assert_eq!(status, 200);
    assert!(read.contains("سازمان آموزش فنی و حرفه‌ای کشور"));
    assert!(!read.contains("action=\"/support/routing-rules\""));
    let csrf = csrf_of(&read);
    let form = [
        ("csrf", csrf.as_str()),
        ("form_key", "coop-rule"),
        ("topic", "training"),
        ("province", "IR-16"),
        ("unit", "bank:022"),
    ];
    let written = newest_audit_seq(&app).await;
    let response = coop
        .post(app.url("/support/routing-rules"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let refused = response.status().as_u16();
    assert_eq!(newest_audit_seq(&app).await, written, "refused: {refused}");
    assert_eq!(training(rules().await.1), Some(json!("tvto")));
}

#[tokio::test]
async fn the_ministry_keeps_topics_and_routing_rules_on_sqlite() {
    // Establishes the routing page's forms and readers on SQLite.
    the_routing_page(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn the_ministry_keeps_topics_and_routing_rules_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    the_routing_page(app).await;
}
