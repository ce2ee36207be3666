//! Loans through the API: only the bank writes the contract of a bank-approved
//! application, the program fund's money is reserved and then disbursed in tranches,
//! repayments and reversals are recorded (never edited), bad input names its field, the
//! scopes hold, and the pooled funds' trial balance balances. On SQLite and PostgreSQL.

use serde_json::{Value, json};
use taavon_testkit::{Engine, TestApp, spawn_app};

/// The demo's bank-approved Ilam application (15 000 000 000 rials under Note 18).
const APPROVED: i64 = 1;
const PRINCIPAL: i64 = 15_000_000_000;

pub(crate) async fn post_keyed(
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

pub(crate) fn field_of(body: &Value) -> (&str, &str) {
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
        (422, ("amount", "within_undisbursed"))
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
    assert_eq!((status, field_of(&body)), (422, ("amount", "positive")));
    let (status, body) = repay(json!(PRINCIPAL * 10)).await;
    assert_eq!((status, field_of(&body)), (422, ("amount", "at_most_owed")));
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
        (422, ("amount", "deposit_insufficient")),
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

    check_transaction_pages(&app, id, &bank, &lorestan).await;
}

/// A loan with more transactions than its answer carries: a repayment's answer and the
/// loan's carry the newest 50 and the count, and the transactions' pages give every one
/// exactly once, in order, to whoever reads the loan.
async fn check_transaction_pages(app: &TestApp, id: i64, bank: &str, lorestan: &str) {
    let path = format!("/api/v1/loans/{id}");
    let (_, loan) = app.get(&path, Some(bank)).await;
    let mut total = loan["transactions_total"].as_i64().unwrap();
    let mut last = None;
    while total <= 60 {
        let (status, body) = app
            .post(
                &format!("{path}/repayments"),
                Some(bank),
                &json!({"amount": 1000}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        total += 1;
        assert_eq!(body["loan"]["transactions_total"], total);
        last = Some(body);
    }
    let answer = last.unwrap();
    let shown = answer["loan"]["transactions"].as_array().unwrap();
    assert_eq!(shown.len(), 50, "the answer does not grow with the history");
    assert_eq!(shown.last().unwrap()["id"], answer["transaction_id"]);
    let (_, loan) = app.get(&path, Some(bank)).await;
    assert_eq!(loan["transactions"], answer["loan"]["transactions"]);

    let mut every: Vec<Value> = Vec::new();
    let mut after: Option<i64> = None;
    loop {
        let query = match after {
            Some(after) => format!("{path}/transactions?limit=25&after={after}"),
            None => format!("{path}/transactions?limit=25"),
        };
        let (status, page) = app.get(&query, Some(bank)).await;
        assert_eq!(status, 200, "{page}");
        every.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_after"].as_i64() {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(i64::try_from(every.len()).unwrap(), total);
    assert!(
        every
            .windows(2)
            .all(|w| w[0]["id"].as_i64() < w[1]["id"].as_i64())
    );
    assert_eq!(&every[every.len() - 50..], shown.as_slice());

    let (status, body) = app
        .get(&format!("{path}/transactions?limit=0"), Some(bank))
        .await;
    assert_eq!((status, field_of(&body)), (422, ("limit", "range")));
    assert_eq!(
        app.get(&format!("{path}/transactions"), Some(lorestan))
            .await
            .0,
        404,
        "a loan outside the scope has no transactions to show"
    );
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

/// Sums a trial-balance column over the rows of one account kind (and province).
fn posted(rows: &Value, kind: &str, province: Option<&str>, column: &str) -> i64 {
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == kind && province.is_none_or(|p| r["province"] == p))
        .map(|r| r[column].as_i64().unwrap())
        .sum()
}

/// The quote as the core computes it from the current schedule version's terms alone:
/// the schedule rebuilt from them, the arrears as the loan page states them.
fn core_settlement(loan: &Value) -> taavon_core::loans::settlement::Settlement {
    use taavon_core::calendar::{IsoDate, JalaliDate};
    use taavon_core::loans::rate::RateBp;
    use taavon_core::loans::repayment::Dues;
    use taavon_core::loans::schedule::{GraceMode, Method, ScheduleTerms, build};
    let version = loan["schedule_versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["version"] == loan["schedule_version"])
        .unwrap();
    let text = |field: &str| version[field].as_str().unwrap().to_owned();
    let number = |field: &str| version[field].as_i64().unwrap();
    let terms = ScheduleTerms {
        principal: number("principal"),
        rate: RateBp::new(u32::try_from(number("rate_bp")).unwrap()).unwrap(),
        months: u16::try_from(number("months")).unwrap(),
        grace_months: u16::try_from(number("grace_months")).unwrap(),
        grace_mode: GraceMode::parse(&text("grace_mode")).unwrap(),
        method: Method::parse(&text("method")).unwrap(),
        start: JalaliDate::from(IsoDate::parse(&text("starts_on")).unwrap()),
        day_base: Default::default(),
    };
    let schedule = build(&terms).unwrap();
    let stored = loan["schedule"].as_array().unwrap();
    assert_eq!(schedule.rows.len(), stored.len());
    for (row, kept) in schedule.rows.iter().zip(stored) {
        assert_eq!(
            (row.principal, IsoDate::from(row.due).to_string()),
            (
                kept["principal"].as_i64().unwrap(),
                text_of(kept, "due_iso")
            )
        );
    }
    let today = text_of(loan, "business_date");
    let arrears: i64 = stored
        .iter()
        .filter(|r| text_of(r, "due_iso") <= today)
        .map(|r| r["total"].as_i64().unwrap() - r["paid"].as_i64().unwrap())
        .sum();
    let unpaid = Dues {
        penalty: loan["penalty_due"].as_i64().unwrap(),
        principal: arrears,
        ..Dues::default()
    };
    taavon_core::loans::settlement::settlement(
        &terms,
        &schedule,
        JalaliDate::from(IsoDate::parse(&today).unwrap()),
        &unpaid,
    )
}

fn text_of(value: &Value, field: &str) -> String {
    value[field].as_str().unwrap().to_owned()
}

/// A demo loan that is behind (a late charge, dues unpaid) with installments to come,
/// active and paid out in full, as the bank reads it.
pub(crate) async fn loan_behind(app: &TestApp, bank: &str) -> Value {
    let (_, arrears) = app.get("/api/v1/loans?in_arrears=true", Some(bank)).await;
    for item in arrears["items"].as_array().unwrap() {
        let (_, loan) = app
            .get(&format!("/api/v1/loans/{}", item["id"]), Some(bank))
            .await;
        let today = text_of(&loan, "business_date");
        let to_come = loan["schedule"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| text_of(r, "due_iso") > today);
        if loan["status"] == "active"
            && loan["disbursed"] == loan["principal"]
            && loan["penalty_due"].as_i64().unwrap() > 0
            && to_come
        {
            return loan;
        }
    }
    panic!("the demo holds no active loan behind with installments to come")
}

async fn check_settlement(app: TestApp) {
    let token = |user: &'static str| app.token(user, "demo");
    let (bank, admin, ilam, lorestan) = (
        token("bank").await,
        token("admin").await,
        token("ilam").await,
        token("lorestan").await,
    );
    let loan = loan_behind(&app, &bank).await;
    let id = loan["id"].as_i64().unwrap();
    let path = format!("/api/v1/loans/{id}/settlement");

    // A small repayment first (it pays part of the late charge), to show later that a
    // loan settled early keeps its transactions.
    let (status, paid) = app
        .post(
            &format!("/api/v1/loans/{id}/repayments"),
            Some(&bank),
            &json!({"amount": 1_000}),
        )
        .await;
    assert_eq!(status, 201, "{paid}");
    let repayment = paid["transaction_id"].as_i64().unwrap();
    let loan = paid["loan"].clone();

    // The quote: the province's officer reads it (and moves no money), the other
    // province does not see it; its parts are the core's.
    let (reader, outsider) = match loan["province"].as_str() {
        Some("IR-16") => (&ilam, &lorestan),
        Some("IR-15") => (&lorestan, &ilam),
        other => panic!("a demo loan in {other:?}"),
    };
    let (status, quote) = app.get(&path, Some(&bank)).await;
    assert_eq!(status, 200, "{quote}");
    assert_eq!(app.get(&path, Some(reader)).await.0, 200);
    assert_eq!(app.get(&path, Some(outsider)).await.0, 404);
    let core = core_settlement(&loan);
    let part = |field: &str| quote[field].as_i64().unwrap();
    assert_eq!(part("principal_not_due"), core.principal);
    assert_eq!(part("accrued_profit"), core.accrued_profit);
    assert_eq!(part("grace_profit"), core.grace_profit);
    assert_eq!(part("prepaid_profit"), 0, "nothing was paid ahead");
    assert_eq!(
        part("earned_profit"),
        core.accrued_profit + core.grace_profit
    );
    assert_eq!(part("penalty"), loan["penalty_due"].as_i64().unwrap());
    assert!(part("penalty") > 0 && part("due_principal") > 0);
    assert_eq!(
        part("penalty") + part("due_fee") + part("due_profit") + part("due_principal"),
        i64::try_from(core.unpaid.total()).unwrap()
    );
    assert_eq!(part("total"), core.total);
    let today = text_of(&loan, "business_date");
    let future_profit: i64 = loan["schedule"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| text_of(r, "due_iso") > today)
        .map(|r| {
            r["profit"].as_i64().unwrap()
                + r["fee"].as_i64().unwrap()
                + r["grace_profit"].as_i64().unwrap()
        })
        .sum();
    assert_eq!(
        part("waived_profit"),
        future_profit - part("earned_profit"),
        "the profit of the installments to come beyond what was earned is waived"
    );
    assert!(part("waived_profit") > 0);
    let total = part("total");

    // Wrong amounts and wrong people.
    for body in [json!({"amount_rial": total - 1}), json!({})] {
        let (status, error) = app.post(&path, Some(&bank), &body).await;
        assert_eq!(
            (status, field_of(&error)),
            (422, ("amount_rial", "must_equal_settlement")),
            "{error}"
        );
        assert!(error["errors"][0]["message"].as_str().is_some(), "{error}");
    }
    assert_eq!(
        app.post(&path, Some(reader), &json!({"amount_rial": total}))
            .await
            .0,
        403
    );

    // The settlement: one transaction paying exactly the quote; the ledger moves it.
    let (_, before) = app.get("/api/v1/ledger/trial-balance", Some(&admin)).await;
    let body = json!({"amount_rial": total, "note": "تسویه پیش از موعد"});
    let (status, settled) = post_keyed(&app, &path, &bank, "settle-1", &body).await;
    assert_eq!(status, 201, "{settled}");
    let transaction_id = settled["transaction_id"].as_i64().unwrap();
    let after_loan = &settled["loan"];
    assert_eq!(after_loan["status"], "settled");
    assert_eq!(after_loan["outstanding_principal"], 0);
    assert_eq!(after_loan["overdue"], 0);
    assert_eq!(after_loan["penalty_due"], 0);
    let transaction = after_loan["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == transaction_id)
        .unwrap()
        .clone();
    assert_eq!(transaction["kind"], "settlement");
    assert_eq!(transaction["amount"], total);
    let tx = |field: &str| transaction[field].as_i64().unwrap();
    assert_eq!(tx("penalty"), part("penalty"));
    assert_eq!(
        tx("principal"),
        part("due_principal") + part("principal_not_due")
    );
    assert_eq!(
        tx("profit") + tx("fee"),
        part("due_profit") + part("due_fee") + part("earned_profit")
    );
    let schedule = after_loan["schedule"].as_array().unwrap();
    assert!(
        schedule.iter().all(
            |r| r["paid"].as_i64().unwrap() + r["waived"].as_i64().unwrap()
                == r["total"].as_i64().unwrap()
        ),
        "every installment is closed: {schedule:?}"
    );
    assert_eq!(
        schedule
            .iter()
            .map(|r| r["waived"].as_i64().unwrap())
            .sum::<i64>(),
        part("waived_profit")
    );
    let (_, after) = app.get("/api/v1/ledger/trial-balance", Some(&admin)).await;
    let moved = |kind: &str, province: Option<&str>, column: &str| {
        posted(&after, kind, province, column) - posted(&before, kind, province, column)
    };
    // Principal leaves the loan book for the program fund; the rest is income.
    let province = text_of(&loan, "province");
    assert_eq!(
        moved("loan_book", Some(&province), "debits_posted"),
        tx("principal")
    );
    assert_eq!(
        moved("program_fund", Some(&province), "credits_posted"),
        tx("principal")
    );
    assert_eq!(moved("profit_income", None, "credits_posted"), tx("profit"));
    assert_eq!(moved("fee_income", None, "credits_posted"), tx("fee"));
    assert_eq!(
        moved("penalty_income", None, "credits_posted"),
        tx("penalty")
    );
    let sum = |rows: &Value, column: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r[column].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(sum(&after, "debits_posted"), sum(&after, "credits_posted"));
    assert_eq!(
        sum(&after, "debits_posted") - sum(&before, "debits_posted"),
        total,
        "the ledger moved exactly what was paid, no more"
    );
    let mut read = app.store.read().await.unwrap();
    assert!(read.check_ledger().await.unwrap().is_ok(), "ledger check");
    read.finish().await.unwrap();

    // A replay answers the same transaction; a second settlement, a repayment and the
    // quote are refused; the settlement and what came before it are final.
    let (status, replay) = post_keyed(&app, &path, &bank, "settle-1", &body).await;
    assert_eq!(
        (status, &replay["transaction_id"]),
        (201, &json!(transaction_id))
    );
    let (status, _) = post_keyed(&app, &path, &bank, "settle-2", &body).await;
    assert_eq!(status, 409, "a loan is settled once");
    assert_eq!(app.get(&path, Some(&bank)).await.0, 409);
    assert_eq!(
        app.post(
            &format!("/api/v1/loans/{id}/repayments"),
            Some(&bank),
            &json!({"amount": 1000})
        )
        .await
        .0,
        409
    );
    let reversal =
        |transaction: i64| format!("/api/v1/loans/{id}/transactions/{transaction}/reversal");
    let (status, error) = app
        .post(
            &reversal(transaction_id),
            Some(&bank),
            &json!({"reason": "اشتباه"}),
        )
        .await;
    assert_eq!(
        (status, field_of(&error)),
        (422, ("transaction_id", "repayment_only"))
    );
    let (status, _) = app
        .post(
            &reversal(repayment),
            Some(&bank),
            &json!({"reason": "اشتباه"}),
        )
        .await;
    assert_eq!(status, 409, "a loan settled early keeps its transactions");
    let (_, unchanged) = app.get(&format!("/api/v1/loans/{id}"), Some(&bank)).await;
    assert_eq!(unchanged["status"], "settled");

    // End of day closes the open date without touching the settled loan.
    let today =
        taavon_core::calendar::IsoDate::parse(&text_of(&unchanged, "business_date")).unwrap();
    let closed = taavon_app::eod::close_at(
        &app.store,
        today,
        &taavon_app::eod::EodSettings::default(),
        taavon_app::clock::now(),
    )
    .await
    .unwrap();
    assert!(
        closed.is_some_and(|report| report.loans_closed > 0),
        "other loans were closed"
    );
    let (_, after_eod) = app.get(&format!("/api/v1/loans/{id}"), Some(&bank)).await;
    assert_ne!(after_eod["business_date"], unchanged["business_date"]);
    for field in [
        "status",
        "version",
        "closed_on",
        "overdue",
        "days_overdue",
        "class",
    ] {
        assert_eq!(after_eod[field], unchanged[field], "{field}");
    }
    assert_eq!(after_eod["penalty_due"], 0);

    // The province's provision reserve is what its open loans need, nothing left over
    // from the settled loan (also when it was the last one there).
    let province = text_of(&after_eod, "province");
    let (_, rows) = app.get("/api/v1/ledger/trial-balance", Some(&admin)).await;
    let reserve = posted(
        &rows,
        "provision_reserve",
        Some(&province),
        "credits_posted",
    ) - posted(&rows, "provision_reserve", Some(&province), "debits_posted");
    let (_, portfolio) = app.get("/api/v1/portfolio", Some(&admin)).await;
    let required: i64 = portfolio
        .as_array()
        .unwrap()
        .iter()
        .filter(|branch| branch["province"] == province.as_str())
        .map(|branch| branch["provision"].as_i64().unwrap())
        .sum();
    assert_eq!(reserve, required, "{province}: {portfolio}");
}

#[tokio::test]
async fn a_loan_behind_is_settled_early_for_exactly_its_quote_on_sqlite() {
    // Establishes early settlement through the API on SQLite.
    check_settlement(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn a_loan_behind_is_settled_early_for_exactly_its_quote_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_settlement(app).await;
}

/// The pricing of the loan's program (its product), as the admin reads it.
pub(crate) async fn program_pricing(app: &TestApp, admin: &str, loan: &Value) -> Value {
    let program = loan["program"].as_str().unwrap();
    let (status, body) = app
        .get(&format!("/api/v1/programs/{program}"), Some(admin))
        .await;
    assert_eq!(status, 200, "{body}");
    body["rules"]["pricing"].clone()
}

/// The unpaid profit and fee fallen due on the loan's current schedule, from the stored
/// installments by part.
pub(crate) async fn due_profit(app: &TestApp, loan: &Value) -> i64 {
    let id = loan["id"].as_i64().unwrap();
    let version = loan["schedule_version"].as_i64().unwrap();
    let today = text_of(loan, "business_date");
    let mut read = app.store.read().await.unwrap();
    let rows = read.installments(id, version).await.unwrap();
    read.finish().await.unwrap();
    rows.iter()
        .filter(|r| r.due_on <= today)
        .map(|r| {
            r.profit_rial + r.grace_profit_rial + r.fee_rial - r.paid_profit_rial - r.paid_fee_rial
        })
        .sum()
}

async fn check_reschedule(app: TestApp) {
    let token = |user: &'static str| app.token(user, "demo");
    let (bank, bank2, admin) = (
        token("bank").await,
        token("bank2").await,
        token("admin").await,
    );
    let loan = loan_behind(&app, &bank).await;
    let id = loan["id"].as_i64().unwrap();
    let path = format!("/api/v1/loans/{id}/reschedule");
    let capitalise = due_profit(&app, &loan).await;
    assert!(capitalise > 0, "the loan behind owes profit fallen due");
    let (status, _) = app
        .post(
            &path,
            Some(&bank),
            &json!({"months": 24, "capitalise_rial": capitalise}),
        )
        .await;
    assert_eq!(status, 409, "the late charge is paid first");

    // The late charge paid (a repayment pays it before anything else).
    let (status, paid) = app
        .post(
            &format!("/api/v1/loans/{id}/repayments"),
            Some(&bank),
            &json!({"amount": loan["penalty_due"]}),
        )
        .await;
    assert_eq!(status, 201, "{paid}");
    let repayment = paid["transaction_id"].as_i64().unwrap();
    let loan = paid["loan"].clone();
    assert_eq!(loan["penalty_due"], 0);
    assert_eq!(due_profit(&app, &loan).await, capitalise);
    let mut read = app.store.read().await.unwrap();
    let old_rows = read.installments(id, 1).await.unwrap();
    read.finish().await.unwrap();
    let outstanding = loan["disbursed"].as_i64().unwrap()
        - old_rows.iter().map(|r| r.paid_principal_rial).sum::<i64>();
    assert_eq!(loan["outstanding_principal"], outstanding);

    // Bad terms name their field and rule; so do terms beyond the product (the loan's
    // program: its term plus grace at most, its contracted rate at least).
    let rate = loan["rate_bp"].as_i64().unwrap();
    let pricing = program_pricing(&app, &admin, &loan).await;
    let longest =
        pricing["term_months"].as_i64().unwrap() + pricing["grace_months"].as_i64().unwrap();
    for (body, expected) in [
        (
            json!({"months": longest, "grace_months": 1, "capitalise_rial": capitalise}),
            ("months", "product_term_max"),
        ),
        (
            json!({"months": 24, "rate_bp": rate - 1, "capitalise_rial": capitalise}),
            ("rate_bp", "product_rate_min"),
        ),
        (
            json!({"months": 24, "capitalise_rial": capitalise + 1}),
            ("capitalise_rial", "must_equal_due_profit"),
        ),
        (
            json!({"months": 24, "capitalise_rial": 0}),
            ("capitalise_rial", "must_equal_due_profit"),
        ),
        (
            json!({"months": 0, "capitalise_rial": capitalise}),
            ("months", "range"),
        ),
        (
            json!({"months": 100_000, "capitalise_rial": capitalise}),
            ("months", "range"),
        ),
        (
            json!({"months": 24, "capitalise_rial": capitalise, "method": "weekly"}),
            ("method", "unknown"),
        ),
    ] {
        let (status, error) = app.post(&path, Some(&bank), &body).await;
        assert_eq!(
            (status, field_of(&error)),
            (422, expected),
            "{body} {error}"
        );
    }

    // The rescheduling: a second schedule for the outstanding principal plus the dues, at
    // the longest term and the lowest rate the product allows. Above the bank's four-eyes
    // amount it is proposed (202) and carried out when a second officer approves (201).
    let (_, before) = app.get("/api/v1/ledger/trial-balance", Some(&admin)).await;
    let body = json!({"months": longest, "rate_bp": rate, "capitalise_rial": capitalise,
                      "note": "استمهال"});
    let (status, proposal) = post_keyed(&app, &path, &bank, "reschedule-1", &body).await;
    assert_eq!(
        (status, &proposal["status"]),
        (202, &json!("pending")),
        "{proposal}"
    );
    let approval = format!("/api/v1/loans/{id}/proposals/{}/approval", proposal["id"]);
    let (status, done) = app.post(&approval, Some(&bank2), &json!({})).await;
    assert_eq!(status, 201, "{done}");
    let transaction_id = done["transaction_id"].as_i64().unwrap();
    let after_loan = done["loan"].clone();
    assert_eq!(after_loan["schedule_version"], 2);
    assert_eq!(after_loan["status"], "active");
    let versions = after_loan["schedule_versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["principal"], outstanding + capitalise);
    assert_eq!(versions[1]["capitalised"], capitalise);
    assert_eq!(versions[1]["rate_bp"], rate);
    assert_eq!(versions[1]["starts_on"], loan["business_date"]);
    let schedule = after_loan["schedule"].as_array().unwrap();
    assert_eq!(schedule.len(), usize::try_from(longest).unwrap());
    assert_eq!(
        schedule
            .iter()
            .map(|r| r["principal"].as_i64().unwrap())
            .sum::<i64>(),
        outstanding + capitalise,
        "the new schedule amortises exactly what was owed"
    );
    assert!(text_of(&schedule[0], "due_iso") > text_of(&loan, "business_date"));
    assert_eq!(
        after_loan["outstanding_principal"],
        outstanding + capitalise
    );
    assert_eq!(after_loan["overdue"], 0);
    assert_eq!(after_loan["penalty_due"], 0);
    let transaction = after_loan["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == transaction_id)
        .unwrap()
        .clone();
    assert_eq!(transaction["kind"], "reschedule");
    assert_eq!(transaction["amount"], 0);
    let tx = |field: &str| transaction[field].as_i64().unwrap();
    assert_eq!(tx("profit") + tx("fee"), capitalise);
    assert_eq!(tx("principal"), -capitalise);

    // The old schedule is kept: same rows, only its due profit now paid by capitalisation.
    let mut read = app.store.read().await.unwrap();
    let kept = read.installments(id, 1).await.unwrap();
    read.finish().await.unwrap();
    assert_eq!(kept.len(), old_rows.len());
    for (now, then) in kept.iter().zip(&old_rows) {
        assert_eq!(
            (&now.due_on, now.principal_rial, now.paid_principal_rial),
            (&then.due_on, then.principal_rial, then.paid_principal_rial)
        );
    }
    assert_eq!(
        due_profit(
            &app,
            &json!({"id": id, "schedule_version": 1, "business_date": loan["business_date"]})
        )
        .await,
        0
    );

    // The ledger: the fund lent the dues to the loan, and that money paid them as income.
    let (_, after) = app.get("/api/v1/ledger/trial-balance", Some(&admin)).await;
    let moved = |kind: &str, column: &str| {
        posted(&after, kind, None, column) - posted(&before, kind, None, column)
    };
    assert_eq!(moved("program_fund", "debits_posted"), capitalise);
    assert_eq!(moved("loan_book", "credits_posted"), capitalise);
    assert_eq!(
        moved("profit_income", "credits_posted") + moved("fee_income", "credits_posted"),
        capitalise
    );
    let sum = |rows: &Value, column: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r[column].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(sum(&after, "debits_posted"), sum(&after, "credits_posted"));
    let mut read = app.store.read().await.unwrap();
    assert!(read.check_ledger().await.unwrap().is_ok(), "ledger check");
    read.finish().await.unwrap();

    // A replay answers the same; what came before is final; the rescheduling itself is
    // not a repayment to reverse.
    let (status, replay) = post_keyed(&app, &path, &bank, "reschedule-1", &body).await;
    assert_eq!(
        (status, &replay["transaction_id"]),
        (201, &json!(transaction_id))
    );
    let reversal =
        |transaction: i64| format!("/api/v1/loans/{id}/transactions/{transaction}/reversal");
    let (status, _) = app
        .post(
            &reversal(repayment),
            Some(&bank),
            &json!({"reason": "اشتباه"}),
        )
        .await;
    assert_eq!(status, 409, "a repayment before a rescheduling is final");
    let (status, error) = app
        .post(
            &reversal(transaction_id),
            Some(&bank),
            &json!({"reason": "اشتباه"}),
        )
        .await;
    assert_eq!(
        (status, field_of(&error)),
        (422, ("transaction_id", "repayment_only"))
    );

    // The new schedule is the one repaid and settled: the quote is the core's over the
    // new terms.
    let (status, quote) = app
        .get(&format!("/api/v1/loans/{id}/settlement"), Some(&bank))
        .await;
    assert_eq!(status, 200, "{quote}");
    let core = core_settlement(&after_loan);
    assert_eq!(quote["principal_not_due"], core.principal);
    assert_eq!(quote["accrued_profit"], core.accrued_profit);
    assert_eq!(quote["total"], core.total);
    assert_eq!(core.principal, outstanding + capitalise);

    // End of day reads the current schedule only: the old version's unpaid rows make
    // nothing overdue.
    let today = taavon_core::calendar::IsoDate::parse(&text_of(&loan, "business_date")).unwrap();
    taavon_app::eod::close_at(
        &app.store,
        today,
        &taavon_app::eod::EodSettings::default(),
        taavon_app::clock::now(),
    )
    .await
    .unwrap();
    let (_, closed) = app.get(&format!("/api/v1/loans/{id}"), Some(&bank)).await;
    assert_eq!(closed["closed_on"], loan["business_date"]);
    assert_eq!(
        (
            &closed["overdue"],
            &closed["days_overdue"],
            &closed["penalty_due"]
        ),
        (&json!(0), &json!(0), &json!(0))
    );
}

#[tokio::test]
async fn a_loan_behind_is_rescheduled_with_its_due_profit_capitalised_on_sqlite() {
    // Establishes rescheduling through the API on SQLite.
    check_reschedule(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn a_loan_behind_is_rescheduled_with_its_due_profit_capitalised_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_reschedule(app).await;
}
