//! The dashboard (issue 17) through the API and the page, on SQLite and on PostgreSQL:
//! each role's figures hold its own scope alone, a sequence of moves changes them by
//! what it did, and the kept figures equal their recomputation from the records after
//! the demo's writes (all through the real paths) and the test's.

use serde_json::Value;
use taavon_app::rows::{DashboardFilter, DashboardGrouping};
use taavon_core::access::ApplicationScope;
use taavon_testkit::{Engine, TestApp, spawn_app};

use crate::helpers::ui_client;
use crate::workflow::{ILAM_COOPERATIVE, application_ready_for, step, tokens};

/// Every day the demo and the test write on, and as many before.
const ALL_TIME: &str = "/api/v1/dashboard?period=range&from=2000-01-01&to=2099-12-31";

/// The kept figures are what the application moves and loan transactions sum to, by
/// day, by month, by area and committed.
async fn kept_figures_are_the_records_sums(app: &TestApp) {
    let mut read = app.store.read().await.unwrap();
    let kept = read
        .dashboard_figures(
            &ApplicationScope::All,
            &DashboardFilter {
                grouping: DashboardGrouping::Day,
                from: None,
                to: None,
            },
        )
        .await
        .unwrap();
    assert!(!kept.is_empty(), "the demo's moves are kept");
    assert_eq!(
        read.check_dashboard_figures().await.unwrap(),
        Vec::<String>::new()
    );
    read.finish().await.unwrap();
}

fn provinces_of(dashboard: &Value) -> Vec<String> {
    let mut codes: Vec<String> = dashboard["provinces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

fn total(dashboard: &Value, figure: &str) -> i64 {
    dashboard["totals"][figure].as_i64().unwrap()
}

async fn dashboard_of(app: &TestApp, token: &str) -> Value {
    let (status, body) = app.get(ALL_TIME, Some(token)).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn each_role_sees_its_scope_and_the_kept_figures_follow_the_writes(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    kept_figures_are_the_records_sums(&app).await;
    let tokens = tokens(&app).await;
    let before = dashboard_of(&app, tokens.of("admin")).await;

    // Two Ilam applications approved; one withdrawn after approval (its commitment
    // released), the other referred to a bank (still committed).
    let withdrawn =
        application_ready_for(&app, &tokens, ILAM_COOPERATIVE, "refer", 1_000_000_000).await;
    let (status, body) = step(&app, tokens.of("admin"), withdrawn, "withdraw", None).await;
    assert_eq!(status, 200, "{body}");
    let referred =
        application_ready_for(&app, &tokens, ILAM_COOPERATIVE, "refer", 1_000_000_000).await;
    let (status, body) = step(&app, tokens.of("clerk"), referred, "refer", None).await;
    assert_eq!(status, 200, "{body}");
    kept_figures_are_the_records_sums(&app).await;

    let after = dashboard_of(&app, tokens.of("admin")).await;
    let grew = |figure: &str| total(&after, figure) - total(&before, figure);
    assert_eq!(
        [
            grew("submitted"),
            grew("eligible"),
            grew("approved"),
            grew("referred")
        ],
        [2, 2, 2, 1]
    );
    assert_eq!(grew("approved_rial"), 2_000_000_000);
    assert_eq!(
        after["committed_rial"].as_i64().unwrap() - before["committed_rial"].as_i64().unwrap(),
        1_000_000_000
    );

    // The nation for the ministry; Ilam alone for Ilam's officer, and the inbox too;
    // a representative its own cooperative (in Ilam) and nothing of Lorestan; an agency
    // no applications at all.
    let national = provinces_of(&after);
    assert!(national.len() > 1, "{national:?}");
    let ilam = dashboard_of(&app, tokens.of("ilam")).await;
    assert_eq!(provinces_of(&ilam), ["IR-16"]);
    assert!(total(&ilam, "submitted") < total(&after, "submitted"));
    for waiting in ilam["inbox"].as_array().unwrap() {
        assert_eq!(waiting["province"], "IR-16", "{waiting}");
    }
    assert!(ilam["inbox_total"].as_i64().unwrap() > 0);
    let coop = dashboard_of(&app, tokens.of("coop")).await;
    assert_eq!(provinces_of(&coop), ["IR-16"]);
    assert!(total(&coop, "submitted") >= 2);
    assert!(total(&coop, "submitted") <= total(&ilam, "submitted"));
    let lorestan = dashboard_of(&app, tokens.of("lorestan")).await;
    assert!(!provinces_of(&lorestan).contains(&"IR-16".to_owned()));
    let agency = dashboard_of(&app, tokens.of("sso")).await;
    assert_eq!(total(&agency, "submitted"), 0);
    assert!(provinces_of(&agency).is_empty());

    // A wrong period is named.
    let (status, body) = app
        .get(
            "/api/v1/dashboard?period=range&from=1404/07/10&to=1404/07/01",
            Some(tokens.of("admin")),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "to", "{body}");

    // The page draws its charts as named images with their numbers behind a toggle.
    let client = ui_client(&app, "ilam").await;
    let page = client
        .get(app.url("/dashboard?period=year"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<svg class=\"chart\" role=\"img\" aria-label=\"قیف درخواست‌ها\""));
    assert!(html.contains("<summary>نمایش ارقام</summary>"));
    assert!(html.contains("svg class=\"province-map\""));
    assert!(
        !html.contains("under_review"),
        "no internal codes on the page"
    );
}

#[tokio::test]
async fn each_role_sees_its_scope_and_the_kept_figures_follow_the_writes_on_sqlite() {
    each_role_sees_its_scope_and_the_kept_figures_follow_the_writes(Engine::Sqlite).await;
}

#[tokio::test]
async fn each_role_sees_its_scope_and_the_kept_figures_follow_the_writes_on_postgres() {
    each_role_sees_its_scope_and_the_kept_figures_follow_the_writes(Engine::Postgres).await;
}
