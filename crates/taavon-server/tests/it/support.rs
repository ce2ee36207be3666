//! Support requests (issue 15) through the API and the pages: filed by a representative,
//! seen by the province and not by another, moved by each side, rated; refusals as
//! problem details naming the field; attachments of the wrong size or type refused with
//! nothing stored, served only to readers; the pages with their flash after each action.

use serde_json::{Value, json};
use taavon_testkit::{Engine, TestApp, spawn_app};

use crate::helpers::{csrf_of, ui_client};

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn attach(app: &TestApp, path: &str, token: &str, content: Vec<u8>) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("{path}/attachments?file_name=letter.pdf")))
        .bearer_auth(token)
        .header("Content-Type", "application/pdf")
        .body(content)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn check_the_api(app: TestApp) {
    let coop = app.token("coop", "demo").await;
    let ilam = app.token("ilam", "demo").await;
    let lorestan = app.token("lorestan", "demo").await;
    let sso = app.token("sso", "demo").await;
    let (status, problem) = post(
        &app,
        "/api/v1/support-requests",
        &coop,
        json!({"cooperative_id": 1, "kind": "urgent", "topic": "legal", "body": "؟"}),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("kind")),
        "{problem}"
    );
    let (status, filed) = post(
        &app,
        "/api/v1/support-requests",
        &coop,
        json!({"cooperative_id": 1, "kind": "administrative", "topic": "legal", "body": "اساسنامه را چگونه اصلاح کنیم؟"}),
    )
    .await;
    assert_eq!(status, 201, "{filed}");
    assert_eq!(filed["status"], "new");
    assert_eq!(filed["unit_kind"], "provincial_office");
    let path = format!("/api/v1/support-requests/{}", filed["id"]);
    let id = filed["id"].clone();
    let listed = |token: String| {
        let (app, id) = (&app, id.clone());
        async move {
            let (_, list) = app.get("/api/v1/support-requests", Some(&token)).await;
            list.as_array().unwrap().iter().any(|r| r["id"] == id)
        }
    };
    assert!(listed(ilam.clone()).await);
    assert!(!listed(lorestan.clone()).await);
    assert!(
        !listed(sso.clone()).await,
        "routed to the province, not the agency"
    );
    assert_eq!(app.get(&path, Some(&lorestan)).await.0, 404);

    // The wrong side's move is refused by field; the unit takes it and answers.
    let (status, problem) = post(
        &app,
        &format!("{path}/transitions"),
        &coop,
        json!({"status": "answered"}),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("status"))
    );
    let (status, _) = post(&app, &format!("{path}/assignment"), &ilam, json!({})).await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &app,
        &format!("{path}/messages"),
        &ilam,
        json!({"body": "مجمع عمومی کافی است."}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, answered) = post(
        &app,
        &format!("{path}/transitions"),
        &ilam,
        json!({"status": "answered"}),
    )
    .await;
    assert_eq!(
        (status, answered["status"].as_str()),
        (200, Some("answered"))
    );
    let (status, _) = post(
        &app,
        &format!("{path}/transitions"),
        &coop,
        json!({"status": "closed"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, problem) = post(
        &app,
        &format!("{path}/rating"),
        &coop,
        json!({"satisfaction": 9}),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("satisfaction"))
    );
    let (status, rated) = post(
        &app,
        &format!("{path}/rating"),
        &coop,
        json!({"satisfaction": 5}),
    )
    .await;
    assert_eq!((status, rated["satisfaction"].as_i64()), (200, Some(5)));

    // Attachments: over the limit or not a PDF/PNG/JPEG, refused and nothing stored.
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(5 * 1024 * 1024 + 1, b' ');
    let (status, problem) = attach(&app, &path, &coop, big).await;
    assert_eq!(
        (status, problem["errors"][0]["rule"].as_str()),
        (422, Some("too_large")),
        "{problem}"
    );
    let (status, problem) = attach(&app, &path, &coop, b"<html>".to_vec()).await;
    assert_eq!(
        (status, problem["errors"][0]["rule"].as_str()),
        (422, Some("type"))
    );
    let (_, view) = app.get(&path, Some(&coop)).await;
    assert_eq!(view["attachments"].as_array().unwrap().len(), 0);
    let (status, stored) = attach(&app, &path, &coop, b"%PDF-1.7\n%%EOF\n".to_vec()).await;
    assert_eq!(status, 201, "{stored}");
    let download = format!("/api/v1/support-attachments/{}", stored["id"]);
    let response = app
        .client
        .get(app.url(&download))
        .bearer_auth(&ilam)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        b"%PDF-1.7\n%%EOF\n"
    );
    assert_eq!(app.get(&download, Some(&lorestan)).await.0, 404);

    let (_, view) = app.get(&path, Some(&coop)).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 1);
    assert_eq!(view["moves"], json!(["reopened"]));
    let (status, sla) = app.get("/api/v1/support-requests/sla", Some(&ilam)).await;
    assert_eq!(status, 200);
    assert!(
        sla["by_province"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["code"] == "IR-16")
    );
    let (status, topics) = app
        .get("/api/v1/support-requests/topics", Some(&coop))
        .await;
    assert_eq!(status, 200);
    assert!(topics.as_array().unwrap().len() >= 6);
    // The topics and the routing are the ministry's.
    let topic = json!({"code": "water", "name_fa": "آب", "name_en": "Water"});
    let rule = json!({"topic": "legal", "province": "IR-16", "unit_kind": "provincial_office"});
    for (path, body) in [("topics", topic), ("routing-rules", rule)] {
        let status = app
            .client
            .put(app.url(&format!("/api/v1/support-requests/{path}")))
            .bearer_auth(&ilam)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 403, "{path}");
    }
}

