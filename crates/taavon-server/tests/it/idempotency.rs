//! `Idempotency-Key` on every write of the API, on SQLite and PostgreSQL: every POST,
//! PATCH and PUT the OpenAPI document lists (but login and logout) declares the header,
//! reads it through the one extractor, answers a replay with the first result and
//! changes nothing, and refuses the same key with another body (422
//! `idempotency_key_reused`). The walk is over the document, so a new write route
//! without an example here fails the test; and concurrent identical repayments with one
//! key all get the first result, with one transaction stored.

use serde_json::{Value, json};
use taavon_testkit::{Engine, TestApp, spawn_app};

use crate::loans::{due_profit, loan_behind};

const WRITE_METHODS: [&str; 3] = ["post", "patch", "put"];

/// `method path` of every write operation the OpenAPI document lists, and whether it
/// declares the `Idempotency-Key` header.
async fn write_operations(app: &TestApp) -> Vec<(String, String, bool)> {
    let (_, document) = app.get("/api/openapi.json", None).await;
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in WRITE_METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let declared = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header");
            found.push((method.to_owned(), path.clone(), declared));
        }
    }
    found
}

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    key: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn newest_audit_seq(app: &TestApp) -> i64 {
    let mut read = app.store.read().await.unwrap();
    let newest = read.audit_records(1, None).await.unwrap();
    read.finish().await.unwrap();
    newest.first().map_or(0, |r| r.seq)
}

/// The walk over the keyed operations: each example is run here once as `a` (it must
/// succeed), again as `a` under the same key (the first answer, nothing written), and
/// as `b` under the same key (refused).
struct Walk<'a> {
    app: &'a TestApp,
    covered: Vec<String>,
}

impl Walk<'_> {
    async fn check(
        &mut self,
        token: &str,
        operation: (&str, &str),
        path: &str,
        a: Value,
        b: Value,
    ) -> Value {
        let (method, template) = operation;
        let key = format!("walk {method} {path}");
        let (status, first) = send(self.app, method, path, token, Some(&key), &a).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path} {a}: {status} {first}"
        );
        let written = newest_audit_seq(self.app).await;
        let (status_again, again) = send(self.app, method, path, token, Some(&key), &a).await;
        assert_eq!(
            (status_again, &again),
            (status, &first),
            "a replay of {method} {path} answers the first result"
        );
        assert_eq!(
            newest_audit_seq(self.app).await,
            written,
            "a replay of {method} {path} writes nothing"
        );
        let (status, refused) = send(self.app, method, path, token, Some(&key), &b).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (422, Some("idempotency_key_reused")),
            "{method} {path} with the same key and another body: {refused}"
        );
        self.covered.push(format!("{method} {template}"));
        first
    }
}

impl Walk<'_> {
    /// As `check`, for a write without a body (an approval): the same key on another
    /// path is the other request.
    async fn check_without_body(
        &mut self,
        token: &str,
        operation: (&str, &str),
        path: &str,
        other_path: &str,
    ) {
        let (method, template) = operation;
        let key = format!("walk {method} {path}");
        let (status, first) = send(self.app, method, path, token, Some(&key), &json!({})).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {first}"
        );
        let written = newest_audit_seq(self.app).await;
        let again = send(self.app, method, path, token, Some(&key), &json!({})).await;
        assert_eq!(again, (status, first), "a replay of {method} {path}");
        assert_eq!(newest_audit_seq(self.app).await, written);
        let (status, refused) =
            send(self.app, method, other_path, token, Some(&key), &json!({})).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (422, Some("idempotency_key_reused")),
            "{method} {other_path} with the key of {path}: {refused}"
        );
        self.covered.push(format!("{method} {template}"));
    }
}

fn national_code(n: u32) -> String {
    taavon_core::ids::NationalCode::with_check_digit(&format!("{n:09}"))
        .unwrap()
        .as_str()
        .to_owned()
}

fn person(n: u32, first_name: &str) -> Value {
    json!({"national_code": national_code(n), "first_name": first_name, "last_name": "کرمی",
           "gender": "female", "birth_year": 1370})
}

