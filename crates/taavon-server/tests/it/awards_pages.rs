//! The festival's pages over the demo's festival in progress, on SQLite and PostgreSQL:
//! each role sees its scope exactly as the API gives it (a representative its own entry,
//! a provincial officer its province, a judge no other judge's name or mark before
//! submitting), the public results and the certificate check need no login and start no
//! session, and the ministry's forms — a new festival, a round moved on — and the
//! representative's entry answer with their messages, refusals with their reasons.

use serde_json::Value;
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_testkit::{Engine, TestApp, spawn_app, tamper};

use crate::forms::Browser;

/// The demo festival's year (the business date's Jalali year).
async fn demo_year(app: &TestApp) -> i32 {
    let mut read = app.store.read().await.unwrap();
    let today = read.business_date().await.unwrap().unwrap();
    read.finish().await.unwrap();
    JalaliDate::from(IsoDate::parse(&today).unwrap()).year()
}

/// The demo festival's entries as the admin reads them through the API.
async fn api_entries(app: &TestApp, year: i32) -> Vec<Value> {
    let admin = app.token("admin", "demo").await;
    let (status, entries) = app
        .get(
            &format!("/api/v1/awards/festivals/{year}/entries"),
            Some(&admin),
        )
        .await;
    assert_eq!(status, 200, "{entries}");
    entries.as_array().unwrap().clone()
}

