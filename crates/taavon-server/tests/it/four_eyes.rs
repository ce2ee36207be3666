//! Four eyes (issue 11): whoever drafted or submitted an application never approves it
//! and a second approval comes from another officer, also when requests race; a bank's
//! rescheduling or reversal above the configured amount waits for a second officer of
//! the same bank, also when approvals race; pages offer exactly the moves the app
//! allows; and a record named in a request is checked against the caller's scope before
//! any field, so an answer never tells which records exist elsewhere. On SQLite and on
//! PostgreSQL.

use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::SeqCst;

use serde_json::{Value, json};
use taavon_testkit::{Engine, TestApp, spawn_app};

use crate::helpers::ui_client;
use crate::loans::{due_profit, field_of, loan_behind, post_keyed};
use crate::workflow::{ILAM_COOPERATIVE, Tokens, draft, step, tokens};

/// One request of a race: who sends it, where, with what.
struct Racer {
    user: &'static str,
    path: String,
    body: Value,
}

/// Sends every request at once (each with its own `Idempotency-Key`, never used before,
/// so none is a replay of another) and answers (user, status, problem code) for each, in
/// order.
async fn race(
    app: &TestApp,
    tokens: &Tokens,
    racers: Vec<Racer>,
) -> Vec<(&'static str, u16, String)> {
    static KEYS: AtomicUsize = AtomicUsize::new(0);
    let handles: Vec<_> = racers
        .into_iter()
        .map(|racer| {
            let request = app
                .client
                .post(app.url(&racer.path))
                .bearer_auth(tokens.of(racer.user))
                .header(
                    "Idempotency-Key",
                    format!("race-{}", KEYS.fetch_add(1, SeqCst)),
                )
                .json(&racer.body);
            tokio::spawn(async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                let body: Value = response.json().await.unwrap_or(Value::Null);
                (
                    racer.user,
                    status,
                    body["code"].as_str().unwrap_or_default().to_owned(),
                )
            })
        })
        .collect();
    let mut answers = Vec::new();
    for handle in handles {
        answers.push(handle.await.unwrap());
    }
    answers
}