async fn check_every_write_route(app: TestApp) {
    let (admin, ilam, bank, bank2) = (
        app.token("admin", "demo").await,
        app.token("ilam", "demo").await,
        app.token("bank", "demo").await,
        app.token("bank2", "demo").await,
    );
    let mut walk = Walk {
        app: &app,
        covered: Vec::new(),
    };

    // The registry.
    let cooperative = json!({"name": "تعاونی گام‌به‌گام", "type": "production", "sector": "handicrafts",
                             "county": "1603", "founded_on": "۱۴۰۳/۰۲/۲۳", "women_led": true});
    let mut other = cooperative.clone();
    other["name"] = json!("تعاونی دیگر");
    let created = walk
        .check(
            &ilam,
            ("post", "/api/v1/cooperatives"),
            "/api/v1/cooperatives",
            cooperative,
            other,
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/cooperatives/{id}");
    walk.check(
        &ilam,
        ("patch", "/api/v1/cooperatives/{id}"),
        &path,
        json!({"version": 1, "phone": "08432221100"}),
        json!({"version": 1, "phone": "08432221101"}),
    )
    .await;
    walk.check(
        &ilam,
        ("post", "/api/v1/cooperatives/{id}/members"),
        &format!("{path}/members"),
        person(700_000_001, "زهرا"),
        person(700_000_001, "مریم"),
    )
    .await;
    let entry = |amount: i64| json!({"kind": "subscription", "national_code": national_code(700_000_001), "amount_rial": amount});
    walk.check(
        &ilam,
        ("post", "/api/v1/cooperatives/{id}/shares"),
        &format!("{path}/shares"),
        entry(3_000_000),
        entry(4_000_000),
    )
    .await;
    let client = |credential: &str| {
        let mut client = person(700_000_012, "پروین");
        client["kind"] = json!("artisan");
        client["county"] = json!("1607");
        client["credential"] = json!(credential);
        client
    };
    let client_created = walk
        .check(
            &ilam,
            ("post", "/api/v1/clients"),
            "/api/v1/clients",
            client("55555"),
            client("66666"),
        )
        .await;
    let formation = |name: &str| {
        let founders: Vec<Value> = (0..7)
            .map(|i| {
                let mut founder = person(710_000_000 + i * 11, "نرگس");
                founder["subscribed_rial"] = json!(3_000_000);
                founder["paid_rial"] = json!(1_000_000);
                founder
            })
            .collect();
        json!({"name": name, "type": "production", "sector": "textiles", "county": "1603",
               "women_led": true, "statute": "اساسنامه نمونه", "founders": founders})
    };
    let submitted = walk
        .check(
            &ilam,
            ("post", "/api/v1/formations"),
            "/api/v1/formations",
            formation("تعاونی خیاطی گام"),
            formation("تعاونی خیاطی دیگر"),
        )
        .await;
    let decision = format!("/api/v1/formations/{}/decision", submitted["id"]);
    walk.check(
        &ilam,
        ("post", "/api/v1/formations/{id}/decision"),
        &decision,
        json!({"decision": "approve"}),
        json!({"decision": "reject", "reason": "نه"}),
    )
    .await;

    // Programs.
    let (_, note18) = app.get("/api/v1/programs/note18", Some(&admin)).await;
    let program = |name_en: &str, version: Option<i64>| {
        json!({"code": "walk", "funding_source": note18["funding_source"], "name_fa": "برنامه گام",
               "name_en": name_en, "opens_on": note18["opens_on"], "closes_on": note18["closes_on"],
               "rules": note18["rules"], "version": version})
    };
    walk.check(
        &admin,
        ("post", "/api/v1/programs"),
        "/api/v1/programs",
        program("Walk", None),
        program("Walk twice", None),
    )
    .await;
    walk.check(
        &admin,
        ("put", "/api/v1/programs/{code}"),
        "/api/v1/programs/walk",
        program("Walk on", Some(1)),
        program("Walk off", Some(1)),
    )
    .await;
    let budgets = |amount: i64| json!({"method": "manual", "budgets": [{"province": "IR-16", "amount_rial": amount}]});
    walk.check(
        &admin,
        ("put", "/api/v1/programs/{code}/budgets"),
        "/api/v1/programs/walk/budgets",
        budgets(1_000_000_000),
        budgets(2_000_000_000),
    )
    .await;
    walk.check(
        &admin,
        ("post", "/api/v1/programs/{code}/rounds"),
        "/api/v1/programs/note18/rounds",
        json!({"record": true}),
        json!({"record": true, "what_ifs": [{"name": "x"}]}),
    )
    .await;

    // Applications.
    let application = |amount: i64| {
        json!({"program": "note18", "cooperative_id": 1, "amount": amount,
                                           "jobs": 10, "women_jobs": 4, "purpose": "خرید ماشین‌آلات"})
    };
    let created = walk
        .check(
            &admin,
            ("post", "/api/v1/applications"),
            "/api/v1/applications",
            application(900_000_000),
            application(800_000_000),
        )
        .await;
    // A draft revised by the side that drafted it (here the ministry).
    let (status, draft) = send(
        &app,
        "post",
        "/api/v1/applications",
        &admin,
        None,
        &application(700_000_000),
    )
    .await;
    assert_eq!(status, 201, "{draft}");
    let revision = |amount: i64| {
        json!({"version": 1, "program": "note18", "amount": amount, "jobs": 10,
               "women_jobs": 4, "purpose": "خرید ماشین‌آلات"})
    };
    walk.check(
        &admin,
        ("put", "/api/v1/applications/{id}"),
        &format!("/api/v1/applications/{}", draft["id"]),
        revision(750_000_000),
        revision(760_000_000),
    )
    .await;
    walk.check(
        &admin,
        ("post", "/api/v1/applications/{id}/transitions"),
        &format!("/api/v1/applications/{}/transitions", created["id"]),
        json!({"action": "submit", "reason": "کامل است"}),
        json!({"action": "withdraw"}),
    )
    .await;

    // Loans: a contract and a tranche; a repayment and a rescheduling of a loan behind; a
    // reversal and a settlement of two other active loans.
    let contract = walk
        .check(
            &bank,
            ("post", "/api/v1/loans"),
            "/api/v1/loans",
            json!({"application_id": 1}),
            json!({"application_id": 1, "method": "annuity"}),
        )
        .await;
    let contracted = contract["id"].as_i64().unwrap();
    walk.check(
        &bank,
        ("post", "/api/v1/loans/{id}/disbursements"),
        &format!("/api/v1/loans/{contracted}/disbursements"),
        json!({"amount": 1_000_000_000}),
        json!({"amount": 2_000_000_000}),
    )
    .await;
    let behind = loan_behind(&app, &bank).await;
    let behind_id = behind["id"].as_i64().unwrap();
    let penalty = behind["penalty_due"].as_i64().unwrap();
    let paid = walk
        .check(
            &bank,
            ("post", "/api/v1/loans/{id}/repayments"),
            &format!("/api/v1/loans/{behind_id}/repayments"),
            json!({"amount": penalty}),
            json!({"amount": penalty + 1}),
        )
        .await;
    let capitalise = due_profit(&app, &paid["loan"]).await;
    // The rescheduling is above the second-approval amount: it becomes a proposal, which
    // a second officer approves; another proposal of the same change is rejected.
    let proposed = walk
        .check(
            &bank,
            ("post", "/api/v1/loans/{id}/reschedule"),
            &format!("/api/v1/loans/{behind_id}/reschedule"),
            json!({"months": 24, "capitalise_rial": capitalise}),
            json!({"months": 36, "capitalise_rial": capitalise}),
        )
        .await;
    assert_eq!(proposed["status"], "pending", "{proposed}");
    let (status, second) = send(
        &app,
        "post",
        &format!("/api/v1/loans/{behind_id}/reschedule"),
        &bank,
        None,
        &json!({"months": 24, "capitalise_rial": capitalise}),
    )
    .await;
    assert_eq!(status, 202, "{second}");
    let proposal =
        |id: &Value, decision: &str| format!("/api/v1/loans/{behind_id}/proposals/{id}/{decision}");
    walk.check(
        &bank2,
        (
            "post",
            "/api/v1/loans/{id}/proposals/{proposal_id}/rejection",
        ),
        &proposal(&second["id"], "rejection"),
        json!({"reason": "همان پیشنهاد دوباره"}),
        json!({"reason": "دلیل دیگر"}),
    )
    .await;
    walk.check_without_body(
        &bank2,
        (
            "post",
            "/api/v1/loans/{id}/proposals/{proposal_id}/approval",
        ),
        &proposal(&proposed["id"], "approval"),
        &proposal(&second["id"], "approval"),
    )
    .await;
    let (_, active) = app.get("/api/v1/loans?status=active", Some(&bank)).await;
    let others: Vec<i64> = active["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["disbursed"] == l["principal"])
        .map(|l| l["id"].as_i64().unwrap())
        .filter(|id| *id != behind_id && *id != contracted)
        .collect();
    let (reversed, settled) = (others[0], others[1]);
    let (status, repaid) = send(
        &app,
        "post",
        &format!("/api/v1/loans/{reversed}/repayments"),
        &bank,
        None,
        &json!({"amount": 1_000}),
    )
    .await;
    assert_eq!(status, 201, "{repaid}");
    walk.check(
        &bank,
        (
            "post",
            "/api/v1/loans/{id}/transactions/{transaction_id}/reversal",
        ),
        &format!(
            "/api/v1/loans/{reversed}/transactions/{}/reversal",
            repaid["transaction_id"]
        ),
        json!({"reason": "ثبت اشتباه"}),
        json!({"reason": "دلیل دیگر"}),
    )
    .await;
    let (status, quote) = app
        .get(&format!("/api/v1/loans/{settled}/settlement"), Some(&bank))
        .await;
    assert_eq!(status, 200, "{quote}");
    walk.check(
        &bank,
        ("post", "/api/v1/loans/{id}/settlement"),
        &format!("/api/v1/loans/{settled}/settlement"),
        json!({"amount_rial": quote["total"]}),
        json!({"amount_rial": quote["total"], "note": "دیگر"}),
    )
    .await;

    // The working calendar.
    let holiday = |name: &str| json!({"day": "1404/03/16", "name": name});
    walk.check(
        &admin,
        ("post", "/api/v1/holidays"),
        "/api/v1/holidays",
        holiday("عید قربان"),
        holiday("عید"),
    )
    .await;

    // Support requests (issue 15): the ministry's routing, a representative's request,
    // the unit's and the requester's moves, the rating and an attachment.
    let rule = |code: &str| json!({"topic": "training", "province": "IR-16", "unit_kind": "agency", "unit_code": code});
    walk.check(
        &admin,
        ("put", "/api/v1/support-requests/routing-rules"),
        "/api/v1/support-requests/routing-rules",
        rule("tvto"),
        rule("behzisti"),
    )
    .await;
    let topic = |name: &str| json!({"code": "water", "name_fa": name, "name_en": "Water"});
    walk.check(
        &admin,
        ("put", "/api/v1/support-requests/topics"),
        "/api/v1/support-requests/topics",
        topic("آب"),
        topic("آب و انرژی"),
    )
    .await;
    let coop = app.token("coop", "demo").await;
    let request = |body: &str| json!({"cooperative_id": 1, "kind": "technical", "topic": "legal", "body": body});
    let filed = walk
        .check(
            &coop,
            ("post", "/api/v1/support-requests"),
            "/api/v1/support-requests",
            request("پرسشی درباره اساسنامه"),
            request("پرسشی دیگر"),
        )
        .await;
    let support = format!("/api/v1/support-requests/{}", filed["id"]);
    walk.check(
        &ilam,
        ("post", "/api/v1/support-requests/{id}/assignment"),
        &format!("{support}/assignment"),
        json!({}),
        json!({"assignee_user_id": 1}),
    )
    .await;
    walk.check(
        &ilam,
        ("post", "/api/v1/support-requests/{id}/messages"),
        &format!("{support}/messages"),
        json!({"body": "پاسخ کارشناس"}),
        json!({"body": "پاسخ دیگر"}),
    )
    .await;
    walk.check(
        &ilam,
        ("post", "/api/v1/support-requests/{id}/transitions"),
        &format!("{support}/transitions"),
        json!({"status": "answered"}),
        json!({"status": "waiting_for_requester"}),
    )
    .await;
    let (status, closed) = send(
        &app,
        "post",
        &format!("{support}/transitions"),
        &coop,
        None,
        &json!({"status": "closed"}),
    )
    .await;
    assert_eq!(status, 200, "{closed}");
    walk.check(
        &coop,
        ("post", "/api/v1/support-requests/{id}/rating"),
        &format!("{support}/rating"),
        json!({"satisfaction": 5}),
        json!({"satisfaction": 4}),
    )
    .await;
    let attach = |content: &'static [u8]| {
        app.client
            .post(app.url(&format!("{support}/attachments?file_name=letter.pdf")))
            .bearer_auth(&coop)
            .header("Idempotency-Key", "walk attachment")
            .header("Content-Type", "application/pdf")
            .body(content)
    };
    let first = attach(b"%PDF-1.7\n%%EOF\n").send().await.unwrap();
    assert_eq!(first.status().as_u16(), 201);
    let first: Value = first.json().await.unwrap();
    let written = newest_audit_seq(&app).await;
    let again: Value = attach(b"%PDF-1.7\n%%EOF\n")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again, first, "a replay of the attachment");
    assert_eq!(newest_audit_seq(&app).await, written);
    let other = attach(b"%PDF-1.4\n%%EOF\n").send().await.unwrap();
    assert_eq!(other.status().as_u16(), 422);
    walk.covered
        .push("post /api/v1/support-requests/{id}/attachments".to_owned());

    // The pooled funds and the users.
    let deposit = |amount: i64| json!({"agency": "sso", "bank": "022", "amount": amount, "reference": "walk"});
    walk.check(
        &admin,
        ("post", "/api/v1/funds/deposits"),
        "/api/v1/funds/deposits",
        deposit(1_000_000),
        deposit(2_000_000),
    )
    .await;
    let funding = |amount: i64| {
        json!({"program": "pooled", "province": "IR-16", "agency": "sso", "bank": "022",
                                       "amount": amount, "reference": "walk"})
    };
    walk.check(
        &admin,
        ("post", "/api/v1/funds/programs"),
        "/api/v1/funds/programs",
        funding(500_000),
        funding(600_000),
    )
    .await;
    let user = |display_name: &str| {
        json!({"username": "walker", "display_name": display_name,
                                           "password": "long enough password", "role": "auditor"})
    };
    walk.check(
        &admin,
        ("post", "/api/v1/users"),
        "/api/v1/users",
        user("Walker"),
        user("Walker Two"),
    )
    .await;

    // Jobs: workshop codes, a job report and its amendment, a list's upload (its body is
    // the file, so it is walked here by hand).
    walk.check(
        &ilam,
        ("put", "/api/v1/cooperatives/{id}/workshop-code"),
        &format!("/api/v1/cooperatives/{id}/workshop-code"),
        json!({"workshop_code": "1000000099"}),
        json!({"workshop_code": "1000000098"}),
    )
    .await;
    walk.check(
        &ilam,
        ("put", "/api/v1/clients/{id}/workshop-code"),
        &format!("/api/v1/clients/{}/workshop-code", client_created["id"]),
        json!({"workshop_code": "1000000097"}),
        json!({"workshop_code": null}),
    )
    .await;
    let coop = app.token("coop", "demo").await;
    let (loan_id, _, disbursed) = crate::impact::disbursed_loan_of(&app, &coop).await;
    let hires = format!("/api/v1/loans/{loan_id}/hires");
    let people = |n: u32| json!({"national_codes": [crate::impact::person(n)]});
    walk.check(
        &coop,
        ("post", "/api/v1/loans/{id}/hires"),
        &hires,
        people(800_000_001),
        people(800_000_002),
    )
    .await;
    walk.check(
        &coop,
        ("put", "/api/v1/loans/{id}/hires"),
        &hires,
        people(800_000_003),
        people(800_000_004),
    )
    .await;
    let sso = app.token("sso", "demo").await;
    let code = crate::impact::person(800_000_003);
    let list = |days: u8| crate::impact::list(&[(&code, disbursed.add_months(1), days)]);
    let (same, other) = (list(30), list(29));
    let key = Some("walk list");
    let (status, first) = crate::impact::upload(&app, &sso, key, crate::impact::CSV, &same).await;
    assert_eq!(status, 201, "{first}");
    let written = newest_audit_seq(&app).await;
    assert_eq!(
        crate::impact::upload(&app, &sso, key, crate::impact::CSV, &same).await,
        (201, first),
        "a replay of the upload"
    );
    assert_eq!(newest_audit_seq(&app).await, written);
    let (status, refused) =
        crate::impact::upload(&app, &sso, key, crate::impact::CSV, &other).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
    walk.covered
        .push("post /api/v1/impact/insured-lists".to_owned());

    // Services: one record, and an agency's file (its body is the file, walked by hand).
    let service = |reference: &str| {
        json!({"agency": "sso", "reference": reference, "kind": "insurance_enrolment",
               "county": "1603", "national_code": crate::impact::person(800_000_005),
               "delivered_on": "1403/08/01"})
    };
    walk.check(
        &sso,
        ("post", "/api/v1/services"),
        "/api/v1/services",
        service("WALK-1"),
        service("WALK-2"),
    )
    .await;
    let file = |reference: &str| {
        format!(
            "شماره مرجع,نوع خدمت,شهرستان,کد ملی,تاریخ ارائه\n{reference},insurance_enrolment,1603,{},1403/07/15\n",
            crate::impact::person(800_000_006)
        )
    };
    let (status, first) =
        crate::services::import(&app, &sso, "sso", "walk services", &file("WALK-3")).await;
    assert_eq!(status, 201, "{first}");
    let written = newest_audit_seq(&app).await;
    assert_eq!(
        crate::services::import(&app, &sso, "sso", "walk services", &file("WALK-3")).await,
        (201, first),
        "a replay of the services import"
    );
    assert_eq!(newest_audit_seq(&app).await, written);
    let (status, refused) =
        crate::services::import(&app, &sso, "sso", "walk services", &file("WALK-4")).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
    walk.covered
        .push("post /api/v1/services/imports".to_owned());

    // The festival of top cooperators, on days of its windows set behind the server.
    let day = |jalali: &str| {
        taavon_core::calendar::JalaliDate::parse(jalali)
            .unwrap()
            .to_iso()
            .to_string()
    };
    let set_day = |jalali: &str| format!("UPDATE business_date SET open_on = '{}'", day(jalali));
    taavon_testkit::tamper(&app.database_url, &set_day("1404-02-15")).await;
    let festival = |judging_closes: &str| {
        json!({"year": 1404, "entry_opens": "1404/02/01", "entry_closes": "1404/03/31",
               "judging_opens": "1404/04/01", "judging_closes": judging_closes})
    };
    walk.check(
        &admin,
        ("post", "/api/v1/awards/festivals"),
        "/api/v1/awards/festivals",
        festival("1404/05/31"),
        festival("1404/05/30"),
    )
    .await;
    let mut judges = Vec::new();
    for n in 0..3_u32 {
        let username = format!("walk_judge{n}");
        let (status, created) = app
            .post(
                "/api/v1/users",
                Some(&admin),
                &json!({"username": username, "display_name": username,
                        "password": "long enough password", "role": "judge",
                        "province": "IR-15", "festival_year": 1404}),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let appoint = |serial: u32| json!({"user_id": created["id"], "national_code": national_code(720_000_000 + serial)});
        if n == 0 {
            walk.check(
                &admin,
                ("post", "/api/v1/awards/festivals/{year}/judges"),
                "/api/v1/awards/festivals/1404/judges",
                appoint(n),
                appoint(n + 10),
            )
            .await;
        } else {
            let (status, appointed) = app
                .post(
                    "/api/v1/awards/festivals/1404/judges",
                    Some(&admin),
                    &appoint(n),
                )
                .await;
            assert_eq!(status, 201, "{appointed}");
        }
        judges.push(app.token(&username, "long enough password").await);
    }
    let lorestan = app.token("lorestan", "demo").await;
    let entry =
        |cooperative_id: i64| json!({"cooperative_id": cooperative_id, "category": "agriculture"});
    let entered = walk
        .check(
            &lorestan,
            ("post", "/api/v1/awards/festivals/{year}/entries"),
            "/api/v1/awards/festivals/1404/entries",
            entry(3),
            entry(4),
        )
        .await;
    let (status, second) = app
        .post(
            "/api/v1/awards/festivals/1404/entries",
            Some(&lorestan),
            &entry(4),
        )
        .await;
    assert_eq!(status, 201, "{second}");
    taavon_testkit::tamper(&app.database_url, &set_day("1404-04-02")).await;
    walk.check(
        &admin,
        (
            "post",
            "/api/v1/awards/festivals/{year}/rounds/{round}/moves",
        ),
        "/api/v1/awards/festivals/1404/rounds/provincial/moves",
        json!({"action": "start_judging"}),
        json!({"action": "close"}),
    )
    .await;
    let marks = |mark: u32| {
        json!({"marks": [{"criterion": "economic_performance", "mark": mark},
                         {"criterion": "jobs_and_inclusion", "mark": mark},
                         {"criterion": "governance", "mark": mark},
                         {"criterion": "innovation", "mark": mark}]})
    };
    let entry_path = format!("/api/v1/awards/entries/{}", entered["entry"]["id"]);
    walk.check(
        &judges[0],
        ("post", "/api/v1/awards/entries/{id}/marks"),
        &format!("{entry_path}/marks"),
        marks(60),
        marks(70),
    )
    .await;
    walk.check_without_body(
        &judges[0],
        ("post", "/api/v1/awards/entries/{id}/submission"),
        &format!("{entry_path}/submission"),
        &format!(
            "/api/v1/awards/entries/{}/submission",
            second["entry"]["id"]
        ),
    )
    .await;

    // Webhook subscriptions (the tests allow private addresses; nothing listens on port 9,
    // so the deliveries fail and stay in the log to replay).
    let subscription = |url: &str| json!({"url": url, "event_types": ["fund.deposited"]});
    let made = walk
        .check(
            &admin,
            ("post", "/api/v1/webhook-subscriptions"),
            "/api/v1/webhook-subscriptions",
            subscription("http://127.0.0.1:9/walk"),
            subscription("http://127.0.0.1:9/other"),
        )
        .await;
    assert!(
        made["secret"].as_str().unwrap().starts_with("whsec_"),
        "{made}"
    );
    let (status, other) = app
        .post(
            "/api/v1/webhook-subscriptions",
            Some(&admin),
            &subscription("http://127.0.0.1:9/other"),
        )
        .await;
    assert_eq!(status, 201, "{other}");
    let hook = format!("/api/v1/webhook-subscriptions/{}", made["id"]);
    walk.check_without_body(
        &admin,
        ("post", "/api/v1/webhook-subscriptions/{id}/secret"),
        &format!("{hook}/secret"),
        &format!("/api/v1/webhook-subscriptions/{}/secret", other["id"]),
    )
    .await;
    let (status, _) = app
        .post(
            "/api/v1/funds/deposits",
            Some(&admin),
            &json!({"agency": "sso", "bank": "022", "amount": 5, "reference": "walk-hook"}),
        )
        .await;
    assert_eq!(status, 204);
    let delivery = crate::events::first_delivery(&app, &admin, &hook).await;
    walk.check_without_body(
        &admin,
        (
            "post",
            "/api/v1/webhook-subscriptions/{id}/deliveries/{delivery_id}/replay",
        ),
        &format!("{hook}/deliveries/{delivery}/replay"),
        &format!("{hook}/deliveries/{}/replay", delivery + 1_000_000),
    )
    .await;

    // The walk covered exactly the keyed operations of the document.
    let mut keyed: Vec<String> = write_operations(&app)
        .await
        .into_iter()
        .filter(|(_, path, _)| !taavon_server::UNKEYED_ROUTES.contains(&path.as_str()))
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect();
    keyed.sort();
    walk.covered.sort();
    assert_eq!(
        walk.covered, keyed,
        "every keyed write operation needs an example in this walk"
    );
    assert_eq!(app.store.verify_audit().await.unwrap().first_broken, None);
}

#[tokio::test]
async fn every_write_route_replays_the_first_result_and_refuses_a_reused_key_on_sqlite() {
    // Establishes idempotency on every keyed operation of the OpenAPI document, on SQLite.
    check_every_write_route(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn every_write_route_replays_the_first_result_and_refuses_a_reused_key_on_postgres() {
    // Establishes idempotency on every keyed operation of the OpenAPI document, on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_every_write_route(app).await;
}

#[tokio::test]
async fn every_write_operation_declares_the_key_and_reads_it_through_the_extractor() {
    // Establishes the header on every write operation of the document but login and
    // logout, and that each route reads it before anything else: a malformed key is
    // named whatever the path and body are.
    let app = crate::helpers::sqlite_app().await;
    let admin = app.token("admin", "demo").await;
    let operations = write_operations(&app).await;
    assert!(operations.len() >= 20, "{operations:?}");
    for (method, path, declared) in operations {
        let unkeyed = taavon_server::UNKEYED_ROUTES.contains(&path.as_str());
        assert_eq!(
            declared, !unkeyed,
            "{method} {path} declares the Idempotency-Key header"
        );
        if unkeyed {
            continue;
        }
        let concrete = path
            .replace("{id}", "1")
            .replace("{code}", "note18")
            .replace("{transaction_id}", "1")
            .replace("{proposal_id}", "1")
            .replace("{year}", "1404")
            .replace("{round}", "provincial")
            .replace("{delivery_id}", "1");
        let (status, problem) = send(
            &app,
            &method,
            &concrete,
            &admin,
            Some(&"k".repeat(201)),
            &json!({}),
        )
        .await;
        assert_eq!(
            (status, problem["errors"][0]["field"].as_str()),
            (422, Some("Idempotency-Key")),
            "{method} {path} reads its key through the extractor: {problem}"
        );
    }
}

async fn check_concurrent_repayments(app: TestApp) {
    let bank = app.token("bank", "demo").await;
    let behind = loan_behind(&app, &bank).await;
    let id = behind["id"].as_i64().unwrap();
    let path = format!("/api/v1/loans/{id}/repayments");
    let body = json!({"amount": behind["penalty_due"]});
    let before = behind["transactions_total"].as_i64().unwrap();
    let requests: Vec<_> = (0..16)
        .map(|_| {
            let request = app
                .client
                .post(app.url(&path))
                .bearer_auth(&bank)
                .header("Idempotency-Key", "sixteen at once")
                .json(&body);
            async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.json().await.unwrap_or(Value::Null))
            }
        })
        .collect();
    let answers = crate::registry::futures_join(requests).await;
    let (status, first) = &answers[0];
    assert_eq!(*status, 201, "{first}");
    for answer in &answers {
        assert_eq!(
            answer, &answers[0],
            "every concurrent request gets the first result"
        );
    }
    let (_, after) = app.get(&format!("/api/v1/loans/{id}"), Some(&bank)).await;
    assert_eq!(
        after["transactions_total"].as_i64().unwrap(),
        before + 1,
        "one transaction stored"
    );
}

#[tokio::test]
async fn sixteen_concurrent_repayments_with_one_key_all_get_the_first_result_on_sqlite() {
    // Establishes that concurrent retries of one repayment record it once, on SQLite.
    check_concurrent_repayments(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn sixteen_concurrent_repayments_with_one_key_all_get_the_first_result_on_postgres() {
    // Establishes the same on PostgreSQL, where some of them used to answer 409 "the loan
    // changed meanwhile": the key is now claimed before the loan's version is checked.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_concurrent_repayments(app).await;
}
