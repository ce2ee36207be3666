//! Jobs through the API on SQLite and PostgreSQL: the workshop code is a regulator's, a
//! list is streamed as CSV under an Idempotency-Key (the same bytes answer the first
//! upload, other bytes are refused, a bad file names its rows and stores nothing), the
//! borrower reports and amends hires whose statuses follow the lists, national codes are
//! masked for a bank, rows of the lists only for their readers, and fraud signals stay
//! in their province.

use serde_json::{Value, json};
use taavon_core::calendar::{IsoDate, JalaliDate, JalaliMonth};
use taavon_testkit::{Engine, TestApp, spawn_app};

pub const WORKSHOP: &str = "1000000016";
pub const CSV: &str = "text/csv";

pub fn person(n: u32) -> String {
    taavon_core::ids::NationalCode::with_check_digit(&format!("{n:09}"))
        .unwrap()
        .as_str()
        .to_owned()
}

/// A list's CSV with Persian headers.
pub fn list(rows: &[(&str, JalaliMonth, u8)]) -> String {
    let mut text = String::from("کد کارگاه,کد ملی,جنسیت,ماه,روز\n");
    for (code, month, days) in rows {
        text.push_str(&format!("{WORKSHOP},{code},F,{month},{days}\n"));
    }
    text
}

