//! The detail pages' forms (issue 13), on SQLite and on PostgreSQL, each as a browser
//! sends it: a refusal comes back on its page with the reason on the field and what was
//! typed kept (422), a success answers with its message after the redirect, and the same
//! rendering's form sent twice acts once (its `form_key` is the write's
//! Idempotency-Key), which the audit trail shows: the second submission writes nothing.

use serde_json::json;
use taavon_testkit::{Engine, TestApp, spawn_app};

use crate::helpers::{csrf_of, ui_client};
use crate::loans::{due_profit, loan_behind};

/// A logged-in browser (the awards pages' tests drive one too).
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
}

/// A form's answer: its status and its page (the page it redirected to, for a 303).
pub(crate) struct Answer {
    pub status: u16,
    pub location: String,
    pub page: String,
}

impl Browser<'_> {
    pub(crate) async fn of<'a>(app: &'a TestApp, user: &str) -> Browser<'a> {
        Browser {
            app,
            client: ui_client(app, user).await,
        }
    }

    pub(crate) async fn page(&self, path: &str) -> (u16, String) {
        let response = self.client.get(self.app.url(path)).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    /// Sends a form of `page` (its CSRF token and form key) to `action`.
    pub(crate) async fn send(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Answer {
        let (csrf, key) = (csrf_of(page), form_key_of(page));
        let mut form = vec![("csrf", csrf.as_str()), ("form_key", key.as_str())];
        form.extend_from_slice(fields);
        let response = self
            .client
            .post(self.app.url(action))
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let page = if status == 303 {
            self.page(&location).await.1
        } else {
            response.text().await.unwrap()
        };
        Answer {
            status,
            location,
            page,
        }
    }

    /// Sends the same form twice and checks that the second submission changed nothing
    /// and answered as the first did; the first answer.
    pub(crate) async fn send_twice(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Answer {
        let first = self.send(page, action, fields).await;
        assert_eq!(first.status, 303, "{action}: {}", first.page);
        let written = newest_audit_seq(self.app).await;
        let second = self.send(page, action, fields).await;
        assert_eq!(
            (second.status, &second.location),
            (303, &first.location),
            "{action} sent twice answers as the first time"
        );
        assert_eq!(
            newest_audit_seq(self.app).await,
            written,
            "{action} sent twice acts once"
        );
        first
    }
}

fn form_key_of(html: &str) -> String {
    let marker = "name=\"form_key\" value=\"";
    let start = html.find(marker).expect("a form key") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The value a page's field named `name` holds.
fn value_of(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect(name) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

pub(crate) async fn newest_audit_seq(app: &TestApp) -> i64 {
    let mut read = app.store.read().await.unwrap();
    let newest = read.audit_records(1, None).await.unwrap();
    read.finish().await.unwrap();
    newest.first().map_or(0, |r| r.seq)
}

/// Asserts a refused form: 422, the field marked and described by its reason, which
/// reads `reason`.
fn assert_refused(answer: &Answer, field_id: &str, reason: &str) {
    assert_eq!(answer.status, 422, "{}", answer.page);
    assert!(
        answer.page.contains(&format!(
            "aria-invalid=\"true\" aria-describedby=\"{field_id}"
        )) || answer.page.contains(&format!(
            "aria-describedby=\"{field_id}-hint {field_id}-error\""
        )),
        "{field_id} is marked: {}",
        answer.page
    );
    let error = format!("id=\"{field_id}-error\">");
    let start = answer
        .page
        .find(&error)
        .unwrap_or_else(|| panic!("{error} in {}", answer.page));
    assert!(
        answer.page[start..].starts_with(&format!("{error}{reason}")),
        "{field_id}: {}",
        &answer.page[start..(start + 300).min(answer.page.len())]
    );
    assert!(
        answer.page.contains("role=\"alert\""),
        "the form says it was refused"
    );
}

pub(crate) fn flash_of(page: &str) -> &str {
    let marker = "class=\"flash ok\" role=\"status\">";
    let start = page.find(marker).map(|s| s + marker.len()).unwrap_or(0);
    page[start..].split('<').next().unwrap_or_default()
}

async fn check_loan_forms(app: TestApp) {
    let bank = app.token("bank", "demo").await;
    let loan = loan_behind(&app, &bank).await;
    let id = loan["id"].as_i64().unwrap();
    let path = format!("/loans/{id}");
    let browser = Browser::of(&app, "bank").await;
    let (_, page) = browser.page(&path).await;

    // The borrower and the application it came from, and each installment's standing in
    // words.
    assert!(page.contains("گیرنده تسهیلات") && page.contains("href=\"/cooperatives/"));
    assert!(page.contains(&format!(
        "href=\"/applications/{}\"",
        loan["application_id"]
    )));
    assert!(page.contains("standing-overdue") && page.contains(">معوق</span>"));
    assert!(page.contains(">قسط پیش رو</span>") && page.contains(">آینده</span>"));

    // A repayment dated after the business date is refused on its field, what was typed
    // kept; then the same repayment with its receipt, sent twice, is recorded once.
    let repayments = format!("{path}/repayments");
    let refused = browser
        .send(
            &page,
            &repayments,
            &[
                ("amount", "۱٬۰۰۰٬۰۰۰"),
                ("value_on", "۱۴۹۹/۰۱/۰۱"),
                ("channel", "transfer"),
                ("receipt_no", "88120456"),
                ("note", ""),
            ],
        )
        .await;
    assert_refused(
        &refused,
        "repay-value_on",
        "تاریخ واریز نمی‌تواند پس از تاریخ کاری باشد.",
    );
    assert!(
        refused.page.contains("value=\"۱٬۰۰۰٬۰۰۰\""),
        "the amount typed stays"
    );
    let fields = [
        ("amount", "۱٬۰۰۰٬۰۰۰"),
        ("value_on", ""),
        ("channel", "transfer"),
        ("receipt_no", "88120456"),
        ("note", ""),
    ];
    let done = browser.send_twice(&page, &repayments, &fields).await;
    assert_eq!(flash_of(&done.page), "بازپرداخت ثبت شد.");
    assert_eq!(
        done.page
            .matches("انتقال بانکی (پایا، ساتنا) · رسید ۸۸۱۲۰۴۵۶")
            .count(),
        1,
        "the receipt in the transactions: {}",
        done.page
    );

    // The reversal of that repayment, by its row's own reason, sent twice, acts once.
    let (_, detail) = app.get(&format!("/api/v1/loans/{id}"), Some(&bank)).await;
    let repayment = detail["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|t| t["kind"] == "repayment")
        .unwrap()
        .clone();
    assert_eq!(repayment["channel"], "transfer");
    assert_eq!(repayment["receipt_no"], "88120456");
    let reversal = format!("{path}/transactions/{}/reversal", repayment["id"]);
    assert!(done.page.contains(&format!(
        "دلیل برگشت تراکنش شماره {}",
        taavon_core::digits::to_persian_digits(&repayment["id"].to_string())
    )));
    let reversed = browser
        .send_twice(&done.page, &reversal, &[("reason", "ثبت اشتباه")])
        .await;
    assert_eq!(flash_of(&reversed.page), "درخواست برگشت تراکنش ثبت شد.");

    // A rescheduling: the late charge paid first, then a wrong capitalised amount refused
    // on its field, and the right one (the form's own) proposed once for a second officer.
    let (_, detail) = app.get(&format!("/api/v1/loans/{id}"), Some(&bank)).await;
    let (status, _) = app
        .post(
            &format!("/api/v1/loans/{id}/repayments"),
            Some(&bank),
            &json!({"amount": detail["penalty_due"]}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, page) = browser.page(&path).await;
    let capitalise = value_of(&page, "capitalise");
    let (_, now) = app.get(&format!("/api/v1/loans/{id}"), Some(&bank)).await;
    assert_eq!(
        taavon_core::digits::to_ascii_digits(&capitalise).replace('٬', ""),
        due_profit(&app, &now).await.to_string(),
        "the form offers exactly the dues to capitalise"
    );
    let reschedule = format!("{path}/reschedule");
    let refused = browser
        .send(
            &page,
            &reschedule,
            &[("months", "۲۴"), ("rate", ""), ("capitalise", "1")],
        )
        .await;
    assert_refused(
        &refused,
        "reschedule-capitalise",
        "مبلغ افزوده به اصل باید برابر سود و کارمزد سررسیدشده پرداخت‌نشده",
    );
    let proposed = browser
        .send_twice(
            &page,
            &reschedule,
            &[("months", "۲۴"), ("rate", ""), ("capitalise", &capitalise)],
        )
        .await;
    assert_eq!(
        flash_of(&proposed.page),
        "درخواست ثبت شد و منتظر تأیید کارشناس دوم بانک است."
    );
    let (_, proposals) = app
        .get(&format!("/api/v1/loans/{id}/proposals"), Some(&bank))
        .await;
    let pending = proposals
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "reschedule" && p["status"] == "pending")
        .count();
    assert_eq!(pending, 1);

    // The settlement quote on a page of its own, to print.
    let (status, quote) = browser.page(&format!("{path}/settlement")).await;
    assert_eq!(status, 200);
    assert!(quote.contains("data-print") && quote.contains("مبلغ تسویه"));
}

#[tokio::test]
async fn the_loan_page_forms_answer_inline_and_act_once_on_sqlite() {
    // Establishes the loan page's repayment (with its receipt), reversal and
    // rescheduling forms, and its marks and printable quote.
    check_loan_forms(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn the_loan_page_forms_answer_inline_and_act_once_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_loan_forms(app).await;
}

async fn check_application_forms(app: TestApp) {
    let coop = Browser::of(&app, "coop").await;
    let (_, page) = coop.page("/applications/new").await;
    // The representative applies for its own cooperative, named, never typed.
    assert!(page.contains("تعاونی تولیدی پوشاک بانوان ایلام"), "{page}");
    assert!(page.contains("type=\"hidden\" name=\"cooperative_id\" value=\"1\""));
    assert!(!page.contains("id=\"application-cooperative_id\""));
    assert!(page.contains("id=\"program-limits\"") && page.contains("data-min-jobs"));

    // The 900-billion-rial application with no job is refused before any draft.
    let token = app.token("coop", "demo").await;
    let (_, before) = app.get("/api/v1/applications", Some(&token)).await;
    let refused = coop
        .send(
            &page,
            "/applications/new",
            &[
                ("program", "women"),
                ("amount", "۹۰۰٬۰۰۰٬۰۰۰٬۰۰۰"),
                ("jobs", "۰"),
                ("women_jobs", ""),
                ("financing", "development"),
                ("purpose", "چرخ خیاطی"),
            ],
        )
        .await;
    assert_refused(
        &refused,
        "application-amount",
        "مبلغ برای این برنامه باید بین",
    );
    assert_refused(&refused, "application-jobs", "این برنامه دست‌کم");
    assert!(refused.page.contains("value=\"۹۰۰٬۰۰۰٬۰۰۰٬۰۰۰\""));
    let done = coop
        .send_twice(
            &page,
            "/applications/new",
            &[
                ("program", "women"),
                ("amount", "۸۰۰٬۰۰۰٬۰۰۰"),
                ("jobs", "۴"),
                ("women_jobs", "۴"),
                ("financing", "development"),
                ("purpose", "چرخ خیاطی"),
            ],
        )
        .await;
    assert_eq!(flash_of(&done.page), "درخواست تسهیلات ثبت شد.");
    let (_, after) = app.get("/api/v1/applications", Some(&token)).await;
    assert_eq!(
        after["total"].as_i64(),
        before["total"].as_i64().map(|t| t + 1)
    );

    // An officer finds the cooperative by a search, among those of its scope.
    let ilam = Browser::of(&app, "ilam").await;
    let (_, found) = ilam
        .page("/applications/new?q=%D9%BE%D9%88%D8%B4%D8%A7%DA%A9")
        .await;
    assert!(
        found.contains("<option value=\"1\">تعاونی تولیدی پوشاک بانوان ایلام</option>"),
        "{found}"
    );

    // A draft found ineligible on submission is revised by its applicant, a draft again.
    let (status, draft) = app
        .post(
            "/api/v1/applications",
            Some(&token),
            &json!({"program": "women", "cooperative_id": 1, "amount": 800_000_000,
                    "jobs": 0, "purpose": "چرخ خیاطی"}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    let id = draft["id"].as_i64().unwrap();
    let (_, submitted) = app
        .post(
            &format!("/api/v1/applications/{id}/transitions"),
            Some(&token),
            &json!({"action": "submit"}),
        )
        .await;
    assert_eq!(
        submitted["application"]["status"], "ineligible",
        "{submitted}"
    );
    let (_, shown) = coop.page(&format!("/applications/{id}")).await;
    let edit = format!("/applications/{id}/edit");
    assert!(shown.contains(&format!("href=\"{edit}\"")));
    let (status, _) = ilam.page(&edit).await;
    assert_eq!(status, 403, "another officer reviews, never rewrites");
    let (_, form) = coop.page(&edit).await;
    assert!(
        form.contains("value=\"۸۰۰٬۰۰۰٬۰۰۰\""),
        "the form starts as recorded"
    );
    let revised = coop
        .send_twice(
            &form,
            &edit,
            &[
                ("version", &value_of(&form, "version")),
                ("program", "women"),
                ("amount", "۸۰۰٬۰۰۰٬۰۰۰"),
                ("jobs", "۴"),
                ("women_jobs", "۲"),
                ("financing", "development"),
                ("purpose", "چرخ خیاطی"),
            ],
        )
        .await;
    assert_eq!(
        flash_of(&revised.page),
        "درخواست ویرایش شد و اکنون پیش‌نویس است؛ برای بررسی دوباره آن را ارسال کنید."
    );
    let (_, now) = app
        .get(&format!("/api/v1/applications/{id}"), Some(&token))
        .await;
    assert_eq!(
        (now["status"].as_str(), now["jobs"].as_i64()),
        (Some("draft"), Some(4))
    );
    assert_eq!(now["may_revise"], true);
}

#[tokio::test]
async fn the_application_form_checks_the_programs_limits_and_revises_a_draft_on_sqlite() {
    // Establishes the application form: the representative's own cooperative, an
    // officer's search, the limits checked before a draft, and a revision.
    check_application_forms(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn the_application_form_checks_the_programs_limits_and_revises_a_draft_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_application_forms(app).await;
}

fn national_code(n: u32) -> String {
    taavon_core::ids::NationalCode::with_check_digit(&format!("{n:09}"))
        .unwrap()
        .as_str()
        .to_owned()
}

/// The member form's fields, for the person with `national_code`.
fn member(national_code: &str) -> Vec<(&str, &str)> {
    vec![
        ("national_code", national_code),
        ("first_name", "سمیه"),
        ("last_name", "کرمی"),
        ("gender", "female"),
        ("birth_year", "۱۳۶۸"),
        ("mobile", ""),
        ("joined_on", ""),
    ]
}

/// The share form's fields: a subscription of `amount` by the member `national_code`.
fn subscription<'a>(national_code: &'a str, amount: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "subscription"),
        ("national_code", national_code),
        ("to_national_code", ""),
        ("amount", amount),
        ("entered_on", ""),
    ]
}

async fn members(app: &TestApp, token: &str) -> usize {
    let (_, members) = app.get("/api/v1/cooperatives/1/members", Some(token)).await;
    members.as_array().unwrap().len()
}

async fn check_cooperative_forms(app: TestApp) {
    let ilam_token = app.token("ilam", "demo").await;
    let ilam = Browser::of(&app, "ilam").await;
    let (_, page) = ilam.page("/cooperatives/1").await;
    assert!(page.contains("action=\"/cooperatives/1/members\""));
    assert!(page.contains("action=\"/cooperatives/1/shares\""));

    // A member with a wrong national code is refused on its field; a right one, sent
    // twice, joins once.
    let code = national_code(720_000_001);
    let refused = ilam
        .send(&page, "/cooperatives/1/members", &member("123"))
        .await;
    assert_refused(&refused, "member-national_code", "کد ملی");
    assert!(
        refused.page.contains("value=\"سمیه\""),
        "what was typed stays"
    );
    let before = members(&app, &ilam_token).await;
    let added = ilam
        .send_twice(&page, "/cooperatives/1/members", &member(&code))
        .await;
    assert_eq!(flash_of(&added.page), "عضو افزوده شد.");
    assert_eq!(members(&app, &ilam_token).await, before + 1);

    // A share entry of nothing is refused on its amount; a subscription, sent twice, is
    // entered once.
    let (_, page) = ilam.page("/cooperatives/1").await;
    let refused = ilam
        .send(&page, "/cooperatives/1/shares", &subscription(&code, "۰"))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.page);
    assert!(
        refused.page.contains("id=\"share-amount-error\""),
        "{}",
        refused.page
    );
    let (_, register) = app
        .get("/api/v1/cooperatives/1/shares", Some(&ilam_token))
        .await;
    let entries = register["entries"].as_array().unwrap().len();
    let entered = ilam
        .send_twice(
            &page,
            "/cooperatives/1/shares",
            &subscription(&code, "۵٬۰۰۰٬۰۰۰"),
        )
        .await;
    assert_eq!(flash_of(&entered.page), "در دفتر سرمایه ثبت شد.");
    let (_, register) = app
        .get("/api/v1/cooperatives/1/shares", Some(&ilam_token))
        .await;
    assert_eq!(register["entries"].as_array().unwrap().len(), entries + 1);

    // The surplus shared by paid-in share-days: the one member who paid in takes it all
    // over the month from today; a period that ends before it starts is refused.
    let mut payment = subscription(&code, "۲٬۰۰۰٬۰۰۰");
    payment[0] = ("kind", "payment");
    let paid = ilam
        .send(&entered.page, "/cooperatives/1/shares", &payment)
        .await;
    assert_eq!(paid.status, 303, "{}", paid.page);
    let today =
        taavon_core::calendar::IsoDate::tehran_today(taavon_app::clock::now().unix_seconds());
    let (from, to) = (today.to_string(), today.add_days(30).to_string());
    let (status, surplus) = ilam
        .page(&format!(
            "/cooperatives/1/surplus?from={from}&to={to}&total=1000000"
        ))
        .await;
    assert_eq!(status, 200, "{surplus}");
    assert!(
        surplus.contains("<bdi lang=\"fa\">سمیه کرمی</bdi></td><td class=\"num\">"),
        "{surplus}"
    );
    assert_eq!(
        surplus.matches("<td class=\"num\">۱٬۰۰۰٬۰۰۰</td>").count(),
        2
    );
    let (status, refused) = ilam
        .page(&format!(
            "/cooperatives/1/surplus?from={to}&to={from}&total=1000000"
        ))
        .await;
    assert_eq!(status, 422);
    assert!(refused.contains("id=\"surplus-to-error\">پایان دوره باید پس از آغاز آن باشد."));

    // The borrower's bank reads the members but changes nothing.
    let (_, as_bank) = Browser::of(&app, "bank")
        .await
        .page("/cooperatives/1")
        .await;
    assert!(as_bank.contains("سمیه") && !as_bank.contains("/cooperatives/1/members\""));
}

#[tokio::test]
async fn the_cooperative_page_adds_members_and_share_entries_once_on_sqlite() {
    // Establishes the cooperative page's member and share register forms and its
    // surplus distribution.
    check_cooperative_forms(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn the_cooperative_page_adds_members_and_share_entries_once_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_cooperative_forms(app).await;
}

/// The formation form's fields for `founders` founders of 3 million rials, a third
/// paid in.
fn formation(founders: u32) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("name", "تعاونی فرش‌بافان ایوان"),
        ("type", "production"),
        ("sector", "handicrafts"),
        ("province", "IR-16"),
        ("county", "1603"),
        ("women_led", "1"),
        ("address", ""),
        ("phone", ""),
        ("statute", "بافت و فروش فرش دستباف"),
        ("rows", "7"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for row in 0..founders {
        for (name, value) in [
            ("national_code", national_code(730_000_000 + row * 13)),
            ("first_name", "مهری".to_owned()),
            ("last_name", "رضایی".to_owned()),
            ("gender", "female".to_owned()),
            ("birth_year", "1370".to_owned()),
            ("subscribed_rial", "۳٬۰۰۰٬۰۰۰".to_owned()),
            ("paid_rial", "۱٬۰۰۰٬۰۰۰".to_owned()),
        ] {
            fields.push((format!("founders[{row}].{name}"), value));
        }
    }
    fields
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

async fn check_ministry_forms(app: TestApp) {
    // A formation started from the formations page: six founders are too few, seven
    // sent twice make one formation.
    let ilam = Browser::of(&app, "ilam").await;
    let (_, formations) = ilam.page("/formations").await;
    assert!(formations.contains("href=\"/formations/new\""));
    assert!(!formations.contains("در محدوده دسترسی شما موردی نیست."));
    let (_, page) = ilam.page("/formations/new").await;
    let refused = ilam
        .send(&page, "/formations/new", &pairs(&formation(6)))
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.page.contains("دست‌کم ۷ مؤسس لازم است."),
        "{}",
        refused.page
    );
    assert!(refused.page.contains("value=\"تعاونی فرش‌بافان ایوان\""));
    let started = ilam
        .send_twice(&page, "/formations/new", &pairs(&formation(7)))
        .await;
    assert_eq!(
        flash_of(&started.page),
        "درخواست تشکیل ثبت شد و برای بررسی استان فرستاده شد."
    );
    assert!(started.location.starts_with("/cooperatives/"));

    // The ministry shares a program's budget by the formula.
    let admin = Browser::of(&app, "admin").await;
    let (_, program) = admin.page("/programs/note18").await;
    assert!(program.contains("href=\"/programs/note18/budgets\""));
    let (_, page) = admin.page("/programs/note18/budgets").await;
    let budgets = "/programs/note18/budgets";
    let refused = admin
        .send(
            &page,
            budgets,
            &[("method", "formula"), ("total_rial", "۰")],
        )
        .await;
    assert_refused(&refused, "formula-total_rial", "بودجه کل باید مثبت باشد.");
    let shared = admin
        .send_twice(
            &page,
            budgets,
            &[("method", "formula"), ("total_rial", "۱۰۰٬۰۰۰٬۰۰۰٬۰۰۰")],
        )
        .await;
    assert_eq!(flash_of(&shared.page), "بودجه استان‌ها ثبت شد.");
    let (status, _) = ilam.page(budgets).await;
    assert_eq!(status, 403);

    // An agency records a deposit of its own money.
    let sso = Browser::of(&app, "sso").await;
    let (_, funds) = sso.page("/funds").await;
    assert!(funds.contains("href=\"/funds/deposits\""));
    let (_, page) = sso.page("/funds/deposits").await;
    let deposit = |amount: &'static str| {
        vec![
            ("agency", "sso"),
            ("bank", "022"),
            ("amount", amount),
            ("reference", "واریز-۱۴۰۴-۰۰۱"),
        ]
    };
    let refused = sso.send(&page, "/funds/deposits", &deposit("۰")).await;
    assert_eq!(refused.status, 422, "{}", refused.page);
    assert!(refused.page.contains("id=\"deposit-amount-error\""));
    let deposited = sso
        .send_twice(&page, "/funds/deposits", &deposit("۵۰۰٬۰۰۰٬۰۰۰"))
        .await;
    assert_eq!(flash_of(&deposited.page), "سپرده ثبت شد.");
    let (status, _) = Browser::of(&app, "bank")
        .await
        .page("/funds/deposits")
        .await;
    assert_eq!(status, 403);

    // The ministry keeps the working calendar: a holiday listed once however often it is
    // sent, the same day refused again, removed; the business date never moved back.
    let (_, page) = admin.page("/calendar").await;
    let holiday = [("day", "۱۴۰۴/۰۳/۱۶"), ("name", "عید قربان")];
    let added = admin
        .send_twice(&page, "/calendar/holidays", &holiday)
        .await;
    assert_eq!(flash_of(&added.page), "تعطیلی رسمی ثبت شد.");
    assert!(added.page.contains("عید قربان") && added.page.contains("۱۴۰۴/۰۳/۱۶"));
    let again = admin
        .send(&added.page, "/calendar/holidays", &holiday)
        .await;
    assert_refused(
        &again,
        "holiday-day",
        "این روز پیش‌تر تعطیل رسمی ثبت شده است.",
    );
    let removed = admin
        .send(&added.page, "/calendar/holidays/2025-06-06/removal", &[])
        .await;
    assert_eq!(flash_of(&removed.page), "تعطیلی رسمی حذف شد.");
    let refused = admin
        .send(
            &removed.page,
            "/calendar/business-date",
            &[("open_on", "1390/01/01")],
        )
        .await;
    assert_refused(
        &refused,
        "business-date-open_on",
        "تاریخ کاری را نمی‌توان به روزی پیش از تاریخ کاری کنونی برگرداند.",
    );
    let (status, as_bank) = Browser::of(&app, "bank").await.page("/calendar").await;
    assert_eq!(status, 200);
    assert!(!as_bank.contains("action=\"/calendar/holidays\""));
}

#[tokio::test]
async fn formations_budgets_deposits_and_the_calendar_are_kept_from_their_pages_on_sqlite() {
    // Establishes the ministry's and provinces' forms: starting a formation, a program's
    // budgets, an agency's deposit, the holidays and the business date.
    check_ministry_forms(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn formations_budgets_deposits_and_the_calendar_are_kept_from_their_pages_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_ministry_forms(app).await;
}
