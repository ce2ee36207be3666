//! The festival of top cooperators through the API: a judge reads no other judge's mark
//! before submitting their own, then the marks without names; a judge not on an entry
//! reads it as a missing one (the entry's page the same, its marks submitted through the
//! page's form); a published round's results and a certificate's check need no login.

use serde_json::{Value, json};
use taavon_core::calendar::JalaliDate;
use taavon_testkit::{Engine, TestApp, spawn_app, tamper};

/// Puts the business date on a Jalali day (behind the server: a festival's windows are
/// set in 1404 while the demo runs on today's date).
async fn set_day(app: &TestApp, jalali: &str) {
    let day = JalaliDate::parse(jalali).unwrap().to_iso().to_string();
    tamper(
        &app.database_url,
        &format!("UPDATE business_date SET open_on = '{day}'"),
    )
    .await;
}

fn marks(mark: u32) -> Value {
    json!({"marks": [
        {"criterion": "economic_performance", "mark": mark},
        {"criterion": "jobs_and_inclusion", "mark": mark},
        {"criterion": "governance", "mark": mark},
        {"criterion": "innovation", "mark": mark},
    ]})
}

/// A festival of 1404 whose provincial round is judging: the demo's Lorestan cooperatives
/// 3 and 4 entered in agriculture, three judges appointed. Answers the ministry's token,
/// the entries and the judges' tokens.
async fn festival_in_judging(app: &TestApp) -> (String, Vec<i64>, Vec<String>) {
    let admin = app.token("admin", "demo").await;
    let lorestan = app.token("lorestan", "demo").await;
    set_day(app, "1404-02-15").await;
    let (status, festival) = app
        .post(
            "/api/v1/awards/festivals",
            Some(&admin),
            &json!({"year": 1404, "entry_opens": "1404/02/01", "entry_closes": "1404/03/31",
                    "judging_opens": "1404/04/01", "judging_closes": "1404/05/31"}),
        )
        .await;
    assert_eq!(status, 201, "{festival}");
    assert_eq!(festival["provincial_round"], "open_for_entries");
    // The demo's Lorestan cooperatives 3 and 4, registered years ago, with no doubtful
    // loan.
    let mut entries = Vec::new();
    for cooperative_id in [3, 4] {
        let (status, view) = app
            .post(
                "/api/v1/awards/festivals/1404/entries",
                Some(&lorestan),
                &json!({"cooperative_id": cooperative_id, "category": "agriculture"}),
            )
            .await;
        assert_eq!(status, 201, "{view}");
        assert_eq!(view["entry"]["eligible"], true, "{view}");
        entries.push(view["entry"]["id"].as_i64().unwrap());
    }
    let mut judges = Vec::new();
    for n in 0..3 {
        let username = format!("judge{n}");
        let (status, created) = app
            .post(
                "/api/v1/users",
                Some(&admin),
                &json!({"username": username, "display_name": format!("داور {n}"),
                        "password": "a long enough password", "role": "judge",
                        "province": "IR-15", "festival_year": 1404}),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let national_code =
            taavon_core::ids::NationalCode::with_check_digit(&format!("{:09}", 6_300_000 + n * 17))
                .unwrap();
        let (status, appointed) = app
            .post(
                "/api/v1/awards/festivals/1404/judges",
                Some(&admin),
                &json!({"user_id": created["id"], "national_code": national_code.as_str()}),
            )
            .await;
        assert_eq!(status, 201, "{appointed}");
        judges.push(app.token(&username, "a long enough password").await);
    }
    set_day(app, "1404-04-02").await;
    let (status, moved) = app
        .post(
            "/api/v1/awards/festivals/1404/rounds/provincial/moves",
            Some(&admin),
            &json!({"action": "start_judging"}),
        )
        .await;
    assert_eq!(
        (status, &moved["provincial_round"]),
        (200, &json!("judging")),
        "{moved}"
    );
    (admin, entries, judges)
}

async fn check_blind_judging(app: TestApp) {
    let (_, entries, judges) = festival_in_judging(&app).await;
    let (status, mine) = app.get("/api/v1/awards/my-entries", Some(&judges[0])).await;
    assert_eq!(status, 200);
    assert_eq!(
        mine.as_array().unwrap().len(),
        2,
        "three judges, each on both entries"
    );
    let entry = entries[0];
    let path = format!("/api/v1/awards/entries/{entry}");
    let (status, _) = app
        .post(&format!("{path}/marks"), Some(&judges[1]), &marks(80))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .post(&format!("{path}/submission"), Some(&judges[1]), &json!({}))
        .await;
    assert_eq!(status, 200);
    // Before submitting, nothing of the others; not even after marking.
    let (status, _) = app
        .post(&format!("{path}/marks"), Some(&judges[0]), &marks(60))
        .await;
    assert_eq!(status, 200);
    let (status, view) = app.get(&path, Some(&judges[0])).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["judging"]["others_visibility"], "hidden");
    assert_eq!(view["judging"]["others_marks"], json!([]));
    assert_eq!(view["judging"]["other_judges"], json!([]));
    // The page says the same: nothing of the others before the judge submits (through
    // the page's own form), the mark without a name after.
    let page = crate::helpers::ui_client_with(&app, "judge0", "a long enough password").await;
    let others = |html: &str| html.split("id=\"others\"").nth(1).unwrap_or("").to_owned();
    let page_path = app.url(&format!("/awards/entries/{entry}"));
    let html = page
        .get(&page_path)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("نمره داوران دیگر پس از فرستادن"), "{html}");
    assert!(!others(&html).contains("<li>"), "{html}");
    let csrf = crate::helpers::csrf_of(&html);
    let form_key = html
        .split("name=\"form_key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let response = page
        .post(app.url(&format!("/awards/entries/{entry}/submission")))
        .form(&[("csrf", csrf.as_str()), ("form_key", form_key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let html = page
        .get(&page_path)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("نمره‌ها فرستاده شد."),
        "the flash after the action"
    );
    assert!(others(&html).contains("<li>۸۰"), "{html}");
    assert!(
        !html.contains("داور 1"),
        "no judge's name before the round closes"
    );
    let (_, view) = app.get(&path, Some(&judges[0])).await;
    assert_eq!(view["judging"]["others_visibility"], "anonymous");
    assert_eq!(view["judging"]["others_marks"], json!([80.0]));
    assert_eq!(view["judging"]["other_judges"], json!([]));
    // A mark after submitting is refused, naming the field and the rule.
    let (status, problem) = app
        .post(&format!("{path}/marks"), Some(&judges[0]), &marks(10))
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "marks", "{problem}");
    assert_eq!(
        problem["errors"][0]["rule"], "already_submitted",
        "{problem}"
    );
    // Others than the entry's judges and its province's readers find nothing.
    let coop = app.token("coop", "demo").await;
    let (status, _) = app.get(&path, Some(&coop)).await;
    assert_eq!(status, 404);
    let (status, _) = app.get(&path, None).await;
    assert_eq!(status, 401);
    // Results are public once published, not before; a code that was never issued is
    // not found, a malformed one refused.
    let (status, _) = app
        .get(
            "/api/v1/awards/festivals/1404/rounds/provincial/results",
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get("/api/v1/awards/certificates/00000-00000", None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_judge_sees_no_other_mark_before_submitting_through_the_api_on_sqlite() {
    check_blind_judging(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn a_judge_sees_no_other_mark_before_submitting_through_the_api_on_postgres() {
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_blind_judging(app).await;
}

/// The server with a certificates' key (publishing refuses to issue codes without one).
async fn spawn_with_certificate_key(engine: Engine) -> Option<TestApp> {
    let mut config = taavon_testkit::test_config();
    config.awards.certificate_secret = b"a test key of the certificates".to_vec();
    taavon_testkit::spawn_app_with(engine, config).await
}

/// A round judged, closed and published: the winner's certificate is a PDF anyone with
/// its code may fetch, whose text reads back the cooperative's Persian name in logical
/// order; a code never issued is a styled Persian 404, a malformed one a 422.
async fn check_certificate_pdf(app: TestApp) {
    let (admin, entries, judges) = festival_in_judging(&app).await;
    for (entry, mark) in entries.iter().zip([90, 40]) {
        let path = format!("/api/v1/awards/entries/{entry}");
        for judge in &judges {
            let (status, body) = app
                .post(&format!("{path}/marks"), Some(judge), &marks(mark))
                .await;
            assert_eq!(status, 200, "{body}");
            let (status, body) = app
                .post(&format!("{path}/submission"), Some(judge), &json!({}))
                .await;
            assert_eq!(status, 200, "{body}");
        }
    }
    set_day(&app, "1404-06-01").await;
    for action in ["close", "publish"] {
        let (status, moved) = app
            .post(
                "/api/v1/awards/festivals/1404/rounds/provincial/moves",
                Some(&admin),
                &json!({"action": action}),
            )
            .await;
        assert_eq!(status, 200, "{action}: {moved}");
    }
    let (status, view) = app
        .get(
            &format!("/api/v1/awards/entries/{}", entries[0]),
            Some(&admin),
        )
        .await;
    assert_eq!(status, 200, "{view}");
    let code = view["certificate_codes"][0]
        .as_str()
        .unwrap_or_else(|| panic!("the winner has a certificate: {view}"))
        .to_owned();
    let name = view["entry"]["cooperative_name"]
        .as_str()
        .unwrap()
        .to_owned();

    let anonymous = reqwest::Client::new();
    let response = anonymous
        .get(app.url(&format!("/awards/certificates/{code}/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(
        response.headers().get("set-cookie").is_none(),
        "no session for an anonymous visitor"
    );
    let pdf = response.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = taavon_testkit::pdf_text(&pdf) {
        assert!(text.contains(&name), "{name} in {text}");
        assert!(text.contains("گواهی برگزیدگی"), "{text}");
        assert!(
            text.contains("۱۴۰۴"),
            "the festival's year in Persian digits: {text}"
        );
        assert!(text.contains(&code), "the verification code: {text}");
    }

    let missing = anonymous
        .get(app.url("/awards/certificates/00000-00000/pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let html = missing.text().await.unwrap();
    assert!(
        html.contains("گواهی با این کد رهگیری صادر نشده است."),
        "{html}"
    );
    let malformed = anonymous
        .get(app.url("/awards/certificates/not-a-code/pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 422);
}

#[tokio::test]
async fn a_winners_certificate_is_a_persian_pdf_fetched_by_its_code_on_sqlite() {
    check_certificate_pdf(spawn_with_certificate_key(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn a_winners_certificate_is_a_persian_pdf_fetched_by_its_code_on_postgres() {
    let Some(app) = spawn_with_certificate_key(Engine::Postgres).await else {
        return;
    };
    check_certificate_pdf(app).await;
}