/// Eight requests from each user, interleaved.
fn eight_each(users: &[&'static str], path: &str, body: &Value) -> Vec<Racer> {
    (0..8)
        .flat_map(|_| {
            users.iter().map(|user| Racer {
                user,
                path: path.to_owned(),
                body: body.clone(),
            })
        })
        .collect()
}

/// Checks a race's answers: every request of the users in `refused` was refused by four
/// eyes, and of `winner`'s exactly one succeeded with `success`; the rest of the winner's
/// lost the race (409) or, coming after its own success, were refused by four eyes.
fn only_once(
    answers: &[(&'static str, u16, String)],
    refused: &[&str],
    winner: &str,
    success: u16,
) {
    for user in refused {
        assert!(
            answers_of(answers, user)
                .iter()
                .all(|a| *a == (403, "four_eyes")),
            "{answers:?}"
        );
    }
    let won = answers_of(answers, winner);
    assert_eq!(
        won.iter().filter(|a| a.0 == success).count(),
        1,
        "{answers:?}"
    );
    assert!(
        won.iter()
            .all(|a| a.0 == success || *a == (409, "conflict") || *a == (403, "four_eyes")),
        "{answers:?}"
    );
}

fn answers_of<'a>(answers: &'a [(&'static str, u16, String)], user: &str) -> Vec<(u16, &'a str)> {
    answers
        .iter()
        .filter(|(who, _, _)| *who == user)
        .map(|(_, status, code)| (*status, code.as_str()))
        .collect()
}

async fn application(app: &TestApp, token: &str, id: i64) -> Value {
    let (status, detail) = app
        .get(&format!("/api/v1/applications/{id}"), Some(token))
        .await;
    assert_eq!(status, 200, "{detail}");
    detail
}

fn permitted(detail: &Value) -> Vec<&str> {
    detail["permitted_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect()
}

/// The page at `path` as `user` sees it (it must be there for them).
async fn page_of(app: &TestApp, user: &str, path: &str) -> String {
    let client = ui_client(app, user).await;
    let response = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{user} {path}");
    response.text().await.unwrap()
}

/// Whether the application page, as `user` sees it, offers the step `action`.
async fn page_offers(app: &TestApp, user: &str, id: i64, action: &str) -> bool {
    page_of(app, user, &format!("/applications/{id}"))
        .await
        .contains(&format!("name=\"action\" value=\"{action}\""))
}

async fn check_applications(app: TestApp) {
    let tokens = tokens(&app).await;
    let transitions = |id: i64| format!("/api/v1/applications/{id}/transitions");

    // An officer filing for the cooperative drafts and submits it: they never approve it.
    let id = draft(&app, tokens.of("ilam"), ILAM_COOPERATIVE, 15_000_000_000).await;
    assert_eq!(
        step(&app, tokens.of("ilam"), id, "submit", None).await.0,
        200
    );

    // The drafter races the second officer: none of the drafter's requests counts, and
    // the second officer's count once (the first approval of a large amount).
    let body = json!({"action": "approve"});
    let answers = race(
        &app,
        &tokens,
        eight_each(&["ilam", "ilam2"], &transitions(id), &body),
    )
    .await;
    only_once(&answers, &["ilam"], "ilam2", 200);
    let detail = application(&app, tokens.of("admin"), id).await;
    assert_eq!(detail["status"], "awaiting_second_approval");
    assert_eq!(
        permitted(&application(&app, tokens.of("ilam2"), id).await),
        ["reject", "withdraw"]
    );

    // Now the drafter, the first approver and a ministry admin race: only the admin's
    // approval counts, once, and it needed two different officers.
    let answers = race(
        &app,
        &tokens,
        eight_each(&["ilam", "ilam2", "admin"], &transitions(id), &body),
    )
    .await;
    only_once(&answers, &["ilam", "ilam2"], "admin", 200);
    let detail = application(&app, tokens.of("admin"), id).await;
    assert_eq!(detail["status"], "approved");
    let approvers: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "approve")
        .map(|e| e["actor"].as_str().unwrap().rsplit(':').next().unwrap())
        .collect();
    assert_eq!(approvers, ["ilam2", "admin"]);
    let events = &detail["events"];
    assert_eq!(
        events[0]["action"], "create",
        "the drafting is recorded: {events}"
    );
    assert!(events[0]["actor"].as_str().unwrap().ends_with(":ilam"));

    // The submitter alone, and the drafter alone, are each barred: the representative
    // drafts and the officer submits, or the second officer drafts and the
    // representative submits.
    let id = draft(&app, tokens.of("coop"), ILAM_COOPERATIVE, 1_000_000_000).await;
    assert_eq!(
        step(&app, tokens.of("ilam"), id, "submit", None).await.0,
        200
    );
    // The API and the page offer the approval to the other officer only.
    assert_eq!(
        permitted(&application(&app, tokens.of("ilam"), id).await),
        ["reject", "withdraw"]
    );
    assert_eq!(
        permitted(&application(&app, tokens.of("ilam2"), id).await),
        ["approve", "reject", "withdraw"]
    );
    assert!(!page_offers(&app, "ilam", id, "approve").await);
    assert!(page_offers(&app, "ilam", id, "reject").await);
    assert!(page_offers(&app, "ilam2", id, "approve").await);
    let (status, body) = step(&app, tokens.of("ilam"), id, "approve", None).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("four_eyes")));
    let (status, body) = step(&app, tokens.of("coop"), id, "approve", None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("forbidden")),
        "the applicant never approves"
    );
    assert_eq!(
        step(&app, tokens.of("ilam2"), id, "approve", None).await.0,
        200
    );
    let id = draft(&app, tokens.of("ilam2"), ILAM_COOPERATIVE, 1_000_000_000).await;
    assert_eq!(
        step(&app, tokens.of("coop"), id, "submit", None).await.0,
        200
    );
    let (status, body) = step(&app, tokens.of("ilam2"), id, "approve", None).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("four_eyes")));
    assert_eq!(
        step(&app, tokens.of("ilam"), id, "approve", None).await.0,
        200
    );
}