pub async fn upload(
    app: &TestApp,
    token: &str,
    key: Option<&str>,
    media_type: &str,
    body: &str,
) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url("/api/v1/impact/insured-lists"))
        .bearer_auth(token)
        .header("Content-Type", media_type)
        .body(body.to_owned());
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: &Value,
) -> (u16, Value) {
    let response = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The representative's disbursed loan, its cooperative and its first disbursement's
/// month.
pub async fn disbursed_loan_of(app: &TestApp, coop: &str) -> (i64, i64, JalaliMonth) {
    let (status, loans) = app.get("/api/v1/loans?status=active", Some(coop)).await;
    assert_eq!(status, 200, "{loans}");
    for loan in loans["items"].as_array().unwrap() {
        let (_, oldest) = app
            .get(
                &format!("/api/v1/loans/{}/transactions?limit=500", loan["id"]),
                Some(coop),
            )
            .await;
        let first = oldest["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["kind"] == "disbursement");
        if let Some(first) = first {
            let day = IsoDate::parse(first["business_on"].as_str().unwrap()).unwrap();
            return (
                loan["id"].as_i64().unwrap(),
                loan["cooperative_id"].as_i64().unwrap(),
                JalaliMonth::of(JalaliDate::from(day)),
            );
        }
    }
    panic!("the demo's representative has no disbursed loan: {loans}");
}

fn statuses(jobs: &Value) -> Vec<(String, String)> {
    jobs["hires"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["national_code"].as_str().unwrap().to_owned(),
                h["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn jobs_through_the_api(app: TestApp) {
    let [ilam, lorestan, bank, sso, coop] = [
        app.token("ilam", "demo").await,
        app.token("lorestan", "demo").await,
        app.token("bank", "demo").await,
        app.token("sso", "demo").await,
        app.token("coop", "demo").await,
    ];
    let (loan_id, cooperative_id, disbursed) = disbursed_loan_of(&app, &coop).await;
    let put = reqwest::Method::PUT;

    // The workshop code is regulatory: the province's officer sets it, the representative
    // may not, another province's officer does not see the cooperative.
    let code = json!({"workshop_code": WORKSHOP});
    let workshop_path = format!("/api/v1/cooperatives/{cooperative_id}/workshop-code");
    assert_eq!(
        send(&app, put.clone(), &workshop_path, &coop, &code)
            .await
            .0,
        403
    );
    assert_eq!(
        send(&app, put.clone(), &workshop_path, &lorestan, &code)
            .await
            .0,
        404
    );
    let (status, bad) = send(
        &app,
        put.clone(),
        &workshop_path,
        &ilam,
        &json!({"workshop_code": "12"}),
    )
    .await;
    assert_eq!(
        (status, bad["errors"][0]["field"].as_str()),
        (422, Some("workshop_code"))
    );
    assert_eq!(
        send(&app, put.clone(), &workshop_path, &ilam, &code).await,
        (200, code.clone())
    );

    // The representative reports three people; nobody is on a list yet.
    let (woman, veteran, absent) = (person(11), person(12), person(13));
    let hires_path = format!("/api/v1/loans/{loan_id}/hires");
    let (status, jobs) = app
        .post(
            &hires_path,
            Some(&coop),
            &json!({"national_codes": [woman, veteran, absent]}),
        )
        .await;
    assert_eq!(status, 201, "{jobs}");
    assert_eq!(
        (jobs["reported"].as_u64(), jobs["verified"].as_u64()),
        (Some(3), Some(0))
    );
    assert_eq!(jobs["workshop_code"], WORKSHOP);
    assert!(
        statuses(&jobs).iter().all(|(_, s)| s == "not_insured"),
        "{jobs}"
    );
    assert_eq!(
        app.post(
            &hires_path,
            Some(&bank),
            &json!({"national_codes": [woman]})
        )
        .await
        .0,
        403,
        "a bank does not report its borrower's hires"
    );

    // A bad list stores nothing and names its rows; only the SSO's officer uploads; only
    // CSV or XLSX is read.
    let month = |n: i32| disbursed.add_months(n);
    let bad_list = format!(
        "{}{WORKSHOP},0000000001,F,{},30\n{WORKSHOP},{woman},X,1403-13,40\n",
        list(&[(&woman, month(1), 30)]),
        month(2)
    );
    let (status, problem) = upload(&app, &sso, None, CSV, &bad_list).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        (status, fields),
        (
            422,
            vec![
                "rows[3].national_code",
                "rows[4].gender",
                "rows[4].month",
                "rows[4].days"
            ]
        ),
        "{problem}"
    );
    assert!(
        problem["errors"][0]["message_fa"]
            .as_str()
            .unwrap()
            .contains("کد ملی")
    );
    let good = list(&[
        (&woman, month(1), 30),
        (&woman, month(2), 30),
        (&woman, month(3), 20),
        (&veteran, month(-1), 30),
        (&veteran, month(1), 30),
    ]);
    assert_eq!(upload(&app, &ilam, None, CSV, &good).await.0, 403);
    assert_eq!(
        upload(&app, &sso, None, "application/json", &good).await.0,
        415
    );

    // The upload, its replay, and the key reused with other bytes.
    // The demo's own list is there already; the counts below are on top of it.
    let (_, demo_lists) = app.get("/api/v1/impact/insured-lists", Some(&sso)).await;
    let demo_rows = demo_lists["rows"].as_i64().unwrap();
    let (status, first) = upload(&app, &sso, Some("list-1"), CSV, &good).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (first["rows"].as_i64(), first["workshops"].as_i64()),
        (Some(5), Some(1))
    );
    assert_eq!(first["first_month"], month(-1).to_string());
    assert_eq!(
        upload(&app, &sso, Some("list-1"), CSV, &good).await,
        (201, first.clone())
    );
    let (status, reused) = upload(&app, &sso, Some("list-1"), CSV, &list(&[])).await;
    assert_eq!(
        (status, reused["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );

    // The statuses follow the list; the province's officer sees the people, a bank sees
    // them masked.
    let (status, jobs) = app.get(&hires_path, Some(&ilam)).await;
    assert_eq!(status, 200, "{jobs}");
    let mut seen = statuses(&jobs);
    seen.sort();
    let mut expected = vec![
        (woman.clone(), "verified".to_owned()),
        (veteran.clone(), "insured_before".to_owned()),
        (absent.clone(), "not_insured".to_owned()),
    ];
    expected.sort();
    assert_eq!(seen, expected);
    assert_eq!(
        (jobs["verified"].as_u64(), jobs["verified_women"].as_u64()),
        (Some(1), Some(1))
    );
    let (_, masked) = app.get(&hires_path, Some(&bank)).await;
    assert_eq!(masked["national_codes_masked"], true);
    assert!(
        statuses(&masked)
            .iter()
            .all(|(code, _)| code.starts_with("******") && !expected.iter().any(|(c, _)| c == code)),
        "{masked}"
    );
    assert_eq!(app.get(&hires_path, Some(&lorestan)).await.0, 404);

    // An amendment leaves the veteran out.
    let (status, amended) = send(
        &app,
        put.clone(),
        &hires_path,
        &coop,
        &json!({"national_codes": [woman, absent]}),
    )
    .await;
    assert_eq!(status, 200, "{amended}");
    assert_eq!(amended["reported"].as_u64(), Some(2));
    assert_eq!(amended["reports"].as_array().unwrap().len(), 2);
    assert_eq!(amended["reports"][1]["amendment"], true, "{amended}");

    // Rows of the lists for their readers; counts for everyone else.
    let (_, for_sso) = app.get("/api/v1/impact/insured-lists", Some(&sso)).await;
    assert_eq!(
        (for_sso["view"].as_str(), for_sso["rows"].as_i64()),
        (Some("rows"), Some(demo_rows + 5))
    );
    assert_eq!(for_sso["uploads"][0]["id"], first["id"]);
    let (_, for_bank) = app.get("/api/v1/impact/insured-lists", Some(&bank)).await;
    assert_eq!(
        (for_bank["view"].as_str(), for_bank["rows"].as_i64()),
        (Some("counts"), Some(demo_rows + 5))
    );
    assert_eq!(for_bank["uploads"], json!([]));

    // Fraud signals: the province's officer alone.
    let (status, signals) = app
        .get("/api/v1/impact/fraud-signals?province=IR-16", Some(&ilam))
        .await;
    assert_eq!(status, 200, "{signals}");
    assert!(
        signals
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["loan_id"] != loan_id || s["national_code"] != veteran)
    );
    for (who, expected) in [(&lorestan, 404), (&bank, 403), (&sso, 403)] {
        assert_eq!(
            app.get("/api/v1/impact/fraud-signals?province=IR-16", Some(who))
                .await
                .0,
            expected
        );
    }
    assert_eq!(app.store.verify_audit().await.unwrap().first_broken, None);
}

#[tokio::test]
async fn jobs_are_reported_verified_and_scoped_through_the_api_on_sqlite() {
    // Establishes the impact API end to end on SQLite.
    jobs_through_the_api(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn jobs_are_reported_verified_and_scoped_through_the_api_on_postgres() {
    // Establishes the impact API end to end on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    jobs_through_the_api(app).await;
}

/// The figures through the API: Jalali periods, totals that are the rows' sums, each
/// reader's scope, a wrong parameter named; and the page with its selects and export.
async fn figures_through_the_api(app: TestApp) {
    let [admin, ilam, refah, sso] = [
        app.token("admin", "demo").await,
        app.token("ilam", "demo").await,
        app.token("refah", "demo").await,
        app.token("sso", "demo").await,
    ];
    let (status, all) = app
        .get(
            "/api/v1/impact/figures?by=province&period=season",
            Some(&admin),
        )
        .await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(
        (all["by"].as_str(), all["period"].as_str()),
        (Some("province"), Some("season"))
    );
    let rows = all["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let period = row["period"].as_str().unwrap();
        assert!(
            period.len() == 7 && period.get(4..6) == Some("-S") && period.starts_with("14"),
            "a Jalali season: {period}"
        );
    }
    for figure in [
        "loans",
        "disbursed_rial",
        "planned",
        "reported",
        "verified",
        "verified_women",
    ] {
        let sum: i64 = rows.iter().map(|r| r[figure].as_i64().unwrap()).sum();
        assert_eq!(all["totals"][figure].as_i64(), Some(sum), "{figure}");
    }
    let totals = &all["totals"];
    assert!(totals["verified"].as_i64().unwrap() > 0, "{totals}");
    assert_eq!(
        totals["cost_per_verified_job_rial"].as_i64(),
        Some(totals["disbursed_rial"].as_i64().unwrap() / totals["verified"].as_i64().unwrap())
    );

    let (_, own) = app
        .get("/api/v1/impact/figures?by=county&period=month", Some(&ilam))
        .await;
    assert!(
        own["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["group"].as_str().unwrap().starts_with("16")),
        "Ilam's counties alone: {own}"
    );
    let (_, banked) = app
        .get("/api/v1/impact/figures?by=bank", Some(&refah))
        .await;
    assert!(
        banked["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["group"] == "013")
    );
    assert!(banked["totals"]["loans"].as_i64() < totals["loans"].as_i64());
    let (status, none) = app.get("/api/v1/impact/figures", Some(&sso)).await;
    assert_eq!(
        (status, none["rows"].as_array().map(Vec::len)),
        (200, Some(0))
    );

    let (status, problem) = app
        .get(
            "/api/v1/impact/figures?by=city&period=year&from=1403/13/01",
            Some(&admin),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["by", "from"]);
    assert_eq!(app.get("/api/v1/impact/figures", None).await.0, 401);

    // The page: Persian names of the groups, the selects kept, and the file.
    let browser = crate::helpers::ui_client(&app, "admin").await;
    let fetch = |path: &'static str| {
        let (browser, url) = (browser.clone(), app.url(path));
        async move {
            let response = browser.get(url).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            response.text().await.unwrap()
        }
    };
    let page = fetch("/impact?by=bank&period=season").await;
    assert!(page.contains("<h1>آمار اشتغال</h1>"), "{page}");
    assert!(page.contains("<option value=\"bank\" selected>"));
    assert!(page.contains("بانک توسعه تعاون"));
    assert!(page.contains("اشتغال تأییدشده"));
    let file = fetch("/impact?by=province&format=csv").await;
    assert!(file.contains("اشتغال تأییدشده (نفر)"), "{file}");
}

#[tokio::test]
async fn figures_are_summed_scoped_and_named_through_the_api_on_sqlite() {
    // Establishes the figures' API and page on SQLite.
    figures_through_the_api(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn figures_are_summed_scoped_and_named_through_the_api_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    figures_through_the_api(app).await;
}
