//! The registry's finer rules against the attacks that found them: who changes which
//! field of a cooperative (and with what reason), what a national code reveals, what a
//! duplicate flag names, and a share register that no amount can freeze. On SQLite and
//! on PostgreSQL.

use serde_json::{Value, json};
use taavon_core::ids::{LegalId, NationalCode};
use taavon_testkit::{Engine, TestApp, spawn_app};

use crate::helpers::{DEMO_USERS, WHO, csrf_of, sqlite_app, ui_client};

/// The Ilam women's clothing cooperative, the `coop` user's own.
const ILAM_COOPERATIVE: &str = "/api/v1/cooperatives/1";
/// A Dorud cooperative in Lorestan, whose members the Ilam representative cannot see.
const DORUD_COOPERATIVE: &str = "/api/v1/cooperatives/3";

async fn patch(app: &TestApp, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = app.client.patch(app.url(ILAM_COOPERATIVE)).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Two valid values of every field of a cooperative, so that a change can always be made
/// from whichever one it holds (the demo's values come first where the demo sets them).
fn values(field: &str) -> [Value; 2] {
    let legal_id = |seed: u64| {
        (0..)
            .find_map(|k| {
                LegalId::with_check_digit(&format!("{:010}", 1_499_000_000 + seed * 10 + k))
            })
            .unwrap()
            .to_string()
    };
    match field {
        "name" => [
            json!("تعاونی تولیدی پوشاک بانوان ایلام"),
            json!("تعاونی پوشاک بانوان ایلام"),
        ],
        "address" => [json!("ایلام، خیابان فردوسی"), json!("ایلام، بلوار دانشجو")],
        "phone" => [json!("084-32221100"), json!("084-32221101")],
        "type" => [json!("production"), json!("service")],
        "sector" => [json!("textiles"), json!("handicrafts")],
        "county" => [json!("1601"), json!("1607")],
        "legal_id" => [json!(legal_id(1)), json!(legal_id(2))],
        "registration_number" => [json!("16-1400"), json!("16-9999")],
        "registered_on" => [json!("2024-05-12"), json!("2024-06-01")],
        "founded_on" => [json!("2024-05-12"), json!("2020-01-01")],
        "women_led" => [json!(true), json!(false)],
        "status" => [json!("active"), json!("suspended")],
        other => panic!("no values for {other}"),
    }
}

const CONTACT: [&str; 3] = ["name", "address", "phone"];
const REGULATORY: [&str; 9] = [
    "type",
    "sector",
    "county",
    "legal_id",
    "registration_number",
    "registered_on",
    "founded_on",
    "women_led",
    "status",
];

/// The answer to a PATCH of the Ilam cooperative's contact field, for each of `WHO`.
const CONTACT_ANSWERS: [u16; 9] = [401, 200, 200, 404, 403, 404, 200, 403, 403];
/// The answer to a PATCH of one of its regulatory fields (with a reason).
const REGULATORY_ANSWERS: [u16; 9] = [401, 200, 200, 404, 403, 404, 403, 403, 403];

async fn check_fields(app: TestApp) {
    assert_eq!(&WHO[1..], &DEMO_USERS);
    let mut tokens = vec![None];
    for user in DEMO_USERS {
        tokens.push(Some(app.token(user, "demo").await));
    }
    let admin = tokens[1].clone();
    let read = || async { app.get(ILAM_COOPERATIVE, admin.as_deref()).await.1 };
    let mut failures = Vec::new();
    for (fields, answers) in [
        (&CONTACT[..], CONTACT_ANSWERS),
        (&REGULATORY[..], REGULATORY_ANSWERS),
    ] {
        for field in fields {
            for ((who, token), expected) in WHO.iter().zip(&tokens).zip(answers) {
                let before = read().await;
                let [first, second] = values(field);
                let changed = if before[field] == first {
                    second
                } else {
                    first
                };
                let body = json!({"version": before["version"], *field: changed,
                                  "reason": "حکم اداره کل، نامه ۱۲۳"});
                let (status, answer) = patch(&app, token.as_deref(), &body).await;
                let after = read().await;
                if status != expected {
                    failures.push(format!(
                        "PATCH {field} as {who}: {status} {answer}, expected {expected}"
                    ));
                }
                if status == 200 && after[field] != changed {
                    failures.push(format!("PATCH {field} as {who} left {}", after[field]));
                }
                if status != 200 && after != before {
                    failures.push(format!("refused PATCH {field} as {who} changed {after}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "field × role failures:\n{}",
        failures.join("\n")
    );

    // The provincial officer changes a regulatory field only with a reason, which the
    // audit trail keeps; a contact field needs none.
    let ilam = tokens[2].as_deref();
    for field in REGULATORY {
        let before = read().await;
        let [first, second] = values(field);
        let changed = if before[field] == first {
            second
        } else {
            first
        };
        for reason in [None, Some("  ")] {
            let body =
                json!({"version": before["version"], field: changed.clone(), "reason": reason});
            let (status, problem) = patch(&app, ilam, &body).await;
            assert_eq!(
                (
                    status,
                    problem["errors"][0]["field"].as_str(),
                    problem["errors"][0]["rule"].as_str()
                ),
                (422, Some("reason"), Some("required")),
                "{field} without a reason: {problem}"
            );
            assert_eq!(read().await, before, "{field} changed without a reason");
        }
    }
    let before = read().await;
    let body = json!({"version": before["version"], "status": "suspended", "reason": "عدم ارائه صورت‌های مالی"});
    let body = if before["status"] == "suspended" {
        json!({"version": before["version"], "status": "active", "reason": "عدم ارائه صورت‌های مالی"})
    } else {
        body
    };
    assert_eq!(patch(&app, ilam, &body).await.0, 200);
    let (_, audit) = app.get("/api/v1/audit?limit=5", admin.as_deref()).await;
    let update = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "cooperative.update")
        .unwrap();
    assert_eq!(
        update["after"]["reason"], "عدم ارائه صورت‌های مالی",
        "{update}"
    );
    let before = read().await;
    let [first, second] = values("phone");
    let phone = if before["phone"] == first {
        second
    } else {
        first
    };
    let (status, _) = patch(
        &app,
        ilam,
        &json!({"version": before["version"], "phone": phone}),
    )
    .await;
    assert_eq!(status, 200, "a contact field needs no reason");
    assert_eq!(app.store.verify_audit().await.unwrap().first_broken, None);
}

#[tokio::test]
async fn each_role_changes_exactly_the_fields_the_policy_gives_it_on_sqlite() {
    // Establishes every cell of the field × role table over HTTP: a representative's
    // PATCH of any regulatory field answers 403 and changes nothing, an officer's needs a
    // reason (422 without, kept in the audit with).
    check_fields(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn each_role_changes_exactly_the_fields_the_policy_gives_it_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_fields(app).await;
}

/// A member of the Dorud cooperative, as the admin reads them.
async fn dorud_member(app: &TestApp) -> Value {
    let admin = app.token("admin", "demo").await;
    let (_, members) = app
        .get(&format!("{DORUD_COOPERATIVE}/members"), Some(&admin))
        .await;
    members[0].clone()
}

fn person(member: &Value, first_name: &str, gender: &str, birth_year: i64) -> Value {
    json!({"national_code": member["national_code"], "first_name": first_name,
           "last_name": member["last_name"], "gender": gender, "birth_year": birth_year})
}

/// Asserts a 422 `identity_mismatch` on `field` that names nothing recorded of the person.
fn assert_mismatch(answer: &(u16, Value), field: &str, recorded: &Value) {
    let (status, problem) = answer;
    assert_eq!(
        (
            *status,
            problem["errors"][0]["field"].as_str(),
            problem["errors"][0]["rule"].as_str()
        ),
        (422, Some(field), Some("identity_mismatch")),
        "{problem}"
    );
    let text = problem.to_string();
    for key in ["first_name", "last_name"] {
        let value = recorded[key].as_str().unwrap();
        assert!(!text.contains(value), "{text} reveals {key}");
    }
    assert!(
        !text.contains(&recorded["birth_year"].to_string()),
        "{text} reveals the birth year"
    );
}

async fn check_identities(app: TestApp) {
    let recorded = dorud_member(&app).await;
    let (first, gender) = (
        recorded["first_name"].as_str().unwrap(),
        recorded["gender"].as_str().unwrap(),
    );
    let year = recorded["birth_year"].as_i64().unwrap();
    let other_gender = if gender == "female" { "male" } else { "female" };
    let coop = app.token("coop", "demo").await;
    let members = format!("{ILAM_COOPERATIVE}/members");
    let (_, before) = app.get(&members, Some(&coop)).await;

    // The Ilam representative types a Dorud member's national code with another name,
    // gender or birth year: refused, revealing nothing, enrolling nobody.
    for typed in [
        person(&recorded, "ناشناس", gender, year),
        person(&recorded, first, other_gender, year),
        person(&recorded, first, gender, year + 1),
        json!({"national_code": recorded["national_code"], "first_name": first,
               "last_name": recorded["last_name"], "gender": gender}),
    ] {
        let answer = app.post(&members, Some(&coop), &typed).await;
        assert_mismatch(&answer, "national_code", &recorded);
    }
    assert_eq!(app.get(&members, Some(&coop)).await.1, before);

    // The same person, typed on an Arabic keyboard, is the same person: enrolled as recorded.
    let arabic = |name: &str| name.replace('ی', "ي").replace('ک', "ك");
    let typed = json!({"national_code": recorded["national_code"],
                       "first_name": arabic(first), "last_name": arabic(recorded["last_name"].as_str().unwrap()),
                       "gender": gender, "birth_year": year});
    let (status, enrolled) = app.post(&members, Some(&coop), &typed).await;
    assert_eq!(status, 201, "{enrolled}");
    assert_eq!(
        (enrolled["id"].clone(), enrolled["first_name"].clone()),
        (recorded["id"].clone(), recorded["first_name"].clone())
    );

    // Clients and founders are held to the same rule.
    let ilam = app.token("ilam", "demo").await;
    let client = json!({"kind": "welfare", "national_code": recorded["national_code"], "first_name": "ناشناس",
                        "last_name": recorded["last_name"], "gender": gender, "birth_year": year, "county": "1601"});
    let answer = app.post("/api/v1/clients", Some(&ilam), &client).await;
    assert_mismatch(&answer, "national_code", &recorded);
    let founders: Vec<Value> = (0..7u32)
        .map(|i| {
            let code = NationalCode::with_check_digit(&format!("{:09}", 610_000_000 + i * 17)).unwrap();
            json!({"national_code": code.as_str(), "first_name": "نرگس", "last_name": "ملکی",
                   "gender": "female", "birth_year": 1988, "subscribed_rial": 3_000_000, "paid_rial": 1_000_000})
        })
        .chain(std::iter::once(json!({"national_code": recorded["national_code"], "first_name": "ناشناس",
            "last_name": "ملکی", "gender": gender, "birth_year": year,
            "subscribed_rial": 3_000_000, "paid_rial": 1_000_000})))
        .collect();
    let formation = json!({"name": "تعاونی خیاطی مهران", "type": "production", "sector": "textiles",
                           "county": "1605", "women_led": true, "founders": founders});
    let answer = app
        .post("/api/v1/formations", Some(&ilam), &formation)
        .await;
    assert_mismatch(&answer, "founders[7].national_code", &recorded);
    assert_eq!(app.store.verify_audit().await.unwrap().first_broken, None);
}

#[tokio::test]
async fn a_national_code_neither_reveals_nor_merges_a_stored_person_on_sqlite() {
    // Establishes that adding a member, a client or a founder by the national code of a
    // person recorded elsewhere neither shows that person nor enrols them under another
    // name: 422 `identity_mismatch`, revealing no stored value.
    check_identities(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn a_national_code_neither_reveals_nor_merges_a_stored_person_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_identities(app).await;
}

async fn check_duplicate_flags(app: TestApp) {
    let (admin, ilam, lorestan) = (
        app.token("admin", "demo").await,
        app.token("ilam", "demo").await,
        app.token("lorestan", "demo").await,
    );
    let founders: Vec<Value> = (0..7)
        .map(|i| {
            let code =
                NationalCode::with_check_digit(&format!("{:09}", 620_000_000 + i * 13)).unwrap();
            json!({"national_code": code.as_str(), "first_name": "مریم", "last_name": "رحیمی",
                   "gender": "female", "birth_year": 1985, "subscribed_rial": 3_000_000,
                   "paid_rial": 1_000_000})
        })
        .collect();
    let formation = |name: &str, county: &str| {
        json!({"name": name, "type": "production", "sector": "handicrafts", "county": county,
               "women_led": true, "statute": "اساسنامه نمونه", "founders": founders})
    };
    let (status, dorud) = app
        .post(
            "/api/v1/formations",
            Some(&lorestan),
            &formation("تعاونی گلیم‌بافی دورود", "1503"),
        )
        .await;
    assert_eq!(status, 201, "{dorud}");
    let dorud_cooperative = dorud["cooperative_id"].clone();
    // The same founders form a cooperative in Ilam: the Ilam officer learns that a likely
    // duplicate exists, never which Lorestan cooperative it is.
    let (status, ilam_formation) = app
        .post(
            "/api/v1/formations",
            Some(&ilam),
            &formation("تعاونی گلیم‌بافی مهران", "1603"),
        )
        .await;
    assert_eq!(status, 201, "{ilam_formation}");
    let outside = json!([{"rule": "founder_on_forming_cooperative", "outside_scope": true}]);
    assert_eq!(ilam_formation["duplicate_flags"], outside);
    let listed = |queue: &Value| {
        queue
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == ilam_formation["id"])
            .map(|f| f["duplicate_flags"].clone())
    };
    let (_, queue) = app.get("/api/v1/formations", Some(&ilam)).await;
    assert_eq!(listed(&queue), Some(outside));
    let page = ui_client(&app, "ilam").await;
    let html = page
        .get(app.url("/formations"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("گلیم‌بافی دورود"),
        "the Ilam page names the Lorestan cooperative"
    );
    // The ministry, which reads both, sees which cooperative it is.
    let (_, queue) = app.get("/api/v1/formations", Some(&admin)).await;
    let flags = listed(&queue).unwrap();
    assert_eq!(flags[0]["cooperative_id"], dorud_cooperative, "{flags}");
}

#[tokio::test]
async fn a_duplicate_flag_names_only_records_the_reader_may_read_on_sqlite() {
    // Establishes that a formation's duplicate flag does not reveal a cooperative in
    // another province to the officer who reviews it.
    check_duplicate_flags(sqlite_app().await).await;
}

#[tokio::test]
async fn a_duplicate_flag_names_only_records_the_reader_may_read_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_duplicate_flags(app).await;
}

async fn check_huge_share_entry(app: TestApp) {
    let coop = app.token("coop", "demo").await;
    let (_, members) = app
        .get(&format!("{ILAM_COOPERATIVE}/members"), Some(&coop))
        .await;
    let code = members[0]["national_code"].clone();
    let shares = format!("{ILAM_COOPERATIVE}/shares");
    for amount in [i64::MAX, 100_000_000_000_001] {
        let (status, problem) = app
            .post(
                &shares,
                Some(&coop),
                &json!({"kind": "subscription", "national_code": code, "amount_rial": amount}),
            )
            .await;
        assert_eq!(
            (
                status,
                problem["errors"][0]["field"].as_str(),
                problem["errors"][0]["rule"].as_str()
            ),
            (422, Some("amount_rial"), Some("amount_maximum")),
            "{problem}"
        );
    }
    // The register still takes entries and renders, in the API and on its page.
    let (status, register) = app
        .post(&shares, Some(&coop), &json!({"kind": "subscription", "national_code": code, "amount_rial": 100_000_000_000_000i64}))
        .await;
    assert_eq!(status, 201, "{register}");
    let (status, register) = app.get(&shares, Some(&coop)).await;
    assert_eq!(
        (status, register["subscribed_rial"].as_i64()),
        (200, Some(100_000_000_000_000))
    );
    let page = crate::helpers::ui_client(&app, "coop").await;
    let response = page.get(app.url("/cooperatives/1")).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_i64_max_subscription_is_refused_and_the_register_still_renders_on_sqlite() {
    // Establishes the share register's documented maximum per entry: an `i64::MAX`
    // subscription answers 422 `amount_maximum` instead of freezing the register.
    check_huge_share_entry(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn an_i64_max_subscription_is_refused_and_the_register_still_renders_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_huge_share_entry(app).await;
}

/// The form a browser posts for a cooperative as the API shows it, with `changes`.
fn form_of(cooperative: &Value, csrf: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.into()),
        ("version".into(), cooperative["version"].to_string()),
    ];
    for field in [
        "name",
        "address",
        "phone",
        "type",
        "sector",
        "county",
        "legal_id",
        "registration_number",
        "registered_on",
        "founded_on",
        "status",
    ] {
        form.push((
            field.into(),
            cooperative[field].as_str().unwrap_or_default().into(),
        ));
    }
    if cooperative["women_led"] == true {
        form.push(("women_led".into(), "1".into()));
    }
    for (field, value) in changes {
        form.retain(|(key, _)| key != field);
        form.push(((*field).into(), (*value).into()));
    }
    form
}

#[tokio::test]
async fn the_edit_form_offers_each_role_only_its_fields_and_asks_officers_for_a_reason() {
    // Establishes the UI side of the field × role table: the representative's form has
    // the contact fields only (a forged status is not applied), the officer's has every
    // field and a reason it must give for a regulatory change, a bank gets no form.
    let app = sqlite_app().await;
    let admin = app.token("admin", "demo").await;
    let read = || async { app.get(ILAM_COOPERATIVE, Some(&admin)).await.1 };
    let edit = app.url("/cooperatives/1/edit");

    let coop = ui_client(&app, "coop").await;
    let html = coop.get(&edit).send().await.unwrap().text().await.unwrap();
    for field in ["name", "address", "phone"] {
        assert!(
            html.contains(&format!("name=\"{field}\"")),
            "{field} missing"
        );
    }
    for field in ["status", "type", "county", "women_led", "reason"] {
        assert!(
            !html.contains(&format!("name=\"{field}\"")),
            "{field} offered to the representative"
        );
    }
    let form = form_of(
        &read().await,
        &csrf_of(&html),
        &[("address", "ایلام، خیابان فردوسی"), ("status", "suspended")],
    );
    let response = coop.post(&edit).form(&form).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let after = read().await;
    assert_eq!(
        (after["address"].as_str(), after["status"].as_str()),
        (Some("ایلام، خیابان فردوسی"), Some("active"))
    );

    let ilam = ui_client(&app, "ilam").await;
    let html = ilam.get(&edit).send().await.unwrap().text().await.unwrap();
    for field in ["status", "type", "county", "women_led", "reason"] {
        assert!(
            html.contains(&format!("name=\"{field}\"")),
            "{field} missing for the officer"
        );
    }
    let csrf = csrf_of(&html);
    let response = ilam
        .post(&edit)
        .form(&form_of(&read().await, &csrf, &[("status", "suspended")]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("بدون ذکر دلیل"));
    assert_eq!(read().await["status"], "active");
    let response = ilam
        .post(&edit)
        .form(&form_of(
            &read().await,
            &csrf,
            &[("status", "suspended"), ("reason", "تعلیق به حکم مرجع ثبت")],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(read().await["status"], "suspended");

    let bank = ui_client(&app, "bank").await;
    assert_eq!(bank.get(&edit).send().await.unwrap().status(), 403);
}
