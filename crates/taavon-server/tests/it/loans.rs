//! Loans through the API: only the bank writes the contract of a bank-approved
//! application, the program fund's money is reserved and then disbursed in tranches,
//! repayments and reversals are recorded (never edited), bad input names its field, the
//! scopes hold, and the pooled funds' trial balance balances. On SQLite and PostgreSQL.

use serde_json::{Value, json};
use taavon_testkit::{Engine, TestApp, spawn_app};

/// The demo's bank-approved Ilam application (15 000 000 000 rials under Note 18).
const APPROVED: i64 = 1;
const PRINCIPAL: i64 = 15_000_000_000;

async fn post_keyed(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn field_of(body: &Value) -> (&str, &str) {
    let field = &body["errors"][0];
    (
        field["field"].as_str().unwrap_or_default(),
        field["rule"].as_str().unwrap_or_default(),
    )
}

async fn fund_line(app: &TestApp, token: &str, kind: &str, name: &str) -> Value {
    let (status, funds) = app.get("/api/v1/funds", Some(token)).await;
    assert_eq!(status, 200, "{funds}");
    funds
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind && f["name"].as_str().unwrap_or_default().contains(name))
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} {name} in {funds}"))
}

async fn check_loans(app: TestApp) {
    let token = |user: &'static str| app.token(user, "demo");
    let (bank, admin, ilam, lorestan, coop, sso) = (
        token("bank").await,
        token("admin").await,
        token("ilam").await,
        token("lorestan").await,
        token("coop").await,
        token("sso").await,
    );
    let fund_before = fund_line(&app, &admin, "program_fund", "note18 in IR-16").await;

    // Only the bank writes the contract.
    for (who, expected) in [(&ilam, 403), (&coop, 403), (&lorestan, 422), (&sso, 422)] {
        let (status, body) = app
            .post(
                "/api/v1/loans",
                Some(who),
                &json!({"application_id": APPROVED}),
            )
            .await;
        assert_eq!(status, expected, "{body}");
    }
    let (status, body) = app
        .post(
            "/api/v1/loans",
            Some(&bank),
            &json!({"application_id": 999_999}),
        )
        .await;
    assert_eq!(
        (status, field_of(&body)),
        (422, ("application_id", "not_found"))
    );
    let (status, body) = app
        .post(
            "/api/v1/loans",
            Some(&bank),
            &json!({"application_id": APPROVED, "method": "weekly"}),
        )
        .await;
    assert_eq!((status, field_of(&body)), (422, ("method", "unknown")));
    let (status, loan) = post_keyed(
        &app,
        "/api/v1/loans",
        &bank,
        "contract-1",
        &json!({"application_id": APPROVED}),
    )
    .await;
    assert_eq!(status, 201, "{loan}");
    let (status, replay) = post_keyed(
        &app,
        "/api/v1/loans",
        &bank,
        "contract-1",
        &json!({"application_id": APPROVED}),
    )
    .await;
    assert_eq!(
        (status, &replay["id"]),
        (201, &loan["id"]),
        "a replay returns the first contract"
    );
    let (status, _) = app
        .post(
            "/api/v1/loans",
            Some(&bank),
            &json!({"application_id": APPROVED}),
        )
        .await;
    assert_eq!(status, 409, "an application is contracted once");
    let id = loan["id"].as_i64().unwrap();
    assert_eq!(loan["status"], "contracted");
    assert_eq!(loan["principal"], PRINCIPAL);
    assert!(
        loan["principal_in_words"]
            .as_str()
            .unwrap()
            .contains("میلیارد")
    );
    let schedule = loan["schedule"].as_array().unwrap();
    let principal_sum: i64 = schedule
        .iter()
        .map(|r| r["principal"].as_i64().unwrap())
        .sum();
    assert_eq!(
        principal_sum, PRINCIPAL,
        "the schedule repays the principal exactly"
    );
    assert!(
        schedule[0]["due"].as_str().unwrap().starts_with("14"),
        "due dates are Jalali"
    );
    let (_, application) = app
        .get(&format!("/api/v1/applications/{APPROVED}"), Some(&bank))
        .await;
    assert_eq!(application["status"], "contracted");

    // The contract reserved its principal in the program fund.
    let fund = fund_line(&app, &admin, "program_fund", "note18 in IR-16").await;
    assert_eq!(
        fund["reserved"].as_i64().unwrap() - fund_before["reserved"].as_i64().unwrap(),
        PRINCIPAL
    );

    // Tranches: a third now, the rest later, then nothing more.
    let disburse = |body: Value| {
        let (app, bank) = (&app, &bank);
        async move {
            app.post(
                &format!("/api/v1/loans/{id}/disbursements"),
                Some(bank),
                &body,
            )
            .await
        }
    };
    let (status, body) = disburse(json!({"amount": PRINCIPAL + 1})).await;
    assert_eq!(
        (status, field_of(&body)),
        (422, ("amount_rial", "within_undisbursed"))
    );
    let (status, body) = disburse(json!({"amount": 5_000_000_000_i64})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (
            body["loan"]["status"].as_str(),
            body["loan"]["disbursed"].as_i64()
        ),
        (Some("active"), Some(5_000_000_000))
    );
    let (status, body) = disburse(json!({})).await;
    assert_eq!(
        (status, body["loan"]["disbursed"].as_i64()),
        (201, Some(PRINCIPAL))
    );
    let (status, _) = disburse(json!({})).await;
    assert_eq!(status, 409);
    let fund = fund_line(&app, &admin, "program_fund", "note18 in IR-16").await;
    assert_eq!(
        fund["reserved"], fund_before["reserved"],
        "nothing stays reserved once all is paid out"
    );
    assert_eq!(
        fund_before["balance"].as_i64().unwrap() - fund["balance"].as_i64().unwrap(),
        PRINCIPAL
    );

    // Repayments: bad amounts name the field; a good one is recorded and can be reversed once.
    let repay = |amount: Value| {
        let (app, bank) = (&app, &bank);
        async move {
            app.post(
                &format!("/api/v1/loans/{id}/repayments"),
                Some(bank),
                &json!({"amount": amount}),
            )
            .await
        }
    };
    let (status, body) = repay(json!(0)).await;
    assert_eq!(
        (status, field_of(&body)),
        (422, ("amount_rial", "positive"))
    );
    let (status, body) = repay(json!(PRINCIPAL * 10)).await;
    assert_eq!(
        (status, field_of(&body)),
        (422, ("amount_rial", "at_most_owed"))
    );
    let (status, body) = repay(json!(1_000_000)).await;
    assert_eq!(status, 201, "{body}");
    let repayment = body["transaction_id"].as_i64().unwrap();
    assert_eq!(body["loan"]["transactions"].as_array().unwrap().len(), 3);
    let reverse = format!("/api/v1/loans/{id}/transactions/{repayment}/reversal");
    let (status, body) = app
        .post(&reverse, Some(&bank), &json!({"reason": " "}))
        .await;
    assert_eq!((status, field_of(&body)), (422, ("reason", "required")));
    let (status, body) = app
        .post(
            &reverse,
            Some(&bank),
            &json!({"reason": "واریز به حساب اشتباه"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let transactions = body["loan"]["transactions"].as_array().unwrap();
    let original = transactions.iter().find(|t| t["id"] == repayment).unwrap();
    assert_eq!(
        original["amount"], 1_000_000,
        "the repayment itself is never edited"
    );
    assert_eq!(original["reversed_by"], body["transaction_id"]);
    let (status, _) = app
        .post(&reverse, Some(&bank), &json!({"reason": "again"}))
        .await;
    assert_eq!(status, 409, "a transaction is reversed at most once");

    // Scopes: the Ilam officer and the cooperative read but move no money; Lorestan sees nothing.
    let path = format!("/api/v1/loans/{id}");
    assert_eq!(app.get(&path, Some(&ilam)).await.0, 200);
    assert_eq!(app.get(&path, Some(&coop)).await.0, 200);
    assert_eq!(app.get(&path, Some(&lorestan)).await.0, 404);
    assert_eq!(
        app.post(
            &format!("{path}/repayments"),
            Some(&ilam),
            &json!({"amount": 1000})
        )
        .await
        .0,
        403
    );
    let (_, listed) = app.get("/api/v1/loans", Some(&lorestan)).await;
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["province"] == "IR-15")
    );
    let (_, arrears) = app.get("/api/v1/loans?in_arrears=true", Some(&bank)).await;
    assert!(
        arrears["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["overdue"].as_i64().unwrap() > 0)
    );
    assert!(
        arrears["total"].as_i64().unwrap() >= 3,
        "the demo holds loans in arrears"
    );

    // The ledger: the trial balance balances; only the ministry and auditors read it.
    let (status, rows) = app.get("/api/v1/ledger/trial-balance", Some(&admin)).await;
    assert_eq!(status, 200);
    let sum = |field: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r[field].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(sum("debits_posted"), sum("credits_posted"));
    assert_eq!(sum("debits_pending"), sum("credits_pending"));
    assert_eq!(
        app.get("/api/v1/ledger/trial-balance", Some(&ilam)).await.0,
        403
    );
    let (status, own) = app.get("/api/v1/funds", Some(&sso)).await;
    assert_eq!(status, 200);
    assert!(!own.as_array().unwrap().is_empty());
    assert!(
        own.as_array()
            .unwrap()
            .iter()
            .all(|f| f["name"].as_str().unwrap().starts_with("sso "))
    );
    let (status, body) = app
        .post(
            "/api/v1/funds/programs",
            Some(&admin),
            &json!({"program": "note18", "province": "IR-99", "amount": 1, "reference": "x"}),
        )
        .await;
    assert_eq!((status, field_of(&body)), (422, ("province", "unknown")));
    let (status, body) = app
        .post("/api/v1/funds/programs", Some(&admin), &json!({"program": "pooled", "province": "IR-16", "agency": "tvto", "amount": 900_000_000_000_i64, "reference": "too-much"}))
        .await;
    assert_eq!(
        (status, field_of(&body)),
        (422, ("amount_rial", "deposit_insufficient")),
        "no fund is overdrawn"
    );
    assert_eq!(
        app.post(
            "/api/v1/funds/deposits",
            Some(&bank),
            &json!({"agency": "sso", "bank": "022", "amount": 1, "reference": "x"})
        )
        .await
        .0,
        403
    );

    // The portfolio at the last closed date, per branch, in the bank's scope.
    let (status, portfolio) = app.get("/api/v1/portfolio", Some(&bank)).await;
    assert_eq!(status, 200);
    let classes: i64 = portfolio
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            b["past_due"].as_i64().unwrap()
                + b["deferred"].as_i64().unwrap()
                + b["doubtful"].as_i64().unwrap()
        })
        .sum();
    assert!(classes > 0, "{portfolio}");
}

#[tokio::test]
async fn loans_move_money_only_through_the_ledger_on_sqlite() {
    // Establishes issue 6's loan lifecycle through the API on SQLite.
    check_loans(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn loans_move_money_only_through_the_ledger_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_loans(app).await;
}