#[tokio::test]
async fn a_request_is_filed_scoped_moved_rated_and_attached_through_the_api_on_sqlite() {
    // Establishes the API's flow and refusals on SQLite.
    check_the_api(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn a_request_is_filed_scoped_moved_rated_and_attached_through_the_api_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_the_api(app).await;
}

fn form_key_of(html: &str) -> String {
    let marker = "name=\"form_key\" value=\"";
    let start = html.find(marker).expect("a form key") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_pages_list_file_and_answer_a_request_with_a_message_after_each_action() {
    // Establishes the list in the menu, the new-request form, the flash after filing and
    // after a move, and the confirmation asked before closing.
    let app = spawn_app(Engine::Sqlite).await.unwrap();
    let coop = ui_client(&app, "coop").await;
    let get = |client: &reqwest::Client, path: &str| {
        let request = client.get(app.url(path));
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, list) = get(&coop, "/support").await;
    assert_eq!(status, 200);
    assert!(list.contains("href=\"/support\""), "in the menu");
    assert_eq!(list.matches("<h1").count(), 1);
    assert!(list.contains("شاخص‌های پاسخگویی"));
    let (status, form) = get(&coop, "/support/new").await;
    assert_eq!(status, 200, "{form}");
    let fields = [
        ("csrf", csrf_of(&form)),
        ("form_key", form_key_of(&form)),
        ("cooperative_id", "1".to_owned()),
        ("kind", "technical".to_owned()),
        ("topic", "training".to_owned()),
        ("body", "دوره آموزشی بسته‌بندی می‌خواهیم.".to_owned()),
    ];
    let response = coop
        .post(app.url("/support"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/support/"), "{location}");
    let (_, page) = get(&coop, &location).await;
    assert!(page.contains("درخواست ثبت شد."), "the flash");
    assert!(page.contains("دوره آموزشی بسته‌بندی"));
    assert!(
        !page.contains(">training<") && !page.contains(">technical<"),
        "no code shown"
    );

    let ilam = ui_client(&app, "ilam").await;
    let (_, page) = get(&ilam, &location).await;
    let take = [("csrf", csrf_of(&page)), ("form_key", form_key_of(&page))];
    let response = ilam
        .post(app.url(&format!("{location}/assignment")))
        .form(&take)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let (_, page) = get(&ilam, &location).await;
    assert!(page.contains("درخواست به‌روز شد."));
    let answer = [
        ("csrf", csrf_of(&page)),
        ("form_key", form_key_of(&page)),
        ("status", "answered".to_owned()),
    ];
    let response = ilam
        .post(app.url(&format!("{location}/transitions")))
        .form(&answer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let (_, page) = get(&coop, &location).await;
    assert!(
        page.contains("data-confirm=\"این درخواست بسته شود؟\""),
        "closing asks first"
    );
}
