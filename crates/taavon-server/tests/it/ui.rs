//! The Persian UI: login, the provinces page and its map, language, logout, sessions.

use taavon_testkit::TestApp;

use crate::helpers::{csrf_of, sqlite_app, ui_client};

#[tokio::test]
async fn an_anonymous_visitor_gets_no_session_and_is_sent_to_log_in() {
    // Establishes that anonymous visits create no session and private pages redirect.
    let app = sqlite_app().await;
    let response = app.client.get(app.url("/provinces")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("set-cookie").is_none());
    let response = app
        .client
        .get(app.url("/cooperatives"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login?next=/cooperatives");
}

#[tokio::test]
async fn the_provinces_page_is_persian_rtl_with_a_31_province_map_credited_to_osm() {
    // Establishes the UI shell's language, direction, font and map.
    let app = sqlite_app().await;
    let client = ui_client(&app, "admin").await;
    let html = client
        .get(app.url("/provinces"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"fa\" dir=\"rtl\">"));
    assert!(html.contains("<h1>استان\u{200c}ها</h1>"));
    assert_eq!(html.matches("data-province=\"IR-").count(), 31);
    assert!(html.contains("© OpenStreetMap contributors"));
    assert!(
        html.contains("۷۹٬۹۲۶٬۲۷۰"),
        "the census total in Persian digits"
    );
    assert!(html.contains("action=\"/logout\""));
    let font = client
        .get(app.url("/assets/fonts/vazirmatn-variable.woff2"))
        .send()
        .await
        .unwrap();
    assert_eq!(font.headers()["content-type"], "font/woff2");
    assert!(font.bytes().await.unwrap().len() > 50_000);
}

#[tokio::test]
async fn a_wrong_password_shows_a_persian_error_on_the_login_page() {
    // Establishes the login form's error path.
    let app = sqlite_app().await;
    let response = app
        .client
        .post(app.url("/login"))
        .form(&[("username", "admin"), ("password", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let html = response.text().await.unwrap();
    assert!(html.contains("class=\"form-error\""));
    assert!(html.contains("نام کاربری یا گذرواژه درست نیست."));
}

#[tokio::test]
async fn english_is_the_second_locale() {
    // Establishes the language switch and the LTR English shell.
    let app = sqlite_app().await;
    let client = ui_client(&app, "ilam").await;
    let response = client
        .get(app.url("/lang?to=en&back=/provinces"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let html = client
        .get(app.url("/provinces"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"en\" dir=\"ltr\">"));
    assert!(html.contains("<h1>Provinces</h1>"));
    assert!(html.contains("79,926,270"));
}

#[tokio::test]
async fn logout_needs_the_sessions_csrf_token() {
    // Establishes CSRF protection on the logout form and that logout ends the session.
    let app = sqlite_app().await;
    let client = ui_client(&app, "coop").await;
    let html = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    let forged = client
        .post(app.url("/logout"))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let response = client
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), 303);
}

#[tokio::test]
async fn a_cross_site_login_post_is_refused() {
    // Establishes that the login form only accepts posts from this site.
    let app = sqlite_app().await;
    let response = app
        .client
        .post(app.url("/login"))
        .header("origin", "https://evil.example")
        .form(&[("username", "admin"), ("password", "demo")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn a_cooperative_page_shows_members_and_the_15_billion_rial_facility() {
    // Establishes the demo's Ilam clothing cooperative as its representative sees it.
    let app = sqlite_app().await;
    let client = ui_client(&app, "coop").await;
    let html = client
        .get(app.url("/cooperatives/1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("تعاونی تولیدی پوشاک بانوان ایلام"));
    assert!(html.contains("۱۵٬۰۰۰٬۰۰۰٬۰۰۰"));
    for persian in [
        "نساجی و پوشاک",
        "تولیدی",
        "فعال",
        "تأیید بانک",
        "۱۴۰۳/۰۲/۲۳",
    ] {
        assert!(html.contains(persian), "{persian} missing");
    }
}

#[tokio::test]
async fn the_list_filters_and_the_registration_form_shows_persian_errors_inline() {
    // Establishes the registry's list filters and the form's error path and success path.
    let app = sqlite_app().await;
    let client = ui_client(&app, "lorestan").await;
    let html = client
        .get(app.url("/cooperatives?q=%DA%AF%D8%B1%D8%AF%D8%B4%DA%AF%D8%B1%DB%8C"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("تعاونی گردشگری دره‌های دورود"));
    assert!(
        !html.contains("تعاونی گیاهان دارویی زاگرس"),
        "the name filter narrows the list"
    );

    let form_page = client
        .get(app.url("/cooperatives/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&form_page);
    let response = client
        .post(app.url("/cooperatives/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", ""),
            ("type", "production"),
            ("sector", "tourism"),
            ("county", "1505"),
            ("legal_id", "12345678901"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("id=\"name-error\">نام تعاونی لازم است."),
        "{html}"
    );
    assert!(html.contains("شناسه ملی: رقم کنترل درست نیست."));
    assert!(
        html.contains("value=\"1505\" selected"),
        "the county chosen is kept"
    );

    let response = client
        .post(app.url("/cooperatives/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "تعاونی بوم‌گردی ازنا"),
            ("type", "service"),
            ("sector", "tourism"),
            ("county", "۱۵۰۵"),
            ("founded_on", "۱۴۰۴/۰۱/۱۵"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let html = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("تعاونی بوم‌گردی ازنا") && html.contains("۱۴۰۴/۰۱/۱۵"));
    let forged = client
        .post(app.url("/cooperatives/new"))
        .form(&[("csrf", "x"), ("name", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
}

#[tokio::test]
async fn an_officer_reviews_from_the_queue_and_an_applicant_applies_through_the_form() {
    // Establishes the application pages: the queue, a step taken by form, and the
    // application form's inline Persian errors and success path.
    let app = sqlite_app().await;
    let lorestan = ui_client(&app, "lorestan").await;
    let queue = lorestan
        .get(app.url("/applications?status=under_review"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains("تعاونی گردشگری دره‌های دورود"), "{queue}");
    assert!(queue.contains("در حال بررسی"));
    let page = lorestan
        .get(app.url("/applications/3"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("اشتغال به ازای تسهیلات"),
        "the score's factors"
    );
    // Lorestan's officer filed and submitted it, so four eyes keep the approval from
    // them: the page offers the rejection only; the ministry approves it by its form.
    assert!(
        !page.contains("value=\"approve\""),
        "the filer never approves"
    );
    assert!(page.contains("value=\"reject\""));
    let admin = ui_client(&app, "admin").await;
    let page = admin
        .get(app.url("/applications/3"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("value=\"approve\""),
        "another officer may approve"
    );
    let response = admin
        .post(app.url("/applications/3/transitions"))
        .form(&[("csrf", csrf_of(&page).as_str()), ("action", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let page = lorestan
        .get(app.url("/applications/3"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("تأییدشده"));

    let coop = ui_client(&app, "coop").await;
    let form = coop
        .get(app.url("/applications/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&form);
    let response = coop
        .post(app.url("/applications/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("program", "women"),
            ("cooperative_id", "1"),
            ("amount", "۰"),
            ("jobs", "۴"),
            ("women_jobs", "۴"),
            ("purpose", "چرخ خیاطی"),
        ])
        .send()
        .await
        .unwrap();
    // The program's limits are checked before a draft is made, the reason on the field.
    assert_eq!(response.status(), 422);
    let refused = response.text().await.unwrap();
    assert!(
        refused.contains("مبلغ برای این برنامه باید بین"),
        "{refused}"
    );
    assert!(refused.contains("aria-describedby=\"application-amount-error\""));
    let response = coop
        .post(app.url("/applications/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("program", "women"),
            ("cooperative_id", "1"),
            ("amount", "۸۰۰٬۰۰۰٬۰۰۰"),
            ("jobs", "۴"),
            ("women_jobs", "۴"),
            ("purpose", "چرخ خیاطی"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn the_bank_writes_a_contract_and_takes_a_repayment_through_the_loan_pages() {
    // Establishes the loan pages: the contract button on a bank-approved application,
    // the schedule in Jalali dates and Persian digits with the amount in words, a
    // repayment by form, the arrears list, the portfolio and the ledger pages.
    let app = sqlite_app().await;
    let bank = ui_client(&app, "bank").await;
    let get = |path: &'static str| {
        let (bank, url) = (bank.clone(), app.url(path));
        async move { bank.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let application = get("/applications/1").await;
    assert!(
        application.contains("/applications/1/contract"),
        "{application}"
    );
    let response = bank
        .post(app.url("/applications/1/contract"))
        .form(&[("csrf", csrf_of(&application).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let loan_path = response.headers()["location"].to_str().unwrap().to_owned();
    let page = bank
        .get(app.url(&loan_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("جدول اقساط"));
    assert!(
        page.contains("پانزده میلیارد ریال"),
        "the principal in words"
    );
    assert!(page.contains("۱۴۰"), "Jalali dates in Persian digits");
    let response = bank
        .post(app.url(&format!("{loan_path}/disbursements")))
        .form(&[("csrf", csrf_of(&page).as_str()), ("amount", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let page = bank
        .get(app.url(&loan_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let response = bank
        .post(app.url(&format!("{loan_path}/repayments")))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("amount", "۲٬۵۰۰٬۰۰۰"),
            ("note", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let page = bank
        .get(app.url(&loan_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("بازپرداخت") && page.contains("۲٬۵۰۰٬۰۰۰"),
        "{page}"
    );

    let arrears = get("/loans?arrears=1").await;
    assert!(arrears.contains("مشکوک‌الوصول") && arrears.contains("معوق"));
    let portfolio = get("/portfolio").await;
    assert!(portfolio.contains("معوق ۳۰ روز"), "PAR30, labelled");
    let admin = ui_client(&app, "admin").await;
    let ledger = admin
        .get(app.url("/ledger"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ledger.contains("تراز است"), "{ledger}");
    let funds = admin
        .get(app.url("/funds"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(funds.contains("سپرده دستگاه نزد بانک"));
}

#[tokio::test]
async fn the_bank_settles_a_loan_early_from_its_page_for_the_quoted_amount() {
    // Establishes the loan page's early-settlement section: the quote in Persian digits
    // and words, a wrong amount answered with the Persian rule, the right one settling.
    let app = sqlite_app().await;
    let token = app.token("bank", "demo").await;
    let loan = crate::loans::loan_behind(&app, &token).await;
    let id = loan["id"].as_i64().unwrap();
    let (_, quote) = app
        .get(&format!("/api/v1/loans/{id}/settlement"), Some(&token))
        .await;
    let total = quote["total"].as_i64().unwrap();
    let bank = ui_client(&app, "bank").await;
    let page_of = |bank: &reqwest::Client| {
        let (bank, url) = (bank.clone(), app.url(&format!("/loans/{id}")));
        async move { bank.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let page = page_of(&bank).await;
    let persian_total = taavon_core::money::format_number(total, taavon_core::locale::Locale::Fa);
    assert!(page.contains("تسویه پیش از موعد"), "{page}");
    assert!(page.contains(&persian_total), "the total in Persian digits");
    assert!(
        page.contains(&taavon_core::money::amount_in_words_fa(total)),
        "the total in words"
    );
    let settle = |amount: String, page: String| {
        let (bank, url) = (bank.clone(), app.url(&format!("/loans/{id}/settlement")));
        async move {
            bank.post(url)
                .form(&[
                    ("csrf", csrf_of(&page).as_str()),
                    ("amount", amount.as_str()),
                    ("note", ""),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    // A wrong amount is refused on the loan page itself, on the amount field, with what
    // was typed kept.
    let wrong = (total - 1).to_string();
    let response = settle(wrong.clone(), page.clone()).await;
    assert_eq!(response.status(), 422);
    let error = response.text().await.unwrap();
    assert!(
        error.contains("id=\"settle-amount-error\">مبلغ باید برابر مبلغ تسویه"),
        "{error}"
    );
    assert!(error.contains(&format!("value=\"{wrong}\"")), "{error}");
    let response = settle(persian_total, page).await;
    assert_eq!(response.status(), 303);
    let page = page_of(&bank).await;
    assert!(page.contains("تسویه‌شده"), "the loan reads as settled");
    assert!(
        !page.contains(&format!("/loans/{id}/settlement")),
        "no quote and no form once settled"
    );
}

#[tokio::test]
async fn a_rescheduled_loan_page_lists_its_schedule_versions() {
    // Establishes the loan page after a rescheduling: proposed by one bank officer and
    // approved from the page by a second, then the versions with the current one marked,
    // the rescheduling among the transactions, in Persian.
    let app = sqlite_app().await;
    let token = app.token("bank", "demo").await;
    let loan = crate::loans::loan_behind(&app, &token).await;
    let id = loan["id"].as_i64().unwrap();
    let (status, _) = app
        .post(
            &format!("/api/v1/loans/{id}/repayments"),
            Some(&token),
            &serde_json::json!({"amount": loan["penalty_due"]}),
        )
        .await;
    assert_eq!(status, 201);
    let capitalise = crate::loans::due_profit(&app, &loan).await;
    let (status, proposal) = app
        .post(
            &format!("/api/v1/loans/{id}/reschedule"),
            Some(&token),
            &serde_json::json!({"months": 12, "capitalise_rial": capitalise}),
        )
        .await;
    assert_eq!(status, 202, "{proposal}");
    let bank2 = ui_client(&app, "bank2").await;
    let loan_page = |client: &reqwest::Client| {
        let request = client.get(app.url(&format!("/loans/{id}")));
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let page = loan_page(&bank2).await;
    assert!(page.contains("منتظر تأیید کارشناس دوم"), "{page}");
    let approval = format!("/loans/{id}/proposals/{}/approval", proposal["id"]);
    assert!(page.contains(&approval));
    let response = bank2
        .post(app.url(&approval))
        .form(&[("csrf", csrf_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let page = loan_page(&ui_client(&app, "bank").await).await;
    assert!(page.contains("انجام‌شده") && !page.contains(&approval));
    assert!(page.contains("نسخه‌های جدول اقساط"), "{page}");
    assert!(page.contains("استمهال") && page.contains("جاری"));
    assert!(page.contains("۱۲"), "the new term in Persian digits");
}

/// Contracts application 1 as the bank and pays it out in full from the loan page; the
/// loan page's path and its HTML after.
async fn contracted_and_disbursed(app: &TestApp, bank: &reqwest::Client) -> (String, String) {
    let page = |path: String| async move {
        let response = bank.get(app.url(&path)).send().await.unwrap();
        response.text().await.unwrap()
    };
    let application = page("/applications/1".into()).await;
    let response = bank
        .post(app.url("/applications/1/contract"))
        .form(&[("csrf", csrf_of(&application).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let loan_path = response.headers()["location"].to_str().unwrap().to_owned();
    let loan = page(loan_path.clone()).await;
    let response = bank
        .post(app.url(&format!("{loan_path}/disbursements")))
        .form(&[("csrf", csrf_of(&loan).as_str()), ("amount", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    (loan_path.clone(), page(loan_path).await)
}

#[tokio::test]
async fn a_conflict_on_a_loan_form_is_said_in_persian_on_the_loan_page() {
    // Establishes that a refused action goes back to the page it came from with the
    // precise reason as a message (post/redirect/get): a second full disbursement is a
    // conflict, said in Persian in the layout, never as an internal message or a failure.
    let app = sqlite_app().await;
    let bank = ui_client(&app, "bank").await;
    let (loan_path, page) = contracted_and_disbursed(&app, &bank).await;
    let response = bank
        .post(app.url(&format!("{loan_path}/disbursements")))
        .form(&[("csrf", csrf_of(&page).as_str()), ("amount", "1000")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], loan_path.as_str());
    let html = bank
        .get(app.url(&loan_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("dir=\"rtl\""), "{html}");
    assert!(
        html.contains("class=\"flash bad\" role=\"alert\""),
        "{html}"
    );
    assert!(
        html.contains("با وضعیت کنونی این پرونده سازگار نیست"),
        "{html}"
    );
    assert!(
        !html.contains("fully disbursed"),
        "no internal message: {html}"
    );
}

#[tokio::test]
async fn a_loan_form_without_the_sessions_csrf_token_or_from_another_site_is_refused() {
    // Establishes that every form goes through `CsrfForm`: a forged token, a missing one
    // and the right one posted from another origin are all refused (403), and no
    // repayment is recorded by any of them.
    let app = sqlite_app().await;
    let bank = ui_client(&app, "bank").await;
    let (loan_path, page) = contracted_and_disbursed(&app, &bank).await;
    let csrf = csrf_of(&page);
    let url = app.url(&format!("{loan_path}/repayments"));
    let forged = [("csrf", "forged"), ("amount", "1000")];
    let missing = [("amount", "1000"), ("note", "")];
    for form in [&forged[..], &missing[..]] {
        let response = bank.post(&url).form(form).send().await.unwrap();
        assert_eq!(response.status(), 403, "{form:?}");
    }
    let response = bank
        .post(&url)
        .header("origin", "https://elsewhere.example")
        .form(&[("csrf", csrf.as_str()), ("amount", "1000")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403, "cross-site");
    let after = bank.get(app.url(&loan_path)).send().await.unwrap();
    let after = after.text().await.unwrap();
    assert!(
        !after.contains("<td>بازپرداخت</td>"),
        "no repayment recorded: {after}"
    );
}

#[tokio::test]
async fn a_repayment_form_submitted_twice_records_one_repayment() {
    // Establishes that a money form carries its rendering's key as the Idempotency-Key:
    // the same submission sent twice (a double click, a resent post) moves money once
    // and both answers say it was done.
    let app = sqlite_app().await;
    let bank = ui_client(&app, "bank").await;
    let (loan_path, page) = contracted_and_disbursed(&app, &bank).await;
    let marker = "name=\"form_key\" value=\"";
    let start = page.find(marker).expect("a form key on the loan page") + marker.len();
    let form_key = page[start..].split('"').next().unwrap().to_owned();
    let csrf = csrf_of(&page);
    let form = [
        ("csrf", csrf.as_str()),
        ("form_key", form_key.as_str()),
        ("amount", "1000000"),
        ("note", ""),
    ];
    for _ in 0..2 {
        let response = bank
            .post(app.url(&format!("{loan_path}/repayments")))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        let html = bank.get(app.url(&loan_path)).send().await.unwrap();
        let html = html.text().await.unwrap();
        assert!(html.contains("بازپرداخت ثبت شد."), "{html}");
    }
    let html = bank.get(app.url(&loan_path)).send().await.unwrap();
    let html = html.text().await.unwrap();
    assert_eq!(html.matches("<td>بازپرداخت</td>").count(), 1, "{html}");
}

#[tokio::test]
async fn the_currency_unit_follows_the_ui_language() {
    // Establishes that an English loan page says its amounts in English words and names
    // its unit in English: the principal and the settlement quote "in words" carry no
    // «ریال», a rate no «٪».
    let app = sqlite_app().await;
    let bank = ui_client(&app, "bank").await;
    let (loan_path, persian) = contracted_and_disbursed(&app, &bank).await;
    assert!(persian.contains("پانزده میلیارد ریال"), "{persian}");
    let response = bank.get(app.url("/lang?to=en")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let english = bank.get(app.url(&loan_path)).send().await.unwrap();
    let english = english.text().await.unwrap();
    assert!(english.contains("fifteen billion rials"), "{english}");
    assert!(!english.contains("ریال"), "{english}");
    assert!(
        !english.contains('٪'),
        "a percentage in English has `%`: {english}"
    );
}
