//! A program defined and changed from its form (issue 17), on SQLite and PostgreSQL: the
//! form reads every number as typed, a refusal comes back on its field, the same
//! rendering sent twice records one program, and a change sent as shown changes nothing
//! but what was edited (each province's priority sectors, not on the form, are kept).

use serde_json::Value;
use taavon_testkit::{Engine, TestApp, spawn_app};

use crate::forms::{Browser, assert_refused, flash_of};

/// Every field a form of `page` would send as it stands: inputs with their values,
/// ticked check boxes, each select's chosen option (the CSRF token and key excluded,
/// `send` adds them).
fn filled(page: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let attribute = |tag: &str, name: &str| {
        let marker = format!(" {name}=\"");
        tag.find(&marker).map(|start| {
            let rest = &tag[start + marker.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
    };
    for piece in page.split('<').skip(1) {
        let tag = piece.split('>').next().unwrap_or_default();
        if let Some(input) = tag.strip_prefix("input") {
            let (Some(name), value) = (attribute(input, "name"), attribute(input, "value")) else {
                continue;
            };
            let is_check = input.contains("type=\"checkbox\"");
            if ["csrf", "form_key"].contains(&name.as_str())
                || (is_check && !input.contains(" checked"))
            {
                continue;
            }
            fields.push((name, value.unwrap_or_default()));
        } else if let Some(select) = tag.strip_prefix("select") {
            let name = attribute(select, "name").unwrap();
            let rest = &page[page.find(piece).unwrap()..];
            let body = &rest[..rest.find("</select>").unwrap()];
            let chosen = body
                .split("<option")
                .skip(1)
                .find(|option| option.contains(" selected"))
                .or_else(|| body.split("<option").nth(1))
                .and_then(|option| attribute(option, "value"))
                .unwrap_or_default();
            fields.push((name, chosen));
        }
    }
    fields
}

fn with(fields: &[(String, String)], changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = fields
        .iter()
        .filter(|(name, _)| !changes.iter().any(|(changed, _)| changed == name))
        .cloned()
        .collect();
    fields.extend(
        changes
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
    );
    fields
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

async fn program(app: &TestApp, code: &str) -> Value {
    let token = app.token("admin", "demo").await;
    let (status, program) = app
        .get(&format!("/api/v1/programs/{code}"), Some(&token))
        .await;
    assert_eq!(status, 200, "{program}");
    program
}

async fn check_program_form(app: TestApp) {
    let admin = Browser::of(&app, "admin").await;
    let (_, list) = admin.page("/programs").await;
    assert!(list.contains("href=\"/programs/new\""));
    let (status, page) = admin.page("/programs/new").await;
    assert_eq!(status, 200);
    let new = with(
        &filled(&page),
        &[
            ("code", "rural-women-1405"),
            ("name_fa", "اشتغال زنان روستایی ۱۴۰۵"),
            ("name_en", "Rural women's jobs 1405"),
            ("funding_source", "women_employment"),
            ("opens_on", "۱۴۰۵/۰۱/۱۵"),
            ("closes_on", "1405/12/25"),
            ("bank", "022"),
            ("rules.eligibility.applicant_kinds.artisan", "1"),
            ("rules.eligibility.tiers.1", "1"),
            ("rules.eligibility.tiers.2", "1"),
            ("rules.eligibility.min_amount_rial", "۵۰۰٬۰۰۰٬۰۰۰"),
            ("rules.eligibility.max_amount_rial", "100,000,000"),
            ("rules.eligibility.min_jobs", "۲"),
            ("rules.pricing.profit_rate_bp_by_tier[0]", "۴"),
            ("rules.pricing.profit_rate_bp_by_tier[1]", "۶٫۵"),
            ("rules.pricing.profit_rate_bp_by_tier[2]", "12"),
            ("rules.pricing.profit_rate_bp_by_tier[3]", "18"),
            ("rules.pricing.term_months", "۶۰"),
            ("rules.pricing.grace_months", "۶"),
            ("rules.pricing.contract_type", "qard_al_hasan"),
            ("rules.quotas.women_led_share_bp", "۷۰"),
            ("rules.quotas.sector_caps_bp.handicrafts", "۴۰"),
        ],
    );
    // The largest facility below the smallest: refused on its field, all typed kept.
    let refused = admin.send(&page, "/programs/new", &pairs(&new)).await;
    assert_refused(
        &refused,
        "rules-eligibility-max_amount_rial",
        "حداکثر مبلغ از حداقل کمتر است.",
    );
    assert!(refused.page.contains("value=\"اشتغال زنان روستایی ۱۴۰۵\""));
    // A number that is not one is named too, before anything is recorded.
    let refused = admin
        .send(
            &page,
            "/programs/new",
            &pairs(&with(&new, &[("rules.pricing.term_months", "شصت")])),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .page
            .contains("id=\"rules-pricing-term_months-error\"")
    );

    let new = with(
        &new,
        &[("rules.eligibility.max_amount_rial", "۲٬۰۰۰٬۰۰۰٬۰۰۰")],
    );
    let recorded = admin.send_twice(&page, "/programs/new", &pairs(&new)).await;
    assert_eq!(flash_of(&recorded.page), "برنامه ثبت شد.");
    assert_eq!(recorded.location, "/programs/rural-women-1405");
    let stored = program(&app, "rural-women-1405").await;
    assert_eq!(stored["opens_on"], "2026-04-04");
    assert_eq!(stored["bank"], "022");
    let rules = &stored["rules"];
    assert_eq!(
        rules["eligibility"]["applicant_kinds"],
        serde_json::json!(["cooperative", "artisan"])
    );
    assert_eq!(rules["eligibility"]["tiers"], serde_json::json!([1, 2]));
    assert_eq!(rules["eligibility"]["max_amount_rial"], 2_000_000_000_i64);
    assert_eq!(
        rules["pricing"]["profit_rate_bp_by_tier"],
        serde_json::json!([400, 650, 1200, 1800])
    );
    assert_eq!(rules["quotas"]["women_led_share_bp"], 7000);
    assert_eq!(rules["quotas"]["sector_caps_bp"]["handicrafts"], 4000);
    assert_eq!(stored["version"], 1);

    // A demo program sent back as its form shows it changes nothing but the edit, and
    // keeps the priority sectors the form does not show.
    let before = program(&app, "note18").await;
    let (status, page) = admin.page("/programs/note18/edit").await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/programs/note18\""));
    let edited = with(&filled(&page), &[("rules.pricing.term_months", "۸۴")]);
    let changed = admin
        .send_twice(&page, "/programs/note18/edit", &pairs(&edited))
        .await;
    assert_eq!(flash_of(&changed.page), "تعریف برنامه به‌روز شد.");
    let after = program(&app, "note18").await;
    assert_eq!(after["rules"]["pricing"]["term_months"], 84);
    let mut expected = before.clone();
    expected["rules"]["pricing"]["term_months"] = 84.into();
    expected["version"] = after["version"].clone();
    assert_eq!(after, expected);
    assert_eq!(after["version"], before["version"].as_i64().unwrap() + 1);
    assert!(!after["rules"]["sector_priorities"]["IR-16"].is_null());

    // A change made against the version before is stale: refused, nothing written.
    let (_, page) = admin.page("/programs/note18/edit").await;
    let old_version = before["version"].to_string();
    let stale = with(
        &filled(&page),
        &[
            ("version", &old_version),
            ("rules.pricing.term_months", "۱۲"),
        ],
    );
    let refused = admin
        .send(&page, "/programs/note18/edit", &pairs(&stale))
        .await;
    assert_ne!(refused.status, 200, "{}", refused.page);
    assert_eq!(program(&app, "note18").await, after);

    // Only the ministry defines programs.
    let ilam = Browser::of(&app, "ilam").await;
    let (_, list) = ilam.page("/programs").await;
    assert!(!list.contains("href=\"/programs/new\""));
    let (_, program_page) = ilam.page("/programs/note18").await;
    assert!(!program_page.contains("href=\"/programs/note18/edit\""));
}

#[tokio::test]
async fn a_program_is_defined_and_changed_from_its_form_on_sqlite() {
    // Establishes the program form on the embedded engine.
    check_program_form(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn a_program_is_defined_and_changed_from_its_form_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_program_form(app).await;
}
