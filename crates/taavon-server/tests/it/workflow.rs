//! The application workflow: every action × role × province gives the policy's answer,
//! concurrent approvals have exactly one winner, replays are harmless, large approvals
//! need a second officer, and decisions snapshot what they rested on. On SQLite and on
//! PostgreSQL.

use std::collections::HashMap;

use serde_json::{Value, json};
use taavon_testkit::{Engine, TestApp, spawn_app};

use crate::helpers::{DEMO_USERS, ui_client};

/// The demo's Ilam clothing cooperative (its representative is `coop`) and a Dorud
/// cooperative in Lorestan.
pub(crate) const ILAM_COOPERATIVE: i64 = 1;
const LORESTAN_COOPERATIVE: i64 = 3;
/// Two women-led Dorud cooperatives of the demo: handicrafts and medicinal herbs.
const DORUD_HANDICRAFTS: i64 = 4;
const ZAGROS_HERBS: i64 = 7;

pub(crate) struct Tokens(HashMap<String, String>);

impl Tokens {
    pub(crate) fn of(&self, user: &str) -> &str {
        &self.0[user]
    }

    pub(crate) fn with(mut self, user: &str, token: String) -> Self {
        self.0.insert(user.to_owned(), token);
        self
    }
}

pub(crate) async fn tokens(app: &TestApp) -> Tokens {
    let admin = app.token("admin", "demo").await;
    // A ministry clerk who drafts and submits the test applications (four eyes: whoever
    // drafts or submits never approves, so the drafter must be someone the tables below
    // do not ask about). The demo's `refah` is an officer of another bank.
    let (status, body) = app
        .post(
            "/api/v1/users",
            Some(&admin),
            &json!({"username": "clerk", "display_name": "clerk",
                    "password": "long enough password", "role": "ministry_admin"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mut tokens = HashMap::new();
    for user in DEMO_USERS.iter().chain(&["ilam2", "bank2"]) {
        tokens.insert((*user).to_owned(), app.token(user, "demo").await);
    }
    tokens.insert(
        "clerk".to_owned(),
        app.token("clerk", "long enough password").await,
    );
    Tokens(tokens)
}

pub(crate) async fn step(
    app: &TestApp,
    token: &str,
    id: i64,
    action: &str,
    key: Option<&str>,
) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/transitions")))
        .bearer_auth(token)
        .json(&json!({"action": action, "reason": "بررسی شد"}));
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A new application of `cooperative`, drafted, submitted and referred by the clerk
/// and approved by the admin, taken to the state `action` leaves from.
pub(crate) async fn application_ready_for(
    app: &TestApp,
    tokens: &Tokens,
    cooperative: i64,
    action: &str,
    amount: i64,
) -> i64 {
    let body = json!({"program": "note18", "cooperative_id": cooperative, "amount": amount,
                      "jobs": 10, "women_jobs": 4, "purpose": "خرید ماشین‌آلات"});
    application_ready(app, tokens, &body, action).await
}

/// Creates the application `body` describes (drafted by the clerk) and takes it to where
/// `action` applies: submitted and referred by the clerk, approved by the admin.
async fn application_ready(app: &TestApp, tokens: &Tokens, body: &Value, action: &str) -> i64 {
    let clerk = tokens.of("clerk");
    let (status, created) = app.post("/api/v1/applications", Some(clerk), body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let path: &[&str] = match action {
        "submit" => &[],
        "approve" | "reject" | "withdraw" => &["submit"],
        "refer" => &["submit", "approve"],
        _ => &["submit", "approve", "refer"],
    };
    for earlier in path {
        let who = if *earlier == "approve" {
            tokens.of("admin")
        } else {
            clerk
        };
        let (status, body) = step(app, who, id, earlier, None).await;
        assert_eq!(status, 200, "{earlier}: {body}");
    }
    id
}

/// A new draft of `cooperative` under Note 18, by `token`'s user.
pub(crate) async fn draft(app: &TestApp, token: &str, cooperative: i64, amount: i64) -> i64 {
    let (status, created) = app
        .post(
            "/api/v1/applications",
            Some(token),
            &json!({"program": "note18", "cooperative_id": cooperative, "amount": amount,
                    "jobs": 10, "women_jobs": 4, "purpose": "خرید ماشین‌آلات"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

/// What the policy says, per action, for a user acting on an Ilam application and on a
/// Lorestan one: (user, Ilam, Lorestan).
fn expected(action: &str) -> Vec<(&'static str, u16, u16)> {
    let officers = [
        ("admin", 200, 200),
        ("ilam", 200, 404),
        ("lorestan", 404, 200),
    ];
    let outsiders = [
        ("sso", 404, 404),
        ("auditor", 403, 403),
        ("refah", 404, 404),
    ];
    let mut table: Vec<(&str, u16, u16)> = Vec::new();
    match action {
        "submit" | "withdraw" => {
            table.extend(officers);
            table.extend([("coop", 200, 404), ("bank", 404, 404)]);
        }
        "approve" | "reject" | "refer" => {
            table.extend(officers);
            table.extend([("coop", 403, 404), ("bank", 404, 404)]);
        }
        _ => {
            // Only the bank it was referred to decides; everyone else who sees it is
            // refused, and it is invisible to the rest.
            table.extend([
                ("admin", 403, 403),
                ("ilam", 403, 404),
                ("lorestan", 404, 403),
                ("coop", 403, 404),
                ("bank", 200, 200),
            ]);
        }
    }
    table.extend(outsiders);
    table
}

async fn version_of(app: &TestApp, tokens: &Tokens, id: i64) -> Value {
    let path = format!("/api/v1/applications/{id}");
    app.get(&path, Some(tokens.of("admin"))).await.1["version"].clone()
}

async fn every_action_by_every_role_in_both_provinces(app: &TestApp, tokens: &Tokens) {
    for action in [
        "submit",
        "approve",
        "reject",
        "refer",
        "bank_approve",
        "bank_reject",
        "withdraw",
    ] {
        for (user, in_ilam, in_lorestan) in expected(action) {
            for (cooperative, want) in [
                (ILAM_COOPERATIVE, in_ilam),
                (LORESTAN_COOPERATIVE, in_lorestan),
            ] {
                let id =
                    application_ready_for(app, tokens, cooperative, action, 1_000_000_000).await;
                let before = version_of(app, tokens, id).await;
                let (status, body) = step(app, tokens.of(user), id, action, None).await;
                assert_eq!(
                    status, want,
                    "{user} {action} on cooperative {cooperative}: {body}"
                );
                let after = version_of(app, tokens, id).await;
                // A refusal changes nothing; a step moves the application once.
                if status == 200 {
                    assert_ne!(before, after);
                } else {
                    assert_eq!(before, after);
                }
            }
        }
    }
}

async fn thirty_two_concurrent_approvals_have_one_winner(app: &TestApp, tokens: &Tokens) {
    let id = application_ready_for(app, tokens, ILAM_COOPERATIVE, "approve", 1_000_000_000).await;
    let ilam = tokens.of("ilam").to_owned();
    let handles: Vec<_> = (0..32)
        .map(|n| {
            let (client, url, token) = (
                app.client.clone(),
                app.url(&format!("/api/v1/applications/{id}/transitions")),
                ilam.clone(),
            );
            tokio::spawn(async move {
                client
                    .post(url)
                    .bearer_auth(token)
                    .header("Idempotency-Key", format!("approval-{n}"))
                    .json(&json!({"action": "approve"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    one_approval_won(app, tokens, id, handles).await;
}

/// Concurrent approvals of application `id` (each task answers its status): one won
/// (200), every other was refused as a conflict (409), and one approval is recorded.
pub(crate) async fn one_approval_won(
    app: &TestApp,
    tokens: &Tokens,
    id: i64,
    approvals: Vec<tokio::task::JoinHandle<u16>>,
) {
    let mut statuses = Vec::new();
    for approval in approvals {
        statuses.push(approval.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        statuses.len() - 1,
        "{statuses:?}"
    );
    let (_, detail) = app
        .get(
            &format!("/api/v1/applications/{id}"),
            Some(tokens.of("admin")),
        )
        .await;
    let approvals = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "approve")
        .count();
    assert_eq!(approvals, 1, "{detail}");
}

async fn a_replayed_step_returns_the_first_result(app: &TestApp, tokens: &Tokens) {
    let id = application_ready_for(app, tokens, ILAM_COOPERATIVE, "approve", 1_000_000_000).await;
    let (first, body1) = step(app, tokens.of("ilam"), id, "approve", Some("k-1")).await;
    let (second, body2) = step(app, tokens.of("ilam"), id, "approve", Some("k-1")).await;
    assert_eq!((first, second), (200, 200), "{body2}");
    assert_eq!(body1["event_id"], body2["event_id"]);
    assert_eq!(body2["application"]["status"], "approved");
    // Without the key the same step is a conflict: it is no longer possible.
    assert_eq!(
        step(app, tokens.of("ilam"), id, "approve", None).await.0,
        409
    );
}

async fn large_approvals_need_a_second_officer(app: &TestApp, tokens: &Tokens) {
    let id = application_ready_for(app, tokens, ILAM_COOPERATIVE, "approve", 15_000_000_000).await;
    let (status, body) = step(app, tokens.of("ilam"), id, "approve", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["application"]["status"], "awaiting_second_approval");
    let (status, body) = step(app, tokens.of("ilam"), id, "approve", None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("four_eyes")),
        "the maker cannot check: {body}"
    );
    let (status, body) = step(app, tokens.of("ilam2"), id, "approve", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["application"]["status"], "approved");
    // The decision snapshots the applicant, the county tier, the score and the rules.
    let (_, detail) = app
        .get(
            &format!("/api/v1/applications/{id}"),
            Some(tokens.of("ilam")),
        )
        .await;
    let approval = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|e| e["action"] == "approve")
        .unwrap()
        .clone();
    let snapshot = &approval["snapshot"];
    assert_eq!(
        snapshot["applicant"]["name"],
        "تعاونی تولیدی پوشاک بانوان ایلام"
    );
    assert!(snapshot["tier"].as_i64().unwrap() >= 1);
    assert_eq!(snapshot["program"]["code"], "note18");
    let factors = snapshot["score"]["factors"].as_array().unwrap();
    assert_eq!(factors.len(), 5);
    let sum: i64 = factors
        .iter()
        .map(|f| f["points_x100"].as_i64().unwrap())
        .sum();
    assert_eq!(snapshot["score"]["total_x100"].as_i64().unwrap(), sum);
}

async fn bad_input_names_the_field_and_ineligibility_gives_reasons(app: &TestApp, tokens: &Tokens) {
    let admin = tokens.of("admin");
    for (body, field) in [
        (
            json!({"program": "note18", "cooperative_id": 1, "amount": 0, "jobs": 1,
                "purpose": "x"}),
            "amount",
        ),
        (
            json!({"program": "nothing", "cooperative_id": 1, "amount": 5, "jobs": 1,
                "purpose": "x"}),
            "program",
        ),
        (
            json!({"program": "note18", "cooperative_id": 1, "amount": 5, "jobs": 1,
                "women_jobs": 2, "purpose": "x"}),
            "women_jobs",
        ),
        (
            json!({"program": "note18", "amount": 5, "jobs": 1, "purpose": "x"}),
            "cooperative_id",
        ),
    ] {
        let (status, problem) = app.post("/api/v1/applications", Some(admin), &body).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let id = application_ready_for(app, tokens, ILAM_COOPERATIVE, "reject", 1_000_000_000).await;
    let response = app
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/transitions")))
        .bearer_auth(tokens.of("ilam"))
        .json(&json!({"action": "reject"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "reason");
    // No jobs under Note 18 (at least 2): ineligible at once, with the reason.
    let (_, created) = app
        .post(
            "/api/v1/applications",
            Some(admin),
            &json!({"program": "note18", "cooperative_id": 1, "amount": 900_000_000,
                    "jobs": 0, "purpose": "سرمایه در گردش"}),
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    let (status, body) = step(app, admin, id, "submit", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["application"]["status"], "ineligible");
    let (_, detail) = app
        .get(&format!("/api/v1/applications/{id}"), Some(admin))
        .await;
    let check = detail["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(check["action"], "eligibility");
    let codes: Vec<&str> = check["snapshot"]["unmet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["amount_per_job", "jobs_min"]);
    // The same cooperative applying again under the same program is flagged.
    assert!(
        !body["application"]["duplicate_flags"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn lists_are_scoped(app: &TestApp, tokens: &Tokens) {
    for (user, allowed) in [
        ("ilam", &["IR-16"][..]),
        ("lorestan", &["IR-15"][..]),
        ("coop", &["IR-16"][..]),
    ] {
        let (status, page) = app
            .get("/api/v1/applications?limit=500", Some(tokens.of(user)))
            .await;
        assert_eq!(status, 200);
        for item in page["items"].as_array().unwrap() {
            assert!(
                allowed.contains(&item["province"].as_str().unwrap()),
                "{user}: {item}"
            );
            if user == "coop" {
                assert_eq!(item["cooperative_id"], ILAM_COOPERATIVE);
            }
        }
    }
    let (_, page) = app
        .get("/api/v1/applications?limit=500", Some(tokens.of("bank")))
        .await;
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["referred_bank"] == "022"));
    let (_, page) = app
        .get("/api/v1/applications", Some(tokens.of("sso")))
        .await;
    assert_eq!(page["total"], 0);
}

async fn a_round_proposes_within_budgets_and_records_its_proposals(app: &TestApp, tokens: &Tokens) {
    // Three more Ilam applications under review join the demo's Lorestan one.
    for _ in 0..3 {
        application_ready_for(app, tokens, ILAM_COOPERATIVE, "approve", 2_000_000_000).await;
    }
    let body = json!({"what_ifs": [{"name": "half budget", "budget_percent": 50,
                                    "women_share_bp": 5000}]});
    let (status, _) = app
        .post(
            "/api/v1/programs/note18/rounds",
            Some(tokens.of("ilam")),
            &body,
        )
        .await;
    assert_eq!(
        status, 403,
        "a provincial officer cannot run a national round"
    );
    let (status, round) = app
        .post(
            "/api/v1/programs/note18/rounds",
            Some(tokens.of("auditor")),
            &body,
        )
        .await;
    assert_eq!(status, 200, "{round}");
    let scenarios = round["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 2);
    for s in scenarios {
        assert!(s["objective"].as_f64().unwrap() <= s["upper_bound"].as_f64().unwrap() + 1e-9);
        // A policy that funds nothing has no indicators to show.
        if s["funded_amount_rial"] == 0 {
            assert!(s["indicators"].is_null(), "{s}");
        }
        for p in s["provinces"].as_array().unwrap() {
            assert!(p["used_rial"].as_i64().unwrap() <= p["budget_rial"].as_i64().unwrap());
        }
    }
    let lines = round["lines"].as_array().unwrap();
    assert!(lines.len() >= 4, "{round}");
    assert!(lines.iter().all(|l| l["binding"].is_string()));
    assert!(round["recorded_round"].is_null());
    let (status, _) = app
        .post(
            "/api/v1/programs/note18/rounds",
            Some(tokens.of("auditor")),
            &json!({"record": true}),
        )
        .await;
    assert_eq!(status, 403, "recording is the ministry's");
    let (status, recorded) = app
        .post(
            "/api/v1/programs/note18/rounds",
            Some(tokens.of("admin")),
            &json!({"record": true}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(recorded["recorded_round"].as_i64().unwrap() >= 1);
    // Proposals are not approvals: the applications are still under review.
    let id = lines[0]["application_id"].as_i64().unwrap();
    let (_, detail) = app
        .get(
            &format!("/api/v1/applications/{id}"),
            Some(tokens.of("admin")),
        )
        .await;
    assert_ne!(detail["status"], "approved");
}

/// The funded amount of `sector` and of everything in the program's own scenario.
fn funded_amounts(round: &Value, sector: &str) -> (i64, i64) {
    let lines = round["lines"].as_array().unwrap();
    let funded = |l: &&Value| l["funded"] == true;
    let amount = |l: &Value| l["amount"].as_i64().unwrap();
    let total: i64 = lines.iter().filter(funded).map(amount).sum();
    let part: i64 = lines
        .iter()
        .filter(funded)
        .filter(|l| l["sector"] == sector)
        .map(amount)
        .sum();
    (part, total)
}

async fn a_sector_cap_holds_its_sector_down_in_a_round(app: &TestApp, tokens: &Tokens) {
    // In Lorestan (Ilam's budget is committed by now), three handicraft applications of
    // the Dorud women's cooperative, worth twice as many jobs per rial as the rest, and
    // three of the women-led herbal cooperative join the round. Capping handicrafts at
    // 10 % of the funded amount keeps some of them out, says so, and the round's own
    // figures respect the cap.
    for (cooperative, jobs) in [(DORUD_HANDICRAFTS, 20), (ZAGROS_HERBS, 10)] {
        for _ in 0..3 {
            let body = json!({"program": "note18", "cooperative_id": cooperative,
                              "amount": 1_000_000_000, "jobs": jobs, "women_jobs": jobs / 2,
                              "purpose": "کارگاه"});
            application_ready(app, tokens, &body, "approve").await;
        }
    }
    let admin = tokens.of("admin");
    let run = || async {
        let (status, round) = app
            .post("/api/v1/programs/note18/rounds", Some(admin), &json!({}))
            .await;
        assert_eq!(status, 200, "{round}");
        round
    };
    let free = run().await;
    // The balanced-development indicators of what the policy funds, by county.
    let own = &free["scenarios"][0];
    let indicators = &own["indicators"];
    assert_eq!(
        indicators["allocated_rial"], own["funded_amount_rial"],
        "{own}"
    );
    let gini = indicators["gini"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&gini), "{own}");
    let theil = indicators["theil"].as_f64().unwrap();
    let parts = indicators["theil_between"].as_f64().unwrap()
        + indicators["theil_within"].as_f64().unwrap();
    assert!((theil - parts).abs() < 1e-9, "{own}");
    // The round's page shows the indicators of the policy and the what-if side by side.
    let browser = crate::helpers::ui_client(app, "admin").await;
    let page = browser
        .get(app.url("/programs/note18/round?budget_percent=50&women_share=50"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let table = page
        .split("شاخص‌های توسعهٔ متوازن")
        .nth(2)
        .expect("the indicators' table");
    let gini_row = table.split("ضریب جینی سرانه").nth(1).unwrap();
    let gini_row = gini_row.split("</tr>").next().unwrap();
    assert_eq!(
        gini_row.matches("<td class=\"num\">").count(),
        2,
        "{gini_row}"
    );
    let (part, total) = funded_amounts(&free, "handicrafts");
    assert!(
        part * 10_000 > 1_000 * total,
        "without a cap handicrafts take {part} of {total}"
    );

    let (_, mut program) = app.get("/api/v1/programs/note18", Some(admin)).await;
    program["rules"]["quotas"]["sector_caps_bp"] = json!({"handicrafts": 1000});
    let response = app
        .client
        .put(app.url("/api/v1/programs/note18"))
        .bearer_auth(admin)
        .json(&program)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        200,
        "{}",
        response.text().await.unwrap()
    );

    let capped = run().await;
    let (part, total) = funded_amounts(&capped, "handicrafts");
    assert!(total > 0, "{capped}");
    assert!(part * 10_000 <= 1_000 * total, "{part} of {total}");
    let own = &capped["scenarios"][0];
    assert_eq!(
        own["sectors"],
        json!([{"sector": "handicrafts", "cap_bp": 1000, "funded_rial": part}])
    );
    assert_eq!(own["funded_amount_rial"], total);
    let held: Vec<&Value> = capped["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["sector"] == "handicrafts" && l["funded"] == false)
        .collect();
    assert!(
        held.iter().any(|l| l["binding"] == "sector_cap"),
        "{held:?}"
    );
    // The round page shows the cap and names it as the reason, in Persian.
    let page = ui_client(app, "admin")
        .await
        .get(app.url("/programs/note18/round"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("سقف سهم بخش‌ها"), "{page}");
    assert!(page.contains("<td>سقف سهم بخش</td>"), "{page}");
}

async fn check_workflow(app: TestApp) {
    let tokens = tokens(&app).await;
    every_action_by_every_role_in_both_provinces(&app, &tokens).await;
    thirty_two_concurrent_approvals_have_one_winner(&app, &tokens).await;
    a_replayed_step_returns_the_first_result(&app, &tokens).await;
    large_approvals_need_a_second_officer(&app, &tokens).await;
    bad_input_names_the_field_and_ineligibility_gives_reasons(&app, &tokens).await;
    lists_are_scoped(&app, &tokens).await;
    a_round_proposes_within_budgets_and_records_its_proposals(&app, &tokens).await;
    a_sector_cap_holds_its_sector_down_in_a_round(&app, &tokens).await;
}

#[tokio::test]
async fn the_application_workflow_keeps_its_rules_on_sqlite() {
    // Establishes issue 5's workflow acceptance lines on SQLite.
    check_workflow(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn the_application_workflow_keeps_its_rules_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_workflow(app).await;
}