async fn check_each_role_sees_its_scope(app: TestApp) {
    let year = demo_year(&app).await;
    let entries = api_entries(&app, year).await;
    assert!(entries.len() >= 8, "the demo's entries: {entries:?}");
    let province_of = |entry: &Value| entry["province"].as_str().unwrap().to_owned();
    let admin = Browser::of(&app, "admin").await;
    let (status, html) = admin.page("/awards").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&format!("href=\"/awards/festivals/{year}\"")));
    let (status, html) = admin.page(&format!("/awards/festivals/{year}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("نتایج منتشر شده"),
        "the provincial round: {html}"
    );
    assert!(
        html.contains("data-confirm") && html.contains("بستن داوری و رتبه‌بندی"),
        "the national round's next move, asked first"
    );
    let (status, html) = admin.page(&format!("/awards/entries?year={year}")).await;
    assert_eq!(status, 200);
    for entry in &entries {
        assert!(html.contains(&format!("href=\"/awards/entries/{}\"", entry["id"])));
    }
    assert!(html.contains("۳ از ۳"), "the judging's progress: {html}");
    let (status, html) = admin.page(&format!("/awards/panel?year={year}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("هیئت داوران ملی") && html.contains("داور ملی دوم"));
    let (status, csv) = admin
        .page(&format!("/awards/entries?year={year}&format=csv"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(csv.lines().count(), entries.len() + 1, "{csv}");

    // The representative: its own entry only, on the list and by its address.
    let coop = Browser::of(&app, "coop").await;
    let (status, html) = coop.page(&format!("/awards/entries?year={year}")).await;
    assert_eq!(status, 200);
    let own: Vec<&Value> = entries.iter().filter(|e| e["route"] == "entered").collect();
    assert_eq!(own.len(), 1, "{entries:?}");
    for entry in &entries {
        let linked = html.contains(&format!("href=\"/awards/entries/{}\"", entry["id"]));
        assert_eq!(linked, entry["id"] == own[0]["id"], "{html}");
        let (status, _) = coop.page(&format!("/awards/entries/{}", entry["id"])).await;
        assert_eq!(
            status,
            if entry["id"] == own[0]["id"] {
                200
            } else {
                404
            }
        );
    }
    let (_, html) = coop
        .page(&format!("/awards/entries/{}", own[0]["id"]))
        .await;
    assert!(
        html.contains("id=\"prescore\"") && html.contains("وزن"),
        "{html}"
    );
    assert!(!html.contains("id=\"others\""), "no judges' marks: {html}");
    assert!(
        !html.contains("داور ملی") && !html.contains("داور استان"),
        "no judge's name: {html}"
    );
    let (status, _) = coop.page(&format!("/awards/panel?year={year}")).await;
    assert_eq!(status, 403, "the panel is the ministry's");

    // The provincial officer: its province's entries and ranking only.
    let ilam = Browser::of(&app, "ilam").await;
    let (_, html) = ilam.page(&format!("/awards/entries?year={year}")).await;
    let (_, ranking) = ilam.page(&format!("/awards/ranking?year={year}")).await;
    for entry in &entries {
        let link = format!("href=\"/awards/entries/{}\"", entry["id"]);
        let ilams = province_of(entry) == "IR-16";
        assert_eq!(html.contains(&link), ilams, "{html}");
        if !ilams {
            assert!(!ranking.contains(&link), "{ranking}");
        }
    }
    assert!(ranking.contains("برگزیده"), "{ranking}");

    // The judge: its own entries, no name and no mark of another before submitting.
    let judge = Browser::of(&app, "judge").await;
    let (status, html) = judge.page("/awards/my-entries").await;
    assert_eq!(status, 200, "{html}");
    let mine: Vec<&Value> = entries
        .iter()
        .filter(|e| html.contains(&format!("href=\"/awards/entries/{}\"", e["id"])))
        .collect();
    assert!(mine.len() >= 2, "{html}");
    let mut hidden = 0;
    for entry in mine {
        let (status, page) = judge
            .page(&format!("/awards/entries/{}", entry["id"]))
            .await;
        assert_eq!(status, 200);
        let others = page.split("id=\"others\"").nth(1).unwrap_or("").to_owned();
        assert!(!page.contains("داور ملی دوم"), "no judge's name: {page}");
        if page.contains("نمره داوران دیگر پس از فرستادن") {
            hidden += 1;
            assert!(!others.contains("<li>"), "{page}");
        }
    }
    assert!(hidden >= 1, "an entry the judge has not submitted");
    let (status, _) = judge.page(&format!("/awards/entries?year={year}")).await;
    assert_eq!(status, 200, "a judge's list is its own entries");
}

async fn check_public_pages(app: TestApp) {
    let year = demo_year(&app).await;
    let entries = api_entries(&app, year).await;
    let admin = app.token("admin", "demo").await;
    let mut code = None;
    for entry in &entries {
        let (_, view) = app
            .get(
                &format!("/api/v1/awards/entries/{}", entry["id"]),
                Some(&admin),
            )
            .await;
        if let Some(found) = view["certificate_codes"][0].as_str() {
            code = Some(found.to_owned());
        }
    }
    let code = code.expect("a winner's certificate in the demo");
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: String| {
        let request = anonymous.get(app.url(&path));
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            assert!(
                response.headers().get("set-cookie").is_none(),
                "{path} starts no session"
            );
            (status, response.text().await.unwrap())
        }
    };
    let (status, html) = get(format!("/awards/results?year={year}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("برگزیده"), "{html}");
    assert!(!html.contains("/awards/entries/"), "no link to an entry");
    let (status, html) = get("/awards/results".into()).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("برگزیده"),
        "the newest published results by default"
    );
    let (status, html) = get(format!("/awards/certificates?code={code}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("این گواهی معتبر است."), "{html}");
    let (status, html) = get("/awards/certificates?code=22222-22222".into()).await;
    assert_eq!(status, 200);
    assert!(html.contains("این گواهی معتبر نیست"), "{html}");
    let (status, html) = get("/awards/certificates?code=x".into()).await;
    assert_eq!(status, 422);
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    let (status, _) = get(format!("/awards/festivals/{year}")).await;
    assert_eq!(status, 303, "the festival's own page asks to log in");
}

async fn check_the_forms(app: TestApp) {
    let year = demo_year(&app).await;
    let admin = Browser::of(&app, "admin").await;
    let (status, form) = admin.page("/awards/festivals/new").await;
    assert_eq!(status, 200, "{form}");
    assert!(
        form.contains("data-jalali"),
        "the Jalali picker on the windows"
    );
    // This year's festival is the demo's: refused, naming the year, as typed.
    let days = |y: i32| {
        [
            ("entry_opens", format!("{y}/02/01")),
            ("entry_closes", format!("{y}/03/31")),
            ("judging_opens", format!("{y}/04/01")),
            ("judging_closes", format!("{y}/05/31")),
        ]
    };
    let mut fields: Vec<(String, String)> = vec![
        ("year".into(), year.to_string()),
        ("judges_per_entry".into(), "3".into()),
        ("load_max".into(), "20".into()),
        ("registry_fresh_months".into(), "12".into()),
        ("registered_months_min".into(), "12".into()),
        ("women_led.on".into(), "1".into()),
        ("women_led.provincial".into(), "۲".into()),
        ("women_led.national".into(), "3".into()),
    ];
    for criterion in [
        "economic_performance",
        "jobs_and_inclusion",
        "governance",
        "innovation",
    ] {
        fields.push((format!("weight.{criterion}"), "25".into()));
    }
    let with_days = |y: i32| -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if k == "year" {
                        y.to_string()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect();
        all.extend(days(y).map(|(k, v)| (k.to_owned(), v)));
        all
    };
    let taken = with_days(year);
    let taken: Vec<(&str, &str)> = taken
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let answer = admin.send(&form, "/awards/festivals", &taken).await;
    assert_eq!(answer.status, 422, "{}", answer.page);
    assert!(answer.page.contains("جشنواره این سال پیش‌تر تعریف شده است."));
    let next = with_days(year + 1);
    let next: Vec<(&str, &str)> = next.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let created = admin.send_twice(&form, "/awards/festivals", &next).await;
    assert_eq!(created.location, format!("/awards/festivals/{}", year + 1));
    assert!(created.page.contains("جشنواره ثبت شد."), "{}", created.page);
    assert!(created.page.contains("تعاونی‌های زنان"), "its one category");

    // The national round of the demo's festival closed through its form.
    let (_, page) = admin.page(&format!("/awards/festivals/{year}")).await;
    let moved = admin
        .send_twice(
            &page,
            &format!("/awards/festivals/{year}/moves"),
            &[("round", "national"), ("action", "close")],
        )
        .await;
    assert!(
        moved.page.contains("وضعیت دور جشنواره تغییر کرد."),
        "{}",
        moved.page
    );
    let (_, view) = app
        .get(
            &format!("/api/v1/awards/festivals/{year}"),
            Some(&app.token("admin", "demo").await),
        )
        .await;
    assert_eq!(view["national_round"], "closed", "{view}");

    // The representative enters next year's festival on a day of its entry window: its
    // eligibility is on the form before, its reasons on the entry after.
    let day = JalaliDate::parse(&format!("{}-02-15", year + 1)).unwrap();
    tamper(
        &app.database_url,
        &format!("UPDATE business_date SET open_on = '{}'", day.to_iso()),
    )
    .await;
    let coop = Browser::of(&app, "coop").await;
    let (status, page) = coop.page(&format!("/awards/festivals/{}", year + 1)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"eligibility\""), "{page}");
    let action = format!("/awards/festivals/{}/entries", year + 1);
    let refused = coop.send(&page, &action, &[("category", "nothing")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.page.contains("این رشته در جشنواره نیست."));
    let entered = coop
        .send(&page, &action, &[("category", "women_led")])
        .await;
    assert_eq!(entered.status, 303, "{}", entered.page);
    assert!(entered.location.starts_with("/awards/entries/"));
    assert!(
        entered.page.contains("پرونده جشنواره ثبت شد."),
        "{}",
        entered.page
    );
    assert!(entered.page.contains("شرایط شرکت"), "{}", entered.page);
}

#[tokio::test]
async fn each_role_sees_its_scope_of_the_festival_on_sqlite() {
    check_each_role_sees_its_scope(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn each_role_sees_its_scope_of_the_festival_on_postgres() {
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_each_role_sees_its_scope(app).await;
}

#[tokio::test]
async fn the_public_results_and_certificate_check_need_no_session_on_sqlite() {
    check_public_pages(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn the_public_results_and_certificate_check_need_no_session_on_postgres() {
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_public_pages(app).await;
}

#[tokio::test]
async fn the_festival_forms_answer_with_their_messages_on_sqlite() {
    check_the_forms(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn the_festival_forms_answer_with_their_messages_on_postgres() {
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_the_forms(app).await;
}
