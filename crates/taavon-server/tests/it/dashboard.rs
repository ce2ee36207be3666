//! The dashboard (issue 17) through the API and the page, on SQLite and on PostgreSQL:
//! each role's figures hold its own scope alone, a sequence of moves changes them by
//! what it did, and the kept figures equal their recomputation from the records after
//! the demo's writes (all through the real paths) and the test's.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
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

    // Each step of the funnel after submission, in order, with its median days: the two
    // approvals and the referral counted once more (the test's moves take no day).
    let steps = |d: &Value| -> Vec<(String, i64, Option<i64>)> {
        d["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["step"].as_str().unwrap().to_owned(),
                    s["applications"].as_i64().unwrap(),
                    s["median_days"].as_i64(),
                )
            })
            .collect()
    };
    let (steps_before, steps_after) = (steps(&before), steps(&after));
    assert_eq!(
        steps_after.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        [
            "eligible",
            "approved",
            "referred",
            "contracted",
            "disbursed"
        ]
    );
    let more: Vec<i64> = steps_before
        .iter()
        .zip(&steps_after)
        .map(|(b, a)| a.1 - b.1)
        .collect();
    assert_eq!(more, [2, 2, 1, 0, 0]);
    for (step, applications, median) in &steps_after {
        assert_eq!(*applications > 0, median.is_some(), "{step}");
    }
    // Verified jobs to date and what each cost, when any is verified.
    let verified = after["verified_jobs"].as_i64().unwrap();
    assert_eq!(
        verified > 0,
        after["cost_per_verified_job_rial"].as_i64().is_some()
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
    // An agency officer sees its agency's deposits and services instead; no one else.
    eprintln!("agency figures: {}", agency["agency"]);
    assert!(agency["agency"].is_object(), "{agency}");
    assert!(after["agency"].is_null());

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
    assert!(html.contains("میانهٔ روزهای هر مرحلهٔ قیف"));
    assert!(html.contains("ارسال‌شده ← واجد شرایط"));
    assert!(html.contains("اشتغال تأییدشده تا امروز"));
    assert!(
        !html.contains("under_review"),
        "no internal codes on the page"
    );
}

/// The dashboard's exports read back: the XLSX by a spreadsheet library, with Persian
/// headers and numbers as numeric cells; the PDF's text, extracted, in Persian.
async fn the_exports_read_back(app: &TestApp) {
    let admin = ui_client(app, "admin").await;
    let download = |format: &'static str| {
        let admin = admin.clone();
        let url = app.url(&format!("/dashboard?period=year&format={format}"));
        async move {
            let response = admin.get(url).send().await.unwrap();
            assert_eq!(response.status(), 200, "{format}");
            response.bytes().await.unwrap().to_vec()
        }
    };
    let xlsx = download("xlsx").await;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx)).unwrap();
    let sheet = book.sheet_names().first().cloned().unwrap();
    let range = book.worksheet_range(&sheet).unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header: Vec<String> = rows
        .iter()
        .find(|row| row.iter().any(|c| *c == "استان"))
        .unwrap_or_else(|| panic!("a header row: {rows:?}"))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        header.iter().any(|h| h.starts_with("مبلغ پرداخت‌شده")),
        "{header:?}"
    );
    let body: Vec<&&[Data]> = rows
        .iter()
        .filter(|row| matches!(row.first(), Some(Data::String(name)) if name == "ایلام"))
        .collect();
    assert_eq!(body.len(), 1, "Ilam's row: {rows:?}");
    for cell in body[0].iter().skip(1) {
        assert!(
            matches!(cell, Data::Float(_) | Data::Int(_)),
            "a typed number: {cell:?} in {:?}",
            body[0]
        );
    }
    let pdf = download("pdf").await;
    assert!(pdf.starts_with(b"%PDF-"));
    // (Without pdftotext the text is not checked, as the lists' reports.)
    if let Some(text) = taavon_testkit::pdf_text(&pdf) {
        for word in ["استان", "ایلام", "لرستان"] {
            assert!(text.contains(word), "{word} in the report:\n{text}");
        }
    }
}

#[tokio::test]
async fn the_dashboards_exports_read_back() {
    let Some(app) = spawn_app(Engine::Sqlite).await else {
        return;
    };
    the_exports_read_back(&app).await;
}

#[tokio::test]
async fn each_role_sees_its_scope_and_the_kept_figures_follow_the_writes_on_sqlite() {
    each_role_sees_its_scope_and_the_kept_figures_follow_the_writes(Engine::Sqlite).await;
}

#[tokio::test]
async fn each_role_sees_its_scope_and_the_kept_figures_follow_the_writes_on_postgres() {
    each_role_sees_its_scope_and_the_kept_figures_follow_the_writes(Engine::Postgres).await;
}