#[tokio::test]
async fn whoever_drafted_or_submitted_never_approves_and_a_second_approval_needs_another_officer_on_sqlite()
 {
    // Establishes four eyes on applications, under racing requests, on SQLite.
    check_applications(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn whoever_drafted_or_submitted_never_approves_and_a_second_approval_needs_another_officer_on_postgres()
 {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_applications(app).await;
}

async fn check_scope_first(app: TestApp) {
    let tokens = tokens(&app).await;
    // The Lorestan officer names the Ilam cooperative (it exists, in another province)
    // and one that does not exist, each with an invalid amount: the same 404 for both,
    // before the amount is judged.
    let body = |cooperative: i64| {
        json!({"program": "note18", "cooperative_id": cooperative, "amount": 0, "jobs": 1,
               "purpose": "x"})
    };
    let create = |token: &'static str, cooperative: i64| {
        let app = &app;
        let token = tokens.of(token).to_owned();
        let body = body(cooperative);
        async move { app.post("/api/v1/applications", Some(&token), &body).await }
    };
    let (elsewhere, missing) = (
        create("lorestan", ILAM_COOPERATIVE).await,
        create("lorestan", 999_999).await,
    );
    assert_eq!(elsewhere.0, 404, "{}", elsewhere.1);
    assert_eq!(elsewhere, missing);
    // A representative names a neighbour in its own province: not theirs, so not found.
    let neighbour = create("coop", ILAM_COOPERATIVE + 1).await;
    assert_eq!(neighbour, create("coop", 999_999).await);
    assert_eq!(neighbour.0, 404);
    // In scope, the fields are judged.
    let (status, problem) = create("ilam", ILAM_COOPERATIVE).await;
    assert_eq!((status, field_of(&problem)), (422, ("amount", "positive")));

    // A transition with an unknown action on an application outside the caller's scope
    // is answered like one on a missing application.
    let ilam_application = draft(&app, tokens.of("ilam"), ILAM_COOPERATIVE, 1_000_000_000).await;
    let act = |id: i64| {
        let app = &app;
        let token = tokens.of("lorestan").to_owned();
        async move {
            app.post(
                &format!("/api/v1/applications/{id}/transitions"),
                Some(&token),
                &json!({"action": "fly"}),
            )
            .await
        }
    };
    let (elsewhere, missing) = (act(ilam_application).await, act(999_999).await);
    assert_eq!(elsewhere.0, 404, "{}", elsewhere.1);
    assert_eq!(elsewhere, missing);
}

#[tokio::test]
async fn a_record_outside_the_callers_scope_is_not_found_before_any_field_is_judged_on_sqlite() {
    // Establishes scope before validation in drafting and moving applications, on SQLite.
    check_scope_first(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn a_record_outside_the_callers_scope_is_not_found_before_any_field_is_judged_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_scope_first(app).await;
}

async fn loan(app: &TestApp, token: &str, id: i64) -> Value {
    let (status, body) = app.get(&format!("/api/v1/loans/{id}"), Some(token)).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Proposal `pid` as the loan's list shows it to `token`'s user.
async fn listed_proposal(app: &TestApp, token: &str, id: i64, pid: i64) -> Value {
    let (status, listed) = app
        .get(&format!("/api/v1/loans/{id}/proposals"), Some(token))
        .await;
    assert_eq!(status, 200, "{listed}");
    listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == pid)
        .unwrap()
        .clone()
}

fn count_kind(loan: &Value, kind: &str) -> usize {
    loan["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == kind)
        .count()
}

/// Whether the loan page, as `user` sees it, offers `form` (`approval` or `rejection`)
/// on the proposal.
async fn loan_page_offers(app: &TestApp, user: &str, id: i64, proposal: i64, form: &str) -> bool {
    page_of(app, user, &format!("/loans/{id}"))
        .await
        .contains(&format!("/loans/{id}/proposals/{proposal}/{form}\""))
}

async fn check_bank(app: TestApp) {
    let tokens = tokens(&app).await;
    // A third officer of the bank, so two second officers can race.
    let (status, body) = app
        .post(
            "/api/v1/users",
            Some(tokens.of("admin")),
            &json!({"username": "bank3", "display_name": "bank3", "role": "bank_officer",
                    "password": "long enough password", "bank": "022"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let tokens = tokens.with("bank3", app.token("bank3", "long enough password").await);
    let (bank, bank2) = (tokens.of("bank"), tokens.of("bank2"));
    let behind = loan_behind(&app, bank).await;
    let id = behind["id"].as_i64().unwrap();
    // The officer of the loan's province reads it but moves no money.
    let officer = if behind["province"] == "IR-16" {
        "ilam"
    } else {
        "lorestan"
    };
    let (status, paid) = app
        .post(
            &format!("/api/v1/loans/{id}/repayments"),
            Some(bank),
            &json!({"amount": behind["penalty_due"]}),
        )
        .await;
    assert_eq!(status, 201, "{paid}");
    let capitalise = due_profit(&app, &paid["loan"]).await;
    let months = 24;
    let reschedule = format!("/api/v1/loans/{id}/reschedule");
    let body = json!({"months": months, "capitalise_rial": capitalise});
    let threshold =
        taavon_app::applications::WorkflowSettings::default().bank_second_approval_above_rial;
    assert!(paid["loan"]["outstanding_principal"].as_i64().unwrap() + capitalise > threshold);

    // Above the amount the officer's rescheduling is a proposal: recorded, not executed.
    let (status, proposal) = post_keyed(&app, &reschedule, bank, "propose-1", &body).await;
    assert_eq!(status, 202, "{proposal}");
    assert_eq!(
        (
            &proposal["status"],
            &proposal["kind"],
            &proposal["may_approve"],
            &proposal["may_reject"]
        ),
        (
            &json!("pending"),
            &json!("reschedule"),
            &json!(false),
            &json!(true)
        )
    );
    assert_eq!(proposal["request"]["capitalise_rial"], capitalise);
    let pid = proposal["id"].as_i64().unwrap();
    let unchanged = loan(&app, bank, id).await;
    assert_eq!(
        (
            &unchanged["schedule_version"],
            count_kind(&unchanged, "reschedule")
        ),
        (&json!(1), 0)
    );
    let listed = listed_proposal(&app, bank2, id, pid).await;
    assert_eq!(
        (&listed["may_approve"], &listed["may_reject"]),
        (&json!(true), &json!(true))
    );
    assert!(!loan_page_offers(&app, "bank", id, pid, "approval").await);
    assert!(loan_page_offers(&app, "bank", id, pid, "rejection").await);
    assert!(loan_page_offers(&app, "bank2", id, pid, "approval").await);
    assert!(!loan_page_offers(&app, officer, id, pid, "approval").await);

    // Nobody else approves it: the province's officer may not, another bank does not
    // see it, and a proposal of another loan is not found here.
    let approval = |proposal: i64| format!("/api/v1/loans/{id}/proposals/{proposal}/approval");
    let (status, refused) = app
        .post(&approval(pid), Some(tokens.of(officer)), &json!({}))
        .await;
    assert_eq!((status, refused["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(
        app.post(&approval(pid), Some(tokens.of("refah")), &json!({}))
            .await
            .0,
        404
    );
    assert_eq!(
        app.post(&approval(999_999), Some(bank2), &json!({}))
            .await
            .0,
        404
    );

    // The proposer races the second officer: the proposer's approvals never count, the
    // second officer's once, and the loan is rescheduled exactly once.
    let answers = race(
        &app,
        &tokens,
        eight_each(&["bank", "bank2"], &approval(pid), &json!({})),
    )
    .await;
    only_once(&answers, &["bank"], "bank2", 201);
    let after = loan(&app, bank, id).await;
    assert_eq!(
        (&after["schedule_version"], count_kind(&after, "reschedule")),
        (&json!(2), 1)
    );
    let executed = listed_proposal(&app, bank, id, pid).await;
    assert_eq!(executed["status"], "executed");
    assert!(executed["decided_by"].as_str().unwrap().ends_with(":bank2"));
    let transaction = executed["transaction_id"].clone();
    // The proposer's retry answers with what their request became.
    let (status, replay) = post_keyed(&app, &reschedule, bank, "propose-1", &body).await;
    assert_eq!((status, &replay["transaction_id"]), (201, &transaction));

    // One officer's two requests for the same change, approved at once by two other
    // officers: they do not count as two, one is carried out and the loan moves once.
    let again = json!({"months": months, "capitalise_rial": 0});
    let mut racers = Vec::new();
    for (key, approver) in [("propose-2", "bank2"), ("propose-3", "bank3")] {
        let (status, proposal) = post_keyed(&app, &reschedule, bank, key, &again).await;
        assert_eq!(status, 202, "{proposal}");
        racers.extend((0..4).map(|_| Racer {
            user: approver,
            path: approval(proposal["id"].as_i64().unwrap()),
            body: json!({}),
        }));
    }
    let answers = race(&app, &tokens, racers).await;
    assert_eq!(
        answers.iter().filter(|a| a.1 == 201).count(),
        1,
        "{answers:?}"
    );
    assert!(
        answers
            .iter()
            .all(|a| a.1 == 201 || (a.1, a.2.as_str()) == (409, "conflict")),
        "{answers:?}"
    );
    let after = loan(&app, bank, id).await;
    assert_eq!(
        (&after["schedule_version"], count_kind(&after, "reschedule")),
        (&json!(3), 2)
    );

    // A rejection needs a reason; the proposer may withdraw; a decided proposal is final.
    let (status, proposal) = post_keyed(&app, &reschedule, bank, "propose-4", &again).await;
    assert_eq!(status, 202, "{proposal}");
    let rejection = format!("/api/v1/loans/{id}/proposals/{}/rejection", proposal["id"]);
    let (status, problem) = app
        .post(&rejection, Some(bank2), &json!({"reason": " "}))
        .await;
    assert_eq!((status, field_of(&problem)), (422, ("reason", "required")));
    let (status, rejected) = app
        .post(&rejection, Some(bank), &json!({"reason": "اشتباه در مدت"}))
        .await;
    assert_eq!(
        (status, &rejected["status"]),
        (200, &json!("rejected")),
        "{rejected}"
    );
    let approve_rejected = approval(proposal["id"].as_i64().unwrap());
    assert_eq!(
        app.post(&approve_rejected, Some(bank2), &json!({})).await.0,
        409
    );
    assert_eq!(loan(&app, bank, id).await["schedule_version"], 3);

    // A reversal of a large repayment waits for the second officer too.
    let big = threshold + 1;
    let (status, paid) = app
        .post(
            &format!("/api/v1/loans/{id}/repayments"),
            Some(bank),
            &json!({"amount": big}),
        )
        .await;
    assert_eq!(status, 201, "{paid}");
    let repayment = paid["transaction_id"].as_i64().unwrap();
    let reversal = format!("/api/v1/loans/{id}/transactions/{repayment}/reversal");
    let (status, proposal) = app
        .post(&reversal, Some(bank), &json!({"reason": "واریز تکراری"}))
        .await;
    assert_eq!(
        (status, &proposal["kind"], &proposal["amount"]),
        (202, &json!("reversal"), &json!(big))
    );
    assert_eq!(count_kind(&loan(&app, bank, id).await, "reversal"), 0);
    let approve_reversal = approval(proposal["id"].as_i64().unwrap());
    let (status, body) = app.post(&approve_reversal, Some(bank), &json!({})).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("four_eyes")));
    let (status, done) = app.post(&approve_reversal, Some(bank2), &json!({})).await;
    assert_eq!(status, 201, "{done}");
    let reversed = done["loan"]["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == repayment)
        .unwrap()
        .clone();
    assert_eq!(reversed["reversed_by"], done["transaction_id"]);
    let mut read = app.store.read().await.unwrap();
    assert!(read.check_ledger().await.unwrap().is_ok(), "ledger check");
    read.finish().await.unwrap();
}

#[tokio::test]
async fn a_banks_rescheduling_or_reversal_above_the_amount_waits_for_a_second_officer_on_sqlite() {
    // Establishes four eyes on bank money actions, under racing approvals, on SQLite.
    check_bank(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn a_banks_rescheduling_or_reversal_above_the_amount_waits_for_a_second_officer_on_postgres()
{
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_bank(app).await;
}
